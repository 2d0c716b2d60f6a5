/* lower_mech.c — rules, groups, missions, streaks, time rules and
 * redemptions to IR.
 *
 * A rule is lowered in two phases:
 *   evaluate  guards (overlay, scope, variant skips, campaign dates, staff),
 *             the condition, the caps that count times, the amounts of its
 *             awards (multipliers, rounding, cut by point caps and budgets),
 *             the balance a debit needs: if all is well, `ok` = 1;
 *   act       charge the caps and budgets, then the actions in the order
 *             written (award, debit, badge, notify).
 * A lone rule acts right after it evaluates. An exclusive group evaluates
 * all its rules first, picks one (keep first: the first that applies; keep
 * best: the largest award to the group's wallet, ties to program order),
 * and only that one acts: the others use up nothing.
 *
 * A rule "applies" when its condition holds, its caps leave room and, if
 * its only actions are awards, at least one award is more than 0.
 */
#include "lower.h"

#include <string.h>

#define MAX_ACTIONS 32

typedef struct rule_ev {
	int32_t ok;                /* register: 1 if the rule acts */
	int32_t amt[MAX_ACTIONS];  /* award / debit amounts (whole points), per action */
	int32_t best;              /* total awarded to the group's wallet */
	int32_t count_caps[8];     /* caps counting times */
	uint32_t ncount;
	int32_t wallet_caps[8];    /* caps on points */
	uint32_t nwallet;
	int32_t budgets[4];
	uint32_t nbudgets;
} rule_ev;

static int64_t whole(const chk_result *r, const ast_node *n)
{
	const chk_value *v = n ? &r->values[n->id] : NULL;
	if (!v || v->kind != CHK_VAL_NUMBER)
		return 0;
	return v->i / AST_DECIMAL_SCALE;
}

static const chk_wallet *wallet_of(lw *L, const ast_node *name)
{
	if (!name || name->id >= L->r->node_count)
		return NULL;
	const chk_ref *ref = &L->r->refs[name->id];
	return ref->kind == CHK_REF_WALLET ? ref->u.wallet : NULL;
}

static const chk_record *event_of(lw *L, const ast_node *name)
{
	if (!name || name->id >= L->r->node_count)
		return NULL;
	const chk_ref *ref = &L->r->refs[name->id];
	return ref->kind == CHK_REF_EVENT ? ref->u.rec : NULL;
}

bool lw_reacts(lw *L, const chk_rule *ru)
{
	if (!L->ev)
		return false;
	if (ru->kind == CHK_MECH_MISSION) {
		const ast_node *d = ru->decl;
		if (event_of(L, d->u.mission.anchor) == L->ev)
			return true;
		for (const ast_node *s = d->u.mission.steps; s; s = s->next)
			if (event_of(L, s->u.step.event) == L->ev)
				return true;
		return false;
	}
	if (ru->kind == CHK_MECH_STREAK)
		return event_of(L, ru->decl->u.streak.event) == L->ev;
	return ru->trigger == CHK_TRIG_EVENT && ru->event == L->ev;
}

static int32_t field_named(const chk_record *rec, const char *name)
{
	for (uint32_t f = 0; rec && f < rec->nfields; f++)
		if (strcmp(rec->fields[f].name, name) == 0 && rec->fields[f].type->kind == TY_STRING)
			return (int32_t)f;
	return -1;
}

/* ---- guards ---- */

static void scope_test(lw *L, const ast_node *scope, lw_patch *skip)
{
	if (!scope)
		return;
	int32_t f = field_named(L->ev, scope->u.scope.stores ? "store" : "region");
	if (f < 0) {
		lw_jump_to(L, skip, lw_op(L, IR_JMP, 0, 0, 0, 0));
		return;
	}
	if (L->ev->fields[f].optional)
		lw_jump_to(L, skip, lw_op(L, IR_JABSF, 0, f, 0, 0));
	int32_t t = lw_reg(L);
	lw_op(L, IR_SSETF, t, f, 0, lw_strset(L, scope->u.scope.values));
	lw_jump_to(L, skip, lw_op(L, IR_JNT, 0, t, 0, 0));
}

