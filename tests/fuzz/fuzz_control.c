/*
 * fuzz_control.c - libFuzzer target for the control request parser and the
 * message decoder (everything the network can send the daemon or a tool).
 */
#include "control.h"
#include "pipeline.h"
#include "msg.h"
#include "proto.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size copy so a read past the end is caught */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct ctl_request req;
	char err[256];
	ctl_parse(buf, size, &req, err, sizeof(err));
	static union proto_any m;
	struct proto_header h;
	const struct proto_topic *t;
	if (proto_decode(buf, size, &h, &t, &m, sizeof(m)) == 0 && t) {
		char out[PROTO_MSG_MAX];
		proto_encode(t, h.seq, h.room, &m, out, sizeof(out));
	}
	free(buf);
	return 0;
}
