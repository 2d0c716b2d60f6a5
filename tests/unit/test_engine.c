/* test_engine.c — the engine (runtime/engine.c): duplicates and the window
 * they are remembered in, lateness at its exact boundary, anonymous events
 * and staff quests, blank and bad lines, the passing of days
 * (ludic_engine_advance), counters, a customer's view, and 100,000
 * customers (run under ASan in CI: no leak, no bad access).
 *
 * Every program here is a few lines whose effects follow directly from
 * docs/language.md ("How rules run") and the brief's decided semantics, so
 * the expected effects are worked out by hand in the comments. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>
#include <unistd.h>

#include "ludic.h"

/* ---- a program and an engine that records what it is told ---- */

typedef struct rec {
	char lines[64][512];   /* the first 64 effects, as JSON */
	int neffects;          /* every effect */
	ludic_effect last;     /* kind, amount, balance of the last one */
	char last_customer[64];
	char last_wallet[64];
	char last_event[64];
	int nrejects;
	char reject_code[32];
	char reject_field[64];
	char reject_msg[512];
	char reject_id[64];
	unsigned long long reject_line;
} rec;

static void on_effect(void *user, const ludic_effect *fx)
{
	rec *r = user;
	if (r->neffects < 64)
		ludic_effect_to_json(fx, r->lines[r->neffects], sizeof r->lines[0]);
	r->neffects++;
	r->last = *fx;
	snprintf(r->last_customer, sizeof r->last_customer, "%s", fx->customer ? fx->customer : "");
	snprintf(r->last_wallet, sizeof r->last_wallet, "%s", fx->wallet ? fx->wallet : "");
	snprintf(r->last_event, sizeof r->last_event, "%s", fx->event_id ? fx->event_id : "");
}

static void on_reject(void *user, const ludic_reject *j)
{
	rec *r = user;
	r->nrejects++;
	snprintf(r->reject_code, sizeof r->reject_code, "%s", j->code);
	snprintf(r->reject_field, sizeof r->reject_field, "%s", j->field ? j->field : "");
	snprintf(r->reject_msg, sizeof r->reject_msg, "%s", j->message);
	snprintf(r->reject_id, sizeof r->reject_id, "%s", j->event_id ? j->event_id : "");
	r->reject_line = j->line;
}

static ludic_program *program(const char *text)
{
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_not_null(c);
	cr_assert_eq(ludic_compiler_add_source(c, "t.ludic", text, strlen(text), 0), LUDIC_OK);
	ludic_program *p = NULL;
	ludic_status s = ludic_program_new(c, &p);
	if (s != LUDIC_OK) {
		char *d = ludic_compiler_render_string(c, LUDIC_FORMAT_TEXT, 0);
		cr_log_error("%s", d ? d : "");
		free(d);
	}
	cr_assert_eq(s, LUDIC_OK);
	ludic_compiler_free(c); /* the program keeps what it needs */
	return p;
}

static ludic_engine *engine(const ludic_program *p, rec *r)
{
	memset(r, 0, sizeof *r);
	ludic_engine_options o = {.on_effect = on_effect, .effect_user = r, .on_reject = on_reject, .reject_user = r};
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, &o, &e), LUDIC_OK);
	cr_assert_not_null(e);
	return e;
}

