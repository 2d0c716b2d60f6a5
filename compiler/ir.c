/* ir.c — building IR routines, and the op names from ir_ops.def.
 *
 * Routines grow in the compilation's arena (doubling); nothing is freed
 * before the arena is.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

const char *const ir_op_names[IR_OP_COUNT] = {
#define IR_OP(name, operands, synopsis) #name,
#include "ir_ops.def"
#undef IR_OP
};

const char *const ir_op_operands[IR_OP_COUNT] = {
#define IR_OP(name, operands, synopsis) operands,
#include "ir_ops.def"
#undef IR_OP
};

uint32_t ir_emit(arena *a, ir_routine *r, ir_opcode op, int32_t ra, int32_t rb, int32_t rc, int64_t imm, span sp)
{
	uint32_t cap = r->cap; /* ops and spans grow together */
	r->spans = arena_grow(a, r->spans, r->nops, &cap, 64, sizeof *r->spans);
	r->ops = arena_grow(a, r->ops, r->nops, &r->cap, 64, sizeof *r->ops);
	r->ops[r->nops] = (ir_op){.op = (uint16_t)op, .a = ra, .b = rb, .c = rc, .imm = imm};
	r->spans[r->nops] = sp;
	return r->nops++;
}

void ir_patch_here(ir_routine *r, uint32_t at)
{
	r->ops[at].imm = r->nops;
}

/* ---- the peephole pass ----
 *
 * Lowering emits straightforward code: constants loaded right before they
 * are tested, conditions copied between registers, jumps to jumps, a loop
 * per aggregate. This pass, run once per finished routine, makes the same
 * routine with fewer ops, without changing what it does:
 *   - constants are followed over the whole routine (fold_constants); a
 *     conditional jump on a known value becomes a JMP or nothing, an op
 *     with a constant operand takes its immediate form (ADDI, GTI, DIVSI..);
 *   - an ANON whose answer is known on every path to it goes (fold_anon);
 *   - ops that cannot be reached are dropped;
 *   - ops without side effects whose result is never read are dropped
 *     (liveness over the whole routine; r0 is read at RET: a metric's
 *     result); `X rT ...; MOV rA rT` with rT read nowhere else becomes
 *     `X rA ...`; a comparison feeding only the next JT/JNT/JZ fuses with
 *     it (JLT, JGEC, JSNEE...);
 *   - jumps to jumps go straight to the end of the chain, and a jump to
 *     the next op is dropped;
 *   - a loop over basket lines by one string test becomes one LSCAN
 *     (fuse_scans), and an LSCAN found in several places runs once at the
 *     start (hoist_scans).
 * Every op kept keeps its span. */

static bool op_jumps(uint16_t op)
{
	switch (op) {
	case IR_JMP: case IR_JT: case IR_JNT: case IR_JZ: case IR_JNEI: case IR_JEQI: case IR_ANON:
	case IR_JABSF: case IR_JABSE: case IR_STAFF: case IR_JABST: case IR_JLT: case IR_JLE: case IR_JGT:
	case IR_JGE: case IR_JEQ: case IR_JNE: case IR_JLTC: case IR_JLEC: case IR_JGTC: case IR_JGEC:
	case IR_JSEQE: case IR_JSNEE: case IR_JSINE: case IR_JSNINE: case IR_JNREV:
		return true;
	default:
		return false;
	}
}

/* No fall-through to the next op. */
static bool op_ends(uint16_t op)
{
	return op == IR_JMP || op == IR_RET || op == IR_REFUSE || op == IR_OP_COUNT;
}

/* Which of b (bit 0) and c (bit 1) are registers the op reads. */
static unsigned op_reads(uint16_t op)
{
	switch (op) {
	case IR_MOV: case IR_JT: case IR_JNT: case IR_JZ: case IR_JNEI: case IR_JEQI: case IR_NEG: case IR_SCALE:
	case IR_FLOORD: case IR_CEILD: case IR_ROUNDD: case IR_ABS: case IR_NOT3: case IR_INMASK: case IR_WINADD:
	case IR_TSTASH: case IR_OVLSET: case IR_BDAY: case IR_PREC: case IR_CAPUSE: case IR_BUDUSE: case IR_AWARD:
	case IR_HASBAL: case IR_DEBIT: case IR_NARG: case IR_MSTART: case IR_LADUP: case IR_REVIEW: case IR_REFUSE:
	case IR_REDEEM: case IR_ADDI: case IR_MINI: case IR_MAXI: case IR_MULSI: case IR_DIVSI: case IR_EQI:
	case IR_NEI: case IR_LTI: case IR_LEI: case IR_GTI: case IR_GEI: case IR_JLTC: case IR_JLEC: case IR_JGTC:
	case IR_JGEC:
		return 1;
	case IR_ADD: case IR_SUB: case IR_MUL: case IR_MULS: case IR_DIVS: case IR_MIN: case IR_MAX: case IR_EQ:
	case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE: case IR_AND3: case IR_OR3: case IR_JLT:
	case IR_JLE: case IR_JGT: case IR_JGE: case IR_JEQ: case IR_JNE:
		return 3;
	case IR_ELEM: case IR_RETURN:
		return 2;
	default:
		return 0;
	}
}

