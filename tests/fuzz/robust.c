/* robust.c — bad input never crashes the front end.
 *
 * Feeds the whole front end (parse, check, render, format, dump) with inputs
 * no one would write: an empty file, random bytes, invalid UTF-8, a NUL byte,
 * a 10 MB file, nesting 10,000 deep, very long lines, strings and names. Each
 * must come back with diagnostics (where the input is wrong) and without a
 * crash; meson's test timeout bounds the time. Unlike the libFuzzer target
 * (fuzz_check.c) it runs with any compiler, in the normal test suite, on the
 * same inputs every time (a fixed seed).
 *
 * Exit status: 0 all good, 1 an input that should have produced a
 * diagnostic did not.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ludic.h"

/* Inputs that should have produced a diagnostic and did not. */
static unsigned silent;
static unsigned inputs;
/* Inputs that are wrong and need a diagnostic. */

static void drain(ludic_compiler *c, int what)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		abort();
	if (what == 0)
		ludic_compiler_format(c, 0, mem);
	else if (what == 1)
		ludic_compiler_dump_ast(c, 0, mem, true);
	else
		ludic_compiler_dump_types(c, mem);
	fclose(mem);
	free(text);
}

/* Runs one input through everything; `want_diag`: it is wrong, so the
 * compiler must say something. */
static void run(const char *what, const char *text, size_t len, bool want_diag)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ludic_compiler *c = ludic_compiler_new();
	if (!c)
		abort();
	ludic_compiler_add_source(c, "robust.ludic", text, len, 0);
	drain(c, 0);
	drain(c, 1);
	ludic_status st = ludic_compiler_check(c);
	drain(c, 2);
	char *t = ludic_compiler_render_string(c, LUDIC_FORMAT_TEXT, 0);
	char *j = ludic_compiler_render_string(c, LUDIC_FORMAT_JSON, 0);
	if (!t || !j || j[0] != '{') {
		printf("FAIL %s: rendering failed\n", what);
		exit(1);
	}
	size_t n = ludic_compiler_diagnostic_count(c);
	inputs++;
	if (want_diag && (n == 0 || st == LUDIC_OK)) {
		silent++;
		printf("no diagnostic: %s\n", what);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (ms > 200)
		printf("%-40s %8zu bytes %6zu diagnostics %8.0f ms\n", what, len, n, ms);
	free(t);
	free(j);
	ludic_compiler_free(c);
}

static void run_str(const char *what, const char *text, bool want_diag)
{
	run(what, text, strlen(text), want_diag);
}

