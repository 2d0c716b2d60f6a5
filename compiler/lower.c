/* lower.c — a checked program to IR: the fused routine of each event type,
 * the day routine and the ladder metrics.
 *
 * One routine per event type runs, in this order:
 *   1. which overlay applies (the first, in file order, whose region or
 *      stores match the event) into the overlay register;
 *   2. (customer events) the customer's birthday if the event carries one;
 *      the redemption (find the item, its condition, the debit or the
 *      refusal); the purchase remembered for returns; the return reversed;
 *      the history windows counting this event; the time rules it resets;
 *   3. every rule, mission step and streak on this event, in program order
 *      (an overlay's override right after the rule it replaces, guarded by
 *      the overlay register; the overlay's new rules after the base's);
 *   4. the ladders: each metric computed and the rung moved up.
 * Rules are lowered by lower_mech.c.
 *
 * Overlays and time passing (decided): the day routine has no event, so no
 * region or store. A customer's overlay for time passing is that of their
 * latest applied event carrying a scope field (`region` or `store`, present
 * in the event), kept in the record (layout.c, "overlay"); -1 (the base)
 * until such an event. The day routine loads it into the overlay register:
 * overlay time rules, overrides, disabled rules and overlay params then
 * apply to time passing as they do to that customer's events.
 */
#include "lower.h"

#include <string.h>

uint32_t lw_op(lw *L, ir_opcode op, int32_t a, int32_t b, int32_t c, int64_t imm)
{
	return ir_emit(L->a, L->rt, op, a, b, c, imm, L->sp);
}

int32_t lw_reg(lw *L)
{
	if (L->nregs >= IR_MAX_REGS) {
		L->failed = true;
		return IR_MAX_REGS - 1;
	}
	int32_t r = (int32_t)L->nregs++;
	if (L->nregs > L->rt->nregs)
		L->rt->nregs = L->nregs;
	return r;
}

int32_t lw_const(lw *L, int64_t v)
{
	int32_t r = lw_reg(L);
	lw_op(L, IR_CONST, r, 0, 0, v);
	return r;
}

void lw_jump_to(lw *L, lw_patch *pl, uint32_t at)
{
	if (!pl || pl->n >= LW_MAX_PATCH) {
		L->failed = true;
		return;
	}
	pl->at[pl->n++] = at;
}

void lw_patch_all(lw *L, lw_patch *pl)
{
	for (uint32_t i = 0; i < pl->n; i++)
		ir_patch_here(L->rt, pl->at[i]);
	pl->n = 0;
}

uint32_t lw_str(lw *L, const char *s)
{
	rt_program *p = L->p;
	for (uint32_t i = 0; i < p->nstrs; i++)
		if (strcmp(p->strs[i], s) == 0)
			return i;
	uint32_t cap = p->capstrs; /* strs and strlens grow together */
	p->strlens = arena_grow(L->a, p->strlens, p->nstrs, &cap, 16, sizeof *p->strlens);
	p->strs = arena_grow(L->a, p->strs, p->nstrs, &p->capstrs, 16, sizeof *p->strs);
	p->strs[p->nstrs] = s;
	p->strlens[p->nstrs] = (uint32_t)strlen(s);
	return p->nstrs++;
}

uint32_t lw_strset(lw *L, const ast_node *items)
{
	rt_program *p = L->p;
	uint32_t n = ast_list_len(items);
	rt_strset set = {arena_alloc(L->a, (n + 1) * sizeof(char *)), arena_alloc(L->a, (n + 1) * sizeof(uint32_t)), 0};
	for (const ast_node *it = items; it; it = it->next) {
		const chk_value *cv = &L->r->values[it->id];
		const char *s = cv->kind == CHK_VAL_STRING ? cv->s : it->kind == AST_STRING ? it->u.str.s : NULL;
		if (!s)
			continue;
		set.s[set.n] = s;
		set.len[set.n++] = (uint32_t)strlen(s);
	}
	if (p->nsets == p->capsets) {
		uint32_t cap = p->capsets ? p->capsets * 2 : 8;
		rt_strset *ns = arena_alloc(L->a, cap * sizeof *ns);
		if (p->nsets)
			memcpy(ns, p->sets, p->nsets * sizeof *ns);
		p->sets = ns;
		p->capsets = cap;
	}
	p->sets[p->nsets] = set;
	return p->nsets++;
}

/* rules, missions, streaks: lower_mech.c */
void lw_mechanic(lw *L, const chk_rule *ru);
void lw_time_rule(lw *L, const chk_rule *ru, int32_t timer);
void lw_event_timers(lw *L);
void lw_redemption(lw *L);
/* whether rule `ru` reacts to the routine's event */
bool lw_reacts(lw *L, const chk_rule *ru);

