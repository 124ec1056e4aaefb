/*
 * rpt_hrvcalc.c - whole-session HRV figures and trends (see rpt_hrvcalc.h).
 */
#include "rpt_hrvcalc.h"
#include "hrv.h"
#include "spectrum.h"
#include "spline.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FS_HZ HRV_RESAMPLE_HZ
#define SEG_S 256.0
#define F_MAX_HZ 0.5

int rpt_nn_from_beats(const struct rpt_session *s, struct rpt_nn *nn)
{
	memset(nn, 0, sizeof(*nn));
	size_t cap = s->nbeats ? s->nbeats : 1;
	nn->t_s = malloc(cap * sizeof(double));
	nn->nn_ms = malloc(cap * sizeof(double));
	if (!nn->t_s || !nn->nn_ms) {
		rpt_nn_free(nn);
		return VG_ERR_NOMEM;
	}
	double prev = NAN;
	for (size_t i = 0; i < s->nbeats; i++) {
		double rr = s->beats[i].rr_ms, t = s->beats[i].t_s;
		if (!isfinite(rr) || rr < 300 || rr > 2000) {
			prev = NAN;
			continue;
		}
		if (isfinite(prev) && fabs(rr - prev) > 0.2 * prev)
			continue;
		if (nn->n && t <= nn->t_s[nn->n - 1])
			continue;
		nn->t_s[nn->n] = t;
		nn->nn_ms[nn->n++] = rr;
		prev = rr;
	}
	return 0;
}

void rpt_nn_free(struct rpt_nn *nn)
{
	free(nn->t_s);
	free(nn->nn_ms);
	memset(nn, 0, sizeof(*nn));
}

int rpt_psd(const struct rpt_nn *nn, struct rpt_psd *out)
{
	memset(out, 0, sizeof(*out));
	if (nn->n < 16 || nn->t_s[nn->n - 1] - nn->t_s[0] < 30)
		return VG_ERR_RANGE;
	double span = nn->t_s[nn->n - 1] - nn->t_s[0];
	if (!(span < HRV_MAX_WINDOW_S))
		return VG_ERR_RANGE;
	size_t m = (size_t)(span * FS_HZ);
	size_t seg = (size_t)(SEG_S * FS_HZ);
	if (seg > m)
		seg = m & ~(size_t)1;
	size_t nfft = 2048;
	while (nfft < seg)
		nfft *= 2;
	int err = 0;
	double *grid = malloc(m * sizeof(double));
	double *work = malloc(SPLINE_WORK(nn->n) * sizeof(double));
	struct spec *sp = spec_new(nfft, seg, &err);
	double *psd = sp ? malloc(spec_nbins(sp) * sizeof(double)) : NULL;
	int rc = VG_ERR_NOMEM;
	if (!grid || !work || !sp || !psd)
		goto out;
	rc = spline_resample(nn->t_s, nn->nn_ms, nn->n, nn->t_s[0], 1.0 / FS_HZ, m, grid, work);
	if (rc < 0)
		goto out;
	rc = spec_welch(sp, grid, m, FS_HZ, seg, SPEC_DETREND_LINEAR, psd);
	if (rc < 0)
		goto out;
	size_t nb = spec_nbins(sp);
	double df = FS_HZ / (double)nfft;
	out->vlf_ms2 = spec_band_power(psd, nb, df, HRV_VLF_LO_HZ, HRV_VLF_HI_HZ);
	out->lf_ms2 = spec_band_power(psd, nb, df, HRV_VLF_HI_HZ, HRV_LF_HI_HZ);
	out->hf_ms2 = spec_band_power(psd, nb, df, HRV_LF_HI_HZ, HRV_HF_HI_HZ);
	out->total_ms2 = spec_band_power(psd, nb, df, HRV_VLF_LO_HZ, HRV_HF_HI_HZ);
	out->lf_hf = out->hf_ms2 > 0 ? out->lf_ms2 / out->hf_ms2 : NAN;
	size_t keep = (size_t)(F_MAX_HZ / df) + 1;
	if (keep > nb)
		keep = nb;
	out->f_hz = malloc(keep * sizeof(double));
	out->psd_ms2hz = malloc(keep * sizeof(double));
	rc = VG_ERR_NOMEM;
	if (!out->f_hz || !out->psd_ms2hz) {
		rpt_psd_free(out);
		goto out;
	}
	for (size_t k = 0; k < keep; k++) {
		out->f_hz[k] = (double)k * df;
		out->psd_ms2hz[k] = psd[k];
	}
	out->n = keep;
	rc = 0;
out:
	free(grid);
	free(work);
	free(psd);
	spec_destroy(&sp);
	return rc;
}

