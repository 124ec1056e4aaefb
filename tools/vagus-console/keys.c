/*
 * keys.c - key handling and control requests of the console (see keys.h).
 *
 * Problem: map keys to the control channel's commands (PROTOCOL.md,
 * "Control channel") with the fewest questions, and report the answers.
 * Approach: a mode per open prompt; requests built with cJSON (so names and
 * labels are escaped); replies parsed by name ("ok", "error", and the
 * fields each command returns).
 * Limits: the pacer key cycles through the fixed patterns (no custom
 * timings; vagusctl sets those).
 */
#include "keys.h"

#include "vg_err.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const con_patterns[CON_NPATTERNS] = {
	"off", "4-2-6", "resonance", "follow", "adaptive"
};
/* names from the guidance engine's technique table (analysis/guide.c), so
 * each hold gets its technique's usual span */
const char *const con_techniques[CON_NTECHNIQUES] = {
	"trigger_point", "myofascial", "deep_tissue", "positional_release", "muscle_energy"
};

void con_ui_init(struct con_ui *u)
{
	memset(u, 0, sizeof(*u));
	u->sel = -1;
}

static void set_status(struct con_ui *u, int error, double now_s, const char *text)
{
	snprintf(u->status, sizeof(u->status), "%s", text);
	u->status_error = error;
	u->status_at_s = now_s;
}

const char *con_ui_region(struct con_ui *u, const struct con_model *m)
{
	if (m->nreg <= 0) {
		u->sel = -1;
		return "";
	}
	if (u->sel < 0 || u->sel >= m->nreg || !m->reg[u->sel].name[0]) {
		u->sel = -1;
		for (int i = 0; i < m->nreg; i++)
			if (m->reg[i].name[0]) {
				u->sel = i;
				break;
			}
	}
	return u->sel >= 0 ? m->reg[u->sel].name : "";
}

static void move_sel(struct con_ui *u, const struct con_model *m, int step)
{
	con_ui_region(u, m);
	if (u->sel < 0)
		return;
	for (int k = 1; k <= m->nreg; k++) {
		int i = ((u->sel + step * k) % m->nreg + m->nreg) % m->nreg;
		if (m->reg[i].name[0]) {
			u->sel = i;
			return;
		}
	}
}

/* Serialize o into req and remember the command; returns 1 (send) or 0. */
static int emit(struct con_ui *u, cJSON *o, char *req, size_t cap, const char *what)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "cmd");
	snprintf(u->req_cmd, sizeof(u->req_cmd), "%s", cJSON_IsString(c) ? c->valuestring : "");
	snprintf(u->req_what, sizeof(u->req_what), "%s", what);
	int ok = o && cJSON_PrintPreallocated(o, req, (int)cap, 0);
	cJSON_Delete(o);
	return ok ? 1 : 0;
}

static cJSON *request(const char *cmd)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "cmd", cmd);
	return o;
}

static int current_pattern(const struct con_ui *u, const struct con_model *m,
			   double now_s)
{
	if (!con_model_stale(m, CON_FEED_GUIDE, now_s))
		for (int i = 0; i < CON_NPATTERNS; i++)
			if (!strcmp(m->pattern, con_patterns[i]))
				return i;
	return u->pattern;
}

static int key_normal(struct con_ui *u, const struct con_model *m, int key,
		      char *req, size_t cap, double now_s)
{
	const char *region = con_ui_region(u, m);
	char what[128];
	cJSON *o;
	switch (key) {
	case 'q': case 'Q':
		if (m->session[0])
			u->mode = CON_MODE_QUIT; /* ask first: the session is running */
		else
			u->quit = 1;
		return 0;
	case '?':
		u->mode = CON_MODE_HELP;
		return 0;
	case 's': case 'S':
		if (m->session[0]) {
			u->mode = CON_MODE_CONFIRM;
			return 0;
		}
		u->mode = CON_MODE_TEXT;
		u->text_for = 's';
		u->ninput = 0;
		u->input[0] = '\0';
		return 0;
	case 'm': case 'M':
		u->mode = CON_MODE_TEXT;
		u->text_for = 'm';
		u->ninput = 0;
		u->input[0] = '\0';
		return 0;
	case 'h': case 'H':
		if (m->holding)
			return emit(u, request("hold.stop"), req, cap, "hold");
		u->mode = CON_MODE_TECHNIQUE;
		return 0;
	case 'p': case 'P': {
		int next = (current_pattern(u, m, now_s) + 1) % CON_NPATTERNS;
		u->pattern = next;
		o = request("pacer.set");
		cJSON_AddStringToObject(o, "pattern", con_patterns[next]);
		return emit(u, o, req, cap, con_patterns[next]);
	}
	case 'b': case 'B':
		return emit(u, request("baseline.start"), req, cap, "");
	case 'c': case 'C':
		if (!region[0]) {
			set_status(u, 1, now_s, "no EMG region to calibrate");
			return 0;
		}
		o = request("calibrate");
		cJSON_AddNumberToObject(o, "channel", u->sel);
		cJSON_AddStringToObject(o, "kind", "rest");
		snprintf(u->req_kind, sizeof(u->req_kind), "rest");
		snprintf(what, sizeof(what), "%s", region);
		return emit(u, o, req, cap, what);
	case CON_KEY_UP: case CON_KEY_LEFT: case CON_KEY_BTAB:
		move_sel(u, m, -1);
		return 0;
	case CON_KEY_DOWN: case CON_KEY_RIGHT: case CON_KEY_TAB: case '\t':
		move_sel(u, m, 1);
		return 0;
	default:
		return 0;
	}
}

