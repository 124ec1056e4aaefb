/*
 * loop.h - the daemon's single event loop: zmq_poll over ZeroMQ sockets and
 * plain file descriptors, plus periodic timers.
 *
 * Problem: sources (links with changing fds), the publisher, the control
 * channel and periodic work (1 Hz status, 10 ms simulator ticks, stall
 * checks) must share one thread without busy waiting.
 * Approach: "pollers" are asked for their current items before each wait
 * (so a reconnecting source can change fds), then told which fired; timers
 * run when due. Time is the Unix epoch in ns derived from CLOCK_MONOTONIC
 * (immune to wall-clock steps after start).
 * Limits: LOOP_MAX_ITEMS poll items, LOOP_MAX_TIMERS timers.
 */
#ifndef LOOP_H
#define LOOP_H

#include <stdint.h>
#include <zmq.h>

#define LOOP_MAX_ITEMS 64
#define LOOP_MAX_POLLERS 32
#define LOOP_MAX_TIMERS 32

struct loop;

struct loop_poller {
	void *ctx;
	/* Fill up to max items (socket or fd, events); return how many. */
	int (*fill)(void *ctx, zmq_pollitem_t *items, int max);
	/* The same items with revents set (called only if one fired). */
	void (*ready)(void *ctx, zmq_pollitem_t *items, int n);
};

typedef void (*loop_timer_fn)(void *ctx, int64_t now_ns);

struct loop *loop_new(int *err);
void loop_destroy(struct loop **l);
/* Returns an id >= 0 or VG_ERR_RANGE. */
int loop_add_poller(struct loop *l, const struct loop_poller *p);
void loop_remove_poller(struct loop *l, int id);
int loop_add_timer(struct loop *l, int64_t period_ns, loop_timer_fn fn, void *ctx);
/* Run until loop_stop() or a signal set by loop_install_signals(). */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
/* SIGINT/SIGTERM stop the loop; SIGPIPE ignored. */
void loop_install_signals(void);
int64_t loop_now_ns(const struct loop *l);

#endif
