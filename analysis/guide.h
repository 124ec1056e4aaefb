/*
 * guide.h - what the therapist sees and acts on: breathing pacer, pressure
 * advice, technique-aware holds, responses to marks, session summary.
 *
 * Problem: the analysis gives beats, HRV windows and EMG envelopes; the
 * therapist needs a few decisions that explain themselves ("ease: EMG
 * trapezius-left +35 % in 10 s, HR +8 bpm in 30 s"), a breathing guide
 * that keeps time, a clock for holds that notices the release, the effect
 * of each of their actions, and a report at the end of the session.
 * Approach: the daemon feeds every pl_beat, pl_hrv and pl_emg (and a
 * breathing rate when it has one), calls guide_tick() every 10-50 ms of
 * sample-clock time, and passes the control commands; results come back
 * through the callbacks of struct guide_output, one struct per topic (see
 * protocol/schema.c and PROTOCOL.md: `guide`, `release`, `hold.long`,
 * `mark.response`; the summary goes on `event` as kind session.summary).
 * All times are on the sample clock (ns since the epoch). Internally the
 * signals are kept as 250 ms bins over the last 256 s (gseries.h), so
 * every comparison is "mean over span A vs mean over span B".
 * Methods, thresholds and references: guide.c (marks, holds, summary
 * figures), guide_advice.c (advice rules), pacer.h (pacer).
 * Limits: pure C, no I/O; all memory is allocated in guide_new(). At most
 * GUIDE_MAX_REGIONS EMG channels, GUIDE_MAX_MARKS marks and
 * GUIDE_MAX_RELEASES releases per session are kept for the summary.
 * Advice is decision support from physiological signals, not a clinical
 * judgement.
 */
#ifndef GUIDE_H
#define GUIDE_H

#include <stddef.h>
#include <stdint.h>

#include "pacer.h"
#include "pipeline.h"

#define GUIDE_MAX_REGIONS 8
#define GUIDE_MAX_MARKS 64
#define GUIDE_MAX_RELEASES 32
#define GUIDE_RESPONSE_S 30.0   /* mark response: 30 s after vs 30 s before */
#define GUIDE_RELEASE_DROP 0.20 /* release: tension down >= 20 % of the hold's start */
#define GUIDE_RELEASE_S 5.0     /* ... for >= 5 s */
#define GUIDE_MAX_CALS 16       /* calibrations kept for the summary */
#define GUIDE_SPAN_FRAC 0.20    /* summary baseline/end span: 20 % of the session ... */
#define GUIDE_SPAN_MIN_S 15.0   /* ... at least 15 s (or the whole session if shorter) */
#define GUIDE_SPAN_MAX_S 120.0  /* ... at most 120 s */
#define GUIDE_REST_OF_REF 0.30  /* rest calibration refused at >= 30 % of the reference */

enum guide_advice {
	GUIDE_ADV_NONE = 0,   /* not enough signal to advise */
	GUIDE_ADV_HOLD,       /* keep the current pressure */
	GUIDE_ADV_EASE,       /* reduce pressure now */
	GUIDE_ADV_DEEPEN_OK,  /* the client tolerates more depth */
	GUIDE_NADVICE
};

enum guide_profile {
	GUIDE_PROF_STANDARD = 0,
	GUIDE_PROF_SENSITIVE, /* never deepen-ok; earlier ease */
	GUIDE_PROF_FLARE,     /* never deepen-ok; light touch; ease on tension alone */
	GUIDE_NPROFILES
};

/* Topic `guide`: pacer phase, advice and hold clock, >= 10 Hz. */
struct guide_msg {
	int64_t t_ns;
	/* pacer */
	int pattern;             /* enum pacer_mode */
	int phase;               /* enum pacer_phase */
	double progress;         /* 0..1 within the phase (NAN when off) */
	double breath_progress;  /* 0..1 within the breath */
	double rate_bpm;         /* pacer rate, breaths/min (NAN when off) */
	double phase_s;          /* length of the current phase, s */
	int64_t phase_start_ns;  /* exact start of the current phase */
	uint64_t breath;         /* breaths since the pacer started */
	double following;        /* 0..1: share of HR variance at the pacer's rhythm (NAN unknown) */
	double resp_bpm;         /* measured breathing rate, breaths/min (NAN unknown) */
	/* advice */
	int advice;              /* enum guide_advice */
	double confidence;       /* 0..1 */
	char reasons[512];       /* plain words and figures, "; "-separated */
	int profile;             /* enum guide_profile */
	/* hold */
	int holding;             /* 1 during a hold */
	char technique[32];
	char region[40];
	double hold_s;           /* time since hold.start, s */
	double span_min_s;       /* the technique's usual span, s */
	double span_max_s;
};

