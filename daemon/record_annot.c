/*
 * record_annot.c - put every annotation of a recording into its EDF+ file
 * (see record_int.h: rec_annot_store).
 *
 * Problem: EDFlib (1.23) writes one annotation per annotation signal and
 * data record, in the order they were made, and silently drops the rest:
 * with 2 annotation signals a source dropping 2 % of its frames made 1,032
 * gap annotations of which 34 reached the file. The number of annotation
 * signals is fixed in the header, which goes out with the first record,
 * long before anyone knows how many annotations a session will make.
 * Approach: the recorder keeps its annotations itself (and in the JSON
 * lines) and, once EDFlib has closed the file, writes them here:
 * 1. TALs (edfplus.info/specs/edfplus.html, 2.2) are packed, several per
 *    annotation signal, each into the data record that holds its onset or,
 *    when that is full, the next one with room (an EDF+ onset is relative
 *    to the file start, so any record may carry it); when the end is
 *    reached the search starts again at record 0.
 * 2. When they do not fit, the file is rewritten with more annotation
 *    signals (4, 8, ... up to 64, as EDFlib allows) into NAME.annot, then
 *    renamed over it: data bytes copied unchanged, header fields kept.
 * 3. Only when 64 signals are not enough (more than ~190 gap annotations
 *    per 1-s record for the whole session), consecutive "gap LABEL"
 *    annotations of the same channel are merged into one spanning
 *    annotation (closest first), counted; what still does not fit is
 *    counted as dropped (the JSON lines have everything).
 * Each data record's first annotation signal starts with its time-keeping
 * TAL, regenerated from the record duration and record 0's own TAL.
 * Onsets and durations are written to 100 ns.
 * Limits: 16-bit EDF+ with the record count set (rec_close/rec_repair do
 * that first); the rewrite needs the disk space of one more copy (when it
 * fails the annotations are packed into the signals the file has); texts
 * are cut to EDF_ANNOT_TEXT bytes; allocates (runs at close, not per sample).
 */
#include "record_int.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR_FIXED 256
#define SIG_HDR 256
#define ANNOT_SPR 57           /* samples (x2 bytes) of a new annotation signal, as EDFlib */
#define ANNOT_MAX_SIGNALS 64   /* EDFlib's limit */
#define TAL_MAX 96             /* one TAL: onset, duration, 40-byte text, separators */
#define MAX_SIGNALS 640

struct edfh {
	int ns;               /* signals in the file */
	long long nrec;
	int64_t dur_100ns;    /* record duration */
	int64_t tk0_100ns;    /* record 0's time-keeping onset (sub-second start) */
	long long rec_bytes;
	int spr[MAX_SIGNALS];
	int is_annot[MAX_SIGNALS];
	long long off[MAX_SIGNALS]; /* byte offset of each signal in a record */
	int nannot;
	int annot_idx[MAX_SIGNALS];
	int slot_bytes;       /* bytes of the smallest annotation signal */
	char *hdr;            /* the whole header */
	long hdr_bytes;
};

/* scratch of the planner, per record */
struct work {
	int *cur_sig;         /* annotation signal being filled */
	int *used;            /* bytes used in it */
	long long *nxt;       /* union-find: next record that may have room */
};

/* a planned placement */
struct place {
	int nannot, slot_bytes;
	long long nrec;
	long long *where;     /* per annotation: record * nannot + signal, -1 = none */
};

int rec_read_at(int fd, void *buf, size_t n, off_t off)
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

static int write_at(int fd, const void *buf, size_t n, off_t off)
{
	size_t put = 0;
	while (put < n) {
		ssize_t w = pwrite(fd, (const char *)buf + put, n - put, off + (off_t)put);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return vg_err_from_errno(errno);
		put += (size_t)w;
	}
	return VG_OK;
}

