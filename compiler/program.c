/* program.c — rt_program: made once from a checked program, then read only.
 *
 * rt_program_build copies the schema, loads the time zone, lays out the
 * records (layout.c) and lowers the rules (lower*.c). Everything but the
 * schema and the zone lives in the compilation's arena.
 */
#include "ir.h"
#include "siphash.h"

#include <stdlib.h>
#include <string.h>

static int32_t event_named(const chk_result *r, const char *name)
{
	for (uint32_t i = 0; i < r->nrecords; i++)
		if (r->records[i]->is_event && strcmp(r->records[i]->name, name) == 0)
			return (int32_t)i;
	return -1;
}

rt_program *rt_program_build(struct arena *a, const struct chk_result *r)
{
	if (!r || !r->ok || r->program < 0)
		return NULL;
	rt_program *p = arena_alloc(a, sizeof *p);
	p->a = a;
	p->r = r;
	p->schema = rt_schema_build(r);
	if (!p->schema)
		return NULL;
	const chk_unit *prog = &r->units[r->program];
	if (prog->timezone && strcmp(prog->timezone, "UTC") != 0) {
		clk_error err;
		p->zone = clk_zone_load(prog->timezone, &err);
		if (!p->zone) {
			rt_schema_free(p->schema);
			return NULL;
		}
	}
	p->lateness = prog->lateness;
	p->purchase_ev = event_named(r, "purchase");
	p->return_ev = event_named(r, "return");
	p->redemption_ev = event_named(r, "redemption");

	p->rule_experiments = arena_alloc(a, (r->nrules + 1) * sizeof *p->rule_experiments);
	p->budgets = arena_alloc(a, (4 * r->nrules + 1) * sizeof *p->budgets);
	p->budget_rules = arena_alloc(a, (4 * r->nrules + 1) * sizeof *p->budget_rules);
	p->nexperiments = r->nexperiments;
	p->variant_cum = arena_alloc(a, (r->nexperiments + 1) * sizeof *p->variant_cum);
	for (uint32_t e = 0; e < r->nexperiments; e++) {
		const chk_experiment *x = r->experiments[e];
		p->variant_cum[e] = arena_alloc(a, (x->nvariants + 1) * sizeof(uint16_t));
		int64_t cum = 0;
		for (uint32_t v = 0; v < x->nvariants; v++) {
			cum += x->variants[v].share;
			p->variant_cum[e][v] = (uint16_t)(cum > 10000 ? 10000 : cum);
		}
	}
	p->nitems = r->nitems;
	p->items = arena_alloc(a, (r->nitems + 1) * sizeof *p->items);
	for (uint32_t i = 0; i < r->nitems; i++) {
		const chk_item *it = r->items[i];
		p->items[i] = (rt_lay_item){it->name, (uint32_t)strlen(it->name), it->wallet ? (int32_t)it->wallet->index : 0,
					    it->cost.kind == CHK_VAL_NUMBER ? it->cost.i / AST_DECIMAL_SCALE : 0};
	}

	rt_layout_begin(p);
	/* time rules: one timer each */
	for (uint32_t i = 0; i < r->nrules; i++) {
		const chk_rule *ru = r->rules[i];
		if (ru->kind != CHK_MECH_RULE)
			continue;
		const ast_node *t = ru->decl->u.rule.trigger;
		switch (ru->trigger) {
		case CHK_TRIG_INACTIVE: case CHK_TRIG_AFTER: case CHK_TRIG_EXPIRING:
			rt_layout_timer(p, (int32_t)i, ru->trigger, rt_duration_days(t->u.trig.dur),
					ru->wallet ? (int32_t)ru->wallet->index : -1, false);
			break;
		case CHK_TRIG_BIRTHDAY:
			rt_layout_timer(p, (int32_t)i, ru->trigger, 0, -1, t->u.trig.month);
			break;
		default:
			break;
		}
	}
	if (!rt_lower(p)) {
		rt_program_free(p);
		return NULL;
	}
	rt_layout_finish(p);
	return p;
}

void rt_program_free(rt_program *p)
{
	if (!p)
		return;
	rt_schema_free(p->schema);
	clk_zone_free(p->zone);
	p->schema = NULL;
	p->zone = NULL;
}

const rt_schema *rt_program_schema(const rt_program *p) { return p->schema; }
const clk_zone *rt_program_zone(const rt_program *p) { return p->zone; }
int64_t rt_program_lateness(const rt_program *p) { return p->lateness; }
const struct chk_result *rt_program_checked(const rt_program *p) { return p->r; }
size_t rt_program_state_size(const rt_program *p) { return p->state_size; }
size_t rt_program_staff_size(const rt_program *p) { return p->staff_size; }
uint32_t rt_program_budget_count(const rt_program *p) { return p->nbudgets; }
int64_t rt_program_budget(const rt_program *p, uint32_t i) { return i < p->nbudgets ? p->budgets[i] : 0; }
uint32_t rt_program_experiment_count(const rt_program *p) { return p->nexperiments; }

uint64_t rt_program_rule_experiments(const rt_program *p, int32_t rule)
{
	return rule >= 0 && (uint32_t)rule < p->r->nrules ? p->rule_experiments[rule] : 0;
}

int64_t rt_program_day(const rt_program *p, int64_t t)
{
	return clk_period_index(p->zone, t, CLK_DAY);
}

uint16_t rt_program_variant(const rt_program *p, uint32_t e, rt_str customer)
{
	if (e >= p->nexperiments)
		return 0;
	const chk_experiment *x = p->r->experiments[e];
	uint64_t h = rt_hash2(x->name, strlen(x->name), customer.p, customer.len);
	uint16_t bucket = (uint16_t)(h % 10000);
	for (uint32_t v = 0; v < x->nvariants; v++)
		if (bucket < p->variant_cum[e][v])
			return (uint16_t)v;
	return (uint16_t)(x->nvariants ? x->nvariants - 1 : 0);
}
