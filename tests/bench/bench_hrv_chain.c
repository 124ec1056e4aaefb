/*
 * bench_hrv_chain.c - the whole chain from raw ECG.
 *   1. mitdb 112 115 122 220 230 (MIT-BIH Arrhythmia Database, DS1 records
 *      with few ectopic beats): RMSSD and HF of 5-minute windows from the
 *      detector + RR cleaning vs from the reference annotations (target:
 *      within 5 %).
 *   Breathing from the ECG (drive05 and others) is in bench_resp.c.
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

static void chain_table(int robust)
{
	const char *recs[] = { "112", "115", "122", "220", "230" };
	struct hrv *h = hrv_new(300.0, NULL);
	int n = 0, ok_rmssd = 0, ok_hf = 0;
	double worst_r = 0, worst_h = 0;
	printf("whole chain, 5 min windows: detected+cleaned vs annotations; %s spectrum\n",
	       robust ? "robust (as hrv_chain.c)" : "reference-definition");
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
			hrv_set_robust(h, 0); /* the reference definition */
			window(h, nn, nr, NULL, 0, from, &ref);
			hrv_set_robust(h, robust); /* as the chain (hrv_chain.c) */
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

int main(void)
{
	chain_table(1);
	if (getenv("VG_BENCH_VERBOSE"))
		chain_table(0);
	printf("no parameter was fitted to these records in this change: leave-one-record-out "
	       "= in-sample\n");
	return 0;
}