/* The op writes register a. */
static bool op_writes(uint16_t op)
{
	switch (op) {
	case IR_CONST: case IR_MOV: case IR_LDF: case IR_LISTN: case IR_LDE: case IR_SEQF: case IR_SEQ2:
	case IR_LISTNE: case IR_SEQE: case IR_SINF: case IR_SINE: case IR_SSETF: case IR_SSETE: case IR_INMASK:
	case IR_ADD: case IR_SUB: case IR_MUL: case IR_NEG: case IR_SCALE: case IR_MULS: case IR_DIVS:
	case IR_FLOORD: case IR_CEILD: case IR_ROUNDD: case IR_MIN: case IR_MAX: case IR_ABS: case IR_EQ:
	case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE: case IR_NOT3: case IR_AND3: case IR_OR3:
	case IR_DAY: case IR_BALANCE: case IR_EARNED: case IR_WINSUM: case IR_LADDER: case IR_VARIANT:
	case IR_METRIC: case IR_TLOAD: case IR_OVLGET: case IR_CAPLEFT: case IR_BUDLEFT: case IR_HASBAL:
	case IR_FINDITEM: case IR_MAT: case IR_MADV: case IR_SADV: case IR_TDUE: case IR_ADDI: case IR_MINI:
	case IR_MAXI: case IR_MULSI: case IR_DIVSI: case IR_EQI: case IR_NEI: case IR_LTI: case IR_LEI: case IR_GTI:
	case IR_GEI: case IR_LSCAN:
		return true;
	default:
		return false;
	}
}

/* The op only computes register a: dropped when a is not read after.
 * Every op that writes a is, but those that also change the record or the
 * call's state: a metric run, a time rule's load, a redemption's lookup, a
 * mission or streak advancing, a due check, and a line scan (it leaves the
 * current line set, as the loop it replaced did). */
static bool op_pure(uint16_t op)
{
	switch (op) {
	case IR_METRIC: case IR_TLOAD: case IR_FINDITEM: case IR_MAT: case IR_MADV: case IR_SADV: case IR_TDUE:
	case IR_LSCAN:
		return false;
	default:
		return op_writes(op);
	}
}

#define LIVE_WORDS (IR_MAX_REGS / 64)

static bool reg_ok(int32_t r)
{
	return r >= 0 && r < IR_MAX_REGS;
}

/* Jump targets: bit per op. */
static void mark_targets(const ir_routine *r, uint8_t *target)
{
	memset(target, 0, r->nops + 1);
	for (uint32_t i = 0; i < r->nops; i++)
		if (op_jumps(r->ops[i].op) && r->ops[i].imm >= 0 && (uint64_t)r->ops[i].imm <= r->nops)
			target[r->ops[i].imm] = 1;
}

/* An op of two registers, one holding a known constant: its form with
 * the constant inside the op (the CONST then usually dies). */
