/*
 * record_repair.c - rec_repair() and rec_repair_dir() (see record.h).
 *
 * Problem: a recording that was not closed (kill -9, power loss, disk
 * full) has "-1" as its data-record count, possibly a partial last record,
 * and no annotations (EDFlib writes both only in edfclose_file()); EDFlib
 * refuses to open it.
 * Approach: 1. the fixed EDF header (edfplus.info/specs/edf.html) gives
 * the header size, the signals and their samples per record; the record
 * count becomes (file size - header) / record size, written into the
 * 8-character field at byte 236, and the file is cut to whole records.
 * 2. When the JSON-lines file beside it (same name, .jsonl) holds more
 * "rec.annotation" lines than EDFlib finds in the file, they are written
 * into its annotation signals by rec_annot_store() (record_annot.c), as
 * rec_close() does: packed, with more annotation signals when needed.
 * Step 2 allocates; it runs only on repair, never while recording.
 * Limits: 16-bit EDF/EDF+ only (BDF gives VG_ERR_PARSE); onsets come back
 * to the 100 us of the JSON lines; when writing the annotations fails (e.g.
 * still no space) the count-fixed file without them is kept and the error
 * returned.
 */
#include "record.h"
#include "record_int.h"
#include "record_repair_line.h"
#include "vg_err.h"
#include "vg_log.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <edflib.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR_FIXED 256
#define HDR_PER_SIGNAL 256
#define OFF_HDR_BYTES 184
#define OFF_NRECORDS 236
#define OFF_NSIGNALS 252
#define SIG_SPR_OFFSET 216 /* bytes of per-signal fields before "samples per record" */
#define MAX_REPAIR_SIGNALS 640

static long field_long(const char *p, size_t n, int *ok)
{
	char buf[16];
	if (n >= sizeof(buf)) {
		*ok = 0;
		return 0;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	long v = strtol(buf, &end, 10);
	while (*end == ' ')
		end++;
	if (errno || end == buf || *end)
		*ok = 0;
	return v;
}

/* Step 1: record count and length. *nannot_sig = annotation signals. */
static int fix_count(const char *path, int *changed)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? VG_ERR_NOTFOUND : vg_err_from_errno(errno);
	char fixed[HDR_FIXED];
	char *hdr = NULL;
	int e = rec_read_at(fd, fixed, sizeof(fixed), 0); /* short: VG_ERR_TRUNC */
	if (e < 0)
		goto out;
	e = VG_ERR_PARSE;
	if (memcmp(fixed, "0       ", 8) != 0)
		goto out;
	int ok = 1;
	long hdr_bytes = field_long(fixed + OFF_HDR_BYTES, 8, &ok);
	long ns = field_long(fixed + OFF_NSIGNALS, 4, &ok);
	if (!ok || ns < 1 || ns > MAX_REPAIR_SIGNALS ||
	    hdr_bytes != (ns + 1) * HDR_PER_SIGNAL)
		goto out;
	hdr = malloc((size_t)hdr_bytes);
	if (!hdr) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	e = rec_read_at(fd, hdr, (size_t)hdr_bytes, 0);
	if (e < 0)
		goto out;
	e = VG_ERR_PARSE;
	long long rec_bytes = 0;
	for (long i = 0; i < ns; i++) {
		long spr = field_long(hdr + HDR_FIXED + ns * SIG_SPR_OFFSET + i * 8, 8, &ok);
		if (!ok || spr < 1)
			goto out;
		rec_bytes += 2LL * spr;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		e = vg_err_from_errno(errno);
		goto out;
	}
	long long nrec = ((long long)st.st_size - hdr_bytes) / rec_bytes;
	if (st.st_size < hdr_bytes || nrec < 1) {
		e = VG_ERR_TRUNC;
		goto out;
	}
	if (nrec > 99999999LL)
		goto out;
	long have = field_long(fixed + OFF_NRECORDS, 8, &ok);
	long long want_size = hdr_bytes + nrec * rec_bytes;
	if (!ok || have != nrec || st.st_size != want_size) {
		char count[9];
		snprintf(count, sizeof(count), "%-8lld", nrec);
		if (pwrite(fd, count, 8, OFF_NRECORDS) != 8 ||
		    ftruncate(fd, (off_t)want_size) < 0 || fsync(fd) < 0) {
			e = vg_err_from_errno(errno);
			goto out;
		}
		vg_info("%s: %lld data records (header said %.8s, %lld bytes cut)", path,
			nrec, fixed + OFF_NRECORDS, (long long)st.st_size - want_size);
		*changed = 1;
	}
	e = VG_OK;
out:
	free(hdr);
	close(fd);
	return e;
}

static void jsonl_path_of(const char *edf_path, char *out, size_t cap)
{
	size_t n = strlen(edf_path);
	if (n > 4 && !strcmp(edf_path + n - 4, ".edf"))
		snprintf(out, cap, "%.*s.jsonl", (int)(n - 4), edf_path);
	else
		snprintf(out, cap, "%s.jsonl", edf_path);
}

