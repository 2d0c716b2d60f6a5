/* test_effects.c — effects out (runtime/effects.c): every kind converted
 * from the program's indices to names and written as JSON, checked against
 * the format of docs/embedding.md written out by hand; JSON escaping of any
 * bytes; the zone's offset in `at` (winter and summer in Europe/Paris);
 * notify arguments of every kind; the snprintf-like contract of
 * ludic_effect_to_json.
 *
 * The names come from the real retailer program (examples/retailer), checked
 * by the compiler; no lowering is needed, so these tests do not depend on
 * the VM. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile.h"
#include "engine.h"

static compilation *comp;
static rt_schema *schema;
static clk_zone *paris;
static rt_names names;
static rt_fx_scratch scratch;

static int32_t index_of_rule(const char *name)
{
	for (uint32_t i = 0; i < comp->result->nrules; i++)
		if (strcmp(comp->result->rules[i]->name, name) == 0)
			return (int32_t)i;
	cr_assert_fail("no rule %s", name);
	return -1;
}

#define FIND(table, n, nm)                                                                                  \
	({                                                                                                  \
		int32_t k_ = -1;                                                                            \
		for (uint32_t i_ = 0; i_ < comp->result->n; i_++)                                           \
			if (strcmp(comp->result->table[i_]->name, (nm)) == 0)                               \
				k_ = (int32_t)i_;                                                           \
		cr_assert_geq(k_, 0, "no %s", (nm));                                                        \
		k_;                                                                                         \
	})

/* A file of the source tree: LUDIC_SOURCE_DIR when set, else found from
 * this file's own path (meson compiles it as ../tests/unit/...). */
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

static void setup(void)
{
	comp = cmp_new();
	cr_assert_not_null(cmp_add_file(comp, path_of("examples/retailer/base.ludic"), false));
	cmp_check(comp);
	cr_assert(comp->result->ok, "the retailer program checks clean");
	schema = rt_schema_build(comp->result);
	cr_assert_not_null(schema);
	paris = clk_zone_load("Europe/Paris", NULL);
	cr_assert_not_null(paris);
	/* "Zero wait" is changed by experiment 0 ("Zero-wait amount"),
	 * "Spring garden" by experiment 1 ("Spring challenge") */
	uint64_t *exps = calloc(comp->result->nrules, sizeof *exps);
	exps[index_of_rule("Zero wait")] = 1;
	exps[index_of_rule("Spring garden")] = 2;
	cr_assert(rt_names_init(&names, comp->result, schema, paris, exps));
	free(exps);
	memset(&scratch, 0, sizeof scratch);
}

static void teardown(void)
{
	rt_fx_scratch_free(&scratch);
	rt_names_free(&names);
	clk_zone_free(paris);
	rt_schema_free(schema);
	cmp_drop(comp);
}

TestSuite(effects, .init = setup, .fini = teardown);

/* 2027-03-05T13:00:00Z: 14:00 in Paris (winter, +01:00). */
#define T_WINTER INT64_C(1804251600)
/* 2027-07-01T10:00:00Z: 12:00 in Paris (summer, +02:00). */
#define T_SUMMER INT64_C(1814436000)

static rt_effect base_fx(rt_fx_kind kind)
{
	rt_effect fx;
	memset(&fx, 0, sizeof fx);
	fx.kind = kind;
	fx.who = (rt_str){"c1", 2};
	fx.wallet = fx.badge = fx.ladder = fx.rung = fx.previous = fx.rule = fx.step = fx.item = -1;
	fx.event_id = (rt_str){"e1", 2};
	fx.at = T_WINTER;
	return fx;
}

/* Converts and writes `fx` as JSON; returns a static copy. */
static const char *json_of(const rt_effect *fx, const uint16_t *variants)
{
	static char buf[2048];
	ludic_effect out;
	rt_fx_convert(&names, fx, variants, &scratch, &out);
	size_t n = ludic_effect_to_json(&out, buf, sizeof buf);
	cr_assert_lt(n, sizeof buf);
	cr_assert_eq(n, strlen(buf));
	return buf;
}

