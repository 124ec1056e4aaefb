/*
 * qrs_tpl.h - amplitude-invariant R-peak fiducial by alignment with a
 * running QRS template.
 *
 * Problem: a fiducial taken at the maximum (or steepest point) of one noisy
 * QRS moves by a fraction of a sample from beat to beat with the noise and
 * with the respiratory modulation of the QRS; that jitter adds power to the
 * RR series (HF band, RMSSD) that is not in the heart rhythm.
 * Approach: keep a running mean QRS shape (unit norm, constant and linear
 * trend projected out, so neither amplitude nor a linear baseline under the
 * QRS moves the match); place each beat at the lag, near its first
 * estimate, where the cross-correlation with the template is largest, with
 * parabolic refinement below one sample (a matched filter: the whole QRS
 * votes, not one sample). Beats that do not look like the template
 * (normalised correlation under QRS_TPL_RHO_MIN: ectopy, noise) keep their
 * first estimate; a lasting change of shape rebuilds the template.
 * Limits: one template (the dominant morphology); the lag search is only
 * +-QRS_TPL_LAG_S around the first estimate.
 */
#ifndef QRS_TPL_H
#define QRS_TPL_H

#include <stddef.h>
#include <stdint.h>

struct qrs_tpl;

struct qrs_tpl *qrs_tpl_new(double fs_hz);
void qrs_tpl_destroy(struct qrs_tpl **t);
/* Forget the template (after a gap or a restart). */
void qrs_tpl_reset(struct qrs_tpl *t);
/* Samples needed on each side of the first estimate (template half-width
 * plus the largest lag). */
int qrs_tpl_reach(const struct qrs_tpl *t);
/* Align the beat first placed at r0 (samples of ring[i & mask], which must
 * hold r0 +- qrs_tpl_reach()) with the template, searching lags in
 * [kmin, kmax] (clamped to the template's own range), and learn its shape.
 * Returns 1 with *r and *frac (-0.5..0.5) set when the beat matches the
 * template, 0 (outputs untouched) when it does not or there is no template
 * yet. */
int qrs_tpl_align(struct qrs_tpl *t, const float *ring, size_t mask, int64_t r0, int kmin,
		  int kmax, int64_t *r, double *frac);

/* Normalised correlation (at most 1) of the samples around r0 (ring as for
 * qrs_tpl_align) with the template at its best lag in +-QRS_TPL_LAG_S,
 * without learning; -1 while the template holds fewer than QRS_TPL_AVG_N
 * beats. */
double qrs_tpl_match(struct qrs_tpl *t, const float *ring, size_t mask, int64_t r0);

#endif
