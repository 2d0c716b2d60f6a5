/* test_embed_api.c — the embedding API as an embedder sees it: only
 * include/ludic.h. Misuse (NULL handles, calls in the wrong order, fields of
 * the wrong kind, unknown types and fields, an event of another program,
 * calling back into the engine from a callback) returns LUDIC_ERR_USAGE or
 * -1 and never crashes; the compiler may be freed before the program; and
 * a typed event gives exactly what the same event in JSON gives: the same
 * effects, or the same reject. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ludic.h"

static const char *path_of(const char *rel)
{
	static char buf[1024];
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	if (dir) {
		snprintf(buf, sizeof buf, "%s/%s", dir, rel);
	} else {
		const char *me = __FILE__, *cut = strstr(me, "tests/unit/");
		snprintf(buf, sizeof buf, "%.*s%s", (int)(cut ? cut - me : 0), me, rel);
	}
	return buf;
}

static ludic_program *retailer(void)
{
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_compiler_add_file(c, path_of("examples/retailer/base.ludic"), 0), LUDIC_OK);
	ludic_program *p = NULL;
	cr_assert_eq(ludic_program_new(c, &p), LUDIC_OK);
	ludic_compiler_free(c);
	return p;
}

/* ---- misuse ---- */

Test(embed_api, null_handles)
{
	ludic_program *p = NULL;
	cr_assert_eq(ludic_program_new(NULL, &p), LUDIC_ERR_USAGE);
	cr_assert_null(p);
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_program_new(c, NULL), LUDIC_ERR_USAGE);
	ludic_compiler_free(c);
	ludic_program_free(NULL);
	cr_assert_str_eq(ludic_program_name(NULL), "");
	cr_assert_str_eq(ludic_program_version(NULL), "");
	cr_assert_eq(ludic_program_state_size(NULL), 0);
	cr_assert_eq(ludic_program_staff_state_size(NULL), 0);
	cr_assert_eq(ludic_program_dump_ir(NULL, stdout), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_program_dump_layout(NULL, stdout), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_program_event_type(NULL, "purchase"), -1);
	cr_assert_eq(ludic_program_field(NULL, 0, -1, "id"), -1);
	cr_assert_null(ludic_event_new(NULL));
	ludic_event_free(NULL);
	cr_assert_eq(ludic_event_reset(NULL, 0), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_int(NULL, 0, 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_string(NULL, 0, "x", 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_choice(NULL, 0, "x"), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_add_item(NULL, 0, NULL, 0), -1);
	cr_assert_eq(ludic_event_set_item_int(NULL, 0, 0, 0, 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_item_string(NULL, 0, 0, 0, "x", 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_add_item_string(NULL, 0, 0, 0, "x", 1), LUDIC_ERR_USAGE);
	ludic_engine *e = (ludic_engine *)&e;
	cr_assert_eq(ludic_engine_new(NULL, NULL, &e), LUDIC_ERR_USAGE);
	cr_assert_null(e);
	ludic_engine_free(NULL);
	cr_assert_eq(ludic_engine_push_json(NULL, "{}", 2, 1), -1);
	cr_assert_eq(ludic_engine_push(NULL, NULL), -1);
	cr_assert_eq(ludic_engine_advance(NULL, 0), LUDIC_ERR_USAGE);
	ludic_engine_stats st;
	memset(&st, 0xff, sizeof st);
	ludic_engine_stats_get(NULL, &st);
	cr_assert_eq(st.events, 0);
	ludic_engine_stats_get(NULL, NULL);
	ludic_customer_view v;
	cr_assert_eq(ludic_engine_customer(NULL, "c", 1, &v), LUDIC_ERR_USAGE);
	cr_assert_str_eq(ludic_engine_error(NULL), "");
	cr_assert_eq(ludic_effect_to_json(NULL, NULL, 0), 2);
}

Test(embed_api, a_program_with_errors_is_not_made)
{
	ludic_compiler *c = ludic_compiler_new();
	const char *text = "program \"t\"\nwallet points\nrule \"R\" on nothing:\n  award 1 points\n";
	ludic_compiler_add_source(c, "bad.ludic", text, strlen(text), 0);
	ludic_program *p = (ludic_program *)&p;
	cr_assert_eq(ludic_program_new(c, &p), LUDIC_ERR_PROGRAM);
	cr_assert_null(p);
	cr_assert_gt(ludic_compiler_error_count(c), 0);
	ludic_compiler_free(c);
	c = ludic_compiler_new();
	ludic_compiler_add_file(c, "/nonexistent/rules.ludic", 0);
	cr_assert_eq(ludic_program_new(c, &p), LUDIC_ERR_IO);
	ludic_compiler_free(c);
}

Test(embed_api, the_program_outlives_its_compiler)
{
	ludic_program *p = retailer(); /* the compiler is already freed */
	cr_assert_str_eq(ludic_program_name(p), "maison-verte");
	cr_assert_str_eq(ludic_program_version(p), "2027.03");
	cr_assert_gt(ludic_program_state_size(p), 0);
	cr_assert_gt(ludic_program_staff_state_size(p), 0, "kudos are credited to staff");
	/* two programs from one compiler, freed in any order */
	ludic_compiler *c = ludic_compiler_new();
	ludic_compiler_add_file(c, path_of("examples/retailer/base.ludic"), 0);
	ludic_program *a = NULL, *b = NULL;
	cr_assert_eq(ludic_program_new(c, &a), LUDIC_OK);
	cr_assert_eq(ludic_program_new(c, &b), LUDIC_OK);
	ludic_program_free(a);
	ludic_compiler_free(c);
	cr_assert_eq(ludic_program_event_type(b, "purchase"), ludic_program_event_type(p, "purchase"));
	ludic_program_free(b);
	ludic_program_free(p);
}

Test(embed_api, typed_events_refuse_misuse)
{
	ludic_program *p = retailer();
	int purchase = ludic_program_event_type(p, "purchase");
	cr_assert_geq(purchase, 0);
	cr_assert_eq(ludic_program_event_type(p, "purchasee"), -1);
	cr_assert_eq(ludic_program_event_type(p, "line"), -1, "a record is not an event");
	cr_assert_eq(ludic_program_field(p, purchase, -1, "id"), 0);
	cr_assert_eq(ludic_program_field(p, purchase, -1, "customer"), 1);
	cr_assert_eq(ludic_program_field(p, purchase, -1, "at"), 2);
	cr_assert_eq(ludic_program_field(p, purchase, -1, "nope"), -1);
	cr_assert_eq(ludic_program_field(p, 9999, -1, "id"), -1);
	cr_assert_eq(ludic_program_field(p, -5, -1, "id"), -1);
	int total = ludic_program_field(p, purchase, -1, "total");
	int lines = ludic_program_field(p, purchase, -1, "lines");
	int channel = ludic_program_field(p, purchase, -1, "channel");
	cr_assert_eq(ludic_program_field(p, purchase, total, "price"), -1, "total is not a list");
	int price = ludic_program_field(p, purchase, lines, "price");
	int tags = ludic_program_field(p, purchase, lines, "tags");
	cr_assert_geq(price, 0);
	cr_assert_geq(tags, 0);

	ludic_event *ev = ludic_event_new(p);
	cr_assert_not_null(ev);
	/* before a type is chosen, nothing can be set */
	cr_assert_eq(ludic_event_set_int(ev, total, 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_add_item(ev, lines, NULL, 0), -1);
	cr_assert_eq(ludic_event_reset(ev, -1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_reset(ev, 9999), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_reset(ev, purchase), LUDIC_OK);
	/* wrong kinds */
	cr_assert_eq(ludic_event_set_int(ev, 0, 5), LUDIC_ERR_USAGE, "id is a string");
	cr_assert_eq(ludic_event_set_string(ev, total, "12", 2), LUDIC_ERR_USAGE, "total is money");
	cr_assert_eq(ludic_event_set_choice(ev, total, "store"), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_int(ev, channel, 0), LUDIC_ERR_USAGE, "choices are set by name");
	cr_assert_eq(ludic_event_set_choice(ev, channel, NULL), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_int(ev, lines, 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_string(ev, 0, NULL, 3), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_int(ev, 63, 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_int(ev, -1, 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_add_item(ev, total, NULL, 0), -1);
	/* items */
	cr_assert_eq(ludic_event_set_item_int(ev, lines, 0, price, 100), LUDIC_ERR_USAGE, "no item yet");
	cr_assert_eq(ludic_event_add_item(ev, lines, "x", 1), -1, "a line is a record, not a string");
	int it = ludic_event_add_item(ev, lines, NULL, 0);
	cr_assert_eq(it, 0);
	cr_assert_eq(ludic_event_set_item_int(ev, lines, it, price, 100), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_int(ev, lines, it, 99, 100), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_item_int(ev, lines, 1, price, 100), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_set_item_string(ev, lines, it, price, "1", 1), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_event_add_item_string(ev, lines, it, price, "x", 1), LUDIC_ERR_USAGE, "price is no list");
	cr_assert_eq(ludic_event_add_item_string(ev, lines, it, tags, "organic", 7), LUDIC_OK);

	/* an engine refuses events without a type or of another program */
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, NULL, &e), LUDIC_OK);
	ludic_event *fresh = ludic_event_new(p);
	cr_assert_eq(ludic_engine_push(e, fresh), -1);
	cr_assert_str_neq(ludic_engine_error(e), "");
	ludic_program *q = retailer();
	ludic_event *other = ludic_event_new(q);
	ludic_event_reset(other, ludic_program_event_type(q, "visit"));
	cr_assert_eq(ludic_engine_push(e, other), -1);
	cr_assert_eq(ludic_engine_push_json(e, NULL, 3, 1), -1);
	ludic_event_free(other);
	ludic_program_free(q);
	ludic_event_free(fresh);
	ludic_event_free(ev);
	ludic_engine_free(e);
	ludic_program_free(p);
}

/* ---- callbacks may not call back into their engine ---- */

typedef struct reenter {
	ludic_engine *e;
	int push_result;
	ludic_status advance_result;
	int calls;
} reenter;

static void reenter_fx(void *user, const ludic_effect *fx)
{
	(void)fx;
	reenter *r = user;
	r->calls++;
	const char *l = "{\"type\":\"app\",\"id\":\"x\",\"customer\":\"c\",\"at\":\"2027-03-06T12:00:00Z\",\"action\":\"open\"}";
	r->push_result = ludic_engine_push_json(r->e, l, strlen(l), 1);
	r->advance_result = ludic_engine_advance(r->e, 0);
}

Test(embed_api, callbacks_cannot_reenter)
{
	ludic_program *p = retailer();
	reenter r = {0};
	ludic_engine_options o = {.on_effect = reenter_fx, .effect_user = &r};
	cr_assert_eq(ludic_engine_new(p, &o, &r.e), LUDIC_OK);
	const char *l = "{\"type\":\"app\",\"id\":\"a1\",\"customer\":\"c\",\"at\":\"2027-03-06T12:00:00Z\",\"action\":\"open\"}";
	cr_assert_eq(ludic_engine_push_json(r.e, l, strlen(l), 1), LUDIC_APPLIED);
	cr_assert_gt(r.calls, 0, "`First app use` awards 20 points");
	cr_assert_eq(r.push_result, -1);
	cr_assert_eq(r.advance_result, LUDIC_ERR_USAGE);
	ludic_engine_free(r.e);
	ludic_program_free(p);
}

/* ---- typed and JSON events are the same events ---- */

typedef struct lines {
	char text[32][512];
	int n;
	char reject[640];
} lines;

static void collect(void *user, const ludic_effect *fx)
{
	lines *l = user;
	if (l->n < 32)
		ludic_effect_to_json(fx, l->text[l->n], sizeof l->text[0]);
	l->n++;
}

static void collect_reject(void *user, const ludic_reject *r)
{
	lines *l = user;
	snprintf(l->reject, sizeof l->reject, "%s|%s|%s|%s", r->code, r->field ? r->field : "", r->message,
		 r->event_id ? r->event_id : "");
}

static ludic_engine *collecting(const ludic_program *p, lines *l)
{
	memset(l, 0, sizeof *l);
	ludic_engine_options o = {.on_effect = collect, .effect_user = l, .on_reject = collect_reject, .reject_user = l};
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, &o, &e), LUDIC_OK);
	return e;
}

/* A click & collect purchase with two lines, one tagged, paid by mobile
 * wallet, at 2027-03-06T12:00:00Z (1804334400). */
static const char *PURCHASE_JSON =
	"{\"type\":\"purchase\",\"id\":\"p1\",\"customer\":\"c-10042\",\"at\":\"2027-03-06T12:00:00Z\","
	"\"lines\":[{\"sku\":\"SEED\",\"category\":\"garden\",\"tags\":[\"organic\",\"sustainable\"],\"quantity\":3,"
	"\"unit_price\":2.49,\"price\":7.47},{\"sku\":\"MUG\",\"category\":\"kitchen\",\"tags\":[],\"quantity\":1,"
	"\"unit_price\":12.90,\"price\":11.61}],\"total\":19.08,\"channel\":\"web\",\"payment\":\"mobile_wallet\","
	"\"checkout\":\"click_collect\",\"store\":\"S01\",\"region\":\"north\",\"pickup\":\"PT1H\"}";

static void fill_purchase(const ludic_program *p, ludic_event *ev)
{
	int t = ludic_program_event_type(p, "purchase");
	int lines_f = ludic_program_field(p, t, -1, "lines");
#define F(name) ludic_program_field(p, t, -1, name)
#define L(name) ludic_program_field(p, t, lines_f, name)
	cr_assert_eq(ludic_event_reset(ev, t), LUDIC_OK);
	cr_assert_eq(ludic_event_set_string(ev, F("id"), "p1", 2), LUDIC_OK);
	cr_assert_eq(ludic_event_set_string(ev, F("customer"), "c-10042", 7), LUDIC_OK);
	cr_assert_eq(ludic_event_set_int(ev, F("at"), 1804334400), LUDIC_OK);
	/* the tags of line 0 are added after line 1 exists: the buffer keeps
	 * each item's list in one piece */
	int a = ludic_event_add_item(ev, lines_f, NULL, 0);
	int b = ludic_event_add_item(ev, lines_f, NULL, 0);
	cr_assert_eq(ludic_event_add_item_string(ev, lines_f, a, L("tags"), "organic", 7), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_string(ev, lines_f, b, L("sku"), "MUG", 3), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_string(ev, lines_f, a, L("sku"), "SEED", 4), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_string(ev, lines_f, a, L("category"), "garden", 6), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_string(ev, lines_f, b, L("category"), "kitchen", 7), LUDIC_OK);
	cr_assert_eq(ludic_event_add_item_string(ev, lines_f, a, L("tags"), "sustainable", 11), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_int(ev, lines_f, a, L("quantity"), 3), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_int(ev, lines_f, b, L("quantity"), 1), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_int(ev, lines_f, a, L("unit_price"), 249), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_int(ev, lines_f, b, L("unit_price"), 1290), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_int(ev, lines_f, a, L("price"), 747), LUDIC_OK);
	cr_assert_eq(ludic_event_set_item_int(ev, lines_f, b, L("price"), 1161), LUDIC_OK);
	cr_assert_eq(ludic_event_set_int(ev, F("total"), 1908), LUDIC_OK);
	cr_assert_eq(ludic_event_set_choice(ev, F("channel"), "web"), LUDIC_OK);
	cr_assert_eq(ludic_event_set_choice(ev, F("payment"), "mobile_wallet"), LUDIC_OK);
	cr_assert_eq(ludic_event_set_choice(ev, F("checkout"), "click_collect"), LUDIC_OK);
	cr_assert_eq(ludic_event_set_string(ev, F("store"), "S01", 3), LUDIC_OK);
	cr_assert_eq(ludic_event_set_string(ev, F("region"), "north", 5), LUDIC_OK);
	cr_assert_eq(ludic_event_set_int(ev, F("pickup"), 3600), LUDIC_OK);
#undef F
#undef L
}

Test(embed_api, typed_purchase_gives_the_json_purchase_effects)
{
	ludic_program *p = retailer();
	lines lj, lt;
	ludic_engine *ej = collecting(p, &lj), *et = collecting(p, &lt);
	cr_assert_eq(ludic_engine_push_json(ej, PURCHASE_JSON, strlen(PURCHASE_JSON), 1), LUDIC_APPLIED, "%s",
		     lj.reject);
	ludic_event *ev = ludic_event_new(p);
	fill_purchase(p, ev);
	cr_assert_eq(ludic_engine_push(et, ev), LUDIC_APPLIED, "%s", lt.reject);
	cr_assert_gt(lj.n, 0, "the purchase earns points");
	cr_assert_eq(lt.n, lj.n);
	for (int i = 0; i < lj.n && i < 32; i++)
		cr_assert_str_eq(lt.text[i], lj.text[i]);
	/* pushing the same typed event again is a duplicate */
	cr_assert_eq(ludic_engine_push(et, ev), LUDIC_DUPLICATE);
	ludic_event_free(ev);
	ludic_engine_free(ej);
	ludic_engine_free(et);
	ludic_program_free(p);
}

Test(embed_api, typed_rejects_match_json_rejects)
{
	ludic_program *p = retailer();
	lines lj, lt;
	ludic_engine *ej = collecting(p, &lj), *et = collecting(p, &lt);
	ludic_event *ev = ludic_event_new(p);
	int visit = ludic_program_event_type(p, "visit");

	/* a required field missing */
	const char *j = "{\"type\":\"visit\",\"id\":\"v1\",\"customer\":\"c\",\"at\":\"2027-03-06T12:00:00Z\",\"store\":\"S\"}";
	cr_assert_eq(ludic_engine_push_json(ej, j, strlen(j), 1), LUDIC_REJECTED);
	ludic_event_reset(ev, visit);
	ludic_event_set_string(ev, 0, "v1", 2);
	ludic_event_set_string(ev, 1, "c", 1);
	ludic_event_set_int(ev, 2, 1804334400);
	ludic_event_set_string(ev, ludic_program_field(p, visit, -1, "store"), "S", 1);
	cr_assert_eq(ludic_engine_push(et, ev), LUDIC_REJECTED);
	cr_assert(strncmp(lj.reject, "missing|region|the `visit` event has no `region`; it is required: ", 66) == 0, "%s",
		  lj.reject);
	cr_assert(strncmp(lt.reject, "missing|region|the `visit` event has no `region`; it is required: ", 66) == 0, "%s",
		  lt.reject);
	cr_assert(strstr(lt.reject, "ludic_event_set_string"), "the typed message says how to set it: %s", lt.reject);

	/* an unknown choice: same code, field and message */
	j = "{\"type\":\"redemption\",\"id\":\"r1\",\"customer\":\"c\",\"at\":\"2027-03-06T12:00:00Z\",\"item\":\"Free "
	    "delivery\",\"channel\":\"stor\",\"store\":\"S\"}";
	cr_assert_eq(ludic_engine_push_json(ej, j, strlen(j), 1), LUDIC_REJECTED);
	int red = ludic_program_event_type(p, "redemption");
	ludic_event_reset(ev, red);
	ludic_event_set_string(ev, 0, "r1", 2);
	ludic_event_set_string(ev, 1, "c", 1);
	ludic_event_set_int(ev, 2, 1804334400);
	ludic_event_set_string(ev, ludic_program_field(p, red, -1, "item"), "Free delivery", 13);
	cr_assert_eq(ludic_event_set_choice(ev, ludic_program_field(p, red, -1, "channel"), "stor"), LUDIC_OK);
	ludic_event_set_string(ev, ludic_program_field(p, red, -1, "store"), "S", 1);
	cr_assert_eq(ludic_engine_push(et, ev), LUDIC_REJECTED);
	cr_assert_str_eq(lt.reject, "unknown-value|channel|`channel` has no choice \"stor\": did you mean \"store\"? The "
				    "choices of `channel` are store, web, app|r1");
	/* the JSON reject has no event id (the line was not decoded) */
	cr_assert_str_eq(lj.reject, "unknown-value|channel|`channel` has no choice \"stor\": did you mean \"store\"? The "
				    "choices of `channel` are store, web, app|");

	/* an empty customer, and an empty id */
	ludic_event_reset(ev, visit);
	ludic_event_set_string(ev, 0, "v2", 2);
	ludic_event_set_string(ev, 1, "", 0);
	ludic_event_set_int(ev, 2, 1804334400);
	cr_assert_eq(ludic_engine_push(et, ev), LUDIC_REJECTED);
	cr_assert(strncmp(lt.reject, "bad-value|customer|`customer` is empty", 38) == 0, "%s", lt.reject);
	ludic_event_reset(ev, visit);
	ludic_event_set_string(ev, 0, "", 0);
	cr_assert_eq(ludic_engine_push(et, ev), LUDIC_REJECTED);
	cr_assert(strncmp(lt.reject, "no-id|id|`id` is empty", 22) == 0, "%s", lt.reject);
	/* no `at` */
	ludic_event_reset(ev, visit);
	ludic_event_set_string(ev, 0, "v3", 2);
	cr_assert_eq(ludic_engine_push(et, ev), LUDIC_REJECTED);
	cr_assert(strncmp(lt.reject, "bad-at|at|the event has no `at`", 31) == 0, "%s", lt.reject);
	/* text that is not UTF-8 */
	ludic_event_reset(ev, visit);
	ludic_event_set_string(ev, 0, "v4", 2);
	ludic_event_set_int(ev, 2, 1804334400);
	ludic_event_set_string(ev, ludic_program_field(p, visit, -1, "store"), "caf\xe9", 4);
	cr_assert_eq(ludic_engine_push(et, ev), LUDIC_REJECTED);
	cr_assert(strncmp(lt.reject, "utf8|store|", 11) == 0, "%s", lt.reject);
	ludic_engine_stats st;
	ludic_engine_stats_get(et, &st);
	cr_assert_eq(st.rejected, 6);
	cr_assert_eq(st.customers, 0);
	ludic_event_free(ev);
	ludic_engine_free(ej);
	ludic_engine_free(et);
	ludic_program_free(p);
}

/* ---- times ---- */

Test(embed_api, times_in_the_programs_zone)
{
	long long t = 0;
	char why[160] = "";
	cr_assert_eq(ludic_time_parse("2027-03-28T01:00:00Z", 20, &t, why, sizeof why), LUDIC_OK);
	cr_assert_eq(t, 1806195600LL); /* 2027-03-28: day 20905 since 1970, x 86,400, + 1 h */
	cr_assert_eq(ludic_time_parse("2027-02-29T00:00:00Z", 20, &t, why, sizeof why), LUDIC_ERR_USAGE);
	cr_assert(why[0] != 0, "a reason is given");
	cr_assert_eq(ludic_time_parse(NULL, 0, &t, NULL, 0), LUDIC_ERR_USAGE);

	/* The retailer's zone is Europe/Paris: clocks go from +01:00 to +02:00
	 * at 01:00 UTC on the last Sunday of March 2027 (the 28th). */
	ludic_program *p = retailer();
	char buf[40];
	cr_assert_eq(ludic_program_format_time(p, 1806195600LL - 1, false, buf, sizeof buf), 25);
	cr_assert_str_eq(buf, "2027-03-28T01:59:59+01:00");
	ludic_program_format_time(p, 1806195600LL, false, buf, sizeof buf);
	cr_assert_str_eq(buf, "2027-03-28T03:00:00+02:00");
	cr_assert_eq(ludic_program_format_time(p, 1806195600LL, true, buf, sizeof buf), 10);
	cr_assert_str_eq(buf, "2027-03-28");
	/* 23:30 UTC on 31 March is already 1 April in Paris */
	ludic_program_format_time(p, 1806195600LL + 3 * 86400 + 22 * 3600 + 1800, true, buf, sizeof buf);
	cr_assert_str_eq(buf, "2027-04-01");
	/* cut to the buffer, the length of the whole text returned */
	char small[8];
	cr_assert_eq(ludic_program_format_time(p, 1806195600LL, false, small, sizeof small), 25);
	cr_assert_str_eq(small, "2027-03");
	ludic_program_free(p);
}
