/*
 * link_usb_impl.h - helpers shared by link_usb.c and link_usb_monitor.c
 * (internal to the links; needs libusb).
 */
#ifndef LINK_USB_IMPL_H
#define LINK_USB_IMPL_H

#include "link.h"

#include <stddef.h>
#include <stdint.h>

#include <poll.h>
#include <libusb.h>

/* Fill o from dev: ids, bus, address, port path; with_strings also opens
 * the device to read iSerialNumber and iProduct (synchronous control
 * transfers, 100 ms timeout each: never call it from a libusb callback).
 * Strings stay "" when the device cannot be opened. */
/* Fill up to max pollfds with a libusb context's descriptors (revents 0);
 * returns how many. */
int link_usb_ctx_pollfds(libusb_context *ctx, struct pollfd *fds, int max);

void link_usb_fill_info(libusb_device *dev, int with_strings,
			struct link_usb_info *o);

/* Decode a USB string descriptor (bLength, bDescriptorType = 3, UTF-16LE)
 * of len received bytes (len < 0: a failed transfer) into printable ASCII,
 * '?' for anything else; never reads beyond len or bLength. out gets ""
 * when the descriptor is malformed; cap must be >= 1. */
void link_usb_string_decode(const uint8_t *desc, int len, char *out,
			    size_t cap);

#endif
