/* test_jit.c — the native back end (compiler/jit.c, compiler/native.c)
 * against the interpreter, which is its reference: the same events through
 * an interpreting engine and a native one must give the same effects (as
 * JSON) and the same records, byte for byte.
 *
 *   - every op kind: a program written to make the lowering emit every op
 *     (checked: the test counts the ops its routines hold), plus every
 *     scenario's program and events (tests/scenarios);
 *   - the retailer (base + north overlay) over its sample events and over
 *     a bench-gen stream;
 *   - an internal compiler error (a context made invalid on purpose) is
 *     reported as one, and the engine goes on interpreting;
 *   - an object with a foreign ABI stamp, or none, is refused.
 *
 * Nothing is written to $HOME: every engine has no_cache set, and
 * LUDIC_CACHE_DIR points to a temporary folder all the same.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <libgccjit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ludic.h"
#include "../../compiler/jit.h"
#include "../../runtime/engine.h"

/* ---- a growable text ---- */

typedef struct buf {
	char *p;
	size_t len, cap;
} buf;

static void put(buf *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		cr_assert_not_null(b->p);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void puts_(buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* ---- sources ---- */

static const char *src_dir(void)
{
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	if (dir)
		return dir;
	FILE *probe = fopen("examples/retailer/base.ludic", "r");
	if (probe) {
		fclose(probe);
		return ".";
	}
	return ".."; /* meson runs tests in the build folder */
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	cr_assert(fread(s, 1, (size_t)n, f) == (size_t)n);
	s[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

static void setup(void)
{
	/* nothing may land in $HOME/.cache */
	static char dir[] = "/tmp/ludic-test-jit-XXXXXX";
	if (!getenv("LUDIC_CACHE_DIR") && mkdtemp(dir))
		setenv("LUDIC_CACHE_DIR", dir, 1);
}

/* A program from texts (inline sources) or from files/folders. */
static ludic_program *program_of(ludic_compiler *c)
{
	ludic_program *p = NULL;
	ludic_status s = ludic_program_new(c, &p);
	if (s != LUDIC_OK) {
		char *d = ludic_compiler_render_string(c, LUDIC_FORMAT_TEXT, 0);
		cr_log_error("%s", d ? d : "");
		free(d);
	}
	cr_assert_eq(s, LUDIC_OK);
	ludic_compiler_free(c);
	return p;
}

static ludic_program *program_text(const char *text)
{
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_compiler_add_source(c, "t.ludic", text, strlen(text), 0), LUDIC_OK);
	return program_of(c);
}

/* A .ludic file, or every .ludic file of a folder. */
static ludic_program *program_path(const char *path)
{
	ludic_compiler *c = ludic_compiler_new();
	size_t n = strlen(path);
	if (n > 6 && strcmp(path + n - 6, ".ludic") == 0) {
		cr_assert_eq(ludic_compiler_add_file(c, path, 0), LUDIC_OK, "%s", path);
	} else {
		DIR *d = opendir(path);
		cr_assert_not_null(d, "cannot open %s", path);
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t k = strlen(e->d_name);
			if (k > 6 && strcmp(e->d_name + k - 6, ".ludic") == 0) {
				char f[2048];
				snprintf(f, sizeof f, "%s/%s", path, e->d_name);
				cr_assert_eq(ludic_compiler_add_file(c, f, 0), LUDIC_OK, "%s", f);
			}
		}
		closedir(d);
	}
	return program_of(c);
}

/* ---- one run on one engine ---- */

static void on_effect(void *user, const ludic_effect *fx)
{
	char line[4096];
	ludic_effect_to_json(fx, line, sizeof line);
	puts_(user, line);
	puts_(user, "\n");
}

static void on_reject(void *user, const ludic_reject *r)
{
	buf *b = user;
	puts_(b, "reject ");
	puts_(b, r->code);
	puts_(b, "\n");
}

static int on_record(void *user, bool staff, rt_str id, const uint8_t *record, size_t size)
{
	buf *b = user;
	puts_(b, staff ? "staff " : "customer ");
	put(b, id.p, id.len);
	puts_(b, "\n");
	put(b, record, size);
	return 0;
}

/* A stream: JSON lines, and `until TIME` lines that let time pass. */
typedef struct run_out {
	buf effects, records;
	unsigned long long native_events;
	bool native;
} run_out;

static void run(const ludic_program *p, ludic_engine_kind kind, const char *stream, run_out *out)
{
	memset(out, 0, sizeof *out);
	ludic_engine_options o = {.on_effect = on_effect, .effect_user = &out->effects, .on_reject = on_reject,
				  .reject_user = &out->effects, .engine = kind, .no_cache = 1};
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, &o, &e), LUDIC_OK);
	ludic_engine_info info;
	ludic_engine_info_get(e, &info);
	if (kind == LUDIC_ENGINE_NATIVE)
		cr_assert(info.native, "native code does not run: %s", info.note ? info.note : "(no note)");
	unsigned long long line_no = 0;
	for (const char *l = stream; *l;) {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) : strlen(l);
		line_no++;
		if (n > 6 && strncmp(l, "until ", 6) == 0) {
			long long t;
			char why[200];
			cr_assert_eq(ludic_time_parse(l + 6, n - 6, &t, why, sizeof why), LUDIC_OK, "%s", why);
			cr_assert_eq(ludic_engine_advance(e, t), LUDIC_OK);
			puts_(&out->effects, "-- until\n");
		} else if (n) {
			ludic_engine_push_json(e, l, n, line_no);
		}
		l += n + (end != NULL);
	}
	rt_engine_each_record(e, on_record, &out->records);
	ludic_engine_info_get(e, &info);
	out->native = info.native;
	out->native_events = info.native_events;
	ludic_engine_free(e);
}