static long long field_ll(const char *p, size_t n, int *ok)
{
	char buf[24];
	if (n >= sizeof(buf)) {
		*ok = 0;
		return 0;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	while (*end == ' ')
		end++;
	if (errno || end == buf || *end)
		*ok = 0;
	return v;
}

/* "12.3456" (seconds, optional sign) -> 100 ns units; -1 when malformed */
static int64_t parse_100ns(const char *p, size_t n)
{
	int64_t whole = 0, frac = 0;
	int digits = 0, neg = 0, seen = 0;
	size_t i = 0;
	if (i < n && (p[i] == '+' || p[i] == '-'))
		neg = p[i++] == '-';
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, seen = 1)
		if (whole < 100000000000LL)
			whole = whole * 10 + (p[i] - '0');
	if (i < n && p[i] == '.')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++, seen = 1)
			if (digits < 7) {
				frac = frac * 10 + (p[i] - '0');
				digits++;
			}
	while (i < n && p[i] == ' ')
		i++;
	if (!seen || i != n)
		return -1;
	for (; digits < 7; digits++)
		frac *= 10;
	int64_t v = whole * 10000000LL + frac;
	return neg ? -v : v;
}

/* "+S[.FFFFFFF]" without trailing zeros; returns the length */
static int fmt_time(char *out, size_t cap, int64_t t_100ns, int sign)
{
	int64_t s = t_100ns / 10000000LL, f = t_100ns % 10000000LL;
	int n = snprintf(out, cap, "%s%" PRId64, sign ? "+" : "", s);
	if (f && n > 0 && (size_t)n < cap) {
		char fr[16];
		snprintf(fr, sizeof(fr), "%07" PRId64, f);
		int k = 7;
		while (k > 0 && fr[k - 1] == '0')
			fr[--k] = '\0';
		n += snprintf(out + n, cap - (size_t)n, ".%s", fr);
	}
	return n;
}

static void free_hdr(struct edfh *h)
{
	free(h->hdr);
	h->hdr = NULL;
}

static int load_header(int fd, struct edfh *h)
{
	char fixed[HDR_FIXED];
	int e = rec_read_at(fd, fixed, sizeof(fixed), 0);
	if (e < 0)
		return e;
	int ok = 1;
	if (memcmp(fixed, "0       ", 8) != 0)
		return VG_ERR_PARSE;
	h->hdr_bytes = (long)field_ll(fixed + 184, 8, &ok);
	h->ns = (int)field_ll(fixed + 252, 4, &ok);
	h->nrec = field_ll(fixed + 236, 8, &ok);
	if (!ok || h->ns < 1 || h->ns > MAX_SIGNALS ||
	    h->hdr_bytes != (long)(h->ns + 1) * SIG_HDR || h->nrec < 1)
		return VG_ERR_PARSE;
	size_t dn = 8;
	while (dn > 0 && fixed[244 + dn - 1] == ' ')
		dn--;
	h->dur_100ns = parse_100ns(fixed + 244, dn);
	if (h->dur_100ns <= 0)
		return VG_ERR_PARSE;
	h->hdr = malloc((size_t)h->hdr_bytes);
	if (!h->hdr)
		return VG_ERR_NOMEM;
	e = rec_read_at(fd, h->hdr, (size_t)h->hdr_bytes, 0);
	if (e < 0)
		return e;
	h->rec_bytes = 0;
	h->nannot = 0;
	h->slot_bytes = 1 << 30;
	for (int i = 0; i < h->ns; i++) {
		h->spr[i] = (int)field_ll(h->hdr + HDR_FIXED + h->ns * 216 + i * 8, 8, &ok);
		if (!ok || h->spr[i] < 1)
			return VG_ERR_PARSE;
		h->is_annot[i] = !strncmp(h->hdr + HDR_FIXED + i * 16, "EDF Annotations", 15);
		h->off[i] = h->rec_bytes;
		h->rec_bytes += 2LL * h->spr[i];
		if (h->is_annot[i]) {
			h->annot_idx[h->nannot++] = i;
			if (2 * h->spr[i] < h->slot_bytes)
				h->slot_bytes = 2 * h->spr[i];
		}
	}
	if (h->nannot == 0)
		return VG_ERR_PARSE; /* plain EDF: no place for annotations */
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vg_err_from_errno(errno);
	if ((long long)st.st_size < h->hdr_bytes + h->nrec * h->rec_bytes)
		return VG_ERR_TRUNC;
	/* record 0's time keeping: "+0.1234567" 0x14 0x14 */
	char tk[64];
	int first = h->annot_idx[0];
	size_t tn = (size_t)2 * h->spr[first] < sizeof(tk) ? (size_t)2 * h->spr[first] : sizeof(tk);
	e = rec_read_at(fd, tk, tn, (off_t)(h->hdr_bytes + h->off[first]));
	if (e < 0)
		return e;
	size_t k = 0;
	while (k < tn && tk[k] != 0x14)
		k++;
	h->tk0_100ns = k < tn ? parse_100ns(tk, k) : -1;
	if (h->tk0_100ns < 0)
		h->tk0_100ns = 0; /* no time keeping yet: the file starts on the second */
	return VG_OK;
}

