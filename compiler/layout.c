/* layout.c — the fixed-size customer and staff records, computed from the rules.
 *
 * A record is a flat byte array without pointers: the engine can copy,
 * hash, store or map it as is. Every field is 8-byte aligned and a multiple
 * of 8 bytes, so with an 8-aligned record (malloc gives one) every access is
 * aligned; runtime/mech.c still reads and writes through memcpy.
 *
 * Customer record, in order:
 *   header      i32 last day seen, i32 first day, i64 last event time,
 *               i32 birthday (day number, RT_NO_DAY), i32 recent-purchase head
 *   badges      one bit per badge
 *   overlay     i32 the overlay of the latest event carrying region or
 *               store (-1: the base), when the program has scoped overlays
 *   wallets     per customer wallet: balance, earned (lifetime, pending
 *               included), pending total (i64 each), lot count, pending
 *               count (u32), then RT_LOTS lots {i64 amount, i32 expiry day,
 *               i32 reminded} if it expires, RT_PENDING pending lots
 *               {i64 amount, i32 release day, i32 expiry day} if pending
 *   ladders     i32 rung, i32 day reached, i32 last review period, i32 pad
 *   missions    u8 step, u8 state, u16 count, i32 start day
 *   streaks     i32 last period, u16 length, u16 missed periods
 *   recent      RT_RECENT purchases {u64 id hash, i32 day, i32 pad,
 *               i64 total, i64 value returned so far,
 *               per wallet: i64 earned, i64 settled by returns}
 *   then, as the lowering meets them: history windows (i32 last bucket
 *   index, i32 pad, i64 running total, buckets: i32 for counts, i64 for sums and earned
 *   points), caps (i32 period index, i32 used), time rules (i32 day,
 *   i32 flag; `D after`: RT_AFTER_SLOTS due days), their stashed fields.
 * Staff record: a header (i32 last day seen, i32 pad) when a staff wallet
 * expires or has a pending period (days pass for staff members as for
 * customers: rt_exec_staff_days releases and expires their lots), then
 * staff wallets (balance, earned, pending, counts, lots as above) and the
 * caps of quests.
 *
 * Lot merging (decided): lots are merged per expiry day, so an active
 * customer who earns every day of a 12-month expiry would need 366 lots; we
 * keep RT_LOTS (24). When they are all used, the newest lot absorbs the new
 * points and takes their (later) expiry day: some points live longer than
 * their nominal expiry, none ever expire early, none are lost. Pending lots
 * merge per release day the same way (RT_PENDING = 16 for a 14-day pending
 * period: one per day plus slack).
 */
#include "ir.h"

#include <string.h>

static void add_field(rt_program *p, bool staff, const char *name, const char *serves, uint32_t off, uint32_t size)
{
	p->fields = arena_grow(p->a, p->fields, p->nfields, &p->capfields, 32, sizeof *p->fields);
	p->fields[p->nfields++] = (rt_lay_field){name, serves, off, size, staff};
}

/* Reserves `size` bytes (rounded up to 8) in the customer or staff record. */
static uint32_t reserve(rt_program *p, bool staff, uint32_t size, const char *name, const char *serves)
{
	size = (size + 7) & ~7u;
	uint32_t *total = staff ? &p->staff_size : &p->state_size;
	uint32_t off = *total;
	*total += size;
	add_field(p, staff, name, serves, off, size);
	return off;
}

int32_t rt_duration_days(const ast_node *dur)
{
	if (!dur || dur->kind != AST_DURATION)
		return 0;
	int64_t n = dur->u.dur.count;
	switch (dur->u.dur.unit) {
	case UNIT_MINUTE: return (int32_t)((n + 1439) / 1440);
	case UNIT_HOUR: return (int32_t)((n + 23) / 24);
	case UNIT_DAY: return (int32_t)n;
	case UNIT_WEEK: return (int32_t)(n * 7);
	case UNIT_MONTH: return (int32_t)(n * 31);
	case UNIT_YEAR: return (int32_t)(n * 366);
	default: return 0;
	}
}

