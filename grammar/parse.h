/* parse.h — from source text to syntax tree.
 *
 * parse_source() lexes and parses one source file. It never fails and never
 * prints: problems become diagnostics in `d` (E01xx), and the parser recovers
 * at the next declaration keyword, leaving AST_ERROR nodes where text was
 * skipped, so one run reports every syntax error. Nesting deeper than
 * PARSE_MAX_DEPTH is reported (E0106) instead of exhausting the stack.
 * Time and memory are linear in the size of the text.
 */
#ifndef LUDIC_PARSE_H
#define LUDIC_PARSE_H

#include "../compiler/arena.h"
#include "../compiler/ast.h"
#include "../compiler/diag.h"
#include "../compiler/source.h"

/* Brackets, and operators nested in the text (`not not ...`, right
 * operands), deeper than this are E0106. A flat chain (`1 + 1 + ... + 1`)
 * may be longer: expression trees are at most PARSE_MAX_TREE_DEPTH deep, so
 * later stages (checker, formatter, dumps, lowering) may walk them
 * recursively within a small thread stack, sanitizers included. */
#define PARSE_MAX_DEPTH 200
#define PARSE_MAX_TREE_DEPTH 1000

/* Returns an AST_FILE node (never NULL) spanning the whole text; node ids
 * continue from *next_id (the file node gets the last one).
 *
 * u.file.decls lists every declaration in source order, the header (when
 * there is one) first. What is reported, and what the tree holds then:
 *   - E0108: the text is over 16 MiB; it is not read (no declarations).
 *   - E0101 (stray character: skipped; text in curly or single quotes: read
 *     as a string), E0102 (unterminated string: ends at the line's end),
 *     E0103 (invalid UTF-8, once per line): the syntax error these may
 *     cause in the same declaration is not reported again.
 *   - E0104 (number out of range, too many decimals for the number or the
 *     currency), E0107 (impossible date or time): that literal is an
 *     AST_ERROR node, so the checker says nothing more about it.
 *   - E0105: once per broken declaration, at the token found (or right
 *     after the previous token when the missing piece belongs at the end
 *     of a line). The declaration becomes one AST_ERROR node spanning what
 *     was skipped, and reading resumes at the next declaration keyword;
 *     the `)` and `}` of the abandoned declaration are skipped silently.
 *   - E0106: once per file; the too-deep group or expression is an
 *     AST_ERROR node. If bison's own stack fills up (10,000 nested
 *     prefix operators), reading stops there: the tree has the
 *     declarations before it.
 *   - E0109: the file has no declaration, or its first declaration is not
 *     a header (reported at that declaration's keyword, unless it is an
 *     AST_ERROR). A header later in the file, or `library` in a user file,
 *     stays in the list as it is, for the checker to report (E0413).
 *   - E0412: a setting given twice where the tree has room for one:
 *     `pending`, `expires` or `for staff` of a wallet, `hold` or `review`
 *     of tiers (the last one is kept).
 * Whatever the input, the caller gets a tree it can check, dump and (when
 * no error was reported) format.
 *
 * Tree conventions beyond ast.h: `once` is an AST_LIMIT {amount: AST_INT 1,
 * per: UNIT_EVER} whose span is the word `once`; `currency XYZ` with a code
 * that is not ISO 4217 still makes an AST_CURRENCY (the checker says E0212);
 * AST_MONEY's text is "12.50 EUR" (number as written, one space, code);
 * `reward 200 points` in a mission is an AST_AWARD like `reward award 200
 * points`; a mission may have no steps (the checker says E0410). */
ast_node *parse_source(arena *a, uint32_t *next_id, diag_list *d, const source *src);

/* ISO 4217: true when `code` is an active currency code; then *exponent
 * (if not NULL) is its number of decimal places: EUR 2, JPY 0, KWD 3. */
bool lex_currency(const char *code, int *exponent);

/* The i-th known currency code in alphabetical order, NULL past the end
 * (for did-you-mean suggestions). */
const char *lex_currency_at(uint32_t i);

#endif
