/* test_diag.c — unit tests of diagnostics (compiler/diag.c): collecting,
 * counting, sorting, the error cap, text and JSON rendering, suggestions. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "source.h"

static arena a;
static source_set set;
static diag_list d;

static void setup(void)
{
	arena_init(&a);
	source_set_init(&set, &a);
	diag_init(&d, &a);
}

static void teardown(void)
{
	diag_release(&d);
	arena_free(&a);
}

TestSuite(diag, .init = setup, .fini = teardown);

/* Renders `d` into a malloc'd string. */
static char *render(diag_format fmt, bool color)
{
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	cr_assert_not_null(mem);
	diag_render(mem, &d, &set, fmt, color);
	fclose(mem);
	return out;
}

/* The span of the first occurrence of `needle` in `src`. */
static span span_of(const source *src, const char *needle)
{
	const char *p = strstr(src->text, needle);
	cr_assert_not_null(p, "`%s` not in the source", needle);
	uint32_t start = (uint32_t)(p - src->text);
	return (span){src->index, start, start + (uint32_t)strlen(needle)};
}

static const char prog[] = "program \"t\"\nrule \"r\" on purchase where status >= silvr:\n  award 1 points\n";

Test(diag, codes_have_names_titles_and_severities)
{
	cr_assert_str_eq(diag_code_name(DIAG_E0201), "E0201");
	cr_assert_str_eq(diag_code_title(DIAG_E0201), "unknown name");
	cr_assert_eq(diag_code_severity(DIAG_E0201), SEV_ERROR);
	cr_assert_str_eq(diag_code_name(DIAG_W0501), "W0501");
	cr_assert_eq(diag_code_severity(DIAG_W0501), SEV_WARNING);
	for (int c = 0; c < DIAG_CODE_COUNT; c++) {
		const char *name = diag_code_name((diag_code)c);
		cr_assert_eq(strlen(name), 5, "code %d", c);
		cr_assert(name[0] == 'E' || name[0] == 'W');
		cr_assert_eq(diag_code_severity((diag_code)c), name[0] == 'E' ? SEV_ERROR : SEV_WARNING, "%s", name);
		cr_assert_gt(strlen(diag_code_title((diag_code)c)), 0);
	}
}

Test(diag, counts_errors_and_warnings)
{
	source *s = source_add(&set, "t.ludic", prog, strlen(prog));
	diag_add(&d, DIAG_E0201, span_of(s, "silvr"), "unknown name `%s`", "silvr");
	diag_add(&d, DIAG_W0501, span_of(s, "award"), "repeatable reward has no cap");
	diag_add(&d, DIAG_E0203, span_of(s, "points"), "unknown wallet `points`");
	cr_assert_eq(d.count, 3);
	cr_assert_eq(d.errors, 2);
	cr_assert_eq(d.warnings, 1);
	cr_assert_str_eq(d.items[0].message, "unknown name `silvr`");
}

Test(diag, text_rendering_pins_the_caret)
{
	source *s = source_add(&set, "t.ludic", prog, strlen(prog));
	diag *g = diag_add(&d, DIAG_E0201, span_of(s, "silvr"), "unknown name `%s`", "silvr");
	diag_help(g, &d, "did you mean `%s`?", "silver");
	char *out = render(DIAG_TEXT, false);
	cr_assert_str_eq(out,
		"t.ludic:2:38: error[E0201]: unknown name `silvr`\n"
		"  |\n"
		"2 | rule \"r\" on purchase where status >= silvr:\n"
		"  |                                      ^~~~~\n"
		"help: did you mean `silver`?\n");
	free(out);
}

Test(diag, notes_point_at_a_second_place)
{
	const char *text = "program \"t\"\nwallet points\nwallet points\n";
	source *s = source_add(&set, "t.ludic", text, strlen(text));
	span first = {s->index, 19, 25}, second = {s->index, 33, 39};
	diag *g = diag_add(&d, DIAG_E0206, second, "wallet `points` is defined twice");
	diag_note(g, &d, first, "first defined here");
	char *out = render(DIAG_TEXT, false);
	cr_assert_str_eq(out,
		"t.ludic:3:8: error[E0206]: wallet `points` is defined twice\n"
		"  |\n"
		"3 | wallet points\n"
		"  |        ^~~~~~\n"
		"note: t.ludic:2:8: first defined here\n"
		"  |\n"
		"2 | wallet points\n"
		"  |        ^~~~~~\n");
	free(out);
}

Test(diag, sorted_by_file_then_position_then_arrival)
{
	source *s1 = source_add(&set, "a.ludic", prog, strlen(prog));
	source *s2 = source_add(&set, "b.ludic", prog, strlen(prog));
	diag_add(&d, DIAG_E0203, span_of(s2, "points"), "third");
	diag_add(&d, DIAG_E0201, span_of(s1, "silvr"), "second");
	diag_add(&d, DIAG_E0201, span_of(s1, "rule"), "first");
	diag_add(&d, DIAG_E0202, span_of(s1, "silvr"), "second too");
	diag_add_nospan(&d, DIAG_E0108, "no position: last");
	diag_sort(&d);
	const char *want[] = {"first", "second", "second too", "third", "no position: last"};
	for (int i = 0; i < 5; i++)
		cr_assert_str_eq(d.items[i].message, want[i]);
	diag_sort(&d); /* idempotent */
	for (int i = 0; i < 5; i++)
		cr_assert_str_eq(d.items[i].message, want[i]);
}

