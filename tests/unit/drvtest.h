/*
 * drvtest.h - helpers for the driver tests (test_drv_ant/pulse/hrmi.c):
 * a recording sink, a fake link that captures what the driver writes, and a
 * runner for the byte-exact vectors in tests/vectors/<driver>/.
 *
 * Problem: every driver test needs to see what a driver emitted (beats,
 * samples with their running index, gaps, info, counters) and what it wrote
 * to the device, and must check a capture under any split of the reads.
 * Approach: struct dt_rec collects the sink callbacks; link_write() is
 * defined here (the test program's own definition wins over the link
 * library's, and the drivers reach the link only through it), so a
 * non-NULL dummy link makes drv_write() append to dt_written. dt_vectors()
 * loads every NAME.expect + NAME.bin (+ NAME.opts) of a directory and checks the
 * expected beats, samples, sample indices, counters and info values for the
 * whole capture, for a split at every byte boundary, and byte by byte.
 * Files per vector: NAME.bin (the capture), NAME.opts (driver options, one
 * line, as drva's vectors), NAME.json (vagus-decode's JSON lines, the golden
 * file shared with tests/vectors/make_vectors.py's vectors) and NAME.expect,
 * the documented values checked here: {"description", "beats": [{"rr_ms",
 * "hr_bpm", "after_gap"}], "samples": [...] (channel 0), "sample_index":
 * [...], "stats": {"frames_ok", "garbage_bytes", "checksum_errors", "gaps",
 * "samples_missing"}, "info": {"key": "last value"}}; every field optional.
 * RR values match to DT_RR_TOL_MS (documented to 0.1 ms), all else exactly.
 * Limits: include from one .c per test program (it defines link_write).
 */
#ifndef DRVTEST_H
#define DRVTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "emu.h"
#include "link.h"
#include "sim_model.h"
#include "vg_err.h"

#define DT_MAX 8192
#define DT_INFO_MAX 64
/* the documentation gives RR to 0.1 ms (853 ticks = 833.0078 ms = "833.0") */
#define DT_RR_TOL_MS 0.05

struct dt_rec {
	struct drv_beat beats[DT_MAX];
	size_t nbeats;
	float samples[DT_MAX];
	uint64_t index[DT_MAX];
	size_t nsamples;
	uint64_t gap_events, gap_total;
	char info_key[DT_INFO_MAX][32];
	char info_val[DT_INFO_MAX][48];
	size_t ninfo;
};

static uint8_t dt_written[DT_MAX];
static size_t dt_nwritten;
static char dt_fake_link_obj __attribute__((unused));
#define DT_FAKE_LINK ((struct link *)(void *)&dt_fake_link_obj)

int link_write(struct link *l, const uint8_t *buf, size_t n)
{
	(void)l;
	for (size_t i = 0; i < n && dt_nwritten < DT_MAX; i++)
		dt_written[dt_nwritten++] = buf[i];
	return VG_OK;
}

static inline void dt_on_samples(void *ctx, unsigned ch, const float *v,
				 size_t n, uint64_t first)
{
	struct dt_rec *r = ctx;
	if (ch != 0)
		return;
	for (size_t i = 0; i < n && r->nsamples < DT_MAX; i++) {
		r->samples[r->nsamples] = v[i];
		r->index[r->nsamples++] = first + i;
	}
}

static inline void dt_on_beat(void *ctx, const struct drv_beat *b)
{
	struct dt_rec *r = ctx;
	if (r->nbeats < DT_MAX)
		r->beats[r->nbeats++] = *b;
}

static inline void dt_on_gap(void *ctx, uint64_t n)
{
	struct dt_rec *r = ctx;
	r->gap_events++;
	r->gap_total += n;
}

static inline void dt_on_info(void *ctx, const char *k, const char *v)
{
	struct dt_rec *r = ctx;
	for (size_t i = 0; i < r->ninfo; i++)
		if (strcmp(r->info_key[i], k) == 0) {
			snprintf(r->info_val[i], sizeof(r->info_val[i]), "%s", v);
			return;
		}
	if (r->ninfo < DT_INFO_MAX) {
		snprintf(r->info_key[r->ninfo], sizeof(r->info_key[0]), "%s", k);
		snprintf(r->info_val[r->ninfo], sizeof(r->info_val[0]), "%s", v);
		r->ninfo++;
	}
}

