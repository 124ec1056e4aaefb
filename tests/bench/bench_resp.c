/*
 * bench_resp.c - breathing rate from the ECG, per recording, in-sample and
 * leave-one-record-out.
 *
 * Problem: the breathing estimator was tuned on one recording (drivedb
 * drive05) and failed on others; every parameter of the fusion must be
 * chosen on several recordings at once, and the figure that counts is the
 * one on a recording the choice did not see.
 * Approach: each recording goes through the detector (qrs.h) and the RR
 * cleaner (rr.h) as live; every 10 s, resp.h gives each modulation's rate
 * and quality over the last 60 s. The reference is the belt over the same
 * 60 s (its spectral peak, where that peak holds >= 50 % of the 3-42/min
 * band power: a clean belt) or, for the simulator, the scenario's rate at
 * the middle of the window. The fusion (resp_fuse.h) is then replayed for a
 * grid of parameters: in-sample = the grid point with the best mean cost
 * over all recordings; leave-one-out = for each recording, the grid point
 * best over the others, scored on it. Cost of a recording = MAE of the
 * published rates + NULL_COST x share of windows left null.
 * The chain itself (hrv_chain.h with the features of every beat, as the
 * daemon runs it: 64 s window, 1 Hz) is scored too, against the belt over
 * the same 64 s.
 * Recordings: drivedb drive05 (Healey & Picard 2005; rest and driving,
 * 496 Hz), NeuroKit2 bio_resting_5min_100hz and bio_eventrelated_100hz
 * (Makowski et al. 2021; 100 Hz; also scored against the reference rates in
 * their *_resp.json), and the simulator's calm, paced6 and paced5 scenarios
 * (drivers/sim_model.h) at 500 Hz.
 * Limits: six recordings of four people (three simulated); the belt is
 * itself an estimate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/vgtest.h"
#include "hrv.h"
#include "hrv_chain.h"
#include "qrs.h"
#include "resp.h"
#include "resp_fuse.h"
#include "rr.h"
#include "sim_model.h"
#include "spectrum.h"
#include "wfdb.h"

#define NS(s) ((int64_t)llround((s) * 1e9))
#define WIN_S 60.0
#define STEP_S 10.0
#define NULL_COST 3.0 /* breaths/min charged for a window left null */
#define MAX_WIN 1024
#define MAX_REC 8

struct beat {
	double t_s, nn_ms;
	struct resp_beat f;
};

struct win {
	double t_s, ref_bpm, json_bpm;
	double bpm[RESP_NMOD], q[RESP_NMOD];
};

struct rec {
	const char *name;
	struct win w[MAX_WIN];
	int nw;
};

static struct rec recs[MAX_REC];
static int nrec;

/* ------------------------------------------------------------ detection */
/* what the chain (hrv_chain.h, as the daemon) published, 1 Hz */
struct pub {
	double t_s, bpm;
	enum resp_reason reason;
};

struct det {
	double fs;
	struct hc *hc;
	struct pub *pub;
	size_t npub, cap_pub;
	struct beat *b;
	size_t nb, cap;
	struct rr_clean *rr;
	double prev_t;
	int have_prev;
};

static void set_nn(struct det *d, const struct rr_nn *o, int k)
{
	for (int j = 0; j < k; j++) {
		double t = (double)o[j].t_ns * 1e-9;
		for (size_t i = d->nb; i-- > 0;) {
			if (d->b[i].t_s < t - 0.01)
				break;
			if (fabs(d->b[i].t_s - t) < 0.001 && !(o[j].flags & HRV_NN_CORRECTED))
				d->b[i].nn_ms = o[j].nn_ms;
		}
	}
}

