/*
 * idx_sqlite.c - the SQLite backend of the session index (see
 * idx_backend.h): the embedded default, one file in the recording
 * directory, created with mode 0600 (the client's name is in it).
 * A damaged file (not a database, or PRAGMA quick_check not "ok") is
 * refused with VG_ERR_PARSE so the caller can rebuild it.
 * Reference: SQLite C API (sqlite3_prepare_v2, sqlite3_bind_text,
 * bind_parameter_index for "$N" names, busy_timeout).
 */
#include "idx_backend.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int bind_all(sqlite3 *db, sqlite3_stmt *st, int n, const char *const *p)
{
	for (int i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "$%d", i + 1);
		int k = sqlite3_bind_parameter_index(st, name);
		if (k <= 0)
			continue;
		int rc = p[i] ? sqlite3_bind_text(st, k, p[i], -1, SQLITE_TRANSIENT)
			      : sqlite3_bind_null(st, k);
		if (rc != SQLITE_OK) {
			vg_warnx("index: bind: %s", sqlite3_errmsg(db));
			return VG_ERR_INVAL;
		}
	}
	return 0;
}

static int lite_query(void *h, const char *sql, int n, const char *const *p, idx_row_fn row,
		      void *ctx)
{
	sqlite3 *db = h;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		int code = sqlite3_errcode(db);
		vg_warnx("index: %s: %s", sqlite3_errmsg(db), sql);
		return (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) ? VG_ERR_PARSE : VG_ERR_IO;
	}
	int e = bind_all(db, st, n, p), rc;
	while (e == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!row)
			continue;
		int nc = sqlite3_column_count(st);
		const char *vals[48];
		if (nc > 48)
			nc = 48;
		for (int c = 0; c < nc; c++)
			vals[c] = (const char *)sqlite3_column_text(st, c);
		e = row(ctx, nc, vals);
	}
	if (e == 0 && rc != SQLITE_DONE) {
		int code = sqlite3_errcode(db);
		vg_warnx("index: %s", sqlite3_errmsg(db));
		e = (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) ? VG_ERR_PARSE : VG_ERR_IO;
	}
	sqlite3_finalize(st);
	return e;
}

static int lite_exec(void *h, const char *sql, int n, const char *const *p)
{
	return lite_query(h, sql, n, p, NULL, NULL);
}

static void lite_close(void *h)
{
	sqlite3_close(h);
}

static const struct idx_backend lite_ops = { "sqlite", lite_exec, lite_query, lite_close };

static int check_row(void *ctx, int nc, const char *const *v)
{
	int *ok = ctx;
	*ok = nc > 0 && v[0] && strcmp(v[0], "ok") == 0;
	return 0;
}

int idx_sqlite_open(const char *path, void **out, const struct idx_backend **ops, int *created)
{
	*out = NULL;
	struct stat stb;
	int existed = stat(path, &stb) == 0;
	if (!existed) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			vg_warn("index: cannot create %s", path);
			return vg_err_from_errno(errno);
		}
		if (fd >= 0)
			close(fd);
	} else if ((stb.st_mode & 077) && chmod(path, 0600) != 0) {
		vg_warn("index: cannot make %s private", path);
	}
	if (created)
		*created = !existed;
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		vg_warnx("index: cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "no memory");
		sqlite3_close(db);
		return VG_ERR_IO;
	}
	sqlite3_busy_timeout(db, 5000);
	int ok = 0;
	if (lite_query(db, "PRAGMA quick_check", 0, NULL, check_row, &ok) < 0 || !ok) {
		vg_warnx("index: %s is damaged", path);
		sqlite3_close(db);
		return VG_ERR_PARSE;
	}
	*out = db;
	*ops = &lite_ops;
	return 0;
}
