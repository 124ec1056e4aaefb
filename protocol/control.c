/*
 * control.c - table-driven validation of control requests (see control.h).
 */
#include "control.h"
#include "vg_err.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum arg_type { A_STR, A_NUM, A_INT, A_STRNUM };

struct arg {
	const char *name;
	enum arg_type type;
	size_t offset, size;
	int required;
	double min, max;            /* numbers */
	const char *const *choices; /* strings: allowed values, NULL = any */
};

struct cmd {
	const char *name;
	const char *usage;
	struct arg args[8];
};

#define S(field, req, choices) \
	{ #field, A_STR, offsetof(struct ctl_request, field), \
	  sizeof(((struct ctl_request *)0)->field), req, 0, 0, choices }
#define N(field, req, lo, hi) \
	{ #field, A_NUM, offsetof(struct ctl_request, field), sizeof(double), req, lo, hi, NULL }
#define I(field, req, lo, hi) \
	{ #field, A_INT, offsetof(struct ctl_request, field), sizeof(int), req, lo, hi, NULL }

static const char *const kinds[] = { "rest", "reference", NULL };
static const char *const patterns[] = { "4-2-6", "resonance", "custom", "follow",
					"adaptive", "off", NULL };
static const char *const profiles[] = { "standard", "sensitive", "flare", NULL };

static const struct cmd cmds[CTL_NCMDS] = {
	[CTL_PING] = { "ping", "ping", { { 0 } } },
	[CTL_STATUS] = { "status", "status", { { 0 } } },
	[CTL_SOURCES] = { "sources", "sources", { { 0 } } },
	[CTL_SESSION_START] = { "session.start",
		"session.start client=NAME [technique=T] [notes=TEXT] "
		"[profile=standard|sensitive|flare]",
		{ S(client, 1, NULL), S(technique, 0, NULL), S(notes, 0, NULL),
		  S(profile, 0, profiles) } },
	[CTL_SESSION_STOP] = { "session.stop", "session.stop", { { 0 } } },
	[CTL_MARK] = { "mark", "mark label=TEXT [region=R] [pressure=light|medium|deep|0..10]",
		{ S(label, 1, NULL), S(region, 0, NULL),
		  { "pressure", A_STRNUM, offsetof(struct ctl_request, pressure),
		    sizeof(((struct ctl_request *)0)->pressure), 0, 0, 10, NULL } } },
	[CTL_BASELINE_START] = { "baseline.start", "baseline.start [seconds=S (10..1800)]",
		{ N(seconds, 0, 10, 1800) } },
	[CTL_CALIBRATE] = { "calibrate", "calibrate channel=N kind=rest|reference [seconds=S (1..60)]",
		{ I(channel, 1, 0, 63), S(kind, 1, kinds), N(seconds, 0, 1, 60) } },
	[CTL_PACER_SET] = { "pacer.set",
		"pacer.set pattern=4-2-6|resonance|custom|follow|adaptive|off "
		"[inhale_s= hold_in_s= exhale_s= hold_out_s=] [target_bpm=]",
		{ S(pattern, 1, patterns), N(inhale_s, 0, 1, 20), N(hold_in_s, 0, 0, 20),
		  N(exhale_s, 0, 1, 30), N(hold_out_s, 0, 0, 20), N(target_bpm, 0, 3, 20) } },
	[CTL_CONFIG_GET] = { "config.get", "config.get", { { 0 } } },
	[CTL_HOLD_START] = { "hold.start", "hold.start technique=T [region=R]",
		{ S(technique, 1, NULL), S(region, 0, NULL) } },
	[CTL_HOLD_STOP] = { "hold.stop", "hold.stop", { { 0 } } },
	[CTL_PROFILE_SET] = { "profile.set", "profile.set profile=standard|sensitive|flare",
		{ S(profile, 1, profiles) } },
};

const char *ctl_cmd_name(enum ctl_cmd c)
{
	return (unsigned)c < CTL_NCMDS ? cmds[c].name : NULL;
}

const char *ctl_cmd_usage(enum ctl_cmd c)
{
	return (unsigned)c < CTL_NCMDS ? cmds[c].usage : NULL;
}

static int fail(char *err, size_t cap, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t cap, int code, const char *fmt, ...)
{
	if (err && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int set_arg(const struct arg *a, const cJSON *j, struct ctl_request *req,
		   char *err, size_t cap)
{
	char *p = (char *)req + a->offset;
	char num[32];
	switch (a->type) {
	case A_STRNUM:
		if (cJSON_IsNumber(j)) {
			if (j->valuedouble < a->min || j->valuedouble > a->max)
				return fail(err, cap, VG_ERR_RANGE,
					    "field '%s' out of range [%g, %g]", a->name,
					    a->min, a->max);
			snprintf(num, sizeof(num), "%g", j->valuedouble);
			snprintf(p, a->size, "%s", num);
			return VG_OK;
		}
		/* fall through: a string */
		/* FALLTHROUGH */
	case A_STR:
		if (!cJSON_IsString(j))
			return fail(err, cap, VG_ERR_INVAL, "field '%s' must be a string",
				    a->name);
		if (strlen(j->valuestring) >= a->size)
			return fail(err, cap, VG_ERR_TRUNC, "field '%s' is too long",
				    a->name);
		if (a->choices) {
			int ok = 0;
			for (int i = 0; a->choices[i]; i++)
				ok |= !strcmp(a->choices[i], j->valuestring);
			if (!ok)
				return fail(err, cap, VG_ERR_INVAL,
					    "field '%s' has an unknown value '%.64s'",
					    a->name, j->valuestring);
		}
		strcpy(p, j->valuestring);
		return VG_OK;
	case A_NUM:
	case A_INT: {
		if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
			return fail(err, cap, VG_ERR_INVAL, "field '%s' must be a number",
				    a->name);
		double v = j->valuedouble;
		if (v < a->min || v > a->max)
			return fail(err, cap, VG_ERR_RANGE,
				    "field '%s' out of range [%g, %g]", a->name, a->min,
				    a->max);
		if (a->type == A_INT) {
			if (v != floor(v))
				return fail(err, cap, VG_ERR_INVAL,
					    "field '%s' must be an integer", a->name);
			int iv = (int)v;
			memcpy(p, &iv, sizeof(iv));
		} else {
			memcpy(p, &v, sizeof(v));
		}
		return VG_OK;
	}
	}
	return VG_ERR_INVAL;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0: no
 * overlongs, no surrogates, nothing above U+10FFFF (RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, min = 0x10000;
	else
		return 0;
	if (k > n)
		return 0;
	unsigned cp = c & (0x3Fu >> (k - 1));
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k;
}

/* The request text itself, before cJSON sees it: valid UTF-8 (a label is
 * republished to strict JSON subscribers), no NUL byte and no \u0000
 * escape (C strings would end there: "ping\u0000x" ran ping). The strings
 * cJSON makes from \u escapes are valid UTF-8 (it refuses lone
 * surrogates), so every string of the request is then valid and whole. */
static int check_text(const char *json, size_t len, char *err, size_t cap)
{
	const unsigned char *s = (const unsigned char *)json;
	int in_str = 0;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq(s + i, len - i);
		if (!k)
			return fail(err, cap, VG_ERR_INVAL,
				    "request is not valid UTF-8 (byte %zu)", i);
		if (s[i] == 0)
			return fail(err, cap, VG_ERR_INVAL, "NUL byte in request");
		if (in_str && s[i] == '\\' && i + 1 < len) {
			if (s[i + 1] == 'u' && i + 5 < len && !memcmp(s + i + 2, "0000", 4))
				return fail(err, cap, VG_ERR_INVAL,
					    "\\u0000 in a string of the request");
			i += 2; /* the escaped character (ASCII when valid) */
			continue;
		}
		if (s[i] == '"')
			in_str = !in_str;
		i += k;
	}
	return VG_OK;
}

int ctl_parse(const char *json, size_t len, struct ctl_request *req, char *err,
	      size_t errcap)
{
	memset(req, 0, sizeof(*req));
	req->seconds = req->inhale_s = req->hold_in_s = req->exhale_s =
		req->hold_out_s = req->target_bpm = NAN;
	req->channel = -1;
	if (err && errcap)
		err[0] = '\0';
	if (!json || len == 0)
		return fail(err, errcap, VG_ERR_PARSE, "empty request");
	if (len > CTL_REQ_MAX)
		return fail(err, errcap, VG_ERR_TRUNC, "request larger than 4096 bytes");
	int rc = check_text(json, len, err, errcap);
	if (rc != VG_OK)
		return rc;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!root)
		return fail(err, errcap, VG_ERR_PARSE, "malformed JSON");
	while (end && end < json + len &&
	       (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (!end || end != json + len) {
		cJSON_Delete(root);
		return fail(err, errcap, VG_ERR_PARSE,
			    "trailing bytes after the JSON request (at byte %zu)",
			    end ? (size_t)(end - json) : (size_t)0);
	}
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(root, "cmd");
	if (!cJSON_IsObject(root) || !cJSON_IsString(cmd)) {
		rc = fail(err, errcap, VG_ERR_PARSE,
			  "request must be an object with a string \"cmd\"");
		goto out;
	}
	int found = -1;
	for (int i = 0; i < CTL_NCMDS; i++)
		if (!strcmp(cmds[i].name, cmd->valuestring))
			found = i;
	if (found < 0) {
		rc = fail(err, errcap, VG_ERR_NOTFOUND, "unknown command '%.64s'",
			  cmd->valuestring);
		goto out;
	}
	req->cmd = (enum ctl_cmd)found;
	rc = VG_OK;
	for (const struct arg *a = cmds[found].args; a->name && rc == VG_OK; a++) {
		const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, a->name);
		if (!j || cJSON_IsNull(j)) {
			if (a->required)
				rc = fail(err, errcap, VG_ERR_INVAL,
					  "missing field '%s'", a->name);
			continue;
		}
		rc = set_arg(a, j, req, err, errcap);
	}
	/* reject unknown fields: a typo must not be silently ignored */
	const cJSON *it;
	cJSON_ArrayForEach(it, root) {
		if (rc != VG_OK || !strcmp(it->string, "cmd"))
			continue;
		int known = 0;
		for (const struct arg *a = cmds[found].args; a->name; a++)
			known |= !strcmp(a->name, it->string);
		if (!known)
			rc = fail(err, errcap, VG_ERR_INVAL, "unknown field '%.64s' for %s",
				  it->string, cmds[found].name);
	}
out:
	cJSON_Delete(root);
	return rc;
}
