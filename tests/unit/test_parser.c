/* test_parser.c — unit tests of the parser (grammar/parser.y, parse_source):
 * every construct of docs/grammar.md gives the tree it should, operators
 * bind as documented, every broken declaration is reported once and
 * parsing goes on, and no input — empty, huge, deeply nested, random —
 * makes it fail.
 *
 * Trees are compared through ast_dump without positions: compact, and
 * exact about every attribute.
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

TestSuite(parser, .init = setup, .fini = teardown);

static ast_node *parse_len(const char *text, size_t len)
{
	const source *src = source_add(&set, "test.ludic", text, len);
	ast_node *f = parse_source(&a, &next_id, &d, src);
	cr_assert_not_null(f);
	cr_assert_eq(f->kind, AST_FILE);
	return f;
}

static ast_node *parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* Keeps the last few rendered texts alive and frees older ones, so that a
 * test may use a result twice (assert macros evaluate it again in their
 * message) and nothing leaks. */
static char *keep(char *text)
{
	static char *ring[8];
	static unsigned next;
	free(ring[next % 8]);
	ring[next++ % 8] = text;
	return text;
}

static char *rendered(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	diag_render(mem, &d, &set, DIAG_TEXT, false);
	fclose(mem);
	return keep(out);
}

static char *dump(const ast_node *n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	ast_dump(mem, n, &set, false);
	fclose(mem);
	return keep(out);
}

/* Parses `program "t"` + `decls`, expects no diagnostic, and returns the
 * first declaration after the header. */
static ast_node *decl_of(const char *decls)
{
	char *text = arena_printf(&a, "program \"t\"\n%s\n", decls);
	ast_node *f = parse(text);
	cr_assert_eq(d.count, 0, "unexpected diagnostics for:\n%s\n%s", decls, rendered());
	cr_assert_not_null(f->u.file.decls);
	cr_assert_not_null(f->u.file.decls->next, "no declaration after the header");
	return f->u.file.decls->next;
}

/* The dump of expression `e` (as the value of a param). */
static char *expr_dump(const char *e)
{
	ast_node *p = decl_of(arena_printf(&a, "param p = %s", e));
	cr_assert_eq(p->kind, AST_PARAM);
	return dump(p->u.arg.value);
}

#define assert_dump(got, want) cr_assert_str_eq((got), (want), "\ngot:\n%s\nwant:\n%s", (got), (want))

/* ---- programs and headers ---- */

Test(parser, program_header)
{
	ast_node *f = parse("program \"maison-verte\" version \"2027.03\"\n");
	cr_assert_eq(d.count, 0);
	assert_dump(dump(f), "(file\n"
			     "  decl=(program\n"
			     "    name=(string \"maison-verte\")\n"
			     "    version=(string \"2027.03\")))\n");
}

Test(parser, overlay_headers)
{
	ast_node *f = parse("overlay \"n\" extends \"b\" version \"1\" for region \"north\"\n");
	cr_assert_eq(d.count, 0);
	assert_dump(dump(f->u.file.decls), "(overlay\n"
					   "  name=(string \"n\")\n"
					   "  extends=(string \"b\")\n"
					   "  version=(string \"1\")\n"
					   "  for=(scope region\n"
					   "    value=(string \"north\")))\n");
	f = parse("overlay \"c\" extends \"b\" for stores \"PAR01\", \"LYO02\"");
	cr_assert_eq(d.count, 0);
	cr_assert(f->u.file.decls->u.program.scope->u.scope.stores);
	cr_assert_eq(ast_list_len(f->u.file.decls->u.program.scope->u.scope.values), 2);
	f = parse("library \"retail\"");
	cr_assert_eq(f->u.file.decls->kind, AST_LIBRARY);
}

Test(parser, settings)
{
	ast_node *f = parse("program \"t\"\nuse retail\ncurrency EUR\ntimezone \"Europe/Paris\"\n"
			    "allow late events up to 2 hours\nparam zero_wait_bonus = 5\ndisable \"Zero wait\"\n");
	cr_assert_eq(d.count, 0, "%s", rendered());
	assert_dump(dump(f), "(file\n"
			     "  decl=(program\n"
			     "    name=(string \"t\"))\n"
			     "  decl=(use \"retail\")\n"
			     "  decl=(currency \"EUR\")\n"
			     "  decl=(timezone \"Europe/Paris\")\n"
			     "  decl=(lateness\n"
			     "    up-to=(duration 2 hour))\n"
			     "  decl=(param key=zero_wait_bonus\n"
			     "    value=(int 5 \"5\"))\n"
			     "  decl=(disable \"Zero wait\"))\n");
}

