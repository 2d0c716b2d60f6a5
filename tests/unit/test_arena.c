/* test_arena.c — unit tests of the compilation arena (compiler/arena.c). */
#include <criterion/criterion.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

Test(arena, memory_is_zeroed_and_aligned)
{
	arena a;
	arena_init(&a);
	for (size_t size = 1; size < 300; size += 7) {
		unsigned char *p = arena_alloc(&a, size);
		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % alignof(max_align_t), 0, "size %zu is misaligned", size);
		for (size_t i = 0; i < size; i++)
			cr_assert_eq(p[i], 0);
		memset(p, 0xAB, size); /* the next allocation must not see this */
	}
	arena_free(&a);
}

Test(arena, allocations_do_not_overlap_across_blocks)
{
	arena a;
	arena_init(&a);
	enum { N = 5000 };
	static uint32_t *ptrs[N];
	for (uint32_t i = 0; i < N; i++) {
		ptrs[i] = arena_alloc(&a, 40); /* 5000 x 48 bytes: several 64 KiB blocks */
		for (int k = 0; k < 10; k++)
			ptrs[i][k] = i;
	}
	for (uint32_t i = 0; i < N; i++)
		for (int k = 0; k < 10; k++)
			cr_assert_eq(ptrs[i][k], i, "allocation %u was overwritten", i);
	cr_assert_geq(a.total, (size_t)N * 40);
	arena_free(&a);
}

Test(arena, a_request_larger_than_a_block)
{
	arena a;
	arena_init(&a);
	char *small = arena_alloc(&a, 16);
	strcpy(small, "still here");
	size_t big = 1u << 20;
	char *p = arena_alloc(&a, big);
	cr_assert_not_null(p);
	p[0] = 'x';
	p[big - 1] = 'y';
	cr_assert_str_eq(small, "still here");
	cr_assert_eq(p[big - 1], 'y');
	arena_free(&a);
}

Test(arena, zero_size_gives_distinct_pointers)
{
	arena a;
	arena_init(&a);
	void *p = arena_alloc(&a, 0), *q = arena_alloc(&a, 0);
	cr_assert_not_null(p);
	cr_assert_neq(p, q);
	arena_free(&a);
}

Test(arena, strings)
{
	arena a;
	arena_init(&a);
	cr_assert_str_eq(arena_strdup(&a, "silver"), "silver");
	cr_assert_str_eq(arena_strndup(&a, "golden", 4), "gold");
	char *s = arena_strndup(&a, "a\0b", 3);
	cr_assert_eq(s[1], '\0');
	cr_assert_eq(s[2], 'b');
	cr_assert_eq(s[3], '\0');
	cr_assert_str_eq(arena_printf(&a, "%s at %d", "gold", 2000), "gold at 2000");
	cr_assert_str_eq(arena_printf(&a, "%s", ""), "");
	arena_free(&a);
}

Test(arena, free_resets_and_can_be_reused)
{
	arena a;
	arena_init(&a);
	arena_alloc(&a, 100);
	arena_free(&a);
	cr_assert_null(a.head);
	cr_assert_eq(a.total, 0);
	cr_assert_str_eq(arena_strdup(&a, "again"), "again");
	arena_free(&a);
	arena_free(&a); /* freeing an empty arena is harmless */
}
