/* test_batch.c — the batch functions (ludic_engine_push_batch,
 * ludic_engine_push_json_batch) against one push per event.
 *
 * The contract (include/ludic.h): a batch does exactly what one push per
 * event does, in order. So every test here runs the same events twice, on
 * two fresh engines of the retailer program (examples/retailer/), one push
 * per event and in batches, and compares everything an embedder can see:
 * every effect as JSON, in order; every reject (line, column, code, field,
 * message, event id), in order; the result of each event; the counters;
 * and every customer's and staff member's final record, byte for byte
 * (rt_engine_each_record). The streams: the retailer's sample day, bench-gen
 * streams with 2,000 customers and with 20 (so a customer comes back
 * within one batch, several times), and a hand-made stream of bad lines,
 * duplicates, anonymous events, a blank line and a late event. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ludic.h"

/* ---- what an engine was seen to do ---- */

typedef struct text {
	char *s;
	size_t len, cap;
} text;

static void add(text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		cr_assert_not_null(t->s);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = 0;
}

static void addf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(text *t, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	add(t, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

typedef struct seen {
	text effects;   /* one JSON line per effect */
	text rejects;   /* one line per reject */
	text records;   /* every final record */
	int *results;   /* per event */
	size_t n;
	ludic_engine_stats stats;
	ludic_engine *e;     /* for the callback tests */
	int nested;          /* what a call from inside a callback returned */
	bool try_nested;
} seen;

static void on_effect(void *user, const ludic_effect *fx)
{
	seen *s = user;
	char buf[4096];
	size_t n = ludic_effect_to_json(fx, buf, sizeof buf);
	cr_assert_lt(n, sizeof buf);
	add(&s->effects, buf, n);
	add(&s->effects, "\n", 1);
	if (s->try_nested) {
		ludic_line l = {"{}", 2, 1};
		s->nested = ludic_engine_push_json_batch(s->e, &l, 1, NULL);
	}
}

static void on_reject(void *user, const ludic_reject *r)
{
	seen *s = user;
	addf(&s->rejects, "%llu:%u %s %s %s [%s]\n", r->line, r->column, r->code, r->field ? r->field : "-", r->message,
	     r->event_id ? r->event_id : "-");
	if (s->try_nested) {
		const ludic_event *none[1] = {NULL};
		s->nested = ludic_engine_push_batch(s->e, none, 0, NULL);
	}
}

static int on_record(void *user, bool staff, rt_str id, const uint8_t *record, size_t size)
{
	text *t = user;
	addf(t, "%s %.*s %zu:", staff ? "staff" : "customer", (int)id.len, id.p, size);
	for (size_t i = 0; i < size; i++)
		addf(t, "%02x", record[i]);
	add(t, "\n", 1);
	return 0;
}

static void seen_free(seen *s)
{
	free(s->effects.s);
	free(s->rejects.s);
	free(s->records.s);
	free(s->results);
}

static ludic_engine *new_engine(const ludic_program *p, seen *s, size_t n)
{
	memset(s, 0, sizeof *s);
	s->results = calloc(n ? n : 1, sizeof *s->results);
	cr_assert_not_null(s->results);
	s->n = n;
	ludic_engine_options opt = {.on_effect = on_effect, .effect_user = s, .on_reject = on_reject, .reject_user = s,
				    .engine = LUDIC_ENGINE_INTERP};
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, &opt, &e), LUDIC_OK);
	s->e = e;
	return e;
}

static void finish(ludic_engine *e, seen *s)
{
	ludic_engine_stats_get(e, &s->stats);
	cr_assert_eq(rt_engine_each_record(e, on_record, &s->records), 0);
	ludic_engine_free(e);
}