const char *rt_span_text(const rt_program *p, span sp)
{
	const source *src = source_get(p->r->srcs, sp.file);
	if (!src || sp.end > src->len || sp.end < sp.start)
		return "";
	char *s = arena_strndup(p->a, src->text + sp.start, sp.end - sp.start);
	/* one line: blanks collapsed */
	char *w = s;
	bool blank = false;
	for (char *c = s; *c; c++) {
		if (*c == ' ' || *c == '\n' || *c == '\t' || *c == '\r') {
			blank = true;
			continue;
		}
		if (blank && w != s)
			*w++ = ' ';
		blank = false;
		*w++ = *c;
	}
	*w = 0;
	return s;
}

static int32_t metric_init_rung(const chk_ladder *l, const int64_t *th)
{
	int32_t rung = -1;
	for (uint32_t k = 0; k < l->nrungs; k++)
		if (th[k] <= 0)
			rung = (int32_t)k;
	return rung;
}

bool rt_layout_begin(rt_program *p)
{
	const chk_result *r = p->r;
	arena *a = p->a;
	p->state_size = 0;
	p->staff_size = 0;
	p->off_hdr = reserve(p, false, 24, "header", "last day seen, first day, last event time, birthday");
	if (r->nbadges)
		p->off_badges = reserve(p, false, (r->nbadges + 7) / 8, "badges", "one bit per badge");

	for (uint32_t u = 0; u < r->nunits; u++)
		if (r->units[u].kind == CHK_UNIT_OVERLAY && r->units[u].scope && !p->off_overlay)
			p->off_overlay = reserve(p, false, 8, "overlay", "the overlay that applies to time passing");

	p->staff_days = false;
	for (uint32_t i = 0; i < r->nwallets; i++) {
		const chk_wallet *w = r->wallets[i];
		if (w->staff && ((w->expires && w->expires->kind == AST_DURATION) ||
				 (w->pending && w->pending->kind == AST_DURATION)))
			p->staff_days = true;
	}
	if (p->staff_days)
		p->off_staff_hdr = reserve(p, true, 8, "header", "last day seen");

	p->wallets = arena_alloc(a, (r->nwallets + 1) * sizeof *p->wallets);
	int32_t nrecent = 0;
	for (uint32_t i = 0; i < r->nwallets; i++) {
		const chk_wallet *w = r->wallets[i];
		rt_lay_wallet *lw = &p->wallets[i];
		const char *serves = arena_printf(a, "wallet %s", w->name);
		lw->staff = w->staff;
		lw->earned_win = -1;
		lw->recent_slot = w->staff ? -1 : nrecent++;
		lw->off = reserve(p, w->staff, 32, "balance", serves);
		if (w->expires && w->expires->kind == AST_DURATION) {
			lw->expires_n = (int)w->expires->u.dur.count;
			lw->expires_u = w->expires->u.dur.unit;
			lw->lots_off = reserve(p, w->staff, RT_LOTS * 16, "lots", serves);
		}
		if (w->pending && w->pending->kind == AST_DURATION) {
			lw->pending_days = rt_duration_days(w->pending);
			lw->pend_off = reserve(p, w->staff, RT_PENDING * 16, "pending lots", serves);
		}
	}
	p->recent_nw = (uint32_t)nrecent;

	p->ladders = arena_alloc(a, (r->nladders + 1) * sizeof *p->ladders);
	for (uint32_t i = 0; i < r->nladders; i++) {
		const chk_ladder *l = r->ladders[i];
		rt_lay_ladder *ll = &p->ladders[i];
		ll->off = reserve(p, false, 16, "ladder", arena_printf(a, "%s %s", l->level ? "levels" : "tiers", l->name));
		ll->thresholds = arena_alloc(a, (l->nrungs + 1) * sizeof *ll->thresholds);
		const ty *mt = l->metric_type;
		for (uint32_t k = 0; k < l->nrungs; k++) {
			int64_t v = l->rungs[k].threshold.i;
			/* thresholds are folded as NUMBER (x10000) or MONEY (minor units):
			 * bring them to the metric's scale (count: whole) */
			if (l->rungs[k].threshold.kind == CHK_VAL_NUMBER && mt && mt->kind == TY_COUNT)
				v /= AST_DECIMAL_SCALE;
			ll->thresholds[k] = v;
		}
		ll->hold_days = rt_duration_days(l->hold);
		/* tiers without `review` are reviewed every month (docs/language.md,
		 * "Tiers"); levels never go down */
		ll->review = !l->level;
		ast_unit ru = l->has_review ? l->review : UNIT_MONTH;
		ll->review_unit = ru == UNIT_DAY ? CLK_DAY : ru == UNIT_WEEK ? CLK_WEEK : ru == UNIT_YEAR ? CLK_YEAR : CLK_MONTH;
		ll->init_rung = metric_init_rung(l, ll->thresholds);
	}

	p->mission_of_rule = arena_alloc(a, (r->nrules + 1) * sizeof *p->mission_of_rule);
	uint32_t nm = 0, ns = 0;
	for (uint32_t i = 0; i < r->nrules; i++) {
		p->mission_of_rule[i] = -1;
		nm += r->rules[i]->kind == CHK_MECH_MISSION;
		ns += r->rules[i]->kind == CHK_MECH_STREAK;
	}
	p->missions = arena_alloc(a, (nm + 1) * sizeof *p->missions);
	p->streaks = arena_alloc(a, (ns + 1) * sizeof *p->streaks);
	for (uint32_t i = 0; i < r->nrules; i++) {
		const chk_rule *ru = r->rules[i];
		const char *serves = arena_printf(a, "%s \"%s\"", ru->kind == CHK_MECH_MISSION ? "mission" : "streak",
						  ru->name);
		if (ru->kind == CHK_MECH_MISSION) {
			rt_lay_mission *m = &p->missions[p->nmissions];
			p->mission_of_rule[i] = (int32_t)p->nmissions++;
			const ast_node *d = ru->decl;
			m->rule = (int32_t)i;
			m->off = reserve(p, false, 8, "mission", serves);
			m->nsteps = ast_list_len(d->u.mission.steps);
			m->times = arena_alloc(a, (m->nsteps + 1) * sizeof *m->times);
			m->step_names = arena_alloc(a, (m->nsteps + 1) * sizeof *m->step_names);
			uint32_t k = 0;
			for (const ast_node *s = d->u.mission.steps; s; s = s->next, k++) {
				m->step_names[k] = s->u.step.name && s->u.step.name->kind == AST_STRING
							   ? s->u.step.name->u.str.s : "";
				/* `, N times`: a whole number as written (the grammar takes
				 * only a literal; the checker refuses N <= 0, E0401) */
				const ast_node *tn = s->u.step.times;
				m->times[k] = tn && tn->kind == AST_INT ? tn->u.num.value : 1;
				if (m->times[k] < 1)
					m->times[k] = 1;
			}
			m->within_days = rt_duration_days(d->u.mission.within);
			m->anchored = d->u.mission.anchor != NULL;
			m->from_day = d->u.mission.from ? (int32_t)d->u.mission.from->u.num.value : RT_NO_DAY;
			m->until_day = d->u.mission.until ? (int32_t)d->u.mission.until->u.num.value : RT_NO_DAY;
		} else if (ru->kind == CHK_MECH_STREAK) {
			rt_lay_streak *s = &p->streaks[p->nstreaks++];
			const ast_node *d = ru->decl;
			s->rule = (int32_t)i;
			s->off = reserve(p, false, 8, "streak", serves);
			ast_unit e = d->u.streak.every;
			s->unit = e == UNIT_DAY ? CLK_DAY : e == UNIT_MONTH ? CLK_MONTH : e == UNIT_YEAR ? CLK_YEAR : CLK_WEEK;
			int32_t per = e == UNIT_DAY ? 1 : e == UNIT_WEEK ? 7 : e == UNIT_MONTH ? 31 : 366;
			const ast_node *len = d->u.streak.length, *gr = d->u.streak.grace;
			s->goal = len && len->u.dur.unit == e ? (uint32_t)len->u.dur.count
							     : (uint32_t)(rt_duration_days(len) / per);
			s->grace = !gr ? 0 : gr->u.dur.unit == e ? (uint32_t)gr->u.dur.count
							       : (uint32_t)(rt_duration_days(gr) / per);
			if (s->goal < 1)
				s->goal = 1;
		}
	}
	return true;
}

