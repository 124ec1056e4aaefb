/*
 * link_usb.c - the usb link through libusb: "usb:VVVV:PPPP[:SERIAL]",
 * bulk endpoints found from the descriptors, asynchronous IN transfers
 * whose fds join the daemon's poll loop; and USB device enumeration.
 *
 * Problem: ANT USB2/USB-m sticks (protocols.md section 1.1) and similar
 * devices are bulk-endpoint devices; the kernel may have bound a driver to
 * them (usb-serial-simple); the daemon's poll loop must never block on USB
 * and must notice an unplug.
 * Approach: one libusb context per link (its pollfds belong to this link
 * alone). Find the device by VID/PID (and iSerialNumber when given), open
 * it, pick the first interface whose alternate setting 0 has a bulk IN and
 * a bulk OUT endpoint (or iface=N), let libusb detach the kernel driver
 * (auto-detach; re-attached on release), claim it, and keep USB_XFERS bulk
 * IN transfers in flight. Their callbacks, run from
 * libusb_handle_events_timeout_completed() with a zero timeout in handle()
 * and read(), append to a byte ring that read() drains. Writes are
 * synchronous bulk transfers with a 100 ms timeout. An unplug shows as
 * LIBUSB_TRANSFER_NO_DEVICE or, where the platform has hot-plug, a
 * DEVICE_LEFT callback: read() then returns VG_ERR_NODEV once the ring is
 * empty. libusb's error codes are translated here (link_err_from_usb).
 * References: libusb 1.0 API (asynchronous I/O, polling and timing,
 * hotplug); USB 2.0 section 9.6 (descriptors).
 * Limits: tested without a USB bus (enumeration, missing device, error
 * mapping); a halted (stalled) IN endpoint ends the link with VG_ERR_IO
 * (reopen to recover); bytes beyond the ring (USB_RING bytes not read in
 * time) are dropped and counted.
 */
#include "link.h"
#include "link_impl.h"
#include "link_posix.h"
#include "link_ring.h"
#include "link_target.h"
#include "link_usb_impl.h"
#include "vg_err.h"
#include "vg_log.h"

#include <libusb.h>
#include <stdio.h>
#include <string.h>

#define USB_XFERS 4
#define USB_XFER_SIZE 512      /* a multiple of every bulk max packet size */
#define USB_RING 16384         /* bytes buffered between reads */
#define USB_WRITE_TIMEOUT_MS 100
#define USB_STRING_TIMEOUT_MS 100
#define USB_CLOSE_TIMEOUT_MS 100
#define USB_SERIAL_MAX 64
#define USB_IFACE_MAX 255UL

struct usb_priv {
	libusb_context *ctx;         /* NULL when not initialised */
	libusb_device_handle *h;     /* NULL when not open */
	int iface;                   /* claimed interface, -1 when none */
	uint8_t ep_in, ep_out;
	struct libusb_transfer *xfer[USB_XFERS];
	uint8_t xbuf[USB_XFERS][USB_XFER_SIZE];
	int active;                  /* transfers submitted, not yet back */
	int closing;
	int gone;                    /* device unplugged */
	int err;                     /* sticky transfer error (VG_ERR_*) */
	int have_hotplug;
	libusb_hotplug_callback_handle hotplug;
	uint8_t ring_buf[USB_RING];
	struct link_ring ring;       /* received bytes not yet read */
	const char *name;            /* the link target, for messages */
};

static const char *const usb_options[] = { "iface", NULL };

int link_err_from_usb(int usb_err)
{
	if (usb_err >= 0)
		return usb_err;
	switch (usb_err) {
	case LIBUSB_ERROR_IO: return VG_ERR_IO;
	case LIBUSB_ERROR_INVALID_PARAM: return VG_ERR_INVAL;
	case LIBUSB_ERROR_ACCESS: return VG_ERR_ACCESS;
	case LIBUSB_ERROR_NO_DEVICE: return VG_ERR_NODEV;
	case LIBUSB_ERROR_NOT_FOUND: return VG_ERR_NOTFOUND;
	case LIBUSB_ERROR_BUSY: return VG_ERR_BUSY;
	case LIBUSB_ERROR_TIMEOUT: return VG_ERR_TIMEOUT;
	case LIBUSB_ERROR_OVERFLOW: return VG_ERR_TRUNC;
	case LIBUSB_ERROR_PIPE: return VG_ERR_IO;
	case LIBUSB_ERROR_INTERRUPTED: return VG_ERR_AGAIN;
	case LIBUSB_ERROR_NO_MEM: return VG_ERR_NOMEM;
	case LIBUSB_ERROR_NOT_SUPPORTED: return VG_ERR_NOTSUP;
	default: return VG_ERR_IO;
	}
}

