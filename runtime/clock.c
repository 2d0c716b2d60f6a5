/* clock.c — event time: the calendar, RFC 3339, ISO 8601 durations, TZif
 * zones and their POSIX rules, calendar periods in a zone.
 *
 * Guarantees: no global mutable state and no environment (TZ, locale) is
 * read; a zone is immutable after load; every input, including any int64
 * and any byte string, gives a defined result or an error with a reason,
 * never undefined behaviour. The calendar arithmetic is Howard Hinnant's
 * days_from_civil / civil_from_days ("chrono-Compatible Low-Level Date
 * Algorithms"); the TZif layout is RFC 9636 (which obsoletes RFC 8536).
 */
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY 86400
/* Every UTC offset this module accepts is strictly below 26 hours. */
#define MAX_OFFSET (26 * 3600 - 1)

static void fail(clk_error *err, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(clk_error *err, size_t at, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->at = at;
}

/* Floor division and modulo, for a positive divisor. */
static int64_t fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b < 0) ? q - 1 : q;
}

static int64_t fmod64(int64_t a, int64_t b)
{
	int64_t r = a % b;
	return r < 0 ? r + b : r;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int64_t clamp_time(int64_t t)
{
	return clamp(t, CLK_TIME_MIN, CLK_TIME_MAX);
}

/* ---- the calendar ------------------------------------------------------------ */

bool clk_is_leap(int64_t year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int clk_days_in_month(int64_t year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	return month == 2 && clk_is_leap(year) ? 29 : days[month - 1];
}

int64_t clk_days_from_civil(int64_t year, int month, int day)
{
	const int64_t ylim = INT64_C(1000000000000);
	int64_t y = clamp(year, -ylim, ylim);
	if (month < 1 || month > 12) {
		y += fdiv((int64_t)month - 1, 12);
		month = (int)fmod64((int64_t)month - 1, 12) + 1;
	}
	y -= month <= 2;
	int64_t era = fdiv(y, 400);
	int64_t yoe = y - era * 400;                                      /* [0, 399] */
	int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* [0, 146096] */
	return era * 146097 + doe - 719468 + ((int64_t)day - 1);
}

clk_date clk_civil_from_days(int64_t days)
{
	const int64_t dlim = INT64_C(100000000000000);
	int64_t z = clamp(days, -dlim, dlim) + 719468;
	int64_t era = fdiv(z, 146097);
	int64_t doe = z - era * 146097;                                        /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                     /* [0, 11] */
	clk_date d;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = yoe + era * 400 + (d.month <= 2);
	return d;
}

int clk_weekday(int64_t days)
{
	return (int)fmod64(days + 3, 7) + 1; /* 1970-01-01 was a Thursday */
}

void clk_iso_week(int64_t days, int64_t *iso_year, int *week)
{
	/* The week belongs to the year of its Thursday. */
	int64_t thursday = days - clk_weekday(days) + 4;
	int64_t y = clk_civil_from_days(thursday).year;
	if (iso_year)
		*iso_year = y;
	if (week)
		*week = (int)((thursday - clk_days_from_civil(y, 1, 1)) / 7 + 1);
}

/* ---- RFC 3339 ---------------------------------------------------------------- */

/* A cursor over the text being parsed. */
typedef struct scan {
	const char *s; /* the text */
	size_t len;    /* its length */
	size_t i;      /* the next byte */
} scan;

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly `n` digits into *v, or fails naming `what`. */
static bool digits(scan *sc, int n, int *v, const char *what, clk_error *err)
{
	int x = 0;
	for (int k = 0; k < n; k++) {
		if (sc->i + (size_t)k >= sc->len || !is_digit(sc->s[sc->i + (size_t)k])) {
			fail(err, sc->i, "expected %d digits for the %s", n, what);
			return false;
		}
		x = x * 10 + (sc->s[sc->i + (size_t)k] - '0');
	}
	sc->i += (size_t)n;
	*v = x;
	return true;
}

static bool expect(scan *sc, char c, const char *after, clk_error *err)
{
	if (sc->i < sc->len && sc->s[sc->i] == c) {
		sc->i++;
		return true;
	}
	fail(err, sc->i, "expected '%c' after the %s", c, after);
	return false;
}

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December",
};

/* YYYY-MM-DD at the cursor, validated against the calendar. */
static bool scan_date(scan *sc, int64_t *days, clk_error *err)
{
	int y, m, d;
	if (sc->len == 0) {
		fail(err, 0, "empty date: expected e.g. 2027-03-28");
		return false;
	}
	if (!digits(sc, 4, &y, "year (YYYY-MM-DD)", err) || !expect(sc, '-', "year (YYYY-MM-DD)", err))
		return false;
	size_t mat = sc->i;
	if (!digits(sc, 2, &m, "month (YYYY-MM-DD)", err) || !expect(sc, '-', "month (YYYY-MM-DD)", err))
		return false;
	size_t dat = sc->i;
	if (!digits(sc, 2, &d, "day (YYYY-MM-DD)", err))
		return false;
	if (m < 1 || m > 12) {
		fail(err, mat, "month %d does not exist", m);
		return false;
	}
	if (d < 1 || d > clk_days_in_month(y, m)) {
		if (d == 29 && m == 2)
			fail(err, dat, "day 29 does not exist in February %04d: %04d is not a leap year", y, y);
		else if (d == 0)
			fail(err, dat, "day 0 does not exist");
		else
			fail(err, dat, "day %d does not exist in %s", d, month_names[m - 1]);
		return false;
	}
	*days = clk_days_from_civil(y, m, d);
	return true;
}

bool clk_parse_date(const char *s, size_t len, int64_t *days, clk_error *err)
{
	scan sc = {s, len, 0};
	int64_t d;
	if (!scan_date(&sc, &d, err))
		return false;
	if (sc.i != len) {
		fail(err, sc.i, "unexpected text after the date");
		return false;
	}
	*days = d;
	return true;
}

bool clk_parse_rfc3339(const char *s, size_t len, int64_t *out, clk_error *err)
{
	scan sc = {s, len, 0};
	int64_t days;
	int hh, mm, ss;
	if (len == 0) {
		fail(err, 0, "empty time: expected e.g. 2027-03-28T14:05:00Z");
		return false;
	}
	if (!scan_date(&sc, &days, err))
		return false;
	if (sc.i == len) {
		fail(err, sc.i, "missing time of day: add e.g. T00:00:00Z after the date");
		return false;
	}
	char sep = s[sc.i];
	if (sep != 'T' && sep != 't' && sep != ' ') {
		fail(err, sc.i, "expected 'T' between the date and the time");
		return false;
	}
	sc.i++;
	size_t hat = sc.i;
	if (!digits(&sc, 2, &hh, "hour (HH:MM:SS)", err) || !expect(&sc, ':', "hour (HH:MM:SS)", err))
		return false;
	size_t mat = sc.i;
	if (!digits(&sc, 2, &mm, "minute (HH:MM:SS)", err))
		return false;
	if (sc.i == len || s[sc.i] != ':') {
		fail(err, sc.i, "missing seconds: write HH:MM:SS (e.g. 14:05:00)");
		return false;
	}
	sc.i++;
	size_t sat = sc.i;
	if (!digits(&sc, 2, &ss, "second (HH:MM:SS)", err))
		return false;
	if (hh > 23) {
		if (hh == 24)
			fail(err, hat, "hour 24 does not exist: write 00:00:00 of the next day");
		else
			fail(err, hat, "hour %d does not exist", hh);
		return false;
	}
	if (mm > 59) {
		fail(err, mat, "minute %d does not exist", mm);
		return false;
	}
	if (ss > 60) {
		fail(err, sat, "second %d does not exist", ss);
		return false;
	}
	if (sc.i < len && (s[sc.i] == '.' || s[sc.i] == ',')) {
		if (s[sc.i] == ',') {
			fail(err, sc.i, "write the fraction of a second with '.', not ','");
			return false;
		}
		sc.i++;
		if (sc.i == len || !is_digit(s[sc.i])) {
			fail(err, sc.i, "expected digits after '.'");
			return false;
		}
		while (sc.i < len && is_digit(s[sc.i]))
			sc.i++; /* truncated: the fraction never changes the second */
	}
	int offset = 0;
	if (sc.i == len) {
		fail(err, sc.i, "missing UTC offset: add Z or +01:00");
		return false;
	}
	char c = s[sc.i];
	if (c == 'Z' || c == 'z') {
		sc.i++;
	} else if (c == '+' || c == '-') {
		size_t oat = sc.i;
		int oh, om;
		sc.i++;
		if (!digits(&sc, 2, &oh, "UTC offset (+HH:MM)", err))
			return false;
		if (sc.i == len || s[sc.i] != ':') {
			fail(err, oat, "write the UTC offset as %cHH:MM (e.g. %c01:00)", c, c);
			return false;
		}
		sc.i++;
		if (!digits(&sc, 2, &om, "UTC offset (+HH:MM)", err))
			return false;
		if (oh > 23 || om > 59) {
			fail(err, oat, "UTC offset %.6s does not exist: hours go to 23, minutes to 59", s + oat);
			return false;
		}
		offset = (oh * 60 + om) * 60 * (c == '-' ? -1 : 1);
	} else {
		fail(err, sc.i, "missing UTC offset: add Z or +01:00");
		return false;
	}
	if (sc.i != len) {
		fail(err, sc.i, "unexpected text after the time");
		return false;
	}
	int64_t t = days * DAY + hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss) - offset;
	if (ss == 60 && fmod64(t, DAY) != DAY - 1) {
		fail(err, sat, "second 60 is a leap second, which only exists at 23:59:60 UTC");
		return false;
	}
	*out = t;
	return true;
}

