/*
 * resp.c - breathing rate from RSA and ECG-derived respiration (resp.h).
 *
 * Per resp_compute():
 *  1. Take the beats of the last window_s after the last gap. For each
 *     series (NN for RSA, amplitude for EDR) keep the beats where it is
 *     finite; need >= 8 points covering >= 80 % of the window.
 *  2. Resample at 4 Hz with a not-a-knot spline (spline.h) between its
 *     first and last point; spec_welch() with a single segment (the whole
 *     series), linear detrend, Hann window, FFT length 1024 (0.0039 Hz bins).
 *  3. Breathing band: RESP_MIN_BPM..min(RESP_MAX_BPM, 0.5 x heart rate)
 *     (beats sample the modulation: above half the heart rate it aliases).
 *     Each PSD is divided by its power in the band.
 *  4. Fused spectrum = P_rsa^w x P_edr^(1-w) when both exist, else the
 *     one; w = c_rsa^3 / (c_rsa^3 + c_edr^3), c = each spectrum's own peak
 *     share (step 5), capped at 0.3: the R amplitude follows the chest
 *     mechanically, while RR also carries Mayer waves and heart-rate
 *     trends at 3-6/min that a band peak cannot tell from breathing (on
 *     drivedb drive05 RSA alone errs by 4.8/min, EDR alone by 0.5/min, the
 *     fusion by 0.5/min); RSA still decides between EDR peaks of similar
 *     height.
 *  5. Peak bin in the band, refined by a parabola through its neighbours;
 *     confidence = (power within +-0.03 Hz of the peak) / (band power) of
 *     the spectrum used.
 * References: Moody et al., "Derivation of respiratory signals from
 * multi-lead ECGs", Computers in Cardiology 12:113, 1985 (EDR); Schafer &
 * Kratky, Ann. Biomed. Eng. 36:476, 2008 (RSA-based respiratory rate);
 * Charlton et al., Physiol. Meas. 37:610, 2016 (fusion of modulations).
 * Limits: one dominant breathing rate per window (irregular breathing,
 * speech and sighs lower the confidence, they are not tracked); below 5/min
 * a 64 s window holds under 6 cycles; RSA alone cannot tell slow breathing
 * from a Mayer wave at 0.1 Hz (EDR can).
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
#define RSA_MAX_WEIGHT 0.3 /* most weight of the RR spectrum in the fusion */

struct resp {
	double window_s;
	size_t cap;
	int64_t *t;
	double *nn, *amp;
	size_t head, count;
	double *x, *y, *work, *grid;
	size_t grid_cap;
	double *p_rsa, *p_edr, *p_fused;
	struct spec *spec;
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
	r->nn = malloc(r->cap * sizeof(*r->nn));
	r->amp = malloc(r->cap * sizeof(*r->amp));
	r->x = malloc(r->cap * sizeof(*r->x));
	r->y = malloc(r->cap * sizeof(*r->y));
	r->work = malloc(SPLINE_WORK(r->cap) * sizeof(*r->work));
	r->grid = malloc(r->grid_cap * sizeof(*r->grid));
	r->p_rsa = malloc((NFFT / 2 + 1) * sizeof(double));
	r->p_edr = malloc((NFFT / 2 + 1) * sizeof(double));
	r->p_fused = malloc((NFFT / 2 + 1) * sizeof(double));
	r->spec = spec_new(NFFT, r->grid_cap < NFFT ? r->grid_cap : NFFT, &e);
	if (!r->t || !r->nn || !r->amp || !r->x || !r->y || !r->work || !r->grid ||
	    !r->p_rsa || !r->p_edr || !r->p_fused || !r->spec) {
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
	free(r->nn);
	free(r->amp);
	free(r->x);
	free(r->y);
	free(r->work);
	free(r->grid);
	free(r->p_rsa);
	free(r->p_edr);
	free(r->p_fused);
	spec_destroy(&r->spec);
	free(r);
	*rp = NULL;
}

void resp_reset(struct resp *r)
{
	if (r)
		r->head = r->count = 0;
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

void resp_push_beat(struct resp *r, int64_t t_ns, double nn_ms, double amp)
{
	if (!r)
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
	r->nn[i] = (isfinite(nn_ms) && nn_ms > 0.0) ? nn_ms : NAN;
	r->amp[i] = isfinite(amp) ? amp : NAN;
	r->count++;
}

/* PSD of one series (which = 0: nn, 1: amp) into psd, normalised to unit
 * power over bins [k0, k1]. Returns 0 or VG_ERR_AGAIN. */
static int series_psd(struct resp *r, int which, size_t k0, size_t k1, double *psd)
{
	size_t n = 0;
	int64_t t_new = r->t[(r->head + r->count - 1) % r->cap];
	for (size_t k = 0; k < r->count; k++) {
		size_t i = (r->head + k) % r->cap;
		double v = which ? r->amp[i] : r->nn[i];
		if (!isfinite(v))
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
	int have_rsa = series_psd(r, 0, k0, k1, r->p_rsa) == 0;
	int have_edr = series_psd(r, 1, k0, k1, r->p_edr) == 0;
	if (!have_rsa && !have_edr)
		return VG_ERR_AGAIN;
	double c_rsa = 0.0, c_edr = 0.0;
	if (have_rsa)
		out->rsa_bpm = 60.0 * peak(r->p_rsa, k0, k1, df, &c_rsa);
	if (have_edr)
		out->edr_bpm = 60.0 * peak(r->p_edr, k0, k1, df, &c_edr);
	const double *p;
	if (have_rsa && have_edr) {
		/* geometric mean weighted by each source's own peak share (cubed),
		 * RSA's weight capped: EDR leads */
		double q_rsa = c_rsa * c_rsa * c_rsa, q_edr = c_edr * c_edr * c_edr;
		double w = q_rsa + q_edr > 0.0 ? q_rsa / (q_rsa + q_edr) : 0.5;
		if (w > RSA_MAX_WEIGHT)
			w = RSA_MAX_WEIGHT;
		for (size_t k = 0; k < NFFT / 2 + 1; k++)
			r->p_fused[k] = (r->p_rsa[k] > 0.0 && r->p_edr[k] > 0.0)
						? exp(w * log(r->p_rsa[k]) + (1.0 - w) * log(r->p_edr[k]))
						: 0.0;
		p = r->p_fused;
		out->source = RESP_SRC_FUSED;
	} else {
		p = have_rsa ? r->p_rsa : r->p_edr;
		out->source = have_rsa ? RESP_SRC_RSA : RESP_SRC_EDR;
	}
	out->resp_hz = peak(p, k0, k1, df, &out->confidence);
	out->resp_bpm = 60.0 * out->resp_hz;
	return 0;
}
