/*
 * vagusd.c - the daemon object (see vagusd.h).
 */
#include "vagusd.h"
#include "autodetect.h"
#include "ctlserver.h"
#include "calm.h"
#include "guide.h"
#include "pacer.h"
#include "loop.h"
#include "pipeline.h"
#include "proto.h"
#include "publish.h"
#include "record.h"
#include "driver.h"
#include "security.h"
#include "source.h"
#include "vg_err.h"
#include "vg_log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define TICK_NS 10000000LL        /* 10 ms: source ticks */
#define STATUS_NS 1000000000LL    /* 1 Hz status */
#define AUTOSCAN_NS 2000000000LL  /* --source auto: look for devices every 2 s */

struct session {
	int active;
	char id[96];
	char client[64];
	char technique[64];
	char notes[512];
	int64_t start_ns;
	int marks;
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
	int auto_on;                 /* --source auto given */
	char auto_opts[256];
	int auto_reported;
	int64_t start_ns;
	struct proto_status status; /* large: kept here, not on the stack */
	struct proto_event ev;
};

/* ---------------------------------------------------------------- output */
static void saw_time(struct vagusd *d, int64_t t_ns)
{
	if (t_ns > d->sample_now_ns)
		d->sample_now_ns = t_ns;
}

/* The sample clock (what marks, holds and the pacer run on). */
static int64_t sample_now(const struct vagusd *d)
{
	return d->sample_now_ns ? d->sample_now_ns : loop_now_ns(d->loop);
}

static void out_beat(void *ctx, const struct pl_beat *b)
{
	struct vagusd *d = ctx;
	saw_time(d, b->t_ns);
	pub_send(d->pub, proto_topic_find("beat"), b);
	guide_beat(d->guide, b);
}

static void out_hrv(void *ctx, const struct pl_hrv *h)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("hrv"), h);
	guide_hrv(d->guide, h);
}

static void out_resp(void *ctx, const struct pl_resp *r)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("resp"), r);
	if (isfinite(r->r.resp_bpm))
		guide_resp(d->guide, r->t_ns, r->r.resp_bpm);
}

static void out_guide(void *ctx, const struct guide_msg *m)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("guide"), m);
}

static void out_release(void *ctx, const struct guide_release *r)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("release"), r);
}

static void out_hold_long(void *ctx, const struct guide_hold_long *h)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("hold.long"), h);
}

static void out_mark_response(void *ctx, const struct guide_mark_response *r)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("mark.response"), r);
}

static void publish_event(struct vagusd *d, const char *kind, const char *source,
			  const char *detail, const char *data);
static void rec_problem(struct vagusd *d, int rc);

static void out_emg(void *ctx, const struct pl_emg *e)
{
	struct vagusd *d = ctx;
	saw_time(d, e->t_ns);
	pub_send(d->pub, proto_topic_find("emg"), e);
	guide_emg(d->guide, e);
	if (e->r.released) {
		char data[256], detail[128], name[64];
		proto_json_escape(e->r.name, name, sizeof(name));
		snprintf(data, sizeof(data),
			 "{\"channel\":%d,\"name\":\"%s\",\"release_sample\":%lld}",
			 e->r.channel, name, (long long)e->r.release_sample);
		snprintf(detail, sizeof(detail), "%s released", e->r.name);
		publish_event(d, "emg.release", NULL, detail, data);
	}
}

/* Publish an event; data is a JSON object text or NULL. */
static void publish_event(struct vagusd *d, const char *kind, const char *source,
			  const char *detail, const char *data)
{
	memset(&d->ev, 0, sizeof(d->ev));
	d->ev.t_ns = d->loop ? loop_now_ns(d->loop) : 0;
	snprintf(d->ev.kind, sizeof(d->ev.kind), "%s", kind);
	snprintf(d->ev.source, sizeof(d->ev.source), "%s", source ? source : "");
	snprintf(d->ev.detail, sizeof(d->ev.detail), "%s", detail ? detail : "");
	if (data && strlen(data) < sizeof(d->ev.data))
		strcpy(d->ev.data, data);
	if (d->pub)
		pub_send(d->pub, proto_topic_find("event"), &d->ev);
}

static void on_source_event(void *ctx, const char *kind, const char *source,
			    const char *detail)
{
	publish_event(ctx, kind, source, detail, NULL);
}