static int push(ludic_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int push(ludic_engine *e, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	static unsigned long long n;
	return ludic_engine_push_json(e, line, strlen(line), ++n);
}

/* A visit of customer `c` with id `id` at `at` (RFC 3339). */
#define VISIT(e, id, c, at)                                                                                       \
	push(e, "{\"type\":\"visit\",\"id\":\"%s\",\"customer\":\"%s\",\"at\":\"%s\",\"store\":\"S1\",\"region\":\"r\"}", \
	     id, c, at)

static const char *VISITS =
	"program \"t\" version \"1\"\n"
	"use retail\n"
	"timezone \"Europe/Paris\"\n"
	"allow late events up to 2 hours\n"
	"wallet points\n"
	"rule \"Visit\" on visit:\n"
	"  award 1 points\n";

/* ---- duplicates ---- */

Test(engine, a_duplicate_is_ignored_once_applied)
{
	ludic_program *p = program(VISITS);
	rec r;
	ludic_engine *e = engine(p, &r);
	cr_assert_eq(VISIT(e, "v1", "c1", "2027-03-06T11:00:00+01:00"), LUDIC_APPLIED);
	cr_assert_eq(VISIT(e, "v1", "c1", "2027-03-06T11:00:00+01:00"), LUDIC_DUPLICATE);
	/* the first one wins, even if the copy says something else */
	cr_assert_eq(VISIT(e, "v1", "c1", "2027-03-06T11:30:00+01:00"), LUDIC_DUPLICATE);
	cr_assert_eq(r.neffects, 1);
	cr_assert_eq(r.last.balance, 1);
	/* ids are per customer */
	cr_assert_eq(VISIT(e, "v1", "c2", "2027-03-06T11:00:00+01:00"), LUDIC_APPLIED);
	cr_assert_eq(r.neffects, 2);
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	cr_assert_eq(st.events, 4);
	cr_assert_eq(st.applied, 2);
	cr_assert_eq(st.duplicates, 2);
	cr_assert_eq(st.effects[LUDIC_EFFECT_AWARD], 2);
	ludic_engine_free(e);
	ludic_program_free(p);
}

Test(engine, every_event_within_the_lateness_is_remembered)
{
	/* 40 events of one customer within 2 hours: more than the inline
	 * ring holds; every one of them must still be recognised */
	ludic_program *p = program(VISITS);
	rec r;
	ludic_engine *e = engine(p, &r);
	char id[16], at[40];
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof id, "v%d", i);
		snprintf(at, sizeof at, "2027-03-06T10:%02d:00+01:00", i);
		cr_assert_eq(VISIT(e, id, "c1", at), LUDIC_APPLIED);
	}
	for (int i = 39; i >= 0; i--) {
		snprintf(id, sizeof id, "v%d", i);
		snprintf(at, sizeof at, "2027-03-06T10:%02d:00+01:00", i);
		cr_assert_eq(VISIT(e, id, "c1", at), LUDIC_DUPLICATE, "v%d", i);
	}
	cr_assert_eq(r.neffects, 40);
	/* events 3 hours apart: an old copy is too late, a recent one a duplicate */
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof id, "w%d", i);
		snprintf(at, sizeof at, "2027-03-%02dT%02d:00:00+01:00", 7 + i * 3 / 24, i * 3 % 24);
		cr_assert_eq(VISIT(e, id, "c1", at), LUDIC_APPLIED);
	}
	cr_assert_eq(VISIT(e, "w0", "c1", "2027-03-07T00:00:00+01:00"), LUDIC_REJECTED);
	cr_assert_str_eq(r.reject_code, "too-late");
	cr_assert_eq(VISIT(e, "w19", "c1", at), LUDIC_DUPLICATE);
	cr_assert_eq(r.neffects, 60);
	ludic_engine_free(e);
	ludic_program_free(p);
}

/* ---- lateness ---- */

