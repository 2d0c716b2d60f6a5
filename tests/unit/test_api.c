/* test_api.c — unit tests of the compile driver (compiler/compile.c) and the
 * public API (include/ludic.h, compiler/api.c): headers, I/O errors, stages,
 * finding the base program of an overlay, quiet files, rendering. These tests
 * do not depend on what the parser or the checker report. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"
#include "ludic.h"

/* ---- a scratch folder ---- */

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/ludic-test-api-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static const char *put(const char *name, const char *text)
{
	static char path[8][128];
	static int k;
	char *p = path[k++ % 8];
	snprintf(p, 128, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* ---- versions and statuses ---- */

Test(api, version_matches_the_macros)
{
	char want[32];
	snprintf(want, sizeof want, "%d.%d.%d", LUDIC_VERSION_MAJOR, LUDIC_VERSION_MINOR, LUDIC_VERSION_PATCH);
	cr_assert_str_eq(ludic_version(), want);
}

Test(api, every_status_has_its_own_message)
{
	const char *m[5];
	for (int s = 0; s < 5; s++) {
		m[s] = ludic_status_message((ludic_status)s);
		cr_assert_not_null(m[s]);
		cr_assert_str_neq(m[s], "unknown status", "status %d", s);
		for (int t = 0; t < s; t++)
			cr_assert_str_neq(m[s], m[t]);
	}
	cr_assert_eq(LUDIC_ERR_MEMORY, 4);
	cr_assert_str_eq(ludic_status_message(LUDIC_ERR_MEMORY), "memory ran out; nothing was changed");
	cr_assert_str_eq(ludic_status_message((ludic_status)99), "unknown status");
}

/* ---- headers ---- */

static ludic_header header(const char *text)
{
	ludic_header h;
	ludic_read_header(text, strlen(text), &h);
	return h;
}

Test(api, headers)
{
	ludic_header h = header("# a comment\n\n  # another\nprogram \"maison-verte\" version \"2027.03\"\nuse retail\n");
	cr_assert_eq(h.kind, LUDIC_FILE_PROGRAM);
	cr_assert_str_eq(h.name, "maison-verte");
	cr_assert_str_eq(h.base, "");

	h = header("overlay \"north\"\n  extends \"maison-verte\" for region \"north\"\n");
	cr_assert_eq(h.kind, LUDIC_FILE_OVERLAY);
	cr_assert_str_eq(h.name, "north");
	cr_assert_str_eq(h.base, "maison-verte");

	h = header("library \"retail\"\n");
	cr_assert_eq(h.kind, LUDIC_FILE_LIBRARY);
	cr_assert_str_eq(h.name, "retail");

	h = header("\xEF\xBB\xBFprogram \"with \\\"quotes\\\"\"");
	cr_assert_eq(h.kind, LUDIC_FILE_PROGRAM);
	cr_assert_str_eq(h.name, "with \"quotes\"");
}

Test(api, no_readable_header)
{
	const char *bad[] = {
		"", "# only a comment", "use retail\nprogram \"late\"", "programme \"x\"", "program x",
		"program \"unterminated", "program \"two\nlines\"", "overlay \"o\" extends", "overlay \"o\" for region \"n\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ludic_header h = header(bad[i]);
		cr_assert_eq(h.kind, LUDIC_FILE_UNKNOWN, "case %zu: %s", i, bad[i]);
		cr_assert_str_eq(h.name, "");
	}
	ludic_header h;
	ludic_read_header(NULL, 10, &h);
	cr_assert_eq(h.kind, LUDIC_FILE_UNKNOWN);
}

Test(api, long_names_are_cut_not_overflowed)
{
	char text[1024];
	char name[600];
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	snprintf(text, sizeof text, "program \"%s\"", name);
	ludic_header h = header(text);
	cr_assert_eq(h.kind, LUDIC_FILE_PROGRAM);
	cr_assert_eq(strlen(h.name), sizeof h.name - 1);
}

/* ---- stages and wrong calls ---- */

Test(api, null_handles_and_bad_indices)
{
	cr_assert_eq(ludic_compiler_add_file(NULL, "x", 0), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_check(NULL), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_parse(NULL), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_diagnostic_count(NULL), 0);
	cr_assert_null(ludic_compiler_render_string(NULL, LUDIC_FORMAT_TEXT, 0));
	ludic_compiler_free(NULL);

	ludic_compiler *c = ludic_compiler_new();
	cr_assert_not_null(c);
	cr_assert_eq(ludic_compiler_add_file(c, NULL, 0), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_add_source(c, NULL, "x", 1, 0), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_add_source(c, "x", NULL, 1, 0), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_add_source(c, "empty.ludic", NULL, 0, 0), LUDIC_OK);
	ludic_file_info fi;
	ludic_diagnostic d;
	cr_assert_eq(ludic_compiler_file(c, 1, &fi), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_diagnostic(c, 0, &d), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_format(c, 5, stdout), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_render(c, stdout, (ludic_format)7, 0), LUDIC_ERR_USAGE);
	ludic_compiler_free(c);
}

Test(api, no_adding_after_parsing)
{
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_compiler_add_source(c, "a.ludic", "program \"a\"\n", 12, 0), LUDIC_OK);
	ludic_status first = ludic_compiler_check(c);
	cr_assert_eq(ludic_compiler_add_source(c, "b.ludic", "program \"b\"\n", 12, 0), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_add_file(c, "/etc/hostname", 0), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_compiler_check(c), first, "checking twice gives the same status");
	cr_assert_eq(ludic_compiler_file_count(c), 1);
	ludic_compiler_free(c);
}

Test(api, the_stdlib_is_embedded_and_parsed_under_its_name)
{
	cr_assert_not_null(ludic_stdlib_modules[0].name);
	cr_assert_str_eq(ludic_stdlib_modules[0].name, "retail");
	cr_assert_gt(ludic_stdlib_modules[0].len, 100);
	cr_assert_eq(strlen(ludic_stdlib_modules[0].text), ludic_stdlib_modules[0].len);
	cmp_header h;
	cmp_read_header(ludic_stdlib_modules[0].text, ludic_stdlib_modules[0].len, &h);
	cr_assert_eq(h.kind, CMP_HDR_LIBRARY);
	cr_assert_str_eq(h.name, "retail");

	compilation c;
	cmp_init(&c);
	cmp_add_text(&c, "t.ludic", "program \"t\"\nuse retail\n", 23, false);
	cmp_check(&c);
	cr_assert_eq(c.nlibs, 1);
	cr_assert_not_null(c.libs[0]);
	cr_assert_eq(c.stage, CMP_CHECKED);
	bool found = false;
	for (uint32_t i = 0; i < c.srcs.count; i++)
		found |= strcmp(c.srcs.files[i]->name, "<stdlib>/retail.ludic") == 0;
	cr_assert(found);
	cr_assert_not_null(c.result);
	cr_assert_geq(c.next_id, 2, "every file has at least its AST_FILE node");
	cmp_release(&c);
}

/* ---- I/O errors ---- */

TestSuite(files, .init = make_dir, .fini = remove_dir);

Test(files, a_missing_file_is_an_io_error_with_a_suggestion)
{
	put("tiers.ludic", "program \"t\"\n");
	char path[128];
	snprintf(path, sizeof path, "%s/tier.ludic", dir);
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_compiler_add_file(c, path, 0), LUDIC_ERR_IO);
	cr_assert_eq(ludic_compiler_check(c), LUDIC_ERR_IO);
	cr_assert_eq(ludic_compiler_diagnostic_count(c), 1);
	cr_assert_eq(ludic_compiler_error_count(c), 1);
	ludic_diagnostic d;
	cr_assert_eq(ludic_compiler_diagnostic(c, 0, &d), LUDIC_OK);
	cr_assert_null(d.file);
	cr_assert_eq(d.line, 0);
	cr_assert_eq(d.severity, LUDIC_SEVERITY_ERROR);
	cr_assert_not_null(strstr(d.message, "tier.ludic"));
	cr_assert_not_null(strstr(d.message, "No such file"));
	cr_assert_not_null(d.help);
	cr_assert_not_null(strstr(d.help, "tiers.ludic"), "%s", d.help);
	ludic_file_info fi;
	cr_assert_eq(ludic_compiler_file(c, 0, &fi), LUDIC_OK);
	cr_assert(!fi.readable);
	cr_assert_eq(ludic_compiler_format(c, 0, stdout), LUDIC_ERR_IO);
	char *json = ludic_compiler_render_string(c, LUDIC_FORMAT_JSON, 0);
	cr_assert_not_null(strstr(json, "\"file\":null"));
	cr_assert_not_null(strstr(json, "\"errors\":1,\"warnings\":0}"));
	free(json);
	ludic_compiler_free(c);
}

