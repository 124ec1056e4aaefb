/*
 * test_emg.c - the EMG engine against known truth.
 *
 * Synthetic EMG: Gaussian noise (seeded) through a windowed-sinc band-pass
 * FIR (30-300 Hz, independent of the engine's IIR filters), normalised to
 * unit RMS and multiplied by a known amplitude profile a(t) in uV. The true
 * envelope at a result is sqrt(mean a^2) over the result's window. Mains is
 * an exact sine (plus harmonics); ECG crosstalk is a Gaussian-sum PQRST
 * whose beat positions are told to the engine late, as a detector would.
 * Real data: PhysioNet emgdb (Goldberger et al., Circulation 101(23), 2000,
 * "Examples of Electromyograms") against the figures in the data README,
 * and drivedb drive05 (Healey & Picard, IEEE Trans ITS 6(2), 2005), whose
 * EMG is pre-smoothed at 15.5 Hz.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "emg.h"
#include "vg_err.h"
#include "wfdb.h"
#include "../support/vgtest.h"

#define FS 2000.0
#define MAXR 4096

/* ---------------------------------------------------------- synthetic */

static uint64_t rng_state;

static double urand(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ull) >> 11) * 0x1.0p-53;
}

static double grand(void)
{
	double u = urand(), v = urand();
	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Unit-RMS band-limited noise, lo..hi Hz, n samples at fs. */
static double *band_noise(size_t n, double fs, double lo, double hi, uint64_t seed)
{
	enum { TAPS = 201 };
	double h[TAPS], hn = 0.0;
	for (int k = 0; k < TAPS; k++) {
		double m = k - (TAPS - 1) / 2.0;
		double sinc_hi = m == 0.0 ? 2.0 * hi / fs : sin(2.0 * M_PI * hi / fs * m) / (M_PI * m);
		double sinc_lo = m == 0.0 ? 2.0 * lo / fs : sin(2.0 * M_PI * lo / fs * m) / (M_PI * m);
		double w = 0.54 - 0.46 * cos(2.0 * M_PI * k / (TAPS - 1));
		h[k] = (sinc_hi - sinc_lo) * w;
		hn += h[k] * h[k];
	}
	hn = sqrt(hn);
	rng_state = seed ? seed : 1;
	double *w = malloc((n + TAPS) * sizeof(*w));
	double *y = malloc(n * sizeof(*y));
	assert_non_null(w);
	assert_non_null(y);
	for (size_t i = 0; i < n + TAPS; i++)
		w[i] = grand();
	for (size_t i = 0; i < n; i++) {
		double acc = 0.0;
		for (int k = 0; k < TAPS; k++)
			acc += h[k] * w[i + (size_t)k];
		y[i] = acc / hn;
	}
	free(w);
	return y;
}

/* Piecewise-linear amplitude profile: knots (t_s, uV). */
struct knot {
	double t, a;
};

static double profile_at(const struct knot *k, size_t nk, double t)
{
	if (t <= k[0].t)
		return k[0].a;
	for (size_t i = 1; i < nk; i++)
		if (t <= k[i].t)
			return k[i - 1].a + (k[i].a - k[i - 1].a) * (t - k[i - 1].t) /
						   (k[i].t - k[i - 1].t);
	return k[nk - 1].a;
}

struct sig {
	size_t n;
	double fs;
	float *x;    /* what the engine gets, uV */
	double *a;   /* true amplitude (RMS) per sample, uV */
};

static struct sig make_emg(const struct knot *k, size_t nk, double dur_s, double fs,
			   double lo, double hi, uint64_t seed)
{
	struct sig s;
	s.fs = fs;
	s.n = (size_t)(dur_s * fs);
	double *u = band_noise(s.n, fs, lo, hi, seed);
	s.x = malloc(s.n * sizeof(*s.x));
	s.a = malloc(s.n * sizeof(*s.a));
	assert_non_null(s.x);
	assert_non_null(s.a);
	for (size_t i = 0; i < s.n; i++) {
		s.a[i] = profile_at(k, nk, (double)i / fs);
		s.x[i] = (float)(s.a[i] * u[i]);
	}
	free(u);
	return s;
}

static void free_sig(struct sig *s)
{
	free(s->x);
	free(s->a);
}

/* True windowed RMS ending at sample i. */
static double truth_at(const struct sig *s, int64_t i, double window_s)
{
	int64_t w = (int64_t)lround(window_s * s->fs);
	int64_t lo = i - w + 1 < 0 ? 0 : i - w + 1;
	double acc = 0.0;
	for (int64_t k = lo; k <= i; k++)
		acc += s->a[k] * s->a[k];
	return sqrt(acc / (double)(i - lo + 1));
}

/* ---------------------------------------------------------- collecting */

struct coll {
	size_t n;
	struct emg_result r[MAXR];
	int released;
	int64_t release_sample;
	int releases;
};

static void collect(void *ctx, const struct emg_result *r)
{
	struct coll *c = ctx;
	if (r->released) {
		c->releases++;
		c->release_sample = r->release_sample;
	}
	if (c->n < MAXR)
		c->r[c->n++] = *r;
}

static struct emg *new_emg(double fs, double delay_ms, double mains, struct coll *c)
{
	struct emg_config cfg = { .fs_hz = fs, .channel = 3, .name = "trapezius L",
				  .ecg_delay_ms = delay_ms, .mains_hz = mains };
	int err = 0;
	memset(c, 0, sizeof(*c));
	struct emg *e = emg_new(&cfg, collect, c, &err);
	assert_non_null(e);
	return e;
}

/* Feed in blocks of irregular size, as a driver would. */
static void feed_blocks(struct emg *e, const float *x, size_t n)
{
	size_t at = 0, b = 1;
	while (at < n) {
		size_t len = b < n - at ? b : n - at;
		emg_feed(e, x + at, len);
		at += len;
		b = b * 7 % 97 + 1;
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Quantile q of the relative envelope error over results after from_s. */
static double error_quantile(const struct coll *c, const struct sig *s, double from_s,
			     double q)
{
	double *err = malloc(c->n * sizeof(*err));
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++) {
		if ((double)c->r[i].sample < from_s * s->fs)
			continue;
		double t = truth_at(s, c->r[i].sample, 0.25);
		assert_true(isfinite(c->r[i].rms_uv));
		err[m++] = fabs(c->r[i].rms_uv - t) / t;
	}
	assert_true(m > 10);
	qsort(err, m, sizeof(*err), cmp_d);
	double v = err[(size_t)(q * (double)(m - 1))];
	free(err);
	return v;
}

static double median_error(const struct coll *c, const struct sig *s, double from_s)
{
	return error_quantile(c, s, from_s, 0.5);
}

/* Lag (s) of the envelope against the instantaneous true amplitude: the
 * shift that maximises their correlation. */
static double envelope_lag(const struct coll *c, const struct sig *s, double from_s)
{
	double best = -2.0, best_lag = NAN;
	for (double lag = 0.0; lag <= 0.5; lag += 0.005) {
		double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
		size_t m = 0;
		for (size_t i = 0; i < c->n; i++) {
			int64_t j = c->r[i].sample - (int64_t)lround(lag * s->fs);
			if ((double)c->r[i].sample < from_s * s->fs || j < 0)
				continue;
			double x = c->r[i].rms_uv, y = s->a[j];
			sx += x;
			sy += y;
			sxx += x * x;
			syy += y * y;
			sxy += x * y;
			m++;
		}
		double cov = sxy / m - sx / m * sy / m;
		double r = cov / sqrt((sxx / m - sx / m * sx / m) * (syy / m - sy / m * sy / m));
		if (r > best) {
			best = r;
			best_lag = lag;
		}
	}
	return best_lag;
}

/* rest -> contraction -> release -> rest -> medium -> rest */
static const struct knot profile1[] = {
	{ 0.0, 5.0 },   { 4.0, 5.0 },   { 4.5, 100.0 }, { 12.5, 100.0 },
	{ 12.8, 5.0 },  { 18.0, 5.0 },  { 18.5, 50.0 }, { 23.0, 50.0 },
	{ 23.3, 5.0 },  { 28.0, 5.0 },
};
#define NK1 (sizeof(profile1) / sizeof(profile1[0]))

static void test_envelope_error_and_lag(void **state)
{
	(void)state;
	struct sig s = make_emg(profile1, NK1, 28.0, FS, 30.0, 300.0, 11);
	static struct coll c;
	struct emg *e = new_emg(FS, 0.0, 0.0, &c);
	feed_blocks(e, s.x, s.n);
	/* 20 results per second, 'sample' = last sample of the window */
	assert_true(c.n >= 28 * 20 - 8 && c.n <= 28 * 20);
	double med = median_error(&c, &s, 1.0);
	double lag = envelope_lag(&c, &s, 1.0);
	print_message("envelope: median error %.2f %% (target <= 5), lag %.0f ms (<= 150)\n",
		      100.0 * med, 1000.0 * lag);
	assert_true(med <= 0.05);
	assert_true(lag <= 0.150);
	for (size_t i = 0; i < c.n; i++) {
		assert_int_equal(c.r[i].channel, 3);
		assert_string_equal(c.r[i].name, "trapezius L");
		assert_true(c.r[i].quality_flags & EMG_Q_UNCALIBRATED);
		assert_false(c.r[i].quality_flags &
			     (EMG_Q_MAINS | EMG_Q_CLIPPING | EMG_Q_LEAD_OFF | EMG_Q_SATURATION));
	}
	emg_destroy(&e);
	assert_null(e);
	free_sig(&s);
}

static void add_mains(struct sig *s, double f0, double amp, int harmonics)
{
	for (size_t i = 0; i < s->n; i++) {
		double t = (double)i / s->fs, v = 0.0;
		for (int h = 1; h <= harmonics; h += 2) /* odd harmonics, falling */
			v += amp / h * sin(2.0 * M_PI * f0 * h * t + 0.3 * h);
		s->x[i] += (float)v;
	}
}

static void test_mains(void **state)
{
	(void)state;
	/* nominal, and off-nominal as grids drift (notches must follow) */
	static const double f0s[] = { 50.0, 60.0, 49.8, 60.25 };
	for (int k = 0; k < 4; k++) {
		struct sig s = make_emg(profile1, NK1, 28.0, FS, 30.0, 300.0, 21 + k);
		/* 10x the contraction EMG (200x rest), plus 3rd..7th harmonics */
		add_mains(&s, f0s[k], 10.0 * 100.0, 7);
		static struct coll c;
		struct emg *e = new_emg(FS, 0.0, 0.0, &c);
		feed_blocks(e, s.x, s.n);
		double med = median_error(&c, &s, 3.0);
		print_message("mains %.2f Hz at 10x EMG: median envelope error %.2f %% (<= 10)\n",
			      f0s[k], 100.0 * med);
		assert_true(med <= 0.10);
		/* flagged once found */
		assert_true(c.r[c.n - 1].quality_flags & EMG_Q_MAINS);
		emg_destroy(&e);
		free_sig(&s);
	}
}

/* Synthetic PQRST (mV-shaped, scaled), R peak at t = 0. */
static double ecg_shape(double t)
{
	double v = 0.0;
	v += -0.12 * exp(-0.5 * pow((t + 0.02) / 0.005, 2));
	v += 1.00 * exp(-0.5 * pow(t / 0.006, 2));
	v += -0.25 * exp(-0.5 * pow((t - 0.02) / 0.005, 2));
	v += 0.30 * exp(-0.5 * pow((t - 0.25) / 0.040, 2));
	v += 0.10 * exp(-0.5 * pow((t + 0.16) / 0.025, 2));
	return v;
}

static void test_ecg_crosstalk(void **state)
{
	(void)state;
	struct sig s = make_emg(profile1, NK1, 28.0, FS, 30.0, 300.0, 31);
	/* R peak 5x the rest EMG's peak amplitude (about 3 RMS): 75 uV */
	double r_uv = 5.0 * 3.0 * 5.0;
	int64_t beats[64];
	size_t nb = 0;
	double t = 0.4;
	while (t < 27.5 && nb < 64) {
		beats[nb++] = (int64_t)lround(t * FS);
		t += 0.85 + 0.1 * sin(nb * 0.7); /* 64..75 bpm */
	}
	for (size_t b = 0; b < nb; b++)
		for (int64_t i = beats[b] - 400; i < beats[b] + 1000; i++)
			if (i >= 0 && (size_t)i < s.n)
				s.x[i] += (float)(r_uv * ecg_shape((double)(i - beats[b]) / FS));

	/* without gating, for scale */
	static struct coll c0;
	struct emg *e0 = new_emg(FS, 0.0, 0.0, &c0);
	feed_blocks(e0, s.x, s.n);
	double med0 = median_error(&c0, &s, 1.0);
	emg_destroy(&e0);

	/* with gating: beats arrive 250 ms after their R peak */
	static struct coll c;
	struct emg *e = new_emg(FS, 300.0, 0.0, &c);
	size_t next = 0;
	int64_t late = (int64_t)(0.25 * FS);
	for (size_t i = 0; i < s.n; i += 40) {
		size_t len = s.n - i < 40 ? s.n - i : 40;
		emg_feed(e, s.x + i, len);
		while (next < nb && beats[next] + late <= (int64_t)(i + len))
			emg_ecg_beat(e, beats[next++]);
	}
	double med = median_error(&c, &s, 1.0);
	double p90 = error_quantile(&c, &s, 1.0, 0.9);
	double p90_0 = error_quantile(&c0, &s, 1.0, 0.9);
	print_message("ECG crosstalk (R = 5x rest EMG amplitude): envelope error median "
		      "%.2f %% (<= 10), 90th percentile %.2f %%; ungated %.2f %% / %.2f %%\n",
		      100.0 * med, 100.0 * p90, 100.0 * med0, 100.0 * p90_0);
	assert_true(med <= 0.10);
	assert_true(p90 <= 0.20);
	assert_true(p90_0 > 2.0 * p90); /* the crosstalk was real */
	/* results are late by the delay line, their sample is still right */
	assert_true(c.r[c.n - 1].sample <= (int64_t)s.n - 1 - (int64_t)(0.3 * FS) + 1);
	emg_destroy(&e);
	free_sig(&s);
}

/* Live median / mean frequency against the known flat band. */
static void test_live_frequency(void **state)
{
	(void)state;
	static const struct knot flat[] = { { 0.0, 50.0 }, { 10.0, 50.0 } };
	static const double bands[2][2] = { { 30.0, 300.0 }, { 30.0, 150.0 } };
	for (int k = 0; k < 2; k++) {
		struct sig s = make_emg(flat, 2, 10.0, FS, bands[k][0], bands[k][1], 41 + k);
		static struct coll c;
		struct emg *e = new_emg(FS, 0.0, 0.0, &c);
		emg_feed(e, s.x, s.n);
		double want = 0.5 * (bands[k][0] + bands[k][1]); /* flat: MDF = MNF = centre */
		double md = 0, mn = 0;
		size_t m = 0;
		for (size_t i = 0; i < c.n; i++) {
			if (c.r[i].sample < (int64_t)(1.5 * FS)) {
				continue;
			}
			assert_true(isfinite(c.r[i].mdf_hz) && isfinite(c.r[i].mnf_hz));
			md += c.r[i].mdf_hz;
			mn += c.r[i].mnf_hz;
			m++;
		}
		md /= m;
		mn /= m;
		print_message("band %.0f-%.0f Hz: live MDF %.1f MNF %.1f (truth %.1f)\n",
			      bands[k][0], bands[k][1], md, mn, want);
		assert_true(fabs(md - want) < 0.05 * want);
		assert_true(fabs(mn - want) < 0.05 * want);
		/* the first second has no spectrum */
		assert_true(isnan(c.r[0].mdf_hz));
		emg_destroy(&e);
		free_sig(&s);
	}
}

/* ---------------------------------------------------------- calibration, state */

static void test_calibration_and_state(void **state)
{
	(void)state;
	static const struct knot k[] = {
		{ 0.0, 5.0 }, { 4.0, 5.0 }, { 4.3, 100.0 }, { 8.0, 100.0 }, { 8.3, 5.0 },
		{ 11.0, 5.0 }, { 11.3, 50.0 }, { 16.0, 50.0 }, { 16.3, 5.0 }, { 19.0, 5.0 },
		{ 22.0, 60.0 }, { 25.0, 60.0 }, { 29.0, 5.0 }, { 33.0, 5.0 },
	};
	struct sig s = make_emg(k, sizeof(k) / sizeof(k[0]), 33.0, FS, 30.0, 300.0, 51);
	static struct coll c;
	struct emg *e = new_emg(FS, 0.0, 0.0, &c);
	size_t at = 0;
	/* rest calibration from 1 s for 2.5 s, reference from 4.8 s for 3 s */
	emg_feed(e, s.x, (size_t)(1.0 * FS));
	at = (size_t)(1.0 * FS);
	assert_int_equal(emg_calibrate(e, EMG_CAL_REST, 2.5), 0);
	assert_int_equal(emg_calibrate(e, EMG_CAL_REST, 2.5), VG_ERR_STATE);
	emg_feed(e, s.x + at, (size_t)(4.8 * FS) - at);
	at = (size_t)(4.8 * FS);
	assert_int_equal(emg_calibrate(e, EMG_CAL_REFERENCE, 3.0), 0);
	emg_feed(e, s.x + at, s.n - at);
	assert_int_equal(emg_calibrate(e, EMG_CAL_REST, 0.1), VG_ERR_INVAL);
	double rest, ref;
	emg_get_calibration(e, &rest, &ref);
	print_message("calibration: rest %.2f uV (truth 5), reference %.1f uV (truth 100)\n",
		      rest, ref);
	assert_true(fabs(rest - 5.0) < 0.5);
	assert_true(fabs(ref - 100.0) < 8.0);

	/* level at the 50 uV plateau: (50 - 5) / (100 - 5) */
	double lv = 0;
	size_t m = 0, tense = 0, relaxed = 0, releasing = 0, rel_rest = 0, n_rest = 0;
	for (size_t i = 0; i < c.n; i++) {
		double t = (double)c.r[i].sample / FS;
		if (t > 8.0)
			assert_false(c.r[i].quality_flags & EMG_Q_UNCALIBRATED);
		if (t > 2.0 && t < 3.0)
			assert_int_equal(c.r[i].calibrating, EMG_CAL_REST);
		if (t > 12.0 && t < 16.0) {
			lv += c.r[i].level_pct;
			m++;
			tense += c.r[i].state == EMG_TENSE;
		}
		if ((t > 9.5 && t < 11.0) || (t > 17.5 && t < 19.0) || t > 30.5) {
			n_rest++;
			rel_rest += c.r[i].state == EMG_RELAXED;
		}
		if (t > 25.0 && t < 29.5)
			releasing += c.r[i].state == EMG_RELEASING;
		relaxed += c.r[i].state == EMG_RELAXED;
	}
	lv /= m;
	double want = 100.0 * 45.0 / 95.0;
	print_message("level at 50 uV: %.1f %% (truth %.1f); tense %zu/%zu, relaxed at rest "
		      "%zu/%zu, releasing during the slow release %zu\n",
		      lv, want, tense, m, rel_rest, n_rest, releasing);
	assert_true(fabs(lv - want) < 5.0);
	assert_true(tense == m);
	assert_true(rel_rest == n_rest);
	assert_true(releasing >= 10);
	emg_destroy(&e);
	free_sig(&s);
}

static void test_uncalibrated_baseline(void **state)
{
	(void)state;
	struct sig s = make_emg(profile1, NK1, 28.0, FS, 30.0, 300.0, 61);
	static struct coll c;
	struct emg *e = new_emg(FS, 0.0, 0.0, &c);
	emg_feed(e, s.x, s.n);
	/* running baseline: rest reads near 0 %, the strongest contraction near 100 % */
	for (size_t i = 0; i < c.n; i++) {
		double t = (double)c.r[i].sample / FS;
		assert_true(c.r[i].quality_flags & EMG_Q_UNCALIBRATED);
		if (t > 15.0 && t < 18.0)
			assert_true(c.r[i].level_pct < 10.0);
		if (t > 6.0 && t < 12.0)
			assert_true(c.r[i].level_pct > 70.0);
	}
	emg_destroy(&e);
	free_sig(&s);
}

/* ---------------------------------------------------------- hold, release */

static void run_hold(const struct knot *k, size_t nk, double dur, double hold_at,
		     uint64_t seed, struct coll *c)
{
	struct sig s = make_emg(k, nk, dur, FS, 30.0, 300.0, seed);
	struct emg *e = new_emg(FS, 0.0, 0.0, c);
	emg_set_calibration(e, 5.0, 100.0);
	size_t at = (size_t)(hold_at * FS);
	emg_feed(e, s.x, at);
	emg_hold_start(e);
	emg_feed(e, s.x + at, s.n - at);
	emg_destroy(&e);
	free_sig(&s);
}

static void test_release(void **state)
{
	(void)state;
	/* step release at 20 s: 80 -> 40 uV */
	static const struct knot step[] = { { 0, 5 }, { 3, 5 }, { 3.5, 80 }, { 20, 80 },
					    { 20.2, 40 }, { 35, 40 } };
	/* gradual release over 2 s from 20 s, then rest */
	static const struct knot ramp[] = { { 0, 5 }, { 3, 5 }, { 3.5, 80 }, { 20, 80 },
					    { 22, 8 }, { 35, 8 } };
	static const struct knot *cases[] = { step, ramp };
	static struct coll c;
	for (int k = 0; k < 2; k++) {
		for (uint64_t seed = 71; seed < 74; seed++) {
			run_hold(cases[k], 6, 35.0, 5.0, seed, &c);
			assert_int_equal(c.releases, 1);
			double err = (double)c.release_sample / FS - 20.0;
			double fired = NAN;
			for (size_t i = 0; i < c.n; i++)
				if (c.r[i].released)
					fired = (double)c.r[i].sample / FS;
			print_message("%s release at 20.0 s: reported at %.2f s (error %+.2f s, <= 3), "
				      "confirmed at %.2f s\n", k ? "gradual" : "step",
				      20.0 + err, err, fired);
			assert_true(fabs(err) <= 3.0);
			assert_true(fired >= 25.0); /* stays down >= 5 s before it counts */
		}
	}
}

static void test_no_release_in_steady_hold(void **state)
{
	(void)state;
	static const struct knot steady[] = { { 0, 5 }, { 3, 5 }, { 3.5, 80 }, { 60, 80 } };
	/* a dip of 3 s (shorter than 5 s) is not a release */
	static const struct knot dip[] = { { 0, 5 }, { 3, 5 }, { 3.5, 80 }, { 15, 80 },
					   { 15.2, 40 }, { 18, 40 }, { 18.2, 80 }, { 40, 80 } };
	/* a 10 % sag is not a release either */
	static const struct knot sag[] = { { 0, 5 }, { 3, 5 }, { 3.5, 80 }, { 15, 80 },
					   { 25, 72 }, { 40, 72 } };
	static struct coll c;
	for (uint64_t seed = 81; seed < 84; seed++) {
		run_hold(steady, 4, 60.0, 5.0, seed, &c);
		assert_int_equal(c.releases, 0);
		for (size_t i = 0; i < c.n; i++)
			if (c.r[i].sample > 6 * FS) {
				assert_int_equal(c.r[i].state, EMG_TENSE);
				assert_int_equal(c.r[i].holding, 1);
			}
		run_hold(dip, 8, 40.0, 5.0, seed, &c);
		assert_int_equal(c.releases, 0);
		run_hold(sag, 6, 40.0, 5.0, seed, &c);
		assert_int_equal(c.releases, 0);
	}
	/* hold_stop ends the hold: no release even if the muscle then lets go */
	static const struct knot step[] = { { 0, 5 }, { 3, 5 }, { 3.5, 80 }, { 20, 80 },
					    { 20.2, 10 }, { 35, 10 } };
	struct sig s = make_emg(step, 6, 35.0, FS, 30.0, 300.0, 91);
	struct emg *e = new_emg(FS, 0.0, 0.0, &c);
	emg_feed(e, s.x, (size_t)(5 * FS));
	emg_hold_start(e);
	emg_feed(e, s.x + (size_t)(5 * FS), (size_t)(10 * FS));
	emg_hold_stop(e);
	emg_feed(e, s.x + (size_t)(15 * FS), s.n - (size_t)(15 * FS));
	assert_int_equal(c.releases, 0);
	assert_int_equal(c.r[c.n - 1].holding, 0);
	emg_destroy(&e);
	free_sig(&s);
}

/* ---------------------------------------------------------- quality, robustness */

static unsigned flags_between(const struct coll *c, double t0, double t1)
{
	unsigned f = 0;
	for (size_t i = 0; i < c->n; i++) {
		double t = (double)c->r[i].sample / FS;
		if (t >= t0 && t < t1)
			f |= c->r[i].quality_flags;
	}
	return f;
}

static void test_quality_flags(void **state)
{
	(void)state;
	static const struct knot k[] = { { 0, 20 }, { 4, 20 }, { 4.01, 100 }, { 6, 100 },
					 { 6.01, 20 }, { 20, 20 } };
	struct sig s = make_emg(k, 6, 20.0, FS, 30.0, 300.0, 101);
	/* an ADC rail at +-150 uV that only the 100 uV contraction at 4-6 s
	 * reaches (clipping); 8-10 s: open lead (0); 12-14 s: amplifier stuck
	 * at +6000 uV */
	for (size_t i = 0; i < s.n; i++) {
		double t = (double)i / FS;
		s.x[i] = fmaxf(-150.0f, fminf(150.0f, s.x[i]));
		if (t >= 8 && t < 10)
			s.x[i] = 0.0f;
		if (t >= 11.9 && t < 12)
			s.x[i] = (float)(6000.0 * (t - 11.9) / 0.1);
		if (t >= 12 && t < 14)
			s.x[i] = 6000.0f;
	}
	static struct coll c;
	struct emg *e = new_emg(FS, 0.0, 0.0, &c);
	emg_feed(e, s.x, s.n);
	unsigned bad = EMG_Q_CLIPPING | EMG_Q_LEAD_OFF | EMG_Q_SATURATION;
	assert_int_equal(flags_between(&c, 0.5, 3.9) & bad, 0);
	assert_int_equal(flags_between(&c, 4.1, 6.0) & bad, EMG_Q_CLIPPING);
	assert_int_equal(flags_between(&c, 8.3, 10.0) & bad, EMG_Q_LEAD_OFF);
	assert_int_equal(flags_between(&c, 12.3, 14.0) & bad, EMG_Q_SATURATION);
	assert_int_equal(flags_between(&c, 16.0, 20.0) & bad, 0);
	emg_destroy(&e);

	/* with a known full scale, a contraction that reaches it is clipping
	 * even when the session saw larger values before (a range change) */
	struct emg_config cfg = { .fs_hz = FS, .full_scale_uv = 40.0 };
	int err = 0;
	memset(&c, 0, sizeof(c));
	e = emg_new(&cfg, collect, &c, &err);
	assert_non_null(e);
	for (size_t i = 0; i < s.n; i++)
		if ((double)i / FS >= 16.0)
			s.x[i] = fmaxf(-40.0f, fminf(40.0f, 3.0f * s.x[i]));
	emg_feed(e, s.x, s.n);
	assert_int_equal(flags_between(&c, 16.3, 20.0) & bad, EMG_Q_CLIPPING);
	emg_destroy(&e);
	free_sig(&s);
}

static void test_gap_and_hostile_input(void **state)
{
	(void)state;
	static const struct knot k[] = { { 0, 30 }, { 10, 30 } };
	struct sig s = make_emg(k, 2, 10.0, FS, 30.0, 300.0, 111);
	static struct coll c;
	struct emg *e = new_emg(FS, 300.0, 0.0, &c);
	emg_feed(e, s.x, 8000);
	emg_gap(e, 5000);
	/* the delay line was flushed: results up to the gap */
	assert_true(c.r[c.n - 1].sample >= 8000 - 100);
	size_t before = c.n;
	int64_t last = c.r[c.n - 1].sample;
	emg_feed(e, s.x + 8000, s.n - 8000);
	assert_true(c.n > before);
	int saw_nan = 0;
	for (size_t i = before; i < c.n; i++) {
		assert_true(c.r[i].sample > last);
		assert_true(c.r[i].sample >= 13000);
		if (isnan(c.r[i].rms_uv))
			saw_nan = 1;
		else if (c.r[i].sample > 13000 + 1600)
			assert_true(fabs(c.r[i].rms_uv - 30.0) < 8.0);
	}
	assert_true(saw_nan); /* the window after a gap is marked, not invented */
	/* hostile samples: NaN, inf, huge, beats out of order / absurd */
	float junk[4000];
	for (size_t i = 0; i < 4000; i++)
		junk[i] = i % 5 == 0 ? NAN : i % 7 == 0 ? INFINITY : i % 11 == 0 ? 3e38f : s.x[i];
	emg_ecg_beat(e, -5);
	emg_ecg_beat(e, INT64_MAX / 2);
	emg_ecg_beat(e, 7);
	emg_feed(e, junk, 4000);
	emg_gap(e, 0);
	emg_feed(e, s.x, 4000);
	for (size_t i = 0; i < c.n; i++)
		assert_false(isinf(c.r[i].rms_uv));
	emg_feed(e, NULL, 10);
	emg_destroy(&e);
	emg_destroy(&e);
	free_sig(&s);
}

static void test_config(void **state)
{
	(void)state;
	static struct coll c;
	int err = 0;
	struct emg_config bad[] = {
		{ .fs_hz = 0 }, { .fs_hz = 2000, .mains_hz = 55 },
		{ .fs_hz = 2000, .window_ms = 1 }, { .fs_hz = NAN },
		{ .fs_hz = 2000, .ecg_delay_ms = -1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = 0;
		assert_null(emg_new(&bad[i], collect, &c, &err));
		assert_int_equal(err, VG_ERR_INVAL);
	}
	assert_null(emg_new(NULL, collect, &c, &err));
	/* every rate in 250..4000 Hz runs; names are cut to fit */
	static const double rates[] = { 250, 500, 1000, 1024, 2000, 4000 };
	for (size_t i = 0; i < 6; i++) {
		struct emg_config cfg = { .fs_hz = rates[i], .mains_hz = 60,
					  .name = "a very long muscle name that does not fit in forty" };
		struct emg *e = emg_new(&cfg, collect, &c, &err);
		assert_non_null(e);
		memset(&c, 0, sizeof(c));
		static const struct knot k[] = { { 0, 10 }, { 5, 10 } };
		struct sig s = make_emg(k, 2, 3.0, rates[i], 30.0, 0.4 * rates[i] < 300 ? 0.4 * rates[i] : 300, 7);
		emg_feed(e, s.x, s.n);
		assert_true(c.n >= 55 && c.n <= 60);
		assert_int_equal(strlen(c.r[0].name), 39);
		assert_true(fabs(c.r[c.n - 1].rms_uv - 10.0) < 2.0);
		assert_true(isfinite(c.r[c.n - 1].mdf_hz));
		emg_destroy(&e);
		free_sig(&s);
	}
	assert_string_equal(emg_state_name(EMG_RELEASING), "releasing");
	assert_string_equal(emg_state_name(EMG_RELAXED), "relaxed");
	assert_string_equal(emg_state_name(EMG_TENSE), "tense");
}

/* A pre-smoothed low-rate input is taken as an envelope and says so. */
static void test_presmoothed_synthetic(void **state)
{
	(void)state;
	static struct coll c;
	struct emg_config cfg = { .fs_hz = 15.5, .name = "trapezius" };
	int err = 0;
	memset(&c, 0, sizeof(c));
	struct emg *e = emg_new(&cfg, collect, &c, &err);
	assert_non_null(e);
	float x[310];
	for (size_t i = 0; i < 310; i++)
		x[i] = (float)(i < 155 ? 20.0 : 80.0);
	emg_feed(e, x, 310);
	assert_true(c.n >= 300); /* one result per input sample at most */
	assert_true(c.r[c.n - 1].quality_flags & EMG_Q_PRESMOOTHED);
	assert_true(isnan(c.r[c.n - 1].mdf_hz));
	assert_true(fabs(c.r[c.n - 1].rms_uv - 80.0) < 1e-3);
	assert_int_equal(emg_calibrate(e, EMG_CAL_REST, 2.0), 0);
	emg_destroy(&e);
}

/* ---------------------------------------------------------- real recordings */

/* Signal sig of a shared record in uV (physical mV x 1000). */
static float *read_uv(const char *rel, int sig, size_t *n, double *fs)
{
	int err = 0;
	struct wfdb_record *r = wfdb_open(vgt_data(rel), &err);
	if (!r)
		print_error("cannot open %s: %s\n", vgt_data(rel), vg_strerror(err));
	assert_non_null(r);
	*n = (size_t)wfdb_sig_nsamp(r, sig);
	*fs = wfdb_sig_fs(r, sig);
	float *x = malloc(*n * sizeof(*x));
	assert_non_null(x);
	assert_int_equal(wfdb_read_phys(r, sig, 0, *n, x), 0);
	for (size_t i = 0; i < *n; i++)
		x[i] *= 1000.0f;
	wfdb_destroy(&r);
	return x;
}

/* Whole-record figures against the data README (numpy/scipy reference). */
static void test_emgdb_describe(void **state)
{
	(void)state;
	static const struct {
		const char *rec;
		double rms_uv, mdf_hz, mnf_hz;
	} ref[] = {
		{ "emgdb/emg_healthy", 81.6, 108.4, 171.7 },
		{ "emgdb/emg_myopathy", 97.0, 191.4, 271.9 },
		{ "emgdb/emg_neuropathy", 388.4, 232.4, 308.8 },
	};
	for (size_t k = 0; k < 3; k++) {
		size_t n;
		double fs;
		float *x = read_uv(ref[k].rec, 0, &n, &fs);
		assert_true(fs == 4000.0);
		struct emg_summary sm;
		assert_int_equal(emg_describe(x, n, fs, NULL, &sm), 0);
		double e_rms = (sm.rms_uv - ref[k].rms_uv) / ref[k].rms_uv;
		double e_mdf = (sm.mdf_hz - ref[k].mdf_hz) / ref[k].mdf_hz;
		double e_mnf = (sm.mnf_hz - ref[k].mnf_hz) / ref[k].mnf_hz;
		print_message("%s: RMS %.1f uV (%+.2f %%, <= 2), MDF %.1f Hz (%+.2f %%, <= 5), "
			      "MNF %.1f Hz (%+.2f %%, <= 5)\n", ref[k].rec, sm.rms_uv, 100 * e_rms,
			      sm.mdf_hz, 100 * e_mdf, sm.mnf_hz, 100 * e_mnf);
		assert_true(fabs(e_rms) <= 0.02);
		assert_true(fabs(e_mdf) <= 0.05);
		assert_true(fabs(e_mnf) <= 0.05);

		/* the live path runs over the record: finite envelopes, no
		 * clipping/lead-off claims on a clean needle recording */
		static struct coll c;
		struct emg *e = new_emg(fs, 0.0, 0.0, &c);
		feed_blocks(e, x, n);
		size_t fin = 0;
		for (size_t i = 0; i < c.n; i++)
			fin += isfinite(c.r[i].rms_uv) && isfinite(c.r[i].mdf_hz);
		assert_true(fin + 25 >= c.n);
		emg_destroy(&e);
		free(x);
	}
	struct emg_summary sm;
	/* other settings: the live band and segment */
	size_t n;
	double fs;
	float *x = read_uv("emgdb/emg_healthy", 0, &n, &fs);
	struct emg_describe_opts o = { .seg = 1024, .lo_hz = 20.0, .hi_hz = 450.0 };
	assert_int_equal(emg_describe(x, n, fs, &o, &sm), 0);
	assert_true(sm.mdf_hz > 20.0 && sm.mdf_hz < 450.0 && sm.mnf_hz > 20.0 && sm.mnf_hz < 450.0);
	o.hi_hz = 10.0; /* hi below lo */
	assert_int_equal(emg_describe(x, n, fs, &o, &sm), VG_ERR_INVAL);
	free(x);
	float tiny[4] = { 1, 2, 3, 4 };
	assert_int_equal(emg_describe(tiny, 4, 4000.0, NULL, &sm), VG_ERR_INVAL);
	assert_int_equal(emg_describe(NULL, 100, 4000.0, NULL, &sm), VG_ERR_INVAL);
}

/* drivedb drive05: trapezius EMG already smoothed at 15.5 Hz. */
static void test_drivedb_presmoothed(void **state)
{
	(void)state;
	size_t n;
	double fs;
	int err = 0;
	struct wfdb_record *r = wfdb_open(vgt_data("drivedb/drive05"), &err);
	assert_non_null(r);
	int sig = wfdb_find_sig(r, "EMG");
	assert_true(sig >= 0);
	wfdb_destroy(&r);
	float *x = read_uv("drivedb/drive05", sig, &n, &fs);
	assert_true(fabs(fs - 15.5) < 1e-9);
	static struct coll c;
	struct emg_config cfg = { .fs_hz = fs, .channel = 1, .name = "trapezius" };
	memset(&c, 0, sizeof(c));
	struct emg *e = emg_new(&cfg, collect, &c, &err);
	assert_non_null(e);
	/* the first minutes are enough to check behaviour; whole record in bench */
	size_t m = n < 3000 ? n : 3000;
	feed_blocks(e, x, m);
	assert_true(c.n >= m - 2);
	size_t fin = 0;
	for (size_t i = 0; i < c.n; i++) {
		assert_true(c.r[i].quality_flags & EMG_Q_PRESMOOTHED);
		assert_true(isnan(c.r[i].mdf_hz));
		fin += isfinite(c.r[i].rms_uv) && c.r[i].rms_uv >= 0.0;
	}
	assert_int_equal(fin, c.n);
	emg_destroy(&e);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope_error_and_lag),
		cmocka_unit_test(test_mains),
		cmocka_unit_test(test_ecg_crosstalk),
		cmocka_unit_test(test_live_frequency),
		cmocka_unit_test(test_calibration_and_state),
		cmocka_unit_test(test_uncalibrated_baseline),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_no_release_in_steady_hold),
		cmocka_unit_test(test_quality_flags),
		cmocka_unit_test(test_gap_and_hostile_input),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_presmoothed_synthetic),
		cmocka_unit_test(test_emgdb_describe),
		cmocka_unit_test(test_drivedb_presmoothed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
