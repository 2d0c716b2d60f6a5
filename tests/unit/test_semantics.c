/* test_semantics.c — the edges of the runtime's semantics, through the public API.
 *
 * Each test compiles a small program from text (ludic_compiler_add_source,
 * ludic_program_new), pushes JSON lines into an engine, collects the effects
 * and rejects, and checks them against figures computed BY HAND from
 * docs/language.md and the decided semantics of the runtime (the brief's
 * "Decided semantics", repeated here where a test relies on them). Only
 * include/ludic.h is used.
 *
 * Definitions the tests pin (the docs say "whole days"; these make it exact):
 *   - `EVENT in last N days`, at an event on local day D, covers the local
 *     days D-N+1 .. D: N whole days, today included. So `in last 30 days` on
 *     2027-03-30 starts with 2027-03-01 00:00:00, and on 2027-03-31 it no
 *     longer holds anything of 2027-03-01, even 30 days minus one second later.
 *   - Points earned on day E with `expires D after earning` expire when day
 *     E+D begins (months are calendar months): usable until the last second
 *     of the day before.
 *   - `within D of signup`: the mission stays open to the end of the local
 *     day on which signup + D falls (day signup_day+D included) and closes
 *     when the next day begins. So every step made within D of the sign-up,
 *     to the second, counts, and so does the rest of that last day.
 *   - `when no X for D`: fires once when day last_X_day+D begins, with `at`
 *     = the start of that day and no event id.
 */
#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ludic.h"

/* ---- one engine and what it reported ---- */

typedef struct {
	ludic_effect_kind kind;
	char customer[32], wallet[16], rule[48], event[32], item[32], reason[200], streak[32], mission[32], step[32],
		tmpl[32];
	bool has_event;
	long long amount, balance, length, at;
} fx_rec;

typedef struct {
	char code[32], field[48], event[32];
	unsigned long long line;
} rej_rec;

typedef struct {
	ludic_program *prog;
	ludic_engine *eng;
	fx_rec fx[256];
	size_t nfx;
	rej_rec rej[32];
	size_t nrej;
	unsigned long long line; /* lines pushed so far */
} world;

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void on_effect(void *user, const ludic_effect *fx)
{
	world *w = user;
	cr_assert_lt(w->nfx, sizeof w->fx / sizeof *w->fx, "too many effects for this test");
	fx_rec *r = &w->fx[w->nfx++];
	memset(r, 0, sizeof *r);
	r->kind = fx->kind;
	copy(r->customer, sizeof r->customer, fx->customer);
	copy(r->wallet, sizeof r->wallet, fx->wallet);
	copy(r->rule, sizeof r->rule, fx->rule);
	copy(r->event, sizeof r->event, fx->event_id);
	copy(r->item, sizeof r->item, fx->item);
	copy(r->reason, sizeof r->reason, fx->reason);
	copy(r->streak, sizeof r->streak, fx->streak);
	copy(r->mission, sizeof r->mission, fx->mission);
	copy(r->step, sizeof r->step, fx->step);
	copy(r->tmpl, sizeof r->tmpl, fx->template_name);
	r->has_event = fx->event_id != NULL;
	r->amount = fx->amount;
	r->balance = fx->balance;
	r->length = fx->length;
	r->at = fx->at;
}

static void on_reject(void *user, const ludic_reject *rj)
{
	world *w = user;
	cr_assert_lt(w->nrej, sizeof w->rej / sizeof *w->rej);
	rej_rec *r = &w->rej[w->nrej++];
	copy(r->code, sizeof r->code, rj->code);
	copy(r->field, sizeof r->field, rj->field);
	copy(r->event, sizeof r->event, rj->event_id);
	r->line = rj->line;
}

static world *setup(const char *text)
{
	world *w = calloc(1, sizeof *w);
	cr_assert_not_null(w);
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_not_null(c);
	cr_assert_eq(ludic_compiler_add_source(c, "test.ludic", text, strlen(text), 0), LUDIC_OK);
	ludic_status st = ludic_program_new(c, &w->prog);
	if (st != LUDIC_OK) {
		char *d = ludic_compiler_render_string(c, LUDIC_FORMAT_TEXT, 0);
		cr_log_error("%s", d ? d : "");
		free(d);
	}
	ludic_compiler_free(c);
	cr_assert_eq(st, LUDIC_OK, "the test's program does not compile");
	ludic_engine_options opt = {.on_effect = on_effect, .effect_user = w, .on_reject = on_reject, .reject_user = w};
	cr_assert_eq(ludic_engine_new(w->prog, &opt, &w->eng), LUDIC_OK);
	return w;
}

