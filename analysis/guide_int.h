/*
 * guide_int.h - internals shared by guide.c, guide_advice.c and
 * guide_summary.c (not for other modules).
 */
#ifndef GUIDE_INT_H
#define GUIDE_INT_H

#include "calm.h"
#include "gseries.h"
#include "guide.h"

#define GUIDE_BIN_NS 250000000LL  /* 250 ms bins */
#define GUIDE_HIST_BINS 1024      /* 256 s of history */
#define GUIDE_FOLLOW_CAP 256      /* beats kept for `following` */
#define GUIDE_NS 1000000000LL
#define GUIDE_BASE_K0 ((int)GUIDE_SPAN_MIN_S)                 /* first tabled span, s */
#define GUIDE_BASE_NTAB ((int)GUIDE_SPAN_MAX_S - GUIDE_BASE_K0 + 1)

/* What the advice rules look at (guide.c fills it every 250 ms). */
struct guide_feat {
	int64_t t_ns;
	int have_beats;          /* beats in the last 5 s */
	int have_emg;            /* EMG results in the last 2 s */
	double hr_now, hr_ref, dhr;             /* HR last 3 s vs [t-33, t-3) */
	double dhr_slow;                        /* HR last 10 s vs [t-40, t-10) */
	double rmssd_now, rmssd_ref, drmssd_pct; /* last 15 s vs [t-45, t-15) */
	double calm, calm_trend;
	int nreg;
	struct {
		const char *name;
		int valid;
		double now_uv, ref_uv, rise_pct; /* last 1 s vs [t-11, t-1) */
	} reg[GUIDE_MAX_REGIONS];
};

/* Advice state carried between evaluations. */
struct guide_adv_state {
	enum guide_advice advice;
	double confidence;
	char reasons[512];
	int64_t ease_until_ns;   /* hysteresis: ease is kept until then */
	int64_t last_ease_ns;    /* INT64_MIN = never */
	int64_t quiet_since_ns;  /* deepen-ok conditions hold since (INT64_MIN = not) */
	double ease_hr_ref;      /* HR before the surge that triggered ease */
	double ease_uv_ref[GUIDE_MAX_REGIONS]; /* EMG before it (NAN: region not tense) */
	int ease_needs_hr;       /* the surge included arousal */
};

void guide_advice_eval(const struct guide_feat *f, enum guide_profile prof,
		       struct guide_adv_state *st);

struct guide_region {
	int used;
	char name[40];
	struct gser emg;         /* rms_uv */
	int64_t last_ns;
};

struct guide_hold {
	int active;
	char technique[32];
	char region[40];
	int ch;                  /* -1 until the region's channel is known */
	int64_t start_ns;
	double min_s, max_s;
	double start_sum;
	long start_n;
	double start_uv;         /* NAN until the first second is over */
	double ema_uv;
	int64_t ema_ns;
	int64_t drop_ns;         /* 0 = not below the threshold */
	int released;
	int long_sent;
};

struct guide_fol {
	int64_t t_ns;
	double phase;            /* pacer breath phase, rad */
	double hr;
};

struct guide {
	struct guide_config cfg;
	struct guide_output out;
	struct gser hr, d2, calm, resp, pns;
	int calm_own_used;       /* calm computed here (the HRV results had none) */
	int64_t resp_full_ns;    /* last breathing rate from a window that resolves LF */
	struct guide_region reg[GUIDE_MAX_REGIONS];
	struct calm *calm_own;
	double hrv_window_s;     /* primary (shortest) HRV window seen, s */
	double prev_rr_ms;       /* NAN = none/after gap */
	int64_t last_beat_ns;
	int64_t last_emg_ns;
	int64_t ext_resp_ns;     /* last guide_resp() time (INT64_MIN = never) */
	double resp_bpm;
	double calm_now, calm_trend;
	/* pacer */
	struct pacer pacer;
	struct pacer_state pst;
	int pt_have;
	uint64_t pt_breath;
	int64_t pt_start_ns, pt_len_ns;
	double pt_min, pt_max;
	int pt_n;
	struct guide_fol fol[GUIDE_FOLLOW_CAP];
	size_t fol_head, fol_n;
	double following;
	int64_t next_follow_ns;
	/* advice */
	enum guide_profile profile;
	struct guide_adv_state adv;
	int64_t next_adv_ns;
	/* hold */
	struct guide_hold hold;
	/* marks (kept for the session summary) */
	struct guide_mark_response marks[GUIDE_MAX_MARKS];
	int mark_done[GUIDE_MAX_MARKS];
	int nmarks;
	/* session */
	int in_session;
	char session[64];
	int64_t start_ns;
	int baseline_done, calm_base_done;
	int64_t first_calm_ns;   /* INT64_MIN = none yet */
	struct guide_span baseline;
	double base_calm;        /* baseline calm (NAN until known) */
	/* the session's first k s for k = 15..120 s, kept as they complete
	 * (the history holds 256 s; the summary's span depends on the
	 * session's length, known only at its end) */
	struct guide_span base_tab[GUIDE_BASE_NTAB];
	int base_next;           /* next k to table */
	/* a baseline captured on request (baseline.start) */
	int cap_state;           /* 0 none, 1 capturing, 2 figures known, 3 reported */
	int64_t cap_from, cap_to;
	struct guide_span cap_span;
	int cap_calm_done;
	double cap_calm;
	char prof_hist[80];      /* profiles of this session, with change times */
	/* calibrations of this session */
	struct guide_cal cals[GUIDE_MAX_CALS];
	int ncal;
	struct guide_release releases[GUIDE_MAX_RELEASES];
	int nreleases;
	int holds, holds_long;
	double pacer_s[PACER_NMODES];
	double advice_s[GUIDE_NADVICE];
	double adaptive_best_bpm;
	int64_t last_tick_ns;    /* INT64_MIN = none */
	int64_t next_emit_ns;
};

/* JSON helpers (guide_summary.c). */
size_t guide_json_str(char *buf, size_t cap, size_t pos, const char *s);
size_t guide_json_num(char *buf, size_t cap, size_t pos, double v, int dec);
size_t guide_appendf(char *buf, size_t cap, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
