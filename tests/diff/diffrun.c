/* diffrun.c — runs one program on one stream of events on two engines (the
 * interpreter and native code, by default) and compares everything they
 * give, byte for byte: each event's push result, every effect (as
 * ludic_effect_to_json writes it), every reject, the effects of time
 * passing, the engine counters, and at the end every customer's and staff
 * member's record (rt_engine_each_record).
 *
 *   diffrun [options] PROGRAM... EVENTS
 *
 * PROGRAM is a .ludic file, a base program and its overlays (several files),
 * or a folder of them.
 * EVENTS is a JSON Lines file. Exit status: 0 the two engines agree, 1 they
 * differ (the first difference is reported: which event line, which effect,
 * or which customer, byte and layout field), 2 the run could not be made
 * (bad options, a program with errors, native code asked for but not
 * running in a build that has a native back end).
 *
 * --self-test proves that the comparison catches differences: it runs the
 * same input three more times with one side perturbed (one effect dropped,
 * one record byte flipped, one push result changed) and fails unless each
 * perturbation is reported. docs/testing.md ("Both back ends give the same
 * results") explains how tests/diff uses it.
 *
 * Linked with the internal library: it reads the records and the layout.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "engine.h"
#include "ir.h"
#include "ludic.h"
#include "native.h"

enum { EXIT_SAME = 0, EXIT_DIFF = 1, EXIT_FAIL = 2 };

/* ---- small helpers ---- */

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("diffrun: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_FAIL);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xrealloc(NULL, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot read `%s`: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *b = xrealloc(NULL, cap);
	size_t got;
	while ((got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			b = xrealloc(b, cap *= 2);
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad)
		die("cannot read `%s`", path);
	b[n] = 0;
	*len = n;
	return b;
}

/* ---- what one engine said: a list of strings ---- */

typedef struct strlist {
	char **s;
	size_t n, cap;
} strlist;

static void sl_push(strlist *l, char *s)
{
	if (l->n == l->cap)
		l->s = xrealloc(l->s, (l->cap = l->cap ? l->cap * 2 : 16) * sizeof *l->s);
	l->s[l->n++] = s;
}

static void sl_clear(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	l->n = 0;
}

/* A deliberate difference, for --self-test (on side b only). */
typedef enum perturb {
	PERTURB_NONE,
	PERTURB_DROP_EFFECT,   /* the first effect of the run is not recorded */
	PERTURB_FLIP_BYTE,     /* one byte of one record is flipped before comparing */
	PERTURB_RESULT,        /* the first push result is changed */
} perturb;

typedef struct side {
	const char *label;      /* "interp", "native" */
	ludic_engine *e;
	strlist effects;        /* this round's effects, as JSON */
	strlist rejects;        /* this round's rejects, in words */
	perturb perturb;
	bool dropped;           /* PERTURB_DROP_EFFECT done */
} side;

static void on_effect(void *user, const ludic_effect *fx)
{
	side *s = user;
	char small[1024];
	size_t n = ludic_effect_to_json(fx, small, sizeof small);
	char *j;
	if (n < sizeof small) {
		j = xstrndup(small, n);
	} else {
		j = xrealloc(NULL, n + 1);
		ludic_effect_to_json(fx, j, n + 1);
	}
	if (s->perturb == PERTURB_DROP_EFFECT && !s->dropped) {
		s->dropped = true;
		free(j);
		return;
	}
	sl_push(&s->effects, j);
}

/* A new string, printf-style. */
static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *t = xrealloc(NULL, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(t, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return t;
}

static void on_reject(void *user, const ludic_reject *r)
{
	side *s = user;
	sl_push(&s->rejects, xprintf("code=%s line=%llu column=%u field=%s event=%s message=%s", r->code, r->line,
				     r->column, r->field ? r->field : "(none)", r->event_id ? r->event_id : "(none)",
				     r->message ? r->message : ""));
}

/* ---- options ---- */

typedef struct advance {
	unsigned long long after;  /* let time pass once this many lines were pushed */
	long long t;               /* up to this time */
	const char *text;          /* as written, for reports */
	char *owned;               /* the copy `text` points into, from a schedule file */
} advance;

typedef struct options {
	const char **programs;     /* one folder, or one or more files (a base and its overlays) */
	size_t nprograms;
	const char *program;       /* the first, for reports */
	const char *events;
	ludic_engine_kind kind[2];
	advance *adv; size_t nadv;
	bool no_cache;
	size_t batch;              /* --b-batch: side b takes lines in batches of this many (0: one by one) */
	bool self_test;
	bool quiet;
} options;

static const char *kind_name(ludic_engine_kind k)
{
	return k == LUDIC_ENGINE_INTERP ? "interp" : k == LUDIC_ENGINE_NATIVE ? "native" : "auto";
}

static ludic_engine_kind parse_kind(const char *v)
{
	if (strcmp(v, "interp") == 0)
		return LUDIC_ENGINE_INTERP;
	if (strcmp(v, "native") == 0)
		return LUDIC_ENGINE_NATIVE;
	if (strcmp(v, "auto") == 0)
		return LUDIC_ENGINE_AUTO;
	die("unknown engine `%s`: write interp, native or auto", v);
	return LUDIC_ENGINE_AUTO;
}

static long long parse_time(const char *v)
{
	long long t;
	char why[160];
	if (ludic_time_parse(v, strlen(v), &t, why, sizeof why) != LUDIC_OK)
		die("`%s` is not a time: %s (write RFC 3339, e.g. 2027-04-01T00:00:00+02:00)", v, why);
	return t;
}

/* "TIME" (after the last line) or "LINE TIME" / "LINE@TIME" (after line LINE). */
static void add_advance(options *o, const char *spec, char *owned)
{
	while (*spec == ' ' || *spec == '\t')
		spec++;
	advance a = {.after = ~0ULL, .text = spec, .owned = owned};
	const char *sep = strpbrk(spec, " @");
	if (sep && sep > spec && strspn(spec, "0123456789") == (size_t)(sep - spec)) {
		a.after = strtoull(spec, NULL, 10);
		a.text = sep + 1;
	}
	a.t = parse_time(a.text);
	o->adv = xrealloc(o->adv, (o->nadv + 1) * sizeof *o->adv);
	o->adv[o->nadv++] = a;
}

/* A file of advances, one per line, as add_advance reads them (tests/bugs/SEED.until). */
static void add_schedule(options *o, const char *path)
{
	size_t len;
	char *text = read_all(path, &len);
	for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
		if (*line == '#' || strspn(line, " \t") == strlen(line))
			continue;
		char *copy = xstrndup(line, strlen(line));
		add_advance(o, copy, copy);
	}
	free(text);
}

static const char usage[] =
	"usage: diffrun [options] PROGRAM... EVENTS\n"
	"  runs PROGRAM (a .ludic file, a base and its overlays, or a folder of them) on the\n"
	"  JSON Lines file EVENTS on two engines and compares everything, byte for byte\n"
	"options:\n"
	"  --a=interp|native|auto   the first engine (default interp)\n"
	"  --b=interp|native|auto   the second engine (default native)\n"
	"  --until TIME             let time pass up to TIME (RFC 3339) after the last event\n"
	"  --advance LINE@TIME      let time pass up to TIME after event line LINE (repeatable)\n"
	"  --schedule FILE          advances from FILE, one per line: `TIME` or `LINE TIME`\n"
	"  --b-batch N              give the second engine the lines in batches of N\n"
	"                           (ludic_engine_push_json_batch); the first takes them one by one\n"
	"  --no-cache               compile native code, neither reading nor writing the cache\n"
	"  --self-test              also prove that a perturbed run is reported as different\n"
	"  --quiet                  print nothing when the engines agree\n"
	"exit status: 0 same, 1 different, 2 could not compare\n";

static void parse_args(int argc, char **argv, options *o)
{
	o->kind[0] = LUDIC_ENGINE_INTERP;
	o->kind[1] = LUDIC_ENGINE_NATIVE;
	const char **ops = xrealloc(NULL, (size_t)argc * sizeof *ops);
	int nops = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
#define VALUE(name)                                                                                  \
	(strncmp(a, name "=", sizeof name) == 0 ? (v = a + sizeof name, true)                         \
	 : strcmp(a, name) == 0                   ? (i + 1 < argc ? (v = argv[++i], true)              \
									: (die("%s needs a value", name), false)) \
						  : false)
		if (VALUE("--a"))
			o->kind[0] = parse_kind(v);
		else if (VALUE("--b"))
			o->kind[1] = parse_kind(v);
		else if (VALUE("--until"))
			add_advance(o, v, NULL);
		else if (VALUE("--advance"))
			add_advance(o, v, NULL);
		else if (VALUE("--schedule"))
			add_schedule(o, v);
		else if (VALUE("--b-batch")) {
			char *endp;
			unsigned long n = strtoul(v, &endp, 10);
			if (*endp || n == 0 || n > 1000000)
				die("--b-batch %s: write a number of lines from 1 to 1000000", v);
			o->batch = n;
		} else if (strcmp(a, "--no-cache") == 0)
			o->no_cache = true;
		else if (strcmp(a, "--self-test") == 0)
			o->self_test = true;
		else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
			o->quiet = true;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			exit(0);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "diffrun: unknown option `%s`\n%s", a, usage);
			exit(EXIT_FAIL);
		} else {
			ops[nops++] = a;
		}
