/*
 * view.c - the console's screen (see view.h).
 *
 * Problem: show many figures without clutter, biggest what matters most
 * (calm), and never show an old value as if it were current.
 * Approach: sections drawn top-down into the rows the terminal has: header
 * (session and clock), problems (lost sources, silent daemon), the calm
 * gauge (5-row block digits, a 3-row bar, trend arrow and sparkline; one
 * row when small) with HR, RMSSD and breathing beside it (or below), the
 * pacer (phase word and a bar that fills on the in-breath and empties on
 * the out-breath), the advice with its reasons, one tension bar per region
 * (release marks: a tick where the level dropped from, and the drop), the
 * hold clock, recent events, the status line and the keys. Stale figures
 * print "--" with their age.
 * Limits: at most CON_MAX_REGIONS bars; text is cut at the right edge.
 */
#include "view.h"

#include <curses.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { C_GOOD = 1, C_WARN, C_BAD, C_INFO, C_HEAD, C_DIM };

#define BIG_W 7           /* columns per big digit (3 cells x 2 + gap) */
#define BIG_H 5           /* rows of a big digit */
#define GAUGE_ROWS 7      /* rows of the big gauge section */
#define STATUS_KEEP_S 20.0 /* the status line fades after this, s */
#define CHART_MIN_ROWS 4  /* calm trend chart: drawn when this fits, */
#define CHART_MAX_ROWS 9  /* ... up to this tall (caption included) */
#define CHART_KEEP_EVENTS 3 /* rows left for events below it */

static int colours;

void con_view_setup(void)
{
	if (!has_colors())
		return;
	start_color();
	use_default_colors();
	init_pair(C_GOOD, COLOR_GREEN, -1);
	init_pair(C_WARN, COLOR_YELLOW, -1);
	init_pair(C_BAD, COLOR_RED, -1);
	init_pair(C_INFO, COLOR_CYAN, -1);
	init_pair(C_HEAD, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_DIM, COLOR_BLUE, -1);
	colours = 1;
}

/* Colour pair (if any) plus a fallback attribute without colours. */
static attr_t look(int pair, attr_t plain)
{
	return colours ? COLOR_PAIR(pair) : plain;
}

struct glyphs {
	const char *full, *empty, *mark, *up, *down, *flat;
	const char *spark[8];
};

static const struct glyphs utf8_g = {
	"\u2588", "\u2591", "\u2502", "\u2191", "\u2193", "\u2192",
	{ "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" }
};
static const struct glyphs ascii_g = {
	"#", ".", "|", "^", "v", "-",
	{ "_", ".", ":", "-", "=", "+", "*", "#" }
};

/* 3x5 digits; 'X' = filled cell (drawn two columns wide). */
static const char *const font[11][BIG_H] = {
	{ "XXX", "X X", "X X", "X X", "XXX" }, { " X ", "XX ", " X ", " X ", "XXX" },
	{ "XXX", "  X", "XXX", "X  ", "XXX" }, { "XXX", "  X", " XX", "  X", "XXX" },
	{ "X X", "X X", "XXX", "  X", "  X" }, { "XXX", "X  ", "XXX", "  X", "XXX" },
	{ "XXX", "X  ", "XXX", "X X", "XXX" }, { "XXX", "  X", "  X", "  X", "  X" },
	{ "XXX", "X X", "XXX", "X X", "XXX" }, { "XXX", "X X", "XXX", "  X", "XXX" },
	{ "   ", "   ", "XXX", "   ", "   " }
};

struct screen {
	int rows, cols;
	const struct glyphs *g;
};

