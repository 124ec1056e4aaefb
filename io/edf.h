/*
 * edf.h - EDF/EDF+ reader for the tools, on top of EDFlib.
 *
 * Problem: sessions are recorded as EDF+ (daemon/record.c); vagus-analyze
 * must re-analyse them like PhysioNet records: samples in physical units per
 * signal at its own rate, the start time, the annotations, and the gaps the
 * recorder filled (so the analysis marks them instead of reading filler).
 * Approach: EDFlib opens the file and reads every annotation once;
 * edfr_read_phys() seeks and reads any range of one signal, in chunks
 * through one buffer allocated at open. Annotations "gap LABEL" (the
 * recorder's) become per-signal gap lists (sample ranges, merged, sorted);
 * a bare "gap" applies to every signal. Header strings lose the EDF
 * padding.
 * Prefix edfr_ (EDFlib owns edf_).
 * References: EDF+ (edfplus.info/specs/edfplus.html), EDFlib edflib.h.
 * Limits: what EDFlib reads: EDF, EDF+C, BDF, BDF+C (EDF+D, discontinuous,
 * gives VG_ERR_NOTSUP); the start time is read as UTC (the recorder writes
 * UTC; EDF itself says local time); annotation onsets are EDF+'s 100 us;
 * EDFlib opens a file once at a time (a second edfr_open of the same path
 * gives VG_ERR_BUSY), at most 64 files per process, not thread-safe.
 */
#ifndef IO_EDF_H
#define IO_EDF_H

#include <stddef.h>
#include <stdint.h>

struct edfr;

#define EDFR_TEXT_MAX 512

struct edfr_annot {
	int64_t onset_ns;    /* from the start of the file */
	int64_t duration_ns; /* -1: none */
	char text[EDFR_TEXT_MAX + 1];
};

/* Open path. NULL and *err: VG_ERR_NOTFOUND, VG_ERR_PARSE (not EDF or
 * malformed), VG_ERR_NOTSUP (EDF+D), VG_ERR_BUSY (already open / too many
 * files), VG_ERR_IO, VG_ERR_NOMEM. */
struct edfr *edfr_open(const char *path, int *err);
void edfr_close(struct edfr **f);

int edfr_nsig(const struct edfr *f);
/* Length of the file, s (records x record duration). */
double edfr_duration_s(const struct edfr *f);
/* Start time, ns since the epoch (UTC), with the EDF+ sub-second part. */
int64_t edfr_start_ns(const struct edfr *f);
/* Per signal; sig in [0, nsig), otherwise 0 / "". */
double edfr_sig_fs(const struct edfr *f, int sig);          /* Hz */
int64_t edfr_sig_nsamp(const struct edfr *f, int sig);
const char *edfr_sig_label(const struct edfr *f, int sig);
const char *edfr_sig_units(const struct edfr *f, int sig);
const char *edfr_sig_transducer(const struct edfr *f, int sig);
const char *edfr_sig_prefilter(const struct edfr *f, int sig);
double edfr_sig_phys_min(const struct edfr *f, int sig);
double edfr_sig_phys_max(const struct edfr *f, int sig);

/* Read n samples of sig from sample start, physical units. Returns 0,
 * VG_ERR_INVAL, VG_ERR_RANGE (past the end) or VG_ERR_IO. */
int edfr_read_phys(struct edfr *f, int sig, int64_t start, size_t n, float *out);

size_t edfr_nannot(const struct edfr *f);
/* Annotation i in file order, or NULL. */
const struct edfr_annot *edfr_annot(const struct edfr *f, size_t i);

/* The first gap of sig that ends after sample from: 1 with *start (may be
 * < from when from is inside it) and *len in samples, or 0 when none. */
int edfr_next_gap(const struct edfr *f, int sig, int64_t from, int64_t *start,
		  int64_t *len);

#endif
