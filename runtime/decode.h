/* decode.h — events in: one line of JSON Lines → one rt_event, or a reject.
 *
 * The one decode interface of the runtime. A line is one JSON object:
 *
 *   {"type": "purchase", "id": "e17", "customer": "c42", "at": "2027-03-01T10:15:00+01:00",
 *    "lines": [{"sku": "P1", ...}], "total": 12.50, "channel": "store", ...}
 *
 * `type` names an event the program can see (schema.h); `id` (a non-empty
 * string) and `at` (RFC 3339 with its UTC offset) are required; `customer`
 * (a non-empty string) may be absent or null: an anonymous event, decoded
 * with its presence bit clear. Every other key is a field of the event.
 *
 * Values, from their JSON text (never through a double):
 *   count      a JSON number with no fraction (3, -2, 1e3), within int64
 *   number     a JSON number with at most 4 decimals, exact (× 10,000)
 *   money      a JSON number with at most the currency's decimals: 15.3 and
 *              15.30 are 1530 cents, 15.305 EUR is rejected; may be negative
 *   bool       true or false
 *   string     a JSON string: every escape, \uXXXX surrogate pairs → UTF-8
 *   enum       a JSON string naming a member, exactly as declared
 *   date       "YYYY-MM-DD";  timestamp: RFC 3339;  duration: ISO 8601 "PT37M"
 *   list       a JSON array of such values, or of objects (records)
 * An optional field may be absent or null; a required one may be neither.
 *
 * Policy:
 *   - Unknown keys are ignored (producers add fields over time), but they
 *     must still be valid JSON (strict: RFC 8259, valid UTF-8).
 *   - A key given twice in one object is rejected if the schema knows it
 *     (including `type`): for an amount, guessing which one is meant could
 *     cost money. An unknown key given twice is ignored like any other.
 *   - The line may end with "\n" or "\r\n" and may start with a UTF-8 byte
 *     order mark; a line of only blanks is RT_DECODE_EMPTY, not a reject.
 *   - Strings may not contain U+0000 (\u0000): ids and names are handed to
 *     C code and JSON writers downstream.
 *   - Limits: a line longer than RT_DECODE_MAX_LINE bytes, nested deeper
 *     than RT_DECODE_MAX_DEPTH, or with a list longer than
 *     RT_DECODE_MAX_ITEMS items is rejected (RT_REJ_LIMIT) without being
 *     parsed further. Time and memory are linear in the line's length.
 *
 * Memory: a decoder owns one buffer (for the values, lists and strings of
 * one event) and the JSON tokens, reused for every line: in the steady
 * state rt_decode_json allocates nothing. A line bigger than the usual
 * grows them; past 4 MiB they are given back at the next call. The event
 * written to *out (and the reject's `field`) stay valid until the next call
 * on the same decoder; they never point into `line`, which the caller may
 * reuse at once. Strings in an event are followed by a NUL byte (not
 * counted in their length).
 *
 * A decoder is for one thread at a time; several decoders may share one
 * schema.
 */
#ifndef LUDIC_RT_DECODE_H
#define LUDIC_RT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "schema.h"

#define RT_DECODE_MAX_LINE (1u << 20) /* bytes in a line (1 MiB), line end included */
#define RT_DECODE_MAX_DEPTH 64        /* nested objects and arrays */
#define RT_DECODE_MAX_ITEMS 100000    /* items in one list */

typedef enum {
	RT_DECODE_OK,     /* *out holds the event */
	RT_DECODE_EMPTY,  /* a blank line: nothing to apply, nothing wrong */
	RT_DECODE_REJECT, /* a bad line: *why says what, where and why */
	RT_DECODE_NOMEM,  /* out of memory: the line was not judged (*why says so) */
} rt_decode_status;

/* Why a line was rejected. The names (rt_reject_code_name) are stable: the
 * rejects output and the docs use them. */
