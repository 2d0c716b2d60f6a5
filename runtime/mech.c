/* mech.c — what mechanic ops do to a record: wallets (lots, pending,
 * expiry), history windows, caps, ladders, missions, streaks, time rules,
 * returns and redemptions. The layout is compiler/layout.c's; the decided
 * semantics are those of docs/language.md "How rules run".
 */
#include "mech.h"

#include "siphash.h"

/* ---- effects ---- */

void rt_emit(rt_vm *vm, rt_effect *fx)
{
	fx->event_id = vm->event_id;
	fx->at = vm->at;
	if (!fx->staff)
		fx->who = vm->x->customer;
	if (vm->x->emit)
		vm->x->emit(vm->x->user, fx);
}

/* ---- wallets ---- */

#define W_BAL 0
#define W_EARNED 8
#define W_PENDING 16
#define W_NLOTS 24
#define W_NPEND 28

static uint8_t *rec_of(rt_vm *vm, uint32_t w)
{
	return vm->p->wallets[w].staff ? vm->staff : vm->st;
}

/* The pending total of a wallet with a pending period (0 for the others),
 * for its effects. */
static int64_t wallet_pending(const rt_lay_wallet *lw, const uint8_t *rec)
{
	return lw->pend_off ? rt_ld64(rec, lw->off + W_PENDING) : 0;
}

/* An effect moving `amount` points of wallet `w` (in record `rec`), with the
 * wallet's spendable and pending totals after it; an effect on a staff
 * wallet goes to the staff member. */
static inline void fx_wallet(rt_effect *fx, const rt_vm *vm, rt_fx_kind kind, int32_t rule, uint32_t w,
			     const uint8_t *rec, int64_t amount)
{
	const rt_lay_wallet *lw = &vm->p->wallets[w];
	rt_fx_init(fx, kind, rule);
	fx->wallet = (int32_t)w;
	fx->amount = amount;
	fx->balance = rt_ld64(rec, lw->off + W_BAL);
	fx->pending = wallet_pending(lw, rec);
	if (lw->staff) {
		fx->staff = true;
		fx->who = vm->staff_id;
	}
}

int64_t rt_balance(const rt_program *p, const uint8_t *rec, uint32_t w)
{
	return rec ? rt_ld64(rec, p->wallets[w].off + W_BAL) : 0;
}

int64_t rt_expiry_day(const rt_program *p, uint32_t w, int64_t day)
{
	const rt_lay_wallet *lw = &p->wallets[w];
	int64_t n = lw->expires_n;
	switch (lw->expires_u) {
	case UNIT_DAY: return day + n;
	case UNIT_WEEK: return day + 7 * n;
	case UNIT_MONTH: case UNIT_YEAR: {
		if (lw->expires_u == UNIT_YEAR)
			n *= 12;
		clk_date d = clk_civil_from_days(day);
		int64_t m = d.month - 1 + n;
		int64_t y = d.year + (m >= 0 ? m / 12 : -((11 - m) / 12));
		int mo = (int)(m - (y - d.year) * 12) + 1;
		int dim = clk_days_in_month(y, mo);
		return clk_days_from_civil(y, mo, d.day > dim ? dim : d.day);
	}
	default: return day + n;
	}
}

/* Amounts in a record saturate instead of overflowing: only absurd inputs
 * (awards near 2^63 points) reach the limits, and they must not be
 * undefined behaviour. */
