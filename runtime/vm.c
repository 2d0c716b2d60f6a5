/* vm.c — the IR interpreter, and the entry points of exec.h that run it.
 *
 * A loop over ops with a switch whose cases come from compiler/ir_ops.def
 * (a case missing from the switch is a compile warning: -Wswitch). Registers
 * are int64 on the C stack (IR_MAX_REGS); nothing is allocated. Mechanic ops
 * call runtime/mech.c with plain arguments.
 */
#include "mech.h"

#include "siphash.h"
#include "../compiler/jit.h"

static int64_t round_half_even(__int128 num, __int128 den)
{
	if (den < 0) {
		num = -num;
		den = -den;
	}
	__int128 q = num / den, r = num % den;
	if (r < 0) {
		q -= 1;
		r += den;
	}
	/* now num = q * den + r, 0 <= r < den */
	if (2 * r > den || (2 * r == den && (q & 1)))
		q += 1;
	if (q > INT64_MAX)
		return INT64_MAX;
	if (q < INT64_MIN)
		return INT64_MIN;
	return (int64_t)q;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b, r = a % b;
	return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}

static bool str_eq(rt_str s, const char *c, uint32_t len)
{
	/* most differ in length or first byte: no call for those */
	return s.len == len && (len == 0 || (s.p[0] == c[0] && memcmp(s.p, c, len) == 0));
}

static bool str_in_list(const rt_value *v, const char *c, uint32_t len)
{
	const rt_list *l = &v->list;
	for (uint32_t i = 0; i < l->n; i++)
		if (str_eq(l->items[i * l->stride].s, c, len))
			return true;
	return false;
}

static bool str_in_set(const rt_strset *set, rt_str s)
{
	for (uint32_t i = 0; i < set->n; i++)
		if (str_eq(s, set->s[i], set->len[i]))
			return true;
	return false;
}

static int64_t three_and(int64_t a, int64_t b)
{
	if (a == 0 || b == 0)
		return 0;
	if (a == 1 && b == 1)
		return 1;
	return -1;
}

static int64_t three_or(int64_t a, int64_t b)
{
	if (a == 1 || b == 1)
		return 1;
	if (a == 0 && b == 0)
		return 0;
	return -1;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;
	return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
	int64_t r;
	return __builtin_mul_overflow(a, b, &r) ? (((a < 0) != (b < 0)) ? INT64_MIN : INT64_MAX) : r;
}

/* ---- the helpers native code calls (compiler/jit.h) ----
 *
 * One per op that native code does not inline: the same code as the
 * interpreter's case, on the same context, so both back ends share it. The
 * operands are passed as the op has them: registers' values, then
 * constants (a jit.c call site says which is which). */

static const rt_value *jh_ev(rt_vm *vm)
{
	return vm->ev ? vm->ev->values : NULL;
}

static int64_t jh_MULS(rt_vm *vm, int64_t b, int64_t c, int64_t imm)
{
	(void)vm;
	return round_half_even((__int128)b * c, imm);
}

static int64_t jh_DIVS(rt_vm *vm, int64_t b, int64_t c, int64_t imm)
{
	(void)vm;
	return c ? round_half_even((__int128)b * imm, c) : 0;
}

static int64_t jh_SEQF(rt_vm *vm, int64_t b, int64_t imm, int64_t unused)
{
	(void)unused;
	return str_eq(jh_ev(vm)[1 + b].s, vm->p->strs[imm], vm->p->strlens[imm]);
}

static int64_t jh_SEQE(rt_vm *vm, int64_t b, int64_t imm, int64_t unused)
{
	(void)unused;
	return str_eq(vm->elem[1 + b].s, vm->p->strs[imm], vm->p->strlens[imm]);
}

static int64_t jh_SEQ2(rt_vm *vm, int64_t b, int64_t c, int64_t imm)
{
	const rt_value *ev = jh_ev(vm);
	rt_str x = (imm & 1 ? vm->elem : ev)[1 + b].s, y = (imm & 2 ? vm->elem : ev)[1 + c].s;
	return x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
}

static int64_t jh_SINF(rt_vm *vm, int64_t b, int64_t imm, int64_t unused)
{
	(void)unused;
	const rt_value *ev = jh_ev(vm);
	return rt_present(ev, (uint32_t)b) && str_in_list(&ev[1 + b], vm->p->strs[imm], vm->p->strlens[imm]);
}

static int64_t jh_SINE(rt_vm *vm, int64_t b, int64_t imm, int64_t unused)
{
	(void)unused;
	return rt_present(vm->elem, (uint32_t)b) &&
	       str_in_list(&vm->elem[1 + b], vm->p->strs[imm], vm->p->strlens[imm]);
}

static int64_t jh_SSETF(rt_vm *vm, int64_t b, int64_t imm, int64_t unused)
{
	(void)unused;
	return str_in_set(&vm->p->sets[imm], jh_ev(vm)[1 + b].s);
}

