/*
 * wfdb.c - WFDB record reader (see wfdb.h for the interface).
 *
 * Problem: read PhysioNet WFDB records (header text + binary signal files)
 * safely: any header or file may be malformed, truncated or hostile.
 * Approach:
 *  - The header is copied, split into lines and tokens; every field is
 *    parsed with explicit range checks (no sscanf on untrusted text). The
 *    record line is "name[/nseg] nsig [fs[/cfreq[(bcount)]] [nsamp [time
 *    [date]]]]"; each signal line is "file fmt[xspf][:skew][+offset]
 *    [gain[(baseline)][/units] [adcres [adczero [initval [checksum
 *    [blocksize [description...]]]]]]]". Lines starting with '#' are
 *    comments (kept as info).
 *  - Consecutive signals naming the same file form a group; a group's file
 *    holds frames of spf_total samples (each signal contributes its spf
 *    samples in order), packed by the format in fixed blocks of bs samples
 *    in bb bytes (212: 2 samples in 3 bytes; 16: 1 in 2; ...).
 *  - Reads decode whole blocks with pread() into one buffer allocated at
 *    open, chunk by chunk, and pick the requested signal's samples out.
 *  - At open, every signal file's size is checked against the header's
 *    sample count, so a truncated file is reported at once, not mid-read.
 * Reference: WFDB header(5), signal(5) (physionet.org/physiotools/wag/).
 * Limits: see wfdb.h.
 */
#include "wfdb.h"

#include "vg_err.h"
#include "vg_log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WFDB_MAX_NSIG 4096      /* more signals than any real record has */
#define WFDB_MAX_SPF 100000     /* samples per frame, per signal */
#define WFDB_MAX_FS_HZ 1e7
#define WFDB_FILE_MAX 256
#define WFDB_DESC_MAX 128
#define WFDB_UNITS_MAX 32
#define WFDB_DEFAULT_FS_HZ 250.0 /* header(5): when fs is absent */
#define WFDB_DEFAULT_GAIN 200.0  /* header(5): when gain is absent or 0 */
#define WFDB_CHUNK_BYTES 65536
#define WFDB_LUT_MIN_READ 4096  /* physical reads of 212 at least this long
				 * use the code table (building it costs about
				 * one such read) */

struct wfdb_sig {
	char file[WFDB_FILE_MAX];
	char desc[WFDB_DESC_MAX];
	char units[WFDB_UNITS_MAX];
	int format;
	int spf;
	int64_t offset_bytes;   /* byte offset of the samples in the file */
	double gain;            /* adu per physical unit */
	int32_t baseline;       /* adu */
	int32_t zero;           /* adu */
	int adcres;             /* bits */
	int32_t initval;        /* first sample, adu */
	int32_t checksum;       /* 16-bit sum of all samples (as in the header) */
	int has_checksum;
	int group;              /* index into groups */
	int pos;                /* first sample of this signal within a frame */
};

struct wfdb_group {
	int fd;                 /* -1 for header-only records */
	int format;
	int spf_total;          /* samples per frame in this file */
	int64_t offset_bytes;
	int bs, bb;             /* block: bs samples in bb bytes */
};

struct wfdb_record {
	char name[WFDB_FILE_MAX];
	int nsig;
	double fs_hz;
	int64_t nframes;
	int has_time, has_date;
	int64_t time_ns;        /* since midnight */
	int64_t date_s;         /* Unix time of the base date's midnight (UTC) */
	char *info;
	struct wfdb_sig *sig;
	int ngroup;
	struct wfdb_group *grp;
	unsigned char *buf;     /* decode buffer, buf_size bytes */
	size_t buf_size;
	float *lut;             /* format 212: physical value of each 12-bit
				 * code for signal lut_sig (NULL: none yet) */
	int lut_sig;
};

/* ------------------------------------------------------------ formats */

/* Block geometry and invalid code of a storage format; 0 if unsupported. */
static int format_geometry(int format, int *bs, int *bb, int *adcres)
{
	switch (format) {
	case 16: case 61: case 160:
		*bs = 1; *bb = 2; *adcres = 16; return 1;
	case 80:
		*bs = 1; *bb = 1; *adcres = 8; return 1;
	case 212:
		*bs = 2; *bb = 3; *adcres = 12; return 1;
	case 24:
		*bs = 1; *bb = 3; *adcres = 24; return 1;
	case 32:
		*bs = 1; *bb = 4; *adcres = 32; return 1;
	default:
		return 0;
	}
}