static int key_text(struct con_ui *u, const struct con_model *m, int key,
		    char *req, size_t cap)
{
	if (key == CON_KEY_ESC) {
		u->mode = CON_MODE_NORMAL;
		return 0;
	}
	if (key == CON_KEY_BACKSPACE || key == 127 || key == 8) {
		if (u->ninput > 0)
			u->input[--u->ninput] = '\0';
		return 0;
	}
	if (key == CON_KEY_ENTER || key == '\n' || key == '\r') {
		u->mode = CON_MODE_NORMAL;
		if (u->ninput == 0)
			return 0; /* nothing typed: cancelled */
		cJSON *o;
		if (u->text_for == 's') {
			o = request("session.start");
			cJSON_AddStringToObject(o, "client", u->input);
			return emit(u, o, req, cap, u->input);
		}
		const char *region = con_ui_region(u, m);
		o = request("mark");
		cJSON_AddStringToObject(o, "label", u->input);
		if (region[0])
			cJSON_AddStringToObject(o, "region", region);
		char what[128];
		snprintf(what, sizeof(what), "'%.60s'%s%.60s", u->input,
			 region[0] ? " on " : "", region);
		return emit(u, o, req, cap, what);
	}
	if (key >= 0x20 && key < 0x7f && u->ninput + 1 < sizeof(u->input)) {
		u->input[u->ninput++] = (char)key;
		u->input[u->ninput] = '\0';
	}
	return 0;
}

static int key_technique(struct con_ui *u, const struct con_model *m, int key,
			 char *req, size_t cap)
{
	int pick = -1;
	if (key == CON_KEY_ESC || key == 'q') {
		u->mode = CON_MODE_NORMAL;
		return 0;
	}
	if (key >= '1' && key < '1' + CON_NTECHNIQUES)
		pick = key - '1';
	else if (key == CON_KEY_ENTER || key == '\n' || key == '\r')
		pick = u->tech;
	else if (key == CON_KEY_LEFT || key == CON_KEY_UP || key == CON_KEY_BTAB)
		u->tech = (u->tech + CON_NTECHNIQUES - 1) % CON_NTECHNIQUES;
	else if (key == CON_KEY_RIGHT || key == CON_KEY_DOWN || key == CON_KEY_TAB)
		u->tech = (u->tech + 1) % CON_NTECHNIQUES;
	if (pick < 0)
		return 0;
	u->tech = pick;
	u->mode = CON_MODE_NORMAL;
	const char *region = con_ui_region(u, m);
	cJSON *o = request("hold.start");
	cJSON_AddStringToObject(o, "technique", con_techniques[pick]);
	if (region[0])
		cJSON_AddStringToObject(o, "region", region);
	char what[128];
	snprintf(what, sizeof(what), "%s%s%.60s", con_techniques[pick],
		 region[0] ? " on " : "", region);
	return emit(u, o, req, cap, what);
}

int con_ui_key(struct con_ui *u, const struct con_model *m, int key, char *req,
	       size_t cap, double now_s)
{
	switch (u->mode) {
	case CON_MODE_TEXT:
		return key_text(u, m, key, req, cap);
	case CON_MODE_TECHNIQUE:
		return key_technique(u, m, key, req, cap);
	case CON_MODE_CONFIRM:
		u->mode = CON_MODE_NORMAL;
		if (key == 'y' || key == 'Y')
			return emit(u, request("session.stop"), req, cap, m->session);
		return 0;
	case CON_MODE_QUIT:
		u->mode = CON_MODE_NORMAL;
		if (key == 's' || key == 'S') {
			u->quit_after_stop = 1;
			return emit(u, request("session.stop"), req, cap, m->session);
		}
		if (key == 'l' || key == 'L')
			u->quit = 1;
		return 0; /* anything else cancels */
	case CON_MODE_HELP:
		u->mode = CON_MODE_NORMAL;
		return 0;
	default:
		return key_normal(u, m, key, req, cap, now_s);
	}
}

