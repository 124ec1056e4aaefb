/*
 * link_target.h - parsing of link target strings (grammar in link.h).
 *
 * Problem: target strings come from the command line and configuration
 * files; a typo must give a clear VG_ERR_INVAL, never a crash, an overrun
 * or a silently wrong device.
 * Approach: pure functions over bounded buffers, no allocation, no I/O;
 * link.c splits the target once, each transport parses its address with
 * the helpers below. Fuzzed by tests/fuzz/fuzz_link_target.c.
 * Limits: a target is at most LINK_TARGET_MAX - 1 bytes with at most
 * LINK_OPT_MAX options; a struct link_target holds pointers into itself and
 * must not be copied.
 */
#ifndef LINK_TARGET_H
#define LINK_TARGET_H

#include <stddef.h>
#include <stdint.h>

#define LINK_TARGET_MAX 256
#define LINK_SCHEME_MAX 8
#define LINK_OPT_MAX 8
#define LINK_OPT_KEY_MAX 16
#define LINK_OPT_VAL_MAX 64

struct link_target {
	char scheme[LINK_SCHEME_MAX]; /* "fd" for a bare path */
	char addr[LINK_TARGET_MAX];   /* the part between "scheme:" and '?' */
	char optbuf[LINK_TARGET_MAX]; /* the options, split in place */
	const char *key[LINK_OPT_MAX];
	const char *val[LINK_OPT_MAX];
	int nopt;
};

/* Split target into scheme, address and options. The scheme is lowercase
 * [a-z0-9]+ (not checked against the transports here); a target starting
 * with '/' or '.' is a bare path with scheme "fd". Never blocks. Returns 0
 * or VG_ERR_INVAL (NULL, too long, control characters, empty address, no
 * scheme, malformed or repeated option). Does not log. */
int link_target_parse(const char *target, struct link_target *t);

/* Value of option key, or NULL when absent. */
const char *link_target_opt(const struct link_target *t, const char *key);

/* Parse "VVVV:PPPP[:SERIAL]" (hex ids of 1-4 digits, vid != 0; SERIAL of
 * printable non-space characters without ':'). serial receives "" when
 * absent; serial_cap must be >= 1. Returns 0 or VG_ERR_INVAL. */
int link_parse_usb_addr(const char *addr, uint16_t *vid, uint16_t *pid,
			char *serial, size_t serial_cap);

/* Parse "HOST:PORT" or "[V6ADDR]:PORT" (port 1-65535, decimal). host gets
 * the name or address without brackets. Returns 0 or VG_ERR_INVAL
 * (including a host that does not fit in host_cap). */
int link_parse_host_port(const char *addr, char *host, size_t host_cap,
			 uint16_t *port);

/* Parse a decimal unsigned integer in [min, max] with no sign, spaces or
 * trailing characters. Returns 0 or VG_ERR_INVAL. */
int link_parse_ulong(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out);

#endif
