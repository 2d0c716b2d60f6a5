/* test_decode.c — unit tests of the run-time schema (runtime/schema.c) and
 * the JSON event decoder (runtime/decode.c).
 *
 * The schema comes from a real compilation: the standard library (`use
 * retail`) plus a few events of the test's own with every kind of field.
 * Test ids are criterion's suite/name: schema.*, value.* (each kind and its
 * boundaries), shape.* (optional, anonymous, unknown and duplicate keys,
 * lists, line ends), reject.* (every reason, with its exact message, field
 * and column), limit.*, memory.* (buffer reuse, no allocation in the steady
 * state), data.* (bench/gen.c and tools/realdata.py output, zero rejects).
 *
 * memory.steady_state counts allocations through the linker's --wrap
 * (meson.build links this test with -Wl,--wrap=malloc,...): every malloc,
 * calloc and realloc made by the library goes through the counters below.
 */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile.h"
#include "decode.h"
#include "schema.h"

/* ---- allocation counters (see the header comment) ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static long allocations;

void *__wrap_malloc(size_t n)
{
	allocations++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	allocations++;
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	allocations++;
	return __real_realloc(p, n);
}

/* ---- the schema under test ---- */

static const char PROGRAM[] = "program \"t\"\n"
			      "use retail\n"
			      "enum color { red, green, blue }\n"
			      "record item {\n  name: string\n  price: money\n  qty: count\n}\n"
			      "event one {\n"
			      "  b: bool optional\n  c: count optional\n  n: number optional\n  m: money optional\n"
			      "  d: duration optional\n  dt: date optional\n  ts: timestamp optional\n"
			      "  s: string optional\n  e: color optional\n  ls: list of string optional\n"
			      "  li: list of item optional\n  le: list of color optional\n  lm: list of money optional\n"
			      "  lc: list of count optional\n"
			      "}\n";

#define EVENTS "purchase, return, visit, app, signup, review, referral, redemption, one"

/* The checked program's schema; the compilation is gone when it returns. */
static rt_schema *build(const char *text)
{
	compilation c;
	cmp_init(&c);
	cmp_add_text(&c, "t.ludic", text, strlen(text), false);
	cmp_check(&c);
	cr_assert(!cmp_has_errors(&c), "the test program has errors");
	rt_schema *s = rt_schema_build(c.result);
	cmp_release(&c);
	cr_assert_not_null(s);
	return s;
}

static rt_schema *S;
static rt_decoder *D;
static rt_event EV;

static void setup(void)
{
	S = build(PROGRAM);
	D = rt_decoder_new(S);
	cr_assert_not_null(D);
}

static void teardown(void)
{
	rt_decoder_free(D);
	rt_schema_free(S);
}

TestSuite(schema, .init = setup, .fini = teardown);
TestSuite(value, .init = setup, .fini = teardown);
TestSuite(shape, .init = setup, .fini = teardown);
TestSuite(reject, .init = setup, .fini = teardown);
TestSuite(limit, .init = setup, .fini = teardown);
TestSuite(memory, .init = setup, .fini = teardown);
TestSuite(data, .init = setup, .fini = teardown);

/* ---- helpers ---- */

/* The head of a line of the event `one`: add ",FIELDS}" */
#define ONE "{\"type\":\"one\",\"id\":\"e1\",\"at\":\"2027-03-01T10:15:00Z\""
#define VISIT "{\"type\":\"visit\",\"id\":\"e1\",\"at\":\"2027-03-01T10:15:00Z\",\"store\":\"S01\",\"region\":\"north\""

static const rt_value *ok_n(const char *line, size_t len)
{
	rt_reject why = {0};
	rt_decode_status st = rt_decode_json(D, line, len, &EV, &why);
	cr_assert_eq(st, RT_DECODE_OK, "%s\n-> %s: %s", line, rt_reject_code_name(why.code), why.message);
	return EV.values;
}

static const rt_value *ok(const char *line)
{
	return ok_n(line, strlen(line));
}

static rt_reject rej_n(const char *line, size_t len)
{
	rt_reject why = {0};
	rt_decode_status st = rt_decode_json(D, line, len, &EV, &why);
	cr_assert_eq(st, RT_DECODE_REJECT, "%s\n-> status %d", line, st);
	return why;
}

static const rt_record *REC(void)
{
	return &S->records[EV.type];
}

static int32_t FIELD(const char *name)
{
	int32_t f = rt_schema_field(REC(), name, strlen(name));
	cr_assert(f >= 0, "no field %s in %s", name, REC()->name);
	return f;
}

static bool has(const rt_value *vals, const char *name)
{
	return rt_present(vals, (uint32_t)FIELD(name));
}

/* The value of field `name` of the event just decoded (it must be present). */
static const rt_value *V(const rt_value *vals, const char *name)
{
	cr_assert(has(vals, name), "field %s is absent", name);
	return rt_field(vals, (uint32_t)FIELD(name));
}

/* Decodes ONE + "," + fields + "}" and returns field `name` as an integer. */
static int64_t I(const char *fields, const char *name)
{
	char line[512];
	snprintf(line, sizeof line, ONE ",%s}", fields);
	return V(ok(line), name)->i;
}

static void expect_str(rt_str s, const char *want)
{
	cr_expect_eq(s.len, strlen(want), "length %u, want %zu (%s)", s.len, strlen(want), want);
	cr_expect(s.len == strlen(want) && memcmp(s.p, want, s.len) == 0, "got \"%.*s\", want \"%s\"", (int)s.len,
		  s.p, want);
	cr_expect_eq(s.p[s.len], 0, "not NUL-terminated");
}

/* ---- schema ---- */

Test(schema, records_match_the_checker)
{
	compilation c;
	cmp_init(&c);
	cmp_add_text(&c, "t.ludic", PROGRAM, strlen(PROGRAM), false);
	cmp_check(&c);
	const chk_result *r = c.result;
	cr_assert_eq(S->nrecords, r->nrecords);
	cr_assert_eq(S->nenums, r->nenums);
	for (uint32_t i = 0; i < r->nrecords; i++) {
		cr_expect_str_eq(S->records[i].name, r->records[i]->name);
		cr_expect_eq(S->records[i].nfields, r->records[i]->nfields);
		for (uint32_t f = 0; f < r->records[i]->nfields; f++)
			cr_expect_str_eq(S->records[i].fields[f].name, r->records[i]->fields[f].name);
	}
	cmp_release(&c);
}

Test(schema, events_and_fields)
{
	cr_expect_str_eq(S->currency, "EUR");
	cr_assert_eq(S->nevents, 9);
	int32_t p = rt_schema_event(S, "purchase", 8);
	cr_assert(p >= 0);
	const rt_record *pur = &S->records[p];
	cr_expect(pur->is_event && pur->decodable);
	cr_expect_eq(rt_schema_event(S, "line", 4), -1, "a record is not an event");
	cr_expect_eq(rt_schema_event(S, "purchas", 7), -1);
	cr_expect_eq(rt_schema_event(S, "purchasee", 9), -1);
	cr_expect_eq(rt_schema_event(S, "", 0), -1);

	/* implicit fields first, customer optional (anonymous sales) */
	cr_expect_str_eq(pur->fields[RT_FIELD_ID].name, "id");
	cr_expect_str_eq(pur->fields[RT_FIELD_CUSTOMER].name, "customer");
	cr_expect_str_eq(pur->fields[RT_FIELD_AT].name, "at");
	cr_expect(pur->fields[RT_FIELD_CUSTOMER].optional);
	cr_expect(!pur->fields[RT_FIELD_ID].optional && !pur->fields[RT_FIELD_AT].optional);
	cr_expect_eq(pur->fields[RT_FIELD_AT].kind, RT_TIMESTAMP);

	int32_t total = rt_schema_field(pur, "total", 5);
	cr_assert(total >= 0);
	cr_expect_eq(pur->fields[total].kind, RT_MONEY);
	cr_expect_str_eq(pur->fields[total].currency, "EUR", "library money is the program's currency");
	cr_expect_eq(pur->fields[total].exponent, 2);

	int32_t lines = rt_schema_field(pur, "lines", 5);
	cr_assert(lines >= 0);
	cr_expect_eq(pur->fields[lines].kind, RT_LIST);
	cr_assert(pur->fields[lines].elem_record >= 0);
	const rt_record *line = &S->records[pur->fields[lines].elem_record];
	cr_expect_str_eq(line->name, "line");
	cr_expect(!line->is_event && !line->decodable);
	int32_t tags = rt_schema_field(line, "tags", 4);
	cr_expect_eq(line->fields[tags].kind, RT_LIST);
	cr_expect_eq(line->fields[tags].elem_record, -1);
	cr_expect_eq(line->fields[tags].elem, RT_STRING);

	int32_t channel = rt_schema_field(pur, "channel", 7);
	cr_assert_eq(pur->fields[channel].kind, RT_ENUM);
	const rt_enum *en = &S->enums[pur->fields[channel].en];
	cr_expect_str_eq(en->name, "channel");
	cr_expect_eq(en->nmembers, 3);
	cr_expect_eq(rt_schema_member(en, "web", 3), 1);
	cr_expect_eq(rt_schema_member(en, "webb", 4), -1);

	int32_t staff = rt_schema_field(pur, "staff", 5);
	cr_expect(pur->fields[staff].optional);
	cr_expect_eq(pur->required & (UINT64_C(1) << staff), 0);
	cr_expect_neq(pur->required & (UINT64_C(1) << total), 0);
	cr_expect_eq(rt_schema_field(pur, "nope", 4), -1);
}

Test(schema, currency_exponents)
{
	static const struct {
		const char *code;
		uint8_t exponent;
	} cases[] = {{"EUR", 2}, {"JPY", 0}, {"BHD", 3}, {"GBP", 2}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[128];
		snprintf(text, sizeof text, "program \"t\"\ncurrency %s\nuse retail\n", cases[i].code);
		rt_schema *s = build(text);
		cr_expect_str_eq(s->currency, cases[i].code);
		const rt_record *pur = &s->records[rt_schema_event(s, "purchase", 8)];
		const struct rt_field *total = &pur->fields[rt_schema_field(pur, "total", 5)];
		cr_expect_str_eq(total->currency, cases[i].code);
		cr_expect_eq(total->exponent, cases[i].exponent, "%s", cases[i].code);
		rt_schema_free(s);
	}
}

