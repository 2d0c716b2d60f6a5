/* event_build.c — typed events: a caller that already holds the values (a
 * till, a message bus consumer) fills an event field by field, with no JSON
 * in between, and hands it to ludic_engine_push.
 *
 * A ludic_event is a reusable buffer: the event's values (event.h layout:
 * presence mask, then one rt_value per field), one growable array per list
 * field (basket lines), and one pool for the lists inside items (a line's
 * tags). ludic_event_reset keeps every buffer, so a caller that reuses one
 * ludic_event allocates nothing per event once the buffers fit its largest
 * event. Strings are not copied: they are views of the caller's memory.
 *
 * What is checked, and when:
 *   - misuse (an unknown field, a setter of the wrong kind, a bad item
 *     index) is refused at once with LUDIC_ERR_USAGE: it is a bug in the
 *     caller's code, not in the data;
 *   - what the JSON decoder would reject in the data (an unknown choice, an
 *     empty id or customer, text that is not UTF-8 or holds U+0000, a
 *     negative duration, a time out of range, a required field not set) is
 *     remembered and becomes a reject when the event is pushed, with the
 *     decoder's code and the same wording (rt_event_finish), so a typed
 *     event is accepted or refused exactly when its JSON would be;
 *   - a list field nobody added to is an empty list (typed events have no
 *     `null`), so a required list is never missing.
 */
#include "engine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h" /* diag_suggest: the decoder's "did you mean" */

/* One list field's items: n * stride values. */
typedef struct lbuf {
	rt_value *v;     /* the items */
	uint32_t n;      /* items */
	uint32_t cap;    /* values allocated */
	uint32_t stride; /* values per item; set by ludic_event_add_item, valid while n > 0 */
} lbuf;

/* A list of scalars inside an item (a line's tags), in the nested pool. */
typedef struct nest {
	uint32_t field, item, sub; /* where: list field, item index, field of the item */
	uint32_t off, n;           /* its values: npool[off .. off + n) */
} nest;

struct ludic_event {
	const ludic_program *p;       /* the program the events are for */
	const rt_schema *s;           /* its schema */
	int32_t type;                 /* record index of the event being built; -1 before the first reset */
	const rt_record *rec;         /* s->records[type], or NULL before the first reset: every setter needs it */
	rt_value *vals;               /* presence mask + RT_MAX_FIELDS values */
	lbuf lists[RT_MAX_FIELDS];    /* per field index: the items of a list field */
	rt_value *npool;              /* values of nested lists */
	uint32_t nlen, ncap;          /* used and allocated entries of npool */
	nest *nests;                  /* the nested lists, in the order they were started */
	uint32_t nnests, nests_cap;   /* used and allocated entries of nests */
	/* the first problem in the data a setter saw, reported at push */
	bool bad;
	rt_reject_code bad_code;
	char bad_field[128];
	char bad_msg[RT_REJECT_MESSAGE_MAX];
	char where[128];              /* the field of the reject made by rt_event_finish */
};

const ludic_program *rt_event_program(const ludic_event *ev)
{
	return ev->p;
}

bool rt_event_ready(const ludic_event *ev)
{
	return ev->type >= 0;
}

rt_str rt_event_id(const ludic_event *ev)
{
	if (ev->type < 0 || !rt_present(ev->vals, RT_FIELD_ID))
		return (rt_str){NULL, 0};
	return rt_field(ev->vals, RT_FIELD_ID)->s;
}

/* ---- the program's event types and fields ---- */

int ludic_program_event_type(const ludic_program *p, const char *name)
{
	if (!p || !name)
		return -1;
	return rt_schema_event(p->schema, name, strlen(name));
}

static const rt_record *event_record(const rt_schema *s, int type)
{
	if (type < 0 || (uint32_t)type >= s->nrecords || !s->records[type].decodable)
		return NULL;
	return &s->records[type];
}

int ludic_program_field(const ludic_program *p, int type, int list_field, const char *name)
{
	if (!p || !name)
		return -1;
	const rt_record *rec = event_record(p->schema, type);
	if (!rec)
		return -1;
	if (list_field >= 0) {
		if ((uint32_t)list_field >= rec->nfields)
			return -1;
		const struct rt_field *f = &rec->fields[list_field];
		if (f->kind != RT_LIST || f->elem_record < 0)
			return -1;
		rec = &p->schema->records[f->elem_record];
	}
	return rt_schema_field(rec, name, strlen(name));
}

