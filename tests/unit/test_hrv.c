/*
 * test_hrv.c - HRV engine against known truth: the ANSI/AAMI EC57 test
 * patterns, the independent nsr2db reference (data README definitions),
 * hand-computable series, band availability and gaps.
 * Data: PhysioNet nsr2db (Normal Sinus Rhythm RR Interval Database) and the
 * EC57 HRV patterns in $VG_DATA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hrv.h"
#include "vg_err.h"
#include "../support/vgtest.h"
#include "wfdb_ann.h"

#define NS(s) ((int64_t)llround((s) * 1e9))

/* Whole EC57 pattern through one hrv window. */
static void ec57(const char *name, struct hrv_result *r)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "ec57/HRV256_%s.txt", name);
	FILE *f = fopen(vgt_data(rel), "r");
	assert_non_null(f);
	struct hrv *h = hrv_new(90000.0, NULL);
	assert_non_null(h);
	double t, rr;
	double t_first = NAN, t_last = 0;
	while (fscanf(f, "%lf,%lf", &t, &rr) == 2) {
		if (isnan(t_first))
			t_first = t;
		t_last = t;
		hrv_push(h, NS(t), rr * 1000.0, 0);
	}
	fclose(f);
	assert_true(t_last - t_first > 3600.0);
	assert_int_equal(hrv_compute(h, r), 0);
	hrv_destroy(&h);
	assert_null(h);
}

static void rel_within(double got, double want, double pct)
{
	double e = fabs(got - want) / want * 100.0;
	if (!(e <= pct))
		fail_msg("got %.3f want %.3f (%.2f %% > %.2f %%)", got, want, e, pct);
}

static void test_ec57_tp2_hf(void **st)
{
	(void)st;
	struct hrv_result r;
	ec57("TP2", &r);
	rel_within(r.hf_ms2, 612.5, 2.0);
	assert_true(r.lf_ms2 < 0.01 * 612.5);
}

static void test_ec57_tp3_lf(void **st)
{
	(void)st;
	struct hrv_result r;
	ec57("TP3", &r);
	rel_within(r.lf_ms2, 2450.0, 2.0);
	assert_true(r.hf_ms2 < 0.01 * 2450.0);
}

static void test_ec57_tp4_vlf(void **st)
{
	(void)st;
	struct hrv_result r;
	ec57("TP4", &r);
	rel_within(r.vlf_ms2, 39200.0, 2.0);
}

static void test_ec57_tp5_none(void **st)
{
	(void)st;
	struct hrv_result r;
	ec57("TP5", &r);
	assert_true(r.vlf_ms2 < 5.0);
	assert_true(r.lf_ms2 < 5.0);
	assert_true(r.hf_ms2 < 5.0);
}

/* Hand-computable time domain. */
static void test_time_domain_known(void **st)
{
	(void)st;
	const double nn[] = { 800, 860, 790, 900, 810, 805 };
	const size_t n = sizeof(nn) / sizeof(nn[0]);
	struct hrv *h = hrv_new(60.0, NULL);
	double t = 0.0;
	for (size_t i = 0; i < n; i++) {
		t += nn[i] / 1000.0;
		hrv_push(h, NS(t), nn[i], 0);
	}
	struct hrv_result r;
	assert_int_equal(hrv_compute(h, &r), 0);
	double mean = 0, ss = 0, d2 = 0, dm = 0, dv = 0;
	int n50 = 0;
	for (size_t i = 0; i < n; i++)
		mean += nn[i] / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (nn[i] - mean) * (nn[i] - mean);
	for (size_t i = 1; i < n; i++) {
		double d = nn[i] - nn[i - 1];
		d2 += d * d;
		dm += d / (double)(n - 1);
		n50 += fabs(d) > 50.0;
	}
	for (size_t i = 1; i < n; i++)
		dv += (nn[i] - nn[i - 1] - dm) * (nn[i] - nn[i - 1] - dm);
	double sdnn = sqrt(ss / (double)(n - 1));
	double sd1 = sqrt(0.5 * dv / (double)(n - 2));
	assert_int_equal(r.n, (int)n);
	assert_float_equal(r.mean_nn_ms, mean, 1e-9);
	assert_float_equal(r.sdnn_ms, sdnn, 1e-9);
	assert_float_equal(r.rmssd_ms, sqrt(d2 / (double)(n - 1)), 1e-9);
	assert_float_equal(r.pnn50, 100.0 * n50 / (double)(n - 1), 1e-9);
	assert_float_equal(r.sd1_ms, sd1, 1e-9);
	assert_float_equal(r.sd2_ms, sqrt(2 * sdnn * sdnn - sd1 * sd1), 1e-9);
	assert_float_equal(r.hr_bpm, 60000.0 / mean, 1e-9);
	/* too short for any band: NAN, never a number */
	assert_true(isnan(r.hf_ms2) && isnan(r.lf_ms2) && isnan(r.vlf_ms2));
	assert_true(isnan(r.lf_hf) && isnan(r.lf_nu));
	hrv_destroy(&h);
}

