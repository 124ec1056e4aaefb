/*
 * regress_main.c - runs a libFuzzer target without libFuzzer, so that
 * `make check` (normal and ASan/UBSan builds, gcc) replays every input that
 * once crashed it and its seed corpus.
 *
 * Problem: a crash found by `make fuzz` must stay fixed, and make check does
 * not use clang or libFuzzer.
 * Approach: the Makefile links each tests/fuzz/fuzz_NAME.c with this main
 * into BUILD/tests/fuzz/fuzz_NAME; tests/run.sh calls it with the
 * directories tests/fuzz/regress/fuzz_NAME/ and tests/fuzz/corpus/fuzz_NAME/.
 * Each regular file in them is read whole and given to
 * LLVMFuzzerTestOneInput once (the target then sees the exact size, so ASan
 * catches a read past it). A missing directory counts as empty. A finding
 * aborts the program (UBSan/ASan are fatal in the ASan build), so run.sh
 * sees a non-zero exit; the last line is "PASS NAME: N inputs" otherwise.
 * Limits: inputs up to 16 MiB; no mutation (that is make fuzz's job).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REGRESS_MAX_BYTES (16u << 20)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "FAIL cannot open %s\n", path);
		return -1;
	}
	uint8_t *buf = malloc(REGRESS_MAX_BYTES);
	size_t n = buf ? fread(buf, 1, REGRESS_MAX_BYTES, f) : 0;
	fclose(f);
	if (!buf)
		return -1;
	/* exact-size copy: a read one past the end is an ASan finding */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact) {
		memcpy(exact, buf, n);
		fprintf(stderr, "  %s\n", path);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	free(buf);
	return exact ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, int *count)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char *names[4096];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
		if (e->d_name[0] == '.')
			continue;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) < 0)
				rc = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int count = 0, rc = 0;
	for (int i = 1; i < argc; i++)
		if (run_dir(argv[i], &count) < 0)
			rc = 1;
	printf("%s %s: %d inputs\n", rc ? "FAIL" : "PASS", name, count);
	return rc;
}
