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
/* Replacing a report atomically: two writers (the daemon's report at
 * session.stop and a vagus-report run by hand) or a reader (a browser, a
 * copy to a USB stick) must never see a half-written or emptied file.
 * rpt_file_begin creates a private (0600: reports hold health data) temp file
 * "PATH.tmp.XXXXXX" beside path and puts its name in tmp (cap bytes);
 * returns an open fd or VG_ERR_*. rpt_file_end(tmp, path, ok) renames it
 * over path when ok, else unlinks it; 0 or VG_ERR_*. Neither blocks beyond
 * the file system calls. */
int rpt_file_begin(const char *path, char *tmp, size_t cap);
int rpt_file_end(const char *tmp, const char *path, int ok);
/* Write the buffer to path through rpt_file_begin/end (mode 0600, replaced
 * atomically); 0 or VG_ERR_* (logged once here). */
int rpt_buf_save(const struct rpt_buf *b, const char *path);
void rpt_buf_free(struct rpt_buf *b);

#endif
