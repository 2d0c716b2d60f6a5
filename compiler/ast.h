/* ast.h — the syntax tree of a ludic program, exactly as the parser made it.
 *
 * Every node has a common header {kind, id, span, next}. `next` chains siblings
 * (the items of a list: declarations, actions, clauses, arguments, fields, ...);
 * a list is given by its first node, NULL when empty. Each kind's comment says
 * which member of the union `u` it uses.
 *
 * The tree is never annotated: the checker's results (types, resolved names)
 * live in side tables indexed by node id (see check.h), so the AST stays what
 * the parser made and `ludic fmt` can print it back.
 *
 * All nodes and their strings live in the compilation's arena (arena.h) and are
 * freed with it, in one call.
 */
#ifndef LUDIC_AST_H
#define LUDIC_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "source.h"

/* Fixed-point scale of decimal literals: 1.5 is stored as 15000. Four decimal
 * places are enough for multipliers and rates and keep every value exact. */
#define AST_DECIMAL_SCALE 10000

typedef enum {
	/* --- expressions --- */
	AST_INT,       /* u.num: whole number literal "12" (value in u.num.value) */
	AST_DECIMAL,   /* u.num: decimal literal "1.5" (value * AST_DECIMAL_SCALE) */
	AST_PERCENT,   /* u.num: "15%" (value * AST_DECIMAL_SCALE / 100, so 15% = 1500) */
	AST_MONEY,     /* u.money: "12.50 EUR" (minor units and currency code) */
	AST_DURATION,  /* u.dur: "30 days" (count and unit) */
	AST_STRING,    /* u.str: "text" (unescaped, UTF-8) */
	AST_BOOL,      /* u.num: true (1) / false (0) */
	AST_DATE,      /* u.num: 2027-03-01 (days since 1970-01-01); text in u.num.text */
	AST_TIMESTAMP, /* u.num: 2027-03-01T10:00:00+01:00 (seconds since epoch, UTC); text kept */
	AST_NAME,      /* u.name: an identifier in an expression (field, enum member, tier ladder, param...) */
	AST_FIELD,     /* u.field: `expr.name` */
	AST_UNARY,     /* u.unary: `not e`, `-e` */
	AST_BINARY,    /* u.binary: `a op b` (arithmetic, comparison, and/or, in, not in) */
	AST_CALL,      /* u.call: `fn(args)` — floor, ceil, round, min, max, abs, balance, ... */
	AST_AGG,       /* u.agg: `count(src where c)`, `sum(value of src where c)`, any, all, min, max */
	AST_WINDOW,    /* u.window: `purchase in last 30 days`, `purchase in this month` (aggregate source over history) */
	AST_EARNED,    /* u.earned: `points earned [in last 365 days]` */
	AST_SET,       /* u.list: `{a, b, c}` */

	/* --- actions (what a rule does) --- */
	AST_AWARD,     /* u.award: `award amount wallet [times f when c]* [rounded up|down|nearest]` */
	AST_MULTIPLIER,/* u.mult: `times 2 when channel = app` (inside an award) */
	AST_DEBIT,     /* u.award: `debit amount wallet` (multipliers unused) */
	AST_GIVE_BADGE,/* u.str: `badge "explorer"` */
	AST_NOTIFY,    /* u.notify: `notify "template" [with k = v, ...]` */
	AST_ARG,       /* u.arg: `k = v` (notify parameter, param override) */

	/* --- clauses (how often a rule may act) --- */
	AST_LIMIT,     /* u.limit: `limit 1 per week`, `limit 500 points per month`, `once` (period EVER) */
	AST_BUDGET,    /* u.budget: `budget 50000 points` (campaign total, all customers) */
	AST_UNLIMITED, /* (no member) `unlimited`: a repeatable fixed reward is meant to have no cap */

	/* --- triggers (when a rule runs) --- */
	AST_ON_EVENT,  /* u.trig: `on purchase [where c]` */
	AST_INACTIVE,  /* u.trig: `when no purchase [where c] for 90 days` */
	AST_EXPIRING,  /* u.trig: `when points expire within 30 days` (event = wallet name) */
	AST_BIRTHDAY,  /* u.trig: `when birthday` (flag 0) / `when birthday month` (flag 1) */
	AST_AFTER,     /* u.trig: `when 7 days after signup [where c]` */

	/* --- declarations --- */
	AST_PROGRAM,   /* u.program: `program "name" version "v"` */
	AST_OVERLAY,   /* u.program: `overlay "name" extends "base" for region "r" | for stores "a", "b"` */
	AST_LIBRARY,   /* u.program: `library "retail"` (stdlib modules only; name only) */
	AST_USE,       /* u.str: `use retail` */
	AST_CURRENCY,  /* u.str: `currency EUR` */
	AST_TIMEZONE,  /* u.str: `timezone "Europe/Paris"` */
	AST_LATENESS,  /* u.expr1: `allow late events up to 2 hours` */
	AST_ENUM,      /* u.decl: `enum channel { store, web, app }` (items: AST_NAME list) */
	AST_EVENT,     /* u.decl: `event survey { score: count ... }` (items: AST_FIELD_DECL list) */
	AST_RECORD,    /* u.decl: `record line { ... }` (items: AST_FIELD_DECL list) */
	AST_FIELD_DECL,/* u.fdecl: `name: type [optional]` */
	AST_TYPE,      /* u.type: a type expression: `count`, `money`, `list of line`, `channel` */
	AST_WALLET,    /* u.wallet: `wallet eco "Eco-credits" [for staff] [expires 24 months after earning] [pending 14 days]` */
	AST_TIERS,     /* u.ladder: `tiers status on <metric> { bronze at 0 ... hold 90 days review every month }` */
	AST_LEVELS,    /* u.ladder: `levels rank on xp earned { seedling at 0 ... }` */
	AST_STEP_AT,   /* u.rung: one rung of a ladder: `silver at 500` */
	AST_RULE,      /* u.rule: `rule|challenge|bonus|quest "name" [scope] trigger [from d until d]: actions clauses` */
	AST_MISSION,   /* u.mission: `mission "name" [within D of event] [for c] [from/until] { steps reward }` */
	AST_STEP,      /* u.step: `step "name": event [where c] [, N times] [reward actions]` */
	AST_STREAK,    /* u.streak: `streak "name" on event [where c] every week for 4 weeks [grace 1 week]: actions clauses` */
	AST_BADGES,    /* u.decl: `badges { "explorer" "Completed the discovery mission" ... }` (items: AST_BADGE_DECL) */
	AST_BADGE_DECL,/* u.badge: `"explorer" ["description"]` */
	AST_CATALOGUE, /* u.decl: `catalogue { reward "Free delivery" costs 200 points [for c] ... }` (items: AST_ITEM) */
	AST_ITEM,      /* u.item: one catalogue reward */
	AST_PARAM,     /* u.arg: `param zero_wait_bonus = 5` (a named constant experiments may vary) */
	AST_EXPERIMENT,/* u.experiment: `experiment "name" { variant "A" 50%: ... }` */
	AST_VARIANT,   /* u.variant: `variant "B" 50%: zero_wait_bonus = 8, skip "Zero wait"` */
	AST_SKIP,      /* u.str: `skip "rule name"` (in a variant: that rule does not run) */
	AST_GROUP,     /* u.group: `group "name" best|first { rules }` — exclusive: only one applies */
	AST_DISABLE,   /* u.str: `disable "rule name"` (overlay: the base rule does not run there) */
	AST_SCOPE,     /* u.scope: `in region "north"` / `at stores "S1", "S2"` */
	AST_FILE,      /* u.file: a whole source file: its declarations */
	AST_ERROR,     /* (no member) placeholder the parser leaves where it recovered from an error */

	AST_KIND_COUNT
} ast_kind;

