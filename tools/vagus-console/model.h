/*
 * model.h - what the console knows: the daemon's messages decoded into one
 * state the view draws (pure: no curses, no sockets, no clock).
 *
 * Problem: the console must show the latest heart, HRV, calm, EMG and
 * guidance figures, and say plainly when any of them is stale or a sensor
 * is lost; that logic must be testable without a terminal or a daemon.
 * Approach: con_model_feed() takes one JSON message (as published, see
 * protocol/PROTOCOL.md) and the wall time it arrived (monotonic seconds,
 * given by the caller) and updates a flat struct. Fields are read by name
 * with cJSON, so topics this build does not know yet (`guide`, `release`,
 * `mark.response`, `hold.long`) are read as soon as the daemon publishes
 * them, and absent fields stay NAN / empty. Staleness is judged on arrival
 * time (the sample clock runs ahead of real time under --speed); every
 * time shown (session clock, hold clock, event ages, capture countdowns)
 * is signal time: the newest t_ns of the daemon's messages (clock_ns).
 * The gauge shows `calm` (0-100 against the session baseline); before a
 * baseline exists it shows the same formula against population norms
 * (50 + 50 tanh(pns_index), i.e. a baseline pns of 0: see analysis/calm.h),
 * flagged so the view can say so. Its trend is `calm_trend` when the daemon
 * sends it, else a least-squares slope over the last CON_TREND_SPAN_S of the
 * gauge history (one point per CON_HIST_STEP_S of sample time).
 * Limits: up to CON_MAX_REGIONS EMG channels and CON_MAX_SOURCES sources;
 * longer strings are truncated.
 */
#ifndef CON_MODEL_H
#define CON_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define CON_STALE_S 5.0        /* no message for this long = stale, s */
#define CON_MAX_REGIONS 16
#define CON_MAX_SOURCES 8
#define CON_HIST_N 256         /* gauge history points */
#define CON_HIST_STEP_S 5.0    /* sample time per history point (its newest value), s */
#define CON_TREND_SPAN_S 60.0  /* span of the fallback trend fit, s */
#define CON_RELEASE_SHOW_S 30.0 /* a release stays highlighted this long, s */
#define CON_NEVENTS 8          /* notable events kept for the event lines */
#define CON_CLOCK_BACK_S 60.0  /* a t_ns this far behind the clock = a new clock */

enum con_capture_kind { CON_CAP_BASELINE, CON_CAP_CALIBRATION, CON_CAP_N };

/* A baseline or calibration capture in progress: ends with the daemon's
 * baseline.done / calibration.done event, or after its seconds of signal
 * (or of wall time, when the signal stops). */
struct con_capture {
	int active;
	char what[64];           /* region (calibration) or "" */
	char kind[16];           /* rest / reference (calibration) */
	int64_t end_ns;          /* signal time it should be done by */
	double wall_end_s;       /* wall time fallback */
	double begin_at_s;       /* wall time it was accepted */
	char result[160];        /* the done event's text, "" = none yet */
	double result_at_s;
};

enum con_feed {
	CON_FEED_BEAT,
	CON_FEED_HRV,
	CON_FEED_EMG,
	CON_FEED_GUIDE,
	CON_FEED_STATUS,
	CON_FEED_N
};

struct con_region {
	char name[64];
	double at_s;          /* arrival of the last emg message, 0 = never */
	double rms_uv;        /* NAN = none */
	double level_pct;     /* 0 = rest, 100 = reference; NAN = none */
	double scale_uv;      /* bar full scale: slowly decaying peak, uV */
	char state[16];       /* relaxed / tense / releasing */
	char quality[80];     /* quality flags joined by ' ' ("" = clean) */
	int releases;         /* releases seen on this region */
	double release_at_s;  /* arrival of the last release, 0 = none */
	double hold_from_pct, hold_from_uv; /* level when the hold began, NAN = none */
	double release_from_pct, release_from_uv; /* level the last release
						   * dropped from, NAN = unknown */
	double release_drop_pct; /* NAN = unknown */
};

struct con_source {
	char name[64];
	char state[16];       /* starting running stalled lost finished failed */
	char kinds[32];       /* channel kinds, e.g. "ECG+EMG" */
	double age_s;         /* last_data_age_s, at status_at_s */
};

struct con_model {
	double at_s[CON_FEED_N]; /* arrival of the latest message per feed, 0 = never */

	/* beat */
	double hr_bpm, rr_ms, beat_quality;
	/* hrv: short window (<= 90 s) and long window */
	double rmssd_ms, rmssd_long_ms, sdnn_long_ms, pns_index, hf_peak_hz;
	int slow_breathing;
	double calm, calm_trend;  /* as sent (NAN = null) */

