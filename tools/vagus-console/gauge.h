/*
 * gauge.h - the calm gauge, its trend chart and the heart figures.
 *
 * Problem: calm is the figure read from across the room: it gets the big
 * digits, a wide bar and its trend; HR, RMSSD and breathing sit beside it.
 * Approach: con_gauge_draw() draws either the big form (CON_GAUGE_ROWS
 * rows: block digits, a 3-row bar with a 0-50-100 scale, the value, trend
 * arrow and per-minute slope, and the heart figures in a column on wide
 * terminals or a row below) or a compact two-row form; con_chart_draw()
 * draws the gauge history as a chart in eighth blocks.
 * Limits: the chart shows at most one point per column (CON_HIST_STEP_S).
 */
#ifndef CON_GAUGE_H
#define CON_GAUGE_H

#include "draw.h"
#include "model.h"

#define CON_GAUGE_ROWS 7 /* rows of the big gauge */

/* Returns the next free row. spark: add a sparkline after the trend. */
int con_gauge_draw(const struct con_model *m, const struct con_screen *s, int y,
		   int big, int spark, double now_s);
/* h rows: caption + h - 1 rows of chart. Returns the next free row. */
int con_chart_draw(const struct con_model *m, const struct con_screen *s, int y,
		   int h, double now_s);

#endif
