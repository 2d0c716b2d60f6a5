/* check_expr.c — types, units and constant values of expressions.
 *
 * chk_expr() gives every expression node its type (r->types), records what
 * each name means (r->refs) and folds constants (r->values). It follows the
 * unit rules of docs/diagnostics.md: count/number are plain quantities,
 * money carries its currency, points carry their wallet, a bare whole number
 * adapts to count, number and points, and anything else that mixes units is
 * an error with a help line showing the conversion.
 *
 * A bare name is looked up in this order: the choices of the enum (or the
 * rungs of the ladder) the other side of a comparison expects, fields of the
 * current aggregate element, fields of the triggering event, params, ladders.
 * Putting the expected choices first makes `channel = store` mean the
 * channel `store`, not the purchase's `store` field.
 *
 * After an error the node gets the error type; nothing is reported about an
 * operand whose type is already an error.
 */
#define CHK_INTERNAL
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h" /* lex_currency */

/* ---- side tables ---- */

static const ty *error_ty(chk_ctx *c)
{
	return ty_basic(c->tt, TY_ERROR);
}

static bool in_range(const chk_ctx *c, const ast_node *n)
{
	return n && n->id < c->r->node_count;
}

static const ty *set_type(chk_ctx *c, const ast_node *n, const ty *t)
{
	if (in_range(c, n))
		c->r->types[n->id] = t;
	return t;
}

const ty *chk_type_of(const chk_ctx *c, const ast_node *n)
{
	return in_range(c, n) ? c->r->types[n->id] : NULL;
}

static const chk_value no_value = {CHK_VAL_NONE, 0, NULL, ""};

const chk_value *chk_value_of(const chk_ctx *c, const ast_node *n)
{
	return in_range(c, n) ? &c->r->values[n->id] : &no_value;
}

static void set_value(chk_ctx *c, const ast_node *n, chk_value v)
{
	if (in_range(c, n))
		c->r->values[n->id] = v;
}

static void set_ref(chk_ctx *c, const ast_node *n, chk_ref ref)
{
	if (in_range(c, n))
		c->r->refs[n->id] = ref;
}

static chk_value vnum(int64_t i)
{
	return (chk_value){CHK_VAL_NUMBER, i, NULL, ""};
}

static chk_value vbool(bool b)
{
	return (chk_value){CHK_VAL_BOOL, b, NULL, ""};
}

/* ---- reading types ---- */

/* "a " / "an " / "" before a type's name in a sentence. */
static const char *article(const ty *t)
{
	switch (t->kind) {
	case TY_MONEY: case TY_POINTS: case TY_BOOL: return "";
	case TY_EVENT: return "an ";
	default: return "a ";
	}
}

/* "a whole number", "money (EUR)", "a choice of `channel`". */
const char *chk_tyname(chk_ctx *c, const ty *t)
{
	char buf[200];
	ty_format(buf, sizeof buf, t);
	return arena_printf(c->a, "%s%s", article(t), buf);
}

/* Money fields of libraries are in "the program's currency": make it the
 * current unit's. */
const ty *chk_local_money(chk_ctx *c, const ty *t)
{
	if (t && t->kind == TY_MONEY && !t->currency[0])
		return ty_money(c->tt, c->r->units[c->unit].currency);
	return t;
}

static bool is_plain_or_literal(const ty *t)
{
	return t->kind == TY_COUNT || t->kind == TY_NUMBER;
}

/* A constant whole number written without a unit (`50`, `-5`, a param
 * holding `5`): the thing a help line can rewrite as `50 EUR`. */
static bool bare_constant(const chk_ctx *c, const ast_node *n, const ty *t)
{
	return t->kind == TY_COUNT && t->literal && chk_value_of(c, n)->kind == CHK_VAL_NUMBER;
}

/* The text of a constant's value for a help line ("50", "2.5"). */
static const char *number_text(chk_ctx *c, int64_t scaled)
{
	int64_t whole = scaled / AST_DECIMAL_SCALE, frac = scaled % AST_DECIMAL_SCALE;
	if (frac == 0)
		return arena_printf(c->a, "%lld", (long long)whole);
	if (frac < 0)
		frac = -frac;
	char digits[8];
	snprintf(digits, sizeof digits, "%04lld", (long long)frac);
	for (int i = 3; i > 0 && digits[i] == '0'; i--)
		digits[i] = 0;
	return arena_printf(c->a, "%s%lld.%s", scaled < 0 && whole == 0 ? "-" : "", (long long)whole, digits);
}

/* ---- mixing units: one place decides what is wrong and how to say it ---- */

/* A help line for two types that do not mix, when the fix can be known. */
static const char *mix_help(chk_ctx *c, const ty *ta, ast_node *na, const ty *tb, ast_node *nb)
{
	/* put the side with a unit first */
	if (is_plain_or_literal(ta) && !is_plain_or_literal(tb)) {
		const ty *tt = ta; ta = tb; tb = tt;
		ast_node *nn = na; na = nb; nb = nn;
	}
	const chk_value *vb = chk_value_of(c, nb);
	if (ta->kind == TY_MONEY && is_plain_or_literal(tb)) {
		const char *cur = ta->currency[0] ? ta->currency : c->r->units[c->unit].currency;
		if (vb->kind == CHK_VAL_NUMBER)
			return arena_printf(c->a, "write the amount with its currency: `%s %s`",
					    number_text(c, vb->i), cur);
		return arena_printf(c->a, "turn money into a number first: `%s / 1 %s`", chk_text(c, na), cur);
	}
	if (ta->kind == TY_DURATION && is_plain_or_literal(tb) && vb->kind == CHK_VAL_NUMBER)
		return arena_printf(c->a, "write the duration with its unit, such as `%s minutes` or `%s days`",
				    number_text(c, vb->i), number_text(c, vb->i));
	if (ta->kind == TY_MONEY && tb->kind == TY_MONEY) {
		const char *home = c->r->units[c->unit].currency;
		const ty *foreign = strcmp(ta->currency, home) ? ta : tb;
		ast_node *fn = foreign == ta ? na : nb;
		const chk_value *fv = chk_value_of(c, fn);
		if (fv->kind == CHK_VAL_MONEY && strcmp(fv->currency, home) != 0)
			return arena_printf(c->a, "this program counts money in %s (`currency %s`): write the amount in %s",
					    home, home, home);
		return arena_printf(c->a, "ludic never converts between currencies");
	}
	if ((ta->kind == TY_MONEY && tb->kind == TY_POINTS) || (ta->kind == TY_POINTS && tb->kind == TY_MONEY)) {
		ast_node *money = ta->kind == TY_MONEY ? na : nb;
		const char *cur = (ta->kind == TY_MONEY ? ta : tb)->currency;
		return arena_printf(c->a, "money and points do not mix: `%s / 1 %s` is the number of %s", chk_text(c, money),
				    cur[0] ? cur : "EUR", cur[0] ? cur : "EUR");
	}
	if (ta->kind == TY_POINTS && tb->kind == TY_POINTS)
		return arena_printf(c->a, "each wallet is a balance of its own: `%s` and `%s` never mix", ta->name, tb->name);
	if (ta->kind == TY_LADDER && is_plain_or_literal(tb)) {
		const chk_ladder *l = ta->decl;
		if (l && l->nrungs > 1)
			return arena_printf(c->a, "compare with a %s name, as in `%s >= %s`", l->level ? "level" : "tier",
					    l->name, l->rungs[1].name);
	}
	if (ta->kind == TY_ENUM && tb->kind == TY_STRING && vb->kind == CHK_VAL_STRING) {
		const chk_enum *e = ta->decl;
		for (uint32_t i = 0; e && i < e->nmembers; i++)
			if (strcmp(e->members[i], vb->s) == 0)
				return arena_printf(c->a, "choices are written without quotes: `%s`", vb->s);
		if (e && e->nmembers)
			return arena_printf(c->a, "the choices of `%s` are written without quotes, e.g. `%s`", e->name,
					    e->members[0]);
	}
	if (ta->kind == TY_DATE && tb->kind == TY_STRING)
		return arena_printf(c->a, "write dates without quotes, as in `2027-03-01`");
	return NULL;
}

