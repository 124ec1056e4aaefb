/*
 * vagusctl - command-line client of vagusd's control channel.
 *
 * usage: vagusctl [--ctl ENDPOINT] [--timeout MS] [--json] COMMAND [ARG] [--OPTION VALUE]...
 *   ping | status | sources | config
 *   session start --client C [--technique T] [--profile P] [--notes N] | session stop
 *   mark "LABEL" [--region R] [--pressure light|medium|deep|0..10]
 *   baseline [--seconds S]
 *   calibrate --channel N --kind rest|reference [--seconds S]
 *   pacer PATTERN [--inhale_s S --hold_in_s S --exhale_s S --hold_out_s S] [--target_bpm B]
 *   hold start --technique T [--region R] | hold stop
 *   profile standard|sensitive|flare
 *   raw JSON                      send a request as is
 *   keygen                        print a new CURVE key pair (key file format)
 *   repair FILE.edf...            make recordings left by a crash open again
 *
 * Problem: a therapist or a script drives the daemon from a shell; people
 * need readable answers and errors that say what to type, scripts need the
 * daemon's JSON.
 * Approach: a table of commands with the options each takes and how each
 * value is checked (one of a list, a number in a range, a technique the
 * guidance engine knows: guide_technique_span()); a bad value is refused
 * here with the list in the message, before anything is sent. Replies are
 * printed as aligned lines (times as local time) unless --json asks for the
 * daemon's JSON as is.
 * Exit status: 0 ok, 1 the daemon refused or could not be reached, 2 usage.
 * References: protocol/PROTOCOL.md ("Control channel", "status").
 * Limits: the option names are the request's fields (--inhale_s ...).
 */
#include "client.h"
#include "control.h"
#include "guide.h"
#include "record.h"
#include "tool_cli.h"
#include "vg_err.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zmq.h>

/* the guide's technique table (analysis/guide.c), each checked with
 * guide_technique_span() before use */
static const char *const techniques[] = {
	"trigger_point", "ischemic_compression", "myofascial", "myofascial_release",
	"deep_tissue", "positional_release", "strain_counterstrain", "muscle_energy", NULL
};
static const char *const patterns[] = { "off", "4-2-6", "resonance", "custom", "follow",
					"adaptive", NULL };
static const char *const profiles[] = { "standard", "sensitive", "flare", NULL };
static const char *const kinds[] = { "rest", "reference", NULL };
static const char *const pressures[] = { "light", "medium", "deep", NULL };

enum check { C_TEXT, C_NUM, C_INT, C_LIST, C_PRESSURE, C_TECHNIQUE };

struct opt {
	const char *name;       /* option = request field */
	enum check check;
	double lo, hi;          /* C_NUM, C_INT, C_PRESSURE (numeric form) */
	const char *const *list; /* C_LIST */
	const char *hint;       /* value in the usage, e.g. "S" */
	int required;
};

#define NOPT 6
static const struct cmd {
	const char *word, *sub; /* "session", "start" */
	const char *wire;       /* request name */
	struct opt arg;         /* the positional argument (name NULL = none) */
	struct opt opts[NOPT];
} cmds[] = {
	{ "ping", NULL, "ping", { 0 }, { { 0 } } },
	{ "status", NULL, "status", { 0 }, { { 0 } } },
	{ "sources", NULL, "sources", { 0 }, { { 0 } } },
	{ "config", NULL, "config.get", { 0 }, { { 0 } } },
	{ "session", "start", "session.start", { 0 },
	  { { "client", C_TEXT, 0, 0, NULL, "NAME", 1 },
	    { "technique", C_TEXT, 0, 0, NULL, "T", 0 },
	    { "profile", C_LIST, 0, 0, profiles, "standard|sensitive|flare", 0 },
	    { "notes", C_TEXT, 0, 0, NULL, "TEXT", 0 } } },
	{ "session", "stop", "session.stop", { 0 }, { { 0 } } },
	{ "mark", NULL, "mark", { "label", C_TEXT, 0, 0, NULL, "\"LABEL\"", 1 },
	  { { "region", C_TEXT, 0, 0, NULL, "R", 0 },
	    { "pressure", C_PRESSURE, 0, 10, pressures, "light|medium|deep|0..10", 0 } } },
	{ "baseline", NULL, "baseline.start", { 0 },
	  { { "seconds", C_NUM, 10, 1800, NULL, "S (10..1800)", 0 } } },
	{ "calibrate", NULL, "calibrate", { 0 },
	  { { "channel", C_INT, 0, 63, NULL, "N", 1 },
	    { "kind", C_LIST, 0, 0, kinds, "rest|reference", 1 },
	    { "seconds", C_NUM, 1, 60, NULL, "S (1..60)", 0 } } },
	{ "pacer", NULL, "pacer.set",
	  { "pattern", C_LIST, 0, 0, patterns, "off|4-2-6|resonance|custom|follow|adaptive", 1 },
	  { { "inhale_s", C_NUM, 0.5, 30, NULL, "S", 0 },
	    { "hold_in_s", C_NUM, 0, 30, NULL, "S", 0 },
	    { "exhale_s", C_NUM, 0.5, 30, NULL, "S", 0 },
	    { "hold_out_s", C_NUM, 0, 30, NULL, "S", 0 },
	    { "target_bpm", C_NUM, 2, 30, NULL, "B", 0 } } },
	{ "hold", "start", "hold.start", { 0 },
	  { { "technique", C_TECHNIQUE, 0, 0, techniques, "T", 1 },
	    { "region", C_TEXT, 0, 0, NULL, "R", 0 } } },
	{ "hold", "stop", "hold.stop", { 0 }, { { 0 } } },
	{ "profile", NULL, "profile.set",
	  { "profile", C_LIST, 0, 0, profiles, "standard|sensitive|flare", 1 }, { { 0 } } },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void join(char *out, size_t cap, const char *const *list, const char *sep)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; list[i] && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? sep : "", list[i]);
}

