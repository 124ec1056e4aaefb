/*
 * test_index.c - the session index, one suite for both backends.
 *
 * Runs against a fresh SQLite file always, and also against the database
 * named by $VG_INDEX_URL when it is set (tests/integration/report_index.sh
 * starts a throwaway PostgreSQL server and runs this program with
 * VG_INDEX_URL=postgresql://...). Checks: schema version and migrations
 * (an old SQLite file at version 1 is brought up to date), a session put
 * and read back with every figure, NULL for unknown numbers, replacement
 * instead of duplicates, clients by name and id, hostile text kept
 * verbatim (bound parameters), clearing, file mode 0600, and a damaged
 * SQLite file refused with VG_ERR_PARSE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "idx.h"
#include "vg_err.h"
#include "vgtest.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fx {
	char dir[128];
	char url[512];
	int pg;
};

static struct idx_session make(int i, const char *client_id)
{
	struct idx_session s;
	memset(&s, 0, sizeof(s));
	snprintf(s.session_id, sizeof(s.session_id), "2026120%d-090000_x'; DROP TABLE sessions; --", i);
	snprintf(s.client_id, sizeof(s.client_id), "%s", client_id);
	snprintf(s.start_utc, sizeof(s.start_utc), "2026-12-0%d 09:00:00", i % 10);
	s.start_ns = 1796000000000000000LL + (int64_t)i * 86400000000000LL;
	snprintf(s.technique, sizeof(s.technique), "%s", i % 2 ? "myofascial" : "trigger_point");
	snprintf(s.profile, sizeof(s.profile), "standard");
	s.duration_s = 600.25 + i;
	s.base_calm = 50.1;
	s.end_calm = 60.5 + i;
	s.base_hr_bpm = 70.0 - i;
	s.end_hr_bpm = 65.125;
	s.base_rmssd_ms = 30.5 + i;
	s.end_rmssd_ms = NAN;          /* unknown -> NULL -> NAN */
	s.base_resp_bpm = 14;
	s.end_resp_bpm = 10.75;
	s.hf_ms2 = 456.789;
	s.lf_ms2 = 1234.5;
	s.quality = 0.987;
	s.artifacts_pct = 0.25;
	s.nbeats = 700 + i;
	s.nmarks = 2;
	s.nreleases = 1;
	s.holds = 1;
	snprintf(s.base_path, sizeof(s.base_path), "/rec/\"quoted\" path/%d", i);
	snprintf(s.html_path, sizeof(s.html_path), "/rec/%d.html", i);
	snprintf(s.pdf_path, sizeof(s.pdf_path), "/rec/%d.pdf", i);
	s.nregions = 2;
	snprintf(s.region[0].region, 64, "trapezius-left");
	s.region[0].base_uv = 80.5;
	s.region[0].end_uv = 20.25;
	s.region[0].releases = 1;
	s.region[0].release_s = 42.5;
	snprintf(s.region[1].region, 64, "trapezius-right");
	s.region[1].base_uv = 40;
	s.region[1].end_uv = 15;
	s.region[1].release_s = NAN;
	return s;
}

