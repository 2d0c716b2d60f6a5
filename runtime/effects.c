/* effects.c — effects out: rt_effect (indices, as the program makes them)
 * → ludic_effect (names, as the embedder reads them) → one line of JSON.
 *
 * The engine converts an effect only when a callback wants it: counting
 * effects needs no names. Conversion writes every string it makes (ids,
 * formatted notify arguments, the variants) into one scratch buffer that is
 * reused for every effect, so once it has grown to the largest effect seen,
 * nothing is allocated. Names of wallets, rules, badges... point into the
 * checked program, which lives as long as the program.
 *
 * The JSON form (docs/embedding.md, "Effects") has its keys in one fixed
 * order, leaves out the keys a kind does not have, escapes every string so
 * that the line is valid JSON and valid UTF-8 whatever bytes it was given
 * (invalid UTF-8 becomes U+FFFD), and writes `at` in RFC 3339 with the
 * offset of the program's zone at that instant.
 */
#include "engine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "check.h"
#include "parse.h" /* lex_currency: the decimals of a currency */

/* ---- kinds ---- */

static const char *const kind_names[LUDIC_EFFECT_KIND_COUNT] = {
	[LUDIC_EFFECT_AWARD] = "award",
	[LUDIC_EFFECT_DEBIT] = "debit",
	[LUDIC_EFFECT_EXPIRE] = "expire",
	[LUDIC_EFFECT_REVERSE] = "reverse",
	[LUDIC_EFFECT_RELEASE] = "release",
	[LUDIC_EFFECT_BADGE] = "badge",
	[LUDIC_EFFECT_TIER] = "tier",
	[LUDIC_EFFECT_LEVEL] = "level",
	[LUDIC_EFFECT_MISSION_STEP] = "mission_step",
	[LUDIC_EFFECT_MISSION_COMPLETE] = "mission_complete",
	[LUDIC_EFFECT_STREAK] = "streak",
	[LUDIC_EFFECT_NOTIFY] = "notify",
	[LUDIC_EFFECT_REDEMPTION] = "redemption",
	[LUDIC_EFFECT_REFUSAL] = "refusal",
};

_Static_assert((int)RT_FX_COUNT == (int)LUDIC_EFFECT_KIND_COUNT, "rt_fx_kind follows ludic_effect_kind");
_Static_assert((int)RT_FX_REFUSAL == (int)LUDIC_EFFECT_REFUSAL, "rt_fx_kind follows ludic_effect_kind");
_Static_assert((int)RT_FX_NOTIFY == (int)LUDIC_EFFECT_NOTIFY, "rt_fx_kind follows ludic_effect_kind");

const char *ludic_effect_kind_name(ludic_effect_kind k)
{
	if ((unsigned)k >= LUDIC_EFFECT_KIND_COUNT)
		return "unknown";
	return kind_names[k];
}

/* Kinds that move points of a wallet: they have wallet, amount and balance. */
static bool moves_points(ludic_effect_kind k)
{
	return k == LUDIC_EFFECT_AWARD || k == LUDIC_EFFECT_DEBIT || k == LUDIC_EFFECT_EXPIRE ||
	       k == LUDIC_EFFECT_REVERSE || k == LUDIC_EFFECT_RELEASE || k == LUDIC_EFFECT_REDEMPTION;
}

/* A wallet with a pending period: its effects say how many points wait. */
static bool wallet_pends(const chk_wallet *w)
{
	return w->pending && w->pending->kind == AST_DURATION;
}

/* ---- names ---- */

