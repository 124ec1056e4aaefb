/*
 * record.c - crash-safe session recording (see record.h).
 *
 * Why EDFlib, and how crash safety is reached with it (EDFlib 1.23 source
 * and tests/unit/test_record_crash.c):
 * - EDFlib writes the header with the first data record, the record count
 *   as "-1", and calls fflush() after every completed data record. So with
 *   data records of at most 1 s, every record older than 1 s is in the
 *   kernel when the process is killed (kill -9 loses no kernel buffers).
 *   Records are completed here as soon as every signal has its samples.
 * - EDFlib writes annotations only in edfclose_file(), one per record and
 *   annotation signal, dropping the rest; so annotations are kept here and
 *   written after edfclose_file() by rec_annot_store() (record_annot.c:
 *   packed, more annotation signals when needed). A killed recording has
 *   "-1" records, maybe a partial last record, and no annotations; EDFlib
 *   refuses to open it. So each annotation also goes at once to the
 *   JSON-lines file as a
 *   "rec.annotation" line (flushed by rec_sync() every second), and
 *   rec_repair() sets the count from the file size, cuts the partial
 *   record and rewrites the file through EDFlib with the annotations from
 *   the JSON-lines file the same way. EDFlib has no flush or header-update call for
 *   writers, and patching its file behind its back while it is open would
 *   race with its own buffered writes, so repair happens after the fact.
 * - Write failures: EDFlib ignores fflush() errors, so after each record
 *   the file's size (fstat on a second, read-only descriptor) is compared
 *   with what must be there; the cause of a short file is found with
 *   getrlimit(RLIMIT_FSIZE) and statvfs() (size limit, disk full,
 *   read-only). The JSON-lines file is written with write(2) from our own
 *   buffer (its errno is the cause). The first failure of a file is
 *   returned once as VG_ERR_NOSPACE, VG_ERR_FBIG, VG_ERR_ROFS or VG_ERR_IO;
 *   the file is then abandoned and what it misses is counted. SIGXFSZ must
 *   be ignored by the program (daemon/loop.c) or a size limit kills it.
 * Files are created 0600 (O_CREAT mode; EDFlib reopens the file it finds).
 * Samples: each signal has a ring of REC_RING_RECORDS records of 16-bit
 * digital values, allocated at open; the quantisation is done here (the
 * physical range is first rounded to the 8 characters the EDF header
 * holds, so writer and reader use the same scale) and written with
 * edfwrite_digital_short_samples(). A signal more than the ring ahead of
 * another forces the oldest record out, the late signal's part filled and
 * annotated as a gap (its samples arriving later are counted lost).
 * Record duration: the longest duration of at most 1 s (in EDFlib's 10 us
 * steps) that makes every rate a whole number of samples per record.
 * References: EDF+ specification (edfplus.info/specs/edfplus.html),
 * EDFlib (gitlab.com/Teuniz/EDFlib, edflib.h).
 * Limits: see record.h.
 */
#include "record.h"
#include "record_int.h"
#include "driver.h"
#include "proto.h"
#include "vg_err.h"
#include "vg_log.h"
#include "vg_pseudo.h"

#include <edflib.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define DIG_MIN (-32768)
#define DIG_MAX 32767
#define ANNOT_SIGNALS 2           /* EDF+ annotation signals while recording (228 bytes
				     of packed TALs per record); more are added at close
				     when the annotations need them */
#define REC_UNIT_10US 100000      /* 1 s in EDFlib's record-duration unit (10 us) */
#define JSONL_BUF 65536           /* bytes of JSON lines buffered between syncs */
#define NAME_MAX_CLIENT 64
#define CODE_MAX 40
#define ANNOT_FIRST_CAP 256       /* annotations kept before the list first grows */
#define EDF_TEXT_LABEL 16
#define EDF_TEXT_UNIT 8
#define EDF_TEXT_LONG 80

struct rec_sig {
	char label[EDF_TEXT_LABEL + 1];
	char unit[EDF_TEXT_UNIT + 1];
	char transducer[EDF_TEXT_LONG + 1];
	char prefilter[EDF_TEXT_LONG + 1];
	double pmin, pmax;   /* as the header holds them */
	double rate_hz;
	int spr;             /* samples per record */
	double scale;        /* digital steps per physical unit */
	short filler;        /* digital value of physical 0 (clamped) */
	short *ring;         /* REC_RING_RECORDS * spr */
	uint64_t in_idx;     /* index of the next incoming sample (gaps included) */
	uint64_t valid_to;   /* ring holds samples or filler up to here */
	uint64_t gap_start;  /* open filler run */
	uint64_t gap_len;    /* 0 = none */
};

struct rec {
	struct rec_sig sig[REC_MAX_SIGNALS];
	int nsig;
	int edf;             /* EDFlib handle, -1 when closed or abandoned */
	int edf_fd;          /* read-only, for size checks */
	int jsonl_fd;
	int64_t start_ns;
	int dur_10us;        /* record duration */
	uint64_t written;    /* records written (or skipped after a failure) */
	int64_t hdr_bytes, rec_bytes;
	int edf_reported, jsonl_reported;
	uint64_t seq_annot;
	int closing;         /* padding the last record: filler is not a gap */
	struct rec_annot *annots; /* for the EDF+ file at close */
	size_t nannots, cap_annots;
	struct rec_stats st;
	char edf_path[4096];
	char jsonl_path[4096];
	size_t jlen;
	char jbuf[JSONL_BUF];
	char line[PROTO_MSG_MAX];
};

