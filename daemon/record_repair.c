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
 * "rec.annotation" lines than EDFlib finds in the file, the file is copied
 * through EDFlib (digital samples unchanged, header fields kept) into
 * NAME.edf.repair with those annotations, which is then renamed over it.
 * Step 2 allocates; it runs only on repair, never while recording.
 * Limits: 16-bit EDF/EDF+ only (BDF gives VG_ERR_PARSE); the rewrite keeps
 * the EDF+ header fields EDFlib can set (not "reserved" extensions); when
 * the rewrite fails (e.g. still no space) the count-fixed file without the
 * lost annotations is kept and the error returned.
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
#define ANNOT_BYTES 114    /* EDFlib's annotation slot per record and signal */

struct annot {
	double onset_s;
	double duration_s; /* < 0: none */
	char text[EDFLIB_MAX_ANNOTATION_LEN + 1];
};

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

static int read_exact(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vg_err_from_errno(errno);
		if (r == 0)
			return VG_ERR_TRUNC;
		got += (size_t)r;
	}
	return VG_OK;
}

/* Step 1: record count and length. *nannot_sig = annotation signals. */
static int fix_count(const char *path, int *changed, long long *nrec_out,
		     int *nannot_sig)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? VG_ERR_NOTFOUND : vg_err_from_errno(errno);
	char fixed[HDR_FIXED];
	char *hdr = NULL;
	int e = read_exact(fd, fixed, sizeof(fixed), 0); /* short: VG_ERR_TRUNC */
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
	e = read_exact(fd, hdr, (size_t)hdr_bytes, 0);
	if (e < 0)
		goto out;
	e = VG_ERR_PARSE;
	long long rec_bytes = 0;
	int nannot = 0;
	for (long i = 0; i < ns; i++) {
		long spr = field_long(hdr + HDR_FIXED + ns * SIG_SPR_OFFSET + i * 8, 8, &ok);
		if (!ok || spr < 1)
			goto out;
		rec_bytes += 2LL * spr;
		if (!strncmp(hdr + HDR_FIXED + i * 16, "EDF Annotations", 15))
			nannot++;
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
	*nrec_out = nrec;
	*nannot_sig = nannot;
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
static int load_annotations(const char *jsonl, struct annot **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	FILE *f = fopen(jsonl, "r");
	if (!f)
		return errno == ENOENT ? VG_OK : vg_err_from_errno(errno);
	char *line = NULL;
	size_t cap = 0, n = 0, alloc = 0;
	struct annot *a = NULL;
	ssize_t len;
	int e = VG_OK;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct annot one;
		if (!rec_repair_parse_line(line, (size_t)len, &one.onset_s,
					   &one.duration_s, one.text))
			continue;
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct annot *b = realloc(a, na * sizeof(*a));
			if (!b) {
				e = VG_ERR_NOMEM;
				break;
			}
			a = b;
			alloc = na;
		}
		a[n++] = one;
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

static int copy_header(int w, const struct edf_hdr_struct *h, int nannot)
{
	int bad = 0;
	bad |= edf_set_startdatetime(w, h->startdate_year, h->startdate_month,
				     h->startdate_day, h->starttime_hour,
				     h->starttime_minute, h->starttime_second);
	bad |= edf_set_subsecond_starttime(w, (int)h->starttime_subsecond);
	if (h->datarecord_duration != EDFLIB_TIME_DIMENSION)
		bad |= edf_set_datarecord_duration(w, (int)(h->datarecord_duration / 100));
	bad |= edf_set_number_of_annotation_signals(w, nannot);
	if (h->patientcode[0])
		bad |= edf_set_patientcode(w, h->patientcode);
	if (h->patient_name[0])
		bad |= edf_set_patientname(w, h->patient_name);
	if (h->patient_additional[0])
		bad |= edf_set_patient_additional(w, h->patient_additional);
	if (h->admincode[0])
		bad |= edf_set_admincode(w, h->admincode);
	if (h->technician[0])
		bad |= edf_set_technician(w, h->technician);
	if (h->equipment[0])
		bad |= edf_set_equipment(w, h->equipment);
	if (h->recording_additional[0])
		bad |= edf_set_recording_additional(w, h->recording_additional);
	if (h->gender[0] == 'M' || h->gender[0] == 'F')
		bad |= edf_set_gender(w, h->gender[0] == 'M');
	if (h->birthdate_year >= 1800)
		bad |= edf_set_birthdate(w, h->birthdate_year, h->birthdate_month,
					 h->birthdate_day);
	for (int i = 0; i < h->edfsignals; i++) {
		const struct edf_param_struct *p = &h->signalparam[i];
		bad |= edf_set_samplefrequency(w, i, p->smp_in_datarecord);
		bad |= edf_set_physical_maximum(w, i, p->phys_max);
		bad |= edf_set_physical_minimum(w, i, p->phys_min);
		bad |= edf_set_digital_maximum(w, i, p->dig_max);
		bad |= edf_set_digital_minimum(w, i, p->dig_min);
		bad |= edf_set_label(w, i, p->label);
		bad |= edf_set_physical_dimension(w, i, p->physdimension);
		bad |= edf_set_transducer(w, i, p->transducer);
		bad |= edf_set_prefilter(w, i, p->prefilter);
	}
	return bad ? VG_ERR_PARSE : VG_OK;
}

/* Step 2: rewrite through EDFlib with the annotations */
static int rewrite(const char *path, const struct edf_hdr_struct *h,
		   const struct annot *a, size_t na, long long nrec, int nannot)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.repair", path);
	long long need = ((long long)na + nrec - 1) / nrec;
	if (need > nannot)
		nannot = need > 64 ? 64 : (int)need;
	if (nannot < 1)
		nannot = 1;
	int maxspr = 1;
	for (int i = 0; i < h->edfsignals; i++)
		if (h->signalparam[i].smp_in_datarecord > maxspr)
			maxspr = h->signalparam[i].smp_in_datarecord;
	int *buf = malloc((size_t)maxspr * sizeof(int));
	if (!buf)
		return VG_ERR_NOMEM;
	int e = VG_ERR_IO;
	int w = edfopen_file_writeonly(tmp, EDFLIB_FILETYPE_EDFPLUS, h->edfsignals);
	if (w < 0)
		goto out;
	e = copy_header(w, h, nannot);
	for (long long k = 0; k < nrec && e == VG_OK; k++)
		for (int i = 0; i < h->edfsignals && e == VG_OK; i++) {
			int spr = h->signalparam[i].smp_in_datarecord;
			if (edfread_digital_samples(h->handle, i, spr, buf) != spr)
				e = VG_ERR_IO;
			else if (edfwrite_digital_samples(w, buf) < 0)
				e = VG_ERR_IO;
		}
	/* as in record.c: compensate EDFlib's 100 us cut of the sub-second start */
	double frac_100ns = (double)(h->starttime_subsecond % 1000);
	for (size_t k = 0; k < na && e == VG_OK; k++) {
		long long dur = a[k].duration_s >= 0 ? llround(a[k].duration_s * 1e4) : -1;
		long long on = llround((a[k].onset_s * 1e7 + frac_100ns) / 1000.0);
		if (edfwrite_annotation_utf8(w, on, dur,
					     a[k].text) < 0)
			e = VG_ERR_NOMEM;
	}
	if (edfclose_file(w) < 0 && e == VG_OK)
		e = VG_ERR_IO;
	if (e == VG_OK) {
		struct stat st;
		long long want = 0;
		int fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || fsync(fd) < 0)
			e = VG_ERR_IO;
		want = (long long)(h->edfsignals + nannot + 1) * 256;
		for (int i = 0; i < h->edfsignals; i++)
			want += 2LL * h->signalparam[i].smp_in_datarecord * nrec;
		want += (long long)nannot * ANNOT_BYTES * nrec;
		if (e == VG_OK && (long long)st.st_size != want)
			e = VG_ERR_IO; /* a write failed (disk full) */
		if (fd >= 0)
			close(fd);
	}
	if (e == VG_OK && rename(tmp, path) < 0)
		e = vg_err_from_errno(errno);
out:
	if (e != VG_OK) {
		unlink(tmp);
		vg_warnx("%s: could not put the annotations back: %s", path,
			 vg_strerror(e));
	}
	free(buf);
	return e;
}

int rec_repair(const char *path, int *changed)
{
	int dummy = 0;
	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (!path)
		return VG_ERR_INVAL;
	long long nrec = 0;
	int nannot = 0;
	int e = fix_count(path, changed, &nrec, &nannot);
	if (e < 0)
		return e;
	char jsonl[4200];
	jsonl_path_of(path, jsonl, sizeof(jsonl));
	struct annot *a = NULL;
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
	if (h->annotations_in_file < (long long)na) {
		e = rewrite(path, h, a, na, nrec, nannot);
		if (e == VG_OK) {
			vg_info("%s: %zu annotations put back from %s", path, na, jsonl);
			*changed = 1;
		}
	}
	edfclose_file(h->handle);
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
		int e = read_exact(fd, fixed, sizeof(fixed), 0);
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
