/* lower_expr.c — expressions to IR: values in registers, three-valued conditions.
 *
 * Scales are those of ir.h. A value reading a missing optional field jumps
 * through the `undef` list its caller gave; a condition makes that jump land
 * on "unknown" (-1), so `not`, `and` and `or` follow the rules of
 * docs/language.md "Optional fields". A division by a value that turns out
 * to be zero jumps to the end of the rule (L->abort): the rule does not apply.
 */
#include "lower.h"

#include <string.h>

int64_t lw_scale(const ty *t)
{
	return t && (t->kind == TY_NUMBER || t->kind == TY_POINTS) ? AST_DECIMAL_SCALE : 1;
}

const ty *lw_type(lw *L, const ast_node *n)
{
	return n && n->id < L->r->node_count ? L->r->types[n->id] : NULL;
}

static const chk_ref *ref_of(lw *L, const ast_node *n)
{
	return n && n->id < L->r->node_count ? &L->r->refs[n->id] : NULL;
}

static int32_t fail(lw *L)
{
	L->failed = true;
	return lw_const(L, 0);
}

/* A constant of the checker, in the scale of type t. */
static int64_t const_as(const chk_value *v, const ty *t)
{
	if (v->kind == CHK_VAL_NUMBER && t && t->kind == TY_COUNT)
		return v->i / AST_DECIMAL_SCALE;
	return v->i;
}

/* Converts register `r` holding a value of type `from` to the scale of `to`. */
static int32_t convert(lw *L, int32_t r, const ty *from, const ty *to)
{
	int64_t sf = lw_scale(from), st = lw_scale(to);
	if (sf == st)
		return r;
	int32_t d = lw_reg(L);
	if (st > sf)
		lw_op(L, IR_SCALE, d, r, 0, st / sf);
	else
		lw_op(L, IR_FLOORD, d, r, 0, sf / st);
	return d;
}

int32_t lw_value_as(lw *L, const ast_node *n, const ty *want, lw_patch *undef)
{
	return convert(L, lw_value(L, n, undef), lw_type(L, n), want);
}

/* ---- params: their value for this event (overlay, then variant) ---- */

static int32_t param_value(lw *L, const chk_param *pa, const ty *t)
{
	const chk_result *r = L->r;
	int32_t d = lw_reg(L);
	lw_op(L, IR_CONST, d, 0, 0, const_as(&pa->constant, t));
	/* overlays: the first matching overlay's value */
	if (L->ovl >= 0) {
		for (uint32_t u = 0; u < r->nunits; u++) {
			const chk_unit *un = &r->units[u];
			for (uint32_t k = 0; k < un->nparam_changes; k++) {
				if (un->param_changes[k].param != pa)
					continue;
				uint32_t j = lw_op(L, IR_JNEI, 0, L->ovl, (int32_t)u, 0);
				lw_op(L, IR_CONST, d, 0, 0, const_as(&un->param_changes[k].constant, t));
				ir_patch_here(L->rt, j);
			}
		}
	}
	/* experiments: a variant's value beats the overlay's */
	for (uint32_t e = 0; e < r->nexperiments; e++) {
		const chk_experiment *x = r->experiments[e];
		for (uint32_t v = 0; v < x->nvariants; v++) {
			for (const ast_node *c = x->variants[v].changes; c; c = c->next) {
				if (c->kind != AST_ARG || strcmp(c->u.arg.key, pa->name) != 0 || !c->u.arg.value)
					continue;
				const chk_value *cv = &r->values[c->u.arg.value->id];
				int32_t t2 = lw_reg(L);
				lw_op(L, IR_VARIANT, t2, 0, 0, e);
				uint32_t j = lw_op(L, IR_JNEI, 0, t2, (int32_t)v, 0);
				lw_op(L, IR_CONST, d, 0, 0, const_as(cv, t));
				ir_patch_here(L->rt, j);
				if (e < 64)
					L->exps |= UINT64_C(1) << e;
			}
		}
	}
	return d;
}

/* ---- fields ---- */

