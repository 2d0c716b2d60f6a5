/* ir.h — ludic's IR, and the lowered program (struct rt_program).
 *
 * A checked program (chk_result) is lowered once (lower.c, lower_expr.c,
 * lower_mech.c) into:
 *   - one routine per event type, fusing every rule, mission step, streak,
 *     history window and time rule that reacts to it, in program order;
 *   - one day routine: what happens when a local day begins (expiry,
 *     pending release, time-driven rules, tier reviews, mission deadlines);
 *   - one metric routine per ladder (its measure; result in register 0).
 * The interpreter (runtime/vm.c) and, later, the native back end execute the
 * same routines; every decision (scales, rule order, overlay and variant
 * resolution, record layout) is taken here, once.
 *
 * Ops are three-address {op, a, b, c, imm, span} over int64 registers; the
 * op table is ir_ops.def. Each op keeps the span of the rule text it came
 * from (dumps, traces).
 *
 * Scales (decided at lowering):
 *   count     whole number            number  x 10,000
 *   money     minor units (cents)     points  x 10,000 (an award rounds to whole points)
 *   duration  seconds                 date    day number;  timestamp: seconds
 *   bool      1 / 0, conditions 1 / 0 / -1 (unknown: a missing optional field)
 *   choice    member index            ladder  rung index (-1: no rung)
 * Mixed arithmetic goes through MULS/DIVS with 128-bit intermediates, halves
 * to even. A division by zero makes the rule not apply (the lowering tests
 * the divisor and jumps to the end of the rule).
 *
 * Decisions on state (details in layout.c):
 *   - lots are merged per expiry day; a wallet keeps at most RT_LOTS lots;
 *     when full, the newest lot absorbs the new points and takes the later
 *     expiry day: points may live a little longer, never shorter.
 *   - pending lots are merged per release day; at most RT_PENDING; when
 *     full, the newest absorbs the new points with the later release day
 *     and the later expiry.
 *   - history windows are rings of buckets: `in last D days` with D <= 92
 *     counts D day buckets (today and the D-1 days before); longer windows
 *     count ceil(D/7) ISO-week buckets (the current week and the ones
 *     before: up to 6 days more than D); `in this P` one bucket of period P.
 *     `in last N months` is N*31 days (so 12 months = 372 days -> 54 weeks).
 *   - recent purchases for returns: a ring of RT_RECENT purchases.
 */
#ifndef LUDIC_IR_H
#define LUDIC_IR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "check.h"
#include "source.h"
#include "../runtime/exec.h"

typedef enum {
#define IR_OP(name, operands, synopsis) IR_##name,
#include "ir_ops.def"
#undef IR_OP
	IR_OP_COUNT
} ir_opcode;

/* 24 bytes: the interpreter reads nothing else (the spans are apart). */
typedef struct ir_op {
	uint16_t op;      /* ir_opcode */
	int32_t a, b, c;  /* registers or small indices (ir_ops.def says which) */
	int64_t imm;      /* constant, jump target or table index */
} ir_op;

typedef struct ir_routine {
	const char *name; /* "purchase", "day", "metric status" */
	ir_op *ops;       /* the code (arena) */
	span *spans;      /* spans[i]: the source text ops[i] came from (arena) */
	uint32_t nops, cap;
	uint32_t nregs;   /* registers it uses */
} ir_routine;

#define IR_MAX_REGS 512 /* registers per routine (the VM keeps them on its stack) */

/* Names and synopses, from ir_ops.def. */
extern const char *const ir_op_names[IR_OP_COUNT];
extern const char *const ir_op_operands[IR_OP_COUNT];

/* Builder (ir.c): appends an op; returns its index. */
uint32_t ir_emit(arena *a, ir_routine *r, ir_opcode op, int32_t ra, int32_t rb, int32_t rc, int64_t imm, span sp);
/* Points jump `at` to the next op to be emitted. */
void ir_patch_here(ir_routine *r, uint32_t at);
/* Makes a finished routine smaller without changing what it does
 * (constants, dead code, jumps: ir.c says what). */
void ir_optimize(arena *a, ir_routine *r);

/* ---- the lowered program's tables ---- */

#define RT_LOTS 24     /* lots kept per expiring wallet */
#define RT_PENDING 16  /* pending lots per wallet with `pending` */
#define RT_RECENT 8    /* recent purchases kept for returns */
#define RT_NO_DAY INT32_MIN

