/*
 * test_qrs_simd.c - the QRS detector's vector helpers (analysis/qrs_simd.h)
 * against their scalar fallback (tests/support/qrs_simd_scalar.c, the code
 * a build without SSE2 runs) and against plain loops: the sums must agree
 * bit for bit (the detector's output depends on it being the same on every
 * machine), the steepest step, the band-pass input and the squared slope
 * exactly, for every length from 0 to 70 and values from tiny to huge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "qrs_simd.h"
#include "qrs_simd_scalar.h"

#define NMAX 70

static uint64_t rng = 12345;

static double urand(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

/* NMAX + 8 values: non-negative (root) or signed, of a random scale */
static void fill(float *x, int nonneg)
{
	const double scale = pow(10.0, 6.0 * urand() - 3.0);
	for (int i = 0; i < NMAX + 8; i++) {
		const double v = scale * (urand() - (nonneg ? 0.0 : 0.5));
		x[i] = (float)v;
	}
}

static void test_sums(void **state)
{
	(void)state;
	float x[NMAX + 8];
	double w[NMAX + 8];
	for (int trial = 0; trial < 200; trial++) {
		fill(x, 1);
		for (int i = 0; i < NMAX + 8; i++)
			w[i] = urand();
		for (size_t n = 0; n <= NMAX; n++) {
			for (int root = 0; root < 2; root++) {
				double a[4] = { 1.0, 2.0, 3.0, 4.0 }, b[4], ref[4];
				memcpy(b, a, sizeof(a));
				memcpy(ref, a, sizeof(a));
				const size_t ka = qrs_sum4(x, n, root, a);
				const size_t kb = qrs_scalar_sum4(x, n, root, b);
				size_t k = 0;
				for (; k + 4 <= n; k += 4)
					for (int i = 0; i < 4; i++)
						ref[i] += root ? sqrtf(x[k + i]) : x[k + i];
				assert_int_equal(ka, k);
				assert_int_equal(kb, k);
				assert_memory_equal(a, ref, sizeof(a));
				assert_memory_equal(b, ref, sizeof(b));
			}
			double a[4] = { 0 }, b[4] = { 0 }, ref[4] = { 0 };
			const size_t ka = qrs_dot4(x, w, n, a);
			const size_t kb = qrs_scalar_dot4(x, w, n, b);
			size_t k = 0;
			for (; k + 4 <= n; k += 4)
				for (int i = 0; i < 4; i++)
					ref[i] += w[k + i] * (double)x[k + i];
			assert_int_equal(ka, k);
			assert_int_equal(kb, k);
			assert_memory_equal(a, ref, sizeof(a));
			assert_memory_equal(b, ref, sizeof(b));
		}
	}
}

static void test_steepest(void **state)
{
	(void)state;
	float x[NMAX + 8];
	for (int trial = 0; trial < 300; trial++) {
		fill(x, 0);
		if (trial % 5 == 0) /* ties: the first must win */
			for (int i = 0; i < NMAX + 8; i++)
				x[i] = (float)(i % 3);
		for (size_t lag = 1; lag <= 6; lag++) {
			for (size_t n = 0; n + lag <= NMAX; n++) {
				const float start = trial % 7 == 0 ? 0.5f : 0.0f;
				float va = start, vb = start, vr = start;
				const long ia = qrs_absdiff_argmax(x, n, lag, &va);
				const long ib = qrs_scalar_absdiff_argmax(x, n, lag, &vb);
				long ir = -1;
				for (size_t i = 0; i < n; i++) {
					const float d = fabsf(x[i + lag] - x[i]);
					if (d > vr) {
						vr = d;
						ir = (long)i;
					}
				}
				assert_int_equal(ia, ir);
				assert_int_equal(ib, ir);
				assert_true(va == vr && vb == vr);
			}
		}
	}
}

static void test_band_input(void **state)
{
	(void)state;
	float x[NMAX + 8];
	for (int trial = 0; trial < 200; trial++) {
		fill(x, 0);
		const double offset = urand() - 0.5, b0 = 0.9 * urand();
		for (size_t n = 0; n <= NMAX; n++) {
			double ua[NMAX + 2], ub[NMAX + 2], fa[NMAX], fb[NMAX];
			float ra[NMAX], rb[NMAX];
			ua[0] = ub[0] = 0.25;
			ua[1] = ub[1] = -0.125;
			const float ma = qrs_band_input(x, n, offset, b0, ua, ra, fa);
			const float mb = qrs_scalar_band_input(x, n, offset, b0, ub, rb, fb);
			float mr = 0.0f;
			for (size_t k = 0; k < n; k++) {
				mr = fabsf(x[k]) > mr ? fabsf(x[k]) : mr;
				const double u = x[k] - offset;
				/* the two samples before: the caller's u[1] and u[0] */
				const double uk1 = k >= 1 ? x[k - 1] - offset : -0.125;
				const double uk2 = k >= 2 ? x[k - 2] - offset : k == 1 ? -0.125 : 0.25;
				assert_true(ua[2 + k] == u && ub[2 + k] == u);
				assert_true(ra[k] == (float)u && rb[k] == (float)u);
				const double f = b0 * ((u + uk2) - (uk1 + uk1));
				assert_true(fa[k] == f && fb[k] == f);
			}
			assert_true(ma == mr && mb == mr);
		}
	}
}

static void test_sqdiff(void **state)
{
	(void)state;
	float x[NMAX + 8];
	for (int trial = 0; trial < 200; trial++) {
		fill(x, 0);
		for (size_t lag = 1; lag <= 6; lag++) {
			for (size_t n = 0; n + lag <= NMAX; n++) {
				double a[NMAX], b[NMAX];
				const size_t ka = qrs_sqdiff4(x + lag, n, lag, a);
				const size_t kb = qrs_scalar_sqdiff4(x + lag, n, lag, b);
				assert_int_equal(ka, n - n % 4);
				assert_int_equal(kb, n - n % 4);
				for (size_t k = 0; k < ka; k++) {
					const float d = x[lag + k] - x[k];
					assert_true(a[k] == (double)(d * d) && b[k] == a[k]);
				}
			}
		}
	}
}

static void test_cswap(void **state)
{
	(void)state;
	for (int trial = 0; trial < 1000; trial++) {
		float a = (float)(urand() - 0.5), b = trial % 9 ? (float)(urand() - 0.5) : a;
		float c = a, d = b;
		qrs_cswap(&a, &b);
		qrs_scalar_cswap(&c, &d);
		assert_true(a <= b && a == c && b == d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_steepest),
		cmocka_unit_test(test_band_input),
		cmocka_unit_test(test_sqdiff),
		cmocka_unit_test(test_cswap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
