/*
 * nn_detect.h - NN intervals of a WFDB record from its ECG alone: the
 * daemon's detector (qrs.h) and RR cleaning (rr.h), offline.
 *
 * Problem: vagus-analyze and the whole-chain tests need the NN series the
 * daemon would produce live from a recorded ECG, with per-beat R amplitude
 * and QRS area for ECG-derived respiration.
 * Approach: read one signal of the record (a WFDB record or an EDF+ file,
 * io/recording.h) in blocks, scaled to mV, feed the
 * causal detector, turn every beat into an RR interval (refined fiducials)
 * and pass it through the causal RR cleaner; collect the cleaned NN and the
 * raw beats. Only [from_s - NN_DETECT_LEAD_S, to_s + 5 s) is read.
 * Limits: reads the record (file I/O), so it lives in io/, not analysis/;
 * allocates result arrays (offline use only).
 */
#ifndef NN_DETECT_H
#define NN_DETECT_H

#include <stddef.h>
#include <stdint.h>

#define NN_DETECT_LEAD_S 60.0 /* detector and cleaner warm-up before from_s */

struct nn_detect_beat {
	double t_s;        /* R time on the record's axis, s */
	double amp_mv;     /* R amplitude, mV */
	double area;       /* QRS area, mV*s */
	double rs_mv;      /* R-S amplitude, mV */
	double base_mv;    /* baseline under the QRS, mV */
	unsigned flags;    /* QRS_BEAT_* from the detector */
};

struct nn_detect_nn {
	double t_s;        /* time of the ending beat, s */
	double nn_ms;
	unsigned flags;    /* HRV_NN_* */
};

struct nn_detect_result {
	struct nn_detect_beat *beats; /* detected beats, in time order */
	size_t n_beats;
	struct nn_detect_nn *nn;      /* cleaned NN intervals */
	size_t n_nn;
	double fs_hz;                 /* rate of the signal used */
	uint64_t corrected;           /* intervals the cleaner corrected */
};

/* Detect and clean over [from_s, to_s) of signal sig of RECORD (a WFDB
 * record name, with or without .hea, or an EDF+ file). to_s <= 0: to the
 * end. Fills *res (free with nn_detect_free). Returns 0 or a VG_ERR_* (NOTFOUND, PARSE, RANGE, ...). */
int nn_detect_record(const char *record, int sig, double from_s, double to_s,
		     struct nn_detect_result *res);
void nn_detect_free(struct nn_detect_result *res);

#endif
