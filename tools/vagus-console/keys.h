/*
 * keys.h - the console's keys: prompts, region selection, and the control
 * requests they send (pure: no curses, no sockets).
 *
 * Problem: every key the therapist presses must do one clear thing, ask
 * only what is needed (a client name, a mark label, a technique), and show
 * the daemon's answer, including refusals, in words.
 * Approach: a small state machine. con_ui_key() takes one key (a byte or a
 * CON_KEY_* code; the caller maps curses codes) and, when a request is due,
 * writes it as one JSON object for proto_ctl_request(); con_ui_reply() turns
 * the reply (or the lack of one) into the status line.
 * Keys: s start/stop session, m mark, h hold start/stop, p pacer pattern,
 * b baseline, c calibrate rest, arrows/tab select region, ? help, q quit
 * (during a session q asks: stop the session and quit, leave it running
 * and quit, or cancel). Status lines clear after CON_STATUS_KEEP_S
 * (refusals after CON_STATUS_ERR_KEEP_S).
 * Limits: one request at a time (the caller waits for each reply).
 */
#ifndef CON_KEYS_H
#define CON_KEYS_H

#include <stddef.h>

#include "model.h"

enum {
	CON_KEY_UP = 0x1000,
	CON_KEY_DOWN,
	CON_KEY_LEFT,
	CON_KEY_RIGHT,
	CON_KEY_TAB,
	CON_KEY_BTAB,
	CON_KEY_ENTER,
	CON_KEY_ESC,
	CON_KEY_BACKSPACE
};

enum con_mode {
	CON_MODE_NORMAL,
	CON_MODE_TEXT,      /* typing a client name or a mark label */
	CON_MODE_TECHNIQUE, /* choosing the hold's technique */
	CON_MODE_CONFIRM,   /* y/n: stop the session */
	CON_MODE_QUIT,      /* quit during a session: stop / leave / cancel */
	CON_MODE_HELP       /* the help screen; any key closes it */
};

#define CON_STATUS_KEEP_S 6.0      /* a status line clears after this, s */
#define CON_STATUS_ERR_KEEP_S 15.0 /* ... a refusal after this, s */
#define CON_BASELINE_S 120.0       /* baseline length when the reply has none */

#define CON_NPATTERNS 5
#define CON_NTECHNIQUES 5
extern const char *const con_patterns[CON_NPATTERNS];     /* off 4-2-6 ... */
extern const char *const con_techniques[CON_NTECHNIQUES]; /* trigger_point ... */

struct con_ui {
	enum con_mode mode;
	int text_for;          /* 's' (client name) or 'm' (mark label) */
	char input[64];
	size_t ninput;
	int sel;               /* selected region (EMG channel), -1 = none */
	int tech;              /* highlighted technique */
	int pattern;           /* last requested pacer pattern, index */
	char req_cmd[24];      /* command of the request in flight */
	char req_what[128];    /* what it was about, for the status line */
	char status[256];      /* the status line */
	int status_error;      /* 1: the status line reports a refusal */
	double status_at_s;
	int quit;
	int quit_after_stop;   /* 1: quit once session.stop succeeds */
	char req_kind[16];     /* calibrate: rest / reference */
};

void con_ui_init(struct con_ui *u);
/* One key. Returns 1 with a JSON request in req (NUL-terminated) when one
 * must be sent, 0 otherwise. */
int con_ui_key(struct con_ui *u, const struct con_model *m, int key, char *req,
	       size_t cap, double now_s);
/* The answer to the last request: rc = proto_ctl_request()'s result (reply
 * length or a negative VG_ERR_*), reply its text. An accepted baseline or
 * calibration starts its capture in m. */
void con_ui_reply(struct con_ui *u, struct con_model *m, int rc, const char *reply,
		  double now_s);
/* The status line to show now, or NULL once it has expired. */
const char *con_ui_status(const struct con_ui *u, double now_s);
/* The key help line, as short as width needs ("" never). */
const char *con_ui_keys_line(int width);
/* The prompt line while a prompt is open ("" otherwise). */
void con_ui_prompt(const struct con_ui *u, const struct con_model *m, char *out,
		   size_t cap);
/* The selected region's name ("" = none); keeps sel valid. */
const char *con_ui_region(struct con_ui *u, const struct con_model *m);

#endif