static void teardown(world *w)
{
	ludic_engine_free(w->eng);
	ludic_program_free(w->prog);
	free(w);
}

/* Pushes one JSON line (printf format). Returns the push result. */
static int push(world *w, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof line);
	return ludic_engine_push_json(w->eng, line, (size_t)n, ++w->line);
}

/* A purchase of one line of `total` (a JSON number with two decimals). */
static int purchase(world *w, const char *id, const char *cust, const char *at, const char *total)
{
	return push(w,
		    "{\"type\":\"purchase\",\"id\":\"%s\",\"customer\":\"%s\",\"at\":\"%s\",\"lines\":[{\"sku\":\"A\","
		    "\"category\":\"home\",\"tags\":[],\"quantity\":1,\"unit_price\":%s,\"price\":%s}],\"total\":%s,"
		    "\"channel\":\"store\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"S1\",\"region\":\"north\"}",
		    id, cust, at, total, total, total);
}

/* A return (action refund) of one line of `value`, of purchase `original` (NULL: none). */
static int give_back(world *w, const char *id, const char *cust, const char *at, const char *value,
		     const char *original)
{
	char orig[64] = "";
	if (original)
		snprintf(orig, sizeof orig, ",\"original\":\"%s\"", original);
	return push(w,
		    "{\"type\":\"return\",\"id\":\"%s\",\"customer\":\"%s\",\"at\":\"%s\",\"action\":\"refund\",\"lines\":"
		    "[{\"sku\":\"A\",\"category\":\"home\",\"tags\":[],\"quantity\":1,\"unit_price\":%s,\"price\":%s}],"
		    "\"value\":%s%s,\"store\":\"S1\",\"region\":\"north\"}",
		    id, cust, at, value, value, value, orig);
}

static int visit(world *w, const char *id, const char *cust, const char *at)
{
	return push(w, "{\"type\":\"visit\",\"id\":\"%s\",\"customer\":\"%s\",\"at\":\"%s\",\"store\":\"S1\",\"region\":\"north\"}",
		    id, cust, at);
}

static int signup(world *w, const char *id, const char *cust, const char *at)
{
	return push(w, "{\"type\":\"signup\",\"id\":\"%s\",\"customer\":\"%s\",\"at\":\"%s\",\"channel\":\"store\",\"region\":\"north\"}",
		    id, cust, at);
}

static int redeem(world *w, const char *id, const char *cust, const char *at, const char *item)
{
	return push(w, "{\"type\":\"redemption\",\"id\":\"%s\",\"customer\":\"%s\",\"at\":\"%s\",\"item\":\"%s\",\"channel\":\"store\",\"store\":\"S1\"}",
		    id, cust, at, item);
}

/* Unix seconds of "YYYY-MM-DDTHH:MM:SSZ" (UTC only). */
static long long utc(const char *s)
{
	int y, mo, d, h, mi, se;
	cr_assert_eq(sscanf(s, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &se), 6);
	long long yy = y - (mo <= 2);
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + se;
}

/* Effects of `kind` (any customer/rule when NULL). */
static size_t count_fx(const world *w, ludic_effect_kind kind, const char *cust, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nfx; i++)
		if (w->fx[i].kind == kind && (!cust || !strcmp(w->fx[i].customer, cust)) &&
		    (!rule || !strcmp(w->fx[i].rule, rule)))
			n++;
	return n;
}

/* The n-th (0-based) effect of `kind` for `cust`; fails the test if absent. */
static const fx_rec *nth_fx(const world *w, ludic_effect_kind kind, const char *cust, size_t n)
{
	for (size_t i = 0; i < w->nfx; i++)
		if (w->fx[i].kind == kind && !strcmp(w->fx[i].customer, cust) && n-- == 0)
			return &w->fx[i];
	cr_assert_fail("no effect %s number %zu for %s", ludic_effect_kind_name(kind), n, cust);
	return NULL;
}

