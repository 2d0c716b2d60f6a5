/* ir_dump.c — `ludic dump --ir` and `ludic dump --layout`.
 *
 * Routines are printed op by op: index, name, operands (r for registers),
 * imm, and — each time the source line changes — the file:line and the text
 * of that line, so a reader follows each rule from its text to its ops.
 * Deterministic: the same program always dumps the same text.
 */
#include "ir.h"

#include <inttypes.h>
#include <string.h>

static void dump_routine(const rt_program *p, const ir_routine *r, FILE *out)
{
	fprintf(out, "routine %s (%u ops, %u registers)\n", r->name, r->nops, r->nregs);
	const source_set *srcs = p->r->srcs;
	uint32_t last_file = UINT32_MAX, last_line = 0;
	for (uint32_t i = 0; i < r->nops; i++) {
		const ir_op *o = &r->ops[i];
		const span *sp = &r->spans[i];
		const source *src = sp->end > 0 || sp->start > 0 ? source_get(srcs, sp->file) : NULL;
		if (src) {
			uint32_t line = source_line(src, sp->start);
			if (sp->file != last_file || line != last_line) {
				uint32_t len = 0;
				const char *text = source_line_text(src, line, &len);
				while (len && (*text == ' ' || *text == '\t'))
					text++, len--;
				fprintf(out, "    ; %s:%u: %.*s\n", src->name, line, (int)len, text);
				last_file = sp->file;
				last_line = line;
			}
		}
		const char *ops = ir_op_operands[o->op];
		fprintf(out, "  %4u  %-8s", i, ir_op_names[o->op]);
		if (strstr(ops, "a"))
			fprintf(out, " r%d", o->a);
		if (strstr(ops, "b"))
			fprintf(out, " %s%d", o->op == IR_LDF || o->op == IR_JABSF || o->op == IR_LDE || o->op == IR_JABSE ||
						 o->op == IR_SEQF || o->op == IR_SEQE || o->op == IR_SINF ||
						 o->op == IR_SINE || o->op == IR_SSETF || o->op == IR_SSETE ||
						 o->op == IR_LISTN || o->op == IR_ELEM || o->op == IR_STAFF || o->op == IR_LSCAN ||
						 o->op == IR_JSEQE || o->op == IR_JSNEE || o->op == IR_JSINE || o->op == IR_JSNINE ||
						 o->op == IR_FINDITEM || o->op == IR_RETURN
					     ? "f" : "r", o->b);
		if (strstr(ops, "c"))
			fprintf(out, " %s%d", o->op == IR_JNEI || o->op == IR_JEQI || o->op == IR_MULSI || o->op == IR_DIVSI ||
					    o->op == IR_JLTC || o->op == IR_JLEC || o->op == IR_JGTC || o->op == IR_JGEC ||
					    o->op == IR_JSEQE || o->op == IR_JSNEE || o->op == IR_JSINE || o->op == IR_JSNINE ||
					    o->op == IR_JNREV ? "#" : (o->op == IR_AWARD || o->op == IR_DEBIT || o->op == IR_BADGE ||
								      o->op == IR_NOTIFY)
							? "rule" : (o->op == IR_MAT || o->op == IR_MADV) ? "step" : o->op == IR_LSCAN ? "f" : "r", o->c);
		if (strstr(ops, "imm")) {
			fprintf(out, " %" PRId64, o->imm);
			if ((o->op == IR_SEQF || o->op == IR_SEQE || o->op == IR_SINF || o->op == IR_SINE) &&
			    o->imm >= 0 && (uint64_t)o->imm < p->nstrs)
				fprintf(out, " \"%s\"", p->strs[o->imm]);
			else if ((o->op == IR_JSEQE || o->op == IR_JSNEE || o->op == IR_JSINE || o->op == IR_JSNINE) &&
				 o->c >= 0 && (uint64_t)o->c < p->nstrs)
				fprintf(out, " \"%s\"", p->strs[o->c]);
			else if (o->op == IR_LSCAN && (uint64_t)(uint32_t)o->imm < p->nstrs) {
				static const char *const how[] = {"any", "count", "sum", "?"};
				unsigned mode = (unsigned)(o->imm >> 48) & 3;
				fprintf(out, " (%s", how[mode]);
				if (mode == 2)
					fprintf(out, " f%u", (unsigned)(o->imm >> 32) & 0xffff);
				fprintf(out, " where%s f%d %s \"%s\")", o->imm >> 51 & 1 ? " not" : "", o->c,
					o->imm >> 50 & 1 ? "has" : "=", p->strs[(uint32_t)o->imm]);
			}
			else if (o->op == IR_NOTIFY && o->imm >= 0 && (uint64_t)o->imm < p->ntemplates)
				fprintf(out, " \"%s\"", p->templates[o->imm]);
			else if ((o->op == IR_AWARD || o->op == IR_DEBIT || o->op == IR_BALANCE || o->op == IR_HASBAL ||
				  o->op == IR_EARNED || o->op == IR_EXPIRE || o->op == IR_RELEASE) &&
				 o->imm >= 0 && (uint64_t)o->imm < p->r->nwallets)
				fprintf(out, " (%s)", p->r->wallets[o->imm]->name);
			else if (o->op == IR_BADGE && o->imm >= 0 && (uint64_t)o->imm < p->r->nbadges)
				fprintf(out, " (%s)", p->r->badges[o->imm]->name);
			else if (o->op == IR_WINSUM || o->op == IR_WINADD)
				fprintf(out, " (%s)", p->windows[o->imm].text);
		}
		if (o->op == IR_AWARD || o->op == IR_DEBIT || o->op == IR_BADGE || o->op == IR_NOTIFY) {
			if (o->c >= 0 && (uint32_t)o->c < p->r->nrules)
				fprintf(out, " \"%s\"", p->r->rules[o->c]->name);
		}
		fputc('\n', out);
	}
	fputc('\n', out);
}

void rt_program_dump_ir(const rt_program *p, FILE *out)
{
	for (uint32_t i = 0; i < p->r->nrecords; i++)
		if (p->events[i].nops)
			dump_routine(p, &p->events[i], out);
	dump_routine(p, &p->day, out);
	for (uint32_t i = 0; i < p->r->nladders; i++)
		dump_routine(p, &p->metrics[i], out);
}

void rt_program_dump_layout(const rt_program *p, FILE *out)
{
	for (int staff = 0; staff < 2; staff++) {
		uint32_t total = staff ? p->staff_size : p->state_size;
		if (staff && !total)
			break;
		fprintf(out, "%s record: %u bytes per %s\n", staff ? "staff" : "customer", total,
			staff ? "staff member" : "customer");
		fprintf(out, "  %6s %6s  %-16s %s\n", "offset", "bytes", "field", "serves");
		for (uint32_t i = 0; i < p->nfields; i++) {
			const rt_lay_field *f = &p->fields[i];
			if (f->staff != (bool)staff)
				continue;
			fprintf(out, "  %6u %6u  %-16s %s\n", f->off, f->size, f->name, f->serves);
		}
		fputc('\n', out);
	}
	fprintf(out, "total: %u bytes per customer", p->state_size);
	if (p->staff_size)
		fprintf(out, ", %u bytes per staff member", p->staff_size);
	fputc('\n', out);
}
