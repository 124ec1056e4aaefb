/*
 * rpt_buf.h - a growing text buffer for the HTML, SVG and CSV writers.
 *
 * Problem: reports are built as text of unknown size (a 90-minute session
 * has thousands of points); every writer needs printf-style appends and
 * XML escaping without checking each call.
 * Approach: appends grow the heap buffer; the first failure is remembered
 * in err and later appends do nothing, so the writer checks once at the end.
 * Limits: the text is kept in memory whole.
 */
#ifndef RPT_BUF_H
#define RPT_BUF_H

#include <stddef.h>

struct rpt_buf {
	char *p;     /* NUL-terminated when n > 0 */
	size_t n, cap;
	int err;     /* 0 or the first VG_ERR_* */
};

void rpt_buf_printf(struct rpt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rpt_buf_put(struct rpt_buf *b, const char *s);
/* Append s with & < > " ' escaped (XML/HTML text and attributes). */
void rpt_buf_esc(struct rpt_buf *b, const char *s);
/* Write the buffer to path (mode 0644 unless the file exists); 0 or VG_ERR_*. */
/* Create or empty path with mode 0600 (reports hold health data), also when
 * it existed with a wider mode; 0 or VG_ERR_*. */
int rpt_file_private(const char *path);
int rpt_buf_save(const struct rpt_buf *b, const char *path);
void rpt_buf_free(struct rpt_buf *b);

#endif
