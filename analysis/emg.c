/*
 * emg.c - surface EMG to muscle tension, one channel per instance (emg.h).
 *
 * Problem: a therapist needs, per muscle and live, a tension level against
 * the client's own rest and reference contraction, a fatigue indicator and
 * the moment a held muscle lets go, from raw surface EMG polluted by DC
 * offset, mains hum (50 or 60 Hz, with harmonics) and, on trunk and shoulder
 * muscles, ECG crosstalk.
 *
 * Approach, per sample (raw path, fs >= 200 Hz):
 *  1. High-pass 20 Hz (Butterworth, 4th order, state primed with the first
 *     sample so a DC offset gives no start-up transient), low-pass at
 *     min(450 Hz, 0.45 fs) (Butterworth, 4th order). SENIAM and ISEK
 *     recommend this 20-450 Hz band for surface EMG.
 *  2. Mains: every second a Welch PSD of the band-passed signal is searched
 *     for a line at 50 and 60 Hz (peak bin over the median of bins 10-40 Hz
 *     away, >= 10 dB). The winner (2 blocks in a row, or 1 block at >= 20 dB)
 *     is locked, a 2 Hz wide notch is put on it and on every harmonic below
 *     the low-pass cut that shows a line too. A configured mains_hz locks the
 *     fundamental from the start. The grid frequency drifts (+-0.2 Hz) and a
 *     2 Hz notch 0.2 Hz off removes only 14 dB, so the line's frequency is
 *     tracked from its phase advance between 1-s blocks (complex
 *     demodulation) and the notches follow it (within about 1 mHz on a
 *     strong line). Notches are never removed (mains does not go away); the
 *     `mains` flag says whether the line is present now.
 *  3. ECG crosstalk: the filtered signal goes through a delay line of
 *     ecg_delay_ms, so an R peak reported up to that late (emg_ecg_beat)
 *     still arrives before its samples are used; samples from -50 to +110 ms
 *     around it (QRS plus the filters' group delay) are left out of the RMS
 *     and zeroed for the spectrum (gating; Drake & Callaghan, J Electromyogr
 *     Kinesiol 16, 2006, compare gating and subtraction).
 *  4. Envelope: moving RMS over window_ms (default 250 ms) of the ungated
 *     samples, published every 1/publish_hz s (default 20 Hz). A result's
 *     `sample` is the last sample in the window, so with a delay line the
 *     result is late but its time is right.
 *  5. Spectrum: every 0.5 s, a Welch PSD (Hann segments of about fs/4,
 *     50 % overlap) of the last 1 s through spectrum.h; median frequency
 *     (half the power below, interpolated in the bin) and mean frequency
 *     (power-weighted) over 20 Hz..low-pass cut (De Luca, J Appl Biomech 13,
 *     1997: MDF falls with fatigue).
 * Level: 0 % = rest, 100 % = reference. Calibration (emg_calibrate): rest =
 *  median envelope over the period, reference = its highest 1-s mean (the
 *  usual MVC definition). Without calibration, rest = lowest 1-s mean over
 *  the last 120 s and reference = highest 1-s mean over the last 300 s
 *  (at least 4x rest), flagged EMG_Q_UNCALIBRATED.
 * State (hysteresis): relaxed -> tense at >= 20 % for 0.25 s; tense ->
 *  releasing when the 0.5-s smoothed level falls below 75 % of the episode's
 *  peak; back to tense if it rises again or steadies for 3 s; to relaxed
 *  below 10 % for 0.5 s.
 * Hold/release: activity = envelope - rest at hold start; start level = its
 *  mean over the first second of the hold; a release is a drop of the 0.5-s
 *  smoothed activity below 80 % of the start level that does not come back
 *  above 90 % for 5 s. It is reported once, 5 s after the drop, with the
 *  drop's sample (corrected by half the RMS window).
 * Pre-smoothed input (fs < 200 Hz, e.g. drivedb's 15.5 Hz trapezius
 *  channel): the input is already an envelope; it is averaged over the
 *  window (of |x|), no filters, spectrum or gating, flagged
 *  EMG_Q_PRESMOOTHED.
 * Quality: clipping = 3 identical samples at the session's extreme value or
 *  at the configured full scale; flat input for one window (2 s when
 *  pre-smoothed) = lead-off, or saturation when stuck at an extreme above
 *  100 uV (or at full scale); mains as above.
 * Limits: mains is tracked within +-1 Hz of 50/60 Hz (grids stay within
 *  +-0.5 Hz); weak mains (< 10 dB over the EMG in its bin) is left in; the
 *  first 1-2 s, before the line is found, are not cleaned.
 *  Gating removes about 15 % of the samples at 60 bpm (more at high heart
 *  rates), which makes the envelope noisier, not biased. Crosstalk from beats
 *  that arrive later than ecg_delay_ms is not removed (counted). Uncalibrated
 *  levels are relative to what the session has seen. The first window after
 *  start or a gap has no envelope (NAN).
 */
