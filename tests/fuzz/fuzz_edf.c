/*
 * fuzz_edf.c - libFuzzer target for the EDF side of recordings: any byte
 * string, saved as a file, given to rec_repair() (the daemon's own header
 * parser and count fix, then EDFlib) and then to the reader edfr_open()
 * (EDFlib, annotations, gap lists) must give a result or an error code,
 * never a crash, hang or out-of-bounds access; an opened file's samples
 * and gaps must be readable for every signal.
 * Seed corpus: tests/fuzz/corpus/fuzz_edf/ (recorder files: whole, killed
 * with "-1" records and a partial record, with gap annotations).
 */
#include "edf.h"
#include "record.h"
#include "vg_log.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_READ 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static float buf[MAX_READ];
	vg_log_set_level(VG_LOG_ERR);
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_edf_%d.edf", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);
	(void)rec_repair(path, NULL);
	int err = 0;
	struct edfr *r = edfr_open(path, &err);
	if (r) {
		volatile double acc = edfr_duration_s(r) + (double)edfr_start_ns(r);
		for (int s = 0; s < edfr_nsig(r); s++) {
			int64_t n = edfr_sig_nsamp(r, s);
			if (n > MAX_READ)
				n = MAX_READ;
			if (n > 0 && edfr_read_phys(r, s, 0, (size_t)n, buf) == 0)
				acc += buf[0];
			int64_t gs, gl, from = 0;
			for (int k = 0; k < 64 && edfr_next_gap(r, s, from, &gs, &gl); k++)
				from = gs + gl;
			acc += edfr_sig_fs(r, s) + (double)edfr_sig_label(r, s)[0];
		}
		for (size_t i = 0; i < edfr_nannot(r); i++)
			acc += (double)edfr_annot(r, i)->onset_ns;
		(void)acc;
		edfr_close(&r);
	}
	unlink(path);
	return 0;
}
