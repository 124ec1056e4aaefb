/*
 * idx_pg.c - the PostgreSQL backend of the session index (see
 * idx_backend.h): several rooms' daemons register into one server
 * ("[index] url = postgresql://...").
 * Parameters go with PQexecParams as text ($1..$n, typed by the server
 * from the statement), never pasted into the SQL. Notices are silenced.
 * Reference: libpq (PQconnectdb, PQexecParams, PQgetisnull).
 * Limits: one connection, synchronous; no reconnect (a caller opens the
 * index per use).
 */
#include "idx_backend.h"
#include "vg_err.h"
#include "vg_log.h"

#include <libpq-fe.h>
#include <string.h>

static int pg_query(void *h, const char *sql, int n, const char *const *p, idx_row_fn row,
		    void *ctx)
{
	PGconn *c = h;
	PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		vg_warnx("index: %s: %s", PQresultErrorMessage(r), sql);
		PQclear(r);
		return VG_ERR_IO;
	}
	int e = 0;
	if (row && st == PGRES_TUPLES_OK) {
		int nr = PQntuples(r), nc = PQnfields(r);
		if (nc > 48)
			nc = 48;
		for (int i = 0; i < nr && e == 0; i++) {
			const char *vals[48];
			for (int k = 0; k < nc; k++)
				vals[k] = PQgetisnull(r, i, k) ? NULL : PQgetvalue(r, i, k);
			e = row(ctx, nc, vals);
		}
	}
	PQclear(r);
	return e;
}

static int pg_exec(void *h, const char *sql, int n, const char *const *p)
{
	return pg_query(h, sql, n, p, NULL, NULL);
}

static void pg_close(void *h)
{
	PQfinish(h);
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static const struct idx_backend pg_ops = { "postgresql", pg_exec, pg_query, pg_close };

int idx_pg_open(const char *url, void **out, const struct idx_backend **ops)
{
	*out = NULL;
	PGconn *c = PQconnectdb(url);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		vg_warnx("index: cannot connect to the PostgreSQL index: %s",
			 c ? PQerrorMessage(c) : "no memory");
		PQfinish(c);
		return VG_ERR_IO;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	*out = c;
	*ops = &pg_ops;
	return 0;
}
