/*
 * test_edf_reader.c - the EDF+ reader (io/edf.c), the format-neutral
 * recording interface (io/recording.c) and the promise that replaying a
 * session recording reproduces the published messages.
 *
 * What is checked:
 * - 150 s of PhysioNet mitdb record 101 (2 signals, 360 Hz) recorded with
 *   the session recorder, with a 1 s gap on MLII at 60 s and a mark: the
 *   reader gives labels, units, rates, lengths, the start time, the
 *   annotations, the gap as a sample range, and samples equal to the WFDB
 *   reader's within half an EDF step; recording_open() gives the same
 *   through both formats;
 * - hostile files: missing, not EDF, header promising more records than
 *   the file holds, empty: clear errors, no crash;
 * - replay: the beat and hrv messages the daemon's pipeline published live
 *   (kept in the session's JSON lines) against `vagus-analyze stream
 *   FILE.edf`: the same beats (sample index, t_ns within 1 us, RR within
 *   0.01 ms) and the same hrv messages.
 * Data: MIT-BIH Arrhythmia Database (Moody & Mark 2001), PhysioNet
 * (Goldberger et al. 2000), ODC-By.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vgtest.h"

#include "../support/vgtest.h"
#include "edf.h"
#include "pipeline.h"
#include "proto.h"
#include "record.h"
#include "recording.h"
#include "vg_err.h"
#include "vg_log.h"
#include "wfdb.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define START_NS (1795248000LL * 1000000000LL + 123456700LL)
#define SECONDS 150
#define FS 360
#define GAP_AT (60 * FS)
#define GAP_N FS

static char tmpdir[256];
static char edf_path[4096], jsonl_path[4096];

/* live messages, as the daemon publishes them */
#define MAX_MSG 2000
struct live {
	struct rec *rec;
	uint64_t seq[2];
	char beat[MAX_MSG][PROTO_MSG_MAX / 8];
	int nbeat;
	char hrv[MAX_MSG][PROTO_MSG_MAX / 4];
	int nhrv;
	char buf[PROTO_MSG_MAX];
};
static struct live *live;

static void keep(char *dst, size_t cap, const char *src, int n)
{
	assert_true((size_t)n < cap);
	memcpy(dst, src, (size_t)n + 1);
}

static void on_beat(void *ctx, const struct pl_beat *b)
{
	struct live *l = ctx;
	int n = proto_encode(proto_topic_find("beat"), l->seq[0]++, NULL, b, l->buf,
			     sizeof(l->buf));
	assert_true(n > 0);
	rec_message(l->rec, l->buf, (size_t)n);
	if (l->nbeat < MAX_MSG)
		keep(l->beat[l->nbeat++], sizeof(l->beat[0]), l->buf, n);
}

static void on_hrv(void *ctx, const struct pl_hrv *h)
{
	struct live *l = ctx;
	int n = proto_encode(proto_topic_find("hrv"), l->seq[1]++, NULL, h, l->buf,
			     sizeof(l->buf));
	assert_true(n > 0);
	rec_message(l->rec, l->buf, (size_t)n);
	if (l->nhrv < MAX_MSG)
		keep(l->hrv[l->nhrv++], sizeof(l->hrv[0]), l->buf, n);
}

/* Record 150 s of mitdb/101 as the daemon would: samples to the pipeline
 * and the recorder, a gap to both, messages to the JSON lines. */
