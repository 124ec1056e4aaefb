/*
 * rpt_report.h - the session report and the progress report as documents
 * and files (HTML + PDF), and the client's pseudonymous id.
 *
 * Problem: after a session the therapist wants a report with pictures
 * (made at session.stop and on demand), and over a course of sessions a
 * report of what changed; both must name the client by a code only.
 * Approach: rpt_session_doc() turns a loaded session into a struct
 * rpt_doc (rpt_sesdoc.c); rpt_progress_doc() does the same for a course
 * read from the index (rpt_progdoc.c); rpt_doc_html()/rpt_doc_pdf() write
 * them. rpt_client_id() derives a stable code from the name.
 * Limits: see the builders.
 */
#ifndef RPT_REPORT_H
#define RPT_REPORT_H

#include "rpt_doc.h"
#include "rpt_session.h"

#include <stddef.h>

/* Stable pseudonymous client id "C" + 10 hex digits (FNV-1a 64 of the
 * name, trimmed); the same name gives the same id on every machine, so
 * rooms sharing one index agree. Not a secret: it hides the name from a
 * glance and from exported files, it does not anonymise. */
void rpt_client_id(const char *name, char *out, size_t cap);

/* The session report. client_id may be NULL (derived from the name). */
int rpt_session_doc(const struct rpt_session *s, const char *client_id,
		    struct rpt_doc **out);

/* Write BASE.html and BASE.pdf (or into outdir, named by the session's
 * base name, when outdir is not NULL); the paths written go to html/pdf
 * when not NULL. */
int rpt_write_session(const struct rpt_session *s, const char *client_id,
		      const char *outdir, char *html, size_t hcap, char *pdf, size_t pcap);

#endif
