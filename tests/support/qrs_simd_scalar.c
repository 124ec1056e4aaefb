/*
 * qrs_simd_scalar.c - the scalar fallback of analysis/qrs_simd.h (what a
 * build without SSE2, e.g. on ARM, runs), compiled here on any machine
 * under other names, so that test_qrs_simd can check it against the
 * vector path this machine uses: same sums bit for bit, same answers.
 */
#undef __SSE2__
#include "qrs_simd.h"
#include "qrs_simd_scalar.h"

size_t qrs_scalar_sum4(const float *x, size_t n, int root, double acc[4])
{
	return qrs_sum4(x, n, root, acc);
}

size_t qrs_scalar_dot4(const float *x, const double *w, size_t n, double acc[4])
{
	return qrs_dot4(x, w, n, acc);
}

long qrs_scalar_absdiff_argmax(const float *x, size_t n, size_t lag, float *vmax)
{
	return qrs_absdiff_argmax(x, n, lag, vmax);
}

float qrs_scalar_band_input(const float *x, size_t n, double offset, double b0, double *u,
			    float *ru, double *ff)
{
	return qrs_band_input(x, n, offset, b0, u, ru, ff);
}

size_t qrs_scalar_sqdiff4(const float *x, size_t n, size_t lag, double *out)
{
	return qrs_sqdiff4(x, n, lag, out);
}

void qrs_scalar_cswap(float *a, float *b)
{
	qrs_cswap(a, b);
}
