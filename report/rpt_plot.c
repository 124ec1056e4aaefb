/*
 * rpt_plot.c - layout of a plot onto a canvas (see rpt_plot.h).
 * Axes: ranges from the data (5 % padding) unless set; ticks at "nice"
 * steps (1, 2, 5 x 10^k); a light grid; the legend in one row under the
 * title; series clipped to the plot area. Device units throughout; the
 * canvas decides what a unit is (SVG px, PDF pt).
 * Limits: tick labels use %g with up to 4 significant digits.
 */
#include "rpt_plot.h"
#include "vg_err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C_AXIS 0x333333u
#define C_GRID 0xdddddd
#define FONT 10.0
#define FONT_TITLE 12.0

struct rpt_plot *rpt_plot_new(const char *title, const char *xlabel, const char *ylabel)
{
	struct rpt_plot *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->title, sizeof(p->title), "%s", title ? title : "");
	snprintf(p->xlabel, sizeof(p->xlabel), "%s", xlabel ? xlabel : "");
	snprintf(p->ylabel, sizeof(p->ylabel), "%s", ylabel ? ylabel : "");
	return p;
}

void rpt_plot_free(struct rpt_plot **pp)
{
	if (!pp || !*pp)
		return;
	struct rpt_plot *p = *pp;
	for (int i = 0; i < p->nseries; i++) {
		free(p->series[i].x);
		free(p->series[i].y);
	}
	free(p->bands);
	free(p->vlines);
	free(p);
	*pp = NULL;
}

int rpt_plot_add(struct rpt_plot *p, const char *label, enum rpt_draw draw,
		 unsigned rgb, int axis, const double *x, const double *y, size_t n)
{
	if (!p || p->nseries >= RPT_PLOT_SERIES || (n && (!x || !y)))
		return VG_ERR_INVAL;
	struct rpt_series *s = &p->series[p->nseries];
	memset(s, 0, sizeof(*s));
	s->x = malloc((n ? n : 1) * sizeof(double));
	s->y = malloc((n ? n : 1) * sizeof(double));
	if (!s->x || !s->y) {
		free(s->x);
		free(s->y);
		return VG_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]))
			continue;
		s->x[s->n] = x[i];
		s->y[s->n] = y[i];
		s->n++;
	}
	snprintf(s->label, sizeof(s->label), "%s", label ? label : "");
	s->draw = draw;
	s->rgb = rgb;
	s->axis = axis ? 1 : 0;
	return p->nseries++;
}

int rpt_plot_band(struct rpt_plot *p, double x0, double x1, unsigned rgb,
		  double alpha, const char *label, int legend)
{
	if (p->nbands == p->cap_bands) {
		size_t nc = p->cap_bands ? 2 * p->cap_bands : 64;
		void *q = realloc(p->bands, nc * sizeof(*p->bands));
		if (!q)
			return VG_ERR_NOMEM;
		p->bands = q;
		p->cap_bands = nc;
	}
	struct rpt_band *b = &p->bands[p->nbands++];
	*b = (struct rpt_band){ x0, x1, rgb, alpha, legend, "" };
	snprintf(b->label, sizeof(b->label), "%s", label ? label : "");
	return 0;
}

int rpt_plot_vline(struct rpt_plot *p, double x, unsigned rgb, int dash, const char *label)
{
	if (p->nvlines == p->cap_vlines) {
		size_t nc = p->cap_vlines ? 2 * p->cap_vlines : 32;
		void *q = realloc(p->vlines, nc * sizeof(*p->vlines));
		if (!q)
			return VG_ERR_NOMEM;
		p->vlines = q;
		p->cap_vlines = nc;
	}
	struct rpt_vline *v = &p->vlines[p->nvlines++];
	*v = (struct rpt_vline){ x, rgb, dash, "" };
	snprintf(v->label, sizeof(v->label), "%s", label ? label : "");
	return 0;
}

size_t rpt_plot_npoints(const struct rpt_plot *p)
{
	size_t n = 0;
	for (int i = 0; i < p->nseries; i++)
		for (size_t k = 0; k < p->series[i].n; k++)
			if (isfinite(p->series[i].y[k]))
				n++;
	return n;
}

double rpt_nice_step(double range, int n)
{
	if (!(range > 0) || n < 1)
		return 1;
	double raw = range / n, mag = pow(10, floor(log10(raw))), f = raw / mag;
	double step = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
	return step * mag;
}