/* Topic `release`: tension of the held region dropped >= 20 % for >= 5 s. */
struct guide_release {
	int64_t t_ns;            /* confirmation time (drop_t_ns + >= 5 s) */
	int64_t drop_t_ns;       /* when the drop began */
	char technique[32];
	char region[40];
	int channel;             /* EMG channel (-1: none) */
	double start_uv;         /* level at the hold's start (mean of its first 1 s), uV */
	double level_uv;         /* level at confirmation, uV */
	double drop_pct;         /* 100 (start - level) / start, % */
	double hold_s;           /* hold start -> drop, s */
	char text[256];
};

/* Topic `hold.long`: the hold outlasted its technique's usual span. */
struct guide_hold_long {
	int64_t t_ns;
	char technique[32];
	char region[40];
	double hold_s;
	double span_max_s;
	int released;            /* a release was seen in this hold */
	char text[256];
};

/* Topic `mark.response`: 30 s after a mark against the 30 s before. */
struct guide_mark_response {
	int64_t t_ns;            /* mark time + 30 s (or session stop) */
	int64_t mark_t_ns;
	char label[64];
	char region[40];
	double pressure;         /* as given with the mark (NAN if none) */
	double hr_before_bpm, hr_after_bpm, dhr_bpm;
	double rmssd_before_ms, rmssd_after_ms, drmssd_pct;
	double calm_before, calm_after, dcalm;
	char emg[1024];          /* JSON array [{region, before_uv, after_uv, change_pct}] */
	int complete;            /* 0: the session stopped before 30 s had passed */
	char text[512];
};

/* Figures over one span of the session. */
struct guide_span {
	double hr_bpm;
	double rmssd_ms;         /* from successive RR differences in the span */
	double calm;
	double resp_bpm;
	double emg_uv[GUIDE_MAX_REGIONS];
};

/* One EMG calibration of the session (accepted or refused). */
struct guide_cal {
	int64_t t_ns;            /* when it ended (or was refused) */
	int channel;
	char region[40];
	char kind[16];           /* "rest" or "reference" */
	double level_uv;         /* captured level, uV (NAN if refused before capture) */
	int accepted;
	char why[192];           /* plain words when refused */
};

struct guide_summary {
	char session[64];
	int64_t start_ns, stop_ns;
	double duration_s;
	double span_s;           /* length of the end span (and of the baseline unless captured), s */
	int baseline_captured;   /* 1: the baseline is a capture (baseline.start), not the first span_s */
	int64_t baseline_from_ns;
	double baseline_s;       /* length of the baseline span, s */
	struct guide_span baseline, end;
	/* session metadata: filled by the caller (the daemon) after
	 * guide_session_stop(), except profile */
	char date[32];           /* start, UTC, "YYYY-MM-DD HH:MM:SS UTC" */
	char client[64];
	char technique[64];
	char profile[80];        /* filled by guide_session_stop(): the profile at the
				    start, then each change ("sensitive, flare at 40 s") */
	char notes[512];
	int simulated;           /* 1: data from the simulator, not a person */
	int ncal;
	struct guide_cal cal[GUIDE_MAX_CALS];
	int nregions;
	char region[GUIDE_MAX_REGIONS][40];
	int region_releases[GUIDE_MAX_REGIONS];
	int nreleases;
	struct guide_release releases[GUIDE_MAX_RELEASES];
	int nmarks;
	struct guide_mark_response marks[GUIDE_MAX_MARKS];
	double pacer_s[PACER_NMODES]; /* time in each pacer pattern, s */
	double adaptive_best_bpm;     /* NAN unless an adaptive scan finished */
	double advice_s[GUIDE_NADVICE]; /* time under each advice, s */
	int holds;
	int holds_long;
};

struct guide_output {
	void *ctx;
	void (*guide)(void *ctx, const struct guide_msg *m);              /* optional */
	void (*release)(void *ctx, const struct guide_release *r);        /* optional */
	void (*hold_long)(void *ctx, const struct guide_hold_long *h);    /* optional */
	void (*mark_response)(void *ctx, const struct guide_mark_response *r); /* optional */
};

struct guide_config {
	double emit_hz;      /* `guide` messages per second of sample clock (default 20) */
	double baseline_s;   /* summary baseline/end span and calm baseline, s (default 120) */
};

struct guide;

/* cfg and out may be NULL. NULL + *err (VG_ERR_NOMEM) on failure. */
struct guide *guide_new(const struct guide_config *cfg,
			const struct guide_output *out, int *err);
