/* ast_dump.c — placeholder until the printer lands. */
#include "ast.h"

void ast_dump(FILE *out, const ast_node *file, const source_set *srcs, bool positions)
{
	(void)srcs, (void)positions;
	fprintf(out, "(%s)\n", ast_kind_name(file->kind));
}
