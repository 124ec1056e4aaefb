/*
 * record_text.c - annotation text as EDF+ can hold it, shared by the live
 * recorder (record.c) and the repair of unfinished recordings
 * (record_repair.c).
 *
 * Problem: EDFlib writes at most 40 bytes of an annotation and cuts
 * anywhere, which can split a UTF-8 character; both writers of annotations
 * must cut the same way, and repair must not call into the live recorder.
 * Approach: cut at 40 bytes, then back to the start of the character.
 * Limits: the full text is kept in the JSON lines; only the EDF+ copy is cut.
 */
#include "record_int.h"

#include <string.h>

void rec_cut_utf8(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n > EDF_ANNOT_TEXT) {
		n = EDF_ANNOT_TEXT;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}
