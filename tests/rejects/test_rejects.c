/* test_rejects.c — bad events through the engine, through the public API.
 *
 * tests/rejects/rejects.jsonl holds one bad line for every reject the
 * decoder has (docs/events.md, "Every reject") and for the engine's
 * `too-late`, each between good visits of customer c1, then a duplicate
 * event (ignored and counted, not a reject) and an anonymous visit.
 * tests/rejects/expected.txt lists the rejects as LINE CODE FIELD. The test
 * pushes every line with ludic_engine_push_json and checks that:
 *   - each bad line is reported once, with its line number, code and field,
 *     a message, and the push returns LUDIC_REJECTED;
 *   - no good line is rejected, and every good visit is applied: c1's balance
 *     is the number of good visits (one point each, tests/rejects/rejects.ludic);
 *   - the engine's counters agree.
 * Two codes cannot be produced by a line: `unsupported` (a program that
 * checks clean has no such field) and `nomem` (out of memory).
 *
 * The files are found through LUDIC_SOURCE_DIR (set by meson), else the
 * current folder.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ludic.h"

typedef struct {
	unsigned long long line;
	char code[32], field[64], message[512];
} rej;

typedef struct {
	rej got[64];
	size_t n;
} rejects;

static void on_reject(void *user, const ludic_reject *r)
{
	rejects *rs = user;
	cr_assert_lt(rs->n, sizeof rs->got / sizeof *rs->got);
	rej *g = &rs->got[rs->n++];
	g->line = r->line;
	snprintf(g->code, sizeof g->code, "%s", r->code ? r->code : "");
	snprintf(g->field, sizeof g->field, "%s", r->field ? r->field : "-");
	snprintf(g->message, sizeof g->message, "%s", r->message ? r->message : "");
}

static FILE *open_source(const char *rel, const char *mode)
{
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", rel);
	FILE *f = fopen(path, mode);
	cr_assert_not_null(f, "cannot open %s (set LUDIC_SOURCE_DIR to the repository)", path);
	return f;
}

Test(rejects, every_reason_reported_and_good_lines_applied)
{
	/* the program */
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/rejects/rejects.ludic", dir ? dir : ".");
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_compiler_add_file(c, path, 0), LUDIC_OK, "cannot read %s", path);
	ludic_program *p = NULL;
	cr_assert_eq(ludic_program_new(c, &p), LUDIC_OK);
	ludic_compiler_free(c);

	rejects rs = {0};
	ludic_engine_options opt = {.on_effect = NULL, .effect_user = NULL, .on_reject = on_reject, .reject_user = &rs};
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, &opt, &e), LUDIC_OK);

	/* the expected rejects */
	struct {
		unsigned long long line;
		char code[32], field[64];
	} want[64];
	size_t nwant = 0;
	FILE *f = open_source("tests/rejects/expected.txt", "r");
	char buf[256];
	while (fgets(buf, sizeof buf, f)) {
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		cr_assert_lt(nwant, 64);
		cr_assert_eq(sscanf(buf, "%llu %31s %63s", &want[nwant].line, want[nwant].code, want[nwant].field), 3,
			     "bad line in expected.txt: %s", buf);
		nwant++;
	}
	fclose(f);
	cr_assert_eq(nwant, 16, "one reject per reason: 15 of the decoder, too-late of the engine");

	/* push every line */
	f = open_source("tests/rejects/rejects.jsonl", "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long long ln = 0, good = 0;
	size_t next = 0;
	int results[4] = {0};
	while ((len = getline(&line, &cap, f)) > 0) {
		ln++;
		int r = ludic_engine_push_json(e, line, (size_t)len, ln);
		cr_assert(r >= 0 && r <= 3, "line %llu: push returned %d", ln, r);
		results[r]++;
		bool bad = next < nwant && want[next].line == ln;
		if (bad) {
			cr_expect_eq(r, LUDIC_REJECTED, "line %llu should be rejected (%s)", ln, want[next].code);
			next++;
		} else {
			cr_expect_neq(r, LUDIC_REJECTED, "line %llu is good but was rejected", ln);
			if (r == LUDIC_APPLIED)
				good++;
		}
	}
	free(line);
	fclose(f);
	cr_assert_eq(ln, 36);

	/* every reject, in order, with its line, code, field and a message */
	cr_expect_eq(rs.n, nwant, "%zu rejects reported, %zu expected", rs.n, nwant);
	for (size_t i = 0; i < nwant && i < rs.n; i++) {
		cr_expect_eq(rs.got[i].line, want[i].line, "reject %zu: line %llu, expected %llu", i, rs.got[i].line,
			     want[i].line);
		cr_expect_str_eq(rs.got[i].code, want[i].code, "line %llu: code", want[i].line);
		cr_expect_str_eq(rs.got[i].field, want[i].field, "line %llu: field", want[i].line);
		cr_expect_gt(strlen(rs.got[i].message), 20, "line %llu: the message says what and how to fix",
			     want[i].line);
	}

	/* the good lines were applied: 18 visits of c1, one point each */
	cr_expect_eq(good, 18);
	ludic_customer_view v;
	cr_assert_eq(ludic_engine_customer(e, "c1", 2, &v), LUDIC_OK);
	cr_assert(v.known);
	cr_assert_eq(v.nbalances, 1);
	cr_expect_eq(v.balances[0].balance, 18);
	cr_assert_eq(ludic_engine_customer(e, "c2", 2, &v), LUDIC_OK);
	cr_expect_not(v.known, "c2 only sent bad lines");

	ludic_engine_stats s;
	ludic_engine_stats_get(e, &s);
	cr_expect_eq(s.events, 36);
	cr_expect_eq(s.rejected, 16);
	cr_expect_eq(s.duplicates, 1);
	cr_expect_eq(s.anonymous, 1);
	cr_expect_eq(s.applied, 18);
	cr_expect_eq(results[LUDIC_DUPLICATE], 1);
	cr_expect_eq(results[LUDIC_ANONYMOUS], 1);
	ludic_engine_free(e);
	ludic_program_free(p);
}