static void on_beat(void *arg, const struct qrs_beat *qb)
{
	struct det *d = arg;
	double t = qb->sample_frac / d->fs;
	if (d->nb == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 4096;
		d->b = realloc(d->b, d->cap * sizeof(*d->b));
		if (!d->b)
			exit(1);
	}
	d->b[d->nb++] = (struct beat){ t, NAN,
				       { NAN, qb->amplitude_mv, qb->rs_mv, qb->area, qb->baseline_mv } };
	hc_beat_ecg(d->hc, NS(t), NAN, &d->b[d->nb - 1].f,
		    (qb->flags & QRS_BEAT_ODD_P) ? RR_BEAT_ODD_P : 0u);
	if (d->have_prev) {
		struct rr_nn o[RR_MAX_OUT];
		int k = rr_push_beat(d->rr, NS(t), (t - d->prev_t) * 1000.0,
				     (qb->flags & QRS_BEAT_ODD_P) ? RR_BEAT_ODD_P : 0u, o);
		set_nn(d, o, k);
	}
	d->prev_t = t;
	d->have_prev = 1;
}

static void on_resp(void *arg, int64_t t_ns, const struct resp_result *r)
{
	struct det *d = arg;
	if (d->npub == d->cap_pub) {
		d->cap_pub = d->cap_pub ? 2 * d->cap_pub : 4096;
		d->pub = realloc(d->pub, d->cap_pub * sizeof(*d->pub));
		if (!d->pub)
			exit(1);
	}
	d->pub[d->npub++] = (struct pub){ (double)t_ns * 1e-9, r->resp_bpm, r->reason };
}

static void det_init(struct det *d, double fs, struct qrs **q)
{
	memset(d, 0, sizeof(*d));
	d->fs = fs;
	struct hc_output ho = { d, NULL, on_resp };
	d->hc = hc_new(NULL, &ho, NULL);
	d->rr = rr_new(NULL, NULL);
	*q = qrs_new(fs, on_beat, d, NULL);
	if (!d->rr || !*q || !d->hc)
		exit(1);
}

static void det_finish(struct det *d, struct qrs **q)
{
	qrs_flush(*q);
	struct rr_nn o[RR_MAX_OUT];
	set_nn(d, o, rr_flush(d->rr, o));
	qrs_destroy(q);
	rr_destroy(&d->rr);
	hc_destroy(&d->hc);
}

/* Every STEP_S from WIN_S to dur_s: each modulation's rate over the last
 * WIN_S. ref(t) gives the reference for the window ending at t. */
static void windows(struct rec *rc, const struct det *d, double dur_s,
		    double (*ref)(void *, double), void *ctx)
{
	struct resp *rs = resp_new(WIN_S, NULL);
	size_t bi = 0;
	for (double t = WIN_S; t <= dur_s + 1e-9 && rc->nw < MAX_WIN; t += STEP_S) {
		for (; bi < d->nb && d->b[bi].t_s < t; bi++) {
			struct resp_beat f = d->b[bi].f;
			f.nn_ms = d->b[bi].nn_ms;
			resp_push(rs, NS(d->b[bi].t_s), &f);
		}
		struct resp_result o;
		if (resp_compute(rs, &o))
			continue;
		struct win *w = &rc->w[rc->nw++];
		w->t_s = t;
		w->ref_bpm = ref(ctx, t);
		w->json_bpm = NAN;
		memcpy(w->bpm, o.mod_bpm, sizeof(w->bpm));
		memcpy(w->q, o.mod_q, sizeof(w->q));
	}
	resp_destroy(&rs);
}

/* ------------------------------------------------------------ belt */
struct belt {
	struct wfdb_record *r;
	int sig;
	struct spec *sp;
};

