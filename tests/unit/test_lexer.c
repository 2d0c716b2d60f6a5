/* test_lexer.c — unit tests of the scanner (grammar/lexer.l): every kind of
 * token with its value and span, the ISO 4217 table, and each lexical error
 * (E0101-E0104, E0106, E0107) with its message.
 *
 * Build: -I compiler -I grammar -I <builddir> (for the generated parser.h
 * and lexer.h), linked with libludic_core and criterion. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parser.h"
#define YYSTYPE LXSTYPE
#define YYLTYPE span
#include "lexer.h"

static arena a;
static source_set set;
static diag_list d;

static void setup(void)
{
	arena_init(&a);
	source_set_init(&set, &a);
	diag_init(&d, &a);
}

static void teardown(void)
{
	diag_release(&d);
	arena_free(&a);
}

TestSuite(lexer, .init = setup, .fini = teardown);

/* One token as the scanner returned it. */
typedef struct tok {
	int kind;    /* T_... */
	lex_lit lit; /* its value (literals and names) */
	span sp;     /* where */
} tok;

#define MAX_TOKS 256
static tok toks[MAX_TOKS];
static int ntoks;
static const source *src;

/* Scans `text` to the end; fills toks (the end token included). */
static void lex(const char *text)
{
	src = source_add(&set, "test.ludic", text, strlen(text));
	static parse_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.a = &a;
	static uint32_t next_id;
	ctx.next_id = &next_id;
	ctx.d = &d;
	ctx.src = src;
	yyscan_t scanner;
	cr_assert_eq(lxlex_init_extra(&ctx, &scanner), 0);
	YY_BUFFER_STATE buf = lx_scan_bytes(src->text, (int)src->len, scanner);
	ntoks = 0;
	for (;;) {
		LXSTYPE v;
		span sp;
		memset(&v, 0, sizeof v);
		int k = lxlex(&v, &sp, scanner);
		cr_assert_lt(ntoks, MAX_TOKS);
		toks[ntoks++] = (tok){k, v.lit, sp};
		if (k == T_YYEOF)
			break;
	}
	lx_delete_buffer(buf, scanner);
	lxlex_destroy(scanner);
}

/* The text of a token's span. */
static char *text_of(int i)
{
	return arena_strndup(&a, src->text + toks[i].sp.start, toks[i].sp.end - toks[i].sp.start);
}

/* The rendered diagnostics, no colour (malloc'd). */
static char *rendered(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	diag_render(mem, &d, &set, DIAG_TEXT, false);
	fclose(mem);
	return out;
}

static void assert_one_diag(diag_code code, const char *message, const char *help)
{
	cr_assert_eq(d.count, 1, "expected one diagnostic, got %u:\n%s", d.count, rendered());
	cr_assert_eq(d.items[0].code, code, "got %s: %s", diag_code_name(d.items[0].code), d.items[0].message);
	cr_assert_str_eq(d.items[0].message, message);
	if (help)
		cr_assert_str_eq(d.items[0].help ? d.items[0].help : "(none)", help);
}

Test(lexer, keywords_and_punctuation)
{
	lex("rule challenge bonus quest on where award times when rounded limit per once budget unlimited "
	    ": , = != < <= > >= + - * / ( ) { } .");
	int want[] = {T_RULE, T_CHALLENGE, T_BONUS, T_QUEST, T_ON, T_WHERE, T_AWARD, T_TIMES, T_WHEN, T_ROUNDED,
		      T_LIMIT, T_PER, T_ONCE, T_BUDGET, T_UNLIMITED, T_COLON, T_COMMA, T_EQ, T_NE, T_LT, T_LE, T_GT,
		      T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_DOT, T_YYEOF};
	cr_assert_eq(ntoks, (int)(sizeof want / sizeof want[0]));
	for (int i = 0; i < ntoks; i++)
		cr_assert_eq(toks[i].kind, want[i], "token %d (`%s`)", i, text_of(i));
	cr_assert_eq(d.count, 0);
}

