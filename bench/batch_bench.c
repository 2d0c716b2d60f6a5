/* batch_bench.c — the gain of the batch functions: ns per event of the
 * engine, one push per event against batches, typed and JSON Lines.
 *
 *   ninja -C build batch-bench bench-gen
 *   build/batch-bench [--events N] [--customers N] [--runs N] [--batch N]
 *                     [--paths typed,typed-batch,json,json-batch]
 *
 * The same stream, program and conversion as engine-bench (it is built from
 * bench/engine_bench.c, whose functions it reuses: the stream from
 * bench-gen, the retailer program, typed events as field settings). Four
 * paths, each on a fresh engine per run, only the pushes timed:
 *
 *   typed        one ludic_event filled then ludic_engine_push, per event;
 *   typed-batch  --batch events (default 256) filled into as many
 *                ludic_events, then one ludic_engine_push_batch;
 *   json         ludic_engine_push_json per line;
 *   json-batch   ludic_engine_push_json_batch per --batch lines.
 *
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), steadier than
 * the wall clock on a shared machine. It prints the median ns/event and events/s of each path, and checks that
 * every path gave the same effect counts and engine counters.
 */
#define main engine_bench_main
#include "engine_bench.c"
#undef main

#define MAX_BATCH 65536

/* CPU seconds of this thread: on a shared machine, time another process
 * holds the core is not counted (cache sharing still is). */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef enum { P_TYPED, P_TYPED_BATCH, P_JSON, P_JSON_BATCH, P_COUNT } path;
static const char *const path_names[P_COUNT] = {"typed", "typed-batch", "json", "json-batch"};

static int run_path(const ludic_program *p, const typed *t, const lines *l, path which, size_t batch, run_result *out)
{
	memset(out, 0, sizeof *out);
	ludic_engine_options opt = {.on_effect = on_effect, .effect_user = &out->fx, .on_reject = on_reject,
				    .reject_user = &out->fx};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK)
		return -1;
	size_t nev = which == P_TYPED_BATCH ? batch : 1;
	ludic_event **evs = xrealloc(NULL, nev * sizeof *evs);
	for (size_t i = 0; i < nev; i++)
		evs[i] = ludic_event_new(p);
	ludic_line *ls = xrealloc(NULL, batch * sizeof *ls);
	double t0 = cpu_now();
	switch (which) {
	case P_TYPED:
		for (size_t i = 0; i < t->n;) {
			fill(evs[0], t, &i, l->text);
			ludic_engine_push(e, evs[0]);
		}
		break;
	case P_TYPED_BATCH:
		for (size_t i = 0; i < t->n;) {
			size_t k = 0;
			while (k < batch && i < t->n)
				fill(evs[k++], t, &i, l->text);
			ludic_engine_push_batch(e, (const ludic_event *const *)evs, k, NULL);
		}
		break;
	case P_JSON:
		for (size_t i = 0; i < l->n; i++)
			ludic_engine_push_json(e, l->text + l->starts[i], line_len(l, i), i + 1);
		break;
	case P_JSON_BATCH:
		for (size_t i = 0; i < l->n;) {
			size_t k = 0;
			for (; k < batch && i < l->n; k++, i++)
				ls[k] = (ludic_line){l->text + l->starts[i], line_len(l, i), i + 1};
			ludic_engine_push_json_batch(e, ls, k, NULL);
		}
		break;
	case P_COUNT: break;
	}
	out->seconds = cpu_now() - t0;
	ludic_engine_stats_get(e, &out->stats);
	for (size_t i = 0; i < nev; i++)
		ludic_event_free(evs[i]);
	free(evs);
	free(ls);
	ludic_engine_free(e);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long events = 1000000, customers = 20000;
	int runs = 3;
	size_t batch = 256;
	bool want[P_COUNT] = {true, true, true, true};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "usage: batch-bench [--events N] [--customers N] [--runs N] [--batch N] [--paths LIST]\n");
			return 2;
		}
		i++;
		if (!strcmp(a, "--events"))
			events = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--customers"))
			customers = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--runs"))
			runs = atoi(v);
		else if (!strcmp(a, "--batch"))
			batch = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--paths")) {
			for (int k = 0; k < P_COUNT; k++) {
				const char *s = strstr(v, path_names[k]);
				size_t n = strlen(path_names[k]);
				/* a whole name, not "typed" inside "typed-batch" */
				while (s && s[n] && s[n] != ',')
					s = strstr(s + 1, path_names[k]);
				want[k] = s && (s == v || s[-1] == ',');
			}
		} else {
			fprintf(stderr, "batch-bench: unknown option %s\n", a);
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS || !events || !batch || batch > MAX_BATCH) {
		fprintf(stderr, "batch-bench: --runs 1 to %d, --events above 0, --batch 1 to %d\n", MAX_RUNS, MAX_BATCH);
		return 2;
	}
	ludic_program *p = load_program("examples/retailer");
	if (!p)
		return 1;
	char gen[4096], cmd[8192];
	const char *slash = strrchr(argv[0], '/');
	snprintf(gen, sizeof gen, "%.*sbench-gen", slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
	snprintf(cmd, sizeof cmd, "'%s' --events %llu --customers %llu", gen, events, customers);
	lines l = {0};
	FILE *f = popen(cmd, "r");
	if (!f || read_stream(f, &l) || pclose(f) != 0) {
		fprintf(stderr, "batch-bench: `%s` failed\n", cmd);
		return 1;
	}
	typed t = {0};
	converter cv = {p, ludic_event_new(p), l.text, &t, {0}};
	jsmntok_t *tok = xrealloc(NULL, 4096 * sizeof *tok);
	for (size_t i = 0; i < l.n; i++) {
		size_t before = t.n;
		if (convert_line(&cv, l.text + l.starts[i], line_len(&l, i), l.starts[i], tok, 4096))
			t.n = before;
	}
	free(tok);
	ludic_event_free(cv.scratch);
	printf("bench-gen --events %llu --customers %llu; batches of %zu\n", events, customers, batch);
	run_result first = {0};
	bool have_first = false;
	for (int k = 0; k < P_COUNT; k++) {
		if (!want[k])
			continue;
		double secs[MAX_RUNS];
		run_result r;
		for (int i = 0; i < runs; i++) {
			if (run_path(p, &t, &l, (path)k, batch, &r)) {
				fprintf(stderr, "batch-bench: could not make an engine\n");
				return 1;
			}
			secs[i] = r.seconds;
		}
		double med = bench_median(secs, runs), n = (double)(k < P_JSON ? t.events : l.n);
		printf("%-12s %6.0f ns/event  %9.0f events/s  (median of %d)\n", path_names[k], med * 1e9 / n, n / med, runs);
		if (!have_first) {
			first = r;
			have_first = true;
		} else if (memcmp(first.fx.by_kind, r.fx.by_kind, sizeof r.fx.by_kind) ||
			   first.stats.applied != r.stats.applied || first.stats.customers != r.stats.customers) {
			printf("WARNING: %s gave other effects or counters than %s\n", path_names[k], path_names[0]);
		}
	}
	ludic_program_free(p);
	return 0;
}
