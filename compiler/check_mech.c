/* check_mech.c — rules, missions and streaks: triggers, actions, clauses,
 * and the checks that look at a mechanic as a whole.
 *
 * Besides types, a mechanic is checked for what cannot work as written:
 * staff and customer rewards mixed (E0407), periods that end before they
 * start (E0408), streaks that do not add up (E0409), missions without steps
 * (E0410) or with steps that can never be reached (E0401), rewards that
 * repeat with no cap (W0501), rounding that changes nothing (W0508) and
 * limits that can never be reached (W0509).
 *
 * Conditions are analysed for contradictions (W0502, E0401) and tautologies
 * (W0503): a condition is put in disjunctive normal form over atoms
 * `key op constant` (key: a field of the event or element, or a ladder), and
 * each conjunction is tested for emptiness per key. Anything the analysis
 * does not understand is an opaque atom that can be either true or false,
 * so it only ever claims "never" or "always" when that is certain. Values
 * that come from params are never taken as constants here, since
 * experiments and overlays may change them.
 */
#define CHK_INTERNAL
#include "check.h"

#include <stdlib.h>
#include <string.h>

static const char *rule_word(const chk_rule *rule)
{
	static const char *const words[] = {"rule", "challenge", "bonus", "quest"};
	if (!rule)
		return "rule";
	if (rule->kind == CHK_MECH_MISSION)
		return "mission";
	if (rule->kind == CHK_MECH_STREAK)
		return "streak";
	return (unsigned)rule->rule_kind <= RULE_QUEST ? words[rule->rule_kind] : "rule";
}

/* ======================================================================
 * Contradiction analysis
 * ====================================================================== */

typedef struct atom {
	chk_ref key;           /* what it constrains (field or ladder) */
	const ty *type;        /* the key's type */
	ast_op op;             /* EQ NE LT LE GT GE, or IN / NOT_IN */
	chk_value v;           /* the constant (comparisons) */
	const ast_node *set;   /* IN / NOT_IN: the AST_SET */
	const ast_node *node;  /* the atom as written */
	bool negated;          /* written under a `not` */
} atom;

typedef struct conj {
	const atom **a;
	uint32_t n;
	const ast_node *false_node; /* a part that is constant false, or NULL */
} conj;

typedef struct dnf {
	conj *c;
	uint32_t n;
	bool overflow;         /* too big to analyse: say nothing */
} dnf;

#define MAX_CONJ 64
#define MAX_ATOMS 48

static bool mentions_param(const chk_ctx *c, const ast_node *n)
{
	if (!n)
		return false;
	switch (n->kind) {
	case AST_NAME:
		return n->id < c->r->node_count && c->r->refs[n->id].kind == CHK_REF_PARAM;
	case AST_UNARY:
		return mentions_param(c, n->u.unary.e);
	case AST_BINARY:
		return mentions_param(c, n->u.binary.l) || mentions_param(c, n->u.binary.r);
	case AST_CALL:
		for (const ast_node *a = n->u.call.args; a; a = a->next)
			if (mentions_param(c, a))
				return true;
		return false;
	case AST_SET:
		for (const ast_node *a = n->u.list.items; a; a = a->next)
			if (mentions_param(c, a))
				return true;
		return false;
	default:
		return false;
	}
}

/* A constant the analysis may rely on. */
static const chk_value *fixed_value(const chk_ctx *c, const ast_node *n)
{
	const chk_value *v = chk_value_of(c, n);
	return v->kind != CHK_VAL_NONE && !mentions_param(c, n) ? v : NULL;
}

static chk_value_kind natural_kind(const ty *t)
{
	switch (t->kind) {
	case TY_COUNT: case TY_NUMBER: case TY_POINTS: return CHK_VAL_NUMBER;
	case TY_MONEY: return CHK_VAL_MONEY;
	case TY_DURATION: return CHK_VAL_DURATION;
	case TY_DATE: return CHK_VAL_DATE;
	case TY_TIMESTAMP: return CHK_VAL_TIMESTAMP;
	case TY_STRING: return CHK_VAL_STRING;
	case TY_ENUM: return CHK_VAL_ENUM;
	case TY_LADDER: return CHK_VAL_RUNG;
	case TY_BOOL: return CHK_VAL_BOOL;
	default: return CHK_VAL_NONE;
	}
}

/* Is `n` a key (a field or the customer's rung)? Fills ref/type/optional. */
static bool key_of(const chk_ctx *c, const ast_node *n, chk_ref *ref, const ty **type, bool *optional)
{
	if (!n || n->kind != AST_NAME || n->id >= c->r->node_count)
		return false;
	const chk_ref *r = &c->r->refs[n->id];
	const ty *t = c->r->types[n->id];
	if (!t || ty_is_error(t))
		return false;
	if (r->kind == CHK_REF_EVENT_FIELD || r->kind == CHK_REF_ELEM_FIELD) {
		*optional = r->u.rec->fields[r->index].optional;
	} else if (r->kind == CHK_REF_LADDER) {
		*optional = true; /* a customer below the lowest rung has none */
	} else {
		return false;
	}
	*ref = *r;
	*type = t;
	return true;
}

static bool same_key(const chk_ref *a, const chk_ref *b)
{
	return a->kind == b->kind && a->index == b->index && a->u.rec == b->u.rec;
}

static ast_op flip(ast_op op) /* a op b  ==  b flip(op) a */
{
	switch (op) {
	case OP_LT: return OP_GT;
	case OP_LE: return OP_GE;
	case OP_GT: return OP_LT;
	case OP_GE: return OP_LE;
	default: return op;
	}
}

static ast_op negate(ast_op op)
{
	switch (op) {
	case OP_EQ: return OP_NE;
	case OP_NE: return OP_EQ;
	case OP_LT: return OP_GE;
	case OP_LE: return OP_GT;
	case OP_GT: return OP_LE;
	case OP_GE: return OP_LT;
	case OP_IN: return OP_NOT_IN;
	case OP_NOT_IN: return OP_IN;
	default: return op;
	}
}

static dnf dnf_one(chk_ctx *c, const atom *a, const ast_node *false_node)
{
	dnf d = {arena_alloc(c->a, sizeof(conj)), 1, false};
	if (a) {
		d.c[0].a = arena_alloc(c->a, sizeof(atom *));
		d.c[0].a[0] = a;
		d.c[0].n = 1;
	}
	d.c[0].false_node = false_node;
	return d;
}

static dnf dnf_overflow(void)
{
	return (dnf){NULL, 0, true};
}

static dnf dnf_or(chk_ctx *c, dnf l, dnf r)
{
	if (l.overflow || r.overflow || l.n + r.n > MAX_CONJ)
		return dnf_overflow();
	dnf d = {arena_alloc(c->a, (l.n + r.n) * sizeof(conj)), l.n + r.n, false};
	memcpy(d.c, l.c, l.n * sizeof(conj));
	memcpy(d.c + l.n, r.c, r.n * sizeof(conj));
	return d;
}

