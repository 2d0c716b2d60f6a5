/* check.h — name resolution, types with units, and the checks beyond types. (placeholder) */
#ifndef LUDIC_CHECK_H
#define LUDIC_CHECK_H

#include <stdio.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

typedef struct chk_result chk_result;

/* Checks `files` (the user's programs and overlays) against `libs` (stdlib
 * modules, visible through `use`). Every problem goes to `d`. Returns the
 * checked program (symbol tables and per-node side tables, in `a`); never NULL. */
chk_result *chk_check(arena *a, diag_list *d, const source_set *srcs, ast_node *const *libs, uint32_t nlibs,
		      ast_node *const *files, uint32_t nfiles, uint32_t node_count);

/* `ludic dump --types`: every declaration and expression with its type. */
void chk_dump_types(FILE *out, const chk_result *r, const source_set *srcs);

#endif
