/*
 * link_usb_monitor.c - USB hot-plug notifications (see link.h) for the
 * daemon's --source auto and reconnect logic.
 *
 * Problem: the daemon should open a sensor the moment it is plugged in and
 * notice an unplug even when no link is open, without polling the bus and
 * without ever blocking its poll loop.
 * Approach: a libusb context of its own with one hot-plug callback for all
 * devices (LIBUSB_HOTPLUG_ENUMERATE reports those already attached). The
 * libusb callback only queues a referenced device: libusb forbids
 * synchronous transfers there. link_usb_monitor_handle() runs libusb's
 * events with a zero timeout, then delivers the queue to the host's
 * callback, reading serial/product strings for arrivals outside libusb's
 * callback.
 * References: libusb 1.0 API, "Device hotplug event notification".
 * Limits: at most MON_QUEUE events between two handle() calls (more are
 * dropped and logged); needs LIBUSB_CAP_HAS_HOTPLUG (Linux, macOS), else
 * VG_ERR_NOTSUP.
 */
#include "link.h"
#include "link_usb_impl.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdlib.h>

#define MON_QUEUE 32

struct mon_event {
	libusb_device *dev; /* referenced */
	int arrived;
};

struct link_usb_monitor {
	libusb_context *ctx;
	libusb_hotplug_callback_handle cb;
	int registered;
	link_usb_hotplug_fn fn;
	void *fn_ctx;
	struct mon_event q[MON_QUEUE];
	int nq;
	unsigned long dropped;
};

static int LIBUSB_CALL mon_hotplug(libusb_context *ctx, libusb_device *dev,
				   libusb_hotplug_event ev, void *user)
{
	struct link_usb_monitor *m = user;
	if (m->nq >= MON_QUEUE) {
		m->dropped++;
		return 0;
	}
	m->q[m->nq].dev = libusb_ref_device(dev);
	m->q[m->nq].arrived = ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED;
	m->nq++;
	return 0; /* stay registered */
}

struct link_usb_monitor *link_usb_monitor_new(link_usb_hotplug_fn fn,
					      void *ctx, int *err)
{
	int e = VG_ERR_INVAL;
	struct link_usb_monitor *m = NULL;
	if (!fn)
		goto fail;
	e = VG_ERR_NOTSUP;
	if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		vg_warnx("USB hot-plug not supported on this platform");
		goto fail;
	}
	e = VG_ERR_NOMEM;
	m = calloc(1, sizeof(*m));
	if (!m)
		goto fail;
	m->fn = fn;
	m->fn_ctx = ctx;
	int r = libusb_init(&m->ctx);
	if (r < 0) {
		m->ctx = NULL;
		vg_warnx("no USB subsystem: %s", libusb_error_name(r));
		e = VG_ERR_NODEV;
		goto fail;
	}
	r = libusb_hotplug_register_callback(m->ctx,
		LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
		LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY,
		LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
		mon_hotplug, m, &m->cb);
	if (r < 0) {
		vg_warnx("USB hot-plug registration: %s", libusb_error_name(r));
		e = link_err_from_usb(r);
		goto fail;
	}
	m->registered = 1;
	return m;
fail:
	link_usb_monitor_destroy(&m);
	if (err)
		*err = e;
	return NULL;
}

void link_usb_monitor_destroy(struct link_usb_monitor **mp)
{
	if (!mp || !*mp)
		return;
	struct link_usb_monitor *m = *mp;
	if (m->registered)
		libusb_hotplug_deregister_callback(m->ctx, m->cb);
	for (int i = 0; i < m->nq; i++)
		libusb_unref_device(m->q[i].dev);
	if (m->ctx)
		libusb_exit(m->ctx);
	free(m);
	*mp = NULL;
}

int link_usb_monitor_pollfds(struct link_usb_monitor *m, struct pollfd *fds,
			     int max)
{
	if (!m || !fds || max < 1)
		return 0;
	return link_usb_ctx_pollfds(m->ctx, fds, max);
}

int link_usb_monitor_handle(struct link_usb_monitor *m)
{
	if (!m)
		return VG_ERR_INVAL;
	struct timeval tv = { 0, 0 };
	int r = libusb_handle_events_timeout_completed(m->ctx, &tv, NULL);
	if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED) {
		vg_warnx("USB events: %s", libusb_error_name(r));
		return link_err_from_usb(r);
	}
	if (m->dropped) {
		vg_warnx("%lu USB hot-plug events dropped", m->dropped);
		m->dropped = 0;
	}
	/* deliver in order; the queue is emptied first so that events
	 * arriving during the callbacks (string reads run libusb) queue
	 * behind */
	struct mon_event q[MON_QUEUE];
	int nq = m->nq;
	for (int i = 0; i < nq; i++)
		q[i] = m->q[i];
	m->nq = 0;
	for (int i = 0; i < nq; i++) {
		struct link_usb_info info;
		link_usb_fill_info(q[i].dev, q[i].arrived, &info);
		libusb_unref_device(q[i].dev);
		m->fn(m->fn_ctx, &info, q[i].arrived);
	}
	return VG_OK;
}