Test(parser, unknown_currency_code_is_left_to_the_checker)
{
	ast_node *c = decl_of("currency XYZ");
	cr_assert_eq(c->kind, AST_CURRENCY);
	cr_assert_str_eq(c->u.str.s, "XYZ");
}

/* ---- declarations ---- */

Test(parser, enum_event_record)
{
	ast_node *e = decl_of("enum channel { store, web, app, }");
	assert_dump(dump(e), "(enum name=channel\n"
			     "  member=(name store)\n"
			     "  member=(name web)\n"
			     "  member=(name app))\n");
	e = decl_of("event workshop { kind: workshop_kind paid: money optional region: string\n"
		    "lines: list of line }");
	assert_dump(dump(e), "(event name=workshop\n"
			     "  field=(field-decl name=kind\n"
			     "    type=(type workshop_kind))\n"
			     "  field=(field-decl name=paid optional\n"
			     "    type=(type money))\n"
			     "  field=(field-decl name=region\n"
			     "    type=(type string))\n"
			     "  field=(field-decl name=lines\n"
			     "    type=(type list\n"
			     "      of=(type line))))\n");
	e = decl_of("record plant { species: string quantity: count }");
	cr_assert_eq(e->kind, AST_RECORD);
	cr_assert_eq(ast_list_len(e->u.decl.items), 2);
	e = decl_of("event empty {}");
	cr_assert_null(e->u.decl.items);
}

Test(parser, wallets)
{
	ast_node *w = decl_of("wallet points \"Points\" expires 12 months after earning pending 14 days");
	assert_dump(dump(w), "(wallet name=points\n"
			     "  label=(string \"Points\")\n"
			     "  expires=(duration 12 month)\n"
			     "  pending=(duration 14 day))\n");
	w = decl_of("wallet kudos for staff");
	cr_assert(w->u.wallet.staff);
	cr_assert_null(w->u.wallet.label);
}

Test(parser, a_wallet_option_given_twice)
{
	parse("program \"t\"\nwallet points pending 14 days pending 7 days\n");
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0412);
	cr_assert_str_eq(d.items[0].message, "`pending` is given twice for the wallet");
}

Test(parser, tiers_and_levels)
{
	ast_node *t = decl_of("tiers status on points earned in last 365 days {\n"
			      "  review every month\n  bronze at 0\n  silver at 500\n  hold 90 days\n}");
	assert_dump(dump(t), "(tiers name=status review=month\n"
			     "  on=(earned\n"
			     "    wallet=(name points)\n"
			     "    window=(duration 365 day))\n"
			     "  rung=(rung name=bronze\n"
			     "    at=(int 0 \"0\"))\n"
			     "  rung=(rung name=silver\n"
			     "    at=(int 500 \"500\"))\n"
			     "  hold=(duration 90 day))\n");
	t = decl_of("levels rank on xp earned { seedling at 0 sprout at 100 }");
	cr_assert_eq(t->kind, AST_LEVELS);
	cr_assert_eq(ast_list_len(t->u.ladder.rungs), 2);
	cr_assert_null(t->u.ladder.metric->u.earned.window);
}

Test(parser, hold_and_review_in_levels_are_syntax_errors)
{
	parse("program \"t\"\nlevels rank on xp earned { seedling at 0 hold 9 days }\n");
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0105);
	cr_assert_str_eq(d.items[0].message, "levels have no `hold`: a level follows its metric at once");
	parse("program \"t\"\nlevels rank on xp earned { seedling at 0 review every month }\n");
	cr_assert_eq(d.count, 2);
	cr_assert_str_eq(d.items[1].message, "levels have no `review`: a level follows its metric at once");
}

Test(parser, a_stray_closer)
{
	parse("program \"t\"\nparam p = 1)\nwallet points\n");
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.items[0].message, "unexpected `)`: it closes no `(`");
}

Test(parser, a_bad_literal_is_an_error_node)
{
	ast_node *f = parse("program \"t\"\nparam a = 99999999999999999999\nparam b = 2027-02-30\nparam c = 1.5 JPY\n");
	cr_assert_eq(d.count, 3);
	for (ast_node *p = f->u.file.decls->next; p; p = p->next)
		cr_assert_eq(p->u.arg.value->kind, AST_ERROR, "the checker must not see a made-up value");
}

