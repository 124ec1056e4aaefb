/*
 * hrv.c - time- and frequency-domain HRV over a sliding window (see hrv.h).
 *
 * Problem: standard HRV figures (Task Force 1996) after every beat, live,
 * identical to the offline analysis and to independent implementations,
 * with no allocation per beat.
 * Approach: a ring holds the NN intervals (end time, value, flags) of the
 * last window_s. hrv_compute() copies the window out and computes
 * - time domain: mean NN, SDNN (n-1), RMSSD, pNN50 and SD1 from the
 *   successive differences of intervals that share a beat (the next one
 *   starts where the previous ended, within 30 % of the interval, and is
 *   not flagged HRV_NN_AFTER_GAP) and are both uncorrected (NN only; mean
 *   NN and SDNN keep the corrected values), SD1 = sqrt(0.5) SD(d) (n-1),
 *   SD2 = sqrt(2 SDNN^2 - SD1^2), HR = 60000/mean NN;
 * - frequency domain on the last continuous run of the window (a gap is
 *   never interpolated across), without the intervals flagged
 *   HRV_NN_CORRECTED (the spline bridges them, as it bridges the NN
 *   removed around an ectopic beat in annotation-based analysis) and, with
 *   hrv_set_robust(), without impulses (nn_impulse.h: an interval 30 %
 *   off the median of the five around it, when such are rare): NN(t) through a not-a-knot cubic spline
 *   (spline.h) resampled at 4 Hz from the first to the last NN time, Welch
 *   PSD through spec_welch() (Hann, 512-sample = 128 s segments, 50 %
 *   overlap, linear detrend per segment, FFT length 2048, ms^2/Hz), band
 *   powers by trapezoid over the bins lo <= f < hi: LF [0.04, 0.15), HF
 *   [0.15, 0.40); VLF [0.0033, 0.04) from a second Welch pass with 512 s
 *   segments (a 128 s Hann segment smears a 0.033 Hz line across 0.04 Hz
 *   and its linear detrend eats VLF power: EC57 TP4 would read 11 % low). A band is reported only when the run
 *   covers at least 95 % of its minimum length (HF 60 s, LF 120 s, VLF
 *   300 s), otherwise NAN; LF/HF and normalised units need both.
 *   hf_peak_hz: the largest HF bin refined by a parabola through its
 *   neighbours.
 * - RSA: the breathing frequency f_b comes from hrv_set_resp_hz() (resp.h,
 *   ECG-derived respiration fused with RSA) or, without it, from the RR
 *   spectrum when one peak in [0.05, 0.40) Hz holds more than half of the
 *   LF+HF power. If f_b < 0.15 Hz (9/min) the RSA lies in LF:
 *   slow_breathing = 1 and rsa_ms2 = power in [f_b - 0.03, f_b + 0.03) Hz
 *   (the Hann main lobe of a 128 s segment is +-0.016 Hz); otherwise
 *   rsa_ms2 = hf_ms2.
 * - live refresh: LF/HF are recomputed on every beat by default (about
 *   40 us for a 300 s window: the spline, three 2048-point FFTs, bins
 *   converted to power only up to 0.43 Hz); VLF, which needs a fourth FFT
 *   over 512 s segments and changes slowly, every HRV_VLF_INTERVAL_S (5 s)
 *   of data or after a gap (vlf_age_s). hrv_set_spectrum_interval() /
 *   hrv_set_vlf_interval() change the intervals (0 = every call);
 *   hrv_compute_span() always recomputes everything, so offline figures
 *   follow the reference definitions exactly.
 * - pns_index via calm_pns_index(); calm/calm_trend are left NAN for
 *   calm_update().
 * References: Task Force of the ESC and NASPE, Circulation 93:1043, 1996;
 * Welch 1967; Brennan et al., IEEE TBME 48:1342, 2001 (SD1/SD2); ANSI/AAMI
 * EC57 (test patterns); the nsr2db reference definitions (data README).
 * Limits: VLF needs >= 5 min and is a single-segment periodogram below
 * 512 s; at 48 h (HRV_MAX_WINDOW_S) the buffers take about 60 MB.
 */
