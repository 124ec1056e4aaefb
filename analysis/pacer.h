/*
 * pacer.h - breathing pacer: which breath phase the client should be in now.
 *
 * Problem: the therapist shows the client a breathing guide (inhale, hold,
 * exhale) that must keep exact time for the whole session however
 * irregularly the daemon ticks, and some patterns change rate as they go:
 * `follow` starts at the client's own breathing rate and slows toward a
 * target, `adaptive` scans 6.5 -> 4.5 breaths/min to find the client's
 * resonance frequency (the rate with the largest RSA) and then keeps it.
 * Approach: a breath is a cycle of four segments (inhale, hold, exhale,
 * hold-out) whose lengths are fixed, in integer nanoseconds, when the
 * breath starts; the next breath starts exactly where the last one ended.
 * Any query time then falls in one known segment, so the phase never
 * drifts (no accumulation of tick intervals). Rate changes take effect at
 * breath boundaries only. Adaptive scoring (pacer_adaptive_score) collects
 * per-step RSA figures from the caller; the choice is made when the scan
 * ends: the step with the largest mean peak-to-trough heart rate per breath
 * (Lehrer, Vaschillo & Vaschillo, Appl Psychophysiol Biofeedback 25:177,
 * 2000) or, when beats are missing, the largest RSA/LF power from HRV.
 * Limits: pure arithmetic, no allocation; the struct is embedded by the
 * caller. Follow and adaptive use inhale 40 % / exhale 60 % of the breath
 * (PACER_IN_FRAC), no holds.
 */
#ifndef PACER_H
#define PACER_H

#include <stdint.h>

enum pacer_mode {
	PACER_OFF = 0,
	PACER_426,       /* inhale 4 s, hold 2 s, exhale 6 s (5/min) */
	PACER_RESONANCE, /* 5 s in, 5 s out (6/min) */
	PACER_CUSTOM,    /* in-hold-out-hold seconds */
	PACER_FOLLOW,    /* measured rate, slowing toward a target */
	PACER_ADAPTIVE,  /* resonance-frequency scan, then the best rate */
	PACER_NMODES
};

enum pacer_phase {
	PACER_PH_OFF = 0,
	PACER_PH_INHALE,
	PACER_PH_HOLD,     /* hold after inhaling */
	PACER_PH_EXHALE,
	PACER_PH_HOLD_OUT, /* hold after exhaling */
	PACER_NPHASES
};

struct pacer_cfg {
	enum pacer_mode mode;
	/* PACER_CUSTOM: segment lengths, s (each 0..60, sum >= 1) */
	double in_s, hold_in_s, out_s, hold_out_s;
	/* PACER_FOLLOW: start rate (0 = the measured rate given to
	 * pacer_start) and target rate, breaths/min (0 = 6) */
	double start_bpm, target_bpm;
};

#define PACER_IN_FRAC 0.4          /* inhale share of a breath (follow, adaptive) */
#define PACER_FOLLOW_STEP_BPM 0.5  /* follow: slowing per step, breaths/min */
#define PACER_FOLLOW_STEP_S 60.0   /* follow: step length, s */
#define PACER_FOLLOW_DEFAULT_BPM 12.0 /* follow start when nothing was measured */
#define PACER_ADAPT_FIRST_BPM 6.5  /* adaptive scan: first rate */
#define PACER_ADAPT_STEP_BPM 0.5   /* adaptive scan: decrement per step */
#define PACER_ADAPT_STEPS 5        /* 6.5, 6.0, 5.5, 5.0, 4.5 */
#define PACER_ADAPT_STEP_S 120.0   /* adaptive scan: time per rate, s */
#define PACER_ADAPT_SETTLE_S 20.0  /* adaptive: figures before this in a step are ignored */
#define PACER_ADAPT_DEFAULT_BPM 6.0 /* kept when the scan had no data */
#define PACER_MIN_BPM 2.0
#define PACER_MAX_BPM 30.0