static void guards(lw *L, const chk_rule *ru, lw_patch *skip)
{
	const chk_result *r = L->r;
	const ast_node *d = ru->decl;
	L->sp = d->sp;
	/* anonymous events: only quests */
	if (!ru->staff)
		lw_jump_to(L, skip, lw_op(L, IR_ANON, 0, 0, 0, 0));
	/* overlays */
	if (r->units[ru->unit].kind == CHK_UNIT_OVERLAY) {
		if (L->ovl < 0)
			lw_jump_to(L, skip, lw_op(L, IR_JMP, 0, 0, 0, 0));
		else
			lw_jump_to(L, skip, lw_op(L, IR_JNEI, 0, L->ovl, (int32_t)ru->unit, 0));
	} else if (L->ovl >= 0) {
		for (uint32_t u = 0; u < r->nunits; u++) {
			const chk_unit *un = &r->units[u];
			bool off = false;
			for (uint32_t k = 0; k < un->ndisabled; k++)
				off |= un->disabled[k] == ru->index;
			for (uint32_t k = 0; k < r->nrules; k++)
				off |= r->rules[k]->unit == u && r->rules[k]->overrides == (int32_t)ru->index;
			if (off)
				lw_jump_to(L, skip, lw_op(L, IR_JEQI, 0, L->ovl, (int32_t)u, 0));
		}
	}
	/* the rule's own scope */
	const ast_node *scope = ru->kind == CHK_MECH_MISSION ? d->u.mission.scope
				: ru->kind == CHK_MECH_STREAK ? d->u.streak.scope : d->u.rule.scope;
	if (L->ev)
		scope_test(L, scope, skip);
	/* experiments: `skip "R"` */
	for (uint32_t e = 0; e < r->nexperiments; e++) {
		const chk_experiment *x = r->experiments[e];
		for (uint32_t v = 0; v < x->nvariants; v++)
			for (const ast_node *c = x->variants[v].changes; c; c = c->next)
				if (c->kind == AST_SKIP && strcmp(c->u.str.s, ru->name) == 0) {
					int32_t t = lw_reg(L);
					lw_op(L, IR_VARIANT, t, 0, 0, e);
					lw_jump_to(L, skip, lw_op(L, IR_JEQI, 0, t, (int32_t)v, 0));
					if (e < 64)
						L->exps |= UINT64_C(1) << e;
				}
	}
	/* campaign dates (missions check theirs in MAT) */
	const ast_node *from = ru->kind == CHK_MECH_STREAK ? d->u.streak.from
			       : ru->kind == CHK_MECH_RULE ? d->u.rule.from : NULL;
	const ast_node *until = ru->kind == CHK_MECH_STREAK ? d->u.streak.until
				: ru->kind == CHK_MECH_RULE ? d->u.rule.until : NULL;
	if (from || until) {
		int32_t day = lw_reg(L), t = lw_reg(L);
		lw_op(L, IR_DAY, day, 0, 0, 0);
		if (from) {
			lw_op(L, IR_LT, t, day, lw_const(L, from->u.num.value), 0);
			lw_jump_to(L, skip, lw_op(L, IR_JT, 0, t, 0, 0));
		}
		if (until) {
			lw_op(L, IR_GT, t, day, lw_const(L, until->u.num.value), 0);
			lw_jump_to(L, skip, lw_op(L, IR_JT, 0, t, 0, 0));
		}
	}
	/* quests: the staff member's record */
	if (ru->staff) {
		int32_t f = field_named(L->ev, "staff");
		if (f < 0)
			lw_jump_to(L, skip, lw_op(L, IR_JMP, 0, 0, 0, 0));
		else
			lw_jump_to(L, skip, lw_op(L, IR_STAFF, 0, f, 0, 0));
	}
}

/* ---- evaluate and act ---- */

