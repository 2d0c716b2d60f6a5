/* test_clock.c — unit tests of event time (runtime/clock.c): the calendar,
 * RFC 3339 and ISO 8601 text, TZif zones and their POSIX rules, calendar
 * periods in a zone, month arithmetic, bad input, and the cost per call.
 *
 * The zones come from the system's tzdata (/usr/share/zoneinfo); expected
 * instants were checked against Python's zoneinfo, and clock.offsets_match_glibc
 * compares every canonical zone with the C library's own reading of the same
 * files.
 */
#define _GNU_SOURCE /* tm_gmtoff */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

/* ---- helpers ------------------------------------------------------------------ */

/* An instant written in RFC 3339; the test fails if it does not parse. */
static int64_t T(const char *s)
{
	int64_t t = 0;
	clk_error err = {{0}, 0};
	cr_assert(clk_parse_rfc3339(s, strlen(s), &t, &err), "%s: %s", s, err.msg);
	return t;
}

static int64_t D(int64_t y, int m, int d)
{
	return clk_days_from_civil(y, m, d);
}

static clk_zone *Z(const char *name)
{
	clk_error err = {{0}, 0};
	clk_zone *z = clk_zone_load(name, &err);
	cr_assert_not_null(z, "%s: %s", name, err.msg);
	return z;
}

/* Reads a whole file into memory. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	unsigned char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A TZif v2 file with no transition, one local time type of `std` seconds
 * and the given footer rule: a way to test the POSIX rule parser alone. */
static size_t tzif_with_rule(unsigned char *buf, int32_t std, const char *rule)
{
	size_t n = 0;
	for (int block = 0; block < 2; block++) {
		memset(buf + n, 0, 44);
		memcpy(buf + n, "TZif2", 5);
		put32(buf + n + 36, 1); /* typecnt */
		put32(buf + n + 40, 4); /* charcnt */
		n += 44;
		put32(buf + n, (uint32_t)std);
		buf[n + 4] = 0;
		buf[n + 5] = 0;
		memcpy(buf + n + 6, "XYZ", 4);
		n += 10;
	}
	buf[n++] = '\n';
	size_t rl = strlen(rule);
	memcpy(buf + n, rule, rl);
	n += rl;
	buf[n++] = '\n';
	return n;
}

static clk_zone *rule_zone(int32_t std, const char *rule, clk_error *err)
{
	unsigned char buf[512];
	size_t n = tzif_with_rule(buf, std, rule);
	return clk_zone_from_tzif(rule, buf, n, err);
}

/* Local day length of day `day` in `z`, in seconds. */
static int64_t day_length(const clk_zone *z, int64_t day)
{
	return clk_period_start(z, CLK_DAY, day + 1) - clk_period_start(z, CLK_DAY, day);
}

/* ---- the calendar ----------------------------------------------------------------- */

Test(clock, leap_years)
{
	cr_assert(clk_is_leap(2024));
	cr_assert(clk_is_leap(2000));
	cr_assert(!clk_is_leap(2100));
	cr_assert(!clk_is_leap(1900));
	cr_assert(!clk_is_leap(2027));
	cr_assert(clk_is_leap(0));
	cr_assert(clk_is_leap(-4));
	cr_assert(!clk_is_leap(-100));
	cr_assert_eq(clk_days_in_month(2024, 2), 29);
	cr_assert_eq(clk_days_in_month(2100, 2), 28);
	cr_assert_eq(clk_days_in_month(2000, 2), 29);
	cr_assert_eq(clk_days_in_month(2027, 4), 30);
	cr_assert_eq(clk_days_in_month(2027, 12), 31);
	cr_assert_eq(clk_days_in_month(2027, 13), 0);
}

Test(clock, days_from_civil_known_days)
{
	cr_assert_eq(D(1970, 1, 1), 0);
	cr_assert_eq(D(1969, 12, 31), -1);
	cr_assert_eq(D(2000, 3, 1), 11017);
	cr_assert_eq(D(2024, 2, 29), 19782);
	cr_assert_eq(D(2024, 3, 1), 19783);
	cr_assert_eq(D(2100, 2, 28) + 1, D(2100, 3, 1)); /* no Feb 29 in 2100 */
	cr_assert_eq(D(2000, 2, 28) + 2, D(2000, 3, 1)); /* but one in 2000 */
	cr_assert_eq(D(1, 1, 1), -719162);
	cr_assert_eq(D(9999, 12, 31), 2932896);
	cr_assert_eq(D(0, 1, 1), -719528);
	cr_assert_eq(D(2027, 1, 4), 20822);
	/* the domain's ends are what the header says */
	cr_assert_eq(D(CLK_YEAR_MIN, 1, 1), CLK_DAYS_MIN);
	cr_assert_eq(D(CLK_YEAR_MAX, 12, 31), CLK_DAYS_MAX);
	cr_assert_eq(CLK_TIME_MIN, CLK_DAYS_MIN * 86400);
	cr_assert_eq(CLK_TIME_MAX, CLK_DAYS_MAX * 86400 + 86399);
}

Test(clock, out_of_range_fields_carry)
{
	cr_assert_eq(D(2026, 13, 1), D(2027, 1, 1));
	cr_assert_eq(D(2027, 0, 1), D(2026, 12, 1));
	cr_assert_eq(D(2027, -11, 1), D(2026, 1, 1));
	cr_assert_eq(D(2027, 3, 0), D(2027, 2, 28));
	cr_assert_eq(D(2027, 1, 32), D(2027, 2, 1));
}

Test(clock, civil_round_trip_every_day)
{
	/* Every day from year -1000 to 3000 follows its predecessor. */
	int64_t day = D(-1000, 1, 1);
	clk_date prev = clk_civil_from_days(day);
	cr_assert_eq(prev.year, -1000);
	cr_assert_eq(prev.month, 1);
	cr_assert_eq(prev.day, 1);
	for (day++; day <= D(3000, 12, 31); day++) {
		clk_date d = clk_civil_from_days(day);
		bool next_day = d.year == prev.year && d.month == prev.month && d.day == prev.day + 1;
		bool next_month = d.year == prev.year && d.month == prev.month + 1 && d.day == 1 &&
				  prev.day == clk_days_in_month(prev.year, prev.month);
		bool next_year = d.year == prev.year + 1 && d.month == 1 && d.day == 1 && prev.month == 12 &&
				 prev.day == 31;
		cr_assert(next_day || next_month || next_year, "day %lld", (long long)day);
		cr_assert_eq(D(d.year, d.month, d.day), day);
		prev = d;
	}
}

Test(clock, civil_round_trip_whole_domain)
{
	for (int64_t day = CLK_DAYS_MIN; day <= CLK_DAYS_MAX; day += 997) {
		clk_date d = clk_civil_from_days(day);
		cr_assert(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= clk_days_in_month(d.year, d.month));
		cr_assert_eq(D(d.year, d.month, d.day), day, "day %lld", (long long)day);
	}
	clk_date a = clk_civil_from_days(CLK_DAYS_MIN), b = clk_civil_from_days(CLK_DAYS_MAX);
	cr_assert(a.year == CLK_YEAR_MIN && a.month == 1 && a.day == 1);
	cr_assert(b.year == CLK_YEAR_MAX && b.month == 12 && b.day == 31);
	/* any int64 is safe (UBSan watches this in CI) */
	clk_date x = clk_civil_from_days(INT64_MAX), y = clk_civil_from_days(INT64_MIN);
	cr_assert(x.year > 0 && y.year < 0);
	cr_assert(D(INT64_MAX, 12, 31) > 0 && D(INT64_MIN, 1, 1) < 0);
	cr_assert(D(2027, INT32_MAX, INT32_MAX) > 0 && D(2027, INT32_MIN, INT32_MIN) < 0);
}

Test(clock, weekdays_and_iso_weeks)
{
	cr_assert_eq(clk_weekday(0), 4); /* Thursday 1970-01-01 */
	cr_assert_eq(clk_weekday(D(1969, 12, 29)), 1);
	cr_assert_eq(clk_weekday(D(2027, 1, 4)), 1);
	cr_assert_eq(clk_weekday(D(2027, 1, 3)), 7);
	cr_assert_eq(clk_weekday(D(1, 1, 1)), 1);
	int64_t y;
	int w;
	clk_iso_week(D(2027, 1, 4), &y, &w);
	cr_assert(y == 2027 && w == 1);
	clk_iso_week(D(2027, 1, 3), &y, &w);
	cr_assert(y == 2026 && w == 53, "%lld-W%d", (long long)y, w);
	clk_iso_week(D(2024, 12, 30), &y, &w);
	cr_assert(y == 2025 && w == 1);
	clk_iso_week(D(2021, 1, 3), &y, &w);
	cr_assert(y == 2020 && w == 53);
	clk_iso_week(D(2027, 12, 31), &y, &w);
	cr_assert(y == 2027 && w == 52);
}

/* ---- RFC 3339 ---------------------------------------------------------------------- */

