/*
 * client.c - subscriber and control-request helpers for tools (client.h).
 */
#include "client.h"
#include "keys.h"
#include "vg_err.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct proto_sub {
	void *ctx;
	void *sock;
};

struct proto_sub *proto_sub_new(const char *endpoint, const char *const *topics,
				int ntopics, int *err)
{
	struct proto_sub *s = calloc(1, sizeof(*s));
	int e = VG_ERR_NOMEM;
	if (!s)
		goto fail;
	e = VG_ERR_IO;
	s->ctx = zmq_ctx_new();
	if (!s->ctx)
		goto fail;
	s->sock = zmq_socket(s->ctx, ZMQ_SUB);
	if (!s->sock)
		goto fail;
	int linger = 0;
	zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (!topics || ntopics <= 0) {
		zmq_setsockopt(s->sock, ZMQ_SUBSCRIBE, "", 0);
	} else {
		for (int i = 0; i < ntopics; i++)
			zmq_setsockopt(s->sock, ZMQ_SUBSCRIBE, topics[i],
				       strlen(topics[i]));
	}
	e = proto_key_client_setup(s->sock);
	if (e < 0)
		goto fail;
	e = VG_ERR_INVAL;
	if (zmq_connect(s->sock, endpoint) != 0)
		goto fail;
	return s;
fail:
	proto_sub_destroy(&s);
	if (err)
		*err = e;
	return NULL;
}

void proto_sub_destroy(struct proto_sub **sp)
{
	if (!sp || !*sp)
		return;
	struct proto_sub *s = *sp;
	if (s->sock)
		zmq_close(s->sock);
	if (s->ctx)
		zmq_ctx_term(s->ctx);
	free(s);
	*sp = NULL;
}

void *proto_sub_socket(struct proto_sub *s)
{
	return s->sock;
}

/* Receive one frame into buf (NUL-terminated); returns its full size or -1. */
static int recv_frame(void *sock, char *buf, size_t cap, int *more)
{
	int n = zmq_recv(sock, buf, cap > 0 ? cap - 1 : 0, 0);
	if (n < 0)
		return -1;
	size_t k = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
	buf[k] = '\0';
	int m = 0;
	size_t ml = sizeof(m);
	zmq_getsockopt(sock, ZMQ_RCVMORE, &m, &ml);
	*more = m;
	return n;
}

int proto_sub_recv(struct proto_sub *s, char *topic, size_t tcap, char *json,
		   size_t jcap, int timeout_ms)
{
	zmq_pollitem_t it = { s->sock, 0, ZMQ_POLLIN, 0 };
	int r = zmq_poll(&it, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? VG_ERR_AGAIN : VG_ERR_IO;
	if (r == 0)
		return VG_ERR_AGAIN;
	int more = 0;
	int tn = recv_frame(s->sock, topic, tcap, &more);
	if (tn < 0)
		return VG_ERR_IO;
	if (!more)
		return VG_ERR_PARSE; /* a one-frame message is not ours */
	int jn = recv_frame(s->sock, json, jcap, &more);
	while (more) { /* drain unexpected extra frames */
		char junk[64];
		if (recv_frame(s->sock, junk, sizeof(junk), &more) < 0)
			break;
	}
	if (jn < 0)
		return VG_ERR_IO;
	if ((size_t)tn >= tcap || (size_t)jn >= jcap)
		return VG_ERR_TRUNC;
	return jn;
}

int proto_ctl_request(const char *endpoint, const char *request, char *reply,
		      size_t cap, int timeout_ms)
{
	void *ctx = zmq_ctx_new();
	if (!ctx)
		return VG_ERR_IO;
	void *sock = zmq_socket(ctx, ZMQ_REQ);
	int rc = VG_ERR_IO;
	if (!sock)
		goto out;
	int linger = 0;
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (proto_key_client_setup(sock) < 0 || zmq_connect(sock, endpoint) != 0) {
		rc = VG_ERR_INVAL;
		goto out;
	}
	if (zmq_send(sock, request, strlen(request), 0) < 0) {
		rc = errno == EAGAIN ? VG_ERR_TIMEOUT : VG_ERR_IO;
		goto out;
	}
	int n = zmq_recv(sock, reply, cap > 0 ? cap - 1 : 0, 0);
	if (n < 0) {
		rc = errno == EAGAIN ? VG_ERR_TIMEOUT : VG_ERR_IO;
		goto out;
	}
	if ((size_t)n >= cap) {
		reply[cap - 1] = '\0';
		rc = VG_ERR_TRUNC;
		goto out;
	}
	reply[n] = '\0';
	rc = n;
out:
	if (sock)
		zmq_close(sock);
	zmq_ctx_term(ctx);
	return rc;
}

int proto_ctl_reply_parse(const char *reply, size_t len, int *ok, char *err,
			  size_t errcap)
{
	*ok = 0;
	if (err && errcap)
		err[0] = '\0';
	if (!reply || len == 0)
		return VG_ERR_PARSE;
	cJSON *r = cJSON_ParseWithLength(reply, len);
	if (!r)
		return VG_ERR_PARSE;
	int rc = VG_ERR_PARSE;
	const cJSON *okj = cJSON_GetObjectItemCaseSensitive(r, "ok");
	if (cJSON_IsObject(r) && cJSON_IsBool(okj)) {
		rc = VG_OK;
		*ok = cJSON_IsTrue(okj);
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
		if (!*ok && err && errcap)
			snprintf(err, errcap, "%s",
				 cJSON_IsString(e) ? e->valuestring : "no reason given");
	}
	cJSON_Delete(r);
	return rc;
}
