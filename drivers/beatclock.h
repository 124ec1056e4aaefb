/*
 * beatclock.h - beat times for beat-only sources (ANT+ straps, PulseSensor).
 *
 * Problem: a strap or a PPG sketch reports RR intervals measured on its own
 * clock, but not when (on our clock) a beat happened; the messages carrying
 * the beats arrive late by a variable amount (radio slot, USB, serial
 * buffering). Stamping each beat with its arrival time puts that jitter into
 * the RR series; stamping with the device RR alone drifts without bound.
 * Approach: a beat clock anchored at the arrival time (drv_now_ns()) of the
 * first beat and advanced by each RR, so successive beat times differ by
 * exactly the device's RR. It re-anchors to the arrival time when it drifts
 * more than DRV_BCLK_MAX_DRIFT_NS from it (device and host crystals differ,
 * or the device's RR was wrong) and after a gap (beats lost, silence, first
 * beat), where no RR links the new beat to the previous one.
 * Limits: beat times carry a constant offset (the delivery latency at the
 * last anchoring, up to about 250 ms for ANT+); only RR is exact.
 */
#ifndef DRV_BEATCLOCK_H
#define DRV_BEATCLOCK_H

#include <stdint.h>

#define DRV_BCLK_MAX_DRIFT_NS 1000000000LL /* 1 s */
#define DRV_BCLK_MAX_RR_MS 60000.0 /* longer RR = unknown (re-anchor) */

struct drv_bclk {
	int64_t t_ns; /* time of the last beat on the beat clock */
	int anchored; /* 0 until the first beat, and after drv_bclk_reset */
};

/* Forget the anchor: the next beat is stamped with its arrival time. */
void drv_bclk_reset(struct drv_bclk *c);

/* Time of a new beat that arrived at arrival_ns with interval rr_ms since
 * the previous beat (0 = unknown: re-anchor). */
int64_t drv_bclk_beat(struct drv_bclk *c, int64_t arrival_ns, double rr_ms);

#endif
