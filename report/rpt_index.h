/*
 * rpt_index.h - sessions into the index: register one, rebuild all, and
 * the call the daemon makes at session.stop.
 *
 * Problem: every finished session must be in the index with its report
 * written, and an index that is lost or damaged must come back from the
 * recordings on disk (they are the truth; the index is a cache with the
 * client names).
 * Approach: rpt_session_index_row() turns a loaded session into an index
 * row (summary figures, whole-session HF/LF, tension per region, releases
 * and time to release, mark responses with the technique in force);
 * rpt_register() writes the report and puts the row; rpt_rebuild() scans
 * a directory for *.jsonl recordings and registers each;
 * rpt_session_finished() is the daemon's one call.
 * Limits: a rebuild re-reads every recording (about 0.1 s per 10 min of
 * session); names come from the recordings' session.start events.
 */
#ifndef RPT_INDEX_H
#define RPT_INDEX_H

#include "idx.h"
#include "rpt_session.h"

#include <stddef.h>

/* Fill row (and up to cap marks, count in *nmarks) from a session. */
void rpt_session_index_row(const struct rpt_session *s, struct idx_session *row,
			   struct idx_mark *marks, size_t cap, size_t *nmarks);

/* Load BASE, write BASE.html/.pdf (into outdir when not NULL) unless
 * no_report, and register it in ix. */
int rpt_register(struct idx *ix, const char *base, const char *outdir, int no_report);

/* Register every recording (*.jsonl) of dir into ix after clearing it;
 * *count gets the number registered. Unreadable recordings are skipped
 * with a warning. Reports are written only when they are missing. */
int rpt_rebuild(struct idx *ix, const char *dir, size_t *count);

/*
 * The call for the daemon, after it has written BASE.summary.md at
 * session.stop:
 *
 *   rpt_session_finished(cfg.record_dir, base_path, index_url, err, sizeof(err));
 *
 * record_dir: the recording directory; base_path: the session's files
 * without extension (status.record_path); index_url: "" or NULL for the
 * SQLite index in record_dir, else a URL ("postgresql://..." or a SQLite
 * path). It writes BASE.html and BASE.pdf and registers the session. When
 * the SQLite index is missing (first session, or deleted) or damaged
 * (moved aside to vagus-index.sqlite.damaged), it is rebuilt from all the
 * recordings in record_dir. Blocking: about 0.2 s for a 4-minute session,
 * 3 s for 90 minutes (make bench: tests/bench/report_time.sh); call it after
 * the session's files are closed, where a pause of that length is fine.
 * Returns 0 or a negative VG_ERR_*; on failure err holds one line for the
 * operator (the recording itself is untouched). When the index cannot be
 * opened (a PostgreSQL server down) the report is still written and the
 * error returned; `vagus-report --rebuild-index` registers it later.
 */
int rpt_session_finished(const char *record_dir, const char *base_path,
			 const char *index_url, char *err, size_t cap);

#endif
