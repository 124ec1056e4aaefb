/*
 * xtalk.h - early QRS marks for gating ECG crosstalk out of surface EMG.
 *
 * Problem: on trunk and shoulder muscles the heart's QRS shows in the EMG
 * (crosstalk), and the EMG envelope leaves out the samples around each R
 * peak (emg.h, gating). The beat detector (qrs.h) decides a beat up to
 * 295 ms after its R peak, so an envelope that waits for it reaches the
 * screen a third of a second late; a therapist watching a muscle let go
 * wants it sooner (web console target: sample -> screen p99 <= 250 ms).
 * Approach: a detector that only has to say "a QRS is here now", not
 * whether it is a beat: per ECG sample, the magnitude of the 10-30 Hz band
 * (2nd-order Butterworth high-pass and low-pass: the QRS's band, above P
 * and T waves and baseline wander) against a threshold XT_THR_K of the
 * median QRS height of the last XT_HIST confirmed beats. The confirmed
 * beats (xtalk_beat, from qrs.h, late) teach both the height and the delay
 * from the R peak to the threshold crossing, so a mark names the R peak's
 * sample, not the crossing's. A refractory of XT_REFRACT_RR of the median
 * RR (at least XT_REFRACT_S) keeps one mark per QRS. False marks (a spike,
 * a tall T wave in a strange lead) only leave out some EMG samples; a QRS
 * that stays under the threshold is still gated by its confirmed beat
 * when that comes in time.
 * Figures (tests/bench/bench_xtalk.c, 2026-12-05; tuned on the simulator,
 * the refractory share chosen on all three databases at once): reference
 * beats with a mark within 50 ms of R: mitdb 97.45 %, svdb (128 Hz)
 * 99.29 %, nstdb (noise stress) 90.02 %; false marks 107, 17 and 814 per
 * hour; the mark comes at most 25 ms after R (p99), inside the 120 ms the
 * EMG waits. Worst: mitdb 108 (57 %: tall P and T waves, noise).
 * References: the gating itself: Drake & Callaghan, J Electromyogr
 * Kinesiol 16, 2006; the QRS band: Pan & Tompkins, IEEE TBME 32(3) 1985.
 * Limits: no marks before XT_LEARN confirmed beats (the first 3-4 s); after
 * a sudden drop of the QRS amplitude to under XT_THR_K of the usual, marks
 * stop until the confirmed beats have taught the new height (about 5
 * beats). No allocation after xtalk_new.
 */
#ifndef XTALK_H
#define XTALK_H

#include <stdint.h>

struct xtalk;

/* New detector for an ECG sampled at fs_hz (100-4000 Hz). Returns NULL and
 * sets *err (VG_ERR_INVAL, VG_ERR_NOMEM) on failure. */
struct xtalk *xtalk_new(double fs_hz, int *err);
/* Free and set *x to NULL; NULL and *x == NULL are fine. */
void xtalk_destroy(struct xtalk **x);

/* One ECG sample (mV). Returns 1 and sets *r_sample (the R peak's sample
 * index, counted from the first sample fed, gaps included; may be a few
 * samples before or after this one) when a QRS is seen now, else 0.
 * Never blocks, never allocates. Non-finite samples count as 0. */
int xtalk_step(struct xtalk *x, float x_mv, int64_t *r_sample);
/* A confirmed beat whose R peak is at sample r (same count). Returns 1 when
 * a mark already covered it (within XT_MATCH_S), else 0: the caller should
 * then gate with this beat if it is still in time. */
int xtalk_beat(struct xtalk *x, int64_t r_sample);
/* n samples are missing: the count advances, the filters restart. */
void xtalk_gap(struct xtalk *x, uint64_t n);

/* Marks given so far, and confirmed beats that no mark covered. */
uint64_t xtalk_marks(const struct xtalk *x);
uint64_t xtalk_missed(const struct xtalk *x);

#endif
