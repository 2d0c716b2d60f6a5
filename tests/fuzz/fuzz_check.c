/* fuzz_check.c — libFuzzer target: parse and check arbitrary bytes.
 *
 * Build: CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *        ninja -C build-fuzz fuzz_check
 * Run:   build-fuzz/fuzz_check -max_total_time=60 CORPUS_DIR examples/...
 *
 * Every input goes through the whole front end as `ludic check` and `ludic
 * fmt` use it: parse, check, render the diagnostics as text and as JSON,
 * format (when there is no syntax error) and dump the tree. The target only
 * looks for crashes, sanitizer reports, leaks and hangs; what the compiler
 * says is not judged here (tests/lang does that).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ludic.h"

/* Output goes to memory and is thrown away: printing would slow fuzzing. */
static void drain(ludic_compiler *c, int what)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return;
	if (what == 0)
		ludic_compiler_format(c, 0, mem);
	else if (what == 3)
		ludic_compiler_dump_types(c, mem);
	else
		ludic_compiler_dump_ast(c, 0, mem, what == 2);
	fclose(mem);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ludic_compiler *c = ludic_compiler_new();
	if (!c)
		return 0;
	ludic_compiler_add_source(c, "fuzz.ludic", (const char *)data, size, 0);
	drain(c, 0);
	drain(c, 1 + (size & 1));
	ludic_compiler_check(c);
	drain(c, 3);
	free(ludic_compiler_render_string(c, LUDIC_FORMAT_TEXT, 0));
	free(ludic_compiler_render_string(c, LUDIC_FORMAT_JSON, LUDIC_RENDER_COLOR));
	size_t n = ludic_compiler_diagnostic_count(c);
	for (size_t i = 0; i < n; i++) {
		ludic_diagnostic d;
		if (ludic_compiler_diagnostic(c, i, &d) != LUDIC_OK || !d.code || !d.message)
			abort(); /* the API promised a diagnostic with a code and a message */
	}
	ludic_compiler_free(c);
	return 0;
}
