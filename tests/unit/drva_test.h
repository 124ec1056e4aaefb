/*
 * drva_test.h - helpers for the OpenBCI, BITalino and P2 driver tests
 * (test_drv_openbci.c, test_drv_bitalino.c, test_drv_p2.c).
 *
 * Problem: each framed-driver test needs to record everything a driver
 * emitted (all channels with their running indices, gaps, info, counters),
 * see what it wrote to the device, check that any split of the reads gives
 * the same result, and check emulator -> driver round trips against the
 * simulator's own samples.
 * Approach: a growing recorder behind a struct drv_sink; link_write() is
 * defined here (the program's definition wins over the link library's; the
 * drivers reach the link only through drv_write), so a dummy non-NULL link
 * makes the driver's writes land in dt_wr. rt_run() drives an emulator
 * (with optional faults) into its driver and compares every delivered
 * sample, at its running index, with a second simulator of the same seed.
 * Limits: include from one .c per test program (it defines link_write).
 */
#ifndef DRVA_TEST_H
#define DRVA_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "emu.h"
#include "link.h"
#include "sim_model.h"
#include "vg_err.h"

/* ------------------------------------------------ the fake link's writes */
static uint8_t dt_wr[1024];
static size_t dt_nwr;
static struct link *const dt_link = (struct link *)&dt_nwr; /* never dereferenced */

int link_write(struct link *l, const uint8_t *buf, size_t n)
{
	(void)l;
	for (size_t i = 0; i < n && dt_nwr < sizeof(dt_wr); i++)
		dt_wr[dt_nwr++] = buf[i];
	return VG_OK;
}

/* ------------------------------------------------ recorder */
struct rec_ch {
	float *v;
	uint64_t *idx;
	size_t n, cap;
};

struct rec {
	struct rec_ch ch[DRV_MAX_CHANNELS];
	uint64_t gaps[256]; /* missing count of each gap event */
	size_t ngaps;
	char info[8][96];
	size_t ninfo;
};

static void rec_samples(void *ctx, unsigned ch, const float *v, size_t n,
			uint64_t first)
{
	struct rec *r = ctx;
	struct rec_ch *c = &r->ch[ch];
	if (c->n + n > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		while (cap < c->n + n)
			cap *= 2;
		c->v = realloc(c->v, cap * sizeof(float));
		c->idx = realloc(c->idx, cap * sizeof(uint64_t));
		assert_non_null(c->v);
		assert_non_null(c->idx);
		c->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		c->v[c->n] = v[i];
		c->idx[c->n++] = first + i;
	}
}

static void rec_gap(void *ctx, uint64_t n)
{
	struct rec *r = ctx;
	if (r->ngaps < 256)
		r->gaps[r->ngaps] = n;
	r->ngaps++;
}

static void rec_info(void *ctx, const char *key, const char *value)
{
	struct rec *r = ctx;
	if (r->ninfo < 8)
		snprintf(r->info[r->ninfo], sizeof(r->info[0]), "%s=%s", key, value);
	r->ninfo++;
}

static struct drv_sink rec_sink(struct rec *r)
{
	struct drv_sink s = {
		.ctx = r,
		.samples = rec_samples,
		.gap = rec_gap,
		.info = rec_info,
	};
	return s;
}

static void rec_free(struct rec *r)
{
	for (unsigned i = 0; i < DRV_MAX_CHANNELS; i++) {
		free(r->ch[i].v);
		free(r->ch[i].idx);
	}
	memset(r, 0, sizeof(*r));
}

static struct drv_instance *dt_new(const char *driver, const char *opts,
				   struct rec *r, int *err)
{
	const struct drv_ops *ops = drv_find(driver);
	assert_non_null(ops);
	struct drv_sink s = rec_sink(r);
	int e = 0;
	dt_nwr = 0;
	struct drv_instance *d = drv_instance_new(ops, &s, opts, dt_link, &e);
	if (err)
		*err = e;
	return d;
}

/* Decode buf, handing it over in two parts split at cut (0 = whole) or,
 * with step > 0, in pieces of step bytes. Fills r and *st. */
static void dt_decode(const char *driver, const char *opts, const uint8_t *buf,
		      size_t len, size_t cut, size_t step, struct rec *r,
		      struct drv_stats *st)
{
	memset(r, 0, sizeof(*r));
	struct drv_instance *d = dt_new(driver, opts, r, NULL);
	assert_non_null(d);
	if (step) {
		for (size_t off = 0; off < len; off += step)
			drv_instance_feed(d, buf + off, len - off < step ? len - off : step);
	} else if (cut) {
		drv_instance_feed(d, buf, cut);
		drv_instance_feed(d, buf + cut, len - cut);
	} else {
		drv_instance_feed(d, buf, len);
	}
	*st = *drv_instance_stats(d);
	drv_instance_destroy(&d);
	assert_null(d);
}

