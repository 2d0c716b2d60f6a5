/* test_lower.c — lowering the retailer program: routines, dumps, layout. */
#include "vm_harness.h"

#include <stdio.h>

static rt_program *retailer(compilation *c)
{
	cmp_init(c);
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	FILE *probe = fopen("examples/retailer/base.ludic", "r");
	if (!dir)
		dir = probe ? "." : ".."; /* meson runs tests in the build folder */
	if (probe)
		fclose(probe);
	char a[1024], b[1024];
	snprintf(a, sizeof a, "%s/examples/retailer/base.ludic", dir);
	snprintf(b, sizeof b, "%s/examples/retailer/north.ludic", dir);
	cr_assert(cmp_add_file(c, a, false));
	cr_assert(cmp_add_file(c, b, false));
	cmp_check(c);
	cr_assert(c->result->ok);
	rt_program *p = rt_program_build(&c->a, c->result);
	cr_assert(p);
	return p;
}

static char *dump(rt_program *p, bool ir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (ir)
		rt_program_dump_ir(p, f);
	else
		rt_program_dump_layout(p, f);
	fclose(f);
	return buf;
}

Test(lower, retailer_routines_layout_and_dump)
{
	compilation c;
	rt_program *p = retailer(&c);
	const chk_result *r = c.result;
	char *ir1 = dump(p, true), *ir2 = dump(p, true);
	cr_assert_str_eq(ir1, ir2, "the IR dump is deterministic");
	cr_assert(strstr(ir1, "routine purchase"));
	cr_assert(strstr(ir1, "routine return"));
	cr_assert(strstr(ir1, "routine day"));
	cr_assert(strstr(ir1, "routine metric status"));
	/* every retailer rule's first line appears as the source of some ops */
	for (uint32_t i = 0; i < r->nrules; i++) {
		char needle[256];
		snprintf(needle, sizeof needle, "\"%s\"", r->rules[i]->name);
		cr_assert(strstr(ir1, needle), "rule %s is not in the IR", r->rules[i]->name);
	}
	char *lay = dump(p, false);
	cr_assert(strstr(lay, "wallet points"));
	cr_assert(strstr(lay, "bytes per customer"));
	/* a few KB per customer; the staff record holds kudos and quest caps */
	cr_assert_leq(rt_program_state_size(p), 4096);
	cr_assert_gt(rt_program_state_size(p), 1024);
	cr_assert_eq(rt_program_staff_size(p), 56);
	cr_assert_eq(rt_program_budget_count(p), 2);
	cr_assert_eq(rt_program_budget(p, 0), 50000);
	free(ir1);
	free(ir2);
	free(lay);
	rt_program_free(p);
	cmp_release(&c);
}