/* ---- the buffer ---- */

ludic_event *ludic_event_new(const ludic_program *p)
{
	if (!p)
		return NULL;
	ludic_event *ev = calloc(1, sizeof *ev);
	if (!ev)
		return NULL;
	ev->vals = calloc(1 + RT_MAX_FIELDS, sizeof *ev->vals);
	if (!ev->vals) {
		free(ev);
		return NULL;
	}
	ev->p = p;
	ev->s = p->schema;
	ev->type = -1;
	return ev;
}

void ludic_event_free(ludic_event *ev)
{
	if (!ev)
		return;
	for (uint32_t i = 0; i < RT_MAX_FIELDS; i++)
		free(ev->lists[i].v);
	free(ev->npool);
	free(ev->nests);
	free(ev->vals);
	free(ev);
}

ludic_status ludic_event_reset(ludic_event *ev, int type)
{
	if (!ev)
		return LUDIC_ERR_USAGE;
	const rt_record *rec = event_record(ev->s, type);
	if (!rec)
		return LUDIC_ERR_USAGE;
	ev->type = type;
	ev->rec = rec;
	memset(ev->vals, 0, (1 + (size_t)rec->nfields) * sizeof *ev->vals);
	for (uint32_t i = 0; i < rec->nfields; i++)
		ev->lists[i].n = 0;
	ev->nlen = 0;
	ev->nnests = 0;
	ev->bad = false;
	return LUDIC_OK;
}

static const rt_record *current(const ludic_event *ev)
{
	return ev ? ev->rec : NULL;
}

/* The first data problem wins, as in the decoder (one reject per line). */
__attribute__((format(printf, 4, 5))) static void remember(ludic_event *ev, rt_reject_code code, const char *field,
							  const char *fmt, ...)
{
	if (ev->bad)
		return;
	ev->bad = true;
	ev->bad_code = code;
	snprintf(ev->bad_field, sizeof ev->bad_field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->bad_msg, sizeof ev->bad_msg, fmt, ap);
	va_end(ap);
}

/* Where a value goes: field `f`, or item `item` of list `f` (`item` >= 0),
 * or field `sub` of that item, or item `sub_item` of that field (a tag).
 * Turned into text ("lines[2].tags[0]") only when a problem is reported:
 * the setters stay free of formatting. */
typedef struct where {
	const struct rt_field *f;
	int item;                    /* -1: the field itself */
	const struct rt_field *sub;  /* NULL: the item itself */
	int sub_item;                /* -1: the sub-field itself */
} where;

static const char *where_text(const where *w, char *buf, size_t cap)
{
	if (w->item < 0)
		snprintf(buf, cap, "%s", w->f->name);
	else if (!w->sub)
		snprintf(buf, cap, "%s[%d]", w->f->name, w->item);
	else if (w->sub_item < 0)
		snprintf(buf, cap, "%s[%d].%s", w->f->name, w->item, w->sub->name);
	else
		snprintf(buf, cap, "%s[%d].%s[%d]", w->f->name, w->item, w->sub->name, w->sub_item);
	return buf;
}

/* Checks the text of a string value as the decoder does: UTF-8, no U+0000. */
static bool check_text(ludic_event *ev, const where *w, const char *s, size_t len)
{
	char path[160];
	const unsigned char *p = (const unsigned char *)s;
	/* plain ASCII without NUL, eight bytes at a time: most text is */
	size_t i0 = 0;
	for (; i0 + 8 <= len; i0 += 8) {
		uint64_t w;
		memcpy(&w, p + i0, 8);
		const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
		if ((w & highs) || ((w - ones) & ~w & highs))
			break;
	}
	for (size_t i = i0; i < len;) {
		unsigned char c = p[i];
		if (c && c < 0x80) {
			i++;
			continue;
		}
		if (!c) {
			where_text(w, path, sizeof path);
			remember(ev, RT_REJ_BAD_VALUE, path,
				 "`%s` holds U+0000 (a NUL character) at byte %zu, which ludic does not accept in text: "
				 "remove it", path, i + 1);
			return false;
		}
		size_t k = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		bool ok = k && i + k <= len;
		for (size_t j = 1; ok && j < k; j++)
			ok = (p[i + j] & 0xC0) == 0x80;
		if (ok && k == 3) {
			unsigned v = (c & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu);
			ok = v >= 0x800 && (v < 0xD800 || v > 0xDFFF);
		} else if (ok && k == 4) {
			unsigned v = (c & 0x07u) << 18 | (p[i + 1] & 0x3Fu) << 12;
			ok = v >= 0x10000 && v <= 0x10FFFF;
		}
		if (!ok) {
			where_text(w, path, sizeof path);
			remember(ev, RT_REJ_UTF8, path,
				 "`%s` is not valid UTF-8 at byte %zu (byte 0x%02X): text must be encoded in UTF-8", path,
				 i + 1, c);
			return false;
		}
		i += k;
	}
	return true;
}

