/* ludic.h — the public embedding API of ludic.
 *
 * ludic is a rule language for retail loyalty and gamification. This header is
 * everything a program embedding ludic may use; nothing else in the tree is
 * public. It has two parts:
 *
 *   1. the compiler: add rule files (or text), check them, read the
 *      diagnostics as data or render them as text or JSON, format and dump;
 *   2. programs and the engine: lower a checked program, apply it to customer
 *      events (JSON Lines or typed), receive effects, read a customer's state.
 *
 * Conventions, for every function here:
 *   - no global state: every call works on the handle it is given, so two
 *     threads may use two handles at once (one handle is not thread-safe);
 *   - functions that can fail return a ludic_status; LUDIC_OK is 0;
 *   - strings returned by the library belong to the handle they came from and
 *     stay valid until that handle is freed, unless said otherwise;
 *   - nothing is printed unless a function is given a FILE * to print to.
 */
#ifndef LUDIC_H
#define LUDIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LUDIC_API __attribute__((visibility("default")))
#else
#define LUDIC_API
#endif

/* ------------------------------------------------------------------------ */
/* Versions and status codes                                                */
/* ------------------------------------------------------------------------ */

#define LUDIC_VERSION_MAJOR 0
#define LUDIC_VERSION_MINOR 1
#define LUDIC_VERSION_PATCH 0

/* The library's version, "MAJOR.MINOR.PATCH". Never NULL; static storage. */
LUDIC_API const char *ludic_version(void);

typedef enum ludic_status {
	LUDIC_OK = 0,          /* done */
	LUDIC_ERR_PROGRAM = 1, /* the rules have errors: read the diagnostics */
	LUDIC_ERR_IO = 2,      /* a file could not be read (a diagnostic says which and why) */
	LUDIC_ERR_USAGE = 3,   /* the API was called wrongly: NULL handle, bad index, wrong order */
	LUDIC_ERR_MEMORY = 4,  /* memory ran out; nothing was changed (the call may be retried) */
} ludic_status;

/* A one-line, lower-case description of `s` ("the rules have errors", ...).
 * Never NULL, also for values outside the enum; static storage. */
LUDIC_API const char *ludic_status_message(ludic_status s);

/* The candidate closest to `word` when it is a likely typo of it (the same
 * measure as the compiler's "did you mean" hints), else NULL. For tools that
 * take names from people: commands, options, event types. Returns one of
 * `candidates` (NULL entries are skipped). */
LUDIC_API const char *ludic_suggest(const char *word, const char *const *candidates, size_t n);

/* ------------------------------------------------------------------------ */
/* Headers: what a file is, without compiling it                            */
/* ------------------------------------------------------------------------ */

typedef enum ludic_file_kind {
	LUDIC_FILE_UNKNOWN = 0, /* no readable header: the compiler will say why */
	LUDIC_FILE_PROGRAM,     /* `program "name"` */
	LUDIC_FILE_OVERLAY,     /* `overlay "name" extends "base" ...` */
	LUDIC_FILE_LIBRARY,     /* `library "name"` (standard library modules) */
} ludic_file_kind;

typedef struct ludic_header {
	ludic_file_kind kind; /* what the file declares itself to be */
	char name[128];       /* the program, overlay or library name ("" if unknown; cut if longer) */
	char base[128];       /* overlays: the name of the program they extend, else "" */
} ludic_header;

/* Reads the header of a rule file from its first bytes: skips blank lines
 * and `#` comments, then `program "x"`, `overlay "x" extends "y"` or
 * `library "x"`. It does not parse the rest and never fails: text without a
 * readable header gives kind LUDIC_FILE_UNKNOWN. Tools use it to group files
 * into programs (a base and its overlays) before compiling them. */
LUDIC_API void ludic_read_header(const char *text, size_t len, ludic_header *out);

/* ------------------------------------------------------------------------ */
/* The compiler                                                             */
/* ------------------------------------------------------------------------ */

/* One compilation: the files of one program (a base program and the overlays
 * on top of it), the standard library, the diagnostics, and the checked
 * result. Use: new → add files or sources → check (or parse) → read
 * diagnostics / format / dump → free. */
typedef struct ludic_compiler ludic_compiler;

/* A new, empty compiler. Returns NULL only if memory is exhausted. */
LUDIC_API ludic_compiler *ludic_compiler_new(void);

/* Frees the compiler and everything that came from it (strings of
 * diagnostics included). NULL is allowed and does nothing. */
LUDIC_API void ludic_compiler_free(ludic_compiler *c);

/* Flags for ludic_compiler_add_file / ludic_compiler_add_source. */
enum {
	/* The file is part of the program, but its own diagnostics are not
	 * reported: use it for a base program that is checked on its own
	 * elsewhere, so that its problems are not listed twice. Its errors still
	 * make ludic_compiler_check return LUDIC_ERR_PROGRAM. */
	LUDIC_ADD_QUIET = 1u << 0,
};

