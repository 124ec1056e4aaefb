/*
 * link_fd.c - the fd link: a path to a tty/pty, another character device,
 * a FIFO/pipe or a regular file (capture replay).
 *
 * Problem: emulated devices (vagus-sim on a pty), captures and test rigs
 * must reach the drivers exactly like a serial device, and Debian 12's
 * libserialport cannot open pseudo-terminals. Each kind of file ends
 * differently: a pty whose master closed gives EIO (unplug), a pipe or
 * file gives EOF, a FIFO without a writer yet reads 0 bytes but is not
 * finished.
 * Approach: stat() the path to choose the open mode: ttys read-write, raw
 * (cfmakeraw), 8N1 at the driver's baud, optional flow control; FIFOs and
 * files read-only (writes are discarded so drivers can send their start-up
 * commands during a replay). Regular files replay as fast as the host
 * reads, or paced ("?rate=N" bit/s, 10 bits per byte, or "?rate=driver")
 * through a timerfd that ticks every 10 ms and becomes the polled fd.
 * References: termios(3) cfmakeraw; pipe(7) for FIFO end-of-file; pty(7).
 * Limits: Linux (timerfd, EIO on pty hang-up); standard termios speeds
 * only; a paced replay of a FIFO or tty is not possible (they pace
 * themselves).
 */
#include "link.h"
#include "link_impl.h"
#include "link_posix.h"
#include "link_target.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <unistd.h>

#define FD_WRITE_TIMEOUT_MS 100
#define FD_PACE_TICK_MS 10
#define FD_BITS_PER_BYTE 10 /* 8N1: start + 8 data + stop */
#define FD_RATE_MAX 100000000UL /* bit/s */

enum fd_kind {
	FD_TTY = 0,  /* terminal: raw mode, speed, hang-up = unplug */
	FD_CHAR = 1, /* other character device, read-write */
	FD_FIFO = 2, /* FIFO or pipe, read-only */
	FD_FILE = 3  /* regular file, read-only replay */
};

struct fd_priv {
	int fd;            /* -1 when closed */
	int timer_fd;      /* paced replay tick, -1 when unused */
	enum fd_kind kind;
	double rate_bps;   /* paced replay in bytes/s; 0 = as fast as read */
	int64_t t0_ms;     /* start of a paced replay (monotonic) */
	uint64_t sent;     /* bytes handed out in a paced replay */
	int dead;          /* EOF or NODEV was reported */
	int dead_err;
};

static const char *const fd_options[] = { "baud", "flow", "rate", NULL };

static const struct {
	int baud;
	speed_t speed;
} fd_speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 500000, B500000 }, { 921600, B921600 }, { 1000000, B1000000 },
	{ 2000000, B2000000 }, { 3000000, B3000000 },
};

/* termios speed for a baud rate; VG_ERR_RANGE when not a standard one. */
static int fd_speed(int baud, speed_t *out)
{
	for (size_t i = 0; i < sizeof(fd_speeds) / sizeof(fd_speeds[0]); i++)
		if (fd_speeds[i].baud == baud) {
			*out = fd_speeds[i].speed;
			return VG_OK;
		}
	return VG_ERR_RANGE;
}

/* Raw 8N1 at baud (0 = keep), flow "none"/"rtscts"/"xonxoff". */
static int fd_setup_tty(int fd, const char *path, int baud, const char *flow)
{
	struct termios tio;
	if (tcgetattr(fd, &tio) < 0) {
		vg_warn("%s: tcgetattr", path);
		return vg_err_from_errno(errno);
	}
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (!flow || strcmp(flow, "none") == 0) {
		/* nothing */
	} else if (strcmp(flow, "rtscts") == 0) {
		tio.c_cflag |= CRTSCTS;
	} else if (strcmp(flow, "xonxoff") == 0) {
		tio.c_iflag |= IXON | IXOFF;
	} else {
		vg_warnx("%s: flow=%s: use none, rtscts or xonxoff", path, flow);
		return VG_ERR_INVAL;
	}
	if (baud > 0) {
		speed_t sp;
		if (fd_speed(baud, &sp) < 0) {
			vg_warnx("%s: %d baud is not a standard speed", path, baud);
			return VG_ERR_INVAL;
		}
		cfsetispeed(&tio, sp);
		cfsetospeed(&tio, sp);
	}
	if (tcsetattr(fd, TCSANOW, &tio) < 0) {
		vg_warn("%s: tcsetattr", path);
		return vg_err_from_errno(errno);
	}
	return VG_OK;
}

