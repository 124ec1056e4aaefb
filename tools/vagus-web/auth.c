/*
 * auth.c - users file, Argon2id password checks, cookie sessions and CSRF
 * tokens (see auth.h).
 */
#include "auth.h"

#include "vg_err.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AUTH_LINE_MAX 512

struct auth_user {
	char name[AUTH_NAME_MAX];
	enum auth_role role;
	char hash[crypto_pwhash_STRBYTES];
};

struct auth_session {
	char sid[AUTH_TOKEN_HEX];  /* "" = free */
	char csrf[AUTH_TOKEN_HEX];
	char user[AUTH_NAME_MAX];
	enum auth_role role;
	time_t expires;
	time_t created;
};

struct web_auth {
	int required;
	struct auth_user users[AUTH_MAX_USERS];
	int nusers;
	pthread_mutex_t mu;        /* sessions */
	pthread_mutex_t pw_mu;     /* one password check at a time */
	struct auth_session sess[AUTH_MAX_SESSIONS];
	char open_csrf[AUTH_TOKEN_HEX]; /* no-login mode */
};

const char *web_auth_role_name(enum auth_role r)
{
	return r == AUTH_CONSOLE ? "console" : r == AUTH_OBSERVER ? "observer" : "none";
}

static enum auth_role role_parse(const char *s)
{
	if (!strcmp(s, "console"))
		return AUTH_CONSOLE;
	if (!strcmp(s, "observer"))
		return AUTH_OBSERVER;
	return AUTH_NONE;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= AUTH_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-@", s[i]))
			return 0;
	return 1;
}

static void new_token(char out[AUTH_TOKEN_HEX])
{
	unsigned char b[32];
	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, AUTH_TOKEN_HEX, b, sizeof(b));
}

/* Split "name:role:hash" in place; 0 or -1. */
static int split_line(char *line, char **name, char **role, char **hash)
{
	line[strcspn(line, "\r\n")] = '\0';
	char *a = strchr(line, ':');
	char *b = a ? strchr(a + 1, ':') : NULL;
	if (!a || !b)
		return -1;
	*a = *b = '\0';
	*name = line;
	*role = a + 1;
	*hash = b + 1;
	return 0;
}

static int load_users(struct web_auth *a, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "vagus-web: cannot read users file %s: %s\n", path,
			strerror(errno));
		return VG_ERR_NOTFOUND;
	}
	char line[AUTH_LINE_MAX];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
			continue;
		char *name, *role, *hash;
		if (split_line(line, &name, &role, &hash) < 0 || !name_ok(name) ||
		    role_parse(role) == AUTH_NONE ||
		    strlen(hash) >= crypto_pwhash_STRBYTES ||
		    strncmp(hash, "$argon2", 7)) {
			fprintf(stderr, "vagus-web: %s:%d: expected name:observer|console:"
				"$argon2id$... (vagus-web --add-user)\n", path, lineno);
			rc = VG_ERR_PARSE;
			break;
		}
		if (a->nusers >= AUTH_MAX_USERS) {
			fprintf(stderr, "vagus-web: %s: more than %d users\n", path,
				AUTH_MAX_USERS);
			rc = VG_ERR_RANGE;
			break;
		}
		struct auth_user *u = &a->users[a->nusers++];
		snprintf(u->name, sizeof(u->name), "%s", name);
		u->role = role_parse(role);
		snprintf(u->hash, sizeof(u->hash), "%s", hash);
	}
	fclose(f);
	if (rc == 0 && a->nusers == 0) {
		fprintf(stderr, "vagus-web: %s has no users (vagus-web --add-user)\n", path);
		rc = VG_ERR_NOTFOUND;
	}
	return rc;
}

struct web_auth *web_auth_new(const char *users_path, int *err)
{
	int e = VG_ERR_NOMEM;
	if (sodium_init() < 0) {
		e = VG_ERR_IO;
		goto fail0;
	}
	struct web_auth *a = calloc(1, sizeof(*a));
	if (!a)
		goto fail0;
	pthread_mutex_init(&a->mu, NULL);
	pthread_mutex_init(&a->pw_mu, NULL);
	new_token(a->open_csrf);
	if (users_path) {
		a->required = 1;
		e = load_users(a, users_path);
		if (e < 0) {
			web_auth_destroy(&a);
			goto fail0;
		}
	}
	return a;
fail0:
	if (err)
		*err = e;
	return NULL;
}

void web_auth_destroy(struct web_auth **ap)
{
	if (!ap || !*ap)
		return;
	struct web_auth *a = *ap;
	pthread_mutex_destroy(&a->mu);
	pthread_mutex_destroy(&a->pw_mu);
	sodium_memzero(a, sizeof(*a));
	free(a);
	*ap = NULL;
}

int web_auth_required(const struct web_auth *a)
{
	return a->required;
}

static int token_eq(const char *x, const char *y)
{
	if (!x || !y || strlen(x) != AUTH_TOKEN_HEX - 1 || strlen(y) != AUTH_TOKEN_HEX - 1)
		return 0;
	return sodium_memcmp(x, y, AUTH_TOKEN_HEX - 1) == 0;
}

/* The live session for this cookie, or NULL; call with a->mu held. */
static struct auth_session *find(struct web_auth *a, const char *cookie)
{
	time_t now = time(NULL);
	for (int i = 0; i < AUTH_MAX_SESSIONS; i++) {
		struct auth_session *s = &a->sess[i];
		if (!s->sid[0])
			continue;
		if (s->expires < now) {
			sodium_memzero(s, sizeof(*s));
			continue;
		}
		if (token_eq(s->sid, cookie))
			return s;
	}
	return NULL;
}

