/* jit.c — the native back end: every routine of a lowered program to one
 * libgccjit function, all in one shared object (compiler/jit.h).
 *
 * The translation mirrors runtime/vm.c op by op and decides nothing: the
 * IR was folded and fused once (compiler/ir.c) for both back ends.
 *   - registers are int64 locals; jumps end blocks (a block per jump
 *     target and per op after a jump);
 *   - simple ops are inlined: constants, moves, arithmetic with the
 *     interpreter's saturation, comparisons, three-valued logic, event and
 *     element field loads, presence tests, string compares against
 *     constants (literals in the code), record loads at constant offsets;
 *   - every other op calls the helper the interpreter shares
 *     (rt_jit_helpers, runtime/vm.c), through a table the loader gives the
 *     object at bind time: the code holds no address of this process.
 * docs/design/native.md says more, and how to debug the output
 * (LUDIC_JIT_DUMP).
 */
#define _POSIX_C_SOURCE 200809L
#include "jit.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <libgccjit.h>
#include <stdlib.h>
#include <string.h>

#include "../include/ludic.h"

bool rt_jit_test_break = false;

/* Bump when the generated code's conventions change. */
#define JIT_CONVENTION 2

static void abi_stamp(char *buf, size_t cap)
{
	snprintf(buf, cap,
		 "ludic-native %d; ludic %d.%d.%d; libgccjit %d.%d.%d; %s; ptr %zu; helpers %d; "
		 "rt_vm %zu x %zu ev %zu st %zu day %zu elem %zu; rt_exec customer %zu; rt_event %zu values %zu; "
		 "rt_value %zu; rt_str %zu p %zu len %zu; rt_list %zu items %zu n %zu stride %zu",
		 JIT_CONVENTION, LUDIC_VERSION_MAJOR, LUDIC_VERSION_MINOR, LUDIC_VERSION_PATCH,
		 gcc_jit_version_major(), gcc_jit_version_minor(), gcc_jit_version_patchlevel(),
#if defined(__x86_64__)
		 "x86_64",
#elif defined(__aarch64__)
		 "aarch64",
#else
		 "other",
#endif
		 sizeof(void *), (int)RT_JH_COUNT,
		 sizeof(rt_vm), offsetof(rt_vm, x), offsetof(rt_vm, ev), offsetof(rt_vm, st), offsetof(rt_vm, day),
		 offsetof(rt_vm, elem), offsetof(rt_exec, customer), sizeof(rt_event), offsetof(rt_event, values),
		 sizeof(rt_value), sizeof(rt_str), offsetof(rt_str, p), offsetof(rt_str, len),
		 sizeof(rt_list), offsetof(rt_list, items), offsetof(rt_list, n), offsetof(rt_list, stride));
}

void rt_jit_abi_stamp(char *buf, size_t cap)
{
	abi_stamp(buf, cap);
}

static int opt_or_default(int opt_level)
{
	return opt_level <= 0 ? 2 : opt_level > 3 ? 3 : opt_level;
}

/* ---- the translation ---- */

typedef struct jit {
	gcc_jit_context *ctx;
	const rt_program *p;
	gcc_jit_type *t_void, *t_i64, *t_u64, *t_i32, *t_u32, *t_i128, *t_u8, *t_bool, *t_int, *t_bytes, *t_size;
	gcc_jit_type *t_helper;              /* rt_jit_helper */
	gcc_jit_lvalue *helpers;             /* the exported global: rt_jit_helper * */
	gcc_jit_function *memcmp;
	gcc_jit_function **events, *day, **metrics;
	/* the routine being translated */
	const ir_routine *rt;
	gcc_jit_function *fn;
	gcc_jit_rvalue *vm;                  /* the parameter (as bytes) */
	gcc_jit_lvalue **R;                  /* registers */
	gcc_jit_lvalue *ev, *elem, *st;      /* event values, current element, record (as bytes) */
	gcc_jit_block *cur;                  /* where code goes; NULL after a terminator */
	gcc_jit_block **at;                  /* per op: its block if it begins one */
	unsigned ntmp;
	char bad[200];                       /* an IR the translation cannot take ("" if fine) */
} jit;

static gcc_jit_rvalue *K(jit *j, int64_t v)
{
	return gcc_jit_context_new_rvalue_from_long(j->ctx, j->t_i64, (long)v);
}

static gcc_jit_rvalue *rv(gcc_jit_lvalue *l)
{
	return gcc_jit_lvalue_as_rvalue(l);
}

static gcc_jit_rvalue *cast(jit *j, gcc_jit_rvalue *v, gcc_jit_type *t)
{
	return gcc_jit_context_new_cast(j->ctx, NULL, v, t);
}

static gcc_jit_rvalue *bin(jit *j, enum gcc_jit_binary_op op, gcc_jit_type *t, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	return gcc_jit_context_new_binary_op(j->ctx, NULL, op, t, a, b);
}

static gcc_jit_rvalue *cmp(jit *j, enum gcc_jit_comparison op, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	return gcc_jit_context_new_comparison(j->ctx, NULL, op, a, b);
}

/* A comparison as 1 / 0. */
static gcc_jit_rvalue *cmp64(jit *j, enum gcc_jit_comparison op, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	return cast(j, cmp(j, op, a, b), j->t_i64);
}

static gcc_jit_lvalue *tmp(jit *j, gcc_jit_type *t)
{
	char name[32];
	snprintf(name, sizeof name, "t%u", j->ntmp++);
	return gcc_jit_function_new_local(j->fn, NULL, t, name);
}

static void set(jit *j, gcc_jit_lvalue *l, gcc_jit_rvalue *v)
{
	gcc_jit_block_add_assignment(j->cur, NULL, l, v);
}

static gcc_jit_block *block(jit *j)
{
	return gcc_jit_function_new_block(j->fn, NULL);
}

/* The value of register i. */
static gcc_jit_rvalue *reg(jit *j, int32_t i)
{
	if (i < 0 || (uint32_t)i >= j->rt->nregs) {
		if (!j->bad[0])
			snprintf(j->bad, sizeof j->bad, "routine \"%s\" uses register %" PRId32 " of %" PRIu32,
				 j->rt->name, i, j->rt->nregs);
		return K(j, 0);
	}
	return rv(j->R[i]);
}

static void setreg(jit *j, int32_t i, gcc_jit_rvalue *v)
{
	if (i < 0 || (uint32_t)i >= j->rt->nregs) {
		(void)reg(j, i);
		return;
	}
	set(j, j->R[i], v);
}

/* *(T *)(base + off): base is a byte pointer. */
static gcc_jit_lvalue *mem(jit *j, gcc_jit_rvalue *base, int64_t off, gcc_jit_type *t)
{
	gcc_jit_lvalue *c = gcc_jit_context_new_array_access(j->ctx, NULL, base, K(j, off));
	gcc_jit_rvalue *addr = cast(j, gcc_jit_lvalue_get_address(c, NULL), gcc_jit_type_get_pointer(t));
	return gcc_jit_rvalue_dereference(addr, NULL);
}

/* base + off, as a byte pointer. */
static gcc_jit_rvalue *offset(jit *j, gcc_jit_rvalue *base, gcc_jit_rvalue *off)
{
	return gcc_jit_lvalue_get_address(gcc_jit_context_new_array_access(j->ctx, NULL, base, off), NULL);
}

/* cond ? a : b (a is only evaluated when cond holds). */
static gcc_jit_rvalue *sel(jit *j, gcc_jit_rvalue *cond, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	gcc_jit_lvalue *t = tmp(j, j->t_i64);
	set(j, t, b);
	gcc_jit_block *yes = block(j), *join = block(j);
	gcc_jit_block_end_with_conditional(j->cur, NULL, cond, yes, join);
	gcc_jit_block_add_assignment(yes, NULL, t, a);
	gcc_jit_block_end_with_jump(yes, NULL, join);
	j->cur = join;
	return rv(t);
}

/* cond ? a : b without a branch (both are evaluated): cond is a bool. */
static gcc_jit_rvalue *pick(jit *j, gcc_jit_rvalue *cond, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	gcc_jit_lvalue *m = tmp(j, j->t_i64), *y = tmp(j, j->t_i64);
	/* m: all ones when cond holds */
	set(j, m, gcc_jit_context_new_unary_op(j->ctx, NULL, GCC_JIT_UNARY_OP_MINUS, j->t_i64, cast(j, cond, j->t_i64)));
	set(j, y, b);
	gcc_jit_rvalue *diff = bin(j, GCC_JIT_BINARY_OP_BITWISE_XOR, j->t_i64, a, rv(y));
	return bin(j, GCC_JIT_BINARY_OP_BITWISE_XOR, j->t_i64, rv(y), bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_i64, diff, rv(m)));
}

