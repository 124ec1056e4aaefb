/*
 * rpt_plot.h - a small plot model drawn once, on any canvas.
 *
 * Problem: the session and progress reports need the same plots in HTML
 * (SVG written from C) and in PDF (cairo), with axes, units and a legend,
 * without writing each plot twice.
 * Approach: a plot is data (series of x/y points drawn as lines or dots,
 * shaded x-bands such as pacer phases or VLF/LF/HF, vertical markers for
 * marks, holds and releases, optionally a second y axis) and
 * rpt_plot_draw() does all the layout (ranges, "nice" ticks, grid, legend,
 * clipping) through a canvas: five drawing primitives behind function
 * pointers, implemented by rpt_svg.c and rpt_cairo.c.
 * References: the Kubios HRV report layout (tachogram, spectrum with
 * shaded bands, Poincare plot with SD1/SD2); Task Force of the ESC/NASPE,
 * Circulation 93:1043-1065, 1996 (frequency bands).
 * Limits: linear axes only; series are copied (the plot owns its data);
 * at most RPT_PLOT_SERIES series.
 */
#ifndef RPT_PLOT_H
#define RPT_PLOT_H

#include <stddef.h>

#define RPT_PLOT_SERIES 10

/* How one primitive is drawn. cls names the element's role for the SVG
 * ("series", "points", "axis", "grid", "band", "marker", "legend", "title",
 * "label"); label is the series' legend text. */
struct rpt_style {
	unsigned rgb;         /* 0xRRGGBB */
	double width;         /* stroke width, px (0 = no stroke) */
	double alpha;         /* fill/stroke opacity 0..1 */
	int dash;             /* 1 = dashed stroke */
	int fill;             /* rect: 1 = filled */
	const char *cls;
	const char *label;
};

/* A drawing surface in device units (px in SVG, pt in PDF); y grows down. */
struct rpt_canvas {
	void *ctx;
	void (*polyline)(void *ctx, const double *x, const double *y, size_t n,
			 const struct rpt_style *st);
	void (*points)(void *ctx, const double *x, const double *y, size_t n,
		       double radius, const struct rpt_style *st);
	void (*rect)(void *ctx, double x, double y, double w, double h,
		     const struct rpt_style *st);
	/* anchor: 0 start, 1 middle, 2 end; vertical: rotated -90 degrees */
	void (*text)(void *ctx, double x, double y, const char *s, double size,
		     int anchor, int vertical, const struct rpt_style *st);
	/* clip to the rectangle; w <= 0 ends the clip */
	void (*clip)(void *ctx, double x, double y, double w, double h);
};

enum rpt_draw { RPT_LINE, RPT_DOTS };

struct rpt_series {
	char label[48];
	enum rpt_draw draw;
	unsigned rgb;
	int axis;            /* 0 = left y axis, 1 = right */
	int dash;
	double *x, *y;       /* NAN y breaks a line */
	size_t n;
};

struct rpt_band { double x0, x1; unsigned rgb; double alpha; int legend; char label[32]; };
struct rpt_vline { double x; unsigned rgb; int dash; char label[24]; };

struct rpt_plot {
	char title[96];
	char xlabel[48], ylabel[48], y2label[48];
	double xmin, xmax, ymin, ymax, y2min, y2max; /* equal = automatic */
	int y_from_zero;     /* automatic y range includes 0 */
	int equal_axes;      /* same scale on x and y (Poincare) */
	struct rpt_series series[RPT_PLOT_SERIES];
	int nseries;
	struct rpt_band *bands; size_t nbands, cap_bands;
	struct rpt_vline *vlines; size_t nvlines, cap_vlines;
	char note[160];      /* one line under the plot (e.g. SD1/SD2) */
};

struct rpt_plot *rpt_plot_new(const char *title, const char *xlabel, const char *ylabel);
void rpt_plot_free(struct rpt_plot **p);
/* Copy n points; returns the series index or a negative VG_ERR_*. Points
 * with a non-finite x are dropped. */
int rpt_plot_add(struct rpt_plot *p, const char *label, enum rpt_draw draw,
		 unsigned rgb, int axis, const double *x, const double *y, size_t n);
int rpt_plot_band(struct rpt_plot *p, double x0, double x1, unsigned rgb,
		  double alpha, const char *label, int legend);
int rpt_plot_vline(struct rpt_plot *p, double x, unsigned rgb, int dash,
		   const char *label);
/* Number of finite points of all series (the plot has data when > 0). */
size_t rpt_plot_npoints(const struct rpt_plot *p);

/* Draw the whole plot into the box (x, y, w, h) of the canvas. */
void rpt_plot_draw(const struct rpt_plot *p, const struct rpt_canvas *c,
		   double x, double y, double w, double h);

/* "Nice" tick step for a range and about n ticks (1, 2, 5 x 10^k). */
double rpt_nice_step(double range, int n);

#endif
