/*
 * vagus-console - the therapist's console: a live ncurses view of a running
 * vagusd with keys that drive it over the control channel.
 *
 * Problem: during a session the therapist glances at the screen from the
 * table: calm (big, with its trend), heart rate, RMSSD, breathing, tension
 * per region with its releases, the breathing pacer and the pressure
 * advice; with one key they start a session, mark a technique, time a
 * hold, change the pacer or capture a baseline. Old data and lost sensors
 * must be obvious.
 * Approach: subscribe to every topic (model.c decodes them), poll the
 * keyboard without blocking (keys.c turns keys into control requests sent
 * with proto_ctl_request), redraw at 10 Hz to the terminal's size (view.c).
 * References: protocol/PROTOCOL.md (topics and the control channel).
 * Limits: a control request blocks the view up to CTL_TIMEOUT_MS when the
 * daemon does not answer.
 * usage: vagus-console [--pub EP] [--ctl EP] [--seconds S] [--ascii]
 */
#include "client.h"
#include "keys.h"
#include "model.h"
#include "proto.h"
#include "view.h"
#include "../tool_cli.h"
#include "vg_err.h"
#include "vg_sys.h"

#include <curses.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CTL_TIMEOUT_MS 1500
#define DRAW_PERIOD_S 0.1
#define RECV_WAIT_MS 20

static int map_key(int ch)
{
	switch (ch) {
	case KEY_UP: return CON_KEY_UP;
	case KEY_DOWN: return CON_KEY_DOWN;
	case KEY_LEFT: return CON_KEY_LEFT;
	case KEY_RIGHT: return CON_KEY_RIGHT;
	case '\t': return CON_KEY_TAB;
	case KEY_BTAB: return CON_KEY_BTAB;
	case KEY_ENTER: case '\n': case '\r': return CON_KEY_ENTER;
	case 27: return CON_KEY_ESC;
	case KEY_BACKSPACE: case 127: case 8: return CON_KEY_BACKSPACE;
	default: return ch;
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vagus-console [--pub ENDPOINT] [--ctl ENDPOINT] [--seconds S] [--ascii]\n"
		"  --pub ENDPOINT  vagusd's publish endpoint (default tcp://127.0.0.1:5560)\n"
		"  --ctl ENDPOINT  vagusd's control endpoint (default tcp://127.0.0.1:5561)\n"
		"  --seconds S     quit after S seconds\n"
		"  --ascii         no block characters (also when the locale is not UTF-8)\n"
		"  --help, --version\n"
		"keys: s session, m mark, h hold, p pacer, b baseline, c calibrate rest,\n"
		"      arrows/tab select region, ? help, q quit (during a session it asks:\n"
		"      stop the session, leave it running, or cancel)\n"
		"exit status: 0 ok, 1 cannot connect, 2 usage.\n"
		"vagus is not a medical device.\n");
}

static void pump(struct proto_sub *sub, struct con_model *m, int wait_ms)
{
	static char json[PROTO_MSG_MAX + 1];
	char topic[64];
	int r = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), wait_ms);
	while (r != VG_ERR_AGAIN && r != VG_ERR_IO) {
		if (r > 0)
			con_model_feed(m, json, (size_t)r, vg_mono_s());
		r = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), 0);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pub = "tcp://127.0.0.1:5560", *ctl = "tcp://127.0.0.1:5561";
	double seconds = -1;
	int ascii = 0, c;
	while ((c = getopt_long(argc, argv, "p:c:s:ahV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pub = optarg; break;
		case 'c': ctl = optarg; break;
		case 's': {
			char *end;
			seconds = strtod(optarg, &end);
			if (*end || !(seconds > 0)) {
				fprintf(stderr, "vagus-console: --seconds takes seconds (e.g. 60)\n");
				return TOOL_EXIT_USAGE;
			}
			break;
		}
		case 'a': ascii = 1; break;
		case 'h': usage(stdout); return TOOL_EXIT_OK;
		case 'V': return tool_version("vagus-console");
		default: usage(stderr); return TOOL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	int err = 0;
	struct proto_sub *sub = proto_sub_new(pub, NULL, 0, &err);
	if (!sub) {
		fprintf(stderr, "vagus-console: cannot connect to %s: %s\n", pub,
			vg_strerror(err));
		return 1;
	}
	setlocale(LC_ALL, "");
	struct con_view_opts vo = {
		.utf8 = !ascii && !strcmp(nl_langinfo(CODESET), "UTF-8"),
		.pub = pub, .ctl = ctl
	};
	vg_stop_install();
	vg_stop_also(SIGHUP); /* the terminal went away */
	initscr();
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	con_view_setup();

	static struct con_model m;
	static struct con_ui u;
	con_model_init(&m);
	con_ui_init(&u);
	static char req[1024], reply[PROTO_MSG_MAX];
	double end = seconds > 0 ? vg_mono_s() + seconds : -1, next_draw = 0;
	while (!vg_stop_requested() && !u.quit && (end < 0 || vg_mono_s() < end)) {
		pump(sub, &m, RECV_WAIT_MS);
		int ch;
		while ((ch = getch()) != ERR && !u.quit) {
			if (ch == KEY_RESIZE) {
				next_draw = 0;
				continue;
			}
			if (!con_ui_key(&u, &m, map_key(ch), req, sizeof(req), vg_mono_s()))
				continue;
			int rc = proto_ctl_request(ctl, req, reply, sizeof(reply),
						   CTL_TIMEOUT_MS);
			con_ui_reply(&u, &m, rc, reply, vg_mono_s());
			pump(sub, &m, 0); /* the request's events, before redrawing */
			next_draw = 0;
		}
		if (vg_mono_s() >= next_draw) {
			con_view_draw(&m, &u, &vo, vg_mono_s());
			next_draw = vg_mono_s() + DRAW_PERIOD_S;
		}
	}
	endwin();
	proto_sub_destroy(&sub);
	return 0;
}