static int usage(FILE *f)
{
	char t[256];
	join(t, sizeof(t), techniques, ", ");
	fprintf(f,
		"usage: vagusctl [--ctl ENDPOINT] [--timeout MS] [--json] COMMAND [ARG] [--OPTION VALUE]...\n"
		"  ping | status | sources | config\n"
		"  session start --client NAME [--technique T] [--profile P] [--notes TEXT] | session stop\n"
		"  mark \"LABEL\" [--region R] [--pressure light|medium|deep|0..10]\n"
		"  baseline [--seconds S]\n"
		"  calibrate --channel N --kind rest|reference [--seconds S]\n"
		"  pacer off|4-2-6|resonance|custom|follow|adaptive\n"
		"        [--inhale_s S --hold_in_s S --exhale_s S --hold_out_s S] [--target_bpm B]\n"
		"  hold start --technique T [--region R] | hold stop\n"
		"  profile standard|sensitive|flare\n"
		"  raw JSON               send a request as is\n"
		"  keygen                 print a new CURVE key pair (save it 0600)\n"
		"  repair FILE.edf...     make recordings left by a crash (kill -9, power) open again\n"
		"options:\n"
		"  --ctl ENDPOINT         vagusd's control endpoint (default tcp://127.0.0.1:5561)\n"
		"  --timeout MS           wait this long for the reply (default 3000)\n"
		"  --json                 print the daemon's JSON reply as is (for scripts)\n"
		"  --help, --version\n"
		"techniques: %s\n"
		"CURVE: set VAGUS_SERVER_KEY (the daemon's public key) and VAGUS_KEY_FILE.\n"
		"exit status: 0 ok, 1 the daemon refused or could not be reached, 2 usage.\n", t);
	return f == stdout ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
}

static int in_list(const char *v, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(v, list[i]))
			return 1;
	return 0;
}

static int number(const char *s, double *x)
{
	char *end;
	*x = strtod(s, &end);
	return *s && !*end && isfinite(*x);
}

