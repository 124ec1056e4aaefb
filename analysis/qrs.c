/*
 * qrs.c - causal real-time QRS detector (see qrs.h for the interface).
 *
 * Problem: find every heartbeat in one ECG lead, live, with a bounded
 * decision delay, at 100-2000 Hz, through noise, baseline wander, polarity
 * and amplitude changes, paced beats and ectopic beats; give the R peak to
 * better than one sample and say how readable the signal is.
 *
 * Approach (Pan & Tompkins 1985 and Hamilton & Tompkins 1986 families,
 * rearranged so that every decision is taken a fixed time after the peak):
 *  1. Detection feature, per sample: band-pass 5-12 Hz (two Butterworth
 *     biquads), slope over 10 ms, squared (polarity-free), mean over a
 *     moving window of DET_MWI_S. Its square root f (units of slope, so
 *     thresholds scale linearly with amplitude) is taken only at peaks.
 *  2. Candidates: sample p is a candidate when f[p] is the maximum of f over
 *     [p - DET_PEAK_S, p + DET_PEAK_S]: the running maximum since the last
 *     candidate becomes due when DET_PEAK_S has passed without a larger
 *     value, and only then is the part of its past window not yet tracked
 *     scanned (amortised O(1) per sample), once the input reaches
 *     p + DET_PEAK_S. That lookahead is the only look at the future, and of
 *     two peaks closer than it only the larger can become a beat.
 *  3. Classification with adaptive levels: medians of the last 8 beat
 *     heights (SPK), noise-peak heights (NPK), RR intervals and beat slopes.
 *     Threshold NPK + DET_THR_K (SPK - NPK), halved once more than 1.5
 *     median RR have passed without a beat and again for every further RR
 *     (the causal counterpart of search-back; a beat found so, far below
 *     SPK, resets half the SPK history so the level follows an amplitude
 *     drop at once). Where the rhythm expects the next beat (0.85-1.3 RR)
 *     the threshold is DET_EXPECT_K for a peak at least DET_EXPECT_SLOPE as
 *     steep as the last beat. A peak must stand out of the quiet level
 *     (see 5) by DET_SNR_MIN, or by DET_SNR_EXP_MIN where the rhythm
 *     expects the next beat (DET_SNR_EXP_LO..HI of the RR: muscle noise
 *     raises the quiet level almost to the beats'); in a clean signal a
 *     peak standing out by DET_CLEAR_SNR past the T-wave window needs only
 *     DET_CLEAR_K (small aberrant beats). Refractory
 *     DET_REFRACT_S. T-wave rule: closer than DET_TWAVE_S to the last beat
 *     and less than half as steep as it (or as the usual beat, if the last
 *     one was steeper) is a T wave. Early rule: within DET_TWAVE_S, under
 *     DET_EARLY_SHARE of the usual RR, lower than DET_EARLY_HEIGHT of the
 *     beat level and unlike the QRS template (DET_EARLY_RHO, or no
 *     template) is an ectopic beat's T wave or an isolated artefact (svdb
 *     805, 810, 801; mitdb 114, 203, 207: 46 false beats fewer, no beat
 *     lost over mitdb, svdb and nstdb). Rejected peaks feed NPK, capped so that
 *     a missed beat cannot drag the noise level up to the beats' level,
 *     and not at all when they look like a QRS (steep, standing out).
 *     Only intervals within DET_RR_LO..HI of the median enter the RR
 *     history (a false beat in noise splits an interval in two short ones,
 *     which would otherwise drag the expected RR down and every threshold
 *     with it), unless DET_RR_OUT_N unusual ones come in a row. When a
 *     candidate is rejected, the largest local peak of the feature that it
 *     hid in the DET_PEAK_S after it (at least DET_HIDDEN_GAP_S later) is
 *     judged too, in a clean signal or where the rhythm expects the beat.
 *     Conversely, an accepted peak unlike the running QRS template (step
 *     4; normalised correlation DET_SWAP_RHO_MIN..DET_SWAP_RHO_LO) gives
 *     way to the largest peak it hides when that one matches the template
 *     closely (DET_SWAP_RHO_HI), is steep, over the expected-beat
 *     threshold and has its R at least DET_SWAP_GAP_S later: a baseline
 *     step just before a QRS (nstdb 118bw06).
 *  4. Fiducial, computed only for candidates from the raw samples kept in a
 *     ring: the steepest point of the detection band locates the QRS (not a
 *     tall P or T wave); the R peak is the dominant deflection of the
 *     lightly smoothed signal within FID_HALF_S of it, relative to the mean
 *     over about one beat, preferring the lead's usual polarity so the
 *     fiducial does not jump between R and S; a parabola through 3
 *     smoothed samples refines it below one sample. For a beat, that first
 *     estimate is then aligned with a running QRS template (qrs_tpl.h:
 *     cross-correlation over +-12 ms, parabolic refinement; amplitude- and
 *     linear-baseline-invariant), so the whole QRS, not one noisy sample,
 *     places the fiducial: respiratory modulation and noise no longer move
 *     it (RR jitter 0.51 -> 0.29 ms RMS on the synthetic test; mitdb 122 HF
 *     from detected beats within 5 % of the annotations'). Beats unlike the
 *     template (ectopy, noise) keep the first estimate.
 *  5. Quality: the "quiet level" is the mean feature between the end of the
 *     last beat's T wave (Q_QUIET_AFTER_S) and just before this QRS, where a
 *     clean ECG is nearly flat in the detection band; a beat's quality maps
 *     its height over that level from Q_SNR_0 (0) to Q_SNR_1 (1), and beats
 *     under Q_NOISY are flagged QRS_BEAT_NOISY. qrs_quality() is the last
 *     beat's, lowered when the feature stayed above Q_BUSY_K of the beat
 *     level for more than Q_BUSY_0 of the last second (noise between the
 *     beats), and 0 after 2 s (or 2 RR) without a beat, after signal loss
 *     or before the first beat.
 *  6. Noisy mode: where the signal is nearly unreadable, +P is traded for
 *     Se, as gqrs does. Entered (re-judged at every candidate) while the
 *     beat level, held against drops (NZ_HOLD per beat), is under NZ_K
 *     times the root of the feature's mean over about NZ_TAU_S (beats add
 *     to that mean too: about 2.5 in a clean ECG at 70/min; 0 dB noise
 *     brings it to 1.2-2.0, 12 dB to 2.0-2.6) and at least NZ_IRR_N of the
 *     last NZ_IRR_W RR intervals were unusual (the ordinary rules are
 *     already failing: noisy but regular records such as mitdb 108 or the
 *     double-humped feature of svdb 801 stay out). There, candidates are
 *     the local maxima over +-NZ_PEAK_S, judged in time order as soon as
 *     they are known (a QRS is no longer hidden by a larger noise peak up
 *     to DET_PEAK_S away), with refractory NZ_REFRACT_S, height over the
 *     quiet level NZ_SNR_MIN, no hidden-peak search, and, within
 *     DET_TWAVE_S of the last beat, at least NZ_TWAVE_K of its height (the
 *     T wave of a clear beat; mitdb 203); their quality is
 *     at most NZ_Q_MAX (flagged noisy). The cost: about one false beat per
 *     true one while the noise lasts (nstdb 0 dB +P 68 %, gqrs 61-63 %).
 *  7. P wave: for a beat of quality >= PRE_QUAL_MIN, the segment before
 *     the QRS is compared with a running template of timely beats
 *     (qrs_pre.h); an odd one sets QRS_BEAT_ODD_P, which the RR cleaner
 *     uses to drop atrial premature beats that are barely early (mitdb
 *     220: 90 of 94 A beats flagged, 12 of 1952 N beats). It changes no
 *     detection.
 * The decision delay is at most DET_PEAK_S + FID_BACK_S (R before the
 * feature peak): 295 ms.
 * References: J. Pan, W. J. Tompkins, "A real-time QRS detection
 * algorithm", IEEE TBME 32(3) 1985; P. S. Hamilton, W. J. Tompkins,
 * "Quantitative investigation of QRS detection rules using the MIT/BIH
 * arrhythmia database", IEEE TBME 33(12) 1986.
 * Figures (2026-11-21; tests/bench/score_beats.sh, Se/+P %, 150 ms window):
 * mitdb DS1+paced gross 99.85/99.85; svdb 99.91/99.80; nstdb from 5:00
 * (ours vs gqrs): e24 100/99.95 vs 100/99.95, e12 100/95.09 vs 99.95/88.66,
 * e00 97.34/68.52 vs 96.82/60.76, ma24 100/100 vs 100/99.95, ma12
 * 99.95/98.00 vs 99.90/92.87, ma06 99.79/85.55 vs 99.48/77.45, ma00
 * 99.01/67.94 vs 98.75/62.98, bw12 100/99.95 vs 100/99.90, bw06 100/99.84
 * vs 100/99.64, bw00 99.90/99.07 vs 99.90/97.55 (before noisy mode and the
 * template swap: e00 91.44/72.16, ma00 94.42/84.81, ma06 99.53/92.04, e12
 * 100/95.32, bw06 99.95/99.79). Speed (bench_qrs, 2026-12-05) 4.8 ms per
 * 30-minute 360 Hz record with the P-wave judge (step 1 runs per block of
 * up to FEED_BLOCK samples in passes that each carry one short recursion:
 * see qrs_feed() and block_band() below); decision delay max 294 ms. Fiducial
 * (tests/bench/hrv_fiducial.sh): SD from the annotations 0.30-0.32
 * samples (their whole-sample rounding alone: 0.29).
 * Limits: one lead; no beat classification; two beats closer than
 * DET_REFRACT_S cannot both be found; in heavy noise (nstdb e00, ma00)
 * noisy mode finds the beats only at the price of as many false ones
 * (their quality says so), and its trigger is tuned on nstdb 118: the
 * e12 +P floor (95) and the ma00 Se (gqrs 98.75) hold by a few beats
 * only; a QRS buried in the rising edge of a larger noise hump (no local
 * maximum of its own) is still lost; not for clinical use.
 */