#undef VALUE
	}
	if (nops < 2) {
		fprintf(stderr, "diffrun: give a program and an events file\n%s", usage);
		exit(EXIT_FAIL);
	}
	o->programs = ops;
	o->nprograms = (size_t)nops - 1;
	o->program = ops[0];
	o->events = ops[nops - 1];
}

/* ---- the program ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.ludic file of a folder into `c` (sorted; the compiler pairs
 * overlays with their base by their headers, whatever the order), or one file. */
static void add_path(ludic_compiler *c, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		die("cannot read `%s`: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			die("cannot read folder `%s`: %s", path, strerror(errno));
		char **names = NULL;
		size_t n = 0;
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (de->d_name[0] == '.' || l <= 6 || strcmp(de->d_name + l - 6, ".ludic") != 0)
				continue;
			names = xrealloc(names, (n + 1) * sizeof *names);
			size_t need = strlen(path) + l + 2;
			names[n] = xrealloc(NULL, need);
			snprintf(names[n++], need, "%s/%s", path, de->d_name);
		}
		closedir(d);
		if (!n)
			die("folder `%s` holds no .ludic file", path);
		qsort(names, n, sizeof *names, cmp_str);
		for (size_t i = 0; i < n; i++) {
			ludic_compiler_add_file(c, names[i], 0);
			free(names[i]);
		}
		free(names);
	} else {
		ludic_compiler_add_file(c, path, 0);
	}
}

