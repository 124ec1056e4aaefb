/*
 * xtalk.c - early QRS marks for EMG crosstalk gating (see xtalk.h).
 *
 * Per sample: 10-30 Hz band (one high-pass and one low-pass Butterworth
 * section), magnitude into a ring of XT_RING_S. A mark when the magnitude
 * reaches the threshold, the detector is armed (the magnitude fell under
 * half the threshold since the last mark: continuous noise above it gives
 * no marks) and the refractory time has passed. Learning happens only on
 * confirmed beats, from the ring: the QRS height (peak magnitude within
 * XT_WIN_S of R) and the R-to-crossing delay; medians of the last XT_HIST.
 */
#include "xtalk.h"
#include "iir.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XT_HP_HZ 10.0        /* QRS band: above P, T and baseline wander */
#define XT_LP_HZ 30.0
#define XT_THR_K 0.3         /* threshold: share of the median QRS height */
#define XT_HIST 8            /* confirmed beats remembered */
#define XT_LEARN 3           /* beats before the first mark */
#define XT_WIN_S 0.060       /* QRS height and crossing: within this of R */
#define XT_REFRACT_S 0.200   /* no two marks closer than this, */
#define XT_REFRACT_RR 0.4    /* ... or than this share of the median RR (0.6
			      * lost premature beats; 0.4 covers more on mitdb,
			      * svdb and nstdb each: tests/bench/bench_xtalk.c) */
#define XT_MATCH_S 0.080     /* a mark this close to a confirmed R covers it */
#define XT_RING_S 0.8        /* magnitude history (beats come <= 0.3 s late) */
#define XT_BLANK_S 0.2       /* no marks this long after a (re)start */
#define XT_MAX_ABS_MV 1e4    /* larger samples are clipped */

struct xtalk {
	double fs_hz;
	struct iir_biquad hp, lp;
	int primed, armed;
	int64_t n;               /* samples seen, gaps included */
	int64_t since_start;     /* samples since the filters (re)started */
	float *ring;             /* |band| per sample */
	size_t mask;
	int64_t win, refract0, blank, match;
	/* learned from confirmed beats */
	float height[XT_HIST], offset[XT_HIST], rr[XT_HIST];
	int nh, ih, no, io, nrr, irr;
	int64_t last_beat;       /* R of the last confirmed beat, -1 = none */
	float thr;               /* 0 = not learned yet */
	int64_t off;             /* R - crossing, samples */
	int64_t refract;
	/* marks */
	int64_t last_mark_n;     /* sample of the last mark's crossing */
	int64_t mark_r[XT_HIST];
	int im;
	uint64_t marks, missed;
};

static float median(const float *v, int n)
{
	float s[XT_HIST];
	memcpy(s, v, (size_t)n * sizeof(*s));
	for (int i = 1; i < n; i++) /* insertion sort: n <= 8 */
		for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
			float t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	return n % 2 ? s[n / 2] : 0.5f * (s[n / 2 - 1] + s[n / 2]);
}

