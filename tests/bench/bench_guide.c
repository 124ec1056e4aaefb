/*
 * bench_guide.c - figures for the guide (analysis/guide.c):
 * 1. speed: CPU time of the guide alone over a 10-minute session (inputs
 *    recorded first from the simulator through the HRV and EMG engines,
 *    then replayed into the guide with ticks every 20 ms), per tick and
 *    per input, and the real-time factor;
 * 2. memory: bytes allocated by guide_new();
 * 3. accuracy over many seeds, end to end through the pipeline (simulated
 *    ECG -> beat detector -> HRV; EMG engine): ease latency after the surge
 *    onset (target <= 5 s), false ease in 10 minutes of calm (target 0),
 *    release drop time after the simulated drop (target <= 3 s), false
 *    releases in calm (target 0), pacer timing error over 10 minutes
 *    (target < 50 ms).
 * Usage: build-bench/bench/bench_guide [seeds]   (default 20)
 */
#include "../unit/guide_sim.h"
#include "guide_int.h"

#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------------- speed */
#define MAX_EMG_RES 60000
#define MAX_BEATS 2000

static struct pl_emg rec_emg[MAX_EMG_RES];
static struct pl_beat rec_beat[MAX_BEATS];
static struct pl_hrv rec_hrv[MAX_BEATS * 2];
static size_t n_emg, n_beat, n_hrv;

static void rec_on_beat(void *ctx, const struct pl_beat *b)
{
	(void)ctx;
	if (n_beat < MAX_BEATS)
		rec_beat[n_beat++] = *b;
}

static void rec_on_hrv(void *ctx, const struct pl_hrv *h)
{
	(void)ctx;
	if (n_hrv < MAX_BEATS * 2)
		rec_hrv[n_hrv++] = *h;
}

static void rec_on_emg(void *ctx, const struct pl_emg *e)
{
	(void)ctx;
	if (n_emg < MAX_EMG_RES)
		rec_emg[n_emg++] = *e;
}

static void speed(void)
{
	/* record the inputs of a 600 s massage session through the pipeline */
	struct gsim s;
	if (gs_open_pl(&s, "massage", 2, 3, NULL) != VG_OK)
		exit(1);
	struct pl_output po = { .beat = rec_on_beat, .hrv = rec_on_hrv, .emg = rec_on_emg };
	pl_destroy(&s.pl);
	int err;
	s.pl = pl_new(NULL, &po, &err);
	s.ecg_id = pl_add_input(s.pl, PL_IN_ECG, sim_ecg_fs(s.sim), "ECG", GS_ORIGIN_NS);
	for (unsigned c = 0; c < s.n_emg; c++)
		s.emg_id[c] = pl_add_input(s.pl, PL_IN_EMG, sim_emg_fs(s.sim),
					   gs_region_names[c], GS_ORIGIN_NS);
	double t0 = now_s();
	gs_pl_until(&s, 600.0);
	double t_pipeline = now_s() - t0;
	gs_close(&s);

	/* replay into the guide alone */
	struct guide *g = guide_new(NULL, NULL, NULL);
	struct pacer_cfg pc = { .mode = PACER_ADAPTIVE };
	guide_session_start(g, "bench", GS_ORIGIN_NS);
	guide_pacer_set(g, &pc, GS_ORIGIN_NS);
	guide_hold_start(g, "myofascial", "trapezius-left", GS_ORIGIN_NS);
	size_t ie = 0, ib = 0, ih = 0;
	long ticks = 0;
	t0 = now_s();
	for (int64_t t = GS_ORIGIN_NS; t <= GS_ORIGIN_NS + 600LL * 1000000000LL; t += 20000000) {
		while (ib < n_beat && rec_beat[ib].t_ns <= t)
			guide_beat(g, &rec_beat[ib++]);
		while (ih < n_hrv && rec_hrv[ih].t_ns <= t)
			guide_hrv(g, &rec_hrv[ih++]);
		while (ie < n_emg && rec_emg[ie].t_ns <= t)
			guide_emg(g, &rec_emg[ie++]);
		if (ticks % 3000 == 1500)
			guide_mark(g, "bench", "trapezius-left", 3.0, t);
		guide_tick(g, t);
		ticks++;
	}
	static struct guide_summary sum;
	guide_session_stop(g, GS_ORIGIN_NS + 600LL * 1000000000LL, &sum);
	static char md[65536];
	double t1 = now_s();
	int mdn = guide_summary_markdown(&sum, md, sizeof(md));
	double t_md = now_s() - t1;
	double t_guide = now_s() - t0;
	guide_destroy(&g);
	size_t inputs = n_beat + n_hrv + n_emg;
	printf("speed: guide over a 600 s session: %.1f ms CPU (%.0fx real time) for %ld ticks and %zu inputs "
	       "(%zu beats, %zu hrv, %zu emg): %.2f us per tick+inputs; Markdown %d bytes in %.3f ms. "
	       "(Pipeline producing those inputs: %.0f ms.)\n",
	       t_guide * 1e3, 600.0 / t_guide, ticks, inputs, n_beat, n_hrv, n_emg,
	       t_guide * 1e6 / (double)ticks, mdn, t_md * 1e3, t_pipeline * 1e3);
}