Test(parser, a_rule_with_everything)
{
	ast_node *r = decl_of("override bonus \"Zero wait\" at stores \"S1\", \"S2\" on purchase where total >= 10 EUR "
			      "from 2027-03-01 until 2027-06-30:\n"
			      "  award 2 points times 2 when a rounded nearest, debit 1 points badge \"b\"\n"
			      "  notify \"t\" with (discount = 10 EUR, earned = 1)\n"
			      "  limit 500 points times per month, once budget 50_000 points unlimited");
	assert_dump(dump(r), "(rule kind=bonus override name=\"Zero wait\"\n"
			     "  scope=(scope stores\n"
			     "    value=(string \"S1\")\n"
			     "    value=(string \"S2\"))\n"
			     "  trigger=(on\n"
			     "    event=(name purchase)\n"
			     "    where=(binary op=\">=\"\n"
			     "      l=(name total)\n"
			     "      r=(money 1000 EUR \"10 EUR\")))\n"
			     "  from=(date 20878 \"2027-03-01\")\n"
			     "  until=(date 20999 \"2027-06-30\")\n"
			     "  action=(award rounding=nearest\n"
			     "    amount=(int 2 \"2\")\n"
			     "    wallet=(name points)\n"
			     "    times=(multiplier\n"
			     "      factor=(int 2 \"2\")\n"
			     "      when=(name a)))\n"
			     "  action=(debit\n"
			     "    amount=(int 1 \"1\")\n"
			     "    wallet=(name points))\n"
			     "  action=(badge \"b\")\n"
			     "  action=(notify\n"
			     "    template=(string \"t\")\n"
			     "    arg=(arg key=discount\n"
			     "      value=(money 1000 EUR \"10 EUR\"))\n"
			     "    arg=(arg key=earned\n"
			     "      value=(int 1 \"1\")))\n"
			     "  cap=(limit per=month\n"
			     "    amount=(int 500 \"500\")\n"
			     "    wallet=(name points))\n"
			     "  cap=(limit per=customer\n"
			     "    amount=(int 1 \"1\"))\n"
			     "  cap=(budget\n"
			     "    amount=(int 50000 \"50_000\")\n"
			     "    wallet=(name points))\n"
			     "  cap=(unlimited))\n");
}

Test(parser, every_trigger)
{
	static const struct {
		const char *text;
		ast_kind kind;
	} cases[] = {
		{"rule \"a\" on review:\n  badge \"x\"", AST_ON_EVENT},
		{"rule \"a\" in region \"north\" when no purchase where channel = web for 90 days:\n  badge \"x\"", AST_INACTIVE},
		{"rule \"a\" when points expire within 30 days:\n  badge \"x\"", AST_EXPIRING},
		{"rule \"a\" when points expires within 30 days:\n  badge \"x\"", AST_EXPIRING},
		{"rule \"a\" when birthday:\n  badge \"x\"", AST_BIRTHDAY},
		{"rule \"a\" when birthday month:\n  badge \"x\"", AST_BIRTHDAY},
		{"rule \"a\" when 7 days after signup where channel = app:\n  badge \"x\"", AST_AFTER},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ast_node *r = decl_of(cases[i].text);
		cr_assert_eq(r->u.rule.trigger->kind, cases[i].kind, "%s", cases[i].text);
	}
	cr_assert(decl_of("rule \"a\" when birthday month:\n  badge \"x\"")->u.rule.trigger->u.trig.month);
	ast_node *t = decl_of("rule \"a\" when 7 days after signup where channel = app:\n  badge \"x\"")->u.rule.trigger;
	cr_assert_eq(t->u.trig.dur->u.dur.count, 7);
	cr_assert_str_eq(t->u.trig.event->u.name.s, "signup");
	cr_assert_not_null(t->u.trig.where);
}

Test(parser, limits)
{
	ast_node *r = decl_of("rule \"a\" on purchase: award 1 points\n"
			      "  limit 1 per day limit 5 times per customer limit 3 per campaign limit 9 per year");
	ast_node *c = r->u.rule.clauses;
	cr_assert_eq(c->u.limit.per, UNIT_DAY);
	cr_assert_eq(c->next->u.limit.per, UNIT_EVER);
	cr_assert_eq(c->next->u.limit.amount->u.num.value, 5);
	cr_assert_eq(c->next->next->u.limit.per, UNIT_CAMPAIGN);
	cr_assert_eq(c->next->next->next->u.limit.per, UNIT_YEAR);
}