#include "hrv.h"
#include "calm.h"
#include "nn_impulse.h"
#include "spectrum.h"
#include "spline.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NN_MIN_MS HRV_NN_MIN_MS
#define NN_MAX_MS HRV_NN_MAX_MS
#define SEG_SAMPLES 512       /* 128 s at 4 Hz: LF, HF (reference definition) */
#define VLF_SEG_SAMPLES 2048  /* 512 s at 4 Hz: VLF */
#define NFFT 2048
#define SHARE_TOL 0.30        /* beat-sharing tolerance, fraction of NN */
#define BAND_COVER 0.95       /* share of a band's minimum length needed */
#define RSA_HALF_HZ 0.03      /* half width of the RSA band when slow */
#define SLOW_BREATH_HZ 0.15   /* 9 breaths/min */
#define PEAK_LO_HZ 0.05
#define PEAK_SHARE 0.5        /* own-estimate peak share of LF+HF power */
#define PEAK_HALF_HZ 0.03
#define RESP_CHANGE_HZ 0.01   /* breathing-rate change that forces a refresh */

struct hrv {
	double window_s;
	size_t cap;
	int64_t *t;      /* ring: end times, ns */
	double *nn;      /* ring: NN, ms */
	uint8_t *fl;     /* ring: flags */
	size_t head;     /* index of the oldest */
	size_t count;
	double resp_hz;  /* external breathing frequency, NAN = none */
	double nn_min_ms, nn_max_ms; /* accepted NN range (hrv_set_nn_range) */
	/* work, sized at hrv_new */
	double *xs, *ys; /* window copy: time s (relative), NN ms */
	uint8_t *fs;
	double *kx, *ky; /* spline knots: the run without corrected intervals */
	uint8_t *drop;   /* impulses among the knots (hrv_set_robust) */
	int robust;      /* leave impulses out of the spectrum */
	double *work;    /* spline work */
	double *grid;    /* resampled series */
	size_t grid_cap;
	double *psd;
	struct spec *spec;
	struct spec *spec_vlf;
	/* live spectral refresh (hrv_set_spectrum_interval) */
	double spec_interval_s;
	int have_spec;
	int64_t spec_t;          /* newest NN time when the cache was computed */
	int64_t spec_gap_t;      /* time of the last gap seen by the cache */
	struct hrv_result spec_r;
	/* live VLF refresh (hrv_set_vlf_interval) */
	double vlf_interval_s;
	int have_vlf;
	int64_t vlf_t, vlf_gap_t;
	double vlf_ms2;
	/* set by compute_range for freq_domain */
	int live;
	int64_t t_new, t_gap;
};

struct hrv *hrv_new(double window_s, int *err)
{
	int e = VG_ERR_INVAL;
	struct hrv *h = NULL;
	if (!(window_s >= 10.0 && window_s <= HRV_MAX_WINDOW_S))
		goto fail;
	e = VG_ERR_NOMEM;
	h = calloc(1, sizeof(*h));
	if (!h)
		goto fail;
	h->window_s = window_s;
	h->cap = (size_t)(window_s * 1000.0 / NN_MIN_MS) + 8;
	h->grid_cap = (size_t)(window_s * HRV_RESAMPLE_HZ) + 8;
	h->t = malloc(h->cap * sizeof(*h->t));
	h->nn = malloc(h->cap * sizeof(*h->nn));
	h->fl = malloc(h->cap * sizeof(*h->fl));
	h->xs = malloc(h->cap * sizeof(*h->xs));
	h->ys = malloc(h->cap * sizeof(*h->ys));
	h->fs = malloc(h->cap * sizeof(*h->fs));
	h->kx = malloc(h->cap * sizeof(*h->kx));
	h->ky = malloc(h->cap * sizeof(*h->ky));
	h->drop = malloc(h->cap * sizeof(*h->drop));
	h->work = malloc(SPLINE_WORK(h->cap) * sizeof(*h->work));
	h->grid = malloc(h->grid_cap * sizeof(*h->grid));
	h->psd = malloc((NFFT / 2 + 1) * sizeof(*h->psd));
	h->spec = spec_new(NFFT, SEG_SAMPLES, &e);
	if (h->spec)
		h->spec_vlf = spec_new(NFFT, VLF_SEG_SAMPLES, &e);
	if (!h->t || !h->nn || !h->fl || !h->xs || !h->ys || !h->fs || !h->kx || !h->ky || !h->drop || !h->work ||
	    !h->grid || !h->psd || !h->spec || !h->spec_vlf) {
		e = h->spec_vlf ? VG_ERR_NOMEM : e;
		goto fail;
	}
	/* only the bins that are read: LF/HF, the HF peak and the RSA / own
	 * breathing-peak bands reach 0.43 Hz; VLF 0.04 Hz */
	spec_set_bins(h->spec, (size_t)ceil((HRV_HF_HI_HZ + 2.0 * PEAK_HALF_HZ) * NFFT /
					    HRV_RESAMPLE_HZ) + 2);
	spec_set_bins(h->spec_vlf, (size_t)ceil(HRV_VLF_HI_HZ * NFFT / HRV_RESAMPLE_HZ) + 2);
	h->spec_interval_s = HRV_SPECTRUM_INTERVAL_S;
	h->vlf_interval_s = HRV_VLF_INTERVAL_S;
	h->nn_min_ms = NN_MIN_MS;
	h->nn_max_ms = NN_MAX_MS;
	hrv_reset(h);
	return h;
fail:
	hrv_destroy(&h);
	if (err)
		*err = e;
	return NULL;
}

