/*
 * vg_pseudo.c - the client's pseudonym: one stable code per client name,
 * used wherever a file, an EDF+ header, an index row or an export must name
 * the client without the name (daemon/record.c, report/).
 *
 * Problem: the recorder and the reports each named clients by a hash of
 * their own (two codes for one person); a researcher joining files needs
 * the same code everywhere.
 * Approach: FNV-1a (64 bit) over the name with surrounding blanks removed;
 * the code is "C" and the top 32 bits in hex (9 characters).
 * Reference: Fowler, Noll, Vo, IETF draft-eastlake-fnv.
 * Limits: a pseudonym, not anonymisation: anyone with a list of candidate
 * names can compute their codes (unsalted on purpose, so every room and
 * every tool gives the same code). An empty name gives "anonymous".
 */
#include "vg_pseudo.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void vg_pseudonym(const char *name, char *out, size_t cap)
{
	const char *p = name ? name : "";
	while (*p && isspace((unsigned char)*p))
		p++;
	size_t n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (!n) {
		snprintf(out, cap, "anonymous");
		return;
	}
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, cap, "C%08llx", (unsigned long long)(h >> 32));
}
