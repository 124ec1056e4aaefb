/*
 * tool_cli.h - what every vagus program says the same way: its version and
 * its exit codes (0 ok, 1 runtime failure, 2 usage), documented in the man
 * pages (docs/man/).
 *
 * Problem: each tool printed its version (or not) and chose exit codes on
 * its own; scripts and users need one convention.
 * Approach: a header only (a .c file in tools/ becomes a program): the
 * version is vagusd's (daemon/vagusd.h), printed as "NAME VERSION".
 * Limits: none.
 */
#ifndef TOOL_CLI_H
#define TOOL_CLI_H

#include "vagusd.h"

#include <stdio.h>

#define TOOL_EXIT_OK 0
#define TOOL_EXIT_FAIL 1  /* runtime failure: I/O, the daemon refused or is away */
#define TOOL_EXIT_USAGE 2 /* bad command line */

/* "NAME VERSION" on stdout; returns TOOL_EXIT_OK. */
static inline int tool_version(const char *name)
{
	printf("%s %s\n", name, VAGUSD_VERSION);
	return TOOL_EXIT_OK;
}

#endif