/* Where a wallet lives in a record. */
typedef struct rt_lay_wallet {
	bool staff;          /* in the staff record */
	uint32_t off;        /* balance i64, earned i64, pending i64, nlots u32, npend u32 */
	uint32_t lots_off;   /* RT_LOTS x {i64 amount, i32 expiry day, i32 reminded}; 0: no expiry */
	uint32_t pend_off;   /* RT_PENDING x {i64 amount, i32 release day, i32 expiry day}; 0: no pending */
	int expires_n;       /* expiry: n units (0: never) */
	ast_unit expires_u;  /* of this unit (UNIT_DAY, WEEK, MONTH, YEAR) */
	int32_t pending_days;/* pending period in days (0: none) */
	int32_t recent_slot; /* index in a recent purchase's per-wallet amounts, -1 if none */
	int32_t earned_win;  /* first history window of `earned` for this wallet, -1; chained by next_earned */
} rt_lay_wallet;

/* A history window: a ring of buckets. `all(E in W where C)` counts the
 * events for which C was not true (all = that count is 0); `min`/`max`
 * keep the least/greatest value per bucket (an empty window gives 0, as an
 * empty list does). */
enum { RT_WIN_SUM, RT_WIN_MIN, RT_WIN_MAX };
typedef struct rt_lay_window {
	uint32_t off;        /* i32 last bucket index, i32 pad, i64 running total, then nbuckets values */
	clk_unit unit;       /* bucket unit */
	uint32_t nbuckets;   /* buckets in the ring (= buckets summed) */
	bool wide;           /* i64 buckets (sums, min, max), else i32 (counts) */
	uint8_t fn;          /* RT_WIN_SUM (counts too), RT_WIN_MIN, RT_WIN_MAX: how buckets combine */
	int32_t wallet;      /* `W earned in last D`: the wallet; -1 for event windows */
	int32_t next_earned; /* next earned window of the same wallet, -1 */
	int32_t event;       /* event windows: the record counted; -1 for earned windows */
	const ast_node *agg; /* event windows: the AST_AGG (its where and value) */
	const char *text;    /* source text, for dumps */
} rt_lay_window;

/* A cap (`limit`, `once`). */
typedef struct rt_lay_cap {
	bool staff;          /* counted per staff member */
	uint32_t off;        /* i32 period index, i32 used */
	clk_unit unit;       /* period */
	bool ever;           /* per customer / campaign: one period */
	int64_t limit;       /* times, or whole points */
	int32_t wallet;      /* a cap on points of this wallet, -1: times */
	int32_t rule;        /* the rule (chk index) */
} rt_lay_cap;

typedef struct rt_lay_ladder {
	uint32_t off;        /* i32 rung, i32 since day, i32 last review period, i32 pad */
	int64_t *thresholds; /* per rung, in the metric's scale */
	int32_t hold_days;   /* hold, in days (months: 31 per month) */
	bool review;         /* reviewed (every tier ladder: monthly without `review`; levels never) */
	clk_unit review_unit;
	int32_t init_rung;   /* rung of a new customer (metric 0) */
} rt_lay_ladder;

typedef struct rt_lay_mission {
	uint32_t off;        /* u8 step, u8 state, u16 count, i32 start day */
	int32_t rule;        /* chk index */
	uint32_t nsteps;
	int64_t *times;      /* per step */
	const char **step_names;
	int32_t within_days; /* deadline after start, 0: none */
	bool anchored;       /* `within D of EVENT` */
	int32_t from_day, until_day; /* RT_NO_DAY when open */
} rt_lay_mission;

enum { RT_MIS_NEW, RT_MIS_RUNNING, RT_MIS_DONE, RT_MIS_EXPIRED, RT_MIS_OUT };

typedef struct rt_lay_streak {
	uint32_t off;        /* i32 last period, u16 length, u16 missed */
	int32_t rule;
	clk_unit unit;
	uint32_t goal;       /* periods */
	uint32_t grace;      /* periods that may be missed */
} rt_lay_streak;

/* A time-driven rule. `when D after EVENT` keeps RT_AFTER_SLOTS pending due
 * days, one per such event (for which its `where` held); when they are all
 * pending, a new one is dropped (the earliest are kept). Each slot stashes
 * the event's fields the rule reads when it falls due (stash). */
#define RT_AFTER_SLOTS 4
#define RT_STASH_MAX 16
typedef struct rt_lay_timer {
	uint32_t off;        /* i32 day, i32 flag; `D after`: RT_AFTER_SLOTS x {i32 due day, u32 present fields} */
	uint32_t stash_off;  /* `D after`: RT_AFTER_SLOTS x nstash i64 field values; 0: none */
	uint32_t nstash;     /* fields stashed */
	int32_t stash[RT_STASH_MAX]; /* their event field indices */
	int32_t rule;
	chk_trigger_kind kind;
	int32_t days;        /* `for D` / `D after` / `within D`, in days */
	int32_t wallet;      /* CHK_TRIG_EXPIRING */
	bool month;          /* birthday month */
} rt_lay_timer;

typedef struct rt_lay_item {
	const char *name; uint32_t len;
	int32_t wallet;
	int64_t cost;        /* whole points */
} rt_lay_item;