static void same(const seen *a, const seen *b, const char *what)
{
	cr_assert_eq(a->n, b->n);
	cr_assert_str_eq(a->effects.s ? a->effects.s : "", b->effects.s ? b->effects.s : "", "%s: effects differ", what);
	cr_assert_str_eq(a->rejects.s ? a->rejects.s : "", b->rejects.s ? b->rejects.s : "", "%s: rejects differ", what);
	cr_assert_str_eq(a->records.s ? a->records.s : "", b->records.s ? b->records.s : "", "%s: records differ", what);
	for (size_t i = 0; i < a->n; i++)
		cr_assert_eq(a->results[i], b->results[i], "%s: event %zu: %d one by one, %d in a batch", what, i,
			     a->results[i], b->results[i]);
	cr_assert_eq(a->stats.events, b->stats.events, "%s", what);
	cr_assert_eq(a->stats.applied, b->stats.applied, "%s", what);
	cr_assert_eq(a->stats.duplicates, b->stats.duplicates, "%s", what);
	cr_assert_eq(a->stats.rejected, b->stats.rejected, "%s", what);
	cr_assert_eq(a->stats.anonymous, b->stats.anonymous, "%s", what);
	cr_assert_eq(a->stats.customers, b->stats.customers, "%s", what);
	cr_assert_eq(a->stats.staff, b->stats.staff, "%s", what);
	cr_assert_eq(a->stats.state_bytes, b->stats.state_bytes, "%s", what);
	cr_assert_eq(memcmp(a->stats.effects, b->stats.effects, sizeof a->stats.effects), 0, "%s", what);
}

/* ---- the program and the streams ---- */

static const char *source_dir(void)
{
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	return dir ? dir : ".";
}

static ludic_program *retailer(void)
{
	char path[1024];
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_not_null(c);
	const char *files[] = {"base.ludic", "north.ludic"};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/examples/retailer/%s", source_dir(), files[i]);
		cr_assert_eq(ludic_compiler_add_file(c, path, 0), LUDIC_OK, "cannot read %s", path);
	}
	ludic_program *p = NULL;
	cr_assert_eq(ludic_program_new(c, &p), LUDIC_OK);
	ludic_compiler_free(c);
	return p;
}

typedef struct stream {
	char *buf;          /* the lines, each NUL-terminated in place of its newline */
	ludic_line *lines;
	size_t n;
} stream;

static void split(stream *st, char *buf, size_t len)
{
	st->buf = buf;
	st->n = 0;
	size_t cap = 64;
	st->lines = malloc(cap * sizeof *st->lines);
	cr_assert_not_null(st->lines);
	for (size_t i = 0; i < len;) {
		char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len;
		if (st->n == cap) {
			st->lines = realloc(st->lines, (cap *= 2) * sizeof *st->lines);
			cr_assert_not_null(st->lines);
		}
		if (nl)
			*nl = 0;
		st->lines[st->n] = (ludic_line){buf + i, end - i, st->n + 1};
		st->n++;
		i = end + 1;
	}
}

static void read_stream(stream *st, FILE *f)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	cr_assert_not_null(buf);
	for (size_t r; (r = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
		len += r;
		if (cap - len < 2) {
			buf = realloc(buf, cap *= 2);
			cr_assert_not_null(buf);
		}
	}
	buf[len] = 0;
	split(st, buf, len);
}

static void file_stream(stream *st, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", source_dir(), rel);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot read %s", path);
	read_stream(st, f);
	fclose(f);
}

static void gen_stream(stream *st, unsigned events, unsigned customers)
{
	const char *gen = getenv("BENCH_GEN");
	cr_assert_not_null(gen, "BENCH_GEN (the path of bench-gen) is not set: run this test with meson test");
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s' --events %u --customers %u --days 20", gen, events, customers);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	read_stream(st, f);
	cr_assert_eq(pclose(f), 0, "%s failed", cmd);
	cr_assert_eq(st->n, events);
}

static void text_stream(stream *st, const char *s)
{
	size_t len = strlen(s);
	char *buf = malloc(len + 1);
	cr_assert_not_null(buf);
	memcpy(buf, s, len + 1);
	split(st, buf, len);
}

static void stream_free(stream *st)
{
	free(st->buf);
	free(st->lines);
}

/* Runs `in` in batches of 1, 7, 64 and 1000 through `run` and compares
 * each run with `one` (the same events pushed one by one). */
typedef void (*batch_run)(const ludic_program *p, const void *in, size_t size, seen *s);

static void compare_sizes(const ludic_program *p, const seen *one, batch_run run, const void *in)
{
	const size_t sizes[] = {1, 7, 64, 1000};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		seen b;
		run(p, in, sizes[k], &b);
		char what[64];
		snprintf(what, sizeof what, "batches of %zu", sizes[k]);
		same(one, &b, what);
		seen_free(&b);
	}
}

/* ---- JSON ---- */

