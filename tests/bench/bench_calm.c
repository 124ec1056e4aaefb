/*
 * bench_calm.c - does calm separate rest from driving as well as heart rate
 * or RMSSD alone?
 *
 * Problem: calm is meant to be a relaxation measure; if heart rate alone
 * separates a relaxed person from a stressed one better, calm adds noise.
 * Approach: drivedb drive05 (Healey & Picard 2005) through the whole chain
 * as live (detector qrs.h -> hc_beat_ecg -> RR cleaning, HRV windows, calm).
 * Per minute, the figures of the 60 s window (and of the 300 s window)
 * ending at the minute are kept when that window lies inside one segment of
 * drive05_segments.csv (initial rest, city 1, highway, city 2, highway 2,
 * city 3, final rest). AUC (Mann-Whitney) of rest (initial and final) vs
 * driving (the five others) for: calm, heart rate (lower = rest), RMSSD,
 * and for reference pns_index. A measure with AUC 1 always ranks a rest
 * minute above a driving minute. Leave-one-segment-out: calm has no
 * parameter fitted to this recording (norms from the literature, weights
 * fixed), so its figure is the same in-sample and out; the bench also
 * prints, for the one fitted alternative (the weight of mean RR against
 * ln RMSSD chosen on six segments), the AUC pooled over the left-out
 * segments.
 * Limits: one person, one drive; the segment boundaries come from the
 * published timeline (the marker channel is about 0.5 min late).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/vgtest.h"
#include "calm.h"
#include "hrv_chain.h"
#include "qrs.h"
#include "wfdb.h"

#define NS(s) ((int64_t)llround((s) * 1e9))
#define MAX_MIN 256
#define NSEG 7

struct minute {
	double hr, rmssd, sd1, mean_nn, pns, calm;
	int have;
};

static struct minute mins[2][MAX_MIN]; /* per window (60 s, 300 s) */
static double seg_end_min[NSEG];
static const char *seg_name[NSEG] = { "rest", "city1", "highway", "city2", "highway2", "city3",
				      "rest2" };

struct ctx {
	double fs;
	struct hc *hc;
	struct hrv_result last[2];
	int have_last[2];
	int next_min;
};

static void on_hrv(void *arg, int w, int64_t t_ns, const struct hrv_result *r)
{
	struct ctx *c = arg;
	if (w > 1)
		return;
	double t_s = (double)t_ns * 1e-9;
	/* the first result past a minute boundary closes the minutes before */
	while (w == 0 && c->next_min < MAX_MIN && t_s >= 60.0 * (c->next_min + 1)) {
		for (int k = 0; k < 2; k++)
			if (c->have_last[k]) {
				struct minute *m = &mins[k][c->next_min];
				const struct hrv_result *x = &c->last[k];
				*m = (struct minute){ x->hr_bpm, x->rmssd_ms, x->sd1_ms, x->mean_nn_ms,
						      x->pns_index, x->calm, 1 };
			}
		c->next_min++;
	}
	c->last[w] = *r;
	c->have_last[w] = 1;
}

static void on_beat(void *arg, const struct qrs_beat *b)
{
	struct ctx *c = arg;
	struct resp_beat f = { NAN, b->amplitude_mv, b->rs_mv, b->area, b->baseline_mv };
	unsigned fl = (b->flags & QRS_BEAT_ODD_P) ? 0x01u : 0u;
	hc_beat_ecg(c->hc, NS(b->sample_frac / c->fs), NAN, &f, fl);
}

/* label of minute m for window w: 1 rest, 0 driving, -1 spans a boundary */
static int label(int m, double win_min, int *seg)
{
	double a = (m + 1) - win_min, b = m + 1;
	double lo = 0;
	for (int s = 0; s < NSEG; s++) {
		if (a >= lo && b <= seg_end_min[s]) {
			*seg = s;
			return (s == 0 || s == NSEG - 1) ? 1 : 0;
		}
		lo = seg_end_min[s];
	}
	return -1;
}

/* AUC of score (higher = rest) over the labelled minutes; skip_seg: leave
 * that segment out (-1: none); only_seg: only that segment's minutes and
 * the rest ones (-1: all). */
static double auc(const double *score, const int *lab, const int *seg, int n)
{
	double s = 0;
	long np = 0, nn = 0;
	for (int i = 0; i < n; i++) {
		if (lab[i] != 1 || !isfinite(score[i]))
			continue;
		np++;
		for (int j = 0; j < n; j++) {
			if (lab[j] != 0 || !isfinite(score[j]))
				continue;
			s += score[i] > score[j] ? 1.0 : (score[i] == score[j] ? 0.5 : 0.0);
		}
	}
	(void)seg;
	for (int j = 0; j < n; j++)
		nn += lab[j] == 0 && isfinite(score[j]);
	return np && nn ? s / ((double)np * (double)nn) : NAN;
}

static int load_segments(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s", vgt_data("drivedb/drive05_segments.csv"));
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[512];
	int ok = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Drive05", 7))
			continue;
		char *p = line + 8;
		double acc = 0;
		for (int s = 0; s < NSEG; s++) {
			acc += strtod(p, &p);
			seg_end_min[s] = acc;
			if (*p == ',')
				p++;
		}
		ok = 0;
	}
	fclose(f);
	return ok;
}