/* ---------------------------------------------------------------- helpers */
static int write_all(int fd, const struct iovec *iov_in, int n)
{
	struct iovec iov[4];
	memcpy(iov, iov_in, (size_t)n * sizeof(iov[0]));
	int i = 0;
	while (i < n) {
		ssize_t w = writev(fd, iov + i, n - i);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return vg_err_from_errno(errno);
		}
		size_t left = (size_t)w;
		while (i < n && left >= iov[i].iov_len) {
			left -= iov[i].iov_len;
			i++;
		}
		if (i < n) {
			iov[i].iov_base = (char *)iov[i].iov_base + left;
			iov[i].iov_len -= left;
		}
	}
	return VG_OK;
}

/* Round v to what the 8-character EDF header field can hold, without an
 * exponent (as EDFlib prints it). */
static double fit8(double v)
{
	char buf[64];
	for (int dec = 7; dec >= 0; dec--) {
		snprintf(buf, sizeof(buf), "%.*f", dec, v);
		if (dec > 0) { /* strip trailing zeros and point */
			char *e = buf + strlen(buf) - 1;
			while (*e == '0')
				*e-- = '\0';
			if (*e == '.')
				*e = '\0';
		}
		if (strlen(buf) <= 8)
			return strtod(buf, NULL);
	}
	return v; /* too large for 8 characters: caller rejects */
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void sanitise_client(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p && n + 1 < cap; p++) {
		char c = *p;
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		out[n++] = ok ? c : '_';
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, cap, "anonymous");
}

/* The pseudonym of the client: the given code (sanitised) or the one code
 * every tool uses for the name (common/vg_pseudo.c). */
static void client_code(const struct rec_config *cfg, char *out, size_t cap)
{
	if (cfg->client_code && *cfg->client_code) {
		sanitise_client(cfg->client_code, out, cap < CODE_MAX + 1 ? cap : CODE_MAX + 1);
		return;
	}
	vg_pseudonym(cfg->client, out, cap);
}

/* what names the client in file names and the EDF+ patient field */
static void client_name_field(const struct rec_config *cfg, char *out, size_t cap)
{
	if (cfg->identify)
		sanitise_client(cfg->client, out, cap);
	else
		client_code(cfg, out, cap);
}

const char *rec_type_of_kind(int kind)
{
	switch (kind) {
	case DRV_SIG_ECG: return "ECG";
	case DRV_SIG_EMG: return "EMG";
	case DRV_SIG_PPG: return "Pleth";
	case DRV_SIG_RESP: return "Resp";
	default: return "MISC";
	}
}

/* EDF+ types (edfplus.info/specs/edftexts.html) and what MNE reads */
static const char *const known_types[] = { "EEG", "ECG", "EOG", "ERG", "EMG", "MEG",
					   "MCG", "EP", "Temp", "Resp", "SaO2", "Light",
					   "Sound", "Event", "Pleth", "MISC", "BIO" };

/* the label's first word when it is an EDF+ type (any case), else NULL */
static const char *type_in_label(const char *label)
{
	size_t w = strcspn(label, " ");
	for (size_t i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++)
		if (strlen(known_types[i]) == w && !strncasecmp(label, known_types[i], w))
			return known_types[i];
	return NULL;
}

/* "TYPE label" as EDF+ wants it ("ECG" -> "ECG ECG": readers split the
 * type off at the space and keep "ECG" as the name) */
static void edf_label(char *out, size_t cap, const struct rec_signal *c)
{
	const char *type = c->type && *c->type ? c->type : type_in_label(c->label);
	const char *have = type_in_label(c->label);
	if (!type || (have && !strcasecmp(have, type) && strchr(c->label, ' ')))
		copy_text(out, cap, c->label); /* no type, or already "TYPE name" */
	else
		snprintf(out, cap, "%s %s", type, c->label);
}

/* largest record duration <= 1 s (10 us units) making every rate whole */
static int pick_duration(const struct rec_signal *s, int nsig)
{
	for (int d = REC_UNIT_10US; d >= 100; d--) {
		int ok = 1;
		for (int i = 0; i < nsig && ok; i++) {
			double spr = s[i].rate_hz * (double)d / REC_UNIT_10US;
			ok = spr >= 1.0 && fabs(spr - round(spr)) < 1e-6;
		}
		if (ok)
			return d;
	}
	return REC_UNIT_10US;
}

static short to_dig(const struct rec_sig *s, float v)
{
	if (isnan(v))
		return s->filler;
	double d = ((double)v - s->pmin) * s->scale + DIG_MIN;
	if (d <= DIG_MIN)
		return DIG_MIN;
	if (d >= DIG_MAX)
		return DIG_MAX;
	return (short)lround(d);
}

/* ---------------------------------------------------------------- errors */
static int fail_edf(struct rec *r, int err, const char *what)
{
	if (r->st.edf_err == 0) {
		r->st.edf_err = err;
		vg_warnx("%s: %s: %s; recording of signals stopped", r->edf_path, what,
			 vg_strerror(err));
	}
	if (r->edf >= 0) {
		/* no edfclose_file() yet: it would write more; done in rec_close */
		r->edf = -2 - r->edf; /* remember the handle, mark abandoned */
	}
	if (!r->edf_reported) {
		r->edf_reported = 1;
		return err;
	}
	return VG_OK;
}