/* The code for two types that do not mix. */
static diag_code mix_code(const ty *ta, const ty *tb)
{
	if (ta->kind == TY_MONEY && tb->kind == TY_MONEY)
		return DIAG_E0303;
	if (ty_is_quantity(ta) && ty_is_quantity(tb))
		return DIAG_E0302;
	return DIAG_E0301;
}

/* Underline the bare number when that is what lacks a unit, else the whole. */
static span mix_span(chk_ctx *c, const ty *ta, ast_node *na, const ty *tb, ast_node *nb, ast_node *whole)
{
	if (na && bare_constant(c, na, ta) && !is_plain_or_literal(tb))
		return na->sp;
	if (nb && bare_constant(c, nb, tb) && !is_plain_or_literal(ta))
		return nb->sp;
	if (ta->kind == TY_MONEY && tb->kind == TY_MONEY && na && nb) {
		const char *home = c->r->units[c->unit].currency;
		if (chk_value_of(c, nb)->kind == CHK_VAL_MONEY && strcmp(tb->currency, home))
			return nb->sp;
		if (chk_value_of(c, na)->kind == CHK_VAL_MONEY && strcmp(ta->currency, home))
			return na->sp;
	}
	return whole ? whole->sp : (na ? na->sp : nb->sp);
}

static void mismatch(chk_ctx *c, const char *fmt, const ty *ta, ast_node *na, const ty *tb, ast_node *nb,
		     ast_node *whole)
{
	diag_code code = mix_code(ta, tb);
	span sp = mix_span(c, ta, na, tb, nb, whole);
	diag *g = diag_add(c->d, code, sp, fmt, chk_tyname(c, ta), chk_tyname(c, tb));
	const char *help = mix_help(c, ta, na, tb, nb);
	if (help)
		diag_help(g, c->d, "%s", help);
}

/* The common type of two values, or NULL when they do not mix. */
static const ty *unify_quiet(chk_ctx *c, const ty *a, const ty *b)
{
	if (a == b)
		return a;
	if (a->kind == TY_COUNT && b->kind == TY_COUNT)
		return ty_basic(c->tt, TY_COUNT); /* a literal and a count */
	if (a->kind == TY_COUNT && a->literal && (b->kind == TY_NUMBER || b->kind == TY_POINTS))
		return b;
	if (b->kind == TY_COUNT && b->literal && (a->kind == TY_NUMBER || a->kind == TY_POINTS))
		return a;
	if (is_plain_or_literal(a) && is_plain_or_literal(b))
		return ty_basic(c->tt, TY_NUMBER);
	if ((a->kind == TY_DATE && b->kind == TY_TIMESTAMP) || (a->kind == TY_TIMESTAMP && b->kind == TY_DATE))
		return ty_basic(c->tt, TY_TIMESTAMP);
	return NULL;
}

/* The common type of two values that are compared or chosen between, or the
 * error type (reported with `fmt`, which gets the two types' names). */
const ty *chk_unify(chk_ctx *c, const ty *a, const ty *b, ast_node *na, ast_node *nb, ast_node *whole,
		    const char *fmt)
{
	if (ty_is_error(a) || ty_is_error(b))
		return error_ty(c);
	const ty *u = unify_quiet(c, a, b);
	if (u)
		return u;
	mismatch(c, fmt, a, na, b, nb, whole);
	return error_ty(c);
}

bool chk_assignable(chk_ctx *c, const ty *want, const ty *got, ast_node *at, const char *what)
{
	if (ty_is_error(want) || ty_is_error(got) || want == got)
		return true;
	bool whole_wanted = (want->kind == TY_COUNT) || want->kind == TY_POINTS;
	if (whole_wanted && got->kind == TY_COUNT)
		return true;
	if (want->kind == TY_NUMBER && is_plain_or_literal(got))
		return true;
	if (whole_wanted && got->kind == TY_NUMBER) {
		diag *g = diag_add(c->d, DIAG_E0308, at->sp, "%s must be a whole number, not `%s`", what, chk_text(c, at));
		const chk_value *v = chk_value_of(c, at);
		if (v->kind == CHK_VAL_NUMBER)
			diag_help(g, c->d, "write `%s` or `%s`", number_text(c, v->i / AST_DECIMAL_SCALE * AST_DECIMAL_SCALE),
				  number_text(c, (v->i / AST_DECIMAL_SCALE + 1) * AST_DECIMAL_SCALE));
		return false;
	}
	diag *g = diag_add(c->d, mix_code(want, got), at->sp, "%s must be %s, not %s", what, chk_tyname(c, want),
			   chk_tyname(c, got));
	const char *help = mix_help(c, want, NULL, got, at);
	if (is_plain_or_literal(want) && ty_is_quantity(got) && chk_value_of(c, at)->kind != CHK_VAL_NONE)
		help = "write a plain number here, without a unit";
	if (help)
		diag_help(g, c->d, "%s", help);
	return false;
}

/* ---- names ---- */

static int member_index(const chk_enum *e, const char *name)
{
	for (uint32_t i = 0; e && i < e->nmembers; i++)
		if (strcmp(e->members[i], name) == 0)
			return (int)i;
	return -1;
}