/* Calls helper h; the result is kept in a local, so the call happens here. */
static gcc_jit_rvalue *call(jit *j, rt_jit_helper_id h, gcc_jit_rvalue *a, gcc_jit_rvalue *b, gcc_jit_rvalue *c)
{
	gcc_jit_rvalue *fp = rv(gcc_jit_context_new_array_access(j->ctx, NULL, rv(j->helpers), K(j, h)));
	gcc_jit_rvalue *args[4] = {j->vm, a ? a : K(j, 0), b ? b : K(j, 0), c ? c : K(j, 0)};
	gcc_jit_lvalue *t = tmp(j, j->t_i64);
	set(j, t, gcc_jit_context_new_call_through_ptr(j->ctx, NULL, fp, 4, args));
	return rv(t);
}

/* After a helper that may move vm->elem (LSCAN, a metric routine). */
static void reload_elem(jit *j)
{
	set(j, j->elem, rv(mem(j, j->vm, offsetof(rt_vm, elem), j->t_bytes)));
}

/* ---- values ---- */

static gcc_jit_rvalue *wrap_add(jit *j, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	return cast(j, bin(j, GCC_JIT_BINARY_OP_PLUS, j->t_u64, cast(j, a, j->t_u64), cast(j, b, j->t_u64)), j->t_i64);
}

static gcc_jit_rvalue *wrap_neg(jit *j, gcc_jit_rvalue *a)
{
	return cast(j, bin(j, GCC_JIT_BINARY_OP_MINUS, j->t_u64, cast(j, K(j, 0), j->t_u64), cast(j, a, j->t_u64)),
		    j->t_i64);
}

/* vm.c sat_add: on overflow, INT64_MAX if b > 0, else INT64_MIN. */
static gcc_jit_rvalue *sat_add(jit *j, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	gcc_jit_lvalue *x = tmp(j, j->t_i64), *y = tmp(j, j->t_i64), *r = tmp(j, j->t_i64);
	set(j, x, a);
	set(j, y, b);
	set(j, r, wrap_add(j, rv(x), rv(y)));
	gcc_jit_rvalue *ovf = cmp(j, GCC_JIT_COMPARISON_LT,
				  bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_i64,
				      bin(j, GCC_JIT_BINARY_OP_BITWISE_XOR, j->t_i64, rv(x), rv(r)),
				      bin(j, GCC_JIT_BINARY_OP_BITWISE_XOR, j->t_i64, rv(y), rv(r))),
				  K(j, 0));
	/* INT64_MAX + (b <= 0), wrapping: INT64_MIN when b <= 0 */
	gcc_jit_rvalue *sat = wrap_add(j, K(j, INT64_MAX), cmp64(j, GCC_JIT_COMPARISON_LE, rv(y), K(j, 0)));
	return pick(j, ovf, sat, rv(r));
}

/* vm.c sat_mul: on overflow, INT64_MIN if the signs differ, else INT64_MAX. */
static gcc_jit_rvalue *sat_mul(jit *j, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	gcc_jit_lvalue *pr = tmp(j, j->t_i128), *lo = tmp(j, j->t_i64), *hi = tmp(j, j->t_i64);
	set(j, pr, bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i128, cast(j, a, j->t_i128), cast(j, b, j->t_i128)));
	set(j, lo, cast(j, rv(pr), j->t_i64));
	set(j, hi, cast(j, bin(j, GCC_JIT_BINARY_OP_RSHIFT, j->t_i128, rv(pr),
			       gcc_jit_context_new_rvalue_from_int(j->ctx, j->t_i128, 64)), j->t_i64));
	gcc_jit_rvalue *ovf = cmp(j, GCC_JIT_COMPARISON_NE, rv(hi),
				  bin(j, GCC_JIT_BINARY_OP_RSHIFT, j->t_i64, rv(lo), K(j, 63)));
	gcc_jit_rvalue *sat = wrap_add(j, K(j, INT64_MAX), cmp64(j, GCC_JIT_COMPARISON_LT, rv(hi), K(j, 0)));
	return pick(j, ovf, sat, rv(lo));
}

/* vm.c floor_div by a constant d (not 0). */
static gcc_jit_rvalue *floor_div(jit *j, gcc_jit_rvalue *a, int64_t d)
{
	gcc_jit_lvalue *x = tmp(j, j->t_i64);
	set(j, x, a);
	gcc_jit_rvalue *q = bin(j, GCC_JIT_BINARY_OP_DIVIDE, j->t_i64, rv(x), K(j, d));
	gcc_jit_rvalue *r = bin(j, GCC_JIT_BINARY_OP_MODULO, j->t_i64, rv(x), K(j, d));
	/* r != 0 and its sign differs from d's: one less */
	gcc_jit_rvalue *adj = cmp64(j, d < 0 ? GCC_JIT_COMPARISON_GT : GCC_JIT_COMPARISON_LT, r, K(j, 0));
	return bin(j, GCC_JIT_BINARY_OP_MINUS, j->t_i64, q, adj);
}

/* vm.c round_half_even(b * k / den) for constants k and den > 0: inline
 * when b * k fits in 64 bits (the quotient then does too), else the helper
 * `h` with the helper's operands (x, y, z). */
static gcc_jit_rvalue *rhe_const(jit *j, gcc_jit_rvalue *b, int64_t k, int64_t den, rt_jit_helper_id h,
				 bool k_is_y, int64_t z)
{
	gcc_jit_lvalue *x = tmp(j, j->t_i64), *pr = tmp(j, j->t_i128), *num = tmp(j, j->t_i64);
	gcc_jit_lvalue *q = tmp(j, j->t_i64), *r = tmp(j, j->t_i64), *out = tmp(j, j->t_i64);
	set(j, x, b);
	set(j, pr, bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i128, cast(j, rv(x), j->t_i128), cast(j, K(j, k), j->t_i128)));
	set(j, num, cast(j, rv(pr), j->t_i64));
	gcc_jit_rvalue *hi = cast(j, bin(j, GCC_JIT_BINARY_OP_RSHIFT, j->t_i128, rv(pr),
					 gcc_jit_context_new_rvalue_from_int(j->ctx, j->t_i128, 64)), j->t_i64);
	gcc_jit_rvalue *fits = cmp(j, GCC_JIT_COMPARISON_EQ, hi, bin(j, GCC_JIT_BINARY_OP_RSHIFT, j->t_i64, rv(num), K(j, 63)));
	gcc_jit_block *fast = block(j), *slow = block(j), *join = block(j);
	gcc_jit_block_end_with_conditional(j->cur, NULL, fits, fast, slow);

	/* the helper: the same result, 128 bits wide */
	j->cur = slow;
	set(j, out, call(j, h, rv(x), k_is_y ? K(j, k) : K(j, den), K(j, z)));
	gcc_jit_block_end_with_jump(j->cur, NULL, join);

	/* num = q * den + r, 0 <= r < den; then halves to even */
	j->cur = fast;
	set(j, q, bin(j, GCC_JIT_BINARY_OP_DIVIDE, j->t_i64, rv(num), K(j, den)));
	set(j, r, bin(j, GCC_JIT_BINARY_OP_MODULO, j->t_i64, rv(num), K(j, den)));
	gcc_jit_rvalue *neg = cmp64(j, GCC_JIT_COMPARISON_LT, rv(r), K(j, 0));
	set(j, q, bin(j, GCC_JIT_BINARY_OP_MINUS, j->t_i64, rv(q), neg));
	set(j, r, bin(j, GCC_JIT_BINARY_OP_PLUS, j->t_i64, rv(r), bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i64, neg, K(j, den))));
	gcc_jit_lvalue *rest = tmp(j, j->t_i64);
	set(j, rest, bin(j, GCC_JIT_BINARY_OP_MINUS, j->t_i64, K(j, den), rv(r)));
	gcc_jit_rvalue *up = bin(j, GCC_JIT_BINARY_OP_BITWISE_OR, j->t_i64, cmp64(j, GCC_JIT_COMPARISON_GT, rv(r), rv(rest)),
				 bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_i64, cmp64(j, GCC_JIT_COMPARISON_EQ, rv(r), rv(rest)),
				     bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_i64, rv(q), K(j, 1))));
	set(j, out, bin(j, GCC_JIT_BINARY_OP_PLUS, j->t_i64, rv(q), up));
	gcc_jit_block_end_with_jump(j->cur, NULL, join);
	j->cur = join;
	return rv(out);
}

