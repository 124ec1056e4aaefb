/*
 * calm.c - pns_index, calm and calm_trend (see calm.h, PROTOCOL.md, "HRV formulas").
 *
 * pns_index: Kubios HRV computes its PNS index from mean RR, RMSSD and
 * Poincare SD1 in normalised units, each compared with normal population
 * values (Kubios HRV Scientific user's guide, "PNS and SNS indexes"; Task
 * Force 1996). Here: z_rr = (meanRR - 926)/90, z_rmssd = (RMSSD - 42)/15
 * (Nunan et al., PACE 2010, short-term norms), z_sd1 = (SD1% - 3.207)/1.145
 * where SD1% = 100 SD1/meanRR and its norm is derived from the two others
 * (SD1 = RMSSD/sqrt(2), so 100*42/sqrt(2)/926 and 100*15/sqrt(2)/926);
 * pns_index = (z_rr + z_rmssd + z_sd1)/3. 0 = population mean, +1 = one
 * SD more vagal. Kubios's own weights are not published; equal weights are
 * our choice.
 * calm (session-relative, personal): the baseline is the median of ln mean
 * NN and of ln RMSSD over the results received during the first baseline_s
 * of the session; then
 *   z = CALM_W_RR x ln(meanNN / base_NN) / CALM_SD_LN_RR
 *     + (1 - CALM_W_RR) x ln(RMSSD / base_RMSSD) / CALM_SD_LN_RMSSD,
 *   calm = 50 + 50 tanh(z / CALM_SCALE_Z), clamped to [0, 100].
 * Why not pns_index against its own baseline (the calm of before): (1) SD1
 * is RMSSD/sqrt(2) for the same beats, so RMSSD and SD1 count the same
 * quantity twice, and SD1% = SD1/meanRR moves against mean RR (a faster
 * heart raises SD1%), so 2/3 of the old weight went to a noisy 60 s
 * variability figure and part of it cancelled the heart period; on an
 * unseen driving recording calm separated rest from driving worse (AUC
 * 0.91) than heart rate alone (0.97). (2) Absolute z-scores weigh a 10 ms
 * RMSSD change the same for a person at 15 ms and one at 80 ms; log ratios
 * to the person's own baseline weigh relative change, the same for both.
 * The scales are the population's relative spreads (Nunan et al. 2010: mean
 * RR 926 +- 90 ms -> 0.097; RMSSD 42 +- 15 ms -> 0.357), so one unit is a
 * population SD of change, as before; the equal weights (one half for heart
 * period, one half for vagal variability) are a choice, not a fit:
 * tests/bench/bench_calm.c prints the AUC for every weight from 0 to 1 and
 * the leave-one-segment-out choice on drivedb drive05.
 * calm_trend: least-squares slope of calm against time over the samples of
 * the last CALM_TREND_S, in points per minute. All storage is fixed at
 * calm_new().
 */
#include "calm.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct calm {
	double baseline_s;
	int64_t t0_ns;          /* first sample time; INT64_MIN = none */
	double base;            /* baseline pns, NAN until complete */
	double base_rr, base_rm; /* baseline ln mean NN, ln RMSSD */
	double bvals[CALM_MAX_SAMPLES]; /* pns values during the baseline */
	double brr[CALM_MAX_SAMPLES];   /* ln mean NN during the baseline */
	double brm[CALM_MAX_SAMPLES];   /* ln RMSSD during the baseline */
	double sorted[CALM_MAX_SAMPLES]; /* scratch for the provisional median */
	size_t nb;
	int64_t ts[CALM_MAX_SAMPLES];   /* ring of (t, calm) for the trend */
	double cv[CALM_MAX_SAMPLES];
	size_t head, count;
};

double calm_pns_index(double mean_nn_ms, double rmssd_ms, double sd1_ms)
{
	if (!isfinite(mean_nn_ms) || !isfinite(rmssd_ms) || !isfinite(sd1_ms) ||
	    !(mean_nn_ms > 0.0))
		return NAN;
	double z_rr = (mean_nn_ms - CALM_NORM_MEAN_RR_MS) / CALM_NORM_SD_MEAN_RR_MS;
	double z_rmssd = (rmssd_ms - CALM_NORM_RMSSD_MS) / CALM_NORM_SD_RMSSD_MS;
	double sd1_pct = 100.0 * sd1_ms / mean_nn_ms;
	double z_sd1 = (sd1_pct - CALM_NORM_SD1_PCT) / CALM_NORM_SD_SD1_PCT;
	return (z_rr + z_rmssd + z_sd1) / 3.0;
}

struct calm *calm_new(double baseline_s, int *err)
{
	if (!(baseline_s > 0.0) || baseline_s > 86400.0) {
		if (err)
			*err = VG_ERR_INVAL;
		return NULL;
	}
	struct calm *c = calloc(1, sizeof(*c));
	if (!c) {
		if (err)
			*err = VG_ERR_NOMEM;
		return NULL;
	}
	c->baseline_s = baseline_s;
	calm_reset(c);
	return c;
}

