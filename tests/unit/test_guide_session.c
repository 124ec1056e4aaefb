/*
 * test_guide_session.c - the session summary's spans, captured baseline,
 * metadata and calibrations, and the rest-calibration check (issue 14,
 * findings 6 and 9), on the simulator's exact beats and EMG.
 *
 * Problem: the summary used "first 120 s" / "last 120 s" whatever the
 * session's length (a 75 s session: every change 0 %), ignored a baseline
 * captured on request, printed a pacer row "(none) | 0" and had no date,
 * technique, profile, notes or calibrations; a rest calibration on a
 * tense muscle was accepted.
 * Approach: drive the guide through scenarios (guide_sim.h) and compare
 * the summary's spans and figures with the simulator's truth: a 75 s
 * session (15 s spans), a 400 s session (80 s spans: the baseline span is
 * older than the guide's 256 s history at the end, so it must have been
 * kept), a captured baseline, and guide_rest_check() on a relaxed and a
 * tense muscle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guide_sim.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void truth(struct sim *s, double t0, double t1, double *hr, double emg[2])
{
	double a = 0, e0 = 0, e1 = 0;
	long n = 0;
	for (double t = t0; t < t1; t += 0.01, n++) {
		struct sim_truth tr;
		sim_truth_at(s, t, &tr);
		a += tr.hr_bpm;
		e0 += tr.emg_rms_uv[0];
		e1 += tr.emg_rms_uv[1];
	}
	*hr = a / n;
	emg[0] = e0 / n;
	emg[1] = e1 / n;
}

static struct guide_summary sum;
static char md[65536], js[65536];

/* 75 s of "release": spans are 15 s (20 %, at least 15), no pacer row. */
static void short_session_spans(void **state)
{
	(void)state;
	struct gsim s;
	assert_int_equal(gs_open(&s, "release", 2, 3, NULL), VG_OK);
	assert_int_equal(guide_session_start(s.g, "short", gs_ns(0)), VG_OK);
	gs_run(&s, 75.0);
	assert_int_equal(guide_session_stop(s.g, gs_ns(75.0), &sum), VG_OK);
	double hr, emg[2];
	truth(s.sim, 0, 15, &hr, emg);
	printf("75 s: span %.1f s; baseline EMG0 %.1f uV (truth %.1f), end EMG0 %.1f\n",
	       sum.span_s, sum.baseline.emg_uv[0], emg[0], sum.end.emg_uv[0]);
	assert_true(fabs(sum.span_s - 15.0) < 1e-9);
	assert_int_equal(sum.baseline_captured, 0);
	assert_true(fabs(sum.baseline.emg_uv[0] - emg[0]) < 0.10 * emg[0]);
	truth(s.sim, 60, 75, &hr, emg);
	assert_true(fabs(sum.end.emg_uv[0] - emg[0]) < 0.10 * emg[0]);
	assert_true(sum.end.emg_uv[0] < 0.6 * sum.baseline.emg_uv[0]); /* the release shows */
	snprintf(sum.client, sizeof(sum.client), "Ann | Example");
	snprintf(sum.date, sizeof(sum.date), "2026-12-05 07:00:00 UTC");
	sum.simulated = 1;
	assert_true(guide_summary_markdown(&sum, md, sizeof(md)) > 0);
	static const char *const want[] = { "Baseline = first 15 s", "end = last 15 s",
					    "The pacer was not used.", "SIMULATED DATA",
					    "| client | Ann   Example |", "| profile | standard |",
					    "| technique | - |", "## EMG calibrations" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(md, want[i]))
			fail_msg("Markdown lacks '%s':\n%s", want[i], md);
	assert_null(strstr(md, "(none) | 0"));
	gs_close(&s);
}

/* 400 s of "massage": spans 80 s; at the end the first 80 s are older
 * than the 256 s history, so the baseline must have been kept. */
static void long_session_spans(void **state)
{
	(void)state;
	struct gsim s;
	assert_int_equal(gs_open(&s, "massage", 2, 3, NULL), VG_OK);
	assert_int_equal(guide_session_start(s.g, "long", gs_ns(0)), VG_OK);
	gs_run(&s, 400.0);
	assert_int_equal(guide_session_stop(s.g, gs_ns(400.0), &sum), VG_OK);
	double hr, emg[2];
	truth(s.sim, 0, 80, &hr, emg);
	printf("400 s: span %.1f s; baseline HR %.2f (truth %.2f), EMG0 %.1f (truth %.1f)\n",
	       sum.span_s, sum.baseline.hr_bpm, hr, sum.baseline.emg_uv[0], emg[0]);
	assert_true(fabs(sum.span_s - 80.0) < 1e-9);
	assert_true(fabs(sum.baseline.hr_bpm - hr) < 1.0);
	assert_true(fabs(sum.baseline.emg_uv[0] - emg[0]) < 0.10 * emg[0]);
	truth(s.sim, 320, 400, &hr, emg);
	assert_true(fabs(sum.end.hr_bpm - hr) < 1.0);
	gs_close(&s);
}