/* Runs `stream` on both back ends; returns the number of effect lines. */
static size_t both(const ludic_program *p, const char *stream, const char *what)
{
	run_out i, n;
	run(p, LUDIC_ENGINE_INTERP, stream, &i);
	run(p, LUDIC_ENGINE_NATIVE, stream, &n);
	cr_assert(n.native && !i.native, "%s: not one engine of each kind", what);
	cr_assert_eq(i.effects.len, n.effects.len, "%s: effects differ in length (%zu, %zu)", what, i.effects.len,
		     n.effects.len);
	if (i.effects.len) {
		const char *a = i.effects.p, *b = n.effects.p;
		size_t k = 0;
		while (k < i.effects.len && a[k] == b[k])
			k++;
		cr_assert_eq(k, i.effects.len, "%s: effects differ at byte %zu:\ninterp: %.300s\nnative: %.300s", what, k,
			     a + k, b + k);
	}
	cr_assert_eq(i.records.len, n.records.len, "%s: records differ in length", what);
	cr_assert(i.records.len == 0 || memcmp(i.records.p, n.records.p, i.records.len) == 0,
		  "%s: records differ", what);
	size_t lines = 0;
	for (size_t k = 0; k < i.effects.len; k++)
		lines += i.effects.p[k] == '\n';
	free(i.effects.p);
	free(i.records.p);
	free(n.effects.p);
	free(n.records.p);
	return lines;
}

/* ---- every op ---- */

