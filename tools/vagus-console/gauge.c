/*
 * gauge.c - the calm gauge, trend chart and heart figures (see gauge.h).
 *
 * Problem: one glance must give calm, its direction, HR, RMSSD and
 * breathing, and say when they are old.
 * Approach: colour by band (>= 65 calm, 35-65 middle, < 35 aroused: green,
 * yellow, red, or bold without colours); "--" and "(X stale N s)" when the
 * feed is older than CON_STALE_S; the basis of the gauge said in words
 * (session baseline, or population norms before a baseline exists).
 * Limits: see gauge.h.
 */
#include "gauge.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CALM_BAND_HIGH 65.0 /* gauge at or above: calm (green) */
#define CALM_BAND_LOW 35.0  /* gauge below: aroused (red); between: yellow */
#define TREND_FLAT 0.5      /* |trend| below this per minute: flat arrow */

static attr_t gauge_look(double g)
{
	if (!isfinite(g))
		return A_DIM;
	if (g >= CALM_BAND_HIGH)
		return con_look(CON_C_GOOD, A_BOLD);
	return con_look(g >= CALM_BAND_LOW ? CON_C_WARN : CON_C_BAD, A_BOLD);
}

static const char *trend_arrow(const struct con_screen *s, double t)
{
	if (!isfinite(t))
		return " ";
	return t > TREND_FLAT ? s->g->up : t < -TREND_FLAT ? s->g->down : s->g->flat;
}

static void sparkline(const struct con_model *m, const struct con_screen *s, int y,
		      int x, int w)
{
	if (w <= 0 || m->hist_n == 0)
		return;
	int n = m->hist_n < w ? m->hist_n : w;
	move(y, x);
	for (int k = n - 1; k >= 0; k--) {
		int i = (m->hist_head - 1 - k + 2 * CON_HIST_N) % CON_HIST_N;
		int lv = (int)(m->hist_v[i] / 100.0 * 7.999);
		lv = lv < 0 ? 0 : lv > 7 ? 7 : lv;
		con_repeat(s->g->spark[lv], 1, gauge_look(m->hist_v[i]));
	}
}

struct heart_txt {
	char hr[16], rmssd[16], rmssd_long[16], breath[16];
	const char *breath_from;
	int beat_stale, hrv_stale;
	double beat_age;
};

static void heart_text(const struct con_model *m, double now_s, struct heart_txt *h)
{
	h->beat_stale = con_model_stale(m, CON_FEED_BEAT, now_s);
	h->hrv_stale = con_model_stale(m, CON_FEED_HRV, now_s);
	h->beat_age = con_model_age(m, CON_FEED_BEAT, now_s);
	con_fmt(h->hr, sizeof(h->hr), m->hr_bpm, 0, h->beat_stale);
	con_fmt(h->rmssd, sizeof(h->rmssd), m->rmssd_ms, 0, h->hrv_stale);
	con_fmt(h->rmssd_long, sizeof(h->rmssd_long), m->rmssd_long_ms, 0, h->hrv_stale);
	con_fmt(h->breath, sizeof(h->breath), con_model_breathing(m, now_s, &h->breath_from),
	    1, 0);
}

static void stale_note(const struct con_screen *s, int y, int x, double age, const char *what)
{
	if (age < 0)
		con_put(y, x, s, con_look(CON_C_WARN, A_BOLD), "(no %s yet)", what);
	else if (age > CON_STALE_S)
		con_put(y, x, s, con_look(CON_C_BAD, A_BOLD), "(%s stale %.0f s)", what, age);
}

/* HR, RMSSD, breathing: three rows at (y, x). */
static void draw_heart_column(const struct con_model *m, const struct con_screen *s,
			      int y, int x, double now_s)
{
	struct heart_txt h;
	heart_text(m, now_s, &h);
	con_put(y, x, s, A_NORMAL, "HR");
	con_put(y, x + 11, s, A_BOLD, "%5s", h.hr);
	con_put(y, x + 17, s, A_NORMAL, "bpm");
	stale_note(s, y, x + 21, h.beat_age, "beats");
	con_put(y + 1, x, s, A_NORMAL, "RMSSD");
	con_put(y + 1, x + 11, s, A_BOLD, "%5s", h.rmssd);
	con_put(y + 1, x + 17, s, A_NORMAL, "ms   (5 min %s ms)", h.rmssd_long);
	con_put(y + 2, x, s, A_NORMAL, "Breathing");
	con_put(y + 2, x + 11, s, A_BOLD, "%5s", h.breath);
	con_put(y + 2, x + 17, s, A_NORMAL, "/min %s%s%s", h.breath_from[0] ? "(" : "",
	    h.breath_from, h.breath_from[0] ? ")" : "");
}

static void draw_heart_row(const struct con_model *m, const struct con_screen *s, int y,
			   double now_s)
{
	struct heart_txt h;
	heart_text(m, now_s, &h);
	con_put(y, 0, s, A_NORMAL, " HR ");
	con_add(s, A_BOLD, "%s", h.hr);
	con_add(s, A_NORMAL, " bpm   RMSSD ");
	con_add(s, A_BOLD, "%s", h.rmssd);
	con_add(s, A_NORMAL, " ms   Breathing ");
	con_add(s, A_BOLD, "%s", h.breath);
	con_add(s, A_NORMAL, " /min %s%s%s", h.breath_from[0] ? "(" : "", h.breath_from,
		h.breath_from[0] ? ") " : "");
	if (h.beat_stale)
		stale_note(s, y, getcurx(stdscr), h.beat_age, "beats");
}

