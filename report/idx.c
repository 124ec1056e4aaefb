/*
 * idx.c - the session index: schema, migrations and every SQL statement
 * (see idx.h). The backends (idx_sqlite.c, idx_pg.c) only run statements.
 */
#include "idx.h"
#include "idx_backend.h"
#include "vg_err.h"
#include "vg_log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct idx {
	void *db;
	const struct idx_backend *ops;
	int pg;
};

#define D "DOUBLE PRECISION"

/* Migration steps, in order; step k brings the schema to version k. A step
 * is a list of statements ended by NULL. Never edit a released step: add
 * one. */
static const char *const step1[] = {
	"CREATE TABLE clients (client_id TEXT PRIMARY KEY, name TEXT)",
	"CREATE TABLE sessions (session_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, "
	"start_utc TEXT, start_ns BIGINT, technique TEXT, profile TEXT, duration_s " D ", "
	"base_calm " D ", end_calm " D ", base_hr_bpm " D ", end_hr_bpm " D ", "
	"base_rmssd_ms " D ", end_rmssd_ms " D ", base_resp_bpm " D ", end_resp_bpm " D ", "
	"quality " D ", artifacts_pct " D ", nbeats INTEGER, nmarks INTEGER, "
	"nreleases INTEGER, holds INTEGER, base_path TEXT, html_path TEXT, pdf_path TEXT)",
	NULL
};
static const char *const step2[] = {
	"CREATE TABLE session_regions (session_id TEXT NOT NULL, region TEXT NOT NULL, "
	"base_uv " D ", end_uv " D ", releases INTEGER, release_s " D ", "
	"PRIMARY KEY (session_id, region))",
	"CREATE TABLE session_marks (session_id TEXT NOT NULL, t_s " D ", label TEXT, "
	"region TEXT, technique TEXT, dhr_bpm " D ", drmssd_pct " D ", dcalm " D ")",
	NULL
};
static const char *const step3[] = {
	"ALTER TABLE sessions ADD COLUMN hf_ms2 " D,
	"ALTER TABLE sessions ADD COLUMN lf_ms2 " D,
	"CREATE INDEX sessions_by_client ON sessions (client_id, start_ns)",
	NULL
};
static const char *const *const steps[IDX_SCHEMA_VERSION] = { step1, step2, step3 };

static int exec0(struct idx *ix, const char *sql)
{
	return ix->ops->exec(ix->db, sql, 0, NULL);
}

static int int_row(void *ctx, int nc, const char *const *v)
{
	*(int *)ctx = nc > 0 && v[0] ? atoi(v[0]) : -1;
	return 0;
}

int idx_schema_version(struct idx *ix, int *version)
{
	*version = -1;
	return ix->ops->query(ix->db, "SELECT version FROM schema_version", 0, NULL, int_row, version);
}

static int migrate(struct idx *ix)
{
	int e = exec0(ix, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
	int v = -1;
	if (e == 0)
		e = idx_schema_version(ix, &v);
	if (e == 0 && v < 0) {
		e = exec0(ix, "INSERT INTO schema_version (version) VALUES (0)");
		v = 0;
	}
	if (e == 0 && v > IDX_SCHEMA_VERSION) {
		vg_warnx("index: schema version %d is newer than this program's %d", v,
			 IDX_SCHEMA_VERSION);
		return VG_ERR_NOTSUP;
	}
	for (; e == 0 && v < IDX_SCHEMA_VERSION; v++) {
		e = exec0(ix, "BEGIN");
		for (const char *const *s = steps[v]; e == 0 && *s; s++)
			e = exec0(ix, *s);
		char nv[16];
		snprintf(nv, sizeof(nv), "%d", v + 1);
		const char *p[1] = { nv };
		if (e == 0)
			e = ix->ops->exec(ix->db, "UPDATE schema_version SET version = $1", 1, p);
		if (e == 0)
			e = exec0(ix, "COMMIT");
		else
			exec0(ix, "ROLLBACK");
	}
	return e;
}

int idx_open(const char *url, struct idx **out, int *created)
{
	*out = NULL;
	if (created)
		*created = 0;
	if (!url || !url[0])
		return VG_ERR_INVAL;
	struct idx *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return VG_ERR_NOMEM;
	int e;
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		ix->pg = 1;
		e = idx_pg_open(url, &ix->db, &ix->ops);
	} else {
		const char *path = url;
		if (strncmp(path, "sqlite://", 9) == 0)
			path += 9;
		else if (strncmp(path, "sqlite:", 7) == 0)
			path += 7;
		char buf[4096];
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (snprintf(buf, sizeof(buf), "%s/%s", path, IDX_SQLITE_NAME) >= (int)sizeof(buf)) {
				free(ix);
				return VG_ERR_TRUNC;
			}
			path = buf;
		}
		e = idx_sqlite_open(path, &ix->db, &ix->ops, created);
	}
	if (e == 0)
		e = migrate(ix);
	if (e < 0) {
		idx_close(&ix);
		return e;
	}
	*out = ix;
	return 0;
}