#define OPS_PROGRAM                                                                                                    \
	"program \"ops\" version \"1\"\ncurrency EUR\ntimezone \"Europe/Paris\"\n"                                     \
	"record entry {\n  name: string\n  tags: list of string\n  n: count\n  maybe: count optional\n}\n"             \
	"event survey {\n  score: number\n  delta: number\n  label: string\n  other: string\n"                         \
	"  note: string optional\n  items: list of entry\n  opt: number optional\n  labels: list of string\n"           \
	"  k: count\n}\n"                                                                                              \
	"wallet points \"Points\"\n"                                                                                   \
	"rule \"Arith\" on survey:\n  award abs(delta) + max(score, delta) - min(score, 1) points rounded up\n"         \
	"rule \"Ceil\" on survey where score > delta and not (opt < 3) or delta <= score:\n"                           \
	"  award ceil(score * delta) points\n"                                                                         \
	"rule \"Neg\" on survey where -score < 0 and score != 7 and delta < 2 and delta > score:\n"                    \
	"  award 1 points\n  unlimited\n"                                                                              \
	"rule \"Mul\" on survey where score * delta >= 2 and score / delta > 1:\n  award max(score, 5) points\n"       \
	"rule \"Elem\" on survey where any(items where \"x\" in tags and maybe > 1 and name = label):\n"               \
	"  award 2 points\n  unlimited\n"                                                                              \
	"rule \"Elem2\" on survey where all(items where name != \"zz\" and \"y\" not in tags) and count(items) >= 1:\n" \
	"  award 3 points\n  unlimited\n"                                                                              \
	"rule \"Sets\" on survey where label in {\"a\", \"b\"} and any(items where name in {\"p\", \"q\"}):\n"         \
	"  award 4 points\n  unlimited\n"                                                                              \
	"rule \"Spend\" on survey where balance(points) >= 10:\n  debit 5 points\n"                                    \
	"  notify \"spent\" with (label = label, score = score)\n"                                                     \
	"rule \"Later\" when 2 days after survey where label = \"a\":\n  award opt + score points\n"                   \
	"rule \"Values\" on survey:\n  award 1 points\n    times 2 when opt = score or delta = score\n"                \
	"    times 3 when opt != score or delta != score\n    times 4 when opt < 3 or score != 2\n"                    \
	"    times 5 when opt > score or delta > score\n  limit 1 per day\n"                                           \
	"rule \"MinMax\" on survey where min(score, 2.5) > 1 and max(delta, 0.5) < 9:\n"                               \
	"  award sum(n of items) * count(items) points\n"                                                              \
	"rule \"In list\" on survey where \"x\" in labels and any(items where count(tags) >= 2):\n"                    \
	"  award 6 points\n  limit 1 per day\n"                                                                        \
	"rule \"Jumps\" on survey where any(items where name = \"k\" or \"z\" not in tags or name != other):\n"        \
	"  award 7 points\n  limit 1 per day\n"                                                                        \
	"rule \"Flags\" on survey:\n"                                                                                  \
	"  notify \"flags\" with (low = score < 3, other = score != 2, same = score = delta, klow = k < 3, kother = k != 2)\n" \
	"rule \"Halves\" on survey:\n"                                                                                 \
	"  notify \"halves\" with (q = score / 4, r = delta / 8, m = score * 1.5, n = score * 0.25)\n"                 \
	"rule \"All gt\" on survey where all(items where n > k):\n  award 10 points\n  limit 1 per day\n"              \
	"rule \"All eq\" on survey where all(items where n = k):\n  award 11 points\n  limit 1 per day\n"              \
	"rule \"All ne\" on survey where all(items where n != k):\n  award 12 points\n  limit 1 per day\n"             \
	"rule \"All name\" on survey where all(items where name = \"k\"):\n  award 13 points\n  limit 1 per day\n"     \
	"rule \"Any tag\" on survey where any(items where \"z\" in tags):\n  award 14 points\n  limit 1 per day\n"

/* Surveys with every kind of value: optional fields present and absent,
 * empty and full lists, negative numbers, equal and unequal pairs. */
static char *ops_stream(void)
{
	static const char *const items[] = {
		"[]",
		"[{\"name\":\"k\",\"tags\":[\"x\",\"z\"],\"n\":2,\"maybe\":3}]",
		"[{\"name\":\"a\",\"tags\":[\"x\"],\"n\":1},{\"name\":\"p\",\"tags\":[\"y\",\"w\"],\"n\":4,\"maybe\":0}]",
		"[{\"name\":\"zz\",\"tags\":[],\"n\":3},{\"name\":\"k\",\"tags\":[\"w\",\"x\",\"z\"],\"n\":3,\"maybe\":9}]",
	};
	/* with ten-thousandths that make halves in `/ 4`, `/ 8`, `* 1.5`, `* 0.25` */
	static const char *const scores[] = {"1.5",    "-2.25",  "3",      "0",       "7",      "12.125",
					     "2",      "-0.5",   "0.0002", "0.0006", "-0.0002", "-0.0006",
					     "0.0001", "0.0003", "0.0004", "-0.0003", "0.0012", "-0.0004"};
	static const char *const labels[] = {"a", "b", "k", "p", ""};
	buf b = {0};
	int id = 0;
	for (int day = 0; day < 6; day++) {
		for (int c = 0; c < 5; c++) {
			for (int v = 0; v < 3; v++) {
				char line[1024];
				int x = day * 7 + c * 3 + v;
				const char *opt = x % 3 == 0 ? "" : x % 3 == 1 ? ",\"opt\":2" : ",\"opt\":-4.5";
				const char *note = x % 4 == 0 ? ",\"note\":\"n\"" : "";
				snprintf(line, sizeof line,
					 "{\"type\":\"survey\",\"id\":\"s%d\",\"customer\":\"c%d\",\"at\":\"2027-03-%02dT%02d:%02d:00+01:00\","
					 "\"score\":%s,\"delta\":%s,\"label\":\"%s\",\"other\":\"%s\",\"items\":%s,\"labels\":%s,\"k\":%d%s%s}\n",
					 id++, c, 1 + day * 3, 9 + v, c * 7, scores[x % 18], scores[(x / 2 + c) % 18], labels[x % 5],
					 labels[(x + v) % 5], items[(x + c) % 4], x % 2 ? "[\"x\",\"q\"]" : "[]", x % 4, opt, note);
				puts_(&b, line);
			}
		}
	}
	puts_(&b, "until 2027-04-01T00:00:00+01:00\n");
	return b.p;
}

