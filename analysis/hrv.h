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
 * (the protocol writes them as null).
 * See hrv.c for definitions, references and limits.
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
};

/* window_s in [10, 3600]. NULL + *err on failure. */
struct hrv *hrv_new(double window_s, int *err);
void hrv_destroy(struct hrv **h);
/* Add one NN interval (ms) that ends at t_ns. Intervals outside
 * [200, 3000] ms are ignored (they must be cleaned before). */
void hrv_push(struct hrv *h, int64_t t_ns, double nn_ms, unsigned flags);
/* Fill *r for the window ending at the newest interval; 0, or VG_ERR_AGAIN
 * when fewer than 2 intervals are in the window. */
int hrv_compute(struct hrv *h, struct hrv_result *r);
/* Drop everything (new session). */
void hrv_reset(struct hrv *h);

#endif