/* Check one value and add it to req; on error print what to type. */
static int add_value(cJSON *req, const struct cmd *c, const struct opt *o, const char *v)
{
	char what[64], list[256];
	if (o == &c->arg)
		snprintf(what, sizeof(what), "%s%s%s", c->word, c->sub ? " " : "",
			 c->sub ? c->sub : "");
	else
		snprintf(what, sizeof(what), "--%s", o->name);
	double x;
	switch (o->check) {
	case C_TEXT:
		if (!*v) {
			fprintf(stderr, "vagusctl: %s needs a value: %s\n", what, o->hint);
			return TOOL_EXIT_USAGE;
		}
		cJSON_AddStringToObject(req, o->name, v);
		return 0;
	case C_NUM:
	case C_INT:
		if (!number(v, &x) || x < o->lo || x > o->hi ||
		    (o->check == C_INT && x != floor(x))) {
			fprintf(stderr, "vagusctl: %s takes %s from %g to %g, not '%s'\n", what,
				o->check == C_INT ? "a whole number" : "a number", o->lo, o->hi, v);
			return TOOL_EXIT_USAGE;
		}
		cJSON_AddNumberToObject(req, o->name, x);
		return 0;
	case C_LIST:
		if (!in_list(v, o->list)) {
			join(list, sizeof(list), o->list, ", ");
			fprintf(stderr, "vagusctl: %s: no '%s'; choose one of: %s\n", what, v, list);
			return TOOL_EXIT_USAGE;
		}
		cJSON_AddStringToObject(req, o->name, v);
		return 0;
	case C_PRESSURE:
		if (in_list(v, o->list)) {
			cJSON_AddStringToObject(req, o->name, v);
			return 0;
		}
		if (number(v, &x) && x >= o->lo && x <= o->hi) {
			cJSON_AddNumberToObject(req, o->name, x);
			return 0;
		}
		fprintf(stderr, "vagusctl: --pressure: no '%s'; give light, medium, deep or a "
			"number from 0 to 10\n", v);
		return TOOL_EXIT_USAGE;
	case C_TECHNIQUE: {
		double lo, hi;
		if (!guide_technique_span(v, &lo, &hi)) {
			join(list, sizeof(list), o->list, ", ");
			fprintf(stderr, "vagusctl: --technique: no '%s'; choose one of: %s\n", v,
				list);
			return TOOL_EXIT_USAGE;
		}
		cJSON_AddStringToObject(req, o->name, v);
		return 0;
	}
	}
	return TOOL_EXIT_USAGE;
}

static void cmd_usage(const struct cmd *c)
{
	fprintf(stderr, "usage: vagusctl %s%s%s", c->word, c->sub ? " " : "", c->sub ? c->sub : "");
	if (c->arg.name)
		fprintf(stderr, " %s", c->arg.hint);
	for (int k = 0; k < NOPT && c->opts[k].name; k++)
		fprintf(stderr, c->opts[k].required ? " --%s %s" : " [--%s %s]", c->opts[k].name,
			c->opts[k].hint);
	fputc('\n', stderr);
}

/* Build the request of command c from args[0..n). NULL after printing. */
static cJSON *build(const struct cmd *c, char **args, int n, int *rc)
{
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", c->wire);
	int i = 0;
	*rc = TOOL_EXIT_USAGE;
	if (c->arg.name && i < n && strncmp(args[i], "--", 2)) {
		if ((*rc = add_value(req, c, &c->arg, args[i++])))
			goto bad;
	} else if (c->arg.name && c->arg.required) {
		fprintf(stderr, "vagusctl: %s%s%s needs %s\n", c->word, c->sub ? " " : "",
			c->sub ? c->sub : "", c->arg.hint);
		cmd_usage(c);
		goto bad;
	}
	for (; i < n; i += 2) {
		const struct opt *o = NULL;
		for (int k = 0; k < NOPT && c->opts[k].name && !o; k++)
			if (!strncmp(args[i], "--", 2) && !strcmp(args[i] + 2, c->opts[k].name))
				o = &c->opts[k];
		if (!o) {
			fprintf(stderr, "vagusctl: %s%s%s does not take '%s'\n", c->word,
				c->sub ? " " : "", c->sub ? c->sub : "", args[i]);
			cmd_usage(c);
			goto bad;
		}
		if (i + 1 >= n) {
			fprintf(stderr, "vagusctl: --%s needs a value: %s\n", o->name, o->hint);
			goto bad;
		}
		if (cJSON_GetObjectItemCaseSensitive(req, o->name)) {
			fprintf(stderr, "vagusctl: --%s given twice\n", o->name);
			goto bad;
		}
		if ((*rc = add_value(req, c, o, args[i + 1])))
			goto bad;
	}
	for (int k = 0; k < NOPT && c->opts[k].name; k++)
		if (c->opts[k].required && !cJSON_GetObjectItemCaseSensitive(req, c->opts[k].name)) {
			fprintf(stderr, "vagusctl: %s%s%s needs --%s %s\n", c->word, c->sub ? " " : "",
				c->sub ? c->sub : "", c->opts[k].name, c->opts[k].hint);
			cmd_usage(c);
			goto bad;
		}
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(req, "pattern");
	if (cJSON_IsString(p) && !strcmp(p->valuestring, "custom") &&
	    (!cJSON_GetObjectItemCaseSensitive(req, "inhale_s") ||
	     !cJSON_GetObjectItemCaseSensitive(req, "exhale_s"))) {
		fprintf(stderr, "vagusctl: pacer custom needs --inhale_s S and --exhale_s S "
			"(and may take --hold_in_s S, --hold_out_s S)\n");
		goto bad;
	}
	*rc = 0;
	return req;
bad:
	if (!*rc)
		*rc = TOOL_EXIT_USAGE;
	cJSON_Delete(req);
	return NULL;
}

