/* clock.h — event time for the runtime: instants, calendars, time zones.
 *
 * Rules run in event time ("in last 30 days", "per week", "12 months after
 * earning"), so every time computation goes through this module, and it
 * gives the same answer on every machine, whatever its TZ variable or
 * locale: nothing here reads the environment or keeps global mutable state.
 *
 * Units:
 *   - an instant is int64 seconds since 1970-01-01T00:00:00Z (UTC, POSIX
 *     time: no leap seconds);
 *   - a day number is int64 days since 1970-01-01 (day 0), in the
 *     proleptic Gregorian calendar;
 *   - a local time is an instant plus a zone's UTC offset ("wall clock
 *     seconds"), used only inside conversions.
 *
 * Domain: the calendar functions are exact for years -1,000,000 to
 * +1,000,000 (CLK_TIME_MIN..CLK_TIME_MAX). Functions taking an instant clamp
 * it into that range first, so any int64 input is safe (no overflow, no
 * undefined behaviour) and only absurd inputs see clamped results.
 *
 * Zones (clk_zone) are read from the system's TZif files
 * (/usr/share/zoneinfo, Debian package tzdata), or are UTC or a fixed offset.
 * A zone is immutable once loaded: share one between threads freely.
 *
 * Cost on the per-event path: clk_zone_offset is a binary search over the
 * zone's transitions (184 for Europe/Paris, up to 2037), then, past the
 * last one, the zone's POSIX rule evaluated for that year; clk_period_index
 * adds a few integer divisions. Neither allocates, locks or reads a file.
 * Measured here (-O2, bench/clock_bench.c): clk_zone_offset
 * ~7 ns and clk_period_index ~12 ns within the table, ~37 and ~40 ns past
 * it (year 2100); clk_parse_rfc3339 ~20 ns, one pass, no allocation.
 * clk_period_start, clk_local_to_utc and clk_add_* walk the one or two
 * changes around the moment: a few offset lookups. Loading a zone reads a
 * file and allocates once: do it at start-up, not per event.
 */
#ifndef LUDIC_CLOCK_H
#define LUDIC_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The calendar domain: 1,000,000 BCE-ish to 1,000,000 CE. */
#define CLK_YEAR_MIN (-1000000)
#define CLK_YEAR_MAX 1000000
#define CLK_DAYS_MIN INT64_C(-365962028)         /* -1000000-01-01 */
#define CLK_DAYS_MAX INT64_C(364523337)          /* 1000000-12-31 */
#define CLK_TIME_MIN INT64_C(-31619119219200)    /* -1000000-01-01T00:00:00Z */
#define CLK_TIME_MAX INT64_C(31494816403199)     /* 1000000-12-31T23:59:59Z */

/* Why a parse or a load failed, in words a marketer or an operator can act
 * on ("month 13 does not exist", "missing UTC offset: add Z or +01:00").
 * Every function taking a clk_error * accepts NULL when the reason is not
 * wanted. */
typedef struct clk_error {
	char msg[160]; /* the reason, NUL-terminated, no trailing period */
	size_t at;     /* byte offset in the parsed text where the problem is (0 for loads) */
} clk_error;

/* A date of the proleptic Gregorian calendar. */
typedef struct clk_date {
	int64_t year; /* astronomical numbering: year 0 is 1 BCE */
	int month;    /* 1-12 */
	int day;      /* 1-31 */
} clk_date;

/* ---- the calendar --------------------------------------------------------- */

bool clk_is_leap(int64_t year);
/* Days in `month` (1-12) of `year`: 28-31. */
int clk_days_in_month(int64_t year, int month);

/* The day number of year-month-day. `month` outside 1-12 carries into the
 * year (month 13 of 2026 is January 2027); `day` counts on from the first of
 * the month (day 0 is the last day of the previous month), so out-of-range
 * fields are arithmetic, never undefined. The year is clamped to
 * ±10^12, far beyond CLK_YEAR_MIN/MAX. */
int64_t clk_days_from_civil(int64_t year, int month, int day);
/* The date of a day number; exact for |days| <= 10^14 (every day an int64
 * instant can fall on), clamped beyond. Inverse of clk_days_from_civil. */
clk_date clk_civil_from_days(int64_t days);
/* ISO weekday of a day number: 1 = Monday ... 7 = Sunday. */
int clk_weekday(int64_t days);
/* ISO 8601 week date of a day number: week 1 of a year is the week (Monday
 * to Sunday) holding its first Thursday, so 2027-01-03 is in week 53 of 2026
 * and week 1 of 2027 starts on Monday 2027-01-04. */