/* The program of `paths`: a folder, or files (a base and its overlays). */
static ludic_program *load_program(const char *const *paths, size_t n)
{
	ludic_compiler *c = ludic_compiler_new();
	if (!c)
		die("out of memory");
	for (size_t i = 0; i < n; i++)
		add_path(c, paths[i]);
	const char *path = paths[0];
	ludic_program *p = NULL;
	ludic_status s = ludic_program_new(c, &p);
	if (s != LUDIC_OK) {
		ludic_compiler_render(c, stderr, LUDIC_FORMAT_TEXT, 0);
		ludic_compiler_free(c);
		die("`%s` cannot run: %s (`ludic check %s` lists the errors)", path, ludic_status_message(s), path);
	}
	ludic_compiler_free(c);
	return p;
}

/* ---- one run: both engines in lockstep ---- */

typedef struct run {
	const options *o;
	ludic_program *prog;
	side sd[2];
	char **lines; size_t *lens; size_t nlines;
	bool report;            /* print the difference (off while self-testing) */
} run;

static void report(run *r, const char *fmt, ...)
{
	if (!r->report)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void show_line(run *r, size_t i)
{
	if (i < r->nlines)
		report(r, "  event (line %zu of %s): %.*s%s\n", i + 1, r->o->events,
		       (int)(r->lens[i] > 400 ? 400 : r->lens[i]), r->lines[i], r->lens[i] > 400 ? "..." : "");
}

/* Compares this round's effects and rejects; `where` names the round. */
static bool compare_round(run *r, const char *where, size_t line)
{
	side *a = &r->sd[0], *b = &r->sd[1];
	size_t n = a->effects.n > b->effects.n ? a->effects.n : b->effects.n;
	for (size_t i = 0; i < n; i++) {
		const char *x = i < a->effects.n ? a->effects.s[i] : "(no effect)";
		const char *y = i < b->effects.n ? b->effects.s[i] : "(no effect)";
		if (strcmp(x, y) != 0) {
			report(r, "DIFFERENT: %s, effect #%zu (of %zu on %s, %zu on %s)\n", where, i + 1, a->effects.n,
			       a->label, b->effects.n, b->label);
			show_line(r, line);
			report(r, "  %-7s %s\n  %-7s %s\n", a->label, x, b->label, y);
			return false;
		}
	}
	n = a->rejects.n > b->rejects.n ? a->rejects.n : b->rejects.n;
	for (size_t i = 0; i < n; i++) {
		const char *x = i < a->rejects.n ? a->rejects.s[i] : "(no reject)";
		const char *y = i < b->rejects.n ? b->rejects.s[i] : "(no reject)";
		if (strcmp(x, y) != 0) {
			report(r, "DIFFERENT: %s, reject #%zu\n", where, i + 1);
			show_line(r, line);
			report(r, "  %-7s %s\n  %-7s %s\n", a->label, x, b->label, y);
			return false;
		}
	}
	for (int k = 0; k < 2; k++) {
		sl_clear(&r->sd[k].effects);
		sl_clear(&r->sd[k].rejects);
	}
	return true;
}

static bool do_advance(run *r, const advance *ad, size_t line)
{
	for (int k = 0; k < 2; k++)
		if (ludic_engine_advance(r->sd[k].e, ad->t) != LUDIC_OK)
			die("%s: cannot let time pass to %s: %s", r->sd[k].label, ad->text, ludic_engine_error(r->sd[k].e));
	char where[256];
	if (line == (size_t)-1)
		snprintf(where, sizeof where, "time passing up to %s after the last event", ad->text);
	else if (line == (size_t)-2)
		snprintf(where, sizeof where, "time passing up to %s before the first event", ad->text);
	else
		snprintf(where, sizeof where, "time passing up to %s after line %zu", ad->text, line + 1);
	return compare_round(r, where, (size_t)-1);
}

/* ---- records ---- */

typedef struct record {
	char *id; size_t idlen;
	bool staff;
	uint8_t *bytes; size_t size;
} record;

typedef struct records {
	record *r; size_t n, cap;
} records;

static int keep_record(void *user, bool staff, rt_str id, const uint8_t *bytes, size_t size)
{
	records *l = user;
	if (l->n == l->cap)
		l->r = xrealloc(l->r, (l->cap = l->cap ? l->cap * 2 : 64) * sizeof *l->r);
	record *x = &l->r[l->n++];
	x->id = xstrndup(id.p, id.len);
	x->idlen = id.len;
	x->staff = staff;
	x->size = size;
	x->bytes = xrealloc(NULL, size);
	memcpy(x->bytes, bytes, size);
	return 0;
}

static void records_free(records *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->r[i].id);
		free(l->r[i].bytes);
	}
	free(l->r);
}