Test(files, a_folder_is_an_io_error)
{
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_compiler_add_file(c, dir, 0), LUDIC_ERR_IO);
	ludic_diagnostic d;
	cr_assert_eq(ludic_compiler_diagnostic(c, 0, &d), LUDIC_OK);
	cr_assert_not_null(strstr(d.message, "it is a folder"), "%s", d.message);
	ludic_compiler_free(c);
}

Test(files, a_file_is_read_whole)
{
	/* larger than any read buffer: the text must arrive complete */
	size_t n = 300000;
	char *big = malloc(n + 1);
	memset(big, '#', n);
	memcpy(big, "program \"big\"\n", 14);
	for (size_t i = 100; i < n; i += 100)
		big[i] = '\n';
	big[n] = '\0';
	const char *path = put("big.ludic", big);
	compilation c;
	cmp_init(&c);
	cmp_file *f = cmp_add_file(&c, path, false);
	cr_assert_not_null(f);
	cr_assert_eq(f->src->len, n);
	cr_assert(memcmp(f->src->text, big, n) == 0);
	cr_assert_eq(f->header.kind, CMP_HDR_PROGRAM);
	cr_assert_str_eq(f->path, path);
	cmp_release(&c);
	free(big);
}

/* ---- overlays and their base programs ---- */

