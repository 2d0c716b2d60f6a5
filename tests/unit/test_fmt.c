/* test_fmt.c — unit tests of `ludic fmt` (compiler/fmt.c): the canonical
 * layout of every construct, the fewest parentheses that keep an
 * expression's meaning, comments put back where they were, and the two
 * promises: formatting twice changes nothing, and formatting never changes
 * what a program means (the trees, dumped without positions, are equal).
 *
 * Build: -I compiler -I grammar -I <builddir>, linked with libludic_core and
 * criterion. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static arena a;
static source_set set;
static diag_list d;
static uint32_t next_id;

static void setup(void)
{
	arena_init(&a);
	source_set_init(&set, &a);
	diag_init(&d, &a);
	next_id = 0;
}

static void teardown(void)
{
	diag_release(&d);
	arena_free(&a);
}

TestSuite(fmt, .init = setup, .fini = teardown);

static char *rendered(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	diag_render(mem, &d, &set, DIAG_TEXT, false);
	fclose(mem);
	return out;
}

/* Parses `text` (which must have no error) into *file; returns its source. */
static const source *parse_ok(const char *text, ast_node **file)
{
	const source *src = source_add(&set, "test.ludic", text, strlen(text));
	*file = parse_source(&a, &next_id, &d, src);
	cr_assert_eq(d.errors, 0, "syntax errors in:\n%s\n%s", text, rendered());
	return src;
}

/* The tree of `text`, dumped without positions (malloc'd). */
static char *meaning(const char *text)
{
	ast_node *f;
	parse_ok(text, &f);
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	ast_dump(mem, f, &set, false);
	fclose(mem);
	return out;
}

/* `ludic fmt` of `text` (malloc'd). */
static char *format(const char *text)
{
	ast_node *f;
	const source *src = parse_ok(text, &f);
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	ast_format(mem, f, src);
	fclose(mem);
	return out;
}

/* fmt(text) == want, fmt(want) == want, and the meaning is kept. */
static void check_fmt(const char *text, const char *want)
{
	char *got = format(text);
	cr_assert_str_eq(got, want, "\nfmt of:\n%s\ngot:\n%s\nwant:\n%s", text, got, want);
	char *again = format(got);
	cr_assert_str_eq(again, got, "not idempotent:\n%s\nthen:\n%s", got, again);
	char *m1 = meaning(text), *m2 = meaning(got);
	cr_assert_str_eq(m1, m2, "meaning changed:\n%s\nbecame:\n%s", m1, m2);
	free(got);
	free(again);
	free(m1);
	free(m2);
}

/* fmt of `param p = <e>` gives `param p = <want>`. */
static void check_expr(const char *e, const char *want)
{
	char *text = arena_printf(&a, "program \"t\"\nparam p = %s\n", e);
	char *out = arena_printf(&a, "program \"t\"\n\nparam p = %s\n", want);
	check_fmt(text, out);
}

/* ---- layout ---- */

Test(fmt, settings_stay_together)
{
	check_fmt("program \"p\" version \"1\"\n\n\nuse retail\ncurrency EUR   timezone \"Europe/Paris\"\n"
		  "allow late events up to 2 hours\nparam a = 1\n\nparam b = 2\nwallet points\n"
		  "wallet xp \"XP\" for staff pending 7 days expires 12 months after earning\n",
		  "program \"p\" version \"1\"\n"
		  "use retail\n"
		  "currency EUR\n"
		  "timezone \"Europe/Paris\"\n"
		  "allow late events up to 2 hours\n"
		  "\n"
		  "param a = 1\n"
		  "param b = 2\n"
		  "\n"
		  "wallet points\n"
		  "wallet xp \"XP\" for staff expires 12 months after earning pending 7 days\n");
}

Test(fmt, overlay_header_and_disable)
{
	check_fmt("overlay \"n\" extends \"b\" version \"1\" for stores \"A\",\"B\" disable \"x\" disable \"y\" param p = 1",
		  "overlay \"n\" extends \"b\" version \"1\" for stores \"A\", \"B\"\n"
		  "\n"
		  "disable \"x\"\n"
		  "disable \"y\"\n"
		  "\n"
		  "param p = 1\n");
}

Test(fmt, rule_layout)
{
	check_fmt("program \"p\"\nrule \"Base earn\" on purchase where total > 0 EUR from 2027-01-01: award total / 1 EUR points "
		  "times 2 when checkout = click_collect times 1.5 when status = silver rounded down, badge \"b\" "
		  "notify \"n\" with (a=1,b = 2) limit 1 per day, once budget 50_000 points unlimited "
		  "limit 5 times per customer limit 100 points per campaign",
		  "program \"p\"\n"
		  "\n"
		  "rule \"Base earn\" on purchase where total > 0 EUR from 2027-01-01:\n"
		  "  award total / 1 EUR points\n"
		  "    times 2 when checkout = click_collect\n"
		  "    times 1.5 when status = silver\n"
		  "    rounded down\n"
		  "  badge \"b\"\n"
		  "  notify \"n\" with (a = 1, b = 2)\n"
		  "  limit 1 per day\n"
		  "  once\n"
		  "  budget 50_000 points\n"
		  "  unlimited\n"
		  "  limit 5 times per customer\n"
		  "  limit 100 points per campaign\n");
}