/* Decode sample j (0-based) of a block starting at p into adu. */
static int32_t decode_one(int format, const unsigned char *p, int j)
{
	int32_t v;
	switch (format) {
	case 16:
		v = (int16_t)(uint16_t)(p[0] | (p[1] << 8));
		return v == -32768 ? WFDB_INVALID_ADU : v;
	case 61:
		v = (int16_t)(uint16_t)(p[1] | (p[0] << 8));
		return v == -32768 ? WFDB_INVALID_ADU : v;
	case 160:
		v = (int32_t)(p[0] | (p[1] << 8)) - 32768;
		return v == -32768 ? WFDB_INVALID_ADU : v;
	case 80:
		v = (int32_t)p[0] - 128;
		return v == -128 ? WFDB_INVALID_ADU : v;
	case 212:
		if (j == 0)
			v = p[0] | ((p[1] & 0x0f) << 8);
		else
			v = p[2] | ((p[1] & 0xf0) << 4);
		if (v & 0x800)
			v -= 0x1000;
		return v == -2048 ? WFDB_INVALID_ADU : v;
	case 24:
		v = p[0] | (p[1] << 8) | (p[2] << 16);
		if (v & 0x800000)
			v -= 0x1000000;
		return v == -(1 << 23) ? WFDB_INVALID_ADU : v;
	case 32:
		return (int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) |
				 ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
	default:
		return WFDB_INVALID_ADU;
	}
}

/* ------------------------------------------------------------ parsing */

/* Split s at whitespace: next token or NULL; *s advances. */
static char *next_tok(char **s)
{
	char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	char *t = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return t;
}

/* Strict integer: the whole of [s, end) or up to stop chars. */
static int parse_i64(const char *s, char **end, int64_t lo, int64_t hi, int64_t *out)
{
	errno = 0;
	char *e;
	long long v = strtoll(s, &e, 10);
	if (e == s || errno || v < lo || v > hi)
		return VG_ERR_PARSE;
	*out = v;
	if (end)
		*end = e;
	else if (*e)
		return VG_ERR_PARSE;
	return 0;
}

static int parse_f64(const char *s, char **end, double *out)
{
	errno = 0;
	char *e;
	/* strtod accepts "inf", "nan" and hex; only plain decimals are valid */
	if (!(isdigit((unsigned char)*s) || *s == '.' || *s == '-' || *s == '+'))
		return VG_ERR_PARSE;
	double v = strtod(s, &e);
	if (e == s || errno || !isfinite(v))
		return VG_ERR_PARSE;
	for (const char *q = s; q < e; q++)
		if (*q == 'x' || *q == 'X' || *q == 'n' || *q == 'N' || *q == 'p' || *q == 'P')
			return VG_ERR_PARSE;
	*out = v;
	if (end)
		*end = e;
	else if (*e)
		return VG_ERR_PARSE;
	return 0;
}

static int copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		return VG_ERR_PARSE;
	memcpy(dst, src, n + 1);
	return 0;
}

/* "hh:mm:ss[.sss]" (or "mm:ss", "ss") -> ns since midnight. */
static int parse_time(const char *s, int64_t *ns)
{
	double f[3];
	int n = 0;
	const char *p = s;
	for (;;) {
		char *e;
		if (n == 3 || parse_f64(p, &e, &f[n]) || f[n] < 0)
			return VG_ERR_PARSE;
		n++;
		if (*e == ':') {
			p = e + 1;
			continue;
		}
		if (*e)
			return VG_ERR_PARSE;
		break;
	}
	double sec = 0;
	for (int i = 0; i < n; i++)
		sec = sec * 60 + f[i];
	if (sec >= 86400.0 * 2)
		return VG_ERR_PARSE;
	*ns = (int64_t)llround(sec * 1e9);
	return 0;
}

/* "dd/mm/yyyy" -> Unix seconds of that day's midnight, UTC. */
static int parse_date(const char *s, int64_t *out)
{
	int64_t d, m, y;
	char *e;
	if (parse_i64(s, &e, 1, 31, &d) || *e != '/' ||
	    parse_i64(e + 1, &e, 1, 12, &m) || *e != '/' ||
	    parse_i64(e + 1, NULL, 1, 9999, &y))
		return VG_ERR_PARSE;
	/* days from civil (proleptic Gregorian), H. Hinnant's formula */
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*out = (era * 146097 + doe - 719468) * 86400;
	return 0;
}

