/*
 * wfdb.h - reader for WFDB (PhysioNet) records: the .hea header and the
 * signal samples in its .dat file(s).
 *
 * Problem: the reference recordings (mitdb, svdb, nstdb, drivedb, emgdb) are
 * WFDB records; tools and tests need their samples in physical units with
 * the right per-signal rate, and a malformed or truncated record must give a
 * clear error, never a crash.
 * Approach: wfdb_parse_header() parses header text (record line, signal
 * lines, comments) into a record; wfdb_open() reads NAME.hea, parses it and
 * opens the signal files, checking their sizes against the header.
 * wfdb_read_adu()/wfdb_read_phys() decode any sample range of one signal
 * (formats 16, 24, 32, 61, 80, 160, 212; multi-frequency "16x32" signals).
 * Reference: WFDB Programmer's Guide, header(5) and signal(5) man pages
 * (physionet.org/physiotools/wag/).
 * Limits: single-segment records only (multi-segment and "~" signals give
 * VG_ERR_NOTSUP); formats 8 (first differences), 310, 311 and the FLAC
 * formats 508-516 are not supported (VG_ERR_NOTSUP); skew is parsed and
 * ignored; checksums are not verified (wfdb_sig_checksum() gives them to
 * callers that want to). All signals of a file must share one format, as
 * WFDB requires. Not thread-safe per record.
 */
#ifndef WFDB_H
#define WFDB_H

#include <stddef.h>
#include <stdint.h>

struct wfdb_record;

#define WFDB_MAX_SIGNALS 64

/* Open RECORD.hea and its signal files (record = path without extension).
 * Returns NULL with *err = VG_ERR_NOTFOUND (no header), VG_ERR_PARSE (bad
 * header), VG_ERR_TRUNC (signal file shorter than the header says),
 * VG_ERR_NOTSUP (format not supported), VG_ERR_IO or VG_ERR_NOMEM. */
struct wfdb_record *wfdb_open(const char *record, int *err);

/* Parse header text (len bytes, need not be NUL-terminated) without opening
 * any signal file; dir is where signal files would be looked for (may be
 * NULL). Reading samples from such a record gives VG_ERR_STATE. */
struct wfdb_record *wfdb_parse_header(const char *text, size_t len,
				      const char *dir, int *err);

void wfdb_destroy(struct wfdb_record **r);

const char *wfdb_name(const struct wfdb_record *r);
int wfdb_nsig(const struct wfdb_record *r);
/* Frame (base) frequency in Hz; a signal's rate is this times its
 * samples per frame. */
double wfdb_fs(const struct wfdb_record *r);
/* Number of frames (samples per signal for spf = 1). */
int64_t wfdb_nframes(const struct wfdb_record *r);
/* Base time from the header: if present, sets *t_ns (ns since midnight, or
 * since the Unix epoch when the header also has a base date) and returns 0;
 * otherwise returns VG_ERR_NOTFOUND; VG_ERR_RANGE when the base date lies
 * outside what int64 nanoseconds since 1970 can hold (1678..2261). */
int wfdb_base_time_ns(const struct wfdb_record *r, int64_t *t_ns);
/* Header comment lines ("# ..."), joined with '\n', without the '#'. */
const char *wfdb_info(const struct wfdb_record *r);

/* Per-signal accessors; sig in [0, nsig). Out-of-range sig gives 0/NULL. */
double wfdb_sig_fs(const struct wfdb_record *r, int sig);        /* Hz */
int wfdb_sig_spf(const struct wfdb_record *r, int sig);          /* samples per frame */
int64_t wfdb_sig_nsamp(const struct wfdb_record *r, int sig);    /* samples of this signal */
int wfdb_sig_format(const struct wfdb_record *r, int sig);
double wfdb_sig_gain(const struct wfdb_record *r, int sig);      /* adu per physical unit */
int32_t wfdb_sig_baseline(const struct wfdb_record *r, int sig); /* adu at physical 0 */
int32_t wfdb_sig_zero(const struct wfdb_record *r, int sig);     /* ADC zero, adu */
int wfdb_sig_adcres(const struct wfdb_record *r, int sig);       /* bits, 0 if unknown */
const char *wfdb_sig_units(const struct wfdb_record *r, int sig);/* "mV" if not given */
const char *wfdb_sig_desc(const struct wfdb_record *r, int sig); /* "" if not given */
const char *wfdb_sig_file(const struct wfdb_record *r, int sig);
int32_t wfdb_sig_initval(const struct wfdb_record *r, int sig);  /* first sample, adu */
/* Header checksum (16-bit sum of all the signal's samples, as written):
 * 0 and *sum, or VG_ERR_NOTFOUND when the header has none. */
int wfdb_sig_checksum(const struct wfdb_record *r, int sig, int32_t *sum);
/* First signal whose description equals desc (case-insensitive), or
 * VG_ERR_NOTFOUND. */
int wfdb_find_sig(const struct wfdb_record *r, const char *desc);

/* WFDB's "invalid sample" value in adu, as returned by wfdb_read_adu(). */
#define WFDB_INVALID_ADU INT32_MIN

/* Read n samples of signal sig from sample index start (in the signal's own
 * rate) as raw adu; the format's invalid-sample code becomes
 * WFDB_INVALID_ADU. Returns 0, VG_ERR_RANGE (start/n past the end),
 * VG_ERR_INVAL, VG_ERR_STATE (header-only record) or VG_ERR_IO/VG_ERR_TRUNC. */
int wfdb_read_adu(struct wfdb_record *r, int sig, int64_t start, size_t n,
		  int32_t *out);
/* Same, in physical units: (adu - baseline) / gain; NaN for invalid
 * samples. */
int wfdb_read_phys(struct wfdb_record *r, int sig, int64_t start, size_t n,
		   float *out);

#endif
