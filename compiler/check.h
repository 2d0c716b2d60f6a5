/* check.h — name resolution, types with units, and the checks beyond types.
 *
 * chk_check() takes the parsed stdlib modules (`libs`) and the user's files
 * (a program, possibly with overlays that extend it) and produces a
 * chk_result: symbol tables for every declaration, in program order, and side
 * tables indexed by AST node id that say what each expression's type is, what
 * each name resolved to, and which expressions are constants (with their
 * value). The AST itself is never modified (cel-go's checker keeps typeMap
 * and refMap the same way).
 *
 * The checker reports every problem it finds in one run: after an error the
 * offending node gets the error type (types.h), which silences everything
 * that depends on it, and checking goes on. It never crashes on a tree the
 * parser can make, including AST_ERROR nodes and missing optional parts.
 *
 * The next stage (lowering to IR) reads chk_result; everything it needs is
 * in the public structures below. Everything lives in the arena given to
 * chk_check and dies with it.
 */
#ifndef LUDIC_CHECK_H
#define LUDIC_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"
#include "types.h"

/* History kept per customer, in days: windows may not be longer (E0405). */
#define CHK_MAX_HISTORY_DAYS 1096
/* Fields per event or record, the implicit id, customer and at included:
 * the runtime keeps a presence bit per field in one 64-bit word
 * (runtime/event.h, RT_MAX_FIELDS). More is E0214. */
#define CHK_MAX_FIELDS 63

/* ---- constant values ---- */

typedef enum {
	CHK_VAL_NONE,      /* not a constant (depends on the event or the customer) */
	CHK_VAL_BOOL,      /* i: 0 or 1 */
	CHK_VAL_NUMBER,    /* i: count, number, points or a percentage, times AST_DECIMAL_SCALE */
	CHK_VAL_MONEY,     /* i: minor units (cents); currency */
	CHK_VAL_DURATION,  /* i: seconds (only for minutes, hours, days, weeks: months vary) */
	CHK_VAL_DATE,      /* i: days since 1970-01-01 */
	CHK_VAL_TIMESTAMP, /* i: seconds since the epoch, UTC */
	CHK_VAL_STRING,    /* s */
	CHK_VAL_ENUM,      /* i: index of the member in its enum */
	CHK_VAL_RUNG,      /* i: index of the rung in its ladder (0 = lowest) */
} chk_value_kind;

typedef struct chk_value {
	chk_value_kind kind;         /* what `i`/`s` hold; NONE: not a constant */
	int64_t i;          /* the value, scaled as the kind says */
	const char *s;      /* CHK_VAL_STRING: the text */
	char currency[4];   /* CHK_VAL_MONEY: the currency */
} chk_value;

/* ---- declarations ---- */

typedef enum {
	CHK_UNIT_LIBRARY, /* a stdlib module: `library "retail"` */
	CHK_UNIT_PROGRAM, /* a user program: `program "maison-verte"` */
	CHK_UNIT_OVERLAY, /* `overlay "north" extends "maison-verte" for region "north"` */
} chk_unit_kind;

/* A changed param in an overlay: `param zero_wait_bonus = 10`. */
typedef struct chk_param_change {
	const struct chk_param *param; /* the base program's param */
	const ast_node *decl;          /* the AST_PARAM in the overlay */
	const ast_node *value;         /* its new value (an expression of the param's type) */
	chk_value constant;            /* that value, folded */
} chk_param_change;

/* One source file and what it declares. Libraries come first in
 * chk_result.units, then the user's files in the order given. */
typedef struct chk_unit {
	chk_unit_kind kind;          /* library, program or overlay */
	const char *name;            /* program, overlay or library name ("" when the header is missing) */
	const char *version;         /* `version "2027.03"` or NULL */
	const ast_node *file;        /* its AST_FILE */
	const ast_node *header;      /* AST_PROGRAM / AST_OVERLAY / AST_LIBRARY, or NULL */
	int32_t base;                /* overlay: unit index of the program it extends; -1 otherwise */
	const ast_node *scope;       /* overlay: AST_SCOPE (`for region "north"` / `for stores ...`), else NULL */
	uint32_t *uses;              /* unit indices of the libraries named by `use` */
	uint32_t nuses;              /* entries in uses */
	char currency[4];            /* `currency EUR` (default "EUR"); an overlay has its base's */
	const char *timezone;        /* `timezone "Europe/Paris"`, or NULL (the runtime's default: UTC) */
	int64_t lateness;            /* `allow late events up to 2 hours`, in seconds (0: none) */
	uint32_t *disabled;          /* overlay: indices in chk_result.rules of base rules `disable`d */
	uint32_t ndisabled;          /* entries in disabled */
	chk_param_change *param_changes; /* overlay: base params given a new value */
	uint32_t nparam_changes;     /* entries in param_changes */
	struct chk_names *names;     /* private to the checker: its name tables and lookup chain */
} chk_unit;

