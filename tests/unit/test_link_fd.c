/*
 * test_link_fd.c - the fd and tcp links against real kernel objects: a pty
 * pair (raw mode, baud, chunks, non-blocking, writes, master close =
 * unplug), a pipe and a FIFO (EOF), regular-file replay (fast and paced),
 * and TCP to a loopback listener (data both ways, peer close, refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "link.h"
#include "link_posix.h"
#include "vg_err.h"
#include "../support/vgtest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define WAIT_MS 3000

/* Read from l through its pollfds until want bytes arrived, the link
 * reports an end (returned), or WAIT_MS passed. *got receives the count. */
static int read_until(struct link *l, uint8_t *buf, size_t want, size_t *got)
{
	int64_t deadline = link_posix_now_ms() + WAIT_MS;
	*got = 0;
	while (*got < want && link_posix_now_ms() < deadline) {
		struct pollfd fds[8];
		int n = link_pollfds(l, fds, 8);
		assert_true(n >= 1);
		poll(fds, (nfds_t)n, 50);
		link_handle(l);
		int r = link_read(l, buf + *got, want - *got);
		if (r > 0)
			*got += (size_t)r;
		else if (r != VG_ERR_AGAIN)
			return r;
	}
	return VG_OK;
}

/* Read until the link ends (returns the end code) or WAIT_MS passed. */
static int read_to_end(struct link *l, uint8_t *buf, size_t cap, size_t *got)
{
	int64_t deadline = link_posix_now_ms() + WAIT_MS;
	*got = 0;
	while (link_posix_now_ms() < deadline) {
		struct pollfd fds[8];
		int n = link_pollfds(l, fds, 8);
		if (n > 0)
			poll(fds, (nfds_t)n, 50);
		int r = link_read(l, buf + *got, cap - *got);
		if (r > 0)
			*got += (size_t)r;
		else if (r != VG_ERR_AGAIN)
			return r;
		assert_true(*got < cap);
	}
	return VG_ERR_TIMEOUT;
}

static void fill_pattern(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 131u + seed) ^ (i >> 7));
}

static int open_pty(char *slave, size_t cap)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(ptsname_r(m, slave, cap), 0);
	return m;
}

