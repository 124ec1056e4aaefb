/*
 * fuzz_config.c - libFuzzer target for the INI configuration parser
 * (daemon/config.c over inih): any bytes give 0 or an error, never a crash.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;
	char err[512];
	if (size == 0)
		return 0;
	char *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	FILE *f = fmemopen(copy, size, "r");
	if (f) {
		config_load_stream(f, "fuzz.conf", &c, err, sizeof(err));
		fclose(f);
	}
	free(copy);
	return 0;
}