Test(lexer, every_keyword_of_the_language_is_one_token)
{
	static const char *const kws[] = {
		"after", "all", "allow", "and", "any", "at", "award", "badge", "badges", "best", "birthday", "bonus",
		"bool", "budget", "campaign", "catalogue", "challenge", "costs", "count", "currency", "customer",
		"date", "day", "days", "debit", "disable", "down", "duration", "earned", "earning", "enum", "event",
		"events", "every", "experiment", "expire", "expires", "extends", "false", "first", "for", "from",
		"grace", "group", "hold", "hour", "hours", "in", "keep", "last", "late", "levels", "library", "limit",
		"list", "minute", "minutes", "mission", "money", "month", "months", "nearest", "no", "not", "notify",
		"number", "of", "on", "once", "optional", "or", "overlay", "override", "param", "pending", "per",
		"program", "quest", "record", "region", "reward", "review", "rounded", "rule", "skip", "staff", "step",
		"stores", "streak", "string", "sum", "then", "this", "tiers", "timestamp", "timezone", "times", "to",
		"true", "unlimited", "until", "up", "use", "variant", "version", "wallet", "week", "weeks", "when",
		"where", "with", "within", "year", "years",
	};
	for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++) {
		lex(kws[i]);
		cr_assert_eq(ntoks, 2);
		cr_assert_neq(toks[0].kind, T_IDENT, "`%s` should be a keyword", kws[i]);
		cr_assert_str_eq(lex_token_spelling(toks[0].kind), kws[i]);
	}
}

Test(lexer, names_and_currencies)
{
	lex("zero_wait_bonus _x x2 EUR JPY KWD ABC Eur EURO eur Rule");
	int want[] = {T_IDENT, T_IDENT, T_IDENT, T_CURRENCY, T_CURRENCY, T_CURRENCY, T_IDENT, T_IDENT, T_IDENT,
		      T_IDENT, T_IDENT, T_YYEOF};
	for (int i = 0; i < ntoks; i++)
		cr_assert_eq(toks[i].kind, want[i], "token %d (`%s`)", i, text_of(i));
	cr_assert_str_eq(toks[0].lit.text, "zero_wait_bonus");
	cr_assert_str_eq(toks[3].lit.text, "EUR");
	cr_assert_str_eq(toks[6].lit.text, "ABC");
}

Test(lexer, iso4217_table)
{
	int e = -1;
	cr_assert(lex_currency("EUR", &e));
	cr_assert_eq(e, 2);
	cr_assert(lex_currency("JPY", &e));
	cr_assert_eq(e, 0);
	cr_assert(lex_currency("BHD", &e));
	cr_assert_eq(e, 3);
	cr_assert(lex_currency("KWD", &e));
	cr_assert_eq(e, 3);
	cr_assert(lex_currency("CLF", &e));
	cr_assert_eq(e, 4);
	cr_assert(lex_currency("AED", NULL));
	cr_assert(lex_currency("ZWG", NULL));
	cr_assert_not(lex_currency("ABC", NULL));
	cr_assert_not(lex_currency("eur", NULL));
	cr_assert_not(lex_currency("EU", NULL));
	cr_assert_not(lex_currency("EURO", NULL));
	/* sorted, so that the binary search finds every entry */
	uint32_t n = 0;
	for (const char *prev = NULL, *c; (c = lex_currency_at(n)); prev = c, n++) {
		if (prev)
			cr_assert_lt(strcmp(prev, c), 0, "%s before %s", prev, c);
		cr_assert(lex_currency(c, NULL), "%s not found", c);
	}
	cr_assert_gt(n, 150);
}

Test(lexer, numbers)
{
	lex("0 12 50_000 1.5 0.25 1.1234 15% 12.5% 9223372036854775807");
	cr_assert_eq(toks[0].kind, T_INT);
	cr_assert_eq(toks[0].lit.value, 0);
	cr_assert_eq(toks[2].kind, T_INT);
	cr_assert_eq(toks[2].lit.value, 50000);
	cr_assert_str_eq(toks[2].lit.text, "50_000");
	cr_assert_eq(toks[3].kind, T_DECIMAL);
	cr_assert_eq(toks[3].lit.value, 15);
	cr_assert_eq(toks[3].lit.places, 1);
	cr_assert_eq(toks[5].lit.value, 11234);
	cr_assert_eq(toks[5].lit.places, 4);
	cr_assert_eq(toks[6].kind, T_PERCENT);
	cr_assert_eq(toks[6].lit.value, 15);
	cr_assert_str_eq(toks[6].lit.text, "15%");
	cr_assert_eq(toks[7].kind, T_PERCENT);
	cr_assert_eq(toks[7].lit.value, 125);
	cr_assert_eq(toks[7].lit.places, 1);
	cr_assert_eq(toks[8].lit.value, INT64_MAX);
	cr_assert_eq(d.count, 0);
}

