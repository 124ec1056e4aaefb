/*
 * fuzz_wfdb_ann.c - libFuzzer target for the MIT annotation decoder
 * (io/wfdb_ann.c): any byte string must decode or fail with a VG_ERR_*,
 * never read out of bounds; decoded times never decrease except through a
 * SKIP. The input is copied to an exact-size buffer so that ASan catches
 * any read past its end. Seed corpus: tests/fuzz/corpus/fuzz_wfdb_ann/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wfdb_ann.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct wfdb_ann *a = NULL;
	size_t n = 0;
	if (wfdb_ann_parse(buf, size, &a, &n) == 0) {
		struct wfdb_nn *nn = malloc((n ? n : 1) * sizeof(*nn));
		if (nn) {
			size_t k = wfdb_ann_nn(a, n, 360.0, nn);
			if (k > n)
				abort();
			free(nn);
		}
		for (size_t i = 0; i < n; i++)
			if (a[i].sample < 0)
				abort();
		free(a);
	}
	free(buf);
	return 0;
}
