/*
 * test_hrv_chain_live.c - hrv_chain.h, the live wiring: the simulator's ECG
 * (sim/sim_model.h, known breathing rate) through the detector into
 * hc_beat(); hrv reported after every cleaned interval for each window,
 * resp at 1 Hz, the breathing rate steering RSA (paced 6/min: RSA in LF,
 * slow_breathing set), calm after its baseline, gaps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hrv_chain.h"
#include "qrs.h"
#include "rr.h"
#include "sim_model.h"
#include "vg_err.h"

#define NS(s) ((int64_t)llround((s) * 1e9))

struct rec {
	struct hc *hc;
	double fs;
	int beats;
	int n_hrv[HC_MAX_WINDOWS];
	int n_resp;
	int64_t last_hrv_t[HC_MAX_WINDOWS];
	int64_t last_resp_t;
	struct hrv_result last[HC_MAX_WINDOWS];
	struct resp_result last_resp;
	int ordered;
};

static void on_hrv(void *ctx, int w, int64_t t_ns, const struct hrv_result *r)
{
	struct rec *x = ctx;
	x->ordered &= t_ns > x->last_hrv_t[w];
	x->last_hrv_t[w] = t_ns;
	x->n_hrv[w]++;
	x->last[w] = *r;
}

static void on_resp(void *ctx, int64_t t_ns, const struct resp_result *r)
{
	struct rec *x = ctx;
	x->ordered &= t_ns > x->last_resp_t;
	x->last_resp_t = t_ns;
	x->n_resp++;
	x->last_resp = *r;
}

static void on_beat(void *ctx, const struct qrs_beat *b)
{
	struct rec *x = ctx;
	x->beats++;
	hc_beat(x->hc, NS(b->sample_frac / x->fs), NAN, b->amplitude_mv,
		(b->flags & QRS_BEAT_ODD_P) ? RR_BEAT_ODD_P : 0u);
}

static void run(const char *scenario, double secs, struct rec *x)
{
	struct sim_config cfg = { .seed = 3, .ecg_fs_hz = 500, .n_emg = 1,
				  .scenario = sim_scenario_find(scenario) };
	struct sim *s = sim_new(&cfg, NULL);
	assert_non_null(s);
	memset(x, 0, sizeof(*x));
	x->ordered = 1;
	x->last_resp_t = INT64_MIN;
	for (int w = 0; w < HC_MAX_WINDOWS; w++)
		x->last_hrv_t[w] = INT64_MIN;
	struct hc_output out = { .ctx = x, .hrv = on_hrv, .resp = on_resp };
	x->hc = hc_new(NULL, &out, NULL);
	assert_non_null(x->hc);
	assert_int_equal(hc_nwindows(x->hc), 2);
	x->fs = sim_ecg_fs(s);
	struct qrs *q = qrs_new(x->fs, on_beat, x, NULL);
	static float buf[500];
	for (int sec = 0; sec < (int)secs; sec++) {
		sim_ecg(s, buf, 500);
		qrs_feed(q, buf, 500);
	}
	qrs_destroy(&q);
	sim_destroy(&s);
}

static void test_paced6(void **st)
{
	(void)st;
	struct rec x;
	run("paced6", 330.0, &x);
	print_message("paced6: %d beats, hrv %d/%d, resp %d (%.2f/min, %s, conf %.2f); 300 s: "
		      "rsa %.0f ms2, lf %.0f, hf %.0f, slow %d; calm %.1f trend %.2f/min\n",
		      x.beats, x.n_hrv[0], x.n_hrv[1], x.n_resp, x.last_resp.resp_bpm,
		      resp_source_name(x.last_resp.source), x.last_resp.confidence, x.last[1].rsa_ms2,
		      x.last[1].lf_ms2, x.last[1].hf_ms2, x.last[1].slow_breathing, x.last[1].calm,
		      x.last[1].calm_trend);
	assert_true(x.ordered);
	/* one hrv per cleaned interval and window, RR_LOOKAHEAD beats behind */
	assert_true(x.n_hrv[0] >= x.beats - 1 - 3 - 2 && x.n_hrv[0] <= x.beats);
	assert_int_equal(x.n_hrv[0], x.n_hrv[1]);
	/* resp at 1 Hz once its window is filled */
	assert_true(x.n_resp > 330 - 64 - 10 && x.n_resp <= 330);
	assert_true(fabs(x.last_resp.resp_bpm - 6.0) < 0.5);
	assert_int_equal(x.last_resp.source, RESP_SRC_FUSED);
	/* the RSA is followed into LF */
	assert_int_equal(x.last[1].slow_breathing, 1);
	assert_true(fabs(x.last[1].resp_hz - 0.1) < 0.01);
	assert_true(x.last[1].rsa_ms2 > 0.5 * x.last[1].lf_ms2);
	/* calm: baseline done after 120 s, value in range, trend finite */
	assert_true(x.last[0].calm >= 0.0 && x.last[0].calm <= 100.0);
	assert_true(isfinite(x.last[0].calm_trend));
	hc_destroy(&x.hc);
	assert_null(x.hc);
}

static void test_gap_and_reset(void **st)
{
	(void)st;
	struct rec x;
	run("calm", 100.0, &x);
	int before = x.n_hrv[0];
	int64_t t = x.last_hrv_t[0];
	hc_gap(x.hc); /* pending beats decided now */
	assert_true(x.n_hrv[0] > before);
	/* after the gap: 30 s of beats at 1 s, new time base */
	for (int i = 1; i <= 30; i++)
		hc_beat(x.hc, t + NS(20.0 + i), NAN, 1.0, 0u);
	assert_true(x.last[0].n > 0);
	assert_true(isnan(x.last[0].hf_ms2)); /* < 60 s since the gap */
	hc_tick(x.hc, t + NS(200.0));
	hc_reset(x.hc);
	hc_beat(x.hc, NS(1.0), NAN, NAN, 0u);
	hc_destroy(&x.hc);
	int err = 0;
	struct hc_config bad = { .windows_s = { 5.0 } };
	assert_null(hc_new(&bad, NULL, &err));
	assert_int_equal(err, VG_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paced6),
		cmocka_unit_test(test_gap_and_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
