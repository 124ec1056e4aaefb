/*
 * bench_link.c - figures for the fd and tcp links: throughput through a
 * pty, a regular-file replay and a loopback TCP connection; one-byte
 * latency through a pty (write on the master -> poll -> link_read); and
 * the accuracy of a paced replay (achieved vs requested byte rate).
 * For scale: the fastest serial sensor link (3 Mbaud) carries 300 kB/s;
 * OpenBCI at 115200 baud needs 8.25 kB/s (250 x 33 B).
 */
#include "link.h"
#include "link_posix.h"
#include "vg_err.h"
#include "vg_log.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 4096

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Push total bytes through wfd (non-blocking) and read them from l. */
static double pump(struct link *l, int wfd, size_t total, int is_socket)
{
	static uint8_t out[CHUNK], in[CHUNK];
	memset(out, 0x5a, sizeof(out));
	size_t sent = 0, got = 0;
	double t0 = now_s();
	while (got < total) {
		if (sent < total) {
			size_t n = total - sent < CHUNK ? total - sent : CHUNK;
			ssize_t w = is_socket ? send(wfd, out, n, MSG_DONTWAIT)
					      : write(wfd, out, n);
			if (w > 0)
				sent += (size_t)w;
		}
		int r = link_read(l, in, sizeof(in));
		if (r > 0) {
			got += (size_t)r;
		} else if (r != VG_ERR_AGAIN) {
			fprintf(stderr, "read: %s\n", vg_strerror(r));
			return 0;
		}
	}
	return (double)total / (now_s() - t0) / 1e6;
}

static int open_pty(char *slave, size_t cap)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, slave, cap))
		exit(1);
	fcntl(m, F_SETFL, O_NONBLOCK);
	return m;
}

static void bench_pty(void)
{
	char slave[128], target[160];
	int m = open_pty(slave, sizeof(slave));
	snprintf(target, sizeof(target), "fd:%s", slave);
	struct link *l = link_open(target, 3000000, NULL);
	if (!l)
		exit(1);
	double mbs = pump(l, m, (size_t)32 << 20, 0);
	printf("pty throughput: %.1f MB/s (32 MiB, %d B reads)\n", mbs, CHUNK);

	/* one-byte latency: write on the master, poll the link, read */
	enum { N = 2000 };
	static double lat[N];
	uint8_t b = 0x41, in[16];
	for (int i = 0; i < N; i++) {
		struct pollfd fds[4];
		int n = link_pollfds(l, fds, 4);
		double t0 = now_s();
		if (write(m, &b, 1) != 1)
			exit(1);
		poll(fds, (nfds_t)n, 1000);
		int r = link_read(l, in, sizeof(in));
		lat[i] = (now_s() - t0) * 1e6;
		if (r != 1)
			exit(1);
	}
	double sum = 0, max = 0;
	for (int i = 0; i < N; i++) {
		sum += lat[i];
		if (lat[i] > max)
			max = lat[i];
	}
	printf("pty 1-byte latency (write->poll->link_read): mean %.1f us, "
	       "max %.1f us over %d\n", sum / N, max, N);
	link_close(&l);
	close(m);
}

static void bench_file(void)
{
	char path[] = "/tmp/vg_bench_link_XXXXXX";
	int fd = mkstemp(path);
	static uint8_t blk[1 << 16];
	size_t total = (size_t)64 << 20;
	for (size_t i = 0; i < total; i += sizeof(blk))
		if (write(fd, blk, sizeof(blk)) != (ssize_t)sizeof(blk))
			exit(1);
	close(fd);
	char target[128];
	snprintf(target, sizeof(target), "fd:%s", path);
	struct link *l = link_open(target, 0, NULL);
	static uint8_t in[CHUNK];
	size_t got = 0;
	double t0 = now_s();
	int r;
	while ((r = link_read(l, in, sizeof(in))) > 0)
		got += (size_t)r;
	double dt = now_s() - t0;
	printf("file replay (as fast as read): %.0f MB/s (%zu MiB, end %s)\n",
	       (double)got / dt / 1e6, got >> 20, vg_strerror(r));
	link_close(&l);

	/* paced: 11520 bytes at 115200 bit/s (11520 B/s) = 1.000 s */
	if (truncate(path, 11520) < 0)
		exit(1);
	snprintf(target, sizeof(target), "fd:%s?rate=115200", path);
	l = link_open(target, 0, NULL);
	got = 0;
	t0 = now_s();
	for (;;) {
		struct pollfd fds[2];
		int n = link_pollfds(l, fds, 2);
		poll(fds, (nfds_t)n, 100);
		r = link_read(l, in, sizeof(in));
		if (r > 0)
			got += (size_t)r;
		else if (r != VG_ERR_AGAIN)
			break;
	}
	dt = now_s() - t0;
	printf("paced replay rate=115200: %zu B in %.3f s = %.0f B/s "
	       "(target 11520 B/s, error %+.2f %%)\n", got, dt, (double)got / dt,
	       ((double)got / dt / 11520.0 - 1) * 100);
	link_close(&l);
	unlink(path);
}

static void bench_tcp(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s, (struct sockaddr *)&a, &len) || listen(s, 1))
		exit(1);
	char target[64];
	snprintf(target, sizeof(target), "tcp:127.0.0.1:%d", ntohs(a.sin_port));
	struct link *l = link_open(target, 0, NULL);
	int c = accept(s, NULL, NULL);
	if (!l || c < 0)
		exit(1);
	double mbs = pump(l, c, (size_t)256 << 20, 1);
	printf("tcp loopback throughput: %.0f MB/s (256 MiB)\n", mbs);
	link_close(&l);
	close(c);
	close(s);
}

int main(void)
{
	vg_log_set_level(VG_LOG_WARN);
	bench_pty();
	bench_file();
	bench_tcp();
	return 0;
}
