/*
 * test_guide_advice.c - pressure advice. Simulator (true beats through the
 * HRV engine, EMG through the EMG engine): `ease` within 5 s of the surge
 * onset at t = 60 s (tension and arousal, 60..64 s) and kept while the
 * surge lasts; never `ease` in `calm` (10 min, several seeds), where
 * `deepen-ok` appears; profiles `sensitive` and `flare` never give
 * deepen-ok. Synthetic streams: tension alone (hold/watch, but ease under
 * `flare`), HR alone, no signal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guide_sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct adv_log {
	double first_s[GUIDE_NADVICE]; /* first time of each advice, s (NAN never) */
	double time_s[GUIDE_NADVICE];  /* message count / 20 Hz */
	int last;
	char ease_reasons[512];
	char last_reasons[512];
	double ease_conf;
	int saw_watch, saw_arousal;
	double both_s;            /* first ease naming tension and arousal */
	char both_reasons[512];
	long n;
};

static void log_init(struct adv_log *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < GUIDE_NADVICE; i++)
		l->first_s[i] = NAN;
	l->last = -1;
	l->both_s = NAN;
}

static void on_guide(void *ctx, const struct guide_msg *m)
{
	struct adv_log *l = ctx;
	double t = (double)(m->t_ns - GS_ORIGIN_NS) / 1e9;
	if (m->advice >= 0 && m->advice < GUIDE_NADVICE) {
		if (isnan(l->first_s[m->advice]))
			l->first_s[m->advice] = t;
		l->time_s[m->advice] += 0.05;
		if (m->advice == GUIDE_ADV_EASE && !l->ease_reasons[0]) {
			snprintf(l->ease_reasons, sizeof(l->ease_reasons), "%s", m->reasons);
			l->ease_conf = m->confidence;
		}
	}
	snprintf(l->last_reasons, sizeof(l->last_reasons), "%s", m->reasons);
	if (m->advice == GUIDE_ADV_EASE && isnan(l->both_s) && strstr(m->reasons, "EMG") &&
	    strstr(m->reasons, "arousal")) {
		l->both_s = t;
		snprintf(l->both_reasons, sizeof(l->both_reasons), "%s", m->reasons);
	}
	if (m->advice == GUIDE_ADV_HOLD && strstr(m->reasons, "watch"))
		l->saw_watch = 1;
	if (m->advice == GUIDE_ADV_HOLD && strstr(m->reasons, "arousal"))
		l->saw_arousal = 1;
	l->last = m->advice;
	l->n++;
}

static void surge_eases_within_5s(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct adv_log l;
		log_init(&l);
		struct guide_output out = { .ctx = &l, .guide = on_guide };
		struct gsim s;
		assert_int_equal(gs_open(&s, "surge", 2, seed, &out), VG_OK);
		gs_run(&s, 59.99);
		assert_true(isnan(l.first_s[GUIDE_ADV_EASE])); /* not before the onset */
		gs_run(&s, 110.0);
		printf("surge seed %llu: ease at %.2f s (onset 60 s; conf %.2f: %s); "
		       "tension+arousal at %.2f s: %s; still %s at 110 s\n",
		       (unsigned long long)seed, l.first_s[GUIDE_ADV_EASE], l.ease_conf,
		       l.ease_reasons, l.both_s, l.both_reasons, guide_advice_name(l.last));
		assert_true(l.first_s[GUIDE_ADV_EASE] >= 60.0);
		assert_true(l.first_s[GUIDE_ADV_EASE] <= 65.0);
		assert_non_null(strstr(l.ease_reasons, "EMG trapezius-left +"));
		/* the arousal joins the reasons as the heart rate rises */
		assert_true(l.both_s <= 65.0);
		assert_non_null(strstr(l.both_reasons, "EMG trapezius-left +"));
		assert_non_null(strstr(l.both_reasons, "HR +"));
		assert_int_equal(l.last, GUIDE_ADV_EASE); /* the surge lasts */
		gs_close(&s);
	}
}

static void run_calm(const char *profile, uint64_t seed, struct adv_log *l)
{
	log_init(l);
	struct guide_output out = { .ctx = l, .guide = on_guide };
	struct gsim s;
	assert_int_equal(gs_open(&s, "calm", 2, seed, &out), VG_OK);
	assert_int_equal(guide_profile_set(s.g, profile), VG_OK);
	gs_run(&s, 600.0);
	gs_close(&s);
}

