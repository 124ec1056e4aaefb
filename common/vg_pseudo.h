/*
 * vg_pseudo.h - the client's pseudonym (see vg_pseudo.c).
 */
#ifndef VG_PSEUDO_H
#define VG_PSEUDO_H

#include <stddef.h>

#define VG_PSEUDONYM_MAX 16 /* "C" + 8 hex digits, or "anonymous", + NUL */

/* The stable code of a client name into out (cap >= VG_PSEUDONYM_MAX). */
void vg_pseudonym(const char *name, char *out, size_t cap);

#endif
