/*
 * guide_summary.c - the session summary as JSON (for the `event` topic,
 * kind session.summary) and as a Markdown report (the daemon writes it
 * into the recording directory). The small JSON writers it shares with
 * guide.c are in guide_fmt.c.
 *
 * Problem: at session.stop the therapist and the researcher want one
 * readable page (baseline vs end: calm, RMSSD, HR, breathing; tension per
 * region; releases; marks and their responses; time in each pacer
 * pattern) and a machine-readable copy of the same figures.
 * Approach: both renderings walk struct guide_summary and append into the
 * caller's buffer with snprintf (no allocation); NAN is printed as null
 * (JSON) or "-" (Markdown); numbers have fixed decimals so reports compare
 * byte for byte.
 * Limits: the caller sizes the buffer (64 KiB holds the largest summary:
 * 64 marks, 32 releases); a full buffer gives VG_ERR_TRUNC.
 */
#include "guide_int.h"
#include "vg_err.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int finish(size_t pos, size_t cap)
{
	return pos < cap ? (int)pos : VG_ERR_TRUNC;
}

/* ---------------------------------------------------------------- JSON */
static size_t json_span(char *b, size_t cap, size_t p, const char *key,
			const struct guide_span *s, int nreg)
{
	p = guide_appendf(b, cap, p, "\"%s\":{\"hr_bpm\":", key);
	p = guide_json_num(b, cap, p, s->hr_bpm, 2);
	p = guide_appendf(b, cap, p, ",\"rmssd_ms\":");
	p = guide_json_num(b, cap, p, s->rmssd_ms, 2);
	p = guide_appendf(b, cap, p, ",\"calm\":");
	p = guide_json_num(b, cap, p, s->calm, 1);
	p = guide_appendf(b, cap, p, ",\"resp_bpm\":");
	p = guide_json_num(b, cap, p, s->resp_bpm, 2);
	p = guide_appendf(b, cap, p, ",\"emg_uv\":[");
	for (int c = 0; c < nreg; c++) {
		p = guide_appendf(b, cap, p, c ? "," : "");
		p = guide_json_num(b, cap, p, s->emg_uv[c], 2);
	}
	return guide_appendf(b, cap, p, "]}");
}

