/* parser.y — the ludic grammar (docs/grammar.md), as a pure LALR(1) bison parser.
 *
 * Actions only build nodes (ast_new through the small mk_* helpers below) and
 * never check meaning: that is the checker's job. The helpers do the few
 * things a node cannot be built without — turning literal text into values
 * (number ranges, currency decimals) and keeping expression trees shallow
 * enough to walk recursively (E0106).
 *
 * Syntax errors: `parse.error custom` with LAC gives the exact set of tokens
 * that could have come next; yyreport_syntax_error() turns it into a message
 * in marketer words (E0105). Recovery happens at declaration level only
 * (`decl: error`): the parser skips to the next declaration keyword, and each
 * declaration keyword calls yyerrok so that every broken declaration is
 * reported once, and nothing after it is lost.
 *
 * Locations are byte spans (source.h); lines and columns are computed only
 * when a diagnostic is rendered.
 */
%define api.pure full
%define api.prefix {lx}
%define api.token.prefix {T_}
%define api.location.type {span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {yyscan_t scanner}

%code requires {
#include <stdbool.h>
#include <stdint.h>

#include "parse.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* The value of a literal or name token, as the lexer made it. */
typedef struct lex_lit {
	const char *text; /* as written (arena copy); STRING: the unescaped content */
	int64_t value;    /* INT: the value; DECIMAL, PERCENT: all digits without the point;
	                     DATE: days since 1970-01-01; TIMESTAMP: seconds since the epoch (UTC) */
	int places;       /* DECIMAL, PERCENT: digits after the point */
	bool bad;         /* already reported by the lexer: build a neutral node, say nothing more */
} lex_lit;

/* A list under construction: first and last node, so appending is O(1). */
typedef struct ast_list {
	ast_node *head; /* first node, NULL when empty */
	ast_node *tail; /* last node */
} ast_list;

/* Two optional nodes: `from D until D`, `within D of E`. */
typedef struct ast_pair {
	ast_node *a; /* first part or NULL */
	ast_node *b; /* second part or NULL */
} ast_pair;

/* Everything the lexer and the parser share while reading one source file.
 * Reached from the scanner with lxget_extra(). */
typedef struct parse_ctx {
	arena *a;               /* nodes and token text */
	uint32_t *next_id;      /* next node id of the compilation */
	uint32_t first_id;      /* id of the first node made by this parse */
	diag_list *d;           /* diagnostics */
	const source *src;      /* the text being read */

	/* lexer */
	uint32_t pos;           /* byte offset of the next unread byte */
	uint32_t open;          /* brackets `(` `{` currently open */
	uint32_t deep_start;    /* offset of the bracket that went past PARSE_MAX_DEPTH */
	uint32_t deep_open;     /* brackets open inside the group being skipped */
	uint32_t utf8_line;     /* last line given an E0103 (0: none), to say it once per line */
	int tok, prev_tok;      /* kinds of the last two tokens returned (lxtoken_kind_t) */
	span tok_sp, prev_sp;   /* and their spans */
	uint32_t tok_open;      /* `open` after the last token */

	/* parser */
	bool deep_reported;     /* E0106 given: once per file */
	bool lex_error;         /* a lexical error in the current declaration: skip its syntax error */
	bool aborted;           /* the parser gave up (stack exhausted) */
	bool in_error;          /* the last declaration added is an error node, and no new one has started */
	uint32_t stale_open;    /* brackets left open by the declaration that failed: the lexer drops their closers */
	ast_node *decls;        /* top-level declarations, in order */
	ast_node *decls_tail;   /* last of them */
	struct node_depth *depth; /* depths of node id first_id + i (malloc'd, grown on demand) */
	uint32_t depth_cap;     /* entries in depth */
} parse_ctx;

/* How deep an expression is, two ways: `nest` counts what is nested in the
 * text (operands of prefix operators, right operands, arguments; at most
 * PARSE_MAX_DEPTH), `tree` the levels of the tree, which a flat chain such
 * as `1 + 1 + ... + 1` also makes (at most PARSE_MAX_TREE_DEPTH). Past
 * either, E0106 and an error node: every later stage may walk expressions
 * recursively. */
struct node_depth {
	uint16_t nest; /* nesting in the text */
	uint16_t tree; /* depth of the tree */
};

/* Spans run from the first to the last symbol; an empty rule is a point at
 * the end of what came before. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                      \
	do {                                                             \
		if (N) {                                                 \
			(Cur).file = YYRHSLOC(Rhs, 1).file;              \
			(Cur).start = YYRHSLOC(Rhs, 1).start;            \
			(Cur).end = YYRHSLOC(Rhs, N).end;                \
		} else {                                                 \
			(Cur).file = YYRHSLOC(Rhs, 0).file;              \
			(Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;  \
		}                                                        \
	} while (0)
}

%code provides {
int lxlex(LXSTYPE *lval, span *lloc, yyscan_t scanner);
parse_ctx *lxget_extra(yyscan_t scanner);
/* The spelling of token kind `kind` (T_...) in messages: "award", ":",
 * "a name". */
const char *lex_token_spelling(int kind);
}

%code {
#include <stdlib.h>
#include <string.h>

/* Bison's stack: deep enough for PARSE_MAX_DEPTH brackets of any
 * expression, small enough that a pathological file cannot eat memory. */
#define YYMAXDEPTH 20000
#define YYINITDEPTH 256

static void lxerror(span *loc, yyscan_t scanner, const char *msg);

#define CTX (lxget_extra(scanner))

/* ---- node builders: the only things grammar actions call ---- */

static ast_node *mk(parse_ctx *c, ast_kind k, span sp)
{
	return ast_new(c->a, c->next_id, k, sp);
}

static struct node_depth depth_of(const parse_ctx *c, const ast_node *n)
{
	if (!n || n->id < c->first_id || n->id - c->first_id >= c->depth_cap)
		return (struct node_depth){0, 0};
	return c->depth[n->id - c->first_id];
}

/* E0106, once per file. */
static void report_deep(parse_ctx *c, span sp, bool chain)
{
	if (c->deep_reported)
		return;
	c->deep_reported = true;
	diag *g = chain ? diag_add(c->d, DIAG_E0106, sp, "expression too long: ludic reads at most %d operations in a row",
				   PARSE_MAX_TREE_DEPTH)
			: diag_add(c->d, DIAG_E0106, sp, "nesting too deep: ludic reads at most %d levels", PARSE_MAX_DEPTH);
	diag_help(g, c->d, "split it into shorter conditions, or into several rules");
}

/* Records the depths of `n` from its children: `flat` continues a chain at
 * the same level of nesting (the left operand of `+`, the object of
 * `.field`), `inner` is nested in it (up to two). Past a limit, reports
 * E0106 once and returns an error node instead. */
static ast_node *deep(parse_ctx *c, ast_node *n, const ast_node *flat, const ast_node *inner, const ast_node *inner2)
{
	struct node_depth f = depth_of(c, flat), i1 = depth_of(c, inner), i2 = depth_of(c, inner2);
	uint32_t nest = f.nest;
	if (inner && i1.nest + 1u > nest)
		nest = i1.nest + 1u;
	if (inner2 && i2.nest + 1u > nest)
		nest = i2.nest + 1u;
	uint32_t tree = f.tree;
	if (i1.tree > tree)
		tree = i1.tree;
	if (i2.tree > tree)
		tree = i2.tree;
	tree++;
	if (nest > PARSE_MAX_DEPTH || tree > PARSE_MAX_TREE_DEPTH) {
		report_deep(c, n->sp, nest <= PARSE_MAX_DEPTH);
		/* The error node is as deep as can be, so that everything built
		 * on it collapses into one error node too: the tree stops there. */
		n = mk(c, AST_ERROR, n->sp);
		nest = PARSE_MAX_DEPTH;
		tree = PARSE_MAX_TREE_DEPTH;
	}
	uint32_t idx = n->id - c->first_id;
	if (idx >= c->depth_cap) {
		uint32_t cap = c->depth_cap ? c->depth_cap : 1024;
		while (cap <= idx)
			cap *= 2;
		struct node_depth *p = realloc(c->depth, cap * sizeof *p);
		if (!p) {
			fputs("ludic: out of memory\n", stderr);
			abort();
		}
		memset(p + c->depth_cap, 0, (cap - c->depth_cap) * sizeof *p);
		c->depth = p;
		c->depth_cap = cap;
	}
	c->depth[idx] = (struct node_depth){(uint16_t)nest, (uint16_t)tree};
	return n;
}

static ast_list list1(ast_node *n)
{
	return (ast_list){n, n};
}

static ast_list list_add(ast_list l, ast_node *n)
{
	if (!n)
		return l;
	if (!l.head)
		return (ast_list){n, n};
	l.tail->next = n;
	l.tail = n;
	return l;
}

/* Appends list `m` after list `l`. */
static ast_list list_cat(ast_list l, ast_list m)
{
	if (!m.head)
		return l;
	if (!l.head)
		return m;
	l.tail->next = m.head;
	l.tail = m.tail;
	return l;
}

static void add_decl(parse_ctx *c, ast_node *n)
{
	/* While skipping to the next declaration, bison makes one error node per
	 * token skipped: one broken declaration is one node. */
	if (n->kind == AST_ERROR && c->decls_tail && c->decls_tail->kind == AST_ERROR && c->in_error) {
		c->decls_tail->sp = span_join(c->decls_tail->sp, n->sp);
		return;
	}
	c->in_error = n->kind == AST_ERROR;
	if (!c->decls)
		c->decls = n;
	else
		c->decls_tail->next = n;
	c->decls_tail = n;
}

/* Starting a declaration: the parser is back in step after an error. */
static void decl_start(parse_ctx *c)
{
	c->lex_error = false;
	c->in_error = false;
}

static ast_node *mk_string(parse_ctx *c, lex_lit s, span sp)
{
	ast_node *n = mk(c, AST_STRING, sp);
	n->u.str.s = s.text;
	return n;
}

static ast_node *mk_name(parse_ctx *c, const char *s, span sp)
{
	ast_node *n = mk(c, AST_NAME, sp);
	n->u.name.s = s;
	return n;
}

static ast_node *mk_strdecl(parse_ctx *c, ast_kind k, const char *s, span sp)
{
	ast_node *n = mk(c, k, sp);
	n->u.str.s = s;
	return n;
}

static ast_node *mk_int(parse_ctx *c, lex_lit v, span sp)
{
	if (v.bad)
		return mk(c, AST_ERROR, sp);
	ast_node *n = mk(c, AST_INT, sp);
	n->u.num.value = v.value;
	n->u.num.text = v.text;
	return n;
}

/* mantissa * 10^k, or false on overflow. */
static bool scale_up(int64_t mantissa, int k, int64_t *out)
{
	int64_t v = mantissa;
	for (int i = 0; i < k; i++) {
		if (v > INT64_MAX / 10)
			return false;
		v *= 10;
	}
	*out = v;
	return true;
}

/* The text of a decimal cut to `places` digits after the point ("1.23456", 4 -> "1.2345"). */
static const char *cut_places(parse_ctx *c, const char *text, int places)
{
	const char *dot = strchr(text, '.');
	if (!dot)
		return text;
	size_t n = (size_t)(dot - text) + (places > 0 ? (size_t)places + 1 : 0);
	return arena_strndup(c->a, text, n);
}

/* E0104; returns the error node that stands for the number. */
static ast_node *too_large(parse_ctx *c, const char *text, span sp)
{
	diag *g = diag_add(c->d, DIAG_E0104, sp, "the number `%s` is too large", text);
	diag_help(g, c->d, "ludic numbers go up to 922337203685477 with 4 decimal places");
	return mk(c, AST_ERROR, sp);
}

/* A literal that could not be read stands as an error node: the checker
 * skips it, so one mistake gives one diagnostic. */
static ast_node *mk_decimal(parse_ctx *c, lex_lit v, span sp)
{
	if (v.bad)
		return mk(c, AST_ERROR, sp);
	if (v.places > 4) {
		diag *g = diag_add(c->d, DIAG_E0104, sp, "`%s` has more than 4 decimal places", v.text);
		diag_help(g, c->d, "ludic keeps 4 decimal places: write `%s`", cut_places(c, v.text, 4));
		return mk(c, AST_ERROR, sp);
	}
	ast_node *n = mk(c, AST_DECIMAL, sp);
	n->u.num.text = v.text;
	if (!scale_up(v.value, 4 - v.places, &n->u.num.value))
		return too_large(c, v.text, sp);
	return n;
}

static ast_node *mk_percent(parse_ctx *c, lex_lit v, span sp)
{
	if (v.bad)
		return mk(c, AST_ERROR, sp);
	if (v.places > 2) {
		diag *g = diag_add(c->d, DIAG_E0104, sp, "`%s` has more than 2 decimal places", v.text);
		diag_help(g, c->d, "a percentage keeps 2 decimal places: write `%s%%`", cut_places(c, v.text, 2));
		return mk(c, AST_ERROR, sp);
	}
	ast_node *n = mk(c, AST_PERCENT, sp);
	n->u.num.text = v.text;
	if (!scale_up(v.value, 2 - v.places, &n->u.num.value))
		return too_large(c, v.text, sp);
	return n;
}

static ast_node *mk_money(parse_ctx *c, lex_lit num, bool decimal, lex_lit cur, span sp)
{
	if (num.bad)
		return mk(c, AST_ERROR, sp);
	const char *text = arena_printf(c->a, "%s %s", num.text, cur.text);
	int exp = 2;
	lex_currency(cur.text, &exp);
	int places = decimal ? num.places : 0;
	if (places > exp) {
		diag *g = diag_add(c->d, DIAG_E0104, sp, "`%s` has more decimals than %s has (%d)", text, cur.text, exp);
		if (exp == 0)
			diag_help(g, c->d, "%s amounts are whole: write `%s %s`", cur.text, cut_places(c, num.text, 0),
				  cur.text);
		else
			diag_help(g, c->d, "write at most %d decimal%s: `%s %s`", exp, exp == 1 ? "" : "s",
				  cut_places(c, num.text, exp), cur.text);
		return mk(c, AST_ERROR, sp);
	}
	ast_node *n = mk(c, AST_MONEY, sp);
	memcpy(n->u.money.currency, cur.text, 3);
	n->u.money.currency[3] = 0;
	n->u.money.text = text;
	if (!scale_up(num.value, exp - places, &n->u.money.minor))
		return too_large(c, num.text, sp);
	return n;
}

static ast_node *mk_duration(parse_ctx *c, lex_lit count, int unit, span sp)
{
	if (count.bad)
		return mk(c, AST_ERROR, sp);
	ast_node *n = mk(c, AST_DURATION, sp);
	n->u.dur.count = count.value;
	n->u.dur.unit = (ast_unit)unit;
	return n;
}

static ast_node *mk_date(parse_ctx *c, ast_kind k, lex_lit v, span sp)
{
	if (v.bad)
		return mk(c, AST_ERROR, sp);
	ast_node *n = mk(c, k, sp);
	n->u.num.value = v.value;
	n->u.num.text = v.text;
	return n;
}

static ast_node *mk_binary(parse_ctx *c, ast_op op, ast_node *l, ast_node *r, span sp)
{
	ast_node *n = mk(c, AST_BINARY, sp);
	n->u.binary.op = op;
	n->u.binary.l = l;
	n->u.binary.r = r;
	return deep(c, n, l, r, NULL);
}

static ast_node *mk_unary(parse_ctx *c, ast_op op, ast_node *e, span sp)
{
	ast_node *n = mk(c, AST_UNARY, sp);
	n->u.unary.op = op;
	n->u.unary.e = e;
	return deep(c, n, NULL, e, NULL);
}

static ast_node *mk_window(parse_ctx *c, ast_node *ev, ast_node *len, int period, span sp)
{
	ast_node *n = mk(c, AST_WINDOW, sp);
	n->u.window.event = ev;
	n->u.window.length = len;
	n->u.window.is_this = len == NULL;
	n->u.window.this_period = len ? UNIT_DAY : (ast_unit)period;
	return deep(c, n, NULL, ev, NULL);
}

static ast_node *mk_agg(parse_ctx *c, ast_agg fn, ast_node *value, ast_node *src, ast_node *where, span sp)
{
	ast_node *n = mk(c, AST_AGG, sp);
	n->u.agg.fn = fn;
	n->u.agg.value = value;
	n->u.agg.src = src;
	n->u.agg.where = where;
	const ast_node *in = depth_of(c, value).tree > depth_of(c, src).tree ? value : src;
	return deep(c, n, NULL, in, where);
}

/* The deepest node of a list, for the depth of what contains it. */
static const ast_node *deepest(const parse_ctx *c, const ast_node *list)
{
	const ast_node *best = NULL;
	for (const ast_node *a = list; a; a = a->next)
		if (!best || depth_of(c, a).nest + depth_of(c, a).tree > depth_of(c, best).nest + depth_of(c, best).tree)
			best = a;
	return best;
}

static ast_node *mk_call(parse_ctx *c, const char *fn, span fn_sp, ast_node *args, span sp)
{
	ast_node *n = mk(c, AST_CALL, sp);
	n->u.call.fn = fn;
	n->u.call.fn_sp = fn_sp;
	n->u.call.args = args;
	return deep(c, n, NULL, deepest(c, args), NULL);
}

static ast_node *mk_set(parse_ctx *c, ast_node *items, span sp)
{
	ast_node *n = mk(c, AST_SET, sp);
	n->u.list.items = items;
	return deep(c, n, NULL, deepest(c, items), NULL);
}

static ast_node *mk_field(parse_ctx *c, ast_node *obj, const char *name, span name_sp, span sp)
{
	ast_node *n = mk(c, AST_FIELD, sp);
	n->u.field.obj = obj;
	n->u.field.name = name;
	n->u.field.name_sp = name_sp;
	return deep(c, n, obj, NULL, NULL);
}

static ast_node *mk_earned(parse_ctx *c, const char *wallet, span wsp, ast_node *window, span sp)
{
	ast_node *n = mk(c, AST_EARNED, sp);
	n->u.earned.wallet = mk_name(c, wallet, wsp);
	n->u.earned.window = window;
	return n;
}

static ast_node *mk_type(parse_ctx *c, const char *name, span name_sp, ast_node *elem, span sp)
{
	ast_node *n = mk(c, AST_TYPE, sp);
	n->u.type.name = name;
	n->u.type.name_sp = name_sp;
	n->u.type.elem = elem;
	return deep(c, n, NULL, elem, NULL);
}

static ast_node *mk_arg(parse_ctx *c, ast_kind k, const char *key, span key_sp, ast_node *value, span sp)
{
	ast_node *n = mk(c, k, sp);
	n->u.arg.key = key;
	n->u.arg.key_sp = key_sp;
	n->u.arg.value = value;
	return n;
}

static ast_node *mk_program(parse_ctx *c, ast_kind k, lex_lit name, span name_sp, ast_node *version,
			    ast_node *base, ast_node *scope, span sp)
{
	ast_node *n = mk(c, k, sp);
	n->u.program.name = mk_string(c, name, name_sp);
	n->u.program.version = version;
	n->u.program.base = base;
	n->u.program.scope = scope;
	return n;
}

static ast_node *mk_scope(parse_ctx *c, bool stores, ast_node *values, span sp)
{
	ast_node *n = mk(c, AST_SCOPE, sp);
	n->u.scope.stores = stores;
	n->u.scope.values = values;
	return n;
}

static ast_node *mk_decl(parse_ctx *c, ast_kind k, const char *name, span name_sp, ast_node *items, span sp)
{
	ast_node *n = mk(c, k, sp);
	n->u.decl.name = name;
	n->u.decl.name_sp = name_sp;
	n->u.decl.items = items;
	return n;
}

/* A setting given twice where the tree has room for one (`pending` of a
 * wallet, `hold` and `review` of tiers): said here, since the checker cannot
 * see the first one. */
static void twice(parse_ctx *c, const char *what, const char *owner, span sp)
{
	diag *g = diag_add(c->d, DIAG_E0412, sp, "`%s` is given twice for the %s", what, owner);
	diag_help(g, c->d, "keep one `%s`", what);
}

static ast_node *mk_trigger(parse_ctx *c, ast_kind k, ast_node *event, ast_node *where, ast_node *dur, bool month,
			    span sp)
{
	ast_node *n = mk(c, k, sp);
	n->u.trig.event = event;
	n->u.trig.where = where;
	n->u.trig.dur = dur;
	n->u.trig.month = month;
	return n;
}

static ast_node *mk_award(parse_ctx *c, ast_kind k, ast_node *amount, const char *wallet, span wsp,
			  ast_node *mults, int rounding, span sp)
{
	ast_node *n = mk(c, k, sp);
	n->u.award.amount = amount;
	n->u.award.wallet = mk_name(c, wallet, wsp);
	n->u.award.mults = mults;
	n->u.award.rounding = (ast_rounding)rounding;
	return n;
}

static ast_node *mk_limit(parse_ctx *c, ast_node *amount, ast_node *wallet, int per, span sp)
{
	ast_node *n = mk(c, AST_LIMIT, sp);
	n->u.limit.amount = amount;
	n->u.limit.wallet = wallet;
	n->u.limit.per = (ast_unit)per;
	return n;
}

/* `once` is `limit 1 per customer`; the amount is a made-up `1` at `once`
 * (fmt prints `once` back by looking at the source). */
static ast_node *mk_once(parse_ctx *c, span sp)
{
	ast_node *one = mk(c, AST_INT, sp);
	one->u.num.value = 1;
	one->u.num.text = "1";
	return mk_limit(c, one, NULL, UNIT_EVER, sp);
}

static ast_node *mk_rule(parse_ctx *c, bool override, int kind, lex_lit name, span name_sp, ast_node *scope,
			 ast_node *trigger, ast_pair range, span sp)
{
	ast_node *n = mk(c, AST_RULE, sp);
	n->u.rule.override = override;
	n->u.rule.kind = (ast_rule_kind)kind;
	n->u.rule.name = mk_string(c, name, name_sp);
	n->u.rule.scope = scope;
	n->u.rule.trigger = trigger;
	n->u.rule.from = range.a;
	n->u.rule.until = range.b;
	return n;
}

/* Adds a rung to the tiers node being built (pair: node, last rung). */
static ast_pair tiers_rung(ast_pair t, ast_node *rung)
{
	if (!t.b)
		t.a->u.ladder.rungs = rung;
	else
		t.b->next = rung;
	t.b = rung;
	return t;
}
}

%union {
	lex_lit lit;
	const char *text;
	ast_node *node;
	ast_list list;
	ast_pair pair;
	int ival;
	struct { ast_list actions, clauses; } body;
}

/* literals and names */
%token <lit> IDENT "a name" CURRENCY "a currency code" INT "a whole number" DECIMAL "a decimal number"
%token <lit> PERCENT "a percentage" STRING "a text in quotes" DATE "a date" TIMESTAMP "a timestamp"
%token DEEP "a nested group"

/* keywords */
%token AFTER "after" ALL "all" ALLOW "allow" AND "and" ANY "any" AT "at" AWARD "award"
%token BADGE "badge" BADGES "badges" BEST "best" BIRTHDAY "birthday" BONUS "bonus" BOOL "bool"
%token BUDGET "budget" CAMPAIGN "campaign" CATALOGUE "catalogue" CHALLENGE "challenge" COSTS "costs"
%token COUNT "count" CURRENCY_KW "currency" CUSTOMER "customer" DATE_KW "date" DAY "day" DAYS "days"
%token DEBIT "debit" DISABLE "disable" DOWN "down" DURATION "duration" EARNED "earned" EARNING "earning"
%token ENUM "enum" EVENT "event" EVENTS "events" EVERY "every" EXPERIMENT "experiment" EXPIRE "expire"
%token EXPIRES "expires" EXTENDS "extends" FALSE "false" FIRST "first" FOR "for" FROM "from" GRACE "grace"
%token GROUP "group" HOLD "hold" HOUR "hour" HOURS "hours" IN "in" KEEP "keep" LAST "last" LATE "late"
%token LEVELS "levels" LIBRARY "library" LIMIT "limit" LIST "list" MINUTE "minute" MINUTES "minutes"
%token MISSION "mission" MONEY "money" MONTH "month" MONTHS "months" NEAREST "nearest" NO "no" NOT "not"
%token NOTIFY "notify" NUMBER "number" OF "of" ON "on" ONCE "once" OPTIONAL "optional" OR "or"
%token OVERLAY "overlay" OVERRIDE "override" PARAM "param" PENDING "pending" PER "per" PROGRAM "program"
%token QUEST "quest" RECORD "record" REGION "region" REWARD "reward" REVIEW "review" ROUNDED "rounded"
%token RULE "rule" SKIP "skip" STAFF "staff" STEP "step" STORES "stores" STREAK "streak"
%token STRING_KW "string" SUM "sum" THEN "then" THIS "this" TIERS "tiers" TIMESTAMP_KW "timestamp"
%token TIMEZONE "timezone" TIMES "times" TO "to" TRUE "true" UNLIMITED "unlimited" UNTIL "until" UP "up"
%token USE "use" VARIANT "variant" VERSION "version" WALLET "wallet" WEEK "week" WEEKS "weeks" WHEN "when"
%token WHERE "where" WITH "with" WITHIN "within" YEAR "year" YEARS "years"

/* symbols */
%token COLON ":" COMMA "," EQ "=" NE "!=" LT "<" LE "<=" GT ">" GE ">=" PLUS "+" MINUS "-" STAR "*"
%token SLASH "/" LPAREN "(" RPAREN ")" LBRACE "{" RBRACE "}" DOT "."

%type <node> decl header setting enum_decl record_decl wallet_decl ladder_decl rule_decl mission_decl
%type <node> streak_decl badges_decl catalogue_decl experiment_decl group_decl
%type <node> version_opt scope_for scope_opt trigger where_opt field type rung wallet_opts
%type <node> expr primary duration date action multiplier clause arg step within_opt
%type <node> audience_opt item for_opt variant change badge_item short_award rule_head
%type <node> string
%type <list> strings names fields rungs multipliers args step_list catalogue_items variants changes
%type <list> badge_items group_rules expr_list actions reward_actions then_opt reward_opt
%type <list> call_args clause_list
%type <body> body
%type <pair> range_opt tier_items
%type <ival> unit period per_what rounding_opt rule_kw group_mode
%type <text> name word

/* From the loosest to the tightest binding (docs/grammar.md, Expressions).
 * EARNED is lowest so that `points earned in last 30 days` keeps its window
 * rather than becoming `(points earned) in last 30 days`. */
%precedence EARNED
%left OR
%left AND
%precedence PREFIX_NOT
%nonassoc EQ NE LT LE GT GE
%nonassoc IN NOT
%left PLUS MINUS
%left STAR SLASH
%precedence NEG
%precedence DOT

%start file

%%

file
	: decls
	;

decls
	: %empty
	| decls decl { add_decl(CTX, $2); }
	;

decl
	: header
	| setting
	| enum_decl
	| record_decl
	| wallet_decl
	| ladder_decl
	| rule_decl
	| mission_decl
	| streak_decl
	| badges_decl
	| catalogue_decl
	| experiment_decl
	| group_decl
	| error { $$ = mk(CTX, AST_ERROR, @$); }
	;

/* Each declaration keyword: the parser is in step again (see the header). */
k_program: PROGRAM { yyerrok; decl_start(CTX); } ;
k_overlay: OVERLAY { yyerrok; decl_start(CTX); } ;
k_library: LIBRARY { yyerrok; decl_start(CTX); } ;
k_use: USE { yyerrok; decl_start(CTX); } ;
k_currency: CURRENCY_KW { yyerrok; decl_start(CTX); } ;
k_timezone: TIMEZONE { yyerrok; decl_start(CTX); } ;
k_allow: ALLOW { yyerrok; decl_start(CTX); } ;
k_param: PARAM { yyerrok; decl_start(CTX); } ;
k_disable: DISABLE { yyerrok; decl_start(CTX); } ;
k_enum: ENUM { yyerrok; decl_start(CTX); } ;
k_event: EVENT { yyerrok; decl_start(CTX); } ;
k_record: RECORD { yyerrok; decl_start(CTX); } ;
k_wallet: WALLET { yyerrok; decl_start(CTX); } ;
k_tiers: TIERS { yyerrok; decl_start(CTX); } ;
k_levels: LEVELS { yyerrok; decl_start(CTX); } ;
k_override: OVERRIDE { yyerrok; decl_start(CTX); } ;
k_mission: MISSION { yyerrok; decl_start(CTX); } ;
k_streak: STREAK { yyerrok; decl_start(CTX); } ;
k_badges: BADGES { yyerrok; decl_start(CTX); } ;
k_catalogue: CATALOGUE { yyerrok; decl_start(CTX); } ;
k_experiment: EXPERIMENT { yyerrok; decl_start(CTX); } ;
k_group: GROUP { yyerrok; decl_start(CTX); } ;

rule_kw
	: RULE { $$ = RULE_RULE; yyerrok; decl_start(CTX); }
	| CHALLENGE { $$ = RULE_CHALLENGE; yyerrok; decl_start(CTX); }
	| BONUS { $$ = RULE_BONUS; yyerrok; decl_start(CTX); }
	| QUEST { $$ = RULE_QUEST; yyerrok; decl_start(CTX); }
	;

/* ---- names and small pieces ---- */

/* A name: an identifier, or one of the keywords that are also standard
 * field or event names (docs/language.md, Keywords). */
name
	: IDENT { $$ = $1.text; }
	| CUSTOMER { $$ = "customer"; }
	| REGION { $$ = "region"; }
	| STAFF { $$ = "staff"; }
	| BIRTHDAY { $$ = "birthday"; }
	| REVIEW { $$ = "review"; }
	| AT { $$ = "at"; }
	;

/* Any word, keywords included: the parameters of a notification template
 * are the template's business (`notify "x" with (earned = 10)`). */
word
	: name
	| AFTER { $$ = "after"; }
	| ALL { $$ = "all"; }
	| ALLOW { $$ = "allow"; }
	| AND { $$ = "and"; }
	| ANY { $$ = "any"; }
	| AWARD { $$ = "award"; }
	| BADGE { $$ = "badge"; }
	| BADGES { $$ = "badges"; }
	| BEST { $$ = "best"; }
	| BONUS { $$ = "bonus"; }
	| BOOL { $$ = "bool"; }
	| BUDGET { $$ = "budget"; }
	| CAMPAIGN { $$ = "campaign"; }
	| CATALOGUE { $$ = "catalogue"; }
	| CHALLENGE { $$ = "challenge"; }
	| COSTS { $$ = "costs"; }
	| COUNT { $$ = "count"; }
	| CURRENCY_KW { $$ = "currency"; }
	| DATE_KW { $$ = "date"; }
	| DAY { $$ = "day"; }
	| DAYS { $$ = "days"; }
	| DEBIT { $$ = "debit"; }
	| DISABLE { $$ = "disable"; }
	| DOWN { $$ = "down"; }
	| DURATION { $$ = "duration"; }
	| EARNED { $$ = "earned"; }
	| EARNING { $$ = "earning"; }
	| ENUM { $$ = "enum"; }
	| EVENT { $$ = "event"; }
	| EVENTS { $$ = "events"; }
	| EVERY { $$ = "every"; }
	| EXPERIMENT { $$ = "experiment"; }
	| EXPIRE { $$ = "expire"; }
	| EXPIRES { $$ = "expires"; }
	| EXTENDS { $$ = "extends"; }
	| FALSE { $$ = "false"; }
	| FIRST { $$ = "first"; }
	| FOR { $$ = "for"; }
	| FROM { $$ = "from"; }
	| GRACE { $$ = "grace"; }
	| GROUP { $$ = "group"; }
	| HOLD { $$ = "hold"; }
	| HOUR { $$ = "hour"; }
	| HOURS { $$ = "hours"; }
	| IN { $$ = "in"; }
	| KEEP { $$ = "keep"; }
	| LAST { $$ = "last"; }
	| LATE { $$ = "late"; }
	| LEVELS { $$ = "levels"; }
	| LIBRARY { $$ = "library"; }
	| LIMIT { $$ = "limit"; }
	| LIST { $$ = "list"; }
	| MINUTE { $$ = "minute"; }
	| MINUTES { $$ = "minutes"; }
	| MISSION { $$ = "mission"; }
	| MONEY { $$ = "money"; }
	| MONTH { $$ = "month"; }
	| MONTHS { $$ = "months"; }
	| NEAREST { $$ = "nearest"; }
	| NO { $$ = "no"; }
	| NOT { $$ = "not"; }
	| NOTIFY { $$ = "notify"; }
	| NUMBER { $$ = "number"; }
	| OF { $$ = "of"; }
	| ON { $$ = "on"; }
	| ONCE { $$ = "once"; }
	| OPTIONAL { $$ = "optional"; }
	| OR { $$ = "or"; }
	| OVERLAY { $$ = "overlay"; }
	| OVERRIDE { $$ = "override"; }
	| PARAM { $$ = "param"; }
	| PENDING { $$ = "pending"; }
	| PER { $$ = "per"; }
	| PROGRAM { $$ = "program"; }
	| QUEST { $$ = "quest"; }
	| RECORD { $$ = "record"; }
	| REWARD { $$ = "reward"; }
	| ROUNDED { $$ = "rounded"; }
	| RULE { $$ = "rule"; }
	| SKIP { $$ = "skip"; }
	| STEP { $$ = "step"; }
	| STORES { $$ = "stores"; }
	| STREAK { $$ = "streak"; }
	| STRING_KW { $$ = "string"; }
	| SUM { $$ = "sum"; }
	| THEN { $$ = "then"; }
	| THIS { $$ = "this"; }
	| TIERS { $$ = "tiers"; }
	| TIMESTAMP_KW { $$ = "timestamp"; }
	| TIMEZONE { $$ = "timezone"; }
	| TIMES { $$ = "times"; }
	| TO { $$ = "to"; }
	| TRUE { $$ = "true"; }
	| UNLIMITED { $$ = "unlimited"; }
	| UNTIL { $$ = "until"; }
	| UP { $$ = "up"; }
	| USE { $$ = "use"; }
	| VARIANT { $$ = "variant"; }
	| VERSION { $$ = "version"; }
	| WALLET { $$ = "wallet"; }
	| WEEK { $$ = "week"; }
	| WEEKS { $$ = "weeks"; }
	| WHEN { $$ = "when"; }
	| WHERE { $$ = "where"; }
	| WITH { $$ = "with"; }
	| WITHIN { $$ = "within"; }
	| YEAR { $$ = "year"; }
	| YEARS { $$ = "years"; }
	;

string
	: STRING { $$ = mk_string(CTX, $1, @1); }
	;

strings
	: string { $$ = list1($1); }
	| strings COMMA string { $$ = list_add($1, $3); }
	;

names
	: name { $$ = list1(mk_name(CTX, $1, @1)); }
	| names COMMA name { $$ = list_add($1, mk_name(CTX, $3, @3)); }
	;

unit
	: MINUTE { $$ = UNIT_MINUTE; } | MINUTES { $$ = UNIT_MINUTE; }
	| HOUR { $$ = UNIT_HOUR; } | HOURS { $$ = UNIT_HOUR; }
	| DAY { $$ = UNIT_DAY; } | DAYS { $$ = UNIT_DAY; }
	| WEEK { $$ = UNIT_WEEK; } | WEEKS { $$ = UNIT_WEEK; }
	| MONTH { $$ = UNIT_MONTH; } | MONTHS { $$ = UNIT_MONTH; }
	| YEAR { $$ = UNIT_YEAR; } | YEARS { $$ = UNIT_YEAR; }
	;

period
	: DAY { $$ = UNIT_DAY; }
	| WEEK { $$ = UNIT_WEEK; }
	| MONTH { $$ = UNIT_MONTH; }
	| YEAR { $$ = UNIT_YEAR; }
	;

duration
	: INT unit { $$ = mk_duration(CTX, $1, $2, @$); }
	;

date
	: DATE { $$ = mk_date(CTX, AST_DATE, $1, @1); }
	;

/* ---- headers and settings ---- */

header
	: k_program STRING version_opt
		{ $$ = mk_program(CTX, AST_PROGRAM, $2, @2, $3, NULL, NULL, @$); }
	| k_overlay STRING EXTENDS string version_opt scope_for
		{ $$ = mk_program(CTX, AST_OVERLAY, $2, @2, $5, $4, $6, @$); }
	| k_library STRING
		{ $$ = mk_program(CTX, AST_LIBRARY, $2, @2, NULL, NULL, NULL, @$); }
	;

version_opt
	: %empty { $$ = NULL; }
	| VERSION string { $$ = $2; }
	;

scope_for
	: FOR REGION string { $$ = mk_scope(CTX, false, $3, @$); }
	| FOR STORES strings { $$ = mk_scope(CTX, true, $3.head, @$); }
	;

setting
	: k_use name { $$ = mk_strdecl(CTX, AST_USE, $2, @$); }
	| k_currency CURRENCY { $$ = mk_strdecl(CTX, AST_CURRENCY, $2.text, @$); }
	| k_currency name { $$ = mk_strdecl(CTX, AST_CURRENCY, $2, @$); }
	| k_timezone STRING { $$ = mk_strdecl(CTX, AST_TIMEZONE, $2.text, @$); }
	| k_allow LATE EVENTS UP TO duration
		{ $$ = mk(CTX, AST_LATENESS, @$); $$->u.expr1.expr = $6; }
	| k_param name EQ expr { $$ = mk_arg(CTX, AST_PARAM, $2, @2, $4, @$); }
	| k_disable STRING { $$ = mk_strdecl(CTX, AST_DISABLE, $2.text, @$); }
	;

/* ---- enums, events, records ---- */

enum_decl
	: k_enum name LBRACE names comma_opt RBRACE { $$ = mk_decl(CTX, AST_ENUM, $2, @2, $4.head, @$); }
	;

comma_opt
	: %empty
	| COMMA
	;

record_decl
	: k_event name LBRACE fields RBRACE { $$ = mk_decl(CTX, AST_EVENT, $2, @2, $4.head, @$); }
	| k_record name LBRACE fields RBRACE { $$ = mk_decl(CTX, AST_RECORD, $2, @2, $4.head, @$); }
	;

fields
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| fields field { $$ = list_add($1, $2); }
	;

field
	: name COLON type
		{ $$ = mk(CTX, AST_FIELD_DECL, @$); $$->u.fdecl.name = $1; $$->u.fdecl.name_sp = @1; $$->u.fdecl.type = $3; }
	| name COLON type OPTIONAL
		{ $$ = mk(CTX, AST_FIELD_DECL, @$); $$->u.fdecl.name = $1; $$->u.fdecl.name_sp = @1; $$->u.fdecl.type = $3;
		  $$->u.fdecl.optional = true; }
	;

type
	: LIST OF type { $$ = mk_type(CTX, "list", @1, $3, @$); }
	| name { $$ = mk_type(CTX, $1, @1, NULL, @$); }
	| COUNT { $$ = mk_type(CTX, "count", @1, NULL, @$); }
	| NUMBER { $$ = mk_type(CTX, "number", @1, NULL, @$); }
	| MONEY { $$ = mk_type(CTX, "money", @1, NULL, @$); }
	| STRING_KW { $$ = mk_type(CTX, "string", @1, NULL, @$); }
	| BOOL { $$ = mk_type(CTX, "bool", @1, NULL, @$); }
	| DATE_KW { $$ = mk_type(CTX, "date", @1, NULL, @$); }
	| TIMESTAMP_KW { $$ = mk_type(CTX, "timestamp", @1, NULL, @$); }
	| DURATION { $$ = mk_type(CTX, "duration", @1, NULL, @$); }
	;

/* ---- wallets and ladders ---- */

wallet_decl
	: k_wallet name wallet_opts
		{ $$ = $3; $$->sp = @$; $$->u.wallet.name = $2; $$->u.wallet.name_sp = @2; }
	| k_wallet name string wallet_opts
		{ $$ = $4; $$->sp = @$; $$->u.wallet.name = $2; $$->u.wallet.name_sp = @2; $$->u.wallet.label = $3; }
	;

wallet_opts
	: %empty { $$ = mk(CTX, AST_WALLET, @$); }
	| wallet_opts FOR STAFF
		{ $$ = $1; if ($$->u.wallet.staff) twice(CTX, "for staff", "wallet", @2); $$->u.wallet.staff = true; }
	| wallet_opts EXPIRES duration AFTER EARNING
		{ $$ = $1; if ($$->u.wallet.expires) twice(CTX, "expires", "wallet", @2); $$->u.wallet.expires = $3; }
	| wallet_opts PENDING duration
		{ $$ = $1; if ($$->u.wallet.pending) twice(CTX, "pending", "wallet", @2); $$->u.wallet.pending = $3; }
	;

ladder_decl
	: k_tiers name ON expr LBRACE tier_items RBRACE
		{ $$ = $6.a; $$->sp = @$; $$->u.ladder.name = $2; $$->u.ladder.name_sp = @2; $$->u.ladder.metric = $4; }
	| k_levels name ON expr LBRACE rungs RBRACE
		{ $$ = mk(CTX, AST_LEVELS, @$); $$->u.ladder.name = $2; $$->u.ladder.name_sp = @2;
		  $$->u.ladder.metric = $4; $$->u.ladder.rungs = $6.head; }
	;

/* The items of a tiers block, gathered in an AST_TIERS node (a) with its
 * last rung (b): rungs keep their order; `hold` and `review` may come
 * anywhere. */
tier_items
	: %empty { $$ = (ast_pair){mk(CTX, AST_TIERS, @$), NULL}; }
	| tier_items rung { $$ = tiers_rung($1, $2); }
	| tier_items HOLD duration
		{ $$ = $1; if ($$.a->u.ladder.hold) twice(CTX, "hold", "tiers", @2); $$.a->u.ladder.hold = $3; }
	| tier_items REVIEW EVERY period
		{ $$ = $1; if ($$.a->u.ladder.has_review) twice(CTX, "review", "tiers", @2);
		  $$.a->u.ladder.has_review = true; $$.a->u.ladder.review = (ast_unit)$4; }
	;

rungs
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| rungs rung { $$ = list_add($1, $2); }
	;

rung
	: name AT expr
		{ $$ = mk(CTX, AST_STEP_AT, @$); $$->u.rung.name = $1; $$->u.rung.name_sp = @1; $$->u.rung.at = $3; }
	;

/* ---- rules ---- */

rule_decl
	: rule_head COLON body
		{ $$ = $1; $$->sp = @$; $$->u.rule.actions = $3.actions.head; $$->u.rule.clauses = $3.clauses.head; }
	;

rule_head
	: rule_kw STRING scope_opt trigger range_opt
		{ $$ = mk_rule(CTX, false, $1, $2, @2, $3, $4, $5, @$); }
	| k_override rule_kw STRING scope_opt trigger range_opt
		{ $$ = mk_rule(CTX, true, $2, $3, @3, $4, $5, $6, @$); }
	;

scope_opt
	: %empty { $$ = NULL; }
	| IN REGION string { $$ = mk_scope(CTX, false, $3, @$); }
	| AT STORES strings { $$ = mk_scope(CTX, true, $3.head, @$); }
	;

trigger
	: ON name where_opt
		{ $$ = mk_trigger(CTX, AST_ON_EVENT, mk_name(CTX, $2, @2), $3, NULL, false, @$); }
	| WHEN NO name where_opt FOR duration
		{ $$ = mk_trigger(CTX, AST_INACTIVE, mk_name(CTX, $3, @3), $4, $6, false, @$); }
	| WHEN name EXPIRE WITHIN duration
		{ $$ = mk_trigger(CTX, AST_EXPIRING, mk_name(CTX, $2, @2), NULL, $5, false, @$); }
	| WHEN name EXPIRES WITHIN duration
		{ $$ = mk_trigger(CTX, AST_EXPIRING, mk_name(CTX, $2, @2), NULL, $5, false, @$); }
	| WHEN BIRTHDAY
		{ $$ = mk_trigger(CTX, AST_BIRTHDAY, NULL, NULL, NULL, false, @$); }
	| WHEN BIRTHDAY MONTH
		{ $$ = mk_trigger(CTX, AST_BIRTHDAY, NULL, NULL, NULL, true, @$); }
	| WHEN duration AFTER name where_opt
		{ $$ = mk_trigger(CTX, AST_AFTER, mk_name(CTX, $4, @4), $5, $2, false, @$); }
	;

where_opt
	: %empty { $$ = NULL; }
	| WHERE expr { $$ = $2; }
	;

range_opt
	: %empty { $$ = (ast_pair){NULL, NULL}; }
	| FROM date { $$ = (ast_pair){$2, NULL}; }
	| UNTIL date { $$ = (ast_pair){NULL, $2}; }
	| FROM date UNTIL date { $$ = (ast_pair){$2, $4}; }
	;

/* Actions, then caps; a comma may separate any two of them. */
body
	: actions { $$.actions = $1; $$.clauses = (ast_list){NULL, NULL}; }
	| actions clause_list { $$.actions = $1; $$.clauses = $2; }
	;

actions
	: action { $$ = list1($1); }
	| actions action { $$ = list_add($1, $2); }
	| actions COMMA action { $$ = list_add($1, $3); }
	;

clause_list
	: clause { $$ = list1($1); }
	| COMMA clause { $$ = list1($2); }
	| clause_list clause { $$ = list_add($1, $2); }
	| clause_list COMMA clause { $$ = list_add($1, $3); }
	;

action
	: AWARD expr name multipliers rounding_opt
		{ $$ = mk_award(CTX, AST_AWARD, $2, $3, @3, $4.head, $5, @$); }
	| DEBIT expr name
		{ $$ = mk_award(CTX, AST_DEBIT, $2, $3, @3, NULL, ROUND_DEFAULT, @$); }
	| BADGE STRING { $$ = mk_strdecl(CTX, AST_GIVE_BADGE, $2.text, @$); }
	| NOTIFY string
		{ $$ = mk(CTX, AST_NOTIFY, @$); $$->u.notify.tmpl = $2; }
	| NOTIFY string WITH LPAREN args RPAREN
		{ $$ = mk(CTX, AST_NOTIFY, @$); $$->u.notify.tmpl = $2; $$->u.notify.args = $5.head; }
	;

multipliers
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| multipliers multiplier { $$ = list_add($1, $2); }
	;

multiplier
	: TIMES expr WHEN expr
		{ $$ = mk(CTX, AST_MULTIPLIER, @$); $$->u.mult.factor = $2; $$->u.mult.cond = $4; }
	;

rounding_opt
	: %empty { $$ = ROUND_DEFAULT; }
	| ROUNDED DOWN { $$ = ROUND_DOWN; }
	| ROUNDED UP { $$ = ROUND_UP; }
	| ROUNDED NEAREST { $$ = ROUND_NEAREST; }
	;

args
	: arg { $$ = list1($1); }
	| args COMMA arg { $$ = list_add($1, $3); }
	;

arg
	: word EQ expr { $$ = mk_arg(CTX, AST_ARG, $1, @1, $3, @$); }
	;

clause
	: LIMIT expr PER per_what { $$ = mk_limit(CTX, $2, NULL, $4, @$); }
	| LIMIT expr TIMES PER per_what { $$ = mk_limit(CTX, $2, NULL, $5, @$); }
	| LIMIT expr name PER per_what { $$ = mk_limit(CTX, $2, mk_name(CTX, $3, @3), $5, @$); }
	| LIMIT expr name TIMES PER per_what { $$ = mk_limit(CTX, $2, mk_name(CTX, $3, @3), $6, @$); }
	| ONCE { $$ = mk_once(CTX, @$); }
	| BUDGET expr name
		{ $$ = mk(CTX, AST_BUDGET, @$); $$->u.budget.amount = $2; $$->u.budget.wallet = mk_name(CTX, $3, @3); }
	| UNLIMITED { $$ = mk(CTX, AST_UNLIMITED, @$); }
	;

per_what
	: period
	| CUSTOMER { $$ = UNIT_EVER; }
	| CAMPAIGN { $$ = UNIT_CAMPAIGN; }
	;

/* ---- missions and streaks ---- */

mission_decl
	: k_mission STRING scope_opt within_opt audience_opt range_opt LBRACE step_list reward_opt RBRACE
		{ $$ = mk(CTX, AST_MISSION, @$);
		  $$->u.mission.name = mk_string(CTX, $2, @2);
		  $$->u.mission.scope = $3;
		  $$->u.mission.within = $4 ? $4->u.trig.dur : NULL;
		  $$->u.mission.anchor = $4 ? $4->u.trig.event : NULL;
		  $$->u.mission.audience = $5;
		  $$->u.mission.from = $6.a;
		  $$->u.mission.until = $6.b;
		  $$->u.mission.steps = $8.head;
		  $$->u.mission.reward = $9.head; }
	;

/* `within D [of E]`, carried in a scratch trigger node's dur and event. */
within_opt
	: %empty { $$ = NULL; }
	| WITHIN duration { $$ = mk_trigger(CTX, AST_AFTER, NULL, NULL, $2, false, @$); }
	| WITHIN duration OF name
		{ $$ = mk_trigger(CTX, AST_AFTER, mk_name(CTX, $4, @4), NULL, $2, false, @$); }
	;

audience_opt
	: %empty { $$ = NULL; }
	| FOR expr { $$ = $2; }
	;

step_list
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| step_list step { $$ = list_add($1, $2); }
	;

step
	: STEP string COLON name where_opt then_opt
		{ $$ = mk(CTX, AST_STEP, @$); $$->u.step.name = $2; $$->u.step.event = mk_name(CTX, $4, @4);
		  $$->u.step.where = $5; $$->u.step.reward = $6.head; }
	| STEP string COLON name where_opt COMMA INT TIMES then_opt
		{ $$ = mk(CTX, AST_STEP, @$); $$->u.step.name = $2; $$->u.step.event = mk_name(CTX, $4, @4);
		  $$->u.step.where = $5; $$->u.step.times = mk_int(CTX, $7, @7); $$->u.step.reward = $9.head; }
	;

then_opt
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| THEN actions { $$ = $2; }
	;

reward_opt
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| REWARD reward_actions { $$ = $2; }
	;

/* `reward award 200 points, badge "x"`, or with the first `award` left out:
 * `reward 200 points, badge "x"`. */
reward_actions
	: actions
	| short_award { $$ = list1($1); }
	| short_award COMMA actions { $$ = list_cat(list1($1), $3); }
	| short_award actions { $$ = list_cat(list1($1), $2); }
	;

short_award
	: expr name multipliers rounding_opt
		{ $$ = mk_award(CTX, AST_AWARD, $1, $2, @2, $3.head, $4, @$); }
	;

streak_decl
	: k_streak STRING scope_opt ON name where_opt EVERY period FOR duration range_opt COLON body
		{ $$ = mk(CTX, AST_STREAK, @$);
		  $$->u.streak.name = mk_string(CTX, $2, @2); $$->u.streak.scope = $3;
		  $$->u.streak.event = mk_name(CTX, $5, @5); $$->u.streak.where = $6;
		  $$->u.streak.every = (ast_unit)$8; $$->u.streak.length = $10;
		  $$->u.streak.from = $11.a; $$->u.streak.until = $11.b;
		  $$->u.streak.actions = $13.actions.head; $$->u.streak.clauses = $13.clauses.head; }
	| k_streak STRING scope_opt ON name where_opt EVERY period FOR duration GRACE duration range_opt COLON body
		{ $$ = mk(CTX, AST_STREAK, @$);
		  $$->u.streak.name = mk_string(CTX, $2, @2); $$->u.streak.scope = $3;
		  $$->u.streak.event = mk_name(CTX, $5, @5); $$->u.streak.where = $6;
		  $$->u.streak.every = (ast_unit)$8; $$->u.streak.length = $10; $$->u.streak.grace = $12;
		  $$->u.streak.from = $13.a; $$->u.streak.until = $13.b;
		  $$->u.streak.actions = $15.actions.head; $$->u.streak.clauses = $15.clauses.head; }
	;

/* ---- badges, catalogue, experiments, groups ---- */

badges_decl
	: k_badges LBRACE badge_items RBRACE { $$ = mk_decl(CTX, AST_BADGES, NULL, @1, $3.head, @$); }
	;

badge_items
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| badge_items badge_item { $$ = list_add($1, $2); }
	;

badge_item
	: string { $$ = mk(CTX, AST_BADGE_DECL, @$); $$->u.badge.name = $1; }
	| string COLON string
		{ $$ = mk(CTX, AST_BADGE_DECL, @$); $$->u.badge.name = $1; $$->u.badge.description = $3; }
	;

catalogue_decl
	: k_catalogue LBRACE catalogue_items RBRACE { $$ = mk_decl(CTX, AST_CATALOGUE, NULL, @1, $3.head, @$); }
	;

catalogue_items
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| catalogue_items item { $$ = list_add($1, $2); }
	;

item
	: REWARD string COSTS expr name for_opt
		{ $$ = mk(CTX, AST_ITEM, @$); $$->u.item.name = $2; $$->u.item.cost = $4;
		  $$->u.item.wallet = mk_name(CTX, $5, @5); $$->u.item.cond = $6; }
	;

for_opt
	: %empty { $$ = NULL; }
	| FOR expr { $$ = $2; }
	;

experiment_decl
	: k_experiment string LBRACE variants RBRACE
		{ $$ = mk(CTX, AST_EXPERIMENT, @$); $$->u.experiment.name = $2; $$->u.experiment.variants = $4.head; }
	;

variants
	: variant { $$ = list1($1); }
	| variants variant { $$ = list_add($1, $2); }
	;

variant
	: VARIANT string PERCENT
		{ $$ = mk(CTX, AST_VARIANT, @$); $$->u.variant.name = $2; $$->u.variant.share = mk_percent(CTX, $3, @3); }
	| VARIANT string PERCENT COLON changes
		{ $$ = mk(CTX, AST_VARIANT, @$); $$->u.variant.name = $2; $$->u.variant.share = mk_percent(CTX, $3, @3);
		  $$->u.variant.changes = $5.head; }
	;

changes
	: change { $$ = list1($1); }
	| changes COMMA change { $$ = list_add($1, $3); }
	;

change
	: name EQ expr { $$ = mk_arg(CTX, AST_ARG, $1, @1, $3, @$); }
	| SKIP STRING { $$ = mk_strdecl(CTX, AST_SKIP, $2.text, @$); }
	;

group_decl
	: k_group string KEEP group_mode LBRACE group_rules RBRACE
		{ $$ = mk(CTX, AST_GROUP, @$); $$->u.group.name = $2; $$->u.group.mode = (ast_group_mode)$4;
		  $$->u.group.rules = $6.head; }
	;

group_mode
	: BEST { $$ = GROUP_BEST; }
	| FIRST { $$ = GROUP_FIRST; }
	;

group_rules
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| group_rules rule_decl { $$ = list_add($1, $2); }
	;

/* ---- expressions ---- */

expr
	: expr OR expr { $$ = mk_binary(CTX, OP_OR, $1, $3, @$); }
	| expr AND expr { $$ = mk_binary(CTX, OP_AND, $1, $3, @$); }
	| NOT expr %prec PREFIX_NOT { $$ = mk_unary(CTX, OP_NOT, $2, @$); }
	| expr EQ expr { $$ = mk_binary(CTX, OP_EQ, $1, $3, @$); }
	| expr NE expr { $$ = mk_binary(CTX, OP_NE, $1, $3, @$); }
	| expr LT expr { $$ = mk_binary(CTX, OP_LT, $1, $3, @$); }
	| expr LE expr { $$ = mk_binary(CTX, OP_LE, $1, $3, @$); }
	| expr GT expr { $$ = mk_binary(CTX, OP_GT, $1, $3, @$); }
	| expr GE expr { $$ = mk_binary(CTX, OP_GE, $1, $3, @$); }
	| expr IN expr { $$ = mk_binary(CTX, OP_IN, $1, $3, @$); }
	| expr NOT IN expr %prec IN { $$ = mk_binary(CTX, OP_NOT_IN, $1, $4, @$); }
	| expr IN LAST duration %prec IN { $$ = mk_window(CTX, $1, $4, 0, @$); }
	| expr IN THIS period %prec IN { $$ = mk_window(CTX, $1, NULL, $4, @$); }
	| expr PLUS expr { $$ = mk_binary(CTX, OP_ADD, $1, $3, @$); }
	| expr MINUS expr { $$ = mk_binary(CTX, OP_SUB, $1, $3, @$); }
	| expr STAR expr { $$ = mk_binary(CTX, OP_MUL, $1, $3, @$); }
	| expr SLASH expr { $$ = mk_binary(CTX, OP_DIV, $1, $3, @$); }
	| MINUS expr %prec NEG { $$ = mk_unary(CTX, OP_NEG, $2, @$); }
	| expr DOT name { $$ = mk_field(CTX, $1, $3, @3, @$); }
	| primary
	;

primary
	: INT { $$ = mk_int(CTX, $1, @1); }
	| DECIMAL { $$ = mk_decimal(CTX, $1, @1); }
	| PERCENT { $$ = mk_percent(CTX, $1, @1); }
	| STRING { $$ = mk_string(CTX, $1, @1); }
	| DATE { $$ = mk_date(CTX, AST_DATE, $1, @1); }
	| TIMESTAMP { $$ = mk_date(CTX, AST_TIMESTAMP, $1, @1); }
	| TRUE { $$ = mk(CTX, AST_BOOL, @1); $$->u.num.value = 1; $$->u.num.text = "true"; }
	| FALSE { $$ = mk(CTX, AST_BOOL, @1); $$->u.num.value = 0; $$->u.num.text = "false"; }
	| INT CURRENCY { $$ = mk_money(CTX, $1, false, $2, @$); }
	| DECIMAL CURRENCY { $$ = mk_money(CTX, $1, true, $2, @$); }
	| duration
	| name { $$ = mk_name(CTX, $1, @1); }
	| name EARNED %prec EARNED { $$ = mk_earned(CTX, $1, @1, NULL, @$); }
	| name EARNED IN LAST duration { $$ = mk_earned(CTX, $1, @1, $5, @$); }
	| name LPAREN call_args RPAREN { $$ = mk_call(CTX, $1, @1, $3.head, @$); }
	| COUNT LPAREN expr RPAREN { $$ = mk_agg(CTX, AGG_COUNT, NULL, $3, NULL, @$); }
	| COUNT LPAREN expr WHERE expr RPAREN { $$ = mk_agg(CTX, AGG_COUNT, NULL, $3, $5, @$); }
	| ANY LPAREN expr RPAREN { $$ = mk_agg(CTX, AGG_ANY, NULL, $3, NULL, @$); }
	| ANY LPAREN expr WHERE expr RPAREN { $$ = mk_agg(CTX, AGG_ANY, NULL, $3, $5, @$); }
	| ALL LPAREN expr RPAREN { $$ = mk_agg(CTX, AGG_ALL, NULL, $3, NULL, @$); }
	| ALL LPAREN expr WHERE expr RPAREN { $$ = mk_agg(CTX, AGG_ALL, NULL, $3, $5, @$); }
	| SUM LPAREN expr OF expr RPAREN { $$ = mk_agg(CTX, AGG_SUM, $3, $5, NULL, @$); }
	| SUM LPAREN expr OF expr WHERE expr RPAREN { $$ = mk_agg(CTX, AGG_SUM, $3, $5, $7, @$); }
	| LBRACE expr_list RBRACE { $$ = mk_set(CTX, $2.head, @$); }
	| LPAREN expr RPAREN { $$ = $2; }
	| DEEP { $$ = mk(CTX, AST_ERROR, @1); }
	;

call_args
	: %empty { $$ = (ast_list){NULL, NULL}; }
	| expr_list
	;

expr_list
	: expr { $$ = list1($1); }
	| expr_list COMMA expr { $$ = list_add($1, $3); }
	;

%%

static void lxerror(span *loc, yyscan_t scanner, const char *msg)
{
	parse_ctx *c = lxget_extra(scanner);
	/* The only message bison still sends here: its stack is full. */
	(void)msg;
	c->aborted = true;
	report_deep(c, *loc, false);
}

/* ---- syntax errors in marketer words ---- */

/* The spelling of a symbol kind (YYSYMBOL_...). */
static const char *symbol_spelling(int kind)
{
	const char *n = yysymbol_name((yysymbol_kind_t)kind);
	return n ? n : "?";
}

const char *lex_token_spelling(int kind)
{
	return symbol_spelling(YYTRANSLATE(kind));
}

/* Token sets, as bit masks over symbol kinds. */
typedef struct symset {
	uint64_t w[(YYNTOKENS + 63) / 64]; /* bit k: symbol kind k is in the set */
} symset;

static void set_add(symset *s, int k)
{
	s->w[k / 64] |= (uint64_t)1 << (k % 64);
}

static bool set_has(const symset *s, int k)
{
	return k >= 0 && k < YYNTOKENS && (s->w[k / 64] >> (k % 64)) & 1;
}

static int set_count(const symset *s)
{
	int n = 0;
	for (size_t i = 0; i < sizeof s->w / sizeof s->w[0]; i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

/* Does `e` contain every element of `g`? */
static bool set_covers(const symset *e, const symset *g)
{
	for (size_t i = 0; i < sizeof e->w / sizeof e->w[0]; i++)
		if ((e->w[i] & g->w[i]) != g->w[i])
			return false;
	return true;
}

static bool set_meets(const symset *e, const symset *g)
{
	for (size_t i = 0; i < sizeof e->w / sizeof e->w[0]; i++)
		if (e->w[i] & g->w[i])
			return true;
	return false;
}

static void set_remove(symset *e, const symset *g)
{
	for (size_t i = 0; i < sizeof e->w / sizeof e->w[0]; i++)
		e->w[i] &= ~g->w[i];
}

static symset set_of(const yysymbol_kind_t *k, size_t n)
{
	symset s;
	memset(&s, 0, sizeof s);
	for (size_t i = 0; i < n; i++)
		set_add(&s, k[i]);
	return s;
}

#define SET(...) set_of((const yysymbol_kind_t[]){__VA_ARGS__}, \
	sizeof((const yysymbol_kind_t[]){__VA_ARGS__}) / sizeof(yysymbol_kind_t))

/* A group of tokens that is named as one thing in messages. */
typedef struct token_group {
	symset set;         /* its tokens */
	const char *phrase; /* how a message names them */
	bool whole;         /* named only when all of them are expected (else: when any is) */
} token_group;

#define NAME_TOKENS YYSYMBOL_IDENT, YYSYMBOL_CUSTOMER, YYSYMBOL_REGION, YYSYMBOL_STAFF, YYSYMBOL_BIRTHDAY, \
	YYSYMBOL_REVIEW, YYSYMBOL_AT

/* What may follow a complete expression, a number or a name and only
 * continues it: left out of "expected ..." lists when anything else fits. */
static symset continuations(void)
{
	return SET(YYSYMBOL_OR, YYSYMBOL_AND, YYSYMBOL_EQ, YYSYMBOL_NE, YYSYMBOL_LT, YYSYMBOL_LE, YYSYMBOL_GT,
		   YYSYMBOL_GE, YYSYMBOL_IN, YYSYMBOL_NOT, YYSYMBOL_PLUS, YYSYMBOL_MINUS, YYSYMBOL_STAR,
		   YYSYMBOL_SLASH, YYSYMBOL_DOT, YYSYMBOL_EARNED, YYSYMBOL_LPAREN, YYSYMBOL_CURRENCY, YYSYMBOL_MINUTE,
		   YYSYMBOL_MINUTES, YYSYMBOL_HOUR, YYSYMBOL_HOURS, YYSYMBOL_DAY, YYSYMBOL_DAYS, YYSYMBOL_WEEK,
		   YYSYMBOL_WEEKS, YYSYMBOL_MONTH, YYSYMBOL_MONTHS, YYSYMBOL_YEAR, YYSYMBOL_YEARS);
}

/* Optional parts that are not what a reader most likely missed. */
static symset optional_parts(void)
{
	return SET(YYSYMBOL_WHERE, YYSYMBOL_FROM, YYSYMBOL_UNTIL, YYSYMBOL_GRACE, YYSYMBOL_ROUNDED,
		   YYSYMBOL_VERSION, YYSYMBOL_OPTIONAL, YYSYMBOL_WITH, YYSYMBOL_THEN, YYSYMBOL_OF, YYSYMBOL_TIMES,
		   YYSYMBOL_COMMA, YYSYMBOL_IN, YYSYMBOL_AT, YYSYMBOL_FOR, YYSYMBOL_WITHIN, YYSYMBOL_EXPIRES,
		   YYSYMBOL_PENDING);
}

static symset decl_tokens(void)
{
	return SET(YYSYMBOL_PROGRAM, YYSYMBOL_OVERLAY, YYSYMBOL_LIBRARY, YYSYMBOL_USE, YYSYMBOL_CURRENCY_KW,
		   YYSYMBOL_TIMEZONE, YYSYMBOL_ALLOW, YYSYMBOL_PARAM, YYSYMBOL_DISABLE, YYSYMBOL_ENUM, YYSYMBOL_EVENT,
		   YYSYMBOL_RECORD, YYSYMBOL_WALLET, YYSYMBOL_TIERS, YYSYMBOL_LEVELS, YYSYMBOL_RULE,
		   YYSYMBOL_CHALLENGE, YYSYMBOL_BONUS, YYSYMBOL_QUEST, YYSYMBOL_OVERRIDE, YYSYMBOL_MISSION,
		   YYSYMBOL_STREAK, YYSYMBOL_BADGES, YYSYMBOL_CATALOGUE, YYSYMBOL_EXPERIMENT, YYSYMBOL_GROUP);
}

static const token_group *groups(size_t *n)
{
	static token_group g[10];
	static bool ready;
	if (!ready) {
		g[0] = (token_group){decl_tokens(), "a declaration (`rule`, `wallet`, `param`...)", false};
		g[1] = (token_group){SET(YYSYMBOL_RULE, YYSYMBOL_CHALLENGE, YYSYMBOL_BONUS, YYSYMBOL_QUEST),
				     "a rule (`rule`, `challenge`, `bonus` or `quest`)", true};
		g[2] = (token_group){SET(YYSYMBOL_AWARD, YYSYMBOL_DEBIT, YYSYMBOL_BADGE, YYSYMBOL_NOTIFY),
				     "an action (`award`, `debit`, `badge` or `notify`)", true};
		g[3] = (token_group){SET(YYSYMBOL_LIMIT, YYSYMBOL_ONCE, YYSYMBOL_BUDGET, YYSYMBOL_UNLIMITED),
				     "a cap (`limit`, `once`, `budget` or `unlimited`)", true};
		g[4] = (token_group){SET(YYSYMBOL_INT, YYSYMBOL_DECIMAL, YYSYMBOL_PERCENT, YYSYMBOL_STRING, YYSYMBOL_DATE,
					 YYSYMBOL_TIMESTAMP, YYSYMBOL_TRUE, YYSYMBOL_FALSE, YYSYMBOL_NOT, YYSYMBOL_MINUS,
					 YYSYMBOL_COUNT, YYSYMBOL_ANY, YYSYMBOL_ALL, YYSYMBOL_SUM, YYSYMBOL_LBRACE,
					 YYSYMBOL_LPAREN, YYSYMBOL_DEEP, NAME_TOKENS),
				     "a value", true};
		g[5] = (token_group){SET(YYSYMBOL_MINUTE, YYSYMBOL_MINUTES, YYSYMBOL_HOUR, YYSYMBOL_HOURS, YYSYMBOL_DAY,
					 YYSYMBOL_DAYS, YYSYMBOL_WEEK, YYSYMBOL_WEEKS, YYSYMBOL_MONTH, YYSYMBOL_MONTHS,
					 YYSYMBOL_YEAR, YYSYMBOL_YEARS),
				     "a unit of time (`days`, `weeks`, `months`...)", true};
		g[6] = (token_group){SET(YYSYMBOL_LIST, YYSYMBOL_COUNT, YYSYMBOL_NUMBER, YYSYMBOL_MONEY, YYSYMBOL_STRING_KW,
					 YYSYMBOL_BOOL, YYSYMBOL_DATE_KW, YYSYMBOL_TIMESTAMP_KW, YYSYMBOL_DURATION),
				     "a type (`count`, `money`, `string`...)", true};
		g[7] = (token_group){SET(YYSYMBOL_DAY, YYSYMBOL_WEEK, YYSYMBOL_MONTH, YYSYMBOL_YEAR, YYSYMBOL_CUSTOMER,
					 YYSYMBOL_CAMPAIGN),
				     "a period (`day`, `week`, `month`, `year`, `customer` or `campaign`)", true};
		g[8] = (token_group){SET(YYSYMBOL_DAY, YYSYMBOL_WEEK, YYSYMBOL_MONTH, YYSYMBOL_YEAR),
				     "`day`, `week`, `month` or `year`", true};
		g[9] = (token_group){SET(NAME_TOKENS), "a name", false}; /* must stay last */
		ready = true;
	}
	*n = sizeof g / sizeof g[0];
	return g;
}

/* How a message names an expected token: "`award`", "a name". */
static const char *expected_word(parse_ctx *c, int k)
{
	if (k == YYSYMBOL_YYEOF)
		return "the end of the file";
	const char *n = symbol_spelling(k);
	if (strncmp(n, "a ", 2) == 0 || strncmp(n, "an ", 3) == 0)
		return n;
	return arena_printf(c->a, "`%s`", n);
}

/* How a message names the token found: its text as written. */
static const char *found_word(parse_ctx *c, int k, span sp)
{
	if (k == YYSYMBOL_YYEOF)
		return "the end of the file";
	if (k == YYSYMBOL_DEEP)
		return "a group nested too deep";
	/* k < 0: just the text */
	uint32_t len = sp.end > sp.start ? sp.end - sp.start : 0;
	const char *text = c->src->text + sp.start;
	if (len > 40) {
		/* cut at a UTF-8 boundary */
		uint32_t cut = 36;
		while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut--;
		return arena_printf(c->a, "`%.*s...`", (int)cut, text);
	}
	return arena_printf(c->a, "`%.*s`", (int)len, text);
}

/* The symbols on the parser's stack, bottom first (at most `max`). */
static int stack_symbols(const yypcontext_t *yyctx, int *out, int max)
{
	int n = 0;
	for (const yy_state_t *p = yyctx->yyssp; *p != 0 && n < max; p--)
		n++;
	const yy_state_t *p = yyctx->yyssp - (n - 1);
	for (int i = 0; i < n; i++)
		out[i] = YY_ACCESSING_SYMBOL(p[i]);
	return n;
}

static bool is_decl_start(int sym)
{
	switch (sym) {
	case YYSYMBOL_k_program: case YYSYMBOL_k_overlay: case YYSYMBOL_k_library: case YYSYMBOL_k_use:
	case YYSYMBOL_k_currency: case YYSYMBOL_k_timezone: case YYSYMBOL_k_allow: case YYSYMBOL_k_param:
	case YYSYMBOL_k_disable: case YYSYMBOL_k_enum: case YYSYMBOL_k_event: case YYSYMBOL_k_record:
	case YYSYMBOL_k_wallet: case YYSYMBOL_k_tiers: case YYSYMBOL_k_levels: case YYSYMBOL_k_override:
	case YYSYMBOL_k_mission: case YYSYMBOL_k_streak: case YYSYMBOL_k_badges: case YYSYMBOL_k_catalogue:
	case YYSYMBOL_k_experiment: case YYSYMBOL_k_group: case YYSYMBOL_rule_kw:
		return true;
	default:
		return false;
	}
}

/* Where the parser is, for "expected `:` after the rule's trigger": what
 * the innermost declaration is, and what of it has been read. */
typedef struct where_info {
	int decl;            /* k_* symbol (or rule_kw) of the innermost declaration, 0 if none */
	bool after_colon;    /* a `:` after it (rule and streak bodies) */
	bool trigger;        /* `on` / `when` read (rule, streak) */
	bool in_braces;      /* a `{` of the declaration is open */
	int open_paren;      /* `(` open within it */
	int top;             /* symbol on top of the stack */
	int below;           /* and the one under it */
	int below2;          /* and the one under that */
} where_info;

static where_info locate(const yypcontext_t *yyctx)
{
	int syms[4096];
	int n = stack_symbols(yyctx, syms, 4096);
	where_info w = {0};
	w.top = n > 0 ? syms[n - 1] : 0;
	w.below = n > 1 ? syms[n - 2] : 0;
	w.below2 = n > 2 ? syms[n - 3] : 0;
	int start = -1;
	for (int i = n - 1; i >= 0; i--)
		if (is_decl_start(syms[i])) {
			start = i;
			break;
		}
	if (start < 0)
		return w;
	w.decl = syms[start];
	int braces = 0;
	for (int i = start + 1; i < n; i++) {
		switch (syms[i]) {
		case YYSYMBOL_COLON: w.after_colon = true; break;
		case YYSYMBOL_ON: case YYSYMBOL_WHEN: case YYSYMBOL_trigger: w.trigger = true; break;
		case YYSYMBOL_LBRACE: braces++; break;
		case YYSYMBOL_RBRACE: braces--; break;
		case YYSYMBOL_LPAREN: w.open_paren++; break;
		case YYSYMBOL_RPAREN: w.open_paren--; break;
		default: break;
		}
	}
	w.in_braces = braces > 0;
	return w;
}

static const char *decl_noun(int decl)
{
	switch (decl) {
	case YYSYMBOL_rule_kw: case YYSYMBOL_k_override: return "the rule";
	case YYSYMBOL_k_streak: return "the streak";
	case YYSYMBOL_k_mission: return "the mission";
	case YYSYMBOL_k_tiers: return "the tiers";
	case YYSYMBOL_k_levels: return "the levels";
	case YYSYMBOL_k_enum: return "the enum";
	case YYSYMBOL_k_event: return "the event";
	case YYSYMBOL_k_record: return "the record";
	case YYSYMBOL_k_badges: return "the badges";
	case YYSYMBOL_k_catalogue: return "the catalogue";
	case YYSYMBOL_k_experiment: return "the experiment";
	case YYSYMBOL_k_group: return "the group";
	default: return NULL;
	}
}

static bool is_comparison(int k)
{
	return k == YYSYMBOL_EQ || k == YYSYMBOL_NE || k == YYSYMBOL_LT || k == YYSYMBOL_LE || k == YYSYMBOL_GT ||
	       k == YYSYMBOL_GE;
}

/* The spelling of keyword `k`, or NULL if `k` is not a keyword. */
static const char *keyword_text(int k)
{
	if (k <= YYSYMBOL_DEEP || k >= YYNTOKENS)
		return NULL;
	const char *n = symbol_spelling(k);
	return n[0] >= 'a' && n[0] <= 'z' ? n : NULL;
}

static bool in_expression(int sym)
{
	switch (sym) {
	case YYSYMBOL_expr: case YYSYMBOL_primary: case YYSYMBOL_name: case YYSYMBOL_duration:
	case YYSYMBOL_PLUS: case YYSYMBOL_MINUS: case YYSYMBOL_STAR: case YYSYMBOL_SLASH: case YYSYMBOL_DOT:
	case YYSYMBOL_INT: case YYSYMBOL_DECIMAL: case YYSYMBOL_PERCENT: case YYSYMBOL_STRING:
	case YYSYMBOL_DATE: case YYSYMBOL_TIMESTAMP: case YYSYMBOL_CURRENCY: case YYSYMBOL_unit:
	case YYSYMBOL_EARNED: case YYSYMBOL_IDENT: case YYSYMBOL_TRUE: case YYSYMBOL_FALSE:
	case YYSYMBOL_CUSTOMER: case YYSYMBOL_REGION: case YYSYMBOL_STAFF: case YYSYMBOL_BIRTHDAY:
	case YYSYMBOL_REVIEW: case YYSYMBOL_AT:
		return true;
	default:
		return false;
	}
}

/* Looks under the expression being read, if any: the symbol before it
 * (`award` in `award total / 1 EUR`), and whether a comparison was passed
 * on the way (`a < b` then `<` again: comparisons do not chain). */
static int under_expression(const yypcontext_t *yyctx, bool *comparison)
{
	int syms[256];
	int n = stack_symbols(yyctx, syms, 256);
	*comparison = false;
	for (int i = n - 1; i >= 0; i--) {
		if (is_comparison(syms[i]))
			*comparison = true;
		else if (!in_expression(syms[i]))
			return syms[i];
	}
	return 0;
}

/* A syntax error being described. */
typedef struct syntax_error {
	parse_ctx *c;       /* the parse */
	int found;          /* symbol kind of the token found */
	span found_sp;      /* its span */
	const char *found_text; /* its text */
	symset all;         /* every token that could have come instead */
	symset exp;         /* those worth naming (continuations and optional parts left out) */
	where_info w;       /* where in the declaration */
	int base;           /* the symbol under the expression being read (`award` in `award x`), or 0 */
	bool passed_cmp;    /* that expression has a comparison in it already */
	bool gap;           /* the token found opens a later line than the previous token */
	const char *items[8]; /* what was expected, in words, most likely first */
	int nitems;         /* entries in items */
	bool too_many;      /* more than fit in `items` */
} syntax_error;

/* The tokens worth naming: leave out what only continues the previous token
 * (operators after a value, units after a number) and optional parts, when
 * something else is expected. */
static void expected_tokens(syntax_error *e)
{
	symset cont = continuations(), opt = optional_parts();
	symset rest = e->exp = e->all;
	if (in_expression(e->w.top)) {
		set_remove(&rest, &cont);
		if (set_count(&rest) > 0)
			e->exp = rest;
	}
	rest = e->exp;
	set_remove(&rest, &opt);
	if (set_count(&rest) > 0)
		e->exp = rest;
	symset decls = decl_tokens();
	if (set_meets(&e->exp, &decls) && set_has(&e->exp, YYSYMBOL_YYEOF)) {
		symset eof = SET(YYSYMBOL_YYEOF);
		set_remove(&e->exp, &eof);
	}
}

/* Names groups of tokens as one item each, then single tokens; a whole
 * group must be expected in full, and not only as a continuation. */
static void expected_items(syntax_error *e)
{
	size_t ngroups;
	const token_group *g = groups(&ngroups);
	for (size_t i = 0; i < ngroups; i++) {
		bool named = g[i].whole ? set_covers(&e->all, &g[i].set) && set_meets(&e->exp, &g[i].set)
					: set_meets(&e->exp, &g[i].set);
		if (i == ngroups - 1) /* names: only when any name will do */
			named = set_has(&e->exp, YYSYMBOL_IDENT);
		if (!named)
			continue;
		const char *phrase = g[i].phrase;
		if (i == ngroups - 1 && in_expression(e->w.top) &&
		    (e->base == YYSYMBOL_AWARD || e->base == YYSYMBOL_DEBIT || e->base == YYSYMBOL_BUDGET ||
		     e->base == YYSYMBOL_COSTS || e->base == YYSYMBOL_REWARD))
			phrase = "the wallet's name";
		if (e->nitems < 8)
			e->items[e->nitems++] = phrase;
		set_remove(&e->exp, &g[i].set);
	}
	for (int k = 0; k < YYNTOKENS; k++) {
		if (!set_has(&e->exp, k))
			continue;
		if (e->nitems < 8)
			e->items[e->nitems++] = expected_word(e->c, k);
		else
			e->too_many = true;
	}
	/* The structure first: `:`, `{`, `}`, `)`. */
	for (int i = 0; i < e->nitems; i++) {
		const char *t = e->items[i];
		if (strcmp(t, "`:`") == 0 || strcmp(t, "`)`") == 0 || strcmp(t, "`}`") == 0 || strcmp(t, "`{`") == 0) {
			memmove(e->items + 1, e->items, (size_t)i * sizeof e->items[0]);
			e->items[0] = t;
		}
	}
}

/* Where in the declaration, for the message: " after the rule's trigger",
 * " to close the tiers"... ("" if nothing useful). Sets *colon_help when
 * the trigger lacks its `:`. */
static const char *where_phrase(syntax_error *e, bool *colon_help)
{
	const where_info *w = &e->w;
	const char *noun = decl_noun(w->decl);
	bool want_colon = set_has(&e->all, YYSYMBOL_COLON);
	bool at_end = e->found == YYSYMBOL_YYEOF;
	*colon_help = false;
	if (at_end && set_has(&e->all, YYSYMBOL_RPAREN) && w->open_paren > 0) {
		e->items[0] = "`)`", e->nitems = 1, e->too_many = false;
		return " to close `(`";
	}
	if (at_end && set_has(&e->all, YYSYMBOL_RBRACE) && w->in_braces && noun) {
		e->items[0] = "`}`", e->nitems = 1, e->too_many = false;
		return arena_printf(e->c->a, " to close %s", noun);
	}
	if (want_colon && !w->after_colon && w->trigger &&
	    (w->decl == YYSYMBOL_rule_kw || w->decl == YYSYMBOL_k_override || w->decl == YYSYMBOL_k_streak)) {
		*colon_help = true;
		return w->decl == YYSYMBOL_k_streak ? " after the streak's period" : " after the rule's trigger";
	}
	if (set_has(&e->all, YYSYMBOL_LBRACE) && !w->in_braces &&
	    (w->decl == YYSYMBOL_k_tiers || w->decl == YYSYMBOL_k_levels))
		return " after the metric of the ladder";
	if (set_has(&e->all, YYSYMBOL_RPAREN) && w->open_paren > 0 && e->nitems <= 2)
		return " to close `(`";
	if (set_has(&e->all, YYSYMBOL_RBRACE) && w->in_braces && noun && e->nitems <= 4)
		return arena_printf(e->c->a, " in %s", noun);
	return "";
}

/* Mistakes common enough to deserve their own sentence; true if `e` was
 * one of them (and is reported). */
static bool special_case(syntax_error *e)
{
	parse_ctx *c = e->c;
	const char *msg = NULL, *help = NULL;
	span sp = e->found_sp;
	if (e->found == YYSYMBOL_HOLD && e->w.decl == YYSYMBOL_k_levels) {
		msg = "levels have no `hold`: a level follows its metric at once";
		help = "remove `hold`, or use `tiers` for a status that is kept for a while";
	} else if (e->found == YYSYMBOL_EVERY && e->w.decl == YYSYMBOL_k_levels && c->prev_tok == T_REVIEW) {
		msg = "levels have no `review`: a level follows its metric at once";
		help = "remove `review every ...`, or use `tiers` for a status reviewed at fixed times";
		sp = span_join(c->prev_sp, sp);
	} else if (e->found == YYSYMBOL_RPAREN && e->w.open_paren <= 0 && !set_has(&e->all, YYSYMBOL_RPAREN)) {
		msg = "unexpected `)`: it closes no `(`";
		help = "remove it, or add the `(` it should close";
	} else if (e->found == YYSYMBOL_RBRACE && !e->w.in_braces && !set_has(&e->all, YYSYMBOL_RBRACE)) {
		msg = "unexpected `}`: it closes no `{`";
		help = "remove it, or add the `{` it should close";
	} else if (e->w.top == YYSYMBOL_WHEN && e->w.decl != 0 && set_has(&e->all, YYSYMBOL_NO)) {
		msg = arena_printf(c->a, "expected `no`, `birthday`, a wallet or a duration after `when`, found %s",
				   found_word(c, e->found, e->found_sp));
		help = "write `when no purchase for 90 days`, `when points expire within 30 days`, `when birthday` "
		       "or `when 7 days after signup`";
	}
	if (!msg)
		return false;
	diag *g = diag_add(c->d, DIAG_E0105, sp, "%s", msg);
	diag_help(g, c->d, "%s", help);
	return true;
}

/* A help line when the fix can be guessed. */
static void add_help(syntax_error *e, diag *d, bool chain, bool colon_help)
{
	parse_ctx *c = e->c;
	int found = e->found;
	const char *text = e->found_text;
	const symset *all = &e->all;
	symset decls = decl_tokens();
	const char *typo = NULL;
	if (found == YYSYMBOL_IDENT) { /* a misspelt keyword? */
		const char *cands[YYNTOKENS];
		uint32_t nc = 0;
		for (int k = 0; k < YYNTOKENS; k++) {
			const char *kw = set_has(all, k) ? keyword_text(k) : NULL;
			if (kw)
				cands[nc++] = kw;
		}
		typo = diag_suggest(text, cands, nc);
	}
	if (typo)
		diag_help(d, c->d, "did you mean `%s`?", typo);
	else if (found == YYSYMBOL_EQ && e->w.top == YYSYMBOL_EQ)
		diag_help(d, c->d, "compare with a single `=`");
	else if (found == YYSYMBOL_IDENT && set_has(all, YYSYMBOL_ON) && set_has(all, YYSYMBOL_WHEN))
		diag_help(d, c->d, "say when the rule runs: `on %s` runs it on each `%s` event", text, text);
	else if (chain)
		diag_help(d, c->d, "comparisons do not chain: write `a < b and b < c`");
	else if (colon_help)
		diag_help(d, c->d, "end the trigger with `:` and write the actions after it");
	else if ((found == YYSYMBOL_DAYS || found == YYSYMBOL_WEEKS || found == YYSYMBOL_MONTHS ||
		  found == YYSYMBOL_YEARS) && set_has(all, YYSYMBOL_DAY) && !set_has(all, YYSYMBOL_DAYS))
		diag_help(d, c->d, "write the period in the singular: `%.*s`", (int)strlen(text) - 1, text);
	else if (found == YYSYMBOL_STRING && set_has(all, YYSYMBOL_IDENT) && !set_has(all, YYSYMBOL_STRING))
		diag_help(d, c->d, "a name is written without quotes");
	else if (set_has(all, YYSYMBOL_STRING) && !set_has(all, YYSYMBOL_IDENT) && !e->gap &&
		 (found == YYSYMBOL_IDENT || (keyword_text(found) && !set_has(&decls, found))))
		diag_help(d, c->d, "write the name in double quotes: `\"%s\"`", text);
	else if (found == YYSYMBOL_INT && set_has(all, YYSYMBOL_DAYS) && !set_has(all, YYSYMBOL_INT))
		diag_help(d, c->d, "a duration needs a unit: `%s days`", text);
	else if (in_expression(e->w.top) && (e->base == YYSYMBOL_AWARD || e->base == YYSYMBOL_DEBIT) &&
		 set_has(all, YYSYMBOL_IDENT))
		diag_help(d, c->d, "write the amount, then the wallet: `%s 10 points`",
			  e->base == YYSYMBOL_AWARD ? "award" : "debit");
	else if (keyword_text(found) && !e->gap && set_has(all, YYSYMBOL_IDENT) && !set_has(all, found))
		diag_help(d, c->d, "`%s` is a word of the language and cannot be used as a name", text);
}

/* E0105, once per broken declaration: "expected X [where], found Y", or
 * "unexpected Y" when too much would fit, with a help line when the fix
 * can be guessed. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner)
{
	parse_ctx *c = lxget_extra(scanner);
	/* Recovery goes back to the top level: the brackets open now are
	 * forgotten, and the lexer drops their closers. */
	c->stale_open = c->open;
	/* One error per broken declaration: a lexical error already said what is wrong. */
	if (c->lex_error)
		return 0;

	syntax_error e;
	memset(&e, 0, sizeof e);
	e.c = c;
	e.found = yypcontext_token(yyctx);
	e.found_sp = *yypcontext_location(yyctx);
	e.found_text = arena_strndup(c->a, c->src->text + e.found_sp.start, e.found_sp.end - e.found_sp.start);
	yysymbol_kind_t list[YYNTOKENS];
	int n = yypcontext_expected_tokens(yyctx, list, YYNTOKENS);
	if (n < 0)
		return 2;
	for (int i = 0; i < n; i++)
		if (list[i] != YYSYMBOL_YYEMPTY)
			set_add(&e.all, list[i]);
	e.w = locate(yyctx);
	e.base = under_expression(yyctx, &e.passed_cmp);
	expected_tokens(&e);
	expected_items(&e);
	bool colon_help;
	const char *after = where_phrase(&e, &colon_help);
	if (special_case(&e))
		return 0;

	/* When the token found opens a later line, what is missing belongs at
	 * the end of the line before: point there. */
	span sp = e.found_sp;
	const char *fw = found_word(c, e.found, sp);
	bool listed = e.nitems > 0 && e.nitems <= 4 && !e.too_many;
	e.gap = c->prev_tok && (e.found == YYSYMBOL_YYEOF ||
				source_line(c->src, sp.start) > source_line(c->src, c->prev_sp.end));
	if (e.gap && listed) {
		sp = (span){sp.file, c->prev_sp.end, c->prev_sp.end};
		if (!*after)
			after = arena_printf(c->a, " after %s", found_word(c, -1, c->prev_sp));
	}
	diag *d;
	bool chain = is_comparison(e.found) && e.passed_cmp && e.found != YYSYMBOL_EQ;
	if (chain) {
		d = diag_add(c->d, DIAG_E0105, sp, "unexpected %s after a comparison", fw);
	} else if (!listed) {
		d = diag_add(c->d, DIAG_E0105, sp, "unexpected %s%s", fw, after);
	} else {
		const char *list_text = e.items[0];
		for (int i = 1; i < e.nitems; i++)
			list_text = arena_printf(c->a, "%s%s%s", list_text, i == e.nitems - 1 ? " or " : ", ", e.items[i]);
		if (e.gap)
			d = diag_add(c->d, DIAG_E0105, sp, "expected %s%s", list_text, after);
		else
			d = diag_add(c->d, DIAG_E0105, sp, "expected %s%s, found %s", list_text, after, fw);
	}
	add_help(&e, d, chain, colon_help);
	return 0;
}