struct frame {
	double px, py, pw, ph;           /* plot area */
	double xmin, xmax, ymin[2], ymax[2];
};

static double fx(const struct frame *f, double x)
{
	return f->px + (x - f->xmin) / (f->xmax - f->xmin) * f->pw;
}

static double fy(const struct frame *f, int axis, double y)
{
	return f->py + f->ph - (y - f->ymin[axis]) / (f->ymax[axis] - f->ymin[axis]) * f->ph;
}

static void range_of(const struct rpt_plot *p, int want_x, int axis, double *lo, double *hi)
{
	double a = INFINITY, b = -INFINITY;
	for (int i = 0; i < p->nseries; i++) {
		const struct rpt_series *s = &p->series[i];
		if (!want_x && s->axis != axis)
			continue;
		for (size_t k = 0; k < s->n; k++) {
			double v = want_x ? s->x[k] : s->y[k];
			if (!isfinite(v) || !isfinite(s->y[k]))
				continue;
			a = v < a ? v : a;
			b = v > b ? v : b;
		}
	}
	if (!isfinite(a)) {
		a = 0;
		b = 1;
	}
	if (b - a < 1e-9) {
		double d = fabs(a) > 1e-9 ? fabs(a) * 0.1 : 1;
		a -= d;
		b += d;
	}
	*lo = a;
	*hi = b;
}

static void fmt_tick(char *buf, size_t cap, double v, double step)
{
	if (fabs(v) < step * 1e-6)
		v = 0;
	snprintf(buf, cap, "%.4g", v);
}

static void draw_yaxis(const struct frame *f, const struct rpt_canvas *c, int axis,
		       const char *label, int grid)
{
	struct rpt_style ax = { C_AXIS, 1, 1, 0, 0, "axis", NULL };
	struct rpt_style gr = { C_GRID, 0.6, 1, 0, 0, "grid", NULL };
	struct rpt_style tx = { C_AXIS, 0, 1, 0, 0, "label", NULL };
	double lo = f->ymin[axis], hi = f->ymax[axis], step = rpt_nice_step(hi - lo, 5);
	double xa = axis ? f->px + f->pw : f->px;
	int k = 0;
	for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-6 && k < 40; v += step, k++) {
		double y = fy(f, axis, v), xs[2], ys[2] = { y, y };
		if (grid) {
			xs[0] = f->px;
			xs[1] = f->px + f->pw;
			c->polyline(c->ctx, xs, ys, 2, &gr);
		}
		xs[0] = xa;
		xs[1] = axis ? xa + 4 : xa - 4;
		c->polyline(c->ctx, xs, ys, 2, &ax);
		char b[32];
		fmt_tick(b, sizeof(b), v, step);
		c->text(c->ctx, axis ? xa + 6 : xa - 6, y + 3.5, b, FONT - 1, axis ? 0 : 2, 0, &tx);
	}
	double xs[2] = { xa, xa }, ys[2] = { f->py, f->py + f->ph };
	c->polyline(c->ctx, xs, ys, 2, &ax);
	struct rpt_style lb = { C_AXIS, 0, 1, 0, 0, "axis-label", NULL };
	if (label && label[0])
		c->text(c->ctx, axis ? xa + 44 : xa - 44, f->py + f->ph / 2, label, FONT, 1, 1, &lb);
}

static void draw_xaxis(const struct frame *f, const struct rpt_canvas *c, const char *label)
{
	struct rpt_style ax = { C_AXIS, 1, 1, 0, 0, "axis", NULL };
	struct rpt_style gr = { C_GRID, 0.6, 1, 0, 0, "grid", NULL };
	struct rpt_style tx = { C_AXIS, 0, 1, 0, 0, "label", NULL };
	double step = rpt_nice_step(f->xmax - f->xmin, 7), yb = f->py + f->ph;
	int k = 0;
	for (double v = ceil(f->xmin / step - 1e-9) * step; v <= f->xmax + step * 1e-6 && k < 40;
	     v += step, k++) {
		double x = fx(f, v), xs[2] = { x, x }, ys[2] = { f->py, yb };
		c->polyline(c->ctx, xs, ys, 2, &gr);
		ys[0] = yb;
		ys[1] = yb + 4;
		c->polyline(c->ctx, xs, ys, 2, &ax);
		char b[32];
		fmt_tick(b, sizeof(b), v, step);
		c->text(c->ctx, x, yb + 15, b, FONT - 1, 1, 0, &tx);
	}
	double xs[2] = { f->px, f->px + f->pw }, ys[2] = { yb, yb };
	c->polyline(c->ctx, xs, ys, 2, &ax);
	struct rpt_style lb = { C_AXIS, 0, 1, 0, 0, "axis-label", NULL };
	if (label && label[0])
		c->text(c->ctx, f->px + f->pw / 2, yb + 30, label, FONT, 1, 0, &lb);
}

