/* source.c — source texts and their line maps; see source.h. */
#include "source.h"

#include <string.h>

void source_set_init(source_set *s, arena *a)
{
	s->files = NULL;
	s->count = s->cap = 0;
	s->a = a;
}

source *source_add(source_set *s, const char *name, const char *text, size_t len)
{
	if (s->count == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 8;
		source **files = arena_alloc(s->a, cap * sizeof *files);
		if (s->count)
			memcpy(files, s->files, s->count * sizeof *files);
		s->files = files;
		s->cap = cap;
	}
	source *src = arena_alloc(s->a, sizeof *src);
	src->name = arena_strdup(s->a, name);
	src->text = arena_strndup(s->a, text, len);
	src->len = (uint32_t)len;
	uint32_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	src->line_start = arena_alloc(s->a, n * sizeof *src->line_start);
	src->line_start[0] = 0;
	uint32_t k = 1;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			src->line_start[k++] = (uint32_t)i + 1;
	src->nlines = n;
	src->index = s->count;
	s->files[s->count++] = src;
	return src;
}

source *source_get(const source_set *s, uint32_t file)
{
	return file < s->count ? s->files[file] : NULL;
}

uint32_t source_line(const source *src, uint32_t offset)
{
	uint32_t lo = 0, hi = src->nlines; /* find the last line_start <= offset */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (src->line_start[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1;
}

uint32_t source_col(const source *src, uint32_t offset)
{
	if (offset > src->len)
		offset = src->len;
	uint32_t line = source_line(src, offset);
	uint32_t col = 1;
	for (uint32_t i = src->line_start[line - 1]; i < offset; i++)
		if (((unsigned char)src->text[i] & 0xC0) != 0x80) /* count UTF-8 lead bytes only */
			col++;
	return col;
}

const char *source_line_text(const source *src, uint32_t line, uint32_t *len)
{
	if (line < 1 || line > src->nlines) {
		*len = 0;
		return "";
	}
	uint32_t start = src->line_start[line - 1];
	uint32_t end = line < src->nlines ? src->line_start[line] - 1 : src->len;
	if (end > start && src->text[end - 1] == '\r')
		end--;
	*len = end - start;
	return src->text + start;
}