static int parse_record_line(struct wfdb_record *r, char *line, int lineno)
{
	char *s = line, *tok;
	tok = next_tok(&s);
	if (!tok)
		return VG_ERR_PARSE;
	if (strchr(tok, '/')) {
		vg_warnx("%s: multi-segment records are not supported", tok);
		return VG_ERR_NOTSUP;
	}
	if (copy_str(r->name, sizeof(r->name), tok))
		goto bad;
	int64_t v;
	tok = next_tok(&s);
	if (!tok || parse_i64(tok, NULL, 0, WFDB_MAX_NSIG, &v))
		goto bad;
	r->nsig = (int)v;
	r->fs_hz = WFDB_DEFAULT_FS_HZ;
	if (!(tok = next_tok(&s)))
		return 0;
	char *e;
	if (parse_f64(tok, &e, &r->fs_hz) || !(r->fs_hz > 0) || r->fs_hz > WFDB_MAX_FS_HZ)
		goto bad;
	if (*e == '/') { /* counter frequency and base counter value: unused */
		double cf;
		if (parse_f64(e + 1, &e, &cf))
			goto bad;
		if (*e == '(') {
			double bc;
			if (parse_f64(e + 1, &e, &bc) || *e != ')')
				goto bad;
			e++;
		}
	}
	if (*e)
		goto bad;
	if (!(tok = next_tok(&s)))
		return 0;
	if (parse_i64(tok, NULL, 0, INT64_MAX / 2, &r->nframes))
		goto bad;
	if (!(tok = next_tok(&s)))
		return 0;
	if (parse_time(tok, &r->time_ns))
		goto bad;
	r->has_time = 1;
	if (!(tok = next_tok(&s)))
		return 0;
	if (parse_date(tok, &r->date_s))
		goto bad;
	r->has_date = 1;
	return 0;
bad:
	vg_warnx("header line %d: malformed record line", lineno);
	return VG_ERR_PARSE;
}

static int parse_signal_line(struct wfdb_sig *g, char *line, int lineno)
{
	char *s = line, *tok, *e;
	int64_t v;
	const char *what = "file name";
	int bs, bb, res;

	if (!(tok = next_tok(&s)) || copy_str(g->file, sizeof(g->file), tok))
		goto bad;
	if (!strcmp(g->file, "~")) {
		vg_warnx("header line %d: signals without a file ('~') are not supported", lineno);
		return VG_ERR_NOTSUP;
	}
	if (strchr(g->file, '/') || !strcmp(g->file, "..") || !strcmp(g->file, ".")) {
		vg_warnx("header line %d: signal file '%s' must be in the record's directory",
			 lineno, g->file);
		return VG_ERR_PARSE;
	}
	what = "format";
	if (!(tok = next_tok(&s)) || parse_i64(tok, &e, 0, 999, &v))
		goto bad;
	g->format = (int)v;
	g->spf = 1;
	if (*e == 'x') {
		if (parse_i64(e + 1, &e, 1, WFDB_MAX_SPF, &v))
			goto bad;
		g->spf = (int)v;
	}
	if (*e == ':') { /* skew, in frames: ignored (see Limits) */
		if (parse_i64(e + 1, &e, 0, INT32_MAX, &v))
			goto bad;
	}
	if (*e == '+') {
		if (parse_i64(e + 1, &e, 0, INT64_MAX / 4, &g->offset_bytes))
			goto bad;
	}
	if (*e)
		goto bad;
	if (!format_geometry(g->format, &bs, &bb, &res)) {
		vg_warnx("header line %d: signal format %d is not supported", lineno, g->format);
		return VG_ERR_NOTSUP;
	}
	g->adcres = res;
	g->gain = WFDB_DEFAULT_GAIN;
	strcpy(g->units, "mV");
	int have_baseline = 0;
	what = "gain";
	if ((tok = next_tok(&s))) {
		/* a gain under 1e-6 adu per unit is no recording's, and would
		 * scale 32-bit samples out of float's range */
		if (parse_f64(tok, &e, &g->gain) || g->gain < 0 ||
		    (g->gain > 0 && g->gain < 1e-6))
			goto bad;
		if (g->gain == 0)
			g->gain = WFDB_DEFAULT_GAIN;
		if (*e == '(') {
			if (parse_i64(e + 1, &e, INT32_MIN + 1, INT32_MAX, &v) || *e != ')')
				goto bad;
			g->baseline = (int32_t)v;
			have_baseline = 1;
			e++;
		}
		if (*e == '/') {
			if (!e[1] || copy_str(g->units, sizeof(g->units), e + 1))
				goto bad;
		} else if (*e) {
			goto bad;
		}
		what = "ADC resolution";
		if ((tok = next_tok(&s))) {
			if (parse_i64(tok, NULL, 0, 32, &v))
				goto bad;
			if (v)
				g->adcres = (int)v;
			what = "ADC zero";
			if ((tok = next_tok(&s))) {
				if (parse_i64(tok, NULL, INT32_MIN + 1, INT32_MAX, &v))
					goto bad;
				g->zero = (int32_t)v;
				what = "initial value";
				if ((tok = next_tok(&s))) {
					if (parse_i64(tok, NULL, INT32_MIN, INT32_MAX, &v))
						goto bad;
					g->initval = (int32_t)v;
					what = "checksum";
					if ((tok = next_tok(&s))) {
						if (parse_i64(tok, NULL, INT32_MIN, INT32_MAX, &v))
							goto bad;
						g->checksum = (int32_t)v;
						g->has_checksum = 1;
						what = "block size";
						if ((tok = next_tok(&s))) {
							if (parse_i64(tok, NULL, 0, INT32_MAX, &v))
								goto bad;
							while (*s == ' ' || *s == '\t')
								s++;
							size_t n = strlen(s);
							while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
								s[--n] = '\0';
							if (n >= sizeof(g->desc))
								n = sizeof(g->desc) - 1;
							memcpy(g->desc, s, n);
							g->desc[n] = '\0';
						}
					}
				}
			}
		}
	}
	if (!have_baseline)
		g->baseline = g->zero;
	return 0;
bad:
	vg_warnx("header line %d: malformed signal line (%s)", lineno, what);
	return VG_ERR_PARSE;
}

