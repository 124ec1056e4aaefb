/*
 * rr.h - RR interval cleaning for beats without labels (detector, strap).
 *
 * Problem: a missed beat, an extra (false) beat, an ectopic beat or a
 * misplaced fiducial turns one or two RR intervals into outliers that
 * dominate RMSSD and HF power; a lost device must give a gap, never an
 * interpolation across it.
 * Approach: the Lipponen & Tarvainen (2019) classification (successive
 * differences dRR and deviations from the local median mRR, normalised by
 * time-varying thresholds 5.2 x quartile deviation), made causal: the
 * thresholds and median come from the last RR_HIST already-cleaned
 * intervals and each interval is decided with RR_LOOKAHEAD raw intervals of
 * look-ahead. Corrections: missed -> split in equal parts, extra -> merged
 * with its neighbour, ectopic (short-long pair) -> the beat moved to the
 * middle (both intervals equal), other long/short -> local median. The same
 * engine cleans whole series (push everything, then rr_flush()).
 * See rr.c for the exact rules and their limits.
 */
#ifndef RR_H
#define RR_H

#include <stddef.h>
#include <stdint.h>

#define RR_LOOKAHEAD 3  /* intervals of look-ahead: output delay in beats */
#define RR_HIST 91      /* cleaned intervals behind the thresholds */
#define RR_MEDIAN 11    /* intervals in the local median */
#define RR_MAX_OUT 16   /* most intervals one call can return */
#define RR_GAP_MS 3000.0 /* longer interval (or time jump) = signal gap */
#define RR_MIN_TH_PCT 6.0 /* threshold floor, % of the median RR */

enum rr_kind {
	RR_KIND_OK = 0,
	RR_KIND_ECTOPIC,   /* short-long pair around an ectopic/misplaced beat */
	RR_KIND_MISSED,    /* one interval holding two (or more) beats */
	RR_KIND_EXTRA,     /* a false beat splitting one interval */
	RR_KIND_LONGSHORT, /* an interval out of line, replaced by the median */
	RR_KIND_RUN,       /* a real interval that is not NN: in an ectopic run
			    * (SVT), or after a premature beat; value kept,
			    * flagged HRV_NN_CORRECTED */
	RR_KIND_COUNT
};

/* One cleaned interval. flags use the HRV_NN_* bits of hrv.h. */
struct rr_nn {
	int64_t t_ns;    /* time of the ending beat (corrected), ns */
	double nn_ms;    /* interval, ms */
	unsigned flags;  /* HRV_NN_CORRECTED, HRV_NN_AFTER_GAP */
	unsigned kind;   /* enum rr_kind */
};

struct rr_config {
	int lookahead;     /* 0..RR_LOOKAHEAD (default RR_LOOKAHEAD) */
	double min_th_pct; /* threshold floor, % of the median RR (default RR_MIN_TH_PCT) */
};

struct rr_stats {
	uint64_t in;                  /* intervals received */
	uint64_t out;                 /* intervals emitted */
	uint64_t kind[RR_KIND_COUNT]; /* detections per kind */
	uint64_t gaps;
};

struct rr_clean;

/* cfg may be NULL for defaults. */
struct rr_clean *rr_new(const struct rr_config *cfg, int *err);
void rr_destroy(struct rr_clean **c);
void rr_reset(struct rr_clean *c);
/* One beat at t_ns with the interval rr_ms since the previous beat (rr_ms
 * <= 0 or NAN: taken from the previous beat time). Writes up to RR_MAX_OUT
 * decided intervals to out and returns their number. An interval longer
 * than RR_GAP_MS, or a time jump beyond the interval, is a gap. */
int rr_push(struct rr_clean *c, int64_t t_ns, double rr_ms, struct rr_nn *out);
/* The same with what the detector says of the ending beat: RR_BEAT_*
 * bits (0 = nothing known, as rr_push). */
int rr_push_beat(struct rr_clean *c, int64_t t_ns, double rr_ms, unsigned beat_flags,
		 struct rr_nn *out);
#define RR_BEAT_ODD_P 0x01u /* its P wave is unlike the usual one (QRS_BEAT_ODD_P):
			     * if it is also early, an atrial premature beat */
/* Signal lost: decide what is pending, and mark the next interval as after
 * a gap. Returns the number written to out. */
int rr_gap(struct rr_clean *c, struct rr_nn *out);
/* End of a series: decide what is pending (no gap mark). */
int rr_flush(struct rr_clean *c, struct rr_nn *out);
void rr_get_stats(const struct rr_clean *c, struct rr_stats *s);

#endif