static void put(int y, int x, const struct screen *s, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void put(int y, int x, const struct screen *s, attr_t a, const char *fmt, ...)
{
	if (y < 0 || y >= s->rows || x >= s->cols)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(a);
	mvaddnstr(y, x, buf, s->cols - x);
	attroff(a);
}

static void repeat(const char *glyph, int n, attr_t a)
{
	attron(a);
	for (int i = 0; i < n; i++)
		addstr(glyph);
	attroff(a);
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* A horizontal bar of w cells, filled to frac (0-1); tick at tick_frac
 * (NAN = none). Draws at the cursor. */
static void bar(const struct screen *s, int w, double frac, double tick_frac,
		attr_t fill, attr_t empty)
{
	int n = isfinite(frac) ? (int)lround(clamp01(frac) * w) : 0;
	int tick = isfinite(tick_frac) ? (int)lround(clamp01(tick_frac) * w) : -1;
	if (tick >= w)
		tick = w - 1;
	for (int i = 0; i < w; i++) {
		if (i == tick)
			repeat(s->g->mark, 1, A_BOLD);
		else
			repeat(i < n ? s->g->full : s->g->empty, 1, i < n ? fill : empty);
	}
}

static void big_number(const struct screen *s, int y, int x, const char *text, attr_t a)
{
	for (int r = 0; r < BIG_H; r++) {
		move(y + r, x);
		for (const char *c = text; *c; c++) {
			int d = *c == '-' ? 10 : *c - '0';
			if (d < 0 || d > 10) { /* a blank the width of a digit */
				repeat(" ", BIG_W, 0);
				continue;
			}
			for (int k = 0; k < 3; k++)
				repeat(font[d][r][k] == 'X' ? s->g->full : " ", 2,
				       font[d][r][k] == 'X' ? a : 0);
			addstr(" ");
		}
	}
}

static attr_t gauge_look(double g)
{
	if (!isfinite(g))
		return A_DIM;
	return g >= 65 ? look(C_GOOD, A_BOLD) : g >= 35 ? look(C_WARN, A_BOLD)
						       : look(C_BAD, A_BOLD);
}

static const char *trend_arrow(const struct screen *s, double t)
{
	if (!isfinite(t))
		return " ";
	return t > 0.5 ? s->g->up : t < -0.5 ? s->g->down : s->g->flat;
}

static void sparkline(const struct con_model *m, const struct screen *s, int y,
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
		repeat(s->g->spark[lv], 1, gauge_look(m->hist_v[i]));
	}
}

static void fmt(char *buf, size_t cap, double x, int dec, int stale)
{
	if (!isfinite(x) || stale)
		snprintf(buf, cap, "--");
	else
		snprintf(buf, cap, "%.*f", dec, x);
}

static void fmt_clock(char *buf, size_t cap, double secs)
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

/* ------------------------------------------------------------ sections */
static int draw_header(const struct con_model *m, const struct screen *s, int y,
		       double now_s)
{
	attr_t h = look(C_HEAD, A_REVERSE);
	attron(h);
	mvhline(y, 0, ' ', s->cols);
	attroff(h);
	char clock[16], ses[160];
	fmt_clock(clock, sizeof(clock), con_model_session_s(m, now_s));
	if (m->session[0])
		snprintf(ses, sizeof(ses), "SESSION %s  %s", clock, m->session);
	else
		snprintf(ses, sizeof(ses), "no session (s starts one)");
	put(y, 0, s, h | A_BOLD, " vagus console  %s", ses);
	char right[96];
	snprintf(right, sizeof(right), "%s%s ", m->version[0] ? "vagusd " : "", m->version);
	int x = s->cols - (int)strlen(right);
	if (x > 40 + (int)strlen(ses))
		put(y, x, s, h, "%s", right);
	return y + 1;
}

static int draw_problems(const struct con_model *m, const struct con_view_opts *o,
			 const struct screen *s, int y, double now_s)
{
	char p[512];
	if (con_model_problems(m, now_s, p, sizeof(p)))
		put(y, 0, s, look(C_BAD, A_REVERSE) | A_BOLD, " ! %s%s%s ", p,
		    con_model_stale(m, CON_FEED_STATUS, now_s) ? " on " : "",
		    con_model_stale(m, CON_FEED_STATUS, now_s) ? o->pub : "");
	else if (m->lost_msgs)
		put(y, 0, s, A_DIM, " all sources running; %llu messages lost in transit",
		    (unsigned long long)m->lost_msgs);
	else
		put(y, 0, s, A_DIM, " all sources running");
	return y + 1;
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
	fmt(h->hr, sizeof(h->hr), m->hr_bpm, 0, h->beat_stale);
	fmt(h->rmssd, sizeof(h->rmssd), m->rmssd_ms, 0, h->hrv_stale);
	fmt(h->rmssd_long, sizeof(h->rmssd_long), m->rmssd_long_ms, 0, h->hrv_stale);
	fmt(h->breath, sizeof(h->breath), con_model_breathing(m, now_s, &h->breath_from),
	    1, 0);
}

static void stale_note(const struct screen *s, int y, int x, double age, const char *what)
{
	if (age < 0)
		put(y, x, s, look(C_WARN, A_BOLD), "(no %s yet)", what);
	else if (age > CON_STALE_S)
		put(y, x, s, look(C_BAD, A_BOLD), "(%s stale %.0f s)", what, age);
}

/* HR, RMSSD, breathing: three rows at (y, x). */
static void draw_heart_column(const struct con_model *m, const struct screen *s,
			      int y, int x, double now_s)
{
	struct heart_txt h;
	heart_text(m, now_s, &h);
	put(y, x, s, A_NORMAL, "HR");
	put(y, x + 11, s, A_BOLD, "%5s", h.hr);
	put(y, x + 17, s, A_NORMAL, "bpm");
	stale_note(s, y, x + 21, h.beat_age, "beats");
	put(y + 1, x, s, A_NORMAL, "RMSSD");
	put(y + 1, x + 11, s, A_BOLD, "%5s", h.rmssd);
	put(y + 1, x + 17, s, A_NORMAL, "ms   (5 min %s ms)", h.rmssd_long);
	put(y + 2, x, s, A_NORMAL, "Breathing");
	put(y + 2, x + 11, s, A_BOLD, "%5s", h.breath);
	put(y + 2, x + 17, s, A_NORMAL, "/min %s%s%s", h.breath_from[0] ? "(" : "",
	    h.breath_from, h.breath_from[0] ? ")" : "");
}

static void draw_heart_row(const struct con_model *m, const struct screen *s, int y,
			   double now_s)
{
	struct heart_txt h;
	heart_text(m, now_s, &h);
	put(y, 0, s, A_NORMAL, " HR ");
	attron(A_BOLD); printw("%s", h.hr); attroff(A_BOLD);
	printw(" bpm   RMSSD ");
	attron(A_BOLD); printw("%s", h.rmssd); attroff(A_BOLD);
	printw(" ms   Breathing ");
	attron(A_BOLD); printw("%s", h.breath); attroff(A_BOLD);
	printw(" /min ");
	if (h.beat_stale)
		stale_note(s, y, getcurx(stdscr), h.beat_age, "beats");
}

/* The gauge history as a chart of h rows (caption + h - 1 rows of bars,
 * eighth blocks in UTF-8), one column per history point, newest right. */
static int draw_chart(const struct con_model *m, const struct screen *s, int y,
		      int h, double now_s)
{
	int x0 = 6, w = s->cols - x0 - 2, bars = h - 1;
	int n = m->hist_n < w ? m->hist_n : w;
	put(y, 1, s, A_BOLD, "CALM TREND");
	put(y, 12, s, A_DIM, "last %.0f min, %.0f s per column%s", n * CON_HIST_STEP_S / 60.0,
	    CON_HIST_STEP_S, con_model_stale(m, CON_FEED_HRV, now_s) ? " (HRV stale)" : "");
	for (int r = 0; r < bars; r++) {
		int row = y + 1 + r, from_bottom = bars - 1 - r;
		const char *label = r == 0 ? "100" : from_bottom == 0 ? "  0"
				  : from_bottom == bars / 2 ? " 50" : "";
		put(row, 1, s, A_DIM, "%3s", label);
		move(row, x0 + (w - n));
		for (int k = n - 1; k >= 0; k--) {
			int i = (m->hist_head - 1 - k + 2 * CON_HIST_N) % CON_HIST_N;
			double v = m->hist_v[i];
			int eighths = (int)lround(v / 100.0 * bars * 8) - from_bottom * 8;
			eighths = eighths < 0 ? 0 : eighths > 8 ? 8 : eighths;
			if (eighths == 0)
				addstr(" ");
			else if (s->g == &utf8_g)
				repeat(s->g->spark[eighths - 1], 1, gauge_look(v));
			else
				repeat(eighths >= 4 ? "#" : " ", 1, gauge_look(v));
		}
	}
	return y + h;
}

static int draw_gauge(const struct con_model *m, const struct screen *s, int y,
		      int big, int spark, double now_s)
{
	int stale = con_model_stale(m, CON_FEED_HRV, now_s);
	double g = stale ? NAN : m->gauge;
	char val[8], tr[24];
	fmt(val, sizeof(val), g, 0, 0);
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
		put(y, 0, s, A_BOLD, " CALM ");
		attron(a); printw("%3s", val); attroff(a);
		printw(" ");
		int w = s->cols - 32;
		if (w > 40)
			w = 40;
		if (w > 4)
			bar(s, w, g / 100.0, NAN, a, A_DIM);
		printw(" %s %s", trend_arrow(s, stale ? NAN : m->gauge_trend), tr);
		draw_heart_row(m, s, y + 1, now_s);
		if (stale)
			stale_note(s, y, getcurx(stdscr) + 1, con_model_age(m, CON_FEED_HRV, now_s), "HRV");
		return y + 2;
	}
	put(y, 1, s, A_BOLD, "CALM");
	put(y, 6, s, A_DIM, "0-100, %s", basis);
	int digits_x = 2, bar_x = digits_x + 3 * BIG_W + 2;
	int heart_w = s->cols >= 100 ? 42 : 0;
	int bw = s->cols - bar_x - heart_w - 4;
	if (bw > 60)
		bw = 60;
	char digits[8];
	snprintf(digits, sizeof(digits), "%3s", isfinite(g) ? val : "-");
	big_number(s, y + 1, digits_x, digits, a);
	for (int r = 0; r < 3; r++) {
		move(y + 1 + r, bar_x);
		bar(s, bw, g / 100.0, NAN, a, A_DIM);
	}
	put(y + 4, bar_x, s, A_DIM, "0");
	put(y + 4, bar_x + bw / 2 - 1, s, A_DIM, "50");
	put(y + 4, bar_x + bw - 3, s, A_DIM, "100");
	put(y + 5, bar_x, s, A_NORMAL, "calm %s/100  trend ", val);
	attron(A_BOLD);
	printw("%s %s", trend_arrow(s, stale ? NAN : m->gauge_trend), tr);
	attroff(A_BOLD);
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
	return y + GAUGE_ROWS;
}

