/*
 * test_wfdb.c - unit tests of the WFDB record reader (io/wfdb.c).
 *
 * What is checked: header parsing (record and signal lines, defaults,
 * gain(baseline)/units, base time and date, comments), malformed and
 * truncated headers and signal files written to a temporary directory,
 * format 212/16/80 decoding against samples we encoded ourselves, a
 * multi-frequency (16x2) record, invalid-sample codes (NaN), and on real
 * PhysioNet records (mitdb 101, drivedb drive05) that every signal's
 * samples add up to the header's checksum and the first sample converts to
 * the known physical value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vgtest.h"

#include "vg_err.h"
#include "vg_log.h"
#include "../support/vgtest.h"
#include "wfdb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	if (!vgt_mkdtemp(tmpdir, sizeof(tmpdir), "vg_test_wfdb"))
		return -1;
	vg_log_set_level(VG_LOG_ERR); /* the malformed cases warn by design */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return vgt_rmtree(tmpdir);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static const char *rec_path(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static struct wfdb_record *parse(const char *text, int *err)
{
	*err = 0;
	return wfdb_parse_header(text, strlen(text), NULL, err);
}

/* ------------------------------------------------------------ headers */

static void test_header_fields(void **state)
{
	(void)state;
	int err;
	struct wfdb_record *r = parse(
		"# leading comment\n"
		"rec01 3 360/720(5) 650000 12:30:15.5 02/01/2000\r\n"
		"rec01.dat 212 200(1024)/uV 11 7 955 29832 0 MLII lead\n"
		"rec01.dat 212 0 12 0 992 19589 0\n"
		"rec01.dat 212\n"
		"# age 75\n", &err);
	assert_non_null(r);
	assert_string_equal(wfdb_name(r), "rec01");
	assert_int_equal(wfdb_nsig(r), 3);
	assert_true(fabs(wfdb_fs(r) - 360.0) < 1e-12);
	assert_int_equal(wfdb_nframes(r), 650000);
	int64_t t;
	assert_int_equal(wfdb_base_time_ns(r, &t), 0);
	/* 2000-01-02 = 946771200 s after the epoch, plus 12:30:15.5 */
	assert_true(t == 946771200LL * 1000000000LL + 45015500000000LL);
	assert_true(fabs(wfdb_sig_gain(r, 0) - 200.0) < 1e-12);
	assert_int_equal(wfdb_sig_baseline(r, 0), 1024);
	assert_int_equal(wfdb_sig_zero(r, 0), 7);
	assert_string_equal(wfdb_sig_units(r, 0), "uV");
	assert_string_equal(wfdb_sig_desc(r, 0), "MLII lead");
	assert_int_equal(wfdb_sig_initval(r, 0), 955);
	int32_t cs;
	assert_int_equal(wfdb_sig_checksum(r, 0, &cs), 0);
	assert_int_equal(cs, 29832);
	/* gain 0 means the default 200; baseline defaults to ADC zero */
	assert_true(fabs(wfdb_sig_gain(r, 1) - 200.0) < 1e-12);
	assert_int_equal(wfdb_sig_baseline(r, 1), 0);
	assert_string_equal(wfdb_sig_units(r, 1), "mV");
	assert_string_equal(wfdb_sig_desc(r, 1), "");
	assert_int_equal(wfdb_sig_adcres(r, 2), 12);
	assert_int_equal(wfdb_sig_checksum(r, 2, &cs), VG_ERR_NOTFOUND);
	assert_string_equal(wfdb_info(r), "leading comment\nage 75");
	assert_int_equal(wfdb_find_sig(r, "mlii lead"), 0);
	assert_int_equal(wfdb_find_sig(r, "V5"), VG_ERR_NOTFOUND);
	/* a header-only record cannot be read */
	float x;
	assert_int_equal(wfdb_read_phys(r, 0, 0, 1, &x), VG_ERR_STATE);
	assert_null(wfdb_sig_desc(r, 3));
	wfdb_destroy(&r);
	assert_null(r);
}

static void test_header_defaults_and_multifreq(void **state)
{
	(void)state;
	int err;
	struct wfdb_record *r = parse("d 2\nd.dat 16x32 1000\nd.dat 16 1/bpm\n", &err);
	assert_non_null(r);
	assert_true(fabs(wfdb_fs(r) - 250.0) < 1e-12); /* default fs */
	assert_int_equal(wfdb_base_time_ns(r, &(int64_t){ 0 }), VG_ERR_NOTFOUND);
	wfdb_destroy(&r);

	r = parse("drive 2 15.5 100\nd.dat 16x32 1000\nd.dat 16 1/bpm 16 0 89\n", &err);
	assert_non_null(r);
	assert_int_equal(wfdb_sig_spf(r, 0), 32);
	assert_true(fabs(wfdb_sig_fs(r, 0) - 496.0) < 1e-9);
	assert_int_equal(wfdb_sig_nsamp(r, 0), 3200);
	assert_int_equal(wfdb_sig_nsamp(r, 1), 100);
	assert_string_equal(wfdb_sig_units(r, 1), "bpm");
	assert_true(fabs(wfdb_sig_gain(r, 1) - 1.0) < 1e-12);
	wfdb_destroy(&r);
}

static void test_header_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int err;
	} bad[] = {
		{ "", VG_ERR_PARSE },
		{ "# only a comment\n", VG_ERR_PARSE },
		{ "rec\n", VG_ERR_PARSE },                       /* no nsig */
		{ "rec x\n", VG_ERR_PARSE },
		{ "rec -1\n", VG_ERR_PARSE },
		{ "rec 99999999999\n", VG_ERR_PARSE },
		{ "rec 1 0\nr.dat 16\n", VG_ERR_PARSE },          /* fs 0 */
		{ "rec 1 nan\nr.dat 16\n", VG_ERR_PARSE },
		{ "rec 1 inf\nr.dat 16\n", VG_ERR_PARSE },
		{ "rec 1 -360\nr.dat 16\n", VG_ERR_PARSE },
		{ "rec 1 360abc\nr.dat 16\n", VG_ERR_PARSE },
		{ "rec 1 360 -5\nr.dat 16\n", VG_ERR_PARSE },     /* negative length */
		{ "rec 1 360 10 25:61:99:1\nr.dat 16\n", VG_ERR_PARSE },
		{ "rec 1 360 10 10:00:00 32/13/2000\nr.dat 16\n", VG_ERR_PARSE },
		{ "rec 2 360\nr.dat 212\n", VG_ERR_TRUNC },        /* missing signal line */
		{ "rec 1 360\nr.dat\n", VG_ERR_PARSE },            /* no format */
		{ "rec 1 360\nr.dat 16x0\n", VG_ERR_PARSE },       /* spf 0 */
		{ "rec 1 360\nr.dat 16x\n", VG_ERR_PARSE },
		{ "rec 1 360\nr.dat 16+-4\n", VG_ERR_PARSE },
		{ "rec 1 360\nr.dat 999\n", VG_ERR_NOTSUP },       /* unknown format */
		{ "rec 1 360\nr.dat 8\n", VG_ERR_NOTSUP },         /* differences: unsupported */
		{ "rec 1 360\nr.dat 16 -200\n", VG_ERR_PARSE },    /* negative gain */
		{ "rec 1 360\nr.dat 16 1e-9\n", VG_ERR_PARSE },    /* gain too small for float samples */
		{ "rec 1 360\nr.dat 16 200(\n", VG_ERR_PARSE },
		{ "rec 1 360\nr.dat 16 200(12\n", VG_ERR_PARSE },
		{ "rec 1 360\nr.dat 16 200/\n", VG_ERR_PARSE },
		{ "rec 1 360\nr.dat 16 200 99\n", VG_ERR_PARSE },  /* adcres > 32 */
		{ "rec 1 360\nr.dat 16 200 12 zero\n", VG_ERR_PARSE },
		{ "rec 1 360\n~ 16\n", VG_ERR_NOTSUP },
		{ "rec 1 360\n../../etc/passwd 16\n", VG_ERR_PARSE },
		{ "rec/2 2 360 100\n", VG_ERR_NOTSUP },           /* multi-segment */
		{ "rec 2 360\na.dat 16\na.dat 212\n", VG_ERR_PARSE }, /* mixed formats in one file */
		{ "rec 3 360\na.dat 16\nb.dat 16\na.dat 16\n", VG_ERR_PARSE },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = 0;
		struct wfdb_record *r = parse(bad[i].text, &err);
		if (r || err != bad[i].err)
			fail_msg("case %zu \"%s\": got %s, err %d, want %d", i, bad[i].text,
				 r ? "a record" : "NULL", err, bad[i].err);
	}
	/* a NUL byte inside the header */
	int err = 0;
	const char nul[] = "rec 1 360\nr.d\0at 16\n";
	assert_null(wfdb_parse_header(nul, sizeof(nul) - 1, NULL, &err));
	assert_int_equal(err, VG_ERR_PARSE);
}