#define RT_REJECT_CODES(X)                                                                                    \
	X(RT_REJ_JSON, "json")                 /* not valid JSON (byte column in `column`) */                  \
	X(RT_REJ_NOT_OBJECT, "not-object")     /* valid JSON, but not an object */                             \
	X(RT_REJ_LIMIT, "limit")               /* too long, too deep, a list too long */                       \
	X(RT_REJ_NO_TYPE, "no-type")           /* `type` missing, null, or not a string */                     \
	X(RT_REJ_UNKNOWN_TYPE, "unknown-type") /* `type` names no event the program can see */                 \
	X(RT_REJ_NO_ID, "no-id")               /* `id` missing, null, empty, or not a string */                \
	X(RT_REJ_BAD_AT, "bad-at")             /* `at` missing, null, or not an RFC 3339 time */               \
	X(RT_REJ_MISSING, "missing")           /* a required field is absent or null */                        \
	X(RT_REJ_WRONG_TYPE, "wrong-type")     /* a field has the wrong JSON type */                            \
	X(RT_REJ_UNKNOWN_VALUE, "unknown-value") /* a choice that is not a member of its enum */              \
	X(RT_REJ_RANGE, "range")               /* a number out of the range of int64 in its unit */            \
	X(RT_REJ_DECIMALS, "decimals")         /* more decimals than a count (0), number (4), money has */     \
	X(RT_REJ_BAD_VALUE, "bad-value")       /* a bad date, duration, empty customer, U+0000 in a string */  \
	X(RT_REJ_UTF8, "utf8")                 /* a string that is not valid UTF-8, or a lone surrogate */     \
	X(RT_REJ_DUPLICATE, "duplicate")       /* a known key given twice in one object */                     \
	X(RT_REJ_UNSUPPORTED, "unsupported")   /* a field of a type the runtime cannot decode yet */           \
	X(RT_REJ_NOMEM, "nomem")               /* out of memory (status RT_DECODE_NOMEM) */

typedef enum {
#define RT_REJ_ENUM(code, name) code,
	RT_REJECT_CODES(RT_REJ_ENUM)
#undef RT_REJ_ENUM
	RT_REJ_COUNT
} rt_reject_code;

#define RT_REJECT_MESSAGE_MAX 400

typedef struct rt_reject {
	rt_reject_code code;    /* the reason, as a stable code */
	const char *field;      /* where: "total", "lines[2].price", "type"; NULL when the line as a whole is
				   at fault. Owned by the decoder: valid until its next call */
	uint32_t column;        /* 1-based byte in the line where the fault is (the value's first byte); 0 if none */
	char message[RT_REJECT_MESSAGE_MAX]; /* what, where, why, and how to fix when known; one line, NUL-terminated */
} rt_reject;

typedef struct rt_decoder rt_decoder;

/* A decoder for events of `s`, which must outlive it. NULL if out of memory. */
rt_decoder *rt_decoder_new(const rt_schema *s);

/* Decodes the `len` bytes at `line` (no NUL needed; a trailing "\n" or
 * "\r\n" is allowed). On RT_DECODE_OK fills *out; on RT_DECODE_REJECT and
 * RT_DECODE_NOMEM fills *why (`why` may be NULL if the reason is not
 * wanted); on RT_DECODE_EMPTY touches neither. Never reads outside
 * line[0..len), never crashes on any bytes. */
rt_decode_status rt_decode_json(rt_decoder *d, const char *line, size_t len, rt_event *out, rt_reject *why);

/* Whether `d` first tries its one-pass parser (the default: true) before
 * the tokenizer and validator that explain a bad line. The two agree on
 * every line (same events, same rejects); tests turn it off to compare. */
void rt_decoder_set_fast(rt_decoder *d, bool on);

/* Frees the decoder; NULL is allowed. */
void rt_decoder_free(rt_decoder *d);

/* "json", "unknown-type", ...: the stable name of a reject code. */
const char *rt_reject_code_name(rt_reject_code c);

#endif
