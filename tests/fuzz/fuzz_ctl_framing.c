/*
 * fuzz_ctl_framing.c - libFuzzer target for the control server's framing
 * (daemon/ctlserver.c): any multi-frame message a DEALER (or REQ) client
 * can send must get exactly one reply, and the server must keep working.
 * Approach: once, a ctl_server bound to inproc:// with a handler that
 * answers every valid request, and a DEALER connected to it. Each input is
 * cut into frames (a length byte, then that many bytes; at most 12
 * frames); they are sent as one message, the server's poller runs, and the
 * DEALER must receive one reply whose last frame is JSON with "ok". The
 * pure rule ctl_frames_split() is checked on the same frame sizes.
 * Seed corpus: tests/fuzz/corpus/fuzz_ctl_framing/ (REQ-shaped ping, one
 * bare frame, 9 frames, an empty body).
 */
#include "ctlserver.h"
#include "vg_err.h"
#include "vg_log.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_FRAMES 12

static void *zctx, *dealer;
static struct ctl_server *srv;
static struct loop_poller poller;

static int answer(void *ctx, const struct ctl_request *req, struct cJSON *reply,
		  char *err, size_t errcap)
{
	(void)ctx;
	(void)req;
	(void)err;
	(void)errcap;
	cJSON_AddStringToObject(reply, "seen", "yes");
	return VG_OK;
}

static int init(void)
{
	if (srv)
		return 0;
	vg_log_set_level(VG_LOG_ERR);
	zctx = zmq_ctx_new();
	int e = 0;
	srv = ctl_server_new(zctx, "inproc://fuzz-ctl", answer, NULL, &e);
	if (!srv || zmq_bind(ctl_server_socket(srv), "inproc://fuzz-ctl") != 0)
		abort();
	dealer = zmq_socket(zctx, ZMQ_DEALER);
	int tmo = 2000, linger = 0;
	zmq_setsockopt(dealer, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(dealer, "inproc://fuzz-ctl") != 0)
		abort();
	poller = ctl_server_poller(srv);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	const uint8_t *f[FZ_MAX_FRAMES];
	size_t len[FZ_MAX_FRAMES];
	int nf = 0;
	size_t at = 0;
	while (at < size && nf < FZ_MAX_FRAMES) {
		size_t n = data[at++];
		if (n > size - at)
			n = size - at;
		f[nf] = data + at;
		len[nf++] = n;
		at += n;
	}
	if (nf == 0)
		return 0;
	/* the rule alone: what the ROUTER sees is [identity] + these frames */
	size_t sizes[FZ_MAX_FRAMES + 1] = { 5 };
	for (int i = 0; i < nf; i++)
		sizes[i + 1] = len[i];
	int nenv = -1;
	int rc = ctl_frames_split(sizes, nf + 1, nf + 1, &nenv);
	if (nenv < 1 || nenv > nf + 1 || (rc == VG_OK && nenv != nf))
		abort();
	for (int i = 0; i < nf; i++)
		if (zmq_send(dealer, f[i], len[i], i + 1 < nf ? ZMQ_SNDMORE : 0) < 0)
			abort();
	/* the server's turn: wait for the message, then its poller */
	zmq_pollitem_t it = { ctl_server_socket(srv), 0, ZMQ_POLLIN, 0 };
	if (zmq_poll(&it, 1, 2000) != 1)
		abort();
	poller.ready(poller.ctx, &it, 1);
	/* exactly one reply: the envelope frames the DEALER sent, then JSON */
	char buf[512];
	int more = 1, frames = 0, n = -1;
	while (more) {
		n = zmq_recv(dealer, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			abort(); /* no reply: a REQ client would hang for ever */
		frames++;
		size_t ml = sizeof(more);
		zmq_getsockopt(dealer, ZMQ_RCVMORE, &more, &ml);
	}
	buf[n < (int)sizeof(buf) - 1 ? n : (int)sizeof(buf) - 1] = '\0';
	if (!strstr(buf, "\"ok\":"))
		abort();
	zmq_pollitem_t again = { dealer, 0, ZMQ_POLLIN, 0 };
	if (zmq_poll(&again, 1, 0) != 0)
		abort(); /* a second reply */
	(void)frames;
	return 0;
}
