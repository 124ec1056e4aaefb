/*
 * resp.c - breathing rate from RSA and four ECG-derived modulations (resp.h).
 *
 * Per resp_compute():
 *  1. Take the beats of the last window_s after the last gap. For each
 *     modulation keep the beats where it is finite, drop values beyond 5
 *     robust SD (1.4826 MAD) of the window median (ectopic and noisy beats
 *     have odd amplitudes); need >= 8 points covering >= 80 % of the window.
 *  2. Resample at 4 Hz with a not-a-knot spline (spline.h) between its
 *     first and last point; spec_welch() with a single segment (the whole
 *     series), linear detrend, Hann window, FFT length 1024 (0.0039 Hz bins).
 *  3. Breathing band: RESP_MIN_BPM..min(RESP_MAX_BPM, 0.5 x heart rate)
 *     (beats sample the modulation: above half the heart rate it aliases).
 *  4. Each modulation's rate: peak bin in the band, refined by a parabola
 *     through its neighbours; its quality = (power within +-0.03 Hz of the
 *     peak) / (band power).
 *  5. resp_fuse() (smart fusion, resp_fuse.h): only estimates of quality
 *     >= q_min that agree within +-agree_bpm give the rate (their
 *     quality-weighted mean); otherwise the rate is NAN with the reason.
 *     The track (last published rate) breaks ties between groups.
 *  source: "fused" when RSA and an EDR modulation agreed, "rsa" or "edr"
 *  when only one kind did; confidence = mean quality of the agreeing set.
 * References: Moody et al., "Derivation of respiratory signals from
 * multi-lead ECGs", Computers in Cardiology 12:113, 1985 (EDR); Schafer &
 * Kratky, Ann. Biomed. Eng. 36:476, 2008 (RSA-based respiratory rate);
 * Charlton et al., Physiol. Meas. 37:610, 2016 (modulations: baseline
 * wander, amplitude, frequency; fusion); Karlen et al., IEEE TBME 60:1946,
 * 2013 (smart fusion).
 * Limits: one dominant breathing rate per window (irregular breathing,
 * speech and sighs lower the quality, they are not tracked); below 5/min
 * a 64 s window holds under 6 cycles; RSA alone cannot tell slow breathing
 * from a Mayer wave at 0.1 Hz, which is why a beat-only source (RSA alone)
 * needs a higher quality.
 */
#include "resp.h"
#include "spectrum.h"
#include "spline.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FS_HZ 4.0
#define NFFT 1024
#define MIN_POINTS 8
#define COVER 0.8
#define MAX_BEATS_PER_S 5 /* 300 bpm */
#define OUTLIER_SD 5.0 /* robust SDs from the window median that drop a value */

struct resp {
	double window_s;
	size_t cap;
	int64_t *t;
	double *v[RESP_NMOD]; /* per beat, per modulation */
	size_t head, count;
	double *x, *y, *work, *grid, *sorted;
	size_t grid_cap;
	double *psd;
	struct spec *spec;
	struct resp_fuse_params fp;
	struct resp_track track;
};

struct resp *resp_new(double window_s, int *err)
{
	int e = VG_ERR_INVAL;
	struct resp *r = NULL;
	if (!(window_s >= 30.0 && window_s <= 240.0))
		goto fail;
	e = VG_ERR_NOMEM;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	r->window_s = window_s;
	r->cap = (size_t)(window_s * MAX_BEATS_PER_S) + 8;
	r->grid_cap = (size_t)(window_s * FS_HZ) + 8;
	r->t = malloc(r->cap * sizeof(*r->t));
	int ok = 1;
	for (int m = 0; m < RESP_NMOD; m++)
		ok &= (r->v[m] = malloc(r->cap * sizeof(double))) != NULL;
	r->sorted = malloc(r->cap * sizeof(*r->sorted));
	r->x = malloc(r->cap * sizeof(*r->x));
	r->y = malloc(r->cap * sizeof(*r->y));
	r->work = malloc(SPLINE_WORK(r->cap) * sizeof(*r->work));
	r->grid = malloc(r->grid_cap * sizeof(*r->grid));
	r->psd = malloc((NFFT / 2 + 1) * sizeof(double));
	r->spec = spec_new(NFFT, r->grid_cap < NFFT ? r->grid_cap : NFFT, &e);
	resp_fuse_defaults(&r->fp);
	resp_track_reset(&r->track);
	if (!ok || !r->t || !r->sorted || !r->x || !r->y || !r->work || !r->grid || !r->psd ||
	    !r->spec) {
		e = r->spec ? VG_ERR_NOMEM : e;
		goto fail;
	}
	return r;
fail:
	resp_destroy(&r);
	if (err)
		*err = e;
	return NULL;
}

