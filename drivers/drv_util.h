/*
 * drv_util.h - plumbing shared by the byte-stream drivers (OpenBCI,
 * BITalino, P2): the channel-map option syntax, an input accumulator that
 * gives parsers look-ahead across read boundaries, and per-channel sample
 * batching.
 *
 * Problem: every framed-protocol driver must (a) learn from its options which
 * device channel carries ECG and which EMG, (b) look ahead over several
 * frames to resynchronise although reads split frames anywhere, and (c) hand
 * samples to the core in runs rather than one call per sample (throughput).
 * Approach:
 *  - Channel map: options "chN=ecg|emg|off[:label]" (N from 1, the device's
 *    own channel number). "ch2=emg:trapezius-left" gives the channel label
 *    "EMG trapezius-left". When no chN option is given at all, the driver's
 *    defaults apply; once any chN is given, unlisted channels are off.
 *  - Accumulator: bytes are appended to a fixed buffer inside the driver's
 *    private block; the driver's parse function consumes what it can decide
 *    and leaves a tail shorter than its look-ahead; the tail moves to the
 *    front. No allocation, no recursion.
 *  - Batch: one float row per mapped channel, flushed with drv_samples() when
 *    full, before any drv_gap(), and at the end of every feed() so samples
 *    and gaps reach the sink in stream order.
 * Limits: look-ahead at most DRVU_ACC_CAP / 2 bytes; DRVU_DEV_MAX device
 * channels.
 */
#ifndef DRV_UTIL_H
#define DRV_UTIL_H

#include "driver.h"

#include <stddef.h>
#include <stdint.h>

#define DRVU_DEV_MAX 8     /* device channels a map can describe */
#define DRVU_BATCH 128     /* samples per channel held before a flush */
#define DRVU_ACC_CAP 4096  /* accumulator bytes */

struct drvu_map {
	unsigned n_dev;                      /* device channels (1-based in options) */
	int on[DRVU_DEV_MAX];                /* channel wanted */
	enum drv_signal_kind kind[DRVU_DEV_MAX];
	char label[DRVU_DEV_MAX][DRV_LABEL_MAX];
	int out[DRVU_DEV_MAX];               /* instance channel index, -1 = off */
	unsigned n_on;
};

/* Read chN options for N = 1..n_dev; defaults[i] ("ecg", "emg:x", NULL =
 * off) applies to device channel i+1 when no chN option is given at all.
 * Returns 0, VG_ERR_INVAL on a malformed value (logged), VG_ERR_RANGE when
 * n_dev is too large. */
int drvu_map_parse(const struct drv_instance *d, unsigned n_dev,
		   const char *const *defaults, struct drvu_map *m);

/* Declare the mapped channels in device order with the given rate; unit is
 * "mV" for ECG and "uV" for EMG; ranges come from phys_mv (ECG) and phys_uv
 * (EMG) (symmetric +-). Fills m->out. 0 or a negative VG_ERR_*. */
int drvu_map_declare(struct drv_instance *d, struct drvu_map *m,
		     double rate_hz, double phys_mv, double phys_uv,
		     const char *prefilter);

struct drvu_batch {
	unsigned n;                          /* rows filled */
	unsigned nch;                        /* instance channels in use */
	float v[DRV_MAX_CHANNELS][DRVU_BATCH];
};

/* Send what the batch holds (in channel order) and empty it. */
void drvu_batch_flush(struct drv_instance *d, struct drvu_batch *b);

/* Close one row (all channels set for this sample instant). */
static inline void drvu_batch_row_done(struct drv_instance *d,
				       struct drvu_batch *b)
{
	if (++b->n == DRVU_BATCH)
		drvu_batch_flush(d, b);
}

/* Flush, then mark n_missing lost samples. */
void drvu_gap(struct drv_instance *d, struct drvu_batch *b, uint64_t n_missing);

struct drvu_acc {
	size_t len;
	uint8_t buf[DRVU_ACC_CAP];
};

/* Consume as many of p[0..n) as can be decided now; return the count. Must
 * leave fewer than DRVU_ACC_CAP / 2 bytes unconsumed. */
typedef size_t (*drvu_parse_fn)(struct drv_instance *d, const uint8_t *p,
				size_t n);

/* Append buf to the accumulator and run parse over it until all input is
 * used; flushes the batch at the end. */
void drvu_feed(struct drv_instance *d, struct drvu_acc *a,
	       struct drvu_batch *b, drvu_parse_fn parse, const uint8_t *buf,
	       size_t len);

/* Collects printable text between frames (device replies). Returns 1 when
 * a line ends (CR/LF), 2 when "$$$" (OpenBCI's end of reply) closes it, with
 * line NUL-terminated (possibly empty); 0 otherwise. */
struct drvu_text {
	size_t len;
	char line[96];
};
int drvu_text_byte(struct drvu_text *t, uint8_t c);

#endif