Test(clock, rfc3339_good_forms)
{
	cr_assert_eq(T("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(T("2027-03-28T14:05:00Z"), D(2027, 3, 28) * 86400 + 14 * 3600 + 5 * 60);
	cr_assert_eq(T("2027-03-28T16:05:00+02:00"), T("2027-03-28T14:05:00Z"));
	cr_assert_eq(T("2027-03-28T08:35:00-05:30"), T("2027-03-28T14:05:00Z"));
	cr_assert_eq(T("2027-03-28t14:05:00z"), T("2027-03-28T14:05:00Z"));
	cr_assert_eq(T("2027-03-28 14:05:00Z"), T("2027-03-28T14:05:00Z"));
	cr_assert_eq(T("2027-03-28T14:05:00-00:00"), T("2027-03-28T14:05:00Z"));
	cr_assert_eq(T("2027-03-28T14:05:00.999999999Z"), T("2027-03-28T14:05:00Z")); /* truncated */
	cr_assert_eq(T("1969-12-31T23:59:59.5Z"), -1);                               /* down, not to zero */
	cr_assert_eq(T("2024-02-29T12:00:00Z"), D(2024, 2, 29) * 86400 + 43200);
	cr_assert_eq(T("2000-02-29T00:00:00Z"), D(2000, 2, 29) * 86400);
	cr_assert_eq(T("0001-01-01T00:00:00Z"), INT64_C(-62135596800));
	cr_assert_eq(T("9999-12-31T23:59:59Z"), INT64_C(253402300799));
	cr_assert_eq(T("0000-01-01T00:00:00+23:59"), D(0, 1, 1) * 86400 - (23 * 3600 + 59 * 60));
	/* the text need not end with a NUL: exactly len bytes are read */
	int64_t t;
	cr_assert(clk_parse_rfc3339("2027-03-28T14:05:00Zgarbage", 20, &t, NULL));
	cr_assert_eq(t, T("2027-03-28T14:05:00Z"));
}

Test(clock, rfc3339_leap_second)
{
	/* chosen: :60 only at 23:59:60 UTC, read as 23:59:59 */
	cr_assert_eq(T("2016-12-31T23:59:60Z"), T("2016-12-31T23:59:59Z"));
	cr_assert_eq(T("2016-12-31T18:59:60-05:00"), T("2016-12-31T23:59:59Z"));
	cr_assert_eq(T("2016-12-31T23:59:60.5Z"), T("2016-12-31T23:59:59Z"));
	int64_t t = 42;
	clk_error err;
	cr_assert(!clk_parse_rfc3339("2027-03-28T12:00:60Z", 20, &t, &err));
	cr_assert_str_eq(err.msg, "second 60 is a leap second, which only exists at 23:59:60 UTC");
	cr_assert(!clk_parse_rfc3339("2016-12-31T23:59:60+01:00", 25, &t, &err));
	cr_assert_eq(t, 42, "a failed parse leaves *out alone");
}

Test(clock, rfc3339_bad_forms_say_why)
{
	static const struct {
		const char *text, *reason;
		size_t at;
	} cases[] = {
		{"", "empty time: expected e.g. 2027-03-28T14:05:00Z", 0},
		{"2027-13-01T00:00:00Z", "month 13 does not exist", 5},
		{"2027-00-10T00:00:00Z", "month 0 does not exist", 5},
		{"2027-02-29T00:00:00Z", "day 29 does not exist in February 2027: 2027 is not a leap year", 8},
		{"2100-02-29T00:00:00Z", "day 29 does not exist in February 2100: 2100 is not a leap year", 8},
		{"2027-02-30T00:00:00Z", "day 30 does not exist in February", 8},
		{"2027-04-31T00:00:00Z", "day 31 does not exist in April", 8},
		{"2027-04-00T00:00:00Z", "day 0 does not exist", 8},
		{"2027-03-28T14:05:00", "missing UTC offset: add Z or +01:00", 19},
		{"2027-03-28T14:05:00.25", "missing UTC offset: add Z or +01:00", 22},
		{"2027-03-28T14:05:00 Z", "missing UTC offset: add Z or +01:00", 19},
		{"2027-03-28", "missing time of day: add e.g. T00:00:00Z after the date", 10},
		{"2027-03-28T24:00:00Z", "hour 24 does not exist: write 00:00:00 of the next day", 11},
		{"2027-03-28T25:00:00Z", "hour 25 does not exist", 11},
		{"2027-03-28T14:60:00Z", "minute 60 does not exist", 14},
		{"2027-03-28T14:05:61Z", "second 61 does not exist", 17},
		{"2027-03-28T14:05Z", "missing seconds: write HH:MM:SS (e.g. 14:05:00)", 16},
		{"2027-03-28T14:05:00+0100", "write the UTC offset as +HH:MM (e.g. +01:00)", 19},
		{"2027-03-28T14:05:00-5:00", "expected 2 digits for the UTC offset (+HH:MM)", 20},
		{"2027-03-28T14:05:00+24:00", "UTC offset +24:00 does not exist: hours go to 23, minutes to 59", 19},
		{"2027-03-28T14:05:00+01:60", "UTC offset +01:60 does not exist: hours go to 23, minutes to 59", 19},
		{"2027-03-28T14:05:00.Z", "expected digits after '.'", 20},
		{"2027-03-28T14:05:00,5Z", "write the fraction of a second with '.', not ','", 19},
		{"2027-03-28T14:05:00Zjunk", "unexpected text after the time", 20},
		{"2027-03-28T14:05:00+01:00 ", "unexpected text after the time", 25},
		{"27-03-28T14:05:00Z", "expected 4 digits for the year (YYYY-MM-DD)", 0},
		{"+2027-03-28T14:05:00Z", "expected 4 digits for the year (YYYY-MM-DD)", 0},
		{"2027/03/28T14:05:00Z", "expected '-' after the year (YYYY-MM-DD)", 4},
		{"2027-3-28T14:05:00Z", "expected 2 digits for the month (YYYY-MM-DD)", 5},
		{"2027-03-28X14:05:00Z", "expected 'T' between the date and the time", 10},
		{"2027-03-28T1:05:00Z", "expected 2 digits for the hour (HH:MM:SS)", 11},
		{"2027-03-28T14.05.00Z", "expected ':' after the hour (HH:MM:SS)", 13},
		{"2027-03-28T14:05:0Z", "expected 2 digits for the second (HH:MM:SS)", 17},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t t = 7;
		clk_error err = {{0}, 99};
		const char *s = cases[i].text;
		cr_assert(!clk_parse_rfc3339(s, strlen(s), &t, &err), "\"%s\" was accepted", s);
		cr_assert_str_eq(err.msg, cases[i].reason, "\"%s\"", s);
		cr_assert_eq(err.at, cases[i].at, "\"%s\": at %zu", s, err.at);
		cr_assert_eq(t, 7);
		cr_assert(!clk_parse_rfc3339(s, strlen(s), &t, NULL)); /* no reason wanted */
	}
}

Test(clock, parse_date)
{
	int64_t d;
	clk_error err;
	cr_assert(clk_parse_date("2024-02-29", 10, &d, &err));
	cr_assert_eq(d, D(2024, 2, 29));
	cr_assert(!clk_parse_date("2023-02-29", 10, &d, &err));
	cr_assert_str_eq(err.msg, "day 29 does not exist in February 2023: 2023 is not a leap year");
	cr_assert(!clk_parse_date("2024-02-29T00:00:00Z", 20, &d, &err));
	cr_assert_str_eq(err.msg, "unexpected text after the date");
	cr_assert(!clk_parse_date("", 0, &d, &err));
	cr_assert_str_eq(err.msg, "empty date: expected e.g. 2027-03-28");
}

Test(clock, format_rfc3339)
{
	char buf[32];
	cr_assert_eq(clk_format_rfc3339(0, 0, buf), 20);
	cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	cr_assert_eq(clk_format_rfc3339(T("2027-03-28T01:00:00Z"), 7200, buf), 25);
	cr_assert_str_eq(buf, "2027-03-28T03:00:00+02:00");
	clk_format_rfc3339(T("2027-03-28T01:00:00Z"), -19800, buf);
	cr_assert_str_eq(buf, "2027-03-27T19:30:00-05:30");
	clk_format_rfc3339(-1, 0, buf);
	cr_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	clk_format_rfc3339(INT64_C(-62135596800), 0, buf);
	cr_assert_str_eq(buf, "0001-01-01T00:00:00Z");
	clk_format_rfc3339(INT64_C(253402300799), 0, buf);
	cr_assert_str_eq(buf, "9999-12-31T23:59:59Z");
	/* Paris local mean time, +00:09:21: shown as +00:09, still exactly t */
	int64_t t = T("1890-06-01T12:00:00Z");
	clk_format_rfc3339(t, 561, buf);
	cr_assert_str_eq(buf, "1890-06-01T12:09:00+00:09");
	cr_assert_eq(T(buf), t);
	clk_format_rfc3339(t, -561, buf);
	cr_assert_str_eq(buf, "1890-06-01T11:51:00-00:09");
	cr_assert_eq(T(buf), t);
	/* what RFC 3339 cannot say */
	cr_assert_eq(clk_format_rfc3339(INT64_C(253402300800), 0, buf), 0);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(clk_format_rfc3339(INT64_C(-62167219201), 0, buf), 0);
	cr_assert_eq(clk_format_rfc3339(0, 86400, buf), 0);
	cr_assert_eq(clk_format_rfc3339(INT64_MAX, 0, buf), 0);
	cr_assert_eq(clk_format_rfc3339(INT64_MIN, 0, buf), 0);
	/* round trip over the whole RFC 3339 range, with offsets */
	uint64_t x = 88172645463325252u;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t u = INT64_C(-62167219200) + (int64_t)(x % INT64_C(315537897600));
		int off = (int)(x >> 40) % (24 * 60) * 60 * ((x >> 20) & 1 ? -1 : 1);
		size_t n = clk_format_rfc3339(u, off, buf);
		if (n == 0)
			continue; /* local date just outside 0000-9999 */
		int64_t back;
		cr_assert(clk_parse_rfc3339(buf, n, &back, NULL), "%s", buf);
		cr_assert_eq(back, u, "%s", buf);
	}
}

/* ---- ISO 8601 durations -------------------------------------------------------------- */

static int64_t dur(const char *s)
{
	int64_t v = -1;
	clk_error err = {{0}, 0};
	cr_assert(clk_parse_duration(s, strlen(s), &v, &err), "%s: %s", s, err.msg);
	return v;
}

Test(clock, durations)
{
	cr_assert_eq(dur("PT37M"), 37 * 60);
	cr_assert_eq(dur("P1D"), 86400);
	cr_assert_eq(dur("PT1H30M"), 5400);
	cr_assert_eq(dur("P2W"), 14 * 86400);
	cr_assert_eq(dur("P1DT12H"), 36 * 3600);
	cr_assert_eq(dur("P1W2D"), 9 * 86400);
	cr_assert_eq(dur("PT36H"), 36 * 3600);
	cr_assert_eq(dur("PT90S"), 90);
	cr_assert_eq(dur("PT0S"), 0);
	cr_assert_eq(dur("P0D"), 0);
	cr_assert_eq(dur("PT1H2M3S"), 3723);
	cr_assert_eq(dur("P365D"), 365 * 86400);
	/* a fraction on the last number, truncated to seconds */
	cr_assert_eq(dur("PT1.5H"), 5400);
	cr_assert_eq(dur("PT0,5S"), 0);
	cr_assert_eq(dur("PT1.999S"), 1);
	cr_assert_eq(dur("PT2M0.5S"), 120);
	cr_assert_eq(dur("P0.5D"), 43200);
	/* exact truncation, however many digits: 1/3600 h is one second */
	cr_assert_eq(dur("PT0.0002777777777777777H"), 0); /* 0.99999999999999972 s */
	cr_assert_eq(dur("PT0.0002777777777777778H"), 1); /* 1.00000000000000008 s */
	cr_assert_eq(dur("PT0.00027777777777777777777777777777777777777H"), 0);
	cr_assert_eq(dur("PT0.00027777777777777777777777777777777777778H"), 1);
	cr_assert_eq(dur("PT9223372036854775807S"), INT64_MAX);
	int64_t v;
	cr_assert(clk_parse_duration("PT5Mxyz", 4, &v, NULL));
	cr_assert_eq(v, 300);
}

Test(clock, bad_durations_say_why)
{
	static const struct {
		const char *text, *reason;
	} cases[] = {
		{"", "empty duration: expected e.g. PT30M or P1D"},
		{"P", "empty duration: expected e.g. PT30M or P1D"},
		{"PT", "nothing after T: write e.g. PT30M"},
		{"P1DT", "nothing after T: write e.g. PT30M"},
		{"P1Y", "years are not a fixed length: write days instead (P365D)"},
		{"P1Y2M", "years are not a fixed length: write days instead (P365D)"},
		{"P1M", "P1M means months, which are not a fixed length: for minutes write PT1M, for a month write days (P30D)"},
		{"P1H", "hours, minutes and seconds go after T: write PT1H"},
		{"PT1D", "D must come before T (P1DT2H)"},
		{"PT2W", "W must come before T (P1DT2H)"},
		{"PT30", "missing unit after 30: add H, M or S"},
		{"P30", "missing unit after 30: add D or W (or T and H, M or S)"},
		{"-PT5M", "a duration cannot be negative"},
		{"pt5m", "write durations in capitals (PT30M)"},
		{"PT5m", "write duration units in capitals (W, D, H, M, S)"},
		{"30M", "a duration starts with P, e.g. PT30M or P1D"},
		{"PT1M1H", "'H' is repeated or out of order: write W, D, then T, H, M, S"},
		{"PT1H1H", "'H' is repeated or out of order: write W, D, then T, H, M, S"},
		{"P1D1W", "'W' is repeated or out of order: write W, D, then T, H, M, S"},
		{"PTT1H", "T appears twice"},
		{"P1DT1HT", "T appears twice"},
		{"PT1.5H30M", "only the last number of a duration may have a fraction"},
		{"PT.5H", "expected a number before '.'"},
		{"PT1.H", "expected digits after the decimal mark"},
		{"PTH", "expected a number before 'H'"},
		{"PT5X", "'X' is not a duration unit: use W, D, H, M or S"},
		{"P99999999999999999999D", "duration too large"},
		{"P15250284452472W", "duration too large"},
		{"PT9223372036854775807S1", "missing unit after 1: add H, M or S"},
		{"PT9223372036854775808S", "duration too large"},
		{"P1DT9223372036854775807S", "duration too large"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t v = 7;
		clk_error err = {{0}, 0};
		const char *s = cases[i].text;
		cr_assert(!clk_parse_duration(s, strlen(s), &v, &err), "\"%s\" was accepted", s);
		cr_assert_str_eq(err.msg, cases[i].reason, "\"%s\"", s);
		cr_assert_leq(err.at, strlen(s));
		cr_assert_eq(v, 7);
	}
}

/* ---- zones ----------------------------------------------------------------------------- */

Test(clock, utc_and_fixed_offsets)
{
	clk_zone *utc = Z("UTC"), *plus = Z("+01:00"), *minus = Z("-05:30"), *zero = Z("+00:00");
	int64_t t = T("2027-03-28T01:30:00Z");
	cr_assert_eq(clk_zone_offset(utc, t), 0);
	cr_assert_eq(clk_zone_offset(NULL, t), 0);
	cr_assert_eq(clk_zone_offset(plus, t), 3600);
	cr_assert_eq(clk_zone_offset(minus, t), -19800);
	cr_assert_eq(clk_zone_offset(zero, t), 0);
	cr_assert_eq(clk_zone_offset(minus, INT64_MIN), -19800);
	cr_assert_str_eq(clk_zone_name(minus), "-05:30");
	cr_assert_str_eq(clk_zone_name(utc), "UTC");
	cr_assert_str_eq(clk_zone_name(NULL), "UTC");
	cr_assert_eq(clk_period_start(minus, CLK_DAY, D(2027, 3, 28)), T("2027-03-28T00:00:00-05:30"));
	cr_assert_eq(clk_period_start(NULL, CLK_DAY, D(2027, 3, 28)), T("2027-03-28T00:00:00Z"));
	cr_assert_eq(clk_period_index(plus, T("2027-03-27T23:30:00Z"), CLK_DAY), D(2027, 3, 28));
	cr_assert_eq(clk_period_index(utc, T("2027-03-27T23:30:00Z"), CLK_DAY), D(2027, 3, 27));
	static const char *const bad[][2] = {
		{"+1:00", "time zone +1:00: write a fixed offset as +HH:MM or -HH:MM (e.g. +01:00)"},
		{"+0100", "time zone +0100: write a fixed offset as +HH:MM or -HH:MM (e.g. +01:00)"},
		{"+24:00", "time zone +24:00: offset does not exist: hours go to 23, minutes to 59"},
		{"-01:60", "time zone -01:60: offset does not exist: hours go to 23, minutes to 59"},
		{"utc", "unknown time zone utc (no file /usr/share/zoneinfo/utc; is tzdata installed?)"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		clk_error err;
		cr_assert_null(clk_zone_load(bad[i][0], &err), "%s", bad[i][0]);
		cr_assert_str_eq(err.msg, bad[i][1]);
	}
	clk_zone_free(utc);
	clk_zone_free(plus);
	clk_zone_free(minus);
	clk_zone_free(zero);
	clk_zone_free(NULL);
}

Test(clock, zone_names_are_checked)
{
	static const char *const bad[][2] = {
		{"../etc/passwd", "time zone ../etc/passwd: empty, '.' or '..' parts are not allowed in a zone name"},
		{"Europe/../Europe/Paris", "time zone Europe/../Europe/Paris: empty, '.' or '..' parts are not allowed in a zone name"},
		{"Europe/..", "time zone Europe/..: empty, '.' or '..' parts are not allowed in a zone name"},
		{"./Europe/Paris", "time zone ./Europe/Paris: empty, '.' or '..' parts are not allowed in a zone name"},
		{"Europe//Paris", "time zone Europe//Paris: empty, '.' or '..' parts are not allowed in a zone name"},
		{"Europe/Paris/", "time zone Europe/Paris/: empty, '.' or '..' parts are not allowed in a zone name"},
		{"/etc/localtime", "time zone /etc/localtime: give a name like Europe/Paris, not a path"},
		{"", "empty time zone name: expected e.g. Europe/Paris or UTC"},
		{"Europe/Pa ris", "time zone Europe/Pa ris: unexpected character in a zone name"},
		{"Europe\\Paris", "time zone Europe\\Paris: unexpected character in a zone name"},
		{"Nowhere/Atlantis", "unknown time zone Nowhere/Atlantis (no file /usr/share/zoneinfo/Nowhere/Atlantis; is tzdata installed?)"},
		{"Europe/Paris/x", "unknown time zone Europe/Paris/x (no file /usr/share/zoneinfo/Europe/Paris/x; is tzdata installed?)"},
		{"Europe", "time zone Europe: not a zone (/usr/share/zoneinfo/Europe is not a file)"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		clk_error err;
		cr_assert_null(clk_zone_load(bad[i][0], &err), "%s", bad[i][0]);
		cr_assert_str_eq(err.msg, bad[i][1]);
	}
	char longname[400];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	clk_error err;
	cr_assert_null(clk_zone_load(longname, &err));
	cr_assert_str_eq(err.msg, "time zone name too long");
	cr_assert_null(clk_zone_load(NULL, &err));
	clk_zone *z = clk_zone_load("Europe/Paris", NULL); /* err may be NULL */
	cr_assert_not_null(z);
	clk_zone_free(z);
	z = clk_zone_load("Etc/GMT+5", NULL); /* '+' is a name character */
	cr_assert_not_null(z);
	cr_assert_eq(clk_zone_offset(z, 0), -5 * 3600);
	clk_zone_free(z);
}

Test(clock, paris_dst_2027)
{
	clk_zone *z = Z("Europe/Paris");
	cr_assert_str_eq(clk_zone_name(z), "Europe/Paris");
	/* spring: 02:00 CET becomes 03:00 CEST at 01:00 UTC on Sunday 28 March */
	cr_assert_eq(clk_zone_offset(z, T("2027-03-28T00:59:59Z")), 3600);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-28T01:00:00Z")), 7200);
	/* autumn: 03:00 CEST becomes 02:00 CET at 01:00 UTC on Sunday 31 October */
	cr_assert_eq(clk_zone_offset(z, T("2027-10-31T00:59:59Z")), 7200);
	cr_assert_eq(clk_zone_offset(z, T("2027-10-31T01:00:00Z")), 3600);
	/* the local days of the changes last 23 and 25 hours */
	int64_t spring = D(2027, 3, 28), autumn = D(2027, 10, 31);
	cr_assert_eq(clk_period_start(z, CLK_DAY, spring), T("2027-03-27T23:00:00Z"));
	cr_assert_eq(clk_period_start(z, CLK_DAY, spring + 1), T("2027-03-28T22:00:00Z"));
	cr_assert_eq(day_length(z, spring), 23 * 3600);
	cr_assert_eq(clk_period_start(z, CLK_DAY, autumn), T("2027-10-30T22:00:00Z"));
	cr_assert_eq(clk_period_start(z, CLK_DAY, autumn + 1), T("2027-10-31T23:00:00Z"));
	cr_assert_eq(day_length(z, autumn), 25 * 3600);
	cr_assert_eq(day_length(z, spring - 1), 24 * 3600);
	cr_assert_eq(day_length(z, autumn + 1), 24 * 3600);
	cr_assert_eq(clk_period_index(z, T("2027-03-28T01:30:00+02:00"), CLK_DAY), spring);
	cr_assert_eq(clk_period_index(z, T("2027-03-27T23:59:59+01:00"), CLK_DAY), spring - 1);
	cr_assert_eq(clk_period_index(z, T("2027-03-27T23:00:00Z"), CLK_DAY), spring);
	/* local times in the gap and in the overlap */
	int64_t L = D(2027, 3, 28) * 86400 + 2 * 3600 + 30 * 60; /* 02:30, skipped */
	cr_assert_eq(clk_local_to_utc(z, L), T("2027-03-28T01:00:00Z"));
	L = D(2027, 10, 31) * 86400 + 2 * 3600 + 30 * 60; /* 02:30, twice */
	cr_assert_eq(clk_local_to_utc(z, L), T("2027-10-31T02:30:00+02:00"));
	L = D(2027, 10, 31) * 86400 + 3 * 3600; /* 03:00, once, after the overlap */
	cr_assert_eq(clk_local_to_utc(z, L), T("2027-10-31T03:00:00+01:00"));
	clk_zone_free(z);
}

Test(clock, new_york)
{
	clk_zone *z = Z("America/New_York");
	cr_assert_eq(clk_zone_offset(z, T("2027-03-14T06:59:59Z")), -18000);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-14T07:00:00Z")), -14400);
	cr_assert_eq(clk_zone_offset(z, T("2027-11-07T05:59:59Z")), -14400);
	cr_assert_eq(clk_zone_offset(z, T("2027-11-07T06:00:00Z")), -18000);
	cr_assert_eq(day_length(z, D(2027, 3, 14)), 23 * 3600);
	cr_assert_eq(day_length(z, D(2027, 11, 7)), 25 * 3600);
	cr_assert_eq(clk_period_start(z, CLK_DAY, D(2027, 3, 14)), T("2027-03-14T00:00:00-05:00"));
	cr_assert_eq(clk_local_to_utc(z, D(2027, 3, 14) * 86400 + 2 * 3600 + 1800), T("2027-03-14T07:00:00Z"));
	cr_assert_eq(clk_local_to_utc(z, D(2027, 11, 7) * 86400 + 3600 + 1800), T("2027-11-07T05:30:00Z"));
	/* the evening of the 31st in New York is already next month in UTC */
	int64_t t = T("2027-12-31T21:00:00-05:00");
	cr_assert_eq(clk_period_index(z, t, CLK_YEAR), 2027);
	cr_assert_eq(clk_period_index(NULL, t, CLK_YEAR), 2028);
	cr_assert_eq(clk_period_index(z, t, CLK_MONTH), 2027 * 12 + 11);
	clk_zone_free(z);
}

Test(clock, kolkata_half_hour_offset)
{
	clk_zone *z = Z("Asia/Kolkata");
	cr_assert_eq(clk_zone_offset(z, T("2027-06-01T12:00:00Z")), 19800);
	cr_assert_eq(clk_zone_offset(z, T("2100-06-01T12:00:00Z")), 19800);
	cr_assert_eq(clk_period_start(z, CLK_DAY, D(2027, 6, 1)), T("2027-05-31T18:30:00Z"));
	cr_assert_eq(day_length(z, D(2027, 6, 1)), 86400);
	cr_assert_eq(clk_period_index(z, T("2027-05-31T18:29:59Z"), CLK_DAY), D(2027, 5, 31));
	cr_assert_eq(clk_period_index(z, T("2027-05-31T18:30:00Z"), CLK_DAY), D(2027, 6, 1));
	clk_zone_free(z);
}

Test(clock, lord_howe_half_hour_dst)
{
	clk_zone *z = Z("Australia/Lord_Howe");
	/* April: 02:00 +11 becomes 01:30 +10:30; October: 02:00 +10:30 becomes 02:30 +11 */
	cr_assert_eq(clk_zone_offset(z, T("2027-04-03T14:59:59Z")), 39600);
	cr_assert_eq(clk_zone_offset(z, T("2027-04-03T15:00:00Z")), 37800);
	cr_assert_eq(clk_zone_offset(z, T("2027-10-02T15:29:59Z")), 37800);
	cr_assert_eq(clk_zone_offset(z, T("2027-10-02T15:30:00Z")), 39600);
	cr_assert_eq(day_length(z, D(2027, 4, 4)), 24 * 3600 + 1800);
	cr_assert_eq(day_length(z, D(2027, 10, 3)), 24 * 3600 - 1800);
	cr_assert_eq(clk_period_start(z, CLK_DAY, D(2027, 4, 4)), T("2027-04-04T00:00:00+11:00"));
	cr_assert_eq(clk_period_start(z, CLK_DAY, D(2027, 10, 3)), T("2027-10-03T00:00:00+10:30"));
	/* the southern summer spans the new year: footer rule, year 2100 */
	cr_assert_eq(clk_zone_offset(z, T("2100-01-01T00:00:00Z")), 39600);
	cr_assert_eq(clk_zone_offset(z, T("2100-07-01T00:00:00Z")), 37800);
	cr_assert_eq(clk_zone_offset(z, T("2100-04-03T14:59:59Z")), 39600); /* Sunday 2100-04-04 */
	cr_assert_eq(clk_zone_offset(z, T("2100-04-03T15:00:00Z")), 37800);
	clk_zone_free(z);
}

Test(clock, after_the_last_transition_the_rule_applies)
{
	clk_zone *paris = Z("Europe/Paris"), *ny = Z("America/New_York");
	/* 2100 is past the last transition of any TZif file (2037 at most) */
	cr_assert_eq(clk_zone_offset(paris, T("2100-03-28T00:59:59Z")), 3600);
	cr_assert_eq(clk_zone_offset(paris, T("2100-03-28T01:00:00Z")), 7200);
	cr_assert_eq(clk_zone_offset(paris, T("2100-10-31T00:59:59Z")), 7200);
	cr_assert_eq(clk_zone_offset(paris, T("2100-10-31T01:00:00Z")), 3600);
	cr_assert_eq(day_length(paris, D(2100, 3, 28)), 23 * 3600);
	cr_assert_eq(day_length(paris, D(2100, 10, 31)), 25 * 3600);
	cr_assert_eq(clk_zone_offset(ny, T("2100-03-14T06:59:59Z")), -18000);
	cr_assert_eq(clk_zone_offset(ny, T("2100-03-14T07:00:00Z")), -14400);
	/* far future and far past stay defined */
	cr_assert_eq(clk_zone_offset(paris, T("9999-07-01T00:00:00Z")), 7200);
	cr_assert_eq(clk_zone_offset(paris, T("9999-12-01T00:00:00Z")), 3600);
	cr_assert_eq(clk_zone_offset(paris, T("1800-01-01T00:00:00Z")), 561); /* local mean time */
	int32_t o = clk_zone_offset(paris, INT64_MAX);
	cr_assert(o == 3600 || o == 7200);
	cr_assert_eq(clk_zone_offset(paris, INT64_MIN), 561);
	clk_zone_free(paris);
	clk_zone_free(ny);
}

Test(clock, midnight_changes)
{
	/* Real zones, on past dates only: governments change future rules, and a
	 * newer tzdata must not break the test. */
	/* Havana: clocks went from 00:00 to 01:00, local midnight did not exist */
	clk_zone *havana = Z("America/Havana");
	cr_assert_eq(clk_period_start(havana, CLK_DAY, D(2023, 3, 12)), T("2023-03-12T05:00:00Z"));
	cr_assert_eq(clk_period_start(havana, CLK_DAY, D(2023, 3, 12)), T("2023-03-12T01:00:00-04:00"));
	cr_assert_eq(day_length(havana, D(2023, 3, 12)), 23 * 3600);
	cr_assert_eq(day_length(havana, D(2023, 3, 11)), 24 * 3600);
	clk_zone_free(havana);
	/* Santiago: changed at 24:00 on Saturdays */
	clk_zone *santiago = Z("America/Santiago");
	cr_assert_eq(clk_period_start(santiago, CLK_DAY, D(2023, 9, 3)), T("2023-09-03T04:00:00Z"));
	cr_assert_eq(day_length(santiago, D(2023, 9, 3)), 23 * 3600);
	cr_assert_eq(day_length(santiago, D(2023, 9, 2)), 24 * 3600);
	cr_assert_eq(clk_period_start(santiago, CLK_DAY, D(2023, 4, 2)), T("2023-04-02T00:00:00-04:00"));
	cr_assert_eq(day_length(santiago, D(2023, 4, 1)), 25 * 3600);
	clk_zone_free(santiago);

	/* The same kinds of rules in the future, from fixed POSIX rules rather
	 * than from whatever tzdata says today. */
	clk_error err;
	clk_zone *cuba = rule_zone(-18000, "CST5CDT,M3.2.0/0,M11.1.0/1", &err);
	cr_assert_not_null(cuba, "%s", err.msg);
	cr_assert_eq(clk_period_start(cuba, CLK_DAY, D(2027, 3, 14)), T("2027-03-14T01:00:00-04:00"));
	cr_assert_eq(day_length(cuba, D(2027, 3, 14)), 23 * 3600);
	cr_assert_eq(day_length(cuba, D(2027, 3, 13)), 24 * 3600);
	clk_zone_free(cuba);
	clk_zone *chile = rule_zone(-14400, "<-04>4<-03>,M9.1.6/24,M4.1.6/24", &err);
	cr_assert_not_null(chile, "%s", err.msg);
	cr_assert_eq(clk_period_start(chile, CLK_DAY, D(2027, 9, 5)), T("2027-09-05T04:00:00Z"));
	cr_assert_eq(day_length(chile, D(2027, 9, 5)), 23 * 3600);
	cr_assert_eq(day_length(chile, D(2027, 9, 4)), 24 * 3600);
	cr_assert_eq(clk_period_start(chile, CLK_DAY, D(2027, 4, 4)), T("2027-04-04T00:00:00-04:00"));
	cr_assert_eq(day_length(chile, D(2027, 4, 3)), 25 * 3600);
	cr_assert_eq(clk_period_start(chile, CLK_DAY, D(2100, 9, 5)), T("2100-09-05T01:00:00-03:00"));
	clk_zone_free(chile);
}

/* ---- the footer's POSIX rules alone ------------------------------------------------------------ */

Test(clock, rule_forms)
{
	clk_error err;
	clk_zone *z = rule_zone(10800, "<+03>-3", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, T("2027-01-01T00:00:00Z")), 10800);
	cr_assert_eq(clk_zone_offset(z, T("2027-07-01T00:00:00Z")), 10800);
	clk_zone_free(z);

	z = rule_zone(-18000, "EST5EDT,M3.2.0,M11.1.0", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-14T06:59:59Z")), -18000);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-14T07:00:00Z")), -14400);
	cr_assert_eq(clk_zone_offset(z, T("2027-11-07T05:59:59Z")), -14400);
	cr_assert_eq(clk_zone_offset(z, T("2027-11-07T06:00:00Z")), -18000);
	clk_zone_free(z);

	z = rule_zone(3600, "CET-1CEST,M3.5.0,M10.5.0/3", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(day_length(z, D(2027, 3, 28)), 23 * 3600);
	cr_assert_eq(day_length(z, D(2027, 10, 31)), 25 * 3600);
	cr_assert_eq(clk_zone_offset(z, T("2027-10-31T00:59:59Z")), 7200);
	cr_assert_eq(clk_zone_offset(z, T("2027-10-31T01:00:00Z")), 3600);
	clk_zone_free(z);

	/* Jn: Feb 29 never counted, J60 is March 1 in every year */
	z = rule_zone(0, "AAA0BBB,J60,J300", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, T("2028-03-01T01:59:59Z")), 0);
	cr_assert_eq(clk_zone_offset(z, T("2028-03-01T02:00:00Z")), 3600);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-01T02:00:00Z")), 3600);
	cr_assert_eq(clk_zone_offset(z, T("2028-10-27T00:59:59Z")), 3600); /* 02:00 local summer time */
	cr_assert_eq(clk_zone_offset(z, T("2028-10-27T01:00:00Z")), 0);
	clk_zone_free(z);

	/* n: zero-based, Feb 29 counted, so day 59 is Feb 29 in a leap year */
	z = rule_zone(0, "AAA0BBB,59/0,299/0", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, T("2028-02-28T23:59:59Z")), 0);
	cr_assert_eq(clk_zone_offset(z, T("2028-02-29T00:00:00Z")), 3600);
	cr_assert_eq(clk_zone_offset(z, T("2027-02-28T23:59:59Z")), 0);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-01T00:00:00Z")), 3600);
	cr_assert_eq(clk_zone_offset(z, T("2028-10-25T22:59:59Z")), 3600); /* day 299 of 2028: Oct 26 */
	cr_assert_eq(clk_zone_offset(z, T("2028-10-25T23:00:00Z")), 0);
	clk_zone_free(z);

	/* negative and past-24 h times (TZif v3): Nuuk and Santiago */
	z = rule_zone(-7200, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-28T00:59:59Z")), -7200);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-28T01:00:00Z")), -3600);
	cr_assert_eq(clk_zone_offset(z, T("2027-10-31T00:59:59Z")), -3600);
	cr_assert_eq(clk_zone_offset(z, T("2027-10-31T01:00:00Z")), -7200);
	clk_zone_free(z);

	/* all-year DST (v3 "EST5EDT,0/0,J365/25"): never standard time */
	z = rule_zone(-18000, "EST5EDT,0/0,J365/25", &err);
	cr_assert_not_null(z, "%s", err.msg);
	static const char *const times[] = {
		"2027-01-01T04:59:59Z", "2027-01-01T05:00:00Z", "2027-06-01T00:00:00Z", "2027-12-31T23:59:59Z",
		"2028-01-01T03:59:59Z", "2028-01-01T04:00:00Z", "2028-12-31T12:00:00Z", "2100-01-01T05:00:00Z",
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		cr_assert_eq(clk_zone_offset(z, T(times[i])), -14400, "%s", times[i]);
	cr_assert_eq(day_length(z, D(2028, 1, 1)), 86400);
	cr_assert_eq(clk_period_start(z, CLK_DAY, D(2028, 1, 1)), T("2028-01-01T00:00:00-04:00"));
	clk_zone_free(z);

	/* explicit summer offset, southern hemisphere: Lord Howe */
	z = rule_zone(37800, "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, T("2027-04-03T14:59:59Z")), 39600);
	cr_assert_eq(clk_zone_offset(z, T("2027-04-03T15:00:00Z")), 37800);
	cr_assert_eq(clk_zone_offset(z, T("2027-12-31T13:00:00Z")), 39600);
	cr_assert_eq(clk_zone_offset(z, T("2028-01-01T13:00:00Z")), 39600);
	clk_zone_free(z);

	/* seconds in offsets */
	z = rule_zone(0, "LMT-0:09:21", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, 0), 561);
	clk_zone_free(z);
}