/* Spendable balance (and, if `pending`, pending points) of `wallet`. */
static long long balance(world *w, const char *cust, const char *wallet, long long *pending)
{
	ludic_customer_view v;
	cr_assert_eq(ludic_engine_customer(w->eng, cust, strlen(cust), &v), LUDIC_OK);
	for (size_t i = 0; i < v.nbalances; i++)
		if (!strcmp(v.balances[i].wallet, wallet)) {
			if (pending)
				*pending = v.balances[i].pending;
			return v.balances[i].balance;
		}
	cr_assert_fail("customer %s has no wallet %s", cust, wallet);
	return -1;
}

/* ---- windows ---- */

Test(semantics, window_first_and_last_second)
{
	world *w = setup("program \"window\"\nuse retail\nwallet points\n"
			 "rule \"Second in 30 days\" on purchase where count(purchase in last 30 days) >= 2:\n"
			 "  award 1 points\n  unlimited\n");
	/* c1: the first second of 2027-03-01 is in the 30 days that end with
	 * 2027-03-30 (its last second): 2 purchases, 1 point. */
	cr_assert_eq(purchase(w, "a1", "c1", "2027-03-01T00:00:00Z", "5.00"), LUDIC_APPLIED);
	cr_assert_eq(purchase(w, "a2", "c1", "2027-03-30T23:59:59Z", "5.00"), LUDIC_APPLIED);
	/* c2: on 2027-03-31 the window is 03-02 .. 03-31: the first purchase is out. */
	purchase(w, "b1", "c2", "2027-03-01T00:00:00Z", "5.00");
	purchase(w, "b2", "c2", "2027-03-31T00:00:00Z", "5.00");
	/* c3: exactly 30 days (30 x 86400 s) later: out (other day). */
	purchase(w, "d1", "c3", "2027-03-01T10:00:00Z", "5.00");
	purchase(w, "d2", "c3", "2027-03-31T10:00:00Z", "5.00");
	/* c4: 30 days minus one second later: still another local day, out. A
	 * rolling window of 30 x 86400 s would count it: whole days do not. */
	purchase(w, "e1", "c4", "2027-03-01T10:00:00Z", "5.00");
	purchase(w, "e2", "c4", "2027-03-31T09:59:59Z", "5.00");
	/* c5: 30 days plus one second: out. */
	purchase(w, "f1", "c5", "2027-03-01T10:00:00Z", "5.00");
	purchase(w, "f2", "c5", "2027-03-31T10:00:01Z", "5.00");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c1", NULL), 1, "the last second of the window's last day is in");
	cr_expect_str_eq(nth_fx(w, LUDIC_EFFECT_AWARD, "c1", 0)->event, "a2");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c2", NULL), 0, "the first second of the next day is out");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c3", NULL), 0, "exactly 30 days later is out");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c4", NULL), 0, "30 days minus 1 s, on day 31, is out");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c5", NULL), 0, "30 days plus 1 s is out");
	teardown(w);
}

/* ---- expiry ---- */

