/*
 * guide_advice.c - pressure advice: ease / hold / deepen-ok, with reasons.
 *
 * Problem: during pressure work the therapist wants to know, every moment,
 * whether the client is bracing against it (ease), coping (hold) or
 * settling enough for more depth (deepen-ok), and why.
 * Approach: rules over the features guide.c computes every 250 ms:
 * - tension: a region's EMG envelope over the last 1 s against the 10 s
 *   before it; a rise of >= 30 % (and >= 5 uV, so that noise at rest does
 *   not count) is a guarding response;
 * - arousal: mean HR over the last 2 s >= 5 bpm above the 30 s before, or
 *   RMSSD over the last 15 s >= 30 % below the 30 s before with HR >= 2.5
 *   bpm up (sympathetic activation with vagal withdrawal);
 * - ease when tension and arousal come together, or on strong guarding
 *   alone (a rise >= 150 % and >= 20 uV in 10 s), or when HR rises >= 12
 *   bpm alone; ease then lasts while the surge lasts (the tense regions
 *   stay >= 30 % above, and HR >= 5 bpm above, their levels before it) and
 *   10 s more (hysteresis);
 * - deepen-ok when for >= 20 s: no ease in the last 30 s, every region
 *   within +10 %, HR over the last 10 s not up by more than 2 bpm on the
 *   30 s before, RMSSD not down by more than 10 %, and calm >= 45 or
 *   rising (calm is 50 at the session's own baseline); it is kept while
 *   the looser limits +20 %, +4 bpm, -20 %, calm >= 40 hold;
 * - hold otherwise; none when no beats and no EMG arrive.
 * Profiles: `sensitive` lowers the thresholds (20 %, 4 uV, 4 bpm, 8 bpm
 * alone, guarding alone 60 % and 16 uV) and never gives deepen-ok; `flare`
 * lowers them further (15 %, 3 uV, 3 bpm, guarding alone 30 % and 12 uV):
 * light-touch work only.
 * Confidence grows with the number of agreeing signals and, for
 * deepen-ok, with how long the quiet has lasted.
 * References: EMG guarding/bracing to pressure pain (Lund et al., Can J
 * Physiol Pharmacol 69:683, 1991, pain-adaptation model); HR and HRV
 * responses to massage pressure (Diego & Field, Int J Neurosci 119:630,
 * 2009: moderate pressure lowers HR and raises vagal tone, light pressure
 * does less, painful pressure arouses).
 * Limits: thresholds are reasoned defaults, not fitted to clinical data;
 * the advice supports, never replaces, the therapist's judgement.
 */
#include "guide_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct thresholds {
	double rise_pct;      /* EMG rise for tension, % */
	double rise_uv;       /* ... and at least this many uV */
	double dhr_bpm;       /* HR rise for arousal */
	double dhr_alone_bpm; /* HR rise that eases by itself */
	double tension_alone_pct; /* EMG rise that eases by itself (strong guarding;
				   * also needs ALONE_UV_FACTOR * rise_uv) */
	int deepen;           /* deepen-ok allowed */
};

static const struct thresholds thr[GUIDE_NPROFILES] = {
	[GUIDE_PROF_STANDARD] = { 30.0, 5.0, 5.0, 12.0, 150.0, 1 },
	[GUIDE_PROF_SENSITIVE] = { 20.0, 4.0, 4.0, 8.0, 60.0, 0 },
	[GUIDE_PROF_FLARE] = { 15.0, 3.0, 3.0, 8.0, 30.0, 0 },
};

#define ALONE_UV_FACTOR 4.0
#define RMSSD_DROP_PCT (-30.0)
#define EASE_KEEP_NS 10000000000LL   /* 10 s */
#define QUIET_NEED_NS 20000000000LL  /* 20 s */
#define QUIET_FULL_S 60.0            /* confidence of deepen-ok reaches 1 */
#define NO_EASE_NS 30000000000LL     /* 30 s */
#define QUIET_RISE_PCT 10.0     /* enter deepen-ok */
#define QUIET_DHR_BPM 2.0
#define QUIET_DRMSSD_PCT (-10.0)
#define STAY_RISE_PCT 20.0      /* stay in deepen-ok */
#define STAY_DHR_BPM 4.0
#define STAY_DRMSSD_PCT (-20.0)
#define CALM_OK 45.0            /* calm at/above this, or rising, to deepen */
#define CALM_STAY 40.0          /* ... and to stay */