/* A break in the beat chain (non-normal beat removed) is no difference. */
static void test_differences_need_shared_beat(void **st)
{
	(void)st;
	struct hrv *h = hrv_new(60.0, NULL);
	hrv_push(h, NS(1.0), 800, 0);
	hrv_push(h, NS(1.8), 800, 0);
	/* a V beat at 2.3, then N at 3.4: NN 3.4 -> 4.2 does not share a beat */
	hrv_push(h, NS(4.2), 800, 0);
	hrv_push(h, NS(5.1), 900, 0);
	struct hrv_result r;
	assert_int_equal(hrv_compute(h, &r), 0);
	assert_int_equal(r.n_diff, 2);
	assert_float_equal(r.rmssd_ms, sqrt((0.0 + 100.0 * 100.0) / 2.0), 1e-9);
	hrv_destroy(&h);
}

static void sine_series(struct hrv *h, double dur_s, double f_hz, double amp_ms,
			double t0)
{
	double t = t0;
	while (t < t0 + dur_s) {
		double nn = 900.0 + amp_ms * sin(2 * M_PI * f_hz * t);
		t += nn / 1000.0;
		hrv_push(h, NS(t), nn, 0);
	}
}

/* HF needs 60 s, LF 120 s; VLF 300 s. */
static void test_band_availability(void **st)
{
	(void)st;
	struct hrv_result r;
	struct hrv *h = hrv_new(50.0, NULL);
	sine_series(h, 100.0, 0.25, 30.0, 0.0);
	assert_int_equal(hrv_compute(h, &r), 0);
	assert_true(isnan(r.hf_ms2) && isnan(r.lf_ms2));
	hrv_destroy(&h);

	h = hrv_new(90.0, NULL);
	sine_series(h, 200.0, 0.25, 30.0, 0.0);
	assert_int_equal(hrv_compute(h, &r), 0);
	assert_true(isfinite(r.hf_ms2) && isnan(r.lf_ms2) && isnan(r.lf_hf));
	/* a 30 ms sine carries 450 ms^2 */
	rel_within(r.hf_ms2, 450.0, 5.0);
	assert_true(fabs(r.hf_peak_hz - 0.25) < 0.01);
	hrv_destroy(&h);

	h = hrv_new(300.0, NULL);
	sine_series(h, 400.0, 0.25, 30.0, 0.0);
	assert_int_equal(hrv_compute(h, &r), 0);
	assert_true(isfinite(r.hf_ms2) && isfinite(r.lf_ms2) && isfinite(r.vlf_ms2));
	rel_within(r.hf_nu + r.lf_nu, 100.0, 1e-6);
	assert_int_equal(r.slow_breathing, 0);
	hrv_destroy(&h);
}

/* The spectrum never spans a gap: after one, it restarts. */
static void test_gap_not_interpolated(void **st)
{
	(void)st;
	struct hrv *h = hrv_new(300.0, NULL);
	sine_series(h, 200.0, 0.25, 30.0, 0.0);
	/* device lost 40 s, then 70 s of data after the gap */
	double t = 240.0, nn = 900.0;
	hrv_push(h, NS(t), nn, HRV_NN_AFTER_GAP);
	sine_series(h, 70.0, 0.25, 30.0, t);
	struct hrv_result r;
	assert_int_equal(hrv_compute(h, &r), 0);
	assert_true(r.spectrum_s < 80.0);
	assert_true(isfinite(r.hf_ms2));
	assert_true(isnan(r.lf_ms2)); /* only 70 s continuous */
	hrv_destroy(&h);
}

/* Slow breathing: the RSA follows the breathing frequency into LF. */
static void test_slow_breathing_rsa(void **st)
{
	(void)st;
	struct hrv *h = hrv_new(300.0, NULL);
	sine_series(h, 320.0, 0.1, 60.0, 0.0); /* 6 breaths/min, 60 ms RSA */
	struct hrv_result r;
	hrv_set_resp_hz(h, 0.1);
	assert_int_equal(hrv_compute(h, &r), 0);
	assert_int_equal(r.slow_breathing, 1);
	rel_within(r.rsa_ms2, 1800.0, 5.0);
	assert_true(r.hf_ms2 < 0.02 * r.rsa_ms2);
	/* without the external rate, the dominant peak is found in LF */
	hrv_set_resp_hz(h, NAN);
	assert_int_equal(hrv_compute(h, &r), 0);
	assert_int_equal(r.slow_breathing, 1);
	assert_true(fabs(r.resp_hz - 0.1) < 0.005);
	hrv_destroy(&h);
}