/* ---------------------------------------------------------------- timers */
static void tick(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
	for (int i = 0; i < d->nsrc; i++)
		source_tick(d->src[i], now_ns);
	if (d->sample_now_ns)
		guide_tick(d->guide, d->sample_now_ns);
}

static void build_status(struct vagusd *d, int64_t now_ns)
{
	struct proto_status *st = &d->status;
	memset(st, 0, sizeof(*st));
	st->t_ns = now_ns;
	snprintf(st->version, sizeof(st->version), "%s", VAGUSD_VERSION);
	st->uptime_s = (double)(now_ns - d->start_ns) * 1e-9;
	size_t len = 0;
	st->sources[len++] = '[';
	for (int i = 0; i < d->nsrc; i++) {
		if (i && len + 1 < sizeof(st->sources))
			st->sources[len++] = ',';
		source_status_json(d->src[i], now_ns, st->sources,
				   sizeof(st->sources) - 1, &len);
		st->dropped_samples += source_samples_missing(d->src[i]);
	}
	st->sources[len++] = ']';
	st->sources[len] = '\0';
	snprintf(st->pub_endpoint, sizeof(st->pub_endpoint), "%s",
		 d->cfg.pub_endpoint);
	snprintf(st->ctl_endpoint, sizeof(st->ctl_endpoint), "%s",
		 d->cfg.ctl_endpoint);
	st->subscribers = pub_subscriptions(d->pub);
	snprintf(st->session, sizeof(st->session), "%s",
		 d->session.active ? d->session.id : "");
}

static void status(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
	build_status(d, now_ns);
	pub_send(d->pub, proto_topic_find("status"), &d->status);
	if (d->sample_now_ns)
		pl_tick(d->pl, d->sample_now_ns);
	if (d->rec)
		rec_problem(d, rec_sync(d->rec));
}

/* ---------------------------------------------------------------- recording */
static int source_index(const struct vagusd *d, const struct source *s)
{
	for (int i = 0; i < d->nsrc; i++)
		if (d->src[i] == s)
			return i;
	return -1;
}

static void rec_problem(struct vagusd *d, int rc)
{
	if (rc >= 0 || d->rec_err_reported || !d->rec)
		return;
	char data[1024];
	if (rec_stats_json(d->rec, data, sizeof(data)) < 0)
		data[0] = '\0';
	d->rec_err_reported = 1;
	vg_warnx("recording: %s (analysis and publishing go on)", vg_strerror(rc));
	publish_event(d, "record.error", NULL, vg_strerror(rc), data[0] ? data : NULL);
}

static void tap_samples(void *ctx, const struct source *s, unsigned ch,
			const float *v, size_t n)
{
	struct vagusd *d = ctx;
	int i = source_index(d, s);
	if (!d->rec || i < 0 || ch >= DRV_MAX_CHANNELS || d->rec_map[i][ch] < 0)
		return;
	rec_problem(d, rec_samples(d->rec, d->rec_map[i][ch], v, n));
}

static void tap_gap(void *ctx, const struct source *s, unsigned ch, uint64_t n)
{
	struct vagusd *d = ctx;
	int i = source_index(d, s);
	if (!d->rec || i < 0 || ch >= DRV_MAX_CHANNELS || d->rec_map[i][ch] < 0)
		return;
	rec_problem(d, rec_gap(d->rec, d->rec_map[i][ch], n));
}

static void tap_message(void *ctx, const char *json, size_t len)
{
	struct vagusd *d = ctx;
	if (d->rec)
		rec_problem(d, rec_message(d->rec, json, len));
}

static void annotate(struct vagusd *d, const char *text)
{
	if (d->rec)
		rec_problem(d, rec_annotation(d->rec, loop_now_ns(d->loop), -1, text));
}

