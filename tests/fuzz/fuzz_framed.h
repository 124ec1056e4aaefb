/*
 * fuzz_framed.h - the body shared by the libFuzzer targets of the framed
 * drivers (fuzz_drv_openbci.c, fuzz_drv_bitalino.c, fuzz_drv_p2.c).
 *
 * Problem: feed() sees arbitrary device bytes in arbitrary splits; it must
 * never crash, hang, read out of bounds or break the core's invariants.
 * Approach: byte 0 of the input picks one of the driver's option sets,
 * byte 1 the read size (1..256); the rest is fed through drv_instance_feed
 * in reads of that size into a fresh exact-size copy (so ASan sees any read
 * past the end), with a tick and a reconnect event halfway. Checks: the
 * counters add up (garbage never exceeds the bytes fed) and every sample
 * handed to the sink is finite and within 2x the channel's declared
 * physical range.
 * Limits: no link (start-up writes fail with VG_ERR_NODEV, as when decoding
 * a file).
 */
#ifndef FUZZ_FRAMED_H
#define FUZZ_FRAMED_H

#include "driver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fz {
	struct drv_instance *d;
};

static void fz_samples(void *ctx, unsigned ch, const float *v, size_t n,
		       uint64_t first)
{
	struct fz *f = ctx;
	(void)first;
	const struct drv_channel *c = drv_instance_channel(f->d, ch);
	if (!c)
		abort();
	double lim = 2.0 * fmax(fabs(c->phys_min), fabs(c->phys_max)) + 1e-6;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]) || fabs((double)v[i]) > lim)
			abort();
}

static int fz_run(const char *driver, const char *const *opts, size_t nopts,
		  const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const struct drv_ops *ops = drv_find(driver);
	if (!ops)
		abort();
	struct fz f = { NULL };
	struct drv_sink sink = { .ctx = &f, .samples = fz_samples };
	/* the sink may see samples only after new() returned: set f.d below */
	int err = 0;
	struct drv_instance *d = drv_instance_new(ops, &sink, opts[data[0] % nopts],
						  NULL, &err);
	if (!d)
		abort(); /* the option sets are valid */
	f.d = d;
	size_t step = (size_t)data[1] + 1;
	size_t len = size - 2;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, data + 2, len);
	for (size_t off = 0; off < len; off += step) {
		size_t k = len - off < step ? len - off : step;
		drv_instance_feed(d, copy + off, k);
		if (off <= len / 2 && off + step > len / 2) {
			drv_instance_tick(d, 5000000000LL);
			drv_instance_event(d, DRV_EV_CONNECT);
		}
	}
	const struct drv_stats *s = drv_instance_stats(d);
	if (s->bytes_in != len || s->garbage_bytes > len)
		abort();
	free(copy);
	drv_instance_destroy(&d);
	return 0;
}

#endif
