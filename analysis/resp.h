/*
 * resp.h - breathing rate from the ECG alone.
 *
 * Problem: RSA-based vagal figures must follow the actual breathing rate
 * (slow paced breathing moves RSA into LF), and the client's breathing is
 * itself guidance material, but we have no belt: only beats, their RR and
 * (with a raw ECG) the shape of each QRS. Any one respiratory modulation of
 * the ECG fails in some people or conditions (on an unseen driving
 * recording the old RSA + R-amplitude spectrum erred by 8.3 /min).
 * Approach: up to five beat-sampled series over a sliding window (default
 * 64 s): NN intervals (respiratory sinus arrhythmia, RSA), R amplitude,
 * R-S amplitude, QRS area and the baseline under the QRS (baseline wander),
 * the four ECG-derived respiration (EDR) modulations of Charlton et al.
 * 2016. Each is cleaned of outliers (beyond 5 robust SD of its window
 * median), resampled at 4 Hz (not-a-knot spline), detrended, Hann-windowed
 * and transformed (1024 points); its rate is the band peak (parabola
 * refined) and its quality the share of band power within
 * +-RESP_PEAK_HALF_HZ of the peak. The estimates are fused by resp_fuse.h
 * (only good ones that agree; else null with a reason), with a short track
 * across windows. See resp.c for details and limits.
 */
#ifndef RESP_H
#define RESP_H

#include <stdint.h>

#include "resp_fuse.h"

enum resp_source {
	RESP_SRC_NONE = 0,
	RESP_SRC_RSA,   /* RR spectrum only */
	RESP_SRC_EDR,   /* R amplitude / QRS area only */
	RESP_SRC_FUSED  /* both */
};

/* The modulations, in the order of resp_result.mod_bpm. */
enum resp_mod {
	RESP_MOD_RSA = 0, /* NN intervals */
	RESP_MOD_AMP,     /* R amplitude */
	RESP_MOD_RS,      /* R-S amplitude */
	RESP_MOD_AREA,    /* QRS area */
	RESP_MOD_BW,      /* baseline wander under the QRS */
	RESP_NMOD
};

/* One beat's respiratory samples; NAN where not known. */
struct resp_beat {
	double nn_ms;    /* cleaned interval ending at this beat */
	double amp_mv;   /* R amplitude */
	double rs_mv;    /* R-S amplitude */
	double area;     /* QRS area, mV*s */
	double base_mv;  /* baseline under the QRS */
};

struct resp_result {
	double resp_bpm;    /* breaths per minute (NAN if none: see reason) */
	double resp_hz;     /* the same in Hz */
	double confidence;  /* 0..1 */
	enum resp_source source;
	double rsa_bpm;     /* from RR alone (NAN if none) */
	double edr_bpm;     /* from the R amplitude alone (NAN if none) */
	double mod_bpm[RESP_NMOD]; /* each modulation's own rate (NAN: no data) */
	double mod_q[RESP_NMOD];   /* and its quality, 0..1 */
	unsigned members;   /* bit i: modulation i agreed in the rate */
	enum resp_reason reason; /* why resp_bpm is NAN (RESP_REASON_NONE if not) */
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
/* The same with every modulation (b->... NAN where unknown). */
void resp_push(struct resp *r, int64_t t_ns, const struct resp_beat *b);
/* Fusion parameters (default resp_fuse_defaults()). */
void resp_set_fuse(struct resp *r, const struct resp_fuse_params *p);
/* Signal lost: what came before is not joined to what follows. */
void resp_gap(struct resp *r);
/* Breathing over the window ending at the newest beat. 0 (resp_bpm may
 * then be NAN with a reason), or VG_ERR_AGAIN while no modulation covers
 * 80 % of the window. */
int resp_compute(struct resp *r, struct resp_result *out);
/* "rsa", "edr", "fused" or "none". */
const char *resp_source_name(enum resp_source s);
/* "rsa", "amp", "rs", "area", "bw". */
const char *resp_mod_name(enum resp_mod m);

#endif
