/*
 * wfdb_ann.h - reader for WFDB annotation files in MIT format (.atr, .ecg,
 * .qrs ...) and for the sampling frequency in a record's .hea header.
 *
 * Problem: the reference beats of the PhysioNet databases (mitdb .atr,
 * nsr2db .ecg at a 128 Hz time base) are the truth that HRV and detection
 * are tested against; they come in WFDB's packed binary annotation format.
 * Interface: wfdb_ann_parse() decodes a byte buffer (no I/O, fuzzable);
 * wfdb_ann_read() reads a file; wfdb_ann_header_fs() gets fs from a .hea;
 * wfdb_ann_load() does both for "RECORD" + extension. wfdb_ann_nn() turns
 * annotations into NN intervals (both beats normal). See wfdb_ann.c.
 */
#ifndef WFDB_ANN_H
#define WFDB_ANN_H

#include <stddef.h>
#include <stdint.h>

/* A few WFDB annotation codes (ecgcodes.h). */
#define WFDB_ANN_NORMAL 1
#define WFDB_ANN_PVC 5
#define WFDB_ANN_APC 8
#define WFDB_ANN_MAX_CODE 63

struct wfdb_ann {
	int64_t sample;  /* time, in samples of the record's time base */
	uint8_t code;    /* annotation code (1 = N, 5 = V, ...) */
	int8_t subtyp;   /* SUB field */
	uint8_t chan;    /* CHN field (sticky, as in WFDB) */
	int8_t num;      /* NUM field (sticky, as in WFDB) */
};

/* One NN interval: time of the ending beat and the interval. */
struct wfdb_nn {
	double t_s;   /* time of the ending beat, s */
	double nn_ms; /* interval, ms */
};

/* Decode len bytes of an MIT-format annotation file. *out is malloc'd
 * (free() it), *n annotations. Returns 0, VG_ERR_TRUNC (cut inside a SKIP
 * or AUX field, odd length), VG_ERR_PARSE (time going negative or beyond
 * 2^53) or VG_ERR_NOMEM. Data after the end word (0x0000) is ignored; a
 * file without end word is accepted (as WFDB does). */
int wfdb_ann_parse(const uint8_t *buf, size_t len, struct wfdb_ann **out,
		   size_t *n);
/* Read and decode a file (at most 512 MiB). VG_ERR_NOTFOUND, VG_ERR_IO, or
 * as wfdb_ann_parse. */
int wfdb_ann_read(const char *path, struct wfdb_ann **out, size_t *n);
/* Sampling (time base) frequency from a .hea file: the third field of the
 * record line ("fs[/counter[(base)]]"), 250 Hz when absent as in WFDB. */
int wfdb_ann_header_fs(const char *hea_path, double *fs_hz);
/* RECORD is a path without extension ("../data/mitdb/100"); reads
 * RECORD.hea for fs and RECORD.ext for the annotations. */
int wfdb_ann_load(const char *record, const char *ext, struct wfdb_ann **out,
		  size_t *n, double *fs_hz);
/* Nonzero for annotation codes that mark a beat (WFDB isqrs()). */
int wfdb_ann_is_beat(unsigned code);
/* NN intervals: interval between two consecutive beat annotations that are
 * both normal (N); non-beat annotations are skipped. nn must hold n
 * entries. Returns the number written. */
size_t wfdb_ann_nn(const struct wfdb_ann *a, size_t n, double fs_hz,
		   struct wfdb_nn *nn);

#endif