/* The layout field that holds byte `off` of a customer (or staff) record. */
static const rt_lay_field *field_at(const rt_program *p, bool staff, size_t off)
{
	const rt_lay_field *best = NULL;
	for (uint32_t i = 0; i < p->nfields; i++) {
		const rt_lay_field *f = &p->fields[i];
		if (f->staff == staff && off >= f->off && off < (size_t)f->off + f->size &&
		    (!best || f->size < best->size))
			best = f;
	}
	return best;
}

static void show_value(run *r, const char *label, const uint8_t *rec, const rt_lay_field *f, size_t at)
{
	/* At most 32 bytes: the field, or the part of a wide one around byte `at`. */
	size_t from = f->off, to = (size_t)f->off + f->size;
	if (f->size > 32) {
		from = at >= (size_t)f->off + 8 ? (at - 8) / 8 * 8 : f->off;
		if (from < f->off)
			from = f->off;
		to = from + 32 < (size_t)f->off + f->size ? from + 32 : (size_t)f->off + f->size;
	}
	report(r, "  %-7s bytes %zu to %zu:", label, from, to - 1);
	for (size_t i = from; i < to; i++)
		report(r, " %02x", rec[i]);
	if (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8) {
		uint64_t u = 0;
		memcpy(&u, rec + f->off, f->size); /* little-endian hosts: the low bytes */
		int64_t v = f->size == 8 ? (int64_t)u : f->size == 4 ? (int32_t)u : f->size == 2 ? (int16_t)u : (int8_t)u;
		report(r, " (as an integer: %lld)", (long long)v);
	} else if (at >= f->off && at < f->off + f->size) {
		/* A wide field (a wallet's lots, a ring of buckets): the 8-byte word holding the byte. */
		size_t w = f->off + (at - f->off) / 8 * 8;
		int64_t v = 0;
		memcpy(&v, rec + w, w + 8 <= (size_t)f->off + f->size ? 8 : (size_t)f->off + f->size - w);
		report(r, " (bytes %zu to %zu as an integer: %lld)", w, w + 7, (long long)v);
	}
	report(r, "\n");
}

