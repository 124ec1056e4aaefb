/*
 * nn_detect.c - detector + RR cleaning on a WFDB record or an EDF+ file
 * (see nn_detect.h); opened through io/recording.h, samples scaled to mV.
 */
#include "nn_detect.h"
#include "hrv.h"
#include "qrs.h"
#include "rr.h"
#include "vg_err.h"
#include "recording.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHUNK 4096
#define BLOCK 32 /* samples per qrs_feed, as a live driver would */

struct ctx {
	double fs, t0_s;
	struct rr_clean *rr;
	struct nn_detect_result *res;
	size_t cap_b, cap_n;
	int have_prev;
	double prev_t;
	int err;
};

static void add_nn(struct ctx *c, const struct rr_nn *o, int k)
{
	for (int j = 0; j < k && !c->err; j++) {
		if (c->res->n_nn == c->cap_n) {
			size_t nc = c->cap_n ? 2 * c->cap_n : 4096;
			struct nn_detect_nn *p = realloc(c->res->nn, nc * sizeof(*p));
			if (!p) {
				c->err = VG_ERR_NOMEM;
				return;
			}
			c->res->nn = p;
			c->cap_n = nc;
		}
		struct nn_detect_nn *d = &c->res->nn[c->res->n_nn++];
		d->t_s = (double)o[j].t_ns * 1e-9;
		d->nn_ms = o[j].nn_ms;
		d->flags = o[j].flags;
		if (o[j].flags & HRV_NN_CORRECTED)
			c->res->corrected++;
	}
}

static void on_beat(void *arg, const struct qrs_beat *b)
{
	struct ctx *c = arg;
	if (c->err)
		return;
	double t = c->t0_s + b->sample_frac / c->fs;
	if (c->res->n_beats == c->cap_b) {
		size_t nc = c->cap_b ? 2 * c->cap_b : 4096;
		struct nn_detect_beat *p = realloc(c->res->beats, nc * sizeof(*p));
		if (!p) {
			c->err = VG_ERR_NOMEM;
			return;
		}
		c->res->beats = p;
		c->cap_b = nc;
	}
	struct nn_detect_beat *d = &c->res->beats[c->res->n_beats++];
	d->t_s = t;
	d->amp_mv = b->amplitude_mv;
	d->area = b->area;
	d->rs_mv = b->rs_mv;
	d->base_mv = b->baseline_mv;
	d->flags = b->flags;
	if (c->have_prev) {
		struct rr_nn o[RR_MAX_OUT];
		int k = rr_push_beat(c->rr, (int64_t)llround(t * 1e9), (t - c->prev_t) * 1000.0,
				     (b->flags & QRS_BEAT_ODD_P) ? RR_BEAT_ODD_P : 0u, o);
		add_nn(c, o, k);
	}
	c->have_prev = 1;
	c->prev_t = t;
}

void nn_detect_free(struct nn_detect_result *res)
{
	if (!res)
		return;
	free(res->beats);
	free(res->nn);
	memset(res, 0, sizeof(*res));
}

int nn_detect_record(const char *record, int sig, double from_s, double to_s,
		     struct nn_detect_result *res)
{
	if (!record || !res || sig < 0)
		return VG_ERR_INVAL;
	memset(res, 0, sizeof(*res));
	int err = 0;
	struct recording *r = recording_open(record, &err);
	if (!r)
		return err;
	if (sig >= recording_nsig(r)) {
		recording_close(&r);
		return VG_ERR_RANGE;
	}
	double fs = recording_sig_fs(r, sig);
	int64_t n = recording_sig_nsamp(r, sig);
	const char *units = recording_sig_units(r, sig);
	float to_mv = !strcasecmp(units, "uV") || !strcmp(units, "\xc2\xb5V") ? 0.001f
		      : !strcasecmp(units, "V") ? 1000.0f : 1.0f;
	int64_t a = (int64_t)floor((from_s - NN_DETECT_LEAD_S) * fs);
	int64_t b = to_s > 0 ? (int64_t)ceil((to_s + 5.0) * fs) : n;
	a = a < 0 ? 0 : a;
	b = b > n ? n : b;
	struct ctx c = { .fs = fs, .t0_s = (double)a / fs, .res = res };
	res->fs_hz = fs;
	c.rr = rr_new(NULL, &err);
	struct qrs *q = c.rr ? qrs_new(fs, on_beat, &c, &err) : NULL;
	float *buf = malloc(CHUNK * sizeof(*buf));
	if (!q || !buf) {
		err = err ? err : VG_ERR_NOMEM;
		goto out;
	}
	for (int64_t at = a; at < b && !c.err;) {
		size_t m = (size_t)(b - at < CHUNK ? b - at : CHUNK);
		if ((err = recording_read_phys(r, sig, at, m, buf)))
			goto out;
		if (to_mv != 1.0f)
			for (size_t k = 0; k < m; k++)
				buf[k] *= to_mv;
		for (size_t k = 0; k < m; k += BLOCK)
			qrs_feed(q, buf + k, m - k < BLOCK ? m - k : BLOCK);
		at += (int64_t)m;
	}
	struct rr_nn o[RR_MAX_OUT];
	add_nn(&c, o, rr_flush(c.rr, o));
	err = c.err;
out:
	free(buf);
	qrs_destroy(&q);
	rr_destroy(&c.rr);
	recording_close(&r);
	if (err)
		nn_detect_free(res);
	return err;
}