Test(schema, only_visible_events)
{
	/* without `use retail`, the library's events are not decodable */
	rt_schema *s = build("program \"t\"\nevent ping {\n  n: count\n}\n");
	cr_expect_eq(s->nevents, 1);
	cr_expect_str_eq(s->events[0], "ping");
	cr_expect_eq(rt_schema_event(s, "purchase", 8), -1);
	rt_decoder *d = rt_decoder_new(s);
	rt_event ev;
	rt_reject why;
	const char *line = "{\"type\":\"purchase\",\"id\":\"1\",\"at\":\"2027-03-01T10:15:00Z\"}";
	cr_assert_eq(rt_decode_json(d, line, strlen(line), &ev, &why), RT_DECODE_REJECT);
	cr_expect_eq(why.code, RT_REJ_UNKNOWN_TYPE);
	cr_expect_str_eq(why.message, "the event `purchase` is in a library the program does not `use`: the events "
				      "of this program are ping");
	rt_decoder_free(d);
	rt_schema_free(s);
}

Test(schema, program_with_errors)
{
	compilation c;
	cmp_init(&c);
	const char *text = "program \"t\"\nevent e {\n  x: nosuchtype\n}\n";
	cmp_add_text(&c, "t.ludic", text, strlen(text), false);
	cmp_check(&c);
	cr_expect_null(rt_schema_build(c.result));
	cmp_release(&c);
	cr_expect_null(rt_schema_build(NULL));
	rt_schema_free(NULL);
	rt_decoder_free(NULL);
}

Test(schema, names)
{
	cr_expect_str_eq(rt_kind_name(RT_MONEY), "money");
	cr_expect_str_eq(rt_kind_name(RT_LIST), "list");
	static const char *const names[] = {"json",	     "not-object", "limit",	"no-type",   "unknown-type",
					    "no-id",	     "bad-at",	   "missing",	"wrong-type", "unknown-value",
					    "range",	     "decimals",   "bad-value", "utf8",	     "duplicate",
					    "unsupported", "nomem"};
	cr_assert_eq(sizeof names / sizeof *names, RT_REJ_COUNT);
	for (int i = 0; i < RT_REJ_COUNT; i++)
		cr_expect_str_eq(rt_reject_code_name((rt_reject_code)i), names[i]);
	cr_expect_str_eq(rt_reject_code_name(RT_REJ_COUNT), "?");
}

/* ---- values ---- */

Test(value, every_kind)
{
	const rt_value *v = ok(ONE ",\"customer\":\"c9\",\"b\":true,\"c\":-3,\"n\":2.5,\"m\":15.3,\"d\":\"PT37M\","
				   "\"dt\":\"2027-03-01\",\"ts\":\"2027-03-01T10:15:00+01:00\",\"s\":\"hello\",\"e\":\"blue\","
				   "\"ls\":[\"a\",\"bc\"],\"li\":[{\"name\":\"x\",\"price\":1.25,\"qty\":2}],"
				   "\"le\":[\"green\",\"red\"],\"lm\":[1.5,2],\"lc\":[7,-7]}");
	cr_assert_str_eq(REC()->name, "one");
	expect_str(V(v, "id")->s, "e1");
	expect_str(V(v, "customer")->s, "c9");
	cr_expect_eq(V(v, "at")->i, INT64_C(1803896100)); /* 2027-03-01T10:15:00Z */
	cr_expect_eq(V(v, "b")->i, 1);
	cr_expect_eq(V(v, "c")->i, -3);
	cr_expect_eq(V(v, "n")->i, 25000);
	cr_expect_eq(V(v, "m")->i, 1530);
	cr_expect_eq(V(v, "d")->i, 37 * 60);
	cr_expect_eq(V(v, "dt")->i, 20878); /* days since 1970-01-01 */
	cr_expect_eq(V(v, "ts")->i, INT64_C(1803896100) - 3600);
	expect_str(V(v, "s")->s, "hello");
	cr_expect_eq(V(v, "e")->i, 2);

	rt_list ls = V(v, "ls")->list;
	cr_assert_eq(ls.n, 2);
	cr_expect_eq(ls.stride, 1);
	expect_str(ls.items[0].s, "a");
	expect_str(ls.items[1].s, "bc");

	rt_list li = V(v, "li")->list;
	cr_assert_eq(li.n, 1);
	cr_expect_eq(li.stride, 4, "presence + name, price, qty");
	cr_expect_eq(li.items[0].i, 7, "all three present");
	expect_str(rt_field(li.items, 0)->s, "x");
	cr_expect_eq(rt_field(li.items, 1)->i, 125);
	cr_expect_eq(rt_field(li.items, 2)->i, 2);

	rt_list le = V(v, "le")->list;
	cr_assert_eq(le.n, 2);
	cr_expect_eq(le.items[0].i, 1);
	cr_expect_eq(le.items[1].i, 0);
	rt_list lm = V(v, "lm")->list;
	cr_assert_eq(lm.n, 2);
	cr_expect_eq(lm.items[0].i, 150);
	cr_expect_eq(lm.items[1].i, 200);
	rt_list lc = V(v, "lc")->list;
	cr_expect_eq(lc.items[0].i, 7);
	cr_expect_eq(lc.items[1].i, -7);
}

Test(value, money)
{
	cr_expect_eq(I("\"m\":15.3", "m"), 1530);
	cr_expect_eq(I("\"m\":15.30", "m"), 1530);
	cr_expect_eq(I("\"m\":15", "m"), 1500);
	cr_expect_eq(I("\"m\":0.01", "m"), 1);
	cr_expect_eq(I("\"m\":0", "m"), 0);
	cr_expect_eq(I("\"m\":-0", "m"), 0);
	cr_expect_eq(I("\"m\":0.0", "m"), 0);
	cr_expect_eq(I("\"m\":-4.5", "m"), -450, "refunds may be negative");
	cr_expect_eq(I("\"m\":1e2", "m"), 10000);
	cr_expect_eq(I("\"m\":1.5E+1", "m"), 1500);
	cr_expect_eq(I("\"m\":1e-2", "m"), 1);
	cr_expect_eq(I("\"m\":1250e-2", "m"), 1250);
	cr_expect_eq(I("\"m\":15.300000000000000000000", "m"), 1530, "trailing zeros are not decimals");
	cr_expect_eq(I("\"m\":0.00000000000000000000001e23", "m"), 100);
	cr_expect_eq(I("\"m\":999999999999999.99", "m"), INT64_C(99999999999999999));
	cr_expect_eq(I("\"m\":-999999999999999.9", "m"), -INT64_C(99999999999999990));
	cr_expect_eq(I("\"m\":92233720368547758.07", "m"), INT64_MAX);
	cr_expect_eq(I("\"m\":-92233720368547758.08", "m"), INT64_MIN);
}

Test(value, money_in_other_currencies)
{
	static const struct {
		const char *currency, *amount;
		int64_t minor;
	} good[] = {{"JPY", "1250", 1250}, {"JPY", "1250.0", 1250}, {"BHD", "1.234", 1234}, {"BHD", "1.2", 1200}};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		char text[128], line[256];
		snprintf(text, sizeof text, "program \"t\"\ncurrency %s\nuse retail\n", good[i].currency);
		rt_schema *s = build(text);
		rt_decoder *d = rt_decoder_new(s);
		snprintf(line, sizeof line, "{\"type\":\"redemption\",\"id\":\"1\",\"at\":\"2027-03-01T10:15:00Z\",\"item\":\"x\","
					    "\"channel\":\"web\",\"store\":\"w\"}");
		rt_event ev;
		rt_reject why;
		cr_assert_eq(rt_decode_json(d, line, strlen(line), &ev, &why), RT_DECODE_OK);
		snprintf(line, sizeof line, "{\"type\":\"return\",\"id\":\"1\",\"at\":\"2027-03-01T10:15:00Z\",\"action\":\"refund\","
					    "\"lines\":[],\"value\":%s,\"store\":\"w\",\"region\":\"r\"}", good[i].amount);
		cr_assert_eq(rt_decode_json(d, line, strlen(line), &ev, &why), RT_DECODE_OK, "%s", why.message);
		const rt_record *rec = &s->records[ev.type];
		cr_expect_eq(rt_field(ev.values, (uint32_t)rt_schema_field(rec, "value", 5))->i, good[i].minor, "%s %s",
			     good[i].amount, good[i].currency);
		rt_decoder_free(d);
		rt_schema_free(s);
	}
	static const struct {
		const char *currency, *amount, *message;
	} bad[] = {
		{"JPY", "12.5", "`value` is 12.5, but JPY has no decimals: send whole amounts"},
		{"BHD", "1.2345", "`value` is 1.2345, which has more decimals than BHD has (3): send amounts with at most 3 decimals"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[128], line[256];
		snprintf(text, sizeof text, "program \"t\"\ncurrency %s\nuse retail\n", bad[i].currency);
		rt_schema *s = build(text);
		rt_decoder *d = rt_decoder_new(s);
		snprintf(line, sizeof line, "{\"type\":\"return\",\"id\":\"1\",\"at\":\"2027-03-01T10:15:00Z\",\"action\":\"refund\","
					    "\"lines\":[],\"value\":%s,\"store\":\"w\",\"region\":\"r\"}", bad[i].amount);
		rt_event ev;
		rt_reject why;
		cr_assert_eq(rt_decode_json(d, line, strlen(line), &ev, &why), RT_DECODE_REJECT);
		cr_expect_eq(why.code, RT_REJ_DECIMALS);
		cr_expect_str_eq(why.message, bad[i].message);
		rt_decoder_free(d);
		rt_schema_free(s);
	}
}

