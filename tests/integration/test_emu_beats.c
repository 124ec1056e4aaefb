/*
 * test_emu_beats.c - end to end without hardware: each framed device's
 * emulator (OpenBCI, BITalino, P2) -> its byte stream -> its driver with
 * default options -> the QRS detector on the ECG channel; the beats must be
 * the simulator's true beats.
 *
 * Problem: unit tests check each piece; this checks that the pieces agree on
 * time and scale (sample indices, mV, the P2's run-time baseline) so that a
 * real device's beats land where they should.
 * Truth: sim_beats() of a simulator with the emulator's seed. A detected
 * beat matches a true one within 50 ms; the first 5 s (detector warm-up)
 * are not scored. Targets: sensitivity and positive predictivity >= 0.99,
 * mean |timing error| <= 10 ms.
 */
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
#include "qrs.h"
#include "sim_model.h"

#define SECONDS 90.0
#define WARMUP_S 5.0
#define MATCH_S 0.050
#define MAX_BEATS 512

struct run {
	struct qrs *q;
	double fs_hz;
	double t_s[MAX_BEATS];
	size_t n;
};

static void on_beat(void *ctx, const struct qrs_beat *b)
{
	struct run *r = ctx;
	if (r->n < MAX_BEATS)
		r->t_s[r->n++] = b->sample_frac / r->fs_hz;
}

static void on_samples(void *ctx, unsigned ch, const float *v, size_t n, uint64_t first)
{
	struct run *r = ctx;
	(void)first;
	if (ch == 0)
		qrs_feed(r->q, v, n);
}

static void check(const char *name, uint64_t seed)
{
	int err = 0;
	struct emu *e = emu_new(name, seed, NULL, &err);
	assert_non_null(e);
	emu_autostart(e);
	struct run r = { 0 };
	struct drv_sink sink = { .ctx = &r, .samples = on_samples };
	struct drv_instance *d = drv_instance_new(drv_find(name), &sink, NULL, NULL, &err);
	assert_non_null(d);
	const struct drv_channel *c = drv_instance_channel(d, 0);
	assert_int_equal(c->kind, DRV_SIG_ECG);
	r.fs_hz = c->rate_hz;
	r.q = qrs_new(r.fs_hz, on_beat, &r, &err);
	assert_non_null(r.q);
	for (long k = 1; k <= (long)(SECONDS * 100); k++) {
		const uint8_t *out;
		size_t n = emu_advance(e, (double)k * 0.01, &out);
		drv_instance_feed(d, out, n);
	}
	struct sim_config cfg = { .seed = seed, .ecg_fs_hz = r.fs_hz, .emg_fs_hz = r.fs_hz, .n_emg = 2 };
	struct sim *s = sim_new(&cfg, &err);
	assert_non_null(s);
	struct sim_beat truth[MAX_BEATS];
	/* the detector decides up to qrs_delay_s() late: score until then */
	double t_end = SECONDS - qrs_delay_s(r.q) - 0.5;
	/* truths a little beyond the scored window, so that edge beats match */
	size_t nt_all = sim_beats(s, WARMUP_S - 1.0, t_end + 1.0, truth, MAX_BEATS);
	size_t nt = 0, tp = 0, fp = 0;
	for (size_t j = 0; j < nt_all; j++)
		if (truth[j].t_s >= WARMUP_S && truth[j].t_s < t_end)
			nt++;
	double err_sum = 0;
	for (size_t i = 0; i < r.n; i++) {
		double best = 1e9, tbest = 0;
		for (size_t j = 0; j < nt_all; j++)
			if (fabs(r.t_s[i] - truth[j].t_s) < fabs(best)) {
				best = r.t_s[i] - truth[j].t_s;
				tbest = truth[j].t_s;
			}
		if (fabs(best) <= MATCH_S) {
			if (tbest >= WARMUP_S && tbest < t_end) {
				tp++;
				err_sum += fabs(best);
			}
		} else if (r.t_s[i] >= WARMUP_S && r.t_s[i] < t_end) {
			fp++;
		}
	}
	double se = (double)tp / (double)nt, ppv = (double)tp / (double)(tp + fp);
	double mean_err_ms = tp ? err_sum / (double)tp * 1000.0 : 1e9;
	print_message("%-8s %zu true beats, %zu detected in range, Se %.4f, +P %.4f, "
		      "mean |error| %.2f ms\n", name, nt, tp + fp, se, ppv, mean_err_ms);
	assert_true(nt > 60);
	assert_true(se >= 0.99);
	assert_true(ppv >= 0.99);
	assert_true(mean_err_ms <= 10.0);
	sim_destroy(&s);
	qrs_destroy(&r.q);
	drv_instance_destroy(&d);
	emu_destroy(&e);
}

static void test_openbci(void **state)
{
	(void)state;
	check("openbci", 101);
}

static void test_bitalino(void **state)
{
	(void)state;
	check("bitalino", 102);
}

static void test_p2(void **state)
{
	(void)state;
	check("p2", 103);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openbci),
		cmocka_unit_test(test_bitalino),
		cmocka_unit_test(test_p2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
