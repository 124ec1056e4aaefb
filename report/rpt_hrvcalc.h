/*
 * rpt_hrvcalc.h - whole-session HRV figures for the report: NN series,
 * the Welch spectrum with its band powers, Poincare SD1/SD2, and least
 * squares trends with their 95 % confidence interval.
 *
 * Problem: the report shows a session's spectrum and Poincare plot as
 * Kubios does, over the whole session, and the progress report fits
 * trend lines; the live analysis gives only figures per window.
 * Approach: NN intervals are the beats' RR with the gross errors left out
 * (outside 300..2000 ms or more than 20 % from the previous accepted
 * interval); they are resampled at 4 Hz by the cubic spline of
 * analysis/spline.c and given to spec_welch() (analysis/spectrum.c:
 * Hann, 256 s segments, 50 % overlap, linear detrend), bands integrated
 * with spec_band_power() at the Task Force limits of analysis/hrv.h.
 * Trend: ordinary least squares slope, its standard error, and the
 * two-sided 95 % Student t quantile for n - 2 degrees of freedom.
 * References: Task Force of the ESC/NASPE, Circulation 93:1043, 1996;
 * Tarvainen et al., Kubios HRV, Comput Methods Programs Biomed 113:210,
 * 2014; Brennan et al., IEEE TBME 48:1342, 2001 (SD1/SD2).
 * Limits: the simple artefact rule is no substitute for analysis/rr.c's
 * cleaning, which the live figures use; a trend needs n >= 3.
 */
#ifndef RPT_HRVCALC_H
#define RPT_HRVCALC_H

#include "rpt_session.h"

#include <stddef.h>

struct rpt_nn {
	double *t_s, *nn_ms; /* accepted intervals: end time and length */
	size_t n;
};

struct rpt_psd {
	double *f_hz, *psd_ms2hz;
	size_t n;
	double vlf_ms2, lf_ms2, hf_ms2, total_ms2;
	double lf_hf;
};

/* NN intervals of the session (arrays malloc'd; n may be 0). */
int rpt_nn_from_beats(const struct rpt_session *s, struct rpt_nn *nn);
void rpt_nn_free(struct rpt_nn *nn);
/* Welch PSD of the NN series up to 0.5 Hz; VG_ERR_RANGE when shorter than
 * 30 s or fewer than 16 intervals. */
int rpt_psd(const struct rpt_nn *nn, struct rpt_psd *out);
void rpt_psd_free(struct rpt_psd *p);
/* SD1, SD2 (ms) of successive NN pairs; NAN when fewer than 3. */
void rpt_poincare_sd(const struct rpt_nn *nn, double *sd1_ms, double *sd2_ms);

struct rpt_trend {
	size_t n;
	double slope, intercept;   /* per x unit */
	double se, ci95;           /* standard error; half-width of the 95 % CI */
	double s_resid, mean_x, sxx; /* for the confidence band of the fitted line */
};
/* Half-width of the 95 % confidence band of the fitted mean at x. */
double rpt_trend_band(const struct rpt_trend *t, double x);
/* Least squares over the finite (x, y) pairs; VG_ERR_RANGE when < 3. */
int rpt_trend_fit(const double *x, const double *y, size_t n, struct rpt_trend *t);
/* Two-sided 95 % Student t quantile for df degrees of freedom. */
double rpt_t95(size_t df);

#endif
