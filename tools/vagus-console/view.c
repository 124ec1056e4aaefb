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

#define CHART_MIN_ROWS 4    /* calm trend chart: drawn when this fits, */
#define CHART_MAX_ROWS 9    /* ... up to this tall (caption included) */
#define CHART_KEEP_EVENTS 3 /* rows left for events below it */

void con_view_setup(void)
{
	con_draw_setup();
}

/* Top line: session and its clock on the left; REC / NOT RECORDING and
 * SIMULATOR on the right, always (they matter more than the session id). */
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
	const char *rec = !m->have_rec ? "" : m->recording ? " REC " : " NOT RECORDING ";
	const char *sim = m->simulated ? " SIMULATOR " : "";
	int rw = (int)strlen(rec) + (int)strlen(sim) + (sim[0] && rec[0] ? 1 : 0) + 1;
	int x = s->cols - 1 - rw;
	/* the left part gives way to the badges */
	char left[200];
	snprintf(left, sizeof(left), " vagus  %s", ses);
	int room = x - 1;
	if (room > 0) {
		if ((int)strlen(left) > room)
			left[room] = '\0';
		con_put(y, 0, s, h | A_BOLD, "%s", left);
	}
	if (rec[0]) {
		attr_t ra = m->recording ? con_look(CON_C_BAD, A_REVERSE) | A_BOLD
			  : m->session[0] ? con_look(CON_C_WARN, A_REVERSE) | A_BOLD
					  : h;
		con_put(y, x, s, ra, "%s", rec);
		x += (int)strlen(rec) + 1;
	}
	if (sim[0])
		con_put(y, x, s, con_look(CON_C_WARN, A_REVERSE) | A_BOLD, "%s", sim);
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
	if (m->simulated)
		con_add(s, A_DIM, "; simulated data, not a person's");
	if (m->recording && m->record_path[0])
		con_add(s, A_DIM, "; recording to %s", m->record_path);
	else if (m->session[0] && m->have_rec && !m->recording)
		con_add(s, con_look(CON_C_WARN, A_BOLD), "; this session is NOT being recorded");
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
	con_fmt(fol, sizeof(fol), m->following * 100.0, 0, 0);
	con_put(y, 8, s, A_NORMAL, "%s  %s /min  heart follows pacer %s %%", m->pattern, rate,
	    fol);
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
		con_add(s, A_NORMAL, " %s s", ps);
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
	if (!con_model_advice_ready(m)) {
		/* the guide has nothing to go on before the first HRV window */
		con_put(y, 8, s, A_DIM, "waiting for data (pressure advice needs about a "
		    "minute of heartbeats)");
		return y + 1 + (two_rows ? 1 : 0);
	}
	con_put(y, 8, s, a, " %s ", word);
	char conf[16];
	con_fmt(conf, sizeof(conf), m->confidence, 2, 0);
	con_add(s, A_NORMAL, "  confidence %s  profile %s", conf,
		m->profile[0] ? m->profile : "--");
	if (two_rows) {
		con_put(y + 1, 8, s, A_NORMAL, "because: %s", m->reasons[0] ? m->reasons : "--");
		return y + 2;
	}
	con_add(s, A_NORMAL, "  %s", m->reasons);
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
	/* a recent release needs room for its words on narrow screens */
	int any_recent = 0;
	for (int c = 0; c < m->nreg; c++)
		any_recent |= m->reg[c].release_at_s > 0 &&
			      now_s - m->reg[c].release_at_s < CON_RELEASE_SHOW_S;
	int narrow = s->cols < 100;
	int barw = s->cols - (namew + 22) - (narrow ? 12 + (any_recent ? 14 : 0) : 34);
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
		con_add(s, A_NORMAL, " %6s uV %4s %%  ", rms, lvl);
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
				con_add(s, A_NORMAL, " no data");
			else
				con_add(s, con_look(CON_C_BAD, A_BOLD), " EMG stale %.0f s", age);
		} else {
			con_add(s, fa, " %-9s", r->state);
		}
		if (recent) {
			attr_t ga = con_look(CON_C_GOOD, A_BOLD) | A_BOLD;
			if (isfinite(r->release_drop_pct) && narrow)
				con_add(s, ga, " RELEASED -%.0f%%", r->release_drop_pct);
			else if (isfinite(r->release_drop_pct))
				con_add(s, ga, " RELEASED -%.0f%% %.0fs ago", r->release_drop_pct,
					now_s - r->release_at_s);
			else
				con_add(s, ga, " RELEASED %.0fs ago", now_s - r->release_at_s);
		} else if (r->releases) {
			con_add(s, A_NORMAL, " releases %d", r->releases);
		}
		if (r->quality[0] && strcmp(r->quality, "uncalibrated"))
			con_add(s, A_NORMAL, " [%s]", r->quality);
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
	con_add(s, A_NORMAL, "  %s on %s", m->technique[0] ? m->technique : "?",
		m->hold_region[0] ? m->hold_region : "(whole body)");
	if (isfinite(m->span_min_s) && isfinite(m->span_max_s))
		con_add(s, A_NORMAL, "  usual %.0f-%.0f s%s", m->span_min_s, m->span_max_s,
			past ? (s->cols < 100 ? ": PAST IT" : "  PAST THE USUAL SPAN") : "");
	return y + 1;
}

