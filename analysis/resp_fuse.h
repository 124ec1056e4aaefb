/*
 * resp_fuse.h - one breathing rate from several ECG-derived estimates, or
 * none with a reason.
 *
 * Problem: each respiratory modulation of the ECG (RR intervals = RSA, R
 * amplitude, R-S amplitude, QRS area, baseline wander) fails on its own in
 * some people and conditions (Mayer waves in RR, motion in the baseline,
 * axis changes in the amplitude); averaging them blindly gives a confident
 * wrong rate, and any single one carries the failures of its kind.
 * Approach: "smart fusion" (Karlen et al., IEEE TBME 60:1946, 2013): only
 * estimates of acceptable quality take part, and only when they agree; the
 * rate is their quality-weighted mean. Here: candidates are the modulations
 * whose spectral peak share (quality) is >= q_min; the agreeing set is the
 * largest-quality group of candidates within +-agree_bpm of one of them;
 * it needs >= min_agree members when more than one modulation had data
 * (a beat-only source has RSA alone: it is used when its quality is >=
 * single_q_min). Otherwise the result is null with a reason. A short track
 * (the last published rate, if younger than track_s) breaks ties between
 * groups of similar weight. Pure function plus a two-number track state;
 * the parameters are chosen on several recordings at once (tests/bench/
 * bench_resp.c prints in-sample and leave-one-record-out figures).
 * References: Karlen et al. 2013; Charlton et al., Physiol. Meas. 37:610,
 * 2016 and IEEE Rev. Biomed. Eng. 11:2, 2018 (fusion of modulations,
 * quality indices, temporal smoothing).
 * Limits: agreement is not truth: modulations that share a cause (R
 * amplitude, R-S amplitude and QRS area all follow the electrical axis) can
 * agree on a wrong rate when the axis moves for another reason.
 */
#ifndef RESP_FUSE_H
#define RESP_FUSE_H

#include <stdint.h>

enum resp_reason {
	RESP_REASON_NONE = 0,     /* a rate was published */
	RESP_REASON_LOW_QUALITY,  /* no modulation has a clear breathing peak */
	RESP_REASON_DISAGREE,     /* the modulations with a clear peak disagree */
	RESP_REASON_COUNT
};

struct resp_fuse_params {
	double q_min;        /* quality needed to take part (0..1) */
	double agree_bpm;    /* agreement half-width, breaths/min */
	int min_agree;       /* members needed when >= 2 modulations had data */
	double single_q_min; /* quality needed when only one modulation had data */
	double track_s;      /* how long the last rate breaks ties, s */
};

/* The parameters chosen on all development recordings (see resp_fuse.c). */
void resp_fuse_defaults(struct resp_fuse_params *p);

struct resp_track {
	double bpm;     /* last published rate, NAN = none */
	int64_t t_ns;   /* its time */
};

struct resp_fused {
	double bpm;              /* NAN when reason != NONE */
	double confidence;       /* mean quality of the agreeing set, 0 if none */
	unsigned members;        /* bit i: modulation i in the agreeing set */
	enum resp_reason reason;
};

void resp_track_reset(struct resp_track *tr);
/* n estimates bpm[i] (NAN = no data) with quality q[i] in 0..1, at t_ns.
 * Fills *out and, when a rate is published, updates *tr (tr may be NULL). */
void resp_fuse(const double *bpm, const double *q, int n, const struct resp_fuse_params *p,
	       struct resp_track *tr, int64_t t_ns, struct resp_fused *out);
/* "none", "low_quality", "disagree". */
const char *resp_reason_name(enum resp_reason r);

#endif
