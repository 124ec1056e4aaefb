/*
 * hrv_chain.c - beats -> rr -> hrv windows, resp, calm (see hrv_chain.h).
 *
 * Amplitudes wait in a small ring keyed by beat time until the cleaner
 * decides the interval ending at that beat; a corrected interval reaches
 * resp as NAN (no RSA sample) with its amplitude if the beat is known, and
 * a beat the cleaner merged away (extra beat) never reaches resp. The
 * breathing rate given to hrv is the last resp result with confidence >=
 * HC_RESP_MIN_CONFIDENCE (NAN otherwise: hrv then estimates it from the
 * RR spectrum, see hrv.c). Every window's spectrum is robust
 * (hrv_set_robust: an odd interval the cleaner let through is bridged).
 * One calm state per window.
 */
#include "hrv_chain.h"
#include "calm.h"
#include "rr.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AMP_RING 16 /* > RR_LOOKAHEAD + splits */

struct hc {
	struct hc_config cfg;
	struct hc_output out;
	struct rr_clean *rr;
	struct hrv *w[HC_MAX_WINDOWS];
	struct calm *calm[HC_MAX_WINDOWS];
	int nw;
	struct resp *resp;
	double resp_hz;          /* last confident breathing rate, NAN = none */
	int64_t next_resp_ns;    /* next resp report, INT64_MIN = not started */
	int64_t last_resp_t;     /* newest beat given to resp */
	int64_t amp_t[AMP_RING];
	struct resp_beat amp_v[AMP_RING]; /* ECG features per beat (nn_ms unused) */
	unsigned amp_head;
};

static void apply_defaults(struct hc_config *c)
{
	if (c->windows_s[0] <= 0.0) {
		c->windows_s[0] = 60.0;
		c->windows_s[1] = 300.0;
	}
	if (c->resp_window_s <= 0.0)
		c->resp_window_s = RESP_DEFAULT_WINDOW_S;
	if (c->resp_period_s <= 0.0)
		c->resp_period_s = 1.0;
	if (c->calm_baseline_s <= 0.0)
		c->calm_baseline_s = CALM_DEFAULT_BASELINE_S;
}

struct hc *hc_new(const struct hc_config *cfg, const struct hc_output *out, int *err)
{
	int e = VG_ERR_NOMEM;
	struct hc *h = calloc(1, sizeof(*h));
	if (!h)
		goto fail;
	if (cfg)
		h->cfg = *cfg;
	apply_defaults(&h->cfg);
	if (out)
		h->out = *out;
	h->rr = rr_new(NULL, &e);
	if (!h->rr)
		goto fail;
	for (int i = 0; i < HC_MAX_WINDOWS && h->cfg.windows_s[i] > 0.0; i++) {
		h->w[i] = hrv_new(h->cfg.windows_s[i], &e);
		hrv_set_robust(h->w[i], 1); /* an odd interval must not move LF/HF */
		h->calm[i] = h->w[i] ? calm_new(h->cfg.calm_baseline_s, &e) : NULL;
		if (!h->calm[i])
			goto fail;
		h->nw++;
	}
	h->resp = resp_new(h->cfg.resp_window_s, &e);
	if (!h->resp)
		goto fail;
	hc_reset(h);
	return h;
fail:
	hc_destroy(&h);
	if (err)
		*err = e;
	return NULL;
}

void hc_destroy(struct hc **hp)
{
	if (!hp || !*hp)
		return;
	struct hc *h = *hp;
	rr_destroy(&h->rr);
	for (int i = 0; i < HC_MAX_WINDOWS; i++) {
		hrv_destroy(&h->w[i]);
		calm_destroy(&h->calm[i]);
	}
	resp_destroy(&h->resp);
	free(h);
	*hp = NULL;
}

void hc_set_calm_baseline(struct hc *h, double baseline_s)
{
	if (!h)
		return;
	if (!(baseline_s > 0.0))
		baseline_s = h->cfg.calm_baseline_s;
	for (int i = 0; i < h->nw; i++)
		calm_set_baseline_s(h->calm[i], baseline_s);
}

