/* diag.c — collecting, sorting and rendering diagnostics; see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *title;
	diag_severity sev;
} code_table[] = {
#define ERROR SEV_ERROR
#define WARNING SEV_WARNING
#define DIAG(code, sev, title) {#code, title, sev},
#include "diag_codes.def"
#undef DIAG
#undef ERROR
#undef WARNING
};

const char *diag_code_name(diag_code c) { return code_table[c].name; }
const char *diag_code_title(diag_code c) { return code_table[c].title; }
diag_severity diag_code_severity(diag_code c) { return code_table[c].sev; }

void diag_init(diag_list *d, arena *a)
{
	memset(d, 0, sizeof *d);
	d->a = a;
}

void diag_release(diag_list *d)
{
	free(d->items);
	d->items = NULL;
	d->count = d->cap = 0;
}

static diag scratch; /* absorbs help/notes on diagnostics dropped past the cap; never rendered */

static diag *push(diag_list *d, diag_code code, span sp, bool has_span, const char *fmt, va_list ap)
{
	diag_severity sev = code_table[code].sev;
	if (sev == SEV_ERROR && d->errors >= DIAG_MAX_ERRORS) {
		d->dropped++;
		return &scratch;
	}
	if (d->count == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 16;
		diag *items = realloc(d->items, cap * sizeof *items);
		if (!items) {
			fputs("ludic: out of memory\n", stderr);
			abort();
		}
		d->items = items;
		d->cap = cap;
	}
	diag *g = &d->items[d->count];
	memset(g, 0, sizeof *g);
	g->code = code;
	g->severity = sev;
	g->sp = has_span ? sp : (span){UINT32_MAX, 0, 0};
	g->seq = d->count++;
	g->message = arena_vprintf(d->a, fmt, ap);
	if (sev == SEV_ERROR)
		d->errors++;
	else if (sev == SEV_WARNING)
		d->warnings++;
	return g;
}

diag *diag_add(diag_list *d, diag_code code, span sp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag *g = push(d, code, sp, true, fmt, ap);
	va_end(ap);
	return g;
}

diag *diag_add_nospan(diag_list *d, diag_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag *g = push(d, code, (span){0, 0, 0}, false, fmt, ap);
	va_end(ap);
	return g;
}

void diag_help(diag *g, diag_list *d, const char *fmt, ...)
{
	if (g == &scratch)
		return;
	va_list ap;
	va_start(ap, fmt);
	g->help = arena_vprintf(d->a, fmt, ap);
	va_end(ap);
}

void diag_note(diag *g, diag_list *d, span sp, const char *fmt, ...)
{
	if (g == &scratch)
		return;
	va_list ap;
	va_start(ap, fmt);
	g->note = arena_vprintf(d->a, fmt, ap);
	va_end(ap);
	g->has_note = true;
	g->note_sp = sp;
}