/* Binary and unary operators. */
typedef enum {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_AND, OP_OR, OP_IN, OP_NOT_IN,
	OP_NOT, OP_NEG,
} ast_op;

/* Units of duration literals; also calendar periods for `per`, `every`, `in this`. */
typedef enum {
	UNIT_MINUTE, UNIT_HOUR, UNIT_DAY, UNIT_WEEK, UNIT_MONTH, UNIT_YEAR,
	UNIT_EVER,     /* `once` / `limit 1 per customer`: the period never ends */
	UNIT_CAMPAIGN, /* `limit 3 per campaign`: from the rule's `from` to its `until` */
} ast_unit;

/* Aggregate functions over basket lines or event history. */
typedef enum { AGG_COUNT, AGG_SUM, AGG_ANY, AGG_ALL, AGG_MIN, AGG_MAX } ast_agg;

/* Rounding of an award whose amount is not whole. Default: down. */
typedef enum { ROUND_DEFAULT, ROUND_DOWN, ROUND_UP, ROUND_NEAREST } ast_rounding;

/* Kinds of rule: all behave as a rule; the kind is shown in reports and
 * `quest` credits the event's staff member instead of the customer. */
typedef enum { RULE_RULE, RULE_CHALLENGE, RULE_BONUS, RULE_QUEST } ast_rule_kind;

