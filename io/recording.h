/*
 * recording.h - open any recording (a WFDB record or an EDF/EDF+ file) and
 * read physical samples per signal.
 *
 * Problem: the offline tools (vagus-analyze) re-analyse PhysioNet records
 * (WFDB) and the daemon's session recordings (EDF+) the same way; they
 * should not care which format a path names.
 * Approach: a small ops table per format (recording.c: io/wfdb.c and
 * io/edf.c behind it); the format is chosen by the path: a name ending in
 * .edf/.bdf (any case) is EDF, anything else a WFDB record name (a ".hea"
 * suffix is dropped). Gaps the recorder filled (EDF+ "gap" annotations)
 * are reported as sample ranges so the analysis can mark them; WFDB
 * records have none (invalid samples read as NaN).
 * Limits: those of the two readers (wfdb.h, edf.h).
 */
#ifndef IO_RECORDING_H
#define IO_RECORDING_H

#include <stddef.h>
#include <stdint.h>

struct recording;

/* NULL and *err on failure (the reader's VG_ERR_*). */
struct recording *recording_open(const char *path, int *err);
void recording_close(struct recording **r);

/* "wfdb" or "edf". */
const char *recording_format(const struct recording *r);
int recording_nsig(const struct recording *r);
/* Length in seconds (the longest signal). */
double recording_duration_s(const struct recording *r);
/* Start time (ns since the epoch): 0 and *t_ns, or VG_ERR_NOTFOUND when
 * the record has none (WFDB without base time). */
int recording_start_ns(const struct recording *r, int64_t *t_ns);
double recording_sig_fs(const struct recording *r, int sig);       /* Hz */
int64_t recording_sig_nsamp(const struct recording *r, int sig);
/* Signal description (WFDB) or label (EDF). */
const char *recording_sig_label(const struct recording *r, int sig);
const char *recording_sig_units(const struct recording *r, int sig);
/* Transducer text (EDF); "" for WFDB records, which have none. */
const char *recording_sig_transducer(const struct recording *r, int sig);
/* n samples of sig from sample start, physical units (NaN = invalid).
 * Returns 0 or a negative VG_ERR_* (VG_ERR_RANGE past the end). */
int recording_read_phys(struct recording *r, int sig, int64_t start, size_t n,
			float *out);
/* First gap of sig ending after sample from: 1 with *start and *len
 * (samples), 0 when none. */
int recording_next_gap(const struct recording *r, int sig, int64_t from,
		       int64_t *start, int64_t *len);

#endif
