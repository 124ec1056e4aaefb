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
 * On [x_j, x_{j+1}], with b = x - x_j: S = y_j + c1 b + c2 b^2 + c3 b^3,
 *   c1 = d_j - h_j (2 M_j + M_{j+1})/6, c2 = M_j/2, c3 = (M_{j+1} - M_j)/(6 h_j).
 */
#include "spline.h"
#include "vg_err.h"

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
	double *ih = work + 3 * n; /* n - 1 inverse knot spacings (no division later) */
	for (size_t i = 0; i + 1 < n; i++)
		ih[i] = 1.0 / (x[i + 1] - x[i]);
	for (size_t i = 0; i < n; i++)
		M[i] = 0.0;
	if (n >= 4) {
		size_t last = n - 2; /* unknowns M_1..M_last */
		for (size_t i = 1; i <= last; i++) {
			double h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
			double a = h0, b = 2.0 * (h0 + h1), c = h1;
			double r = 6.0 * ((y[i + 1] - y[i]) * ih[i] - (y[i] - y[i - 1]) * ih[i - 1]);
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
				double ib = 1.0 / b;
				cp[i] = c * ib;
				rp[i] = r * ib;
			} else {
				double iden = 1.0 / (b - a * cp[i - 1]);
				cp[i] = c * iden;
				rp[i] = (r - a * rp[i - 1]) * iden;
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
	/* evaluate segment by segment in the power basis of b = t - x_j:
	 * S = y_j + b (c1 + b (c2 + b c3)) */
	size_t j = 0;
	double c1 = 0, c2 = 0, c3 = 0, xj = x[0], yj = y[0];
	int have = 0;
	for (size_t k = 0; k < m; k++) {
		double t = x0 + (double)k * dx;
		while (j + 2 < n && t > x[j + 1]) {
			j++;
			have = 0;
		}
		if (!have) {
			double h = x[j + 1] - x[j];
			xj = x[j];
			yj = y[j];
			c1 = (y[j + 1] - y[j]) * ih[j] - h * (2.0 * M[j] + M[j + 1]) * (1.0 / 6.0);
			c2 = 0.5 * M[j];
			c3 = (M[j + 1] - M[j]) * ih[j] * (1.0 / 6.0);
			have = 1;
		}
		double b = t - xj;
		out[k] = yj + b * (c1 + b * (c2 + b * c3));
	}
	return 0;
}