static int rung_index(const chk_ladder *l, const char *name)
{
	for (uint32_t i = 0; l && i < l->nrungs; i++)
		if (l->rungs[i].name && strcmp(l->rungs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int field_index(const chk_record *rec, const char *name)
{
	for (uint32_t i = 0; rec && i < rec->nfields; i++)
		if (strcmp(rec->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const chk_param *visible_param(chk_ctx *c, const char *name)
{
	chk_sym *s = chk_lookup(c, NS_PARAM, name);
	if (!s)
		return NULL;
	const chk_param *p = s->decl;
	return p->index < c->params_visible ? p : NULL;
}

/* Whether `name` means something on its own here (without an expected enum). */
static bool resolves(chk_ctx *c, const char *name)
{
	return field_index(c->sc.elem, name) >= 0 || field_index(c->sc.event, name) >= 0 || visible_param(c, name) ||
	       chk_lookup(c, NS_LADDER, name);
}

/* Names a growing list of candidates for did-you-mean. */
typedef struct names {
	const char **v;
	uint32_t n, cap;
} names;

static void names_add(chk_ctx *c, names *ns, const char *s)
{
	ns->v = arena_grow(c->a, ns->v, ns->n, &ns->cap, 32, sizeof *ns->v);
	ns->v[ns->n++] = s;
}

static void names_of_record(chk_ctx *c, names *ns, const chk_record *rec)
{
	for (uint32_t i = 0; rec && i < rec->nfields; i++)
		names_add(c, ns, rec->fields[i].name);
}

static void names_of_ns(chk_ctx *c, names *ns, chk_ns which)
{
	struct chk_names *tabs = c->r->units[c->unit].names;
	for (uint32_t k = 0; k < tabs->nchain; k++) {
		chk_sym *s, *tmp;
		HASH_ITER(hh, c->r->units[tabs->chain[k]].names->tab[which], s, tmp)
		{
			if (which == NS_PARAM && ((chk_param *)s->decl)->index >= c->params_visible)
				continue;
			names_add(c, ns, s->name);
		}
	}
}

/* "a, b and c" (at most 8 names, then "..."). */
static const char *list_text(chk_ctx *c, const char *const *v, uint32_t n)
{
	const char *s = "";
	for (uint32_t i = 0; i < n && i < 8; i++)
		s = arena_printf(c->a, "%s%s`%s`", s, i == 0 ? "" : i + 1 == n ? " and " : ", ", v[i]);
	if (n > 8)
		s = arena_printf(c->a, "%s, ...", s);
	return s;
}

/* An enum of the scope that has `name` as a member (for a help line). */
static const chk_enum *enum_with_member(chk_ctx *c, const char *name)
{
	struct chk_names *tabs = c->r->units[c->unit].names;
	for (uint32_t k = 0; k < tabs->nchain; k++) {
		chk_sym *s, *tmp;
		HASH_ITER(hh, c->r->units[tabs->chain[k]].names->tab[NS_TYPE], s, tmp)
		{
			if (s->type_kind == TY_ENUM && member_index(s->decl, name) >= 0)
				return s->decl;
		}
	}
	return NULL;
}

/* An event field of that enum type, to show `field = member`. */
static const char *field_of_enum(const chk_record *ev, const chk_enum *e)
{
	for (uint32_t i = 0; ev && i < ev->nfields; i++)
		if (ev->fields[i].type && ev->fields[i].type->decl == e)
			return ev->fields[i].name;
	return NULL;
}

/* An event in scope that has a field `name` (for a help line). */
static const chk_record *event_with_field(chk_ctx *c, const char *name)
{
	struct chk_names *tabs = c->r->units[c->unit].names;
	for (uint32_t k = 0; k < tabs->nchain; k++) {
		chk_sym *s, *tmp;
		HASH_ITER(hh, c->r->units[tabs->chain[k]].names->tab[NS_TYPE], s, tmp)
		{
			if (s->type_kind == TY_EVENT && field_index(s->decl, name) >= 0)
				return s->decl;
		}
	}
	return NULL;
}

static void unknown_member(chk_ctx *c, ast_node *n, const ty *hint)
{
	const char *name = n->u.name.s;
	if (hint->kind == TY_ENUM) {
		const chk_enum *e = hint->decl;
		diag *g = diag_add(c->d, DIAG_E0207, n->sp, "`%s` is not a choice of `%s`", name, e->name);
		const char *s = diag_suggest(name, e->members, e->nmembers);
		if (s)
			diag_help(g, c->d, "did you mean `%s`?", s);
		else
			diag_help(g, c->d, "the choices of `%s` are %s", e->name, list_text(c, e->members, e->nmembers));
		return;
	}
	const chk_ladder *l = hint->decl;
	const char **rn = arena_alloc(c->a, (l->nrungs + 1) * sizeof *rn);
	for (uint32_t i = 0; i < l->nrungs; i++)
		rn[i] = l->rungs[i].name;
	diag *g = diag_add(c->d, DIAG_E0201, n->sp, "`%s` is not a %s of `%s`", name, l->level ? "level" : "tier",
			   l->name);
	const char *s = diag_suggest(name, rn, l->nrungs);
	if (s)
		diag_help(g, c->d, "did you mean `%s`?", s);
	else
		diag_help(g, c->d, "the %s of `%s` are %s", l->level ? "levels" : "tiers", l->name,
			  list_text(c, rn, l->nrungs));
}

static void unknown_name(chk_ctx *c, ast_node *n)
{
	const char *name = n->u.name.s;
	names ns = {0};
	names_of_record(c, &ns, c->sc.elem);
	names_of_record(c, &ns, c->sc.event);
	names_of_ns(c, &ns, NS_PARAM);
	names_of_ns(c, &ns, NS_LADDER);
	diag *g = diag_add(c->d, DIAG_E0201, n->sp, "unknown name `%s`", name);
	const char *s = diag_suggest(name, ns.v, ns.n);
	if (s) {
		diag_help(g, c->d, "did you mean `%s`?", s);
		return;
	}
	if (chk_lookup(c, NS_WALLET, name)) {
		diag_help(g, c->d, "`%s` is a wallet: `balance(%s)` is the customer's balance, `%s earned` what they earned",
			  name, name, name);
		return;
	}
	const chk_enum *e = enum_with_member(c, name);
	if (e) {
		const char *f = field_of_enum(c->sc.event, e);
		if (f)
			diag_help(g, c->d, "`%s` is a choice of `%s`: compare it with a field, as in `%s = %s`", name, e->name,
				  f, name);
		else
			diag_help(g, c->d, "`%s` is a choice of `%s`: compare it with a field of that type", name, e->name);
		return;
	}
	for (uint32_t i = 0; c->sc.event && !c->sc.elem && i < c->sc.event->nfields; i++) {
		const chk_field *f = &c->sc.event->fields[i];
		const ty *e = f->type && f->type->kind == TY_LIST ? f->type->elem : NULL;
		int k = e && e->kind == TY_RECORD ? field_index(e->decl, name) : -1;
		if (k < 0)
			continue;
		const chk_record *line = e->decl;
		if (ty_is_quantity(line->fields[k].type))
			diag_help(g, c->d, "`%s` is a field of each %s: add it up with `sum(%s of %s)`, or test it inside "
					   "`any(%s where ...)`", name, e->name, name, f->name, f->name);
		else
			diag_help(g, c->d, "`%s` is a field of each %s: test it inside `any(%s where ...)` or `count(%s where ...)`",
				  name, e->name, f->name, f->name);
		return;
	}
	const chk_record *ev = event_with_field(c, name);
	if (ev && c->sc.event)
		diag_help(g, c->d, "`%s` is a field of `%s`, but here the event is `%s`", name, ev->name, c->sc.event->name);
	else if (ev)
		diag_help(g, c->d, "`%s` is a field of `%s`, but no event is at hand here", name, ev->name);
}

static const ty *resolve_name(chk_ctx *c, ast_node *n, const ty *hint);

/* A bare name. Where a choice of an enum is expected, a name that means
 * something else (a field of another type) is reported as a wrong choice:
 * `checkout = store` most likely means a checkout, not the store's code. */
static const ty *check_name(chk_ctx *c, ast_node *n, const ty *hint)
{
	const ty *t = resolve_name(c, n, hint);
	if (hint && hint->kind == TY_ENUM && !ty_is_error(t) && t != hint && in_range(c, n) &&
	    c->r->refs[n->id].kind != CHK_REF_PARAM) {
		c->r->refs[n->id] = (chk_ref){0};
		unknown_member(c, n, hint);
		return error_ty(c);
	}
	return t;
}

static const ty *resolve_name(chk_ctx *c, ast_node *n, const ty *hint)
{
	const char *name = n->u.name.s;
	if (!name)
		return error_ty(c);
	if (hint && hint->kind == TY_ENUM) {
		int i = member_index(hint->decl, name);
		if (i >= 0) {
			set_ref(c, n, (chk_ref){.kind = CHK_REF_ENUM_MEMBER, .index = (uint32_t)i, .u.en = hint->decl});
			set_value(c, n, (chk_value){CHK_VAL_ENUM, i, NULL, ""});
			return hint;
		}
	}
	if (hint && hint->kind == TY_LADDER) {
		int i = rung_index(hint->decl, name);
		if (i >= 0) {
			set_ref(c, n, (chk_ref){.kind = CHK_REF_RUNG, .index = (uint32_t)i, .u.ladder = hint->decl});
			set_value(c, n, (chk_value){CHK_VAL_RUNG, i, NULL, ""});
			return hint;
		}
	}
	int i = field_index(c->sc.elem, name);
	if (i >= 0) {
		set_ref(c, n, (chk_ref){.kind = CHK_REF_ELEM_FIELD, .index = (uint32_t)i, .u.rec = c->sc.elem});
		return chk_local_money(c, c->sc.elem->fields[i].type);
	}
	i = field_index(c->sc.event, name);
	if (i >= 0) {
		set_ref(c, n, (chk_ref){.kind = CHK_REF_EVENT_FIELD, .index = (uint32_t)i, .u.rec = c->sc.event});
		return chk_local_money(c, c->sc.event->fields[i].type);
	}
	const chk_param *p = visible_param(c, name);
	if (p) {
		((chk_param *)p)->used = true;
		set_ref(c, n, (chk_ref){.kind = CHK_REF_PARAM, .u.param = p});
		set_value(c, n, p->constant);
		return p->type ? p->type : error_ty(c);
	}
	chk_sym *s = chk_lookup(c, NS_LADDER, name);
	if (s) {
		const chk_ladder *l = s->decl;
		set_ref(c, n, (chk_ref){.kind = CHK_REF_LADDER, .u.ladder = l});
		return l->type;
	}
	if (c->sc.lost)
		; /* the event or element is unknown, already reported */
	else if (hint && (hint->kind == TY_ENUM || hint->kind == TY_LADDER))
		unknown_member(c, n, hint);
	else
		unknown_name(c, n);
	return error_ty(c);
}

static const ty *check_field(chk_ctx *c, ast_node *n)
{
	const ty *t = chk_expr(c, n->u.field.obj, NULL);
	if (ty_is_error(t))
		return error_ty(c);
	const char *name = n->u.field.name ? n->u.field.name : "";
	span sp = n->u.field.name_sp.end > n->u.field.name_sp.start ? n->u.field.name_sp : n->sp;
	if (t->kind != TY_RECORD && t->kind != TY_EVENT) {
		diag *g = diag_add(c->d, DIAG_E0309, n->u.field.obj->sp, "`%s` is %s, which has no fields",
				   chk_text(c, n->u.field.obj), chk_tyname(c, t));
		const ty *e = t->kind == TY_LIST ? t->elem : NULL;
		const chk_record *er = e && (e->kind == TY_RECORD || e->kind == TY_EVENT) ? e->decl : NULL;
		int fi = field_index(er, name);
		const char *list = chk_text(c, n->u.field.obj);
		if (fi >= 0 && ty_is_quantity(er->fields[fi].type))
			diag_help(g, c->d, "to add up `%s` over the list, write `sum(%s of %s)`", name, name, list);
		else if (fi >= 0)
			diag_help(g, c->d, "to look at each element, write `any(%s where %s = ...)`", list, name);
		return error_ty(c);
	}
	const chk_record *rec = t->decl;
	int i = field_index(rec, name);
	if (i < 0) {
		diag *g = diag_add(c->d, DIAG_E0205, sp, "%s `%s` has no field `%s`", rec->is_event ? "event" : "record",
				   rec->name, name);
		names ns = {0};
		names_of_record(c, &ns, rec);
		const char *s = diag_suggest(name, ns.v, ns.n);
		if (s)
			diag_help(g, c->d, "did you mean `%s`?", s);
		else
			diag_help(g, c->d, "its fields are %s", list_text(c, ns.v, ns.n));
		return error_ty(c);
	}
	set_ref(c, n, (chk_ref){.kind = CHK_REF_FIELD, .index = (uint32_t)i, .u.rec = rec});
	return chk_local_money(c, rec->fields[i].type);
}

/* ---- folding ---- */

static bool fold_arith(ast_op op, const chk_value *a, const chk_value *b, chk_value *out)
{
	int64_t r;
	if (a->kind == CHK_VAL_NUMBER && b->kind == CHK_VAL_NUMBER) {
		switch (op) {
		case OP_ADD: if (__builtin_add_overflow(a->i, b->i, &r)) return false; break;
		case OP_SUB: if (__builtin_sub_overflow(a->i, b->i, &r)) return false; break;
		case OP_MUL:
			if (__builtin_mul_overflow(a->i, b->i, &r) || r % AST_DECIMAL_SCALE)
				return false;
			r /= AST_DECIMAL_SCALE;
			break;
		case OP_DIV:
			if (b->i == 0 || __builtin_mul_overflow(a->i, (int64_t)AST_DECIMAL_SCALE, &r) || r % b->i)
				return false; /* inexact: not folded, so no analysis relies on it */
			r /= b->i;
			break;
		default: return false;
		}
		*out = vnum(r);
		return true;
	}
	if (a->kind == CHK_VAL_MONEY && b->kind == CHK_VAL_MONEY && strcmp(a->currency, b->currency) == 0 &&
	    (op == OP_ADD || op == OP_SUB)) {
		if (op == OP_ADD ? __builtin_add_overflow(a->i, b->i, &r) : __builtin_sub_overflow(a->i, b->i, &r))
			return false;
		*out = *a;
		out->i = r;
		return true;
	}
	if (a->kind == CHK_VAL_MONEY && b->kind == CHK_VAL_NUMBER && (op == OP_MUL || op == OP_DIV)) {
		if (op == OP_MUL) {
			if (__builtin_mul_overflow(a->i, b->i, &r) || r % AST_DECIMAL_SCALE)
				return false;
			r /= AST_DECIMAL_SCALE;
		} else {
			if (b->i == 0 || __builtin_mul_overflow(a->i, (int64_t)AST_DECIMAL_SCALE, &r) || r % b->i)
				return false;
			r /= b->i;
		}
		*out = *a;
		out->i = r;
		return true;
	}
	if (a->kind == CHK_VAL_DURATION && b->kind == CHK_VAL_DURATION && (op == OP_ADD || op == OP_SUB)) {
		if (op == OP_ADD ? __builtin_add_overflow(a->i, b->i, &r) : __builtin_sub_overflow(a->i, b->i, &r))
			return false;
		*out = *a;
		out->i = r;
		return true;
	}
	return false;
}

/* -1, 0, 1, or 2 when the two constants cannot be compared. */
static int compare_values(const chk_value *a, const chk_value *b)
{
	if (a->kind != b->kind || a->kind == CHK_VAL_NONE)
		return 2;
	if (a->kind == CHK_VAL_MONEY && strcmp(a->currency, b->currency) != 0)
		return 2;
	if (a->kind == CHK_VAL_STRING) {
		int d = strcmp(a->s, b->s);
		return d < 0 ? -1 : d > 0;
	}
	return a->i < b->i ? -1 : a->i > b->i;
}

static bool fold_compare(ast_op op, const chk_value *a, const chk_value *b, chk_value *out)
{
	int d = compare_values(a, b);
	if (d == 2)
		return false;
	bool v;
	switch (op) {
	case OP_EQ: v = d == 0; break;
	case OP_NE: v = d != 0; break;
	case OP_LT: v = d < 0; break;
	case OP_LE: v = d <= 0; break;
	case OP_GT: v = d > 0; break;
	case OP_GE: v = d >= 0; break;
	default: return false;
	}
	*out = vbool(v);
	return true;
}

/* ---- operators ---- */

static bool is_zero(const chk_value *v)
{
	return (v->kind == CHK_VAL_NUMBER || v->kind == CHK_VAL_MONEY || v->kind == CHK_VAL_DURATION) && v->i == 0;
}

/* Non-bool condition operand: say what it is and how to make it a condition. */
static void not_a_condition(chk_ctx *c, ast_node *n, const ty *t)
{
	diag *g = diag_add(c->d, DIAG_E0304, n->sp, "`%s` is %s, not a condition (true or false)", chk_text(c, n),
			   chk_tyname(c, t));
	switch (t->kind) {
	case TY_MONEY:
		diag_help(g, c->d, "compare it with an amount, as in `%s >= 50 %s`", chk_text(c, n),
			  t->currency[0] ? t->currency : "EUR");
		break;
	case TY_COUNT: case TY_NUMBER: case TY_POINTS:
		diag_help(g, c->d, "compare it with a number, as in `%s >= 3`", chk_text(c, n));
		break;
	case TY_ENUM: {
		const chk_enum *e = t->decl;
		if (e && e->nmembers)
			diag_help(g, c->d, "compare it with a choice, as in `%s = %s`", chk_text(c, n), e->members[0]);
		break;
	}
	case TY_STRING:
		diag_help(g, c->d, "compare it with a text, as in `%s = \"...\"`", chk_text(c, n));
		break;
	case TY_LIST:
		diag_help(g, c->d, "to test its elements, write `any(%s where ...)`", chk_text(c, n));
		break;
	case TY_LADDER: {
		const chk_ladder *l = t->decl;
		if (l && l->nrungs > 1)
			diag_help(g, c->d, "compare it with a %s, as in `%s >= %s`", l->level ? "level" : "tier", l->name,
				  l->rungs[1].name);
		break;
	}
	default:
		break;
	}
}

static const ty *want_bool(chk_ctx *c, ast_node *n, const ty *t)
{
	if (ty_is_error(t))
		return error_ty(c);
	if (t->kind != TY_BOOL) {
		not_a_condition(c, n, t);
		return error_ty(c);
	}
	return t;
}

static const ty *check_unary(chk_ctx *c, ast_node *n)
{
	ast_node *e = n->u.unary.e;
	const ty *t = chk_expr(c, e, NULL);
	if (ty_is_error(t))
		return error_ty(c);
	const chk_value *v = chk_value_of(c, e);
	if (n->u.unary.op == OP_NOT) {
		if (ty_is_error(want_bool(c, e, t)))
			return error_ty(c);
		if (v->kind == CHK_VAL_BOOL)
			set_value(c, n, vbool(!v->i));
		return t;
	}
	/* negation */
	if (!ty_is_quantity(t)) {
		diag_add(c->d, DIAG_E0301, n->sp, "cannot make %s negative", chk_tyname(c, t));
		return error_ty(c);
	}
	if ((v->kind == CHK_VAL_NUMBER || v->kind == CHK_VAL_MONEY || v->kind == CHK_VAL_DURATION) && v->i != INT64_MIN) {
		chk_value nv = *v;
		nv.i = -v->i;
		set_value(c, n, nv);
	}
	return t;
}

static const ty *arith_result(chk_ctx *c, ast_node *n, const ty *a, const ty *b)
{
	ast_op op = n->u.binary.op;
	ast_node *l = n->u.binary.l, *r = n->u.binary.r;
	ty_table *tt = c->tt;
	const ty *count = ty_basic(tt, TY_COUNT), *number = ty_basic(tt, TY_NUMBER);
	bool ap = is_plain_or_literal(a), bp = is_plain_or_literal(b);
	switch (op) {
	case OP_ADD:
	case OP_SUB:
		if (a->kind == TY_COUNT && b->kind == TY_COUNT)
			return a->literal && b->literal ? a : count;
		if (ap && bp)
			return number;
		if (a->kind == TY_MONEY && b->kind == TY_MONEY && a == b)
			return a;
		if (a->kind == TY_POINTS && (a == b || (b->kind == TY_COUNT && b->literal)))
			return a;
		if (b->kind == TY_POINTS && a->kind == TY_COUNT && a->literal)
			return b;
		if (a->kind == TY_DURATION && b->kind == TY_DURATION)
			return a;
		if ((a->kind == TY_DATE || a->kind == TY_TIMESTAMP) && b->kind == TY_DURATION)
			return a;
		if (op == OP_ADD && a->kind == TY_DURATION && (b->kind == TY_DATE || b->kind == TY_TIMESTAMP))
			return b;
		if (op == OP_SUB && (a->kind == TY_DATE || a->kind == TY_TIMESTAMP) && a == b)
			return ty_basic(tt, TY_DURATION);
		mismatch(c, op == OP_ADD ? "cannot add %s and %s" : "cannot subtract %2$s from %1$s", a, l, b, r, n);
		return error_ty(c);
	case OP_MUL:
		if (a->kind == TY_COUNT && b->kind == TY_COUNT)
			return a->literal && b->literal ? a : count;
		if (ap && bp)
			return number;
		if ((a->kind == TY_MONEY || a->kind == TY_POINTS || a->kind == TY_DURATION) && bp)
			return a;
		if (ap && (b->kind == TY_MONEY || b->kind == TY_POINTS || b->kind == TY_DURATION))
			return b;
		mismatch(c, "cannot multiply %s by %s", a, l, b, r, n);
		return error_ty(c);
	case OP_DIV:
		if (ap && bp)
			return number;
		if ((a->kind == TY_MONEY || a->kind == TY_POINTS || a->kind == TY_DURATION) && bp)
			return a;
		if ((a->kind == TY_MONEY || a->kind == TY_POINTS || a->kind == TY_DURATION) && a == b)
			return number;
		mismatch(c, "cannot divide %s by %s", a, l, b, r, n);
		return error_ty(c);
	default:
		return error_ty(c);
	}
}

static bool bare_unresolved_name(chk_ctx *c, const ast_node *n)
{
	return n && n->kind == AST_NAME && n->u.name.s && !resolves(c, n->u.name.s);
}

static const ty *check_compare(chk_ctx *c, ast_node *n)
{
	ast_node *l = n->u.binary.l, *r = n->u.binary.r;
	const ty *a, *b;
	if (bare_unresolved_name(c, l) && !bare_unresolved_name(c, r)) {
		b = chk_expr(c, r, NULL); /* `app = channel`: the field tells what `app` is */
		a = chk_expr(c, l, b);
	} else {
		a = chk_expr(c, l, NULL);
		b = chk_expr(c, r, a);
	}
	if (ty_is_error(a) || ty_is_error(b))
		return error_ty(c);
	ast_op op = n->u.binary.op;
	const ty *u = chk_unify(c, a, b, l, r, n, "cannot compare %s with %s");
	if (ty_is_error(u))
		return error_ty(c);
	bool ordering = op != OP_EQ && op != OP_NE;
	if (ordering && !ty_is_ordered(u)) {
		diag *g = diag_add(c->d, DIAG_E0301, n->sp, "%s cannot be compared with `%s`: only `=` and `!=` work here",
				   u->kind == TY_ENUM ? "choices" : u->kind == TY_STRING ? "texts" : "these values",
				   ast_op_text(op));
		if (u->kind == TY_ENUM)
			diag_help(g, c->d, "choices have no order: list the ones you mean with `in {...}`");
		return error_ty(c);
	}
	if (!ordering && (u->kind == TY_LIST || u->kind == TY_RECORD || u->kind == TY_EVENT || u->kind == TY_SET)) {
		diag_add(c->d, DIAG_E0301, n->sp, "%s cannot be compared with `%s`", chk_tyname(c, u), ast_op_text(op));
		return error_ty(c);
	}
	chk_value v;
	if (fold_compare(op, chk_value_of(c, l), chk_value_of(c, r), &v))
		set_value(c, n, v);
	return ty_basic(c->tt, TY_BOOL);
}

static const ty *check_in(chk_ctx *c, ast_node *n)
{
	ast_node *l = n->u.binary.l, *r = n->u.binary.r;
	const ty *bool_ty = ty_basic(c->tt, TY_BOOL);
	if (r && r->kind == AST_SET) {
		const ty *a = chk_expr(c, l, NULL);
		bool bad = ty_is_error(a);
		bool all_const = chk_value_of(c, l)->kind != CHK_VAL_NONE, found = false;
		for (ast_node *it = r->u.list.items; it; it = it->next) {
			const ty *t = chk_expr(c, it, bad ? NULL : a);
			if (bad || ty_is_error(t)) {
				bad = true;
				continue;
			}
			if (ty_is_error(chk_unify(c, a, t, l, it, it, "cannot compare %s with %s")))
				bad = true;
			int d = compare_values(chk_value_of(c, l), chk_value_of(c, it));
			if (d == 2)
				all_const = false;
			else if (d == 0)
				found = true;
		}
		if (bad) {
			set_type(c, r, error_ty(c));
			return error_ty(c);
		}
		if (a->kind == TY_LIST || a->kind == TY_RECORD || a->kind == TY_EVENT) {
			diag_add(c->d, DIAG_E0301, l->sp, "%s cannot be looked up in a list of choices", chk_tyname(c, a));
			return error_ty(c);
		}
		set_type(c, r, ty_set(c->tt, a));
		if (all_const)
			set_value(c, n, vbool(found == (n->u.binary.op == OP_IN)));
		return bool_ty;
	}
	const ty *b = chk_expr(c, r, NULL);
	if (ty_is_error(b)) {
		chk_expr(c, l, NULL);
		return error_ty(c);
	}
	if (b->kind != TY_LIST) {
		const ty *a = chk_expr(c, l, NULL);
		(void)a;
		diag *g = diag_add(c->d, DIAG_E0310, r->sp, "`%s` is %s, not a list: `in` looks for a value in a list",
				   chk_text(c, r), chk_tyname(c, b));
		if (chk_value_of(c, l)->kind != CHK_VAL_NONE)
			diag_help(g, c->d, "write `%s = %s`, or `%s in {%s, ...}` for several values", chk_text(c, r),
				  chk_text(c, l), chk_text(c, r), chk_text(c, l));
		else
			diag_help(g, c->d, "write the values in braces, as in `%s in {a, b}`", chk_text(c, l));
		return error_ty(c);
	}
	const ty *a = chk_expr(c, l, b->elem);
	if (ty_is_error(a))
		return error_ty(c);
	if (!unify_quiet(c, a, chk_local_money(c, b->elem))) {
		mismatch(c, "cannot look for %s in %s", a, l, b, r, n);
		return error_ty(c);
	}
	if (a->kind == TY_RECORD || a->kind == TY_EVENT) {
		diag_add(c->d, DIAG_E0301, l->sp, "%s cannot be looked up in a list", chk_tyname(c, a));
		return error_ty(c);
	}
	return bool_ty;
}

static const ty *check_logic(chk_ctx *c, ast_node *n)
{
	ast_node *l = n->u.binary.l, *r = n->u.binary.r;
	const ty *a = want_bool(c, l, chk_expr(c, l, NULL));
	const ty *b = want_bool(c, r, chk_expr(c, r, NULL));
	if (ty_is_error(a) || ty_is_error(b))
		return error_ty(c);
	const chk_value *va = chk_value_of(c, l), *vb = chk_value_of(c, r);
	bool and = n->u.binary.op == OP_AND;
	if (va->kind == CHK_VAL_BOOL && vb->kind == CHK_VAL_BOOL)
		set_value(c, n, vbool(and ? va->i && vb->i : va->i || vb->i));
	else if ((va->kind == CHK_VAL_BOOL && va->i == !and) || (vb->kind == CHK_VAL_BOOL && vb->i == !and))
		set_value(c, n, vbool(!and)); /* false and x, x or true */
	return a;
}

static const ty *check_binary(chk_ctx *c, ast_node *n)
{
	switch (n->u.binary.op) {
	case OP_AND: case OP_OR:
		return check_logic(c, n);
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		return check_compare(c, n);
	case OP_IN: case OP_NOT_IN:
		return check_in(c, n);
	case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
		break;
	default:
		return error_ty(c);
	}
	ast_node *l = n->u.binary.l, *r = n->u.binary.r;
	const ty *a = chk_expr(c, l, NULL);
	const ty *b = chk_expr(c, r, NULL);
	if (ty_is_error(a) || ty_is_error(b))
		return error_ty(c);
	if (n->u.binary.op == OP_DIV && is_zero(chk_value_of(c, r))) {
		diag *g = diag_add(c->d, DIAG_E0307, r->sp, "division by zero");
		diag_help(g, c->d, "divide by an amount other than zero, as in `%s / 1%s%s`", chk_text(c, l),
			  b->kind == TY_MONEY ? " " : "", b->kind == TY_MONEY ? b->currency : "");
		return error_ty(c);
	}
	const ty *t = arith_result(c, n, a, b);
	if (ty_is_error(t))
		return t;
	chk_value v;
	const chk_value *va = chk_value_of(c, l), *vb = chk_value_of(c, r);
	if (n->u.binary.op != OP_DIV && va->kind == CHK_VAL_NUMBER && vb->kind == CHK_VAL_MONEY) {
		const chk_value *tmp = va; va = vb; vb = tmp; /* 2 * 5 EUR */
	}
	if (fold_arith(n->u.binary.op, va, vb, &v))
		set_value(c, n, v);
	else if (va->kind == CHK_VAL_MONEY && vb->kind == CHK_VAL_MONEY && n->u.binary.op == OP_DIV && vb->i != 0 &&
		 strcmp(va->currency, vb->currency) == 0) {
		chk_value x = vnum(va->i), y = vnum(vb->i);
		if (fold_arith(OP_DIV, &x, &y, &v))
			set_value(c, n, v);
	}
	return t;
}

/* ---- functions ---- */

static const struct {
	const char *name;
	chk_fn fn;
	unsigned nargs;
	const char *usage;
} functions[] = {
	{"floor", CHK_FN_FLOOR, 1, "floor(total / 1 EUR)"}, {"ceil", CHK_FN_CEIL, 1, "ceil(total / 10 EUR)"},
	{"round", CHK_FN_ROUND, 1, "round(total / 1 EUR)"}, {"min", CHK_FN_MIN, 2, "min(total / 1 EUR, 100)"},
	{"max", CHK_FN_MAX, 2, "max(total / 1 EUR, 10)"},   {"abs", CHK_FN_ABS, 1, "abs(x)"},
	{"balance", CHK_FN_BALANCE, 1, "balance(points)"},
};
#define NFUNCTIONS (sizeof functions / sizeof *functions)

static const ty *check_call(chk_ctx *c, ast_node *n)
{
	const char *fn = n->u.call.fn ? n->u.call.fn : "";
	span fsp = n->u.call.fn_sp.end > n->u.call.fn_sp.start ? n->u.call.fn_sp : n->sp;
	int k = -1;
	for (unsigned i = 0; i < NFUNCTIONS; i++)
		if (strcmp(functions[i].name, fn) == 0)
			k = (int)i;
	uint32_t nargs = ast_list_len(n->u.call.args);
	if (k < 0) {
		for (ast_node *a = n->u.call.args; a; a = a->next)
			chk_expr(c, a, NULL);
		const char *cands[NFUNCTIONS + 4];
		for (unsigned i = 0; i < NFUNCTIONS; i++)
			cands[i] = functions[i].name;
		cands[NFUNCTIONS] = "count", cands[NFUNCTIONS + 1] = "sum", cands[NFUNCTIONS + 2] = "any";
		cands[NFUNCTIONS + 3] = "all";
		diag *g = diag_add(c->d, DIAG_E0208, fsp, "unknown function `%s`", fn);
		const char *s = diag_suggest(fn, cands, NFUNCTIONS + 4);
		if (s)
			diag_help(g, c->d, "did you mean `%s`?", s);
		else
			diag_help(g, c->d, "the functions are `floor`, `ceil`, `round`, `min`, `max`, `abs` and `balance`");
		return error_ty(c);
	}
	set_ref(c, n, (chk_ref){.kind = CHK_REF_FUNCTION, .u.fn = functions[k].fn});
	if (nargs != functions[k].nargs) {
		for (ast_node *a = n->u.call.args; a && functions[k].fn != CHK_FN_BALANCE; a = a->next)
			chk_expr(c, a, NULL);
		diag *g = diag_add(c->d, DIAG_E0305, n->sp, "`%s` takes %u value%s, not %u", fn, functions[k].nargs,
				   functions[k].nargs == 1 ? "" : "s", nargs);
		diag_help(g, c->d, "write it as `%s`", functions[k].usage);
		return error_ty(c);
	}
	ast_node *a0 = n->u.call.args, *a1 = a0 ? a0->next : NULL;
	if (functions[k].fn == CHK_FN_BALANCE) {
		const chk_wallet *w = chk_wallet_ref(c, a0, "balance");
		return w ? w->type : error_ty(c);
	}
	const ty *t0 = chk_expr(c, a0, NULL);
	const ty *t1 = a1 ? chk_expr(c, a1, NULL) : NULL;
	if (ty_is_error(t0) || (a1 && ty_is_error(t1)))
		return error_ty(c);
	const chk_value *v0 = chk_value_of(c, a0);
	switch (functions[k].fn) {
	case CHK_FN_FLOOR: case CHK_FN_CEIL: case CHK_FN_ROUND: {
		if (!is_plain_or_literal(t0)) {
			diag *g = diag_add(c->d, mix_code(t0, ty_basic(c->tt, TY_NUMBER)), a0->sp,
					   "`%s` rounds a number, but `%s` is %s", fn, chk_text(c, a0), chk_tyname(c, t0));
			if (t0->kind == TY_MONEY)
				diag_help(g, c->d, "turn money into a number first: `%s(%s / 1 %s)`", fn, chk_text(c, a0),
					  t0->currency);
			return error_ty(c);
		}
		if (v0->kind == CHK_VAL_NUMBER) {
			int64_t q = v0->i / AST_DECIMAL_SCALE, rem = v0->i % AST_DECIMAL_SCALE;
			if (functions[k].fn == CHK_FN_FLOOR && rem < 0)
				q--;
			else if (functions[k].fn == CHK_FN_CEIL && rem > 0)
				q++;
			else if (functions[k].fn == CHK_FN_ROUND && (rem >= AST_DECIMAL_SCALE / 2 || rem <= -AST_DECIMAL_SCALE / 2))
				q += rem > 0 ? 1 : -1;
			set_value(c, n, vnum(q * AST_DECIMAL_SCALE));
		}
		return t0->literal ? t0 : ty_basic(c->tt, TY_COUNT);
	}
	case CHK_FN_ABS:
		if (!ty_is_quantity(t0)) {
			diag_add(c->d, DIAG_E0301, a0->sp, "`abs` needs a number or an amount, not %s", chk_tyname(c, t0));
			return error_ty(c);
		}
		if ((v0->kind == CHK_VAL_NUMBER || v0->kind == CHK_VAL_MONEY) && v0->i != INT64_MIN) {
			chk_value v = *v0;
			v.i = v.i < 0 ? -v.i : v.i;
			set_value(c, n, v);
		}
		return t0;
	default: {
		const ty *u = chk_unify(c, t0, t1, a0, a1, n, "`min` and `max` choose between values of one kind, not %s and %s");
		if (ty_is_error(u))
			return u;
		if (!ty_is_ordered(u)) {
			diag_add(c->d, DIAG_E0301, n->sp, "`%s` needs values that can be ordered, not %s", fn, chk_tyname(c, u));
			return error_ty(c);
		}
		int d = compare_values(v0, chk_value_of(c, a1));
		if (d != 2)
			set_value(c, n, *((d <= 0) == (functions[k].fn == CHK_FN_MIN) ? v0 : chk_value_of(c, a1)));
		return u;
	}
	}
}

/* ---- history ---- */

void chk_window_length(chk_ctx *c, ast_node *dur, const char *what)
{
	if (!dur || dur->kind != AST_DURATION)
		return;
	int64_t n = dur->u.dur.count;
	bool too_long = false;
	switch (dur->u.dur.unit) {
	case UNIT_MINUTE: case UNIT_HOUR: {
		diag *g = diag_add(c->d, DIAG_E0406, dur->sp, "%s of `%s` is shorter than a day", what, chk_text(c, dur));
		diag_help(g, c->d, "history is kept day by day: use `1 day` or more");
		return;
	}
	case UNIT_DAY: too_long = n > CHK_MAX_HISTORY_DAYS; break;
	case UNIT_WEEK: too_long = n > CHK_MAX_HISTORY_DAYS / 7; break;
	case UNIT_MONTH: too_long = n > 36; break;
	case UNIT_YEAR: too_long = n > 3; break;
	default: break;
	}
	if (n <= 0) {
		diag *g = diag_add(c->d, DIAG_E0406, dur->sp, "%s of `%s` is empty", what, chk_text(c, dur));
		diag_help(g, c->d, "history is kept day by day: use `1 day` or more");
		return;
	}
	if (too_long) {
		diag *g = diag_add(c->d, DIAG_E0405, dur->sp, "%s of `%s` is longer than the history ludic keeps", what,
				   chk_text(c, dur));
		diag_help(g, c->d, "ludic keeps at most 3 years of history per customer: use `3 years` or less");
	}
}

static const ty *check_window(chk_ctx *c, ast_node *n)
{
	const chk_record *ev = chk_event_ref(c, n->u.window.event);
	if (!n->u.window.is_this)
		chk_window_length(c, n->u.window.length, "a history window");
	if (!c->window_ok) {
		diag *g = diag_add(c->d, DIAG_E0311, n->sp, "`%s` is a history of events, not a value", chk_text(c, n));
		diag_help(g, c->d, "count or add up the events: `count(%s)`, `sum(total of %s)`, `any(%s where ...)`",
			  chk_text(c, n), chk_text(c, n), chk_text(c, n));
		return error_ty(c);
	}
	return ev ? ty_list(c->tt, ev->type) : error_ty(c);
}

static const ty *check_earned(chk_ctx *c, ast_node *n)
{
	const chk_wallet *w = chk_wallet_ref(c, n->u.earned.wallet, "earned");
	if (n->u.earned.window)
		chk_window_length(c, n->u.earned.window, "a history window");
	return w ? w->type : error_ty(c);
}

static const char *agg_name(ast_agg fn)
{
	static const char *const names[] = {"count", "sum", "any", "all", "min", "max"};
	return (unsigned)fn <= AGG_MAX ? names[fn] : "?";
}

static const ty *check_agg(chk_ctx *c, ast_node *n)
{
	ast_agg fn = n->u.agg.fn;
	ast_node *src = n->u.agg.src;
	bool saved_ok = c->window_ok;
	c->window_ok = src && src->kind == AST_WINDOW;
	const ty *lt = chk_expr(c, src, NULL);
	c->window_ok = saved_ok;
	const ty *elem = NULL;
	if (!ty_is_error(lt)) {
		if (lt->kind != TY_LIST) {
			diag *g = diag_add(c->d, DIAG_E0310, src->sp, "`%s` is %s, not a list", chk_text(c, src), chk_tyname(c, lt));
			diag_help(g, c->d, "`%s` works on a list such as `lines`, or on history such as `purchase in last 30 days`",
				  agg_name(fn));
		} else {
			elem = lt->elem;
		}
	}
	chk_scope saved = c->sc;
	if (elem) {
		c->sc.elem = (elem->kind == TY_RECORD || elem->kind == TY_EVENT) ? elem->decl : NULL;
		c->sc.elem_type = elem;
	} else {
		/* unknown element: its names cannot be checked; keep quiet about them */
		c->sc.elem = NULL;
		c->sc.elem_type = NULL;
		c->sc.lost = true;
	}
	const ty *vt = NULL;
	if (n->u.agg.value && elem)
		vt = chk_expr(c, n->u.agg.value, NULL);
	if (n->u.agg.where && elem)
		chk_cond(c, n->u.agg.where, COND_AGGREGATE);
	c->sc = saved;
	if (!elem)
		return error_ty(c);
	switch (fn) {
	case AGG_COUNT:
		return ty_basic(c->tt, TY_COUNT);
	case AGG_ANY: case AGG_ALL:
		if (!n->u.agg.where && elem->kind != TY_BOOL) {
			diag *g = diag_add(c->d, DIAG_E0304, n->sp, "`%s` needs a condition", agg_name(fn));
			diag_help(g, c->d, "write it as `%s(%s where ...)`", agg_name(fn), chk_text(c, src));
			return error_ty(c);
		}
		return ty_basic(c->tt, TY_BOOL);
	default:
		if (!n->u.agg.value)
			return ty_basic(c->tt, TY_COUNT);
		if (ty_is_error(vt))
			return error_ty(c);
		if (!ty_is_quantity(vt)) {
			diag_add(c->d, DIAG_E0301, n->u.agg.value->sp, "`%s` adds up numbers, amounts or points, not %s",
				 agg_name(fn), chk_tyname(c, vt));
			return error_ty(c);
		}
		return vt->literal ? ty_basic(c->tt, TY_COUNT) : vt;
	}
}

/* ---- the dispatcher ---- */

const ty *chk_expr(chk_ctx *c, ast_node *n, const ty *hint)
{
	if (!n)
		return error_ty(c);
	ty_table *tt = c->tt;
	const ty *t;
	bool window_ok = c->window_ok;
	c->window_ok = false;
	switch (n->kind) {
	case AST_INT: {
		int64_t v;
		t = ty_literal(tt);
		if (!__builtin_mul_overflow(n->u.num.value, (int64_t)AST_DECIMAL_SCALE, &v))
			set_value(c, n, vnum(v));
		break;
	}
	case AST_DECIMAL:
	case AST_PERCENT:
		t = ty_basic(tt, TY_NUMBER);
		set_value(c, n, vnum(n->u.num.value)); /* both are already times AST_DECIMAL_SCALE */
		break;
	case AST_MONEY: {
		const char *cur = n->u.money.currency;
		if (!lex_currency(cur, NULL)) {
			chk_unknown_currency(c, n->sp, cur);
			t = error_ty(c);
			break;
		}
		t = ty_money(tt, cur);
		chk_value v = {CHK_VAL_MONEY, n->u.money.minor, NULL, ""};
		memcpy(v.currency, cur, 4);
		set_value(c, n, v);
		break;
	}
	case AST_DURATION: {
		static const int64_t secs[] = {60, 3600, 86400, 7 * 86400};
		t = ty_basic(tt, TY_DURATION);
		int64_t v;
		if (n->u.dur.unit <= UNIT_WEEK && !__builtin_mul_overflow(n->u.dur.count, secs[n->u.dur.unit], &v))
			set_value(c, n, (chk_value){CHK_VAL_DURATION, v, NULL, ""});
		break;
	}
	case AST_STRING:
		t = ty_basic(tt, TY_STRING);
		set_value(c, n, (chk_value){CHK_VAL_STRING, 0, n->u.str.s ? n->u.str.s : "", ""});
		break;
	case AST_BOOL:
		t = ty_basic(tt, TY_BOOL);
		set_value(c, n, vbool(n->u.num.value != 0));
		break;
	case AST_DATE:
		t = ty_basic(tt, TY_DATE);
		set_value(c, n, (chk_value){CHK_VAL_DATE, n->u.num.value, NULL, ""});
		break;
	case AST_TIMESTAMP:
		t = ty_basic(tt, TY_TIMESTAMP);
		set_value(c, n, (chk_value){CHK_VAL_TIMESTAMP, n->u.num.value, NULL, ""});
		break;
	case AST_NAME:
		t = check_name(c, n, hint);
		break;
	case AST_FIELD:
		t = check_field(c, n);
		break;
	case AST_UNARY:
		t = check_unary(c, n);
		break;
	case AST_BINARY:
		t = check_binary(c, n);
		break;
	case AST_CALL:
		t = check_call(c, n);
		break;
	case AST_AGG:
		t = check_agg(c, n);
		break;
	case AST_WINDOW:
		c->window_ok = window_ok;
		t = check_window(c, n);
		c->window_ok = false;
		break;
	case AST_EARNED:
		t = check_earned(c, n);
		break;
	case AST_SET:
		for (ast_node *it = n->u.list.items; it; it = it->next)
			chk_expr(c, it, hint);
		{
			diag *g = diag_add(c->d, DIAG_E0301, n->sp, "a list of choices `{...}` only goes after `in`");
			diag_help(g, c->d, "write `field in %s`", chk_text(c, n));
		}
		t = error_ty(c);
		break;
	default:
		/* AST_ERROR (already reported by the parser) or a node that is not an expression */
		t = error_ty(c);
		break;
	}
	return set_type(c, n, t);
}

const ty *chk_cond(chk_ctx *c, ast_node *n, chk_cond_role role)
{
	if (!n)
		return error_ty(c);
	const ty *t = want_bool(c, n, chk_expr(c, n, NULL));
	if (!ty_is_error(t))
		chk_analyse_cond(c, n, role);
	return t;
}

/* ---- what an expression depends on ---- */

bool chk_depends_on_event(const chk_ctx *c, const ast_node *n)
{
	if (!n)
		return false;
	switch (n->kind) {
	case AST_NAME: {
		chk_ref_kind k = in_range(c, n) ? c->r->refs[n->id].kind : CHK_REF_NONE;
		return k == CHK_REF_EVENT_FIELD || k == CHK_REF_ELEM_FIELD;
	}
	case AST_FIELD: case AST_AGG: case AST_WINDOW:
		return true;
	case AST_UNARY:
		return chk_depends_on_event(c, n->u.unary.e);
	case AST_BINARY:
		return chk_depends_on_event(c, n->u.binary.l) || chk_depends_on_event(c, n->u.binary.r);
	case AST_CALL:
		for (const ast_node *a = n->u.call.args; a; a = a->next)
			if (chk_depends_on_event(c, a))
				return true;
		return false;
	default:
		return false;
	}
}