Test(jit, every_op, .init = setup)
{
	ludic_program *p = program_text(OPS_PROGRAM);
	/* the ops its routines hold, with those of the examples' programs
	 * (examples/, which the scenarios test runs): every op but NOP (the optimiser removes
	 * them) and JSNINE (no lowering emits it today; it is translated as
	 * JSINE is, with the condition the other way) */
	bool seen[IR_OP_COUNT] = {0};
	ludic_program *progs[64];
	size_t nprogs = 0;
	progs[nprogs++] = p;
	char path[2048];
	snprintf(path, sizeof path, "%s/examples/retailer", src_dir());
	progs[nprogs++] = program_path(path);
	snprintf(path, sizeof path, "%s/examples/overlays", src_dir());
	progs[nprogs++] = program_path(path);
	snprintf(path, sizeof path, "%s/examples", src_dir());
	DIR *d = opendir(path);
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d)) && nprogs < 64;) {
		size_t k = strlen(e->d_name);
		if (k > 6 && strcmp(e->d_name + k - 6, ".ludic") == 0) {
			char f[4096];
			snprintf(f, sizeof f, "%s/%s", path, e->d_name);
			progs[nprogs++] = program_path(f);
		}
	}
	closedir(d);
	for (size_t k = 0; k < nprogs; k++) {
		const rt_program *rp = progs[k]->rp;
		for (uint32_t e = 0; e <= rp->r->nrecords + rp->r->nladders; e++) {
			const ir_routine *r = e < rp->r->nrecords ? &rp->events[e]
					      : e == rp->r->nrecords ? &rp->day : &rp->metrics[e - rp->r->nrecords - 1];
			for (uint32_t i = 0; i < r->nops; i++)
				seen[r->ops[i].op] = true;
		}
	}
	for (int op = 0; op < IR_OP_COUNT; op++)
		if (op != IR_NOP && op != IR_JSNINE)
			cr_expect(seen[op], "no program of this test uses op %s: add one that does", ir_op_names[op]);
	for (size_t k = 1; k < nprogs; k++)
		ludic_program_free(progs[k]);

	char *stream = ops_stream();
	cr_assert_gt(both(p, stream, "ops"), 100);
	free(stream);
	ludic_program_free(p);
}

/* Every scenario's program over its events and `until` lines. */
Test(jit, scenarios, .init = setup, .timeout = 300)
{
	char dir[2048];
	snprintf(dir, sizeof dir, "%s/tests/scenarios", src_dir());
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	struct dirent *e;
	int nscen = 0;
	while ((e = readdir(d))) {
		size_t k = strlen(e->d_name);
		if (k < 10 || strcmp(e->d_name + k - 9, ".scenario") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		char *text = slurp(path, NULL);
		buf stream = {0};
		char prog[4096] = "";
		for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
			if (strncmp(l, "program ", 8) == 0)
				snprintf(prog, sizeof prog, "%s/%s", dir, l + 8);
			else if (l[0] == '{' || strncmp(l, "until ", 6) == 0) {
				puts_(&stream, l);
				puts_(&stream, "\n");
			}
		}
		cr_assert(prog[0], "%s has no program line", e->d_name);
		size_t n = strlen(prog);
		if (prog[n - 1] == '/')
			prog[n - 1] = 0;
		ludic_program *p = program_path(prog);
		both(p, stream.p ? stream.p : "", e->d_name);
		ludic_program_free(p);
		free(stream.p);
		free(text);
		nscen++;
	}
	closedir(d);
	cr_assert_gt(nscen, 10);
}