static bool immediate(ir_op *o, const bool *known, const int64_t *val)
{
	bool kb = reg_ok(o->b) && known[o->b], kc = reg_ok(o->c) && known[o->c];
	int64_t vb = kb ? val[o->b] : 0, vc = kc ? val[o->c] : 0;
	uint16_t to = IR_NOP;
	int32_t from = o->b;
	int64_t k = 0;
	switch (o->op) {
	case IR_ADD: case IR_MIN: case IR_MAX: case IR_EQ: case IR_NE: case IR_MUL:
		/* either side */
		if (kc) {
			k = vc;
		} else if (kb) {
			k = vb;
			from = o->c;
		} else {
			return false;
		}
		to = o->op == IR_ADD ? IR_ADDI : o->op == IR_MIN ? IR_MINI : o->op == IR_MAX ? IR_MAXI :
		     o->op == IR_EQ ? IR_EQI : o->op == IR_NE ? IR_NEI : IR_SCALE;
		break;
	case IR_SUB:
		if (!kc || vc == INT64_MIN)
			return false;
		to = IR_ADDI;
		k = -vc;
		break;
	case IR_LT: case IR_LE: case IR_GT: case IR_GE:
		if (kc) {
			k = vc;
			to = o->op == IR_LT ? IR_LTI : o->op == IR_LE ? IR_LEI : o->op == IR_GT ? IR_GTI : IR_GEI;
		} else if (kb) {
			/* k < c is c > k */
			k = vb;
			from = o->c;
			to = o->op == IR_LT ? IR_GTI : o->op == IR_LE ? IR_GEI : o->op == IR_GT ? IR_LTI : IR_LEI;
		} else {
			return false;
		}
		break;
	case IR_MULS:
		if (!kc || vc < INT32_MIN || vc > INT32_MAX)
			return false;
		*o = (ir_op){.op = IR_MULSI, .a = o->a, .b = o->b, .c = (int32_t)vc, .imm = o->imm};
		return true;
	case IR_DIVS:
		if (!kc || vc == 0 || vc < INT32_MIN || vc > INT32_MAX)
			return false;
		*o = (ir_op){.op = IR_DIVSI, .a = o->a, .b = o->b, .c = (int32_t)vc, .imm = o->imm};
		return true;
	default:
		return false;
	}
	*o = (ir_op){.op = to, .a = o->a, .b = from, .imm = k};
	return true;
}

/* Constants over the whole routine (a forward analysis): at each op, each
 * register is not written yet (0), holds a known constant (1), or varies
 * (2). Lowering never reads a register it did not write first, so a
 * register whose every reaching definition is the same constant holds it. */
enum { CP_NONE, CP_CONST, CP_VARIES };

static bool cp_merge(uint8_t *k, int64_t *v, const uint8_t *k2, const int64_t *v2, uint32_t nr)
{
	bool changed = false;
	for (uint32_t x = 0; x < nr; x++) {
		uint8_t m = k[x];
		if (k2[x] == CP_NONE || m == CP_VARIES)
			continue;
		if (m == CP_NONE) {
			k[x] = k2[x];
			v[x] = v2[x];
			changed = true;
		} else if (k2[x] == CP_VARIES || v2[x] != v[x]) {
			k[x] = CP_VARIES;
			changed = true;
		}
	}
	return changed;
}