#define LEGEND_ROW 13.0

static double entry_w(const char *label)
{
	return 26 + 5.6 * (double)strlen(label);
}

/* One legend entry at (*lx, *ly), wrapping to a new row at x0 past xmax;
 * draw = 0 only advances (to count the rows). */
static void legend_entry(const struct rpt_canvas *c, double x0, double xmax, double *lx,
			 double *ly, unsigned rgb, int kind, double alpha, const char *label,
			 int draw)
{
	if (*lx > x0 && *lx + entry_w(label) > xmax) {
		*lx = x0;
		*ly += LEGEND_ROW;
	}
	if (draw) {
		double y = *ly;
		struct rpt_style sw = { rgb, 2, alpha, 0, kind == 1, "legend", label };
		if (kind == 1) {
			c->rect(c->ctx, *lx, y - 8, 14, 9, &sw);
		} else if (kind == 2) {
			double x = *lx + 7, y0 = y - 4;
			c->points(c->ctx, &x, &y0, 1, 2.5, &sw);
		} else {
			double xs[2] = { *lx, *lx + 14 }, ys[2] = { y - 4, y - 4 };
			sw.dash = kind == 3;
			c->polyline(c->ctx, xs, ys, 2, &sw);
		}
		struct rpt_style tx = { C_AXIS, 0, 1, 0, 0, "legend", NULL };
		c->text(c->ctx, *lx + 18, y, label, FONT - 1, 0, 0, &tx);
	}
	*lx += entry_w(label);
}

/* Draw (or, draw = 0, measure) the legend; returns the number of rows. */
static int draw_legend(const struct rpt_plot *p, const struct rpt_canvas *c,
		       double x, double y, double w, int draw)
{
	double lx = x, ly = y;
	char seen[RPT_PLOT_SERIES + 8][32];
	int nseen = 0, any = 0;
	for (int i = 0; i < p->nseries; i++)
		if (p->series[i].label[0]) {
			const struct rpt_series *s = &p->series[i];
			legend_entry(c, x, x + w, &lx, &ly, s->rgb,
				     s->draw == RPT_DOTS ? 2 : s->dash ? 3 : 0, 1, s->label, draw);
			any = 1;
		}
	for (size_t i = 0; i < p->nbands && nseen < (int)(sizeof(seen) / sizeof(seen[0])); i++) {
		const struct rpt_band *b = &p->bands[i];
		if (!b->legend || !b->label[0])
			continue;
		int dup = 0;
		for (int k = 0; k < nseen; k++)
			dup |= strcmp(seen[k], b->label) == 0;
		if (dup)
			continue;
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", b->label);
		legend_entry(c, x, x + w, &lx, &ly, b->rgb, 1, b->alpha < 0.5 ? 0.5 : b->alpha,
			     b->label, draw);
		any = 1;
	}
	return any ? 1 + (int)((ly - y) / LEGEND_ROW + 0.5) : 0;
}

