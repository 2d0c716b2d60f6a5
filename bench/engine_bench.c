/* engine_bench.c — the benchmark suite's driver: ludic (interpreter, native
 * code) and the hand-written C of the same programme (bench/hand/), on the
 * same events. bench/run.sh runs it; docs/benchmarks.md explains every figure.
 *
 *   engine-bench --check [stream options] [--until TIME]
 *       runs ludic (the interpreter, then native code when this build has
 *       it) and the hand-written C side by side over the stream, event by
 *       event, and compares every effect (every field, in order), the result
 *       of every push, and at the end the state of every customer. The
 *       first difference is printed and the exit status is 1. Nothing is
 *       timed.
 *   engine-bench --impl interp|native|hand [stream options] [--runs N] [--json FILE]
 *       times one implementation (run each in its own process, so that the
 *       peak memory is its own): events/s and ns/event of typed events, typed
 *       batches, JSON Lines and JSON batches (the hand-written C has no batch
 *       call); p50/p99/p99.9 of one push on a hot customer; bytes of state per
 *       customer; peak memory; for ludic, the time to compile the rules and
 *       to get native code (cold, and from the cache).
 *
 * stream options: [--events N] [--customers N] [--days N] [--seed N]
 *   [--input FILE] [--program DIR] [--gen PATH]; the stream is bench/gen.c's
 *   (bench-gen, found next to this binary) unless --input gives JSON Lines.
 *   Defaults: 5,000,000 events, customers = events / 50 (at most 100,000),
 *   90 days, seed 1, program examples/retailer.
 *
 * The stream is held in memory as JSON lines and converted ONCE into typed
 * form (ludic: a compact list of field settings replayed into one reused
 * ludic_event; hand-written C: its own event structs). Only the pushes are
 * timed. Public API only (include/ludic.h).
 */
#define JSMN_STATIC
#include <jsmn.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ludic.h"
#include "bench.h"
#include "scalars.h"
#include "hand/retailer.h"

#define MAX_RUNS 50

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("engine-bench: out of memory\n", stderr);
		exit(1);
	}
	return q;
}

/* ---- the stream, as JSON lines in memory ---- */

typedef struct {
	char *text;      /* every line, each ending with '\n' */
	size_t len;
	size_t *starts;  /* offset of each line */
	size_t n;        /* lines */
} lines;

static void split_lines(lines *l)
{
	size_t cap = 1024;
	l->starts = xrealloc(NULL, cap * sizeof *l->starts);
	l->n = 0;
	for (size_t i = 0; i < l->len;) {
		const char *nl = memchr(l->text + i, '\n', l->len - i);
		size_t end = nl ? (size_t)(nl - l->text) : l->len;
		if (end > i) {
			if (l->n == cap)
				l->starts = xrealloc(l->starts, (cap *= 2) * sizeof *l->starts);
			l->starts[l->n++] = i;
		}
		i = end + 1;
	}
}

static size_t line_len(const lines *l, size_t i)
{
	const char *s = l->text + l->starts[i];
	const char *nl = memchr(s, '\n', l->len - l->starts[i]);
	return nl ? (size_t)(nl - s) : l->len - l->starts[i];
}

static int read_stream(FILE *f, lines *l)
{
	size_t cap = 1 << 20;
	l->text = xrealloc(NULL, cap);
	l->len = 0;
	for (;;) {
		if (cap - l->len < (1 << 16))
			l->text = xrealloc(l->text, cap *= 2);
		size_t got = fread(l->text + l->len, 1, cap - l->len, f);
		l->len += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		return -1;
	split_lines(l);
	return 0;
}

/* ---- typed events: a compact list of field settings, made once ---- */

enum op_kind {
	OP_EVENT,     /* start an event: `field` is the type */
	OP_INT,       /* set_int(field, v) */
	OP_STRING,    /* set_string(field, str) */
	OP_CHOICE,    /* set_choice(field, str) */
	OP_ITEM,      /* add_item(field) (a record item) */
	OP_ITEM_INT,  /* set_item_int(field, last item, sub, v) */
	OP_ITEM_STR,  /* set_item_string(field, last item, sub, str) */
	OP_ITEM_ADD,  /* add_item_string(field, last item, sub, str) */
};

typedef struct {
	uint8_t kind;   /* enum op_kind */
	uint8_t sub;    /* item field index; for OP_ITEM, 1 when the item is a string */
	int16_t field;  /* field index (or event type for OP_EVENT) */
	uint32_t len;   /* string length */
	int64_t v;      /* integer value, or offset of the string in the line text */
} op;               /* 16 bytes: 5,000,000 events make about 120 million of them */

typedef struct {
	op *ops;
	size_t n, cap;
	size_t events;
} typed;

static void push_op(typed *t, op o)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1 << 16;
		t->ops = xrealloc(t->ops, t->cap * sizeof *t->ops);
	}
	t->ops[t->n++] = o;
}