Test(clock, bad_rules_are_refused)
{
	static const char *const bad[] = {
		"CET-1CEST",                  /* summer time without a rule */
		"XX0",                        /* abbreviation too short */
		"<AB>0",                      /* quoted abbreviation too short */
		"<+03-3",                     /* unclosed < */
		"CET",                        /* no offset */
		"CET-25",                     /* offset beyond 24 h */
		"CET-1:60",                   /* minute 60 */
		"CET-1CEST,M13.5.0,M10.5.0",  /* month 13 */
		"CET-1CEST,M3.6.0,M10.5.0",   /* week 6 */
		"CET-1CEST,M3.5.7,M10.5.0",   /* weekday 7 */
		"CET-1CEST,M3.0.0,M10.5.0",   /* week 0 */
		"CET-1CEST,J0,J300",          /* J starts at 1 */
		"CET-1CEST,366,J300",         /* n ends at 365 */
		"CET-1CEST,M3.5.0/168,M10.5.0", /* more than 167 h */
		"CET-1CEST,M3.5.0",           /* no end */
		"CET-1CEST,M3.5.0,M10.5.0,",  /* trailing text */
		"CET-1CEST,M3.5.0,M10.5.0 ",
		"CET-1 ",
		"CET-1CEST,M3.5,M10.5.0",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		clk_error err;
		cr_assert_null(rule_zone(0, bad[i], &err), "\"%s\" was accepted", bad[i]);
		cr_assert(strstr(err.msg, "is not understood"), "%s: %s", bad[i], err.msg);
	}
	/* the reason shows the rule, cut to 40 bytes */
	clk_error err;
	cr_assert_null(rule_zone(0, "CET-1CEST,M3.5.0,M10.5.0/3,XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", &err));
	cr_assert_str_eq(err.msg, "time zone CET-1CEST,M3.5.0,M10.5.0/3,XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX: "
				  "TZ rule \"CET-1CEST,M3.5.0,M10.5.0/3,XXXXXXXXXXXXX\" is not understood");
	/* an empty rule is allowed: the last transition's offset stays */
	clk_zone *z = rule_zone(3600, "", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, T("2100-07-01T00:00:00Z")), 3600);
	clk_zone_free(z);
}

