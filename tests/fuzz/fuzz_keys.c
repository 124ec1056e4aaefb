/*
 * fuzz_keys.c - libFuzzer target for the CURVE key-file parser
 * (protocol/keys.c: proto_key_load). Any file content gives 0 with two
 * valid 40-character Z85 keys, or an error with a message; never a crash,
 * an unterminated key or an unterminated message.
 * Seed corpus: tests/fuzz/corpus/fuzz_keys/ (what `vagusctl keygen` writes,
 * a secret-only file, comments, CRLF).
 */
#include "keys.h"
#include "vg_err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_keys_%d.key", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);
	char pub[PROTO_KEY_Z85], sec[PROTO_KEY_Z85], err[256];
	memset(err, 'x', sizeof(err));
	int rc = proto_key_load(path, pub, sec, err, sizeof(err));
	if (rc == VG_OK) {
		if (!proto_key_valid(pub) || !proto_key_valid(sec))
			abort();
	} else if (rc != VG_ERR_NOTSUP && !memchr(err, '\0', sizeof(err))) {
		abort(); /* an error without a terminated message */
	}
	unlink(path);
	return 0;
}
