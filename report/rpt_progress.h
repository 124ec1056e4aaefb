/*
 * rpt_progress.h - the progress report: one client's course of sessions.
 *
 * Problem: over weeks of sessions the therapist and client want to see
 * what changed (resting heart rate, RMSSD, HF, breathing, calm, tension
 * per region, releases, responses to each technique) with an honest
 * uncertainty, in plain words and without diagnosis.
 * Approach: the client's sessions from the index in start order, session
 * number as x; per measure an ordinary least squares trend with its 95 %
 * CI (rpt_hrvcalc.h), plotted with the fitted line and its confidence
 * band; a change is called a rise or a fall only when the CI of the slope
 * excludes zero; a table of trends; a sessions table; mark responses
 * grouped by technique; the same document written as HTML and PDF.
 * References: least squares with Student t intervals (any statistics
 * text, e.g. Montgomery & Runger, Applied Statistics, ch. 11).
 * Limits: sessions are treated as equally spaced; no correction for the
 * number of measures compared; fewer than 3 sessions give no trend.
 */
#ifndef RPT_PROGRESS_H
#define RPT_PROGRESS_H

#include "idx.h"
#include "rpt_doc.h"

#include <stddef.h>

/* Build the progress document of client_id (an id, or a name found in
 * the index). VG_ERR_NOTFOUND when the client has no sessions. */
int rpt_progress_doc(struct idx *ix, const char *client, struct rpt_doc **out);

/* Write DIR/progress_<client_id>.html and .pdf; paths to html/pdf. */
int rpt_write_progress(struct idx *ix, const char *client, const char *outdir,
		       char *html, size_t hcap, char *pdf, size_t pcap);

#endif
