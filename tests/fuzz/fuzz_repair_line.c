/*
 * fuzz_repair_line.c - libFuzzer target for the JSON-lines annotation
 * parser that rec_repair() uses to put lost annotations back into an EDF+
 * (daemon/record_repair.c: rec_repair_parse_line). The input is split at
 * newlines as getline() would; each line, in an exact-size NUL-terminated
 * copy, must give 0 or an annotation with a finite onset >= 0 and a text
 * terminated within EDFlib's 512 bytes.
 * Seed corpus: tests/fuzz/corpus/fuzz_repair_line/ (recorder lines: marks,
 * gaps, a cut line, non-annotation topics).
 */
#include "record_repair_line.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_CAP 513 /* EDFLIB_MAX_ANNOTATION_LEN + 1 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;
	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
		char *line = malloc(len + 1);
		if (!line)
			return 0;
		memcpy(line, data + at, len);
		line[len] = '\0';
		double onset = -1, dur = 0;
		char *text = malloc(TEXT_CAP);
		if (text) {
			memset(text, 'x', TEXT_CAP);
			if (rec_repair_parse_line(line, len, &onset, &dur, text)) {
				if (!(onset >= 0) || !isfinite(onset) ||
				    !memchr(text, '\0', TEXT_CAP))
					abort();
			}
			free(text);
		}
		free(line);
		at += len;
	}
	return 0;
}
