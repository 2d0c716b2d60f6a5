/* ir.c — building IR routines, and the op names from ir_ops.def.
 *
 * Routines grow in the compilation's arena (doubling); nothing is freed
 * before the arena is.
 */
#include "ir.h"

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
	if (r->nops == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 64;
		ir_op *ops = arena_alloc(a, cap * sizeof *ops);
		if (r->nops)
			memcpy(ops, r->ops, r->nops * sizeof *ops);
		r->ops = ops;
		r->cap = cap;
	}
	r->ops[r->nops] = (ir_op){.op = (uint16_t)op, .a = ra, .b = rb, .c = rc, .imm = imm, .sp = sp};
	return r->nops++;
}

void ir_patch_here(ir_routine *r, uint32_t at)
{
	r->ops[at].imm = r->nops;
}