Test(fmt, triggers_and_scopes)
{
	check_fmt("program \"p\"\n"
		  "override quest \"a\" in region \"north\" when no purchase where channel = web for 1 days:\n  badge \"x\"\n"
		  "rule \"b\" at stores \"S1\" when points expires within 30 days until 2027-12-31:\n  badge \"x\"\n"
		  "rule \"c\" when birthday month:\n  badge \"x\"\n"
		  "challenge \"d\" when 7 days after signup where channel = app:\n  badge \"x\"\n",
		  "program \"p\"\n"
		  "\n"
		  "override quest \"a\" in region \"north\" when no purchase where channel = web for 1 day:\n"
		  "  badge \"x\"\n"
		  "\n"
		  "rule \"b\" at stores \"S1\" when points expire within 30 days until 2027-12-31:\n"
		  "  badge \"x\"\n"
		  "\n"
		  "rule \"c\" when birthday month:\n"
		  "  badge \"x\"\n"
		  "\n"
		  "challenge \"d\" when 7 days after signup where channel = app:\n"
		  "  badge \"x\"\n");
}

Test(fmt, blocks)
{
	check_fmt("program \"p\"\n"
		  "enum k {a,b,c,}\n"
		  "event e { x: count y: list of line optional }\n"
		  "record r {}\n"
		  "tiers t on points earned in last 365 days { review every month a at 0 hold 90 days b at 500 }\n"
		  "levels l on xp earned { s at 0 t at 100 }\n"
		  "badges { \"a\": \"A\" \"b\" }\n"
		  "catalogue { reward \"x\" costs 200 points reward \"y\" costs 1 points for status >= gold }\n"
		  "experiment \"e\" { variant \"a\" 50% variant \"b\" 50%: p = 8, skip \"r\" }\n",
		  "program \"p\"\n"
		  "\n"
		  "enum k { a, b, c }\n"
		  "\n"
		  "event e {\n"
		  "  x: count\n"
		  "  y: list of line optional\n"
		  "}\n"
		  "\n"
		  "record r {\n"
		  "}\n"
		  "\n"
		  "tiers t on points earned in last 365 days {\n"
		  "  a at 0\n"
		  "  b at 500\n"
		  "  hold 90 days\n"
		  "  review every month\n"
		  "}\n"
		  "\n"
		  "levels l on xp earned {\n"
		  "  s at 0\n"
		  "  t at 100\n"
		  "}\n"
		  "\n"
		  "badges {\n"
		  "  \"a\": \"A\"\n"
		  "  \"b\"\n"
		  "}\n"
		  "\n"
		  "catalogue {\n"
		  "  reward \"x\" costs 200 points\n"
		  "  reward \"y\" costs 1 points for status >= gold\n"
		  "}\n"
		  "\n"
		  "experiment \"e\" {\n"
		  "  variant \"a\" 50%\n"
		  "  variant \"b\" 50%: p = 8, skip \"r\"\n"
		  "}\n");
}

Test(fmt, mission_streak_group)
{
	check_fmt("program \"p\"\n"
		  "mission \"m\" in region \"n\" within 60 days of signup for count(purchase in last 365 days) = 0 from 2027-01-01 {\n"
		  "step \"a\": purchase step \"b\": purchase where channel = app, 2 times then award 20 xp badge \"x\"\n"
		  "reward 200 points, badge \"e\" }\n"
		  "streak \"s\" on purchase every week for 4 weeks grace 1 week: award 50 points, badge \"r\"\n"
		  "group \"g\" keep best { rule \"a\" on app: award 20 points, once rule \"b\" on visit: award 10 points }\n",
		  "program \"p\"\n"
		  "\n"
		  "mission \"m\" in region \"n\" within 60 days of signup for count(purchase in last 365 days) = 0 from 2027-01-01 {\n"
		  "  step \"a\": purchase\n"
		  "  step \"b\": purchase where channel = app, 2 times then award 20 xp, badge \"x\"\n"
		  "  reward 200 points, badge \"e\"\n"
		  "}\n"
		  "\n"
		  "streak \"s\" on purchase every week for 4 weeks grace 1 week:\n"
		  "  award 50 points\n"
		  "  badge \"r\"\n"
		  "\n"
		  "group \"g\" keep best {\n"
		  "  rule \"a\" on app:\n"
		  "    award 20 points\n"
		  "    once\n"
		  "\n"
		  "  rule \"b\" on visit:\n"
		  "    award 10 points\n"
		  "}\n");
}