/* The TAL of annotation a (onsets from sample 0; the file's onsets count
 * from the whole second of its start). */
static int make_tal(char *out, const struct edfh *h, const struct rec_annot *a)
{
	int n = fmt_time(out, TAL_MAX, h->tk0_100ns + (a->onset_ns + 50) / 100, 1);
	if (a->dur_ns >= 0) {
		out[n++] = 0x15;
		n += fmt_time(out + n, (size_t)(TAL_MAX - n), (a->dur_ns + 50) / 100, 0);
	}
	out[n++] = 0x14;
	size_t t = strlen(a->text);
	memcpy(out + n, a->text, t);
	n += (int)t;
	out[n++] = 0x14;
	out[n++] = 0;
	return n;
}

static int make_tk(char *out, const struct edfh *h, long long rec)
{
	int n = fmt_time(out, TAL_MAX, h->tk0_100ns + rec * h->dur_100ns, 1);
	out[n++] = 0x14;
	out[n++] = 0x14;
	out[n++] = 0;
	return n;
}

static int is_gap(const struct rec_annot *a)
{
	return a->dur_ns >= 0 && !strncmp(a->text, "gap ", 4);
}

static int cmp_onset(const void *x, const void *y)
{
	const struct rec_annot *a = x, *b = y;
	return a->onset_ns < b->onset_ns ? -1 : a->onset_ns > b->onset_ns;
}

/* first record at or after r that is not full (path halving); nrec = none */
static long long next_open(long long *nxt, long long r)
{
	while (nxt[r] != r) {
		nxt[r] = nxt[nxt[r]];
		r = nxt[r];
	}
	return r;
}

/* Plan where each annotation goes with nannot signals of slot bytes each.
 * Returns how many did not fit. */
static size_t plan(const struct edfh *h, const struct rec_annot *a, size_t n,
		   struct place *p, struct work *w)
{
	char tal[TAL_MAX], tk[TAL_MAX];
	size_t left = 0;
	for (long long r = 0; r < p->nrec; r++) {
		w->cur_sig[r] = 0;
		w->used[r] = make_tk(tk, h, r);
		w->nxt[r] = r;
	}
	w->nxt[p->nrec] = p->nrec;
	for (size_t i = 0; i < n; i++) {
		int len = make_tal(tal, h, &a[i]);
		long long target = a[i].onset_ns / (h->dur_100ns * 100);
		if (target >= p->nrec)
			target = p->nrec - 1;
		p->where[i] = -1;
		for (int pass = 0; pass < 2 && p->where[i] < 0; pass++) {
			long long r = next_open(w->nxt, pass ? 0 : target);
			while (r < p->nrec) {
				while (w->cur_sig[r] < p->nannot && w->used[r] + len > p->slot_bytes) {
					w->cur_sig[r]++; /* the rest of this signal stays empty */
					w->used[r] = 0;
				}
				if (w->cur_sig[r] < p->nannot) {
					p->where[i] = r * p->nannot + w->cur_sig[r];
					w->used[r] += len;
					break;
				}
				w->nxt[r] = r + 1; /* full */
				r = next_open(w->nxt, r + 1);
			}
		}
		if (p->where[i] < 0)
			left++;
	}
	return left;
}

