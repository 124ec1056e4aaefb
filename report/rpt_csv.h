/*
 * rpt_csv.h - a session's data out for research: CSV files and the plain
 * RR text Kubios imports.
 *
 * Problem: researchers analyse sessions in their own tools (R, Python,
 * Kubios); they need every beat, HRV window, breathing estimate, EMG
 * envelope and event as plain files whose headers say the units, without
 * the client's name.
 * Approach: from a loaded session, write PREFIX.session.csv (one row of
 * metadata), PREFIX.beats.csv, PREFIX.rr.txt (one RR in ms per line, the
 * Kubios "RR interval ASCII" import), PREFIX.hrv.csv, PREFIX.resp.csv,
 * PREFIX.emg.csv and PREFIX.events.csv, where PREFIX is
 * DIR/YYYYmmdd-HHMMSS_<client id>. Column names carry the unit
 * (t_s, rr_ms, rms_uv ...); empty cells for unknown values. The name
 * appears only with identified = 1 (a client_name column).
 * References: RFC 4180 (CSV); Kubios HRV user's guide, "RR interval data
 * in ASCII/text files".
 * Limits: times are seconds from the session start (t_s) plus one
 * absolute start in session.csv; RR text holds beats with a known RR.
 */
#ifndef RPT_CSV_H
#define RPT_CSV_H

#include "rpt_session.h"

#include <stddef.h>

int rpt_export_csv(const struct rpt_session *s, const char *dir, int identified,
		   char *prefix, size_t cap);

#endif