/* Why is the file at fd shorter than want bytes? EDFlib does not say. */
static int short_write_cause(int fd, int64_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (uint64_t)want > (uint64_t)rl.rlim_cur)
		return VG_ERR_FBIG;
	struct statvfs vfs;
	if (fstatvfs(fd, &vfs) == 0) {
		if (vfs.f_flag & ST_RDONLY)
			return VG_ERR_ROFS;
		if ((uint64_t)vfs.f_bavail * vfs.f_frsize < 65536 || vfs.f_favail == 0)
			return VG_ERR_NOSPACE;
	}
	return VG_ERR_IO;
}

static int fail_jsonl(struct rec *r, int err)
{
	if (r->st.jsonl_err == 0) {
		r->st.jsonl_err = err;
		vg_warnx("%s: %s; message recording stopped", r->jsonl_path,
			 vg_strerror(err));
	}
	if (!r->jsonl_reported) {
		r->jsonl_reported = 1;
		return err;
	}
	return VG_OK;
}

static int edf_alive(const struct rec *r)
{
	return r->edf >= 0;
}

/* ---------------------------------------------------------------- JSONL */
static int jsonl_flush(struct rec *r)
{
	if (r->jlen == 0 || r->st.jsonl_err)
		return VG_OK;
	struct iovec iov = { r->jbuf, r->jlen };
	int e = write_all(r->jsonl_fd, &iov, 1);
	if (e < 0) {
		r->jlen = 0;
		return fail_jsonl(r, e);
	}
	r->st.bytes_jsonl += r->jlen;
	r->jlen = 0;
	return VG_OK;
}

static int jsonl_line(struct rec *r, const char *json, size_t len)
{
	if (r->st.jsonl_err) {
		r->st.messages_lost++;
		return VG_OK;
	}
	int rc = VG_OK;
	if (r->jlen + len + 1 > sizeof(r->jbuf)) {
		rc = jsonl_flush(r);
		if (r->st.jsonl_err) {
			r->st.messages_lost++;
			return rc;
		}
	}
	if (len + 1 > sizeof(r->jbuf)) {
		struct iovec iov[2] = { { (void *)json, len }, { "\n", 1 } };
		int e = write_all(r->jsonl_fd, iov, 2);
		if (e < 0) {
			r->st.messages_lost++;
			return fail_jsonl(r, e);
		}
		r->st.bytes_jsonl += len + 1;
	} else {
		memcpy(r->jbuf + r->jlen, json, len);
		r->jbuf[r->jlen + len] = '\n';
		r->jlen += len + 1;
	}
	r->st.messages++;
	return rc;
}

/* ---------------------------------------------------------------- EDF */
static int check_size(struct rec *r)
{
	if (!edf_alive(r) || r->written == 0)
		return VG_OK;
	struct stat st;
	if (fstat(r->edf_fd, &st) < 0)
		return fail_edf(r, vg_err_from_errno(errno), "fstat");
	int64_t want = r->hdr_bytes + (int64_t)r->written * r->rec_bytes;
	if (st.st_size < want)
		return fail_edf(r, short_write_cause(r->edf_fd, want), "short write");
	return VG_OK;
}

/* keep an annotation for the EDF+ file (written at close) */
static int annotate_edf(struct rec *r, double onset_s, double duration_s, const char *text)
{
	if (r->nannots == r->cap_annots) {
		size_t cap = r->cap_annots ? r->cap_annots * 2 : ANNOT_FIRST_CAP;
		struct rec_annot *a = realloc(r->annots, cap * sizeof(*a));
		if (!a) {
			vg_warnx("%s: out of memory: annotation \"%s\" only in %s", r->edf_path,
				 text, r->jsonl_path);
			return VG_ERR_NOMEM;
		}
		r->annots = a;
		r->cap_annots = cap;
	}
	struct rec_annot *a = &r->annots[r->nannots++];
	a->onset_ns = llround(onset_s * 1e9);
	a->dur_ns = duration_s >= 0 ? llround(duration_s * 1e9) : -1;
	rec_cut_utf8(a->text, text);
	return VG_OK;
}

/* an annotation to both files; onset/duration in seconds from the start.
 * The JSON line has the whole text. */
static int annotate(struct rec *r, double onset_s, double duration_s, const char *text)
{
	char esc[2048];
	if (onset_s < 0)
		onset_s = 0;
	r->st.annotations++;
	int rc = annotate_edf(r, onset_s, duration_s, text);
	char dur[32];
	if (duration_s >= 0)
		snprintf(dur, sizeof(dur), "%.7f", duration_s);
	else
		snprintf(dur, sizeof(dur), "null");
	int n = snprintf(r->line, sizeof(r->line),
			 "{\"topic\":\"rec.annotation\",\"v\":%d,\"seq\":%llu,\"t_ns\":%lld,"
			 "\"onset_s\":%.7f,\"duration_s\":%s,\"text\":\"%s\"}",
			 PROTO_VERSION, (unsigned long long)r->seq_annot++,
			 (long long)(r->start_ns + llround(onset_s * 1e9)), onset_s, dur,
			 proto_json_escape(text, esc, sizeof(esc)));
	int rc2 = jsonl_line(r, r->line, (size_t)n);
	return rc < 0 ? rc : rc2;
}

