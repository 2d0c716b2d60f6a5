/* exec.h — a lowered program, executed on one customer's record.
 *
 * This is the seam between the program side (compiler/lower*.c, the IR,
 * the record layout, runtime/vm.c and runtime/mech.c) and the engine
 * (runtime/engine.c: customers, ordering, duplicates, budgets, effects out).
 *
 *   rt_program   made once from a checked program; immutable; shared.
 *   rt_exec      one call's context: the record, the customer, the sink.
 *
 * The engine owns every customer's record (rt_program_state_size bytes,
 * made by rt_state_init, never moved while a call runs) and calls, for one
 * customer, in time order:
 *
 *   rt_exec_days(x, day)     before an event on a later local day than the
 *                            record has seen, and for ludic_engine_advance:
 *                            every local day up to `day` begins, in order
 *                            (expiry, pending release, tier reviews, the
 *                            time-driven rules, mission deadlines, streaks);
 *   rt_exec_event(x, ev)     the fused routine of the event's type.
 *
 * A staff member's record sees days too (rt_exec_staff_days): the VM lets
 * them pass up to the event's day before a quest credits or reads it, and
 * the engine for every staff record on ludic_engine_advance.
 *
 * Both write effects through x->emit, in the order they happen. Nothing here
 * allocates, prints or keeps global state.
 */
#ifndef LUDIC_RT_EXEC_H
#define LUDIC_RT_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "schema.h"
#include "clock.h"

struct chk_result;
struct arena;

typedef struct rt_program rt_program;

/* ---- effects, as the program makes them ---- */

/* Same order and meaning as ludic_effect_kind (include/ludic.h). */
typedef enum {
	RT_FX_AWARD, RT_FX_DEBIT, RT_FX_EXPIRE, RT_FX_REVERSE, RT_FX_RELEASE, RT_FX_BADGE,
	RT_FX_TIER, RT_FX_LEVEL, RT_FX_MISSION_STEP, RT_FX_MISSION_COMPLETE, RT_FX_STREAK,
	RT_FX_NOTIFY, RT_FX_REDEMPTION, RT_FX_REFUSAL, RT_FX_COUNT
} rt_fx_kind;

/* Why a redemption was refused. */
typedef enum {
	RT_REFUSE_NONE, RT_REFUSE_UNKNOWN_ITEM, RT_REFUSE_BALANCE, RT_REFUSE_NOT_ELIGIBLE,
} rt_refusal;

/* A notify parameter's value: `kind` says how to format `v` (money in the
 * program's currency; a choice: `en` and the member index; a rung: `ladder`). */
typedef struct rt_fx_arg {
	const char *key;
	rt_kind kind;        /* RT_COUNT, RT_NUMBER, RT_MONEY, RT_DURATION, RT_DATE, RT_TIMESTAMP, RT_STRING, RT_ENUM, RT_BOOL */
	int64_t v;           /* the value (not RT_STRING) */
	rt_str s;            /* RT_STRING */
	int32_t en;          /* RT_ENUM: schema enum index; -1 otherwise */
	int32_t ladder;      /* a rung: ladder index (then v is the rung index); -1 otherwise */
} rt_fx_arg;

/* One effect. Indices refer to the checked program's tables (chk_result:
 * wallets, badges, ladders, rules, items); -1 when not applicable. */
typedef struct rt_effect {
	rt_fx_kind kind;
	bool staff;            /* to the staff member `who` (a quest), not the customer */
	rt_str who;            /* customer or staff id */
	int32_t wallet;        /* award, debit, expire, reverse, release, redemption */
	int64_t amount;        /* whole points moved, > 0 */
	int64_t balance;       /* spendable balance of `wallet` after it */
	int64_t pending;       /* points of `wallet` earned, not yet spendable, after it (0: no pending period) */
	int32_t badge;         /* badge */
	int32_t ladder, rung, previous; /* tier, level */
	int32_t rule;          /* rule, mission or streak (chk_result.rules); -1 for built-ins */
	int32_t step;          /* mission_step: step index */
	int64_t length;        /* streak: periods */
	const char *template_name; /* notify */
	const rt_fx_arg *args; uint32_t nargs; /* notify */
	int32_t item;          /* redemption, refusal: item index; -1 if the item is unknown */
	rt_str item_name;      /* the name the event gave (for unknown items) */
	rt_refusal reason;     /* refusal */
	rt_str event_id;       /* the causing event's id; len 0 for time passing */
	int64_t at;            /* event time, or due time for effects of time passing */
} rt_effect;

/* ---- one call ---- */