struct xtalk *xtalk_new(double fs_hz, int *err)
{
	int e = VG_OK;
	struct xtalk *x = NULL;
	if (!(fs_hz >= 100.0 && fs_hz <= 4000.0)) {
		e = VG_ERR_INVAL;
		goto out;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	x->fs_hz = fs_hz;
	if (iir_section(&x->hp, IIR_HIGHPASS, fs_hz, XT_HP_HZ, M_SQRT1_2) < 0 ||
	    iir_section(&x->lp, IIR_LOWPASS, fs_hz, XT_LP_HZ, M_SQRT1_2) < 0) {
		e = VG_ERR_INVAL;
		goto out;
	}
	size_t len = 1;
	while (len < (size_t)ceil(XT_RING_S * fs_hz))
		len <<= 1;
	x->ring = calloc(len, sizeof(*x->ring));
	if (!x->ring) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	x->mask = len - 1;
	x->win = (int64_t)lround(XT_WIN_S * fs_hz);
	x->refract0 = x->refract = (int64_t)lround(XT_REFRACT_S * fs_hz);
	x->blank = (int64_t)lround(XT_BLANK_S * fs_hz);
	x->match = (int64_t)lround(XT_MATCH_S * fs_hz);
	x->last_beat = -1;
	x->last_mark_n = INT64_MIN / 2;
	for (int i = 0; i < XT_HIST; i++)
		x->mark_r[i] = INT64_MIN / 2;
out:
	if (e) {
		if (x)
			xtalk_destroy(&x);
		if (err)
			*err = e;
		return NULL;
	}
	if (err)
		*err = VG_OK;
	return x;
}

void xtalk_destroy(struct xtalk **xp)
{
	if (!xp || !*xp)
		return;
	free((*xp)->ring);
	free(*xp);
	*xp = NULL;
}

int xtalk_step(struct xtalk *x, float x_mv, int64_t *r_sample)
{
	if (!x)
		return 0;
	double v = isfinite(x_mv) ? x_mv : 0.0;
	if (fabs(v) > XT_MAX_ABS_MV)
		v = v > 0 ? XT_MAX_ABS_MV : -XT_MAX_ABS_MV;
	if (!x->primed) {
		iir_prime(&x->hp, 1, v);
		iir_reset(&x->lp, 1);
		x->primed = 1;
		x->since_start = 0;
		x->armed = 0;
	}
	float f = (float)fabs(iir_step(&x->lp, iir_step(&x->hp, v)));
	int64_t i = x->n++;
	x->ring[(size_t)i & x->mask] = f;
	x->since_start++;
	if (x->thr <= 0.0f || x->since_start < x->blank)
		return 0;
	if (f < 0.5f * x->thr)
		x->armed = 1;
	if (!x->armed || f < x->thr || i - x->last_mark_n < x->refract)
		return 0;
	x->armed = 0;
	x->last_mark_n = i;
	int64_t r = i + x->off;
	x->mark_r[x->im] = r;
	x->im = (x->im + 1) % XT_HIST;
	x->marks++;
	if (r_sample)
		*r_sample = r;
	return 1;
}

static void push(float *v, int *n, int *idx, float val)
{
	v[*idx] = val;
	*idx = (*idx + 1) % XT_HIST;
	if (*n < XT_HIST)
		(*n)++;
}

int xtalk_beat(struct xtalk *x, int64_t r)
{
	if (!x || r < 0 || r > x->n) /* not a sample seen: nothing to learn or match */
		return 0;
	int covered = 0;
	for (int k = 0; k < XT_HIST; k++)
		if (llabs(x->mark_r[k] - r) <= x->match)
			covered = 1;
	if (!covered && x->thr > 0.0f)
		x->missed++;
	int64_t a = r - x->win, b = r + x->win;
	/* learn only from a window that is whole and still in the ring, and
	 * lies after the last (re)start's transient */
	if (a < x->n - x->since_start + x->blank || b >= x->n ||
	    x->n - a > (int64_t)x->mask)
		goto rr;
	float peak = 0.0f;
	for (int64_t i = a; i <= b; i++)
		if (x->ring[(size_t)i & x->mask] > peak)
			peak = x->ring[(size_t)i & x->mask];
	if (!(peak > 0.0f))
		goto rr;
	float t = x->thr > 0.0f ? x->thr : XT_THR_K * peak;
	int64_t cross = r;
	for (int64_t i = a; i <= b; i++)
		if (x->ring[(size_t)i & x->mask] >= t) {
			cross = i;
			break;
		}
	push(x->height, &x->nh, &x->ih, peak);
	push(x->offset, &x->no, &x->io, (float)(r - cross));
	if (x->nh >= XT_LEARN) {
		x->thr = XT_THR_K * median(x->height, x->nh);
		x->off = (int64_t)lroundf(median(x->offset, x->no));
	}
rr:
	if (x->last_beat >= 0) {
		double rr_s = (double)(r - x->last_beat) / x->fs_hz;
		if (rr_s > 0.25 && rr_s < 2.5) {
			push(x->rr, &x->nrr, &x->irr, (float)(r - x->last_beat));
			int64_t k = (int64_t)lround(XT_REFRACT_RR * median(x->rr, x->nrr));
			x->refract = k > x->refract0 ? k : x->refract0;
		}
	}
	x->last_beat = r;
	return covered;
}

void xtalk_gap(struct xtalk *x, uint64_t n)
{
	if (!x)
		return;
	x->n += (int64_t)n;
	x->primed = 0;
	x->last_beat = -1;
}

uint64_t xtalk_marks(const struct xtalk *x)
{
	return x ? x->marks : 0;
}

uint64_t xtalk_missed(const struct xtalk *x)
{
	return x ? x->missed : 0;
}
