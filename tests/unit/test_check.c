/* test_check.c — unit tests of the checker (compiler/check*.c, types.c).
 *
 * The trees are built by hand, as the parser would build them, so these tests
 * pin the checker alone: which diagnostics each construct gives, the types
 * and references in the side tables, robustness on broken trees, and speed.
 * Spans are left empty (the text cases in tests/lang pin the rendering). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "diag.h"
#include "source.h"
#include "types.h"

static arena A;
static source_set S;
static diag_list D;
static uint32_t ids;

static void setup(void)
{
	arena_init(&A);
	source_set_init(&S, &A);
	diag_init(&D, &A);
	ids = 0;
	source_add(&S, "test.ludic", "", 0);
}

static void teardown(void)
{
	diag_release(&D);
	arena_free(&A);
}

TestSuite(check, .init = setup, .fini = teardown);

/* ---- building trees ---- */

static ast_node *mk(ast_kind k)
{
	return ast_new(&A, &ids, k, (span){0, 0, 0});
}

/* Chains the arguments (NULL-terminated) by `next`. */
static ast_node *seq(ast_node *first, ...)
{
	va_list ap;
	va_start(ap, first);
	ast_node *head = first, *tail = first;
	while (tail && tail->next)
		tail = tail->next;
	for (ast_node *n = va_arg(ap, ast_node *); n; n = va_arg(ap, ast_node *)) {
		if (!head)
			head = tail = n;
		else
			tail->next = n, tail = n;
		while (tail->next)
			tail = tail->next;
	}
	va_end(ap);
	return head;
}

static ast_node *str(const char *s)
{
	ast_node *n = mk(AST_STRING);
	n->u.str.s = s;
	return n;
}

static ast_node *nm(const char *s)
{
	ast_node *n = mk(AST_NAME);
	n->u.name.s = s;
	return n;
}

static ast_node *num(int64_t v)
{
	ast_node *n = mk(AST_INT);
	n->u.num.value = v;
	return n;
}

static ast_node *dec(int64_t scaled)
{
	ast_node *n = mk(AST_DECIMAL);
	n->u.num.value = scaled;
	return n;
}

static ast_node *pct(int64_t percent)
{
	ast_node *n = mk(AST_PERCENT);
	n->u.num.value = percent * 100;
	return n;
}

static ast_node *eur(int64_t units)
{
	ast_node *n = mk(AST_MONEY);
	n->u.money.minor = units * 100;
	memcpy(n->u.money.currency, "EUR", 4);
	return n;
}

static ast_node *money(int64_t units, const char *cur)
{
	ast_node *n = eur(units);
	memcpy(n->u.money.currency, cur, 4);
	return n;
}

static ast_node *dur(int64_t count, ast_unit unit)
{
	ast_node *n = mk(AST_DURATION);
	n->u.dur.count = count;
	n->u.dur.unit = unit;
	return n;
}

static ast_node *date(int64_t days)
{
	ast_node *n = mk(AST_DATE);
	n->u.num.value = days;
	return n;
}

static ast_node *bin(ast_op op, ast_node *l, ast_node *r)
{
	ast_node *n = mk(AST_BINARY);
	n->u.binary.op = op;
	n->u.binary.l = l;
	n->u.binary.r = r;
	return n;
}

static ast_node *not_(ast_node *e)
{
	ast_node *n = mk(AST_UNARY);
	n->u.unary.op = OP_NOT;
	n->u.unary.e = e;
	return n;
}

static ast_node *set(ast_node *items)
{
	ast_node *n = mk(AST_SET);
	n->u.list.items = items;
	return n;
}

static ast_node *call(const char *fn, ast_node *args)
{
	ast_node *n = mk(AST_CALL);
	n->u.call.fn = fn;
	n->u.call.args = args;
	return n;
}

static ast_node *agg(ast_agg fn, ast_node *value, ast_node *src, ast_node *where)
{
	ast_node *n = mk(AST_AGG);
	n->u.agg.fn = fn;
	n->u.agg.value = value;
	n->u.agg.src = src;
	n->u.agg.where = where;
	return n;
}

static ast_node *window(const char *event, ast_node *length)
{
	ast_node *n = mk(AST_WINDOW);
	n->u.window.event = nm(event);
	n->u.window.length = length;
	return n;
}

static ast_node *earned(const char *wallet, ast_node *window)
{
	ast_node *n = mk(AST_EARNED);
	n->u.earned.wallet = nm(wallet);
	n->u.earned.window = window;
	return n;
}

static ast_node *award(ast_node *amount, const char *wallet)
{
	ast_node *n = mk(AST_AWARD);
	n->u.award.amount = amount;
	n->u.award.wallet = nm(wallet);
	return n;
}

static ast_node *times(ast_node *factor, ast_node *cond)
{
	ast_node *n = mk(AST_MULTIPLIER);
	n->u.mult.factor = factor;
	n->u.mult.cond = cond;
	return n;
}

static ast_node *badge(const char *s)
{
	ast_node *n = mk(AST_GIVE_BADGE);
	n->u.str.s = s;
	return n;
}

static ast_node *limit(ast_node *amount, const char *wallet, ast_unit per)
{
	ast_node *n = mk(AST_LIMIT);
	n->u.limit.amount = amount;
	n->u.limit.wallet = wallet ? nm(wallet) : NULL;
	n->u.limit.per = per;
	return n;
}

static ast_node *once(void)
{
	return limit(NULL, NULL, UNIT_EVER);
}

static ast_node *on(const char *event, ast_node *where)
{
	ast_node *n = mk(AST_ON_EVENT);
	n->u.trig.event = nm(event);
	n->u.trig.where = where;
	return n;
}

static ast_node *rule_k(ast_rule_kind kind, const char *name, ast_node *trigger, ast_node *actions, ast_node *clauses)
{
	ast_node *n = mk(AST_RULE);
	n->u.rule.kind = kind;
	n->u.rule.name = str(name);
	n->u.rule.trigger = trigger;
	n->u.rule.actions = actions;
	n->u.rule.clauses = clauses;
	return n;
}