static int parse_count(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	bool neg = len && s[0] == '-';
	if (len == (size_t)neg)
		return -1;
	for (size_t i = neg; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* How a scalar JSON value is converted, by its key. The retail schema's
 * fields; a string value not listed is tried as a choice, then as a string. */
enum conv { C_AUTO, C_TIME, C_DATE, C_DURATION, C_MONEY, C_COUNT };

static enum conv conv_of(const char *key, size_t len)
{
	static const struct {
		const char *key;
		enum conv c;
	} table[] = {
		{"at", C_TIME},           {"birthday", C_DATE}, {"pickup", C_DURATION}, {"total", C_MONEY},
		{"value", C_MONEY},       {"price", C_MONEY},   {"unit_price", C_MONEY}, {"paid", C_MONEY},
		{"quantity", C_COUNT},    {"rating", C_COUNT},
	};
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (strlen(table[i].key) == len && !memcmp(table[i].key, key, len))
			return table[i].c;
	return C_AUTO;
}

typedef struct {
	const ludic_program *prog;
	ludic_event *scratch; /* each event is set on it too, to check it and to find field kinds */
	const char *text;     /* the whole stream */
	typed *out;
	char name[128];       /* a NUL-terminated copy of a key */
} converter;

static const char *cstr(converter *cv, const char *s, size_t len)
{
	if (len >= sizeof cv->name)
		len = sizeof cv->name - 1;
	memcpy(cv->name, s, len);
	cv->name[len] = '\0';
	return cv->name;
}

/* Number of tokens of the value starting at token i (itself included). */
static int skip(const jsmntok_t *t, int i)
{
	int n = 1, todo = t[i].type == JSMN_OBJECT ? 2 * t[i].size : t[i].type == JSMN_ARRAY ? t[i].size : 0;
	int j = i + 1;
	while (todo-- > 0) {
		int k = skip(t, j);
		j += k;
		n += k;
	}
	return n;
}

/* Converts one scalar (key `k`, value token `v`) into an op of `kind` kinds
 * for an event field (item < 0) or an item field. Returns 0, or -1 if the
 * value could not be set. */
static int convert_scalar(converter *cv, const char *line, size_t base, const jsmntok_t *kt, const jsmntok_t *vt,
			  int field, int list, int item, int sub)
{
	const char *k = line + kt->start, *v = line + vt->start;
	size_t klen = (size_t)(kt->end - kt->start), vlen = (size_t)(vt->end - vt->start);
	int64_t n = 0;
	int bad = 0;
	switch (conv_of(k, klen)) {
	case C_TIME: bad = sc_parse_time(v, vlen, &n); break;
	case C_DATE: bad = sc_parse_date(v, vlen, &n); break;
	case C_DURATION: bad = sc_parse_duration(v, vlen, &n); break;
	case C_MONEY: bad = sc_parse_money(v, vlen, &n); break;
	case C_COUNT: bad = parse_count(v, vlen, &n); break;
	case C_AUTO:
		if (vt->type != JSMN_STRING)
			return -1;
		if (item < 0) {
			char member[128];
			snprintf(member, sizeof member, "%.*s", (int)vlen, v);
			if (ludic_event_set_choice(cv->scratch, field, member) == LUDIC_OK) {
				push_op(cv->out, (op){OP_CHOICE, 0, (int16_t)field, (uint32_t)vlen,
						      (int64_t)(base + (size_t)vt->start)});
				return 0;
			}
			if (ludic_event_set_string(cv->scratch, field, v, vlen) != LUDIC_OK)
				return -1;
			push_op(cv->out, (op){OP_STRING, 0, (int16_t)field, (uint32_t)vlen, (int64_t)(base + (size_t)vt->start)});
			return 0;
		}
		if (ludic_event_set_item_string(cv->scratch, list, item, sub, v, vlen) != LUDIC_OK)
			return -1;
		push_op(cv->out, (op){OP_ITEM_STR, (uint8_t)sub, (int16_t)list, (uint32_t)vlen,
				      (int64_t)(base + (size_t)vt->start)});
		return 0;
	}
	if (bad)
		return -1;
	if (item < 0) {
		if (ludic_event_set_int(cv->scratch, field, n) != LUDIC_OK)
			return -1;
		push_op(cv->out, (op){OP_INT, 0, (int16_t)field, 0, n});
	} else {
		if (ludic_event_set_item_int(cv->scratch, list, item, sub, n) != LUDIC_OK)
			return -1;
		push_op(cv->out, (op){OP_ITEM_INT, (uint8_t)sub, (int16_t)list, 0, n});
	}
	return 0;
}

/* Converts one line. Returns 0, or -1 (with a message) when it cannot. */
static int convert_line(converter *cv, const char *line, size_t len, size_t base, jsmntok_t *tok, int ntok)
{
	jsmn_parser p;
	jsmn_init(&p);
	int n = jsmn_parse(&p, line, len, tok, (unsigned)ntok);
	if (n < 1 || tok[0].type != JSMN_OBJECT)
		return -1;
	/* the type first */
	int type = -1;
	for (int i = 1, k = 0; k < tok[0].size; k++) {
		const jsmntok_t *kt = &tok[i], *vt = &tok[i + 1];
		if (kt->end - kt->start == 4 && !memcmp(line + kt->start, "type", 4))
			type = ludic_program_event_type(cv->prog, cstr(cv, line + vt->start, (size_t)(vt->end - vt->start)));
		i += 1 + skip(tok, i + 1);
	}
	if (type < 0 || ludic_event_reset(cv->scratch, type) != LUDIC_OK)
		return -1;
	push_op(cv->out, (op){OP_EVENT, 0, (int16_t)type, 0, 0});
	for (int i = 1, k = 0; k < tok[0].size; k++) {
		const jsmntok_t *kt = &tok[i], *vt = &tok[i + 1];
		int next = i + 1 + skip(tok, i + 1);
		size_t klen = (size_t)(kt->end - kt->start);
		if (klen == 4 && !memcmp(line + kt->start, "type", 4)) {
			i = next;
			continue;
		}
		int field = ludic_program_field(cv->prog, type, -1, cstr(cv, line + kt->start, klen));
		if (field < 0) { /* a key the program does not read */
			i = next;
			continue;
		}
		if (vt->type != JSMN_ARRAY) {
			if (convert_scalar(cv, line, base, kt, vt, field, -1, -1, -1))
				return -1;
			i = next;
			continue;
		}
		/* a list: of strings, or of records (basket lines) */
		int j = i + 2;
		for (int e = 0; e < vt->size; e++) {
			const jsmntok_t *et = &tok[j];
			if (et->type == JSMN_STRING) {
				const char *s = line + et->start;
				size_t slen = (size_t)(et->end - et->start);
				if (ludic_event_add_item(cv->scratch, field, s, slen) < 0)
					return -1;
				push_op(cv->out, (op){OP_ITEM, 1, (int16_t)field, (uint32_t)slen, (int64_t)(base + (size_t)et->start)});
				j++;
				continue;
			}
			if (et->type != JSMN_OBJECT)
				return -1;
			int item = ludic_event_add_item(cv->scratch, field, NULL, 0);
			if (item < 0)
				return -1;
			push_op(cv->out, (op){OP_ITEM, 0, (int16_t)field, 0, 0});
			int m = j + 1;
			for (int f = 0; f < et->size; f++) {
				const jsmntok_t *fk = &tok[m], *fv = &tok[m + 1];
				int after = m + 1 + skip(tok, m + 1);
				int sub = ludic_program_field(cv->prog, type, field,
							      cstr(cv, line + fk->start, (size_t)(fk->end - fk->start)));
				if (sub > UINT8_MAX)
					return -1;
				if (sub >= 0 && fv->type == JSMN_ARRAY) {
					for (int s = 0; s < fv->size; s++) {
						const jsmntok_t *st = &tok[m + 2 + s];
						size_t slen = (size_t)(st->end - st->start);
						if (st->type != JSMN_STRING ||
						    ludic_event_add_item_string(cv->scratch, field, item, sub, line + st->start,
										slen) != LUDIC_OK)
							return -1;
						push_op(cv->out, (op){OP_ITEM_ADD, (uint8_t)sub, (int16_t)field, (uint32_t)slen,
								      (int64_t)(base + (size_t)st->start)});
					}
				} else if (sub >= 0) {
					if (convert_scalar(cv, line, base, fk, fv, -1, field, item, sub))
						return -1;
				}
				m = after;
			}
			j = m;
		}
		i = next;
	}
	cv->out->events++;
	return 0;
}

/* Fills `ev` from the ops of one event starting at ops[*i]; advances *i. */
static void fill(ludic_event *ev, const typed *t, size_t *i, const char *text)
{
	const op *o = &t->ops[*i];
	ludic_event_reset(ev, o->field);
	int item = -1;
	char member[64];
	for ((*i)++; *i < t->n && t->ops[*i].kind != OP_EVENT; (*i)++) {
		o = &t->ops[*i];
		const char *s = text + o->v;
		switch ((enum op_kind)o->kind) {
		case OP_INT: ludic_event_set_int(ev, o->field, o->v); break;
		case OP_STRING: ludic_event_set_string(ev, o->field, s, o->len); break;
		case OP_CHOICE:
			/* set_choice wants a NUL-terminated name */
			memcpy(member, s, o->len < sizeof member ? o->len : sizeof member - 1);
			member[o->len < sizeof member ? o->len : sizeof member - 1] = '\0';
			ludic_event_set_choice(ev, o->field, member);
			break;
		case OP_ITEM: item = ludic_event_add_item(ev, o->field, o->sub ? s : NULL, o->sub ? o->len : 0); break;
		case OP_ITEM_INT: ludic_event_set_item_int(ev, o->field, item, o->sub, o->v); break;
		case OP_ITEM_STR: ludic_event_set_item_string(ev, o->field, item, o->sub, s, o->len); break;
		case OP_ITEM_ADD: ludic_event_add_item_string(ev, o->field, item, o->sub, s, o->len); break;
		case OP_EVENT: break;
		}
	}
}

/* ---- the program ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compiles every *.ludic file of `dir`, in name order. */
static ludic_program *load_program(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "engine-bench: cannot open %s: %s\n", dir, strerror(errno));
		return NULL;
	}
	char *names[64];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 64;) {
		size_t l = strlen(e->d_name);
		if (l > 6 && !strcmp(e->d_name + l - 6, ".ludic")) {
			names[n] = xrealloc(NULL, strlen(dir) + l + 2);
			sprintf(names[n++], "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	ludic_compiler *c = ludic_compiler_new();
	for (size_t i = 0; i < n; i++) {
		ludic_compiler_add_file(c, names[i], 0);
		free(names[i]);
	}
	ludic_program *p = NULL;
	if (!c || ludic_program_new(c, &p) != LUDIC_OK) {
		fprintf(stderr, "engine-bench: the program in %s does not compile:\n", dir);
		if (c)
			ludic_compiler_render(c, stderr, LUDIC_FORMAT_TEXT, 0);
		p = NULL;
	}
	ludic_compiler_free(c);
	return p;
}

/* ---- the machine ---- */

static void cpu_model(char *buf, size_t cap)
{
	snprintf(buf, cap, "unknown CPU");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');
			if (c) {
				c++;
				while (*c == ' ' || *c == '\t')
					c++;
				c[strcspn(c, "\n")] = '\0';
				snprintf(buf, cap, "%s", c);
			}
			break;
		}
	}
	fclose(f);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* ---- options and the stream ---- */

typedef struct {
	unsigned long long events, customers, days, seed;
	int runs;
	const char *input, *program, *json_path, *gen, *impl, *until;
	bool check;
	unsigned long long latency; /* pushes timed for the latency figures */
	const char *argv0;
} options;

/* Reads the stream: --input, or bench-gen with the options. `source` says which. */
static int load_stream(const options *o, unsigned long long events, unsigned long long customers, lines *l,
		       char *source, size_t cap)
{
	if (o->input) {
		FILE *f = fopen(o->input, "rb");
		if (!f || read_stream(f, l)) {
			fprintf(stderr, "engine-bench: cannot read %s: %s\n", o->input, strerror(errno));
			return -1;
		}
		fclose(f);
		snprintf(source, cap, "%s", o->input);
		return 0;
	}
	char path[4096];
	if (o->gen)
		snprintf(path, sizeof path, "%s", o->gen);
	else {
		const char *slash = strrchr(o->argv0, '/');
		snprintf(path, sizeof path, "%.*sbench-gen", slash ? (int)(slash - o->argv0 + 1) : 0, o->argv0);
	}
	if (access(path, X_OK)) {
		fprintf(stderr, "engine-bench: %s not found: build it (ninja -C build bench-gen) or give --gen or --input\n",
			path);
		return -1;
	}
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' --events %llu --customers %llu --days %llu --seed %llu", path, events, customers,
		 o->days, o->seed);
	FILE *f = popen(cmd, "r");
	if (!f || read_stream(f, l) || pclose(f) != 0) {
		fprintf(stderr, "engine-bench: `%s` failed\n", cmd);
		return -1;
	}
	snprintf(source, cap, "bench-gen --events %llu --customers %llu --days %llu --seed %llu", events, customers,
		 o->days, o->seed);
	return 0;
}

