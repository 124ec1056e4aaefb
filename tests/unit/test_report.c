/*
 * test_report.c - the report layer: plot layout, SVG canvas, trends,
 * client ids, the session reader on a synthetic and on hostile files, the
 * session report (HTML + PDF), CSV export, and the progress report with
 * mark responses by technique (through a SQLite index).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "idx.h"
#include "rpt_buf.h"
#include "rpt_csv.h"
#include "rpt_hrvcalc.h"
#include "rpt_index.h"
#include "rpt_plot.h"
#include "rpt_progress.h"
#include "rpt_report.h"
#include "vg_pseudo.h"
#include "rpt_session.h"
#include "rpt_svg.h"
#include "test_report_fixture.h"
#include "vg_err.h"
#include "vgtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)len + 1);
	if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
		free(p);
		p = NULL;
	}
	if (p)
		p[len] = '\0';
	fclose(f);
	if (n)
		*n = (size_t)len;
	return p;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void test_nice_step(void **st)
{
	(void)st;
	assert_true(fabs(rpt_nice_step(10, 5) - 2) < 1e-12);
	assert_true(fabs(rpt_nice_step(0.5, 5) - 0.1) < 1e-12);
	assert_true(fabs(rpt_nice_step(730, 7) - 100) < 1e-9);
	assert_true(fabs(rpt_nice_step(0, 5) - 1) < 1e-12);
}

static void test_trend(void **st)
{
	(void)st;
	/* y = 1, 3, 2, 5, 4 over x = 1..5: slope 0.8, intercept 0.6, residual
	 * sum of squares 3.6, s^2 = 1.2, Sxx = 10, SE = sqrt(0.12), t(3) = 3.182 */
	double x[] = { 1, 2, 3, 4, 5, NAN }, y[] = { 1, 3, 2, 5, 4, 7 };
	struct rpt_trend t;
	assert_int_equal(rpt_trend_fit(x, y, 6, &t), 0);
	assert_int_equal(t.n, 5);
	assert_true(fabs(t.slope - 0.8) < 1e-12);
	assert_true(fabs(t.intercept - 0.6) < 1e-12);
	assert_true(fabs(t.se - sqrt(0.12)) < 1e-12);
	assert_true(fabs(t.ci95 - 3.182 * sqrt(0.12)) < 1e-9);
	assert_true(rpt_trend_band(&t, 3) < rpt_trend_band(&t, 5)); /* narrowest at the mean */
	assert_int_equal(rpt_trend_fit(x, y, 2, &t), VG_ERR_RANGE);
	double same[] = { 2, 2, 2 }, yy[] = { 1, 2, 3 };
	assert_int_equal(rpt_trend_fit(same, yy, 3, &t), VG_ERR_RANGE);
}

static void test_svg_plot(void **st)
{
	(void)st;
	struct rpt_plot *p = rpt_plot_new("A <title>", "time, min", "calm (0-100)");
	assert_non_null(p);
	double x[] = { 0, 1, 2, 3, 4 }, y[] = { 10, NAN, 30, 20, 50 };
	assert_int_equal(rpt_plot_add(p, "calm", RPT_LINE, 0x112233, 0, x, y, 5), 0);
	assert_int_equal(rpt_plot_add(p, "dots", RPT_DOTS, 0x445566, 0, x, y, 5), 1);
	rpt_plot_band(p, 1, 2, 0xabcdef, 0.5, "inhale", 1);
	rpt_plot_vline(p, 2.5, 0x1f4e9c, 0, "M1");
	assert_int_equal(rpt_plot_npoints(p), 8);
	struct rpt_buf b = { 0 };
	rpt_svg_plot(&b, p, 600, 300, 1);
	assert_int_equal(b.err, 0);
	assert_non_null(strstr(b.p, "A &lt;title&gt;"));
	assert_non_null(strstr(b.p, "class=\"series\" data-label=\"calm\" data-n=\"4\""));
	assert_non_null(strstr(b.p, "class=\"points\" data-label=\"dots\" data-n=\"4\""));
	assert_non_null(strstr(b.p, ">time, min</text>"));
	assert_non_null(strstr(b.p, ">calm (0-100)</text>"));
	assert_non_null(strstr(b.p, "class=\"band\""));
	assert_non_null(strstr(b.p, ">M1</text>"));
	/* the NAN breaks the line into two runs: two M commands in the path */
	const char *d = strstr(strstr(b.p, "class=\"series\""), " d=\"");
	assert_int_equal(count(d, "M") >= 2, 1);
	rpt_buf_free(&b);
	rpt_plot_free(&p);
	assert_null(p);
}