/* A scalar value for a field of `kind` from an integer, as the decoder
 * would accept it. Returns false for misuse (the kind takes no integer). */
static bool int_value(ludic_event *ev, const where *w, bool is_at, rt_kind kind, long long v, rt_value *out)
{
	char path[160];
	switch (kind) {
	case RT_BOOL:
		if (v != 0 && v != 1)
			return false;
		break;
	case RT_COUNT:
	case RT_NUMBER:
	case RT_MONEY:
		break;
	case RT_DURATION:
		if (v < 0 && where_text(w, path, sizeof path))
			remember(ev, RT_REJ_BAD_VALUE, path,
				 "`%s` is not a valid duration: %lld seconds is negative; durations are 0 or more", path, v);
		break;
	case RT_DATE:
		if ((v < CLK_DAYS_MIN || v > CLK_DAYS_MAX) && where_text(w, path, sizeof path))
			remember(ev, RT_REJ_BAD_VALUE, path,
				 "`%s` is not a valid date: day %lld is outside the calendar (years -1000000 to 1000000)",
				 path, v);
		break;
	case RT_TIMESTAMP:
		if (v < CLK_TIME_MIN || v > CLK_TIME_MAX) {
			where_text(w, path, sizeof path);
			if (is_at)
				remember(ev, RT_REJ_BAD_AT, path,
					 "`at` is not a valid time: %lld seconds since 1970 is outside the calendar "
					 "(years -1000000 to 1000000)", v);
			else
				remember(ev, RT_REJ_BAD_VALUE, path,
					 "`%s` is not a valid time: %lld seconds since 1970 is outside the calendar "
					 "(years -1000000 to 1000000)", path, v);
		}
		break;
	case RT_STRING:
	case RT_ENUM:
	case RT_LIST:
		return false;
	}
	out->i = v;
	return true;
}

/* The member of enum `en` named by `len` bytes of `s`; remembers an
 * `unknown-value` reject (the decoder's wording) when there is none. */
static int32_t member_of(ludic_event *ev, const where *w, int32_t en_index, const char *s, size_t len)
{
	const rt_enum *en = &ev->s->enums[en_index];
	int32_t m = rt_schema_member(en, s, len);
	if (m >= 0 || ev->bad)
		return m;
	char path[160];
	where_text(w, path, sizeof path);
	char name[128];
	snprintf(name, sizeof name, "%.*s", (int)(len < 100 ? len : 100), s);
	const char *hint = diag_suggest(name, en->members, en->nmembers);
	char list[RT_REJECT_MESSAGE_MAX / 2];
	size_t at = 0;
	list[0] = '\0';
	for (uint32_t i = 0; i < en->nmembers && at < sizeof list; i++) {
		int k = snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", en->members[i]);
		if (k < 0)
			break;
		at += (size_t)k;
	}
	if (hint)
		remember(ev, RT_REJ_UNKNOWN_VALUE, path,
			 "`%s` has no choice \"%s\": did you mean \"%s\"? The choices of `%s` are %s", path, name, hint,
			 en->name, list);
	else
		remember(ev, RT_REJ_UNKNOWN_VALUE, path, "`%s` has no choice \"%s\": the choices of `%s` are %s", path,
			 name, en->name, list);
	return -1;
}

/* A string view, or false for misuse. */
static bool str_value(const char *s, size_t len, rt_str *out)
{
	if (!s && len)
		return false;
	if (len >= UINT32_MAX)
		return false;
	out->p = s ? s : "";
	out->len = (uint32_t)len;
	return true;
}

static const struct rt_field *top_field(const ludic_event *ev, int field)
{
	const rt_record *rec = current(ev);
	if (!rec || field < 0 || (uint32_t)field >= rec->nfields || rec->fields[field].unsupported)
		return NULL;
	return &rec->fields[field];
}