typedef struct chk_field {
	const char *name;            /* as written in the program */
	const ty *type;              /* money fields of libraries have currency "" (the program's) */
	bool optional;               /* `staff: string optional`: may be absent from an event */
	bool implicit;               /* id, customer, at: every event has them without declaring them */
	const ast_node *decl;        /* AST_FIELD_DECL, NULL when implicit */
} chk_field;

/* An event or a record (`line`). Events get the implicit fields first:
 * id (string), customer (string), at (timestamp). */
typedef struct chk_record {
	const char *name;            /* as written in the program */
	bool is_event;               /* an `event` (triggers rules), else a `record` */
	uint32_t unit;               /* unit that declares it */
	const ast_node *decl;        /* AST_EVENT / AST_RECORD */
	chk_field *fields;           /* in declaration order (implicit ones first for events) */
	uint32_t nfields;            /* entries in fields */
	bool has_staff;              /* event with a `staff: string` field (quests credit that person) */
	const ty *type;              /* TY_EVENT / TY_RECORD */
	uint32_t index;              /* in chk_result.records */
} chk_record;

typedef struct chk_enum {
	const char *name;            /* as written in the program */
	uint32_t unit;               /* the declaring file: index in chk_result.units */
	const ast_node *decl;        /* AST_ENUM */
	const char **members;        /* in declaration order; a value is an index into this */
	const ast_node **member_decls; /* the AST_NAME of each member */
	uint32_t nmembers;           /* entries in members */
	const ty *type;              /* TY_ENUM */
	uint32_t index;              /* in chk_result.enums */
} chk_enum;

typedef struct chk_wallet {
	const char *name;            /* as written in the program */
	const char *label;           /* `wallet eco "Eco-credits"`: the label, or NULL */
	bool staff;                  /* `for staff`: credited to sales associates, never to customers */
	const ast_node *expires;     /* AST_DURATION of `expires 12 months after earning`, or NULL */
	const ast_node *pending;     /* AST_DURATION of `pending 14 days`, or NULL */
	uint32_t unit;               /* the declaring file: index in chk_result.units */
	const ast_node *decl;        /* AST_WALLET */
	const ty *type;              /* points of this wallet */
	bool awarded;                /* some rule, step or reward awards it (else W0504) */
	uint32_t index;              /* in chk_result.wallets */
} chk_wallet;

typedef struct chk_rung {
	const char *name;            /* as written in the program */
	const ast_node *decl;        /* AST_STEP_AT */
	chk_value threshold;         /* folded `at` value (CHK_VAL_NUMBER or CHK_VAL_MONEY); NONE if wrong */
} chk_rung;

typedef struct chk_ladder {
	const char *name;            /* as written in the program */
	bool level;                  /* `levels` (XP-style, only go up) rather than `tiers` */
	uint32_t unit;               /* the declaring file: index in chk_result.units */
	const ast_node *decl;        /* AST_TIERS / AST_LEVELS */
	const ast_node *metric;      /* the expression after `on` */
	const ty *metric_type;       /* its type: count, number, money or points */
	chk_rung *rungs;             /* lowest first */
	uint32_t nrungs;             /* entries in rungs */
	const ast_node *hold;        /* AST_DURATION of `hold 90 days`, or NULL */
	ast_unit review;             /* `review every month` */
	bool has_review;             /* `review every ...` was given */
	const ty *type;              /* TY_LADDER: the customer's current rung */
	uint32_t index;              /* in chk_result.ladders */
} chk_ladder;