void con_ui_prompt(const struct con_ui *u, const struct con_model *m, char *out,
		   size_t cap)
{
	size_t len;
	switch (u->mode) {
	case CON_MODE_TEXT:
		snprintf(out, cap, "%s: %s_   (Enter sends, Esc cancels)",
			 u->text_for == 's' ? "client name" : "mark label", u->input);
		break;
	case CON_MODE_TECHNIQUE:
		snprintf(out, cap, "hold technique (Esc cancels):");
		for (int i = 0; i < CON_NTECHNIQUES; i++) {
			len = strlen(out);
			snprintf(out + len, cap - len, i == u->tech ? " [%d %s]" : " %d %s",
				 i + 1, con_techniques[i]);
		}
		break;
	case CON_MODE_CONFIRM:
		snprintf(out, cap, "stop session %.80s? (y/n)", m->session);
		break;
	case CON_MODE_QUIT:
		snprintf(out, cap, "session running: s stop it and quit, l leave it running "
			 "and quit, Esc cancel");
		break;
	case CON_MODE_HELP:
		snprintf(out, cap, "help: any key closes it");
		break;
	default:
		out[0] = '\0';
	}
}

static double rnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *rstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

const char *con_ui_status(const struct con_ui *u, double now_s)
{
	double keep = u->status_error ? CON_STATUS_ERR_KEEP_S : CON_STATUS_KEEP_S;
	if (!u->status[0] || now_s - u->status_at_s > keep)
		return NULL;
	return u->status;
}

const char *con_ui_keys_line(int width)
{
	static const char *const lines[] = {
		"s session  m mark  h hold  p pacer  b baseline  c calibrate  "
		"arrows/tab region  ? help  q quit",
		"s:session m:mark h:hold p:pacer b:baseline c:calibrate tab:region "
		"?:help q:quit",
		"s:sess m:mark h:hold p:pacer b:base c:calib tab:region ?:help q:quit",
		"s m h p b c tab ? q (? help)",
	};
	int n = (int)(sizeof(lines) / sizeof(lines[0]));
	for (int i = 0; i < n - 1; i++)
		if ((int)strlen(lines[i]) <= width)
			return lines[i];
	return lines[n - 1];
}

void con_ui_reply(struct con_ui *u, struct con_model *m, int rc, const char *reply,
		  double now_s)
{
	char text[256];
	int quit_after = u->quit_after_stop;
	u->quit_after_stop = 0;
	if (rc < 0) {
		snprintf(text, sizeof(text), "%s: no answer from the daemon (%s)%s",
			 u->req_cmd, vg_strerror(rc),
			 quit_after ? "; the session may still run: not quitting" : "");
		set_status(u, 1, now_s, text);
		return;
	}
	cJSON *o = cJSON_Parse(reply);
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(o, "ok");
	const char *cmd = u->req_cmd, *what = u->req_what;
	if (!cJSON_IsBool(ok)) {
		snprintf(text, sizeof(text), "%s: unreadable reply", cmd);
	} else if (!cJSON_IsTrue(ok)) {
		const char *e = rstr(o, "error");
		if (strstr(e, cmd))
			snprintf(text, sizeof(text), "%s", e);
		else
			snprintf(text, sizeof(text), "%s refused: %s", cmd, e);
		if (quit_after) {
			size_t len = strlen(text);
			snprintf(text + len, sizeof(text) - len, "; not quitting");
		}
	} else if (!strcmp(cmd, "session.start")) {
		snprintf(text, sizeof(text), "session started: %s", rstr(o, "session"));
	} else if (!strcmp(cmd, "session.stop")) {
		snprintf(text, sizeof(text), "session stopped: %s, %.0f s, %.0f marks",
			 rstr(o, "session"), rnum(o, "duration_s"), rnum(o, "marks"));
		u->quit = quit_after;
	} else if (!strcmp(cmd, "mark")) {
		snprintf(text, sizeof(text), "marked %s", what);
	} else if (!strcmp(cmd, "pacer.set")) {
		snprintf(text, sizeof(text), "pacer: %s", what);
	} else if (!strcmp(cmd, "baseline.start")) {
		double secs = rnum(o, "baseline_s");
		if (!isfinite(secs))
			secs = rnum(o, "seconds");
		if (!isfinite(secs))
			secs = CON_BASELINE_S;
		con_model_capture_begin(m, CON_CAP_BASELINE, "", "", secs, now_s);
		snprintf(text, sizeof(text), "baseline: %.0f s of rest from now", secs);
	} else if (!strcmp(cmd, "calibrate")) {
		double secs = rnum(o, "seconds");
		con_model_capture_begin(m, CON_CAP_CALIBRATION, what, u->req_kind,
					isfinite(secs) ? secs : 5.0, now_s);
		snprintf(text, sizeof(text), "calibrating %s on %s for %.0f s: keep it %s",
			 u->req_kind, what, rnum(o, "seconds"),
			 strcmp(u->req_kind, "rest") ? "contracted" : "relaxed");
	} else if (!strcmp(cmd, "hold.start")) {
		snprintf(text, sizeof(text), "hold started: %s", what);
	} else if (!strcmp(cmd, "hold.stop")) {
		snprintf(text, sizeof(text), "hold stopped");
	} else {
		snprintf(text, sizeof(text), "%s: ok", cmd);
	}
	set_status(u, !cJSON_IsTrue(ok), now_s, text); /* refused or unreadable */
	cJSON_Delete(o);
}