static bool fold_constants(ir_routine *r)
{
	uint32_t n = r->nops, nr = r->nregs && r->nregs <= IR_MAX_REGS ? r->nregs : IR_MAX_REGS;
	for (uint32_t i = 0; i < n; i++) {
		/* a register beyond nregs: be plain, do nothing */
		const ir_op *o = &r->ops[i];
		if ((op_writes(o->op) && o->a >= (int32_t)nr) || ((op_reads(o->op) & 1) && o->b >= (int32_t)nr) ||
		    ((op_reads(o->op) & 2) && o->c >= (int32_t)nr))
			return false;
	}
	uint8_t *kind = calloc((size_t)n * nr + nr, 1), *queued = calloc(n + 1, 1), *seen = calloc(n + 1, 1);
	int64_t *val = calloc((size_t)n * nr + nr, sizeof *val);
	uint32_t *work = malloc((n + 1) * sizeof *work), nw = 0;
	bool changed = false;
	if (!kind || !queued || !seen || !val || !work)
		goto out;
	uint8_t *tk = kind + (size_t)n * nr; /* one op's out state */
	int64_t *tv = val + (size_t)n * nr;
	seen[0] = queued[0] = 1;
	work[nw++] = 0;
	while (nw) {
		uint32_t i = work[--nw];
		queued[i] = 0;
		const ir_op *o = &r->ops[i];
		memcpy(tk, kind + (size_t)i * nr, nr);
		memcpy(tv, val + (size_t)i * nr, nr * sizeof *tv);
		if (op_writes(o->op) && reg_ok(o->a)) {
			uint32_t a = (uint32_t)o->a;
			if (o->op == IR_CONST) {
				tk[a] = CP_CONST;
				tv[a] = o->imm;
			} else if (o->op == IR_MOV && reg_ok(o->b)) {
				tk[a] = kind[(size_t)i * nr + (uint32_t)o->b];
				tv[a] = val[(size_t)i * nr + (uint32_t)o->b];
			} else {
				tk[a] = CP_VARIES;
			}
		}
		uint32_t next[2];
		int k = 0;
		if (!op_ends(o->op) && i + 1 < n)
			next[k++] = i + 1;
		if (op_jumps(o->op) && o->imm >= 0 && (uint64_t)o->imm < n)
			next[k++] = (uint32_t)o->imm;
		for (int j = 0; j < k; j++) {
			uint32_t t = next[j];
			bool grew = cp_merge(kind + (size_t)t * nr, val + (size_t)t * nr, tk, tv, nr);
			if ((grew || !seen[t]) && !queued[t]) {
				queued[t] = 1;
				work[nw++] = t;
			}
			seen[t] = 1;
		}
	}
	bool known[IR_MAX_REGS] = {0};
	int64_t kv[IR_MAX_REGS] = {0};
	for (uint32_t i = 0; i < n; i++) {
		if (!seen[i])
			continue;
		ir_op *o = &r->ops[i];
		for (uint32_t x = 0; x < nr; x++) {
			known[x] = kind[(size_t)i * nr + x] == CP_CONST;
			kv[x] = val[(size_t)i * nr + x];
		}
		bool kb = reg_ok(o->b) && known[o->b];
		int64_t vb = kb ? kv[o->b] : 0;
		int taken = -1; /* a conditional jump on a known value: 1 taken, 0 not */
		switch (o->op) {
		case IR_JT: if (kb) taken = vb == 1; break;
		case IR_JNT: if (kb) taken = vb != 1; break;
		case IR_JZ: if (kb) taken = vb == 0; break;
		case IR_JNEI: if (kb) taken = vb != o->c; break;
		case IR_JEQI: if (kb) taken = vb == o->c; break;
		case IR_MOV:
			if (kb) {
				*o = (ir_op){.op = IR_CONST, .a = o->a, .imm = vb};
				changed = true;
			}
			break;
		default: break;
		}
		if (taken < 0 && immediate(o, known, kv))
			changed = true;
		if (taken >= 0) {
			*o = (ir_op){.op = taken ? IR_JMP : IR_NOP, .imm = taken ? o->imm : 0};
			changed = true;
		}
	}
out:
	free(kind);
	free(val);
	free(queued);
	free(seen);
	free(work);
	return changed;
}

static bool drop_unreachable(ir_routine *r, uint8_t *seen)
{
	uint32_t n = r->nops, *stack = malloc((n + 1) * sizeof *stack), sp = 0;
	if (!stack)
		return false;
	memset(seen, 0, n + 1);
	if (n) {
		stack[sp++] = 0;
		seen[0] = 1;
	}
	while (sp) {
		uint32_t i = stack[--sp];
		const ir_op *o = &r->ops[i];
		uint32_t next[2];
		int k = 0;
		if (!op_ends(o->op) && i + 1 < n)
			next[k++] = i + 1;
		if (op_jumps(o->op) && o->imm >= 0 && (uint64_t)o->imm < n)
			next[k++] = (uint32_t)o->imm;
		for (int j = 0; j < k; j++)
			if (!seen[next[j]]) {
				seen[next[j]] = 1;
				stack[sp++] = next[j];
			}
	}
	free(stack);
	bool changed = false;
	for (uint32_t i = 0; i < n; i++)
		if (!seen[i] && r->ops[i].op != IR_NOP) {
			r->ops[i] = (ir_op){.op = IR_NOP};
			changed = true;
		}
	return changed;
}

/* live[i]: registers live on entry to op i. */
static bool liveness(const ir_routine *r, uint64_t *live)
{
	uint32_t n = r->nops;
	memset(live, 0, (size_t)(n + 1) * LIVE_WORDS * sizeof *live);
	bool again = true;
	while (again) {
		again = false;
		for (uint32_t i = n; i-- > 0;) {
			const ir_op *o = &r->ops[i];
			uint64_t out[LIVE_WORDS] = {0};
			if (!op_ends(o->op) && i + 1 < n)
				for (int w = 0; w < LIVE_WORDS; w++)
					out[w] |= live[(size_t)(i + 1) * LIVE_WORDS + w];
			if (op_jumps(o->op) && o->imm >= 0 && (uint64_t)o->imm < n)
				for (int w = 0; w < LIVE_WORDS; w++)
					out[w] |= live[(size_t)o->imm * LIVE_WORDS + w];
			if (o->op == IR_RET)
				out[0] |= 1; /* a metric's result */
			if (op_writes(o->op) && reg_ok(o->a))
				out[o->a / 64] &= ~((uint64_t)1 << (o->a % 64));
			unsigned rd = op_reads(o->op);
			if ((rd & 1) && reg_ok(o->b))
				out[o->b / 64] |= (uint64_t)1 << (o->b % 64);
			if ((rd & 2) && reg_ok(o->c))
				out[o->c / 64] |= (uint64_t)1 << (o->c % 64);
			uint64_t *in = &live[(size_t)i * LIVE_WORDS];
			for (int w = 0; w < LIVE_WORDS; w++)
				if (in[w] != out[w]) {
					in[w] = out[w];
					again = true;
				}
		}
	}
	return true;
}

