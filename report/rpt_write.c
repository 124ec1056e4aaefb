/*
 * rpt_write.c - write a session's report files, BASE.html and BASE.pdf
 * (see rpt_report.h).
 */
#include "rpt_report.h"
#include "vg_err.h"
#include "vg_log.h"

#include <stdio.h>
#include <string.h>

int rpt_write_session(const struct rpt_session *s, const char *client_id,
		      const char *outdir, char *html, size_t hcap, char *pdf, size_t pcap)
{
	char base[1024], h[1100], p[1100];
	if (outdir && outdir[0]) {
		const char *name = strrchr(s->base, '/');
		name = name ? name + 1 : s->base;
		snprintf(base, sizeof(base), "%s/%s", outdir, name);
	} else {
		snprintf(base, sizeof(base), "%s", s->base);
	}
	snprintf(h, sizeof(h), "%s.html", base);
	snprintf(p, sizeof(p), "%s.pdf", base);
	struct rpt_doc *d = NULL;
	int e = rpt_session_doc(s, client_id, &d);
	if (e == 0)
		e = rpt_doc_html(d, h);
	if (e == 0)
		e = rpt_doc_pdf(d, p);
	rpt_doc_free(&d);
	if (e < 0) {
		vg_warnx("report: session %s: %s", s->id, vg_strerror(e));
		return e;
	}
	if (html)
		snprintf(html, hcap, "%s", h);
	if (pdf)
		snprintf(pdf, pcap, "%s", p);
	return 0;
}