/* merge consecutive gaps of one channel closer than gap_ns; returns merged */
static size_t merge_gaps(struct rec_annot *a, size_t *n, int64_t gap_ns)
{
	enum { CH = 64 };
	size_t last[CH];
	int nch = 0;
	size_t merged = 0;
	for (size_t i = 0; i < *n; i++) {
		if (!is_gap(&a[i]))
			continue;
		int c = 0;
		while (c < nch && strcmp(a[last[c]].text, a[i].text))
			c++;
		if (c == nch) {
			if (nch < CH)
				last[nch++] = i;
			continue;
		}
		struct rec_annot *l = &a[last[c]];
		int64_t end_l = l->onset_ns + l->dur_ns;
		if (a[i].onset_ns - end_l > gap_ns) {
			last[c] = i;
			continue;
		}
		int64_t end_i = a[i].onset_ns + a[i].dur_ns;
		l->dur_ns = (end_i > end_l ? end_i : end_l) - l->onset_ns;
		a[i].dur_ns = -2; /* consumed */
		merged++;
	}
	size_t m = 0;
	for (size_t i = 0; i < *n; i++)
		if (a[i].dur_ns != -2)
			a[m++] = a[i];
	*n = m;
	return merged;
}

/* plan; when that does not fit, merge gaps (closest first) until it does */
static size_t fit(const struct edfh *h, struct rec_annot *a, size_t *n, struct place *p,
		  struct work *w, size_t *merged)
{
	size_t left = plan(h, a, *n, p, w);
	int64_t total_ns = h->nrec * h->dur_100ns * 100;
	for (int64_t gap = 1000000; left > 0 && gap <= 4 * total_ns; gap += gap / 4) {
		size_t m = merge_gaps(a, n, gap);
		*merged += m;
		if (m)
			left = plan(h, a, *n, p, w);
	}
	return left;
}

/* The annotation bytes of record rec (nannot * slot bytes), from the plan;
 * *pos walks order[] (sorted by place). */
static void fill_record(const struct edfh *h, const struct rec_annot *a, const size_t *order,
			size_t n, size_t *pos, const struct place *p, long long rec, char *buf)
{
	char tal[TAL_MAX];
	memset(buf, 0, (size_t)p->nannot * (size_t)p->slot_bytes);
	int used_sig = 0, used = make_tk(buf, h, rec);
	while (*pos < n && p->where[order[*pos]] / p->nannot == rec) {
		int sig = p->where[order[*pos]] % p->nannot;
		if (sig != used_sig) {
			used_sig = sig;
			used = 0;
		}
		int len = make_tal(tal, h, &a[order[*pos]]);
		memcpy(buf + (size_t)sig * (size_t)p->slot_bytes + (size_t)used, tal, (size_t)len);
		used += len;
		(*pos)++;
	}
}

static const struct place *sort_place;
static int cmp_where(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	long long a = sort_place->where[i], b = sort_place->where[j];
	if (a != b)
		return a < b ? -1 : 1;
	return i < j ? -1 : i > j; /* onset order within a signal */
}

/* write the planned annotations into the file's own annotation signals */
static int write_in_place(int fd, const struct edfh *h, const struct rec_annot *a,
			  const size_t *order, size_t n, const struct place *p)
{
	size_t maxb = 0;
	for (int s = 0; s < h->nannot; s++)
		if ((size_t)2 * h->spr[h->annot_idx[s]] > maxb)
			maxb = (size_t)2 * h->spr[h->annot_idx[s]];
	char *buf = malloc((size_t)p->nannot * (size_t)p->slot_bytes);
	char *sig = malloc(maxb);
	int e = buf && sig ? VG_OK : VG_ERR_NOMEM;
	size_t pos = 0;
	while (pos < n && p->where[order[pos]] < 0)
		pos++;
	for (long long r = 0; r < h->nrec && e == VG_OK; r++) {
		fill_record(h, a, order, n, &pos, p, r, buf);
		off_t base = (off_t)(h->hdr_bytes + r * h->rec_bytes);
		for (int s = 0; s < h->nannot && e == VG_OK; s++) {
			int idx = h->annot_idx[s];
			size_t bytes = (size_t)2 * h->spr[idx]; /* >= slot bytes */
			memset(sig, 0, bytes);
			memcpy(sig, buf + (size_t)s * (size_t)p->slot_bytes, (size_t)p->slot_bytes);
			e = write_at(fd, sig, bytes, base + (off_t)h->off[idx]);
		}
	}
	if (e == VG_OK && fsync(fd) < 0)
		e = vg_err_from_errno(errno);
	free(buf);
	free(sig);
	return e;
}

