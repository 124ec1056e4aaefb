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

int rpt_file_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return vg_err_from_errno(errno);
	int e = fchmod(fd, 0600) < 0 ? vg_err_from_errno(errno) : 0; /* an old 0644 file */
	close(fd);
	return e;
}

int rpt_buf_save(const struct rpt_buf *b, const char *path)
{
	if (b->err)
		return b->err;
	FILE *f = rpt_file_private(path) < 0 ? NULL : fopen(path, "w");
	if (!f) {
		vg_warn("report: cannot write %s", path);
		return vg_err_from_errno(errno);
	}
	size_t w = b->n ? fwrite(b->p, 1, b->n, f) : 0;
	int e = (w != b->n) | ferror(f);
	if (fclose(f) != 0 || e) {
		vg_warn("report: write error on %s", path);
		return VG_ERR_IO;
	}
	return 0;
}

void rpt_buf_free(struct rpt_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