static int setup(void **state)
{
	(void)state;
	if (!vgt_mkdtemp(tmpdir, sizeof(tmpdir), "vg_test_edfr"))
		return -1;
	vg_log_set_level(VG_LOG_ERR);
	live = calloc(1, sizeof(*live));
	int err = 0;
	struct wfdb_record *w = wfdb_open(vgt_data("mitdb/101"), &err);
	if (!w || !live)
		return -1;
	const struct rec_signal sig[2] = {
		{ "MLII", "mV", "ECG electrodes", "", -5.12, 5.12, FS, NULL },
		{ "V1", "mV", "ECG electrodes", "", -5.12, 5.12, FS, NULL },
	};
	struct rec_config cfg = { tmpdir, "replay", "none", START_NS, sig, 2, 0, 0, NULL };
	live->rec = rec_open(&cfg, &err);
	if (!live->rec)
		return -1;
	snprintf(edf_path, sizeof(edf_path), "%s", rec_edf_path(live->rec));
	snprintf(jsonl_path, sizeof(jsonl_path), "%s", rec_jsonl_path(live->rec));
	struct pl_output po = { live, on_beat, on_hrv, NULL, NULL };
	struct pipeline *pl = pl_new(NULL, &po, &err);
	if (!pl)
		return -1;
	int id = pl_add_input(pl, PL_IN_ECG, FS, "ECG", START_NS);
	float buf[FS / 10];
	for (int64_t a = 0; a < (int64_t)SECONDS * FS; a += FS / 10) {
		for (int s = 0; s < 2; s++) {
			if (wfdb_read_phys(w, s, a, FS / 10, buf) < 0)
				return -1;
			if (s == 0 && a >= GAP_AT && a < GAP_AT + GAP_N) {
				if (a == GAP_AT) { /* the device was away for 1 s */
					pl_gap(pl, id, GAP_N);
					rec_gap(live->rec, 0, GAP_N);
				}
				continue;
			}
			if (s == 0)
				pl_feed(pl, id, buf, FS / 10);
			if (rec_samples(live->rec, s, buf, FS / 10) < 0)
				return -1;
		}
		if (a % FS == 0)
			rec_sync(live->rec);
		if (a == 30 * FS)
			rec_annotation(live->rec, START_NS + 30000000000LL, -1, "mark calm");
	}
	pl_destroy(&pl);
	rec_close(&live->rec);
	wfdb_destroy(&w);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(live);
	return vgt_rmtree(tmpdir);
}