static int close_gap(struct rec *r, struct rec_sig *s)
{
	if (s->gap_len == 0)
		return VG_OK;
	char text[EDF_TEXT_LABEL + 8]; /* the whole EDF+ label: readers match it */
	snprintf(text, sizeof(text), "gap %s", s->label);
	int rc = annotate(r, (double)s->gap_start / s->rate_hz,
			  (double)s->gap_len / s->rate_hz, text);
	s->gap_len = 0;
	return rc;
}

static void fill(struct rec_sig *s, uint64_t count, struct rec *r)
{
	uint64_t ringlen = (uint64_t)s->spr * REC_RING_RECORDS;
	if (r->closing) {
		/* padding after the data: not a gap of the source */
	} else if (s->gap_len && s->gap_start + s->gap_len == s->valid_to) {
		s->gap_len += count;
	} else {
		close_gap(r, s);
		s->gap_start = s->valid_to;
		s->gap_len = count;
	}
	for (uint64_t k = 0; k < count; k++)
		s->ring[(s->valid_to + k) % ringlen] = s->filler;
	s->valid_to += count;
	r->st.samples_filled += count;
}

/* Write record r->written from the rings (every signal must have it). */
static int write_record(struct rec *r)
{
	int rc = VG_OK;
	if (edf_alive(r)) {
		for (int i = 0; i < r->nsig; i++) {
			struct rec_sig *s = &r->sig[i];
			short *p = s->ring + (r->written % REC_RING_RECORDS) * (uint64_t)s->spr;
			errno = 0;
			if (edfwrite_digital_short_samples(r->edf, p) < 0) {
				int e = errno == ENOSPC || errno == EDQUOT || errno == EFBIG ||
						errno == EROFS
					? vg_err_from_errno(errno)
					: short_write_cause(r->edf_fd, r->hdr_bytes +
						(int64_t)(r->written + 1) * r->rec_bytes);
				rc = fail_edf(r, e, "write");
				break;
			}
		}
	}
	if (!edf_alive(r)) {
		for (int i = 0; i < r->nsig; i++)
			r->st.samples_lost += (uint64_t)r->sig[i].spr;
		r->written++;
		return rc;
	}
	r->written++;
	r->st.records = r->written;
	r->st.bytes_edf = (uint64_t)(r->hdr_bytes + (int64_t)r->written * r->rec_bytes);
	return check_size(r);
}

static int record_complete(const struct rec *r)
{
	for (int i = 0; i < r->nsig; i++)
		if (r->sig[i].valid_to < (r->written + 1) * (uint64_t)r->sig[i].spr)
			return 0;
	return 1;
}

static int write_complete(struct rec *r)
{
	int rc = VG_OK;
	while (record_complete(r)) {
		int e = write_record(r);
		if (e < 0)
			rc = e;
	}
	return rc;
}

/* Force record r->written out: signals that have not reached its end get
 * filler up to it. */
static int force_record(struct rec *r)
{
	for (int i = 0; i < r->nsig; i++) {
		struct rec_sig *s = &r->sig[i];
		uint64_t end = (r->written + 1) * (uint64_t)s->spr;
		if (s->valid_to < end)
			fill(s, end - s->valid_to, r);
	}
	return write_complete(r);
}

/* room in the ring of s before the oldest unwritten record would be hit */
static uint64_t ring_room(const struct rec *r, const struct rec_sig *s)
{
	uint64_t lim = (r->written + REC_RING_RECORDS) * (uint64_t)s->spr;
	return lim > s->valid_to ? lim - s->valid_to : 0;
}

/* ---------------------------------------------------------------- API */
int rec_samples(struct rec *r, int sig, const float *v, size_t n)
{
	if (!r || sig < 0 || sig >= r->nsig || (!v && n))
		return VG_ERR_INVAL;
	struct rec_sig *s = &r->sig[sig];
	if (!edf_alive(r)) {
		r->st.samples_lost += n;
		s->in_idx += n;
		return VG_OK;
	}
	int rc = VG_OK;
	size_t i = 0;
	/* samples whose place was already filled (forced out) are late */
	if (s->in_idx < s->valid_to) {
		uint64_t late = s->valid_to - s->in_idx;
		if (late > n)
			late = n;
		r->st.samples_lost += late;
		s->in_idx += late;
		i = (size_t)late;
	}
	if (i < n && s->gap_len) {
		int e = close_gap(r, s);
		if (e < 0)
			rc = e;
	}
	uint64_t ringlen = (uint64_t)s->spr * REC_RING_RECORDS;
	while (i < n && edf_alive(r)) {
		uint64_t room = ring_room(r, s);
		if (room == 0) {
			int e = force_record(r);
			if (e < 0)
				rc = e;
			continue;
		}
		size_t chunk = n - i < room ? n - i : (size_t)room;
		for (size_t k = 0; k < chunk; k++)
			s->ring[(s->valid_to + k) % ringlen] = to_dig(s, v[i + k]);
		s->valid_to += chunk;
		s->in_idx += chunk;
		i += chunk;
		int e = write_complete(r);
		if (e < 0)
			rc = e;
	}
	if (i < n) { /* the file failed meanwhile */
		r->st.samples_lost += n - i;
		s->in_idx += n - i;
	}
	return rc;
}

