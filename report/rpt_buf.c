/*
 * rpt_buf.c - growing text buffer (see rpt_buf.h).
 */
#include "rpt_buf.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(struct rpt_buf *b, size_t more)
{
	if (b->err)
		return b->err;
	if (b->n + more + 1 <= b->cap)
		return 0;
	size_t nc = b->cap ? b->cap : 4096;
	while (nc < b->n + more + 1)
		nc *= 2;
	char *q = realloc(b->p, nc);
	if (!q)
		return b->err = VG_ERR_NOMEM;
	b->p = q;
	b->cap = nc;
	return 0;
}

void rpt_buf_printf(struct rpt_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (k < 0 || reserve(b, (size_t)k) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)k;
}

void rpt_buf_put(struct rpt_buf *b, const char *s)
{
	size_t k = strlen(s);
	if (reserve(b, k) < 0)
		return;
	memcpy(b->p + b->n, s, k + 1);
	b->n += k;
}

void rpt_buf_esc(struct rpt_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': rpt_buf_put(b, "&amp;"); break;
		case '<': rpt_buf_put(b, "&lt;"); break;
		case '>': rpt_buf_put(b, "&gt;"); break;
		case '"': rpt_buf_put(b, "&quot;"); break;
		case '\'': rpt_buf_put(b, "&#39;"); break;
		default: {
			char c[2] = { *s, 0 };
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				c[0] = ' ';
			rpt_buf_put(b, c);
		}
		}
	}
}

int rpt_file_begin(const char *path, char *tmp, size_t cap)
{
	int n = snprintf(tmp, cap, "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= cap)
		return VG_ERR_RANGE;
	int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 whatever the umask */
	if (fd < 0)
		return vg_err_from_errno(errno);
	return fd;
}

int rpt_file_end(const char *tmp, const char *path, int ok)
{
	if (ok && rename(tmp, path) == 0)
		return 0;
	int e = ok ? vg_err_from_errno(errno) : 0;
	unlink(tmp);
	return e;
}

int rpt_buf_save(const struct rpt_buf *b, const char *path)
{
	if (b->err)
		return b->err;
	char tmp[4096];
	int fd = rpt_file_begin(path, tmp, sizeof(tmp));
	if (fd < 0) {
		vg_warnx("report: cannot write %s: %s", path, vg_strerror(fd));
		return fd;
	}
	int e = 0;
	for (size_t off = 0; off < b->n && !e;) {
		ssize_t w = write(fd, b->p + off, b->n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			e = w < 0 ? vg_err_from_errno(errno) : VG_ERR_IO;
		else
			off += (size_t)w;
	}
	if (close(fd) != 0 && !e)
		e = vg_err_from_errno(errno);
	int r = rpt_file_end(tmp, path, !e);
	if (!e)
		e = r;
	if (e)
		vg_warnx("report: write error on %s: %s", path, vg_strerror(e));
	return e;
}

void rpt_buf_free(struct rpt_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