static int32_t award_amount(lw *L, const ast_node *aw)
{
	int32_t amt = lw_const(L, 0);
	lw_patch undef = {.n = 0};
	L->sp = aw->sp;
	int32_t v = lw_value(L, aw->u.award.amount, &undef);
	if (lw_scale(lw_type(L, aw->u.award.amount)) == 1) {
		int32_t s = lw_reg(L);
		lw_op(L, IR_SCALE, s, v, 0, AST_DECIMAL_SCALE);
		v = s;
	}
	for (const ast_node *m = aw->u.award.mults; m; m = m->next) {
		L->sp = m->sp;
		int32_t c = lw_cond(L, m->u.mult.cond);
		uint32_t j = lw_op(L, IR_JNT, 0, c, 0, 0);
		int32_t f = lw_value(L, m->u.mult.factor, &undef);
		int32_t nv = lw_reg(L);
		if (lw_scale(lw_type(L, m->u.mult.factor)) == 1)
			lw_op(L, IR_MUL, nv, v, f, 0);
		else
			lw_op(L, IR_MULS, nv, v, f, AST_DECIMAL_SCALE);
		lw_op(L, IR_MOV, v, nv, 0, 0);
		ir_patch_here(L->rt, j);
	}
	L->sp = aw->sp;
	ast_rounding rd = aw->u.award.rounding;
	lw_op(L, rd == ROUND_UP ? IR_CEILD : rd == ROUND_NEAREST ? IR_ROUNDD : IR_FLOORD, amt, v, 0, AST_DECIMAL_SCALE);
	lw_patch_all(L, &undef);
	return amt;
}

static bool staff_rule(const chk_rule *ru)
{
	return ru->staff;
}

static void rule_eval(lw *L, const chk_rule *ru, const ast_node *actions, const ast_node *clauses, rule_ev *e,
		      lw_patch *skip, const chk_wallet *best_wallet)
{
	rt_program *p = L->p;
	const chk_result *r = L->r;
	/* caps: registered once (the real pass) */
	for (const ast_node *c = clauses; c; c = c->next) {
		L->sp = c->sp;
		if (c->kind == AST_LIMIT) {
			const chk_wallet *w = wallet_of(L, c->u.limit.wallet);
			int32_t cap = L->dry ? 0 : rt_layout_cap(p, (int32_t)ru->index, staff_rule(ru), c->u.limit.per,
							     whole(r, c->u.limit.amount), w ? (int32_t)w->index : -1);
			if (w) {
				if (e->nwallet < 8)
					e->wallet_caps[e->nwallet++] = cap;
			} else {
				if (e->ncount < 8)
					e->count_caps[e->ncount++] = cap;
				int32_t t = lw_reg(L);
				lw_op(L, IR_CAPLEFT, t, 0, 0, cap);
				lw_jump_to(L, skip, lw_op(L, IR_JZ, 0, t, 0, 0));
			}
		} else if (c->kind == AST_BUDGET && e->nbudgets < 4) {
			int32_t b = (int32_t)p->nbudgets;
			if (!L->dry) {
				p->budgets[p->nbudgets] = whole(r, c->u.budget.amount);
				p->budget_rules[p->nbudgets++] = ru->name;
			}
			e->budgets[e->nbudgets++] = b;
		}
	}
	/* amounts */
	uint32_t k = 0;
	bool only_awards = true, any_award = false;
	int32_t total = lw_const(L, 0);
	e->best = lw_const(L, 0);
	for (const ast_node *a = actions; a && k < MAX_ACTIONS; a = a->next, k++) {
		e->amt[k] = -1;
		if (a->kind == AST_AWARD) {
			const chk_wallet *w = wallet_of(L, a->u.award.wallet);
			int32_t amt = award_amount(L, a);
			for (uint32_t i = 0; i < e->nwallet; i++) {
				if (L->dry || p->caps[e->wallet_caps[i]].wallet != (int32_t)(w ? w->index : UINT32_MAX))
					continue;
				int32_t t = lw_reg(L);
				lw_op(L, IR_CAPLEFT, t, 0, 0, e->wallet_caps[i]);
				lw_op(L, IR_MIN, amt, amt, t, 0);
			}
			for (uint32_t i = 0; i < e->nbudgets; i++) {
				int32_t t = lw_reg(L);
				lw_op(L, IR_BUDLEFT, t, 0, 0, e->budgets[i]);
				lw_op(L, IR_MIN, amt, amt, t, 0);
			}
			e->amt[k] = amt;
			lw_op(L, IR_ADD, total, total, amt, 0);
			if (best_wallet && w == best_wallet)
				lw_op(L, IR_ADD, e->best, e->best, amt, 0);
			any_award = true;
		} else if (a->kind == AST_DEBIT) {
			const chk_wallet *w = wallet_of(L, a->u.award.wallet);
			lw_patch undef = {.n = 0};
			L->sp = a->sp;
			int32_t amt = lw_const(L, 0);
			int32_t v = lw_value(L, a->u.award.amount, &undef);
			lw_op(L, IR_FLOORD, amt, v, 0, lw_scale(lw_type(L, a->u.award.amount)));
			lw_patch_all(L, &undef);
			int32_t t = lw_reg(L);
			lw_op(L, IR_HASBAL, t, amt, 0, w ? w->index : 0);
			lw_jump_to(L, skip, lw_op(L, IR_JNT, 0, t, 0, 0));
			e->amt[k] = amt;
			only_awards = false;
		} else {
			only_awards = false;
		}
	}
	if (any_award && only_awards) {
		int32_t t = lw_reg(L);
		lw_op(L, IR_GT, t, total, lw_const(L, 0), 0);
		lw_jump_to(L, skip, lw_op(L, IR_JNT, 0, t, 0, 0));
	}
	lw_op(L, IR_CONST, e->ok, 0, 0, 1);
}

