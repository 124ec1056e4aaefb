/*
 * qrs_simd_scalar.h - analysis/qrs_simd.h's scalar fallback under its own
 * names (tests/support/qrs_simd_scalar.c), for test_qrs_simd.
 */
#ifndef QRS_SIMD_SCALAR_H
#define QRS_SIMD_SCALAR_H

#include <stddef.h>

size_t qrs_scalar_sum4(const float *x, size_t n, int root, double acc[4]);
size_t qrs_scalar_dot4(const float *x, const double *w, size_t n, double acc[4]);
long qrs_scalar_absdiff_argmax(const float *x, size_t n, size_t lag, float *vmax);
float qrs_scalar_band_input(const float *x, size_t n, double offset, double b0, double *u,
			    float *ru, double *ff);
size_t qrs_scalar_sqdiff4(const float *x, size_t n, size_t lag, double *out);
void qrs_scalar_cswap(float *a, float *b);

#endif