void link_usb_string_decode(const uint8_t *desc, int len, char *out,
			    size_t cap)
{
	if (cap == 0)
		return;
	out[0] = '\0';
	if (!desc || len < 2 || desc[1] != LIBUSB_DT_STRING)
		return;
	if (desc[0] < len)
		len = desc[0]; /* bLength: never trust more than arrived */
	size_t n = 0;
	for (int i = 2; i + 1 < len && n + 1 < cap; i += 2) {
		unsigned c = desc[i] | (unsigned)desc[i + 1] << 8;
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[n] = '\0';
}

/* Read string descriptor idx (first language) with a short timeout into
 * out; "" on any failure. */
static void usb_string(libusb_device_handle *h, uint8_t idx, char *out,
		       size_t cap)
{
	uint8_t buf[255];
	if (cap == 0)
		return;
	out[0] = '\0';
	if (idx == 0)
		return;
	int r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN,
					LIBUSB_REQUEST_GET_DESCRIPTOR,
					LIBUSB_DT_STRING << 8, 0, buf,
					sizeof(buf), USB_STRING_TIMEOUT_MS);
	if (r < 4 || buf[1] != LIBUSB_DT_STRING)
		return;
	uint16_t langid = (uint16_t)(buf[2] | buf[3] << 8);
	r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN,
				    LIBUSB_REQUEST_GET_DESCRIPTOR,
				    (uint16_t)(LIBUSB_DT_STRING << 8 | idx),
				    langid, buf, sizeof(buf),
				    USB_STRING_TIMEOUT_MS);
	link_usb_string_decode(buf, r, out, cap);
}

/* ---------------------------------------------------------------- link */

static void LIBUSB_CALL usb_xfer_done(struct libusb_transfer *t)
{
	struct usb_priv *p = t->user_data;
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		if (t->actual_length > 0) {
			uint64_t before = p->ring.dropped;
			link_ring_put(&p->ring, t->buffer,
				      (size_t)t->actual_length);
			if (before == 0 && p->ring.dropped > 0)
				vg_warnx("%s: input not read in time, "
					 "dropping bytes", p->name);
		}
		if (p->closing || p->gone || p->err)
			break;
		int r = libusb_submit_transfer(t);
		if (r == 0)
			return; /* still active */
		if (r == LIBUSB_ERROR_NO_DEVICE) {
			p->gone = 1;
		} else {
			p->err = link_err_from_usb(r);
			vg_warnx("%s: resubmit: %s", p->name, libusb_error_name(r));
		}
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		p->gone = 1;
		break;
	case LIBUSB_TRANSFER_CANCELLED:
		break;
	case LIBUSB_TRANSFER_STALL:
		if (!p->closing && !p->err)
			vg_warnx("%s: IN endpoint halted", p->name);
		p->err = VG_ERR_IO;
		break;
	default: /* ERROR, TIMED_OUT, OVERFLOW */
		if (!p->closing && !p->err)
			vg_warnx("%s: IN transfer failed (status %d)", p->name,
				 (int)t->status);
		p->err = VG_ERR_IO;
		break;
	}
	p->active--;
}

static int LIBUSB_CALL usb_hotplug_left(libusb_context *ctx,
					libusb_device *dev,
					libusb_hotplug_event ev, void *user)
{
	struct usb_priv *p = user;
	if (p->h && dev == libusb_get_device(p->h))
		p->gone = 1;
	return 0; /* stay registered */
}

