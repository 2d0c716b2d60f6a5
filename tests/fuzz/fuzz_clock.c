/* fuzz_clock.c — libFuzzer target: the time library on arbitrary bytes.
 *
 * Build: CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *        ninja -C build-fuzz fuzz_clock
 * Run:   build-fuzz/fuzz_clock -max_total_time=60 CORPUS_DIR   (./do fuzz runs it)
 *
 * The first byte picks what the rest is fed to: an RFC 3339 timestamp, a
 * date, an ISO 8601 duration, or a TZif file (events and zone files come
 * from outside, so none of them may crash the runtime). Beyond "no crash",
 * the target checks the contracts that can be stated without an oracle:
 *   - a parsed timestamp formats back and parses to the same instant;
 *   - a failed parse leaves a reason;
 *   - in a zone loaded from bytes, a period starts at or before every
 *     instant in it, and its start belongs to it. (That an instant lies
 *     before the next period's start is not checked: when clocks go back
 *     across local midnight, a local date happens twice, and the next date's
 *     first occurrence comes before the repeat; see clk_period_index.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static void check(int ok)
{
	if (!ok)
		abort(); /* libFuzzer saves the input that broke a contract */
}

static void timestamp(const char *s, size_t len)
{
	int64_t t = 0;
	clk_error err;
	if (!clk_parse_rfc3339(s, len, &t, &err)) {
		check(err.msg[0] != '\0');
		return;
	}
	char buf[32];
	size_t n = clk_format_rfc3339(t, 0, buf);
	if (n == 0) /* outside 0000-9999: nothing to compare */
		return;
	int64_t back = 0;
	check(clk_parse_rfc3339(buf, n, &back, &err));
	check(back == t);
}

static void date(const char *s, size_t len)
{
	int64_t days = 0;
	clk_error err;
	if (!clk_parse_date(s, len, &days, &err))
		check(err.msg[0] != '\0');
}

static void duration(const char *s, size_t len)
{
	int64_t secs = 0;
	clk_error err;
	if (clk_parse_duration(s, len, &secs, &err))
		check(secs >= 0);
	else
		check(err.msg[0] != '\0');
}

static void zone(const uint8_t *data, size_t len)
{
	clk_error err;
	clk_zone *z = clk_zone_from_tzif("fuzz", data, len, &err);
	if (!z) {
		check(err.msg[0] != '\0');
		return;
	}
	/* a few instants around now and far away */
	static const int64_t instants[] = {0, 1700000000, 1803000000, 4102444800, -2208988800};
	for (size_t i = 0; i < sizeof instants / sizeof *instants; i++) {
		int64_t t = instants[i];
		int32_t off = clk_zone_offset(z, t);
		check(off > -26 * 3600 && off < 26 * 3600);
		for (clk_unit u = CLK_DAY; u <= CLK_YEAR; u++) {
			int64_t idx = clk_period_index(z, t, u);
			int64_t start = clk_period_start(z, u, idx);
			check(start <= t);
			check(clk_period_index(z, start, u) == idx);
		}
	}
	clk_zone_free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *s = (const char *)data + 1;
	size_t len = size - 1;
	switch (data[0] % 4) {
	case 0: timestamp(s, len); break;
	case 1: date(s, len); break;
	case 2: duration(s, len); break;
	default: zone(data + 1, len); break;
	}
	return 0;
}