bool rt_names_init(rt_names *n, const chk_result *r, const rt_schema *schema, const clk_zone *zone,
		   const uint64_t *rule_exps)
{
	memset(n, 0, sizeof *n);
	n->r = r;
	n->schema = schema;
	n->zone = zone;
	memcpy(n->currency, schema->currency, sizeof n->currency);
	n->exponent = 2;
	if (!lex_currency(n->currency, &n->exponent))
		n->exponent = 2;
	uint32_t nr = r->nrules ? r->nrules : 1;
	n->steps = calloc(nr, sizeof *n->steps);
	n->nsteps = calloc(nr, sizeof *n->nsteps);
	n->rule_exps = calloc(nr, sizeof *n->rule_exps);
	if (!n->steps || !n->nsteps || !n->rule_exps)
		goto fail;
	for (uint32_t i = 0; i < r->nrules; i++) {
		const chk_rule *rule = r->rules[i];
		if (rule_exps)
			n->rule_exps[i] = rule_exps[i];
		if (rule->kind != CHK_MECH_MISSION || !rule->decl || rule->decl->kind != AST_MISSION)
			continue;
		uint32_t k = ast_list_len(rule->decl->u.mission.steps);
		if (!k)
			continue;
		n->steps[i] = calloc(k, sizeof *n->steps[i]);
		if (!n->steps[i])
			goto fail;
		n->nsteps[i] = k;
		uint32_t j = 0;
		for (const ast_node *s = rule->decl->u.mission.steps; s && j < k; s = s->next, j++) {
			const ast_node *name = s->kind == AST_STEP ? s->u.step.name : NULL;
			n->steps[i][j] = name && name->kind == AST_STRING && name->u.str.s ? name->u.str.s : "";
		}
	}
	return true;
fail:
	rt_names_free(n);
	return false;
}

void rt_names_free(rt_names *n)
{
	if (n->steps && n->r)
		for (uint32_t i = 0; i < n->r->nrules; i++)
			free(n->steps[i]);
	free(n->steps);
	free(n->nsteps);
	free(n->rule_exps);
	memset(n, 0, sizeof *n);
}

/* ---- the scratch text buffer ---- */