Test(effects, kind_names_are_the_json_names)
{
	cr_assert_str_eq(ludic_effect_kind_name(LUDIC_EFFECT_AWARD), "award");
	cr_assert_str_eq(ludic_effect_kind_name(LUDIC_EFFECT_MISSION_STEP), "mission_step");
	cr_assert_str_eq(ludic_effect_kind_name(LUDIC_EFFECT_MISSION_COMPLETE), "mission_complete");
	cr_assert_str_eq(ludic_effect_kind_name(LUDIC_EFFECT_REFUSAL), "refusal");
	cr_assert_str_eq(ludic_effect_kind_name(LUDIC_EFFECT_KIND_COUNT), "unknown");
	cr_assert_str_eq(ludic_effect_kind_name((ludic_effect_kind)-1), "unknown");
	for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++)
		for (int j = 0; j < k; j++)
			cr_assert_str_neq(ludic_effect_kind_name(k), ludic_effect_kind_name(j));
}

Test(effects, award_with_variant_in_winter)
{
	rt_effect fx = base_fx(RT_FX_AWARD);
	fx.wallet = FIND(wallets, nwallets, "points");
	fx.amount = 120;
	fx.balance = 340;
	fx.pending = 45; /* `points` has a pending period (14 days): its effects say what waits */
	fx.rule = index_of_rule("Base earn");
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"award\",\"customer\":\"c1\",\"wallet\":\"points\",\"amount\":120,\"balance\":340,"
			 "\"pending\":45,\"rule\":\"Base earn\",\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
	/* the rule an experiment changes carries the customer's variant */
	uint16_t variants[2] = {1, 0};
	fx.rule = index_of_rule("Zero wait");
	fx.amount = 8;
	cr_assert_str_eq(json_of(&fx, variants),
			 "{\"kind\":\"award\",\"customer\":\"c1\",\"wallet\":\"points\",\"amount\":8,\"balance\":340,"
			 "\"pending\":45,\"rule\":\"Zero wait\",\"event\":\"e1\",\"variant\":{\"Zero-wait amount\":\"generous\"},"
			 "\"at\":\"2027-03-05T14:00:00+01:00\"}");
	ludic_effect out;
	rt_fx_convert(&names, &fx, variants, &scratch, &out);
	cr_assert_str_eq(out.variants, "Zero-wait amount=generous");
	cr_assert_eq(out.utc_offset, 3600);
	cr_assert(out.has_pending);
	cr_assert_eq(out.pending, 45);
}

/* A wallet without a pending period: no `pending` key, and 0 in the struct
 * whatever the program's effect held; with one, the key comes right after
 * `balance`, also when nothing waits (0). */
