/*
 * gseries.c - binned time series (see gseries.h for the problem, the
 * approach and the limits). Pure arithmetic, allocation only in gser_init.
 */
#include "gseries.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>

static int64_t bin_of(const struct gser *s, int64_t t_ns)
{
	int64_t q = t_ns / s->bin_ns;
	if (t_ns % s->bin_ns != 0 && t_ns < 0)
		q--; /* floor for negative times */
	return q;
}

static size_t slot_of(const struct gser *s, int64_t b)
{
	int64_t m = b % (int64_t)s->cap;
	return (size_t)(m < 0 ? m + (int64_t)s->cap : m);
}

int gser_init(struct gser *s, int64_t bin_ns, size_t cap)
{
	s->idx = NULL;
	s->sum = NULL;
	s->n = NULL;
	if (bin_ns <= 0 || cap == 0)
		return VG_ERR_INVAL;
	s->bin_ns = bin_ns;
	s->cap = cap;
	s->idx = malloc(cap * sizeof(*s->idx));
	s->sum = malloc(cap * sizeof(*s->sum));
	s->n = malloc(cap * sizeof(*s->n));
	if (!s->idx || !s->sum || !s->n) {
		gser_free(s);
		return VG_ERR_NOMEM;
	}
	gser_clear(s);
	return VG_OK;
}

void gser_free(struct gser *s)
{
	free(s->idx);
	free(s->sum);
	free(s->n);
	s->idx = NULL;
	s->sum = NULL;
	s->n = NULL;
}

void gser_clear(struct gser *s)
{
	for (size_t i = 0; i < s->cap; i++) {
		s->idx[i] = INT64_MIN;
		s->sum[i] = 0.0;
		s->n[i] = 0;
	}
}

void gser_add(struct gser *s, int64_t t_ns, double v)
{
	if (!isfinite(v) || !s->idx)
		return;
	int64_t b = bin_of(s, t_ns);
	size_t k = slot_of(s, b);
	if (s->idx[k] != b) {
		if (s->idx[k] > b)
			return; /* older than what the ring holds */
		s->idx[k] = b;
		s->sum[k] = 0.0;
		s->n[k] = 0;
	}
	s->sum[k] += v;
	s->n[k]++;
}

long gser_sum(const struct gser *s, int64_t from_ns, int64_t to_ns,
	      double *sum)
{
	double acc = 0.0;
	long cnt = 0;
	if (s->idx && to_ns > from_ns) {
		int64_t b0 = bin_of(s, from_ns), b1 = bin_of(s, to_ns - 1);
		if (b0 * s->bin_ns < from_ns)
			b0++; /* bins that start inside the span */
		if (b1 - b0 >= (int64_t)s->cap)
			b0 = b1 - (int64_t)s->cap + 1;
		for (int64_t b = b0; b <= b1; b++) {
			size_t k = slot_of(s, b);
			if (s->idx[k] == b) {
				acc += s->sum[k];
				cnt += s->n[k];
			}
		}
	}
	*sum = acc;
	return cnt;
}

long gser_mean(const struct gser *s, int64_t from_ns, int64_t to_ns,
	       double *mean)
{
	double sum;
	long n = gser_sum(s, from_ns, to_ns, &sum);
	*mean = n > 0 ? sum / (double)n : NAN;
	return n;
}
