/*
 * guide_fmt.c - the small bounded writers the guide's JSON and Markdown
 * use: append formatted text, a JSON string, a JSON number (NAN = null).
 *
 * Problem: guide.c (mark responses) and guide_summary.c (the summary) both
 * write JSON into caller buffers; neither should reach into the other.
 * Approach: each writer takes (buf, cap, pos), appends what fits and
 * returns the position the whole text would reach, so a caller checks for
 * truncation once at the end (pos >= cap).
 * Limits: strings are escaped for '"', '\\' and control characters only;
 * they are expected to be UTF-8 already.
 */
#include "guide_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

size_t guide_appendf(char *buf, size_t cap, size_t pos, const char *fmt, ...)
{
	if (pos >= cap)
		return pos + 1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + pos, cap - pos, fmt, ap);
	va_end(ap);
	return n < 0 ? cap : pos + (size_t)n;
}

size_t guide_json_str(char *buf, size_t cap, size_t pos, const char *s)
{
	pos = guide_appendf(buf, cap, pos, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			pos = guide_appendf(buf, cap, pos, "\\%c", *p);
		else if (*p < 0x20)
			pos = guide_appendf(buf, cap, pos, "\\u%04x", *p);
		else
			pos = guide_appendf(buf, cap, pos, "%c", *p);
	}
	return guide_appendf(buf, cap, pos, "\"");
}

size_t guide_json_num(char *buf, size_t cap, size_t pos, double v, int dec)
{
	if (!isfinite(v))
		return guide_appendf(buf, cap, pos, "null");
	return guide_appendf(buf, cap, pos, "%.*f", dec, v);
}