/* Kinds of adaptive score. */
enum pacer_score {
	PACER_SCORE_PT = 0,   /* peak-to-trough HR in one breath, bpm */
	PACER_SCORE_SPECTRAL  /* RSA (or LF) power of an HRV window, ms^2 */
};

/* The pacer at one instant. */
struct pacer_state {
	enum pacer_mode mode;
	enum pacer_phase phase;
	double progress;        /* 0..1 within the phase */
	double breath_progress; /* 0..1 within the breath */
	double rate_bpm;        /* breaths/min of the current breath (NAN when off) */
	double phase_s;         /* length of the current phase, s */
	int64_t phase_start_ns; /* exact start of the current phase */
	int64_t breath_start_ns;/* exact start of the current breath */
	uint64_t breath;        /* breaths started since pacer_start (0-based) */
	int adapt_step;         /* adaptive: scan step 0..4, 5 = keeping the best; -1 otherwise */
};

struct pacer {
	struct pacer_cfg cfg;
	int64_t start_ns;
	int64_t cyc_start_ns;   /* current breath */
	int64_t seg_ns[4];      /* its segments: in, hold, out, hold-out */
	int64_t cyc_ns;         /* their sum */
	double cyc_bpm;
	uint64_t breath;
	int64_t prev_start_ns;  /* previous breath (beats arrive late) */
	int64_t prev_ns;        /* its length, 0 = none */
	double follow_start_bpm;
	/* adaptive scan */
	double pt_sum[PACER_ADAPT_STEPS], sp_sum[PACER_ADAPT_STEPS];
	int pt_n[PACER_ADAPT_STEPS], sp_n[PACER_ADAPT_STEPS];
	int adapt_done;
	double adapt_best_bpm;
	enum pacer_score adapt_metric;
};

/* Parse "off", "4-2-6", "resonance", "follow", "follow:TARGET",
 * "adaptive", or custom "IN-HOLD-OUT[-HOLD]" seconds (also "custom:..."),
 * into *cfg. 0 or VG_ERR_PARSE / VG_ERR_RANGE. */
int pacer_parse(const char *spec, struct pacer_cfg *cfg);
/* Start (or restart) the pacer at t_ns; measured_bpm is the client's
 * current breathing rate (NAN if unknown; used by follow). 0 or
 * VG_ERR_INVAL / VG_ERR_RANGE (cfg out of range; the pacer is then off). */
int pacer_start(struct pacer *p, const struct pacer_cfg *cfg, int64_t t_ns,
		double measured_bpm);
void pacer_stop(struct pacer *p);
/* State at now_ns (non-decreasing; an earlier time reads as the start of
 * the current breath). Advances the breath sequence. */
void pacer_at(struct pacer *p, int64_t now_ns, struct pacer_state *st);
/* Which breath (current or previous) holds t_ns, and where in it (0..1).
 * 0, or VG_ERR_RANGE when t_ns is outside both or the pacer is off. */
int pacer_breath_at(const struct pacer *p, int64_t t_ns, uint64_t *breath,
		    double *frac, int64_t *start_ns, int64_t *len_ns);
/* Adaptive scan: a figure measured over [from_ns, to_ns]; counted only if
 * that span lies inside one scan step, after its first
 * PACER_ADAPT_SETTLE_S. Ignored in other modes or after the scan. */
void pacer_adaptive_score(struct pacer *p, int64_t from_ns, int64_t to_ns,
			  enum pacer_score kind, double value);
/* After the scan: the kept rate and the metric that chose it; 0, or
 * VG_ERR_AGAIN while scanning / not adaptive. */
int pacer_adaptive_result(const struct pacer *p, double *best_bpm,
			  enum pacer_score *metric);
/* Mean score of scan step k (NAN if none) for reports. */
double pacer_adaptive_step_score(const struct pacer *p, int k,
				 enum pacer_score kind);
double pacer_adaptive_step_bpm(int k);

const char *pacer_mode_name(enum pacer_mode m);
const char *pacer_phase_name(enum pacer_phase ph);

#endif
