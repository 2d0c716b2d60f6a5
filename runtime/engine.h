/* engine.h — the engine's insides, shared by engine.c (customers, ordering,
 * duplicates, the push path), effects.c (effects out: ludic_effect and
 * JSON), event_build.c (typed events) and api_engine.c (the public
 * ludic_program_* and ludic_engine_* functions).
 *
 * Nothing here is public: include/ludic.h is the API. The program side
 * (lowering, the VM) is behind runtime/exec.h; this header only consumes it.
 */
#ifndef LUDIC_RT_ENGINE_H
#define LUDIC_RT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "decode.h"
#include "event.h"
#include "exec.h"
#include "ludic.h"
#include "schema.h"

struct chk_result;
struct compilation;

/* ---- names, for effects out ---- */

/* What turning an rt_effect into a ludic_effect needs, computed once per
 * program (rt_names_init) and read-only after: any number of engines and
 * threads may share it. */
typedef struct rt_names {
	const struct chk_result *r;  /* wallets, badges, ladders, rules, items, experiments by index */
	const rt_schema *schema;     /* enums (notify arguments that are choices) */
	const clk_zone *zone;        /* the program's zone (dates and offsets); NULL = UTC */
	char currency[4];            /* the program's currency, for money arguments */
	int exponent;                /* its decimals (EUR 2, JPY 0) */
	const char ***steps;         /* per rule: the step names of a mission (NULL for other rules) */
	uint32_t *nsteps;            /* per rule: entries in steps[rule] */
	uint64_t *rule_exps;         /* per rule: the experiments that change it (bit e) */
} rt_names;

/* Fills `n` from a checked program. `rule_exps` (one mask per rule, or NULL
 * for none) is copied. Returns false if memory runs out (then `n` holds
 * nothing to free). */
bool rt_names_init(rt_names *n, const struct chk_result *r, const rt_schema *schema, const clk_zone *zone,
		   const uint64_t *rule_exps);
void rt_names_free(rt_names *n);

/* A growable text buffer for one effect's strings. Strings are placed by
 * offset (the buffer may move while it grows) and turned into pointers at
 * the end; on an allocation failure `failed` is set and the texts are cut. */
typedef struct rt_textbuf {
	char *p;        /* the bytes */
	size_t len;     /* bytes used */
	size_t cap;     /* bytes allocated */
	bool failed;    /* an allocation failed: some texts are empty */
} rt_textbuf;

/* Scratch memory to convert effects, reused for every effect: nothing is
 * allocated once it has grown to the largest effect seen. */
typedef struct rt_fx_scratch {
	rt_textbuf text;            /* every string of the effect */
	ludic_effect_arg *args;     /* notify arguments */
	uint32_t args_cap;          /* entries allocated in args */
	clk_memo memo;              /* the zone's offsets, remembered from effect to effect */
} rt_fx_scratch;

void rt_fx_scratch_free(rt_fx_scratch *s);

/* Converts `in` into `out` for a callback. `variants` are the customer's
 * variants (one per experiment, may be NULL when there is no experiment).
 * The strings of `out` live in `s` until the next conversion. */
void rt_fx_convert(const rt_names *n, const rt_effect *in, const uint16_t *variants, rt_fx_scratch *s,
		   ludic_effect *out);

/* Writes `len` bytes of `s` as a JSON string (quotes included) to a
 * bounded writer; exposed for the reject and test code. Returns the bytes
 * the whole string needs. Invalid UTF-8 becomes U+FFFD. */
size_t rt_json_string(char *buf, size_t cap, size_t at, const char *s, size_t len);

/* "30 days", "2 hours", "90 minutes", "1 second": a duration in words. */
void rt_format_duration(int64_t seconds, char *buf, size_t cap);

/* ---- the program ---- */

struct ludic_program {
	struct compilation *comp;    /* the compilation, shared with the compiler (reference-counted) */
	rt_program *rp;              /* the lowered program (in comp's arena, plus what it owns) */
	const rt_schema *schema;     /* rt_program_schema(rp) */
	const struct chk_result *r;  /* the checked program */
	const char *name;            /* `program "x"` */
	const char *version;         /* `version "v"`, or "" */
	rt_names names;              /* for effects out */
};

/* ---- typed events (event_build.c) ---- */

/* Completes a typed event for the engine: sets the list pointers and checks
 * it as the decoder checks a JSON line. Returns RT_DECODE_OK with *out
 * filled, or RT_DECODE_REJECT with *why (code, field, message). `ev` is
 * only made consistent (its own buffers), never changed in what it says. */