size_t clk_format_rfc3339(int64_t t, int offset_seconds, char buf[32])
{
	buf[0] = '\0';
	if (offset_seconds <= -DAY || offset_seconds >= DAY)
		return 0;
	int off_min = offset_seconds / 60; /* truncated toward zero */
	int64_t local = clamp_time(t) + off_min * 60;
	int64_t days = fdiv(local, DAY);
	int64_t sod = local - days * DAY;
	clk_date d = clk_civil_from_days(days);
	if (d.year < 0 || d.year > 9999)
		return 0;
	int n = snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d", (int)d.year, d.month, d.day,
			 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	if (off_min == 0) {
		buf[n++] = 'Z';
		buf[n] = '\0';
	} else {
		int a = off_min < 0 ? -off_min : off_min;
		n += snprintf(buf + n, (size_t)(32 - n), "%c%02d:%02d", off_min < 0 ? '-' : '+', a / 60, a % 60);
	}
	return (size_t)n;
}

/* ---- ISO 8601 durations --------------------------------------------------------- */

bool clk_parse_duration(const char *s, size_t len, int64_t *out, clk_error *err)
{
	/* The designators in the order they may appear; T splits date and time. */
	static const struct {
		char c;       /* designator */
		bool in_time; /* after T */
		int64_t secs; /* seconds per unit */
	} units[] = {{'W', false, 7 * DAY}, {'D', false, DAY}, {'H', true, 3600}, {'M', true, 60}, {'S', true, 1}};
	enum { NUNITS = sizeof units / sizeof units[0] };

	if (len == 0) {
		fail(err, 0, "empty duration: expected e.g. PT30M or P1D");
		return false;
	}
	if (s[0] == '-') {
		fail(err, 0, "a duration cannot be negative");
		return false;
	}
	if (s[0] != 'P') {
		if (s[0] == 'p')
			fail(err, 0, "write durations in capitals (PT30M)");
		else
			fail(err, 0, "a duration starts with P, e.g. PT30M or P1D");
		return false;
	}
	size_t i = 1;
	bool in_time = false, any = false, fraction_seen = false;
	int next_unit = 0; /* units before this one are used up */
	int64_t total = 0;
	if (i == len) {
		fail(err, i, "empty duration: expected e.g. PT30M or P1D");
		return false;
	}
	while (i < len) {
		if (s[i] == 'T') {
			if (in_time) {
				fail(err, i, "T appears twice");
				return false;
			}
			in_time = true;
			i++;
			if (i == len) {
				fail(err, i, "nothing after T: write e.g. PT30M");
				return false;
			}
			continue;
		}
		size_t nat = i;
		if (fraction_seen) {
			fail(err, i, "only the last number of a duration may have a fraction");
			return false;
		}
		if (!is_digit(s[i])) {
			fail(err, i, "expected a number before '%c'", s[i]);
			return false;
		}
		int64_t whole = 0;
		bool overflow = false;
		while (i < len && is_digit(s[i])) {
			if (whole > (INT64_MAX - (s[i] - '0')) / 10)
				overflow = true;
			else
				whole = whole * 10 + (s[i] - '0');
			i++;
		}
		size_t fstart = 0, fend = 0;
		if (i < len && (s[i] == '.' || s[i] == ',')) {
			i++;
			fstart = i;
			while (i < len && is_digit(s[i]))
				i++;
			fend = i;
			if (fstart == fend) {
				fail(err, i, "expected digits after the decimal mark");
				return false;
			}
			fraction_seen = true;
		}
		if (i == len) {
			fail(err, i, "missing unit after %.*s: add %s", (int)(i - nat), s + nat,
			     in_time ? "H, M or S" : "D or W (or T and H, M or S)");
			return false;
		}
		char u = s[i];
		size_t uat = i;
		i++;
		if (u == 'Y' && !in_time) {
			fail(err, uat, "years are not a fixed length: write days instead (P365D)");
			return false;
		}
		if (u == 'M' && !in_time) {
			fail(err, uat, "P%.*sM means months, which are not a fixed length: for minutes write PT%.*sM, "
				       "for a month write days (P30D)", (int)(uat - nat), s + nat, (int)(uat - nat), s + nat);
			return false;
		}
		int k = 0;
		while (k < NUNITS && units[k].c != u)
			k++;
		if (k == NUNITS) {
			if (u >= 'a' && u <= 'z')
				fail(err, uat, "write duration units in capitals (W, D, H, M, S)");
			else
				fail(err, uat, "'%c' is not a duration unit: use W, D, H, M or S", u);
			return false;
		}
		if (units[k].in_time != in_time) {
			if (in_time)
				fail(err, uat, "%c must come before T (P1DT2H)", u);
			else
				fail(err, uat, "hours, minutes and seconds go after T: write PT%.*s%c",
				     (int)(uat - nat), s + nat, u);
			return false;
		}
		if (k < next_unit) {
			fail(err, uat, "'%c' is repeated or out of order: write W, D, then T, H, M, S", u);
			return false;
		}
		next_unit = k + 1;
		int64_t secs = units[k].secs;
		/* floor(0.fraction * secs), exactly: Horner from the last digit,
		 * where floor((a + floor(x)) / 10) == floor((a + x) / 10). */
		int64_t frac = 0;
		for (size_t j = fend; j > fstart; j--)
			frac = ((s[j - 1] - '0') * secs + frac) / 10;
		if (overflow || whole > (INT64_MAX - frac) / secs || whole * secs + frac > INT64_MAX - total) {
			fail(err, nat, "duration too large");
			return false;
		}
		total += whole * secs + frac;
		any = true;
	}
	if (!any) {
		fail(err, len, "empty duration: expected e.g. PT30M or P1D");
		return false;
	}
	*out = total;
	return true;
}