void hrv_destroy(struct hrv **hp)
{
	if (!hp || !*hp)
		return;
	struct hrv *h = *hp;
	free(h->t);
	free(h->nn);
	free(h->fl);
	free(h->xs);
	free(h->ys);
	free(h->fs);
	free(h->kx);
	free(h->ky);
	free(h->drop);
	free(h->work);
	free(h->grid);
	free(h->psd);
	spec_destroy(&h->spec);
	spec_destroy(&h->spec_vlf);
	free(h);
	*hp = NULL;
}

void hrv_reset(struct hrv *h)
{
	if (!h)
		return;
	h->head = 0;
	h->count = 0;
	h->resp_hz = NAN;
	h->have_spec = 0;
	h->have_vlf = 0;
}

int hrv_set_nn_range(struct hrv *h, double min_ms, double max_ms)
{
	if (!h || !(min_ms >= 0.0) || !(max_ms > min_ms) || !isfinite(max_ms))
		return VG_ERR_INVAL;
	h->nn_min_ms = min_ms;
	h->nn_max_ms = max_ms;
	return 0;
}

void hrv_set_spectrum_interval(struct hrv *h, double interval_s)
{
	if (!h)
		return;
	h->spec_interval_s = (isfinite(interval_s) && interval_s > 0.0) ? interval_s : 0.0;
	h->have_spec = 0;
}

void hrv_set_vlf_interval(struct hrv *h, double interval_s)
{
	if (!h)
		return;
	h->vlf_interval_s = (isfinite(interval_s) && interval_s > 0.0) ? interval_s : 0.0;
	h->have_vlf = 0;
}

void hrv_set_robust(struct hrv *h, int on)
{
	if (h && h->robust != (on != 0)) {
		h->robust = on != 0;
		h->have_spec = 0;
		h->have_vlf = 0;
	}
}

double hrv_window_s(const struct hrv *h)
{
	return h ? h->window_s : NAN;
}

void hrv_set_resp_hz(struct hrv *h, double resp_hz)
{
	if (!h)
		return;
	double v = (isfinite(resp_hz) && resp_hz > 0.0 && resp_hz < 2.0) ? resp_hz : NAN;
	/* rsa_ms2 depends on it: recompute at once on a material change (a
	 * new or lost rate, or more than RESP_CHANGE_HZ), else at the next
	 * refresh, so that a rate updated every second does not defeat the
	 * live refresh interval */
	if (isnan(v) != isnan(h->resp_hz) || fabs(v - h->resp_hz) > RESP_CHANGE_HZ)
		h->have_spec = 0;
	h->resp_hz = v;
}

static size_t ring_idx(const struct hrv *h, size_t k)
{
	return (h->head + k) % h->cap;
}

void hrv_push(struct hrv *h, int64_t t_ns, double nn_ms, unsigned flags)
{
	if (!h || !(nn_ms >= h->nn_min_ms && nn_ms <= h->nn_max_ms) || !(nn_ms > 0.0))
		return;
	if (h->count && t_ns <= h->t[ring_idx(h, h->count - 1)])
		return; /* time must increase */
	/* drop what left the window, and the oldest if full */
	int64_t w_ns = (int64_t)(h->window_s * 1e9);
	while (h->count && (h->t[h->head] <= t_ns - w_ns || h->count == h->cap)) {
		h->head = (h->head + 1) % h->cap;
		h->count--;
	}
	size_t i = ring_idx(h, h->count);
	h->t[i] = t_ns;
	h->nn[i] = nn_ms;
	h->fl[i] = (uint8_t)flags;
	h->count++;
}

