/*
 * idx.h - the session index: every recorded session, by client, in SQLite
 * (default, in the recording directory) or PostgreSQL (one server for a
 * clinic's rooms).
 *
 * Problem: sessions must outlive the daemon's memory: a client's course
 * is listed, compared and reported across weeks, and several rooms may
 * register into one database. The name of a client must live only here.
 * Approach: idx_open(url) picks the backend from the URL
 * ("postgresql://..." or "postgres://..." -> libpq; "sqlite:PATH", a file
 * path, or a directory (-> DIR/vagus-index.sqlite) -> SQLite, file created
 * with mode 0600) behind a three-call table (exec, query, close) with
 * text parameters $1..$n (bound, never pasted) and portable SQL only.
 * The schema is versioned: table schema_version holds the number of
 * migration steps applied; idx_open() applies the missing steps in order,
 * each in one transaction. A session is replaced whole (delete + insert in
 * one transaction), so registering twice is harmless.
 * Limits: numbers travel as text with 6 significant decimals; one writer
 * at a time per SQLite file (SQLite's own locking, busy timeout 5 s).
 */
#ifndef IDX_H
#define IDX_H

#include <stddef.h>
#include <stdint.h>

#define IDX_SCHEMA_VERSION 3
#define IDX_SQLITE_NAME "vagus-index.sqlite"
#define IDX_MAX_REGIONS 8

struct idx;

struct idx_region {
	char region[64];
	double base_uv, end_uv;      /* tension at baseline and end, uV */
	int releases;
	double release_s;            /* mean hold time to release, s (NAN none) */
};

struct idx_mark {
	double t_s;
	char label[64], region[64], technique[48];
	double dhr_bpm, drmssd_pct, dcalm;
};

struct idx_session {
	char session_id[96];
	char client_id[24];
	char start_utc[24];          /* "YYYY-mm-dd HH:MM:SS" */
	int64_t start_ns;
	char technique[48], profile[16];
	double duration_s;
	double base_calm, end_calm, base_hr_bpm, end_hr_bpm;
	double base_rmssd_ms, end_rmssd_ms, base_resp_bpm, end_resp_bpm;
	double hf_ms2, lf_ms2;       /* whole-session Welch band powers */
	double quality;              /* mean beat quality 0..1 */
	double artifacts_pct;        /* mean RR correction of 60 s windows */
	int nbeats, nmarks, nreleases, holds;
	char base_path[512];         /* recording without extension */
	char html_path[600], pdf_path[600];
	struct idx_region region[IDX_MAX_REGIONS];
	int nregions;
};

/* Open (create, migrate) the index at url. *created is set to 1 when a
 * SQLite file did not exist before (may be NULL). VG_ERR_PARSE: the file is
 * not a sound SQLite database (damaged); VG_ERR_IO: cannot connect/open. */
int idx_open(const char *url, struct idx **out, int *created);
void idx_close(struct idx **ix);
/* 1 for PostgreSQL, 0 for SQLite. */
int idx_is_pg(const struct idx *ix);
/* Schema version now in the database. */
int idx_schema_version(struct idx *ix, int *version);

/* Register (or replace) a session; name is the client's name (kept only
 * in the index; NULL keeps the stored one). */
int idx_put_session(struct idx *ix, const struct idx_session *s, const char *client_name,
		    const struct idx_mark *marks, size_t nmarks);
/* Remove everything (before a rebuild). */
int idx_clear(struct idx *ix);

/* Sessions (of one client when client_id is not NULL) by start time.
 * *out is malloc'd (free()); *n their number. Regions filled. */
int idx_sessions(struct idx *ix, const char *client_id, struct idx_session **out, size_t *n);
/* Marks of one session, by time. */
int idx_marks(struct idx *ix, const char *session_id, struct idx_mark **out, size_t *n);

struct idx_client { char client_id[24]; char name[64]; int sessions; char first_utc[24], last_utc[24]; };
int idx_clients(struct idx *ix, struct idx_client **out, size_t *n);
/* Client id of a name or of an id (either matches); 0 or VG_ERR_NOTFOUND. */
int idx_find_client(struct idx *ix, const char *name_or_id, char *id, size_t cap);

#endif
