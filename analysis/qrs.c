/*
 * qrs.c - causal real-time QRS detector (see qrs.h for the interface).
 *
 * Problem: find every heartbeat in one ECG lead, live, with a bounded
 * decision delay, at 128-2000 Hz, through noise, baseline wander, polarity
 * and amplitude changes, paced beats and ectopic beats; give the R peak to
 * better than one sample and say how readable the signal is.
 *
 * Approach (Pan & Tompkins 1985 and Hamilton & Tompkins 1986 families,
 * rearranged so that every decision is taken a fixed time after the peak):
 *  1. Detection feature: band-pass 5-15 Hz (two Butterworth biquads), slope
 *     over 10 ms, squared (polarity-free), moving-window integral over
 *     DET_MWI_S; the feature f is the root of that mean (units of slope, so
 *     thresholds scale linearly with amplitude).
 *  2. Candidates: a sample p is a candidate when f[p] is the maximum of f
 *     over [p - DET_PEAK_S, p + DET_PEAK_S]; a sliding-window maximum (a
 *     monotonic deque) finds it exactly, O(1) per sample, when the input
 *     reaches p + DET_PEAK_S. That lookahead doubles as the refractory
 *     period and is the only look at the future.
 *  3. Classification of a candidate, with adaptive levels: the median of
 *     the last 8 beat heights (SPK) and noise-peak heights (NPK), threshold
 *     NPK + DET_THR_K (SPK - NPK); halved when more than 1.5 median RR have
 *     passed without a beat (the causal counterpart of search-back), again
 *     for every further RR; T-wave rejection: a candidate closer than
 *     DET_TWAVE_S to the last beat whose maximum slope is less than half
 *     of that beat's is a T wave.
 *  4. Fiducial: in a 0.5-40 Hz version of the signal, the dominant
 *     deflection near the candidate (largest |y|, with a preference for the
 *     lead's usual polarity so the fiducial does not jump between R and S),
 *     refined below one sample by fitting a parabola through 3 samples; the
 *     low-pass group delay is subtracted.
 *  5. Quality 0..1 from the beat's height relative to the noise-peak level
 *     and from how many noise peaks were seen since the previous beat.
 * References: J. Pan, W. J. Tompkins, "A real-time QRS detection
 * algorithm", IEEE TBME 32(3) 1985; P. S. Hamilton, W. J. Tompkins,
 * "Quantitative investigation of QRS detection rules using the MIT/BIH
 * arrhythmia database", IEEE TBME 33(12) 1986.
 * Limits: one lead; no beat classification; not for clinical use.
 */
#include "qrs.h"

#include "qrs_filt.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- tuning */
#define DET_HP_HZ 5.0        /* detection band */
#define DET_LP_HZ 15.0
#define DET_SLOPE_S 0.010    /* slope lag */
#define DET_MWI_S 0.100      /* moving-window integral */
#define DET_PEAK_S 0.165     /* candidate = max over +- this (lookahead) */
#define DET_REFRACT_S 0.200  /* no two beats closer than this */
#define DET_TWAVE_S 0.360    /* T-wave check window after a beat */
#define DET_THR_K 0.35       /* threshold between noise and signal level */
#define DET_LEARN_K 0.35     /* threshold before levels are known, x max */
#define DET_BLANK_S 0.25     /* no candidates this long after a (re)start */
#define FID_HP_HZ 0.5        /* fiducial signal band */
#define FID_LP_HZ 40.0
#define FID_BACK_S 0.120     /* fiducial search before the feature peak */
#define FID_FWD_S 0.010      /* and after it */
#define FID_AREA_S 0.050     /* QRS area: +- this around R */
#define RING_S 1.0           /* history kept */
#define NLEV 8               /* beats in the level and RR medians */

