/*
 * config.c - INI configuration with precise errors (see config.h).
 */
#include "config.h"
#include "vg_err.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct parse {
	struct config *c;
	const char *path;
	FILE *f;
	int line;          /* line the reader handed to inih last */
	int rc;
	char *err;
	size_t errcap;
};

static int bad(struct parse *p, int code, const char *sec, const char *key,
	       const char *why)
{
	if (p->rc == VG_OK && !strcmp(sec, "-")) { /* a line, not a key */
		snprintf(p->err, p->errcap, "%s:%d: %s", p->path, p->line, why);
		p->rc = code;
	} else if (p->rc == VG_OK) {
		snprintf(p->err, p->errcap, "%s:%d: [%s] %s: %s", p->path, p->line, sec,
			 key, why);
		p->rc = code;
	}
	return 0; /* stop inih */
}

static int copy(struct parse *p, const char *sec, const char *key, const char *v,
		char *dst, size_t cap)
{
	if (strlen(v) >= cap)
		return bad(p, VG_ERR_RANGE, sec, key, "value too long");
	strcpy(dst, v);
	return 1;
}

static int number(struct parse *p, const char *sec, const char *key,
		  const char *v, double lo, double hi, double *out)
{
	/* decimal only: strtod would also take 0x10, inf, nan */
	for (const char *q = v; *q; q++)
		if (!strchr("0123456789.eE+- \t", *q))
			return bad(p, VG_ERR_INVAL, sec, key, "not a number (decimal only)");
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno || end == v || *end || !isfinite(x))
		return bad(p, VG_ERR_INVAL, sec, key, "not a number");
	if (x < lo || x > hi) {
		char why[96];
		snprintf(why, sizeof(why), "%g is out of range [%g, %g]", x, lo, hi);
		return bad(p, VG_ERR_RANGE, sec, key, why);
	}
	*out = x;
	return 1;
}

static int boolean(struct parse *p, const char *sec, const char *key,
		   const char *v, int *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return bad(p, VG_ERR_INVAL, sec, key, "want yes or no");
	return 1;
}

static int daemon_key(struct parse *p, const char *k, const char *v)
{
	struct config *c = p->c;
	if (!strcmp(k, "pub"))
		return copy(p, "daemon", k, v, c->pub, sizeof(c->pub));
	if (!strcmp(k, "ctl"))
		return copy(p, "daemon", k, v, c->ctl, sizeof(c->ctl));
	if (!strcmp(k, "room"))
		return copy(p, "daemon", k, v, c->room, sizeof(c->room));
	if (!strcmp(k, "log_level")) {
		static const char *const lv[] = { "err", "warn", "info", "debug" };
		for (int i = 0; i < 4; i++)
			if (!strcmp(v, lv[i]))
				return copy(p, "daemon", k, v, c->log_level,
					    sizeof(c->log_level));
		return bad(p, VG_ERR_INVAL, "daemon", k, "want err, warn, info or debug");
	}
	if (!strcmp(k, "stall_timeout"))
		return number(p, "daemon", k, v, 0.5, 600, &c->stall_timeout_s);
	if (!strcmp(k, "insecure"))
		return boolean(p, "daemon", k, v, &c->insecure);
	return bad(p, VG_ERR_INVAL, "daemon", k, "unknown key");
}

static int source_key(struct parse *p, const char *k, const char *v)
{
	struct config *c = p->c;
	if (c->nsources < 1) /* the reader opens the slot; never index -1 */
		return bad(p, VG_ERR_PARSE, "source", k, "no [source] header read");
	char *s = c->sources[c->nsources - 1];
	size_t cap = sizeof(c->sources[0]);
	if (!strcmp(k, "spec")) {
		if (s[0])
			return bad(p, VG_ERR_INVAL, "source", k, "spec given twice");
		if (!v[0] || strchr(v, ' '))
			return bad(p, VG_ERR_INVAL, "source", k,
				   "want DRIVER[:LINK][,key=value...] without spaces");
		return copy(p, "source", k, v, s, cap);
	}
	if (!strcmp(k, "options")) {
		if (!s[0])
			return bad(p, VG_ERR_INVAL, "source", k, "options before spec");
		size_t len = strlen(s);
		if (len + 1 + strlen(v) >= cap)
			return bad(p, VG_ERR_RANGE, "source", k, "value too long");
		s[len] = ',';
		strcpy(s + len + 1, v);
		return 1;
	}
	return bad(p, VG_ERR_INVAL, "source", k, "unknown key");
}

