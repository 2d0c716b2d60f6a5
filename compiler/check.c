/* check.c — placeholder until the checker lands. */
#include "check.h"

struct chk_result {
	int unused;
};

chk_result *chk_check(arena *a, diag_list *d, const source_set *srcs, ast_node *const *libs, uint32_t nlibs,
		      ast_node *const *files, uint32_t nfiles, uint32_t node_count)
{
	(void)d, (void)srcs, (void)libs, (void)nlibs, (void)files, (void)nfiles, (void)node_count;
	return arena_alloc(a, sizeof(chk_result));
}

void chk_dump_types(FILE *out, const chk_result *r, const source_set *srcs)
{
	(void)out, (void)r, (void)srcs;
}
