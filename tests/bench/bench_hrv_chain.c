/*
 * bench_hrv_chain.c - the whole chain from raw ECG.
 *   1. mitdb 112 115 122 220 230 (MIT-BIH Arrhythmia Database, DS1 records
 *      with few ectopic beats): RMSSD and HF of 5-minute windows from the
 *      detector + RR cleaning vs from the reference annotations (target:
 *      within 5 %).
 *   2. drivedb drive05 (Healey & Picard 2005): breathing rate from the ECG
 *      (RSA fused with R-amplitude EDR, resp.h) vs the chest belt (RESP
 *      signal) over 60 s windows every 10 s where the belt is clean (its
 *      spectral peak holds >= 50 % of the 3-42/min band power); target MAE
 *      <= 1.5 breaths/min.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/vgtest.h"
#include "hrv.h"
#include "nn_detect.h"
#include "resp.h"
#include "spectrum.h"
#include "wfdb.h"
#include "wfdb_ann.h"

#define NS(s) ((int64_t)llround((s) * 1e9))

static void window(struct hrv *h, const struct wfdb_nn *ref, size_t nr,
		   const struct nn_detect_nn *det, size_t nd, double from, struct hrv_result *r)
{
	hrv_reset(h);
	for (size_t i = 0; i < nr; i++)
		if (ref[i].t_s >= from && ref[i].t_s < from + 300.0)
			hrv_push(h, NS(ref[i].t_s), ref[i].nn_ms, 0);
	for (size_t i = 0; i < nd; i++)
		if (det[i].t_s >= from && det[i].t_s < from + 300.0)
			hrv_push(h, NS(det[i].t_s), det[i].nn_ms, det[i].flags);
	hrv_compute_span(h, NS(from), NS(from + 300.0), r);
}

static void chain_table(void)
{
	const char *recs[] = { "112", "115", "122", "220", "230" };
	struct hrv *h = hrv_new(300.0, NULL);
	int n = 0, ok_rmssd = 0, ok_hf = 0;
	double worst_r = 0, worst_h = 0;
	printf("whole chain, 5 min windows: detected+cleaned vs annotations\n");
	printf("%-4s %6s %9s %9s %7s %9s %9s %7s %7s\n", "rec", "from", "rmssd_det", "rmssd_ref",
	       "err_%", "hf_det", "hf_ref", "err_%", "art_%");
	for (size_t k = 0; k < 5; k++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "mitdb/%s", recs[k]);
		struct wfdb_ann *a = NULL;
		size_t na = 0;
		double fs = 0;
		if (wfdb_ann_load(vgt_data(rel), "atr", &a, &na, &fs))
			exit(1);
		struct wfdb_nn *nn = malloc(na * sizeof(*nn));
		size_t nr = wfdb_ann_nn(a, na, fs, nn);
		struct nn_detect_result d;
		if (nn_detect_record(vgt_data(rel), 0, 0.0, 0.0, &d))
			exit(1);
		for (double from = 0; from + 300 <= 1800; from += 300) {
			struct hrv_result ref, det;
			window(h, nn, nr, NULL, 0, from, &ref);
			window(h, NULL, 0, d.nn, d.n_nn, from, &det);
			double er = 100 * (det.rmssd_ms - ref.rmssd_ms) / ref.rmssd_ms;
			double eh = 100 * (det.hf_ms2 - ref.hf_ms2) / ref.hf_ms2;
			printf("%-4s %6.0f %9.2f %9.2f %+7.2f %9.1f %9.1f %+7.2f %7.2f\n", recs[k], from,
			       det.rmssd_ms, ref.rmssd_ms, er, det.hf_ms2, ref.hf_ms2, eh,
			       det.artifacts_pct);
			n++;
			ok_rmssd += fabs(er) <= 5.0;
			ok_hf += fabs(eh) <= 5.0;
			worst_r = fmax(worst_r, fabs(er));
			worst_h = fmax(worst_h, fabs(eh));
		}
		nn_detect_free(&d);
		free(nn);
		free(a);
	}
	printf("within 5 %%: RMSSD %d of %d windows (worst %.1f %%), HF %d of %d (worst %.1f %%)\n",
	       ok_rmssd, n, worst_r, ok_hf, n, worst_h);
	hrv_destroy(&h);
}

/* Breathing rate of the belt over [t0, t0 + 60 s): spectral peak. */
static int belt_rate(struct wfdb_record *r, int sig, double t0, struct spec *sp, double *bpm,
		     double *conf)
{
	static float buf[4096];
	static double x[4096], psd[2049];
	double fs = wfdb_sig_fs(r, sig);
	int64_t a = (int64_t)(t0 * fs);
	size_t n = (size_t)(60.0 * fs);
	if (wfdb_read_phys(r, sig, a, n, buf))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(buf[i]))
			return -1;
		x[i] = buf[i];
	}
	if (spec_welch(sp, x, n, fs, n, SPEC_DETREND_LINEAR, psd) < 1)
		return -1;
	double df = fs / (double)spec_nfft(sp);
	size_t k0 = (size_t)ceil(RESP_MIN_BPM / 60.0 / df), k1 = (size_t)(RESP_MAX_BPM / 60.0 / df);
	size_t best = k0;
	double tot = 0;
	for (size_t k = k0; k <= k1; k++) {
		tot += psd[k];
		if (psd[k] > psd[best])
			best = k;
	}
	double f = (double)best * df;
	double a1 = psd[best - 1], b1 = psd[best], c1 = psd[best + 1];
	double den = a1 - 2 * b1 + c1;
	if (den < 0)
		f += 0.5 * (a1 - c1) / den * df;
	double near = 0;
	for (size_t k = k0; k <= k1; k++)
		if (fabs((double)k * df - f) <= RESP_PEAK_HALF_HZ)
			near += psd[k];
	*bpm = 60.0 * f;
	*conf = tot > 0 ? near / tot : 0;
	return 0;
}

