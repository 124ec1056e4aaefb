/*
 * vagus-repair - make session recordings that were not closed (kill -9,
 * power loss, full disk) open in EDFlib again; the lead folds it into
 * `vagusctl repair FILE`.
 *
 * Usage: vagus-repair FILE.edf...   repair each file (rec_repair)
 *        vagus-repair --dir DIR     repair every unfinished *.edf in DIR
 * Prints one line per file: "repaired", "whole" (nothing to do) or the
 * error. Exit status 0 when every file opens afterwards, 1 otherwise, 2 on
 * a usage error. See daemon/record.h for what a repair does.
 */
#include "record.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: vagus-repair FILE.edf...\n       vagus-repair --dir DIR\n");
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--dir")) {
		if (argc != 3) {
			fprintf(stderr, "usage: vagus-repair --dir DIR\n");
			return 2;
		}
		int n = rec_repair_dir(argv[2]);
		if (n < 0) {
			fprintf(stderr, "vagus-repair: %s: %s\n", argv[2], vg_strerror(n));
			return 1;
		}
		printf("%s: %d recording(s) repaired\n", argv[2], n);
		return 0;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		int changed = 0;
		int e = rec_repair(argv[i], &changed);
		if (e < 0) {
			printf("%s: %s\n", argv[i], vg_strerror(e));
			rc = 1;
		} else {
			printf("%s: %s\n", argv[i], changed ? "repaired" : "whole");
		}
	}
	return rc;
}
