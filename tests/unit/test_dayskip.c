/* test_dayskip.c — rt_exec_days jumps over the days on which nothing is due
 * (runtime/mech.c, rt_next_day_due); this proves it changes nothing.
 *
 * Programs using every time-driven mechanic (expiry in days and months,
 * pending points, `when no X for D`, `D after X` with stashed fields,
 * `expire within D`, birthdays and birthday months, tier reviews every week,
 * month and year, tiers without review, levels, mission deadlines) are run
 * over a generated stream of sparse events (gaps of hours to months, so that
 * every mechanic falls due between events) twice: once with rt_exec_days,
 * once with rt_exec_days_each, which runs every day's routine one by one.
 * After every event, both records must be equal byte for byte, and so must
 * every effect, in order.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "decode.h"
#include "exec.h"

/* Effects as text, appended. */
typedef struct sink {
	char *s;
	size_t n, cap;
	long count;
} sink;

static void put(sink *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sink *k, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int m = vsnprintf(k->s ? k->s + k->n : NULL, k->s ? k->cap - k->n : 0, fmt, ap);
		va_end(ap);
		cr_assert(m >= 0);
		if (k->s && k->n + (size_t)m < k->cap) {
			k->n += (size_t)m;
			return;
		}
		k->cap = (k->cap + (size_t)m + 1) * 2;
		k->s = realloc(k->s, k->cap);
		cr_assert(k->s);
	}
}

static void emit(void *u, const rt_effect *fx)
{
	sink *k = u;
	k->count++;
	put(k, "%d %d %.*s w%d a%" PRId64 " b%" PRId64 " g%d l%d r%d p%d rule%d s%d len%" PRId64 " t%s i%d q%d e%.*s at%" PRId64,
	    fx->kind, fx->staff, (int)fx->who.len, fx->who.p, fx->wallet, fx->amount, fx->balance, fx->badge, fx->ladder,
	    fx->rung, fx->previous, fx->rule, fx->step, fx->length, fx->template_name ? fx->template_name : "-", fx->item,
	    fx->reason, (int)fx->event_id.len, fx->event_id.p, fx->at);
	for (uint32_t i = 0; i < fx->nargs; i++)
		put(k, " [%s %" PRId64 " %.*s]", fx->args[i].key, fx->args[i].v, (int)fx->args[i].s.len,
		    fx->args[i].s.p ? fx->args[i].s.p : "");
	put(k, "\n");
}

static uint8_t staff_rec[2][4096];

static uint8_t *staff0(void *u, rt_str id)
{
	(void)u;
	(void)id;
	return staff_rec[0];
}

static uint8_t *staff1(void *u, rt_str id)
{
	(void)u;
	(void)id;
	return staff_rec[1];
}

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uint32_t)(rng_state >> 33) % n;
}