static bool is_live(const uint64_t *live, uint32_t at, int32_t reg)
{
	return live[(size_t)at * LIVE_WORDS + (uint32_t)reg / 64] >> (reg % 64) & 1;
}

/* Registers live after op i (on entry to its successors). */
static bool live_after(const ir_routine *r, const uint64_t *live, uint32_t i, int32_t reg)
{
	const ir_op *o = &r->ops[i];
	if (o->op == IR_RET && reg == 0)
		return true;
	if (!op_ends(o->op) && i + 1 < r->nops && is_live(live, i + 1, reg))
		return true;
	return op_jumps(o->op) && o->imm >= 0 && (uint64_t)o->imm < r->nops && is_live(live, (uint32_t)o->imm, reg);
}

/* `cmp` (a comparison of result 1 or 0, into rT) then `jmp` (JT, JNT or
 * JZ on rT): the one op that jumps on the comparison itself, in *out. */
static bool fuse_jump(const ir_op *cmp, const ir_op *jmp, ir_op *out)
{
	if ((jmp->op != IR_JT && jmp->op != IR_JNT && jmp->op != IR_JZ) || jmp->b != cmp->a)
		return false;
	bool when = jmp->op == IR_JT; /* jumps when the comparison holds, else when it does not */
	uint16_t op;
	int32_t c = cmp->c;
	switch (cmp->op) {
	case IR_LT: op = when ? IR_JLT : IR_JGE; break;
	case IR_GE: op = when ? IR_JGE : IR_JLT; break;
	case IR_LE: op = when ? IR_JLE : IR_JGT; break;
	case IR_GT: op = when ? IR_JGT : IR_JLE; break;
	case IR_EQ: op = when ? IR_JEQ : IR_JNE; break;
	case IR_NE: op = when ? IR_JNE : IR_JEQ; break;
	case IR_LTI: case IR_GEI: case IR_LEI: case IR_GTI: case IR_EQI: case IR_NEI:
		if (cmp->imm < INT32_MIN || cmp->imm > INT32_MAX)
			return false;
		c = (int32_t)cmp->imm;
		switch (cmp->op) {
		case IR_LTI: op = when ? IR_JLTC : IR_JGEC; break;
		case IR_GEI: op = when ? IR_JGEC : IR_JLTC; break;
		case IR_LEI: op = when ? IR_JLEC : IR_JGTC; break;
		case IR_GTI: op = when ? IR_JGTC : IR_JLEC; break;
		case IR_EQI: op = when ? IR_JEQI : IR_JNEI; break;
		default: op = when ? IR_JNEI : IR_JEQI; break;
		}
		break;
	case IR_SEQE: case IR_SINE:
		if (cmp->imm < 0 || cmp->imm > INT32_MAX)
			return false;
		c = (int32_t)cmp->imm;
		op = cmp->op == IR_SEQE ? (when ? IR_JSEQE : IR_JSNEE) : (when ? IR_JSINE : IR_JSNINE);
		break;
	default:
		return false;
	}
	*out = (ir_op){.op = op, .b = cmp->b, .c = c, .imm = jmp->imm};
	return true;
}

