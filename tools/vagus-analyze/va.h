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

#endif