/* Reads the file at `path` and adds it to the program. `flags` is 0 or
 * LUDIC_ADD_QUIET. Returns LUDIC_ERR_IO when the file cannot be read (missing,
 * a folder, unreadable, larger than 4 GiB): a diagnostic without a position
 * says why, and the compilation can go on without it. LUDIC_ERR_USAGE when
 * called after parse/check or with NULL arguments. */
LUDIC_API ludic_status ludic_compiler_add_file(ludic_compiler *c, const char *path, unsigned flags);

/* Adds rule text held in memory under the file name `name` (used in
 * diagnostics; e.g. "rules.ludic"). The text is copied; it need not be
 * NUL-terminated. Overlays added this way find their base program only among
 * the sources added. LUDIC_ERR_USAGE when called after parse/check, with NULL
 * arguments or with more than 4 GiB of text. */
LUDIC_API ludic_status ludic_compiler_add_source(ludic_compiler *c, const char *name, const char *text,
						  size_t len, unsigned flags);

/* Parses the files added so far, without checking them (enough to format or
 * dump the syntax tree). Syntax errors become diagnostics. Returns LUDIC_OK,
 * LUDIC_ERR_PROGRAM if there are syntax errors, LUDIC_ERR_IO if a file could
 * not be read, or LUDIC_ERR_USAGE. Calling it twice parses once. */
LUDIC_API ludic_status ludic_compiler_parse(ludic_compiler *c);

/* Parses (if not done yet) and checks the program: the files added, the base
 * program of each overlay (looked for among the files added, then among the
 * *.ludic files in the overlay's folder), and the standard library. Returns
 * LUDIC_OK when there is no error (warnings allowed), LUDIC_ERR_PROGRAM when
 * there are errors, LUDIC_ERR_IO when a file could not be read (that comes
 * first), or LUDIC_ERR_USAGE. Calling it twice checks once and returns the
 * same status. */
LUDIC_API ludic_status ludic_compiler_check(ludic_compiler *c);

/* Files of the compilation, in the order they were added, then the base
 * programs found by ludic_compiler_check. The standard library is not listed. */
typedef struct ludic_file_info {
	const char *name;       /* the path or name it was added under */
	ludic_header header;    /* what its header says */
	bool discovered;        /* found by the compiler as the base of an overlay */
	bool quiet;             /* added with LUDIC_ADD_QUIET */
	bool readable;          /* false if it could not be read (then it has no text) */
} ludic_file_info;

/* The number of files (see ludic_file_info). 0 for NULL. */
LUDIC_API size_t ludic_compiler_file_count(const ludic_compiler *c);

/* Fills `out` for file `i` (0-based). LUDIC_ERR_USAGE if `i` is out of range. */
LUDIC_API ludic_status ludic_compiler_file(const ludic_compiler *c, size_t i, ludic_file_info *out);

/* ---- diagnostics ---- */

typedef enum ludic_severity {
	LUDIC_SEVERITY_ERROR = 0,   /* nothing can run until it is fixed */
	LUDIC_SEVERITY_WARNING = 1, /* runs, but probably not as meant */
	LUDIC_SEVERITY_NOTE = 2,    /* extra information */
} ludic_severity;

/* One diagnostic, as data. Positions are 1-based; columns count characters.
 * All strings belong to the compiler. */
typedef struct ludic_diagnostic {
	const char *file;        /* file name, or NULL when not tied to a file (I/O errors) */
	unsigned line, column;   /* where the problem starts (0 when file is NULL) */
	unsigned end_line, end_column; /* one past where it ends */
	ludic_severity severity;
	const char *code;        /* stable code, e.g. "E0201"; docs/diagnostics.md explains each */
	const char *title;       /* the code's short title, e.g. "unknown name" */
	const char *message;     /* what is wrong, one line, e.g. "unknown name `silvr`" */
	const char *help;        /* how to fix it, or NULL */
	const char *note;        /* a related place's description ("first defined here"), or NULL */
	const char *note_file;   /* the related place's file, or NULL */
	unsigned note_line, note_column;
} ludic_diagnostic;

/* Reported diagnostics after parse/check, sorted by file and position
 * (diagnostics of files added with LUDIC_ADD_QUIET are left out). */
LUDIC_API size_t ludic_compiler_diagnostic_count(const ludic_compiler *c);
/* Errors and warnings among them. */
LUDIC_API size_t ludic_compiler_error_count(const ludic_compiler *c);
LUDIC_API size_t ludic_compiler_warning_count(const ludic_compiler *c);

/* Fills `out` with diagnostic `i` (0-based, in sorted order). LUDIC_ERR_USAGE
 * if `i` is out of range. */
LUDIC_API ludic_status ludic_compiler_diagnostic(const ludic_compiler *c, size_t i, ludic_diagnostic *out);

typedef enum ludic_format {
	LUDIC_FORMAT_TEXT = 0, /* file:line:col: error[E0201]: message, the line, a ^~~~ underline, help */
	LUDIC_FORMAT_JSON = 1, /* {"diagnostics":[...],"errors":N,"warnings":N} (see docs/cli.md) */
} ludic_format;

/* Flags for rendering. */
enum {
	LUDIC_RENDER_COLOR = 1u << 0, /* ANSI colours in text output */
};

