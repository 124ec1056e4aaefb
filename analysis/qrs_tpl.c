/*
 * qrs_tpl.c - R-peak fiducial by alignment with a running QRS template
 * (see qrs_tpl.h for the problem and the approach).
 * Reference: G. L. Turin, "An introduction to matched filters", IRE Trans.
 * Information Theory 6(3) 1960 (the correlation peak is the least-noisy
 * time estimate for a known shape in white noise).
 * Limits: the template is learnt only from beats that already match it
 * closely (QRS_TPL_RHO_LEARN); QRS_TPL_RESET_N mismatching beats in a row
 * rebuild it from the latest beat.
 */
#include "qrs_tpl.h"

#include <math.h>
#include <stdlib.h>

#define QRS_TPL_HALF_S 0.050  /* template: +- this around the fiducial */
#define QRS_TPL_LAG_S 0.012   /* lags searched: +- this */
#define QRS_TPL_RHO_MIN 0.80  /* normalised correlation to accept a beat */
#define QRS_TPL_RHO_LEARN 0.90 /* ... and to learn its shape */
#define QRS_TPL_AVG_N 16      /* template = running mean of about this many */
#define QRS_TPL_RESET_N 8     /* mismatching beats in a row: rebuild */

struct qrs_tpl {
	int th, tl, lag;  /* half-width, length, largest lag (samples) */
	double jj;        /* sum of (j - th)^2 over the window (exact: integers) */
	float *t;         /* template, unit norm, no constant or linear part */
	double *td;       /* the same values in double (for the products) */
	double *seg;      /* scratch: the beat's samples (float values held in
			   * double: converted once, not once per lag), tl + 2 lag */
	float *x;         /* scratch: one detrended window, tl */
	int n;            /* beats learnt (0: no template) */
	int miss;         /* mismatching beats in a row */
};

struct qrs_tpl *qrs_tpl_new(double fs_hz)
{
	struct qrs_tpl *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->th = (int)lround(fs_hz * QRS_TPL_HALF_S);
	t->lag = (int)lround(fs_hz * QRS_TPL_LAG_S);
	if (t->th < 2)
		t->th = 2;
	if (t->lag < 2)
		t->lag = 2;
	t->tl = 2 * t->th + 1;
	for (int j = 0; j < t->tl; j++)
		t->jj += (double)(j - t->th) * (j - t->th);
	t->t = calloc((size_t)t->tl, sizeof(float));
	t->td = calloc((size_t)t->tl, sizeof(double));
	t->seg = calloc((size_t)(t->tl + 2 * t->lag), sizeof(double));
	t->x = calloc((size_t)t->tl, sizeof(float));
	if (!t->t || !t->td || !t->seg || !t->x)
		qrs_tpl_destroy(&t);
	return t;
}

void qrs_tpl_destroy(struct qrs_tpl **tp)
{
	if (!tp || !*tp)
		return;
	free((*tp)->t);
	free((*tp)->td);
	free((*tp)->seg);
	free((*tp)->x);
	free(*tp);
	*tp = NULL;
}

void qrs_tpl_reset(struct qrs_tpl *t)
{
	t->n = 0;
	t->miss = 0;
}

int qrs_tpl_reach(const struct qrs_tpl *t)
{
	return t->th + t->lag;
}

/* x = in minus its least-squares line (constant and slope), then its norm;
 * x may be NULL when only the norm is wanted. */
static double detrend(const struct qrs_tpl *t, const double *in, float *x)
{
	const int tl = t->tl, th = t->th;
	/* two partial sums each: the additions wait on each other half as
	 * long (these run for every lag of every candidate) */
	double s0 = 0.0, s1 = 0.0, sj0 = 0.0, sj1 = 0.0;
	int j = 0;
	for (; j + 2 <= tl; j += 2) {
		s0 += in[j];
		s1 += in[j + 1];
		sj0 += (double)(j - th) * in[j];
		sj1 += (double)(j + 1 - th) * in[j + 1];
	}
	for (; j < tl; j++) {
		s0 += in[j];
		sj0 += (double)(j - th) * in[j];
	}
	const double mean = (s0 + s1) / tl, slope = (sj0 + sj1) / t->jj;
	double n0 = 0.0, n1 = 0.0;
	for (j = 0; j + 2 <= tl; j += 2) {
		const float v0 = (float)(in[j] - mean - slope * (j - th));
		const float v1 = (float)(in[j + 1] - mean - slope * (j + 1 - th));
		if (x) {
			x[j] = v0;
			x[j + 1] = v1;
		}
		n0 += (double)v0 * v0;
		n1 += (double)v1 * v1;
	}
	for (; j < tl; j++) {
		const float v = (float)(in[j] - mean - slope * (j - th));
		if (x)
			x[j] = v;
		n0 += (double)v * v;
	}
	return sqrt(n0 + n1);
}

/* Add the detrended window in t->x (norm: its norm) to the running mean
 * shape (unit norm). */