static bool tb_reserve(rt_textbuf *t, size_t more)
{
	if (t->failed)
		return false;
	if (t->cap - t->len > more)
		return true;
	size_t cap = t->cap ? t->cap : 256;
	while (cap - t->len <= more) {
		if (cap > SIZE_MAX / 2) {
			t->failed = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(t->p, cap);
	if (!p) {
		t->failed = true;
		return false;
	}
	t->p = p;
	t->cap = cap;
	return true;
}

/* A NUL-terminated copy of `len` bytes, or "" when memory ran out. */
static const char *tb_put(rt_textbuf *t, const char *s, size_t len)
{
	if (!tb_reserve(t, len + 1))
		return "";
	char *d = t->p + t->len;
	if (len)
		memcpy(d, s, len);
	d[len] = '\0';
	t->len += len + 1;
	return d;
}

__attribute__((format(printf, 2, 3))) static const char *tb_printf(rt_textbuf *t, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return "";
	if ((size_t)n < sizeof small)
		return tb_put(t, small, (size_t)n);
	if (!tb_reserve(t, (size_t)n + 1))
		return "";
	char *d = t->p + t->len;
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n + 1;
	return d;
}

void rt_fx_scratch_free(rt_fx_scratch *s)
{
	free(s->text.p);
	free(s->args);
	memset(s, 0, sizeof *s);
}

/* ---- formatting values ---- */

void rt_format_duration(int64_t seconds, char *buf, size_t cap)
{
	static const struct {
		int64_t unit;
		const char *one, *many;
	} units[] = {{86400, "day", "days"}, {3600, "hour", "hours"}, {60, "minute", "minutes"}, {1, "second", "seconds"}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (seconds % units[i].unit != 0)
			continue;
		int64_t k = seconds / units[i].unit;
		snprintf(buf, cap, "%" PRId64 " %s", k, k == 1 || k == -1 ? units[i].one : units[i].many);
		return;
	}
}

/* Money in minor units with `exp` decimals: "10.00 EUR", "-4.50 EUR", "1250 JPY". */
static const char *fmt_money(rt_textbuf *t, int64_t v, int exp, const char *cur)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	uint64_t pow = 1;
	for (int i = 0; i < exp; i++)
		pow *= 10;
	if (exp <= 0)
		return tb_printf(t, "%s%" PRIu64 " %s", v < 0 ? "-" : "", u, cur);
	return tb_printf(t, "%s%" PRIu64 ".%0*" PRIu64 " %s", v < 0 ? "-" : "", u / pow, exp, u % pow, cur);
}

/* An exact decimal times 10,000, without trailing zeros: "1.5", "2", "-0.25". */
static const char *fmt_number(rt_textbuf *t, int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	uint64_t whole = u / AST_DECIMAL_SCALE, frac = u % AST_DECIMAL_SCALE;
	if (!frac)
		return tb_printf(t, "%s%" PRIu64, v < 0 ? "-" : "", whole);
	int digits = 4;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	return tb_printf(t, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", whole, digits, frac);
}

static const char *fmt_date(rt_textbuf *t, int64_t days)
{
	clk_date d = clk_civil_from_days(days);
	return tb_printf(t, "%04" PRId64 "-%02d-%02d", d.year, d.month, d.day);
}

static const char *fmt_time(rt_textbuf *t, const clk_zone *z, int64_t at)
{
	char b[32];
	if (!clk_format_rfc3339(at, clk_zone_offset(z, at), b))
		return tb_printf(t, "%" PRId64, at);
	return tb_put(t, b, strlen(b));
}

static const char *fmt_arg(const rt_names *n, rt_textbuf *t, const rt_fx_arg *a)
{
	const chk_result *r = n->r;
	if (a->ladder >= 0 && (uint32_t)a->ladder < r->nladders) {
		const chk_ladder *l = r->ladders[a->ladder];
		if (a->v >= 0 && a->v < (int64_t)l->nrungs)
			return l->rungs[a->v].name;
	}
	switch (a->kind) {
	case RT_BOOL: return a->v ? "true" : "false";
	case RT_COUNT: return tb_printf(t, "%" PRId64, a->v);
	case RT_NUMBER: return fmt_number(t, a->v);
	case RT_MONEY: return fmt_money(t, a->v, n->exponent, n->currency);
	case RT_DURATION: {
		char b[64];
		rt_format_duration(a->v, b, sizeof b);
		return tb_put(t, b, strlen(b));
	}
	case RT_DATE: return fmt_date(t, a->v);
	case RT_TIMESTAMP: return fmt_time(t, n->zone, a->v);
	case RT_STRING: return tb_put(t, a->s.p, a->s.p ? a->s.len : 0);
	case RT_ENUM:
		if (a->en >= 0 && (uint32_t)a->en < n->schema->nenums) {
			const rt_enum *en = &n->schema->enums[a->en];
			if (a->v >= 0 && a->v < (int64_t)en->nmembers)
				return en->members[a->v];
		}
		return tb_printf(t, "%" PRId64, a->v);
	case RT_LIST: break;
	}
	return tb_printf(t, "%" PRId64, a->v);
}

/* "name=variant,name2=variant2" for the experiments in `mask`, with `\`,
 * `,` and `=` in names written as `\\`, `\,` and `\=`. */
static void put_escaped(rt_textbuf *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == ',' || *s == '=') {
			if (!tb_reserve(t, 2))
				return;
			t->p[t->len++] = '\\';
		} else if (!tb_reserve(t, 1)) {
			return;
		}
		t->p[t->len++] = *s;
	}
}

static const char *fmt_variants(const rt_names *n, rt_textbuf *t, uint64_t mask, const uint16_t *variants)
{
	const chk_result *r = n->r;
	size_t start = t->len;
	bool any = false;
	for (uint32_t e = 0; e < r->nexperiments && e < 64; e++) {
		if (!(mask >> e & 1))
			continue;
		const chk_experiment *x = r->experiments[e];
		uint16_t v = variants[e];
		if (v >= x->nvariants)
			continue;
		if (any && tb_reserve(t, 1))
			t->p[t->len++] = ',';
		put_escaped(t, x->name);
		if (tb_reserve(t, 1))
			t->p[t->len++] = '=';
		put_escaped(t, x->variants[v].name);
		any = true;
	}
	if (!any || !tb_reserve(t, 1)) {
		t->len = start;
		return NULL;
	}
	t->p[t->len++] = '\0';
	return t->p + start;
}