static int64_t jh_SSETE(rt_vm *vm, int64_t b, int64_t imm, int64_t unused)
{
	(void)unused;
	return str_in_set(&vm->p->sets[imm], vm->elem[1 + b].s);
}

static int64_t jh_LSCAN(rt_vm *vm, int64_t b, int64_t c, int64_t imm)
{
	/* the interpreter's LSCAN case, with vm->elem left as it leaves it */
	const rt_program *p = vm->p;
	const rt_value *ev = jh_ev(vm);
	const rt_list *l = &ev[1 + b].list;
	uint32_t s = (uint32_t)imm, vf = (uint32_t)(imm >> 32) & 0xffff;
	unsigned mode = (unsigned)(imm >> 48) & 3;
	bool in = imm >> 50 & 1, neg = imm >> 51 & 1;
	int64_t acc = 0;
	uint32_t n = rt_present(ev, (uint32_t)b) ? l->n : 0;
	for (uint32_t k = 0; k < n; k++) {
		const rt_value *it = &l->items[k * l->stride];
		bool m = in ? rt_present(it, (uint32_t)c) && str_in_list(&it[1 + c], p->strs[s], p->strlens[s])
			    : str_eq(it[1 + c].s, p->strs[s], p->strlens[s]);
		if (m == neg)
			continue;
		acc = mode == 0 ? 1 : mode == 1 ? acc + 1 : sat_add(acc, it[1 + vf].i);
	}
	if (n)
		vm->elem = &l->items[(n - 1) * l->stride];
	return acc;
}

static int64_t jh_BALANCE(rt_vm *vm, int64_t imm, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	const uint8_t *rec = vm->p->wallets[imm].staff ? vm->staff : vm->st;
	return sat_mul(rt_balance(vm->p, rec, (uint32_t)imm), AST_DECIMAL_SCALE);
}

static int64_t jh_HASBAL(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	const uint8_t *rec = vm->p->wallets[imm].staff ? vm->staff : vm->st;
	return rt_balance(vm->p, rec, (uint32_t)imm) >= b;
}

static int64_t jh_EARNED(rt_vm *vm, int64_t imm, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	return vm->st ? sat_mul(rt_ld64(vm->st, vm->p->wallets[imm].off + 8), AST_DECIMAL_SCALE) : 0;
}

static int64_t jh_WINSUM(rt_vm *vm, int64_t imm, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	const rt_program *p = vm->p;
	return vm->st ? rt_win_sum_idx(p, vm->st, (uint32_t)imm, rt_period(vm, p->windows[imm].unit)) : 0;
}

static int64_t jh_VARIANT(rt_vm *vm, int64_t imm, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	return vm->x->variants ? vm->x->variants[imm] : 0;
}

static int64_t jh_WINADD(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	const rt_program *p = vm->p;
	rt_win_add_idx(p, vm->st, (uint32_t)imm, rt_period(vm, p->windows[imm].unit), b);
	return 0;
}

#define JH_VOID1(name, call) \
	static int64_t jh_##name(rt_vm *vm, int64_t imm, int64_t u2, int64_t u3) \
	{ \
		(void)u2, (void)u3; \
		call(vm, (uint32_t)imm); \
		return 0; \
	}
#define JH_INT1(name, call) \
	static int64_t jh_##name(rt_vm *vm, int64_t imm, int64_t u2, int64_t u3) \
	{ \
		(void)u2, (void)u3; \
		return call(vm, (uint32_t)imm); \
	}
JH_VOID1(TSEEN, rt_timer_seen)
JH_VOID1(TAFTER, rt_timer_after)
JH_VOID1(MDONE, rt_mission_done)
JH_VOID1(SDONE, rt_streak_done)
JH_VOID1(EXPIRE, rt_expire)
JH_VOID1(RELEASE, rt_release)
JH_VOID1(MDEAD, rt_mission_deadline)
JH_INT1(CAPLEFT, rt_cap_left)
JH_INT1(SADV, rt_streak_advance)
JH_INT1(TDUE, rt_timer_due)
#undef JH_VOID1
#undef JH_INT1

static int64_t jh_TSTASH(rt_vm *vm, int64_t b, int64_t c, int64_t imm)
{
	rt_timer_stash(vm, (uint32_t)imm, (uint32_t)c, b);
	return 0;
}

static int64_t jh_TLOAD(rt_vm *vm, int64_t c, int64_t imm, int64_t u3)
{
	(void)u3;
	return rt_timer_load(vm, (uint32_t)imm, (uint32_t)c);
}

static int64_t jh_TIMER_HAS(rt_vm *vm, int64_t b, int64_t c, int64_t u3)
{
	(void)u3;
	return rt_timer_has(vm, (uint32_t)c, (uint32_t)b);
}

static int64_t jh_PREC(rt_vm *vm, int64_t b, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	rt_purchase_record(vm, b);
	return 0;
}