/* the header with the annotation signals replaced by nannot new ones */
static char *new_header(const struct edfh *h, int nannot, long *bytes)
{
	static const int width[] = { 16, 80, 8, 8, 8, 8, 8, 80, 8, 32 };
	static const char *const annot_val[] = { "EDF Annotations", "", "", "-1", "1",
						 "-32768", "32767", "", "57", "" };
	int nd = h->ns - h->nannot, nn = nd + nannot;
	*bytes = (long)(nn + 1) * SIG_HDR;
	char *o = malloc((size_t)*bytes);
	if (!o)
		return NULL;
	memcpy(o, h->hdr, HDR_FIXED);
	char tmp[16];
	snprintf(tmp, sizeof(tmp), "%-8ld", *bytes);
	memcpy(o + 184, tmp, 8);
	snprintf(tmp, sizeof(tmp), "%-4d", nn);
	memcpy(o + 252, tmp, 4);
	size_t in_off = HDR_FIXED, out_off = HDR_FIXED;
	for (int f = 0; f < 10; f++) {
		size_t w = (size_t)width[f], k = 0;
		for (int i = 0; i < h->ns; i++)
			if (!h->is_annot[i])
				memcpy(o + out_off + w * k++, h->hdr + in_off + w * (size_t)i, w);
		for (int j = 0; j < nannot; j++) {
			char *dst = o + out_off + w * (size_t)(nd + j);
			memset(dst, ' ', w);
			memcpy(dst, annot_val[f], strlen(annot_val[f]));
		}
		in_off += w * (size_t)h->ns;
		out_off += w * (size_t)nn;
	}
	return o;
}

/* copy the file into path.annot with p->nannot annotation signals, rename */
static int rewrite(const char *path, int fd, const struct edfh *h, const struct rec_annot *a,
		   const size_t *order, size_t n, const struct place *p)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.annot", path);
	long nh = 0;
	char *hdr = new_header(h, p->nannot, &nh);
	size_t abytes = (size_t)p->nannot * (size_t)p->slot_bytes;
	char *rec = malloc((size_t)h->rec_bytes + abytes);
	int e = hdr && rec ? VG_OK : VG_ERR_NOMEM;
	int out = -1;
	if (e == VG_OK) {
		unlink(tmp);
		out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		e = out < 0 ? vg_err_from_errno(errno) : write_at(out, hdr, (size_t)nh, 0);
	}
	size_t pos = 0;
	while (pos < n && p->where[order[pos]] < 0)
		pos++;
	long long data_bytes = 0;
	for (int i = 0; i < h->ns; i++)
		if (!h->is_annot[i])
			data_bytes += 2LL * h->spr[i];
	for (long long r = 0; r < h->nrec && e == VG_OK; r++) {
		e = rec_read_at(fd, rec, (size_t)h->rec_bytes, (off_t)(h->hdr_bytes + r * h->rec_bytes));
		if (e < 0)
			break;
		size_t k = 0;
		for (int i = 0; i < h->ns; i++)
			if (!h->is_annot[i]) { /* data signals in their order, packed */
				memmove(rec + k, rec + h->off[i], (size_t)2 * h->spr[i]);
				k += (size_t)2 * h->spr[i];
			}
		fill_record(h, a, order, n, &pos, p, r, rec + data_bytes);
		e = write_at(out, rec, (size_t)data_bytes + abytes,
			     (off_t)(nh + r * (data_bytes + (long long)abytes)));
	}
	if (out >= 0) {
		if (e == VG_OK && fsync(out) < 0)
			e = vg_err_from_errno(errno);
		close(out);
	}
	if (e == VG_OK && rename(tmp, path) < 0)
		e = vg_err_from_errno(errno);
	if (e < 0 && out >= 0)
		unlink(tmp);
	free(hdr);
	free(rec);
	return e;
}

