/* replay.c — applies a program to a JSON Lines stream and writes what came out.
 *
 * usage: replay [--effects FILE] [--balances FILE] [--rejects FILE] [--until TIME] RULES.ludic...
 *        < events.jsonl
 *
 * The test driver of tests/realdata/realdata.sh, a small client of the public
 * API (include/ludic.h) only:
 *   --effects FILE   every effect, one JSON line each (ludic_effect_to_json)
 *   --rejects FILE   every reject: "LINE CODE FIELD MESSAGE"
 *   --balances FILE  at the end, for every customer that had an effect, each
 *                    wallet: "CUSTOMER WALLET BALANCE PENDING EARNED"
 *   --until TIME     lets time pass up to TIME (YYYY-MM-DDTHH:MM:SSZ) after
 *                    the last line (ludic_engine_advance)
 * and prints a one-line summary to stdout:
 *   lines N applied N duplicates N rejected N anonymous N customers N effects N
 * Exit status: 0, or 1 when the program does not compile or a file cannot be
 * opened, 2 for a usage error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ludic.h"

/* The ids of the customers that had an effect: an open-addressing set. */
typedef struct {
	char **slot;
	size_t cap, n;
} idset;

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int idset_add(idset *s, const char *id)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		char **slot = calloc(cap, sizeof *slot);
		if (!slot)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				for (size_t j = fnv(s->slot[i]) & (cap - 1);; j = (j + 1) & (cap - 1))
					if (!slot[j]) {
						slot[j] = s->slot[i];
						break;
					}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	for (size_t j = fnv(id) & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
		if (!s->slot[j]) {
			s->slot[j] = strdup(id);
			if (!s->slot[j])
				return -1;
			s->n++;
			return 0;
		}
		if (!strcmp(s->slot[j], id))
			return 0;
	}
}

static int cmp_str(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	return strcmp(x ? x : "", y ? y : "");
}

typedef struct {
	FILE *effects, *rejects;
	idset customers;
	unsigned long long nfx;
	bool nomem;
} sink;

static void on_effect(void *user, const ludic_effect *fx)
{
	sink *s = user;
	s->nfx++;
	if (s->effects) {
		char buf[4096];
		size_t n = ludic_effect_to_json(fx, buf, sizeof buf);
		if (n < sizeof buf)
			fprintf(s->effects, "%s\n", buf);
		else {
			char *big = malloc(n + 1);
			if (big) {
				ludic_effect_to_json(fx, big, n + 1);
				fprintf(s->effects, "%s\n", big);
				free(big);
			} else
				s->nomem = true;
		}
	}
	if (fx->customer && !fx->staff && idset_add(&s->customers, fx->customer))
		s->nomem = true;
}

static void on_reject(void *user, const ludic_reject *r)
{
	sink *s = user;
	if (s->rejects)
		fprintf(s->rejects, "%llu %s %s %s\n", r->line, r->code, r->field ? r->field : "-", r->message);
}

static long long parse_utc(const char *t, bool *ok)
{
	int y, mo, d, h, mi, se;
	char z;
	*ok = sscanf(t, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &z) == 7 && z == 'Z';
	long long yy = y - (mo <= 2);
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 + se;
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "replay: cannot write %s\n", path);
	return f;
}

int main(int argc, char **argv)
{
	sink s = {0};
	const char *balances = NULL, *until = NULL;
	ludic_compiler *c = ludic_compiler_new();
	int files = 0;
	if (!c)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool opt = !strcmp(a, "--effects") || !strcmp(a, "--rejects") || !strcmp(a, "--balances") ||
			   !strcmp(a, "--until");
		if (opt && i + 1 >= argc) {
			fprintf(stderr, "replay: %s needs a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--effects")) {
			if (!(s.effects = open_out(argv[++i])))
				return 1;
		} else if (!strcmp(a, "--rejects")) {
			if (!(s.rejects = open_out(argv[++i])))
				return 1;
		} else if (!strcmp(a, "--balances"))
			balances = argv[++i];
		else if (!strcmp(a, "--until"))
			until = argv[++i];
		else if (a[0] == '-') {
			fprintf(stderr, "replay: unknown option `%s`\n"
					"usage: replay [--effects F] [--balances F] [--rejects F] [--until TIME] RULES.ludic... < events.jsonl\n",
				a);
			return 2;
		} else {
			ludic_compiler_add_file(c, a, 0);
			files++;
		}
	}
	if (!files) {
		fputs("replay: give the rule files\n", stderr);
		return 2;
	}
	ludic_program *p = NULL;
	if (ludic_program_new(c, &p) != LUDIC_OK) {
		ludic_compiler_render(c, stderr, LUDIC_FORMAT_TEXT, 0);
		ludic_compiler_free(c);
		return 1;
	}
	ludic_compiler_free(c);

	ludic_engine_options opt = {.on_effect = on_effect, .effect_user = &s, .on_reject = on_reject, .reject_user = &s};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK) {
		fputs("replay: cannot make an engine\n", stderr);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long long ln = 0;
	while ((len = getline(&line, &cap, stdin)) > 0)
		ludic_engine_push_json(e, line, (size_t)len, ++ln);
	free(line);
	if (until) {
		bool ok;
		long long t = parse_utc(until, &ok);
		if (!ok) {
			fprintf(stderr, "replay: --until wants YYYY-MM-DDTHH:MM:SSZ, got `%s`\n", until);
			return 2;
		}
		ludic_engine_advance(e, t);
	}

	if (balances) {
		FILE *f = open_out(balances);
		if (!f)
			return 1;
		/* in id order, so that two runs give the same bytes */
		qsort(s.customers.slot, s.customers.cap, sizeof *s.customers.slot, cmp_str);
		for (size_t i = 0; i < s.customers.cap; i++) {
			const char *id = s.customers.slot[i];
			if (!id)
				continue;
			ludic_customer_view v;
			if (ludic_engine_customer(e, id, strlen(id), &v) != LUDIC_OK)
				continue;
			for (size_t w = 0; w < v.nbalances; w++)
				fprintf(f, "%s %s %lld %lld %lld\n", id, v.balances[w].wallet, v.balances[w].balance,
					v.balances[w].pending, v.balances[w].earned);
		}
		fclose(f);
	}
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	printf("lines %llu applied %llu duplicates %llu rejected %llu anonymous %llu customers %llu effects %llu\n", ln,
	       st.applied, st.duplicates, st.rejected, st.anonymous, st.customers, s.nfx);
	for (size_t i = 0; i < s.customers.cap; i++)
		free(s.customers.slot[i]);
	free(s.customers.slot);
	if (s.effects)
		fclose(s.effects);
	if (s.rejects)
		fclose(s.rejects);
	ludic_engine_free(e);
	ludic_program_free(p);
	if (s.nomem) {
		fputs("replay: out of memory\n", stderr);
		return 1;
	}
	return 0;
}
