/*
 * draw.h - the console's drawing primitives on top of ncurses: colours with
 * a plain fallback, block or ASCII glyphs, clipped text, bars, big digits,
 * and number formats that print "--" for unknown or stale values.
 *
 * Problem: the sections of the screen (gauge.c, view.c) need the same few
 * shapes, drawn the same way with and without colour or UTF-8.
 * Approach: a struct con_screen (size and glyph set) passed to every call;
 * colours chosen once by con_draw_setup(); everything clipped at the right
 * edge and the bottom.
 * Limits: text lines up to 511 bytes.
 */
#ifndef CON_DRAW_H
#define CON_DRAW_H

#define NCURSES_WIDECHAR 1 /* addnwstr: clip by characters */
#include <curses.h>
#include <stddef.h>

enum { CON_C_GOOD = 1, CON_C_WARN, CON_C_BAD, CON_C_INFO, CON_C_HEAD, CON_C_DIM };

#define CON_BIG_W 7 /* columns per big digit (3 cells x 2 + gap) */
#define CON_BIG_H 5 /* rows of a big digit */

struct con_glyphs {
	const char *full, *empty, *mark, *up, *down, *flat;
	const char *spark[8]; /* eighth blocks, lowest first */
};
extern const struct con_glyphs con_glyphs_utf8, con_glyphs_ascii;

struct con_screen {
	int rows, cols;
	const struct con_glyphs *g;
};

/* Once, after initscr(): colour pairs if the terminal has colours. */
void con_draw_setup(void);
/* The colour pair's attribute, or plain when there are no colours. */
attr_t con_look(int pair, attr_t plain);
/* Formatted text at (y, x) with attribute a, cut at the right edge;
 * nothing outside the screen. Leaves the cursor after the text. */
void con_put(int y, int x, const struct con_screen *s, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Formatted text at the cursor with attribute a, cut at the right edge
 * (never wraps onto the next line). */
void con_add(const struct con_screen *s, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* n copies of glyph at the cursor (fewer when the right edge comes first). */
void con_repeat(const char *glyph, int n, attr_t a);
/* A bar of w cells at the cursor, filled to frac (0-1, clamped; NAN =
 * empty), with a tick at tick_frac (NAN = none). */
void con_bar(const struct con_screen *s, int w, double frac, double tick_frac,
	     attr_t fill, attr_t empty);
/* text (digits, '-', anything else = blank) in 5-row block digits. */
void con_big_number(const struct con_screen *s, int y, int x, const char *text,
		    attr_t a);
/* x with dec decimals, or "--" when not finite or stale. */
void con_fmt(char *buf, size_t cap, double x, int dec, int stale);
/* mm:ss or h:mm:ss (up to 99:59:59), "--:--" when unknown. */
void con_fmt_clock(char *buf, size_t cap, double secs);

#endif