static ast_node *rule(const char *name, ast_node *trigger, ast_node *actions, ast_node *clauses)
{
	return rule_k(RULE_RULE, name, trigger, actions, clauses);
}

static ast_node *header(ast_kind k, const char *name, const char *base)
{
	ast_node *n = mk(k);
	n->u.program.name = str(name);
	n->u.program.base = base ? str(base) : NULL;
	return n;
}

static ast_node *use(const char *lib)
{
	ast_node *n = mk(AST_USE);
	n->u.str.s = lib;
	return n;
}

static ast_node *currency(const char *code)
{
	ast_node *n = mk(AST_CURRENCY);
	n->u.str.s = code;
	return n;
}

static ast_node *wallet(const char *name, bool staff, ast_node *expires, ast_node *pending)
{
	ast_node *n = mk(AST_WALLET);
	n->u.wallet.name = name;
	n->u.wallet.staff = staff;
	n->u.wallet.expires = expires;
	n->u.wallet.pending = pending;
	return n;
}

static ast_node *rung(const char *name, ast_node *at)
{
	ast_node *n = mk(AST_STEP_AT);
	n->u.rung.name = name;
	n->u.rung.at = at;
	return n;
}

static ast_node *tiers(const char *name, ast_node *metric, ast_node *rungs)
{
	ast_node *n = mk(AST_TIERS);
	n->u.ladder.name = name;
	n->u.ladder.metric = metric;
	n->u.ladder.rungs = rungs;
	return n;
}

static ast_node *param(const char *name, ast_node *value)
{
	ast_node *n = mk(AST_PARAM);
	n->u.arg.key = name;
	n->u.arg.value = value;
	return n;
}

static ast_node *arg(const char *key, ast_node *value)
{
	ast_node *n = mk(AST_ARG);
	n->u.arg.key = key;
	n->u.arg.value = value;
	return n;
}

static ast_node *badges(const char *a, const char *b)
{
	ast_node *n = mk(AST_BADGES);
	ast_node *x = mk(AST_BADGE_DECL), *y = b ? mk(AST_BADGE_DECL) : NULL;
	x->u.badge.name = str(a);
	if (y)
		y->u.badge.name = str(b);
	n->u.decl.items = seq(x, y, NULL);
	return n;
}

static ast_node *step(const char *name, const char *event, ast_node *where, ast_node *times_n)
{
	ast_node *n = mk(AST_STEP);
	n->u.step.name = str(name);
	n->u.step.event = nm(event);
	n->u.step.where = where;
	n->u.step.times = times_n;
	return n;
}

static ast_node *mission(const char *name, ast_node *steps, ast_node *reward)
{
	ast_node *n = mk(AST_MISSION);
	n->u.mission.name = str(name);
	n->u.mission.steps = steps;
	n->u.mission.reward = reward;
	return n;
}

static ast_node *variant(const char *name, int64_t percent, ast_node *changes)
{
	ast_node *n = mk(AST_VARIANT);
	n->u.variant.name = str(name);
	n->u.variant.share = pct(percent);
	n->u.variant.changes = changes;
	return n;
}

static ast_node *experiment(const char *name, ast_node *variants)
{
	ast_node *n = mk(AST_EXPERIMENT);
	n->u.experiment.name = str(name);
	n->u.experiment.variants = variants;
	return n;
}

static ast_node *file(ast_node *decls)
{
	ast_node *n = mk(AST_FILE);
	n->u.file.decls = decls;
	return n;
}

static ast_node *type_named(const char *name, ast_node *elem)
{
	ast_node *n = mk(AST_TYPE);
	n->u.type.name = name;
	n->u.type.elem = elem;
	return n;
}

static ast_node *fdecl(const char *name, ast_node *type, bool optional)
{
	ast_node *n = mk(AST_FIELD_DECL);
	n->u.fdecl.name = name;
	n->u.fdecl.type = type;
	n->u.fdecl.optional = optional;
	return n;
}

static ast_node *decl(ast_kind k, const char *name, ast_node *items)
{
	ast_node *n = mk(k);
	n->u.decl.name = name;
	n->u.decl.items = items;
	return n;
}

/* A small `library "retail"`: two enums, `line`, `purchase`, `return`, `visit`. */
static ast_node *retail(void)
{
	ast_node *ch = decl(AST_ENUM, "channel", seq(nm("store"), nm("web"), nm("app"), NULL));
	ast_node *co = decl(AST_ENUM, "checkout", seq(nm("till"), nm("self_checkout"), nm("click_collect"), NULL));
	ast_node *ra = decl(AST_ENUM, "return_action", seq(nm("refund"), nm("repair"), nm("resale"), NULL));
	ast_node *line = decl(AST_RECORD, "line",
		seq(fdecl("category", type_named("string", NULL), false),
		    fdecl("tags", type_named("list", type_named("string", NULL)), false),
		    fdecl("quantity", type_named("count", NULL), false), fdecl("price", type_named("money", NULL), false),
		    NULL));
	ast_node *purchase = decl(AST_EVENT, "purchase",
		seq(fdecl("lines", type_named("list", type_named("line", NULL)), false),
		    fdecl("total", type_named("money", NULL), false), fdecl("channel", type_named("channel", NULL), false),
		    fdecl("checkout", type_named("checkout", NULL), false), fdecl("store", type_named("string", NULL), false),
		    fdecl("staff", type_named("string", NULL), true), fdecl("pickup", type_named("duration", NULL), true),
		    NULL));
	ast_node *ret = decl(AST_EVENT, "return",
		seq(fdecl("action", type_named("return_action", NULL), false), fdecl("value", type_named("money", NULL), false),
		    NULL));
	ast_node *visit = decl(AST_EVENT, "visit", seq(fdecl("store", type_named("string", NULL), false), NULL));
	ast_node *review = decl(AST_EVENT, "review", seq(fdecl("rating", type_named("count", NULL), false), NULL));
	return file(seq(header(AST_LIBRARY, "retail", NULL), ch, co, ra, line, purchase, ret, visit, review, NULL));
}

