/*
 * spline.c - not-a-knot cubic spline resampling (see spline.h).
 *
 * With h_i = x_{i+1} - x_i, d_i = (y_{i+1} - y_i)/h_i and M_i = S''(x_i),
 * continuity of S' gives for 1 <= i <= n-2:
 *   h_{i-1} M_{i-1} + 2 (h_{i-1} + h_i) M_i + h_i M_{i+1} = 6 (d_i - d_{i-1}).
 * Not-a-knot (S''' continuous at x_1 and x_{n-2}):
 *   M_0 = (1 + h_0/h_1) M_1 - (h_0/h_1) M_2, and symmetrically at the end;
 * substituted into the first and last rows this leaves a tridiagonal system
 * in M_1..M_{n-2}, solved by forward elimination and back substitution.
 * On [x_j, x_{j+1}]: S = M_j (x_{j+1}-x)^3/(6h) + M_{j+1} (x-x_j)^3/(6h)
 *   + (y_j/h - M_j h/6)(x_{j+1}-x) + (y_{j+1}/h - M_{j+1} h/6)(x-x_j).
 */
#include "spline.h"
#include "vg_err.h"

static double eval_seg(const double *x, const double *y, const double *m,
		       size_t j, double t)
{
	double h = x[j + 1] - x[j];
	double a = x[j + 1] - t, b = t - x[j];
	return m[j] * a * a * a / (6.0 * h) + m[j + 1] * b * b * b / (6.0 * h) +
	       (y[j] / h - m[j] * h / 6.0) * a + (y[j + 1] / h - m[j + 1] * h / 6.0) * b;
}

int spline_resample(const double *x, const double *y, size_t n, double x0,
		    double dx, size_t m, double *out, double *work)
{
	if (!x || !y || !out || !work || n == 0 || !(dx > 0.0))
		return VG_ERR_INVAL;
	for (size_t i = 1; i < n; i++)
		if (!(x[i] > x[i - 1]))
			return VG_ERR_INVAL;
	if (n == 1) {
		for (size_t k = 0; k < m; k++)
			out[k] = y[0];
		return 0;
	}
	double *M = work;       /* n second derivatives */
	double *cp = work + n;  /* n modified super-diagonal */
	double *rp = work + 2 * n; /* n modified right-hand side */
	for (size_t i = 0; i < n; i++)
		M[i] = 0.0;
	if (n >= 4) {
		size_t last = n - 2; /* unknowns M_1..M_last */
		for (size_t i = 1; i <= last; i++) {
			double h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
			double a = h0, b = 2.0 * (h0 + h1), c = h1;
			double r = 6.0 * ((y[i + 1] - y[i]) / h1 - (y[i] - y[i - 1]) / h0);
			if (i == 1) {
				b += h0 * (1.0 + h0 / h1);
				c -= h0 * h0 / h1;
				a = 0.0;
			}
			if (i == last) {
				double hl = x[n - 1] - x[n - 2], hp = x[n - 2] - x[n - 3];
				b += hl * (1.0 + hl / hp);
				a -= hl * hl / hp;
				c = 0.0;
			}
			if (i == 1) {
				cp[i] = c / b;
				rp[i] = r / b;
			} else {
				double den = b - a * cp[i - 1];
				cp[i] = c / den;
				rp[i] = (r - a * rp[i - 1]) / den;
			}
		}
		M[last] = rp[last];
		for (size_t i = last - 1; i >= 1; i--)
			M[i] = rp[i] - cp[i] * M[i + 1];
		double h0 = x[1] - x[0], h1 = x[2] - x[1];
		M[0] = (1.0 + h0 / h1) * M[1] - (h0 / h1) * M[2];
		double hl = x[n - 1] - x[n - 2], hp = x[n - 2] - x[n - 3];
		M[n - 1] = (1.0 + hl / hp) * M[n - 2] - (hl / hp) * M[n - 3];
	}
	size_t j = 0;
	for (size_t k = 0; k < m; k++) {
		double t = x0 + (double)k * dx;
		while (j + 2 < n && t > x[j + 1])
			j++;
		out[k] = eval_seg(x, y, M, j, t);
	}
	return 0;
}