/* Converts every line into typed ops for ludic. Returns the lines not converted. */
static size_t convert_all(const ludic_program *p, const lines *l, typed *t)
{
	converter cv = {p, ludic_event_new(p), l->text, t, {0}};
	jsmntok_t *tok = xrealloc(NULL, 4096 * sizeof *tok);
	size_t bad = 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t before = t->n;
		if (convert_line(&cv, l->text + l->starts[i], line_len(l, i), l->starts[i], tok, 4096)) {
			t->n = before; /* drop what was recorded of it */
			if (bad++ < 3)
				fprintf(stderr, "engine-bench: line %zu could not be converted to a typed event\n", i + 1);
		}
	}
	free(tok);
	ludic_event_free(cv.scratch);
	return bad;
}

/* The hand-written C's typed events: its own structs, strings in a pool. */
typedef struct {
	hand_event *ev;
	size_t n;
	char **chunks;
	size_t nchunks;
} hand_events;

static size_t convert_hand(const lines *l, hand_events *h)
{
	enum { CHUNK = 64 << 20 };
	h->ev = xrealloc(NULL, l->n * sizeof *h->ev);
	h->n = 0;
	h->chunks = NULL;
	h->nchunks = 0;
	size_t used = CHUNK, bad = 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t len = line_len(l, i);
		if (used + len + 8 > CHUNK) {
			h->chunks = xrealloc(h->chunks, (h->nchunks + 1) * sizeof *h->chunks);
			h->chunks[h->nchunks++] = xrealloc(NULL, len + 8 > CHUNK ? len + 8 : CHUNK);
			used = 0;
		}
		char *buf = h->chunks[h->nchunks - 1] + used;
		const char *why;
		if (hand_parse_json(l->text + l->starts[i], len, &h->ev[h->n], buf, &why)) {
			bad++;
			continue;
		}
		/* the strings copied end at the furthest NUL written */
		const hand_event *e = &h->ev[h->n++];
		const char *const s[] = {e->id, e->customer, e->staff, e->store, e->region, e->text, e->original};
		size_t end = 0;
		for (size_t k = 0; k < sizeof s / sizeof *s; k++)
			if (s[k] >= buf && s[k] < buf + len + 8 && (size_t)(s[k] - buf) + strlen(s[k]) + 1 > end)
				end = (size_t)(s[k] - buf) + strlen(s[k]) + 1;
		used += end;
	}
	return bad;
}