Test(engine, lateness_boundary)
{
	ludic_program *p = program(VISITS);
	rec r;
	ludic_engine *e = engine(p, &r);
	cr_assert_eq(VISIT(e, "a", "c1", "2027-03-06T12:00:00+01:00"), LUDIC_APPLIED);
	/* exactly 2 hours earlier: accepted */
	cr_assert_eq(VISIT(e, "b", "c1", "2027-03-06T10:00:00+01:00"), LUDIC_APPLIED);
	/* one second more: too late */
	cr_assert_eq(VISIT(e, "c", "c1", "2027-03-06T09:59:59+01:00"), LUDIC_REJECTED);
	cr_assert_eq(r.nrejects, 1);
	cr_assert_str_eq(r.reject_code, "too-late");
	cr_assert_str_eq(r.reject_field, "at");
	cr_assert_str_eq(r.reject_id, "c");
	cr_assert(strstr(r.reject_msg, "2027-03-06T09:59:59+01:00"), "%s", r.reject_msg);
	cr_assert(strstr(r.reject_msg, "2027-03-06T12:00:00+01:00"), "%s", r.reject_msg);
	cr_assert(strstr(r.reject_msg, "at most 2 hours"), "%s", r.reject_msg);
	cr_assert(strstr(r.reject_msg, "allow late events up to 3 hours"), "%s", r.reject_msg);
	/* the latest time is the latest applied, not the last pushed */
	cr_assert_eq(VISIT(e, "d", "c1", "2027-03-06T10:30:00+01:00"), LUDIC_APPLIED);
	/* other customers are independent */
	cr_assert_eq(VISIT(e, "e", "c2", "2027-03-01T10:30:00+01:00"), LUDIC_APPLIED);
	cr_assert_eq(r.neffects, 4);
	ludic_engine_free(e);
	ludic_program_free(p);
}

Test(engine, without_the_setting_no_event_may_be_late)
{
	ludic_program *p = program("program \"t\"\nuse retail\nwallet points\nrule \"Visit\" on visit:\n  award 1 points\n");
	rec r;
	ludic_engine *e = engine(p, &r);
	cr_assert_eq(VISIT(e, "a", "c1", "2027-03-06T12:00:00Z"), LUDIC_APPLIED);
	cr_assert_eq(VISIT(e, "b", "c1", "2027-03-06T12:00:00Z"), LUDIC_APPLIED, "the same second is not late");
	cr_assert_eq(VISIT(e, "c", "c1", "2027-03-06T11:59:59Z"), LUDIC_REJECTED);
	cr_assert(strstr(r.reject_msg, "accepts no late events"), "%s", r.reject_msg);
	cr_assert(strstr(r.reject_msg, "allow late events up to 1 hour"), "%s", r.reject_msg);
	ludic_engine_free(e);
	ludic_program_free(p);
}

/* ---- anonymous events, blank and bad lines ---- */

Test(engine, anonymous_events_touch_no_customer)
{
	ludic_program *p = program(VISITS);
	rec r;
	ludic_engine *e = engine(p, &r);
	cr_assert_eq(push(e, "{\"type\":\"visit\",\"id\":\"a1\",\"at\":\"2027-03-06T12:00:00Z\",\"store\":\"S\","
			     "\"region\":\"r\"}"),
		     LUDIC_ANONYMOUS);
	cr_assert_eq(push(e, "{\"type\":\"visit\",\"id\":\"a1\",\"customer\":null,\"at\":\"2027-03-06T12:00:00Z\","
			     "\"store\":\"S\",\"region\":\"r\"}"),
		     LUDIC_ANONYMOUS);
	cr_assert_eq(r.neffects, 0, "a visit rule is not a quest");
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	cr_assert_eq(st.anonymous, 2);
	cr_assert_eq(st.customers, 0);
	cr_assert_eq(st.applied, 0);
	ludic_engine_free(e);
	ludic_program_free(p);
}