static void set_present(rt_value *rec, uint32_t field)
{
	rec[0].i |= (int64_t)((uint64_t)1 << field);
}

ludic_status ludic_event_set_int(ludic_event *ev, int field, long long value)
{
	const struct rt_field *f = top_field(ev, field);
	if (!f)
		return LUDIC_ERR_USAGE;
	rt_value v;
	where w = {f, -1, NULL, -1};
	if (!int_value(ev, &w, field == RT_FIELD_AT && f->implicit, f->kind, value, &v))
		return LUDIC_ERR_USAGE;
	ev->vals[1 + field] = v;
	set_present(ev->vals, (uint32_t)field);
	return LUDIC_OK;
}

ludic_status ludic_event_set_string(ludic_event *ev, int field, const char *s, size_t len)
{
	const struct rt_field *f = top_field(ev, field);
	if (!f || f->kind != RT_STRING)
		return LUDIC_ERR_USAGE;
	rt_value v;
	if (!str_value(s, len, &v.s))
		return LUDIC_ERR_USAGE;
	if (f->implicit && field == RT_FIELD_ID && len == 0)
		remember(ev, RT_REJ_NO_ID, "id", "`id` is empty: give each event a unique text, such as \"pos-17-000123\"");
	else if (f->implicit && field == RT_FIELD_CUSTOMER && len == 0)
		remember(ev, RT_REJ_BAD_VALUE, "customer",
			 "`customer` is empty: give the customer's id, or leave `customer` unset for an anonymous event");
	else
		check_text(ev, &(where){f, -1, NULL, -1}, v.s.p, len);
	ev->vals[1 + field] = v;
	set_present(ev->vals, (uint32_t)field);
	return LUDIC_OK;
}

ludic_status ludic_event_set_choice(ludic_event *ev, int field, const char *member)
{
	const struct rt_field *f = top_field(ev, field);
	if (!f || f->kind != RT_ENUM || !member || f->en < 0)
		return LUDIC_ERR_USAGE;
	int32_t m = member_of(ev, &(where){f, -1, NULL, -1}, f->en, member, strlen(member));
	if (m < 0)
		return LUDIC_OK; /* rejected at push, as the JSON would be */
	ev->vals[1 + field].i = m;
	set_present(ev->vals, (uint32_t)field);
	return LUDIC_OK;
}

/* ---- lists ---- */

static bool lbuf_grow(lbuf *b, size_t need)
{
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > UINT32_MAX)
		return false;
	rt_value *v = realloc(b->v, cap * sizeof *v);
	if (!v)
		return false;
	b->v = v;
	b->cap = (uint32_t)cap;
	return true;
}

static const struct rt_field *list_field(const ludic_event *ev, int field)
{
	const struct rt_field *f = top_field(ev, field);
	return f && f->kind == RT_LIST ? f : NULL;
}

static uint32_t stride_of(const ludic_event *ev, const struct rt_field *f)
{
	return f->elem_record >= 0 ? 1 + ev->s->records[f->elem_record].nfields : 1;
}

int ludic_event_add_item(ludic_event *ev, int field, const char *s, size_t len)
{
	const struct rt_field *f = list_field(ev, field);
	if (!f)
		return -1;
	bool record = f->elem_record >= 0;
	rt_str str = {0};
	if (record ? s != NULL : (f->elem == RT_STRING || f->elem == RT_ENUM) && !str_value(s, len, &str))
		return -1;
	lbuf *b = &ev->lists[field];
	if (b->n >= RT_DECODE_MAX_ITEMS) {
		remember(ev, RT_REJ_LIMIT, f->name, "`%s` has more than %u items, the limit: split the event", f->name,
			 (unsigned)RT_DECODE_MAX_ITEMS);
		return -1;
	}
	uint32_t stride = stride_of(ev, f);
	if (!lbuf_grow(b, ((size_t)b->n + 1) * stride))
		return -1;
	b->stride = stride;
	rt_value *item = &b->v[(size_t)b->n * stride];
	memset(item, 0, stride * sizeof *item);
	int index = (int)b->n++;
	where w = {f, index, NULL, -1};
	if (record) {
		/* lists in an item are empty lists until something is added */
		const rt_record *rec = &ev->s->records[f->elem_record];
		for (uint32_t i = 0; i < rec->nfields; i++)
			if (rec->fields[i].kind == RT_LIST && !rec->fields[i].unsupported)
				set_present(item, i);
	} else if (f->elem == RT_STRING) {
		item->s = str;
		check_text(ev, &w, str.p, str.len);
	} else if (f->elem == RT_ENUM && f->en >= 0) {
		int32_t m = member_of(ev, &w, f->en, str.p, str.len);
		item->i = m < 0 ? 0 : m;
	}
	return index;
}

