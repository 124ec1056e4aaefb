/*
 * rpt_ident.c - the client's pseudonymous id (see rpt_report.h).
 * Reference: FNV-1a hash (Fowler, Noll, Vo; IETF draft-eastlake-fnv).
 */
#include "rpt_report.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void rpt_client_id(const char *name, char *out, size_t cap)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *p = name ? name : "";
	while (*p && isspace((unsigned char)*p))
		p++;
	size_t n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, cap, "C%010llx", (unsigned long long)(h >> 24));
}