/* One event of customer `c` at `t`, as a JSON line. */
static size_t make_line(char *buf, size_t cap, int c, long id, int64_t t, long last_purchase)
{
	char at[40];
	clk_format_rfc3339(t, 3600, at);
	const char *region = c % 3 == 0 ? "north" : "south";
	switch (rnd(10)) {
	case 0: case 1: case 2: case 3: {
		static const char *cats[] = {"garden", "kitchen", "tools"};
		int n = 1 + (int)rnd(3);
		size_t k = (size_t)snprintf(buf, cap,
					    "{\"type\":\"purchase\",\"id\":\"e%ld\",\"customer\":\"c%d\",\"at\":\"%s\",\"lines\":[",
					    id, c, at);
		long total = 0;
		for (int i = 0; i < n; i++) {
			long price = 100 + rnd(9000);
			total += price;
			k += (size_t)snprintf(buf + k, cap - k,
					      "%s{\"sku\":\"P%d\",\"category\":\"%s\",\"tags\":[%s],\"quantity\":1,"
					      "\"unit_price\":%ld.%02ld,\"price\":%ld.%02ld}",
					      i ? "," : "", (int)rnd(100), cats[rnd(3)], rnd(2) ? "\"sustainable\"" : "",
					      price / 100, price % 100, price / 100, price % 100);
		}
		static const char *chan[] = {"store", "web", "app"};
		static const char *pay[] = {"card", "mobile_wallet", "bank_app"};
		static const char *co[] = {"till", "self_checkout", "click_collect"};
		k += (size_t)snprintf(buf + k, cap - k,
				      "],\"total\":%ld.%02ld,\"channel\":\"%s\",\"payment\":\"%s\",\"checkout\":\"%s\","
				      "\"pickup\":\"PT1H\",\"store\":\"PAR01\",\"region\":\"%s\",\"staff\":\"s1\"}",
				      total / 100, total % 100, chan[rnd(3)], pay[rnd(3)], co[rnd(3)], region);
		return k;
	}
	case 4: {
		static const char *act[] = {"repair", "resale", "recycle", "refill"};
		return (size_t)snprintf(buf, cap,
					"{\"type\":\"return\",\"id\":\"e%ld\",\"customer\":\"c%d\",\"at\":\"%s\",\"action\":\"%s\","
					"\"value\":%d.00,\"original\":\"e%ld\",\"store\":\"PAR01\",\"region\":\"%s\"}",
					id, c, at, act[rnd(4)], 1 + (int)rnd(60), last_purchase, region);
	}
	case 5:
		return (size_t)snprintf(buf, cap,
					"{\"type\":\"visit\",\"id\":\"e%ld\",\"customer\":\"c%d\",\"at\":\"%s\",\"store\":\"PAR01\","
					"\"region\":\"%s\"}",
					id, c, at, region);
	case 6:
		return (size_t)snprintf(buf, cap,
					"{\"type\":\"redemption\",\"id\":\"e%ld\",\"customer\":\"c%d\",\"at\":\"%s\","
					"\"item\":\"%s\"}",
					id, c, at, rnd(2) ? "Free delivery" : "Repair voucher");
	case 7:
		return (size_t)snprintf(buf, cap,
					"{\"type\":\"workshop\",\"id\":\"e%ld\",\"customer\":\"c%d\",\"at\":\"%s\","
					"\"kind\":\"composting\",\"store\":\"PAR01\",\"region\":\"%s\"}",
					id, c, at, region);
	default:
		return (size_t)snprintf(buf, cap,
					"{\"type\":\"signup\",\"id\":\"e%ld\",\"customer\":\"c%d\",\"at\":\"%s\",\"channel\":\"%s\","
					"\"region\":\"%s\",\"birthday\":\"%s\"}",
					id, c, at, rnd(2) ? "app" : "web", region,
					c % 4 == 0 ? "1996-02-29" : c % 4 == 1 ? "1980-12-31" : c % 4 == 2 ? "1990-01-01" : "1975-07-15");
	}
}