static const char *refusal_reason(const rt_names *n, rt_textbuf *t, const rt_effect *in)
{
	const chk_result *r = n->r;
	switch (in->reason) {
	case RT_REFUSE_UNKNOWN_ITEM: return "unknown reward";
	case RT_REFUSE_NOT_ELIGIBLE: return "not available";
	case RT_REFUSE_BALANCE: {
		const chk_item *it = in->item >= 0 && (uint32_t)in->item < r->nitems ? r->items[in->item] : NULL;
		const char *wallet = it && it->wallet ? it->wallet->name : "points";
		if (it && it->cost.kind == CHK_VAL_NUMBER)
			return tb_printf(t, "balance too small: have %" PRId64 " %s, the reward costs %" PRId64, in->balance,
					 wallet, it->cost.i / AST_DECIMAL_SCALE);
		return tb_printf(t, "balance too small: have %" PRId64 " %s", in->balance, wallet);
	}
	case RT_REFUSE_NONE: break;
	}
	return "refused";
}

/* One pass of the conversion; the caller repeats it if the text buffer
 * moved while it grew (then every pointer into it is stale). */
static void convert_once(const rt_names *n, const rt_effect *in, const uint16_t *variants, rt_fx_scratch *s,
			 ludic_effect *out)
{
	const chk_result *r = n->r;
	rt_textbuf *t = &s->text;
	t->len = 0;
	/* a copy of a blank effect: a memset of this size is a `rep stos`,
	 * slow to start, on many x86 cores */
	static const ludic_effect blank;
	*out = blank;
	out->kind = (ludic_effect_kind)in->kind;
	out->staff = in->staff;
	out->customer = tb_put(t, in->who.p, in->who.p ? in->who.len : 0);
	if (moves_points(out->kind)) {
		if (in->wallet >= 0 && (uint32_t)in->wallet < r->nwallets) {
			out->wallet = r->wallets[in->wallet]->name;
			out->has_pending = wallet_pends(r->wallets[in->wallet]);
		}
		out->amount = in->amount;
		out->balance = in->balance;
		out->pending = out->has_pending ? in->pending : 0;
	}
	if (in->badge >= 0 && (uint32_t)in->badge < r->nbadges)
		out->badge = r->badges[in->badge]->name;
	if ((out->kind == LUDIC_EFFECT_TIER || out->kind == LUDIC_EFFECT_LEVEL) && in->ladder >= 0 &&
	    (uint32_t)in->ladder < r->nladders) {
		const chk_ladder *l = r->ladders[in->ladder];
		out->ladder = l->name;
		if (in->rung >= 0 && (uint32_t)in->rung < l->nrungs)
			out->rung = l->rungs[in->rung].name;
		if (in->previous >= 0 && (uint32_t)in->previous < l->nrungs)
			out->previous = l->rungs[in->previous].name;
	}
	const chk_rule *rule = in->rule >= 0 && (uint32_t)in->rule < r->nrules ? r->rules[in->rule] : NULL;
	if (rule)
		out->rule = rule->name;
	if (rule && (out->kind == LUDIC_EFFECT_MISSION_STEP || out->kind == LUDIC_EFFECT_MISSION_COMPLETE)) {
		out->mission = rule->name;
		if (out->kind == LUDIC_EFFECT_MISSION_STEP && in->step >= 0 && (uint32_t)in->step < n->nsteps[in->rule])
			out->step = n->steps[in->rule][in->step];
	}
	if (out->kind == LUDIC_EFFECT_STREAK) {
		out->streak = rule ? rule->name : NULL;
		out->length = in->length;
	}
	if (out->kind == LUDIC_EFFECT_NOTIFY) {
		out->template_name = in->template_name;
		if (in->nargs && s->args_cap >= in->nargs) {
			for (uint32_t i = 0; i < in->nargs; i++) {
				s->args[i].key = in->args[i].key;
				s->args[i].text = fmt_arg(n, t, &in->args[i]);
			}
			out->args = s->args;
			out->nargs = in->nargs;
		}
	}
	if (out->kind == LUDIC_EFFECT_REDEMPTION || out->kind == LUDIC_EFFECT_REFUSAL) {
		if (in->item >= 0 && (uint32_t)in->item < r->nitems)
			out->item = r->items[in->item]->name;
		else if (in->item_name.p)
			out->item = tb_put(t, in->item_name.p, in->item_name.len);
	}
	if (out->kind == LUDIC_EFFECT_REFUSAL)
		out->reason = refusal_reason(n, t, in);
	if (in->event_id.p && in->event_id.len)
		out->event_id = tb_put(t, in->event_id.p, in->event_id.len);
	if (rule && variants && n->rule_exps[in->rule])
		out->variants = fmt_variants(n, t, n->rule_exps[in->rule], variants);
	out->at = in->at;
	out->utc_offset = clk_memo_offset(&s->memo, n->zone, in->at);
}