static bool is_event_field(lw *L, const chk_ref *ref)
{
	if (ref->kind == CHK_REF_EVENT_FIELD)
		return true;
	return ref->kind == CHK_REF_ELEM_FIELD && L->elem_ev && ref->u.rec == L->elem_ev;
}

static int32_t load_field(lw *L, const chk_ref *ref, lw_patch *undef)
{
	const chk_field *f = &ref->u.rec->fields[ref->index];
	int32_t d = lw_reg(L);
	if (is_event_field(L, ref)) {
		if (!L->ev || ref->u.rec != L->ev)
			return fail(L);
		if (f->optional)
			lw_jump_to(L, undef, lw_op(L, IR_JABSF, 0, (int32_t)ref->index, 0, 0));
		lw_op(L, IR_LDF, d, (int32_t)ref->index, 0, 0);
	} else {
		if (!L->in_elem)
			return fail(L);
		if (f->optional)
			lw_jump_to(L, undef, lw_op(L, IR_JABSE, 0, (int32_t)ref->index, 0, 0));
		lw_op(L, IR_LDE, d, (int32_t)ref->index, 0, 0);
	}
	return d;
}

/* ---- the customer as before the event ---- */

int32_t lw_pre_event(lw *L, ir_opcode op, int64_t imm)
{
	int32_t d = lw_reg(L);
	lw_snaps *s = L->snap;
	if (s) {
		for (uint32_t i = 0; i < s->n; i++) {
			if (s->s[i].op != op || s->s[i].imm != imm)
				continue;
			if (!L->dry && s->s[i].reg >= 0) {
				lw_op(L, IR_MOV, d, s->s[i].reg, 0, 0);
				return d;
			}
			s = NULL;
			break;
		}
		if (s && L->dry && s->n < LW_MAX_SNAP)
			s->s[s->n++] = (lw_snap){(uint16_t)op, imm, -1};
	}
	lw_op(L, op, d, 0, 0, imm);
	return d;
}

/* ---- aggregates ---- */

static int32_t list_field_of(lw *L, const ast_node *src)
{
	const chk_ref *ref = ref_of(L, src);
	if (src->kind != AST_NAME || !ref || ref->kind != CHK_REF_EVENT_FIELD || !L->ev || ref->u.rec != L->ev)
		return -1;
	return (int32_t)ref->index;
}

static clk_unit unit_of(ast_unit u)
{
	return u == UNIT_DAY ? CLK_DAY : u == UNIT_WEEK ? CLK_WEEK : u == UNIT_MONTH ? CLK_MONTH : CLK_YEAR;
}

int32_t lw_window(lw *L, const ast_node *agg)
{
	const ast_node *src = agg->u.agg.src;
	const chk_ref *ref = ref_of(L, src->u.window.event);
	if (!ref || ref->kind != CHK_REF_EVENT)
		return -1;
	clk_unit unit;
	uint32_t n;
	if (src->u.window.is_this || !src->u.window.length) {
		unit = unit_of(src->u.window.this_period);
		n = 1;
	} else {
		int32_t days = rt_duration_days(src->u.window.length);
		if (days < 1)
			days = 1;
		if (days <= 92) {
			unit = CLK_DAY;
			n = (uint32_t)days;
		} else {
			unit = CLK_WEEK;
			n = (uint32_t)((days + 6) / 7);
		}
	}
	const ty *vt = agg->u.agg.value ? lw_type(L, agg->u.agg.value) : NULL;
	bool wide = agg->u.agg.fn == AGG_SUM && vt && vt->kind != TY_COUNT;
	const char *text = rt_span_text(L->p, agg->sp);
	uint32_t before = L->p->nwindows;
	int32_t w = rt_layout_window(L->p, text, unit, n, wide, -1, text);
	if (L->p->nwindows != before) {
		L->p->windows[w].event = (int32_t)ref->u.rec->index;
		L->p->windows[w].agg = agg;
	}
	return w;
}

