/*
 * view.c - the console's screen (see view.h).
 *
 * Problem: show many figures without clutter, biggest what matters most
 * (calm), and never show an old value as if it were current.
 * Approach: sections drawn top-down into the rows the terminal has: header
 * (session and clock), problems (lost sources, silent daemon), the calm
 * gauge with the heart figures (gauge.c), the calm trend chart when rows
 * are left, the pacer (phase word and a bar that fills on the in-breath and
 * empties on the out-breath), the advice with its reasons, one tension bar
 * per region (release marks: a tick where the level dropped from, and the
 * drop), the hold clock, recent events, the status line and the keys.
 * Stale figures print "--" with their age.
 * Limits: at most CON_MAX_REGIONS bars; text is cut at the right edge.
 */
#include "view.h"

#include "draw.h"
#include "gauge.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define STATUS_KEEP_S 20.0  /* the status line fades after this, s */
#define CHART_MIN_ROWS 4    /* calm trend chart: drawn when this fits, */
#define CHART_MAX_ROWS 9    /* ... up to this tall (caption included) */
#define CHART_KEEP_EVENTS 3 /* rows left for events below it */

void con_view_setup(void)
{
	con_draw_setup();
}

static int draw_header(const struct con_model *m, const struct con_screen *s, int y,
		       double now_s)
{
	attr_t h = con_look(CON_C_HEAD, A_REVERSE);
	attron(h);
	mvhline(y, 0, ' ', s->cols);
	attroff(h);
	char clock[16], ses[160];
	con_fmt_clock(clock, sizeof(clock), con_model_session_s(m, now_s));
	if (m->session[0])
		snprintf(ses, sizeof(ses), "SESSION %s  %s", clock, m->session);
	else
		snprintf(ses, sizeof(ses), "no session (s starts one)");
	con_put(y, 0, s, h | A_BOLD, " vagus console  %s", ses);
	char right[96];
	snprintf(right, sizeof(right), "%s%s ", m->version[0] ? "vagusd " : "", m->version);
	int x = s->cols - (int)strlen(right);
	if (x > 40 + (int)strlen(ses))
		con_put(y, x, s, h, "%s", right);
	return y + 1;
}

static int draw_problems(const struct con_model *m, const struct con_view_opts *o,
			 const struct con_screen *s, int y, double now_s)
{
	char p[512];
	if (con_model_problems(m, now_s, p, sizeof(p)))
		con_put(y, 0, s, con_look(CON_C_BAD, A_REVERSE) | A_BOLD, " ! %s%s%s ", p,
		    con_model_stale(m, CON_FEED_STATUS, now_s) ? " on " : "",
		    con_model_stale(m, CON_FEED_STATUS, now_s) ? o->pub : "");
	else if (m->lost_msgs)
		con_put(y, 0, s, A_DIM, " all sources running; %llu messages lost in transit",
		    (unsigned long long)m->lost_msgs);
	else
		con_put(y, 0, s, A_DIM, " all sources running");
	return y + 1;
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
		      const struct con_screen *s, int y, double now_s)
{
	double age = con_model_age(m, CON_FEED_GUIDE, now_s);
	con_put(y, 1, s, A_BOLD, "PACER");
	if (age < 0 || age > CON_STALE_S) {
		if (age < 0)
			con_put(y, 8, s, con_look(CON_C_WARN, A_BOLD),
			    "no guide data from the daemon (guidance engine not running)");
		else
			con_put(y, 8, s, con_look(CON_C_BAD, A_BOLD), "guide data stale %.0f s", age);
		con_put(y + 1, 8, s, A_DIM, "requested pattern: %s", con_patterns[u->pattern]);
		return y + 2;
	}
	char rate[16], fol[16];
	con_fmt(rate, sizeof(rate), m->rate_bpm, 1, 0);
	con_fmt(fol, sizeof(fol), m->following, 2, 0);
	con_put(y, 8, s, A_NORMAL, "%s  %s /min  breath following %s", m->pattern, rate, fol);
	if (!strcmp(m->phase, "off") || !m->phase[0]) {
		con_put(y + 1, 8, s, A_DIM, "off (p chooses a pattern)");
		return y + 2;
	}
	double f = m->progress;
	if (!strcmp(m->phase, "hold"))
		f = 1;
	else if (!strcmp(m->phase, "exhale"))
		f = 1 - m->progress;
	else if (!strcmp(m->phase, "hold_out"))
		f = 0;
	attr_t pa = !strcmp(m->phase, "inhale") ? con_look(CON_C_GOOD, A_BOLD)
		  : !strcmp(m->phase, "exhale") ? con_look(CON_C_INFO, A_BOLD)
						: con_look(CON_C_WARN, A_BOLD);
	con_put(y + 1, 1, s, pa | A_BOLD, "%s", phase_word(m->phase));
	int w = s->cols - 26;
	if (w > 70)
		w = 70;
	if (w > 4) {
		move(y + 1, 14);
		con_bar(s, w, f, NAN, pa, A_DIM);
		char ps[16];
		con_fmt(ps, sizeof(ps), m->phase_s * (1 - m->progress), 0, 0);
		printw(" %s s", ps);
	}
	return y + 2;
}