Test(semantics, expiry_boundary)
{
	world *w = setup("program \"expiry\"\nuse retail\nwallet points expires 1 month after earning\n"
			 "rule \"Earn\" on purchase:\n  award total / 1 EUR points\n"
			 "catalogue {\n  reward \"Gift\" costs 10 points\n}\n");
	/* Earned on Friday 2027-02-05: 1 calendar month later is 2027-03-05 (28
	 * days, not 30): the points are spendable on 03-04 until 23:59:59 and
	 * expire when 03-05 begins. */
	purchase(w, "p1", "c1", "2027-02-05T12:00:00Z", "10.00");
	purchase(w, "p2", "c2", "2027-02-05T12:00:00Z", "10.00");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c1", "Earn"), 1);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_AWARD, "c1", 0)->amount, 10);

	ludic_customer_view v;
	cr_assert_eq(ludic_engine_customer(w->eng, "c1", 2, &v), LUDIC_OK);
	cr_assert_eq(v.nbalances, 1);
	cr_expect_eq(v.balances[0].next_expiry_amount, 10);
	cr_expect_eq(v.balances[0].next_expiry_at, utc("2027-03-05T00:00:00Z"), "expiry at %lld",
		     v.balances[0].next_expiry_at);

	w->nfx = 0;
	cr_assert_eq(redeem(w, "r1", "c1", "2027-03-04T23:59:59Z", "Gift"), LUDIC_APPLIED);
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_EXPIRE, "c1", NULL), 0, "nothing expires before 03-05 begins");
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_REDEMPTION, "c1", NULL), 1, "the day before, the points are usable");
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_REDEMPTION, "c1", 0)->amount, 10);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_REDEMPTION, "c1", 0)->balance, 0);

	cr_assert_eq(redeem(w, "r2", "c2", "2027-03-05T00:00:00Z", "Gift"), LUDIC_APPLIED);
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_EXPIRE, "c2", NULL), 1, "the points expire when 03-05 begins");
	const fx_rec *x = nth_fx(w, LUDIC_EFFECT_EXPIRE, "c2", 0);
	cr_expect_eq(x->amount, 10);
	cr_expect_eq(x->balance, 0);
	cr_expect_eq(x->at, utc("2027-03-05T00:00:00Z"));
	cr_expect_not(x->has_event, "an expiry is caused by time, not by an event");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_REDEMPTION, "c2", NULL), 0);
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_REFUSAL, "c2", NULL), 1);
	const fx_rec *r = nth_fx(w, LUDIC_EFFECT_REFUSAL, "c2", 0);
	cr_expect(strstr(r->reason, "balance too small") != NULL, "reason: %s", r->reason);
	/* the expiry comes first: the day begins before the event is applied */
	cr_expect(x < r);
	cr_expect_eq(balance(w, "c2", "points", NULL), 0);
	teardown(w);
}

/* ---- caps ---- */

Test(semantics, weekly_cap_resets_on_local_monday)
{
	world *w = setup("program \"cap\"\nuse retail\ntimezone \"Europe/Paris\"\nwallet points\n"
			 "rule \"Weekly visit\" on visit:\n  award 5 points\n  limit 1 per week\n");
	/* 2027-03-01 is a Monday; Paris is UTC+1 until 03-28. Weeks are ISO
	 * weeks, Monday to Sunday, local. */
	visit(w, "v1", "c1", "2027-03-01T09:00:00+01:00"); /* Monday: 5 points */
	visit(w, "v2", "c1", "2027-03-07T23:59:00+01:00"); /* Sunday 23:59, same week: capped */
	/* Monday 00:00 local is still Sunday 23:00 in UTC: a new week only locally */
	visit(w, "v3", "c1", "2027-03-08T00:00:00+01:00");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c1", "Weekly visit"), 2);
	cr_expect_str_eq(nth_fx(w, LUDIC_EFFECT_AWARD, "c1", 0)->event, "v1");
	cr_expect_str_eq(nth_fx(w, LUDIC_EFFECT_AWARD, "c1", 1)->event, "v3");
	cr_expect_eq(balance(w, "c1", "points", NULL), 10);
	teardown(w);
}

/* ---- streaks ---- */

