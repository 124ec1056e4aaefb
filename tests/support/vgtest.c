/*
 * vgtest.c - test helpers (see vgtest.h).
 */
#include "vgtest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *vgt_data(const char *rel)
{
	static char buf[4096];
	const char *d = getenv("VG_DATA");
	snprintf(buf, sizeof(buf), "%s/%s", d ? d : "../shared/data", rel);
	return buf;
}

const char *vgt_bin(const char *name)
{
	static char buf[4096];
	const char *d = getenv("VG_BIN");
	snprintf(buf, sizeof(buf), "%s/%s", d ? d : "build/bin", name);
	return buf;
}

/* One free port: bind port 0 and read what the kernel chose. */
static int one_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	int port = -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int vgt_free_port(void)
{
	/* the kernel may hand the same just-released port out twice in a
	 * row (a test asks for a publish and a control port): never return
	 * a port this process returned before */
	static int given[256];
	static unsigned ngiven;
	for (int tries = 0; tries < 100; tries++) {
		int port = one_free_port(), seen = 0;
		if (port < 0)
			return -1;
		for (unsigned i = 0; i < ngiven && i < 256; i++)
			seen |= given[i] == port;
		if (!seen) {
			given[ngiven++ % 256] = port;
			return port;
		}
	}
	return -1;
}

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

pid_t vgt_spawn(char *const argv[], const char *log_path)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	if (log_path) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
	}
	execv(argv[0], argv);
	_exit(127);
}

double vgt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int vgt_stop(pid_t pid, int timeout_ms)
{
	int status = -1;
	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	double end = vgt_now() + timeout_ms / 1000.0;
	while (vgt_now() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

int vgt_wait(pid_t pid, int timeout_ms)
{
	int status;
	double end = vgt_now() + timeout_ms / 1000.0;
	while (vgt_now() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status)
						 : 128 + WTERMSIG(status);
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -2;
}

char *vgt_mkdtemp(char *buf, size_t cap, const char *prefix)
{
	snprintf(buf, cap, "/tmp/%s-XXXXXX", prefix);
	return mkdtemp(buf);
}

int vgt_rmtree(const char *dir)
{
	if (strncmp(dir, "/tmp/", 5) != 0 || strstr(dir, ".."))
		return -1; /* only what vgt_mkdtemp made */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

const char *vgt_log(const char *name)
{
	static char buf[8][128];
	static unsigned next;
	char *b = buf[next++ % 8];
	snprintf(b, sizeof(buf[0]), "/tmp/vagus-test-%ld-%s.log", (long)getpid(), name);
	return b;
}
