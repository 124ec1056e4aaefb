/*
 * qrs_simd.h - the QRS detector's two vector helpers: sums over history
 * (float samples, or their square roots, added into four partial sums in
 * double) and a branch-free compare-exchange (for its medians).
 *
 * Problem: for every candidate peak the detector sums a few hundred ring
 * samples (the local baseline, the quiet level); done one sample at a
 * time, the square roots and the float-to-double conversions cost more
 * than all the other work on that peak.
 * Approach: sample k goes to partial sum k mod 4, in order, exactly as a
 * scalar loop with four accumulators would add it. With SSE2 (every
 * x86-64) four samples are loaded, rooted (one correctly rounded square
 * root per lane, as sqrtf) and widened at a time, two lanes per addition:
 * the same additions in the same order, so the same sums bit for bit.
 * Elsewhere the scalar loop.
 * The compare-exchange is minss/maxss: sorting networks over unpredictable
 * values no longer mispredict a branch at every step.
 * Limits: n is rounded down to a multiple of 4 (the caller adds the tail);
 * negative inputs to the root variant give NaN, as sqrtf; the
 * compare-exchange is for ordered values (no NaN).
 */
#ifndef QRS_SIMD_H
#define QRS_SIMD_H

#include <math.h>
#include <stddef.h>

#if defined(__SSE2__)
#include <emmintrin.h>

/* acc[k % 4] += x[k] (root: sqrtf(x[k])) for k < n - n % 4; returns the
 * number of samples added. */
static inline size_t qrs_sum4(const float *x, size_t n, int root, double acc[4])
{
	__m128d a01 = _mm_set_pd(acc[1], acc[0]), a23 = _mm_set_pd(acc[3], acc[2]);
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		__m128 v = _mm_loadu_ps(x + k);
		if (root)
			v = _mm_sqrt_ps(v);
		a01 = _mm_add_pd(a01, _mm_cvtps_pd(v));
		a23 = _mm_add_pd(a23, _mm_cvtps_pd(_mm_movehl_ps(v, v)));
	}
	_mm_storel_pd(&acc[0], a01);
	_mm_storeh_pd(&acc[1], a01);
	_mm_storel_pd(&acc[2], a23);
	_mm_storeh_pd(&acc[3], a23);
	return k;
}

/* *a, *b = min, max of the two. */
static inline void qrs_cswap(float *a, float *b)
{
	const __m128 x = _mm_set_ss(*a), y = _mm_set_ss(*b);
	*a = _mm_cvtss_f32(_mm_min_ss(x, y));
	*b = _mm_cvtss_f32(_mm_max_ss(x, y));
}

#else

static inline size_t qrs_sum4(const float *x, size_t n, int root, double acc[4])
{
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		for (int i = 0; i < 4; i++)
			acc[i] += root ? sqrtf(x[k + i]) : x[k + i];
	}
	return k;
}

static inline void qrs_cswap(float *a, float *b)
{
	const float x = *a, y = *b;
	*a = x < y ? x : y;
	*b = x < y ? y : x;
}

#endif

#endif