typedef struct chk_param {
	const char *name;            /* as written in the program */
	uint32_t unit;               /* the declaring file: index in chk_result.units */
	const ast_node *decl;        /* AST_PARAM */
	const ast_node *value;       /* the default value */
	const ty *type;              /* its type (a bare `5` is a whole number, usable as points) */
	chk_value constant;          /* the default value, folded */
	bool used;                   /* read somewhere (else W0504) */
	uint32_t index;              /* in chk_result.params */
} chk_param;

typedef struct chk_badge {
	const char *name;            /* as written in the program */
	const char *description;     /* or NULL */
	uint32_t unit;               /* the declaring file: index in chk_result.units */
	const ast_node *decl;        /* AST_BADGE_DECL */
	bool given;                  /* some action gives it (else W0504) */
	uint32_t index;              /* in chk_result.badges */
} chk_badge;

typedef enum {
	CHK_MECH_RULE,    /* rule, challenge, bonus, quest */
	CHK_MECH_MISSION, /* ordered steps */
	CHK_MECH_STREAK,  /* consecutive periods */
} chk_mech_kind;

typedef enum {
	CHK_TRIG_EVENT,    /* `on purchase [where c]` */
	CHK_TRIG_INACTIVE, /* `when no purchase [where c] for 90 days` */
	CHK_TRIG_EXPIRING, /* `when points expire within 30 days` */
	CHK_TRIG_BIRTHDAY, /* `when birthday [month]` */
	CHK_TRIG_AFTER,    /* `when 7 days after signup [where c]` */
	CHK_TRIG_STEPS,    /* missions: the steps' events */
	CHK_TRIG_NONE,     /* the trigger had an error */
} chk_trigger_kind;

/* A named mechanic: rule, challenge, bonus, quest, mission or streak, in
 * program order (base program first, then each overlay). Names are unique
 * across all kinds within a program and its overlays. */
typedef struct chk_rule {
	const char *name;            /* as written in the program */
	chk_mech_kind kind;          /* rule-like, mission or streak */
	ast_rule_kind rule_kind;     /* CHK_MECH_RULE: rule, challenge, bonus or quest */
	chk_trigger_kind trigger;    /* what makes it run */
	const ast_node *decl;        /* AST_RULE / AST_MISSION / AST_STREAK */
	uint32_t unit;               /* the program or overlay that declares it */
	int32_t group;               /* index in chk_result.groups, or -1 */
	const chk_record *event;     /* the triggering (or awaited, or anchor) event; NULL for time triggers */
	const chk_wallet *wallet;    /* CHK_TRIG_EXPIRING: the wallet that expires */
	bool staff;                  /* a quest: rewards the event's staff member */
	bool override;               /* overlay: replaces the base rule `overrides` */
	int32_t overrides;           /* index in chk_result.rules of the replaced base rule, or -1 */
	uint32_t index;              /* in chk_result.rules */
} chk_rule;

typedef struct chk_group {
	const char *name;            /* as written in the program */
	ast_group_mode mode;         /* keep best / keep first */
	uint32_t unit;               /* the declaring file: index in chk_result.units */
	const ast_node *decl;        /* AST_GROUP */
	uint32_t first, count;       /* its rules: chk_result.rules[first .. first+count) */
	const chk_wallet *wallet;    /* keep best: the one wallet all its rules award (NULL if none) */
	uint32_t index;              /* in chk_result.groups */
} chk_group;

typedef struct chk_item {
	const char *name;            /* as written in the program */
	uint32_t unit;               /* the declaring file: index in chk_result.units */
	const ast_node *decl;        /* AST_ITEM */
	const chk_wallet *wallet;    /* paid with */
	chk_value cost;              /* folded cost (CHK_VAL_NUMBER), NONE if wrong */
	const ast_node *cond;        /* `for status >= gold`, or NULL */
	uint32_t index;              /* in chk_result.items */
} chk_item;

typedef struct chk_variant {
	const char *name;            /* as written in the program */
	const ast_node *decl;        /* AST_VARIANT */
	int64_t share;               /* percent times 100 (50% = 5000, as AST_PERCENT / 1) */
	const ast_node *changes;     /* AST_ARG (param = value) and AST_SKIP list */
} chk_variant;

typedef struct chk_experiment {
	const char *name;            /* as written in the program */
	uint32_t unit;               /* the declaring file: index in chk_result.units */
	const ast_node *decl;        /* AST_EXPERIMENT */
	chk_variant *variants;       /* in declaration order */
	uint32_t nvariants;          /* entries in variants */
	uint32_t index;              /* in chk_result.experiments */
} chk_experiment;