Test(effects, pending_only_for_wallets_with_a_pending_period)
{
	const rt_fx_kind kinds[] = {RT_FX_AWARD, RT_FX_DEBIT, RT_FX_EXPIRE, RT_FX_REVERSE, RT_FX_RELEASE, RT_FX_REDEMPTION};
	const char *kn[] = {"award", "debit", "expire", "reverse", "release", "redemption"};
	for (int i = 0; i < 6; i++) {
		rt_effect fx = base_fx(kinds[i]);
		fx.wallet = FIND(wallets, nwallets, "eco");
		fx.amount = 3;
		fx.balance = 9;
		fx.pending = 4;
		fx.event_id = (rt_str){NULL, 0};
		char want[256];
		snprintf(want, sizeof want,
			 "{\"kind\":\"%s\",\"customer\":\"c1\",\"wallet\":\"eco\",\"amount\":3,\"balance\":9,"
			 "\"at\":\"2027-03-05T14:00:00+01:00\"}",
			 kn[i]);
		cr_assert_str_eq(json_of(&fx, NULL), want);
		ludic_effect out;
		rt_fx_convert(&names, &fx, NULL, &scratch, &out);
		cr_assert(!out.has_pending);
		cr_assert_eq(out.pending, 0);

		fx.wallet = FIND(wallets, nwallets, "points");
		fx.pending = kinds[i] == RT_FX_RELEASE ? 0 : 4;
		snprintf(want, sizeof want,
			 "{\"kind\":\"%s\",\"customer\":\"c1\",\"wallet\":\"points\",\"amount\":3,\"balance\":9,"
			 "\"pending\":%d,\"at\":\"2027-03-05T14:00:00+01:00\"}",
			 kn[i], kinds[i] == RT_FX_RELEASE ? 0 : 4);
		cr_assert_str_eq(json_of(&fx, NULL), want);
	}
	/* a refusal names a wallet but moves nothing: no balance, no pending */
	rt_effect fx = base_fx(RT_FX_REFUSAL);
	fx.item = FIND(items, nitems, "Free delivery");
	fx.wallet = FIND(wallets, nwallets, "points");
	fx.balance = 120;
	fx.pending = 50;
	fx.reason = RT_REFUSE_BALANCE;
	cr_assert_null(strstr(json_of(&fx, NULL), "pending"));
}

Test(effects, summer_time_offset)
{
	rt_effect fx = base_fx(RT_FX_BADGE);
	fx.badge = FIND(badges, nbadges, "critic");
	fx.rule = index_of_rule("Review");
	fx.at = T_SUMMER;
	cr_assert_str_eq(json_of(&fx, NULL), "{\"kind\":\"badge\",\"customer\":\"c1\",\"badge\":\"critic\",\"rule\":\"Review\","
					     "\"event\":\"e1\",\"at\":\"2027-07-01T12:00:00+02:00\"}");
}

Test(effects, staff_award)
{
	rt_effect fx = base_fx(RT_FX_AWARD);
	fx.staff = true;
	fx.who = (rt_str){"s7", 2};
	fx.wallet = FIND(wallets, nwallets, "kudos");
	fx.amount = 1;
	fx.balance = 12;
	fx.rule = index_of_rule("Service star");
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"award\",\"staff\":\"s7\",\"wallet\":\"kudos\",\"amount\":1,\"balance\":12,"
			 "\"rule\":\"Service star\",\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
}

Test(effects, wallet_kinds_of_time_passing)
{
	/* expiry and release happen when a day begins: no event, no rule */
	const rt_fx_kind kinds[] = {RT_FX_EXPIRE, RT_FX_RELEASE, RT_FX_DEBIT, RT_FX_REVERSE};
	const char *names_[] = {"expire", "release", "debit", "reverse"};
	for (int i = 0; i < 4; i++) {
		rt_effect fx = base_fx(kinds[i]);
		fx.wallet = FIND(wallets, nwallets, "eco");
		fx.amount = 7;
		fx.balance = 0;
		fx.event_id = (rt_str){NULL, 0};
		fx.at = INT64_C(1804201200); /* 2027-03-05T00:00:00+01:00: the day's start */
		char want[256];
		snprintf(want, sizeof want,
			 "{\"kind\":\"%s\",\"customer\":\"c1\",\"wallet\":\"eco\",\"amount\":7,\"balance\":0,"
			 "\"at\":\"2027-03-05T00:00:00+01:00\"}",
			 names_[i]);
		cr_assert_str_eq(json_of(&fx, NULL), want);
	}
}

Test(effects, tier_and_level)
{
	rt_effect fx = base_fx(RT_FX_TIER);
	fx.ladder = FIND(ladders, nladders, "status");
	fx.rung = 1;
	fx.previous = 0;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"tier\",\"customer\":\"c1\",\"ladder\":\"status\",\"tier\":\"silver\","
			 "\"previous\":\"bronze\",\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
	fx = base_fx(RT_FX_LEVEL);
	fx.ladder = FIND(ladders, nladders, "rank");
	fx.rung = 1;
	fx.previous = 0;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"level\",\"customer\":\"c1\",\"ladder\":\"rank\",\"level\":\"sprout\","
			 "\"previous\":\"seedling\",\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
}