/* ---------------------------------------------------------------- output */
static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* t_ns as local time, "YYYY-mm-dd HH:MM:SS.s" */
static const char *local_time(double t_ns, char *buf, size_t cap)
{
	if (!(t_ns > 0)) {
		snprintf(buf, cap, "--");
		return buf;
	}
	time_t t = (time_t)(t_ns / 1e9);
	struct tm tm;
	localtime_r(&t, &tm);
	size_t n = strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%d %s", (int)(fmod(t_ns / 1e8, 10.0)), tm.tm_zone);
	return buf;
}

static void line(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(const char *key, const char *fmt, ...)
{
	va_list ap;
	printf("%-14s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void print_sources(const cJSON *arr)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, arr) {
		char key[64];
		snprintf(key, sizeof(key), "source %s", str(s, "name"));
		double age = num(s, "last_data_age_s");
		line(key, "%s (driver %s%s%s), last data %.1f s ago", str(s, "state"),
		     str(s, "driver"), str(s, "link")[0] ? ", link " : "", str(s, "link"), age);
		const cJSON *ch, *chans = cJSON_GetObjectItemCaseSensitive(s, "channels");
		int has_ecg = 0;
		cJSON_ArrayForEach(ch, chans)
			has_ecg |= !strcmp(str(ch, "kind"), "ecg");
		double beats = num(s, "beats");
		if (has_ecg && !(beats > 0))
			line("  beats", "detected by vagusd from the ECG channel (vagus-tap beat)");
		else
			line("  beats", "%.0f reported by the device", beats);
		line("  data", "%.0f bytes, %.0f frames, %.0f gaps, %.0f samples missing, "
		     "%.0f checksum errors", num(s, "bytes"), num(s, "frames"), num(s, "gaps"),
		     num(s, "samples_missing"), num(s, "checksum_errors"));
		cJSON_ArrayForEach(ch, chans) {
			char k2[64];
			snprintf(k2, sizeof(k2), "  %s", str(ch, "label"));
			line(k2, "%s, %g Hz, %s, %.0f samples", str(ch, "kind"), num(ch, "rate_hz"),
			     str(ch, "unit"), num(ch, "samples"));
		}
	}
}

static void print_status(const cJSON *st)
{
	char t[64];
	line("vagusd", "%s, up %.1f s", str(st, "version"), num(st, "uptime_s"));
	line("time", "%s", local_time(num(st, "t_ns"), t, sizeof(t)));
	line("session", "%s", str(st, "session")[0] ? str(st, "session") : "none");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "recording")))
		line("recording", "REC to %s (.edf, .jsonl, .summary.md)", str(st, "record_path"));
	else
		line("recording", "NOT RECORDING");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "simulated")))
		line("data", "SIMULATED: the figures are not a person's");
	else
		line("data", "from the devices below");
	line("publishing", "%s, %.0f subscribers", str(st, "pub_endpoint"),
	     num(st, "subscribers"));
	line("control", "%s", str(st, "ctl_endpoint"));
	line("dropped", "%.0f samples", num(st, "dropped_samples"));
	print_sources(cJSON_GetObjectItemCaseSensitive(st, "sources"));
}