/* ---- what each name means ---- */

typedef enum {
	CHK_REF_NONE,
	CHK_REF_EVENT_FIELD, /* a field of the triggering event: u.rec, index = field */
	CHK_REF_ELEM_FIELD,  /* a field of the element of an aggregate (a line, a past event): u.rec, index */
	CHK_REF_FIELD,       /* AST_FIELD `x.name`: u.rec, index = field */
	CHK_REF_PARAM,       /* u.param */
	CHK_REF_LADDER,      /* the customer's current rung of u.ladder */
	CHK_REF_RUNG,        /* a rung name: u.ladder, index = rung */
	CHK_REF_ENUM_MEMBER, /* u.en, index = member */
	CHK_REF_WALLET,      /* a wallet name (award, balance, earned, limit, budget, cost, expiring) */
	CHK_REF_EVENT,       /* an event name (trigger, window, step, anchor) */
	CHK_REF_FUNCTION,    /* AST_CALL: u.fn */
} chk_ref_kind;

typedef enum { CHK_FN_FLOOR, CHK_FN_CEIL, CHK_FN_ROUND, CHK_FN_MIN, CHK_FN_MAX, CHK_FN_ABS, CHK_FN_BALANCE } chk_fn;

typedef struct chk_ref {
	chk_ref_kind kind;           /* what the name is; NONE: not resolved (an error was reported) */
	uint32_t index;              /* field, member or rung index */
	union {
		const chk_record *rec; /* EVENT_FIELD, ELEM_FIELD, FIELD, EVENT */
		const chk_param *param; /* PARAM */
		const chk_ladder *ladder; /* LADDER, RUNG */
		const chk_enum *en; /* ENUM_MEMBER */
		const chk_wallet *wallet; /* WALLET */
		chk_fn fn; /* FUNCTION */
	} u;                         /* the declaration it names, by kind */
} chk_ref;

/* ---- the result ---- */

typedef struct chk_result {
	const source_set *srcs;      /* the sources the spans refer to */
	chk_unit *units;             /* libraries, then the user's files in the order given */
	uint32_t nunits;             /* entries in units */
	int32_t program;             /* index of the first user program in units, or -1 */

	/* every declaration of every unit, in declaration order (libraries first) */
	chk_record **records; uint32_t nrecords;       /* events and records */
	chk_enum **enums; uint32_t nenums;             /* lists of choices */
	chk_wallet **wallets; uint32_t nwallets;       /* point balances */
	chk_ladder **ladders; uint32_t nladders;       /* tiers and levels */
	chk_param **params; uint32_t nparams;          /* named constants (base programs only) */
	chk_badge **badges; uint32_t nbadges;          /* badges */
	chk_rule **rules; uint32_t nrules;             /* program order; a group's rules are consecutive */
	chk_group **groups; uint32_t ngroups;          /* exclusive groups */
	chk_item **items; uint32_t nitems;             /* catalogue rewards */
	chk_experiment **experiments; uint32_t nexperiments; /* A/B experiments */

	/* side tables, indexed by ast_node.id (0 .. node_count-1) */
	uint32_t node_count;         /* entries in each side table */
	const ty **types;            /* type of each expression node; NULL for other nodes */
	chk_ref *refs;               /* what each AST_NAME / AST_FIELD / AST_CALL resolved to */
	chk_value *values;           /* constant value of each constant expression; kind NONE otherwise */
	bool ok;                     /* no error at all in the diagnostics, the parser's included (warnings allowed) */
} chk_result;

/* Checks `files` (the user's programs and overlays) against `libs` (stdlib
 * modules, visible through `use`). Every problem goes to `d`. `node_count`
 * is one more than the largest node id in any of the trees. Returns the
 * checked program (symbol tables and per-node side tables, in `a`); never
 * NULL, also when there are errors. */
chk_result *chk_check(arena *a, diag_list *d, const source_set *srcs, ast_node *const *libs, uint32_t nlibs,
		      ast_node *const *files, uint32_t nfiles, uint32_t node_count);

/* `ludic dump --types`: the declarations of the user's files (events,
 * records, enums, wallets, ladders, params, rules with their triggers...),
 * then every typed expression as `file:line:col: text : type`, in source
 * order. Deterministic. */
