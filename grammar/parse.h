/* parse.h — from source text to syntax tree.
 *
 * parse_source() lexes and parses one source file. It never fails and never
 * prints: problems become diagnostics in `d` (E01xx), and the parser recovers
 * at the next declaration keyword, leaving AST_ERROR nodes where text was
 * skipped, so one run reports every syntax error. Nesting deeper than
 * PARSE_MAX_DEPTH is reported (E0106) instead of exhausting the stack.
 */
#ifndef LUDIC_PARSE_H
#define LUDIC_PARSE_H

#include "../compiler/arena.h"
#include "../compiler/ast.h"
#include "../compiler/diag.h"
#include "../compiler/source.h"

#define PARSE_MAX_DEPTH 200

/* Returns an AST_FILE node (never NULL); node ids continue from *next_id. */
ast_node *parse_source(arena *a, uint32_t *next_id, diag_list *d, const source *src);

#endif
