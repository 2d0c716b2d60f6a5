/* engine_bench.c — events per second of the engine, typed and JSON Lines.
 *
 *   ninja -C build engine-bench bench-gen
 *   build/engine-bench [--events N] [--customers N] [--days N] [--seed N]
 *                      [--runs N] [--input FILE] [--program DIR] [--json FILE]
 *   (or bench/engine.sh, or ./do bench)
 *
 * What it measures: the retailer program (examples/retailer/, the base
 * program and its overlay) applied to the seeded stream of bench/gen.c
 * (100,000 customers, 5,000,000 events over 90 days by default). The stream
 * is made once (bench-gen, found next to this binary, or --input FILE), held
 * in memory as JSON lines, and converted ONCE into a compact list of typed
 * field settings. Then, for each of --runs runs (default 3), a fresh engine:
 *
 *   typed: every event is filled into one reused ludic_event (reset + set
 *          field by field, as a till would) and given to ludic_engine_push;
 *   json:  every line is given to ludic_engine_push_json.
 *
 * Only the pushes are timed (not the conversion, not engine_free). Effects go
 * to a callback that counts them by kind. It prints the median of the runs
 * (events/s on one core, ns/event), effects by kind, bytes of state per
 * customer, peak memory (ru_maxrss, which includes the events held in
 * memory) and the machine; --json FILE writes the same as one JSON object.
 *
 * Public API only (include/ludic.h). The JSON of the generated lines is read
 * with jsmn, only to make the typed events; the times, the durations and the
 * dates of that fixed format are converted here.
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

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DD" → days. */
static int parse_date(const char *s, size_t len, int64_t *out)
{
	int y, m, d;
	if (len != 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return -1;
	*out = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS(Z|±HH:MM)" → Unix seconds (the form gen.c and
 * realdata.py write; fractions of a second are not used there). */
static int parse_time(const char *s, size_t len, int64_t *out)
{
	int64_t days;
	int h, mi, se, oh = 0, om = 0;
	if (len < 20 || parse_date(s, 10, &days) || (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
		return -1;
	int sign = 0;
	if (len == 20 && (s[19] == 'Z' || s[19] == 'z'))
		sign = 0;
	else if (len == 25 && (s[19] == '+' || s[19] == '-') && !digits(s + 20, 2, &oh) && s[22] == ':' &&
		 !digits(s + 23, 2, &om))
		sign = s[19] == '+' ? 1 : -1;
	else
		return -1;
	*out = days * 86400 + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
	return 0;
}

/* "PT37M", "PT2H15M", "P1D" → seconds (whole designators only). */
static int parse_duration(const char *s, size_t len, int64_t *out)
{
	if (len < 3 || s[0] != 'P')
		return -1;
	int64_t total = 0, n = 0;
	bool in_time = false, have = false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			n = n * 10 + (c - '0');
			have = true;
			continue;
		}
		if (c == 'T') {
			in_time = true;
			continue;
		}
		if (!have)
			return -1;
		int64_t unit = c == 'W' && !in_time ? 604800 : c == 'D' && !in_time ? 86400 : c == 'H' && in_time ? 3600
			     : c == 'M' && in_time ? 60 : c == 'S' && in_time ? 1 : 0;
		if (!unit)
			return -1;
		total += n * unit;
		n = 0;
		have = false;
	}
	*out = total;
	return have ? -1 : 0;
}

/* A JSON number with at most two decimals → minor units (the program's
 * currency, EUR, has two). */
static int parse_money(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	int frac = -1;
	bool neg = len && s[0] == '-';
	for (size_t i = neg; i < len; i++) {
		if (s[i] == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || frac >= 2)
			return -1;
		v = v * 10 + (s[i] - '0');
		if (frac >= 0)
			frac++;
	}
	for (int f = frac < 0 ? 0 : frac; f < 2; f++)
		v *= 10;
	*out = neg ? -v : v;
	return 0;
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
	case C_TIME: bad = parse_time(v, vlen, &n); break;
	case C_DATE: bad = parse_date(v, vlen, &n); break;
	case C_DURATION: bad = parse_duration(v, vlen, &n); break;
	case C_MONEY: bad = parse_money(v, vlen, &n); break;
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

/* ---- runs ---- */

typedef struct {
	unsigned long long by_kind[LUDIC_EFFECT_KIND_COUNT];
	unsigned long long rejects;
} counts;

static void on_effect(void *user, const ludic_effect *fx)
{
	counts *c = user;
	if ((unsigned)fx->kind < LUDIC_EFFECT_KIND_COUNT)
		c->by_kind[fx->kind]++;
}

static void on_reject(void *user, const ludic_reject *r)
{
	counts *c = user;
	if (c->rejects++ < 3)
		fprintf(stderr, "engine-bench: reject at line %llu: %s (%s): %s\n", r->line, r->code,
			r->field ? r->field : "-", r->message);
}

typedef struct {
	double seconds;
	counts fx;
	ludic_engine_stats stats;
} run_result;

static int run_once(const ludic_program *p, const typed *t, const lines *l, bool json, run_result *out)
{
	memset(out, 0, sizeof *out);
	ludic_engine_options opt = {.on_effect = on_effect, .effect_user = &out->fx, .on_reject = on_reject, .reject_user = &out->fx};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK)
		return -1;
	ludic_event *ev = ludic_event_new(p);
	if (!ev) {
		ludic_engine_free(e);
		return -1;
	}
	double t0 = bench_now();
	if (json) {
		for (size_t i = 0; i < l->n; i++)
			ludic_engine_push_json(e, l->text + l->starts[i], line_len(l, i), i + 1);
	} else {
		for (size_t i = 0; i < t->n;) {
			fill(ev, t, &i, l->text);
			ludic_engine_push(e, ev);
		}
	}
	out->seconds = bench_now() - t0;
	ludic_engine_stats_get(e, &out->stats);
	ludic_event_free(ev);
	ludic_engine_free(e);
	return 0;
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

static void usage(FILE *f)
{
	fputs("usage: engine-bench [--events N] [--customers N] [--days N] [--seed N] [--runs N]\n"
	      "                    [--input FILE] [--program DIR] [--gen PATH] [--json FILE]\n"
	      "defaults: 5000000 events, customers = events / 50 (at most 100000), 90 days, seed 1,\n"
	      "          3 runs, program examples/retailer, bench-gen next to this binary\n",
	      f);
}

int main(int argc, char **argv)
{
	unsigned long long events = 5000000, customers = 0, days = 90, seed = 1;
	int runs = 3;
	const char *input = NULL, *program = "examples/retailer", *json_path = NULL, *gen = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			fprintf(stderr, "engine-bench: %s needs a value (or is unknown)\n", a);
			usage(stderr);
			return 2;
		}
		i++;
		if (!strcmp(a, "--events"))
			events = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--customers"))
			customers = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--days"))
			days = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--runs"))
			runs = atoi(v);
		else if (!strcmp(a, "--input"))
			input = v;
		else if (!strcmp(a, "--program"))
			program = v;
		else if (!strcmp(a, "--gen"))
			gen = v;
		else if (!strcmp(a, "--json"))
			json_path = v;
		else {
			fprintf(stderr, "engine-bench: unknown option `%s`\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS || events == 0) {
		fprintf(stderr, "engine-bench: --runs must be 1 to %d and --events above 0\n", MAX_RUNS);
		return 2;
	}
	if (!customers)
		customers = events / 50 > 100000 ? 100000 : events / 50 ? events / 50 : 1;

	ludic_program *p = load_program(program);
	if (!p)
		return 1;

	/* the stream */
	lines l = {0};
	char source[1024];
	double t0 = bench_now();
	if (input) {
		FILE *f = fopen(input, "rb");
		if (!f || read_stream(f, &l)) {
			fprintf(stderr, "engine-bench: cannot read %s: %s\n", input, strerror(errno));
			return 1;
		}
		fclose(f);
		snprintf(source, sizeof source, "%s", input);
	} else {
		char path[4096];
		if (gen)
			snprintf(path, sizeof path, "%s", gen);
		else {
			const char *slash = strrchr(argv[0], '/');
			snprintf(path, sizeof path, "%.*sbench-gen", slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
		}
		if (access(path, X_OK)) {
			fprintf(stderr, "engine-bench: %s not found: build it (ninja -C build bench-gen) or give --gen or --input\n",
				path);
			return 1;
		}
		char cmd[8192];
		snprintf(cmd, sizeof cmd, "'%s' --events %llu --customers %llu --days %llu --seed %llu", path, events,
			 customers, days, seed);
		FILE *f = popen(cmd, "r");
		if (!f || read_stream(f, &l) || pclose(f) != 0) {
			fprintf(stderr, "engine-bench: `%s` failed\n", cmd);
			return 1;
		}
		snprintf(source, sizeof source, "bench-gen --events %llu --customers %llu --days %llu --seed %llu", events,
			 customers, days, seed);
	}
	double t_gen = bench_now() - t0;

	/* convert once */
	t0 = bench_now();
	typed t = {0};
	converter cv = {p, ludic_event_new(p), l.text, &t, {0}};
	jsmntok_t *tok = xrealloc(NULL, 4096 * sizeof *tok);
	size_t bad = 0;
	for (size_t i = 0; i < l.n; i++) {
		size_t before = t.n;
		if (convert_line(&cv, l.text + l.starts[i], line_len(&l, i), l.starts[i], tok, 4096)) {
			t.n = before; /* drop what was recorded of it */
			if (bad++ < 3)
				fprintf(stderr, "engine-bench: line %zu could not be converted to a typed event\n", i + 1);
		}
	}
	free(tok);
	ludic_event_free(cv.scratch);
	double t_conv = bench_now() - t0;
	if (bad)
		fprintf(stderr, "engine-bench: %zu lines were not converted (the typed runs skip them)\n", bad);

	char cpu[256];
	cpu_model(cpu, sizeof cpu);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	printf("machine: %ld cores, %s\n", ncpu, cpu);
	printf("program: %s (%s %s), %zu bytes of state per customer, %zu per staff member\n", program,
	       ludic_program_name(p), ludic_program_version(p), ludic_program_state_size(p),
	       ludic_program_staff_state_size(p));
	printf("events:  %zu lines (%.1f MB) from %s, made in %.1f s; %zu typed, converted in %.1f s (%.1f MB)\n", l.n,
	       (double)l.len / 1e6, source, t_gen, t.events, t_conv, (double)(t.n * sizeof(op)) / 1e6);

	static const char *const paths[2] = {"typed", "json"};
	double med_s[2] = {0, 0}, evs[2] = {0, 0};
	run_result last[2];
	for (int j = 0; j < 2; j++) {
		double secs[MAX_RUNS];
		for (int r = 0; r < runs; r++) {
			if (run_once(p, &t, &l, j == 1, &last[j])) {
				fprintf(stderr, "engine-bench: could not make an engine\n");
				return 1;
			}
			secs[r] = last[j].seconds;
		}
		med_s[j] = bench_median(secs, runs);
		evs[j] = (double)(j ? l.n : t.events);
		printf("%-5s: median of %d runs %.3f s: %.0f events/s on one core, %.0f ns/event", paths[j], runs, med_s[j],
		       evs[j] / med_s[j], med_s[j] * 1e9 / evs[j]);
		printf("  (runs:");
		for (int r = 0; r < runs; r++)
			printf(" %.3f", secs[r]);
		printf(")\n");
	}

	const ludic_engine_stats *s = &last[1].stats;
	printf("engine:  %llu applied, %llu duplicates, %llu rejected, %llu anonymous; %llu customers, %llu staff\n",
	       s->applied, s->duplicates, s->rejected, s->anonymous, s->customers, s->staff);
	printf("state:   %zu bytes held, %.1f bytes per customer (program record: %zu)\n", s->state_bytes,
	       s->customers ? (double)s->state_bytes / (double)s->customers : 0.0, ludic_program_state_size(p));
	printf("effects:");
	unsigned long long total_fx = 0;
	for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++) {
		total_fx += last[1].fx.by_kind[k];
		if (last[1].fx.by_kind[k])
			printf(" %s %llu", ludic_effect_kind_name((ludic_effect_kind)k), last[1].fx.by_kind[k]);
	}
	printf(" (total %llu)\n", total_fx);
	bool same = !memcmp(last[0].fx.by_kind, last[1].fx.by_kind, sizeof last[0].fx.by_kind);
	if (!same && !bad)
		printf("WARNING: the typed and the JSON runs gave different effect counts\n");
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("memory:  peak %.1f MB (ru_maxrss; includes the %.1f MB of events held in memory)\n",
	       (double)ru.ru_maxrss / 1024.0, (double)(l.len + t.n * sizeof(op) + l.n * sizeof(size_t)) / 1e6);

	if (json_path) {
		FILE *f = fopen(json_path, "w");
		if (!f) {
			fprintf(stderr, "engine-bench: cannot write %s: %s\n", json_path, strerror(errno));
			return 1;
		}
		fprintf(f, "{\"machine\":{\"cores\":%ld,\"cpu\":", ncpu);
		json_string(f, cpu);
		fprintf(f, "},\"program\":");
		json_string(f, program);
		fprintf(f, ",\"source\":");
		json_string(f, source);
		fprintf(f, ",\"events\":%zu,\"typed_events\":%zu,\"runs\":%d", l.n, t.events, runs);
		for (int j = 0; j < 2; j++)
			fprintf(f, ",\"%s\":{\"median_s\":%.6f,\"events_per_s_per_core\":%.0f,\"ns_per_event\":%.1f}",
				paths[j], med_s[j], evs[j] / med_s[j], med_s[j] * 1e9 / evs[j]);
		fprintf(f, ",\"state_size\":%zu,\"staff_state_size\":%zu,\"state_bytes\":%zu,\"customers\":%llu,"
			   "\"staff\":%llu,\"bytes_per_customer\":%.1f",
			ludic_program_state_size(p), ludic_program_staff_state_size(p), s->state_bytes, s->customers,
			s->staff, s->customers ? (double)s->state_bytes / (double)s->customers : 0.0);
		fprintf(f, ",\"applied\":%llu,\"duplicates\":%llu,\"rejected\":%llu,\"anonymous\":%llu", s->applied,
			s->duplicates, s->rejected, s->anonymous);
		fprintf(f, ",\"effects\":{");
		for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++)
			fprintf(f, "%s\"%s\":%llu", k ? "," : "", ludic_effect_kind_name((ludic_effect_kind)k),
				last[1].fx.by_kind[k]);
		fprintf(f, "},\"peak_rss_kb\":%ld}\n", ru.ru_maxrss);
		fclose(f);
	}
	free(t.ops);
	free(l.text);
	free(l.starts);
	ludic_program_free(p);
	return 0;
}