/* Open the session's recording: every channel of every source. */
static int record_start(struct vagusd *d, const char *client, const char *technique)
{
	struct rec_signal sig[REC_MAX_SIGNALS];
	int n = 0;
	for (int i = 0; i < d->nsrc; i++) {
		for (unsigned ch = 0; ch < DRV_MAX_CHANNELS; ch++)
			d->rec_map[i][ch] = -1;
		unsigned nch = source_channel_count(d->src[i]);
		for (unsigned ch = 0; ch < nch && n < REC_MAX_SIGNALS; ch++) {
			const struct drv_channel *c = source_channel(d->src[i], ch);
			sig[n] = (struct rec_signal){ c->label, c->unit, c->transducer,
						      c->prefilter, c->phys_min,
						      c->phys_max, c->rate_hz };
			d->rec_map[i][ch] = n++;
		}
	}
	if (!n)
		return VG_ERR_NOTFOUND;
	struct rec_config rc = { d->cfg.record_dir, client, technique,
				 loop_now_ns(d->loop), sig, n };
	int e = VG_OK;
	d->rec = rec_open(&rc, &e);
	if (!d->rec)
		return e;
	d->rec_err_reported = 0;
	struct source_tap tap = { d, tap_samples, tap_gap };
	for (int i = 0; i < d->nsrc; i++)
		source_set_tap(d->src[i], &tap);
	pub_set_tap(d->pub, tap_message, d);
	return VG_OK;
}

static void record_stop(struct vagusd *d)
{
	if (!d->rec)
		return;
	for (int i = 0; i < d->nsrc; i++)
		source_set_tap(d->src[i], NULL);
	pub_set_tap(d->pub, NULL, NULL);
	rec_close(&d->rec);
}

/* ---------------------------------------------------------------- control */
static int err_msg(char *err, size_t cap, int code, const char *msg)
{
	snprintf(err, cap, "%s", msg);
	return code;
}

static void sanitize(const char *in, char *out, size_t cap)
{
	size_t k = 0;
	for (; *in && k + 1 < cap; in++) {
		char c = *in;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
		out[k++] = ok ? c : '_';
	}
	out[k] = '\0';
}

/* The session's Markdown report next to its recording. */
static void write_summary(struct vagusd *d, const char *id)
{
	if (!d->cfg.record_dir || !d->cfg.record_dir[0])
		return;
	static char md[65536];
	if (guide_summary_markdown(&d->summary, md, sizeof(md)) < 0)
		return;
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.summary.md", d->cfg.record_dir, id);
	FILE *f = fopen(path, "w");
	if (!f || fputs(md, f) < 0 || fclose(f) != 0) {
		if (f)
			fclose(f);
		vg_warn("cannot write %s", path);
		publish_event(d, "record.error", NULL, "cannot write the session summary",
			      NULL);
		return;
	}
	vg_info("session summary in %s", path);
}

static int session_start(struct vagusd *d, const struct ctl_request *req,
			 cJSON *reply, char *err, size_t cap)
{
	struct session *s = &d->session;
	if (s->active)
		return err_msg(err, cap, VG_ERR_STATE, "a session is already running");
	int64_t now = loop_now_ns(d->loop);
	time_t secs = (time_t)(now / 1000000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char stamp[32], client[64];
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	sanitize(req->client, client, sizeof(client));
	memset(s, 0, sizeof(*s));
	s->active = 1;
	snprintf(s->id, sizeof(s->id), "%s_%s", stamp, client);
	snprintf(s->client, sizeof(s->client), "%s", req->client);
	snprintf(s->technique, sizeof(s->technique), "%s", req->technique);
	snprintf(s->notes, sizeof(s->notes), "%s", req->notes);
	s->start_ns = now;
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "session", s->id);
	cJSON_AddStringToObject(data, "client", s->client);
	cJSON_AddStringToObject(data, "technique", s->technique);
	cJSON_AddStringToObject(data, "notes", s->notes);
	if (d->cfg.record_dir && d->cfg.record_dir[0]) {
		int rc = record_start(d, s->client, s->technique);
		if (rc < 0) {
			vg_warnx("session %s: cannot record in %s: %s", s->id,
				 d->cfg.record_dir, vg_strerror(rc));
			publish_event(d, "record.error", NULL, "cannot open the recording",
				      NULL);
		} else {
			cJSON_AddStringToObject(data, "edf", rec_edf_path(d->rec));
			cJSON_AddStringToObject(data, "jsonl", rec_jsonl_path(d->rec));
			cJSON_AddStringToObject(reply, "edf", rec_edf_path(d->rec));
		}
	}
	guide_session_start(d->guide, s->id, sample_now(d));
	pl_reset_baseline(d->pl); /* calm is relative to this client's session */
	char *txt = cJSON_PrintUnformatted(data);
	publish_event(d, "session.start", NULL, s->id, txt);
	cJSON_free(txt);
	cJSON_Delete(data);
	cJSON_AddStringToObject(reply, "session", s->id);
	return VG_OK;
}