/* Last value of an info key, or NULL. */
static inline const char *dt_info(const struct dt_rec *r, const char *k)
{
	for (size_t i = 0; i < r->ninfo; i++)
		if (strcmp(r->info_key[i], k) == 0)
			return r->info_val[i];
	return NULL;
}

/* New instance with a recording sink; link may be NULL or DT_FAKE_LINK. */
static inline struct drv_instance *dt_new(const struct drv_ops *ops,
					  struct dt_rec *r, const char *opts,
					  struct link *l, int *err)
{
	struct drv_sink sink = {
		.ctx = r,
		.samples = dt_on_samples,
		.beat = dt_on_beat,
		.gap = dt_on_gap,
		.info = dt_on_info,
	};
	memset(r, 0, sizeof(*r));
	dt_nwritten = 0;
	return drv_instance_new(ops, &sink, opts, l, err);
}

static inline void dt_feed_str(struct drv_instance *d, const char *s)
{
	assert_int_equal(drv_instance_feed(d, (const uint8_t *)s, strlen(s)), 0);
}

/* Whole file into a malloc'ed buffer; NULL when missing. */
static inline uint8_t *dt_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(sz > 0 ? (size_t)sz : 1);
	*n = sz > 0 ? fread(b, 1, (size_t)sz, f) : 0;
	fclose(f);
	return b;
}

/*
 * Round trip: the emulator of the same name produces bytes for duration_s
 * (advanced every step_s), the driver decodes them with now = t0_ns + t,
 * and whatever the driver writes (handshake, polls) goes back to the
 * emulator. Returns the emulator's fault counters in *fs.
 */
static inline struct drv_instance *dt_roundtrip(const struct drv_ops *ops,
						struct dt_rec *r,
						const char *opts, uint64_t seed,
						const struct emu_faults *faults,
						double duration_s, double step_s,
						int64_t t0_ns,
						struct emu_fault_stats *fs)
{
	int err = 0;
	struct emu *e = emu_new(ops->name, seed, faults, &err);
	assert_non_null(e);
	struct drv_instance *d = dt_new(ops, r, opts, DT_FAKE_LINK, &err);
	assert_non_null(d);
	long steps = lround(duration_s / step_s);
	for (long i = 0; i <= steps; i++) {
		double t = (double)i * step_s;
		int64_t now = t0_ns + (int64_t)llround(t * 1e9);
		drv_instance_tick(d, now);
		if (dt_nwritten) {
			emu_rx(e, dt_written, dt_nwritten);
			dt_nwritten = 0;
		}
		const uint8_t *out;
		size_t n = emu_advance(e, t, &out);
		drv_instance_set_now(d, now);
		assert_int_equal(drv_instance_feed(d, out, n), 0);
		if (dt_nwritten) {
			emu_rx(e, dt_written, dt_nwritten);
			dt_nwritten = 0;
		}
	}
	*fs = *emu_fault_stats(e);
	emu_destroy(&e);
	return d;
}

/* True beats of the simulator of the emulators (same seed) in [0, t1_s). */
static inline size_t dt_truth_beats(uint64_t seed, double t1_s,
				    struct sim_beat *out, size_t cap)
{
	struct sim_config cfg = {.seed = seed, .n_emg = 2};
	int err = 0;
	struct sim *s = sim_new(&cfg, &err);
	assert_non_null(s);
	size_t n = 0;
	for (double t = 0.0; t < t1_s && n < cap; t += 1.0)
		n += sim_beats(s, t, t + 1.0 < t1_s ? t + 1.0 : t1_s, out + n, cap - n);
	sim_destroy(&s);
	return n;
}

/*
 * Every known RR the driver reported (rr_ms > 0) must be a true RR within
 * tol_ms, in order: a beat not marked DRV_BEAT_AFTER_GAP must be the true
 * beat right after the previous one reported; after a gap (or at the start)
 * the next true beat that matches is taken. Returns how many matched.
 */