static void hand_events_free(hand_events *h)
{
	for (size_t i = 0; i < h->nchunks; i++)
		free(h->chunks[i]);
	free(h->chunks);
	free(h->ev);
}

/* ---- the equality check ---- */

/* The effects of one event, deep-copied (ludic's strings live only during
 * the callback). */
typedef struct {
	ludic_effect *fx;
	size_t n, cap;
	char *pool;
	size_t used, pool_cap;
	bool overflow;
} fxlist;

static const char *keep(fxlist *l, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	if (l->used + n > l->pool_cap) {
		l->overflow = true;
		return "(too long)";
	}
	char *p = memcpy(l->pool + l->used, s, n);
	l->used += n;
	return p;
}

static void collect(void *user, const ludic_effect *fx)
{
	fxlist *l = user;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->fx = xrealloc(l->fx, l->cap * sizeof *l->fx);
	}
	ludic_effect *c = &l->fx[l->n++];
	*c = *fx;
	const char **str[] = {&c->customer, &c->wallet, &c->badge, &c->ladder, &c->rung, &c->previous, &c->mission,
			      &c->step, &c->streak, &c->template_name, &c->item, &c->reason, &c->rule, &c->event_id,
			      &c->variants};
	for (size_t k = 0; k < sizeof str / sizeof *str; k++)
		*str[k] = keep(l, *str[k]);
	if (fx->nargs) {
		size_t bytes = fx->nargs * sizeof(ludic_effect_arg);
		size_t at = (l->used + 7) & ~(size_t)7;
		if (at + bytes > l->pool_cap) {
			l->overflow = true;
			c->nargs = 0;
			return;
		}
		ludic_effect_arg *a = (ludic_effect_arg *)(void *)(l->pool + at);
		l->used = at + bytes;
		for (size_t k = 0; k < fx->nargs; k++) {
			a[k].key = keep(l, fx->args[k].key);
			a[k].text = keep(l, fx->args[k].text);
		}
		c->args = a;
	}
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void show_effect(const char *who, const ludic_effect *fx)
{
	char buf[2048];
	ludic_effect_to_json(fx, buf, sizeof buf);
	fprintf(stderr, "  %-9s %s\n", who, buf);
}

/* The first field that differs, or NULL. */
static const char *effect_diff(const ludic_effect *a, const ludic_effect *b, char *what, size_t cap)
{
#define INT(f) if (a->f != b->f) { snprintf(what, cap, "%s: %lld vs %lld", #f, (long long)a->f, (long long)b->f); return what; }
#define STR(f) if (!same_str(a->f, b->f)) { snprintf(what, cap, "%s: \"%s\" vs \"%s\"", #f, a->f ? a->f : "(none)", b->f ? b->f : "(none)"); return what; }
	INT(kind) STR(customer) INT(staff) STR(wallet) INT(amount) INT(balance) INT(pending) INT(has_pending)
	STR(badge) STR(ladder) STR(rung) STR(previous) STR(mission) STR(step) STR(streak) INT(length)
	STR(template_name) INT(nargs) STR(item) STR(reason) STR(rule) STR(event_id) STR(variants) INT(at)
	INT(utc_offset)
	for (size_t k = 0; k < a->nargs; k++) {
		STR(args[k].key)
		STR(args[k].text)
	}
	return NULL;
#undef INT
#undef STR
}

/* Compares the effects of one step; prints the first difference. */
static bool same_effects(const fxlist *a, const fxlist *b, const char *engine, const char *where)
{
	if (a->overflow || b->overflow) {
		fprintf(stderr, "check: %s: the effects of one event were too long to compare\n", where);
		return false;
	}
	for (size_t i = 0; i < a->n || i < b->n; i++) {
		char what[512];
		if (i >= a->n || i >= b->n) {
			fprintf(stderr, "check: DIFFERENT at %s: %s gave %zu effects, the hand-written C %zu; first extra:\n",
				where, engine, a->n, b->n);
			show_effect(i < a->n ? engine : "hand", i < a->n ? &a->fx[i] : &b->fx[i]);
			return false;
		}
		if (effect_diff(&a->fx[i], &b->fx[i], what, sizeof what)) {
			fprintf(stderr, "check: DIFFERENT at %s, effect %zu: %s (%s vs hand-written C)\n", where, i + 1,
				what, engine);
			show_effect(engine, &a->fx[i]);
			show_effect("hand", &b->fx[i]);
			return false;
		}
	}
	return true;
}