enum auth_role web_auth_check(struct web_auth *a, const char *cookie,
			      char *csrf, char *user, size_t ucap)
{
	if (!a->required) {
		if (csrf)
			memcpy(csrf, a->open_csrf, AUTH_TOKEN_HEX);
		if (user && ucap)
			snprintf(user, ucap, "%s", "");
		return AUTH_CONSOLE;
	}
	enum auth_role r = AUTH_NONE;
	pthread_mutex_lock(&a->mu);
	struct auth_session *s = cookie ? find(a, cookie) : NULL;
	if (s) {
		r = s->role;
		if (csrf)
			memcpy(csrf, s->csrf, AUTH_TOKEN_HEX);
		if (user && ucap)
			snprintf(user, ucap, "%s", s->user);
	}
	pthread_mutex_unlock(&a->mu);
	return r;
}

int web_auth_csrf_ok(struct web_auth *a, const char *cookie, const char *token)
{
	char csrf[AUTH_TOKEN_HEX];
	if (web_auth_check(a, cookie, csrf, NULL, 0) == AUTH_NONE)
		return 0;
	return token_eq(csrf, token);
}

enum auth_role web_auth_login(struct web_auth *a, const char *user,
			      const char *password, char *sid, char *csrf)
{
	if (!a->required || !user || !password)
		return AUTH_NONE;
	const struct auth_user *u = NULL;
	for (int i = 0; i < a->nusers; i++)
		if (!strcmp(a->users[i].name, user))
			u = &a->users[i];
	/* an unknown user costs the same check (against a known hash, bound to
	 * fail): the answer's delay must not tell which names exist */
	const char *hash = u ? u->hash : a->users[0].hash;
	pthread_mutex_lock(&a->pw_mu);
	int ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && u;
	pthread_mutex_unlock(&a->pw_mu);
	if (!ok)
		return AUTH_NONE;
	pthread_mutex_lock(&a->mu);
	time_t now = time(NULL);
	struct auth_session *s = NULL;
	for (int i = 0; i < AUTH_MAX_SESSIONS && !s; i++)
		if (!a->sess[i].sid[0] || a->sess[i].expires < now)
			s = &a->sess[i];
	if (!s) { /* full: evict the oldest */
		s = &a->sess[0];
		for (int i = 1; i < AUTH_MAX_SESSIONS; i++)
			if (a->sess[i].created < s->created)
				s = &a->sess[i];
	}
	new_token(s->sid);
	new_token(s->csrf);
	snprintf(s->user, sizeof(s->user), "%s", u->name);
	s->role = u->role;
	s->created = now;
	s->expires = now + AUTH_SESSION_S;
	memcpy(sid, s->sid, AUTH_TOKEN_HEX);
	memcpy(csrf, s->csrf, AUTH_TOKEN_HEX);
	enum auth_role r = s->role;
	pthread_mutex_unlock(&a->mu);
	return r;
}

void web_auth_logout(struct web_auth *a, const char *cookie)
{
	if (!a->required || !cookie)
		return;
	pthread_mutex_lock(&a->mu);
	struct auth_session *s = find(a, cookie);
	if (s)
		sodium_memzero(s, sizeof(*s));
	pthread_mutex_unlock(&a->mu);
}

/* Copy the users file without NAME's line into out (may not exist yet). */
static int copy_others(const char *path, const char *name, FILE *out)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return errno == ENOENT ? 0 : VG_ERR_IO;
	char line[AUTH_LINE_MAX], tmp[AUTH_LINE_MAX];
	while (fgets(line, sizeof(line), in)) {
		snprintf(tmp, sizeof(tmp), "%s", line);
		char *n, *r, *h;
		if (line[0] != '#' && split_line(tmp, &n, &r, &h) == 0 && !strcmp(n, name))
			continue;
		fputs(line, out);
	}
	fclose(in);
	return 0;
}

int web_auth_add_user(const char *path, const char *name, const char *role)
{
	if (!name_ok(name)) {
		fprintf(stderr, "vagus-web: user names are 1-%d characters of "
			"[A-Za-z0-9._@-]\n", AUTH_NAME_MAX - 1);
		return VG_ERR_INVAL;
	}
	if (role_parse(role) == AUTH_NONE) {
		fprintf(stderr, "vagus-web: --role is observer or console\n");
		return VG_ERR_INVAL;
	}
	if (sodium_init() < 0)
		return VG_ERR_IO;
	char pw[256];
	if (!fgets(pw, sizeof(pw), stdin)) {
		fprintf(stderr, "vagus-web: no password on stdin\n");
		return VG_ERR_INVAL;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	if (strlen(pw) < 8) {
		fprintf(stderr, "vagus-web: the password needs at least 8 characters\n");
		sodium_memzero(pw, sizeof(pw));
		return VG_ERR_INVAL;
	}
	char hash[crypto_pwhash_STRBYTES];
	int hrc = crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				    crypto_pwhash_MEMLIMIT_INTERACTIVE);
	sodium_memzero(pw, sizeof(pw));
	if (hrc != 0) {
		fprintf(stderr, "vagus-web: password hashing failed (out of memory)\n");
		return VG_ERR_NOMEM;
	}
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return VG_ERR_RANGE;
	mode_t old = umask(077);
	FILE *out = fopen(tmp, "w");
	umask(old);
	if (!out) {
		fprintf(stderr, "vagus-web: cannot write %s: %s\n", tmp, strerror(errno));
		return VG_ERR_IO;
	}
	int rc = copy_others(path, name, out);
	fprintf(out, "%s:%s:%s\n", name, role, hash);
	if (fclose(out) != 0 || rc < 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "vagus-web: cannot update %s\n", path);
		unlink(tmp);
		return VG_ERR_IO;
	}
	return 0;
}