Test(lexer, number_too_large)
{
	lex("9223372036854775808");
	cr_assert_eq(toks[0].kind, T_INT);
	cr_assert(toks[0].lit.bad);
	assert_one_diag(DIAG_E0104, "the number `9223372036854775808` is too large",
			"whole numbers go up to 9223372036854775807");
}

Test(lexer, strings_and_escapes)
{
	lex("\"Grüner Korb\" \"a \\\"b\\\" \\\\ \\n\\t\" \"# not a comment\"");
	cr_assert_eq(toks[0].kind, T_STRING);
	cr_assert_str_eq(toks[0].lit.text, "Grüner Korb");
	cr_assert_str_eq(toks[1].lit.text, "a \"b\" \\ \n\t");
	cr_assert_str_eq(toks[2].lit.text, "# not a comment");
	cr_assert_str_eq(text_of(1), "\"a \\\"b\\\" \\\\ \\n\\t\"");
	cr_assert_eq(d.count, 0);
}

Test(lexer, unterminated_string_ends_at_the_line)
{
	lex("rule \"Zero wait on purchase:\naward");
	cr_assert_eq(toks[1].kind, T_STRING);
	cr_assert_str_eq(toks[1].lit.text, "Zero wait on purchase:");
	cr_assert_eq(toks[2].kind, T_AWARD, "the next line is read as usual");
	assert_one_diag(DIAG_E0102, "this text has no closing `\"` on its line",
			"end the text with `\"` on the same line; write `\\\"` for a quote inside it");
	cr_assert_eq(d.items[0].sp.start, 5);
	cr_assert_eq(d.items[0].sp.end, 28);
}

Test(lexer, unknown_escape)
{
	lex("\"a\\qb\"");
	cr_assert_eq(toks[0].kind, T_STRING);
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0101);
	cr_assert_str_eq(d.items[0].message, "unknown escape `\\q` in a text");
}

Test(lexer, dates_and_timestamps)
{
	lex("1970-01-01 2000-03-01 2024-02-29 2027-03-01T09:30:00+01:00 2027-03-01T08:30Z 1970-01-01T00:00:00-14:00");
	cr_assert_eq(toks[0].kind, T_DATE);
	cr_assert_eq(toks[0].lit.value, 0);
	cr_assert_eq(toks[1].lit.value, 11017);
	cr_assert_eq(toks[2].lit.value, 19782);
	cr_assert_eq(toks[3].kind, T_TIMESTAMP);
	cr_assert_eq(toks[3].lit.value, 1803889800); /* 2027-03-01T08:30:00Z */
	cr_assert_eq(toks[4].lit.value, 1803889800);
	cr_assert_eq(toks[5].lit.value, 14 * 3600);
	cr_assert_str_eq(toks[3].lit.text, "2027-03-01T09:30:00+01:00");
	cr_assert_eq(d.count, 0);
}

Test(lexer, a_timestamp_leaves_the_colon_after_it)
{
	lex("2027-03-01T09:30:00+01:00:");
	cr_assert_eq(toks[0].kind, T_TIMESTAMP);
	cr_assert_eq(toks[1].kind, T_COLON);
	cr_assert_eq(d.count, 0);
}

static const char date_help[] = "write a date as year-month-day, with two digits for the month and the day: `2027-03-01`";
static const char stamp_help[] = "write a moment as date, `T`, time and offset from UTC: `2027-03-01T09:30:00+01:00`, "
				 "or `2027-03-01T08:30:00Z` for UTC";

Test(lexer, impossible_dates)
{
	lex("2027-02-29");
	assert_one_diag(DIAG_E0107, "`2027-02-29` is not a date: February 2027 has 28 days", date_help);
	cr_assert(toks[0].lit.bad);
}