/* Compares the final state of every customer. */
static bool same_state(ludic_engine *le, hand_engine *he, const char *engine, unsigned long long *n)
{
	hand_view h;
	for (size_t i = 0; hand_customer(he, i, &h); i++) {
		ludic_customer_view v;
		if (ludic_engine_customer(le, h.id, strlen(h.id), &v) != LUDIC_OK) {
			fprintf(stderr, "check: %s: no view of customer %s: %s\n", engine, h.id, ludic_engine_error(le));
			return false;
		}
		char what[512] = "";
#define DIFF(cond, ...) if (!what[0] && (cond)) snprintf(what, sizeof what, __VA_ARGS__)
		DIFF(!v.known, "unknown to %s", engine);
		DIFF(v.last_event_at != h.last_event_at, "last event at %lld vs %lld", v.last_event_at, h.last_event_at);
		DIFF(v.nbalances != 3, "%zu wallets", v.nbalances);
		for (size_t w = 0; w < 3 && w < v.nbalances; w++) {
			const ludic_balance_view *b = &v.balances[w];
			const hand_wallet_view *x = &h.wallets[w];
			DIFF(!same_str(b->wallet, x->wallet), "wallet %zu: %s vs %s", w, b->wallet, x->wallet);
			DIFF(b->balance != x->balance, "%s balance: %lld vs %lld", x->wallet, b->balance, x->balance);
			DIFF(b->pending != x->pending, "%s pending: %lld vs %lld", x->wallet, b->pending, x->pending);
			DIFF(b->earned != x->earned, "%s earned: %lld vs %lld", x->wallet, b->earned, x->earned);
		}
		DIFF(v.nladders != 2, "%zu ladders", v.nladders);
		if (v.nladders == 2) {
			DIFF(!same_str(v.ladders[0].rung, h.status), "status: %s vs %s", v.ladders[0].rung, h.status);
			DIFF(!same_str(v.ladders[1].rung, h.rank), "rank: %s vs %s", v.ladders[1].rung, h.rank);
			DIFF(v.ladders[0].metric != h.status_metric, "status metric: %lld vs %lld", v.ladders[0].metric,
			     h.status_metric);
			DIFF(v.ladders[1].metric != h.rank_metric, "rank metric: %lld vs %lld", v.ladders[1].metric,
			     h.rank_metric);
		}
		DIFF(v.nmissions != 2, "%zu missions", v.nmissions);
		for (size_t m = 0; m < 2 && m < v.nmissions; m++) {
			const ludic_mission_view *x = &v.missions[m];
			DIFF(x->done != h.missions[m].done || x->started != h.missions[m].started ||
				     x->complete != h.missions[m].complete || x->expired != h.missions[m].expired ||
				     x->count != h.missions[m].count,
			     "mission %s: done %u started %d complete %d expired %d count %u vs %u %d %d %d %u", x->mission,
			     x->done, x->started, x->complete, x->expired, x->count, h.missions[m].done,
			     h.missions[m].started, h.missions[m].complete, h.missions[m].expired, h.missions[m].count);
		}
		DIFF(v.nstreaks != 1 || v.streaks[0].length != h.streak_length ||
			     v.streaks[0].grace_used != h.streak_grace_used,
		     "streak: length %u grace used %u vs %u %u", v.nstreaks ? v.streaks[0].length : 0,
		     v.nstreaks ? v.streaks[0].grace_used : 0, h.streak_length, h.streak_grace_used);
		DIFF(v.nbadges != h.nbadges, "%zu badges vs %zu", v.nbadges, h.nbadges);
		for (size_t b = 0; b < v.nbadges && b < h.nbadges; b++)
			DIFF(!same_str(v.badges[b], h.badges[b]), "badge %zu: %s vs %s", b, v.badges[b], h.badges[b]);
		DIFF(v.ncaps != h.ncaps, "%zu caps in use vs %zu", v.ncaps, h.ncaps);
		for (size_t c = 0; c < v.ncaps && c < h.ncaps; c++)
			DIFF(!same_str(v.caps[c].rule, h.caps[c].rule) || !same_str(v.caps[c].period, h.caps[c].period) ||
				     v.caps[c].used != h.caps[c].used || v.caps[c].limit != h.caps[c].limit,
			     "cap %zu: %s per %s %lld/%lld vs %s per %s %lld/%lld", c, v.caps[c].rule, v.caps[c].period,
			     v.caps[c].used, v.caps[c].limit, h.caps[c].rule, h.caps[c].period, h.caps[c].used,
			     h.caps[c].limit);
		DIFF(v.nvariants != 2, "%zu experiments", v.nvariants);
		for (size_t x = 0; x < 2 && x < v.nvariants; x++)
			DIFF(!same_str(v.variants[x].variant, h.variants[x]), "experiment %s: %s vs %s",
			     v.variants[x].experiment, v.variants[x].variant, h.variants[x]);
#undef DIFF
		if (what[0]) {
			fprintf(stderr, "check: DIFFERENT final state of customer %s: %s (%s vs hand-written C)\n", h.id, what,
				engine);
			return false;
		}
		(*n)++;
	}
	ludic_engine_stats st;
	ludic_engine_stats_get(le, &st);
	if (st.customers != hand_customers(he)) {
		fprintf(stderr, "check: DIFFERENT number of customers: %llu (%s) vs %zu\n", st.customers, engine,
			hand_customers(he));
		return false;
	}
	return true;
}

static const char *const RESULT[] = {"applied", "duplicate", "rejected", "anonymous", "blank"};

static const char *result_name(int r)
{
	return r >= 0 && r <= 4 ? RESULT[r] : "error";
}

/* Runs one ludic engine kind and the hand-written C in lockstep. Returns 0
 * (same), 1 (different), or 2 (the kind is not available: said why). */