/* Group consecutive signals that share a file; check formats agree. */
static int make_groups(struct wfdb_record *r)
{
	r->grp = calloc((size_t)(r->nsig ? r->nsig : 1), sizeof(*r->grp));
	if (!r->grp)
		return VG_ERR_NOMEM;
	for (int i = 0; i < r->nsig; i++) {
		struct wfdb_sig *g = &r->sig[i];
		struct wfdb_group *p = r->ngroup ? &r->grp[r->ngroup - 1] : NULL;
		if (!p || strcmp(r->sig[i - 1].file, g->file)) {
			for (int k = 0; k < i; k++)
				if (!strcmp(r->sig[k].file, g->file)) {
					vg_warnx("signal %d: file '%s' is used by non-adjacent signals",
						 i, g->file);
					return VG_ERR_PARSE;
				}
			p = &r->grp[r->ngroup++];
			p->fd = -1;
			p->format = g->format;
			p->offset_bytes = g->offset_bytes;
			int res;
			format_geometry(g->format, &p->bs, &p->bb, &res);
		} else if (g->format != p->format) {
			vg_warnx("signal %d: format %d differs from format %d of its file '%s'",
				 i, g->format, p->format, g->file);
			return VG_ERR_PARSE;
		}
		g->group = r->ngroup - 1;
		g->pos = p->spf_total;
		if (p->spf_total > INT_MAX - g->spf)
			return VG_ERR_PARSE;
		p->spf_total += g->spf;
	}
	return 0;
}

