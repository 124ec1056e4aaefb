/*
 * pipeline.c - wiring of the analysis chain (see pipeline.h).
 *
 * ECG input -> qrs (beats, sub-sample R time, R amplitude) -> HRV chain.
 * Beat-only input -> HRV chain (with the device's RR).
 * HRV chain (hrv_chain.c): RR cleaning with a few beats of look-ahead, the
 * HRV windows, breathing (RSA + ECG-derived respiration), calm.
 * EMG input -> emg (envelope, state) at its publish rate.
 * Times: a sample index i of input k is at origin_k + i / fs_k. A gap
 * advances the index without samples; the RR across a gap is not formed
 * (the next beat has rr_ms = NAN and HRV gets HRV_NN_AFTER_GAP on the
 * interval after it).
 * ECG crosstalk: the driving ECG input also runs an early QRS marker
 * (xtalk.h) whose marks, a few tens of ms after each R peak, are handed to
 * each EMG input on its own sample clock (emg_ecg_beat); EMG inputs run
 * with an envelope delay of PL_EMG_ECG_DELAY_MS that covers the marker,
 * not the beat detector's 295 ms decision delay, so tension reaches the
 * screen about 200 ms sooner. A confirmed beat no mark covered still gates
 * when it comes in time (it rarely does; emg.c counts the late ones).
 * Limits: one HRV chain: the first ECG input, or beat-only inputs.
 */
#include "pipeline.h"
#include "hrv_chain.h"
#include "qrs.h"
#include "rr.h"
#include "vg_err.h"
#include "xtalk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* EMG envelope delay so that QRS marks (xtalk.h: a mark comes within about
 * 30 ms of R, and the gate opens 50 ms before R) still gate the crosstalk,
 * with room for the ECG being fed up to about 40 ms after the EMG */
#define PL_EMG_ECG_DELAY_MS 120.0

struct pl_input {
	struct pipeline *pl;
	enum pl_input_kind kind;
	double fs_hz;
	char name[32];
	int64_t origin_ns;
	uint64_t n;          /* samples consumed (gaps included) */
	struct qrs *qrs;     /* ECG inputs */
	struct xtalk *xt;    /* ECG inputs: early QRS marks for EMG gating */
	struct emg *emg;     /* EMG inputs */
	int emg_channel;     /* daemon-wide EMG channel number */
	/* beat bookkeeping */
	double last_beat_s;  /* time of the previous beat (s from origin), NAN = none */
	int gap_pending;     /* a gap happened since the last beat */
};

struct pipeline {
	struct pl_config cfg;
	struct pl_output out;
	struct pl_input in[PL_MAX_INPUTS];
	int nin;
	int n_emg;
	struct hc *hc;       /* HRV chain */
	int ecg_driver;      /* input id whose beats drive HRV, -1 = none yet */
};

static int64_t to_ns(const struct pl_input *in, double t_s)
{
	return in->origin_ns + (int64_t)llround(t_s * 1e9);
}

static void on_hc_hrv(void *ctx, int w, int64_t t_ns, const struct hrv_result *r)
{
	struct pipeline *pl = ctx;
	(void)w;
	struct pl_hrv h = { .t_ns = t_ns, .r = *r };
	if (pl->out.hrv)
		pl->out.hrv(pl->out.ctx, &h);
}

static void on_hc_resp(void *ctx, int64_t t_ns, const struct resp_result *r)
{
	struct pipeline *pl = ctx;
	struct pl_resp m = { .t_ns = t_ns, .r = *r };
	if (pl->out.resp)
		pl->out.resp(pl->out.ctx, &m);
}

struct pipeline *pl_new(const struct pl_config *cfg, const struct pl_output *out,
			int *err)
{
	int e = VG_ERR_NOMEM;
	struct pipeline *pl = calloc(1, sizeof(*pl));
	if (!pl)
		goto fail;
	if (cfg)
		pl->cfg = *cfg;
	if (pl->cfg.windows_s[0] <= 0) {
		pl->cfg.windows_s[0] = 60;
		pl->cfg.windows_s[1] = 300;
	}
	if (pl->cfg.emg_publish_hz <= 0)
		pl->cfg.emg_publish_hz = 20;
	if (pl->cfg.emg_window_ms <= 0)
		pl->cfg.emg_window_ms = 250;
	if (out)
		pl->out = *out;
	pl->ecg_driver = -1;
	struct hc_config hcc = { .windows_s = { 0 } };
	for (int i = 0; i < PL_MAX_WINDOWS && i < HC_MAX_WINDOWS; i++)
		hcc.windows_s[i] = pl->cfg.windows_s[i];
	struct hc_output ho = { pl, on_hc_hrv, on_hc_resp };
	pl->hc = hc_new(&hcc, &ho, &e);
	if (!pl->hc)
		goto fail;
	return pl;
fail:
	pl_destroy(&pl);
	if (err)
		*err = e;
	return NULL;
}

