/*
 * qrs.h - causal, real-time QRS (heartbeat) detector for one ECG lead.
 *
 * Problem: everything downstream (RR, HRV, calm index, guidance) is only as
 * good as the beats; the detector must work live on sample blocks of any
 * size, at 128-1000 Hz, through noise, polarity and amplitude changes,
 * paced beats and ectopy, with a bounded decision delay.
 * Interface: qrs_new(fs) allocates everything; qrs_feed() takes a block of
 * samples (mV) and calls the beat callback for every beat it decides on,
 * never later than qrs_delay_s() after the R peak. No allocation per sample.
 * See qrs.c for the method, its references and its limits.
 */
#ifndef QRS_H
#define QRS_H

#include <stddef.h>
#include <stdint.h>

struct qrs;

struct qrs_beat {
	int64_t sample;       /* R-peak sample index (rounded), from 0 = first sample fed */
	double sample_frac;   /* refined fiducial in samples (sub-sample), used for RR */
	float amplitude_mv;   /* signed R amplitude above the local baseline, mV */
	float area;           /* QRS area (mV*s) for ECG-derived respiration */
	float rs_mv;          /* R-S (peak-to-trough) amplitude of the QRS, mV */
	float baseline_mv;    /* local baseline around the QRS (raw minus the
			       * first sample), mV: baseline wander for EDR */
	float quality;        /* 0 (unreadable) .. 1 (clean) for this beat */
	int64_t decided_at;   /* sample index at which the beat was emitted */
	unsigned flags;       /* QRS_BEAT_* */
};
#define QRS_BEAT_SEARCHBACK 0x01u /* found by search-back with a lowered threshold */
#define QRS_BEAT_NOISY 0x02u      /* detected while quality was low */
#define QRS_BEAT_ODD_P 0x04u      /* the segment before the QRS (P wave) is unlike
				   * the lead's usual one (qrs_pre.h): with an
				   * early beat, likely atrial ectopic */

typedef void (*qrs_beat_fn)(void *ctx, const struct qrs_beat *b);

/* fs_hz in [100, 2000]. Returns NULL (and *err) on a bad rate or no memory. */
struct qrs *qrs_new(double fs_hz, qrs_beat_fn on_beat, void *ctx, int *err);
void qrs_destroy(struct qrs **q);
/* Feed n samples in mV; non-finite samples (and absurd ones, |x| > 1e4 mV)
 * are treated as signal loss. */
void qrs_feed(struct qrs *q, const float *x_mv, size_t n);
/* Forget the signal history (after a gap); sample numbering continues,
 * skipping n_missing samples. */
void qrs_gap(struct qrs *q, uint64_t n_missing);
/* End of the signal (offline use, e.g. the end of a recording): decide the
 * pending peak now, without the rest of its lookahead. Feeding may go on
 * afterwards (as after a gap). */
void qrs_flush(struct qrs *q);
/* Judge the P wave of clean beats (QRS_BEAT_ODD_P; step 7 in qrs.c): on
 * (1) by default. A caller that never reads that flag turns it off (0) and
 * saves its cost; no beat, time or other field changes. */
void qrs_set_pwave(struct qrs *q, int on);
/* Signal quality of the last second, 0..1. */
float qrs_quality(const struct qrs *q);
/* Worst-case decision delay in seconds (R peak to callback). */
double qrs_delay_s(const struct qrs *q);

#endif
