/* compile.c — the compile driver; see compile.h.
 *
 * Guarantees: nothing is printed; every file problem is a diagnostic; the
 * stages run at most once each; sources are added in a fixed order (the
 * user's files as given, then discovered base programs, then the standard
 * library), so diagnostics come out in the same order on every run.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "compile.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse.h"

/* Sources are indexed with 32-bit offsets. */
#define MAX_SOURCE_BYTES ((size_t)UINT32_MAX - 1)

void cmp_init(compilation *c)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->a);
	source_set_init(&c->srcs, &c->a);
	diag_init(&c->diags, &c->a);
}

void cmp_release(compilation *c)
{
	diag_release(&c->diags);
	free(c->files);
	arena_free(&c->a);
	memset(c, 0, sizeof *c);
}

compilation *cmp_new(void)
{
	compilation *c = malloc(sizeof *c);
	if (!c)
		return NULL;
	cmp_init(c);
	atomic_init(&c->refs, 1);
	return c;
}

compilation *cmp_retain(compilation *c)
{
	atomic_fetch_add(&c->refs, 1);
	return c;
}

void cmp_drop(compilation *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	cmp_release(c);
	free(c);
}

/* ---- headers ---- */

static size_t skip_blank(const char *t, size_t len, size_t i)
{
	for (;;) {
		while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
			i++;
		if (i < len && t[i] == '#') {
			while (i < len && t[i] != '\n')
				i++;
			continue;
		}
		return i;
	}
}

static bool is_word_char(char ch, bool first)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || (!first && ch >= '0' && ch <= '9');
}

/* Reads a keyword at *i (after blanks); true if it is `word`. */
static bool read_keyword(const char *t, size_t len, size_t *i, const char *word)
{
	size_t j = skip_blank(t, len, *i), k = j;
	while (k < len && is_word_char(t[k], k == j))
		k++;
	size_t n = strlen(word);
	if (k - j != n || memcmp(t + j, word, n) != 0)
		return false;
	*i = k;
	return true;
}

/* Reads a one-line string literal at *i (after blanks) into out (cut to fit). */
static bool read_string(const char *t, size_t len, size_t *i, char out[CMP_NAME_MAX])
{
	size_t j = skip_blank(t, len, *i), n = 0;
	if (j >= len || t[j] != '"')
		return false;
	for (j++; j < len && t[j] != '"'; j++) {
		char ch = t[j];
		if (ch == '\n')
			return false;
		if (ch == '\\' && j + 1 < len) {
			ch = t[++j];
			ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
		}
		if (n + 1 < CMP_NAME_MAX)
			out[n++] = ch;
	}
	if (j >= len)
		return false;
	out[n] = '\0';
	*i = j + 1;
	return true;
}

void cmp_read_header(const char *text, size_t len, cmp_header *out)
{
	memset(out, 0, sizeof *out);
	size_t i = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* a UTF-8 byte order mark */
	if (read_keyword(text, len, &i, "program")) {
		if (read_string(text, len, &i, out->name))
			out->kind = CMP_HDR_PROGRAM;
	} else if (read_keyword(text, len, &i, "library")) {
		if (read_string(text, len, &i, out->name))
			out->kind = CMP_HDR_LIBRARY;
	} else if (read_keyword(text, len, &i, "overlay")) {
		if (read_string(text, len, &i, out->name) && read_keyword(text, len, &i, "extends") &&
		    read_string(text, len, &i, out->base))
			out->kind = CMP_HDR_OVERLAY;
	}
	if (out->kind == CMP_HDR_NONE)
		out->name[0] = out->base[0] = '\0';
}

/* ---- files ---- */

static cmp_file *new_file(compilation *c, const char *name)
{
	if (c->nfiles == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 4;
		cmp_file *files = realloc(c->files, cap * sizeof *files);
		if (!files) {
			fputs("ludic: out of memory\n", stderr);
			abort();
		}
		c->files = files;
		c->cap = cap;
	}
	cmp_file *f = &c->files[c->nfiles++];
	memset(f, 0, sizeof *f);
	f->name = arena_strdup(&c->a, name);
	return f;
}

cmp_file *cmp_add_text(compilation *c, const char *name, const char *text, size_t len, bool quiet)
{
	if (len > MAX_SOURCE_BYTES) {
		diag *g = diag_add_nospan(&c->diags, DIAG_E0108, "`%s` is larger than 4 GiB", name);
		diag_help(g, &c->diags, "split the program into a base program and overlays");
		c->io_error = true;
		cmp_file *f = new_file(c, name);
		f->quiet = quiet;
		return NULL;
	}
	cmp_file *f = new_file(c, name);
	f->quiet = quiet;
	f->src = source_add(&c->srcs, name, text, len);
	cmp_read_header(f->src->text, f->src->len, &f->header);
	return f;
}

