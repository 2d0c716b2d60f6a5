/* api_engine.c — the public API of programs (include/ludic.h, "Programs").
 *
 * A ludic_program is a checked compilation lowered once (rt_program_build)
 * plus the names effects need (rt_names). The lowered program lives in the
 * compilation's arena, so the program holds a reference to the compilation
 * (compile.h, cmp_retain): the compiler may be freed first, and the arena
 * goes with the last of them. A program is immutable once made, so engines
 * in any number of threads may share it. The engine's own public functions
 * are in engine.c, next to what they wrap; typed events in event_build.c.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile.h"

ludic_status ludic_program_new(ludic_compiler *c, ludic_program **out)
{
	if (out)
		*out = NULL;
	if (!c || !out)
		return LUDIC_ERR_USAGE;
	compilation *comp = cmp_of_compiler(c);
	cmp_check(comp);
	if (comp->io_error)
		return LUDIC_ERR_IO;
	if (cmp_has_errors(comp) || !comp->result || !comp->result->ok)
		return LUDIC_ERR_PROGRAM;
	ludic_program *p = calloc(1, sizeof *p);
	if (!p)
		return LUDIC_ERR_MEMORY;
	/* the program checked clean (its time zone loaded): lowering it fails
	 * only when memory runs out */
	p->rp = rt_program_build(&comp->a, comp->result);
	if (!p->rp) {
		free(p);
		return LUDIC_ERR_MEMORY;
	}
	p->comp = cmp_retain(comp);
	p->r = comp->result;
	p->schema = rt_program_schema(p->rp);
	const chk_result *r = p->r;
	p->name = "";
	p->version = "";
	if (r->program >= 0 && (uint32_t)r->program < r->nunits) {
		const chk_unit *u = &r->units[r->program];
		p->name = u->name ? u->name : "";
		p->version = u->version ? u->version : "";
	}
	uint64_t *exps = calloc(r->nrules ? r->nrules : 1, sizeof *exps);
	bool named = exps != NULL;
	for (uint32_t i = 0; named && i < r->nrules; i++)
		exps[i] = rt_program_rule_experiments(p->rp, (int32_t)i);
	named = named && rt_names_init(&p->names, r, p->schema, rt_program_zone(p->rp), exps);
	free(exps);
	if (!named) {
		ludic_program_free(p);
		return LUDIC_ERR_MEMORY;
	}
	*out = p;
	return LUDIC_OK;
}

void ludic_program_free(ludic_program *p)
{
	if (!p)
		return;
	rt_names_free(&p->names);
	rt_program_free(p->rp);
	cmp_drop(p->comp);
	free(p);
}

const char *ludic_program_name(const ludic_program *p)
{
	return p ? p->name : "";
}

const char *ludic_program_version(const ludic_program *p)
{
	return p ? p->version : "";
}

size_t ludic_program_state_size(const ludic_program *p)
{
	return p ? rt_program_state_size(p->rp) : 0;
}

size_t ludic_program_staff_state_size(const ludic_program *p)
{
	return p ? rt_program_staff_size(p->rp) : 0;
}

ludic_status ludic_program_dump_ir(const ludic_program *p, FILE *out)
{
	if (!p || !out)
		return LUDIC_ERR_USAGE;
	rt_program_dump_ir(p->rp, out);
	return LUDIC_OK;
}

ludic_status ludic_program_dump_layout(const ludic_program *p, FILE *out)
{
	if (!p || !out)
		return LUDIC_ERR_USAGE;
	rt_program_dump_layout(p->rp, out);
	return LUDIC_OK;
}
