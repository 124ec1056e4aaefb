/*
 * emg.h - surface EMG to muscle tension, one channel per instance.
 *
 * Problem: raw surface EMG (uV, 250-4000 Hz) carries DC, mains hum, ECG
 * crosstalk and noise; the therapist needs a steady tension level per muscle,
 * live, published at a fixed rate.
 * Interface: emg_new() allocates filters and buffers once; emg_feed() takes
 * samples in uV and calls the result callback every 1/publish_hz seconds of
 * signal. No allocation per sample. emg_calibrate() measures rest and a
 * reference contraction; emg_hold_start()/emg_hold_stop() bracket a hold in
 * which a release is detected (emg_result.released); emg_ecg_beat() tells
 * the channel where R peaks fell so ECG crosstalk is gated out;
 * emg_describe() gives whole-record descriptive figures (RMS, MDF, MNF).
 * See emg.c for the method, its references and its limits.
 */
#ifndef EMG_H
#define EMG_H

#include <stddef.h>
#include <stdint.h>

struct emg;

struct emg_config {
	double fs_hz;       /* mandatory: input rate, 250..4000 Hz (lower: pre-smoothed) */
	double window_ms;   /* RMS window, default 250 */
	double publish_hz;  /* result rate, default 20 */
	double mains_hz;    /* 50, 60, or 0 = find it */
	int channel;        /* channel number reported in results */
	const char *name;   /* muscle/region, copied (may be NULL) */
	/* Fields below were added later; 0 means the default. */
	double ecg_delay_ms;   /* ECG crosstalk gating: the envelope is computed
				* this late so beats reported up to this late still
				* gate (0 = no delay, gating only of beats that come
				* early enough; 300 advised on trunk/shoulder) */
	double full_scale_uv;  /* ADC/amplifier range +-uV if known (0 = unknown:
				* clipping/saturation are inferred from the signal) */
};

/* Quality flags (emg_result.quality_flags). */
#define EMG_Q_MAINS 0x01u       /* strong mains interference (being notched) */
#define EMG_Q_CLIPPING 0x02u    /* samples at the ADC rail */
#define EMG_Q_LEAD_OFF 0x04u    /* flat or open input */
#define EMG_Q_SATURATION 0x08u  /* amplifier saturated */
#define EMG_Q_PRESMOOTHED 0x10u /* input rate too low for raw EMG: treated as an envelope */
#define EMG_Q_UNCALIBRATED 0x20u/* level_pct from a running baseline, not a calibration */

enum emg_state { EMG_RELAXED = 0, EMG_TENSE = 1, EMG_RELEASING = 2 };

/* Calibration kinds (emg_calibrate). */
enum emg_cal { EMG_CAL_NONE = 0, EMG_CAL_REST = 1, EMG_CAL_REFERENCE = 2 };

struct emg_result {
	int channel;
	char name[40];
	int64_t sample;     /* index of the last sample the result covers */
	double rms_uv;      /* RMS envelope, uV */
	double level_pct;   /* 0 = rest, 100 = reference contraction (NAN if unknown) */
	double mdf_hz;      /* median frequency over the last 1 s (NAN if unknown) */
	double mnf_hz;      /* mean frequency over the last 1 s (NAN if unknown) */
	enum emg_state state;
	unsigned quality_flags;
	/* Fields below were added later. */
	enum emg_cal calibrating; /* calibration in progress (EMG_CAL_NONE if not) */
	int holding;        /* 1 between emg_hold_start() and release/stop */
	int released;       /* 1 on the one result that confirms a release */
	int64_t release_sample; /* when released: sample where the drop began */
};

typedef void (*emg_result_fn)(void *ctx, const struct emg_result *r);

struct emg *emg_new(const struct emg_config *cfg, emg_result_fn cb, void *ctx,
		    int *err);
void emg_destroy(struct emg **e);
void emg_feed(struct emg *e, const float *x_uv, size_t n);
/* Samples lost: reset the filters' history, keep calibration. */
void emg_gap(struct emg *e, uint64_t n_missing);
const char *emg_state_name(enum emg_state s);

/* ECG crosstalk: an R peak fell at sample_index of THIS channel's sample
 * clock (0 = first sample fed; gaps count). Samples around it
 * (-50..+110 ms) are left out of the envelope and zeroed for the spectrum
 * if they have not been processed yet (see ecg_delay_ms). Beats must come
 * in increasing order; later or older ones are ignored. */
void emg_ecg_beat(struct emg *e, int64_t sample_index);

/* Start a calibration over the next `seconds` of signal (0.5..30 s):
 * EMG_CAL_REST takes the median envelope as the noise floor (0 %),
 * EMG_CAL_REFERENCE the highest 1-second mean envelope as 100 %. Results
 * carry `calibrating` meanwhile. Returns 0, VG_ERR_INVAL, or VG_ERR_STATE
 * (a calibration is already running). */
int emg_calibrate(struct emg *e, enum emg_cal kind, double seconds);
/* Set (restore) a calibration, uV; a value <= 0 or NAN clears that end. */
void emg_set_calibration(struct emg *e, double rest_uv, double reference_uv);
/* Current calibration, uV (NAN where not calibrated). */
void emg_get_calibration(const struct emg *e, double *rest_uv,
			 double *reference_uv);

/* A hold starts now: its start level is the mean activity over the next
 * second; a drop of >= 20 % from it that stays down >= 5 s is reported once
 * (released = 1, release_sample = where the drop began, about 5 s later).
 * emg_hold_stop() ends the hold without a release. */
void emg_hold_start(struct emg *e);
void emg_hold_stop(struct emg *e);

/* Whole-record descriptive figures (not the live path: allocates). */
struct emg_describe_opts {
	size_t seg;     /* Welch segment, samples (Hann, 50 % overlap); 0 = 4096 */
	double lo_hz;   /* frequency band for MDF/MNF; 0/0 = 20..1000 Hz */
	double hi_hz;   /* (clipped to fs/2) */
};
struct emg_summary {
	size_t n;       /* samples used */
	double mean_uv; /* DC removed */
	double rms_uv;  /* RMS after DC removal, uV */
	double mdf_hz;  /* median frequency of the Welch PSD in the band */
	double mnf_hz;  /* mean frequency of the Welch PSD in the band */
};
/* x_uv[0..n) at fs_hz; NAN samples are skipped for RMS and replaced by the
 * mean for the PSD. opts may be NULL (defaults above). Returns 0,
 * VG_ERR_INVAL or VG_ERR_NOMEM. */
int emg_describe(const float *x_uv, size_t n, double fs_hz,
		 const struct emg_describe_opts *opts, struct emg_summary *out);

#endif