/* The usual top of a program: header, `use retail`, a wallet, a ladder. */
static ast_node *prelude(const char *name)
{
	return seq(header(AST_PROGRAM, name, NULL), use("retail"), wallet("points", false, dur(12, UNIT_MONTH), NULL),
		   tiers("status", earned("points", dur(365, UNIT_DAY)),
			 seq(rung("bronze", num(0)), rung("silver", num(500)), rung("gold", num(2000)), NULL)),
		   NULL);
}

static chk_result *R;

static chk_result *check_files(ast_node **files, uint32_t n)
{
	ast_node *libs[1] = {retail()};
	R = chk_check(&A, &D, &S, libs, 1, files, n, ids);
	return R;
}

/* Checks one program made of the prelude and `decls`. */
static chk_result *check_prog(ast_node *decls)
{
	ast_node *f = file(seq(prelude("t"), decls, NULL));
	return check_files(&f, 1);
}

static const diag *first(diag_code code)
{
	for (uint32_t i = 0; i < D.count; i++)
		if (D.items[i].code == code)
			return &D.items[i];
	return NULL;
}

/* Fails with every diagnostic listed unless exactly the codes given (in any
 * order, with repeats) were reported. */
static void expect(diag_code code, ...)
{
	uint32_t want[64], n = 0;
	va_list ap;
	va_start(ap, code);
	for (int c = (int)code; c >= 0; c = va_arg(ap, int))
		want[n++] = (uint32_t)c;
	va_end(ap);
	bool ok = n == D.count;
	for (uint32_t i = 0; ok && i < D.count; i++) {
		bool found = false;
		for (uint32_t k = 0; k < n && !found; k++)
			if (want[k] == D.items[i].code) {
				want[k] = UINT32_MAX;
				found = true;
			}
		ok = found;
	}
	if (!ok) {
		for (uint32_t i = 0; i < D.count; i++)
			cr_log_error("got %s: %s (help: %s)", diag_code_name(D.items[i].code), D.items[i].message,
				     D.items[i].help ? D.items[i].help : "-");
		cr_assert_fail("unexpected diagnostics (%u)", D.count);
	}
}
#define NONE (-1)
#define EXPECT(...) expect(__VA_ARGS__, NONE)

static void expect_clean(void)
{
	if (D.count) {
		for (uint32_t i = 0; i < D.count; i++)
			cr_log_error("got %s: %s", diag_code_name(D.items[i].code), D.items[i].message);
		cr_assert_fail("expected no diagnostics, got %u", D.count);
	}
}

static void help_has(diag_code code, const char *text)
{
	const diag *g = first(code);
	cr_assert_not_null(g, "no %s", diag_code_name(code));
	cr_assert_not_null(g->help, "%s has no help", diag_code_name(code));
	cr_assert(strstr(g->help, text), "help of %s is \"%s\", wanted \"%s\"", diag_code_name(code), g->help, text);
}

static void message_has(diag_code code, const char *text)
{
	const diag *g = first(code);
	cr_assert_not_null(g, "no %s", diag_code_name(code));
	cr_assert(strstr(g->message, text), "message of %s is \"%s\", wanted \"%s\"", diag_code_name(code), g->message,
		  text);
}

static const char *type_name(const ast_node *n)
{
	static char buf[128];
	cr_assert_lt(n->id, R->node_count);
	return ty_format(buf, sizeof buf, R->types[n->id]);
}

/* ---- clean programs ---- */

Test(check, clean_program_has_no_diagnostics)
{
	ast_node *base = bin(OP_DIV, nm("total"), eur(1));
	check_prog(seq(rule("Base earn", on("purchase", NULL),
			    award(base, "points"), NULL),
		       rule("Welcome", on("visit", NULL), award(num(10), "points"), once()), NULL));
	expect_clean();
	cr_assert_str_eq(type_name(base), "number");
	cr_assert(R->ok);
	cr_assert_eq(R->nrules, 2);
	cr_assert_str_eq(R->rules[0]->event->name, "purchase");
}

Test(check, types_of_units)
{
	ast_node *sum = agg(AGG_SUM, nm("price"), nm("lines"), bin(OP_EQ, nm("category"), str("garden")));
	ast_node *cnt = agg(AGG_COUNT, NULL, window("purchase", dur(30, UNIT_DAY)), NULL);
	ast_node *bal = bin(OP_GE, call("balance", nm("points")), num(100));
	ast_node *pts = bin(OP_SUB, num(500), earned("points", dur(365, UNIT_DAY)));
	ast_node *where = bin(OP_AND, bin(OP_GE, sum, eur(80)), bin(OP_AND, bin(OP_GE, cnt, num(2)), bal));
	check_prog(rule("R", on("purchase", where), award(bin(OP_MUL, num(2), pts), "points"), limit(num(1), NULL, UNIT_DAY)));
	expect_clean();
	cr_assert_str_eq(type_name(sum), "money (EUR)");
	cr_assert_str_eq(type_name(cnt), "count");
	cr_assert_str_eq(type_name(bal), "true/false");
	cr_assert_str_eq(type_name(pts), "points of wallet `points`");
	cr_assert_str_eq(type_name(cnt->u.agg.src), "list of purchase");
}

Test(check, enum_member_wins_over_a_field_of_the_same_name)
{
	/* `store` is a field of purchase and a choice of channel */
	ast_node *cmp = bin(OP_EQ, nm("channel"), nm("store"));
	check_prog(rule("R", on("purchase", cmp), award(num(1), "points"), limit(num(1), NULL, UNIT_DAY)));
	expect_clean();
	cr_assert_eq(R->refs[cmp->u.binary.r->id].kind, CHK_REF_ENUM_MEMBER);
	cr_assert_eq(R->refs[cmp->u.binary.r->id].index, 0);
	cr_assert_eq(R->refs[cmp->u.binary.l->id].kind, CHK_REF_EVENT_FIELD);
	cr_assert_eq(R->values[cmp->u.binary.r->id].kind, CHK_VAL_ENUM);
}

