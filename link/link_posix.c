/*
 * link_posix.c - POSIX fd helpers shared by the fd and tcp links (see
 * link_posix.h).
 *
 * Problem: writing to a non-blocking pty or socket can stop half-way; a
 * device that vanished reports itself as EIO/ENXIO on Linux.
 * Approach: write/send in a loop, poll() for POLLOUT with the remaining
 * time on EAGAIN; translate errno once here.
 * Limits: the deadline is checked between system calls only.
 */
#include "link_posix.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t link_posix_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int link_posix_wait(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	for (;;) {
		int r = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
		if (r > 0)
			return p.revents ? p.revents : 0;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return VG_ERR_IO;
	}
}

int link_posix_read_err(int errnum)
{
	switch (errnum) {
	case EAGAIN:
	case EINTR:
		return VG_ERR_AGAIN;
	case EIO:
	case ENXIO:
	case ENODEV:
		return VG_ERR_NODEV;
	case ECONNRESET:
	case EPIPE:
		return VG_ERR_EOF;
	default:
		return vg_err_from_errno(errnum);
	}
}

int link_posix_write_all(int fd, const uint8_t *buf, size_t n,
			 int timeout_ms, int is_socket)
{
	int64_t deadline = link_posix_now_ms() + timeout_ms;
	size_t done = 0;
	while (done < n) {
		ssize_t w = is_socket
			? send(fd, buf + done, n - done, MSG_NOSIGNAL)
			: write(fd, buf + done, n - done);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN) {
			int e = link_posix_read_err(errno);
			if (e != VG_ERR_NODEV && e != VG_ERR_EOF)
				vg_warn("write");
			return e;
		}
		int64_t left = deadline - link_posix_now_ms();
		if (left <= 0)
			return VG_ERR_TIMEOUT;
		int r = link_posix_wait(fd, POLLOUT, (int)left);
		if (r < 0)
			return r;
		if (r & (POLLERR | POLLNVAL))
			return VG_ERR_NODEV;
		if ((r & POLLHUP) && !(r & POLLOUT))
			return is_socket ? VG_ERR_EOF : VG_ERR_NODEV;
	}
	return VG_OK;
}