Test(engine, anonymous_purchase_credits_the_staff_member)
{
	ludic_program *p = program("program \"t\"\nuse retail\nwallet points\nwallet kudos for staff\n"
				   "rule \"Earn\" on purchase:\n  award 1 points\n"
				   "quest \"Service\" on purchase:\n  award 2 kudos\n");
	rec r;
	ludic_engine *e = engine(p, &r);
	cr_assert_gt(ludic_program_staff_state_size(p), 0);
	cr_assert_eq(push(e, "{\"type\":\"purchase\",\"id\":\"p1\",\"at\":\"2027-03-06T12:00:00Z\",\"lines\":[],"
			     "\"total\":10,\"channel\":\"store\",\"payment\":\"cash\",\"checkout\":\"till\","
			     "\"store\":\"S\",\"region\":\"r\",\"staff\":\"s7\"}"),
		     LUDIC_ANONYMOUS);
	cr_assert_eq(r.neffects, 1, "only the quest acts: %s", r.lines[0]);
	cr_assert(r.last.staff);
	cr_assert_str_eq(r.last_customer, "s7");
	cr_assert_str_eq(r.last_wallet, "kudos");
	cr_assert_eq(r.last.amount, 2);
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	cr_assert_eq(st.staff, 1);
	cr_assert_eq(st.customers, 0);
	ludic_engine_free(e);
	ludic_program_free(p);
}

/* Staff wallets expire and release as customers' wallets do. In Paris:
 * p1 on 2027-03-05 earns 5 kudos, pending 2 days (released when 03-07
 * begins), expiring 1 month after earning (when 04-05 begins, summer time
 * by then). p2, two months later and for another customer, is served by
 * the same staff member: their days pass first (release, expiry), then the
 * quest credits. ludic_engine_advance lets the days of p2's kudos pass. */
Test(engine, staff_wallets_release_and_expire)
{
	ludic_program *p = program("program \"t\"\nuse retail\ntimezone \"Europe/Paris\"\n"
				   "wallet kudos \"Kudos\" for staff expires 1 month after earning pending 2 days\n"
				   "quest \"Service\" on purchase where checkout = till:\n  award 5 kudos\n  unlimited\n");
	rec r;
	ludic_engine *e = engine(p, &r);
	const char *buy = "{\"type\":\"purchase\",\"id\":\"%s\",\"customer\":\"%s\",\"at\":\"%s\",\"lines\":[],"
			  "\"total\":10,\"channel\":\"store\",\"payment\":\"cash\",\"checkout\":\"till\","
			  "\"store\":\"S\",\"region\":\"r\",\"staff\":\"s1\"}";
	cr_assert_eq(push(e, buy, "p1", "c1", "2027-03-05T10:00:00+01:00"), LUDIC_APPLIED);
	cr_assert_eq(push(e, buy, "p2", "c2", "2027-05-05T10:00:00+02:00"), LUDIC_APPLIED);
	/* 2027-08-01T00:00:00+02:00 */
	cr_assert_eq(ludic_engine_advance(e, INT64_C(1817071200)), LUDIC_OK);
	const char *want[] = {
		"{\"kind\":\"award\",\"staff\":\"s1\",\"wallet\":\"kudos\",\"amount\":5,\"balance\":0,\"pending\":5,"
		"\"rule\":\"Service\",\"event\":\"p1\",\"at\":\"2027-03-05T10:00:00+01:00\"}",
		"{\"kind\":\"release\",\"staff\":\"s1\",\"wallet\":\"kudos\",\"amount\":5,\"balance\":5,\"pending\":0,"
		"\"at\":\"2027-03-07T00:00:00+01:00\"}",
		"{\"kind\":\"expire\",\"staff\":\"s1\",\"wallet\":\"kudos\",\"amount\":5,\"balance\":0,\"pending\":0,"
		"\"at\":\"2027-04-05T00:00:00+02:00\"}",
		"{\"kind\":\"award\",\"staff\":\"s1\",\"wallet\":\"kudos\",\"amount\":5,\"balance\":0,\"pending\":5,"
		"\"rule\":\"Service\",\"event\":\"p2\",\"at\":\"2027-05-05T10:00:00+02:00\"}",
		"{\"kind\":\"release\",\"staff\":\"s1\",\"wallet\":\"kudos\",\"amount\":5,\"balance\":5,\"pending\":0,"
		"\"at\":\"2027-05-07T00:00:00+02:00\"}",
		"{\"kind\":\"expire\",\"staff\":\"s1\",\"wallet\":\"kudos\",\"amount\":5,\"balance\":0,\"pending\":0,"
		"\"at\":\"2027-06-05T00:00:00+02:00\"}",
	};
	cr_assert_eq(r.neffects, 6, "%d effects", r.neffects);
	for (int i = 0; i < 6; i++)
		cr_assert_str_eq(r.lines[i], want[i], "effect %d", i);
	/* nothing is due twice */
	cr_assert_eq(ludic_engine_advance(e, INT64_C(1817071200) + 400 * 86400), LUDIC_OK);
	cr_assert_eq(r.neffects, 6);
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	cr_assert_eq(st.effects[LUDIC_EFFECT_RELEASE], 2);
	cr_assert_eq(st.effects[LUDIC_EFFECT_EXPIRE], 2);
	ludic_engine_free(e);
	ludic_program_free(p);
}

