/*
 * iir.h - second-order IIR sections (biquads): Butterworth high/low-pass
 * cascades and notches, for the EMG front end (and anyone else).
 *
 * Problem: EMG needs DC removal, a 20 Hz high-pass, a 450 Hz (or 0.45 fs)
 * low-pass and mains notches, running per sample at up to 4 kHz on many
 * channels, numerically stable at high Q and low cutoff/fs ratios.
 * Approach: cascades of biquads in transposed direct form II with double
 * precision state. Butterworth sections come from the analog prototype's
 * pole pairs (Q_k = 1 / (2 cos((2k+1) pi / 2N))) mapped by the bilinear
 * transform with pre-warping at the cutoff (the RBJ "Audio EQ Cookbook"
 * section formulas, which are exactly that mapping). The notch is the
 * cookbook notch with Q = f0 / bandwidth.
 * References: R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad
 * filter coefficients"; S. Butterworth, Wireless Engineer 7, 1930;
 * Oppenheim & Schafer, Discrete-Time Signal Processing, 7.1 (bilinear).
 * Limits: even orders only (cascades of 2nd-order sections); cutoffs must
 * lie strictly between 0 and fs/2. No allocation anywhere.
 */
#ifndef IIR_H
#define IIR_H

#include <stddef.h>

struct iir_biquad {
	double b0, b1, b2; /* numerator */
	double a1, a2;     /* denominator (a0 normalised to 1) */
	double z1, z2;     /* state (transposed direct form II) */
};

enum iir_kind { IIR_LOWPASS, IIR_HIGHPASS };

/* One Butterworth-style 2nd-order section with quality factor q.
 * Returns 0 or VG_ERR_INVAL (f0 not in (0, fs/2), q <= 0). */
int iir_section(struct iir_biquad *bq, enum iir_kind kind, double fs_hz,
		double f0_hz, double q);
/* Butterworth filter of order 2*nsec as nsec cascaded sections, -3 dB at
 * fc_hz. Returns 0 or VG_ERR_INVAL. */
int iir_butter(struct iir_biquad *sec, size_t nsec, enum iir_kind kind,
	       double fs_hz, double fc_hz);
/* Notch at f0_hz with -3 dB bandwidth bw_hz. Returns 0 or VG_ERR_INVAL. */
int iir_notch(struct iir_biquad *bq, double fs_hz, double f0_hz, double bw_hz);

/* Clear the state of n sections. */
void iir_reset(struct iir_biquad *sec, size_t n);
/* Set the state of n cascaded sections as if the input had been x forever
 * (no start-up transient for a DC offset). */
void iir_prime(struct iir_biquad *sec, size_t n, double x);
/* Magnitude response |H(f)| of n cascaded sections at f_hz. */
double iir_gain(const struct iir_biquad *sec, size_t n, double fs_hz,
		double f_hz);

/* One sample through one section. */
static inline double iir_step(struct iir_biquad *bq, double x)
{
	double y = bq->b0 * x + bq->z1;
	bq->z1 = bq->b1 * x - bq->a1 * y + bq->z2;
	bq->z2 = bq->b2 * x - bq->a2 * y;
	return y;
}

/* One sample through n cascaded sections. */
static inline double iir_run(struct iir_biquad *sec, size_t n, double x)
{
	for (size_t i = 0; i < n; i++)
		x = iir_step(&sec[i], x);
	return x;
}

#endif
