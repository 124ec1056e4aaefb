/*
 * spectrum.h - the one wrapper around kissfft (real FFT) used by HRV and EMG.
 *
 * Problem: HRV band powers and EMG median/mean frequency need power spectra
 * computed repeatedly in the live path, without allocating per call and with
 * one definition of windowing and scaling.
 * Approach: spec_new(n) allocates a kiss_fftr plan, a Hann window and work
 * buffers once; spec_welch() computes a one-sided Welch PSD (Hann, 50 %
 * overlap, linear or mean detrend per segment) in units^2/Hz, matching
 * scipy.signal.welch(scaling="density").
 * Limits: n (FFT length) must be even; kissfft here is single precision.
 */
#ifndef SPECTRUM_H
#define SPECTRUM_H

#include <stddef.h>

struct spec;

enum spec_detrend { SPEC_DETREND_NONE, SPEC_DETREND_MEAN, SPEC_DETREND_LINEAR };

/* nfft: FFT length (even, >= 8); seg_max: longest segment used with it
 * (<= nfft; shorter segments are zero-padded). NULL + *err on failure. */
struct spec *spec_new(size_t nfft, size_t seg_max, int *err);
void spec_destroy(struct spec **s);
size_t spec_nfft(const struct spec *s);
/* Number of one-sided bins: nfft/2 + 1. */
size_t spec_nbins(const struct spec *s);

/* Compute only the first nbins one-sided bins (the others are returned as
 * 0): a caller that reads only low frequencies skips the rest. 0 = all
 * (the default). The FFT itself is always complete. */
void spec_set_bins(struct spec *s, size_t nbins);

/* Welch PSD of x[0..n) sampled at fs_hz with segments of seg samples
 * (seg <= seg_max; if n < seg, one segment of n samples). psd receives
 * spec_nbins() values in units^2/Hz; bin k is at k*fs/nfft Hz.
 * Returns the number of segments averaged (>= 1) or a negative VG_ERR_*. */
int spec_welch(struct spec *s, const double *x, size_t n, double fs_hz,
	       size_t seg, enum spec_detrend detrend, double *psd);

/* Integrate psd over lo <= f < hi with the trapezoid rule over the bins in
 * the band (scipy.integrate.trapezoid of the selected bins). */
double spec_band_power(const double *psd, size_t nbins, double df_hz,
		       double lo_hz, double hi_hz);

#endif
