/* native.h — a lowered program as native code: the seam between the
 * engine (runtime/engine.c, which decides when to use it) and the native
 * back end (compiler/jit.c: IR to libgccjit; compiler/cache.c: compiled
 * programs kept on disk by content).
 *
 * The native code runs the same routines as the interpreter (runtime/vm.c),
 * translated op by op: every decision (folding, fusion, layout) was taken
 * on the IR, once, for both. Once an rt_exec has x->native set,
 * rt_exec_event, rt_exec_days and rt_exec_days_each run it instead of
 * interpreting; the effects and the record are the same, byte for byte.
 *
 * Built without libgccjit, runtime/native_none.c stands in: rt_native_load
 * always fails with a message that says so.
 */
#ifndef LUDIC_RT_NATIVE_H
#define LUDIC_RT_NATIVE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rt_program rt_program;
typedef struct rt_native rt_native;

typedef struct rt_native_options {
	const char *cache_dir;  /* NULL: the default (rt_native_default_cache_dir) */
	bool no_cache;          /* compile, neither reading nor writing the cache */
	int opt_level;          /* gcc -O level; 0 means the default, 2 */
} rt_native_options;

typedef struct rt_native_info {
	double ms;              /* wall time rt_native_load took */
	bool from_cache;        /* loaded from the cache (no compile) */
	char error[512];        /* on failure: why, in words ("internal compiler error: ...") */
	char warning[1024];     /* the cache could not be used, or an entry was damaged and rebuilt; "" if not */
} rt_native_info;

/* Native code for `p`, from the cache or compiled (and then kept in the
 * cache). Safe to call from any thread, any number at once, while other
 * threads run `p` on the interpreter: `p` is only read. Returns NULL on
 * failure, with info->error filled. */
rt_native *rt_native_load(const rt_program *p, const rt_native_options *o, rt_native_info *info);
void rt_native_free(rt_native *n);

/* True when this build has a native back end. */
bool rt_native_available(void);

/* The default cache folder into `buf`: $LUDIC_CACHE_DIR, else
 * $XDG_CACHE_HOME/ludic, else $HOME/.cache/ludic; false if none applies. */
bool rt_native_default_cache_dir(char *buf, size_t cap);

#endif