int rec_repair_parse_line(const char *line, size_t len, double *onset_s,
			  double *duration_s, char *text)
{
	if (!strstr(line, "\"rec.annotation\""))
		return 0;
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *topic = cJSON_GetObjectItemCaseSensitive(j, "topic");
	const cJSON *on = cJSON_GetObjectItemCaseSensitive(j, "onset_s");
	const cJSON *du = cJSON_GetObjectItemCaseSensitive(j, "duration_s");
	const cJSON *tx = cJSON_GetObjectItemCaseSensitive(j, "text");
	int ok = 0;
	if (cJSON_IsString(topic) && !strcmp(topic->valuestring, "rec.annotation") &&
	    cJSON_IsNumber(on) && on->valuedouble >= 0 && cJSON_IsString(tx)) {
		*onset_s = on->valuedouble;
		*duration_s = cJSON_IsNumber(du) ? du->valuedouble : -1.0;
		rec_cut_utf8(text, tx->valuestring);
		ok = 1;
	}
	cJSON_Delete(j);
	return ok;
}

/* "rec.annotation" lines of the JSON-lines file; malformed lines skipped */
static int load_annotations(const char *jsonl, struct rec_annot **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	FILE *f = fopen(jsonl, "r");
	if (!f)
		return errno == ENOENT ? VG_OK : vg_err_from_errno(errno);
	char *line = NULL;
	size_t cap = 0, n = 0, alloc = 0;
	struct rec_annot *a = NULL;
	ssize_t len;
	int e = VG_OK;
	while ((len = getline(&line, &cap, f)) > 0) {
		double onset_s, duration_s;
		char text[513]; /* record_repair_line.h: at least 513 bytes */
		if (!rec_repair_parse_line(line, (size_t)len, &onset_s, &duration_s, text) ||
		    onset_s > 1e9 || duration_s > 1e9) /* beyond 30 years: not ours */
			continue;
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct rec_annot *b = realloc(a, na * sizeof(*a));
			if (!b) {
				e = VG_ERR_NOMEM;
				break;
			}
			a = b;
			alloc = na;
		}
		a[n].onset_ns = llround(onset_s * 1e9);
		a[n].dur_ns = duration_s >= 0 ? llround(duration_s * 1e9) : -1;
		rec_cut_utf8(a[n].text, text);
		n++;
	}
	free(line);
	fclose(f);
	if (e < 0) {
		free(a);
		return e;
	}
	*out = a;
	*n_out = n;
	return VG_OK;
}

int rec_repair_count(const char *path, int *changed)
{
	int dummy = 0;
	if (!changed)
		changed = &dummy;
	*changed = 0;
	return path ? fix_count(path, changed) : VG_ERR_INVAL;
}

int rec_repair(const char *path, int *changed)
{
	int dummy = 0;
	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (!path)
		return VG_ERR_INVAL;
	int e = fix_count(path, changed);
	if (e < 0)
		return e;
	char jsonl[4200];
	jsonl_path_of(path, jsonl, sizeof(jsonl));
	struct rec_annot *a = NULL;
	size_t na = 0;
	e = load_annotations(jsonl, &a, &na);
	if (e < 0 || na == 0) {
		free(a);
		return e;
	}
	struct edf_hdr_struct *h = calloc(1, sizeof(*h));
	if (!h) {
		free(a);
		return VG_ERR_NOMEM;
	}
	if (edfopen_file_readonly(path, h, EDFLIB_READ_ALL_ANNOTATIONS) < 0) {
		vg_warnx("%s: EDFlib cannot open it (error %d)", path, h->filetype);
		free(a);
		free(h);
		return VG_ERR_PARSE;
	}
	long long have = h->annotations_in_file;
	edfclose_file(h->handle);
	if (have < (long long)na) {
		struct rec_annot_result res;
		e = rec_annot_store(path, a, na, &res);
		if (e == VG_OK) {
			vg_info("%s: %zu annotations put back from %s", path, res.written, jsonl);
			*changed = 1;
		}
	}
	free(a);
	free(h);
	return e;
}

int rec_repair_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return vg_err_from_errno(errno);
	int repaired = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".edf"))
			continue;
		char path[4200], fixed[HDR_FIXED];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		int e = rec_read_at(fd, fixed, sizeof(fixed), 0);
		close(fd);
		if (e < 0 || strncmp(fixed + OFF_NRECORDS, "-1 ", 3))
			continue;
		int changed = 0;
		e = rec_repair(path, &changed);
		if (e < 0)
			vg_warnx("%s: not repaired: %s", path, vg_strerror(e));
		else if (changed)
			repaired++;
	}
	closedir(d);
	return repaired;
}