static const char *phase_word(const char *phase)
{
	if (!strcmp(phase, "inhale"))
		return "BREATHE IN ";
	if (!strcmp(phase, "exhale"))
		return "BREATHE OUT";
	if (!strcmp(phase, "hold"))
		return "HOLD (in)  ";
	if (!strcmp(phase, "hold_out"))
		return "HOLD (out) ";
	return "off        ";
}

static int draw_pacer(const struct con_model *m, const struct con_ui *u,
		      const struct screen *s, int y, double now_s)
{
	double age = con_model_age(m, CON_FEED_GUIDE, now_s);
	put(y, 1, s, A_BOLD, "PACER");
	if (age < 0 || age > CON_STALE_S) {
		if (age < 0)
			put(y, 8, s, look(C_WARN, A_BOLD),
			    "no guide data from the daemon (guidance engine not running)");
		else
			put(y, 8, s, look(C_BAD, A_BOLD), "guide data stale %.0f s", age);
		put(y + 1, 8, s, A_DIM, "requested pattern: %s", con_patterns[u->pattern]);
		return y + 2;
	}
	char rate[16], fol[16];
	fmt(rate, sizeof(rate), m->rate_bpm, 1, 0);
	fmt(fol, sizeof(fol), m->following, 2, 0);
	put(y, 8, s, A_NORMAL, "%s  %s /min  breath following %s", m->pattern, rate, fol);
	if (!strcmp(m->phase, "off") || !m->phase[0]) {
		put(y + 1, 8, s, A_DIM, "off (p chooses a pattern)");
		return y + 2;
	}
	double f = m->progress;
	if (!strcmp(m->phase, "hold"))
		f = 1;
	else if (!strcmp(m->phase, "exhale"))
		f = 1 - m->progress;
	else if (!strcmp(m->phase, "hold_out"))
		f = 0;
	attr_t pa = !strcmp(m->phase, "inhale") ? look(C_GOOD, A_BOLD)
		  : !strcmp(m->phase, "exhale") ? look(C_INFO, A_BOLD)
						: look(C_WARN, A_BOLD);
	put(y + 1, 1, s, pa | A_BOLD, "%s", phase_word(m->phase));
	int w = s->cols - 26;
	if (w > 70)
		w = 70;
	if (w > 4) {
		move(y + 1, 14);
		bar(s, w, f, NAN, pa, A_DIM);
		char ps[16];
		fmt(ps, sizeof(ps), m->phase_s * (1 - m->progress), 0, 0);
		printw(" %s s", ps);
	}
	return y + 2;
}

