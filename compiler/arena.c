/* arena.c — bump allocation in chained blocks; see arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE (64u * 1024u)

struct arena_block {
	arena_block *prev; /* the block filled before this one */
	size_t size;       /* usable bytes in data[] */
	max_align_t data[]; /* the memory handed out */
};

static void out_of_memory(void)
{
	fputs("ludic: out of memory\n", stderr);
	abort();
}

void arena_init(arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

void *arena_alloc(arena *a, size_t size)
{
	size_t align = sizeof(max_align_t);
	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	if (!a->head || a->used + size > a->head->size) {
		size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
		arena_block *b = malloc(sizeof *b + cap);
		if (!b)
			out_of_memory();
		b->prev = a->head;
		b->size = cap;
		a->head = b;
		a->used = 0;
	}
	void *p = (char *)a->head->data + a->used;
	a->used += size;
	a->total += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
	if (!fmt) /* never the case; says so to GCC's -Wformat-truncation under UBSan */
		fmt = "";
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	va_copy(cp, ap);
	vsnprintf(p, (size_t)n + 1, fmt, cp);
	va_end(cp);
	return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void *arena_grow(arena *a, void *items, uint32_t n, uint32_t *cap, uint32_t first, size_t size)
{
	if (n < *cap)
		return items;
	uint32_t more = *cap ? *cap * 2 : first;
	void *bigger = arena_alloc(a, (size_t)more * size);
	if (n)
		memcpy(bigger, items, (size_t)n * size);
	*cap = more;
	return bigger;
}

void arena_free(arena *a)
{
	arena_block *b = a->head;
	while (b) {
		arena_block *prev = b->prev;
		free(b);
		b = prev;
	}
	arena_init(a);
}
