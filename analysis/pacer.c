/*
 * pacer.c - breathing pacer (see pacer.h for the problem, the approach,
 * the references and the limits).
 *
 * Time keeping: every breath is laid down in integer nanoseconds when it
 * starts (cyc_start_ns, seg_ns[4]); the next starts at cyc_start_ns +
 * cyc_ns. For fixed patterns breath k therefore starts at exactly
 * start_ns + k * cyc_ns whatever the tick intervals were.
 */
#include "pacer.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000.0
#define MAX_CATCHUP_NS (3600LL * 1000000000LL) /* longer jumps restart the breath */

static const char *const mode_names[PACER_NMODES] = {
	"off", "4-2-6", "resonance", "custom", "follow", "adaptive"
};
static const char *const phase_names[PACER_NPHASES] = {
	"off", "inhale", "hold", "exhale", "hold_out"
};

const char *pacer_mode_name(enum pacer_mode m)
{
	return (m >= 0 && m < PACER_NMODES) ? mode_names[m] : "?";
}

const char *pacer_phase_name(enum pacer_phase ph)
{
	return (ph >= 0 && ph < PACER_NPHASES) ? phase_names[ph] : "?";
}

double pacer_adaptive_step_bpm(int k)
{
	return PACER_ADAPT_FIRST_BPM - PACER_ADAPT_STEP_BPM * k;
}

