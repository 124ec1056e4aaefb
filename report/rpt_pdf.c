/*
 * rpt_pdf.c - a report document as an A4 PDF drawn with cairo.
 *
 * Problem: clinics file and mail PDFs; the PDF must carry the same
 * headings, tables and plots as the HTML report.
 * Approach: walk the blocks of a struct rpt_doc top to bottom on A4 pages
 * (595 x 842 pt, 36 pt margins), starting a new page when a block does not
 * fit; paragraphs are wrapped by measured word widths; plots are drawn by
 * the same rpt_plot_draw() as in the HTML, through the cairo canvas,
 * scaled from their pixel size to the page width.
 * Reference: cairo PDF surface (cairo_pdf_surface_create, show_page).
 * Limits: table cells are cut to their column; no hyphenation; the font
 * caches are released after each document (about 20 ms to rebuild).
 */
#include "rpt_cairo.h"
#include "rpt_buf.h"
#include "rpt_doc.h"
#include "vg_err.h"
#include "vg_log.h"

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 36.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define FULL_PX 1000.0
#define HALF_PX 490.0

struct page {
	cairo_t *cr;
	double y;
};

static void font(cairo_t *cr, double size, int bold)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

static void need(struct page *pg, double h)
{
	if (pg->y + h <= PAGE_H - MARGIN)
		return;
	cairo_show_page(pg->cr);
	pg->y = MARGIN;
}

static double text_w(cairo_t *cr, const char *s)
{
	cairo_text_extents_t te;
	cairo_text_extents(cr, s, &te);
	return te.x_advance;
}

/* Wrapped paragraph. */
static void para(struct page *pg, const char *text, double size, int bold, double gray)
{
	cairo_t *cr = pg->cr;
	font(cr, size, bold);
	cairo_set_source_rgb(cr, gray, gray, gray);
	char line[1024] = "";
	const char *p = text;
	double lh = size * 1.35;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		char word[256];
		size_t wl = (size_t)(e - p) < sizeof(word) - 1 ? (size_t)(e - p) : sizeof(word) - 1;
		memcpy(word, p, wl);
		word[wl] = '\0';
		char trial[1300];
		snprintf(trial, sizeof(trial), "%s%s%s", line, line[0] ? " " : "", word);
		if (line[0] && (text_w(cr, trial) > TEXT_W || strlen(trial) >= sizeof(line))) {
			need(pg, lh);
			cairo_move_to(cr, MARGIN, pg->y + size);
			cairo_show_text(cr, line);
			pg->y += lh;
			snprintf(line, sizeof(line), "%s", word);
		} else {
			snprintf(line, sizeof(line), "%s", trial);
		}
		p = e;
	}
	if (line[0]) {
		need(pg, lh);
		cairo_move_to(cr, MARGIN, pg->y + size);
		cairo_show_text(cr, line);
		pg->y += lh;
	}
	pg->y += size * 0.4;
}

static void table(struct page *pg, const struct rpt_block *b)
{
	cairo_t *cr = pg->cr;
	double size = 7.5, rh = 11.5, colw[32] = { 0 }, total = 0;
	int nc = b->ncols < 32 ? b->ncols : 32;
	for (int c = 0; c < nc; c++) {
		for (int r = 0; r < b->nrows; r++) {
			font(cr, size, r == 0);
			double w = text_w(cr, b->cells[r * b->ncols + c]) + 8;
			colw[c] = w > colw[c] ? w : colw[c];
		}
		total += colw[c];
	}
	/* too wide: a smaller font (widths scale with it), down to 5 pt */
	double scale = 1;
	if (total > TEXT_W) {
		double f = TEXT_W / total;
		if (size * f < 5)
			f = 5 / size;
		size *= f;
		rh = size * 1.5;
		total *= f;
		for (int c = 0; c < nc; c++)
			colw[c] *= f;
		if (total > TEXT_W)
			scale = TEXT_W / total;
	}
	for (int r = 0; r < b->nrows; r++) {
		need(pg, rh);
		double x = MARGIN;
		if (r == 0) {
			cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
			cairo_rectangle(cr, MARGIN, pg->y, total * scale, rh);
			cairo_fill(cr);
		}
		font(cr, size, r == 0);
		for (int c = 0; c < nc; c++) {
			double w = colw[c] * scale;
			cairo_save(cr);
			cairo_rectangle(cr, x, pg->y, w, rh);
			cairo_clip(cr);
			cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
			cairo_move_to(cr, x + 3, pg->y + rh - 3);
			cairo_show_text(cr, b->cells[r * b->ncols + c]);
			cairo_restore(cr);
			x += w;
		}
		cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
		cairo_set_line_width(cr, 0.4);
		cairo_move_to(cr, MARGIN, pg->y + rh);
		cairo_line_to(cr, MARGIN + total * scale, pg->y + rh);
		cairo_stroke(cr);
		pg->y += rh;
	}
	pg->y += 6;
}

