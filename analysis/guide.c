/*
 * guide.c - guidance for the therapist: inputs, pacer coupling, holds and
 * releases, responses to marks, session figures (see guide.h).
 *
 * Signals kept (250 ms bins, 256 s, gseries.h): instantaneous HR of every
 * beat; squared successive RR differences (RMSSD over any span = sqrt of
 * their mean; pairs across a gap, or differing by more than 20 % of the
 * previous interval - ectopy or a missed beat - are left out); calm (from
 * the HRV result, or computed here with calm.h when the pipeline leaves it
 * NAN); breathing rate (guide_resp(), else the HRV result's resp_hz); the
 * RMS envelope of every EMG channel.
 * Following: HR is regressed on cos/sin of the pacer's breath phase over
 * the last 60 s of beats; R^2 (the share of HR variance at the pacer's
 * rhythm) is published as `following`. A client who breathes with the
 * pacer shows RSA at its rhythm, so R^2 is high; one who breathes at
 * another rate or irregularly gives a low R^2.
 * Adaptive pacer: the peak-to-trough HR of every pacer breath (Lehrer et
 * al. 2000) and the RSA power (rsa_ms2, else lf_ms2) of every primary HRV
 * window go to pacer_adaptive_score().
 * Holds: the start level is the mean envelope over the hold's first 1 s;
 * the envelope is smoothed (EMA, 0.5 s); a release is confirmed when the
 * smoothed level stays <= 80 % of the start level for 5 s, and published
 * once per hold with the time the drop began. hold.long fires once when
 * the hold passes the technique's usual span. Technique spans are the
 * usual teaching figures (trigger point / ischemic compression 30-90 s:
 * Simons, Travell & Simons 1999; myofascial release 90-300 s: Barnes;
 * positional release / strain-counterstrain about 90 s: Jones), not
 * rules.
 * Mark responses: 30 s after the mark, mean HR, RMSSD, calm and each
 * region's envelope over [mark, mark + 30 s) against [mark - 30 s, mark).
 * Summary: baseline = the session's first span, end = its last span, the
 * span being 20 % of the session, at least 15 s (all of it if shorter), at
 * most 120 s (the session's first k s, k = 15..120, are kept as they
 * complete, since the history holds 256 s); a baseline captured on request
 * (guide_baseline_capture) replaces the first span. Baseline calm (calm is
 * relative to this very baseline, so about 50) is the mean over the first
 * 30 s in which calm is defined (after a capture: the 30 s after it).
 * Rest calibration check: guide_rest_check() (guide.h).
 * Limits: spans older than 256 s are gone (the baseline is computed as
 * soon as it is complete); a single hold at a time.
 */
#include "guide_int.h"
#include "vg_err.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_NS(s) ((int64_t)llround((s) * 1e9))
#define FOLLOW_SPAN_S 60.0
#define FOLLOW_MIN_BEATS 20
#define FOLLOW_EVERY_S 1.0
#define ADVICE_EVERY_S 0.25
#define CALM_BASE_S 30.0
#define HOLD_START_S 1.0
#define HOLD_EMA_S 0.5
#define RR_JUMP_FRAC 0.20
#define RR_OK_MIN_MS 300.0
#define RR_OK_MAX_MS 2000.0
#define MAX_TICK_GAP_S 1.0   /* longer tick gaps are not counted as time in a pattern */

static const char *const advice_names[GUIDE_NADVICE] = {
	"none", "hold", "ease", "deepen-ok"
};
static const char *const profile_names[GUIDE_NPROFILES] = {
	"standard", "sensitive", "flare"
};

const char *guide_advice_name(enum guide_advice a)
{
	return (a >= 0 && a < GUIDE_NADVICE) ? advice_names[a] : "?";
}

const char *guide_profile_name(enum guide_profile p)
{
	return (p >= 0 && p < GUIDE_NPROFILES) ? profile_names[p] : "?";
}

static const struct {
	const char *name;
	double min_s, max_s;
} techniques[] = {
	{ "trigger_point", 30, 90 },
	{ "ischemic_compression", 30, 90 },
	{ "myofascial", 90, 300 },
	{ "myofascial_release", 90, 300 },
	{ "deep_tissue", 20, 60 },
	{ "positional_release", 60, 120 },
	{ "strain_counterstrain", 60, 120 },
	{ "muscle_energy", 5, 15 },
};
#define DEFAULT_SPAN_MIN_S 30.0
#define DEFAULT_SPAN_MAX_S 120.0

int guide_technique_span(const char *technique, double *min_s, double *max_s)
{
	for (size_t i = 0; technique && i < sizeof(techniques) / sizeof(techniques[0]); i++)
		if (strcasecmp(technique, techniques[i].name) == 0) {
			*min_s = techniques[i].min_s;
			*max_s = techniques[i].max_s;
			return 1;
		}
	*min_s = DEFAULT_SPAN_MIN_S;
	*max_s = DEFAULT_SPAN_MAX_S;
	return 0;
}

