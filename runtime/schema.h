/* schema.h — the shape of events at run time: names, fields, kinds.
 *
 * rt_schema_build() copies out of a checked program (chk_result) everything
 * the runtime needs to read events: every record and event with its fields
 * (name, rt_kind, optional or not, the enum of a choice, the item of a list,
 * the currency of money and its number of decimals), every enum with its
 * members, and lookup tables from names to indices. The schema owns all of
 * it: it outlives the compilation (and its arena) and is freed by
 * rt_schema_free. It is immutable once built, so any number of decoders and
 * threads may share one.
 *
 * Indices are the checker's: schema record i is chk_result.records[i],
 * enum i is chk_result.enums[i], field f of a record is chk_record.fields[f]
 * (the implicit id, customer, at first for events). rt_event.type is such a
 * record index, and rules read fields by these indices.
 *
 * Only the events the program can see — its own (and its overlays') and
 * those of the libraries they `use` — are decodable: rt_schema_event finds
 * those and no others. The other records stay in the table (so indices
 * match the checker's) but cannot start an event.
 *
 * Name lookups are open-addressing hash tables (hash of the length and 3 bytes, load <= 1/2,
 * linear probing, length compared before bytes): the decoder does one per
 * JSON key, so they are on the hot path.
 */
#ifndef LUDIC_RT_SCHEMA_H
#define LUDIC_RT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct chk_result;

/* A name → index table over an array of names (see the header comment). */
typedef struct rt_lookup {
	uint32_t *slots;           /* mask + 1 entries: index + 1 of the name, 0 = empty */
	uint32_t mask;             /* table size - 1 (a power of two minus one) */
	const char *const *names;  /* the names, by index */
	const uint32_t *lens;      /* their lengths */
} rt_lookup;

/* A list of choices (`enum channel { store, web, app }`). */
typedef struct rt_enum {
	const char *name;             /* as written in the program */
	const char *const *members;   /* NUL-terminated names, in declaration order: a value is an index */
	const uint32_t *member_lens;  /* strlen of each member */
	uint32_t nmembers;            /* entries in members */
	rt_lookup lookup;             /* member name → index */
} rt_enum;

/* One field of a record or an event. Named `struct rt_field` (no typedef):
 * event.h's accessor rt_field() has the plain name. */
struct rt_field {
	const char *name;        /* as written in the program, NUL-terminated */
	uint32_t name_len;       /* strlen(name) */
	rt_kind kind;            /* how its value is laid out in rt_value */
	bool optional;           /* may be absent (its presence bit clear); `customer` is, for anonymous events */
	bool implicit;           /* id, customer or at: every event has them */
	bool unsupported;        /* a record held directly, or a list of lists: the language accepts it,
				    the runtime cannot decode it yet; a line that has it is rejected */
	int32_t en;              /* RT_ENUM, or a list of enum values: index in rt_schema.enums; else -1 */
	char currency[4];        /* RT_MONEY, or a list of money: ISO 4217 code (the program's for library fields) */
	uint8_t exponent;        /* RT_MONEY, or a list of money: decimals of the currency (EUR 2, JPY 0, BHD 3) */
	/* RT_LIST only: what the items are. */
	int32_t elem_record;     /* a record (basket lines): its index in rt_schema.records; -1 for scalars */
	rt_kind elem;            /* scalar items: their kind (RT_STRING for `tags`); the enum and the
				    currency of the items are `en` and `currency` above */
};

/* An event or a record (`line`), laid out as event.h says: values[0] is the
 * presence mask, values[1 + f] is field f. */
typedef struct rt_record {
	const char *name;        /* as written in the program, NUL-terminated */
	bool is_event;           /* an event (else a record, such as a basket line) */
	bool decodable;          /* an event visible to the program: a JSON line may have it as `type` */
	struct rt_field *fields;        /* in the checker's order (implicit id, customer, at first for events) */
	uint32_t nfields;        /* entries in fields, at most RT_MAX_FIELDS */
	uint64_t required;       /* bit f set: field f must be present (not optional) */
	rt_lookup lookup;        /* field name → index */
} rt_record;

typedef struct rt_schema {
	rt_record *records;      /* every record and event of the program, at the checker's indices */
	uint32_t nrecords;       /* entries in records */
	rt_enum *enums;          /* every enum, at the checker's indices */
	uint32_t nenums;         /* entries in enums */
	const char **events;     /* names of the decodable events, in declaration order (for messages) */
	uint32_t *event_records; /* events[i] is records[event_records[i]] */
	uint32_t nevents;        /* entries in events and event_records */
	rt_lookup event_lookup;  /* event name → index in events */
	char currency[4];        /* the program's currency ("EUR" when it declares none) */
	struct rt_pool *pool;    /* private: the memory all of the above lives in */
} rt_schema;

/* Builds the schema of a checked program. `r` must have no error (r->ok);
 * it is only read, and may be freed as soon as this returns. Returns NULL
 * if `r` has errors, if a record has more than RT_MAX_FIELDS fields, or if
 * memory runs out. */
rt_schema *rt_schema_build(const struct chk_result *r);

/* Frees the schema and everything in it. NULL is allowed. Decoders made
 * from it must be freed first. */
void rt_schema_free(rt_schema *s);

/* The index of the name of `len` bytes at `key` (no NUL needed) in the
 * table, or -1. */
int32_t rt_lookup_find(const rt_lookup *t, const char *key, size_t len);

/* The record index (for rt_event.type) of the decodable event named by the
 * `len` bytes at `name` (no NUL needed), or -1. */
int32_t rt_schema_event(const rt_schema *s, const char *name, size_t len);

/* The index of the field of `rec` named by `len` bytes at `name`, or -1. */
int32_t rt_schema_field(const rt_record *rec, const char *name, size_t len);

/* The index of the member of `en` named by `len` bytes at `name`, or -1. */
int32_t rt_schema_member(const rt_enum *en, const char *name, size_t len);

/* "count", "money", "list"...: the name of a kind, for messages and dumps. */
const char *rt_kind_name(rt_kind k);

#endif
