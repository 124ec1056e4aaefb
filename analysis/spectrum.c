/*
 * spectrum.c - Welch power spectral density through kissfft (see spectrum.h).
 *
 * Method: Welch (1967) averaged periodogram. Each segment of `seg` samples
 * (hop seg/2) is detrended (none, mean, or least-squares line), multiplied by
 * a periodic Hann window of length seg (scipy's get_window("hann")), zero-
 * padded to nfft and transformed with kiss_fftr. The one-sided density is
 * |X_k|^2 / (fs * sum(w^2)), doubled for 0 < k < nfft/2, as
 * scipy.signal.welch(..., scaling="density") computes it.
 * References: P. Welch, IEEE Trans. Audio Electroacoust. 15(2), 1967;
 * kissfft (M. Borgerding), the Debian libkissfft-dev float build.
 * Limits: single-precision FFT (relative error about 1e-6 of the largest
 * component), adequate for HRV band powers and EMG frequencies. Segments
 * that do not fit a whole hop at the end are dropped, as scipy does.
 */
#include "spectrum.h"
#include "vg_err.h"

#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct spec {
	size_t nfft;
	size_t seg_max;
	kiss_fftr_cfg cfg;
	kiss_fft_scalar *in;  /* nfft */
	kiss_fft_cpx *out;    /* nfft/2 + 1 */
	double *win;          /* Hann window of the last segment length */
	size_t win_len;       /* length win was built for, 0 = none */
	double win_ss;        /* sum of squares of win */
	size_t nb_out;        /* bins computed (spec_set_bins), <= nfft/2 + 1 */
	size_t in_used;       /* in[] beyond this is zero (padding kept clean) */
};

struct spec *spec_new(size_t nfft, size_t seg_max, int *err)
{
	int e = VG_ERR_INVAL;
	struct spec *s = NULL;
	if (nfft < 8 || (nfft & 1u) || seg_max < 2 || seg_max > nfft)
		goto fail;
	e = VG_ERR_NOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	s->nfft = nfft;
	s->seg_max = seg_max;
	s->cfg = kiss_fftr_alloc((int)nfft, 0, NULL, NULL);
	s->in = calloc(nfft, sizeof(*s->in));
	s->out = calloc(nfft / 2 + 1, sizeof(*s->out));
	s->win = calloc(seg_max, sizeof(*s->win));
	if (!s->cfg || !s->in || !s->out || !s->win)
		goto fail;
	s->nb_out = nfft / 2 + 1;
	return s;
fail:
	spec_destroy(&s);
	if (err)
		*err = e;
	return NULL;
}

void spec_destroy(struct spec **sp)
{
	if (!sp || !*sp)
		return;
	struct spec *s = *sp;
	kiss_fftr_free(s->cfg);
	free(s->in);
	free(s->out);
	free(s->win);
	free(s);
	*sp = NULL;
}

size_t spec_nfft(const struct spec *s)
{
	return s->nfft;
}

size_t spec_nbins(const struct spec *s)
{
	return s->nfft / 2 + 1;
}

void spec_set_bins(struct spec *s, size_t nbins)
{
	if (!s)
		return;
	size_t all = s->nfft / 2 + 1;
	s->nb_out = (nbins == 0 || nbins > all) ? all : nbins;
}

static void build_window(struct spec *s, size_t len)
{
	if (s->win_len == len)
		return;
	/* periodic Hann, as scipy.signal.get_window("hann", len); cos(2 pi i/len)
	 * by rotation (exact cos every 64 samples, so the error stays ~1e-15
	 * and a changing length costs no cos() per sample) */
	double ss = 0.0, th = 2.0 * M_PI / (double)len;
	double cr = cos(th), sr = sin(th), c = 1.0, sn = 0.0;
	for (size_t i = 0; i < len; i++) {
		if ((i & 63u) == 0) {
			c = cos(th * (double)i);
			sn = sin(th * (double)i);
		}
		double w = 0.5 - 0.5 * c;
		s->win[i] = w;
		ss += w * w;
		double c2 = c * cr - sn * sr;
		sn = sn * cr + c * sr;
		c = c2;
	}
	s->win_len = len;
	s->win_ss = ss;
}

