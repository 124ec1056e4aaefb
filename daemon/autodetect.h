/*
 * autodetect.h - `--source auto`: find attached sensors by USB VID/PID.
 *
 * Problem: a therapist plugs a sensor in and expects it to work without
 * knowing device paths.
 * Approach: enumerate serial ports (libserialport, with their USB ids) and
 * USB devices (libusb); each id known to a driver's usb_ids table becomes a
 * source spec: "DRIVER:serial:PATH" for tty devices, "DRIVER:usb:VVVV:PPPP"
 * (plus ":SERIAL" when known) for bulk devices (ANT USB2/USB-m sticks, whose
 * kernel tty binding the USB link detaches). The daemon calls this at start
 * and every few seconds, starting sources for new devices.
 * Limits: devices without a known VID/PID (generic USB-serial chips used by
 * many products) are not guessed at; name them with --source.
 */
#ifndef AUTODETECT_H
#define AUTODETECT_H

#include <stddef.h>

#define AUTO_SPEC_MAX 300

/* Fill up to max specs; returns the count (>= 0). extra_opts (may be NULL
 * or "") are appended to every spec after a comma. */
int autodetect_specs(char (*specs)[AUTO_SPEC_MAX], int max, const char *extra_opts);

#endif
