/*
 * daemon.c - the daemon assembled (see vagusd.h): the core (vagusd.c), the
 * session layer (session.c) and the control channel's handler (commands.c),
 * built in that order and torn down in reverse.
 *
 * Problem: the three layers depend on each other one way only (commands ->
 * session -> core); something has to hand the core's loop the upper layers'
 * timers and handler without the core calling up.
 * Approach: this file is the only one that sees all three; it opens the
 * core, attaches the session layer, then binds the control channel with
 * commands.c's handler. Teardown closes a running session's recording first.
 * Limits: one daemon object per process is what main.c makes; tests may make
 * more (each binds its own endpoints).
 */
#include "vagusd_int.h"
#include "ctlserver.h"
#include "loop.h"
#include "security.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <stdlib.h>
#include <zmq.h>

/* The control channel: REP socket, CURVE when configured, in the loop. */
static int control_open(struct vagusd *d)
{
	int e = VG_ERR_NOMEM;
	d->ctl = ctl_server_new(d->zctx, d->cfg.ctl_endpoint, vd_on_request, d, &e);
	if (!d->ctl)
		return e;
	if ((e = sec_apply(d->sec, ctl_server_socket(d->ctl), "ctl")) < 0)
		return e;
	if (zmq_bind(ctl_server_socket(d->ctl), d->cfg.ctl_endpoint) != 0) {
		vg_err("cannot bind control channel to %s: %s", d->cfg.ctl_endpoint,
		       zmq_strerror(errno));
		return VG_ERR_BUSY;
	}
	sec_after_bind(d->cfg.ctl_endpoint);
	struct loop_poller cp = ctl_server_poller(d->ctl);
	e = loop_add_poller(d->loop, &cp);
	return e < 0 ? e : VG_OK;
}

struct vagusd *vagusd_new(const struct vagusd_config *cfg, int *err)
{
	int e = VG_ERR_NOMEM;
	struct vagusd *d = calloc(1, sizeof(*d));
	if (!d)
		goto fail;
	if ((e = vd_core_open(d, cfg)) < 0 ||
	    (e = vd_session_attach(d)) < 0 ||
	    (e = control_open(d)) < 0)
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
	vd_session_close(d); /* summary written and published, recording closed */
	vd_record_stop(d);
	ctl_server_destroy(&d->ctl);
	vd_core_close(d);
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