/* Writes every reported diagnostic to `out` in `format`. Text output of a
 * clean program is empty; JSON output is always one document. */
LUDIC_API ludic_status ludic_compiler_render(ludic_compiler *c, FILE *out, ludic_format format, unsigned flags);

/* Same as ludic_compiler_render, into a new NUL-terminated string that the
 * caller frees with free(). NULL if `c` is NULL or memory is exhausted. */
LUDIC_API char *ludic_compiler_render_string(ludic_compiler *c, ludic_format format, unsigned flags);

/* ---- formatting and dumps ---- */

/* Writes file `i` (0-based, see ludic_compiler_file) in the canonical layout
 * of `ludic fmt`, comments kept. Parses first if needed. Returns
 * LUDIC_ERR_PROGRAM, writing nothing, if that file has syntax errors (they
 * are among the diagnostics); LUDIC_ERR_IO if it could not be read;
 * LUDIC_ERR_USAGE for a bad index. */
LUDIC_API ludic_status ludic_compiler_format(ludic_compiler *c, size_t i, FILE *out);

/* Writes the syntax tree of file `i` as an indented tree (`ludic dump
 * --ast`); `positions` adds each node's byte span. Parses first if needed;
 * the tree of a file with syntax errors is dumped as far as it was read. */
LUDIC_API ludic_status ludic_compiler_dump_ast(ludic_compiler *c, size_t i, FILE *out, bool positions);

/* Writes every declaration and expression with its type (`ludic dump
 * --types`). Checks first if needed; returns the status of the check. */
LUDIC_API ludic_status ludic_compiler_dump_types(ludic_compiler *c, FILE *out);

/* ------------------------------------------------------------------------ */
/* Programs: a checked compilation, lowered once, ready to run              */
/* ------------------------------------------------------------------------ */

/* A program ready to run: the checked rules lowered to ludic's IR, the
 * customer record's layout and the event schema. Immutable once made: any
 * number of engines (in any number of threads) may share one. It keeps what
 * it needs from the compiler, which may be freed at once. */
typedef struct ludic_program ludic_program;

/* Lowers the checked program of `c` (ludic_compiler_check is called if it was
 * not yet). Returns LUDIC_ERR_PROGRAM if the rules have errors (read them in
 * the compiler's diagnostics), LUDIC_ERR_IO if a file could not be read,
 * LUDIC_ERR_USAGE for NULL arguments, LUDIC_ERR_MEMORY if memory ran out. */
LUDIC_API ludic_status ludic_program_new(ludic_compiler *c, ludic_program **out);

/* Frees the program. Engines made from it must be freed first. NULL is allowed. */
LUDIC_API void ludic_program_free(ludic_program *p);

/* The program's name and version (from `program "x" version "v"`; version
 * "" when none). */
LUDIC_API const char *ludic_program_name(const ludic_program *p);
LUDIC_API const char *ludic_program_version(const ludic_program *p);

/* Bytes of state kept per customer, and per staff member (0 when no quest
 * credits staff). Fixed for a program: `ludic dump --layout` details it. */
LUDIC_API size_t ludic_program_state_size(const ludic_program *p);
LUDIC_API size_t ludic_program_staff_state_size(const ludic_program *p);

/* `ludic dump --ir`: every routine (one per event type, one for the passing
 * of days), op by op, each with the rule text it came from. */
LUDIC_API ludic_status ludic_program_dump_ir(const ludic_program *p, FILE *out);

/* `ludic dump --layout`: the customer (and staff) record, field by field,
 * with offsets, sizes, the mechanic each field serves and the total bytes. */
LUDIC_API ludic_status ludic_program_dump_layout(const ludic_program *p, FILE *out);

/* ---- times ---- */

/* Parses `len` bytes of RFC 3339 ("2027-04-01T00:00:00+02:00", "...Z"; a
 * fraction of a second is dropped) into Unix seconds. On failure returns
 * LUDIC_ERR_USAGE and, when `why` is not NULL, writes the reason there
 * (NUL-terminated, cut at `why_cap`). */
LUDIC_API ludic_status ludic_time_parse(const char *s, size_t len, long long *t, char *why, size_t why_cap);

/* Writes `t` (Unix seconds) as the program's time zone shows it: RFC 3339
 * with the offset in force at that instant ("2027-03-28T03:00:00+02:00"),
 * or only the local date ("2027-03-28") when `date_only`. NUL-terminated,
 * cut at `cap`; returns the length of the whole text ("" and 0 for a year
 * outside 0000-9999). */
LUDIC_API size_t ludic_program_format_time(const ludic_program *p, long long t, bool date_only, char *buf,
					   size_t cap);

/* ---- typed events ---- */

/* The index of the event type named `name` (e.g. "purchase"), or -1 when the
 * program has no such event. */
LUDIC_API int ludic_program_event_type(const ludic_program *p, const char *name);

/* The index of field `name` of event type `type` (the implicit "id",
 * "customer" and "at" are 0, 1 and 2), or of a field of the items of a list
 * field when `list_field` >= 0 (e.g. "price" in the `lines` of a purchase);
 * -1 when there is none. */
