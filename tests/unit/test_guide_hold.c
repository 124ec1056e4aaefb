/*
 * test_guide_hold.c - technique-aware holds. Simulator: `release` within
 * 3 s of the `release` scenario's drop (t = 60..61 s: the published
 * drop_t_ns within 3 s of it, the event after the 5 s confirmation);
 * never a release in `calm` or `surge`; hold.long once past the
 * technique's span; hold.stop ends the clock; regions without EMG are
 * only timed; technique spans.
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

struct hold_log {
	int nrel, nlong;
	struct guide_release rel;
	struct guide_hold_long lng;
	struct guide_msg last;
};

static void on_guide(void *ctx, const struct guide_msg *m)
{
	((struct hold_log *)ctx)->last = *m;
}

static void on_release(void *ctx, const struct guide_release *r)
{
	struct hold_log *l = ctx;
	l->nrel++;
	l->rel = *r;
}

static void on_long(void *ctx, const struct guide_hold_long *h)
{
	struct hold_log *l = ctx;
	l->nlong++;
	l->lng = *h;
}

static double rel_s(int64_t t_ns)
{
	return (double)(t_ns - GS_ORIGIN_NS) / 1e9;
}

static void run_mode(int pipeline, const char *scenario, uint64_t seed,
		     const char *technique, const char *region, double hold_at_s,
		     double end_s, struct hold_log *l)
{
	memset(l, 0, sizeof(*l));
	struct guide_output out = { .ctx = l, .guide = on_guide, .release = on_release,
				    .hold_long = on_long };
	struct gsim s;
	if (pipeline)
		assert_int_equal(gs_open_pl(&s, scenario, 2, seed, &out), VG_OK);
	else
		assert_int_equal(gs_open(&s, scenario, 2, seed, &out), VG_OK);
	gs_run(&s, hold_at_s);
	assert_int_equal(guide_hold_start(s.g, technique, region, gs_ns(hold_at_s)), VG_OK);
	gs_run(&s, end_s);
	gs_close(&s);
}

static void run(const char *scenario, uint64_t seed, const char *technique,
		const char *region, double hold_at_s, double end_s,
		struct hold_log *l)
{
	run_mode(0, scenario, seed, technique, region, hold_at_s, end_s, l);
}

/* End to end through the pipeline (EMG engine as in the daemon). */
static void via_pipeline(void **state)
{
	(void)state;
	struct hold_log l;
	run_mode(1, "release", 21, "trigger_point", "trapezius-left", 20.0, 90.0, &l);
	double drop = rel_s(l.rel.drop_t_ns);
	printf("pipeline release: drop at %.2f s, published at %.2f s\n", drop, rel_s(l.rel.t_ns));
	assert_int_equal(l.nrel, 1);
	assert_true(drop >= 60.0 && drop <= 63.0);
	run_mode(1, "calm", 22, "trigger_point", "trapezius-left", 10.0, 200.0, &l);
	assert_int_equal(l.nrel, 0);
	assert_int_equal(l.nlong, 1);
}

static void release_within_3s(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct hold_log l;
		run("release", seed, "myofascial", "trapezius-left", 20.0, 120.0, &l);
		double drop = rel_s(l.rel.drop_t_ns), conf = rel_s(l.rel.t_ns);
		printf("release seed %llu: drop at %.2f s (scenario 60..61 s), published at %.2f s; %s\n",
		       (unsigned long long)seed, drop, conf, l.rel.text);
		assert_int_equal(l.nrel, 1);
		assert_true(drop >= 60.0 && drop <= 63.0);
		assert_true(conf - drop >= GUIDE_RELEASE_S - 1e-9);
		assert_true(conf - drop <= GUIDE_RELEASE_S + 0.2);
		/* truth: tension 0.60 -> 0.20: RMS 122 -> 44 uV, -64 % */
		assert_true(fabs(l.rel.start_uv - 122.0) < 0.15 * 122.0);
		assert_true(l.rel.drop_pct > 50.0 && l.rel.drop_pct < 75.0);
		assert_int_equal(l.rel.channel, 0);
		assert_string_equal(l.rel.technique, "myofascial");
		assert_int_equal(l.nlong, 0); /* 100 s < 300 s */
	}
	/* the untouched region does not release */
	struct hold_log l;
	run("release", 1, "trigger_point", "trapezius-right", 20.0, 100.0, &l);
	assert_int_equal(l.nrel, 0);
}