static bool compare_records(run *r)
{
	records l[2] = {0};
	for (int k = 0; k < 2; k++)
		rt_engine_each_record(r->sd[k].e, keep_record, &l[k]);
	/* The self-test's flipped byte: one in the middle of the last record. */
	if (r->sd[1].perturb == PERTURB_FLIP_BYTE && l[1].n)
		l[1].r[l[1].n - 1].bytes[l[1].r[l[1].n - 1].size / 2] ^= 0x10;
	bool same = true;
	const rt_program *p = r->prog->rp;
	size_t n = l[0].n > l[1].n ? l[0].n : l[1].n;
	for (size_t i = 0; i < n && same; i++) {
		if (i >= l[0].n || i >= l[1].n) {
			const record *x = i < l[0].n ? &l[0].r[i] : &l[1].r[i];
			report(r, "DIFFERENT: %s has %zu records, %s has %zu; the first extra one is %s `%s`\n",
			       r->sd[0].label, l[0].n, r->sd[1].label, l[1].n, x->staff ? "staff member" : "customer", x->id);
			same = false;
			break;
		}
		const record *x = &l[0].r[i], *y = &l[1].r[i];
		if (x->staff != y->staff || x->idlen != y->idlen || memcmp(x->id, y->id, x->idlen) != 0) {
			report(r, "DIFFERENT: record #%zu is %s `%s` on %s but %s `%s` on %s (customers in another order)\n",
			       i + 1, x->staff ? "staff member" : "customer", x->id, r->sd[0].label,
			       y->staff ? "staff member" : "customer", y->id, r->sd[1].label);
			same = false;
			break;
		}
		if (x->size != y->size) {
			report(r, "DIFFERENT: the record of `%s` is %zu bytes on %s, %zu on %s\n", x->id, x->size,
			       r->sd[0].label, y->size, r->sd[1].label);
			same = false;
			break;
		}
		for (size_t b = 0; b < x->size; b++) {
			if (x->bytes[b] == y->bytes[b])
				continue;
			const rt_lay_field *f = field_at(p, x->staff, b);
			report(r, "DIFFERENT: the record of %s `%s`, byte %zu (of %zu): %02x on %s, %02x on %s\n",
			       x->staff ? "staff member" : "customer", x->id, b, x->size, x->bytes[b], r->sd[0].label,
			       y->bytes[b], r->sd[1].label);
			if (f) {
				report(r, "  layout field `%s` (%s), bytes %u to %u\n", f->name, f->serves ? f->serves : "",
				       f->off, f->off + f->size - 1);
				show_value(r, r->sd[0].label, x->bytes, f, b);
				show_value(r, r->sd[1].label, y->bytes, f, b);
			} else {
				report(r, "  no layout field covers this byte (padding or an engine field; `ludic dump --layout %s`)\n",
				       r->o->program);
			}
			same = false;
			break;
		}
	}
	if (same && !r->o->quiet && r->report)
		printf("  %zu records (customers and staff) identical\n", l[0].n);
	records_free(&l[0]);
	records_free(&l[1]);
	return same;
}

