/*
 * test_calm.c - pns_index against its published norms and the session
 * relative calm score and trend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "calm.h"
#include "vg_err.h"

static void test_pns_norms(void **st)
{
	(void)st;
	/* the population means give 0 */
	double sd1 = CALM_NORM_SD1_PCT / 100.0 * CALM_NORM_MEAN_RR_MS;
	assert_float_equal(calm_pns_index(CALM_NORM_MEAN_RR_MS, CALM_NORM_RMSSD_MS, sd1), 0.0,
			   1e-9);
	/* the derived SD1 norm is consistent with SD1 = RMSSD/sqrt(2) */
	assert_float_equal(sd1, CALM_NORM_RMSSD_MS / sqrt(2.0), 0.01);
	/* one SD up in each gives +1 */
	double rr = CALM_NORM_MEAN_RR_MS + CALM_NORM_SD_MEAN_RR_MS;
	double sd1p = (CALM_NORM_SD1_PCT + CALM_NORM_SD_SD1_PCT) / 100.0 * rr;
	assert_float_equal(calm_pns_index(rr, CALM_NORM_RMSSD_MS + CALM_NORM_SD_RMSSD_MS, sd1p),
			   1.0, 1e-9);
	/* fast heart, little variability: strongly negative */
	assert_true(calm_pns_index(500.0, 10.0, 7.0) < -2.0);
	assert_true(isnan(calm_pns_index(NAN, 40, 30)));
	assert_true(isnan(calm_pns_index(0.0, 40, 30)));
}

static void test_calm_baseline_and_trend(void **st)
{
	(void)st;
	int err = 0;
	assert_null(calm_new(0.0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	struct calm *c = calm_new(60.0, NULL);
	struct hrv_result r = { 0 };
	/* baseline: pns -0.5 for 60 s (one result a second); calm is null for
	 * the first CALM_PROVISIONAL_S, then provisional against the median so
	 * far (exactly 50 for a constant pns) */
	for (int i = 0; i < 60; i++) {
		r.pns_index = -0.5;
		calm_update(c, (int64_t)i * 1000000000, &r);
		if (i < (int)CALM_PROVISIONAL_S)
			assert_true(isnan(r.calm));
		else
			assert_float_equal(r.calm, 50.0, 1e-9);
	}
	r.pns_index = -0.5;
	calm_update(c, 60000000000, &r);
	assert_float_equal(calm_baseline(c), -0.5, 1e-12);
	assert_float_equal(r.calm, 50.0, 1e-9);
	/* then pns rises linearly by 1 z per minute for a minute */
	double last = 0;
	for (int i = 1; i <= 60; i++) {
		r.pns_index = -0.5 + i / 60.0;
		calm_update(c, (int64_t)(60 + i) * 1000000000, &r);
		assert_true(r.calm > last);
		last = r.calm;
	}
	assert_float_equal(r.calm, 50.0 + 50.0 * tanh(1.0 / CALM_SCALE_Z), 1e-9);
	assert_true(r.calm_trend > 20.0 && r.calm_trend < 50.0);
	/* NAN pns: no calm, no crash */
	r.pns_index = NAN;
	calm_update(c, 121000000000, &r);
	assert_true(isnan(r.calm) && isnan(r.calm_trend));
	/* a big drop is clamped to [0, 100] */
	r.pns_index = -50.0;
	calm_update(c, 122000000000, &r);
	assert_true(r.calm >= 0.0 && r.calm < 1.0);
	calm_reset(c);
	assert_true(isnan(calm_baseline(c)));
	calm_destroy(&c);
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pns_norms),
		cmocka_unit_test(test_calm_baseline_and_trend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