/* STAFF: 1 when the staff member's record is in use, 0 (jump) if none. */
static int64_t jh_STAFF(rt_vm *vm, int64_t b, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	const rt_value *ev = jh_ev(vm);
	vm->staff = NULL;
	if (rt_present(ev, (uint32_t)b) && vm->x->staff_state && ev[1 + b].s.len) {
		vm->staff_id = ev[1 + b].s;
		vm->staff = vm->x->staff_state(vm->x->user, vm->staff_id);
		if (vm->staff && vm->p->staff_days)
			rt_exec_staff_days(vm->x, vm->staff, vm->staff_id, vm->day, vm->at);
	}
	return vm->staff != NULL;
}

static int64_t jh_CAPUSE(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	rt_cap_use(vm, (uint32_t)imm, b);
	return 0;
}

static int64_t jh_BUDLEFT(rt_vm *vm, int64_t imm, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	int64_t left = vm->x->budgets ? vm->x->budgets[imm] : INT64_MAX;
	return left > 0 ? left : 0;
}

static int64_t jh_BUDUSE(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	if (vm->x->budgets && b > 0)
		vm->x->budgets[imm] -= b;
	return 0;
}

static int64_t jh_AWARD(rt_vm *vm, int64_t b, int64_t c, int64_t imm)
{
	rt_credit(vm, (uint32_t)imm, b, (int32_t)c);
	return 0;
}

static int64_t jh_DEBIT(rt_vm *vm, int64_t b, int64_t c, int64_t imm)
{
	rt_debit(vm, (uint32_t)imm, b, RT_FX_DEBIT, (int32_t)c, -1);
	return 0;
}

static int64_t jh_BADGE(rt_vm *vm, int64_t c, int64_t imm, int64_t u3)
{
	(void)u3;
	uint32_t b = (uint32_t)imm, off = vm->p->off_badges + b / 8;
	if (!(vm->st[off] & (1u << (b % 8)))) {
		vm->st[off] |= (uint8_t)(1u << (b % 8));
		rt_effect fx;
		rt_fx_init(&fx, RT_FX_BADGE, (int32_t)c);
		fx.badge = (int32_t)b;
		rt_emit(vm, &fx);
	}
	return 0;
}

/* NARG and NARGS: `from_event` says which (NARGS: b is an event field). */
static void jh_narg(rt_vm *vm, int64_t b, int64_t imm, bool from_event)
{
	const rt_program *p = vm->p;
	const rt_lay_narg *d = &p->nargs[imm];
	if (vm->nargs >= RT_MAX_ARGS)
		return;
	rt_fx_arg *a = &vm->args[vm->nargs++];
	*a = (rt_fx_arg){.key = d->key, .kind = d->kind, .en = d->en, .ladder = d->ladder};
	if (from_event) {
		a->s = jh_ev(vm)[1 + b].s;
		a->en = -1;
	} else if (d->kind == RT_STRING) {
		a->s = (rt_str){p->strs[d->en], p->strlens[d->en]};
		a->en = -1;
	} else {
		a->v = b;
	}
	if (d->ladder >= 0)
		a->en = -1;
}

static int64_t jh_NARG(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	jh_narg(vm, b, imm, false);
	return 0;
}

static int64_t jh_NARGS(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	jh_narg(vm, b, imm, true);
	return 0;
}

static int64_t jh_NOTIFY(rt_vm *vm, int64_t c, int64_t imm, int64_t u3)
{
	(void)u3;
	rt_effect fx;
	rt_fx_init(&fx, RT_FX_NOTIFY, (int32_t)c);
	fx.template_name = vm->p->templates[imm];
	fx.args = vm->args;
	fx.nargs = vm->nargs;
	rt_emit(vm, &fx);
	vm->nargs = 0;
	return 0;
}

static int64_t jh_MAT(rt_vm *vm, int64_t c, int64_t imm, int64_t u3)
{
	(void)u3;
	return rt_mission_at(vm, (uint32_t)imm, (int32_t)c);
}

static int64_t jh_MSTART(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	rt_mission_start(vm, (uint32_t)imm, b == 1);
	return 0;
}

static int64_t jh_MADV(rt_vm *vm, int64_t c, int64_t imm, int64_t u3)
{
	(void)u3;
	return rt_mission_advance(vm, (uint32_t)imm, (int32_t)c);
}

static int64_t jh_LADUP(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	rt_ladder_up(vm, (uint32_t)imm, b);
	return 0;
}

static int64_t jh_REVIEW(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	rt_ladder_review(vm, (uint32_t)imm, b);
	return 0;
}

/* JNREV: 1 when ladder c has a review today (no jump). */
static int64_t jh_REVIEW_DUE(rt_vm *vm, int64_t c, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	return vm->st && rt_ladder_review_due(vm, (uint32_t)c);
}

static int64_t jh_RETURN(rt_vm *vm, int64_t b, int64_t c, int64_t u3)
{
	(void)u3;
	rt_return(vm, jh_ev(vm)[1 + b].s, c);
	return 0;
}

static int64_t jh_FINDITEM(rt_vm *vm, int64_t b, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	return rt_find_item(vm, jh_ev(vm)[1 + b].s);
}

