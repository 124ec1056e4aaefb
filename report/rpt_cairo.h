/*
 * rpt_cairo.h - the cairo canvas: the same plots drawn into a PDF.
 *
 * Problem: the PDF report must show the very plots of the HTML report.
 * Approach: a struct rpt_canvas whose primitives call cairo (paths,
 * rectangles, arcs, the toy text API with a sans-serif face).
 * Reference: cairo 1.16 API (cairo_pdf_surface_create, cairo_show_text).
 * Limits: the toy text API (no shaping); fine for labels and tables.
 */
#ifndef RPT_CAIRO_H
#define RPT_CAIRO_H

#include "rpt_plot.h"

#include <cairo.h>

void rpt_cairo_canvas(cairo_t *cr, struct rpt_canvas *c);

#endif
