/*
 * test_guide_pacer.c - the breathing pacer: pattern timing against the
 * exact schedule over 10 minutes of jittery ticks (drift < 50 ms), phase
 * messages >= 10 Hz, pattern parsing (and hostile specs), follow slowing
 * 0.5/min per minute from the measured rate, adaptive choosing the rate
 * with the largest RSA (from synthetic HRV results, and from synthetic
 * beats), and `following` (high when the simulated client breathes with
 * the pacer, low when not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guide_sim.h"
#include "pacer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define T0 GS_ORIGIN_NS

/* Expected phase and position (s into the phase) of a fixed pattern. */
static void expect_phase(const double seg[4], double el_s, int *phase,
			 double *into_s, double *phase_start_s)
{
	double cyc = seg[0] + seg[1] + seg[2] + seg[3];
	double k = floor(el_s / cyc), in = el_s - k * cyc, acc = 0.0;
	static const int ph[4] = { PACER_PH_INHALE, PACER_PH_HOLD, PACER_PH_EXHALE,
				   PACER_PH_HOLD_OUT };
	for (int i = 0; i < 4; i++) {
		if (seg[i] > 0.0 && in < acc + seg[i]) {
			*phase = ph[i];
			*into_s = in - acc;
			*phase_start_s = k * cyc + acc;
			return;
		}
		acc += seg[i];
	}
	*phase = ph[3];
	*into_s = in - acc;
	*phase_start_s = k * cyc + acc;
}

struct msgs {
	long n;
	int64_t last_ns;
	int64_t max_gap_ns;
	struct guide_msg last;
};

static void on_guide(void *ctx, const struct guide_msg *m)
{
	struct msgs *r = ctx;
	if (r->n > 0 && m->t_ns - r->last_ns > r->max_gap_ns)
		r->max_gap_ns = m->t_ns - r->last_ns;
	r->last_ns = m->t_ns;
	r->last = *m;
	r->n++;
}

/* Run a fixed pattern for 10 minutes of ticks at 10..50 ms through the
 * guide; compare every message with the exact schedule. */
static void check_fixed(const char *spec, const double seg[4], double rate)
{
	struct msgs r;
	memset(&r, 0, sizeof(r));
	struct guide_output out = { .ctx = &r, .guide = on_guide };
	int err;
	struct guide *g = guide_new(NULL, &out, &err);
	assert_non_null(g);
	struct pacer_cfg pc;
	assert_int_equal(pacer_parse(spec, &pc), VG_OK);
	int64_t start = T0 + 123456789;
	assert_int_equal(guide_pacer_set(g, &pc, start), VG_OK);
	uint64_t lcg = 12345;
	double max_err_s = 0.0;
	long mism = 0, n = 0;
	int64_t t = start;
	int last_phase = -1;
	long transitions = 0;
	while (t < start + 600LL * 1000000000LL) {
		lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
		t += 10000000 + (int64_t)((lcg >> 33) % 40000001); /* 10..50 ms */
		long before = r.n;
		guide_tick(g, t);
		if (r.n == before)
			continue;
		const struct guide_msg *m = &r.last;
		double el = (double)(t - start) / 1e9;
		int ph;
		double into, ps;
		expect_phase(seg, el, &ph, &into, &ps);
		n++;
		if (ph != m->phase) {
			/* only allowed within a rounding hair of a boundary */
			if (fabs(into) > 1e-6 && fabs(into - m->phase_s) > 1e-6)
				mism++;
			continue;
		}
		double got_into = m->progress * m->phase_s;
		double e1 = fabs(got_into - into);
		double e2 = fabs((double)(m->phase_start_ns - start) / 1e9 - ps);
		max_err_s = fmax(max_err_s, fmax(e1, e2));
		assert_true(fabs(m->rate_bpm - rate) < 1e-6);
		if (m->phase != last_phase)
			transitions++;
		last_phase = m->phase;
	}
	printf("pacer %-9s: %ld messages over 600 s, max |error| %.3f ms, max message gap %.0f ms, %ld phase changes\n",
	       spec, n, max_err_s * 1e3, (double)r.max_gap_ns / 1e6, transitions);
	assert_int_equal(mism, 0);
	assert_true(max_err_s < 0.050); /* drift < 50 ms over 10 min */
	assert_true(max_err_s < 1e-6);  /* in fact exact to the ns */
	assert_true(r.max_gap_ns <= 100000000); /* >= 10 Hz */
	int nseg = (seg[0] > 0) + (seg[1] > 0) + (seg[2] > 0) + (seg[3] > 0);
	double breaths = 600.0 / (seg[0] + seg[1] + seg[2] + seg[3]);
	assert_true(transitions >= (long)(breaths * nseg) - 1);
	guide_destroy(&g);
	assert_null(g);
}

