/*
 * client.h - ZeroMQ helpers every tool uses to talk to vagusd: subscribe to
 * topics, and send control requests.
 *
 * Problem: tools must not each re-learn ZeroMQ's socket options, framing
 * (topic frame + JSON frame) and timeouts.
 * Approach: a small subscriber object over a ZMQ_SUB socket and a one-shot
 * request function over ZMQ_REQ, both with explicit timeouts.
 * Limits: one thread per object (ZeroMQ sockets are not thread-safe).
 */
#ifndef PROTO_CLIENT_H
#define PROTO_CLIENT_H

#include <stddef.h>

struct proto_sub;

/* Connect to a PUB endpoint and subscribe to topics (NULL or ntopics 0 =
 * all). NULL + *err on failure. */
struct proto_sub *proto_sub_new(const char *endpoint, const char *const *topics,
				int ntopics, int *err);
void proto_sub_destroy(struct proto_sub **s);
/* Wait up to timeout_ms (-1 = forever) for one message; copies the topic and
 * the JSON (NUL-terminated). Returns the JSON length, VG_ERR_AGAIN on
 * timeout, VG_ERR_TRUNC if it did not fit (skipped), VG_ERR_IO on error. */
int proto_sub_recv(struct proto_sub *s, char *topic, size_t tcap, char *json,
		   size_t jcap, int timeout_ms);
/* The ZeroMQ socket, for zmq_poll with other sockets. */
void *proto_sub_socket(struct proto_sub *s);

/* Send one JSON request to a control endpoint and wait for the reply.
 * Returns the reply length or VG_ERR_TIMEOUT / VG_ERR_IO / VG_ERR_TRUNC. */
int proto_ctl_request(const char *endpoint, const char *request, char *reply,
		      size_t cap, int timeout_ms);
/* A control reply (len bytes, need not be NUL-terminated): 0 with *ok from
 * its "ok" member and, when not ok, its "error" text in err; VG_ERR_PARSE
 * when it is not a JSON object with a boolean "ok" (*ok = 0). */
int proto_ctl_reply_parse(const char *reply, size_t len, int *ok, char *err,
			  size_t errcap);

#endif