void pl_destroy(struct pipeline **plp)
{
	if (!plp || !*plp)
		return;
	struct pipeline *pl = *plp;
	for (int i = 0; i < pl->nin; i++) {
		qrs_destroy(&pl->in[i].qrs);
		xtalk_destroy(&pl->in[i].xt);
		emg_destroy(&pl->in[i].emg);
	}
	hc_destroy(&pl->hc);
	free(pl);
	*plp = NULL;
}

/* A beat at t_s (seconds from the input's origin); ecg: its QRS features
 * for breathing (NULL for beat-only sources). */
static void handle_beat(struct pl_input *in, double t_s, int64_t sample,
			double quality, double rr_given_ms, int after_gap,
			const struct resp_beat *ecg, unsigned beat_flags)
{
	struct pipeline *pl = in->pl;
	struct pl_beat b = { .t_ns = to_ns(in, t_s), .sample = sample,
			     .quality = quality };
	snprintf(b.source, sizeof(b.source), "%s", in->name);
	int gap = in->gap_pending || after_gap;
	double rr = NAN;
	if (rr_given_ms > 0 && !gap)
		rr = rr_given_ms;
	else if (!isnan(in->last_beat_s) && !gap)
		rr = (t_s - in->last_beat_s) * 1000.0;
	b.rr_ms = rr;
	b.hr_bpm = isnan(rr) ? NAN : 60000.0 / rr;
	in->last_beat_s = t_s;
	in->gap_pending = 0;
	if (pl->out.beat)
		pl->out.beat(pl->out.ctx, &b);

	int drives = (in->kind == PL_IN_BEATS) ||
		     (pl->ecg_driver == (int)(in - pl->in));
	if (!drives)
		return;
	/* the cleaner sees every interval (short and long ones are how it
	 * finds extra and missed beats); nothing spans a gap */
	if (gap)
		hc_gap(pl->hc);
	hc_beat_ecg(pl->hc, b.t_ns, rr_given_ms > 0 && !gap ? rr_given_ms : NAN, ecg, beat_flags);
}

/* Tell every EMG input where an R peak fell, on its own sample clock. */
static void gate_emg(struct pipeline *pl, int64_t r_ns)
{
	for (int i = 0; i < pl->nin; i++) {
		struct pl_input *e = &pl->in[i];
		if (!e->emg)
			continue;
		double t_s = (double)(r_ns - e->origin_ns) * 1e-9;
		if (t_s >= 0)
			emg_ecg_beat(e->emg, llround(t_s * e->fs_hz));
	}
}

static void on_qrs_beat(void *ctx, const struct qrs_beat *qb)
{
	struct pl_input *in = ctx;
	double t_s = qb->sample_frac / in->fs_hz;
	if (in->pl->ecg_driver == (int)(in - in->pl->in) && in->pl->n_emg &&
	    !xtalk_beat(in->xt, qb->sample))
		gate_emg(in->pl, to_ns(in, t_s));
	struct resp_beat f = { NAN, qb->amplitude_mv, qb->rs_mv, qb->area, qb->baseline_mv };
	handle_beat(in, t_s, qb->sample, qb->quality, 0.0, 0, &f,
		    (qb->flags & QRS_BEAT_ODD_P) ? RR_BEAT_ODD_P : 0u);
}

static void on_emg(void *ctx, const struct emg_result *r)
{
	struct pl_input *in = ctx;
	struct pipeline *pl = in->pl;
	struct pl_emg e = { .t_ns = to_ns(in, (double)(r->sample + 1) / in->fs_hz),
			    .r = *r };
	if (pl->out.emg)
		pl->out.emg(pl->out.ctx, &e);
}

int pl_add_input(struct pipeline *pl, enum pl_input_kind kind, double fs_hz,
		 const char *name, int64_t origin_ns)
{
	if (pl->nin >= PL_MAX_INPUTS)
		return VG_ERR_RANGE;
	if (kind != PL_IN_BEATS && !(fs_hz > 0.0))
		return VG_ERR_INVAL;
	struct pl_input *in = &pl->in[pl->nin];
	memset(in, 0, sizeof(*in));
	in->pl = pl;
	in->kind = kind;
	in->fs_hz = fs_hz;
	in->origin_ns = origin_ns;
	in->last_beat_s = NAN;
	snprintf(in->name, sizeof(in->name), "%s", name ? name : "");
	int err = VG_OK;
	if (kind == PL_IN_ECG) {
		in->qrs = qrs_new(fs_hz, on_qrs_beat, in, &err);
		if (!in->qrs)
			return err;
		if (fs_hz >= 100.0 && !(in->xt = xtalk_new(fs_hz, &err))) {
			qrs_destroy(&in->qrs);
			return err;
		}
		if (pl->ecg_driver < 0)
			pl->ecg_driver = pl->nin;
	} else if (kind == PL_IN_EMG) {
		struct emg_config ec = { .fs_hz = fs_hz,
					 .window_ms = pl->cfg.emg_window_ms,
					 .publish_hz = pl->cfg.emg_publish_hz,
					 .channel = pl->n_emg, .name = name,
					 .ecg_delay_ms = PL_EMG_ECG_DELAY_MS };
		in->emg = emg_new(&ec, on_emg, in, &err);
		if (!in->emg)
			return err;
		in->emg_channel = pl->n_emg++;
	}
	return pl->nin++;
}

