/*
 * test_guide_summary.c - responses to marks and the session summary
 * against the simulator's truth: the 10-minute `massage` scenario with two
 * marks, a trigger-point hold over the release at 250..253 s and the
 * resonance pacer from 300 s. Baseline and end HR and EMG against the
 * scenario's keyframes, RMSSD against the true beats, breathing against
 * the keyframes, calm rising, one release in the right region, marks with
 * the right signs, time in the pacer; JSON parses (cJSON) and falls back
 * to a compact form that fits proto_event.data; Markdown has every part.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guide_sim.h"
#include "proto.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sum_log {
	int nresp, nrel;
	struct guide_mark_response resp[4];
};

static void on_resp(void *ctx, const struct guide_mark_response *r)
{
	struct sum_log *l = ctx;
	if (l->nresp < 4)
		l->resp[l->nresp] = *r;
	l->nresp++;
}

static void on_release(void *ctx, const struct guide_release *r)
{
	(void)r;
	((struct sum_log *)ctx)->nrel++;
}

/* Truth over [t0, t1): mean of the keyframe values sampled every 10 ms. */
static void truth_mean(struct sim *s, double t0, double t1, double *hr,
		       double *resp, double emg[2])
{
	double a = 0, b = 0, e0 = 0, e1 = 0;
	long n = 0;
	for (double t = t0; t < t1; t += 0.01, n++) {
		struct sim_truth tr;
		sim_truth_at(s, t, &tr);
		a += tr.hr_bpm;
		b += tr.resp_bpm;
		e0 += tr.emg_rms_uv[0];
		e1 += tr.emg_rms_uv[1];
	}
	*hr = a / n;
	*resp = b / n;
	emg[0] = e0 / n;
	emg[1] = e1 / n;
}

/* RMSSD of the true beats in [t0, t1). */
static double truth_rmssd(struct sim *s, double t0, double t1)
{
	static struct sim_beat b[1024];
	size_t n = sim_beats(s, t0, t1, b, 1024);
	double acc = 0;
	long m = 0;
	for (size_t i = 1; i < n; i++) {
		if (b[i - 1].rr_ms <= 0)
			continue;
		double d = b[i].rr_ms - b[i - 1].rr_ms;
		acc += d * d;
		m++;
	}
	return sqrt(acc / m);
}

