/*
 * link_target.c - parsing of link target strings (see link_target.h, the
 * grammar is in link.h).
 *
 * Problem: untrusted text (command line, configuration) selects a device;
 * it must be validated completely before any system call is made.
 * Approach: one pass over a bounded copy; every field is checked against a
 * small character class and a length limit; numbers are parsed by hand so
 * that signs, spaces, "0x" prefixes and overflow are all refused.
 * Limits: no percent-escapes: '?', '&' and '=' cannot appear in a path or
 * option value.
 */
#include "link_target.h"
#include "vg_err.h"

#include <string.h>

static int is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_key_char(int c)
{
	return is_lower_alnum(c) || c == '_';
}

static int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Split t->optbuf ("k=v&k2=v2") in place into t->key/t->val. */
static int split_options(struct link_target *t)
{
	char *p = t->optbuf;
	for (;;) {
		char *amp = strchr(p, '&');
		if (amp)
			*amp = '\0';
		char *eq = strchr(p, '=');
		if (!eq || eq == p)
			return VG_ERR_INVAL;
		*eq = '\0';
		const char *k = p, *v = eq + 1;
		size_t klen = strlen(k), vlen = strlen(v);
		if (klen >= LINK_OPT_KEY_MAX || vlen == 0 ||
		    vlen >= LINK_OPT_VAL_MAX)
			return VG_ERR_INVAL;
		for (size_t i = 0; i < klen; i++)
			if (!is_key_char((unsigned char)k[i]))
				return VG_ERR_INVAL;
		for (size_t i = 0; i < vlen; i++)
			if (v[i] == '=' || v[i] == '?' || v[i] == ' ')
				return VG_ERR_INVAL;
		for (int i = 0; i < t->nopt; i++)
			if (strcmp(t->key[i], k) == 0)
				return VG_ERR_INVAL;
		if (t->nopt >= LINK_OPT_MAX)
			return VG_ERR_INVAL;
		t->key[t->nopt] = k;
		t->val[t->nopt] = v;
		t->nopt++;
		if (!amp)
			return VG_OK;
		p = amp + 1;
	}
}

int link_target_parse(const char *target, struct link_target *t)
{
	if (!target || !t)
		return VG_ERR_INVAL;
	memset(t, 0, sizeof(*t));
	size_t len = strnlen(target, LINK_TARGET_MAX);
	if (len == 0 || len >= LINK_TARGET_MAX)
		return VG_ERR_INVAL;
	for (size_t i = 0; i < len; i++)
		if (is_ctl((unsigned char)target[i]))
			return VG_ERR_INVAL;

	const char *rest;
	if (target[0] == '/' || target[0] == '.') {
		strcpy(t->scheme, "fd");
		rest = target;
	} else {
		size_t n = 0;
		while (n < len && is_lower_alnum((unsigned char)target[n]))
			n++;
		if (n == 0 || n >= LINK_SCHEME_MAX || target[n] != ':')
			return VG_ERR_INVAL;
		memcpy(t->scheme, target, n);
		t->scheme[n] = '\0';
		rest = target + n + 1;
	}

	const char *q = strchr(rest, '?');
	size_t alen = q ? (size_t)(q - rest) : strlen(rest);
	if (alen == 0)
		return VG_ERR_INVAL;
	memcpy(t->addr, rest, alen);
	t->addr[alen] = '\0';
	if (q) {
		strcpy(t->optbuf, q + 1);
		if (t->optbuf[0] == '\0')
			return VG_ERR_INVAL;
		return split_options(t);
	}
	return VG_OK;
}

const char *link_target_opt(const struct link_target *t, const char *key)
{
	if (!t || !key)
		return NULL;
	for (int i = 0; i < t->nopt; i++)
		if (strcmp(t->key[i], key) == 0)
			return t->val[i];
	return NULL;
}

/* Parse 1-4 hex digits at *p up to a ':' or the end; advances *p. */
static int parse_hex16(const char **p, uint16_t *out)
{
	unsigned v = 0;
	int n = 0;
	const char *s = *p;
	while (*s && *s != ':') {
		int h = hex_val((unsigned char)*s);
		if (h < 0 || n == 4)
			return VG_ERR_INVAL;
		v = v * 16 + (unsigned)h;
		n++;
		s++;
	}
	if (n == 0)
		return VG_ERR_INVAL;
	*out = (uint16_t)v;
	*p = s;
	return VG_OK;
}

int link_parse_usb_addr(const char *addr, uint16_t *vid, uint16_t *pid,
			char *serial, size_t serial_cap)
{
	if (!addr || !vid || !pid || !serial || serial_cap == 0)
		return VG_ERR_INVAL;
	serial[0] = '\0';
	const char *p = addr;
	if (parse_hex16(&p, vid) < 0 || *p != ':')
		return VG_ERR_INVAL;
	p++;
	if (parse_hex16(&p, pid) < 0 || *vid == 0)
		return VG_ERR_INVAL;
	if (*p == '\0')
		return VG_OK;
	p++; /* the ':' before the serial number */
	size_t n = strlen(p);
	if (n == 0 || n >= serial_cap)
		return VG_ERR_INVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= ' ' || c == 0x7f || c == ':')
			return VG_ERR_INVAL;
	}
	memcpy(serial, p, n + 1);
	return VG_OK;
}

int link_parse_ulong(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	if (!s || !out || *s == '\0')
		return VG_ERR_INVAL;
	unsigned long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return VG_ERR_INVAL;
		unsigned d = (unsigned)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return VG_ERR_INVAL;
		v = v * 10 + d;
	}
	if (v < min)
		return VG_ERR_INVAL;
	*out = v;
	return VG_OK;
}

int link_parse_host_port(const char *addr, char *host, size_t host_cap,
			 uint16_t *port)
{
	if (!addr || !host || host_cap == 0 || !port)
		return VG_ERR_INVAL;
	host[0] = '\0';
	const char *h, *hend, *pstr;
	if (addr[0] == '[') {
		h = addr + 1;
		hend = strchr(h, ']');
		if (!hend || hend[1] != ':')
			return VG_ERR_INVAL;
		pstr = hend + 2;
		for (const char *c = h; c < hend; c++)
			if (hex_val((unsigned char)*c) < 0 && *c != ':' &&
			    *c != '.' && *c != '%' && !is_key_char((unsigned char)*c))
				return VG_ERR_INVAL;
	} else {
		h = addr;
		hend = strrchr(addr, ':');
		if (!hend)
			return VG_ERR_INVAL;
		pstr = hend + 1;
		for (const char *c = h; c < hend; c++) {
			unsigned char u = (unsigned char)*c;
			if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
			      (u >= '0' && u <= '9') || u == '.' || u == '-' ||
			      u == '_'))
				return VG_ERR_INVAL;
		}
	}
	size_t hlen = (size_t)(hend - h);
	if (hlen == 0 || hlen >= host_cap)
		return VG_ERR_INVAL;
	unsigned long p;
	if (link_parse_ulong(pstr, 1, 65535, &p) < 0)
		return VG_ERR_INVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)p;
	return VG_OK;
}
