/*
 * rpt_html.c - a report document as one self-contained HTML file.
 *
 * Problem: the report must open in any browser, print well to PDF from it,
 * and need nothing else (no scripts, no fonts, no external images).
 * Approach: the blocks of a struct rpt_doc become headings, paragraphs,
 * tables and inline <svg> plots (rpt_svg.c); print CSS keeps a plot or a
 * table row from splitting across pages.
 * Limits: plots have fixed pixel sizes (1000 px wide, half plots 490 px)
 * scaled down by the browser to the page width.
 */
#include "rpt_buf.h"
#include "rpt_doc.h"
#include "rpt_svg.h"
#include "vg_err.h"

#include <stdio.h>

#define FULL_W 1000.0
#define HALF_W 490.0

static const char css[] =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1020px;margin:16px auto;"
	"color:#111;font-size:13px}\n"
	"h1{font-size:20px;margin:4px 0 8px}h2{font-size:15px;margin:18px 0 6px;border-bottom:1px solid #999}\n"
	"table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #bbb;padding:2px 7px;"
	"text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}\n"
	".row{display:flex;gap:20px}svg.plot{max-width:100%;height:auto;break-inside:avoid}\n"
	".note{color:#555;font-size:11px}tr{break-inside:avoid}\n"
	"@media print{body{margin:0}h2{break-after:avoid}}\n";

int rpt_doc_html(const struct rpt_doc *d, const char *path)
{
	struct rpt_buf b = { 0 };
	rpt_buf_put(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
	rpt_buf_esc(&b, d->title);
	rpt_buf_printf(&b, "</title>\n<style>\n%s</style></head><body>\n", css);
	int plot_no = 0, in_row = 0, in_row_n = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct rpt_block *k = &d->b[i];
		if (in_row && !(k->kind == RPT_B_PLOT && k->half)) {
			rpt_buf_put(&b, "</div>\n");
			in_row = 0;
		}
		switch (k->kind) {
		case RPT_B_H1:
		case RPT_B_H2:
			rpt_buf_put(&b, k->kind == RPT_B_H1 ? "<h1>" : "<h2>");
			rpt_buf_esc(&b, k->text);
			rpt_buf_put(&b, k->kind == RPT_B_H1 ? "</h1>\n" : "</h2>\n");
			break;
		case RPT_B_P:
		case RPT_B_NOTE:
			rpt_buf_put(&b, k->kind == RPT_B_P ? "<p>" : "<p class=\"note\">");
			rpt_buf_esc(&b, k->text);
			rpt_buf_put(&b, "</p>\n");
			break;
		case RPT_B_TABLE:
			rpt_buf_put(&b, "<table>\n");
			for (int r = 0; r < k->nrows; r++) {
				rpt_buf_put(&b, "<tr>");
				for (int c = 0; c < k->ncols; c++) {
					rpt_buf_put(&b, r ? "<td>" : "<th>");
					rpt_buf_esc(&b, k->cells[r * k->ncols + c]);
					rpt_buf_put(&b, r ? "</td>" : "</th>");
				}
				rpt_buf_put(&b, "</tr>\n");
			}
			rpt_buf_put(&b, "</table>\n");
			break;
		case RPT_B_PLOT:
			if (k->half && !in_row) {
				rpt_buf_put(&b, "<div class=\"row\">\n");
				in_row = 1;
				in_row_n = 0;
			}
			rpt_svg_plot(&b, k->plot, k->half ? HALF_W : FULL_W, k->height, ++plot_no);
			if (in_row && ++in_row_n == 2) {
				rpt_buf_put(&b, "</div>\n");
				in_row = 0;
			}
			break;
		}
	}
	if (in_row)
		rpt_buf_put(&b, "</div>\n");
	rpt_buf_put(&b, "</body></html>\n");
	int e = rpt_buf_save(&b, path);
	rpt_buf_free(&b);
	return e;
}
