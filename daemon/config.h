/*
 * config.h - vagusd's configuration file (INI, parsed with inih).
 *
 * Problem: a clinic's daemon is configured once (sources and channel roles,
 * endpoints, windows, thresholds, recording directory, security) and every
 * mistake must be reported precisely: file, line, key, and why.
 * Approach: inih calls back per key; each (section, key) has a checker that
 * stores the value into struct config (owned strings, fixed arrays) or
 * fails with "FILE:LINE: [section] key: reason". Unknown sections and keys
 * are errors (a typo must not silently fall back to a default). The command
 * line overrides the file.
 *
 *   [daemon]   pub, ctl, room, log_level (err|warn|info|debug),
 *              stall_timeout (s, 0.5..600), insecure (yes|no)
 *   [source]   spec = DRIVER[:LINK][,key=value...]   (one [source] per device;
 *              options = key=value,... appended to spec)
 *   [hrv]      windows = 60, 300   (s, 10..3600, at most 4)
 *   [record]   dir = PATH          (session recordings), record = yes|no
 *   [index]    url = URL           (session index: postgresql://... or a SQLite path)
 *   [security] secret_key_file = PATH   (the daemon's CURVE secret key, Z85)
 *   [client NAME]  public_key = Z85 key, role = observer|console
 * One line reader feeds inih and counts lines: a UTF-8 byte-order mark on
 * line 1 is stripped there (not by inih), NUL bytes, indented section
 * headers and lines over inih's 200 characters are refused with FILE:LINE.
 * Numbers are decimal only (no 0x10, inf, nan).
 * Limits: lines up to 199 characters; 8 sources; 64 clients.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_MAX_SOURCES 8
#define CONFIG_MAX_CLIENTS 64
#define CONFIG_STR 256

struct config_client {
	char name[64];
	char public_key[41]; /* Z85 */
	char role[16];       /* observer | console */
};

struct config {
	char pub[CONFIG_STR], ctl[CONFIG_STR], room[64];
	char log_level[16];
	double stall_timeout_s;   /* 0 = default */
	int insecure;
	char sources[CONFIG_MAX_SOURCES][512];
	int nsources;
	double windows_s[4];
	int nwindows;
	char record_dir[CONFIG_STR];
	int record_off;           /* [record] record = no */
	char index_url[CONFIG_STR]; /* [index] url: "" = SQLite in the record dir */
	char secret_key_file[CONFIG_STR];
	struct config_client clients[CONFIG_MAX_CLIENTS];
	int nclients;
};

/* Load path into *c (zeroed first). 0, or VG_ERR_NOTFOUND / VG_ERR_PARSE /
 * VG_ERR_INVAL / VG_ERR_RANGE with "FILE:LINE: [section] key: reason" in err. */
int config_load(const char *path, struct config *c, char *err, size_t errcap);
/* The same from an open stream; path names it in messages. */
int config_load_stream(FILE *f, const char *path, struct config *c, char *err,
		       size_t errcap);

#endif
