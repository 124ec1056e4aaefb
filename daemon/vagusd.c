/*
 * vagusd.c - the daemon's core (see vagusd_int.h): the pipeline's and the
 * guide's outputs to the publisher, events, the sample clock, the timers
 * (source ticks, 1 Hz status), the sources and --source auto.
 *
 * Problem: sessions (session.c) and control requests (commands.c) need the
 * core's publisher and clocks; if the core also called them the three would
 * be one knot (issue 13).
 * Approach: the core is the bottom layer and calls nobody above it;
 * commands.c calls session.c and the core, session.c calls the core, and
 * daemon.c (vagusd_new/destroy) assembles the three in that order.
 * Limits: VAGUSD_MAX_SOURCES sources.
 */
#include "vagusd_int.h"
#include "autodetect.h"
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


/* ---------------------------------------------------------------- output */
static void saw_time(struct vagusd *d, int64_t t_ns)
{
	if (t_ns > d->sample_now_ns)
		d->sample_now_ns = t_ns;
}

int64_t vd_sample_now(const struct vagusd *d)
{
	int64_t t = d->sample_now_ns;
	int64_t wall = d->loop ? loop_now_ns(d->loop) : 0;
	int have = 0;
	for (int i = 0; i < d->nsrc; i++) {
		int64_t s = source_signal_ns(d->src[i], wall);
		if (s == INT64_MIN)
			continue;
		have = 1;
		if (s > t)
			t = s;
	}
	if (!have && wall > t) /* beat-only sources: beats carry the loop's time */
		t = wall;
	return t;
}

/* ---------------------------------------------------------------- recording */
void vd_rec_problem(struct vagusd *d, int rc)
{
	if (rc >= 0 || d->rec_err_reported || !d->rec)
		return;
	char data[1024];
	if (rec_stats_json(d->rec, data, sizeof(data)) < 0)
		data[0] = '\0';
	d->rec_err_reported = 1;
	vg_warnx("recording: %s (analysis and publishing go on)", vg_strerror(rc));
	snprintf(d->rec_note, sizeof(d->rec_note), "recording failed: %s", vg_strerror(rc));
	d->rec_failed = 1;
	vd_publish_event(d, "record.error", NULL, vg_strerror(rc), data[0] ? data : NULL);
}

void vd_annotate_at(struct vagusd *d, int64_t t_ns, double duration_s, const char *text)
{
	if (d->rec)
		vd_rec_problem(d, rec_annotation(d->rec, t_ns, duration_s, text));
}

void vd_annotate(struct vagusd *d, const char *text)
{
	vd_annotate_at(d, vd_sample_now(d), -1, text);
}

/* Beat-only sessions: the HR channel, one sample every 1/4 s of signal
 * (the newest beat's HR, filler when none came in the last 3 s). */
static void record_hr(struct vagusd *d, int64_t now_ns)
{
	if (!d->rec || d->rec_hr_sig < 0)
		return;
	float v[64];
	size_t n = 0;
	int64_t step = (int64_t)(1e9 / 4.0);
	while (d->rec_hr_next_ns + step <= now_ns && n < 64) {
		int fresh = isfinite(d->last_hr_bpm) &&
			    d->rec_hr_next_ns - d->last_hr_ns < 3000000000LL &&
			    d->last_hr_ns <= d->rec_hr_next_ns + step;
		v[n++] = fresh ? (float)d->last_hr_bpm : NAN;
		d->rec_hr_next_ns += step;
	}
	if (n)
		vd_rec_problem(d, rec_samples(d->rec, d->rec_hr_sig, v, n));
}

static void out_beat(void *ctx, const struct pl_beat *b)
{
	struct vagusd *d = ctx;
	saw_time(d, b->t_ns);
	pub_send(d->pub, proto_topic_find("beat"), b);
	guide_beat(d->guide, b);
	if (isfinite(b->hr_bpm)) {
		d->last_hr_bpm = b->hr_bpm;
		d->last_hr_ns = b->t_ns;
	}
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
	char note[128];
	snprintf(note, sizeof(note), "release %.40s %.0f%%", r->region, -r->drop_pct);
	/* from where the drop began to its confirmation */
	vd_annotate_at(d, r->drop_t_ns, (double)(r->t_ns - r->drop_t_ns) * 1e-9, note);
}