static int draw_advice(const struct con_model *m, const struct screen *s, int y,
		       int two_rows, double now_s)
{
	put(y, 1, s, A_BOLD, "ADVICE");
	double age = con_model_age(m, CON_FEED_GUIDE, now_s);
	if (age < 0 || age > CON_STALE_S) {
		put(y, 8, s, A_DIM, "-- (no pressure advice without the guidance engine)");
		return y + 1 + (two_rows ? 1 : 0);
	}
	const char *word = "no signal";
	attr_t a = A_DIM;
	if (!strcmp(m->advice, "ease")) {
		word = "EASE OFF";
		a = look(C_BAD, A_REVERSE) | A_BOLD;
	} else if (!strcmp(m->advice, "hold")) {
		word = "HOLD PRESSURE";
		a = look(C_WARN, A_BOLD) | A_BOLD;
	} else if (!strcmp(m->advice, "deepen-ok")) {
		word = "MAY DEEPEN";
		a = look(C_GOOD, A_BOLD) | A_BOLD;
	}
	put(y, 8, s, a, " %s ", word);
	char conf[16];
	fmt(conf, sizeof(conf), m->confidence, 2, 0);
	printw("  confidence %s  profile %s", conf, m->profile[0] ? m->profile : "--");
	if (two_rows) {
		put(y + 1, 8, s, A_NORMAL, "because: %s", m->reasons[0] ? m->reasons : "--");
		return y + 2;
	}
	printw("  %s", m->reasons);
	return y + 1;
}