#include "qrs.h"

#include "qrs_filt.h"
#include "qrs_pre.h"
#include "qrs_simd.h"
#include "qrs_tpl.h"
#include "vg_err.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- tuning */
#define DET_HP_HZ 5.0        /* detection band */
#define DET_LP_HZ 12.0
#define DET_SLOPE_S 0.010    /* slope lag */
#define DET_MWI_S 0.100      /* moving-window integral */
#define DET_PEAK_S 0.180     /* candidate = max over +- this (lookahead) */
#define DET_REFRACT_S 0.200  /* no two beats closer than this */
#define DET_TWAVE_S 0.360    /* T-wave check window after a beat */
#define DET_TWAVE_SLOPE 0.5  /* ... if less steep than this share of the last beat */
#define DET_EARLY_SHARE 0.30 /* within the T-wave window and under this share of the
			      * usual RR ... */
#define DET_EARLY_RHO 0.7    /* ... a peak less like the QRS template than this (or
			      * with no template) ... */
#define DET_EARLY_HEIGHT 0.7 /* ... and lower than this share of the beat level
			      * is not a beat */
#define DET_THR_K 0.3        /* threshold between noise and signal level */
#define DET_EXPECT_K 0.12    /* threshold where the next beat is expected */
#define DET_EXPECT_LO 0.85   /* ... from this share of the median RR */
#define DET_EXPECT_HI 1.30   /* ... to this one */
#define DET_EXPECT_SLOPE 0.3 /* ... if its slope is this share of the last beat's */
#define DET_CLEAR_SNR 6.0    /* a peak standing out of the quiet level this much */
#define DET_CLEAR_SLOPE 0.25 /* ... this steep (share of the beats' median slope) */
#define DET_CLEAR_CLEAN 20.0 /* ... in a signal this clean (SPK / quiet level) */
#define DET_CLEAR_K 0.1      /* ... needs only this threshold */
#define DET_NPK_CAP 0.1      /* noise level update cap, share of SPK - NPK */
#define DET_NPK_SNR 4.0      /* ... unless it stands out this much (and is steep: */
#define DET_NPK_SLOPE 0.6    /* ... this share of the beats' median slope) */
#define DET_LEARN_K 0.35     /* threshold before levels are known, x max */
#define DET_BLANK_S 0.10     /* no candidates this long after a (re)start */
#define FID_BACK_S 0.115     /* R at most this long before the feature peak */
#define FID_FWD_S 0.010      /* slope search after the feature peak */
#define FID_SLOPE_BACK_S 0.150 /* slope search before the feature peak */
#define FID_HALF_S 0.060     /* R search: +- this around the steepest point */
#define FID_SMOOTH_S 0.006   /* half-width of the smoothing boxcar */
#define FID_BASE_BACK_S 0.400 /* local baseline: mean from this before the QRS */
#define FID_BASE_FWD_S 0.150 /* ... to this after it */
#define FID_AREA_S 0.050     /* QRS area: +- this around R */
#define PRE_QUAL_MIN 0.7     /* P wave judged on beats at least this clean */
#define PRE_TIMELY 0.9       /* ... and learned from beats this share of the RR on */
#define DET_SNR_MIN 1.5      /* beat height over the quiet level, at least */
#define Q_SNR_0 3.0          /* quality 0 at this height over the quiet level */
#define Q_SNR_1 10.0         /* quality 1 at this one */
#define Q_BUSY_K 0.3         /* per second: share of time the feature is above
                                this share of the beat level ... */
#define Q_BUSY_0 0.5         /* ... up to this share: quality unchanged */
#define Q_BUSY_1 0.9         /* ... at this share: quality 0 */
#define Q_NOISY 0.3          /* beats under this quality are flagged noisy */
#define DET_BG_S 0.6         /* quiet part before a first beat */
#define Q_QUIET_AFTER_S 0.40 /* quiet part: from this after the last beat */
#define Q_QUIET_BEFORE_S 0.05 /* ... to this before the next */
#define Q_QUIET_MIN_S 0.10   /* ... at least this long */
#define QRS_MAX_ABS_MV 1e4f   /* larger samples are treated as signal loss */
#define MWI_RESUM 4096       /* moving sum recomputed every this many samples */
#define FEED_BLOCK 64        /* samples whose rings are written ahead (qrs_feed) */
#define RING_S 1.0           /* history kept */
#define DET_RR_LO 0.7        /* RR history: intervals from this share ... */
#define DET_RR_HI 1.5        /* ... to this one of the median RR, */
#define DET_RR_OUT_N 6       /* ... or any after this many unusual in a row */
#define DET_SNR_EXP_MIN 1.15 /* ... but this is enough for a peak from this */
#define DET_SNR_EXP_LO 0.80  /* ... share of the median RR ... */
#define DET_SNR_EXP_HI 1.35  /* ... to this one */
#define DET_HIDDEN_GAP_S 0.060 /* a rejected candidate's hidden peak: this far */
#define DET_SWAP_RHO_LO 0.8  /* an accepted peak this unlike the QRS template ... */
#define DET_SWAP_RHO_MIN 0.3 /* ... (less: template or fiducial not to be trusted) */
#define DET_SWAP_RHO_HI 0.9  /* ... gives way to a hidden one this like it */
#define DET_SWAP_GAP_S 0.120 /* ... whose R is this much later (not the same QRS) */
#define NZ_TAU_S 3.0         /* noisy mode: mean feature over about this long */
#define NZ_K 1.9             /* ... entered while the beat level is under this
                                times its root (clean ECG at 70/min: about 2.5) */