void idx_close(struct idx **ixp)
{
	if (!ixp || !*ixp)
		return;
	if ((*ixp)->db)
		(*ixp)->ops->close((*ixp)->db);
	free(*ixp);
	*ixp = NULL;
}

int idx_is_pg(const struct idx *ix)
{
	return ix->pg;
}

/* Numbers as text: NAN -> NULL (p = NULL). */
static const char *num(char *b, size_t cap, double v)
{
	if (!isfinite(v))
		return NULL;
	snprintf(b, cap, "%.10g", v);
	return b;
}

static double dbl(const char *s)
{
	return s && s[0] ? strtod(s, NULL) : NAN;
}

static void cpy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int idx_clear(struct idx *ix)
{
	int e = exec0(ix, "BEGIN");
	if (e == 0)
		e = exec0(ix, "DELETE FROM session_marks");
	if (e == 0)
		e = exec0(ix, "DELETE FROM session_regions");
	if (e == 0)
		e = exec0(ix, "DELETE FROM sessions");
	if (e == 0)
		e = exec0(ix, "DELETE FROM clients");
	if (e == 0)
		return exec0(ix, "COMMIT");
	exec0(ix, "ROLLBACK");
	return e;
}

static int put_body(struct idx *ix, const struct idx_session *s, const char *name,
		    const struct idx_mark *marks, size_t nmarks)
{
	const char *id[1] = { s->session_id };
	int e = ix->ops->exec(ix->db, "DELETE FROM session_marks WHERE session_id = $1", 1, id);
	if (e == 0)
		e = ix->ops->exec(ix->db, "DELETE FROM session_regions WHERE session_id = $1", 1, id);
	if (e == 0)
		e = ix->ops->exec(ix->db, "DELETE FROM sessions WHERE session_id = $1", 1, id);
	const char *cl[2] = { s->client_id, name };
	int have = 0;
	if (e == 0)
		e = ix->ops->query(ix->db, "SELECT COUNT(*) FROM clients WHERE client_id = $1", 1, cl,
				   int_row, &have);
	if (e == 0 && !have)
		e = ix->ops->exec(ix->db, "INSERT INTO clients (client_id, name) VALUES ($1, $2)", 2, cl);
	else if (e == 0 && name && name[0])
		e = ix->ops->exec(ix->db, "UPDATE clients SET name = $2 WHERE client_id = $1", 2, cl);
	if (e)
		return e;
	char b[24][32];
	char ns[32];
	snprintf(ns, sizeof(ns), "%lld", (long long)s->start_ns);
	const char *p[27] = {
		s->session_id, s->client_id, s->start_utc, ns, s->technique, s->profile,
		num(b[0], 32, s->duration_s), num(b[1], 32, s->base_calm), num(b[2], 32, s->end_calm),
		num(b[3], 32, s->base_hr_bpm), num(b[4], 32, s->end_hr_bpm),
		num(b[5], 32, s->base_rmssd_ms), num(b[6], 32, s->end_rmssd_ms),
		num(b[7], 32, s->base_resp_bpm), num(b[8], 32, s->end_resp_bpm),
		num(b[9], 32, s->quality), num(b[10], 32, s->artifacts_pct),
		num(b[11], 32, s->nbeats), num(b[12], 32, s->nmarks), num(b[13], 32, s->nreleases),
		num(b[14], 32, s->holds), s->base_path, s->html_path, s->pdf_path,
		num(b[15], 32, s->hf_ms2), num(b[16], 32, s->lf_ms2), NULL
	};
	e = ix->ops->exec(ix->db,
		"INSERT INTO sessions (session_id, client_id, start_utc, start_ns, technique, profile, "
		"duration_s, base_calm, end_calm, base_hr_bpm, end_hr_bpm, base_rmssd_ms, end_rmssd_ms, "
		"base_resp_bpm, end_resp_bpm, quality, artifacts_pct, nbeats, nmarks, nreleases, holds, "
		"base_path, html_path, pdf_path, hf_ms2, lf_ms2) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
		"$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
		26, p);
	for (int r = 0; e == 0 && r < s->nregions && r < IDX_MAX_REGIONS; r++) {
		const struct idx_region *g = &s->region[r];
		const char *q[6] = { s->session_id, g->region, num(b[0], 32, g->base_uv),
				     num(b[1], 32, g->end_uv), num(b[2], 32, g->releases),
				     num(b[3], 32, g->release_s) };
		e = ix->ops->exec(ix->db, "INSERT INTO session_regions (session_id, region, base_uv, "
				  "end_uv, releases, release_s) VALUES ($1, $2, $3, $4, $5, $6)", 6, q);
	}
	for (size_t i = 0; e == 0 && i < nmarks; i++) {
		const struct idx_mark *m = &marks[i];
		const char *q[8] = { s->session_id, num(b[0], 32, m->t_s), m->label, m->region,
				     m->technique, num(b[1], 32, m->dhr_bpm),
				     num(b[2], 32, m->drmssd_pct), num(b[3], 32, m->dcalm) };
		e = ix->ops->exec(ix->db, "INSERT INTO session_marks (session_id, t_s, label, region, "
				  "technique, dhr_bpm, drmssd_pct, dcalm) VALUES ($1, $2, $3, $4, $5, "
				  "$6, $7, $8)", 8, q);
	}
	return e;
}