/* nsr2db reference windows: a few records here, all in the bench. */
static double median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void test_nsr2db_reference(void **st)
{
	(void)st;
	FILE *f = fopen(vgt_data("reference/nsr2db_hrv_5min.json"), "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *txt = malloc((size_t)len + 1);
	assert_int_equal(fread(txt, 1, (size_t)len, f), (size_t)len);
	txt[len] = 0;
	fclose(f);
	cJSON *root = cJSON_Parse(txt);
	free(txt);
	assert_non_null(root);
	const char *recs[] = { "nsr001", "nsr002", "nsr003", "nsr004" };
	const char *keys[] = { "mean_nn", "sdnn", "rmssd", "sd1", "sd2", "lf", "hf" };
	enum { NK = 7, MAXW = 64 };
	double err[NK][MAXW];
	int nw = 0;
	for (size_t ri = 0; ri < 4; ri++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "nsr2db/%s", recs[ri]);
		struct wfdb_ann *a = NULL;
		size_t na = 0;
		double fs = 0;
		assert_int_equal(wfdb_ann_load(vgt_data(rel), "ecg", &a, &na, &fs), 0);
		assert_float_equal(fs, 128.0, 0.0);
		struct wfdb_nn *nn = malloc(na * sizeof(*nn));
		size_t nnn = wfdb_ann_nn(a, na, fs, nn);
		cJSON *it;
		cJSON_ArrayForEach(it, root)
		{
			if (strcmp(cJSON_GetObjectItem(it, "record")->valuestring, recs[ri]))
				continue;
			double s0 = cJSON_GetObjectItem(it, "start_s")->valuedouble;
			struct hrv *h = hrv_new(300.0, NULL);
			for (size_t i = 0; i < nnn; i++)
				if (nn[i].t_s >= s0 && nn[i].t_s < s0 + 300.0)
					hrv_push(h, NS(nn[i].t_s), nn[i].nn_ms, 0);
			struct hrv_result r;
			assert_int_equal(hrv_compute_span(h, NS(s0), NS(s0 + 300.0), &r), 0);
			hrv_destroy(&h);
			/* windows where the reference keeps non-physiological
			 * intervals (across noise) are not comparable */
			if (r.n != cJSON_GetObjectItem(it, "n_nn")->valueint)
				continue;
			const double got[NK] = { r.mean_nn_ms, r.sdnn_ms, r.rmssd_ms, r.sd1_ms,
						 r.sd2_ms, r.lf_ms2, r.hf_ms2 };
			assert_true(nw < MAXW);
			for (int k = 0; k < NK; k++) {
				double want = cJSON_GetObjectItem(it, keys[k])->valuedouble;
				err[k][nw] = fabs(got[k] - want) / want * 100.0;
			}
			nw++;
		}
		free(nn);
		free(a);
	}
	cJSON_Delete(root);
	assert_true(nw >= 20);
	for (int k = 0; k < NK; k++) {
		double mx = 0;
		for (int w = 0; w < nw; w++)
			mx = fmax(mx, err[k][w]);
		double med = median(err[k], nw);
		print_message("nsr2db %-7s %d windows: median %.4f %%, max %.4f %%\n", keys[k], nw,
			      med, mx);
		assert_true(med <= (k < 5 ? 0.5 : 3.0));
		if (k >= 5)
			assert_true(mx <= 10.0);
	}
}

/* Live (hrv_compute after every beat) gives the offline figures exactly:
 * time domain and LF/HF on every beat, VLF whenever it is refreshed
 * (vlf_age_s == 0, at least every HRV_VLF_INTERVAL_S of data) and, with
 * hrv_set_vlf_interval(h, 0), on every beat. */