int rec_gap(struct rec *r, int sig, uint64_t n_missing)
{
	if (!r || sig < 0 || sig >= r->nsig)
		return VG_ERR_INVAL;
	struct rec_sig *s = &r->sig[sig];
	if ((double)n_missing > s->rate_hz * 86400.0) /* a day: not a gap, a bug */
		return VG_ERR_RANGE;
	uint64_t skip = s->valid_to > s->in_idx ? s->valid_to - s->in_idx : 0;
	if (skip > n_missing)
		skip = n_missing;
	s->in_idx += skip;
	uint64_t left = n_missing - skip;
	if (!edf_alive(r)) {
		s->in_idx += left;
		return VG_OK;
	}
	int rc = VG_OK;
	while (left > 0 && edf_alive(r)) {
		uint64_t room = ring_room(r, s);
		if (room == 0) {
			int e = force_record(r);
			if (e < 0)
				rc = e;
			continue;
		}
		uint64_t chunk = left < room ? left : room;
		fill(s, chunk, r);
		s->in_idx += chunk;
		left -= chunk;
		int e = write_complete(r);
		if (e < 0)
			rc = e;
	}
	s->in_idx += left;
	return rc;
}

int rec_annotation(struct rec *r, int64_t t_ns, double duration_s, const char *text)
{
	if (!r || !text)
		return VG_ERR_INVAL;
	return annotate(r, (double)(t_ns - r->start_ns) * 1e-9, duration_s, text);
}

int rec_message(struct rec *r, const char *json, size_t len)
{
	if (!r || (!json && len))
		return VG_ERR_INVAL;
	if (memchr(json, '\n', len)) {
		r->st.messages_lost++;
		return VG_ERR_INVAL;
	}
	return jsonl_line(r, json, len);
}

int rec_sync(struct rec *r)
{
	if (!r)
		return VG_ERR_INVAL;
	int a = jsonl_flush(r);
	int b = check_size(r);
	return a < 0 ? a : b;
}

const struct rec_stats *rec_stats(const struct rec *r)
{
	return &r->st;
}

int rec_stats_json(const struct rec *r, char *buf, size_t cap)
{
	char e[2][sizeof(r->edf_path) + 256];
	const struct rec_stats *st = &r->st;
	int n = snprintf(buf, cap,
			 "{\"edf\":\"%s\",\"jsonl\":\"%s\",\"edf_error\":%s%s%s,"
			 "\"jsonl_error\":%s%s%s,\"records\":%llu,\"bytes_edf\":%llu,"
			 "\"bytes_jsonl\":%llu,\"samples_lost\":%llu,\"samples_filled\":%llu,"
			 "\"messages\":%llu,\"messages_lost\":%llu,\"annotations\":%llu}",
			 proto_json_escape(r->edf_path, e[0], sizeof(e[0])),
			 proto_json_escape(r->jsonl_path, e[1], sizeof(e[1])),
			 st->edf_err ? "\"" : "", st->edf_err ? vg_strerror(st->edf_err) : "null",
			 st->edf_err ? "\"" : "",
			 st->jsonl_err ? "\"" : "",
			 st->jsonl_err ? vg_strerror(st->jsonl_err) : "null",
			 st->jsonl_err ? "\"" : "",
			 (unsigned long long)st->records, (unsigned long long)st->bytes_edf,
			 (unsigned long long)st->bytes_jsonl,
			 (unsigned long long)st->samples_lost,
			 (unsigned long long)st->samples_filled,
			 (unsigned long long)st->messages,
			 (unsigned long long)st->messages_lost,
			 (unsigned long long)st->annotations);
	return n < 0 || (size_t)n >= cap ? VG_ERR_TRUNC : n;
}

const char *rec_edf_path(const struct rec *r)
{
	return r->edf_path;
}

const char *rec_jsonl_path(const struct rec *r)
{
	return r->jsonl_path;
}

/* ---------------------------------------------------------------- open */
/* warn when group or others can enter dir (health data) */
static void check_dir_mode(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077))
		vg_warnx("record directory %s is open to %s (mode %04o): recordings hold "
			 "health data; fix: chmod 700 %s", dir,
			 (st.st_mode & 007) ? "every user" : "its group",
			 (unsigned)(st.st_mode & 07777), dir);
}

int rec_dir_prepare(const char *dir)
{
	if (!dir || !*dir)
		return VG_ERR_INVAL;
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return VG_ERR_RANGE;
	for (char *p = path + 1; ; p++) { /* parents first, each 0700 */
		int last = *p == '\0';
		if (*p == '/' || last) {
			char c = *p;
			*p = '\0';
			if (mkdir(path, 0700) < 0 && errno != EEXIST) {
				int e = vg_err_from_errno(errno);
				vg_warn("cannot create the record directory %s", path);
				return e;
			}
			*p = c;
		}
		if (last)
			break;
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		vg_warnx("record directory %s: not a directory", dir);
		return VG_ERR_NOTFOUND;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		int e = vg_err_from_errno(errno);
		vg_warn("record directory %s", dir);
		return e;
	}
	check_dir_mode(dir);
	return VG_OK;
}