static void print_config(const cJSON *c)
{
	line("publish", "%s", str(c, "pub"));
	line("control", "%s", str(c, "ctl"));
	line("room", "%s", str(c, "room")[0] ? str(c, "room") : "(none)");
	const cJSON *it, *a = cJSON_GetObjectItemCaseSensitive(c, "sources");
	char buf[512] = "";
	size_t len = 0;
	cJSON_ArrayForEach(it, a)
		if (cJSON_IsString(it))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ", " : "",
						it->valuestring);
	line("sources", "%s", len ? buf : "(none)");
	a = cJSON_GetObjectItemCaseSensitive(c, "hrv_windows_s");
	len = 0;
	buf[0] = '\0';
	cJSON_ArrayForEach(it, a)
		if (cJSON_IsNumber(it))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%g s", len ? ", " : "",
						it->valuedouble);
	line("hrv windows", "%s", len ? buf : "60 s, 300 s (the default)");
	double st = num(c, "stall_timeout_s");
	if (st > 0)
		line("stall timeout", "%g s", st);
	else
		line("stall timeout", "5 s (the default)");
	/* anything newer daemons add: as key = JSON */
	cJSON_ArrayForEach(it, c) {
		static const char *const known[] = { "pub", "ctl", "room", "sources",
						     "hrv_windows_s", "stall_timeout_s", NULL };
		if (in_list(it->string, known))
			continue;
		char *v = cJSON_PrintUnformatted(it);
		line(it->string, "%s", v ? v : "?");
		free(v);
	}
}

/* Daemon errors name request fields ("field 'pattern' ..."): say the option. */
static void print_refusal(const char *e)
{
	const char *f = strstr(e, "field '");
	if (f) {
		const char *name = f + 7, *q = strchr(name, '\'');
		if (q) {
			fprintf(stderr, "vagusd refused: %.*s--%.*s%s\n", (int)(f - e), e,
				(int)(q - name), name, q + 1);
			return;
		}
	}
	fprintf(stderr, "vagusd refused: %s\n", e);
}

static void print_reply(const struct cmd *c, const char *wire, const cJSON *r)
{
	char t[64];
	if (!strcmp(wire, "ping")) {
		printf("vagusd %s is running\n", str(r, "version"));
	} else if (!strcmp(wire, "status")) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
		/* the status comes as the message's JSON text */
		cJSON *parsed = cJSON_IsString(st) ? cJSON_Parse(st->valuestring) : NULL;
		print_status(parsed ? parsed : st);
		cJSON_Delete(parsed);
	} else if (!strcmp(wire, "sources")) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "sources");
		cJSON *parsed = cJSON_IsString(s) ? cJSON_Parse(s->valuestring) : NULL;
		print_sources(parsed ? parsed : s);
		cJSON_Delete(parsed);
	} else if (!strcmp(wire, "config.get")) {
		print_config(cJSON_GetObjectItemCaseSensitive(r, "config"));
	} else if (!strcmp(wire, "session.start")) {
		printf("session %s started\n", str(r, "session"));
		if (str(r, "edf")[0])
			line("recording", "REC to %s", str(r, "edf"));
	} else if (!strcmp(wire, "session.stop")) {
		printf("session %s stopped after %.1f s with %.0f marks\n", str(r, "session"),
		       num(r, "duration_s"), num(r, "marks"));
	} else if (!strcmp(wire, "mark")) {
		printf("marked at %s\n", local_time(num(r, "t_ns"), t, sizeof(t)));
	} else {
		const cJSON *it;
		int any = 0;
		printf("%s%s%s: ok\n", c ? c->word : wire, c && c->sub ? " " : "",
		       c && c->sub ? c->sub : "");
		cJSON_ArrayForEach(it, r) {
			if (!strcmp(it->string, "ok"))
				continue;
			char *v = cJSON_IsString(it) ? NULL : cJSON_PrintUnformatted(it);
			line(it->string, "%s", v ? v : it->valuestring);
			free(v);
			any = 1;
		}
		(void)any;
	}
}