static void result_init(struct hrv_result *r, double window_s)
{
	memset(r, 0, sizeof(*r));
	r->window_s = window_s;
	r->mean_nn_ms = r->sdnn_ms = r->rmssd_ms = r->pnn50 = NAN;
	r->sd1_ms = r->sd2_ms = r->hr_bpm = r->artifacts_pct = NAN;
	r->vlf_ms2 = r->lf_ms2 = r->hf_ms2 = r->lf_hf = NAN;
	r->lf_nu = r->hf_nu = r->hf_peak_hz = r->rsa_ms2 = NAN;
	r->pns_index = r->calm = r->calm_trend = NAN;
	r->resp_hz = NAN;
	r->spectrum_s = 0.0;
}

static void time_domain(const struct hrv *h, size_t n, struct hrv_result *r)
{
	const double *x = h->xs, *y = h->ys;
	double sum = 0.0, corr = 0.0;
	for (size_t i = 0; i < n; i++) {
		sum += y[i];
		if (h->fs[i] & HRV_NN_CORRECTED)
			corr += 1.0;
	}
	double mean = sum / (double)n, ss = 0.0;
	for (size_t i = 0; i < n; i++)
		ss += (y[i] - mean) * (y[i] - mean);
	double sdnn = sqrt(ss / (double)(n - 1));
	/* successive differences of intervals sharing a beat */
	double dsum = 0.0, dsq = 0.0;
	size_t nd = 0, n50 = 0;
	for (size_t i = 1; i < n; i++) {
		if ((h->fs[i] & HRV_NN_AFTER_GAP) || ((h->fs[i] | h->fs[i - 1]) & HRV_NN_CORRECTED))
			continue;
		double start_s = x[i] - y[i] * 1e-3;
		if (fabs(start_s - x[i - 1]) > SHARE_TOL * y[i] * 1e-3)
			continue;
		double d = y[i] - y[i - 1];
		dsum += d;
		dsq += d * d;
		nd++;
		if (fabs(d) > 50.0)
			n50++;
	}
	r->n = (int)n;
	r->n_diff = (int)nd;
	r->mean_nn_ms = mean;
	r->sdnn_ms = sdnn;
	r->hr_bpm = 60000.0 / mean;
	r->artifacts_pct = 100.0 * corr / (double)n;
	if (nd >= 1) {
		r->rmssd_ms = sqrt(dsq / (double)nd);
		r->pnn50 = 100.0 * (double)n50 / (double)nd;
	}
	if (nd >= 2) {
		double dm = dsum / (double)nd;
		double var_d = (dsq - (double)nd * dm * dm) / (double)(nd - 1);
		r->sd1_ms = sqrt(0.5 * (var_d > 0.0 ? var_d : 0.0));
		double s2 = 2.0 * sdnn * sdnn - r->sd1_ms * r->sd1_ms;
		r->sd2_ms = sqrt(s2 > 0.0 ? s2 : 0.0);
	}
}

/* Frequency of the largest bin in [lo, hi), refined by a parabola. */
static double peak_hz(const double *psd, size_t nb, double df, double lo,
		      double hi, double *pk)
{
	size_t k0 = (size_t)ceil(lo / df), best = 0;
	double bv = -1.0;
	for (size_t k = k0; k < nb && (double)k * df < hi; k++)
		if (psd[k] > bv) {
			bv = psd[k];
			best = k;
		}
	if (bv <= 0.0)
		return NAN;
	if (pk)
		*pk = bv;
	double f = (double)best * df;
	if (best > 0 && best + 1 < nb) {
		double a = psd[best - 1], b = psd[best], c = psd[best + 1];
		double den = a - 2.0 * b + c;
		if (den < 0.0) {
			double off = 0.5 * (a - c) / den;
			if (off > -1.0 && off < 1.0)
				f += off * df;
		}
	}
	return f;
}