static int64_t jh_REFUSE(rt_vm *vm, int64_t b, int64_t imm, int64_t u3)
{
	(void)u3;
	rt_refuse(vm, b, (rt_refusal)imm);
	return 0;
}

/* REDEEM: 1 when the routine ends (refused). */
static int64_t jh_REDEEM(rt_vm *vm, int64_t b, int64_t u2, int64_t u3)
{
	(void)u2, (void)u3;
	rt_redeem(vm, b);
	return vm->stop;
}

static void run_metric(rt_vm *vm, uint32_t l, int64_t *out)
{
	int64_t regs[IR_MAX_REGS];
	const ir_routine *r = &vm->p->metrics[l];
	const rt_event *saved = vm->ev;
	vm->ev = NULL;
	rt_vm_run(vm, r, regs);
	vm->ev = saved;
	*out = regs[0];
}

void rt_vm_run(rt_vm *vm, const ir_routine *rt, int64_t *R)
{
	const rt_program *p = vm->p;
	const ir_op *ops = rt->ops;
	const rt_value *ev = vm->ev ? vm->ev->values : NULL;
	uint32_t pc = 0;
	/* GCC and Clang: each op jumps straight to the next one's code
	 * (computed goto); elsewhere, a loop around a switch */
#if defined(__GNUC__)
	static const void *const labels[IR_OP_COUNT] = {
#define IR_OP(name, operands, synopsis) &&L_##name,
#include "../compiler/ir_ops.def"
#undef IR_OP
	};
#define CASE(x) case IR_##x: L_##x:
#define NEXT do { o = &ops[pc++]; goto *labels[o->op]; } while (0)
#else
#define CASE(x) case IR_##x:
#define NEXT break
#endif
	const ir_op *o;
	for (;;) {
		o = &ops[pc++];
		switch ((ir_opcode)o->op) {
		CASE(NOP) NEXT;
		CASE(CONST) R[o->a] = o->imm; NEXT;
		CASE(MOV) R[o->a] = R[o->b]; NEXT;
		CASE(JMP) pc = (uint32_t)o->imm; NEXT;
		CASE(JT) if (R[o->b] == 1) pc = (uint32_t)o->imm; NEXT;
		CASE(JNT) if (R[o->b] != 1) pc = (uint32_t)o->imm; NEXT;
		CASE(JZ) if (R[o->b] == 0) pc = (uint32_t)o->imm; NEXT;
		CASE(JNEI) if (R[o->b] != o->c) pc = (uint32_t)o->imm; NEXT;
		CASE(JEQI) if (R[o->b] == o->c) pc = (uint32_t)o->imm; NEXT;
		CASE(JLT) if (R[o->b] < R[o->c]) pc = (uint32_t)o->imm; NEXT;
		CASE(JLE) if (R[o->b] <= R[o->c]) pc = (uint32_t)o->imm; NEXT;
		CASE(JGT) if (R[o->b] > R[o->c]) pc = (uint32_t)o->imm; NEXT;
		CASE(JGE) if (R[o->b] >= R[o->c]) pc = (uint32_t)o->imm; NEXT;
		CASE(JEQ) if (R[o->b] == R[o->c]) pc = (uint32_t)o->imm; NEXT;
		CASE(JNE) if (R[o->b] != R[o->c]) pc = (uint32_t)o->imm; NEXT;
		CASE(JLTC) if (R[o->b] < o->c) pc = (uint32_t)o->imm; NEXT;
		CASE(JLEC) if (R[o->b] <= o->c) pc = (uint32_t)o->imm; NEXT;
		CASE(JGTC) if (R[o->b] > o->c) pc = (uint32_t)o->imm; NEXT;
		CASE(JGEC) if (R[o->b] >= o->c) pc = (uint32_t)o->imm; NEXT;
		CASE(ANON) if (!vm->st || vm->x->customer.len == 0) pc = (uint32_t)o->imm; NEXT;
		CASE(RET) return;

		CASE(LDF) R[o->a] = ev[1 + o->b].i; NEXT;
		CASE(JABSF) if (!rt_present(ev, (uint32_t)o->b)) pc = (uint32_t)o->imm; NEXT;
		CASE(LISTN) R[o->a] = rt_present(ev, (uint32_t)o->b) ? ev[1 + o->b].list.n : 0; NEXT;
		CASE(ELEM) {
			const rt_list *l = &ev[1 + o->b].list;
			vm->elem = &l->items[(uint32_t)R[o->c] * l->stride];
			NEXT;
		}
		CASE(LDE) R[o->a] = vm->elem[1 + o->b].i; NEXT;
		CASE(JABSE) if (!rt_present(vm->elem, (uint32_t)o->b)) pc = (uint32_t)o->imm; NEXT;
		CASE(SEQF) R[o->a] = str_eq(ev[1 + o->b].s, p->strs[o->imm], p->strlens[o->imm]); NEXT;
		CASE(SEQ2) R[o->a] = jh_SEQ2(vm, o->b, o->c, o->imm); NEXT;
		CASE(LISTNE) R[o->a] = rt_present(vm->elem, (uint32_t)o->b) ? vm->elem[1 + o->b].list.n : 0; NEXT;
		CASE(SEQE) R[o->a] = str_eq(vm->elem[1 + o->b].s, p->strs[o->imm], p->strlens[o->imm]); NEXT;
		CASE(JSEQE) if (str_eq(vm->elem[1 + o->b].s, p->strs[o->c], p->strlens[o->c])) pc = (uint32_t)o->imm; NEXT;
		CASE(JSNEE) if (!str_eq(vm->elem[1 + o->b].s, p->strs[o->c], p->strlens[o->c])) pc = (uint32_t)o->imm; NEXT;
		CASE(JSINE)
			if (rt_present(vm->elem, (uint32_t)o->b) && str_in_list(&vm->elem[1 + o->b], p->strs[o->c], p->strlens[o->c]))
				pc = (uint32_t)o->imm;
			NEXT;
		CASE(JSNINE)
			if (!(rt_present(vm->elem, (uint32_t)o->b) && str_in_list(&vm->elem[1 + o->b], p->strs[o->c], p->strlens[o->c])))
				pc = (uint32_t)o->imm;
			NEXT;
		CASE(LSCAN) R[o->a] = jh_LSCAN(vm, o->b, o->c, o->imm); NEXT; /* a loop over basket lines, in one op (compiler/ir.c, fuse_scans) */
		CASE(SINF) R[o->a] = rt_present(ev, (uint32_t)o->b) &&
					 str_in_list(&ev[1 + o->b], p->strs[o->imm], p->strlens[o->imm]); NEXT;
		CASE(SINE) R[o->a] = rt_present(vm->elem, (uint32_t)o->b) &&
					 str_in_list(&vm->elem[1 + o->b], p->strs[o->imm], p->strlens[o->imm]); NEXT;
		CASE(SSETF) R[o->a] = str_in_set(&p->sets[o->imm], ev[1 + o->b].s); NEXT;
		CASE(SSETE) R[o->a] = str_in_set(&p->sets[o->imm], vm->elem[1 + o->b].s); NEXT;
		CASE(INMASK) R[o->a] = R[o->b] >= 0 && R[o->b] < 64 && ((uint64_t)o->imm >> R[o->b]) & 1; NEXT;

		CASE(ADD) R[o->a] = sat_add(R[o->b], R[o->c]); NEXT;
		CASE(SUB) R[o->a] = sat_add(R[o->b], -R[o->c]); NEXT;
		CASE(MUL) R[o->a] = sat_mul(R[o->b], R[o->c]); NEXT;
		CASE(NEG) R[o->a] = -R[o->b]; NEXT;
		CASE(SCALE) R[o->a] = sat_mul(R[o->b], o->imm); NEXT;
		CASE(MULS) R[o->a] = round_half_even((__int128)R[o->b] * R[o->c], o->imm); NEXT;
		CASE(DIVS) R[o->a] = R[o->c] ? round_half_even((__int128)R[o->b] * o->imm, R[o->c]) : 0; NEXT;
		CASE(FLOORD) R[o->a] = floor_div(R[o->b], o->imm); NEXT;
		CASE(CEILD) R[o->a] = -floor_div(-R[o->b], o->imm); NEXT;
		CASE(ROUNDD) R[o->a] = floor_div(R[o->b] + o->imm / 2, o->imm); NEXT;
		CASE(MIN) R[o->a] = R[o->b] < R[o->c] ? R[o->b] : R[o->c]; NEXT;
		CASE(MAX) R[o->a] = R[o->b] > R[o->c] ? R[o->b] : R[o->c]; NEXT;
		CASE(ABS) R[o->a] = R[o->b] < 0 ? -R[o->b] : R[o->b]; NEXT;
		CASE(ADDI) R[o->a] = sat_add(R[o->b], o->imm); NEXT;
		CASE(MINI) R[o->a] = R[o->b] < o->imm ? R[o->b] : o->imm; NEXT;
		CASE(MAXI) R[o->a] = R[o->b] > o->imm ? R[o->b] : o->imm; NEXT;
		CASE(MULSI) R[o->a] = round_half_even((__int128)R[o->b] * o->c, o->imm); NEXT;
		CASE(DIVSI) R[o->a] = round_half_even((__int128)R[o->b] * o->imm, o->c); NEXT;

		CASE(EQ) R[o->a] = R[o->b] == R[o->c]; NEXT;
		CASE(NE) R[o->a] = R[o->b] != R[o->c]; NEXT;
		CASE(LT) R[o->a] = R[o->b] < R[o->c]; NEXT;
		CASE(LE) R[o->a] = R[o->b] <= R[o->c]; NEXT;
		CASE(GT) R[o->a] = R[o->b] > R[o->c]; NEXT;
		CASE(GE) R[o->a] = R[o->b] >= R[o->c]; NEXT;
		CASE(EQI) R[o->a] = R[o->b] == o->imm; NEXT;
		CASE(NEI) R[o->a] = R[o->b] != o->imm; NEXT;
		CASE(LTI) R[o->a] = R[o->b] < o->imm; NEXT;
		CASE(LEI) R[o->a] = R[o->b] <= o->imm; NEXT;
		CASE(GTI) R[o->a] = R[o->b] > o->imm; NEXT;
		CASE(GEI) R[o->a] = R[o->b] >= o->imm; NEXT;
		CASE(NOT3) R[o->a] = R[o->b] == 1 ? 0 : R[o->b] == 0 ? 1 : -1; NEXT;
		CASE(AND3) R[o->a] = three_and(R[o->b], R[o->c]); NEXT;
		CASE(OR3) R[o->a] = three_or(R[o->b], R[o->c]); NEXT;

		CASE(DAY) R[o->a] = vm->day; NEXT;
		CASE(BALANCE) R[o->a] = jh_BALANCE(vm, o->imm, 0, 0); NEXT;
		CASE(EARNED)
			R[o->a] = vm->st ? sat_mul(rt_ld64(vm->st, p->wallets[o->imm].off + 8), AST_DECIMAL_SCALE) : 0;
			NEXT;
		CASE(WINSUM) R[o->a] = vm->st ? rt_win_sum_idx(p, vm->st, (uint32_t)o->imm, rt_period(vm, p->windows[o->imm].unit)) : 0; NEXT;
		CASE(LADDER) R[o->a] = vm->st ? rt_ld32(vm->st, p->ladders[o->imm].off) : -1; NEXT;
		CASE(VARIANT) R[o->a] = vm->x->variants ? vm->x->variants[o->imm] : 0; NEXT;
		CASE(METRIC) run_metric(vm, (uint32_t)o->imm, &R[o->a]); NEXT;

		CASE(WINADD) rt_win_add_idx(p, vm->st, (uint32_t)o->imm, rt_period(vm, p->windows[o->imm].unit), R[o->b]); NEXT;
		CASE(TSEEN) rt_timer_seen(vm, (uint32_t)o->imm); NEXT;
		CASE(TAFTER) rt_timer_after(vm, (uint32_t)o->imm); NEXT;
		CASE(TSTASH) rt_timer_stash(vm, (uint32_t)o->imm, (uint32_t)o->c, R[o->b]); NEXT;
		CASE(TLOAD) R[o->a] = rt_timer_load(vm, (uint32_t)o->imm, (uint32_t)o->c); NEXT;
		CASE(JABST) if (!rt_timer_has(vm, (uint32_t)o->c, (uint32_t)o->b)) pc = (uint32_t)o->imm; NEXT;
		CASE(OVLSET) if (p->off_overlay) rt_st32(vm->st, p->off_overlay, (int32_t)R[o->b]); NEXT;
		CASE(OVLGET) R[o->a] = p->off_overlay && vm->st ? rt_ld32(vm->st, p->off_overlay) : -1; NEXT;
		CASE(BDAY) rt_st32(vm->st, p->off_hdr + RT_HDR_BIRTHDAY, (int32_t)R[o->b]); NEXT;
		CASE(PREC) rt_purchase_record(vm, R[o->b]); NEXT;

		CASE(STAFF) if (!jh_STAFF(vm, o->b, 0, 0)) pc = (uint32_t)o->imm; NEXT;
		CASE(CAPLEFT) R[o->a] = rt_cap_left(vm, (uint32_t)o->imm); NEXT;
		CASE(CAPUSE) rt_cap_use(vm, (uint32_t)o->imm, R[o->b]); NEXT;
		CASE(BUDLEFT) R[o->a] = jh_BUDLEFT(vm, o->imm, 0, 0); NEXT;
		CASE(BUDUSE) jh_BUDUSE(vm, R[o->b], o->imm, 0); NEXT;

		CASE(AWARD) rt_credit(vm, (uint32_t)o->imm, R[o->b], o->c); NEXT;
		CASE(HASBAL) R[o->a] = jh_HASBAL(vm, R[o->b], o->imm, 0); NEXT;
		CASE(DEBIT) rt_debit(vm, (uint32_t)o->imm, R[o->b], RT_FX_DEBIT, o->c, -1); NEXT;
		CASE(BADGE) jh_BADGE(vm, o->c, o->imm, 0); NEXT;
		CASE(NARG) jh_narg(vm, R[o->b], o->imm, false); NEXT;
		CASE(NARGS) jh_narg(vm, o->b, o->imm, true); NEXT;
		CASE(NOTIFY) jh_NOTIFY(vm, o->c, o->imm, 0); NEXT;

		CASE(MAT) R[o->a] = rt_mission_at(vm, (uint32_t)o->imm, o->c); NEXT;
		CASE(MSTART) rt_mission_start(vm, (uint32_t)o->imm, R[o->b] == 1); NEXT;
		CASE(MADV) R[o->a] = rt_mission_advance(vm, (uint32_t)o->imm, o->c); NEXT;
		CASE(MDONE) rt_mission_done(vm, (uint32_t)o->imm); NEXT;
		CASE(SADV) R[o->a] = rt_streak_advance(vm, (uint32_t)o->imm); NEXT;
		CASE(SDONE) rt_streak_done(vm, (uint32_t)o->imm); NEXT;

		CASE(EXPIRE) rt_expire(vm, (uint32_t)o->imm); NEXT;
		CASE(RELEASE) rt_release(vm, (uint32_t)o->imm); NEXT;
		CASE(TDUE) R[o->a] = rt_timer_due(vm, (uint32_t)o->imm); NEXT;
		CASE(LADUP) rt_ladder_up(vm, (uint32_t)o->imm, R[o->b]); NEXT;
		CASE(REVIEW) rt_ladder_review(vm, (uint32_t)o->imm, R[o->b]); NEXT;
		CASE(JNREV) if (!vm->st || !rt_ladder_review_due(vm, (uint32_t)o->c)) pc = (uint32_t)o->imm; NEXT;
		CASE(MDEAD) rt_mission_deadline(vm, (uint32_t)o->imm); NEXT;

		CASE(RETURN) rt_return(vm, ev[1 + o->b].s, R[o->c]); NEXT;
		CASE(FINDITEM) R[o->a] = rt_find_item(vm, ev[1 + o->b].s); NEXT;
		CASE(REFUSE) rt_refuse(vm, R[o->b], (rt_refusal)o->imm); return;
		CASE(REDEEM)
			rt_redeem(vm, R[o->b]);
			if (vm->stop)
				return;
			NEXT;
		case IR_OP_COUNT: return;
		}
	}
#undef CASE
#undef NEXT
}