/* ---- POSIX TZ rules (the TZif footer) ---------------------------------------------- */

/* One end of daylight saving time in a POSIX TZ string. */
typedef struct rule_date {
	char kind;    /* 'J': Julian day 1-365, Feb 29 never counted; 'N': day 0-365
		       * counting Feb 29; 'M': month m, week w (5 = last), weekday d */
	int n;        /* kind J and N: the day */
	int m, w, d;  /* kind M: month 1-12, week 1-5, weekday 0 (Sunday)-6 */
	int32_t time; /* local time of the change, seconds (-167 h to +167 h) */
} rule_date;

/* "CET-1CEST,M3.5.0,M10.5.0/3": standard and summer offsets and when each starts. */
typedef struct tz_rule {
	int32_t std;     /* UTC offset of standard time, seconds east */
	int32_t dst;     /* UTC offset of daylight saving time */
	bool has_dst;    /* false: std all year */
	rule_date start; /* DST starts, in local standard time */
	rule_date end;   /* DST ends, in local daylight time */
} tz_rule;

/* A zone abbreviation: 3+ letters, or <...> of letters, digits, + and -. */
static const char *rule_name(const char *p, const char *end)
{
	const char *q = p;
	if (q < end && *q == '<') {
		q++;
		while (q < end && (is_digit(*q) || *q == '+' || *q == '-' || (*q >= 'A' && *q <= 'Z') ||
				   (*q >= 'a' && *q <= 'z')))
			q++;
		if (q >= end || *q != '>' || q - p - 1 < 3)
			return NULL;
		return q + 1;
	}
	while (q < end && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z')))
		q++;
	return q - p >= 3 ? q : NULL;
}

/* A number of 1 to `maxdigits` digits, at most `max`. */
static const char *rule_num(const char *p, const char *end, int maxdigits, int max, int *v)
{
	int x = 0, n = 0;
	while (p < end && is_digit(*p) && n < maxdigits) {
		x = x * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || x > max)
		return NULL;
	*v = x;
	return p;
}

/* [+-]hh[:mm[:ss]] with hh at most `maxh`, into seconds. */
static const char *rule_hms(const char *p, const char *end, int maxh, int32_t *secs)
{
	int sign = 1, h, m = 0, s = 0;
	if (p < end && (*p == '+' || *p == '-'))
		sign = *p++ == '-' ? -1 : 1;
	if (!(p = rule_num(p, end, 3, maxh, &h)))
		return NULL;
	if (p < end && *p == ':') {
		if (!(p = rule_num(p + 1, end, 2, 59, &m)))
			return NULL;
		if (p < end && *p == ':' && !(p = rule_num(p + 1, end, 2, 59, &s)))
			return NULL;
	}
	*secs = sign * (h * 3600 + m * 60 + s);
	return p;
}

/* ",Jn[/time]", ",n[/time]" or ",Mm.w.d[/time]". */
static const char *rule_date_parse(const char *p, const char *end, rule_date *rd)
{
	if (p >= end || *p != ',')
		return NULL;
	p++;
	if (p < end && *p == 'J') {
		rd->kind = 'J';
		if (!(p = rule_num(p + 1, end, 3, 365, &rd->n)) || rd->n < 1)
			return NULL;
	} else if (p < end && *p == 'M') {
		rd->kind = 'M';
		if (!(p = rule_num(p + 1, end, 2, 12, &rd->m)) || rd->m < 1 || p >= end || *p != '.')
			return NULL;
		if (!(p = rule_num(p + 1, end, 1, 5, &rd->w)) || rd->w < 1 || p >= end || *p != '.')
			return NULL;
		if (!(p = rule_num(p + 1, end, 1, 6, &rd->d)))
			return NULL;
	} else {
		rd->kind = 'N';
		if (!(p = rule_num(p, end, 3, 365, &rd->n)))
			return NULL;
	}
	rd->time = 2 * 3600;
	if (p < end && *p == '/' && !(p = rule_hms(p + 1, end, 167, &rd->time)))
		return NULL; /* TZif v3 allows -167 to 167 hours here */
	return p;
}

/* Parses a whole POSIX TZ string; false if it is not one. */
static bool rule_parse(const char *p, size_t len, tz_rule *r)
{
	const char *end = p + len;
	int32_t off;
	memset(r, 0, sizeof *r);
	if (!(p = rule_name(p, end)) || !(p = rule_hms(p, end, 24, &off)))
		return false;
	r->std = -off; /* POSIX counts hours west of Greenwich */
	if (p == end)
		return true;
	if (!(p = rule_name(p, end)))
		return false;
	r->has_dst = true;
	r->dst = r->std + 3600;
	if (p < end && *p != ',') {
		if (!(p = rule_hms(p, end, 24, &off)))
			return false;
		r->dst = -off;
	}
	/* A TZif footer always says when DST starts and ends. */
	if (!(p = rule_date_parse(p, end, &r->start)) || !(p = rule_date_parse(p, end, &r->end)))
		return false;
	return p == end;
}

/* The local time (seconds) in `year` at which rule date `rd` happens. */
static int64_t rule_local(const rule_date *rd, int64_t year)
{
	int64_t day;
	switch (rd->kind) {
	case 'J':
		day = clk_days_from_civil(year, 1, 1) + rd->n - 1 + (clk_is_leap(year) && rd->n >= 60);
		break;
	case 'N':
		day = clk_days_from_civil(year, 1, 1) + rd->n;
		break;
	default: {
		int64_t first = clk_days_from_civil(year, rd->m, 1);
		int wd = clk_weekday(first) % 7; /* 0 = Sunday, as POSIX counts */
		day = first + (rd->d - wd + 7) % 7 + 7 * (rd->w - 1);
		while (day >= first + clk_days_in_month(year, rd->m))
			day -= 7; /* week 5 means the last one */
		break;
	}
	}
	return day * DAY + rd->time;
}

/* The instants DST starts and ends in `year` (of local standard time). */
static void rule_year(const tz_rule *r, int64_t year, int64_t *start, int64_t *end)
{
	*start = rule_local(&r->start, year) - r->std;
	*end = rule_local(&r->end, year) - r->dst;
}

/* The offset at `t` (already clamped to the domain). */
static int32_t rule_offset(const tz_rule *r, int64_t t)
{
	if (!r->has_dst)
		return r->std;
	int64_t year = clk_civil_from_days(fdiv(t + r->std, DAY)).year;
	int64_t s, e;
	rule_year(r, year, &s, &e);
	bool in_dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
	return in_dst ? r->dst : r->std;
}

/* The offset at `t` and the first instant after `t` the offset changes
 * (INT64_MAX if never). */
static int32_t rule_span(const tz_rule *r, int64_t t, int64_t *until)
{
	int32_t off = rule_offset(r, t);
	*until = INT64_MAX;
	if (!r->has_dst)
		return off;
	int64_t year = clk_civil_from_days(fdiv(t + r->std, DAY)).year;
	for (int64_t y = year; y <= year + 1; y++) {
		int64_t ev[2];
		rule_year(r, y, &ev[0], &ev[1]);
		for (int k = 0; k < 2; k++)
			if (ev[k] > t && ev[k] < *until && rule_offset(r, clamp_time(ev[k])) != off)
				*until = ev[k];
	}
	return off;
}

/* ---- zones ---------------------------------------------------------------------- */

struct clk_zone {
	size_t n;                /* number of transitions */
	const int64_t *times;    /* transition instants, strictly ascending */
	const int32_t *offsets;  /* offsets[i]: the UTC offset from times[i] on */
	int32_t initial;         /* the offset before times[0] (local time type 0) */
	bool has_rule;           /* rule applies after the last transition (or always if n == 0) */
	tz_rule rule;            /* the TZif footer's POSIX rule */
	const char *name;        /* the name it was loaded under */
	int64_t storage[];       /* times, then offsets, then name: one allocation */
};

/* One allocation holding the zone, `n` transitions and the name. */
static clk_zone *zone_new(const char *name, size_t n)
{
	size_t nlen = strlen(name);
	clk_zone *z = malloc(sizeof *z + n * sizeof(int64_t) + n * sizeof(int32_t) + nlen + 1);
	if (!z)
		return NULL;
	memset(z, 0, sizeof *z);
	z->n = n;
	int64_t *times = z->storage;
	int32_t *offsets = (int32_t *)(times + n);
	char *nm = (char *)(offsets + n);
	memcpy(nm, name, nlen + 1);
	z->times = times;
	z->offsets = offsets;
	z->name = nm;
	return z;
}

void clk_zone_free(clk_zone *z)
{
	free(z);
}

const char *clk_zone_name(const clk_zone *z)
{
	return z ? z->name : "UTC";
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	uint64_t v = (uint64_t)be32(p) << 32 | be32(p + 4);
	return v > (uint64_t)INT64_MAX ? -(int64_t)(~v) - 1 : (int64_t)v;
}

static int32_t be32s(const unsigned char *p)
{
	uint32_t v = be32(p);
	return v > (uint32_t)INT32_MAX ? -(int32_t)(~v) - 1 : (int32_t)v;
}

/* The six counts of a TZif header. */
typedef struct tzif_counts {
	uint64_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static void tzif_read_counts(const unsigned char *h, tzif_counts *c)
{
	c->isut = be32(h + 20);
	c->isstd = be32(h + 24);
	c->leap = be32(h + 28);
	c->time = be32(h + 32);
	c->type = be32(h + 36);
	c->chars = be32(h + 40);
}

/* Bytes of the data block after a header, for times of `tsize` bytes
 * (cannot overflow: every count is below 2^32). */
static uint64_t tzif_block_size(const tzif_counts *c, uint64_t tsize)
{
	return c->time * tsize + c->time + c->type * 6 + c->chars + c->leap * (tsize + 4) + c->isstd + c->isut;
}

clk_zone *clk_zone_from_tzif(const char *name, const void *data, size_t len, clk_error *err)
{
	const unsigned char *b = data;
	if (!name)
		name = "";
	if (len < 44) {
		fail(err, 0, "time zone %.64s: truncated TZif file (%zu bytes)", name, len);
		return NULL;
	}
	if (memcmp(b, "TZif", 4) != 0) {
		fail(err, 0, "time zone %.64s: not a TZif file", name);
		return NULL;
	}
	int version = b[4] == 0 ? 1 : (b[4] >= '2' && b[4] <= '4') ? b[4] - '0' : 0;
	if (version == 0) {
		fail(err, 4, "time zone %.64s: unknown TZif version", name);
		return NULL;
	}
	tzif_counts c;
	tzif_read_counts(b, &c);
	uint64_t pos = 44, tsize = 4;
	if (version >= 2) {
		/* Skip the 32-bit block: the 64-bit one after the second header is the truth. */
		pos += tzif_block_size(&c, 4);
		if (pos + 44 > len) {
			fail(err, 0, "time zone %.64s: truncated TZif file", name);
			return NULL;
		}
		if (memcmp(b + pos, "TZif", 4) != 0 || b[pos + 4] != b[4]) {
			fail(err, (size_t)pos, "time zone %.64s: bad second TZif header", name);
			return NULL;
		}
		tzif_read_counts(b + pos, &c);
		pos += 44;
		tsize = 8;
	}
	uint64_t block = tzif_block_size(&c, tsize);
	if (block > len - pos) {
		fail(err, 0, "time zone %.64s: truncated TZif file (counts need %llu bytes, %llu left)", name,
		     (unsigned long long)block, (unsigned long long)(len - pos));
		return NULL;
	}
	if (c.type == 0 || c.chars == 0 || (c.isut != 0 && c.isut != c.type) ||
	    (c.isstd != 0 && c.isstd != c.type)) {
		fail(err, 0, "time zone %.64s: inconsistent TZif counts", name);
		return NULL;
	}
	if (c.leap != 0) {
		fail(err, 0, "time zone %.64s: has leap seconds (a right/ zone): use the zone without right/", name);
		return NULL;
	}
	const unsigned char *tt = b + pos;            /* transition times */
	const unsigned char *ti = tt + c.time * tsize; /* their type indices */
	const unsigned char *ty = ti + c.time;        /* local time types, 6 bytes each */
	for (uint64_t k = 0; k < c.type; k++) {
		int32_t utoff = be32s(ty + 6 * k);
		if (utoff < -MAX_OFFSET || utoff > MAX_OFFSET || ty[6 * k + 4] > 1 || ty[6 * k + 5] >= c.chars) {
			fail(err, 0, "time zone %.64s: bad local time type %llu", name, (unsigned long long)k);
			return NULL;
		}
	}
	tz_rule rule;
	bool has_rule = false;
	if (version >= 2) {
		uint64_t f = pos + block;
		const unsigned char *nl = f < len ? memchr(b + f + 1, '\n', len - f - 1) : NULL;
		if (f >= len || b[f] != '\n' || !nl) {
			fail(err, (size_t)f, "time zone %.64s: missing TZ rule at the end of the file", name);
			return NULL;
		}
		size_t rlen = (size_t)(nl - (b + f + 1));
		if (rlen > 0) {
			if (!rule_parse((const char *)b + f + 1, rlen, &rule)) {
				fail(err, (size_t)f + 1, "time zone %.64s: TZ rule \"%.*s\" is not understood", name,
				     (int)(rlen < 40 ? rlen : 40), (const char *)b + f + 1);
				return NULL;
			}
			has_rule = true;
		}
	}
	clk_zone *z = zone_new(name, (size_t)c.time);
	if (!z) {
		fail(err, 0, "time zone %.64s: out of memory", name);
		return NULL;
	}
	int64_t *times = z->storage;
	int32_t *offsets = (int32_t *)(times + z->n);
	for (uint64_t k = 0; k < c.time; k++) {
		times[k] = tsize == 8 ? be64(tt + 8 * k) : be32s(tt + 4 * k);
		if (ti[k] >= c.type || (k > 0 && times[k] <= times[k - 1])) {
			fail(err, 0, "time zone %.64s: bad transition %llu (%s)", name, (unsigned long long)k,
			     ti[k] >= c.type ? "unknown local time type" : "times out of order");
			free(z);
			return NULL;
		}
		offsets[k] = be32s(ty + 6 * ti[k]);
	}
	z->initial = be32s(ty);
	z->has_rule = has_rule;
	if (has_rule)
		z->rule = rule;
	return z;
}

/* A zone name is a relative path of safe characters: no way out of the
 * zoneinfo folder, nothing a shell or a log would misread. */
static bool zone_name_ok(const char *name, clk_error *err)
{
	size_t len = strlen(name);
	if (len == 0) {
		fail(err, 0, "empty time zone name: expected e.g. Europe/Paris or UTC");
		return false;
	}
	if (len > 255) {
		fail(err, 0, "time zone name too long");
		return false;
	}
	if (name[0] == '/') {
		fail(err, 0, "time zone %.64s: give a name like Europe/Paris, not a path", name);
		return false;
	}
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];
		if (c == '/' || c == '\0') {
			size_t n = i - start;
			if (n == 0 || (n == 1 && name[start] == '.') || (n == 2 && name[start] == '.' && name[start + 1] == '.')) {
				fail(err, start, "time zone %.64s: empty, '.' or '..' parts are not allowed in a zone name", name);
				return false;
			}
			start = i + 1;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-' ||
		      c == '+' || c == '.')) {
			fail(err, i, "time zone %.64s: unexpected character in a zone name", name);
			return false;
		}
	}
	return true;
}