void lw_window_updates(lw *L)
{
	for (uint32_t w = 0; w < L->p->nwindows; w++) {
		const rt_lay_window *win = &L->p->windows[w];
		if (win->event < 0 || !L->ev || (uint32_t)win->event != L->ev->index)
			continue;
		const ast_node *agg = win->agg;
		L->sp = agg->sp;
		uint32_t mark = L->nregs;
		const chk_record *saved = L->elem_ev;
		L->elem_ev = L->ev;
		lw_patch skip = {.n = 0};
		lw_patch *saved_abort = L->abort;
		L->abort = &skip;
		if (agg->u.agg.where) {
			int32_t c = lw_cond(L, agg->u.agg.where);
			lw_jump_to(L, &skip, lw_op(L, IR_JNT, 0, c, 0, 0));
		}
		int32_t v;
		if (agg->u.agg.fn == AGG_SUM && agg->u.agg.value)
			v = lw_value(L, agg->u.agg.value, &skip);
		else
			v = lw_const(L, 1);
		lw_op(L, IR_WINADD, 0, v, 0, w);
		lw_patch_all(L, &skip);
		L->abort = saved_abort;
		L->elem_ev = saved;
		L->nregs = mark > L->nregs ? mark : L->nregs;
	}
}

static int32_t agg_window(lw *L, const ast_node *n)
{
	int32_t w = lw_window(L, n);
	if (w < 0)
		return fail(L);
	int32_t s = lw_reg(L);
	lw_op(L, IR_WINSUM, s, 0, 0, w);
	switch (n->u.agg.fn) {
	case AGG_COUNT: case AGG_SUM: return s;
	case AGG_ANY: {
		int32_t d = lw_reg(L);
		lw_op(L, IR_GT, d, s, lw_const(L, 0), 0);
		return d;
	}
	default: return fail(L); /* all/min/max over history: not kept in buckets */
	}
}

static int32_t agg_list(lw *L, const ast_node *n)
{
	int32_t f = list_field_of(L, n->u.agg.src);
	if (f < 0 || L->in_elem)
		return fail(L);
	ast_agg fn = n->u.agg.fn;
	const ty *lt = lw_type(L, n->u.agg.src);
	bool records = lt && lt->kind == TY_LIST && lt->elem && (lt->elem->kind == TY_RECORD);
	if (!records) {
		/* a list of scalars: only count without where */
		if (fn == AGG_COUNT && !n->u.agg.where) {
			int32_t d = lw_reg(L);
			lw_op(L, IR_LISTN, d, f, 0, 0);
			return d;
		}
		return fail(L);
	}
	int32_t cnt = lw_reg(L), i = lw_reg(L), acc = lw_reg(L), one = lw_const(L, 1), first = lw_reg(L);
	lw_op(L, IR_LISTN, cnt, f, 0, 0);
	lw_op(L, IR_CONST, i, 0, 0, 0);
	lw_op(L, IR_CONST, acc, 0, 0, fn == AGG_ALL ? 1 : 0);
	lw_op(L, IR_CONST, first, 0, 0, 1);
	uint32_t top = L->rt->nops;
	int32_t t = lw_reg(L);
	lw_op(L, IR_GE, t, i, cnt, 0);
	uint32_t jend = lw_op(L, IR_JT, 0, t, 0, 0);
	lw_op(L, IR_ELEM, 0, f, i, 0);
	bool saved_in = L->in_elem;
	int32_t saved_list = L->elem_list;
	L->in_elem = true;
	L->elem_list = f;
	lw_patch next = {.n = 0};
	if (n->u.agg.where) {
		int32_t c = lw_cond(L, n->u.agg.where);
		if (fn == AGG_ALL) {
			uint32_t j = lw_op(L, IR_JT, 0, c, 0, 0);
			lw_op(L, IR_CONST, acc, 0, 0, 0);
			lw_jump_to(L, &next, j);
		} else {
			lw_jump_to(L, &next, lw_op(L, IR_JNT, 0, c, 0, 0));
		}
	}
	switch (fn) {
	case AGG_COUNT: lw_op(L, IR_ADD, acc, acc, one, 0); break;
	case AGG_ANY: lw_op(L, IR_MOV, acc, one, 0, 0); break;
	case AGG_ALL: break;
	case AGG_SUM: {
		int32_t v = lw_value(L, n->u.agg.value, &next);
		lw_op(L, IR_ADD, acc, acc, v, 0);
		break;
	}
	case AGG_MIN: case AGG_MAX: {
		int32_t v = lw_value(L, n->u.agg.value, &next);
		uint32_t j = lw_op(L, IR_JZ, 0, first, 0, 0);
		lw_op(L, IR_MOV, acc, v, 0, 0);
		lw_op(L, IR_CONST, first, 0, 0, 0);
		uint32_t j2 = lw_op(L, IR_JMP, 0, 0, 0, 0);
		ir_patch_here(L->rt, j);
		lw_op(L, fn == AGG_MIN ? IR_MIN : IR_MAX, acc, acc, v, 0);
		ir_patch_here(L->rt, j2);
		break;
	}
	}
	lw_patch_all(L, &next);
	lw_op(L, IR_ADD, i, i, one, 0);
	lw_op(L, IR_JMP, 0, 0, 0, top);
	ir_patch_here(L->rt, jend);
	L->in_elem = saved_in;
	L->elem_list = saved_list;
	return acc;
}

