/* arena.h — one bump allocator per compilation, freed in one call.
 *
 * Everything the front end makes (tokens' text, AST nodes, checker tables)
 * lives here and dies with `arena_free`. The runtime's long-lived state is
 * never allocated from an arena. Allocation never fails silently: if memory
 * runs out the process is aborted with a message (there is nothing sensible
 * a compiler can do without memory).
 */
#ifndef LUDIC_ARENA_H
#define LUDIC_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena_block arena_block;

typedef struct arena {
	arena_block *head; /* current block; older blocks chained behind it */
	size_t used;       /* bytes used in the current block */
	size_t total;      /* bytes handed out so far, for reports */
} arena;

void arena_init(arena *a);
/* Zeroed memory of `size` bytes, aligned for any type. */
void *arena_alloc(arena *a, size_t size);
/* Copies `len` bytes of `s` and adds a terminating NUL. */
char *arena_strndup(arena *a, const char *s, size_t len);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with a va_list (left unused: the caller still va_ends it). */
char *arena_vprintf(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Room for one more item in an array that lives in the arena: while
 * `n` < `*cap` returns `items`; when full, returns a copy with twice the
 * capacity (`first` for an empty array), `size` bytes per item, and
 * updates `*cap`. The old array stays in the arena until it is freed. */
void *arena_grow(arena *a, void *items, uint32_t n, uint32_t *cap, uint32_t first, size_t size);
void arena_free(arena *a);

#endif