Test(engine, blank_and_bad_lines)
{
	ludic_program *p = program(VISITS);
	rec r;
	ludic_engine *e = engine(p, &r);
	cr_assert_eq(ludic_engine_push_json(e, "  \r\n", 4, 1), LUDIC_BLANK);
	cr_assert_eq(ludic_engine_push_json(e, "", 0, 2), LUDIC_BLANK);
	const char *bad = "{\"type\":\"visit\",\"id\":\"v\",\"customer\":\"c\",\"at\":\"2027-03-06T12:00:00Z\",\"store\":\"S\"}";
	cr_assert_eq(ludic_engine_push_json(e, bad, strlen(bad), 3), LUDIC_REJECTED);
	cr_assert_str_eq(r.reject_code, "missing");
	cr_assert_str_eq(r.reject_field, "region");
	cr_assert_eq(r.reject_line, 3);
	cr_assert_str_eq(r.reject_msg, "the `visit` event has no `region`; it is required: a string in double quotes");
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	cr_assert_eq(st.events, 1, "blank lines are not events");
	cr_assert_eq(st.rejected, 1);
	cr_assert_eq(st.customers, 0, "a rejected line makes no customer");
	ludic_engine_free(e);
	ludic_program_free(p);
}

/* ---- time passing ---- */

Test(engine, advance_runs_the_days)
{
	/* the last visit is on 2027-03-06 (Paris): "no visit for 3 days"
	 * fires when 2027-03-09 begins, at its local midnight */
	ludic_program *p = program("program \"t\"\nuse retail\ntimezone \"Europe/Paris\"\nwallet points\n"
				   "rule \"Visit\" on visit:\n  award 1 points\n"
				   "rule \"Miss\" when no visit for 3 days:\n  notify \"miss-you\"\n");
	rec r;
	ludic_engine *e = engine(p, &r);
	cr_assert_eq(VISIT(e, "v1", "c1", "2027-03-06T18:00:00+01:00"), LUDIC_APPLIED);
	cr_assert_eq(r.neffects, 1);
	/* 2027-03-08T23:59:59+01:00: still day 8 */
	cr_assert_eq(ludic_engine_advance(e, INT64_C(1804546799)), LUDIC_OK);
	cr_assert_eq(r.neffects, 1, "%s", r.lines[1]);
	/* 2027-03-09T00:00:00+01:00 */
	cr_assert_eq(ludic_engine_advance(e, INT64_C(1804546800)), LUDIC_OK);
	cr_assert_eq(r.neffects, 2);
	cr_assert_eq(r.last.kind, LUDIC_EFFECT_NOTIFY);
	cr_assert_str_eq(r.last_event, "", "effects of time passing have no event");
	cr_assert_eq(r.last.at, INT64_C(1804546800));
	cr_assert_str_eq(r.lines[1], "{\"kind\":\"notify\",\"customer\":\"c1\",\"template\":\"miss-you\",\"rule\":\"Miss\","
				     "\"at\":\"2027-03-09T00:00:00+01:00\"}");
	/* time never goes back, and a silence fires once */
	cr_assert_eq(ludic_engine_advance(e, INT64_C(1804546000)), LUDIC_OK);
	cr_assert_eq(ludic_engine_advance(e, INT64_C(1804546800) + 5 * 86400), LUDIC_OK);
	cr_assert_eq(r.neffects, 2);
	ludic_engine_free(e);
	ludic_program_free(p);
}