int con_chart_draw(const struct con_model *m, const struct con_screen *s, int y,
		      int h, double now_s)
{
	int x0 = 6, w = s->cols - x0 - 2, bars = h - 1;
	int n = m->hist_n < w ? m->hist_n : w;
	con_put(y, 1, s, A_BOLD, "CALM TREND");
	double span_s = n * CON_HIST_STEP_S;
	char span[24];
	if (span_s < 120)
		snprintf(span, sizeof(span), "%.0f s", span_s);
	else
		snprintf(span, sizeof(span), "%.0f min", span_s / 60.0);
	con_put(y, 12, s, A_DIM, "last %s of signal, %.0f s per column%s", span,
		CON_HIST_STEP_S, con_model_stale(m, CON_FEED_HRV, now_s) ? " (HRV stale)" : "");
	for (int r = 0; r < bars; r++) {
		int row = y + 1 + r, from_bottom = bars - 1 - r;
		const char *label = r == 0 ? "100" : from_bottom == 0 ? "  0"
				  : from_bottom == bars / 2 ? " 50" : "";
		con_put(row, 1, s, A_DIM, "%3s", label);
		move(row, x0 + (w - n));
		for (int k = n - 1; k >= 0; k--) {
			int i = (m->hist_head - 1 - k + 2 * CON_HIST_N) % CON_HIST_N;
			double v = m->hist_v[i];
			int eighths = (int)lround(v / 100.0 * bars * 8) - from_bottom * 8;
			eighths = eighths < 0 ? 0 : eighths > 8 ? 8 : eighths;
			if (eighths == 0)
				addstr(" ");
			else if (s->g == &con_glyphs_utf8)
				con_repeat(s->g->spark[eighths - 1], 1, gauge_look(v));
			else
				con_repeat(eighths >= 4 ? "#" : " ", 1, gauge_look(v));
		}
	}
	return y + h;
}

int con_gauge_draw(const struct con_model *m, const struct con_screen *s, int y,
		      int big, int spark, double now_s)
{
	int stale = con_model_stale(m, CON_FEED_HRV, now_s);
	double g = stale ? NAN : m->gauge;
	char val[8], tr[24];
	con_fmt(val, sizeof(val), g, 0, 0);
	if (isfinite(m->gauge_trend) && !stale)
		snprintf(tr, sizeof(tr), "%+.1f/min", m->gauge_trend);
	else
		snprintf(tr, sizeof(tr), "--/min");
	const char *basis = !isfinite(m->gauge) ? "waiting for HRV"
		: m->gauge_from_norms
		? "vs population norms: no session baseline yet (b captures one)"
		: "vs this client's session baseline";
	attr_t a = gauge_look(g);
	if (!big) {
		con_put(y, 0, s, A_BOLD, " CALM ");
		con_add(s, a, "%3s", val);
		con_add(s, A_NORMAL, " ");
		int w = s->cols - 32;
		if (w > 40)
			w = 40;
		if (w > 4)
			con_bar(s, w, g / 100.0, NAN, a, A_DIM);
		con_add(s, A_NORMAL, " %s %s", trend_arrow(s, stale ? NAN : m->gauge_trend), tr);
		draw_heart_row(m, s, y + 1, now_s);
		if (stale)
			stale_note(s, y, getcurx(stdscr) + 1, con_model_age(m, CON_FEED_HRV, now_s), "HRV");
		return y + 2;
	}
	con_put(y, 1, s, A_BOLD, "CALM");
	con_put(y, 6, s, A_DIM, "0-100, %s", basis);
	int digits_x = 2, bar_x = digits_x + 3 * CON_BIG_W + 2;
	int heart_w = s->cols >= 100 ? 42 : 0;
	int bw = s->cols - bar_x - heart_w - 4;
	if (bw > 60)
		bw = 60;
	char digits[8];
	snprintf(digits, sizeof(digits), "%3s", isfinite(g) ? val : "-");
	con_big_number(s, y + 1, digits_x, digits, a);
	for (int r = 0; r < 3; r++) {
		move(y + 1 + r, bar_x);
		con_bar(s, bw, g / 100.0, NAN, a, A_DIM);
	}
	con_put(y + 4, bar_x, s, A_DIM, "0");
	con_put(y + 4, bar_x + bw / 2 - 1, s, A_DIM, "50");
	con_put(y + 4, bar_x + bw - 3, s, A_DIM, "100");
	con_put(y + 5, bar_x, s, A_NORMAL, "calm %s/100  trend ", val);
	con_add(s, A_BOLD, "%s %s", trend_arrow(s, stale ? NAN : m->gauge_trend), tr);
	if (stale)
		stale_note(s, y + 5, getcurx(stdscr) + 2,
			   con_model_age(m, CON_FEED_HRV, now_s), "HRV");
	int sx = getcurx(stdscr) + 2;
	if (spark)
		sparkline(m, s, y + 5, sx, bar_x + bw - sx);
	if (heart_w)
		draw_heart_column(m, s, y + 1, s->cols - heart_w, now_s);
	else
		draw_heart_row(m, s, y + 6, now_s);
	return y + CON_GAUGE_ROWS;
}

