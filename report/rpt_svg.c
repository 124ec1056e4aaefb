/*
 * rpt_svg.c - SVG canvas (see rpt_svg.h).
 * Reference: SVG 1.1, W3C Recommendation (paths, clipPath, text).
 */
#include "rpt_svg.h"

#include <math.h>
#include <stdio.h>

static void attrs(struct rpt_buf *b, const struct rpt_style *st)
{
	rpt_buf_printf(b, " class=\"%s\"", st->cls ? st->cls : "");
	if (st->label && st->label[0]) {
		rpt_buf_put(b, " data-label=\"");
		rpt_buf_esc(b, st->label);
		rpt_buf_put(b, "\"");
	}
}

static void svg_polyline(void *ctx, const double *x, const double *y, size_t n,
			 const struct rpt_style *st)
{
	struct rpt_svg *s = ctx;
	struct rpt_buf *b = s->out;
	size_t finite = 0;
	for (size_t i = 0; i < n; i++)
		finite += isfinite(y[i]) && isfinite(x[i]);
	rpt_buf_put(b, "<path");
	attrs(b, st);
	rpt_buf_printf(b, " data-n=\"%zu\" fill=\"none\" stroke=\"#%06x\" stroke-width=\"%.1f\"%s%s d=\"",
		       finite, st->rgb, st->width, st->dash ? " stroke-dasharray=\"4 3\"" : "",
		       st->alpha < 1 ? " stroke-opacity=\"0.9\"" : "");
	int pen = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]) || !isfinite(x[i])) {
			pen = 0;
			continue;
		}
		rpt_buf_printf(b, "%c%.1f %.1f", pen ? 'L' : 'M', x[i], y[i]);
		pen = 1;
	}
	rpt_buf_put(b, "\"/>\n");
}

static void svg_points(void *ctx, const double *x, const double *y, size_t n,
		       double r, const struct rpt_style *st)
{
	struct rpt_svg *s = ctx;
	struct rpt_buf *b = s->out;
	size_t finite = 0;
	for (size_t i = 0; i < n; i++)
		finite += isfinite(y[i]) && isfinite(x[i]);
	rpt_buf_put(b, "<path");
	attrs(b, st);
	rpt_buf_printf(b, " data-n=\"%zu\" fill=\"none\" stroke=\"#%06x\" stroke-opacity=\"%.2f\" "
		       "stroke-width=\"%.1f\" stroke-linecap=\"round\" d=\"",
		       finite, st->rgb, st->alpha, 2 * r);
	for (size_t i = 0; i < n; i++)
		if (isfinite(y[i]) && isfinite(x[i]))
			rpt_buf_printf(b, "M%.1f %.1fh0", x[i], y[i]);
	rpt_buf_put(b, "\"/>\n");
}

static void svg_rect(void *ctx, double x, double y, double w, double h,
		     const struct rpt_style *st)
{
	struct rpt_svg *s = ctx;
	rpt_buf_put(s->out, "<rect");
	attrs(s->out, st);
	if (st->fill)
		rpt_buf_printf(s->out, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			       "fill=\"#%06x\" fill-opacity=\"%.2f\"/>\n",
			       x, y, w, h, st->rgb, st->alpha);
	else
		rpt_buf_printf(s->out, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			       "fill=\"none\" stroke=\"#%06x\" stroke-width=\"%.1f\"/>\n",
			       x, y, w, h, st->rgb, st->width);
}

static void svg_text(void *ctx, double x, double y, const char *str, double size,
		     int anchor, int vertical, const struct rpt_style *st)
{
	struct rpt_svg *s = ctx;
	static const char *const an[3] = { "start", "middle", "end" };
	rpt_buf_put(s->out, "<text");
	attrs(s->out, st);
	rpt_buf_printf(s->out, " x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" fill=\"#%06x\" "
		       "text-anchor=\"%s\"", x, y, size, st->rgb, an[anchor < 0 || anchor > 2 ? 0 : anchor]);
	if (vertical)
		rpt_buf_printf(s->out, " transform=\"rotate(-90 %.1f %.1f)\"", x, y);
	rpt_buf_put(s->out, ">");
	rpt_buf_esc(s->out, str);
	rpt_buf_put(s->out, "</text>\n");
}

static void svg_clip(void *ctx, double x, double y, double w, double h)
{
	struct rpt_svg *s = ctx;
	if (s->clipping) {
		rpt_buf_put(s->out, "</g>\n");
		s->clipping = 0;
	}
	if (w <= 0)
		return;
	s->clip_id++;
	rpt_buf_printf(s->out, "<clipPath id=\"c%d-%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		       "height=\"%.1f\"/></clipPath><g clip-path=\"url(#c%d-%d)\">\n",
		       s->plot_no, s->clip_id, x, y, w, h, s->plot_no, s->clip_id);
	s->clipping = 1;
}

void rpt_svg_canvas(struct rpt_svg *svg, struct rpt_canvas *c)
{
	c->ctx = svg;
	c->polyline = svg_polyline;
	c->points = svg_points;
	c->rect = svg_rect;
	c->text = svg_text;
	c->clip = svg_clip;
}

void rpt_svg_plot(struct rpt_buf *out, const struct rpt_plot *p, double w, double h,
		  int plot_no)
{
	struct rpt_svg svg = { out, plot_no, 0, 0 };
	struct rpt_canvas c;
	rpt_svg_canvas(&svg, &c);
	rpt_buf_printf(out, "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" "
		       "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
		       "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" data-title=\"",
		       w, h, w, h);
	rpt_buf_esc(out, p->title);
	rpt_buf_put(out, "\">\n");
	rpt_plot_draw(p, &c, 0, 0, w, h);
	c.clip(c.ctx, 0, 0, 0, 0);
	rpt_buf_put(out, "</svg>\n");
}