Test(lexer, leap_years)
{
	lex("2024-02-29 2000-02-29");
	cr_assert_eq(d.count, 0);
	lex("1900-02-29");
	assert_one_diag(DIAG_E0107, "`1900-02-29` is not a date: February 1900 has 28 days", date_help);
}

Test(lexer, month_thirteen)
{
	lex("2027-13-01");
	assert_one_diag(DIAG_E0107, "`2027-13-01` is not a date: there is no month 13", date_help);
}

Test(lexer, one_digit_month)
{
	lex("2027-3-1");
	assert_one_diag(DIAG_E0107, "`2027-3-1` is not a date", date_help);
}

Test(lexer, timestamp_without_offset)
{
	lex("2027-03-01T09:30");
	assert_one_diag(DIAG_E0107, "`2027-03-01T09:30` needs its offset from UTC, to be the same moment everywhere",
			stamp_help);
}

Test(lexer, bad_times)
{
	lex("2027-03-01T24:00Z");
	assert_one_diag(DIAG_E0107, "`2027-03-01T24:00Z` is not a timestamp: there is no hour 24", stamp_help);
	diag_release(&d);
	diag_init(&d, &a);
	lex("2027-03-01T10:60Z");
	assert_one_diag(DIAG_E0107, "`2027-03-01T10:60Z` is not a timestamp: there is no minute 60", stamp_help);
	diag_release(&d);
	diag_init(&d, &a);
	lex("2027-03-01T10:00+15:00");
	assert_one_diag(DIAG_E0107, "`2027-03-01T10:00+15:00` is not a timestamp: offsets from UTC go from -14:00 to +14:00",
			stamp_help);
}

Test(lexer, comments_are_skipped)
{
	lex("# a comment\nrule # another \"with a quote\n\"x\"");
	cr_assert_eq(ntoks, 3);
	cr_assert_eq(toks[0].kind, T_RULE);
	cr_assert_eq(toks[1].kind, T_STRING);
	cr_assert_eq(d.count, 0);
}

Test(lexer, spans_are_byte_offsets)
{
	lex("  award\t10 €\n");
	cr_assert_eq(toks[0].sp.start, 2);
	cr_assert_eq(toks[0].sp.end, 7);
	cr_assert_eq(toks[1].sp.start, 8);
	cr_assert_eq(toks[1].sp.end, 10);
	cr_assert_eq(d.count, 1, "the euro sign is not a token");
	cr_assert_eq(d.items[0].sp.start, 11);
	cr_assert_eq(d.items[0].sp.end, 14, "the whole UTF-8 character");
	cr_assert_eq(toks[2].kind, T_YYEOF);
}

Test(lexer, unexpected_character)
{
	lex("award 1 points @");
	cr_assert_eq(ntoks, 4, "the character is skipped");
	assert_one_diag(DIAG_E0101, "unexpected character `@`", "(none)");
}

Test(lexer, semicolon_has_a_help)
{
	lex("program \"t\";");
	assert_one_diag(DIAG_E0101, "unexpected character `;`", "ludic needs no `;` at the end of a line");
}

Test(lexer, curly_quotes_make_a_text_and_one_error)
{
	lex("rule “Café” on");
	cr_assert_eq(ntoks, 4);
	cr_assert_eq(toks[1].kind, T_STRING);
	cr_assert_str_eq(toks[1].lit.text, "Café");
	assert_one_diag(DIAG_E0101, "curly quotes around `Café`", "write text in straight double quotes: `\"Café\"`");
}

Test(lexer, a_lone_curly_quote)
{
	lex("“x");
	assert_one_diag(DIAG_E0101, "unexpected character `“`", "use straight double quotes `\"` around text");
}

Test(lexer, single_quotes_make_a_text_and_one_error)
{
	lex("'garden' x");
	cr_assert_eq(toks[0].kind, T_STRING);
	cr_assert_str_eq(toks[0].lit.text, "garden");
	cr_assert_eq(toks[1].kind, T_IDENT);
	assert_one_diag(DIAG_E0101, "single quotes around `garden`", "write text in straight double quotes: `\"garden\"`");
}

