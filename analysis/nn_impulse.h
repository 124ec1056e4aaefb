/*
 * nn_impulse.h - find the odd interval in an NN series before its spectrum.
 *
 * Problem: one or two intervals the RR cleaner let through (a false beat it
 * could not tell from sinus variability splits an interval in two) are an
 * impulse in the resampled NN(t): a few ms^2/Hz spread over every band. On
 * an unseen recording one 5-minute window read HF +91 % from two such
 * intervals. Time-domain figures are the cleaner's business; the spectrum
 * should not hinge on one beat.
 * Approach: a Hampel-type filter (Hampel, J. Am. Stat. Assoc. 69:383, 1974;
 * as in Pearson, "Outliers in process modeling and identification", IEEE
 * TCST 10:55, 2002) with a fixed threshold: each interval's deviation from
 * the median of the five around it; an impulse deviates by more than
 * NN_IMP_MIN_SHARE of that median. Impulses are sparse by definition: when
 * more than 1 interval in NN_IMP_MAX_SHARE_INV is one, the rhythm is
 * irregular (atrial fibrillation, frequent ectopy) and nothing is dropped.
 * The spline then bridges the intervals found, as it bridges a corrected
 * one. Sinus arrhythmia is smooth: a breath cycle of >= 4 beats that swings
 * +-25 % deviates from its 5-beat median by at most that, below the 30 %
 * floor; a split interval deviates by 35-65 %.
 * Limits: a swing over 30 % of the interval within 4-5 beats (extreme
 * sinus arrhythmia at fast breathing) is also cut; two odd intervals in a
 * row are found (two of five), three are not.
 */
#ifndef NN_IMPULSE_H
#define NN_IMPULSE_H

#include <stddef.h>
#include <stdint.h>

#define NN_IMP_MIN_SHARE 0.30 /* least deviation, share of the local median */
#define NN_IMP_MAX_SHARE_INV 20 /* more than 1 in this many: irregular, none */

/* y[0..n): NN values, ms. drop[i] = 1 for an impulse, else 0. Returns the
 * number of impulses (0 when n < 5). */
size_t nn_impulse_find(const double *y, size_t n, uint8_t *drop);

#endif
