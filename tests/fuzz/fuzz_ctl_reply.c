/*
 * fuzz_ctl_reply.c - libFuzzer target for the control-reply parser the
 * tools use (protocol/client.c: proto_ctl_reply_parse, vagusctl's exit
 * status). Any bytes give 0 with ok 0/1 and a terminated error text, or
 * VG_ERR_PARSE with ok 0.
 * Seed corpus: tests/fuzz/corpus/fuzz_ctl_reply/ (real vagusd replies).
 */
#include "client.h"
#include "vg_err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1); /* exact size, not terminated */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	int ok = -1;
	char err[128];
	memset(err, 'x', sizeof(err));
	int rc = proto_ctl_reply_parse(buf, size, &ok, err, sizeof(err));
	if ((rc != VG_OK && rc != VG_ERR_PARSE) || (ok != 0 && ok != 1) ||
	    (rc != VG_OK && ok) || !memchr(err, '\0', sizeof(err)))
		abort();
	free(buf);
	return 0;
}
