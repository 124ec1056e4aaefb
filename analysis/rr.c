/*
 * rr.c - causal RR cleaning after Lipponen & Tarvainen (see rr.h).
 *
 * Reference: J. A. Lipponen, M. P. Tarvainen, "A robust algorithm for heart
 * rate variability time series artefact correction using novel beat
 * classification", J. Med. Eng. Technol. 43(3):173-181, 2019 (the method
 * of Kubios HRV); NeuroKit2's signal_fixpeaks (studied, not copied).
 *
 * For the interval RR_j being decided (prev = last emitted, i.e. cleaned,
 * interval; RR_{j+1}, RR_{j+2} = raw look-ahead):
 *   dRR_j = RR_j - prev (so that a second artifact right after a corrected
 *   one is still seen), th1 = 5.2 QD(dRR) over the last RR_HIST raw
 *   intervals (QD = (Q3 - Q1)/2) that were not judged artifacts by rules
 *   1b, 3, 5 or 8 (see consume_art), dRRs = dRR/th1;
 *   med = median of the last RR_MEDIAN raw intervals including the
 *   look-ahead (raw, so that a real change of rate is followed and a
 *   correction never feeds on itself), mRR = RR - med
 *   (doubled when negative), th2 = 5.2 QD(mRR), mRRs = mRR/th2;
 *   both thresholds are floored at min_th_pct % of med (a perfectly regular
 *   rhythm has QD = 0), and are 12 % of med until 24 intervals are known.
 * The sum tests below compare with mh, the median of the last RR_MEDIAN
 * cleaned intervals (the look-ahead and the raw history may hold the very
 * artifacts being judged), or with the mean of the last cleaned interval
 * and the raw one after the artifact (a heart-rate trend), within tol =
 * max(th2, 10 % of mh).
 * Decision, in this order:
 *   0. ectopic run (SVT): RR_j, RR_{j+1}, RR_{j+2} all 25 % (RUN_DROP) below
 *      mh, RR_j also 25 % below the last cleaned interval (an abrupt onset:
 *      a sinus-arrhythmia trough of +-250 ms glides there over several
 *      beats) and RR_{j+1}, RR_{j+2} within 20 % of each other (a regular
 *      run; false beats alternate) start a run; it lasts while the intervals
 *      stay below 70 % (RUN_END) of the sinus median at its onset; the
 *      interval that ends it belongs to it. Also
 *      the interval after a premature beat that rule 3 or 8 replaced
 *      (non-compensatory pause, couplet; if < 1.5 mh). These are real
 *      beats, not artifacts: passed on with their own values and times,
 *      kind RR_KIND_RUN, flagged HRV_NN_CORRECTED because they are not NN
 *      intervals (annotation-based NN drops them too), and kept out of
 *      every history so the thresholds stay those of the sinus rhythm.
 *      The first interval after a run, if 0.85-1.5 mh (the sinus node
 *      resetting), is a real NN interval and kept as it is.
 *   1. ectopic pair: RR_{j+1} satisfies the paper's ectopic rule (S11 =
 *      dRRs_{j+1}, S12 = max(dRRs_j, dRRs_{j+2}) if S11 > 0 else min;
 *      S11 > 1 and S12 < -0.13 S11 - 0.17, or S11 < -1 and S12 > -0.13 S11
 *      + 0.17) and |dRRs_j| > 1: the beat between RR_j and RR_{j+1} is
 *      ectopic or misplaced; applied only when (RR_j + RR_{j+1})/2 is
 *      normal (within tol of mh, or within 10 % of both the last cleaned
 *      interval and RR_{j+2}) and the beat is displaced by at least 15 %
 *      (ECT_MIN: |RR_j - RR_{j+1}| >= 0.15 (RR_j + RR_{j+1})): the beat is
 *      moved to the middle (both = half the sum, beat times kept
 *      consistent). Otherwise the later rules decide.
 *   1b. split interval: RR_j and RR_{j+1} both below 70 % of the last
 *      cleaned interval and their sum within 10 % of it and of RR_{j+2}: a
 *      false (or interpolated ectopic) beat, merged, with no threshold (in
 *      a very irregular rhythm th1 is too wide to see it). When RR_{j+2}
 *      is over 8 % (SPLIT_PAUSE) longer than the interval before, it is the
 *      pause after an atrial couplet (mitdb 220: 919, 544, 439, 1031 ms),
 *      not a false beat's neighbour: RR_{j+2} is passed on as a run
 *      interval (not NN; the annotations drop it too).
 *   1c. the ending beat's P wave is odd (RR_BEAT_ODD_P from the detector),
 *      RR_j is at least 5 % (ODD_P_EARLY) under mh and RR_{j+1} is longer
 *      than RR_j and 3 % (ODD_P_PAUSE) over mh: an atrial premature beat
 *      only slightly early (mitdb 220: 838 ms after a median of 905, then
 *      974); RR_j and RR_{j+1} are passed on as run intervals (not NN), and
 *      a second, well short one after it too (a couplet). Over all 26
 *      mitdb records this rule drops 2 000 non-NN intervals the timing
 *      rules kept, at the price of about 90 annotated NN intervals.
 *   2. normal when |dRRs_j| <= 1; or RR_j within 15 % (PHYS_DEV) of med
 *      (sinus variability is never corrected; Malik's 20 % rule, milder);
 *      or the previous interval was replaced by the median (rule 8) and
 *      |RR_j - raw previous| <= th1 (a real change of rate: no cascade);
 *      or RR_j > med, RR_{j+1} < RR_j < RR_{j+2} displaced by ECT_MIN and
 *      (RR_{j+1} + RR_{j+2})/2 within tol of RR_j (a slowing, then a
 *      premature beat at the new rate: the artifact is the next beat).
 *   3. the paper's rule on RR_j itself (S12 from dRRs_{j-1}, dRRs_{j+1}):
 *      ectopic, RR_j becomes med.
 *   4. S22 = min(dRRs_{j+1}, dRRs_{j+2}) if dRRs_j >= 0 else max; long =
 *      dRRs_j > 1 and S22 < -1, short = dRRs_j < -1 and S22 > 1, far =
 *      |mRRs_j| > 3. None of them: normal. Also normal when not far and
 *      the jump is explained by the next interval (long: RR_{j+1} + RR_{j+2}
 *      is a normal interval or within tol of RR_j, both shorter than RR_j,
 *      and RR_j < 1.5 mh: an extra beat follows; short: RR_j > mh/1.5 and
 *      RR_{j+1}/2 is normal: a missed beat follows).
 *   5. (short, or far and RR_j < med) and |RR_j + RR_{j+1} - mh| < tol, and
 *      the sum within 20 % (NEIGH_TOL) of the last cleaned interval or of
 *      RR_{j+2}: extra beat, merged.
 *   6. (long or far) and RR_j > med and |RR_j/k - mh| < tol, k =
 *      round(RR_j/mh) in 2..3, and RR_j/k within 20 % of the last cleaned
 *      interval or of RR_{j+1} (a missed beat doubles its neighbours; 1.4
 *      times both is a slowing): k - 1 missed beats, split in k equal parts.
 *   7. kept as real: a long interval whose slowing persists (RR_{j+1} - mh
 *      > 25 % and RR_{j+2} - mh > 12.5 % of RR_j - mh: a sinus slowing
 *      recovers over beats, after a late fiducial or a missed beat the old
 *      rate is back at once); an isolated pause 1.25-1.75 times its
 *      neighbours, both within 15 % of mh and the one before uncorrected
 *      (not a multiple: no missed beat; not compensated: no late fiducial;
 *      a sinus pause or a blocked beat); or a short one followed by two
 *      within 15 % of it (a new rate, not an extra beat).
 *   8. otherwise long/short: RR_j becomes med.
 * Limits: with look-ahead 0 (or at a flush) rules 0, 1, 4 (S22) and 5 have
 * nothing to look at and fall back on the median rules; sustained
 * arrhythmia (AF, bigeminy) is not "cleaned" into sinus rhythm but will be
 * marked heavily (artifacts_pct). Without the detector's P-wave judgement
 * (beat-only sources: straps, RR files) a premature beat less than 15 %
 * early is kept (mitdb 220's atrial premature beats that come 5-10 % early
 * stay in the NN series; the annotations drop them); with it, one that is
 * not followed by a pause is kept too. A 1.8-2.2x pause is taken for a
 * missed beat, and an artifact next to a
 * real change of rate can still be misread. Sinus arrhythmia of +-150-250
 * ms at 0.10-0.25 Hz is kept (test_rr, test_strong_rsa) except where the
 * swing is over 60 % of the interval peak to peak with 4-5 beats a cycle
 * (+-250 ms at 700 ms, 0.20-0.25 Hz): timing alone cannot tell it from
 * bigeminy. No allocation after rr_new().
 */