/* ---- arithmetic ---- */

static int32_t arith(lw *L, const ast_node *n, lw_patch *undef)
{
	ast_op op = n->u.binary.op;
	const ty *tr = lw_type(L, n), *ta = lw_type(L, n->u.binary.l), *tb = lw_type(L, n->u.binary.r);
	int32_t d = lw_reg(L);
	if (op == OP_ADD || op == OP_SUB) {
		int32_t a = lw_value_as(L, n->u.binary.l, tr, undef);
		int32_t b = lw_value_as(L, n->u.binary.r, tr, undef);
		lw_op(L, op == OP_ADD ? IR_ADD : IR_SUB, d, a, b, 0);
		return d;
	}
	int64_t sa = lw_scale(ta), sb = lw_scale(tb), sr = lw_scale(tr);
	int32_t a = lw_value(L, n->u.binary.l, undef);
	int32_t b = lw_value(L, n->u.binary.r, undef);
	if (op == OP_MUL) {
		int64_t in = sa * sb;
		if (in > sr)
			lw_op(L, IR_MULS, d, a, b, in / sr);
		else {
			lw_op(L, IR_MUL, d, a, b, 0);
			if (sr > in)
				lw_op(L, IR_SCALE, d, d, 0, sr / in);
		}
		return d;
	}
	/* division: result = a * (sb * sr / sa) / b */
	lw_jump_to(L, L->abort, lw_op(L, IR_JZ, 0, b, 0, 0));
	int64_t num = sb * sr;
	if (num >= sa)
		lw_op(L, IR_DIVS, d, a, b, num / sa);
	else {
		lw_op(L, IR_DIVS, d, a, b, 1);
		lw_op(L, IR_FLOORD, d, d, 0, sa / num);
	}
	return d;
}

static int32_t call(lw *L, const ast_node *n, lw_patch *undef)
{
	const chk_ref *ref = ref_of(L, n);
	const ast_node *a0 = n->u.call.args, *a1 = a0 ? a0->next : NULL;
	const ty *tr = lw_type(L, n);
	int32_t d = lw_reg(L);
	switch (ref->u.fn) {
	case CHK_FN_BALANCE: {
		const chk_ref *w = ref_of(L, a0);
		if (!w || w->kind != CHK_REF_WALLET)
			return fail(L);
		/* staff wallets: the staff member's record, read live */
		if (w->u.wallet->staff) {
			lw_op(L, IR_BALANCE, d, 0, 0, w->u.wallet->index);
			return d;
		}
		return lw_pre_event(L, IR_BALANCE, w->u.wallet->index);
	}
	case CHK_FN_FLOOR: case CHK_FN_CEIL: case CHK_FN_ROUND: {
		int32_t v = lw_value(L, a0, undef);
		int64_t s = lw_scale(lw_type(L, a0));
		ir_opcode o = ref->u.fn == CHK_FN_FLOOR ? IR_FLOORD : ref->u.fn == CHK_FN_CEIL ? IR_CEILD : IR_ROUNDD;
		lw_op(L, o, d, v, 0, s);
		if (lw_scale(tr) > 1)
			lw_op(L, IR_SCALE, d, d, 0, lw_scale(tr));
		return d;
	}
	case CHK_FN_MIN: case CHK_FN_MAX: {
		int32_t a = lw_value_as(L, a0, tr, undef), b = lw_value_as(L, a1, tr, undef);
		lw_op(L, ref->u.fn == CHK_FN_MIN ? IR_MIN : IR_MAX, d, a, b, 0);
		return d;
	}
	case CHK_FN_ABS:
		lw_op(L, IR_ABS, d, lw_value_as(L, a0, tr, undef), 0, 0);
		return d;
	}
	return fail(L);
}

