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

/* ---- every program the checker accepts builds ---- */

static const char *srcdir(void)
{
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	if (dir)
		return dir;
	FILE *probe = fopen("examples/retailer/base.ludic", "r");
	if (probe) {
		fclose(probe);
		return ".";
	}
	return "..";
}

/* Compiles the files (NULL-terminated) as one program; asserts it checks and builds. */
static void builds(const char *const *paths, const char *what)
{
	compilation c;
	cmp_init(&c);
	for (const char *const *f = paths; *f; f++)
		cr_assert(cmp_add_file(&c, *f, true), "%s: cannot read %s", what, *f);
	cmp_check(&c);
	cr_assert(c.result->ok, "%s does not check", what);
	rt_program *p = rt_program_build(&c.a, c.result);
	cr_assert(p, "%s checks but does not build", what);
	rt_program_free(p);
	cmp_release(&c);
}

Test(lower, every_example_builds)
{
	static const char *const one[] = {
		"badges", "basket-challenges", "caps-and-budgets", "catalogue", "custom-events", "eco-credits",
		"exclusive-groups", "experiments", "levels", "missions", "notifications", "one-off-rewards",
		"points-on-spend", "staff-quests", "streaks", "tiers", "time-driven", "zero-wait"};
	char path[3][1024];
	for (size_t i = 0; i < sizeof one / sizeof *one; i++) {
		snprintf(path[0], sizeof path[0], "%s/examples/%s.ludic", srcdir(), one[i]);
		const char *files[] = {path[0], NULL};
		builds(files, one[i]);
	}
	snprintf(path[0], sizeof path[0], "%s/examples/overlays/base.ludic", srcdir());
	snprintf(path[1], sizeof path[1], "%s/examples/overlays/north.ludic", srcdir());
	snprintf(path[2], sizeof path[2], "%s/examples/overlays/city-stores.ludic", srcdir());
	const char *ovl[] = {path[0], path[1], path[2], NULL};
	builds(ovl, "examples/overlays");
	snprintf(path[0], sizeof path[0], "%s/examples/retailer/base.ludic", srcdir());
	snprintf(path[1], sizeof path[1], "%s/examples/retailer/north.ludic", srcdir());
	const char *ret[] = {path[0], path[1], NULL};
	builds(ret, "examples/retailer");
}

/* Every `%%OK` case of tests/lang that is a whole program (one file, with a
 * `program` header) builds. */
Test(lower, every_ok_language_case_builds)
{
	static const char *const files[] = {"check-ok", "check-names", "check-overlay", "check-warn", "syntax"};
	uint32_t built = 0;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/tests/lang/%s.test", srcdir(), files[i]);
		FILE *f = fopen(path, "r");
		cr_assert(f, "cannot read %s", path);
		char line[4096], src[65536], id[256] = "";
		size_t n = 0;
		bool in = false, multi = false;
		while (fgets(line, sizeof line, f)) {
			if (strncmp(line, "%%TEST ", 7) == 0) {
				in = true;
				multi = false;
				n = 0;
				snprintf(id, sizeof id, "%.200s", line + 7);
				continue;
			}
			if (!in)
				continue;
			if (strncmp(line, "%%FILE", 6) == 0)
				multi = true;
			if (strncmp(line, "%%", 2) == 0) {
				bool ok = strncmp(line, "%%OK", 4) == 0;
				in = false;
				src[n] = 0;
				if (!ok || multi || strncmp(src, "program", 7) != 0)
					continue;
				compilation c;
				cmp_init(&c);
				cmp_add_text(&c, "test.ludic", src, n, true);
				cmp_check(&c);
				if (c.result->ok) {
					rt_program *p = rt_program_build(&c.a, c.result);
					cr_expect(p, "%s: checks but does not build", id);
					rt_program_free(p);
					built++;
				}
				cmp_release(&c);
				continue;
			}
			size_t l = strlen(line);
			if (n + l < sizeof src) {
				memcpy(src + n, line, l);
				n += l;
			}
		}
		fclose(f);
	}
	cr_assert_gt(built, 5);
}