static void test_pty_raw_chunks_write_unplug(void **state)
{
	char slave[128], target[160];
	int m = open_pty(slave, sizeof(slave));
	snprintf(target, sizeof(target), "fd:%s", slave);
	int err = 0;
	struct link *l = link_open(target, 115200, &err);
	assert_non_null(l);
	assert_string_equal(link_target(l), target);

	/* raw 8N1 at the driver's baud */
	int s = open(slave, O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	struct termios tio;
	assert_int_equal(tcgetattr(s, &tio), 0);
	assert_int_equal(cfgetispeed(&tio), B115200);
	assert_int_equal(tio.c_lflag & (ICANON | ECHO | ISIG), 0);
	assert_int_equal(tio.c_iflag & (ICRNL | IXON), 0);
	assert_int_equal(tio.c_cflag & CSIZE, CS8);
	assert_int_equal(tio.c_cflag & (PARENB | CSTOPB), 0);
	close(s);

	uint8_t buf[8192];
	assert_int_equal(link_read(l, buf, sizeof(buf)), VG_ERR_AGAIN);

	/* bytes written on the master, in uneven pieces, arrive intact
	 * (raw mode keeps \r, \n, ^C, ^S, 0xff) */
	uint8_t out[6000];
	fill_pattern(out, sizeof(out), 7);
	memcpy(out, "\r\n\x03\x13\x11\xff\x00", 7);
	size_t off = 0, piece = 1;
	size_t got = 0;
	while (off < sizeof(out)) {
		size_t n = piece < sizeof(out) - off ? piece : sizeof(out) - off;
		assert_int_equal(write(m, out + off, n), (ssize_t)n);
		off += n;
		piece = piece * 3 + 1;
		size_t g;
		assert_int_equal(read_until(l, buf + got, off - got, &g), VG_OK);
		got += g;
	}
	assert_int_equal(got, sizeof(out));
	assert_memory_equal(buf, out, sizeof(out));
	assert_int_equal(link_read(l, buf, sizeof(buf)), VG_ERR_AGAIN);

	/* writes reach the master */
	assert_int_equal(link_write(l, (const uint8_t *)"v\r\nb", 4), VG_OK);
	uint8_t in[16];
	size_t n = 0;
	int64_t deadline = link_posix_now_ms() + WAIT_MS;
	while (n < 4 && link_posix_now_ms() < deadline) {
		link_posix_wait(m, POLLIN, 50);
		ssize_t r = read(m, in + n, sizeof(in) - n);
		if (r > 0)
			n += (size_t)r;
	}
	assert_int_equal(n, 4);
	assert_memory_equal(in, "v\r\nb", 4);

	/* closing the master is an unplug, and stays one */
	close(m);
	size_t g;
	assert_int_equal(read_to_end(l, buf, sizeof(buf), &g), VG_ERR_NODEV);
	assert_int_equal(g, 0);
	assert_int_equal(link_read(l, buf, sizeof(buf)), VG_ERR_NODEV);
	assert_int_equal(link_write(l, in, 1), VG_ERR_NODEV);
	link_close(&l);
	assert_null(l);
	link_close(&l); /* harmless */
}

static void test_pty_options(void **state)
{
	char slave[128], target[200];
	int m = open_pty(slave, sizeof(slave));
	int err = 0;
	/* baud= overrides the driver's speed; flow control */
	snprintf(target, sizeof(target), "fd:%s?baud=9600&flow=rtscts", slave);
	struct link *l = link_open(target, 115200, &err);
	assert_non_null(l);
	int s = open(slave, O_RDWR | O_NOCTTY);
	struct termios tio;
	assert_int_equal(tcgetattr(s, &tio), 0);
	assert_int_equal(cfgetospeed(&tio), B9600);
	assert_true(tio.c_cflag & CRTSCTS);
	close(s);
	link_close(&l);

	const char *bad[] = { "?baud=12345", "?baud=fast", "?flow=maybe",
			      "?rate=9600", "?parity=even" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(target, sizeof(target), "fd:%s%s", slave, bad[i]);
		err = 0;
		assert_null(link_open(target, 115200, &err));
		assert_int_equal(err, VG_ERR_INVAL);
	}
	close(m);
}

static void test_pipe_eof(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	char target[64];
	snprintf(target, sizeof(target), "/dev/fd/%d", p[0]); /* bare path */
	int err = 0;
	struct link *l = link_open(target, 0, &err);
	assert_non_null(l);
	assert_int_equal(link_read(l, (uint8_t[4]){ 0 }, 4), VG_ERR_AGAIN);
	/* a replay source accepts and discards commands */
	assert_int_equal(link_write(l, (const uint8_t *)"b", 1), VG_OK);
	uint8_t out[3000], buf[4000];
	fill_pattern(out, sizeof(out), 3);
	assert_int_equal(write(p[1], out, sizeof(out)), (ssize_t)sizeof(out));
	close(p[1]);
	size_t got;
	assert_int_equal(read_to_end(l, buf, sizeof(buf), &got), VG_ERR_EOF);
	assert_int_equal(got, sizeof(out));
	assert_memory_equal(buf, out, sizeof(out));
	assert_int_equal(link_read(l, buf, sizeof(buf)), VG_ERR_EOF);
	link_close(&l);
	close(p[0]);
}

static void test_fifo_waits_for_writer(void **state)
{
	char dir[] = "/tmp/vg_link_XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	int err = 0;
	struct link *l = link_open(path, 0, &err);
	assert_non_null(l);
	uint8_t buf[64];
	/* no writer yet: not the end */
	assert_int_equal(link_read(l, buf, sizeof(buf)), VG_ERR_AGAIN);
	int w = open(path, O_WRONLY | O_NONBLOCK);
	assert_true(w >= 0);
	assert_int_equal(write(w, "abc", 3), 3);
	close(w);
	size_t got;
	assert_int_equal(read_to_end(l, buf, sizeof(buf), &got), VG_ERR_EOF);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "abc", 3);
	link_close(&l);
	unlink(path);
	rmdir(dir);
}