#define NZ_HOLD 0.95         /* ... beat level for it: falls by this per beat */
#define NZ_PEAK_S 0.040      /* ... candidate = max over +- this */
#define NZ_REFRACT_S 0.150   /* ... no two beats closer than this */
#define NZ_SNR_MIN 1.3       /* ... beat height over the quiet level, at least */
#define NZ_TWAVE_K 0.4       /* ... within DET_TWAVE_S: this share of the last beat's */
#define NZ_IRR_W 12          /* ... and while of the last this many RR intervals */
#define NZ_IRR_N 3           /* ... at least this many are unusual */
#define NZ_Q_MAX 0.25        /* ... quality of its beats, at most */
#define NLEV 8               /* beats in the level and RR medians */

struct qrs {
	double fs;
	qrs_beat_fn cb;
	void *ctx;
	/* durations in samples */
	int bg_len, quiet_after, quiet_before, quiet_min;
	int hgap, swap_gap;
	int lpk_nz, lpk_cur;       /* candidate half-window: noisy mode, current */
	int refr_nz;
	int noisy;                 /* noisy mode on */
	float spk_hold;            /* beat level, slowly forgotten when it drops */
	double ema, ema_a;         /* mean feature (squared units), its EMA factor */
	double ema_pw[FEED_BLOCK + 1]; /* (1 - ema_a)^j */
	double ema_rpw[FEED_BLOCK];    /* (1 - ema_a)^(FEED_BLOCK - 1 - j) */
	int kd, w, lpk, refr, twave, blank, fback, ffwd, fsback, fhalf, fsmooth,
	    fbase_back, fbase_fwd, farea, slope_lag;
	/* detection filters */
	struct qrs_bq hp, lp;
	double offset;             /* first sample after a (re)start, mV */
	int need_reset;
	int pwave_off;             /* step 7 skipped (qrs_set_pwave) */
	/* history rings, indexed by absolute sample & mask; they hold the
	 * last hist samples plus the block being fed (written ahead) */
	size_t mask;
	size_t hist;
	float *ru;                 /* raw samples minus offset, mV */
	float *rb;                 /* band-passed */
	double *re;                /* squared slope (float values, held in double
				    * for the moving sum) */
	float *rf;                 /* feature: mean squared slope over the window */
	float *fspan;              /* scratch of find_fiducial: a span of a ring */
	struct qrs_tpl *tpl;       /* running QRS template for the fiducial */
	struct qrs_pre *pre;       /* running template of the P wave */
	double mwi_sum;
	int64_t track_start;       /* candidates are looked for from here */
	int64_t cand_pos;          /* largest feature since track_start */
	float cand_val;
	int64_t n;                 /* absolute index of the next sample */
	int64_t seg_start;         /* first sample of the current segment */
	float fmax_seg;            /* max feature since the segment start */
	/* levels */
	float spk[NLEV], npk[NLEV], rr[NLEV], slp[NLEV];
	int nspk, nnpk, nrr, nslp, ispk, inpk, irr, islp;
	float spk_med, npk_med, rr_med, slp_med;
	int rr_out;                /* unusual RR intervals in a row */
	int64_t last_r;            /* last beat's R sample, -1 none */
	int64_t last_p;            /* ... and its feature peak */
	float last_slope;
	float last_hp;             /* ... and its feature height */
	unsigned irr_bits;         /* last NZ_IRR_W RR intervals: 1 = unusual */
	int irr_n;                 /* ... how many */
	float pol;                 /* lead polarity estimate, -1..1 */
	/* quality */
	float quiet_last;          /* last quiet level (feature root) */
	float q_last;
	int64_t q_last_at;
};