static dnf dnf_and(chk_ctx *c, dnf l, dnf r)
{
	if (l.overflow || r.overflow || (uint64_t)l.n * r.n > MAX_CONJ)
		return dnf_overflow();
	dnf d = {arena_alloc(c->a, l.n * r.n * sizeof(conj)), l.n * r.n, false};
	for (uint32_t i = 0; i < l.n; i++) {
		for (uint32_t j = 0; j < r.n; j++) {
			conj *k = &d.c[i * r.n + j];
			k->n = l.c[i].n + r.c[j].n;
			if (k->n > MAX_ATOMS)
				return dnf_overflow();
			k->a = arena_alloc(c->a, (k->n + 1) * sizeof(atom *));
			if (l.c[i].n)
				memcpy(k->a, l.c[i].a, l.c[i].n * sizeof(atom *));
			if (r.c[j].n)
				memcpy(k->a + l.c[i].n, r.c[j].a, r.c[j].n * sizeof(atom *));
			k->false_node = l.c[i].false_node ? l.c[i].false_node : r.c[j].false_node;
		}
	}
	return d;
}

/* An atom from a comparison, or NULL when it says nothing we can use. */
static atom *compare_atom(chk_ctx *c, const ast_node *n, bool neg)
{
	const ast_node *l = n->u.binary.l, *r = n->u.binary.r;
	ast_op op = n->u.binary.op;
	chk_ref ref;
	const ty *t;
	bool optional;
	const chk_value *v;
	if (key_of(c, l, &ref, &t, &optional) && (v = fixed_value(c, r))) {
		/* key op constant */
	} else if (key_of(c, r, &ref, &t, &optional) && (v = fixed_value(c, l))) {
		op = flip(op);
	} else {
		return NULL;
	}
	if (v->kind != natural_kind(t))
		return NULL;
	if (neg)
		op = negate(op);
	/* an absent optional field makes every comparison false: only positive
	 * comparisons keep their meaning then */
	if (optional && (neg || op == OP_NE))
		return NULL;
	atom *a = arena_alloc(c->a, sizeof *a);
	*a = (atom){ref, t, op, *v, NULL, n, neg};
	return a;
}

static atom *in_atom(chk_ctx *c, const ast_node *n, bool neg)
{
	const ast_node *l = n->u.binary.l, *set = n->u.binary.r;
	chk_ref ref;
	const ty *t;
	bool optional;
	if (!set || set->kind != AST_SET || !key_of(c, l, &ref, &t, &optional))
		return NULL;
	for (const ast_node *it = set->u.list.items; it; it = it->next) {
		const chk_value *v = fixed_value(c, it);
		if (!v || v->kind != natural_kind(t))
			return NULL;
	}
	ast_op op = neg ? negate(n->u.binary.op) : n->u.binary.op;
	if (optional && (neg || op == OP_NOT_IN))
		return NULL;
	atom *a = arena_alloc(c->a, sizeof *a);
	*a = (atom){ref, t, op, {CHK_VAL_NONE, 0, NULL, ""}, set, n, neg};
	return a;
}

static dnf to_dnf(chk_ctx *c, const ast_node *n, bool neg)
{
	if (!n)
		return dnf_one(c, NULL, NULL);
	const chk_value *v = fixed_value(c, n);
	if (v && v->kind == CHK_VAL_BOOL)
		return (v->i != 0) != neg ? dnf_one(c, NULL, NULL) : dnf_one(c, NULL, n);
	switch (n->kind) {
	case AST_UNARY:
		if (n->u.unary.op == OP_NOT)
			return to_dnf(c, n->u.unary.e, !neg);
		break;
	case AST_BINARY: {
		ast_op op = n->u.binary.op;
		if (op == OP_AND || op == OP_OR) {
			dnf l = to_dnf(c, n->u.binary.l, neg), r = to_dnf(c, n->u.binary.r, neg);
			return (op == OP_AND) != neg ? dnf_and(c, l, r) : dnf_or(c, l, r);
		}
		atom *a = NULL;
		if (op >= OP_EQ && op <= OP_GE)
			a = compare_atom(c, n, neg);
		else if (op == OP_IN || op == OP_NOT_IN)
			a = in_atom(c, n, neg);
		if (a)
			return dnf_one(c, a, NULL);
		break;
	}
	case AST_NAME: {
		chk_ref ref;
		const ty *t;
		bool optional;
		if (key_of(c, n, &ref, &t, &optional) && t->kind == TY_BOOL && !(optional && neg)) {
			atom *a = arena_alloc(c->a, sizeof *a);
			*a = (atom){ref, t, OP_EQ, {CHK_VAL_BOOL, !neg, NULL, ""}, NULL, n, neg};
			return dnf_one(c, a, NULL);
		}
		break;
	}
	default:
		break;
	}
	return dnf_one(c, NULL, NULL); /* opaque: may be true or false */
}

