/*
 * test_wfdb_ann.c - MIT-format annotation reader: hand-built byte streams
 * (SKIP, NUM/SUB/CHN/AUX, end word, truncations) and real files (PhysioNet
 * mitdb .atr at 360 Hz, nsr2db .ecg at 128 Hz).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/vgtest.h"
#include "vg_err.h"
#include "wfdb_ann.h"

#define W(code, iv) (uint8_t)(((code) << 10 | (iv)) & 0xff), (uint8_t)(((code) << 10 | (iv)) >> 8)

static void test_stream(void **st)
{
	(void)st;
	const uint8_t buf[] = {
		W(1, 100),             /* N at 100 */
		W(62, 1),              /* CHN 1 for it and later */
		W(5, 250),             /* V at 350 */
		W(61, 3),              /* SUB 3 for the V */
		W(63, 3), 'a', 'b', 'c', 0, /* AUX, 3 bytes + pad */
		W(59, 0), 0x01, 0x00, 0x02, 0x00, /* SKIP 0x00010002 = 65538 */
		W(1, 10),              /* N at 350 + 65538 + 10 */
		W(60, 7),              /* NUM 7 */
		W(28, 0),              /* rhythm at the same time */
		W(0, 0),               /* end */
		W(1, 5),               /* after the end: ignored */
	};
	struct wfdb_ann *a = NULL;
	size_t n = 0;
	assert_int_equal(wfdb_ann_parse(buf, sizeof(buf), &a, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(a[0].sample, 100);
	assert_int_equal(a[0].code, 1);
	assert_int_equal(a[0].chan, 1);
	assert_int_equal(a[1].sample, 350);
	assert_int_equal(a[1].code, 5);
	assert_int_equal(a[1].subtyp, 3);
	assert_int_equal(a[1].chan, 1);
	assert_int_equal(a[2].sample, 350 + 65538 + 10);
	assert_int_equal(a[2].num, 7);
	assert_int_equal(a[3].sample, a[2].sample);
	assert_int_equal(a[3].code, 28);
	assert_int_equal(a[3].num, 7);
	free(a);
}

static void test_nn_pairs(void **st)
{
	(void)st;
	/* N N V N N ~ N : NN only between consecutive normal beats;
	 * the noise annotation (~, 14) is not a beat and does not break it */
	const uint8_t buf[] = { W(1, 100), W(1, 100), W(5, 60), W(1, 140), W(1, 100),
				W(14, 50), W(1, 50), W(0, 0) };
	struct wfdb_ann *a = NULL;
	size_t n = 0;
	assert_int_equal(wfdb_ann_parse(buf, sizeof(buf), &a, &n), 0);
	struct wfdb_nn nn[8];
	size_t k = wfdb_ann_nn(a, n, 100.0, nn);
	assert_int_equal(k, 3);
	assert_float_equal(nn[0].t_s, 2.0, 1e-12);
	assert_float_equal(nn[0].nn_ms, 1000.0, 1e-9);
	assert_float_equal(nn[1].t_s, 5.0, 1e-12);
	assert_float_equal(nn[2].nn_ms, 1000.0, 1e-9);
	free(a);
}

static void test_truncated(void **st)
{
	(void)st;
	struct wfdb_ann *a = (struct wfdb_ann *)1;
	size_t n = 99;
	const uint8_t skip[] = { W(1, 1), W(59, 0), 0x01, 0x00 };
	assert_int_equal(wfdb_ann_parse(skip, sizeof(skip), &a, &n), VG_ERR_TRUNC);
	assert_null(a);
	assert_int_equal(n, 0);
	const uint8_t aux[] = { W(1, 1), W(63, 9), 'x', 'y' };
	assert_int_equal(wfdb_ann_parse(aux, sizeof(aux), &a, &n), VG_ERR_TRUNC);
	const uint8_t odd[] = { W(1, 1), 0x05 };
	assert_int_equal(wfdb_ann_parse(odd, sizeof(odd), &a, &n), VG_ERR_TRUNC);
	/* negative time through SKIP */
	const uint8_t neg[] = { W(1, 1), W(59, 0), 0xff, 0xff, 0x00, 0xf0, W(1, 1) };
	assert_int_equal(wfdb_ann_parse(neg, sizeof(neg), &a, &n), VG_ERR_PARSE);
	/* empty and end-word-less files are fine */
	assert_int_equal(wfdb_ann_parse(NULL, 0, &a, &n), 0);
	assert_int_equal(n, 0);
	free(a);
	const uint8_t noend[] = { W(1, 7) };
	assert_int_equal(wfdb_ann_parse(noend, sizeof(noend), &a, &n), 0);
	assert_int_equal(n, 1);
	free(a);
}

static void test_real_files(void **st)
{
	(void)st;
	struct wfdb_ann *a = NULL;
	size_t n = 0;
	double fs = 0;
	/* mitdb 101: 1865 beats (1860 N, 3 A, 2 Q) in the database directory */
	assert_int_equal(wfdb_ann_load(vgt_data("mitdb/101"), "atr", &a, &n, &fs), 0);
	assert_float_equal(fs, 360.0, 0.0);
	size_t beats = 0, normal = 0, apc = 0;
	for (size_t i = 0; i < n; i++) {
		beats += wfdb_ann_is_beat(a[i].code) != 0;
		normal += a[i].code == WFDB_ANN_NORMAL;
		apc += a[i].code == WFDB_ANN_APC;
		if (i)
			assert_true(a[i].sample >= a[i - 1].sample);
	}
	assert_int_equal(beats, 1865);
	assert_int_equal(normal, 1860);
	assert_int_equal(apc, 3);
	assert_true(a[n - 1].sample < 650000); /* 30:06 at 360 Hz */
	free(a);
	/* nsr2db: 128 Hz time base from the header, about 24 h */
	assert_int_equal(wfdb_ann_load(vgt_data("nsr2db/nsr001"), "ecg", &a, &n, &fs), 0);
	assert_float_equal(fs, 128.0, 0.0);
	assert_true(n > 50000);
	double dur_h = (double)a[n - 1].sample / fs / 3600.0;
	assert_true(dur_h > 20.0 && dur_h < 26.0);
	free(a);
	/* missing files */
	assert_int_equal(wfdb_ann_load(vgt_data("mitdb/nonexistent"), "atr", &a, &n, &fs),
			 VG_ERR_NOTFOUND);
	assert_int_equal(wfdb_ann_read("/nonexistent/x.atr", &a, &n), VG_ERR_NOTFOUND);
}

static void test_header(void **st)
{
	(void)st;
	char path[] = "/tmp/vg_test_hea_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# comment\n\nrec 2 250/1000(0) 650000\n", f);
	fclose(f);
	double fs = 0;
	assert_int_equal(wfdb_ann_header_fs(path, &fs), 0);
	assert_float_equal(fs, 250.0, 0.0);
	f = fopen(path, "w");
	fputs("rec 0\n", f);
	fclose(f);
	assert_int_equal(wfdb_ann_header_fs(path, &fs), 0);
	assert_float_equal(fs, 250.0, 0.0); /* WFDB default */
	f = fopen(path, "w");
	fputs("rec 1 -5\n", f);
	fclose(f);
	assert_int_equal(wfdb_ann_header_fs(path, &fs), VG_ERR_PARSE);
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(wfdb_ann_header_fs(path, &fs), VG_ERR_PARSE);
	remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_nn_pairs),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_real_files),
		cmocka_unit_test(test_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