void chk_dump_types(FILE *out, const chk_result *r, const source_set *srcs);

/* Lookups by name in one unit as a rule of that unit sees it (its own
 * declarations, its base program's for an overlay, then the libraries it
 * uses). NULL when not found. */
const chk_record *chk_find_record(const chk_result *r, uint32_t unit, const char *name);
const chk_wallet *chk_find_wallet(const chk_result *r, uint32_t unit, const char *name);
const chk_param *chk_find_param(const chk_result *r, uint32_t unit, const char *name);
const chk_ladder *chk_find_ladder(const chk_result *r, uint32_t unit, const char *name);
const chk_rule *chk_find_rule(const chk_result *r, uint32_t unit, const char *name);

/* ------------------------------------------------------------------------
 * Checker internals, shared by check.c, check_expr.c and check_mech.c only.
 * Other modules must not define CHK_INTERNAL.
 * ------------------------------------------------------------------------ */
#ifdef CHK_INTERNAL
/* uthash's bucket tables come from the compilation's arena, like everything
 * else the checker makes: every HASH_ADD is in a function whose `c` is the
 * chk_ctx, and nothing is ever deleted from a table. */
#define uthash_malloc(sz) arena_alloc(c->a, (sz))
#define uthash_free(ptr, sz) ((void)(ptr), (void)(sz))
#include <uthash.h>

/* Namespaces: names of different kinds never collide. */
typedef enum {
	NS_TYPE,       /* enums, records, events */
	NS_WALLET,
	NS_LADDER,
	NS_PARAM,
	NS_BADGE,
	NS_RULE,       /* rules, challenges, bonuses, quests, missions, streaks */
	NS_ITEM,       /* catalogue rewards */
	NS_EXPERIMENT,
	NS_GROUP,
	NS_COUNT
} chk_ns;

/* One named declaration in one unit's table. */
typedef struct chk_sym {
	const char *name;      /* the key */
	chk_ns ns;                   /* its namespace */
	uint32_t unit;         /* the declaring unit */
	span name_sp;          /* where the name is written (for "first defined here") */
	void *decl;            /* chk_record, chk_enum, chk_wallet, chk_ladder, chk_param, chk_badge,
				  chk_rule, chk_item, chk_experiment or chk_group */
	ty_kind type_kind;     /* NS_TYPE: TY_ENUM, TY_RECORD or TY_EVENT */
	UT_hash_handle hh;           /* uthash link */
} chk_sym;

/* A unit's private tables. */
struct chk_names {
	chk_sym *tab[NS_COUNT];  /* uthash heads, one per namespace */
	uint32_t chain[16];      /* units searched for a name, in order: itself, its base, their libraries */
	uint32_t nchain;             /* entries used in chain */
};

/* What bare names mean where an expression is checked. */
typedef struct chk_scope {
	const chk_record *event;     /* fields of the triggering event, or NULL */
	const chk_record *elem;  /* fields of the current aggregate element, or NULL */
	const ty *elem_type;     /* the element's type inside an aggregate (a record, an event, a string...) */
	bool lost;               /* the event or element is unknown (already reported): unknown names are silent */
} chk_scope;

/* The checker's working state for one chk_check call. */
typedef struct chk_ctx {
	arena *a;                    /* where everything is made */
	diag_list *d;                /* where problems go */
	const source_set *srcs;      /* the sources the spans refer to */
	chk_result *r;               /* what is being built */
	ty_table *tt;            /* the types (in the arena: they outlive chk_check) */
	uint32_t unit;           /* the unit being checked */
	chk_scope sc;            /* current name scope */
	chk_rule *rule;          /* the mechanic being checked, or NULL */
	uint32_t params_visible;     /* while checking params: only params with a smaller index are visible */
	bool window_ok;          /* the expression being checked may be a history window (aggregate source) */
	const char *owner;       /* the rule, step or reward named in messages about conditions */
} chk_ctx;

/* Roles of a condition, for the wording of W0502/W0503/E0401. */
typedef enum {
	COND_RULE,       /* `on purchase where ...` */
	COND_MULTIPLIER, /* `times 2 when ...` */
	COND_AGGREGATE,  /* `count(lines where ...)` */
	COND_AUDIENCE,   /* mission `for ...` */
	COND_ITEM,       /* catalogue `for ...` */
	COND_STEP,       /* mission step `where ...` (E0401) */
	COND_STREAK,     /* streak `where ...` */
} chk_cond_role;