/* -1/0/1, or 2 when not comparable. */
static int cmpv(const chk_value *a, const chk_value *b)
{
	if (a->kind != b->kind)
		return 2;
	if (a->kind == CHK_VAL_STRING) {
		int d = strcmp(a->s, b->s);
		return d < 0 ? -1 : d > 0;
	}
	if (a->kind == CHK_VAL_MONEY && strcmp(a->currency, b->currency) != 0)
		return 2;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Does value `x` satisfy atom `a`? (unknown counts as yes) */
static bool accepts(const chk_ctx *c, const atom *a, const chk_value *x)
{
	if (a->op == OP_IN || a->op == OP_NOT_IN) {
		bool found = false;
		for (const ast_node *it = a->set->u.list.items; it; it = it->next)
			if (cmpv(x, chk_value_of(c, it)) == 0)
				found = true;
		return found == (a->op == OP_IN);
	}
	int d = cmpv(x, &a->v);
	if (d == 2)
		return true;
	switch (a->op) {
	case OP_EQ: return d == 0;
	case OP_NE: return d != 0;
	case OP_LT: return d < 0;
	case OP_LE: return d <= 0;
	case OP_GT: return d > 0;
	case OP_GE: return d >= 0;
	default: return true;
	}
}

/* Size of the key's finite domain (enum members, rungs, true/false), or 0. */
static uint32_t domain_size(const atom *a)
{
	switch (a->type->kind) {
	case TY_BOOL: return 2;
	case TY_ENUM: return ((const chk_enum *)a->type->decl)->nmembers;
	case TY_LADDER: return ((const chk_ladder *)a->type->decl)->nrungs;
	default: return 0;
	}
}

static int64_t floor_to(int64_t x, int64_t g)
{
	int64_t q = x / g;
	if (x % g && x < 0)
		q--;
	return q * g;
}

/* Can all the atoms (all on one key) hold at once? */
static bool group_sat(const chk_ctx *c, const atom *const *g, uint32_t n)
{
	uint32_t dom = domain_size(g[0]);
	if (dom > 0 && dom <= 256) {
		chk_value_kind k = natural_kind(g[0]->type);
		for (uint32_t i = 0; i < dom; i++) {
			chk_value x = {k, i, NULL, ""};
			bool ok = true;
			for (uint32_t j = 0; j < n && ok; j++)
				ok = accepts(c, g[j], &x);
			if (ok)
				return true;
		}
		return false;
	}
	/* a finite candidate set from an `=` or `in`: try each of its values */
	for (uint32_t j = 0; j < n; j++) {
		const atom *a = g[j];
		if (a->op != OP_EQ && a->op != OP_IN)
			continue;
		const ast_node *items = a->op == OP_IN ? a->set->u.list.items : NULL;
		const chk_value *only = a->op == OP_EQ ? &a->v : NULL;
		for (const ast_node *it = items;; it = it->next) {
			const chk_value *x = only ? only : chk_value_of(c, it);
			bool ok = true;
			for (uint32_t k = 0; k < n && ok; k++)
				ok = accepts(c, g[k], x);
			if (x->kind == CHK_VAL_NUMBER && g[0]->type->kind == TY_COUNT && x->i % AST_DECIMAL_SCALE)
				ok = false; /* a count is whole */
			if (ok)
				return true;
			if (only || !it->next)
				break;
		}
		return false;
	}
	/* an interval */
	bool has_lo = false, has_hi = false, lo_strict = false, hi_strict = false;
	int64_t lo = 0, hi = 0;
	for (uint32_t j = 0; j < n; j++) {
		const atom *a = g[j];
		int64_t v = a->v.i;
		if (a->v.kind == CHK_VAL_STRING || a->v.kind == CHK_VAL_BOOL)
			continue;
		if (a->op == OP_GT || a->op == OP_GE) {
			bool strict = a->op == OP_GT;
			if (!has_lo || v > lo || (v == lo && strict))
				lo = v, lo_strict = strict, has_lo = true;
		} else if (a->op == OP_LT || a->op == OP_LE) {
			bool strict = a->op == OP_LT;
			if (!has_hi || v < hi || (v == hi && strict))
				hi = v, hi_strict = strict, has_hi = true;
		}
	}
	if (g[0]->type->kind == TY_COUNT) { /* whole numbers: tighten the bounds */
		const int64_t s = AST_DECIMAL_SCALE;
		if (has_lo) {
			int64_t f = floor_to(lo, s);
			lo = (lo_strict || f != lo) ? f + s : f;
			lo_strict = false;
		}
		if (has_hi) {
			int64_t f = floor_to(hi, s);
			hi = (hi_strict && f == hi) ? f - s : f;
			hi_strict = false;
		}
	}
	if (has_lo && has_hi) {
		if (lo > hi || (lo == hi && (lo_strict || hi_strict)))
			return false;
		if (lo == hi) {
			chk_value x = g[0]->v;
			x.i = lo;
			for (uint32_t j = 0; j < n; j++)
				if (g[j]->op == OP_NE && !accepts(c, g[j], &x))
					return false;
		}
	}
	return true;
}

/* The atoms that make a conjunction impossible (a smallest set we find),
 * or n = 0 if it is satisfiable. */
typedef struct why {
	const atom *a[4];
	uint32_t n;
	bool more;              /* more atoms than listed take part */
	const ast_node *false_node;
} why;

static bool conj_unsat(chk_ctx *c, const conj *k, why *w)
{
	memset(w, 0, sizeof *w);
	if (k->false_node) {
		w->false_node = k->false_node;
		return true;
	}
	bool *done = arena_alloc(c->a, (k->n + 1) * sizeof *done);
	const atom **g = arena_alloc(c->a, (k->n + 1) * sizeof *g);
	for (uint32_t i = 0; i < k->n; i++) {
		if (done[i])
			continue;
		uint32_t n = 0;
		for (uint32_t j = i; j < k->n; j++) {
			if (!done[j] && same_key(&k->a[i]->key, &k->a[j]->key)) {
				g[n++] = k->a[j];
				done[j] = true;
			}
		}
		if (group_sat(c, g, n))
			continue;
		for (uint32_t a = 0; a < n; a++) {
			if (!group_sat(c, &g[a], 1)) {
				w->a[0] = g[a];
				w->n = 1;
				return true;
			}
		}
		for (uint32_t a = 0; a < n; a++) {
			for (uint32_t b = a + 1; b < n; b++) {
				const atom *pair[2] = {g[a], g[b]};
				if (!group_sat(c, pair, 2)) {
					w->a[0] = g[a];
					w->a[1] = g[b];
					w->n = 2;
					return true;
				}
			}
		}
		for (uint32_t a = 0; a < n && a < 4; a++)
			w->a[w->n++] = g[a];
		w->more = n > 4;
		return true;
	}
	return false;
}

static const char *atom_text(chk_ctx *c, const atom *a)
{
	const char *t = chk_text(c, a->node);
	return a->negated ? arena_printf(c->a, "not (%s)", t) : t;
}

static const char *why_text(chk_ctx *c, const why *w)
{
	if (w->false_node)
		return arena_printf(c->a, "`%s` is never true", chk_text(c, w->false_node));
	if (w->n == 1)
		return arena_printf(c->a, "`%s` is never true", atom_text(c, w->a[0]));
	if (w->n == 2)
		return arena_printf(c->a, "`%s` and `%s` cannot both be true", atom_text(c, w->a[0]), atom_text(c, w->a[1]));
	const char *s = "";
	for (uint32_t i = 0; i < w->n; i++)
		s = arena_printf(c->a, "%s%s`%s`", s, i == 0 ? "" : (i + 1 == w->n && !w->more) ? " and " : ", ",
				 atom_text(c, w->a[i]));
	return arena_printf(c->a, "%s%s cannot all be true", s, w->more ? ", ..." : "");
}

/* 1: never true (reason in *w), 0: unknown. */
static int never_true(chk_ctx *c, const ast_node *cond, bool neg, why *w)
{
	dnf d = to_dnf(c, cond, neg);
	if (d.overflow || d.n == 0)
		return 0;
	why first = {0};
	for (uint32_t i = 0; i < d.n; i++) {
		why one;
		if (!conj_unsat(c, &d.c[i], &one))
			return 0;
		if (i == 0)
			first = one;
	}
	*w = first;
	if (d.n > 1) {
		w->n = 0;
		w->false_node = NULL;
	}
	return 1;
}

static const char *event_name(const chk_ctx *c)
{
	return c->sc.event ? c->sc.event->name : "event";
}

static void report_never(chk_ctx *c, const ast_node *cond, chk_cond_role role, const char *reason)
{
	const char *owner = c->owner ? c->owner : "?";
	diag *g;
	switch (role) {
	case COND_STEP:
		g = diag_add(c->d, DIAG_E0401, cond->sp, "step \"%s\" can never be reached: its condition is never true", owner);
		break;
	case COND_RULE:
		g = diag_add(c->d, DIAG_W0502, cond->sp, "this condition can never be true, so %s \"%s\" never runs",
			     rule_word(c->rule), owner);
		break;
	case COND_STREAK:
		g = diag_add(c->d, DIAG_W0502, cond->sp, "this condition can never be true, so streak \"%s\" never moves",
			     owner);
		break;
	case COND_MULTIPLIER:
		g = diag_add(c->d, DIAG_W0502, cond->sp, "this condition can never be true, so the multiplier never applies");
		break;
	case COND_AGGREGATE:
		g = diag_add(c->d, DIAG_W0502, cond->sp, "this condition can never be true for any element");
		break;
	case COND_AUDIENCE:
		g = diag_add(c->d, DIAG_W0502, cond->sp, "this condition can never be true, so no customer can take mission \"%s\"",
			     owner);
		break;
	default:
		g = diag_add(c->d, DIAG_W0502, cond->sp, "this condition can never be true, so nobody can get \"%s\"", owner);
		break;
	}
	diag_help(g, c->d, "%s", reason ? reason : "none of its alternatives joined by `or` can be true");
}

static void report_always(chk_ctx *c, const ast_node *cond, chk_cond_role role)
{
	const char *owner = c->owner ? c->owner : "?";
	diag *g = diag_add(c->d, DIAG_W0503, cond->sp, "this condition is always true");
	switch (role) {
	case COND_RULE:
		diag_help(g, c->d, "remove `where %s`: %s \"%s\" runs on every `%s` anyway", chk_text(c, cond),
			  rule_word(c->rule), owner, event_name(c));
		break;
	case COND_STEP:
		diag_help(g, c->d, "remove `where %s`: any `%s` completes step \"%s\"", chk_text(c, cond), event_name(c), owner);
		break;
	case COND_STREAK:
		diag_help(g, c->d, "remove `where %s`: every `%s` counts for streak \"%s\"", chk_text(c, cond), event_name(c),
			  owner);
		break;
	case COND_MULTIPLIER:
		diag_help(g, c->d, "the multiplier always applies: multiply the amount itself instead");
		break;
	case COND_AGGREGATE:
		diag_help(g, c->d, "remove `where %s`: it keeps every element", chk_text(c, cond));
		break;
	case COND_AUDIENCE:
		diag_help(g, c->d, "remove `for %s`: every customer can take mission \"%s\"", chk_text(c, cond), owner);
		break;
	default:
		diag_help(g, c->d, "remove `for %s`: everybody can get \"%s\"", chk_text(c, cond), owner);
		break;
	}
}

void chk_analyse_cond(chk_ctx *c, ast_node *cond, chk_cond_role role)
{
	why w;
	if (never_true(c, cond, false, &w)) {
		report_never(c, cond, role, w.n || w.false_node ? why_text(c, &w) : NULL);
		return;
	}
	if (never_true(c, cond, true, &w))
		report_always(c, cond, role);
}

/* ======================================================================
 * Actions
 * ====================================================================== */

/* The span of `word ...` inside node `n` (its last occurrence, up to the
 * end of the next word), or the node's span. */
static span word_span(chk_ctx *c, const ast_node *n, const char *word)
{
	const source *src = source_get(c->srcs, n->sp.file);
	size_t wl = strlen(word);
	if (!src || n->sp.end > src->len || n->sp.end - n->sp.start < wl)
		return n->sp;
	for (uint32_t i = n->sp.end - (uint32_t)wl + 1; i-- > n->sp.start;) {
		if (memcmp(src->text + i, word, wl) != 0)
			continue;
		uint32_t e = i + (uint32_t)wl;
		while (e < n->sp.end && src->text[e] == ' ')
			e++;
		while (e < n->sp.end && src->text[e] != ' ' && src->text[e] != '\n' && src->text[e] != ',')
			e++;
		return (span){n->sp.file, i, e};
	}
	return n->sp;
}

static const chk_wallet *staff_wallet(chk_ctx *c)
{
	for (uint32_t i = 0; i < c->r->nwallets; i++) {
		const chk_wallet *w = c->r->wallets[i];
		if (w->staff && chk_lookup(c, NS_WALLET, w->name) && chk_lookup(c, NS_WALLET, w->name)->decl == w)
			return w;
	}
	return NULL;
}

static void check_staff_wallet(chk_ctx *c, const chk_wallet *w, const ast_node *at)
{
	bool quest = c->rule && c->rule->staff;
	if (quest && !w->staff) {
		diag *g = diag_add(c->d, DIAG_E0407, at->sp, "quest \"%s\" rewards a staff member, but `%s` is a customer wallet",
				   c->rule->name, w->name);
		const chk_wallet *sw = staff_wallet(c);
		if (sw)
			diag_help(g, c->d, "award a wallet declared `for staff`, such as `%s`", sw->name);
		else
			diag_help(g, c->d, "declare a wallet for staff (`wallet kudos \"Kudos\" for staff`) and award that");
	} else if (!quest && w->staff) {
		diag *g = diag_add(c->d, DIAG_E0407, at->sp, "`%s` is a staff wallet, but %s \"%s\" rewards the customer",
				   w->name, rule_word(c->rule), c->rule ? c->rule->name : "?");
		if (c->rule && c->rule->kind == CHK_MECH_RULE)
			diag_help(g, c->d, "write `quest` instead of `%s` to reward the staff member who served the customer",
				  rule_word(c->rule));
		else
			diag_help(g, c->d, "award a customer wallet here; staff members are rewarded by quests");
	}
}

/* Whole amounts need no rounding: count, points, and whole factors. */
static bool whole_award(chk_ctx *c, const ast_node *a)
{
	const ty *t = chk_type_of(c, a->u.award.amount);
	if (!t || (t->kind != TY_COUNT && t->kind != TY_POINTS))
		return false;
	for (const ast_node *m = a->u.award.mults; m; m = m->next) {
		if (m->kind != AST_MULTIPLIER)
			continue;
		const ty *ft = chk_type_of(c, m->u.mult.factor);
		const chk_value *v = chk_value_of(c, m->u.mult.factor);
		bool whole = ft && ft->kind == TY_COUNT;
		if (!whole && !(v->kind == CHK_VAL_NUMBER && v->i % AST_DECIMAL_SCALE == 0))
			return false;
	}
	return true;
}

static void check_multiplier(chk_ctx *c, ast_node *m)
{
	ast_node *f = m->u.mult.factor;
	const ty *t = chk_expr(c, f, NULL);
	if (!ty_is_error(t)) {
		if (t->kind != TY_COUNT && t->kind != TY_NUMBER) {
			diag *g = diag_add(c->d, ty_is_quantity(t) ? DIAG_E0302 : DIAG_E0301, f->sp,
					   "a multiplier is a plain number such as `2` or `150%%`, not %s", chk_tyname(c, t));
			if (t->kind == TY_MONEY)
				diag_help(g, c->d, "turn money into a number first: `%s / 1 %s`", chk_text(c, f), t->currency);
		} else {
			const chk_value *v = chk_value_of(c, f);
			if (v->kind == CHK_VAL_NUMBER && v->i <= 0) {
				diag *g = diag_add(c->d, DIAG_E0312, f->sp, "a multiplier must be more than zero");
				diag_help(g, c->d, "to give nothing in some cases, put the condition in the rule's `where`");
			}
		}
	}
	if (m->u.mult.cond)
		chk_cond(c, m->u.mult.cond, COND_MULTIPLIER);
}

static void check_award(chk_ctx *c, ast_node *a, bool debit)
{
	const chk_wallet *w = chk_wallet_ref(c, a->u.award.wallet, debit ? "debit" : "award");
	ast_node *amt = a->u.award.amount;
	const ty *t = chk_expr(c, amt, w ? w->type : NULL);
	if (w && !debit)
		((chk_wallet *)w)->awarded = true;
	const char *verb = debit ? "debited" : "awarded";
	if (!ty_is_error(t) && amt) {
		const char *cur = c->r->units[c->unit].currency;
		switch (t->kind) {
		case TY_COUNT: case TY_NUMBER:
			break;
		case TY_POINTS:
			if (w && t != w->type) {
				diag *g = diag_add(c->d, DIAG_E0302, amt->sp, "points of `%s` cannot be %s as `%s`", t->name, verb,
						   w->name);
				diag_help(g, c->d, "each wallet is a balance of its own: award a fixed amount of `%s` instead",
					  w->name);
			}
			break;
		case TY_MONEY: {
			diag *g = diag_add(c->d, DIAG_E0306, amt->sp, "money cannot be %s as points", verb);
			diag_help(g, c->d, "write `%s / 1 %s` for one point per %s", chk_text(c, amt),
				  t->currency[0] ? t->currency : cur, t->currency[0] ? t->currency : cur);
			break;
		}
		default: {
			diag *g = diag_add(c->d, DIAG_E0306, amt->sp, "`%s` is %s, which cannot be %s", chk_text(c, amt),
					   chk_tyname(c, t), verb);
			diag_help(g, c->d, "%s a number of points, as in `%s 10 %s`", debit ? "debit" : "award",
				  debit ? "debit" : "award", w ? w->name : "points");
			break;
		}
		}
		const chk_value *v = chk_value_of(c, amt);
		if (v->kind == CHK_VAL_NUMBER && v->i <= 0) {
			diag *g = diag_add(c->d, DIAG_E0312, amt->sp, "the amount %s must be more than zero",
					   debit ? "to debit" : "to award");
			if (v->i < 0 && !debit)
				diag_help(g, c->d, "to take points away, write `debit %s %s`", chk_text(c, amt) + (chk_text(c, amt)[0] == '-'),
					  w ? w->name : "points");
			else
				diag_help(g, c->d, "remove this line if nothing is %s", verb);
		}
	}
	if (!debit) {
		for (ast_node *m = a->u.award.mults; m; m = m->next)
			if (m->kind == AST_MULTIPLIER)
				check_multiplier(c, m);
		if (a->u.award.rounding != ROUND_DEFAULT && !ty_is_error(t) && whole_award(c, a)) {
			span sp = word_span(c, a, "rounded");
			diag *g = diag_add(c->d, DIAG_W0508, sp, "rounding has no effect: the amount is always whole");
			diag_help(g, c->d, "remove `rounded ...`");
		}
	}
	if (w)
		check_staff_wallet(c, w, a->u.award.wallet);
}

static void check_badge(chk_ctx *c, ast_node *a)
{
	const char *name = a->u.str.s;
	if (!name)
		return;
	chk_sym *s = chk_lookup(c, NS_BADGE, name);
	if (s) {
		((chk_badge *)s->decl)->given = true;
		return;
	}
	diag *g = diag_add(c->d, DIAG_E0204, a->sp, "unknown badge \"%s\"", name);
	const char *sug = chk_suggest(c, NS_BADGE, name);
	if (sug)
		diag_help(g, c->d, "did you mean \"%s\"?", sug);
	else
		diag_help(g, c->d, "declare it in `badges { \"%s\" }`", name);
}

static void check_notify(chk_ctx *c, ast_node *a)
{
	const ast_node *seen[64];
	uint32_t n = 0;
	for (ast_node *arg = a->u.notify.args; arg; arg = arg->next) {
		if (arg->kind != AST_ARG)
			continue;
		const ty *t = chk_expr(c, arg->u.arg.value, NULL);
		if (!ty_is_error(t) && (t->kind == TY_LIST || t->kind == TY_RECORD || t->kind == TY_EVENT)) {
			diag *g = diag_add(c->d, DIAG_E0301, arg->u.arg.value->sp, "a message carries single values, not %s",
					   chk_tyname(c, t));
			if (t->kind == TY_LIST)
				diag_help(g, c->d, "send a number made from it, such as `count(%s)`", chk_text(c, arg->u.arg.value));
		}
		for (uint32_t i = 0; i < n && arg->u.arg.key; i++) {
			if (strcmp(seen[i]->u.arg.key, arg->u.arg.key) == 0) {
				diag *g = diag_add(c->d, DIAG_E0206, arg->sp, "`%s` is given twice to `notify`", arg->u.arg.key);
				diag_note(g, c->d, seen[i]->sp, "first given here");
				diag_help(g, c->d, "give each value of the message a name of its own");
				break;
			}
		}
		if (arg->u.arg.key && n < 64)
			seen[n++] = arg;
	}
}

void chk_actions(chk_ctx *c, ast_node *actions)
{
	for (ast_node *a = actions; a; a = a->next) {
		switch (a->kind) {
		case AST_AWARD: check_award(c, a, false); break;
		case AST_DEBIT: check_award(c, a, true); break;
		case AST_GIVE_BADGE: check_badge(c, a); break;
		case AST_NOTIFY: check_notify(c, a); break;
		default: break;
		}
	}
}

/* ======================================================================
 * Clauses: limits and budgets
 * ====================================================================== */

typedef struct cap {
	int64_t n;             /* whole times, or points (times AST_DECIMAL_SCALE) */
	ast_unit per;
	const chk_wallet *wallet; /* NULL: a number of times */
	const ast_node *node;  /* the clause; NULL for an implicit cap */
	const char *text;      /* how to name it in a message */
} cap;

/* How many `per_b` windows one `per_a` window can touch; 0 = unbounded. */
static int64_t touch(ast_unit a, ast_unit b)
{
	if (b == UNIT_EVER || b == UNIT_CAMPAIGN)
		return 1;
	if (a == UNIT_EVER || a == UNIT_CAMPAIGN || a < UNIT_DAY || b < UNIT_DAY)
		return 0;
	static const int64_t t[4][4] = {
		/*           day  week month year */
		/* day   */ {1, 1, 1, 1},
		/* week  */ {7, 1, 2, 2},
		/* month */ {31, 6, 1, 1},
		/* year  */ {366, 54, 12, 1},
	};
	return t[a - UNIT_DAY][b - UNIT_DAY];
}

static const char *per_text(ast_unit u)
{
	switch (u) {
	case UNIT_EVER: return "in all";
	case UNIT_CAMPAIGN: return "over the campaign";
	case UNIT_DAY: return "a day";
	case UNIT_WEEK: return "a week";
	case UNIT_MONTH: return "a month";
	case UNIT_YEAR: return "a year";
	default: return "";
	}
}

/* A clause's amount: a positive whole constant (reported otherwise). */
static bool clause_amount(chk_ctx *c, ast_node *amt, const chk_wallet *w, const char *what, int64_t *out)
{
	const ty *want = w ? w->type : ty_basic(c->tt, TY_COUNT);
	const ty *t = chk_expr(c, amt, want);
	if (ty_is_error(t) || !chk_assignable(c, want, t, amt, what))
		return false;
	const chk_value *v = chk_value_of(c, amt);
	if (v->kind != CHK_VAL_NUMBER) {
		diag *g = diag_add(c->d, DIAG_E0301, amt->sp, "%s must be a fixed number, not `%s`", what, chk_text(c, amt));
		diag_help(g, c->d, "write a number, as in `limit 3 per week`");
		return false;
	}
	if (v->i <= 0) {
		diag *g = diag_add(c->d, DIAG_E0312, amt->sp, "%s must be more than zero", what);
		diag_help(g, c->d, "to switch the rule off, remove it or give it an `until` date");
		return false;
	}
	*out = mentions_param(c, amt) ? -1 : v->i; /* -1: may change, not used for W0509 */
	return true;
}

static void check_limit(chk_ctx *c, ast_node *cl, cap *out, bool *ok)
{
	*ok = false;
	const chk_wallet *w = cl->u.limit.wallet ? chk_wallet_ref(c, cl->u.limit.wallet, "limit") : NULL;
	if (cl->u.limit.wallet && !w)
		return;
	int64_t n = AST_DECIMAL_SCALE;
	if (cl->u.limit.amount && !clause_amount(c, cl->u.limit.amount, w, "a limit", &n))
		return;
	if (n < 0)
		return;
	*out = (cap){w ? n : n / AST_DECIMAL_SCALE, cl->u.limit.per, w, cl, chk_text(c, cl)};
	*ok = true;
}

/* Awards of `w` by the actions: total constant amount per firing (times
 * AST_DECIMAL_SCALE), -1 if some amount varies, 0 if none. */
static int64_t fixed_award_of(chk_ctx *c, const ast_node *actions, const chk_wallet *w)
{
	int64_t total = 0;
	for (const ast_node *a = actions; a; a = a->next) {
		if (a->kind != AST_AWARD || !a->u.award.wallet || a->u.award.wallet->id >= c->r->node_count)
			continue;
		const chk_ref *ref = &c->r->refs[a->u.award.wallet->id];
		if (ref->kind != CHK_REF_WALLET || ref->u.wallet != w)
			continue;
		const chk_value *v = chk_value_of(c, a->u.award.amount);
		if (a->u.award.mults || v->kind != CHK_VAL_NUMBER || mentions_param(c, a->u.award.amount))
			return -1;
		total += v->i;
	}
	return total;
}

static void unreachable_limit(chk_ctx *c, const cap *a, const char *why)
{
	diag *g = diag_add(c->d, DIAG_W0509, a->node->sp, "`%s` never applies: %s", a->text, why);
	diag_help(g, c->d, "remove it, or change the limit that makes it useless");
}

/* W0509: a cap that another cap (or the trigger) always keeps below reach. */
static void unreachable_limits(chk_ctx *c, const cap *caps, uint32_t n, const ast_node *actions)
{
	for (uint32_t i = 0; i < n; i++) {
		const cap *a = &caps[i];
		if (!a->node)
			continue;
		if (a->wallet) {
			int64_t per_firing = fixed_award_of(c, actions, a->wallet);
			if (per_firing == 0) {
				unreachable_limit(c, a, arena_printf(c->a, "\"%s\" never awards `%s`", c->rule->name, a->wallet->name));
				continue;
			}
			for (uint32_t j = 0; j < n && per_firing > 0; j++) {
				const cap *b = &caps[j];
				int64_t t = touch(a->per, b->per);
				if (b->wallet || !t || b->n * t * per_firing > a->n)
					continue;
				int64_t most = b->n * t * per_firing / AST_DECIMAL_SCALE;
				unreachable_limit(c, a, arena_printf(c->a, "%s%s%s it awards at most %lld %s %s",
								   b->node ? "with `" : "", b->text, b->node ? "`" : "",
								   (long long)most, a->wallet->name, per_text(a->per)));
				break;
			}
			continue;
		}
		for (uint32_t j = 0; j < n; j++) {
			const cap *b = &caps[j];
			int64_t t = touch(a->per, b->per);
			if (j == i || b->wallet || !t || b->n * t > a->n)
				continue;
			/* two caps that each make the other useless: only the later one is */
			int64_t back = touch(b->per, a->per);
			if (back && a->n * back <= b->n && b->node && b->node->sp.start > a->node->sp.start)
				continue;
			if (b->node)
				unreachable_limit(c, a, arena_printf(c->a, "`%s` already allows at most %lld %s", b->text,
								   (long long)(b->n * t), per_text(a->per)));
			else
				unreachable_limit(c, a, arena_printf(c->a, "%s", b->text));
			break;
		}
	}
}

static void check_clauses(chk_ctx *c, ast_node *clauses, const ast_node *actions, bool yearly)
{
	uint32_t n = 0, room = ast_list_len(clauses) + 1;
	cap *caps = arena_alloc(c->a, room * sizeof *caps);
	if (yearly)
		caps[n++] = (cap){1, UNIT_YEAR, NULL, NULL, "a birthday rule runs once a year"};
	for (ast_node *cl = clauses; cl; cl = cl->next) {
		bool ok;
		if (cl->kind == AST_LIMIT) {
			check_limit(c, cl, &caps[n], &ok);
			if (ok)
				n++;
		} else if (cl->kind == AST_BUDGET) {
			const chk_wallet *w = chk_wallet_ref(c, cl->u.budget.wallet, "budget");
			int64_t amount;
			if (!cl->u.budget.amount || !clause_amount(c, cl->u.budget.amount, w, "a budget", &amount) || !w)
				continue;
			if (fixed_award_of(c, actions, w) == 0) {
				diag *g = diag_add(c->d, DIAG_W0509, cl->sp, "`%s` can never be reached: \"%s\" never awards `%s`",
						   chk_text(c, cl), c->rule->name, w->name);
				diag_help(g, c->d, "give the budget in the wallet the rule awards");
			}
		}
	}
	unreachable_limits(c, caps, n, actions);
}

/* W0501: the same fixed reward on every event, with nothing to stop it. */
static void uncapped(chk_ctx *c, const chk_rule *rule, const ast_node *actions, const ast_node *clauses)
{
	for (const ast_node *cl = clauses; cl; cl = cl->next)
		if (cl->kind == AST_LIMIT || cl->kind == AST_BUDGET || cl->kind == AST_UNLIMITED || cl->kind == AST_ERROR)
			return;
	for (const ast_node *a = actions; a; a = a->next) {
		if (a->kind != AST_AWARD)
			continue;
		const ty *t = chk_type_of(c, a->u.award.amount);
		if (!t || ty_is_error(t) || chk_depends_on_event(c, a->u.award.amount))
			continue;
		bool varies = false; /* `times 2 when channel = app` reads the event; `when status >= gold` does not */
		for (const ast_node *m = a->u.award.mults; m; m = m->next)
			varies |= m->kind == AST_MULTIPLIER &&
				  (chk_depends_on_event(c, m->u.mult.factor) || chk_depends_on_event(c, m->u.mult.cond));
		if (varies)
			continue;
		diag *g = diag_add(c->d, DIAG_W0501, a->sp, "\"%s\" gives `%s %s` on every `%s` event, with no cap",
				   rule->name, chk_text(c, a->u.award.amount), a->u.award.wallet->u.name.s,
				   rule->event ? rule->event->name : "?");
		diag_help(g, c->d, "add `limit 1 per day` (or the cap you mean), or write `unlimited` if every event "
				   "should earn it");
		return;
	}
}

/* ======================================================================
 * Mechanics
 * ====================================================================== */

static void check_period(chk_ctx *c, const ast_node *from, const ast_node *until)
{
	if (!from || !until || from->kind != AST_DATE || until->kind != AST_DATE)
		return;
	if (until->u.num.value < from->u.num.value) {
		diag *g = diag_add(c->d, DIAG_E0408, until->sp, "the period ends (%s) before it starts (%s)",
				   chk_text(c, until), chk_text(c, from));
		diag_note(g, c->d, from->sp, "it starts here");
		diag_help(g, c->d, "swap the two dates");
	}
}

/* A quest rewards the event's staff member: the event must name one. */
static void check_quest_event(chk_ctx *c, chk_rule *rule, const ast_node *trig)
{
	if (!rule->staff || !trig)
		return;
	if (!rule->event) {
		if (trig->kind == AST_BIRTHDAY || trig->kind == AST_EXPIRING || trig->kind == AST_INACTIVE) {
			diag *g = diag_add(c->d, DIAG_E0407, trig->sp,
					   "quest \"%s\" rewards the staff member who served an event, but this trigger has no event",
					   rule->name);
			diag_help(g, c->d, "run the quest `on` an event with a `staff` field, such as `on purchase`");
		}
		return;
	}
	if (rule->event->has_staff)
		return;
	const ast_node *ev = trig->u.trig.event;
	diag *g = diag_add(c->d, DIAG_E0407, ev ? ev->sp : trig->sp,
			   "quest \"%s\" rewards the staff member of the event, but `%s` events have no `staff` field", rule->name,
			   rule->event->name);
	if (c->r->units[rule->event->unit].kind != CHK_UNIT_LIBRARY)
		diag_help(g, c->d, "add `staff: string` to event `%s`, or make this a `rule`", rule->event->name);
	else
		diag_help(g, c->d, "run it on an event with a `staff` field, such as `purchase` or `return`, or make it a `rule`");
}

static void check_trigger(chk_ctx *c, chk_rule *rule, const ast_node *t)
{
	if (!t)
		return;
	switch (t->kind) {
	case AST_ON_EVENT:
	case AST_AFTER:
	case AST_INACTIVE:
		rule->trigger = t->kind == AST_ON_EVENT ? CHK_TRIG_EVENT : t->kind == AST_AFTER ? CHK_TRIG_AFTER
											       : CHK_TRIG_INACTIVE;
		rule->event = chk_event_ref(c, t->u.trig.event);
		c->sc.event = rule->event;
		c->sc.lost = !rule->event;
		if (t->u.trig.where && rule->event)
			chk_cond(c, t->u.trig.where, COND_RULE);
		if (t->u.trig.dur && t->u.trig.dur->kind == AST_DURATION && t->u.trig.dur->u.dur.count <= 0) {
			diag *g = diag_add(c->d, DIAG_E0312, t->u.trig.dur->sp, "`%s` must be longer than zero",
					   chk_text(c, t->u.trig.dur));
			diag_help(g, c->d, "write a duration such as `7 days`");
		}
		if (t->kind == AST_INACTIVE) {
			/* it runs when nothing happened: there is no event to read */
			c->sc.event = NULL;
			c->sc.lost = false;
		}
		break;
	case AST_EXPIRING: {
		rule->trigger = CHK_TRIG_EXPIRING;
		const chk_wallet *w = chk_wallet_ref(c, t->u.trig.event, "expire");
		rule->wallet = w;
		if (w && !w->expires) {
			diag *g = diag_add(c->d, DIAG_W0502, t->sp, "wallet `%s` never expires, so \"%s\" never runs", w->name,
					   rule->name);
			diag_help(g, c->d, "give `%s` an expiry (`expires 12 months after earning`), or remove this rule", w->name);
		}
		break;
	}
	case AST_BIRTHDAY:
		rule->trigger = CHK_TRIG_BIRTHDAY;
		break;
	default:
		break;
	}
}

/* `when D after EVENT`: the actions run D later, from what the customer's
 * record kept of that event. The record has a fixed size and no pointers,
 * so it keeps the event's numbers, amounts, dates, times, choices and
 * true/false, never its texts or lists (E0416). The `where` is checked when
 * the event happens, so it may read anything. */
typedef struct later_ctx {
	chk_ctx *c;
	const chk_rule *rule;
} later_ctx;

static void later_field(const ast_node *n, void *ud)
{
	later_ctx *l = ud;
	chk_ctx *c = l->c;
	if (n->kind != AST_NAME || n->id >= c->r->node_count)
		return;
	const chk_ref *ref = &c->r->refs[n->id];
	if (ref->kind != CHK_REF_EVENT_FIELD || ref->u.rec != l->rule->event || ref->index >= ref->u.rec->nfields)
		return;
	const chk_field *f = &ref->u.rec->fields[ref->index];
	if (!f->type || (f->type->kind != TY_STRING && f->type->kind != TY_LIST))
		return;
	const ast_node *t = l->rule->decl->u.rule.trigger;
	diag *g = diag_add(c->d, DIAG_E0416, n->sp,
			   "rule \"%s\" runs %s after `%s`, and by then that event's %s `%s` is no longer kept",
			   l->rule->name, chk_text(c, t->u.trig.dur), l->rule->event->name,
			   f->type->kind == TY_STRING ? "text" : "list", f->name);
	diag_help(g, c->d,
		  "test `%s` in the rule's `where` (checked when the `%s` happens), or leave it out of the actions: "
		  "only numbers, amounts, dates, times, choices and true/false of the event are kept",
		  f->name, l->rule->event->name);
}

static void check_rule(chk_ctx *c, chk_rule *rule)
{
	ast_node *n = (ast_node *)rule->decl;
	check_trigger(c, rule, n->u.rule.trigger);
	check_quest_event(c, rule, n->u.rule.trigger);
	check_period(c, n->u.rule.from, n->u.rule.until);
	chk_actions(c, n->u.rule.actions);
	if (rule->trigger == CHK_TRIG_AFTER && rule->event) {
		later_ctx l = {c, rule};
		for (const ast_node *a = n->u.rule.actions; a; a = a->next)
			chk_walk(a, later_field, &l);
	}
	bool yearly = n->u.rule.trigger && n->u.rule.trigger->kind == AST_BIRTHDAY;
	check_clauses(c, n->u.rule.clauses, n->u.rule.actions, yearly);
	if (rule->trigger == CHK_TRIG_EVENT)
		uncapped(c, rule, n->u.rule.actions, n->u.rule.clauses);
}

static void check_step(chk_ctx *c, ast_node *s, const ast_node **seen, uint32_t *nseen)
{
	const char *name = s->u.step.name && s->u.step.name->kind == AST_STRING ? s->u.step.name->u.str.s : NULL;
	for (uint32_t i = 0; name && i < *nseen; i++) {
		if (strcmp(seen[i]->u.step.name->u.str.s, name) == 0) {
			diag *g = diag_add(c->d, DIAG_E0206, s->u.step.name->sp, "step \"%s\" is defined twice", name);
			diag_note(g, c->d, seen[i]->u.step.name->sp, "first defined here");
			diag_help(g, c->d, "give each step a name of its own");
			break;
		}
	}
	if (name)
		seen[(*nseen)++] = s;
	c->owner = name ? name : "?";
	const chk_record *ev = chk_event_ref(c, s->u.step.event);
	c->sc.event = ev;
	c->sc.lost = !ev;
	if (s->u.step.where && ev)
		chk_cond(c, s->u.step.where, COND_STEP);
	ast_node *times = s->u.step.times;
	if (times && times->kind == AST_INT && times->u.num.value <= 0) {
		diag *g = diag_add(c->d, DIAG_E0401, times->sp, "step \"%s\" can never be reached: it asks for %s times",
				   c->owner, chk_text(c, times));
		diag_help(g, c->d, "remove `, %s times`: a step happens once unless you ask for more", chk_text(c, times));
	}
	chk_actions(c, s->u.step.reward);
	c->owner = c->rule->name;
}

static void check_mission(chk_ctx *c, chk_rule *rule)
{
	ast_node *n = (ast_node *)rule->decl;
	rule->trigger = CHK_TRIG_STEPS;
	if (n->u.mission.anchor) {
		rule->event = chk_event_ref(c, n->u.mission.anchor);
		c->sc.event = rule->event;
		c->sc.lost = !rule->event;
	}
	if (n->u.mission.within && n->u.mission.within->kind == AST_DURATION && n->u.mission.within->u.dur.count <= 0) {
		diag *g = diag_add(c->d, DIAG_E0312, n->u.mission.within->sp, "`within %s` leaves no time",
				   chk_text(c, n->u.mission.within));
		diag_help(g, c->d, "give the mission a deadline of one day or more, or remove `within ...`");
	}
	if (n->u.mission.audience)
		chk_cond(c, n->u.mission.audience, COND_AUDIENCE);
	check_period(c, n->u.mission.from, n->u.mission.until);
	uint32_t nsteps = 0, room = ast_list_len(n->u.mission.steps) + 1;
	const ast_node **seen = arena_alloc(c->a, room * sizeof *seen);
	uint32_t nseen = 0;
	for (ast_node *s = n->u.mission.steps; s; s = s->next) {
		if (s->kind != AST_STEP)
			continue;
		nsteps++;
		chk_scope saved = c->sc;
		check_step(c, s, seen, &nseen);
		c->sc = saved;
	}
	if (nsteps == 0 && !n->u.mission.steps) {
		diag *g = diag_add(c->d, DIAG_E0410, n->u.mission.name ? n->u.mission.name->sp : n->sp,
				   "mission \"%s\" has no steps", rule->name);
		diag_help(g, c->d, "add at least one step, as in `step \"First purchase\": purchase`");
	}
	c->sc = (chk_scope){0};
	chk_actions(c, n->u.mission.reward);
}

/* Whole periods of `every` in a duration, or -1. */
static int64_t whole_periods(const ast_node *d, ast_unit every)
{
	if (!d || d->kind != AST_DURATION)
		return -1;
	int64_t n = d->u.dur.count;
	ast_unit u = d->u.dur.unit;
	switch (every) {
	case UNIT_DAY: return u == UNIT_DAY ? n : u == UNIT_WEEK ? n * 7 : -1;
	case UNIT_WEEK: return u == UNIT_WEEK ? n : (u == UNIT_DAY && n % 7 == 0) ? n / 7 : -1;
	case UNIT_MONTH: return u == UNIT_MONTH ? n : u == UNIT_YEAR ? n * 12 : -1;
	case UNIT_YEAR: return u == UNIT_YEAR ? n : (u == UNIT_MONTH && n % 12 == 0) ? n / 12 : -1;
	default: return -1;
	}
}

static int64_t streak_periods(chk_ctx *c, const ast_node *d, ast_unit every, const char *what)
{
	if (!d || d->kind != AST_DURATION)
		return -1;
	int64_t p = whole_periods(d, every);
	if (p >= 0 && (p > 0 || strcmp(what, "grace") == 0))
		return p;
	const char *unit = ast_unit_name(every, true);
	diag *g = diag_add(c->d, DIAG_E0409, d->sp, "a streak `every %s` counts whole %s, but the %s is `%s`",
			   ast_unit_name(every, false), unit, what, chk_text(c, d));
	if (every == UNIT_WEEK && d->u.dur.unit == UNIT_DAY && d->u.dur.count > 7)
		diag_help(g, c->d, "write `%lld %s` or `%lld weeks`", (long long)(d->u.dur.count / 7),
			  ast_unit_name(UNIT_WEEK, d->u.dur.count / 7 != 1), (long long)(d->u.dur.count / 7 + 1));
	else
		diag_help(g, c->d, "give the %s in %s, as in `%s 4 %s`", what, unit, strcmp(what, "grace") ? "for" : "grace",
			  unit);
	return -1;
}

static void check_streak(chk_ctx *c, chk_rule *rule)
{
	ast_node *n = (ast_node *)rule->decl;
	rule->trigger = CHK_TRIG_EVENT;
	rule->event = chk_event_ref(c, n->u.streak.event);
	c->sc.event = rule->event;
	c->sc.lost = !rule->event;
	if (n->u.streak.where && rule->event)
		chk_cond(c, n->u.streak.where, COND_STREAK);
	int64_t len = streak_periods(c, n->u.streak.length, n->u.streak.every, "length");
	int64_t grace = n->u.streak.grace ? streak_periods(c, n->u.streak.grace, n->u.streak.every, "grace") : 0;
	if (len > 0 && grace >= len) {
		diag *g = diag_add(c->d, DIAG_E0409, n->u.streak.grace->sp,
				   "the grace (`%s`) is as long as the streak itself (`%s`)", chk_text(c, n->u.streak.grace),
				   chk_text(c, n->u.streak.length));
		diag_help(g, c->d, "a grace forgives a few missed %s: make it shorter than the streak",
			  ast_unit_name(n->u.streak.every, true));
	}
	check_period(c, n->u.streak.from, n->u.streak.until);
	chk_actions(c, n->u.streak.actions);
	check_clauses(c, n->u.streak.clauses, n->u.streak.actions, false);
}

void chk_mechanic(chk_ctx *c, chk_rule *rule)
{
	c->unit = rule->unit;
	c->rule = rule;
	c->owner = rule->name;
	c->sc = (chk_scope){0};
	switch (rule->decl->kind) {
	case AST_RULE: check_rule(c, rule); break;
	case AST_MISSION: check_mission(c, rule); break;
	case AST_STREAK: check_streak(c, rule); break;
	default: break;
	}
	c->rule = NULL;
	c->owner = NULL;
	c->sc = (chk_scope){0};
}