Test(effects, missions_and_streaks)
{
	rt_effect fx = base_fx(RT_FX_MISSION_STEP);
	fx.rule = index_of_rule("Discover the brand");
	fx.step = 1;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"mission_step\",\"customer\":\"c1\",\"mission\":\"Discover the brand\","
			 "\"step\":\"Try the app\",\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
	fx.kind = RT_FX_MISSION_COMPLETE;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"mission_complete\",\"customer\":\"c1\",\"mission\":\"Discover the brand\","
			 "\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
	fx = base_fx(RT_FX_STREAK);
	fx.rule = index_of_rule("Weekly regular");
	fx.length = 4;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"streak\",\"customer\":\"c1\",\"streak\":\"Weekly regular\",\"length\":4,"
			 "\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
}

Test(effects, notify_with_money)
{
	rt_effect fx = base_fx(RT_FX_NOTIFY);
	fx.rule = index_of_rule("We miss you");
	fx.template_name = "winback-10";
	rt_fx_arg arg = {.key = "discount", .kind = RT_MONEY, .v = 1000, .en = -1, .ladder = -1};
	fx.args = &arg;
	fx.nargs = 1;
	fx.event_id = (rt_str){NULL, 0};
	fx.at = INT64_C(1804201200);
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"notify\",\"customer\":\"c1\",\"template\":\"winback-10\","
			 "\"args\":{\"discount\":\"10.00 EUR\"},\"rule\":\"We miss you\","
			 "\"at\":\"2027-03-05T00:00:00+01:00\"}");
}

Test(effects, notify_arguments_of_every_kind)
{
	int32_t channel = -1;
	for (uint32_t i = 0; i < schema->nenums; i++)
		if (strcmp(schema->enums[i].name, "channel") == 0)
			channel = (int32_t)i;
	cr_assert_geq(channel, 0);
	rt_fx_arg args[] = {
		{.key = "n", .kind = RT_COUNT, .v = -42, .en = -1, .ladder = -1},
		{.key = "x", .kind = RT_NUMBER, .v = 15000, .en = -1, .ladder = -1},
		{.key = "y", .kind = RT_NUMBER, .v = -2500, .en = -1, .ladder = -1},
		{.key = "m", .kind = RT_MONEY, .v = -450, .en = -1, .ladder = -1},
		{.key = "d", .kind = RT_DURATION, .v = 30 * 86400, .en = -1, .ladder = -1},
		{.key = "h", .kind = RT_DURATION, .v = 3600, .en = -1, .ladder = -1},
		{.key = "date", .kind = RT_DATE, .v = 20882, .en = -1, .ladder = -1},
		{.key = "when", .kind = RT_TIMESTAMP, .v = T_SUMMER, .en = -1, .ladder = -1},
		{.key = "s", .kind = RT_STRING, .s = {"say \"hi\"", 8}, .en = -1, .ladder = -1},
		{.key = "c", .kind = RT_ENUM, .v = 2, .en = channel, .ladder = -1},
		{.key = "tier", .kind = RT_COUNT, .v = 2, .en = -1, .ladder = FIND(ladders, nladders, "status")},
		{.key = "b", .kind = RT_BOOL, .v = 1, .en = -1, .ladder = -1},
	};
	rt_effect fx = base_fx(RT_FX_NOTIFY);
	fx.template_name = "t";
	fx.args = args;
	fx.nargs = sizeof args / sizeof args[0];
	/* 20882 days after 1970-01-01 is 2027-03-05 */
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"notify\",\"customer\":\"c1\",\"template\":\"t\",\"args\":{\"n\":\"-42\","
			 "\"x\":\"1.5\",\"y\":\"-0.25\",\"m\":\"-4.50 EUR\",\"d\":\"30 days\",\"h\":\"1 hour\","
			 "\"date\":\"2027-03-05\",\"when\":\"2027-07-01T12:00:00+02:00\",\"s\":\"say \\\"hi\\\"\","
			 "\"c\":\"app\",\"tier\":\"gold\",\"b\":\"true\"},\"event\":\"e1\","
			 "\"at\":\"2027-03-05T14:00:00+01:00\"}");
}