static void json_one_by_one(const ludic_program *p, const stream *st, seen *s)
{
	ludic_engine *e = new_engine(p, s, st->n);
	for (size_t i = 0; i < st->n; i++)
		s->results[i] = ludic_engine_push_json(e, st->lines[i].text, st->lines[i].len, st->lines[i].line_no);
	finish(e, s);
}

static void json_batches(const ludic_program *p, const stream *st, size_t size, seen *s)
{
	ludic_engine *e = new_engine(p, s, st->n);
	for (size_t i = 0; i < st->n; i += size) {
		size_t k = st->n - i < size ? st->n - i : size;
		cr_assert_eq(ludic_engine_push_json_batch(e, st->lines + i, k, s->results + i), 0);
	}
	finish(e, s);
}

static void json_run(const ludic_program *p, const void *in, size_t size, seen *s)
{
	json_batches(p, in, size, s);
}

static void json_all_sizes(const stream *st)
{
	ludic_program *p = retailer();
	seen one;
	json_one_by_one(p, st, &one);
	cr_assert_gt(one.effects.len, 0, "the stream made no effect: the comparison would prove little");
	compare_sizes(p, &one, json_run, st);
	seen_free(&one);
	ludic_program_free(p);
}

Test(json, retailer_sample_day)
{
	stream st;
	file_stream(&st, "examples/retailer/events.jsonl");
	json_all_sizes(&st);
	stream_free(&st);
}

Test(json, generated_2000_customers, .timeout = 120)
{
	stream st;
	gen_stream(&st, 20000, 2000);
	json_all_sizes(&st);
	stream_free(&st);
}

Test(json, generated_20_customers_repeat_within_a_batch, .timeout = 120)
{
	stream st;
	gen_stream(&st, 20000, 20);
	json_all_sizes(&st);
	stream_free(&st);
}

/* Bad lines, duplicates, anonymous events, a blank line, a late event, a
 * new customer right after a reject: each in the middle of a batch. */
static const char *mixed =
	"{\"type\":\"signup\",\"id\":\"s1\",\"customer\":\"a\",\"at\":\"2027-03-20T08:00:00+01:00\","
	"\"channel\":\"app\",\"region\":\"north\"}\n"
	"not json\n"
	"{\"type\":\"purchase\",\"id\":\"p1\",\"customer\":\"a\",\"at\":\"2027-03-20T09:00:00+01:00\","
	"\"lines\":[{\"sku\":"
	"\"X\",\"category\":\"garden\",\"tags\":[],\"quantity\":2,\"unit_price\":30,\"price\":60}],\"total\":60,"
	"\"channel\":\"store\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"S1\",\"region\":\"north\"}\n"
	"{\"type\":\"purchase\",\"id\":\"p1\",\"customer\":\"a\",\"at\":\"2027-03-20T09:00:00+01:00\","
	"\"lines\":[{\"sku\":"
	"\"X\",\"category\":\"garden\",\"tags\":[],\"quantity\":2,\"unit_price\":30,\"price\":60}],\"total\":60,"
	"\"channel\":\"store\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"S1\",\"region\":\"north\"}\n"
	"\n"
	"   \n"
	"{\"type\":\"teleport\",\"id\":\"t1\",\"customer\":\"a\",\"at\":\"2027-03-20T09:00:00+01:00\"}\n"
	"{\"type\":\"purchase\",\"customer\":\"b\",\"at\":\"2027-03-20T09:00:00+01:00\",\"total\":5}\n"
	"{\"type\":\"app\",\"id\":\"anon1\",\"at\":\"2027-03-20T09:05:00+01:00\",\"action\":\"open\"}\n"
	"{\"type\":\"signup\",\"id\":\"s2\",\"customer\":\"b\",\"at\":\"2027-03-20T09:06:00+01:00\","
	"\"channel\":\"web\",\"region\":\"north\"}\n"
	"{\"type\":\"purchase\",\"id\":\"p2\",\"customer\":\"b\",\"at\":\"2027-03-21T10:00:00+01:00\",\"lines\":[],"
	"\"total\":120,\"channel\":\"web\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"web\","
	"\"region\":\"north\"}\n"
	"{\"type\":\"purchase\",\"id\":\"p3\",\"customer\":\"b\",\"at\":\"2027-03-01T10:00:00+01:00\",\"lines\":[],"
	"\"total\":10,\"channel\":\"web\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"web\","
	"\"region\":\"north\"}\n"
	"{\"type\":\"purchase\",\"id\":\"p2\",\"customer\":\"b\",\"at\":\"2027-03-21T10:00:00+01:00\",\"lines\":[],"
	"\"total\":120,\"channel\":\"web\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"web\","
	"\"region\":\"north\"}\n"
	"{\"type\":\"signup\",\"id\":\"s3\",\"customer\":\"c\",\"at\":\"2027-03-21T11:00:00+01:00\","
	"\"channel\":\"app\",\"region\":\"north\"}\n"
	"{\"type\":\"purchase\",\"id\":\"p4\",\"customer\":\"c\",\"at\":\"2027-03-21T11:30:00+01:00\",\"lines\":[],"
	"\"total\":\"ten\",\"channel\":\"app\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"web\","
	"\"region\":\"north\"}\n"
	"{\"type\":\"purchase\",\"id\":\"p5\",\"customer\":\"c\",\"at\":\"2027-03-21T11:40:00+01:00\",\"lines\":[],"
	"\"total\":75.5,\"channel\":\"app\",\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"web\","
	"\"region\":\"north\"}\n";

