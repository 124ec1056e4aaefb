/*
 * link_impl.h - the link object and the transports' ops tables, for
 * link.c's one table of transports and link_base.c's accessors (internal to
 * link/link*.c).
 */
#ifndef LINK_IMPL_H
#define LINK_IMPL_H

#include "link.h"
#include "link_target.h"

/* One open link; allocated by link_open() (link.c). */
struct link {
	const struct link_ops *ops;
	char target[LINK_TARGET_MAX]; /* as given, for messages */
	struct link_target t;         /* parsed; options point into it */
	void *priv;
};

extern const struct link_ops link_fd_ops;     /* link_fd.c */
extern const struct link_ops link_tcp_ops;    /* link_tcp.c */
extern const struct link_ops link_serial_ops; /* link_serial.c */
extern const struct link_ops link_usb_ops;    /* link_usb.c */

#endif