/* ---- bad TZif bytes -------------------------------------------------------------------------- */

Test(clock, corrupt_tzif_is_an_error_not_a_crash)
{
	size_t len;
	unsigned char *good = slurp("/usr/share/zoneinfo/Europe/Paris", &len);
	unsigned char *buf = malloc(len);
	clk_error err;
	clk_zone *z = clk_zone_from_tzif("Paris", good, len, &err);
	cr_assert_not_null(z, "%s", err.msg);
	clk_zone_free(z);

	/* every truncation fails (exact-size copies, so ASan sees any over-read) */
	for (size_t n = 0; n < len; n++) {
		unsigned char *cut = malloc(n ? n : 1);
		memcpy(cut, good, n);
		err.msg[0] = '\0';
		cr_assert_null(clk_zone_from_tzif("cut", cut, n, &err), "a %zu-byte prefix was accepted", n);
		cr_assert_neq(err.msg[0], '\0');
		free(cut);
	}
	cr_assert_null(clk_zone_from_tzif("cut", good, 10, &err));
	cr_assert_str_eq(err.msg, "time zone cut: truncated TZif file (10 bytes)");

	memcpy(buf, good, len);
	buf[0] = 'X';
	cr_assert_null(clk_zone_from_tzif("magic", buf, len, &err));
	cr_assert_str_eq(err.msg, "time zone magic: not a TZif file");

	memcpy(buf, good, len);
	buf[4] = '9';
	cr_assert_null(clk_zone_from_tzif("v9", buf, len, &err));
	cr_assert_str_eq(err.msg, "time zone v9: unknown TZif version");

	/* huge counts in the first header: the second header is not where it says */
	for (int field = 20; field < 44; field += 4) {
		memcpy(buf, good, len);
		put32(buf + field, 0xFFFFFFFFu);
		cr_assert_null(clk_zone_from_tzif("huge", buf, len, &err), "count at %d", field);
	}
	/* huge counts in the second header (found after the v1 block) */
	uint32_t c1[6];
	for (int k = 0; k < 6; k++)
		c1[k] = (uint32_t)good[20 + 4 * k] << 24 | (uint32_t)good[21 + 4 * k] << 16 |
			(uint32_t)good[22 + 4 * k] << 8 | good[23 + 4 * k];
	size_t h2 = 44 + (size_t)c1[3] * 5 + (size_t)c1[4] * 6 + c1[5] + (size_t)c1[2] * 8 + c1[1] + c1[0];
	cr_assert_eq(memcmp(good + h2, "TZif", 4), 0);
	for (int field = 20; field < 44; field += 4) {
		memcpy(buf, good, len);
		put32(buf + h2 + field, 0xFFFFFFFFu);
		cr_assert_null(clk_zone_from_tzif("huge2", buf, len, &err), "count at %d", field);
	}
	memcpy(buf, good, len);
	put32(buf + h2 + 32, 0x10000000u); /* timecnt */
	cr_assert_null(clk_zone_from_tzif("huge2", buf, len, &err));
	cr_assert(strstr(err.msg, "truncated TZif file (counts need"), "%s", err.msg);

	/* transitions out of order, type index out of range, bad offset */
	memcpy(buf, good, len);
	memcpy(buf + h2 + 44 + 8, buf + h2 + 44, 8); /* times[1] = times[0] */
	cr_assert_null(clk_zone_from_tzif("order", buf, len, &err));
	cr_assert_str_eq(err.msg, "time zone order: bad transition 1 (times out of order)");
	uint32_t timecnt = (uint32_t)good[h2 + 32] << 24 | (uint32_t)good[h2 + 33] << 16 |
			   (uint32_t)good[h2 + 34] << 8 | good[h2 + 35];
	memcpy(buf, good, len);
	buf[h2 + 44 + 8 * timecnt] = 200;
	cr_assert_null(clk_zone_from_tzif("index", buf, len, &err));
	cr_assert_str_eq(err.msg, "time zone index: bad transition 0 (unknown local time type)");
	memcpy(buf, good, len);
	put32(buf + h2 + 44 + 9 * timecnt, 0x80000000u); /* utoff of type 0 = -2^31 */
	cr_assert_null(clk_zone_from_tzif("utoff", buf, len, &err));
	cr_assert_str_eq(err.msg, "time zone utoff: bad local time type 0");
	/* a leap-second table */
	memcpy(buf, good, len);
	put32(buf + h2 + 28, 1);
	put32(buf + 28, 1);
	cr_assert_null(clk_zone_from_tzif("leap", buf, len, &err));
	/* the footer: missing newline, garbage rule */
	memcpy(buf, good, len);
	buf[len - 1] = 'x';
	cr_assert_null(clk_zone_from_tzif("footer", buf, len, &err));
	cr_assert_str_eq(err.msg, "time zone footer: missing TZ rule at the end of the file");
	memcpy(buf, good, len);
	buf[len - 3] = '!';
	cr_assert_null(clk_zone_from_tzif("footer", buf, len, &err));
	cr_assert(strstr(err.msg, "is not understood"));

	/* random damage: any outcome but a crash; a zone that loads answers */
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (int round = 0; round < 20000; round++) {
		memcpy(buf, good, len);
		int flips = 1 + round % 4;
		for (int k = 0; k < flips; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[x % len] = (unsigned char)(x >> 32);
		}
		z = clk_zone_from_tzif("random", buf, len, NULL);
		if (z) {
			int32_t o = clk_zone_offset(z, (int64_t)(x >> 1) % INT64_C(10000000000));
			cr_assert(o > -26 * 3600 && o < 26 * 3600);
			(void)clk_period_start(z, CLK_DAY, 20000);
			(void)clk_add_months(z, INT64_C(1800000000), 1);
			clk_zone_free(z);
		}
	}
	free(buf);
	free(good);
}

