/*
 * fuzz_drv.h - the common body of the libFuzzer targets for the byte-stream
 * drivers of drvb (fuzz_drv_ant.c, fuzz_drv_pulse.c, fuzz_drv_hrmi.c).
 *
 * Problem: a driver's feed() meets arbitrary bytes in any split, interleaved
 * with ticks and link events; it must never crash, hang, read out of bounds
 * or emit values outside its documented ranges.
 * Approach: the first input byte chooses the read size (1..256), the second
 * how the clock advances per read (0..255 ms) and whether a link event is
 * delivered; the rest is the byte stream, copied into an exact-size buffer
 * so ASan catches any read past it. The sink checks every emission: beats
 * with RR 0 or within the driver's plausibility window, finite HR, finite
 * samples within the channel's physical range; at the end the counters must
 * be consistent (garbage <= bytes in, gaps reported = samples missing).
 * Limits: no link (writes fail with VG_ERR_NODEV, as when decoding).
 */
#ifndef FUZZ_DRV_H
#define FUZZ_DRV_H

#include "driver.h"
#include "vg_log.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct drv_instance *d;
	uint64_t gap_total;
	double rr_max_ms;
};

static void fz_samples(void *ctx, unsigned ch, const float *v, size_t n,
		       uint64_t first)
{
	struct fz *z = ctx;
	const struct drv_channel *c = drv_instance_channel(z->d, ch);
	if (!c)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]) || v[i] < c->phys_min || v[i] > c->phys_max)
			abort();
	(void)first;
}

static void fz_beat(void *ctx, const struct drv_beat *b)
{
	struct fz *z = ctx;
	if (!(b->rr_ms == 0.0 || (b->rr_ms >= 250.0 && b->rr_ms <= z->rr_max_ms)))
		abort();
	if (!isfinite(b->hr_bpm) || b->hr_bpm < 0.0 || (b->flags & ~DRV_BEAT_AFTER_GAP))
		abort();
}

static void fz_gap(void *ctx, uint64_t n)
{
	struct fz *z = ctx;
	if (n == 0)
		abort();
	z->gap_total += n;
}

static void fz_info(void *ctx, const char *k, const char *v)
{
	(void)ctx;
	if (!k || !v || strlen(k) > 64 || strlen(v) > 256)
		abort();
}

static int fz_run(const struct drv_ops *ops, const char *options,
		  double rr_max_ms, const uint8_t *data, size_t size)
{
	vg_log_set_level(VG_LOG_ERR); /* warnings about bad input are expected */
	if (size < 2)
		return 0;
	size_t chunk = 1 + data[0];
	unsigned step_ms = data[1];
	data += 2;
	size -= 2;
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	struct fz z = {.rr_max_ms = rr_max_ms};
	struct drv_sink sink = {.ctx = &z, .samples = fz_samples, .beat = fz_beat,
				.gap = fz_gap, .info = fz_info};
	int err = 0;
	z.d = drv_instance_new(ops, &sink, options, NULL, &err);
	if (!z.d)
		abort();
	int64_t now = 1700000000000000000LL;
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		now += (int64_t)step_ms * 1000000LL;
		drv_instance_tick(z.d, now);
		drv_instance_set_now(z.d, now);
		if (drv_instance_feed(z.d, buf + off, n) != 0)
			abort();
		if (step_ms == 255 && (buf[off] & 0x0F) == 0x0F)
			drv_instance_event(z.d, (enum drv_event)((buf[off] >> 6) % 3));
	}
	const struct drv_stats *st = drv_instance_stats(z.d);
	if (st->garbage_bytes > st->bytes_in || st->bytes_in != size ||
	    z.gap_total != st->samples_missing)
		abort();
	drv_instance_destroy(&z.d);
	free(buf);
	return 0;
}

#endif