Test(parser, mission)
{
	ast_node *m = decl_of("mission \"Discover\" within 60 days of signup for count(purchase in last 365 days) = 0 {\n"
			      "  step \"First\": purchase\n"
			      "  step \"App\": purchase where channel = app, 2 times then award 20 xp, badge \"b\"\n"
			      "  reward award 200 points, badge \"explorer\"\n}");
	cr_assert_eq(m->kind, AST_MISSION);
	cr_assert_eq(m->u.mission.within->u.dur.count, 60);
	cr_assert_str_eq(m->u.mission.anchor->u.name.s, "signup");
	cr_assert_not_null(m->u.mission.audience);
	cr_assert_eq(ast_list_len(m->u.mission.steps), 2);
	ast_node *s = m->u.mission.steps->next;
	cr_assert_eq(s->u.step.times->u.num.value, 2);
	cr_assert_eq(ast_list_len(s->u.step.reward), 2);
	cr_assert_eq(ast_list_len(m->u.mission.reward), 2);
	cr_assert_eq(m->u.mission.reward->kind, AST_AWARD);
}

Test(parser, mission_reward_may_leave_out_award)
{
	ast_node *m = decl_of("mission \"m\" { step \"a\": purchase reward 200 points, badge \"x\" }");
	cr_assert_eq(ast_list_len(m->u.mission.reward), 2);
	cr_assert_eq(m->u.mission.reward->kind, AST_AWARD);
	cr_assert_eq(m->u.mission.reward->u.award.amount->u.num.value, 200);
	cr_assert_eq(m->u.mission.reward->next->kind, AST_GIVE_BADGE);
}

Test(parser, a_mission_without_steps_is_left_to_the_checker)
{
	ast_node *m = decl_of("mission \"m\" { }");
	cr_assert_null(m->u.mission.steps);
}

Test(parser, streak)
{
	ast_node *s = decl_of("streak \"Weekly\" on purchase where total > 5 EUR every week for 4 weeks grace 1 week "
			      "until 2027-12-31:\n  award 50 points, badge \"regular\"\n  limit 1 per year");
	cr_assert_eq(s->kind, AST_STREAK);
	cr_assert_eq(s->u.streak.every, UNIT_WEEK);
	cr_assert_eq(s->u.streak.length->u.dur.count, 4);
	cr_assert_eq(s->u.streak.grace->u.dur.unit, UNIT_WEEK);
	cr_assert_not_null(s->u.streak.until);
	cr_assert_eq(ast_list_len(s->u.streak.actions), 2);
	cr_assert_eq(ast_list_len(s->u.streak.clauses), 1);
}

Test(parser, badges_catalogue_experiment_group)
{
	ast_node *b = decl_of("badges { \"explorer\": \"Finished\" \"regular\" }");
	cr_assert_eq(ast_list_len(b->u.decl.items), 2);
	cr_assert_str_eq(b->u.decl.items->u.badge.description->u.str.s, "Finished");
	cr_assert_null(b->u.decl.items->next->u.badge.description);
	ast_node *c = decl_of("catalogue { reward \"Free delivery\" costs 200 points\n"
			      "reward \"Lounge\" costs 1000 points for status >= gold }");
	cr_assert_eq(ast_list_len(c->u.decl.items), 2);
	cr_assert_not_null(c->u.decl.items->next->u.item.cond);
	ast_node *e = decl_of("experiment \"x\" { variant \"a\" 50% variant \"b\" 50%: bonus_points = 8, skip \"Zero wait\" }");
	ast_node *v = e->u.experiment.variants->next;
	cr_assert_eq(v->u.variant.share->u.num.value, 5000);
	cr_assert_eq(v->u.variant.changes->kind, AST_ARG);
	cr_assert_eq(v->u.variant.changes->next->kind, AST_SKIP);
	ast_node *g = decl_of("group \"g\" keep first { rule \"a\" on visit: award 1 points\n"
			      "challenge \"b\" on visit: award 2 points, once }");
	cr_assert_eq(g->u.group.mode, GROUP_FIRST);
	cr_assert_eq(ast_list_len(g->u.group.rules), 2);
	cr_assert_eq(g->u.group.rules->next->u.rule.kind, RULE_CHALLENGE);
	cr_assert_eq(ast_list_len(g->u.group.rules->next->u.rule.clauses), 1);
}

/* ---- expressions ---- */

Test(parser, precedence)
{
	assert_dump(expr_dump("a or b and not c = d + e * -f"),
		    "(binary op=\"or\"\n"
		    "  l=(name a)\n"
		    "  r=(binary op=\"and\"\n"
		    "    l=(name b)\n"
		    "    r=(unary op=\"not\"\n"
		    "      e=(binary op=\"=\"\n"
		    "        l=(name c)\n"
		    "        r=(binary op=\"+\"\n"
		    "          l=(name d)\n"
		    "          r=(binary op=\"*\"\n"
		    "            l=(name e)\n"
		    "            r=(unary op=\"-\"\n"
		    "              e=(name f))))))))\n");
}