Test(json, bad_lines_duplicates_anonymous_blank_late)
{
	stream st;
	text_stream(&st, mixed);
	ludic_program *p = retailer();
	seen one;
	json_one_by_one(p, &st, &one);
	/* the stream is what it says it is */
	cr_assert_eq(one.results[1], LUDIC_REJECTED);
	cr_assert_eq(one.results[3], LUDIC_DUPLICATE);
	cr_assert_eq(one.results[4], LUDIC_BLANK);
	cr_assert_eq(one.results[5], LUDIC_BLANK);
	cr_assert_eq(one.results[6], LUDIC_REJECTED);
	cr_assert_eq(one.results[7], LUDIC_REJECTED);
	cr_assert_eq(one.results[8], LUDIC_ANONYMOUS);
	cr_assert_eq(one.results[11], LUDIC_REJECTED); /* too late */
	cr_assert_eq(one.results[12], LUDIC_DUPLICATE);
	cr_assert_eq(one.results[14], LUDIC_REJECTED);
	cr_assert_eq(one.results[15], LUDIC_APPLIED);
	cr_assert(strstr(one.rejects.s, "too-late") != NULL);
	for (size_t size = 1; size <= st.n + 1; size++) {
		seen b;
		json_batches(p, &st, size, &b);
		char what[64];
		snprintf(what, sizeof what, "batches of %zu", size);
		same(&one, &b, what);
		seen_free(&b);
	}
	seen_free(&one);
	ludic_program_free(p);
	stream_free(&st);
}

Test(json, empty_batch_and_null_arguments)
{
	ludic_program *p = retailer();
	seen s;
	ludic_engine *e = new_engine(p, &s, 4);
	cr_assert_eq(ludic_engine_push_json_batch(e, NULL, 0, NULL), 0);
	ludic_line none;
	cr_assert_eq(ludic_engine_push_json_batch(e, &none, 0, s.results), 0);
	cr_assert_eq(ludic_engine_push_json_batch(NULL, &none, 0, NULL), -1);
	cr_assert_eq(ludic_engine_push_json_batch(e, NULL, 3, NULL), -1);
	/* a line with no text but a length: -1 for it, the others go on */
	ludic_line ls[3] = {
		{"", 0, 1},
		{NULL, 5, 2},
		{"{\"type\":\"signup\",\"id\":\"s1\",\"customer\":\"a\",\"at\":\"2027-03-20T08:00:00+01:00\","
		 "\"channel\":\"app\",\"region\":\"north\"}",
		 0, 3},
	};
	ls[2].len = strlen(ls[2].text);
	cr_assert_eq(ludic_engine_push_json_batch(e, ls, 3, s.results), 0);
	cr_assert_eq(s.results[0], LUDIC_BLANK);
	cr_assert_eq(s.results[1], -1);
	cr_assert_eq(s.results[2], LUDIC_APPLIED);
	cr_assert(strstr(ludic_engine_error(e), "NULL") != NULL, "%s", ludic_engine_error(e));
	/* results may be NULL */
	ls[2].text = "{\"type\":\"signup\",\"id\":\"s2\",\"customer\":\"b\",\"at\":\"2027-03-20T08:00:00+01:00\","
		     "\"channel\":\"app\",\"region\":\"north\"}";
	cr_assert_eq(ludic_engine_push_json_batch(e, ls + 2, 1, NULL), 0);
	finish(e, &s);
	cr_assert_eq(s.stats.events, 2);
	cr_assert_eq(s.stats.customers, 2);
	cr_assert_eq(s.rejects.len, 0);
	seen_free(&s);
	ludic_program_free(p);
}

