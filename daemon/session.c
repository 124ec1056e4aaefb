/*
 * session.c - sessions of the daemon: start/stop, marks, the session's
 * recording (EDF+ and JSON lines through record.c, fed by taps on the
 * sources and the publisher) and its summary (guide.c) as an event and a
 * Markdown report next to the recording.
 */
#include "vagusd_int.h"
#include "vg_err.h"
#include "vg_log.h"
#include "calm.h"
#include "loop.h"
#include "pipeline.h"
#include "publish.h"
#include "record.h"
#include "source.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int source_index(const struct vagusd *d, const struct source *s)
{
	for (int i = 0; i < d->nsrc; i++)
		if (d->src[i] == s)
			return i;
	return -1;
}

void vd_rec_problem(struct vagusd *d, int rc)
{
	if (rc >= 0 || d->rec_err_reported || !d->rec)
		return;
	char data[1024];
	if (rec_stats_json(d->rec, data, sizeof(data)) < 0)
		data[0] = '\0';
	d->rec_err_reported = 1;
	vg_warnx("recording: %s (analysis and publishing go on)", vg_strerror(rc));
	vd_publish_event(d, "record.error", NULL, vg_strerror(rc), data[0] ? data : NULL);
}

static void tap_samples(void *ctx, const struct source *s, unsigned ch,
			const float *v, size_t n)
{
	struct vagusd *d = ctx;
	int i = source_index(d, s);
	if (!d->rec || i < 0 || ch >= DRV_MAX_CHANNELS || d->rec_map[i][ch] < 0)
		return;
	vd_rec_problem(d, rec_samples(d->rec, d->rec_map[i][ch], v, n));
}

static void tap_gap(void *ctx, const struct source *s, unsigned ch, uint64_t n)
{
	struct vagusd *d = ctx;
	int i = source_index(d, s);
	if (!d->rec || i < 0 || ch >= DRV_MAX_CHANNELS || d->rec_map[i][ch] < 0)
		return;
	vd_rec_problem(d, rec_gap(d->rec, d->rec_map[i][ch], n));
}

static void tap_message(void *ctx, const char *json, size_t len)
{
	struct vagusd *d = ctx;
	if (d->rec)
		vd_rec_problem(d, rec_message(d->rec, json, len));
}

void vd_annotate(struct vagusd *d, const char *text)
{
	if (d->rec)
		vd_rec_problem(d, rec_annotation(d->rec, loop_now_ns(d->loop), -1, text));
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
						      c->phys_max, c->rate_hz,
						      rec_type_of_kind(c->kind) };
			d->rec_map[i][ch] = n++;
		}
	}
	if (!n)
		return VG_ERR_NOTFOUND;
	struct rec_config rc = { .dir = d->cfg.record_dir, .client = client,
				 .technique = technique, .start_ns = loop_now_ns(d->loop),
				 .signals = sig, .nsig = n };
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

/* 1 Hz: push the recording's buffered data to disk. */
static void rec_sync_timer(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
	(void)now_ns;
	if (d->rec)
		vd_rec_problem(d, rec_sync(d->rec));
}

int vd_session_attach(struct vagusd *d)
{
	int e = loop_add_timer(d->loop, STATUS_NS, rec_sync_timer, d);
	return e < 0 ? e : VG_OK;
}

void vd_record_stop(struct vagusd *d)
{
	if (!d->rec)
		return;
	for (int i = 0; i < d->nsrc; i++)
		source_set_tap(d->src[i], NULL);
	pub_set_tap(d->pub, NULL, NULL);
	rec_close(&d->rec);
}

