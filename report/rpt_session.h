/*
 * rpt_session.h - one recorded session read back from its own files.
 *
 * Problem: the report, the index and the CSV export need everything a
 * session published (beats, HRV windows, breathing, EMG envelopes, the
 * guide's pacer phases, marks, holds, releases, mark responses, the
 * summary) as plain arrays on one time axis, from files that may be
 * truncated (a crash), damaged or hostile.
 * Approach: rpt_session_load() reads BASE.jsonl line by line (the daemon
 * writes every published message of the session there, plus rec.start,
 * rec.annotation and rec.end lines). Schema topics are decoded by the one
 * decoder (proto_decode); the rec.* lines and the event's data objects,
 * which are not schema topics, with cJSON. Times become seconds from the
 * session start (the summary's start_ns, else the first data message).
 * Events carry the wall clock while data carry the sample clock (they
 * differ with the simulator's speed > 1): an event is placed at the
 * sample-clock time of the data published just before it in the file when
 * the two clocks disagree by more than 2 s.
 * Limits: a line longer than 1 MiB or not JSON is counted (bad_lines) and
 * skipped; at most RPT_MAX_REGIONS EMG regions; arrays grow on the heap.
 */
#ifndef RPT_SESSION_H
#define RPT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#define RPT_MAX_REGIONS 8
#define RPT_NAME 64

struct rpt_beat { double t_s, rr_ms, hr_bpm, quality; };

struct rpt_hrvw {
	double t_s, window_s;
	int n;
	double mean_nn_ms, sdnn_ms, rmssd_ms, hr_bpm, artifacts_pct;
	double vlf_ms2, lf_ms2, hf_ms2, lf_hf, pns_index, calm;
};

struct rpt_resp { double t_s, resp_bpm, confidence; };

struct rpt_emgpt { double t_s, rms_uv; };

struct rpt_region {
	char name[RPT_NAME];
	struct rpt_emgpt *p;
	size_t n, cap;
};

/* A run of one pacer phase (inhale, hold, exhale, hold_out) or, for
 * phase "" , a run of one pacer pattern. */
struct rpt_phase { double t0_s, t1_s; int pattern, phase; };

enum rpt_ev_kind {
	RPT_EV_MARK, RPT_EV_HOLD_START, RPT_EV_HOLD_STOP, RPT_EV_PACER,
	RPT_EV_PROFILE, RPT_EV_BASELINE, RPT_EV_GAP, RPT_EV_OTHER
};

struct rpt_event {
	double t_s;
	enum rpt_ev_kind kind;
	char text[128];     /* label, technique, pattern ... */
	char region[RPT_NAME];
};

struct rpt_release {
	double t_s, drop_s;   /* confirmation and drop start, s from session start */
	double start_uv, level_uv, drop_pct, hold_s;
	char technique[32], region[RPT_NAME];
};

struct rpt_markresp {
	double t_s;           /* time of the mark */
	char label[64], region[RPT_NAME], technique[32];
	double hr_before_bpm, hr_after_bpm, dhr_bpm;
	double rmssd_before_ms, rmssd_after_ms, drmssd_pct;
	double calm_before, calm_after, dcalm;
	int complete;
};

/* Baseline or end span of the summary (NAN where unknown). */
struct rpt_span {
	double hr_bpm, rmssd_ms, calm, resp_bpm;
	double emg_uv[RPT_MAX_REGIONS];
};

struct rpt_session {
	char id[96];              /* YYYYmmdd-HHMMSS_client */
	char client[RPT_NAME];    /* the name as given at session.start */
	char technique[48];
	char notes[128];
	char profile[16];         /* guide profile at the start */
	char base[512];           /* path without extension */
	char date_utc[24];        /* "YYYY-mm-dd HH:MM:SS" of wall_start_ns */
	int64_t start_ns;         /* time origin (sample clock) */
	int64_t wall_start_ns;    /* start on the wall clock: from the session id
				     (YYYYmmdd-HHMMSS, UTC) when it has one, else start_ns */
	double duration_s;

	/* summary (has_summary = 0 when the session.summary event is missing) */
	int has_summary;
	double span_s;
	struct rpt_span baseline, end;
	int holds, holds_long;
	double pacer_s_total, advice_s[4];

	/* quality */
	int complete;             /* rec.end seen */
	size_t bad_lines, lines;
	double samples_lost, samples_filled;
	int gaps;

	struct rpt_beat *beats; size_t nbeats, cap_beats;
	struct rpt_hrvw *hrv; size_t nhrv, cap_hrv;
	struct rpt_resp *resp; size_t nresp, cap_resp;
	struct rpt_region region[RPT_MAX_REGIONS]; int nregions;
	struct rpt_phase *phases; size_t nphases, cap_phases;
	struct rpt_event *events; size_t nevents, cap_events;
	struct rpt_release *releases; size_t nreleases, cap_releases;
	struct rpt_markresp *marks; size_t nmarks, cap_marks;
};

/* Resolve what the user named (BASE, BASE.edf, BASE.jsonl, BASE.summary.md)
 * to the base path (no extension) into out. 0, VG_ERR_TRUNC or
 * VG_ERR_NOTFOUND (no BASE.jsonl). */
int rpt_base_path(const char *what, char *out, size_t cap);

/* Read the session whose files are BASE.*; *out is NULL on failure.
 * Returns 0, VG_ERR_NOTFOUND, VG_ERR_IO, VG_ERR_NOMEM or VG_ERR_PARSE
 * (no line of the file was a vagus message). */
int rpt_session_load(const char *what, struct rpt_session **out);
void rpt_session_free(struct rpt_session **s);

/* Figures derived from the arrays (used when the summary is missing and by
 * the report's quality table). */
double rpt_mean_quality(const struct rpt_session *s);
/* Mean artifacts_pct over the 60 s HRV windows; NAN if none. */
double rpt_mean_artifacts_pct(const struct rpt_session *s);
/* Mean of RMSSD (60 s windows) over [t0, t1) s; NAN if none. */
double rpt_mean_rmssd(const struct rpt_session *s, double t0_s, double t1_s);
/* Mean HR of beats over [t0, t1) s; NAN if none. */
double rpt_mean_hr(const struct rpt_session *s, double t0_s, double t1_s);
/* Mean HF power of the 300 s windows over [t0, t1) s (NAN if none). */
double rpt_mean_hf(const struct rpt_session *s, double t0_s, double t1_s);
/* Mean breathing rate over [t0, t1) s; NAN if none. */
double rpt_mean_resp(const struct rpt_session *s, double t0_s, double t1_s);
/* Mean calm over [t0, t1) s; NAN if none. */
double rpt_mean_calm(const struct rpt_session *s, double t0_s, double t1_s);

#endif