void guide_destroy(struct guide **g);

/* Inputs (in time order per kind). */
void guide_beat(struct guide *g, const struct pl_beat *b);
void guide_hrv(struct guide *g, const struct pl_hrv *h);
void guide_emg(struct guide *g, const struct pl_emg *e);
/* A measured breathing rate (resp.h or a belt), breaths/min; it takes
 * precedence over the rate the HRV spectrum implies. */
void guide_resp(struct guide *g, int64_t t_ns, double resp_bpm);
/* Advance to now_ns (sample clock): emits `guide` messages at emit_hz,
 * due mark responses, hold.long. Call every 10-50 ms. */
void guide_tick(struct guide *g, int64_t now_ns);

/* Control. Times are the sample-clock time of the command. */
int guide_pacer_set(struct guide *g, const struct pacer_cfg *cfg, int64_t t_ns);
/* technique: trigger_point, myofascial, deep_tissue, ischemic_compression,
 * positional_release, muscle_energy, or any other name (default span);
 * region: an EMG channel's name (case-insensitive), "chN" or "N", or a
 * region without EMG (timed only). VG_ERR_INVAL on NULL/empty technique. */
int guide_hold_start(struct guide *g, const char *technique, const char *region,
		     int64_t t_ns);
/* VG_ERR_STATE when no hold is running. */
int guide_hold_stop(struct guide *g, int64_t t_ns);
/* A therapist's mark (label required, region may be NULL, pressure NAN if
 * none). VG_ERR_RANGE when GUIDE_MAX_MARKS marks are pending/kept. */
int guide_mark(struct guide *g, const char *label, const char *region,
	       double pressure, int64_t t_ns);
/* Figures over [from_ns, to_ns) of the last 256 s (NAN where no data). */
void guide_span_figures(const struct guide *g, int64_t from_ns, int64_t to_ns,
			struct guide_span *out);
/* A baseline captured on request over [from_ns, to_ns): when it is over
 * (and its figures known, guide_baseline_result()), the session summary
 * takes its baseline from it instead of the session's first span. */
void guide_baseline_capture(struct guide *g, int64_t from_ns, int64_t to_ns);
/* 1 once, when a captured baseline's figures are complete (*out filled);
 * 0 otherwise. */
int guide_baseline_result(struct guide *g, struct guide_span *out);
/* Is a muscle at rest enough for a rest calibration? level_uv: the
 * captured (or current, NAN = the last 2 s) envelope of EMG channel ch at
 * t_ns; reference_uv: its reference calibration (NAN = none). Returns 0
 * (at rest) or 1 (tense: why says so in plain words). Rules: >= 30 % of
 * the reference; or >= 30 % and >= 5 uV above its lowest 5-s level of the
 * last 2 minutes (the advice's guarding rise); or the advice still holds
 * the region as guarding. */
int guide_rest_check(const struct guide *g, int ch, double level_uv,
		     double reference_uv, int64_t t_ns, char *why, size_t cap);
/* Keep a calibration (accepted or refused) for the session summary. */
void guide_calibration(struct guide *g, const struct guide_cal *c);
/* The region name of EMG channel ch ("" if unknown). */
const char *guide_region_name(const struct guide *g, int ch);
/* The profile in effect. */
enum guide_profile guide_profile_get(const struct guide *g);
/* "standard", "sensitive" or "flare"; VG_ERR_NOTFOUND otherwise. */
int guide_profile_set(struct guide *g, const char *profile);
/* Start a session (resets baseline, marks, releases, pacer times). */
int guide_session_start(struct guide *g, const char *id, int64_t t_ns);
/* Stop it: pending mark responses are published (complete = 0) and *out
 * filled. VG_ERR_STATE when no session runs. */
int guide_session_stop(struct guide *g, int64_t t_ns, struct guide_summary *out);

/* Render a summary as Markdown / as one JSON object into buf. Returns the
 * length (< cap, NUL-terminated) or VG_ERR_TRUNC. The JSON falls back to
 * a compact form ("compact": true: marks without EMG arrays, then no
 * lists) when the full one does not fit, so that it fits the 2048-byte
 * data field of proto_event; 64 KiB always holds the Markdown. */
int guide_summary_markdown(const struct guide_summary *s, char *buf, size_t cap);
int guide_summary_json(const struct guide_summary *s, char *buf, size_t cap);

const char *guide_advice_name(enum guide_advice a);
const char *guide_profile_name(enum guide_profile p);
/* The usual span of a technique, s (default 30..120 for unknown names);
 * 1 if the technique is known, 0 otherwise. */
int guide_technique_span(const char *technique, double *min_s, double *max_s);

#endif