static uint32_t template_index(lw *L, const char *name)
{
	rt_program *p = L->p;
	for (uint32_t i = 0; i < p->ntemplates; i++)
		if (strcmp(p->templates[i], name) == 0)
			return i;
	p->templates = arena_grow(L->a, p->templates, p->ntemplates, &p->captemplates, 8, sizeof *p->templates);
	p->templates[p->ntemplates] = name;
	return p->ntemplates++;
}

static uint32_t narg_index(lw *L, rt_lay_narg a)
{
	rt_program *p = L->p;
	p->nargs = arena_grow(L->a, p->nargs, p->nnargs, &p->capnargs, 8, sizeof *p->nargs);
	p->nargs[p->nnargs] = a;
	return p->nnargs++;
}

static void notify(lw *L, const ast_node *n, int32_t rule)
{
	uint32_t slot = 0;
	for (const ast_node *a = n->u.notify.args; a; a = a->next) {
		if (a->kind != AST_ARG || !a->u.arg.value)
			continue;
		const ast_node *v = a->u.arg.value;
		const ty *t = lw_type(L, v);
		L->sp = a->sp;
		rt_lay_narg d = {.key = a->u.arg.key, .en = -1, .ladder = -1, .slot = slot++};
		lw_patch undef = {.n = 0};
		if (t && t->kind == TY_STRING) {
			const chk_ref *ref = &L->r->refs[v->id];
			const chk_value *cv = &L->r->values[v->id];
			if (v->kind == AST_NAME && ref->kind == CHK_REF_EVENT_FIELD && L->ev && ref->u.rec == L->ev) {
				d.kind = RT_STRING;
				if (ref->u.rec->fields[ref->index].optional)
					lw_jump_to(L, &undef, lw_op(L, IR_JABSF, 0, (int32_t)ref->index, 0, 0));
				lw_op(L, IR_NARGS, 0, (int32_t)ref->index, 0, narg_index(L, d));
			} else if (cv->kind == CHK_VAL_STRING) {
				d.kind = RT_STRING;
				d.key = arena_printf(L->a, "%s", a->u.arg.key);
				/* a constant string: kept in the descriptor (en = string index) */
				d.en = (int32_t)lw_str(L, cv->s);
				int32_t z = lw_const(L, -1);
				lw_op(L, IR_NARG, 0, z, 0, narg_index(L, d));
			}
			lw_patch_all(L, &undef);
			continue;
		}
		int32_t r = lw_value(L, v, &undef);
		switch (t ? t->kind : TY_ERROR) {
		case TY_COUNT: d.kind = RT_COUNT; break;
		case TY_NUMBER: d.kind = RT_NUMBER; break;
		case TY_MONEY: d.kind = RT_MONEY; break;
		case TY_POINTS: {
			int32_t w = lw_reg(L);
			lw_op(L, IR_FLOORD, w, r, 0, AST_DECIMAL_SCALE);
			r = w;
			d.kind = RT_COUNT;
			break;
		}
		case TY_DURATION: d.kind = RT_DURATION; break;
		case TY_DATE: d.kind = RT_DATE; break;
		case TY_TIMESTAMP: d.kind = RT_TIMESTAMP; break;
		case TY_BOOL: d.kind = RT_BOOL; break;
		case TY_ENUM: d.kind = RT_ENUM; d.en = (int32_t)((const chk_enum *)t->decl)->index; break;
		case TY_LADDER: d.kind = RT_ENUM; d.ladder = (int32_t)((const chk_ladder *)t->decl)->index; break;
		default: d.kind = RT_COUNT; break;
		}
		lw_op(L, IR_NARG, 0, r, 0, narg_index(L, d));
		lw_patch_all(L, &undef);
	}
	L->sp = n->sp;
	lw_op(L, IR_NOTIFY, 0, 0, rule, template_index(L, n->u.notify.tmpl->u.str.s));
}

