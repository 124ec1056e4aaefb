/*
 * hrv.h - heart-rate variability over a sliding window of NN intervals.
 *
 * Problem: the therapist and the researcher need standard HRV figures
 * (Task Force 1996) updated after every beat over a fixed time window,
 * computed the same way live and offline, without allocation per beat.
 * Interface: hrv_new(window_s) allocates the ring and all work buffers;
 * hrv_push() adds one NN interval (already cleaned, see rr.h) ending at
 * t_ns; hrv_compute() fills a struct hrv_result for the window that ends
 * at the newest interval. Figures that the window cannot support are NAN
 * (the protocol writes them as null). hrv_compute_span() does the same for
 * an explicit [from, to) span (offline analysis); hrv_set_resp_hz() gives
 * the measured breathing frequency (resp.h) so that RSA power follows it.
 * Live, the time domain and LF/HF are recomputed after every interval,
 * VLF every HRV_VLF_INTERVAL_S of data (and after a gap).
 * calm_update() (calm.h) fills the calm fields. See hrv.c and PROTOCOL.md ("HRV formulas") for
 * definitions, references and limits.
 */
#ifndef HRV_H
#define HRV_H

#include <stddef.h>
#include <stdint.h>

struct hrv;

/* Flags of one NN interval (hrv_push). */
#define HRV_NN_CORRECTED 0x01u /* interpolated/corrected by RR cleaning */
#define HRV_NN_AFTER_GAP 0x02u /* first interval after a signal gap */

struct hrv_result {
	double window_s;      /* window length, s */
	int n;                /* NN intervals in the window */
	double mean_nn_ms;    /* mean NN, ms */
	double sdnn_ms;       /* SD of NN (n-1), ms */
	double rmssd_ms;      /* root mean square of successive differences, ms */
	double pnn50;         /* % of successive differences > 50 ms */
	double sd1_ms;        /* Poincare SD1, ms */
	double sd2_ms;        /* Poincare SD2, ms */
	double hr_bpm;        /* 60000 / mean NN, beats/min */
	double artifacts_pct; /* % of intervals corrected by RR cleaning */
	double vlf_ms2;       /* power < 0.04 Hz, ms^2 (NAN if window too short) */
	double lf_ms2;        /* power [0.04, 0.15) Hz, ms^2 (NAN if < 120 s) */
	double hf_ms2;        /* power [0.15, 0.40) Hz, ms^2 (NAN if < 60 s) */
	double lf_hf;         /* LF/HF ratio */
	double lf_nu;         /* LF normalised units, 100*LF/(LF+HF) */
	double hf_nu;         /* HF normalised units */
	double hf_peak_hz;    /* frequency of the HF peak, Hz */
	double rsa_ms2;       /* vagal (RSA) power around the breathing frequency, ms^2 */
	int slow_breathing;   /* 1: breathing < 9/min, RSA lies in LF (rsa_ms2 is the vagal figure) */
	double pns_index;     /* parasympathetic index (Kubios-style, SD units) */
	double calm;          /* 0..100 relative to the session baseline (NAN before one) */
	double calm_trend;    /* calm change per minute */
	/* added fields */
	double resp_hz;       /* breathing frequency used for rsa_ms2, Hz (NAN if none) */
	double spectrum_s;    /* length of the continuous run used for the spectrum, s */
	int n_diff;           /* successive differences used (RMSSD, pNN50, SD1) */
	double spectrum_age_s; /* age of the spectral figures (live refresh), s */
	double vlf_age_s;      /* age of vlf_ms2 (live VLF refresh), s */
};

/* window_s in [10, 3600] for live use; up to HRV_MAX_WINDOW_S is accepted
 * (offline analysis of whole recordings). NULL + *err on failure. */
#define HRV_MAX_WINDOW_S 172800.0
struct hrv *hrv_new(double window_s, int *err);
void hrv_destroy(struct hrv **h);
/* Add one NN interval (ms) that ends at t_ns. Intervals outside
 * [HRV_NN_MIN_MS, HRV_NN_MAX_MS] are ignored (they must be cleaned before;
 * the upper limit is 4000 ms so that the EC57 pattern TP4, 3000 +- 280 ms,
 * passes), as are intervals not later than the newest one. */
#define HRV_NN_MIN_MS 200.0
#define HRV_NN_MAX_MS 4000.0
void hrv_push(struct hrv *h, int64_t t_ns, double nn_ms, unsigned flags);
/* Fill *r for the window ending at the newest interval; 0, or VG_ERR_AGAIN
 * when fewer than 2 intervals are in the window. */
int hrv_compute(struct hrv *h, struct hrv_result *r);
/* As hrv_compute, over the intervals whose end time is in [from_ns, to_ns)
 * (only what is still held: the last window_s before the newest interval). */
int hrv_compute_span(struct hrv *h, int64_t from_ns, int64_t to_ns,
		     struct hrv_result *r);
/* Breathing frequency measured elsewhere (resp.h), Hz; NAN to go back to
 * the estimate from the RR spectrum itself. */
void hrv_set_resp_hz(struct hrv *h, double resp_hz);
/* Accepted NN range, ms (default [HRV_NN_MIN_MS, HRV_NN_MAX_MS]). A wider
 * range only serves comparisons with implementations that keep every
 * annotated N-N pair (the ring holds window_s / 200 ms intervals; beyond
 * that the oldest are dropped). 0 or VG_ERR_INVAL. */
int hrv_set_nn_range(struct hrv *h, double min_ms, double max_ms);
/* Live refresh of the spectral figures: hrv_compute() recomputes them
 * when the newest interval is interval_s newer than at the last
 * computation (or after a gap), else repeats them. 0 = every call.
 * Default HRV_SPECTRUM_INTERVAL_S: every beat (a full update of a 300 s
 * window costs about 45 us, see tests/bench/bench_hrv.c). */
#define HRV_SPECTRUM_INTERVAL_S 0.0
void hrv_set_spectrum_interval(struct hrv *h, double interval_s);
/* Live refresh of vlf_ms2 alone (it needs its own 512 s-segment pass, the
 * fourth FFT of an update; power below 0.04 Hz changes slowly): recomputed
 * when the newest interval is interval_s newer than at its last
 * computation, after a gap, or with the rest of the spectrum when that is
 * refreshed less often; 0 = every call. Default HRV_VLF_INTERVAL_S. */
#define HRV_VLF_INTERVAL_S 5.0
void hrv_set_vlf_interval(struct hrv *h, double interval_s);
/* Robust spectrum (1) or the reference definition (0, default): with 1,
 * intervals that stand 30 % out of the five around them, when such are
 * rare (nn_impulse.h), are bridged by the spline like corrected ones; the
 * time domain is unchanged. The chain (hrv_chain.h) turns it on: an odd
 * interval the cleaner let through must not move LF/HF. */
void hrv_set_robust(struct hrv *h, int on);
/* Drop everything (new session). */
void hrv_reset(struct hrv *h);
/* Window length given to hrv_new, s. */
double hrv_window_s(const struct hrv *h);

/* Band limits, Hz (lo <= f < hi), and minimum window lengths, s. */
#define HRV_VLF_LO_HZ 0.0033
#define HRV_VLF_HI_HZ 0.04
#define HRV_LF_HI_HZ 0.15
#define HRV_HF_HI_HZ 0.40
#define HRV_MIN_HF_S 60.0
#define HRV_MIN_LF_S 120.0
#define HRV_MIN_VLF_S 300.0
#define HRV_RESAMPLE_HZ 4.0

#endif