static void freq_domain(struct hrv *h, size_t first, size_t n,
			struct hrv_result *r)
{
	double cover_s = h->xs[first + n - 1] - h->xs[first] + h->ys[first] * 1e-3;
	r->spectrum_s = cover_s;
	if (n < 4 || cover_s < BAND_COVER * HRV_MIN_HF_S)
		return;
	/* knots: intervals the cleaner corrected are left out, the spline
	 * bridges them as it bridges a removed ectopic beat (NN only) */
	size_t nk = 0;
	for (size_t i = first; i < first + n; i++) {
		if (h->fs[i] & HRV_NN_CORRECTED)
			continue;
		h->kx[nk] = h->xs[i];
		h->ky[nk] = h->ys[i];
		nk++;
	}
	/* robust: an odd interval the cleaner let through is bridged too */
	if (h->robust && nn_impulse_find(h->ky, nk, h->drop) > 0) {
		size_t w = 0;
		for (size_t i = 0; i < nk; i++)
			if (!h->drop[i]) {
				h->kx[w] = h->kx[i];
				h->ky[w] = h->ky[i];
				w++;
			}
		nk = w;
	}
	if (nk < 4)
		return;
	const double *x = h->kx, *y = h->ky;
	n = nk;
	double dt = 1.0 / HRV_RESAMPLE_HZ;
	size_t m = (size_t)floor((x[n - 1] - x[0]) * HRV_RESAMPLE_HZ) + 1;
	if (m > h->grid_cap)
		m = h->grid_cap;
	if (spline_resample(x, y, n, x[0], dt, m, h->grid, h->work) != 0)
		return;
	size_t seg = m < SEG_SAMPLES ? m : SEG_SAMPLES;
	if (spec_welch(h->spec, h->grid, m, HRV_RESAMPLE_HZ, seg,
		       SPEC_DETREND_LINEAR, h->psd) < 1)
		return;
	size_t nb = NFFT / 2 + 1;
	double df = HRV_RESAMPLE_HZ / NFFT;
	double hf = spec_band_power(h->psd, nb, df, HRV_LF_HI_HZ, HRV_HF_HI_HZ);
	r->hf_ms2 = hf;
	r->hf_peak_hz = peak_hz(h->psd, nb, df, HRV_LF_HI_HZ, HRV_HF_HI_HZ, NULL);
	double lf = NAN;
	if (cover_s >= BAND_COVER * HRV_MIN_LF_S) {
		lf = spec_band_power(h->psd, nb, df, HRV_VLF_HI_HZ, HRV_LF_HI_HZ);
		r->lf_ms2 = lf;
		if (hf > 0.0)
			r->lf_hf = lf / hf;
		if (lf + hf > 0.0) {
			r->lf_nu = 100.0 * lf / (lf + hf);
			r->hf_nu = 100.0 * hf / (lf + hf);
		}
	}
	/* breathing frequency: external, or a dominant RR-spectrum peak */
	double fb = h->resp_hz;
	if (isnan(fb)) {
		double lo = isnan(lf) ? HRV_LF_HI_HZ : PEAK_LO_HZ;
		double f = peak_hz(h->psd, nb, df, lo, HRV_HF_HI_HZ, NULL);
		double tot = spec_band_power(h->psd, nb, df, isnan(lf) ? HRV_LF_HI_HZ : HRV_VLF_HI_HZ,
					     HRV_HF_HI_HZ);
		if (isfinite(f) && tot > 0.0) {
			double pp = spec_band_power(h->psd, nb, df, f - PEAK_HALF_HZ,
						    f + PEAK_HALF_HZ);
			if (pp > PEAK_SHARE * tot)
				fb = f;
		}
	}
	r->resp_hz = fb;
	if (isfinite(fb) && fb < SLOW_BREATH_HZ) {
		if (!isnan(lf)) { /* the RSA band needs LF resolution */
			double lo = fb - RSA_HALF_HZ;
			r->slow_breathing = 1;
			r->rsa_ms2 = spec_band_power(h->psd, nb, df,
						     lo < HRV_VLF_HI_HZ ? HRV_VLF_HI_HZ : lo,
						     fb + RSA_HALF_HZ);
		}
	} else {
		r->rsa_ms2 = hf;
	}
	/* VLF last: it reuses the PSD buffer with 512 s segments. Live, it is
	 * repeated for vlf_interval_s of data (periods >= 25 s change slowly;
	 * this saves the fourth FFT of most beats) */
	if (cover_s < BAND_COVER * HRV_MIN_VLF_S)
		return;
	int64_t viv_ns = (int64_t)(h->vlf_interval_s * 1e9);
	if (h->live && h->have_vlf && viv_ns > 0 && h->t_new - h->vlf_t < viv_ns &&
	    h->t_new >= h->vlf_t && h->t_gap == h->vlf_gap_t) {
		r->vlf_ms2 = h->vlf_ms2;
		r->vlf_age_s = (double)(h->t_new - h->vlf_t) * 1e-9;
		return;
	}
	{
		/* below 512 s one segment of the newest samples, its length a
		 * multiple of 16 so the Hann window is rebuilt rarely */
		size_t vseg = m < VLF_SEG_SAMPLES ? (m & ~(size_t)15) : VLF_SEG_SAMPLES;
		size_t off = m < VLF_SEG_SAMPLES ? m - vseg : 0;
		if (spec_welch(h->spec_vlf, h->grid + off, m - off, HRV_RESAMPLE_HZ, vseg,
			       SPEC_DETREND_LINEAR, h->psd) >= 1)
			r->vlf_ms2 = spec_band_power(h->psd, nb, df, HRV_VLF_LO_HZ,
						     HRV_VLF_HI_HZ);
		r->vlf_age_s = 0.0;
		if (h->live) {
			h->vlf_ms2 = r->vlf_ms2;
			h->vlf_t = h->t_new;
			h->vlf_gap_t = h->t_gap;
			h->have_vlf = 1;
		}
	}
}

