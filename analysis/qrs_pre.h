/*
 * qrs_pre.h - is the part of the ECG before a QRS (the P wave) unlike the
 * lead's usual one?
 *
 * Problem: an atrial premature beat has a normal QRS and may come only
 * 5-15 % early, within sinus variability by timing alone (mitdb 220), yet
 * it is not an NN interval: HRV from beats that keep it differs from HRV
 * from annotated normal beats (220: HF +39 to +59 % over 5 min). Its P
 * wave starts elsewhere in the atria and looks different (or hides in the
 * previous T wave).
 * Approach: keep a running mean of the segment [R - 300 ms, R - 60 ms)
 * (mean removed, unit norm) of beats that are neither premature nor
 * unlike it; its normalised correlation with each beat's segment says how
 * alike they are. The template counts as established once learned from
 * QRS_PRE_LEARN_N beats with a running mean correlation of at least
 * QRS_PRE_EST (a lead with a consistent P wave); then a segment correlating
 * under QRS_PRE_RHO_ODD is "odd". A lasting change (electrode moved) lowers
 * the running correlation, the template stops counting as established and
 * relearns from every beat.
 * Measured (mitdb, tools in the issue note): 220 MLII, odd P with 0.97x
 * prematurity: 90 of 94 atrial premature beats, 11 of 1953 normal beats.
 * Limits: needs a visible P wave (not in AF, not on leads without one);
 * a segment reaching back into the previous T wave (fast rates) is
 * compared as it is; noisy beats must not be judged (the caller decides).
 */
#ifndef QRS_PRE_H
#define QRS_PRE_H

#include <stddef.h>
#include <stdint.h>

#define QRS_PRE_FROM_S 0.300 /* segment start before R, s */
#define QRS_PRE_TO_S 0.060   /* segment end before R, s */
#define QRS_PRE_LEARN_N 8    /* beats learned before the template counts */
#define QRS_PRE_EST 0.70     /* ... and their running mean correlation */
#define QRS_PRE_RHO_ODD 0.30 /* a segment correlating under this is odd */

struct qrs_pre;

/* fs_hz in [100, 2000]; NULL when out of memory. */
struct qrs_pre *qrs_pre_new(double fs_hz);
void qrs_pre_destroy(struct qrs_pre **p);
/* Forget the template (after a gap or a restart). */
void qrs_pre_reset(struct qrs_pre *p);
/* Samples before R the segment needs (ring[i & mask] must hold them). */
int qrs_pre_reach(const struct qrs_pre *p);
/* Judge the segment before the R peak at sample r of ring[i & mask]; learn
 * it when `learn` (the caller's judgement: a timely, clean beat) and it is
 * not odd. Returns 1 when odd against an established template, else 0;
 * *rho (may be NULL) gets the correlation (NAN with no template yet). */
int qrs_pre_judge(struct qrs_pre *p, const float *ring, size_t mask, int64_t r, int learn,
		  double *rho);

#endif