static double belt_ref_w(struct belt *b, double t_end, double win_s)
{
	static float buf[16384];
	static double x[16384], psd[8193];
	double fs = wfdb_sig_fs(b->r, b->sig);
	size_t n = (size_t)(win_s * fs);
	int64_t a = (int64_t)((t_end - win_s) * fs);
	if (n > 16384 || a < 0 || wfdb_read_phys(b->r, b->sig, a, n, buf))
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(buf[i]))
			return NAN;
		x[i] = buf[i];
	}
	if (spec_welch(b->sp, x, n, fs, n, SPEC_DETREND_LINEAR, psd) < 1)
		return NAN;
	double df = fs / (double)spec_nfft(b->sp);
	size_t k0 = (size_t)ceil(RESP_MIN_BPM / 60.0 / df), k1 = (size_t)(RESP_MAX_BPM / 60.0 / df);
	size_t best = k0;
	double tot = 0, near = 0;
	for (size_t k = k0; k <= k1; k++) {
		tot += psd[k];
		if (psd[k] > psd[best])
			best = k;
	}
	double f = (double)best * df;
	double a1 = psd[best - 1], b1 = psd[best], c1 = psd[best + 1], den = a1 - 2 * b1 + c1;
	if (den < 0)
		f += 0.5 * (a1 - c1) / den * df;
	for (size_t k = k0; k <= k1; k++)
		if (fabs((double)k * df - f) <= RESP_PEAK_HALF_HZ)
			near += psd[k];
	return tot > 0 && near / tot >= 0.5 ? 60.0 * f : NAN;
}

static double belt_ref(void *arg, double t_end)
{
	return belt_ref_w(arg, t_end, WIN_S);
}

/* The reference windows of NAME_resp.json: {"start_s": S, "rate_bpm": R}. */
static void json_ref(struct rec *rc, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s_resp.json", vgt_data(rel));
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	static char txt[65536];
	size_t n = fread(txt, 1, sizeof(txt) - 1, f);
	fclose(f);
	txt[n] = 0;
	for (char *p = txt; (p = strstr(p, "\"start_s\"")) != NULL;) {
		double s = strtod(strchr(p, ':') + 1, NULL);
		char *q = strstr(p, "\"rate_bpm\"");
		if (!q)
			break;
		double bpm = strtod(strchr(q, ':') + 1, NULL);
		for (int i = 0; i < rc->nw; i++)
			if (fabs(rc->w[i].t_s - WIN_S - s) < 1e-6)
				rc->w[i].json_bpm = bpm;
		p = q;
	}
}

/* The chain as the daemon runs it (64 s window, 1 Hz): every 10 s, the
 * last published rate against the belt over the same 64 s. */
static struct {
	const char *name;
	int n_ref, n_pub;
	double mae;
} chain[MAX_REC];
static int nchain;

static void chain_score(const struct rec *rc, const struct det *d, struct belt *b)
{
	double e = 0;
	int n_ref = 0, n_pub = 0;
	size_t k = 0;
	for (double t = RESP_DEFAULT_WINDOW_S; k < d->npub; t += STEP_S) {
		while (k + 1 < d->npub && d->pub[k + 1].t_s <= t)
			k++;
		if (d->pub[k].t_s > t)
			continue;
		if (k + 1 >= d->npub && t > d->pub[k].t_s + STEP_S)
			break;
		double ref = belt_ref_w(b, d->pub[k].t_s, RESP_DEFAULT_WINDOW_S);
		if (!isfinite(ref))
			continue;
		n_ref++;
		if (isfinite(d->pub[k].bpm)) {
			n_pub++;
			e += fabs(d->pub[k].bpm - ref);
		}
	}
	chain[nchain].name = rc->name;
	chain[nchain].n_ref = n_ref;
	chain[nchain].n_pub = n_pub;
	chain[nchain].mae = n_pub ? e / n_pub : NAN;
	nchain++;
}

