/*
 * link_impl.h - the transports' ops tables, for link.c's one table of
 * transports (internal to drivers/link*.c).
 */
#ifndef LINK_IMPL_H
#define LINK_IMPL_H

#include "link.h"

extern const struct link_ops link_fd_ops;     /* link_fd.c */
extern const struct link_ops link_tcp_ops;    /* link_tcp.c */
extern const struct link_ops link_serial_ops; /* link_serial.c */
extern const struct link_ops link_usb_ops;    /* link_usb.c */

#endif