static void test_reader(void **state)
{
	(void)state;
	int err = 0;
	struct edfr *f = edfr_open(edf_path, &err);
	assert_non_null(f);
	assert_int_equal(edfr_nsig(f), 2);
	assert_string_equal(edfr_sig_label(f, 0), "MLII");
	assert_string_equal(edfr_sig_label(f, 1), "V1");
	assert_string_equal(edfr_sig_units(f, 0), "mV");
	assert_string_equal(edfr_sig_transducer(f, 1), "ECG electrodes");
	assert_string_equal(edfr_sig_label(f, 7), "");
	assert_true(fabs(edfr_sig_fs(f, 0) - FS) < 1e-9);
	assert_int_equal(edfr_sig_nsamp(f, 1), SECONDS * FS);
	assert_true(fabs(edfr_duration_s(f) - SECONDS) < 1e-9);
	assert_int_equal(edfr_start_ns(f), START_NS);
	assert_true(fabs(edfr_sig_phys_min(f, 0) + 5.12) < 1e-9);
	/* annotations: technique, mark, gap */
	int mark = 0, gap = 0;
	for (size_t i = 0; i < edfr_nannot(f); i++) {
		const struct edfr_annot *a = edfr_annot(f, i);
		if (!strcmp(a->text, "mark calm")) {
			/* EDF+ annotations hold 100 us; the start is not on that grid */
			assert_true(llabs(a->onset_ns - 30000000000LL) <= 50000);
			assert_int_equal(a->duration_ns, -1);
			mark++;
		}
		if (!strcmp(a->text, "gap MLII")) {
			assert_true(llabs(a->onset_ns - 60000000000LL) <= 50000);
			assert_int_equal(a->duration_ns, 1000000000LL);
			gap++;
		}
	}
	assert_null(edfr_annot(f, edfr_nannot(f)));
	assert_int_equal(mark, 1);
	assert_int_equal(gap, 1);
	int64_t gs, gl;
	assert_int_equal(edfr_next_gap(f, 0, 0, &gs, &gl), 1);
	assert_int_equal(gs, GAP_AT);
	assert_int_equal(gl, GAP_N);
	assert_int_equal(edfr_next_gap(f, 0, GAP_AT + 100, &gs, &gl), 1);
	assert_int_equal(edfr_next_gap(f, 0, GAP_AT + GAP_N, &gs, &gl), 0);
	assert_int_equal(edfr_next_gap(f, 1, 0, &gs, &gl), 0);
	/* EDFlib opens a file once at a time */
	assert_null(recording_open(edf_path, &err));
	assert_int_equal(err, VG_ERR_BUSY);
	/* samples against the WFDB reader */
	struct wfdb_record *w = wfdb_open(vgt_data("mitdb/101"), &err);
	assert_non_null(w);
	size_t n = (size_t)SECONDS * FS;
	float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float)),
	      *c = malloc(n * sizeof(float));
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	double half = 10.24 / 65535 / 2 + 1e-6, worst = 0;
	for (int s = 0; s < 2; s++) {
		assert_int_equal(wfdb_read_phys(w, s, 0, n, a), 0);
		assert_int_equal(edfr_read_phys(f, s, 0, n, b), 0);
		for (size_t i = 0; i < n; i++) {
			int in_gap = s == 0 && i >= GAP_AT && i < GAP_AT + GAP_N;
			double want = in_gap ? 0.0 : a[i];
			double e = fabs(b[i] - want);
			if (e > worst)
				worst = e;
			if (e > half)
				fail_msg("signal %d sample %zu: %f want %f", s, i, b[i], want);
		}
	}
	print_message("largest EDF-WFDB difference %.6f mV (half step %.6f)\n", worst, half);
	assert_int_equal(edfr_read_phys(f, 0, (int64_t)n - 10, 11, b), VG_ERR_RANGE);
	assert_int_equal(edfr_read_phys(f, 5, 0, 1, b), VG_ERR_INVAL);
	assert_int_equal(edfr_read_phys(f, 1, 1000, 500, b), 0);
	edfr_close(&f);
	assert_null(f);

	/* the same through recording.h, both formats */
	struct recording *re = recording_open(edf_path, &err);
	struct recording *rw = recording_open(vgt_data("mitdb/101.hea"), &err);
	assert_non_null(re);
	assert_non_null(rw);
	assert_string_equal(recording_format(re), "edf");
	assert_string_equal(recording_format(rw), "wfdb");
	int64_t t0;
	assert_int_equal(recording_start_ns(re, &t0), 0);
	assert_int_equal(t0, START_NS);
	assert_int_equal(recording_start_ns(rw, &t0), VG_ERR_NOTFOUND);
	assert_int_equal(recording_read_phys(re, 1, 1000, 500, c), 0);
	for (size_t i = 0; i < 500; i++)
		assert_true(b[i] == c[i]);
	assert_int_equal(recording_read_phys(rw, 1, 1000, 500, c), 0);
	for (size_t i = 0; i < 500; i++)
		assert_true(fabs(b[i] - c[i]) <= half);
	assert_int_equal(recording_next_gap(re, 0, 0, &gs, &gl), 1);
	assert_int_equal(recording_next_gap(rw, 0, 0, &gs, &gl), 0);
	assert_true(fabs(recording_duration_s(re) - SECONDS) < 1e-9);
	assert_true(fabs(recording_sig_fs(rw, 1) - FS) < 1e-9);
	assert_int_equal(recording_sig_nsamp(re, 0), (int64_t)n);
	assert_string_equal(recording_sig_units(re, 0), "mV");
	assert_int_equal(recording_nsig(rw), 2);
	assert_string_equal(recording_sig_label(rw, 0), "MLII");
	assert_string_equal(recording_sig_label(re, 1), "V1");
	recording_close(&re);
	recording_close(&rw);
	assert_null(re);
	wfdb_destroy(&w);
	free(a);
	free(b);
	free(c);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

