/*
 * record_text.c - annotation text as EDF+ can hold it, shared by the live
 * recorder (record.c) and the repair of unfinished recordings
 * (record_repair.c).
 *
 * Problem: EDFlib wrote at most 40 bytes of an annotation and cut
 * anywhere, which can split a UTF-8 character; a TAL (EDF+ 2.2) must not
 * hold the separators 0x14, 0x15 or NUL, and readers decode the annotation
 * signals as UTF-8 (MNE raises on one invalid byte and reads no annotation
 * of the file); both writers of annotations must cut the same way, and
 * repair must not call into the live recorder.
 * Approach: control characters become spaces, bytes that are not valid
 * UTF-8 become '?', the text is cut at 40 bytes back to the start of a
 * character, and trailing spaces are dropped ("hold end " of an empty field).
 * Limits: the full text is kept in the JSON lines; only the EDF+ copy is
 * changed.
 */
#include "record_int.h"

#include <string.h>

/* length of the valid UTF-8 sequence at s (max n bytes), 0 when invalid */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	unsigned cp = s[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

void rec_cut_utf8(char *dst, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), i = 0, o = 0;
	while (i < n) {
		size_t len = utf8_len(s + i, n - i);
		if (len == 0) { /* not UTF-8: one '?' for the byte */
			if (o + 1 > EDF_ANNOT_TEXT)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + len > EDF_ANNOT_TEXT)
			break;
		if (len == 1 && (s[i] < 0x20 || s[i] == 0x7F))
			dst[o] = ' ';
		else
			memcpy(dst + o, s + i, len);
		o += len;
		i += len;
	}
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}
