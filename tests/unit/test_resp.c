/*
 * test_resp.c - breathing rate from RSA and EDR: synthetic beats whose
 * breathing rate is known (RR = mean + RSA at the breathing phase + a
 * 0.1 Hz Mayer wave + noise; R amplitude modulated by breathing) at 5-20
 * breaths/min; the simulator's ECG (sim/sim_model.h) through the
 * detector, RR cleaning and resp; and drivedb drive05 (PhysioNet, Healey &
 * Picard 2005) against its chest belt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "../support/vgtest.h"
#include "hrv.h"
#include "qrs.h"
#include "resp.h"
#include "sim_model.h"
#include "spectrum.h"
#include "vg_err.h"
#include "nn_detect.h"
#include "wfdb.h"

#include <stdlib.h>

#define NS(s) ((int64_t)llround((s) * 1e9))

static uint64_t rng;
static double gauss(void)
{
	double u = 0;
	for (int i = 0; i < 12; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		u += (double)(rng >> 11) / 9007199254740992.0;
	}
	return u - 6.0;
}

struct scen {
	double hr_bpm, resp_bpm, rsa_ms, lf_ms, noise_ms;
	int with_edr;
};

/* Mean absolute error of resp_bpm over 1 Hz updates of 4 minutes. */
static double run(const struct scen *s, double *conf_mean, enum resp_source *src)
{
	struct resp *r = resp_new(RESP_DEFAULT_WINDOW_S, NULL);
	assert_non_null(r);
	rng = 99;
	double t = 0.0, next_out = 70.0, err = 0, conf = 0;
	int n = 0;
	double fb = s->resp_bpm / 60.0;
	while (t < 300.0) {
		double rr = 60000.0 / s->hr_bpm + s->rsa_ms * sin(2 * M_PI * fb * t) +
			    s->lf_ms * sin(2 * M_PI * 0.1 * t + 1.0) + s->noise_ms * gauss();
		t += rr / 1000.0;
		double amp = s->with_edr ? 1.0 + 0.08 * sin(2 * M_PI * fb * t + 0.5) + 0.01 * gauss()
					 : NAN;
		resp_push_beat(r, NS(t), rr, amp);
		if (t >= next_out) {
			struct resp_result o;
			assert_int_equal(resp_compute(r, &o), 0);
			err += fabs(o.resp_bpm - s->resp_bpm);
			conf += o.confidence;
			*src = o.source;
			n++;
			next_out += 1.0;
		}
	}
	resp_destroy(&r);
	assert_null(r);
	*conf_mean = conf / n;
	return err / n;
}

static void check(const struct scen *s, double max_mae)
{
	double conf;
	enum resp_source src;
	double mae = run(s, &conf, &src);
	print_message("resp %4.1f/min hr %3.0f rsa %2.0f lf %2.0f edr %d: MAE %.3f /min, "
		      "confidence %.2f, source %s\n",
		      s->resp_bpm, s->hr_bpm, s->rsa_ms, s->lf_ms, s->with_edr, mae, conf,
		      resp_source_name(src));
	assert_true(mae <= max_mae);
	assert_int_equal(src, s->with_edr ? RESP_SRC_FUSED : RESP_SRC_RSA);
}

static void test_rsa_normal_rates(void **st)
{
	(void)st;
	const double rates[] = { 9, 12, 15, 20 };
	for (int i = 0; i < 4; i++) {
		struct scen s = { 65, rates[i], 30, 0, 5, 0 };
		check(&s, 0.5);
	}
}

/* Slow paced breathing with a Mayer wave at 0.1 Hz: fused with EDR. */
static void test_fused_slow(void **st)
{
	(void)st;
	const double rates[] = { 5, 5.5, 6, 7, 12 };
	for (int i = 0; i < 5; i++) {
		struct scen s = { 62, rates[i], 60, 20, 5, 1 };
		check(&s, 0.5);
	}
}

/* EDR alone (no clean NN, e.g. in AF or ectopy) */
static void test_edr_only(void **st)
{
	(void)st;
	struct resp *r = resp_new(64.0, NULL);
	double t = 0;
	rng = 5;
	while (t < 100.0) {
		t += 0.9;
		resp_push_beat(r, NS(t), NAN, 1.0 + 0.1 * sin(2 * M_PI * 0.25 * t) + 0.01 * gauss());
	}
	struct resp_result o;
	assert_int_equal(resp_compute(r, &o), 0);
	assert_int_equal(o.source, RESP_SRC_EDR);
	assert_true(fabs(o.resp_bpm - 15.0) < 0.5);
	assert_true(o.confidence > 0.5);
	assert_true(isnan(o.rsa_bpm));
	resp_destroy(&r);
}

