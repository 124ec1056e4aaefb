/*
 * auth.h - vagus-web's logins: users file, password check, cookie sessions
 * and CSRF tokens.
 *
 * Problem: the web console carries health data on a clinic network. Off
 * loopback, a person must log in; their role (observer: view; console: view
 * and control, the roles vagusd already has) decides what they may do;
 * passwords must never be stored in clear; a page on another site must not
 * be able to drive vagusd through the therapist's logged-in browser.
 * Approach: a users file of lines `name:role:HASH`, HASH from libsodium's
 * crypto_pwhash_str (Argon2id, interactive limits; the parameters live in
 * the string). A login creates a session: 32 random bytes (hex) sent as an
 * HttpOnly, Secure, SameSite=Strict cookie, with its own random CSRF token
 * that the page reads from /api/whoami (same origin only) and must send
 * back in the X-Vagus-CSRF header of every control request (per-session
 * token; compared in constant time). Without a users file (loopback, or
 * --insecure) everyone is "console" and one random per-process CSRF token
 * still guards the control requests against cross-site posts.
 * References: libsodium "Password hashing" (crypto_pwhash_str); OWASP CSRF
 * prevention cheat sheet (synchronizer token).
 * Limits: AUTH_MAX_USERS users, AUTH_MAX_SESSIONS live sessions (the
 * oldest is evicted), AUTH_SESSION_S lifetime; sessions live in memory (a
 * restart logs everyone out). Password checks are serialised (each costs
 * about 64 MiB and a fraction of a second: a natural brake on guessing).
 */
#ifndef WEB_AUTH_H
#define WEB_AUTH_H

#include <stddef.h>

#define AUTH_MAX_USERS 64
#define AUTH_MAX_SESSIONS 64
#define AUTH_SESSION_S (12 * 3600) /* session lifetime, s */
#define AUTH_TOKEN_HEX 65          /* 32 bytes as hex + NUL */
#define AUTH_NAME_MAX 32

enum auth_role { AUTH_NONE = 0, AUTH_OBSERVER, AUTH_CONSOLE };

struct web_auth;

/* users_path NULL = no logins (everyone is console). NULL + *err on
 * failure (message on stderr). */
struct web_auth *web_auth_new(const char *users_path, int *err);
void web_auth_destroy(struct web_auth **a);
int web_auth_required(const struct web_auth *a);

/* The role of a request from its cookie value (NULL = none), with the
 * session's CSRF token copied into csrf (AUTH_TOKEN_HEX). AUTH_NONE when
 * a login is required and the cookie is not a live session. */
enum auth_role web_auth_check(struct web_auth *a, const char *cookie,
			      char *csrf, char *user, size_t ucap);
/* 1 when token equals the CSRF token of the request's session. */
int web_auth_csrf_ok(struct web_auth *a, const char *cookie, const char *token);
/* Check a password; on success create a session: sid and csrf filled
 * (AUTH_TOKEN_HEX each) and the role returned; AUTH_NONE otherwise. */
enum auth_role web_auth_login(struct web_auth *a, const char *user,
			      const char *password, char *sid, char *csrf);
void web_auth_logout(struct web_auth *a, const char *cookie);
const char *web_auth_role_name(enum auth_role r);

/* vagus-web --add-user: add or replace NAME with ROLE in the users file,
 * the password read from the first line of stdin. 0 or VG_ERR_*. */
int web_auth_add_user(const char *path, const char *name, const char *role);

#endif