/* ---- exec.h ---- */

/* Every field but the arguments of a notification, one by one: a memset of
 * this size is a `rep stos`, slow to start, once per event and per day. */
static void vm_init(rt_vm *vm, rt_exec *x)
{
	vm->x = x;
	vm->p = x->prog;
	vm->ev = NULL;
	vm->st = x->state;
	vm->staff = NULL;
	vm->staff_id = (rt_str){NULL, 0};
	vm->day = vm->at = 0;
	vm->event_id = (rt_str){NULL, 0};
	vm->elem = NULL;
	vm->recent = -1;
	vm->item_name = (rt_str){NULL, 0};
	for (int u = 0; u < 4; u++)
		vm->per[u] = 0;
	vm->per_known = 0;
	vm->tslot = -1;
	vm->exp_wallet = -1;
	vm->exp_day = 0;
	vm->nargs = 0;
	vm->stop = false;
}

int rt_exec_event(rt_exec *x, const rt_event *ev)
{
	const rt_program *p = x->prog;
	if (!ev || ev->type >= p->r->nrecords || !p->events[ev->type].nops)
		return -1;
	rt_vm vm;
	vm_init(&vm, x);
	vm.ev = ev;
	vm.at = ev->values[1 + RT_FIELD_AT].i;
	vm.day = clk_memo_period(&x->memo, p->zone, vm.at, CLK_DAY);
	vm.event_id = ev->values[1 + RT_FIELD_ID].s;
	if (x->customer.len == 0)
		vm.st = NULL;
	if (vm.st) {
		uint32_t h = p->off_hdr;
		if (rt_ld32(vm.st, h + RT_HDR_FIRST_DAY) == RT_NO_DAY)
			rt_st32(vm.st, h + RT_HDR_FIRST_DAY, (int32_t)vm.day);
		if (rt_ld32(vm.st, h + RT_HDR_LAST_DAY) < vm.day)
			rt_st32(vm.st, h + RT_HDR_LAST_DAY, (int32_t)vm.day);
		if (rt_ld64(vm.st, h + RT_HDR_LAST_AT) < vm.at)
			rt_st64(vm.st, h + RT_HDR_LAST_AT, vm.at);
	}
	if (x->native) {
		x->native->events[ev->type](&vm);
		return 0;
	}
	int64_t regs[IR_MAX_REGS];
	rt_vm_run(&vm, &p->events[ev->type], regs);
	return 0;
}