void clk_iso_week(int64_t days, int64_t *iso_year, int *week);

/* ---- text: RFC 3339 times, ISO 8601 durations -------------------------------- */

/* Parses exactly `len` bytes of `s` (no NUL needed) as an RFC 3339 date-time,
 * YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), into *out (seconds).
 *   - `t` and `z` may be lower case, and a single space may replace `T`
 *     (RFC 3339 section 5.6 allows both); nothing else is lenient.
 *   - The date must exist (2027-02-29 does not); hour 00-23, minute 00-59.
 *   - The fraction (any number of digits) is truncated: the result is the
 *     whole second the instant falls in.
 *   - A leap second, second 60, is accepted only where one can occur, at
 *     23:59:60 UTC (after applying the offset), and reads as 23:59:59 UTC:
 *     POSIX time has no leap seconds, and this keeps the event in its day.
 *   - Offset -00:00 ("local offset unknown") reads as Z.
 * Returns true on success; on failure returns false, leaves *out alone and
 * fills *err with the reason and the byte offset of the problem. */
bool clk_parse_rfc3339(const char *s, size_t len, int64_t *out, clk_error *err);

/* Parses exactly `len` bytes as a calendar date YYYY-MM-DD (a birthday, a
 * campaign's first day) into a day number. Same validation and reasons as
 * clk_parse_rfc3339. */
bool clk_parse_date(const char *s, size_t len, int64_t *days, clk_error *err);

/* Writes `t` as RFC 3339 in the given UTC offset, NUL-terminated:
 * "2027-03-28T01:00:00Z" (offset 0) or "2027-03-28T03:00:00+02:00". An
 * offset that is not a whole number of minutes (local mean time of old
 * zone data) is truncated to minutes, and the local time shown is computed
 * with the truncated offset, so the text always denotes exactly `t`.
 * Returns the length (20 or 25), or 0 and an empty string when the year is
 * outside 0000-9999 or |offset_seconds| >= 24 h (RFC 3339 cannot say it). */
size_t clk_format_rfc3339(int64_t t, int offset_seconds, char buf[32]);

/* Parses exactly `len` bytes as an ISO 8601 duration into seconds:
 * P[nW][nD][T[nH][nM][nS]], e.g. PT37M, P1D, PT1H30M, P2W, P1DT12H, and a
 * fraction on the last number (PT1.5H, PT0,5S), truncated to whole seconds.
 * Designators are upper case, in that order, each at most once. Years and
 * months (P1Y, P1M) are refused: they have no fixed length in seconds, and
 * the reason says to write days instead. Negative durations are refused.
 * Returns true on success; on failure false, *out untouched, *err filled. */
bool clk_parse_duration(const char *s, size_t len, int64_t *out, clk_error *err);

/* ---- time zones ------------------------------------------------------------ */

typedef struct clk_zone clk_zone;

/* Loads a zone by name:
 *   - "UTC", or a fixed offset "+HH:MM" / "-HH:MM" (hours 00-23): no file;
 *   - otherwise an IANA name ("Europe/Paris") read as a TZif file (versions
 *     1 to 4) from /usr/share/zoneinfo/NAME.
 * The name must be a relative path of letters, digits and `_ - + .`, with
 * no empty, `.` or `..` component. The file is validated completely
 * (header, counts against the file size, ascending transitions, type
 * indices, offsets within ±26 h, the POSIX rule of the footer); a bad file
 * yields NULL and a reason, never a crash or an over-read. Zones with
 * leap-second tables ("right/...") are refused: event time is POSIX time.
 * Returns a zone to release with clk_zone_free, or NULL and *err. */
clk_zone *clk_zone_load(const char *name, clk_error *err);
/* The same, reading NAME under `dir` instead of /usr/share/zoneinfo. */
clk_zone *clk_zone_load_from(const char *dir, const char *name, clk_error *err);
/* The same, from TZif bytes in memory (`name` is only recorded). */
clk_zone *clk_zone_from_tzif(const char *name, const void *data, size_t len, clk_error *err);
/* Frees a zone; NULL is allowed. */
void clk_zone_free(clk_zone *z);
/* The name the zone was loaded under ("Europe/Paris", "UTC", "+05:30"). */
const char *clk_zone_name(const clk_zone *z);

/* The UTC offset in seconds (local = t + offset) in zone `z` at instant `t`:
 * the last transition at or before t; before the first transition, the
 * zone's first local time type; after the last, the zone's POSIX rule
 * (TZif v2+ footer) for that year. NULL means UTC. No allocation; O(log n)
 * in the number of transitions. */