static gcc_jit_rvalue *minmax(jit *j, bool min, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
	gcc_jit_lvalue *x = tmp(j, j->t_i64), *y = tmp(j, j->t_i64);
	set(j, x, a);
	set(j, y, b);
	return pick(j, cmp(j, min ? GCC_JIT_COMPARISON_LT : GCC_JIT_COMPARISON_GT, rv(x), rv(y)), rv(x), rv(y));
}

/* Field f of a record (event or element): the address of its value. */
static int64_t field_off(int32_t f)
{
	return (int64_t)(1 + f) * (int64_t)sizeof(rt_value);
}

/* 1 if field f of record `rec` is present. */
static gcc_jit_rvalue *present(jit *j, gcc_jit_rvalue *rec, int32_t f)
{
	gcc_jit_rvalue *mask = rv(mem(j, rec, 0, j->t_i64));
	return bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_i64,
		   bin(j, GCC_JIT_BINARY_OP_RSHIFT, j->t_i64, mask, K(j, (uint32_t)f & 63)), K(j, 1));
}

static bool has_nul(const char *s, uint32_t len)
{
	return memchr(s, 0, len) != NULL;
}

/* vm.c str_eq(record's string field f, string constant k), or -1 in *ok
 * terms: false when the constant cannot be a literal (then the caller
 * calls a helper). */
static gcc_jit_rvalue *str_eq_const(jit *j, gcc_jit_rvalue *rec, int32_t f, uint32_t k)
{
	const rt_program *p = j->p;
	uint32_t len = p->strlens[k];
	gcc_jit_lvalue *slen = mem(j, rec, field_off(f) + (int64_t)offsetof(rt_str, len), j->t_u32);
	gcc_jit_rvalue *len_eq = cmp(j, GCC_JIT_COMPARISON_EQ, rv(slen), gcc_jit_context_new_rvalue_from_long(j->ctx, j->t_u32, len));
	if (len == 0)
		return cast(j, len_eq, j->t_i64);
	gcc_jit_lvalue *sp = tmp(j, j->t_bytes);
	set(j, sp, rv(mem(j, rec, field_off(f) + (int64_t)offsetof(rt_str, p), j->t_bytes)));
	char *lit = malloc((size_t)len + 1);
	if (!lit) {
		snprintf(j->bad, sizeof j->bad, "out of memory");
		return K(j, 0);
	}
	memcpy(lit, p->strs[k], len);
	lit[len] = 0;
	gcc_jit_rvalue *litv = gcc_jit_context_new_string_literal(j->ctx, lit);
	free(lit);
	gcc_jit_rvalue *first = cmp(j, GCC_JIT_COMPARISON_EQ, rv(mem(j, rv(sp), 0, j->t_u8)),
				    gcc_jit_context_new_rvalue_from_int(j->ctx, j->t_u8, (unsigned char)p->strs[k][0]));
	gcc_jit_rvalue *margs[3] = {cast(j, rv(sp), gcc_jit_type_get_pointer(gcc_jit_context_get_type(j->ctx, GCC_JIT_TYPE_VOID))),
				    cast(j, litv, gcc_jit_type_get_pointer(gcc_jit_context_get_type(j->ctx, GCC_JIT_TYPE_VOID))),
				    gcc_jit_context_new_rvalue_from_long(j->ctx, j->t_size, len)};
	gcc_jit_rvalue *mc = cmp(j, GCC_JIT_COMPARISON_EQ, gcc_jit_context_new_call(j->ctx, NULL, j->memcmp, 3, margs),
				 gcc_jit_context_new_rvalue_from_int(j->ctx, j->t_int, 0));
	/* the bytes are read only when the lengths are equal */
	return sel(j, len_eq, cast(j, bin(j, GCC_JIT_BINARY_OP_LOGICAL_AND, j->t_bool, first, mc), j->t_i64), K(j, 0));
}

/* str_eq against constant k: inline, or the helper when k holds a NUL byte. */
static gcc_jit_rvalue *str_eq(jit *j, bool of_elem, int32_t f, int64_t k)
{
	if (k < 0 || (uint64_t)k >= j->p->nstrs) {
		snprintf(j->bad, sizeof j->bad, "string constant %" PRId64 " out of range", k);
		return K(j, 0);
	}
	if (has_nul(j->p->strs[k], j->p->strlens[k]))
		return call(j, of_elem ? RT_JH_SEQE : RT_JH_SEQF, K(j, f), K(j, k), NULL);
	return str_eq_const(j, rv(of_elem ? j->elem : j->ev), f, (uint32_t)k);
}

/* A list field's item count, 0 if absent. */
static gcc_jit_rvalue *list_n(jit *j, gcc_jit_rvalue *rec, int32_t f)
{
	gcc_jit_rvalue *n = cast(j, rv(mem(j, rec, field_off(f) + (int64_t)offsetof(rt_list, n), j->t_u32)), j->t_i64);
	return sel(j, cmp(j, GCC_JIT_COMPARISON_NE, present(j, rec, f), K(j, 0)), n, K(j, 0));
}

/* ---- blocks and jumps ---- */

static bool is_jump(uint16_t op)
{
	switch (op) {
	case IR_JMP: case IR_JT: case IR_JNT: case IR_JZ: case IR_JNEI: case IR_JEQI: case IR_ANON:
	case IR_JLT: case IR_JLE: case IR_JGT: case IR_JGE: case IR_JEQ: case IR_JNE:
	case IR_JLTC: case IR_JLEC: case IR_JGTC: case IR_JGEC: case IR_JABSF: case IR_JABSE:
	case IR_JSEQE: case IR_JSNEE: case IR_JSINE: case IR_JSNINE: case IR_JABST: case IR_STAFF: case IR_JNREV:
		return true;
	default:
		return false;
	}
}

static gcc_jit_block *target(jit *j, int64_t t)
{
	if (t < 0 || t >= (int64_t)j->rt->nops || !j->at[t]) {
		if (!j->bad[0])
			snprintf(j->bad, sizeof j->bad, "routine \"%s\" jumps to %" PRId64, j->rt->name, t);
		return NULL;
	}
	return j->at[t];
}

/* Jumps to op t if cond holds, else goes on with op `next`. */
static void branch(jit *j, gcc_jit_rvalue *cond, int64_t t, uint32_t next)
{
	gcc_jit_block *yes = target(j, t), *no = next < j->rt->nops ? j->at[next] : NULL;
	if (!yes)
		return;
	if (!no) {
		/* falling off the end: the routine ends */
		no = block(j);
		gcc_jit_block_end_with_return(no, NULL, j->rt->nregs ? rv(j->R[0]) : K(j, 0));
	}
	gcc_jit_block_end_with_conditional(j->cur, NULL, cond, yes, no);
	j->cur = NULL;
}

static gcc_jit_rvalue *is(jit *j, gcc_jit_rvalue *a, int64_t v)
{
	return cmp(j, GCC_JIT_COMPARISON_EQ, a, K(j, v));
}

static gcc_jit_rvalue *isnt(jit *j, gcc_jit_rvalue *a, int64_t v)
{
	return cmp(j, GCC_JIT_COMPARISON_NE, a, K(j, v));
}

static void ret(jit *j)
{
	gcc_jit_block_end_with_return(j->cur, NULL, j->rt->nregs ? rv(j->R[0]) : K(j, 0));
	j->cur = NULL;
}

/* LSCAN, as vm.c jh_LSCAN does it: a loop over the items of list field b,
 * testing string field c of each against constant s (imm's low 32 bits);
 * mode 0: any, 1: count, 2: sum of field vf; `neg`: the test fails. Inline
 * when the test is an equality with a constant that can be a literal (the
 * comparison is then specialised to its length); else the helper. Either
 * way vm->elem is left on the last item, as the interpreter leaves it. */