/* level 0: everything; 1: marks without their EMG arrays; 2: no lists. */
static int summary_json(const struct guide_summary *s, char *b, size_t cap,
			int level)
{
	size_t p = guide_appendf(b, cap, 0, "{\"session\":");
	p = guide_json_str(b, cap, p, s->session);
	p = guide_appendf(b, cap, p, ",\"start_ns\":%lld,\"stop_ns\":%lld,\"duration_s\":",
			  (long long)s->start_ns, (long long)s->stop_ns);
	p = guide_json_num(b, cap, p, s->duration_s, 1);
	p = guide_appendf(b, cap, p, ",\"span_s\":");
	p = guide_json_num(b, cap, p, s->span_s, 1);
	p = guide_appendf(b, cap, p, ",\"baseline_captured\":%s,\"baseline_s\":",
			  s->baseline_captured ? "true" : "false");
	p = guide_json_num(b, cap, p, s->baseline_s, 1);
	p = guide_appendf(b, cap, p, ",\"date\":");
	p = guide_json_str(b, cap, p, s->date);
	p = guide_appendf(b, cap, p, ",\"client\":");
	p = guide_json_str(b, cap, p, s->client);
	p = guide_appendf(b, cap, p, ",\"technique\":");
	p = guide_json_str(b, cap, p, s->technique);
	p = guide_appendf(b, cap, p, ",\"profile\":");
	p = guide_json_str(b, cap, p, s->profile);
	if (level < 2) {
		p = guide_appendf(b, cap, p, ",\"notes\":");
		p = guide_json_str(b, cap, p, s->notes);
	}
	p = guide_appendf(b, cap, p, ",\"simulated\":%s", s->simulated ? "true" : "false");
	p = guide_appendf(b, cap, p, ",\"regions\":[");
	for (int c = 0; c < s->nregions; c++) {
		p = guide_appendf(b, cap, p, c ? "," : "");
		p = guide_json_str(b, cap, p, s->region[c]);
	}
	p = guide_appendf(b, cap, p, "],");
	p = json_span(b, cap, p, "baseline", &s->baseline, s->nregions);
	p = guide_appendf(b, cap, p, ",");
	p = json_span(b, cap, p, "end", &s->end, s->nregions);
	p = guide_appendf(b, cap, p, ",\"compact\":%s,\"nreleases\":%d,\"nmarks\":%d",
			  level ? "true" : "false", s->nreleases, s->nmarks);
	p = guide_appendf(b, cap, p, ",\"releases\":[");
	for (int i = 0; level < 2 && i < s->nreleases; i++) {
		const struct guide_release *r = &s->releases[i];
		p = guide_appendf(b, cap, p, "%s{\"t_ns\":%lld,\"drop_t_ns\":%lld,\"technique\":",
				  i ? "," : "", (long long)r->t_ns, (long long)r->drop_t_ns);
		p = guide_json_str(b, cap, p, r->technique);
		p = guide_appendf(b, cap, p, ",\"region\":");
		p = guide_json_str(b, cap, p, r->region);
		p = guide_appendf(b, cap, p, ",\"drop_pct\":");
		p = guide_json_num(b, cap, p, r->drop_pct, 1);
		p = guide_appendf(b, cap, p, ",\"hold_s\":");
		p = guide_json_num(b, cap, p, r->hold_s, 1);
		p = guide_appendf(b, cap, p, "}");
	}
	p = guide_appendf(b, cap, p, "],\"marks\":[");
	for (int i = 0; level < 2 && i < s->nmarks; i++) {
		const struct guide_mark_response *m = &s->marks[i];
		p = guide_appendf(b, cap, p, "%s{\"t_ns\":%lld,\"label\":", i ? "," : "",
				  (long long)m->mark_t_ns);
		p = guide_json_str(b, cap, p, m->label);
		p = guide_appendf(b, cap, p, ",\"region\":");
		p = guide_json_str(b, cap, p, m->region);
		p = guide_appendf(b, cap, p, ",\"dhr_bpm\":");
		p = guide_json_num(b, cap, p, m->dhr_bpm, 2);
		p = guide_appendf(b, cap, p, ",\"drmssd_pct\":");
		p = guide_json_num(b, cap, p, m->drmssd_pct, 1);
		p = guide_appendf(b, cap, p, ",\"dcalm\":");
		p = guide_json_num(b, cap, p, m->dcalm, 1);
		p = guide_appendf(b, cap, p, ",\"emg\":%s,\"complete\":%s}",
				  (m->emg[0] && level == 0) ? m->emg : "[]",
				  m->complete ? "true" : "false");
	}
	p = guide_appendf(b, cap, p, "],\"pacer_s\":{");
	for (int k = 1; k < PACER_NMODES; k++) {
		p = guide_appendf(b, cap, p, "%s\"%s\":", k > 1 ? "," : "",
				  pacer_mode_name((enum pacer_mode)k));
		p = guide_json_num(b, cap, p, s->pacer_s[k], 1);
	}
	p = guide_appendf(b, cap, p, "},\"adaptive_best_bpm\":");
	p = guide_json_num(b, cap, p, s->adaptive_best_bpm, 1);
	p = guide_appendf(b, cap, p, ",\"advice_s\":{");
	for (int k = 0; k < GUIDE_NADVICE; k++) {
		p = guide_appendf(b, cap, p, "%s\"%s\":", k ? "," : "",
				  guide_advice_name((enum guide_advice)k));
		p = guide_json_num(b, cap, p, s->advice_s[k], 1);
	}
	p = guide_appendf(b, cap, p, "},\"holds\":%d,\"holds_long\":%d,\"ncal\":%d,"
			  "\"calibrations\":[", s->holds, s->holds_long, s->ncal);
	for (int i = 0; level < 2 && i < s->ncal; i++) {
		const struct guide_cal *c = &s->cal[i];
		p = guide_appendf(b, cap, p, "%s{\"t_ns\":%lld,\"channel\":%d,\"region\":",
				  i ? "," : "", (long long)c->t_ns, c->channel);
		p = guide_json_str(b, cap, p, c->region);
		p = guide_appendf(b, cap, p, ",\"kind\":");
		p = guide_json_str(b, cap, p, c->kind);
		p = guide_appendf(b, cap, p, ",\"level_uv\":");
		p = guide_json_num(b, cap, p, c->level_uv, 1);
		p = guide_appendf(b, cap, p, ",\"accepted\":%s}", c->accepted ? "true" : "false");
	}
	p = guide_appendf(b, cap, p, "]}");
	return finish(p, cap);
}

int guide_summary_json(const struct guide_summary *s, char *b, size_t cap)
{
	int n = VG_ERR_TRUNC;
	for (int level = 0; level <= 2 && n < 0; level++)
		n = summary_json(s, b, cap, level);
	return n;
}