Test(value, count)
{
	cr_expect_eq(I("\"c\":0", "c"), 0);
	cr_expect_eq(I("\"c\":42", "c"), 42);
	cr_expect_eq(I("\"c\":-42", "c"), -42);
	cr_expect_eq(I("\"c\":3.0", "c"), 3, "a whole number written with decimals");
	cr_expect_eq(I("\"c\":1e3", "c"), 1000);
	cr_expect_eq(I("\"c\":999999999999999999", "c"), INT64_C(999999999999999999));
	cr_expect_eq(I("\"c\":9223372036854775807", "c"), INT64_MAX);
	cr_expect_eq(I("\"c\":-9223372036854775808", "c"), INT64_MIN);
	cr_expect_eq(I("\"c\":9.223372036854775807e18", "c"), INT64_MAX);
}

Test(value, number)
{
	cr_expect_eq(I("\"n\":0.0001", "n"), 1);
	cr_expect_eq(I("\"n\":-0.0001", "n"), -1);
	cr_expect_eq(I("\"n\":2.5", "n"), 25000);
	cr_expect_eq(I("\"n\":7", "n"), 70000);
	cr_expect_eq(I("\"n\":1.23450", "n"), 12345);
	cr_expect_eq(I("\"n\":92233720368547", "n"), INT64_C(922337203685470000));
	cr_expect_eq(I("\"n\":922337203685477.5807", "n"), INT64_MAX);
	cr_expect_eq(I("\"n\":-922337203685477.5808", "n"), INT64_MIN);
}

Test(value, bool_and_enum)
{
	cr_expect_eq(I("\"b\":true", "b"), 1);
	cr_expect_eq(I("\"b\":false", "b"), 0);
	cr_expect_eq(I("\"e\":\"red\"", "e"), 0);
	cr_expect_eq(I("\"e\":\"blue\"", "e"), 2);
	cr_expect_eq(I("\"e\":\"\\u0067reen\"", "e"), 1, "escapes in a member name");
}

Test(value, strings)
{
	const rt_value *v = ok(ONE ",\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u20AC \\ud83d\\ude00 h\xc3\xa9 \xf0\x9f\x98\x80\"}");
	expect_str(V(v, "s")->s, "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 h\xc3\xa9 \xf0\x9f\x98\x80");
	v = ok(ONE ",\"s\":\"\"}");
	expect_str(V(v, "s")->s, "");
	v = ok(ONE ",\"s\":\"\\u007f\\u0001\\uFFFF\\uDBFF\\uDFFF\"}");
	expect_str(V(v, "s")->s, "\x7f\x01\xef\xbf\xbf\xf4\x8f\xbf\xbf");
}

Test(value, times)
{
	cr_expect_eq(I("\"d\":\"PT37M\"", "d"), 2220);
	cr_expect_eq(I("\"d\":\"P1DT12H\"", "d"), 36 * 3600);
	cr_expect_eq(I("\"d\":\"PT0S\"", "d"), 0);
	cr_expect_eq(I("\"dt\":\"1970-01-01\"", "dt"), 0);
	cr_expect_eq(I("\"dt\":\"1969-12-31\"", "dt"), -1);
	cr_expect_eq(I("\"dt\":\"2028-02-29\"", "dt"), 21243);
	cr_expect_eq(I("\"ts\":\"1970-01-01T00:00:00Z\"", "ts"), 0);
	cr_expect_eq(I("\"ts\":\"2027-03-01T10:15:00.999-02:30\"", "ts"), INT64_C(1803896100) + 9000);
}

/* ---- shapes ---- */

Test(shape, optional_fields)
{
	const rt_value *v = ok(ONE "}");
	cr_expect_eq(v[0].i, 5, "only id and at");
	cr_expect(!has(v, "m") && !has(v, "ls") && !has(v, "customer"));
	v = ok(ONE ",\"m\":null,\"ls\":null,\"s\":null,\"e\":null,\"li\":null,\"d\":null}");
	cr_expect_eq(v[0].i, 5, "null is absent");
	cr_expect_eq(rt_field(v, (uint32_t)FIELD("m"))->i, 0, "an absent field's value is zero");
	v = ok(ONE ",\"m\":0,\"ls\":[]}");
	cr_expect(has(v, "m") && has(v, "ls"));
	cr_expect_eq(V(v, "ls")->list.n, 0);
}

Test(shape, anonymous_events)
{
	const rt_value *v = ok(VISIT "}");
	cr_expect(!rt_present(v, RT_FIELD_CUSTOMER));
	v = ok(VISIT ",\"customer\":null}");
	cr_expect(!rt_present(v, RT_FIELD_CUSTOMER));
	v = ok(VISIT ",\"customer\":\"c1\"}");
	cr_expect(rt_present(v, RT_FIELD_CUSTOMER));
	expect_str(rt_field(v, RT_FIELD_CUSTOMER)->s, "c1");
}

Test(shape, unknown_keys_are_ignored)
{
	const rt_value *v = ok(VISIT ",\"source\":\"pos\",\"extra\":{\"a\":[1,2,{\"b\":null}],\"c\":{}},\"n\":-1.5e3,"
				     "\"t\":true,\"z\":null,\"source\":\"again\",\"w\":[]}");
	expect_str(V(v, "store")->s, "S01");
	expect_str(V(v, "region")->s, "north");
}

Test(shape, keys_in_any_order_and_escaped)
{
	const rt_value *v = ok("{\"region\":\"north\",\"at\":\"2027-03-01T10:15:00Z\",\"store\":\"S01\",\"id\":\"e1\","
			       "\"\\u0074ype\":\"visit\"}");
	cr_expect_str_eq(REC()->name, "visit");
	expect_str(V(v, "store")->s, "S01");
	v = ok("{\"type\":\"vis\\u0069t\",\"\\u0069d\":\"e2\",\"at\":\"2027-03-01T10:15:00Z\",\"st\\u006fre\":\"S02\","
	       "\"region\":\"north\"}");
	expect_str(V(v, "id")->s, "e2");
	expect_str(V(v, "store")->s, "S02");
}

Test(shape, blanks_and_line_ends)
{
	rt_event ev;
	rt_reject why;
	static const char *const empty[] = {"", "\n", "\r\n", "   \t  \n", "\xef\xbb\xbf\n"};
	for (size_t i = 0; i < sizeof empty / sizeof *empty; i++)
		cr_expect_eq(rt_decode_json(D, empty[i], strlen(empty[i]), &ev, &why), RT_DECODE_EMPTY, "case %zu", i);
	ok(VISIT "}\n");
	ok(VISIT "}\r\n");
	ok(" \t" VISIT " } \t\r\n");
	ok("\xef\xbb\xbf" VISIT "}");
	ok("{ \"type\" : \"visit\" , \"id\" : \"e1\" , \"at\" : \"2027-03-01T10:15:00Z\" , \"store\" : \"S\" ,\n"
	   "\"region\" : \"r\" , \"x\" : [ 1 , { } , [ ] ] }");
}

Test(shape, every_retail_event)
{
	static const char *const lines[] = {
		"{\"type\":\"purchase\",\"id\":\"p1\",\"customer\":\"c1\",\"at\":\"2027-03-01T10:15:00+01:00\","
		"\"lines\":[{\"sku\":\"P1\",\"category\":\"garden\",\"tags\":[\"sustainable\"],\"quantity\":2,"
		"\"unit_price\":4.5,\"price\":9}],\"total\":9,\"channel\":\"store\",\"payment\":\"mobile_wallet\","
		"\"checkout\":\"self_checkout\",\"store\":\"S01\",\"region\":\"north\",\"staff\":\"st1\",\"pickup\":\"PT5M\"}",
		"{\"type\":\"return\",\"id\":\"r1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:15:00Z\",\"action\":\"repair\","
		"\"lines\":[],\"value\":9,\"original\":\"p1\",\"store\":\"S01\",\"region\":\"north\"}",
		"{\"type\":\"visit\",\"id\":\"v1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:15:00Z\",\"store\":\"S\",\"region\":\"r\"}",
		"{\"type\":\"app\",\"id\":\"a1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:15:00Z\",\"action\":\"open\"}",
		"{\"type\":\"signup\",\"id\":\"s1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:15:00Z\",\"channel\":\"app\","
		"\"birthday\":\"1990-05-17\",\"region\":\"north\"}",
		"{\"type\":\"review\",\"id\":\"w1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:15:00Z\",\"sku\":\"P1\",\"rating\":5}",
		"{\"type\":\"referral\",\"id\":\"f1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:15:00Z\",\"friend\":\"c2\"}",
		"{\"type\":\"redemption\",\"id\":\"d1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:15:00Z\",\"item\":\"mug\","
		"\"channel\":\"web\",\"store\":\"web\"}",
	};
	static const char *const types[] = {"purchase", "return", "visit", "app", "signup", "review", "referral", "redemption"};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		const rt_value *v = ok(lines[i]);
		cr_expect_str_eq(REC()->name, types[i]);
		cr_expect_eq((uint64_t)v[0].i | REC()->required, (uint64_t)v[0].i, "%s: required fields present", types[i]);
	}
}

/* ---- rejects ---- */

/* One bad line: the reject it must give. `mark` is the text the column
 * points at (its first occurrence in the line), NULL for column 0. */
typedef struct bad_case {
	const char *line;
	size_t len;          /* 0: strlen(line) */
	rt_reject_code code;
	const char *field;   /* NULL: none */
	const char *mark;
	const char *message;
} bad_case;

static void check_bad(const bad_case *c, size_t i)
{
	size_t len = c->len ? c->len : strlen(c->line);
	rt_reject why = rej_n(c->line, len);
	cr_expect_eq(why.code, c->code, "case %zu (%s): code %s, want %s", i, c->line, rt_reject_code_name(why.code),
		     rt_reject_code_name(c->code));
	if (c->field)
		cr_expect(why.field && !strcmp(why.field, c->field), "case %zu (%s): field %s, want %s", i, c->line,
			  why.field ? why.field : "NULL", c->field);
	else
		cr_expect_null(why.field, "case %zu (%s): field %s, want none", i, c->line, why.field);
	uint32_t column = 0;
	if (c->mark) {
		size_t mlen = strlen(c->mark);
		const char *m = mlen ? memmem(c->line, len, c->mark, mlen) : memchr(c->line, 0, len);
		cr_assert_not_null(m, "case %zu: mark %s not in the line", i, c->mark);
		column = (uint32_t)(m - c->line) + 1;
	}
	cr_expect_eq(why.column, column, "case %zu (%s): column %u, want %u", i, c->line, why.column, column);
	cr_expect(!strcmp(why.message, c->message), "case %zu (%s):\n got: %s\nwant: %s", i, c->line, why.message,
		  c->message);
}

