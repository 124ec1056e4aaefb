/*
 * loop.c - zmq_poll-based event loop with timers (see loop.h).
 */
#include "loop.h"
#include "vg_err.h"
#include "vg_log.h"
#include "vg_sys.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct timer {
	int64_t period_ns, due_ns;
	loop_timer_fn fn;
	void *ctx;
};

struct loop {
	struct loop_poller pollers[LOOP_MAX_POLLERS];
	int used[LOOP_MAX_POLLERS];
	struct timer timers[LOOP_MAX_TIMERS];
	int ntimers;
	int stop;
	int64_t epoch0_ns, mono0_ns;
};

void loop_install_signals(void)
{
	vg_stop_install();
	/* a file-size limit (RLIMIT_FSIZE) must fail the write with EFBIG, which
	 * the recorder reports, not kill the daemon */
	signal(SIGXFSZ, SIG_IGN);
}


struct loop *loop_new(int *err)
{
	struct loop *l = calloc(1, sizeof(*l));
	if (!l) {
		if (err)
			*err = VG_ERR_NOMEM;
		return NULL;
	}
	l->epoch0_ns = vg_wall_ns();
	l->mono0_ns = vg_mono_ns();
	return l;
}

void loop_destroy(struct loop **lp)
{
	if (lp && *lp) {
		free(*lp);
		*lp = NULL;
	}
}

int64_t loop_now_ns(const struct loop *l)
{
	return l->epoch0_ns + (vg_mono_ns() - l->mono0_ns);
}

int loop_add_poller(struct loop *l, const struct loop_poller *p)
{
	for (int i = 0; i < LOOP_MAX_POLLERS; i++) {
		if (!l->used[i]) {
			l->pollers[i] = *p;
			l->used[i] = 1;
			return i;
		}
	}
	return VG_ERR_RANGE;
}

void loop_remove_poller(struct loop *l, int id)
{
	if (id >= 0 && id < LOOP_MAX_POLLERS)
		l->used[id] = 0;
}

int loop_add_timer(struct loop *l, int64_t period_ns, loop_timer_fn fn, void *ctx)
{
	if (l->ntimers >= LOOP_MAX_TIMERS || period_ns <= 0)
		return VG_ERR_RANGE;
	struct timer *t = &l->timers[l->ntimers];
	t->period_ns = period_ns;
	t->due_ns = loop_now_ns(l);
	t->fn = fn;
	t->ctx = ctx;
	return l->ntimers++;
}

void loop_stop(struct loop *l)
{
	l->stop = 1;
}

int loop_run(struct loop *l)
{
	zmq_pollitem_t items[LOOP_MAX_ITEMS];
	int owner[LOOP_MAX_ITEMS], first[LOOP_MAX_POLLERS], count[LOOP_MAX_POLLERS];
	while (!l->stop && !vg_stop_requested()) {
		int n = 0;
		for (int i = 0; i < LOOP_MAX_POLLERS; i++) {
			first[i] = n;
			count[i] = 0;
			if (!l->used[i] || n >= LOOP_MAX_ITEMS)
				continue;
			int k = l->pollers[i].fill(l->pollers[i].ctx, items + n,
						   LOOP_MAX_ITEMS - n);
			if (k < 0)
				k = 0;
			for (int j = 0; j < k; j++) {
				owner[n + j] = i;
				items[n + j].revents = 0;
			}
			count[i] = k;
			n += k;
		}
		int64_t now = loop_now_ns(l), wait_ns = 1000000000;
		for (int i = 0; i < l->ntimers; i++) {
			int64_t d = l->timers[i].due_ns - now;
			if (d < wait_ns)
				wait_ns = d;
		}
		long timeout_ms = wait_ns <= 0 ? 0 : (long)((wait_ns + 999999) / 1000000);
		int r = zmq_poll(items, n, timeout_ms);
		if (r < 0 && errno != EINTR) {
			vg_warn("zmq_poll");
			return VG_ERR_IO;
		}
		if (r > 0) {
			for (int i = 0; i < LOOP_MAX_POLLERS; i++) {
				if (!l->used[i] || !count[i])
					continue;
				int fired = 0;
				for (int j = 0; j < count[i]; j++)
					fired |= items[first[i] + j].revents != 0;
				if (fired && owner[first[i]] == i)
					l->pollers[i].ready(l->pollers[i].ctx,
							    items + first[i], count[i]);
			}
		}
		now = loop_now_ns(l);
		for (int i = 0; i < l->ntimers; i++) {
			struct timer *t = &l->timers[i];
			if (t->due_ns > now)
				continue;
			t->fn(t->ctx, now);
			t->due_ns += t->period_ns;
			if (t->due_ns <= now) /* fell behind: skip, don't burst */
				t->due_ns = now + t->period_ns;
		}
	}
	if (vg_stop_requested())
		vg_info("signal %d: shutting down", vg_stop_requested());
	return VG_OK;
}
