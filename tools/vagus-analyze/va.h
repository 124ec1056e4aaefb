/*
 * va.h - subcommands of vagus-analyze, the offline analyzer. Each lives in
 * its own file and returns the process exit status (0 ok, 1 failure,
 * 2 usage error). argv[0] is the subcommand name.
 */
#ifndef VA_H
#define VA_H

int va_cmd_beats(int argc, char **argv);  /* beats.c: detector on a WFDB record */
int va_cmd_hrv(int argc, char **argv);    /* hrv.c: one hrv object for a window */
int va_cmd_emg(int argc, char **argv);    /* emg.c: emg messages for one signal */
int va_cmd_stream(int argc, char **argv); /* stream.c: every message the daemon would publish */

/* sigkind.c: signal kinds and record names */
#include <stddef.h>
struct recording;
enum { VA_KIND_NONE = 0, VA_KIND_ECG = 1, VA_KIND_EMG = 2 };
/* The kind of a signal from its label (EDF+ type prefix "ECG "/"EMG ", an
 * ECG lead name, or the word ECG/EKG/EMG) or else its transducer text. */
int va_sig_kind(const char *label, const char *transducer);
/* The first signal of kind after signal `after` (-1 = from the start), or -1. */
int va_find_kind(const struct recording *r, int kind, int after);
/* path without a ".hea" suffix (in buf when one was dropped). */
const char *va_record_name(const char *path, char *buf, size_t cap);
/* Factor from the signal's units to the analysis' units (ECG mV, EMG uV). */
float va_unit_scale(const char *units, int kind);

/* rrfile.c: RR interval files (see rrfile.c for the formats) */
struct va_rr {
	double t_s;   /* time of the beat that ends the interval, s */
	double rr_ms;
};
/* Read path into a malloc'd array; prints its own errors (file:line).
 * Returns 0 or a negative VG_ERR_*. *unit_note says how units were chosen. */
int va_rr_read(const char *path, struct va_rr **out, size_t *n, const char **unit_note);

#endif