static int draw_regions(const struct con_model *m, struct con_ui *u,
			const struct screen *s, int y, int max_rows, double now_s)
{
	put(y, 1, s, A_BOLD, "TENSION");
	put(y, 9, s, A_DIM, "(RMS uV, level %% of reference; %s = released from here)",
	    s->g->mark);
	y++;
	con_ui_region(u, m);
	int shown = 0;
	if (m->nreg == 0)
		put(y++, 3, s, A_DIM, "no EMG channels yet");
	/* name, figures, bar, state word and release note share the width */
	int namew = 8;
	for (int c = 0; c < m->nreg; c++)
		if ((int)strlen(m->reg[c].name) > namew)
			namew = (int)strlen(m->reg[c].name);
	if (namew > 18)
		namew = 18;
	int barw = s->cols - (namew + 22) - (s->cols >= 100 ? 34 : 10);
	if (barw > 50)
		barw = 50;
	for (int c = 0; c < m->nreg && shown < max_rows; c++) {
		const struct con_region *r = &m->reg[c];
		if (!r->name[0])
			continue;
		int stale = con_model_region_stale(m, c, now_s);
		char rms[16], lvl[16];
		fmt(rms, sizeof(rms), r->rms_uv, 1, stale);
		fmt(lvl, sizeof(lvl), r->level_pct, 0, stale);
		attr_t na = c == u->sel ? A_REVERSE : A_NORMAL;
		put(y, 1, s, na, "%s%-*.*s", c == u->sel ? ">" : " ", namew, namew, r->name);
		printw(" %6s uV %4s %%  ", rms, lvl);
		int recent = r->release_at_s > 0 && now_s - r->release_at_s < CON_RELEASE_SHOW_S;
		attr_t fa = !strcmp(r->state, "tense") ? look(C_WARN, A_BOLD)
			  : !strcmp(r->state, "releasing") ? look(C_GOOD, A_BOLD)
							   : look(C_INFO, A_NORMAL);
		/* level (0 = rest, 100 = reference) when the daemon has one,
		 * else the envelope against its recent peak */
		int pct = isfinite(r->level_pct);
		double frac = pct ? r->level_pct / 100.0 : r->rms_uv / r->scale_uv;
		double tick = pct ? r->release_from_pct / 100.0
				  : r->release_from_uv / r->scale_uv;
		if (barw > 4)
			bar(s, barw, stale ? NAN : frac, recent ? tick : NAN, fa, A_DIM);
		if (stale) {
			double age = r->at_s > 0 ? now_s - r->at_s : -1;
			if (age < 0)
				printw(" no data");
			else {
				attron(look(C_BAD, A_BOLD));
				printw(" EMG stale %.0f s", age);
				attroff(look(C_BAD, A_BOLD));
			}
		} else {
			attron(fa);
			printw(" %-9s", r->state);
			attroff(fa);
		}
		if (recent) {
			attron(look(C_GOOD, A_BOLD) | A_BOLD);
			if (isfinite(r->release_drop_pct))
				printw(" RELEASED -%.0f%% %.0fs ago", r->release_drop_pct,
				       now_s - r->release_at_s);
			else
				printw(" RELEASED %.0fs ago", now_s - r->release_at_s);
			attroff(look(C_GOOD, A_BOLD) | A_BOLD);
		} else if (r->releases) {
			printw(" releases %d", r->releases);
		}
		if (r->quality[0] && strcmp(r->quality, "uncalibrated"))
			printw(" [%s]", r->quality);
		y++;
		shown++;
	}
	return y;
}