static int session_stop(struct vagusd *d, cJSON *reply, char *err, size_t cap)
{
	struct session *s = &d->session;
	if (!s->active)
		return err_msg(err, cap, VG_ERR_STATE, "no session is running");
	double dur = (double)(loop_now_ns(d->loop) - s->start_ns) * 1e-9;
	char data[256];
	snprintf(data, sizeof(data), "{\"session\":\"%s\",\"duration_s\":%.1f,\"marks\":%d}",
		 s->id, dur, s->marks);
	publish_event(d, "session.stop", NULL, s->id, data);
	if (guide_session_stop(d->guide, sample_now(d), &d->summary) == VG_OK) {
		static char sj[sizeof(((struct proto_event *)0)->data)];
		if (guide_summary_json(&d->summary, sj, sizeof(sj)) >= 0)
			publish_event(d, "session.summary", NULL, s->id, sj);
		write_summary(d, s->id);
	}
	record_stop(d);
	cJSON_AddStringToObject(reply, "session", s->id);
	cJSON_AddNumberToObject(reply, "duration_s", dur);
	cJSON_AddNumberToObject(reply, "marks", s->marks);
	s->active = 0;
	return VG_OK;
}

static int mark(struct vagusd *d, const struct ctl_request *req, cJSON *reply)
{
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "label", req->label);
	cJSON_AddStringToObject(data, "region", req->region);
	cJSON_AddStringToObject(data, "pressure", req->pressure);
	cJSON_AddStringToObject(data, "session", d->session.active ? d->session.id : "");
	char *txt = cJSON_PrintUnformatted(data);
	publish_event(d, "mark", NULL, req->label, txt);
	char note[256];
	snprintf(note, sizeof(note), "mark %.100s%s%.60s%s%.20s", req->label,
		 req->region[0] ? " @" : "", req->region, req->pressure[0] ? " " : "",
		 req->pressure);
	annotate(d, note);
	cJSON_free(txt);
	cJSON_Delete(data);
	if (d->session.active)
		d->session.marks++;
	char t[32];
	snprintf(t, sizeof(t), "%" PRId64, loop_now_ns(d->loop));
	cJSON_AddRawToObject(reply, "t_ns", t); /* exact: a double cannot hold it */
	return VG_OK;
}

/* Attach the JSON of an encoded message as reply[key]. */
static int attach_json(cJSON *reply, const char *key, const char *json)
{
	cJSON *j = cJSON_Parse(json);
	if (!j)
		return VG_ERR_PARSE;
	cJSON_AddItemToObject(reply, key, j);
	return VG_OK;
}

static int config_get(struct vagusd *d, cJSON *reply)
{
	cJSON *c = cJSON_AddObjectToObject(reply, "config");
	cJSON_AddStringToObject(c, "pub", d->cfg.pub_endpoint);
	cJSON_AddStringToObject(c, "ctl", d->cfg.ctl_endpoint);
	cJSON_AddStringToObject(c, "room", d->cfg.room ? d->cfg.room : "");
	cJSON *src = cJSON_AddArrayToObject(c, "sources");
	for (int i = 0; i < d->cfg.nsources; i++)
		cJSON_AddItemToArray(src, cJSON_CreateString(d->cfg.sources[i]));
	cJSON *w = cJSON_AddArrayToObject(c, "hrv_windows_s");
	for (int i = 0; i < 4 && d->cfg.hrv_windows_s[i] > 0; i++)
		cJSON_AddItemToArray(w, cJSON_CreateNumber(d->cfg.hrv_windows_s[i]));
	cJSON_AddNumberToObject(c, "stall_timeout_s", d->cfg.stall_timeout_s);
	return VG_OK;
}