static int draw_advice(const struct con_model *m, const struct con_screen *s, int y,
		       int two_rows, double now_s)
{
	con_put(y, 1, s, A_BOLD, "ADVICE");
	double age = con_model_age(m, CON_FEED_GUIDE, now_s);
	if (age < 0 || age > CON_STALE_S) {
		con_put(y, 8, s, A_DIM, "-- (no pressure advice without the guidance engine)");
		return y + 1 + (two_rows ? 1 : 0);
	}
	const char *word = "no signal";
	attr_t a = A_DIM;
	if (!strcmp(m->advice, "ease")) {
		word = "EASE OFF";
		a = con_look(CON_C_BAD, A_REVERSE) | A_BOLD;
	} else if (!strcmp(m->advice, "hold")) {
		word = "HOLD PRESSURE";
		a = con_look(CON_C_WARN, A_BOLD) | A_BOLD;
	} else if (!strcmp(m->advice, "deepen-ok")) {
		word = "MAY DEEPEN";
		a = con_look(CON_C_GOOD, A_BOLD) | A_BOLD;
	}
	con_put(y, 8, s, a, " %s ", word);
	char conf[16];
	con_fmt(conf, sizeof(conf), m->confidence, 2, 0);
	printw("  confidence %s  profile %s", conf, m->profile[0] ? m->profile : "--");
	if (two_rows) {
		con_put(y + 1, 8, s, A_NORMAL, "because: %s", m->reasons[0] ? m->reasons : "--");
		return y + 2;
	}
	printw("  %s", m->reasons);
	return y + 1;
}

