/* test_source.c — unit tests of sources and line maps (compiler/source.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "source.h"

static arena a;
static source_set set;

static void setup(void)
{
	arena_init(&a);
	source_set_init(&set, &a);
}

static void teardown(void)
{
	arena_free(&a);
}

TestSuite(source, .init = setup, .fini = teardown);

static source *add(const char *name, const char *text)
{
	return source_add(&set, name, text, strlen(text));
}

Test(source, files_get_dense_indices)
{
	for (int i = 0; i < 20; i++) {
		char name[16];
		snprintf(name, sizeof name, "f%d.ludic", i);
		source *s = add(name, "x");
		cr_assert_eq(s->index, (uint32_t)i);
	}
	cr_assert_eq(set.count, 20);
	cr_assert_str_eq(source_get(&set, 13)->name, "f13.ludic");
	cr_assert_null(source_get(&set, 20));
	cr_assert_null(source_get(&set, UINT32_MAX));
}

Test(source, text_is_copied_and_terminated)
{
	char text[] = "program \"t\"";
	source *s = add("t.ludic", text);
	text[0] = 'X';
	cr_assert_str_eq(s->text, "program \"t\"");
	cr_assert_eq(s->len, strlen("program \"t\""));
	cr_assert_eq(s->text[s->len], '\0');
}

Test(source, lines_and_columns)
{
	source *s = add("t.ludic", "ab\ncd\n\nefg");
	cr_assert_eq(s->nlines, 4);
	cr_assert_eq(source_line(s, 0), 1);
	cr_assert_eq(source_col(s, 0), 1);
	cr_assert_eq(source_line(s, 2), 1); /* the newline belongs to its line */
	cr_assert_eq(source_col(s, 2), 3);
	cr_assert_eq(source_line(s, 3), 2);
	cr_assert_eq(source_col(s, 4), 2);
	cr_assert_eq(source_line(s, 6), 3);
	cr_assert_eq(source_line(s, 7), 4);
	cr_assert_eq(source_col(s, 9), 3);
	cr_assert_eq(source_line(s, 10), 4); /* the end of the text */
	cr_assert_eq(source_col(s, 10), 4);
	cr_assert_eq(source_col(s, 1000), 4); /* past the end: clamped */
}

Test(source, columns_count_characters_not_bytes)
{
	source *s = add("t.ludic", "# café\nrule \"Ünï\" x");
	/* "# café" is 7 bytes: é takes two */
	cr_assert_eq(source_col(s, 5), 6);  /* at é */
	cr_assert_eq(source_col(s, 7), 7);  /* the newline, after é */
	uint32_t x = (uint32_t)(strchr(s->text, 'x') - s->text);
	cr_assert_eq(source_line(s, x), 2);
	cr_assert_eq(source_col(s, x), 12);
}

Test(source, line_text_without_newline_or_cr)
{
	source *s = add("t.ludic", "one\r\ntwo\nthree");
	uint32_t len;
	const char *t = source_line_text(s, 1, &len);
	cr_assert_eq(len, 3);
	cr_assert(strncmp(t, "one", 3) == 0);
	t = source_line_text(s, 2, &len);
	cr_assert_eq(len, 3);
	cr_assert(strncmp(t, "two", 3) == 0);
	t = source_line_text(s, 3, &len);
	cr_assert_eq(len, 5);
	cr_assert(strncmp(t, "three", 5) == 0);
	source_line_text(s, 0, &len);
	cr_assert_eq(len, 0);
	source_line_text(s, 4, &len);
	cr_assert_eq(len, 0);
}

Test(source, empty_text_has_one_line)
{
	source *s = source_add(&set, "empty.ludic", "", 0);
	cr_assert_eq(s->nlines, 1);
	cr_assert_eq(source_line(s, 0), 1);
	cr_assert_eq(source_col(s, 0), 1);
	uint32_t len = 99;
	source_line_text(s, 1, &len);
	cr_assert_eq(len, 0);
}

Test(source, nul_bytes_are_kept)
{
	source *s = source_add(&set, "nul.ludic", "a\0b\nc", 5);
	cr_assert_eq(s->len, 5);
	cr_assert_eq(s->text[2], 'b');
	cr_assert_eq(s->nlines, 2);
	cr_assert_eq(source_line(s, 4), 2);
}

Test(source, span_join_covers_both)
{
	span x = {0, 10, 20}, y = {0, 5, 12}, z = {0, 30, 30};
	span j = span_join(x, y);
	cr_assert_eq(j.start, 5);
	cr_assert_eq(j.end, 20);
	j = span_join(x, z);
	cr_assert_eq(j.start, 10);
	cr_assert_eq(j.end, 30);
}