struct wfdb_record *wfdb_parse_header(const char *text, size_t len,
				      const char *dir, int *err)
{
	int rc = VG_ERR_NOMEM;
	char *copy = NULL;
	struct wfdb_record *r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	copy = malloc(len + 1);
	r->info = calloc(1, len + 1);
	if (!copy || !r->info)
		goto fail;
	memcpy(copy, text, len);
	copy[len] = '\0';
	(void)dir;

	int state = 0, nsig_seen = 0, lineno = 0;
	size_t info_len = 0;
	char *save = copy;
	while (save) {
		char *line = save;
		char *nl = strchr(line, '\n');
		if (nl) {
			*nl = '\0';
			save = nl + 1;
		} else {
			save = NULL;
		}
		lineno++;
		size_t n = strlen(line);
		if (n != (size_t)(nl ? nl - line : (ptrdiff_t)n)) {
			vg_warnx("header line %d: NUL byte in header", lineno);
			rc = VG_ERR_PARSE;
			goto fail;
		}
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#') {
			p++;
			while (*p == ' ')
				p++;
			size_t m = strlen(p);
			if (info_len)
				r->info[info_len++] = '\n';
			memcpy(r->info + info_len, p, m);
			info_len += m;
			r->info[info_len] = '\0';
			continue;
		}
		if (!*p)
			continue;
		if (state == 0) {
			if ((rc = parse_record_line(r, p, lineno)))
				goto fail;
			state = 1;
			if (r->nsig) {
				r->sig = calloc((size_t)r->nsig, sizeof(*r->sig));
				if (!r->sig) {
					rc = VG_ERR_NOMEM;
					goto fail;
				}
			}
		} else if (nsig_seen < r->nsig) {
			if ((rc = parse_signal_line(&r->sig[nsig_seen], p, lineno)))
				goto fail;
			nsig_seen++;
		} else {
			break; /* extra lines after the signals (e.g. segment info): ignored */
		}
	}
	if (state == 0) {
		vg_warnx("header: no record line");
		rc = VG_ERR_PARSE;
		goto fail;
	}
	if (nsig_seen != r->nsig) {
		vg_warnx("header: record line declares %d signals, found %d signal lines",
			 r->nsig, nsig_seen);
		rc = VG_ERR_TRUNC;
		goto fail;
	}
	if ((rc = make_groups(r)))
		goto fail;
	free(copy);
	return r;
fail:
	free(copy);
	wfdb_destroy(&r);
	if (err)
		*err = rc;
	return NULL;
}

/* ------------------------------------------------------------ open */

static int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vg_err_from_errno(errno);
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (1 << 24)) {
		close(fd);
		return VG_ERR_PARSE;
	}
	char *b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return VG_ERR_NOMEM;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, b + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	*out = b;
	*len = got;
	return 0;
}

/* Bytes needed to hold the first nsamples of a group's stream. */
static int64_t group_bytes(const struct wfdb_group *p, int64_t nsamples)
{
	if (p->bs == 2) /* 212: a lone last sample needs 2 of the 3 bytes */
		return nsamples / 2 * 3 + (nsamples % 2 ? 2 : 0);
	return nsamples / p->bs * p->bb;
}

static int open_groups(struct wfdb_record *r, const char *dir)
{
	size_t need_buf = WFDB_CHUNK_BYTES;
	for (int gi = 0; gi < r->ngroup; gi++) {
		struct wfdb_group *p = &r->grp[gi];
		const char *file = NULL;
		for (int i = 0; i < r->nsig; i++)
			if (r->sig[i].group == gi) {
				file = r->sig[i].file;
				break;
			}
		char path[PATH_MAX];
		if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
			return VG_ERR_RANGE;
		p->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (p->fd < 0) {
			int rc = vg_err_from_errno(errno);
			vg_warn("%s", path);
			return rc;
		}
		struct stat st;
		if (fstat(p->fd, &st) || !S_ISREG(st.st_mode)) {
			vg_warnx("%s: not a regular file", path);
			return VG_ERR_IO;
		}
		int64_t avail = st.st_size - p->offset_bytes;
		if (avail < 0)
			avail = 0;
		if (r->nframes == 0 && gi == 0 && p->spf_total > 0) {
			/* header gives no length: take it from the file */
			int64_t ns = avail / p->bb * p->bs;
			if (p->bs == 2 && avail % 3 == 2)
				ns++;
			r->nframes = ns / p->spf_total;
		}
		if (p->spf_total > 0 && r->nframes > INT64_MAX / 4 / p->spf_total)
			return VG_ERR_RANGE;
		int64_t need = group_bytes(p, r->nframes * p->spf_total);
		if (avail < need) {
			vg_warnx("%s: truncated: %lld bytes of samples, the header needs %lld",
				 path, (long long)avail, (long long)need);
			return VG_ERR_TRUNC;
		}
		size_t frame_bytes = (size_t)group_bytes(p, p->spf_total) + 2u * (size_t)p->bb;
		if (frame_bytes * 2 > need_buf)
			need_buf = frame_bytes * 2;
	}
	r->buf = malloc(need_buf);
	if (!r->buf)
		return VG_ERR_NOMEM;
	r->buf_size = need_buf;
	return 0;
}