/* The value slot of field `sub` of item `item` of list `field` (for a list
 * of scalars, `sub` < 0 names the item itself); NULL for misuse. */
static rt_value *item_slot(ludic_event *ev, int field, int item, int sub, const struct rt_field **f_out,
			   const struct rt_field **sub_out)
{
	const struct rt_field *f = list_field(ev, field);
	if (!f || item < 0)
		return NULL; /* ev NULL, or not a list field: nothing of ev may be touched */
	const lbuf *b = &ev->lists[field];
	if ((uint32_t)item >= b->n)
		return NULL;
	rt_value *base = &b->v[(size_t)item * b->stride];
	*f_out = f;
	if (f->elem_record < 0) {
		if (sub >= 0)
			return NULL;
		*sub_out = NULL;
		return base;
	}
	const rt_record *rec = &ev->s->records[f->elem_record];
	if (sub < 0 || (uint32_t)sub >= rec->nfields || rec->fields[sub].unsupported)
		return NULL;
	*sub_out = &rec->fields[sub];
	return base;
}

/* Puts `v` in item slot `base`: the item itself for a list of scalars
 * (`sf` NULL), else its field `sub`, marked present. */
static void store_item_value(rt_value *base, const struct rt_field *sf, int sub, rt_value v)
{
	if (!sf) {
		*base = v;
		return;
	}
	base[1 + sub] = v;
	set_present(base, (uint32_t)sub);
}

ludic_status ludic_event_set_item_int(ludic_event *ev, int field, int item, int sub, long long value)
{
	const struct rt_field *f, *sf;
	rt_value *base = item_slot(ev, field, item, sub, &f, &sf);
	if (!base)
		return LUDIC_ERR_USAGE;
	where w = {f, item, sf, -1};
	rt_value v;
	if (!int_value(ev, &w, false, sf ? sf->kind : f->elem, value, &v))
		return LUDIC_ERR_USAGE;
	store_item_value(base, sf, sub, v);
	return LUDIC_OK;
}

ludic_status ludic_event_set_item_string(ludic_event *ev, int field, int item, int sub, const char *s, size_t len)
{
	const struct rt_field *f, *sf;
	rt_value *base = item_slot(ev, field, item, sub, &f, &sf);
	if (!base)
		return LUDIC_ERR_USAGE;
	rt_kind kind = sf ? sf->kind : f->elem;
	int32_t en = sf ? sf->en : f->en;
	rt_value v;
	if ((kind != RT_STRING && kind != RT_ENUM) || !str_value(s, len, &v.s))
		return LUDIC_ERR_USAGE;
	where w = {f, item, sf, -1};
	if (kind == RT_ENUM) {
		/* a choice inside an item is given by its member's name */
		if (en < 0)
			return LUDIC_ERR_USAGE;
		int32_t m = member_of(ev, &w, en, v.s.p, v.s.len);
		if (m < 0)
			return LUDIC_OK;
		v.i = m;
	} else {
		check_text(ev, &w, v.s.p, v.s.len);
	}
	store_item_value(base, sf, sub, v);
	return LUDIC_OK;
}