static void lscan(jit *j, const ir_op *o)
{
	uint64_t imm = (uint64_t)o->imm;
	uint32_t s = (uint32_t)imm, vf = (uint32_t)(imm >> 32) & 0xffff;
	unsigned mode = (unsigned)(imm >> 48) & 3;
	bool in = imm >> 50 & 1, neg = imm >> 51 & 1;
	if (in || mode > 2 || s >= j->p->nstrs || has_nul(j->p->strs[s], j->p->strlens[s])) {
		setreg(j, o->a, call(j, RT_JH_LSCAN, K(j, o->b), K(j, o->c), K(j, o->imm)));
		reload_elem(j);
		return;
	}
	gcc_jit_lvalue *n = tmp(j, j->t_i64), *k = tmp(j, j->t_i64), *acc = tmp(j, j->t_i64);
	gcc_jit_lvalue *items = tmp(j, j->t_bytes), *step = tmp(j, j->t_i64), *it = tmp(j, j->t_bytes);
	set(j, n, list_n(j, rv(j->ev), o->b));
	set(j, items, rv(mem(j, rv(j->ev), field_off(o->b) + (int64_t)offsetof(rt_list, items), j->t_bytes)));
	set(j, step, bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i64,
			 cast(j, rv(mem(j, rv(j->ev), field_off(o->b) + (int64_t)offsetof(rt_list, stride), j->t_u32)), j->t_i64),
			 K(j, (int64_t)sizeof(rt_value))));
	set(j, acc, K(j, 0));
	set(j, k, K(j, 0));
	gcc_jit_block *head = block(j), *body = block(j), *hit = block(j), *next = block(j), *done = block(j);
	gcc_jit_block_end_with_jump(j->cur, NULL, head);
	gcc_jit_block_end_with_conditional(head, NULL, cmp(j, GCC_JIT_COMPARISON_LT, rv(k), rv(n)), body, done);
	j->cur = body;
	set(j, it, offset(j, rv(items), bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i64, rv(k), rv(step))));
	gcc_jit_rvalue *m = str_eq_const(j, rv(it), o->c, s);
	gcc_jit_block_end_with_conditional(j->cur, NULL, isnt(j, m, neg ? 1 : 0), hit, next);
	j->cur = hit;
	if (mode == 0) {
		set(j, acc, K(j, 1));
	} else if (mode == 1) {
		set(j, acc, wrap_add(j, rv(acc), K(j, 1)));
	} else {
		set(j, acc, sat_add(j, rv(acc), rv(mem(j, rv(it), field_off((int32_t)vf), j->t_i64))));
	}
	gcc_jit_block_end_with_jump(j->cur, NULL, next);
	gcc_jit_block_add_assignment(next, NULL, k, wrap_add(j, rv(k), K(j, 1)));
	gcc_jit_block_end_with_jump(next, NULL, head);
	j->cur = done;
	/* vm->elem on the last item, if any */
	gcc_jit_block *last = block(j), *after = block(j);
	gcc_jit_block_end_with_conditional(j->cur, NULL, isnt(j, rv(n), 0), last, after);
	j->cur = last;
	set(j, mem(j, j->vm, offsetof(rt_vm, elem), j->t_bytes),
	    offset(j, rv(items), bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i64, wrap_add(j, rv(n), K(j, -1)), rv(step))));
	gcc_jit_block_end_with_jump(j->cur, NULL, after);
	j->cur = after;
	reload_elem(j);
	setreg(j, o->a, rv(acc));
}

/* ---- one op ---- */

