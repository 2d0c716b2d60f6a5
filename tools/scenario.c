/* scenario.c — `ludic test`: scenario files (docs/testing.md). A scenario
 * names a program, gives events, lets time pass, and lists the effects,
 * rejects and customer facts expected; this file runs them and reports the
 * differences with the scenario's line numbers. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* `ludic test --engine`: which code runs every scenario. */
static ludic_engine_kind sc_engine = LUDIC_ENGINE_AUTO;

/* ------------------------------------------------------------------------ */
/* ludic test: scenario files                                               */
/* ------------------------------------------------------------------------ */

/* A scenario file (docs/testing.md) is read line by line:
 *
 *   program PATH            the program (relative to the scenario's folder)
 *   events                  JSON lines follow: events, applied in order
 *   until TIME              let time pass (RFC 3339)
 *   expect effects          JSON lines follow: every effect, in order
 *   expect no effects
 *   expect rejects          JSON lines follow: every reject, in order
 *   expect no rejects
 *   expect state CUSTOMER   fact lines follow: balance, pending, earned,
 *                           tier, level, badge, no badge, mission, streak
 *
 * Events and `until` lines make a round; the `expect` lines after them
 * compare what that round produced. A round whose rejects are not expected
 * fails: a typo in an event must not go unnoticed. */

/* ---- a small JSON reader, for comparing expected and actual lines ---- */

typedef struct jval {
	char kind;            /* 's' string, 'n' number, 't'/'f' true/false, 'z' null, 'o' object, 'a' array */
	char *text;           /* 's': decoded text; 'n': the number as written */
	char **keys;          /* 'o': the keys, in order */
	struct jval *items;   /* 'o': the values; 'a': the items */
	size_t n;             /* 'o', 'a': how many */
} jval;

static void jfree(jval *v)
{
	free(v->text);
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jfree(&v->items[i]);
	}
	free(v->keys);
	free(v->items);
	memset(v, 0, sizeof *v);
}

static void jskip(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
}