void hc_reset(struct hc *h)
{
	if (!h)
		return;
	rr_reset(h->rr);
	for (int i = 0; i < h->nw; i++) {
		hrv_reset(h->w[i]);
		calm_reset(h->calm[i]);
	}
	resp_reset(h->resp);
	h->resp_hz = NAN;
	h->next_resp_ns = INT64_MIN;
	h->last_resp_t = INT64_MIN;
	for (int i = 0; i < AMP_RING; i++) {
		h->amp_t[i] = INT64_MIN;
		h->amp_v[i] = (struct resp_beat){ NAN, NAN, NAN, NAN, NAN };
	}
	h->amp_head = 0;
}

int hc_nwindows(const struct hc *h)
{
	return h ? h->nw : 0;
}

static struct resp_beat take_amp(struct hc *h, int64_t t_ns, double nn_ms)
{
	struct resp_beat b = { NAN, NAN, NAN, NAN, NAN };
	for (int i = 0; i < AMP_RING; i++)
		if (h->amp_t[i] == t_ns) {
			b = h->amp_v[i];
			break;
		}
	b.nn_ms = nn_ms;
	return b;
}

static void report_resp(struct hc *h, int64_t now_ns)
{
	if (h->next_resp_ns == INT64_MIN || now_ns < h->next_resp_ns)
		return;
	int64_t period = (int64_t)(h->cfg.resp_period_s * 1e9);
	while (h->next_resp_ns <= now_ns)
		h->next_resp_ns += period;
	struct resp_result r;
	if (resp_compute(h->resp, &r) != 0)
		return;
	h->resp_hz = r.confidence >= HC_RESP_MIN_CONFIDENCE ? r.resp_hz : NAN;
	if (h->out.resp)
		h->out.resp(h->out.ctx, now_ns, &r);
}

static void deliver(struct hc *h, const struct rr_nn *o, int k)
{
	for (int j = 0; j < k; j++) {
		const struct rr_nn *n = &o[j];
		if (n->t_ns > h->last_resp_t) {
			double nn = (n->flags & HRV_NN_CORRECTED) ? NAN : n->nn_ms;
			struct resp_beat b = take_amp(h, n->t_ns, nn);
			resp_push(h->resp, n->t_ns, &b);
			h->last_resp_t = n->t_ns;
		}
		if (h->next_resp_ns == INT64_MIN)
			h->next_resp_ns = n->t_ns + (int64_t)(h->cfg.resp_period_s * 1e9);
		report_resp(h, n->t_ns);
		for (int w = 0; w < h->nw; w++) {
			hrv_push(h->w[w], n->t_ns, n->nn_ms, n->flags);
			hrv_set_resp_hz(h->w[w], h->resp_hz);
			struct hrv_result r;
			if (hrv_compute(h->w[w], &r) != 0)
				continue;
			calm_update(h->calm[w], n->t_ns, &r);
			if (h->out.hrv)
				h->out.hrv(h->out.ctx, w, n->t_ns, &r);
		}
	}
}

void hc_beat(struct hc *h, int64_t t_ns, double rr_ms, double amp, unsigned beat_flags)
{
	struct resp_beat f = { NAN, amp, NAN, NAN, NAN };
	hc_beat_ecg(h, t_ns, rr_ms, &f, beat_flags);
}

void hc_beat_ecg(struct hc *h, int64_t t_ns, double rr_ms, const struct resp_beat *ecg,
		 unsigned beat_flags)
{
	if (!h)
		return;
	h->amp_t[h->amp_head] = t_ns;
	h->amp_v[h->amp_head] = ecg ? *ecg : (struct resp_beat){ NAN, NAN, NAN, NAN, NAN };
	h->amp_head = (h->amp_head + 1) % AMP_RING;
	struct rr_nn o[RR_MAX_OUT];
	int k = rr_push_beat(h->rr, t_ns, rr_ms, beat_flags, o);
	deliver(h, o, k);
}

void hc_gap(struct hc *h)
{
	if (!h)
		return;
	struct rr_nn o[RR_MAX_OUT];
	int k = rr_gap(h->rr, o);
	deliver(h, o, k);
	resp_gap(h->resp);
	h->resp_hz = NAN;
	h->last_resp_t = INT64_MIN;
}

void hc_tick(struct hc *h, int64_t now_ns)
{
	if (h)
		report_resp(h, now_ns);
}