void resp_destroy(struct resp **rp)
{
	if (!rp || !*rp)
		return;
	struct resp *r = *rp;
	free(r->t);
	for (int m = 0; m < RESP_NMOD; m++)
		free(r->v[m]);
	free(r->sorted);
	free(r->x);
	free(r->y);
	free(r->work);
	free(r->grid);
	free(r->psd);
	spec_destroy(&r->spec);
	free(r);
	*rp = NULL;
}

void resp_reset(struct resp *r)
{
	if (r) {
		r->head = r->count = 0;
		resp_track_reset(&r->track);
	}
}

void resp_set_fuse(struct resp *r, const struct resp_fuse_params *p)
{
	if (r && p)
		r->fp = *p;
}

const char *resp_mod_name(enum resp_mod m)
{
	static const char *const names[RESP_NMOD] = { "rsa", "amp", "rs", "area", "bw" };
	return (unsigned)m < RESP_NMOD ? names[m] : "none";
}

void resp_gap(struct resp *r)
{
	resp_reset(r);
}

const char *resp_source_name(enum resp_source s)
{
	switch (s) {
	case RESP_SRC_RSA: return "rsa";
	case RESP_SRC_EDR: return "edr";
	case RESP_SRC_FUSED: return "fused";
	default: return "none";
	}
}

void resp_push(struct resp *r, int64_t t_ns, const struct resp_beat *b)
{
	if (!r || !b)
		return;
	if (r->count && t_ns <= r->t[(r->head + r->count - 1) % r->cap])
		return;
	int64_t w_ns = (int64_t)(r->window_s * 1e9);
	while (r->count && (r->t[r->head] <= t_ns - w_ns || r->count == r->cap)) {
		r->head = (r->head + 1) % r->cap;
		r->count--;
	}
	size_t i = (r->head + r->count) % r->cap;
	r->t[i] = t_ns;
	r->v[RESP_MOD_RSA][i] = (isfinite(b->nn_ms) && b->nn_ms > 0.0) ? b->nn_ms : NAN;
	r->v[RESP_MOD_AMP][i] = isfinite(b->amp_mv) ? b->amp_mv : NAN;
	r->v[RESP_MOD_RS][i] = isfinite(b->rs_mv) ? b->rs_mv : NAN;
	r->v[RESP_MOD_AREA][i] = isfinite(b->area) ? b->area : NAN;
	r->v[RESP_MOD_BW][i] = isfinite(b->base_mv) ? b->base_mv : NAN;
	r->count++;
}