Test(files, the_base_program_is_found_in_the_overlay_folder)
{
	put("a-other.ludic", "program \"other\"\n");
	const char *base = put("base.ludic", "# the base\nprogram \"garden\"\n");
	put("z-same-name.ludic", "program \"garden\"\n"); /* a second match: the first in name order wins */
	const char *ov = put("north.ludic", "overlay \"north\" extends \"garden\" for region \"north\"\n");
	put("notes.txt", "program \"garden\"\n");
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_compiler_add_file(c, ov, 0), LUDIC_OK);
	ludic_compiler_check(c);
	cr_assert_eq(ludic_compiler_file_count(c), 2);
	ludic_file_info fi;
	cr_assert_eq(ludic_compiler_file(c, 1, &fi), LUDIC_OK);
	cr_assert_str_eq(fi.name, base);
	cr_assert(fi.discovered);
	cr_assert(!fi.quiet);
	cr_assert_eq(fi.header.kind, LUDIC_FILE_PROGRAM);
	cr_assert_eq(ludic_compiler_file(c, 0, &fi), LUDIC_OK);
	cr_assert(!fi.discovered);
	cr_assert_eq(fi.header.kind, LUDIC_FILE_OVERLAY);
	cr_assert_str_eq(fi.header.base, "garden");
	ludic_compiler_free(c);
}

Test(files, no_search_when_the_base_is_given)
{
	const char *base = put("base.ludic", "program \"garden\"\n");
	const char *ov = put("north.ludic", "overlay \"north\" extends \"garden\" for region \"north\"\n");
	ludic_compiler *c = ludic_compiler_new();
	ludic_compiler_add_file(c, ov, 0);
	ludic_compiler_add_file(c, base, LUDIC_ADD_QUIET);
	ludic_compiler_check(c);
	cr_assert_eq(ludic_compiler_file_count(c), 2, "the base is not added twice");
	ludic_compiler_free(c);

	/* the same file under another spelling of its path is not added again either */
	char other[160];
	snprintf(other, sizeof other, "%s/./north.ludic", dir);
	c = ludic_compiler_new();
	ludic_compiler_add_file(c, other, 0);
	ludic_compiler_add_file(c, base, 0);
	ludic_compiler_check(c);
	cr_assert_eq(ludic_compiler_file_count(c), 2);
	ludic_compiler_free(c);
}

Test(files, no_base_found_adds_nothing)
{
	const char *ov = put("north.ludic", "overlay \"north\" extends \"nowhere\" for region \"north\"\n");
	put("base.ludic", "program \"garden\"\n");
	ludic_compiler *c = ludic_compiler_new();
	ludic_compiler_add_file(c, ov, 0);
	ludic_compiler_check(c);
	cr_assert_eq(ludic_compiler_file_count(c), 1);
	ludic_compiler_free(c);
}

