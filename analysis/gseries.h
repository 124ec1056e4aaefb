/*
 * gseries.h - binned time series for the guide (means over spans of time).
 *
 * Problem: the guide compares "the last N seconds" with "the N seconds
 * before" for heart rate, RMSSD, calm and every EMG region, at marks, for
 * advice and for the session summary, without allocating per sample and
 * without keeping every raw value.
 * Approach: a ring of fixed-width time bins (sum, sum of squares, count)
 * keyed by the absolute bin number floor(t_ns / bin_ns); a bin slot is
 * recycled when a newer bin maps onto it. A span mean adds the bins whose
 * start lies in [from, to).
 * Limits: spans older than cap * bin_ns are gone (reported as no data);
 * time resolution is one bin; values must be finite (others are ignored).
 */
#ifndef GSERIES_H
#define GSERIES_H

#include <stddef.h>
#include <stdint.h>

struct gser {
	int64_t bin_ns;  /* bin width, ns */
	size_t cap;      /* bins kept */
	int64_t *idx;    /* absolute bin number held by each slot (INT64_MIN = empty) */
	double *sum;     /* sum of values in the bin */
	uint32_t *n;     /* values in the bin */
};

/* Allocate cap bins of bin_ns each; 0 or VG_ERR_INVAL / VG_ERR_NOMEM. */
int gser_init(struct gser *s, int64_t bin_ns, size_t cap);
void gser_free(struct gser *s);
void gser_clear(struct gser *s);
/* Add value v at time t_ns (ignored if not finite). */
void gser_add(struct gser *s, int64_t t_ns, double v);
/* Mean and count of the values in bins starting in [from_ns, to_ns).
 * Returns the count (0: *mean = NAN). */
long gser_mean(const struct gser *s, int64_t from_ns, int64_t to_ns,
	       double *mean);
/* Sum and count over [from_ns, to_ns) (for sums of squares kept as values). */
long gser_sum(const struct gser *s, int64_t from_ns, int64_t to_ns,
	      double *sum);

#endif