static inline int64_t add_sat(int64_t a, int64_t b)
{
	int64_t r;
	return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

static inline int64_t mul_sat(int64_t a, int64_t b)
{
	int64_t r;
	return __builtin_mul_overflow(a, b, &r) ? (((a < 0) != (b < 0)) ? INT64_MIN : INT64_MAX) : r;
}

/* Adds a lot (amount, key day) to a sorted array of `cap` 16-byte lots at
 * `off`, count at `noff`; merged with a lot of the same day; when full,
 * merged into the newest lot, which takes the later day. `extra` is the
 * lot's third word (reminded flag / expiry day). */
static void lot_add(uint8_t *rec, uint32_t off, uint32_t noff, uint32_t cap, int64_t amount, int32_t day, int32_t extra)
{
	uint32_t n = (uint32_t)rt_ld32(rec, noff);
	for (uint32_t i = 0; i < n; i++) {
		if (rt_ld32(rec, off + i * 16 + 8) == day) {
			rt_st64(rec, off + i * 16, add_sat(rt_ld64(rec, off + i * 16), amount));
			return;
		}
	}
	if (n == cap) {
		uint32_t last = off + (n - 1) * 16;
		rt_st64(rec, last, add_sat(rt_ld64(rec, last), amount));
		if (rt_ld32(rec, last + 8) < day) {
			rt_st32(rec, last + 8, day);
			rt_st32(rec, last + 12, extra);
		}
		return;
	}
	uint32_t i = n;
	while (i > 0 && rt_ld32(rec, off + (i - 1) * 16 + 8) > day) {
		memcpy(rec + off + i * 16, rec + off + (i - 1) * 16, 16);
		i--;
	}
	rt_st64(rec, off + i * 16, amount);
	rt_st32(rec, off + i * 16 + 8, day);
	rt_st32(rec, off + i * 16 + 12, extra);
	rt_st32(rec, noff, (int32_t)n + 1);
}

static void lot_remove_front(uint8_t *rec, uint32_t off, uint32_t noff, uint32_t k)
{
	uint32_t n = (uint32_t)rt_ld32(rec, noff);
	if (k > n)
		k = n;
	memmove(rec + off, rec + off + k * 16, (n - k) * 16);
	rt_st32(rec, noff, (int32_t)(n - k));
}

/* Takes `amount` from the lots, oldest first (the balance is updated by the caller). */
static void lots_take(const rt_program *p, uint8_t *rec, uint32_t w, int64_t amount)
{
	const rt_lay_wallet *lw = &p->wallets[w];
	if (!lw->lots_off)
		return;
	uint32_t noff = lw->off + W_NLOTS, n = (uint32_t)rt_ld32(rec, noff), used = 0;
	while (amount > 0 && used < n) {
		uint32_t o = lw->lots_off + used * 16;
		int64_t a = rt_ld64(rec, o);
		if (a <= amount) {
			amount -= a;
			used++;
		} else {
			rt_st64(rec, o, a - amount);
			amount = 0;
		}
	}
	lot_remove_front(rec, lw->lots_off, noff, used);
}

static void earned_windows(rt_vm *vm, uint8_t *rec, uint32_t w, int64_t at, int64_t points)
{
	const rt_program *p = vm->p;
	if (rec != vm->st)
		return;
	(void)at;
	for (int32_t k = p->wallets[w].earned_win; k >= 0; k = p->windows[k].next_earned)
		rt_win_add_idx(p, rec, (uint32_t)k, rt_period(vm, p->windows[k].unit), mul_sat(points, AST_DECIMAL_SCALE));
}

void rt_credit(rt_vm *vm, uint32_t w, int64_t amount, int32_t rule)
{
	if (amount <= 0)
		return;
	const rt_program *p = vm->p;
	const rt_lay_wallet *lw = &p->wallets[w];
	uint8_t *rec = rec_of(vm, w);
	if (!rec)
		return;
	rt_st64(rec, lw->off + W_EARNED, add_sat(rt_ld64(rec, lw->off + W_EARNED), amount));
	earned_windows(vm, rec, w, vm->at, amount);
	int32_t exp = RT_NO_DAY;
	if (lw->lots_off) {
		/* the same for every award of the call to this wallet */
		if (vm->exp_wallet != (int32_t)w) {
			vm->exp_wallet = (int32_t)w;
			vm->exp_day = (int32_t)rt_expiry_day(p, w, vm->day);
		}
		exp = vm->exp_day;
	}
	if (lw->pend_off) {
		rt_st64(rec, lw->off + W_PENDING, add_sat(rt_ld64(rec, lw->off + W_PENDING), amount));
		lot_add(rec, lw->pend_off, lw->off + W_NPEND, RT_PENDING, amount, (int32_t)(vm->day + lw->pending_days), exp);
	} else {
		rt_st64(rec, lw->off + W_BAL, add_sat(rt_ld64(rec, lw->off + W_BAL), amount));
		if (lw->lots_off)
			lot_add(rec, lw->lots_off, lw->off + W_NLOTS, RT_LOTS, amount, exp, 0);
	}
	if (vm->recent >= 0 && lw->recent_slot >= 0 && rec == vm->st) {
		uint32_t o = p->off_recent + (uint32_t)vm->recent * p->recent_size + 32 + 16 * (uint32_t)lw->recent_slot;
		rt_st64(rec, o, add_sat(rt_ld64(rec, o), amount));
	}
	rt_effect fx;
	fx_wallet(&fx, vm, RT_FX_AWARD, rule, w, rec, amount);
	rt_emit(vm, &fx);
}

bool rt_debit(rt_vm *vm, uint32_t w, int64_t amount, rt_fx_kind kind, int32_t rule, int32_t item)
{
	const rt_program *p = vm->p;
	const rt_lay_wallet *lw = &p->wallets[w];
	uint8_t *rec = rec_of(vm, w);
	if (!rec || amount <= 0)
		return false;
	int64_t bal = rt_ld64(rec, lw->off + W_BAL);
	if (bal < amount)
		return false;
	rt_st64(rec, lw->off + W_BAL, bal - amount);
	lots_take(p, rec, w, amount);
	rt_effect fx;
	fx_wallet(&fx, vm, kind, rule, w, rec, amount);
	fx.item = item;
	fx.item_name = vm->item_name;
	rt_emit(vm, &fx);
	return true;
}

void rt_expire(rt_vm *vm, uint32_t w)
{
	const rt_program *p = vm->p;
	const rt_lay_wallet *lw = &p->wallets[w];
	/* a staff wallet's lots expire when days pass for the staff record
	 * (rt_exec_staff_days); the customer's day routine has none */
	uint8_t *rec = rec_of(vm, w);
	if (!rec || !lw->lots_off)
		return;
	uint32_t n = (uint32_t)rt_ld32(rec, lw->off + W_NLOTS), k = 0;
	int64_t total = 0;
	while (k < n && rt_ld32(rec, lw->lots_off + k * 16 + 8) <= vm->day)
		total = add_sat(total, rt_ld64(rec, lw->lots_off + (k++) * 16));
	if (!k)
		return;
	lot_remove_front(rec, lw->lots_off, lw->off + W_NLOTS, k);
	int64_t bal = rt_ld64(rec, lw->off + W_BAL) - total;
	if (bal < 0)
		bal = 0;
	rt_st64(rec, lw->off + W_BAL, bal);
	if (total <= 0)
		return;
	rt_effect fx;
	fx_wallet(&fx, vm, RT_FX_EXPIRE, -1, w, rec, total);
	rt_emit(vm, &fx);
}

void rt_release(rt_vm *vm, uint32_t w)
{
	const rt_program *p = vm->p;
	const rt_lay_wallet *lw = &p->wallets[w];
	uint8_t *rec = rec_of(vm, w);
	if (!rec || !lw->pend_off)
		return;
	uint32_t n = (uint32_t)rt_ld32(rec, lw->off + W_NPEND), k = 0;
	int64_t total = 0;
	while (k < n && rt_ld32(rec, lw->pend_off + k * 16 + 8) <= vm->day) {
		uint32_t o = lw->pend_off + k * 16;
		int64_t a = rt_ld64(rec, o);
		total = add_sat(total, a);
		if (lw->lots_off && a > 0)
			lot_add(rec, lw->lots_off, lw->off + W_NLOTS, RT_LOTS, a, rt_ld32(rec, o + 12), 0);
		k++;
	}
	if (!k)
		return;
	lot_remove_front(rec, lw->pend_off, lw->off + W_NPEND, k);
	rt_st64(rec, lw->off + W_PENDING, rt_ld64(rec, lw->off + W_PENDING) - total);
	int64_t bal = add_sat(rt_ld64(rec, lw->off + W_BAL), total);
	rt_st64(rec, lw->off + W_BAL, bal);
	if (total <= 0)
		return;
	rt_effect fx;
	fx_wallet(&fx, vm, RT_FX_RELEASE, -1, w, rec, total);
	rt_emit(vm, &fx);
}

/* ---- history windows ---- */

static uint32_t ring_slot(int64_t idx, uint32_t n)
{
	int64_t m = idx % (int64_t)n;
	return (uint32_t)(m < 0 ? m + n : m);
}

/* A window: i32 last bucket index, i32 pad, i64 running total of the
 * buckets (sums and counts), then the buckets. The total is kept as buckets
 * roll, so reading a window costs no loop over its buckets. */
#define WIN_TOTAL 8
#define WIN_BUCKETS 16

static int64_t bucket_get(const uint8_t *st, const rt_lay_window *w, uint32_t i)
{
	return w->wide ? rt_ld64(st, w->off + WIN_BUCKETS + i * 8) : rt_ld32(st, w->off + WIN_BUCKETS + i * 4);
}

static void bucket_set(uint8_t *st, const rt_lay_window *w, uint32_t i, int64_t v)
{
	if (w->wide)
		rt_st64(st, w->off + WIN_BUCKETS + i * 8, v);
	else
		rt_st32(st, w->off + WIN_BUCKETS + i * 4, (int32_t)(v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v));
}

static int64_t win_empty(const rt_lay_window *w)
{
	return w->fn == RT_WIN_MIN ? INT64_MAX : w->fn == RT_WIN_MAX ? INT64_MIN : 0;
}

static int64_t win_combine(const rt_lay_window *w, int64_t a, int64_t b)
{
	switch (w->fn) {
	case RT_WIN_MIN: return a < b ? a : b;
	case RT_WIN_MAX: return a > b ? a : b;
	default: return add_sat(a, b);
	}
}

void rt_win_add_idx(const rt_program *p, uint8_t *st, uint32_t win, int64_t idx, int64_t v)
{
	const rt_lay_window *w = &p->windows[win];
	int64_t last = rt_ld32(st, w->off);
	uint32_t n = w->nbuckets;
	int64_t empty = win_empty(w), total = rt_ld64(st, w->off + WIN_TOTAL);
	if (last == RT_NO_DAY || idx - last >= n) {
		for (uint32_t i = 0; i < n; i++)
			bucket_set(st, w, i, empty);
		total = 0;
		rt_st32(st, w->off, (int32_t)idx);
	} else if (idx > last) {
		for (int64_t k = last + 1; k <= idx; k++) {
			uint32_t sl = ring_slot(k, n);
			if (w->fn == RT_WIN_SUM)
				total = add_sat(total, -bucket_get(st, w, sl));
			bucket_set(st, w, sl, empty);
		}
		rt_st32(st, w->off, (int32_t)idx);
	} else if (idx <= last - n) {
		return; /* older than the ring (a late event): not counted */
	}
	uint32_t s = ring_slot(idx, n);
	bucket_set(st, w, s, win_combine(w, bucket_get(st, w, s), v));
	if (w->fn == RT_WIN_SUM)
		rt_st64(st, w->off + WIN_TOTAL, add_sat(total, v));
}

int64_t rt_win_sum_idx(const rt_program *p, const uint8_t *st, uint32_t win, int64_t idx)
{
	const rt_lay_window *w = &p->windows[win];
	int64_t last = rt_ld32(st, w->off);
	uint32_t n = w->nbuckets;
	if (last == RT_NO_DAY || idx - last >= (int64_t)n)
		return 0;
	if (w->fn == RT_WIN_SUM && idx >= last) {
		/* the total, less the buckets that have left the window since */
		int64_t s = rt_ld64(st, w->off + WIN_TOTAL);
		for (int64_t k = last - n + 1; k <= idx - n; k++)
			s -= bucket_get(st, w, ring_slot(k, n));
		return s;
	}
	int64_t from = idx - n + 1, to = idx < last ? idx : last;
	if (from < last - n + 1)
		from = last - n + 1;
	int64_t s = win_empty(w);
	for (int64_t k = from; k <= to; k++)
		s = win_combine(w, s, bucket_get(st, w, ring_slot(k, n)));
	return s == INT64_MAX || s == INT64_MIN ? 0 : s;
}

void rt_win_add(const rt_program *p, uint8_t *st, uint32_t win, int64_t at, int64_t v)
{
	rt_win_add_idx(p, st, win, clk_period_index(p->zone, at, p->windows[win].unit), v);
}

int64_t rt_win_sum(const rt_program *p, const uint8_t *st, uint32_t win, int64_t at)
{
	return rt_win_sum_idx(p, st, win, clk_period_index(p->zone, at, p->windows[win].unit));
}

/* ---- caps ---- */

static int64_t cap_period(rt_vm *vm, const rt_lay_cap *c)
{
	return c->ever ? 0 : rt_period(vm, c->unit);
}

int64_t rt_cap_left(rt_vm *vm, uint32_t cap)
{
	const rt_lay_cap *c = &vm->p->caps[cap];
	uint8_t *rec = c->staff ? vm->staff : vm->st;
	if (!rec)
		return 0;
	if (rt_ld32(rec, c->off) != (int32_t)cap_period(vm, c))
		return c->limit;
	int64_t left = c->limit - rt_ld32(rec, c->off + 4);
	return left > 0 ? left : 0;
}

void rt_cap_use(rt_vm *vm, uint32_t cap, int64_t v)
{
	const rt_lay_cap *c = &vm->p->caps[cap];
	uint8_t *rec = c->staff ? vm->staff : vm->st;
	if (!rec || v <= 0)
		return;
	int32_t per = (int32_t)cap_period(vm, c);
	int64_t used = rt_ld32(rec, c->off) == per ? rt_ld32(rec, c->off + 4) : 0;
	used += v;
	rt_st32(rec, c->off, per);
	rt_st32(rec, c->off + 4, (int32_t)(used > INT32_MAX ? INT32_MAX : used));
}

/* ---- ladders ---- */

static int32_t rung_for(const rt_program *p, uint32_t l, int64_t metric)
{
	const chk_ladder *ld = p->r->ladders[l];
	int32_t rung = -1;
	for (uint32_t k = 0; k < ld->nrungs; k++)
		if (p->ladders[l].thresholds[k] <= metric)
			rung = (int32_t)k;
	return rung;
}

static void ladder_move(rt_vm *vm, uint32_t l, int32_t to)
{
	const rt_lay_ladder *ll = &vm->p->ladders[l];
	int32_t from = rt_ld32(vm->st, ll->off);
	rt_st32(vm->st, ll->off, to);
	rt_st32(vm->st, ll->off + 4, (int32_t)vm->day);
	rt_effect fx;
	rt_fx_init(&fx, vm->p->r->ladders[l]->level ? RT_FX_LEVEL : RT_FX_TIER, -1);
	fx.ladder = (int32_t)l;
	fx.rung = to;
	fx.previous = from;
	rt_emit(vm, &fx);
}

static bool hold_over(rt_vm *vm, const rt_lay_ladder *ll)
{
	int32_t since = rt_ld32(vm->st, ll->off + 4);
	return since == RT_NO_DAY || vm->day >= (int64_t)since + ll->hold_days;
}

void rt_ladder_up(rt_vm *vm, uint32_t l, int64_t metric)
{
	const rt_lay_ladder *ll = &vm->p->ladders[l];
	int32_t cur = rt_ld32(vm->st, ll->off), to = rung_for(vm->p, l, metric);
	/* up is always at once; down only at a review (rt_ladder_review) */
	if (to > cur)
		ladder_move(vm, l, to);
}

bool rt_ladder_review_due(rt_vm *vm, uint32_t l)
{
	const rt_program *p = vm->p;
	const rt_lay_ladder *ll = &p->ladders[l];
	if (!ll->review)
		return true;
	/* a review when a review period begins (once) */
	int64_t per = rt_period(vm, ll->review_unit);
	int64_t prev = clk_memo_period(&vm->x->memo, p->zone, clk_memo_day_start(&vm->x->memo, p->zone, vm->day - 1),
				       ll->review_unit);
	return per != prev && rt_ld32(vm->st, ll->off + 8) != (int32_t)per;
}

void rt_ladder_review(rt_vm *vm, uint32_t l, int64_t metric)
{
	const rt_program *p = vm->p;
	const rt_lay_ladder *ll = &p->ladders[l];
	if (!ll->review) {
		rt_ladder_up(vm, l, metric);
		return;
	}
	if (!rt_ladder_review_due(vm, l))
		return;
	int64_t per = rt_period(vm, ll->review_unit);
	rt_st32(vm->st, ll->off + 8, (int32_t)per);
	int32_t cur = rt_ld32(vm->st, ll->off), to = rung_for(p, l, metric);
	if (to > cur)
		ladder_move(vm, l, to);
	else if (to < cur && hold_over(vm, ll))
		ladder_move(vm, l, cur - 1);
}

/* ---- missions ---- */

#define M_STEP 0
#define M_STATE 1
#define M_COUNT 2
#define M_START 4

int64_t rt_mission_at(rt_vm *vm, uint32_t m, int32_t step)
{
	const rt_lay_mission *lm = &vm->p->missions[m];
	uint8_t *st = vm->st;
	uint8_t state = st[lm->off + M_STATE];
	if (step < 0)
		return state == RT_MIS_NEW;
	if ((lm->from_day != RT_NO_DAY && vm->day < lm->from_day) ||
	    (lm->until_day != RT_NO_DAY && vm->day > lm->until_day))
		return 0;
	if (state == RT_MIS_RUNNING) {
		if (lm->within_days && vm->day > (int64_t)rt_ld32(st, lm->off + M_START) + lm->within_days) {
			st[lm->off + M_STATE] = RT_MIS_EXPIRED;
			return 0;
		}
		return st[lm->off + M_STEP] == step;
	}
	if (state == RT_MIS_NEW)
		return step == 0 && !lm->anchored ? 2 : 0;
	return 0;
}

void rt_mission_start(rt_vm *vm, uint32_t m, bool yes)
{
	const rt_lay_mission *lm = &vm->p->missions[m];
	uint8_t *st = vm->st;
	if (st[lm->off + M_STATE] != RT_MIS_NEW)
		return;
	st[lm->off + M_STATE] = yes ? RT_MIS_RUNNING : RT_MIS_OUT;
	st[lm->off + M_STEP] = 0;
	memset(st + lm->off + M_COUNT, 0, 2);
	rt_st32(st, lm->off + M_START, (int32_t)vm->day);
}

int64_t rt_mission_advance(rt_vm *vm, uint32_t m, int32_t step)
{
	const rt_lay_mission *lm = &vm->p->missions[m];
	uint8_t *st = vm->st;
	uint16_t count;
	memcpy(&count, st + lm->off + M_COUNT, 2);
	count++;
	if (count < lm->times[step]) {
		memcpy(st + lm->off + M_COUNT, &count, 2);
		return 0;
	}
	count = 0;
	memcpy(st + lm->off + M_COUNT, &count, 2);
	st[lm->off + M_STEP] = (uint8_t)(step + 1);
	rt_effect fx;
	rt_fx_init(&fx, RT_FX_MISSION_STEP, lm->rule);
	fx.step = step;
	rt_emit(vm, &fx);
	if ((uint32_t)step + 1 < lm->nsteps)
		return 1;
	st[lm->off + M_STATE] = RT_MIS_DONE;
	return 2; /* mission_complete comes from MDONE, after the step's actions */
}

void rt_mission_done(rt_vm *vm, uint32_t m)
{
	rt_effect fx;
	rt_fx_init(&fx, RT_FX_MISSION_COMPLETE, vm->p->missions[m].rule);
	rt_emit(vm, &fx);
}

void rt_mission_deadline(rt_vm *vm, uint32_t m)
{
	const rt_lay_mission *lm = &vm->p->missions[m];
	uint8_t *st = vm->st;
	if (st[lm->off + M_STATE] == RT_MIS_RUNNING && lm->within_days &&
	    vm->day > (int64_t)rt_ld32(st, lm->off + M_START) + lm->within_days)
		st[lm->off + M_STATE] = RT_MIS_EXPIRED;
}

/* ---- streaks ---- */

int64_t rt_streak_advance(rt_vm *vm, uint32_t s)
{
	const rt_lay_streak *ls = &vm->p->streaks[s];
	uint8_t *st = vm->st;
	int64_t per = rt_period(vm, ls->unit);
	int32_t last = rt_ld32(st, ls->off);
	uint16_t len, missed;
	memcpy(&len, st + ls->off + 4, 2);
	memcpy(&missed, st + ls->off + 6, 2);
	if (last != RT_NO_DAY && per <= last)
		return 0;
	if (last == RT_NO_DAY || len == 0) {
		len = 1;
		missed = 0;
	} else {
		int64_t gap = per - last - 1;
		if (gap <= (int64_t)ls->grace - missed) {
			missed = (uint16_t)(missed + gap);
			len++;
		} else {
			len = 1;
			missed = 0;
		}
	}
	rt_st32(st, ls->off, (int32_t)per);
	int64_t done = 0;
	if (len >= ls->goal) {
		/* the effect comes from SDONE, once the rule's caps allowed it */
		len = 0;
		missed = 0;
		done = 1;
	}
	memcpy(st + ls->off + 4, &len, 2);
	memcpy(st + ls->off + 6, &missed, 2);
	return done;
}

void rt_streak_done(rt_vm *vm, uint32_t s)
{
	const rt_lay_streak *ls = &vm->p->streaks[s];
	rt_effect fx;
	rt_fx_init(&fx, RT_FX_STREAK, ls->rule);
	fx.length = ls->goal;
	rt_emit(vm, &fx);
}

/* ---- time rules ---- */

void rt_timer_seen(rt_vm *vm, uint32_t t)
{
	const rt_lay_timer *lt = &vm->p->timers[t];
	rt_st32(vm->st, lt->off, (int32_t)vm->day);
	rt_st32(vm->st, lt->off + 4, 0);
}

void rt_timer_after(rt_vm *vm, uint32_t t)
{
	const rt_lay_timer *lt = &vm->p->timers[t];
	vm->tslot = -1;
	for (uint32_t i = 0; i < RT_AFTER_SLOTS; i++) {
		if (rt_ld32(vm->st, lt->off + 8 * i) != RT_NO_DAY)
			continue;
		rt_st32(vm->st, lt->off + 8 * i, (int32_t)(vm->day + lt->days));
		rt_st32(vm->st, lt->off + 8 * i + 4, 0);
		vm->tslot = (int32_t)i;
		return;
	}
	/* all slots pending: this one is dropped, the earliest are kept */
}

void rt_timer_stash(rt_vm *vm, uint32_t t, uint32_t k, int64_t v)
{
	const rt_lay_timer *lt = &vm->p->timers[t];
	if (vm->tslot < 0 || k >= lt->nstash)
		return;
	uint32_t s = (uint32_t)vm->tslot;
	rt_st64(vm->st, lt->stash_off + (s * lt->nstash + k) * 8, v);
	rt_st32(vm->st, lt->off + 8 * s + 4, (int32_t)((uint32_t)rt_ld32(vm->st, lt->off + 8 * s + 4) | (1u << k)));
}

bool rt_timer_has(rt_vm *vm, uint32_t t, uint32_t k)
{
	const rt_lay_timer *lt = &vm->p->timers[t];
	return vm->tslot >= 0 && k < lt->nstash &&
	       ((uint32_t)rt_ld32(vm->st, lt->off + 8 * (uint32_t)vm->tslot + 4) >> k & 1);
}

int64_t rt_timer_load(rt_vm *vm, uint32_t t, uint32_t k)
{
	const rt_lay_timer *lt = &vm->p->timers[t];
	if (vm->tslot < 0 || k >= lt->nstash)
		return 0;
	return rt_ld64(vm->st, lt->stash_off + ((uint32_t)vm->tslot * lt->nstash + k) * 8);
}

int64_t rt_timer_due(rt_vm *vm, uint32_t t)
{
	const rt_program *p = vm->p;
	const rt_lay_timer *lt = &p->timers[t];
	uint8_t *st = vm->st;
	int64_t d = vm->day;
	switch (lt->kind) {
	case CHK_TRIG_INACTIVE: {
		int32_t base = rt_ld32(st, lt->off);
		if (base == RT_NO_DAY)
			base = rt_ld32(st, p->off_hdr + RT_HDR_FIRST_DAY);
		if (base == RT_NO_DAY || rt_ld32(st, lt->off + 4) || d < (int64_t)base + lt->days)
			return 0;
		rt_st32(st, lt->off + 4, 1);
		return 1;
	}
	case CHK_TRIG_AFTER: {
		/* the earliest slot due (the lowering loops while one is) */
		int32_t best = -1, bday = 0;
		for (uint32_t i = 0; i < RT_AFTER_SLOTS; i++) {
			int32_t due = rt_ld32(st, lt->off + 8 * i);
			if (due != RT_NO_DAY && due <= d && (best < 0 || due < bday)) {
				best = (int32_t)i;
				bday = due;
			}
		}
		vm->tslot = best;
		if (best < 0)
			return 0;
		rt_st32(st, lt->off + 8 * (uint32_t)best, RT_NO_DAY);
		return 1;
	}
	case CHK_TRIG_BIRTHDAY: {
		int32_t b = rt_ld32(st, p->off_hdr + RT_HDR_BIRTHDAY);
		if (b == RT_NO_DAY)
			return 0;
		clk_date bd = clk_memo_date(&vm->x->memo, b), today = clk_memo_date(&vm->x->memo, d);
		if (lt->month)
			return today.month == bd.month && today.day == 1;
		if (today.month == bd.month && today.day == bd.day)
			return 1;
		return bd.month == 2 && bd.day == 29 && today.month == 2 && today.day == 28 && !clk_is_leap(today.year);
	}
	case CHK_TRIG_EXPIRING: {
		if (lt->wallet < 0)
			return 0;
		const rt_lay_wallet *lw = &p->wallets[lt->wallet];
		if (!lw->lots_off)
			return 0;
		uint32_t n = (uint32_t)rt_ld32(st, lw->off + W_NLOTS);
		int64_t fire = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t o = lw->lots_off + i * 16;
			if (rt_ld32(st, o + 8) <= d + lt->days && !rt_ld32(st, o + 12) && rt_ld64(st, o) > 0) {
				rt_st32(st, o + 12, 1);
				fire = 1;
			}
		}
		return fire;
	}
	default:
		return 0;
	}
}

