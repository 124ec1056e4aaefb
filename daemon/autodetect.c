/*
 * autodetect.c - sensor discovery by USB VID/PID (see autodetect.h).
 */
#include "autodetect.h"
#include "driver.h"
#include "link.h"
#include "vg_log.h"

#include <stdio.h>
#include <string.h>

#define MAX_PORTS 32

/* Bulk-endpoint devices that are opened through the USB link. */
static int wants_usb_link(uint16_t vid, uint16_t pid)
{
	return vid == 0x0fcf && (pid == 0x1008 || pid == 0x1009);
}

static int add(char (*specs)[AUTO_SPEC_MAX], int n, int max, const char *spec,
	       const char *extra)
{
	if (n >= max)
		return n;
	for (int i = 0; i < n; i++)
		if (!strncmp(specs[i], spec, strlen(spec)))
			return n;
	int k = snprintf(specs[n], AUTO_SPEC_MAX, "%s%s%s", spec,
			 extra && *extra ? "," : "", extra ? extra : "");
	return (k > 0 && k < AUTO_SPEC_MAX) ? n + 1 : n;
}

int autodetect_specs(char (*specs)[AUTO_SPEC_MAX], int max, const char *extra)
{
	int n = 0;
	char spec[AUTO_SPEC_MAX];
	struct link_port_info ports[MAX_PORTS];
	int np = link_serial_enumerate(ports, MAX_PORTS);
	for (int i = 0; i < np; i++) {
		const struct drv_ops *d = drv_find_usb(ports[i].vid, ports[i].pid);
		if (!d || wants_usb_link(ports[i].vid, ports[i].pid))
			continue;
		snprintf(spec, sizeof(spec), "%.30s:serial:%.200s", d->name, ports[i].path);
		n = add(specs, n, max, spec, extra);
	}
	struct link_usb_info usb[MAX_PORTS];
	int nu = link_usb_enumerate(usb, MAX_PORTS);
	for (int i = 0; i < nu; i++) {
		const struct drv_ops *d = drv_find_usb(usb[i].vid, usb[i].pid);
		if (!d || !wants_usb_link(usb[i].vid, usb[i].pid))
			continue;
		snprintf(spec, sizeof(spec), "%.30s:usb:%04x:%04x%s%.63s", d->name, usb[i].vid,
			 usb[i].pid, usb[i].serial[0] ? ":" : "", usb[i].serial);
		n = add(specs, n, max, spec, extra);
	}
	return n;
}