struct qrs {
	double fs;
	qrs_beat_fn cb;
	void *ctx;
	/* durations in samples */
	int kd, w, lpk, refr, twave, blank, fback, ffwd, farea;
	double fid_delay;          /* fiducial low-pass group delay, samples */
	/* filters */
	struct qrs_bq hp, lp, yhp, ylp;
	double offset;             /* first sample after a (re)start, mV */
	int need_reset;
	/* history rings, indexed by absolute sample & mask */
	size_t mask;
	float *rb;                 /* band-passed */
	float *re;                 /* squared slope */
	float *rf;                 /* feature (root of mean squared slope) */
	float *ry;                 /* fiducial signal, mV */
	float *rs;                 /* |slope| */
	double mwi_sum;
	int64_t *dq;               /* sliding-max deque of sample indices */
	size_t dq_mask, dq_head, dq_tail;
	int64_t n;                 /* absolute index of the next sample */
	int64_t seg_start;         /* first sample of the current segment */
	float fmax_seg;            /* max feature since the segment start */
	/* levels */
	float spk[NLEV], npk[NLEV], rr[NLEV];
	int nspk, nnpk, nrr, ispk, inpk, irr;
	float spk_med, npk_med, rr_med;
	int64_t last_r;            /* last beat's R sample (ring index), -1 none */
	float last_slope;
	int nbeats;
	int noise_since;           /* noise peaks since the last beat */
	float pol;                 /* lead polarity estimate, -1..1 */
	/* quality */
	float q_last;
	int64_t q_last_at;
};

