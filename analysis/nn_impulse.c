/*
 * nn_impulse.c - impulses in an NN series (see nn_impulse.h).
 *
 * m_i = median(y_{i-2..i+2}) (the window is shifted inside the series at
 * its ends); y_i is an impulse when |y_i - m_i| > NN_IMP_MIN_SHARE m_i.
 * More than 1 in NN_IMP_MAX_SHARE_INV (+1): an irregular rhythm, nothing is
 * dropped. O(n), no allocation.
 */
#include "nn_impulse.h"

#include <math.h>

static double med5(const double *v)
{
	double a[5] = { v[0], v[1], v[2], v[3], v[4] };
	for (int i = 1; i < 5; i++) {
		double x = a[i];
		int j = i;
		while (j > 0 && a[j - 1] > x) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
	return a[2];
}

size_t nn_impulse_find(const double *y, size_t n, uint8_t *drop)
{
	for (size_t i = 0; i < n; i++)
		drop[i] = 0;
	if (n < 5)
		return 0;
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		size_t s = i < 2 ? 0 : (i + 2 >= n ? n - 5 : i - 2);
		double m = med5(y + s);
		if (fabs(y[i] - m) > NN_IMP_MIN_SHARE * m) {
			drop[i] = 1;
			found++;
		}
	}
	if (found > n / NN_IMP_MAX_SHARE_INV + 1) { /* irregular, not an odd interval */
		for (size_t i = 0; i < n; i++)
			drop[i] = 0;
		return 0;
	}
	return found;
}