Test(diag, errors_past_the_cap_are_dropped_and_counted_once)
{
	source *s = source_add(&set, "t.ludic", prog, strlen(prog));
	for (int i = 0; i < DIAG_MAX_ERRORS + 25; i++) {
		diag *g = diag_add(&d, DIAG_E0201, span_of(s, "silvr"), "error %d", i);
		diag_help(g, &d, "help %d", i); /* harmless on dropped ones */
	}
	diag_add(&d, DIAG_W0501, span_of(s, "award"), "warnings are not capped");
	cr_assert_eq(d.errors, DIAG_MAX_ERRORS);
	cr_assert_eq(d.dropped, 25);
	cr_assert_eq(d.count, DIAG_MAX_ERRORS + 1);
	char *out = render(DIAG_TEXT, false);
	cr_assert_not_null(strstr(out, "error[E0110]: 25 more errors not shown"));
	free(out);
	out = render(DIAG_TEXT, false); /* rendering twice adds E0110 once */
	const char *p = strstr(out, "E0110");
	cr_assert_not_null(p);
	cr_assert_null(strstr(p + 1, "E0110"));
	free(out);
}

Test(diag, json_is_one_document_with_counts)
{
	source *s = source_add(&set, "dir/t \"q\".ludic", prog, strlen(prog));
	diag *g = diag_add(&d, DIAG_E0201, span_of(s, "silvr"), "unknown name `silvr`");
	diag_help(g, &d, "did you mean `silver`?");
	diag_add(&d, DIAG_W0501, span_of(s, "award"), "tab\there");
	diag_add_nospan(&d, DIAG_E0108, "no file");
	char *out = render(DIAG_JSON, false);
	cr_assert_eq(out[0], '{');
	cr_assert_not_null(strstr(out, "\"file\":\"dir/t \\\"q\\\".ludic\",\"line\":2,\"column\":38,"
				       "\"end_line\":2,\"end_column\":43,\"severity\":\"error\",\"code\":\"E0201\""));
	cr_assert_not_null(strstr(out, "\"help\":\"did you mean `silver`?\""));
	cr_assert_not_null(strstr(out, "\"message\":\"tab\\there\""));
	cr_assert_not_null(strstr(out, "\"file\":null"));
	cr_assert_not_null(strstr(out, "\"severity\":\"warning\""));
	cr_assert_not_null(strstr(out, "],\"errors\":2,\"warnings\":1}\n"));
	free(out);
}

Test(diag, empty_list_renders_nothing_or_an_empty_document)
{
	char *out = render(DIAG_TEXT, false);
	cr_assert_str_eq(out, "");
	free(out);
	out = render(DIAG_JSON, false);
	cr_assert_str_eq(out, "{\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n");
	free(out);
}

Test(diag, color_only_when_asked)
{
	source *s = source_add(&set, "t.ludic", prog, strlen(prog));
	diag_add(&d, DIAG_E0201, span_of(s, "silvr"), "unknown name `silvr`");
	char *plain = render(DIAG_TEXT, false), *color = render(DIAG_TEXT, true);
	cr_assert_null(strchr(plain, '\033'));
	cr_assert_not_null(strchr(color, '\033'));
	free(plain);
	free(color);
}

Test(diag, control_bytes_and_tabs_in_the_source_line)
{
	const char text[] = "program \"t\"\n\tparam\x01 x = 1\n";
	source *s = source_add(&set, "t.ludic", text, sizeof text - 1);
	diag_add(&d, DIAG_E0101, (span){s->index, 18, 19}, "unexpected character");
	char *out = render(DIAG_TEXT, false);
	cr_assert_not_null(strstr(out, "2 |  param? x = 1\n"), "%s", out);
	cr_assert_not_null(strstr(out, "  |       ^\n"), "%s", out);
	free(out);
}

Test(diag, suggestions_are_likely_typos_only)
{
	const char *const names[] = {"bronze", "silver", "gold", NULL, "platinum"};
	cr_assert_str_eq(diag_suggest("silvr", names, 5), "silver");
	cr_assert_str_eq(diag_suggest("SILVER", names, 5), "silver");  /* case-insensitive */
	cr_assert_str_eq(diag_suggest("slivre", names, 5), "silver"); /* transpositions count once */
	cr_assert_str_eq(diag_suggest("golf", names, 5), "gold");
	cr_assert_null(diag_suggest("diamond", names, 5));
	cr_assert_null(diag_suggest("silver", names, 5)); /* the name itself is no suggestion */
	cr_assert_null(diag_suggest("x", names, 0));
}