static void test_live_per_beat(void **st)
{
	(void)st;
	struct wfdb_ann *a = NULL;
	size_t na = 0;
	double fs = 0;
	assert_int_equal(wfdb_ann_load(vgt_data("nsr2db/nsr001"), "ecg", &a, &na, &fs), 0);
	struct wfdb_nn *nn = malloc(na * sizeof(*nn));
	size_t n = wfdb_ann_nn(a, na, fs, nn);
	for (int every = 0; every < 2; every++) {
		struct hrv *h = hrv_new(300.0, NULL);
		assert_non_null(h);
		if (every)
			hrv_set_vlf_interval(h, 0.0);
		int checked = 0, vlf_fresh = 0;
		double max_age = 0;
		for (size_t i = 0; i < n && nn[i].t_s < 3600.0 + 420.0; i++) {
			if (nn[i].t_s < 3600.0)
				continue;
			int64_t t = NS(nn[i].t_s);
			hrv_push(h, t, nn[i].nn_ms, 0);
			if (nn[i].t_s < 3600.0 + 310.0)
				continue;
			struct hrv_result live, off;
			assert_int_equal(hrv_compute(h, &live), 0);
			assert_int_equal(hrv_compute_span(h, t - NS(300.0) + 1, t + 1, &off), 0);
			assert_int_equal(live.n, off.n);
			assert_float_equal(live.rmssd_ms, off.rmssd_ms, 1e-9);
			assert_float_equal(live.spectrum_age_s, 0.0, 0.0);
			assert_float_equal(live.lf_ms2, off.lf_ms2, 1e-9 * off.lf_ms2);
			assert_float_equal(live.hf_ms2, off.hf_ms2, 1e-9 * off.hf_ms2);
			assert_true(isfinite(live.vlf_ms2));
			if (every || live.vlf_age_s == 0.0) {
				assert_float_equal(live.vlf_ms2, off.vlf_ms2, 1e-9 * off.vlf_ms2);
				vlf_fresh++;
			}
			max_age = fmax(max_age, live.vlf_age_s);
			checked++;
		}
		print_message("live per beat (VLF every %s): %d updates, VLF fresh on %d, "
			      "oldest %.2f s\n", every ? "beat" : "5 s", checked, vlf_fresh, max_age);
		assert_true(checked > 100);
		if (every) {
			assert_int_equal(vlf_fresh, checked);
		} else {
			assert_true(vlf_fresh >= 10 && vlf_fresh < checked / 2);
			assert_true(max_age < HRV_VLF_INTERVAL_S);
		}
		hrv_destroy(&h);
	}
	free(nn);
	free(a);
}