/* The status row: the answer to a later key or a refusal while fresh, else
 * a capture in progress (it says more than the "accepted" line), else the
 * answer to the last key while fresh, else how the last capture ended. */
static void draw_status(const struct con_model *m, const struct con_ui *u,
			const struct con_screen *s, int y, double now_s)
{
	const char *st = con_ui_status(u, now_s);
	int capturing = 0;
	double begun = 0;
	for (int k = 0; k < CON_CAP_N; k++)
		if (con_model_capturing(m, (enum con_capture_kind)k, now_s, NULL)) {
			capturing = 1;
			if (m->cap[k].begin_at_s > begun)
				begun = m->cap[k].begin_at_s;
		}
	if (st && (u->status_error || !capturing || u->status_at_s > begun)) {
		attr_t a = u->status_error ? con_look(CON_C_BAD, A_BOLD) | A_BOLD
					   : con_look(CON_C_GOOD, A_NORMAL);
		con_put(y, 1, s, a, "%s", st);
		return;
	}
	double left;
	attr_t a = con_look(CON_C_INFO, A_BOLD) | A_BOLD;
	if (con_model_capturing(m, CON_CAP_BASELINE, now_s, &left)) {
		con_put(y, 1, s, a, "capturing the calm baseline: %.0f s left, keep the client "
		    "at rest", left);
		return;
	}
	const struct con_capture *c = &m->cap[CON_CAP_CALIBRATION];
	if (con_model_capturing(m, CON_CAP_CALIBRATION, now_s, &left)) {
		con_put(y, 1, s, a, "calibrating %s on %s: %.0f s left, keep it %s", c->kind,
		    c->what, left, strcmp(c->kind, "rest") ? "contracted" : "relaxed");
		return;
	}
	for (int k = 0; k < CON_CAP_N; k++) {
		c = &m->cap[k];
		if (c->result[0] && now_s - c->result_at_s < CON_STATUS_ERR_KEEP_S) {
			con_put(y, 1, s, con_look(CON_C_GOOD, A_NORMAL), "%s", c->result);
			return;
		}
	}
}

static void draw_bottom(const struct con_model *m, struct con_ui *u,
			const struct con_screen *s, int y_events, double now_s)
{
	int ys = s->rows - 2, yk = s->rows - 1;
	for (int i = 0; i < CON_NEVENTS && y_events + i < ys; i++) {
		if (!m->events[i][0])
			break;
		double age = con_model_event_age(m, i); /* signal seconds */
		char when[24];
		if (isfinite(age))
			snprintf(when, sizeof(when), "%5.0fs ago", age);
		else
			snprintf(when, sizeof(when), "%9s", "");
		con_put(y_events + i, 1, s, i == 0 && now_s - m->event_at_s[0] < 10 ? A_BOLD : A_DIM,
		    "%s  %s", when, m->events[i]);
	}
	draw_status(m, u, s, ys, now_s);
	char prompt[256];
	con_ui_prompt(u, m, prompt, sizeof(prompt));
	if (prompt[0]) {
		attr_t a = con_look(CON_C_HEAD, A_REVERSE);
		attron(a);
		mvhline(yk, 0, ' ', s->cols);
		attroff(a);
		con_put(yk, 1, s, a | A_BOLD, "%s", prompt);
	} else {
		con_put(yk, 0, s, A_DIM, "%s", con_ui_keys_line(s->cols - 1));
	}
}

/* The help screen (?): every key, and the words on the screen explained. */
static void draw_help(const struct con_screen *s)
{
	static const char *const lines[] = {
		"KEYS",
		"  s  start a session (asks the client's name); during one: stop it",
		"  m  mark what you do now (asks a label) on the selected region",
		"  h  start a hold on the selected region (choose the technique); again: stop",
		"  p  next breathing pacer pattern (off, 4-2-6, resonance, follow, adaptive)",
		"  b  capture the calm baseline now (keep the client at rest)",
		"  c  calibrate the selected region at rest (keep it relaxed)",
		"  arrows / tab  select the region     ?  this help     q  quit",
		"  q during a session asks: stop it (summary written) / leave it running",
		"",
		"WORDS",
		"  REC / NOT RECORDING  whether this session is written to disk",
		"  SIMULATOR  the figures come from the built-in simulator, not a person",
		"  heart follows pacer N %  how closely the heart rhythm rises and falls",
		"     with the pacer's breaths (over the last minute); high = the client",
		"     is breathing with the pacer",
		"  Breathing (measured)  breaths per minute from the breathing signal;",
		"     (from heart rhythm) = estimated from the heart-rate variability",
		"  CALM 0-100  50 = as at the baseline; higher = calmer",
		"  level %  of a region: 0 = its rest, 100 = its reference contraction",
		"  waiting for data  the figure needs about a minute of heartbeats",
	};
	int n = (int)(sizeof(lines) / sizeof(lines[0]));
	con_put(0, 0, s, A_BOLD | A_REVERSE, " vagus console help ");
	for (int i = 0; i < n && i + 1 < s->rows - 1; i++)
		con_put(i + 1, 1, s, i == 0 || i == 10 ? A_BOLD : A_NORMAL, "%s", lines[i]);
	con_put(s->rows - 1, 1, s, A_DIM, "any key closes this help");
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
	if (u->mode == CON_MODE_HELP) {
		draw_help(&s);
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
