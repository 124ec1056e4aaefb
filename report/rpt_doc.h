/*
 * rpt_doc.h - a report as a list of blocks, written as HTML or PDF.
 *
 * Problem: the session and the progress report each exist as HTML and as
 * PDF; their content (headings, paragraphs, tables, plots) must be built
 * once so the two files always agree.
 * Approach: builders append blocks to a struct rpt_doc; rpt_doc_html()
 * writes one self-contained HTML file (inline SVG, print CSS) and
 * rpt_doc_pdf() an A4 PDF with cairo, both walking the same blocks.
 * Plots marked "half" share a row with the next half plot.
 * Limits: tables are text only; a table row is one line in the PDF
 * (cells are cut to the column width).
 */
#ifndef RPT_DOC_H
#define RPT_DOC_H

#include "rpt_plot.h"

#include <stddef.h>

enum rpt_block_kind { RPT_B_H1, RPT_B_H2, RPT_B_P, RPT_B_NOTE, RPT_B_TABLE, RPT_B_PLOT };

struct rpt_block {
	enum rpt_block_kind kind;
	char *text;              /* H1, H2, P, NOTE */
	int ncols, nrows;        /* TABLE: row 0 is the header */
	char **cells;            /* TABLE: nrows * ncols strings */
	struct rpt_plot *plot;   /* PLOT (owned) */
	double height;           /* PLOT: px at full width 1000 */
	int half;                /* PLOT: half width */
};

struct rpt_doc {
	char title[160];
	struct rpt_block *b;
	size_t n, cap;
	int err;                 /* first VG_ERR_* while building */
};

struct rpt_doc *rpt_doc_new(const char *title);
void rpt_doc_free(struct rpt_doc **d);
void rpt_doc_text(struct rpt_doc *d, enum rpt_block_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Start a table: header cells separated by '\t'. */
void rpt_doc_table(struct rpt_doc *d, const char *header_tabbed);
/* Add a row to the last table: printf format whose output separates the
 * cells with '\t'. */
void rpt_doc_row(struct rpt_doc *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add a plot (the document takes it, even on failure). */
void rpt_doc_plot(struct rpt_doc *d, struct rpt_plot *p, double height, int half);

/* Number of plot blocks. */
size_t rpt_doc_nplots(const struct rpt_doc *d);

int rpt_doc_html(const struct rpt_doc *d, const char *path);
int rpt_doc_pdf(const struct rpt_doc *d, const char *path);

#endif
