/*
 * resp_fuse.c - smart fusion of breathing-rate estimates (see resp_fuse.h).
 *
 * 1. Candidates: finite estimates with quality >= q_min.
 * 2. For each candidate c, its group = candidates within +-agree_bpm of c;
 *    the group's weight = sum of its qualities. The heaviest group wins;
 *    between groups within 10 % of the best weight, the one whose centre is
 *    nearest the track (a rate published less than track_s ago) wins.
 * 3. With >= 2 modulations holding data, the group needs >= min_agree
 *    members, else the reason is DISAGREE (or LOW_QUALITY when there was
 *    no candidate at all). With one modulation (a beat-only source: RSA),
 *    it stands alone when its quality is >= single_q_min.
 * 4. Rate = quality-weighted mean of the group; confidence = its mean
 *    quality.
 * Defaults: chosen by tests/bench/bench_resp.c over drivedb drive05, the
 * two NeuroKit recordings (resp/) and the simulator together; the bench
 * prints the leave-one-record-out choice beside them.
 */
#include "resp_fuse.h"

#include <math.h>
#include <string.h>

#define TIE_SHARE 0.9 /* groups within this share of the best weight tie */

void resp_fuse_defaults(struct resp_fuse_params *p)
{
	p->q_min = 0.40;
	p->agree_bpm = 2.0;
	p->min_agree = 2;
	p->single_q_min = 0.6;
	p->track_s = 30.0;
}

void resp_track_reset(struct resp_track *tr)
{
	if (tr) {
		tr->bpm = NAN;
		tr->t_ns = INT64_MIN;
	}
}

const char *resp_reason_name(enum resp_reason r)
{
	switch (r) {
	case RESP_REASON_LOW_QUALITY: return "low_quality";
	case RESP_REASON_DISAGREE: return "disagree";
	default: return "none";
	}
}

void resp_fuse(const double *bpm, const double *q, int n, const struct resp_fuse_params *p,
	       struct resp_track *tr, int64_t t_ns, struct resp_fused *out)
{
	memset(out, 0, sizeof(*out));
	out->bpm = NAN;
	out->reason = RESP_REASON_LOW_QUALITY;
	int n_data = 0, n_cand = 0;
	for (int i = 0; i < n; i++) {
		if (!isfinite(bpm[i]))
			continue;
		n_data++;
		n_cand += q[i] >= p->q_min;
	}
	if (n_cand == 0)
		return;
	double track = NAN;
	if (tr && isfinite(tr->bpm) && (double)(t_ns - tr->t_ns) * 1e-9 <= p->track_s)
		track = tr->bpm;
	double w[32] = { 0 };
	unsigned grp[32] = { 0 };
	int nn = n < 32 ? n : 32;
	double best_w = 0.0;
	for (int c = 0; c < nn; c++) {
		if (!isfinite(bpm[c]) || q[c] < p->q_min)
			continue;
		for (int j = 0; j < nn; j++)
			if (isfinite(bpm[j]) && q[j] >= p->q_min && fabs(bpm[j] - bpm[c]) <= p->agree_bpm) {
				w[c] += q[j];
				grp[c] |= 1u << j;
			}
		if (w[c] > best_w)
			best_w = w[c];
	}
	int pick = -1;
	double pick_d = INFINITY;
	for (int c = 0; c < nn; c++) {
		if (!(w[c] > 0.0) || w[c] < TIE_SHARE * best_w)
			continue;
		double d = isfinite(track) ? fabs(bpm[c] - track) : best_w - w[c];
		if (pick < 0 || d < pick_d) {
			pick = c;
			pick_d = d;
		}
	}
	double sw = 0.0, sx = 0.0;
	int members = 0;
	for (int j = 0; j < nn; j++)
		if (grp[pick] & (1u << j)) {
			sw += q[j];
			sx += q[j] * bpm[j];
			members++;
		}
	if (n_data >= 2 ? members < p->min_agree : q[pick] < p->single_q_min) {
		out->reason = n_data >= 2 ? RESP_REASON_DISAGREE : RESP_REASON_LOW_QUALITY;
		return;
	}
	out->bpm = sx / sw;
	out->confidence = sw / members;
	out->members = grp[pick];
	out->reason = RESP_REASON_NONE;
	if (tr) {
		tr->bpm = out->bpm;
		tr->t_ns = t_ns;
	}
}