/* Runs the day routine for day `d`. */
static void run_day(rt_exec *x, int64_t d, int64_t now, int64_t *regs)
{
	const rt_program *p = x->prog;
	rt_vm vm;
	vm_init(&vm, x);
	vm.day = d;
	vm.at = clk_memo_day_start(&x->memo, p->zone, d);
	if (vm.at > now)
		vm.at = now;
	rt_st32(x->state, p->off_hdr + RT_HDR_LAST_DAY, (int32_t)d);
	if (x->native)
		x->native->day(&vm);
	else
		rt_vm_run(&vm, &p->day, regs);
}

/* The first day to run, or false for a new customer (no day passes for them). */
static bool days_begin(rt_exec *x, int64_t day, int64_t *first)
{
	const rt_program *p = x->prog;
	int32_t last = rt_ld32(x->state, p->off_hdr + RT_HDR_LAST_DAY);
	if (last == RT_NO_DAY) {
		rt_st32(x->state, p->off_hdr + RT_HDR_LAST_DAY, (int32_t)day);
		return false;
	}
	*first = (int64_t)last + 1;
	return true;
}

/* Days on which nothing is due change nothing (rt_next_day_due): they are
 * jumped over, straight to the next day something happens. */
void rt_exec_days(rt_exec *x, int64_t day, int64_t now)
{
	const rt_program *p = x->prog;
	int64_t d;
	if (!x->state || !days_begin(x, day, &d))
		return;
	if (p->day_each) {
		rt_exec_days_each(x, day, now);
		return;
	}
	if (d > day)
		return;
	int64_t regs[IR_MAX_REGS];
	while (d <= day) {
		d = rt_next_day_due(p, x->state, d);
		if (d > day)
			break;
		run_day(x, d, now, regs);
		d++;
	}
	rt_st32(x->state, p->off_hdr + RT_HDR_LAST_DAY, (int32_t)day);
}

