/*
 * vr.h - vagus-report's options and commands (one file per command).
 *
 * vagus-report SESSION|FILE.edf|BASE...   session report (HTML + PDF) and
 *                                         registration in the index
 * vagus-report --client ID|NAME           progress report of a course
 * vagus-report --list                     clients and sessions
 * vagus-report --rebuild-index DIR        index anew from the recordings
 * vagus-report --export csv SESSION...    CSV files and Kubios RR text
 */
#ifndef VR_H
#define VR_H

#include <stddef.h>

struct vr_opts {
	const char *outdir;     /* -o DIR, NULL = next to the recording */
	const char *index_url;  /* --index URL, NULL = DIR/vagus-index.sqlite */
	const char *dir;        /* --dir DIR: recordings (default: the session's or .) */
	const char *client;     /* --client */
	const char *export_fmt; /* --export FORMAT */
	const char *rebuild;    /* --rebuild-index DIR */
	int list, no_index, identified;
};

/* Index URL to use: --index, else DIR/vagus-index.sqlite of dir. */
void vr_index_url(const struct vr_opts *o, const char *dir, char *url, size_t cap);

int vr_session(const struct vr_opts *o, const char *what);
int vr_export(const struct vr_opts *o, const char *what);
int vr_progress(const struct vr_opts *o);
int vr_list(const struct vr_opts *o);
int vr_rebuild(const struct vr_opts *o);

#endif