static bool compare_stats(run *r)
{
	ludic_engine_stats s[2];
	for (int k = 0; k < 2; k++)
		ludic_engine_stats_get(r->sd[k].e, &s[k]);
	unsigned long long *x = &s[0].events, *y = &s[1].events;
	static const char *const names[] = {"events", "applied", "duplicates", "rejected", "anonymous"};
	for (int i = 0; i < 5; i++)
		if (x[i] != y[i]) {
			report(r, "DIFFERENT: counter `%s`: %llu on %s, %llu on %s\n", names[i], x[i], r->sd[0].label, y[i],
			       r->sd[1].label);
			return false;
		}
	for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++)
		if (s[0].effects[k] != s[1].effects[k]) {
			report(r, "DIFFERENT: %s effects counted: %llu on %s, %llu on %s\n",
			       ludic_effect_kind_name((ludic_effect_kind)k), s[0].effects[k], r->sd[0].label, s[1].effects[k],
			       r->sd[1].label);
			return false;
		}
	if (s[0].customers != s[1].customers || s[0].staff != s[1].staff) {
		report(r, "DIFFERENT: customers/staff: %llu/%llu on %s, %llu/%llu on %s\n", s[0].customers, s[0].staff,
		       r->sd[0].label, s[1].customers, s[1].staff, r->sd[1].label);
		return false;
	}
	return true;
}

/* Makes the two engines; checks that native code runs where it was asked for. */
static void start(run *r, perturb pt, bool announce)
{
	for (int k = 0; k < 2; k++) {
		side *s = &r->sd[k];
		memset(s, 0, sizeof *s);
		s->perturb = k == 1 ? pt : PERTURB_NONE;
		ludic_engine_kind kind = r->o->kind[k];
		ludic_engine_options opt = {.on_effect = on_effect, .effect_user = s, .on_reject = on_reject,
					    .reject_user = s, .engine = kind, .no_cache = r->o->no_cache};
		if (ludic_engine_new(r->prog, &opt, &s->e) != LUDIC_OK)
			die("the %s engine cannot start: %s", kind_name(kind), s->e ? ludic_engine_error(s->e) : "out of memory");
		ludic_engine_info in;
		ludic_engine_info_get(s->e, &in);
		s->label = kind_name(kind);
		if (kind == LUDIC_ENGINE_NATIVE && !in.native) {
			if (rt_native_available())
				die("native code was asked for but does not run: %s\n"
				    "  this build has a native back end, so this is a failure: comparing the interpreter "
				    "with itself would prove nothing",
				    in.note ? in.note : "(no reason given)");
			s->label = "interp*"; /* native asked for, the interpreter ran */
			if (announce && k == 1)
				printf("no native back end in this build: compared interp with interp\n");
		}
	}
	if (r->o->kind[0] == r->o->kind[1] && strcmp(r->sd[0].label, r->sd[1].label) == 0) {
		/* Same names on both sides: number them so reports say which. */
		r->sd[0].label = r->o->kind[0] == LUDIC_ENGINE_INTERP ? "a:interp" : "a:native";
		r->sd[1].label = r->o->kind[1] == LUDIC_ENGINE_INTERP ? "b:interp" : "b:native";
	}
}

