/*
 * assets.h - the web page's files (HTML, CSS, JS) compiled into vagus-web.
 *
 * Problem: the console must work with no internet and no install step
 * beyond the binary: no CDN, nothing fetched at run time.
 * Approach: the files of tools/vagus-web/www/ are turned into byte arrays in
 * assets_gen.c by tools/vagus-web/gen_assets.py (the Makefile re-runs it
 * when a file in www/ changes; the generated file is checked in so a plain
 * build needs no generator). `make install` also copies www/ to
 * PREFIX/share/vagus/web, and --www DIR serves the files from a folder
 * instead (same names only), for editing the page without rebuilding.
 * Limits: flat folder; only the names in the table are ever served.
 */
#ifndef WEB_ASSETS_H
#define WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;          /* URL path, e.g. "/app.js" */
	const char *type;          /* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_n;

#endif