int idx_put_session(struct idx *ix, const struct idx_session *s, const char *name,
		    const struct idx_mark *marks, size_t nmarks)
{
	if (!ix || !s || !s->session_id[0] || !s->client_id[0])
		return VG_ERR_INVAL;
	int e = exec0(ix, "BEGIN");
	if (e)
		return e;
	e = put_body(ix, s, name, marks, nmarks);
	if (e == 0)
		return exec0(ix, "COMMIT");
	exec0(ix, "ROLLBACK");
	return e;
}

/* ------------------------------------------------------------ reading */

struct vec {
	void *p;
	size_t n, cap, sz;
	int err;
};

static void *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? 2 * v->cap : 16;
		void *q = realloc(v->p, nc * v->sz);
		if (!q) {
			v->err = VG_ERR_NOMEM;
			return NULL;
		}
		v->p = q;
		v->cap = nc;
	}
	void *e = (char *)v->p + v->n++ * v->sz;
	memset(e, 0, v->sz);
	return e;
}

/* The end of every listing: e (the query's result) or else the vector's
 * own error; on failure the rows are freed. Returns 0 or that error. */
static int vec_done(struct vec *v, int e)
{
	if (e == 0)
		e = v->err;
	if (e < 0) {
		free(v->p);
		v->p = NULL;
		v->n = 0;
	}
	return e < 0 ? e : 0;
}

#define SESSION_COLS \
	"session_id, client_id, start_utc, start_ns, technique, profile, duration_s, base_calm, " \
	"end_calm, base_hr_bpm, end_hr_bpm, base_rmssd_ms, end_rmssd_ms, base_resp_bpm, " \
	"end_resp_bpm, quality, artifacts_pct, nbeats, nmarks, nreleases, holds, base_path, " \
	"html_path, pdf_path, hf_ms2, lf_ms2"

static int session_row(void *ctx, int nc, const char *const *v)
{
	struct vec *vec = ctx;
	if (nc < 26)
		return VG_ERR_PARSE;
	struct idx_session *s = vec_push(vec);
	if (!s)
		return VG_ERR_NOMEM;
	cpy(s->session_id, sizeof(s->session_id), v[0]);
	cpy(s->client_id, sizeof(s->client_id), v[1]);
	cpy(s->start_utc, sizeof(s->start_utc), v[2]);
	s->start_ns = v[3] ? strtoll(v[3], NULL, 10) : 0;
	cpy(s->technique, sizeof(s->technique), v[4]);
	cpy(s->profile, sizeof(s->profile), v[5]);
	s->duration_s = dbl(v[6]);
	s->base_calm = dbl(v[7]);
	s->end_calm = dbl(v[8]);
	s->base_hr_bpm = dbl(v[9]);
	s->end_hr_bpm = dbl(v[10]);
	s->base_rmssd_ms = dbl(v[11]);
	s->end_rmssd_ms = dbl(v[12]);
	s->base_resp_bpm = dbl(v[13]);
	s->end_resp_bpm = dbl(v[14]);
	s->quality = dbl(v[15]);
	s->artifacts_pct = dbl(v[16]);
	s->nbeats = v[17] ? atoi(v[17]) : 0;
	s->nmarks = v[18] ? atoi(v[18]) : 0;
	s->nreleases = v[19] ? atoi(v[19]) : 0;
	s->holds = v[20] ? atoi(v[20]) : 0;
	cpy(s->base_path, sizeof(s->base_path), v[21]);
	cpy(s->html_path, sizeof(s->html_path), v[22]);
	cpy(s->pdf_path, sizeof(s->pdf_path), v[23]);
	s->hf_ms2 = dbl(v[24]);
	s->lf_ms2 = dbl(v[25]);
	return 0;
}