static char *make_file(const uint8_t *b, size_t n)
{
	static char path[64];
	strcpy(path, "/tmp/vg_link_replay_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	close(fd);
	return path;
}

static void test_file_replay_fast(void **state)
{
	static uint8_t out[100000], buf[100001];
	fill_pattern(out, sizeof(out), 11);
	char *path = make_file(out, sizeof(out));
	char target[128];
	snprintf(target, sizeof(target), "fd:%s", path);
	int err = 0;
	struct link *l = link_open(target, 115200, &err);
	assert_non_null(l);
	assert_int_equal(link_write(l, (const uint8_t *)"v", 1), VG_OK);
	size_t got;
	assert_int_equal(read_to_end(l, buf, sizeof(buf), &got), VG_ERR_EOF);
	assert_int_equal(got, sizeof(out));
	assert_memory_equal(buf, out, sizeof(out));
	link_close(&l);

	/* missing file, directory, bad rate */
	err = 0;
	assert_null(link_open("fd:/nonexistent/vagus/file", 0, &err));
	assert_int_equal(err, VG_ERR_NOTFOUND);
	err = 0;
	assert_null(link_open("fd:/tmp", 0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	snprintf(target, sizeof(target), "fd:%s?rate=driver", path);
	err = 0;
	assert_null(link_open(target, 0, &err)); /* no driver baud */
	assert_int_equal(err, VG_ERR_INVAL);
	snprintf(target, sizeof(target), "fd:%s?rate=0", path);
	err = 0;
	assert_null(link_open(target, 0, &err));
	assert_int_equal(err, VG_ERR_INVAL);
	unlink(path);
}

static void test_file_replay_paced(void **state)
{
	/* 80000 bit/s = 8000 bytes/s: 1200 bytes take about 150 ms */
	const double bytes_per_ms = 8.0;
	uint8_t out[1200], buf[1300];
	fill_pattern(out, sizeof(out), 5);
	char *path = make_file(out, sizeof(out));
	char target[128];
	snprintf(target, sizeof(target), "fd:%s?rate=80000", path);
	int err = 0;
	int64_t t0 = link_posix_now_ms();
	struct link *l = link_open(target, 0, &err);
	assert_non_null(l);
	size_t got = 0;
	int r, polls = 0;
	for (;;) {
		struct pollfd fds[4];
		int n = link_pollfds(l, fds, 4);
		assert_int_equal(n, 1);
		poll(fds, 1, 100);
		r = link_read(l, buf + got, sizeof(buf) - got);
		int64_t elapsed = link_posix_now_ms() - t0;
		if (r > 0)
			got += (size_t)r;
		else if (r != VG_ERR_AGAIN)
			break;
		/* never ahead of the line speed */
		assert_true((double)got <= bytes_per_ms * (double)elapsed + 1.0);
		assert_true(elapsed < WAIT_MS);
		polls++;
	}
	assert_int_equal(r, VG_ERR_EOF);
	assert_int_equal(got, sizeof(out));
	assert_memory_equal(buf, out, sizeof(out));
	assert_true(polls > 5); /* it came in many pieces */
	link_close(&l);

	/* rate=driver uses the driver's baud */
	snprintf(target, sizeof(target), "fd:%s?rate=driver", path);
	l = link_open(target, 9600, &err);
	assert_non_null(l);
	link_close(&l);
	unlink(path);
}

/* A listening socket on 127.0.0.1 with an ephemeral port. */
static int listen_loopback(int *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t len = sizeof(a);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(listen(s, 1), 0);
	*port = ntohs(a.sin_port);
	return s;
}

static void test_tcp_loopback(void **state)
{
	int port;
	int ls = listen_loopback(&port);
	char target[64];
	snprintf(target, sizeof(target), "tcp:127.0.0.1:%d", port);
	int err = 0;
	struct link *l = link_open(target, 115200, &err);
	assert_non_null(l);
	int c = accept(ls, NULL, NULL);
	assert_true(c >= 0);

	uint8_t out[20000], buf[20000];
	fill_pattern(out, sizeof(out), 9);
	assert_int_equal(send(c, out, sizeof(out), 0), (ssize_t)sizeof(out));
	size_t got;
	assert_int_equal(read_until(l, buf, sizeof(out), &got), VG_OK);
	assert_int_equal(got, sizeof(out));
	assert_memory_equal(buf, out, sizeof(out));
	assert_int_equal(link_read(l, buf, sizeof(buf)), VG_ERR_AGAIN);

	assert_int_equal(link_write(l, (const uint8_t *)"start", 5), VG_OK);
	char in[8] = { 0 };
	size_t n = 0;
	while (n < 5 && link_posix_wait(c, POLLIN, WAIT_MS) > 0) {
		ssize_t r = recv(c, in + n, sizeof(in) - n, 0);
		assert_true(r > 0);
		n += (size_t)r;
	}
	assert_memory_equal(in, "start", 5);

	/* peer close = end of stream */
	close(c);
	assert_int_equal(read_to_end(l, buf, sizeof(buf), &got), VG_ERR_EOF);
	assert_int_equal(got, 0);
	link_close(&l);
	close(ls);
}

static void test_tcp_refused(void **state)
{
	int port = vgt_free_port(); /* bound and released: nobody listens */
	assert_true(port > 0);
	char target[64];
	snprintf(target, sizeof(target), "tcp:127.0.0.1:%d", port);
	int err = 0;
	struct link *l = link_open(target, 0, &err);
	if (!l) {
		assert_int_equal(err, VG_ERR_NODEV);
		return;
	}
	/* connect still in progress at open: the error comes on read */
	uint8_t buf[16];
	size_t got;
	assert_int_equal(read_to_end(l, buf, sizeof(buf), &got), VG_ERR_NODEV);
	link_close(&l);
}

static void test_tcp_bad_targets(void **state)
{
	const char *bad[] = { "tcp:127.0.0.1", "tcp:127.0.0.1:0",
			      "tcp:127.0.0.1:65536", "tcp::80", "tcp:a b:80",
			      "tcp:[::1:80", "tcp:127.0.0.1:80?x=1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = 0;
		assert_null(link_open(bad[i], 0, &err));
		assert_int_equal(err, VG_ERR_INVAL);
	}
	int err = 0;
	assert_null(link_open("tcp:no-such-host.invalid:4000", 0, &err));
	assert_true(err == VG_ERR_NOTFOUND || err == VG_ERR_NODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pty_raw_chunks_write_unplug),
		cmocka_unit_test(test_pty_options),
		cmocka_unit_test(test_pipe_eof),
		cmocka_unit_test(test_fifo_waits_for_writer),
		cmocka_unit_test(test_file_replay_fast),
		cmocka_unit_test(test_file_replay_paced),
		cmocka_unit_test(test_tcp_loopback),
		cmocka_unit_test(test_tcp_refused),
		cmocka_unit_test(test_tcp_bad_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
