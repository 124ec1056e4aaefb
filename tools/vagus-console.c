/*
 * vagus-console - live terminal view of a running vagusd (ncurses).
 *
 * Problem: the therapist needs to see, at a glance and from across the room,
 * heart rate, HRV (RMSSD), the calm estimate and per-muscle tension, and to
 * notice at once when data is stale or a sensor is lost.
 * Approach: subscribe to beat, hrv, emg, status and event; keep the latest
 * of each; redraw at 10 Hz to fit the terminal; values older than
 * STALE_S are shown as stale. q quits.
 * Limits: read-only view (the control keys arrive with the control channel).
 * usage: vagus-console [--pub ENDPOINT] [--seconds S]
 */
#include "client.h"
#include "pipeline.h"
#include "proto.h"
#include "vg_err.h"

#include <cjson/cJSON.h>
#include <curses.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_EMG 16
#define STALE_S 5.0

struct view {
	struct pl_beat beat;
	double beat_at;
	struct pl_hrv hrv_short, hrv_long;
	double hrv_at;
	struct pl_emg emg[MAX_EMG];
	double emg_at[MAX_EMG];
	double emg_peak[MAX_EMG];
	int n_emg;
	char sources[512];
	double status_at;
	char last_event[256];
	uint64_t lost_msgs;
	uint64_t last_seq[8];
	int have_seq[8];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void summarize_sources(struct view *v, const char *json)
{
	cJSON *arr = cJSON_Parse(json);
	size_t len = 0;
	v->sources[0] = '\0';
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "state");
		if (!cJSON_IsString(n) || !cJSON_IsString(s))
			continue;
		int k = snprintf(v->sources + len, sizeof(v->sources) - len, "%s%s: %s",
				 len ? "  " : "", n->valuestring, s->valuestring);
		if (k < 0 || (size_t)k >= sizeof(v->sources) - len)
			break;
		len += (size_t)k;
	}
	cJSON_Delete(arr);
}

static void handle(struct view *v, const char *json, size_t len)
{
	static union {
		struct pl_beat b;
		struct pl_hrv h;
		struct pl_emg e;
		struct proto_status s;
		struct proto_event ev;
	} m;
	struct proto_header hdr;
	const struct proto_topic *t;
	if (proto_decode(json, len, &hdr, &t, &m, sizeof(m)) < 0 || !t)
		return;
	/* per-topic sequence gaps */
	const struct proto_topic *const *all = proto_topics();
	for (int i = 0; i < 8 && all[i]; i++) {
		if (all[i] != t)
			continue;
		if (v->have_seq[i] && hdr.seq > v->last_seq[i] + 1)
			v->lost_msgs += hdr.seq - v->last_seq[i] - 1;
		v->last_seq[i] = hdr.seq;
		v->have_seq[i] = 1;
	}
	double now = now_s();
	if (!strcmp(t->name, "beat")) {
		v->beat = m.b;
		v->beat_at = now;
	} else if (!strcmp(t->name, "hrv")) {
		if (m.h.r.window_s <= 90)
			v->hrv_short = m.h;
		else
			v->hrv_long = m.h;
		v->hrv_at = now;
	} else if (!strcmp(t->name, "emg")) {
		int c = m.e.r.channel;
		if (c >= 0 && c < MAX_EMG) {
			v->emg[c] = m.e;
			v->emg_at[c] = now;
			if (m.e.r.rms_uv > v->emg_peak[c])
				v->emg_peak[c] = m.e.r.rms_uv;
			if (c + 1 > v->n_emg)
				v->n_emg = c + 1;
		}
	} else if (!strcmp(t->name, "status")) {
		summarize_sources(v, m.s.sources);
		v->status_at = now;
	} else if (!strcmp(t->name, "event")) {
		snprintf(v->last_event, sizeof(v->last_event), "%.40s %.40s %.160s",
			 m.ev.kind, m.ev.source, m.ev.detail);
	}
}

static void fmt_num(char *buf, size_t cap, double x, int dec, int stale)
{
	if (!isfinite(x) || stale)
		snprintf(buf, cap, "--");
	else
		snprintf(buf, cap, "%.*f", dec, x);
}