#define APPEND(...)                                                           \
	do {                                                                  \
		if (pos < sizeof(buf))                                        \
			pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, \
						__VA_ARGS__);                 \
	} while (0)

void guide_advice_eval(const struct guide_feat *f, enum guide_profile prof,
		       struct guide_adv_state *st)
{
	const struct thresholds *t = &thr[(prof >= 0 && prof < GUIDE_NPROFILES) ? prof : 0];
	char buf[sizeof(st->reasons)];
	size_t pos = 0;
	buf[0] = '\0';

	if (!f->have_beats && !f->have_emg) {
		st->advice = GUIDE_ADV_NONE;
		st->confidence = 0.0;
		snprintf(st->reasons, sizeof(st->reasons), "no heart or EMG signal");
		st->quiet_since_ns = INT64_MIN;
		return;
	}

	/* tension: regions over the threshold, the largest rise first */
	int deep = st->advice == GUIDE_ADV_DEEPEN_OK;
	double q_rise = deep ? STAY_RISE_PCT : QUIET_RISE_PCT;
	double q_dhr = deep ? STAY_DHR_BPM : QUIET_DHR_BPM;
	double q_drmssd = deep ? STAY_DRMSSD_PCT : QUIET_DRMSSD_PCT;
	int tense = 0, tense_alone = 0, all_quiet = 1;
	double top = -INFINITY;
	for (int c = 0; c < f->nreg; c++) {
		if (!f->reg[c].valid)
			continue;
		double rise = f->reg[c].rise_pct;
		double duv = f->reg[c].now_uv - f->reg[c].ref_uv;
		if (rise > q_rise)
			all_quiet = 0;
		if (rise >= t->rise_pct && duv >= t->rise_uv) {
			tense = 1;
			if (rise >= t->tension_alone_pct &&
			    duv >= ALONE_UV_FACTOR * t->rise_uv)
				tense_alone = 1;
			APPEND("%sEMG %s %+.0f %% in 10 s (%.0f -> %.0f uV)",
			       pos ? "; " : "", f->reg[c].name, rise, f->reg[c].ref_uv,
			       f->reg[c].now_uv);
		}
		top = fmax(top, rise);
	}

	/* arousal */
	int hr_up = isfinite(f->dhr) && f->dhr >= t->dhr_bpm;
	int hr_alone = isfinite(f->dhr) && f->dhr >= t->dhr_alone_bpm;
	int vagal_drop = isfinite(f->drmssd_pct) && f->drmssd_pct <= RMSSD_DROP_PCT &&
			 isfinite(f->dhr) && f->dhr >= 0.5 * t->dhr_bpm;
	int arousal = hr_up || vagal_drop;
	if (arousal) {
		APPEND("%sHR %+.0f bpm in 30 s (%.0f -> %.0f)", pos ? "; " : "",
		       f->dhr, f->hr_ref, f->hr_now);
		if (isfinite(f->drmssd_pct) && f->drmssd_pct <= -10.0)
			APPEND(" and RMSSD %+.0f %% in 30 s", f->drmssd_pct);
		APPEND(": arousal");
	}