Test(json, a_batch_from_a_callback_is_refused)
{
	ludic_program *p = retailer();
	stream st;
	text_stream(&st, mixed);
	seen s;
	ludic_engine *e = new_engine(p, &s, st.n);
	s.try_nested = true;
	s.nested = 7;
	cr_assert_eq(ludic_engine_push_json_batch(e, st.lines, st.n, s.results), 0);
	cr_assert_eq(s.nested, -1);
	cr_assert(strstr(ludic_engine_error(e), "callback") != NULL, "%s", ludic_engine_error(e));
	/* and the outer batch went on as if nothing happened */
	s.try_nested = false;
	finish(e, &s);
	seen one;
	json_one_by_one(p, &st, &one);
	cr_assert_str_eq(one.effects.s, s.effects.s);
	cr_assert_str_eq(one.rejects.s, s.rejects.s);
	seen_free(&one);
	seen_free(&s);
	stream_free(&st);
	ludic_program_free(p);
}

/* ---- typed events ---- */

typedef struct fields {
	int signup, purchase, app;
	int s_channel, s_region, a_action;                                          /* signup, app */
	int p_payment, p_checkout, p_store, p_region, p_total, p_channel, p_lines;  /* purchase */
	int l_sku, l_category, l_quantity, l_unit_price, l_price;                   /* its lines */
} fields;

static fields find_fields(const ludic_program *p)
{
	fields f;
	f.signup = ludic_program_event_type(p, "signup");
	f.purchase = ludic_program_event_type(p, "purchase");
	f.app = ludic_program_event_type(p, "app");
	cr_assert(f.signup >= 0 && f.purchase >= 0 && f.app >= 0);
	f.s_channel = ludic_program_field(p, f.signup, -1, "channel");
	f.s_region = ludic_program_field(p, f.signup, -1, "region");
	f.p_payment = ludic_program_field(p, f.purchase, -1, "payment");
	f.p_checkout = ludic_program_field(p, f.purchase, -1, "checkout");
	f.p_store = ludic_program_field(p, f.purchase, -1, "store");
	f.p_region = ludic_program_field(p, f.purchase, -1, "region");
	f.p_total = ludic_program_field(p, f.purchase, -1, "total");
	f.p_channel = ludic_program_field(p, f.purchase, -1, "channel");
	f.p_lines = ludic_program_field(p, f.purchase, -1, "lines");
	f.l_sku = ludic_program_field(p, f.purchase, f.p_lines, "sku");
	f.l_category = ludic_program_field(p, f.purchase, f.p_lines, "category");
	f.l_quantity = ludic_program_field(p, f.purchase, f.p_lines, "quantity");
	f.l_unit_price = ludic_program_field(p, f.purchase, f.p_lines, "unit_price");
	f.l_price = ludic_program_field(p, f.purchase, f.p_lines, "price");
	f.a_action = ludic_program_field(p, f.app, -1, "action");
	cr_assert(f.s_channel > 2 && f.s_region > 2 && f.p_payment > 2 && f.p_checkout > 2 && f.p_store > 2 &&
		  f.p_region > 2 && f.p_total > 2 && f.p_channel > 2 && f.p_lines > 2 && f.l_sku >= 0 &&
		  f.l_category >= 0 && f.l_quantity >= 0 && f.l_unit_price >= 0 && f.l_price >= 0 && f.a_action > 2);
	return f;
}

#define NTYPED 3000
#define NCUST 40

typedef struct typed_set {
	ludic_event *ev[NTYPED];
	char ids[NTYPED][16];
	char cust[NTYPED][16];
} typed_set;

/* A stream of signups and purchases of NCUST customers, with a duplicate
 * every 50 events, an anonymous app event every 37, an event with no `at`
 * (rejected) every 101, a late event every 211. */