/* ------------------------------------------------------------ files */

static void put212(unsigned char *b, int a, int c)
{
	b[0] = (unsigned char)(a & 0xff);
	b[1] = (unsigned char)(((a >> 8) & 0x0f) | (((c >> 8) & 0x0f) << 4));
	b[2] = (unsigned char)(c & 0xff);
}

static void test_format212_two_signals(void **state)
{
	(void)state;
	/* 5 frames of 2 signals; signal 0 includes the invalid code -2048 */
	static const int s0[5] = { 0, 2047, -1, -2048, 1000 };
	static const int s1[5] = { -2047, 5, 1024, -300, 7 };
	unsigned char dat[15];
	for (int f = 0; f < 5; f++)
		put212(dat + 3 * f, s0[f], s1[f]);
	write_file("t212.dat", dat, sizeof(dat));
	const char *hea = "t212 2 100 5\n"
			  "t212.dat 212 200(24)/mV 12 0 0 0 0 A\n"
			  "t212.dat 212 100 12 0 -2047 0 0 B\n";
	write_file("t212.hea", hea, strlen(hea));
	int err = 0;
	struct wfdb_record *r = wfdb_open(rec_path("t212"), &err);
	assert_non_null(r);
	int32_t adu[5];
	float x[5];
	assert_int_equal(wfdb_read_adu(r, 0, 0, 5, adu), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(adu[i], i == 3 ? WFDB_INVALID_ADU : s0[i]);
	assert_int_equal(wfdb_read_phys(r, 1, 0, 5, x), 0);
	for (int i = 0; i < 5; i++)
		assert_true(fabsf(x[i] - (float)s1[i] / 100.0f) < 1e-6f);
	assert_int_equal(wfdb_read_phys(r, 0, 1, 4, x), 0);
	assert_true(fabsf(x[0] - (2047 - 24) / 200.0f) < 1e-6f);
	assert_true(isnan(x[2]));
	/* ranges */
	assert_int_equal(wfdb_read_phys(r, 0, 4, 2, x), VG_ERR_RANGE);
	assert_int_equal(wfdb_read_phys(r, 0, 6, 0, x), VG_ERR_RANGE);
	assert_int_equal(wfdb_read_phys(r, 0, -1, 1, x), VG_ERR_INVAL);
	assert_int_equal(wfdb_read_phys(r, 2, 0, 1, x), VG_ERR_INVAL);
	assert_int_equal(wfdb_read_phys(r, 0, 5, 0, x), 0);
	wfdb_destroy(&r);

	/* an odd number of samples in 212: the last block is 2 bytes */
	write_file("odd.dat", dat, 2);
	const char *hea1 = "odd 1 100 1\nodd.dat 212\n";
	write_file("odd.hea", hea1, strlen(hea1));
	r = wfdb_open(rec_path("odd"), &err);
	assert_non_null(r);
	assert_int_equal(wfdb_read_adu(r, 0, 0, 1, adu), 0);
	assert_int_equal(adu[0], 0);
	wfdb_destroy(&r);
}

/* A long physical read of a 212 signal goes through the code table
 * (WFDB_LUT_MIN_READ): every code, both samples of a pair, from an odd
 * start, the invalid code as NaN, must read as the short reads do. */
static void test_format212_long_reads(void **state)
{
	(void)state;
	enum { NF = 9000 };
	static unsigned char dat[3 * NF];
	static int s0[NF], s1[NF];
	for (int f = 0; f < NF; f++) {
		s0[f] = (f * 37) % 4096 - 2048; /* every code, -2048 included */
		s1[f] = 2047 - (f * 11) % 4096;
		put212(dat + 3 * f, s0[f], s1[f]);
	}
	write_file("long.dat", dat, sizeof(dat));
	const char *hea = "long 2 360 9000\n"
			  "long.dat 212 200(-7)/mV 12 0 0 0 0 A\n"
			  "long.dat 212 123.5(31)/mV 12 0 0 0 0 B\n";
	write_file("long.hea", hea, strlen(hea));
	int err = 0;
	struct wfdb_record *r = wfdb_open(rec_path("long"), &err);
	assert_non_null(r);
	static float whole[NF], part[8];
	int nan = 0;
	for (int sig = 0; sig < 2; sig++) {
		assert_int_equal(wfdb_read_phys(r, sig, 1, NF - 1, whole), 0);
		for (int i = 1; i < NF; i += 8) {
			const int m = NF - i < 8 ? NF - i : 8;
			assert_int_equal(wfdb_read_phys(r, sig, i, (size_t)m, part), 0);
			for (int k = 0; k < m; k++) {
				const float a = whole[i - 1 + k], b = part[k];
				nan += isnan(a);
				assert_true(isnan(a) ? isnan(b) : a == b);
				assert_true(isnan(a) == ((sig ? s1 : s0)[i + k] == -2048));
			}
		}
	}
	assert_true(nan > 0);
	wfdb_destroy(&r);
}

static void test_format16_multifreq_and_offset(void **state)
{
	(void)state;
	/* frame = 2 samples of signal 0 (16x2) then 1 of signal 1; 4-byte
	 * prefix skipped by +4; 3 frames */
	int16_t v[9];
	for (int f = 0; f < 3; f++) {
		v[3 * f] = (int16_t)(100 * f);
		v[3 * f + 1] = (int16_t)(100 * f + 50);
		v[3 * f + 2] = (int16_t)(-1000 - f);
	}
	v[8] = -32768; /* invalid */
	unsigned char dat[4 + 18];
	memset(dat, 0xee, 4);
	for (int i = 0; i < 9; i++) {
		dat[4 + 2 * i] = (unsigned char)((uint16_t)v[i] & 0xff);
		dat[4 + 2 * i + 1] = (unsigned char)((uint16_t)v[i] >> 8);
	}
	write_file("mf.dat", dat, sizeof(dat));
	const char *hea = "mf 2 10\nmf.dat 16x2+4 10\nmf.dat 16+4 1000(-1000)/V\n";
	write_file("mf.hea", hea, strlen(hea));
	int err = 0;
	struct wfdb_record *r = wfdb_open(rec_path("mf"), &err);
	assert_non_null(r);
	assert_int_equal(wfdb_nframes(r), 3); /* from the file size */
	assert_int_equal(wfdb_sig_nsamp(r, 0), 6);
	assert_true(fabs(wfdb_sig_fs(r, 0) - 20.0) < 1e-12);
	float x[6];
	assert_int_equal(wfdb_read_phys(r, 0, 0, 6, x), 0);
	for (int i = 0; i < 6; i++)
		assert_true(fabsf(x[i] - (float)(100 * (i / 2) + 50 * (i % 2)) / 10.0f) < 1e-5f);
	assert_int_equal(wfdb_read_phys(r, 0, 3, 2, x), 0);
	assert_true(fabsf(x[0] - 15.0f) < 1e-5f);
	assert_int_equal(wfdb_read_phys(r, 1, 0, 3, x), 0);
	assert_true(fabsf(x[0] - 0.0f) < 1e-6f);
	assert_true(fabsf(x[1] - (-0.001f)) < 1e-6f);
	assert_true(isnan(x[2]));
	wfdb_destroy(&r);
}

static void test_format80(void **state)
{
	(void)state;
	unsigned char dat[4] = { 128, 0, 255, 130 }; /* 0, invalid, 127, 2 */
	write_file("f80.dat", dat, sizeof(dat));
	const char *hea = "f80 1 50 4\nf80.dat 80 2\n";
	write_file("f80.hea", hea, strlen(hea));
	int err;
	struct wfdb_record *r = wfdb_open(rec_path("f80"), &err);
	assert_non_null(r);
	int32_t a[4];
	assert_int_equal(wfdb_read_adu(r, 0, 0, 4, a), 0);
	assert_int_equal(a[0], 0);
	assert_int_equal(a[1], WFDB_INVALID_ADU);
	assert_int_equal(a[2], 127);
	assert_int_equal(a[3], 2);
	wfdb_destroy(&r);
}

static void test_bad_files(void **state)
{
	(void)state;
	int err = 0;
	/* no header */
	assert_null(wfdb_open(rec_path("nosuch"), &err));
	assert_int_equal(err, VG_ERR_NOTFOUND);
	/* header but no signal file */
	const char *hea = "nodat 1 100 10\nnodat.dat 16\n";
	write_file("nodat.hea", hea, strlen(hea));
	assert_null(wfdb_open(rec_path("nodat"), &err));
	assert_int_equal(err, VG_ERR_NOTFOUND);
	/* signal file shorter than the header's length */
	unsigned char dat[7] = { 0 };
	write_file("short.dat", dat, sizeof(dat));
	const char *hea2 = "short 2 100 3\nshort.dat 212\nshort.dat 212\n";
	write_file("short.hea", hea2, strlen(hea2));
	assert_null(wfdb_open(rec_path("short"), &err));
	assert_int_equal(err, VG_ERR_TRUNC);
	/* header cut in the middle of the signal lines */
	const char *hea3 = "cut 2 100 3\ncut.dat 212 200 12 0";
	write_file("cut.hea", hea3, strlen(hea3));
	write_file("cut.dat", dat, sizeof(dat));
	assert_null(wfdb_open(rec_path("cut"), &err));
	assert_int_equal(err, VG_ERR_TRUNC);
	/* garbage header */
	unsigned char junk[64];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	write_file("junk.hea", junk, sizeof(junk));
	assert_null(wfdb_open(rec_path("junk"), &err));
	assert_true(err == VG_ERR_PARSE || err == VG_ERR_NOTSUP);
	assert_null(wfdb_open("", &err));
	assert_int_equal(err, VG_ERR_INVAL);
}

/* ------------------------------------------------------------ real data */

/* Every signal's samples sum (mod 2^16) to the header's checksum. */
static void check_record(const char *rel)
{
	int err = 0;
	struct wfdb_record *r = wfdb_open(vgt_data(rel), &err);
	if (!r)
		fail_msg("%s: %s", rel, vg_strerror(err));
	for (int s = 0; s < wfdb_nsig(r); s++) {
		int64_t n = wfdb_sig_nsamp(r, s);
		int32_t *b = malloc((size_t)n * sizeof(*b));
		assert_non_null(b);
		assert_int_equal(wfdb_read_adu(r, s, 0, (size_t)n, b), 0);
		uint32_t sum = 0;
		for (int64_t i = 0; i < n; i++)
			sum += (uint32_t)b[i];
		int32_t cs;
		assert_int_equal(wfdb_sig_checksum(r, s, &cs), 0);
		assert_int_equal((uint16_t)sum, (uint16_t)cs);
		assert_int_equal(b[0], wfdb_sig_initval(r, s));
		/* a window read equals the same part of the whole read */
		int32_t w[100];
		int64_t at = n / 3;
		assert_int_equal(wfdb_read_adu(r, s, at, 100, w), 0);
		assert_memory_equal(w, b + at, sizeof(w));
		free(b);
	}
	wfdb_destroy(&r);
}

static void test_real_mitdb(void **state)
{
	(void)state;
	check_record("mitdb/101");
	int err;
	struct wfdb_record *r = wfdb_open(vgt_data("mitdb/101"), &err);
	assert_non_null(r);
	assert_int_equal(wfdb_nsig(r), 2);
	assert_int_equal(wfdb_nframes(r), 650000);
	assert_string_equal(wfdb_sig_desc(r, 0), "MLII");
	float x;
	assert_int_equal(wfdb_read_phys(r, 0, 0, 1, &x), 0);
	assert_true(fabsf(x - (955 - 1024) / 200.0f) < 1e-6f); /* -0.345 mV */
	wfdb_destroy(&r);
}

static void test_real_drivedb_multifreq(void **state)
{
	(void)state;
	check_record("drivedb/drive05");
	int err;
	struct wfdb_record *r = wfdb_open(vgt_data("drivedb/drive05"), &err);
	assert_non_null(r);
	assert_int_equal(wfdb_nsig(r), 7);
	assert_true(fabs(wfdb_sig_fs(r, 0) - 496.0) < 1e-9);   /* ECG 16x32 */
	assert_true(fabs(wfdb_sig_fs(r, 1) - 15.5) < 1e-9);    /* EMG */
	assert_true(fabs(wfdb_sig_fs(r, 6) - 31.0) < 1e-9);    /* RESP 16x2 */
	assert_int_equal(wfdb_sig_nsamp(r, 0), 32 * wfdb_nframes(r));
	assert_int_equal(wfdb_find_sig(r, "RESP"), 6);
	assert_string_equal(wfdb_sig_units(r, 4), "bpm");
	float x;
	assert_int_equal(wfdb_read_phys(r, 4, 0, 1, &x), 0);
	assert_true(fabsf(x - 89.0f) < 1e-6f);
	wfdb_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_header_defaults_and_multifreq),
		cmocka_unit_test(test_header_malformed),
		cmocka_unit_test(test_format212_two_signals),
		cmocka_unit_test(test_format212_long_reads),
		cmocka_unit_test(test_format16_multifreq_and_offset),
		cmocka_unit_test(test_format80),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_real_mitdb),
		cmocka_unit_test(test_real_drivedb_multifreq),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