static inline size_t dt_match_rr(const struct dt_rec *r,
				 const struct sim_beat *truth, size_t nt,
				 double tol_ms)
{
	size_t j = 0, matched = 0;
	int chained = 0; /* truth[j - 1] was the previous reported beat */
	for (size_t i = 0; i < r->nbeats; i++) {
		double rr = r->beats[i].rr_ms;
		int gap = (r->beats[i].flags & DRV_BEAT_AFTER_GAP) != 0;
		if (rr <= 0.0) {
			chained = 0;
			continue;
		}
		if (chained && !gap) {
			if (j >= nt || fabs(truth[j].rr_ms - rr) > tol_ms)
				fail_msg("beat %zu: RR %.3f ms, true RR of the next beat %.3f",
					 i, rr, j < nt ? truth[j].rr_ms : -1.0);
		} else {
			while (j < nt && fabs(truth[j].rr_ms - rr) > tol_ms)
				j++;
			if (j == nt)
				fail_msg("beat %zu: RR %.3f ms matches no true RR", i, rr);
		}
		matched++;
		j++;
		chained = 1;
	}
	return matched;
}

/* Root of the project (run.sh exports VG_ROOT). */
static inline const char *dt_root(void)
{
	const char *r = getenv("VG_ROOT");
	return r && *r ? r : ".";
}

static inline uint64_t dt_stat(const struct drv_stats *s, const char *name)
{
	if (!strcmp(name, "frames_ok")) return s->frames_ok;
	if (!strcmp(name, "garbage_bytes")) return s->garbage_bytes;
	if (!strcmp(name, "checksum_errors")) return s->checksum_errors;
	if (!strcmp(name, "gaps")) return s->gaps;
	if (!strcmp(name, "samples_missing")) return s->samples_missing;
	if (!strcmp(name, "beats")) return s->beats;
	fail_msg("unknown stat %s", name);
	return 0;
}

/* Feed buf in chunks: split at k (0 = whole), or 1-byte chunks if k == SIZE_MAX. */
static inline void dt_check_one(const struct drv_ops *ops, const cJSON *exp,
				const char *opts, const uint8_t *buf, size_t n,
				size_t k, const char *name)
{
	static struct dt_rec r;
	int err = 0;
	struct drv_instance *d = dt_new(ops, &r, opts, NULL, &err);
	if (!d)
		fail_msg("%s: open failed: %s", name, vg_strerror(err));
	drv_instance_set_now(d, 1000000000000000000LL);
	if (k == SIZE_MAX) {
		for (size_t i = 0; i < n; i++)
			assert_int_equal(drv_instance_feed(d, buf + i, 1), 0);
	} else if (k == 0) {
		assert_int_equal(drv_instance_feed(d, buf, n), 0);
	} else {
		assert_int_equal(drv_instance_feed(d, buf, k), 0);
		assert_int_equal(drv_instance_feed(d, buf + k, n - k), 0);
	}

	const cJSON *beats = cJSON_GetObjectItem(exp, "beats");
	if (beats) {
		if ((size_t)cJSON_GetArraySize(beats) != r.nbeats)
			fail_msg("%s split %zu: %zu beats, expected %d", name, k,
				 r.nbeats, cJSON_GetArraySize(beats));
		for (size_t i = 0; i < r.nbeats; i++) {
			const cJSON *b = cJSON_GetArrayItem(beats, (int)i);
			double rr = cJSON_GetObjectItem(b, "rr_ms")->valuedouble;
			double hr = cJSON_GetObjectItem(b, "hr_bpm")->valuedouble;
			int ag = cJSON_IsTrue(cJSON_GetObjectItem(b, "after_gap"));
			if (fabs(r.beats[i].rr_ms - rr) > DT_RR_TOL_MS ||
			    fabs(r.beats[i].hr_bpm - hr) > 1e-9 ||
			    !!(r.beats[i].flags & DRV_BEAT_AFTER_GAP) != ag)
				fail_msg("%s split %zu beat %zu: rr %.3f hr %.1f gap %u, expected %.3f %.1f %d",
					 name, k, i, r.beats[i].rr_ms, r.beats[i].hr_bpm,
					 r.beats[i].flags, rr, hr, ag);
		}
	}
	const cJSON *smp = cJSON_GetObjectItem(exp, "samples");
	if (smp) {
		if ((size_t)cJSON_GetArraySize(smp) != r.nsamples)
			fail_msg("%s split %zu: %zu samples, expected %d", name, k,
				 r.nsamples, cJSON_GetArraySize(smp));
		for (size_t i = 0; i < r.nsamples; i++)
			if (fabs(r.samples[i] - cJSON_GetArrayItem(smp, (int)i)->valuedouble) > 1e-6)
				fail_msg("%s split %zu sample %zu: %f", name, k, i,
					 (double)r.samples[i]);
	}
	const cJSON *idx = cJSON_GetObjectItem(exp, "sample_index");
	if (idx) {
		assert_int_equal((size_t)cJSON_GetArraySize(idx), r.nsamples);
		for (size_t i = 0; i < r.nsamples; i++)
			if (r.index[i] != (uint64_t)cJSON_GetArrayItem(idx, (int)i)->valuedouble)
				fail_msg("%s split %zu: sample %zu has index %llu", name, k,
					 i, (unsigned long long)r.index[i]);
	}
	const cJSON *st = cJSON_GetObjectItem(exp, "stats");
	const cJSON *it;
	cJSON_ArrayForEach(it, st) {
		uint64_t got = dt_stat(drv_instance_stats(d), it->string);
		if (got != (uint64_t)it->valuedouble)
			fail_msg("%s split %zu: %s = %llu, expected %.0f", name, k,
				 it->string, (unsigned long long)got, it->valuedouble);
	}
	const cJSON *info = cJSON_GetObjectItem(exp, "info");
	cJSON_ArrayForEach(it, info) {
		const char *got = dt_info(&r, it->string);
		if (!got || strcmp(got, it->valuestring) != 0)
			fail_msg("%s split %zu: info %s = %s, expected %s", name, k,
				 it->string, got ? got : "(none)", it->valuestring);
	}
	/* no gap went unreported to the host */
	assert_int_equal(r.gap_total, drv_instance_stats(d)->samples_missing);
	drv_instance_destroy(&d);
	assert_null(d);
}