Test(clock, tzif_versions)
{
	size_t len;
	unsigned char *buf = slurp("/usr/share/zoneinfo/Europe/Paris", &len);
	clk_error err;
	/* version 1: the 32-bit block alone, no rule after 2037 */
	buf[4] = 0;
	clk_zone *z = clk_zone_from_tzif("v1", buf, len, &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-28T00:59:59Z")), 3600);
	cr_assert_eq(clk_zone_offset(z, T("2027-03-28T01:00:00Z")), 7200);
	cr_assert_eq(clk_zone_offset(z, T("2037-07-01T00:00:00Z")), 7200);
	cr_assert_eq(clk_zone_offset(z, T("2100-07-01T00:00:00Z")), 3600); /* the last type, October 2037 */
	clk_zone_free(z);
	/* versions 3 and 4 read like 2; both headers must agree */
	uint32_t c1[6];
	for (int k = 0; k < 6; k++)
		c1[k] = (uint32_t)buf[20 + 4 * k] << 24 | (uint32_t)buf[21 + 4 * k] << 16 |
			(uint32_t)buf[22 + 4 * k] << 8 | buf[23 + 4 * k];
	size_t h2 = 44 + (size_t)c1[3] * 5 + (size_t)c1[4] * 6 + c1[5] + (size_t)c1[2] * 8 + c1[1] + c1[0];
	for (char v = '3'; v <= '4'; v++) {
		buf[4] = buf[h2 + 4] = (unsigned char)v;
		z = clk_zone_from_tzif("v3", buf, len, &err);
		cr_assert_not_null(z, "%s", err.msg);
		cr_assert_eq(clk_zone_offset(z, T("2100-07-01T00:00:00Z")), 7200);
		clk_zone_free(z);
	}
	buf[4] = '2';
	cr_assert_null(clk_zone_from_tzif("mixed", buf, len, &err));
	cr_assert_str_eq(err.msg, "time zone mixed: bad second TZif header");
	free(buf);
}

Test(clock, corrupt_file_on_disk)
{
	char dir[] = "/tmp/test_clock_XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/Bad", dir);
	FILE *f = fopen(path, "wb");
	fputs("TZif2 this is not a zone", f);
	fclose(f);
	clk_error err;
	cr_assert_null(clk_zone_load_from(dir, "Bad", &err));
	cr_assert_str_eq(err.msg, "time zone Bad: truncated TZif file (24 bytes)");
	cr_assert_null(clk_zone_load_from(dir, "../Bad", &err));
	cr_assert(strstr(err.msg, "'..' parts are not allowed"));
	/* a good zone copied there loads */
	size_t len;
	unsigned char *good = slurp("/usr/share/zoneinfo/Asia/Kolkata", &len);
	snprintf(path, sizeof path, "%s/Good", dir);
	f = fopen(path, "wb");
	fwrite(good, 1, len, f);
	fclose(f);
	clk_zone *z = clk_zone_load_from(dir, "Good", &err);
	cr_assert_not_null(z, "%s", err.msg);
	cr_assert_eq(clk_zone_offset(z, 0), 19800);
	clk_zone_free(z);
	unlink(path);
	snprintf(path, sizeof path, "%s/Bad", dir);
	unlink(path);
	rmdir(dir);
	free(good);
}

