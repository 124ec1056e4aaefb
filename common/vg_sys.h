/*
 * vg_sys.h - the few process-level services every program of vagus needs:
 * a monotonic clock and an orderly stop on SIGINT/SIGTERM.
 *
 * Problem: the daemon and each tool would otherwise repeat the same signal
 * handler and clock code.
 * Approach: vg_stop_install() makes SIGINT and SIGTERM set a flag (without
 * SA_RESTART, so blocking calls return EINTR) and ignores SIGPIPE;
 * vg_stop_requested() reads it. Not for analysis/ (no process services there).
 */
#ifndef VG_SYS_H
#define VG_SYS_H

#include <stdint.h>

/* Install the SIGINT/SIGTERM handlers; SIGPIPE is ignored. */
void vg_stop_install(void);
/* Stop on this signal too (e.g. SIGHUP for a terminal program). */
void vg_stop_also(int sig);
/* The signal number that asked for a stop, or 0. */
int vg_stop_requested(void);
/* Monotonic time, seconds / nanoseconds. */
double vg_mono_s(void);
int64_t vg_mono_ns(void);
/* Wall clock, ns since the Unix epoch. */
int64_t vg_wall_ns(void);

#endif