/* Run every vector of tests/vectors/<dir>/; returns how many were checked. */
static inline int dt_vectors(const struct drv_ops *ops, const char *dir)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/vectors/%s", dt_root(), dir);
	DIR *dd = opendir(path);
	if (!dd)
		fail_msg("no vector directory %s", path);
	struct dirent *de;
	int count = 0;
	while ((de = readdir(dd)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 8 || strcmp(de->d_name + l - 7, ".expect") != 0)
			continue;
		char jp[1200], bp[1200], op[1200];
		snprintf(jp, sizeof(jp), "%s/%s", path, de->d_name);
		snprintf(bp, sizeof(bp), "%s/%.*s.bin", path, (int)(l - 7), de->d_name);
		snprintf(op, sizeof(op), "%s/%.*s.opts", path, (int)(l - 7), de->d_name);
		size_t jn = 0, bn = 0, on = 0;
		uint8_t *js = dt_slurp(jp, &jn);
		uint8_t *bin = dt_slurp(bp, &bn);
		char opts[512] = "";
		uint8_t *ob = dt_slurp(op, &on);
		if (ob) {
			while (on > 0 && (ob[on - 1] == '\n' || ob[on - 1] == '\r'))
				on--;
			snprintf(opts, sizeof(opts), "%.*s", (int)on, (const char *)ob);
			free(ob);
		}
		if (!js || !bin)
			fail_msg("vector %s: missing .expect or .bin", de->d_name);
		char *jz = realloc(js, jn + 1);
		jz[jn] = '\0';
		cJSON *exp = cJSON_Parse(jz);
		if (!exp)
			fail_msg("vector %s: bad JSON", de->d_name);
		dt_check_one(ops, exp, opts, bin, bn, 0, de->d_name);
		dt_check_one(ops, exp, opts, bin, bn, SIZE_MAX, de->d_name);
		for (size_t k = 1; k < bn; k++)
			dt_check_one(ops, exp, opts, bin, bn, k, de->d_name);
		cJSON_Delete(exp);
		free(jz);
		free(bin);
		count++;
	}
	closedir(dd);
	return count;
}

#endif