LUDIC_API int ludic_program_field(const ludic_program *p, int type, int list_field, const char *name);

/* One event, filled field by field by a caller that already has the values
 * (a till, a message bus), then given to ludic_engine_push. Reusable:
 * ludic_event_reset starts a new event in the same memory, so a caller that
 * reuses one ludic_event allocates nothing per event. Strings are not
 * copied: they must stay valid until ludic_engine_push returns. */
typedef struct ludic_event ludic_event;

/* A new event buffer for events of `p`. NULL if memory is exhausted. */
LUDIC_API ludic_event *ludic_event_new(const ludic_program *p);
LUDIC_API void ludic_event_free(ludic_event *ev);

/* Starts a new event of type `type` (ludic_program_event_type), every field
 * absent. LUDIC_ERR_USAGE for an unknown type. */
LUDIC_API ludic_status ludic_event_reset(ludic_event *ev, int type);

/* Sets a field. Values are integers in ludic's units: a count as is; money
 * in minor units of the program's currency (12.50 EUR = 1250); a number
 * times 10,000; a duration in seconds; a date in days since 1970-01-01; a
 * timestamp in seconds since 1970-01-01T00:00:00Z; true/false as 1/0; a
 * choice by its member's name (ludic_event_set_choice). LUDIC_ERR_USAGE if
 * the field does not exist or has another kind. */
LUDIC_API ludic_status ludic_event_set_int(ludic_event *ev, int field, long long value);
LUDIC_API ludic_status ludic_event_set_string(ludic_event *ev, int field, const char *s, size_t len);
LUDIC_API ludic_status ludic_event_set_choice(ludic_event *ev, int field, const char *member);

/* Lists: ludic_event_add_item appends an item to list field `field` (a
 * basket line; or a string of a list of strings, given by `s`/`len`, else
 * NULL) and returns its index, or -1. The fields of a record item are set
 * with the _item_ setters; `sub` is a field index from ludic_program_field
 * with `list_field` = `field`. */
LUDIC_API int ludic_event_add_item(ludic_event *ev, int field, const char *s, size_t len);
LUDIC_API ludic_status ludic_event_set_item_int(ludic_event *ev, int field, int item, int sub, long long value);
LUDIC_API ludic_status ludic_event_set_item_string(ludic_event *ev, int field, int item, int sub, const char *s,
						   size_t len);
/* Appends a string to the list of strings `sub` (e.g. a line's `tags`) of item
 * `item`. LUDIC_ERR_MEMORY if memory ran out. */
LUDIC_API ludic_status ludic_event_add_item_string(ludic_event *ev, int field, int item, int sub, const char *s,
						   size_t len);

/* ------------------------------------------------------------------------ */
/* The engine: a program applied to customer events                        */
/* ------------------------------------------------------------------------ */

/* An engine holds every customer's state (in memory) for one program, applies
 * events to it and reports effects. One engine is used by one thread at a
 * time. */
typedef struct ludic_engine ludic_engine;

/* What an effect is: the `kind` of its JSON form is given in brackets. */
typedef enum ludic_effect_kind {
	LUDIC_EFFECT_AWARD = 0,         /* [award] points added to a wallet */
	LUDIC_EFFECT_DEBIT,             /* [debit] points taken by a `debit` action */
	LUDIC_EFFECT_EXPIRE,            /* [expire] points that reached their expiry */
	LUDIC_EFFECT_REVERSE,           /* [reverse] points taken back because lines were returned */
	LUDIC_EFFECT_RELEASE,           /* [release] pending points became spendable */
	LUDIC_EFFECT_BADGE,             /* [badge] a badge given */
	LUDIC_EFFECT_TIER,              /* [tier] the status changed (up or down) */
	LUDIC_EFFECT_LEVEL,             /* [level] a new level */
	LUDIC_EFFECT_MISSION_STEP,      /* [mission_step] a step of a mission done */
	LUDIC_EFFECT_MISSION_COMPLETE,  /* [mission_complete] the last step done */
	LUDIC_EFFECT_STREAK,            /* [streak] a streak reached its length */
	LUDIC_EFFECT_NOTIFY,            /* [notify] a message for the retailer's systems to send */
	LUDIC_EFFECT_REDEMPTION,        /* [redemption] a catalogue reward paid for */
	LUDIC_EFFECT_REFUSAL,           /* [refusal] a redemption refused; `reason` says why */
	LUDIC_EFFECT_KIND_COUNT
} ludic_effect_kind;

/* "award", "mission_step"...: the JSON name of a kind. Static storage. */
LUDIC_API const char *ludic_effect_kind_name(ludic_effect_kind k);

/* A parameter of a notification (`notify "t" with (discount = 10 EUR)`),
 * already formatted as it would be shown ("10.00 EUR", "30 days", "gold"). */
typedef struct ludic_effect_arg {
	const char *key;
	const char *text;
} ludic_effect_arg;

/* One effect. Every string belongs to the engine and is valid during the
 * callback only. Fields that do not apply to a kind are NULL (strings) or 0. */