typedef struct rt_exec {
	const rt_program *prog;
	uint8_t *state;             /* the customer's record */
	rt_str customer;            /* the customer's id (len 0: an anonymous event) */
	/* the customer's variant in each experiment (chk_result.experiments
	 * order), from rt_program_variant; the engine computes them once per
	 * customer and keeps them */
	const uint16_t *variants;
	/* campaign budgets, shared by all customers: remaining amount of each
	 * (rt_program_budget_count entries, initialised from rt_program_budget) */
	int64_t *budgets;
	/* the record of staff member `id` (rt_program_staff_size bytes, made with
	 * rt_staff_init on first use), or NULL if out of memory */
	uint8_t *(*staff_state)(void *user, rt_str id);
	/* receives every effect, in order */
	void (*emit)(void *user, const rt_effect *fx);
	void *user;                 /* passed to both */
	/* working memory of time-zone lookups (clock.h), kept from call to
	 * call; zeroed before the first call */
	clk_memo memo;
	/* the program's native code (runtime/native.h), or NULL: interpret */
	const struct rt_native *native;
} rt_exec;

/* ---- the program ---- */

/* Lowers a checked program without errors (r->ok). Everything is allocated
 * in `a` (the compilation's arena, kept alive with the program) except the
 * schema, which the program owns. Returns NULL if `r` has errors or memory
 * runs out. */
rt_program *rt_program_build(struct arena *a, const struct chk_result *r);
void rt_program_free(rt_program *p); /* frees what is not in the arena (schema, zone) */

const rt_schema *rt_program_schema(const rt_program *p);
const clk_zone *rt_program_zone(const rt_program *p);    /* the program's time zone (UTC by default) */
int64_t rt_program_lateness(const rt_program *p);       /* allowed lateness, seconds */
const struct chk_result *rt_program_checked(const rt_program *p);

size_t rt_program_state_size(const rt_program *p);      /* bytes per customer record */
size_t rt_program_staff_size(const rt_program *p);      /* bytes per staff record (0: no quests) */
void rt_state_init(const rt_program *p, uint8_t *state);   /* a new customer */
void rt_staff_init(const rt_program *p, uint8_t *state);   /* a new staff member */

/* The local day (days since 1970-01-01 in the program's zone) of time `t`. */
int64_t rt_program_day(const rt_program *p, int64_t t);

/* Budgets: how many, and the starting amount of each. */
uint32_t rt_program_budget_count(const rt_program *p);
int64_t rt_program_budget(const rt_program *p, uint32_t i);

/* The variant of `customer` in experiment `e`: SipHash-1-3 of the experiment
 * name and the customer id, with a fixed key, mod 10,000, against the
 * cumulative shares. Stable across versions and machines. */
uint16_t rt_program_variant(const rt_program *p, uint32_t e, rt_str customer);
uint32_t rt_program_experiment_count(const rt_program *p);
/* Experiments that change rule `rule` (a bit per experiment, the first 64). */
uint64_t rt_program_rule_experiments(const rt_program *p, int32_t rule);

/* Runs the fused routine of `ev->type` on x->state. Returns 0, or -1 on an
 * internal error (the event is then not applied; the record is unchanged). */
int rt_exec_event(rt_exec *x, const rt_event *ev);

/* Lets local days pass up to and including day `day` (the record remembers
 * the last day it has seen; days already seen do nothing). `now` is the time
 * the caller has reached (the event's time, or the --until time): effects of
 * a day are stamped with the start of that day, never after `now`. */
void rt_exec_days(rt_exec *x, int64_t day, int64_t now);
/* The same, running the day routine on every day, one by one. rt_exec_days
 * skips the days on which nothing is due, with the same effects and the
 * same record; this is its reference (tests compare the two). */
void rt_exec_days_each(rt_exec *x, int64_t day, int64_t now);

/* Lets local days pass for the record of staff member `id` (made by
 * rt_staff_init) up to and including day `day`: on each, the lots of its
 * wallets expire, then its pending points are released (as for a customer,
 * wallet by wallet), with effects to x->emit (`staff` set, `who` = id, `at`
 * = the start of that day but never after `now`, no event id). The record
 * remembers the last day it has seen; a new one sees no day pass. Nothing
 * happens for programs whose staff wallets neither expire nor pend. */
void rt_exec_staff_days(rt_exec *x, uint8_t *staff, rt_str id, int64_t day, int64_t now);

/* The last event time applied to the record (0 if none). */
int64_t rt_state_last_at(const rt_program *p, const uint8_t *state);

/* Dumps (ludic dump --ir / --layout). */
void rt_program_dump_ir(const rt_program *p, FILE *out);
void rt_program_dump_layout(const rt_program *p, FILE *out);

/* ---- display ---- */

struct ludic_customer_view;
/* Fills `out` from a customer's record at time `now`. Arrays and strings come
 * from `buf` (`cap` bytes, 8-aligned); returns the bytes needed (call again
 * with a bigger buffer if more than `cap`). */
size_t rt_state_view(const rt_program *p, const uint8_t *state, int64_t now, const uint16_t *variants,
		     struct ludic_customer_view *out, void *buf, size_t cap);

#endif
