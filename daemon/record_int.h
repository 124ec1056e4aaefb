/*
 * record_int.h - what record.c and record_repair.c share (not for other
 * modules: they use record.h). record.c calls record_repair.c (the record
 * count after a write failure) and record_annot.c (annotations at close);
 * record_repair.c calls record_annot.c; all may call record_text.c; repair
 * never calls the live recorder.
 */
#ifndef RECORD_INT_H
#define RECORD_INT_H

#include <stddef.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define EDF_ANNOT_TEXT 40 /* EDFlib's limit for written annotation texts */

/* Copy src into dst (>= EDF_ANNOT_TEXT + 1 bytes), cut to EDFlib's 40
 * bytes on a UTF-8 character boundary (EDFlib would cut anywhere). */
void rec_cut_utf8(char *dst, const char *src); /* record_text.c */

/* One annotation as the recorder keeps it until the EDF+ file is closed. */
struct rec_annot {
	int64_t onset_ns;  /* from sample 0 of the recording, >= 0 */
	int64_t dur_ns;    /* < 0: none */
	char text[EDF_ANNOT_TEXT + 1]; /* cut with rec_cut_utf8 */
};

struct rec_annot_result {
	size_t written;    /* annotations in the file */
	size_t merged;     /* gap annotations merged into a neighbour (hard limit) */
	size_t dropped;    /* not in the file (only when even merging was not enough) */
	size_t moved;      /* onsets after the data moved to its end */
	int annot_signals; /* annotation signals the file has now */
};

/* n bytes of fd at off (pread, EINTR retried); 0, VG_ERR_TRUNC at end of
 * file, or the errno's VG_ERR_*. record_annot.c, also used by repair. */
int rec_read_at(int fd, void *buf, size_t n, off_t off);
/* Write a[0..n) into the annotation signals of the closed EDF+ file path
 * (record count set): packed, more annotation signals when needed (the file
 * is rewritten), gaps merged only past 64 signals. Sorts a by onset and may
 * merge entries. Returns 0 or VG_ERR_* (logged). record_annot.c */
int rec_annot_store(const char *path, struct rec_annot *a, size_t n,
		    struct rec_annot_result *res);

/* Step 1 of rec_repair: set the record count from the file size and cut a
 * partial last record. *changed tells whether it wrote. record_repair.c */
int rec_repair_count(const char *path, int *changed);

#endif