#include "rr.h"
#include "hrv.h"
#include "vg_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA 5.2
#define C1 0.13
#define C2 0.17
#define MIN_HIST 24
#define START_TH 0.12
#define MAX_SPLIT 3
#define SUM_TOL 0.10 /* minimum tolerance of the sum tests, share of the median */
#define NEIGH_TOL 0.20 /* a merged/split interval vs its neighbours, share */
#define ECT_MIN 0.15   /* least displacement of a corrected beat, share of the pair */
#define RUN_DROP 0.25   /* an ectopic run: intervals this share below the sinus median */
#define RUN_MIN 3       /* ... at least this many in a row (look-ahead included) */
#define POST_MAX 1.5    /* longest interval after a premature beat, x median */
#define RUN_END 0.70    /* ... it ends at the first interval back above this x median */
#define RUN_REG 0.20    /* ... the 2nd and 3rd within this share of each other */
#define PAUSE_OFF 0.25  /* a kept pause is this far from 1x and 2x its neighbours */
#define PERSIST 0.25   /* share of a slowing still present in the next interval */
#define ODD_P_EARLY 0.05 /* a beat with an odd P wave this share early ... */
#define ODD_P_PAUSE 0.03 /* ... and followed by an interval this share over mh
			  * is an atrial premature beat */ /* a beat with an odd P wave this share early is atrial ectopic */