/* Reads a whole file into malloc'd memory; on failure returns NULL with errno set
 * (EISDIR for a folder, EFBIG when too large). */
static char *read_all(const char *path, size_t *len)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return NULL;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return NULL;
	}
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		fclose(fp);
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			if (cap > MAX_SOURCE_BYTES) {
				free(buf);
				fclose(fp);
				errno = EFBIG;
				return NULL;
			}
			char *more = realloc(buf, cap * 2);
			if (!more) {
				free(buf);
				fclose(fp);
				errno = ENOMEM;
				return NULL;
			}
			buf = more;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	int err = ferror(fp) ? errno : 0;
	fclose(fp);
	if (err) {
		free(buf);
		errno = err ? err : EIO;
		return NULL;
	}
	if (n > MAX_SOURCE_BYTES) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	*len = n;
	return buf;
}

/* The folder part of `path` ("." when there is none), in the arena. */
static char *dir_of(arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return arena_strdup(a, ".");
	if (slash == path)
		return arena_strdup(a, "/");
	return arena_strndup(a, path, (size_t)(slash - path));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* For a missing file: the *.ludic file of the same folder whose name is
 * closest to it, as a path, or NULL. */
static const char *similar_file(compilation *c, const char *path)
{
	const char *dir = dir_of(&c->a, path);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	DIR *dp = opendir(dir);
	if (!dp)
		return NULL;
	const char *names[256];
	uint32_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)) && n < 256)
		if (ends_with(e->d_name, ".ludic"))
			names[n++] = arena_strdup(&c->a, e->d_name);
	closedir(dp);
	const char *best = diag_suggest(base, names, n);
	if (!best)
		return NULL;
	return slash ? arena_printf(&c->a, "%.*s/%s", (int)(slash - path), path, best) : best;
}

cmp_file *cmp_add_file(compilation *c, const char *path, bool quiet)
{
	size_t len = 0;
	char *text = read_all(path, &len);
	if (!text) {
		int err = errno;
		cmp_file *f = new_file(c, path);
		f->path = f->name;
		f->quiet = quiet;
		c->io_error = true;
		diag *g;
		if (err == EISDIR) {
			g = diag_add_nospan(&c->diags, DIAG_E0111, "cannot read `%s`: it is a folder", path);
			diag_help(g, &c->diags, "give the .ludic files in it");
		} else if (err == EFBIG) {
			g = diag_add_nospan(&c->diags, DIAG_E0108, "`%s` is larger than 4 GiB", path);
			diag_help(g, &c->diags, "split the program into a base program and overlays");
		} else {
			g = diag_add_nospan(&c->diags, DIAG_E0111, "cannot read `%s`: %s", path, strerror(err));
			const char *near = err == ENOENT ? similar_file(c, path) : NULL;
			if (near)
				diag_help(g, &c->diags, "did you mean `%s`?", near);
		}
		return NULL;
	}
	cmp_file *f = cmp_add_text(c, path, text, len, quiet);
	free(text);
	if (f)
		f->path = f->name;
	return f;
}

/* ---- parsing ---- */

static void parse_file(compilation *c, cmp_file *f)
{
	if (!f->src || f->ast)
		return;
	uint32_t before = c->diags.errors + c->diags.dropped;
	f->ast = parse_source(&c->a, &c->next_id, &c->diags, f->src);
	f->syntax_errors = c->diags.errors + c->diags.dropped - before;
}

void cmp_parse(compilation *c)
{
	if (c->stage >= CMP_PARSED)
		return;
	for (uint32_t i = 0; i < c->nfiles; i++)
		parse_file(c, &c->files[i]);
	diag_sort(&c->diags);
	c->stage = CMP_PARSED;
}

/* ---- finding the base program of an overlay ---- */

static bool has_program(const compilation *c, const char *name)
{
	for (uint32_t i = 0; i < c->nfiles; i++)
		if (c->files[i].header.kind == CMP_HDR_PROGRAM && strcmp(c->files[i].header.name, name) == 0)
			return true;
	return false;
}