typedef struct ludic_effect {
	ludic_effect_kind kind;
	const char *customer;     /* the customer, or the staff member for staff wallets */
	bool staff;               /* `customer` is a staff member (quests) */
	const char *wallet;       /* award, debit, expire, reverse, release, redemption */
	long long amount;         /* points moved (positive) */
	long long balance;        /* the wallet's spendable balance after the effect */
	long long pending;        /* points of `wallet` earned but not yet spendable, after the effect; 0 for
				     wallets without a pending period */
	bool has_pending;         /* `wallet` has a pending period (then `pending` is written in JSON) */
	const char *badge;        /* badge, and the badges a mission or streak gives */
	const char *ladder;       /* tier, level: the ladder's name */
	const char *rung;         /* tier, level: the new tier or level */
	const char *previous;     /* tier, level: the one before */
	const char *mission;      /* mission_step, mission_complete */
	const char *step;         /* mission_step: the step's name */
	const char *streak;       /* streak */
	long long length;         /* streak: its length in periods */
	const char *template_name;/* notify */
	const ludic_effect_arg *args; size_t nargs; /* notify */
	const char *item;         /* redemption, refusal */
	const char *reason;       /* refusal: why, in words */
	const char *rule;         /* the rule, mission or streak that acted; NULL for expiry, release, reviews */
	const char *event_id;     /* the event that caused it; NULL for effects of time passing */
	const char *variants;     /* the customer's variants of the experiments that changed that rule,
				     "experiment=variant,..." or NULL; a `\`, `,` or `=` inside a name is
				     written with a `\` before it */
	long long at;             /* when: the event's time, or the time the effect fell due (Unix seconds) */
	int utc_offset;           /* seconds east of UTC of `at` in the program's time zone */
} ludic_effect;

typedef void (*ludic_effect_fn)(void *user, const ludic_effect *fx);

/* Writes `fx` as one line of JSON (no newline) into `buf` (NUL-terminated,
 * cut at `cap`). Returns the length the whole line needs, as snprintf. The
 * format is documented in docs/embedding.md. */
LUDIC_API size_t ludic_effect_to_json(const ludic_effect *fx, char *buf, size_t cap);

/* A rejected event: why it was not applied. Strings valid during the callback only. */
typedef struct ludic_reject {
	unsigned long long line;  /* line number in the JSON Lines input (0 for typed events) */
	unsigned column;          /* 1-based byte column of the problem in the line, 0 if none */
	const char *code;         /* stable code: the decoder's ("json", "unknown-type", "missing", ...:
				     docs/events.md lists them), or the engine's: "too-late" (older than the
				     allowed lateness), "nomem", "internal" */
	const char *field;        /* the field concerned ("lines[2].price"), or NULL */
	const char *message;      /* what is wrong and how to fix it, in one sentence */
	const char *event_id;     /* the event's id when it could be read, else NULL */
} ludic_reject;

typedef void (*ludic_reject_fn)(void *user, const ludic_reject *r);

/* Which code runs the rules. Both give the same effects and the same state,
 * byte for byte (tests/diff proves it on every scenario and on random
 * programs); native code is faster, the interpreter starts at once. */
typedef enum ludic_engine_kind {
	LUDIC_ENGINE_AUTO = 0,   /* start on the interpreter; switch to native code, between two
				    events, once a background thread has it (compiled or from the
				    cache). The default. LUDIC_ENGINE=interp|native|auto in the
				    environment overrides it (for test suites). */
	LUDIC_ENGINE_INTERP = 1, /* the interpreter only */
	LUDIC_ENGINE_NATIVE = 2, /* native code from the first event: ludic_engine_new compiles
				    (or loads it from the cache) before returning */
} ludic_engine_kind;

typedef struct ludic_engine_options {
	ludic_effect_fn on_effect; void *effect_user; /* NULL: effects are counted, not reported */
	ludic_reject_fn on_reject; void *reject_user; /* NULL: rejects are counted, not reported */
	ludic_engine_kind engine;  /* LUDIC_ENGINE_AUTO (0) by default */
	/* where compiled programs are kept: NULL for $LUDIC_CACHE_DIR, else
	 * $XDG_CACHE_HOME/ludic, else $HOME/.cache/ludic (docs/embedding.md) */
	const char *cache_dir;
	int no_cache;              /* 1: always compile, neither read nor write the cache */
} ludic_engine_options;

/* A new engine for `p`, with no customer. `opt` may be NULL. LUDIC_ERR_USAGE
 * for NULL arguments, LUDIC_ERR_MEMORY if memory ran out (then *out is NULL). */
LUDIC_API ludic_status ludic_engine_new(const ludic_program *p, const ludic_engine_options *opt,
					ludic_engine **out);
LUDIC_API void ludic_engine_free(ludic_engine *e);

/* What became of one pushed event. */
typedef enum ludic_push_result {
	LUDIC_APPLIED = 0,    /* applied: its effects were reported */
	LUDIC_DUPLICATE = 1,  /* its id was already applied for this customer: ignored */
	LUDIC_REJECTED = 2,   /* not applied: the reject callback was told why */
	LUDIC_ANONYMOUS = 3,  /* no customer: only staff quests could apply (they did, if any) */
	LUDIC_BLANK = 4,      /* ludic_engine_push_json: a blank line, not an event; nothing to apply, nothing wrong */
} ludic_push_result;