static void test_hostile(void **state)
{
	(void)state;
	int err = 0;
	char p[600];
	snprintf(p, sizeof(p), "%s/none.edf", tmpdir);
	assert_null(edfr_open(p, &err));
	assert_int_equal(err, VG_ERR_NOTFOUND);
	assert_null(recording_open(p, &err));
	assert_int_equal(err, VG_ERR_NOTFOUND);
	assert_null(recording_open("", &err));
	assert_int_equal(err, VG_ERR_INVAL);
	snprintf(p, sizeof(p), "%s/empty.edf", tmpdir);
	write_bytes(p, "", 0);
	assert_null(edfr_open(p, &err));
	assert_true(err == VG_ERR_IO || err == VG_ERR_PARSE);
	snprintf(p, sizeof(p), "%s/text.edf", tmpdir);
	char junk[2048];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)("0       garbage\xff\x01"[i % 17]);
	write_bytes(p, junk, sizeof(junk));
	assert_null(edfr_open(p, &err));
	assert_int_equal(err, VG_ERR_PARSE);
	/* the real file cut in the middle of a record */
	FILE *in = fopen(edf_path, "rb");
	assert_non_null(in);
	char *buf = malloc(200000);
	assert_non_null(buf);
	size_t n = fread(buf, 1, 200000, in);
	fclose(in);
	assert_int_equal(n, 200000);
	snprintf(p, sizeof(p), "%s/cut.edf", tmpdir);
	write_bytes(p, buf, 12345);
	assert_null(edfr_open(p, &err));
	assert_int_equal(err, VG_ERR_PARSE);
	/* a header byte flipped to garbage */
	buf[236] = 'x';
	write_bytes(p, buf, 200000);
	assert_null(edfr_open(p, &err));
	assert_int_equal(err, VG_ERR_PARSE);
	free(buf);
}

/* strip "t_ns":N so lines compare without the sub-microsecond part */
static double take_num(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* Two encoded messages carry the same fields, numbers within tolerance. */
static int same_fields(const char *x, const char *y)
{
	cJSON *a = cJSON_Parse(x), *b = cJSON_Parse(y);
	int same = a && b;
	const cJSON *it;
	cJSON_ArrayForEach(it, a) {
		if (!same)
			break;
		if (!strcmp(it->string, "t_ns") || !strcmp(it->string, "seq"))
			continue;
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(b, it->string);
		if (!o)
			same = 0;
		else if (cJSON_IsNumber(it) && cJSON_IsNumber(o))
			same = fabs(it->valuedouble - o->valuedouble) <=
			       fmax(1e-3 * fabs(it->valuedouble), 0.011);
		else if (cJSON_IsString(it) && cJSON_IsString(o))
			same = !strcmp(it->valuestring, o->valuestring);
		else
			same = it->type == o->type;
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
	return same;
}

static void test_replay(void **state)
{
	(void)state;
	char cmd[9000];
	snprintf(cmd, sizeof(cmd), "'%s' stream '%s'", vgt_bin("vagus-analyze"), edf_path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	static char line[PROTO_MSG_MAX];
	int nb = 0, nh = 0, hrv_same = 0;
	double worst_t = 0, worst_rr = 0;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "{\"topic\":\"beat\"", 15)) {
			assert_true(nb < live->nbeat);
			const char *l = live->beat[nb++];
			assert_true(take_num(line, "\"sample\":") == take_num(l, "\"sample\":"));
			double dt = fabs(take_num(line, "\"t_ns\":") - take_num(l, "\"t_ns\":"));
			double rr1 = take_num(line, "\"rr_ms\":"), rr2 = take_num(l, "\"rr_ms\":");
			double drr = isnan(rr1) && isnan(rr2) ? 0 : fabs(rr1 - rr2);
			worst_t = dt > worst_t ? dt : worst_t;
			worst_rr = drr > worst_rr ? drr : worst_rr;
		} else if (!strncmp(line, "{\"topic\":\"hrv\"", 14)) {
			assert_true(nh < live->nhrv);
			const char *l = live->hrv[nh++];
			/* every field equal as a number (relative 1e-3, or the
			 * last printed digit: replay goes through the EDF's 16-bit
			 * samples); t_ns itself within 1 us */
			hrv_same += same_fields(line, l);
			assert_true(fabs(take_num(line, "\"t_ns\":") - take_num(l, "\"t_ns\":")) <= 1000);
		}
	}
	assert_int_equal(pclose(p), 0);
	print_message("replay: %d/%d beats, %d/%d hrv (%d equal after t_ns); worst "
		      "t_ns %.0f ns, RR %.4f ms\n", nb, live->nbeat, nh, live->nhrv,
		      hrv_same, worst_t, worst_rr);
	assert_true(live->nbeat > 150);
	assert_int_equal(nb, live->nbeat);
	assert_int_equal(nh, live->nhrv);
	assert_true(worst_t <= 1000);
	assert_true(worst_rr <= 0.01);
	assert_true(hrv_same >= nh * 99 / 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_replay),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