#include "emg.h"
#include "iir.h"
#include "spectrum.h"
#include "vg_err.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_RAW_FS_HZ 200.0   /* below: pre-smoothed envelope input */
#define HP_HZ 20.0
#define LP_HZ 450.0
#define LP_FRAC 0.45          /* of fs, when lower than LP_HZ */
#define N_HP 2                /* sections: 4th order */
#define N_LP 2
#define NOTCH_BW_HZ 2.0
#define MAX_HARM 10           /* notches: fundamental .. 10th harmonic */
#define MAINS_RATIO 10.0      /* line over local median PSD: 10 dB */
#define MAINS_RATIO_FAST 100.0/* locks on one block: 20 dB */
#define MAINS_EXCL_HZ 10.0    /* local median: bins 10..40 Hz from the line */
#define MAINS_SPAN_HZ 40.0
#define MAINS_TRACK_HZ 1.0    /* tracked within nominal +- 1 Hz */
#define MAINS_TRACK_GAIN 0.3  /* share of the measured offset applied per block */
#define MAINS_RETUNE_HZ 0.0002/* notches move when the estimate moved this much */
#define GATE_PRE_MS 50.0
#define GATE_POST_MS 110.0
#define MAX_BEATS 32
#define SPEC_WIN_S 1.0
#define SPEC_HOP_S 0.5
#define SETTLE_MS 50.0        /* filter settling before the first envelope */
#define SEC_RING 300          /* 1-s means kept, s */
#define REST_SPAN_S 120
#define REF_FLOOR 4.0         /* uncalibrated reference >= 4x rest */
#define CAL_MIN_S 0.5
#define CAL_MAX_S 30.0
#define ON_PCT 20.0
#define OFF_PCT 10.0
#define ON_S 0.25
#define OFF_S 0.5
#define RELEASING_FRAC 0.75
#define RETENSE_S 3.0
#define SMOOTH_S 0.5          /* level/activity smoothing time constant */
#define HOLD_START_S 1.0
#define HOLD_DROP 0.8
#define HOLD_CANCEL 0.9
#define HOLD_CONFIRM_S 5.0
#define FLAT_UV 0.05          /* |x[n] - x[n-1]| below: flat */
#define FLAT_PRESMOOTHED_S 2.0
#define SAT_MIN_UV 100.0
#define CLIP_RUN 2            /* repeats: 3 identical samples */
#define MAX_UV 1e7f           /* 10 V: larger input is clamped (hostile) */

struct emg {
	/* configuration */
	double fs_hz, publish_hz;
	int channel;
	char name[40];
	int presmoothed;
	double full_scale_uv;
	emg_result_fn cb;
	void *ctx;

	/* front end */
	struct iir_biquad hp[N_HP], lp[N_LP];
	double lp_hz;
	int primed;
	float *dly;             /* delay line, dly_n samples */
	size_t dly_n, dly_pos, dly_fill;

	/* mains */
	double mains_cfg_hz;
	double mains_hz;        /* locked nominal fundamental, 0 = none */
	double mains_f;         /* tracked fundamental, Hz */
	double mains_f_applied; /* where the notches are */
	double complex track_x; /* last block's demodulated line */
	double track_w, track_theta; /* its rad/sample, running phase */
	int track_ok;
	double mains_cand_hz;
	int mains_cand_n;
	int mains_now;          /* line present in the last block */
	struct iir_biquad notch[MAX_HARM];
	int notch_on[MAX_HARM];
	double *mblk;           /* 1-s block for detection */
	size_t mfill;

	/* ECG gating */
	int64_t beat[MAX_BEATS];
	size_t beat_head, beat_n;
	int64_t gate_pre, gate_post; /* samples */
	uint64_t beats_late;

	/* envelope */
	float *sq;              /* squared (or |x| when pre-smoothed) samples */
	unsigned char *ok;      /* 0 = gated */
	size_t win_n, win_pos;
	double sum;
	size_t n_ok;
	size_t settle_n;
	uint64_t proc_since_reset;
	int64_t n_in;           /* input samples, gaps included */
	int64_t proc_next;      /* index of the next sample to process */

	/* live spectrum */
	struct spec *sp;
	size_t seg, spec_n, hop_n;
	double *sring, *work, *psd;
	size_t spos, sfill, since_spec;
	double mdf_hz, mnf_hz;

	/* publishing */
	double pub_step, pub_acc;
	size_t pubs_per_s;

	/* raw quality */
	float last_raw;
	int have_last;
	float raw_max, raw_min;
	int have_extreme;
	size_t flat_run, flat_need, clip_run;
	unsigned qual;          /* flags seen since the last result */

	/* level */
	double rest_cal, ref_cal;
	double sec_acc;
	size_t sec_cnt, sec_pubs;
	double sec_mean[SEC_RING];
	size_t sec_pos, sec_fill;
	double base_uv, peak_uv;

	/* calibration */
	enum emg_cal cal_kind;
	double *cal_buf;
	size_t cal_cap, cal_n, cal_pubs, cal_need;

	/* state */
	enum emg_state state;
	double lvl_s;
	int lvl_s_init;
	size_t on_cnt, off_cnt, stall;
	double ep_peak, rel_min;

	/* hold */
	int holding, hold_collect;
	double hold_rest, hold_acc, hold_start, act_s;
	size_t hold_cnt;
	int64_t cand;
	int released;
	int64_t release_sample;
};

const char *emg_state_name(enum emg_state s)
{
	switch (s) {
	case EMG_RELAXED:
		return "relaxed";
	case EMG_TENSE:
		return "tense";
	case EMG_RELEASING:
		return "releasing";
	}
	return "unknown";
}