static void calm_never_eases(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct adv_log l;
		run_calm("standard", seed, &l);
		printf("calm seed %llu (10 min): ease %.0f s, hold %.0f s, deepen-ok %.0f s (first at %.0f s)\n",
		       (unsigned long long)seed, l.time_s[GUIDE_ADV_EASE],
		       l.time_s[GUIDE_ADV_HOLD], l.time_s[GUIDE_ADV_DEEPEN_OK],
		       l.first_s[GUIDE_ADV_DEEPEN_OK]);
		assert_true(isnan(l.first_s[GUIDE_ADV_EASE]));
		assert_false(isnan(l.first_s[GUIDE_ADV_DEEPEN_OK]));
		assert_true(l.time_s[GUIDE_ADV_DEEPEN_OK] > 60.0);
	}
}

static void profiles_never_deepen(void **state)
{
	(void)state;
	static const char *const prof[] = { "sensitive", "flare" };
	for (int i = 0; i < 2; i++) {
		struct adv_log l;
		run_calm(prof[i], 2, &l);
		printf("calm, profile %s: ease %.0f s, hold %.0f s, deepen-ok %.0f s; \"%s\"\n",
		       prof[i], l.time_s[GUIDE_ADV_EASE], l.time_s[GUIDE_ADV_HOLD],
		       l.time_s[GUIDE_ADV_DEEPEN_OK], l.last_reasons);
		assert_true(isnan(l.first_s[GUIDE_ADV_DEEPEN_OK]));
		assert_true(isnan(l.first_s[GUIDE_ADV_EASE]));
		assert_non_null(strstr(l.last_reasons, "light-touch"));
	}
	struct guide *g = guide_new(NULL, NULL, NULL);
	assert_non_null(g);
	assert_int_equal(guide_profile_set(g, "brave"), VG_ERR_NOTFOUND);
	assert_int_equal(guide_profile_set(g, NULL), VG_ERR_NOTFOUND);
	assert_int_equal(guide_profile_set(g, "FLARE"), VG_OK);
	guide_destroy(&g);
}

/* Synthetic stream: beats at hr(t), EMG results at 20 Hz with level uv(t)
 * on channel 0 and 15 uV on channel 1. */
struct synth {
	double hr_base, hr_step, uv_base, uv_step, step_s; /* step at step_s */
};

static void synth_run(struct guide *g, const struct synth *sy, double t_end)
{
	double tb = 0.3, te = 0.05;
	for (double t = 0.0; t < t_end; t += 0.02) {
		int64_t now = gs_ns(t);
		while (tb <= t) {
			double hr = sy->hr_base + (tb >= sy->step_s ? sy->hr_step : 0.0);
			hr += 1.5 * sin(2.0 * M_PI * 0.2 * tb); /* some RSA */
			struct pl_beat b = { .t_ns = gs_ns(tb), .rr_ms = 60000.0 / hr,
					     .hr_bpm = hr, .quality = 1 };
			guide_beat(g, &b);
			tb += 60.0 / hr;
		}
		while (te <= t) {
			for (int c = 0; c < 2; c++) {
				struct pl_emg e;
				memset(&e, 0, sizeof(e));
				e.t_ns = gs_ns(te);
				e.r.channel = c;
				snprintf(e.r.name, sizeof(e.r.name), "%s", c ? "neck" : "shoulder");
				e.r.rms_uv = c ? 15.0
					: sy->uv_base + (te >= sy->step_s ? sy->uv_step : 0.0);
				e.r.rms_uv *= 1.0 + 0.03 * sin(7.0 * te);
				guide_emg(g, &e);
			}
			te += 0.05;
		}
		guide_tick(g, now);
	}
}