static void op(jit *j, uint32_t pc)
{
	const ir_op *o = &j->rt->ops[pc];
	const rt_program *p = j->p;
	uint32_t next = pc + 1;
	enum gcc_jit_comparison cmpop = GCC_JIT_COMPARISON_EQ;
	switch ((ir_opcode)o->op) {
	case IR_NOP: return;
	case IR_CONST: setreg(j, o->a, K(j, o->imm)); return;
	case IR_MOV: setreg(j, o->a, reg(j, o->b)); return;
	case IR_JMP: {
		gcc_jit_block *t = target(j, o->imm);
		if (t) {
			gcc_jit_block_end_with_jump(j->cur, NULL, t);
			j->cur = NULL;
		}
		return;
	}
	case IR_JT: branch(j, is(j, reg(j, o->b), 1), o->imm, next); return;
	case IR_JNT: branch(j, isnt(j, reg(j, o->b), 1), o->imm, next); return;
	case IR_JZ: branch(j, is(j, reg(j, o->b), 0), o->imm, next); return;
	case IR_JNEI: branch(j, isnt(j, reg(j, o->b), o->c), o->imm, next); return;
	case IR_JEQI: branch(j, is(j, reg(j, o->b), o->c), o->imm, next); return;
	case IR_JLT: case IR_JLTC: cmpop = GCC_JIT_COMPARISON_LT; goto jcmp;
	case IR_JLE: case IR_JLEC: cmpop = GCC_JIT_COMPARISON_LE; goto jcmp;
	case IR_JGT: case IR_JGTC: cmpop = GCC_JIT_COMPARISON_GT; goto jcmp;
	case IR_JGE: case IR_JGEC: cmpop = GCC_JIT_COMPARISON_GE; goto jcmp;
	case IR_JEQ: cmpop = GCC_JIT_COMPARISON_EQ; goto jcmp;
	case IR_JNE: cmpop = GCC_JIT_COMPARISON_NE; goto jcmp;
	jcmp: {
		bool konst = o->op == IR_JLTC || o->op == IR_JLEC || o->op == IR_JGTC || o->op == IR_JGEC;
		branch(j, cmp(j, cmpop, reg(j, o->b), konst ? K(j, o->c) : reg(j, o->c)), o->imm, next);
		return;
	}
	case IR_ANON: {
		/* no record, or no customer: !vm->st || vm->x->customer.len == 0 */
		gcc_jit_rvalue *x = rv(mem(j, j->vm, offsetof(rt_vm, x), j->t_bytes));
		gcc_jit_rvalue *len = rv(mem(j, x, offsetof(rt_exec, customer) + offsetof(rt_str, len), j->t_u32));
		gcc_jit_rvalue *none = cmp(j, GCC_JIT_COMPARISON_EQ, rv(j->st), gcc_jit_context_null(j->ctx, j->t_bytes));
		gcc_jit_rvalue *anon = cmp(j, GCC_JIT_COMPARISON_EQ, len, gcc_jit_context_new_rvalue_from_int(j->ctx, j->t_u32, 0));
		branch(j, bin(j, GCC_JIT_BINARY_OP_LOGICAL_OR, j->t_bool, none, anon), o->imm, next);
		return;
	}
	case IR_RET: ret(j); return;

	case IR_LDF: setreg(j, o->a, rv(mem(j, rv(j->ev), field_off(o->b), j->t_i64))); return;
	case IR_JABSF: branch(j, is(j, present(j, rv(j->ev), o->b), 0), o->imm, next); return;
	case IR_LISTN: setreg(j, o->a, list_n(j, rv(j->ev), o->b)); return;
	case IR_ELEM: {
		gcc_jit_rvalue *l = offset(j, rv(j->ev), K(j, field_off(o->b)));
		gcc_jit_lvalue *lp = tmp(j, j->t_bytes);
		set(j, lp, l);
		gcc_jit_rvalue *items = rv(mem(j, rv(lp), offsetof(rt_list, items), j->t_bytes));
		gcc_jit_rvalue *stride = rv(mem(j, rv(lp), offsetof(rt_list, stride), j->t_u32));
		gcc_jit_rvalue *k = bin(j, GCC_JIT_BINARY_OP_MULT, j->t_u32, cast(j, reg(j, o->c), j->t_u32), stride);
		gcc_jit_rvalue *off = bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i64, cast(j, k, j->t_i64), K(j, sizeof(rt_value)));
		set(j, j->elem, offset(j, items, off));
		set(j, mem(j, j->vm, offsetof(rt_vm, elem), j->t_bytes), rv(j->elem));
		return;
	}
	case IR_LDE: setreg(j, o->a, rv(mem(j, rv(j->elem), field_off(o->b), j->t_i64))); return;
	case IR_JABSE: branch(j, is(j, present(j, rv(j->elem), o->b), 0), o->imm, next); return;
	case IR_SEQF: setreg(j, o->a, str_eq(j, false, o->b, o->imm)); return;
	case IR_SEQ2: setreg(j, o->a, call(j, RT_JH_SEQ2, K(j, o->b), K(j, o->c), K(j, o->imm))); return;
	case IR_LISTNE: setreg(j, o->a, list_n(j, rv(j->elem), o->b)); return;
	case IR_SEQE: setreg(j, o->a, str_eq(j, true, o->b, o->imm)); return;
	case IR_JSEQE: branch(j, isnt(j, str_eq(j, true, o->b, o->c), 0), o->imm, next); return;
	case IR_JSNEE: branch(j, is(j, str_eq(j, true, o->b, o->c), 0), o->imm, next); return;
	case IR_LSCAN: lscan(j, o); return;
	case IR_SINF: setreg(j, o->a, call(j, RT_JH_SINF, K(j, o->b), K(j, o->imm), NULL)); return;
	case IR_SINE: setreg(j, o->a, call(j, RT_JH_SINE, K(j, o->b), K(j, o->imm), NULL)); return;
	case IR_JSINE: branch(j, isnt(j, call(j, RT_JH_SINE, K(j, o->b), K(j, o->c), NULL), 0), o->imm, next); return;
	case IR_JSNINE: branch(j, is(j, call(j, RT_JH_SINE, K(j, o->b), K(j, o->c), NULL), 0), o->imm, next); return;
	case IR_SSETF: setreg(j, o->a, call(j, RT_JH_SSETF, K(j, o->b), K(j, o->imm), NULL)); return;
	case IR_SSETE: setreg(j, o->a, call(j, RT_JH_SSETE, K(j, o->b), K(j, o->imm), NULL)); return;
	case IR_INMASK: {
		/* 0 <= b < 64 and bit b of the mask */
		gcc_jit_lvalue *b = tmp(j, j->t_u64);
		set(j, b, cast(j, reg(j, o->b), j->t_u64));
		gcc_jit_rvalue *in = cmp64(j, GCC_JIT_COMPARISON_LT, rv(b), gcc_jit_context_new_rvalue_from_long(j->ctx, j->t_u64, 64));
		gcc_jit_rvalue *sh = bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_u64, rv(b),
					 gcc_jit_context_new_rvalue_from_long(j->ctx, j->t_u64, 63));
		gcc_jit_rvalue *bit = bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_u64,
					  bin(j, GCC_JIT_BINARY_OP_RSHIFT, j->t_u64, cast(j, K(j, o->imm), j->t_u64), sh),
					  gcc_jit_context_new_rvalue_from_long(j->ctx, j->t_u64, 1));
		setreg(j, o->a, bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_i64, in, cast(j, bit, j->t_i64)));
		return;
	}

	case IR_ADD: setreg(j, o->a, sat_add(j, reg(j, o->b), reg(j, o->c))); return;
	case IR_SUB: setreg(j, o->a, sat_add(j, reg(j, o->b), wrap_neg(j, reg(j, o->c)))); return;
	case IR_MUL: setreg(j, o->a, sat_mul(j, reg(j, o->b), reg(j, o->c))); return;
	case IR_NEG: setreg(j, o->a, wrap_neg(j, reg(j, o->b))); return;
	case IR_SCALE: setreg(j, o->a, sat_mul(j, reg(j, o->b), K(j, o->imm))); return;
	case IR_MULS: setreg(j, o->a, call(j, RT_JH_MULS, reg(j, o->b), reg(j, o->c), K(j, o->imm))); return;
	case IR_DIVS: setreg(j, o->a, call(j, RT_JH_DIVS, reg(j, o->b), reg(j, o->c), K(j, o->imm))); return;
	case IR_MULSI: /* b * c / imm */
		if (o->imm > 0)
			setreg(j, o->a, rhe_const(j, reg(j, o->b), o->c, o->imm, RT_JH_MULS, true, o->imm));
		else
			setreg(j, o->a, call(j, RT_JH_MULS, reg(j, o->b), K(j, o->c), K(j, o->imm)));
		return;
	case IR_DIVSI: /* b * imm / c */
		if (o->c > 0)
			setreg(j, o->a, rhe_const(j, reg(j, o->b), o->imm, o->c, RT_JH_DIVS, false, o->imm));
		else
			setreg(j, o->a, call(j, RT_JH_DIVS, reg(j, o->b), K(j, o->c), K(j, o->imm)));
		return;
	case IR_FLOORD: case IR_CEILD: case IR_ROUNDD:
		if (o->imm == 0) {
			snprintf(j->bad, sizeof j->bad, "routine \"%s\" divides by the constant 0", j->rt->name);
			return;
		}
		if (o->op == IR_FLOORD)
			setreg(j, o->a, floor_div(j, reg(j, o->b), o->imm));
		else if (o->op == IR_CEILD)
			setreg(j, o->a, wrap_neg(j, floor_div(j, wrap_neg(j, reg(j, o->b)), o->imm)));
		else
			setreg(j, o->a, floor_div(j, wrap_add(j, reg(j, o->b), K(j, o->imm / 2)), o->imm));
		return;
	case IR_MIN: setreg(j, o->a, minmax(j, true, reg(j, o->b), reg(j, o->c))); return;
	case IR_MAX: setreg(j, o->a, minmax(j, false, reg(j, o->b), reg(j, o->c))); return;
	case IR_MINI: setreg(j, o->a, minmax(j, true, reg(j, o->b), K(j, o->imm))); return;
	case IR_MAXI: setreg(j, o->a, minmax(j, false, reg(j, o->b), K(j, o->imm))); return;
	case IR_ABS: {
		gcc_jit_lvalue *x = tmp(j, j->t_i64);
		set(j, x, reg(j, o->b));
		setreg(j, o->a, pick(j, cmp(j, GCC_JIT_COMPARISON_LT, rv(x), K(j, 0)), wrap_neg(j, rv(x)), rv(x)));
		return;
	}
	case IR_ADDI: setreg(j, o->a, sat_add(j, reg(j, o->b), K(j, o->imm))); return;

	case IR_EQ: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_EQ, reg(j, o->b), reg(j, o->c))); return;
	case IR_NE: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_NE, reg(j, o->b), reg(j, o->c))); return;
	case IR_LT: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_LT, reg(j, o->b), reg(j, o->c))); return;
	case IR_LE: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_LE, reg(j, o->b), reg(j, o->c))); return;
	case IR_GT: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_GT, reg(j, o->b), reg(j, o->c))); return;
	case IR_GE: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_GE, reg(j, o->b), reg(j, o->c))); return;
	case IR_EQI: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_EQ, reg(j, o->b), K(j, o->imm))); return;
	case IR_NEI: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_NE, reg(j, o->b), K(j, o->imm))); return;
	case IR_LTI: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_LT, reg(j, o->b), K(j, o->imm))); return;
	case IR_LEI: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_LE, reg(j, o->b), K(j, o->imm))); return;
	case IR_GTI: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_GT, reg(j, o->b), K(j, o->imm))); return;
	case IR_GEI: setreg(j, o->a, cmp64(j, GCC_JIT_COMPARISON_GE, reg(j, o->b), K(j, o->imm))); return;
	case IR_NOT3: {
		/* 1 -> 0, 0 -> 1, else -1: 2 * (b = 0) + (b = 1) - 1 */
		gcc_jit_lvalue *b = tmp(j, j->t_i64);
		set(j, b, reg(j, o->b));
		gcc_jit_rvalue *z = cmp64(j, GCC_JIT_COMPARISON_EQ, rv(b), K(j, 0)), *one = cmp64(j, GCC_JIT_COMPARISON_EQ, rv(b), K(j, 1));
		setreg(j, o->a, bin(j, GCC_JIT_BINARY_OP_MINUS, j->t_i64,
				    bin(j, GCC_JIT_BINARY_OP_PLUS, j->t_i64, bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i64, K(j, 2), z), one),
				    K(j, 1)));
		return;
	}
	case IR_AND3: case IR_OR3: {
		/* and: 2 * (both 1) + (either 0) - 1; or: 2 * (either 1) + (both 0) - 1 */
		gcc_jit_lvalue *b = tmp(j, j->t_i64), *c = tmp(j, j->t_i64);
		set(j, b, reg(j, o->b));
		set(j, c, reg(j, o->c));
		int64_t strong = o->op == IR_AND3 ? 1 : 0, weak = 1 - strong;
		gcc_jit_rvalue *both = bin(j, GCC_JIT_BINARY_OP_BITWISE_AND, j->t_i64, cmp64(j, GCC_JIT_COMPARISON_EQ, rv(b), K(j, strong)),
					   cmp64(j, GCC_JIT_COMPARISON_EQ, rv(c), K(j, strong)));
		gcc_jit_rvalue *either = bin(j, GCC_JIT_BINARY_OP_BITWISE_OR, j->t_i64, cmp64(j, GCC_JIT_COMPARISON_EQ, rv(b), K(j, weak)),
					     cmp64(j, GCC_JIT_COMPARISON_EQ, rv(c), K(j, weak)));
		gcc_jit_rvalue *twice = bin(j, GCC_JIT_BINARY_OP_MULT, j->t_i64, K(j, 2), o->op == IR_AND3 ? both : either);
		gcc_jit_rvalue *other = o->op == IR_AND3 ? either : both;
		setreg(j, o->a, bin(j, GCC_JIT_BINARY_OP_MINUS, j->t_i64, bin(j, GCC_JIT_BINARY_OP_PLUS, j->t_i64, twice, other), K(j, 1)));
		return;
	}

	case IR_DAY: setreg(j, o->a, rv(mem(j, j->vm, offsetof(rt_vm, day), j->t_i64))); return;
	case IR_BALANCE: setreg(j, o->a, call(j, RT_JH_BALANCE, K(j, o->imm), NULL, NULL)); return;
	case IR_EARNED: setreg(j, o->a, call(j, RT_JH_EARNED, K(j, o->imm), NULL, NULL)); return;
	case IR_WINSUM: setreg(j, o->a, call(j, RT_JH_WINSUM, K(j, o->imm), NULL, NULL)); return;
	case IR_LADDER:
		if (o->imm < 0 || (uint64_t)o->imm >= p->r->nladders) {
			snprintf(j->bad, sizeof j->bad, "ladder %" PRId64 " out of range", o->imm);
			return;
		}
		setreg(j, o->a, sel(j, cmp(j, GCC_JIT_COMPARISON_NE, rv(j->st), gcc_jit_context_null(j->ctx, j->t_bytes)),
				    cast(j, rv(mem(j, rv(j->st), p->ladders[o->imm].off, j->t_i32)), j->t_i64), K(j, -1)));
		return;
	case IR_VARIANT: setreg(j, o->a, call(j, RT_JH_VARIANT, K(j, o->imm), NULL, NULL)); return;
	case IR_METRIC: {
		if (o->imm < 0 || (uint64_t)o->imm >= p->r->nladders) {
			snprintf(j->bad, sizeof j->bad, "metric %" PRId64 " out of range", o->imm);
			return;
		}
		/* as run_metric: the metric routine sees no event */
		gcc_jit_lvalue *evf = mem(j, j->vm, offsetof(rt_vm, ev), j->t_bytes), *saved = tmp(j, j->t_bytes);
		set(j, saved, rv(evf));
		set(j, evf, gcc_jit_context_null(j->ctx, j->t_bytes));
		gcc_jit_lvalue *t = tmp(j, j->t_i64);
		set(j, t, gcc_jit_context_new_call(j->ctx, NULL, j->metrics[o->imm], 1, &j->vm));
		set(j, evf, rv(saved));
		setreg(j, o->a, rv(t));
		reload_elem(j);
		return;
	}

	case IR_WINADD: (void)call(j, RT_JH_WINADD, reg(j, o->b), K(j, o->imm), NULL); return;
	case IR_TSEEN: (void)call(j, RT_JH_TSEEN, K(j, o->imm), NULL, NULL); return;
	case IR_TAFTER: (void)call(j, RT_JH_TAFTER, K(j, o->imm), NULL, NULL); return;
	case IR_TSTASH: (void)call(j, RT_JH_TSTASH, reg(j, o->b), K(j, o->c), K(j, o->imm)); return;
	case IR_TLOAD: setreg(j, o->a, call(j, RT_JH_TLOAD, K(j, o->c), K(j, o->imm), NULL)); return;
	case IR_JABST: branch(j, is(j, call(j, RT_JH_TIMER_HAS, K(j, o->b), K(j, o->c), NULL), 0), o->imm, next); return;
	case IR_OVLSET:
		if (p->off_overlay)
			set(j, mem(j, rv(j->st), p->off_overlay, j->t_i32), cast(j, reg(j, o->b), j->t_i32));
		return;
	case IR_OVLGET:
		if (!p->off_overlay)
			setreg(j, o->a, K(j, -1));
		else
			setreg(j, o->a, sel(j, cmp(j, GCC_JIT_COMPARISON_NE, rv(j->st), gcc_jit_context_null(j->ctx, j->t_bytes)),
					    cast(j, rv(mem(j, rv(j->st), p->off_overlay, j->t_i32)), j->t_i64), K(j, -1)));
		return;
	case IR_BDAY:
		set(j, mem(j, rv(j->st), p->off_hdr + RT_HDR_BIRTHDAY, j->t_i32), cast(j, reg(j, o->b), j->t_i32));
		return;
	case IR_PREC: (void)call(j, RT_JH_PREC, reg(j, o->b), NULL, NULL); return;

	case IR_STAFF: branch(j, is(j, call(j, RT_JH_STAFF, K(j, o->b), NULL, NULL), 0), o->imm, next); return;
	case IR_CAPLEFT: setreg(j, o->a, call(j, RT_JH_CAPLEFT, K(j, o->imm), NULL, NULL)); return;
	case IR_CAPUSE: (void)call(j, RT_JH_CAPUSE, reg(j, o->b), K(j, o->imm), NULL); return;
	case IR_BUDLEFT: setreg(j, o->a, call(j, RT_JH_BUDLEFT, K(j, o->imm), NULL, NULL)); return;
	case IR_BUDUSE: (void)call(j, RT_JH_BUDUSE, reg(j, o->b), K(j, o->imm), NULL); return;

	case IR_AWARD: (void)call(j, RT_JH_AWARD, reg(j, o->b), K(j, o->c), K(j, o->imm)); return;
	case IR_HASBAL: setreg(j, o->a, call(j, RT_JH_HASBAL, reg(j, o->b), K(j, o->imm), NULL)); return;
	case IR_DEBIT: (void)call(j, RT_JH_DEBIT, reg(j, o->b), K(j, o->c), K(j, o->imm)); return;
	case IR_BADGE: (void)call(j, RT_JH_BADGE, K(j, o->c), K(j, o->imm), NULL); return;
	case IR_NARG: (void)call(j, RT_JH_NARG, reg(j, o->b), K(j, o->imm), NULL); return;
	case IR_NARGS: (void)call(j, RT_JH_NARGS, K(j, o->b), K(j, o->imm), NULL); return;
	case IR_NOTIFY: (void)call(j, RT_JH_NOTIFY, K(j, o->c), K(j, o->imm), NULL); return;

	case IR_MAT: setreg(j, o->a, call(j, RT_JH_MAT, K(j, o->c), K(j, o->imm), NULL)); return;
	case IR_MSTART: (void)call(j, RT_JH_MSTART, reg(j, o->b), K(j, o->imm), NULL); return;
	case IR_MADV: setreg(j, o->a, call(j, RT_JH_MADV, K(j, o->c), K(j, o->imm), NULL)); return;
	case IR_MDONE: (void)call(j, RT_JH_MDONE, K(j, o->imm), NULL, NULL); return;
	case IR_SADV: setreg(j, o->a, call(j, RT_JH_SADV, K(j, o->imm), NULL, NULL)); return;
	case IR_SDONE: (void)call(j, RT_JH_SDONE, K(j, o->imm), NULL, NULL); return;

	case IR_EXPIRE: (void)call(j, RT_JH_EXPIRE, K(j, o->imm), NULL, NULL); return;
	case IR_RELEASE: (void)call(j, RT_JH_RELEASE, K(j, o->imm), NULL, NULL); return;
	case IR_TDUE: setreg(j, o->a, call(j, RT_JH_TDUE, K(j, o->imm), NULL, NULL)); return;
	case IR_LADUP: (void)call(j, RT_JH_LADUP, reg(j, o->b), K(j, o->imm), NULL); return;
	case IR_REVIEW: (void)call(j, RT_JH_REVIEW, reg(j, o->b), K(j, o->imm), NULL); return;
	case IR_JNREV: branch(j, is(j, call(j, RT_JH_REVIEW_DUE, K(j, o->c), NULL, NULL), 0), o->imm, next); return;
	case IR_MDEAD: (void)call(j, RT_JH_MDEAD, K(j, o->imm), NULL, NULL); return;

	case IR_RETURN: (void)call(j, RT_JH_RETURN, K(j, o->b), reg(j, o->c), NULL); return;
	case IR_FINDITEM: setreg(j, o->a, call(j, RT_JH_FINDITEM, K(j, o->b), NULL, NULL)); return;
	case IR_REFUSE:
		(void)call(j, RT_JH_REFUSE, reg(j, o->b), K(j, o->imm), NULL);
		ret(j);
		return;
	case IR_REDEEM: {
		gcc_jit_rvalue *stop = call(j, RT_JH_REDEEM, reg(j, o->b), NULL, NULL);
		gcc_jit_block *end = block(j), *go = block(j);
		gcc_jit_block_end_with_conditional(j->cur, NULL, isnt(j, stop, 0), end, go);
		j->cur = end;
		ret(j);
		j->cur = go;
		return;
	}
	case IR_OP_COUNT: break;
	}
	if (!j->bad[0])
		snprintf(j->bad, sizeof j->bad, "routine \"%s\": unknown op %u at %" PRIu32, j->rt->name, o->op, pc);
}

