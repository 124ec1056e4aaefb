/*
 * qrs_filt.c - biquad design for the QRS detector (see qrs_filt.h): the
 * shared Butterworth section of iir.h (RBJ cookbook, Q = 1/sqrt 2), its
 * corner clamped below 0.45 fs, its coefficients kept in the detector's
 * direct-form-I section.
 * Reference: R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad
 * filter coefficients" (LPF/HPF with Q = 1/sqrt(2): Butterworth).
 */
#include "qrs_filt.h"

#include "iir.h"

#include <math.h>

static void design(struct qrs_bq *f, double fs_hz, double fc_hz, enum iir_kind kind)
{
	if (fc_hz > 0.45 * fs_hz)
		fc_hz = 0.45 * fs_hz;
	struct iir_biquad s = { 0 };
	(void)iir_section(&s, kind, fs_hz, fc_hz, M_SQRT1_2); /* fc in (0, fs/2) */
	f->b0 = s.b0;
	f->b1 = s.b1;
	f->b2 = s.b2;
	f->a1 = s.a1;
	f->a2 = s.a2;
	qrs_bq_reset(f);
}

void qrs_bq_lowpass(struct qrs_bq *f, double fs_hz, double fc_hz)
{
	design(f, fs_hz, fc_hz, IIR_LOWPASS);
}

void qrs_bq_highpass(struct qrs_bq *f, double fs_hz, double fc_hz)
{
	design(f, fs_hz, fc_hz, IIR_HIGHPASS);
}

void qrs_bq_reset(struct qrs_bq *f)
{
	f->x1 = f->x2 = f->y1 = f->y2 = 0.0;
}
