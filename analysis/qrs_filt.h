/*
 * qrs_filt.h - the QRS detector's band-pass: a Butterworth high-pass and
 * low-pass biquad in cascade.
 *
 * Problem: the detector needs band-limiting filters whose corner
 * frequencies are fixed in Hz whatever the sampling rate (100-2000 Hz),
 * cheap enough for tens of millions of samples per second, and free of
 * start-up transients after a gap.
 * Approach: Butterworth (Q = 1/sqrt 2) sections from the bilinear transform
 * with frequency pre-warping (RBJ "Audio EQ Cookbook" formulas), run in
 * direct form I in double precision: the feed-forward part does not wait
 * on the previous output, so the recursion each sample waits on is one
 * product and one subtraction (transposed form II: two of each), which
 * sets the speed of the detector's per-sample loop. In double precision
 * the two forms agree to about 1e-13 of the signal at these corners. The
 * detector's block loop (qrs.c, block_band) also takes two samples a step
 * (the second output from the two before the first: look-ahead), which
 * halves that wait again; it agrees with this one to rounding.
 * Limits: corner frequency must be below 0.45 fs (it is clamped there).
 */
#ifndef QRS_FILT_H
#define QRS_FILT_H

struct qrs_bq {
	double b0, b1, b2, a1, a2; /* normalised coefficients (a0 = 1); b1, b2
				    * are +-2 b0 and b0 (see qrs_bq_df1) */
	double x1, x2;             /* last two inputs */
	double y1, y2;             /* last two outputs */
};

/* Design a Butterworth low-pass / high-pass section, corner fc_hz. */
void qrs_bq_lowpass(struct qrs_bq *f, double fs_hz, double fc_hz);
void qrs_bq_highpass(struct qrs_bq *f, double fs_hz, double fc_hz);
/* Clear the state (as if the input had been 0 forever). */
void qrs_bq_reset(struct qrs_bq *f);

/* One sample through a section whose state the caller holds in locals
 * (x1, x2, y1, y2): returns the output and shifts the state. The
 * Butterworth numerators designed here are b0 (1, -2, 1) (high-pass,
 * sign -1) or b0 (1, 2, 1) (low-pass, sign 1): one product instead of
 * three. */
static inline double qrs_bq_df1(const struct qrs_bq *f, int sign, double x, double *x1,
				double *x2, double *y1, double *y2)
{
	const double twice = *x1 + *x1;
	const double ff = f->b0 * ((x + *x2) + (sign > 0 ? twice : -twice));
	const double y = (ff - f->a2 * *y2) - f->a1 * *y1;
	*x2 = *x1;
	*x1 = x;
	*y2 = *y1;
	*y1 = y;
	return y;
}

#endif