int32_t lw_value(lw *L, const ast_node *n, lw_patch *undef)
{
	if (!n)
		return fail(L);
	span saved = L->sp;
	const ty *t = lw_type(L, n);
	const chk_ref *ref = ref_of(L, n);
	int32_t d;
	if (t && t->kind == TY_BOOL) {
		d = lw_cond(L, n);
		/* a condition used as a value: unknown is missing */
		int32_t z = lw_reg(L);
		lw_op(L, IR_LT, z, d, lw_const(L, 0), 0);
		lw_jump_to(L, undef, lw_op(L, IR_JT, 0, z, 0, 0));
		return d;
	}
	if (n->kind == AST_NAME && ref && ref->kind == CHK_REF_PARAM)
		return param_value(L, ref->u.param, t);
	const chk_value *cv = &L->r->values[n->id];
	if (cv->kind != CHK_VAL_NONE && cv->kind != CHK_VAL_STRING)
		return lw_const(L, const_as(cv, t));
	switch (n->kind) {
	case AST_NAME:
		switch (ref->kind) {
		case CHK_REF_EVENT_FIELD: case CHK_REF_ELEM_FIELD:
			return load_field(L, ref, undef);
		case CHK_REF_LADDER:
			d = lw_reg(L);
			lw_op(L, IR_LADDER, d, 0, 0, ref->u.ladder->index);
			return d;
		case CHK_REF_RUNG: return lw_const(L, ref->index);
		case CHK_REF_ENUM_MEMBER: return lw_const(L, ref->index);
		default: return fail(L);
		}
	case AST_UNARY:
		if (n->u.unary.op == OP_NEG) {
			d = lw_reg(L);
			lw_op(L, IR_NEG, d, lw_value(L, n->u.unary.e, undef), 0, 0);
			return d;
		}
		return fail(L);
	case AST_BINARY:
		return arith(L, n, undef);
	case AST_CALL:
		d = call(L, n, undef);
		L->sp = saved;
		return d;
	case AST_AGG:
		return n->u.agg.src && n->u.agg.src->kind == AST_WINDOW ? agg_window(L, n) : agg_list(L, n);
	case AST_EARNED: {
		const chk_ref *w = ref_of(L, n->u.earned.wallet);
		if (!w || w->kind != CHK_REF_WALLET)
			return fail(L);
		if (!n->u.earned.window)
			return lw_pre_event(L, IR_EARNED, w->u.wallet->index);
		int32_t days = rt_duration_days(n->u.earned.window);
		clk_unit unit = days <= 92 ? CLK_DAY : CLK_WEEK;
		uint32_t nb = days <= 92 ? (uint32_t)days : (uint32_t)((days + 6) / 7);
		const char *key = arena_printf(L->a, "%s earned in last %d days", w->u.wallet->name, days);
		int32_t win = rt_layout_window(L->p, key, unit, nb, true, (int32_t)w->u.wallet->index, key);
		return lw_pre_event(L, IR_WINSUM, win);
	}
	default:
		return fail(L);
	}
}

/* ---- conditions ---- */