/* A notify argument's descriptor. */
typedef struct rt_lay_narg {
	const char *key;
	rt_kind kind;
	int32_t en, ladder;
	uint32_t slot;       /* position in the notification's arguments */
} rt_lay_narg;

/* One entry of `ludic dump --layout`. */
typedef struct rt_lay_field {
	const char *name;    /* "balance", "cap", ... */
	const char *serves;  /* "wallet points", "rule \"Base earn\"" */
	uint32_t off, size;
	bool staff;
} rt_lay_field;

/* A string set (`store in {"PAR01", "LYO02"}`, overlay store lists). */
typedef struct rt_strset { const char **s; uint32_t *len; uint32_t n; } rt_strset;

struct rt_program {
	arena *a;
	const chk_result *r;
	rt_schema *schema;           /* owned */
	clk_zone *zone;              /* owned; NULL = UTC */
	int64_t lateness;
	int32_t purchase_ev, return_ev, redemption_ev; /* record indices, -1 */

	ir_routine *events;          /* per record (nrecords); nops 0: no routine */
	ir_routine day;
	/* the day routine must run on every day: a ladder without review whose
	 * measure may change as days pass without anything happening (a history
	 * window, the day); otherwise rt_exec_days jumps over days on which
	 * nothing is due (rt_next_day_due) */
	bool day_each;
	ir_routine *metrics;         /* per ladder */

	/* record layouts */
	uint32_t state_size, staff_size;
	uint32_t off_hdr;            /* i32 last day, i32 first day, i64 last at, i32 birthday, i32 recent head */
	/* some staff wallet expires or has a pending period: days pass for staff
	 * records too (rt_exec_staff_days), and the staff record starts with a
	 * header at off_staff_hdr: i32 last day seen, i32 pad */
	bool staff_days;
	uint32_t off_staff_hdr;
	uint32_t off_badges;         /* bits */
	uint32_t off_overlay;        /* i32: the overlay of the customer's latest event carrying a scope field (-1: base); 0 without scoped overlays */
	uint32_t off_recent;         /* RT_RECENT x recent_size, 0 if none */
	uint32_t recent_size, recent_nw;
	rt_lay_wallet *wallets;      /* per chk wallet */
	rt_lay_window *windows; uint32_t nwindows, capwindows;
	rt_lay_cap *caps; uint32_t ncaps, capcaps;
	rt_lay_ladder *ladders;      /* per chk ladder */
	rt_lay_mission *missions; uint32_t nmissions;
	int32_t *mission_of_rule;    /* per chk rule: index in missions, -1 */
	rt_lay_streak *streaks; uint32_t nstreaks;
	rt_lay_timer *timers; uint32_t ntimers;
	rt_lay_item *items; uint32_t nitems;
	rt_lay_field *fields; uint32_t nfields, capfields;

	/* constants */
	const char **strs; uint32_t *strlens; uint32_t nstrs, capstrs;
	rt_strset *sets; uint32_t nsets, capsets;
	uint64_t *masks; uint32_t nmasks, capmasks;
	rt_lay_narg *nargs; uint32_t nnargs, capnargs;
	const char **templates; uint32_t ntemplates, captemplates;

	/* budgets and experiments */
	int64_t *budgets; uint32_t nbudgets;
	const char **budget_rules;
	uint64_t *rule_experiments;  /* per chk rule */
	uint32_t nexperiments;
	uint16_t **variant_cum;      /* per experiment: cumulative shares (basis points) */
};

/* Layout (layout.c): computes every record field; fills p->wallets,
 * windows (created on demand by lowering through rt_layout_window),
 * caps, ladders, missions, streaks, timers. rt_layout_finish lays out what
 * lowering added and fixes the sizes. */
bool rt_layout_begin(rt_program *p);
int32_t rt_layout_window(rt_program *p, const char *key, clk_unit unit, uint32_t nbuckets, bool wide,
			 int32_t wallet, const char *text);
int32_t rt_layout_cap(rt_program *p, int32_t rule, bool staff, ast_unit per, int64_t limit, int32_t wallet);
int32_t rt_layout_timer(rt_program *p, int32_t rule, chk_trigger_kind kind, int32_t days, int32_t wallet, bool month);
/* Reserves the stash of timer t (its fields known after the first pass). */
void rt_layout_stash(rt_program *p, uint32_t t);
void rt_layout_finish(rt_program *p);

/* Lowering (lower*.c). */
bool rt_lower(rt_program *p);

/* Days of a duration node (months: 31 days, years: 366) — for windows, holds and deadlines. */
int32_t rt_duration_days(const ast_node *dur);

/* The source text of a span, on one line (arena). */
const char *rt_span_text(const rt_program *p, span sp);

#endif