void pl_feed(struct pipeline *pl, int id, const float *v, size_t n)
{
	if (id < 0 || id >= pl->nin)
		return;
	struct pl_input *in = &pl->in[id];
	if (in->xt && pl->n_emg && pl->ecg_driver == id) {
		for (size_t k = 0; k < n; k++) {
			int64_t r;
			if (xtalk_step(in->xt, v[k], &r))
				gate_emg(pl, to_ns(in, (double)r / in->fs_hz));
		}
	} else {
		xtalk_gap(in->xt, n); /* no EMG to gate: keep the count only */
	}
	if (in->qrs)
		qrs_feed(in->qrs, v, n);
	else if (in->emg)
		emg_feed(in->emg, v, n);
	in->n += n;
}

void pl_gap(struct pipeline *pl, int id, uint64_t n_missing)
{
	if (id < 0 || id >= pl->nin || n_missing == 0)
		return;
	struct pl_input *in = &pl->in[id];
	if (in->qrs)
		qrs_gap(in->qrs, n_missing);
	xtalk_gap(in->xt, n_missing);
	if (in->emg)
		emg_gap(in->emg, n_missing);
	in->n += n_missing;
	in->gap_pending = 1;
}

void pl_feed_beat(struct pipeline *pl, int id, int64_t t_ns, double rr_ms,
		  unsigned flags)
{
	if (id < 0 || id >= pl->nin || pl->in[id].kind != PL_IN_BEATS)
		return;
	struct pl_input *in = &pl->in[id];
	double t_s = (double)(t_ns - in->origin_ns) * 1e-9;
	handle_beat(in, t_s, -1, 1.0, rr_ms, (flags & PL_BEAT_AFTER_GAP) != 0, NULL, 0u);
}

uint64_t pl_input_samples(const struct pipeline *pl, int id)
{
	return (id >= 0 && id < pl->nin) ? pl->in[id].n : 0;
}

static struct pl_input *emg_input(struct pipeline *pl, int channel)
{
	for (int i = 0; i < pl->nin; i++)
		if (pl->in[i].emg && pl->in[i].emg_channel == channel)
			return &pl->in[i];
	return NULL;
}

int pl_emg_calibrate(struct pipeline *pl, int channel, enum emg_cal kind,
		     double seconds)
{
	struct pl_input *in = emg_input(pl, channel);
	if (!in)
		return VG_ERR_NOTFOUND;
	return emg_calibrate(in->emg, kind, seconds);
}

int pl_emg_hold(struct pipeline *pl, int channel, int start)
{
	struct pl_input *in = emg_input(pl, channel);
	if (!in)
		return VG_ERR_NOTFOUND;
	if (start)
		emg_hold_start(in->emg);
	else
		emg_hold_stop(in->emg);
	return VG_OK;
}

int pl_emg_channels(const struct pipeline *pl)
{
	return pl->n_emg;
}

int pl_emg_find(const struct pipeline *pl, const char *name)
{
	for (int i = 0; i < pl->nin; i++)
		if (pl->in[i].emg && !strcmp(pl->in[i].name, name))
			return pl->in[i].emg_channel;
	return -1;
}

void pl_tick(struct pipeline *pl, int64_t now_ns)
{
	hc_tick(pl->hc, now_ns);
}

void pl_reset_baseline(struct pipeline *pl)
{
	hc_set_calm_baseline(pl->hc, 0.0);
	hc_reset(pl->hc);
}

void pl_baseline_start(struct pipeline *pl, double seconds)
{
	hc_set_calm_baseline(pl->hc, seconds);
	hc_reset(pl->hc);
}

int pl_emg_get_calibration(const struct pipeline *pl, int channel, double *rest_uv,
			   double *reference_uv)
{
	for (int i = 0; i < pl->nin; i++)
		if (pl->in[i].emg && pl->in[i].emg_channel == channel) {
			emg_get_calibration(pl->in[i].emg, rest_uv, reference_uv);
			return VG_OK;
		}
	*rest_uv = *reference_uv = NAN;
	return VG_ERR_NOTFOUND;
}

int pl_emg_set_calibration(struct pipeline *pl, int channel, double rest_uv,
			   double reference_uv)
{
	struct pl_input *in = emg_input(pl, channel);
	if (!in)
		return VG_ERR_NOTFOUND;
	emg_set_calibration(in->emg, rest_uv, reference_uv);
	return VG_OK;
}

void pl_flush(struct pipeline *pl)
{
	for (int i = 0; i < pl->nin; i++)
		if (pl->in[i].qrs)
			qrs_flush(pl->in[i].qrs);
}