static void out_hold_long(void *ctx, const struct guide_hold_long *h)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("hold.long"), h);
	char note[128];
	snprintf(note, sizeof(note), "hold long %.30s %.40s", h->technique, h->region);
	vd_annotate_at(d, h->t_ns, -1, note);
}

static void out_mark_response(void *ctx, const struct guide_mark_response *r)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("mark.response"), r);
	char note[128];
	snprintf(note, sizeof(note), "response %.60s", r->label);
	/* over the span the response measures: the mark to mark + 30 s */
	vd_annotate_at(d, r->mark_t_ns, (double)(r->t_ns - r->mark_t_ns) * 1e-9, note);
}

/* A number for JSON text: v with dec decimals, or null. */
static const char *jnum(char buf[32], double v, int dec)
{
	if (isfinite(v))
		snprintf(buf, 32, "%.*f", dec, v);
	else
		snprintf(buf, 32, "null");
	return buf;
}

/* ---------------------------------------------------------------- calibration */
void vd_calibration_result(struct vagusd *d, int ch, int kind, double level_uv,
			   int accepted, const char *why)
{
	const char *kname = kind == EMG_CAL_REST ? "rest" : "reference";
	const char *region = guide_region_name(d->guide, ch);
	double rest = NAN, ref = NAN;
	pl_emg_get_calibration(d->pl, ch, &rest, &ref);
	struct guide_cal c;
	memset(&c, 0, sizeof(c));
	c.t_ns = vd_sample_now(d);
	c.channel = ch;
	snprintf(c.region, sizeof(c.region), "%s", region);
	snprintf(c.kind, sizeof(c.kind), "%s", kname);
	c.level_uv = level_uv;
	c.accepted = accepted;
	snprintf(c.why, sizeof(c.why), "%s", why ? why : "");
	guide_calibration(d->guide, &c);
	char data[1024], reg[96], w[400], detail[512], n1[32], n2[32], n3[32];
	proto_json_escape(region, reg, sizeof(reg));
	proto_json_escape(c.why, w, sizeof(w));
	snprintf(data, sizeof(data),
		 "{\"channel\":%d,\"region\":\"%s\",\"kind\":\"%s\",\"accepted\":%s,"
		 "\"level_uv\":%s,\"rest_uv\":%s,\"reference_uv\":%s,\"why\":\"%s\"}",
		 ch, reg, kname, accepted ? "true" : "false", jnum(n1, level_uv, 2),
		 jnum(n2, rest, 2), jnum(n3, ref, 2), w);
	if (accepted)
		snprintf(detail, sizeof(detail), "%s calibration of %s done: %.1f uV", kname,
			 region[0] ? region : "the channel", level_uv);
	else
		snprintf(detail, sizeof(detail), "%s calibration refused: %s", kname, c.why);
	vd_publish_event(d, accepted ? "calibration.done" : "calibration.refused", NULL,
			 detail, data);
	char note[128];
	snprintf(note, sizeof(note), "calibration %s %s %.30s", kname,
		 accepted ? "done" : "refused", region);
	vd_annotate_at(d, c.t_ns, -1, note);
}

/* A calibration ends when its channel's results stop saying `calibrating`. */
static void calibration_watch(struct vagusd *d, const struct pl_emg *e)
{
	int ch = e->r.channel;
	if (ch < 0 || ch >= GUIDE_MAX_REGIONS || !d->cal[ch].active)
		return;
	struct vd_cal *c = &d->cal[ch];
	if (e->r.calibrating != EMG_CAL_NONE) {
		c->seen = 1;
		return;
	}
	if (!c->seen)
		return;
	c->active = 0;
	double rest = NAN, ref = NAN;
	pl_emg_get_calibration(d->pl, ch, &rest, &ref);
	if (c->kind == EMG_CAL_REST) {
		char why[192];
		if (guide_rest_check(d->guide, ch, rest, c->prev_ref_uv, e->t_ns, why,
				     sizeof(why))) {
			pl_emg_set_calibration(d->pl, ch, c->prev_rest_uv, c->prev_ref_uv);
			vd_calibration_result(d, ch, c->kind, rest, 0, why);
			return;
		}
		vd_calibration_result(d, ch, c->kind, rest, 1, NULL);
	} else {
		vd_calibration_result(d, ch, c->kind, ref, 1, NULL);
	}
}