rt_decode_status rt_event_finish(ludic_event *ev, rt_event *out, rt_reject *why);

/* The event's id as set so far (len 0 if none). */
rt_str rt_event_id(const ludic_event *ev);

/* True once ludic_event_reset has given the event a type. */
bool rt_event_ready(const ludic_event *ev);

/* The program an event buffer was made for. */
const ludic_program *rt_event_program(const ludic_event *ev);

/* ---- the engine (engine.c) ---- */

/* A 64-bit hash of `n` bytes (customer and staff ids, event ids). Not
 * cryptographic; well mixed, stable within a process. */
uint64_t rt_hash_bytes(const char *p, size_t n);

ludic_engine *rt_engine_new(const ludic_program *p, const ludic_engine_options *opt);
void rt_engine_free(ludic_engine *e);
/* Applies one decoded event; `line_no` for rejects. Returns a ludic_push_result. */
int rt_engine_apply(ludic_engine *e, const rt_event *ev, unsigned long long line_no);
int rt_engine_push_json(ludic_engine *e, const char *line, size_t len, unsigned long long line_no);
int rt_engine_push_typed(ludic_engine *e, ludic_event *ev);
ludic_status rt_engine_advance(ludic_engine *e, int64_t t);
void rt_engine_stats(const ludic_engine *e, ludic_engine_stats *out);
ludic_status rt_engine_customer(ludic_engine *e, const char *id, size_t len, ludic_customer_view *out);
const char *rt_engine_error(const ludic_engine *e);

/* Every customer's record (rt_program_state_size bytes), then every staff
 * member's (rt_program_staff_size, `staff` true), each kind in the order
 * they first appeared. Stops at the first nonzero return of `fn` and
 * returns it; 0 when all were seen. For tests that compare engines byte
 * for byte (tests/diff) and for persistence. */
typedef int (*rt_record_fn)(void *user, bool staff, rt_str id, const uint8_t *record, size_t size);
int rt_engine_each_record(ludic_engine *e, rt_record_fn fn, void *user);

/* Per customer, the hashes of recent event ids kept inline (more spill to
 * a side array only while more than this many events of one customer are
 * within the allowed lateness of its latest one). */
#define RT_DUP_INLINE 8

#endif

/* ---- persistence (store.c) ----
 *
 * A customer block seen from outside: an opaque handle, valid as long as
 * the engine (blocks never move). */
typedef struct rt_cust rt_cust;

/* rt_engine_push_json, and *touched = the customer the event concerned
 * (when it was applied), else NULL. */
int rt_engine_push_json_touch(ludic_engine *e, const char *line, size_t len, unsigned long long line_no,
			      rt_cust **touched);
rt_str rt_engine_cust_id(const rt_cust *c);
/* Every customer from the `first`-th (0-based) on, in the order they first
 * appeared; stops at a nonzero return of `fn` and returns it. */
int rt_engine_each_cust(ludic_engine *e, size_t first, int (*fn)(void *user, rt_cust *c), void *user);
/* Writes the customer's saved form (engine header, duplicate spill, record)
 * into buf if it fits in `cap`; returns the bytes it needs either way. */
size_t rt_engine_cust_save(const ludic_engine *e, const rt_cust *c, uint8_t *buf, size_t cap);
/* Bytes of the engine header at the start of a saved form (the record
 * follows), or 0 if `n` bytes cannot be one. */
size_t rt_engine_cust_header_size(const uint8_t *buf, size_t n);
/* Adds customer `id` from its saved form (its record must have the
 * program's size). 0, -1 for a malformed form or a customer already there,
 * -2 when memory ran out. */
int rt_engine_cust_load(ludic_engine *e, rt_str id, const uint8_t *buf, size_t n);
/* Adds staff member `id` with record `rec` (rt_program_staff_size bytes). 0, -1, -2 as above. */
int rt_engine_staff_load(ludic_engine *e, rt_str id, const uint8_t *rec, size_t n);
/* rt_engine_each_record for the staff records only (without walking the customers). */
int rt_engine_each_staff(ludic_engine *e, rt_record_fn fn, void *user);
/* The engine's clock and its campaign budgets (the array itself: the store
 * reads and restores it in place); returns the number of budgets. */
uint32_t rt_engine_clock(const ludic_engine *e, int64_t *now, int64_t *advanced, int64_t **budgets);
void rt_engine_set_clock(ludic_engine *e, int64_t now, int64_t advanced);
