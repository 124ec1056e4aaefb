/*
 * qrs_filt.c - biquad design for the QRS detector (see qrs_filt.h).
 * Reference: R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad
 * filter coefficients" (LPF/HPF with Q = 1/sqrt(2): Butterworth).
 */
#include "qrs_filt.h"

#include <math.h>

static void design(struct qrs_bq *f, double fs_hz, double fc_hz, int high)
{
	if (fc_hz > 0.45 * fs_hz)
		fc_hz = 0.45 * fs_hz;
	const double w0 = 2.0 * M_PI * fc_hz / fs_hz;
	const double c = cos(w0), alpha = sin(w0) / (2.0 * M_SQRT1_2);
	const double a0 = 1.0 + alpha;
	if (high) {
		f->b0 = (1.0 + c) / 2.0 / a0;
		f->b1 = -(1.0 + c) / a0;
	} else {
		f->b0 = (1.0 - c) / 2.0 / a0;
		f->b1 = (1.0 - c) / a0;
	}
	f->b2 = f->b0;
	f->a1 = -2.0 * c / a0;
	f->a2 = (1.0 - alpha) / a0;
	qrs_bq_reset(f);
}

void qrs_bq_lowpass(struct qrs_bq *f, double fs_hz, double fc_hz)
{
	design(f, fs_hz, fc_hz, 0);
}

void qrs_bq_highpass(struct qrs_bq *f, double fs_hz, double fc_hz)
{
	design(f, fs_hz, fc_hz, 1);
}

void qrs_bq_reset(struct qrs_bq *f)
{
	f->x1 = f->x2 = f->y1 = f->y2 = 0.0;
}