/* ---- a customer's view ---- */

Test(engine, customer_view)
{
	ludic_program *p = program(VISITS);
	rec r;
	ludic_engine *e = engine(p, &r);
	cr_assert_eq(VISIT(e, "v1", "c1", "2027-03-06T10:00:00+01:00"), LUDIC_APPLIED);
	cr_assert_eq(VISIT(e, "v2", "c1", "2027-03-06T11:00:00+01:00"), LUDIC_APPLIED);
	cr_assert_eq(VISIT(e, "v3", "c1", "2027-03-06T10:30:00+01:00"), LUDIC_APPLIED);
	ludic_customer_view v;
	cr_assert_eq(ludic_engine_customer(e, "c1", 2, &v), LUDIC_OK);
	cr_assert_str_eq(v.id, "c1");
	cr_assert(v.known);
	cr_assert_eq(v.last_event_at, INT64_C(1804327200), "the latest, 2027-03-06T11:00:00+01:00");
	cr_assert_eq(v.nbalances, 1);
	cr_assert_str_eq(v.balances[0].wallet, "points");
	cr_assert_eq(v.balances[0].balance, 3);
	cr_assert_eq(ludic_engine_customer(e, "nobody", 6, &v), LUDIC_OK);
	cr_assert_str_eq(v.id, "nobody");
	cr_assert(!v.known);
	cr_assert_eq(v.last_event_at, 0);
	cr_assert_eq(v.nbalances, 1);
	cr_assert_eq(v.balances[0].balance, 0);
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	cr_assert_eq(st.customers, 1, "looking at a customer does not create one");
	ludic_engine_free(e);
	ludic_program_free(p);
}

/* ---- many customers ---- */

static void count_only(void *user, const ludic_effect *fx)
{
	(void)fx;
	(*(unsigned long long *)user)++;
}

Test(engine, a_hundred_thousand_customers, .timeout = 60)
{
	ludic_program *p = program(VISITS);
	unsigned long long seen = 0;
	ludic_engine_options o = {.on_effect = count_only, .effect_user = &seen};
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, &o, &e), LUDIC_OK);
	ludic_event *ev = ludic_event_new(p);
	int type = ludic_program_event_type(p, "visit");
	int store = ludic_program_field(p, type, -1, "store"), region = ludic_program_field(p, type, -1, "region");
	char id[32], cust[32];
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 100000; i++) {
			int n = snprintf(cust, sizeof cust, "cust-%d", i);
			int k = snprintf(id, sizeof id, "ev-%d-%d", round, i);
			cr_assert_eq(ludic_event_reset(ev, type), LUDIC_OK);
			ludic_event_set_string(ev, 0, id, (size_t)k);
			ludic_event_set_string(ev, 1, cust, (size_t)n);
			ludic_event_set_int(ev, 2, INT64_C(1804327200) + round * 60 + i % 7);
			ludic_event_set_string(ev, store, "S1", 2);
			ludic_event_set_string(ev, region, "r", 1);
			int res = ludic_engine_push(e, ev);
			if (res != LUDIC_APPLIED)
				cr_assert_fail("event %d of round %d: %d (%s)", i, round, res, ludic_engine_error(e));
		}
	}
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	cr_assert_eq(st.customers, 100000);
	cr_assert_eq(st.applied, 200000);
	cr_assert_eq(seen, 200000);
	cr_assert_gt(st.state_bytes, 100000 * ludic_program_state_size(p));
	ludic_customer_view v;
	cr_assert_eq(ludic_engine_customer(e, "cust-99999", 10, &v), LUDIC_OK);
	cr_assert(v.known);
	cr_assert_eq(v.nbalances, 1);
	cr_assert_eq(v.balances[0].balance, 2);
	ludic_event_free(ev);
	ludic_engine_free(e);
	ludic_program_free(p);
}

