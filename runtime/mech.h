/* mech.h — the helpers the mechanic ops call (wallets, windows, caps,
 * ladders, missions, streaks, timers, returns, redemptions).
 *
 * Shared by the interpreter (vm.c) and, later, the native back end: each
 * takes the call's context and plain arguments, and works on the record
 * through the layout computed by the compiler (compiler/ir.h). None
 * allocates.
 */
#ifndef LUDIC_RT_MECH_H
#define LUDIC_RT_MECH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "exec.h"
#include "../compiler/ir.h"

#define RT_MAX_ARGS 16

/* One call's working context. */
typedef struct rt_vm {
	rt_exec *x;
	const rt_program *p;
	const rt_event *ev;       /* NULL in the day routine */
	uint8_t *st;              /* the customer's record */
	uint8_t *staff;           /* the staff member's record (after STAFF), or NULL */
	rt_str staff_id;
	int64_t day;              /* local day of the event, or the day beginning */
	int64_t at;               /* the event's time, or the start of the day */
	rt_str event_id;          /* len 0 for time passing */
	const rt_value *elem;     /* current element of a list */
	int32_t recent;           /* recent-purchase slot of this purchase, -1 */
	rt_str item_name;         /* redemption: the item asked for */
	int64_t per[4];           /* period index of `at` per clk_unit (rt_period), once per call */
	uint8_t per_known;        /* bit u: per[u] is computed */
	int32_t tslot;            /* `D after` time rule: the slot taken (TAFTER) or falling due (TDUE), -1 */
	int32_t exp_wallet;       /* exp_day is the expiry day of points of this wallet earned today, -1: none yet */
	int32_t exp_day;
	rt_fx_arg args[RT_MAX_ARGS];
	uint32_t nargs;
	bool stop;                /* the routine ends (a refused redemption) */
} rt_vm;

static inline int32_t rt_ld32(const uint8_t *s, uint32_t off) { int32_t v; memcpy(&v, s + off, 4); return v; }
static inline void rt_st32(uint8_t *s, uint32_t off, int32_t v) { memcpy(s + off, &v, 4); }
static inline int64_t rt_ld64(const uint8_t *s, uint32_t off) { int64_t v; memcpy(&v, s + off, 8); return v; }
static inline void rt_st64(uint8_t *s, uint32_t off, int64_t v) { memcpy(s + off, &v, 8); }

/* header fields */
#define RT_HDR_LAST_DAY 0
#define RT_HDR_FIRST_DAY 4
#define RT_HDR_LAST_AT 8
#define RT_HDR_BIRTHDAY 16
#define RT_HDR_RECENT 20

void rt_emit(rt_vm *vm, rt_effect *fx);

/* Makes `fx` a blank effect of kind `k` from rule `rule`, field by field,
 * in place: a compound literal of this size is zeroed with a `rep stos`
 * (slow to start), and an effect built elsewhere and copied is read back in
 * wide moves that wait for its narrow stores (store forwarding fails):
 * either cost more than the rest of an award. */
static inline void rt_fx_init(rt_effect *fx, rt_fx_kind k, int32_t rule)
{
	fx->kind = k;
	fx->staff = false;
	fx->who = (rt_str){NULL, 0};
	fx->wallet = -1;
	fx->amount = fx->balance = fx->pending = 0;
	fx->badge = fx->ladder = fx->rung = fx->previous = -1;
	fx->rule = rule;
	fx->step = -1;
	fx->length = 0;
	fx->template_name = NULL;
	fx->args = NULL;
	fx->nargs = 0;
	fx->item = -1;
	fx->item_name = (rt_str){NULL, 0};
	fx->reason = RT_REFUSE_NONE;
	fx->event_id = (rt_str){NULL, 0};
	fx->at = 0;
}