static int region_row(void *ctx, int nc, const char *const *v)
{
	struct idx_session *s = ctx;
	if (nc < 5 || s->nregions >= IDX_MAX_REGIONS)
		return 0;
	struct idx_region *g = &s->region[s->nregions++];
	cpy(g->region, sizeof(g->region), v[0]);
	g->base_uv = dbl(v[1]);
	g->end_uv = dbl(v[2]);
	g->releases = v[3] ? atoi(v[3]) : 0;
	g->release_s = dbl(v[4]);
	return 0;
}

int idx_sessions(struct idx *ix, const char *client_id, struct idx_session **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct vec v = { .sz = sizeof(struct idx_session) };
	const char *p[1] = { client_id };
	int e = client_id
		? ix->ops->query(ix->db, "SELECT " SESSION_COLS " FROM sessions WHERE client_id = $1 "
				 "ORDER BY start_ns, session_id", 1, p, session_row, &v)
		: ix->ops->query(ix->db, "SELECT " SESSION_COLS " FROM sessions "
				 "ORDER BY client_id, start_ns, session_id", 0, NULL, session_row, &v);
	struct idx_session *ss = v.p;
	for (size_t i = 0; e == 0 && i < v.n; i++) {
		const char *q[1] = { ss[i].session_id };
		e = ix->ops->query(ix->db, "SELECT region, base_uv, end_uv, releases, release_s FROM "
				   "session_regions WHERE session_id = $1 ORDER BY region", 1, q,
				   region_row, &ss[i]);
	}
	if ((e = vec_done(&v, e)) < 0)
		return e;
	*out = v.p;
	*n = v.n;
	return 0;
}

static int mark_row(void *ctx, int nc, const char *const *v)
{
	struct vec *vec = ctx;
	if (nc < 7)
		return VG_ERR_PARSE;
	struct idx_mark *m = vec_push(vec);
	if (!m)
		return VG_ERR_NOMEM;
	m->t_s = dbl(v[0]);
	cpy(m->label, sizeof(m->label), v[1]);
	cpy(m->region, sizeof(m->region), v[2]);
	cpy(m->technique, sizeof(m->technique), v[3]);
	m->dhr_bpm = dbl(v[4]);
	m->drmssd_pct = dbl(v[5]);
	m->dcalm = dbl(v[6]);
	return 0;
}

int idx_marks(struct idx *ix, const char *session_id, struct idx_mark **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct vec v = { .sz = sizeof(struct idx_mark) };
	const char *p[1] = { session_id };
	int e = ix->ops->query(ix->db, "SELECT t_s, label, region, technique, dhr_bpm, drmssd_pct, "
			       "dcalm FROM session_marks WHERE session_id = $1 ORDER BY t_s, label",
			       1, p, mark_row, &v);
	if ((e = vec_done(&v, e)) < 0)
		return e;
	*out = v.p;
	*n = v.n;
	return 0;
}

static int client_row(void *ctx, int nc, const char *const *v)
{
	struct vec *vec = ctx;
	if (nc < 5)
		return VG_ERR_PARSE;
	struct idx_client *c = vec_push(vec);
	if (!c)
		return VG_ERR_NOMEM;
	cpy(c->client_id, sizeof(c->client_id), v[0]);
	cpy(c->name, sizeof(c->name), v[1]);
	c->sessions = v[2] ? atoi(v[2]) : 0;
	cpy(c->first_utc, sizeof(c->first_utc), v[3]);
	cpy(c->last_utc, sizeof(c->last_utc), v[4]);
	return 0;
}

int idx_clients(struct idx *ix, struct idx_client **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct vec v = { .sz = sizeof(struct idx_client) };
	int e = ix->ops->query(ix->db, "SELECT c.client_id, c.name, COUNT(s.session_id), "
			       "MIN(s.start_utc), MAX(s.start_utc) FROM clients c LEFT JOIN sessions s "
			       "ON s.client_id = c.client_id GROUP BY c.client_id, c.name "
			       "ORDER BY c.client_id", 0, NULL, client_row, &v);
	if ((e = vec_done(&v, e)) < 0)
		return e;
	*out = v.p;
	*n = v.n;
	return 0;
}

static int str_row(void *ctx, int nc, const char *const *v)
{
	char *out = ctx;
	if (nc > 0 && v[0] && !out[0])
		cpy(out, 24, v[0]);
	return 0;
}

int idx_find_client(struct idx *ix, const char *name_or_id, char *id, size_t cap)
{
	char found[24] = "";
	const char *p[2] = { name_or_id, name_or_id };
	int e = ix->ops->query(ix->db, "SELECT client_id FROM clients WHERE client_id = $1 OR "
			       "name = $2 ORDER BY client_id", 2, p, str_row, found);
	if (e < 0)
		return e;
	if (!found[0])
		return VG_ERR_NOTFOUND;
	snprintf(id, cap, "%s", found);
	return 0;
}
