/* lower.h — private to the lowering (lower.c, lower_expr.c, lower_mech.c).
 *
 * The lowering walks the checked program and writes IR into one routine at a
 * time. Registers are handed out by a bump counter that each rule resets
 * (rules share nothing through registers but the overlay register).
 * Forward jumps are collected in patch lists and pointed at their target
 * when it is reached.
 */
#ifndef LUDIC_LOWER_H
#define LUDIC_LOWER_H

#include "ir.h"

#define LW_MAX_PATCH 512

typedef struct lw_patch {
	uint32_t at[LW_MAX_PATCH];
	uint32_t n;
} lw_patch;

/* What the rules of one event read of the customer "as before the event"
 * (docs/language.md, "How rules run"): spendable balances, lifetime earned
 * points, `W earned in last D`. The first pass lists them per event routine;
 * the real pass loads them once at the routine's start into registers that
 * no rule overwrites, and every read in a rule copies from there. */
#define LW_MAX_SNAP 64
typedef struct lw_snap {
	uint16_t op;               /* IR_BALANCE, IR_EARNED, IR_WINSUM */
	int64_t imm;               /* wallet or window */
	int32_t reg;               /* register holding it (real pass), -1 */
} lw_snap;
typedef struct lw_snaps {
	lw_snap s[LW_MAX_SNAP];
	uint32_t n;
} lw_snaps;

typedef struct lw {
	rt_program *p;
	const chk_result *r;
	arena *a;
	ir_routine *rt;            /* routine being written */
	uint32_t nregs;            /* next free register */
	int32_t rule;              /* rule being lowered (chk index), -1 */
	span sp;                   /* span given to new ops */
	const chk_record *ev;      /* the routine's event, NULL in the day routine */
	const chk_record *elem_ev; /* a window's where/value: its element fields are this event's fields */
	bool in_elem;              /* inside an aggregate over a list of records */
	int32_t elem_list;         /* that list's event field */
	int32_t ovl;               /* register holding the overlay unit that applies (-1: none) */
	lw_patch *abort;           /* jumps to the end of the rule (division by zero) */
	uint64_t exps;             /* experiments that changed the rule being lowered */
	lw_snaps *snaps;           /* per record: what its routine reads as before the event */
	lw_snaps *snap;            /* the routine being written's (NULL: day and metric routines read live values) */
	bool dry;                  /* first pass: only history windows are registered */
	bool failed;               /* something could not be lowered (too many registers or jumps) */
} lw;

/* lower.c */
uint32_t lw_op(lw *L, ir_opcode op, int32_t a, int32_t b, int32_t c, int64_t imm);
int32_t lw_reg(lw *L);
int32_t lw_const(lw *L, int64_t v);
void lw_jump_to(lw *L, lw_patch *pl, uint32_t at);
void lw_patch_all(lw *L, lw_patch *pl);
uint32_t lw_str(lw *L, const char *s);
uint32_t lw_strset(lw *L, const ast_node *items);

/* lower_expr.c */
/* The scale of a value of type t in a register (10000 for number and points, else 1). */
int64_t lw_scale(const ty *t);
const ty *lw_type(lw *L, const ast_node *n);
/* The value of `n` in a register, in its type's scale; a missing optional
 * field jumps through `undef` (the caller decides what that means). */
int32_t lw_value(lw *L, const ast_node *n, lw_patch *undef);
/* The same, converted to the scale of type `want` (count -> number/points). */
int32_t lw_value_as(lw *L, const ast_node *n, const ty *want, lw_patch *undef);
/* A condition: 1 true, 0 false, -1 unknown. */
int32_t lw_cond(lw *L, const ast_node *n);
/* Registers (or finds) the history window of an aggregate over `EVENT in ...`. */
int32_t lw_window(lw *L, const ast_node *agg);
/* A read of the customer as before the event (BALANCE, EARNED, WINSUM of
 * an earned window) into a new register. */
int32_t lw_pre_event(lw *L, ir_opcode op, int64_t imm);
/* Emits the history updates of the routine's event (windows counting it). */
void lw_window_updates(lw *L);

#endif