static int draw_hold(const struct con_model *m, const struct screen *s, int y,
		     double now_s)
{
	if (!m->holding) {
		put(y, 1, s, A_DIM, "no hold (h starts one on the selected region)");
		return y + 1;
	}
	double hs = con_model_hold_s(m, now_s);
	char clock[16];
	fmt_clock(clock, sizeof(clock), hs);
	int past = isfinite(m->span_max_s) && isfinite(hs) && hs > m->span_max_s;
	put(y, 1, s, look(past ? C_WARN : C_INFO, A_BOLD) | A_BOLD, "HOLD %s", clock);
	printw("  %s on %s", m->technique[0] ? m->technique : "?",
	       m->hold_region[0] ? m->hold_region : "(whole body)");
	if (isfinite(m->span_min_s) && isfinite(m->span_max_s))
		printw("   usual %.0f-%.0f s%s", m->span_min_s, m->span_max_s,
		       past ? "  PAST THE USUAL SPAN" : "");
	return y + 1;
}

static void draw_bottom(const struct con_model *m, struct con_ui *u,
			const struct screen *s, int y_events, double now_s)
{
	int ys = s->rows - 2, yk = s->rows - 1;
	for (int i = 0; i < CON_NEVENTS && y_events + i < ys; i++) {
		if (!m->events[i][0])
			break;
		double age = now_s - m->event_at_s[i];
		put(y_events + i, 1, s, i == 0 && age < 10 ? A_BOLD : A_DIM,
		    "%5.0fs ago  %s", age, m->events[i]);
	}
	if (u->status[0]) {
		attr_t a = u->status_error ? look(C_BAD, A_BOLD) | A_BOLD : look(C_GOOD, A_NORMAL);
		if (now_s - u->status_at_s > STATUS_KEEP_S)
			a = A_DIM;
		put(ys, 1, s, a, "%s", u->status);
	}
	char prompt[256];
	con_ui_prompt(u, m, prompt, sizeof(prompt));
	if (prompt[0]) {
		attr_t a = look(C_HEAD, A_REVERSE);
		attron(a);
		mvhline(yk, 0, ' ', s->cols);
		attroff(a);
		put(yk, 1, s, a | A_BOLD, "%s", prompt);
	} else {
		put(yk, 1, s, A_DIM,
		    "s session  m mark  h hold  p pacer  b baseline  c calibrate  "
		    "arrows/tab region  q quit");
	}
}

