/*
 * idx_backend.h - what idx.c needs from a database: the backend table.
 *
 * Problem: one index over two databases (SQLite, PostgreSQL) without
 * writing the SQL or the logic twice.
 * Approach: a backend gives exec (a statement with text parameters
 * $1..$n, NULL = SQL NULL), query (the same, one callback per row with
 * the columns as text, NULL for SQL NULL) and close. idx.c holds all SQL.
 * Limits: text in, text out; no prepared-statement cache.
 */
#ifndef IDX_BACKEND_H
#define IDX_BACKEND_H

#include <stddef.h>

typedef int (*idx_row_fn)(void *ctx, int ncols, const char *const *vals);

struct idx_backend {
	const char *name;
	int (*exec)(void *db, const char *sql, int nparams, const char *const *params);
	int (*query)(void *db, const char *sql, int nparams, const char *const *params,
		     idx_row_fn row, void *ctx);
	void (*close)(void *db);
};

/* Backends: open returns the handle in *db and its table in *ops. */
int idx_sqlite_open(const char *path, void **db, const struct idx_backend **ops, int *created);
int idx_pg_open(const char *url, void **db, const struct idx_backend **ops);

#endif
