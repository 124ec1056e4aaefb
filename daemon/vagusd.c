/*
 * vagusd.c - the daemon object (see vagusd.h).
 */
#include "vagusd.h"
#include "loop.h"
#include "pipeline.h"
#include "proto.h"
#include "publish.h"
#include "source.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define TICK_NS 10000000LL        /* 10 ms: source ticks */
#define STATUS_NS 1000000000LL    /* 1 Hz status */

struct vagusd {
	struct vagusd_config cfg;
	void *zctx;
	struct loop *loop;
	struct pub *pub;
	struct pipeline *pl;
	struct source *src[VAGUSD_MAX_SOURCES];
	int nsrc;
	int64_t start_ns;
	struct proto_status status; /* large: kept here, not on the stack */
	struct proto_event ev;
};

/* ---------------------------------------------------------------- output */
static void out_beat(void *ctx, const struct pl_beat *b)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("beat"), b);
}

static void out_hrv(void *ctx, const struct pl_hrv *h)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("hrv"), h);
}

static void out_emg(void *ctx, const struct pl_emg *e)
{
	struct vagusd *d = ctx;
	pub_send(d->pub, proto_topic_find("emg"), e);
}

static void on_source_event(void *ctx, const char *kind, const char *source,
			    const char *detail)
{
	struct vagusd *d = ctx;
	memset(&d->ev, 0, sizeof(d->ev));
	d->ev.t_ns = d->loop ? loop_now_ns(d->loop) : 0;
	snprintf(d->ev.kind, sizeof(d->ev.kind), "%s", kind);
	snprintf(d->ev.source, sizeof(d->ev.source), "%s", source);
	snprintf(d->ev.detail, sizeof(d->ev.detail), "%s", detail);
	if (d->pub)
		pub_send(d->pub, proto_topic_find("event"), &d->ev);
}

/* ---------------------------------------------------------------- timers */
static void tick(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
	for (int i = 0; i < d->nsrc; i++)
		source_tick(d->src[i], now_ns);
}

static void status(void *ctx, int64_t now_ns)
{
	struct vagusd *d = ctx;
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
	pub_send(d->pub, proto_topic_find("status"), st);
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
	d->start_ns = loop_now_ns(d->loop);
	e = VG_ERR_IO;
	d->zctx = zmq_ctx_new();
	if (!d->zctx)
		goto fail;
	d->pub = pub_new(d->zctx, d->cfg.pub_endpoint, d->cfg.room, &e);
	if (!d->pub)
		goto fail;
	struct pl_config pc = { .windows_s = { 0 } };
	memcpy(pc.windows_s, d->cfg.hrv_windows_s, sizeof(pc.windows_s));
	struct pl_output po = { d, out_beat, out_hrv, out_emg };
	d->pl = pl_new(&pc, &po, &e);
	if (!d->pl)
		goto fail;
	struct source_host host = { d, on_source_event };
	for (int i = 0; i < d->cfg.nsources; i++) {
		const char *spec = d->cfg.sources[i];
		int is_sim = strncmp(spec, "sim", 3) == 0 &&
			     (spec[3] == '\0' || spec[3] == ',' || spec[3] == ':');
		d->src[i] = source_new(spec, is_sim ? d->cfg.sim_options : NULL,
				       d->pl, &host, loop_now_ns(d->loop), &e);
		if (!d->src[i])
			goto fail;
		d->nsrc++;
		if (d->cfg.stall_timeout_s > 0)
			source_set_stall_timeout(d->src[i],
						 (int64_t)(d->cfg.stall_timeout_s * 1e9));
		struct loop_poller sp = source_poller(d->src[i]);
		if ((e = loop_add_poller(d->loop, &sp)) < 0)
			goto fail;
	}
	struct loop_poller pp = pub_poller(d->pub);
	if ((e = loop_add_poller(d->loop, &pp)) < 0 ||
	    (e = loop_add_timer(d->loop, TICK_NS, tick, d)) < 0 ||
	    (e = loop_add_timer(d->loop, STATUS_NS, status, d)) < 0)
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
	for (int i = 0; i < d->nsrc; i++)
		source_destroy(&d->src[i]);
	pl_destroy(&d->pl);
	pub_destroy(&d->pub);
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