static int make_paths(struct rec *r, const struct rec_config *cfg)
{
	char client[NAME_MAX_CLIENT + 1], stamp[32];
	client_name_field(cfg, client, sizeof(client));
	check_dir_mode(cfg->dir);
	time_t t = (time_t)(cfg->start_ns / 1000000000LL);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return VG_ERR_RANGE;
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int k = 1; k < 100; k++) {
		char suffix[8] = "";
		if (k > 1)
			snprintf(suffix, sizeof(suffix), "-%d", k);
		int n1 = snprintf(r->edf_path, sizeof(r->edf_path), "%s/%s_%s%s.edf",
				  cfg->dir, stamp, client, suffix);
		int n2 = snprintf(r->jsonl_path, sizeof(r->jsonl_path), "%s/%s_%s%s.jsonl",
				  cfg->dir, stamp, client, suffix);
		if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(r->edf_path) ||
		    (size_t)n2 >= sizeof(r->jsonl_path))
			return VG_ERR_RANGE;
		int fd = open(r->edf_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			int e = vg_err_from_errno(errno);
			vg_warn("%s", r->edf_path);
			return e;
		}
		close(fd);
		r->jsonl_fd = open(r->jsonl_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (r->jsonl_fd < 0) {
			int e = errno;
			unlink(r->edf_path);
			if (e == EEXIST)
				continue;
			errno = e;
			vg_warn("%s", r->jsonl_path);
			return vg_err_from_errno(e);
		}
		return VG_OK;
	}
	return VG_ERR_BUSY;
}

static int check_config(const struct rec_config *cfg)
{
	if (!cfg || !cfg->dir || !cfg->signals || cfg->nsig < 1 ||
	    cfg->nsig > REC_MAX_SIGNALS)
		return VG_ERR_INVAL;
	for (int i = 0; i < cfg->nsig; i++) {
		const struct rec_signal *s = &cfg->signals[i];
		if (!s->label || !s->unit || !(s->rate_hz > 0) || !(s->rate_hz < 1e6) ||
		    !(s->phys_min < s->phys_max) || fabs(s->phys_min) > 9.9e7 ||
		    fabs(s->phys_max) > 9.9e7)
			return VG_ERR_INVAL;
		if (fit8(s->phys_min) >= fit8(s->phys_max))
			return VG_ERR_INVAL;
	}
	time_t t = (time_t)(cfg->start_ns / 1000000000LL);
	struct tm tm;
	if (cfg->start_ns < 0 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1985 ||
	    tm.tm_year + 1900 > 2084)
		return VG_ERR_RANGE;
	return VG_OK;
}

static void setup_signal(struct rec_sig *s, const struct rec_signal *c, int dur_10us)
{
	edf_label(s->label, sizeof(s->label), c);
	if (!strcmp(c->unit, "µV") || !strcmp(c->unit, "\xb5V"))
		copy_text(s->unit, sizeof(s->unit), "uV");
	else
		copy_text(s->unit, sizeof(s->unit), c->unit);
	copy_text(s->transducer, sizeof(s->transducer), c->transducer);
	copy_text(s->prefilter, sizeof(s->prefilter), c->prefilter);
	s->pmin = fit8(c->phys_min);
	s->pmax = fit8(c->phys_max);
	s->rate_hz = c->rate_hz;
	s->spr = (int)lround(c->rate_hz * dur_10us / REC_UNIT_10US);
	if (s->spr < 1)
		s->spr = 1;
	s->scale = (double)(DIG_MAX - DIG_MIN) / (s->pmax - s->pmin);
	double zero = s->pmin > 0 ? s->pmin : (s->pmax < 0 ? s->pmax : 0.0);
	s->filler = 0;
	s->filler = to_dig(s, (float)zero);
}

