/* gen.c — the benchmark's seeded event generator.
 *
 * Writes a stream of retail events as JSON Lines, in time order, in the shape
 * `ludic run` reads (stdlib/retail.ludic): sign-ups first for each customer,
 * then purchases with baskets, returns, app events, visits, reviews and
 * redemptions spread over the period. The same seed always gives the same
 * bytes, on every machine: the generator uses its own PRNG (splitmix64) and
 * integer arithmetic only.
 *
 * usage: gen [--customers N] [--events N] [--days N] [--seed N] [--start YYYY-MM-DD]
 * defaults: 100000 customers, 5000000 events, 90 days, seed 1, start 2027-03-01
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uint64_t s; /* splitmix64 state */
} rng;

static uint64_t next(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t below(rng *r, uint32_t n)
{
	return (uint32_t)(((next(r) >> 32) * (uint64_t)n) >> 32);
}

static const char *const categories[] = {"garden", "kitchen", "decoration", "textile", "tools", "furniture"};
static const char *const channels[] = {"store", "store", "store", "web", "web", "app"};
static const char *const payments[] = {"card", "card", "card", "cash", "mobile_wallet", "bank_app", "gift_card"};
static const char *const actions[] = {"refund", "refund", "refund", "repair", "resale", "refill", "recycle"};
static const char *const app_actions[] = {"open", "open", "open", "share", "scan"};
static const char *const regions[] = {"north", "south", "east", "west"};

#define N(a) (sizeof(a) / sizeof *(a))

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = (int)(yy + (*m <= 2));
}

static void put_time(FILE *out, int64_t t)
{
	int64_t days = t / 86400, sec = t % 86400;
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	fprintf(out, "%04d-%02u-%02uT%02u:%02u:%02u+00:00", y, m, d, (unsigned)(sec / 3600),
		(unsigned)(sec / 60 % 60), (unsigned)(sec % 60));
}

static void put_money(FILE *out, uint32_t cents)
{
	fprintf(out, "%u.%02u", cents / 100, cents % 100);
}

static void put_lines(FILE *out, rng *r, uint32_t nlines, uint32_t *total)
{
	fputs("\"lines\":[", out);
	*total = 0;
	for (uint32_t i = 0; i < nlines; i++) {
		uint32_t qty = 1 + below(r, 3), unit = 99 + below(r, 4900);
		uint32_t sku = below(r, 20000);
		const char *cat = categories[sku % N(categories)];
		fprintf(out, "%s{\"sku\":\"P%05u\",\"category\":\"%s\",\"tags\":[%s],\"quantity\":%u,\"unit_price\":",
			i ? "," : "", sku, cat, sku % 5 == 0 ? "\"sustainable\"" : "", qty);
		put_money(out, unit);
		fputs(",\"price\":", out);
		put_money(out, unit * qty);
		fputc('}', out);
		*total += unit * qty;
	}
	fputc(']', out);
}

