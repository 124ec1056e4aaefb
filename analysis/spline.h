/*
 * spline.h - not-a-knot cubic spline resampling of an irregular series.
 *
 * Problem: HRV spectra need the NN series (one value per beat, at irregular
 * times) on a regular 4 Hz grid, interpolated the way the references do
 * (scipy.interpolate.CubicSpline, bc_type="not-a-knot"), without
 * allocating per call.
 * Approach: solve the tridiagonal system for the second derivatives with
 * the not-a-knot conditions folded into the first and last rows (Thomas
 * algorithm, O(n)), then evaluate on the grid walking the knots once.
 * Points outside [x0, x_{n-1}] are extrapolated with the end polynomials,
 * as scipy does.
 * Reference: C. de Boor, A Practical Guide to Splines (1978), ch. IV.
 * Limits: x must be strictly increasing; with n < 4 it interpolates
 * linearly (n = 1: constant).
 */
#ifndef SPLINE_H
#define SPLINE_H

#include <stddef.h>

/* Number of doubles of work space spline_resample() needs for n knots. */
#define SPLINE_WORK(n) (4 * (size_t)(n) + 4)

/* Evaluate the spline through (x[i], y[i]), i < n, at x0 + k*dx for
 * k < m into out. work holds SPLINE_WORK(n) doubles. Returns 0 or
 * VG_ERR_INVAL (n == 0, x not increasing, dx <= 0). */
int spline_resample(const double *x, const double *y, size_t n, double x0,
		    double dx, size_t m, double *out, double *work);

#endif