/* ---------------------------------------------------------------- Markdown */
static size_t md_num(char *b, size_t cap, size_t p, double v, int dec)
{
	return isfinite(v) ? guide_appendf(b, cap, p, "%.*f", dec, v)
			   : guide_appendf(b, cap, p, "-");
}

static size_t md_row(char *b, size_t cap, size_t p, const char *name,
		     const char *unit, double base, double end, int dec)
{
	p = guide_appendf(b, cap, p, "| %s | ", name);
	p = md_num(b, cap, p, base, dec);
	p = guide_appendf(b, cap, p, " | ");
	p = md_num(b, cap, p, end, dec);
	p = guide_appendf(b, cap, p, " | ");
	if (isfinite(base) && isfinite(end)) {
		p = guide_appendf(b, cap, p, "%+.*f%s%s", dec, end - base, unit[0] ? " " : "", unit);
		if (base > 0.0 && strcmp(unit, "bpm") != 0)
			p = guide_appendf(b, cap, p, " (%+.0f %%)", 100.0 * (end - base) / base);
	} else {
		p = guide_appendf(b, cap, p, "-");
	}
	return guide_appendf(b, cap, p, " |\n");
}

/* "| name | text |" with the text kept on one table cell ("-" if empty). */
static size_t md_cell(char *b, size_t cap, size_t p, const char *name, const char *text)
{
	p = guide_appendf(b, cap, p, "| %s | ", name);
	if (!text[0])
		p = guide_appendf(b, cap, p, "-");
	for (; *text; text++)
		p = guide_appendf(b, cap, p, "%c",
				  (*text == '|' || *text == '\n' || *text == '\r') ? ' ' : *text);
	return guide_appendf(b, cap, p, " |\n");
}

static double offset_s(const struct guide_summary *s, int64_t t)
{
	return (double)(t - s->start_ns) / 1e9;
}

