/*
 * record_repair_line.h - the one JSON-lines parser of rec_repair(), on its
 * own so that tests/fuzz/fuzz_repair_line.c can reach it.
 *
 * Problem: repair reads a session's .jsonl (written by vagusd, but a file on
 * disk that anything may have touched) to put lost annotations back into
 * the EDF+; its line parser is external-input parsing and must be fuzzed.
 * Approach: rec_repair_parse_line() (daemon/record_repair.c) is the body
 * of the loader's loop, unchanged; the loader calls it for each line.
 * Limits: text must hold EDFLIB_MAX_ANNOTATION_LEN + 1 bytes (513).
 */
#ifndef RECORD_REPAIR_LINE_H
#define RECORD_REPAIR_LINE_H

#include <stddef.h>

/* One line (len bytes, NUL-terminated): 1 with the annotation's onset,
 * duration (< 0: none) and text (cut to EDFlib's length on a UTF-8
 * boundary) for a valid "rec.annotation" line; 0 for any other line. */
int rec_repair_parse_line(const char *line, size_t len, double *onset_s,
			  double *duration_s, char *text);

#endif