Test(parser, left_associativity)
{
	assert_dump(expr_dump("a - b - c"), "(binary op=\"-\"\n"
					    "  l=(binary op=\"-\"\n"
					    "    l=(name a)\n"
					    "    r=(name b))\n"
					    "  r=(name c))\n");
	assert_dump(expr_dump("a - (b - c)"), "(binary op=\"-\"\n"
					      "  l=(name a)\n"
					      "  r=(binary op=\"-\"\n"
					      "    l=(name b)\n"
					      "    r=(name c)))\n");
}

Test(parser, in_binds_tighter_than_comparison)
{
	assert_dump(expr_dump("x + 1 in s = y not in {a, b}"),
		    "(binary op=\"=\"\n"
		    "  l=(binary op=\"in\"\n"
		    "    l=(binary op=\"+\"\n"
		    "      l=(name x)\n"
		    "      r=(int 1 \"1\"))\n"
		    "    r=(name s))\n"
		    "  r=(binary op=\"not in\"\n"
		    "    l=(name y)\n"
		    "    r=(set\n"
		    "      item=(name a)\n"
		    "      item=(name b))))\n");
}

Test(parser, comparisons_do_not_chain)
{
	parse("program \"t\"\nparam p = a < b < c\n");
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.items[0].message, "unexpected `<` after a comparison");
	cr_assert_str_eq(d.items[0].help, "comparisons do not chain: write `a < b and b < c`");
}

Test(parser, windows_and_earned)
{
	assert_dump(expr_dump("points earned in last 30 days"), "(earned\n"
								"  wallet=(name points)\n"
								"  window=(duration 30 day))\n");
	assert_dump(expr_dump("(points earned) in last 30 days"), "(window last\n"
								  "  event=(earned\n"
								  "    wallet=(name points))\n"
								  "  length=(duration 30 day))\n");
	assert_dump(expr_dump("purchase in this month"), "(window this=month\n"
							 "  event=(name purchase))\n");
}

Test(parser, aggregates_calls_fields_sets)
{
	assert_dump(expr_dump("sum(price of lines where \"x\" in tags)"),
		    "(aggregate fn=sum\n"
		    "  value=(name price)\n"
		    "  src=(name lines)\n"
		    "  where=(binary op=\"in\"\n"
		    "    l=(string \"x\")\n"
		    "    r=(name tags)))\n");
	assert_dump(expr_dump("count(return in last 365 days where action = repair)"),
		    "(aggregate fn=count\n"
		    "  src=(window last\n"
		    "    event=(name return)\n"
		    "    length=(duration 365 day))\n"
		    "  where=(binary op=\"=\"\n"
		    "    l=(name action)\n"
		    "    r=(name repair)))\n");
	assert_dump(expr_dump("any(lines) and all(lines where quantity > 1)"),
		    "(binary op=\"and\"\n"
		    "  l=(aggregate fn=any\n"
		    "    src=(name lines))\n"
		    "  r=(aggregate fn=all\n"
		    "    src=(name lines)\n"
		    "    where=(binary op=\">\"\n"
		    "      l=(name quantity)\n"
		    "      r=(int 1 \"1\"))))\n");
	assert_dump(expr_dump("max(floor(a), balance(points)).x"),
		    "(field name=x\n"
		    "  obj=(call fn=max\n"
		    "    arg=(call fn=floor\n"
		    "      arg=(name a))\n"
		    "    arg=(call fn=balance\n"
		    "      arg=(name points))))\n");
	assert_dump(expr_dump("f()"), "(call fn=f)\n");
}

Test(parser, literals)
{
	assert_dump(expr_dump("12.50 EUR"), "(money 1250 EUR \"12.50 EUR\")\n");
	assert_dump(expr_dump("1.5"), "(decimal 15000 \"1.5\")\n");
	assert_dump(expr_dump("12.5%"), "(percent 1250 \"12.5%\")\n");
	assert_dump(expr_dump("100 JPY"), "(money 100 JPY \"100 JPY\")\n");
	assert_dump(expr_dump("1.125 KWD"), "(money 1125 KWD \"1.125 KWD\")\n");
	assert_dump(expr_dump("2027-03-01T09:30:00+01:00"), "(timestamp 1803889800 \"2027-03-01T09:30:00+01:00\")\n");
	assert_dump(expr_dump("true"), "(bool true)\n");
	assert_dump(expr_dump("90 minutes"), "(duration 90 minute)\n");
	assert_dump(expr_dump("\"a\\\"b\""), "(string \"a\\\"b\")\n");
}