/* The actions of a rule (amounts from `e` when evaluated), or of a mission
 * step or reward (e NULL: amounts computed here, no caps). */
static void act(lw *L, const chk_rule *ru, const ast_node *actions, rule_ev *e)
{
	rt_program *p = L->p;
	int32_t rule = (int32_t)ru->index;
	if (e) {
		int32_t one = lw_const(L, 1);
		for (uint32_t i = 0; i < e->ncount; i++)
			lw_op(L, IR_CAPUSE, 0, one, 0, e->count_caps[i]);
	}
	uint32_t k = 0;
	for (const ast_node *a = actions; a && k < MAX_ACTIONS; a = a->next, k++) {
		L->sp = a->sp;
		switch (a->kind) {
		case AST_AWARD: {
			const chk_wallet *w = wallet_of(L, a->u.award.wallet);
			if (!w)
				break;
			int32_t amt = e ? e->amt[k] : award_amount(L, a);
			if (e) {
				for (uint32_t i = 0; i < e->nwallet; i++)
					if (!L->dry && p->caps[e->wallet_caps[i]].wallet == (int32_t)w->index)
						lw_op(L, IR_CAPUSE, 0, amt, 0, e->wallet_caps[i]);
				for (uint32_t i = 0; i < e->nbudgets; i++)
					lw_op(L, IR_BUDUSE, 0, amt, 0, e->budgets[i]);
			}
			L->sp = a->sp;
			lw_op(L, IR_AWARD, 0, amt, rule, w->index);
			break;
		}
		case AST_DEBIT: {
			const chk_wallet *w = wallet_of(L, a->u.award.wallet);
			if (!w)
				break;
			int32_t amt;
			if (e)
				amt = e->amt[k];
			else {
				lw_patch undef = {.n = 0};
				amt = lw_const(L, 0);
				int32_t v = lw_value(L, a->u.award.amount, &undef);
				lw_op(L, IR_FLOORD, amt, v, 0, lw_scale(lw_type(L, a->u.award.amount)));
				lw_patch_all(L, &undef);
			}
			lw_op(L, IR_DEBIT, 0, amt, rule, w->index);
			break;
		}
		case AST_GIVE_BADGE:
			for (uint32_t b = 0; b < L->r->nbadges; b++)
				if (strcmp(L->r->badges[b]->name, a->u.str.s) == 0)
					lw_op(L, IR_BADGE, 0, 0, rule, b);
			break;
		case AST_NOTIFY:
			notify(L, a, rule);
			break;
		default:
			break;
		}
	}
}

static const ast_node *rule_actions(const chk_rule *ru)
{
	return ru->kind == CHK_MECH_STREAK ? ru->decl->u.streak.actions : ru->decl->u.rule.actions;
}

static const ast_node *rule_clauses(const chk_rule *ru)
{
	return ru->kind == CHK_MECH_STREAK ? ru->decl->u.streak.clauses : ru->decl->u.rule.clauses;
}

static const ast_node *rule_where(const chk_rule *ru)
{
	const ast_node *t = ru->decl->u.rule.trigger;
	return t ? t->u.trig.where : NULL;
}

static void finish_rule(lw *L, const chk_rule *ru)
{
	if (L->exps && ru->index < L->r->nrules)
		L->p->rule_experiments[ru->index] |= L->exps;
}

