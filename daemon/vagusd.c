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

/* The sample clock (what marks, holds and the pacer run on). */
int64_t vd_sample_now(const struct vagusd *d)
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
		vd_publish_event(d, "emg.release", NULL, detail, data);
	}
}

/* Publish an event; data is a JSON object text or NULL. */
void vd_publish_event(struct vagusd *d, const char *kind, const char *source,
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
	vd_publish_event(ctx, kind, source, detail, NULL);
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

void vd_build_status(struct vagusd *d, int64_t now_ns)
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
		d->cfg.sources[0] = "sim";
		d->cfg.nsources = 1;
	}
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