static void never_without_release(void **state)
{
	(void)state;
	static const char *const sc[] = { "calm", "surge" };
	for (int i = 0; i < 2; i++)
		for (uint64_t seed = 1; seed <= 2; seed++) {
			struct hold_log l;
			run(sc[i], seed, "trigger_point", "ch0", 10.0, 300.0, &l);
			printf("%s seed %llu: %d release(s), hold.long at %.2f s (%s)\n", sc[i],
			       (unsigned long long)seed, l.nrel, rel_s(l.lng.t_ns), l.lng.text);
			assert_int_equal(l.nrel, 0);
			/* trigger point: 30..90 s, so hold.long once, just after 100 s */
			assert_int_equal(l.nlong, 1);
			assert_true(l.lng.hold_s > 90.0 && l.lng.hold_s < 90.1);
			assert_false(l.lng.released);
			assert_true(l.last.holding);
			assert_true(fabs(l.last.hold_s - 290.0) < 0.1);
			assert_true(l.last.span_min_s == 30.0 && l.last.span_max_s == 90.0);
		}
}

static void hold_stop_and_untimed_regions(void **state)
{
	(void)state;
	struct hold_log l;
	memset(&l, 0, sizeof(l));
	struct guide_output out = { .ctx = &l, .guide = on_guide, .release = on_release,
				    .hold_long = on_long };
	struct guide *g = guide_new(NULL, &out, NULL);
	assert_non_null(g);
	assert_int_equal(guide_hold_stop(g, gs_ns(0)), VG_ERR_STATE);
	assert_int_equal(guide_hold_start(g, NULL, "x", gs_ns(0)), VG_ERR_INVAL);
	assert_int_equal(guide_hold_start(g, "", "x", gs_ns(0)), VG_ERR_INVAL);
	/* a region without EMG: timed only */
	assert_int_equal(guide_hold_start(g, "deep_tissue", "calf-left", gs_ns(0)), VG_OK);
	for (double t = 0; t < 70.0; t += 0.03)
		guide_tick(g, gs_ns(t));
	assert_int_equal(l.nlong, 1);
	assert_true(l.lng.hold_s > 60.0 && l.lng.hold_s < 60.1);
	assert_string_equal(l.lng.region, "calf-left");
	assert_int_equal(l.nrel, 0);
	/* stopped holds are silent */
	assert_int_equal(guide_hold_start(g, "trigger_point", "calf-left", gs_ns(70)), VG_OK);
	for (double t = 70.0; t < 100.0; t += 0.03)
		guide_tick(g, gs_ns(t));
	assert_int_equal(guide_hold_stop(g, gs_ns(100)), VG_OK);
	for (double t = 100.0; t < 300.0; t += 0.03)
		guide_tick(g, gs_ns(t));
	assert_int_equal(l.nlong, 1);
	assert_false(l.last.holding);
	assert_true(isnan(l.last.hold_s));
	guide_destroy(&g);

	double lo, hi;
	assert_int_equal(guide_technique_span("trigger_point", &lo, &hi), 1);
	assert_true(lo == 30.0 && hi == 90.0);
	assert_int_equal(guide_technique_span("Myofascial", &lo, &hi), 1);
	assert_true(lo >= 60.0 && hi >= 180.0); /* "several minutes" */
	assert_int_equal(guide_technique_span("cupping", &lo, &hi), 0);
	assert_true(lo > 0.0 && hi > lo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(release_within_3s),
		cmocka_unit_test(never_without_release),
		cmocka_unit_test(hold_stop_and_untimed_regions),
		cmocka_unit_test(via_pipeline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