static bool drop_dead(ir_routine *r, uint8_t *target)
{
	uint64_t *live = malloc((size_t)(r->nops + 1) * LIVE_WORDS * sizeof *live);
	if (!live)
		return false;
	liveness(r, live);
	mark_targets(r, target);
	bool changed = false;
	for (uint32_t i = 0; i < r->nops; i++) {
		ir_op *o = &r->ops[i];
		if (!op_pure(o->op) || !reg_ok(o->a))
			continue;
		if (!live_after(r, live, i, o->a)) {
			*o = (ir_op){.op = IR_NOP};
			changed = true;
			continue;
		}
		/* a comparison and the jump on its result, which nothing else reads */
		ir_op f;
		if (i + 1 < r->nops && !target[i + 1] && fuse_jump(o, &r->ops[i + 1], &f) &&
		    !live_after(r, live, i + 1, o->a)) {
			*o = f;
			r->ops[i + 1] = (ir_op){.op = IR_NOP};
			free(live);
			return true;
		}
		/* `X rT ...; MOV rA rT`, rT dead after the MOV: X writes rA */
		if (i + 1 < r->nops && !target[i + 1]) {
			ir_op *m = &r->ops[i + 1];
			if (m->op == IR_MOV && m->b == o->a && m->a != o->a && reg_ok(m->a) &&
			    !live_after(r, live, i + 1, o->a)) {
				o->a = m->a;
				*m = (ir_op){.op = IR_NOP};
				free(live);
				return true; /* liveness changed: start again */
			}
		}
	}
	free(live);
	return changed;
}

/* Whether the event has a customer is the same all through a run: once an
 * ANON was passed (or taken), every later ANON on every path from it
 * answers the same. A forward analysis over the routine: at each op, is
 * the customer known to be there (1), known absent (2), unknown (3), or is
 * the op not reached yet (0)? */
static bool fold_anon(ir_routine *r)
{
	uint32_t n = r->nops;
	uint8_t *st = calloc(n + 1, 1);
	uint32_t *work = malloc((2 * (size_t)n + 2) * sizeof *work), nw = 0;
	if (!st || !work) {
		free(st);
		free(work);
		return false;
	}
	st[0] = 3;
	work[nw++] = 0;
	while (nw) {
		uint32_t i = work[--nw];
		const ir_op *o = &r->ops[i];
		uint8_t in = st[i], fall = in, jump = in;
		if (o->op == IR_ANON) {
			fall = in == 2 ? 0 : 1;   /* falls through only with a customer */
			jump = in == 1 ? 0 : 2;   /* jumps only without */
		}
		uint32_t next[2];
		uint8_t what[2];
		int k = 0;
		if (!op_ends(o->op) && i + 1 < n && fall) {
			next[k] = i + 1;
			what[k++] = fall;
		}
		if (op_jumps(o->op) && o->imm >= 0 && (uint64_t)o->imm < n && jump) {
			next[k] = (uint32_t)o->imm;
			what[k++] = jump;
		}
		for (int j = 0; j < k; j++) {
			uint8_t m = st[next[j]] | what[j];
			if (m != st[next[j]]) {
				st[next[j]] = m;
				/* a state only grows, so an op is queued twice at most */
				work[nw++] = next[j];
			}
		}
	}
	bool changed = false;
	for (uint32_t i = 0; i < n; i++) {
		ir_op *o = &r->ops[i];
		if (o->op != IR_ANON || (st[i] != 1 && st[i] != 2))
			continue;
		*o = st[i] == 1 ? (ir_op){.op = IR_NOP} : (ir_op){.op = IR_JMP, .imm = o->imm};
		changed = true;
	}
	free(st);
	free(work);
	return changed;
}

/* The op a jump to `t` ends up at: past NOPs and through JMPs (and, for
 * the jump of an ANON, through the ANONs it meets: without a customer
 * they jump too). */
static uint32_t final_target(const ir_routine *r, uint32_t t, bool anon)
{
	for (uint32_t hops = 0; hops < r->nops && t < r->nops; hops++) {
		const ir_op *o = &r->ops[t];
		if (o->op == IR_NOP)
			t++;
		else if ((o->op == IR_JMP || (anon && o->op == IR_ANON)) && o->imm >= 0 && (uint64_t)o->imm <= r->nops)
			t = (uint32_t)o->imm;
		else
			break;
	}
	return t;
}

/* A loop over an event list that only counts, sums or looks for items by
 * one string test, as lowering writes it (after the passes above):
 *
 *   LISTN rN f; CONST ri 0; CONST racc 0
 *   top: JGE ri rN end; ELEM f ri; JSNEE|JSEQE|JSNINE|JSINE fs #s next
 *        CONST racc 1 | ADDI racc racc 1 | LDE rv fv; ADD racc racc rv
 *   next: ADDI ri ri 1; JMP top
 *   end:
 *
 * becomes one LSCAN (the same result, the same current element after it),
 * when nothing else jumps into it and ri, rN, rv are not read after it. */