	/* the gauge */
	double gauge;            /* 0-100, NAN = nothing yet */
	int gauge_from_norms;    /* 1: no session baseline, population norms */
	double gauge_trend;      /* per minute, NAN = unknown */
	int64_t hist_t_ns[CON_HIST_N];
	double hist_v[CON_HIST_N];
	int hist_n, hist_head;   /* ring: hist_head = next slot */
	int64_t hist_slot_ns;    /* start of the newest point's step */

	/* guide (pacer, advice, hold clock) */
	char pattern[16], phase[16];
	double progress, breath_progress, rate_bpm, phase_s, following, resp_bpm;
	char advice[16];
	double confidence;
	char reasons[512];
	char profile[16];

	/* hold: from the guide when it is fresh, else from hold.* events */
	int holding;
	char technique[32], hold_region[64];
	double hold_s;           /* from the guide; NAN when from events */
	double hold_at_s;        /* arrival of hold.start (events), 0 = none */
	double span_min_s, span_max_s;

	/* EMG regions, by channel number */
	struct con_region reg[CON_MAX_REGIONS];
	int nreg;                /* 1 + highest channel seen */

	/* daemon */
	struct con_source src[CON_MAX_SOURCES];
	int nsrc;
	char version[16];
	char session[96];        /* "" = none */
	int64_t session_start_ns; /* signal time, 0 = unknown */
	int64_t daemon_ns;       /* t_ns of the latest status/event */
	double daemon_at_s;      /* its arrival */
	int64_t clock_ns;        /* signal clock: newest t_ns of any message, 0 = none */
	int64_t hold_start_ns;   /* signal time of hold.start, 0 = unknown */
	int64_t msg_ns;          /* t_ns of the message being decoded */
	int have_rec;            /* 1 once a status said recording true/false */
	int recording;           /* status.recording */
	int simulated;           /* status.simulated */
	char record_path[256];   /* status.record_path */
	struct con_capture cap[CON_CAP_N];

	/* notable events, newest first */
	char events[CON_NEVENTS][200];
	double event_at_s[CON_NEVENTS];
	int64_t event_ns[CON_NEVENTS]; /* signal time, 0 = unknown */

	uint64_t lost_msgs;      /* from per-topic seq gaps */
	char seq_topic[8][16];
	uint64_t seq_last[8];
};

void con_model_init(struct con_model *m);
/* Decode one message (len bytes of JSON) that arrived at now_s. Returns 0,
 * VG_ERR_PARSE (not a JSON object with a topic) or VG_ERR_NOTSUP (a topic
 * the console does not show). */
int con_model_feed(struct con_model *m, const char *json, size_t len, double now_s);
/* Seconds since the feed's last message; a negative value = never seen. */
double con_model_age(const struct con_model *m, enum con_feed f, double now_s);
/* 1 when the feed was seen but nothing came for CON_STALE_S, or never seen. */
int con_model_stale(const struct con_model *m, enum con_feed f, double now_s);
/* 1 when the region's last message is older than CON_STALE_S. */
int con_model_region_stale(const struct con_model *m, int ch, double now_s);
/* Elapsed session time on the signal clock, s (NAN when no session or its
 * start is unknown). now_s is not used: the clock moves with the daemon's
 * messages, at any --speed. */
double con_model_session_s(const struct con_model *m, double now_s);
/* Breathing rate, /min, and where it came from ("measured": the guide's
 * resp_bpm from the breathing engine; "from heart rhythm": the HRV
 * spectrum's peak), or NAN. */
double con_model_breathing(const struct con_model *m, double now_s,
			   const char **from);
/* Hold elapsed time, s, NAN when no hold. */
double con_model_hold_s(const struct con_model *m, double now_s);
/* One line about lost or stalled sources and a silent daemon, e.g.
 * "ECG+EMG lost 12 s (sim)"; "" when all is well. Returns 1 if a problem. */
int con_model_problems(const struct con_model *m, double now_s, char *out,
		       size_t cap);
/* Seconds of signal since event i (NAN when unknown). */
double con_model_event_age(const struct con_model *m, int i);
/* 1 when there is something to advise on: an hrv message has arrived.
 * Before that the view says "waiting for data". */
int con_model_advice_ready(const struct con_model *m);
/* A capture was accepted by the daemon: seconds of signal from now. */
void con_model_capture_begin(struct con_model *m, enum con_capture_kind k,
			     const char *what, const char *kind, double seconds,
			     double now_s);
/* 1 while capture k runs, with the seconds of signal left in *left_s. */
int con_model_capturing(const struct con_model *m, enum con_capture_kind k,
			double now_s, double *left_s);
/* Index of the region with this name, or -1. */
int con_model_region_find(const struct con_model *m, const char *name);

#endif