/* Applies one event given as one line of JSON (docs/events.md); `line_no` is
 * reported with a reject. Returns the result, or -1 with LUDIC_ERR_USAGE
 * semantics for NULL arguments. */
LUDIC_API int ludic_engine_push_json(ludic_engine *e, const char *line, size_t len, unsigned long long line_no);

/* Applies one typed event (see ludic_event). Missing required fields,
 * unknown choices and bad times are rejected exactly as in JSON. */
LUDIC_API int ludic_engine_push(ludic_engine *e, const ludic_event *ev);

/* Batches: the same as one push per event, in order (same effects, same
 * order, same results, the same callbacks), but faster on large numbers of
 * customers: while one event runs, the records of the next ones are fetched
 * into the cache. `results` (may be NULL) receives each event's
 * ludic_push_result, or -1 (then ludic_engine_error says why). Returns 0,
 * or -1 for NULL arguments or a call from a callback. */
LUDIC_API int ludic_engine_push_batch(ludic_engine *e, const ludic_event *const *evs, size_t n, int *results);

/* One line of JSON Lines input, for ludic_engine_push_json_batch. */
typedef struct ludic_line {
	const char *text;             /* the line, without its newline */
	size_t len;                   /* bytes */
	unsigned long long line_no;   /* reported with a reject */
} ludic_line;

LUDIC_API int ludic_engine_push_json_batch(ludic_engine *e, const ludic_line *lines, size_t n, int *results);

/* Lets time pass up to `t` (Unix seconds) for every customer: the time-driven
 * rules, expiries, pending releases, tier reviews and mission deadlines due
 * by then fire, in time order per customer. Used at the end of a batch
 * (`ludic run --until`). Time never goes back: an earlier `t` does nothing. */
LUDIC_API ludic_status ludic_engine_advance(ludic_engine *e, long long t);

/* Counters since the engine was made. */
typedef struct ludic_engine_stats {
	unsigned long long events;      /* pushed */
	unsigned long long applied;     /* applied */
	unsigned long long duplicates;  /* ignored as already applied */
	unsigned long long rejected;    /* rejected */
	unsigned long long anonymous;   /* without a customer */
	unsigned long long effects[LUDIC_EFFECT_KIND_COUNT]; /* by kind */
	unsigned long long customers;   /* with a state record */
	unsigned long long staff;       /* staff members with a state record */
	size_t state_bytes;             /* memory held for customer and staff state */
} ludic_engine_stats;

LUDIC_API void ludic_engine_stats_get(const ludic_engine *e, ludic_engine_stats *out);

/* Which code runs the rules, and how the native code was obtained. */
typedef struct ludic_engine_info {
	ludic_engine_kind requested;    /* as asked (after LUDIC_ENGINE) */
	bool native;                    /* native code runs the events from now on */
	bool compiling;                 /* a background compile is under way (auto) */
	unsigned long long interp_events, native_events; /* events applied by each */
	double compile_ms;              /* time taken to get native code (compile or cache load), 0 if none */
	bool from_cache;                /* the native code was loaded from the cache */
	/* why native code does not run when it was asked for ("this build has no
	 * native back end", "internal compiler error: ..."), else NULL; valid
	 * until the engine is freed */
	const char *note;
	/* the cache of compiled programs could not be used (the program was
	 * compiled all the same), or an entry was damaged and rebuilt: why and
	 * what to do; else NULL */
	const char *cache_note;
} ludic_engine_info;

LUDIC_API void ludic_engine_info_get(ludic_engine *e, ludic_engine_info *out);

/* LUDIC_ENGINE_AUTO: waits until the background compile is over and the
 * engine runs native code (or has given up: then info.note says why).
 * Returns at once otherwise. For benchmarks and tests that want the switch
 * at a known point. */
LUDIC_API void ludic_engine_wait_native(ludic_engine *e);

/* ---- one customer's state, for display ---- */

typedef struct ludic_balance_view {
	const char *wallet, *label;   /* name, and label ("Eco-credits") or NULL */
	long long balance;            /* spendable now */
	long long pending;            /* earned, not yet spendable (pending period) */
	long long earned;             /* ever earned */
	long long next_expiry_amount; /* points expiring next (0 if none) ... */
	long long next_expiry_at;     /* ... at this time (Unix seconds) */
} ludic_balance_view;

typedef struct ludic_ladder_view {
	const char *ladder;           /* "status", "rank" */
	bool level;                   /* a `levels` ladder (else tiers) */
	const char *rung;             /* current tier or level */
	long long since;              /* when it was reached (Unix seconds; 0: never changed) */
	long long metric;             /* the ladder's measure now (points, count, or money minor units) */
	const char *next;             /* the next rung up, or NULL at the top */
	long long next_at;            /* the measure the next rung needs */
	long long rung_at;            /* the measure the current rung needs */
} ludic_ladder_view;

