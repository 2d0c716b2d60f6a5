/* native_none.c — the native back end of a build without libgccjit: there
 * is none, and rt_native_load says so. The engine keeps running on the
 * interpreter (runtime/native.h). */
#include "native.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rt_native *rt_native_load(const rt_program *p, const rt_native_options *o, rt_native_info *info)
{
	(void)p;
	(void)o;
	memset(info, 0, sizeof *info);
	snprintf(info->error, sizeof info->error,
		 "this build of ludic has no native back end (libgccjit was not found when it was built; "
		 "install libgccjit-12-dev and rebuild)");
	return NULL;
}

void rt_native_free(rt_native *n)
{
	(void)n;
}

bool rt_native_available(void)
{
	return false;
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
