/*
 * errmsg.c - the one way a daemon layer words a refused request: the text
 * for the reply's "error" and the code to return, in one call.
 *
 * Problem: session.c and commands.c both refuse requests; the helper must
 * sit below both so neither calls into the other for it (issue 13).
 * Approach: snprintf into the caller's buffer; return the code unchanged.
 * Limits: msg is cut to cap - 1 bytes.
 */
#include "vagusd_int.h"

#include <stdio.h>

int vd_err_msg(char *err, size_t cap, int code, const char *msg)
{
	snprintf(err, cap, "%s", msg);
	return code;
}