Test(semantics, streak_grace)
{
	world *w = setup("program \"streak\"\nuse retail\nwallet points\n"
			 "streak \"Weekly\" on purchase every week for 3 weeks grace 1 week:\n  award 50 points\n");
	/* Weeks (Monday-based): W1 03-01, W2 03-08, W3 03-15, W4 03-22, W5 03-29,
	 * W6 04-05, W7 04-12. */
	/* A: W1, W2, W4: one missed week (W3) is forgiven and does not count: the
	 * streak reaches 3 with the W4 purchase. */
	purchase(w, "a1", "A", "2027-03-02T12:00:00Z", "5.00");
	purchase(w, "a2", "A", "2027-03-09T12:00:00Z", "5.00");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_STREAK, "A", NULL), 0, "two weeks are not three");
	purchase(w, "a3", "A", "2027-03-23T12:00:00Z", "5.00");
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_STREAK, "A", NULL), 1, "W1, W2, (W3 forgiven), W4 make 3 weeks");
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_STREAK, "A", 0)->length, 3);
	cr_expect_str_eq(nth_fx(w, LUDIC_EFFECT_STREAK, "A", 0)->event, "a3");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "A", "Weekly"), 1);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_AWARD, "A", 0)->amount, 50);

	/* B: W1, W2, then W3 and W4 missed: two misses break it; W5 starts a new
	 * streak, which reaches 3 at W7. */
	purchase(w, "b1", "B", "2027-03-02T12:00:00Z", "5.00");
	purchase(w, "b2", "B", "2027-03-09T12:00:00Z", "5.00");
	purchase(w, "b3", "B", "2027-03-30T12:00:00Z", "5.00");
	purchase(w, "b4", "B", "2027-04-06T12:00:00Z", "5.00");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_STREAK, "B", NULL), 0, "two missed weeks break a streak with 1 week of grace");
	purchase(w, "b5", "B", "2027-04-13T12:00:00Z", "5.00");
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_STREAK, "B", NULL), 1, "W5, W6, W7 make a new streak of 3");
	cr_expect_str_eq(nth_fx(w, LUDIC_EFFECT_STREAK, "B", 0)->event, "b5");
	cr_expect_eq(balance(w, "B", "points", NULL), 50);
	teardown(w);
}

/* ---- missions ---- */

Test(semantics, mission_deadline)
{
	world *w = setup("program \"mission\"\nuse retail\nwallet points\n"
			 "mission \"Start\" within 10 days of signup {\n  step \"Buy\": purchase\n  step \"Visit\": visit\n"
			 "  reward 100 points\n}\n");
	/* Sign-up on 03-01 10:00 (UTC): signup + 10 days is 03-11 10:00, so the
	 * mission stays open to the end of 03-11 and closes when 03-12 begins. */
	const char *who[] = {"A", "B", "C", "D"};
	const char *last[] = {"2027-03-10T23:59:59Z", "2027-03-11T09:59:59Z", "2027-03-11T23:59:59Z",
			      "2027-03-12T00:00:00Z"};
	for (int i = 0; i < 4; i++) {
		char id[16];
		snprintf(id, sizeof id, "s%d", i);
		cr_assert_eq(signup(w, id, who[i], "2027-03-01T10:00:00Z"), LUDIC_APPLIED);
		snprintf(id, sizeof id, "p%d", i);
		purchase(w, id, who[i], "2027-03-02T10:00:00Z", "5.00");
		snprintf(id, sizeof id, "v%d", i);
		visit(w, id, who[i], last[i]);
	}
	/* A, B (one second before signup + 10 x 24 h) and C (the last second of
	 * that day): the second step counts, the mission is complete. */
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(count_fx(w, LUDIC_EFFECT_MISSION_STEP, who[i], "Start"), 2, "%s", who[i]);
		cr_expect_eq(count_fx(w, LUDIC_EFFECT_MISSION_COMPLETE, who[i], "Start"), 1, "%s", who[i]);
		cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, who[i], "Start"), 1, "%s", who[i]);
		cr_expect_eq(balance(w, who[i], "points", NULL), 100, "%s", who[i]);
	}
	/* D: the first second of 03-12 is too late: only the first step. */
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_MISSION_STEP, "D", "Start"), 1);
	cr_expect_str_eq(nth_fx(w, LUDIC_EFFECT_MISSION_STEP, "D", 0)->step, "Buy");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_MISSION_COMPLETE, "D", NULL), 0);
	cr_expect_eq(balance(w, "D", "points", NULL), 0);

	ludic_customer_view v;
	cr_assert_eq(ludic_engine_customer(w->eng, "D", 1, &v), LUDIC_OK);
	cr_assert_eq(v.nmissions, 1);
	cr_expect(v.missions[0].expired);
	cr_expect_not(v.missions[0].complete);
	cr_expect_eq(v.missions[0].done, 1);
	cr_expect_eq(v.missions[0].deadline, utc("2027-03-12T00:00:00Z"), "deadline %lld", v.missions[0].deadline);
	teardown(w);
}

/* ---- exactly once ---- */

