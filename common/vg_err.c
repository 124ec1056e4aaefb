/*
 * vg_err.c - names of vg_err codes and errno translation (see vg_err.h).
 */
#include "vg_err.h"

#include <errno.h>

const char *vg_strerror(int err)
{
	switch (err) {
	case VG_OK: return "success";
	case VG_ERR_NOMEM: return "out of memory";
	case VG_ERR_INVAL: return "invalid argument";
	case VG_ERR_IO: return "input/output error";
	case VG_ERR_NODEV: return "no such device";
	case VG_ERR_TIMEOUT: return "timed out";
	case VG_ERR_PARSE: return "malformed input";
	case VG_ERR_RANGE: return "value out of range";
	case VG_ERR_AGAIN: return "try again";
	case VG_ERR_NOTSUP: return "not supported";
	case VG_ERR_ACCESS: return "permission denied";
	case VG_ERR_BUSY: return "resource busy";
	case VG_ERR_EOF: return "end of stream";
	case VG_ERR_TRUNC: return "truncated";
	case VG_ERR_NOTFOUND: return "not found";
	case VG_ERR_STATE: return "invalid state";
	case VG_ERR_SECURITY: return "refused for security";
	case VG_ERR_NOSPACE: return "disk full";
	case VG_ERR_ROFS: return "read-only file system";
	case VG_ERR_FBIG: return "file too large (size limit)";
	default: return "unknown error";
	}
}

int vg_err_from_errno(int errnum)
{
	switch (errnum) {
	case 0: return VG_OK;
	case ENOMEM: return VG_ERR_NOMEM;
	case EINVAL: return VG_ERR_INVAL;
	case ENODEV: case ENXIO: return VG_ERR_NODEV;
	case ENOENT: return VG_ERR_NOTFOUND;
	case ETIMEDOUT: return VG_ERR_TIMEOUT;
	case EAGAIN: return VG_ERR_AGAIN;
	case EACCES: case EPERM: return VG_ERR_ACCESS;
	case EBUSY: return VG_ERR_BUSY;
	case ERANGE: return VG_ERR_RANGE;
	case ENOTSUP: return VG_ERR_NOTSUP;
	case ENOSPC: case EDQUOT: return VG_ERR_NOSPACE;
	case EROFS: return VG_ERR_ROFS;
	case EFBIG: return VG_ERR_FBIG;
	default: return VG_ERR_IO;
	}
}