static void draw(const struct view *v, const char *ep)
{
	double now = now_s();
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	erase();
	attron(A_BOLD);
	mvprintw(0, 0, "vagus live view  %s", ep);
	attroff(A_BOLD);
	mvprintw(0, cols > 20 ? cols - 18 : 0, "q: quit");
	int beat_stale = v->beat_at == 0 || now - v->beat_at > STALE_S;
	int hrv_stale = v->hrv_at == 0 || now - v->hrv_at > STALE_S;
	char hr[16], rr[16], rm1[16], rm5[16], sd[16], calm[16];
	fmt_num(hr, sizeof(hr), v->beat.hr_bpm, 0, beat_stale);
	fmt_num(rr, sizeof(rr), v->beat.rr_ms, 0, beat_stale);
	fmt_num(rm1, sizeof(rm1), v->hrv_short.r.rmssd_ms, 1, hrv_stale);
	fmt_num(rm5, sizeof(rm5), v->hrv_long.r.rmssd_ms, 1, hrv_stale);
	fmt_num(sd, sizeof(sd), v->hrv_long.r.sdnn_ms, 1, hrv_stale);
	fmt_num(calm, sizeof(calm), v->hrv_long.r.calm, 0, hrv_stale);
	mvprintw(2, 2, "Heart rate   %6s bpm    RR %6s ms", hr, rr);
	mvprintw(3, 2, "RMSSD 60 s   %6s ms     300 s %6s ms   SDNN %6s ms", rm1,
		 rm5, sd);
	mvprintw(4, 2, "Calm         %6s / 100", calm);
	if (beat_stale)
		mvprintw(5, 2, "(no heartbeat data for %.0f s)",
			 v->beat_at == 0 ? 0.0 : now - v->beat_at);
	mvprintw(7, 2, "Muscle tension (RMS uV)");
	int barw = cols - 46;
	if (barw < 10)
		barw = 10;
	for (int c = 0; c < v->n_emg && 8 + c < rows - 3; c++) {
		const struct emg_result *r = &v->emg[c].r;
		int stale = now - v->emg_at[c] > STALE_S;
		double peak = v->emg_peak[c] > 1 ? v->emg_peak[c] : 1;
		int fill = stale || !isfinite(r->rms_uv)
				   ? 0 : (int)lround(barw * r->rms_uv / peak);
		if (fill > barw)
			fill = barw;
		mvprintw(8 + c, 2, "%-22.22s %7.1f ", r->name,
			 stale ? NAN : r->rms_uv);
		for (int i = 0; i < barw; i++)
			addch(i < fill ? '#' : '.');
		printw(" %s", stale ? "stale" : emg_state_name(r->state));
	}
	mvprintw(rows - 3, 0, "Sources: %s%s", v->sources,
		 v->status_at == 0 || now - v->status_at > 3 ? "  (daemon silent)" : "");
	mvprintw(rows - 2, 0, "Last event: %.*s", cols > 13 ? cols - 13 : 0,
		 v->last_event);
	mvprintw(rows - 1, 0, "messages lost: %llu   vagus is not a medical device",
		 (unsigned long long)v->lost_msgs);
	refresh();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ep = "tcp://127.0.0.1:5560";
	double seconds = -1;
	int c;
	while ((c = getopt_long(argc, argv, "p:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': ep = optarg; break;
		case 's': seconds = strtod(optarg, NULL); break;
		case 'h':
			printf("usage: vagus-console [--pub ENDPOINT] [--seconds S]\n");
			return 0;
		default: return 2;
		}
	}
	int err = 0;
	struct proto_sub *sub = proto_sub_new(ep, NULL, 0, &err);
	if (!sub) {
		fprintf(stderr, "vagus-console: cannot connect to %s: %s\n", ep,
			vg_strerror(err));
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	initscr();
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	curs_set(0);
	static struct view v;
	static char json[PROTO_MSG_MAX + 1];
	char topic[64];
	double end = seconds > 0 ? now_s() + seconds : -1, next_draw = 0;
	while (!stop && (end < 0 || now_s() < end)) {
		int r = proto_sub_recv(sub, topic, sizeof(topic), json, sizeof(json), 20);
		if (r > 0)
			handle(&v, json, (size_t)r);
		/* drain what is queued without waiting */
		while ((r = proto_sub_recv(sub, topic, sizeof(topic), json,
					   sizeof(json), 0)) != VG_ERR_AGAIN) {
			if (r > 0)
				handle(&v, json, (size_t)r);
			else if (r == VG_ERR_IO)
				break;
		}
		int ch = getch();
		if (ch == 'q' || ch == 'Q')
			break;
		if (now_s() >= next_draw) {
			draw(&v, ep);
			next_draw = now_s() + 0.1;
		}
	}
	endwin();
	proto_sub_destroy(&sub);
	return 0;
}