/* ---------------------------------------------------------------- life */
struct guide *guide_new(const struct guide_config *cfg,
			const struct guide_output *out, int *err)
{
	int e = VG_ERR_NOMEM;
	struct guide *g = calloc(1, sizeof(*g));
	if (!g)
		goto fail;
	if (cfg)
		g->cfg = *cfg;
	if (!(g->cfg.emit_hz > 0.0 && g->cfg.emit_hz <= 1000.0))
		g->cfg.emit_hz = 20.0;
	if (!(g->cfg.baseline_s >= 10.0 && g->cfg.baseline_s <= 240.0))
		g->cfg.baseline_s = 120.0;
	if (out)
		g->out = *out;
	if ((e = gser_init(&g->hr, GUIDE_BIN_NS, GUIDE_HIST_BINS)) ||
	    (e = gser_init(&g->d2, GUIDE_BIN_NS, GUIDE_HIST_BINS)) ||
	    (e = gser_init(&g->calm, GUIDE_BIN_NS, GUIDE_HIST_BINS)) ||
	    (e = gser_init(&g->resp, GUIDE_BIN_NS, GUIDE_HIST_BINS)) ||
	    (e = gser_init(&g->pns, GUIDE_BIN_NS, GUIDE_HIST_BINS)))
		goto fail;
	for (int i = 0; i < GUIDE_MAX_REGIONS; i++)
		if ((e = gser_init(&g->reg[i].emg, GUIDE_BIN_NS, GUIDE_HIST_BINS)))
			goto fail;
	g->calm_own = calm_new(g->cfg.baseline_s, &e);
	if (!g->calm_own)
		goto fail;
	g->hrv_window_s = INFINITY;
	g->prev_rr_ms = NAN;
	g->last_beat_ns = g->last_emg_ns = INT64_MIN;
	g->ext_resp_ns = INT64_MIN;
	g->resp_full_ns = INT64_MIN;
	g->resp_bpm = g->calm_now = g->calm_trend = g->following = NAN;
	g->adv.last_ease_ns = g->adv.quiet_since_ns = INT64_MIN;
	g->adv.ease_until_ns = INT64_MIN;
	g->adv.ease_hr_ref = NAN;
	g->adv.advice = GUIDE_ADV_NONE;
	g->last_tick_ns = INT64_MIN;
	g->first_calm_ns = INT64_MIN;
	g->base_calm = NAN;
	g->adaptive_best_bpm = NAN;
	g->next_emit_ns = g->next_adv_ns = g->next_follow_ns = INT64_MIN;
	return g;
fail:
	guide_destroy(&g);
	if (err)
		*err = e;
	return NULL;
}