static void copy_spectral(struct hrv_result *d, const struct hrv_result *s)
{
	d->vlf_ms2 = s->vlf_ms2;
	d->lf_ms2 = s->lf_ms2;
	d->hf_ms2 = s->hf_ms2;
	d->lf_hf = s->lf_hf;
	d->lf_nu = s->lf_nu;
	d->hf_nu = s->hf_nu;
	d->hf_peak_hz = s->hf_peak_hz;
	d->rsa_ms2 = s->rsa_ms2;
	d->slow_breathing = s->slow_breathing;
	d->resp_hz = s->resp_hz;
	d->spectrum_s = s->spectrum_s;
	d->vlf_age_s = s->vlf_age_s;
}

static int compute_range(struct hrv *h, size_t k0, size_t k1, int live,
			 struct hrv_result *r)
{
	size_t n = k1 - k0;
	if (n < 2)
		return VG_ERR_AGAIN;
	int64_t t0 = h->t[ring_idx(h, k0)];
	size_t first = 0;
	/* the window is at most two contiguous pieces of the ring: copy
	 * without a modulo per interval */
	size_t i = ring_idx(h, k0);
	for (size_t k = 0; k < n; k++, i++) {
		if (i == h->cap)
			i = 0;
		h->xs[k] = (double)(h->t[i] - t0) * 1e-9;
		h->ys[k] = h->nn[i];
		h->fs[k] = h->fl[i];
		if (k > 0 && (h->fl[i] & HRV_NN_AFTER_GAP))
			first = k;
	}
	time_domain(h, n, r);
	int64_t t_new = h->t[ring_idx(h, k1 - 1)];
	int64_t t_gap = first ? h->t[ring_idx(h, k0 + first)] : INT64_MIN;
	int64_t iv_ns = (int64_t)(h->spec_interval_s * 1e9);
	h->live = live;
	h->t_new = t_new;
	h->t_gap = t_gap;
	if (live && h->have_spec && iv_ns > 0 && t_new - h->spec_t < iv_ns &&
	    t_new >= h->spec_t && t_gap == h->spec_gap_t) {
		copy_spectral(r, &h->spec_r);
		r->spectrum_age_s = (double)(t_new - h->spec_t) * 1e-9;
	} else {
		freq_domain(h, first, n - first, r);
		r->spectrum_age_s = 0.0;
		if (live) {
			copy_spectral(&h->spec_r, r);
			h->spec_t = t_new;
			h->spec_gap_t = t_gap;
			h->have_spec = 1;
		}
	}
	r->pns_index = calm_pns_index(r->mean_nn_ms, r->rmssd_ms, r->sd1_ms);
	return 0;
}

int hrv_compute(struct hrv *h, struct hrv_result *r)
{
	if (!h || !r)
		return VG_ERR_INVAL;
	result_init(r, h->window_s);
	return compute_range(h, 0, h->count, 1, r);
}

int hrv_compute_span(struct hrv *h, int64_t from_ns, int64_t to_ns,
		     struct hrv_result *r)
{
	if (!h || !r || to_ns <= from_ns)
		return VG_ERR_INVAL;
	result_init(r, (double)(to_ns - from_ns) * 1e-9);
	size_t k0 = 0, k1;
	while (k0 < h->count && h->t[ring_idx(h, k0)] < from_ns)
		k0++;
	k1 = k0;
	while (k1 < h->count && h->t[ring_idx(h, k1)] < to_ns)
		k1++;
	return compute_range(h, k0, k1, 0, r);
}
