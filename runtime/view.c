/* view.c — one customer's record, for display (ludic_customer_view).
 *
 * Reads the record through the layout; arrays come from the caller's
 * buffer, so nothing is allocated. Returns the bytes the arrays need, so a
 * caller with too small a buffer can call again.
 */
#include "mech.h"

#include "ludic.h"

typedef struct bump {
	uint8_t *buf;
	size_t cap, used;
} bump;

static void *take(bump *b, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	size_t at = b->used;
	b->used += n;
	return b->used <= b->cap ? b->buf + at : NULL;
}

size_t rt_state_view(const rt_program *p, const uint8_t *st, int64_t now, const uint16_t *variants,
		     struct ludic_customer_view *out, void *buf, size_t cap)
{
	const chk_result *r = p->r;
	bump b = {buf, cap, 0};
	memset(out, 0, sizeof *out);
	out->last_event_at = rt_state_last_at(p, st);
	out->known = out->last_event_at != 0;

	uint32_t nw = 0;
	for (uint32_t w = 0; w < r->nwallets; w++)
		nw += !r->wallets[w]->staff;
	ludic_balance_view *bv = take(&b, nw * sizeof *bv);
	uint32_t k = 0;
	for (uint32_t w = 0; w < r->nwallets && bv; w++) {
		const rt_lay_wallet *lw = &p->wallets[w];
		if (lw->staff)
			continue;
		ludic_balance_view *v = &bv[k++];
		memset(v, 0, sizeof *v);
		v->wallet = r->wallets[w]->name;
		v->label = r->wallets[w]->label;
		v->balance = rt_ld64(st, lw->off);
		v->earned = rt_ld64(st, lw->off + 8);
		v->pending = rt_ld64(st, lw->off + 16);
		if (lw->lots_off && rt_ld32(st, lw->off + 24) > 0) {
			v->next_expiry_amount = rt_ld64(st, lw->lots_off);
			v->next_expiry_at = clk_period_start(p->zone, CLK_DAY, rt_ld32(st, lw->lots_off + 8));
		}
	}
	out->balances = bv;
	out->nbalances = bv ? nw : 0;

	ludic_ladder_view *lv = take(&b, r->nladders * sizeof *lv);
	for (uint32_t l = 0; l < r->nladders && lv; l++) {
		const chk_ladder *ld = r->ladders[l];
		const rt_lay_ladder *ll = &p->ladders[l];
		ludic_ladder_view *v = &lv[l];
		memset(v, 0, sizeof *v);
		v->ladder = ld->name;
		v->level = ld->level;
		int32_t rung = rt_ld32(st, ll->off), since = rt_ld32(st, ll->off + 4);
		v->rung = rung >= 0 ? ld->rungs[rung].name : NULL;
		v->since = since == RT_NO_DAY ? 0 : clk_period_start(p->zone, CLK_DAY, since);
		/* the metric now: its routine, on a copy-free read-only run */
		rt_exec x = {.prog = p, .state = (uint8_t *)st, .customer = {"", 0}, .variants = variants};
		rt_vm vm;
		memset(&vm, 0, offsetof(rt_vm, args));
		vm.x = &x;
		vm.p = p;
		vm.st = (uint8_t *)st;
		vm.at = now;
		vm.day = rt_program_day(p, now);
		vm.recent = -1;
		int64_t regs[IR_MAX_REGS];
		rt_vm_run(&vm, &p->metrics[l], regs);
		int64_t scale = ld->metric_type && ld->metric_type->kind == TY_POINTS ? AST_DECIMAL_SCALE : 1;
		v->metric = regs[0] / scale;
		v->rung_at = rung >= 0 ? ll->thresholds[rung] / scale : 0;
		if (rung + 1 < (int32_t)ld->nrungs) {
			v->next = ld->rungs[rung + 1].name;
			v->next_at = ll->thresholds[rung + 1] / scale;
		}
	}
	out->ladders = lv;
	out->nladders = lv ? r->nladders : 0;