static int setup_edf(struct rec *r, const struct rec_config *cfg)
{
	int h = edfopen_file_writeonly(r->edf_path, EDFLIB_FILETYPE_EDFPLUS, r->nsig);
	if (h < 0) {
		vg_warnx("%s: EDFlib cannot open it (%d)", r->edf_path, h);
		return h == EDFLIB_MALLOC_ERROR ? VG_ERR_NOMEM : VG_ERR_IO;
	}
	r->edf = h;
	time_t t = (time_t)(cfg->start_ns / 1000000000LL);
	struct tm tm;
	gmtime_r(&t, &tm);
	char client[NAME_MAX_CLIENT + 1], extra[EDF_TEXT_LONG + 1];
	client_name_field(cfg, client, sizeof(client));
	snprintf(extra, sizeof(extra), "UTC%s technique=%s",
		 cfg->simulated ? " SIMULATED" : "",
		 cfg->technique && *cfg->technique ? cfg->technique : "none");
	int bad = 0;
	bad |= edf_set_startdatetime(h, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				     tm.tm_hour, tm.tm_min, tm.tm_sec);
	bad |= edf_set_subsecond_starttime(h, (int)((cfg->start_ns % 1000000000LL) / 100));
	bad |= edf_set_patientcode(h, client);
	bad |= edf_set_equipment(h, cfg->simulated ? "vagusd-simulator" : "vagusd");
	bad |= edf_set_recording_additional(h, extra);
	bad |= edf_set_number_of_annotation_signals(h, ANNOT_SIGNALS);
	if (r->dur_10us != REC_UNIT_10US)
		bad |= edf_set_datarecord_duration(h, r->dur_10us);
	r->rec_bytes = ANNOT_SIGNALS * 114;
	for (int i = 0; i < r->nsig; i++) {
		struct rec_sig *s = &r->sig[i];
		bad |= edf_set_samplefrequency(h, i, s->spr);
		bad |= edf_set_physical_maximum(h, i, s->pmax);
		bad |= edf_set_physical_minimum(h, i, s->pmin);
		bad |= edf_set_digital_maximum(h, i, DIG_MAX);
		bad |= edf_set_digital_minimum(h, i, DIG_MIN);
		bad |= edf_set_label(h, i, s->label);
		bad |= edf_set_physical_dimension(h, i, s->unit);
		bad |= edf_set_transducer(h, i, s->transducer);
		bad |= edf_set_prefilter(h, i, s->prefilter);
		r->rec_bytes += 2 * (int64_t)s->spr;
	}
	r->hdr_bytes = (int64_t)(r->nsig + ANNOT_SIGNALS + 1) * 256;
	if (bad) {
		vg_warnx("%s: EDFlib refused a header field", r->edf_path);
		return VG_ERR_INVAL;
	}
	r->edf_fd = open(r->edf_path, O_RDONLY | O_CLOEXEC);
	return r->edf_fd < 0 ? vg_err_from_errno(errno) : VG_OK;
}

static int write_start_line(struct rec *r, const struct rec_config *cfg)
{
	char esc[3][256], code[NAME_MAX_CLIENT + 1];
	client_code(cfg, code, sizeof(code));
	const char *base = strrchr(r->edf_path, '/');
	base = base ? base + 1 : r->edf_path;
	size_t cap = sizeof(r->line);
	int n = snprintf(r->line, cap,
			 "{\"topic\":\"rec.start\",\"v\":%d,\"seq\":0,\"t_ns\":%lld,"
			 "\"edf\":\"%s\",\"client\":\"%s\",\"client_code\":\"%s\","
			 "\"identified\":%s,\"simulated\":%s,\"technique\":\"%s\","
			 "\"record_s\":%.5f,\"signals\":[",
			 PROTO_VERSION, (long long)cfg->start_ns,
			 proto_json_escape(base, esc[0], sizeof(esc[0])),
			 proto_json_escape(cfg->client ? cfg->client : "", esc[1], sizeof(esc[1])),
			 code, cfg->identify ? "true" : "false", cfg->simulated ? "true" : "false",
			 proto_json_escape(cfg->technique ? cfg->technique : "", esc[2],
					   sizeof(esc[2])),
			 r->dur_10us / (double)REC_UNIT_10US);
	for (int i = 0; i < r->nsig && n > 0 && (size_t)n < cap; i++) {
		const struct rec_sig *s = &r->sig[i];
		n += snprintf(r->line + n, cap - (size_t)n,
			      "%s{\"label\":\"%s\",\"unit\":\"%s\",\"rate_hz\":%.6f,"
			      "\"samples_per_record\":%d,\"phys_min\":%.6g,\"phys_max\":%.6g}",
			      i ? "," : "", proto_json_escape(s->label, esc[0], sizeof(esc[0])),
			      proto_json_escape(s->unit, esc[1], sizeof(esc[1])), s->rate_hz,
			      s->spr, s->pmin, s->pmax);
	}
	if (n < 0 || (size_t)n + 3 >= cap)
		return VG_ERR_TRUNC;
	n += snprintf(r->line + n, cap - (size_t)n, "]}");
	return jsonl_line(r, r->line, (size_t)n);
}

static void free_rec(struct rec *r)
{
	for (int i = 0; i < REC_MAX_SIGNALS; i++)
		free(r->sig[i].ring);
	free(r->annots);
	free(r);
}

struct rec *rec_open(const struct rec_config *cfg, int *err)
{
	int e = check_config(cfg);
	struct rec *r = NULL;
	if (e < 0)
		goto fail;
	e = VG_ERR_NOMEM;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	r->edf = -1;
	r->edf_fd = -1;
	r->jsonl_fd = -1;
	r->nsig = cfg->nsig;
	r->start_ns = cfg->start_ns;
	r->dur_10us = pick_duration(cfg->signals, cfg->nsig);
	for (int i = 0; i < r->nsig; i++) {
		setup_signal(&r->sig[i], &cfg->signals[i], r->dur_10us);
		r->sig[i].ring = calloc((size_t)r->sig[i].spr * REC_RING_RECORDS,
					sizeof(short));
		if (!r->sig[i].ring)
			goto fail_free;
		double got = r->sig[i].spr * (double)REC_UNIT_10US / r->dur_10us;
		if (fabs(got - r->sig[i].rate_hz) > 1e-6 * r->sig[i].rate_hz)
			vg_warnx("%s: rate %.6f Hz recorded as %.6f Hz", r->sig[i].label,
				 r->sig[i].rate_hz, got);
	}
	e = make_paths(r, cfg);
	if (e < 0)
		goto fail_free;
	e = setup_edf(r, cfg);
	if (e < 0)
		goto fail_files;
	e = write_start_line(r, cfg);
	if (e >= 0 && (e = jsonl_flush(r)) >= 0 && r->st.jsonl_err)
		e = r->st.jsonl_err;
	if (e < 0)
		goto fail_files;
	if (cfg->technique && *cfg->technique) {
		char text[EDF_ANNOT_TEXT + 1];
		snprintf(text, sizeof(text), "technique %s", cfg->technique);
		annotate(r, 0.0, -1, text);
	}
	vg_info("recording to %s", r->edf_path);
	return r;
fail_files:
	if (r->edf >= 0)
		edfclose_file(r->edf);
	if (r->edf_fd >= 0)
		close(r->edf_fd);
	if (r->jsonl_fd >= 0)
		close(r->jsonl_fd);
	unlink(r->edf_path);
	unlink(r->jsonl_path);
fail_free:
	free_rec(r);
	r = NULL;
fail:
	if (err)
		*err = e;
	return NULL;
}

