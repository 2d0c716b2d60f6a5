/* fmt.c — placeholder until the formatter lands. */
#include "ast.h"

void ast_format(FILE *out, const ast_node *file, const source *src)
{
	(void)file;
	fwrite(src->text, 1, src->len, out);
}
