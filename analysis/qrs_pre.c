/*
 * qrs_pre.c - template of the segment before the QRS (P wave); see
 * qrs_pre.h for the problem, the method and its limits.
 * Reference: the idea of judging atrial ectopy by P-wave morphology against
 * a running template of sinus beats is standard in Holter beat
 * classification (e.g. de Chazal et al., IEEE TBME 51(7) 2004, use P-wave
 * features); the thresholds here were measured on mitdb (see qrs_pre.h).
 * No allocation after qrs_pre_new().
 */
#include "qrs_pre.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEARN_W 0.05 /* weight of a new segment in the template and the mean rho */

struct qrs_pre {
	int from, len;     /* samples: segment [r - from, r - from + len) */
	float *tpl;        /* unit-norm running mean segment */
	float *seg;        /* scratch: this beat's segment */
	int nlearn;
	double rho_mean;   /* running mean correlation of learned beats */
};

struct qrs_pre *qrs_pre_new(double fs_hz)
{
	if (!(fs_hz >= 100.0 && fs_hz <= 2000.0))
		return NULL;
	struct qrs_pre *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->from = (int)lround(QRS_PRE_FROM_S * fs_hz);
	p->len = p->from - (int)lround(QRS_PRE_TO_S * fs_hz);
	p->tpl = calloc((size_t)p->len, sizeof(float));
	p->seg = calloc((size_t)p->len, sizeof(float));
	if (!p->tpl || !p->seg) {
		qrs_pre_destroy(&p);
		return NULL;
	}
	return p;
}

void qrs_pre_destroy(struct qrs_pre **p)
{
	if (!p || !*p)
		return;
	free((*p)->tpl);
	free((*p)->seg);
	free(*p);
	*p = NULL;
}

void qrs_pre_reset(struct qrs_pre *p)
{
	if (!p)
		return;
	memset(p->tpl, 0, (size_t)p->len * sizeof(float));
	p->nlearn = 0;
	p->rho_mean = 0.0;
}

int qrs_pre_reach(const struct qrs_pre *p)
{
	return p ? p->from : 0;
}

int qrs_pre_judge(struct qrs_pre *p, const float *ring, size_t mask, int64_t r, int learn,
		  double *rho)
{
	if (rho)
		*rho = NAN;
	if (!p || !ring)
		return 0;
	double mean = 0.0;
	for (int i = 0; i < p->len; i++) {
		p->seg[i] = ring[(size_t)(r - p->from + i) & mask];
		mean += p->seg[i];
	}
	mean /= p->len;
	double ss = 0.0;
	for (int i = 0; i < p->len; i++) {
		p->seg[i] -= (float)mean;
		ss += (double)p->seg[i] * p->seg[i];
	}
	if (!(ss > 1e-12) || !isfinite(ss))
		return 0; /* flat or broken: nothing to judge */
	float inv = (float)(1.0 / sqrt(ss));
	for (int i = 0; i < p->len; i++)
		p->seg[i] *= inv;
	double c = NAN;
	if (p->nlearn > 0) {
		double dot = 0.0, tt = 0.0;
		for (int i = 0; i < p->len; i++) {
			dot += (double)p->seg[i] * p->tpl[i];
			tt += (double)p->tpl[i] * p->tpl[i];
		}
		c = tt > 0.0 ? dot / sqrt(tt) : NAN;
	}
	if (rho)
		*rho = c;
	int est = p->nlearn >= QRS_PRE_LEARN_N && p->rho_mean >= QRS_PRE_EST;
	int odd = est && isfinite(c) && c < QRS_PRE_RHO_ODD;
	/* the mean correlation follows every timely beat, odd ones too: a
	 * lasting change of the segment un-establishes the template */
	if (learn && isfinite(c))
		p->rho_mean += LEARN_W * (c - p->rho_mean);
	if (learn && !odd) {
		if (p->nlearn == 0)
			memcpy(p->tpl, p->seg, (size_t)p->len * sizeof(float));
		else
			for (int i = 0; i < p->len; i++)
				p->tpl[i] += (float)LEARN_W * (p->seg[i] - p->tpl[i]);
		p->nlearn++;
	}
	return odd;
}