void guide_destroy(struct guide **gp)
{
	if (!gp || !*gp)
		return;
	struct guide *g = *gp;
	gser_free(&g->hr);
	gser_free(&g->d2);
	gser_free(&g->calm);
	gser_free(&g->resp);
	gser_free(&g->pns);
	for (int i = 0; i < GUIDE_MAX_REGIONS; i++)
		gser_free(&g->reg[i].emg);
	calm_destroy(&g->calm_own);
	free(g);
	*gp = NULL;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* Region name -> EMG channel (-1 if none known). */
static int region_channel(const struct guide *g, const char *region)
{
	if (!region || !*region)
		return -1;
	for (int i = 0; i < GUIDE_MAX_REGIONS; i++)
		if (g->reg[i].used && strcasecmp(g->reg[i].name, region) == 0)
			return i;
	const char *p = region;
	if (strncasecmp(p, "ch", 2) == 0)
		p += 2;
	if (isdigit((unsigned char)*p)) {
		char *end;
		long ch = strtol(p, &end, 10);
		if (*end == '\0' && ch >= 0 && ch < GUIDE_MAX_REGIONS)
			return (int)ch;
	}
	return -1;
}

/* ---------------------------------------------------------------- inputs */
static void follow_push(struct guide *g, int64_t t_ns, double hr)
{
	uint64_t breath;
	double frac;
	if (pacer_breath_at(&g->pacer, t_ns, &breath, &frac, NULL, NULL) != VG_OK)
		return;
	struct guide_fol *f = &g->fol[g->fol_head];
	f->t_ns = t_ns;
	f->phase = 2.0 * M_PI * frac;
	f->hr = hr;
	g->fol_head = (g->fol_head + 1) % GUIDE_FOLLOW_CAP;
	if (g->fol_n < GUIDE_FOLLOW_CAP)
		g->fol_n++;
}

/* Peak-to-trough HR per pacer breath, for the adaptive scan. */
static void pt_push(struct guide *g, int64_t t_ns, double hr)
{
	uint64_t breath;
	double frac;
	int64_t s, len;
	if (g->pacer.cfg.mode != PACER_ADAPTIVE ||
	    pacer_breath_at(&g->pacer, t_ns, &breath, &frac, &s, &len) != VG_OK)
		return;
	if (!g->pt_have || breath != g->pt_breath) {
		if (g->pt_have && g->pt_n >= 3)
			pacer_adaptive_score(&g->pacer, g->pt_start_ns,
					     g->pt_start_ns + g->pt_len_ns,
					     PACER_SCORE_PT, g->pt_max - g->pt_min);
		g->pt_have = 1;
		g->pt_breath = breath;
		g->pt_start_ns = s;
		g->pt_len_ns = len;
		g->pt_min = g->pt_max = hr;
		g->pt_n = 0;
	}
	g->pt_min = fmin(g->pt_min, hr);
	g->pt_max = fmax(g->pt_max, hr);
	g->pt_n++;
}

void guide_beat(struct guide *g, const struct pl_beat *b)
{
	double rr = b->rr_ms;
	g->last_beat_ns = b->t_ns;
	if (!(rr >= RR_OK_MIN_MS && rr <= RR_OK_MAX_MS)) {
		g->prev_rr_ms = NAN;
		return;
	}
	double hr = 60000.0 / rr;
	gser_add(&g->hr, b->t_ns, hr);
	if (isfinite(g->prev_rr_ms)) {
		double d = rr - g->prev_rr_ms;
		if (fabs(d) <= RR_JUMP_FRAC * g->prev_rr_ms)
			gser_add(&g->d2, b->t_ns, d * d);
	}
	g->prev_rr_ms = rr;
	follow_push(g, b->t_ns, hr);
	pt_push(g, b->t_ns, hr);
}

/* Breathing rate implied by an HRV result: windows that resolve LF (>= 120
 * s) see slow breathing; a shorter window only sees [0.15, 0.40) Hz and
 * would report a harmonic of slow breathing, so it is used only while no
 * LF-capable window has given a rate for 30 s. */
static void hrv_resp(struct guide *g, const struct pl_hrv *h)
{
	int ext = g->ext_resp_ns != INT64_MIN &&
		  h->t_ns - g->ext_resp_ns < S_NS(30.0);
	double f = h->r.resp_hz;
	if (ext || !(isfinite(f) && f > 0.0))
		return;
	int full = isfinite(h->r.lf_ms2);
	if (full)
		g->resp_full_ns = h->t_ns;
	else if (g->resp_full_ns != INT64_MIN && h->t_ns - g->resp_full_ns < S_NS(30.0))
		return;
	g->resp_bpm = 60.0 * f;
	gser_add(&g->resp, h->t_ns, g->resp_bpm);
}

void guide_hrv(struct guide *g, const struct pl_hrv *h)
{
	double w = h->r.window_s;
	if (!(w > 0.0))
		return;
	hrv_resp(g, h);
	if (w < g->hrv_window_s - 0.5)
		g->hrv_window_s = w;
	if (w > g->hrv_window_s + 0.5)
		return; /* calm, pns and scores: the primary (shortest) window */
	double calm = h->r.calm, trend = h->r.calm_trend;
	gser_add(&g->pns, h->t_ns, h->r.pns_index);
	g->calm_own_used = !isfinite(calm);
	if (!isfinite(calm)) {
		struct hrv_result r = h->r;
		calm_update(g->calm_own, h->t_ns, &r);
		calm = r.calm;
		trend = r.calm_trend;
	}
	g->calm_now = calm;
	g->calm_trend = trend;
	if (isfinite(calm)) {
		gser_add(&g->calm, h->t_ns, calm);
		if (g->first_calm_ns == INT64_MIN && g->in_session &&
		    h->t_ns >= g->start_ns)
			g->first_calm_ns = h->t_ns;
	}
	double v = isfinite(h->r.rsa_ms2) ? h->r.rsa_ms2 : h->r.lf_ms2;
	pacer_adaptive_score(&g->pacer, h->t_ns - S_NS(w), h->t_ns,
			     PACER_SCORE_SPECTRAL, v);
}

void guide_resp(struct guide *g, int64_t t_ns, double resp_bpm)
{
	if (!(resp_bpm > 0.0 && resp_bpm < 60.0))
		return;
	g->ext_resp_ns = t_ns;
	g->resp_bpm = resp_bpm;
	gser_add(&g->resp, t_ns, resp_bpm);
}

static void emit_release(struct guide *g, int64_t t_ns, double level)
{
	struct guide_hold *h = &g->hold;
	struct guide_release r;
	memset(&r, 0, sizeof(r));
	r.t_ns = t_ns;
	r.drop_t_ns = h->drop_ns;
	copy_str(r.technique, sizeof(r.technique), h->technique);
	copy_str(r.region, sizeof(r.region), h->region);
	r.channel = h->ch;
	r.start_uv = h->start_uv;
	r.level_uv = level;
	r.drop_pct = 100.0 * (h->start_uv - level) / h->start_uv;
	r.hold_s = (double)(h->drop_ns - h->start_ns) / 1e9;
	snprintf(r.text, sizeof(r.text),
		 "release: %s tension %.0f -> %.0f uV (-%.0f %%) for %.0f s, "
		 "%.0f s into the %s hold",
		 h->region, r.start_uv, level, r.drop_pct,
		 (double)(t_ns - h->drop_ns) / 1e9, r.hold_s, h->technique);
	h->released = 1;
	if (g->in_session && g->nreleases < GUIDE_MAX_RELEASES)
		g->releases[g->nreleases++] = r;
	if (g->out.release)
		g->out.release(g->out.ctx, &r);
}

static void hold_emg(struct guide *g, const struct pl_emg *e)
{
	struct guide_hold *h = &g->hold;
	if (!h->active || h->released)
		return;
	if (h->ch < 0)
		h->ch = region_channel(g, h->region);
	if (h->ch != e->r.channel || e->t_ns < h->start_ns)
		return;
	double x = e->r.rms_uv;
	if (!isfinite(x))
		return;
	if (e->t_ns < h->start_ns + S_NS(HOLD_START_S)) {
		h->start_sum += x;
		h->start_n++;
		h->ema_uv = h->start_sum / h->start_n;
		h->ema_ns = e->t_ns;
		return;
	}
	if (isnan(h->start_uv)) {
		if (h->start_n == 0) { /* no result in the first second */
			h->start_sum = x;
			h->start_n = 1;
			h->ema_uv = x;
		}
		h->start_uv = h->start_sum / h->start_n;
	}
	double dt = (double)(e->t_ns - h->ema_ns) / 1e9;
	double a = dt > 0.0 ? 1.0 - exp(-dt / HOLD_EMA_S) : 0.0;
	h->ema_uv += a * (x - h->ema_uv);
	h->ema_ns = e->t_ns;
	if (!(h->start_uv > 0.0))
		return;
	if (h->ema_uv <= (1.0 - GUIDE_RELEASE_DROP) * h->start_uv) {
		if (h->drop_ns == 0)
			h->drop_ns = e->t_ns;
		else if (e->t_ns - h->drop_ns >= S_NS(GUIDE_RELEASE_S))
			emit_release(g, e->t_ns, h->ema_uv);
	} else {
		h->drop_ns = 0;
	}
}

void guide_emg(struct guide *g, const struct pl_emg *e)
{
	int ch = e->r.channel;
	if (ch < 0 || ch >= GUIDE_MAX_REGIONS)
		return;
	struct guide_region *r = &g->reg[ch];
	if (!r->used || (e->r.name[0] && strcmp(r->name, e->r.name) != 0)) {
		r->used = 1;
		if (e->r.name[0])
			copy_str(r->name, sizeof(r->name), e->r.name);
		else
			snprintf(r->name, sizeof(r->name), "ch%d", ch);
	}
	r->last_ns = e->t_ns;
	g->last_emg_ns = e->t_ns;
	if (!(e->r.quality_flags & (EMG_Q_LEAD_OFF | EMG_Q_SATURATION | EMG_Q_CLIPPING)))
		gser_add(&r->emg, e->t_ns, e->r.rms_uv);
	hold_emg(g, e);
}

/* ---------------------------------------------------------------- spans */
static double span_rmssd(const struct guide *g, int64_t from, int64_t to)
{
	double m;
	long n = gser_mean(&g->d2, from, to, &m);
	return n >= 3 ? sqrt(m) : NAN;
}

static void span_figures(const struct guide *g, int64_t from, int64_t to,
			 struct guide_span *s)
{
	gser_mean(&g->hr, from, to, &s->hr_bpm);
	s->rmssd_ms = span_rmssd(g, from, to);
	gser_mean(&g->calm, from, to, &s->calm);
	gser_mean(&g->resp, from, to, &s->resp_bpm);
	for (int i = 0; i < GUIDE_MAX_REGIONS; i++)
		gser_mean(&g->reg[i].emg, from, to, &s->emg_uv[i]);
}

static double pct_change(double before, double after)
{
	return (isfinite(before) && before > 0.0 && isfinite(after))
		? 100.0 * (after - before) / before : NAN;
}

/* ---------------------------------------------------------------- marks */
/* "<what>+1.2<unit>", or "<what>n/a" for NAN. */
static size_t text_change(char *buf, size_t cap, size_t pos, const char *what,
			  double v, int dec, const char *unit)
{
	if (!isfinite(v))
		return guide_appendf(buf, cap, pos, "%sn/a", what);
	return guide_appendf(buf, cap, pos, "%s%+.*f%s", what, dec, v, unit);
}

static void mark_finish(struct guide *g, int i, int64_t now_ns, int complete)
{
	struct guide_mark_response *m = &g->marks[i];
	int64_t t = m->mark_t_ns, w = S_NS(GUIDE_RESPONSE_S);
	int64_t end = complete ? t + w : now_ns;
	struct guide_span b, a;
	span_figures(g, t - w, t, &b);
	span_figures(g, t, end, &a);
	m->t_ns = end;
	m->complete = complete;
	m->hr_before_bpm = b.hr_bpm;
	m->hr_after_bpm = a.hr_bpm;
	m->dhr_bpm = a.hr_bpm - b.hr_bpm;
	m->rmssd_before_ms = b.rmssd_ms;
	m->rmssd_after_ms = a.rmssd_ms;
	m->drmssd_pct = pct_change(b.rmssd_ms, a.rmssd_ms);
	m->calm_before = b.calm;
	m->calm_after = a.calm;
	m->dcalm = a.calm - b.calm;
	size_t p = guide_appendf(m->emg, sizeof(m->emg), 0, "[");
	char text[sizeof(m->text)];
	size_t tp = guide_appendf(text, sizeof(text), 0, "after '%s'", m->label);
	if (m->region[0])
		tp = guide_appendf(text, sizeof(text), tp, " (%s)", m->region);
	tp = text_change(text, sizeof(text), tp, ": HR ", m->dhr_bpm, 1, " bpm");
	tp = text_change(text, sizeof(text), tp, ", RMSSD ", m->drmssd_pct, 0, " %");
	tp = text_change(text, sizeof(text), tp, ", calm ", m->dcalm, 1, "");
	int first = 1;
	for (int c = 0; c < GUIDE_MAX_REGIONS; c++) {
		if (!g->reg[c].used)
			continue;
		double chg = pct_change(b.emg_uv[c], a.emg_uv[c]);
		p = guide_appendf(m->emg, sizeof(m->emg), p, "%s{\"region\":", first ? "" : ",");
		p = guide_json_str(m->emg, sizeof(m->emg), p, g->reg[c].name);
		p = guide_appendf(m->emg, sizeof(m->emg), p, ",\"before_uv\":");
		p = guide_json_num(m->emg, sizeof(m->emg), p, b.emg_uv[c], 2);
		p = guide_appendf(m->emg, sizeof(m->emg), p, ",\"after_uv\":");
		p = guide_json_num(m->emg, sizeof(m->emg), p, a.emg_uv[c], 2);
		p = guide_appendf(m->emg, sizeof(m->emg), p, ",\"change_pct\":");
		p = guide_json_num(m->emg, sizeof(m->emg), p, chg, 1);
		p = guide_appendf(m->emg, sizeof(m->emg), p, "}");
		tp = guide_appendf(text, sizeof(text), tp, ", EMG %s", g->reg[c].name);
		tp = text_change(text, sizeof(text), tp, " ", chg, 0, " %");
		first = 0;
	}
	p = guide_appendf(m->emg, sizeof(m->emg), p, "]");
	if (p >= sizeof(m->emg)) /* cannot happen with 8 regions; stay valid JSON */
		copy_str(m->emg, sizeof(m->emg), "[]");
	if (!complete)
		guide_appendf(text, sizeof(text), tp, " (only %.0f s after the mark)",
			      (double)(end - t) / 1e9);
	memcpy(m->text, text, sizeof(m->text));
	g->mark_done[i] = 1;
	if (g->out.mark_response)
		g->out.mark_response(g->out.ctx, m);
}

int guide_mark(struct guide *g, const char *label, const char *region,
	       double pressure, int64_t t_ns)
{
	if (!label || !*label)
		return VG_ERR_INVAL;
	if (g->nmarks == GUIDE_MAX_MARKS) {
		if (!g->mark_done[0])
			return VG_ERR_RANGE;
		/* drop the oldest answered mark */
		memmove(&g->marks[0], &g->marks[1], (GUIDE_MAX_MARKS - 1) * sizeof(g->marks[0]));
		memmove(&g->mark_done[0], &g->mark_done[1],
			(GUIDE_MAX_MARKS - 1) * sizeof(g->mark_done[0]));
		g->nmarks--;
	}
	struct guide_mark_response *m = &g->marks[g->nmarks];
	memset(m, 0, sizeof(*m));
	m->mark_t_ns = t_ns;
	copy_str(m->label, sizeof(m->label), label);
	copy_str(m->region, sizeof(m->region), region);
	m->pressure = isfinite(pressure) ? pressure : NAN;
	g->mark_done[g->nmarks] = 0;
	g->nmarks++;
	return VG_OK;
}

/* ---------------------------------------------------------------- control */
int guide_pacer_set(struct guide *g, const struct pacer_cfg *cfg, int64_t t_ns)
{
	g->pt_have = 0;
	g->fol_n = 0;
	g->following = NAN;
	double measured = NAN;
	if (g->ext_resp_ns != INT64_MIN || isfinite(g->resp_bpm))
		gser_mean(&g->resp, t_ns - S_NS(60.0), t_ns + 1, &measured);
	int e = pacer_start(&g->pacer, cfg, t_ns, measured);
	g->next_emit_ns = INT64_MIN; /* show the new phase at once */
	return e;
}

int guide_hold_start(struct guide *g, const char *technique, const char *region,
		     int64_t t_ns)
{
	if (!technique || !*technique)
		return VG_ERR_INVAL;
	struct guide_hold *h = &g->hold;
	memset(h, 0, sizeof(*h));
	h->active = 1;
	copy_str(h->technique, sizeof(h->technique), technique);
	copy_str(h->region, sizeof(h->region), region);
	h->ch = region_channel(g, region);
	h->start_ns = t_ns;
	h->start_uv = NAN;
	guide_technique_span(technique, &h->min_s, &h->max_s);
	if (g->in_session)
		g->holds++;
	return VG_OK;
}

int guide_hold_stop(struct guide *g, int64_t t_ns)
{
	(void)t_ns;
	if (!g->hold.active)
		return VG_ERR_STATE;
	g->hold.active = 0;
	return VG_OK;
}

enum guide_profile guide_profile_get(const struct guide *g)
{
	return g->profile;
}

int guide_profile_set(struct guide *g, const char *profile)
{
	for (int i = 0; profile && i < GUIDE_NPROFILES; i++)
		if (strcasecmp(profile, profile_names[i]) == 0) {
			size_t n = strlen(g->prof_hist);
			if (g->in_session && (int)g->profile != i && g->last_tick_ns != INT64_MIN &&
			    n + 32 < sizeof(g->prof_hist))
				snprintf(g->prof_hist + n, sizeof(g->prof_hist) - n, ", %s at %.0f s",
					 profile_names[i],
					 (double)(g->last_tick_ns - g->start_ns) / 1e9);
			g->profile = (enum guide_profile)i;
			g->adv.quiet_since_ns = INT64_MIN;
			return VG_OK;
		}
	return VG_ERR_NOTFOUND;
}

int guide_session_start(struct guide *g, const char *id, int64_t t_ns)
{
	g->in_session = 1;
	copy_str(g->session, sizeof(g->session), id);
	g->start_ns = t_ns;
	g->baseline_done = g->calm_base_done = 0;
	g->first_calm_ns = INT64_MIN;
	memset(&g->baseline, 0, sizeof(g->baseline));
	g->base_calm = NAN;
	g->nreleases = 0;
	/* marks still waiting for their response stay; answered ones go */
	int k = 0;
	for (int i = 0; i < g->nmarks; i++)
		if (!g->mark_done[i]) {
			g->marks[k] = g->marks[i];
			g->mark_done[k++] = 0;
		}
	g->nmarks = k;
	g->holds = g->holds_long = 0;
	memset(g->pacer_s, 0, sizeof(g->pacer_s));
	memset(g->advice_s, 0, sizeof(g->advice_s));
	g->adaptive_best_bpm = NAN;
	g->base_next = GUIDE_BASE_K0;
	copy_str(g->prof_hist, sizeof(g->prof_hist), profile_names[g->profile]);
	g->cap_state = 0;
	g->cap_calm_done = 0;
	g->cap_calm = NAN;
	g->ncal = 0;
	calm_reset(g->calm_own);
	return VG_OK;
}

/* Baseline span figures, as soon as the span is over; baseline calm as
 * soon as it can be had. Calm is relative to this very span, so with calm
 * computed here (calm.h) the span's mean pns_index is mapped through the
 * calm formula once the calm baseline exists; with calm from upstream,
 * whose baseline is unknown here, the mean over the first 30 s of calm. */
static void baseline_update(struct guide *g, int64_t now_ns, int final)
{
	int64_t span = S_NS(g->cfg.baseline_s), margin = S_NS(2.0);
	int64_t end = g->start_ns + span;
	if (final && now_ns < end)
		end = now_ns;
	while (g->base_next < GUIDE_BASE_K0 + GUIDE_BASE_NTAB &&
	       now_ns >= g->start_ns + S_NS(g->base_next) + margin) {
		span_figures(g, g->start_ns, g->start_ns + S_NS(g->base_next),
			     &g->base_tab[g->base_next - GUIDE_BASE_K0]);
		g->base_next++;
	}
	if (g->cap_state == 1 && (now_ns >= g->cap_to + margin || (final && now_ns >= g->cap_to))) {
		span_figures(g, g->cap_from, g->cap_to, &g->cap_span);
		g->cap_state = 2;
	}
	if (g->cap_state >= 2 && !g->cap_calm_done &&
	    (final || now_ns >= g->cap_to + S_NS(CALM_BASE_S) + margin)) {
		/* calm is relative to the captured baseline from its end on */
		gser_mean(&g->calm, g->cap_to, g->cap_to + S_NS(CALM_BASE_S), &g->cap_calm);
		g->cap_calm_done = 1;
	}
	if (!g->baseline_done && (final || now_ns >= end + margin)) {
		span_figures(g, g->start_ns, end, &g->baseline);
		g->baseline_done = 1;
	}
	if (g->calm_base_done || !g->baseline_done)
		return;
	double pns, base = calm_baseline(g->calm_own);
	if (g->calm_own_used && isfinite(base)) {
		if (gser_mean(&g->pns, g->start_ns, end, &pns) > 0)
			g->base_calm = 50.0 + 50.0 * tanh((pns - base) / CALM_SCALE_Z);
		g->calm_base_done = 1;
	} else if (g->first_calm_ns != INT64_MIN &&
		   (final || now_ns >= g->first_calm_ns + S_NS(CALM_BASE_S) + margin)) {
		gser_mean(&g->calm, g->first_calm_ns,
			  g->first_calm_ns + S_NS(CALM_BASE_S), &g->base_calm);
		g->calm_base_done = 1;
	} else if (final) {
		g->calm_base_done = 1;
	}
}

int guide_session_stop(struct guide *g, int64_t t_ns, struct guide_summary *out)
{
	if (!g->in_session)
		return VG_ERR_STATE;
	baseline_update(g, t_ns, 1);
	for (int i = 0; i < g->nmarks; i++)
		if (!g->mark_done[i])
			mark_finish(g, i, t_ns, 0);
	if (g->pacer.cfg.mode == PACER_ADAPTIVE)
		pacer_adaptive_result(&g->pacer, &g->adaptive_best_bpm, NULL);
	memset(out, 0, sizeof(*out));
	copy_str(out->session, sizeof(out->session), g->session);
	out->start_ns = g->start_ns;
	out->stop_ns = t_ns;
	out->duration_s = (double)(t_ns - g->start_ns) / 1e9;
	/* baseline and end spans scale with the session: 20 % of it, at
	 * least 15 s (or all of it when shorter), at most 120 s */
	double span = out->duration_s * GUIDE_SPAN_FRAC;
	if (span < GUIDE_SPAN_MIN_S)
		span = out->duration_s < GUIDE_SPAN_MIN_S ? out->duration_s : GUIDE_SPAN_MIN_S;
	if (span > GUIDE_SPAN_MAX_S)
		span = GUIDE_SPAN_MAX_S;
	if (span < 0)
		span = 0;
	out->span_s = span;
	out->baseline_s = span;
	out->baseline_from_ns = g->start_ns;
	int ks = (int)lround(span);
	if (t_ns - g->start_ns <= S_NS(240.0) || ks < GUIDE_BASE_K0 || ks >= g->base_next)
		span_figures(g, g->start_ns, g->start_ns + S_NS(span), &out->baseline);
	else
		out->baseline = g->base_tab[ks - GUIDE_BASE_K0];
	out->baseline.calm = g->base_calm;
	if (g->cap_state >= 2 && g->cap_from >= g->start_ns) {
		out->baseline_captured = 1;
		out->baseline_from_ns = g->cap_from;
		out->baseline_s = (double)(g->cap_to - g->cap_from) / 1e9;
		out->baseline = g->cap_span;
		out->baseline.calm = g->cap_calm;
	}
	span_figures(g, t_ns - S_NS(span), t_ns, &out->end);
	copy_str(out->profile, sizeof(out->profile), g->prof_hist);
	out->ncal = g->ncal;
	memcpy(out->cal, g->cals, (size_t)g->ncal * sizeof(g->cals[0]));
	for (int c = 0; c < GUIDE_MAX_REGIONS; c++)
		if (g->reg[c].used)
			out->nregions = c + 1;
	for (int c = 0; c < out->nregions; c++) {
		copy_str(out->region[c], sizeof(out->region[c]),
			 g->reg[c].used ? g->reg[c].name : "");
		for (int k = 0; k < g->nreleases; k++)
			out->region_releases[c] += g->releases[k].channel == c;
	}
	out->nreleases = g->nreleases;
	memcpy(out->releases, g->releases, (size_t)g->nreleases * sizeof(g->releases[0]));
	out->nmarks = g->nmarks;
	memcpy(out->marks, g->marks, (size_t)g->nmarks * sizeof(g->marks[0]));
	memcpy(out->pacer_s, g->pacer_s, sizeof(out->pacer_s));
	memcpy(out->advice_s, g->advice_s, sizeof(out->advice_s));
	out->adaptive_best_bpm = g->adaptive_best_bpm;
	out->holds = g->holds;
	out->holds_long = g->holds_long;
	g->in_session = 0;
	return VG_OK;
}

/* ---------------------------------------------------------------- captures */
void guide_span_figures(const struct guide *g, int64_t from_ns, int64_t to_ns,
			struct guide_span *out)
{
	span_figures(g, from_ns, to_ns, out);
}

void guide_baseline_capture(struct guide *g, int64_t from_ns, int64_t to_ns)
{
	g->cap_from = from_ns;
	g->cap_to = to_ns > from_ns ? to_ns : from_ns;
	g->cap_state = 1;
	g->cap_calm_done = 0;
	g->cap_calm = NAN;
}

int guide_baseline_result(struct guide *g, struct guide_span *out)
{
	if (g->cap_state != 2)
		return 0;
	*out = g->cap_span;
	g->cap_state = 3;
	return 1;
}

const char *guide_region_name(const struct guide *g, int ch)
{
	return (ch >= 0 && ch < GUIDE_MAX_REGIONS && g->reg[ch].used) ? g->reg[ch].name : "";
}

void guide_calibration(struct guide *g, const struct guide_cal *c)
{
	if (!g->in_session)
		return;
	if (g->ncal == GUIDE_MAX_CALS) { /* keep the latest */
		memmove(&g->cals[0], &g->cals[1], (GUIDE_MAX_CALS - 1) * sizeof(g->cals[0]));
		g->ncal--;
	}
	g->cals[g->ncal++] = *c;
}

/* Rest calibration: see guide.h. The second rule is the advice's
 * guarding rise (guide_advice.c, standard profile) measured against the
 * region's quietest 5 s of the last 2 minutes instead of the 10 s before. */
#define REST_LOOK_S 120.0
#define REST_WIN_S 5.0
#define REST_RISE 1.30
#define REST_RISE_UV 5.0
int guide_rest_check(const struct guide *g, int ch, double level_uv,
		     double reference_uv, int64_t t_ns, char *why, size_t cap)
{
	if (why && cap)
		why[0] = '\0';
	if (ch < 0 || ch >= GUIDE_MAX_REGIONS || !g->reg[ch].used)
		return 0; /* nothing known about it: no grounds to refuse */
	const struct guide_region *r = &g->reg[ch];
	if (!isfinite(level_uv))
		gser_mean(&r->emg, t_ns - S_NS(2.0), t_ns + 1, &level_uv);
	if (!isfinite(level_uv))
		return 0;
	if (isfinite(reference_uv) && reference_uv > 0.0 &&
	    level_uv >= GUIDE_REST_OF_REF * reference_uv) {
		snprintf(why, cap, "%s is not at rest: %.0f uV is %.0f %% of its reference "
			 "contraction (%.0f uV); let it relax, then calibrate rest again",
			 r->name, level_uv, 100.0 * level_uv / reference_uv, reference_uv);
		return 1;
	}
	double floor_uv = INFINITY;
	int64_t w = S_NS(REST_WIN_S);
	for (int64_t a = t_ns - S_NS(REST_LOOK_S); a + w <= t_ns; a += w / 2) {
		double m;
		if (gser_mean(&r->emg, a, a + w, &m) >= 10 && m < floor_uv)
			floor_uv = m;
	}
	if (isfinite(floor_uv) && level_uv >= REST_RISE * floor_uv &&
	    level_uv - floor_uv >= REST_RISE_UV) {
		snprintf(why, cap, "%s is tense: %.0f uV, %.1f times its quietest level of the "
			 "last 2 minutes (%.0f uV); let it relax, then calibrate rest again",
			 r->name, level_uv, level_uv / floor_uv, floor_uv);
		return 1;
	}
	if (g->adv.advice == GUIDE_ADV_EASE && isfinite(g->adv.ease_uv_ref[ch]) &&
	    level_uv >= g->adv.ease_uv_ref[ch] * REST_RISE) {
		snprintf(why, cap, "%s is still guarding: %.0f uV (%.0f before the surge); "
			 "let it relax, then calibrate rest again", r->name, level_uv,
			 g->adv.ease_uv_ref[ch]);
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- tick */
static void follow_update(struct guide *g, int64_t now_ns)
{
	/* least squares hr = c + a cos(ph) + b sin(ph) over the last 60 s */
	double n = 0, sc = 0, ss = 0, sh = 0, scc = 0, sss = 0, scs = 0, sch = 0,
	       ssh = 0, shh = 0;
	int64_t from = now_ns - S_NS(FOLLOW_SPAN_S);
	for (size_t k = 0; k < g->fol_n; k++) {
		const struct guide_fol *f =
			&g->fol[(g->fol_head + GUIDE_FOLLOW_CAP - 1 - k) % GUIDE_FOLLOW_CAP];
		if (f->t_ns < from)
			break;
		double c = cos(f->phase), s = sin(f->phase);
		n++;
		sc += c;
		ss += s;
		sh += f->hr;
		scc += c * c;
		sss += s * s;
		scs += c * s;
		sch += c * f->hr;
		ssh += s * f->hr;
		shh += f->hr * f->hr;
	}
	g->following = NAN;
	if (n < FOLLOW_MIN_BEATS)
		return;
	/* centred sums */
	double Scc = scc - sc * sc / n, Sss = sss - ss * ss / n, Scs = scs - sc * ss / n;
	double Sch = sch - sc * sh / n, Ssh = ssh - ss * sh / n, Shh = shh - sh * sh / n;
	double det = Scc * Sss - Scs * Scs;
	if (!(Shh > 1e-9) || !(fabs(det) > 1e-12))
		return;
	double a = (Sch * Sss - Ssh * Scs) / det, b = (Ssh * Scc - Sch * Scs) / det;
	double r2 = (a * Sch + b * Ssh) / Shh;
	g->following = fmin(1.0, fmax(0.0, r2));
}

static void features(const struct guide *g, int64_t t, struct guide_feat *f)
{
	memset(f, 0, sizeof(*f));
	f->t_ns = t;
	f->have_beats = g->last_beat_ns != INT64_MIN && t - g->last_beat_ns < S_NS(5.0);
	f->have_emg = g->last_emg_ns != INT64_MIN && t - g->last_emg_ns < S_NS(2.0);
	gser_mean(&g->hr, t - S_NS(2.0), t + 1, &f->hr_now);
	gser_mean(&g->hr, t - S_NS(32.0), t - S_NS(2.0), &f->hr_ref);
	f->dhr = f->hr_now - f->hr_ref;
	double slow_now, slow_ref;
	gser_mean(&g->hr, t - S_NS(10.0), t + 1, &slow_now);
	gser_mean(&g->hr, t - S_NS(40.0), t - S_NS(10.0), &slow_ref);
	f->dhr_slow = slow_now - slow_ref;
	f->rmssd_now = span_rmssd(g, t - S_NS(15.0), t + 1);
	f->rmssd_ref = span_rmssd(g, t - S_NS(45.0), t - S_NS(15.0));
	f->drmssd_pct = pct_change(f->rmssd_ref, f->rmssd_now);
	f->calm = g->calm_now;
	f->calm_trend = g->calm_trend;
	for (int c = 0; c < GUIDE_MAX_REGIONS; c++) {
		const struct guide_region *r = &g->reg[c];
		if (!r->used)
			continue;
		f->nreg = c + 1;
		f->reg[c].name = r->name;
		long n1 = gser_mean(&r->emg, t - S_NS(1.0), t + 1, &f->reg[c].now_uv);
		long n0 = gser_mean(&r->emg, t - S_NS(11.0), t - S_NS(1.0), &f->reg[c].ref_uv);
		f->reg[c].valid = n1 >= 2 && n0 >= 20 && f->reg[c].ref_uv > 0.0 &&
				  t - r->last_ns < S_NS(2.0);
		f->reg[c].rise_pct = pct_change(f->reg[c].ref_uv, f->reg[c].now_uv);
	}
}

static void emit_guide(struct guide *g, int64_t now_ns)
{
	struct guide_msg m;
	memset(&m, 0, sizeof(m));
	const struct pacer_state *p = &g->pst;
	m.t_ns = now_ns;
	m.pattern = p->mode;
	m.phase = p->phase;
	m.progress = p->progress;
	m.breath_progress = p->breath_progress;
	m.rate_bpm = p->rate_bpm;
	m.phase_s = p->phase_s;
	m.phase_start_ns = p->phase_start_ns;
	m.breath = p->breath;
	m.following = p->mode == PACER_OFF ? NAN : g->following;
	m.resp_bpm = g->resp_bpm;
	m.advice = g->adv.advice;
	m.confidence = g->adv.confidence;
	copy_str(m.reasons, sizeof(m.reasons), g->adv.reasons);
	m.profile = g->profile;
	const struct guide_hold *h = &g->hold;
	m.holding = h->active;
	if (h->active) {
		copy_str(m.technique, sizeof(m.technique), h->technique);
		copy_str(m.region, sizeof(m.region), h->region);
		m.hold_s = (double)(now_ns - h->start_ns) / 1e9;
		m.span_min_s = h->min_s;
		m.span_max_s = h->max_s;
	} else {
		m.hold_s = m.span_min_s = m.span_max_s = NAN;
	}
	if (g->out.guide)
		g->out.guide(g->out.ctx, &m);
}

static void hold_tick(struct guide *g, int64_t now_ns)
{
	struct guide_hold *h = &g->hold;
	if (!h->active || h->long_sent)
		return;
	double el = (double)(now_ns - h->start_ns) / 1e9;
	if (el <= h->max_s)
		return;
	struct guide_hold_long l;
	memset(&l, 0, sizeof(l));
	l.t_ns = now_ns;
	copy_str(l.technique, sizeof(l.technique), h->technique);
	copy_str(l.region, sizeof(l.region), h->region);
	l.hold_s = el;
	l.span_max_s = h->max_s;
	l.released = h->released;
	snprintf(l.text, sizeof(l.text),
		 "%s hold on %s for %.0f s, past its usual %.0f-%.0f s%s",
		 h->technique, h->region[0] ? h->region : "(no region)", el,
		 h->min_s, h->max_s, h->released ? " (released)" : " without a release");
	h->long_sent = 1;
	if (g->in_session)
		g->holds_long++;
	if (g->out.hold_long)
		g->out.hold_long(g->out.ctx, &l);
}

void guide_tick(struct guide *g, int64_t now_ns)
{
	if (g->last_tick_ns != INT64_MIN && now_ns < g->last_tick_ns)
		return; /* the sample clock does not go back */
	double dt = g->last_tick_ns == INT64_MIN ? 0.0
		: (double)(now_ns - g->last_tick_ns) / 1e9;
	if (dt > MAX_TICK_GAP_S)
		dt = 0.0;
	g->last_tick_ns = now_ns;

	pacer_at(&g->pacer, now_ns, &g->pst);
	if (g->next_follow_ns == INT64_MIN || now_ns >= g->next_follow_ns) {
		if (g->pst.mode != PACER_OFF)
			follow_update(g, now_ns);
		g->next_follow_ns = now_ns + S_NS(FOLLOW_EVERY_S);
	}
	if (g->next_adv_ns == INT64_MIN || now_ns >= g->next_adv_ns) {
		struct guide_feat f;
		features(g, now_ns, &f);
		guide_advice_eval(&f, g->profile, &g->adv);
		g->next_adv_ns = now_ns + S_NS(ADVICE_EVERY_S);
	}
	hold_tick(g, now_ns);
	for (int i = 0; i < g->nmarks; i++)
		if (!g->mark_done[i] &&
		    now_ns >= g->marks[i].mark_t_ns + S_NS(GUIDE_RESPONSE_S))
			mark_finish(g, i, now_ns, 1);
	if (g->in_session) {
		baseline_update(g, now_ns, 0);
		g->pacer_s[g->pst.mode] += dt;
		g->advice_s[g->adv.advice] += dt;
	}
	int64_t period = S_NS(1.0 / g->cfg.emit_hz);
	if (g->next_emit_ns == INT64_MIN || now_ns >= g->next_emit_ns) {
		emit_guide(g, now_ns);
		g->next_emit_ns = (g->next_emit_ns == INT64_MIN ? now_ns : g->next_emit_ns) + period;
		if (g->next_emit_ns <= now_ns)
			g->next_emit_ns = now_ns + period;
	}
}
