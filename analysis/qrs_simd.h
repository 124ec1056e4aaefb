/*
 * qrs_simd.h - the QRS detector's vector helpers: sums over history
 * (float samples, their square roots, or their products with double
 * weights, added into four partial sums in double), the steepest step of
 * a span, the band-pass's input side (offset, float copy, high-pass
 * numerator), the squared slope and a branch-free compare-exchange (for
 * its medians).
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

/* acc[k % 4] += w[k] * x[k] for k < n - n % 4; returns the number of
 * terms added. */
static inline size_t qrs_dot4(const float *x, const double *w, size_t n, double acc[4])
{
	__m128d a01 = _mm_set_pd(acc[1], acc[0]), a23 = _mm_set_pd(acc[3], acc[2]);
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		const __m128 v = _mm_loadu_ps(x + k);
		a01 = _mm_add_pd(a01, _mm_mul_pd(_mm_loadu_pd(w + k), _mm_cvtps_pd(v)));
		a23 = _mm_add_pd(a23, _mm_mul_pd(_mm_loadu_pd(w + k + 2),
						 _mm_cvtps_pd(_mm_movehl_ps(v, v))));
	}
	_mm_storel_pd(&acc[0], a01);
	_mm_storeh_pd(&acc[1], a01);
	_mm_storel_pd(&acc[2], a23);
	_mm_storeh_pd(&acc[3], a23);
	return k;
}

/* The first i < n with the largest |x[i + lag] - x[i]|, if that is over
 * *vmax (then *vmax becomes it); else -1. The maximum four at a time,
 * then the first place it occurs. */
static inline long qrs_absdiff_argmax(const float *x, size_t n, size_t lag, float *vmax)
{
	const __m128 sign = _mm_set1_ps(-0.0f);
	__m128 m4 = _mm_setzero_ps();
	size_t i = 0;
	for (; i + 4 <= n; i += 4)
		m4 = _mm_max_ps(m4, _mm_andnot_ps(sign, _mm_sub_ps(_mm_loadu_ps(x + i + lag),
								   _mm_loadu_ps(x + i))));
	m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
	m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
	float m = _mm_cvtss_f32(m4);
	for (; i < n; i++) {
		const float d = fabsf(x[i + lag] - x[i]);
		m = d > m ? d : m;
	}
	if (!(m > *vmax))
		return -1;
	for (i = 0; i < n; i++)
		if (fabsf(x[i + lag] - x[i]) == m)
			break;
	*vmax = m;
	return (long)i;
}

/* The band-pass's input side for a block: u[2 + k] = x[k] - offset
 * (u[0], u[1]: the two samples before, set by the caller), ru[k] = u as
 * float, and the high-pass numerator ff[k] = b0 ((u[k] + u[k-2]) -
 * 2 u[k-1]) (qrs_bq_df1, sign -1), four samples (two for the doubles) at
 * a time. Returns the largest |x[k]| (NaN may be missed: the caller's
 * filter state shows it). */
static inline float qrs_band_input(const float *x, size_t n, double offset, double b0, double *u,
				   float *ru, double *ff)
{
	const __m128 sign = _mm_set1_ps(-0.0f);
	const __m128d off = _mm_set1_pd(offset), vb0 = _mm_set1_pd(b0);
	__m128 m4 = _mm_setzero_ps();
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		const __m128 v = _mm_loadu_ps(x + k);
		m4 = _mm_max_ps(m4, _mm_andnot_ps(sign, v));
		const __m128d lo = _mm_sub_pd(_mm_cvtps_pd(v), off);
		const __m128d hi = _mm_sub_pd(_mm_cvtps_pd(_mm_movehl_ps(v, v)), off);
		_mm_storeu_pd(u + 2 + k, lo);
		_mm_storeu_pd(u + 4 + k, hi);
		_mm_storeu_ps(ru + k, _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi)));
	}
	m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
	m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
	float m = _mm_cvtss_f32(m4);
	for (; k < n; k++) {
		const float a = fabsf(x[k]);
		m = a > m ? a : m;
		u[2 + k] = x[k] - offset;
		ru[k] = (float)u[2 + k];
	}
	for (k = 0; k + 2 <= n; k += 2) {
		const __m128d c = _mm_loadu_pd(u + 1 + k);
		_mm_storeu_pd(ff + k, _mm_mul_pd(vb0, _mm_sub_pd(_mm_add_pd(_mm_loadu_pd(u + 2 + k),
									    _mm_loadu_pd(u + k)),
								 _mm_add_pd(c, c))));
	}
	for (; k < n; k++)
		ff[k] = b0 * ((u[2 + k] + u[k]) - (u[1 + k] + u[1 + k]));
	return m;
}

/* out[k] = (x[k] - x[k - lag])^2 as double (the squares in float) for
 * k < n - n % 4 (x[-lag] .. x[n - 1] readable); returns the number done. */
static inline size_t qrs_sqdiff4(const float *x, size_t n, size_t lag, double *out)
{
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		const __m128 d = _mm_sub_ps(_mm_loadu_ps(x + k), _mm_loadu_ps(x + k - lag));
		const __m128 e = _mm_mul_ps(d, d);
		_mm_storeu_pd(out + k, _mm_cvtps_pd(e));
		_mm_storeu_pd(out + k + 2, _mm_cvtps_pd(_mm_movehl_ps(e, e)));
	}
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

static inline size_t qrs_dot4(const float *x, const double *w, size_t n, double acc[4])
{
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		for (int i = 0; i < 4; i++)
			acc[i] += w[k + i] * (double)x[k + i];
	}
	return k;
}

static inline long qrs_absdiff_argmax(const float *x, size_t n, size_t lag, float *vmax)
{
	long best = -1;
	for (size_t i = 0; i < n; i++) {
		const float d = fabsf(x[i + lag] - x[i]);
		if (d > *vmax) {
			*vmax = d;
			best = (long)i;
		}
	}
	return best;
}

static inline float qrs_band_input(const float *x, size_t n, double offset, double b0, double *u,
				   float *ru, double *ff)
{
	float m = 0.0f;
	for (size_t k = 0; k < n; k++) {
		const float a = fabsf(x[k]);
		m = a > m ? a : m;
		u[2 + k] = x[k] - offset;
		ru[k] = (float)u[2 + k];
	}
	for (size_t k = 0; k < n; k++)
		ff[k] = b0 * ((u[2 + k] + u[k]) - (u[1 + k] + u[1 + k]));
	return m;
}

static inline size_t qrs_sqdiff4(const float *x, size_t n, size_t lag, double *out)
{
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		for (size_t i = k; i < k + 4; i++) {
			const float d = x[i] - x[i - lag];
			out[i] = (double)(d * d);
		}
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
