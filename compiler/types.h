/* types.h — the types of ludic values, with their units.
 *
 * A type is a small immutable record made once per compilation and compared
 * by pointer: two values have the same type exactly when their `ty *` are
 * equal. Simple kinds (bool, count, ...) have one instance per ty_table;
 * money has one per currency, list/set one per element type; named types
 * (enums, records, events, ladders) and points have one per declaration,
 * made when the checker meets the declaration.
 *
 * Units are part of the type: money carries its currency, points carry their
 * wallet. A bare whole-number literal (`100`) has the special type "whole
 * number" (TY_COUNT with `literal` set), which adapts to count, number and
 * points, so `balance(points) >= 100` needs no unit; money and durations
 * always need theirs (`50 EUR`, `30 days`).
 *
 * TY_ERROR is the poison type: an expression that already caused an error
 * has it, and nothing more is reported about it.
 *
 * Everything lives in the compilation's arena.
 */
#ifndef LUDIC_TYPES_H
#define LUDIC_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

typedef enum {
	TY_ERROR,     /* poison: something already reported */
	TY_BOOL,      /* true / false */
	TY_COUNT,     /* whole number (literal: an untyped constant that adapts) */
	TY_NUMBER,    /* exact decimal, 4 places */
	TY_MONEY,     /* minor units + currency */
	TY_POINTS,    /* a quantity of one wallet */
	TY_DURATION,  /* 30 days, 2 hours */
	TY_DATE,      /* a calendar day */
	TY_TIMESTAMP, /* an instant */
	TY_STRING,    /* text */
	TY_ENUM,      /* one of a declared list of choices */
	TY_RECORD,    /* a record such as `line` */
	TY_EVENT,     /* an event such as `purchase` (a record that triggers rules) */
	TY_LIST,      /* list of elem: a list field, or a history window (list of events) */
	TY_SET,       /* `{a, b}`: only on the right of `in` */
	TY_LADDER,    /* the customer's current tier or level on one ladder (ordered) */
	TY_KIND_COUNT
} ty_kind;

typedef struct ty ty;
struct ty {
	ty_kind kind;       /* what it is */
	bool literal;       /* TY_COUNT: a bare whole-number constant such as `100` */
	bool level;         /* TY_LADDER: a `levels` ladder (else `tiers`) */
	char currency[4];   /* TY_MONEY: ISO 4217 code; "" = the program's currency (library fields) */
	const char *name;   /* TY_ENUM/RECORD/EVENT/LADDER: its name; TY_POINTS: the wallet's name */
	const void *decl;   /* TY_ENUM: chk_enum, TY_RECORD/EVENT: chk_record, TY_LADDER: chk_ladder,
			       TY_POINTS: chk_wallet (see check.h) */
	const ty *elem;     /* TY_LIST, TY_SET: the element type */
	ty *list_of;        /* interning cache: `list of <this>`, made on first use */
	ty *set_of;         /* interning cache: `set of <this>`, made on first use */
};

#define TY_MAX_CURRENCIES 16

/* The types of one compilation. */
typedef struct ty_table {
	arena *a;                           /* where named and composite types are made */
	ty basic[TY_KIND_COUNT];            /* one instance of each simple kind (ERROR..STRING) */
	ty count_literal;                   /* "whole number": a bare integer constant */
	ty money[TY_MAX_CURRENCIES];        /* one per currency met so far */
	unsigned nmoney;                    /* entries used in money[] */
} ty_table;

/* Prepares `tt`; types made later live in `a`. */
void ty_table_init(ty_table *tt, arena *a);

/* The single instance of a simple kind: TY_ERROR, BOOL, COUNT, NUMBER,
 * DURATION, DATE, TIMESTAMP, STRING. Any other kind returns the error type. */
const ty *ty_basic(ty_table *tt, ty_kind k);

/* The type of a bare whole-number literal. */
const ty *ty_literal(ty_table *tt);

/* Money in `currency` (3 letters; "" = the program's currency). Past
 * TY_MAX_CURRENCIES distinct codes, returns the error type. */
const ty *ty_money(ty_table *tt, const char *currency);

/* `list of elem` / `set of elem`; the same pointer every time for one elem. */
const ty *ty_list(ty_table *tt, const ty *elem);
const ty *ty_set(ty_table *tt, const ty *elem);

/* A new nominal type (TY_ENUM, TY_RECORD, TY_EVENT, TY_LADDER, TY_POINTS)
 * for the declaration `decl` named `name`. Call once per declaration. */
ty *ty_named(ty_table *tt, ty_kind k, const char *name, const void *decl);

/* Kind tests. */
static inline bool ty_is_error(const ty *t) { return !t || t->kind == TY_ERROR; }
/* count or number: plain quantities without a unit */
static inline bool ty_is_plain(const ty *t) { return t->kind == TY_COUNT || t->kind == TY_NUMBER; }
/* anything that can be added up: count, number, money, points, duration */
bool ty_is_quantity(const ty *t);
/* values compared with < <= > >=: quantities, dates, timestamps, ladders */
bool ty_is_ordered(const ty *t);

/* Writes a reader's name of `t` into buf ("money (EUR)", "points of wallet
 * `eco`", "list of line", "tier of `status`", "whole number"...), always
 * NUL-terminated; returns buf. */
char *ty_format(char *buf, size_t size, const ty *t);

/* The same, in the arena. */
const char *ty_str(arena *a, const ty *t);

#endif
