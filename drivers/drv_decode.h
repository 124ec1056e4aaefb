/*
 * drv_decode.h - run a driver over a byte stream with no daemon and write
 * what it emits as JSON lines (vagus-decode, the capture-vector tests).
 *
 * Problem: captures and golden files must be decoded the same way by the
 * command-line tool and by the tests, without ZeroMQ or a device.
 * Approach (gpsd's gpsdecode): a struct drv_sink that prints one JSON object
 * per line, fed through drv_instance_*() in chunks of a chosen size (so tests
 * can split reads anywhere). Lines, in stream order:
 *   {"topic":"channel","ch":0,"label":"ECG","kind":"ecg","rate_hz":250.000,"unit":"mV"}
 *   {"topic":"sample","ch":0,"label":"ECG","index":N,"value":X}
 *   {"topic":"gap","missing":N}
 *   {"topic":"beat","t_ns":T,"rr_ms":X,"hr_bpm":X,"flags":N}
 *   {"topic":"info","key":"version","value":"..."}
 *   {"topic":"stats","bytes_in":N,"frames_ok":N,"garbage_bytes":N,
 *    "checksum_errors":N,"gaps":N,"samples_missing":N,"beats":N}
 * One line per sample (not per frame) so channels at different rates need
 * no special case. Values print at fixed precision (6 decimals for mV, 4
 * otherwise) so golden files hold across machines.
 * Limits: the instance clock (drv_now_ns) stays at 0; no link, so start-up
 * commands are not sent.
 */
#ifndef DRV_DECODE_H
#define DRV_DECODE_H

#include "driver.h"

#include <stdint.h>
#include <stdio.h>

#define DRV_DECODE_CHUNK 4096

/* Decode len bytes of buf with driver ops and options, handing them to the
 * driver chunk bytes at a time (0 = DRV_DECODE_CHUNK); JSON lines to out.
 * Returns 0 or a negative VG_ERR_* (driver refused the options). */
int drv_decode_buffer(const struct drv_ops *ops, const char *options,
		      const uint8_t *buf, size_t len, size_t chunk, FILE *out);

/* The same reading from a stream until EOF. */
int drv_decode_stream(const struct drv_ops *ops, const char *options,
		      FILE *in, size_t chunk, FILE *out);

/* The "channel" lines of an instance, and its final "stats" line (for
 * hosts with their own sink, e.g. vagus-decode -b). */
void drv_decode_print_channels(const struct drv_instance *d, FILE *out);
void drv_decode_print_stats(const struct drv_instance *d, FILE *out);
/* A JSON string literal (quoted, escaped). */
void drv_decode_print_str(FILE *out, const char *s);

#endif