static void load_wfdb(const char *name, const char *rel)
{
	const char *path = vgt_data(rel);
	struct wfdb_record *r = wfdb_open(path, NULL);
	if (!r) {
		printf("%s: cannot open %s\n", name, path);
		return;
	}
	int ecg = wfdb_find_sig(r, "ECG"), belt = wfdb_find_sig(r, "RESP");
	if (ecg < 0 || belt < 0) {
		wfdb_destroy(&r);
		return;
	}
	struct det d;
	struct qrs *q;
	det_init(&d, wfdb_sig_fs(r, ecg), &q);
	int64_t ns = wfdb_sig_nsamp(r, ecg);
	static float buf[4096];
	for (int64_t at = 0; at < ns;) {
		size_t m = (size_t)(ns - at < 4096 ? ns - at : 4096);
		if (wfdb_read_phys(r, ecg, at, m, buf))
			exit(1);
		for (size_t k = 0; k < m; k += 32)
			qrs_feed(q, buf + k, m - k < 32 ? m - k : 32);
		at += (int64_t)m;
	}
	det_finish(&d, &q);
	struct rec *rc = &recs[nrec++];
	rc->name = name;
	struct belt b = { r, belt, spec_new(16384, 16384, NULL) };
	windows(rc, &d, (double)ns / d.fs, belt_ref, &b);
	json_ref(rc, rel);
	chain_score(rc, &d, &b);
	spec_destroy(&b.sp);
	free(d.b);
	free(d.pub);
	wfdb_destroy(&r);
}

static double sim_ref(void *arg, double t_end)
{
	struct sim_truth tr;
	sim_truth_at(arg, t_end - WIN_S / 2, &tr);
	return tr.resp_bpm;
}

static void load_sim(const char *scen)
{
	struct sim_config cfg = { .seed = 11, .ecg_fs_hz = 500, .n_emg = 1,
				  .scenario = sim_scenario_find(scen) };
	struct sim *s = sim_new(&cfg, NULL);
	if (!s)
		exit(1);
	struct det d;
	struct qrs *q;
	det_init(&d, sim_ecg_fs(s), &q);
	static float buf[500];
	for (int sec = 0; sec < 600; sec++) {
		sim_ecg(s, buf, 500);
		qrs_feed(q, buf, 500);
	}
	det_finish(&d, &q);
	struct rec *rc = &recs[nrec++];
	static char names[3][32];
	snprintf(names[nrec % 3], sizeof(names[0]), "sim %s", scen);
	rc->name = names[nrec % 3];
	windows(rc, &d, 600.0, sim_ref, s);
	free(d.b);
	free(d.pub);
	sim_destroy(&s);
}

/* ------------------------------------------------------------ scoring */
struct score {
	int n_ref, n_pub, n_json, n_json_pub;
	double mae, mae_json, cost;
	int reasons[RESP_REASON_COUNT];
};

static int rsa_only; /* score as a beat-only source: RSA alone */

static void score(const struct rec *rc, const struct resp_fuse_params *p, struct score *s)
{
	memset(s, 0, sizeof(*s));
	struct resp_track tr;
	resp_track_reset(&tr);
	double se = 0, sj = 0;
	for (int i = 0; i < rc->nw; i++) {
		const struct win *w = &rc->w[i];
		struct resp_fused f;
		if (rsa_only) {
			double b[RESP_NMOD], q[RESP_NMOD];
			for (int m = 0; m < RESP_NMOD; m++) {
				b[m] = m == RESP_MOD_RSA ? w->bpm[m] : NAN;
				q[m] = m == RESP_MOD_RSA ? w->q[m] : 0.0;
			}
			resp_fuse(b, q, RESP_NMOD, p, &tr, NS(w->t_s), &f);
		} else {
			resp_fuse(w->bpm, w->q, RESP_NMOD, p, &tr, NS(w->t_s), &f);
		}
		if (!isfinite(w->ref_bpm))
			continue;
		s->n_ref++;
		s->reasons[f.reason]++;
		if (isfinite(f.bpm)) {
			s->n_pub++;
			se += fabs(f.bpm - w->ref_bpm);
		}
		if (isfinite(w->json_bpm)) {
			s->n_json++;
			if (isfinite(f.bpm)) {
				s->n_json_pub++;
				sj += fabs(f.bpm - w->json_bpm);
			}
		}
	}
	s->mae = s->n_pub ? se / s->n_pub : NAN;
	s->mae_json = s->n_json_pub ? sj / s->n_json_pub : NAN;
	double nul = s->n_ref ? 1.0 - (double)s->n_pub / s->n_ref : 1.0;
	s->cost = (s->n_pub ? s->mae : 0.0) + NULL_COST * nul;
}

