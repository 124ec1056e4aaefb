/*
 * fuzz_link_target.c - libFuzzer target for the link target-string parser
 * (link/link_target.c): link_target_parse on arbitrary bytes, then the
 * per-transport address parsers and the number parser on whatever it
 * accepted. The checks assert the parser's postconditions (terminated,
 * bounded fields; options found again by key). Never opens anything.
 */
#include "link_target.h"
#include "vg_err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy so reads past the end are caught by ASan */
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	struct link_target t;
	if (link_target_parse(s, &t) == VG_OK) {
		if (strlen(t.addr) == 0 || strlen(t.addr) >= LINK_TARGET_MAX ||
		    strlen(t.scheme) >= LINK_SCHEME_MAX ||
		    t.nopt < 0 || t.nopt > LINK_OPT_MAX)
			abort();
		for (int i = 0; i < t.nopt; i++) {
			if (link_target_opt(&t, t.key[i]) != t.val[i])
				abort(); /* keys are unique */
			unsigned long v;
			if (link_parse_ulong(t.val[i], 1, 4000000, &v) == VG_OK &&
			    (v < 1 || v > 4000000))
				abort();
		}
		uint16_t vid, pid, port;
		char serial[64], host[256];
		if (link_parse_usb_addr(t.addr, &vid, &pid, serial,
					sizeof(serial)) == VG_OK &&
		    (vid == 0 || strlen(serial) >= sizeof(serial)))
			abort();
		if (link_parse_host_port(t.addr, host, sizeof(host), &port) ==
		    VG_OK && (port == 0 || host[0] == '\0'))
			abort();
	}
	free(s);
	return 0;
}