static void massage_session_mode(int pipeline)
{
	struct sum_log l;
	memset(&l, 0, sizeof(l));
	struct guide_output out = { .ctx = &l, .mark_response = on_resp,
				    .release = on_release };
	struct gsim s;
	if (pipeline)
		assert_int_equal(gs_open_pl(&s, "massage", 2, 5, &out), VG_OK);
	else
		assert_int_equal(gs_open(&s, "massage", 2, 5, &out), VG_OK);
	/* exact beats: RMSSD as the truth's; detected beats add R-peak jitter */
	double rmssd_tol = pipeline ? 0.10 : 0.05;
	assert_int_equal(guide_session_start(s.g, "client-42 \"test\"", gs_ns(0)), VG_OK);
	gs_run(&s, 95.0);
	assert_int_equal(guide_mark(s.g, "deep pressure", "trapezius-left", 4.0, gs_ns(95.0)), VG_OK);
	gs_run(&s, 180.0);
	assert_int_equal(guide_hold_start(s.g, "trigger_point", "trapezius-left", gs_ns(180.0)), VG_OK);
	gs_run(&s, 270.0);
	assert_int_equal(guide_hold_stop(s.g, gs_ns(270.0)), VG_OK);
	gs_run(&s, 300.0);
	assert_int_equal(guide_mark(s.g, "paced breathing", NULL, NAN, gs_ns(300.0)), VG_OK);
	struct pacer_cfg pc = { .mode = PACER_RESONANCE };
	assert_int_equal(guide_pacer_set(s.g, &pc, gs_ns(300.0)), VG_OK);
	gs_run(&s, 590.0);
	assert_int_equal(guide_mark(s.g, "late", "trapezius-right", NAN, gs_ns(590.0)), VG_OK);
	gs_run(&s, 600.0);
	static struct guide_summary sum;
	assert_int_equal(guide_session_stop(s.g, gs_ns(600.0), &sum), VG_OK);
	assert_int_equal(guide_session_stop(s.g, gs_ns(601.0), &sum), VG_ERR_STATE);

	/* responses to marks: published 30 s after (the last one at stop) */
	assert_int_equal(l.nresp, 3);
	const struct guide_mark_response *m1 = &l.resp[0], *m2 = &l.resp[1], *m3 = &l.resp[2];
	printf("mark 1: %s\n  emg %s\nmark 2: %s\nmark 3: %s\n", m1->text, m1->emg, m2->text, m3->text);
	assert_true(m1->complete && m2->complete && !m3->complete);
	assert_true(m1->t_ns == gs_ns(125.0));
	assert_true(m1->dhr_bpm > 3.0);           /* deep pressure arouses */
	assert_non_null(strstr(m1->emg, "\"region\":\"trapezius-left\""));
	assert_true(m2->dhr_bpm < -2.0);          /* paced breathing calms */
	assert_true(m1->pressure == 4.0 && isnan(m2->pressure));
	cJSON *ej = cJSON_Parse(m1->emg);
	assert_non_null(ej);
	assert_int_equal(cJSON_GetArraySize(ej), 2);
	double chg = cJSON_GetObjectItem(cJSON_GetArrayItem(ej, 0), "change_pct")->valuedouble;
	assert_true(chg > 100.0);                 /* trapezius-left tension up */
	cJSON_Delete(ej);

	/* baseline (first 120 s) and end (last 120 s) against the truth */
	struct sim *truth = s.sim;
	double hr_b, resp_b, emg_b[2], hr_e, resp_e, emg_e[2];
	truth_mean(truth, 0, 120, &hr_b, &resp_b, emg_b);
	truth_mean(truth, 480, 600, &hr_e, &resp_e, emg_e);
	double rm_b = truth_rmssd(truth, 0, 120), rm_e = truth_rmssd(truth, 480, 600);
	printf("%s: summary vs truth: HR %.2f/%.2f -> %.2f/%.2f bpm; RMSSD %.1f/%.1f -> %.1f/%.1f ms; "
	       "breathing %.1f/%.1f -> %.1f/%.1f /min; EMG0 %.1f/%.1f -> %.1f/%.1f uV; "
	       "EMG1 %.1f/%.1f -> %.1f/%.1f uV; calm %.1f -> %.1f\n",
	       pipeline ? "pipeline" : "true beats", sum.baseline.hr_bpm, hr_b, sum.end.hr_bpm, hr_e, sum.baseline.rmssd_ms, rm_b,
	       sum.end.rmssd_ms, rm_e, sum.baseline.resp_bpm, resp_b, sum.end.resp_bpm, resp_e,
	       sum.baseline.emg_uv[0], emg_b[0], sum.end.emg_uv[0], emg_e[0],
	       sum.baseline.emg_uv[1], emg_b[1], sum.end.emg_uv[1], emg_e[1],
	       sum.baseline.calm, sum.end.calm);
	assert_true(fabs(sum.baseline.hr_bpm - hr_b) < 1.0);
	assert_true(fabs(sum.end.hr_bpm - hr_e) < 1.0);
	assert_true(fabs(sum.baseline.rmssd_ms - rm_b) < rmssd_tol * rm_b);
	assert_true(fabs(sum.end.rmssd_ms - rm_e) < rmssd_tol * rm_e);
	assert_true(fabs(sum.baseline.resp_bpm - resp_b) < 1.0);
	assert_true(fabs(sum.end.resp_bpm - resp_e) < 1.0);
	for (int c = 0; c < 2; c++) {
		assert_true(fabs(sum.baseline.emg_uv[c] - emg_b[c]) < 0.10 * emg_b[c]);
		assert_true(fabs(sum.end.emg_uv[c] - emg_e[c]) < 0.10 * emg_e[c]);
	}
	assert_true(fabs(sum.baseline.calm - 50.0) < 10.0); /* relative to itself */
	assert_true(sum.end.calm > sum.baseline.calm);      /* deep calm at the end */
	assert_true(fabs(sum.duration_s - 600.0) < 1e-9);

	/* releases, holds, pacer, marks */
	assert_int_equal(l.nrel, 1);
	assert_int_equal(sum.nreleases, 1);
	double drop = (double)(sum.releases[0].drop_t_ns - sum.start_ns) / 1e9;
	assert_true(drop >= 250.0 && drop <= 256.0); /* scenario: 250..253 s */
	assert_int_equal(sum.nregions, 2);
	assert_string_equal(sum.region[0], "trapezius-left");
	assert_int_equal(sum.region_releases[0], 1);
	assert_int_equal(sum.region_releases[1], 0);
	assert_int_equal(sum.holds, 1);
	assert_int_equal(sum.holds_long, 0); /* stopped at 90 s */
	assert_true(fabs(sum.pacer_s[PACER_RESONANCE] - 300.0) < 0.1);
	assert_true(sum.pacer_s[PACER_426] == 0.0);
	assert_int_equal(sum.nmarks, 3);
	double adv = 0;
	for (int k = 0; k < GUIDE_NADVICE; k++)
		adv += sum.advice_s[k];
	assert_true(fabs(adv - 600.0) < 0.1);

	/* JSON: full and compact */
	static char js[65536];
	int n = guide_summary_json(&sum, js, sizeof(js));
	assert_true(n > 0);
	cJSON *j = cJSON_Parse(js);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "session")->valuestring, "client-42 \"test\"");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(j, "compact")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "marks")), 3);
	assert_true(fabs(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "end"), "hr_bpm")->valuedouble -
			 sum.end.hr_bpm) < 0.01);
	cJSON_Delete(j);
	struct proto_event ev;
	n = guide_summary_json(&sum, ev.data, sizeof(ev.data));
	printf("summary JSON: full %zu bytes, compact %d bytes\n", strlen(js), n);
	assert_true(n > 0);
	j = cJSON_Parse(ev.data);
	assert_non_null(j);
	cJSON_Delete(j);
	/* many marks: the full JSON no longer fits the event's data field */
	for (int i = 3; i < 40; i++)
		sum.marks[i] = sum.marks[0];
	sum.nmarks = 40;
	assert_true(guide_summary_json(&sum, js, sizeof(js)) > (int)sizeof(ev.data));
	n = guide_summary_json(&sum, ev.data, sizeof(ev.data));
	printf("40 marks: full %zu bytes, compact %d bytes\n", strlen(js), n);
	assert_true(n > 0 && n < (int)sizeof(ev.data));
	j = cJSON_Parse(ev.data);
	assert_non_null(j);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "compact")));
	assert_int_equal(cJSON_GetObjectItem(j, "nmarks")->valueint, 40);
	cJSON_Delete(j);
	char tiny[64];
	assert_int_equal(guide_summary_json(&sum, tiny, sizeof(tiny)), VG_ERR_TRUNC);

	/* Markdown */
	static char md[65536];
	n = guide_summary_markdown(&sum, md, sizeof(md));
	assert_true(n > 0);
	static const char *const parts[] = { "# Session client-42", "## Baseline vs end",
					     "| heart rate, bpm |", "## Tension per region",
					     "| trapezius-left |", "## Holds and releases",
					     "## Marks and responses", "'deep pressure'",
					     "| resonance | 300 |", "## Pressure advice" };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (!strstr(md, parts[i]))
			fail_msg("Markdown lacks %s", parts[i]);
	assert_int_equal(guide_summary_markdown(&sum, md, 100), VG_ERR_TRUNC);
	gs_close(&s);
}