/* "UTC", "+HH:MM" or "-HH:MM": a zone without a file. Returns false if the
 * name is none of these (*z untouched), true with *z (or NULL and *err on
 * a malformed offset) otherwise. */
static bool zone_fixed(const char *name, clk_zone **z, clk_error *err)
{
	int32_t off = 0;
	if (strcmp(name, "UTC") != 0) {
		if (name[0] != '+' && name[0] != '-')
			return false;
		size_t len = strlen(name);
		if (len != 6 || !is_digit(name[1]) || !is_digit(name[2]) || name[3] != ':' || !is_digit(name[4]) ||
		    !is_digit(name[5])) {
			fail(err, 0, "time zone %.64s: write a fixed offset as +HH:MM or -HH:MM (e.g. +01:00)", name);
			*z = NULL;
			return true;
		}
		int h = (name[1] - '0') * 10 + name[2] - '0', m = (name[4] - '0') * 10 + name[5] - '0';
		if (h > 23 || m > 59) {
			fail(err, 0, "time zone %.64s: offset does not exist: hours go to 23, minutes to 59", name);
			*z = NULL;
			return true;
		}
		off = (h * 3600 + m * 60) * (name[0] == '-' ? -1 : 1);
	}
	*z = zone_new(name, 0);
	if (!*z)
		fail(err, 0, "time zone %.64s: out of memory", name);
	else
		(*z)->initial = off;
	return true;
}