#define CHECK_ALL(cases)                                           \
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) \
	check_bad(&cases[i], i)

Test(reject, the_event)
{
	static const bad_case cases[] = {
		{"[1,2]", 0, RT_REJ_NOT_OBJECT, NULL, "[",
		 "the line is a list, not an object: each line must be one event, such as {\"type\": \"purchase\", \"id\": "
		 "\"...\", \"at\": \"...\", ...}"},
		{"  42", 0, RT_REJ_NOT_OBJECT, NULL, "42",
		 "the line is a number, not an object: each line must be one event, such as {\"type\": \"purchase\", "
		 "\"id\": \"...\", \"at\": \"...\", ...}"},
		{"\"x\"", 0, RT_REJ_NOT_OBJECT, NULL, "\"",
		 "the line is a string, not an object: each line must be one event, such as {\"type\": \"purchase\", "
		 "\"id\": \"...\", \"at\": \"...\", ...}"},
		{"null", 0, RT_REJ_NOT_OBJECT, NULL, "null",
		 "the line is null, not an object: each line must be one event, such as {\"type\": \"purchase\", \"id\": "
		 "\"...\", \"at\": \"...\", ...}"},
		{"{\"id\":\"e1\"}", 0, RT_REJ_NO_TYPE, NULL, "{",
		 "the event has no `type`: add \"type\" with the name of the event, such as \"type\": \"purchase\""},
		{"{\"type\":5}", 0, RT_REJ_NO_TYPE, "type", "5",
		 "`type` must be the name of an event in double quotes, such as \"purchase\", not a number (5)"},
		{"{\"type\":null}", 0, RT_REJ_NO_TYPE, "type", "null",
		 "`type` must be the name of an event in double quotes, such as \"purchase\", not null"},
		{"{\"type\":\"purchse\",\"id\":\"e1\"}", 0, RT_REJ_UNKNOWN_TYPE, "type", "\"purchse\"",
		 "unknown event type \"purchse\": did you mean \"purchase\"? The events of this program are " EVENTS},
		{"{\"type\":\"zzzzzz\"}", 0, RT_REJ_UNKNOWN_TYPE, "type", "\"zzzzzz\"",
		 "unknown event type \"zzzzzz\": the events of this program are " EVENTS},
		{"{\"type\":\"line\"}", 0, RT_REJ_UNKNOWN_TYPE, "type", "\"line\"",
		 "`line` is a record (a part of an event), not an event: the events of this program are " EVENTS},
		{"{\"type\":\"one\",  \"type\":\"one\"}", 0, RT_REJ_DUPLICATE, "type", "\"type\":\"one\"}",
		 "the key `type` appears twice: an event has one type"},
	};
	CHECK_ALL(cases);
}

Test(reject, id_and_at)
{
	static const bad_case cases[] = {
		{"{\"type\":\"visit\",\"at\":\"2027-03-01T10:15:00Z\",\"store\":\"s\",\"region\":\"r\"}", 0, RT_REJ_NO_ID,
		 "id", "{",
		 "the event has no `id`: add \"id\" with a unique text for each event (such as \"pos-17-000123\"), so "
		 "that it is applied exactly once"},
		{"{\"type\":\"visit\",\"id\":\"\",\"at\":\"2027-03-01T10:15:00Z\"}", 0, RT_REJ_NO_ID, "id", "\"\"",
		 "`id` is empty: give each event a unique text, such as \"pos-17-000123\""},
		{"{\"type\":\"visit\",\"id\":7}", 0, RT_REJ_NO_ID, "id", "7",
		 "`id` must be a string in double quotes, not a number (7)"},
		{"{\"type\":\"visit\",\"id\":null}", 0, RT_REJ_NO_ID, "id", "null",
		 "`id` is null, but it is required: give a unique text for each event, such as \"pos-17-000123\""},
		{"{\"type\":\"visit\",\"id\":\"e1\",\"store\":\"s\",\"region\":\"r\"}", 0, RT_REJ_BAD_AT, "at", "{",
		 "the event has no `at`: add the time it happened, such as \"at\": \"2027-03-01T10:15:00+01:00\" (RFC "
		 "3339, with its UTC offset)"},
		{"{\"type\":\"visit\",\"id\":\"e1\",\"at\":\"2027-02-30T10:15:00Z\"}", 0, RT_REJ_BAD_AT, "at", "30T",
		 "`at` is not a valid time: \"2027-02-30T10:15:00Z\": day 30 does not exist in February"},
		{"{\"type\":\"visit\",\"id\":\"e1\",\"at\":\"2027-03-01T10:15:00\"}", 0, RT_REJ_BAD_AT, "at", "\"}",
		 "`at` is not a valid time: \"2027-03-01T10:15:00\": missing UTC offset: add Z or +01:00"},
		{"{\"type\":\"visit\",\"id\":\"e1\",\"at\":1700000000}", 0, RT_REJ_BAD_AT, "at", "1700000000",
		 "`at` must be a time such as \"2027-03-01T10:15:00+01:00\" (RFC 3339, with its UTC offset), not a number "
		 "(1700000000)"},
		{"{\"type\":\"visit\",\"id\":\"e1\",\"at\":null}", 0, RT_REJ_BAD_AT, "at", "null",
		 "`at` is null, but it is required: give a time such as \"2027-03-01T10:15:00+01:00\" (RFC 3339, with its "
		 "UTC offset)"},
		{VISIT ",\"customer\":\"\"}", 0, RT_REJ_BAD_VALUE, "customer", "\"\"}",
		 "`customer` is empty: give the customer's id, or leave `customer` out (or null) for an anonymous event"},
		{VISIT ",\"customer\":42}", 0, RT_REJ_WRONG_TYPE, "customer", "42",
		 "`customer` must be a string in double quotes, not a number (42)"},
	};
	CHECK_ALL(cases);
}

Test(reject, fields)
{
	static const bad_case cases[] = {
		{"{\"type\":\"visit\",\"id\":\"e1\",\"at\":\"2027-03-01T10:15:00Z\",\"store\":\"s\"}", 0, RT_REJ_MISSING,
		 "region", "{", "the `visit` event has no `region`; it is required: a string in double quotes"},
		{"{\"type\":\"visit\",\"id\":\"e1\",\"at\":\"2027-03-01T10:15:00Z\",\"store\":\"s\",\"region\":null}", 0,
		 RT_REJ_MISSING, "region", "null", "`region` is null, but it is required: give a string in double quotes"},
		{ONE ",\"li\":[{\"name\":\"x\",\"price\":1}]}", 0, RT_REJ_MISSING, "li[0].qty", "{\"name\"",
		 "`li[0]` (`item`) has no `qty`; it is required: a whole number such as 3"},
		{ONE ",\"c\":1, \"c\":2}", 0, RT_REJ_DUPLICATE, "c", "\"c\":2",
		 "the key `c` appears twice in one object: keep one (the decoder does not guess which is right)"},
		{ONE ",\"li\":[{\"name\":\"x\",\"price\":1,\"qty\":1,\"name\":\"y\"}]}", 0, RT_REJ_DUPLICATE, "li[0].name",
		 "\"name\":\"y\"",
		 "the key `li[0].name` appears twice in one object: keep one (the decoder does not guess which is right)"},
	};
	CHECK_ALL(cases);
}

Test(reject, wrong_types)
{
	static const bad_case cases[] = {
		{ONE ",\"b\":\"true\"}", 0, RT_REJ_WRONG_TYPE, "b", "\"true\"",
		 "`b` must be true or false, not a string (\"true\"): write true or false, without quotes"},
		{ONE ",\"b\":1}", 0, RT_REJ_WRONG_TYPE, "b", "1}", "`b` must be true or false, not a number (1)"},
		{ONE ",\"c\":\"3\"}", 0, RT_REJ_WRONG_TYPE, "c", "\"3\"",
		 "`c` must be a whole number such as 3, not a string (\"3\"): write the number without quotes"},
		{ONE ",\"c\":true}", 0, RT_REJ_WRONG_TYPE, "c", "true", "`c` must be a whole number such as 3, not true"},
		{ONE ",\"n\":[]}", 0, RT_REJ_WRONG_TYPE, "n", "[]",
		 "`n` must be a number such as 2.5 (at most 4 decimals), not a list"},
		{ONE ",\"m\":\"15.30\"}", 0, RT_REJ_WRONG_TYPE, "m", "\"15.30\"",
		 "`m` must be money (EUR), a number such as 12.50, not a string (\"15.30\"): write the number without "
		 "quotes"},
		{ONE ",\"m\":\"15 EUR\"}", 0, RT_REJ_WRONG_TYPE, "m", "\"15 EUR\"",
		 "`m` must be money (EUR), a number such as 12.50, not a string (\"15 EUR\")"},
		{ONE ",\"s\":5}", 0, RT_REJ_WRONG_TYPE, "s", "5}", "`s` must be a string in double quotes, not a number (5)"},
		{ONE ",\"s\":{}}", 0, RT_REJ_WRONG_TYPE, "s", "{}", "`s` must be a string in double quotes, not an object"},
		{ONE ",\"e\":1}", 0, RT_REJ_WRONG_TYPE, "e", "1}",
		 "`e` must be one of \"red\", \"green\", \"blue\", not a number (1)"},
		{ONE ",\"d\":2220}", 0, RT_REJ_WRONG_TYPE, "d", "2220",
		 "`d` must be a duration such as \"PT37M\" (ISO 8601), not a number (2220)"},
		{ONE ",\"dt\":20270301}", 0, RT_REJ_WRONG_TYPE, "dt", "20270301",
		 "`dt` must be a date such as \"2027-03-01\", not a number (20270301)"},
		{ONE ",\"ts\":false}", 0, RT_REJ_WRONG_TYPE, "ts", "false",
		 "`ts` must be a time such as \"2027-03-01T10:15:00+01:00\" (RFC 3339, with its UTC offset), not false"},
		{ONE ",\"ls\":\"a\"}", 0, RT_REJ_WRONG_TYPE, "ls", "\"a\"",
		 "`ls` must be a list of strings, such as [\"a\", \"b\"], not a string (\"a\")"},
		{ONE ",\"lm\":{}}", 0, RT_REJ_WRONG_TYPE, "lm", "{}",
		 "`lm` must be a list of amounts of money (EUR), such as [12.50, 3], not an object"},
		{ONE ",\"le\":\"red\"}", 0, RT_REJ_WRONG_TYPE, "le", "\"red\"",
		 "`le` must be a list of choices among \"red\", \"green\", \"blue\", not a string (\"red\")"},
		{ONE ",\"li\":{\"name\":\"x\"}}", 0, RT_REJ_WRONG_TYPE, "li", "{\"name\"",
		 "`li` must be a list of `item` objects, such as [{...}, {...}], not an object"},
		{ONE ",\"ls\":[\"a\",null]}", 0, RT_REJ_WRONG_TYPE, "ls[1]", "null",
		 "`ls[1]` is null, but a list holds no nulls: remove it, or give a string in double quotes"},
		{ONE ",\"ls\":[\"a\",1]}", 0, RT_REJ_WRONG_TYPE, "ls[1]", "1]",
		 "`ls[1]` must be a string in double quotes, not a number (1)"},
		{ONE ",\"li\":[5]}", 0, RT_REJ_WRONG_TYPE, "li[0]", "5]",
		 "`li[0]` must be an object (`item`), such as {\"name\": ...}, not a number (5)"},
		{ONE ",\"li\":[null]}", 0, RT_REJ_WRONG_TYPE, "li[0]", "null",
		 "`li[0]` is null, but a list holds no nulls: remove it, or give an `item` object"},
		{ONE ",\"li\":[{\"name\":\"x\",\"price\":\"1\",\"qty\":1}]}", 0, RT_REJ_WRONG_TYPE, "li[0].price", "\"1\"",
		 "`li[0].price` must be money (EUR), a number such as 12.50, not a string (\"1\"): write the number "
		 "without quotes"},
	};
	CHECK_ALL(cases);
}