Test(semantics, duplicate_event)
{
	world *w = setup("program \"dup\"\nuse retail\nwallet points\n"
			 "rule \"Visit\" on visit:\n  award 1 points\n  unlimited\n");
	cr_assert_eq(visit(w, "d1", "c1", "2027-03-01T10:00:00Z"), LUDIC_APPLIED);
	cr_expect_eq(visit(w, "d1", "c1", "2027-03-01T10:00:00Z"), LUDIC_DUPLICATE, "the same line again");
	/* The first one wins, even when the other fields differ. */
	cr_expect_eq(push(w, "{\"type\":\"visit\",\"id\":\"d1\",\"customer\":\"c1\",\"at\":\"2027-03-01T11:00:00Z\","
			     "\"store\":\"S9\",\"region\":\"south\"}"),
		     LUDIC_DUPLICATE);
	/* Ids are remembered per customer. */
	cr_expect_eq(visit(w, "d1", "c2", "2027-03-01T10:00:00Z"), LUDIC_APPLIED);
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c1", NULL), 1);
	cr_expect_eq(balance(w, "c1", "points", NULL), 1);
	cr_expect_eq(w->nrej, 0, "a duplicate is not a reject");
	ludic_engine_stats s;
	ludic_engine_stats_get(w->eng, &s);
	cr_expect_eq(s.events, 4);
	cr_expect_eq(s.applied, 2);
	cr_expect_eq(s.duplicates, 2);
	cr_expect_eq(s.rejected, 0);
	teardown(w);
}

/* ---- returns ---- */

static const char RETURNS[] = "program \"returns\"\nuse retail\nwallet points expires 1 month after earning\n"
			      "rule \"Earn\" on purchase:\n  award total / 1 EUR points\n";

Test(semantics, return_after_expiry)
{
	world *w = setup(RETURNS);
	/* A: 50 points earned on 02-05 expire when 03-05 begins; the return on
	 * 03-10 would reverse 50 x 50 / 50 = 50, capped by the balance, 0. */
	purchase(w, "pa", "A", "2027-02-05T12:00:00Z", "50.00");
	w->nfx = 0;
	cr_assert_eq(give_back(w, "ra", "A", "2027-03-10T12:00:00Z", "50.00", "pa"), LUDIC_APPLIED);
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_EXPIRE, "A", NULL), 1);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_EXPIRE, "A", 0)->amount, 50);
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_REVERSE, "A", NULL), 0, "nothing is left to take back");
	cr_expect_eq(balance(w, "A", "points", NULL), 0);

	/* B: the same, plus 30 points from 03-01 still valid: the reversal (50)
	 * is capped by the balance, 30; never below zero. */
	purchase(w, "pb1", "B", "2027-02-05T12:00:00Z", "50.00");
	purchase(w, "pb2", "B", "2027-03-01T12:00:00Z", "30.00");
	w->nfx = 0;
	give_back(w, "rb", "B", "2027-03-10T12:00:00Z", "50.00", "pb1");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_EXPIRE, "B", NULL), 1);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_EXPIRE, "B", 0)->balance, 30);
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_REVERSE, "B", NULL), 1);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_REVERSE, "B", 0)->amount, 30);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_REVERSE, "B", 0)->balance, 0);
	cr_expect_str_eq(nth_fx(w, LUDIC_EFFECT_REVERSE, "B", 0)->event, "rb");
	cr_expect_eq(balance(w, "B", "points", NULL), 0);
	teardown(w);
}

