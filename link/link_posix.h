/*
 * link_posix.h - POSIX fd helpers shared by the fd and tcp links.
 *
 * Problem: both links must write a whole buffer to a non-blocking fd within
 * a deadline and map errno consistently.
 * Approach: one write loop that waits with poll() for POLLOUT on EAGAIN.
 * Limits: Linux/POSIX only; MSG_NOSIGNAL is used for sockets so a closed
 * peer gives EPIPE instead of SIGPIPE.
 */
#ifndef LINK_POSIX_H
#define LINK_POSIX_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic clock in ms. */
int64_t link_posix_now_ms(void);

/* Wait up to timeout_ms (>= 0) for events on fd. Returns the revents
 * (> 0), 0 on timeout, or VG_ERR_IO. Blocks at most timeout_ms. */
int link_posix_wait(int fd, short events, int timeout_ms);

/* Write all n bytes to the non-blocking fd within timeout_ms; send() with
 * MSG_NOSIGNAL when is_socket. Returns 0, VG_ERR_TIMEOUT, VG_ERR_NODEV
 * (EIO, ENXIO, ENODEV: device gone), VG_ERR_EOF (EPIPE, ECONNRESET: peer
 * closed) or another vg_err_from_errno() code (logged). */
int link_posix_write_all(int fd, const uint8_t *buf, size_t n,
			 int timeout_ms, int is_socket);

/* Map errno of a failed read on a device/socket: EAGAIN/EINTR -> AGAIN,
 * EIO/ENXIO/ENODEV -> NODEV, ECONNRESET/EPIPE -> EOF, others through
 * vg_err_from_errno(). */
int link_posix_read_err(int errnum);

#endif