void rpt_plot_draw(const struct rpt_plot *p, const struct rpt_canvas *c,
		   double x, double y, double w, double h)
{
	int has_y2 = 0;
	for (int i = 0; i < p->nseries; i++)
		has_y2 |= p->series[i].axis;
	struct frame f;
	f.px = x + 62;
	f.pw = w - 62 - (has_y2 ? 62 : 14);
	int rows = draw_legend(p, c, f.px, y + 30, f.pw, 0);
	double top = 26 + LEGEND_ROW * (rows > 0 ? rows : 0) + 4;
	f.py = y + top;
	f.ph = h - top - 42;
	if (p->xmin < p->xmax) {
		f.xmin = p->xmin;
		f.xmax = p->xmax;
	} else {
		range_of(p, 1, 0, &f.xmin, &f.xmax);
	}
	for (int a = 0; a < 2; a++) {
		double lo = a ? p->y2min : p->ymin, hi = a ? p->y2max : p->ymax;
		if (!(lo < hi)) {
			range_of(p, 0, a, &lo, &hi);
			if (p->y_from_zero && lo > 0)
				lo = 0;
			double pad = (hi - lo) * 0.06;
			lo = (p->y_from_zero && lo == 0) ? 0 : lo - pad;
			hi += pad;
		}
		f.ymin[a] = lo;
		f.ymax[a] = hi;
	}
	if (p->equal_axes) {
		double lo = fmin(f.xmin, f.ymin[0]), hi = fmax(f.xmax, f.ymax[0]);
		f.xmin = f.ymin[0] = lo;
		f.xmax = f.ymax[0] = hi;
		double side = fmin(f.pw, f.ph);
		f.pw = f.ph = side;
	}
	struct rpt_style tt = { 0x111111, 0, 1, 0, 0, "title", NULL };
	c->text(c->ctx, x + 4, y + 13, p->title, FONT_TITLE, 0, 0, &tt);
	draw_legend(p, c, f.px, y + 30, f.pw, 1);

	c->clip(c->ctx, f.px, f.py, f.pw, f.ph);
	for (size_t i = 0; i < p->nbands; i++) {
		const struct rpt_band *b = &p->bands[i];
		double x0 = fx(&f, fmax(b->x0, f.xmin)), x1 = fx(&f, fmin(b->x1, f.xmax));
		if (x1 <= x0)
			continue;
		struct rpt_style st = { b->rgb, 0, b->alpha, 0, 1, "band", b->label };
		c->rect(c->ctx, x0, f.py, x1 - x0, f.ph, &st);
	}
	c->clip(c->ctx, 0, 0, 0, 0);
	draw_yaxis(&f, c, 0, p->ylabel, 1);
	if (has_y2)
		draw_yaxis(&f, c, 1, p->y2label, 0);
	draw_xaxis(&f, c, p->xlabel);

	c->clip(c->ctx, f.px, f.py, f.pw, f.ph);
	for (int i = 0; i < p->nseries; i++) {
		const struct rpt_series *s = &p->series[i];
		double *xs = malloc((s->n ? s->n : 1) * sizeof(double));
		double *ys = malloc((s->n ? s->n : 1) * sizeof(double));
		if (!xs || !ys) {
			free(xs);
			free(ys);
			continue;
		}
		for (size_t k = 0; k < s->n; k++) {
			xs[k] = fx(&f, s->x[k]);
			ys[k] = isfinite(s->y[k]) ? fy(&f, s->axis, s->y[k]) : NAN;
		}
		struct rpt_style st = { s->rgb, s->draw == RPT_DOTS ? 0 : 1.4, 1, s->dash, 0,
					s->draw == RPT_DOTS ? "points" : "series", s->label };
		if (s->draw == RPT_DOTS)
			c->points(c->ctx, xs, ys, s->n, 1.8, &st);
		else
			c->polyline(c->ctx, xs, ys, s->n, &st);
		free(xs);
		free(ys);
	}
	for (size_t i = 0; i < p->nvlines; i++) {
		const struct rpt_vline *v = &p->vlines[i];
		if (v->x < f.xmin || v->x > f.xmax)
			continue;
		double xv = fx(&f, v->x), xs[2] = { xv, xv }, ys[2] = { f.py, f.py + f.ph };
		struct rpt_style st = { v->rgb, 1.1, 0.9, v->dash, 0, "marker", v->label };
		c->polyline(c->ctx, xs, ys, 2, &st);
		struct rpt_style tx = { v->rgb, 0, 1, 0, 0, "marker-label", NULL };
		if (v->label[0])
			c->text(c->ctx, xv + 2, f.py + 10 + (double)(i % 3) * 10, v->label, FONT - 2, 0, 0, &tx);
	}
	c->clip(c->ctx, 0, 0, 0, 0);
	if (p->note[0]) {
		struct rpt_style tx = { C_AXIS, 0, 1, 0, 0, "note", NULL };
		c->text(c->ctx, f.px + f.pw - 4, f.py + 14, p->note, FONT - 1, 2, 0, &tx);
	}
}