static void massage_session(void **state)
{
	(void)state;
	massage_session_mode(0);
}

static void massage_session_pipeline(void **state)
{
	(void)state;
	massage_session_mode(1);
}

static void marks_without_session(void **state)
{
	(void)state;
	struct sum_log l;
	memset(&l, 0, sizeof(l));
	struct guide_output out = { .ctx = &l, .mark_response = on_resp };
	struct guide *g = guide_new(NULL, &out, NULL);
	assert_non_null(g);
	struct guide_summary *sum = malloc(sizeof(*sum));
	assert_non_null(sum);
	assert_int_equal(guide_session_stop(g, gs_ns(0), sum), VG_ERR_STATE);
	assert_int_equal(guide_mark(g, NULL, NULL, NAN, gs_ns(0)), VG_ERR_INVAL);
	/* many marks, no signal: responses with nulls, the oldest dropped */
	for (int i = 0; i < 200; i++) {
		assert_int_equal(guide_mark(g, "m", NULL, NAN, gs_ns(i)), VG_OK);
		guide_tick(g, gs_ns(i + 0.5));
	}
	for (double t = 200; t < 240; t += 0.05)
		guide_tick(g, gs_ns(t));
	assert_int_equal(l.nresp, 200);
	assert_true(isnan(l.resp[0].dhr_bpm));
	assert_string_equal(l.resp[0].emg, "[]");
	/* an empty session still gives a summary */
	assert_int_equal(guide_session_start(g, NULL, gs_ns(300)), VG_OK);
	assert_int_equal(guide_session_stop(g, gs_ns(301), sum), VG_OK);
	assert_int_equal(sum->nmarks, 0);
	static char md[65536];
	assert_true(guide_summary_markdown(sum, md, sizeof(md)) > 0);
	assert_non_null(strstr(md, "No EMG."));
	free(sum);
	guide_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(massage_session),
		cmocka_unit_test(massage_session_pipeline),
		cmocka_unit_test(marks_without_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
