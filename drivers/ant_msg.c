/*
 * ant_msg.c - ANT message checksum and builder; see ant_msg.h.
 */
#include "ant_msg.h"

#include <string.h>

uint8_t ant_xor(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	return x;
}

size_t ant_msg_build(uint8_t *out, uint8_t id, const uint8_t *payload,
		     size_t n)
{
	if (n > ANT_MAX_LEN)
		return 0;
	out[0] = ANT_SYNC;
	out[1] = (uint8_t)n;
	out[2] = id;
	if (n)
		memcpy(out + 3, payload, n);
	out[3 + n] = ant_xor(out, 3 + n);
	return n + 4;
}
