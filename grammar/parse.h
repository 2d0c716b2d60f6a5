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

/* Returns an AST_FILE node (never NULL); node ids continue from *next_id.
 *
 * u.file.decls lists every declaration in source order, the header (when
 * there is one) first; a broken declaration is one AST_ERROR node. The
 * parser itself reports (all E01xx): lexical errors, one E0105 per broken
 * declaration, E0106 once, E0108 (then the file is not read), and E0109 when
 * the file is empty or its first declaration is not a header. A header
 * later in the file, or `library` in a user file, is left in the list as it
 * is, for the checker to report (E0413). It also reports E0412 for a
 * setting given twice where the tree has room for one: `pending`,
 * `expires` or `for staff` of a wallet, `hold` or `review` of tiers.
 *
 * Tree conventions beyond ast.h: `once` is an AST_LIMIT {amount: AST_INT 1,
 * per: UNIT_EVER} whose span is the word `once`; `currency XYZ` with a code
 * that is not ISO 4217 still makes an AST_CURRENCY (the checker says E0212);
 * AST_MONEY's text is "12.50 EUR" (number as written, one space, code). */
ast_node *parse_source(arena *a, uint32_t *next_id, diag_list *d, const source *src);

/* ISO 4217: true when `code` is an active currency code; then *exponent
 * (if not NULL) is its number of decimal places: EUR 2, JPY 0, KWD 3. */
bool lex_currency(const char *code, int *exponent);

/* The i-th known currency code in alphabetical order, NULL past the end
 * (for did-you-mean suggestions). */
const char *lex_currency_at(uint32_t i);

#endif
