/*
 * fuzz_wfdb_header.c - libFuzzer target for the WFDB header parser
 * (io/wfdb.c: wfdb_parse_header). Any byte string must give a record or an
 * error code, never a crash, hang or out-of-bounds access; a parsed record's
 * accessors must be callable for every signal.
 * Seed corpus: tests/fuzz/corpus/fuzz_wfdb_header/ (real headers' shapes:
 * mitdb, svdb, nstdb, drivedb 16xN, emgdb, base time and date).
 */
#include "vg_log.h"
#include "wfdb.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vg_log_set_level(VG_LOG_ERR);
	int err = 0;
	struct wfdb_record *r = wfdb_parse_header((const char *)data, size, NULL, &err);
	if (!r)
		return 0;
	volatile double acc = wfdb_fs(r) + (double)wfdb_nframes(r);
	for (int s = 0; s < wfdb_nsig(r); s++) {
		acc += wfdb_sig_fs(r, s) + wfdb_sig_gain(r, s) + wfdb_sig_baseline(r, s);
		acc += (double)wfdb_sig_nsamp(r, s);
		acc += (double)(wfdb_sig_units(r, s)[0] + wfdb_sig_desc(r, s)[0]);
	}
	int64_t t;
	if (wfdb_base_time_ns(r, &t) == 0)
		acc += (double)t;
	(void)acc;
	wfdb_destroy(&r);
	return 0;
}