int main(int argc, char **argv)
{
	uint64_t customers = 100000, events = 5000000, days = 90, seed = 1;
	int64_t start = days_from_civil(2027, 3, 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--customers") && strcmp(a, "--events") && strcmp(a, "--days") && strcmp(a, "--seed") &&
		    strcmp(a, "--start")) {
			fprintf(stderr, "gen: unknown option `%s`\n"
					"usage: gen [--customers N] [--events N] [--days N] [--seed N] [--start YYYY-MM-DD]\n",
				a);
			return 2;
		}
		if (!v) {
			fprintf(stderr, "gen: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--customers"))
			customers = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--events"))
			events = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--days"))
			days = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--start")) {
			int y;
			unsigned m, d;
			if (sscanf(v, "%d-%u-%u", &y, &m, &d) != 3) {
				fprintf(stderr, "gen: --start wants YYYY-MM-DD, got `%s`\n", v);
				return 2;
			}
			start = days_from_civil(y, m, d);
		} else {
			fprintf(stderr, "gen: unknown option `%s`\n"
					"usage: gen [--customers N] [--events N] [--days N] [--seed N] [--start YYYY-MM-DD]\n",
				a);
			return 2;
		}
	}
	if (customers == 0 || days == 0 || customers > events) {
		fputs("gen: need 0 < customers <= events and days > 0\n", stderr);
		return 2;
	}
	rng r = {seed};
	int64_t t0 = start * 86400;
	uint64_t span = days * 86400;
	/* Sign-ups: the first `customers` events, in the first day. The rest are
	 * spread evenly over the period, time strictly non-decreasing. */
	for (uint64_t e = 0; e < events; e++) {
		int64_t t = e < customers ? t0 + (int64_t)(e * 86399 / customers)
					  : t0 + 86400 + (int64_t)((e - customers) * (span - 86400) / (events - customers));
		uint64_t cust = e < customers ? e : below(&r, (uint32_t)customers);
		uint32_t kind = e < customers ? 100 : below(&r, 100);
		const char *region = regions[cust % N(regions)];
		if (kind == 100) {
			fprintf(stdout, "{\"type\":\"signup\",\"id\":\"e%" PRIu64 "\",\"customer\":\"c%" PRIu64 "\",\"at\":\"", e,
				cust);
			put_time(stdout, t);
			fprintf(stdout, "\",\"channel\":\"%s\",\"region\":\"%s\",\"birthday\":\"19%02u-%02u-%02u\"}\n",
				channels[below(&r, N(channels))], region, 50 + below(&r, 50), 1 + below(&r, 12),
				1 + below(&r, 28));
		} else if (kind < 70) {
			const char *channel = channels[below(&r, N(channels))];
			int in_store = !strcmp(channel, "store");
			const char *checkout = in_store ? (below(&r, 10) < 7 ? "till" : "self_checkout")
							: (below(&r, 10) < 4 ? "click_collect" : "home_delivery");
			uint32_t total;
			fprintf(stdout, "{\"type\":\"purchase\",\"id\":\"e%" PRIu64 "\",\"customer\":\"c%" PRIu64 "\",\"at\":\"", e,
				cust);
			put_time(stdout, t);
			fputs("\",", stdout);
			put_lines(stdout, &r, 1 + below(&r, 6), &total);
			fputs(",\"total\":", stdout);
			put_money(stdout, total);
			fprintf(stdout, ",\"channel\":\"%s\",\"payment\":\"%s\",\"checkout\":\"%s\",\"store\":\"%s%02u\",\"region\":\"%s\"",
				channel, payments[below(&r, N(payments))], checkout, in_store ? "S" : "W",
				(unsigned)(cust % 40), region);
			if (!strcmp(checkout, "till"))
				fprintf(stdout, ",\"staff\":\"st%02u\"", below(&r, 200));
			if (!strcmp(checkout, "click_collect"))
				fprintf(stdout, ",\"pickup\":\"PT%uM\"", 5 + below(&r, 300));
			fputs("}\n", stdout);
		} else if (kind < 75) {
			uint32_t total;
			fprintf(stdout, "{\"type\":\"return\",\"id\":\"e%" PRIu64 "\",\"customer\":\"c%" PRIu64 "\",\"at\":\"", e,
				cust);
			put_time(stdout, t);
			fprintf(stdout, "\",\"action\":\"%s\",", actions[below(&r, N(actions))]);
			put_lines(stdout, &r, 1, &total);
			fputs(",\"value\":", stdout);
			put_money(stdout, total);
			fprintf(stdout, ",\"store\":\"S%02u\",\"region\":\"%s\"}\n", (unsigned)(cust % 40), region);
		} else if (kind < 90) {
			fprintf(stdout, "{\"type\":\"app\",\"id\":\"e%" PRIu64 "\",\"customer\":\"c%" PRIu64 "\",\"at\":\"", e, cust);
			put_time(stdout, t);
			fprintf(stdout, "\",\"action\":\"%s\"}\n", app_actions[below(&r, N(app_actions))]);
		} else if (kind < 97) {
			fprintf(stdout, "{\"type\":\"visit\",\"id\":\"e%" PRIu64 "\",\"customer\":\"c%" PRIu64 "\",\"at\":\"", e,
				cust);
			put_time(stdout, t);
			fprintf(stdout, "\",\"store\":\"S%02u\",\"region\":\"%s\"}\n", (unsigned)(cust % 40), region);
		} else {
			fprintf(stdout, "{\"type\":\"review\",\"id\":\"e%" PRIu64 "\",\"customer\":\"c%" PRIu64 "\",\"at\":\"", e,
				cust);
			put_time(stdout, t);
			fprintf(stdout, "\",\"sku\":\"P%05u\",\"rating\":%u}\n", below(&r, 20000), 1 + below(&r, 5));
		}
	}
	return ferror(stdout) ? 1 : 0;
}
