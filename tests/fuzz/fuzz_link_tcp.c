/*
 * fuzz_link_tcp.c - libFuzzer target for the tcp link and its reconnect
 * path (link/link_tcp.c) against a peer that sends random bytes and hangs
 * up at random: reads never return more than asked, a hang-up is reported
 * once as VG_ERR_EOF (then the link stays dead), and close + open again
 * (what daemon/source.c does to reconnect) works every time.
 * Approach: once, a listening socket on 127.0.0.1 (kernel-chosen port).
 * Each input is a program of 1-byte operations: 0-2 the peer writes the
 * next N bytes (N from the following byte, up to 64), 3 the link reads,
 * 4 the link writes, 5 the peer hangs up (the link must then see EOF),
 * 6 close and reopen the link (a fresh accept), 7 the peer sends RST.
 * Limits: loopback only; timing is not fuzzed (reads wait for the bytes
 * with poll, up to 1 s, so a finding cannot be a slow machine; a read with
 * nothing sent does not wait).
 */
#include "link.h"
#include "vg_err.h"
#include "vg_log.h"

#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lsock = -1;
static char target[64];

static void init(void)
{
	if (lsock >= 0)
		return;
	vg_log_set_level(VG_LOG_ERR);
	lsock = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof(a);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lsock, 8) || getsockname(lsock, (struct sockaddr *)&a, &al))
		abort();
	snprintf(target, sizeof(target), "tcp:127.0.0.1:%d", ntohs(a.sin_port));
}

/* Open the link and accept its connection; the peer fd or -1. */
static int connect_pair(struct link **l)
{
	int err = 0;
	*l = link_open(target, 0, &err);
	if (!*l)
		abort(); /* a listening loopback port must open */
	struct pollfd p = { lsock, POLLIN, 0 };
	if (poll(&p, 1, 1000) != 1)
		abort();
	int peer = accept(lsock, NULL, NULL);
	if (peer < 0)
		abort();
	return peer;
}

/* Read from the link until want bytes came, EOF, or 1 s of nothing. */
static int read_link(struct link *l, size_t want, int *eof)
{
	uint8_t buf[80];
	size_t got = 0;
	for (int idle = 0, turns = 0; got < want && idle < 2 && turns < 200; turns++) {
		struct pollfd pf[4];
		int n = link_pollfds(l, pf, 4);
		if (n > 0 && poll(pf, (nfds_t)n, 500) == 0) {
			idle++;
			continue;
		}
		size_t cap = want - got < sizeof(buf) ? want - got : sizeof(buf);
		int r = link_read(l, buf, cap);
		if (r > (int)cap)
			abort(); /* more than asked */
		if (r == VG_ERR_EOF || r == VG_ERR_NODEV || r == VG_ERR_IO) {
			*eof = 1;
			return r;
		}
		if (r > 0)
			got += (size_t)r;
		else if (r != VG_ERR_AGAIN && r != 0)
			return r;
	}
	return (int)got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	struct link *l = NULL;
	int peer = connect_pair(&l);
	size_t pending = 0; /* bytes the peer sent that the link has not read */
	int dead = 0;
	for (size_t i = 0; i < size && i < 64; i++) {
		int op = data[i] % 8;
		if (op <= 2 && peer >= 0) {
			size_t n = i + 1 < size ? data[++i] % 65 : 1;
			uint8_t buf[64] = { 0 };
			for (size_t k = 0; k < n && k < 64 && i + 1 + k < size; k++)
				buf[k] = data[i + 1 + k];
			if (n > 64)
				n = 64;
			if (send(peer, buf, n, MSG_NOSIGNAL) == (ssize_t)n)
				pending += n;
		} else if (op == 3 && !dead && !pending) {
			uint8_t b[16]; /* nothing sent: one read, no waiting */
			int r = link_read(l, b, sizeof(b));
			if (r > (int)sizeof(b))
				abort();
			dead |= r == VG_ERR_EOF || r == VG_ERR_NODEV || r == VG_ERR_IO;
		} else if (op == 3 && !dead) {
			int eof = 0;
			int r = read_link(l, pending ? pending : 1, &eof);
			if (r > 0)
				pending -= (size_t)r > pending ? pending : (size_t)r;
			dead |= eof;
		} else if (op == 4 && !dead) {
			uint8_t cmd[8] = { 'G', '1', '\r' };
			int r = link_write(l, cmd, 3);
			if (r < 0 && r != VG_ERR_EOF && r != VG_ERR_NODEV && r != VG_ERR_IO &&
			    r != VG_ERR_TIMEOUT && r != VG_ERR_AGAIN)
				abort();
		} else if ((op == 5 || op == 7) && peer >= 0) {
			if (op == 7) {
				struct linger lg = { 1, 0 }; /* RST */
				setsockopt(peer, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			}
			close(peer);
			peer = -1;
			/* everything sent before the hang-up, then EOF once */
			int eof = 0;
			for (int k = 0; k < 20 && !eof; k++)
				read_link(l, pending + 1, &eof);
			if (!eof)
				abort();
			uint8_t b[4];
			int again = link_read(l, b, sizeof(b));
			if (again > 0)
				abort(); /* data after EOF */
			pending = 0;
			dead = 1;
		} else if (op == 6) {
			link_close(&l);
			if (peer >= 0)
				close(peer);
			peer = connect_pair(&l);
			pending = 0;
			dead = 0;
		}
	}
	link_close(&l);
	if (peer >= 0)
		close(peer);
	return 0;
}
