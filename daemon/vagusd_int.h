/*
 * vagusd_int.h - the daemon object's insides, shared by its files, in
 * layers that call one way only (tests/call_circles.py checks it):
 *   daemon.c   vagusd_new/destroy: assembles the three below
 *   commands.c control requests       -> session.c, vagusd.c
 *   session.c  sessions, recording    -> vagusd.c
 *   vagusd.c   the core: outputs, events, clocks, timers, sources
 *   errmsg.c   the refusal helper, below all of them
 * Not for other modules: they use vagusd.h.
 */
#ifndef VAGUSD_INT_H
#define VAGUSD_INT_H

#include "autodetect.h"
#include "control.h"
#include "driver.h"
#include "guide.h"
#include "proto.h"
#include "vagusd.h"

#include <stddef.h>
#include <stdint.h>

struct cJSON;

#define TICK_NS 10000000LL        /* 10 ms: source ticks */
#define STATUS_NS 1000000000LL    /* 1 Hz status */
#define AUTOSCAN_NS 2000000000LL  /* --source auto: look for devices every 2 s */

struct session {
	int active;
	char id[96];
	char client[64];
	char technique[64];
	char notes[512];
	char date[32];               /* start, "YYYY-MM-DD HH:MM:SS UTC" (signal time) */
	int64_t start_ns;            /* signal time */
	int marks;
	int simulated;               /* some source is the simulator */
};

/* An EMG calibration in progress (per daemon-wide EMG channel). */
struct vd_cal {
	int active;
	int seen;                    /* results with `calibrating` seen */
	int kind;                    /* enum emg_cal */
	double prev_rest_uv, prev_ref_uv; /* restored when refused */
};

struct vagusd {
	struct vagusd_config cfg;
	void *zctx;
	struct sec *sec;
	struct ctl_server *ctl;
	struct session session;
	struct loop *loop;
	struct pub *pub;
	struct pipeline *pl;
	struct source *src[VAGUSD_MAX_SOURCES];
	char src_spec[VAGUSD_MAX_SOURCES][AUTO_SPEC_MAX];
	int nsrc;
	struct guide *guide;         /* pacer, advice, holds, responses, summary */
	int64_t sample_now_ns;       /* newest event time seen (the sample clock) */
	struct guide_summary summary;
	struct rec *rec;             /* session recording, NULL = none */
	int rec_map[VAGUSD_MAX_SOURCES][DRV_MAX_CHANNELS]; /* -> rec signal */
	int rec_err_reported;
	char rec_note[256];          /* plain words: where sessions go, or why not */
	int rec_failed;              /* the last session could not be recorded (rec_note says why) */
	int rec_hr_sig;              /* beat-only sessions: the HR signal (-1 = none) */
	int64_t rec_hr_next_ns;      /* signal time of its next sample */
	double last_hr_bpm;          /* newest beat's HR (NAN = none) */
	int64_t last_hr_ns;
	struct vd_cal cal[GUIDE_MAX_REGIONS];
	char hold_technique[64];     /* the running hold (for hold.stop's texts) */
	char hold_region[64];
	int baseline_pending;        /* baseline.start given, baseline.done not yet */
	double baseline_s;
	int auto_on;                 /* --source auto given */
	char auto_opts[256];
	int auto_reported;
	int64_t start_ns;
	struct proto_status status; /* large: kept here, not on the stack */
	struct proto_event ev;
};

/* vagusd.c (the core) */
/* Open the core: loop, publisher, security, pipeline, guide, sources and
 * their timers; 0 or VG_ERR_*. vd_core_close() undoes what was opened. */
int vd_core_open(struct vagusd *d, const struct vagusd_config *cfg);
void vd_core_close(struct vagusd *d);
/* Publish an event; data is a JSON object text or NULL. */
void vd_publish_event(struct vagusd *d, const char *kind, const char *source,
		      const char *detail, const char *data);
/* The signal clock: what every time a user sees is on (events, marks,
 * holds, annotations, sessions, status), so that at --speed X they all
 * agree with the samples and beats. The newest sample time of the sources
 * with sample channels; for beat-only sources (whose beats carry the
 * arrival time) the loop's clock. */
int64_t vd_sample_now(const struct vagusd *d);
void vd_build_status(struct vagusd *d, int64_t now_ns);
/* An annotation in the session's recording at t_ns (signal time) lasting
 * duration_s (< 0: none); nothing when not recording. */
void vd_annotate_at(struct vagusd *d, int64_t t_ns, double duration_s, const char *text);
/* The same at the signal clock's now. */
void vd_annotate(struct vagusd *d, const char *text);
/* A write error of the recording: published once as record.error. */
void vd_rec_problem(struct vagusd *d, int rc);
/* Keep, publish and annotate the end of a calibration (accepted or not). */
void vd_calibration_result(struct vagusd *d, int ch, int kind, double level_uv,
			   int accepted, const char *why);

/* session.c */
int vd_session_start(struct vagusd *d, const struct ctl_request *req,
		     struct cJSON *reply, char *err, size_t cap);
int vd_session_stop(struct vagusd *d, struct cJSON *reply, char *err, size_t cap);
int vd_mark(struct vagusd *d, const struct ctl_request *req, struct cJSON *reply,
	    char *err, size_t cap);
void vd_record_stop(struct vagusd *d);
/* Stop a running session as session.stop does (summary written and
 * published, recording closed); used on SIGINT/SIGTERM and teardown. */
void vd_session_close(struct vagusd *d);
/* session_report.c: the stopped session's report and index row, made in a
 * child process (base = the recording's path without extension). */
void vd_session_report(const struct vagusd *d, const char *base);
/* Give the session layer its timer (1 Hz recording sync); 0 or VG_ERR_*. */
int vd_session_attach(struct vagusd *d);

/* commands.c */
/* The control channel's handler (ctl_handler_fn). */
int vd_on_request(void *ctx, const struct ctl_request *req, struct cJSON *reply,
		  char *err, size_t cap);

/* errmsg.c */
/* Put msg into err; returns code. */
int vd_err_msg(char *err, size_t cap, int code, const char *msg);

#endif
