/* native_none.c — the native back end of a build without libgccjit: there
 * is none, and rt_native_load says so. The engine keeps running on the
 * interpreter (runtime/native.h). */
#include "native.h"

#include <stdio.h>
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