/* Runs the stream both ways on every customer; returns how many effects. */
static long both_ways(const char *const *texts, int ntexts, uint64_t seed)
{
	compilation c;
	cmp_init(&c);
	for (int i = 0; i < ntexts; i++) {
		char name[16];
		snprintf(name, sizeof name, "f%d.ludic", i);
		cmp_add_text(&c, name, texts[i], strlen(texts[i]), false);
	}
	cmp_check(&c);
	cr_assert(c.result->ok, "the test program does not check");
	rt_program *p = rt_program_build(&c.a, c.result);
	cr_assert(p);
	rt_decoder *d = rt_decoder_new(rt_program_schema(p));
	size_t size = rt_program_state_size(p);
	enum { NC = 12 };
	uint8_t *st[2][NC];
	uint16_t var[NC][8] = {{0}};
	char ids[NC][8];
	int64_t budgets[2][16] = {{0}};
	for (int w = 0; w < 2; w++) {
		for (uint32_t b = 0; b < rt_program_budget_count(p) && b < 16; b++)
			budgets[w][b] = rt_program_budget(p, b);
		if (rt_program_staff_size(p)) {
			cr_assert(rt_program_staff_size(p) <= sizeof staff_rec[w]);
			rt_staff_init(p, staff_rec[w]);
		}
		for (int k = 0; k < NC; k++) {
			st[w][k] = malloc(size);
			rt_state_init(p, st[w][k]);
		}
	}
	for (int k = 0; k < NC; k++) {
		snprintf(ids[k], sizeof ids[k], "c%d", k);
		for (uint32_t e = 0; e < rt_program_experiment_count(p) && e < 8; e++)
			var[k][e] = rt_program_variant(p, e, (rt_str){ids[k], (uint32_t)strlen(ids[k])});
	}
	sink out[2] = {{0}};
	rng_state = seed;
	/* each customer's clock, from 2027-01-01 */
	int64_t clock[NC], last_day[NC];
	long last_purchase[NC];
	for (int k = 0; k < NC; k++) {
		clock[k] = INT64_C(1798761600) + rnd(86400 * 20);
		last_day[k] = INT64_MIN;
		last_purchase[k] = 0;
	}
	char line[4096];
	long applied = 0;
	for (long id = 1; id <= 4000; id++) {
		int k = (int)rnd(NC);
		/* mostly hours or days apart, sometimes weeks or months */
		uint32_t r = rnd(100);
		int64_t gap = r < 50 ? rnd(86400 * 3) : r < 85 ? rnd(86400 * 20) : r < 97 ? rnd(86400 * 100) : rnd(86400 * 400);
		clock[k] += gap;
		size_t len = make_line(line, sizeof line, k, id, clock[k], last_purchase[k]);
		if (strstr(line, "\"purchase\""))
			last_purchase[k] = id;
		rt_event ev;
		rt_reject why;
		if (rt_decode_json(d, line, len, &ev, &why) != RT_DECODE_OK)
			continue; /* an event type or field this program does not have */
		int64_t at = ev.values[1 + RT_FIELD_AT].i, day = rt_program_day(p, at);
		for (int w = 0; w < 2; w++) {
			rt_exec x = {.prog = p, .state = st[w][k], .customer = {ids[k], (uint32_t)strlen(ids[k])},
				     .variants = var[k], .budgets = budgets[w], .staff_state = w ? staff1 : staff0,
				     .emit = emit, .user = &out[w]};
			if (day > last_day[k]) {
				if (w)
					rt_exec_days_each(&x, day, at);
				else
					rt_exec_days(&x, day, at);
			}
			cr_assert_eq(rt_exec_event(&x, &ev), 0);
		}
		if (day > last_day[k])
			last_day[k] = day;
		applied++;
		cr_assert(memcmp(st[0][k], st[1][k], size) == 0, "records differ after event e%ld", id);
		cr_assert(out[0].n == out[1].n && (!out[0].n || memcmp(out[0].s, out[1].s, out[0].n) == 0),
			  "effects differ after event e%ld", id);
	}
	/* and a long time passing for everyone (ludic_engine_advance) */
	for (int k = 0; k < NC; k++) {
		int64_t t = clock[k] + 86400 * 500, day = rt_program_day(p, t);
		for (int w = 0; w < 2; w++) {
			rt_exec x = {.prog = p, .state = st[w][k], .customer = {ids[k], (uint32_t)strlen(ids[k])},
				     .variants = var[k], .budgets = budgets[w], .staff_state = w ? staff1 : staff0,
				     .emit = emit, .user = &out[w]};
			if (w)
				rt_exec_days_each(&x, day, t);
			else
				rt_exec_days(&x, day, t);
		}
		cr_assert(memcmp(st[0][k], st[1][k], size) == 0, "records differ after time passed for c%d", k);
	}
	cr_assert(out[0].n == out[1].n && (!out[0].n || memcmp(out[0].s, out[1].s, out[0].n) == 0), "effects differ at the end");
	cr_assert_eq(memcmp(budgets[0], budgets[1], sizeof budgets[0]), 0);
	cr_assert(applied > 1000, "only %ld events applied: the stream does not fit the program", applied);
	long n = out[0].count;
	for (int w = 0; w < 2; w++) {
		free(out[w].s);
		for (int k = 0; k < NC; k++)
			free(st[w][k]);
	}
	rt_decoder_free(d);
	rt_program_free(p);
	cmp_release(&c);
	return n;
}