Test(reject, values)
{
	static const bad_case cases[] = {
		{ONE ",\"m\":15.305}", 0, RT_REJ_DECIMALS, "m", "15.305",
		 "`m` is 15.305, which has more decimals than EUR has (2): send amounts with at most 2 decimals"},
		{ONE ",\"m\":0.001}", 0, RT_REJ_DECIMALS, "m", "0.001",
		 "`m` is 0.001, which has more decimals than EUR has (2): send amounts with at most 2 decimals"},
		{ONE ",\"m\":1e-3}", 0, RT_REJ_DECIMALS, "m", "1e-3",
		 "`m` is 1e-3, which has more decimals than EUR has (2): send amounts with at most 2 decimals"},
		{ONE ",\"c\":3.5}", 0, RT_REJ_DECIMALS, "c", "3.5", "`c` must be a whole number: 3.5 has decimals"},
		{ONE ",\"c\":1e-1}", 0, RT_REJ_DECIMALS, "c", "1e-1", "`c` must be a whole number: 1e-1 has decimals"},
		{ONE ",\"n\":0.00001}", 0, RT_REJ_DECIMALS, "n", "0.00001",
		 "`n` is 0.00001, which has more than 4 decimals: numbers are exact to 4 decimals, round it"},
		{ONE ",\"c\":9223372036854775808}", 0, RT_REJ_RANGE, "c", "9223372036854775808",
		 "`c` is out of range: 9223372036854775808 does not fit in a count, which goes from -9223372036854775808 "
		 "to 9223372036854775807"},
		{ONE ",\"c\":-9223372036854775809}", 0, RT_REJ_RANGE, "c", "-9223372036854775809",
		 "`c` is out of range: -9223372036854775809 does not fit in a count, which goes from "
		 "-9223372036854775808 to 9223372036854775807"},
		{ONE ",\"c\":1e19}", 0, RT_REJ_RANGE, "c", "1e19",
		 "`c` is out of range: 1e19 does not fit in a count, which goes from -9223372036854775808 to "
		 "9223372036854775807"},
		{ONE ",\"c\":1e999999999999}", 0, RT_REJ_RANGE, "c", "1e999999999999",
		 "`c` is out of range: 1e999999999999 does not fit in a count, which goes from -9223372036854775808 to "
		 "9223372036854775807"},
		{ONE ",\"m\":92233720368547758.08}", 0, RT_REJ_RANGE, "m", "92233720368547758.08",
		 "`m` is out of range: 92233720368547758.08 does not fit in money, which goes from "
		 "-92233720368547758.08 to 92233720368547758.07 EUR"},
		{ONE ",\"n\":922337203685477.5808}", 0, RT_REJ_RANGE, "n", "922337203685477.5808",
		 "`n` is out of range: 922337203685477.5808 does not fit in a number, which goes from "
		 "-922337203685477.5808 to 922337203685477.5807"},
		{ONE ",\"n\":99999999999999999}", 0, RT_REJ_RANGE, "n", "99999999999999999",
		 "`n` is out of range: 99999999999999999 does not fit in a number, which goes from "
		 "-922337203685477.5808 to 922337203685477.5807"},
		{ONE ",\"e\":\"gren\"}", 0, RT_REJ_UNKNOWN_VALUE, "e", "\"gren\"",
		 "`e` has no choice \"gren\": did you mean \"green\"? The choices of `color` are red, green, blue"},
		{ONE ",\"e\":\"purple\"}", 0, RT_REJ_UNKNOWN_VALUE, "e", "\"purple\"",
		 "`e` has no choice \"purple\": the choices of `color` are red, green, blue"},
		{ONE ",\"e\":\"Red\"}", 0, RT_REJ_UNKNOWN_VALUE, "e", "\"Red\"",
		 "`e` has no choice \"Red\": did you mean \"red\"? The choices of `color` are red, green, blue"},
		{ONE ",\"le\":[\"red\",\"pink\"]}", 0, RT_REJ_UNKNOWN_VALUE, "le[1]", "\"pink\"",
		 "`le[1]` has no choice \"pink\": the choices of `color` are red, green, blue"},
		{ONE ",\"dt\":\"2027-13-01\"}", 0, RT_REJ_BAD_VALUE, "dt", "13-",
		 "`dt` is not a valid date: \"2027-13-01\": month 13 does not exist"},
		{ONE ",\"d\":\"P1M\"}", 0, RT_REJ_BAD_VALUE, "d", "M\"}",
		 "`d` is not a valid duration: \"P1M\": P1M means months, which are not a fixed length: for minutes write "
		 "PT1M, for a month write days (P30D)"},
		{ONE ",\"ts\":\"yesterday\"}", 0, RT_REJ_BAD_VALUE, "ts", "yesterday",
		 "`ts` is not a valid time: \"yesterday\": expected 4 digits for the year (YYYY-MM-DD)"},
		{ONE ",\"li\":[{\"name\":\"x\",\"price\":1.001,\"qty\":1}]}", 0, RT_REJ_DECIMALS, "li[0].price", "1.001",
		 "`li[0].price` is 1.001, which has more decimals than EUR has (2): send amounts with at most 2 decimals"},
		{ONE ",\"lm\":[1,2,3.333]}", 0, RT_REJ_DECIMALS, "lm[2]", "3.333",
		 "`lm[2]` is 3.333, which has more decimals than EUR has (2): send amounts with at most 2 decimals"},
	};
	CHECK_ALL(cases);
}