void rt_exec_days_each(rt_exec *x, int64_t day, int64_t now)
{
	int64_t d;
	if (!x->state || !days_begin(x, day, &d))
		return;
	int64_t regs[IR_MAX_REGS];
	for (; d <= day; d++)
		run_day(x, d, now, regs);
}

/* A staff record has no day routine: when a day begins, the lots of its
 * wallets expire and its pending points are released, as a customer's
 * (rt_expire, rt_release). Days on which nothing is due are jumped over. */
void rt_exec_staff_days(rt_exec *x, uint8_t *staff, rt_str id, int64_t day, int64_t now)
{
	const rt_program *p = x->prog;
	if (!staff || !p->staff_days)
		return;
	uint32_t h = p->off_staff_hdr;
	int32_t last = rt_ld32(staff, h);
	if (last == RT_NO_DAY || last >= day) {
		/* a new staff member: no day passes for them */
		if (last == RT_NO_DAY)
			rt_st32(staff, h, (int32_t)day);
		return;
	}
	for (int64_t d = (int64_t)last + 1; d <= day; d++) {
		d = rt_staff_next_day_due(p, staff, d);
		if (d > day)
			break;
		rt_vm vm;
		vm_init(&vm, x);
		vm.st = NULL;
		vm.staff = staff;
		vm.staff_id = id;
		vm.day = d;
		vm.at = clk_memo_day_start(&x->memo, p->zone, d);
		if (vm.at > now)
			vm.at = now;
		for (uint32_t w = 0; w < p->r->nwallets; w++) {
			if (!p->wallets[w].staff)
				continue;
			rt_expire(&vm, w);
			rt_release(&vm, w);
		}
	}
	rt_st32(staff, h, (int32_t)day);
}

