/*
 * beatclock.c - beat clock for beat-only sources; see beatclock.h for the
 * problem, the approach and the limits.
 */
#include "beatclock.h"

void drv_bclk_reset(struct drv_bclk *c)
{
	c->anchored = 0;
	c->t_ns = 0;
}

int64_t drv_bclk_beat(struct drv_bclk *c, int64_t arrival_ns, double rr_ms)
{
	if (!c->anchored || !(rr_ms > 0.0) || rr_ms > DRV_BCLK_MAX_RR_MS) {
		c->t_ns = arrival_ns;
		c->anchored = 1;
		return c->t_ns;
	}
	int64_t t = c->t_ns + (int64_t)(rr_ms * 1e6 + 0.5);
	int64_t drift = t - arrival_ns;
	if (drift > DRV_BCLK_MAX_DRIFT_NS || drift < -DRV_BCLK_MAX_DRIFT_NS)
		t = arrival_ns;
	c->t_ns = t;
	return t;
}