Test(reject, malformed_json)
{
	static const bad_case cases[] = {
		{VISIT ",}", 0, RT_REJ_JSON, NULL, ",}", "malformed JSON at byte 85: `,` before `}`: JSON has no trailing commas, remove it"},
		{"{\"type\":\"visit\",\"id\":\"1\" \"at\":\"x\"}", 0, RT_REJ_JSON, NULL, "\"at\"",
		 "malformed JSON at byte 26: expected `,` or `}` after a value, found `\"`"},
		{"{\"type\":\"visit\",\"id\"}", 0, RT_REJ_JSON, NULL, "}",
		 "malformed JSON at byte 21: expected `:` after the key, found `}`"},
		{"{\"type\" \"visit\"}", 0, RT_REJ_JSON, NULL, "\"visit\"",
		 "malformed JSON at byte 9: expected `:` after the key, found `\"`"},
		{"{\"type\":\"visit\"}]", 0, RT_REJ_JSON, NULL, "]",
		 "malformed JSON at byte 17: unexpected `]`: it closes nothing, or the brackets do not match"},
		{"{\"type\":\"visit\"} x", 0, RT_REJ_JSON, NULL, "x", "malformed JSON at byte 18: unexpected `x`: text must be in double quotes"},
		{"{\"type\":\"visit\"} {}", 0, RT_REJ_JSON, NULL, "{}",
		 "malformed JSON at byte 18: expected the end of the line after the object, found `{`"},
		{"{\"type\":\"visit\"", 0, RT_REJ_JSON, NULL, "{",
		 "malformed JSON at byte 1: the line ends before this object is closed: a `}` is missing"},
		{"{\"type\":\"visit\",\"x\":[1,2", 0, RT_REJ_JSON, NULL, "[",
		 "malformed JSON at byte 21: the line ends before this list is closed: a `]` is missing"},
		{"{\"type\":\"vis", 0, RT_REJ_JSON, NULL, "\"vis", "malformed JSON at byte 9: this string is never closed: a `\"` is missing"},
		{"{\"type\":\"visit\",\"id\":tru}", 0, RT_REJ_JSON, "id", "tru",
		 "malformed JSON at byte 22: `tru` is not a JSON value: write true, false, null, a number such as -12.5, "
		 "or text in double quotes"},
		{"{\"type\":\"visit\",\"n\":01}", 0, RT_REJ_JSON, "n", "01",
		 "malformed JSON at byte 21: `01` is not a JSON value: write true, false, null, a number such as -12.5, "
		 "or text in double quotes"},
		{"{\"type\":\"visit\",\"n\":1.}", 0, RT_REJ_JSON, "n", "1.",
		 "malformed JSON at byte 21: `1.` is not a JSON value: write true, false, null, a number such as -12.5, "
		 "or text in double quotes"},
		{"{\"type\":\"visit\",\"n\":-}", 0, RT_REJ_JSON, "n", "-",
		 "malformed JSON at byte 21: `-` is not a JSON value: write true, false, null, a number such as -12.5, "
		 "or text in double quotes"},
		{"{\"type\":\"visit\",\"id\":store}", 0, RT_REJ_JSON, NULL, "store",
		 "malformed JSON at byte 22: unexpected `s`: text must be in double quotes"},
		{"{'type':'visit'}", 0, RT_REJ_JSON, NULL, "'", "malformed JSON at byte 2: unexpected `'`: text must be in double quotes"},
		{"{\"type\":\"a\\qb\"}", 0, RT_REJ_JSON, NULL, "\\q",
		 "malformed JSON at byte 11: invalid escape `\\q` in a string: the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r "
		 "\\t and \\uXXXX"},
		{"{\"type\":\"a\\u12\"}", 0, RT_REJ_JSON, NULL, "\\u",
		 "malformed JSON at byte 11: `\\u` must be followed by 4 hexadecimal digits, as in \\u00e9"},
		{"{\"type\":\"a\tb\"}", 0, RT_REJ_JSON, "type", "\t",
		 "malformed JSON at byte 11: a raw control character (byte 0x09) inside a string: write it as \\t"},
		{"{\"type\":\"a\x01\"}", 0, RT_REJ_JSON, "type", "\x01",
		 "malformed JSON at byte 11: a raw control character (byte 0x01) inside a string: write it as \\u0001"},
		{"{\"type\":\"visit\",,\"id\":\"1\"}", 0, RT_REJ_JSON, NULL, ",\"id\"",
		 "malformed JSON at byte 17: expected `,` between fields, found a second `,`"},
		{"{,\"type\":\"visit\"}", 0, RT_REJ_JSON, NULL, ",", "malformed JSON at byte 2: expected a key, found `,`"},
		{"{\"x\":[1 2]}", 0, RT_REJ_JSON, "x", "2]", "malformed JSON at byte 9: expected `,` between list items, found `2`"},
		{"{\"x\":[1,]}", 0, RT_REJ_JSON, "x", ",]", "malformed JSON at byte 8: `,` before `]`: JSON has no trailing commas, remove it"},
		{"{\"x\":[,1]}", 0, RT_REJ_JSON, "x", ",1", "malformed JSON at byte 7: expected a value, found `,`"},
		{"{1:2}", 0, RT_REJ_JSON, NULL, "1", "malformed JSON at byte 2: expected a key in double quotes, found `1`"},
		{"{{}}", 0, RT_REJ_JSON, NULL, "{}", "malformed JSON at byte 2: expected a key in double quotes, found `{`"},
		{"{\"a\":{\"b\":[1,2,3}}", 0, RT_REJ_JSON, NULL, "}}",
		 "malformed JSON at byte 17: unexpected `}`: it closes nothing, or the brackets do not match"},
		{"{\"a\":1:2}", 0, RT_REJ_JSON, "a", "1:2",
		 "malformed JSON at byte 6: `1:2` is not a JSON value: write true, false, null, a number such as -12.5, "
		 "or text in double quotes"},
		{"{\"a\":\"b\":\"c\"}", 0, RT_REJ_JSON, "a", ":\"c\"",
		 "malformed JSON at byte 9: expected `,` or `}` after a value, found `:`"},
		{"{\"type\":\"visit\"}\0", 17, RT_REJ_JSON, NULL, "\0",
		 "malformed JSON at byte 17: expected the end of the line after the object, found byte 0x00"},
		{"{\"type\":\"vi\0sit\"}", 17, RT_REJ_JSON, NULL, "\0",
		 "malformed JSON at byte 12: a NUL byte (0x00): JSON text never contains one (is the file UTF-16?)"},
		{"{\"n\":1\x80}", 0, RT_REJ_JSON, NULL, "1\x80",
		 "malformed JSON at byte 6: `1\\x80` is not a JSON value: write true, false, null, a number such as "
		 "-12.5, or text in double quotes"},
		{"\x80{}", 0, RT_REJ_JSON, NULL, "\x80", "malformed JSON at byte 1: expected an object in { }, found byte 0x80"},
		{"{\"type\":\"visit\"}\xef\xbb\xbf", 0, RT_REJ_JSON, NULL, "\xef",
		 "malformed JSON at byte 17: unexpected byte 0xEF"},
	};
	CHECK_ALL(cases);
}

Test(reject, utf8_and_escapes)
{
	static const bad_case cases[] = {
		{"{\"type\":\"visit\",\"id\":\"\xc3(\"}", 0, RT_REJ_UTF8, "id", "\xc3",
		 "a string is not valid UTF-8 at byte 23 (byte 0xC3): text must be encoded in UTF-8"},
		{"{\"type\":\"visit\",\"id\":\"\xc0\xaf\"}", 0, RT_REJ_UTF8, "id", "\xc0",
		 "a string is not valid UTF-8 at byte 23 (byte 0xC0): text must be encoded in UTF-8"},
		{"{\"type\":\"visit\",\"id\":\"\xed\xa0\x80\"}", 0, RT_REJ_UTF8, "id", "\xed",
		 "a string is not valid UTF-8 at byte 23 (byte 0xED): text must be encoded in UTF-8"},
		{"{\"type\":\"visit\",\"id\":\"\xf4\x90\x80\x80\"}", 0, RT_REJ_UTF8, "id", "\xf4",
		 "a string is not valid UTF-8 at byte 23 (byte 0xF4): text must be encoded in UTF-8"},
		{"{\"type\":\"visit\",\"id\":\"ab\xe2\x82\"}", 0, RT_REJ_UTF8, "id", "\xe2",
		 "a string is not valid UTF-8 at byte 25 (byte 0xE2): text must be encoded in UTF-8"},
		{"{\"type\":\"visit\",\"id\":\"\xff\"}", 0, RT_REJ_UTF8, "id", "\xff",
		 "a string is not valid UTF-8 at byte 23 (byte 0xFF): text must be encoded in UTF-8"},
		{"{\"type\":\"visit\",\"x\":{\"\xc3\":1}}", 0, RT_REJ_UTF8, "x", "\xc3",
		 "a string is not valid UTF-8 at byte 23 (byte 0xC3): text must be encoded in UTF-8"},
		{"{\"type\":\"visit\",\"id\":\"a\\ud83d\"}", 0, RT_REJ_UTF8, "id", "\\ud83d",
		 "a string holds a lone high surrogate \\uD83D at byte 24: it must be followed by a low surrogate "
		 "(\\uDC00-\\uDFFF) to make one character"},
		{"{\"type\":\"visit\",\"id\":\"a\\ud83d\\u0041\"}", 0, RT_REJ_UTF8, "id", "\\ud83d",
		 "a string holds a lone high surrogate \\uD83D at byte 24: it must be followed by a low surrogate "
		 "(\\uDC00-\\uDFFF) to make one character"},
		{"{\"type\":\"visit\",\"id\":\"a\\ude00\"}", 0, RT_REJ_UTF8, "id", "\\ude00",
		 "a string holds a lone low surrogate \\uDE00 at byte 24: it must follow a high surrogate "
		 "(\\uD800-\\uDBFF)"},
		{"{\"type\":\"visit\",\"id\":\"a\\u0000\"}", 0, RT_REJ_BAD_VALUE, "id", "\\u0000",
		 "a string holds \\u0000 (a NUL character) at byte 24, which ludic does not accept in text: remove it"},
		{"\xef\xbb\xbf{\"type\":\"visit\",\"id\":\"\xc3(\"}", 0, RT_REJ_UTF8, "id", "\xc3(",
		 "a string is not valid UTF-8 at byte 26 (byte 0xC3): text must be encoded in UTF-8"},
	};
	CHECK_ALL(cases);
}

/* ---- limits ---- */

Test(limit, line_length)
{
	size_t n = RT_DECODE_MAX_LINE + 1;
	char *line = malloc(n);
	memset(line, ' ', n);
	memcpy(line, VISIT "}", strlen(VISIT "}"));
	rt_reject why = rej_n(line, n);
	cr_expect_eq(why.code, RT_REJ_LIMIT);
	cr_expect_eq(why.column, 0);
	cr_expect_null(why.field);
	cr_expect_str_eq(why.message, "the line is 1048577 bytes long, over the limit of 1048576 (1 MiB): are several "
				      "events on one line, without a newline between them?");
	/* exactly at the limit: decoded */
	ok_n(line, RT_DECODE_MAX_LINE);
	free(line);
}

/* VISIT + ,"x": + `depth` nested lists + } */
static char *nested(unsigned depth)
{
	size_t len = strlen(VISIT) + 6 + 2 * depth + 2;
	char *line = malloc(len);
	char *p = line + sprintf(line, VISIT ",\"x\":");
	for (unsigned i = 0; i < depth; i++)
		*p++ = '[';
	for (unsigned i = 0; i < depth; i++)
		*p++ = ']';
	*p++ = '}';
	*p = 0;
	return line;
}

Test(limit, depth)
{
	char *line = nested(RT_DECODE_MAX_DEPTH - 1); /* the event's object is the first level */
	ok(line);
	free(line);
	line = nested(RT_DECODE_MAX_DEPTH);
	rt_reject why = rej_n(line, strlen(line));
	cr_expect_eq(why.code, RT_REJ_LIMIT);
	cr_expect_eq(why.column, strlen(VISIT) + 6 + RT_DECODE_MAX_DEPTH - 1);
	cr_expect_str_eq(why.message, "the JSON is nested more than 64 levels deep at byte 153: events are objects "
				      "holding lists of records, a few levels at most");
	free(line);
	/* brackets inside strings do not count */
	char text[2048];
	char *p = text + sprintf(text, VISIT ",\"x\":\"");
	for (int i = 0; i < 500; i++)
		*p++ = i & 1 ? '{' : '[';
	strcpy(p, "\",\"y\":[[[{}]]]}");
	ok(text);
	/* half a megabyte of `[`: rejected at once, not parsed (jsmn is quadratic in depth) */
	size_t n = 500000;
	char *deep = malloc(n + 1);
	memset(deep, '[', n);
	deep[0] = '{';
	deep[n] = 0;
	why = rej_n(deep, n);
	cr_expect_eq(why.code, RT_REJ_LIMIT);
	free(deep);
}