static int cmp_diag(const void *pa, const void *pb)
{
	const diag *a = pa, *b = pb;
	if (a->sp.file != b->sp.file)
		return a->sp.file < b->sp.file ? -1 : 1;
	if (a->sp.start != b->sp.start)
		return a->sp.start < b->sp.start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_sort(diag_list *d)
{
	if (d->count > 1)
		qsort(d->items, d->count, sizeof *d->items, cmp_diag);
}

/* ---- text rendering ---- */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_CYAN "\033[1;36m"
#define C_BLUE "\033[1;34m"

static const char *sev_word(diag_severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

/* Prints `len` bytes of a source line, tabs as one space so the caret stays aligned,
 * control bytes as '?'. */
static void put_line(FILE *out, const char *s, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		fputc(c == '\t' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c, out);
	}
}

/* The source line of `sp` with a ^~~~ underline; multi-line spans are underlined
 * to the end of their first line. */
static void render_snippet(FILE *out, const source *src, span sp, bool color, const char *colour)
{
	uint32_t line = source_line(src, sp.start);
	uint32_t len;
	const char *text = source_line_text(src, line, &len);
	uint32_t col = source_col(src, sp.start);
	uint32_t line_end = src->line_start[line - 1] + len;
	uint32_t end = sp.end > line_end ? line_end : sp.end;
	uint32_t end_col = end > sp.start ? source_col(src, end) : col + 1;
	if (end_col <= col)
		end_col = col + 1;
	int width = snprintf(NULL, 0, "%u", line);
	fprintf(out, "%*s%s |%s\n", width, "", color ? C_BLUE : "", color ? C_RESET : "");
	fprintf(out, "%s%u |%s ", color ? C_BLUE : "", line, color ? C_RESET : "");
	put_line(out, text, len);
	fputc('\n', out);
	fprintf(out, "%*s%s |%s ", width, "", color ? C_BLUE : "", color ? C_RESET : "");
	for (uint32_t c = 1; c < col; c++)
		fputc(' ', out);
	if (color)
		fputs(colour, out);
	fputc('^', out);
	for (uint32_t c = col + 1; c < end_col; c++)
		fputc('~', out);
	if (color)
		fputs(C_RESET, out);
	fputc('\n', out);
}

static void render_text(FILE *out, const diag *g, const source_set *srcs, bool color)
{
	const source *src = g->sp.file != UINT32_MAX ? source_get(srcs, g->sp.file) : NULL;
	const char *colour = g->severity == SEV_ERROR ? C_RED : g->severity == SEV_WARNING ? C_YELLOW : C_CYAN;
	if (src)
		fprintf(out, "%s%s:%u:%u:%s ", color ? C_BOLD : "", src->name, source_line(src, g->sp.start),
			source_col(src, g->sp.start), color ? C_RESET : "");
	fprintf(out, "%s%s[%s]%s: %s%s%s\n", color ? colour : "", sev_word(g->severity), diag_code_name(g->code),
		color ? C_RESET : "", color ? C_BOLD : "", g->message, color ? C_RESET : "");
	if (src)
		render_snippet(out, src, g->sp, color, colour);
	if (g->has_note) {
		const source *nsrc = source_get(srcs, g->note_sp.file);
		if (nsrc) {
			fprintf(out, "%snote%s: %s:%u:%u: %s\n", color ? C_CYAN : "", color ? C_RESET : "", nsrc->name,
				source_line(nsrc, g->note_sp.start), source_col(nsrc, g->note_sp.start), g->note);
			render_snippet(out, nsrc, g->note_sp, color, C_CYAN);
		} else {
			fprintf(out, "%snote%s: %s\n", color ? C_CYAN : "", color ? C_RESET : "", g->note);
		}
	}
	if (g->help)
		fprintf(out, "%shelp%s: %s\n", color ? C_CYAN : "", color ? C_RESET : "", g->help);
}

/* ---- JSON rendering ---- */

void diag_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void json_pos(FILE *out, const source_set *srcs, span sp, const char *prefix)
{
	const source *src = sp.file != UINT32_MAX ? source_get(srcs, sp.file) : NULL;
	if (!src) {
		fprintf(out, "\"%sfile\":null", prefix);
		return;
	}
	fprintf(out, "\"%sfile\":", prefix);
	diag_json_string(out, src->name);
	fprintf(out, ",\"%sline\":%u,\"%scolumn\":%u,\"%send_line\":%u,\"%send_column\":%u", prefix,
		source_line(src, sp.start), prefix, source_col(src, sp.start), prefix, source_line(src, sp.end), prefix,
		source_col(src, sp.end));
}

static void render_json(FILE *out, diag_list *d, const source_set *srcs)
{
	fputs("{\"diagnostics\":[", out);
	for (uint32_t i = 0; i < d->count; i++) {
		const diag *g = &d->items[i];
		fputs(i ? ",\n{" : "\n{", out);
		json_pos(out, srcs, g->sp, "");
		fprintf(out, ",\"severity\":\"%s\",\"code\":\"%s\",\"title\":", sev_word(g->severity),
			diag_code_name(g->code));
		diag_json_string(out, diag_code_title(g->code));
		fputs(",\"message\":", out);
		diag_json_string(out, g->message);
		fputs(",\"help\":", out);
		if (g->help)
			diag_json_string(out, g->help);
		else
			fputs("null", out);
		fputs(",\"note\":", out);
		if (g->has_note) {
			fputc('{', out);
			json_pos(out, srcs, g->note_sp, "");
			fputs(",\"message\":", out);
			diag_json_string(out, g->note ? g->note : "");
			fputc('}', out);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fprintf(out, "%s],\"errors\":%u,\"warnings\":%u}\n", d->count ? "\n" : "", d->errors + (d->dropped ? 1 : 0),
		d->warnings);
}

void diag_render(FILE *out, diag_list *d, const source_set *srcs, diag_format fmt, bool color)
{
	diag_sort(d);
	if (d->dropped && (d->count == 0 || d->items[d->count - 1].code != DIAG_E0110)) {
		/* say once, at the end, that the rest was cut; counted apart from the cap */
		uint32_t errors = d->errors;
		d->errors = 0;
		diag *g = diag_add_nospan(d, DIAG_E0110, "%u more errors not shown", d->dropped);
		diag_help(g, d, "fix the errors above and check again");
		d->errors = errors;
	}
	if (fmt == DIAG_JSON) {
		render_json(out, d, srcs);
		return;
	}
	for (uint32_t i = 0; i < d->count; i++)
		render_text(out, &d->items[i], srcs, color);
}

/* ---- suggestions ---- */

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), case-insensitive; gives up beyond 64 bytes. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 64 || m > 64)
		return 1000;
	unsigned d[65][65];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			char ca = a[i - 1], cb = b[j - 1];
			if (ca >= 'A' && ca <= 'Z') ca = (char)(ca - 'A' + 'a');
			if (cb >= 'A' && cb <= 'Z') cb = (char)(cb - 'A' + 'a');
			unsigned cost = ca != cb;
			unsigned v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

const char *diag_suggest(const char *name, const char *const *candidates, uint32_t n)
{
	size_t len = strlen(name);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3; /* a likely typo, not any word */
	const char *best = NULL;
	unsigned best_d = limit + 1;
	for (uint32_t i = 0; i < n; i++) {
		if (!candidates[i] || strcmp(candidates[i], name) == 0)
			continue;
		unsigned dist = edit_distance(name, candidates[i]);
		if (dist < best_d) {
			best_d = dist;
			best = candidates[i];
		}
	}
	return best;
}