void rt_fx_convert(const rt_names *n, const rt_effect *in, const uint16_t *variants, rt_fx_scratch *s,
		   ludic_effect *out)
{
	if (in->kind == RT_FX_NOTIFY && in->nargs > s->args_cap) {
		ludic_effect_arg *a = realloc(s->args, in->nargs * sizeof *a);
		if (a) {
			s->args = a;
			s->args_cap = in->nargs;
		}
	}
	s->text.failed = false;
	for (int pass = 0; pass < 3; pass++) {
		char *before = s->text.p;
		convert_once(n, in, variants, s, out);
		if (s->text.p == before || s->text.failed)
			return;
	}
}

/* ---- JSON ---- */

/* A bounded writer: counts everything, stores what fits (cap - 1 bytes). */
typedef struct jw {
	char *buf;
	size_t cap;
	size_t len;
} jw;

static void jw_raw(jw *w, const char *s, size_t n)
{
	if (w->len < w->cap) {
		size_t room = w->cap - w->len - 1;
		memcpy(w->buf + w->len, s, n < room ? n : room);
	}
	w->len += n;
}

static void jw_str(jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid; *cp gets
 * the code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t k;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		k = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		k = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return k;
}

/* The inside of a JSON string (no quotes). */
static void jw_json_body(jw *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			jw_raw(w, s + i, run - i);
			i = run;
			continue;
		}
		unsigned char c = p[i];
		char esc[8];
		switch (c) {
		case '"': jw_raw(w, "\\\"", 2); i++; continue;
		case '\\': jw_raw(w, "\\\\", 2); i++; continue;
		case '\n': jw_raw(w, "\\n", 2); i++; continue;
		case '\r': jw_raw(w, "\\r", 2); i++; continue;
		case '\t': jw_raw(w, "\\t", 2); i++; continue;
		case '\b': jw_raw(w, "\\b", 2); i++; continue;
		case '\f': jw_raw(w, "\\f", 2); i++; continue;
		default: break;
		}
		if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			jw_raw(w, esc, 6);
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_seq(p + i, len - i, &cp);
		if (!k) {
			jw_raw(w, "\\ufffd", 6);
			i++;
		} else if (cp == 0x2028 || cp == 0x2029) {
			/* valid JSON raw, but not valid JavaScript: escaped for readers that eval */
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
			jw_raw(w, esc, 6);
			i += k;
		} else {
			jw_raw(w, s + i, k);
			i += k;
		}
	}
}

static void jw_json_string(jw *w, const char *s, size_t len)
{
	jw_raw(w, "\"", 1);
	jw_json_body(w, s, len);
	jw_raw(w, "\"", 1);
}

size_t rt_json_string(char *buf, size_t cap, size_t at, const char *s, size_t len)
{
	jw w = {buf, cap, at};
	jw_json_string(&w, s, len);
	if (cap)
		buf[w.len < cap ? w.len : cap - 1] = '\0';
	return w.len - at;
}

static void jw_key(jw *w, const char *key)
{
	jw_raw(w, ",\"", 2);
	jw_str(w, key);
	jw_raw(w, "\":", 2);
}

static void jw_kstr(jw *w, const char *key, const char *v)
{
	if (!v)
		return;
	jw_key(w, key);
	jw_json_string(w, v, strlen(v));
}

static void jw_kint(jw *w, const char *key, long long v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%lld", v);
	jw_key(w, key);
	jw_raw(w, b, (size_t)n);
}

/* Writes the "variant" object from the escaped "name=variant,..." text
 * (see fmt_variants): unescaped runs are written as they are, a `\`
 * writes the next byte, `=` and `,` close a string. */