typedef struct ludic_mission_view {
	const char *mission;
	unsigned steps, done;         /* steps in the mission, steps done */
	const char *next_step;        /* the open step, NULL when complete or not started */
	unsigned count, times;        /* progress in the open step (`3 times`) */
	bool started, complete, expired;
	long long deadline;           /* Unix seconds, 0 if none */
} ludic_mission_view;

typedef struct ludic_streak_view {
	const char *streak;
	unsigned length, goal;        /* periods in a row now, periods needed */
	unsigned grace_used;          /* missed periods forgiven so far */
} ludic_streak_view;

typedef struct ludic_cap_view {
	const char *rule;             /* the rule whose limit it is */
	const char *period;           /* "day", "week", "month", "year", "customer", "campaign" */
	const char *wallet;           /* a limit on points (else NULL: a number of times) */
	long long used, limit;        /* in the current period */
} ludic_cap_view;

typedef struct ludic_variant_view {
	const char *experiment, *variant;
} ludic_variant_view;

typedef struct ludic_customer_view {
	const char *id;
	bool known;                   /* the engine has seen this customer */
	long long last_event_at;      /* time of the last applied event */
	const ludic_balance_view *balances; size_t nbalances;  /* customer wallets */
	const ludic_ladder_view *ladders; size_t nladders;
	const ludic_mission_view *missions; size_t nmissions;
	const ludic_streak_view *streaks; size_t nstreaks;
	const char *const *badges; size_t nbadges;             /* badges held */
	const ludic_cap_view *caps; size_t ncaps;              /* limits with something used */
	const ludic_variant_view *variants; size_t nvariants;  /* one per experiment */
} ludic_customer_view;

/* Fills `out` with the state of customer `id` (`len` bytes) at the engine's
 * current time. Strings and arrays belong to the engine and are valid until
 * its next call. An unknown customer gives known = false and the state a new
 * customer starts with. LUDIC_ERR_MEMORY if memory ran out. */
LUDIC_API ludic_status ludic_engine_customer(ludic_engine *e, const char *id, size_t len, ludic_customer_view *out);

/* The last error of the engine, in words ("" if none). */
LUDIC_API const char *ludic_engine_error(const ludic_engine *e);

/* ------------------------------------------------------------------------ */
/* Durable store                                                            */
/* ------------------------------------------------------------------------ */

/* A store keeps an engine's whole state on disk (an LMDB database in one
 * folder): every customer's record, staff records, campaign budgets, the
 * engine's clock, an append-only ledger of every effect, the program's
 * source, and how far into the input the state goes. Events are applied in
 * memory and written in batches: ludic_store_commit writes everything that
 * changed since the last commit in one transaction, so state, ledger and
 * input position never disagree. After a crash, opening the store gives
 * back the state of the last commit, and feeding the input again from the
 * committed position gives exactly the state and ledger of a run that never
 * stopped (docs/operations.md says what is promised and what is not). */
typedef struct ludic_store ludic_store;

typedef struct ludic_store_options {
	int read_only;                /* 1: for queries; the store must exist and is not changed */
	/* the largest the store's file may grow, bytes; 0: 64 GiB (the file
	 * grows as needed; $LUDIC_STORE_MAP_SIZE overrides, for tests) */
	unsigned long long map_size;
} ludic_store_options;

/* Opens (or, unless read_only, creates) the store in folder `dir`. Always
 * sets *out when memory allows, also on failure: then ludic_store_error says
 * what is wrong (a missing store, a folder that is not a store, a damaged or
 * foreign file, another store format) and the store must be closed.
 * LUDIC_ERR_IO for those, LUDIC_ERR_USAGE for NULL arguments. */
LUDIC_API ludic_status ludic_store_open(const char *dir, const ludic_store_options *opt, ludic_store **out);

/* Closes the store (an attached engine is freed with it). NULL does nothing. */
LUDIC_API void ludic_store_close(ludic_store *s);

/* The last error, in words, with what to do ("" if none). */
LUDIC_API const char *ludic_store_error(const ludic_store *s);

/* The program the store was last run with, compiled from the source kept in
 * the store (for queries that need no rule file). Free it with
 * ludic_program_free after the store is closed. LUDIC_ERR_IO when the store
 * has no program yet; LUDIC_ERR_PROGRAM if it no longer compiles. */
LUDIC_API ludic_status ludic_store_program(ludic_store *s, ludic_program **out);

/* Committed effects, in order, as the JSON lines of ludic_effect_to_json. */
typedef void (*ludic_store_effect_fn)(void *user, const char *json, size_t len);

/* What ludic_store_attach found. Strings belong to the store. */
typedef struct ludic_store_report {
	bool created;                    /* the store was empty: it now belongs to this program */
	bool migrated;                   /* another version of the program wrote it: state carried over */
	const char *previous_version;    /* that version ("" if none) */
	unsigned long long customers, staff; /* loaded */
	unsigned long long offset, line; /* input already applied: bytes, lines */
	unsigned long long ledger;       /* ledger entries so far */
	/* what a migration did, one phrase per part of the state ("wallet eco",
	 * "rule \"Green basket\": limit 1 per week"): */
	const char *const *kept; size_t nkept;       /* carried over by name */
	const char *const *added; size_t nadded;     /* new: start empty */
	const char *const *dropped; size_t ndropped; /* no longer in the program: dropped */
	const char *const *reset; size_t nreset;     /* changed shape (e.g. a window's length): restarted empty */
} ludic_store_report;