/* Find and open the device; NODEV when absent. */
static int usb_find(struct usb_priv *p, uint16_t vid, uint16_t pid,
		    const char *serial)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(p->ctx, &list);
	if (n < 0) {
		vg_warnx("%s: listing USB devices: %s", p->name,
			 libusb_error_name((int)n));
		return link_err_from_usb((int)n);
	}
	int e = VG_ERR_NODEV, matches = 0;
	for (ssize_t i = 0; i < n && !p->h; i++) {
		struct libusb_device_descriptor dd;
		if (libusb_get_device_descriptor(list[i], &dd) < 0 ||
		    dd.idVendor != vid || dd.idProduct != pid)
			continue;
		matches++;
		libusb_device_handle *h;
		int r = libusb_open(list[i], &h);
		if (r < 0) {
			e = link_err_from_usb(r);
			vg_warnx("%s: open: %s%s", p->name, libusb_error_name(r),
				 r == LIBUSB_ERROR_ACCESS
				 ? " (no permission: udev rule?)" : "");
			continue;
		}
		if (serial[0]) {
			char s[USB_SERIAL_MAX];
			usb_string(h, dd.iSerialNumber, s, sizeof(s));
			if (strcmp(s, serial) != 0) {
				libusb_close(h);
				continue;
			}
		}
		p->h = h;
	}
	libusb_free_device_list(list, 1);
	if (p->h)
		return VG_OK;
	if (matches == 0 || e == VG_ERR_NODEV)
		vg_warnx("%s: no such USB device attached", p->name);
	return e;
}

/* Pick the interface with bulk IN + bulk OUT (alt setting 0); want < 0 =
 * the first such interface. */
static int usb_pick_interface(struct usb_priv *p, int want)
{
	libusb_device *dev = libusb_get_device(p->h);
	struct libusb_config_descriptor *cfg;
	int r = libusb_get_active_config_descriptor(dev, &cfg);
	if (r < 0) {
		vg_warnx("%s: configuration descriptor: %s", p->name,
			 libusb_error_name(r));
		return link_err_from_usb(r);
	}
	for (int i = 0; i < cfg->bNumInterfaces && p->iface < 0; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];
		if (itf->num_altsetting < 1)
			continue;
		const struct libusb_interface_descriptor *d = &itf->altsetting[0];
		if (want >= 0 && d->bInterfaceNumber != want)
			continue;
		uint8_t in = 0, out = 0;
		for (int k = 0; k < d->bNumEndpoints; k++) {
			const struct libusb_endpoint_descriptor *ep = &d->endpoint[k];
			if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) !=
			    LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) ==
			    LIBUSB_ENDPOINT_IN) {
				if (!in)
					in = ep->bEndpointAddress;
			} else if (!out) {
				out = ep->bEndpointAddress;
			}
		}
		if (in && out) {
			p->iface = d->bInterfaceNumber;
			p->ep_in = in;
			p->ep_out = out;
		}
	}
	libusb_free_config_descriptor(cfg);
	if (p->iface < 0) {
		vg_warnx("%s: no interface with a bulk IN and a bulk OUT endpoint",
			 p->name);
		return VG_ERR_NOTSUP;
	}
	return VG_OK;
}

static int usb_claim(struct usb_priv *p)
{
	int r = libusb_set_auto_detach_kernel_driver(p->h, 1);
	if (r < 0 && r != LIBUSB_ERROR_NOT_SUPPORTED)
		vg_warnx("%s: kernel driver auto-detach: %s", p->name,
			 libusb_error_name(r));
	r = libusb_claim_interface(p->h, p->iface);
	if (r < 0) {
		vg_warnx("%s: claim interface %d: %s", p->name, p->iface,
			 libusb_error_name(r));
		return link_err_from_usb(r);
	}
	return VG_OK;
}

static int usb_start_transfers(struct usb_priv *p)
{
	for (int i = 0; i < USB_XFERS; i++) {
		p->xfer[i] = libusb_alloc_transfer(0);
		if (!p->xfer[i])
			return VG_ERR_NOMEM;
		libusb_fill_bulk_transfer(p->xfer[i], p->h, p->ep_in,
					  p->xbuf[i], USB_XFER_SIZE,
					  usb_xfer_done, p, 0);
		int r = libusb_submit_transfer(p->xfer[i]);
		if (r < 0) {
			vg_warnx("%s: submit: %s", p->name, libusb_error_name(r));
			return link_err_from_usb(r);
		}
		p->active++;
	}
	return VG_OK;
}