static int check_one(const ludic_program *p, const lines *l, ludic_engine_kind kind, const char *name,
		     long long until, bool has_until)
{
	fxlist a = {0}, b = {0};
	a.pool_cap = b.pool_cap = 16 << 20;
	a.pool = xrealloc(NULL, a.pool_cap);
	b.pool = xrealloc(NULL, b.pool_cap);
	ludic_engine_options opt = {.on_effect = collect, .effect_user = &a, .engine = kind, .no_cache = 1};
	ludic_engine *le = NULL;
	int rc = 1;
	if (ludic_engine_new(p, &opt, &le) != LUDIC_OK) {
		fprintf(stderr, "check: could not make an engine\n");
		goto out;
	}
	ludic_engine_info info;
	ludic_engine_info_get(le, &info);
	if (kind == LUDIC_ENGINE_NATIVE && !info.native) {
		printf("check: native: not available (%s)\n", info.note ? info.note : "no reason given");
		rc = 2;
		goto out;
	}
	hand_engine *he = hand_new(collect, &b);
	unsigned long long fx = 0, applied = 0, customers = 0;
	for (size_t i = 0; i < l->n; i++) {
		const char *line = l->text + l->starts[i];
		size_t len = line_len(l, i);
		a.n = b.n = a.used = b.used = 0;
		int ra = ludic_engine_push_json(le, line, len, i + 1);
		int rb = hand_push_json(he, line, len);
		char where[128];
		snprintf(where, sizeof where, "line %zu", i + 1);
		if (ra != rb) {
			fprintf(stderr, "check: DIFFERENT at %s: %s says %s, the hand-written C %s\n  %.*s\n", where, name,
				result_name(ra), result_name(rb), (int)(len > 400 ? 400 : len), line);
			goto done;
		}
		if (!same_effects(&a, &b, name, where)) {
			fprintf(stderr, "  the event: %.*s\n", (int)(len > 400 ? 400 : len), line);
			goto done;
		}
		fx += a.n;
		applied += ra == LUDIC_APPLIED;
	}
	if (has_until) {
		/* a day at a time, so that one step's effects stay small */
		ludic_engine_stats st;
		ludic_engine_stats_get(le, &st);
		long long t = until;
		for (size_t i = l->n; i-- > 0 && t == until;) {
			hand_event ev;
			const char *why;
			char *buf = xrealloc(NULL, line_len(l, i) + 8);
			if (!hand_parse_json(l->text + l->starts[i], line_len(l, i), &ev, buf, &why))
				t = ev.at;
			free(buf);
		}
		for (bool last = false; !last;) {
			t += 86400;
			if (t >= until)
				t = until, last = true;
			a.n = b.n = a.used = b.used = 0;
			ludic_engine_advance(le, t);
			hand_advance(he, t);
			char where[96];
			snprintf(where, sizeof where, "time passing (--until), up to %lld", t);
			if (!same_effects(&a, &b, name, where))
				goto done;
			fx += a.n;
		}
	}
	if (!same_state(le, he, name, &customers))
		goto done;
	printf("check: %s and the hand-written C agree: %zu lines, %llu applied, %llu effects, %llu customers' final "
	       "state\n",
	       name, l->n, applied, fx, customers);
	rc = 0;
done:
	hand_free(he);
out:
	ludic_engine_free(le);
	free(a.fx);
	free(b.fx);
	free(a.pool);
	free(b.pool);
	return rc;
}

static int run_check(const options *o, const ludic_program *p)
{
	lines l = {0};
	char source[1024];
	if (load_stream(o, o->events, o->customers, &l, source, sizeof source))
		return 1;
	printf("check: %s (%zu lines)%s%s\n", source, l.n, o->until ? ", then time passes to " : "",
	       o->until ? o->until : "");
	long long until = 0;
	if (o->until) {
		char why[128];
		if (ludic_time_parse(o->until, strlen(o->until), &until, why, sizeof why) != LUDIC_OK) {
			fprintf(stderr, "engine-bench: --until: %s\n", why);
			return 2;
		}
	}
	int rc = check_one(p, &l, LUDIC_ENGINE_INTERP, "the interpreter", until, o->until != NULL);
	if (rc == 0) {
		int n = check_one(p, &l, LUDIC_ENGINE_NATIVE, "native code", until, o->until != NULL);
		if (n == 1)
			rc = 1;
	}
	free(l.text);
	free(l.starts);
	return rc;
}

/* ---- timing ---- */

typedef struct {
	unsigned long long by_kind[LUDIC_EFFECT_KIND_COUNT];
} counts;

static void count_effect(void *user, const ludic_effect *fx)
{
	counts *c = user;
	if ((unsigned)fx->kind < LUDIC_EFFECT_KIND_COUNT)
		c->by_kind[fx->kind]++;
}

enum { P_TYPED, P_TYPED_BATCH, P_JSON, P_JSON_BATCH, NPATHS };
static const char *const PATH[NPATHS] = {"typed", "typed_batch", "json", "json_batch"};
#define BATCH 256

typedef struct {
	bool measured;
	double secs[MAX_RUNS], median;
	size_t events;
} path_result;

/* Current resident memory (KB). */
static long rss_now_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

/* p50, p99, p99.9 of `n` sorted durations. */
static void percentiles(long long *ns, size_t n, double out[3])
{
	qsort(ns, n, sizeof *ns, cmp_ll);
	static const double q[3] = {0.50, 0.99, 0.999};
	for (int k = 0; k < 3; k++) {
		size_t i = (size_t)(q[k] * (double)n);
		out[k] = n ? (double)ns[i < n ? i : n - 1] : 0;
	}
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One timed run of a ludic path on a fresh engine. */
static int ludic_run(const ludic_program *p, ludic_engine_kind kind, int path, const typed *t, const lines *l,
		     double *secs, counts *fx, ludic_engine_stats *st)
{
	memset(fx, 0, sizeof *fx);
	ludic_engine_options opt = {.on_effect = count_effect, .effect_user = fx, .engine = kind, .no_cache = 1};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK)
		return -1;
	ludic_event *evs[BATCH];
	for (int k = 0; k < BATCH; k++)
		evs[k] = ludic_event_new(p);
	ludic_line *batch = xrealloc(NULL, BATCH * sizeof *batch);
	double t0 = bench_now();
	switch (path) {
	case P_TYPED:
		for (size_t i = 0; i < t->n;) {
			fill(evs[0], t, &i, l->text);
			ludic_engine_push(e, evs[0]);
		}
		break;
	case P_TYPED_BATCH:
		for (size_t i = 0; i < t->n;) {
			int n = 0;
			while (n < BATCH && i < t->n)
				fill(evs[n++], t, &i, l->text);
			ludic_engine_push_batch(e, (const ludic_event *const *)evs, (size_t)n, NULL);
		}
		break;
	case P_JSON:
		for (size_t i = 0; i < l->n; i++)
			ludic_engine_push_json(e, l->text + l->starts[i], line_len(l, i), i + 1);
		break;
	case P_JSON_BATCH:
		for (size_t i = 0; i < l->n;) {
			size_t n = 0;
			for (; n < BATCH && i < l->n; n++, i++)
				batch[n] = (ludic_line){l->text + l->starts[i], line_len(l, i), i + 1};
			ludic_engine_push_json_batch(e, batch, n, NULL);
		}
		break;
	}
	*secs = bench_now() - t0;
	ludic_engine_stats_get(e, st);
	for (int k = 0; k < BATCH; k++)
		ludic_event_free(evs[k]);
	free(batch);
	ludic_engine_free(e);
	return 0;
}

static int hand_run(const hand_events *h, const lines *l, int path, double *secs, counts *fx, size_t *bytes,
		    size_t *customers)
{
	memset(fx, 0, sizeof *fx);
	hand_engine *e = hand_new(count_effect, fx);
	double t0 = bench_now();
	if (path == P_TYPED)
		for (size_t i = 0; i < h->n; i++)
			hand_push(e, &h->ev[i]);
	else
		for (size_t i = 0; i < l->n; i++)
			hand_push_json(e, l->text + l->starts[i], line_len(l, i));
	*secs = bench_now() - t0;
	*bytes = hand_state_bytes(e);
	*customers = hand_customers(e);
	hand_free(e);
	return 0;
}