Test(effects, redemption_and_refusals)
{
	rt_effect fx = base_fx(RT_FX_REDEMPTION);
	fx.item = FIND(items, nitems, "Free delivery");
	fx.wallet = FIND(wallets, nwallets, "points");
	fx.amount = 200;
	fx.balance = 100;
	fx.pending = 30;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"redemption\",\"customer\":\"c1\",\"item\":\"Free delivery\",\"wallet\":\"points\","
			 "\"amount\":200,\"balance\":100,\"pending\":30,\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
	fx = base_fx(RT_FX_REFUSAL);
	fx.item = FIND(items, nitems, "Free delivery");
	fx.wallet = FIND(wallets, nwallets, "points");
	fx.balance = 120;
	fx.reason = RT_REFUSE_BALANCE;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"refusal\",\"customer\":\"c1\",\"item\":\"Free delivery\","
			 "\"reason\":\"balance too small: have 120 points, the reward costs 200\",\"event\":\"e1\","
			 "\"at\":\"2027-03-05T14:00:00+01:00\"}");
	fx.item = -1;
	fx.item_name = (rt_str){"Gold bar", 8};
	fx.reason = RT_REFUSE_UNKNOWN_ITEM;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"refusal\",\"customer\":\"c1\",\"item\":\"Gold bar\",\"reason\":\"unknown reward\","
			 "\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
	fx.item = FIND(items, nitems, "Private workshop");
	fx.reason = RT_REFUSE_NOT_ELIGIBLE;
	cr_assert_str_eq(json_of(&fx, NULL),
			 "{\"kind\":\"refusal\",\"customer\":\"c1\",\"item\":\"Private workshop\","
			 "\"reason\":\"not available\",\"event\":\"e1\",\"at\":\"2027-03-05T14:00:00+01:00\"}");
}

Test(effects, strings_are_copied_and_survive_growth)
{
	/* an id far larger than the first scratch buffer: the conversion
	 * grows its buffer, and every string still reads right */
	static char big[5000];
	memset(big, 'x', sizeof big);
	rt_effect fx = base_fx(RT_FX_BADGE);
	fx.badge = 0;
	fx.who = (rt_str){big, sizeof big};
	fx.event_id = (rt_str){"e-big", 5};
	ludic_effect out;
	rt_fx_convert(&names, &fx, NULL, &scratch, &out);
	cr_assert_eq(strlen(out.customer), sizeof big);
	cr_assert_str_eq(out.event_id, "e-big");
	cr_assert_str_eq(out.badge, comp->result->badges[0]->name);
}

/* ---- JSON writing of a hand-made ludic_effect ---- */

static ludic_effect plain(void)
{
	ludic_effect fx;
	memset(&fx, 0, sizeof fx);
	fx.kind = LUDIC_EFFECT_BADGE;
	fx.customer = "c1";
	fx.badge = "b";
	fx.at = 0;
	return fx;
}