#define NQ 8
#define NA 7
static const double grid_q[NQ] = { 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6 };
static const double grid_a[NA] = { 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0 };

#define NS1 8
static const double grid_s1[NS1] = { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01 };

static void grid_params(int g, struct resp_fuse_params *p)
{
	resp_fuse_defaults(p);
	if (rsa_only) {
		p->single_q_min = grid_s1[g % NS1];
		return;
	}
	p->q_min = grid_q[g % NQ];
	p->agree_bpm = grid_a[(g / NQ) % NA];
	p->min_agree = 2 + (g / (NQ * NA)) % 2;
	p->track_s = (g / (NQ * NA * 2)) ? 30.0 : 0.0;
}
#define NGRID (NQ * NA * 2 * 2)

/* Best grid point over every recording but skip (-1: all). */
static int choose(int skip)
{
	int best = 0;
	double best_c = INFINITY;
	for (int g = 0; g < (rsa_only ? NS1 : NGRID); g++) {
		struct resp_fuse_params p;
		grid_params(g, &p);
		double c = 0;
		for (int r = 0; r < nrec; r++) {
			if (r == skip)
				continue;
			struct score s;
			score(&recs[r], &p, &s);
			c += s.cost;
		}
		if (c < best_c - 1e-12) {
			best_c = c;
			best = g;
		}
	}
	return best;
}

static double single_mae(const struct rec *rc, int m, int *n)
{
	double e = 0;
	*n = 0;
	for (int i = 0; i < rc->nw; i++)
		if (isfinite(rc->w[i].ref_bpm) && isfinite(rc->w[i].bpm[m])) {
			e += fabs(rc->w[i].bpm[m] - rc->w[i].ref_bpm);
			(*n)++;
		}
	return *n ? e / *n : NAN;
}

static void print_params(const char *what, const struct resp_fuse_params *p)
{
	printf("%s: q_min %.2f, agree +-%.1f /min, min_agree %d, track %.0f s\n", what, p->q_min,
	       p->agree_bpm, p->min_agree, p->track_s);
}

