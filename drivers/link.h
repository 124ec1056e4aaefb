/*
 * link.h - byte transports under the drivers: serial (libserialport), USB
 * (libusb), plain file descriptors (pty, pipe, FIFO, file replay) and TCP
 * bridges (ser2net-style).
 *
 * Problem: the same device protocol arrives over different transports, each
 * with its own API and error codes, and all must join one poll() loop.
 * Approach: a struct link_ops per transport behind one struct link; the
 * target string picks the transport ("serial:/dev/ttyUSB0", "usb:0fcf:1008",
 * "fd:/dev/pts/3", "/dev/pts/3" (= fd), "tcp:host:port"). Errors from errno,
 * libserialport and libusb are translated to VG_ERR_* here and nowhere else.
 * Limits: reads are non-blocking; a link is used from one thread.
 */
#ifndef LINK_H
#define LINK_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct link;

/* A transport. All fields mandatory unless marked optional. */
struct link_ops {
	const char *scheme; /* "serial", "usb", "fd", "tcp" */
	size_t priv_size;   /* private state the core allocates, zeroed */
	/* Open target (the part after "scheme:"); baud is the driver's serial
	 * speed (0 = leave as is). Must not block for long (< 100 ms).
	 * Returns 0 or VG_ERR_NODEV/NOTFOUND/ACCESS/BUSY/IO. */
	int (*open)(struct link *l, const char *target, int baud);
	/* Release everything; safe on a partially opened link. */
	void (*close)(struct link *l);
	/* Non-blocking read: returns bytes read (> 0), VG_ERR_AGAIN when
	 * nothing is there, VG_ERR_EOF at end of a file/pipe or peer close,
	 * VG_ERR_NODEV when the device went away. */
	int (*read)(struct link *l, uint8_t *buf, size_t cap);
	/* Write all n bytes (may block up to 100 ms); 0 or VG_ERR_*. */
	int (*write)(struct link *l, const uint8_t *buf, size_t n);
	/* Fill up to max pollfds to watch; returns how many. */
	int (*pollfds)(struct link *l, struct pollfd *fds, int max);
	/* Optional: called after poll() reported one of this link's fds
	 * (USB event handling); NULL = nothing to do. */
	int (*handle)(struct link *l);
};

/* Open a link from a target string (see above). Returns NULL, *err set. */
struct link *link_open(const char *target, int baud, int *err);
/* Close and free; NULLs *l. */
void link_close(struct link **l);
int link_read(struct link *l, uint8_t *buf, size_t cap);
int link_write(struct link *l, const uint8_t *buf, size_t n);
int link_pollfds(struct link *l, struct pollfd *fds, int max);
int link_handle(struct link *l);
const char *link_target(const struct link *l);
void *link_priv(struct link *l);

/* Enumeration of serial ports with USB ids (for --source auto and
 * `vagusctl sources`). */
struct link_port_info {
	char path[128];
	char description[128];
	char serial[64];
	uint16_t vid, pid; /* 0 when not USB */
};
/* Fill up to max entries; returns the count or a negative VG_ERR_*. */
int link_serial_enumerate(struct link_port_info *out, int max);

#endif