static void finish(run *r)
{
	for (int k = 0; k < 2; k++) {
		sl_clear(&r->sd[k].effects);
		sl_clear(&r->sd[k].rejects);
		free(r->sd[k].effects.s);
		free(r->sd[k].rejects.s);
		ludic_engine_free(r->sd[k].e);
		r->sd[k].e = NULL;
	}
}

/* One comparison; true when the two sides agree. */
static bool compare(run *r, perturb pt, bool announce)
{
	start(r, pt, announce);
	bool same = true;
	bool changed_result = false;
	size_t next_adv = 0;
	/* Advances before the first line ("0 TIME" in a schedule). */
	while (same && next_adv < r->o->nadv && r->o->adv[next_adv].after == 0)
		same = do_advance(r, &r->o->adv[next_adv++], (size_t)-2);
	size_t batch = r->o->batch ? r->o->batch : 1;
	int *res[2] = {xrealloc(NULL, batch * sizeof(int)), xrealloc(NULL, batch * sizeof(int))};
	ludic_line *chunk = xrealloc(NULL, batch * sizeof *chunk);
	for (size_t i = 0; i < r->nlines && same;) {
		/* Lines i to end-1: one line, or with --b-batch a batch for side b
		 * that stops where time is to pass. */
		size_t end = i + batch < r->nlines ? i + batch : r->nlines;
		if (next_adv < r->o->nadv && r->o->adv[next_adv].after > i && r->o->adv[next_adv].after < end)
			end = (size_t)r->o->adv[next_adv].after;
		for (size_t l = i; l < end; l++)
			res[0][l - i] = ludic_engine_push_json(r->sd[0].e, r->lines[l], r->lens[l], l + 1);
		if (r->o->batch) {
			for (size_t l = i; l < end; l++)
				chunk[l - i] = (ludic_line){.text = r->lines[l], .len = r->lens[l], .line_no = l + 1};
			if (ludic_engine_push_json_batch(r->sd[1].e, chunk, end - i, res[1]) != 0)
				die("%s: the batch of lines %zu to %zu was refused: %s", r->sd[1].label, i + 1, end,
				    ludic_engine_error(r->sd[1].e));
		} else {
			for (size_t l = i; l < end; l++)
				res[1][l - i] = ludic_engine_push_json(r->sd[1].e, r->lines[l], r->lens[l], l + 1);
		}
		if (pt == PERTURB_RESULT && !changed_result && res[1][0] != LUDIC_BLANK) {
			res[1][0] = res[1][0] == LUDIC_APPLIED ? LUDIC_REJECTED : LUDIC_APPLIED;
			changed_result = true;
		}
		for (size_t l = i; l < end && same; l++) {
			if (res[0][l - i] != res[1][l - i]) {
				report(r, "DIFFERENT: line %zu: push result %d on %s, %d on %s "
					  "(0 applied, 1 duplicate, 2 rejected, 3 anonymous, 4 blank)\n",
				       l + 1, res[0][l - i], r->sd[0].label, res[1][l - i], r->sd[1].label);
				show_line(r, l);
				same = false;
			}
		}
		if (!same)
			break;
		char where[96];
		if (end - i == 1)
			snprintf(where, sizeof where, "line %zu", i + 1);
		else
			snprintf(where, sizeof where, "lines %zu to %zu (one batch on %s)", i + 1, end, r->sd[1].label);
		same = compare_round(r, where, end - i == 1 ? i : (size_t)-1);
		i = end;
		while (same && next_adv < r->o->nadv && r->o->adv[next_adv].after == i)
			same = do_advance(r, &r->o->adv[next_adv++], i - 1);
	}
	free(res[0]);
	free(res[1]);
	free(chunk);
	/* Advances after the last line, and those that name a line past the end. */
	while (same && next_adv < r->o->nadv)
		same = do_advance(r, &r->o->adv[next_adv++], (size_t)-1);
	if (same)
		same = compare_stats(r);
	if (same)
		same = compare_records(r);
	finish(r);
	return same;
}