/* check.c */
/* Visits `n` and every node below it (not its `next` siblings), parents first. */
typedef void (*chk_visit_fn)(const ast_node *n, void *ud);
void chk_walk(const ast_node *n, chk_visit_fn fn, void *ud);
/* The symbol `name` of namespace `ns` as the current unit sees it (itself, its
 * base program, the libraries they use), or NULL. */
chk_sym *chk_lookup(chk_ctx *c, chk_ns ns, const char *name);
/* The same, in one unit's own table only. */
chk_sym *chk_lookup_in(chk_ctx *c, uint32_t unit, chk_ns ns, const char *name);
/* The visible name of `ns` closest to `name` (a likely typo), or NULL. */
const char *chk_suggest(chk_ctx *c, chk_ns ns, const char *name);
/* A symbol `name` of a library the current unit does not `use`, or NULL
 * (for "add `use retail`"). */
const chk_sym *chk_lookup_unused_lib(chk_ctx *c, chk_ns ns, const char *name);
/* The source text of `n` on one line (blanks collapsed, long texts cut), for messages. */
const char *chk_text(chk_ctx *c, const ast_node *n);
/* The wallet an AST_NAME names (reference recorded), or NULL after E0203. */
const chk_wallet *chk_wallet_ref(chk_ctx *c, ast_node *name, const char *what);
/* The event an AST_NAME names (reference recorded), or NULL after E0202. */
const chk_record *chk_event_ref(chk_ctx *c, ast_node *name);
/* Reports E0212 for `code`, with the nearest ISO 4217 code. */
void chk_unknown_currency(chk_ctx *c, span sp, const char *code);

/* check_expr.c */
/* Types `n` (recorded in r->types, r->refs, r->values) and returns its type,
 * the error type after a reported problem. `hint` is the type the context
 * expects (an enum or a ladder lets bare choice or rung names resolve), or NULL. */
const ty *chk_expr(chk_ctx *c, ast_node *n, const ty *hint);
/* "a whole number", "money (EUR)", "a choice of `channel`": a type in a sentence. */
const char *chk_tyname(chk_ctx *c, const ty *t);
/* Types a condition (E0304 if it is not true/false) and analyses it for
 * contradictions and tautologies (W0502, W0503, E0401 for steps). */
const ty *chk_cond(chk_ctx *c, ast_node *n, chk_cond_role role);
/* The recorded type / constant value of `n` (NULL / kind NONE if none). */
const ty *chk_type_of(const chk_ctx *c, const ast_node *n);
const chk_value *chk_value_of(const chk_ctx *c, const ast_node *n);
/* The common type of two compared or chosen values; on a mismatch reports
 * it with `verb`, a format taking the two types' names, and returns the error type. */
const ty *chk_unify(chk_ctx *c, const ty *a, const ty *b, ast_node *na, ast_node *nb, ast_node *whole,
		    const char *verb);
/* Whether a value of type `got` (the expression `at`) may stand where `want`
 * is needed (a param's new value, a threshold, a limit); reports if not. */
bool chk_assignable(chk_ctx *c, const ty *want, const ty *got, ast_node *at, const char *what);
/* Whether an (already typed) expression reads the event, its lines or history. */
bool chk_depends_on_event(const chk_ctx *c, const ast_node *n);
/* Library money ("the program's currency") made the current unit's currency. */
const ty *chk_local_money(chk_ctx *c, const ty *t);
/* E0405/E0406 for the length `dur` of a history window. */
void chk_window_length(chk_ctx *c, ast_node *dur, const char *what);

/* check_mech.c */
/* Checks one rule, mission or streak: trigger, actions, clauses, and the
 * checks beyond types (E0401, E0407-E0410, W0501, W0508, W0509). */
void chk_mechanic(chk_ctx *c, chk_rule *rule);
/* W0502/W0503 (E0401 for a step) when a well-typed condition is never or
 * always true; silent when unsure. */
void chk_analyse_cond(chk_ctx *c, ast_node *cond, chk_cond_role role);
/* Checks a list of actions (award, debit, badge, notify) in the current scope. */
void chk_actions(chk_ctx *c, ast_node *actions);

#endif /* CHK_INTERNAL */

#endif