Test(lexer, currency_signs_suggest_the_amount_with_its_code)
{
	lex("total >= $50");
	assert_one_diag(DIAG_E0101, "unexpected character `$`", "write money as an amount and its currency code: `50 USD`");
	diag_release(&d);
	diag_init(&d, &a);
	lex("total >= 12.50 €");
	assert_one_diag(DIAG_E0101, "unexpected character `€`", "write money as an amount and its currency code: `12.50 EUR`");
}

Test(lexer, nul_and_control_bytes)
{
	const char text[] = "rule\0x\x01";
	src = NULL;
	const source *s = source_add(&set, "nul.ludic", text, sizeof text - 1);
	parse_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	uint32_t id = 0;
	ctx.a = &a, ctx.next_id = &id, ctx.d = &d, ctx.src = s;
	yyscan_t scanner;
	lxlex_init_extra(&ctx, &scanner);
	YY_BUFFER_STATE buf = lx_scan_bytes(s->text, (int)s->len, scanner);
	LXSTYPE v;
	span sp;
	int kinds[8], n = 0;
	while (n < 8 && (kinds[n++] = lxlex(&v, &sp, scanner)) != T_YYEOF)
		;
	lx_delete_buffer(buf, scanner);
	lxlex_destroy(scanner);
	cr_assert_eq(n, 3);
	cr_assert_eq(kinds[0], T_RULE);
	cr_assert_eq(kinds[1], T_IDENT);
	cr_assert_eq(d.count, 2);
	cr_assert_str_eq(d.items[0].message, "unexpected NUL byte");
	cr_assert_str_eq(d.items[1].message, "unexpected control character (byte 0x01)");
}

Test(lexer, invalid_utf8_once_per_line)
{
	lex("\"caf\xe9\" # \xff\xfe\n\xc3(\n\xf0\x28\x8c\x28");
	cr_assert_eq(d.count, 3, "one E0103 per line:\n%s", rendered());
	for (uint32_t i = 0; i < d.count; i++) {
		cr_assert_eq(d.items[i].code, DIAG_E0103);
		cr_assert_str_eq(d.items[i].help, "save the file as UTF-8");
	}
	cr_assert_str_eq(d.items[0].message, "this line is not valid UTF-8 text (byte 0xE9)");
}

Test(lexer, overlong_and_surrogate_utf8_are_invalid)
{
	lex("\"\xc0\xaf\"\n\"\xed\xa0\x80\"");
	cr_assert_eq(d.count, 2);
	cr_assert_eq(d.items[0].code, DIAG_E0103);
	cr_assert_eq(d.items[1].code, DIAG_E0103);
}

Test(lexer, brackets_deeper_than_the_limit_become_one_token)
{
	char text[PARSE_MAX_DEPTH + 64];
	memset(text, '(', PARSE_MAX_DEPTH + 10);
	strcpy(text + PARSE_MAX_DEPTH + 10, "1)))))))))) x");
	lex(text);
	cr_assert_eq(toks[PARSE_MAX_DEPTH - 1].kind, T_LPAREN);
	cr_assert_eq(toks[PARSE_MAX_DEPTH].kind, T_DEEP);
	cr_assert_eq(toks[PARSE_MAX_DEPTH].sp.start, PARSE_MAX_DEPTH);
	cr_assert_eq(toks[PARSE_MAX_DEPTH + 1].kind, T_IDENT, "after the deep group, scanning goes on");
	assert_one_diag(DIAG_E0106, "nesting too deep: ludic reads at most 200 levels of brackets", NULL);
}

Test(lexer, unclosed_deep_brackets_end_at_the_end)
{
	char *text = malloc(10001);
	memset(text, '{', 10000);
	text[10000] = 0;
	lex(text);
	free(text);
	cr_assert_eq(ntoks, PARSE_MAX_DEPTH + 2);
	cr_assert_eq(toks[PARSE_MAX_DEPTH].kind, T_DEEP);
	cr_assert_eq(toks[PARSE_MAX_DEPTH + 1].kind, T_YYEOF);
	cr_assert_eq(d.count, 1);
}