/* Exclusive group policies. */
typedef enum { GROUP_BEST, GROUP_FIRST } ast_group_mode;

typedef struct ast_node ast_node;

struct ast_node {
	ast_kind kind;
	uint32_t id;      /* dense, 0..n-1 per compilation: index into the checker's side tables */
	span sp;          /* where it was written */
	ast_node *next;   /* next sibling in a list, or NULL */
	union {
		struct { int64_t value; const char *text; } num;       /* INT DECIMAL PERCENT BOOL DATE TIMESTAMP; text = as written */
		struct { int64_t minor; char currency[4]; const char *text; } money;
		struct { int64_t count; ast_unit unit; } dur;
		struct { const char *s; } str;                          /* STRING USE CURRENCY TIMEZONE GIVE_BADGE SKIP DISABLE */
		struct { const char *s; } name;                         /* NAME */
		struct { ast_node *obj; const char *name; span name_sp; } field;
		struct { ast_op op; ast_node *e; } unary;
		struct { ast_op op; ast_node *l, *r; } binary;
		struct { const char *fn; span fn_sp; ast_node *args; } call;
		struct { ast_agg fn; ast_node *value; ast_node *src; ast_node *where; } agg; /* value NULL for count/any/all */
		struct { ast_node *event; ast_node *length; ast_unit this_period; bool is_this; } window; /* event: AST_NAME; length: AST_DURATION (in last) or NULL (in this <period>) */
		struct { ast_node *wallet; ast_node *window; } earned;  /* wallet: AST_NAME; window: AST_DURATION or NULL (lifetime) */
		struct { ast_node *items; } list;                       /* SET */
		struct { ast_node *amount; ast_node *wallet; ast_node *mults; ast_rounding rounding; } award; /* wallet: AST_NAME */
		struct { ast_node *factor; ast_node *cond; } mult;
		struct { ast_node *tmpl; ast_node *args; } notify;      /* tmpl: AST_STRING; args: AST_ARG list */
		struct { const char *key; span key_sp; ast_node *value; } arg;
		struct { ast_node *amount; ast_node *wallet; ast_unit per; } limit; /* wallet NULL: a count of times */
		struct { ast_node *amount; ast_node *wallet; } budget;
		struct { ast_node *event; ast_node *where; ast_node *dur; bool month; } trig; /* event: AST_NAME; dur: AST_DURATION */
		struct { ast_node *name; ast_node *version; ast_node *base; ast_node *scope; } program; /* STRINGs; base/scope for overlays */
		struct { ast_node *expr; } expr1;
		struct { const char *name; span name_sp; ast_node *items; } decl;
		struct { const char *name; span name_sp; ast_node *type; bool optional; } fdecl;
		struct { const char *name; span name_sp; ast_node *elem; } type; /* name "list" with elem for `list of T` */
		struct { const char *name; span name_sp; ast_node *label; bool staff; ast_node *expires; ast_node *pending; } wallet;
		struct { const char *name; span name_sp; ast_node *metric; ast_node *rungs; ast_node *hold; ast_unit review; bool has_review; } ladder;
		struct { const char *name; span name_sp; ast_node *at; } rung;
		struct {
			ast_rule_kind kind;
			bool override;     /* overlay: `override rule "x" ...` replaces the base rule */
			ast_node *name;    /* AST_STRING */
			ast_node *scope;   /* AST_SCOPE or NULL */
			ast_node *trigger; /* AST_ON_EVENT, AST_INACTIVE, AST_EXPIRING, AST_BIRTHDAY, AST_AFTER */
			ast_node *from, *until; /* AST_DATE or NULL */
			ast_node *actions; /* AST_AWARD, AST_DEBIT, AST_GIVE_BADGE, AST_NOTIFY list */
			ast_node *clauses; /* AST_LIMIT, AST_BUDGET, AST_UNLIMITED list */
		} rule;
		struct {
			ast_node *name; ast_node *scope;
			ast_node *within; ast_node *anchor; /* within: AST_DURATION; anchor: AST_NAME (event) or NULL = first step */
			ast_node *audience;                 /* `for <cond>` or NULL */
			ast_node *from, *until;
			ast_node *steps;                    /* AST_STEP list */
			ast_node *reward;                   /* actions on completion */
		} mission;
		struct { ast_node *name; ast_node *event; ast_node *where; ast_node *times; ast_node *reward; } step;
		struct {
			ast_node *name; ast_node *scope; ast_node *event; ast_node *where;
			ast_unit every; ast_node *length; ast_node *grace; /* length, grace: AST_DURATION */
			ast_node *from, *until;
			ast_node *actions; ast_node *clauses;
		} streak;
		struct { ast_node *name; ast_node *description; } badge;
		struct { ast_node *name; ast_node *cost; ast_node *wallet; ast_node *cond; } item;
		struct { ast_node *name; ast_node *variants; } experiment;
		struct { ast_node *name; ast_node *share; ast_node *changes; } variant; /* share: AST_PERCENT; changes: AST_ARG / AST_SKIP */
		struct { ast_node *name; ast_group_mode mode; ast_node *rules; } group;
		struct { bool stores; ast_node *values; } scope;         /* values: AST_STRING list */
		struct { ast_node *decls; } file;
	} u;
};

/* Allocates a node of `kind` at `sp` in `a`, with the next dense id from `*next_id`. */
ast_node *ast_new(arena *a, uint32_t *next_id, ast_kind kind, span sp);

/* Appends `item` (which may itself be a chain) at the end of list `head`; returns the head. */
ast_node *ast_append(ast_node *head, ast_node *item);

/* Number of nodes in a list. */
uint32_t ast_list_len(const ast_node *head);

/* The name of a kind, of an operator, of a unit ("day", "week", ...). */
const char *ast_kind_name(ast_kind k);
const char *ast_op_text(ast_op op);
const char *ast_unit_name(ast_unit u, bool plural);

/* `ludic dump --ast`: an indented S-expression-like tree. With `positions`
 * false, spans are left out, so two parses of equivalent text compare equal. */
void ast_dump(FILE *out, const ast_node *file, const source_set *srcs, bool positions);

/* `ludic fmt`: prints `file` in the one canonical layout, with the comments
 * of `src` put back where they were. */
void ast_format(FILE *out, const ast_node *file, const source *src);

#endif
