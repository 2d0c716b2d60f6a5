/* native.c — runtime/native.h with libgccjit: rt_native_load compiles the
 * program (compiler/jit.c) into a private shared object, loads it and binds
 * it. The object file is removed as soon as it is loaded: nothing is left
 * on disk. The cache of compiled programs (compiler/cache.c) plugs in here.
 */
#define _POSIX_C_SOURCE 200809L
#include "../runtime/native.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jit.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Compiles `p` into a fresh private file, loads and binds it. */
static rt_native *compile_and_load(const rt_program *p, int opt_level, char *err, size_t cap)
{
	const char *tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/ludic-native-XXXXXX", tmpdir) >= sizeof path) {
		snprintf(err, cap, "the temporary folder's name is too long ($TMPDIR)");
		return NULL;
	}
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, cap, "cannot make a temporary file in %s for the native code (%s); "
				   "set TMPDIR to a writable folder", tmpdir, strerror(errno));
		return NULL;
	}
	close(fd);
	rt_native *n = NULL;
	if (rt_jit_compile(p, opt_level, path, err, cap)) {
		void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!dl) {
			const char *why = dlerror();
			snprintf(err, cap, "cannot load the compiled program (%s)", why ? why : "dlopen failed");
		} else {
			n = rt_jit_bind(p, dl, err, cap);
			if (!n)
				dlclose(dl);
		}
	}
	unlink(path);
	return n;
}

rt_native *rt_native_load(const rt_program *p, const rt_native_options *o, rt_native_info *info)
{
	memset(info, 0, sizeof *info);
	double t0 = now_ms();
	int opt = o ? o->opt_level : 0;
	/* The cache (compiler/cache.c) plugs in here: unless o->no_cache, hash
	 * rt_jit_key_text(p, opt) into a content address under o->cache_dir
	 * (or rt_native_default_cache_dir), dlopen + rt_jit_bind the object
	 * found there (info->from_cache = true), else compile to a temporary
	 * file in that folder and rename it into place before loading it. */
	rt_native *n = compile_and_load(p, opt, info->error, sizeof info->error);
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

bool rt_native_default_cache_dir(char *buf, size_t cap)
{
	const char *d = getenv("LUDIC_CACHE_DIR");
	if (d && *d)
		return (size_t)snprintf(buf, cap, "%s", d) < cap;
	d = getenv("XDG_CACHE_HOME");
	if (d && *d)
		return (size_t)snprintf(buf, cap, "%s/ludic", d) < cap;
	d = getenv("HOME");
	if (d && *d)
		return (size_t)snprintf(buf, cap, "%s/.cache/ludic", d) < cap;
	return false;
}
