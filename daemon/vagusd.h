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
	const char *record_dir;     /* session recordings; NULL = none */
};

struct vagusd *vagusd_new(const struct vagusd_config *cfg, int *err);
void vagusd_destroy(struct vagusd **d);
int vagusd_run(struct vagusd *d);
void vagusd_stop(struct vagusd *d);

#endif
