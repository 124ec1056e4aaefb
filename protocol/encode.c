/*
 * encode.c - table-driven JSON encoder into a caller's buffer (see proto.h).
 *
 * Problem: messages go out at beat and EMG rates; encoding must not
 * allocate, must never emit NaN (invalid JSON), and must print numbers at a
 * fixed precision so recordings compare across machines (gpsd's lesson).
 * Approach: append with bounds checks; any overflow poisons the writer and
 * the call returns VG_ERR_TRUNC. Strings are escaped per RFC 8259.
 * Limits: doubles beyond 1e15 in magnitude are printed with %.6g.
 */
#include "proto.h"
#include "vg_err.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct jw {
	char *buf;
	size_t cap, len;
	int overflow;
};

static void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (w->overflow || w->len + n >= w->cap) {
		w->overflow = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void jw_printf(struct jw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void jw_printf(struct jw *w, const char *fmt, ...)
{
	if (w->overflow)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len) {
		w->overflow = 1;
		w->buf[w->len] = '\0';
		return;
	}
	w->len += (size_t)n;
}

static void jw_string(struct jw *w, const char *s, size_t max)
{
	jw_raw(w, "\"", 1);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': jw_raw(w, "\\\"", 2); break;
		case '\\': jw_raw(w, "\\\\", 2); break;
		case '\n': jw_raw(w, "\\n", 2); break;
		case '\r': jw_raw(w, "\\r", 2); break;
		case '\t': jw_raw(w, "\\t", 2); break;
		default:
			if (c < 0x20)
				jw_printf(w, "\\u%04x", c);
			else
				jw_raw(w, (const char *)&c, 1);
		}
	}
	jw_raw(w, "\"", 1);
}

char *proto_json_escape(const char *s, char *out, size_t cap)
{
	size_t len = 0;
	if (!cap)
		return out;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		int n;
		if (c == '"' || c == '\\')
			n = snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20)
			n = snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
			n = snprintf(esc, sizeof(esc), "%c", c);
		if (len + (size_t)n >= cap)
			break; /* truncate at a character boundary */
		memcpy(out + len, esc, (size_t)n);
		len += (size_t)n;
	}
	out[len] = '\0';
	return out;
}

static void jw_key(struct jw *w, const char *k)
{
	jw_raw(w, ",", 1);
	jw_string(w, k, SIZE_MAX);
	jw_raw(w, ":", 1);
}

static void jw_double(struct jw *w, double v, int decimals)
{
	if (!isfinite(v))
		jw_raw(w, "null", 4);
	else if (fabs(v) >= 1e15)
		jw_printf(w, "%.6g", v);
	else {
		/* avoid "-0.00" */
		double lim = 0.5 * pow(10.0, -decimals);
		if (fabs(v) < lim)
			v = 0.0;
		jw_printf(w, "%.*f", decimals, v);
	}
}

static size_t name_count(const char *const *names)
{
	size_t n = 0;
	while (names && names[n])
		n++;
	return n;
}

static void encode_field(struct jw *w, const struct proto_field *f,
			 const char *base)
{
	const void *p = base + f->offset;
	jw_key(w, f->name);
	switch (f->type) {
	case PF_I64: {
		int64_t v;
		memcpy(&v, p, sizeof(v));
		jw_printf(w, "%" PRId64, v);
		break;
	}
	case PF_U64: {
		uint64_t v;
		memcpy(&v, p, sizeof(v));
		jw_printf(w, "%" PRIu64, v);
		break;
	}
	case PF_INT: {
		int v;
		memcpy(&v, p, sizeof(v));
		jw_printf(w, "%d", v);
		break;
	}
	case PF_BOOL: {
		int v;
		memcpy(&v, p, sizeof(v));
		jw_raw(w, v ? "true" : "false", v ? 4 : 5);
		break;
	}
	case PF_DBL: {
		double v;
		memcpy(&v, p, sizeof(v));
		jw_double(w, v, f->decimals);
		break;
	}
	case PF_STR:
		jw_string(w, (const char *)p, f->size);
		break;
	case PF_CSTR: {
		const char *s;
		memcpy(&s, p, sizeof(s));
		if (s)
			jw_string(w, s, SIZE_MAX);
		else
			jw_raw(w, "null", 4);
		break;
	}
	case PF_RAW: {
		const char *s = (const char *)p;
		size_t n = strnlen(s, f->size);
		if (n)
			jw_raw(w, s, n);
		else
			jw_raw(w, "null", 4);
		break;
	}
	case PF_ENUM: {
		int v;
		memcpy(&v, p, sizeof(v));
		if (v >= 0 && (size_t)v < name_count(f->names))
			jw_string(w, f->names[v], SIZE_MAX);
		else
			jw_raw(w, "null", 4);
		break;
	}
	case PF_FLAGS: {
		unsigned v;
		memcpy(&v, p, sizeof(v));
		size_t nn = name_count(f->names);
		int first = 1;
		jw_raw(w, "[", 1);
		for (size_t b = 0; b < nn && b < 32; b++) {
			if (!(v & (1u << b)))
				continue;
			if (!first)
				jw_raw(w, ",", 1);
			jw_string(w, f->names[b], SIZE_MAX);
			first = 0;
		}
		jw_raw(w, "]", 1);
		break;
	}
	}
}

int proto_encode(const struct proto_topic *t, uint64_t seq, const char *room,
		 const void *msg, char *buf, size_t cap)
{
	if (!t || !msg || !buf || cap < 2)
		return VG_ERR_INVAL;
	struct jw w = { buf, cap, 0, 0 };
	const char *base = msg;
	int64_t t_ns;
	memcpy(&t_ns, base + t->t_ns_offset, sizeof(t_ns));
	buf[0] = '\0';
	jw_raw(&w, "{\"topic\":", 9);
	jw_string(&w, t->name, SIZE_MAX);
	jw_printf(&w, ",\"v\":%d,\"seq\":%" PRIu64 ",\"t_ns\":%" PRId64,
		  PROTO_VERSION, seq, t_ns);
	if (room && *room) {
		jw_key(&w, "room");
		jw_string(&w, room, SIZE_MAX);
	}
	for (size_t i = 0; i < t->nfields; i++)
		encode_field(&w, &t->fields[i], base);
	jw_raw(&w, "}", 1);
	if (w.overflow)
		return VG_ERR_TRUNC;
	return (int)w.len;
}
