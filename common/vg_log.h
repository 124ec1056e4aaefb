/*
 * vg_log.h - logging for the daemon, drivers and tools (never for analysis/).
 *
 * Problem: a failure must be reported once, where it happens, with enough
 * context, to stderr or syslog, filtered by level.
 * Approach: OpenBSD-style pairs: vg_warn() appends strerror(errno),
 * vg_warnx() does not; vg_fatal()/vg_fatalx() log and exit(1) and are for
 * start-up only. Every message carries the calling function's name.
 * Limits: not async-signal-safe; single-threaded use.
 */
#ifndef VG_LOG_H
#define VG_LOG_H

#include <stdarg.h>

enum vg_log_level {
	VG_LOG_ERR = 0,
	VG_LOG_WARN = 1,
	VG_LOG_INFO = 2,
	VG_LOG_DEBUG = 3
};

/* Set the highest level that is printed (default VG_LOG_INFO). */
void vg_log_set_level(enum vg_log_level level);
/* Parse "err", "warn", "info", "debug"; returns 0 or VG_ERR_INVAL. */
int vg_log_parse_level(const char *name, enum vg_log_level *out);
/* Send messages to syslog (ident) instead of stderr. */
void vg_log_use_syslog(const char *ident);

void vg_log_msg(enum vg_log_level level, const char *func, int with_errno,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define vg_err(...) vg_log_msg(VG_LOG_ERR, __func__, 0, __VA_ARGS__)
#define vg_warn(...) vg_log_msg(VG_LOG_WARN, __func__, 1, __VA_ARGS__)
#define vg_warnx(...) vg_log_msg(VG_LOG_WARN, __func__, 0, __VA_ARGS__)
#define vg_info(...) vg_log_msg(VG_LOG_INFO, __func__, 0, __VA_ARGS__)
#define vg_debug(...) vg_log_msg(VG_LOG_DEBUG, __func__, 0, __VA_ARGS__)

void vg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void vg_fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
