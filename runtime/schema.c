/* schema.c — the run-time copy of a program's records, events and enums.
 *
 * Everything is copied out of the checker's tables into a private pool
 * (a list of malloc'd blocks freed together), so the schema does not depend
 * on the compilation's arena. Building allocates; lookups never do.
 */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "parse.h"
#include "types.h"

/* ---- the pool ---- */

typedef struct rt_pool {
	struct rt_pool *next; /* older block */
	size_t cap, used;     /* bytes in data, bytes handed out */
	_Alignas(max_align_t) unsigned char data[];
} rt_pool;

/* Zeroed memory from the pool at *p, aligned for any type; NULL when out of memory. */
static void *pool_alloc(rt_pool **p, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (!*p || (*p)->cap - (*p)->used < size) {
		size_t cap = size > 16384 ? size : 16384;
		rt_pool *b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->next = *p;
		b->cap = cap;
		b->used = 0;
		*p = b;
	}
	void *m = (*p)->data + (*p)->used;
	(*p)->used += size;
	memset(m, 0, size);
	return m;
}

static char *pool_strdup(rt_pool **p, const char *s)
{
	size_t n = strlen(s);
	char *d = pool_alloc(p, n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

static void pool_free(rt_pool *p)
{
	while (p) {
		rt_pool *next = p->next;
		free(p);
		p = next;
	}
}

/* ---- lookup tables ---- */

/* A hash of the length and three bytes (first, middle, last): names in one
 * table are few (at most RT_MAX_FIELDS), and every probe compares the whole
 * key, so this only has to spread them; it costs a few independent
 * multiplications whatever the key's length, where a byte-by-byte hash was
 * a chain of them (measured: bench/decode_bench.c --lookup). */
static uint32_t hash(const char *s, size_t n)
{
	if (!n)
		return 0;
	const unsigned char *u = (const unsigned char *)s;
	uint32_t h = (uint32_t)n * 0x9E3779B1u ^ u[0] * 0x85EBCA6Bu ^ u[n / 2] * 0xC2B2AE35u ^ u[n - 1] * 0x27D4EB2Fu;
	return h ^ (h >> 15);
}

/* memcmp for the short names of a schema, without a library call. */
static bool same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Fills `t` for the `n` names (lengths `lens`); false when out of memory. */
static bool lookup_build(rt_pool **p, rt_lookup *t, const char *const *names, const uint32_t *lens, uint32_t n)
{
	uint32_t size = 4;
	while (size < 2 * n)
		size *= 2;
	t->slots = pool_alloc(p, size * sizeof *t->slots);
	if (!t->slots)
		return false;
	t->mask = size - 1;
	t->names = names;
	t->lens = lens;
	for (uint32_t i = 0; i < n; i++) {
		if (rt_lookup_find(t, names[i], lens[i]) >= 0)
			continue; /* a duplicate name (the checker reported it): the first one wins */
		uint32_t h = hash(names[i], lens[i]) & t->mask;
		while (t->slots[h])
			h = (h + 1) & t->mask;
		t->slots[h] = i + 1;
	}
	return true;
}

int32_t rt_lookup_find(const rt_lookup *t, const char *key, size_t len)
{
	if (!t->slots)
		return -1;
	for (uint32_t h = hash(key, len) & t->mask;; h = (h + 1) & t->mask) {
		uint32_t i = t->slots[h];
		if (!i)
			return -1;
		i--;
		if (t->lens[i] == len && same(t->names[i], key, len))
			return (int32_t)i;
	}
}

int32_t rt_schema_event(const rt_schema *s, const char *name, size_t len)
{
	int32_t i = rt_lookup_find(&s->event_lookup, name, len);
	return i < 0 ? -1 : (int32_t)s->event_records[i];
}

int32_t rt_schema_field(const rt_record *rec, const char *name, size_t len)
{
	return rt_lookup_find(&rec->lookup, name, len);
}

int32_t rt_schema_member(const rt_enum *en, const char *name, size_t len)
{
	return rt_lookup_find(&en->lookup, name, len);
}

const char *rt_kind_name(rt_kind k)
{
	static const char *const names[] = {
		[RT_BOOL] = "bool",     [RT_COUNT] = "count", [RT_NUMBER] = "number",       [RT_MONEY] = "money",
		[RT_DURATION] = "duration", [RT_DATE] = "date",   [RT_TIMESTAMP] = "timestamp", [RT_STRING] = "string",
		[RT_ENUM] = "enum",     [RT_LIST] = "list",
	};
	return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

/* ---- building ---- */

/* The run-time kind of a scalar type; false for types a value cannot be decoded into. */
static bool scalar_kind(const ty *t, rt_kind *k)
{
	switch (t->kind) {
	case TY_BOOL: *k = RT_BOOL; return true;
	case TY_COUNT: *k = RT_COUNT; return true;
	case TY_NUMBER: *k = RT_NUMBER; return true;
	case TY_MONEY: *k = RT_MONEY; return true;
	case TY_DURATION: *k = RT_DURATION; return true;
	case TY_DATE: *k = RT_DATE; return true;
	case TY_TIMESTAMP: *k = RT_TIMESTAMP; return true;
	case TY_STRING: *k = RT_STRING; return true;
	case TY_ENUM: *k = RT_ENUM; return true;
	default: return false;
	}
}

/* Fills the enum and currency of `f` from the scalar type `t`. */
static void scalar_details(struct rt_field *f, const ty *t, const char *program_currency)
{
	if (t->kind == TY_ENUM)
		f->en = (int32_t)((const chk_enum *)t->decl)->index;
	if (t->kind == TY_MONEY) {
		const char *code = t->currency[0] ? t->currency : program_currency;
		memcpy(f->currency, code, 3);
		f->currency[3] = 0;
		int exponent = 2;
		if (!lex_currency(f->currency, &exponent))
			exponent = 2; /* the checker refused unknown codes: not reached */
		f->exponent = (uint8_t)exponent;
	}
}

static void field_from_chk(struct rt_field *f, const chk_field *cf, const char *program_currency)
{
	const ty *t = cf->type;
	f->name_len = (uint32_t)strlen(f->name);
	f->optional = cf->optional;
	f->implicit = cf->implicit;
	f->en = -1;
	f->elem_record = -1;
	if (t && t->kind == TY_LIST && t->elem) {
		f->kind = RT_LIST;
		const ty *e = t->elem;
		if (e->kind == TY_RECORD)
			f->elem_record = (int32_t)((const chk_record *)e->decl)->index;
		else if (scalar_kind(e, &f->elem))
			scalar_details(f, e, program_currency);
		else
			f->unsupported = true;
		return;
	}
	if (t && scalar_kind(t, &f->kind)) {
		scalar_details(f, t, program_currency);
		return;
	}
	f->kind = RT_STRING; /* meaningless: see `unsupported` */
	f->unsupported = true;
}

static bool build_enum(rt_pool **p, rt_enum *e, const chk_enum *ce)
{
	e->name = pool_strdup(p, ce->name);
	e->nmembers = ce->nmembers;
	const char **members = pool_alloc(p, (ce->nmembers + 1) * sizeof *members);
	uint32_t *lens = pool_alloc(p, (ce->nmembers + 1) * sizeof *lens);
	if (!e->name || !members || !lens)
		return false;
	for (uint32_t i = 0; i < ce->nmembers; i++) {
		if (!(members[i] = pool_strdup(p, ce->members[i])))
			return false;
		lens[i] = (uint32_t)strlen(members[i]);
	}
	e->members = members;
	e->member_lens = lens;
	return lookup_build(p, &e->lookup, members, lens, ce->nmembers);
}

static bool build_record(rt_pool **p, rt_record *rec, const chk_record *cr, const char *program_currency,
			 bool visible)
{
	if (cr->nfields > RT_MAX_FIELDS)
		return false;
	rec->name = pool_strdup(p, cr->name);
	rec->is_event = cr->is_event;
	rec->decodable = cr->is_event && visible;
	rec->nfields = cr->nfields;
	rec->fields = pool_alloc(p, (cr->nfields + 1) * sizeof *rec->fields);
	const char **names = pool_alloc(p, (cr->nfields + 1) * sizeof *names);
	uint32_t *lens = pool_alloc(p, (cr->nfields + 1) * sizeof *lens);
	if (!rec->name || !rec->fields || !names || !lens)
		return false;
	for (uint32_t f = 0; f < cr->nfields; f++) {
		struct rt_field *fd = &rec->fields[f];
		if (!(fd->name = pool_strdup(p, cr->fields[f].name)))
			return false;
		field_from_chk(fd, &cr->fields[f], program_currency);
		/* Anonymous sales: an event may come without a customer (the engine decides what to do). */
		if (cr->is_event && f == RT_FIELD_CUSTOMER)
			fd->optional = true;
		if (!fd->optional)
			rec->required |= UINT64_C(1) << f;
		names[f] = fd->name;
		lens[f] = fd->name_len;
	}
	return lookup_build(p, &rec->lookup, names, lens, cr->nfields);
}

rt_schema *rt_schema_build(const chk_result *r)
{
	if (!r || !r->ok)
		return NULL;
	rt_pool *pool = NULL;
	rt_schema *s = pool_alloc(&pool, sizeof *s);
	bool *visible = calloc(r->nunits ? r->nunits : 1, sizeof *visible);
	if (!s || !visible)
		goto fail;
	s->pool = pool;

	const char *cur = r->program >= 0 ? r->units[r->program].currency : "EUR";
	memcpy(s->currency, cur[0] ? cur : "EUR", 3);
	s->currency[3] = 0;

	/* Visible: the user's files and the libraries any of them `use`. */
	for (uint32_t u = 0; u < r->nunits; u++) {
		const chk_unit *unit = &r->units[u];
		if (unit->kind == CHK_UNIT_LIBRARY)
			continue;
		visible[u] = true;
		for (uint32_t k = 0; k < unit->nuses; k++)
			if (unit->uses[k] < r->nunits)
				visible[unit->uses[k]] = true;
	}

	s->nenums = r->nenums;
	s->enums = pool_alloc(&s->pool, (r->nenums + 1) * sizeof *s->enums);
	if (!s->enums)
		goto fail;
	for (uint32_t i = 0; i < r->nenums; i++)
		if (!build_enum(&s->pool, &s->enums[i], r->enums[i]))
			goto fail;

	s->nrecords = r->nrecords;
	s->records = pool_alloc(&s->pool, (r->nrecords + 1) * sizeof *s->records);
	s->events = pool_alloc(&s->pool, (r->nrecords + 1) * sizeof *s->events);
	s->event_records = pool_alloc(&s->pool, (r->nrecords + 1) * sizeof *s->event_records);
	uint32_t *event_lens = pool_alloc(&s->pool, (r->nrecords + 1) * sizeof *event_lens);
	if (!s->records || !s->events || !s->event_records || !event_lens)
		goto fail;
	for (uint32_t i = 0; i < r->nrecords; i++) {
		const chk_record *cr = r->records[i];
		rt_record *rec = &s->records[i];
		if (!build_record(&s->pool, rec, cr, s->currency, cr->unit < r->nunits && visible[cr->unit]))
			goto fail;
		if (rec->decodable) {
			s->events[s->nevents] = rec->name;
			event_lens[s->nevents] = (uint32_t)strlen(rec->name);
			s->event_records[s->nevents++] = i;
		}
	}
	if (!lookup_build(&s->pool, &s->event_lookup, s->events, event_lens, s->nevents))
		goto fail;
	free(visible);
	return s;
fail:
	free(visible);
	pool_free(s ? s->pool : pool);
	return NULL;
}

void rt_schema_free(rt_schema *s)
{
	if (s)
		pool_free(s->pool);
}
