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
 *
 * Target grammar (parsed by link/link_target.c, at most 255 bytes, no
 * control characters):
 *   target  = scheme ":" address [ "?" options ]  |  path [ "?" options ]
 *   path    = starts with "/" or "." (a bare path means the fd transport)
 *   options = key "=" value *( "&" key "=" value )   (each key once)
 * Per transport:
 *   serial:PORT      libserialport port name, e.g. serial:/dev/ttyUSB0.
 *                    Options: baud=N (overrides the driver's speed),
 *                    flow=none|rtscts|xonxoff|dtrdsr (default none). 8N1.
 *   usb:VVVV:PPPP[:SERIAL]  hex vendor/product id (1-4 digits), optional
 *                    iSerialNumber. Options: iface=N (default: the first
 *                    interface with a bulk IN and a bulk OUT endpoint).
 *   fd:PATH          a tty/pty (raw mode, 8N1 at the driver's baud), other
 *                    character device, FIFO/pipe or regular file (replay).
 *                    Options: baud=N, flow=none|rtscts|xonxoff (ttys);
 *                    rate=N|driver (regular files: paced replay as on a
 *                    serial line of N bit/s, 10 bits per byte (8N1);
 *                    "driver" = the driver's baud; absent = as fast as
 *                    the host reads). A '?' always starts the options, so
 *                    a path containing '?' cannot be named.
 *   tcp:HOST:PORT    ser2net-style bridge; HOST is a name, an IPv4
 *                    address or a bracketed IPv6 address ("[::1]").
 * Limits: reads are non-blocking; a link is used from one thread. Linux
 * only (termios, timerfd for paced replay, libusb/libserialport backends).
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
	/* Optional: NULL-terminated list of the option keys this transport
	 * accepts after '?'; link_open() refuses any other key with
	 * VG_ERR_INVAL. NULL = no options accepted. */
	const char *const *options;
};

/* Open a link from a target string (see above); baud is the driver's serial
 * speed (0 = leave the line as it is). Does not block for more than about
 * 100 ms (a TCP connect still in progress completes later, see link_read).
 * Returns the link, or NULL with *err (if err is not NULL) set to
 * VG_ERR_INVAL (malformed target, unknown scheme or option), NOMEM, or the
 * transport's open error (NOTFOUND, NODEV, ACCESS, BUSY, NOTSUP, IO). The
 * failure is logged once. */
struct link *link_open(const char *target, int baud, int *err);
/* Close (releasing fds, interfaces, kernel drivers) and free; NULLs *l.
 * Safe with NULL or *l == NULL. May block up to about 100 ms (USB
 * transfer cancellation). */
void link_close(struct link **l);
/* Non-blocking read of up to cap bytes (cap is clamped to INT_MAX). Returns
 * the byte count (> 0), VG_ERR_AGAIN (nothing now), VG_ERR_EOF (end of a
 * file or pipe, peer closed a TCP connection), VG_ERR_NODEV (device gone:
 * unplug, pty master closed, TCP connection refused/unreachable), or
 * VG_ERR_INVAL/IO. After EOF or NODEV the link stays dead: close it. */
int link_read(struct link *l, uint8_t *buf, size_t cap);
/* Write all n bytes; may block up to about 100 ms. Returns 0, VG_ERR_TIMEOUT
 * (device did not accept the bytes in time), NODEV, EOF or IO. On a
 * read-only replay source (regular file, FIFO) the bytes are discarded and
 * 0 is returned, so drivers can send their start-up commands. */
int link_write(struct link *l, const uint8_t *buf, size_t n);
/* Fill up to max pollfd entries (fd, events; revents zeroed) the host must
 * watch; returns how many (0..max). The set may change after every call
 * into the link (TCP connect, USB), so ask again before each poll(). */
int link_pollfds(struct link *l, struct pollfd *fds, int max);
/* Call after poll() reported one of the link's fds (any revents). Never
 * blocks. Returns 0 or a negative VG_ERR_*; bytes received are then
 * available to link_read(). */
int link_handle(struct link *l);
/* The target string as given to link_open(). */
const char *link_target(const struct link *l);
/* The transport's private block (priv_size bytes). */
void *link_priv(struct link *l);
/* For transports: the value of option key from the target string, or NULL
 * when absent. Valid while the link is open. */
const char *link_opt(const struct link *l, const char *key);

/* Error translation (exported for the tests; used only by the links).
 * link_err_from_sp: an enum sp_return (libserialport) to 0/VG_ERR_*; a
 * positive value (byte count) is returned unchanged. SP_ERR_FAIL maps to
 * VG_ERR_IO (the serial link refines it from sp_last_error_code()).
 * link_err_from_usb: an enum libusb_error to 0/VG_ERR_*; positive values
 * are returned unchanged; unknown codes give VG_ERR_IO. */
int link_err_from_sp(int sp_ret);
int link_err_from_usb(int usb_err);

/* Enumeration of serial ports with USB ids (for --source auto and
 * `vagusctl sources`). */
struct link_port_info {
	char path[128];
	char description[128];
	char serial[64];
	uint16_t vid, pid; /* 0 when not USB */
};
/* Fill up to max entries; returns the count or a negative VG_ERR_*.
 * May block briefly (reads sysfs). Ports beyond max are left out. */
int link_serial_enumerate(struct link_port_info *out, int max);

/* Enumeration of attached USB devices (for --source auto and `sources`). */
struct link_usb_info {
	uint16_t vid, pid;
	uint8_t bus, address;   /* bus number and device address */
	char port_path[32];     /* "BUS-P1.P2..." as in sysfs, e.g. "1-1.4" */
	char serial[64];        /* iSerialNumber; "" when none or unreadable */
	char product[128];      /* iProduct; "" when none or unreadable */
};
/* Fill up to max entries (max >= 0; out may be NULL when max is 0) with
 * the attached devices; strings need read access to the device node and
 * stay empty without it. Returns the number of devices filled (devices
 * beyond max are left out), or VG_ERR_NODEV when the platform has no
 * usable USB subsystem, VG_ERR_NOMEM, VG_ERR_IO. May block briefly (string
 * descriptor requests, 100 ms timeout each). */
int link_usb_enumerate(struct link_usb_info *out, int max);

/* USB hot-plug notifications, for --source auto and prompt reconnects.
 * The monitor owns a libusb context whose fds join the host's poll loop
 * like a link's. Arrivals of already attached devices are reported too
 * (at the first link_usb_monitor_handle()); an arrival may be reported
 * twice and a departure without an arrival (libusb's hot-plug contract). */
struct link_usb_monitor;
/* arrived = 1 for an arrival (strings filled when readable), 0 for a
 * departure (ids, bus and port path only). Called from
 * link_usb_monitor_handle(); may not destroy the monitor. */
typedef void (*link_usb_hotplug_fn)(void *ctx, const struct link_usb_info *dev,
				    int arrived);
/* Returns the monitor, or NULL with *err = VG_ERR_NOTSUP (the platform
 * has no hot-plug: poll link_usb_enumerate() instead), VG_ERR_NODEV (no
 * USB subsystem), VG_ERR_INVAL (fn NULL), VG_ERR_NOMEM or VG_ERR_IO. */
struct link_usb_monitor *link_usb_monitor_new(link_usb_hotplug_fn fn,
					      void *ctx, int *err);
/* Deregisters, frees, NULLs *m; safe with NULL. */
void link_usb_monitor_destroy(struct link_usb_monitor **m);
/* Fill up to max pollfds to watch; returns how many (0..max). */
int link_usb_monitor_pollfds(struct link_usb_monitor *m, struct pollfd *fds,
			     int max);
/* Handle pending events (zero timeout) and deliver queued notifications.
 * May block briefly per arrival (string descriptors, 100 ms timeouts).
 * Returns 0 or a negative VG_ERR_*. */
int link_usb_monitor_handle(struct link_usb_monitor *m);

#endif