int guide_summary_markdown(const struct guide_summary *s, char *b, size_t cap)
{
	size_t p = guide_appendf(b, cap, 0, "# Session %s\n\n",
				 s->session[0] ? s->session : "(unnamed)");
	if (s->simulated)
		p = guide_appendf(b, cap, p, "**SIMULATED DATA**: every figure below comes from "
				  "vagus's built-in simulator, not from a person.\n\n");
	p = guide_appendf(b, cap, p, "| | |\n|---|---|\n");
	p = md_cell(b, cap, p, "date", s->date);
	p = md_cell(b, cap, p, "client", s->client);
	p = md_cell(b, cap, p, "technique", s->technique);
	p = md_cell(b, cap, p, "profile", s->profile);
	p = md_cell(b, cap, p, "notes", s->notes);
	p = guide_appendf(b, cap, p, "\n");
	p = guide_appendf(b, cap, p, "Duration %.0f s (%.1f min). ", s->duration_s,
			  s->duration_s / 60.0);
	if (s->baseline_captured)
		p = guide_appendf(b, cap, p, "Baseline = the baseline captured at %.0f s "
				  "(%.0f s long); ", offset_s(s, s->baseline_from_ns), s->baseline_s);
	else
		p = guide_appendf(b, cap, p, "Baseline = first %.0f s; ", s->span_s);
	p = guide_appendf(b, cap, p, "end = last %.0f s (spans are 20 %% of the session, "
			  "at least 15 s, at most 120 s).\n\n", s->span_s);
	p = guide_appendf(b, cap, p, "## Baseline vs end\n\n| figure | baseline | end | change |\n|---|---|---|---|\n");
	p = md_row(b, cap, p, "calm (0-100)", "", s->baseline.calm, s->end.calm, 1);
	p = md_row(b, cap, p, "RMSSD, ms", "ms", s->baseline.rmssd_ms, s->end.rmssd_ms, 1);
	p = md_row(b, cap, p, "heart rate, bpm", "bpm", s->baseline.hr_bpm, s->end.hr_bpm, 1);
	p = md_row(b, cap, p, "breathing, /min", "/min", s->baseline.resp_bpm, s->end.resp_bpm, 1);
	if (s->baseline_captured)
		p = guide_appendf(b, cap, p, "\nBaseline calm is the mean over the 30 s after the "
				  "captured baseline (calm is relative to it, so about 50).\n");
	else
		p = guide_appendf(b, cap, p, "\nBaseline calm is the mean over the first 30 s in which "
				  "calm exists (calm is relative to this session's start, so about 50).\n");

	p = guide_appendf(b, cap, p, "\n## Tension per region (EMG RMS, uV)\n\n");
	if (s->nregions == 0) {
		p = guide_appendf(b, cap, p, "No EMG.\n");
	} else {
		p = guide_appendf(b, cap, p, "| region | baseline | end | change | releases |\n|---|---|---|---|---|\n");
		for (int c = 0; c < s->nregions; c++) {
			p = guide_appendf(b, cap, p, "| %s | ", s->region[c]);
			p = md_num(b, cap, p, s->baseline.emg_uv[c], 1);
			p = guide_appendf(b, cap, p, " | ");
			p = md_num(b, cap, p, s->end.emg_uv[c], 1);
			p = guide_appendf(b, cap, p, " | ");
			double bu = s->baseline.emg_uv[c], eu = s->end.emg_uv[c];
			if (isfinite(bu) && isfinite(eu) && bu > 0.0)
				p = guide_appendf(b, cap, p, "%+.0f %%", 100.0 * (eu - bu) / bu);
			else
				p = guide_appendf(b, cap, p, "-");
			p = guide_appendf(b, cap, p, " | %d |\n", s->region_releases[c]);
		}
	}

	p = guide_appendf(b, cap, p, "\n## Holds and releases\n\n%d hold(s), %d past their usual span, %d release(s).\n",
			  s->holds, s->holds_long, s->nreleases);
	for (int i = 0; i < s->nreleases; i++) {
		const struct guide_release *r = &s->releases[i];
		p = guide_appendf(b, cap, p, "- at %.0f s: %s\n", offset_s(s, r->drop_t_ns), r->text);
	}

	p = guide_appendf(b, cap, p, "\n## Marks and responses (30 s after vs 30 s before)\n\n");
	if (s->nmarks == 0)
		p = guide_appendf(b, cap, p, "No marks.\n");
	for (int i = 0; i < s->nmarks; i++) {
		const struct guide_mark_response *m = &s->marks[i];
		p = guide_appendf(b, cap, p, "- at %.0f s: %s", offset_s(s, m->mark_t_ns), m->text);
		if (isfinite(m->pressure))
			p = guide_appendf(b, cap, p, " [pressure %.1f]", m->pressure);
		p = guide_appendf(b, cap, p, "\n");
	}

	p = guide_appendf(b, cap, p, "\n## Breathing pacer\n\n");
	int any = 0;
	for (int k = 1; k < PACER_NMODES; k++)
		any |= s->pacer_s[k] >= 0.5;
	if (!any)
		p = guide_appendf(b, cap, p, "The pacer was not used.\n");
	else
		p = guide_appendf(b, cap, p, "| pattern | time, s |\n|---|---|\n");
	for (int k = 1; any && k < PACER_NMODES; k++)
		if (s->pacer_s[k] >= 0.5)
			p = guide_appendf(b, cap, p, "| %s | %.0f |\n",
					  pacer_mode_name((enum pacer_mode)k), s->pacer_s[k]);

	if (isfinite(s->adaptive_best_bpm))
		p = guide_appendf(b, cap, p, "\nResonance rate found by the adaptive scan: %.1f breaths/min.\n",
				  s->adaptive_best_bpm);

	p = guide_appendf(b, cap, p, "\n## EMG calibrations\n\n");
	if (s->ncal == 0)
		p = guide_appendf(b, cap, p, "None in this session.\n");
	for (int i = 0; i < s->ncal; i++) {
		const struct guide_cal *c = &s->cal[i];
		p = guide_appendf(b, cap, p, "- at %.0f s: %s on %s", offset_s(s, c->t_ns),
				  c->kind, c->region[0] ? c->region : "(channel)");
		if (isfinite(c->level_uv))
			p = guide_appendf(b, cap, p, ", %.1f uV", c->level_uv);
		p = c->accepted ? guide_appendf(b, cap, p, ", accepted\n")
				: guide_appendf(b, cap, p, ", refused: %s\n", c->why);
	}

	p = guide_appendf(b, cap, p, "\n## Pressure advice\n\n");
	for (int k = 0; k < GUIDE_NADVICE; k++)
		p = guide_appendf(b, cap, p, "%s%s %.0f s", k ? ", " : "",
				  guide_advice_name((enum guide_advice)k), s->advice_s[k]);
	p = guide_appendf(b, cap, p, ".\n\n_Figures from vagus; decision support, not a clinical assessment._\n");
	return finish(p, cap);
}