static double smooth_alpha(double publish_hz)
{
	return 1.0 - exp(-1.0 / (publish_hz * SMOOTH_S));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median and mean frequency of psd over lo <= f <= hi; NAN if no power. */
static void freq_stats(const double *psd, size_t nb, double df, double lo,
		       double hi, double *mdf, double *mnf)
{
	double tot = 0.0, mom = 0.0;
	for (size_t k = 0; k < nb; k++) {
		double f = (double)k * df;
		if (f < lo || f > hi)
			continue;
		tot += psd[k];
		mom += f * psd[k];
	}
	*mdf = *mnf = NAN;
	if (!(tot > 0.0))
		return;
	*mnf = mom / tot;
	double c = 0.0;
	for (size_t k = 0; k < nb; k++) {
		double f = (double)k * df;
		if (f < lo || f > hi)
			continue;
		if (c + psd[k] >= 0.5 * tot) {
			/* bin k spans f +- df/2; interpolate inside it */
			double frac = psd[k] > 0.0 ? (0.5 * tot - c) / psd[k] : 0.5;
			*mdf = f - 0.5 * df + frac * df;
			return;
		}
		c += psd[k];
	}
}

/* ------------------------------------------------------------ mains */

static double psd_median(double *tmp, size_t n)
{
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* Line strength at f: peak PSD within one bin over the median of bins
 * MAINS_EXCL_HZ..MAINS_SPAN_HZ away. 0 if it cannot be measured. */
static double line_ratio(const double *psd, size_t nb, double df, double f)
{
	double tmp[64];
	size_t nt = 0;
	double peak = 0.0;
	for (size_t k = 1; k < nb; k++) {
		double d = fabs((double)k * df - f);
		if (d <= df && psd[k] > peak)
			peak = psd[k];
		else if (d >= MAINS_EXCL_HZ && d <= MAINS_SPAN_HZ && nt < 64)
			tmp[nt++] = psd[k];
	}
	if (nt < 3)
		return 0.0;
	double med = psd_median(tmp, nt);
	return med > 0.0 ? peak / med : (peak > 0.0 ? INFINITY : 0.0);
}

static void notch_enable(struct emg *e, int h)
{
	if (h < 1 || h > MAX_HARM || e->notch_on[h - 1])
		return;
	double f = e->mains_f * h;
	if (f + NOTCH_BW_HZ >= e->lp_hz)
		return;
	if (iir_notch(&e->notch[h - 1], e->fs_hz, f, NOTCH_BW_HZ) == 0)
		e->notch_on[h - 1] = 1;
}

/* Move the notches to the tracked frequency, keeping their state. */
static void notch_retune(struct emg *e)
{
	for (int h = 1; h <= MAX_HARM; h++) {
		struct iir_biquad *b = &e->notch[h - 1];
		if (!e->notch_on[h - 1])
			continue;
		double z1 = b->z1, z2 = b->z2;
		if (iir_notch(b, e->fs_hz, e->mains_f * h, NOTCH_BW_HZ) == 0) {
			b->z1 = z1;
			b->z2 = z2;
		}
	}
	e->mains_f_applied = e->mains_f;
}

/* Demodulate the 1-s block at the tracked frequency from phase theta: the
 * complex mean of y e^{-j theta(n)}; theta is advanced to the block's end. */
static double complex demod(const double *y, size_t n, double w, double *theta)
{
	double complex p = cexp(-I * *theta), r = cexp(-I * w), acc = 0.0;
	for (size_t i = 0; i < n; i++) {
		acc += y[i] * p;
		p *= r;
	}
	*theta = fmod(*theta + w * (double)n, 2.0 * M_PI);
	return acc / (double)n;
}

static double clamp_track(const struct emg *e, double f)
{
	if (f < e->mains_hz - MAINS_TRACK_HZ)
		return e->mains_hz - MAINS_TRACK_HZ;
	if (f > e->mains_hz + MAINS_TRACK_HZ)
		return e->mains_hz + MAINS_TRACK_HZ;
	return f;
}

/* Grid frequency drifts (+-0.2 Hz), and a 2 Hz notch 0.2 Hz off only takes
 * 14 dB off the line: track it. Acquisition (first block): the phase of the
 * line at the nominal frequency advances between the block's halves by
 * 2 pi df T/2 (unambiguous within +-1 Hz). Tracking: the same between
 * consecutive 1-s blocks (demodulated with a continuous phase), smoothed,
 * which keeps the notches within about 1 mHz when the line is strong. */
static void mains_track(struct emg *e, int acquire)
{
	size_t n = e->spec_n;
	double w = 2.0 * M_PI * e->mains_f / e->fs_hz;
	if (acquire) {
		double th = 0.0;
		double complex x1 = demod(e->mblk, n / 2, w, &th);
		double complex x2 = demod(e->mblk + n / 2, n / 2, w, &th);
		if (cabs(x1) > 0.0 && cabs(x2) > 0.0)
			e->mains_f = clamp_track(e, e->mains_f + carg(x2 * conj(x1)) * e->fs_hz /
							    (2.0 * M_PI * (double)(n / 2)));
		w = 2.0 * M_PI * e->mains_f / e->fs_hz;
		e->track_theta = 0.0;
		e->track_x = demod(e->mblk, n, w, &e->track_theta);
		e->track_w = w;
		e->track_ok = 1;
	} else {
		double complex x = demod(e->mblk, n, w, &e->track_theta);
		if (e->track_ok && e->mains_now && cabs(x) > 0.0 && cabs(e->track_x) > 0.0) {
			/* phase advance between block centres = 2 pi f N / fs */
			double dphi = carg(x * conj(e->track_x));
			double f_meas = (dphi + 0.5 * (e->track_w + w) * (double)n) * e->fs_hz /
					(2.0 * M_PI * (double)n);
			e->mains_f = clamp_track(e, e->mains_f + MAINS_TRACK_GAIN *
								 (f_meas - e->mains_f));
		}
		e->track_x = x;
		e->track_w = w;
		e->track_ok = 1;
	}
	if (fabs(e->mains_f - e->mains_f_applied) > MAINS_RETUNE_HZ)
		notch_retune(e);
}

static void mains_detect(struct emg *e)
{
	int ns = spec_welch(e->sp, e->mblk, e->spec_n, e->fs_hz, e->seg,
			    SPEC_DETREND_MEAN, e->psd);
	if (ns < 1)
		return;
	size_t nb = spec_nbins(e->sp);
	double df = e->fs_hz / (double)spec_nfft(e->sp);
	if (e->mains_hz == 0.0) {
		double best = 0.0, best_r = 0.0;
		static const double cand[2] = { 50.0, 60.0 };
		for (int c = 0; c < 2; c++) {
			double r = line_ratio(e->psd, nb, df, cand[c]);
			if (r > best_r) {
				best_r = r;
				best = cand[c];
			}
		}
		if (best_r >= MAINS_RATIO) {
			if (best == e->mains_cand_hz)
				e->mains_cand_n++;
			else {
				e->mains_cand_hz = best;
				e->mains_cand_n = 1;
			}
			if (e->mains_cand_n >= 2 || best_r >= MAINS_RATIO_FAST) {
				e->mains_hz = e->mains_f = e->mains_f_applied = best;
				notch_enable(e, 1);
				mains_track(e, 1);
			}
		} else {
			e->mains_cand_n = 0;
		}
		e->mains_now = e->mains_hz != 0.0;
		if (e->mains_hz == 0.0)
			return;
	} else {
		e->mains_now = line_ratio(e->psd, nb, df, e->mains_f) >= MAINS_RATIO;
		if (e->mains_now || e->track_ok) /* acquire only on a real line */
			mains_track(e, !e->track_ok);
	}
	for (int h = 2; h <= MAX_HARM; h++)
		if (!e->notch_on[h - 1] && e->mains_f * h < e->lp_hz &&
		    line_ratio(e->psd, nb, df, e->mains_f * h) >= MAINS_RATIO)
			notch_enable(e, h);
}

/* ------------------------------------------------------------ gating */

void emg_ecg_beat(struct emg *e, int64_t s)
{
	if (!e || e->presmoothed)
		return;
	if (s + e->gate_post < e->proc_next) {
		e->beats_late++;
		return;
	}
	if (e->beat_n) {
		size_t last = (e->beat_head + e->beat_n - 1) % MAX_BEATS;
		if (s <= e->beat[last])
			return;
	}
	if (e->beat_n == MAX_BEATS) { /* cannot happen at human heart rates */
		e->beat_head = (e->beat_head + 1) % MAX_BEATS;
		e->beat_n--;
	}
	e->beat[(e->beat_head + e->beat_n) % MAX_BEATS] = s;
	e->beat_n++;
}

static int gated_at(struct emg *e, int64_t i)
{
	while (e->beat_n && e->beat[e->beat_head] + e->gate_post < i) {
		e->beat_head = (e->beat_head + 1) % MAX_BEATS;
		e->beat_n--;
	}
	return e->beat_n && e->beat[e->beat_head] - e->gate_pre <= i;
}

/* ------------------------------------------------------------ level, state */

static double rest_now(const struct emg *e)
{
	return isfinite(e->rest_cal) ? e->rest_cal : e->base_uv;
}

static double ref_now(const struct emg *e, double rest)
{
	if (isfinite(e->ref_cal))
		return e->ref_cal;
	double ref = e->peak_uv;
	if (isfinite(rest) && !(ref >= REF_FLOOR * rest))
		ref = REF_FLOOR * rest;
	return ref;
}

static void push_second(struct emg *e, double rms)
{
	if (isfinite(rms)) {
		e->sec_acc += rms;
		e->sec_cnt++;
	}
	if (++e->sec_pubs < e->pubs_per_s)
		return;
	if (e->sec_cnt) {
		e->sec_mean[e->sec_pos] = e->sec_acc / (double)e->sec_cnt;
		e->sec_pos = (e->sec_pos + 1) % SEC_RING;
		if (e->sec_fill < SEC_RING)
			e->sec_fill++;
		double lo = INFINITY, hi = 0.0;
		for (size_t k = 0; k < e->sec_fill; k++) {
			double v = e->sec_mean[(e->sec_pos + SEC_RING - 1 - k) % SEC_RING];
			if (k < REST_SPAN_S && v < lo)
				lo = v;
			if (v > hi)
				hi = v;
		}
		e->base_uv = lo;
		e->peak_uv = hi;
	}
	e->sec_acc = 0.0;
	e->sec_cnt = 0;
	e->sec_pubs = 0;
}

static void cal_finish(struct emg *e)
{
	enum emg_cal kind = e->cal_kind;
	e->cal_kind = EMG_CAL_NONE;
	if (e->cal_n == 0)
		return;
	if (kind == EMG_CAL_REST) {
		e->rest_cal = psd_median(e->cal_buf, e->cal_n);
		return;
	}
	/* highest mean over 1 s (or the whole period if shorter) */
	size_t w = e->pubs_per_s < e->cal_n ? e->pubs_per_s : e->cal_n;
	double acc = 0.0, best = 0.0;
	for (size_t k = 0; k < e->cal_n; k++) {
		acc += e->cal_buf[k];
		if (k >= w)
			acc -= e->cal_buf[k - w];
		if (k + 1 >= w && acc / (double)w > best)
			best = acc / (double)w;
	}
	e->ref_cal = best;
}

static void update_state(struct emg *e, double level)
{
	size_t n_on = (size_t)ceil(ON_S * e->publish_hz);
	size_t n_off = (size_t)ceil(OFF_S * e->publish_hz);
	if (!e->lvl_s_init) {
		e->lvl_s = level;
		e->lvl_s_init = 1;
	}
	e->lvl_s += smooth_alpha(e->publish_hz) * (level - e->lvl_s);
	e->off_cnt = level < OFF_PCT ? e->off_cnt + 1 : 0;
	switch (e->state) {
	case EMG_RELAXED:
		e->on_cnt = level >= ON_PCT ? e->on_cnt + 1 : 0;
		if (e->on_cnt >= n_on) {
			e->state = EMG_TENSE;
			e->ep_peak = e->lvl_s > level ? e->lvl_s : level;
		}
		break;
	case EMG_TENSE:
		if (e->lvl_s > e->ep_peak)
			e->ep_peak = e->lvl_s;
		if (e->off_cnt >= n_off) {
			e->state = EMG_RELAXED;
			e->on_cnt = 0;
		} else if (e->lvl_s < RELEASING_FRAC * e->ep_peak) {
			e->state = EMG_RELEASING;
			e->rel_min = e->lvl_s;
			e->stall = 0;
		}
		break;
	case EMG_RELEASING:
		if (e->off_cnt >= n_off) {
			e->state = EMG_RELAXED;
			e->on_cnt = 0;
			break;
		}
		if (e->lvl_s < e->rel_min) {
			e->rel_min = e->lvl_s;
			e->stall = 0;
		} else {
			e->stall++;
		}
		if (e->lvl_s > 1.15 * e->rel_min + 5.0 ||
		    (double)e->stall >= RETENSE_S * e->publish_hz) {
			e->state = EMG_TENSE;
			e->ep_peak = e->lvl_s;
		}
		break;
	}
}

static void update_hold(struct emg *e, double rms, int64_t i)
{
	if (!e->holding || !isfinite(rms))
		return;
	double act = rms - e->hold_rest;
	if (e->hold_collect) {
		e->hold_acc += act;
		if ((double)++e->hold_cnt >= HOLD_START_S * e->publish_hz) {
			e->hold_start = e->hold_acc / (double)e->hold_cnt;
			e->act_s = e->hold_start;
			e->hold_collect = 0;
		}
		return;
	}
	e->act_s += smooth_alpha(e->publish_hz) * (act - e->act_s);
	double floor_uv = 0.5 * e->hold_rest > 0.5 ? 0.5 * e->hold_rest : 0.5;
	if (!(e->hold_start > floor_uv))
		return; /* the hold started at rest: nothing can be released */
	if (e->cand < 0 && e->act_s < HOLD_DROP * e->hold_start)
		e->cand = i;
	else if (e->cand >= 0 && e->act_s > HOLD_CANCEL * e->hold_start)
		e->cand = -1;
	if (e->cand >= 0 && (double)(i - e->cand) >= HOLD_CONFIRM_S * e->fs_hz) {
		e->released = 1;
		e->release_sample = e->cand - (int64_t)(e->win_n / 2);
		e->holding = 0;
		e->cand = -1;
	}
}

static void publish(struct emg *e, int64_t i)
{
	struct emg_result r;
	memset(&r, 0, sizeof(r));
	r.channel = e->channel;
	memcpy(r.name, e->name, sizeof(r.name));
	r.sample = i;
	double rms = NAN;
	if (e->presmoothed) {
		if (e->n_ok)
			rms = e->sum / (double)e->n_ok;
	} else if (e->proc_since_reset >= e->win_n + e->settle_n &&
		   e->n_ok * 4 >= e->win_n) {
		rms = sqrt((e->sum > 0.0 ? e->sum : 0.0) / (double)e->n_ok);
	}
	push_second(e, rms);
	if (e->cal_kind != EMG_CAL_NONE) {
		if (isfinite(rms) && e->cal_n < e->cal_cap)
			e->cal_buf[e->cal_n++] = rms;
		if (++e->cal_pubs >= e->cal_need)
			cal_finish(e);
	}
	double rest = rest_now(e), ref = ref_now(e, rest);
	double level = NAN;
	if (isfinite(rms) && isfinite(rest) && isfinite(ref) && ref - rest > 1e-3) {
		level = 100.0 * (rms - rest) / (ref - rest);
		if (level < 0.0)
			level = 0.0;
	}
	if (isfinite(level))
		update_state(e, level);
	update_hold(e, rms, i);

	r.rms_uv = rms;
	r.level_pct = level;
	r.mdf_hz = e->mdf_hz;
	r.mnf_hz = e->mnf_hz;
	r.state = e->state;
	if (e->state == EMG_TENSE && e->holding && e->cand >= 0)
		r.state = EMG_RELEASING;
	r.quality_flags = e->qual;
	if (e->mains_now)
		r.quality_flags |= EMG_Q_MAINS;
	if (e->presmoothed)
		r.quality_flags |= EMG_Q_PRESMOOTHED;
	if (!(isfinite(e->rest_cal) && isfinite(e->ref_cal)))
		r.quality_flags |= EMG_Q_UNCALIBRATED;
	e->qual = 0;
	r.calibrating = e->cal_kind;
	r.holding = e->holding;
	r.released = e->released;
	r.release_sample = e->released ? e->release_sample : -1;
	e->released = 0;
	e->cb(e->ctx, &r);
}

/* ------------------------------------------------------------ per sample */

static void envelope_push(struct emg *e, double v, int good)
{
	if (e->ok[e->win_pos]) {
		e->sum -= e->sq[e->win_pos];
		e->n_ok--;
	}
	e->sq[e->win_pos] = good ? (float)v : 0.0f;
	e->ok[e->win_pos] = (unsigned char)(good != 0);
	if (good) {
		e->sum += (float)v;
		e->n_ok++;
	}
	if (++e->win_pos == e->win_n) {
		/* once per window: recompute the sum, so rounding cannot drift */
		e->win_pos = 0;
		double s = 0.0;
		for (size_t k = 0; k < e->win_n; k++)
			s += e->sq[k];
		e->sum = s;
	}
}

static void maybe_publish(struct emg *e, int64_t i)
{
	e->pub_acc += 1.0;
	if (e->pub_acc >= e->pub_step) {
		e->pub_acc -= e->pub_step;
		publish(e, i);
	}
}

static void live_spectrum(struct emg *e)
{
	size_t n = e->spec_n;
	size_t first = n - e->spos;
	memcpy(e->work, e->sring + e->spos, first * sizeof(*e->work));
	memcpy(e->work + first, e->sring, e->spos * sizeof(*e->work));
	int ns = spec_welch(e->sp, e->work, n, e->fs_hz, e->seg, SPEC_DETREND_MEAN,
			    e->psd);
	if (ns < 1) {
		e->mdf_hz = e->mnf_hz = NAN;
		return;
	}
	freq_stats(e->psd, spec_nbins(e->sp), e->fs_hz / (double)spec_nfft(e->sp),
		   HP_HZ, e->lp_hz, &e->mdf_hz, &e->mnf_hz);
}

/* The processing tail: one band-passed sample, possibly delayed. */
static void process(struct emg *e, double y)
{
	int64_t i = e->proc_next++;
	e->proc_since_reset++;
	for (int h = 0; h < MAX_HARM; h++)
		if (e->notch_on[h])
			y = iir_step(&e->notch[h], y);
	int gated = e->beat_n ? gated_at(e, i) : 0;
	envelope_push(e, y * y, !gated);
	e->sring[e->spos] = gated ? 0.0 : y;
	if (++e->spos == e->spec_n)
		e->spos = 0;
	if (e->sfill < e->spec_n)
		e->sfill++;
	if (++e->since_spec >= e->hop_n && e->sfill == e->spec_n) {
		e->since_spec = 0;
		live_spectrum(e);
	}
	maybe_publish(e, i);
}

static void raw_quality(struct emg *e, float x)
{
	if (e->have_last) {
		e->flat_run = fabsf(x - e->last_raw) < FLAT_UV ? e->flat_run + 1 : 0;
		int at_extreme = e->have_extreme && e->raw_max > e->raw_min &&
				 (x >= e->raw_max || x <= e->raw_min);
		int at_fs = e->full_scale_uv > 0.0 &&
			    fabs(x) >= 0.999 * e->full_scale_uv;
		if (x == e->last_raw && (at_extreme || at_fs))
			e->clip_run++;
		else
			e->clip_run = 0;
		if (e->clip_run >= CLIP_RUN && e->flat_run < e->flat_need)
			e->qual |= EMG_Q_CLIPPING;
		if (e->flat_run >= e->flat_need) {
			int sat = at_fs || (e->full_scale_uv <= 0.0 && at_extreme &&
					    fabsf(x) >= SAT_MIN_UV);
			e->qual |= sat ? EMG_Q_SATURATION : EMG_Q_LEAD_OFF;
		}
	}
	if (!e->have_extreme) {
		e->raw_max = e->raw_min = x;
		e->have_extreme = 1;
	} else if (x > e->raw_max) {
		e->raw_max = x;
	} else if (x < e->raw_min) {
		e->raw_min = x;
	}
	e->last_raw = x;
	e->have_last = 1;
}

void emg_feed(struct emg *e, const float *x_uv, size_t n)
{
	if (!e || !x_uv)
		return;
	for (size_t k = 0; k < n; k++) {
		float x = x_uv[k];
		if (!isfinite(x)) /* hostile input: hold the last value */
			x = e->have_last ? e->last_raw : 0.0f;
		else if (fabsf(x) > MAX_UV) /* and keep squares finite */
			x = x > 0.0f ? MAX_UV : -MAX_UV;
		raw_quality(e, x);
		e->n_in++;
		if (e->presmoothed) {
			int64_t i = e->proc_next++;
			e->proc_since_reset++;
			envelope_push(e, fabsf(x), 1);
			maybe_publish(e, i);
			continue;
		}
		if (!e->primed) {
			iir_prime(e->hp, N_HP, x);
			iir_reset(e->lp, N_LP);
			e->primed = 1;
		}
		double y = iir_run(e->lp, N_LP, iir_run(e->hp, N_HP, x));
		e->mblk[e->mfill] = y;
		if (++e->mfill == e->spec_n) {
			e->mfill = 0;
			mains_detect(e);
		}
		if (e->dly_n) {
			float d = e->dly[e->dly_pos];
			e->dly[e->dly_pos] = (float)y;
			if (++e->dly_pos == e->dly_n)
				e->dly_pos = 0;
			if (e->dly_fill < e->dly_n) {
				e->dly_fill++;
				continue;
			}
			y = d;
		}
		process(e, y);
	}
}

static void reset_history(struct emg *e)
{
	e->primed = 0;
	iir_reset(e->hp, N_HP);
	iir_reset(e->lp, N_LP);
	iir_reset(e->notch, MAX_HARM);
	e->dly_pos = e->dly_fill = 0;
	e->mfill = 0;
	e->track_ok = 0;
	memset(e->sq, 0, e->win_n * sizeof(*e->sq));
	memset(e->ok, 0, e->win_n);
	e->win_pos = 0;
	e->sum = 0.0;
	e->n_ok = 0;
	e->proc_since_reset = 0;
	e->spos = e->sfill = e->since_spec = 0;
	e->mdf_hz = e->mnf_hz = NAN;
	e->pub_acc = 0.0;
	e->have_last = 0;
	e->flat_run = e->clip_run = 0;
	e->cand = -1;
}

void emg_gap(struct emg *e, uint64_t n_missing)
{
	if (!e)
		return;
	/* samples still in the delay line are real: process them first */
	for (size_t k = 0; k < e->dly_fill; k++) {
		size_t at = (e->dly_pos + e->dly_n - e->dly_fill + k) % e->dly_n;
		process(e, e->dly[at]);
	}
	reset_history(e);
	e->n_in += (int64_t)n_missing;
	e->proc_next = e->n_in;
	e->beat_n = 0;
}

/* ------------------------------------------------------------ calibration, hold */

int emg_calibrate(struct emg *e, enum emg_cal kind, double seconds)
{
	if (!e || (kind != EMG_CAL_REST && kind != EMG_CAL_REFERENCE) ||
	    !(seconds >= CAL_MIN_S && seconds <= CAL_MAX_S))
		return VG_ERR_INVAL;
	if (e->cal_kind != EMG_CAL_NONE)
		return VG_ERR_STATE;
	e->cal_kind = kind;
	e->cal_n = e->cal_pubs = 0;
	e->cal_need = (size_t)ceil(seconds * e->publish_hz);
	if (e->cal_need < 1)
		e->cal_need = 1;
	return 0;
}

void emg_set_calibration(struct emg *e, double rest_uv, double reference_uv)
{
	if (!e)
		return;
	e->rest_cal = rest_uv >= 0.0 ? rest_uv : NAN;
	e->ref_cal = reference_uv > 0.0 ? reference_uv : NAN;
}

void emg_get_calibration(const struct emg *e, double *rest_uv,
			 double *reference_uv)
{
	if (rest_uv)
		*rest_uv = e ? e->rest_cal : NAN;
	if (reference_uv)
		*reference_uv = e ? e->ref_cal : NAN;
}

void emg_hold_start(struct emg *e)
{
	if (!e)
		return;
	double rest = rest_now(e);
	e->holding = 1;
	e->hold_collect = 1;
	e->hold_rest = isfinite(rest) ? rest : 0.0;
	e->hold_acc = 0.0;
	e->hold_cnt = 0;
	e->hold_start = NAN;
	e->cand = -1;
}

void emg_hold_stop(struct emg *e)
{
	if (!e)
		return;
	e->holding = 0;
	e->cand = -1;
}

/* ------------------------------------------------------------ lifecycle */

static size_t pow2_near(double x)
{
	int p = (int)lround(log2(x));
	if (p < 3)
		p = 3;
	return (size_t)1 << p;
}

struct emg *emg_new(const struct emg_config *cfg, emg_result_fn cb, void *ctx,
		    int *err)
{
	int rc = VG_ERR_INVAL;
	struct emg *e = NULL;
	if (!cfg || !cb || !(cfg->fs_hz >= 1.0 && cfg->fs_hz <= 20000.0))
		goto fail;
	double window_ms = cfg->window_ms > 0.0 ? cfg->window_ms : 250.0;
	double publish_hz = cfg->publish_hz > 0.0 ? cfg->publish_hz : 20.0;
	if (!(window_ms >= 10.0 && window_ms <= 10000.0) ||
	    !(publish_hz >= 0.1 && publish_hz <= 1000.0) ||
	    !(cfg->mains_hz == 0.0 || cfg->mains_hz == 50.0 || cfg->mains_hz == 60.0) ||
	    !(cfg->ecg_delay_ms >= 0.0 && cfg->ecg_delay_ms <= 2000.0) ||
	    !(cfg->full_scale_uv >= 0.0))
		goto fail;
	rc = VG_ERR_NOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto fail;
	rc = VG_ERR_INVAL;
	e->fs_hz = cfg->fs_hz;
	e->publish_hz = publish_hz;
	e->channel = cfg->channel;
	if (cfg->name) {
		size_t len = strlen(cfg->name);
		if (len >= sizeof(e->name))
			len = sizeof(e->name) - 1;
		memcpy(e->name, cfg->name, len);
	}
	e->presmoothed = cfg->fs_hz < MIN_RAW_FS_HZ;
	e->full_scale_uv = cfg->full_scale_uv;
	e->cb = cb;
	e->ctx = ctx;
	e->rest_cal = e->ref_cal = NAN;
	e->base_uv = e->peak_uv = NAN;
	e->mdf_hz = e->mnf_hz = NAN;
	e->cand = -1;
	e->pub_step = cfg->fs_hz / publish_hz;
	if (e->pub_step < 1.0)
		e->pub_step = 1.0;
	/* results really published per second (pre-smoothed: at most fs) */
	e->pubs_per_s = (size_t)lround(cfg->fs_hz / e->pub_step);
	if (e->pubs_per_s < 1)
		e->pubs_per_s = 1;
	e->publish_hz = cfg->fs_hz / e->pub_step;
	e->win_n = (size_t)lround(window_ms * 1e-3 * cfg->fs_hz);
	if (e->win_n < 1)
		e->win_n = 1;
	e->cal_cap = (size_t)ceil(CAL_MAX_S * e->publish_hz) + 1;

	rc = VG_ERR_NOMEM;
	e->sq = calloc(e->win_n, sizeof(*e->sq));
	e->ok = calloc(e->win_n, 1);
	e->cal_buf = calloc(e->cal_cap, sizeof(*e->cal_buf));
	if (!e->sq || !e->ok || !e->cal_buf)
		goto fail;
	if (e->presmoothed) {
		e->flat_need = (size_t)ceil(FLAT_PRESMOOTHED_S * cfg->fs_hz);
		reset_history(e);
		return e;
	}
	e->flat_need = e->win_n;
	e->lp_hz = LP_HZ < LP_FRAC * cfg->fs_hz ? LP_HZ : LP_FRAC * cfg->fs_hz;
	rc = VG_ERR_INVAL;
	if (iir_butter(e->hp, N_HP, IIR_HIGHPASS, cfg->fs_hz, HP_HZ) ||
	    iir_butter(e->lp, N_LP, IIR_LOWPASS, cfg->fs_hz, e->lp_hz))
		goto fail;
	e->settle_n = (size_t)lround(SETTLE_MS * 1e-3 * cfg->fs_hz);
	e->gate_pre = (int64_t)lround(GATE_PRE_MS * 1e-3 * cfg->fs_hz);
	e->gate_post = (int64_t)lround(GATE_POST_MS * 1e-3 * cfg->fs_hz);
	e->dly_n = (size_t)lround(cfg->ecg_delay_ms * 1e-3 * cfg->fs_hz);
	e->spec_n = (size_t)lround(SPEC_WIN_S * cfg->fs_hz);
	e->hop_n = (size_t)lround(SPEC_HOP_S * cfg->fs_hz);
	e->seg = pow2_near(cfg->fs_hz / 4.0);
	if (e->seg > e->spec_n)
		e->seg = e->spec_n & ~(size_t)1;
	rc = VG_ERR_NOMEM;
	if (e->dly_n && !(e->dly = calloc(e->dly_n, sizeof(*e->dly))))
		goto fail;
	e->sp = spec_new(e->seg, e->seg, &rc);
	if (!e->sp)
		goto fail;
	rc = VG_ERR_NOMEM;
	e->sring = calloc(e->spec_n, sizeof(*e->sring));
	e->work = calloc(e->spec_n, sizeof(*e->work));
	e->mblk = calloc(e->spec_n, sizeof(*e->mblk));
	e->psd = calloc(spec_nbins(e->sp), sizeof(*e->psd));
	if (!e->sring || !e->work || !e->mblk || !e->psd)
		goto fail;
	if (cfg->mains_hz > 0.0) {
		e->mains_cfg_hz = cfg->mains_hz;
		e->mains_hz = e->mains_f = e->mains_f_applied = cfg->mains_hz;
		notch_enable(e, 1);
	}
	reset_history(e);
	return e;
fail:
	emg_destroy(&e);
	if (err)
		*err = rc;
	return NULL;
}

void emg_destroy(struct emg **ep)
{
	if (!ep || !*ep)
		return;
	struct emg *e = *ep;
	free(e->sq);
	free(e->ok);
	free(e->cal_buf);
	free(e->dly);
	spec_destroy(&e->sp);
	free(e->sring);
	free(e->work);
	free(e->mblk);
	free(e->psd);
	free(e);
	*ep = NULL;
}

/* ------------------------------------------------------------ whole record */

int emg_describe(const float *x_uv, size_t n, double fs_hz,
		 const struct emg_describe_opts *opts, struct emg_summary *out)
{
	if (!x_uv || !out || n < 8 || !(fs_hz > 0.0) || !isfinite(fs_hz))
		return VG_ERR_INVAL;
	size_t seg = opts && opts->seg ? opts->seg : 4096;
	double lo = 20.0, hi = 1000.0;
	if (opts && (opts->lo_hz > 0.0 || opts->hi_hz > 0.0)) {
		lo = opts->lo_hz;
		hi = opts->hi_hz;
	}
	if (hi > 0.5 * fs_hz)
		hi = 0.5 * fs_hz;
	if (!(lo >= 0.0 && hi > lo) || seg < 8)
		return VG_ERR_INVAL;
	if (seg > n)
		seg = n;
	seg &= ~(size_t)1;
	double mean = 0.0;
	size_t nf = 0;
	for (size_t k = 0; k < n; k++)
		if (isfinite(x_uv[k])) {
			mean += x_uv[k];
			nf++;
		}
	if (nf < 2)
		return VG_ERR_INVAL;
	mean /= (double)nf;
	double *x = malloc(n * sizeof(*x));
	if (!x)
		return VG_ERR_NOMEM;
	double ss = 0.0;
	for (size_t k = 0; k < n; k++) {
		double v = isfinite(x_uv[k]) ? x_uv[k] - mean : 0.0;
		x[k] = v;
		ss += v * v;
	}
	int rc = 0;
	struct spec *sp = spec_new(seg, seg, &rc);
	double *psd = sp ? malloc(spec_nbins(sp) * sizeof(*psd)) : NULL;
	if (!sp || !psd) {
		rc = rc ? rc : VG_ERR_NOMEM;
		goto out;
	}
	int ns = spec_welch(sp, x, n, fs_hz, seg, SPEC_DETREND_MEAN, psd);
	if (ns < 1) {
		rc = ns;
		goto out;
	}
	out->n = nf;
	out->mean_uv = mean;
	out->rms_uv = sqrt(ss / (double)nf);
	freq_stats(psd, spec_nbins(sp), fs_hz / (double)seg, lo, hi, &out->mdf_hz,
		   &out->mnf_hz);
	rc = 0;
out:
	free(psd);
	spec_destroy(&sp);
	free(x);
	return rc;
}