/* Detrend x[0..n) into (a, b): value at i is a + b*i. One pass: with
 * u_i = x_i - x_0 (keeps the sums small), Sxy = sum(i u_i) - imean sum(u_i)
 * and Sxx = n (n^2 - 1)/12. */
static void trend(const double *x, size_t n, enum spec_detrend how, double *a,
		  double *b)
{
	*a = 0.0;
	*b = 0.0;
	if (how == SPEC_DETREND_NONE || n == 0)
		return;
	double x0 = x[0], su = 0.0, siu = 0.0;
	for (size_t i = 0; i < n; i++) {
		double u = x[i] - x0;
		su += u;
		siu += (double)i * u;
	}
	double dn = (double)n, umean = su / dn;
	if (how == SPEC_DETREND_MEAN || n < 2) {
		*a = x0 + umean;
		return;
	}
	double imean = (dn - 1.0) / 2.0;
	double sxy = siu - imean * su;
	double sxx = dn * (dn * dn - 1.0) / 12.0;
	*b = sxy / sxx;
	*a = x0 + umean - *b * imean;
}

int spec_welch(struct spec *s, const double *x, size_t n, double fs_hz,
	       size_t seg, enum spec_detrend detrend, double *psd)
{
	if (!s || !x || !psd || n < 2 || !(fs_hz > 0.0) || seg < 2 ||
	    seg > s->seg_max)
		return VG_ERR_INVAL;
	if (n < seg)
		seg = n;
	build_window(s, seg);
	size_t nb_all = s->nfft / 2 + 1, nb = s->nb_out;
	memset(psd, 0, nb_all * sizeof(*psd));
	/* the zero padding beyond seg is written only when a longer segment
	 * left values there */
	for (size_t i = seg; i < s->in_used; i++)
		s->in[i] = 0;
	s->in_used = seg;
	size_t hop = seg / 2;
	int nseg = 0;
	for (size_t start = 0; start + seg <= n; start += hop) {
		double a, b;
		trend(x + start, seg, detrend, &a, &b);
		for (size_t i = 0; i < seg; i++)
			s->in[i] = (kiss_fft_scalar)((x[start + i] - a - b * (double)i) *
						     s->win[i]);
		kiss_fftr(s->cfg, s->in, s->out);
		for (size_t k = 0; k < nb; k++) {
			double re = s->out[k].r, im = s->out[k].i;
			psd[k] += re * re + im * im;
		}
		nseg++;
		if (hop == 0)
			break;
	}
	double scale = 1.0 / (fs_hz * s->win_ss * (double)nseg);
	for (size_t k = 0; k < nb; k++) {
		double f = (k == 0 || k == nb_all - 1) ? 1.0 : 2.0;
		psd[k] *= scale * f;
	}
	return nseg;
}

/* First bin k with k*df >= f (the same comparison as a scan of every bin,
 * without the scan). */
static size_t first_bin_at(double df_hz, double f_hz, size_t nbins)
{
	if (!(f_hz > 0.0))
		return 0;
	double q = ceil(f_hz / df_hz);
	size_t k = q < (double)nbins ? (size_t)q : nbins;
	while (k > 0 && (double)(k - 1) * df_hz >= f_hz)
		k--;
	while (k < nbins && (double)k * df_hz < f_hz)
		k++;
	return k;
}

double spec_band_power(const double *psd, size_t nbins, double df_hz,
		       double lo_hz, double hi_hz)
{
	/* trapezoid over the bins whose frequency is in [lo, hi) */
	if (!(df_hz > 0.0))
		return 0.0;
	size_t k0 = first_bin_at(df_hz, lo_hz, nbins);
	size_t k1 = isnan(hi_hz) ? nbins : first_bin_at(df_hz, hi_hz, nbins);
	double sum = 0.0;
	for (size_t k = k0 + 1; k < k1; k++)
		sum += 0.5 * (psd[k - 1] + psd[k]) * df_hz;
	return sum;
}
