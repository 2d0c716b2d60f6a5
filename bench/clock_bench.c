/* clock_bench.c — ns per call of the time functions the engine calls per
 * event: clk_period_index, clk_zone_offset, clk_parse_rfc3339, for
 * Europe/Paris within its transition table (2027) and past it (2100, where
 * the zone's footer rule is computed).
 *
 *   ninja -C build clock-bench && build/clock-bench
 *
 * A measurement, not a test: run it on a quiet machine, several times, and
 * compare figures from one session. */
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "bench.h"

static int64_t at(const char *s)
{
	int64_t t;
	clk_error err;
	if (!clk_parse_rfc3339(s, 20, &t, &err)) {
		fprintf(stderr, "clock-bench: %s: %s\n", s, err.msg);
		exit(1);
	}
	return t;
}

int main(void)
{
	clk_error err;
	clk_zone *z = clk_zone_load("Europe/Paris", &err);
	if (!z) {
		fprintf(stderr, "clock-bench: Europe/Paris: %s\n", err.msg);
		return 1;
	}
	enum { N = 2000000 };
	const int64_t bases[] = {at("2027-01-01T00:00:00Z"), at("2100-01-01T00:00:00Z")};
	int64_t sum = 0;
	for (int b = 0; b < 2; b++) {
		double t0 = bench_now();
		for (int i = 0; i < N; i++)
			sum += clk_period_index(z, bases[b] + (int64_t)i * 15, CLK_WEEK);
		double per_index = (bench_now() - t0) * 1e9 / N;
		t0 = bench_now();
		for (int i = 0; i < N; i++)
			sum += clk_zone_offset(z, bases[b] + (int64_t)i * 15);
		double per_offset = (bench_now() - t0) * 1e9 / N;
		t0 = bench_now();
		int64_t t;
		for (int i = 0; i < N / 4; i++) {
			clk_parse_rfc3339("2027-03-28T14:05:00.123+02:00", 29, &t, NULL);
			sum += t;
		}
		double per_parse = (bench_now() - t0) * 1e9 / (N / 4);
		printf("%s: clk_period_index %.1f ns, clk_zone_offset %.1f ns, clk_parse_rfc3339 %.1f ns\n",
		       b ? "2100 (footer rule)" : "2027 (table)", per_index, per_offset, per_parse);
	}
	printf("(checksum %lld)\n", (long long)(sum & 0xff));
	clk_zone_free(z);
	return 0;
}