/* Up to 4 numbers separated by '-' or ','; returns how many, -1 on junk. */
static int parse_numbers(const char *s, double v[4])
{
	int n = 0;
	while (*s) {
		char *end;
		if (n == 4)
			return -1;
		double x = strtod(s, &end);
		if (end == s || !isfinite(x))
			return -1;
		v[n++] = x;
		s = end;
		if (*s == '-' || *s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

int pacer_parse(const char *spec, struct pacer_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if (!spec)
		return VG_ERR_PARSE;
	if (strcmp(spec, "off") == 0 || strcmp(spec, "none") == 0) {
		cfg->mode = PACER_OFF;
		return VG_OK;
	}
	if (strcmp(spec, "4-2-6") == 0) {
		cfg->mode = PACER_426;
		return VG_OK;
	}
	if (strcmp(spec, "resonance") == 0) {
		cfg->mode = PACER_RESONANCE;
		return VG_OK;
	}
	if (strcmp(spec, "adaptive") == 0) {
		cfg->mode = PACER_ADAPTIVE;
		return VG_OK;
	}
	if (strncmp(spec, "follow", 6) == 0) {
		cfg->mode = PACER_FOLLOW;
		if (spec[6] == '\0')
			return VG_OK;
		if (spec[6] != ':')
			return VG_ERR_PARSE;
		double v[4];
		if (parse_numbers(spec + 7, v) != 1)
			return VG_ERR_PARSE;
		if (v[0] < PACER_MIN_BPM || v[0] > PACER_MAX_BPM)
			return VG_ERR_RANGE;
		cfg->target_bpm = v[0];
		return VG_OK;
	}
	if (strncmp(spec, "custom:", 7) == 0)
		spec += 7;
	double v[4] = { 0, 0, 0, 0 };
	int n = parse_numbers(spec, v);
	if (n < 3)
		return VG_ERR_PARSE;
	cfg->mode = PACER_CUSTOM;
	cfg->in_s = v[0];
	cfg->hold_in_s = v[1];
	cfg->out_s = v[2];
	cfg->hold_out_s = n == 4 ? v[3] : 0.0;
	for (int i = 0; i < 4; i++)
		if (v[i] < 0.0 || v[i] > 60.0)
			return VG_ERR_RANGE;
	if (v[0] <= 0.0 || v[2] <= 0.0)
		return VG_ERR_RANGE;
	return VG_OK;
}

static int64_t s_to_ns(double s)
{
	return (int64_t)llround(s * NS_PER_S);
}

static void set_segments(struct pacer *p, double in_s, double hold_s,
			 double out_s, double hold_out_s)
{
	p->seg_ns[0] = s_to_ns(in_s);
	p->seg_ns[1] = s_to_ns(hold_s);
	p->seg_ns[2] = s_to_ns(out_s);
	p->seg_ns[3] = s_to_ns(hold_out_s);
	p->cyc_ns = p->seg_ns[0] + p->seg_ns[1] + p->seg_ns[2] + p->seg_ns[3];
	p->cyc_bpm = 60.0 * NS_PER_S / (double)p->cyc_ns;
}

static void set_rate(struct pacer *p, double bpm)
{
	double len = 60.0 / bpm;
	set_segments(p, PACER_IN_FRAC * len, 0.0, (1.0 - PACER_IN_FRAC) * len, 0.0);
}

static double mean_or_nan(double sum, int n)
{
	return n > 0 ? sum / n : NAN;
}

double pacer_adaptive_step_score(const struct pacer *p, int k,
				 enum pacer_score kind)
{
	if (k < 0 || k >= PACER_ADAPT_STEPS)
		return NAN;
	return kind == PACER_SCORE_PT ? mean_or_nan(p->pt_sum[k], p->pt_n[k])
				      : mean_or_nan(p->sp_sum[k], p->sp_n[k]);
}

/* Minimum figures per step for a metric to count as covering the step. */
#define MIN_PT_PER_STEP 3
#define MIN_SP_PER_STEP 1

static void adaptive_choose(struct pacer *p)
{
	int pt_cov = 0, sp_cov = 0;
	for (int k = 0; k < PACER_ADAPT_STEPS; k++) {
		pt_cov += p->pt_n[k] >= MIN_PT_PER_STEP;
		sp_cov += p->sp_n[k] >= MIN_SP_PER_STEP;
	}
	/* peak-to-trough HR first (the clinical criterion), spectral power
	 * when beats did not cover the scan */
	enum pacer_score m = (pt_cov >= sp_cov && pt_cov > 0) ? PACER_SCORE_PT
							      : PACER_SCORE_SPECTRAL;
	int need = m == PACER_SCORE_PT ? MIN_PT_PER_STEP : MIN_SP_PER_STEP;
	double best = -INFINITY;
	int kbest = -1;
	for (int k = 0; k < PACER_ADAPT_STEPS; k++) {
		int n = m == PACER_SCORE_PT ? p->pt_n[k] : p->sp_n[k];
		double v = pacer_adaptive_step_score(p, k, m);
		if (n >= need && v > best) {
			best = v;
			kbest = k;
		}
	}
	p->adapt_metric = m;
	p->adapt_best_bpm = kbest >= 0 ? pacer_adaptive_step_bpm(kbest)
				       : PACER_ADAPT_DEFAULT_BPM;
	p->adapt_done = 1;
}

static int adapt_step_at(const struct pacer *p, int64_t t_ns)
{
	double el = (double)(t_ns - p->start_ns) / NS_PER_S;
	if (el < 0.0)
		return 0;
	int k = (int)floor(el / PACER_ADAPT_STEP_S);
	return k > PACER_ADAPT_STEPS ? PACER_ADAPT_STEPS : k;
}

/* Lay down the breath that starts at p->cyc_start_ns. */
static void new_breath(struct pacer *p)
{
	double el = (double)(p->cyc_start_ns - p->start_ns) / NS_PER_S;
	switch (p->cfg.mode) {
	case PACER_FOLLOW: {
		double tgt = p->cfg.target_bpm;
		double steps = floor(el / PACER_FOLLOW_STEP_S);
		double r = p->follow_start_bpm;
		if (r > tgt)
			r = fmax(tgt, r - PACER_FOLLOW_STEP_BPM * steps);
		else
			r = fmin(tgt, r + PACER_FOLLOW_STEP_BPM * steps);
		set_rate(p, r);
		break;
	}
	case PACER_ADAPTIVE: {
		int k = adapt_step_at(p, p->cyc_start_ns);
		if (k >= PACER_ADAPT_STEPS) {
			if (!p->adapt_done)
				adaptive_choose(p);
			set_rate(p, p->adapt_best_bpm);
		} else {
			set_rate(p, pacer_adaptive_step_bpm(k));
		}
		break;
	}
	default:
		break; /* fixed patterns keep their segments */
	}
}

int pacer_start(struct pacer *p, const struct pacer_cfg *cfg, int64_t t_ns,
		double measured_bpm)
{
	memset(p, 0, sizeof(*p));
	p->cfg.mode = PACER_OFF;
	if (!cfg)
		return VG_ERR_INVAL;
	struct pacer_cfg c = *cfg;
	switch (c.mode) {
	case PACER_OFF:
		return VG_OK;
	case PACER_426:
		set_segments(p, 4, 2, 6, 0);
		break;
	case PACER_RESONANCE:
		set_segments(p, 5, 0, 5, 0);
		break;
	case PACER_CUSTOM: {
		double seg[4] = { c.in_s, c.hold_in_s, c.out_s, c.hold_out_s };
		for (int i = 0; i < 4; i++)
			if (!(seg[i] >= 0.0 && seg[i] <= 60.0))
				return VG_ERR_RANGE;
		if (!(c.in_s > 0.0 && c.out_s > 0.0) ||
		    seg[0] + seg[1] + seg[2] + seg[3] < 60.0 / PACER_MAX_BPM)
			return VG_ERR_RANGE;
		set_segments(p, seg[0], seg[1], seg[2], seg[3]);
		break;
	}
	case PACER_FOLLOW: {
		if (c.target_bpm == 0.0)
			c.target_bpm = PACER_ADAPT_DEFAULT_BPM;
		if (!(c.target_bpm >= PACER_MIN_BPM && c.target_bpm <= PACER_MAX_BPM))
			return VG_ERR_RANGE;
		double s = c.start_bpm > 0.0 ? c.start_bpm : measured_bpm;
		if (!isfinite(s))
			s = PACER_FOLLOW_DEFAULT_BPM;
		p->follow_start_bpm = fmin(PACER_MAX_BPM, fmax(PACER_MIN_BPM, s));
		break;
	}
	case PACER_ADAPTIVE:
		break;
	default:
		return VG_ERR_INVAL;
	}
	p->cfg = c;
	p->start_ns = t_ns;
	p->cyc_start_ns = t_ns;
	new_breath(p);
	return VG_OK;
}

void pacer_stop(struct pacer *p)
{
	p->cfg.mode = PACER_OFF;
}

static void advance(struct pacer *p, int64_t now_ns)
{
	if (now_ns - p->cyc_start_ns > MAX_CATCHUP_NS) {
		/* a clock jump (hostile or a very long stall): restart here
		 * rather than loop over hours of breaths */
		p->breath += (uint64_t)((now_ns - p->cyc_start_ns) / p->cyc_ns);
		p->prev_ns = 0;
		p->cyc_start_ns = now_ns;
		new_breath(p);
		return;
	}
	while (now_ns >= p->cyc_start_ns + p->cyc_ns) {
		p->prev_start_ns = p->cyc_start_ns;
		p->prev_ns = p->cyc_ns;
		p->cyc_start_ns += p->cyc_ns;
		p->breath++;
		new_breath(p);
	}
}

void pacer_at(struct pacer *p, int64_t now_ns, struct pacer_state *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = p->cfg.mode;
	st->adapt_step = -1;
	if (p->cfg.mode == PACER_OFF) {
		st->phase = PACER_PH_OFF;
		st->rate_bpm = NAN;
		st->progress = st->breath_progress = st->phase_s = NAN;
		return;
	}
	advance(p, now_ns);
	int64_t in = now_ns - p->cyc_start_ns;
	if (in < 0)
		in = 0;
	int64_t seg_start = 0;
	int seg = 0;
	for (seg = 0; seg < 3; seg++) {
		if (in < seg_start + p->seg_ns[seg])
			break;
		seg_start += p->seg_ns[seg];
	}
	/* zero-length segments are never current: the loop skips them */
	static const enum pacer_phase ph[4] = { PACER_PH_INHALE, PACER_PH_HOLD,
						PACER_PH_EXHALE, PACER_PH_HOLD_OUT };
	st->phase = ph[seg];
	st->phase_s = (double)p->seg_ns[seg] / NS_PER_S;
	st->progress = p->seg_ns[seg] > 0
		? (double)(in - seg_start) / (double)p->seg_ns[seg] : 0.0;
	if (st->progress > 1.0)
		st->progress = 1.0;
	st->breath_progress = (double)in / (double)p->cyc_ns;
	st->rate_bpm = p->cyc_bpm;
	st->phase_start_ns = p->cyc_start_ns + seg_start;
	st->breath_start_ns = p->cyc_start_ns;
	st->breath = p->breath;
	if (p->cfg.mode == PACER_ADAPTIVE)
		st->adapt_step = p->adapt_done ? PACER_ADAPT_STEPS
					       : adapt_step_at(p, p->cyc_start_ns);
}

int pacer_breath_at(const struct pacer *p, int64_t t_ns, uint64_t *breath,
		    double *frac, int64_t *start_ns, int64_t *len_ns)
{
	if (p->cfg.mode == PACER_OFF)
		return VG_ERR_RANGE;
	int64_t s = p->cyc_start_ns, len = p->cyc_ns;
	uint64_t b = p->breath;
	if (t_ns < s) {
		if (p->prev_ns == 0 || t_ns < p->prev_start_ns)
			return VG_ERR_RANGE;
		s = p->prev_start_ns;
		len = p->prev_ns;
		b--;
	} else if (t_ns >= s + len) {
		return VG_ERR_RANGE;
	}
	*breath = b;
	*frac = (double)(t_ns - s) / (double)len;
	if (start_ns)
		*start_ns = s;
	if (len_ns)
		*len_ns = len;
	return VG_OK;
}

void pacer_adaptive_score(struct pacer *p, int64_t from_ns, int64_t to_ns,
			  enum pacer_score kind, double value)
{
	if (p->cfg.mode != PACER_ADAPTIVE || p->adapt_done || !isfinite(value) ||
	    to_ns < from_ns)
		return;
	int k = adapt_step_at(p, from_ns);
	if (k >= PACER_ADAPT_STEPS || adapt_step_at(p, to_ns) != k ||
	    to_ns - p->start_ns >= s_to_ns((k + 1) * PACER_ADAPT_STEP_S))
		return;
	if (from_ns < p->start_ns + s_to_ns(k * PACER_ADAPT_STEP_S + PACER_ADAPT_SETTLE_S))
		return;
	if (kind == PACER_SCORE_PT) {
		p->pt_sum[k] += value;
		p->pt_n[k]++;
	} else {
		p->sp_sum[k] += value;
		p->sp_n[k]++;
	}
}

int pacer_adaptive_result(const struct pacer *p, double *best_bpm,
			  enum pacer_score *metric)
{
	if (p->cfg.mode != PACER_ADAPTIVE || !p->adapt_done)
		return VG_ERR_AGAIN;
	if (best_bpm)
		*best_bpm = p->adapt_best_bpm;
	if (metric)
		*metric = p->adapt_metric;
	return VG_OK;
}
