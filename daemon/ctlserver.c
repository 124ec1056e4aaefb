/*
 * ctlserver.c - control channel server (see ctlserver.h).
 */
#include "ctlserver.h"
#include "vg_err.h"
#include "vg_log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define MAX_PER_WAKE 64
#define MAX_FRAMES 8 /* frames kept per message; more are read and dropped */

struct ctl_server {
	void *sock;
	ctl_handler_fn fn;
	void *ctx;
	uint64_t requests, errors;
	char req[CTL_REQ_MAX + 1];
};

struct ctl_server *ctl_server_new(void *zctx, const char *endpoint,
				  ctl_handler_fn fn, void *ctx, int *err)
{
	int e = VG_ERR_NOMEM;
	struct ctl_server *s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	s->fn = fn;
	s->ctx = ctx;
	e = VG_ERR_IO;
	s->sock = zmq_socket(zctx, ZMQ_ROUTER);
	if (!s->sock)
		goto fail;
	int linger = 0;
	/* requests over CTL_REQ_MAX get an error reply; a frame over
	 * CTL_FRAME_MAX drops the peer unread (libzmq's memory bound) */
	int64_t maxmsg = CTL_FRAME_MAX;
	zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	return s;
fail:
	ctl_server_destroy(&s);
	if (err)
		*err = e;
	return NULL;
}

void *ctl_server_socket(struct ctl_server *s)
{
	return s->sock;
}

void ctl_server_destroy(struct ctl_server **sp)
{
	if (!sp || !*sp)
		return;
	if ((*sp)->sock)
		zmq_close((*sp)->sock);
	free(*sp);
	*sp = NULL;
}

uint64_t ctl_server_requests(const struct ctl_server *s)
{
	return s->requests;
}

uint64_t ctl_server_errors(const struct ctl_server *s)
{
	return s->errors;
}

static void send_reply(struct ctl_server *s, zmq_msg_t *env, int nenv,
		       const char *text)
{
	for (int i = 0; i < nenv; i++)
		zmq_msg_send(&env[i], s->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(s->sock, text, strlen(text), ZMQ_DONTWAIT);
}

static void handle_one(struct ctl_server *s, const char *body, size_t len,
		       zmq_msg_t *env, int nenv)
{
	struct ctl_request req;
	char err[256];
	cJSON *reply = cJSON_CreateObject();
	s->requests++;
	int rc = ctl_parse(body, len, &req, err, sizeof(err));
	if (rc == VG_OK && reply)
		rc = s->fn(s->ctx, &req, reply, err, sizeof(err));
	char *text = NULL;
	if (rc == VG_OK && reply) {
		if (!cJSON_GetObjectItemCaseSensitive(reply, "ok"))
			cJSON_AddTrueToObject(reply, "ok");
		text = cJSON_PrintUnformatted(reply);
	}
	if (!text) {
		s->errors++;
		cJSON_Delete(reply);
		reply = cJSON_CreateObject();
		if (reply) {
			cJSON_AddFalseToObject(reply, "ok");
			cJSON_AddStringToObject(reply, "error",
						err[0] ? err : vg_strerror(rc));
			text = cJSON_PrintUnformatted(reply);
		}
	}
	send_reply(s, env, nenv,
		   text ? text : "{\"ok\":false,\"error\":\"out of memory\"}");
	cJSON_free(text);
	cJSON_Delete(reply);
}

static int srv_fill(void *ctx, zmq_pollitem_t *items, int max)
{
	struct ctl_server *s = ctx;
	if (max < 1)
		return 0;
	items[0].socket = s->sock;
	items[0].fd = -1;
	items[0].events = ZMQ_POLLIN;
	return 1;
}

int ctl_frames_split(const size_t *sizes, int nstored, int ntotal, int *nenv)
{
	/* REQ: identity frame(s), then the empty delimiter; DEALER: identity */
	int env = 1;
	for (int i = 1; i < nstored; i++) {
		if (sizes[i] == 0) {
			env = i + 1;
			break;
		}
	}
	*nenv = env;
	if (ntotal < 1)
		return VG_ERR_PARSE;
	return ntotal - env == 1 && env < nstored ? VG_OK : VG_ERR_PARSE;
}

/* Read one multi-frame message and answer it, whatever its shape: a REQ
 * client that gets no reply is stuck for good (issue 15: more than 7
 * frames got none). Frames past MAX_FRAMES are read and dropped. */
static int srv_read_one(struct ctl_server *s)
{
	zmq_msg_t frames[MAX_FRAMES];
	size_t sizes[MAX_FRAMES];
	int nf = 0, total = 0, more = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->sock, total == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&m);
			if (total == 0)
				return 0; /* nothing more */
			break;
		}
		more = zmq_msg_more(&m);
		total++;
		if (nf < MAX_FRAMES) {
			sizes[nf] = zmq_msg_size(&m);
			frames[nf++] = m;
		} else {
			zmq_msg_close(&m);
		}
	}
	int nenv;
	int rc = ctl_frames_split(sizes, nf, total, &nenv);
	if (nenv > nf)
		nenv = nf;
	if (rc == VG_OK) {
		zmq_msg_t *body = &frames[nenv];
		size_t len = zmq_msg_size(body);
		if (len <= CTL_REQ_MAX) {
			memcpy(s->req, zmq_msg_data(body), len);
			s->req[len] = '\0';
		}
		handle_one(s, s->req, len <= CTL_REQ_MAX ? len : CTL_REQ_MAX + 1,
			   frames, nenv);
	} else {
		char text[128];
		s->requests++;
		s->errors++;
		snprintf(text, sizeof(text),
			 "{\"ok\":false,\"error\":\"a request is one JSON frame "
			 "(got %d)\"}", total - nenv);
		send_reply(s, frames, nenv, text);
	}
	/* send_reply sent (and so released) the envelope frames */
	for (int i = nenv; i < nf; i++)
		zmq_msg_close(&frames[i]);
	return 1;
}

static void srv_ready(void *ctx, zmq_pollitem_t *items, int n)
{
	struct ctl_server *s = ctx;
	(void)items;
	(void)n;
	for (int k = 0; k < MAX_PER_WAKE && srv_read_one(s); k++)
		;
}

struct loop_poller ctl_server_poller(struct ctl_server *s)
{
	struct loop_poller p = { s, srv_fill, srv_ready };
	return p;
}