clk_zone *clk_zone_load_from(const char *dir, const char *name, clk_error *err)
{
	enum { MAX_FILE = 1 << 20 }; /* real zones are under 4 KiB */
	clk_zone *z;
	if (!name) {
		fail(err, 0, "no time zone name");
		return NULL;
	}
	if (zone_fixed(name, &z, err))
		return z;
	if (!zone_name_ok(name, err))
		return NULL;
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s", dir ? dir : "/usr/share/zoneinfo", name);
	if (n < 0 || (size_t)n >= sizeof path) {
		fail(err, 0, "time zone %.64s: path too long", name);
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			fail(err, 0, "unknown time zone %.64s (no file %.120s; is tzdata installed?)", name, path);
		else
			fail(err, 0, "time zone %.64s: cannot open %.120s: %s", name, path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fail(err, 0, "time zone %.64s: not a zone (%.120s is not a file)", name, path);
		close(fd);
		return NULL;
	}
	if (st.st_size > MAX_FILE) {
		fail(err, 0, "time zone %.64s: file too large to be a zone", name);
		close(fd);
		return NULL;
	}
	size_t size = (size_t)st.st_size, got = 0;
	unsigned char *buf = malloc(size ? size : 1);
	if (!buf) {
		fail(err, 0, "time zone %.64s: out of memory", name);
		close(fd);
		return NULL;
	}
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	z = clk_zone_from_tzif(name, buf, got, err);
	free(buf);
	return z;
}

clk_zone *clk_zone_load(const char *name, clk_error *err)
{
	return clk_zone_load_from(NULL, name, err);
}

/* Index of the last transition at or before t; t >= times[0] and n > 0. */
static size_t zone_find(const clk_zone *z, int64_t t)
{
	size_t lo = 0, hi = z->n; /* times[lo] <= t < times[hi] (times[n] = +inf) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int32_t clk_zone_offset(const clk_zone *z, int64_t t)
{
	if (!z)
		return 0;
	if (z->n == 0)
		return z->has_rule ? rule_offset(&z->rule, clamp_time(t)) : z->initial;
	if (t < z->times[0])
		return z->initial;
	if (t >= z->times[z->n - 1])
		return z->has_rule ? rule_offset(&z->rule, clamp_time(t)) : z->offsets[z->n - 1];
	return z->offsets[zone_find(z, t)];
}

/* The offset at t and the next instant after t it may change (INT64_MAX if
 * never): a span of constant offset. */
static int32_t zone_span(const clk_zone *z, int64_t t, int64_t *until)
{
	*until = INT64_MAX;
	if (!z)
		return 0;
	if (z->n == 0 || t >= z->times[z->n - 1]) {
		if (z->has_rule)
			return rule_span(&z->rule, clamp_time(t), until);
		return z->n == 0 ? z->initial : z->offsets[z->n - 1];
	}
	if (t < z->times[0]) {
		*until = z->times[0];
		return z->initial;
	}
	size_t i = zone_find(z, t);
	*until = z->times[i + 1];
	return z->offsets[i];
}

int64_t clk_local_to_utc(const clk_zone *z, int64_t local)
{
	/* The answer is the earliest t with t + offset(t) >= local. Walk the
	 * spans of constant offset from well before it (every offset is below
	 * MAX_OFFSET): in a span [t0, until) with offset o, the earliest such t
	 * is max(t0, local - o), if that is still inside the span. Within a
	 * span t + o grows, so the first span that reaches `local` holds the
	 * answer: the earlier of two occurrences, or the end of a gap. */
	local = clamp_time(local);
	int64_t t0 = local - MAX_OFFSET - 1;
	for (;;) {
		int64_t until;
		int32_t o = zone_span(z, t0, &until);
		int64_t cand = local - o > t0 ? local - o : t0;
		if (cand < until || until <= t0)
			return cand; /* (until <= t0 only past the domain's end) */
		t0 = until;
	}
}

int64_t clk_period_index(const clk_zone *z, int64_t t, clk_unit u)
{
	t = clamp_time(t);
	int64_t days = fdiv(t + clk_zone_offset(z, t), DAY);
	switch (u) {
	case CLK_DAY:
		return days;
	case CLK_WEEK:
		return fdiv(days + 3, 7); /* week 0 starts on Monday 1969-12-29, day -3 */
	case CLK_MONTH: {
		clk_date d = clk_civil_from_days(days);
		return d.year * 12 + d.month - 1;
	}
	case CLK_YEAR:
		return clk_civil_from_days(days).year;
	}
	return days;
}

int64_t clk_period_start(const clk_zone *z, clk_unit u, int64_t index)
{
	int64_t day;
	switch (u) {
	case CLK_WEEK:
		day = clamp(index, CLK_DAYS_MIN / 7, CLK_DAYS_MAX / 7) * 7 - 3;
		break;
	case CLK_MONTH:
		index = clamp(index, (int64_t)CLK_YEAR_MIN * 12, (int64_t)CLK_YEAR_MAX * 12 + 11);
		day = clk_days_from_civil(fdiv(index, 12), (int)fmod64(index, 12) + 1, 1);
		break;
	case CLK_YEAR:
		day = clk_days_from_civil(clamp(index, CLK_YEAR_MIN, CLK_YEAR_MAX), 1, 1);
		break;
	case CLK_DAY:
	default:
		day = clamp(index, CLK_DAYS_MIN, CLK_DAYS_MAX);
		break;
	}
	return clk_local_to_utc(z, day * DAY);
}

int64_t clk_add_months(const clk_zone *z, int64_t t, int64_t n)
{
	t = clamp_time(t);
	int64_t local = t + clk_zone_offset(z, t);
	int64_t days = fdiv(local, DAY);
	int64_t sod = local - days * DAY;
	clk_date d = clk_civil_from_days(days);
	int64_t span = (int64_t)(CLK_YEAR_MAX - CLK_YEAR_MIN + 1) * 12;
	int64_t m = d.year * 12 + (d.month - 1) + clamp(n, -span, span);
	int64_t y = fdiv(m, 12);
	int month = (int)fmod64(m, 12) + 1;
	int day = d.day;
	if (day > clk_days_in_month(y, month))
		day = clk_days_in_month(y, month);
	return clk_local_to_utc(z, clk_days_from_civil(y, month, day) * DAY + sod);
}

int64_t clk_add_days(const clk_zone *z, int64_t t, int64_t n)
{
	t = clamp_time(t);
	int64_t local = t + clk_zone_offset(z, t);
	int64_t span = CLK_DAYS_MAX - CLK_DAYS_MIN + 1;
	return clk_local_to_utc(z, local + clamp(n, -span, span) * DAY);
}

/* ---- the memo ---- */

static void memo_for(clk_memo *m, const clk_zone *z)
{
	if (m->zone != z) {
		m->zone = z;
		m->span_ok = false;
		m->days_ok = 0;
	}
}

int32_t clk_memo_offset(clk_memo *m, const clk_zone *z, int64_t t)
{
	if (!z)
		return 0;
	memo_for(m, z);
	t = clamp_time(t);
	if (m->span_ok && t >= m->lo && t < m->hi)
		return m->off;
	int64_t until;
	int32_t o = zone_span(z, t, &until);
	/* the span found starts at or before t: [t, until) is part of it */
	m->span_ok = true;
	m->lo = t;
	m->hi = until;
	m->off = o;
	return o;
}

clk_date clk_memo_date(clk_memo *m, int64_t day)
{
	unsigned i = (unsigned)((uint64_t)day % CLK_MEMO_DAYS);
	if ((m->dates_ok >> i & 1) && m->date_day[i] == day)
		return m->date[i];
	clk_date d = clk_civil_from_days(day);
	m->date_day[i] = day;
	m->date[i] = d;
	m->dates_ok |= (uint8_t)(1u << i);
	return d;
}

int64_t clk_memo_period(clk_memo *m, const clk_zone *z, int64_t t, clk_unit u)
{
	t = clamp_time(t);
	int64_t days = fdiv(t + clk_memo_offset(m, z, t), DAY);
	switch (u) {
	case CLK_DAY:
		return days;
	case CLK_WEEK:
		return fdiv(days + 3, 7);
	case CLK_MONTH: {
		clk_date d = clk_memo_date(m, days);
		return d.year * 12 + d.month - 1;
	}
	case CLK_YEAR:
		return clk_memo_date(m, days).year;
	}
	return days;
}

int64_t clk_memo_day_start(clk_memo *m, const clk_zone *z, int64_t day)
{
	if (!z)
		return clk_period_start(z, CLK_DAY, day);
	memo_for(m, z);
	unsigned i = (unsigned)((uint64_t)day % CLK_MEMO_DAYS);
	if ((m->days_ok >> i & 1) && m->day[i] == day)
		return m->start[i];
	int64_t s = clk_period_start(z, CLK_DAY, day);
	m->day[i] = day;
	m->start[i] = s;
	m->days_ok |= (uint8_t)(1u << i);
	return s;
}