/* Native code: cold compiles (no cache) and loads from a fresh cache. */
static void compile_times(const ludic_program *p, int runs, FILE *out)
{
	double cold[MAX_RUNS], cached[MAX_RUNS];
	int nc = 0, nh = 0;
	for (int r = 0; r < runs; r++) {
		ludic_engine_options opt = {.engine = LUDIC_ENGINE_NATIVE, .no_cache = 1};
		ludic_engine *e = NULL;
		if (ludic_engine_new(p, &opt, &e) == LUDIC_OK) {
			ludic_engine_info in;
			ludic_engine_info_get(e, &in);
			if (in.native)
				cold[nc++] = in.compile_ms;
		}
		ludic_engine_free(e);
		char dir[] = "/tmp/ludic-bench-cache-XXXXXX";
		if (!mkdtemp(dir))
			continue;
		ludic_engine_options copt = {.engine = LUDIC_ENGINE_NATIVE, .cache_dir = dir};
		for (int k = 0; k < 2; k++) {
			e = NULL;
			if (ludic_engine_new(p, &copt, &e) == LUDIC_OK) {
				ludic_engine_info in;
				ludic_engine_info_get(e, &in);
				if (k == 1 && in.native && in.from_cache)
					cached[nh++] = in.compile_ms;
			}
			ludic_engine_free(e);
		}
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "engine-bench: could not remove %s\n", dir);
	}
	fprintf(out, ",\"compile_cold_ms\":");
	nc ? fprintf(out, "%.2f", bench_median(cold, nc)) : fprintf(out, "null");
	fprintf(out, ",\"compile_cached_ms\":");
	nh ? fprintf(out, "%.2f", bench_median(cached, nh)) : fprintf(out, "null");
	printf("  native code: cold ");
	nc ? printf("%.1f ms", bench_median(cold, nc)) : printf("n/a");
	printf(", from the cache ");
	nh ? printf("%.1f ms", bench_median(cached, nh)) : printf("n/a");
	printf(" (median of %d)\n", runs);
}