/* One rule on the routine's event, alone. */
static void lone_rule(lw *L, const chk_rule *ru)
{
	lw_patch skip = {.n = 0};
	L->abort = &skip;
	L->exps = 0;
	L->rule = (int32_t)ru->index;
	rule_ev e = {.ok = lw_reg(L)};
	guards(L, ru, &skip);
	L->sp = ru->decl->sp;
	int32_t c = lw_cond(L, rule_where(ru));
	lw_jump_to(L, &skip, lw_op(L, IR_JNT, 0, c, 0, 0));
	rule_eval(L, ru, rule_actions(ru), rule_clauses(ru), &e, &skip, NULL);
	act(L, ru, rule_actions(ru), &e);
	lw_patch_all(L, &skip);
	finish_rule(L, ru);
}

static void group(lw *L, const chk_group *g)
{
	const chk_result *r = L->r;
	rule_ev ev[64];
	const chk_rule *members[64];
	uint32_t n = 0;
	for (uint32_t i = g->first; i < g->first + g->count && n < 64; i++)
		if (lw_reacts(L, r->rules[i]))
			members[n++] = r->rules[i];
	for (uint32_t k = 0; k < n; k++) {
		const chk_rule *ru = members[k];
		lw_patch skip = {.n = 0};
		L->abort = &skip;
		L->exps = 0;
		L->rule = (int32_t)ru->index;
		memset(&ev[k], 0, sizeof ev[k]);
		ev[k].ok = lw_const(L, 0);
		guards(L, ru, &skip);
		L->sp = ru->decl->sp;
		int32_t c = lw_cond(L, rule_where(ru));
		lw_jump_to(L, &skip, lw_op(L, IR_JNT, 0, c, 0, 0));
		rule_eval(L, ru, rule_actions(ru), rule_clauses(ru), &ev[k], &skip,
			  g->mode == GROUP_BEST ? g->wallet : NULL);
		lw_patch_all(L, &skip);
		finish_rule(L, ru);
	}
	/* choose */
	L->sp = g->decl->sp;
	L->rule = -1;
	int32_t chosen = lw_const(L, -1), best = lw_const(L, -1), t = lw_reg(L);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t j = lw_op(L, IR_JNT, 0, ev[k].ok, 0, 0);
		if (g->mode == GROUP_FIRST) {
			uint32_t j2 = lw_op(L, IR_JNEI, 0, chosen, -1, 0);
			lw_op(L, IR_CONST, chosen, 0, 0, k);
			ir_patch_here(L->rt, j2);
		} else {
			lw_op(L, IR_GT, t, ev[k].best, best, 0);
			uint32_t j2 = lw_op(L, IR_JNT, 0, t, 0, 0);
			lw_op(L, IR_CONST, chosen, 0, 0, k);
			lw_op(L, IR_MOV, best, ev[k].best, 0, 0);
			ir_patch_here(L->rt, j2);
		}
		ir_patch_here(L->rt, j);
	}
	for (uint32_t k = 0; k < n; k++) {
		L->rule = (int32_t)members[k]->index;
		L->sp = members[k]->decl->sp;
		uint32_t j = lw_op(L, IR_JNEI, 0, chosen, (int32_t)k, 0);
		act(L, members[k], rule_actions(members[k]), &ev[k]);
		ir_patch_here(L->rt, j);
	}
}