static void split_lines(run *r, char *text, size_t len)
{
	size_t cap = 0;
	for (size_t at = 0; at < len;) {
		char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		if (r->nlines == cap) {
			cap = cap ? cap * 2 : 1024;
			r->lines = xrealloc(r->lines, cap * sizeof *r->lines);
			r->lens = xrealloc(r->lens, cap * sizeof *r->lens);
		}
		size_t l = end - at;
		if (l && text[at + l - 1] == '\r')
			l--;
		r->lines[r->nlines] = text + at;
		r->lens[r->nlines++] = l;
		at = end + 1;
	}
}

static int cmp_adv(const void *a, const void *b)
{
	const advance *x = a, *y = b;
	return x->after < y->after ? -1 : x->after > y->after;
}

int main(int argc, char **argv)
{
	/* The comparison is between the engines named here, whatever a test
	 * suite's LUDIC_ENGINE says. */
	unsetenv("LUDIC_ENGINE");
	options o = {0};
	parse_args(argc, argv, &o);
	/* Stable: advances after the same line keep their order. */
	for (size_t i = 1; i < o.nadv; i++)
		for (size_t j = i; j > 0 && cmp_adv(&o.adv[j - 1], &o.adv[j]) > 0; j--) {
			advance t = o.adv[j];
			o.adv[j] = o.adv[j - 1];
			o.adv[j - 1] = t;
		}
	run r = {.o = &o, .report = true};
	r.prog = load_program(o.programs, o.nprograms);
	size_t len;
	char *text = read_all(o.events, &len);
	split_lines(&r, text, len);

	bool same = compare(&r, PERTURB_NONE, true);
	int rc = same ? EXIT_SAME : EXIT_DIFF;
	if (same && !o.quiet)
		printf("same: %s vs %s on %s, %zu lines of %s, %zu time advances\n", r.sd[0].label, r.sd[1].label,
		       o.program, r.nlines, o.events, o.nadv);
	if (o.self_test && same) {
		static const struct { perturb p; const char *what; } tests[] = {
			{PERTURB_DROP_EFFECT, "one effect dropped"},
			{PERTURB_FLIP_BYTE, "one record byte flipped"},
			{PERTURB_RESULT, "one push result changed"},
		};
		for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
			r.report = false;
			bool caught = !compare(&r, tests[i].p, false);
			printf("self-test: %s: %s\n", tests[i].what, caught ? "caught" : "NOT CAUGHT");
			if (!caught)
				rc = EXIT_DIFF;
		}
		if (rc != EXIT_SAME) {
			printf("self-test FAILED: the comparison missed a difference it must find "
			       "(the input needs at least one event, one effect and one customer)\n");
			goto done;
		}
		/* And the report itself, once, so the log shows what a difference looks like. */
		r.report = true;
		printf("self-test: the report of a flipped byte reads:\n");
		compare(&r, PERTURB_FLIP_BYTE, false);
	}
done:
	free(r.lines);
	free(r.lens);
	free(text);
	ludic_program_free(r.prog);
	for (size_t i = 0; i < o.nadv; i++)
		free(o.adv[i].owned);
	free(o.adv);
	free(o.programs);
	return rc;
}
