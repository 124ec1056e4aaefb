/*
 * pipeline.h - the analysis chain from raw inputs to published results.
 *
 * Problem: the daemon (live) and vagus-analyze (offline) must produce the
 * very same beats, HRV, respiration and EMG results from the same samples,
 * so the chain is wired once, here, with no I/O and no ZeroMQ.
 * Approach: inputs are declared (ECG lead, EMG channel, or a beat-only
 * source), fed with samples or beats; results come out through callbacks
 * with event times on the sample clock (t_ns = origin + index / fs).
 * Limits: one ECG input drives HRV (the first declared); a beat-only input
 * feeds RR straight into the HRV chain (RR cleaning, windows, breathing,
 * calm: hrv_chain.h). Single-threaded.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "emg.h"
#include "hrv.h"
#include "resp.h"

struct pipeline;

#define PL_MAX_INPUTS 16
#define PL_MAX_WINDOWS 4

enum pl_input_kind { PL_IN_ECG, PL_IN_EMG, PL_IN_BEATS, PL_IN_RESP };

/* One detected or reported beat (the `beat` message). */
struct pl_beat {
	int64_t t_ns;      /* time of the R peak (fiducial), ns since the epoch */
	int64_t sample;    /* R-peak sample index of the ECG input; -1 for beat-only sources */
	double rr_ms;      /* interval since the previous beat, ms (NAN for the first) */
	double hr_bpm;     /* 60000 / rr_ms (NAN for the first) */
	double quality;    /* 0..1 */
	char source[32];   /* input name */
};

/* An `hrv` result: hrv_result plus its time. */
struct pl_hrv {
	int64_t t_ns;
	struct hrv_result r;
};

/* A `resp` result (breathing rate from the ECG/RR), 1 Hz. */
struct pl_resp {
	int64_t t_ns;
	struct resp_result r;
};

/* An `emg` result with its time. */
struct pl_emg {
	int64_t t_ns;
	struct emg_result r;
};

struct pl_output {
	void *ctx;
	void (*beat)(void *ctx, const struct pl_beat *b); /* optional */
	void (*hrv)(void *ctx, const struct pl_hrv *h);   /* optional */
	void (*emg)(void *ctx, const struct pl_emg *e);   /* optional */
	void (*resp)(void *ctx, const struct pl_resp *r); /* optional */
};

struct pl_config {
	double windows_s[PL_MAX_WINDOWS]; /* HRV windows; 0 ends the list (default 60, 300) */
	double emg_publish_hz;            /* default 20 */
	double emg_window_ms;             /* default 250 */
};

/* cfg may be NULL for defaults. */
struct pipeline *pl_new(const struct pl_config *cfg, const struct pl_output *out,
			int *err);
void pl_destroy(struct pipeline **pl);
/* Declare an input; fs_hz is ignored for PL_IN_BEATS. origin_ns is the time
 * of sample index 0. name is copied. Returns the input id (>= 0) or a
 * negative VG_ERR_*. */
int pl_add_input(struct pipeline *pl, enum pl_input_kind kind, double fs_hz,
		 const char *name, int64_t origin_ns);
/* Feed samples (ECG mV, EMG uV) of input id. */
void pl_feed(struct pipeline *pl, int id, const float *v, size_t n);
/* Samples lost on input id (marked, never interpolated). */
void pl_gap(struct pipeline *pl, int id, uint64_t n_missing);
/* A beat from a beat-only input: time and RR (ms, 0 = unknown); flags
 * PL_BEAT_AFTER_GAP when beats were lost before this one. */
#define PL_BEAT_AFTER_GAP 0x01u
void pl_feed_beat(struct pipeline *pl, int id, int64_t t_ns, double rr_ms,
		  unsigned flags);
/* EMG controls, by daemon-wide EMG channel number (emg_result.channel).
 * Return 0 or VG_ERR_NOTFOUND (no such channel) / VG_ERR_INVAL. */
int pl_emg_calibrate(struct pipeline *pl, int channel, enum emg_cal kind,
		     double seconds);
int pl_emg_hold(struct pipeline *pl, int channel, int start);
/* Number of EMG channels declared so far. */
int pl_emg_channels(const struct pipeline *pl);
/* Channel number of the EMG input named name (region), or -1. */
int pl_emg_find(const struct pipeline *pl, const char *name);

/* Time passes (sample clock): periodic results (resp) keep coming without
 * beats. Call about once a second. */
void pl_tick(struct pipeline *pl, int64_t now_ns);
/* New session or baseline: HRV windows, breathing and the calm baseline
 * start again (calm is relative to what follows). */
void pl_reset_baseline(struct pipeline *pl);
/* A baseline captured on request: like pl_reset_baseline() but the calm
 * baseline lasts seconds (> 0) instead of the default. */
void pl_baseline_start(struct pipeline *pl, double seconds);
/* EMG calibration of a channel, uV (NAN where not calibrated); set: a
 * value <= 0 or NAN clears that end. 0 or VG_ERR_NOTFOUND. */
int pl_emg_get_calibration(const struct pipeline *pl, int channel, double *rest_uv,
			   double *reference_uv);
int pl_emg_set_calibration(struct pipeline *pl, int channel, double rest_uv,
			   double reference_uv);
/* Decide what is pending at the end of a recording (last beat). */
void pl_flush(struct pipeline *pl);

/* Samples consumed so far on input id. */
uint64_t pl_input_samples(const struct pipeline *pl, int id);

#endif