/* Makes an engine for `p` over the store and loads every customer into it
 * (all at once). An empty store is given to `p`; a store of another version
 * of the same program is migrated (the report lists what carried over) and
 * written back in one transaction. `opt` as for ludic_engine_new, except
 * on_effect: effects go to the ledger, then, after each commit, to
 * `on_effect` (may be NULL). Effects of events after the last commit are
 * not reported until the next commit. LUDIC_ERR_IO with ludic_store_error
 * when the store belongs to another program, cannot be read or written, or
 * is read-only and would need migrating; LUDIC_ERR_USAGE for a second
 * attach. *engine stays owned by the store. */
LUDIC_API ludic_status ludic_store_attach(ludic_store *s, const ludic_program *p, const ludic_engine_options *opt,
					  ludic_store_effect_fn on_effect, void *effect_user, ludic_engine **engine,
					  ludic_store_report *report);

/* ludic_engine_push_json through the store (so that it knows what changed). */
LUDIC_API int ludic_store_push_json(ludic_store *s, const char *line, size_t len, unsigned long long line_no);

/* ludic_engine_advance through the store. */
LUDIC_API ludic_status ludic_store_advance(ludic_store *s, long long t);

/* Writes, in one transaction, every customer and staff record changed since
 * the last commit, the new ledger entries, budgets, clock, and the input
 * position (`offset` bytes and `line` lines of input applied), then reports
 * the batch's effects. On failure (a full disk, a failing write) nothing of
 * the batch is written, the error says what to do, and the engine no
 * longer matches the store: stop, and run again (it resumes from the last
 * commit). LUDIC_ERR_IO then. */
LUDIC_API ludic_status ludic_store_commit(ludic_store *s, unsigned long long offset, unsigned long long line);

/* ludic_store_commit in two halves, so that the engine applies the next
 * batch while the last one is written: _start takes the batch from the
 * engine and writes it on a thread of its own, then returns; _wait waits
 * for that write, and reports the batch's effects when it succeeded (the
 * store is then at `offset` and `line`). _start waits first for a commit
 * still under way (LUDIC_ERR_IO if that one failed). Between the two, push
 * events and advance as usual, but call no other ludic_store_ function. */
LUDIC_API ludic_status ludic_store_commit_start(ludic_store *s, unsigned long long offset, unsigned long long line);
LUDIC_API ludic_status ludic_store_commit_wait(ludic_store *s);

/* The committed input position. */
LUDIC_API void ludic_store_position(const ludic_store *s, unsigned long long *offset, unsigned long long *line);

/* Where the store's bytes go (pages in use, as LMDB counts them). */
typedef struct ludic_store_usage {
	unsigned long long customer_bytes;  /* customer records, and the order they appeared in */
	unsigned long long staff_bytes;     /* staff records */
	unsigned long long ledger_bytes;    /* the ledger */
	unsigned long long file_bytes;      /* the whole file (free pages included) */
	unsigned long long customers, ledger_entries;
} ludic_store_usage;

LUDIC_API ludic_status ludic_store_usage_get(ludic_store *s, ludic_store_usage *out);

/* One ledger entry. Strings valid during the callback only. */
typedef struct ludic_ledger_entry {
	unsigned long long seq;   /* its place in the ledger: 0, 1, 2... in the order effects happened */
	const char *id;           /* the entry id: customer, event (or `@time` for effects of time passing),
				     rule and index, joined by `/` */
	const char *customer;     /* the customer, or the staff member */
	bool staff;               /* a staff member's entry */
	ludic_effect_kind kind;
	const char *wallet;       /* "" for effects without a wallet */
	long long amount, balance, at;
	const char *json;         /* the effect as `ludic run` writes it */
	size_t len;               /* bytes in json */
} ludic_ledger_entry;

typedef int (*ludic_ledger_fn)(void *user, const ludic_ledger_entry *entry);

/* Calls `fn` for every ledger entry of `customer` (staff member if `staff`),
 * or for every entry of the ledger (customer NULL), in ledger order (seq).
 * The ledger has no index by customer: one customer's history is a scan of
 * the whole ledger. Stops when `fn` returns nonzero. */
LUDIC_API ludic_status ludic_store_ledger(ludic_store *s, const char *customer, bool staff, ludic_ledger_fn fn,
					  void *user);

/* Every customer id (staff false), then every staff id, in id order, with a
 * 64-bit fingerprint of the whole saved state (engine header and record):
 * two stores hold the same state when every fingerprint is the same. The
 * last call has id "" and the fingerprint of the clock and budgets. */
typedef int (*ludic_store_id_fn)(void *user, bool staff, const char *id, unsigned long long fingerprint);
LUDIC_API ludic_status ludic_store_each(ludic_store *s, ludic_store_id_fn fn, void *user);

#ifdef __cplusplus
}
#endif

#endif