int32_t rt_layout_window(rt_program *p, const char *key, clk_unit unit, uint32_t nbuckets, bool wide,
			 int32_t wallet, const char *text)
{
	for (uint32_t i = 0; i < p->nwindows; i++)
		if (strcmp(p->windows[i].text, key) == 0)
			return (int32_t)i;
	if (p->nwindows == p->capwindows) {
		uint32_t cap = p->capwindows ? p->capwindows * 2 : 8;
		rt_lay_window *w = arena_alloc(p->a, cap * sizeof *w);
		if (p->nwindows)
			memcpy(w, p->windows, p->nwindows * sizeof *w);
		p->windows = w;
		p->capwindows = cap;
	}
	rt_lay_window *w = &p->windows[p->nwindows];
	*w = (rt_lay_window){.unit = unit, .nbuckets = nbuckets, .wide = wide, .wallet = wallet, .next_earned = -1,
			     .text = key};
	w->off = reserve(p, false, 16 + nbuckets * (wide ? 8 : 4), "window",
			 arena_printf(p->a, "%s (%u %s buckets)", text, nbuckets,
				      unit == CLK_DAY ? "day" : unit == CLK_WEEK ? "week" : unit == CLK_MONTH ? "month" : "year"));
	if (wallet >= 0) {
		w->next_earned = p->wallets[wallet].earned_win;
		p->wallets[wallet].earned_win = (int32_t)p->nwindows;
	}
	return (int32_t)p->nwindows++;
}