static void test_client_id(void **st)
{
	(void)st;
	char a[24], b[24], c[24];
	rpt_client_id("Zoe O'Brien", a, sizeof(a));
	rpt_client_id("  Zoe O'Brien ", b, sizeof(b));
	rpt_client_id("Zoe O'Brian", c, sizeof(c));
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 9);
	assert_int_equal(a[0], 'C');
	assert_null(strstr(a, "Zoe"));
	/* the recorder names the files with the same code (one code per client) */
	char d[24];
	vg_pseudonym("Zoe O'Brien", d, sizeof(d));
	assert_string_equal(a, d);
}

static void test_load_fixture(void **st)
{
	(void)st;
	char dir[128], base[256];
	assert_non_null(vgt_mkdtemp(dir, sizeof(dir), "vg-rpt"));
	snprintf(base, sizeof(base), "%s/20261201-100000_Zoe", dir);
	int nrr = fx_write_session(base, "20261201-100000_Zoe", 300, 800, 72, 66, "myofascial", 1);
	assert_true(nrr > 0);
	struct rpt_session *s = NULL;
	char edf[300];
	snprintf(edf, sizeof(edf), "%s.edf", base); /* the EDF need not exist: BASE is what counts */
	assert_int_equal(rpt_session_load(edf, &s), 0);
	assert_int_equal(s->nbeats, 300);
	assert_string_equal(s->client, "Zoe O'Brien");
	assert_string_equal(s->technique, "myofascial");
	assert_string_equal(s->profile, "sensitive");
	assert_string_equal(s->date_utc, "2026-12-01 10:00:00");
	assert_true(s->has_summary);
	assert_true(s->complete);
	assert_true(fabs(s->baseline.hr_bpm - 72) < 1e-9);
	assert_true(fabs(s->end.emg_uv[1] - 10) < 1e-9);
	assert_int_equal(s->nregions, 2);
	assert_int_equal(s->nreleases, 1);
	assert_true(fabs(s->releases[0].drop_s - 40) < 1e-6);
	assert_int_equal(s->nmarks, 1);
	assert_true(fabs(s->marks[0].t_s - 60) < 1e-6);
	assert_true(fabs(s->marks[0].dhr_bpm + 4) < 1e-9);
	assert_true(s->bad_lines >= 3);
	assert_true(s->nphases > 10);
	size_t nmark = 0, nhold = 0;
	for (size_t i = 0; i < s->nevents; i++) {
		nmark += s->events[i].kind == RPT_EV_MARK;
		nhold += s->events[i].kind == RPT_EV_HOLD_START;
	}
	assert_int_equal(nmark, 1);
	assert_int_equal(nhold, 1);

	/* the whole-session figures: RR alternating +-40 ms -> SD1 = 80/sqrt(2)*.. */
	struct rpt_nn nn;
	assert_int_equal(rpt_nn_from_beats(s, &nn), 0);
	assert_int_equal(nn.n, (size_t)nrr);
	double sd1, sd2;
	rpt_poincare_sd(&nn, &sd1, &sd2);
	assert_true(fabs(sd1 - 80 / sqrt(2.0)) < 1.0);
	struct rpt_psd psd;
	assert_int_equal(rpt_psd(&nn, &psd), 0);
	assert_true(psd.n > 10);
	rpt_psd_free(&psd);
	rpt_nn_free(&nn);

	/* the report: both files, every plot with data */
	char html[1200], pdf[1200];
	assert_int_equal(rpt_write_session(s, NULL, dir, html, sizeof(html), pdf, sizeof(pdf)), 0);
	char *h = slurp(html, NULL);
	assert_non_null(h);
	assert_int_equal(count(h, "<svg class=\"plot\""), 6);
	char want[64];
	snprintf(want, sizeof(want), "data-label=\"HR per beat\" data-n=\"%d\"", nrr);
	assert_non_null(strstr(h, want));
	snprintf(want, sizeof(want), "data-label=\"successive NN pairs\" data-n=\"%d\"", nrr - 1);
	assert_non_null(strstr(h, want));
	assert_null(strstr(h, "data-n=\"0\""));
	assert_null(strstr(h, "Zoe"));      /* de-identified: client code only */
	assert_non_null(strstr(h, "VLF"));
	assert_non_null(strstr(h, "press"));
	free(h);
	size_t plen = 0;
	char *pd = slurp(pdf, &plen);
	assert_non_null(pd);
	assert_true(plen > 5000);
	assert_memory_equal(pd, "%PDF-", 5);
	free(pd);

	/* CSV: one row per beat, de-identified */
	char prefix[1200], path[1300];
	assert_int_equal(rpt_export_csv(s, dir, 0, prefix, sizeof(prefix)), 0);
	snprintf(path, sizeof(path), "%s.beats.csv", prefix);
	char *csv = slurp(path, NULL);
	assert_non_null(csv);
	assert_int_equal(count(csv, "\n"), 301);
	assert_memory_equal(csv, "t_s,rr_ms,hr_bpm,quality\n", 25);
	free(csv);
	snprintf(path, sizeof(path), "%s.rr.txt", prefix);
	csv = slurp(path, NULL);
	assert_int_equal(count(csv, "\n"), (size_t)nrr);
	free(csv);
	snprintf(path, sizeof(path), "%s.session.csv", prefix);
	csv = slurp(path, NULL);
	assert_null(strstr(csv, "Zoe"));
	free(csv);
	assert_int_equal(rpt_export_csv(s, dir, 1, prefix, sizeof(prefix)), 0);
	csv = slurp(path, NULL);
	assert_non_null(strstr(csv, "\"Zoe O'Brien\""));
	free(csv);
	rpt_session_free(&s);
	assert_null(s);
	vgt_rmtree(dir);
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (n)
		assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void test_hostile(void **st)
{
	(void)st;
	char dir[128], base[256], path[300];
	assert_non_null(vgt_mkdtemp(dir, sizeof(dir), "vg-rpt"));
	struct rpt_session *s = NULL;
	snprintf(base, sizeof(base), "%s/none", dir);
	assert_int_equal(rpt_session_load(base, &s), VG_ERR_NOTFOUND);
	assert_null(s);
	assert_int_equal(rpt_session_load(NULL, &s), VG_ERR_INVAL);

	snprintf(base, sizeof(base), "%s/empty", dir);
	snprintf(path, sizeof(path), "%s.jsonl", base);
	write_file(path, "", 0);
	assert_int_equal(rpt_session_load(base, &s), VG_ERR_PARSE);

	snprintf(base, sizeof(base), "%s/junk", dir);
	snprintf(path, sizeof(path), "%s.jsonl", base);
	char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)((i * 2654435761u) >> 13);
	write_file(path, junk, sizeof(junk));
	assert_int_equal(rpt_session_load(base, &s), VG_ERR_PARSE);

	/* a truncated session (crash): no summary, cut mid-line; still a report */
	snprintf(base, sizeof(base), "%s/20261201-110000_Cut", dir);
	int nrr = fx_write_session(base, "20261201-110000_Cut", 200, 900, 0, 0, "", 0);
	assert_true(nrr > 0);
	snprintf(path, sizeof(path), "%s.jsonl", base);
	size_t n = 0;
	char *all = slurp(path, &n);
	write_file(path, all, n * 2 / 3 + 17);
	free(all);
	assert_int_equal(rpt_session_load(base, &s), 0);
	assert_false(s->has_summary);
	assert_false(s->complete);
	assert_true(isfinite(s->baseline.hr_bpm));
	assert_true(s->duration_s > 0);
	char html[1200], pdf[1200];
	assert_int_equal(rpt_write_session(s, "C0000000000", NULL, html, sizeof(html), pdf, sizeof(pdf)), 0);
	rpt_session_free(&s);

	/* a line over the limit, a summary with wrong types, huge numbers */
	snprintf(base, sizeof(base), "%s/odd", dir);
	snprintf(path, sizeof(path), "%s.jsonl", base);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"topic\":\"beat\",\"v\":1,\"seq\":0,\"t_ns\":5,\"rr_ms\":1e308,\"hr_bpm\":-1,"
		"\"quality\":1}\n");
	fprintf(f, "{\"topic\":\"event\",\"v\":1,\"seq\":0,\"t_ns\":9,\"kind\":\"session.summary\","
		"\"data\":{\"start_ns\":\"x\",\"regions\":[1,2,{}],\"baseline\":[],\"end\":{\"emg_uv\":\"q\"}}}\n");
	fprintf(f, "{\"topic\":\"event\",\"v\":1,\"seq\":0,\"t_ns\":9,\"kind\":\"session.summary\","
		"\"data\":{\"start_ns\":1e30,\"duration_s\":-5,\"regions\":[\"a\",\"b\",\"c\",\"d\",\"e\","
		"\"f\",\"g\",\"h\",\"i\",\"j\"],\"baseline\":{\"emg_uv\":[1,2,3,4,5,6,7,8,9,10]}}}\n");
	for (int i = 0; i < 1100000; i++)
		fputc('x', f);
	fputc('\n', f);
	fclose(f);
	assert_int_equal(rpt_session_load(base, &s), 0);
	assert_true(s->bad_lines >= 1);
	assert_true(s->nregions <= RPT_MAX_REGIONS);
	assert_int_equal(rpt_write_session(s, NULL, NULL, html, sizeof(html), pdf, sizeof(pdf)), 0);
	rpt_session_free(&s);
	vgt_rmtree(dir);
}