static int32_t field_named(const chk_record *rec, const char *name, ty_kind k)
{
	for (uint32_t f = 0; f < rec->nfields; f++)
		if (strcmp(rec->fields[f].name, name) == 0 && (k == TY_ERROR || rec->fields[f].type->kind == k))
			return (int32_t)f;
	return -1;
}

/* The overlay register: the first overlay, in file order, whose scope matches. */
static void overlay_select(lw *L)
{
	const chk_result *r = L->r;
	bool any = false;
	for (uint32_t u = 0; u < r->nunits; u++)
		any |= r->units[u].kind == CHK_UNIT_OVERLAY && r->units[u].scope;
	L->ovl = -1;
	if (!any)
		return;
	L->ovl = lw_reg(L);
	lw_op(L, IR_CONST, L->ovl, 0, 0, -1);
	lw_patch done = {.n = 0};
	for (uint32_t u = 0; u < r->nunits; u++) {
		const chk_unit *un = &r->units[u];
		if (un->kind != CHK_UNIT_OVERLAY || !un->scope)
			continue;
		L->sp = un->scope->sp;
		bool stores = un->scope->u.scope.stores;
		int32_t f = field_named(L->ev, stores ? "store" : "region", TY_STRING);
		if (f < 0)
			continue;
		uint32_t mark = L->nregs;
		lw_patch next = {.n = 0};
		if (L->ev->fields[f].optional)
			lw_jump_to(L, &next, lw_op(L, IR_JABSF, 0, f, 0, 0));
		int32_t t = lw_reg(L);
		lw_op(L, IR_SSETF, t, f, 0, lw_strset(L, un->scope->u.scope.values));
		lw_jump_to(L, &next, lw_op(L, IR_JNT, 0, t, 0, 0));
		lw_op(L, IR_CONST, L->ovl, 0, 0, u);
		lw_jump_to(L, &done, lw_op(L, IR_JMP, 0, 0, 0, 0));
		lw_patch_all(L, &next);
		L->nregs = mark;
	}
	lw_patch_all(L, &done);
}

