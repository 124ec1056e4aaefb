/*
 * iir.c - biquad design and helpers (see iir.h for problem, approach,
 * references and limits).
 */
#include "iir.h"
#include "vg_err.h"

#include <complex.h>
#include <math.h>

static int valid_freq(double fs_hz, double f_hz)
{
	return fs_hz > 0.0 && f_hz > 0.0 && f_hz < 0.5 * fs_hz && isfinite(fs_hz) &&
	       isfinite(f_hz);
}

static void set_coefs(struct iir_biquad *bq, double b0, double b1, double b2,
		      double a0, double a1, double a2)
{
	bq->b0 = b0 / a0;
	bq->b1 = b1 / a0;
	bq->b2 = b2 / a0;
	bq->a1 = a1 / a0;
	bq->a2 = a2 / a0;
	bq->z1 = 0.0;
	bq->z2 = 0.0;
}

int iir_section(struct iir_biquad *bq, enum iir_kind kind, double fs_hz,
		double f0_hz, double q)
{
	if (!bq || !valid_freq(fs_hz, f0_hz) || !(q > 0.0))
		return VG_ERR_INVAL;
	double w0 = 2.0 * M_PI * f0_hz / fs_hz;
	double c = cos(w0), alpha = sin(w0) / (2.0 * q);
	if (kind == IIR_LOWPASS)
		set_coefs(bq, (1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0, 1.0 + alpha,
			  -2.0 * c, 1.0 - alpha);
	else
		set_coefs(bq, (1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0,
			  1.0 + alpha, -2.0 * c, 1.0 - alpha);
	return 0;
}

int iir_butter(struct iir_biquad *sec, size_t nsec, enum iir_kind kind,
	       double fs_hz, double fc_hz)
{
	if (!sec || nsec == 0)
		return VG_ERR_INVAL;
	double order = 2.0 * (double)nsec;
	for (size_t k = 0; k < nsec; k++) {
		/* pole pair k of the analog Butterworth prototype */
		double q = 1.0 / (2.0 * cos((2.0 * (double)k + 1.0) * M_PI / (2.0 * order)));
		int rc = iir_section(&sec[k], kind, fs_hz, fc_hz, q);
		if (rc)
			return rc;
	}
	return 0;
}

int iir_notch(struct iir_biquad *bq, double fs_hz, double f0_hz, double bw_hz)
{
	if (!bq || !valid_freq(fs_hz, f0_hz) || !(bw_hz > 0.0))
		return VG_ERR_INVAL;
	double w0 = 2.0 * M_PI * f0_hz / fs_hz;
	double c = cos(w0), alpha = sin(w0) / (2.0 * (f0_hz / bw_hz));
	set_coefs(bq, 1.0, -2.0 * c, 1.0, 1.0 + alpha, -2.0 * c, 1.0 - alpha);
	return 0;
}

void iir_reset(struct iir_biquad *sec, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sec[i].z1 = sec[i].z2 = 0.0;
}

void iir_prime(struct iir_biquad *sec, size_t n, double x)
{
	for (size_t i = 0; i < n; i++) {
		struct iir_biquad *b = &sec[i];
		/* steady state for constant input x: y = H(1) x */
		double y = (b->b0 + b->b1 + b->b2) / (1.0 + b->a1 + b->a2) * x;
		b->z2 = b->b2 * x - b->a2 * y;
		b->z1 = b->b1 * x - b->a1 * y + b->z2;
		x = y;
	}
}

double iir_gain(const struct iir_biquad *sec, size_t n, double fs_hz,
		double f_hz)
{
	double complex z1 = cexp(-I * 2.0 * M_PI * f_hz / fs_hz); /* z^-1 */
	double complex z2 = z1 * z1;
	double g = 1.0;
	for (size_t i = 0; i < n; i++) {
		const struct iir_biquad *b = &sec[i];
		double complex num = b->b0 + b->b1 * z1 + b->b2 * z2;
		double complex den = 1.0 + b->a1 * z1 + b->a2 * z2;
		g *= cabs(num / den);
	}
	return g;
}