static void drive_resp(void)
{
	const char *rec = vgt_data("drivedb/drive05");
	int err = 0;
	struct wfdb_record *r = wfdb_open(rec, &err);
	if (!r) {
		printf("drivedb/drive05: %d\n", err);
		return;
	}
	int ecg = wfdb_find_sig(r, "ECG"), belt = wfdb_find_sig(r, "RESP");
	double dur = (double)wfdb_nframes(r) / wfdb_fs(r);
	struct nn_detect_result d;
	if (ecg < 0 || belt < 0 || nn_detect_record(rec, ecg, 0.0, 0.0, &d)) {
		printf("drive05: no ECG/RESP or detection failed\n");
		wfdb_destroy(&r);
		return;
	}
	struct spec *sp = spec_new(4096, 4096, NULL);
	struct resp *rs = resp_new(60.0, NULL);
	size_t bi = 0, ni = 0;
	double sum_err = 0, sum_err_all = 0;
	int n_clean = 0, n_all = 0, within1 = 0;
	double sum_err_rsa = 0, sum_err_edr = 0;
	int n_rsa = 0, n_edr = 0;
	printf("drive05: %zu beats, %.2f %% corrected; breathing from ECG vs belt, 60 s windows\n",
	       d.n_beats, 100.0 * (double)d.corrected / (double)(d.n_nn ? d.n_nn : 1));
	for (double t = 60.0; t <= dur; t += 10.0) {
		for (; bi < d.n_beats && d.beats[bi].t_s < t; bi++) {
			double tb = d.beats[bi].t_s, nnv = NAN;
			while (ni < d.n_nn && d.nn[ni].t_s < tb - 0.001)
				ni++;
			if (ni < d.n_nn && fabs(d.nn[ni].t_s - tb) < 0.001 &&
			    !(d.nn[ni].flags & HRV_NN_CORRECTED))
				nnv = d.nn[ni].nn_ms;
			resp_push_beat(rs, NS(tb), nnv, d.beats[bi].amp_mv);
		}
		struct resp_result o;
		double bpm, conf;
		if (resp_compute(rs, &o) || belt_rate(r, belt, t - 60.0, sp, &bpm, &conf))
			continue;
		double e = fabs(o.resp_bpm - bpm);
		n_all++;
		sum_err_all += e;
		if (conf < 0.5)
			continue;
		n_clean++;
		sum_err += e;
		if (getenv("VG_BENCH_VERBOSE") && e > 1.5)
			printf("    t %6.0f belt %5.2f (conf %.2f) fused %5.2f (conf %.2f) rsa %5.2f edr %5.2f\n",
			       t, bpm, conf, o.resp_bpm, o.confidence, o.rsa_bpm, o.edr_bpm);
		within1 += e <= 1.0;
		if (isfinite(o.rsa_bpm)) {
			sum_err_rsa += fabs(o.rsa_bpm - bpm);
			n_rsa++;
		}
		if (isfinite(o.edr_bpm)) {
			sum_err_edr += fabs(o.edr_bpm - bpm);
			n_edr++;
		}
	}
	printf("  clean-belt windows: %d of %d; MAE fused %.2f /min (%d%% within 1/min), RSA alone "
	       "%.2f, EDR alone %.2f; all windows %.2f  [target <= 1.5]\n",
	       n_clean, n_all, n_clean ? sum_err / n_clean : NAN,
	       n_clean ? 100 * within1 / n_clean : 0, n_rsa ? sum_err_rsa / n_rsa : NAN,
	       n_edr ? sum_err_edr / n_edr : NAN, n_all ? sum_err_all / n_all : NAN);
	resp_destroy(&rs);
	spec_destroy(&sp);
	nn_detect_free(&d);
	wfdb_destroy(&r);
}

int main(void)
{
	chain_table();
	drive_resp();
	return 0;
}
