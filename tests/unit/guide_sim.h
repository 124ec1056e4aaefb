/*
 * guide_sim.h - drive the guide from the simulator, in-process and faster
 * than real time (shared by the test_guide_* programs).
 *
 * Two modes. gs_open(): the simulator's true beats go through the HRV
 * engine (60 s and 300 s windows, like the pipeline's defaults) and its
 * EMG through the EMG engine (20 Hz results), as the pipeline forwards a
 * beat-only source and EMG inputs - the guide sees exact beats.
 * gs_open_pl(): end to end through the real pipeline (simulated ECG ->
 * beat detector -> RR -> HRV; EMG -> EMG engine), as in the daemon.
 * guide_tick() runs at jittery 10-50 ms intervals.
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
	struct pipeline *pl;   /* gs_open_pl() mode */
	int ecg_id, emg_id[SIM_MAX_EMG];
	uint64_t ecg_done;
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

static inline void gs_pl_beat(void *ctx, const struct pl_beat *b)
{
	guide_beat(((struct gsim *)ctx)->g, b);
}

static inline void gs_pl_hrv(void *ctx, const struct pl_hrv *h)
{
	guide_hrv(((struct gsim *)ctx)->g, h);
}

static inline void gs_pl_emg(void *ctx, const struct pl_emg *e)
{
	guide_emg(((struct gsim *)ctx)->g, e);
}

/* End-to-end mode: simulated ECG and EMG through the pipeline. */
static inline int gs_open_pl(struct gsim *s, const char *scenario, unsigned n_emg,
			     uint64_t seed, const struct guide_output *out)
{
	int err = gs_open(s, scenario, 0, seed, out);
	if (err)
		return err;
	for (int w = 0; w < GS_NWIN; w++)
		hrv_destroy(&s->hrv[w]);
	/* a second simulator with the EMG channels (same seed, same data) */
	sim_destroy(&s->sim);
	struct sim_config sc = { .seed = seed, .n_emg = n_emg,
				 .scenario = sim_scenario_find(scenario) };
	s->sim = sim_new(&sc, &err);
	if (!s->sim)
		return err;
	struct pl_output po = { .ctx = s, .beat = gs_pl_beat, .hrv = gs_pl_hrv,
				.emg = gs_pl_emg };
	s->pl = pl_new(NULL, &po, &err);
	if (!s->pl)
		return err;
	s->ecg_id = pl_add_input(s->pl, PL_IN_ECG, sim_ecg_fs(s->sim), "ECG", GS_ORIGIN_NS);
	if (s->ecg_id < 0)
		return s->ecg_id;
	for (unsigned c = 0; c < n_emg; c++) {
		s->emg_id[c] = pl_add_input(s->pl, PL_IN_EMG, sim_emg_fs(s->sim),
					    gs_region_names[c], GS_ORIGIN_NS);
		if (s->emg_id[c] < 0)
			return s->emg_id[c];
	}
	s->n_emg = n_emg;
	return VG_OK;
}

static inline void gs_pl_until(struct gsim *s, double t1)
{
	uint64_t want = (uint64_t)floor(t1 * sim_ecg_fs(s->sim));
	while (s->ecg_done < want) {
		uint64_t n = want - s->ecg_done;
		if (n > GS_EMG_BLOCK)
			n = GS_EMG_BLOCK;
		sim_ecg(s->sim, s->buf, (size_t)n);
		pl_feed(s->pl, s->ecg_id, s->buf, (size_t)n);
		s->ecg_done += n;
	}
	want = (uint64_t)floor(t1 * sim_emg_fs(s->sim));
	for (unsigned c = 0; c < s->n_emg; c++)
		while (s->emg_done[c] < want) {
			uint64_t n = want - s->emg_done[c];
			if (n > GS_EMG_BLOCK)
				n = GS_EMG_BLOCK;
			sim_emg(s->sim, c, s->buf, (size_t)n);
			pl_feed(s->pl, s->emg_id[c], s->buf, (size_t)n);
			s->emg_done[c] += n;
		}
}

static inline void gs_close(struct gsim *s)
{
	pl_destroy(&s->pl);
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
		if (s->pl) {
			gs_pl_until(s, t1);
		} else {
			gs_emg_until(s, t1);
			gs_beats_until(s, t1);
		}
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