static void out_emg(void *ctx, const struct pl_emg *e)
{
	struct vagusd *d = ctx;
	saw_time(d, e->t_ns);
	pub_send(d->pub, proto_topic_find("emg"), e);
	guide_emg(d->guide, e);
	calibration_watch(d, e);
	if (e->r.released) {
		char data[256], detail[128], name[64];
		proto_json_escape(e->r.name, name, sizeof(name));
		snprintf(data, sizeof(data),
			 "{\"channel\":%d,\"name\":\"%s\",\"release_sample\":%lld}",
			 e->r.channel, name, (long long)e->r.release_sample);
		snprintf(detail, sizeof(detail), "%s released", e->r.name);
		vd_publish_event(d, "emg.release", NULL, detail, data);
	}
}

/* Publish an event; data is a JSON object text or NULL. */
void vd_publish_event(struct vagusd *d, const char *kind, const char *source,
			  const char *detail, const char *data)
{
	memset(&d->ev, 0, sizeof(d->ev));
	d->ev.t_ns = vd_sample_now(d); /* the signal clock, as every other time */
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
	vd_publish_event(ctx, kind, source, detail, NULL);
}

/* ---------------------------------------------------------------- timers */
static void tick(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
	for (int i = 0; i < d->nsrc; i++)
		source_tick(d->src[i], now_ns);
	if (!d->sample_now_ns)
		return;
	int64_t t = vd_sample_now(d);
	guide_tick(d->guide, t);
	record_hr(d, t);
	struct guide_span b;
	if (d->baseline_pending && guide_baseline_result(d->guide, &b)) {
		d->baseline_pending = 0;
		char data[1024], detail[256], n1[32], n2[32], n3[32];
		size_t n = (size_t)snprintf(data, sizeof(data),
			"{\"seconds\":%.1f,\"hr_bpm\":%s,\"rmssd_ms\":%s,"
			"\"resp_bpm\":%s,\"emg\":[", d->baseline_s, jnum(n1, b.hr_bpm, 2),
			jnum(n2, b.rmssd_ms, 2), jnum(n3, b.resp_bpm, 2));
		for (int c = 0; c < pl_emg_channels(d->pl) && c < GUIDE_MAX_REGIONS &&
		     n < sizeof(data); c++) {
			char reg[96];
			proto_json_escape(guide_region_name(d->guide, c), reg, sizeof(reg));
			n += (size_t)snprintf(data + n, sizeof(data) - n,
					      "%s{\"region\":\"%s\",\"uv\":%s}", c ? "," : "",
					      reg, jnum(n1, b.emg_uv[c], 2));
		}
		if (n < sizeof(data))
			snprintf(data + n, sizeof(data) - n, "]}");
		snprintf(detail, sizeof(detail), "baseline captured (%.0f s): HR %s bpm, "
			 "RMSSD %s ms", d->baseline_s, jnum(n1, b.hr_bpm, 0), jnum(n2, b.rmssd_ms, 0));
		vd_publish_event(d, "baseline.done", NULL, detail, data);
		vd_annotate(d, "baseline done");
	}
}

void vd_build_status(struct vagusd *d, int64_t now_ns)
{
	struct proto_status *st = &d->status;
	memset(st, 0, sizeof(*st));
	st->t_ns = vd_sample_now(d); /* the signal clock (uptime_s is the loop's) */
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
	st->recording = d->rec != NULL;
	if (d->rec) {
		const char *edf = rec_edf_path(d->rec);
		size_t n = strlen(edf);
		if (n > 4 && !strcmp(edf + n - 4, ".edf"))
			n -= 4;
		snprintf(st->record_path, sizeof(st->record_path), "%.*s", (int)n, edf);
	}
	for (int i = 0; i < d->nsrc; i++)
		st->simulated |= source_is_simulated(d->src[i]);
	st->session_elapsed_s = d->session.active
		? (double)(st->t_ns - d->session.start_ns) * 1e-9 : NAN;
	if (d->rec || !d->cfg.record_dir || !d->cfg.record_dir[0] || d->session.active ||
	    d->rec_failed)
		snprintf(st->record_note, sizeof(st->record_note), "%s", d->rec_note);
	else
		snprintf(st->record_note, sizeof(st->record_note),
			 "sessions are recorded in %s", d->cfg.record_dir);
}

