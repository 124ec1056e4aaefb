/*
 * vagusd.h - the daemon object: sources -> pipeline -> publisher, driven by
 * one event loop.
 *
 * Problem: main() must stay a thin argument parser; tests and tools may want
 * to run the same daemon in-process.
 * Approach: struct vagusd_config holds every setting (from the command line
 * or the config file); vagusd_new() binds, opens sources and arms timers;
 * vagusd_run() runs the loop until a signal or vagusd_stop().
 * Limits: VAGUSD_MAX_SOURCES sources.
 */
#ifndef VAGUSD_H
#define VAGUSD_H

#include <stdint.h>

#include "config.h"

#define VAGUSD_VERSION "0.1.0"
#define VAGUSD_MAX_SOURCES 8

struct vagusd;

struct vagusd_config {
	const char *sources[VAGUSD_MAX_SOURCES]; /* source specs */
	int nsources;
	const char *pub_endpoint;   /* default tcp://127.0.0.1:5560 */
	const char *ctl_endpoint;   /* default tcp://127.0.0.1:5561 */
	const char *room;           /* optional room name on every message */
	const char *sim_options;    /* extra options for sim sources ("speed=..,seed=..") */
	double hrv_windows_s[4];    /* 0-terminated; default 60, 300 */
	double stall_timeout_s;     /* default 5 */
	const char *secret_key_file;/* CURVE server key pair file; NULL/"" = none */
	const struct config_client *clients; /* CURVE allowlist */
	int nclients;
	int insecure;               /* allow non-local endpoints without CURVE */
	const char *record_dir;     /* session recordings; NULL or "" = none (main.c
				       gives the per-user default unless --no-record) */
	const char *index_url;      /* session index ([index] url); NULL or "" = SQLite
				       (vagus-index.sqlite) in record_dir */
	int no_record;              /* recording turned off on purpose (status says so) */
};

/* Exit codes of vagusd (main.c; documented in --help). */
#define VAGUSD_EXIT_FAIL 1       /* could not start (endpoint, device, security) */
#define VAGUSD_EXIT_USAGE 2      /* bad command line, or no source named */
#define VAGUSD_EXIT_RECORD 3     /* the recording directory cannot be used */

/* Make the recording directory usable: created (with its parents) mode
 * 0700 when missing, then checked to be a directory we can write. 0, or
 * VG_ERR_* with a sentence for the user in why. */
int vagusd_record_dir_ready(const char *dir, char *why, size_t cap);
/* The per-user default recording directory: $XDG_DATA_HOME/vagus/sessions,
 * else $HOME/.local/share/vagus/sessions. 0 or VG_ERR_NOTFOUND (neither set). */
int vagusd_default_record_dir(char *buf, size_t cap);

struct vagusd *vagusd_new(const struct vagusd_config *cfg, int *err);
void vagusd_destroy(struct vagusd **d);
int vagusd_run(struct vagusd *d);
void vagusd_stop(struct vagusd *d);

#endif
