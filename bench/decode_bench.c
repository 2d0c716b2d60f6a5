/* decode_bench.c — nanoseconds per event of the JSON decoder (runtime/decode.h).
 *
 *   ninja -C build decode-bench
 *   build/bench-gen --events 200000 --customers 10000 > /tmp/events.jsonl
 *   build/decode-bench [--lookup] [--slow] /tmp/events.jsonl [RUNS]
 *
 * Reads the whole file into memory, then decodes every line RUNS times
 * (default 5) against the schema of `program "bench" use retail`, and prints
 * each run's ns/event, the median, the MB/s, and the rejects (which should
 * be 0 on generated data). Only rt_decode_json is timed: no I/O, no engine.
 * With --lookup it also times the schema's name lookups (hash table)
 * against a linear scan of the same names, for the record. With --slow
 * the decoder skips its one-pass parser (rt_decoder_set_fast): jsmn and
 * the validator parse every line, as they did before that parser. The
 * times are the thread's CPU time (steadier on a shared machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile.h"
#include "decode.h"
#include "schema.h"
#include "bench.h"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b) {
				free(buf);
				buf = NULL;
			}
			buf = b;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Linear scan, for comparison with rt_schema_field's hash table. */
static int32_t linear_field(const rt_record *rec, const char *name, size_t len)
{
	for (uint32_t i = 0; i < rec->nfields; i++)
		if (rec->fields[i].name_len == len && memcmp(rec->fields[i].name, name, len) == 0)
			return (int32_t)i;
	return -1;
}

static void bench_lookup(const rt_schema *s)
{
	const char *keys[] = {"type", "id", "customer", "at", "lines", "total", "channel", "payment",
			      "checkout", "store", "region", "staff", "pickup", "unknown_extra"};
	const size_t nk = sizeof keys / sizeof *keys;
	size_t lens[sizeof keys / sizeof *keys];
	for (size_t i = 0; i < nk; i++)
		lens[i] = strlen(keys[i]);
	const rt_record *rec = &s->records[rt_schema_event(s, "purchase", 8)];
	const long rounds = 2000000;
	volatile int32_t sink = 0;
	double t0 = bench_now();
	for (long r = 0; r < rounds; r++)
		for (size_t i = 0; i < nk; i++)
			sink += rt_schema_field(rec, keys[i], lens[i]);
	double t1 = bench_now();
	for (long r = 0; r < rounds; r++)
		for (size_t i = 0; i < nk; i++)
			sink += linear_field(rec, keys[i], lens[i]);
	double t2 = bench_now();
	printf("field lookup (purchase, %zu keys): hash %.2f ns, linear %.2f ns per key\n", nk,
	       (t1 - t0) * 1e9 / (double)(rounds * (long)nk), (t2 - t1) * 1e9 / (double)(rounds * (long)nk));
	(void)sink;
}

int main(int argc, char **argv)
{
	int argi = 1;
	bool lookup = false, slow = false;
	for (; argi < argc && argv[argi][0] == '-'; argi++) {
		if (!strcmp(argv[argi], "--lookup"))
			lookup = true;
		else if (!strcmp(argv[argi], "--slow"))
			slow = true;
		else
			break;
	}
	if (argi >= argc) {
		fprintf(stderr, "usage: decode-bench [--lookup] [--slow] EVENTS.jsonl [RUNS]\n");
		return 2;
	}
	const char *path = argv[argi];
	int runs = argi + 1 < argc ? atoi(argv[argi + 1]) : 5;
	if (runs < 1)
		runs = 1;

	size_t len;
	char *text = read_all(path, &len);
	if (!text) {
		fprintf(stderr, "decode-bench: cannot read %s\n", path);
		return 1;
	}

	compilation c;
	cmp_init(&c);
	static const char prog[] = "program \"bench\"\nuse retail\n";
	cmp_add_text(&c, "bench.ludic", prog, sizeof prog - 1, false);
	cmp_check(&c);
	rt_schema *s = rt_schema_build(c.result);
	cmp_release(&c);
	rt_decoder *d = s ? rt_decoder_new(s) : NULL;
	if (!d) {
		fprintf(stderr, "decode-bench: cannot build the schema\n");
		return 1;
	}
	rt_decoder_set_fast(d, !slow);
	if (lookup)
		bench_lookup(s);

	double *ns = calloc((size_t)runs, sizeof *ns);
	size_t events = 0, rejects = 0;
	for (int r = 0; r < runs; r++) {
		events = rejects = 0;
		double t0 = cpu_now();
		for (size_t i = 0; i < len;) {
			const char *nl = memchr(text + i, '\n', len - i);
			size_t end = nl ? (size_t)(nl - text) : len;
			rt_event ev;
			rt_reject why;
			rt_decode_status st = rt_decode_json(d, text + i, end - i, &ev, &why);
			if (st == RT_DECODE_OK)
				events++;
			else if (st != RT_DECODE_EMPTY) {
				if (!rejects)
					fprintf(stderr, "first reject: %s: %s\n", rt_reject_code_name(why.code), why.message);
				rejects++;
			}
			i = end + 1;
		}
		double t = cpu_now() - t0;
		ns[r] = t * 1e9 / (double)(events ? events : 1);
		printf("run %d: %zu events, %.0f ns/event, %.0f MB/s\n", r + 1, events, ns[r], (double)len / t / 1e6);
	}
	qsort(ns, (size_t)runs, sizeof *ns, bench_cmp_double);
	printf("median: %.0f ns/event over %zu events (%.0f bytes/event), %zu rejects\n", ns[runs / 2], events,
	       events ? (double)len / (double)events : 0.0, rejects);
	free(ns);
	rt_decoder_free(d);
	rt_schema_free(s);
	free(text);
	return rejects ? 1 : 0;
}