/* ---- calendar periods ------------------------------------------------------------------------ */

Test(clock, weeks_across_the_year_boundary)
{
	clk_zone *z = Z("Europe/Paris");
	cr_assert_eq(clk_period_index(NULL, T("1969-12-29T00:00:00Z"), CLK_WEEK), 0);
	cr_assert_eq(clk_period_index(NULL, T("1969-12-28T23:59:59Z"), CLK_WEEK), -1);
	cr_assert_eq(clk_period_index(NULL, T("1970-01-04T23:59:59Z"), CLK_WEEK), 0);
	cr_assert_eq(clk_period_index(NULL, T("1970-01-05T00:00:00Z"), CLK_WEEK), 1);
	int64_t w1 = clk_period_index(z, T("2027-01-04T00:00:00+01:00"), CLK_WEEK);
	cr_assert_eq(clk_period_index(z, T("2027-01-03T23:59:59+01:00"), CLK_WEEK), w1 - 1);
	cr_assert_eq(clk_period_index(z, T("2027-01-10T23:59:59+01:00"), CLK_WEEK), w1);
	cr_assert_eq(clk_period_index(z, T("2026-12-28T00:00:00+01:00"), CLK_WEEK), w1 - 1); /* 2026-W53 */
	cr_assert_eq(clk_period_start(z, CLK_WEEK, w1), T("2027-01-04T00:00:00+01:00"));
	cr_assert_eq(clk_period_start(z, CLK_WEEK, w1 - 1), T("2026-12-28T00:00:00+01:00"));
	cr_assert_eq(w1, (D(2027, 1, 4) - D(1969, 12, 29)) / 7);
	/* the week of the spring change lasts 167 hours */
	int64_t w = clk_period_index(z, T("2027-03-28T12:00:00+02:00"), CLK_WEEK);
	cr_assert_eq(clk_period_start(z, CLK_WEEK, w + 1) - clk_period_start(z, CLK_WEEK, w), 167 * 3600);
	clk_zone_free(z);
}