static char *slurp(const char *rel)
{
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	FILE *probe = fopen("examples/retailer/base.ludic", "r");
	if (!dir)
		dir = probe ? "." : ".."; /* meson runs tests in the build folder */
	if (probe)
		fclose(probe);
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert(fread(s, 1, (size_t)n, f) == (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* Counts the effects of `kind` in a run of the retailer, to be sure the
 * stream makes the time-driven mechanics fall due. */
Test(dayskip, retailer_same_effects_and_records)
{
	char *base = slurp("examples/retailer/base.ludic"), *north = slurp("examples/retailer/north.ludic");
	const char *texts[] = {base, north};
	for (uint64_t seed = 1; seed <= 3; seed++)
		cr_assert_gt(both_ways(texts, 2, seed), 1000);
	free(base);
	free(north);
}

/* Every time-driven mechanic, with short durations so that they fall due
 * often, reviews of every period, and a ladder without review. */
#define EVERYTHING                                                                                                     \
	"program \"every-day\" version \"1\"\nuse retail\ncurrency EUR\ntimezone \"Europe/Paris\"\n"                   \
	"allow late events up to 2 hours\n"                                                                            \
	"wallet points \"Points\" expires 40 days after earning pending 5 days\n"                                      \
	"wallet eco \"Eco\" expires 2 months after earning\n"                                                          \
	"wallet xp \"XP\"\n"                                                                                           \
	"tiers weekly on points earned in last 30 days {\n  w0 at 0\n  w1 at 50\n  w2 at 200\n  hold 10 days\n"        \
	"  review every week\n}\n"                                                                                     \
	"tiers yearly on points earned in last 365 days {\n  y0 at 0\n  y1 at 300\n  review every year\n}\n"           \
	"tiers monthly on count(purchase in last 60 days) {\n  m0 at 0\n  m1 at 3\n  m2 at 8\n}\n"                     \
	"levels rank on xp earned {\n  l0 at 0\n  l1 at 50\n  l2 at 200\n}\n"                                          \
	"rule \"Earn\" on purchase:\n  award total / 1 EUR points\n  award total / 3 EUR eco\n"                       \
	"rule \"XP\" on purchase:\n  award total / 2 EUR xp\n"                                                        \
	"rule \"Miss\" when no purchase for 9 days:\n  award 3 points\n  notify \"miss\"\n"                          \
	"rule \"Miss visits\" when no visit where store = \"PAR01\" for 20 days:\n  notify \"miss-visit\"\n"          \
	"rule \"After\" when 3 days after purchase where total >= 20 EUR:\n"                                          \
	"  notify \"after\" with (paid = total)\n"                                                                   \
	"rule \"After signup\" when 6 days after signup where channel = app:\n  award 1 xp\n"                         \
	"rule \"Expiring\" when points expire within 4 days:\n  notify \"exp\" with (balance = balance(points))\n"    \
	"rule \"Eco expiring\" when eco expire within 10 days:\n  notify \"eco-exp\"\n"                               \
	"rule \"Birthday\" when birthday:\n  award 7 points\n  limit 1 per year\n"                                    \
	"rule \"Birthday month\" when birthday month:\n  notify \"bm\"\n"                                              \
	"mission \"Quick\" within 6 days {\n  step \"One\": purchase\n  step \"Two\": visit\n  reward 10 points\n}\n"  \
	"mission \"Signup\" within 12 days of signup {\n  step \"Buy\": purchase, 2 times\n  reward 5 points\n}\n"    \
	"catalogue {\n  reward \"Free delivery\" costs 20 points\n}\n"

Test(dayskip, every_mechanic_same_effects_and_records)
{
	const char *texts[] = {EVERYTHING};
	for (uint64_t seed = 1; seed <= 3; seed++)
		cr_assert_gt(both_ways(texts, 1, seed), 1000);
}

/* A ladder without review on a history window must be looked at every day:
 * the program says so (day_each), and the results are the same. */
Test(dayskip, window_level_every_day)
{
	const char *texts[] = {EVERYTHING "levels busy on count(purchase in last 10 days) {\n  b0 at 0\n  b1 at 2\n}\n"};
	cr_assert_gt(both_ways(texts, 1, 7), 1000);
}

/* The zone memo (clock.h) gives exactly what the functions it stands for
 * give: instants around DST changes, forwards, backwards and far jumps. */
Test(dayskip, zone_memo_is_exact)
{
	static const char *const zones[] = {"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia"};
	for (size_t zi = 0; zi < sizeof zones / sizeof *zones; zi++) {
		clk_error err;
		clk_zone *z = clk_zone_load(zones[zi], &err);
		if (!z)
			continue; /* not installed here */
		clk_memo m = {0};
		rng_state = zi + 1;
		int64_t t = INT64_C(1293840000); /* 2011-01-01 */
		for (int i = 0; i < 200000; i++) {
			uint32_t r = rnd(100);
			t += r < 80 ? (int64_t)rnd(7200) : r < 95 ? -(int64_t)rnd(86400 * 3) : (int64_t)rnd(86400 * 400) - 86400 * 150;
			cr_assert_eq(clk_memo_offset(&m, z, t), clk_zone_offset(z, t), "%s at %" PRId64, zones[zi], t);
			for (int u = CLK_DAY; u <= CLK_YEAR; u++)
				cr_assert_eq(clk_memo_period(&m, z, t, (clk_unit)u), clk_period_index(z, t, (clk_unit)u));
			int64_t day = clk_period_index(z, t, CLK_DAY) + (int64_t)rnd(5) - 2;
			cr_assert_eq(clk_memo_day_start(&m, z, day), clk_period_start(z, CLK_DAY, day));
		}
		clk_zone_free(z);
	}
}