/* ---- returns ---- */

void rt_purchase_record(rt_vm *vm, int64_t total)
{
	const rt_program *p = vm->p;
	if (!p->off_recent)
		return;
	uint8_t *st = vm->st;
	int32_t head = rt_ld32(st, p->off_hdr + RT_HDR_RECENT);
	if (head < 0 || head >= RT_RECENT)
		head = 0;
	uint32_t o = p->off_recent + (uint32_t)head * p->recent_size;
	memset(st + o, 0, p->recent_size);
	uint64_t h = rt_hash2("purchase", 8, vm->event_id.p, vm->event_id.len);
	memcpy(st + o, &h, 8);
	rt_st32(st, o + 8, (int32_t)vm->day);
	rt_st64(st, o + 16, total);
	vm->recent = head;
	rt_st32(st, p->off_hdr + RT_HDR_RECENT, (head + 1) % RT_RECENT);
}

void rt_return(rt_vm *vm, rt_str original, int64_t value)
{
	const rt_program *p = vm->p;
	if (!p->off_recent || value <= 0)
		return;
	uint8_t *st = vm->st;
	uint64_t h = rt_hash2("purchase", 8, original.p, original.len);
	for (uint32_t s = 0; s < RT_RECENT; s++) {
		uint32_t o = p->off_recent + s * p->recent_size;
		uint64_t hs;
		memcpy(&hs, st + o, 8);
		if (hs != h)
			continue;
		/* What the purchase owes back is proportional to the value returned
		 * so far, all returns of it together: a basket returned in two
		 * parts gives back exactly what it earned, whatever the rounding
		 * of each part. What a return could not take (points already
		 * spent) is settled all the same: a later return never claims it. */
		int64_t total = rt_ld64(st, o + 16);
		int64_t before = rt_ld64(st, o + 24);
		int64_t after = before + value;
		if (total > 0 && after > total)
			after = total;
		rt_st64(st, o + 24, after);
		int32_t pday = rt_ld32(st, o + 8);
		for (uint32_t w = 0; w < p->r->nwallets; w++) {
			const rt_lay_wallet *lw = &p->wallets[w];
			if (lw->recent_slot < 0)
				continue;
			uint32_t eo = o + 32 + 16 * (uint32_t)lw->recent_slot;
			int64_t earned = rt_ld64(st, eo), settled = rt_ld64(st, eo + 8);
			if (earned <= 0)
				continue;
			__int128 due = total > 0 ? (__int128)earned * after / total : earned;
			if (due > earned)
				due = earned;
			int64_t want = (int64_t)due - settled;
			if (want <= 0)
				continue;
			rt_st64(st, eo + 8, settled + want);
			/* pending points first (newest first), then the balance (oldest lots first) */
			int64_t taken = 0;
			if (lw->pend_off) {
				uint32_t n = (uint32_t)rt_ld32(st, lw->off + W_NPEND);
				for (int32_t i = (int32_t)n - 1; i >= 0 && taken < want; i--) {
					uint32_t lo = lw->pend_off + (uint32_t)i * 16;
					int64_t a = rt_ld64(st, lo), t = a < want - taken ? a : want - taken;
					rt_st64(st, lo, a - t);
					taken += t;
				}
				rt_st64(st, lw->off + W_PENDING, rt_ld64(st, lw->off + W_PENDING) - taken);
			}
			int64_t bal = rt_ld64(st, lw->off + W_BAL);
			int64_t from_bal = want - taken < bal ? want - taken : bal;
			if (from_bal > 0) {
				rt_st64(st, lw->off + W_BAL, bal - from_bal);
				lots_take(p, st, w, from_bal);
				taken += from_bal;
			}
			if (taken <= 0)
				continue;
			rt_st64(st, lw->off + W_EARNED, rt_ld64(st, lw->off + W_EARNED) - taken);
			int64_t pat = clk_period_start(p->zone, CLK_DAY, pday);
			for (int32_t k = lw->earned_win; k >= 0; k = p->windows[k].next_earned)
				rt_win_add(p, st, (uint32_t)k, pat, mul_sat(-taken, AST_DECIMAL_SCALE));
			rt_effect fx;
			fx_wallet(&fx, vm, RT_FX_REVERSE, -1, w, st, taken);
			rt_emit(vm, &fx);
		}
		return;
	}
}

