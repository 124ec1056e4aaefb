/*
 * guide_sim.h - drive the guide from the simulator, in-process and faster
 * than real time (shared by the test_guide_* programs).
 *
 * The simulator's true beats go through the HRV engine (60 s and 300 s
 * windows, like the pipeline's defaults) and its EMG through the EMG
 * engine (20 Hz results), exactly as the pipeline forwards a beat-only
 * source and EMG inputs; guide_tick() runs at jittery 10-50 ms intervals.
 * (The pipeline itself is not linked: main has no beat detector yet.)
 */
#ifndef GUIDE_SIM_H
#define GUIDE_SIM_H

#include "emg.h"
#include "guide.h"
#include "hrv.h"
#include "pipeline.h"
#include "sim_model.h"
#include "vg_err.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GS_ORIGIN_NS 1763712000000000000LL
#define GS_EMG_BLOCK 4096
#define GS_NWIN 2

static const char *const gs_region_names[SIM_MAX_EMG] = {
	"trapezius-left", "trapezius-right", "erector-left", "erector-right"
};

struct gsim {
	struct sim *sim;
	struct guide *g;
	struct hrv *hrv[GS_NWIN];
	struct emg *emg[SIM_MAX_EMG];
	unsigned n_emg;
	uint64_t emg_done[SIM_MAX_EMG];
	double t_s;            /* simulated time reached */
	double prev_beat_s;
	uint64_t jitter;       /* LCG state for tick intervals */
	float buf[GS_EMG_BLOCK];
	int cur_ch;
	/* resp truth fed to guide_resp() each second when set */
	int feed_resp_truth;
	double next_resp_s;
};

static inline int64_t gs_ns(double t_s)
{
	return GS_ORIGIN_NS + (int64_t)llround(t_s * 1e9);
}

static inline void gs_on_emg(void *ctx, const struct emg_result *r)
{
	struct gsim *s = ctx;
	struct pl_emg e;
	e.t_ns = gs_ns((double)(r->sample + 1) / sim_emg_fs(s->sim));
	e.r = *r;
	guide_emg(s->g, &e);
}

/* scenario by name; n_emg channels named gs_region_names. */
static inline int gs_open(struct gsim *s, const char *scenario, unsigned n_emg,
			  uint64_t seed, const struct guide_output *out)
{
	memset(s, 0, sizeof(*s));
	int err = 0;
	struct sim_config sc = { .seed = seed, .n_emg = n_emg,
				 .scenario = sim_scenario_find(scenario) };
	if (!sc.scenario)
		return VG_ERR_NOTFOUND;
	s->sim = sim_new(&sc, &err);
	if (!s->sim)
		return err;
	s->g = guide_new(NULL, out, &err);
	if (!s->g)
		return err;
	static const double win[GS_NWIN] = { 60.0, 300.0 };
	for (int w = 0; w < GS_NWIN; w++)
		if (!(s->hrv[w] = hrv_new(win[w], &err)))
			return err;
	s->n_emg = n_emg;
	for (unsigned c = 0; c < n_emg; c++) {
		struct emg_config ec = { .fs_hz = sim_emg_fs(s->sim), .channel = (int)c,
					 .name = gs_region_names[c] };
		if (!(s->emg[c] = emg_new(&ec, gs_on_emg, s, &err)))
			return err;
	}
	s->prev_beat_s = NAN;
	s->jitter = seed * 2654435761u + 1;
	return VG_OK;
}

static inline void gs_close(struct gsim *s)
{
	for (unsigned c = 0; c < s->n_emg; c++)
		emg_destroy(&s->emg[c]);
	for (int w = 0; w < GS_NWIN; w++)
		hrv_destroy(&s->hrv[w]);
	guide_destroy(&s->g);
	sim_destroy(&s->sim);
}

static inline void gs_beats_until(struct gsim *s, double t1)
{
	struct sim_beat b[64];
	size_t n = sim_beats(s->sim, s->t_s, t1, b, 64);
	for (size_t i = 0; i < n; i++) {
		struct pl_beat pb;
		memset(&pb, 0, sizeof(pb));
		pb.t_ns = gs_ns(b[i].t_s);
		pb.sample = -1;
		pb.rr_ms = isnan(s->prev_beat_s) ? NAN : (b[i].t_s - s->prev_beat_s) * 1000.0;
		pb.hr_bpm = 60000.0 / pb.rr_ms;
		pb.quality = 1.0;
		snprintf(pb.source, sizeof(pb.source), "sim");
		s->prev_beat_s = b[i].t_s;
		guide_beat(s->g, &pb);
		if (isnan(pb.rr_ms))
			continue;
		for (int w = 0; w < GS_NWIN; w++) {
			hrv_push(s->hrv[w], pb.t_ns, pb.rr_ms, 0);
			struct pl_hrv h;
			memset(&h, 0, sizeof(h));
			h.t_ns = pb.t_ns;
			if (hrv_compute(s->hrv[w], &h.r) == VG_OK)
				guide_hrv(s->g, &h);
		}
	}
}

static inline void gs_emg_until(struct gsim *s, double t1)
{
	double fs = sim_emg_fs(s->sim);
	uint64_t want = (uint64_t)floor(t1 * fs);
	for (unsigned c = 0; c < s->n_emg; c++) {
		while (s->emg_done[c] < want) {
			uint64_t n = want - s->emg_done[c];
			if (n > GS_EMG_BLOCK)
				n = GS_EMG_BLOCK;
			sim_emg(s->sim, c, s->buf, (size_t)n);
			emg_feed(s->emg[c], s->buf, (size_t)n);
			s->emg_done[c] += n;
		}
	}
}

/* Next tick interval, 10..50 ms, deterministic. */
static inline double gs_jitter_s(struct gsim *s)
{
	s->jitter = s->jitter * 6364136223846793005ull + 1442695040888963407ull;
	return 0.010 + 0.040 * (double)(s->jitter >> 11) / 9007199254740992.0;
}

/* Run the simulation up to t_end_s, ticking the guide. */
static inline void gs_run(struct gsim *s, double t_end_s)
{
	while (s->t_s < t_end_s) {
		double t1 = s->t_s + gs_jitter_s(s);
		if (t1 > t_end_s)
			t1 = t_end_s;
		gs_emg_until(s, t1);
		gs_beats_until(s, t1);
		if (s->feed_resp_truth && t1 >= s->next_resp_s) {
			struct sim_truth tr;
			sim_truth_at(s->sim, t1, &tr);
			guide_resp(s->g, gs_ns(t1), tr.resp_bpm);
			s->next_resp_s = t1 + 1.0;
		}
		s->t_s = t1;
		guide_tick(s->g, gs_ns(t1));
	}
}

#endif