static void plot_at(struct page *pg, const struct rpt_block *b, double x, double px_w)
{
	struct rpt_canvas c;
	double scale = TEXT_W / FULL_PX;
	cairo_save(pg->cr);
	cairo_translate(pg->cr, x, pg->y);
	cairo_scale(pg->cr, scale, scale);
	rpt_cairo_canvas(pg->cr, &c);
	rpt_plot_draw(b->plot, &c, 0, 0, px_w, b->height);
	cairo_reset_clip(pg->cr);
	cairo_restore(pg->cr);
}

int rpt_doc_pdf(const struct rpt_doc *d, const char *path)
{
	char tmp[4096]; /* cairo writes a private temp file, renamed when whole */
	int fd = rpt_file_begin(path, tmp, sizeof(tmp));
	if (fd < 0) {
		vg_warnx("report: cannot create %s: %s", path, vg_strerror(fd));
		return fd;
	}
	close(fd);
	cairo_surface_t *sf = cairo_pdf_surface_create(tmp, PAGE_W, PAGE_H);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		vg_warnx("report: cannot create %s: %s", path,
			 cairo_status_to_string(cairo_surface_status(sf)));
		cairo_surface_destroy(sf);
		rpt_file_end(tmp, path, 0);
		return VG_ERR_IO;
	}
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, d->title);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "vagus-report");
	struct page pg = { cairo_create(sf), MARGIN };
	double scale = TEXT_W / FULL_PX;
	for (size_t i = 0; i < d->n; i++) {
		const struct rpt_block *b = &d->b[i];
		switch (b->kind) {
		case RPT_B_H1:
			need(&pg, 30);
			para(&pg, b->text, 15, 1, 0);
			break;
		case RPT_B_H2:
			need(&pg, 60);
			pg.y += 6;
			para(&pg, b->text, 11, 1, 0.1);
			break;
		case RPT_B_P:
			para(&pg, b->text, 8.5, 0, 0.05);
			break;
		case RPT_B_NOTE:
			para(&pg, b->text, 7, 0, 0.35);
			break;
		case RPT_B_TABLE:
			table(&pg, b);
			break;
		case RPT_B_PLOT: {
			double h = b->height * scale;
			int pair = b->half && i + 1 < d->n && d->b[i + 1].kind == RPT_B_PLOT &&
				   d->b[i + 1].half;
			if (pair && d->b[i + 1].height * scale > h)
				h = d->b[i + 1].height * scale;
			need(&pg, h + 4);
			plot_at(&pg, b, MARGIN, b->half ? HALF_PX : FULL_PX);
			if (pair) {
				i++;
				plot_at(&pg, &d->b[i], MARGIN + (HALF_PX + 20) * scale, HALF_PX);
			}
			pg.y += h + 4;
			break;
		}
		}
	}
	cairo_show_page(pg.cr);
	cairo_status_t st = cairo_status(pg.cr);
	cairo_destroy(pg.cr);
	cairo_surface_finish(sf);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	/* cairo's and fontconfig's font caches are process-wide and never freed;
	 * release them after each document so a long-running daemon and the
	 * leak checker see nothing left (they are rebuilt on the next use) */
	cairo_debug_reset_static_data();
	FcFini();
	if (st != CAIRO_STATUS_SUCCESS) {
		vg_warnx("report: %s: %s", path, cairo_status_to_string(st));
		rpt_file_end(tmp, path, 0);
		return VG_ERR_IO;
	}
	int e = rpt_file_end(tmp, path, 1);
	if (e < 0)
		vg_warnx("report: cannot write %s: %s", path, vg_strerror(e));
	return e;
}