/* Too little data or a gap: VG_ERR_AGAIN, never a number. */
static void test_not_enough(void **st)
{
	(void)st;
	int err = 0;
	assert_null(resp_new(10.0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	struct resp *r = resp_new(64.0, NULL);
	struct resp_result o;
	assert_int_equal(resp_compute(r, &o), VG_ERR_AGAIN);
	double t = 0;
	for (int i = 0; i < 40; i++) {
		t += 0.8;
		resp_push_beat(r, NS(t), 800, NAN);
	}
	assert_int_equal(resp_compute(r, &o), VG_ERR_AGAIN); /* 32 s < 80 % of 64 s */
	assert_true(isnan(o.resp_bpm));
	for (int i = 0; i < 60; i++) {
		t += 0.8;
		resp_push_beat(r, NS(t), 800 + 30 * sin(t * 1.3), NAN);
	}
	assert_int_equal(resp_compute(r, &o), 0);
	resp_gap(r);
	assert_int_equal(resp_compute(r, &o), VG_ERR_AGAIN);
	resp_destroy(&r);
}

/* hrv follows the measured breathing rate into LF. */
static void test_hrv_follows_resp(void **st)
{
	(void)st;
	struct hrv *h = hrv_new(300.0, NULL);
	struct resp *r = resp_new(64.0, NULL);
	rng = 7;
	double t = 0;
	while (t < 310.0) {
		double rr = 1000.0 + 50.0 * sin(2 * M_PI * (5.5 / 60.0) * t) + 3 * gauss();
		t += rr / 1000.0;
		hrv_push(h, NS(t), rr, 0);
		resp_push_beat(r, NS(t), rr, 1.0 + 0.05 * sin(2 * M_PI * (5.5 / 60.0) * t));
	}
	struct resp_result o;
	assert_int_equal(resp_compute(r, &o), 0);
	hrv_set_resp_hz(h, o.resp_hz);
	struct hrv_result hr;
	assert_int_equal(hrv_compute(h, &hr), 0);
	assert_int_equal(hr.slow_breathing, 1);
	/* 50 ms sine: 1250 ms^2 of RSA, nearly all in LF, none in HF */
	assert_true(fabs(hr.rsa_ms2 - 1250.0) / 1250.0 < 0.1);
	assert_true(hr.hf_ms2 < 50.0);
	hrv_destroy(&h);
	resp_destroy(&r);
}

/* Simulator ECG -> detector -> resp (RR and R amplitude), against the
 * scenario's breathing rate at the middle of the window. */
struct simctx {
	struct resp *r;
	double fs, prev_t;
	int have_prev;
};

static void sim_on_beat(void *arg, const struct qrs_beat *b)
{
	struct simctx *x = arg;
	double t = b->sample_frac / x->fs;
	double nn = NAN;
	if (x->have_prev) /* the simulator has no ectopy: RR = NN */
		nn = (t - x->prev_t) * 1000.0;
	resp_push_beat(x->r, NS(t), nn, b->amplitude_mv);
	x->prev_t = t;
	x->have_prev = 1;
}

static void sim_scenario(const char *name, double *mae_out)
{
	struct sim_config cfg = { .seed = 11, .ecg_fs_hz = 500, .n_emg = 1,
				  .scenario = sim_scenario_find(name) };
	assert_non_null(cfg.scenario);
	struct sim *s = sim_new(&cfg, NULL);
	assert_non_null(s);
	struct simctx x = { .r = resp_new(RESP_DEFAULT_WINDOW_S, NULL), .fs = sim_ecg_fs(s) };
	struct qrs *q = qrs_new(x.fs, sim_on_beat, &x, NULL);
	assert_non_null(q);
	static float buf[500];
	double err = 0;
	int n = 0;
	for (int sec = 0; sec < 300; sec++) {
		sim_ecg(s, buf, 500);
		qrs_feed(q, buf, 500);
		if (sec < 75)
			continue;
		struct resp_result o;
		if (resp_compute(x.r, &o))
			continue;
		struct sim_truth tr;
		sim_truth_at(s, sec + 1.0 - RESP_DEFAULT_WINDOW_S / 2, &tr);
		err += fabs(o.resp_bpm - tr.resp_bpm);
		n++;
	}
	assert_true(n > 200);
	*mae_out = err / n;
	qrs_destroy(&q);
	resp_destroy(&x.r);
	sim_destroy(&s);
}

static void test_simulator(void **st)
{
	(void)st;
	const char *sc[] = { "calm", "paced6", "paced5" };
	for (int i = 0; i < 3; i++) {
		double mae;
		sim_scenario(sc[i], &mae);
		print_message("simulator '%s': resp MAE %.3f breaths/min\n", sc[i], mae);
		assert_true(mae <= 0.5);
	}
}

/* drive05: clean-belt 60 s windows, MAE <= 1.5 breaths/min. */
static double belt_bpm(struct wfdb_record *r, int sig, double t0, struct spec *sp, double *conf)
{
	static float buf[4096];
	static double x[4096], psd[2049];
	double fs = wfdb_sig_fs(r, sig);
	size_t n = (size_t)(60.0 * fs);
	assert_int_equal(wfdb_read_phys(r, sig, (int64_t)(t0 * fs), n, buf), 0);
	for (size_t i = 0; i < n; i++)
		x[i] = buf[i];
	assert_true(spec_welch(sp, x, n, fs, n, SPEC_DETREND_LINEAR, psd) >= 1);
	double df = fs / (double)spec_nfft(sp);
	size_t k0 = (size_t)ceil(RESP_MIN_BPM / 60.0 / df), k1 = (size_t)(RESP_MAX_BPM / 60.0 / df);
	size_t best = k0;
	double tot = 0, near = 0;
	for (size_t k = k0; k <= k1; k++) {
		tot += psd[k];
		if (psd[k] > psd[best])
			best = k;
	}
	for (size_t k = k0; k <= k1; k++)
		if (fabs((double)k - (double)best) * df <= RESP_PEAK_HALF_HZ)
			near += psd[k];
	*conf = near / tot;
	return 60.0 * (double)best * df;
}

static void test_drivedb_belt(void **st)
{
	(void)st;
	const char *rec = vgt_data("drivedb/drive05");
	struct wfdb_record *r = wfdb_open(rec, NULL);
	assert_non_null(r);
	int ecg = wfdb_find_sig(r, "ECG"), belt = wfdb_find_sig(r, "RESP");
	assert_true(ecg >= 0 && belt >= 0);
	struct nn_detect_result d;
	assert_int_equal(nn_detect_record(rec, ecg, 0.0, 0.0, &d), 0);
	struct spec *sp = spec_new(4096, 4096, NULL);
	struct resp *rs = resp_new(60.0, NULL);
	size_t bi = 0, ni = 0;
	double err = 0;
	int n = 0, n_null = 0;
	double dur = (double)wfdb_nframes(r) / wfdb_fs(r);
	for (double t = 60.0; t <= dur; t += 10.0) {
		for (; bi < d.n_beats && d.beats[bi].t_s < t; bi++) {
			double tb = d.beats[bi].t_s, nn = NAN;
			while (ni < d.n_nn && d.nn[ni].t_s < tb - 0.001)
				ni++;
			if (ni < d.n_nn && fabs(d.nn[ni].t_s - tb) < 0.001 &&
			    !(d.nn[ni].flags & HRV_NN_CORRECTED))
				nn = d.nn[ni].nn_ms;
			const struct nn_detect_beat *db = &d.beats[bi];
			struct resp_beat rb = { nn, db->amp_mv, db->rs_mv, db->area, db->base_mv };
			resp_push(rs, NS(tb), &rb);
		}
		struct resp_result o;
		double conf;
		if (resp_compute(rs, &o))
			continue;
		double bpm = belt_bpm(r, belt, t - 60.0, sp, &conf);
		if (conf < 0.5) /* belt not clean */
			continue;
		if (isnan(o.resp_bpm)) { /* null, with its reason */
			assert_int_not_equal(o.reason, RESP_REASON_NONE);
			n_null++;
			continue;
		}
		err += fabs(o.resp_bpm - bpm);
		n++;
	}
	print_message("drive05: %d clean-belt windows, %d null, MAE %.2f breaths/min\n", n + n_null,
		      n_null, err / n);
	assert_true(n > 100);
	assert_true(n_null <= (n + n_null) / 10);
	assert_true(err / n <= 1.5);
	resp_destroy(&rs);
	spec_destroy(&sp);
	nn_detect_free(&d);
	wfdb_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa_normal_rates),
		cmocka_unit_test(test_fused_slow),
		cmocka_unit_test(test_edr_only),
		cmocka_unit_test(test_not_enough),
		cmocka_unit_test(test_hrv_follows_resp),
		cmocka_unit_test(test_simulator),
		cmocka_unit_test(test_drivedb_belt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