static void synthetic_rules(void **state)
{
	(void)state;
	struct adv_log l;
	struct guide_output out = { .ctx = &l, .guide = on_guide };
	/* tension alone: standard holds (watch), flare eases */
	const struct synth tension = { 66, 0, 20, 25, 60 };
	static const char *const prof[] = { "standard", "flare" };
	for (int i = 0; i < 2; i++) {
		log_init(&l);
		struct guide *g = guide_new(NULL, &out, NULL);
		assert_non_null(g);
		assert_int_equal(guide_profile_set(g, prof[i]), VG_OK);
		synth_run(g, &tension, 70);
		printf("tension alone, %s: ease at %.2f s; \"%s\"\n", prof[i],
		       l.first_s[GUIDE_ADV_EASE], i ? l.ease_reasons : l.last_reasons);
		if (i == 0) {
			assert_true(isnan(l.first_s[GUIDE_ADV_EASE]));
			assert_true(l.saw_watch);
		} else {
			assert_true(l.first_s[GUIDE_ADV_EASE] >= 60.0 &&
				    l.first_s[GUIDE_ADV_EASE] <= 61.5);
			assert_non_null(strstr(l.ease_reasons, "EMG shoulder +"));
		}
		guide_destroy(&g);
	}
	/* HR alone, +14 bpm: ease */
	log_init(&l);
	struct guide *g = guide_new(NULL, &out, NULL);
	const struct synth hr = { 64, 14, 20, 0, 60 };
	synth_run(g, &hr, 70);
	printf("HR alone +14 bpm: ease at %.2f s; \"%s\"\n", l.first_s[GUIDE_ADV_EASE],
	       l.ease_reasons);
	assert_true(l.first_s[GUIDE_ADV_EASE] >= 60.0 && l.first_s[GUIDE_ADV_EASE] <= 63.0);
	guide_destroy(&g);
	/* HR +8 alone (below the alone threshold, above arousal): hold */
	log_init(&l);
	g = guide_new(NULL, &out, NULL);
	const struct synth hr8 = { 64, 8, 20, 0, 60 };
	synth_run(g, &hr8, 70);
	assert_true(isnan(l.first_s[GUIDE_ADV_EASE]));
	assert_true(l.saw_arousal);
	guide_destroy(&g);
	/* no signal: none */
	log_init(&l);
	g = guide_new(NULL, &out, NULL);
	for (int i = 0; i < 100; i++)
		guide_tick(g, gs_ns(i * 0.05));
	assert_int_equal(l.last, GUIDE_ADV_NONE);
	assert_string_equal(l.last_reasons, "no heart or EMG signal");
	/* time going back is ignored, not a crash */
	guide_tick(g, gs_ns(1.0));
	guide_destroy(&g);
	assert_string_equal(guide_advice_name(GUIDE_ADV_DEEPEN_OK), "deepen-ok");
}

/* End to end: simulated ECG through the beat detector, HRV and EMG
 * engines of the pipeline, as in the daemon. */
static void via_pipeline(void **state)
{
	(void)state;
	struct adv_log l;
	log_init(&l);
	struct guide_output out = { .ctx = &l, .guide = on_guide };
	struct gsim s;
	assert_int_equal(gs_open_pl(&s, "surge", 2, 11, &out), VG_OK);
	gs_run(&s, 59.99);
	assert_true(isnan(l.first_s[GUIDE_ADV_EASE]));
	gs_run(&s, 100.0);
	printf("pipeline surge: ease at %.2f s, tension+arousal at %.2f s (%s)\n",
	       l.first_s[GUIDE_ADV_EASE], l.both_s, l.both_reasons);
	assert_true(l.first_s[GUIDE_ADV_EASE] >= 60.0 && l.first_s[GUIDE_ADV_EASE] <= 65.0);
	assert_true(l.both_s <= 66.0);
	assert_int_equal(l.last, GUIDE_ADV_EASE);
	gs_close(&s);

	log_init(&l);
	assert_int_equal(gs_open_pl(&s, "calm", 2, 12, &out), VG_OK);
	gs_run(&s, 600.0);
	printf("pipeline calm (10 min): ease %.0f s, hold %.0f s, deepen-ok %.0f s\n",
	       l.time_s[GUIDE_ADV_EASE], l.time_s[GUIDE_ADV_HOLD],
	       l.time_s[GUIDE_ADV_DEEPEN_OK]);
	assert_true(isnan(l.first_s[GUIDE_ADV_EASE]));
	assert_true(l.time_s[GUIDE_ADV_DEEPEN_OK] > 60.0);
	gs_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(surge_eases_within_5s),
		cmocka_unit_test(calm_never_eases),
		cmocka_unit_test(profiles_never_deepen),
		cmocka_unit_test(synthetic_rules),
		cmocka_unit_test(via_pipeline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