Test(effects_json, escapes_every_awkward_byte)
{
	ludic_effect fx = plain();
	/* quote, backslash, newline, tab, CR, BS, FF, 0x01, 0x1f, DEL, é,
	 * a lone byte 0xFF, a cut sequence, U+2028, an emoji */
	fx.customer = "a\"b\\c\nd\te\rf\bg\fh\x01i\x1fj\x7fk\xc3\xa9l\xffm\xe2\x82n\xe2\x80\xa8o\xf0\x9f\x98\x80";
	char buf[512];
	ludic_effect_to_json(&fx, buf, sizeof buf);
	cr_assert_str_eq(buf, "{\"kind\":\"badge\",\"customer\":\"a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\\u0001i\\u001fj\x7fk"
			      "\xc3\xa9l\\ufffdm\\ufffd\\ufffdn\\u2028o\xf0\x9f\x98\x80\",\"badge\":\"b\","
			      "\"at\":\"1970-01-01T00:00:00Z\"}");
}

Test(effects_json, rejects_overlong_and_surrogate_utf8)
{
	ludic_effect fx = plain();
	fx.customer = "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80";
	char buf[256];
	ludic_effect_to_json(&fx, buf, sizeof buf);
	cr_assert(strstr(buf, "\"customer\":\"\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd\""),
		  "%s", buf);
}

Test(effects_json, variants_with_awkward_names)
{
	ludic_effect fx = plain();
	fx.variants = "A\\=B=x\\,y,Q=\"r\"";
	char buf[256];
	ludic_effect_to_json(&fx, buf, sizeof buf);
	cr_assert(strstr(buf, "\"variant\":{\"A=B\":\"x,y\",\"Q\":\"\\\"r\\\"\"}"), "%s", buf);
	/* malformed text still gives valid JSON */
	fx.variants = "lonely";
	ludic_effect_to_json(&fx, buf, sizeof buf);
	cr_assert(strstr(buf, "\"variant\":{\"lonely\":\"\"}"), "%s", buf);
}

Test(effects_json, behaves_like_snprintf)
{
	ludic_effect fx = plain();
	char full[256], cut[16];
	size_t n = ludic_effect_to_json(&fx, full, sizeof full);
	cr_assert_eq(n, strlen(full));
	size_t m = ludic_effect_to_json(&fx, cut, sizeof cut);
	cr_assert_eq(m, n, "the length the whole line needs");
	cr_assert_eq(strlen(cut), sizeof cut - 1);
	cr_assert(strncmp(cut, full, sizeof cut - 1) == 0);
	cr_assert_eq(ludic_effect_to_json(&fx, NULL, 0), n);
	cr_assert_eq(ludic_effect_to_json(&fx, cut, 0), n);
	cr_assert_eq(ludic_effect_to_json(NULL, full, sizeof full), 2);
	cr_assert_str_eq(full, "{}");
}

Test(effects_json, offsets_that_are_not_whole_hours)
{
	ludic_effect fx = plain();
	fx.at = INT64_C(1804251600);
	fx.utc_offset = 5 * 3600 + 1800;
	char buf[256];
	ludic_effect_to_json(&fx, buf, sizeof buf);
	cr_assert(strstr(buf, "\"at\":\"2027-03-05T18:30:00+05:30\""), "%s", buf);
	fx.utc_offset = -(3 * 3600 + 1800);
	ludic_effect_to_json(&fx, buf, sizeof buf);
	cr_assert(strstr(buf, "\"at\":\"2027-03-05T09:30:00-03:30\""), "%s", buf);
}

Test(effects_json, durations_in_words)
{
	char b[64];
	rt_format_duration(30 * 86400, b, sizeof b);
	cr_assert_str_eq(b, "30 days");
	rt_format_duration(86400, b, sizeof b);
	cr_assert_str_eq(b, "1 day");
	rt_format_duration(2 * 3600, b, sizeof b);
	cr_assert_str_eq(b, "2 hours");
	rt_format_duration(90 * 60, b, sizeof b);
	cr_assert_str_eq(b, "90 minutes");
	rt_format_duration(61, b, sizeof b);
	cr_assert_str_eq(b, "61 seconds");
	rt_format_duration(0, b, sizeof b);
	cr_assert_str_eq(b, "0 days");
}