/* Three sessions of one client in a SQLite index: the progress report,
 * its trends, and the mark responses grouped by technique. */
static void test_progress(void **st)
{
	(void)st;
	char dir[128], base[256], url[300];
	assert_non_null(vgt_mkdtemp(dir, sizeof(dir), "vg-rpt"));
	static const char *const tech[3] = { "myofascial", "effleurage", "myofascial" };
	for (int i = 0; i < 3; i++) {
		char id[64];
		snprintf(id, sizeof(id), "2026120%d-100000_Zoe", i + 1);
		snprintf(base, sizeof(base), "%s/%s", dir, id);
		assert_true(fx_write_session(base, id, 200 + 10 * i, 800 + 50 * i, 75 - 3 * i, 70 - 3 * i,
					     tech[i], 1) > 0);
	}
	/* the daemon's call: first session in an empty directory makes the index */
	char err[256];
	assert_int_equal(rpt_session_finished(dir, base, NULL, err, sizeof(err)), 0);
	snprintf(url, sizeof(url), "%s/%s", dir, IDX_SQLITE_NAME);
	struct stat sb;
	assert_int_equal(stat(url, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	struct idx *ix = NULL;
	assert_int_equal(idx_open(url, &ix, NULL), 0);
	struct idx_session *ss = NULL;
	size_t n = 0;
	assert_int_equal(idx_sessions(ix, NULL, &ss, &n), 0);
	assert_int_equal(n, 3); /* rebuilt from all recordings, not only the finished one */
	assert_true(fabs(ss[0].base_hr_bpm - 75) < 1e-9);
	assert_true(fabs(ss[2].base_hr_bpm - 69) < 1e-9);
	assert_int_equal(ss[0].nreleases, 1);
	assert_int_equal(ss[0].nregions, 2);
	free(ss);

	struct rpt_doc *d = NULL;
	assert_int_equal(rpt_progress_doc(ix, "Zoe O'Brien", &d), 0);
	assert_true(rpt_doc_nplots(d) >= 6);
	int found_trend = 0, found_tech = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct rpt_block *b = &d->b[i];
		if (b->kind != RPT_B_TABLE)
			continue;
		for (int r = 1; r < b->nrows; r++) {
			const char *c0 = b->cells[r * b->ncols];
			if (strcmp(c0, "resting heart rate (baseline)") == 0) {
				found_trend = 1;
				assert_true(strtod(b->cells[r * b->ncols + 3], NULL) < -2.9);
				assert_string_equal(b->cells[r * b->ncols + 5], "falling");
			}
			if (strcmp(c0, "effleurage") == 0 && b->ncols == 5) {
				found_tech = 1;
				assert_string_equal(b->cells[r * b->ncols + 1], "1");
				assert_string_equal(b->cells[r * b->ncols + 2], "-4.00");
			}
		}
	}
	assert_true(found_trend);
	assert_true(found_tech);
	rpt_doc_free(&d);
	char html[1200], pdf[1200];
	assert_int_equal(rpt_write_progress(ix, "Zoe O'Brien", dir, html, sizeof(html), pdf, sizeof(pdf)), 0);
	assert_int_equal(rpt_progress_doc(ix, "nobody", &d), VG_ERR_NOTFOUND);
	idx_close(&ix);

	/* a damaged index is moved aside and rebuilt at the next session's end */
	write_file(url, "garbage, not a database, garbage, not a database.......................", 72);
	assert_int_equal(rpt_session_finished(dir, base, NULL, err, sizeof(err)), 0);
	assert_int_equal(idx_open(url, &ix, NULL), 0);
	assert_int_equal(idx_sessions(ix, NULL, &ss, &n), 0);
	assert_int_equal(n, 3);
	free(ss);
	idx_close(&ix);
	char aside[400];
	snprintf(aside, sizeof(aside), "%s.damaged", url);
	assert_int_equal(stat(aside, &sb), 0);

	/* an index that cannot be reached: the report is written all the same */
	snprintf(html, sizeof(html), "%s.html", base);
	unlink(html);
	assert_true(rpt_session_finished(dir, base, "postgresql://nobody@/none?host=/nonexistent&port=1",
					 err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "report written"));
	assert_int_equal(stat(html, &sb), 0);
	vgt_rmtree(dir);
}

/* A report is replaced atomically: the file is 0600 even over an old 0644
 * one, a reader holding the old file keeps it whole, no temp file is left,
 * and a failed write leaves the previous report in place. */
static void test_atomic_save(void **st)
{
	(void)st;
	char dir[128], path[300];
	assert_non_null(vgt_mkdtemp(dir, sizeof(dir), "vg-rpt-atomic"));
	snprintf(path, sizeof(path), "%s/r.html", dir);
	write_file(path, "old report\n", 11);
	assert_int_equal(chmod(path, 0644), 0);
	FILE *reader = fopen(path, "rb"); /* a browser with the old file open */
	assert_non_null(reader);

	struct rpt_buf b = { 0 };
	for (int i = 0; i < 20000; i++)
		rpt_buf_printf(&b, "<p>line %d</p>\n", i);
	assert_int_equal(rpt_buf_save(&b, path), 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal((size_t)sb.st_size, b.n);
	char old[32] = { 0 };
	assert_int_equal(fread(old, 1, sizeof(old) - 1, reader), 11);
	assert_string_equal(old, "old report\n");
	fclose(reader);

	char cmd[400]; /* no PATH.tmp.* left beside it */
	snprintf(cmd, sizeof(cmd), "ls %s | grep -c tmp >/dev/null", dir);
	assert_int_not_equal(system(cmd), 0);

	/* a directory that cannot be written: an error, and the report stays */
	if (geteuid() != 0) {
		assert_int_equal(chmod(dir, 0500), 0);
		struct rpt_buf c = { 0 };
		rpt_buf_put(&c, "new");
		assert_true(rpt_buf_save(&c, path) < 0);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal((size_t)sb.st_size, b.n);
		rpt_buf_free(&c);
		assert_int_equal(chmod(dir, 0700), 0);
	}
	/* the rename fails (a directory is in the way): an error, the temp file
	 * is removed and what was there stays */
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(cmd, sizeof(cmd), "%s/keep", sub);
	write_file(cmd, "x", 1);
	assert_true(rpt_buf_save(&b, sub) < 0);
	assert_int_equal(stat(cmd, &sb), 0);
	snprintf(cmd, sizeof(cmd), "ls %s | grep -c tmp >/dev/null", dir);
	assert_int_not_equal(system(cmd), 0);
	/* a path too long for the temp name: an error, not a crash */
	char longp[5000];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_true(rpt_buf_save(&b, longp) < 0);
	rpt_buf_free(&b);
	vgt_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_step),
		cmocka_unit_test(test_trend),
		cmocka_unit_test(test_svg_plot),
		cmocka_unit_test(test_client_id),
		cmocka_unit_test(test_load_fixture),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_atomic_save),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