/* ---- redemptions ---- */

int64_t rt_find_item(rt_vm *vm, rt_str name)
{
	vm->item_name = name;
	const rt_program *p = vm->p;
	for (uint32_t i = 0; i < p->nitems; i++)
		if (p->items[i].len == name.len && memcmp(p->items[i].name, name.p, name.len) == 0)
			return i;
	return -1;
}

void rt_refuse(rt_vm *vm, int64_t item, rt_refusal why)
{
	rt_effect fx;
	rt_fx_init(&fx, RT_FX_REFUSAL, -1);
	fx.item = (int32_t)item;
	fx.item_name = vm->item_name;
	fx.reason = why;
	if (item >= 0) {
		fx.wallet = vm->p->items[item].wallet;
		fx.amount = vm->p->items[item].cost;
		fx.balance = rt_balance(vm->p, vm->st, (uint32_t)fx.wallet);
	}
	rt_emit(vm, &fx);
	vm->stop = true;
}

void rt_redeem(rt_vm *vm, int64_t item)
{
	const rt_lay_item *it = &vm->p->items[item];
	if (!rt_debit(vm, (uint32_t)it->wallet, it->cost, RT_FX_REDEMPTION, -1, (int32_t)item))
		rt_refuse(vm, item, RT_REFUSE_BALANCE);
}

