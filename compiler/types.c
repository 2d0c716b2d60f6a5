/* types.c — making, interning and naming types; see types.h. */
#include "types.h"

#include <stdio.h>
#include <string.h>

void ty_table_init(ty_table *tt, arena *a)
{
	memset(tt, 0, sizeof *tt);
	tt->a = a;
	for (int k = 0; k < TY_KIND_COUNT; k++)
		tt->basic[k].kind = (ty_kind)k;
	tt->count_literal.kind = TY_COUNT;
	tt->count_literal.literal = true;
}

const ty *ty_basic(ty_table *tt, ty_kind k)
{
	switch (k) {
	case TY_ERROR: case TY_BOOL: case TY_COUNT: case TY_NUMBER: case TY_DURATION:
	case TY_DATE: case TY_TIMESTAMP: case TY_STRING:
		return &tt->basic[k];
	default:
		return &tt->basic[TY_ERROR];
	}
}

const ty *ty_literal(ty_table *tt)
{
	return &tt->count_literal;
}

const ty *ty_money(ty_table *tt, const char *currency)
{
	for (unsigned i = 0; i < tt->nmoney; i++)
		if (strcmp(tt->money[i].currency, currency) == 0)
			return &tt->money[i];
	if (tt->nmoney == TY_MAX_CURRENCIES)
		return &tt->basic[TY_ERROR];
	ty *t = &tt->money[tt->nmoney++];
	t->kind = TY_MONEY;
	snprintf(t->currency, sizeof t->currency, "%s", currency);
	return t;
}

/* The cache pointers are the table's own bookkeeping: the type stays
 * immutable for its users, so casting away const here is safe. */
const ty *ty_list(ty_table *tt, const ty *elem)
{
	ty *e = (ty *)elem;
	if (!e->list_of) {
		e->list_of = arena_alloc(tt->a, sizeof(ty));
		e->list_of->kind = TY_LIST;
		e->list_of->elem = elem;
	}
	return e->list_of;
}

const ty *ty_set(ty_table *tt, const ty *elem)
{
	ty *e = (ty *)elem;
	if (!e->set_of) {
		e->set_of = arena_alloc(tt->a, sizeof(ty));
		e->set_of->kind = TY_SET;
		e->set_of->elem = elem;
	}
	return e->set_of;
}

ty *ty_named(ty_table *tt, ty_kind k, const char *name, const void *decl)
{
	ty *t = arena_alloc(tt->a, sizeof *t);
	t->kind = k;
	t->name = name;
	t->decl = decl;
	return t;
}

bool ty_is_quantity(const ty *t)
{
	switch (t->kind) {
	case TY_COUNT: case TY_NUMBER: case TY_MONEY: case TY_POINTS: case TY_DURATION:
		return true;
	default:
		return false;
	}
}

bool ty_is_ordered(const ty *t)
{
	return ty_is_quantity(t) || t->kind == TY_DATE || t->kind == TY_TIMESTAMP || t->kind == TY_LADDER;
}

/* Element types inside "list of ..." read better without backticks. */
static void format_elem(char *buf, size_t size, const ty *t)
{
	if (t->kind == TY_RECORD || t->kind == TY_EVENT)
		snprintf(buf, size, "%s", t->name);
	else
		ty_format(buf, size, t);
}

char *ty_format(char *buf, size_t size, const ty *t)
{
	char inner[128];
	if (size == 0)
		return buf;
	if (!t) {
		snprintf(buf, size, "nothing");
		return buf;
	}
	switch (t->kind) {
	case TY_ERROR: snprintf(buf, size, "error"); break;
	case TY_BOOL: snprintf(buf, size, "true/false"); break;
	case TY_COUNT: snprintf(buf, size, "%s", t->literal ? "whole number" : "count"); break;
	case TY_NUMBER: snprintf(buf, size, "number"); break;
	case TY_MONEY:
		if (t->currency[0])
			snprintf(buf, size, "money (%s)", t->currency);
		else
			snprintf(buf, size, "money");
		break;
	case TY_POINTS: snprintf(buf, size, "points of wallet `%s`", t->name); break;
	case TY_DURATION: snprintf(buf, size, "duration"); break;
	case TY_DATE: snprintf(buf, size, "date"); break;
	case TY_TIMESTAMP: snprintf(buf, size, "timestamp"); break;
	case TY_STRING: snprintf(buf, size, "string"); break;
	case TY_ENUM: snprintf(buf, size, "choice of `%s`", t->name); break;
	case TY_RECORD: snprintf(buf, size, "record `%s`", t->name); break;
	case TY_EVENT: snprintf(buf, size, "event `%s`", t->name); break;
	case TY_LIST:
		format_elem(inner, sizeof inner, t->elem);
		snprintf(buf, size, "list of %s", inner);
		break;
	case TY_SET:
		format_elem(inner, sizeof inner, t->elem);
		snprintf(buf, size, "set of %s", inner);
		break;
	case TY_LADDER: snprintf(buf, size, "%s of `%s`", t->level ? "level" : "tier", t->name); break;
	default: snprintf(buf, size, "?"); break;
	}
	return buf;
}

const char *ty_str(arena *a, const ty *t)
{
	char buf[256];
	return arena_strdup(a, ty_format(buf, sizeof buf, t));
}