void resp_push_beat(struct resp *r, int64_t t_ns, double nn_ms, double amp)
{
	struct resp_beat b = { nn_ms, amp, NAN, NAN, NAN };
	resp_push(r, t_ns, &b);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return (n & 1u) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* PSD of modulation mod into psd, normalised to unit power over bins
 * [k0, k1]. Returns 0 or VG_ERR_AGAIN. */
static int series_psd(struct resp *r, int mod, size_t k0, size_t k1, double *psd)
{
	size_t n = 0;
	int64_t t_new = r->t[(r->head + r->count - 1) % r->cap];
	for (size_t k = 0; k < r->count; k++) {
		double v = r->v[mod][(r->head + k) % r->cap];
		if (isfinite(v))
			r->sorted[n++] = v;
	}
	if (n < MIN_POINTS)
		return VG_ERR_AGAIN;
	double med = median_of(r->sorted, n);
	for (size_t k = 0; k < n; k++)
		r->sorted[k] = fabs(r->sorted[k] - med);
	double lim = OUTLIER_SD * 1.4826 * median_of(r->sorted, n);
	if (!(lim > 0.0))
		lim = INFINITY; /* over half the values equal: nothing to call odd */
	n = 0;
	for (size_t k = 0; k < r->count; k++) {
		size_t i = (r->head + k) % r->cap;
		double v = r->v[mod][i];
		if (!isfinite(v) || fabs(v - med) > lim)
			continue;
		r->x[n] = (double)(r->t[i] - t_new) * 1e-9;
		r->y[n] = v;
		n++;
	}
	if (n < MIN_POINTS || r->x[n - 1] - r->x[0] < COVER * r->window_s)
		return VG_ERR_AGAIN;
	size_t m = (size_t)floor((r->x[n - 1] - r->x[0]) * FS_HZ) + 1;
	if (m > r->grid_cap)
		m = r->grid_cap;
	if (m > NFFT)
		m = NFFT;
	if (spline_resample(r->x, r->y, n, r->x[0], 1.0 / FS_HZ, m, r->grid, r->work))
		return VG_ERR_AGAIN;
	if (spec_welch(r->spec, r->grid, m, FS_HZ, m, SPEC_DETREND_LINEAR, psd) < 1)
		return VG_ERR_AGAIN;
	double tot = 0.0;
	for (size_t k = k0; k <= k1; k++)
		tot += psd[k];
	if (!(tot > 0.0))
		return VG_ERR_AGAIN;
	for (size_t k = 0; k < NFFT / 2 + 1; k++)
		psd[k] /= tot;
	return 0;
}

static double peak(const double *p, size_t k0, size_t k1, double df, double *conf)
{
	size_t best = k0;
	for (size_t k = k0; k <= k1; k++)
		if (p[k] > p[best])
			best = k;
	double f = (double)best * df;
	if (best > k0 && best < k1) {
		double a = p[best - 1], b = p[best], c = p[best + 1];
		double den = a - 2.0 * b + c;
		if (den < 0.0)
			f += 0.5 * (a - c) / den * df;
	}
	double tot = 0.0, near = 0.0;
	for (size_t k = k0; k <= k1; k++) {
		tot += p[k];
		if (fabs((double)k * df - f) <= RESP_PEAK_HALF_HZ)
			near += p[k];
	}
	*conf = tot > 0.0 ? near / tot : 0.0;
	return f;
}

int resp_compute(struct resp *r, struct resp_result *out)
{
	if (!r || !out)
		return VG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->resp_bpm = out->resp_hz = out->rsa_bpm = out->edr_bpm = NAN;
	out->source = RESP_SRC_NONE;
	out->reason = RESP_REASON_LOW_QUALITY;
	for (int m = 0; m < RESP_NMOD; m++) {
		out->mod_bpm[m] = NAN;
		out->mod_q[m] = 0.0;
	}
	if (r->count < MIN_POINTS)
		return VG_ERR_AGAIN;
	/* heart rate from the beat times bounds the band */
	int64_t t0 = r->t[r->head], t1 = r->t[(r->head + r->count - 1) % r->cap];
	double hr_hz = (double)(r->count - 1) / ((double)(t1 - t0) * 1e-9);
	double df = FS_HZ / NFFT;
	double hi_hz = RESP_MAX_BPM / 60.0;
	if (0.5 * hr_hz < hi_hz)
		hi_hz = 0.5 * hr_hz;
	size_t k0 = (size_t)ceil(RESP_MIN_BPM / 60.0 / df), k1 = (size_t)floor(hi_hz / df);
	if (k1 <= k0 + 2)
		return VG_ERR_AGAIN;
	int have = 0;
	for (int m = 0; m < RESP_NMOD; m++) {
		if (series_psd(r, m, k0, k1, r->psd) != 0)
			continue;
		out->mod_bpm[m] = 60.0 * peak(r->psd, k0, k1, df, &out->mod_q[m]);
		have++;
	}
	if (!have)
		return VG_ERR_AGAIN;
	out->rsa_bpm = out->mod_bpm[RESP_MOD_RSA];
	out->edr_bpm = out->mod_bpm[RESP_MOD_AMP];
	struct resp_fused f;
	resp_fuse(out->mod_bpm, out->mod_q, RESP_NMOD, &r->fp, &r->track, t1, &f);
	out->reason = f.reason;
	out->members = f.members;
	out->confidence = f.confidence;
	if (f.reason != RESP_REASON_NONE)
		return 0;
	int rsa = (f.members >> RESP_MOD_RSA) & 1u, edr = (f.members & ~(1u << RESP_MOD_RSA)) != 0;
	out->source = rsa && edr ? RESP_SRC_FUSED : (rsa ? RESP_SRC_RSA : RESP_SRC_EDR);
	out->resp_bpm = f.bpm;
	out->resp_hz = f.bpm / 60.0;
	return 0;
}
