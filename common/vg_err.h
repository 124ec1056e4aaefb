/*
 * vg_err.h - the one error convention of vagus.
 *
 * Problem: every layer (links, drivers, analysis, protocol, daemon) fails in
 * its own way (errno, LIBUSB_ERROR_*, enum sp_return, bad bytes), and callers
 * need one way to test and print a failure.
 * Approach: a function that can fail returns 0 (VG_OK) or one negative
 * VG_ERR_* code; vg_strerror() names it. Foreign codes are translated at the
 * boundary where they appear (links translate errno/libusb/libserialport).
 * Limits: the code says what kind of failure; details are logged once where
 * the failure happens (see vg_log.h).
 */
#ifndef VG_ERR_H
#define VG_ERR_H

enum vg_err {
	VG_OK = 0,
	VG_ERR_NOMEM = -1,    /* allocation failed */
	VG_ERR_INVAL = -2,    /* invalid argument or value */
	VG_ERR_IO = -3,       /* read/write/system call failed */
	VG_ERR_NODEV = -4,    /* device not present or unplugged */
	VG_ERR_TIMEOUT = -5,  /* no answer in time */
	VG_ERR_PARSE = -6,    /* malformed input (file, message, config) */
	VG_ERR_RANGE = -7,    /* value out of the allowed range */
	VG_ERR_AGAIN = -8,    /* nothing now, try later (non-blocking) */
	VG_ERR_NOTSUP = -9,   /* not supported by this device/build */
	VG_ERR_ACCESS = -10,  /* permission denied */
	VG_ERR_BUSY = -11,    /* resource busy (device claimed elsewhere) */
	VG_ERR_EOF = -12,     /* end of stream (file replay finished, peer closed) */
	VG_ERR_TRUNC = -13,   /* input or output truncated */
	VG_ERR_NOTFOUND = -14,/* named thing (file, key, driver, channel) not found */
	VG_ERR_STATE = -15,   /* call not valid in the current state */
	VG_ERR_SECURITY = -16,/* refused for security reasons */
	VG_ERR_NOSPACE = -17, /* no space left on the device (ENOSPC, EDQUOT) */
	VG_ERR_ROFS = -18,    /* read-only file system (EROFS) */
	VG_ERR_FBIG = -19     /* file too large: the file-size limit (EFBIG, RLIMIT_FSIZE) */
};

/* Human-readable text for a vg_err code; never NULL. */
const char *vg_strerror(int err);

/* Translate an errno value into a vg_err code. */
int vg_err_from_errno(int errnum);

#endif
