/* source.h — source texts and positions.
 *
 * A position in a program is a span of byte offsets {start, end} into one
 * source file; lines and columns are computed on demand from each file's line
 * map, so the lexer and parser only carry offsets. Columns count Unicode
 * characters (not bytes), starting at 1, so a caret lines up under UTF-8 text.
 */
#ifndef LUDIC_SOURCE_H
#define LUDIC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct span {
	uint32_t file;  /* index in the compilation's source_set */
	uint32_t start; /* first byte */
	uint32_t end;   /* one past the last byte (start == end: a point) */
} span;

typedef struct source {
	const char *name;    /* as given: a path, or "<stdlib>/retail.ludic" */
	const char *text;    /* the bytes, NUL-terminated (a NUL inside is an error the lexer reports) */
	uint32_t len;        /* bytes, without the terminating NUL */
	uint32_t *line_start;/* byte offset of the start of each line */
	uint32_t nlines;     /* entries in line_start */
	uint32_t index;      /* its index in the source_set */
} source;

typedef struct source_set {
	source **files;      /* arena-allocated array */
	uint32_t count, cap;
	arena *a;
} source_set;

void source_set_init(source_set *s, arena *a);
/* Adds a copy of `text` under `name`; builds its line map. */
source *source_add(source_set *s, const char *name, const char *text, size_t len);
source *source_get(const source_set *s, uint32_t file);

/* 1-based line of byte `offset`. */
uint32_t source_line(const source *src, uint32_t offset);
/* 1-based column (in characters) of byte `offset`. */
uint32_t source_col(const source *src, uint32_t offset);
/* The text of 1-based `line`, without its newline: pointer and length. */
const char *source_line_text(const source *src, uint32_t line, uint32_t *len);

static inline span span_join(span a, span b)
{
	span s = a;
	if (b.start < s.start)
		s.start = b.start;
	if (b.end > s.end)
		s.end = b.end;
	return s;
}

#endif