static void status(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
	vd_build_status(d, now_ns);
	pub_send(d->pub, proto_topic_find("status"), &d->status);
	if (d->sample_now_ns)
		pl_tick(d->pl, d->sample_now_ns);
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
			vd_publish_event(d, "source.detected", NULL, specs[i], NULL);
			started++;
		}
	}
	if (!started && !d->nsrc && !d->auto_reported) {
		vg_warnx("auto: no known sensor attached; watching for one");
		vd_publish_event(d, "source.searching", NULL,
			      "no known sensor attached; watching for one", NULL);
		d->auto_reported = 1;
	}
}

/* ---------------------------------------------------------------- life */
int vd_core_open(struct vagusd *d, const struct vagusd_config *cfg)
{
	int e = VG_ERR_NOMEM;
	d->cfg = *cfg;
	if (!d->cfg.pub_endpoint)
		d->cfg.pub_endpoint = "tcp://127.0.0.1:5560";
	if (!d->cfg.ctl_endpoint)
		d->cfg.ctl_endpoint = "tcp://127.0.0.1:5561";
	if (d->cfg.nsources == 0) {
		vg_warnx("no source named: give --source sim, --source auto or a device");
		return VG_ERR_NOTFOUND; /* no silent simulator */
	}
	d->rec_hr_sig = -1;
	d->last_hr_bpm = NAN;
	if (d->cfg.record_dir && d->cfg.record_dir[0])
		snprintf(d->rec_note, sizeof(d->rec_note), "sessions are recorded in %s",
			 d->cfg.record_dir);
	else if (d->cfg.no_record)
		snprintf(d->rec_note, sizeof(d->rec_note),
			 "recording is off (--no-record): sessions leave no files");
	else
		snprintf(d->rec_note, sizeof(d->rec_note),
			 "recording is off: no recording directory");
	d->loop = loop_new(&e);
	if (!d->loop)
		return e;
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
		return e;
	e = VG_ERR_IO;
	d->zctx = zmq_ctx_new();
	if (!d->zctx)
		return e;
	if (have_key) {
		d->sec = sec_new(d->zctx, d->cfg.secret_key_file, d->cfg.clients,
				 d->cfg.nclients, &e);
		if (!d->sec)
			return e;
		struct loop_poller zp = sec_poller(d->sec);
		if ((e = loop_add_poller(d->loop, &zp)) < 0)
			return e;
	}
	d->pub = pub_new(d->zctx, d->cfg.pub_endpoint, d->cfg.room, d->sec, &e);
	if (!d->pub)
		return e;
	struct pl_config pc = { .windows_s = { 0 } };
	memcpy(pc.windows_s, d->cfg.hrv_windows_s, sizeof(pc.windows_s));
	struct guide_output go = { d, out_guide, out_release, out_hold_long,
				   out_mark_response };
	d->guide = guide_new(NULL, &go, &e);
	if (!d->guide)
		return e;
	struct pl_output po = { d, out_beat, out_hrv, out_emg, out_resp };
	d->pl = pl_new(&pc, &po, &e);
	if (!d->pl)
		return e;
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
			return e;
	}
	struct loop_poller pp = pub_poller(d->pub);
	if ((e = loop_add_poller(d->loop, &pp)) < 0 ||
	    (e = loop_add_timer(d->loop, TICK_NS, tick, d)) < 0 ||
	    (e = loop_add_timer(d->loop, STATUS_NS, status, d)) < 0 ||
	    (d->auto_on && (e = loop_add_timer(d->loop, AUTOSCAN_NS, autoscan, d)) < 0))
		return e;
	return VG_OK;
}

void vd_core_close(struct vagusd *d)
{
	for (int i = 0; i < d->nsrc; i++)
		source_destroy(&d->src[i]);
	pl_destroy(&d->pl);
	guide_destroy(&d->guide);
	pub_destroy(&d->pub);
	sec_destroy(&d->sec);
	if (d->zctx)
		zmq_ctx_term(d->zctx);
	d->zctx = NULL;
	loop_destroy(&d->loop);
}