static int run_impl(const options *o, const ludic_program *p, double program_ms)
{
	bool hand = !strcmp(o->impl, "hand"), native = !strcmp(o->impl, "native");
	ludic_engine_kind kind = native ? LUDIC_ENGINE_NATIVE : LUDIC_ENGINE_INTERP;
	FILE *out = o->json_path ? fopen(o->json_path, "w") : NULL;
	if (o->json_path && !out) {
		fprintf(stderr, "engine-bench: cannot write %s: %s\n", o->json_path, strerror(errno));
		return 1;
	}
	char cpu[256];
	cpu_model(cpu, sizeof cpu);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (!out)
		out = fopen("/dev/null", "w");
	fprintf(out, "{\"impl\":\"%s\",\"machine\":{\"cores\":%ld,\"cpu\":", o->impl, ncpu);
	json_string(out, cpu);
	fprintf(out, "},\"program_ms\":%.2f", program_ms);

	/* is native code there? */
	if (native) {
		ludic_engine_options opt = {.engine = LUDIC_ENGINE_NATIVE, .no_cache = 1};
		ludic_engine *e = NULL;
		ludic_engine_info in = {0};
		if (ludic_engine_new(p, &opt, &e) == LUDIC_OK)
			ludic_engine_info_get(e, &in);
		bool ok = e && in.native;
		char note[512];
		snprintf(note, sizeof note, "%s", in.note ? in.note : e ? "no reason given" : "no engine");
		ludic_engine_free(e);
		if (!ok) {
			printf("native: not available (%s)\n", note);
			fprintf(out, ",\"available\":false,\"note\":");
			json_string(out, note);
			fprintf(out, "}\n");
			fclose(out);
			return 0;
		}
		compile_times(p, o->runs, out);
	}
	fprintf(out, ",\"available\":true");

	lines l = {0};
	char source[1024];
	if (load_stream(o, o->events, o->customers, &l, source, sizeof source))
		return 1;
	typed t = {0};
	hand_events h = {0};
	size_t bad = hand ? convert_hand(&l, &h) : convert_all(p, &l, &t);
	size_t typed_events = hand ? h.n : t.events;
	long input_kb = rss_now_kb();
	printf("%s: %s, %zu lines (%.1f MB)%s\n", o->impl, source, l.n, (double)l.len / 1e6,
	       bad ? " (some not converted: see above)" : "");
	fprintf(out, ",\"source\":");
	json_string(out, source);
	fprintf(out, ",\"events\":%zu,\"typed_events\":%zu,\"runs\":%d", l.n, typed_events, o->runs);

	path_result res[NPATHS] = {0};
	counts fx = {0};
	ludic_engine_stats st = {0};
	size_t hand_bytes = 0, hand_custs = 0;
	for (int path = 0; path < NPATHS; path++) {
		if (hand && (path == P_TYPED_BATCH || path == P_JSON_BATCH))
			continue; /* the hand-written C has no batch call */
		res[path].measured = true;
		res[path].events = path == P_TYPED || path == P_TYPED_BATCH ? typed_events : l.n;
		for (int r = 0; r < o->runs; r++) {
			int rc = hand ? hand_run(&h, &l, path, &res[path].secs[r], &fx, &hand_bytes, &hand_custs)
				      : ludic_run(p, kind, path, &t, &l, &res[path].secs[r], &fx, &st);
			if (rc) {
				fprintf(stderr, "engine-bench: could not make an engine\n");
				return 1;
			}
		}
		double tmp[MAX_RUNS];
		memcpy(tmp, res[path].secs, sizeof tmp);
		res[path].median = bench_median(tmp, o->runs);
		printf("  %-12s %12.0f events/s  %8.1f ns/event  (median of %d:", PATH[path],
		       (double)res[path].events / res[path].median, res[path].median * 1e9 / (double)res[path].events,
		       o->runs);
		for (int r = 0; r < o->runs; r++)
			printf(" %.3f", res[path].secs[r]);
		printf(" s)\n");
	}
	fprintf(out, ",\"paths\":{");
	bool first = true;
	for (int path = 0; path < NPATHS; path++) {
		if (!res[path].measured)
			continue;
		fprintf(out, "%s\"%s\":{\"median_s\":%.6f,\"events_per_s\":%.0f,\"ns_per_event\":%.2f,\"runs_s\":[",
			first ? "" : ",", PATH[path], res[path].median, (double)res[path].events / res[path].median,
			res[path].median * 1e9 / (double)res[path].events);
		for (int r = 0; r < o->runs; r++)
			fprintf(out, "%s%.6f", r ? "," : "", res[path].secs[r]);
		fprintf(out, "]}");
		first = false;
	}
	fprintf(out, "}");
	size_t bytes = hand ? hand_bytes : st.state_bytes;
	unsigned long long custs = hand ? hand_custs : st.customers;
	printf("  state: %zu bytes for %llu customers: %.0f bytes per customer\n", bytes, custs,
	       custs ? (double)bytes / (double)custs : 0.0);
	fprintf(out, ",\"state_bytes\":%zu,\"customers\":%llu,\"bytes_per_customer\":%.1f", bytes, custs,
		custs ? (double)bytes / (double)custs : 0.0);
	fprintf(out, ",\"effects\":{");
	for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++)
		fprintf(out, "%s\"%s\":%llu", k ? "," : "", ludic_effect_kind_name((ludic_effect_kind)k), fx.by_kind[k]);
	fprintf(out, "}");
	free(t.ops);
	memset(&t, 0, sizeof t);
	hand_events_free(&h);
	memset(&h, 0, sizeof h);

	/* latency: one customer's stream, each push timed after a warm-up */
	if (o->latency) {
		unsigned long long warm = o->latency / 10, total = o->latency + warm;
		options hot = *o;
		hot.input = NULL;
		lines hl = {0};
		char hsrc[1024];
		if (load_stream(&hot, total, 1, &hl, hsrc, sizeof hsrc))
			return 1;
		long long *ns = xrealloc(NULL, hl.n * sizeof *ns);
		size_t n = 0;
		counts hfx;
		if (hand) {
			hand_events hh = {0};
			convert_hand(&hl, &hh);
			hand_engine *e = hand_new(count_effect, &hfx);
			for (size_t i = 0; i < hh.n; i++) {
				long long t0 = now_ns();
				hand_push(e, &hh.ev[i]);
				long long t1 = now_ns();
				if (i >= warm)
					ns[n++] = t1 - t0;
			}
			hand_free(e);
			hand_events_free(&hh);
		} else {
			typed ht = {0};
			convert_all(p, &hl, &ht);
			ludic_engine_options opt = {.on_effect = count_effect, .effect_user = &hfx, .engine = kind, .no_cache = 1};
			ludic_engine *e = NULL;
			ludic_event *ev = ludic_event_new(p);
			if (ludic_engine_new(p, &opt, &e) != LUDIC_OK || !ev)
				return 1;
			for (size_t i = 0, k = 0; i < ht.n; k++) {
				fill(ev, &ht, &i, hl.text);
				long long t0 = now_ns();
				ludic_engine_push(e, ev);
				long long t1 = now_ns();
				if (k >= warm)
					ns[n++] = t1 - t0;
			}
			ludic_event_free(ev);
			ludic_engine_free(e);
			free(ht.ops);
		}
		double pc[3];
		percentiles(ns, n, pc);
		printf("  latency of one push on a hot customer (%zu pushes after %llu): p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns\n",
		       n, warm, pc[0], pc[1], pc[2]);
		fprintf(out, ",\"latency\":{\"pushes\":%zu,\"p50_ns\":%.0f,\"p99_ns\":%.0f,\"p999_ns\":%.0f}", n, pc[0], pc[1],
			pc[2]);
		free(ns);
		free(hl.text);
		free(hl.starts);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("  memory: peak %.1f MB (ru_maxrss), of which %.1f MB is the stream held in memory\n",
	       (double)ru.ru_maxrss / 1024.0, (double)input_kb / 1024.0);
	fprintf(out, ",\"peak_rss_kb\":%ld,\"input_rss_kb\":%ld}\n", ru.ru_maxrss, input_kb);
	fclose(out);
	free(l.text);
	free(l.starts);
	return 0;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fputs("usage: engine-bench --check [stream options] [--until TIME]\n"
	      "       engine-bench --impl interp|native|hand [stream options] [--runs N] [--latency N] [--json FILE]\n"
	      "stream options: [--events N] [--customers N] [--days N] [--seed N] [--input FILE] [--program DIR]\n"
	      "                [--gen PATH]\n"
	      "defaults: 5000000 events, customers = events / 50 (at most 100000), 90 days, seed 1, 3 runs,\n"
	      "          100000 timed pushes for the latency, program examples/retailer, bench-gen next to this binary\n",
	      f);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* progress and differences (stderr) in the order they happen */
	options o = {.events = 5000000, .days = 90, .seed = 1, .runs = 3, .program = "examples/retailer",
		     .latency = 100000, .argv0 = argv[0]};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--check")) {
			o.check = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "engine-bench: %s needs a value (or is unknown)\n", a);
			usage(stderr);
			return 2;
		}
		i++;
		if (!strcmp(a, "--events"))
			o.events = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--customers"))
			o.customers = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--days"))
			o.days = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--runs"))
			o.runs = atoi(v);
		else if (!strcmp(a, "--latency"))
			o.latency = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--input"))
			o.input = v;
		else if (!strcmp(a, "--program"))
			o.program = v;
		else if (!strcmp(a, "--gen"))
			o.gen = v;
		else if (!strcmp(a, "--json"))
			o.json_path = v;
		else if (!strcmp(a, "--impl"))
			o.impl = v;
		else if (!strcmp(a, "--until"))
			o.until = v;
		else {
			fprintf(stderr, "engine-bench: unknown option `%s`\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (o.runs < 1 || o.runs > MAX_RUNS || o.events == 0) {
		fprintf(stderr, "engine-bench: --runs must be 1 to %d and --events above 0\n", MAX_RUNS);
		return 2;
	}
	if (!o.check && (!o.impl || (strcmp(o.impl, "interp") && strcmp(o.impl, "native") && strcmp(o.impl, "hand")))) {
		fprintf(stderr, "engine-bench: say --check, or --impl interp, native or hand\n");
		usage(stderr);
		return 2;
	}
	if (!o.customers)
		o.customers = o.events / 50 > 100000 ? 100000 : o.events / 50 ? o.events / 50 : 1;
	double t0 = bench_now();
	ludic_program *p = load_program(o.program);
	double program_ms = (bench_now() - t0) * 1e3;
	if (!p)
		return 1;
	int rc = o.check ? run_check(&o, p) : run_impl(&o, p, program_ms);
	ludic_program_free(p);
	return rc;
}