static typed_set *make_typed(const ludic_program *p)
{
	fields f = find_fields(p);
	typed_set *t = calloc(1, sizeof *t);
	cr_assert_not_null(t);
	unsigned r = 12345;
	long long at = 1805000000; /* 2027-03-14 */
	static const char *const cats[] = {"garden", "furniture", "textile", "decoration"};
	for (int i = 0; i < NTYPED; i++) {
		ludic_event *ev = t->ev[i] = ludic_event_new(p);
		cr_assert_not_null(ev);
		r = r * 1103515245u + 12345u;
		unsigned c = (r >> 8) % NCUST;
		at += 600 + (r >> 20) % 3600;
		snprintf(t->ids[i], sizeof t->ids[i], "e%d", i % 50 == 49 ? i - 1 : i);
		snprintf(t->cust[i], sizeof t->cust[i], "c%u", c);
		bool anonymous = i % 37 == 36;
		int type = i < NCUST ? f.signup : anonymous ? f.app : f.purchase;
		cr_assert_eq(ludic_event_reset(ev, type), LUDIC_OK);
		ludic_event_set_string(ev, 0, t->ids[i], strlen(t->ids[i]));
		if (i < NCUST)
			snprintf(t->cust[i], sizeof t->cust[i], "c%d", i);
		if (!anonymous)
			ludic_event_set_string(ev, 1, t->cust[i], strlen(t->cust[i]));
		if (i % 101 != 100)
			ludic_event_set_int(ev, 2, i % 211 == 210 ? at - 40 * 86400 : at);
		if (type == f.signup) {
			cr_assert_eq(ludic_event_set_choice(ev, f.s_channel, "app"), LUDIC_OK);
			cr_assert_eq(ludic_event_set_string(ev, f.s_region, "north", 5), LUDIC_OK);
		} else if (type == f.app) {
			cr_assert_eq(ludic_event_set_string(ev, f.a_action, "open", 4), LUDIC_OK);
		} else {
			long long total = 0;
			int nl = (int)((r >> 4) % 4);
			for (int k = 0; k < nl; k++) {
				int item = ludic_event_add_item(ev, f.p_lines, NULL, 0);
				cr_assert_geq(item, 0);
				long long q = 1 + k, unit = 199 + 100 * k;
				ludic_event_set_item_string(ev, f.p_lines, item, f.l_sku, "SKU", 3);
				ludic_event_set_item_string(ev, f.p_lines, item, f.l_category, cats[(r >> 12) % 4],
							    strlen(cats[(r >> 12) % 4]));
				ludic_event_set_item_int(ev, f.p_lines, item, f.l_quantity, q);
				ludic_event_set_item_int(ev, f.p_lines, item, f.l_unit_price, unit);
				ludic_event_set_item_int(ev, f.p_lines, item, f.l_price, q * unit);
				total += q * unit;
			}
			ludic_event_set_int(ev, f.p_total, total + 500);
			cr_assert_eq(ludic_event_set_choice(ev, f.p_channel, (r >> 3) % 2 ? "store" : "web"), LUDIC_OK);
			cr_assert_eq(ludic_event_set_choice(ev, f.p_payment, "card"), LUDIC_OK);
			cr_assert_eq(ludic_event_set_choice(ev, f.p_checkout, "till"), LUDIC_OK);
			cr_assert_eq(ludic_event_set_string(ev, f.p_store, "S1", 2), LUDIC_OK);
			cr_assert_eq(ludic_event_set_string(ev, f.p_region, "north", 5), LUDIC_OK);
		}
	}
	return t;
}

static void typed_free(typed_set *t)
{
	for (int i = 0; i < NTYPED; i++)
		ludic_event_free(t->ev[i]);
	free(t);
}

static void typed_one_by_one(const ludic_program *p, ludic_event *const *evs, size_t n, seen *s)
{
	ludic_engine *e = new_engine(p, s, n);
	for (size_t i = 0; i < n; i++)
		s->results[i] = ludic_engine_push(e, evs[i]);
	finish(e, s);
}

static void typed_batches(const ludic_program *p, ludic_event *const *evs, size_t n, size_t size, seen *s)
{
	ludic_engine *e = new_engine(p, s, n);
	for (size_t i = 0; i < n; i += size) {
		size_t k = n - i < size ? n - i : size;
		cr_assert_eq(ludic_engine_push_batch(e, (const ludic_event *const *)evs + i, k, s->results + i), 0);
	}
	finish(e, s);
}