static void event_routine(lw *L, const chk_record *ev)
{
	rt_program *p = L->p;
	const chk_result *r = L->r;
	ir_routine *rt = &p->events[ev->index];
	*rt = (ir_routine){.name = ev->name};
	L->rt = rt;
	L->ev = ev;
	L->nregs = 0;
	L->rule = -1;
	L->sp = ev->decl ? ev->decl->sp : (span){0, 0, 0};
	overlay_select(L);
	/* the customer as before the event: loaded once, before the redemption,
	 * the return and the rules change anything (the first pass lists them) */
	L->snap = &L->snaps[ev->index];
	if (!L->dry) {
		for (uint32_t i = 0; i < L->snap->n; i++) {
			lw_snap *s = &L->snap->s[i];
			s->reg = lw_reg(L);
			lw_op(L, (ir_opcode)s->op, s->reg, 0, 0, s->imm);
		}
	}
	uint32_t base = L->nregs;

	/* customer bookkeeping: skipped for anonymous events */
	uint32_t janon = lw_op(L, IR_ANON, 0, 0, 0, 0);
	if (L->ovl >= 0 && (field_named(ev, "region", TY_STRING) >= 0 || field_named(ev, "store", TY_STRING) >= 0)) {
		/* the overlay for time passing: this event's, if it carries a scope field */
		int32_t sf[2] = {field_named(ev, "region", TY_STRING), field_named(ev, "store", TY_STRING)};
		lw_patch set = {.n = 0}, skip = {.n = 0};
		for (int k = 0; k < 2; k++) {
			if (sf[k] < 0)
				continue;
			if (!ev->fields[sf[k]].optional) {
				lw_jump_to(L, &set, lw_op(L, IR_JMP, 0, 0, 0, 0));
				break;
			}
			uint32_t j = lw_op(L, IR_JABSF, 0, sf[k], 0, 0);
			lw_jump_to(L, &set, lw_op(L, IR_JMP, 0, 0, 0, 0));
			ir_patch_here(rt, j);
		}
		lw_jump_to(L, &skip, lw_op(L, IR_JMP, 0, 0, 0, 0));
		lw_patch_all(L, &set);
		lw_op(L, IR_OVLSET, 0, L->ovl, 0, 0);
		lw_patch_all(L, &skip);
	}
	int32_t bf = field_named(ev, "birthday", TY_DATE);
	if (bf >= 0) {
		uint32_t j = lw_op(L, IR_JABSF, 0, bf, 0, 0);
		int32_t v = lw_reg(L);
		lw_op(L, IR_LDF, v, bf, 0, 0);
		lw_op(L, IR_BDAY, 0, v, 0, 0);
		ir_patch_here(rt, j);
	}
	if ((int32_t)ev->index == p->redemption_ev)
		lw_redemption(L);
	if ((int32_t)ev->index == p->purchase_ev && p->return_ev >= 0) {
		int32_t tf = field_named(ev, "total", TY_MONEY);
		int32_t v = lw_reg(L);
		if (tf >= 0)
			lw_op(L, IR_LDF, v, tf, 0, 0);
		else
			lw_op(L, IR_CONST, v, 0, 0, 0);
		lw_op(L, IR_PREC, 0, v, 0, 0);
	}
	if ((int32_t)ev->index == p->return_ev && p->purchase_ev >= 0) {
		int32_t of = field_named(ev, "original", TY_STRING), vf = field_named(ev, "value", TY_MONEY);
		if (of >= 0 && vf >= 0) {
			uint32_t j = lw_op(L, IR_JABSF, 0, of, 0, 0);
			int32_t v = lw_reg(L);
			lw_op(L, IR_LDF, v, vf, 0, 0);
			lw_op(L, IR_RETURN, 0, of, v, 0);
			ir_patch_here(rt, j);
		}
	}
	L->nregs = base;
	lw_window_updates(L);
	L->nregs = base;
	lw_event_timers(L);
	ir_patch_here(rt, janon);

	/* rules in program order; an override right after the rule it replaces */
	for (uint32_t i = 0; i < r->nrules; i++) {
		const chk_rule *ru = r->rules[i];
		if (r->units[ru->unit].kind == CHK_UNIT_OVERLAY)
			continue;
		if (lw_reacts(L, ru)) {
			L->nregs = base;
			lw_mechanic(L, ru);
		}
		for (uint32_t k = 0; k < r->nrules; k++) {
			const chk_rule *o = r->rules[k];
			if (o->overrides == (int32_t)i && lw_reacts(L, o)) {
				L->nregs = base;
				lw_mechanic(L, o);
			}
		}
	}
	for (uint32_t i = 0; i < r->nrules; i++) {
		const chk_rule *ru = r->rules[i];
		if (r->units[ru->unit].kind == CHK_UNIT_OVERLAY && ru->overrides < 0 && lw_reacts(L, ru)) {
			L->nregs = base;
			lw_mechanic(L, ru);
		}
	}

	/* ladders move up after the event's rules (rules saw the rung before) */
	L->nregs = base;
	L->rule = -1;
	if (r->nladders) {
		uint32_t j = lw_op(L, IR_ANON, 0, 0, 0, 0);
		for (uint32_t l = 0; l < r->nladders; l++) {
			L->sp = r->ladders[l]->decl->sp;
			int32_t m = lw_reg(L);
			lw_op(L, IR_METRIC, m, 0, 0, l);
			lw_op(L, IR_LADUP, 0, m, 0, l);
		}
		ir_patch_here(rt, j);
	}
	lw_op(L, IR_RET, 0, 0, 0, 0);
	/* an event nothing reacts to needs no routine */
	bool useful = false;
	for (uint32_t i = 0; i < rt->nops && !useful; i++)
		useful = rt->ops[i].op != IR_RET && rt->ops[i].op != IR_ANON && rt->ops[i].op != IR_CONST &&
			 rt->ops[i].op != IR_METRIC && rt->ops[i].op != IR_LADUP && rt->ops[i].op != IR_JMP;
	(void)useful; /* a routine is kept for every event: ladders and the last-seen day still move */
}