static int on_request(void *ctx, const struct ctl_request *req, cJSON *reply,
		      char *err, size_t cap)
{
	struct vagusd *d = ctx;
	static char buf[PROTO_MSG_MAX];
	switch (req->cmd) {
	case CTL_PING:
		cJSON_AddStringToObject(reply, "version", VAGUSD_VERSION);
		return VG_OK;
	case CTL_STATUS:
	case CTL_SOURCES: {
		build_status(d, loop_now_ns(d->loop));
		if (req->cmd == CTL_SOURCES)
			return attach_json(reply, "sources", d->status.sources);
		int n = proto_encode(proto_topic_find("status"), 0, d->cfg.room,
				     &d->status, buf, sizeof(buf));
		return n < 0 ? n : attach_json(reply, "status", buf);
	}
	case CTL_SESSION_START:
		return session_start(d, req, reply, err, cap);
	case CTL_SESSION_STOP:
		return session_stop(d, reply, err, cap);
	case CTL_MARK:
		return mark(d, req, reply);
	case CTL_CONFIG_GET:
		return config_get(d, reply);
	case CTL_BASELINE_START:
		pl_reset_baseline(d->pl);
		cJSON_AddNumberToObject(reply, "baseline_s", CALM_DEFAULT_BASELINE_S);
		publish_event(d, "baseline.start", NULL,
			      "calm baseline is captured from now", NULL);
		return VG_OK;
	case CTL_PACER_SET: {
		char spec[96];
		if (!strcmp(req->pattern, "custom")) {
			if (isnan(req->inhale_s) || isnan(req->exhale_s))
				return err_msg(err, cap, VG_ERR_INVAL,
					       "custom needs inhale_s and exhale_s");
			snprintf(spec, sizeof(spec), "%g-%g-%g-%g", req->inhale_s,
				 isnan(req->hold_in_s) ? 0 : req->hold_in_s, req->exhale_s,
				 isnan(req->hold_out_s) ? 0 : req->hold_out_s);
		} else if (!strcmp(req->pattern, "follow") && !isnan(req->target_bpm)) {
			snprintf(spec, sizeof(spec), "follow:%g", req->target_bpm);
		} else {
			snprintf(spec, sizeof(spec), "%s", req->pattern);
		}
		struct pacer_cfg pc;
		if (pacer_parse(spec, &pc) < 0 ||
		    guide_pacer_set(d->guide, &pc, sample_now(d)) < 0)
			return err_msg(err, cap, VG_ERR_INVAL, "pacer pattern refused");
		cJSON_AddStringToObject(reply, "pacer", spec);
		publish_event(d, "pacer.set", NULL, spec, NULL);
		return VG_OK;
	}
	case CTL_PROFILE_SET:
		if (guide_profile_set(d->guide, req->profile) < 0)
			return err_msg(err, cap, VG_ERR_INVAL, "unknown profile");
		publish_event(d, "profile.set", NULL, req->profile, NULL);
		return VG_OK;
	case CTL_CALIBRATE: {
		enum emg_cal kind = !strcmp(req->kind, "rest") ? EMG_CAL_REST
							       : EMG_CAL_REFERENCE;
		double secs = isnan(req->seconds) ? 5.0 : req->seconds;
		int rc = pl_emg_calibrate(d->pl, req->channel, kind, secs);
		if (rc == VG_ERR_NOTFOUND)
			return err_msg(err, cap, rc, "no such EMG channel");
		if (rc < 0)
			return err_msg(err, cap, rc, "calibration refused");
		cJSON_AddNumberToObject(reply, "channel", req->channel);
		cJSON_AddNumberToObject(reply, "seconds", secs);
		return VG_OK;
	}
	case CTL_HOLD_START:
	case CTL_HOLD_STOP: {
		int start = req->cmd == CTL_HOLD_START;
		int ch = req->region[0] ? pl_emg_find(d->pl, req->region) : -1;
		if (start && req->region[0] && ch < 0)
			return err_msg(err, cap, VG_ERR_NOTFOUND,
				       "no EMG channel for that region");
		int n = pl_emg_channels(d->pl);
		for (int c = 0; c < n; c++)
			if (ch < 0 || c == ch)
				pl_emg_hold(d->pl, c, start);
		if (start)
			guide_hold_start(d->guide, req->technique, req->region, sample_now(d));
		else
			guide_hold_stop(d->guide, sample_now(d));
		char data[1024], tech[400], reg[400];
		proto_json_escape(req->technique, tech, sizeof(tech));
		proto_json_escape(req->region, reg, sizeof(reg));
		snprintf(data, sizeof(data), "{\"technique\":\"%s\",\"region\":\"%s\"}",
			 tech, reg);
		publish_event(d, start ? "hold.start" : "hold.stop", NULL,
			      req->technique, start ? data : NULL);
		char note[160];
		snprintf(note, sizeof(note), "%s %.60s %.60s", start ? "hold" : "hold end",
			 req->technique, req->region);
		annotate(d, note);
		return VG_OK;
	}
	default:
		snprintf(err, cap, "'%s' is not available in this build yet",
			 ctl_cmd_name(req->cmd));
		return VG_ERR_NOTSUP;
	}
}