/* A string-valued side of a comparison: an event or element field. */
static bool string_field(lw *L, const ast_node *n, bool *elem, int32_t *field, lw_patch *undef)
{
	const chk_ref *ref = ref_of(L, n);
	if (n->kind != AST_NAME || !ref || (ref->kind != CHK_REF_EVENT_FIELD && ref->kind != CHK_REF_ELEM_FIELD))
		return false;
	const chk_field *f = &ref->u.rec->fields[ref->index];
	*elem = !is_event_field(L, ref);
	if (*elem && !L->in_elem)
		return false;
	if (!*elem && (!L->ev || ref->u.rec != L->ev))
		return false;
	*field = (int32_t)ref->index;
	if (f->optional)
		lw_jump_to(L, undef, lw_op(L, *elem ? IR_JABSE : IR_JABSF, 0, *field, 0, 0));
	return true;
}

static const char *string_const(lw *L, const ast_node *n)
{
	const chk_value *cv = &L->r->values[n->id];
	if (cv->kind == CHK_VAL_STRING)
		return cv->s;
	if (n->kind == AST_STRING)
		return n->u.str.s;
	const chk_ref *ref = ref_of(L, n);
	if (n->kind == AST_NAME && ref && ref->kind == CHK_REF_PARAM && ref->u.param->constant.kind == CHK_VAL_STRING)
		return ref->u.param->constant.s;
	return NULL;
}

static int32_t membership(lw *L, const ast_node *n, lw_patch *undef)
{
	const ast_node *lhs = n->u.binary.l, *rhs = n->u.binary.r;
	int32_t d = lw_reg(L);
	const ty *tl = lw_type(L, lhs);
	if (rhs->kind == AST_SET) {
		if (tl && tl->kind == TY_STRING) {
			bool elem;
			int32_t f;
			if (!string_field(L, lhs, &elem, &f, undef))
				return fail(L);
			lw_op(L, elem ? IR_SSETE : IR_SSETF, d, f, 0, lw_strset(L, rhs->u.list.items));
			return d;
		}
		if (tl && tl->kind == TY_ENUM) {
			uint64_t mask = 0;
			for (const ast_node *it = rhs->u.list.items; it; it = it->next) {
				const chk_ref *ir = ref_of(L, it);
				const chk_value *iv = &L->r->values[it->id];
				int64_t m = ir && ir->kind == CHK_REF_ENUM_MEMBER ? (int64_t)ir->index
					    : iv->kind == CHK_VAL_ENUM ? iv->i : -1;
				if (m >= 0 && m < 64)
					mask |= UINT64_C(1) << m;
			}
			int32_t v = lw_value(L, lhs, undef);
			lw_op(L, IR_INMASK, d, v, 0, (int64_t)mask);
			return d;
		}
		/* numbers, dates...: a chain of equalities */
		int32_t v = lw_value(L, lhs, undef);
		lw_op(L, IR_CONST, d, 0, 0, 0);
		for (const ast_node *it = rhs->u.list.items; it; it = it->next) {
			int32_t w = lw_value_as(L, it, tl, undef), e = lw_reg(L);
			lw_op(L, IR_EQ, e, v, w, 0);
			lw_op(L, IR_OR3, d, d, e, 0);
		}
		return d;
	}
	/* `"x" in tags`: a constant string in a list of strings */
	const char *s = string_const(L, lhs);
	bool elem;
	int32_t f;
	if (!s || !string_field(L, rhs, &elem, &f, undef))
		return fail(L);
	lw_op(L, elem ? IR_SINE : IR_SINF, d, f, 0, lw_str(L, s));
	return d;
}