/* True if `path` names the same file as one already in the compilation. */
static bool already_added(const compilation *c, const char *path)
{
	char want[PATH_MAX], have[PATH_MAX];
	if (!realpath(path, want))
		return false;
	for (uint32_t i = 0; i < c->nfiles; i++)
		if (c->files[i].path && realpath(c->files[i].path, have) && strcmp(want, have) == 0)
			return true;
	return false;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Looks in the folder of `overlay` for a *.ludic file whose header is
 * `program "<base>"` (the first in name order) and adds and parses it. */
static void discover_base(compilation *c, const char *overlay_path, const char *base)
{
	const char *dir = dir_of(&c->a, overlay_path);
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	const char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (!ends_with(e->d_name, ".ludic"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			const char **more = realloc(names, cap * sizeof *names);
			if (!more)
				break;
			names = more;
		}
		names[n++] = arena_printf(&c->a, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, e->d_name);
	}
	closedir(dp);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (already_added(c, names[i]))
			continue;
		size_t len;
		char *text = read_all(names[i], &len);
		if (!text)
			continue;
		cmp_header h;
		cmp_read_header(text, len, &h);
		if (h.kind == CMP_HDR_PROGRAM && strcmp(h.name, base) == 0) {
			cmp_file *f = cmp_add_text(c, names[i], text, len, false);
			free(text);
			if (f) {
				f->path = f->name;
				f->discovered = true;
				parse_file(c, f);
			}
			break;
		}
		free(text);
	}
	free(names);
}

static void discover_bases(compilation *c)
{
	uint32_t given = c->nfiles; /* discovered files are programs, never overlays to follow */
	for (uint32_t i = 0; i < given; i++) {
		const cmp_file *f = &c->files[i];
		if (f->header.kind != CMP_HDR_OVERLAY || !f->path || has_program(c, f->header.base))
			continue;
		/* copy: discover_base may move c->files */
		char path[PATH_MAX], base[CMP_NAME_MAX];
		snprintf(path, sizeof path, "%s", f->path);
		snprintf(base, sizeof base, "%s", f->header.base);
		discover_base(c, path, base);
	}
}

/* ---- checking ---- */

static void load_stdlib(compilation *c)
{
	uint32_t n = 0;
	while (ludic_stdlib_modules[n].name)
		n++;
	c->libs = arena_alloc(&c->a, (n ? n : 1) * sizeof *c->libs);
	for (uint32_t i = 0; i < n; i++) {
		const struct ludic_stdlib_module *m = &ludic_stdlib_modules[i];
		char *name = arena_printf(&c->a, "<stdlib>/%s.ludic", m->name);
		source *src = source_add(&c->srcs, name, m->text, m->len);
		c->libs[c->nlibs++] = parse_source(&c->a, &c->next_id, &c->diags, src);
	}
}

/* Removes the diagnostics located in quiet files from the list. */
static void drop_quiet(compilation *c)
{
	bool any = false;
	for (uint32_t i = 0; i < c->nfiles; i++)
		any |= c->files[i].quiet && c->files[i].src;
	if (!any)
		return;
	bool *quiet = arena_alloc(&c->a, c->srcs.count ? c->srcs.count : 1);
	for (uint32_t i = 0; i < c->nfiles; i++)
		if (c->files[i].quiet && c->files[i].src)
			quiet[c->files[i].src->index] = true;
	diag_list *d = &c->diags;
	uint32_t kept = 0;
	for (uint32_t i = 0; i < d->count; i++) {
		diag *g = &d->items[i];
		if (g->sp.file < c->srcs.count && quiet[g->sp.file]) {
			if (g->severity == SEV_ERROR) {
				d->errors--;
				c->quiet_errors++;
			} else if (g->severity == SEV_WARNING) {
				d->warnings--;
				c->quiet_warnings++;
			}
			continue;
		}
		d->items[kept++] = *g;
	}
	d->count = kept;
}

void cmp_check(compilation *c)
{
	if (c->stage >= CMP_CHECKED)
		return;
	cmp_parse(c);
	discover_bases(c);
	load_stdlib(c);
	ast_node **asts = arena_alloc(&c->a, (c->nfiles ? c->nfiles : 1) * sizeof *asts);
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nfiles; i++)
		if (c->files[i].ast)
			asts[n++] = c->files[i].ast;
	c->result = chk_check(&c->a, &c->diags, &c->srcs, c->libs, c->nlibs, asts, n, c->next_id);
	drop_quiet(c);
	diag_sort(&c->diags);
	c->stage = CMP_CHECKED;
}

bool cmp_has_errors(const compilation *c)
{
	return c->diags.errors > 0 || c->diags.dropped > 0 || c->quiet_errors > 0;
}