int main(void)
{
	if (load_segments()) {
		printf("drive05_segments.csv not found\n");
		return 1;
	}
	const char *rec = vgt_data("drivedb/drive05");
	struct wfdb_record *r = wfdb_open(rec, NULL);
	if (!r)
		return 1;
	int ecg = wfdb_find_sig(r, "ECG");
	struct ctx c = { .fs = wfdb_sig_fs(r, ecg) };
	struct hc_output out = { &c, on_hrv, NULL };
	c.hc = hc_new(NULL, &out, NULL);
	struct qrs *q = qrs_new(c.fs, on_beat, &c, NULL);
	int64_t ns = wfdb_sig_nsamp(r, ecg);
	static float buf[4096];
	for (int64_t at = 0; at < ns;) {
		size_t m = (size_t)(ns - at < 4096 ? ns - at : 4096);
		if (wfdb_read_phys(r, ecg, at, m, buf))
			return 1;
		for (size_t k = 0; k < m; k += 32)
			qrs_feed(q, buf + k, m - k < 32 ? m - k : 32);
		at += (int64_t)m;
	}
	qrs_destroy(&q);
	hc_destroy(&c.hc);
	wfdb_destroy(&r);

	printf("calm vs heart rate and RMSSD alone: drive05, rest (initial + final) vs driving,\n"
	       "AUC of per-minute values (1 = every rest minute ranks above every driving one)\n");
	const double wins[2] = { 1.0, 5.0 };
	for (int w = 0; w < 2; w++) {
		static double s_calm[MAX_MIN], s_hr[MAX_MIN], s_rm[MAX_MIN], s_pns[MAX_MIN];
		static int lab[MAX_MIN], seg[MAX_MIN];
		int n = 0, nrest = 0, ndrive = 0;
		for (int m = 0; m < MAX_MIN; m++) {
			const struct minute *x = &mins[w][m];
			int sg = -1, l = x->have ? label(m, wins[w], &sg) : -1;
			if (l < 0)
				continue;
			s_calm[n] = x->calm;
			s_hr[n] = -x->hr;
			s_rm[n] = x->rmssd;
			s_pns[n] = x->pns;
			lab[n] = l;
			seg[n] = sg;
			nrest += l == 1;
			ndrive += l == 0;
			n++;
		}
		printf("%3.0f s window: %d rest minutes, %d driving minutes\n", 60.0 * wins[w], nrest,
		       ndrive);
		printf("  AUC calm %.3f | heart rate %.3f | RMSSD %.3f | pns_index %.3f  "
		       "[target: calm >= 0.95 and >= heart rate]\n",
		       auc(s_calm, lab, seg, n), auc(s_hr, lab, seg, n), auc(s_rm, lab, seg, n),
		       auc(s_pns, lab, seg, n));
		/* the weight of heart period: AUC for each, and leave one segment out */
		static double lrr[MAX_MIN], lrm[MAX_MIN], s_w[MAX_MIN], s_lo[MAX_MIN];
		for (int i = 0, m = 0; m < MAX_MIN; m++) {
			const struct minute *x = &mins[w][m];
			int sg = -1;
			if (!x->have || label(m, wins[w], &sg) < 0)
				continue;
			lrr[i] = log(x->mean_nn);
			lrm[i] = log(x->rmssd);
			i++;
		}
		/* relative to the session baseline (the first two minutes, as calm) */
		double b_rr = 0.5 * (lrr[0] + lrr[1]), b_rm = 0.5 * (lrm[0] + lrm[1]);
		for (int i = 0; i < n; i++) {
			lrr[i] -= b_rr;
			lrm[i] -= b_rm;
		}
		printf("  AUC by weight of heart period (calm.h CALM_W_RR = %.1f):", CALM_W_RR);
		for (int k = 0; k <= 10; k++) {
			for (int i = 0; i < n; i++)
				s_w[i] = 0.1 * k * lrr[i] / CALM_SD_LN_RR +
					 (1 - 0.1 * k) * lrm[i] / CALM_SD_LN_RMSSD;
			printf(" %.1f:%.3f", 0.1 * k, auc(s_w, lab, seg, n));
		}
		printf("\n  leave-one-segment-out weight:");
		for (int s = 0; s < NSEG; s++) {
			static int lab2[MAX_MIN];
			for (int i = 0; i < n; i++)
				lab2[i] = seg[i] == s ? -1 : lab[i];
			int best_k = 0;
			double best = -1;
			for (int k = 0; k <= 10; k++) {
				for (int i = 0; i < n; i++)
					s_w[i] = 0.1 * k * lrr[i] / CALM_SD_LN_RR +
						 (1 - 0.1 * k) * lrm[i] / CALM_SD_LN_RMSSD;
				double a = auc(s_w, lab2, seg, n);
				if (a > best + 1e-12) {
					best = a;
					best_k = k;
				}
			}
			for (int i = 0; i < n; i++)
				if (seg[i] == s)
					s_lo[i] = 0.1 * best_k * lrr[i] / CALM_SD_LN_RR +
						  (1 - 0.1 * best_k) * lrm[i] / CALM_SD_LN_RMSSD;
			printf(" %s %.1f", seg_name[s], 0.1 * best_k);
		}
		printf("; pooled AUC of the left-out minutes %.3f\n", auc(s_lo, lab, seg, n));
		printf("  per driving segment (rest minutes vs that segment's): calm / HR / RMSSD\n");
		for (int s = 1; s < NSEG - 1; s++) {
			static int lab2[MAX_MIN];
			for (int i = 0; i < n; i++)
				lab2[i] = lab[i] == 1 ? 1 : (seg[i] == s ? 0 : -1);
			printf("    %-9s %.3f / %.3f / %.3f\n", seg_name[s], auc(s_calm, lab2, seg, n),
			       auc(s_hr, lab2, seg, n), auc(s_rm, lab2, seg, n));
		}
	}
	return 0;
}
