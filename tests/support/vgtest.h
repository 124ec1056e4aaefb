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
/* A free TCP port on 127.0.0.1 (bound and released), never one this process
 * got before (the kernel may hand a released port out again at once). */
int vgt_free_port(void);



#include <sys/types.h>
/* Start a program (argv[0] is a path) with stdout/stderr to log_path (or
 * inherited when NULL). Returns its pid or -1. */
pid_t vgt_spawn(char *const argv[], const char *log_path);
/* SIGTERM, wait up to timeout_ms, then SIGKILL. Returns the exit status
 * as from waitpid (or -1). */
int vgt_stop(pid_t pid, int timeout_ms);
/* Wait up to timeout_ms for pid to exit by itself; returns its exit code
 * (0..255), 128+signal if killed, or -2 on timeout (then it is killed). */
int vgt_wait(pid_t pid, int timeout_ms);
/* Make a fresh directory /tmp/PREFIX-XXXXXX into buf (cap >= 64);
 * returns buf or NULL. */
char *vgt_mkdtemp(char *buf, size_t cap, const char *prefix);
/* Remove a directory tree made by vgt_mkdtemp; 0 or -1. */
int vgt_rmtree(const char *dir);
/* A log path private to this test process: /tmp/vagus-test-PID-NAME.log
 * (a ring of 8 buffers, so a few may be used at once). */
const char *vgt_log(const char *name);
/* Monotonic seconds. */
double vgt_now(void);
#endif
