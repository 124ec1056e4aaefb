/*
 * test_qrs_pre.c - the P-wave template (analysis/qrs_pre.c) on synthetic
 * beats with known P waves, and through the detector on PhysioNet mitdb
 * 220 against the cardiologists' labels (atrial premature beats "A" vs
 * normal beats "N").
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

#include "../support/vgtest.h"
#include "nn_detect.h"
#include "qrs.h"
#include "qrs_pre.h"
#include "wfdb_ann.h"

#define FS 360.0
#define RING 1024u

static uint64_t rng_state = 12345;
static double urand(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double gauss(double t, double c, double w)
{
	return exp(-0.5 * (t - c) * (t - c) / (w * w));
}

/* Fill the ring around a beat with its R at sample r: P wave of amplitude
 * p_mv at p_s before R (0.025 s wide), QRS, the previous beat's T wave
 * (rr_s before), white noise of noise_mv. */
static void beat(float *ring, int64_t r, double rr_s, double p_mv, double p_s, double noise_mv)
{
	for (int64_t i = r - 400; i <= r + 20; i++) {
		double t = (double)(i - r) / FS;
		double v = p_mv * gauss(t, -p_s, 0.025) + 1.0 * gauss(t, 0.0, 0.010) +
			   0.3 * gauss(t, -rr_s + 0.28, 0.045) + noise_mv * (2.0 * urand() - 1.0);
		ring[(size_t)i & (RING - 1)] = (float)v;
	}
}

/* Sinus beats learn the template; premature beats with another P (later,
 * inverted: a low atrial focus) are odd and not learned; sinus beats stay
 * normal; a lasting change of the P wave is relearned, not flagged for
 * ever. */
static void test_synthetic(void **st)
{
	(void)st;
	static float ring[RING];
	struct qrs_pre *p = qrs_pre_new(FS);
	assert_non_null(p);
	assert_int_equal(qrs_pre_reach(p), 108);
	int64_t r = 1000;
	int odd_sinus = 0, odd_apc = 0, n_apc = 0;
	for (int i = 0; i < 300; i++) {
		int apc = i >= 60 && i % 10 == 5;
		double rr = apc ? 0.84 : 0.9 + 0.03 * sin(i * 0.7);
		r += (int64_t)lround(rr * FS);
		beat(ring, r, rr, apc ? -0.12 : 0.15, apc ? 0.12 : 0.16, 0.01);
		double rho = 0;
		int odd = qrs_pre_judge(p, ring, RING - 1, r, !apc, &rho);
		if (apc) {
			n_apc++;
			odd_apc += odd;
		} else {
			odd_sinus += odd;
		}
	}
	print_message("synthetic: %d of %d premature beats odd, %d sinus beats odd\n", odd_apc,
		      n_apc, odd_sinus);
	assert_int_equal(odd_apc, n_apc);
	assert_int_equal(odd_sinus, 0);
	/* the P wave changes for good: flagged at first, relearned later */
	int odd_early = 0, odd_late = 0;
	for (int i = 0; i < 300; i++) {
		double rr = 0.9 + 0.03 * sin(i * 0.7);
		r += (int64_t)lround(rr * FS);
		beat(ring, r, rr, -0.12, 0.12, 0.01);
		int odd = qrs_pre_judge(p, ring, RING - 1, r, 1, NULL);
		if (i < 10)
			odd_early += odd;
		if (i >= 150)
			odd_late += odd;
	}
	print_message("lasting change: %d of the first 10 odd, %d of the last 150\n", odd_early,
		      odd_late);
	/* odd until the running correlation falls under QRS_PRE_EST (about
	 * 6 beats), then the template relearns */
	assert_true(odd_early >= 5);
	assert_int_equal(odd_late, 0);
	/* after a reset nothing is odd until the template is learned again */
	qrs_pre_reset(p);
	beat(ring, r + 400, 0.9, 0.15, 0.16, 0.01);
	double rho = 0;
	assert_int_equal(qrs_pre_judge(p, ring, RING - 1, r + 400, 1, &rho), 0);
	assert_true(isnan(rho));
	/* a flat segment is not judged */
	memset(ring, 0, sizeof(ring));
	assert_int_equal(qrs_pre_judge(p, ring, RING - 1, r + 800, 1, NULL), 0);
	qrs_pre_destroy(&p);
	assert_null(p);
	qrs_pre_destroy(&p);
	assert_null(qrs_pre_new(50.0));
	assert_int_equal(qrs_pre_judge(NULL, ring, RING - 1, 500, 1, NULL), 0);
}

/* mitdb 220 through the detector: the atrial premature beats have odd P
 * waves, the normal beats do not (the few that do are early N beats). */
static void test_mitdb_220(void **st)
{
	(void)st;
	struct wfdb_ann *a = NULL;
	size_t na = 0;
	double fs = 0;
	assert_int_equal(wfdb_ann_load(vgt_data("mitdb/220"), "atr", &a, &na, &fs), 0);
	struct nn_detect_result d;
	assert_int_equal(nn_detect_record(vgt_data("mitdb/220"), 0, 0.0, 0.0, &d), 0);
	size_t j = 0, n_a = 0, odd_a = 0, n_n = 0, odd_n = 0;
	for (size_t i = 0; i < na; i++) {
		if (a[i].code != WFDB_ANN_NORMAL && a[i].code != WFDB_ANN_APC)
			continue;
		double t = (double)a[i].sample / fs;
		while (j < d.n_beats && d.beats[j].t_s < t - 0.075)
			j++;
		if (j >= d.n_beats || fabs(d.beats[j].t_s - t) > 0.075)
			continue;
		int odd = (d.beats[j].flags & QRS_BEAT_ODD_P) != 0;
		if (a[i].code == WFDB_ANN_APC) {
			n_a++;
			odd_a += odd;
		} else {
			n_n++;
			odd_n += odd;
		}
	}
	print_message("mitdb 220: odd P wave on %zu of %zu A beats, %zu of %zu N beats\n", odd_a,
		      n_a, odd_n, n_n);
	assert_true(n_a >= 90 && n_n >= 1900);
	assert_true(odd_a * 100 >= 80 * n_a);
	assert_true(odd_n * 100 <= 2 * n_n);
	nn_detect_free(&d);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_mitdb_220),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