static int usb_open(struct link *l, const char *addr, int baud)
{
	struct usb_priv *p = link_priv(l);
	p->iface = -1;
	p->name = link_target(l);
	link_ring_init(&p->ring, p->ring_buf, sizeof(p->ring_buf));
	uint16_t vid, pid;
	char serial[USB_SERIAL_MAX];
	if (link_parse_usb_addr(addr, &vid, &pid, serial, sizeof(serial)) < 0) {
		vg_warnx("%s: expected usb:VVVV:PPPP[:SERIAL] (hex ids)", p->name);
		return VG_ERR_INVAL;
	}
	int want = -1;
	const char *siface = link_opt(l, "iface");
	if (siface) {
		unsigned long v;
		if (link_parse_ulong(siface, 0, USB_IFACE_MAX, &v) < 0) {
			vg_warnx("%s: iface=%s: expected 0-255", p->name, siface);
			return VG_ERR_INVAL;
		}
		want = (int)v;
	}
	int r = libusb_init(&p->ctx);
	if (r < 0) {
		p->ctx = NULL;
		vg_warnx("%s: no USB subsystem: %s", p->name, libusb_error_name(r));
		return VG_ERR_NODEV;
	}
	int e = usb_find(p, vid, pid, serial);
	if (e == VG_OK)
		e = usb_pick_interface(p, want);
	if (e == VG_OK)
		e = usb_claim(p);
	if (e < 0) {
		p->iface = -1; /* not claimed */
		return e;
	}
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_hotplug_register_callback(p->ctx,
			LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0, vid, pid,
			LIBUSB_HOTPLUG_MATCH_ANY, usb_hotplug_left, p,
			&p->hotplug) == LIBUSB_SUCCESS)
		p->have_hotplug = 1;
	return usb_start_transfers(p);
}

/* Cancel the IN transfers and wait (bounded) for their callbacks. */
static void usb_stop_transfers(struct usb_priv *p)
{
	p->closing = 1;
	for (int i = 0; i < USB_XFERS; i++)
		if (p->xfer[i])
			libusb_cancel_transfer(p->xfer[i]);
	int64_t deadline = link_posix_now_ms() + USB_CLOSE_TIMEOUT_MS;
	while (p->active > 0 && link_posix_now_ms() < deadline) {
		struct timeval tv = { .tv_usec = 10000 };
		libusb_handle_events_timeout_completed(p->ctx, &tv, NULL);
	}
	if (p->active > 0) {
		/* Freeing a transfer still in flight is unsafe: leak them. */
		vg_warnx("%s: %d transfers did not finish", p->name, p->active);
		return;
	}
	for (int i = 0; i < USB_XFERS; i++) {
		libusb_free_transfer(p->xfer[i]);
		p->xfer[i] = NULL;
	}
}

static void usb_close(struct link *l)
{
	struct usb_priv *p = link_priv(l);
	if (p->ctx && p->h)
		usb_stop_transfers(p);
	if (p->have_hotplug)
		libusb_hotplug_deregister_callback(p->ctx, p->hotplug);
	p->have_hotplug = 0;
	if (p->h && p->iface >= 0)
		libusb_release_interface(p->h, p->iface); /* re-attaches */
	p->iface = -1;
	if (p->h && p->active == 0)
		libusb_close(p->h);
	p->h = NULL;
	if (p->ctx && p->active == 0)
		libusb_exit(p->ctx);
	p->ctx = NULL;
}

static int usb_events(struct usb_priv *p)
{
	struct timeval tv = { 0, 0 };
	int r = libusb_handle_events_timeout_completed(p->ctx, &tv, NULL);
	if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED) {
		vg_warnx("%s: events: %s", p->name, libusb_error_name(r));
		return link_err_from_usb(r);
	}
	return VG_OK;
}

static int usb_read(struct link *l, uint8_t *buf, size_t cap)
{
	struct usb_priv *p = link_priv(l);
	if (p->ring.len == 0 && !p->gone && !p->err) {
		int e = usb_events(p);
		if (e < 0)
			return e;
	}
	if (p->ring.len > 0)
		return (int)link_ring_get(&p->ring, buf, cap);
	if (p->gone) {
		if (p->gone == 1)
			vg_warnx("%s: device went away", p->name);
		p->gone = 2; /* logged */
		return VG_ERR_NODEV;
	}
	if (p->err)
		return p->err;
	return VG_ERR_AGAIN;
}