Test(clock, months_and_years)
{
	clk_zone *z = Z("Europe/Paris");
	int64_t t = T("2027-03-15T10:00:00+01:00");
	cr_assert_eq(clk_period_index(z, t, CLK_MONTH), 2027 * 12 + 2);
	cr_assert_eq(clk_period_index(z, t, CLK_YEAR), 2027);
	cr_assert_eq(clk_period_start(z, CLK_MONTH, 2027 * 12 + 2), T("2027-03-01T00:00:00+01:00"));
	cr_assert_eq(clk_period_start(z, CLK_MONTH, 2027 * 12 + 3), T("2027-04-01T00:00:00+02:00"));
	cr_assert_eq(clk_period_start(z, CLK_YEAR, 2028), T("2028-01-01T00:00:00+01:00"));
	cr_assert_eq(clk_period_index(z, T("2027-12-31T23:30:00Z"), CLK_YEAR), 2028);
	cr_assert_eq(clk_period_index(z, T("2027-12-31T23:30:00Z"), CLK_MONTH), 2028 * 12);
	/* negative years and indexes */
	cr_assert_eq(clk_period_index(NULL, T("0000-01-01T00:00:00Z") - 1, CLK_YEAR), -1);
	cr_assert_eq(clk_period_index(NULL, T("0000-01-01T00:00:00Z") - 1, CLK_MONTH), -1);
	cr_assert_eq(clk_period_start(NULL, CLK_MONTH, -1), D(-1, 12, 1) * 86400);
	clk_zone_free(z);
}

Test(clock, periods_are_consistent_in_every_zone)
{
	static const char *const zones[] = {
		"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/Havana",
		"America/Santiago", "America/Nuuk", "Pacific/Apia", "Pacific/Kiritimati", "America/St_Johns",
		"Asia/Kathmandu", "Africa/Casablanca", "Europe/Dublin", "Antarctica/Troll", "Asia/Tehran",
		"Pacific/Chatham", "America/Sao_Paulo", "Asia/Gaza",
	};
	static const clk_unit units[] = {CLK_DAY, CLK_WEEK, CLK_MONTH, CLK_YEAR};
	for (size_t zi = 0; zi < sizeof zones / sizeof zones[0]; zi++) {
		clk_zone *z = Z(zones[zi]);
		for (size_t ui = 0; ui < 4; ui++) {
			clk_unit u = units[ui];
			int64_t from = clk_period_index(z, T("1900-01-01T00:00:00Z"), u);
			int64_t to = clk_period_index(z, T("2200-01-01T00:00:00Z"), u);
			/* period i is [start(i), start(i + 1)): every instant in it has
			 * index i. It is empty only for a local day that never was:
			 * Pacific/Apia skipped 2011-12-30, Kiritimati 1994-12-31. */
			int64_t s = clk_period_start(z, u, from), empty = 0;
			for (int64_t i = from; i <= to; i++) {
				int64_t next = clk_period_start(z, u, i + 1);
				cr_assert_geq(next, s, "%s unit %d index %lld", zones[zi], u, (long long)i);
				cr_assert_lt(clk_period_index(z, s - 1, u), i, "%s unit %d index %lld", zones[zi], u,
					     (long long)i);
				if (next > s) {
					cr_assert_eq(clk_period_index(z, s, u), i, "%s unit %d index %lld", zones[zi], u,
						     (long long)i);
					cr_assert_eq(clk_period_index(z, next - 1, u), i, "%s unit %d index %lld", zones[zi],
						     u, (long long)i);
				} else {
					empty++;
				}
				s = next;
			}
			bool skipped_day = (strcmp(zones[zi], "Pacific/Apia") == 0 ||
					    strcmp(zones[zi], "Pacific/Kiritimati") == 0) && u == CLK_DAY;
			cr_assert_eq(empty, skipped_day ? 1 : 0, "%s unit %d: %lld empty periods", zones[zi], u,
				     (long long)empty);
		}
		clk_zone_free(z);
	}
}

Test(clock, local_to_utc_round_trips)
{
	clk_zone *z = Z("Europe/Paris");
	/* every valid local time maps back to an instant with that local time */
	for (int64_t t = T("2027-01-01T00:00:00Z"); t < T("2028-01-01T00:00:00Z"); t += 599) {
		int64_t local = t + clk_zone_offset(z, t);
		int64_t u = clk_local_to_utc(z, local);
		cr_assert_eq(u + clk_zone_offset(z, u), local);
		cr_assert_leq(u, t); /* the earlier of two */
	}
	cr_assert_eq(clk_local_to_utc(NULL, 12345), 12345);
	/* out of range stays defined */
	int64_t a = clk_local_to_utc(z, INT64_MAX), b = clk_local_to_utc(z, INT64_MIN);
	cr_assert(a > CLK_TIME_MAX - 90000 && b < CLK_TIME_MIN + 90000);
	clk_zone_free(z);
}

