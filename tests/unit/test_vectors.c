/*
 * test_vectors.c - every byte-exact capture in tests/vectors/<driver>/
 * whose golden file is in vagus-decode's JSON-lines format (NAME.bin,
 * NAME.json, optional NAME.opts with the driver options) is decoded through
 * the registry's driver of that name and compared with the golden file:
 * whole, byte by byte, and in 7- and 33-byte reads.
 *
 * Problem: a driver change must not silently change what a capture decodes
 * to; the golden files are written by tests/vectors/make_vectors.py from
 * the documented layouts, not by the C code.
 * Approach: drv_decode_buffer() into a memory stream; lines are compared
 * text for text except that numbers may differ by 2e-4 (+1e-6 relative), so
 * the last printed digit of a float may round either way.
 * Golden files in another format (a single JSON object, used by the
 * ANT+/PulseSensor/HRMI tests in test_drv_ant.c etc.) are skipped here.
 * Limits: a directory named after no registered driver fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "drv_decode.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	size_t k;
	while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			char *nb = realloc(b, 2 * cap + 1);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (b)
		b[n] = '\0';
	*len = n;
	return b;
}

/* Compare one line, numbers with a tolerance. */
static int line_equal(const char *a, const char *b)
{
	while (*a && *b) {
		int na = (*a == '-' || (*a >= '0' && *a <= '9'));
		int nb = (*b == '-' || (*b >= '0' && *b <= '9'));
		if (na && nb) {
			char *ea, *eb;
			double x = strtod(a, &ea), y = strtod(b, &eb);
			if (ea != a && eb != b) {
				if (fabs(x - y) > 2e-4 + 1e-6 * fabs(x))
					return 0;
				a = ea;
				b = eb;
				continue;
			}
		}
		if (*a != *b)
			return 0;
		a++;
		b++;
	}
	return *a == *b;
}

static int text_equal(const char *got, const char *want, char *where, size_t wn)
{
	int line = 1;
	for (;;) {
		const char *eg = strchr(got, '\n'), *ew = strchr(want, '\n');
		size_t lg = eg ? (size_t)(eg - got) : strlen(got);
		size_t lw = ew ? (size_t)(ew - want) : strlen(want);
		char bg[512], bw[512];
		snprintf(bg, sizeof(bg), "%.*s", (int)lg, got);
		snprintf(bw, sizeof(bw), "%.*s", (int)lw, want);
		if (!line_equal(bg, bw)) {
			snprintf(where, wn, "line %d: got %.200s, want %.200s", line, bg, bw);
			return 0;
		}
		if (!eg || !ew) {
			if (eg && eg[1]) {
				snprintf(where, wn, "extra lines from %d", line + 1);
				return 0;
			}
			if (ew && ew[1]) {
				snprintf(where, wn, "missing lines from %d", line + 1);
				return 0;
			}
			return 1;
		}
		got = eg + 1;
		want = ew + 1;
		line++;
	}
}

static const char *root(void)
{
	const char *r = getenv("VG_ROOT");
	return r && *r ? r : ".";
}

static void test_vectors(void **state)
{
	(void)state;
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/tests/vectors", root());
	DIR *top = opendir(dir);
	assert_non_null(top);
	struct dirent *de;
	int checked = 0, failed = 0;
	while ((de = readdir(top))) {
		if (de->d_name[0] == '.')
			continue;
		char sub[1400];
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		DIR *dd = opendir(sub);
		if (!dd)
			continue;
		const struct drv_ops *ops = drv_find(de->d_name);
		struct dirent *fe;
		while ((fe = readdir(dd))) {
			size_t nl = strlen(fe->d_name);
			if (nl < 5 || strcmp(fe->d_name + nl - 4, ".bin") != 0)
				continue;
			char base[1700], path[1800];
			snprintf(base, sizeof(base), "%s/%.*s", sub, (int)(nl - 4), fe->d_name);
			size_t jlen, blen, olen = 0;
			snprintf(path, sizeof(path), "%s.json", base);
			char *want = slurp(path, &jlen);
			if (!want || strncmp(want, "{\"topic\":", 9) != 0) {
				free(want); /* another format: tested elsewhere */
				continue;
			}
			if (!ops) {
				print_error("%s: no driver named %s\n", base, de->d_name);
				failed++;
				free(want);
				continue;
			}
			snprintf(path, sizeof(path), "%s.bin", base);
			char *bin = slurp(path, &blen);
			snprintf(path, sizeof(path), "%s.opts", base);
			char *opts = slurp(path, &olen);
			if (opts) {
				char *nlp = strchr(opts, '\n');
				if (nlp)
					*nlp = '\0';
			}
			assert_non_null(bin);
			static const size_t chunks[] = { 0, 1, 7, 33 };
			for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
				char *got = NULL;
				size_t glen = 0;
				FILE *m = open_memstream(&got, &glen);
				assert_non_null(m);
				int rc = drv_decode_buffer(ops, opts && *opts ? opts : NULL,
							   (const uint8_t *)bin, blen, chunks[c], m);
				fclose(m);
				char where[600];
				if (rc != 0 || !text_equal(got, want, where, sizeof(where))) {
					print_error("%s (reads of %zu): %s\n", base, chunks[c],
						    rc ? "decode failed" : where);
					failed++;
				}
				free(got);
			}
			checked++;
			free(bin);
			free(opts);
			free(want);
		}
		closedir(dd);
	}
	closedir(top);
	print_message("%d vectors checked\n", checked);
	assert_true(checked >= 12);
	assert_int_equal(failed, 0);
}

/* the comparison itself must catch a changed value */
static void test_compare_catches_changes(void **state)
{
	(void)state;
	char where[600];
	assert_true(text_equal("{\"v\":1.0001}\n", "{\"v\":1.0002}\n", where, sizeof(where)));
	assert_false(text_equal("{\"v\":1.001}\n", "{\"v\":1.002}\n", where, sizeof(where)));
	assert_false(text_equal("{\"topic\":\"gap\"}\n", "{\"topic\":\"gaps\"}\n", where,
				sizeof(where)));
	assert_false(text_equal("a\nb\n", "a\n", where, sizeof(where)));
	assert_true(text_equal("lead-II -1\n", "lead-II -1.00001\n", where, sizeof(where)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_catches_changes),
		cmocka_unit_test(test_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