static void typed_run(const ludic_program *p, const void *in, size_t size, seen *s)
{
	const typed_set *t = in;
	typed_batches(p, t->ev, NTYPED, size, s);
}

Test(typed, batches_match_one_push_per_event, .timeout = 120)
{
	ludic_program *p = retailer();
	typed_set *t = make_typed(p);
	seen one;
	typed_one_by_one(p, t->ev, NTYPED, &one);
	cr_assert_gt(one.effects.len, 0);
	cr_assert_gt(one.stats.duplicates, 0);
	cr_assert_gt(one.stats.anonymous, 0);
	cr_assert_gt(one.stats.rejected, 0);
	cr_assert(strstr(one.rejects.s, "too-late") != NULL);
	compare_sizes(p, &one, typed_run, t);
	seen_free(&one);
	typed_free(t);
	ludic_program_free(p);
}

Test(typed, the_same_event_twice_in_a_batch)
{
	ludic_program *p = retailer();
	typed_set *t = make_typed(p);
	ludic_event *evs[6] = {t->ev[0], t->ev[0], t->ev[45], t->ev[45], t->ev[0], t->ev[45]};
	seen one, b;
	typed_one_by_one(p, evs, 6, &one);
	typed_batches(p, evs, 6, 6, &b);
	same(&one, &b, "repeated events");
	cr_assert_eq(one.results[1], LUDIC_DUPLICATE);
	seen_free(&one);
	seen_free(&b);
	typed_free(t);
	ludic_program_free(p);
}

Test(typed, null_unready_and_foreign_events)
{
	ludic_program *p = retailer(), *other = retailer();
	typed_set *t = make_typed(p);
	ludic_event *unready = ludic_event_new(p), *foreign = ludic_event_new(other);
	cr_assert_eq(ludic_event_reset(foreign, ludic_program_event_type(other, "signup")), LUDIC_OK);
	seen s;
	ludic_engine *e = new_engine(p, &s, 6);
	cr_assert_eq(ludic_engine_push_batch(NULL, NULL, 0, NULL), -1);
	cr_assert_eq(ludic_engine_push_batch(e, NULL, 2, NULL), -1);
	cr_assert_eq(ludic_engine_push_batch(e, NULL, 0, NULL), 0);
	const ludic_event *evs[6] = {t->ev[0], NULL, unready, t->ev[1], foreign, t->ev[2]};
	cr_assert_eq(ludic_engine_push_batch(e, evs, 6, s.results), 0);
	cr_assert_eq(s.results[0], LUDIC_APPLIED);
	cr_assert_eq(s.results[1], -1);
	cr_assert_eq(s.results[2], -1);
	cr_assert_eq(s.results[3], LUDIC_APPLIED);
	cr_assert_eq(s.results[4], -1);
	cr_assert_eq(s.results[5], LUDIC_APPLIED);
	cr_assert(strstr(ludic_engine_error(e), "another program") != NULL, "%s", ludic_engine_error(e));
	finish(e, &s);
	cr_assert_eq(s.stats.events, 3);
	cr_assert_eq(s.stats.customers, 3);
	seen_free(&s);
	ludic_event_free(unready);
	ludic_event_free(foreign);
	typed_free(t);
	ludic_program_free(p);
	ludic_program_free(other);
}

Test(typed, a_batch_from_a_callback_is_refused)
{
	ludic_program *p = retailer();
	typed_set *t = make_typed(p);
	seen s;
	ludic_engine *e = new_engine(p, &s, 200);
	s.try_nested = true;
	s.nested = 7;
	cr_assert_eq(ludic_engine_push_batch(e, (const ludic_event *const *)t->ev, 200, s.results), 0);
	cr_assert_eq(s.nested, -1);
	cr_assert(strstr(ludic_engine_error(e), "callback") != NULL, "%s", ludic_engine_error(e));
	s.try_nested = false;
	finish(e, &s);
	seen one;
	typed_one_by_one(p, t->ev, 200, &one);
	cr_assert_str_eq(one.effects.s, s.effects.s);
	cr_assert_str_eq(one.rejects.s, s.rejects.s);
	seen_free(&one);
	seen_free(&s);
	typed_free(t);
	ludic_program_free(p);
}