Test(limit, list_items)
{
	size_t max = RT_DECODE_MAX_ITEMS;
	char *line = malloc(strlen(ONE) + 16 + 4 * (max + 1));
	char *p = line + sprintf(line, ONE ",\"lc\":[");
	for (size_t i = 0; i < max; i++)
		p += sprintf(p, i ? ",%zu" : "%zu", i % 10);
	strcpy(p, "]}");
	const rt_value *v = ok(line);
	cr_expect_eq(V(v, "lc")->list.n, max);
	cr_expect_eq(V(v, "lc")->list.items[max - 1].i, (int64_t)((max - 1) % 10));
	strcpy(p, ",1]}");
	rt_reject why = rej_n(line, strlen(line));
	cr_expect_eq(why.code, RT_REJ_LIMIT);
	cr_expect(why.field && !strcmp(why.field, "lc"));
	cr_expect_str_eq(why.message, "`lc` has 100001 items, more than the limit of 100000: split the event");
	free(line);
}

/* ---- memory ---- */

Test(memory, events_do_not_point_into_the_line)
{
	char line[] = VISIT ",\"customer\":\"c42\"}";
	const rt_value *v = ok(line);
	memset(line, 'x', sizeof line - 1);
	expect_str(V(v, "customer")->s, "c42");
	expect_str(V(v, "store")->s, "S01");
}

Test(memory, big_line_then_small_ones)
{
	/* a line far bigger than the first buffer, then usual lines: each event is right */
	size_t items = 20000;
	char *big = malloc(strlen(ONE) + 64 + items * 48);
	char *p = big + sprintf(big, ONE ",\"li\":[");
	for (size_t i = 0; i < items; i++)
		p += sprintf(p, "%s{\"name\":\"n%zu\",\"price\":%zu.5,\"qty\":%zu}", i ? "," : "", i, i, i);
	strcpy(p, "]}");
	for (int round = 0; round < 3; round++) {
		const rt_value *v = ok(big);
		rt_list li = V(v, "li")->list;
		cr_assert_eq(li.n, items);
		const rt_value *last = li.items + (items - 1) * li.stride;
		expect_str(rt_field(last, 0)->s, "n19999");
		cr_expect_eq(rt_field(last, 1)->i, 1999950);
		v = ok(VISIT ",\"customer\":\"c1\"}");
		expect_str(V(v, "customer")->s, "c1");
	}
	free(big);
}

Test(memory, steady_state_allocates_nothing)
{
	static const char *const lines[] = {
		VISIT "}",
		ONE ",\"s\":\"caf\\u00e9\",\"li\":[{\"name\":\"a\",\"price\":1,\"qty\":1},{\"name\":\"b\",\"price\":2,\"qty\":2}]}",
		"{\"type\":\"nope\"}",
		ONE ",\"m\":1.001}",
		"{\"type\":",
	};
	rt_event ev;
	rt_reject why;
	cr_assert(allocations > 0, "the counters see the library's allocations (setup made the decoder)");
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) /* warm up */
		rt_decode_json(D, lines[i], strlen(lines[i]), &ev, &why);
	long before = allocations;
	for (int round = 0; round < 1000; round++)
		for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
			rt_decode_json(D, lines[i], strlen(lines[i]), &ev, &why);
	cr_expect_eq(allocations, before, "%ld allocations in the steady state", allocations - before);
}

Test(memory, why_may_be_null)
{
	rt_event ev;
	const char *line = "{\"type\":\"nope\"}";
	cr_expect_eq(rt_decode_json(D, line, strlen(line), &ev, NULL), RT_DECODE_REJECT);
}

/* ---- real data ---- */

static const char *const UCI[] = {
	/* the first line of the stream */
	"{\"type\":\"purchase\",\"id\":\"uci-536365\",\"customer\":\"uci-17850\",\"at\":\"2010-12-01T08:26:00"
	"+00:00\",\"lines\":[{\"sku\":\"85123A\",\"category\":\"decoration\",\"tags\":[],\"quantity\":1,\"uni"
	"t_price\":15.3,\"price\":15.3},{\"sku\":\"71053\",\"category\":\"decoration\",\"tags\":[],\"quantity"
	"\":1,\"unit_price\":20.34,\"price\":20.34},{\"sku\":\"84406B\",\"category\":\"kitchen\",\"tags\":[],"
	"\"quantity\":1,\"unit_price\":22.0,\"price\":22.0},{\"sku\":\"84029G\",\"category\":\"kitchen\",\"ta"
	"gs\":[],\"quantity\":1,\"unit_price\":20.34,\"price\":20.34},{\"sku\":\"84029E\",\"category\":\"deco"
	"ration\",\"tags\":[],\"quantity\":1,\"unit_price\":20.34,\"price\":20.34},{\"sku\":\"22752\",\"categ"
	"ory\":\"home\",\"tags\":[],\"quantity\":1,\"unit_price\":15.3,\"price\":15.3},{\"sku\":\"21730\",\"c"
	"ategory\":\"decoration\",\"tags\":[],\"quantity\":1,\"unit_price\":25.5,\"price\":25.5}],\"total\":1"
	"39.12,\"channel\":\"store\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"S09\",\"region\":"
	"\"east\",\"staff\":\"staff-S09-2\"}",
	/* an anonymous sale */
	"{\"type\":\"purchase\",\"id\":\"uci-536414\",\"at\":\"2010-12-01T11:52:00+00:00\",\"lines\":[{\"sku\""
	":\"22139\",\"category\":\"home\",\"tags\":[],\"quantity\":1,\"unit_price\":0.0,\"price\":0.0}],\"tot"
	"al\":0.0,\"channel\":\"app\",\"payment\":\"card\",\"checkout\":\"home_delivery\",\"store\":\"web\",\""
	"region\":\"online\"}",
	/* a return */
	"{\"type\":\"return\",\"id\":\"uci-C536379\",\"customer\":\"uci-14527\",\"at\":\"2010-12-01T09:41:00+"
	"00:00\",\"action\":\"refund\",\"lines\":[{\"sku\":\"D\",\"category\":\"home\",\"tags\":[],\"quantity"
	"\":1,\"unit_price\":27.5,\"price\":27.5}],\"value\":27.5,\"store\":\"web\",\"region\":\"online\"}",
	/* click & collect, with a pickup duration */
	"{\"type\":\"purchase\",\"id\":\"uci-536376\",\"customer\":\"uci-15291\",\"at\":\"2010-12-01T09:32:00"
	"+00:00\",\"lines\":[{\"sku\":\"22114\",\"category\":\"kitchen\",\"tags\":[],\"quantity\":1,\"unit_pr"
	"ice\":165.6,\"price\":165.6},{\"sku\":\"21733\",\"category\":\"decoration\",\"tags\":[],\"quantity\""
	":1,\"unit_price\":163.2,\"price\":163.2}],\"total\":328.8,\"channel\":\"web\",\"payment\":\"gift_car"
	"d\",\"checkout\":\"click_collect\",\"store\":\"web\",\"region\":\"online\",\"pickup\":\"PT10M\"}",
};

Test(data, uci_lines)
{
	const rt_value *v = ok(UCI[0]);
	cr_expect_str_eq(REC()->name, "purchase");
	expect_str(V(v, "id")->s, "uci-536365");
	expect_str(V(v, "customer")->s, "uci-17850");
	cr_expect_eq(V(v, "at")->i, INT64_C(1291191960)); /* 2010-12-01T08:26:00Z */
	cr_expect_eq(V(v, "total")->i, 13912);
	cr_expect_eq(V(v, "channel")->i, 0);
	cr_expect_eq(V(v, "checkout")->i, 0);
	expect_str(V(v, "staff")->s, "staff-S09-2");
	cr_expect(!has(v, "pickup"));
	rt_list lines = V(v, "lines")->list;
	cr_assert_eq(lines.n, 7);
	cr_expect_eq(lines.stride, 7);
	int64_t sum = 0;
	for (uint32_t i = 0; i < lines.n; i++)
		sum += rt_field(lines.items + i * lines.stride, 5)->i; /* price */
	cr_expect_eq(sum, 13912, "the lines add up to the total");
	expect_str(rt_field(lines.items, 0)->s, "85123A");
	cr_expect_eq(rt_field(lines.items, 2)->list.n, 0, "no tags");

	v = ok(UCI[1]);
	cr_expect(!rt_present(v, RT_FIELD_CUSTOMER), "anonymous sale");
	cr_expect_eq(V(v, "total")->i, 0);

	v = ok(UCI[2]);
	cr_expect_str_eq(REC()->name, "return");
	cr_expect_eq(V(v, "action")->i, 0);
	cr_expect_eq(V(v, "value")->i, 2750);

	v = ok(UCI[3]);
	cr_expect_eq(V(v, "pickup")->i, 600);
	cr_expect_eq(V(v, "checkout")->i, 2);
	cr_expect_eq(V(v, "payment")->i, 4);
}

/* Decodes every line of `cmd`'s output; returns the events, fails on any reject. */
static size_t decode_stream(const char *cmd, size_t *anonymous)
{
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f, "cannot run %s", cmd);
	char *line = NULL;
	size_t cap = 0, events = 0, lineno = 0;
	ssize_t n;
	*anonymous = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		rt_event ev;
		rt_reject why;
		rt_decode_status st = rt_decode_json(D, line, (size_t)n, &ev, &why);
		cr_assert_eq(st, RT_DECODE_OK, "%s, line %zu: %s: %s", cmd, lineno, rt_reject_code_name(why.code), why.message);
		events++;
		*anonymous += !rt_present(ev.values, RT_FIELD_CUSTOMER);
	}
	free(line);
	cr_assert_eq(pclose(f), 0, "%s failed", cmd);
	return events;
}