/* A baseline captured at 30..60 s is the summary's baseline; calibrations
 * and the profile history are in it. */
static void captured_baseline_and_calibrations(void **state)
{
	(void)state;
	struct gsim s;
	assert_int_equal(gs_open(&s, "surge", 2, 3, NULL), VG_OK);
	assert_int_equal(guide_session_start(s.g, "cap", gs_ns(0)), VG_OK);
	gs_run(&s, 30.0);
	guide_baseline_capture(s.g, gs_ns(30.0), gs_ns(60.0));
	struct guide_span b;
	assert_int_equal(guide_baseline_result(s.g, &b), 0); /* not yet */
	gs_run(&s, 63.0);
	assert_int_equal(guide_baseline_result(s.g, &b), 1);
	assert_int_equal(guide_baseline_result(s.g, &b), 0); /* once */
	struct guide_cal c = { .t_ns = gs_ns(63.0), .channel = 0, .region = "trapezius-left",
			       .kind = "rest", .level_uv = 20.5, .accepted = 1 };
	guide_calibration(s.g, &c);
	assert_int_equal(guide_profile_set(s.g, "flare"), VG_OK);
	gs_run(&s, 100.0);
	assert_int_equal(guide_session_stop(s.g, gs_ns(100.0), &sum), VG_OK);
	double hr, emg[2];
	truth(s.sim, 30, 60, &hr, emg);
	printf("captured 30-60 s: HR %.2f (truth %.2f), EMG0 %.1f (truth %.1f); profile '%s'\n",
	       sum.baseline.hr_bpm, hr, sum.baseline.emg_uv[0], emg[0], sum.profile);
	assert_int_equal(sum.baseline_captured, 1);
	assert_true(fabs(sum.baseline_s - 30.0) < 1e-9);
	assert_true(fabs(sum.baseline.hr_bpm - hr) < 1.0);
	assert_true(fabs(b.hr_bpm - sum.baseline.hr_bpm) < 1e-9);
	assert_true(fabs(sum.baseline.emg_uv[0] - emg[0]) < 0.10 * emg[0]);
	assert_int_equal(sum.ncal, 1);
	assert_string_equal(sum.profile, "standard, flare at 63 s");
	assert_true(guide_summary_json(&sum, js, sizeof(js)) > 0);
	cJSON *j = cJSON_Parse(js);
	assert_non_null(j);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "baseline_captured")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "calibrations")), 1);
	cJSON_Delete(j);
	assert_true(guide_summary_markdown(&sum, md, sizeof(md)) > 0);
	assert_non_null(strstr(md, "Baseline = the baseline captured at 30 s (30 s long)"));
	assert_non_null(strstr(md, "- at 63 s: rest on trapezius-left, 20.5 uV, accepted"));
	gs_close(&s);
}

/* surge: trapezius-left relaxed until 60 s, tense (0.70) from 64 s. */
static void rest_check(void **state)
{
	(void)state;
	struct gsim s;
	assert_int_equal(gs_open(&s, "surge", 2, 3, NULL), VG_OK);
	gs_run(&s, 50.0);
	char why[192];
	assert_int_equal(guide_rest_check(s.g, 0, NAN, NAN, gs_ns(50.0), why, sizeof(why)), 0);
	gs_run(&s, 90.0);
	assert_int_equal(guide_rest_check(s.g, 0, NAN, NAN, gs_ns(90.0), why, sizeof(why)), 1);
	printf("tense: %s\n", why);
	assert_non_null(strstr(why, "trapezius-left is tense"));
	/* the right one stays at 0.40 -> its rise is a rise too */
	assert_int_equal(guide_rest_check(s.g, 1, NAN, NAN, gs_ns(90.0), why, sizeof(why)), 1);
	/* against a reference contraction */
	assert_int_equal(guide_rest_check(s.g, 0, 60.0, 100.0, gs_ns(90.0), why, sizeof(why)), 1);
	assert_non_null(strstr(why, "60 % of its reference"));
	/* an unknown channel: no grounds to refuse */
	assert_int_equal(guide_rest_check(s.g, 5, NAN, NAN, gs_ns(90.0), why, sizeof(why)), 0);
	gs_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_session_spans),
		cmocka_unit_test(long_session_spans),
		cmocka_unit_test(captured_baseline_and_calibrations),
		cmocka_unit_test(rest_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