int64_t rt_balance(const rt_program *p, const uint8_t *rec, uint32_t w);
void rt_credit(rt_vm *vm, uint32_t w, int64_t amount, int32_t rule);
bool rt_debit(rt_vm *vm, uint32_t w, int64_t amount, rt_fx_kind kind, int32_t rule, int32_t item);
void rt_expire(rt_vm *vm, uint32_t w);
void rt_release(rt_vm *vm, uint32_t w);
int64_t rt_expiry_day(const rt_program *p, uint32_t w, int64_t day);

/* The period index of the call's time in `u` (computed once per call). */
static inline int64_t rt_period(rt_vm *vm, clk_unit u)
{
	if (!(vm->per_known >> u & 1)) {
		vm->per[u] = u == CLK_DAY ? vm->day : clk_memo_period(&vm->x->memo, vm->p->zone, vm->at, u);
		vm->per_known |= (uint8_t)(1u << u);
	}
	return vm->per[u];
}

void rt_win_add_idx(const rt_program *p, uint8_t *st, uint32_t win, int64_t idx, int64_t v);
int64_t rt_win_sum_idx(const rt_program *p, const uint8_t *st, uint32_t win, int64_t idx);
void rt_win_add(const rt_program *p, uint8_t *st, uint32_t win, int64_t at, int64_t v);
int64_t rt_win_sum(const rt_program *p, const uint8_t *st, uint32_t win, int64_t at);

int64_t rt_cap_left(rt_vm *vm, uint32_t cap);
void rt_cap_use(rt_vm *vm, uint32_t cap, int64_t v);

void rt_ladder_up(rt_vm *vm, uint32_t l, int64_t metric);
void rt_ladder_review(rt_vm *vm, uint32_t l, int64_t metric);
/* A review of ladder l happens today (always true for a ladder without review). */
bool rt_ladder_review_due(rt_vm *vm, uint32_t l);

int64_t rt_mission_at(rt_vm *vm, uint32_t m, int32_t step);
void rt_mission_start(rt_vm *vm, uint32_t m, bool yes);
int64_t rt_mission_advance(rt_vm *vm, uint32_t m, int32_t step);
void rt_mission_done(rt_vm *vm, uint32_t m);
void rt_mission_deadline(rt_vm *vm, uint32_t m);
int64_t rt_streak_advance(rt_vm *vm, uint32_t s);
void rt_streak_done(rt_vm *vm, uint32_t s);

void rt_timer_seen(rt_vm *vm, uint32_t t);
void rt_timer_after(rt_vm *vm, uint32_t t);
void rt_timer_stash(rt_vm *vm, uint32_t t, uint32_t k, int64_t v);
int64_t rt_timer_load(rt_vm *vm, uint32_t t, uint32_t k);
bool rt_timer_has(rt_vm *vm, uint32_t t, uint32_t k);
int64_t rt_timer_due(rt_vm *vm, uint32_t t);

/* The first day >= `from` on which the day routine may do something for
 * record `st` (a lot expires or is released, a time rule falls due, a review
 * period begins, a mission's deadline passes); INT64_MAX if none. Every day
 * before it would do nothing at all. */
int64_t rt_next_day_due(const rt_program *p, const uint8_t *st, int64_t from);

/* The same for a staff record: the first day >= `from` on which a lot of a
 * staff wallet expires or is released; INT64_MAX if none. */
int64_t rt_staff_next_day_due(const rt_program *p, const uint8_t *staff, int64_t from);

void rt_purchase_record(rt_vm *vm, int64_t total);
void rt_return(rt_vm *vm, rt_str original, int64_t value);
int64_t rt_find_item(rt_vm *vm, rt_str name);
void rt_refuse(rt_vm *vm, int64_t item, rt_refusal why);
void rt_redeem(rt_vm *vm, int64_t item);

/* Runs routine `r` with the given registers (the metric routines reuse it). */
void rt_vm_run(rt_vm *vm, const ir_routine *r, int64_t *regs);

#endif