ludic_status ludic_event_add_item_string(ludic_event *ev, int field, int item, int sub, const char *s, size_t len)
{
	const struct rt_field *f, *sf;
	rt_value *base = item_slot(ev, field, item, sub, &f, &sf);
	if (!base || !sf || sf->kind != RT_LIST || sf->elem_record >= 0 ||
	    (sf->elem != RT_STRING && sf->elem != RT_ENUM))
		return LUDIC_ERR_USAGE;
	rt_value v;
	if (!str_value(s, len, &v.s))
		return LUDIC_ERR_USAGE;
	/* find the nested list, most recent first: tags are usually added
	 * right after their line */
	nest *nl = NULL;
	for (uint32_t i = ev->nnests; i-- > 0;) {
		nest *x = &ev->nests[i];
		if (x->field == (uint32_t)field && x->item == (uint32_t)item && x->sub == (uint32_t)sub) {
			nl = x;
			break;
		}
	}
	if (!nl) {
		if (ev->nnests == ev->nests_cap) {
			uint32_t cap = ev->nests_cap ? ev->nests_cap * 2 : 16;
			nest *n = realloc(ev->nests, cap * sizeof *n);
			if (!n)
				return LUDIC_ERR_MEMORY;
			ev->nests = n;
			ev->nests_cap = cap;
		}
		nl = &ev->nests[ev->nnests++];
		*nl = (nest){(uint32_t)field, (uint32_t)item, (uint32_t)sub, ev->nlen, 0};
	}
	where w = {f, item, sf, (int)nl->n};
	if (nl->n >= RT_DECODE_MAX_ITEMS) {
		char path[160];
		remember(ev, RT_REJ_LIMIT, where_text(&(where){f, item, sf, -1}, path, sizeof path), "`%s[%d].%s` has more than %u items, the limit: split the event", f->name,
			 item, sf->name, (unsigned)RT_DECODE_MAX_ITEMS);
		return LUDIC_OK;
	}
	/* a list must stay contiguous: if another one was started after it,
	 * it moves to the end of the pool (the old place is dead until reset) */
	bool at_end = nl->off + nl->n == ev->nlen;
	size_t need = (size_t)ev->nlen + 1 + (at_end ? 0 : nl->n);
	if (need > ev->ncap) {
		size_t cap = ev->ncap ? ev->ncap : 64;
		while (cap < need)
			cap *= 2;
		if (cap > UINT32_MAX)
			return LUDIC_ERR_USAGE;
		rt_value *p = realloc(ev->npool, cap * sizeof *p);
		if (!p)
			return LUDIC_ERR_MEMORY;
		ev->npool = p;
		ev->ncap = (uint32_t)cap;
	}
	if (!at_end) {
		memmove(&ev->npool[ev->nlen], &ev->npool[nl->off], nl->n * sizeof *ev->npool);
		nl->off = ev->nlen;
		ev->nlen += nl->n;
	}
	if (sf->elem == RT_ENUM) {
		int32_t m = sf->en >= 0 ? member_of(ev, &w, sf->en, v.s.p, v.s.len) : -1;
		v.i = m < 0 ? 0 : m;
	} else {
		check_text(ev, &w, v.s.p, v.s.len);
	}
	ev->npool[ev->nlen++] = v;
	nl->n++;
	set_present(base, (uint32_t)sub);
	return LUDIC_OK;
}

/* ---- finishing an event for the engine ---- */

/* How a required field of `kind` is given through this API, for messages. */
static void typed_hint(const ludic_event *ev, const struct rt_field *f, bool item, char *buf, size_t cap)
{
	const char *set_int = item ? "ludic_event_set_item_int" : "ludic_event_set_int";
	const char *set_str = item ? "ludic_event_set_item_string" : "ludic_event_set_string";
	switch (f->kind) {
	case RT_BOOL: snprintf(buf, cap, "true or false, set with %s (1 or 0)", set_int); return;
	case RT_COUNT: snprintf(buf, cap, "a whole number, set with %s", set_int); return;
	case RT_NUMBER: snprintf(buf, cap, "a number times 10,000 (2.5 = 25000), set with %s", set_int); return;
	case RT_MONEY:
		snprintf(buf, cap, "money (%s) in minor units (12.50 %s = 1250 when it has 2 decimals), set with %s",
			 f->currency, f->currency, set_int);
		return;
	case RT_DURATION: snprintf(buf, cap, "a duration in seconds, set with %s", set_int); return;
	case RT_DATE: snprintf(buf, cap, "a date in days since 1970-01-01, set with %s", set_int); return;
	case RT_TIMESTAMP:
		snprintf(buf, cap, "a time in seconds since 1970-01-01T00:00:00Z, set with %s", set_int);
		return;
	case RT_STRING: snprintf(buf, cap, "a string, set with %s", set_str); return;
	case RT_ENUM: {
		const rt_enum *en = f->en >= 0 ? &ev->s->enums[f->en] : NULL;
		size_t at = (size_t)snprintf(buf, cap, "one of ");
		for (uint32_t i = 0; en && i < en->nmembers && at < cap; i++)
			at += (size_t)snprintf(buf + at, cap - at, "%s\"%s\"", i ? ", " : "", en->members[i]);
		if (at < cap)
			snprintf(buf + at, cap - at, ", set with %s", item ? set_str : "ludic_event_set_choice");
		return;
	}
	case RT_LIST: snprintf(buf, cap, "a list, added to with ludic_event_add_item"); return;
	}
	snprintf(buf, cap, "a value");
}

