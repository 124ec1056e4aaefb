/*
 * test_hrv_chain.c - the whole chain from raw ECG (detector, RR cleaning,
 * HRV) against the same HRV from the cardiologists' beat annotations, on
 * 5-minute windows of MIT-BIH Arrhythmia Database records with few ectopic
 * beats (PhysioNet mitdb 112, 220 and 230 here; 115 and 122 in the bench,
 * tests/bench/bench_hrv_chain.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../support/vgtest.h"
#include "hrv.h"
#include "nn_detect.h"
#include "wfdb_ann.h"

#define NS(s) ((int64_t)llround((s) * 1e9))

static void window(struct hrv *h, const double *t, const double *v, const unsigned *fl,
		   size_t n, double from, struct hrv_result *r)
{
	hrv_reset(h);
	for (size_t i = 0; i < n; i++)
		if (t[i] >= from && t[i] < from + 300.0)
			hrv_push(h, NS(t[i]), v[i], fl ? fl[i] : 0);
	assert_int_equal(hrv_compute_span(h, NS(from), NS(from + 300.0), r), 0);
}

static void chain(const char *rec)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "mitdb/%s", rec);
	struct wfdb_ann *a = NULL;
	size_t na = 0;
	double fs = 0;
	assert_int_equal(wfdb_ann_load(vgt_data(rel), "atr", &a, &na, &fs), 0);
	struct wfdb_nn *nn = malloc(na * sizeof(*nn));
	size_t n_ref = wfdb_ann_nn(a, na, fs, nn);
	double *rt = malloc(n_ref * sizeof(double)), *rv = malloc(n_ref * sizeof(double));
	for (size_t i = 0; i < n_ref; i++) {
		rt[i] = nn[i].t_s;
		rv[i] = nn[i].nn_ms;
	}
	struct nn_detect_result d;
	assert_int_equal(nn_detect_record(vgt_data(rel), 0, 0.0, 0.0, &d), 0);
	double *dt = malloc(d.n_nn * sizeof(double)), *dv = malloc(d.n_nn * sizeof(double));
	unsigned *df = malloc(d.n_nn * sizeof(unsigned));
	for (size_t i = 0; i < d.n_nn; i++) {
		dt[i] = d.nn[i].t_s;
		dv[i] = d.nn[i].nn_ms;
		df[i] = d.nn[i].flags;
	}
	struct hrv *h = hrv_new(300.0, NULL);
	for (double from = 0.0; from + 300.0 <= 1800.0; from += 300.0) {
		struct hrv_result ref, det;
		window(h, rt, rv, NULL, n_ref, from, &ref);
		window(h, dt, dv, df, d.n_nn, from, &det);
		double e_rmssd = 100.0 * (det.rmssd_ms - ref.rmssd_ms) / ref.rmssd_ms;
		double e_hf = 100.0 * (det.hf_ms2 - ref.hf_ms2) / ref.hf_ms2;
		print_message("mitdb %s [%4.0f, %4.0f): RMSSD %.2f vs %.2f ms (%+.2f %%), HF %.1f vs "
			      "%.1f ms2 (%+.2f %%), artifacts %.2f %%\n",
			      rec, from, from + 300, det.rmssd_ms, ref.rmssd_ms, e_rmssd, det.hf_ms2,
			      ref.hf_ms2, e_hf, det.artifacts_pct);
		assert_true(fabs(e_rmssd) <= 5.0);
		assert_true(fabs(e_hf) <= 5.0);
	}
	hrv_destroy(&h);
	nn_detect_free(&d);
	free(dt);
	free(dv);
	free(df);
	free(rt);
	free(rv);
	free(nn);
	free(a);
}

static void test_mitdb_112(void **st)
{
	(void)st;
	chain("112");
}

static void test_mitdb_230(void **st)
{
	(void)st;
	chain("230");
}

/* 220: atrial premature beats in bursts, many only 5-15 % early: needs the
 * threshold history without replaced artifacts, the couplet pause and the
 * P-wave judgement (rr.c rules 1b, 1c) */
static void test_mitdb_220(void **st)
{
	(void)st;
	chain("220");
}

static void test_bad_record(void **st)
{
	(void)st;
	struct nn_detect_result d;
	assert_true(nn_detect_record(vgt_data("mitdb/nonexistent"), 0, 0, 10, &d) < 0);
	assert_true(nn_detect_record(vgt_data("mitdb/112"), 7, 0, 10, &d) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mitdb_112),
		cmocka_unit_test(test_mitdb_230),
		cmocka_unit_test(test_mitdb_220),
		cmocka_unit_test(test_bad_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
