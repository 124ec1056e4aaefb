/*
 * test_iir.c - biquad design checks against closed forms: the bilinear
 * Butterworth magnitude |H| = 1/sqrt(1 + (tan(pi f/fs)/tan(pi fc/fs))^2N)
 * (low-pass; inverted ratio for high-pass), the notch depth and width,
 * the time-domain filter agreeing with iir_gain(), and priming.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "iir.h"
#include "vg_err.h"

static double butter_mag(double fs, double fc, double f, int order, int high)
{
	double r = tan(M_PI * f / fs) / tan(M_PI * fc / fs);
	if (high)
		r = 1.0 / r;
	return 1.0 / sqrt(1.0 + pow(r, 2.0 * order));
}

static void test_butter_matches_closed_form(void **state)
{
	(void)state;
	static const double fs_list[] = { 250.0, 1000.0, 2000.0, 4000.0 };
	for (size_t i = 0; i < 4; i++) {
		double fs = fs_list[i];
		double lpc = fmin(450.0, 0.45 * fs);
		for (size_t nsec = 1; nsec <= 3; nsec++) {
			struct iir_biquad lp[3], hp[3];
			assert_int_equal(iir_butter(lp, nsec, IIR_LOWPASS, fs, lpc), 0);
			assert_int_equal(iir_butter(hp, nsec, IIR_HIGHPASS, fs, 20.0), 0);
			for (double f = 1.0; f < 0.5 * fs; f *= 1.37) {
				double want_l = butter_mag(fs, lpc, f, (int)(2 * nsec), 0);
				double want_h = butter_mag(fs, 20.0, f, (int)(2 * nsec), 1);
				assert_true(fabs(iir_gain(lp, nsec, fs, f) - want_l) < 1e-9);
				assert_true(fabs(iir_gain(hp, nsec, fs, f) - want_h) < 1e-9);
			}
			/* -3 dB exactly at the cutoff */
			assert_true(fabs(iir_gain(hp, nsec, fs, 20.0) - M_SQRT1_2) < 1e-9);
			assert_true(fabs(iir_gain(lp, nsec, fs, lpc) - M_SQRT1_2) < 1e-9);
		}
	}
}

static void test_notch(void **state)
{
	(void)state;
	struct iir_biquad n;
	double fs = 2000.0;
	assert_int_equal(iir_notch(&n, fs, 50.0, 2.0), 0);
	assert_true(iir_gain(&n, 1, fs, 50.0) < 1e-9);
	/* -3 dB points about bw/2 either side (bilinear warping is tiny here) */
	assert_true(fabs(iir_gain(&n, 1, fs, 51.0) - M_SQRT1_2) < 0.01);
	assert_true(fabs(iir_gain(&n, 1, fs, 49.0) - M_SQRT1_2) < 0.01);
	assert_true(iir_gain(&n, 1, fs, 40.0) > 0.99);
	assert_true(iir_gain(&n, 1, fs, 100.0) > 0.999);
}

/* A sine through the time-domain filter has the amplitude iir_gain says. */
static void test_time_domain_agrees(void **state)
{
	(void)state;
	double fs = 2000.0;
	struct iir_biquad c[5];
	assert_int_equal(iir_butter(c, 2, IIR_HIGHPASS, fs, 20.0), 0);
	assert_int_equal(iir_butter(c + 2, 2, IIR_LOWPASS, fs, 450.0), 0);
	assert_int_equal(iir_notch(c + 4, fs, 50.0, 2.0), 0);
	static const double fr[] = { 10.0, 25.0, 50.0, 52.0, 120.0, 400.0, 600.0 };
	for (size_t k = 0; k < sizeof(fr) / sizeof(fr[0]); k++) {
		iir_reset(c, 5);
		double ss = 0.0;
		for (int i = 0; i < 8000; i++) {
			double y = iir_run(c, 5, sin(2.0 * M_PI * fr[k] * i / fs));
			if (i >= 6000) /* one whole second: integer periods */
				ss += y * y;
		}
		double amp = sqrt(2.0 * ss / 2000.0);
		double g = iir_gain(c, 5, fs, fr[k]);
		assert_true(fabs(amp - g) < 1e-3 + 0.002 * g);
	}
}

static void test_prime_removes_dc_transient(void **state)
{
	(void)state;
	struct iir_biquad hp[2];
	assert_int_equal(iir_butter(hp, 2, IIR_HIGHPASS, 1000.0, 20.0), 0);
	iir_prime(hp, 2, 12345.0);
	for (int i = 0; i < 100; i++)
		assert_true(fabs(iir_run(hp, 2, 12345.0)) < 1e-6);
	struct iir_biquad lp[2];
	assert_int_equal(iir_butter(lp, 2, IIR_LOWPASS, 1000.0, 100.0), 0);
	iir_prime(lp, 2, -7.5);
	for (int i = 0; i < 100; i++)
		assert_true(fabs(iir_run(lp, 2, -7.5) + 7.5) < 1e-9);
}

static void test_invalid(void **state)
{
	(void)state;
	struct iir_biquad b[2];
	assert_int_equal(iir_butter(b, 2, IIR_LOWPASS, 1000.0, 500.0), VG_ERR_INVAL);
	assert_int_equal(iir_butter(b, 2, IIR_LOWPASS, 1000.0, 0.0), VG_ERR_INVAL);
	assert_int_equal(iir_butter(b, 0, IIR_LOWPASS, 1000.0, 100.0), VG_ERR_INVAL);
	assert_int_equal(iir_notch(b, 1000.0, 50.0, 0.0), VG_ERR_INVAL);
	assert_int_equal(iir_notch(b, 0.0, 50.0, 1.0), VG_ERR_INVAL);
	assert_int_equal(iir_section(b, IIR_HIGHPASS, 1000.0, NAN, 0.7), VG_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_butter_matches_closed_form),
		cmocka_unit_test(test_notch),
		cmocka_unit_test(test_time_domain_agrees),
		cmocka_unit_test(test_prime_removes_dc_transient),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