/* ---- skipping days ---- */

static int64_t min_day(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* The first day >= from (whose date is f) on which birthday `b` (a day
 * number) is kept: the day itself (Feb 29: Feb 28 in common years), or the
 * 1st of its month. */
static int64_t next_birthday(int64_t b, bool month, int64_t from, clk_date f)
{
	clk_date bd = clk_civil_from_days(b);
	for (int64_t y = f.year; y <= f.year + 1; y++) {
		int day = month ? 1 : bd.day;
		if (!month && bd.month == 2 && bd.day == 29 && !clk_is_leap(y))
			day = 28;
		int64_t d = clk_days_from_civil(y, bd.month, day);
		if (d >= from)
			return d;
	}
	return INT64_MAX;
}

/* The first day >= from (whose date is f) that begins a period of `u`
 * (local calendar). */
static int64_t next_period_start(clk_unit u, int64_t from, clk_date f)
{
	switch (u) {
	case CLK_DAY: return from;
	case CLK_WEEK: {
		int wd = clk_weekday(from);
		return wd == 1 ? from : from + (8 - wd);
	}
	case CLK_MONTH:
		return f.day == 1 ? from : clk_days_from_civil(f.year, f.month + 1, 1);
	case CLK_YEAR:
		return f.day == 1 && f.month == 1 ? from : clk_days_from_civil(f.year + 1, 1, 1);
	}
	return from;
}

int64_t rt_next_day_due(const rt_program *p, const uint8_t *st, int64_t from)
{
	int64_t due = INT64_MAX;
	/* the cheap ones first: once something is due at `from`, stop looking.
	 * Lots are kept in day order: the first one is the next to go. */
	for (uint32_t w = 0; w < p->r->nwallets; w++) {
		const rt_lay_wallet *lw = &p->wallets[w];
		if (lw->staff)
			continue;
		if (lw->lots_off && rt_ld32(st, lw->off + W_NLOTS) > 0)
			due = min_day(due, rt_ld32(st, lw->lots_off + 8));
		if (lw->pend_off && rt_ld32(st, lw->off + W_NPEND) > 0)
			due = min_day(due, rt_ld32(st, lw->pend_off + 8));
	}
	if (due <= from)
		return from;
	for (uint32_t m = 0; m < p->nmissions; m++) {
		const rt_lay_mission *lm = &p->missions[m];
		if (lm->within_days && st[lm->off + M_STATE] == RT_MIS_RUNNING)
			due = min_day(due, (int64_t)rt_ld32(st, lm->off + M_START) + lm->within_days + 1);
	}
	bool dated = false; /* a birthday or a review needs the date of `from` */
	for (uint32_t t = 0; t < p->ntimers; t++) {
		const rt_lay_timer *lt = &p->timers[t];
		switch (lt->kind) {
		case CHK_TRIG_INACTIVE: {
			int32_t base = rt_ld32(st, lt->off);
			if (base == RT_NO_DAY)
				base = rt_ld32(st, p->off_hdr + RT_HDR_FIRST_DAY);
			if (base != RT_NO_DAY && !rt_ld32(st, lt->off + 4))
				due = min_day(due, (int64_t)base + lt->days);
			break;
		}
		case CHK_TRIG_AFTER:
			for (uint32_t i = 0; i < RT_AFTER_SLOTS; i++) {
				int32_t d = rt_ld32(st, lt->off + 8 * i);
				if (d != RT_NO_DAY)
					due = min_day(due, d);
			}
			break;
		case CHK_TRIG_BIRTHDAY:
			dated = true;
			break;
		case CHK_TRIG_EXPIRING: {
			if (lt->wallet < 0)
				break;
			const rt_lay_wallet *lw = &p->wallets[lt->wallet];
			if (!lw->lots_off)
				break;
			/* in day order: the first lot not reminded of is the next */
			uint32_t n = (uint32_t)rt_ld32(st, lw->off + W_NLOTS);
			for (uint32_t i = 0; i < n; i++) {
				uint32_t o = lw->lots_off + i * 16;
				if (!rt_ld32(st, o + 12) && rt_ld64(st, o) > 0) {
					due = min_day(due, (int64_t)rt_ld32(st, o + 8) - lt->days);
					break;
				}
			}
			break;
		}
		default:
			/* a kind this does not know: every day */
			return from;
		}
		if (due <= from)
			return from;
	}
	for (uint32_t l = 0; l < p->r->nladders && !dated; l++)
		dated = p->ladders[l].review;
	if (!dated)
		return due;
	clk_date f = clk_civil_from_days(from);
	for (uint32_t t = 0; t < p->ntimers && due > from; t++) {
		const rt_lay_timer *lt = &p->timers[t];
		if (lt->kind != CHK_TRIG_BIRTHDAY)
			continue;
		int32_t b = rt_ld32(st, p->off_hdr + RT_HDR_BIRTHDAY);
		if (b != RT_NO_DAY)
			due = min_day(due, next_birthday(b, lt->month, from, f));
	}
	for (uint32_t l = 0; l < p->r->nladders && due > from; l++)
		if (p->ladders[l].review)
			due = min_day(due, next_period_start(p->ladders[l].review_unit, from, f));
	return due < from ? from : due;
}

int64_t rt_staff_next_day_due(const rt_program *p, const uint8_t *staff, int64_t from)
{
	int64_t due = INT64_MAX;
	for (uint32_t w = 0; w < p->r->nwallets; w++) {
		const rt_lay_wallet *lw = &p->wallets[w];
		if (!lw->staff)
			continue;
		if (lw->lots_off && rt_ld32(staff, lw->off + W_NLOTS) > 0)
			due = min_day(due, rt_ld32(staff, lw->lots_off + 8));
		if (lw->pend_off && rt_ld32(staff, lw->off + W_NPEND) > 0)
			due = min_day(due, rt_ld32(staff, lw->pend_off + 8));
	}
	return due < from ? from : due;
}
