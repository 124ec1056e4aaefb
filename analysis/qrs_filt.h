/*
 * qrs_filt.h - second-order IIR sections (biquads) for the QRS detector.
 *
 * Problem: the detector needs band-limiting filters whose corner
 * frequencies are fixed in Hz whatever the sampling rate (128-2000 Hz),
 * cheap enough for tens of millions of samples per second, and free of
 * start-up transients after a gap.
 * Approach: Butterworth (Q = 1/sqrt 2) low- and high-pass sections from the
 * bilinear transform with frequency pre-warping (RBJ "Audio EQ Cookbook"
 * formulas), run in transposed direct form II in double precision.
 * Limits: corner frequency must be below 0.45 fs (it is clamped there).
 */
#ifndef QRS_FILT_H
#define QRS_FILT_H

struct qrs_bq {
	double b0, b1, b2, a1, a2; /* normalised coefficients (a0 = 1) */
	double z1, z2;             /* state */
};

/* Design a Butterworth low-pass / high-pass section, corner fc_hz. */
void qrs_bq_lowpass(struct qrs_bq *f, double fs_hz, double fc_hz);
void qrs_bq_highpass(struct qrs_bq *f, double fs_hz, double fc_hz);
/* Clear the state (as if the input had been 0 forever). */
void qrs_bq_reset(struct qrs_bq *f);

static inline double qrs_bq_step(struct qrs_bq *f, double x)
{
	double y = f->b0 * x + f->z1;
	f->z1 = f->b1 * x - f->a1 * y + f->z2;
	f->z2 = f->b2 * x - f->a2 * y;
	return y;
}

#endif