/* ---------------------------------------------------------------- main */
int main(int argc, char **argv)
{
	const char *ep = "tcp://127.0.0.1:5561";
	int timeout_ms = 3000, json = 0, i = 1;
	/* --json may come anywhere */
	int n = 0;
	for (int k = 0; k < argc; k++)
		if (k == 0 || strcmp(argv[k], "--json"))
			argv[n++] = argv[k];
		else
			json = 1;
	argc = n;
	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--help"))
			return usage(stdout);
		if (!strcmp(argv[i], "--version"))
			return tool_version("vagusctl");
		if (i + 1 >= argc) {
			fprintf(stderr, "vagusctl: %s needs a value\n", argv[i]);
			return usage(stderr);
		}
		if (!strcmp(argv[i], "--ctl")) {
			ep = argv[i + 1];
		} else if (!strcmp(argv[i], "--timeout")) {
			double x;
			if (!number(argv[i + 1], &x) || x < 1 || x > 3600000) {
				fprintf(stderr, "vagusctl: --timeout takes milliseconds (1..3600000)\n");
				return TOOL_EXIT_USAGE;
			}
			timeout_ms = (int)x;
		} else {
			fprintf(stderr, "vagusctl: unknown option '%s' (before the command: --ctl, "
				"--timeout, --json)\n", argv[i]);
			return usage(stderr);
		}
	}
	if (i >= argc)
		return usage(stderr);
	if (!strcmp(argv[i], "keygen")) {
		char pub[41], sec[41];
		if (zmq_curve_keypair(pub, sec) != 0) {
			fprintf(stderr, "vagusctl: libzmq has no CURVE support\n");
			return TOOL_EXIT_FAIL;
		}
		printf("# vagus CURVE key pair: give 'public' to the other side, keep "
		       "this file private (chmod 600)\npublic = %s\nsecret = %s\n", pub, sec);
		return TOOL_EXIT_OK;
	}
	if (!strcmp(argv[i], "repair")) {
		if (i + 1 >= argc) {
			fprintf(stderr, "vagusctl: repair needs FILE.edf...\n");
			return TOOL_EXIT_USAGE;
		}
		int rc = 0;
		for (int k = i + 1; k < argc; k++) {
			int changed = 0, e = rec_repair(argv[k], &changed);
			if (e < 0) {
				printf("%s: %s\n", argv[k], vg_strerror(e));
				rc = TOOL_EXIT_FAIL;
			} else {
				printf("%s: %s\n", argv[k], changed ? "repaired" : "whole");
			}
		}
		return rc;
	}
	char *text = NULL;
	const struct cmd *c = NULL;
	const char *wire = "";
	if (!strcmp(argv[i], "raw")) {
		if (i + 1 >= argc) {
			fprintf(stderr, "vagusctl: raw needs a JSON request, e.g. '{\"cmd\":\"ping\"}'\n");
			return TOOL_EXIT_USAGE;
		}
		cJSON *o = cJSON_Parse(argv[i + 1]);
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(o, "cmd");
		static char wbuf[32];
		snprintf(wbuf, sizeof(wbuf), "%s", cJSON_IsString(w) ? w->valuestring : "");
		wire = wbuf;
		cJSON_Delete(o);
		text = strdup(argv[i + 1]);
	} else {
		int sub_missing = 0;
		for (size_t k = 0; k < NCMDS && !c; k++) {
			if (strcmp(cmds[k].word, argv[i]))
				continue;
			if (cmds[k].sub && (i + 1 >= argc || strcmp(cmds[k].sub, argv[i + 1]))) {
				sub_missing = 1;
				continue;
			}
			c = &cmds[k];
		}
		if (!c && sub_missing) {
			fprintf(stderr, "vagusctl: %s start or %s stop?\n", argv[i], argv[i]);
			return TOOL_EXIT_USAGE;
		}
		if (!c) {
			fprintf(stderr, "vagusctl: no command '%s'; commands: ping, status, sources, "
				"config, session, mark, baseline, calibrate, pacer, hold, profile, "
				"raw, keygen, repair\n", argv[i]);
			return TOOL_EXIT_USAGE;
		}
		i += c->sub ? 2 : 1;
		int rc;
		cJSON *req = build(c, argv + i, argc - i, &rc);
		if (!req)
			return rc;
		text = cJSON_PrintUnformatted(req);
		cJSON_Delete(req);
		wire = c->wire;
	}
	if (!text)
		return TOOL_EXIT_FAIL;
	static char reply[65536];
	int r = proto_ctl_request(ep, text, reply, sizeof(reply), timeout_ms);
	free(text);
	if (r < 0) {
		fprintf(stderr, "vagusctl: no answer from %s in %.1f s (%s) - is vagusd running? "
			"(vagusd --source sim, or --ctl ENDPOINT)\n", ep, timeout_ms / 1000.0,
			vg_strerror(r));
		return TOOL_EXIT_FAIL;
	}
	/* the reply is checked by the one fuzzed parser (protocol/client.c);
	 * the tree is read only once it passed */
	int ok = 0;
	char why[512];
	int pr = proto_ctl_reply_parse(reply, (size_t)r, &ok, why, sizeof(why));
	cJSON *o = pr == 0 ? cJSON_Parse(reply) : NULL;
	if (json) {
		puts(reply);
	} else if (!o) {
		fprintf(stderr, "vagusctl: unreadable reply: %s\n", reply);
	} else if (!ok) {
		print_refusal(why);
	} else {
		print_reply(c, wire, o);
	}
	cJSON_Delete(o);
	return ok ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}
