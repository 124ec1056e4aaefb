/*
 * rpt_doc.c - building a report document (see rpt_doc.h).
 */
#include "rpt_doc.h"
#include "vg_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rpt_doc *rpt_doc_new(const char *title)
{
	struct rpt_doc *d = calloc(1, sizeof(*d));
	if (d)
		snprintf(d->title, sizeof(d->title), "%s", title ? title : "");
	return d;
}

void rpt_doc_free(struct rpt_doc **dp)
{
	if (!dp || !*dp)
		return;
	struct rpt_doc *d = *dp;
	for (size_t i = 0; i < d->n; i++) {
		struct rpt_block *b = &d->b[i];
		free(b->text);
		for (int k = 0; b->cells && k < b->nrows * b->ncols; k++)
			free(b->cells[k]);
		free(b->cells);
		rpt_plot_free(&b->plot);
	}
	free(d->b);
	free(d);
	*dp = NULL;
}

static struct rpt_block *push(struct rpt_doc *d, enum rpt_block_kind kind)
{
	if (d->err)
		return NULL;
	if (d->n == d->cap) {
		size_t nc = d->cap ? 2 * d->cap : 32;
		void *q = realloc(d->b, nc * sizeof(*d->b));
		if (!q) {
			d->err = VG_ERR_NOMEM;
			return NULL;
		}
		d->b = q;
		d->cap = nc;
	}
	struct rpt_block *b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

__attribute__((format(printf, 1, 0)))
static char *vfmt(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int k = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (k < 0)
		return NULL;
	char *s = malloc((size_t)k + 1);
	if (s)
		vsnprintf(s, (size_t)k + 1, fmt, ap);
	return s;
}

void rpt_doc_text(struct rpt_doc *d, enum rpt_block_kind kind, const char *fmt, ...)
{
	struct rpt_block *b = push(d, kind);
	if (!b)
		return;
	va_list ap;
	va_start(ap, fmt);
	b->text = vfmt(fmt, ap);
	va_end(ap);
	if (!b->text)
		d->err = VG_ERR_NOMEM;
}

/* Split a tabbed line into ncols cells appended to b (ncols fixed by the header). */
static int add_cells(struct rpt_block *b, const char *line)
{
	char **cells = realloc(b->cells, (size_t)(b->nrows + 1) * (size_t)b->ncols * sizeof(char *));
	if (!cells)
		return VG_ERR_NOMEM;
	b->cells = cells;
	char **row = cells + (size_t)b->nrows * (size_t)b->ncols;
	const char *p = line;
	for (int c = 0; c < b->ncols; c++) {
		const char *e = p ? strchr(p, '\t') : NULL;
		size_t len = p ? (e ? (size_t)(e - p) : strlen(p)) : 0;
		row[c] = malloc(len + 1);
		if (!row[c]) {
			for (int k = 0; k < c; k++)
				free(row[k]);
			return VG_ERR_NOMEM;
		}
		if (len)
			memcpy(row[c], p, len);
		row[c][len] = '\0';
		p = e ? e + 1 : NULL;
	}
	b->nrows++;
	return 0;
}

void rpt_doc_table(struct rpt_doc *d, const char *header)
{
	struct rpt_block *b = push(d, RPT_B_TABLE);
	if (!b)
		return;
	b->ncols = 1;
	for (const char *p = header; *p; p++)
		b->ncols += *p == '\t';
	if (add_cells(b, header) < 0)
		d->err = VG_ERR_NOMEM;
}

void rpt_doc_row(struct rpt_doc *d, const char *fmt, ...)
{
	if (d->err || d->n == 0 || d->b[d->n - 1].kind != RPT_B_TABLE)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *line = vfmt(fmt, ap);
	va_end(ap);
	if (!line || add_cells(&d->b[d->n - 1], line) < 0)
		d->err = VG_ERR_NOMEM;
	free(line);
}

void rpt_doc_plot(struct rpt_doc *d, struct rpt_plot *p, double height, int half)
{
	if (!p) {
		d->err = d->err ? d->err : VG_ERR_NOMEM;
		return;
	}
	struct rpt_block *b = push(d, RPT_B_PLOT);
	if (!b) {
		rpt_plot_free(&p);
		return;
	}
	b->plot = p;
	b->height = height;
	b->half = half;
}

size_t rpt_doc_nplots(const struct rpt_doc *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->b[i].kind == RPT_B_PLOT;
	return n;
}