#define SPLIT_PAUSE 0.08 /* after a split interval, a pause this share over the
			  * interval before: the split was an ectopic couplet */
#define PHYS_DEV 0.15  /* RR within this share of the local median is sinus
			* variability, never corrected (Malik's 20 % rule, milder) */

struct pend {
	int64_t t;   /* end time, ns */
	double v;    /* interval, ms */
	unsigned bf; /* RR_BEAT_* of the ending beat */
};

struct rr_clean {
	int la;
	double min_th;               /* fraction of med */
	struct pend p[RR_LOOKAHEAD + 2];
	int np;
	double hv[RR_HIST];          /* raw values (the median's history) */
	double hd[RR_HIST];          /* dRR of raw intervals not judged artifacts */
	double hm[RR_HIST];          /* mRR' of the same */
	size_t nh, hh;               /* count, next write index of hv */
	size_t nd, dh;               /* count, next write index of hd, hm */
	double ho[RR_MEDIAN];        /* last emitted (cleaned) values */
	size_t no, ho_i;
	double prev_v;               /* last raw interval decided */
	int have_prev;
	double out_v, out_d;         /* last emitted interval and its difference */
	int have_out, have_out_d;
	unsigned out_kind;           /* kind of the last emitted interval */
	int64_t last_t;
	int have_last_t;
	unsigned next_flags;
	int run;                     /* inside an ectopic run */
	int post_ect;                /* the last interval ended at a premature beat */
	int post_run;                /* the last interval ended an ectopic run */
	int post_atr;                /* ... ended at an atrial premature beat (rule 1c) */
	double run_ref;              /* sinus median at its onset, ms */
	struct rr_stats st;
};

struct rr_clean *rr_new(const struct rr_config *cfg, int *err)
{
	int la = RR_LOOKAHEAD;
	double th = RR_MIN_TH_PCT;
	if (cfg) {
		if (cfg->lookahead < 0 || cfg->lookahead > RR_LOOKAHEAD ||
		    cfg->min_th_pct < 0.0 || cfg->min_th_pct > 50.0) {
			if (err)
				*err = VG_ERR_INVAL;
			return NULL;
		}
		la = cfg->lookahead;
		if (cfg->min_th_pct > 0.0)
			th = cfg->min_th_pct;
	}
	struct rr_clean *c = calloc(1, sizeof(*c));
	if (!c) {
		if (err)
			*err = VG_ERR_NOMEM;
		return NULL;
	}
	c->la = la;
	c->min_th = th / 100.0;
	rr_reset(c);
	return c;
}

void rr_destroy(struct rr_clean **c)
{
	if (!c || !*c)
		return;
	free(*c);
	*c = NULL;
}

void rr_reset(struct rr_clean *c)
{
	if (!c)
		return;
	int la = c->la;
	double th = c->min_th;
	memset(c, 0, sizeof(*c));
	c->la = la;
	c->min_th = th;
}

void rr_get_stats(const struct rr_clean *c, struct rr_stats *s)
{
	if (c && s)
		*s = c->st;
}

static void sort_small(double *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double v = a[i];
		size_t j = i;
		while (j > 0 && a[j - 1] > v) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}

static double quantile_sorted(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;
	double f = pos - (double)i;
	return i + 1 < n ? s[i] + f * (s[i + 1] - s[i]) : s[i];
}

static double qd(const double *ring, size_t n)
{
	double tmp[RR_HIST];
	memcpy(tmp, ring, n * sizeof(*tmp));
	sort_small(tmp, n);
	return 0.5 * (quantile_sorted(tmp, n, 0.75) - quantile_sorted(tmp, n, 0.25));
}

static double median_recent(const struct rr_clean *c)
{
	double tmp[RR_MEDIAN + RR_LOOKAHEAD + 2];
	size_t n = 0;
	for (int k = 0; k < c->np; k++)
		tmp[n++] = c->p[k].v;
	for (size_t k = 0; k < c->nh && n < RR_MEDIAN; k++)
		tmp[n++] = c->hv[(c->hh + RR_HIST - 1 - k) % RR_HIST];
	sort_small(tmp, n);
	return (n & 1u) ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* Median of the last RR_MEDIAN emitted (cleaned) intervals (NAN if fewer
 * than 5): the reference for the sum tests, not pulled by the artifacts
 * waiting in the look-ahead or by a cluster of recent ones. */
static double median_hist(const struct rr_clean *c)
{
	double tmp[RR_MEDIAN];
	size_t n = c->no;
	memcpy(tmp, c->ho, n * sizeof(*tmp));
	if (n < 5)
		return NAN;
	sort_small(tmp, n);
	return (n & 1u) ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* Is v (a merged, split or averaged interval) a normal interval? Close to
 * the cleaned median, or to the mean of the last cleaned interval and the
 * raw one after the artifact (next, NAN if unknown), which follows a trend
 * of heart rate the median lags behind. */
static int near_normal(const struct rr_clean *c, double v, double mh, double next,
		       double tol)
{
	if (fabs(v - mh) < tol)
		return 1;
	if (!c->have_out || !isfinite(next))
		return 0;
	/* the trend branch only with plausible neighbours */
	if (fabs(next - c->out_v) > tol || fabs(next - mh) > 2.0 * tol)
		return 0;
	return fabs(v - 0.5 * (c->out_v + next)) < tol;
}

/* Does v (a merged interval, or one part of a split one) agree with a
 * neighbour, the last cleaned interval or the raw one after the artifact
 * (next, NAN if unknown), within NEIGH_TOL? A missed beat doubles the
 * interval of its neighbours and an extra beat splits one; an interval of
 * 1.4 times both its neighbours is a real slowing (sinus arrhythmia), not a
 * missed beat. One neighbour suffices: the other may be an artifact too.
 * With no neighbour at all, yes. */
static int fits_neighbours(const struct rr_clean *c, double v, double next)
{
	if (!c->have_out && !isfinite(next))
		return 1;
	if (c->have_out && fabs(v - c->out_v) < NEIGH_TOL * c->out_v)
		return 1;
	return isfinite(next) && fabs(v - next) < NEIGH_TOL * next;
}

static void emit(struct rr_clean *c, struct rr_nn *out, int *k, int64_t t,
		 double v, unsigned kind)
{
	struct rr_nn *o = &out[(*k)++];
	o->t_ns = t;
	o->nn_ms = v;
	o->kind = kind;
	o->flags = c->next_flags | (kind != RR_KIND_OK ? HRV_NN_CORRECTED : 0u);
	c->next_flags = 0;
	c->st.out++;
	c->out_d = c->have_out ? v - c->out_v : 0.0;
	c->have_out_d = c->have_out;
	c->out_v = v;
	c->have_out = 1;
	c->ho[c->ho_i] = v;
	c->ho_i = (c->ho_i + 1) % RR_MEDIAN;
	if (c->no < RR_MEDIAN)
		c->no++;
	c->out_kind = kind;
}

/* A beat of an ectopic run: passed on with its own value, flagged (not an
 * NN interval), kept out of every history (the cleaned median, the last
 * cleaned interval and the thresholds stay those of the sinus rhythm), and
 * dropped from the queue. */
static void emit_run(struct rr_clean *c, struct rr_nn *out, int *k)
{
	struct rr_nn *o = &out[(*k)++];
	o->t_ns = c->p[0].t;
	o->nn_ms = c->p[0].v;
	o->kind = RR_KIND_RUN;
	o->flags = c->next_flags | HRV_NN_CORRECTED;
	c->next_flags = 0;
	c->st.out++;
	c->st.kind[RR_KIND_RUN]++;
	memmove(c->p, c->p + 1, (size_t)(c->np - 1) * sizeof(c->p[0]));
	c->np--;
}

/* Drop n decided raw intervals from the queue into the raw history. */
static void consume_k(struct rr_clean *c, int n, double med, int art)
{
	for (int i = 0; i < n; i++) {
		double v = c->p[i].v;
		double d = c->have_prev ? v - c->prev_v : 0.0;
		double m = v - med;
		if (m < 0.0)
			m *= 2.0;
		c->hv[c->hh] = v;
		c->hh = (c->hh + 1) % RR_HIST;
		if (c->nh < RR_HIST)
			c->nh++;
		if (!art) {
			c->hd[c->dh] = d;
			c->hm[c->dh] = m;
			c->dh = (c->dh + 1) % RR_HIST;
			if (c->nd < RR_HIST)
				c->nd++;
		}
		c->prev_v = v;
		c->have_prev = 1;
	}
	memmove(c->p, c->p + n, (size_t)(c->np - n) * sizeof(c->p[0]));
	c->np -= n;
}

static void consume(struct rr_clean *c, int n, double med)
{
	consume_k(c, n, med, 0);
}

/* The same for intervals judged artifacts and replaced or merged (rules 1b,
 * 3, 5, 8): kept out of the threshold history. In a rhythm with frequent
 * premature beats (mitdb 220: 10 % of the intervals in some minutes) their
 * large dRR would otherwise widen th1/th2 until a beat 14 % early passes as
 * sinus variability. A moved beat (rule 1) and a missed one (rule 6) stay
 * in: those rules also fire on real irregular sinus rhythm, and keeping
 * their intervals out narrows the thresholds into a cascade of corrections
 * (nsr2db nsr017, RMSSD 41 ms: -23 % with them out). */
static void consume_art(struct rr_clean *c, int n, double med)
{
	consume_k(c, n, med, 1);
}

static int ectopic_rule(double s11, double s12)
{
	return (s11 > 1.0 && s12 < -C1 * s11 - C2) || (s11 < -1.0 && s12 > -C1 * s11 + C2);
}

/* Decide p[0]; returns nothing, appends to out. */
static void decide(struct rr_clean *c, struct rr_nn *out, int *k)
{
	double med = median_recent(c);
	double floor_ms = c->min_th * med;
	double th1, th2;
	if (c->nd >= MIN_HIST) {
		th1 = ALPHA * qd(c->hd, c->nd);
		th2 = ALPHA * qd(c->hm, c->nd);
		th1 = th1 > floor_ms ? th1 : floor_ms;
		th2 = th2 > floor_ms ? th2 : floor_ms;
	} else {
		th1 = th2 = START_TH * med;
	}
	/* sum tests (ectopic pair, extra, missed): history median, tolerance
	 * at least SUM_TOL of it (a merged or split interval is a real RR,
	 * which varies around the median) */
	double mh = median_hist(c);
	if (isnan(mh))
		mh = med;
	double tol = th2 > SUM_TOL * mh ? th2 : SUM_TOL * mh;
	int np = c->np;
	double r0 = c->p[0].v, r1 = np > 1 ? c->p[1].v : NAN, r2 = np > 2 ? c->p[2].v : NAN;
	double prevv = c->have_out ? c->out_v : med;
	double d0 = (r0 - prevv) / th1;
	double d1 = np > 1 ? (r1 - r0) / th1 : 0.0;
	double d2 = np > 2 ? (r2 - r1) / th1 : 0.0;
	double dm1 = c->have_out_d ? c->out_d / th1 : 0.0;
	double mr = r0 - med;
	if (mr < 0.0)
		mr *= 2.0;
	mr /= th2;

	/* 0. ectopic run (SVT): RUN_MIN intervals in a row RUN_DROP below the
	 * sinus median start it (the sinus rate never drops so far in one
	 * beat; one or two short intervals are left to the pair and extra-beat
	 * rules); it lasts while the intervals stay that short, and the
	 * interval that ends it (from the last ectopic beat: the first back
	 * above 70 % of the sinus median) belongs to it.
	 * Real beats, not artifacts: their values are kept, but they are not
	 * NN intervals (the annotation-based reference drops them too). */
	if (c->run) {
		if (r0 >= RUN_END * c->run_ref) {
			c->run = 0; /* back near the sinus rate */
			c->post_run = 1;
		}
		emit_run(c, out, k);
		return;
	}
	/* 0a. the first sinus interval after a run (between two normal beats)
	 * is often long, the sinus node resetting: a real NN interval, kept
	 * unless it is an artifact itself (over POST_MAX times the median) or
	 * short (another premature beat: the rules below decide) */
	if (c->post_run) {
		c->post_run = 0;
		if (r0 < POST_MAX * mh && r0 > (1.0 - PHYS_DEV) * mh) {
			emit(c, out, k, c->p[0].t, r0, RR_KIND_OK);
			consume(c, 1, med);
			return;
		}
	}
	/* 0b. the interval after an atrial premature beat (rule 1c) starts at
	 * an ectopic beat: not NN, unless an artifact (over 1.5 mh); a second
	 * one well short (under RUN_END mh: a couplet) continues the chain */
	if (c->post_atr) {
		c->post_atr = 0;
		if (r0 < POST_MAX * mh) {
			c->post_atr = r0 < RUN_END * mh;
			emit_run(c, out, k);
			return;
		}
	}
	/* 0b. the interval after a premature beat that was replaced (rules 3
	 * and 8: an ectopic beat with a non-compensatory pause, a couplet)
	 * starts at an ectopic beat: a real interval, not NN (unless it is an
	 * artifact itself, longer than 1.5 times the median) */
	if (c->post_ect) {
		c->post_ect = 0;
		if (r0 < POST_MAX * mh) {
			c->post_ect = r0 < (1.0 - PHYS_DEV) * mh;
			emit_run(c, out, k);
			return;
		}
	}
	if (c->la >= RUN_MIN - 1 && np >= RUN_MIN && c->no >= 5) {
		int n_short = 0;
		for (int i = 0; i < RUN_MIN; i++)
			n_short += c->p[i].v < (1.0 - RUN_DROP) * mh;
		/* a run is regular after its first (coupling) interval; false
		 * beats (T waves, noise) alternate short and shorter */
		double a = c->p[1].v, b = c->p[2].v;
		/* and it starts abruptly: a premature beat drops the interval in
		 * one step from the last sinus one; a deep sinus-arrhythmia
		 * trough (RR swinging +-250 ms with breathing) glides into the
		 * same range over several beats and is physiology */
		int abrupt = !c->have_out || c->p[0].v < (1.0 - RUN_DROP) * c->out_v;
		if (n_short == RUN_MIN && abrupt && fabs(a - b) < RUN_REG * (a > b ? a : b)) {
			c->run = 1;
			c->run_ref = mh;
			emit_run(c, out, k);
			return;
		}
	}
	/* 1. ectopic/misplaced beat between p[0] and p[1]: the pair sums to
	 * two normal intervals (else rules 5-7 decide) */
	double half = 0.5 * (r0 + r1);
	int pair_normal = np > 2 && (near_normal(c, half, mh, r2, tol) ||
				     (c->have_out && fabs(half - c->out_v) < 0.5 * NEIGH_TOL * c->out_v &&
				      fabs(half - r2) < 0.5 * NEIGH_TOL * r2));
	if (np > 2 && fabs(d0) > 1.0 && pair_normal && fabs(r0 - r1) >= ECT_MIN * (r0 + r1)) {
		double s12 = d1 > 0.0 ? fmax(d0, d2) : fmin(d0, d2);
		if (ectopic_rule(d1, s12)) {
			c->st.kind[RR_KIND_ECTOPIC]++;
			int64_t t1 = c->p[1].t;
			int64_t tm = t1 - (int64_t)llround(half * 1e6);
			emit(c, out, k, tm, half, RR_KIND_ECTOPIC);
			emit(c, out, k, t1, half, RR_KIND_ECTOPIC);
			consume(c, 2, med);
			return;
		}
	}
	/* 1b. an interval split in two by a false (or interpolated ectopic)
	 * beat: both parts well short of the neighbours and their sum one
	 * interval like the neighbours on both sides; needs no threshold (in
	 * a very irregular rhythm th1 is too wide to see it) */
	if (np > 2 && c->have_out) {
		double sum = r0 + r1, lim = (1.0 - 2.0 * PHYS_DEV) * c->out_v;
		if (r0 < lim && r1 < lim && fabs(sum - c->out_v) < 0.5 * NEIGH_TOL * c->out_v &&
		    fabs(sum - r2) < 0.5 * NEIGH_TOL * r2) {
			double before = c->out_v;
			c->st.kind[RR_KIND_EXTRA]++;
			emit(c, out, k, c->p[1].t, sum, RR_KIND_EXTRA);
			consume_art(c, 2, med);
			if (r2 > (1.0 + SPLIT_PAUSE) * before && r2 < POST_MAX * mh)
				emit_run(c, out, k);
			return;
		}
	}
	/* 1c. an early beat whose P wave is unlike the usual one (the
	 * detector's morphology judgement, RR_BEAT_ODD_P), followed by a
	 * pause: an atrial (or ventricular) premature beat, however little
	 * early. Real beats, not NN: this interval and the next one (from the
	 * ectopic beat) are passed on as run intervals. */
	if ((c->p[0].bf & RR_BEAT_ODD_P) && c->no >= 5 && r0 < (1.0 - ODD_P_EARLY) * mh &&
	    np > 1 && r1 > r0 && r1 > (1.0 + ODD_P_PAUSE) * mh) {
		emit_run(c, out, k);
		c->post_atr = 1;
		return;
	}
	/* 2. normal; also when the last interval was replaced by the median
	 * and this one follows the raw series smoothly (a real change of rate
	 * must not cascade into replacements) */
	int smooth = c->have_out && c->out_kind == RR_KIND_LONGSHORT && c->have_prev &&
		     fabs(r0 - c->prev_v) <= th1;
	int phys = fabs(r0 - med) < PHYS_DEV * med;
	/* a slower interval followed by a premature beat whose short-long
	 * pair averages to it: RR_j is the new rate, the artifact is next */
	int ect_next = np > 2 && r0 > med && r1 < r0 && r0 < r2 &&
		       fabs(0.5 * (r1 + r2) - r0) < tol && r2 - r1 >= ECT_MIN * (r1 + r2);
	if (fabs(d0) <= 1.0 || smooth || phys || ect_next) {
		emit(c, out, k, c->p[0].t, r0, RR_KIND_OK);
		consume(c, 1, med);
		return;
	}
	/* 3. p[0] itself is a spike against both neighbours */
	if (np > 1 && c->have_out_d) {
		double s12 = d0 > 0.0 ? fmax(dm1, d1) : fmin(dm1, d1);
		if (ectopic_rule(d0, s12)) {
			c->st.kind[RR_KIND_ECTOPIC]++;
			emit(c, out, k, c->p[0].t, med, RR_KIND_ECTOPIC);
			c->post_ect = r0 < (1.0 - PHYS_DEV) * med;
			consume_art(c, 1, med);
			return;
		}
	}
	/* 4. long / short / far from the median */
	double s22 = 0.0;
	if (np > 2)
		s22 = d0 >= 0.0 ? fmin(d1, d2) : fmax(d1, d2);
	else if (np > 1)
		s22 = d1;
	int lng = d0 > 1.0 && s22 < -1.0;
	int shrt = d0 < -1.0 && s22 > 1.0;
	int far = fabs(mr) > 3.0;
	/* a jump explained by an artifact in the next interval (an extra beat
	 * splitting RR_{j+1}, or a missed one doubling it) is not RR_j's */
	int next_art = 0;
	if (!far && np > 2 && lng && r0 < 1.5 * mh && r1 < 0.8 * r0 && r2 < 0.8 * r0)
		next_art = fabs(r1 + r2 - r0) < tol ||
			   near_normal(c, r1 + r2, mh, np > 3 ? c->p[3].v : NAN, tol);
	if (!far && np > 1 && shrt && r0 > 0.67 * mh && r1 > 1.5 * mh)
		next_art = fabs(0.5 * r1 - r0) < tol || near_normal(c, 0.5 * r1, mh, r2, tol);
	if ((!lng && !shrt && !far) || next_art) {
		emit(c, out, k, c->p[0].t, r0, RR_KIND_OK);
		consume(c, 1, med);
		return;
	}
	/* 5. extra beat */
	if ((shrt || (far && r0 < med)) && np > 1 &&
	    near_normal(c, r0 + r1, mh, np > 2 ? r2 : NAN, tol) &&
	    fits_neighbours(c, r0 + r1, np > 2 ? r2 : NAN)) {
		c->st.kind[RR_KIND_EXTRA]++;
		emit(c, out, k, c->p[1].t, r0 + r1, RR_KIND_EXTRA);
		consume_art(c, 2, med);
		return;
	}
	/* 6. missed beat(s) */
	if ((lng || far) && r0 > med) {
		long parts = lround(r0 / mh);
		if (parts >= 2 && parts <= MAX_SPLIT &&
		    near_normal(c, r0 / (double)parts, mh, r1, tol) &&
		    fits_neighbours(c, r0 / (double)parts, r1)) {
			c->st.kind[RR_KIND_MISSED]++;
			double part = r0 / (double)parts;
			int64_t t_end = c->p[0].t;
			for (long i = 0; i < parts; i++) {
				int64_t t = t_end - (int64_t)llround((double)(parts - 1 - i) * part * 1e6);
				emit(c, out, k, t, part, RR_KIND_MISSED);
			}
			consume(c, 1, med);
			return;
		}
	}
	/* 7. no artifact explains it: a long interval whose slowing persists
	 * into the next two (a sinus slowing recovers over several beats; after
	 * a late fiducial or a missed beat the old rate is back at once) is a
	 * real pause; a short one followed by two at the same rate is the start
	 * of a run (SVT, sudden acceleration), not an extra beat: both kept */
	int real_long = r0 > med && r0 > mh && np > 2 && r1 - mh > PERSIST * (r0 - mh) &&
			r2 - mh > 0.5 * PERSIST * (r0 - mh);
	int real_short = r0 < med && np > 2 && fabs(r1 - r0) < PHYS_DEV * r0 &&
			 fabs(r2 - r0) < PHYS_DEV * r0;
	/* an isolated pause between normal intervals (both within 15 % of mh,
	 * the one before not corrected), not compensated and not a multiple of its
	 * neighbours (1.25 to 1.75 times them): no detection artifact gives
	 * that (a missed beat doubles, a late fiducial is compensated), a
	 * sinus pause or a blocked beat does */
	if (!real_long && r0 > med && np > 1 && c->have_out && c->have_prev &&
	    c->out_kind == RR_KIND_OK && fabs(c->prev_v - mh) < PHYS_DEV * mh &&
	    fabs(r1 - mh) < PHYS_DEV * mh) {
		double q = r0 / (0.5 * (c->out_v + r1));
		real_long = q > 1.0 + PAUSE_OFF && q < 2.0 - PAUSE_OFF;
	}
	if (real_long || real_short) {
		emit(c, out, k, c->p[0].t, r0, RR_KIND_OK);
		consume(c, 1, med);
		return;
	}
	/* 8. long/short */
	c->st.kind[RR_KIND_LONGSHORT]++;
	emit(c, out, k, c->p[0].t, med, RR_KIND_LONGSHORT);
	c->post_ect = r0 < (1.0 - PHYS_DEV) * med;
	consume_art(c, 1, med);
}

static int drain(struct rr_clean *c, struct rr_nn *out, int keep)
{
	int k = 0;
	while (c->np > keep)
		decide(c, out, &k);
	return k;
}

int rr_flush(struct rr_clean *c, struct rr_nn *out)
{
	if (!c || !out)
		return 0;
	return drain(c, out, 0);
}

int rr_gap(struct rr_clean *c, struct rr_nn *out)
{
	if (!c || !out)
		return 0;
	int k = drain(c, out, 0);
	c->next_flags = HRV_NN_AFTER_GAP;
	c->run = 0;
	c->post_ect = 0;
	c->post_run = 0;
	c->post_atr = 0;
	c->have_prev = 0;
	c->have_out = 0;
	c->have_out_d = 0;
	c->have_last_t = 0;
	c->st.gaps++;
	return k;
}

int rr_push(struct rr_clean *c, int64_t t_ns, double rr_ms, struct rr_nn *out)
{
	return rr_push_beat(c, t_ns, rr_ms, 0u, out);
}

int rr_push_beat(struct rr_clean *c, int64_t t_ns, double rr_ms, unsigned beat_flags,
		 struct rr_nn *out)
{
	if (!c || !out)
		return 0;
	if (c->have_last_t && t_ns <= c->last_t)
		return 0; /* time must increase */
	if (!(rr_ms > 0.0) || !isfinite(rr_ms)) {
		if (!c->have_last_t) {
			c->last_t = t_ns;
			c->have_last_t = 1;
			return 0;
		}
		rr_ms = (double)(t_ns - c->last_t) * 1e-6;
	}
	int k = 0;
	int jump = c->have_last_t &&
		   (double)(t_ns - c->last_t) * 1e-6 > rr_ms + 0.5 * RR_GAP_MS;
	c->st.in++;
	if (rr_ms > RR_GAP_MS || jump) {
		k = rr_gap(c, out);
		c->last_t = t_ns;
		c->have_last_t = 1;
		if (rr_ms > RR_GAP_MS)
			return k;
	}
	c->last_t = t_ns;
	c->have_last_t = 1;
	c->p[c->np].t = t_ns;
	c->p[c->np].v = rr_ms;
	c->p[c->np].bf = beat_flags;
	c->np++;
	int kk = drain(c, out + k, c->la);
	return k + kk;
}