/* The body of routine `rt` into function `fn`. `with_event`: the routine
 * runs on an event (vm->ev is set), else on none (the day, a metric). */
static bool routine(jit *j, const ir_routine *rt, gcc_jit_function *fn, bool with_event)
{
	j->rt = rt;
	j->fn = fn;
	j->vm = gcc_jit_param_as_rvalue(gcc_jit_function_get_param(fn, 0));
	j->ntmp = 0;
	j->R = calloc(rt->nregs ? rt->nregs : 1, sizeof *j->R);
	j->at = calloc(rt->nops ? rt->nops : 1, sizeof *j->at);
	if (!j->R || !j->at) {
		free(j->R);
		free(j->at);
		snprintf(j->bad, sizeof j->bad, "out of memory");
		return false;
	}
	gcc_jit_block *entry = block(j);
	j->cur = entry;
	for (uint32_t i = 0; i < rt->nregs; i++) {
		char name[24];
		snprintf(name, sizeof name, "r%u", i);
		j->R[i] = gcc_jit_function_new_local(fn, NULL, j->t_i64, name);
		set(j, j->R[i], K(j, 0));
	}
	j->ev = gcc_jit_function_new_local(fn, NULL, j->t_bytes, "ev");
	j->elem = gcc_jit_function_new_local(fn, NULL, j->t_bytes, "elem");
	j->st = gcc_jit_function_new_local(fn, NULL, j->t_bytes, "st");
	if (with_event) {
		gcc_jit_rvalue *e = rv(mem(j, j->vm, offsetof(rt_vm, ev), j->t_bytes));
		set(j, j->ev, rv(mem(j, e, offsetof(rt_event, values), j->t_bytes)));
	} else {
		set(j, j->ev, gcc_jit_context_null(j->ctx, j->t_bytes));
	}
	reload_elem(j);
	set(j, j->st, rv(mem(j, j->vm, offsetof(rt_vm, st), j->t_bytes)));

	/* blocks: the first op, every jump target, every op after a jump or an end */
	for (uint32_t i = 0; i < rt->nops; i++) {
		uint16_t o = rt->ops[i].op;
		bool ends = o == IR_RET || o == IR_REFUSE || is_jump(o);
		if (is_jump(o) && rt->ops[i].imm >= 0 && rt->ops[i].imm < (int64_t)rt->nops && !j->at[rt->ops[i].imm])
			j->at[rt->ops[i].imm] = block(j);
		if (ends && i + 1 < rt->nops && !j->at[i + 1])
			j->at[i + 1] = block(j);
	}
	if (rt->nops && !j->at[0])
		j->at[0] = block(j);
	for (uint32_t i = 0; i < rt->nops && !j->bad[0]; i++) {
		if (j->at[i]) {
			if (j->cur)
				gcc_jit_block_end_with_jump(j->cur, NULL, j->at[i]);
			j->cur = j->at[i];
		}
		if (!j->cur)
			continue; /* cannot happen: the op after an end begins a block */
		op(j, i);
	}
	if (j->cur)
		ret(j);
	free(j->R);
	free(j->at);
	j->R = NULL;
	j->at = NULL;
	return !j->bad[0];
}