static void put_utf8(strbuf *b, unsigned long c)
{
	char u[4];
	size_t n;
	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3F));
		u[2] = (char)(0x80 | (c >> 6 & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	sb_add(b, u, n);
}

static bool jstring(const char **p, char **out)
{
	strbuf b = {0};
	sb_reserve(&b, 16);
	(*p)++;
	while (**p != '"') {
		unsigned char c = (unsigned char)**p;
		if (c == 0 || c < 0x20) {
			free(b.s);
			return false;
		}
		if (c != '\\') {
			sb_add(&b, *p, 1);
			(*p)++;
			continue;
		}
		(*p)++;
		char e = **p;
		(*p)++;
		switch (e) {
		case '"': sb_add(&b, "\"", 1); break;
		case '\\': sb_add(&b, "\\", 1); break;
		case '/': sb_add(&b, "/", 1); break;
		case 'b': sb_add(&b, "\b", 1); break;
		case 'f': sb_add(&b, "\f", 1); break;
		case 'n': sb_add(&b, "\n", 1); break;
		case 'r': sb_add(&b, "\r", 1); break;
		case 't': sb_add(&b, "\t", 1); break;
		case 'u': {
			unsigned long c1 = 0;
			for (int i = 0; i < 4; i++, (*p)++) {
				char h = **p;
				int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
					: h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
				if (d < 0) {
					free(b.s);
					return false;
				}
				c1 = c1 * 16 + (unsigned long)d;
			}
			if (c1 >= 0xD800 && c1 < 0xDC00 && (*p)[0] == '\\' && (*p)[1] == 'u') {
				const char *q = *p + 2;
				unsigned long c2 = strtoul((char[5]){q[0], q[1], q[2], q[3], 0}, NULL, 16);
				if (c2 >= 0xDC00 && c2 < 0xE000) {
					c1 = 0x10000 + ((c1 - 0xD800) << 10) + (c2 - 0xDC00);
					*p += 6;
				}
			}
			put_utf8(&b, c1);
			break;
		}
		default:
			free(b.s);
			return false;
		}
	}
	(*p)++;
	*out = b.s;
	return true;
}

/* Parses one JSON value at *p. `depth` bounds the nesting. */
static bool jparse(const char **p, jval *v, int depth)
{
	memset(v, 0, sizeof *v);
	if (depth > 32)
		return false;
	jskip(p);
	char c = **p;
	if (c == '"') {
		v->kind = 's';
		return jstring(p, &v->text);
	}
	if (c == '{' || c == '[') {
		bool obj = c == '{';
		v->kind = obj ? 'o' : 'a';
		(*p)++;
		jskip(p);
		if (**p == (obj ? '}' : ']')) {
			(*p)++;
			return true;
		}
		size_t cap = 0;
		for (;;) {
			if (v->n == cap) {
				cap = cap ? cap * 2 : 8;
				jval *items = realloc(v->items, cap * sizeof *items);
				char **keys = obj ? realloc(v->keys, cap * sizeof *keys) : NULL;
				if (items)
					v->items = items;
				if (keys)
					v->keys = keys;
				if (!items || (obj && !keys))
					return false;
			}
			if (obj) {
				jskip(p);
				if (**p != '"')
					return false;
				char *key;
				if (!jstring(p, &key))
					return false;
				v->keys[v->n] = key;
				jskip(p);
				if (**p != ':') {
					memset(&v->items[v->n++], 0, sizeof(jval));
					return false;
				}
				(*p)++;
			}
			bool ok = jparse(p, &v->items[v->n], depth + 1);
			v->n++;
			if (!ok)
				return false;
			jskip(p);
			if (**p == ',') {
				(*p)++;
				continue;
			}
			if (**p == (obj ? '}' : ']')) {
				(*p)++;
				return true;
			}
			return false;
		}
	}
	const char *start = *p;
	if (strncmp(start, "true", 4) == 0 || strncmp(start, "false", 5) == 0 || strncmp(start, "null", 4) == 0) {
		v->kind = start[0] == 'n' ? 'z' : start[0];
		*p += start[0] == 'f' ? 5 : 4;
		return true;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		(*p)++;
		while ((**p >= '0' && **p <= '9') || **p == '.' || **p == 'e' || **p == 'E' || **p == '+' || **p == '-')
			(*p)++;
		v->kind = 'n';
		v->text = strndup(start, (size_t)(*p - start));
		return v->text != NULL;
	}
	return false;
}

/* Parses a whole line as one JSON object. */
static bool jparse_object(const char *s, jval *v)
{
	const char *p = s;
	if (!jparse(&p, v, 0) || v->kind != 'o') {
		jfree(v);
		return false;
	}
	jskip(&p);
	if (*p) {
		jfree(v);
		return false;
	}
	return true;
}

/* Whether `want` matches `got`: objects match when every key written in
 * `want` is in `got` with a matching value (keys not written are not
 * compared); times match when they are the same instant, whatever the
 * offset they are written with; numbers as written, after the number. */
static bool jmatch(const jval *want, const jval *got)
{
	if (want->kind != got->kind)
		return false;
	switch (want->kind) {
	case 's': {
		if (strcmp(want->text, got->text) == 0)
			return true;
		long long t1, t2;
		return ludic_time_parse(want->text, strlen(want->text), &t1, NULL, 0) == LUDIC_OK &&
		       ludic_time_parse(got->text, strlen(got->text), &t2, NULL, 0) == LUDIC_OK && t1 == t2;
	}
	case 'n':
		return strcmp(want->text, got->text) == 0 || strtold(want->text, NULL) == strtold(got->text, NULL);
	case 'o':
		for (size_t i = 0; i < want->n; i++) {
			size_t j = 0;
			while (j < got->n && strcmp(got->keys[j], want->keys[i]) != 0)
				j++;
			if (j == got->n || !jmatch(&want->items[i], &got->items[j]))
				return false;
		}
		return true;
	case 'a':
		if (want->n != got->n)
			return false;
		for (size_t i = 0; i < want->n; i++)
			if (!jmatch(&want->items[i], &got->items[i]))
				return false;
		return true;
	default:
		return true;
	}
}

/* ---- one scenario ---- */

/* A line list: what a round produced (effects or rejects, as JSON text). */
typedef struct text_list {
	char **items;
	size_t count, cap;
} text_list;

static void tl_push(text_list *l, const char *s, size_t n)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		char **more = realloc(l->items, l->cap * sizeof *more);
		if (!more) {
			fputs("ludic: out of memory\n", stderr);
			exit(EXIT_USAGE);
		}
		l->items = more;
	}
	l->items[l->count++] = strndup(s, n);
}

