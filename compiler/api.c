/* api.c — the public embedding API (include/ludic.h), compiler part.
 *
 * A thin wrapper over the compile driver (compile.h): it checks arguments,
 * keeps the stages in order, and turns internal diagnostics into the plain
 * ludic_diagnostic records of the public header. It holds no state of its
 * own outside the ludic_compiler handle.
 */
#include "ludic.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

#define STR2(x) #x
#define STR(x) STR2(x)

struct ludic_compiler {
	/* the compilation: on the heap and reference-counted, because the
	 * programs made from it (ludic_program_new) keep it alive after the
	 * compiler is freed */
	compilation *c;
};

compilation *cmp_of_compiler(struct ludic_compiler *lc)
{
	return lc->c;
}

const char *ludic_version(void)
{
	return STR(LUDIC_VERSION_MAJOR) "." STR(LUDIC_VERSION_MINOR) "." STR(LUDIC_VERSION_PATCH);
}

const char *ludic_status_message(ludic_status s)
{
	switch (s) {
	case LUDIC_OK: return "no problem";
	case LUDIC_ERR_PROGRAM: return "the rules have errors";
	case LUDIC_ERR_IO: return "a file could not be read";
	case LUDIC_ERR_USAGE: return "the ludic API was called wrongly";
	case LUDIC_ERR_MEMORY: return "memory ran out; nothing was changed";
	}
	return "unknown status";
}

const char *ludic_suggest(const char *word, const char *const *candidates, size_t n)
{
	if (!word || !candidates || n > UINT32_MAX)
		return NULL;
	return diag_suggest(word, candidates, (uint32_t)n);
}

static ludic_file_kind kind_of(cmp_header_kind k)
{
	switch (k) {
	case CMP_HDR_PROGRAM: return LUDIC_FILE_PROGRAM;
	case CMP_HDR_OVERLAY: return LUDIC_FILE_OVERLAY;
	case CMP_HDR_LIBRARY: return LUDIC_FILE_LIBRARY;
	case CMP_HDR_NONE: break;
	}
	return LUDIC_FILE_UNKNOWN;
}

static void copy_header(const cmp_header *h, ludic_header *out)
{
	memset(out, 0, sizeof *out);
	out->kind = kind_of(h->kind);
	_Static_assert(sizeof out->name == CMP_NAME_MAX && sizeof out->base == CMP_NAME_MAX, "header name sizes");
	memcpy(out->name, h->name, sizeof out->name);
	memcpy(out->base, h->base, sizeof out->base);
}

void ludic_read_header(const char *text, size_t len, ludic_header *out)
{
	if (!out)
		return;
	cmp_header h;
	cmp_read_header(text ? text : "", text ? len : 0, &h);
	copy_header(&h, out);
}

ludic_compiler *ludic_compiler_new(void)
{
	ludic_compiler *lc = malloc(sizeof *lc);
	if (!lc)
		return NULL;
	lc->c = cmp_new();
	if (!lc->c) {
		free(lc);
		return NULL;
	}
	return lc;
}

void ludic_compiler_free(ludic_compiler *lc)
{
	if (!lc)
		return;
	cmp_drop(lc->c);
	free(lc);
}

ludic_status ludic_compiler_add_file(ludic_compiler *lc, const char *path, unsigned flags)
{
	if (!lc || !path || lc->c->stage != CMP_ADDING)
		return LUDIC_ERR_USAGE;
	return cmp_add_file(lc->c, path, flags & LUDIC_ADD_QUIET) ? LUDIC_OK : LUDIC_ERR_IO;
}

ludic_status ludic_compiler_add_source(ludic_compiler *lc, const char *name, const char *text, size_t len,
				       unsigned flags)
{
	if (!lc || !name || (!text && len) || len >= UINT32_MAX || lc->c->stage != CMP_ADDING)
		return LUDIC_ERR_USAGE;
	cmp_add_text(lc->c, name, text ? text : "", len, flags & LUDIC_ADD_QUIET);
	return LUDIC_OK;
}

/* The status of the compilation as it stands. */
static ludic_status status_of(const compilation *c)
{
	if (c->io_error)
		return LUDIC_ERR_IO;
	return cmp_has_errors(c) ? LUDIC_ERR_PROGRAM : LUDIC_OK;
}

ludic_status ludic_compiler_parse(ludic_compiler *lc)
{
	if (!lc)
		return LUDIC_ERR_USAGE;
	cmp_parse(lc->c);
	return status_of(lc->c);
}

ludic_status ludic_compiler_check(ludic_compiler *lc)
{
	if (!lc)
		return LUDIC_ERR_USAGE;
	cmp_check(lc->c);
	return status_of(lc->c);
}

size_t ludic_compiler_file_count(const ludic_compiler *lc)
{
	return lc ? lc->c->nfiles : 0;
}

