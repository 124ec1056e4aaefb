/*
 * rpt_ident.c - the client's pseudonymous id (see rpt_report.h): the same
 * code the recorder puts in file names and EDF+ headers (common/vg_pseudo.c).
 */
#include "rpt_report.h"
#include "vg_pseudo.h"

void rpt_client_id(const char *name, char *out, size_t cap)
{
	vg_pseudonym(name, out, cap);
}
