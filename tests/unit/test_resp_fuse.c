/*
 * test_resp_fuse.c - smart fusion of breathing-rate estimates: agreeing
 * estimates are averaged by quality, disagreeing or poor ones give a null
 * rate with its reason, a lone estimate needs a higher quality, and the
 * track breaks ties; and resp.h end to end on synthetic beats whose
 * modulations disagree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "resp.h"
#include "resp_fuse.h"

#define NS(s) ((int64_t)llround((s) * 1e9))

static void test_agree(void **st)
{
	(void)st;
	struct resp_fuse_params p;
	resp_fuse_defaults(&p);
	p.q_min = 0.4;
	p.agree_bpm = 2.0;
	const double bpm[5] = { 6.0, 15.0, 15.5, NAN, 22.0 };
	const double q[5] = { 0.9, 0.6, 0.8, 0.0, 0.3 };
	struct resp_fused f;
	resp_fuse(bpm, q, 5, &p, NULL, 0, &f);
	/* 6/min stands alone; 15 and 15.5 agree; 22 is below q_min */
	assert_int_equal(f.reason, RESP_REASON_NONE);
	assert_true(fabs(f.bpm - (0.6 * 15.0 + 0.8 * 15.5) / 1.4) < 1e-9);
	assert_int_equal(f.members, 0x6u);
	assert_true(fabs(f.confidence - 0.7) < 1e-9);
}

static void test_disagree_and_low_quality(void **st)
{
	(void)st;
	struct resp_fuse_params p;
	resp_fuse_defaults(&p);
	p.q_min = 0.4;
	p.agree_bpm = 2.0;
	p.min_agree = 2;
	struct resp_fused f;
	const double bpm[3] = { 6.0, 15.0, 25.0 };
	const double q_hi[3] = { 0.9, 0.9, 0.9 }, q_lo[3] = { 0.2, 0.3, 0.1 };
	resp_fuse(bpm, q_hi, 3, &p, NULL, 0, &f);
	assert_int_equal(f.reason, RESP_REASON_DISAGREE);
	assert_true(isnan(f.bpm));
	resp_fuse(bpm, q_lo, 3, &p, NULL, 0, &f);
	assert_int_equal(f.reason, RESP_REASON_LOW_QUALITY);
	assert_true(isnan(f.bpm));
	assert_string_equal(resp_reason_name(RESP_REASON_DISAGREE), "disagree");
	/* one modulation only (beat-only source): single_q_min decides */
	const double one[3] = { 12.0, NAN, NAN };
	const double q1[3] = { 0.45, 0, 0 }, q2[3] = { 0.95, 0, 0 };
	p.single_q_min = 0.6;
	resp_fuse(one, q1, 3, &p, NULL, 0, &f);
	assert_int_equal(f.reason, RESP_REASON_LOW_QUALITY);
	resp_fuse(one, q2, 3, &p, NULL, 0, &f);
	assert_int_equal(f.reason, RESP_REASON_NONE);
	assert_true(fabs(f.bpm - 12.0) < 1e-9);
}

static void test_track_breaks_ties(void **st)
{
	(void)st;
	struct resp_fuse_params p;
	resp_fuse_defaults(&p);
	p.q_min = 0.4;
	p.agree_bpm = 1.0;
	p.track_s = 30.0;
	struct resp_track tr;
	resp_track_reset(&tr);
	struct resp_fused f;
	const double a[4] = { 8.0, 8.2, 16.0, NAN };
	const double qa[4] = { 0.7, 0.7, 0.6, 0 };
	resp_fuse(a, qa, 4, &p, &tr, NS(10), &f);
	assert_true(fabs(f.bpm - 8.1) < 1e-9);
	assert_true(fabs(tr.bpm - 8.1) < 1e-9);
	/* two groups of equal weight: the one near the track wins */
	const double b[4] = { 8.3, 8.5, 16.0, 16.2 };
	const double qb[4] = { 0.6, 0.6, 0.6, 0.6 };
	resp_fuse(b, qb, 4, &p, &tr, NS(20), &f);
	assert_true(fabs(f.bpm - 8.4) < 1e-9);
	/* the same after the track is stale: no preference, the first wins,
	 * and the result does not depend on the old track */
	resp_track_reset(&tr);
	tr.bpm = 16.1;
	tr.t_ns = NS(20);
	resp_fuse(b, qb, 4, &p, &tr, NS(100), &f);
	assert_true(fabs(f.bpm - 8.4) < 1e-9);
	tr.bpm = 16.1; /* a fresh track near the other group */
	tr.t_ns = NS(90);
	resp_fuse(b, qb, 4, &p, &tr, NS(100), &f);
	assert_true(fabs(f.bpm - 16.1) < 1e-9);
}

/* End to end: RR carries a 6/min Mayer wave, R amplitude and R-S amplitude
 * breathe at 15/min, the baseline is noise: the rate is 15 from the EDR
 * group. With R amplitude alone against RR (two modulations that
 * disagree), the result is null, reason "disagree". */
static uint64_t rng = 3;
static double noise(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rng >> 11) / 9007199254740992.0 - 0.5;
}

static void test_resp_modulations(void **st)
{
	(void)st;
	struct resp *r = resp_new(64.0, NULL), *r2 = resp_new(64.0, NULL);
	assert_non_null(r);
	double t = 0;
	const double fb = 15.0 / 60.0, fm = 0.1;
	while (t < 100.0) {
		double rr = 900.0 + 40.0 * sin(2 * M_PI * fm * t) + 2.0 * noise();
		t += rr / 1000.0;
		struct resp_beat b = { rr, 1.0 + 0.08 * sin(2 * M_PI * fb * t) + 0.01 * noise(),
				       1.5 + 0.1 * sin(2 * M_PI * fb * t + 0.3) + 0.01 * noise(), NAN,
				       0.2 * noise() };
		resp_push(r, NS(t), &b);
		resp_push_beat(r2, NS(t), b.nn_ms, b.amp_mv);
	}
	struct resp_result o;
	assert_int_equal(resp_compute(r, &o), 0);
	assert_int_equal(o.reason, RESP_REASON_NONE);
	assert_true(fabs(o.resp_bpm - 15.0) < 0.5);
	assert_int_equal(o.source, RESP_SRC_EDR);
	assert_true(fabs(o.rsa_bpm - 6.0) < 0.5);
	assert_true(fabs(o.mod_bpm[RESP_MOD_RS] - 15.0) < 0.5);
	assert_true(isnan(o.mod_bpm[RESP_MOD_AREA]));
	assert_false(o.members & (1u << RESP_MOD_RSA));
	assert_int_equal(resp_compute(r2, &o), 0);
	assert_int_equal(o.reason, RESP_REASON_DISAGREE);
	assert_true(isnan(o.resp_bpm));
	assert_true(fabs(o.edr_bpm - 15.0) < 0.5);
	resp_destroy(&r);
	resp_destroy(&r2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agree),
		cmocka_unit_test(test_disagree_and_low_quality),
		cmocka_unit_test(test_track_breaks_ties),
		cmocka_unit_test(test_resp_modulations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