static int hrv_key(struct parse *p, const char *k, const char *v)
{
	struct config *c = p->c;
	if (strcmp(k, "windows"))
		return bad(p, VG_ERR_INVAL, "hrv", k, "unknown key");
	char buf[CONFIG_STR];
	if (!copy(p, "hrv", k, v, buf, sizeof(buf)))
		return 0;
	c->nwindows = 0;
	for (char *tok = strtok(buf, ", "); tok; tok = strtok(NULL, ", ")) {
		if (c->nwindows >= 4)
			return bad(p, VG_ERR_RANGE, "hrv", k, "at most 4 windows");
		if (!number(p, "hrv", k, tok, 10, 3600, &c->windows_s[c->nwindows]))
			return 0;
		c->nwindows++;
	}
	if (!c->nwindows)
		return bad(p, VG_ERR_INVAL, "hrv", k, "no window given");
	return 1;
}

static int is_z85_key(const char *v)
{
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				  "OPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
	if (strlen(v) != 40)
		return 0;
	for (const char *q = v; *q; q++)
		if (!strchr(z85, *q))
			return 0;
	return 1;
}

static int client_key(struct parse *p, const char *sec, const char *k,
		      const char *v)
{
	if (p->c->nclients < 1) /* the reader opens the slot; never index -1 */
		return bad(p, VG_ERR_PARSE, sec, k, "no [client NAME] header read");
	struct config_client *cl = &p->c->clients[p->c->nclients - 1];
	if (!strcmp(k, "public_key")) {
		if (!is_z85_key(v))
			return bad(p, VG_ERR_INVAL, sec, k,
				   "want a 40-character Z85 CURVE public key");
		return copy(p, sec, k, v, cl->public_key, sizeof(cl->public_key));
	}
	if (!strcmp(k, "role")) {
		if (strcmp(v, "observer") && strcmp(v, "console"))
			return bad(p, VG_ERR_INVAL, sec, k, "want observer or console");
		return copy(p, sec, k, v, cl->role, sizeof(cl->role));
	}
	return bad(p, VG_ERR_INVAL, sec, k, "unknown key");
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse *p = user;
	struct config *c = p->c;
	if (p->rc != VG_OK)
		return 0;
	/* inih reports a repeated [source] header only through the values
	 * that follow; a new header line is detected by the reader */
	if (!strcmp(section, "daemon"))
		return daemon_key(p, name, value);
	if (!strcmp(section, "source"))
		return source_key(p, name, value);
	if (!strcmp(section, "hrv"))
		return hrv_key(p, name, value);
	if (!strcmp(section, "record")) {
		if (!strcmp(name, "record")) {
			int on = 1, r = boolean(p, section, name, value, &on);
			c->record_off = !on;
			return r;
		}
		if (strcmp(name, "dir"))
			return bad(p, VG_ERR_INVAL, section, name, "unknown key");
		return copy(p, section, name, value, c->record_dir, sizeof(c->record_dir));
	}
	if (!strcmp(section, "index")) {
		if (strcmp(name, "url"))
			return bad(p, VG_ERR_INVAL, section, name, "unknown key");
		return copy(p, section, name, value, c->index_url, sizeof(c->index_url));
	}
	if (!strcmp(section, "security")) {
		if (strcmp(name, "secret_key_file"))
			return bad(p, VG_ERR_INVAL, section, name, "unknown key");
		return copy(p, section, name, value, c->secret_key_file,
			    sizeof(c->secret_key_file));
	}
	if (!strncmp(section, "client ", 7))
		return client_key(p, section, name, value);
	return bad(p, VG_ERR_INVAL, section, name, "unknown section");
}