void con_view_draw(const struct con_model *m, struct con_ui *u,
		   const struct con_view_opts *o, double now_s)
{
	struct screen s;
	getmaxyx(stdscr, s.rows, s.cols);
	s.g = o->utf8 ? &utf8_g : &ascii_g;
	erase();
	if (s.rows < 12 || s.cols < 40) {
		put(0, 0, &s, A_BOLD, "vagus console: terminal too small (%dx%d, need 40x12)",
		    s.cols, s.rows);
		refresh();
		return;
	}
	int nreg = m->nreg > 0 ? m->nreg : 1;
	/* rows: header 1, problems 1, gauge 7 or 2, pacer 2, advice 1-2,
	 * tension 1 + n, hold 1, events >= 0, status 1, keys 1; then, when
	 * rows are left, gaps between sections and the calm trend chart */
	int fixed_small = 1 + 1 + 2 + 2 + 1 + 1 + nreg + 1 + 2;
	int big = s.rows >= fixed_small + (GAUGE_ROWS - 2) + 4 && s.cols >= 80;
	int spare = s.rows - fixed_small - (big ? GAUGE_ROWS - 2 : 0);
	int gaps = spare >= 6;
	int left = spare - (gaps ? 4 : 0) - (spare >= 2 ? 1 : 0); /* for events, chart */
	int chart = big && left >= CHART_MIN_ROWS + CHART_KEEP_EVENTS + 1
		? left - CHART_KEEP_EVENTS - 1 : 0;
	if (chart > CHART_MAX_ROWS)
		chart = CHART_MAX_ROWS;
	int y = draw_header(m, &s, 0, now_s);
	y = draw_problems(m, o, &s, y, now_s);
	y = draw_gauge(m, &s, y + (gaps ? 1 : 0), big, !chart, now_s);
	if (chart)
		y = draw_chart(m, &s, y + 1, chart, now_s);
	y = draw_pacer(m, u, &s, y + (gaps ? 1 : 0), now_s);
	y = draw_advice(m, &s, y, spare >= 2, now_s);
	int max_rows = s.rows - 4 - (y + (gaps ? 1 : 0)) - 1;
	y = draw_regions(m, u, &s, y + (gaps ? 1 : 0), max_rows < 1 ? 1 : max_rows, now_s);
	y = draw_hold(m, &s, y, now_s);
	draw_bottom(m, u, &s, y + (gaps ? 1 : 0), now_s);
	refresh();
}