/* ---- the retailer ---- */

static ludic_program *retailer(void)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/examples/retailer", src_dir());
	return program_path(path);
}

Test(jit, retailer_sample_events, .init = setup)
{
	ludic_program *p = retailer();
	char path[2048];
	snprintf(path, sizeof path, "%s/examples/retailer/events.jsonl", src_dir());
	char *events = slurp(path, NULL);
	cr_assert_gt(both(p, events, "retailer events.jsonl"), 100);
	free(events);
	ludic_program_free(p);
}

Test(jit, retailer_generated_stream, .init = setup, .timeout = 300)
{
	const char *gen = getenv("BENCH_GEN");
	cr_assert_not_null(gen, "BENCH_GEN is not set: run this test through `meson test`");
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' --events 20000 --customers 1500 --seed 7", gen);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	buf stream = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		put(&stream, chunk, n);
	cr_assert_eq(pclose(f), 0);
	puts_(&stream, "until 2030-01-01T00:00:00Z\n");
	ludic_program *p = retailer();
	cr_assert_gt(both(p, stream.p, "retailer bench-gen stream"), 20000);
	free(stream.p);
	ludic_program_free(p);
}

/* ---- failures ---- */

Test(jit, internal_error_falls_back_to_the_interpreter, .init = setup)
{
	ludic_program *p = program_text(OPS_PROGRAM);
	char so[] = "/tmp/ludic-test-jit-XXXXXX";
	int fd = mkstemp(so);
	cr_assert_geq(fd, 0);
	close(fd);
	rt_jit_test_break = true;
	char err[512] = "";
	bool ok = rt_jit_compile(p->rp, 0, so, err, sizeof err);
	cr_expect_not(ok);
	cr_expect(strstr(err, "internal compiler error in the native back end: "), "%s", err);
	cr_expect(strstr(err, "gcc_jit_context_new_binary_op"), "libgccjit's own message is missing: %s", err);
	cr_expect(strstr(err, "please report it"), "%s", err);

	/* the engine says so, and runs every event on the interpreter */
	run_out broken;
	ludic_engine_options o = {.engine = LUDIC_ENGINE_NATIVE, .no_cache = 1, .on_effect = on_effect,
				  .effect_user = &broken.effects};
	memset(&broken, 0, sizeof broken);
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, &o, &e), LUDIC_OK);
	ludic_engine_info info;
	ludic_engine_info_get(e, &info);
	cr_expect_not(info.native);
	cr_assert_not_null(info.note);
	cr_expect(strstr(info.note, "internal compiler error in the native back end"), "%s", info.note);
	char *stream = ops_stream();
	for (const char *l = stream; *l;) {
		const char *end = strchr(l, '\n');
		if (l[0] == '{')
			cr_expect_eq(ludic_engine_push_json(e, l, (size_t)(end - l), 1), LUDIC_APPLIED);
		l = end + 1;
	}
	ludic_engine_info_get(e, &info);
	cr_expect_eq(info.native_events, 0);
	cr_expect_gt(info.interp_events, 50);
	ludic_engine_free(e);
	rt_jit_test_break = false;

	/* the same program compiles once the hook is off */
	cr_expect(rt_jit_compile(p->rp, 0, so, err, sizeof err), "%s", err);
	unlink(so);
	free(stream);
	free(broken.effects.p);
	ludic_program_free(p);
}

/* libgccjit keeps some memory for good (compiler/jit.c says more). */
extern void __lsan_disable(void) __attribute__((weak));
extern void __lsan_enable(void) __attribute__((weak));