/* The one line reader, for inih and for ourselves: inih never sees a byte
 * we did not see. It strips a UTF-8 BOM on line 1 itself (so inih's own BOM
 * rule never applies and both count the same lines), refuses NUL bytes and
 * lines longer than inih's buffer (which inih would split into two lines),
 * and opens a source/client slot at each [source] / [client NAME] header,
 * recognised as inih does (first non-blank character '['). An indented
 * header is refused: inih would take it as the continuation of a value. */
static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	if (p->rc != VG_OK || num < 2)
		return NULL; /* stop at the first error */
	int n = 0, ch = EOF, nul = 0;
	while (n < num - 1 && (ch = getc(p->f)) != EOF) {
		if (ch == '\0')
			nul = 1;
		str[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	if (n == 0)
		return NULL;
	str[n] = '\0';
	p->line++;
	if (nul) {
		bad(p, VG_ERR_PARSE, "-", "-", "NUL byte in line");
		return NULL;
	}
	if (str[n - 1] != '\n' && n == num - 1 && (ch = getc(p->f)) != EOF) {
		bad(p, VG_ERR_RANGE, "-", "-", "line too long");
		return NULL;
	}
	if (p->line == 1 && n >= 3 && !memcmp(str, "\xEF\xBB\xBF", 3)) {
		memmove(str, str + 3, (size_t)n - 2); /* with the NUL */
		if (!memcmp(str, "\xEF\xBB\xBF", 3)) { /* inih would strip it too */
			bad(p, VG_ERR_PARSE, "-", "-", "two byte-order marks");
			return NULL;
		}
	}
	const char *s = str;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[' && s > str) {
		bad(p, VG_ERR_PARSE, "-", "-", "indented section header");
		return NULL;
	}
	if (!strncmp(s, "[source]", 8)) {
		if (p->c->nsources >= CONFIG_MAX_SOURCES)
			bad(p, VG_ERR_RANGE, "source", "-", "too many sources (8)");
		else if (p->c->nsources && !p->c->sources[p->c->nsources - 1][0])
			bad(p, VG_ERR_INVAL, "source", "spec", "missing in the previous [source]");
		else
			p->c->nsources++;
	} else if (!strncmp(s, "[client ", 8)) {
		if (p->c->nclients >= CONFIG_MAX_CLIENTS) {
			bad(p, VG_ERR_RANGE, "client", "-", "too many clients (64)");
		} else {
			struct config_client *cl = &p->c->clients[p->c->nclients++];
			const char *end = strchr(s + 8, ']');
			size_t len = end ? (size_t)(end - (s + 8)) : 0;
			if (!end || len == 0 || len >= sizeof(cl->name))
				bad(p, VG_ERR_INVAL, "client", "-", "bad [client NAME] header");
			else
				memcpy(cl->name, s + 8, len);
		}
	}
	return p->rc == VG_OK ? str : NULL;
}

int config_load(const char *path, struct config *c, char *err, size_t errcap)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		memset(c, 0, sizeof(*c));
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return vg_err_from_errno(errno);
	}
	int rc = config_load_stream(f, path, c, err, errcap);
	fclose(f);
	return rc;
}

int config_load_stream(FILE *f, const char *path, struct config *c, char *err,
		       size_t errcap)
{
	memset(c, 0, sizeof(*c));
	struct parse p = { .c = c, .path = path, .err = err, .errcap = errcap, .f = f };
	if (err && errcap)
		err[0] = '\0';
	int r = ini_parse_stream(reader, &p, handler, &p);
	if (p.rc != VG_OK)
		return p.rc;
	if (r > 0) {
		snprintf(err, errcap, "%s:%d: syntax error", path, r);
		return VG_ERR_PARSE;
	}
	if (r < 0) {
		snprintf(err, errcap, "%s: cannot read", path);
		return VG_ERR_IO;
	}
	if (c->nsources && !c->sources[c->nsources - 1][0]) {
		snprintf(err, errcap, "%s: [source] without spec", path);
		return VG_ERR_INVAL;
	}
	for (int i = 0; i < c->nclients; i++) {
		if (!c->clients[i].public_key[0] || !c->clients[i].role[0]) {
			snprintf(err, errcap, "%s: [client %s] needs public_key and role",
				 path, c->clients[i].name);
			return VG_ERR_INVAL;
		}
	}
	return VG_OK;
}
