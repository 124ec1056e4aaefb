/*
 * emg.h - surface EMG to muscle tension, one channel per instance.
 *
 * Problem: raw surface EMG (uV, 250-4000 Hz) carries DC, mains hum, ECG
 * crosstalk and noise; the therapist needs a steady tension level per muscle,
 * live, published at a fixed rate.
 * Interface: emg_new() allocates filters and buffers once; emg_feed() takes
 * samples in uV and calls the result callback every 1/publish_hz seconds of
 * signal. No allocation per sample.
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
};

/* Quality flags (emg_result.quality_flags). */
#define EMG_Q_MAINS 0x01u       /* strong mains interference (being notched) */
#define EMG_Q_CLIPPING 0x02u    /* samples at the ADC rail */
#define EMG_Q_LEAD_OFF 0x04u    /* flat or open input */
#define EMG_Q_SATURATION 0x08u  /* amplifier saturated */
#define EMG_Q_PRESMOOTHED 0x10u /* input rate too low for raw EMG: treated as an envelope */
#define EMG_Q_UNCALIBRATED 0x20u/* level_pct from a running baseline, not a calibration */

enum emg_state { EMG_RELAXED = 0, EMG_TENSE = 1, EMG_RELEASING = 2 };

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
};

typedef void (*emg_result_fn)(void *ctx, const struct emg_result *r);

struct emg *emg_new(const struct emg_config *cfg, emg_result_fn cb, void *ctx,
		    int *err);
void emg_destroy(struct emg **e);
void emg_feed(struct emg *e, const float *x_uv, size_t n);
/* Samples lost: reset the filters' history, keep calibration. */
void emg_gap(struct emg *e, uint64_t n_missing);
const char *emg_state_name(enum emg_state s);

#endif