int rec_annot_store(const char *path, struct rec_annot *a, size_t n,
		    struct rec_annot_result *res)
{
	struct rec_annot_result dummy;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	if (!path || (!a && n))
		return VG_ERR_INVAL;
	if (n == 0)
		return VG_OK;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return vg_err_from_errno(errno);
	struct edfh *h = calloc(1, sizeof(*h));
	struct place p = { 0 };
	struct work w = { 0 };
	size_t *order = NULL;
	int e = h ? load_header(fd, h) : VG_ERR_NOMEM;
	if (e < 0)
		goto out;
	e = VG_ERR_NOMEM;
	p.where = malloc(n * sizeof(*p.where));
	order = malloc(n * sizeof(*order));
	w.cur_sig = malloc((size_t)h->nrec * sizeof(*w.cur_sig));
	w.used = malloc((size_t)h->nrec * sizeof(*w.used));
	w.nxt = malloc((size_t)(h->nrec + 1) * sizeof(*w.nxt));
	if (!p.where || !order || !w.cur_sig || !w.used || !w.nxt)
		goto out;
	/* readers drop (MNE: with a warning) what lies after the data: keep it
	 * inside, at the end; the JSON lines have the time */
	int64_t end_ns = h->nrec * h->dur_100ns * 100;
	for (size_t i = 0; i < n; i++) {
		if (a[i].onset_ns < 0)
			a[i].onset_ns = 0;
		if (a[i].onset_ns > end_ns) {
			a[i].onset_ns = end_ns;
			res->moved++;
		}
		if (a[i].dur_ns > end_ns - a[i].onset_ns)
			a[i].dur_ns = end_ns - a[i].onset_ns;
	}
	qsort(a, n, sizeof(*a), cmp_onset);
	p.nrec = h->nrec;
	p.slot_bytes = h->slot_bytes;
	p.nannot = h->nannot;
	size_t left = plan(h, a, n, &p, &w);
	int grow = 0;
	while (left > 0 && p.nannot < ANNOT_MAX_SIGNALS) { /* step 2: more signals */
		p.nannot = p.nannot * 2 > ANNOT_MAX_SIGNALS ? ANNOT_MAX_SIGNALS : p.nannot * 2;
		p.slot_bytes = 2 * ANNOT_SPR;
		grow = 1;
		left = plan(h, a, n, &p, &w);
	}
	if (left > 0) /* step 3 */
		left = fit(h, a, &n, &p, &w, &res->merged);
	sort_place = &p;
	for (;;) {
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		qsort(order, n, sizeof(*order), cmp_where);
		if (!grow) {
			e = write_in_place(fd, h, a, order, n, &p);
			break;
		}
		e = rewrite(path, fd, h, a, order, n, &p);
		if (e == VG_OK)
			break;
		vg_warnx("%s: cannot add annotation signals (%s); packing into the %d it has",
			 path, vg_strerror(e), h->nannot);
		p.nannot = h->nannot;
		p.slot_bytes = h->slot_bytes;
		grow = 0;
		left = fit(h, a, &n, &p, &w, &res->merged);
	}
	res->annot_signals = p.nannot;
	res->dropped = left;
	res->written = e == VG_OK ? n - left : 0;
	if (e == VG_OK && (res->merged || left))
		vg_warnx("%s: too many annotations for %d annotation signals: %zu gaps merged, "
			 "%zu dropped (all are in the JSON lines)", path, p.nannot, res->merged,
			 left);
out:
	if (e < 0)
		vg_warnx("%s: annotations not written: %s", path, vg_strerror(e));
	close(fd);
	if (h)
		free_hdr(h);
	free(h);
	free(p.where);
	free(order);
	free(w.cur_sig);
	free(w.used);
	free(w.nxt);
	return e;
}