Test(parser, soft_keywords_are_names)
{
	assert_dump(expr_dump("region = customer and staff = at and birthday > review"),
		    "(binary op=\"and\"\n"
		    "  l=(binary op=\"and\"\n"
		    "    l=(binary op=\"=\"\n"
		    "      l=(name region)\n"
		    "      r=(name customer))\n"
		    "    r=(binary op=\"=\"\n"
		    "      l=(name staff)\n"
		    "      r=(name at)))\n"
		    "  r=(binary op=\">\"\n"
		    "    l=(name birthday)\n"
		    "    r=(name review)))\n");
	ast_node *r = decl_of("rule \"r\" on review: badge \"x\"");
	cr_assert_str_eq(r->u.rule.trigger->u.trig.event->u.name.s, "review");
}

Test(parser, decimals_per_currency)
{
	parse("program \"t\"\nparam a = 12.505 EUR\nparam b = 1.5 JPY\nparam c = 1.12345\nparam d = 1.234%\n");
	cr_assert_eq(d.count, 4, "%s", rendered());
	cr_assert_str_eq(d.items[0].message, "`12.505 EUR` has more decimals than EUR has (2)");
	cr_assert_str_eq(d.items[0].help, "write at most 2 decimals: `12.50 EUR`");
	cr_assert_str_eq(d.items[1].message, "`1.5 JPY` has more decimals than JPY has (0)");
	cr_assert_str_eq(d.items[1].help, "JPY amounts are whole: write `1 JPY`");
	cr_assert_str_eq(d.items[2].message, "`1.12345` has more than 4 decimal places");
	cr_assert_str_eq(d.items[3].message, "`1.234%` has more than 2 decimal places");
	for (int i = 0; i < 4; i++)
		cr_assert_eq(d.items[i].code, DIAG_E0104);
}

Test(parser, money_out_of_range)
{
	parse("program \"t\"\nparam a = 922337203685477580 EUR\n");
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0104);
}

/* ---- errors and recovery ---- */

Test(parser, three_broken_rules_three_errors)
{
	ast_node *f = parse("program \"t\"\n"
			    "rule \"a\" on purchase\n  award 1 points\n"
			    "rule \"ok\" on purchase: award 1 points\n"
			    "rule \"b\" on purchase: award points\n"
			    "rule \"c\" when: award 1 points\n"
			    "wallet points\n");
	cr_assert_eq(d.count, 3, "%s", rendered());
	for (int i = 0; i < 3; i++)
		cr_assert_eq(d.items[i].code, DIAG_E0105);
	cr_assert_str_eq(d.items[0].message, "expected `:` after the rule's trigger");
	cr_assert_str_eq(d.items[0].help, "end the trigger with `:` and write the actions after it");
	cr_assert_str_eq(d.items[1].message, "expected the wallet's name after `points`");
	cr_assert_str_eq(d.items[2].message, "expected `no`, `birthday`, a wallet or a duration after `when`, found `:`");
	/* nothing after the errors is lost */
	ast_kind want[] = {AST_PROGRAM, AST_ERROR, AST_RULE, AST_ERROR, AST_ERROR, AST_WALLET};
	int i = 0;
	for (ast_node *n = f->u.file.decls; n; n = n->next, i++) {
		cr_assert_lt(i, 6);
		cr_assert_eq(n->kind, want[i], "declaration %d is %s", i, ast_kind_name(n->kind));
	}
	cr_assert_eq(i, 6);
}

Test(parser, the_error_points_at_the_token_found)
{
	parse("program \"t\"\nrule \"x\" on purchase wher total = 3: award 1 points\n");
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.items[0].message, "expected `:` after the rule's trigger, found `wher`");
	cr_assert_str_eq(d.items[0].help, "did you mean `where`?");
	cr_assert_eq(d.items[0].sp.start, 33);
	cr_assert_eq(d.items[0].sp.end, 37);
}

Test(parser, a_broken_rule_in_a_group_is_one_error)
{
	ast_node *f = parse("program \"t\"\ngroup \"g\" keep best {\n"
			    "  rule \"a\" on purchase award 1 points\n"
			    "  rule \"b\" on purchase: award 1 points\n}\n"
			    "rule \"c\" on purchase: award 1 points\n");
	cr_assert_eq(d.count, 1, "%s", rendered());
	cr_assert_eq(ast_list_len(f->u.file.decls), 4);
}