/* ---------------------------------------------------------------- sessions */
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
	if (d->rec) { /* beside the recording: same pseudonymous name, 0600 */
		int e = rec_write_summary(d->rec, md);
		if (e < 0)
			vd_publish_event(d, "record.error", NULL, vg_strerror(e), NULL);
		return;
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.summary.md", d->cfg.record_dir, id);
	FILE *f = fopen(path, "w");
	int bad = !f || fputs(md, f) < 0;
	if (f && fclose(f) != 0) /* once: a second fclose is a double free */
		bad = 1;
	if (bad) {
		vg_warn("cannot write %s", path);
		vd_publish_event(d, "record.error", NULL, "cannot write the session summary",
			      NULL);
		return;
	}
	vg_info("session summary in %s", path);
}

int vd_session_start(struct vagusd *d, const struct ctl_request *req,
			 cJSON *reply, char *err, size_t cap)
{
	struct session *s = &d->session;
	if (s->active)
		return vd_err_msg(err, cap, VG_ERR_STATE, "a session is already running");
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
			vd_publish_event(d, "record.error", NULL, "cannot open the recording",
				      NULL);
		} else {
			cJSON_AddStringToObject(data, "edf", rec_edf_path(d->rec));
			cJSON_AddStringToObject(data, "jsonl", rec_jsonl_path(d->rec));
			cJSON_AddStringToObject(reply, "edf", rec_edf_path(d->rec));
		}
	}
	guide_session_start(d->guide, s->id, vd_sample_now(d));
	pl_reset_baseline(d->pl); /* calm is relative to this client's session */
	char *txt = cJSON_PrintUnformatted(data);
	vd_publish_event(d, "session.start", NULL, s->id, txt);
	cJSON_free(txt);
	cJSON_Delete(data);
	cJSON_AddStringToObject(reply, "session", s->id);
	return VG_OK;
}

int vd_session_stop(struct vagusd *d, cJSON *reply, char *err, size_t cap)
{
	struct session *s = &d->session;
	if (!s->active)
		return vd_err_msg(err, cap, VG_ERR_STATE, "no session is running");
	double dur = (double)(loop_now_ns(d->loop) - s->start_ns) * 1e-9;
	char data[256];
	snprintf(data, sizeof(data), "{\"session\":\"%s\",\"duration_s\":%.1f,\"marks\":%d}",
		 s->id, dur, s->marks);
	vd_publish_event(d, "session.stop", NULL, s->id, data);
	if (guide_session_stop(d->guide, vd_sample_now(d), &d->summary) == VG_OK) {
		static char sj[sizeof(((struct proto_event *)0)->data)];
		if (guide_summary_json(&d->summary, sj, sizeof(sj)) >= 0)
			vd_publish_event(d, "session.summary", NULL, s->id, sj);
		write_summary(d, s->id);
	}
	vd_record_stop(d);
	cJSON_AddStringToObject(reply, "session", s->id);
	cJSON_AddNumberToObject(reply, "duration_s", dur);
	cJSON_AddNumberToObject(reply, "marks", s->marks);
	s->active = 0;
	return VG_OK;
}

int vd_mark(struct vagusd *d, const struct ctl_request *req, cJSON *reply)
{
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "label", req->label);
	cJSON_AddStringToObject(data, "region", req->region);
	cJSON_AddStringToObject(data, "pressure", req->pressure);
	cJSON_AddStringToObject(data, "session", d->session.active ? d->session.id : "");
	char *txt = cJSON_PrintUnformatted(data);
	vd_publish_event(d, "mark", NULL, req->label, txt);
	char note[256];
	snprintf(note, sizeof(note), "mark %.100s%s%.60s%s%.20s", req->label,
		 req->region[0] ? " @" : "", req->region, req->pressure[0] ? " " : "",
		 req->pressure);
	vd_annotate(d, note);
	cJSON_free(txt);
	cJSON_Delete(data);
	if (d->session.active)
		d->session.marks++;
	char t[32];
	snprintf(t, sizeof(t), "%" PRId64, loop_now_ns(d->loop));
	cJSON_AddRawToObject(reply, "t_ns", t); /* exact: a double cannot hold it */
	return VG_OK;
}