static int usb_write(struct link *l, const uint8_t *buf, size_t n)
{
	struct usb_priv *p = link_priv(l);
	if (p->gone)
		return VG_ERR_NODEV;
	size_t done = 0;
	int64_t deadline = link_posix_now_ms() + USB_WRITE_TIMEOUT_MS;
	while (done < n) {
		int left = (int)(deadline - link_posix_now_ms());
		if (left <= 0)
			return VG_ERR_TIMEOUT;
		size_t chunk = n - done < USB_XFER_SIZE ? n - done : USB_XFER_SIZE;
		int sent = 0;
		int r = libusb_bulk_transfer(p->h, p->ep_out, (uint8_t *)buf + done,
					     (int)chunk, &sent, (unsigned)left);
		done += (size_t)(sent > 0 ? sent : 0);
		if (r == LIBUSB_ERROR_NO_DEVICE) {
			p->gone = 1;
			return VG_ERR_NODEV;
		}
		if (r < 0 && !(r == LIBUSB_ERROR_TIMEOUT && done == n)) {
			if (r != LIBUSB_ERROR_TIMEOUT)
				vg_warnx("%s: write: %s", p->name,
					 libusb_error_name(r));
			return link_err_from_usb(r);
		}
	}
	return VG_OK;
}

int link_usb_ctx_pollfds(libusb_context *ctx, struct pollfd *fds, int max)
{
	const struct libusb_pollfd **pf = ctx ? libusb_get_pollfds(ctx) : NULL;
	if (!pf)
		return 0;
	int n = 0;
	for (int i = 0; pf[i] && n < max; i++) {
		fds[n].fd = pf[i]->fd;
		fds[n].events = pf[i]->events;
		fds[n].revents = 0;
		n++;
	}
	libusb_free_pollfds(pf);
	return n;
}

static int usb_pollfds(struct link *l, struct pollfd *fds, int max)
{
	struct usb_priv *p = link_priv(l);
	if (!p->ctx || max < 1)
		return 0;
	return link_usb_ctx_pollfds(p->ctx, fds, max);
}

static int usb_handle(struct link *l)
{
	struct usb_priv *p = link_priv(l);
	return usb_events(p);
}

const struct link_ops link_usb_ops = {
	.scheme = "usb",
	.priv_size = sizeof(struct usb_priv),
	.open = usb_open,
	.close = usb_close,
	.read = usb_read,
	.write = usb_write,
	.pollfds = usb_pollfds,
	.handle = usb_handle,
	.options = usb_options,
};

/* ---------------------------------------------------------- enumeration */

void link_usb_fill_info(libusb_device *dev, int with_strings,
			struct link_usb_info *o)
{
	memset(o, 0, sizeof(*o));
	struct libusb_device_descriptor dd;
	if (libusb_get_device_descriptor(dev, &dd) < 0)
		memset(&dd, 0, sizeof(dd));
	o->vid = dd.idVendor;
	o->pid = dd.idProduct;
	o->bus = libusb_get_bus_number(dev);
	o->address = libusb_get_device_address(dev);
	uint8_t ports[8];
	int np = libusb_get_port_numbers(dev, ports, (int)sizeof(ports));
	int off = snprintf(o->port_path, sizeof(o->port_path), "%u",
			   (unsigned)o->bus);
	for (int k = 0; k < np && off > 0 && (size_t)off < sizeof(o->port_path); k++)
		off += snprintf(o->port_path + off, sizeof(o->port_path) - (size_t)off,
				"%c%u", k == 0 ? '-' : '.', (unsigned)ports[k]);
	libusb_device_handle *h;
	if (with_strings && libusb_open(dev, &h) == 0) {
		usb_string(h, dd.iSerialNumber, o->serial, sizeof(o->serial));
		usb_string(h, dd.iProduct, o->product, sizeof(o->product));
		libusb_close(h);
	}
}

int link_usb_enumerate(struct link_usb_info *out, int max)
{
	if (max < 0 || (max > 0 && !out))
		return VG_ERR_INVAL;
	libusb_context *ctx;
	int r = libusb_init(&ctx);
	if (r < 0) {
		vg_debug("no USB subsystem: %s", libusb_error_name(r));
		return VG_ERR_NODEV;
	}
	libusb_device **list;
	ssize_t n = libusb_get_device_list(ctx, &list);
	if (n < 0) {
		vg_warnx("listing USB devices: %s", libusb_error_name((int)n));
		libusb_exit(ctx);
		return link_err_from_usb((int)n);
	}
	int count = 0;
	for (ssize_t i = 0; i < n && count < max; i++)
		link_usb_fill_info(list[i], 1, &out[count++]);
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	return count;
}
