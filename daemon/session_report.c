/*
 * session_report.c - after a recorded session has stopped: its report
 * (HTML + PDF, report/) and its row in the session index (SQLite in the
 * recording directory, or [index] url), made in a child process.
 *
 * Problem: the report reads the whole session back and draws it (about 3 s
 * for a 90-minute session); done in the event loop it would stall every
 * source for that long, right when the therapist starts the next client.
 * Approach: fork twice (the grandchild is adopted by init, so no zombie and
 * no SIGCHLD handling in the daemon); the grandchild calls
 * rpt_session_finished() on the closed files, logs its outcome and _exit()s.
 * It touches no ZeroMQ socket and no daemon state. The parent goes on at once.
 * Limits: a failure is only logged (the session's own files are complete
 * without the report; `vagus-report BASE` and `vagus-report --rebuild-index
 * DIR` make them later). Where fork() fails, the report is made in-line.
 */
#include "vagusd_int.h"
#include "rpt_index.h"
#include "vg_log.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void make_report(const char *dir, const char *base, const char *url)
{
	char err[512];
	if (rpt_session_finished(dir, base, url, err, sizeof(err)) < 0)
		vg_warnx("%s", err);
	else
		vg_info("session report %s.html and .pdf, indexed", base);
}

void vd_session_report(const struct vagusd *d, const char *base)
{
	const char *dir = d->cfg.record_dir, *url = d->cfg.index_url ? d->cfg.index_url : "";
	if (!dir || !dir[0] || !base || !base[0])
		return;
	pid_t child = fork();
	if (child < 0) {
		make_report(dir, base, url);
		return;
	}
	if (child == 0) {
		pid_t grandchild = fork();
		if (grandchild == 0)
			make_report(dir, base, url);
		_exit(0);
	}
	waitpid(child, NULL, 0);
}