static void mission(lw *L, const chk_rule *ru)
{
	rt_program *p = L->p;
	int32_t m = p->mission_of_rule[ru->index];
	const ast_node *d = ru->decl;
	lw_patch skip = {.n = 0};
	L->abort = &skip;
	L->exps = 0;
	L->rule = (int32_t)ru->index;
	guards(L, ru, &skip);
	/* the anchor event starts it (audience checked then) */
	if (d->u.mission.anchor && event_of(L, d->u.mission.anchor) == L->ev) {
		L->sp = d->u.mission.anchor->sp;
		int32_t t = lw_reg(L);
		lw_op(L, IR_MAT, t, 0, -1, m);
		uint32_t j = lw_op(L, IR_JNT, 0, t, 0, 0);
		int32_t aud = lw_cond(L, d->u.mission.audience);
		lw_op(L, IR_MSTART, 0, aud, 0, m);
		ir_patch_here(L->rt, j);
	}
	lw_patch done = {.n = 0};
	int32_t k = 0;
	for (const ast_node *s = d->u.mission.steps; s; s = s->next, k++) {
		if (event_of(L, s->u.step.event) != L->ev)
			continue;
		L->sp = s->sp;
		lw_patch next = {.n = 0};
		int32_t t = lw_reg(L);
		lw_op(L, IR_MAT, t, 0, k, m);
		if (k == 0 && !d->u.mission.anchor) {
			uint32_t jopen = lw_op(L, IR_JEQI, 0, t, 1, 0);
			lw_jump_to(L, &next, lw_op(L, IR_JNEI, 0, t, 2, 0));
			/* the first step may start the mission: audience first, then the step */
			int32_t c = lw_cond(L, s->u.step.where);
			lw_jump_to(L, &next, lw_op(L, IR_JNT, 0, c, 0, 0));
			int32_t aud = lw_cond(L, d->u.mission.audience);
			lw_op(L, IR_MSTART, 0, aud, 0, m);
			lw_jump_to(L, &next, lw_op(L, IR_JNT, 0, aud, 0, 0));
			uint32_t jadv = lw_op(L, IR_JMP, 0, 0, 0, 0);
			ir_patch_here(L->rt, jopen);
			c = lw_cond(L, s->u.step.where);
			lw_jump_to(L, &next, lw_op(L, IR_JNT, 0, c, 0, 0));
			ir_patch_here(L->rt, jadv);
		} else {
			lw_jump_to(L, &next, lw_op(L, IR_JNEI, 0, t, 1, 0));
			int32_t c = lw_cond(L, s->u.step.where);
			lw_jump_to(L, &next, lw_op(L, IR_JNT, 0, c, 0, 0));
		}
		int32_t a = lw_reg(L);
		lw_op(L, IR_MADV, a, 0, k, m);
		lw_jump_to(L, &done, lw_op(L, IR_JZ, 0, a, 0, 0));
		act(L, ru, s->u.step.reward, NULL);
		lw_jump_to(L, &done, lw_op(L, IR_JNEI, 0, a, 2, 0));
		L->sp = d->sp;
		lw_op(L, IR_MDONE, 0, 0, 0, m);
		act(L, ru, d->u.mission.reward, NULL);
		lw_jump_to(L, &done, lw_op(L, IR_JMP, 0, 0, 0, 0));
		lw_patch_all(L, &next);
	}
	lw_patch_all(L, &done);
	lw_patch_all(L, &skip);
	finish_rule(L, ru);
}

static void streak(lw *L, const chk_rule *ru)
{
	rt_program *p = L->p;
	int32_t s = -1;
	for (uint32_t i = 0; i < p->nstreaks; i++)
		if (p->streaks[i].rule == (int32_t)ru->index)
			s = (int32_t)i;
	lw_patch skip = {.n = 0};
	L->abort = &skip;
	L->exps = 0;
	L->rule = (int32_t)ru->index;
	rule_ev e = {.ok = lw_reg(L)};
	guards(L, ru, &skip);
	L->sp = ru->decl->sp;
	int32_t c = lw_cond(L, ru->decl->u.streak.where);
	lw_jump_to(L, &skip, lw_op(L, IR_JNT, 0, c, 0, 0));
	int32_t a = lw_reg(L);
	lw_op(L, IR_SADV, a, 0, 0, s);
	lw_jump_to(L, &skip, lw_op(L, IR_JNT, 0, a, 0, 0));
	/* a streak its caps stop completes without an effect */
	rule_eval(L, ru, rule_actions(ru), rule_clauses(ru), &e, &skip, NULL);
	L->sp = ru->decl->sp;
	lw_op(L, IR_SDONE, 0, 0, 0, s);
	act(L, ru, rule_actions(ru), &e);
	lw_patch_all(L, &skip);
	finish_rule(L, ru);
}

void lw_mechanic(lw *L, const chk_rule *ru)
{
	switch (ru->kind) {
	case CHK_MECH_MISSION: mission(L, ru); return;
	case CHK_MECH_STREAK: streak(L, ru); return;
	case CHK_MECH_RULE:
		if (ru->group >= 0) {
			const chk_group *g = L->r->groups[ru->group];
			/* the group is lowered at its first member reacting to this event */
			for (uint32_t i = g->first; i < ru->index; i++)
				if (lw_reacts(L, L->r->rules[i]))
					return;
			group(L, g);
			return;
		}
		lone_rule(L, ru);
		return;
	}
}