static size_t pow2_at_least(size_t v)
{
	size_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static int samples(double fs, double s)
{
	int v = (int)lround(fs * s);
	return v < 1 ? 1 : v;
}

struct qrs *qrs_new(double fs_hz, qrs_beat_fn on_beat, void *ctx, int *err)
{
	if (!(fs_hz >= 100.0 && fs_hz <= 2000.0) || !on_beat) {
		if (err)
			*err = VG_ERR_INVAL;
		return NULL;
	}
	struct qrs *q = calloc(1, sizeof(*q));
	if (!q)
		goto nomem;
	q->fs = fs_hz;
	q->cb = on_beat;
	q->ctx = ctx;
	q->kd = samples(fs_hz, DET_SLOPE_S);
	q->w = samples(fs_hz, DET_MWI_S);
	q->lpk = samples(fs_hz, DET_PEAK_S);
	q->refr = samples(fs_hz, DET_REFRACT_S);
	q->twave = samples(fs_hz, DET_TWAVE_S);
	q->blank = samples(fs_hz, DET_BLANK_S);
	q->fback = samples(fs_hz, FID_BACK_S);
	q->ffwd = samples(fs_hz, FID_FWD_S);
	q->farea = samples(fs_hz, FID_AREA_S);
	q->fid_delay = M_SQRT2 / (2.0 * M_PI * FID_LP_HZ) * fs_hz;
	qrs_bq_highpass(&q->hp, fs_hz, DET_HP_HZ);
	qrs_bq_lowpass(&q->lp, fs_hz, DET_LP_HZ);
	qrs_bq_highpass(&q->yhp, fs_hz, FID_HP_HZ);
	qrs_bq_lowpass(&q->ylp, fs_hz, FID_LP_HZ);
	size_t ring = pow2_at_least((size_t)(fs_hz * RING_S) + 1);
	q->mask = ring - 1;
	q->rb = calloc(ring, sizeof(float));
	q->re = calloc(ring, sizeof(float));
	q->rf = calloc(ring, sizeof(float));
	q->ry = calloc(ring, sizeof(float));
	q->rs = calloc(ring, sizeof(float));
	size_t dq = pow2_at_least((size_t)(2 * q->lpk + 4));
	q->dq = calloc(dq, sizeof(int64_t));
	q->dq_mask = dq - 1;
	if (!q->rb || !q->re || !q->rf || !q->ry || !q->rs || !q->dq)
		goto nomem;
	q->need_reset = 1;
	q->last_r = -1;
	q->pol = 0.0f;
	return q;
nomem:
	qrs_destroy(&q);
	if (err)
		*err = VG_ERR_NOMEM;
	return NULL;
}

void qrs_destroy(struct qrs **qp)
{
	if (!qp || !*qp)
		return;
	struct qrs *q = *qp;
	free(q->rb);
	free(q->re);
	free(q->rf);
	free(q->ry);
	free(q->rs);
	free(q->dq);
	free(q);
	*qp = NULL;
}

/* Start a new segment at the current sample (first call or after a gap). */
static void restart(struct qrs *q, double x0)
{
	qrs_bq_reset(&q->hp);
	qrs_bq_reset(&q->lp);
	qrs_bq_reset(&q->yhp);
	qrs_bq_reset(&q->ylp);
	q->offset = x0;
	memset(q->rb, 0, (q->mask + 1) * sizeof(float));
	memset(q->re, 0, (q->mask + 1) * sizeof(float));
	memset(q->rf, 0, (q->mask + 1) * sizeof(float));
	memset(q->ry, 0, (q->mask + 1) * sizeof(float));
	memset(q->rs, 0, (q->mask + 1) * sizeof(float));
	q->mwi_sum = 0.0;
	q->dq_head = q->dq_tail = 0;
	q->seg_start = q->n;
	q->fmax_seg = 0.0f;
	q->last_r = -1;
	q->noise_since = 0;
	q->need_reset = 0;
}

static float median8(const float *v, int n)
{
	float s[NLEV];
	memcpy(s, v, (size_t)n * sizeof(float));
	for (int i = 1; i < n; i++) {
		float t = s[i];
		int j = i - 1;
		while (j >= 0 && s[j] > t) {
			s[j + 1] = s[j];
			j--;
		}
		s[j + 1] = t;
	}
	return n % 2 ? s[n / 2] : 0.5f * (s[n / 2 - 1] + s[n / 2]);
}

static void push_level(float *buf, int *cnt, int *idx, float *med, float v)
{
	buf[*idx] = v;
	*idx = (*idx + 1) % NLEV;
	if (*cnt < NLEV)
		(*cnt)++;
	*med = median8(buf, *cnt);
}

static float clampf(float v, float lo, float hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Locate the R peak near feature peak p: dominant deflection of y. */
static int64_t find_fiducial(const struct qrs *q, int64_t p, float *slope_max)
{
	int64_t lo = p - q->fback, hi = p + q->ffwd;
	if (lo < q->seg_start)
		lo = q->seg_start;
	int64_t imax = lo, imin = lo;
	float vmax = -INFINITY, vmin = INFINITY, smax = 0.0f;
	for (int64_t i = lo; i <= hi; i++) {
		float y = q->ry[i & q->mask];
		float s = q->rs[i & q->mask];
		if (y > vmax) {
			vmax = y;
			imax = i;
		}
		if (y < vmin) {
			vmin = y;
			imin = i;
		}
		if (s > smax)
			smax = s;
	}
	*slope_max = smax;
	float up = vmax, down = -vmin;
	/* prefer the lead's usual polarity unless the other clearly dominates */
	const float bias = 1.0f + 0.5f * fabsf(q->pol);
	int positive;
	if (q->pol >= 0)
		positive = up * bias >= down;
	else
		positive = up > down * bias;
	return positive ? imax : imin;
}

static void emit(struct qrs *q, int64_t r, float hp, float slope, unsigned flags)
{
	const size_t m = q->mask;
	float y0 = q->ry[r & m];
	/* parabolic refinement of the extremum */
	double frac = 0.0;
	if (r - 1 >= q->seg_start) {
		double ym = q->ry[(r - 1) & m], yp = q->ry[(r + 1) & m];
		double den = ym - 2.0 * y0 + yp;
		if (den != 0.0) {
			frac = 0.5 * (ym - yp) / den;
			if (frac > 0.5)
				frac = 0.5;
			if (frac < -0.5)
				frac = -0.5;
		}
	}
	double area = 0.0;
	for (int64_t i = r - q->farea; i <= r + q->farea; i++)
		if (i >= q->seg_start && i < q->n)
			area += q->ry[i & m];
	/* quality: height over noise level, less for noise peaks seen */
	float ratio = q->npk_med > 0 ? hp / q->npk_med : 10.0f;
	float qual = clampf((ratio - 1.5f) / 4.5f, 0.0f, 1.0f);
	qual *= clampf(1.0f - 0.15f * (float)q->noise_since, 0.2f, 1.0f);
	if (qual < 0.3f)
		flags |= QRS_BEAT_NOISY;

	struct qrs_beat b;
	double fid = (double)r + frac - q->fid_delay;
	b.sample_frac = fid;
	b.sample = (int64_t)llround(fid);
	b.amplitude_mv = y0;
	b.area = (float)(area / q->fs);
	b.quality = qual;
	b.decided_at = q->n - 1;
	b.flags = flags;

	/* update state */
	if (q->last_r >= 0) {
		float rr = (float)(r - q->last_r);
		if (rr < 3.0f * (float)q->fs)
			push_level(q->rr, &q->nrr, &q->irr, &q->rr_med, rr);
	}
	push_level(q->spk, &q->nspk, &q->ispk, &q->spk_med, hp);
	q->pol = 0.9f * q->pol + 0.1f * (y0 >= 0 ? 1.0f : -1.0f);
	q->last_r = r;
	q->last_slope = slope;
	q->nbeats++;
	q->noise_since = 0;
	q->q_last = qual;
	q->q_last_at = q->n;
	q->cb(q->ctx, &b);
}

static void classify(struct qrs *q, int64_t p)
{
	if (p < q->seg_start + q->blank)
		return;
	float hp = q->rf[p & q->mask];
	if (!(hp > 0.0f))
		return;
	float slope;
	int64_t r = find_fiducial(q, p, &slope);
	int64_t since = q->last_r >= 0 ? r - q->last_r : INT64_MAX;
	float thr;
	unsigned flags = 0;
	if (q->nspk < 2) {
		thr = DET_LEARN_K * q->fmax_seg;
	} else {
		thr = q->npk_med + DET_THR_K * (q->spk_med - q->npk_med);
		if (q->nrr >= 2 && since != INT64_MAX) {
			float rr = q->rr_med;
			if ((float)since > 1.5f * rr) {
				flags = QRS_BEAT_SEARCHBACK;
				thr *= 0.5f;
				for (float t = 2.5f * rr; (float)since > t && thr > q->npk_med; t += rr)
					thr *= 0.5f;
			}
		}
	}
	int beat = hp > thr;
	if (beat && since < q->refr)
		beat = 0;
	if (beat && since < q->twave && slope < 0.5f * q->last_slope)
		beat = 0;
	if (beat) {
		/* flag only beats that the lowered threshold let through */
		if (q->nspk >= 2 && hp > q->npk_med + DET_THR_K * (q->spk_med - q->npk_med))
			flags = 0;
		emit(q, r, hp, slope, flags);
	} else {
		push_level(q->npk, &q->nnpk, &q->inpk, &q->npk_med, hp);
		q->noise_since++;
	}
}

static void step(struct qrs *q, double x)
{
	const size_t m = q->mask;
	const int64_t n = q->n;
	double u = x - q->offset;
	double b = qrs_bq_step(&q->lp, qrs_bq_step(&q->hp, u));
	double y = qrs_bq_step(&q->ylp, qrs_bq_step(&q->yhp, u));
	float d = (float)(b - q->rb[(n - q->kd) & m]);
	float e = d * d;
	q->mwi_sum += (double)e - (double)q->re[(n - q->w) & m];
	if (q->mwi_sum < 0.0)
		q->mwi_sum = 0.0;
	float f = sqrtf((float)(q->mwi_sum / q->w));
	q->rb[n & m] = (float)b;
	q->re[n & m] = e;
	q->rf[n & m] = f;
	q->ry[n & m] = (float)y;
	q->rs[n & m] = fabsf(d);
	if (f > q->fmax_seg)
		q->fmax_seg = f;

	/* sliding maximum of f over [n - 2 lpk, n] */
	while (q->dq_tail != q->dq_head && q->rf[q->dq[(q->dq_tail - 1) & q->dq_mask] & m] <= f)
		q->dq_tail--;
	q->dq[q->dq_tail++ & q->dq_mask] = n;
	while (q->dq[q->dq_head & q->dq_mask] < n - 2 * q->lpk)
		q->dq_head++;
	q->n = n + 1;
	int64_t p = n - q->lpk;
	if (q->dq[q->dq_head & q->dq_mask] == p && p >= q->seg_start)
		classify(q, p);
}

void qrs_feed(struct qrs *q, const float *x_mv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		float x = x_mv[i];
		if (!isfinite(x)) {
			q->n++;
			q->need_reset = 1;
			continue;
		}
		if (q->need_reset)
			restart(q, x);
		step(q, x);
	}
}

void qrs_gap(struct qrs *q, uint64_t n_missing)
{
	q->n += (int64_t)n_missing;
	q->need_reset = 1;
}

float qrs_quality(const struct qrs *q)
{
	if (q->need_reset || q->last_r < 0)
		return 0.0f;
	/* no beat for longer than 2 s (or 2 RR): unreadable or asystole */
	double since_s = (double)(q->n - q->q_last_at) / q->fs;
	double limit = q->nrr ? 2.0 * q->rr_med / q->fs : 2.0;
	if (limit < 2.0)
		limit = 2.0;
	if (since_s > limit)
		return 0.0f;
	return q->q_last;
}

double qrs_delay_s(const struct qrs *q)
{
	return (double)(q->lpk + q->fback) / q->fs + q->fid_delay / q->fs;
}