static bool fuse_scans(ir_routine *r)
{
	uint32_t n = r->nops;
	uint64_t *live = NULL;
	bool changed = false;
	for (uint32_t i = 0; i + 8 < n; i++) {
		const ir_op *o = r->ops + i;
		if (o[0].op != IR_LISTN || o[1].op != IR_CONST || o[1].imm != 0 || o[2].op != IR_CONST || o[2].imm != 0 ||
		    o[3].op != IR_JGE || o[4].op != IR_ELEM)
			continue;
		int32_t rN = o[0].a, f = o[0].b, ri = o[1].a, racc = o[2].a;
		if (o[3].b != ri || o[3].c != rN || o[4].b != f || o[4].c != ri || ri == racc || rN == racc || ri == rN)
			continue;
		uint16_t t = o[5].op;
		if (t != IR_JSNEE && t != IR_JSEQE && t != IR_JSNINE && t != IR_JSINE)
			continue;
		unsigned mode;
		int32_t rv = -1, vf = 0;
		uint32_t body = i + 6, next;
		if (o[6].op == IR_CONST && o[6].a == racc && o[6].imm == 1) {
			mode = 0;
			next = body + 1;
		} else if (o[6].op == IR_ADDI && o[6].a == racc && o[6].b == racc && o[6].imm == 1) {
			mode = 1;
			next = body + 1;
		} else if (o[6].op == IR_LDE && o[7].op == IR_ADD && o[7].a == racc &&
			   ((o[7].b == racc && o[7].c == o[6].a) || (o[7].c == racc && o[7].b == o[6].a)) && o[6].a != racc &&
			   o[6].a != ri && o[6].a != rN && o[6].b >= 0 && o[6].b < 0xffff) {
			mode = 2;
			rv = o[6].a;
			vf = o[6].b;
			next = body + 2;
		} else {
			continue;
		}
		if (next + 1 >= n)
			continue;
		const ir_op *inc = &r->ops[next], *back = &r->ops[next + 1];
		uint32_t end = next + 2;
		if (inc->op != IR_ADDI || inc->a != ri || inc->b != ri || inc->imm != 1 || back->op != IR_JMP ||
		    back->imm != (int64_t)(i + 3) || o[3].imm < 0 || (uint64_t)o[3].imm > n ||
		    final_target(r, (uint32_t)o[3].imm, false) != final_target(r, end, false) || o[5].imm != (int64_t)next ||
		    o[5].c < 0)
			continue;
		/* nothing else jumps into the loop, or onto its set-up */
		bool inside = false;
		for (uint32_t k = 0; k < n && !inside; k++) {
			const ir_op *x = &r->ops[k];
			if (!op_jumps(x->op) || x->imm < 0 || (uint64_t)x->imm >= n)
				continue;
			uint32_t to = (uint32_t)x->imm;
			bool own = (k == i + 3 && to == end) || (k == i + 5 && to == next) || (k == next + 1 && to == i + 3);
			if (!own && to > i && to < end)
				inside = true;
		}
		if (inside)
			continue;
		if (!live) {
			live = malloc((size_t)(n + 1) * LIVE_WORDS * sizeof *live);
			if (!live)
				return changed;
			liveness(r, live);
		}
		if (end < n && (is_live(live, end, ri) || is_live(live, end, rN) || (rv >= 0 && is_live(live, end, rv))))
			continue;
		bool in = t == IR_JSNINE || t == IR_JSINE, neg = t == IR_JSEQE || t == IR_JSINE;
		int64_t imm = (int64_t)(uint32_t)o[5].c | (int64_t)vf << 32 | (int64_t)mode << 48 | (int64_t)in << 50 |
			      (int64_t)neg << 51;
		int32_t fs = o[5].b;
		r->ops[i] = (ir_op){.op = IR_LSCAN, .a = racc, .b = f, .c = fs, .imm = imm};
		for (uint32_t k = i + 1; k < end; k++)
			r->ops[k] = (ir_op){.op = IR_NOP};
		changed = true;
		free(live);
		live = NULL; /* the code changed: again if needed */
	}
	free(live);
	return changed;
}