void lw_time_rule(lw *L, const chk_rule *ru, int32_t timer)
{
	lw_patch skip = {.n = 0}, again = {.n = 0};
	bool after = ru->trigger == CHK_TRIG_AFTER;
	L->exps = 0;
	L->rule = (int32_t)ru->index;
	rule_ev e = {.ok = lw_reg(L)};
	guards(L, ru, &skip);
	L->sp = ru->decl->sp;
	/* `D after EVENT`: once per event falling due today, its fields from the stash */
	L->abort = after ? &again : &skip;
	L->timer = after ? timer : -1;
	L->tev = after ? ru->event : NULL;
	uint32_t top = L->rt->nops;
	int32_t a = lw_reg(L);
	lw_op(L, IR_TDUE, a, 0, 0, timer);
	lw_jump_to(L, &skip, lw_op(L, IR_JNT, 0, a, 0, 0));
	rule_eval(L, ru, rule_actions(ru), rule_clauses(ru), &e, L->abort, NULL);
	act(L, ru, rule_actions(ru), &e);
	if (after) {
		lw_patch_all(L, &again);
		lw_op(L, IR_JMP, 0, 0, 0, top);
	}
	lw_patch_all(L, &skip);
	L->timer = -1;
	L->tev = NULL;
	finish_rule(L, ru);
}

void lw_event_timers(lw *L)
{
	rt_program *p = L->p;
	for (uint32_t t = 0; t < p->ntimers; t++) {
		const chk_rule *ru = L->r->rules[p->timers[t].rule];
		if ((ru->trigger != CHK_TRIG_INACTIVE && ru->trigger != CHK_TRIG_AFTER) || ru->event != L->ev)
			continue;
		L->sp = ru->decl->u.rule.trigger->sp;
		L->rule = (int32_t)ru->index;
		lw_patch skip = {.n = 0};
		L->abort = &skip;
		int32_t c = lw_cond(L, rule_where(ru));
		lw_jump_to(L, &skip, lw_op(L, IR_JNT, 0, c, 0, 0));
		lw_op(L, ru->trigger == CHK_TRIG_INACTIVE ? IR_TSEEN : IR_TAFTER, 0, 0, 0, t);
		/* the fields the rule reads when it falls due */
		for (uint32_t k = 0; k < p->timers[t].nstash; k++) {
			int32_t f = p->timers[t].stash[k];
			lw_patch absent = {.n = 0};
			if (L->ev->fields[f].optional)
				lw_jump_to(L, &absent, lw_op(L, IR_JABSF, 0, f, 0, 0));
			int32_t v = lw_reg(L);
			lw_op(L, IR_LDF, v, f, 0, 0);
			lw_op(L, IR_TSTASH, 0, v, (int32_t)k, t);
			lw_patch_all(L, &absent);
		}
		lw_patch_all(L, &skip);
	}
	L->rule = -1;
}

void lw_redemption(lw *L)
{
	rt_program *p = L->p;
	const chk_result *r = L->r;
	int32_t f = field_named(L->ev, "item");
	if (f < 0 || !r->nitems)
		return;
	int32_t it = lw_reg(L), t = lw_reg(L);
	lw_op(L, IR_FINDITEM, it, f, 0, 0);
	lw_op(L, IR_LT, t, it, lw_const(L, 0), 0);
	uint32_t j = lw_op(L, IR_JNT, 0, t, 0, 0);
	lw_op(L, IR_REFUSE, 0, it, 0, RT_REFUSE_UNKNOWN_ITEM);
	ir_patch_here(L->rt, j);
	for (uint32_t k = 0; k < r->nitems; k++) {
		const chk_item *item = r->items[k];
		if (!item->cond)
			continue;
		L->sp = item->decl->sp;
		uint32_t jn = lw_op(L, IR_JNEI, 0, it, (int32_t)k, 0);
		int32_t c = lw_cond(L, item->cond);
		uint32_t jok = lw_op(L, IR_JT, 0, c, 0, 0);
		lw_op(L, IR_REFUSE, 0, it, 0, RT_REFUSE_NOT_ELIGIBLE);
		ir_patch_here(L->rt, jok);
		ir_patch_here(L->rt, jn);
	}
	lw_op(L, IR_REDEEM, 0, it, 0, 0);
	(void)p;
}
