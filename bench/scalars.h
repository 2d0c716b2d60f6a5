/* scalars.h — the JSON scalars of retail events, read into integers: dates,
 * RFC 3339 times, ISO 8601 durations and amounts of money. Shared by the
 * benchmark's typed-event converter (engine_bench.c) and the hand-written
 * C's decoder (hand/retailer.c). Header only: static functions. */
#ifndef LUDIC_BENCH_SCALARS_H
#define LUDIC_BENCH_SCALARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static inline int64_t sc_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static inline int sc_digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* "YYYY-MM-DD" → days since 1970-01-01. */
static inline int sc_parse_date(const char *s, size_t n, int64_t *day)
{
	int y, m, d;
	if (n != 10 || sc_digits(s, 4, &y) || s[4] != '-' || sc_digits(s + 5, 2, &m) || s[7] != '-' ||
	    sc_digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*day = sc_days_from_civil(y, m, d);
	return 0;
}

/* RFC 3339: date, T, hh:mm[:ss[.fraction]], Z or ±hh:mm → Unix seconds. */
static inline int sc_parse_time(const char *s, size_t n, int64_t *t)
{
	int64_t day;
	int h, mi, se = 0, oh = 0, om = 0;
	if (n < 17 || sc_parse_date(s, 10, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    sc_digits(s + 11, 2, &h) || s[13] != ':' || sc_digits(s + 14, 2, &mi))
		return -1;
	size_t i = 16;
	if (i < n && s[i] == ':') {
		if (i + 3 > n || sc_digits(s + i + 1, 2, &se))
			return -1;
		i += 3;
		if (i < n && s[i] == '.')
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
	}
	int sign;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z'))
		sign = 0;
	else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && !sc_digits(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
		 !sc_digits(s + i + 4, 2, &om))
		sign = s[i] == '+' ? 1 : -1;
	else
		return -1;
	*t = day * 86400 + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
	return 0;
}

/* "PT37M", "PT2H15M", "P1D" → seconds (whole designators only). */
static inline int sc_parse_duration(const char *s, size_t n, int64_t *out)
{
	if (n < 3 || s[0] != 'P')
		return -1;
	int64_t total = 0, k = 0;
	bool in_time = false, have = false;
	for (size_t i = 1; i < n; i++) {
		char ch = s[i];
		if (ch >= '0' && ch <= '9') {
			k = k * 10 + (ch - '0');
			have = true;
			continue;
		}
		if (ch == 'T') {
			in_time = true;
			continue;
		}
		int64_t unit = !in_time && ch == 'W' ? 604800 : !in_time && ch == 'D' ? 86400 : in_time && ch == 'H' ? 3600
			     : in_time && ch == 'M' ? 60 : in_time && ch == 'S' ? 1 : 0;
		if (!have || !unit)
			return -1;
		total += k * unit;
		k = 0;
		have = false;
	}
	*out = total;
	return have ? -1 : 0;
}

/* A JSON number with at most 2 decimals (more only if they are zeros) → cents. */
static inline int sc_parse_money(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	int frac = -1;
	bool neg = n && s[0] == '-';
	if (n == (size_t)neg)
		return -1;
	for (size_t i = neg; i < n; i++) {
		if (s[i] == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (frac >= 2) {
			if (s[i] != '0')
				return -1;
			continue;
		}
		v = v * 10 + (s[i] - '0');
		if (frac >= 0)
			frac++;
	}
	for (int f = frac < 0 ? 0 : frac; f < 2; f++)
		v *= 10;
	*out = neg ? -v : v;
	return 0;
}

#endif