/* Start one source; 0 or VG_ERR_*. */
static int add_source(struct vagusd *d, const char *spec, const char *extra)
{
	int e = VG_ERR_RANGE;
	if (d->nsrc >= VAGUSD_MAX_SOURCES)
		return e;
	struct source_host host = { d, on_source_event };
	struct source *s = source_new(spec, extra, d->pl, &host, loop_now_ns(d->loop), &e);
	if (!s)
		return e;
	if (d->cfg.stall_timeout_s > 0)
		source_set_stall_timeout(s, (int64_t)(d->cfg.stall_timeout_s * 1e9));
	struct loop_poller sp = source_poller(s);
	if ((e = loop_add_poller(d->loop, &sp)) < 0) {
		source_destroy(&s);
		return e;
	}
	snprintf(d->src_spec[d->nsrc], AUTO_SPEC_MAX, "%s", spec);
	d->src[d->nsrc++] = s;
	return VG_OK;
}

/* --source auto: start sources for newly attached known devices. */
static void autoscan(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
	(void)now_ns;
	if (!d->auto_on)
		return;
	char specs[VAGUSD_MAX_SOURCES][AUTO_SPEC_MAX];
	int n = autodetect_specs(specs, VAGUSD_MAX_SOURCES, d->auto_opts);
	int started = 0;
	for (int i = 0; i < n; i++) {
		int known = 0;
		for (int k = 0; k < d->nsrc; k++)
			known |= !strcmp(d->src_spec[k], specs[i]);
		if (known)
			continue;
		if (add_source(d, specs[i], NULL) == VG_OK) {
			publish_event(d, "source.detected", NULL, specs[i], NULL);
			started++;
		}
	}
	if (!started && !d->nsrc && !d->auto_reported) {
		vg_warnx("auto: no known sensor attached; watching for one");
		publish_event(d, "source.searching", NULL,
			      "no known sensor attached; watching for one", NULL);
		d->auto_reported = 1;
	}
}

