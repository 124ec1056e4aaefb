/*
 * link_serial.c - the serial link through libserialport: "serial:PORT",
 * 8N1 at the driver's baud, optional flow control, non-blocking reads in
 * the daemon's poll loop; and serial port enumeration with USB ids.
 *
 * Problem: USB-serial sensors (FTDI, CP210x, CDC-ACM) need a portable way
 * to open and configure the port and to learn which USB device sits behind
 * each tty (for --source auto).
 * Approach: sp_get_port_by_name + sp_open + per-setting sp_set_*; the OS
 * handle from sp_get_port_handle joins poll(); reads use
 * sp_nonblocking_read. A read that returns nothing although poll() woke us
 * (or with POLLHUP/POLLERR pending) means the tty was hung up, i.e. the
 * adapter was unplugged: VG_ERR_NODEV. libserialport's codes are translated
 * here (link_err_from_sp) and SP_ERR_FAIL is refined from the OS error.
 * References: libserialport API docs (sigrok.org/api/libserialport/0.1.1).
 * Limits: Debian 12's libserialport 0.1.1 refuses ports without a
 * /sys/class/tty entry, i.e. pseudo-terminals: open reports VG_ERR_NOTSUP
 * and names the fd: link, which handles ptys. Tested without hardware:
 * enumeration, missing device and error mapping only.
 */
#include "link.h"
#include "link_impl.h"
#include "link_posix.h"
#include "link_target.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <libserialport.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SERIAL_WRITE_TIMEOUT_MS 100
#define SERIAL_BAUD_MAX 100000000UL

struct serial_priv {
	struct sp_port *port; /* NULL when closed */
	int opened;           /* sp_open succeeded */
	int fd;               /* OS handle for poll(), -1 when none */
	int dead;             /* NODEV was reported */
};

static const char *const serial_options[] = { "baud", "flow", NULL };

int link_err_from_sp(int sp_ret)
{
	if (sp_ret >= 0)
		return sp_ret;
	switch (sp_ret) {
	case SP_ERR_ARG: return VG_ERR_INVAL;
	case SP_ERR_FAIL: return VG_ERR_IO;
	case SP_ERR_MEM: return VG_ERR_NOMEM;
	case SP_ERR_SUPP: return VG_ERR_NOTSUP;
	default: return VG_ERR_IO;
	}
}

/* Translate a failed call, refining SP_ERR_FAIL from the OS error code
 * (only valid right after SP_ERR_FAIL). */
static int serial_err(enum sp_return r)
{
	if (r == SP_ERR_FAIL) {
		int e = link_posix_read_err(sp_last_error_code());
		return e == VG_ERR_AGAIN ? VG_ERR_IO : e;
	}
	return link_err_from_sp(r);
}

static int serial_flow(const char *flow, enum sp_flowcontrol *out)
{
	static const struct {
		const char *name;
		enum sp_flowcontrol fc;
	} map[] = {
		{ "none", SP_FLOWCONTROL_NONE },
		{ "rtscts", SP_FLOWCONTROL_RTSCTS },
		{ "xonxoff", SP_FLOWCONTROL_XONXOFF },
		{ "dtrdsr", SP_FLOWCONTROL_DTRDSR },
	};
	if (!flow)
		flow = "none";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, flow) == 0) {
			*out = map[i].fc;
			return VG_OK;
		}
	return VG_ERR_INVAL;
}

/* 8N1, baud (0 = keep), flow control. */
static int serial_configure(struct serial_priv *p, const char *name, int baud,
			    enum sp_flowcontrol fc)
{
	enum sp_return r = SP_OK;
	const char *what = "baud rate";
	if (baud > 0)
		r = sp_set_baudrate(p->port, baud);
	if (r == SP_OK) {
		what = "8 data bits";
		r = sp_set_bits(p->port, 8);
	}
	if (r == SP_OK) {
		what = "no parity";
		r = sp_set_parity(p->port, SP_PARITY_NONE);
	}
	if (r == SP_OK) {
		what = "1 stop bit";
		r = sp_set_stopbits(p->port, 1);
	}
	if (r == SP_OK) {
		what = "flow control";
		r = sp_set_flowcontrol(p->port, fc);
	}
	if (r != SP_OK) {
		int e = serial_err(r);
		vg_warnx("%s: cannot set %s: %s", name, what, vg_strerror(e));
		return e;
	}
	return VG_OK;
}