struct wfdb_record *wfdb_open(const char *record, int *err)
{
	int rc;
	char path[PATH_MAX], dir[PATH_MAX];
	if (!record || !*record) {
		rc = VG_ERR_INVAL;
		goto fail0;
	}
	if (snprintf(path, sizeof(path), "%s.hea", record) >= (int)sizeof(path)) {
		rc = VG_ERR_RANGE;
		goto fail0;
	}
	const char *slash = strrchr(record, '/');
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - record), record);
	else
		strcpy(dir, ".");
	if (slash && slash == record)
		strcpy(dir, "/");
	char *text = NULL;
	size_t len = 0;
	if ((rc = read_file(path, &text, &len))) {
		vg_warnx("%s: cannot read header (%s)", path, vg_strerror(rc));
		goto fail0;
	}
	struct wfdb_record *r = wfdb_parse_header(text, len, dir, &rc);
	free(text);
	if (!r) {
		vg_warnx("%s: %s", path, vg_strerror(rc));
		goto fail0;
	}
	if ((rc = open_groups(r, dir))) {
		wfdb_destroy(&r);
		goto fail0;
	}
	return r;
fail0:
	if (err)
		*err = rc;
	return NULL;
}

void wfdb_destroy(struct wfdb_record **rp)
{
	if (!rp || !*rp)
		return;
	struct wfdb_record *r = *rp;
	for (int i = 0; r->grp && i < r->ngroup; i++)
		if (r->grp[i].fd >= 0)
			close(r->grp[i].fd);
	free(r->grp);
	free(r->sig);
	free(r->info);
	free(r->buf);
	free(r->lut);
	free(r);
	*rp = NULL;
}

/* ------------------------------------------------------------ accessors */

#define SIG_OK(r, s) ((r) && (s) >= 0 && (s) < (r)->nsig)

const char *wfdb_name(const struct wfdb_record *r) { return r->name; }
int wfdb_nsig(const struct wfdb_record *r) { return r->nsig; }
double wfdb_fs(const struct wfdb_record *r) { return r->fs_hz; }
int64_t wfdb_nframes(const struct wfdb_record *r) { return r->nframes; }
const char *wfdb_info(const struct wfdb_record *r) { return r->info; }

int wfdb_base_time_ns(const struct wfdb_record *r, int64_t *t_ns)
{
	if (!r->has_time)
		return VG_ERR_NOTFOUND;
	/* int64 ns since 1970 reach 1677-09-21 .. 2262-04-11; a header dated
	 * year 20 overflowed (issue 15). time_ns < 2 days, so keep 2 days of
	 * margin on both sides. */
	const int64_t lim_s = INT64_MAX / 1000000000LL - 2 * 86400;
	if (r->has_date && (r->date_s > lim_s || r->date_s < -lim_s))
		return VG_ERR_RANGE;
	*t_ns = r->time_ns + (r->has_date ? r->date_s * 1000000000LL : 0);
	return 0;
}

double wfdb_sig_fs(const struct wfdb_record *r, int s)
{
	return SIG_OK(r, s) ? r->fs_hz * r->sig[s].spf : 0;
}
int wfdb_sig_spf(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].spf : 0; }
int64_t wfdb_sig_nsamp(const struct wfdb_record *r, int s)
{
	return SIG_OK(r, s) ? r->nframes * r->sig[s].spf : 0;
}
int wfdb_sig_format(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].format : 0; }
double wfdb_sig_gain(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].gain : 0; }
int32_t wfdb_sig_baseline(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].baseline : 0; }
int32_t wfdb_sig_zero(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].zero : 0; }
int wfdb_sig_adcres(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].adcres : 0; }
const char *wfdb_sig_units(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].units : NULL; }
const char *wfdb_sig_desc(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].desc : NULL; }
int wfdb_sig_checksum(const struct wfdb_record *r, int s, int32_t *sum)
{
	if (!SIG_OK(r, s) || !r->sig[s].has_checksum)
		return VG_ERR_NOTFOUND;
	*sum = r->sig[s].checksum;
	return 0;
}
int32_t wfdb_sig_initval(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].initval : 0; }
const char *wfdb_sig_file(const struct wfdb_record *r, int s) { return SIG_OK(r, s) ? r->sig[s].file : NULL; }

int wfdb_find_sig(const struct wfdb_record *r, const char *desc)
{
	for (int i = 0; i < r->nsig; i++)
		if (!strcasecmp(r->sig[i].desc, desc))
			return i;
	return VG_ERR_NOTFOUND;
}

/* ------------------------------------------------------------ reading */