/* ---------------------------------------------------------------- life */
struct vagusd *vagusd_new(const struct vagusd_config *cfg, int *err)
{
	int e = VG_ERR_NOMEM;
	struct vagusd *d = calloc(1, sizeof(*d));
	if (!d)
		goto fail;
	d->cfg = *cfg;
	if (!d->cfg.pub_endpoint)
		d->cfg.pub_endpoint = "tcp://127.0.0.1:5560";
	if (!d->cfg.ctl_endpoint)
		d->cfg.ctl_endpoint = "tcp://127.0.0.1:5561";
	if (d->cfg.nsources == 0) {
		d->cfg.sources[0] = "sim";
		d->cfg.nsources = 1;
	}
	d->loop = loop_new(&e);
	if (!d->loop)
		goto fail;
	if (d->cfg.record_dir && d->cfg.record_dir[0]) {
		int n = rec_repair_dir(d->cfg.record_dir);
		if (n > 0)
			vg_info("repaired %d unfinished recording(s) in %s", n,
				d->cfg.record_dir);
		else if (n < 0)
			vg_warnx("recording directory %s: %s", d->cfg.record_dir,
				 vg_strerror(n));
	}
	d->start_ns = loop_now_ns(d->loop);
	int have_key = d->cfg.secret_key_file && d->cfg.secret_key_file[0];
	const char *eps[2] = { d->cfg.pub_endpoint, d->cfg.ctl_endpoint };
	if ((e = sec_check_policy(eps, 2, have_key, d->cfg.insecure)) < 0)
		goto fail;
	e = VG_ERR_IO;
	d->zctx = zmq_ctx_new();
	if (!d->zctx)
		goto fail;
	if (have_key) {
		d->sec = sec_new(d->zctx, d->cfg.secret_key_file, d->cfg.clients,
				 d->cfg.nclients, &e);
		if (!d->sec)
			goto fail;
		struct loop_poller zp = sec_poller(d->sec);
		if ((e = loop_add_poller(d->loop, &zp)) < 0)
			goto fail;
	}
	d->pub = pub_new(d->zctx, d->cfg.pub_endpoint, d->cfg.room, d->sec, &e);
	if (!d->pub)
		goto fail;
	struct pl_config pc = { .windows_s = { 0 } };
	memcpy(pc.windows_s, d->cfg.hrv_windows_s, sizeof(pc.windows_s));
	struct guide_output go = { d, out_guide, out_release, out_hold_long,
				   out_mark_response };
	d->guide = guide_new(NULL, &go, &e);
	if (!d->guide)
		goto fail;
	struct pl_output po = { d, out_beat, out_hrv, out_emg, out_resp };
	d->pl = pl_new(&pc, &po, &e);
	if (!d->pl)
		goto fail;
	for (int i = 0; i < d->cfg.nsources; i++) {
		const char *spec = d->cfg.sources[i];
		if (!strncmp(spec, "auto", 4) && (spec[4] == '\0' || spec[4] == ',')) {
			d->auto_on = 1;
			snprintf(d->auto_opts, sizeof(d->auto_opts), "%s",
				 spec[4] ? spec + 5 : "");
			continue;
		}
		int is_sim = strncmp(spec, "sim", 3) == 0 &&
			     (spec[3] == '\0' || spec[3] == ',' || spec[3] == ':');
		if ((e = add_source(d, spec, is_sim ? d->cfg.sim_options : NULL)) < 0)
			goto fail;
	}
	d->ctl = ctl_server_new(d->zctx, d->cfg.ctl_endpoint, on_request, d, &e);
	if (!d->ctl)
		goto fail;
	if ((e = sec_apply(d->sec, ctl_server_socket(d->ctl), "ctl")) < 0)
		goto fail;
	if (zmq_bind(ctl_server_socket(d->ctl), d->cfg.ctl_endpoint) != 0) {
		vg_err("cannot bind control channel to %s: %s", d->cfg.ctl_endpoint,
		       zmq_strerror(errno));
		e = VG_ERR_BUSY;
		goto fail;
	}
	sec_after_bind(d->cfg.ctl_endpoint);
	struct loop_poller cp = ctl_server_poller(d->ctl);
	if ((e = loop_add_poller(d->loop, &cp)) < 0)
		goto fail;
	struct loop_poller pp = pub_poller(d->pub);
	if ((e = loop_add_poller(d->loop, &pp)) < 0 ||
	    (e = loop_add_timer(d->loop, TICK_NS, tick, d)) < 0 ||
	    (e = loop_add_timer(d->loop, STATUS_NS, status, d)) < 0 ||
	    (d->auto_on && (e = loop_add_timer(d->loop, AUTOSCAN_NS, autoscan, d)) < 0))
		goto fail;
	vg_info("vagusd %s publishing on %s with %d source(s)", VAGUSD_VERSION,
		d->cfg.pub_endpoint, d->nsrc);
	return d;
fail:
	vagusd_destroy(&d);
	if (err)
		*err = e;
	return NULL;
}

void vagusd_destroy(struct vagusd **dp)
{
	if (!dp || !*dp)
		return;
	struct vagusd *d = *dp;
	record_stop(d);
	for (int i = 0; i < d->nsrc; i++)
		source_destroy(&d->src[i]);
	pl_destroy(&d->pl);
	guide_destroy(&d->guide);
	ctl_server_destroy(&d->ctl);
	pub_destroy(&d->pub);
	sec_destroy(&d->sec);
	if (d->zctx)
		zmq_ctx_term(d->zctx);
	loop_destroy(&d->loop);
	free(d);
	*dp = NULL;
}

int vagusd_run(struct vagusd *d)
{
	return loop_run(d->loop);
}

void vagusd_stop(struct vagusd *d)
{
	loop_stop(d->loop);
}
