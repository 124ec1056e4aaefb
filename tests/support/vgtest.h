/*
 * vgtest.h - small helpers shared by the tests (cmocka is the framework).
 */
#ifndef VGTEST_H
#define VGTEST_H

#include <stddef.h>

/* Path of a shared data file: $VG_DATA/rel (default ../shared/data/rel
 * relative to the project root). Returns a pointer to a static buffer. */
const char *vgt_data(const char *rel);
/* Path of a built program: $VG_BIN/name (default build/bin/name). */
const char *vgt_bin(const char *name);
/* A free TCP port on 127.0.0.1 (bound and released). */
int vgt_free_port(void);

#endif