static void test_bad_args(void **st)
{
	(void)st;
	int err = 0;
	assert_null(hrv_new(5.0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	struct hrv *h = hrv_new(60.0, NULL);
	struct hrv_result r;
	assert_int_equal(hrv_compute(h, &r), VG_ERR_AGAIN);
	hrv_push(h, NS(1.0), 100.0, 0);  /* out of range: ignored */
	hrv_push(h, NS(2.0), 800.0, 0);
	hrv_push(h, NS(1.5), 800.0, 0);  /* back in time: ignored */
	assert_int_equal(hrv_compute(h, &r), VG_ERR_AGAIN);
	hrv_push(h, NS(2.8), 800.0, 0);
	assert_int_equal(hrv_compute(h, &r), 0);
	assert_int_equal(r.n, 2);
	hrv_reset(h);
	assert_int_equal(hrv_compute(h, &r), VG_ERR_AGAIN);
	hrv_destroy(&h);
	hrv_destroy(&h); /* NULL-safe */
}

/* Hostile values through the live chain (rr -> hrv -> resp -> calm): no
 * crash, no NaN where a number is promised, no time going backwards. */
#include "calm.h"
#include "resp.h"
#include "rr.h"
static void test_hostile_values(void **st)
{
	(void)st;
	struct rr_clean *c = rr_new(NULL, NULL);
	struct hrv *h = hrv_new(60.0, NULL);
	struct resp *rs = resp_new(64.0, NULL);
	struct calm *cm = calm_new(10.0, NULL);
	uint64_t x = 1;
	int64_t t = 0;
	struct rr_nn o[RR_MAX_OUT];
	const double odd[] = { NAN, INFINITY, -INFINITY, -5.0, 0.0, 1e-9, 1e12, 150.0, 2999.0 };
	for (int i = 0; i < 20000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		unsigned r = (unsigned)(x >> 33);
		double rr = (r % 7 == 0) ? odd[r % 9] : 400.0 + (double)(r % 1200);
		int64_t dt = (r % 97 == 0) ? -(int64_t)(r % 5000) * 1000000 : (int64_t)(r % 1600 + 1) * 1000000;
		t += dt;
		int k = (r % 301 == 0) ? rr_gap(c, o) : rr_push(c, t, rr, o);
		assert_true(k >= 0 && k <= RR_MAX_OUT);
		for (int j = 0; j < k; j++) {
			assert_true(isfinite(o[j].nn_ms) && o[j].nn_ms > 0.0);
			hrv_push(h, o[j].t_ns, o[j].nn_ms, o[j].flags);
		}
		resp_push_beat(rs, t, rr, (r % 5) ? 1.0 + 0.001 * (double)(r % 100) : NAN);
		if (i % 50 == 0) {
			struct hrv_result hr;
			if (hrv_compute(h, &hr) == 0) {
				assert_true(isfinite(hr.mean_nn_ms) && isfinite(hr.sdnn_ms));
				assert_true(hr.artifacts_pct >= 0.0 && hr.artifacts_pct <= 100.0);
				calm_update(cm, t, &hr);
				assert_true(isnan(hr.calm) || (hr.calm >= 0.0 && hr.calm <= 100.0));
			}
			struct resp_result rr_out;
			if (resp_compute(rs, &rr_out) == 0)
				assert_true((isfinite(rr_out.resp_bpm) ? rr_out.reason == RESP_REASON_NONE
									: rr_out.reason != RESP_REASON_NONE) &&
					    rr_out.confidence >= 0.0 && rr_out.confidence <= 1.0 + 1e-9);
		}
	}
	rr_destroy(&c);
	hrv_destroy(&h);
	resp_destroy(&rs);
	calm_destroy(&cm);
}

/* An odd interval the cleaner let through: two false beats (an interval
 * split 40/60 %), unflagged, in 300 s of 1000 +- 40 ms sinus arrhythmia at
 * 0.25 Hz. The reference spectrum moves; the robust one (hrv_set_robust)
 * stays within 5 % of the clean HF, and on a clean series and on strong
 * sinus arrhythmia (+-250 ms at 0.10 Hz) it changes nothing. */
static double hf_of(int split, int robust, double amp_ms, double f_hz, double *lf)
{
	struct hrv *h = hrv_new(300.0, NULL);
	hrv_set_robust(h, robust);
	uint64_t x = 5;
	double t = 0;
	int k = 0;
	while (t < 300.0) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		double rr = 1000.0 + amp_ms * sin(2 * M_PI * f_hz * t) +
			    4.0 * ((double)(x >> 11) / 9007199254740992.0 - 0.5);
		if (split && (k == 100 || k == 200)) {
			t += 0.4 * rr / 1000.0;
			hrv_push(h, (int64_t)llround(t * 1e9), 0.4 * rr, 0);
			rr *= 0.6;
		}
		t += rr / 1000.0;
		hrv_push(h, (int64_t)llround(t * 1e9), rr, 0);
		k++;
	}
	struct hrv_result r;
	assert_int_equal(hrv_compute(h, &r), 0);
	hrv_destroy(&h);
	*lf = r.lf_ms2;
	return r.hf_ms2;
}

static void test_robust_spectrum(void **st)
{
	(void)st;
	double lf0, lf1, lf2, lf3;
	double clean = hf_of(0, 0, 40.0, 0.25, &lf0);
	double bad = hf_of(1, 0, 40.0, 0.25, &lf1);
	double fixed = hf_of(1, 1, 40.0, 0.25, &lf2);
	double same = hf_of(0, 1, 40.0, 0.25, &lf3);
	print_message("two split intervals: HF clean %.1f, reference %.1f (%+.1f %%), robust %.1f "
		      "(%+.1f %%) ms^2\n", clean, bad, 100 * (bad - clean) / clean, fixed,
		      100 * (fixed - clean) / clean);
	assert_true(fabs(bad - clean) / clean > 0.10);
	assert_true(fabs(fixed - clean) / clean <= 0.05);
	assert_true(fabs(lf2 - lf0) / lf0 <= 0.05 || fabs(lf2 - lf0) < 5.0);
	assert_float_equal(same, clean, 1e-9);
	double lfa, lfb;
	hf_of(0, 0, 250.0, 0.10, &lfa);
	hf_of(0, 1, 250.0, 0.10, &lfb);
	assert_float_equal(lfa, lfb, 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_domain_known),
		cmocka_unit_test(test_differences_need_shared_beat),
		cmocka_unit_test(test_band_availability),
		cmocka_unit_test(test_gap_not_interpolated),
		cmocka_unit_test(test_slow_breathing_rsa),
		cmocka_unit_test(test_live_per_beat),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_robust_spectrum),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_ec57_tp2_hf),
		cmocka_unit_test(test_ec57_tp3_lf),
		cmocka_unit_test(test_ec57_tp4_vlf),
		cmocka_unit_test(test_ec57_tp5_none),
		cmocka_unit_test(test_nsr2db_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