static void learn_detrended(struct qrs_tpl *t, double norm)
{
	if (!(norm > 0.0))
		return;
	const double w = 1.0 / (t->n < QRS_TPL_AVG_N ? t->n + 1 : QRS_TPL_AVG_N);
	double nn = 0.0;
	for (int j = 0; j < t->tl; j++) {
		t->t[j] = (float)(t->t[j] + w * (t->x[j] / norm - t->t[j]));
		nn += (double)t->t[j] * t->t[j];
	}
	/* a mean of unit vectors is shorter: back to unit norm (a sum of
	 * detrended windows stays detrended) */
	const float inv = nn > 0.0 ? (float)(1.0 / sqrt(nn)) : 0.0f;
	for (int j = 0; j < t->tl; j++) {
		t->t[j] *= inv;
		t->td[j] = t->t[j];
	}
	t->n++;
}

/* Add the window at in to the running mean shape. */
static void learn(struct qrs_tpl *t, const double *in)
{
	learn_detrended(t, detrend(t, in, t->x));
}

/* Copy the samples around r0 (template width plus the largest lag on
 * each side) from the ring into t->seg. */
static void load_seg(struct qrs_tpl *t, const float *ring, size_t mask, int64_t r0)
{
	const int64_t first = r0 - t->th - t->lag;
	for (int i = 0; i < t->tl + 2 * t->lag; i++)
		t->seg[i] = (double)ring[(size_t)(first + i) & mask];
}

/* Dot product of the template with the tl samples from x. */
static double dot_tpl(const struct qrs_tpl *t, const double *x)
{
	const double *td = t->td;
	const int tl = t->tl;
	/* four partial sums: the additions do not wait on each other */
	double c0 = 0.0, c1 = 0.0, c2 = 0.0, c3 = 0.0;
	int j = 0;
	for (; j + 4 <= tl; j += 4) {
		c0 += td[j] * x[j];
		c1 += td[j + 1] * x[j + 1];
		c2 += td[j + 2] * x[j + 2];
		c3 += td[j + 3] * x[j + 3];
	}
	for (; j < tl; j++)
		c0 += td[j] * x[j];
	return (c0 + c1) + (c2 + c3);
}

int qrs_tpl_align(struct qrs_tpl *t, const float *ring, size_t mask, int64_t r0, int kmin,
		  int kmax, int64_t *r, double *frac)
{
	const int lag = t->lag;
	load_seg(t, ring, mask, r0);
	if (t->n == 0) {
		learn(t, t->seg + lag);
		return 0;
	}
	if (kmin < -lag)
		kmin = -lag;
	if (kmax > lag)
		kmax = lag;
	int best = 0;
	double cbest = -INFINITY, cm = 0.0, cp = 0.0, prev = 0.0;
	for (int k = kmin; k <= kmax; k++) {
		const double c = dot_tpl(t, t->seg + lag + k);
		if (c > cbest) {
			cbest = c;
			best = k;
			cm = prev;
		}
		if (k == best + 1)
			cp = c;
		prev = c;
	}
	double rho = 0.0, norm = 0.0;
	if (best > kmin && best < kmax && cbest > 0.0) {
		norm = detrend(t, t->seg + lag + best, t->x);
		rho = norm > 0.0 ? cbest / norm : 0.0;
	}
	if (rho < QRS_TPL_RHO_MIN) {
		if (++t->miss >= QRS_TPL_RESET_N) {
			/* the usual shape has changed: start again from this beat */
			t->n = 0;
			t->miss = 0;
			learn(t, t->seg + lag);
		}
		return 0;
	}
	t->miss = 0;
	const double den = cm - 2.0 * cbest + cp;
	double f = den < 0.0 ? 0.5 * (cm - cp) / den : 0.0;
	if (f > 0.5)
		f = 0.5;
	if (f < -0.5)
		f = -0.5;
	*r = r0 + best;
	*frac = f;
	/* learnt where the first estimate put the beat, not where the
	 * template did: the template stays centred on the mean first estimate
	 * instead of drifting with its own alignment */
	if (rho >= QRS_TPL_RHO_LEARN) {
		if (best == 0)
			learn_detrended(t, norm); /* t->x is that window already */
		else
			learn(t, t->seg + lag);
	}
	return 1;
}

double qrs_tpl_match(struct qrs_tpl *t, const float *ring, size_t mask, int64_t r0)
{
	if (t->n < QRS_TPL_AVG_N || t->miss > 0)
		return -1.0;
	const int lag = t->lag;
	load_seg(t, ring, mask, r0);
	double best = 0.0;
	for (int k = -lag; k <= lag; k++) {
		const double *x = t->seg + lag + k;
		const double c = dot_tpl(t, x);
		if (c <= 0.0) /* c / norm <= 0 cannot beat best (>= 0) */
			continue;
		const double norm = detrend(t, x, NULL);
		if (norm > 0.0 && c / norm > best)
			best = c / norm;
	}
	return best;
}