static void day_routine(lw *L)
{
	rt_program *p = L->p;
	const chk_result *r = L->r;
	p->day = (ir_routine){.name = "day"};
	L->rt = &p->day;
	L->ev = NULL;
	L->snap = NULL;
	L->ovl = -1;
	L->nregs = 0;
	L->rule = -1;
	if (p->off_overlay) {
		L->ovl = lw_reg(L);
		lw_op(L, IR_OVLGET, L->ovl, 0, 0, 0);
	}
	for (uint32_t w = 0; w < r->nwallets; w++) {
		L->sp = r->wallets[w]->decl->sp;
		if (p->wallets[w].lots_off)
			lw_op(L, IR_EXPIRE, 0, 0, 0, w);
		if (p->wallets[w].pend_off)
			lw_op(L, IR_RELEASE, 0, 0, 0, w);
	}
	uint32_t base = L->nregs;
	for (uint32_t t = 0; t < p->ntimers; t++) {
		L->nregs = base;
		lw_time_rule(L, r->rules[p->timers[t].rule], (int32_t)t);
	}
	L->rule = -1;
	for (uint32_t m = 0; m < p->nmissions; m++)
		if (p->missions[m].within_days) {
			L->sp = r->rules[p->missions[m].rule]->decl->sp;
			lw_op(L, IR_MDEAD, 0, 0, 0, m);
		}
	L->nregs = base;
	for (uint32_t l = 0; l < r->nladders; l++) {
		L->sp = r->ladders[l]->decl->sp;
		int32_t m = lw_reg(L);
		/* a ladder with review changes only on its review days: the
		 * measure is taken only then */
		uint32_t j = p->ladders[l].review ? lw_op(L, IR_JNREV, 0, 0, (int32_t)l, 0) : UINT32_MAX;
		lw_op(L, IR_METRIC, m, 0, 0, l);
		lw_op(L, IR_REVIEW, 0, m, 0, l);
		if (j != UINT32_MAX)
			ir_patch_here(L->rt, j);
	}
	lw_op(L, IR_RET, 0, 0, 0, 0);
	/* Days on which nothing is due are skipped (rt_next_day_due) unless a
	 * ladder without review (moved on every day) has a measure that can
	 * change by itself as days pass: only the customer's balances, earned
	 * points, rungs and variants are known not to. */
	p->day_each = false;
	for (uint32_t l = 0; l < r->nladders; l++) {
		if (p->ladders[l].review)
			continue;
		const ir_routine *m = &p->metrics[l];
		for (uint32_t i = 0; i < m->nops; i++) {
			switch (m->ops[i].op) {
			case IR_NOP: case IR_CONST: case IR_MOV: case IR_JMP: case IR_JT: case IR_JNT: case IR_JZ:
			case IR_JNEI: case IR_JEQI: case IR_RET: case IR_ADD: case IR_SUB: case IR_MUL: case IR_NEG:
			case IR_SCALE: case IR_MULS: case IR_DIVS: case IR_FLOORD: case IR_CEILD: case IR_ROUNDD:
			case IR_MIN: case IR_MAX: case IR_ABS: case IR_EQ: case IR_NE: case IR_LT: case IR_LE:
			case IR_GT: case IR_GE: case IR_NOT3: case IR_AND3: case IR_OR3: case IR_BALANCE:
			case IR_EARNED: case IR_LADDER: case IR_VARIANT:
				break;
			default:
				p->day_each = true;
			}
		}
	}
}

static void metric_routines(lw *L)
{
	rt_program *p = L->p;
	const chk_result *r = L->r;
	for (uint32_t l = 0; l < r->nladders; l++) {
		const chk_ladder *ld = r->ladders[l];
		p->metrics[l] = (ir_routine){.name = arena_printf(L->a, "metric %s", ld->name)};
		L->rt = &p->metrics[l];
		L->ev = NULL;
		L->snap = NULL;
		L->ovl = -1;
		L->nregs = 1;
		L->rt->nregs = 1;
		L->rule = -1;
		L->sp = ld->metric ? ld->metric->sp : ld->decl->sp;
		lw_patch ab = {.n = 0};
		L->abort = &ab;
		lw_op(L, IR_CONST, 0, 0, 0, 0);
		int32_t v = lw_value(L, ld->metric, &ab);
		lw_op(L, IR_MOV, 0, v, 0, 0);
		lw_patch_all(L, &ab);
		lw_op(L, IR_RET, 0, 0, 0, 0);
	}
}

static bool lower_all(lw *L)
{
	rt_program *p = L->p;
	const chk_result *r = L->r;
	for (uint32_t i = 0; i < r->nrecords; i++)
		if (r->records[i]->is_event)
			event_routine(L, r->records[i]);
	metric_routines(L);
	day_routine(L);
	return !L->failed;
	(void)p;
}

bool rt_lower(rt_program *p)
{
	lw L = {.p = p, .r = p->r, .a = p->a, .ovl = -1, .rule = -1, .timer = -1};
	p->events = arena_alloc(p->a, (p->r->nrecords + 1) * sizeof *p->events);
	p->metrics = arena_alloc(p->a, (p->r->nladders + 1) * sizeof *p->metrics);
	L.snaps = arena_alloc(p->a, (p->r->nrecords + 1) * sizeof *L.snaps);
	/* First pass: registers every history window (a rule on one event may
	 * read a window counted by another event's routine). Its code, caps and
	 * timers are thrown away. */
	L.dry = true;
	lower_all(&L);
	p->nstrs = p->nsets = p->nnargs = p->ntemplates = 0;
	p->nbudgets = 0;
	memset(p->rule_experiments, 0, p->r->nrules * sizeof *p->rule_experiments);
	for (uint32_t t = 0; t < p->ntimers; t++)
		rt_layout_stash(p, t);
	L.dry = false;
	L.failed = false;
	if (!lower_all(&L))
		return false;
	for (uint32_t i = 0; i < p->r->nrecords; i++)
		ir_optimize(p->a, &p->events[i]);
	for (uint32_t l = 0; l < p->r->nladders; l++)
		ir_optimize(p->a, &p->metrics[l]);
	ir_optimize(p->a, &p->day);
	return true;
}