Test(fmt, literals_as_written)
{
	check_expr("1_000 + 1.50 + 0.25 + 15% + 12.50 EUR + 3EUR + 2027-03-01 + 2027-03-01T09:30Z + true",
		   "1_000 + 1.50 + 0.25 + 15% + 12.50 EUR + 3 EUR + 2027-03-01 + 2027-03-01T09:30Z + true");
	check_expr("\"a \\\"quote\\\" \\\\ back\\nslash\\t#\"", "\"a \\\"quote\\\" \\\\ back\\nslash\\t#\"");
	check_expr("1 days + 2 day + 90 minutes", "1 day + 2 days + 90 minutes");
}

/* ---- parentheses ---- */

Test(fmt, fewest_parentheses)
{
	static const char *const cases[][2] = {
		{"((a))", "a"},
		{"(a + b) + c", "a + b + c"},
		{"a + (b + c)", "a + (b + c)"},
		{"a - (b - c)", "a - (b - c)"},
		{"(a - b) - c", "a - b - c"},
		{"(a * b) + c", "a * b + c"},
		{"a * (b + c)", "a * (b + c)"},
		{"(a / b) / c", "a / b / c"},
		{"a / (b / c)", "a / (b / c)"},
		{"a or (b and c)", "a or b and c"},
		{"(a or b) and c", "(a or b) and c"},
		{"(a = b) = c", "(a = b) = c"},
		{"a = (b = c)", "a = (b = c)"},
		{"not (a = b)", "not (a = b)"},
		{"(not a) = b", "(not a) = b"},
		{"not (a and b)", "not (a and b)"},
		{"not not a", "not (not a)"},
		{"-(-a)", "-(-a)"},
		{"-(a + b)", "-(a + b)"},
		{"(-a) * b", "-a * b"},
		{"(a + 1) in s", "a + 1 in s"},
		{"(a in s) = b", "a in s = b"},
		{"a in (s = b)", "a in (s = b)"},
		{"(a.b).c", "a.b.c"},
		{"(a + b).c", "(a + b).c"},
		{"(purchase in last 30 days)", "purchase in last 30 days"},
		{"(points earned) in last 30 days", "(points earned) in last 30 days"},
		{"(-(points earned)) in last 3 days", "(-points earned) in last 3 days"},
		{"(a + points earned) in {1}", "(a + points earned) in {1}"},
		{"points earned in last 30 days + 1", "points earned in last 30 days + 1"},
		{"count((a))", "count(a)"},
		{"max((a + b), (c))", "max(a + b, c)"},
		{"{(a), (b or c)}", "{a, b or c}"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_expr(cases[i][0], cases[i][1]);
}

/* ---- comments ---- */

Test(fmt, comments_before_and_after)
{
	check_fmt("# banner\n"
		  "#\n"
		  "# second paragraph\n"
		  "program \"p\"   # trailing on the header\n"
		  "use retail\n"
		  "\n"
		  "\n"
		  "# ---- section\n"
		  "\n"
		  "wallet points # pts\n"
		  "# before the rule\n"
		  "rule \"r\" on purchase: # after the colon\n"
		  "  # before the action\n"
		  "  award 1 points\n"
		  "    # before a multiplier\n"
		  "    times 2 when a # on the multiplier\n"
		  "  limit 1 per day\n"
		  "# the end\n",
		  "# banner\n"
		  "#\n"
		  "# second paragraph\n"
		  "program \"p\"  # trailing on the header\n"
		  "use retail\n"
		  "\n"
		  "# ---- section\n"
		  "\n"
		  "wallet points  # pts\n"
		  "\n"
		  "# before the rule\n"
		  "rule \"r\" on purchase:  # after the colon\n"
		  "  # before the action\n"
		  "  award 1 points\n"
		  "    # before a multiplier\n"
		  "    times 2 when a  # on the multiplier\n"
		  "  limit 1 per day\n"
		  "# the end\n");
}

Test(fmt, comments_in_blocks)
{
	check_fmt("program \"p\"\n"
		  "tiers t on x { # the ladder\n"
		  "  # the first\n"
		  "  a at 0 # zero\n"
		  "  b at 500    # five hundred\n"
		  "  # nothing after this\n"
		  "}\n",
		  "program \"p\"\n"
		  "\n"
		  "tiers t on x {  # the ladder\n"
		  "  # the first\n"
		  "  a at 0    # zero\n"
		  "  b at 500  # five hundred\n"
		  "  # nothing after this\n"
		  "}\n");
}

Test(fmt, comment_inside_an_expression_moves_to_the_line_end)
{
	check_fmt("program \"p\"\n"
		  "rule \"r\" on purchase where payment in {mobile_wallet, # phones\n"
		  "    bank_app}:\n"
		  "  award 1 points\n",
		  "program \"p\"\n"
		  "\n"
		  "rule \"r\" on purchase where payment in {mobile_wallet, bank_app}:  # phones\n"
		  "  award 1 points\n");
}

Test(fmt, two_trailing_comments_for_one_line)
{
	check_fmt("program \"p\"\n"
		  "param a = 1 + # one\n"
		  "  2 # two\n",
		  "program \"p\"\n"
		  "\n"
		  "param a = 1 + 2  # one\n"
		  "# two\n");
}

Test(fmt, a_hash_in_a_string_is_not_a_comment)
{
	check_fmt("program \"p # not a comment\"\n", "program \"p # not a comment\"\n");
}

Test(fmt, comment_between_rules_of_a_group)
{
	check_fmt("program \"p\"\n"
		  "group \"g\" keep first {\n"
		  "  # the first\n"
		  "  rule \"a\" on visit:\n"
		  "    award 1 points\n"
		  "  # the second\n"
		  "  rule \"b\" on visit:\n"
		  "    award 2 points\n"
		  "}\n",
		  "program \"p\"\n"
		  "\n"
		  "group \"g\" keep first {\n"
		  "  # the first\n"
		  "  rule \"a\" on visit:\n"
		  "    award 1 points\n"
		  "\n"
		  "  # the second\n"
		  "  rule \"b\" on visit:\n"
		  "    award 2 points\n"
		  "}\n");
}

Test(fmt, crlf_line_ends)
{
	check_fmt("program \"p\"\r\n# c\r\nwallet points\r\n", "program \"p\"\n\n# c\nwallet points\n");
}

/* ---- a whole program ---- */

static const char brief[] =
	"program \"maison-verte\" version \"2027.03\"\n"
	"use retail\n"
	"currency EUR\n"
	"timezone \"Europe/Paris\"\n"
	"allow late events up to 2 hours\n"
	"\n"
	"wallet points \"Points\" expires 12 months after earning pending 14 days\n"
	"wallet kudos \"Staff kudos\" for staff\n"
	"\n"
	"badges {\n"
	"  \"explorer\": \"Finished the discovery mission\"\n"
	"  \"regular\"\n"
	"}\n"
	"\n"
	"tiers status on points earned in last 365 days {\n"
	"  bronze at 0\n"
	"  silver at 500\n"
	"  gold at 2000\n"
	"  hold 90 days\n"
	"  review every month\n"
	"}\n"
	"\n"
	"param zero_wait_bonus = 5\n"
	"\n"
	"rule \"Base earn\" on purchase:\n"
	"  award total / 1 EUR points\n"
	"    times 2 when checkout = click_collect\n"
	"    times 1.5 when status >= silver\n"
	"    rounded down\n"
	"\n"
	"challenge \"Garden trio\" on purchase where count(lines where category = \"garden\") >= 3:\n"
	"  award 30 points\n"
	"  limit 1 per month\n"
	"  budget 50000 points\n"
	"\n"
	"bonus \"Zero wait\" on purchase where payment in {mobile_wallet, bank_app} or checkout = self_checkout:\n"
	"  award zero_wait_bonus points\n"
	"  limit 1 per day\n"
	"\n"
	"mission \"Discover the brand\" within 60 days of signup for count(purchase in last 365 days) = 0 {\n"
	"  step \"First purchase\": purchase\n"
	"  step \"Try the app\": purchase where channel = app then award 20 points\n"
	"  reward 200 points, badge \"explorer\"\n"
	"}\n"
	"\n"
	"streak \"Weekly regular\" on purchase every week for 4 weeks grace 1 week:\n"
	"  award 50 points\n"
	"  badge \"regular\"\n"
	"\n"
	"rule \"We miss you\" when no purchase for 90 days:\n"
	"  notify \"winback-10\" with (discount = 10 EUR)\n"
	"\n"
	"catalogue {\n"
	"  reward \"Lounge access\" costs 1000 points for status >= gold\n"
	"}\n"
	"\n"
	"experiment \"Zero-wait amount\" {\n"
	"  variant \"control\" 50%\n"
	"  variant \"generous\" 50%: zero_wait_bonus = 8\n"
	"}\n";

Test(fmt, a_canonical_program_comes_back_unchanged)
{
	check_fmt(brief, brief);
}

Test(fmt, a_program_on_one_line_gets_the_canonical_layout)
{
	char *flat = strdup(brief);
	for (char *p = flat; *p; p++)
		if (*p == '\n')
			*p = ' ';
	check_fmt(flat, brief);
	free(flat);
}
