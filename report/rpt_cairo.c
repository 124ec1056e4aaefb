/*
 * rpt_cairo.c - cairo canvas (see rpt_cairo.h).
 */
#include "rpt_cairo.h"

#include <math.h>

static void set_color(cairo_t *cr, unsigned rgb, double alpha)
{
	cairo_set_source_rgba(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
			      (rgb & 0xff) / 255.0, alpha);
}

static void set_stroke(cairo_t *cr, const struct rpt_style *st)
{
	set_color(cr, st->rgb, st->alpha > 0 ? st->alpha : 1);
	cairo_set_line_width(cr, st->width > 0 ? st->width : 1);
	if (st->dash) {
		double d[2] = { 4, 3 };
		cairo_set_dash(cr, d, 2, 0);
	} else {
		cairo_set_dash(cr, NULL, 0, 0);
	}
}

static void cr_polyline(void *ctx, const double *x, const double *y, size_t n,
			const struct rpt_style *st)
{
	cairo_t *cr = ctx;
	set_stroke(cr, st);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	int pen = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i])) {
			pen = 0;
			continue;
		}
		if (pen)
			cairo_line_to(cr, x[i], y[i]);
		else
			cairo_move_to(cr, x[i], y[i]);
		pen = 1;
	}
	cairo_stroke(cr);
}

static void cr_points(void *ctx, const double *x, const double *y, size_t n,
		      double r, const struct rpt_style *st)
{
	cairo_t *cr = ctx;
	set_color(cr, st->rgb, st->alpha > 0 ? st->alpha : 1);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			continue;
		cairo_new_sub_path(cr);
		cairo_arc(cr, x[i], y[i], r, 0, 2 * M_PI);
	}
	cairo_fill(cr);
}

static void cr_rect(void *ctx, double x, double y, double w, double h,
		    const struct rpt_style *st)
{
	cairo_t *cr = ctx;
	cairo_rectangle(cr, x, y, w, h);
	if (st->fill) {
		set_color(cr, st->rgb, st->alpha);
		cairo_fill(cr);
	} else {
		set_stroke(cr, st);
		cairo_stroke(cr);
	}
}

static void cr_text(void *ctx, double x, double y, const char *s, double size,
		    int anchor, int vertical, const struct rpt_style *st)
{
	cairo_t *cr = ctx;
	cairo_save(cr);
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	set_color(cr, st->rgb, 1);
	cairo_text_extents_t te;
	cairo_text_extents(cr, s, &te);
	cairo_translate(cr, x, y);
	if (vertical)
		cairo_rotate(cr, -M_PI / 2);
	double dx = anchor == 1 ? -te.x_advance / 2 : anchor == 2 ? -te.x_advance : 0;
	cairo_move_to(cr, dx, 0);
	cairo_show_text(cr, s);
	cairo_restore(cr);
}

static void cr_clip(void *ctx, double x, double y, double w, double h)
{
	cairo_t *cr = ctx;
	cairo_reset_clip(cr);
	if (w <= 0)
		return;
	cairo_rectangle(cr, x, y, w, h);
	cairo_clip(cr);
}

void rpt_cairo_canvas(cairo_t *cr, struct rpt_canvas *c)
{
	c->ctx = cr;
	c->polyline = cr_polyline;
	c->points = cr_points;
	c->rect = cr_rect;
	c->text = cr_text;
	c->clip = cr_clip;
}