static gcc_jit_function *declare(jit *j, const char *name)
{
	gcc_jit_param *vm = gcc_jit_context_new_param(j->ctx, NULL, j->t_bytes, "vm");
	return gcc_jit_context_new_function(j->ctx, NULL, GCC_JIT_FUNCTION_EXPORTED, j->t_i64, name, 1, &vm, 0);
}

static void types(jit *j)
{
	gcc_jit_context *c = j->ctx;
	j->t_void = gcc_jit_context_get_type(c, GCC_JIT_TYPE_VOID);
	j->t_i64 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT64_T);
	j->t_u64 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_UINT64_T);
	j->t_i32 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT32_T);
	j->t_u32 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_UINT32_T);
	j->t_i128 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT128_T);
	j->t_u8 = gcc_jit_context_get_type(c, GCC_JIT_TYPE_UINT8_T);
	j->t_bool = gcc_jit_context_get_type(c, GCC_JIT_TYPE_BOOL);
	j->t_int = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT);
	j->t_size = gcc_jit_context_get_type(c, GCC_JIT_TYPE_SIZE_T);
	j->t_bytes = gcc_jit_type_get_pointer(j->t_u8);
	gcc_jit_type *params[4] = {j->t_bytes, j->t_i64, j->t_i64, j->t_i64};
	j->t_helper = gcc_jit_context_new_function_ptr_type(c, NULL, j->t_i64, 4, params, 0);
}

/* The object's exported names. */
static void fn_name(char *buf, size_t cap, const char *kind, uint32_t i)
{
	snprintf(buf, cap, "ludic_%s_%" PRIu32, kind, i);
}

/* Builds everything into j->ctx. False with j->bad set on an IR it cannot take. */
static bool build(jit *j)
{
	const rt_program *p = j->p;
	types(j);
	j->helpers = gcc_jit_context_new_global(j->ctx, NULL, GCC_JIT_GLOBAL_EXPORTED,
						gcc_jit_type_get_pointer(j->t_helper), "ludic_jit_helpers");
	j->memcmp = gcc_jit_context_get_builtin_function(j->ctx, "__builtin_memcmp");

	/* the ABI stamp: const char *ludic_jit_abi(void) */
	char stamp[1024];
	abi_stamp(stamp, sizeof stamp);
	gcc_jit_function *abi = gcc_jit_context_new_function(j->ctx, NULL, GCC_JIT_FUNCTION_EXPORTED,
							     gcc_jit_context_get_type(j->ctx, GCC_JIT_TYPE_CONST_CHAR_PTR),
							     "ludic_jit_abi", 0, NULL, 0);
	gcc_jit_block_end_with_return(gcc_jit_function_new_block(abi, NULL), NULL,
				      gcc_jit_context_new_string_literal(j->ctx, stamp));

	uint32_t nrec = p->r->nrecords, nlad = p->r->nladders;
	j->events = calloc(nrec ? nrec : 1, sizeof *j->events);
	j->metrics = calloc(nlad ? nlad : 1, sizeof *j->metrics);
	if (!j->events || !j->metrics) {
		snprintf(j->bad, sizeof j->bad, "out of memory");
		return false;
	}
	char name[64];
	for (uint32_t l = 0; l < nlad; l++) {
		fn_name(name, sizeof name, "metric", l);
		j->metrics[l] = declare(j, name);
	}
	for (uint32_t e = 0; e < nrec; e++) {
		if (!p->events[e].nops)
			continue;
		fn_name(name, sizeof name, "event", e);
		j->events[e] = declare(j, name);
	}
	j->day = declare(j, "ludic_day");

	bool ok = true;
	for (uint32_t l = 0; l < nlad && ok; l++)
		ok = routine(j, &p->metrics[l], j->metrics[l], false);
	for (uint32_t e = 0; e < nrec && ok; e++)
		if (j->events[e])
			ok = routine(j, &p->events[e], j->events[e], true);
	if (ok)
		ok = routine(j, &p->day, j->day, false);
	if (ok && rt_jit_test_break) {
		/* an invalid operation: adding a pointer to an integer */
		gcc_jit_block *b = gcc_jit_function_new_block(j->day, NULL);
		gcc_jit_block_add_eval(b, NULL, bin(j, GCC_JIT_BINARY_OP_PLUS, j->t_i64, K(j, 1),
						    gcc_jit_context_null(j->ctx, j->t_bytes)));
		gcc_jit_block_end_with_return(b, NULL, K(j, 0));
	}
	return ok;
}

static void ice(char *err, size_t cap, const char *what)
{
	snprintf(err, cap, "internal compiler error in the native back end: %s; please report it with the program",
		 what && *what ? what : "libgccjit failed without saying why");
}

/* LUDIC_JIT_DUMP=dir: the context as C-like text and as a reproducer. */
static void dump(gcc_jit_context *ctx)
{
	const char *dir = getenv("LUDIC_JIT_DUMP");
	if (!dir || !*dir)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/ludic-jit.c", dir);
	gcc_jit_context_dump_to_file(ctx, path, 1);
	snprintf(path, sizeof path, "%s/ludic-jit-reproducer.c", dir);
	gcc_jit_context_dump_reproducer_to_file(ctx, path);
}