int main(void)
{
	load_wfdb("drive05", "drivedb/drive05");
	load_wfdb("resting", "resp/bio_resting_5min_100hz");
	load_wfdb("eventrel", "resp/bio_eventrelated_100hz");
	load_sim("calm");
	load_sim("paced6");
	load_sim("paced5");

	printf("breathing from the ECG: %.0f s windows every %.0f s vs belt / simulator truth\n",
	       WIN_S, STEP_S);
	printf("each modulation alone (MAE /min over reference windows):\n%-10s", "record");
	for (int m = 0; m < RESP_NMOD; m++)
		printf(" %7s", resp_mod_name((enum resp_mod)m));
	printf("\n");
	for (int r = 0; r < nrec; r++) {
		printf("%-10s", recs[r].name);
		for (int m = 0; m < RESP_NMOD; m++) {
			int n;
			printf(" %7.2f", single_mae(&recs[r], m, &n));
		}
		printf("\n");
	}

	struct resp_fuse_params def;
	resp_fuse_defaults(&def);
	int g_all = choose(-1);
	struct resp_fuse_params p_all;
	grid_params(g_all, &p_all);
	print_params("shipped defaults (resp_fuse_defaults)", &def);
	print_params("in-sample best over all recordings", &p_all);
	printf("%-10s %5s | %-22s | %-22s | %-28s | %s\n", "record", "ref_n",
	       "defaults MAE (pub %)", "in-sample MAE (pub %)", "leave-one-out MAE (pub %)",
	       "json ref MAE (n) defaults; nulls low_q/disagree");
	double worst_def = 0, worst_loo = 0;
	for (int r = 0; r < nrec; r++) {
		struct score sd, si, sl;
		score(&recs[r], &def, &sd);
		score(&recs[r], &p_all, &si);
		int g = choose(r);
		struct resp_fuse_params pl;
		grid_params(g, &pl);
		score(&recs[r], &pl, &sl);
		printf("%-10s %5d | %6.2f (%5.1f %%)        | %6.2f (%5.1f %%)        | %6.2f (%5.1f %%) "
		       "q%.2f a%.1f m%d t%.0f | %.2f (%d of %d); %d/%d\n",
		       recs[r].name, sd.n_ref, sd.mae, 100.0 * sd.n_pub / (sd.n_ref ? sd.n_ref : 1),
		       si.mae, 100.0 * si.n_pub / (si.n_ref ? si.n_ref : 1), sl.mae,
		       100.0 * sl.n_pub / (sl.n_ref ? sl.n_ref : 1), pl.q_min, pl.agree_bpm,
		       pl.min_agree, pl.track_s, sd.mae_json, sd.n_json_pub, sd.n_json,
		       sd.reasons[RESP_REASON_LOW_QUALITY], sd.reasons[RESP_REASON_DISAGREE]);
		worst_def = fmax(worst_def, sd.mae);
		worst_loo = fmax(worst_loo, sl.mae);
	}
	/* a beat-only source (chest strap): RSA alone, single_q_min */
	rsa_only = 1;
	int g1 = choose(-1);
	struct resp_fuse_params p1;
	grid_params(g1, &p1);
	printf("beat-only source (RSA alone): shipped single_q_min %.2f, in-sample best %.2f "
	       "(1.01 = never publish)\n", def.single_q_min, p1.single_q_min);
	for (int r = 0; r < nrec; r++) {
		struct score sd, sl;
		score(&recs[r], &def, &sd);
		struct resp_fuse_params pl;
		grid_params(choose(r), &pl);
		score(&recs[r], &pl, &sl);
		printf("  %-10s defaults MAE %5.2f (%5.1f %% published) | leave-one-out MAE %5.2f "
		       "(%5.1f %%) single_q_min %.2f\n", recs[r].name, sd.mae,
		       100.0 * sd.n_pub / (sd.n_ref ? sd.n_ref : 1), sl.mae,
		       100.0 * sl.n_pub / (sl.n_ref ? sl.n_ref : 1), pl.single_q_min);
	}
	rsa_only = 0;
	printf("the chain as published (hrv_chain.h: %.0f s window, 1 Hz), every 10 s vs the belt "
	       "over the same window:\n", RESP_DEFAULT_WINDOW_S);
	for (int i = 0; i < nchain; i++)
		printf("  %-10s MAE %.2f /min over %d of %d clean-belt windows (%.1f %% published)\n",
		       chain[i].name, chain[i].mae, chain[i].n_pub, chain[i].n_ref,
		       100.0 * chain[i].n_pub / (chain[i].n_ref ? chain[i].n_ref : 1));
	if (getenv("VG_BENCH_VERBOSE"))
		for (int r = 0; r < 3 && r < nrec; r++)
			for (int i = 0; i < recs[r].nw; i++) {
				const struct win *w = &recs[r].w[i];
				struct resp_fused f;
				resp_fuse(w->bpm, w->q, RESP_NMOD, &def, NULL, 0, &f);
				printf("  %-8s t %5.0f ref %5.2f json %5.2f fused %5.2f |", recs[r].name, w->t_s,
				       w->ref_bpm, w->json_bpm, f.bpm);
				for (int m = 0; m < RESP_NMOD; m++)
					printf(" %5.2f/%.2f", w->bpm[m], w->q[m]);
				printf("\n");
			}
	printf("worst MAE: defaults %.2f, leave-one-out %.2f /min  [target <= 1.5 on every recording]\n",
	       worst_def, worst_loo);
	return 0;
}
