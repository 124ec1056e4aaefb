/*
 * hrv_chain.h - beats in, published hrv / resp results out: RR cleaning,
 * HRV windows, breathing and calm wired once for one beat source.
 *
 * Problem: the daemon (pipeline.c) and offline tools need the same chain
 * from beats to the `hrv` (after every beat, per window) and `resp` (1 Hz)
 * messages, with the breathing rate steering RSA and the calm score kept
 * per session; wiring rr.h, hrv.h, resp.h and calm.h by hand in each
 * place would drift.
 * Approach: hc_beat() takes one beat (time, RR if the device gives one,
 * R amplitude if a raw ECG exists); the causal cleaner (rr.h) decides it
 * RR_LOOKAHEAD beats later; every cleaned NN goes to each HRV window, the
 * beat (NN or NAN if corrected, amplitude) to resp; then each window is
 * computed, given the latest confident breathing rate, its calm updated,
 * and reported. resp is computed and reported whenever the beat clock (or
 * hc_tick) passes a whole resp period. No allocation after hc_new().
 * Limits: one beat source; results come RR_LOOKAHEAD beats after the beat
 * (the price of look-ahead cleaning).
 */
#ifndef HRV_CHAIN_H
#define HRV_CHAIN_H

#include <stdint.h>

#include "hrv.h"
#include "resp.h"

#define HC_MAX_WINDOWS 4
#define HC_RESP_MIN_CONFIDENCE 0.3 /* below, hrv estimates f_b itself */

struct hc_config {
	double windows_s[HC_MAX_WINDOWS]; /* 0 ends the list; default 60, 300 */
	double resp_window_s;             /* default RESP_DEFAULT_WINDOW_S */
	double resp_period_s;             /* default 1 (1 Hz) */
	double calm_baseline_s;           /* default CALM_DEFAULT_BASELINE_S */
};

struct hc_output {
	void *ctx;
	/* after every cleaned interval, for window index w (optional) */
	void (*hrv)(void *ctx, int w, int64_t t_ns, const struct hrv_result *r);
	/* at the resp period (optional) */
	void (*resp)(void *ctx, int64_t t_ns, const struct resp_result *r);
};

struct hc;

/* cfg may be NULL for defaults. NULL + *err on failure. */
struct hc *hc_new(const struct hc_config *cfg, const struct hc_output *out, int *err);
void hc_destroy(struct hc **h);
/* One beat at t_ns. rr_ms: the device's interval (<= 0 or NAN: from the
 * beat times); amp: R amplitude, mV, or QRS area (NAN: none); beat_flags:
 * RR_BEAT_* (rr.h) from the detector, 0 when unknown. */
void hc_beat(struct hc *h, int64_t t_ns, double rr_ms, double amp, unsigned beat_flags);
/* The same with every respiratory feature of the beat's QRS (resp.h;
 * ecg->nn_ms is ignored, NAN members are unknown; ecg NULL = none). */
void hc_beat_ecg(struct hc *h, int64_t t_ns, double rr_ms, const struct resp_beat *ecg,
		 unsigned beat_flags);
/* Signal lost: pending beats are decided, nothing spans the gap. */
void hc_gap(struct hc *h);
/* Time passes without beats: report resp if a period is due. */
void hc_tick(struct hc *h, int64_t now_ns);
/* New session: everything (baseline included) starts again. */
void hc_reset(struct hc *h);
/* The calm baseline's length for the next hc_reset(), s (<= 0 or NAN:
 * the configured calm_baseline_s). */
void hc_set_calm_baseline(struct hc *h, double baseline_s);
/* Number of HRV windows. */
int hc_nwindows(const struct hc *h);

#endif
