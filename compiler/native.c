/* native.c — runtime/native.h with libgccjit: rt_native_load names the
 * program's native code by its content (rt_jit_key_text, hashed), asks the
 * cache (compiler/cache.c) for it — which loads a valid entry, or compiles
 * (compiler/jit.c, rt_jit_compile) and keeps the result — and binds the
 * loaded object (rt_jit_bind). With no_cache the object is compiled into a
 * private file, loaded and deleted.
 */
#define _POSIX_C_SOURCE 200809L
#include "../runtime/native.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "jit.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* What the cache's build function needs. */
typedef struct build_ctx {
	const rt_program *p;
	int opt_level;
} build_ctx;

static bool build(void *user, const char *path, char *err, size_t cap)
{
	const build_ctx *b = user;
	return rt_jit_compile(b->p, b->opt_level, path, err, cap);
}

/* The content address of p's native code: a hash of everything the code
 * depends on (rt_jit_key_text). */
static bool program_key(const rt_program *p, int opt_level, rt_cache_key *key, char *err, size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	bool ok = m && rt_jit_key_text(p, opt_level, m);
	if (m && fclose(m) != 0)
		ok = false;
	if (ok)
		*key = rt_cache_key_of(text, len);
	else
		snprintf(err, cap, "out of memory while naming the compiled program");
	free(text);
	return ok;
}

rt_native *rt_native_load(const rt_program *p, const rt_native_options *o, rt_native_info *info)
{
	memset(info, 0, sizeof *info);
	double t0 = now_ms();
	build_ctx b = {p, o ? o->opt_level : 0};
	rt_cache_key key;
	if (!program_key(p, b.opt_level, &key, info->error, sizeof info->error))
		return NULL;
	void *dl;
	if (o && o->no_cache) {
		dl = rt_cache_open_uncached(key, build, &b, info->error, sizeof info->error);
	} else {
		rt_cache_result res;
		dl = rt_cache_open(o ? o->cache_dir : NULL, key, build, &b, &res, info->error, sizeof info->error);
		info->from_cache = dl && res.hit;
		if (res.warning[0])
			snprintf(info->warning, sizeof info->warning, "%s", res.warning);
		else if (res.rebuilt_reason[0])
			snprintf(info->warning, sizeof info->warning, "%s", res.rebuilt_reason);
	}
	rt_native *n = NULL;
	if (dl) {
		n = rt_jit_bind(p, dl, info->error, sizeof info->error);
		if (!n)
			dlclose(dl);
	}
	info->ms = now_ms() - t0;
	return n;
}

void rt_native_free(rt_native *n)
{
	if (!n)
		return;
	if (n->dl)
		dlclose(n->dl);
	free(n->events);
	free(n->metrics);
	free(n);
}

bool rt_native_available(void)
{
	return true;
}
