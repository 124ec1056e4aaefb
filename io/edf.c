/*
 * edf.c - EDF/EDF+ reader on top of EDFlib (see edf.h).
 */
#include "edf.h"
#include "vg_err.h"

#include <edflib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 4096 /* samples read from EDFlib at a time */

struct edfr_gap {
	int64_t start, len; /* samples */
};

struct edfr_sig {
	char label[17];
	char units[9];
	char transducer[81];
	char prefilter[81];
	double fs;
	int64_t nsamp;
	double pmin, pmax;
	struct edfr_gap *gaps;
	size_t ngaps;
};

struct edfr {
	int handle;
	int nsig;
	double duration_s;
	int64_t start_ns;
	struct edfr_sig *sig;
	struct edfr_annot *annot;
	size_t nannot;
	double buf[CHUNK];
};

static void trim(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	while (n && src[n - 1] == ' ')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int map_error(int filetype)
{
	switch (filetype) {
	case EDFLIB_MALLOC_ERROR: return VG_ERR_NOMEM;
	case EDFLIB_NO_SUCH_FILE_OR_DIRECTORY: return VG_ERR_NOTFOUND;
	case EDFLIB_FILE_IS_DISCONTINUOUS: return VG_ERR_NOTSUP;
	case EDFLIB_MAXFILES_REACHED:
	case EDFLIB_FILE_ALREADY_OPENED: return VG_ERR_BUSY;
	case EDFLIB_FILE_READ_ERROR: return VG_ERR_IO;
	default: return VG_ERR_PARSE;
	}
}

static int gap_cmp(const void *a, const void *b)
{
	const struct edfr_gap *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* "gap LABEL" or "gap" applies to sig? */
static int gap_applies(const char *text, const char *label)
{
	if (strncmp(text, "gap", 3))
		return 0;
	if (text[3] == '\0')
		return 1;
	return text[3] == ' ' && !strcmp(text + 4, label);
}

static int build_gaps(struct edfr *f)
{
	for (int s = 0; s < f->nsig; s++) {
		struct edfr_sig *g = &f->sig[s];
		size_t n = 0;
		for (size_t i = 0; i < f->nannot; i++)
			n += gap_applies(f->annot[i].text, g->label) &&
			     f->annot[i].duration_ns > 0;
		if (n == 0)
			continue;
		g->gaps = calloc(n, sizeof(*g->gaps));
		if (!g->gaps)
			return VG_ERR_NOMEM;
		for (size_t i = 0; i < f->nannot; i++) {
			const struct edfr_annot *a = &f->annot[i];
			if (!gap_applies(a->text, g->label) || a->duration_ns <= 0)
				continue;
			int64_t st = llround((double)a->onset_ns * 1e-9 * g->fs);
			int64_t en = llround((double)(a->onset_ns + a->duration_ns) * 1e-9 * g->fs);
			if (st < 0)
				st = 0;
			if (en > g->nsamp)
				en = g->nsamp;
			if (en > st)
				g->gaps[g->ngaps++] = (struct edfr_gap){ st, en - st };
		}
		qsort(g->gaps, g->ngaps, sizeof(*g->gaps), gap_cmp);
		size_t m = 0; /* merge overlapping and touching gaps */
		for (size_t i = 0; i < g->ngaps; i++) {
			if (m && g->gaps[i].start <= g->gaps[m - 1].start + g->gaps[m - 1].len) {
				int64_t end = g->gaps[i].start + g->gaps[i].len;
				if (end > g->gaps[m - 1].start + g->gaps[m - 1].len)
					g->gaps[m - 1].len = end - g->gaps[m - 1].start;
			} else {
				g->gaps[m++] = g->gaps[i];
			}
		}
		g->ngaps = m;
	}
	return VG_OK;
}

static int64_t start_time(const struct edf_hdr_struct *h)
{
	struct tm tm = { 0 };
	tm.tm_year = h->startdate_year - 1900;
	tm.tm_mon = h->startdate_month - 1;
	tm.tm_mday = h->startdate_day;
	tm.tm_hour = h->starttime_hour;
	tm.tm_min = h->starttime_minute;
	tm.tm_sec = h->starttime_second;
	time_t t = timegm(&tm);
	return (int64_t)t * 1000000000LL + h->starttime_subsecond * 100LL;
}

struct edfr *edfr_open(const char *path, int *err)
{
	int e = VG_ERR_NOMEM;
	struct edfr *f = NULL;
	struct edf_hdr_struct *h = calloc(1, sizeof(*h)); /* large: not on the stack */
	if (!path) {
		e = VG_ERR_INVAL;
		goto fail;
	}
	if (!h)
		goto fail;
	f = calloc(1, sizeof(*f));
	if (!f)
		goto fail;
	f->handle = -1;
	if (edfopen_file_readonly(path, h, EDFLIB_READ_ALL_ANNOTATIONS) < 0) {
		e = map_error(h->filetype);
		goto fail;
	}
	f->handle = h->handle;
	e = VG_ERR_PARSE;
	if (h->edfsignals < 1 || h->datarecord_duration <= 0)
		goto fail;
	f->nsig = h->edfsignals;
	f->duration_s = (double)h->file_duration / EDFLIB_TIME_DIMENSION;
	f->start_ns = start_time(h);
	e = VG_ERR_NOMEM;
	f->sig = calloc((size_t)f->nsig, sizeof(*f->sig));
	if (!f->sig)
		goto fail;
	for (int s = 0; s < f->nsig; s++) {
		const struct edf_param_struct *p = &h->signalparam[s];
		struct edfr_sig *g = &f->sig[s];
		trim(g->label, sizeof(g->label), p->label);
		trim(g->units, sizeof(g->units), p->physdimension);
		trim(g->transducer, sizeof(g->transducer), p->transducer);
		trim(g->prefilter, sizeof(g->prefilter), p->prefilter);
		g->fs = p->smp_in_datarecord * (double)EDFLIB_TIME_DIMENSION /
			(double)h->datarecord_duration;
		g->nsamp = p->smp_in_file;
		g->pmin = p->phys_min;
		g->pmax = p->phys_max;
	}
	if (h->annotations_in_file > 0) {
		f->annot = calloc((size_t)h->annotations_in_file, sizeof(*f->annot));
		if (!f->annot)
			goto fail;
		for (long long i = 0; i < h->annotations_in_file; i++) {
			struct edf_annotation_struct a;
			if (edf_get_annotation(f->handle, (int)i, &a) < 0)
				continue;
			struct edfr_annot *o = &f->annot[f->nannot++];
			o->onset_ns = a.onset * 100;
			o->duration_ns = a.duration_l < 0 ? -1 : a.duration_l * 100;
			trim(o->text, sizeof(o->text), a.annotation);
		}
	}
	e = build_gaps(f);
	if (e < 0)
		goto fail;
	free(h);
	return f;
fail:
	free(h);
	edfr_close(&f);
	if (err)
		*err = e;
	return NULL;
}

void edfr_close(struct edfr **fp)
{
	if (!fp || !*fp)
		return;
	struct edfr *f = *fp;
	if (f->handle >= 0)
		edfclose_file(f->handle);
	for (int s = 0; f->sig && s < f->nsig; s++)
		free(f->sig[s].gaps);
	free(f->sig);
	free(f->annot);
	free(f);
	*fp = NULL;
}

int edfr_nsig(const struct edfr *f)
{
	return f->nsig;
}

double edfr_duration_s(const struct edfr *f)
{
	return f->duration_s;
}

int64_t edfr_start_ns(const struct edfr *f)
{
	return f->start_ns;
}

static const struct edfr_sig *sig_of(const struct edfr *f, int sig)
{
	return sig >= 0 && sig < f->nsig ? &f->sig[sig] : NULL;
}

double edfr_sig_fs(const struct edfr *f, int sig)
{
	const struct edfr_sig *g = sig_of(f, sig);
	return g ? g->fs : 0.0;
}

int64_t edfr_sig_nsamp(const struct edfr *f, int sig)
{
	const struct edfr_sig *g = sig_of(f, sig);
	return g ? g->nsamp : 0;
}

const char *edfr_sig_label(const struct edfr *f, int sig)
{
	const struct edfr_sig *g = sig_of(f, sig);
	return g ? g->label : "";
}

const char *edfr_sig_units(const struct edfr *f, int sig)
{
	const struct edfr_sig *g = sig_of(f, sig);
	return g ? g->units : "";
}

const char *edfr_sig_transducer(const struct edfr *f, int sig)
{
	const struct edfr_sig *g = sig_of(f, sig);
	return g ? g->transducer : "";
}

const char *edfr_sig_prefilter(const struct edfr *f, int sig)
{
	const struct edfr_sig *g = sig_of(f, sig);
	return g ? g->prefilter : "";
}

double edfr_sig_phys_min(const struct edfr *f, int sig)
{
	const struct edfr_sig *g = sig_of(f, sig);
	return g ? g->pmin : 0.0;
}

double edfr_sig_phys_max(const struct edfr *f, int sig)
{
	const struct edfr_sig *g = sig_of(f, sig);
	return g ? g->pmax : 0.0;
}

int edfr_read_phys(struct edfr *f, int sig, int64_t start, size_t n, float *out)
{
	const struct edfr_sig *g = sig_of(f, sig);
	if (!g || start < 0 || (!out && n))
		return VG_ERR_INVAL;
	if ((uint64_t)start + n > (uint64_t)g->nsamp)
		return VG_ERR_RANGE;
	if (n == 0)
		return VG_OK;
	if (edfseek(f->handle, sig, start, EDFSEEK_SET) != start)
		return VG_ERR_IO;
	size_t done = 0;
	while (done < n) {
		int want = n - done < CHUNK ? (int)(n - done) : CHUNK;
		int got = edfread_physical_samples(f->handle, sig, want, f->buf);
		if (got != want)
			return VG_ERR_IO;
		for (int i = 0; i < got; i++)
			out[done + (size_t)i] = (float)f->buf[i];
		done += (size_t)got;
	}
	return VG_OK;
}

size_t edfr_nannot(const struct edfr *f)
{
	return f->nannot;
}

const struct edfr_annot *edfr_annot(const struct edfr *f, size_t i)
{
	return i < f->nannot ? &f->annot[i] : NULL;
}

int edfr_next_gap(const struct edfr *f, int sig, int64_t from, int64_t *start,
		  int64_t *len)
{
	const struct edfr_sig *g = sig_of(f, sig);
	if (!g)
		return 0;
	for (size_t i = 0; i < g->ngaps; i++)
		if (g->gaps[i].start + g->gaps[i].len > from) {
			*start = g->gaps[i].start;
			*len = g->gaps[i].len;
			return 1;
		}
	return 0;
}