/* A shared object that looks like native code but carries another stamp. */
static void *foreign_object(const char *so, const char *stamp)
{
	if (__lsan_disable)
		__lsan_disable();
	gcc_jit_context *c = gcc_jit_context_acquire();
	gcc_jit_context_set_bool_print_errors_to_stderr(c, 0);
	gcc_jit_type *cp = gcc_jit_context_get_type(c, GCC_JIT_TYPE_CONST_CHAR_PTR);
	gcc_jit_type *vp = gcc_jit_context_get_type(c, GCC_JIT_TYPE_VOID_PTR);
	gcc_jit_context_new_global(c, NULL, GCC_JIT_GLOBAL_EXPORTED, vp, "ludic_jit_helpers");
	gcc_jit_function *f = gcc_jit_context_new_function(c, NULL, GCC_JIT_FUNCTION_EXPORTED, cp, "ludic_jit_abi", 0,
							   NULL, 0);
	gcc_jit_block_end_with_return(gcc_jit_function_new_block(f, NULL), NULL,
				      gcc_jit_context_new_string_literal(c, stamp));
	gcc_jit_context_compile_to_file(c, GCC_JIT_OUTPUT_KIND_DYNAMIC_LIBRARY, so);
	cr_assert_null(gcc_jit_context_get_first_error(c));
	gcc_jit_context_release(c);
	if (__lsan_enable)
		__lsan_enable();
	void *dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	cr_assert_not_null(dl, "%s", dlerror());
	return dl;
}

Test(jit, foreign_stamp_is_refused, .init = setup)
{
	ludic_program *p = program_text(OPS_PROGRAM);
	char so[] = "/tmp/ludic-test-jit-XXXXXX";
	int fd = mkstemp(so);
	cr_assert_geq(fd, 0);
	close(fd);
	char err[512] = "";

	/* a stale stamp: this build's, one version older */
	char stamp[1024], stale[1100];
	rt_jit_abi_stamp(stamp, sizeof stamp);
	snprintf(stale, sizeof stale, "%s; built yesterday", stamp);
	void *dl = foreign_object(so, stale);
	cr_expect_null(rt_jit_bind(p->rp, dl, err, sizeof err));
	cr_expect(strstr(err, "another build of ludic or libgccjit"), "%s", err);
	dlclose(dl);

	/* the right stamp, but none of the program's functions */
	char so2[] = "/tmp/ludic-test-jit-XXXXXX";
	fd = mkstemp(so2);
	cr_assert_geq(fd, 0);
	close(fd);
	dl = foreign_object(so2, stamp);
	err[0] = 0;
	cr_expect_null(rt_jit_bind(p->rp, dl, err, sizeof err));
	cr_expect(strstr(err, "made for another program"), "%s", err);
	dlclose(dl);

	/* no stamp at all: this test program itself */
	dl = dlopen(NULL, RTLD_NOW);
	err[0] = 0;
	cr_expect_null(rt_jit_bind(p->rp, dl, err, sizeof err));
	cr_expect(strstr(err, "no ABI stamp"), "%s", err);
	dlclose(dl);

	/* and the real thing binds */
	cr_assert(rt_jit_compile(p->rp, 1, so, err, sizeof err), "%s", err);
	dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	cr_assert_not_null(dl);
	rt_native *n = rt_jit_bind(p->rp, dl, err, sizeof err);
	cr_expect_not_null(n, "%s", err);
	rt_native_free(n);
	unlink(so);
	unlink(so2);
	ludic_program_free(p);
}

/* The key text names what the code depends on: the same program gives the
 * same text; another program, or another level, another text. */
