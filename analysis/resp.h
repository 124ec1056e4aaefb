/*
 * resp.h - breathing rate from the ECG alone.
 *
 * Problem: RSA-based vagal figures must follow the actual breathing rate
 * (slow paced breathing moves RSA into LF), and the client's breathing is
 * itself guidance material, but we have no belt: only beats, their RR and
 * (with a raw ECG) their R amplitude or QRS area.
 * Approach: two beat-sampled series over a sliding window (default 64 s):
 * the NN intervals (respiratory sinus arrhythmia, RSA) and the R amplitude
 * or QRS area (ECG-derived respiration, EDR: the electrical axis moves with
 * the chest). Each is resampled at 4 Hz (not-a-knot spline), linearly
 * detrended, Hann-windowed and transformed (spec_welch, one segment,
 * zero-padded to 1024 points); each spectrum is normalised to unit power in
 * the breathing band and the fused spectrum is their geometric mean
 * weighted by each one's peak concentration, so that a peak present in
 * both wins (a 0.1 Hz Mayer wave in RR has no EDR counterpart). The rate is the fused (or single) spectrum's peak,
 * refined by a parabola; confidence is the share of band power within
 * +-RESP_PEAK_HALF_HZ of the peak. See resp.c for details and limits.
 */
#ifndef RESP_H
#define RESP_H

#include <stdint.h>

enum resp_source {
	RESP_SRC_NONE = 0,
	RESP_SRC_RSA,   /* RR spectrum only */
	RESP_SRC_EDR,   /* R amplitude / QRS area only */
	RESP_SRC_FUSED  /* both */
};

struct resp_result {
	double resp_bpm;    /* breaths per minute (NAN if none) */
	double resp_hz;     /* the same in Hz */
	double confidence;  /* 0..1 */
	enum resp_source source;
	double rsa_bpm;     /* from RR alone (NAN if none) */
	double edr_bpm;     /* from EDR alone (NAN if none) */
};

#define RESP_DEFAULT_WINDOW_S 64.0
#define RESP_MIN_BPM 3.0
#define RESP_MAX_BPM 42.0
#define RESP_PEAK_HALF_HZ 0.03

struct resp;

/* window_s in [30, 240]. */
struct resp *resp_new(double window_s, int *err);
void resp_destroy(struct resp **r);
void resp_reset(struct resp *r);
/* One beat at t_ns: nn_ms = cleaned interval ending at this beat (NAN if
 * none, e.g. ectopic), amp = R amplitude (mV) or QRS area of this beat (NAN
 * without a raw ECG). Beats must come in time order. */
void resp_push_beat(struct resp *r, int64_t t_ns, double nn_ms, double amp);
/* Signal lost: what came before is not joined to what follows. */
void resp_gap(struct resp *r);
/* Breathing over the window ending at the newest beat. 0, or VG_ERR_AGAIN
 * while less than 80 % of the window is covered. */
int resp_compute(struct resp *r, struct resp_result *out);
/* "rsa", "edr", "fused" or "none". */
const char *resp_source_name(enum resp_source s);

#endif