Test(parser, a_missing_closing_brace)
{
	ast_node *f = parse("program \"t\"\ntiers s on x {\n  a at 0\nwallet points\n");
	cr_assert_eq(d.count, 1, "%s", rendered());
	cr_assert_str_eq(d.items[0].message, "expected `}`, a name or `hold` in the tiers");
	cr_assert_eq(d.items[0].sp.start, 35, "at the end of the line where `}` is missing");
	cr_assert_eq(f->u.file.decls->next->next->kind, AST_WALLET);
	parse("program \"t\"\ntiers s on x {\n  a at 0\n");
	cr_assert_eq(d.count, 2);
	cr_assert_str_eq(d.items[1].message, "expected `}` to close the tiers");
}

Test(parser, a_lexical_error_is_not_repeated_as_a_syntax_error)
{
	parse("program \"t\"\nrule \"Zero wait on purchase:\n  award 10 points\nrule \"y\" on: award 1 points\n");
	cr_assert_eq(d.count, 2, "%s", rendered());
	cr_assert_eq(d.items[0].code, DIAG_E0102);
	cr_assert_eq(d.items[1].code, DIAG_E0105, "the next declaration is checked again");
}

Test(parser, keyword_used_as_a_name)
{
	parse("program \"t\"\nwallet day\n");
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.items[0].message, "expected a name, found `day`");
	cr_assert_str_eq(d.items[0].help, "`day` is a word of the language and cannot be used as a name");
}

Test(parser, name_without_quotes)
{
	parse("program \"t\"\nrule Welcome on signup: award 1 points\n");
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.items[0].message, "expected a text in quotes, found `Welcome`");
	cr_assert_str_eq(d.items[0].help, "write the name in double quotes: `\"Welcome\"`");
}

Test(parser, a_trigger_without_on)
{
	parse("program \"t\"\nrule \"x\" purchase: award 1 points\n");
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.items[0].message, "expected `on` or `when`, found `purchase`");
	cr_assert_str_eq(d.items[0].help, "say when the rule runs: `on purchase` runs it on each `purchase` event");
}

Test(parser, plural_period)
{
	parse("program \"t\"\nrule \"a\" on visit: award 1 points limit 1 per days\n");
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.items[0].help, "write the period in the singular: `day`");
}

/* ---- headers ---- */

Test(parser, empty_file)
{
	ast_node *f = parse("");
	cr_assert_null(f->u.file.decls);
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0109);
	cr_assert_str_eq(d.items[0].message, "empty file: a program starts with `program \"name\"`");
	parse("# only a comment\n\n");
	cr_assert_eq(d.count, 2);
	cr_assert_eq(d.items[1].code, DIAG_E0109);
}

Test(parser, first_declaration_must_be_a_header)
{
	ast_node *f = parse("use retail\nwallet points\n");
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0109);
	cr_assert_str_eq(d.items[0].message, "a program starts with its header, not with `use`");
	cr_assert_str_eq(d.items[0].help, "start the file with `program \"my-program\"` (or `overlay ... extends ...`)");
	cr_assert_eq(d.items[0].sp.start, 0);
	cr_assert_eq(d.items[0].sp.end, 3);
	cr_assert_eq(ast_list_len(f->u.file.decls), 2, "the file is still read");
}

Test(parser, a_second_header_is_left_to_the_checker)
{
	ast_node *f = parse("program \"a\"\nwallet points\nprogram \"b\"\n");
	cr_assert_eq(d.count, 0);
	cr_assert_eq(f->u.file.decls->next->next->kind, AST_PROGRAM);
}

Test(parser, file_too_large)
{
	size_t n = (16u << 20) + 1;
	char *big = malloc(n);
	memset(big, ' ', n);
	memcpy(big, "program \"t\"", 11);
	ast_node *f = parse_len(big, n);
	free(big);
	cr_assert_null(f->u.file.decls);
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0108);
}

/* ---- robustness ---- */

static char *repeat(const char *head, const char *unit, int times, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * (size_t)times + tl + 1);
	memcpy(s, head, hl);
	for (int i = 0; i < times; i++)
		memcpy(s + hl + ul * (size_t)i, unit, ul);
	memcpy(s + hl + ul * (size_t)times, tail, tl + 1);
	return s;
}

static uint32_t count_code(diag_code c)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < d.count; i++)
		n += d.items[i].code == c;
	return n;
}

Test(parser, ten_thousand_parentheses)
{
	char *s = repeat("program \"t\"\nparam p = ", "(", 10000, "1");
	parse(s);
	free(s);
	cr_assert_eq(count_code(DIAG_E0106), 1, "%s", rendered());
}