static bool thread_jumps(ir_routine *r)
{
	bool changed = false;
	for (uint32_t i = 0; i < r->nops; i++) {
		ir_op *o = &r->ops[i];
		if (!op_jumps(o->op) || o->imm < 0 || (uint64_t)o->imm > r->nops)
			continue;
		uint32_t t = final_target(r, (uint32_t)o->imm, o->op == IR_ANON);
		if (t != (uint32_t)o->imm) {
			o->imm = t;
			changed = true;
		}
		/* a jump to where it would go anyway */
		uint32_t next = i + 1;
		while (next < r->nops && r->ops[next].op == IR_NOP)
			next++;
		if (o->op == IR_JMP && t == next) {
			*o = (ir_op){.op = IR_NOP};
			changed = true;
		}
	}
	return changed;
}

/* Removes the NOPs, moving jump targets to the op that followed. */
static void compact(ir_routine *r, uint32_t *map)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < r->nops; i++) {
		map[i] = k;
		if (r->ops[i].op != IR_NOP)
			k++;
	}
	map[r->nops] = k;
	for (uint32_t i = 0; i < r->nops; i++)
		if (op_jumps(r->ops[i].op) && r->ops[i].imm >= 0 && (uint64_t)r->ops[i].imm <= r->nops)
			r->ops[i].imm = map[r->ops[i].imm];
	k = 0;
	for (uint32_t i = 0; i < r->nops; i++)
		if (r->ops[i].op != IR_NOP) {
			r->spans[k] = r->spans[i];
			r->ops[k++] = r->ops[i];
		}
	r->nops = k;
}

/* The same LSCAN in several places (the garden lines summed by the garden
 * bonus, the spring challenge and a mission step): it depends on the event
 * only, so it is done once, at the start of the routine, into a register of
 * its own, and each place copies it. Only scans found twice or more are
 * moved; the current element it leaves is never read (a loop sets its
 * own). */
static void hoist_scans(arena *a, ir_routine *r)
{
	enum { MAXH = 32 };
	uint32_t first[MAXH], nh = 0;
	int32_t reg[MAXH];
	for (uint32_t i = 0; i < r->nops && nh < MAXH; i++) {
		const ir_op *o = &r->ops[i];
		if (o->op != IR_LSCAN)
			continue;
		bool known = false, twice = false;
		for (uint32_t h = 0; h < nh && !known; h++) {
			const ir_op *x = &r->ops[first[h]];
			known = x->b == o->b && x->c == o->c && x->imm == o->imm;
		}
		for (uint32_t j = i + 1; j < r->nops && !known && !twice; j++) {
			const ir_op *x = &r->ops[j];
			twice = x->op == IR_LSCAN && x->b == o->b && x->c == o->c && x->imm == o->imm;
		}
		if (!known && twice && r->nregs + nh < IR_MAX_REGS) {
			reg[nh] = (int32_t)(r->nregs + nh);
			first[nh++] = i;
		}
	}
	if (!nh)
		return;
	uint32_t n = r->nops + nh;
	ir_op *ops = arena_alloc(a, n * sizeof *ops);
	span *spans = arena_alloc(a, n * sizeof *spans);
	for (uint32_t h = 0; h < nh; h++) {
		ops[h] = r->ops[first[h]];
		ops[h].a = reg[h];
		spans[h] = r->spans[first[h]];
	}
	for (uint32_t i = 0; i < r->nops; i++) {
		ir_op o = r->ops[i];
		if (op_jumps(o.op) && o.imm >= 0)
			o.imm += nh;
		if (o.op == IR_LSCAN)
			for (uint32_t h = 0; h < nh; h++) {
				const ir_op *x = &r->ops[first[h]];
				if (x->b == o.b && x->c == o.c && x->imm == o.imm) {
					o = (ir_op){.op = IR_MOV, .a = o.a, .b = reg[h]};
					break;
				}
			}
		ops[nh + i] = o;
		spans[nh + i] = r->spans[i];
	}
	r->ops = ops;
	r->spans = spans;
	r->nops = r->cap = n;
	r->nregs += nh;
}

void ir_optimize(arena *a, ir_routine *r)
{
	if (!r->nops)
		return;
	uint8_t *mark = malloc(r->nops + 1);
	uint32_t *map = malloc((r->nops + 1) * sizeof *map);
	if (mark && map) {
		for (int round = 0; round < 8; round++) {
			bool changed = fold_constants(r);
			changed |= fold_anon(r);
			changed |= drop_unreachable(r, mark);
			while (drop_dead(r, mark))
				changed = true;
			changed |= thread_jumps(r);
			changed |= fuse_scans(r);
			compact(r, map);
			if (!changed)
				break;
		}
		hoist_scans(a, r);
	}
	free(mark);
	free(map);
}
