/* event.h — events as the runtime sees them: typed records, decoded once.
 *
 * An event arrives as one JSON object (a line of JSON Lines) or through the
 * typed API; either way it becomes an rt_event: the index of its event type
 * in the schema and one rt_value per field, in the order the schema gives
 * (the implicit id, customer and at first, then the declared fields). Rules
 * read fields by index, never by name: the compiler resolved every name.
 *
 * Values are 64-bit integers in the units the checker uses (chk_value),
 * strings are (pointer, length) views, lists are arrays of records or of
 * scalars. Nothing in an rt_event is owned by it: the decoder keeps the
 * memory until its next call (see decode.h), so the hot path allocates
 * nothing per event.
 */
#ifndef LUDIC_RT_EVENT_H
#define LUDIC_RT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* A string view: UTF-8 bytes, not NUL-terminated. */
typedef struct rt_str {
	const char *p;  /* first byte */
	uint32_t len;   /* bytes */
} rt_str;

/* Kinds of field values, as laid out in rt_value. */
typedef enum {
	RT_BOOL,      /* i: 0 or 1 */
	RT_COUNT,     /* i: a whole number */
	RT_NUMBER,    /* i: an exact decimal times 10,000 (AST_DECIMAL_SCALE) */
	RT_MONEY,     /* i: minor units of the program's currency (cents for EUR) */
	RT_DURATION,  /* i: seconds */
	RT_DATE,      /* i: days since 1970-01-01 */
	RT_TIMESTAMP, /* i: seconds since 1970-01-01T00:00:00Z */
	RT_STRING,    /* s */
	RT_ENUM,      /* i: index of the member in its enum (schema: rt_field.en) */
	RT_LIST,      /* list: items of rt_field.elem (a record or a scalar kind) */
} rt_kind;

typedef struct rt_value rt_value;

/* A list's items: `n` records of `stride` values each (a record's presence
 * slot then its fields), or `n` scalars (stride 1). */
typedef struct rt_list {
	const rt_value *items; /* n * stride values */
	uint32_t n;            /* number of items */
	uint32_t stride;       /* values per item */
} rt_list;

struct rt_value {
	union {
		int64_t i;     /* every scalar kind but RT_STRING */
		rt_str s;      /* RT_STRING */
		rt_list list;  /* RT_LIST */
	};
};

/* Every record instance — an event, or one line of a basket — is laid out
 * as values[0] = presence mask (bit f set: field f is present; required
 * fields always are), then values[1 + f] = field f. A record has at most
 * RT_MAX_FIELDS fields. */
#define RT_MAX_FIELDS 63

/* The implicit fields of every event, in this order. */
enum { RT_FIELD_ID = 0, RT_FIELD_CUSTOMER = 1, RT_FIELD_AT = 2 };

typedef struct rt_event {
	uint32_t type;           /* index of the event's record in the schema */
	const rt_value *values;  /* presence mask, then one value per field */
} rt_event;

static inline bool rt_present(const rt_value *rec, uint32_t field)
{
	return (rec[0].i >> field) & 1;
}

static inline const rt_value *rt_field(const rt_value *rec, uint32_t field)
{
	return &rec[1 + field];
}

#endif
