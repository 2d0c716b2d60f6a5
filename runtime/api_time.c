/* api_time.c — the public time functions of include/ludic.h: parsing and
 * showing times as the program's time zone has them. Thin wrappers on
 * runtime/clock.c, so that tools and embedders never redo calendar
 * arithmetic (and never guess a zone's offset around a clock change). */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "engine.h"
#include "ludic.h"

ludic_status ludic_time_parse(const char *s, size_t len, long long *t, char *why, size_t why_cap)
{
	if (!s || !t) {
		if (why && why_cap)
			snprintf(why, why_cap, "no time given");
		return LUDIC_ERR_USAGE;
	}
	clk_error err;
	int64_t v;
	if (!clk_parse_rfc3339(s, len, &v, &err)) {
		if (why && why_cap)
			snprintf(why, why_cap, "%s", err.msg);
		return LUDIC_ERR_USAGE;
	}
	*t = v;
	return LUDIC_OK;
}

size_t ludic_program_format_time(const ludic_program *p, long long t, bool date_only, char *buf, size_t cap)
{
	char text[32];
	const clk_zone *z = p ? rt_program_zone(p->rp) : NULL;
	size_t n = clk_format_rfc3339(t, z ? clk_zone_offset(z, t) : 0, text);
	if (n && date_only)
		n = 10; /* YYYY-MM-DD: the local date is the text's first ten bytes */
	text[n] = 0;
	if (buf && cap) {
		size_t k = n < cap ? n : cap - 1;
		memcpy(buf, text, k);
		buf[k] = 0;
	}
	return n;
}