Test(data, bench_gen_stream)
{
	const char *gen = getenv("BENCH_GEN");
	cr_assert_not_null(gen, "BENCH_GEN is not set: run this test through `meson test`");
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' --events 20000 --customers 2000 --days 30", gen);
	size_t anonymous;
	cr_expect_eq(decode_stream(cmd, &anonymous), 20000);
	cr_expect_eq(anonymous, 0);
}

Test(data, uci_stream)
{
	const char *src = getenv("LUDIC_SOURCE_DIR");
	cr_assert_not_null(src, "LUDIC_SOURCE_DIR is not set: run this test through `meson test`");
	char csv[4096], cmd[8192];
	snprintf(csv, sizeof csv, "%s/../shared/data/real/uci_online_retail_2010-12-01_05.csv", src);
	struct stat st;
	/* The real data sits beside the repository in the team's checkouts and in
	 * CI; a clone elsewhere skips it, but CI never does. */
	if (stat(csv, &st) != 0) {
		cr_assert_null(getenv("CI"), "%s is missing: CI must test the real data", csv);
		cr_skip_test("%s is not there (a clone outside the team's workspace)", csv);
	}
	snprintf(cmd, sizeof cmd, "python3 '%s/tools/realdata.py' uci '%s'", src, csv);
	size_t anonymous;
	cr_expect_eq(decode_stream(cmd, &anonymous), 512);
	cr_expect_eq(anonymous, 68, "sales without a CustomerID");
}

/* ---- fast: the one-pass parser against jsmn and the validator ----
 *
 * rt_decode_json first tries a one-pass parser and leaves any line it does
 * not like to jsmn and the validator. The two must agree on every line: the
 * same status, the same event (every value, deeply), the same reject (code,
 * column, field, message). Compared here on generated events and on every
 * line of the sample files, whole and mutated byte by byte. */

TestSuite(fast, .init = setup, .fini = teardown);

static void same_values(const rt_record *rec, const rt_value *a, const rt_value *b, const char *line)
{
	cr_assert_eq(a[0].i, b[0].i, "presence differs on %s", line);
	for (uint32_t f = 0; f < rec->nfields; f++) {
		if (!rt_present(a, f))
			continue;
		const struct rt_field *fd = &rec->fields[f];
		const rt_value *x = rt_field(a, f), *y = rt_field(b, f);
		if (fd->kind == RT_STRING) {
			cr_assert(x->s.len == y->s.len && !memcmp(x->s.p, y->s.p, x->s.len), "%s differs on %s", fd->name, line);
		} else if (fd->kind == RT_LIST) {
			cr_assert(x->list.n == y->list.n && x->list.stride == y->list.stride, "%s differs on %s", fd->name, line);
			for (uint32_t k = 0; k < x->list.n; k++) {
				const rt_value *u = x->list.items + (size_t)k * x->list.stride;
				const rt_value *v = y->list.items + (size_t)k * y->list.stride;
				if (fd->elem_record >= 0)
					same_values(&S->records[fd->elem_record], u, v, line);
				else if (fd->elem == RT_STRING)
					cr_assert(u->s.len == v->s.len && !memcmp(u->s.p, v->s.p, u->s.len), "%s[%u] differs on %s",
						  fd->name, k, line);
				else
					cr_assert_eq(u->i, v->i, "%s[%u] differs on %s", fd->name, k, line);
			}
		} else {
			cr_assert_eq(x->i, y->i, "%s differs on %s", fd->name, line);
		}
	}
}

static rt_decoder *SLOW;

/* Decodes the line with D (fast path on) and SLOW (off); they must agree.
 * Returns the status. */
static rt_decode_status agree(const char *line, size_t len)
{
	if (!SLOW) {
		SLOW = rt_decoder_new(S);
		cr_assert_not_null(SLOW);
		rt_decoder_set_fast(SLOW, false);
	}
	rt_event ea, eb;
	rt_reject ra, rb;
	memset(&ra, 0, sizeof ra);
	memset(&rb, 0, sizeof rb);
	rt_decode_status sa = rt_decode_json(D, line, len, &ea, &ra);
	rt_decode_status sb = rt_decode_json(SLOW, line, len, &eb, &rb);
	cr_assert_eq(sa, sb, "status %d (fast) vs %d on %.*s", sa, sb, (int)len, line);
	if (sa == RT_DECODE_OK) {
		cr_assert_eq(ea.type, eb.type);
		same_values(&S->records[ea.type], ea.values, eb.values, line);
	} else if (sa != RT_DECODE_EMPTY) {
		cr_assert_eq(ra.code, rb.code, "%s vs %s on %.*s", rt_reject_code_name(ra.code), rt_reject_code_name(rb.code),
			     (int)len, line);
		cr_assert_eq(ra.column, rb.column, "column %u vs %u on %.*s", ra.column, rb.column, (int)len, line);
		cr_assert_str_eq(ra.field ? ra.field : "-", rb.field ? rb.field : "-", "on %.*s", (int)len, line);
		cr_assert_str_eq(ra.message, rb.message, "on %.*s", (int)len, line);
	}
	return sa;
}

static void fast_fini(void)
{
	rt_decoder_free(SLOW);
	SLOW = NULL;
}

/* Every line of `text` whole, then mutated at up to 48 places each:
 * each byte replaced by bytes that matter to JSON, deleted, doubled, and
 * the line cut there. Returns the lines that decoded whole. */
static size_t agree_on_lines(const char *text, size_t max_lines)
{
	static const char subst[] = "\"\\{}[],: \t0-.eEu\x01\x7f\xc3\xa9\xed\xa0\x80\xff" "9nt";
	size_t ok_lines = 0, lines = 0;
	char buf[8192];
	for (const char *p = text; *p && lines < max_lines; lines++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len + 2 > sizeof buf) {
			p += len + (nl != NULL);
			continue;
		}
		ok_lines += agree(p, len) == RT_DECODE_OK;
		size_t step = len / 48 + 1;
		for (size_t at = 0; at < len; at += step) {
			for (const char *c = subst; *c; c++) {
				memcpy(buf, p, len);
				buf[at] = *c;
				agree(buf, len);
			}
			memcpy(buf, p, at);
			memcpy(buf + at, p + at + 1, len - at - 1);
			agree(buf, len - 1);
			memcpy(buf, p, at + 1);
			memcpy(buf + at + 1, p + at, len - at);
			agree(buf, len + 1);
			agree(p, at);
		}
		p += len + (nl != NULL);
	}
	return ok_lines;
}

static char *slurp(const char *rel)
{
	const char *src = getenv("LUDIC_SOURCE_DIR");
	cr_assert_not_null(src, "LUDIC_SOURCE_DIR is not set: run this test through `meson test`");
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", src, rel);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot read %s", path);
	char *text = malloc(1 << 20);
	cr_assert_not_null(text);
	size_t n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = 0;
	fclose(f);
	return text;
}

Test(fast, agrees_on_a_generated_stream, .fini = fast_fini)
{
	const char *gen = getenv("BENCH_GEN");
	cr_assert_not_null(gen, "BENCH_GEN is not set: run this test through `meson test`");
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' --events 5000 --customers 500 --days 10", gen);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	char *line = NULL;
	size_t cap = 0, oks = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0)
		oks += agree(line, (size_t)n) == RT_DECODE_OK;
	free(line);
	cr_assert_eq(pclose(f), 0);
	cr_assert_eq(oks, 5000);
	/* and mutated: the first lines of each kind of event */
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	char *text = calloc(1, 1 << 20);
	cr_assert_not_null(text);
	size_t got = fread(text, 1, (1 << 20) - 1, f);
	pclose(f);
	cr_assert_gt(got, 0);
	const char *purchase = strstr(text, "{\"type\":\"purchase\"");
	cr_assert_not_null(purchase);
	cr_assert_gt(agree_on_lines(text, 3), 0);
	cr_assert_gt(agree_on_lines(purchase, 6), 0);
	free(text);
}

Test(fast, agrees_on_the_sample_files, .fini = fast_fini)
{
	char *text = slurp("examples/retailer/events.jsonl");
	cr_assert_gt(agree_on_lines(text, 1000), 0);
	free(text);
	text = slurp("tests/rejects/rejects.jsonl");
	agree_on_lines(text, 1000);
	free(text);
}

Test(fast, agrees_on_escapes_blanks_and_numbers, .fini = fast_fini)
{
	static const char *const lines[] = {
		ONE ",\"s\":\"caf\\u00e9 \\ud83d\\ude00 \xc3\xbc \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\",\"n\":-1.5e2,\"b\":true}",
		"  { \"type\" : \"one\" , \"id\" : \"e\\u0031\" ,\t\"at\":\"2027-03-01T10:15:00Z\" , \"c\" : 1E3 , "
		"\"m\" : 0.5 , \"ls\" : [ \"a\" , \"b\" ] , \"li\" : [ { \"name\" : \"x\" , \"price\" : 1.5 , \"qty\" : 2 } ] , "
		"\"le\":[],\"lm\":[1,2.25],\"lc\":[0,-0,3],\"x\":{\"y\":[null,false,{}]} }\r\n",
		"\xEF\xBB\xBF" ONE ",\"e\":\"red\",\"dt\":\"2027-03-01\",\"d\":\"PT37M\",\"ts\":\"2027-03-01T10:15:00+01:00\"}\n",
		"{\"t\\u0079pe\":\"one\",\"id\":\"e1\",\"at\":\"2027-03-01T10:15:00Z\",\"\\u0063\":7}",
		ONE ",\"s\":\"\\ud800\"}",
		ONE ",\"s\":\"\\u0000\"}",
		ONE ",\"c\":01}",
		ONE ",\"c\":1.}",
		ONE ",\"c\":-}",
		ONE ",\"b\":tru}",
		ONE ",\"s\":\"a\",}",
		ONE ",\"ls\":[\"a\" \"b\"]}",
		ONE "}  x",
		ONE "}{}",
		"{}",
		"{\"type\":\"one\"",
	};
	size_t oks = 0;
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		oks += agree(lines[i], strlen(lines[i])) == RT_DECODE_OK;
		agree_on_lines(lines[i], 1);
	}
	cr_assert_eq(oks, 4, "the first four lines are good events");
}
