/*
 * calm.h - vagal (parasympathetic) index and the session-relative calm score.
 *
 * Problem: the therapist needs one live number for parasympathetic calming:
 * an absolute index comparable with the literature (pns_index, modelled on
 * the Kubios PNS index) and a 0-100 score relative to this client's own
 * session start (calm) with its trend per minute.
 * Approach: pns_index = mean of the z-scores of mean RR, RMSSD and SD1 (in
 * % of mean RR) against published short-term norms of healthy adults;
 * calm = 50 + 50 tanh(z / CALM_SCALE_Z), z = the change of heart period and
 * of vagal variability from this person's own baseline (median over the
 * first baseline_s of the session), each as a log ratio in units of the
 * population's relative spread, weighted half and half (calm_z); calm_trend
 * = least-squares slope of calm over the last CALM_TREND_S, per minute.
 * Every formula and its references are in protocol/PROTOCOL.md ("HRV
 * formulas") and calm.c.
 * Limits: norms are population figures for resting healthy adults (Nunan
 * et al. 2010); the index is not a clinical measure.
 */
#ifndef CALM_H
#define CALM_H

#include <stdint.h>

#include "hrv.h"

/* Population norms (Nunan, Sandercock & Brodie, PACE 33:1407-1417, 2010). */
#define CALM_NORM_MEAN_RR_MS 926.0
#define CALM_NORM_SD_MEAN_RR_MS 90.0
#define CALM_NORM_RMSSD_MS 42.0
#define CALM_NORM_SD_RMSSD_MS 15.0
/* SD1 in % of mean RR, derived from the two norms above (SD1 = RMSSD/sqrt 2). */
#define CALM_NORM_SD1_PCT 3.207
#define CALM_NORM_SD_SD1_PCT 1.145

/* calm: relative spreads of the norms above (SD / mean) as log-ratio scales */
#define CALM_SD_LN_RR 0.097    /* 90 / 926 */
#define CALM_SD_LN_RMSSD 0.357 /* 15 / 42 */
#define CALM_W_RR 0.5          /* weight of heart period; 1 - this: ln RMSSD */
#define CALM_SCALE_Z 1.0    /* z change for calm 50 -> 88 */
#define CALM_TREND_S 60.0   /* trend regression span, s */
#define CALM_MAX_SAMPLES 512 /* calm samples kept for the trend */
#define CALM_PROVISIONAL_S 30.0 /* calm shown against the baseline so far after this */

struct calm;

/* pns_index from mean NN, RMSSD and SD1 (ms); NAN if any is not finite
 * or mean_nn_ms <= 0. */
double calm_pns_index(double mean_nn_ms, double rmssd_ms, double sd1_ms);

#define CALM_DEFAULT_BASELINE_S 120.0 /* session-start baseline, s */

/* baseline_s: length of the session-start baseline, s (> 0; default
 * CALM_DEFAULT_BASELINE_S). */
struct calm *calm_new(double baseline_s, int *err);
void calm_destroy(struct calm **c);
void calm_reset(struct calm *c);
/* Change the baseline length (s, > 0) for the next calm_reset(). */
void calm_set_baseline_s(struct calm *c, double baseline_s);
/* z of calm from ln mean NN and ln RMSSD and their baseline values. */
double calm_z(double ln_rr, double ln_rmssd, double base_ln_rr, double base_ln_rmssd);
/* Feed one hrv result at t_ns (its mean_nn_ms, rmssd_ms, pns_index); fills
 * r->calm and r->calm_trend (NAN until the baseline is complete / for 2
 * samples). */
void calm_update(struct calm *c, int64_t t_ns, struct hrv_result *r);
/* Baseline pns_index (NAN until complete); calm itself is relative to the
 * baseline mean NN and RMSSD. */
double calm_baseline(const struct calm *c);

#endif
