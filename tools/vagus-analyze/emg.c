/*
 * emg.c - vagus-analyze emg (placeholder until its issue lands: it says so
 * and fails, so no test can pass on it).
 */
#include "va.h"

#include <stdio.h>

int va_cmd_emg(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vagus-analyze: 'emg' is not available in this build yet\n");
	return 1;
}