Test(check, member_on_the_left_is_resolved_from_the_right)
{
	ast_node *cmp = bin(OP_EQ, nm("app"), nm("channel"));
	check_prog(rule("R", on("purchase", cmp), award(num(1), "points"), limit(num(1), NULL, UNIT_DAY)));
	expect_clean();
	cr_assert_eq(R->refs[cmp->u.binary.l->id].kind, CHK_REF_ENUM_MEMBER);
}

Test(check, ladder_compares_with_its_rungs)
{
	ast_node *m = times(dec(15000), bin(OP_GE, nm("status"), nm("silver")));
	ast_node *a = award(bin(OP_DIV, nm("total"), eur(1)), "points");
	a->u.award.mults = m;
	check_prog(rule("R", on("purchase", NULL), a, NULL));
	expect_clean();
	const ast_node *lhs = m->u.mult.cond->u.binary.l, *rhs = m->u.mult.cond->u.binary.r;
	cr_assert_eq(R->refs[lhs->id].kind, CHK_REF_LADDER);
	cr_assert_eq(R->refs[rhs->id].kind, CHK_REF_RUNG);
	cr_assert_eq(R->refs[rhs->id].index, 1);
	cr_assert_str_eq(type_name(lhs), "tier of `status`");
}

/* ---- names ---- */