/* LUDIC_JIT_DUMP=dir: a copy of the compiled object, for objdump. */
static void dump_object(const char *so_path)
{
	const char *dir = getenv("LUDIC_JIT_DUMP");
	if (!dir || !*dir)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/ludic-jit.so", dir);
	FILE *in = fopen(so_path, "rb"), *out = in ? fopen(path, "wb") : NULL;
	char chunk[65536];
	size_t n;
	while (out && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
		fwrite(chunk, 1, n, out);
	if (out)
		fclose(out);
	if (in)
		fclose(in);
}

/* LeakSanitizer, when the process runs under it: libgccjit keeps some of
 * GCC's memory for good, which is not ours to free; what is allocated while
 * this thread compiles is not reported as leaked. Weak: absent otherwise. */
extern void __lsan_disable(void) __attribute__((weak));
extern void __lsan_enable(void) __attribute__((weak));

static bool compile(const rt_program *p, int opt_level, const char *so_path, char *err, size_t cap);

bool rt_jit_compile(const rt_program *p, int opt_level, const char *so_path, char *err, size_t cap)
{
	if (__lsan_disable)
		__lsan_disable();
	bool ok = compile(p, opt_level, so_path, err, cap);
	if (__lsan_enable)
		__lsan_enable();
	return ok;
}

static bool compile(const rt_program *p, int opt_level, const char *so_path, char *err, size_t cap)
{
	jit j = {.p = p};
	j.ctx = gcc_jit_context_acquire();
	if (!j.ctx) {
		ice(err, cap, "libgccjit could not make a context");
		return false;
	}
	gcc_jit_context_set_int_option(j.ctx, GCC_JIT_INT_OPTION_OPTIMIZATION_LEVEL, opt_or_default(opt_level));
	gcc_jit_context_set_bool_allow_unreachable_blocks(j.ctx, 1);
	gcc_jit_context_set_bool_print_errors_to_stderr(j.ctx, 0);
	gcc_jit_context_add_command_line_option(j.ctx, "-fno-strict-aliasing");
	bool ok = build(&j);
	if (!ok) {
		char what[300];
		snprintf(what, sizeof what, "the program's code cannot be translated (%s)", j.bad);
		ice(err, cap, what);
	} else {
		dump(j.ctx);
		const char *e = gcc_jit_context_get_first_error(j.ctx);
		if (!e) {
			gcc_jit_context_compile_to_file(j.ctx, GCC_JIT_OUTPUT_KIND_DYNAMIC_LIBRARY, so_path);
			e = gcc_jit_context_get_first_error(j.ctx);
			if (!e)
				dump_object(so_path);
		}
		if (e) {
			ice(err, cap, e);
			ok = false;
		}
	}
	free(j.events);
	free(j.metrics);
	gcc_jit_context_release(j.ctx);
	return ok;
}

/* ---- loading ---- */

rt_native *rt_jit_bind(const rt_program *p, void *dl, char *err, size_t cap)
{
	const char *(*abi)(void);
	*(void **)&abi = dlsym(dl, "ludic_jit_abi");
	const rt_jit_helper **helpers = dlsym(dl, "ludic_jit_helpers");
	if (!abi || !helpers) {
		snprintf(err, cap, "the compiled program is not native code made by ludic (no ABI stamp); "
				   "delete it (or the cache folder) and it will be compiled again");
		return NULL;
	}
	char want[1024];
	abi_stamp(want, sizeof want);
	const char *have = abi();
	if (strcmp(have, want) != 0) {
		snprintf(err, cap, "the compiled program was made by another build of ludic or libgccjit "
				   "(its stamp is \"%.150s\"); it will be compiled again", have);
		return NULL;
	}
	uint32_t nrec = p->r->nrecords, nlad = p->r->nladders;
	rt_native *n = calloc(1, sizeof *n);
	if (n) {
		n->events = calloc(nrec ? nrec : 1, sizeof *n->events);
		n->metrics = calloc(nlad ? nlad : 1, sizeof *n->metrics);
	}
	if (!n || !n->events || !n->metrics) {
		if (n) {
			free(n->events);
			free(n->metrics);
		}
		free(n);
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	char name[64];
	const char *missing = NULL;
	for (uint32_t e = 0; e < nrec && !missing; e++) {
		if (!p->events[e].nops)
			continue;
		fn_name(name, sizeof name, "event", e);
		*(void **)&n->events[e] = dlsym(dl, name);
		if (!n->events[e])
			missing = name;
	}
	for (uint32_t l = 0; l < nlad && !missing; l++) {
		fn_name(name, sizeof name, "metric", l);
		*(void **)&n->metrics[l] = dlsym(dl, name);
		if (!n->metrics[l])
			missing = name;
	}
	if (!missing) {
		*(void **)&n->day = dlsym(dl, "ludic_day");
		if (!n->day)
			missing = "ludic_day";
	}
	if (missing) {
		snprintf(err, cap, "the compiled program was made for another program (it has no %s); "
				   "it will be compiled again", missing);
		free(n->events);
		free(n->metrics);
		free(n);
		return NULL;
	}
	*helpers = rt_jit_helpers;
	n->dl = dl;
	return n;
}

/* ---- the key ---- */

static void key_str(FILE *out, const char *s, uint32_t len)
{
	fprintf(out, "%" PRIu32 ":", len);
	fwrite(s, 1, len, out);
	fputc('\n', out);
}

static void key_routine(FILE *out, const char *what, const ir_routine *r)
{
	fprintf(out, "routine %s nregs %" PRIu32 " nops %" PRIu32 "\n", what, r->nregs, r->nops);
	for (uint32_t i = 0; i < r->nops; i++) {
		const ir_op *o = &r->ops[i];
		fprintf(out, "%u %" PRId32 " %" PRId32 " %" PRId32 " %" PRId64 "\n", o->op, o->a, o->b, o->c, o->imm);
	}
}

bool rt_jit_key_text(const rt_program *p, int opt_level, FILE *out)
{
	char stamp[1024];
	abi_stamp(stamp, sizeof stamp);
	fprintf(out, "abi %s\nopt %d\n", stamp, opt_or_default(opt_level));
	fprintf(out, "records %" PRIu32 " ladders %" PRIu32 "\n", p->r->nrecords, p->r->nladders);
	for (uint32_t e = 0; e < p->r->nrecords; e++) {
		char what[32];
		snprintf(what, sizeof what, "event %" PRIu32, e);
		if (p->events[e].nops)
			key_routine(out, what, &p->events[e]);
	}
	key_routine(out, "day", &p->day);
	for (uint32_t l = 0; l < p->r->nladders; l++) {
		char what[32];
		snprintf(what, sizeof what, "metric %" PRIu32, l);
		key_routine(out, what, &p->metrics[l]);
	}
	/* constants: inlined strings are literals in the code; the rest is read
	 * through the program at run time, but kept here all the same */
	fprintf(out, "strs %" PRIu32 "\n", p->nstrs);
	for (uint32_t i = 0; i < p->nstrs; i++)
		key_str(out, p->strs[i], p->strlens[i]);
	fprintf(out, "sets %" PRIu32 "\n", p->nsets);
	for (uint32_t i = 0; i < p->nsets; i++) {
		fprintf(out, "set %" PRIu32 " n %" PRIu32 "\n", i, p->sets[i].n);
		for (uint32_t k = 0; k < p->sets[i].n; k++)
			key_str(out, p->sets[i].s[k], p->sets[i].len[k]);
	}
	fprintf(out, "masks %" PRIu32 "\n", p->nmasks);
	for (uint32_t i = 0; i < p->nmasks; i++)
		fprintf(out, "%" PRIu64 "\n", p->masks[i]);
	fprintf(out, "templates %" PRIu32 "\n", p->ntemplates);
	for (uint32_t i = 0; i < p->ntemplates; i++)
		key_str(out, p->templates[i] ? p->templates[i] : "", p->templates[i] ? (uint32_t)strlen(p->templates[i]) : 0);
	fprintf(out, "nargs %" PRIu32 "\n", p->nnargs);
	for (uint32_t i = 0; i < p->nnargs; i++) {
		const rt_lay_narg *d = &p->nargs[i];
		fprintf(out, "narg %d %" PRId32 " %" PRId32 " %" PRIu32 " ", (int)d->kind, d->en, d->ladder, d->slot);
		key_str(out, d->key ? d->key : "", d->key ? (uint32_t)strlen(d->key) : 0);
	}
	/* the layout the code reads at constant offsets */
	fprintf(out, "layout state %" PRIu32 " staff %" PRIu32 " hdr %" PRIu32 " overlay %" PRIu32 " badges %" PRIu32
		     " recent %" PRIu32 " staff_hdr %" PRIu32 " staff_days %d day_each %d\n",
		p->state_size, p->staff_size, p->off_hdr, p->off_overlay, p->off_badges, p->off_recent,
		p->off_staff_hdr, p->staff_days, p->day_each);
	for (uint32_t l = 0; l < p->r->nladders; l++)
		fprintf(out, "ladder %" PRIu32 " off %" PRIu32 "\n", l, p->ladders[l].off);
	return !ferror(out);
}
