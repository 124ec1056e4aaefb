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

static void set(struct hrv_result *r, double mean_nn, double rmssd)
{
	r->mean_nn_ms = mean_nn;
	r->rmssd_ms = rmssd;
	r->sd1_ms = rmssd / sqrt(2.0);
	r->pns_index = calm_pns_index(mean_nn, rmssd, r->sd1_ms);
}

static void test_calm_baseline_and_trend(void **st)
{
	(void)st;
	int err = 0;
	assert_null(calm_new(0.0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	struct calm *c = calm_new(60.0, NULL);
	struct hrv_result r = { 0 };
	/* baseline: 800 ms, RMSSD 30 ms for 60 s (one result a second); calm
	 * is null for the first CALM_PROVISIONAL_S, then provisional against
	 * the median so far (exactly 50 for constant figures) */
	for (int i = 0; i < 60; i++) {
		set(&r, 800.0, 30.0);
		calm_update(c, (int64_t)i * 1000000000, &r);
		if (i < (int)CALM_PROVISIONAL_S)
			assert_true(isnan(r.calm));
		else
			assert_float_equal(r.calm, 50.0, 1e-9);
	}
	set(&r, 800.0, 30.0);
	calm_update(c, 60000000000, &r);
	assert_float_equal(calm_baseline(c), calm_pns_index(800.0, 30.0, 30.0 / sqrt(2.0)), 1e-12);
	assert_float_equal(r.calm, 50.0, 1e-9);
	/* then the heart slows: ln mean NN rises by 2 x CALM_SD_LN_RR per
	 * minute (z +1 per minute at weight 0.5) */
	double last = 0;
	for (int i = 1; i <= 60; i++) {
		set(&r, 800.0 * exp(2.0 * CALM_SD_LN_RR * i / 60.0), 30.0);
		calm_update(c, (int64_t)(60 + i) * 1000000000, &r);
		assert_true(r.calm > last);
		last = r.calm;
	}
	assert_float_equal(r.calm, 50.0 + 50.0 * tanh(2.0 * CALM_W_RR / CALM_SCALE_Z), 1e-9);
	assert_true(r.calm_trend > 20.0 && r.calm_trend < 50.0);
	/* no figures: no calm, no crash */
	set(&r, NAN, 30.0);
	calm_update(c, 121000000000, &r);
	assert_true(isnan(r.calm) && isnan(r.calm_trend));
	set(&r, 800.0, 0.0);
	calm_update(c, 121500000000, &r);
	assert_true(isnan(r.calm));
	/* a big drop is clamped to [0, 100] */
	set(&r, 400.0, 3.0);
	calm_update(c, 122000000000, &r);
	assert_true(r.calm >= 0.0 && r.calm < 1.0);
	calm_reset(c);
	assert_true(isnan(calm_baseline(c)));
	calm_destroy(&c);
	assert_null(c);
}

/* Personal: the same relative change gives the same calm to a person at
 * RMSSD 15 ms and one at 80 ms (absolute z-scores would not), and a faster
 * heart with unchanged variability lowers calm. */
static double calm_after(double base_nn, double base_rmssd, double nn, double rmssd)
{
	struct calm *c = calm_new(10.0, NULL);
	struct hrv_result r = { 0 };
	for (int i = 0; i <= 10; i++) {
		set(&r, base_nn, base_rmssd);
		calm_update(c, (int64_t)i * 1000000000, &r);
	}
	set(&r, nn, rmssd);
	calm_update(c, 11000000000, &r);
	calm_destroy(&c);
	return r.calm;
}

static void test_calm_personal(void **st)
{
	(void)st;
	double low = calm_after(700.0, 15.0, 700.0, 10.0);
	double high = calm_after(1000.0, 80.0, 1000.0, 80.0 * 10.0 / 15.0);
	assert_float_equal(low, high, 1e-9);
	assert_true(low < 40.0);
	assert_true(calm_after(900.0, 40.0, 800.0, 40.0) < 30.0);
	assert_true(calm_after(900.0, 40.0, 1000.0, 50.0) > 75.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pns_norms),
		cmocka_unit_test(test_calm_baseline_and_trend),
		cmocka_unit_test(test_calm_personal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