int32_t clk_zone_offset(const clk_zone *z, int64_t t);

/* The instant at which the local (wall clock) time `local` occurs in `z`
 * (local is "seconds since 1970-01-01T00:00:00" on the zone's clocks). When
 * that local time occurs twice (clocks set back), the earlier instant; when
 * it does not occur (clocks set forward over it), the first instant after
 * the gap, i.e. the moment of the change. NULL means UTC. No allocation. */
int64_t clk_local_to_utc(const clk_zone *z, int64_t local);

/* ---- calendar periods in a zone -------------------------------------------- */

typedef enum clk_unit {
	CLK_DAY,   /* index: day number of the local date */
	CLK_WEEK,  /* index: ISO weeks (Monday to Sunday) since Monday 1969-12-29 */
	CLK_MONTH, /* index: year * 12 + month - 1 */
	CLK_YEAR,  /* index: the year */
} clk_unit;

/* The index of the local calendar period (day, week, month, year) holding
 * instant `t` in zone `z` (NULL = UTC). Indexes are consecutive integers
 * that grow with time: period i + 1 follows period i. One exception: when
 * the clocks go back across local midnight (a zone moving east across the
 * date line, as Alaska did in 1867), a local date happens twice and its
 * index comes back once (rare: historical date-line moves). Same cost as
 * clk_zone_offset plus a few divisions; no allocation. */
int64_t clk_period_index(const clk_zone *z, int64_t t, clk_unit u);

/* The instant local period `index` of unit `u` starts in zone `z`: its first
 * day's local midnight, or, if that midnight does not exist (clocks set
 * forward over it), the first instant after it. Periods follow the zone's
 * clocks, so a local day lasts 23 or 25 hours on DST changes. Period i is
 * [start(i), start(i + 1)) and every instant in it has index i; it is empty
 * only for a local day that never was (Pacific/Apia skipped 2011-12-30,
 * Pacific/Kiritimati 1994-12-31). */
int64_t clk_period_start(const clk_zone *z, clk_unit u, int64_t index);

/* ---- a memo of zone lookups, for callers on a hot path ---------------------
 *
 * The offset of a zone is constant between transitions, and the same local
 * days come back again and again: a clk_memo (owned by the caller, zeroed
 * before first use, tied to one zone) remembers the span of constant offset
 * last looked up and the starts of a few local days. The results are exactly
 * those of clk_zone_offset, clk_period_index and clk_period_start(CLK_DAY);
 * in the common case they cost a comparison and some integer arithmetic. */
#define CLK_MEMO_DAYS 8
typedef struct clk_memo {
	const clk_zone *zone;           /* the zone the memo holds (another zone empties it) */
	bool span_ok;                   /* lo, hi, off are known */
	int64_t lo, hi;                 /* instants [lo, hi) have offset `off` */
	int32_t off;
	uint8_t days_ok;                /* bit i: day[i], start[i] are known */
	int64_t day[CLK_MEMO_DAYS];     /* a local day (slot: day mod CLK_MEMO_DAYS) */
	int64_t start[CLK_MEMO_DAYS];   /* clk_period_start(zone, CLK_DAY, day[i]) */
	uint8_t dates_ok;               /* bit i: date_day[i], date[i] are known */
	int64_t date_day[CLK_MEMO_DAYS];/* a day number (slot: day mod CLK_MEMO_DAYS) */
	clk_date date[CLK_MEMO_DAYS];   /* clk_civil_from_days(date_day[i]) */
} clk_memo;

int32_t clk_memo_offset(clk_memo *m, const clk_zone *z, int64_t t);
int64_t clk_memo_period(clk_memo *m, const clk_zone *z, int64_t t, clk_unit u);
int64_t clk_memo_day_start(clk_memo *m, const clk_zone *z, int64_t day);
/* clk_civil_from_days, remembered (no zone involved). */
clk_date clk_memo_date(clk_memo *m, int64_t day);

/* `t` plus `n` calendar months in zone `z` (n may be negative): the same
 * local time of day on the same day of the month, clamped to the end of a
 * shorter month (Jan 31 + 1 month = Feb 28, or 29 in a leap year). The local
 * time is resolved like clk_local_to_utc (earlier of two, or the end of a
 * gap). This is "expires 12 months after earning". */
int64_t clk_add_months(const clk_zone *z, int64_t t, int64_t n);

/* `t` plus `n` calendar days in zone `z`: the same local time `n` local days
 * later (23, 24 or 25 hours per day across DST changes), resolved like
 * clk_local_to_utc. */
int64_t clk_add_days(const clk_zone *z, int64_t t, int64_t n);

#endif