void calm_set_baseline_s(struct calm *c, double baseline_s)
{
	if (c && baseline_s > 0.0 && baseline_s <= 86400.0)
		c->baseline_s = baseline_s;
}

void calm_destroy(struct calm **c)
{
	if (!c || !*c)
		return;
	free(*c);
	*c = NULL;
}

void calm_reset(struct calm *c)
{
	if (!c)
		return;
	c->t0_ns = INT64_MIN;
	c->base = c->base_rr = c->base_rm = NAN;
	c->nb = 0;
	c->head = 0;
	c->count = 0;
}

double calm_baseline(const struct calm *c)
{
	return c ? c->base : NAN;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of n baseline values so far (no allocation: a scratch copy). */
static double median_of(struct calm *c, const double *v)
{
	memcpy(c->sorted, v, c->nb * sizeof(v[0]));
	qsort(c->sorted, c->nb, sizeof(c->sorted[0]), cmp_double);
	return (c->nb & 1u) ? c->sorted[c->nb / 2]
			    : 0.5 * (c->sorted[c->nb / 2 - 1] + c->sorted[c->nb / 2]);
}

static void close_baseline(struct calm *c)
{
	if (c->nb == 0)
		return;
	c->base = median_of(c, c->bvals);
	c->base_rr = median_of(c, c->brr);
	c->base_rm = median_of(c, c->brm);
}

static double trend_per_min(const struct calm *c, int64_t now_ns)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t n = 0;
	for (size_t k = 0; k < c->count; k++) {
		size_t i = (c->head + CALM_MAX_SAMPLES - 1 - k) % CALM_MAX_SAMPLES;
		double dt_s = (double)(c->ts[i] - now_ns) * 1e-9;
		if (dt_s < -CALM_TREND_S)
			break;
		sx += dt_s;
		sy += c->cv[i];
		sxx += dt_s * dt_s;
		sxy += dt_s * c->cv[i];
		n++;
	}
	if (n < 3)
		return NAN;
	double den = (double)n * sxx - sx * sx;
	if (!(den > 1e-9))
		return NAN;
	return 60.0 * ((double)n * sxy - sx * sy) / den;
}

double calm_z(double ln_rr, double ln_rmssd, double base_ln_rr, double base_ln_rmssd)
{
	return CALM_W_RR * (ln_rr - base_ln_rr) / CALM_SD_LN_RR +
	       (1.0 - CALM_W_RR) * (ln_rmssd - base_ln_rmssd) / CALM_SD_LN_RMSSD;
}

static double calm_from(double z)
{
	double v = 50.0 + 50.0 * tanh(z / CALM_SCALE_Z);
	return v < 0.0 ? 0.0 : (v > 100.0 ? 100.0 : v);
}

void calm_update(struct calm *c, int64_t t_ns, struct hrv_result *r)
{
	if (!c || !r)
		return;
	r->calm = NAN;
	r->calm_trend = NAN;
	double p = r->pns_index;
	if (!isfinite(p) || !(r->mean_nn_ms > 0.0) || !(r->rmssd_ms > 0.0))
		return;
	double lrr = log(r->mean_nn_ms), lrm = log(r->rmssd_ms);
	if (c->t0_ns == INT64_MIN)
		c->t0_ns = t_ns;
	if (isnan(c->base)) {
		double age_s = (double)(t_ns - c->t0_ns) * 1e-9;
		if (age_s < c->baseline_s && c->nb < CALM_MAX_SAMPLES) {
			c->bvals[c->nb] = p;
			c->brr[c->nb] = lrr;
			c->brm[c->nb++] = lrm;
			/* provisional: relative to the baseline so far, so the
			 * gauge lives during the capture (about 50 by design) */
			if (age_s >= CALM_PROVISIONAL_S)
				r->calm = calm_from(calm_z(lrr, lrm, median_of(c, c->brr),
							   median_of(c, c->brm)));
			return;
		}
		close_baseline(c);
		if (isnan(c->base)) { /* no sample in the baseline: start it now */
			c->t0_ns = t_ns;
			c->bvals[c->nb] = p;
			c->brr[c->nb] = lrr;
			c->brm[c->nb++] = lrm;
			return;
		}
	}
	double v = calm_from(calm_z(lrr, lrm, c->base_rr, c->base_rm));
	c->ts[c->head] = t_ns;
	c->cv[c->head] = v;
	c->head = (c->head + 1) % CALM_MAX_SAMPLES;
	if (c->count < CALM_MAX_SAMPLES)
		c->count++;
	r->calm = v;
	r->calm_trend = trend_per_min(c, t_ns);
}