Test(semantics, partial_returns)
{
	world *w = setup(RETURNS);
	/* A basket of 23.33 + 10.00 = 33.33 EUR earns floor(33.33) = 33 points. */
	cr_assert_eq(push(w, "{\"type\":\"purchase\",\"id\":\"p1\",\"customer\":\"c1\",\"at\":\"2027-03-01T12:00:00Z\","
			     "\"lines\":[{\"sku\":\"A\",\"category\":\"garden\",\"tags\":[],\"quantity\":1,\"unit_price\":23.33,"
			     "\"price\":23.33},{\"sku\":\"B\",\"category\":\"home\",\"tags\":[],\"quantity\":1,"
			     "\"unit_price\":10.00,\"price\":10.00}],\"total\":33.33,\"channel\":\"store\",\"payment\":\"card\","
			     "\"checkout\":\"till\",\"store\":\"S1\",\"region\":\"north\"}"),
		     LUDIC_APPLIED);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_AWARD, "c1", 0)->amount, 33);
	/* 10.00 back: floor(33 x 10.00 / 33.33) = floor(9.90) = 9 -> 24 left. */
	give_back(w, "r1", "c1", "2027-03-02T12:00:00Z", "10.00", "p1");
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_REVERSE, "c1", NULL), 1);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_REVERSE, "c1", 0)->amount, 9);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_REVERSE, "c1", 0)->balance, 24);
	/* 23.33 back: the whole basket is back now, so the whole 33 is due:
	 * 33 - 9 = 24 more, and the balance is 0. Each return's share rounded
	 * on its own (9 + 23) would leave the customer 1 point for a basket
	 * fully returned. */
	give_back(w, "r2", "c1", "2027-03-03T12:00:00Z", "23.33", "p1");
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_REVERSE, "c1", NULL), 2);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_REVERSE, "c1", 1)->amount, 24);
	cr_expect_eq(nth_fx(w, LUDIC_EFFECT_REVERSE, "c1", 1)->balance, 0);
	/* 5.00 more than the basket: nothing is left to give back: never twice. */
	give_back(w, "r3", "c1", "2027-03-04T12:00:00Z", "5.00", "p1");
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_REVERSE, "c1", NULL), 2, "the purchase is fully reversed");

	/* A return that does not name its purchase reverses nothing. */
	purchase(w, "q1", "c2", "2027-03-01T12:00:00Z", "20.00");
	give_back(w, "s1", "c2", "2027-03-02T12:00:00Z", "20.00", NULL);
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_REVERSE, "c2", NULL), 0);
	cr_expect_eq(balance(w, "c2", "points", NULL), 20);
	teardown(w);
}

/* ---- redemptions ---- */

Test(semantics, redemption_balance_too_small)
{
	world *w = setup("program \"redeem\"\nuse retail\nwallet points\n"
			 "rule \"Earn\" on purchase:\n  award total / 1 EUR points\n"
			 "rule \"Thanks\" on redemption:\n  award 1 points\n  unlimited\n"
			 "catalogue {\n  reward \"Voucher\" costs 25 points\n}\n");
	purchase(w, "p1", "c1", "2027-03-01T12:00:00Z", "10.00");
	w->nfx = 0;
	cr_assert_eq(redeem(w, "r1", "c1", "2027-03-02T12:00:00Z", "Voucher"), LUDIC_APPLIED);
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_REFUSAL, "c1", NULL), 1);
	const fx_rec *r = nth_fx(w, LUDIC_EFFECT_REFUSAL, "c1", 0);
	cr_expect_str_eq(r->item, "Voucher");
	cr_expect(strstr(r->reason, "balance too small") && strstr(r->reason, "10") && strstr(r->reason, "25"),
		  "reason: %s", r->reason);
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_REDEMPTION, "c1", NULL), 0);
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_AWARD, "c1", "Thanks"), 0, "on-redemption rules run only after a success");
	cr_expect_eq(balance(w, "c1", "points", NULL), 10);

	/* 10 + 20 = 30: now it goes through: 30 - 25 = 5, then Thanks: 6. */
	purchase(w, "p2", "c1", "2027-03-03T12:00:00Z", "20.00");
	w->nfx = 0;
	redeem(w, "r2", "c1", "2027-03-04T12:00:00Z", "Voucher");
	cr_assert_eq(w->nfx, 2);
	cr_expect_eq(w->fx[0].kind, LUDIC_EFFECT_REDEMPTION);
	cr_expect_eq(w->fx[0].amount, 25);
	cr_expect_eq(w->fx[0].balance, 5);
	cr_expect_eq(w->fx[1].kind, LUDIC_EFFECT_AWARD);
	cr_expect_str_eq(w->fx[1].rule, "Thanks");
	cr_expect_eq(w->fx[1].balance, 6);

	w->nfx = 0;
	redeem(w, "r3", "c1", "2027-03-05T12:00:00Z", "Free coffee");
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_REFUSAL, "c1", NULL), 1);
	cr_expect(strstr(nth_fx(w, LUDIC_EFFECT_REFUSAL, "c1", 0)->reason, "unknown reward"), "reason: %s",
		  nth_fx(w, LUDIC_EFFECT_REFUSAL, "c1", 0)->reason);
	cr_expect_eq(balance(w, "c1", "points", NULL), 6);
	teardown(w);
}