static rt_decode_status reject_with(rt_reject *why, rt_reject_code code, const char *field, const char *msg)
{
	if (why) {
		why->code = code;
		why->field = field;
		why->column = 0;
		snprintf(why->message, sizeof why->message, "%s", msg);
	}
	return RT_DECODE_REJECT;
}

/* The first required field of `rec` missing in `vals`, or -1. */
static int missing_field(const rt_record *rec, const rt_value *vals)
{
	uint64_t missing = rec->required & ~(uint64_t)vals[0].i;
	return missing ? __builtin_ctzll(missing) : -1;
}

rt_decode_status rt_event_finish(ludic_event *ev, rt_event *out, rt_reject *why)
{
	const rt_record *rec = current(ev);
	if (!rec)
		return reject_with(why, RT_REJ_NO_TYPE, NULL, "the event has no type: call ludic_event_reset first");
	/* the list pointers, now that the buffers have stopped moving */
	for (uint32_t i = 0; i < rec->nfields; i++) {
		const struct rt_field *f = &rec->fields[i];
		if (f->kind != RT_LIST || f->unsupported)
			continue;
		ev->vals[1 + i].list = (rt_list){ev->lists[i].v, ev->lists[i].n, stride_of(ev, f)};
		set_present(ev->vals, i);
	}
	for (uint32_t i = 0; i < ev->nnests; i++) {
		const nest *x = &ev->nests[i];
		const struct rt_field *f = &rec->fields[x->field];
		rt_value *slot = &ev->lists[x->field].v[(size_t)x->item * stride_of(ev, f) + 1 + x->sub];
		slot->list = (rt_list){&ev->npool[x->off], x->n, 1};
	}
	if (ev->bad) {
		snprintf(ev->where, sizeof ev->where, "%s", ev->bad_field);
		return reject_with(why, ev->bad_code, ev->where[0] ? ev->where : NULL, ev->bad_msg);
	}
	char hint[RT_REJECT_MESSAGE_MAX / 2], msg[RT_REJECT_MESSAGE_MAX];
	int m = missing_field(rec, ev->vals);
	if (m == RT_FIELD_ID)
		return reject_with(why, RT_REJ_NO_ID, "id",
				   "the event has no `id`: add \"id\" with a unique text for each event (such as "
				   "\"pos-17-000123\"), so that it is applied exactly once");
	if (m == RT_FIELD_AT)
		return reject_with(why, RT_REJ_BAD_AT, "at",
				   "the event has no `at`: add the time it happened, such as \"at\": "
				   "\"2027-03-01T10:15:00+01:00\" (RFC 3339, with its UTC offset)");
	if (m >= 0) {
		const struct rt_field *f = &rec->fields[m];
		typed_hint(ev, f, false, hint, sizeof hint);
		snprintf(msg, sizeof msg, "the `%s` event has no `%s`; it is required: %s", rec->name, f->name, hint);
		snprintf(ev->where, sizeof ev->where, "%s", f->name);
		return reject_with(why, RT_REJ_MISSING, ev->where, msg);
	}
	for (uint32_t i = 0; i < rec->nfields; i++) {
		const struct rt_field *f = &rec->fields[i];
		if (f->kind != RT_LIST || f->elem_record < 0 || f->unsupported)
			continue;
		const rt_record *er = &ev->s->records[f->elem_record];
		uint32_t stride = stride_of(ev, f);
		for (uint32_t k = 0; k < ev->lists[i].n; k++) {
			int sm = missing_field(er, &ev->lists[i].v[(size_t)k * stride]);
			if (sm < 0)
				continue;
			const struct rt_field *sf = &er->fields[sm];
			typed_hint(ev, sf, true, hint, sizeof hint);
			snprintf(msg, sizeof msg, "`%s[%u]` (`%s`) has no `%s`; it is required: %s", f->name, k, er->name,
				 sf->name, hint);
			snprintf(ev->where, sizeof ev->where, "%s[%u].%s", f->name, k, sf->name);
			return reject_with(why, RT_REJ_MISSING, ev->where, msg);
		}
	}
	out->type = (uint32_t)ev->type;
	out->values = ev->vals;
	return RT_DECODE_OK;
}