/* ---- memory running out ---- */

#if defined(__SANITIZE_ADDRESS__)
#define LUDIC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUDIC_TEST_ASAN 1
#endif
#endif

#ifndef LUDIC_TEST_ASAN
/* Memory that the test takes for itself, chained through its own blocks. */
typedef struct hog {
	struct hog *next;
} hog;

/* Caps the process's address space a little above what it uses now, then
 * takes every block malloc can still give (large to small), so that the
 * next allocation fails. Criterion runs each test in its own process: the
 * cap ends with it, and `release` lifts it. */
static hog *exhaust_memory(struct rlimit *saved)
{
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f || fscanf(f, "%ld", &pages) != 1)
		cr_skip_test("no /proc/self/statm: cannot cap the address space here");
	fclose(f);
	cr_assert_eq(getrlimit(RLIMIT_AS, saved), 0);
	struct rlimit cap = *saved;
	cap.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)32 << 20);
	if (saved->rlim_max != RLIM_INFINITY && cap.rlim_cur > saved->rlim_max)
		cr_skip_test("the hard limit on the address space is too low to test this");
	cr_assert_eq(setrlimit(RLIMIT_AS, &cap), 0);
	hog *all = NULL;
	for (size_t size = (size_t)1 << 20; size >= sizeof(hog);) {
		hog *h = malloc(size);
		if (!h) {
			size /= 2;
			continue;
		}
		h->next = all;
		all = h;
	}
	return all;
}

static void release(hog *all, const struct rlimit *saved)
{
	while (all) {
		hog *next = all->next;
		free(all);
		all = next;
	}
	setrlimit(RLIMIT_AS, saved);
}
#endif

/* When memory runs out, ludic_program_new and ludic_engine_new say so
 * (LUDIC_ERR_MEMORY, not a usage error), leave *out NULL and change
 * nothing: the same call succeeds once memory is back. (Skipped under
 * AddressSanitizer, whose allocator does not return NULL.) */
Test(engine, memory_running_out_is_reported)
{
#ifdef LUDIC_TEST_ASAN
	cr_skip_test("AddressSanitizer's allocator aborts instead of returning NULL");
#else
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_not_null(c);
	cr_assert_eq(ludic_compiler_add_source(c, "t.ludic", VISITS, strlen(VISITS), 0), LUDIC_OK);
	cr_assert_eq(ludic_compiler_check(c), LUDIC_OK);
	ludic_program *p = (ludic_program *)1;
	struct rlimit saved;
	hog *h = exhaust_memory(&saved);
	ludic_status ps = ludic_program_new(c, &p);
	release(h, &saved);
	cr_assert_eq(ps, LUDIC_ERR_MEMORY, "%s", ludic_status_message(ps));
	cr_assert_null(p);
	cr_assert_eq(ludic_program_new(c, &p), LUDIC_OK, "nothing was changed: it can be retried");
	ludic_compiler_free(c);

	ludic_engine *e = (ludic_engine *)1;
	h = exhaust_memory(&saved);
	ludic_status es = ludic_engine_new(p, NULL, &e);
	release(h, &saved);
	cr_assert_eq(es, LUDIC_ERR_MEMORY, "%s", ludic_status_message(es));
	cr_assert_null(e);
	cr_assert_eq(ludic_engine_new(p, NULL, &e), LUDIC_OK);
	cr_assert_eq(VISIT(e, "v1", "c1", "2027-03-06T11:00:00+01:00"), LUDIC_APPLIED);
	ludic_engine_free(e);
	ludic_program_free(p);
#endif
}