Test(api, in_memory_overlays_do_not_search_folders)
{
	ludic_compiler *c = ludic_compiler_new();
	const char *ov = "overlay \"north\" extends \"garden\" for region \"north\"\n";
	ludic_compiler_add_source(c, "north.ludic", ov, strlen(ov), 0);
	ludic_compiler_check(c);
	cr_assert_eq(ludic_compiler_file_count(c), 1);
	ludic_compiler_free(c);
}

/* ---- quiet files ---- */

Test(api, diagnostics_of_quiet_files_are_counted_apart)
{
	compilation c;
	cmp_init(&c);
	cmp_file *base = cmp_add_text(&c, "base.ludic", "program \"b\"\n", 12, true);
	cmp_file *mine = cmp_add_text(&c, "mine.ludic", "program \"m\"\n", 12, false);
	cmp_parse(&c);
	uint32_t before = c.diags.count, errors = c.diags.errors;
	diag_add(&c.diags, DIAG_E0201, (span){base->src->index, 0, 7}, "in the quiet file");
	diag_add(&c.diags, DIAG_W0504, (span){base->src->index, 0, 7}, "a quiet warning");
	diag_add(&c.diags, DIAG_E0201, (span){mine->src->index, 0, 7}, "in my file");
	cmp_check(&c);
	cr_assert_eq(c.quiet_errors, 1);
	cr_assert_eq(c.quiet_warnings, 1);
	bool mine_kept = false;
	for (uint32_t i = 0; i < c.diags.count; i++) {
		cr_assert_str_neq(c.diags.items[i].message, "in the quiet file");
		cr_assert_str_neq(c.diags.items[i].message, "a quiet warning");
		mine_kept |= strcmp(c.diags.items[i].message, "in my file") == 0;
	}
	cr_assert(mine_kept);
	cr_assert_geq(c.diags.count, before + 1);
	cr_assert_geq(c.diags.errors, errors + 1);
	cr_assert(cmp_has_errors(&c));
	cmp_release(&c);
}

/* ---- output ---- */

Test(api, rendering_is_deterministic)
{
	const char *text = "program \"t\"\nuse retail\nrule \"r\" on purchase: award 1 pointz\n@@\n";
	char *out[2];
	for (int k = 0; k < 2; k++) {
		ludic_compiler *c = ludic_compiler_new();
		ludic_compiler_add_source(c, "t.ludic", text, strlen(text), 0);
		ludic_compiler_check(c);
		out[k] = ludic_compiler_render_string(c, LUDIC_FORMAT_JSON, 0);
		cr_assert_not_null(out[k]);
		cr_assert_eq(out[k][0], '{');
		ludic_compiler_free(c);
	}
	cr_assert_str_eq(out[0], out[1]);
	free(out[0]);
	free(out[1]);
}

Test(api, formatting_writes_to_the_stream)
{
	const char *text = "program \"t\"\n";
	ludic_compiler *c = ludic_compiler_new();
	ludic_compiler_add_source(c, "t.ludic", text, strlen(text), 0);
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	cr_assert_eq(ludic_compiler_format(c, 0, mem), LUDIC_OK);
	fclose(mem);
	cr_assert_gt(len, 0);
	cr_assert_not_null(strstr(out, "program \"t\""));
	free(out);
	mem = open_memstream(&out, &len);
	cr_assert_eq(ludic_compiler_dump_ast(c, 0, mem, false), LUDIC_OK);
	fclose(mem);
	cr_assert_gt(len, 0);
	free(out);
	ludic_compiler_free(c);
}

Test(api, suggest_finds_likely_typos_only)
{
	const char *const words[] = {"check", "fmt", NULL, "dump"};
	cr_assert_str_eq(ludic_suggest("chek", words, 4), "check");
	cr_assert_str_eq(ludic_suggest("fmtt", words, 4), "fmt");
	cr_assert_null(ludic_suggest("deploy", words, 4), "no word is close to `deploy`");
	cr_assert_null(ludic_suggest(NULL, words, 4));
	cr_assert_null(ludic_suggest("x", NULL, 0));
}