/* xorshift64*: the same inputs on every run and every machine. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/* A growable string for building inputs. */
typedef struct sbuf {
	char *s;    /* malloc'd, NUL-terminated */
	size_t len; /* bytes used */
	size_t cap; /* bytes allocated */
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = realloc(b->s, cap);
		if (!b->s)
			abort();
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_repeat(sbuf *b, const char *s, size_t times)
{
	for (size_t i = 0; i < times; i++)
		sb_str(b, s);
}

static const char *const words[] = {
	"program", "overlay", "extends", "use", "retail", "wallet", "points", "rule", "challenge", "bonus",
	"quest", "on", "purchase", "where", "award", "times", "when", "rounded", "down", "limit", "per", "day",
	"once", "budget", "unlimited", "mission", "step", "streak", "every", "week", "for", "grace", "tiers",
	"levels", "at", "hold", "review", "badges", "badge", "catalogue", "reward", "costs", "param",
	"experiment", "variant", "group", "keep", "best", "disable", "override", "in", "last", "this",
	"count", "sum", "any", "all", "of", "and", "or", "not", "=", "!=", "<", ">=", "+", "-", "*", "/",
	"(", ")", "{", "}", ",", ":", ".", "1", "2.5", "15%", "10 EUR", "30 days", "\"x\"", "\"y\"",
	"2027-03-01", "total", "lines", "category", "tags", "status", "silver", "notify", "with", "\n",
};

int main(void)
{
	/* an empty file, blanks, a comment: no header */
	run_str("empty file", "", true);
	run_str("only blanks", "   \n\n\t\n", true);
	run_str("only a comment", "# nothing here\n", true);

	/* random bytes */
	for (int i = 0; i < 300; i++) {
		size_t len = (size_t)(rnd() % 2048);
		char *b = malloc(len + 1);
		for (size_t k = 0; k < len; k++)
			b[k] = (char)(rnd() & 0xFF);
		char what[64];
		snprintf(what, sizeof what, "random bytes #%d", i);
		run(what, b, len, true);
		free(b);
	}

	/* random printable ASCII */
	for (int i = 0; i < 100; i++) {
		size_t len = (size_t)(rnd() % 2048);
		char *b = malloc(len + 1);
		for (size_t k = 0; k < len; k++)
			b[k] = (char)(0x20 + rnd() % 95);
		char what[64];
		snprintf(what, sizeof what, "random ASCII #%d", i);
		run(what, b, len, true);
		free(b);
	}

	/* random token soup after a valid header: no diagnostic expected or
	 * excluded, only no crash */
	for (int i = 0; i < 300; i++) {
		sbuf b = {0};
		sb_str(&b, "program \"soup\"\nuse retail\nwallet points\n");
		size_t n = (size_t)(rnd() % 200);
		for (size_t k = 0; k < n; k++) {
			sb_str(&b, words[rnd() % (sizeof words / sizeof *words)]);
			sb_str(&b, " ");
		}
		char what[64];
		snprintf(what, sizeof what, "token soup #%d", i);
		run(what, b.s, b.len, false);
		free(b.s);
	}

	/* invalid UTF-8 */
	run_str("invalid UTF-8 in a string", "program \"t\"\nrule \"\xff\xfe\" on purchase: award 1 points\n", true);
	run_str("invalid UTF-8 in a comment", "program \"t\" # \xc0\x80 \xed\xa0\x80\n", true);
	run_str("truncated UTF-8 at the end", "program \"t\"\n\xe2\x82", true);
	run_str("lone continuation bytes", "\x80\x80\x80program \"t\"\n", true);
	run("NUL byte inside", "program \"t\"\n\0rule", 17, true);

	/* line endings and unterminated things */
	run_str("CR only line ends", "program \"t\"\ruse retail\rwallet points\r@\r", true);
	run_str("unterminated string at the end", "program \"t", true);
	run_str("unterminated string before a newline", "program \"t\nuse retail\n", true);
	run_str("header only, then junk", "program \"t\" version\n", true);

	/* nesting 10,000 deep */
	{
		sbuf b = {0};
		sb_str(&b, "program \"deep\"\nparam p = ");
		sb_repeat(&b, "(", 10000);
		sb_str(&b, "1");
		sb_repeat(&b, ")", 10000);
		sb_str(&b, "\n");
		run("10,000 nested parentheses", b.s, b.len, true);
		free(b.s);
	}
	{
		sbuf b = {0};
		sb_str(&b, "program \"deep\"\nparam p = ");
		sb_repeat(&b, "(", 10000);
		run("10,000 unclosed parentheses", b.s, b.len, true);
		free(b.s);
	}
	{
		sbuf b = {0};
		sb_str(&b, "program \"deep\"\nparam p = ");
		sb_repeat(&b, "not ", 10000);
		sb_str(&b, "true\n");
		run("10,000 nested `not`", b.s, b.len, true);
		free(b.s);
	}
	{
		sbuf b = {0};
		sb_str(&b, "program \"deep\"\nparam p = ");
		sb_repeat(&b, "{", 10000);
		sb_str(&b, "1");
		sb_repeat(&b, "}", 10000);
		sb_str(&b, "\n");
		run("10,000 nested sets", b.s, b.len, true);
		free(b.s);
	}
	{
		/* not nested in the text, but 10,000 deep in a left-leaning tree */
		sbuf b = {0};
		sb_str(&b, "program \"long\"\nparam p = 1");
		sb_repeat(&b, " + 1", 10000);
		sb_str(&b, "\n");
		run("a sum of 10,001 terms (too long: E0106)", b.s, b.len, true);
		free(b.s);
	}

	/* long lines, strings and names */
	{
		sbuf b = {0};
		sb_str(&b, "program \"");
		sb_repeat(&b, "x", 1 << 20);
		sb_str(&b, "\"\nparam ");
		sb_repeat(&b, "y", 1 << 16);
		sb_str(&b, " = 1\nparam q = ");
		sb_repeat(&b, "9", 5000);
		sb_str(&b, "\n@\n");
		run("1 MB string, 64 KB name, 5000-digit number", b.s, b.len, true);
		free(b.s);
	}

	/* a 10 MB program with an error on every rule */
	{
		sbuf b = {0};
		sb_str(&b, "program \"big\"\nuse retail\nwallet points\n");
		char line[128];
		for (unsigned i = 0; b.len < 10u * 1024 * 1024; i++) {
			snprintf(line, sizeof line, "rule \"r%u\" on purchase where total >= %u EUR:\n  award %u pointz\n  once\n",
				 i, i % 500, i % 7 + 1);
			sb_str(&b, line);
		}
		run("10 MB program, an unknown wallet per rule", b.s, b.len, true);
		free(b.s);
	}

	printf("%u inputs, %u without the diagnostic they needed\n", inputs, silent);
	return silent ? 1 : 0;
}
