/*
 * test_sim.c - the simulator is the truth for later tests, so test it:
 * determinism across block sizes, beats follow the scenario, R peaks sit
 * at the true beat times, EMG RMS follows the tension profile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_model.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct sim *mk(uint64_t seed, const char *scen)
{
	struct sim_config c = { .seed = seed, .n_emg = 2,
				.scenario = scen ? sim_scenario_find(scen) : NULL };
	int err = 0;
	struct sim *s = sim_new(&c, &err);
	assert_non_null(s);
	return s;
}

static void deterministic_any_blocks(void **state)
{
	(void)state;
	struct sim *a = mk(7, NULL), *b = mk(7, NULL), *c = mk(8, NULL);
	enum { N = 5000 };
	float *x = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float)),
	      *z = malloc(N * sizeof(float));
	sim_ecg(a, x, N);
	for (size_t i = 0; i < N;) { /* odd block sizes */
		size_t k = (i % 7) + 1;
		if (i + k > N)
			k = N - i;
		sim_ecg(b, y + i, k);
		i += k;
	}
	sim_ecg(c, z, N);
	assert_memory_equal(x, y, N * sizeof(float));
	assert_memory_not_equal(x, z, N * sizeof(float));
	sim_emg(a, 1, x, N);
	sim_emg(b, 1, y, 1234);
	sim_emg(b, 1, y + 1234, N - 1234);
	assert_memory_equal(x, y, N * sizeof(float));
	free(x); free(y); free(z);
	sim_destroy(&a); sim_destroy(&b); sim_destroy(&c);
	assert_null(a);
}

static void beats_follow_scenario(void **state)
{
	(void)state;
	struct sim *s = mk(3, NULL);
	static struct sim_beat bt[2000];
	size_t n = sim_beats(s, 10.0, 90.0, bt, 2000); /* baseline, HR 66 */
	assert_true(n > 70 && n < 110);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += bt[i].rr_ms;
	double mean = sum / (double)n;
	assert_true(fabs(mean - 60000.0 / 66) < 0.03 * 60000.0 / 66);
	/* paced breathing phase has larger beat-to-beat swings than the hold */
	size_t n1 = sim_beats(s, 190.0, 240.0, bt, 2000);
	double d1 = 0;
	for (size_t i = 1; i < n1; i++)
		d1 += fabs(bt[i].rr_ms - bt[i - 1].rr_ms);
	d1 /= (double)(n1 - 1);
	size_t n2 = sim_beats(s, 500.0, 560.0, bt, 2000);
	double d2 = 0;
	for (size_t i = 1; i < n2; i++)
		d2 += fabs(bt[i].rr_ms - bt[i - 1].rr_ms);
	d2 /= (double)(n2 - 1);
	assert_true(d2 > 1.5 * d1);
	struct sim_truth tr;
	sim_truth_at(s, 500.0, &tr);
	assert_true(fabs(tr.resp_bpm - 5.5) < 1e-9);
	sim_destroy(&s);
}

static void r_peaks_at_true_beats(void **state)
{
	(void)state;
	struct sim *s = mk(5, NULL);
	double fs = sim_ecg_fs(s);
	enum { N = 30 * 500 };
	float *x = malloc(N * sizeof(float));
	sim_ecg(s, x, N);
	static struct sim_beat bt[100];
	size_t n = sim_beats(s, 1.0, 29.0, bt, 100);
	assert_true(n > 25);
	for (size_t i = 0; i < n; i++) {
		long c = lround(bt[i].t_s * fs), best = c;
		for (long k = c - 25; k <= c + 25; k++)
			if (x[k] > x[best])
				best = k;
		assert_true(labs(best - c) <= 1);
		assert_true(x[best] > 0.9 && x[best] < 1.6);
	}
	free(x);
	sim_destroy(&s);
}

static void emg_rms_follows_tension(void **state)
{
	(void)state;
	struct sim *s = mk(9, NULL);
	double fs = sim_emg_fs(s);
	size_t win = (size_t)fs; /* 1 s windows */
	float *x = malloc(win * sizeof(float));
	int checked = 0;
	for (int sec = 0; sec < 300; sec++) {
		sim_emg(s, 0, x, win);
		double ss = 0, mean = 0;
		for (size_t i = 0; i < win; i++)
			mean += x[i];
		mean /= (double)win;
		for (size_t i = 0; i < win; i++)
			ss += (x[i] - mean) * (x[i] - mean);
		double rms = sqrt(ss / (double)win);
		/* truth: mean square over the second */
		double tm = 0;
		for (int k = 0; k < 10; k++) {
			struct sim_truth tr;
			sim_truth_at(s, sec + (k + 0.5) / 10.0, &tr);
			tm += tr.emg_rms_uv[0] * tr.emg_rms_uv[0];
		}
		double truth = sqrt(tm / 10.0);
		if (fabs(rms - truth) > 0.12 * truth)
			fail_msg("second %d: rms %.2f truth %.2f", sec, rms, truth);
		checked++;
	}
	assert_int_equal(checked, 300);
	free(x);
	sim_destroy(&s);
}

static void bad_config_refused(void **state)
{
	(void)state;
	struct sim_config c = { .n_emg = 9 };
	int err = 0;
	assert_null(sim_new(&c, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	assert_null(sim_scenario_find("nope"));
	assert_non_null(sim_scenario_find("paced6"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deterministic_any_blocks),
		cmocka_unit_test(beats_follow_scenario),
		cmocka_unit_test(r_peaks_at_true_beats),
		cmocka_unit_test(emg_rms_follows_tension),
		cmocka_unit_test(bad_config_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