static void suite(const char *url, int pg)
{
	struct idx *ix = NULL;
	int created = -1;
	assert_int_equal(idx_open(url, &ix, &created), 0);
	assert_int_equal(idx_is_pg(ix), pg);
	int v = 0;
	assert_int_equal(idx_schema_version(ix, &v), 0);
	assert_int_equal(v, IDX_SCHEMA_VERSION);
	assert_int_equal(idx_clear(ix), 0);

	struct idx_mark marks[2] = {
		{ 60.5, "press", "trapezius-left", "myofascial", -4.5, 20.25, 5.5 },
		{ 120, "O'Neil \"deep\"", "", "trigger_point", NAN, NAN, NAN },
	};
	const char *name = "Zoë O'Brien; DROP TABLE clients";
	for (int i = 1; i <= 3; i++) {
		struct idx_session s = make(i, "C0123456789");
		assert_int_equal(idx_put_session(ix, &s, name, marks, 2), 0);
	}
	struct idx_session s2 = make(2, "C0123456789");
	s2.end_calm = 99.5; /* registering again replaces */
	assert_int_equal(idx_put_session(ix, &s2, NULL, marks, 1), 0);
	struct idx_session other = make(4, "Cffffffffff");
	assert_int_equal(idx_put_session(ix, &other, "Bob", NULL, 0), 0);
	assert_int_equal(idx_put_session(ix, &other, "Bob", NULL, 0), 0);

	struct idx_session *ss = NULL;
	size_t n = 0;
	assert_int_equal(idx_sessions(ix, "C0123456789", &ss, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		struct idx_session e = make((int)i + 1, "C0123456789");
		if (i == 1)
			e.end_calm = 99.5;
		assert_string_equal(ss[i].session_id, e.session_id);
		assert_string_equal(ss[i].start_utc, e.start_utc);
		assert_true(ss[i].start_ns == e.start_ns);
		assert_string_equal(ss[i].technique, e.technique);
		assert_true(ss[i].duration_s == e.duration_s);
		assert_true(ss[i].end_calm == e.end_calm);
		assert_true(ss[i].base_hr_bpm == e.base_hr_bpm);
		assert_true(ss[i].end_hr_bpm == e.end_hr_bpm);
		assert_true(isnan(ss[i].end_rmssd_ms));
		assert_true(ss[i].hf_ms2 == e.hf_ms2);
		assert_true(ss[i].quality == e.quality);
		assert_int_equal(ss[i].nbeats, e.nbeats);
		assert_string_equal(ss[i].base_path, e.base_path);
		assert_int_equal(ss[i].nregions, 2);
		assert_string_equal(ss[i].region[0].region, "trapezius-left");
		assert_true(ss[i].region[0].release_s == 42.5);
		assert_true(isnan(ss[i].region[1].release_s));
	}
	struct idx_mark *mk = NULL;
	size_t nm = 0;
	assert_int_equal(idx_marks(ix, ss[0].session_id, &mk, &nm), 0);
	assert_int_equal(nm, 2);
	assert_string_equal(mk[1].label, "O'Neil \"deep\"");
	assert_true(mk[0].drmssd_pct == 20.25);
	assert_true(isnan(mk[1].dhr_bpm));
	free(mk);
	assert_int_equal(idx_marks(ix, ss[1].session_id, &mk, &nm), 0);
	assert_int_equal(nm, 1);
	free(mk);
	free(ss);

	assert_int_equal(idx_sessions(ix, NULL, &ss, &n), 0);
	assert_int_equal(n, 4);
	free(ss);
	struct idx_client *cl = NULL;
	assert_int_equal(idx_clients(ix, &cl, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cl[0].client_id, "C0123456789");
	assert_string_equal(cl[0].name, name);
	assert_int_equal(cl[0].sessions, 3);
	assert_string_equal(cl[0].first_utc, "2026-12-01 09:00:00");
	assert_string_equal(cl[0].last_utc, "2026-12-03 09:00:00");
	free(cl);
	char id[24];
	assert_int_equal(idx_find_client(ix, name, id, sizeof(id)), 0);
	assert_string_equal(id, "C0123456789");
	assert_int_equal(idx_find_client(ix, "Cffffffffff", id, sizeof(id)), 0);
	assert_string_equal(id, "Cffffffffff");
	assert_int_equal(idx_find_client(ix, "nobody", id, sizeof(id)), VG_ERR_NOTFOUND);
	struct idx_session bad = make(5, "");
	assert_int_equal(idx_put_session(ix, &bad, NULL, NULL, 0), VG_ERR_INVAL);
	assert_int_equal(idx_clear(ix), 0);
	assert_int_equal(idx_sessions(ix, NULL, &ss, &n), 0);
	assert_int_equal(n, 0);
	free(ss);
	idx_close(&ix);
	assert_null(ix);
	/* opening again: already at the latest version, nothing to migrate */
	assert_int_equal(idx_open(url, &ix, &created), 0);
	assert_int_equal(created, 0);
	idx_close(&ix);
}

static void test_sqlite(void **st)
{
	(void)st;
	char dir[128], url[256];
	assert_non_null(vgt_mkdtemp(dir, sizeof(dir), "vg-idx"));
	struct idx *ix = NULL;
	int created = 0;
	/* a directory names DIR/vagus-index.sqlite */
	assert_int_equal(idx_open(dir, &ix, &created), 0);
	assert_int_equal(created, 1);
	idx_close(&ix);
	snprintf(url, sizeof(url), "%s/%s", dir, IDX_SQLITE_NAME);
	struct stat sb;
	assert_int_equal(stat(url, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char u2[300];
	snprintf(u2, sizeof(u2), "sqlite:%s", url);
	suite(u2, 0);
	vgt_rmtree(dir);
}

static void test_sqlite_migrate_and_damage(void **st)
{
	(void)st;
	char dir[128], path[256];
	assert_non_null(vgt_mkdtemp(dir, sizeof(dir), "vg-idx"));
	snprintf(path, sizeof(path), "%s/old.sqlite", dir);
	/* an index left by a version-1 program: step 1's tables and one row */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE schema_version (version INTEGER NOT NULL);"
		"INSERT INTO schema_version VALUES (1);"
		"CREATE TABLE clients (client_id TEXT PRIMARY KEY, name TEXT);"
		"CREATE TABLE sessions (session_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, "
		"start_utc TEXT, start_ns BIGINT, technique TEXT, profile TEXT, duration_s REAL, "
		"base_calm REAL, end_calm REAL, base_hr_bpm REAL, end_hr_bpm REAL, base_rmssd_ms REAL, "
		"end_rmssd_ms REAL, base_resp_bpm REAL, end_resp_bpm REAL, quality REAL, "
		"artifacts_pct REAL, nbeats INTEGER, nmarks INTEGER, nreleases INTEGER, holds INTEGER, "
		"base_path TEXT, html_path TEXT, pdf_path TEXT);"
		"INSERT INTO clients VALUES ('Cold', 'Old Client');"
		"INSERT INTO sessions (session_id, client_id, start_ns, base_hr_bpm) "
		"VALUES ('old-1', 'Cold', 1, 71.5);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct idx *ix = NULL;
	assert_int_equal(idx_open(path, &ix, NULL), 0);
	int v = 0;
	assert_int_equal(idx_schema_version(ix, &v), 0);
	assert_int_equal(v, IDX_SCHEMA_VERSION);
	struct idx_session *ss = NULL;
	size_t n = 0;
	assert_int_equal(idx_sessions(ix, "Cold", &ss, &n), 0);
	assert_int_equal(n, 1);
	assert_true(ss[0].base_hr_bpm == 71.5);
	assert_true(isnan(ss[0].hf_ms2)); /* the column step 3 added */
	free(ss);
	idx_close(&ix);

	/* damaged: refused, not crashed */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	for (int i = 0; i < 100; i++)
		fputc(0x5a, f);
	fclose(f);
	assert_int_equal(idx_open(path, &ix, NULL), VG_ERR_PARSE);
	assert_null(ix);
	/* a newer schema than this program knows is refused too */
	snprintf(path, sizeof(path), "%s/new.sqlite", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL);"
				      "INSERT INTO schema_version VALUES (99);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(idx_open(path, &ix, NULL), VG_ERR_NOTSUP);
	assert_int_equal(idx_open("", &ix, NULL), VG_ERR_INVAL);
	vgt_rmtree(dir);
}

static void test_url(void **st)
{
	(void)st;
	const char *url = getenv("VG_INDEX_URL");
	if (!url || !url[0]) {
		printf("SKIP: VG_INDEX_URL not set (tests/integration/report_index.sh sets it to a "
		       "throwaway PostgreSQL server)\n");
		skip();
	}
	printf("index suite against %s\n", strncmp(url, "postgres", 8) == 0 ? "PostgreSQL" : url);
	suite(url, strncmp(url, "postgres", 8) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_sqlite_migrate_and_damage),
		cmocka_unit_test(test_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
