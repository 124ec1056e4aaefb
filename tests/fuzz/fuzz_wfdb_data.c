/*
 * fuzz_wfdb_data.c - libFuzzer target for WFDB signal data (io/wfdb.c:
 * wfdb_open and wfdb_read_adu/wfdb_read_phys on formats 16, 61, 80, 160,
 * 212, 24, 32, with several signals, samples per frame and byte offsets):
 * any .dat content under a plausible header gives samples or an error,
 * never a crash or a read out of bounds. fuzz_wfdb_header covers headers.
 * Input: byte 0 picks the format, byte 1 the signal count (1..4) and samples
 * per frame (1..2), byte 2 the frame count in the header (0: none, so the
 * file size decides), byte 3 a byte offset (+N); the rest is the .dat file.
 * Every sample of every signal is read whole and in pieces; a read past the
 * end must give VG_ERR_RANGE.
 * Seed corpus: tests/fuzz/corpus/fuzz_wfdb_data/ (a few frames of each
 * format, 212 with two signals as in mitdb).
 */
#include "vg_err.h"
#include "vg_log.h"
#include "wfdb.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_SAMPLES 4096

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = (n == 0 || fwrite(p, 1, n, f) == n);
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	static int32_t adu[FZ_MAX_SAMPLES];
	static float phys[FZ_MAX_SAMPLES];
	static const int formats[] = { 16, 61, 80, 160, 212, 24, 32 };
	vg_log_set_level(VG_LOG_ERR);
	if (size < 4)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_wfdb_data_%d", (int)getpid());
		if (access(dir, F_OK) != 0 && mkdir(dir, 0700) != 0)
			return 0;
	}
	int fmt = formats[data[0] % 7];
	int nsig = 1 + (data[1] & 3), spf = 1 + ((data[1] >> 2) & 1);
	int nframes = data[2] * 3, offset = data[3] % 16;
	char hea[1024], path[128];
	int n = nframes ? snprintf(hea, sizeof(hea), "fz %d 250 %d\n", nsig, nframes)
			: snprintf(hea, sizeof(hea), "fz %d 250\n", nsig);
	for (int s = 0; s < nsig && n > 0 && (size_t)n < sizeof(hea); s++)
		n += snprintf(hea + n, sizeof(hea) - (size_t)n,
			      "fz.dat %d%s%s%.0d 200(%d)/mV 12 0 0 0 0 s%d\n", fmt,
			      spf > 1 ? "x2" : "", offset ? "+" : "", offset,
			      (int)data[1] - 128, s);
	snprintf(path, sizeof(path), "%s/fz.hea", dir);
	if (write_file(path, hea, strlen(hea)))
		return 0;
	snprintf(path, sizeof(path), "%s/fz.dat", dir);
	if (write_file(path, data + 4, size - 4))
		return 0;
	snprintf(path, sizeof(path), "%s/fz", dir);
	int err = 0;
	struct wfdb_record *r = wfdb_open(path, &err);
	if (r) {
		for (int s = 0; s < wfdb_nsig(r); s++) {
			int64_t ns = wfdb_sig_nsamp(r, s);
			if (ns < 0)
				abort();
			size_t k = ns > FZ_MAX_SAMPLES ? FZ_MAX_SAMPLES : (size_t)ns;
			int64_t sum = 0;
			if (k && wfdb_read_adu(r, s, 0, k, adu) == 0)
				for (size_t i = 0; i < k; i++)
					sum += adu[i];
			if (sum == INT64_MIN)
				abort(); /* keeps the reads; 4096 int32 cannot sum to it */
			for (size_t at = 0; at < k; at += 7) {
				size_t m = k - at < 7 ? k - at : 7;
				if (wfdb_read_phys(r, s, (int64_t)at, m, phys) == 0)
					for (size_t i = 0; i < m; i++)
						if (isinf(phys[i]))
							abort();
			}
			if (wfdb_read_adu(r, s, ns, 1, adu) != VG_ERR_RANGE)
				abort();
		}
		wfdb_destroy(&r);
	}
	snprintf(path, sizeof(path), "%s/fz.hea", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/fz.dat", dir);
	unlink(path);
	return 0;
}