ludic_status ludic_compiler_file(const ludic_compiler *lc, size_t i, ludic_file_info *out)
{
	if (!lc || !out || i >= lc->c->nfiles)
		return LUDIC_ERR_USAGE;
	const cmp_file *f = &lc->c->files[i];
	memset(out, 0, sizeof *out);
	out->name = f->name;
	copy_header(&f->header, &out->header);
	out->discovered = f->discovered;
	out->quiet = f->quiet;
	out->readable = f->src != NULL;
	return LUDIC_OK;
}

/* ---- diagnostics ---- */

size_t ludic_compiler_diagnostic_count(const ludic_compiler *lc)
{
	return lc ? lc->c->diags.count : 0;
}

size_t ludic_compiler_error_count(const ludic_compiler *lc)
{
	return lc ? lc->c->diags.errors + (lc->c->diags.dropped ? 1 : 0) : 0;
}

size_t ludic_compiler_warning_count(const ludic_compiler *lc)
{
	return lc ? lc->c->diags.warnings : 0;
}

static ludic_severity severity_of(diag_severity s)
{
	return s == SEV_ERROR ? LUDIC_SEVERITY_ERROR : s == SEV_WARNING ? LUDIC_SEVERITY_WARNING : LUDIC_SEVERITY_NOTE;
}

ludic_status ludic_compiler_diagnostic(const ludic_compiler *lc, size_t i, ludic_diagnostic *out)
{
	if (!lc || !out || i >= lc->c->diags.count)
		return LUDIC_ERR_USAGE;
	const diag *g = &lc->c->diags.items[i];
	memset(out, 0, sizeof *out);
	const source *src = source_get(&lc->c->srcs, g->sp.file);
	if (src) {
		out->file = src->name;
		out->line = source_line(src, g->sp.start);
		out->column = source_col(src, g->sp.start);
		out->end_line = source_line(src, g->sp.end);
		out->end_column = source_col(src, g->sp.end);
	}
	out->severity = severity_of(g->severity);
	out->code = diag_code_name(g->code);
	out->title = diag_code_title(g->code);
	out->message = g->message;
	out->help = g->help;
	if (g->has_note) {
		out->note = g->note;
		const source *nsrc = source_get(&lc->c->srcs, g->note_sp.file);
		if (nsrc) {
			out->note_file = nsrc->name;
			out->note_line = source_line(nsrc, g->note_sp.start);
			out->note_column = source_col(nsrc, g->note_sp.start);
		}
	}
	return LUDIC_OK;
}

ludic_status ludic_compiler_render(ludic_compiler *lc, FILE *out, ludic_format format, unsigned flags)
{
	if (!lc || !out || (format != LUDIC_FORMAT_TEXT && format != LUDIC_FORMAT_JSON))
		return LUDIC_ERR_USAGE;
	diag_render(out, &lc->c->diags, &lc->c->srcs, format == LUDIC_FORMAT_JSON ? DIAG_JSON : DIAG_TEXT,
		    (flags & LUDIC_RENDER_COLOR) != 0);
	return LUDIC_OK;
}

char *ludic_compiler_render_string(ludic_compiler *lc, ludic_format format, unsigned flags)
{
	if (!lc)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return NULL;
	ludic_status s = ludic_compiler_render(lc, mem, format, flags);
	if (fclose(mem) != 0 || s != LUDIC_OK) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- formatting and dumps ---- */

ludic_status ludic_compiler_format(ludic_compiler *lc, size_t i, FILE *out)
{
	if (!lc || !out || i >= lc->c->nfiles)
		return LUDIC_ERR_USAGE;
	cmp_parse(lc->c);
	const cmp_file *f = &lc->c->files[i];
	if (!f->src)
		return LUDIC_ERR_IO;
	if (f->syntax_errors)
		return LUDIC_ERR_PROGRAM;
	ast_format(out, f->ast, f->src);
	return LUDIC_OK;
}

ludic_status ludic_compiler_dump_ast(ludic_compiler *lc, size_t i, FILE *out, bool positions)
{
	if (!lc || !out || i >= lc->c->nfiles)
		return LUDIC_ERR_USAGE;
	cmp_parse(lc->c);
	const cmp_file *f = &lc->c->files[i];
	if (!f->src)
		return LUDIC_ERR_IO;
	ast_dump(out, f->ast, &lc->c->srcs, positions);
	return f->syntax_errors ? LUDIC_ERR_PROGRAM : LUDIC_OK;
}

ludic_status ludic_compiler_dump_types(ludic_compiler *lc, FILE *out)
{
	if (!lc || !out)
		return LUDIC_ERR_USAGE;
	cmp_check(lc->c);
	chk_dump_types(out, lc->c->result, &lc->c->srcs);
	return status_of(lc->c);
}