static void tl_clear(text_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	l->count = 0;
}

/* What running one scenario file needs. */
typedef struct scenario {
	const char *path;            /* the scenario file */
	char *dir;                   /* its folder, for relative program paths */
	ludic_program *prog;         /* after `program` */
	ludic_engine *engine;        /* after `program` */
	text_list effects, rejects;  /* what the current round produced */
	bool round_checked;          /* an expect came after the round's last action */
	bool rejects_checked;        /* the round's rejects were compared */
	int round_line;              /* the line where the round began */
	strbuf report;               /* what went wrong, for the FAILED line */
	int failures;                /* differences found */
	bool broken;                 /* the file is malformed or its program does not load */
	strbuf scratch;              /* one effect's JSON */
} scenario;

/* Adds a line to the report, indented by `indent`. */
static void sc_report(scenario *s, const char *indent, const char *fmt, va_list ap)
{
	sb_add(&s->report, indent, strlen(indent));
	sb_vprintf(&s->report, fmt, ap);
	sb_add(&s->report, "\n", 1);
}

/* Reports a difference. */
static void sc_fail(scenario *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sc_fail(scenario *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sc_report(s, "    ", fmt, ap);
	va_end(ap);
	s->failures++;
}

/* Adds a line to the report without counting a difference. */
static void sc_note(scenario *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sc_note(scenario *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sc_report(s, "      ", fmt, ap);
	va_end(ap);
}

static void sc_on_effect(void *user, const ludic_effect *fx)
{
	scenario *s = user;
	sb_reserve(&s->scratch, 512);
	size_t need = ludic_effect_to_json(fx, s->scratch.s, s->scratch.cap);
	if (need + 1 > s->scratch.cap) {
		sb_reserve(&s->scratch, need + 1);
		ludic_effect_to_json(fx, s->scratch.s, s->scratch.cap);
	}
	tl_push(&s->effects, s->scratch.s, need);
}

static void sc_on_reject(void *user, const ludic_reject *r)
{
	scenario *s = user;
	strbuf b = {0};
	reject_json(&b, r, NULL);
	tl_push(&s->rejects, b.s, b.len);
	free(b.s);
}

/* Starts a new round when an action follows expectations. */
static void sc_action(scenario *s, int line_no)
{
	if (s->round_checked || s->round_line == 0) {
		tl_clear(&s->effects);
		tl_clear(&s->rejects);
		s->round_checked = false;
		s->rejects_checked = false;
		s->round_line = line_no;
	}
}

/* A round ends (an action after expectations, or the end of the file):
 * rejects nobody expected fail the scenario. */
static void sc_end_round(scenario *s)
{
	if (s->rejects.count && !s->rejects_checked) {
		sc_fail(s, "line %d: %zu %s rejected, and no `expect rejects` says so; the first:", s->round_line,
			s->rejects.count, s->rejects.count == 1 ? "event was" : "events were");
		sc_note(s, "%s", s->rejects.items[0]);
		s->rejects_checked = true;
	}
}

/* One expected JSON line, with its place in the scenario file. */
typedef struct expected_line {
	int line;
	char *text;
} expected_line;

/* Compares the round's `got` lines against `want` (all of them, in order):
 * the expected lines not produced, and the produced lines not expected. */
static void sc_compare(scenario *s, const char *what, const text_list *got, const expected_line *want, size_t nwant)
{
	jval *gv = calloc(got->count ? got->count : 1, sizeof *gv);
	bool *used = calloc(got->count ? got->count : 1, sizeof *used);
	if (!gv || !used) {
		fputs("ludic: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	for (size_t i = 0; i < got->count; i++)
		jparse_object(got->items[i], &gv[i]);
	/* Walk both in order: each expected line takes the next produced line
	 * that matches it; produced lines jumped over were not expected. */
	size_t next = 0;
	int before = s->failures;
	for (size_t w = 0; w < nwant; w++) {
		jval wv;
		if (!jparse_object(want[w].text, &wv)) {
			sc_fail(s, "line %d: not a JSON object: %s", want[w].line, want[w].text);
			s->broken = true;
			continue;
		}
		size_t k = next;
		while (k < got->count && !jmatch(&wv, &gv[k]))
			k++;
		if (k == got->count) {
			/* Not produced. When the next produced line matches no later
			 * expected line either, it is what came instead: show the pair. */
			bool paired = false;
			if (next < got->count) {
				paired = true;
				for (size_t w2 = w + 1; w2 < nwant && paired; w2++) {
					jval v2;
					if (jparse_object(want[w2].text, &v2)) {
						paired = !jmatch(&v2, &gv[next]);
						jfree(&v2);
					}
				}
			}
			if (paired) {
				sc_fail(s, "line %d: expected %s: %s", want[w].line, what, want[w].text);
				sc_note(s, "but it was: %s", got->items[next]);
				used[next] = true;
				next++;
			} else {
				sc_fail(s, "line %d: expected %s not produced: %s", want[w].line, what, want[w].text);
			}
		} else {
			for (size_t j = next; j < k; j++) {
				sc_fail(s, "line %d: unexpected %s (before the one expected here): %s", want[w].line, what,
					got->items[j]);
				used[j] = true;
			}
			used[k] = true;
			next = k + 1;
		}
		jfree(&wv);
	}
	for (size_t j = next; j < got->count; j++)
		if (!used[j])
			sc_fail(s, "after line %d: unexpected %s: %s", nwant ? want[nwant - 1].line : s->round_line, what,
				got->items[j]);
	if (s->failures > before && got->count == 0)
		sc_note(s, "(the round from line %d produced no %s at all)", s->round_line, what);
	for (size_t i = 0; i < got->count; i++)
		jfree(&gv[i]);
	free(gv);
	free(used);
}

/* Splits a fact line into words; "quoted words" keep their spaces. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (*p && n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '"') {
			words[n++] = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			words[n++] = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
		}
		if (*p)
			*p++ = 0;
	}
	return n;
}

static bool parse_count(const char *w, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(w, &end, 10);
	if (end == w || *end || errno)
		return false;
	*out = v;
	return true;
}

/* Checks one `expect state` fact against the customer's view. */
static void sc_fact(scenario *s, const ludic_customer_view *v, char *line, int line_no)
{
	char copy[1024];
	snprintf(copy, sizeof copy, "%s", line);
	char *w[8];
	size_t n = split_words(line, w, 8);
	long long num = 0;
	if (n == 0)
		return;
	const char *fact = w[0];
	if ((strcmp(fact, "balance") == 0 || strcmp(fact, "pending") == 0 || strcmp(fact, "earned") == 0) && n == 3 &&
	    parse_count(w[2], &num)) {
		for (size_t i = 0; i < v->nbalances; i++) {
			const ludic_balance_view *b = &v->balances[i];
			if (strcmp(b->wallet, w[1]) != 0)
				continue;
			long long have = fact[0] == 'b' ? b->balance : fact[0] == 'p' ? b->pending : b->earned;
			if (have != num)
				sc_fail(s, "line %d: %s: customer %s has %lld, not %lld", line_no, copy, v->id, have, num);
			return;
		}
		sc_fail(s, "line %d: %s: the program has no customer wallet `%s`", line_no, copy, w[1]);
		s->broken = true;
		return;
	}
	if ((strcmp(fact, "tier") == 0 || strcmp(fact, "level") == 0) && n == 3) {
		for (size_t i = 0; i < v->nladders; i++) {
			const ludic_ladder_view *l = &v->ladders[i];
			if (strcmp(l->ladder, w[1]) != 0)
				continue;
			if (l->level != (fact[0] == 'l')) {
				sc_fail(s, "line %d: `%s` is a %s ladder: write `%s %s %s`", line_no, w[1],
					l->level ? "levels" : "tiers", l->level ? "level" : "tier", w[1], w[2]);
				s->broken = true;
			} else if (!l->rung || strcmp(l->rung, w[2]) != 0) {
				sc_fail(s, "line %d: %s: customer %s is %s", line_no, copy, v->id, l->rung ? l->rung : "on no rung");
			}
			return;
		}
		sc_fail(s, "line %d: %s: the program has no ladder `%s`", line_no, copy, w[1]);
		s->broken = true;
		return;
	}
	bool no = strcmp(fact, "no") == 0 && n == 3 && strcmp(w[1], "badge") == 0;
	if ((strcmp(fact, "badge") == 0 && n == 2) || no) {
		const char *badge = w[n - 1];
		bool has = false;
		for (size_t i = 0; i < v->nbadges; i++)
			has |= strcmp(v->badges[i], badge) == 0;
		if (has == no)
			sc_fail(s, "line %d: %s: customer %s %s that badge", line_no, copy, v->id, has ? "has" : "does not have");
		return;
	}
	if (strcmp(fact, "mission") == 0 && n >= 3) {
		for (size_t i = 0; i < v->nmissions; i++) {
			const ludic_mission_view *m = &v->missions[i];
			if (strcmp(m->mission, w[1]) != 0)
				continue;
			char have[128];
			snprintf(have, sizeof have, "%s, %u of %u steps done", m->complete ? "complete" : m->expired ? "closed"
				 : m->started ? "started" : "not started", m->done, m->steps);
			if (n == 4 && strcmp(w[2], "steps") == 0 && parse_count(w[3], &num)) {
				if ((long long)m->done != num)
					sc_fail(s, "line %d: %s: the mission is %s", line_no, copy, have);
			} else if (n == 3 && strcmp(w[2], "complete") == 0) {
				if (!m->complete)
					sc_fail(s, "line %d: %s: the mission is %s", line_no, copy, have);
			} else if (n == 3 && strcmp(w[2], "expired") == 0) {
				if (!m->expired)
					sc_fail(s, "line %d: %s: the mission is %s", line_no, copy, have);
			} else if (n == 4 && strcmp(w[2], "not") == 0 && strcmp(w[3], "started") == 0) {
				if (m->started)
					sc_fail(s, "line %d: %s: the mission is %s", line_no, copy, have);
			} else {
				break;
			}
			return;
		}
		if (n == 3 || n == 4) {
			bool known = false;
			for (size_t i = 0; i < v->nmissions; i++)
				known |= strcmp(v->missions[i].mission, w[1]) == 0;
			if (!known) {
				sc_fail(s, "line %d: %s: the program has no mission \"%s\"", line_no, copy, w[1]);
				s->broken = true;
				return;
			}
		}
	}
	if (strcmp(fact, "streak") == 0 && n == 3 && parse_count(w[2], &num)) {
		for (size_t i = 0; i < v->nstreaks; i++) {
			if (strcmp(v->streaks[i].streak, w[1]) != 0)
				continue;
			if ((long long)v->streaks[i].length != num)
				sc_fail(s, "line %d: %s: the streak is at %u", line_no, copy, v->streaks[i].length);
			return;
		}
		sc_fail(s, "line %d: %s: the program has no streak \"%s\"", line_no, copy, w[1]);
		s->broken = true;
		return;
	}
	if (strcmp(fact, "variant") == 0 && n == 3) {
		for (size_t i = 0; i < v->nvariants; i++) {
			if (strcmp(v->variants[i].experiment, w[1]) != 0)
				continue;
			if (strcmp(v->variants[i].variant, w[2]) != 0)
				sc_fail(s, "line %d: %s: customer %s is in variant \"%s\"", line_no, copy, v->id,
					v->variants[i].variant);
			return;
		}
		sc_fail(s, "line %d: %s: the program has no experiment \"%s\"", line_no, copy, w[1]);
		s->broken = true;
		return;
	}
	sc_fail(s, "line %d: `%s` is not a state fact: write one of `balance WALLET N`, `pending WALLET N`, "
		"`earned WALLET N`, `tier LADDER RUNG`, `level LADDER RUNG`, `badge NAME`, `no badge NAME`, "
		"`mission \"NAME\" steps N|complete|expired|not started`, `streak \"NAME\" N`, "
		"`variant \"EXPERIMENT\" NAME`", line_no, copy);
	s->broken = true;
}

/* Reads a scenario file into lines (malloc'd; the caller frees). */
static char **read_lines(const char *path, size_t *count)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return NULL;
	size_t cap = 64, n = 0;
	char **lines = malloc(cap * sizeof *lines);
	for (size_t i = 0; lines && i <= len;) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		if (j == len && i == len)
			break;
		size_t end = j;
		while (end > i && (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t'))
			end--;
		if (n == cap) {
			cap *= 2;
			char **more = realloc(lines, cap * sizeof *more);
			if (!more)
				break;
			lines = more;
		}
		lines[n++] = strndup(text + i, end - i);
		i = j + 1;
	}
	free(text);
	*count = n;
	return lines;
}

/* The scenario's first comment: what it shows. */
static const char *scenario_title(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i];
		if (l[0] == '#') {
			l++;
			while (*l == ' ')
				l++;
			if (*l)
				return l;
		} else if (*l) {
			break;
		}
	}
	return NULL;
}

/* Loads the scenario's program, relative to the scenario's folder. */
static bool sc_program(scenario *s, const char *arg, int line_no)
{
	if (s->prog) {
		sc_fail(s, "line %d: a second `program`: a scenario runs one program", line_no);
		return false;
	}
	char path[4096];
	if (arg[0] == '/')
		snprintf(path, sizeof path, "%s", arg);
	else
		snprintf(path, sizeof path, "%s/%s", s->dir, arg);
	char *diag = NULL;
	size_t dlen = 0;
	FILE *mem = open_memstream(&diag, &dlen);
	int rc = mem ? load_program(path, mem, &s->prog) : EXIT_USAGE;
	if (mem)
		fclose(mem);
	if (rc) {
		sc_fail(s, "line %d: the program `%s` %s:", line_no, arg,
			rc == EXIT_ERRORS ? "has errors" : "cannot be read");
		if (diag)
			sb_add(&s->report, diag, strlen(diag));
		free(diag);
		return false;
	}
	free(diag);
	ludic_engine_options opt = {.on_effect = sc_on_effect, .effect_user = s,
				    .on_reject = sc_on_reject, .reject_user = s, .engine = sc_engine};
	if (ludic_engine_new(s->prog, &opt, &s->engine) != LUDIC_OK) {
		sc_fail(s, "line %d: the engine cannot start: %s", line_no,
			s->engine ? ludic_engine_error(s->engine) : "out of memory");
		return false;
	}
	return true;
}

typedef enum { BLOCK_NONE, BLOCK_EVENTS, BLOCK_EFFECTS, BLOCK_REJECTS, BLOCK_STATE } block_kind;

/* Runs one scenario file. Returns 0 passed, 1 failed, 2 unreadable; the
 * report says what differs. */
static int run_scenario(const char *path, bool quiet, bool color)
{
	size_t nlines = 0;
	char **lines = read_lines(path, &nlines);
	if (!lines) {
		usage_error("cannot read scenario `%s`: %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	scenario s = {.path = path};
	const char *slash = strrchr(path, '/');
	s.dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	block_kind block = BLOCK_NONE;
	expected_line *want = NULL;
	size_t nwant = 0, capwant = 0;
	int block_line = 0;
	char *state_customer = NULL;
	ludic_customer_view view;
	bool have_view = false;

	for (size_t i = 0; i <= nlines && !s.broken; i++) {
		const char *l = i < nlines ? lines[i] : "";
		int line_no = (int)i + 1;
		if (i < nlines && (l[0] == 0 || l[0] == '#'))
			continue;
		bool data = i < nlines && l[0] == '{';
		/* JSON lines belong to the block above them. */
		if (data && (block == BLOCK_EVENTS || block == BLOCK_EFFECTS || block == BLOCK_REJECTS)) {
			if (block == BLOCK_EVENTS) {
				if (!s.engine) {
					sc_fail(&s, "line %d: events before `program`: name the program first", line_no);
					s.broken = true;
					break;
				}
				ludic_engine_push_json(s.engine, l, strlen(l), (unsigned long long)line_no);
			} else {
				if (nwant == capwant) {
					capwant = capwant ? capwant * 2 : 16;
					expected_line *more = realloc(want, capwant * sizeof *more);
					if (!more)
						break;
					want = more;
				}
				want[nwant].line = line_no;
				want[nwant++].text = lines[i];
			}
			continue;
		}
		if (block == BLOCK_STATE && i < nlines && !data &&
		    strncmp(l, "expect", 6) != 0 && strncmp(l, "events", 6) != 0 && strncmp(l, "until", 5) != 0 &&
		    strncmp(l, "program", 7) != 0) {
			if (!have_view) {
				if (ludic_engine_customer(s.engine, state_customer, strlen(state_customer), &view) != LUDIC_OK) {
					sc_fail(&s, "line %d: cannot read the state of %s: %s", block_line, state_customer,
						ludic_engine_error(s.engine));
					s.broken = true;
					break;
				}
				have_view = true;
			}
			char *copy = strdup(l);
			sc_fact(&s, &view, copy, line_no);
			free(copy);
			continue;
		}
		/* A directive (or the end of the file) closes the block above. */
		if (block == BLOCK_EFFECTS)
			sc_compare(&s, "effect", &s.effects, want, nwant);
		else if (block == BLOCK_REJECTS)
			sc_compare(&s, "reject", &s.rejects, want, nwant);
		if (block == BLOCK_STATE && !have_view)
			sc_fail(&s, "line %d: `expect state %s` lists no fact", block_line, state_customer);
		free(state_customer);
		state_customer = NULL;
		have_view = false;
		nwant = 0;
		block = BLOCK_NONE;
		if (i == nlines)
			break;
		if (data) {
			sc_fail(&s, "line %d: a JSON line outside an `events`, `expect effects` or `expect rejects` block",
				line_no);
			s.broken = true;
			break;
		}
		block_line = line_no;
		char *w[4];
		char *copy = strdup(l);
		size_t n = split_words(copy, w, 4);
		bool is_action = n >= 1 && (strcmp(w[0], "events") == 0 || strcmp(w[0], "until") == 0);
		bool is_expect = n >= 1 && strcmp(w[0], "expect") == 0;
		if ((is_action || is_expect) && !s.engine) {
			sc_fail(&s, "line %d: `%s` before `program`: name the program first", line_no, w[0]);
			s.broken = true;
		} else if (n == 2 && strcmp(w[0], "program") == 0) {
			const char *arg = l + strspn(l + 7, " \t") + 7;
			if (!sc_program(&s, arg, line_no))
				s.broken = true;
		} else if (n == 1 && strcmp(w[0], "events") == 0) {
			if (s.round_checked)
				sc_end_round(&s);
			sc_action(&s, line_no);
			block = BLOCK_EVENTS;
		} else if (n == 2 && strcmp(w[0], "until") == 0) {
			long long t;
			char why[160];
			if (ludic_time_parse(w[1], strlen(w[1]), &t, why, sizeof why) != LUDIC_OK) {
				sc_fail(&s, "line %d: `%s` is not a time (%s): write it in RFC 3339, such as 2027-04-01T00:00:00+02:00",
					line_no, w[1], why);
				s.broken = true;
			} else {
				if (s.round_checked)
					sc_end_round(&s);
				sc_action(&s, line_no);
				if (ludic_engine_advance(s.engine, t) != LUDIC_OK) {
					sc_fail(&s, "line %d: cannot let time pass: %s", line_no, ludic_engine_error(s.engine));
					s.broken = true;
				}
			}
		} else if (is_expect && s.round_line == 0) {
			sc_fail(&s, "line %d: `expect` before any `events` or `until`: there is nothing to compare yet",
				line_no);
			s.broken = true;
		} else if (is_expect && n == 2 && strcmp(w[1], "effects") == 0) {
			block = BLOCK_EFFECTS;
			s.round_checked = true;
		} else if (is_expect && n == 3 && strcmp(w[1], "no") == 0 && strcmp(w[2], "effects") == 0) {
			sc_compare(&s, "effect", &s.effects, NULL, 0);
			s.round_checked = true;
		} else if (is_expect && n == 2 && strcmp(w[1], "rejects") == 0) {
			block = BLOCK_REJECTS;
			s.round_checked = true;
			s.rejects_checked = true;
		} else if (is_expect && n == 3 && strcmp(w[1], "no") == 0 && strcmp(w[2], "rejects") == 0) {
			sc_compare(&s, "reject", &s.rejects, NULL, 0);
			s.round_checked = true;
			s.rejects_checked = true;
		} else if (is_expect && n == 3 && strcmp(w[1], "state") == 0) {
			block = BLOCK_STATE;
			state_customer = strdup(w[2]);
			s.round_checked = true;
		} else {
			const char *names[] = {"program", "events", "until", "expect"};
			const char *near = n ? suggest(w[0], names, 4) : NULL;
			sc_fail(&s, "line %d: `%s` is not a scenario line%s%s%s: lines are `program PATH`, `events`, `until TIME`, "
				"`expect effects`, `expect no effects`, `expect rejects`, `expect no rejects`, "
				"`expect state CUSTOMER`, JSON lines under `events` and `expect`, and # comments",
				line_no, l, near ? " (did you mean `" : "", near ? near : "", near ? "`?)" : "");
			s.broken = true;
		}
		free(copy);
	}
	if (!s.broken && !s.engine) {
		sc_fail(&s, "the scenario names no program: add `program PATH` at the top");
		s.broken = true;
	}
	if (!s.broken)
		sc_end_round(&s);
	free(state_customer);

	const char *title = scenario_title(lines, nlines);
	int rc = s.failures ? EXIT_ERRORS : 0;
	if (rc || !quiet) {
		if (rc)
			printf("%s%s%s %s", RED(color), s.broken ? "ERROR " : "FAILED", RESET(color), path);
		else
			printf("%sok    %s %s", GREEN(color), RESET(color), path);
		if (title)
			printf(" — %s", title);
		putchar('\n');
		if (rc && s.report.s)
			fputs(s.report.s, stdout);
	}
	ludic_engine_free(s.engine);
	ludic_program_free(s.prog);
	tl_clear(&s.effects);
	tl_clear(&s.rejects);
	free(s.effects.items);
	free(s.rejects.items);
	free(s.report.s);
	free(s.scratch.s);
	free(s.dir);
	free(want);
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	return rc;
}

/* Adds the *.scenario files under `dir` (subfolders included), sorted. */
static void add_scenarios(path_list *l, const char *dir, int depth)
{
	DIR *dp = opendir(dir);
	if (!dp || depth > 16) {
		if (dp)
			closedir(dp);
		return;
	}
	path_list found = {0};
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		size_t n = strlen(e->d_name);
		char *p = malloc(strlen(dir) + n + 2);
		if (!p)
			break;
		sprintf(p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && (S_ISDIR(st.st_mode) ||
					  (n > 9 && strcmp(e->d_name + n - 9, ".scenario") == 0 && S_ISREG(st.st_mode))))
			paths_push(&found, p);
		free(p);
	}
	closedir(dp);
	if (found.count)
		qsort(found.items, found.count, sizeof *found.items, cmp_str);
	for (size_t i = 0; i < found.count; i++) {
		struct stat st;
		if (stat(found.items[i], &st) == 0 && S_ISDIR(st.st_mode))
			add_scenarios(l, found.items[i], depth + 1);
		else
			paths_push(l, found.items[i]);
	}
	paths_free(&found);
}

enum { TEST_QUIET, TEST_ENGINE };
static const opt_spec test_opts[] = {
	[TEST_QUIET] = {"--quiet", "-q", NULL},
	[TEST_ENGINE] = {"--engine", NULL, engine_values},
};

int cmd_test(int argc, char **argv)
{
	parsed_args a;
	int rc;
	if (!command_args("test", argc, argv, test_opts, sizeof test_opts / sizeof *test_opts, help_test, &a, &rc))
		return rc;
	if (a.noperands == 0) {
		usage_error("`ludic test` needs scenario files or folders");
		fputs("help: for example `ludic test tests/scenarios/`\n", stderr);
		free(a.operands);
		return EXIT_USAGE;
	}
	path_list l = {0};
	bool usage = false;
	for (int i = 0; i < a.noperands; i++) {
		struct stat st;
		if (stat(a.operands[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			size_t before = l.count;
			add_scenarios(&l, a.operands[i], 0);
			if (l.count == before) {
				usage_error("no .scenario files in folder `%s`", a.operands[i]);
				usage = true;
			}
		} else {
			paths_push(&l, a.operands[i]);
		}
	}
	free(a.operands);
	sc_engine = engine_kind(a.value[TEST_ENGINE]);
	bool color = isatty(STDOUT_FILENO) && want_color(NULL);
	size_t passed = 0, failed = 0, unreadable = 0;
	for (size_t i = 0; i < l.count; i++) {
		int r = run_scenario(l.items[i], a.set[TEST_QUIET], color);
		if (r == 0)
			passed++;
		else if (r == EXIT_ERRORS)
			failed++;
		else
			unreadable++;
	}
	printf("%zu %s: %zu passed, %zu failed", l.count, plural(l.count, "scenario", "scenarios"), passed, failed);
	if (unreadable)
		printf(", %zu not read", unreadable);
	putchar('\n');
	paths_free(&l);
	if (unreadable || usage)
		return EXIT_USAGE;
	return failed ? EXIT_ERRORS : 0;
}