Test(clock, add_months)
{
	clk_zone *z = Z("Europe/Paris");
	cr_assert_eq(clk_add_months(z, T("2027-01-31T10:00:00+01:00"), 1), T("2027-02-28T10:00:00+01:00"));
	cr_assert_eq(clk_add_months(z, T("2028-01-31T10:00:00+01:00"), 1), T("2028-02-29T10:00:00+01:00"));
	cr_assert_eq(clk_add_months(z, T("2100-01-31T10:00:00+01:00"), 1), T("2100-02-28T10:00:00+01:00"));
	cr_assert_eq(clk_add_months(z, T("2000-01-31T10:00:00+01:00"), 1), T("2000-02-29T10:00:00+01:00"));
	cr_assert_eq(clk_add_months(z, T("2027-03-31T10:00:00+02:00"), -1), T("2027-02-28T10:00:00+01:00"));
	cr_assert_eq(clk_add_months(z, T("2024-02-29T10:00:00+01:00"), 12), T("2025-02-28T10:00:00+01:00"));
	cr_assert_eq(clk_add_months(z, T("2024-02-29T10:00:00+01:00"), 48), T("2028-02-29T10:00:00+01:00"));
	/* "12 months after earning": same local time, across DST */
	cr_assert_eq(clk_add_months(z, T("2027-03-15T10:00:00+01:00"), 12), T("2028-03-15T10:00:00+01:00"));
	cr_assert_eq(clk_add_months(z, T("2027-03-01T10:00:00+01:00"), 1), T("2027-04-01T10:00:00+02:00"));
	cr_assert_eq(clk_add_months(z, T("2027-12-31T23:30:00+01:00"), 2), T("2028-02-29T23:30:00+01:00"));
	cr_assert_eq(clk_add_months(z, T("2027-05-31T12:00:00+02:00"), 0), T("2027-05-31T12:00:00+02:00"));
	/* into the spring gap: the first instant after it */
	cr_assert_eq(clk_add_months(z, T("2027-02-28T02:30:00+01:00"), 1), T("2027-03-28T01:00:00Z"));
	/* into the autumn overlap: the earlier */
	cr_assert_eq(clk_add_months(z, T("2027-08-31T02:30:00+02:00"), 2), T("2027-10-31T02:30:00+02:00"));
	/* local, not UTC: in New York the 31st at 21:00 is the 1st in UTC */
	clk_zone *ny = Z("America/New_York");
	cr_assert_eq(clk_add_months(ny, T("2027-01-31T21:00:00-05:00"), 1), T("2027-02-28T21:00:00-05:00"));
	cr_assert_eq(clk_add_months(NULL, T("2027-01-31T21:00:00Z"), 1), T("2027-02-28T21:00:00Z"));
	/* year 1 and 9999 */
	cr_assert_eq(clk_add_months(NULL, T("0001-01-31T00:00:00Z"), 1), T("0001-02-28T00:00:00Z"));
	cr_assert_eq(clk_add_months(NULL, T("9999-11-30T00:00:00Z"), 1), T("9999-12-30T00:00:00Z"));
	/* absurd arguments stay defined */
	cr_assert_geq(clk_add_months(z, 0, INT64_MAX), CLK_TIME_MAX - 2 * 86400);
	cr_assert_leq(clk_add_months(z, 0, INT64_MIN), CLK_TIME_MIN + 2 * 86400);
	cr_assert_geq(clk_add_months(z, INT64_MAX, 1), CLK_TIME_MAX - 2 * 86400);
	clk_zone_free(z);
	clk_zone_free(ny);
}

Test(clock, add_days)
{
	clk_zone *z = Z("Europe/Paris");
	int64_t t = T("2027-03-27T12:00:00+01:00");
	cr_assert_eq(clk_add_days(z, t, 1), T("2027-03-28T12:00:00+02:00"));
	cr_assert_eq(clk_add_days(z, t, 1) - t, 23 * 3600);
	cr_assert_eq(clk_add_days(z, T("2027-10-30T12:00:00+02:00"), 1) - T("2027-10-30T12:00:00+02:00"), 25 * 3600);
	cr_assert_eq(clk_add_days(z, t, -365), T("2026-03-27T12:00:00+01:00"));
	cr_assert_eq(clk_add_days(NULL, 0, 60), 60 * 86400);
	cr_assert_geq(clk_add_days(z, 0, INT64_MAX), CLK_TIME_MAX - 2 * 86400);
	cr_assert_leq(clk_add_days(z, 0, INT64_MIN), CLK_TIME_MIN + 2 * 86400);
	clk_zone_free(z);
}

Test(clock, extreme_instants_are_safe)
{
	clk_zone *z = Z("Australia/Lord_Howe");
	static const int64_t ts[] = {INT64_MIN, INT64_MIN + 1, CLK_TIME_MIN - 1, CLK_TIME_MIN, 0,
				     CLK_TIME_MAX, CLK_TIME_MAX + 1, INT64_MAX - 1, INT64_MAX};
	static const clk_unit units[] = {CLK_DAY, CLK_WEEK, CLK_MONTH, CLK_YEAR};
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		for (size_t u = 0; u < 4; u++) {
			int64_t idx = clk_period_index(z, ts[i], units[u]);
			int64_t s = clk_period_start(z, units[u], idx);
			cr_assert(s >= CLK_TIME_MIN - 90000 && s <= CLK_TIME_MAX + 90000);
			(void)clk_period_start(z, units[u], ts[i]);
		}
		(void)clk_zone_offset(z, ts[i]);
		(void)clk_local_to_utc(z, ts[i]);
		(void)clk_add_months(z, ts[i], ts[i]);
		(void)clk_add_days(z, ts[i], ts[i]);
	}
	cr_assert_eq(clk_period_index(NULL, CLK_TIME_MAX, CLK_YEAR), CLK_YEAR_MAX);
	cr_assert_eq(clk_period_index(NULL, CLK_TIME_MIN, CLK_YEAR), CLK_YEAR_MIN);
	clk_zone_free(z);
}

/* ---- against the C library ------------------------------------------------------------------ */

static long glibc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	cr_assert_not_null(localtime_r(&tt, &tm));
	return tm.tm_gmtoff;
}

/* Every canonical zone of zone1970.tab gives the offset glibc's localtime_r
 * gives for the same TZif file: at 3,000 random instants from 1850 to 2199,
 * and on both sides of every change from 1970 to 2100 (found day by day,
 * then to the second), which crosses from the transition table to the rule
 * in 2037. (TZ is process-wide; criterion runs each test in its own
 * process.) */
Test(clock, offsets_match_glibc)
{
	FILE *tab = fopen("/usr/share/zoneinfo/zone1970.tab", "r");
	cr_assert_not_null(tab, "tzdata is not installed");
	char line[512];
	int zones = 0;
	long changes = 0;
	while (fgets(line, sizeof line, tab)) {
		if (line[0] == '#')
			continue;
		char *name = line;
		for (int k = 0; k < 2 && name; k++)
			name = strchr(name, '\t') ? strchr(name, '\t') + 1 : NULL;
		if (!name)
			continue;
		name[strcspn(name, "\t\n")] = '\0';
		clk_error err;
		clk_zone *z = clk_zone_load(name, &err);
		cr_assert_not_null(z, "%s: %s", name, err.msg);
		char tz[600]; /* ":" + a line of zone1970.tab (at most 512 bytes) */
		snprintf(tz, sizeof tz, ":%s", name);
		setenv("TZ", tz, 1);
		tzset();
		uint64_t x = 0x2545F4914F6CDD1Du;
		for (int i = 0; i < 3000; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			int64_t t = T("1850-01-01T00:00:00Z") + (int64_t)(x % UINT64_C(11045000000));
			cr_assert_eq(clk_zone_offset(z, t), glibc_offset(t), "%s at %lld", name, (long long)t);
		}
		int64_t prev = T("1970-01-01T00:00:00Z");
		long prev_off = glibc_offset(prev);
		for (int64_t t = prev + 86400; t < T("2100-01-01T00:00:00Z"); t += 86400) {
			long off = glibc_offset(t);
			if (off != prev_off) {
				int64_t lo = prev, hi = t; /* the change is in (lo, hi] */
				while (hi - lo > 1) {
					int64_t mid = lo + (hi - lo) / 2;
					if (glibc_offset(mid) == prev_off)
						lo = mid;
					else
						hi = mid;
				}
				cr_assert_eq(clk_zone_offset(z, hi - 1), glibc_offset(hi - 1), "%s at %lld", name, (long long)hi - 1);
				cr_assert_eq(clk_zone_offset(z, hi), glibc_offset(hi), "%s at %lld", name, (long long)hi);
				changes++;
			}
			prev = t;
			prev_off = off;
		}
		clk_zone_free(z);
		zones++;
	}
	fclose(tab);
	cr_assert_gt(zones, 300);
	cr_assert_gt(changes, 10000);
}

