/*
 * rpt_svg.h - the SVG canvas: plots as inline SVG text for the HTML report.
 *
 * Problem: the HTML report must be one self-contained file that any
 * browser shows and prints; plots as SVG written from C need no library.
 * Approach: a struct rpt_canvas whose primitives append SVG elements to a
 * rpt_buf. Lines become one <path> per unbroken run, dots one <path> of
 * zero-length round-capped segments (compact for thousands of beats).
 * Every element carries class="<role>"; data series also data-label and
 * data-n (the number of finite points), so tests can check each plot.
 * Limits: coordinates printed with one decimal.
 */
#ifndef RPT_SVG_H
#define RPT_SVG_H

#include "rpt_buf.h"
#include "rpt_plot.h"

struct rpt_svg {
	struct rpt_buf *out;
	int plot_no;      /* makes clip ids unique in a document */
	int clip_id;      /* clip paths made so far */
	int clipping;     /* inside a clipped group */
};

/* A canvas writing into svg->out (svg must outlive the canvas). */
void rpt_svg_canvas(struct rpt_svg *svg, struct rpt_canvas *c);
/* One complete <svg> element of w x h px holding the plot. */
void rpt_svg_plot(struct rpt_buf *out, const struct rpt_plot *p, double w, double h,
		  int plot_no);

#endif