static void jw_variants(jw *w, const char *v)
{
	jw_key(w, "variant");
	jw_raw(w, "{\"", 2);
	const char *run = v;
	bool value = false; /* inside a variant name (after `=`) */
	for (const char *p = v;; p++) {
		char c = *p;
		if (c != '\\' && c != '=' && c != ',' && c != '\0')
			continue;
		if (c == '=' && value)
			continue; /* a stray `=` in a variant name: kept as text */
		jw_json_body(w, run, (size_t)(p - run));
		if (c == '\\' && p[1]) {
			jw_json_body(w, p + 1, 1);
			p++;
		} else if (c == '=') {
			jw_raw(w, "\":\"", 3);
			value = true;
		} else {
			if (!value)
				jw_raw(w, "\":\"", 3); /* an experiment without a variant */
			if (c != ',')
				break;
			jw_raw(w, "\",\"", 3);
			value = false;
		}
		run = p + 1;
	}
	jw_raw(w, "\"}", 2);
}

size_t ludic_effect_to_json(const ludic_effect *fx, char *buf, size_t cap)
{
	if (!buf)
		cap = 0;
	jw w = {buf, cap, 0};
	if (!fx) {
		jw_str(&w, "{}");
	} else {
		jw_raw(&w, "{\"kind\":", 8);
		const char *kind = ludic_effect_kind_name(fx->kind);
		jw_json_string(&w, kind, strlen(kind));
		jw_kstr(&w, fx->staff ? "staff" : "customer", fx->customer);
		jw_kstr(&w, "item", fx->item);
		if (moves_points(fx->kind)) {
			jw_kstr(&w, "wallet", fx->wallet);
			jw_kint(&w, "amount", fx->amount);
			jw_kint(&w, "balance", fx->balance);
			if (fx->has_pending)
				jw_kint(&w, "pending", fx->pending);
		}
		jw_kstr(&w, "badge", fx->badge);
		if (fx->kind == LUDIC_EFFECT_TIER || fx->kind == LUDIC_EFFECT_LEVEL) {
			jw_kstr(&w, "ladder", fx->ladder);
			jw_kstr(&w, fx->kind == LUDIC_EFFECT_TIER ? "tier" : "level", fx->rung);
			jw_kstr(&w, "previous", fx->previous);
		}
		jw_kstr(&w, "mission", fx->mission);
		jw_kstr(&w, "step", fx->step);
		if (fx->kind == LUDIC_EFFECT_STREAK) {
			jw_kstr(&w, "streak", fx->streak);
			jw_kint(&w, "length", fx->length);
		}
		if (fx->kind == LUDIC_EFFECT_NOTIFY) {
			jw_kstr(&w, "template", fx->template_name);
			if (fx->args && fx->nargs) {
				jw_key(&w, "args");
				jw_raw(&w, "{", 1);
				for (size_t i = 0; i < fx->nargs; i++) {
					const char *k = fx->args[i].key ? fx->args[i].key : "";
					const char *t = fx->args[i].text ? fx->args[i].text : "";
					if (i)
						jw_raw(&w, ",", 1);
					jw_json_string(&w, k, strlen(k));
					jw_raw(&w, ":", 1);
					jw_json_string(&w, t, strlen(t));
				}
				jw_raw(&w, "}", 1);
			}
		}
		jw_kstr(&w, "reason", fx->reason);
		/* a mission's or a streak's own effects name it already */
		if (fx->kind != LUDIC_EFFECT_MISSION_STEP && fx->kind != LUDIC_EFFECT_MISSION_COMPLETE &&
		    fx->kind != LUDIC_EFFECT_STREAK)
			jw_kstr(&w, "rule", fx->rule);
		jw_kstr(&w, "event", fx->event_id);
		if (fx->variants && *fx->variants)
			jw_variants(&w, fx->variants);
		char at[32];
		if (clk_format_rfc3339(fx->at, fx->utc_offset, at)) {
			jw_kstr(&w, "at", at);
		} else {
			jw_kint(&w, "at", fx->at);
		}
		jw_raw(&w, "}", 1);
	}
	if (cap)
		buf[w.len < cap ? w.len : cap - 1] = '\0';
	return w.len;
}