static int draw_regions(const struct con_model *m, struct con_ui *u,
			const struct con_screen *s, int y, int max_rows, double now_s)
{
	con_put(y, 1, s, A_BOLD, "TENSION");
	con_put(y, 9, s, A_DIM, "(RMS uV, level %% of reference; %s = released from here)",
	    s->g->mark);
	y++;
	con_ui_region(u, m);
	int shown = 0;
	if (m->nreg == 0)
		con_put(y++, 3, s, A_DIM, "no EMG channels yet");
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
		con_fmt(rms, sizeof(rms), r->rms_uv, 1, stale);
		con_fmt(lvl, sizeof(lvl), r->level_pct, 0, stale);
		attr_t na = c == u->sel ? A_REVERSE : A_NORMAL;
		con_put(y, 1, s, na, "%s%-*.*s", c == u->sel ? ">" : " ", namew, namew, r->name);
		printw(" %6s uV %4s %%  ", rms, lvl);
		int recent = r->release_at_s > 0 && now_s - r->release_at_s < CON_RELEASE_SHOW_S;
		attr_t fa = !strcmp(r->state, "tense") ? con_look(CON_C_WARN, A_BOLD)
			  : !strcmp(r->state, "releasing") ? con_look(CON_C_GOOD, A_BOLD)
							   : con_look(CON_C_INFO, A_NORMAL);
		/* level (0 = rest, 100 = reference) when the daemon has one,
		 * else the envelope against its recent peak */
		int pct = isfinite(r->level_pct);
		double frac = pct ? r->level_pct / 100.0 : r->rms_uv / r->scale_uv;
		double tick = pct ? r->release_from_pct / 100.0
				  : r->release_from_uv / r->scale_uv;
		if (barw > 4)
			con_bar(s, barw, stale ? NAN : frac, recent ? tick : NAN, fa, A_DIM);
		if (stale) {
			double age = r->at_s > 0 ? now_s - r->at_s : -1;
			if (age < 0)
				printw(" no data");
			else {
				attron(con_look(CON_C_BAD, A_BOLD));
				printw(" EMG stale %.0f s", age);
				attroff(con_look(CON_C_BAD, A_BOLD));
			}
		} else {
			attron(fa);
			printw(" %-9s", r->state);
			attroff(fa);
		}
		if (recent) {
			attron(con_look(CON_C_GOOD, A_BOLD) | A_BOLD);
			if (isfinite(r->release_drop_pct))
				printw(" RELEASED -%.0f%% %.0fs ago", r->release_drop_pct,
				       now_s - r->release_at_s);
			else
				printw(" RELEASED %.0fs ago", now_s - r->release_at_s);
			attroff(con_look(CON_C_GOOD, A_BOLD) | A_BOLD);
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

static int draw_hold(const struct con_model *m, const struct con_screen *s, int y,
		     double now_s)
{
	if (!m->holding) {
		con_put(y, 1, s, A_DIM, "no hold (h starts one on the selected region)");
		return y + 1;
	}
	double hs = con_model_hold_s(m, now_s);
	char clock[16];
	con_fmt_clock(clock, sizeof(clock), hs);
	int past = isfinite(m->span_max_s) && isfinite(hs) && hs > m->span_max_s;
	con_put(y, 1, s, con_look(past ? CON_C_WARN : CON_C_INFO, A_BOLD) | A_BOLD, "HOLD %s", clock);
	printw("  %s on %s", m->technique[0] ? m->technique : "?",
	       m->hold_region[0] ? m->hold_region : "(whole body)");
	if (isfinite(m->span_min_s) && isfinite(m->span_max_s))
		printw("   usual %.0f-%.0f s%s", m->span_min_s, m->span_max_s,
		       past ? "  PAST THE USUAL SPAN" : "");
	return y + 1;
}

static void draw_bottom(const struct con_model *m, struct con_ui *u,
			const struct con_screen *s, int y_events, double now_s)
{
	int ys = s->rows - 2, yk = s->rows - 1;
	for (int i = 0; i < CON_NEVENTS && y_events + i < ys; i++) {
		if (!m->events[i][0])
			break;
		double age = now_s - m->event_at_s[i];
		con_put(y_events + i, 1, s, i == 0 && age < 10 ? A_BOLD : A_DIM,
		    "%5.0fs ago  %s", age, m->events[i]);
	}
	if (u->status[0]) {
		attr_t a = u->status_error ? con_look(CON_C_BAD, A_BOLD) | A_BOLD : con_look(CON_C_GOOD, A_NORMAL);
		if (now_s - u->status_at_s > STATUS_KEEP_S)
			a = A_DIM;
		con_put(ys, 1, s, a, "%s", u->status);
	}
	char prompt[256];
	con_ui_prompt(u, m, prompt, sizeof(prompt));
	if (prompt[0]) {
		attr_t a = con_look(CON_C_HEAD, A_REVERSE);
		attron(a);
		mvhline(yk, 0, ' ', s->cols);
		attroff(a);
		con_put(yk, 1, s, a | A_BOLD, "%s", prompt);
	} else {
		con_put(yk, 1, s, A_DIM,
		    "s session  m mark  h hold  p pacer  b baseline  c calibrate  "
		    "arrows/tab region  q quit");
	}
}

void con_view_draw(const struct con_model *m, struct con_ui *u,
		   const struct con_view_opts *o, double now_s)
{
	struct con_screen s;
	getmaxyx(stdscr, s.rows, s.cols);
	s.g = o->utf8 ? &con_glyphs_utf8 : &con_glyphs_ascii;
	erase();
	if (s.rows < 12 || s.cols < 40) {
		con_put(0, 0, &s, A_BOLD, "vagus console: terminal too small (%dx%d, need 40x12)",
		    s.cols, s.rows);
		refresh();
		return;
	}
	int nreg = m->nreg > 0 ? m->nreg : 1;
	/* rows: header 1, problems 1, gauge 7 or 2, pacer 2, advice 1-2,
	 * tension 1 + n, hold 1, events >= 0, status 1, keys 1; then, when
	 * rows are left, gaps between sections and the calm trend chart */
	int fixed_small = 1 + 1 + 2 + 2 + 1 + 1 + nreg + 1 + 2;
	int big = s.rows >= fixed_small + (CON_GAUGE_ROWS - 2) + 4 && s.cols >= 80;
	int spare = s.rows - fixed_small - (big ? CON_GAUGE_ROWS - 2 : 0);
	int gaps = spare >= 6;
	int left = spare - (gaps ? 4 : 0) - (spare >= 2 ? 1 : 0); /* for events, chart */
	int chart = big && left >= CHART_MIN_ROWS + CHART_KEEP_EVENTS + 1
		? left - CHART_KEEP_EVENTS - 1 : 0;
	if (chart > CHART_MAX_ROWS)
		chart = CHART_MAX_ROWS;
	int y = draw_header(m, &s, 0, now_s);
	y = draw_problems(m, o, &s, y, now_s);
	y = con_gauge_draw(m, &s, y + (gaps ? 1 : 0), big, !chart, now_s);
	if (chart)
		y = con_chart_draw(m, &s, y + 1, chart, now_s);
	y = draw_pacer(m, u, &s, y + (gaps ? 1 : 0), now_s);
	y = draw_advice(m, &s, y, spare >= 2, now_s);
	int max_rows = s.rows - 4 - (y + (gaps ? 1 : 0)) - 1;
	y = draw_regions(m, u, &s, y + (gaps ? 1 : 0), max_rows < 1 ? 1 : max_rows, now_s);
	y = draw_hold(m, &s, y, now_s);
	draw_bottom(m, u, &s, y + (gaps ? 1 : 0), now_s);
	refresh();
}
