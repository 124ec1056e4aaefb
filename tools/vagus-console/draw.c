/*
 * draw.c - drawing primitives of the console (see draw.h).
 *
 * Problem: the same shapes everywhere, readable with or without colour and
 * UTF-8.
 * Approach: glyph tables (block characters / ASCII), a 3x5 digit font drawn
 * two columns per cell, colour pairs with bold/reverse fallbacks.
 * Limits: see draw.h.
 */
#include "draw.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <stdlib.h>

static int colours;

void con_draw_setup(void)
{
	if (!has_colors())
		return;
	start_color();
	use_default_colors();
	init_pair(CON_C_GOOD, COLOR_GREEN, -1);
	init_pair(CON_C_WARN, COLOR_YELLOW, -1);
	init_pair(CON_C_BAD, COLOR_RED, -1);
	init_pair(CON_C_INFO, COLOR_CYAN, -1);
	init_pair(CON_C_HEAD, COLOR_BLACK, COLOR_CYAN);
	init_pair(CON_C_DIM, COLOR_BLUE, -1);
	colours = 1;
}

/* Colour pair (if any) plus a fallback attribute without colours. */
attr_t con_look(int pair, attr_t plain)
{
	return colours ? COLOR_PAIR(pair) : plain;
}

const struct con_glyphs con_glyphs_utf8 = {
	"\u2588", "\u2591", "\u2502", "\u2191", "\u2193", "\u2192",
	{ "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" }
};
const struct con_glyphs con_glyphs_ascii = {
	"#", ".", "|", "^", "v", "-",
	{ "_", ".", ":", "-", "=", "+", "*", "#" }
};

/* 3x5 digits; 'X' = filled cell (drawn two columns wide). */
static const char *const font[11][CON_BIG_H] = {
	{ "XXX", "X X", "X X", "X X", "XXX" }, { " X ", "XX ", " X ", " X ", "XXX" },
	{ "XXX", "  X", "XXX", "X  ", "XXX" }, { "XXX", "  X", " XX", "  X", "XXX" },
	{ "X X", "X X", "XXX", "  X", "  X" }, { "XXX", "X  ", "XXX", "  X", "XXX" },
	{ "XXX", "X  ", "XXX", "X X", "XXX" }, { "XXX", "  X", "  X", "  X", "  X" },
	{ "XXX", "X X", "XXX", "X X", "XXX" }, { "XXX", "X X", "XXX", "  X", "XXX" },
	{ "   ", "   ", "XXX", "   ", "   " }
};

/* buf at the cursor, at most the columns left before the last one: the
 * last column is never written, so the cursor never wraps to the next line
 * (the stray characters of a too-long line). Characters, not bytes, are
 * counted (the glyphs are one column wide each). */
static void put_clipped(const char *buf, int cols)
{
	int x = getcurx(stdscr), room = cols - 1 - x;
	if (room <= 0)
		return;
	wchar_t w[512];
	size_t n = mbstowcs(w, buf, sizeof(w) / sizeof(w[0]) - 1);
	if (n == (size_t)-1) {
		addnstr(buf, room); /* not valid in this locale: bytes */
		return;
	}
	w[n] = L'\0';
	addnwstr(w, room);
}

void con_put(int y, int x, const struct con_screen *s, attr_t a, const char *fmt, ...)
{
	if (y < 0 || y >= s->rows || x >= s->cols - 1)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	move(y, x);
	attron(a);
	put_clipped(buf, s->cols);
	attroff(a);
}

void con_add(const struct con_screen *s, attr_t a, const char *fmt, ...)
{
	if (getcury(stdscr) >= s->rows || getcurx(stdscr) >= s->cols - 1)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(a);
	put_clipped(buf, s->cols);
	attroff(a);
}

void con_repeat(const char *glyph, int n, attr_t a)
{
	int cols = getmaxx(stdscr);
	attron(a);
	for (int i = 0; i < n && getcurx(stdscr) < cols - 1; i++)
		addstr(glyph);
	attroff(a);
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* A horizontal bar of w cells, filled to frac (0-1); tick at tick_frac
 * (NAN = none). Draws at the cursor. */
void con_bar(const struct con_screen *s, int w, double frac, double tick_frac,
		attr_t fill, attr_t empty)
{
	int n = isfinite(frac) ? (int)lround(clamp01(frac) * w) : 0;
	int tick = isfinite(tick_frac) ? (int)lround(clamp01(tick_frac) * w) : -1;
	if (tick >= w)
		tick = w - 1;
	for (int i = 0; i < w; i++) {
		if (i == tick)
			con_repeat(s->g->mark, 1, A_BOLD);
		else
			con_repeat(i < n ? s->g->full : s->g->empty, 1, i < n ? fill : empty);
	}
}

void con_big_number(const struct con_screen *s, int y, int x, const char *text, attr_t a)
{
	for (int r = 0; r < CON_BIG_H; r++) {
		move(y + r, x);
		for (const char *c = text; *c; c++) {
			int d = *c == '-' ? 10 : *c - '0';
			if (d < 0 || d > 10) { /* a blank the width of a digit */
				con_repeat(" ", CON_BIG_W, 0);
				continue;
			}
			for (int k = 0; k < 3; k++)
				con_repeat(font[d][r][k] == 'X' ? s->g->full : " ", 2,
				       font[d][r][k] == 'X' ? a : 0);
			addstr(" ");
		}
	}
}

void con_fmt(char *buf, size_t cap, double x, int dec, int stale)
{
	if (!isfinite(x) || stale)
		snprintf(buf, cap, "--");
	else
		snprintf(buf, cap, "%.*f", dec, x);
}

void con_fmt_clock(char *buf, size_t cap, double secs)
{
	if (!isfinite(secs) || secs < 0) {
		snprintf(buf, cap, "--:--");
		return;
	}
	int t = secs > 359999 ? 359999 : (int)secs; /* at most 99:59:59 */
	if (t >= 3600)
		snprintf(buf, cap, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, cap, "%02d:%02d", t / 60, t % 60);
}

