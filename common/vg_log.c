/*
 * vg_log.c - stderr/syslog logging with levels (see vg_log.h).
 */
#include "vg_log.h"
#include "vg_err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static enum vg_log_level log_level = VG_LOG_INFO;
static int log_syslog;

void vg_log_set_level(enum vg_log_level level)
{
	log_level = level;
}

int vg_log_parse_level(const char *name, enum vg_log_level *out)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };
	for (int i = 0; i < 4; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum vg_log_level)i;
			return VG_OK;
		}
	}
	return VG_ERR_INVAL;
}

void vg_log_use_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = 1;
}

static void log_v(enum vg_log_level level, const char *func, int errnum,
		  const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void log_v(enum vg_log_level level, const char *func, int errnum,
		  const char *fmt, va_list ap)
{
	static const char *const tags[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (errnum && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(errnum));
	if (log_syslog)
		syslog(prio[level], "%s: %s", func, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", tags[level], func, msg);
}

void vg_log_msg(enum vg_log_level level, const char *func, int with_errno,
		const char *fmt, ...)
{
	int saved = errno;
	if (level > log_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_v(level, func, with_errno ? saved : 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void vg_fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	log_v(VG_LOG_ERR, "fatal", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void vg_fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(VG_LOG_ERR, "fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
