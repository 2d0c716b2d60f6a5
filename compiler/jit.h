/* jit.h — the native back end: a lowered program (compiler/ir.h) to native
 * code with libgccjit, one C-callable function per routine, in a shared
 * object that can be kept on disk and loaded by another process.
 *
 * The generated code embeds no address of this process: the helpers it
 * calls (the interpreter's own, runtime/vm.c and runtime/mech.c) are
 * reached through a table the loader hands over (rt_jit_bind), and the
 * program's constants are either literals in the code or read through the
 * rt_program at run time. An ABI stamp in the object names everything the
 * code assumes of this build (struct sizes and offsets, versions); an
 * object with another stamp is refused.
 *
 * docs/design/native.md explains the translation and how to debug it.
 * This header does not need libgccjit: vm.c includes it to run the code.
 */
#ifndef LUDIC_JIT_H
#define LUDIC_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../runtime/mech.h"
#include "../runtime/native.h"

/* Every routine becomes `int64_t f(rt_vm *vm)`: it runs the routine on the
 * call's context and returns register 0 (a metric routine's result). */
typedef int64_t (*rt_jit_fn)(rt_vm *vm);

/* What rt_jit_bind makes. */
struct rt_native {
	void *dl;             /* the dlopen handle; rt_native_free dlcloses it */
	rt_jit_fn *events;    /* per event record (p->r->nrecords); NULL: no routine */
	rt_jit_fn day;        /* the day routine, or NULL */
	rt_jit_fn *metrics;   /* per ladder */
};

/* The helpers native code calls, all of one type: the call's context and
 * up to three integer operands (which ones: the op's, see vm.c). The table
 * lives in runtime/vm.c, next to the interpreter cases it shares code with. */
typedef int64_t (*rt_jit_helper)(rt_vm *vm, int64_t a, int64_t b, int64_t c);

#define RT_JIT_HELPERS(X) \
	X(MULS) X(DIVS) X(SEQF) X(SEQE) X(SEQ2) X(SINF) X(SINE) X(SSETF) X(SSETE) X(LSCAN) \
	X(BALANCE) X(HASBAL) X(EARNED) X(WINSUM) X(VARIANT) X(WINADD) X(TSEEN) X(TAFTER) \
	X(TSTASH) X(TLOAD) X(TIMER_HAS) X(PREC) X(STAFF) X(CAPLEFT) X(CAPUSE) X(BUDLEFT) X(BUDUSE) \
	X(AWARD) X(DEBIT) X(BADGE) X(NARG) X(NARGS) X(NOTIFY) X(MAT) X(MSTART) X(MADV) X(MDONE) \
	X(SADV) X(SDONE) X(EXPIRE) X(RELEASE) X(TDUE) X(LADUP) X(REVIEW) X(REVIEW_DUE) X(MDEAD) \
	X(RETURN) X(FINDITEM) X(REFUSE) X(REDEEM)

typedef enum {
#define RT_JH_ENUM(n) RT_JH_##n,
	RT_JIT_HELPERS(RT_JH_ENUM)
#undef RT_JH_ENUM
	RT_JH_COUNT
} rt_jit_helper_id;

extern const rt_jit_helper rt_jit_helpers[RT_JH_COUNT]; /* runtime/vm.c */

/* Compiles every routine of `p` (its event routines, the day routine, the
 * metric routines) into one shared object at `so_path`, at gcc -O`opt_level`
 * (0: the default, 2). Returns false with a message in `err` (an internal
 * compiler error carrying libgccjit's first error) if it could not. */
bool rt_jit_compile(const rt_program *p, int opt_level, const char *so_path, char *err, size_t cap);

/* Native code for `p` from an object rt_jit_compile made for it (or for a
 * program with the same key text), dlopen'ed by the caller: checks its ABI
 * stamp, gives it the helper table, finds each routine's function. On
 * success the rt_native owns `dl_handle` (rt_native_free dlcloses it); on
 * failure (NULL, message in `err`) the caller still owns it. */
rt_native *rt_jit_bind(const rt_program *p, void *dl_handle, char *err, size_t cap);

/* Writes, as text, everything the code rt_jit_compile makes for `p` at
 * `opt_level` depends on: the ABI stamp, libgccjit's version, the level,
 * every routine's ops, the constants (strings, sets, masks, templates,
 * notify arguments) and the layout (offsets and sizes). Two programs with
 * the same text get interchangeable code: the content address of a cached
 * object is a hash of it (compiler/cache.c). False on a write error. */
bool rt_jit_key_text(const rt_program *p, int opt_level, FILE *out);

/* The ABI stamp of this build (what rt_jit_bind expects), into `buf`. */
void rt_jit_abi_stamp(char *buf, size_t cap);

/* Tests only: when set, the translation emits an invalid operation, so
 * that libgccjit reports an error (the internal-error path). */
extern bool rt_jit_test_break;

#endif