	ludic_mission_view *mv = take(&b, p->nmissions * sizeof *mv);
	for (uint32_t m = 0; m < p->nmissions && mv; m++) {
		const rt_lay_mission *lm = &p->missions[m];
		ludic_mission_view *v = &mv[m];
		memset(v, 0, sizeof *v);
		uint8_t step = st[lm->off], state = st[lm->off + 1];
		uint16_t count;
		memcpy(&count, st + lm->off + 2, 2);
		v->mission = r->rules[lm->rule]->name;
		v->steps = lm->nsteps;
		v->done = state == RT_MIS_DONE ? lm->nsteps : step;
		v->started = state != RT_MIS_NEW && state != RT_MIS_OUT;
		v->complete = state == RT_MIS_DONE;
		v->expired = state == RT_MIS_EXPIRED;
		if (state == RT_MIS_RUNNING && step < lm->nsteps) {
			v->next_step = lm->step_names[step];
			v->count = count;
			v->times = (unsigned)lm->times[step];
		}
		if (v->started && lm->within_days)
			v->deadline = clk_period_start(p->zone, CLK_DAY, rt_ld32(st, lm->off + 4) + lm->within_days + 1);
	}
	out->missions = mv;
	out->nmissions = mv ? p->nmissions : 0;

	ludic_streak_view *sv = take(&b, p->nstreaks * sizeof *sv);
	for (uint32_t s = 0; s < p->nstreaks && sv; s++) {
		const rt_lay_streak *ls = &p->streaks[s];
		uint16_t len, missed;
		memcpy(&len, st + ls->off + 4, 2);
		memcpy(&missed, st + ls->off + 6, 2);
		/* a streak whose last period is too far behind is broken */
		int32_t last = rt_ld32(st, ls->off);
		int64_t per = clk_period_index(p->zone, now, ls->unit);
		if (last == RT_NO_DAY || per - last - 1 > (int64_t)ls->grace - missed)
			len = 0, missed = 0;
		sv[s] = (ludic_streak_view){r->rules[ls->rule]->name, len, ls->goal, missed};
	}
	out->streaks = sv;
	out->nstreaks = sv ? p->nstreaks : 0;

	const char **bd = take(&b, r->nbadges * sizeof *bd);
	size_t nb = 0;
	for (uint32_t i = 0; i < r->nbadges && bd; i++)
		if (st[p->off_badges + i / 8] & (1u << (i % 8)))
			bd[nb++] = r->badges[i]->name;
	out->badges = bd;
	out->nbadges = nb;

	ludic_cap_view *cv = take(&b, p->ncaps * sizeof *cv);
	size_t nc = 0;
	for (uint32_t c = 0; c < p->ncaps && cv; c++) {
		const rt_lay_cap *lc = &p->caps[c];
		if (lc->staff)
			continue;
		int64_t per = lc->ever ? 0 : clk_period_index(p->zone, now, lc->unit);
		if (rt_ld32(st, lc->off) != (int32_t)per || rt_ld32(st, lc->off + 4) == 0)
			continue;
		static const char *const names[] = {"day", "week", "month", "year"};
		cv[nc++] = (ludic_cap_view){r->rules[lc->rule]->name, lc->ever ? "customer" : names[lc->unit],
					    lc->wallet >= 0 ? r->wallets[lc->wallet]->name : NULL,
					    rt_ld32(st, lc->off + 4), lc->limit};
	}
	out->caps = cv;
	out->ncaps = nc;

	ludic_variant_view *vv = take(&b, p->nexperiments * sizeof *vv);
	for (uint32_t e = 0; e < p->nexperiments && vv; e++) {
		const chk_experiment *x = r->experiments[e];
		uint16_t v = variants ? variants[e] : 0;
		vv[e] = (ludic_variant_view){x->name, v < x->nvariants ? x->variants[v].name : ""};
	}
	out->variants = vv;
	out->nvariants = vv ? p->nexperiments : 0;
	return b.used;
}
