/*
 * hrv.c - vagus-analyze hrv (placeholder until its issue lands: it says so
 * and fails, so no test can pass on it).
 */
#include "va.h"

#include <stdio.h>

int va_cmd_hrv(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vagus-analyze: 'hrv' is not available in this build yet\n");
	return 1;
}
