/*
 * rrfile.c - read the RR interval files people already have, for
 * `vagus-analyze hrv --rr FILE`.
 *
 * Problem: RR intervals come as text from many places: the EC57 test
 * patterns ("time_s,rr_s"), chest-strap apps (Elite HRV, Polar: one
 * interval per line in ms, or "Phone timestamp;RR-interval [ms]"), Kubios
 * (a column of RR in s or ms, with header lines). Each has its own header,
 * separator and unit.
 * Approach: one line at a time. Blank lines and comments (#, %, //) are
 * skipped. A line's separator is ';' if it has one, else ',', else tab,
 * else spaces. Lines before the data whose fields are not all numbers are
 * the preamble; among them a header names the RR column (a field with
 * "rr", "ibi", "interval" or "nn") and maybe a time column ("time" with a
 * unit in s), and its text gives the unit ("ms", or "(s)", "[s]", "_s",
 * "sec"). Data starts at the first line whose fields are all numbers, or
 * whose RR column is a number when a header named one. Without a header:
 * one column = RR; two columns = time_s, RR (the EC57 layout); more is an
 * error. RR without a unit: the median decides (>= 20 means ms; heart
 * intervals are 0.2-4 s, i.e. 200-4000 ms, so the two never overlap).
 * Without a time column, a beat's time is the running sum of the RR.
 * After the data started, a line without a number in the RR column is an
 * error naming file and line.
 * Limits: a decimal comma is not read; lines up to 4095 bytes.
 */
#include "va.h"

#include "vg_err.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 32
#define MS_FROM 20.0 /* an RR median at or above this is in ms */

enum unit { U_AUTO, U_MS, U_S };

/* Split line in place; returns the number of fields. */
static int split(char *line, char **f)
{
	const char *sep = strchr(line, ';') ? ";" : strchr(line, ',') ? "," : strchr(line, '\t') ? "\t" : " ";
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, sep, &save); t && n < MAX_FIELDS;
	     t = strtok_r(NULL, sep, &save)) {
		while (isspace((unsigned char)*t))
			t++;
		char *e = t + strlen(t);
		while (e > t && isspace((unsigned char)e[-1]))
			*--e = '\0';
		f[n++] = t;
	}
	return n;
}

static int number(const char *s, double *v)
{
	char *e;
	if (!*s)
		return 0;
	*v = strtod(s, &e);
	return *e == '\0' && isfinite(*v);
}

static int contains(const char *s, const char *w)
{
	return strcasestr(s, w) != NULL;
}

static enum unit unit_of(const char *h)
{
	if (contains(h, "ms") || contains(h, "msec") || contains(h, "millisec"))
		return U_MS;
	if (contains(h, "(s)") || contains(h, "[s]") || contains(h, "_s") || contains(h, "sec") ||
	    contains(h, " s"))
		return U_S;
	return U_AUTO;
}

static int is_rr_name(const char *h)
{
	return contains(h, "rr") || contains(h, "ibi") || contains(h, "interval") ||
	       !strncasecmp(h, "nn", 2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct hdr {
	int rr_col, time_col, nfields;
	enum unit rr_unit;
};

static void read_header(struct hdr *h, char **f, int n)
{
	int rr = -1, tc = -1;
	for (int i = 0; i < n; i++)
		if (rr < 0 && is_rr_name(f[i]))
			rr = i;
	if (rr < 0)
		return; /* a preamble line, not a header */
	for (int i = 0; i < n; i++)
		if (i != rr && tc < 0 && contains(f[i], "time") && unit_of(f[i]) == U_S)
			tc = i;
	h->rr_col = rr;
	h->time_col = tc;
	h->nfields = n;
	h->rr_unit = unit_of(f[rr]);
}

int va_rr_read(const char *path, struct va_rr **out, size_t *np, const char **unit_note)
{
	*out = NULL;
	*np = 0;
	FILE *fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "vagus-analyze hrv: cannot open %s\n", path);
		return VG_ERR_NOTFOUND;
	}
	struct hdr h = { -1, -1, 0, U_AUTO };
	int started = 0, err = 0;
	size_t n = 0, cap = 0;
	struct va_rr *v = NULL;
	char line[4096], *f[MAX_FIELDS];
	long ln = 0;
	while (!err && fgets(line, sizeof(line), fp)) {
		ln++;
		char *s = line;
		if (ln == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s += 3; /* UTF-8 byte order mark */
		s[strcspn(s, "\r\n")] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#' || *s == '%' || !strncmp(s, "//", 2))
			continue;
		int nf = split(s, f), all = nf > 0;
		double x[MAX_FIELDS];
		for (int i = 0; i < nf; i++)
			all &= number(f[i], &x[i]);
		int rc = h.rr_col, tc = h.time_col;
		if (!started) {
			int by_header = rc >= 0 && nf == h.nfields && number(f[rc], &x[rc]);
			if (!all && !by_header) {
				read_header(&h, f, nf);
				continue;
			}
			if (!by_header) {
				if (nf > 2) {
					fprintf(stderr, "vagus-analyze hrv: %s:%ld: %d columns and no "
						"header naming the RR column (e.g. \"time_s,rr_ms\")\n",
						path, ln, nf);
					err = VG_ERR_PARSE;
					break;
				}
				h.rr_col = rc = nf - 1;
				h.time_col = tc = nf == 2 ? 0 : -1;
				h.nfields = nf;
			}
			started = 1;
		}
		double rr, t = NAN;
		if (rc >= nf || !number(f[rc], &rr) || !(rr > 0) ||
		    (tc >= 0 && (tc >= nf || !number(f[tc], &t)))) {
			fprintf(stderr, "vagus-analyze hrv: %s:%ld: expected a number in column %d "
				"(RR)%s\n", path, ln, rc + 1,
				tc >= 0 ? " and in the time column" : "");
			err = VG_ERR_PARSE;
			break;
		}
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 1024;
			struct va_rr *p = realloc(v, nc * sizeof(*p));
			if (!p) {
				err = VG_ERR_NOMEM;
				break;
			}
			v = p;
			cap = nc;
		}
		v[n].t_s = t;
		v[n].rr_ms = rr;
		n++;
	}
	fclose(fp);
	if (!err && n == 0) {
		fprintf(stderr, "vagus-analyze hrv: %s: no RR intervals found\n", path);
		err = VG_ERR_PARSE;
	}
	if (err) {
		free(v);
		return err;
	}
	enum unit u = h.rr_unit;
	*unit_note = "RR unit from the header";
	if (u == U_AUTO) {
		double *m = malloc(n * sizeof(*m));
		if (!m) {
			free(v);
			return VG_ERR_NOMEM;
		}
		for (size_t i = 0; i < n; i++)
			m[i] = v[i].rr_ms;
		qsort(m, n, sizeof(*m), cmp_double);
		u = m[n / 2] >= MS_FROM ? U_MS : U_S;
		free(m);
		*unit_note = u == U_MS ? "RR in ms (median >= 20)" : "RR in s (median < 20)";
	}
	double sum_s = 0;
	for (size_t i = 0; i < n; i++) {
		if (u == U_S)
			v[i].rr_ms *= 1000.0;
		sum_s += v[i].rr_ms / 1000.0;
		if (isnan(v[i].t_s))
			v[i].t_s = sum_s;
	}
	*out = v;
	*np = n;
	return 0;
}