Test(parser, ten_thousand_balanced_parentheses)
{
	char *open = repeat("program \"t\"\nparam p = ", "(", 10000, "1");
	char *s = repeat(open, ")", 10000, "\nwallet points\n");
	ast_node *f = parse(s);
	free(open);
	free(s);
	cr_assert_eq(d.count, 1, "%s", rendered());
	cr_assert_eq(d.items[0].code, DIAG_E0106);
	cr_assert_eq(f->u.file.decls->next->next->kind, AST_WALLET, "reading goes on after the deep group");
}

Test(parser, ten_thousand_nots)
{
	char *s = repeat("program \"t\"\nparam p = ", "not ", 10000, "true\nwallet points\n");
	parse(s);
	free(s);
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0106);
}

Test(parser, past_the_limit_the_expression_is_one_error_node)
{
	char *s = repeat("program \"t\"\nparam p = ", "not ", 10000, "true\n");
	ast_node *f = parse(s);
	free(s);
	ast_node *v = f->u.file.decls->next->u.arg.value;
	cr_assert_eq(v->kind, AST_ERROR, "not a chain of 9,800 `not` above an error");
}

Test(parser, a_long_flat_sum_is_fine)
{
	char *s = repeat("program \"t\"\nparam p = 1", " + 1", PARSE_MAX_TREE_DEPTH - 10, "\n");
	ast_node *f = parse(s);
	free(s);
	cr_assert_eq(d.count, 0, "%s", rendered());
	cr_assert_eq(f->u.file.decls->next->u.arg.value->kind, AST_BINARY);
}

Test(parser, a_too_long_sum_is_cut)
{
	char *s = repeat("program \"t\"\nparam p = 1", " + 1", 20000, "\n");
	parse(s);
	free(s);
	cr_assert_eq(d.count, 1);
	cr_assert_eq(d.items[0].code, DIAG_E0106);
}

Test(parser, ten_thousand_nested_types)
{
	char *s = repeat("program \"t\"\nevent e { x: ", "list of ", 10000, "count }\n");
	parse(s);
	free(s);
	cr_assert_eq(count_code(DIAG_E0106), 1);
}

Test(parser, random_bytes_never_crash)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	char buf[4096];
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + (size_t)(round * 37 % 4000);
		for (size_t i = 0; i < n; i++) {
			x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
			buf[i] = (char)((x * 0x2545F4914F6CDD1Dull) >> 56);
		}
		ast_node *f = parse_len(buf, n);
		cr_assert_not_null(f);
		cr_assert_gt(d.errors + d.dropped, 0);
		diag_release(&d);
		diag_init(&d, &a);
	}
}

Test(parser, random_tokens_never_crash)
{
	static const char *const words[] = {
		"program", "\"p\"", "rule", "\"r\"", "on", "purchase", "where", "award", "points", "times", "when",
		"limit", "per", "day", "{", "}", "(", ")", ",", ":", "=", "+", "not", "in", "last", "30", "days",
		"tiers", "at", "hold", "mission", "step", "reward", "group", "keep", "best", "1.5", "EUR", "earned",
		"count", "sum", "of", "#c\n", "\n", "2027-03-01", "once", "wallet", "override", "streak", "every",
	};
	uint64_t x = 42;
	for (int round = 0; round < 300; round++) {
		char buf[2048];
		size_t len = 0;
		for (int w = 0; w < 120; w++) {
			x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
			const char *s = words[(x * 0x2545F4914F6CDD1Dull >> 33) % (sizeof words / sizeof words[0])];
			size_t l = strlen(s);
			memcpy(buf + len, s, l);
			len += l;
			buf[len++] = ' ';
		}
		parse_len(buf, len);
		cr_assert_leq(d.count, DIAG_MAX_ERRORS + 1);
		diag_release(&d);
		diag_init(&d, &a);
	}
}

Test(parser, node_ids_are_dense)
{
	uint32_t before = next_id;
	ast_node *f = parse("program \"t\"\nrule \"a\" on purchase: award 1 points\n");
	cr_assert_eq(f->id, next_id - 1, "the file node comes last");
	cr_assert_geq(f->u.file.decls->id, before);
}

Test(parser, spans)
{
	ast_node *f = parse("program \"t\"\nrule \"a\" on purchase where x = 1:\n  award 1 points\n");
	ast_node *r = f->u.file.decls->next;
	cr_assert_eq(r->sp.start, 12);
	cr_assert_eq(r->sp.end, 12 + 34 + 16);
	ast_node *w = r->u.rule.trigger->u.trig.where;
	cr_assert_eq(w->sp.start, 12 + 27);
	cr_assert_eq(w->sp.end, 12 + 32);
}