static void memory(void)
{
	size_t series = (5 + GUIDE_MAX_REGIONS) *
			GUIDE_HIST_BINS * (sizeof(int64_t) + sizeof(double) + sizeof(uint32_t));
	printf("memory: struct guide %zu bytes + %zu bytes of series + calm.h state; "
	       "struct guide_summary %zu bytes (caller's)\n",
	       sizeof(struct guide), series, sizeof(struct guide_summary));
}

/* ---------------------------------------------------------------- accuracy */
struct acc {
	double first_ease;
	double drop;
	int nrel;
};

static void acc_guide(void *ctx, const struct guide_msg *m)
{
	struct acc *a = ctx;
	if (m->advice == GUIDE_ADV_EASE && isnan(a->first_ease))
		a->first_ease = (double)(m->t_ns - GS_ORIGIN_NS) / 1e9;
}

static void acc_release(void *ctx, const struct guide_release *r)
{
	struct acc *a = ctx;
	if (a->nrel++ == 0)
		a->drop = (double)(r->drop_t_ns - GS_ORIGIN_NS) / 1e9;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void stats(const char *what, double *v, int n, const char *target)
{
	qsort(v, (size_t)n, sizeof(double), cmp_dbl);
	printf("%s: min %.2f, median %.2f, max %.2f s over %d seeds (target %s)\n", what,
	       v[0], v[n / 2], v[n - 1], n, target);
}

static void accuracy(int seeds)
{
	double *lat = calloc((size_t)seeds, sizeof(double));
	double *rel = calloc((size_t)seeds, sizeof(double));
	int false_ease = 0, false_rel = 0, miss_ease = 0, miss_rel = 0;
	for (int i = 0; i < seeds; i++) {
		uint64_t seed = 1000 + (uint64_t)i;
		struct acc a = { NAN, NAN, 0 };
		struct guide_output out = { .ctx = &a, .guide = acc_guide, .release = acc_release };
		struct gsim s;
		/* surge */
		gs_open_pl(&s, "surge", 2, seed, &out);
		gs_run(&s, 75.0);
		gs_close(&s);
		lat[i] = a.first_ease - 60.0;
		miss_ease += !(lat[i] >= 0.0 && lat[i] <= 5.0);
		/* release */
		a = (struct acc){ NAN, NAN, 0 };
		gs_open_pl(&s, "release", 2, seed, &out);
		gs_run(&s, 20.0);
		guide_hold_start(s.g, "myofascial", "trapezius-left", gs_ns(20.0));
		gs_run(&s, 90.0);
		gs_close(&s);
		rel[i] = a.drop - 60.0;
		miss_rel += !(a.nrel == 1 && rel[i] >= 0.0 && rel[i] <= 3.0);
		/* calm, 10 minutes, holding ch0 */
		a = (struct acc){ NAN, NAN, 0 };
		gs_open_pl(&s, "calm", 2, seed, &out);
		gs_run(&s, 10.0);
		guide_hold_start(s.g, "myofascial", "trapezius-left", gs_ns(10.0));
		gs_run(&s, 600.0);
		gs_close(&s);
		false_ease += !isnan(a.first_ease);
		false_rel += a.nrel;
	}
	stats("ease after the surge onset (t = 60 s), end to end", lat, seeds, "<= 5 s");
	printf("  seeds outside 0..5 s: %d\n", miss_ease);
	stats("release drop time after the simulated drop (t = 60 s), end to end", rel, seeds, "<= 3 s");
	printf("  seeds without exactly one release within 0..3 s: %d\n", miss_rel);
	printf("calm, 10 min x %d seeds: %d with an ease (target 0), %d releases (target 0)\n",
	       seeds, false_ease, false_rel);
	free(lat);
	free(rel);
}

static void pacer_timing(void)
{
	struct pacer p;
	struct pacer_cfg c = { .mode = PACER_426 };
	pacer_start(&p, &c, 0, NAN);
	uint64_t lcg = 99;
	double worst = 0;
	for (int64_t t = 0; t < 600LL * 1000000000LL;) {
		lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
		t += 10000000 + (int64_t)((lcg >> 33) % 40000001);
		struct pacer_state st;
		pacer_at(&p, t, &st);
		/* breath k must start at exactly k * 12 s, and the position
		 * within it must be t - k * 12 s */
		int64_t k = t / 12000000000LL;
		double start_err = fabs((double)(st.breath_start_ns - k * 12000000000LL)) / 1e9;
		double pos_err = fabs(st.breath_progress * 12.0 -
				      (double)(t - k * 12000000000LL) / 1e9);
		worst = fmax(worst, fmax(start_err, pos_err));
	}
	printf("pacer 4-2-6, 10 min of 10..50 ms ticks: worst position error %.6f ms (target < 50 ms)\n",
	       worst * 1e3);
}

int main(int argc, char **argv)
{
	int seeds = argc > 1 ? atoi(argv[1]) : 20;
	if (seeds < 1)
		seeds = 1;
	speed();
	memory();
	pacer_timing();
	accuracy(seeds);
	return 0;
}