/* ---------------------------------------------------------------- close */
int rec_write_summary(const struct rec *r, const char *md)
{
	if (!r || !md)
		return VG_ERR_INVAL;
	char path[sizeof(r->edf_path) + 16];
	size_t n = strlen(r->edf_path);
	snprintf(path, sizeof(path), "%.*s.summary.md", (int)(n > 4 ? n - 4 : n), r->edf_path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int e = VG_OK;
	if (fd < 0) {
		e = vg_err_from_errno(errno);
	} else {
		struct iovec iov = { (void *)md, strlen(md) };
		e = write_all(fd, &iov, 1);
		if (e == VG_OK && fsync(fd) < 0)
			e = vg_err_from_errno(errno);
		if (close(fd) < 0 && e == VG_OK)
			e = vg_err_from_errno(errno);
	}
	if (e < 0)
		vg_warnx("%s: %s", path, vg_strerror(e));
	return e;
}

void rec_close(struct rec **rp)
{
	if (!rp || !*rp)
		return;
	struct rec *r = *rp;
	double data_s = 0;
	for (int i = 0; i < r->nsig; i++) {
		double t = (double)r->sig[i].valid_to / r->sig[i].rate_hz;
		if (t > data_s)
			data_s = t;
		close_gap(r, &r->sig[i]); /* gaps the source reported up to the end */
	}
	/* the last, partial record(s): padded with filler, not a gap */
	r->closing = 1;
	if (edf_alive(r)) {
		int pending = r->written == 0;
		for (int i = 0; i < r->nsig; i++)
			if (r->sig[i].valid_to > r->written * (uint64_t)r->sig[i].spr)
				pending = 1;
		while (pending && edf_alive(r)) {
			force_record(r);
			pending = 0;
			for (int i = 0; i < r->nsig; i++)
				if (r->sig[i].valid_to > r->written * (uint64_t)r->sig[i].spr)
					pending = 1;
		}
	}
	int handle = r->edf >= 0 ? r->edf : (r->edf <= -2 ? -2 - r->edf : -1);
	if (handle >= 0)
		edfclose_file(handle);
	if (r->edf_fd >= 0) {
		fdatasync(r->edf_fd);
		close(r->edf_fd);
	}
	int have_file = handle >= 0 && r->st.records > 0;
	if (r->st.edf_err && have_file) {
		int e = rec_repair_count(r->edf_path, NULL);
		if (e < 0) {
			vg_warnx("%s: repair after the write failure: %s", r->edf_path,
				 vg_strerror(e));
			have_file = 0;
		}
	}
	struct rec_annot_result res = { 0 };
	if (have_file && r->nannots > 0)
		rec_annot_store(r->edf_path, r->annots, r->nannots, &res);
	r->st.annotations_edf = res.written;
	r->st.annotations_merged = res.merged;
	double secs = (double)r->written * r->dur_10us / REC_UNIT_10US;
	int n = snprintf(r->line, sizeof(r->line),
			 "{\"topic\":\"rec.end\",\"v\":%d,\"seq\":0,\"t_ns\":%lld,"
			 "\"records\":%llu,\"data_s\":%.6f,\"samples_lost\":%llu,"
			 "\"samples_filled\":%llu,\"messages_lost\":%llu,\"annotations\":%llu,"
			 "\"annotations_edf\":%llu,\"annotations_merged\":%llu,"
			 "\"annotation_signals\":%d,\"edf_error\":%s%s%s}",
			 PROTO_VERSION, (long long)(r->start_ns + llround(secs * 1e9)),
			 (unsigned long long)r->written, data_s,
			 (unsigned long long)r->st.samples_lost,
			 (unsigned long long)r->st.samples_filled,
			 (unsigned long long)r->st.messages_lost,
			 (unsigned long long)r->st.annotations,
			 (unsigned long long)res.written, (unsigned long long)res.merged,
			 res.annot_signals,
			 r->st.edf_err ? "\"" : "",
			 r->st.edf_err ? vg_strerror(r->st.edf_err) : "null",
			 r->st.edf_err ? "\"" : "");
	jsonl_line(r, r->line, (size_t)n);
	jsonl_flush(r);
	if (r->jsonl_fd >= 0) {
		fdatasync(r->jsonl_fd);
		close(r->jsonl_fd);
	}
	free_rec(r);
	*rp = NULL;
}