/* The rate option: bit/s, or "driver" for the driver's baud. */
static int fd_parse_rate(const char *path, const char *rate, int baud,
			 double *bytes_per_s)
{
	unsigned long v;
	if (strcmp(rate, "driver") == 0) {
		if (baud <= 0) {
			vg_warnx("%s: rate=driver but the driver has no baud",
				 path);
			return VG_ERR_INVAL;
		}
		v = (unsigned long)baud;
	} else if (link_parse_ulong(rate, 1, FD_RATE_MAX, &v) < 0) {
		vg_warnx("%s: rate=%s: expected bit/s (1-%lu) or 'driver'",
			 path, rate, FD_RATE_MAX);
		return VG_ERR_INVAL;
	}
	*bytes_per_s = (double)v / FD_BITS_PER_BYTE;
	return VG_OK;
}

static int fd_start_pacing(struct fd_priv *p, const char *path)
{
	p->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (p->timer_fd < 0) {
		vg_warn("%s: timerfd_create", path);
		return vg_err_from_errno(errno);
	}
	struct itimerspec it = {
		.it_interval = { .tv_nsec = FD_PACE_TICK_MS * 1000000L },
		.it_value = { .tv_nsec = FD_PACE_TICK_MS * 1000000L },
	};
	if (timerfd_settime(p->timer_fd, 0, &it, NULL) < 0) {
		vg_warn("%s: timerfd_settime", path);
		return vg_err_from_errno(errno);
	}
	p->t0_ms = link_posix_now_ms();
	return VG_OK;
}

static int fd_open(struct link *l, const char *path, int baud)
{
	struct fd_priv *p = link_priv(l);
	p->fd = -1;
	p->timer_fd = -1;

	const char *sbaud = link_opt(l, "baud");
	const char *flow = link_opt(l, "flow");
	const char *rate = link_opt(l, "rate");
	if (sbaud) {
		unsigned long b;
		if (link_parse_ulong(sbaud, 1, FD_RATE_MAX, &b) < 0) {
			vg_warnx("%s: baud=%s: expected 1-%lu", path, sbaud,
				 FD_RATE_MAX);
			return VG_ERR_INVAL;
		}
		baud = (int)b;
	}

	struct stat st;
	if (stat(path, &st) < 0) {
		int e = vg_err_from_errno(errno);
		/* an absent device is the normal state while it is unplugged
		 * and the daemon retries: the source reports it, once */
		if (errno == ENOENT)
			vg_debug("%s: not there", path);
		else
			vg_warn("%s", path);
		return e;
	}
	int flags = O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	if (S_ISREG(st.st_mode)) {
		p->kind = FD_FILE;
		flags |= O_RDONLY;
	} else if (S_ISFIFO(st.st_mode)) {
		p->kind = FD_FIFO;
		flags |= O_RDONLY;
	} else if (S_ISCHR(st.st_mode)) {
		p->kind = FD_CHAR;
		flags |= O_RDWR;
	} else {
		vg_warnx("%s: not a tty, character device, FIFO or file", path);
		return VG_ERR_INVAL;
	}
	if (rate && p->kind != FD_FILE) {
		vg_warnx("%s: rate= applies to regular files only", path);
		return VG_ERR_INVAL;
	}
	p->fd = open(path, flags);
	if (p->fd < 0) {
		int e = errno == EIO ? VG_ERR_NODEV : vg_err_from_errno(errno);
		vg_warn("%s: open", path);
		return e;
	}
	if (p->kind == FD_CHAR && isatty(p->fd))
		p->kind = FD_TTY;
	if (p->kind == FD_TTY) {
		int e = fd_setup_tty(p->fd, path, baud, flow);
		if (e < 0)
			return e;
	} else if (flow) {
		vg_warnx("%s: flow= applies to ttys only", path);
		return VG_ERR_INVAL;
	}
	if (rate) {
		int e = fd_parse_rate(path, rate, baud, &p->rate_bps);
		if (e < 0)
			return e;
		e = fd_start_pacing(p, path);
		if (e < 0)
			return e;
	}
	return VG_OK;
}