int64_t rt_state_last_at(const rt_program *p, const uint8_t *state)
{
	return rt_ld64(state, p->off_hdr + RT_HDR_LAST_AT);
}

void rt_state_init(const rt_program *p, uint8_t *st)
{
	memset(st, 0, p->state_size);
	rt_st32(st, p->off_hdr + RT_HDR_LAST_DAY, RT_NO_DAY);
	rt_st32(st, p->off_hdr + RT_HDR_FIRST_DAY, RT_NO_DAY);
	rt_st32(st, p->off_hdr + RT_HDR_BIRTHDAY, RT_NO_DAY);
	if (p->off_overlay)
		rt_st32(st, p->off_overlay, -1);
	for (uint32_t l = 0; l < p->r->nladders; l++) {
		rt_st32(st, p->ladders[l].off, p->ladders[l].init_rung);
		rt_st32(st, p->ladders[l].off + 4, RT_NO_DAY);
		rt_st32(st, p->ladders[l].off + 8, RT_NO_DAY);
	}
	for (uint32_t w = 0; w < p->nwindows; w++)
		rt_st32(st, p->windows[w].off, RT_NO_DAY);
	for (uint32_t s = 0; s < p->nstreaks; s++)
		rt_st32(st, p->streaks[s].off, RT_NO_DAY);
	for (uint32_t t = 0; t < p->ntimers; t++)
		for (uint32_t i = 0; i < (p->timers[t].kind == CHK_TRIG_AFTER ? RT_AFTER_SLOTS : 1); i++)
			rt_st32(st, p->timers[t].off + 8 * i, RT_NO_DAY);
	for (uint32_t c = 0; c < p->ncaps; c++)
		if (!p->caps[c].staff)
			rt_st32(st, p->caps[c].off, INT32_MIN);
}

void rt_staff_init(const rt_program *p, uint8_t *st)
{
	memset(st, 0, p->staff_size);
	if (p->staff_days)
		rt_st32(st, p->off_staff_hdr, RT_NO_DAY);
	for (uint32_t c = 0; c < p->ncaps; c++)
		if (p->caps[c].staff)
			rt_st32(st, p->caps[c].off, INT32_MIN);
}

const rt_jit_helper rt_jit_helpers[RT_JH_COUNT] = {
#define RT_JH_ENTRY(n) [RT_JH_##n] = jh_##n,
	RT_JIT_HELPERS(RT_JH_ENTRY)
#undef RT_JH_ENTRY
};