static void pattern_426_keeps_time(void **state)
{
	(void)state;
	static const double seg[4] = { 4, 2, 6, 0 };
	check_fixed("4-2-6", seg, 5.0);
}

static void resonance_keeps_time(void **state)
{
	(void)state;
	static const double seg[4] = { 5, 0, 5, 0 };
	check_fixed("resonance", seg, 6.0);
}

static void custom_keeps_time(void **state)
{
	(void)state;
	static const double seg[4] = { 4, 7, 8, 1.5 };
	check_fixed("4-7-8-1.5", seg, 60.0 / 20.5);
}

static void parse_specs(void **state)
{
	(void)state;
	struct pacer_cfg c;
	assert_int_equal(pacer_parse("off", &c), VG_OK);
	assert_int_equal(c.mode, PACER_OFF);
	assert_int_equal(pacer_parse("follow:5.5", &c), VG_OK);
	assert_int_equal(c.mode, PACER_FOLLOW);
	assert_true(c.target_bpm == 5.5);
	assert_int_equal(pacer_parse("custom:4-2-6-2", &c), VG_OK);
	assert_int_equal(c.mode, PACER_CUSTOM);
	assert_true(c.hold_out_s == 2.0);
	assert_int_equal(pacer_parse("4,2,6", &c), VG_OK);
	assert_int_equal(c.mode, PACER_CUSTOM);
	static const char *const bad[] = { "", "fast", "4-2", "4-2-6-1-1", "4-x-6",
					   "follow:", "follow5", "4--6", "nan-1-2",
					   "custom:", "1e400-1-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(pacer_parse(bad[i], &c) < 0);
	assert_int_equal(pacer_parse("0-0-6", &c), VG_ERR_RANGE);
	assert_int_equal(pacer_parse("4-0-61", &c), VG_ERR_RANGE);
	assert_int_equal(pacer_parse("-4-0-6", &c) < 0, 1);
	assert_int_equal(pacer_parse("follow:100", &c), VG_ERR_RANGE);
	assert_true(pacer_parse(NULL, &c) < 0);
	/* a bad config leaves the pacer off */
	struct pacer p;
	struct pacer_cfg bc = { .mode = PACER_CUSTOM, .in_s = NAN, .out_s = 4 };
	assert_true(pacer_start(&p, &bc, 0, NAN) < 0);
	struct pacer_state st;
	pacer_at(&p, 1000, &st);
	assert_int_equal(st.phase, PACER_PH_OFF);
	/* a clock jump of days does not hang */
	struct pacer_cfg rc = { .mode = PACER_RESONANCE };
	assert_int_equal(pacer_start(&p, &rc, 0, NAN), VG_OK);
	pacer_at(&p, 5LL * 86400 * 1000000000LL + 2500000000LL, &st);
	assert_int_equal(st.phase, PACER_PH_INHALE);
	assert_int_equal(pacer_mode_name(PACER_426)[0], '4');
	assert_string_equal(pacer_phase_name(PACER_PH_HOLD_OUT), "hold_out");
}

/* follow: starts at the measured rate, -0.5/min each minute, stops at the target. */
static void follow_slows_toward_target(void **state)
{
	(void)state;
	struct msgs r;
	memset(&r, 0, sizeof(r));
	struct guide_output out = { .ctx = &r, .guide = on_guide };
	struct guide *g = guide_new(NULL, &out, NULL);
	assert_non_null(g);
	for (int i = 0; i < 30; i++)
		guide_resp(g, T0 + i * 1000000000LL, 11.0);
	struct pacer_cfg pc;
	assert_int_equal(pacer_parse("follow:8", &pc), VG_OK);
	int64_t start = T0 + 30LL * 1000000000LL;
	assert_int_equal(guide_pacer_set(g, &pc, start), VG_OK);
	double rate_at_min[12];
	for (int i = 0; i < 12; i++)
		rate_at_min[i] = NAN;
	int64_t prev_breath_start = start;
	for (int64_t t = start; t < start + 720LL * 1000000000LL; t += 20000000) {
		guide_tick(g, t);
		/* the rate of a breath is fixed when it starts */
		if (r.last.phase_start_ns != prev_breath_start && r.last.phase == PACER_PH_INHALE) {
			prev_breath_start = r.last.phase_start_ns;
			int m = (int)((r.last.phase_start_ns - start) / 60000000000LL);
			if (m < 12 && isnan(rate_at_min[m]))
				rate_at_min[m] = r.last.rate_bpm;
		}
	}
	rate_at_min[0] = 11.0; /* the first breath starts at `start` */
	for (int m = 0; m < 12; m++) {
		double want = fmax(8.0, 11.0 - 0.5 * m);
		printf("follow minute %2d: rate %.2f (want %.2f)\n", m, rate_at_min[m], want);
		assert_true(fabs(rate_at_min[m] - want) < 1e-6);
	}
	assert_true(fabs(r.last.rate_bpm - 8.0) < 1e-9);
	/* inhale 40 % of the breath */
	assert_true(fabs(r.last.phase_s - (r.last.phase == PACER_PH_INHALE ? 3.0 : 4.5)) < 1e-6);
	guide_destroy(&g);
}

/* adaptive, spectral path: synthetic HRV results whose RSA power peaks at
 * a chosen rate; the pacer must keep that rate after the 10-minute scan. */
static double run_adaptive_spectral(double peak_bpm)
{
	struct msgs r;
	memset(&r, 0, sizeof(r));
	struct guide_output out = { .ctx = &r, .guide = on_guide };
	struct guide *g = guide_new(NULL, &out, NULL);
	assert_non_null(g);
	struct pacer_cfg pc = { .mode = PACER_ADAPTIVE };
	int64_t start = T0;
	assert_int_equal(guide_pacer_set(g, &pc, start), VG_OK);
	int64_t next_hrv = start;
	double first_rates[5] = { 0 };
	for (int64_t t = start; t < start + 700LL * 1000000000LL; t += 25000000) {
		guide_tick(g, t);
		int step = (int)((t - start) / 120000000000LL);
		if (step < 5 && (t - start) % 120000000000LL > 30000000000LL)
			first_rates[step] = r.last.rate_bpm;
		if (t >= next_hrv) {
			struct pl_hrv h;
			memset(&h, 0, sizeof(h));
			h.t_ns = t;
			h.r.window_s = 60;
			h.r.n = 60;
			h.r.mean_nn_ms = 950;
			h.r.rmssd_ms = 40;
			h.r.sd1_ms = 28;
			h.r.lf_ms2 = NAN;
			h.r.resp_hz = NAN;
			h.r.calm = NAN;
			/* RSA power as a function of the pacer's current rate */
			double d = r.last.rate_bpm - peak_bpm;
			h.r.rsa_ms2 = 2000.0 * exp(-d * d / 0.5) + 300.0;
			guide_hrv(g, &h);
			next_hrv += 1000000000LL;
		}
	}
	for (int k = 0; k < 5; k++)
		assert_true(fabs(first_rates[k] - (6.5 - 0.5 * k)) < 1e-9);
	double kept = r.last.rate_bpm;
	guide_destroy(&g);
	return kept;
}

static void adaptive_chooses_largest_rsa_spectral(void **state)
{
	(void)state;
	static const double peaks[] = { 5.5, 4.5, 6.5 };
	for (size_t i = 0; i < 3; i++) {
		double kept = run_adaptive_spectral(peaks[i]);
		printf("adaptive (HRV RSA power peaking at %.1f/min): keeps %.1f/min\n",
		       peaks[i], kept);
		assert_true(fabs(kept - peaks[i]) < 1e-9);
	}
}

/* adaptive, beat path: synthetic beats whose RSA amplitude (peak-to-trough
 * HR per breath) depends on the pacer's rate and is locked to its phase. */
static void adaptive_chooses_largest_rsa_beats(void **state)
{
	(void)state;
	struct msgs r;
	memset(&r, 0, sizeof(r));
	struct guide_output out = { .ctx = &r, .guide = on_guide };
	struct guide *g = guide_new(NULL, &out, NULL);
	assert_non_null(g);
	struct pacer_cfg pc = { .mode = PACER_ADAPTIVE };
	int64_t start = T0;
	assert_int_equal(guide_pacer_set(g, &pc, start), VG_OK);
	guide_tick(g, start);
	const double peak = 5.0;
	double tb = 0.5; /* next beat, s */
	for (int64_t t = start; t < start + 700LL * 1000000000LL; t += 20000000) {
		while (start + (int64_t)(tb * 1e9) <= t) {
			double d = r.last.rate_bpm - peak;
			double amp_ms = 20.0 + 80.0 * exp(-d * d / 0.3);
			double rr = 900.0 + amp_ms * sin(2.0 * M_PI * r.last.breath_progress);
			struct pl_beat b = { .t_ns = start + (int64_t)(tb * 1e9), .rr_ms = rr,
					     .hr_bpm = 60000.0 / rr, .quality = 1 };
			guide_beat(g, &b);
			tb += rr / 1000.0;
		}
		guide_tick(g, t);
	}
	printf("adaptive (beats, RSA largest at %.1f/min): keeps %.1f/min, following %.2f\n",
	       peak, r.last.rate_bpm, r.last.following);
	assert_true(fabs(r.last.rate_bpm - peak) < 1e-9);
	assert_true(r.last.following > 0.8); /* HR is locked to the pacer */
	guide_destroy(&g);
}

/* following, simulator: paced6 breathes at 6/min; a resonance pacer (6/min)
 * is followed, a 4-2-6 pacer (5/min) is not. */
static double sim_following(const char *scenario, const char *spec)
{
	struct msgs r;
	memset(&r, 0, sizeof(r));
	struct guide_output out = { .ctx = &r, .guide = on_guide };
	struct gsim s;
	assert_int_equal(gs_open(&s, scenario, 1, 7, &out), VG_OK);
	struct pacer_cfg pc;
	assert_int_equal(pacer_parse(spec, &pc), VG_OK);
	assert_int_equal(guide_pacer_set(s.g, &pc, gs_ns(3.0)), VG_OK);
	double sum = 0;
	int n = 0;
	for (double t = 90; t <= 300; t += 10) {
		gs_run(&s, t);
		if (isfinite(r.last.following)) {
			sum += r.last.following;
			n++;
		}
	}
	gs_close(&s);
	assert_true(n > 10);
	return sum / n;
}

static void following_tracks_the_client(void **state)
{
	(void)state;
	double with = sim_following("paced6", "resonance");
	double against = sim_following("paced6", "4-2-6");
	double calm = sim_following("calm", "resonance");
	printf("following: paced6+resonance %.2f, paced6+4-2-6 %.2f, calm(12/min)+resonance %.2f\n",
	       with, against, calm);
	assert_true(with > 0.7);
	assert_true(against < 0.3);
	assert_true(calm < 0.3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pattern_426_keeps_time),
		cmocka_unit_test(resonance_keeps_time),
		cmocka_unit_test(custom_keeps_time),
		cmocka_unit_test(parse_specs),
		cmocka_unit_test(follow_slows_toward_target),
		cmocka_unit_test(adaptive_chooses_largest_rsa_spectral),
		cmocka_unit_test(adaptive_chooses_largest_rsa_beats),
		cmocka_unit_test(following_tracks_the_client),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
