/*
 * publish.c - XPUB publisher with per-topic sequence numbers (publish.h).
 */
#include "publish.h"
#include "security.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define MAX_TOPICS 32
#define SNDHWM 20000

struct pub {
	void *sock;
	char room[64];
	const struct proto_topic *topic[MAX_TOPICS];
	uint64_t seq[MAX_TOPICS];
	int ntopics;
	int subs;
	uint64_t sent, errors;
	pub_tap_fn tap;
	void *tap_ctx;
	char buf[PROTO_MSG_MAX];
};

struct pub *pub_new(void *zctx, const char *endpoint, const char *room,
		    const struct sec *sec, int *err)
{
	struct pub *p = calloc(1, sizeof(*p));
	int e = VG_ERR_NOMEM;
	if (!p)
		goto fail;
	e = VG_ERR_IO;
	p->sock = zmq_socket(zctx, ZMQ_XPUB);
	if (!p->sock)
		goto fail;
	int one = 1, hwm = SNDHWM, linger = 200;
	zmq_setsockopt(p->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(p->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(p->sock, ZMQ_XPUB_VERBOSER, &one, sizeof(one));
	if ((e = sec_apply(sec, p->sock, "pub")) < 0)
		goto fail;
	e = VG_ERR_IO;
	if (zmq_bind(p->sock, endpoint) != 0) {
		vg_err("cannot bind publisher to %s: %s", endpoint,
		       zmq_strerror(errno));
		e = errno == EADDRINUSE ? VG_ERR_BUSY : VG_ERR_INVAL;
		goto fail;
	}
	sec_after_bind(endpoint);
	if (room)
		snprintf(p->room, sizeof(p->room), "%s", room);
	return p;
fail:
	pub_destroy(&p);
	if (err)
		*err = e;
	return NULL;
}

void pub_destroy(struct pub **pp)
{
	if (!pp || !*pp)
		return;
	if ((*pp)->sock)
		zmq_close((*pp)->sock);
	free(*pp);
	*pp = NULL;
}

static uint64_t *seq_of(struct pub *p, const struct proto_topic *t)
{
	for (int i = 0; i < p->ntopics; i++)
		if (p->topic[i] == t)
			return &p->seq[i];
	if (p->ntopics >= MAX_TOPICS)
		return NULL;
	p->topic[p->ntopics] = t;
	p->seq[p->ntopics] = 0;
	return &p->seq[p->ntopics++];
}

int pub_send(struct pub *p, const struct proto_topic *t, const void *msg)
{
	uint64_t *seq = seq_of(p, t);
	if (!seq)
		return VG_ERR_RANGE;
	int n = proto_encode(t, *seq, p->room, msg, p->buf, sizeof(p->buf));
	if (n < 0) {
		p->errors++;
		vg_warnx("cannot encode %s message: %s", t->name, vg_strerror(n));
		return n;
	}
	(*seq)++;
	if (p->tap)
		p->tap(p->tap_ctx, p->buf, (size_t)n);
	/* ZMQ_DONTWAIT: a PUB socket never blocks, it drops at the HWM */
	if (zmq_send(p->sock, t->name, strlen(t->name), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(p->sock, p->buf, (size_t)n, ZMQ_DONTWAIT) < 0) {
		p->errors++;
		return VG_ERR_IO;
	}
	p->sent++;
	return VG_OK;
}

void pub_set_tap(struct pub *p, pub_tap_fn fn, void *ctx)
{
	p->tap = fn;
	p->tap_ctx = ctx;
}

int pub_subscriptions(const struct pub *p)
{
	return p->subs;
}

uint64_t pub_sent(const struct pub *p)
{
	return p->sent;
}

uint64_t pub_send_errors(const struct pub *p)
{
	return p->errors;
}

static int pub_fill(void *ctx, zmq_pollitem_t *items, int max)
{
	struct pub *p = ctx;
	if (max < 1)
		return 0;
	items[0].socket = p->sock;
	items[0].fd = -1;
	items[0].events = ZMQ_POLLIN;
	return 1;
}

static void pub_ready(void *ctx, zmq_pollitem_t *items, int n)
{
	struct pub *p = ctx;
	(void)items;
	(void)n;
	for (int i = 0; i < 1000; i++) {
		unsigned char buf[256];
		int r = zmq_recv(p->sock, buf, sizeof(buf), ZMQ_DONTWAIT);
		if (r < 0)
			break;
		if (r >= 1 && buf[0] == 1)
			p->subs++;
		else if (r >= 1 && buf[0] == 0 && p->subs > 0)
			p->subs--;
	}
}

struct loop_poller pub_poller(struct pub *p)
{
	struct loop_poller lp = { p, pub_fill, pub_ready };
	return lp;
}