static int rec_equal(const struct rec *a, const struct rec *b)
{
	if (a->ngaps != b->ngaps || a->ninfo != b->ninfo)
		return 0;
	for (size_t i = 0; i < a->ngaps && i < 256; i++)
		if (a->gaps[i] != b->gaps[i])
			return 0;
	for (size_t i = 0; i < a->ninfo && i < 8; i++)
		if (strcmp(a->info[i], b->info[i]) != 0)
			return 0;
	for (unsigned c = 0; c < DRV_MAX_CHANNELS; c++) {
		if (a->ch[c].n != b->ch[c].n)
			return 0;
		for (size_t i = 0; i < a->ch[c].n; i++)
			if (a->ch[c].v[i] != b->ch[c].v[i] || a->ch[c].idx[i] != b->ch[c].idx[i])
				return 0;
	}
	return 1;
}

/* The same output for every two-part split and for byte-by-byte feeding. */
static void dt_check_splits(const char *driver, const char *opts,
			    const uint8_t *buf, size_t len)
{
	struct rec ref, r;
	struct drv_stats sref, s;
	dt_decode(driver, opts, buf, len, 0, 0, &ref, &sref);
	for (size_t cut = 1; cut < len; cut++) {
		dt_decode(driver, opts, buf, len, cut, 0, &r, &s);
		if (!rec_equal(&ref, &r) || memcmp(&sref, &s, sizeof(s)) != 0) {
			print_error("%s: split at byte %zu differs\n", driver, cut);
			fail();
		}
		rec_free(&r);
	}
	dt_decode(driver, opts, buf, len, 0, 1, &r, &s);
	assert_true(rec_equal(&ref, &r));
	assert_memory_equal(&sref, &s, sizeof(s));
	rec_free(&r);
	rec_free(&ref);
}

/* ------------------------------------------------ emulator round trip */
struct rt_result {
	size_t samples;       /* delivered on the checked channels */
	size_t mismatches;    /* outside the tolerance */
	uint64_t frames;      /* frames the emulator offered */
	struct emu_fault_stats faults;
	struct drv_stats st;
};

/*
 * Run emulator `driver` for seconds (advancing in 10 ms steps, handing each
 * step's bytes to the driver with options opts), then compare device
 * channel map: ch_ecg (instance channel of the sim's ECG), ch_emg0/1 (of
 * EMG 0/1; -1 = not checked) with a fresh sim (seed, rates fs_hz, 2 EMG)
 * at each sample's running index. tol_mv / tol_uv: allowed |difference|.
 */
static void rt_run(const char *driver, const char *opts, double seconds,
		   const struct emu_faults *faults, uint64_t seed, double fs_hz,
		   int ch_ecg, int ch_emg0, int ch_emg1, double tol_mv,
		   double tol_uv, struct rt_result *res)
{
	int err = 0;
	struct emu *e = emu_new(driver, seed, faults, &err);
	assert_non_null(e);
	emu_autostart(e);
	struct rec r;
	memset(&r, 0, sizeof(r));
	struct drv_instance *d = dt_new(driver, opts, &r, NULL);
	assert_non_null(d);
	for (long k = 1; k <= lround(seconds * 100); k++) {
		const uint8_t *out;
		size_t n = emu_advance(e, (double)k * 0.01, &out);
		drv_instance_feed(d, out, n);
	}
	memset(res, 0, sizeof(*res));
	res->st = *drv_instance_stats(d);
	res->faults = *emu_fault_stats(e);
	res->frames = res->faults.frames;

	struct sim_config cfg = {
		.seed = seed, .ecg_fs_hz = fs_hz, .emg_fs_hz = fs_hz, .n_emg = 2
	};
	struct sim *s = sim_new(&cfg, &err);
	assert_non_null(s);
	size_t total = (size_t)res->frames + 16;
	float *ref[3];
	for (int i = 0; i < 3; i++) {
		ref[i] = calloc(total, sizeof(float));
		assert_non_null(ref[i]);
	}
	sim_ecg(s, ref[0], total);
	sim_emg(s, 0, ref[1], total);
	sim_emg(s, 1, ref[2], total);
	int chs[3] = { ch_ecg, ch_emg0, ch_emg1 };
	for (int i = 0; i < 3; i++) {
		if (chs[i] < 0)
			continue;
		const struct rec_ch *c = &r.ch[chs[i]];
		double tol = i == 0 ? tol_mv : tol_uv;
		for (size_t j = 0; j < c->n; j++) {
			res->samples++;
			if (c->idx[j] >= total ||
			    fabs((double)c->v[j] - (double)ref[i][c->idx[j]]) > tol)
				res->mismatches++;
		}
	}
	for (int i = 0; i < 3; i++)
		free(ref[i]);
	sim_destroy(&s);
	rec_free(&r);
	drv_instance_destroy(&d);
	emu_destroy(&e);
}

#endif