static int32_t compare(lw *L, const ast_node *n, lw_patch *undef)
{
	ast_op op = n->u.binary.op;
	const ast_node *l = n->u.binary.l, *r = n->u.binary.r;
	const ty *tl = lw_type(L, l), *tr = lw_type(L, r);
	int32_t d = lw_reg(L);
	if (tl && tl->kind == TY_STRING && (op == OP_EQ || op == OP_NE)) {
		const char *s = string_const(L, r);
		const ast_node *fld = l;
		if (!s) {
			s = string_const(L, l);
			fld = r;
		}
		bool elem;
		int32_t f;
		if (!s || !string_field(L, fld, &elem, &f, undef))
			return fail(L);
		lw_op(L, elem ? IR_SEQE : IR_SEQF, d, f, 0, lw_str(L, s));
		if (op == OP_NE)
			lw_op(L, IR_NOT3, d, d, 0, 0);
		return d;
	}
	/* a common scale: the finer of the two */
	const ty *common = lw_scale(tl) >= lw_scale(tr) ? tl : tr;
	int32_t a = lw_value_as(L, l, common, undef), b = lw_value_as(L, r, common, undef);
	static const ir_opcode cmp[] = {[OP_EQ] = IR_EQ, [OP_NE] = IR_NE, [OP_LT] = IR_LT,
					[OP_LE] = IR_LE, [OP_GT] = IR_GT, [OP_GE] = IR_GE};
	lw_op(L, cmp[op], d, a, b, 0);
	/* a customer without a rung: every comparison with the ladder is false */
	const ast_node *sides[2] = {l, r};
	for (int k = 0; k < 2; k++) {
		const chk_ref *ref = ref_of(L, sides[k]);
		if (sides[k]->kind == AST_NAME && ref && ref->kind == CHK_REF_LADDER) {
			int32_t reg = k == 0 ? a : b, g = lw_reg(L);
			lw_op(L, IR_GE, g, reg, lw_const(L, 0), 0);
			lw_op(L, IR_AND3, d, d, g, 0);
		}
	}
	return d;
}

int32_t lw_cond(lw *L, const ast_node *n)
{
	if (!n)
		return lw_const(L, 1);
	const chk_value *cv = &L->r->values[n->id];
	if (cv->kind == CHK_VAL_BOOL)
		return lw_const(L, cv->i ? 1 : 0);
	int32_t d = lw_reg(L);
	switch (n->kind) {
	case AST_UNARY:
		if (n->u.unary.op == OP_NOT) {
			lw_op(L, IR_NOT3, d, lw_cond(L, n->u.unary.e), 0, 0);
			return d;
		}
		break;
	case AST_BINARY: {
		ast_op op = n->u.binary.op;
		if (op == OP_AND || op == OP_OR) {
			int32_t a = lw_cond(L, n->u.binary.l), b = lw_cond(L, n->u.binary.r);
			lw_op(L, op == OP_AND ? IR_AND3 : IR_OR3, d, a, b, 0);
			return d;
		}
		if (op >= OP_EQ && op <= OP_GE) {
			/* unknown unless computed: missing fields jump past the store */
			lw_patch undef = {.n = 0};
			lw_op(L, IR_CONST, d, 0, 0, -1);
			int32_t v = op == OP_IN ? 0 : compare(L, n, &undef);
			lw_op(L, IR_MOV, d, v, 0, 0);
			lw_patch_all(L, &undef);
			return d;
		}
		if (op == OP_IN || op == OP_NOT_IN) {
			lw_patch undef = {.n = 0};
			lw_op(L, IR_CONST, d, 0, 0, -1);
			int32_t v = membership(L, n, &undef);
			lw_op(L, op == OP_IN ? IR_MOV : IR_NOT3, d, v, 0, 0);
			lw_patch_all(L, &undef);
			return d;
		}
		break;
	}
	default:
		break;
	}
	/* a boolean value: a field, a param, an aggregate (any/all) */
	lw_patch undef = {.n = 0};
	lw_op(L, IR_CONST, d, 0, 0, -1);
	const ty *t = lw_type(L, n);
	int32_t v;
	if (n->kind == AST_AGG)
		v = n->u.agg.src && n->u.agg.src->kind == AST_WINDOW ? agg_window(L, n) : agg_list(L, n);
	else if (n->kind == AST_NAME && t && t->kind == TY_BOOL) {
		const chk_ref *ref = ref_of(L, n);
		v = ref && ref->kind == CHK_REF_PARAM ? param_value(L, ref->u.param, t) : load_field(L, ref, &undef);
	} else
		v = fail(L);
	lw_op(L, IR_MOV, d, v, 0, 0);
	lw_patch_all(L, &undef);
	return d;
}