Test(jit, key_text, .init = setup)
{
	ludic_program *a = program_text(OPS_PROGRAM), *b = program_text(OPS_PROGRAM);
	ludic_program *c = program_text("program \"x\" version \"1\"\nuse retail\ncurrency EUR\n"
					"wallet points \"Points\"\n"
					"rule \"Earn\" on purchase:\n  award total / 1 EUR points\n");
	char *ta = NULL, *tb = NULL, *tc = NULL, *t3 = NULL;
	size_t la, lb, lc, l3;
	FILE *f = open_memstream(&ta, &la);
	cr_assert(rt_jit_key_text(a->rp, 0, f));
	fclose(f);
	f = open_memstream(&tb, &lb);
	cr_assert(rt_jit_key_text(b->rp, 2, f));
	fclose(f);
	f = open_memstream(&tc, &lc);
	cr_assert(rt_jit_key_text(c->rp, 0, f));
	fclose(f);
	f = open_memstream(&t3, &l3);
	cr_assert(rt_jit_key_text(a->rp, 3, f));
	fclose(f);
	cr_expect(la == lb && memcmp(ta, tb, la) == 0, "the same program at -O0 (default) and -O2 differ");
	cr_expect(la != lc || memcmp(ta, tc, la) != 0);
	cr_expect(la != l3 || memcmp(ta, t3, la) != 0);
	char stamp[1024];
	rt_jit_abi_stamp(stamp, sizeof stamp);
	cr_expect(strstr(ta, stamp), "the key text lacks the ABI stamp");
	cr_expect(strstr(ta, "spent"), "the key text lacks the templates");
	free(ta);
	free(tb);
	free(tc);
	free(t3);
	ludic_program_free(a);
	ludic_program_free(b);
	ludic_program_free(c);
}

/* rt_native_load: native code on success; on a temporary folder that
 * cannot be written, a message that says which and how to fix it. */
Test(jit, native_load, .init = setup)
{
	ludic_program *p = program_text(OPS_PROGRAM);
	rt_native_options o = {.no_cache = true};
	rt_native_info info;
	rt_native *n = rt_native_load(p->rp, &o, &info);
	cr_assert_not_null(n, "%s", info.error);
	cr_expect_eq(info.error[0], 0);
	cr_expect_gt(info.ms, 0);
	cr_expect_not(info.from_cache);
	rt_native_free(n);

	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	setenv("TMPDIR", "/nonexistent/ludic-test-jit", 1);
	n = rt_native_load(p->rp, &o, &info);
	cr_expect_null(n);
	cr_expect(strstr(info.error, "/nonexistent/ludic-test-jit"), "%s", info.error);
	cr_expect(strstr(info.error, "set TMPDIR"), "%s", info.error);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	ludic_program_free(p);
}

/* ---- the cache, through engines ---- */

static ludic_engine_info native_engine(const ludic_program *p, const char *dir)
{
	ludic_engine_options o = {.engine = LUDIC_ENGINE_NATIVE, .cache_dir = dir};
	ludic_engine *e = NULL;
	cr_assert_eq(ludic_engine_new(p, &o, &e), LUDIC_OK);
	ludic_engine_info in;
	ludic_engine_info_get(e, &in);
	static char note[1024];
	snprintf(note, sizeof note, "%s", in.cache_note ? in.cache_note : "");
	in.cache_note = note[0] ? note : NULL;
	in.note = NULL;
	ludic_engine_free(e);
	return in;
}

/* The first engine compiles and keeps the object; the next loads it; an
 * entry cut short is detected, rebuilt, and said so. */
Test(jit, cache_through_engines, .init = setup)
{
	ludic_program *p = program_text(OPS_PROGRAM);
	char dir[] = "/tmp/ludic-test-jit-cache-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	ludic_engine_info a = native_engine(p, dir);
	cr_expect(a.native);
	cr_expect_not(a.from_cache);
	ludic_engine_info b = native_engine(p, dir);
	cr_expect(b.native);
	cr_expect(b.from_cache, "the second engine compiled again");
	cr_expect_null(b.cache_note);

	/* cut the entry in half */
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	struct dirent *de;
	char entry[2048] = "";
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".so"))
			snprintf(entry, sizeof entry, "%s/%s", dir, de->d_name);
	closedir(d);
	cr_assert_neq(entry[0], 0, "no entry in the cache folder");
	struct stat st;
	cr_assert_eq(stat(entry, &st), 0);
	cr_assert_eq(truncate(entry, st.st_size / 2), 0);
	ludic_engine_info c = native_engine(p, dir);
	cr_expect(c.native, "a damaged entry must be rebuilt, not stop native code");
	cr_expect_not(c.from_cache);
	cr_expect_not_null(c.cache_note);
	if (c.cache_note)
		cr_expect(strstr(c.cache_note, "truncated"), "%s", c.cache_note);
	ludic_engine_info again = native_engine(p, dir);
	cr_expect(again.from_cache, "the rebuilt entry was not kept");

	char cmd[2100];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
	ludic_program_free(p);
}