int32_t rt_layout_cap(rt_program *p, int32_t rule, bool staff, ast_unit per, int64_t limit, int32_t wallet)
{
	if (p->ncaps == p->capcaps) {
		uint32_t cap = p->capcaps ? p->capcaps * 2 : 16;
		rt_lay_cap *c = arena_alloc(p->a, cap * sizeof *c);
		if (p->ncaps)
			memcpy(c, p->caps, p->ncaps * sizeof *c);
		p->caps = c;
		p->capcaps = cap;
	}
	rt_lay_cap *c = &p->caps[p->ncaps];
	c->staff = staff;
	c->rule = rule;
	c->limit = limit;
	c->wallet = wallet;
	c->ever = per == UNIT_EVER || per == UNIT_CAMPAIGN;
	c->unit = per == UNIT_DAY ? CLK_DAY : per == UNIT_WEEK ? CLK_WEEK : per == UNIT_MONTH ? CLK_MONTH : CLK_YEAR;
	c->off = reserve(p, staff, 8, "cap", arena_printf(p->a, "rule \"%s\": limit %lld%s per %s",
							    p->r->rules[rule]->name, (long long)limit,
							    wallet >= 0 ? " points" : "",
							    per == UNIT_EVER ? "customer" : per == UNIT_CAMPAIGN ? "campaign"
							    : ast_unit_name(per, false)));
	return (int32_t)p->ncaps++;
}

int32_t rt_layout_timer(rt_program *p, int32_t rule, chk_trigger_kind kind, int32_t days, int32_t wallet, bool month)
{
	rt_lay_timer *t = arena_alloc(p->a, (p->ntimers + 1) * sizeof *t);
	if (p->ntimers)
		memcpy(t, p->timers, p->ntimers * sizeof *t);
	p->timers = t;
	rt_lay_timer *n = &t[p->ntimers];
	n->rule = rule;
	n->kind = kind;
	n->days = days;
	n->wallet = wallet;
	n->month = month;
	n->off = reserve(p, false, kind == CHK_TRIG_AFTER ? 8 * RT_AFTER_SLOTS : 8, "time rule",
			 arena_printf(p->a, "rule \"%s\"", p->r->rules[rule]->name));
	n->stash_off = 0;
	n->nstash = 0;
	return (int32_t)p->ntimers++;
}

void rt_layout_stash(rt_program *p, uint32_t t)
{
	rt_lay_timer *n = &p->timers[t];
	if (n->nstash)
		n->stash_off = reserve(p, false, 8 * RT_AFTER_SLOTS * n->nstash, "time rule stash",
				       arena_printf(p->a, "rule \"%s\": the fields of its events", p->r->rules[n->rule]->name));
}

void rt_layout_finish(rt_program *p)
{
	if (p->purchase_ev >= 0 && p->return_ev >= 0) {
		p->recent_size = 32 + 16 * p->recent_nw;
		p->off_recent = reserve(p, false, RT_RECENT * p->recent_size, "recent purchases",
					"returns: what each of the last purchases earned");
	}
	/* a record is never empty */
	if (p->state_size == 0)
		p->state_size = 8;
}