/* ---- order and lateness ---- */

Test(semantics, late_events)
{
	world *w = setup("program \"late\"\nuse retail\nallow late events up to 2 hours\nwallet points\n"
			 "rule \"Visit\" on visit:\n  award 1 points\n  unlimited\n");
	cr_expect_eq(visit(w, "l1", "c1", "2027-03-01T12:00:00Z"), LUDIC_APPLIED);
	cr_expect_eq(visit(w, "l2", "c1", "2027-03-01T10:30:00Z"), LUDIC_APPLIED, "1 h 30 late: within 2 hours");
	cr_expect_eq(visit(w, "l3", "c1", "2027-03-01T10:00:00Z"), LUDIC_APPLIED, "exactly 2 h late: within");
	cr_expect_eq(visit(w, "l4", "c1", "2027-03-01T09:59:59Z"), LUDIC_REJECTED, "2 h and 1 s late: too late");
	cr_expect_eq(balance(w, "c1", "points", NULL), 3);
	cr_assert_eq(w->nrej, 1);
	cr_expect_str_eq(w->rej[0].code, "too-late");
	cr_expect_eq(w->rej[0].line, 4);
	cr_expect_str_eq(w->rej[0].event, "l4");
	teardown(w);

	w = setup("program \"strict\"\nuse retail\nwallet points\n"
		  "rule \"Visit\" on visit:\n  award 1 points\n  unlimited\n");
	cr_expect_eq(visit(w, "s1", "c1", "2027-03-01T12:00:00Z"), LUDIC_APPLIED);
	cr_expect_eq(visit(w, "s2", "c1", "2027-03-01T11:59:59Z"), LUDIC_REJECTED, "no lateness allowed by default");
	cr_expect_eq(visit(w, "s3", "c1", "2027-03-01T12:00:00Z"), LUDIC_APPLIED, "the same second is not late");
	cr_expect_eq(visit(w, "s4", "c2", "2027-03-01T08:00:00Z"), LUDIC_APPLIED, "other customers are independent");
	cr_expect_eq(balance(w, "c1", "points", NULL), 2);
	cr_assert_eq(w->nrej, 1);
	cr_expect_str_eq(w->rej[0].code, "too-late");
	teardown(w);
}

/* ---- time passing ---- */

Test(semantics, time_driven_rule_at_end_of_batch)
{
	world *w = setup("program \"timed\"\nuse retail\nwallet points\n"
			 "rule \"Earn\" on purchase:\n  award total / 1 EUR points\n"
			 "rule \"We miss you\" when no purchase for 10 days:\n  notify \"winback\"\n");
	purchase(w, "p1", "c1", "2027-03-01T10:00:00Z", "5.00");
	w->nfx = 0;
	/* The last purchase was on 03-01: the rule fires when 03-11 begins. */
	cr_assert_eq(ludic_engine_advance(w->eng, utc("2027-03-10T23:59:59Z")), LUDIC_OK);
	cr_expect_eq(w->nfx, 0, "not before 03-11");
	cr_assert_eq(ludic_engine_advance(w->eng, utc("2027-03-11T00:00:00Z")), LUDIC_OK);
	cr_assert_eq(count_fx(w, LUDIC_EFFECT_NOTIFY, "c1", "We miss you"), 1);
	const fx_rec *n = nth_fx(w, LUDIC_EFFECT_NOTIFY, "c1", 0);
	cr_expect_str_eq(n->tmpl, "winback");
	cr_expect_eq(n->at, utc("2027-03-11T00:00:00Z"));
	cr_expect_not(n->has_event);
	/* Once per silence; and time never goes back. */
	cr_assert_eq(ludic_engine_advance(w->eng, utc("2027-04-30T00:00:00Z")), LUDIC_OK);
	cr_assert_eq(ludic_engine_advance(w->eng, utc("2027-03-01T00:00:00Z")), LUDIC_OK);
	cr_expect_eq(count_fx(w, LUDIC_EFFECT_NOTIFY, NULL, NULL), 1);
	teardown(w);
}