Test(check, unknown_tier_name_gets_a_suggestion)
{
	check_prog(rule("R", on("purchase", bin(OP_GE, nm("status"), nm("silvr"))), award(num(5), "points"),
			limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0201);
	help_has(DIAG_E0201, "did you mean `silver`?");
}

Test(check, unknown_name_gets_a_suggestion_among_fields)
{
	check_prog(rule("R", on("purchase", bin(OP_GE, nm("totl"), eur(5))), award(num(5), "points"),
			limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0201);
	help_has(DIAG_E0201, "did you mean `total`?");
}

Test(check, field_of_another_event_is_explained)
{
	check_prog(rule("R", on("visit", bin(OP_GE, nm("total"), eur(5))), award(num(5), "points"),
			limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0201);
	help_has(DIAG_E0201, "`total` is a field of `purchase`, but here the event is `visit`");
}

Test(check, unknown_choice_gets_a_suggestion)
{
	check_prog(rule("R", on("purchase", bin(OP_IN, nm("checkout"), set(seq(nm("till"), nm("self_chekout"), NULL)))),
			award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0207);
	help_has(DIAG_E0207, "did you mean `self_checkout`?");
}

Test(check, event_without_use_retail_says_how_to_get_it)
{
	ast_node *f = file(seq(header(AST_PROGRAM, "t", NULL), wallet("points", false, NULL, NULL),
			       rule("R", on("purchase", NULL), award(num(1), "points"), once()), NULL));
	check_files(&f, 1);
	EXPECT(DIAG_E0202);
	help_has(DIAG_E0202, "add `use retail` at the top to get the standard retail events");
}

Test(check, unknown_event_wallet_badge_library)
{
	ast_node *f = file(seq(prelude("t"), use("retale"), badges("explorer", NULL),
			       rule("R", on("purchse", NULL), award(num(1), "points"), once()),
			       rule("S", on("visit", NULL), seq(award(num(1), "pionts"), badge("explorr"), NULL), once()),
			       NULL));
	check_files(&f, 1);
	EXPECT(DIAG_E0211, DIAG_E0202, DIAG_E0203, DIAG_E0204); /* no W0504 while there are errors */
	help_has(DIAG_E0211, "did you mean `retail`?");
	help_has(DIAG_E0202, "did you mean `purchase`?");
	help_has(DIAG_E0203, "did you mean `points`?");
	help_has(DIAG_E0204, "did you mean \"explorer\"?");
}

Test(check, defined_twice_points_at_the_first)
{
	check_prog(seq(wallet("points", false, NULL, NULL), rule("R", on("visit", NULL), award(num(1), "points"), once()),
		       rule("R", on("visit", NULL), award(num(2), "points"), once()), NULL));
	EXPECT(DIAG_E0206, DIAG_E0206);
	cr_assert(first(DIAG_E0206)->has_note);
}

Test(check, unknown_field_function_type)
{
	ast_node *fld = mk(AST_FIELD);
	fld->u.field.obj = nm("lines");
	fld->u.field.name = "price";
	ast_node *rec = mk(AST_FIELD);
	ast_node *ev = decl(AST_EVENT, "survey", seq(fdecl("score", type_named("cuont", NULL), false), NULL));
	rec->u.field.obj = nm("x");
	check_prog(seq(ev, rule("R", on("purchase", bin(OP_GT, call("flor", bin(OP_DIV, nm("total"), eur(1))), num(3))),
				award(num(1), "points"), once()),
		       rule("S", on("purchase", bin(OP_GT, fld, eur(3))), award(num(1), "points"), once()), NULL));
	EXPECT(DIAG_E0208, DIAG_E0210, DIAG_E0309);
	help_has(DIAG_E0208, "did you mean `floor`?");
	help_has(DIAG_E0210, "did you mean `count`?");
}

/* ---- units ---- */

Test(check, money_needs_its_currency)
{
	check_prog(rule("R", on("purchase", bin(OP_GE, nm("total"), num(50))), award(num(5), "points"),
			limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0302);
	help_has(DIAG_E0302, "write the amount with its currency: `50 EUR`");
}

Test(check, currencies_do_not_mix)
{
	check_prog(rule("R", on("purchase", bin(OP_GE, nm("total"), money(50, "USD"))), award(num(5), "points"),
			limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0303);
	help_has(DIAG_E0303, "counts money in EUR");
}

Test(check, money_cannot_be_awarded)
{
	check_prog(rule("R", on("purchase", NULL), award(nm("total"), "points"), NULL));
	EXPECT(DIAG_E0306);
	message_has(DIAG_E0306, "money cannot be awarded as points");
	help_has(DIAG_E0306, "/ 1 EUR");
}

Test(check, wallets_do_not_mix)
{
	check_prog(seq(wallet("eco", false, NULL, NULL),
		       rule("R", on("purchase", NULL), seq(award(call("balance", nm("eco")), "points"), award(num(1), "eco"), NULL),
			    once()),
		       NULL));
	EXPECT(DIAG_E0302);
}

Test(check, arithmetic_rules)
{
	/* money/money -> number, money*number -> money, count/count -> number */
	ast_node *a = bin(OP_DIV, nm("total"), eur(5));
	ast_node *b = bin(OP_MUL, nm("total"), dec(15000));
	ast_node *c = bin(OP_DIV, agg(AGG_COUNT, NULL, nm("lines"), NULL), num(2));
	ast_node *d = bin(OP_ADD, nm("total"), num(5)); /* E0302 */
	ast_node *e = bin(OP_ADD, nm("pickup"), dur(1, UNIT_HOUR));
	check_prog(rule("R", on("purchase", bin(OP_AND, bin(OP_GT, b, eur(1)), bin(OP_GT, d, eur(1)))),
			seq(award(a, "points"), award(c, "points"), NULL),
			limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0302);
	cr_assert_str_eq(type_name(a), "number");
	cr_assert_str_eq(type_name(b), "money (EUR)");
	cr_assert_str_eq(type_name(c), "number");
	(void)e;
}

Test(check, division_by_zero_and_negative_award)
{
	check_prog(rule("R", on("purchase", NULL), seq(award(bin(OP_DIV, nm("total"), eur(0)), "points"),
						     award(num(-5), "points"), NULL),
			once()));
	EXPECT(DIAG_E0307, DIAG_E0312);
	help_has(DIAG_E0312, "debit");
}

Test(check, conditions_must_be_true_or_false)
{
	check_prog(rule("R", on("purchase", nm("total")), award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0304);
	help_has(DIAG_E0304, "compare it with an amount");
}

Test(check, history_window_only_in_an_aggregate)
{
	check_prog(rule("R", on("purchase", bin(OP_GT, window("purchase", dur(30, UNIT_DAY)), num(2))),
			award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0311);
}

Test(check, windows_are_whole_days_within_three_years)
{
	check_prog(rule("R", on("purchase", bin(OP_AND, bin(OP_GT, agg(AGG_COUNT, NULL, window("purchase", dur(5, UNIT_YEAR)), NULL), num(2)),
						bin(OP_GT, agg(AGG_COUNT, NULL, window("purchase", dur(12, UNIT_HOUR)), NULL), num(2)))),
			award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0405, DIAG_E0406);
	help_has(DIAG_E0405, "3 years");
}

Test(check, in_needs_a_list_and_limits_need_whole_numbers)
{
	check_prog(rule("R", on("purchase", bin(OP_IN, str("x"), nm("total"))), award(num(5), "points"),
			limit(dec(15000), NULL, UNIT_DAY)));
	EXPECT(DIAG_E0310, DIAG_E0308);
}

Test(check, wrong_number_of_arguments)
{
	check_prog(rule("R", on("purchase", NULL), award(call("floor", seq(num(1), num(2), NULL)), "points"), once()));
	EXPECT(DIAG_E0305);
}

/* ---- contradictions ---- */

Test(check, step_with_contradiction_is_unreachable)
{
	ast_node *w = bin(OP_AND, bin(OP_EQ, nm("channel"), nm("app")), bin(OP_EQ, nm("channel"), nm("web")));
	check_prog(seq(badges("explorer", NULL),
		       mission("M", seq(step("First", "purchase", NULL, NULL), step("Both", "purchase", w, NULL), NULL),
			       seq(award(num(200), "points"), badge("explorer"), NULL)),
		       NULL));
	EXPECT(DIAG_E0401);
}

Test(check, zero_times_step_is_unreachable)
{
	check_prog(mission("M", step("Visits", "visit", NULL, num(0)), award(num(200), "points")));
	EXPECT(DIAG_E0401);
}

Test(check, interval_contradiction_is_reported)
{
	check_prog(rule("R", on("purchase", bin(OP_AND, bin(OP_GT, nm("total"), eur(100)), bin(OP_LT, nm("total"), eur(50)))),
			award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_W0502);
}

/* Conditions that can be true: no warning may be given. Built afresh for
 * each run, since every run starts a new arena. */
static ast_node *satisfiable(int i)
{
	switch (i) {
	case 0: return bin(OP_OR, bin(OP_GT, nm("total"), eur(100)), bin(OP_LT, nm("total"), eur(50)));
	case 1: return bin(OP_AND, bin(OP_GE, nm("total"), eur(50)), bin(OP_LE, nm("total"), eur(50)));
	case 2: return bin(OP_AND, bin(OP_IN, nm("channel"), set(seq(nm("app"), nm("web"), NULL))),
			   bin(OP_NE, nm("channel"), nm("app")));
	/* an absent optional field makes both comparisons false, so both `not`s true */
	case 3: return bin(OP_AND, not_(bin(OP_GT, nm("pickup"), dur(2, UNIT_HOUR))),
			   not_(bin(OP_LE, nm("pickup"), dur(2, UNIT_HOUR))));
	case 4: return bin(OP_AND, bin(OP_GT, agg(AGG_COUNT, NULL, nm("lines"), NULL), num(3)),
			   bin(OP_LT, agg(AGG_COUNT, NULL, nm("lines"), NULL), num(2)));
	case 5: return bin(OP_AND, bin(OP_GE, nm("status"), nm("silver")), bin(OP_LE, nm("status"), nm("silver")));
	case 6: return bin(OP_AND, not_(bin(OP_EQ, nm("channel"), nm("app"))), bin(OP_IN, nm("channel"), set(seq(nm("app"), nm("store"), NULL))));
	case 7: return bin(OP_AND, bin(OP_GT, nm("total"), eur(10)), bin(OP_NE, nm("total"), eur(11)));
	default: return NULL;
	}
}

Test(check, satisfiable_conditions_are_not_reported)
{
	for (int i = 0; satisfiable(i); i++) {
		teardown();
		setup();
		check_prog(rule("R", on("purchase", satisfiable(i)), award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)));
		if (D.count)
			cr_log_error("condition %d", i);
		expect_clean();
	}
}

Test(check, whole_counts_between_bounds)
{
	/* a count cannot be > 3 and < 4 */
	check_prog(rule("R", on("purchase", bin(OP_AND, bin(OP_GT, agg(AGG_COUNT, NULL, nm("lines"), NULL), num(3)),
						bin(OP_LT, agg(AGG_COUNT, NULL, nm("lines"), NULL), num(4)))),
			award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)));
	expect_clean(); /* aggregates are opaque: never claimed */
	teardown();
	setup();
	ast_node *q = bin(OP_AND, bin(OP_GT, nm("quantity"), num(3)), bin(OP_LT, nm("quantity"), num(4)));
	check_prog(rule("R", on("purchase", agg(AGG_ANY, NULL, nm("lines"), q)), award(num(5), "points"),
			limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_W0502);
}

Test(check, always_true_condition)
{
	check_prog(rule("R", on("purchase", bin(OP_OR, bin(OP_EQ, nm("channel"), nm("app")), bin(OP_NE, nm("channel"), nm("app")))),
			award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)));
	EXPECT(DIAG_W0503);
}

Test(check, params_are_not_taken_as_fixed_by_the_analysis)
{
	/* an experiment may change the param: `x > 3` is not "always false" */
	check_prog(seq(param("x", num(1)),
		       rule("R", on("purchase", bin(OP_GT, nm("x"), num(3))), award(num(5), "points"), limit(num(1), NULL, UNIT_DAY)),
		       NULL));
	expect_clean();
}

/* ---- mechanics ---- */

Test(check, experiment_split)
{
	check_prog(seq(param("bonus", num(5)),
		       rule("R", on("purchase", NULL), award(nm("bonus"), "points"), limit(num(1), NULL, UNIT_DAY)),
		       experiment("E", seq(variant("a", 50, NULL), variant("b", 40, arg("bonus", num(8))), variant("c", 0, NULL), NULL)),
		       NULL));
	EXPECT(DIAG_E0402, DIAG_W0505);
	help_has(DIAG_E0402, "give the missing 10% to a variant");
}

Test(check, variant_changes_a_param_with_the_right_type)
{
	check_prog(seq(param("bonus", num(5)),
		       rule("R", on("purchase", NULL), award(nm("bonus"), "points"), limit(num(1), NULL, UNIT_DAY)),
		       experiment("E", seq(variant("a", 50, arg("bonus", eur(8))), variant("b", 50, arg("bonsu", num(8))), NULL)),
		       NULL));
	EXPECT(DIAG_E0302, DIAG_E0201);
	help_has(DIAG_E0201, "did you mean `bonus`?");
}

Test(check, ladder_thresholds)
{
	ast_node *f = file(seq(header(AST_PROGRAM, "t", NULL), use("retail"), wallet("points", false, NULL, NULL),
			       tiers("status", earned("points", NULL),
				     seq(rung("bronze", num(100)), rung("silver", num(500)), rung("gold", num(400)), NULL)),
			       rule("R", on("visit", NULL), award(num(1), "points"), once()), NULL));
	check_files(&f, 1);
	EXPECT(DIAG_W0506, DIAG_E0404);
}

Test(check, money_ladder_needs_money_thresholds)
{
	ast_node *metric = agg(AGG_SUM, nm("total"), window("purchase", dur(12, UNIT_MONTH)), NULL);
	ast_node *f = file(seq(header(AST_PROGRAM, "t", NULL), use("retail"), wallet("points", false, NULL, NULL),
			       tiers("club", metric, seq(rung("member", eur(0)), rung("insider", num(300)), NULL)),
			       rule("R", on("visit", NULL), award(num(1), "points"), once()), NULL));
	check_files(&f, 1);
	EXPECT(DIAG_E0302);
	help_has(DIAG_E0302, "`300 EUR`");
	cr_assert_str_eq(type_name(metric), "money (EUR)");
}

Test(check, repeatable_fixed_reward_without_cap)
{
	check_prog(seq(rule("Share", on("visit", NULL), award(num(2), "points"), NULL),
		       rule("Spend", on("purchase", NULL), award(bin(OP_DIV, nm("total"), eur(1)), "points"), NULL), NULL));
	EXPECT(DIAG_W0501);
	help_has(DIAG_W0501, "add `limit 1 per day`");
}

Test(check, limits_that_can_never_be_reached)
{
	check_prog(seq(rule("A", on("visit", NULL), award(num(2), "points"), seq(once(), limit(num(1), NULL, UNIT_DAY), NULL)),
		       rule("B", on("visit", NULL), award(num(2), "points"),
			    seq(limit(num(1), NULL, UNIT_MONTH), limit(num(5), NULL, UNIT_WEEK), NULL)),
		       rule("C", on("visit", NULL), award(num(2), "points"),
			    seq(limit(num(1), NULL, UNIT_DAY), limit(num(100), "points", UNIT_DAY), NULL)),
		       /* reachable: 1 a day can reach 3 a week */
		       rule("D", on("visit", NULL), award(num(2), "points"),
			    seq(limit(num(1), NULL, UNIT_DAY), limit(num(3), NULL, UNIT_WEEK), NULL)),
		       NULL));
	EXPECT(DIAG_W0509, DIAG_W0509, DIAG_W0509);
}

Test(check, rounding_a_whole_amount)
{
	ast_node *a = award(num(10), "points");
	a->u.award.rounding = ROUND_UP;
	ast_node *b = award(bin(OP_DIV, nm("total"), eur(1)), "points");
	b->u.award.rounding = ROUND_NEAREST;
	check_prog(rule("R", on("purchase", NULL), seq(a, b, NULL), once()));
	EXPECT(DIAG_W0508);
}

Test(check, staff_and_customer_wallets)
{
	check_prog(seq(wallet("kudos", true, NULL, NULL),
		       rule_k(RULE_QUEST, "Q1", on("purchase", NULL), award(num(1), "kudos"), limit(num(5), NULL, UNIT_DAY)),
		       rule_k(RULE_QUEST, "Q2", on("review", NULL), award(num(1), "kudos"), limit(num(5), NULL, UNIT_DAY)),
		       rule_k(RULE_QUEST, "Q3", on("purchase", NULL), award(num(1), "points"), limit(num(5), NULL, UNIT_DAY)),
		       rule("R", on("purchase", NULL), award(num(1), "kudos"), limit(num(5), NULL, UNIT_DAY)), NULL));
	EXPECT(DIAG_E0407, DIAG_E0407, DIAG_E0407);
}

Test(check, period_and_streak)
{
	ast_node *r = rule("R", on("visit", NULL), award(num(1), "points"), once());
	r->u.rule.from = date(100);
	r->u.rule.until = date(50);
	ast_node *s = mk(AST_STREAK);
	s->u.streak.name = str("S");
	s->u.streak.event = nm("purchase");
	s->u.streak.every = UNIT_WEEK;
	s->u.streak.length = dur(10, UNIT_DAY);
	s->u.streak.actions = award(num(50), "points");
	ast_node *s2 = mk(AST_STREAK);
	s2->u.streak.name = str("S2");
	s2->u.streak.event = nm("purchase");
	s2->u.streak.every = UNIT_WEEK;
	s2->u.streak.length = dur(4, UNIT_WEEK);
	s2->u.streak.grace = dur(4, UNIT_WEEK);
	s2->u.streak.actions = award(num(50), "points");
	check_prog(seq(r, s, s2, NULL));
	EXPECT(DIAG_E0408, DIAG_E0409, DIAG_E0409);
	help_has(DIAG_E0409, "`1 week` or `2 weeks`");
}

Test(check, mission_without_steps)
{
	check_prog(mission("M", NULL, award(num(10), "points")));
	EXPECT(DIAG_E0410);
}

Test(check, settings_and_headers)
{
	ast_node *f = file(seq(prelude("t"), currency("EUR"), currency("GBP"), currency("XYZ"),
			       header(AST_PROGRAM, "again", NULL),
			       rule("R", on("visit", NULL), award(num(1), "points"), once()), NULL));
	check_files(&f, 1);
	EXPECT(DIAG_E0412, DIAG_E0412, DIAG_E0412);
}

Test(check, wallet_pending_longer_than_expiry)
{
	check_prog(seq(wallet("eco", false, dur(10, UNIT_DAY), dur(2, UNIT_WEEK)),
		       rule("R", on("visit", NULL), seq(award(num(1), "eco"), award(num(1), "points"), NULL), once()), NULL));
	EXPECT(DIAG_E0415);
}

Test(check, keep_best_group_needs_one_wallet)
{
	ast_node *g = mk(AST_GROUP);
	g->u.group.name = str("G");
	g->u.group.mode = GROUP_BEST;
	g->u.group.rules = seq(rule("A", on("visit", NULL), award(num(1), "points"), once()),
			       rule("B", on("visit", NULL), award(num(1), "eco"), once()), NULL);
	ast_node *g2 = mk(AST_GROUP);
	g2->u.group.name = str("G2");
	g2->u.group.mode = GROUP_FIRST;
	g2->u.group.rules = rule("C", on("visit", NULL), award(num(1), "points"), once());
	check_prog(seq(wallet("eco", false, NULL, NULL), g, g2, NULL));
	EXPECT(DIAG_E0414, DIAG_W0507);
	cr_assert_eq(R->ngroups, 2);
	cr_assert_eq(R->groups[0]->count, 2);
	cr_assert_eq(R->rules[1]->group, 0);
}

Test(check, declared_but_never_used)
{
	check_prog(seq(wallet("eco", false, NULL, NULL), badges("explorer", NULL), param("unused", num(1)),
		       rule("R", on("visit", NULL), award(num(1), "points"), once()), NULL));
	EXPECT(DIAG_W0504, DIAG_W0504, DIAG_W0504);
}

Test(check, statements_out_of_place)
{
	ast_node *r = rule("R", on("visit", NULL), award(num(1), "points"), once());
	r->u.rule.override = true;
	ast_node *dis = mk(AST_DISABLE);
	dis->u.str.s = "X";
	ast_node *lib = file(seq(header(AST_LIBRARY, "mine", NULL), NULL));
	ast_node *f = file(seq(prelude("t"), r, dis, NULL));
	ast_node *files[2] = {f, lib};
	check_files(files, 2);
	EXPECT(DIAG_E0413, DIAG_E0413, DIAG_E0413);
}

/* ---- overlays ---- */

static ast_node *base_program(void)
{
	return file(seq(prelude("base"), param("bonus", num(5)),
			rule("Base earn", on("purchase", NULL), award(bin(OP_DIV, nm("total"), eur(1)), "points"), NULL),
			rule("Zero wait", on("purchase", NULL), award(nm("bonus"), "points"), limit(num(1), NULL, UNIT_DAY)),
			NULL));
}

Test(check, overlay_sees_its_base)
{
	ast_node *ov = rule("Base earn", on("purchase", NULL), award(bin(OP_DIV, nm("total"), eur(2)), "points"), NULL);
	ov->u.rule.override = true;
	ast_node *dis = mk(AST_DISABLE);
	dis->u.str.s = "Zero wait";
	ast_node *o = file(seq(header(AST_OVERLAY, "north", "base"), param("bonus", num(10)), ov, dis,
			       rule("Rainy", on("visit", NULL), award(num(15), "points"), limit(num(1), NULL, UNIT_WEEK)), NULL));
	ast_node *files[2] = {base_program(), o};
	check_files(files, 2);
	expect_clean();
	const chk_unit *u = &R->units[2];
	cr_assert_eq(u->kind, CHK_UNIT_OVERLAY);
	cr_assert_eq(u->base, 1);
	cr_assert_eq(u->ndisabled, 1);
	cr_assert_eq(u->nparam_changes, 1);
	cr_assert_eq(u->param_changes[0].constant.i, 10 * AST_DECIMAL_SCALE);
	const chk_rule *over = chk_find_rule(R, 2, "Base earn");
	cr_assert_not_null(over);
	cr_assert(over->override);
	cr_assert_eq(over->overrides, 0);
}

Test(check, overlay_changes_only_what_the_base_has)
{
	ast_node *ov = rule("Base ern", on("purchase", NULL), award(num(1), "points"), once());
	ov->u.rule.override = true;
	ast_node *dis = mk(AST_DISABLE);
	dis->u.str.s = "Zero wiat";
	ast_node *dup = rule("Zero wait", on("visit", NULL), award(num(1), "points"), once());
	ast_node *o = file(seq(header(AST_OVERLAY, "north", "base"), param("bonsu", num(10)), ov, dis, dup, NULL));
	ast_node *files[2] = {base_program(), o};
	check_files(files, 2);
	EXPECT(DIAG_E0403, DIAG_E0403, DIAG_E0403, DIAG_E0206);
	help_has(DIAG_E0206, "override");
}

Test(check, overlay_base_not_found)
{
	ast_node *o = file(seq(header(AST_OVERLAY, "north", "missing"), NULL));
	check_files(&o, 1);
	EXPECT(DIAG_E0411);
	help_has(DIAG_E0411, "together with its base program");
}

/* ---- robustness and speed ---- */

Test(check, broken_trees_do_not_crash)
{
	ast_node *err = mk(AST_ERROR);
	ast_node *r1 = rule("R1", NULL, NULL, NULL);
	ast_node *r2 = rule("R2", on("purchase", mk(AST_ERROR)), seq(award(NULL, "points"), award(mk(AST_ERROR), "points"), NULL),
			    limit(NULL, "points", UNIT_DAY));
	ast_node *m = mission("M", seq(step("S", "purchase", mk(AST_ERROR), NULL), mk(AST_ERROR), NULL), NULL);
	ast_node *b = bin(OP_AND, NULL, mk(AST_ERROR));
	ast_node *r3 = rule("R3", on("purchase", b), award(call("max", NULL), "points"), once());
	ast_node *t = tiers("t", NULL, seq(rung("a", NULL), rung("b", mk(AST_ERROR)), NULL));
	ast_node *x = experiment("E", seq(variant("a", 50, arg("nope", NULL)), NULL));
	ast_node *ag = rule("R4", on("purchase", agg(AGG_SUM, NULL, NULL, NULL)), NULL, NULL);
	check_prog(seq(err, r1, r2, m, r3, t, x, ag, NULL));
	cr_assert(D.errors > 0);
	ast_node *empty = file(NULL);
	teardown();
	setup();
	empty = file(NULL);
	check_files(&empty, 1);
}

Test(check, five_hundred_rules)
{
	ast_node *decls = NULL, *tail = NULL;
	char *names = arena_alloc(&A, 500 * 24);
	for (int i = 0; i < 500; i++) {
		char *name = names + i * 24;
		snprintf(name, 24, "rule %d", i);
		ast_node *where = bin(OP_AND, bin(OP_IN, nm("channel"), set(seq(nm("app"), nm("web"), NULL))),
				      bin(OP_GE, agg(AGG_SUM, nm("price"), nm("lines"), bin(OP_EQ, nm("category"), str("garden"))),
					  eur(40)));
		ast_node *a = award(bin(OP_DIV, nm("total"), eur(1)), "points");
		a->u.award.mults = times(dec(15000), bin(OP_GE, nm("status"), nm("silver")));
		ast_node *r = rule(name, on("purchase", where), a, limit(num(1), NULL, UNIT_WEEK));
		if (!decls)
			decls = tail = r;
		else
			tail->next = r, tail = r;
	}
	ast_node *f = file(seq(prelude("big"), decls, NULL));
	ast_node *libs[1] = {retail()};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	R = chk_check(&A, &D, &S, libs, 1, &f, 1, ids);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	expect_clean();
	/* The time is shown, not asserted: speed is measured by bench/check.sh
	 * (./do bench), not by tests on a shared machine. */
	double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	cr_log_info("500 rules checked in %.2f ms", ms);
	cr_assert_eq(R->nrules, 500);
}

/* ---- ludic dump --types ---- */

static char *dump(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	cr_assert_not_null(mem);
	chk_dump_types(mem, R, &S);
	fclose(mem);
	return out;
}

Test(check, dump_lists_declarations_then_typed_expressions)
{
	check_prog(seq(param("gift", num(5)),
		       rule("R", on("purchase", bin(OP_GE, nm("total"), eur(50))), award(bin(OP_DIV, nm("total"), eur(1)), "points"),
			    NULL),
		       rule("G", on("visit", NULL), award(nm("gift"), "points"), once()), NULL));
	expect_clean();
	char *a = dump(), *b = dump();
	cr_assert_str_eq(a, b, "the dump must be deterministic");
	cr_assert(strstr(a, "program \"t\""), "%s", a);
	cr_assert(strstr(a, "event purchase (from library retail)\n  id: string, implicit\n"), "%s", a);
	cr_assert(strstr(a, "  total: money\n"), "%s", a);
	cr_assert(strstr(a, "wallet points: points of wallet `points`, expires "), "%s", a);
	cr_assert(strstr(a, "tiers status on "), "%s", a);
	cr_assert(strstr(a, "param gift: whole number = "), "%s", a);
	cr_assert(strstr(a, "rule \"R\": on purchase\n"), "%s", a);
	cr_assert(strstr(a, "rule \"G\": on visit\n"), "%s", a);
	const char *ex = strstr(a, "expressions:\n");
	cr_assert_not_null(ex, "%s", a);
	cr_assert(strstr(ex, " : number\n"), "%s", a);
	cr_assert(strstr(ex, " : money (EUR)\n"), "%s", a);
	cr_assert(strstr(ex, " : true/false\n"), "%s", a);
	/* the library's declarations come before the program's, the expressions last */
	cr_assert_lt(strstr(a, "event purchase"), strstr(a, "wallet points"));
	cr_assert_lt(strstr(a, "rule \"G\""), ex);
	free(a);
	free(b);
}