	int ease = (tense && arousal) || hr_alone || tense_alone;
	if (ease && st->advice != GUIDE_ADV_EASE) {
		/* a new surge: remember the levels before it */
		st->ease_hr_ref = f->hr_ref;
		st->ease_needs_hr = !tense_alone || arousal;
		for (int c = 0; c < GUIDE_MAX_REGIONS; c++) {
			int t_c = c < f->nreg && f->reg[c].valid &&
				  f->reg[c].rise_pct >= t->rise_pct &&
				  f->reg[c].now_uv - f->reg[c].ref_uv >= t->rise_uv;
			st->ease_uv_ref[c] = t_c ? f->reg[c].ref_uv : NAN;
		}
	}
	if (!ease && st->advice == GUIDE_ADV_EASE) {
		/* is the surge still on? */
		int still_tense = 0, any_ref = 0;
		for (int c = 0; c < f->nreg; c++) {
			double ref = st->ease_uv_ref[c];
			if (!isfinite(ref) || !f->reg[c].valid)
				continue;
			any_ref = 1;
			if (f->reg[c].now_uv >= (1.0 + t->rise_pct / 100.0) * ref &&
			    f->reg[c].now_uv - ref >= t->rise_uv) {
				still_tense = 1;
				APPEND("%sstill guarding: EMG %s %.0f uV (%.0f before the surge)",
				       pos ? "; " : "", f->reg[c].name, f->reg[c].now_uv, ref);
			}
		}
		int still_hr = isfinite(f->hr_now) && isfinite(st->ease_hr_ref) &&
			       f->hr_now - st->ease_hr_ref >= t->dhr_bpm;
		if (still_hr)
			APPEND("%sHR %.0f bpm (%.0f before the surge)", pos ? "; " : "",
			       f->hr_now, st->ease_hr_ref);
		ease = (still_tense || !any_ref) && (still_hr || !st->ease_needs_hr);
		if (!ease)
			pos = 0, buf[0] = '\0';
	}
	if (ease) {
		st->ease_until_ns = f->t_ns + EASE_KEEP_NS;
		st->last_ease_ns = f->t_ns;
		st->advice = GUIDE_ADV_EASE;
		st->confidence = fmin(1.0, 0.5 + 0.2 * tense + 0.2 * arousal +
					      0.1 * (tense && arousal));
		snprintf(st->reasons, sizeof(st->reasons), "%s", buf);
		st->quiet_since_ns = INT64_MIN;
		return;
	}
	if (st->advice == GUIDE_ADV_EASE && f->t_ns < st->ease_until_ns) {
		st->quiet_since_ns = INT64_MIN;
		return; /* keep easing a little longer, with the triggering reasons */
	}

	/* deepen-ok candidates */
	int quiet = f->have_beats && all_quiet &&
		    (st->last_ease_ns == INT64_MIN || f->t_ns - st->last_ease_ns >= NO_EASE_NS) &&
		    isfinite(f->dhr_slow) && f->dhr_slow <= q_dhr &&
		    !(isfinite(f->drmssd_pct) && f->drmssd_pct < q_drmssd) &&
		    (!isfinite(f->calm) || f->calm >= (deep ? CALM_STAY : CALM_OK) ||
		     (isfinite(f->calm_trend) && f->calm_trend > 0.0));
	if (!quiet)
		st->quiet_since_ns = INT64_MIN;
	else if (st->quiet_since_ns == INT64_MIN)
		st->quiet_since_ns = f->t_ns;
	double quiet_s = quiet ? (double)(f->t_ns - st->quiet_since_ns) / 1e9 : 0.0;

	if (quiet && f->t_ns - st->quiet_since_ns >= QUIET_NEED_NS && t->deepen) {
		st->advice = GUIDE_ADV_DEEPEN_OK;
		st->confidence = fmin(1.0, 0.5 + 0.5 * quiet_s / QUIET_FULL_S);
		APPEND("settled for %.0f s: HR %+.1f bpm", quiet_s, f->dhr_slow);
		if (isfinite(f->drmssd_pct))
			APPEND(", RMSSD %+.0f %%", f->drmssd_pct);
		if (isfinite(top))
			APPEND(", EMG at most %+.0f %%", top);
		if (isfinite(f->calm))
			APPEND(", calm %.0f (%+.1f/min)", f->calm,
			       isfinite(f->calm_trend) ? f->calm_trend : 0.0);
		snprintf(st->reasons, sizeof(st->reasons), "%s", buf);
		return;
	}

	st->advice = GUIDE_ADV_HOLD;
	st->confidence = (tense || arousal) ? 0.6 : 0.5;
	if (tense)
		APPEND(": watch (no arousal)");
	else if (arousal)
		APPEND(" (no guarding)");
	if (!tense && !arousal)
		APPEND("steady%s", quiet ? ", settling" : "");
	if (!t->deepen)
		APPEND("; profile %s: light-touch work only, never deepen",
		       prof == GUIDE_PROF_FLARE ? "flare" : "sensitive");
	snprintf(st->reasons, sizeof(st->reasons), "%s", buf);
}
