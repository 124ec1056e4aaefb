/*
 * test_xtalk.c - early QRS marks (xtalk.h) and the EMG crosstalk gating
 * they drive through the pipeline (pipeline.h), against the simulator's
 * truth.
 *
 * The simulator (sim_model.h) gives the true R-peak times and, with
 * emg_xtalk_uv, adds the ECG's QRS to each EMG channel. Checks: a mark for
 * nearly every beat, on its R peak, soon after it, and few false ones; the
 * EMG envelope at rest equals the true EMG (crosstalk gated out) although
 * it is only PL_EMG_ECG_DELAY_MS late instead of the beat detector's
 * 320 ms, whichever order the ECG and EMG blocks are fed in; and the
 * crosstalk was real (without an ECG input the envelope is far too high).
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

#include "pipeline.h"
#include "sim_model.h"
#include "vg_err.h"
#include "xtalk.h"

#define ECG_FS 500.0
#define EMG_FS 1000.0

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Marks against the true beats of 120 s of the calm scenario. */
static void test_marks(void **st)
{
	(void)st;
	struct sim_config c = { .seed = 3, .ecg_fs_hz = ECG_FS, .n_emg = 0,
				.scenario = sim_scenario_find("surge") };
	int err;
	struct sim *s = sim_new(&c, &err);
	assert_non_null(s);
	struct xtalk *x = xtalk_new(ECG_FS, &err);
	assert_non_null(x);
	const double dur = 120.0;
	size_t n = (size_t)(dur * ECG_FS);
	float *ecg = malloc(n * sizeof(*ecg));
	assert_non_null(ecg);
	sim_ecg(s, ecg, n);
	struct sim_beat *tb = calloc(400, sizeof(*tb));
	size_t nb = sim_beats(s, 0.0, dur, tb, 400);
	assert_true(nb > 100);

	/* marks (R estimate, sample when given); the truth taught as a
	 * detector would: each beat 0.3 s after its R peak */
	int64_t *mr = calloc(2000, sizeof(*mr)), *mat = calloc(2000, sizeof(*mat));
	size_t nm = 0, next_teach = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t r;
		if (xtalk_step(x, ecg[i], &r) && nm < 2000) {
			mr[nm] = r;
			mat[nm++] = (int64_t)i;
		}
		while (next_teach < nb && tb[next_teach].t_s + 0.3 <= (double)i / ECG_FS) {
			xtalk_beat(x, (int64_t)lround(tb[next_teach].t_s * ECG_FS));
			next_teach++;
		}
	}
	/* score after the first 5 s (learning) */
	size_t found = 0, total = 0, used = 0;
	double err_ms[400], lag_ms[400];
	for (size_t k = 0; k < nb; k++) {
		if (tb[k].t_s < 5.0 || tb[k].t_s > dur - 1.0)
			continue;
		total++;
		double rs = tb[k].t_s * ECG_FS;
		for (size_t m = 0; m < nm; m++)
			if (fabs((double)mr[m] - rs) < 0.08 * ECG_FS) {
				err_ms[found] = fabs((double)mr[m] - rs) / ECG_FS * 1e3;
				lag_ms[found] = ((double)mat[m] - rs) / ECG_FS * 1e3;
				found++;
				break;
			}
	}
	for (size_t m = 0; m < nm; m++)
		if (mat[m] > (int64_t)(5.0 * ECG_FS))
			used++;
	qsort(err_ms, found, sizeof(double), cmp_d);
	qsort(lag_ms, found, sizeof(double), cmp_d);
	double p99_err = err_ms[(size_t)(0.99 * (double)(found - 1))];
	double p99_lag = lag_ms[(size_t)(0.99 * (double)(found - 1))];
	printf("  xtalk: %zu of %zu beats marked, %zu marks in all; R error p99 %.1f ms; "
	       "mark %.1f ms (median) / %.1f ms (p99) after R; %llu beats not covered\n",
	       found, total, used, p99_err, lag_ms[found / 2], p99_lag,
	       (unsigned long long)xtalk_missed(x));
	assert_true(found >= total - 1);   /* a mark for every beat (bar one) */
	assert_true(used <= found + 2);    /* hardly a false mark */
	assert_true(p99_err <= 10.0);      /* on the R peak */
	assert_true(p99_lag <= 50.0);      /* soon: the gate opens 50 ms before R */
	assert_true(xtalk_missed(x) <= 2);
	assert_int_equal(xtalk_marks(x), nm);

	/* hostile input: NaN, huge values, a gap; nothing breaks, marks go on */
	float bad[4] = { NAN, INFINITY, -1e30f, 0.0f };
	for (int i = 0; i < 4; i++)
		(void)xtalk_step(x, bad[i], NULL);
	xtalk_gap(x, 1000);
	assert_int_equal(xtalk_beat(x, -5), 0);
	assert_int_equal(xtalk_beat(x, INT64_MAX), 0);
	free(ecg);
	free(tb);
	free(mr);
	free(mat);
	xtalk_destroy(&x);
	assert_null(x);
	xtalk_destroy(&x);
	assert_null(xtalk_new(50.0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	sim_destroy(&s);
}

/* --------------------------------------------------------- pipeline */

struct emg_acc {
	double sum, latest_fed_s, worst_lag_s;
	int n;
	double from_s;
	int64_t origin_ns;
};
static struct emg_acc acc;

static void on_emg(void *ctx, const struct pl_emg *e)
{
	(void)ctx;
	if (e->r.channel != 0 || !isfinite(e->r.rms_uv))
		return;
	double t = (double)(e->t_ns - acc.origin_ns) * 1e-9;
	double lag = acc.latest_fed_s - t; /* how late the result is */
	if (t > acc.from_s) {
		acc.sum += e->r.rms_uv;
		acc.n++;
		if (lag > acc.worst_lag_s)
			acc.worst_lag_s = lag;
	}
}

/* 60 s of rest EMG (7.7 uV) with 300 uV crosstalk (its QRS is mostly under the EMG's 20 Hz high-pass); blocks of block_ms,
 * ECG first or EMG first; with_ecg = 0 leaves the ECG input out. Returns
 * the mean envelope over 10-60 s. */
static double run_pipeline(double block_ms, int emg_first, int with_ecg, double *lag_s)
{
	struct sim_config c = { .seed = 9, .ecg_fs_hz = ECG_FS, .emg_fs_hz = EMG_FS,
				.n_emg = 1, .emg_xtalk_uv = 300.0, .emg_max_uv = 50.0,
				.scenario = sim_scenario_find("calm") };
	int err;
	struct sim *s = sim_new(&c, &err);
	assert_non_null(s);
	memset(&acc, 0, sizeof(acc));
	acc.from_s = 10.0;
	acc.origin_ns = 1000000000LL;
	struct pl_output out = { .emg = on_emg };
	struct pipeline *pl = pl_new(NULL, &out, &err);
	assert_non_null(pl);
	int ie = -1;
	if (with_ecg)
		ie = pl_add_input(pl, PL_IN_ECG, ECG_FS, "ECG", acc.origin_ns);
	int im = pl_add_input(pl, PL_IN_EMG, EMG_FS, "trapezius-left", acc.origin_ns);
	assert_true(im >= 0);
	size_t ne = (size_t)lround(block_ms * 1e-3 * ECG_FS);
	size_t nm = (size_t)lround(block_ms * 1e-3 * EMG_FS);
	float ecg[256], emg[512];
	assert_true(ne <= 256 && nm <= 512);
	double fed_s = 0.0;
	for (int b = 0; fed_s < 60.0; b++) {
		sim_ecg(s, ecg, ne);
		sim_emg(s, 0, emg, nm);
		fed_s = (double)(b + 1) * block_ms * 1e-3;
		acc.latest_fed_s = fed_s;
		if (emg_first)
			pl_feed(pl, im, emg, nm);
		if (ie >= 0)
			pl_feed(pl, ie, ecg, ne);
		if (!emg_first)
			pl_feed(pl, im, emg, nm);
	}
	struct sim_truth tr;
	sim_truth_at(s, 30.0, &tr);
	double truth = tr.emg_rms_uv[0];
	pl_destroy(&pl);
	sim_destroy(&s);
	if (lag_s)
		*lag_s = acc.worst_lag_s;
	double mean = acc.sum / acc.n;
	printf("  pipeline: blocks %.0f ms, %s first%s: rest EMG %.2f uV (truth %.2f), "
	       "results at most %.0f ms late\n", block_ms, emg_first ? "EMG" : "ECG",
	       with_ecg ? "" : ", no ECG input", mean, truth, acc.worst_lag_s * 1e3);
	return mean / truth;
}

static void test_pipeline_gating(void **st)
{
	(void)st;
	double lag;
	double ratio = run_pipeline(10.0, 0, 1, &lag);
	assert_true(fabs(ratio - 1.0) < 0.10);
	assert_true(lag <= 0.135); /* 120 ms delay line + one block + rounding */
	ratio = run_pipeline(40.0, 1, 1, &lag); /* EMG fed 40 ms before its ECG */
	assert_true(fabs(ratio - 1.0) < 0.10);
	ratio = run_pipeline(10.0, 0, 0, NULL);
	assert_true(ratio > 1.5); /* the crosstalk was real */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_pipeline_gating),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