static int serial_open(struct link *l, const char *name, int baud)
{
	struct serial_priv *p = link_priv(l);
	p->fd = -1;
	const char *sbaud = link_opt(l, "baud");
	enum sp_flowcontrol fc;
	if (serial_flow(link_opt(l, "flow"), &fc) < 0) {
		vg_warnx("%s: flow=%s: use none, rtscts, xonxoff or dtrdsr",
			 name, link_opt(l, "flow"));
		return VG_ERR_INVAL;
	}
	if (sbaud) {
		unsigned long b;
		if (link_parse_ulong(sbaud, 1, SERIAL_BAUD_MAX, &b) < 0) {
			vg_warnx("%s: baud=%s: expected 1-%lu", name, sbaud,
				 SERIAL_BAUD_MAX);
			return VG_ERR_INVAL;
		}
		baud = (int)b;
	}
	/* libserialport says little about a missing port: look first */
	char dev[LINK_TARGET_MAX + 8];
	snprintf(dev, sizeof(dev), "%s%s", name[0] == '/' ? "" : "/dev/", name);
	struct stat st;
	if (stat(dev, &st) < 0) {
		int e = vg_err_from_errno(errno);
		vg_warn("%s", dev);
		return e;
	}
	enum sp_return r = sp_get_port_by_name(name, &p->port);
	if (r != SP_OK) {
		p->port = NULL;
		if (r == SP_ERR_FAIL || r == SP_ERR_ARG) {
			vg_warnx("%s: libserialport does not know this port "
				 "(a pseudo-terminal?); use fd:%s", name, name);
			return VG_ERR_NOTSUP;
		}
		return serial_err(r);
	}
	r = sp_open(p->port, SP_MODE_READ_WRITE);
	if (r != SP_OK) {
		int e = serial_err(r);
		vg_warnx("%s: open: %s", name, sp_last_error_message());
		return e;
	}
	p->opened = 1;
	int e = serial_configure(p, name, baud, fc);
	if (e < 0)
		return e;
	r = sp_get_port_handle(p->port, &p->fd);
	if (r != SP_OK) {
		p->fd = -1;
		return serial_err(r);
	}
	return VG_OK;
}

static void serial_close(struct link *l)
{
	struct serial_priv *p = link_priv(l);
	if (p->port && p->opened)
		sp_close(p->port);
	if (p->port)
		sp_free_port(p->port);
	p->port = NULL;
	p->opened = 0;
	p->fd = -1;
}

static int serial_gone(struct link *l, struct serial_priv *p)
{
	if (!p->dead)
		vg_warnx("%s: device went away", link_target(l));
	p->dead = 1;
	return VG_ERR_NODEV;
}

static int serial_read(struct link *l, uint8_t *buf, size_t cap)
{
	struct serial_priv *p = link_priv(l);
	if (p->dead)
		return VG_ERR_NODEV;
	enum sp_return r = sp_nonblocking_read(p->port, buf, cap);
	if (r > 0)
		return (int)r;
	if (r == 0) {
		/* Nothing although readable, or a pending hang-up: the tty
		 * was hung up (adapter unplugged). */
		int ev = link_posix_wait(p->fd, POLLIN, 0);
		if (ev > 0)
			return serial_gone(l, p);
		return VG_ERR_AGAIN;
	}
	int e = serial_err(r);
	if (e == VG_ERR_NODEV)
		return serial_gone(l, p);
	vg_warnx("%s: read: %s", link_target(l), vg_strerror(e));
	return e;
}

static int serial_write(struct link *l, const uint8_t *buf, size_t n)
{
	struct serial_priv *p = link_priv(l);
	if (p->dead)
		return VG_ERR_NODEV;
	enum sp_return r = sp_blocking_write(p->port, buf, n,
					     SERIAL_WRITE_TIMEOUT_MS);
	if (r >= 0)
		return (size_t)r == n ? VG_OK : VG_ERR_TIMEOUT;
	int e = serial_err(r);
	if (e == VG_ERR_NODEV)
		return serial_gone(l, p);
	vg_warnx("%s: write: %s", link_target(l), vg_strerror(e));
	return e;
}

static int serial_pollfds(struct link *l, struct pollfd *fds, int max)
{
	struct serial_priv *p = link_priv(l);
	if (max < 1 || p->fd < 0)
		return 0;
	fds[0].fd = p->fd;
	fds[0].events = POLLIN;
	return 1;
}

const struct link_ops link_serial_ops = {
	.scheme = "serial",
	.priv_size = sizeof(struct serial_priv),
	.open = serial_open,
	.close = serial_close,
	.read = serial_read,
	.write = serial_write,
	.pollfds = serial_pollfds,
	.handle = NULL,
	.options = serial_options,
};

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

int link_serial_enumerate(struct link_port_info *out, int max)
{
	if (max < 0 || (max > 0 && !out))
		return VG_ERR_INVAL;
	struct sp_port **ports = NULL;
	enum sp_return r = sp_list_ports(&ports);
	if (r != SP_OK) {
		int e = serial_err(r);
		vg_warnx("listing serial ports: %s", vg_strerror(e));
		return e;
	}
	int n = 0;
	for (int i = 0; ports[i] && n < max; i++) {
		struct link_port_info *o = &out[n++];
		memset(o, 0, sizeof(*o));
		copy_str(o->path, sizeof(o->path), sp_get_port_name(ports[i]));
		copy_str(o->description, sizeof(o->description),
			 sp_get_port_description(ports[i]));
		if (sp_get_port_transport(ports[i]) == SP_TRANSPORT_USB) {
			int vid = 0, pid = 0;
			if (sp_get_port_usb_vid_pid(ports[i], &vid, &pid) == SP_OK) {
				o->vid = (uint16_t)vid;
				o->pid = (uint16_t)pid;
			}
			copy_str(o->serial, sizeof(o->serial),
				 sp_get_port_usb_serial(ports[i]));
		}
	}
	sp_free_port_list(ports);
	return n;
}
