/*
 * publish.h - the daemon's ZeroMQ publisher.
 *
 * Problem: every result goes to any number of subscribers, each of which
 * must be able to see a lost message (per-topic seq) and none of which may
 * slow the daemon or the others.
 * Approach: an XPUB socket (so the daemon sees subscriptions and can report
 * them in `status`), two frames per message (topic, JSON), a per-topic
 * sequence counter, non-blocking sends; a subscriber that falls behind its
 * high-water mark loses messages (seq shows it), nobody else does.
 * Limits: encodes into one fixed buffer (PROTO_MSG_MAX).
 */
#ifndef PUBLISH_H
#define PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "proto.h"

struct pub;

struct sec;
/* sec (may be NULL) makes the socket a CURVE server before it binds. */
struct pub *pub_new(void *zctx, const char *endpoint, const char *room,
		    const struct sec *sec, int *err);
void pub_destroy(struct pub **p);
/* Encode and send msg (struct of topic t). 0 or VG_ERR_*. */
int pub_send(struct pub *p, const struct proto_topic *t, const void *msg);
/* Called with every message sent (the encoded JSON), e.g. for the session
 * recording's JSON-lines file. fn NULL = off. */
typedef void (*pub_tap_fn)(void *ctx, const char *json, size_t len);
void pub_set_tap(struct pub *p, pub_tap_fn fn, void *ctx);
/* Current subscriptions (subscribe minus unsubscribe messages seen). */
int pub_subscriptions(const struct pub *p);
uint64_t pub_sent(const struct pub *p);
uint64_t pub_send_errors(const struct pub *p);
/* Poller that reads subscription messages (add with loop_add_poller). */
struct loop_poller pub_poller(struct pub *p);

#endif