static void fd_close(struct link *l)
{
	struct fd_priv *p = link_priv(l);
	if (p->fd >= 0)
		close(p->fd);
	if (p->timer_fd >= 0)
		close(p->timer_fd);
	p->fd = -1;
	p->timer_fd = -1;
}

/* Remember and log the end of the stream once. */
static int fd_dead(struct link *l, struct fd_priv *p, int err)
{
	if (!p->dead) {
		if (err == VG_ERR_NODEV)
			vg_warnx("%s: device went away", link_target(l));
		else
			vg_info("%s: %s", link_target(l), vg_strerror(err));
	}
	p->dead = 1;
	p->dead_err = err;
	return err;
}

/* How many bytes a paced replay may hand out now. */
static size_t fd_paced_budget(struct fd_priv *p, size_t cap)
{
	uint64_t expirations;
	while (read(p->timer_fd, &expirations, sizeof(expirations)) > 0)
		;
	double due = p->rate_bps * (double)(link_posix_now_ms() - p->t0_ms) / 1000.0;
	if (due <= (double)p->sent)
		return 0;
	double n = due - (double)p->sent;
	return n < (double)cap ? (size_t)n : cap;
}

static int fd_read(struct link *l, uint8_t *buf, size_t cap)
{
	struct fd_priv *p = link_priv(l);
	if (p->dead)
		return p->dead_err;
	if (p->timer_fd >= 0) {
		cap = fd_paced_budget(p, cap);
		if (cap == 0)
			return VG_ERR_AGAIN;
	}
	ssize_t n = read(p->fd, buf, cap);
	if (n > 0) {
		p->sent += (uint64_t)n;
		return (int)n;
	}
	if (n == 0) {
		switch (p->kind) {
		case FD_TTY:
		case FD_CHAR:
			return fd_dead(l, p, VG_ERR_NODEV); /* hung up */
		case FD_FIFO:
			/* 0 bytes before any writer came is not the end:
			 * Linux reports POLLHUP only once a writer left. */
			if (link_posix_wait(p->fd, POLLIN, 0) & POLLHUP)
				return fd_dead(l, p, VG_ERR_EOF);
			return VG_ERR_AGAIN;
		case FD_FILE:
		default:
			return fd_dead(l, p, VG_ERR_EOF);
		}
	}
	int e = link_posix_read_err(errno);
	if (e == VG_ERR_AGAIN)
		return e;
	if (e == VG_ERR_NODEV || e == VG_ERR_EOF)
		return fd_dead(l, p, e);
	vg_warn("%s: read", link_target(l));
	return e;
}

static int fd_write(struct link *l, const uint8_t *buf, size_t n)
{
	struct fd_priv *p = link_priv(l);
	if (p->kind == FD_FILE || p->kind == FD_FIFO)
		return VG_OK; /* replay source: nobody to talk to */
	if (p->dead)
		return p->dead_err;
	int e = link_posix_write_all(p->fd, buf, n, FD_WRITE_TIMEOUT_MS, 0);
	if (e == VG_ERR_NODEV)
		return fd_dead(l, p, e);
	return e;
}

static int fd_pollfds(struct link *l, struct pollfd *fds, int max)
{
	struct fd_priv *p = link_priv(l);
	if (max < 1 || p->fd < 0)
		return 0;
	fds[0].fd = p->timer_fd >= 0 ? p->timer_fd : p->fd;
	fds[0].events = POLLIN;
	return 1;
}

const struct link_ops link_fd_ops = {
	.scheme = "fd",
	.priv_size = sizeof(struct fd_priv),
	.open = fd_open,
	.close = fd_close,
	.read = fd_read,
	.write = fd_write,
	.pollfds = fd_pollfds,
	.handle = NULL,
	.options = fd_options,
};
