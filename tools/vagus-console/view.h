/*
 * view.h - draw the console's state on the terminal (ncurses).
 *
 * Problem: readable from across the room and honest about old data: a big
 * calm gauge with its trend, the heart figures, the pacer, the advice and
 * the tension per region, in whatever size the terminal has.
 * Approach: con_view_draw() redraws the whole screen from the model and the
 * key state (erase + refresh; curses sends only the differences). Rows are
 * laid out top-down and sections shrink (big digits, then spare rows) when
 * the terminal is small. Block characters when the locale is UTF-8, ASCII
 * otherwise; colour when the terminal has it, bold/reverse otherwise.
 * Limits: needs at least 40 x 12 to show everything; smaller prints a note.
 */
#ifndef CON_VIEW_H
#define CON_VIEW_H

#include "keys.h"
#include "model.h"

struct con_view_opts {
	int utf8;            /* block characters */
	const char *pub, *ctl; /* endpoints, named when the daemon is silent */
};

/* Once, after initscr(): colours if the terminal has them. */
void con_view_setup(void);
void con_view_draw(const struct con_model *m, struct con_ui *u,
		   const struct con_view_opts *o, double now_s);

#endif