static size_t pow2_at_least(size_t v)
{
	size_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static int samples(double fs, double s)
{
	int v = (int)lround(fs * s);
	return v < 1 ? 1 : v;
}

struct qrs *qrs_new(double fs_hz, qrs_beat_fn on_beat, void *ctx, int *err)
{
	if (!(fs_hz >= 100.0 && fs_hz <= 2000.0) || !on_beat) {
		if (err)
			*err = VG_ERR_INVAL;
		return NULL;
	}
	struct qrs *q = calloc(1, sizeof(*q));
	if (!q)
		goto nomem;
	q->fs = fs_hz;
	q->cb = on_beat;
	q->ctx = ctx;
	q->bg_len = samples(fs_hz, DET_BG_S);
	q->quiet_after = samples(fs_hz, Q_QUIET_AFTER_S);
	q->quiet_before = samples(fs_hz, Q_QUIET_BEFORE_S);
	q->quiet_min = samples(fs_hz, Q_QUIET_MIN_S);
	q->kd = samples(fs_hz, DET_SLOPE_S);
	q->w = samples(fs_hz, DET_MWI_S);
	q->lpk = samples(fs_hz, DET_PEAK_S);
	q->lpk_nz = samples(fs_hz, NZ_PEAK_S);
	q->refr_nz = samples(fs_hz, NZ_REFRACT_S);
	q->lpk_cur = q->lpk;
	q->ema_a = 1.0 / (NZ_TAU_S * fs_hz);
	q->hgap = samples(fs_hz, DET_HIDDEN_GAP_S);
	q->swap_gap = samples(fs_hz, DET_SWAP_GAP_S);
	q->refr = samples(fs_hz, DET_REFRACT_S);
	q->twave = samples(fs_hz, DET_TWAVE_S);
	q->blank = samples(fs_hz, DET_BLANK_S);
	q->fback = (int)floor(fs_hz * FID_BACK_S);
	q->ffwd = samples(fs_hz, FID_FWD_S);
	q->fsback = samples(fs_hz, FID_SLOPE_BACK_S);
	q->fhalf = samples(fs_hz, FID_HALF_S);
	q->fsmooth = (int)lround(fs_hz * FID_SMOOTH_S);
	q->fbase_back = samples(fs_hz, FID_BASE_BACK_S);
	q->fbase_fwd = samples(fs_hz, FID_BASE_FWD_S);
	q->farea = samples(fs_hz, FID_AREA_S);
	/* the slope lags the signal by the low-pass group delay and half the
	 * slope span */
	q->slope_lag = (int)lround(M_SQRT2 / (2.0 * M_PI * DET_LP_HZ) * fs_hz + 0.5 * q->kd);
	qrs_bq_highpass(&q->hp, fs_hz, DET_HP_HZ);
	qrs_bq_lowpass(&q->lp, fs_hz, DET_LP_HZ);
	q->hist = pow2_at_least((size_t)(fs_hz * RING_S) + 1) - 1;
	size_t ring = pow2_at_least(q->hist + 1 + FEED_BLOCK);
	q->mask = ring - 1;
	q->ema_pw[0] = 1.0;
	for (int j = 1; j <= FEED_BLOCK; j++)
		q->ema_pw[j] = q->ema_pw[j - 1] * (1.0 - q->ema_a);
	for (int j = 0; j < FEED_BLOCK; j++)
		q->ema_rpw[j] = q->ema_pw[FEED_BLOCK - 1 - j];
	q->ru = calloc(ring, sizeof(float));
	q->rb = calloc(ring, sizeof(float));
	q->re = calloc(ring, sizeof(double));
	q->rf = calloc(ring, sizeof(float));
	const int span_slope = q->fsback + q->ffwd + 1 + q->kd;
	const int span_box = 2 * q->fhalf + 2 * q->fsmooth + 2;
	q->fspan = malloc((size_t)(span_slope > span_box ? span_slope : span_box) * sizeof(float));
	q->tpl = qrs_tpl_new(fs_hz);
	q->pre = qrs_pre_new(fs_hz);
	if (!q->ru || !q->rb || !q->re || !q->rf || !q->fspan || !q->tpl || !q->pre)
		goto nomem;
	q->need_reset = 1;
	q->last_r = -1;
	return q;
nomem:
	qrs_destroy(&q);
	if (err)
		*err = VG_ERR_NOMEM;
	return NULL;
}

void qrs_destroy(struct qrs **qp)
{
	if (!qp || !*qp)
		return;
	struct qrs *q = *qp;
	free(q->ru);
	free(q->rb);
	free(q->re);
	free(q->rf);
	free(q->fspan);
	qrs_tpl_destroy(&q->tpl);
	qrs_pre_destroy(&q->pre);
	free(q);
	*qp = NULL;
}

/* Start a new segment at the current sample (first call or after a gap). */
static void restart(struct qrs *q, double x0)
{
	const size_t bytes = (q->mask + 1) * sizeof(float);
	qrs_bq_reset(&q->hp);
	qrs_bq_reset(&q->lp);
	q->offset = x0;
	memset(q->ru, 0, bytes);
	memset(q->rb, 0, bytes);
	memset(q->re, 0, (q->mask + 1) * sizeof(double));
	memset(q->rf, 0, bytes);
	q->mwi_sum = 0.0;
	q->ema = 0.0;
	q->noisy = 0;
	q->spk_hold = q->spk_med;
	q->lpk_cur = q->lpk;
	qrs_tpl_reset(q->tpl);
	qrs_pre_reset(q->pre);
	q->track_start = q->cand_pos = q->n;
	q->cand_val = -1.0f;
	q->seg_start = q->n;
	q->fmax_seg = 0.0f;
	q->last_r = -1;
	q->need_reset = 0;
}

/* Median of 8 values: Batcher's odd-even merge sort network (19
 * compare-exchanges, qrs_simd.h: no data-dependent branch), the same value as
 * sorting. */
_Static_assert(NLEV == 8, "median_full() sorts 8 values");
static float median_full(const float *v)
{
	float s0 = v[0], s1 = v[1], s2 = v[2], s3 = v[3], s4 = v[4], s5 = v[5], s6 = v[6],
	      s7 = v[7];
	qrs_cswap(&s0, &s1); qrs_cswap(&s2, &s3); qrs_cswap(&s4, &s5); qrs_cswap(&s6, &s7);
	qrs_cswap(&s0, &s2); qrs_cswap(&s1, &s3); qrs_cswap(&s4, &s6); qrs_cswap(&s5, &s7);
	qrs_cswap(&s1, &s2); qrs_cswap(&s5, &s6);
	qrs_cswap(&s0, &s4); qrs_cswap(&s1, &s5); qrs_cswap(&s2, &s6); qrs_cswap(&s3, &s7);
	qrs_cswap(&s2, &s4); qrs_cswap(&s3, &s5);
	qrs_cswap(&s1, &s2); qrs_cswap(&s3, &s4); qrs_cswap(&s5, &s6);
	return 0.5f * (s3 + s4);
}

static float median8(const float *v, int n)
{
	if (n >= NLEV)
		return median_full(v);
	float s[NLEV];
	memcpy(s, v, (size_t)n * sizeof(float));
	for (int i = 1; i < n; i++) {
		float t = s[i];
		int j = i - 1;
		while (j >= 0 && s[j] > t) {
			s[j + 1] = s[j];
			j--;
		}
		s[j + 1] = t;
	}
	return n % 2 ? s[n / 2] : 0.5f * (s[n / 2 - 1] + s[n / 2]);
}

static void push_level(float *buf, int *cnt, int *idx, float *med, float v)
{
	buf[*idx] = v;
	*idx = (*idx + 1) % NLEV;
	if (*cnt < NLEV)
		(*cnt)++;
	*med = median8(buf, *cnt);
}

static float clampf(float v, float lo, float hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Sum of ring[i & mask] (or of its square roots) for i in [a, b), in
 * contiguous pieces with independent partial sums: these sums run for
 * every peak and dominate its cost. */
static double ring_sum(const float *ring, size_t mask, int64_t a, int64_t b, int root)
{
	double s[4] = { 0.0, 0.0, 0.0, 0.0 };
	while (a < b) {
		size_t i = (size_t)a & mask;
		size_t len = mask + 1 - i;
		if ((int64_t)len > b - a)
			len = (size_t)(b - a);
		const float *x = ring + i;
		for (size_t k = qrs_sum4(x, len, root, s); k < len; k++)
			s[0] += root ? sqrtf(x[k]) : x[k];
		a += (int64_t)len;
	}
	return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Mean of the raw ring over [a, b] (clipped to the segment and input). */
static float ring_mean(const struct qrs *q, int64_t a, int64_t b)
{
	if (a < q->seg_start)
		a = q->seg_start;
	if (a < q->n - (int64_t)q->hist)
		a = q->n - (int64_t)q->hist; /* no older than the ring holds */
	if (b > q->n - 1)
		b = q->n - 1;
	if (b < a)
		return q->ru[(q->n - 1) & q->mask];
	return (float)(ring_sum(q->ru, q->mask, a, b + 1, 0) / (double)(b - a + 1));
}

struct fiducial {
	int64_t r;       /* R sample */
	double frac;     /* sub-sample offset, -0.5..0.5 */
	float amp_mv;    /* signed R amplitude over the local baseline */
	float area;      /* mV*s */
	float rs_mv;     /* peak-to-trough of the smoothed QRS, mV */
	float base_mv;   /* local baseline (mean around the QRS), mV */
	float slope;     /* steepest slope of the detection band */
};

/* cnt samples of a ring from absolute index a on, into out (one or two
 * contiguous copies). */
static void ring_copy(const float *ring, size_t mask, int64_t a, size_t cnt, float *out)
{
	const size_t i = (size_t)a & mask;
	const size_t first = cnt < mask + 1 - i ? cnt : mask + 1 - i;
	memcpy(out, ring + i, first * sizeof(float));
	memcpy(out + first, ring, (cnt - first) * sizeof(float));
}

/* Locate the R peak for the feature peak p (see step 4 of the approach). */
static void find_fiducial(struct qrs *q, int64_t p, struct fiducial *fd)
{
	const size_t m = q->mask;
	const int64_t first = q->seg_start + q->kd;
	int64_t lo = p - q->fsback, hi = p + q->ffwd;
	if (lo < first)
		lo = first;
	if (hi > q->n - 1)
		hi = q->n - 1; /* at qrs_flush() the peak may be the last sample */
	int64_t is = p;
	float smax = 0.0f;
	if (hi >= lo) {
		/* the band-passed samples lo - kd .. hi (at most fsback + ffwd +
		 * 1 + kd: fspan holds them), out of the ring once */
		const int kd = q->kd;
		const size_t cnt = (size_t)(hi - lo + 1 + kd);
		ring_copy(q->rb, m, lo - kd, cnt, q->fspan);
		const long i = qrs_absdiff_argmax(q->fspan, cnt - (size_t)kd, (size_t)kd, &smax);
		if (i >= 0)
			is = lo + i;
	}
	fd->slope = smax;
	const int h = q->fsmooth;
	int64_t c = is - q->slope_lag;
	int64_t a = c - q->fhalf, b = c + q->fhalf;
	if (a < p - q->fback)
		a = p - q->fback;          /* bounds the decision delay */
	if (a < q->seg_start + h)
		a = q->seg_start + h;
	if (b > q->n - 1 - h)
		b = q->n - 1 - h;
	if (b < a)
		b = a;
	/* local baseline: the mean over about one beat around the QRS */
	float bl = ring_mean(q, c - q->fbase_back, c + q->fbase_fwd);
	int64_t imax = a, imin = a;
	float vmax = -INFINITY, vmin = INFINITY;
	const float inv = 1.0f / (float)(2 * h + 1);
	/* the raw samples a - h - 1 .. b + h (at most 2 fhalf + 2 h + 2),
	 * out of the ring once; raw[i] is sample a + i */
	ring_copy(q->ru, m, a - h - 1, (size_t)(b - a + 2 * h + 2), q->fspan);
	const float *raw = q->fspan + h + 1;
	const int64_t nb = b - a;
	float box = 0.0f; /* running boxcar sum over [i - h, i + h] */
	for (int k = -h; k <= h; k++)
		box += raw[k];
	for (int64_t i = 0; i <= nb; i++) {
		if (i > 0)
			box += raw[i + h] - raw[i - h - 1];
		const float y = box * inv;
		if (y > vmax) {
			vmax = y;
			imax = a + i;
		}
		if (y < vmin) {
			vmin = y;
			imin = a + i;
		}
	}
	float up = vmax - bl, down = bl - vmin;
	/* prefer the lead's usual polarity unless the other clearly dominates */
	const float bias = 1.0f + 0.5f * fabsf(q->pol);
	int positive = q->pol >= 0 ? up * bias >= down : up > down * bias;
	int64_t r = positive ? imax : imin;
	fd->r = r;
	fd->amp_mv = positive ? up : -down;
	fd->rs_mv = vmax - vmin;
	fd->base_mv = bl;
	/* parabola through the smoothed values at r-1, r, r+1 */
	fd->frac = 0.0;
	if (r - 1 - h >= q->seg_start && r + 1 + h <= q->n - 1) {
		double ym = ring_mean(q, r - 1 - h, r - 1 + h);
		double y0 = ring_mean(q, r - h, r + h);
		double yp = ring_mean(q, r + 1 - h, r + 1 + h);
		double den = ym - 2.0 * y0 + yp;
		if (den != 0.0) {
			fd->frac = 0.5 * (ym - yp) / den;
			if (fd->frac > 0.5)
				fd->frac = 0.5;
			if (fd->frac < -0.5)
				fd->frac = -0.5;
		}
	}
	int64_t aa = r - q->farea, bb = r + q->farea;
	fd->area = (ring_mean(q, aa, bb) - bl) * (float)(bb - aa + 1) / (float)q->fs;
}

static void emit(struct qrs *q, const struct fiducial *fd, float hp, float snr, unsigned flags)
{
	/* quality: how far the beat stands out of the background */
	float qual = clampf((snr - Q_SNR_0) / (Q_SNR_1 - Q_SNR_0), 0.0f, 1.0f);
	if (q->noisy && qual > NZ_Q_MAX)
		qual = NZ_Q_MAX; /* found in noisy mode: half of them are noise */
	if (qual < Q_NOISY)
		flags |= QRS_BEAT_NOISY;
	/* the P wave of a clean beat, against the lead's usual one (learned
	 * from timely beats only: a premature one may be atrial ectopic) */
	int64_t oldest = q->n - (int64_t)q->hist;
	if (oldest < q->seg_start)
		oldest = q->seg_start;
	if (!q->pwave_off && qual >= PRE_QUAL_MIN && fd->r - qrs_pre_reach(q->pre) >= oldest) {
		int timely = q->last_r >= 0 && q->nrr >= 4 &&
			     (float)(fd->r - q->last_r) >= PRE_TIMELY * q->rr_med;
		if (qrs_pre_judge(q->pre, q->ru, q->mask, fd->r, timely, NULL))
			flags |= QRS_BEAT_ODD_P;
	}

	struct qrs_beat b;
	memset(&b, 0, sizeof(b)); /* padding too: callers may compare beats bytewise */
	b.sample_frac = (double)fd->r + fd->frac;
	b.sample = fd->r;
	b.amplitude_mv = fd->amp_mv;
	b.area = fd->area;
	b.rs_mv = fd->rs_mv;
	b.baseline_mv = fd->base_mv;
	b.quality = qual;
	b.decided_at = q->n - 1;
	b.flags = flags;

	if (q->last_r >= 0) {
		float rr = (float)(fd->r - q->last_r);
		/* only intervals near the usual one enter the RR history (a
		 * false beat in noise splits an interval in two short ones),
		 * unless they keep coming: then the rhythm has changed */
		int usual = q->nrr < 4 || (rr >= DET_RR_LO * q->rr_med && rr <= DET_RR_HI * q->rr_med);
		const unsigned odd = !usual;
		q->irr_n += (int)odd - (int)((q->irr_bits >> (NZ_IRR_W - 1)) & 1u);
		q->irr_bits = ((q->irr_bits << 1) | odd) & ((1u << NZ_IRR_W) - 1u);
		if (!usual && ++q->rr_out >= DET_RR_OUT_N)
			usual = 1;
		if (usual && rr < 3.0f * (float)q->fs) {
			q->rr_out = 0;
			push_level(q->rr, &q->nrr, &q->irr, &q->rr_med, rr);
		}
	}
	push_level(q->spk, &q->nspk, &q->ispk, &q->spk_med, hp);
	/* a beat found only by a lowered threshold, far below the level: the
	 * amplitude has dropped, so let the level follow at once (half the
	 * history) */
	if ((flags & QRS_BEAT_SEARCHBACK) && hp < 0.5f * q->spk_med)
		for (int k = 0; k < NLEV / 2; k++)
			push_level(q->spk, &q->nspk, &q->ispk, &q->spk_med, hp);
	q->spk_hold *= NZ_HOLD;
	if (q->spk_hold < q->spk_med)
		q->spk_hold = q->spk_med;
	push_level(q->slp, &q->nslp, &q->islp, &q->slp_med, fd->slope);
	q->pol = 0.9f * q->pol + 0.1f * (fd->amp_mv >= 0 ? 1.0f : -1.0f);
	q->last_r = fd->r;
	q->last_slope = fd->slope;
	q->last_hp = hp;
	q->q_last = qual;
	q->q_last_at = q->n;
	q->cb(q->ctx, &b);
}

/* Mean feature (root) in the quiet part before the QRS at r: from
 * Q_QUIET_AFTER_S after the previous beat (past its QRS and most of its T
 * wave) to Q_QUIET_BEFORE_S before r. Noise lives there; a beat must
 * stand out of it. When that part is too short (fast rhythm) the last
 * estimate is kept; returns a negative value when there is none and too
 * little signal since the start. */
static float quiet_level(const struct qrs *q, int64_t r)
{
	const int64_t b = r - q->quiet_before;
	int64_t oldest = q->n - (int64_t)q->hist;
	if (oldest < q->seg_start + q->w)
		oldest = q->seg_start + q->w;
	int64_t a = q->last_r >= 0 ? q->last_r + q->quiet_after : b - q->bg_len;
	if (a < oldest)
		a = oldest;
	if (b - a < q->quiet_min && q->quiet_last > 0.0f)
		return q->quiet_last;  /* fast rhythm: keep the last estimate */
	if (b - a < q->quiet_min) {
		/* none yet: the whole recent past, beats included (pessimistic) */
		a = b - q->bg_len;
		if (a < oldest)
			a = oldest;
		if (b - a < q->quiet_min)
			return -1.0f;
	}
	return (float)(ring_sum(q->rf, q->mask, a, b, 1) / (double)(b - a));
}

/* Largest local peak of the feature in [a, b), -1 if none. */
static int64_t local_peak(const struct qrs *q, int64_t a, int64_t b)
{
	const size_t m = q->mask;
	int64_t best = -1;
	float bv = 0.0f;
	for (int64_t i = a; i < b; i++) {
		const float x = q->rf[i & m];
		if (x > bv && x >= q->rf[(i - 1) & m] && x > q->rf[(i + 1) & m]) {
			bv = x;
			best = i;
		}
	}
	return best;
}

/* The accepted peak *p does not look like the usual QRS while a smaller
 * peak it hides (DET_HIDDEN_GAP_S to DET_PEAK_S after it) does, closely:
 * the beat is that one (an artefact just before a QRS). */
static void swap_for_hidden(struct qrs *q, int64_t *p, struct fiducial *fd, float *hp,
			    float *snr, float quiet)
{
	const int reach = qrs_tpl_reach(q->tpl);
	const int64_t oldest = q->n - (int64_t)q->hist;
	/* the cheap tests first: this runs for every beat */
	const int64_t h = local_peak(q, *p + q->hgap, q->n - 1);
	if (h < 0)
		return;
	const float hh = sqrtf(q->rf[h & q->mask]);
	if (!(hh > q->npk_med + DET_EXPECT_K * (q->spk_med - q->npk_med)))
		return;
	struct fiducial fh;
	find_fiducial(q, h, &fh);
	if (fh.r - fd->r < q->swap_gap || !(fh.slope > DET_EXPECT_SLOPE * q->slp_med) ||
	    (q->last_r >= 0 && fh.r - q->last_r < q->refr))
		return; /* the same QRS, a T wave, or too close to the last beat */
	if (fd->r - reach < q->seg_start || fd->r - reach < oldest ||
	    fh.r + reach > q->n - 1)
		return; /* not all in the ring */
	const double rho = qrs_tpl_match(q->tpl, q->ru, q->mask, fd->r);
	if (rho < DET_SWAP_RHO_MIN || rho >= DET_SWAP_RHO_LO)
		return; /* like the QRS, or no usable template (noise) */
	if (qrs_tpl_match(q->tpl, q->ru, q->mask, fh.r) < DET_SWAP_RHO_HI)
		return;
	*p = h;
	*fd = fh;
	*hp = hh;
	*snr = hh / (quiet + 1e-6f * hh + 1e-12f);
}

static int classify(struct qrs *q, int64_t p)
{
	if (p < q->seg_start + q->blank)
		return 0;
	float hp = sqrtf(q->rf[p & q->mask]);
	if (!(hp > 0.0f))
		return 0;
	struct fiducial fd;
	find_fiducial(q, p, &fd);
	const float slope = fd.slope;
	const float quiet = quiet_level(q, fd.r);
	if (quiet < 0.0f) {
		/* just after a start: nothing to judge the peak against */
		return 0;
	}
	q->quiet_last = quiet;
	float snr = hp / (quiet + 1e-6f * hp + 1e-12f);
	const int64_t since = q->last_r >= 0 ? fd.r - q->last_r : INT64_MAX;
	const int learned = q->nspk >= 2;
	const float thr_base = q->npk_med + DET_THR_K * (q->spk_med - q->npk_med);
	float thr;
	if (!learned) {
		thr = DET_LEARN_K * sqrtf(q->fmax_seg);
	} else {
		thr = thr_base;
		if (q->nrr >= 2 && since != INT64_MAX) {
			float rr = q->rr_med;
			if ((float)since > 1.5f * rr) {
				thr *= 0.5f;
				for (float t = 2.5f * rr; (float)since > t && thr > q->npk_med; t += rr)
					thr *= 0.5f;
			}
		}
	}
	int beat = hp > thr;
	/* where the rhythm expects the next beat, a lower threshold */
	if (!beat && learned && q->nrr >= 4 && since != INT64_MAX) {
		float rr = q->rr_med;
		float lo = q->npk_med + DET_EXPECT_K * (q->spk_med - q->npk_med);
		if ((float)since >= DET_EXPECT_LO * rr && (float)since <= DET_EXPECT_HI * rr &&
		    hp > lo && slope > DET_EXPECT_SLOPE * q->last_slope)
			beat = 1;
	}
	/* in a clean signal (usual beats DET_CLEAR_CLEAN times the quiet
	 * level), a peak that stands out of the quiet level by far, past the T
	 * wave, is a beat even if small (aberrant or low-amplitude beats) */
	if (!beat && learned && q->nslp >= 4 && since != INT64_MAX && since >= q->twave &&
	    snr >= DET_CLEAR_SNR && q->spk_med >= DET_CLEAR_CLEAN * quiet &&
	    slope > DET_CLEAR_SLOPE * q->slp_med &&
	    hp > q->npk_med + DET_CLEAR_K * (q->spk_med - q->npk_med))
		beat = 1;
	/* a peak that hardly stands out of the background is noise */
	if (beat && snr < (q->noisy ? NZ_SNR_MIN : DET_SNR_MIN)) {
		/* ... unless it comes where the rhythm expects the next beat and
		 * still stands out a little (muscle noise raises the quiet level
		 * nearly to the beats') */
		const int expected = q->nrr >= 4 && since != INT64_MAX &&
				     (float)since >= DET_SNR_EXP_LO * q->rr_med &&
				     (float)since <= DET_SNR_EXP_HI * q->rr_med;
		if (!expected || snr < DET_SNR_EXP_MIN)
			beat = 0;
	}
	if (beat && since < (q->noisy ? q->refr_nz : q->refr))
		beat = 0;
	/* noisy mode: far smaller than the beat just before, within its T wave
	 * window: that beat's T wave or noise between two beats */
	if (beat && q->noisy && since < q->twave && hp < NZ_TWAVE_K * q->last_hp)
		beat = 0;
	if (beat && since < q->twave) {
		/* compared with the last beat's slope, or the usual one if that
		 * beat was steeper (a noise spike taken for a beat) */
		float ref = q->last_slope;
		if (q->nslp >= 4 && q->slp_med < ref)
			ref = q->slp_med;
		if (slope < DET_TWAVE_SLOPE * ref)
			beat = 0;
	}
	/* far too early to be the next beat (under DET_EARLY_SHARE of the
	 * usual RR, inside the T-wave window) and not shaped like the lead's
	 * QRS: the T wave of an ectopic beat or an isolated QRS-like artefact
	 * (svdb 805, 810 at 128 Hz: 60 such false beats); a ventricular beat
	 * this early (R on T) is rare, and smaller than the usual beats (the
	 * true beats this early over mitdb, svdb and nstdb stand at >= 0.8 of
	 * the beat level, or match the template) */
	if (beat && !q->noisy && since < q->twave && q->nrr >= 4 && hp < DET_EARLY_HEIGHT * q->spk_med &&
	    (float)since < DET_EARLY_SHARE * q->rr_med) {
		const int reach = qrs_tpl_reach(q->tpl);
		double rho = -1.0;
		if (fd.r - reach >= q->seg_start && fd.r + reach <= q->n - 1 &&
		    fd.r - reach >= q->n - (int64_t)q->hist)
			rho = qrs_tpl_match(q->tpl, q->ru, q->mask, fd.r);
		if (rho < DET_EARLY_RHO)
			beat = 0;
	}
	if (beat && !q->noisy)
		swap_for_hidden(q, &p, &fd, &hp, &snr, quiet);
	if (beat) {
		/* fiducial: aligned with the running QRS template when the beat
		 * looks like it, never earlier than the delay bound allows */
		const int reach = qrs_tpl_reach(q->tpl);
		if (fd.r - reach >= q->seg_start && fd.r + reach <= q->n - 1 &&
		    fd.r - reach >= q->n - (int64_t)q->hist)
			qrs_tpl_align(q->tpl, q->ru, q->mask, fd.r, (int)(p - q->fback - fd.r), reach,
				      &fd.r, &fd.frac);
		/* flag beats that only a lowered threshold let through */
		unsigned flags = learned && hp <= thr_base ? QRS_BEAT_SEARCHBACK : 0;
		q->last_p = p;
		emit(q, &fd, hp, snr, flags);
		return 1;
	} else {
		/* a rejected peak that stands out of the quiet level like a QRS
		 * may be a missed beat: it must not raise the noise level; others
		 * may, by at most DET_NPK_CAP of the gap to the beat level */
		if (!(learned && snr >= DET_NPK_SNR && slope > DET_NPK_SLOPE * q->slp_med)) {
			float cap = learned ? q->npk_med + DET_NPK_CAP * (q->spk_med - q->npk_med) : hp;
			push_level(q->npk, &q->nnpk, &q->inpk, &q->npk_med, hp < cap ? hp : cap);
		}
	}
	return 0;
}

/* The candidate c was rejected: it may have hidden a smaller peak in the
 * DET_PEAK_S after it (at least DET_HIDDEN_GAP_S later; not before it,
 * which would break the delay bound) that is the beat.
 * Returns the largest such local peak of the feature when it deserves a
 * look: in a clean signal (small aberrant beats next to a large artefact),
 * or where the rhythm expects the next beat; else -1. */
static int64_t hidden_peak(const struct qrs *q, int64_t c, int64_t now)
{
	const int64_t best = local_peak(q, c + q->hgap, now);
	if (best < 0)
		return -1;
	if (q->quiet_last > 0.0f && q->spk_med >= DET_CLEAR_CLEAN * q->quiet_last)
		return best;
	const float since = (float)(best - q->last_p);
	if (q->last_r >= 0 && q->nrr >= 4 && since >= DET_SNR_EXP_LO * q->rr_med &&
	    since <= DET_SNR_EXP_HI * q->rr_med)
		return best;
	return -1;
}

/* The sample cand (the largest since track_start) has had no larger one in
 * the lpk samples after it: it is a candidate if none of the lpk samples
 * before it is larger either. Either way, no sample up to now can be one. */
static void candidate_due(struct qrs *q, int64_t now)
{
	const size_t m = q->mask;
	const int64_t c = q->cand_pos;
	const float v = q->rf[c & m];
	int64_t a = c - q->lpk_cur;
	if (a < q->seg_start)
		a = q->seg_start;
	int is_max = 1;
	for (int64_t i = a; i < q->track_start; i++)
		if (q->rf[i & m] > v) {
			is_max = 0;
			break;
		}
	q->track_start = now + 1;
	q->cand_pos = now + 1;
	q->cand_val = -1.0f;
	if (is_max && q->noisy) {
		classify(q, c);
	} else if (is_max && !classify(q, c)) {
		const int64_t h = hidden_peak(q, c, now);
		if (h >= 0)
			classify(q, h);
	}
	/* noisy mode (see step 6): the beat level hardly stands out of the
	 * mean feature and the rhythm found has gone irregular */
	q->noisy = q->nspk >= 2 && q->irr_n >= NZ_IRR_N &&
		   (double)q->spk_hold * q->spk_hold < NZ_K * NZ_K * q->ema;
	q->lpk_cur = q->noisy ? q->lpk_nz : q->lpk;
}

/* Samples of x that fit in one block: at most FEED_BLOCK and not past
 * the rings' end (so the block's ring slots are contiguous). */
static size_t block_room(const struct qrs *q, size_t count)
{
	size_t lim = count < FEED_BLOCK ? count : FEED_BLOCK;
	const size_t room = q->mask + 1 - ((size_t)q->n & q->mask);
	return lim < room ? lim : room;
}

/* Length of the run of valid samples at the start of x (at most count). */
static size_t valid_run(const float *x, size_t count)
{
	size_t k = 0;
	while (k < count && fabsf(x[k]) <= QRS_MAX_ABS_MV)
		k++;
	return k;
}

/* Squared slope of the block (ring slots j0..j0+len-1, contiguous):
 * re = (rb[n] - rb[n - kd])^2, four samples at a time (qrs_sqdiff4) where
 * the lag stays inside the block. */
static void block_slope(const struct qrs *q, size_t j0, size_t len)
{
	const size_t m = q->mask;
	const int kd = q->kd;
	const float *rb = q->rb;
	double *re = q->re;
	size_t k = 0;
	for (; k < len && k < (size_t)kd; k++) {
		const float d = rb[j0 + k] - rb[(j0 + k - (size_t)kd) & m];
		re[j0 + k] = (double)(d * d);
	}
	if (k < len)
		k += qrs_sqdiff4(rb + j0 + k, len - k, (size_t)kd, re + j0 + k);
	for (; k < len; k++) {
		const float d = rb[j0 + k] - rb[j0 + k - kd];
		re[j0 + k] = (double)(d * d);
	}
}

/* Step 1 (A) for the block x[0..len): band-pass (direct form I) into
 * the raw and band-passed rings, written ahead of the candidate logic
 * (the rings hold FEED_BLOCK samples more than its history reaches back).
 * Returns 0, or -1 when a sample is NaN, infinite or absurd: then nothing
 * has changed but the ring slots ahead. */
static int block_band(struct qrs *q, const float *x, size_t len)
{
	const size_t j0 = (size_t)q->n & q->mask;
	float *const ru = q->ru + j0, *const rb = q->rb + j0;
	const struct qrs_bq hp = q->hp, lp = q->lp;
	/* the input side, vectorised (qrs_simd.h): what is left here is the
	 * two recursions */
	double u[FEED_BLOCK + 2], ff[FEED_BLOCK];
	u[0] = hp.x2;
	u[1] = hp.x1;
	const float xabs = qrs_band_input(x, len, q->offset, hp.b0, u, ru, ff);
	double hy1 = hp.y1, hy2 = hp.y2, ly1 = lp.y1, ly2 = lp.y2;
	/* two samples a step: y[n+1] = (p[n+1] - a1 p[n]) + (a1^2 - a2) y[n-1]
	 * + a1 a2 y[n-2] (p: the numerator part), so both outputs of a step
	 * wait only on the step before: half the recursion's latency */
	const double hc1 = hp.a1 * hp.a1 - hp.a2, hc2 = hp.a1 * hp.a2;
	const double lc1 = lp.a1 * lp.a1 - lp.a2, lc2 = lp.a1 * lp.a2;
	size_t k = 0;
	for (; k + 2 <= len; k += 2) {
		const double y0 = (ff[k] - hp.a2 * hy2) - hp.a1 * hy1;
		const double y1 = ((ff[k + 1] - hp.a1 * ff[k]) + hc2 * hy2) + hc1 * hy1;
		const double p0 = lp.b0 * ((y0 + hy2) + (hy1 + hy1));
		const double p1 = lp.b0 * ((y1 + hy1) + (y0 + y0));
		const double b0 = (p0 - lp.a2 * ly2) - lp.a1 * ly1;
		const double b1 = ((p1 - lp.a1 * p0) + lc2 * ly2) + lc1 * ly1;
		hy2 = y0;
		hy1 = y1;
		ly2 = b0;
		ly1 = b1;
		rb[k] = (float)b0;
		rb[k + 1] = (float)b1;
	}
	for (; k < len; k++) {
		const double y = (ff[k] - hp.a2 * hy2) - hp.a1 * hy1;
		double lx1 = hy1, lx2 = hy2; /* the low-pass input is the high-pass output */
		hy2 = hy1;
		hy1 = y;
		const double b = qrs_bq_df1(&lp, 1, y, &lx1, &lx2, &ly1, &ly2);
		rb[k] = (float)b;
	}
	/* validity, cheaply: the largest magnitude, NaN and infinities by the
	 * filter state they poison */
	if (!(xabs <= QRS_MAX_ABS_MV) || !isfinite(hy1 + hy2 + ly1 + ly2))
		return -1;
	/* (the low-pass's input history is the high-pass's output history:
	 * lp.x1, lp.x2 are not kept) */
	q->hp.x1 = u[len + 1];
	q->hp.x2 = u[len];
	q->hp.y1 = hy1;
	q->hp.y2 = hy2;
	q->lp.y1 = ly1;
	q->lp.y2 = ly2;
	return 0;
}

/* The mean feature (EMA, factor a = ema_a, c = 1 - a) after sample k of
 * the block whose features are f[0..k], from its value ema0 before the
 * block: the recursion in closed form, c^(k+1) ema0 + a sum c^(k-j) f_j,
 * taken only when a candidate needs it and at the block's end. */
static double block_ema(const struct qrs *q, const float *f, size_t k, double ema0)
{
	const double *w = q->ema_rpw + (FEED_BLOCK - 1 - k); /* w[j] = c^(k-j) */
	double s[4] = { 0.0, 0.0, 0.0, 0.0 };
	for (size_t j = qrs_dot4(f, w, k + 1, s); j <= k; j++)
		s[0] += w[j] * (double)f[j];
	return q->ema_pw[k + 1] * ema0 + q->ema_a * ((s[0] + s[1]) + (s[2] + s[3]));
}

/* Step 2 (B) for the block: the moving window, the feature and the
 * candidate search, sample by sample, with candidate_due() at the sample
 * it is due (the mean feature from block_ema(), so this loop carries no
 * EMA recursion). The feature's maximum is kept only until two beats are
 * known (the only time it is read): track_fmax, a constant where this is
 * inlined. */
static inline __attribute__((always_inline)) void block_feature(struct qrs *q, size_t len,
								 const int track_fmax,
								 const int plain)
{
	const size_t m = q->mask;
	const int64_t n0 = q->n;
	const size_t j0 = (size_t)n0 & m;
	const int w = q->w;
	float *const rf = q->rf + j0;
	const double *const re = q->re;
	const double *const enew = re + j0;
	/* plain: the window's trailing samples are contiguous too and no
	 * recomputation of the sum falls in the block (see qrs_feed) */
	const double *const eold = re + ((j0 - (size_t)w) & m);
	const double ema0 = q->ema;
	const double inv_w = 1.0 / w;
	double sum = q->mwi_sum;
	int64_t cand_pos = q->cand_pos;
	float cand_val = q->cand_val, fmax = q->fmax_seg;
	int64_t due = cand_pos + q->lpk_cur - n0; /* block index the candidate is due at */
	for (size_t k = 0; k < len; k++) {
		if (plain) {
			sum += enew[k] - eold[k];
		} else {
			const int64_t n = n0 + (int64_t)k;
			sum += enew[k] - re[(size_t)(n - w) & m];
		}
		if (sum < 0.0)
			sum = 0.0;
		if (!plain && ((n0 + (int64_t)k) & (MWI_RESUM - 1)) == 0) {
			/* recompute now and then: no rounding residue of a huge
			 * artefact outlives it by more than MWI_RESUM samples */
			const int64_t n = n0 + (int64_t)k;
			sum = 0.0;
			for (int j = 0; j < w; j++)
				sum += re[(size_t)(n - j) & m];
		}
		const float f = (float)(sum * inv_w);
		rf[k] = f;
		if (track_fmax)
			fmax = f > fmax ? f : fmax;
		if (f > cand_val) {
			cand_val = f;
			cand_pos = n0 + (int64_t)k;
			due = (int64_t)k + q->lpk_cur;
		}
		if ((int64_t)k >= due) {
			const int64_t n = n0 + (int64_t)k;
			q->n = n + 1;
			q->cand_pos = cand_pos;
			q->fmax_seg = fmax;
			q->ema = block_ema(q, rf, k, ema0);
			candidate_due(q, n);
			cand_pos = q->cand_pos;
			cand_val = q->cand_val;
			due = cand_pos + q->lpk_cur - n0;
		}
	}
	q->ema = block_ema(q, rf, len - 1, ema0);
	q->mwi_sum = sum;
	q->n = n0 + (int64_t)len;
	q->cand_pos = cand_pos;
	q->cand_val = cand_val;
	q->fmax_seg = fmax;
}

void qrs_feed(struct qrs *q, const float *x_mv, size_t count)
{
	size_t i = 0;
	while (i < count) {
		if (!(fabsf(x_mv[i]) <= QRS_MAX_ABS_MV)) {
			q->n++; /* signal loss: the next valid sample restarts */
			q->need_reset = 1;
			i++;
			continue;
		}
		if (q->need_reset)
			restart(q, x_mv[i]);
		size_t len = block_room(q, count - i);
		if (block_band(q, x_mv + i, len)) {
			/* an invalid sample in the block (rare): up to it only */
			len = valid_run(x_mv + i, len);
			block_band(q, x_mv + i, len);
		}
		block_slope(q, (size_t)q->n & q->mask, len);
		/* the common case without the per-sample checks: the moving
		 * window's trailing samples do not wrap round the ring and no
		 * recomputation of its sum falls in this block */
		const size_t j0 = (size_t)q->n & q->mask;
		const int plain = j0 >= (size_t)q->w &&
				  ((q->n - 1) | (MWI_RESUM - 1)) >= q->n + (int64_t)len - 1;
		if (q->nspk < 2)
			block_feature(q, len, 1, 0);
		else if (plain)
			block_feature(q, len, 0, 1);
		else
			block_feature(q, len, 0, 0);
		i += len;
	}
}

void qrs_set_pwave(struct qrs *q, int on)
{
	q->pwave_off = !on;
}

void qrs_flush(struct qrs *q)
{
	if (!q->need_reset && q->cand_val > 0.0f && q->cand_pos < q->n)
		candidate_due(q, q->n - 1);
	q->need_reset = 1;
}

void qrs_gap(struct qrs *q, uint64_t n_missing)
{
	q->n += (int64_t)n_missing;
	q->need_reset = 1;
}

float qrs_quality(const struct qrs *q)
{
	if (q->need_reset || q->last_r < 0)
		return 0.0f;
	/* no beat for longer than 2 s (or 2 RR): unreadable or asystole */
	double since_s = (double)(q->n - q->q_last_at) / q->fs;
	double limit = q->nrr ? 2.0 * q->rr_med / q->fs : 2.0;
	if (limit < 2.0)
		limit = 2.0;
	if (since_s > limit)
		return 0.0f;
	/* the last second: in a readable ECG the feature is high only during
	 * the QRS complexes; noise keeps it high most of the time */
	int64_t a = q->n - (int64_t)lround(q->fs), b = q->n;
	if (a < q->seg_start)
		a = q->seg_start;
	if (a < q->n - (int64_t)q->hist)
		a = q->n - (int64_t)q->hist;
	float level = Q_BUSY_K * q->spk_med;
	level *= level; /* the ring holds squared values */
	int64_t busy = 0;
	for (int64_t i = a; i < b; i++)
		busy += q->rf[i & q->mask] > level;
	float share = b > a ? (float)busy / (float)(b - a) : 0.0f;
	float f = clampf((Q_BUSY_1 - share) / (Q_BUSY_1 - Q_BUSY_0), 0.0f, 1.0f);
	return q->q_last < f ? q->q_last : f;
}

double qrs_delay_s(const struct qrs *q)
{
	return (double)(q->lpk + q->fback) / q->fs;
}