static int pread_all(int fd, unsigned char *b, size_t n, int64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, b + got, n - got, (off_t)(off + (int64_t)got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return VG_ERR_IO;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	if (got < n) /* the tail of a partial last block: pad */
		memset(b + got, 0, n - got);
	return 0;
}

/* cnt samples of a group's stream from index idx (relative to buf) every
 * step samples. The same values as decode_one(), without its per-sample
 * switch and divisions: format 212 (two 12-bit samples in 3 bytes) and 16
 * are most of the records read, the others take the general path. */
static void decode_strided(const struct wfdb_group *p, const unsigned char *buf, int64_t idx,
			   int64_t step, size_t cnt, int32_t *out)
{
	if (p->format == 212 && step % 2 == 0) {
		/* every sample of this signal has the same place in its 3-byte
		 * pair: the nibble choice leaves the loop */
		const unsigned char *q = buf + (idx >> 1) * 3;
		const int64_t qstep = (step >> 1) * 3;
		if (idx & 1) {
			for (size_t i = 0; i < cnt; i++, q += qstep) {
				int32_t v = q[2] | ((q[1] & 0xf0) << 4);
				v = (v ^ 0x800) - 0x800;
				out[i] = v == -2048 ? WFDB_INVALID_ADU : v;
			}
		} else {
			for (size_t i = 0; i < cnt; i++, q += qstep) {
				int32_t v = q[0] | ((q[1] & 0x0f) << 8);
				v = (v ^ 0x800) - 0x800;
				out[i] = v == -2048 ? WFDB_INVALID_ADU : v;
			}
		}
	} else if (p->format == 212) {
		for (size_t i = 0; i < cnt; i++, idx += step) {
			const unsigned char *q = buf + (idx >> 1) * 3;
			int32_t v = (idx & 1) ? (q[2] | ((q[1] & 0xf0) << 4)) : (q[0] | ((q[1] & 0x0f) << 8));
			v = (v ^ 0x800) - 0x800; /* sign-extend 12 bits */
			out[i] = v == -2048 ? WFDB_INVALID_ADU : v;
		}
	} else if (p->format == 16) {
		for (size_t i = 0; i < cnt; i++, idx += step) {
			const unsigned char *q = buf + idx * 2;
			int32_t v = (int16_t)(uint16_t)(q[0] | (q[1] << 8));
			out[i] = v == -32768 ? WFDB_INVALID_ADU : v;
		}
	} else {
		for (size_t i = 0; i < cnt; i++, idx += step)
			out[i] = decode_one(p->format, buf + (idx / p->bs) * p->bb, (int)(idx % p->bs));
	}
}

/* Where decoded samples go: adu as they are, or physical units. */
struct sink {
	int32_t *adu;     /* adu output, or NULL */
	float *phys;      /* physical output (when adu is NULL) */
	double base;      /* adu at physical 0 */
	double inv_gain;  /* physical units per adu */
	const float *lut; /* format 212: physical value by code + 2048, or NULL */
};

#define SINK_TMP 256 /* adu decoded at a time for physical output (L1) */

/* cnt samples as decode_strided() reads them, into the sink from index at. */
static void decode_to(const struct wfdb_group *p, const unsigned char *buf, int64_t idx,
		      int64_t step, size_t cnt, const struct sink *k, size_t at)
{
	if (k->adu) {
		decode_strided(p, buf, idx, step, cnt, k->adu + at);
		return;
	}
	if (k->lut && step % 2 == 0) {
		/* the common case (MIT-BIH and most PhysioNet records) in one
		 * pass: 12-bit code, then its physical value from the table */
		const unsigned char *q = buf + (idx >> 1) * 3;
		const int64_t qstep = (step >> 1) * 3;
		float *out = k->phys + at;
		if (idx & 1)
			for (size_t i = 0; i < cnt; i++, q += qstep)
				out[i] = k->lut[(q[2] | ((q[1] & 0xf0) << 4)) ^ 0x800];
		else /* the first sample of a pair: the low 12 bits of a
		      * little-endian 16-bit word (one load) */
			for (size_t i = 0; i < cnt; i++, q += qstep)
				out[i] = k->lut[((q[0] | (q[1] << 8)) & 0x0fff) ^ 0x800];
		return;
	}
	int32_t tmp[SINK_TMP];
	while (cnt) {
		size_t m = cnt < SINK_TMP ? cnt : SINK_TMP;
		decode_strided(p, buf, idx, step, m, tmp);
		float *out = k->phys + at;
		for (size_t i = 0; i < m; i++)
			out[i] = tmp[i] == WFDB_INVALID_ADU ? NAN
				: (float)(((double)tmp[i] - k->base) * k->inv_gain);
		idx += step * (int64_t)m;
		at += m;
		cnt -= m;
	}
}

/* One signal's samples [start, start + n) into the sink: whole chunks of
 * the file read at once (one pread per WFDB_CHUNK_BYTES), decoded in
 * place. */
static int read_into(struct wfdb_record *r, int sig, int64_t start, size_t n,
		     const struct sink *k)
{
	const struct wfdb_sig *g = &r->sig[sig];
	const struct wfdb_group *p = &r->grp[g->group];
	if (p->fd < 0)
		return VG_ERR_STATE;
	int64_t total = r->nframes * g->spf;
	if (start > total || (int64_t)n > total - start)
		return VG_ERR_RANGE;
	const int64_t T = p->spf_total;
	/* frames per chunk such that the chunk's blocks fit in buf */
	int64_t fpc = ((int64_t)(r->buf_size / (size_t)p->bb) - 2) * p->bs / T;
	if (fpc < 1)
		fpc = 1;
	size_t done = 0;
	while (done < n) {
		int64_t s = start + (int64_t)done;
		int64_t f0 = s / g->spf;
		int64_t f1 = (s + (int64_t)(n - done) - 1) / g->spf; /* last frame needed */
		if (f1 - f0 + 1 > fpc)
			f1 = f0 + fpc - 1;
		int64_t b0 = f0 * T / p->bs;             /* first block */
		int64_t b1 = ((f1 + 1) * T + p->bs - 1) / p->bs; /* one past last */
		size_t nbytes = (size_t)((b1 - b0) * p->bb);
		int rc = pread_all(p->fd, r->buf, nbytes, p->offset_bytes + b0 * p->bb);
		if (rc)
			return rc;
		int64_t base = b0 * p->bs; /* stream index of buf's first sample */
		if (g->spf == 1) {
			/* one sample a frame (the usual case): a strided walk, the
			 * format's decoding hoisted out of the loop */
			size_t cnt = (size_t)(f1 - f0 + 1);
			if (cnt > n - done)
				cnt = n - done;
			decode_to(p, r->buf, f0 * T + g->pos - base, T, cnt, k, done);
			done += cnt;
			continue;
		}
		for (int64_t f = f0; f <= f1 && done < n; f++) {
			int64_t j = (f == f0) ? s - f0 * g->spf : 0;
			for (; j < g->spf && done < n; j++) {
				int64_t idx = f * T + g->pos + j - base;
				const unsigned char *q = r->buf + (idx / p->bs) * p->bb;
				int32_t v = decode_one(p->format, q, (int)(idx % p->bs));
				if (k->adu)
					k->adu[done] = v;
				else
					k->phys[done] = v == WFDB_INVALID_ADU ? NAN
						: (float)(((double)v - k->base) * k->inv_gain);
				done++;
			}
		}
	}
	return 0;
}

int wfdb_read_adu(struct wfdb_record *r, int sig, int64_t start, size_t n, int32_t *out)
{
	if (!SIG_OK(r, sig) || start < 0 || (n && !out))
		return VG_ERR_INVAL;
	const struct sink k = { .adu = out };
	return read_into(r, sig, start, n, &k);
}

int wfdb_read_phys(struct wfdb_record *r, int sig, int64_t start, size_t n, float *out)
{
	if (!SIG_OK(r, sig) || start < 0 || (n && !out))
		return VG_ERR_INVAL;
	/* gain >= 1e-6 (header parser) */
	struct sink k = { .phys = out, .base = r->sig[sig].baseline,
			  .inv_gain = 1.0 / r->sig[sig].gain };
	if (r->grp[r->sig[sig].group].format == 212 && n >= WFDB_LUT_MIN_READ) {
		/* a long read of a 12-bit signal: every code's value once (the
		 * same expression as per sample), then a lookup per sample */
		if (!r->lut && !(r->lut = malloc(4096 * sizeof(float))))
			return VG_ERR_NOMEM;
		if (r->lut_sig != sig + 1) {
			for (int c = 0; c < 4096; c++) {
				const int32_t v = c - 2048; /* code ^ 0x800 = v + 2048 */
				r->lut[c] = v == -2048 ? NAN
					: (float)(((double)v - k.base) * k.inv_gain);
			}
			r->lut_sig = sig + 1;
		}
		k.lut = r->lut;
	}
	return read_into(r, sig, start, n, &k);
}