void rpt_psd_free(struct rpt_psd *p)
{
	free(p->f_hz);
	free(p->psd_ms2hz);
	p->f_hz = p->psd_ms2hz = NULL;
	p->n = 0;
}

void rpt_poincare_sd(const struct rpt_nn *nn, double *sd1, double *sd2)
{
	*sd1 = *sd2 = NAN;
	if (nn->n < 3)
		return;
	double m1 = 0, m2 = 0;
	size_t n = nn->n - 1;
	for (size_t i = 0; i < n; i++) {
		m1 += (nn->nn_ms[i + 1] - nn->nn_ms[i]) / sqrt(2.0);
		m2 += (nn->nn_ms[i + 1] + nn->nn_ms[i]) / sqrt(2.0);
	}
	m1 /= (double)n;
	m2 /= (double)n;
	double v1 = 0, v2 = 0;
	for (size_t i = 0; i < n; i++) {
		double a = (nn->nn_ms[i + 1] - nn->nn_ms[i]) / sqrt(2.0) - m1;
		double b = (nn->nn_ms[i + 1] + nn->nn_ms[i]) / sqrt(2.0) - m2;
		v1 += a * a;
		v2 += b * b;
	}
	*sd1 = sqrt(v1 / (double)(n - 1));
	*sd2 = sqrt(v2 / (double)(n - 1));
}

double rpt_t95(size_t df)
{
	static const double t[] = { NAN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
		2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
		2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
		2.042 };
	if (df == 0)
		return NAN;
	if (df < sizeof(t) / sizeof(t[0]))
		return t[df];
	if (df < 60)
		return 2.042 - (2.042 - 2.000) * (double)(df - 30) / 30.0;
	if (df < 120)
		return 2.000 - (2.000 - 1.980) * (double)(df - 60) / 60.0;
	return 1.960;
}

int rpt_trend_fit(const double *x, const double *y, size_t n, struct rpt_trend *t)
{
	memset(t, 0, sizeof(*t));
	double sx = 0, sy = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i])) {
			sx += x[i];
			sy += y[i];
			k++;
		}
	t->n = k;
	t->slope = t->intercept = t->se = t->ci95 = NAN;
	if (k < 3)
		return VG_ERR_RANGE;
	double mx = sx / (double)k, my = sy / (double)k, sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i])) {
			sxx += (x[i] - mx) * (x[i] - mx);
			sxy += (x[i] - mx) * (y[i] - my);
		}
	if (!(sxx > 0))
		return VG_ERR_RANGE;
	t->slope = sxy / sxx;
	t->intercept = my - t->slope * mx;
	double rss = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i])) {
			double r = y[i] - (t->intercept + t->slope * x[i]);
			rss += r * r;
		}
	t->s_resid = sqrt(rss / (double)(k - 2));
	t->mean_x = mx;
	t->sxx = sxx;
	t->se = t->s_resid / sqrt(sxx);
	t->ci95 = rpt_t95(k - 2) * t->se;
	return 0;
}

double rpt_trend_band(const struct rpt_trend *t, double x)
{
	if (t->n < 3 || !(t->sxx > 0))
		return NAN;
	return rpt_t95(t->n - 2) * t->s_resid *
	       sqrt(1.0 / (double)t->n + (x - t->mean_x) * (x - t->mean_x) / t->sxx);
}
