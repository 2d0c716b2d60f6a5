/* diag.h — diagnostics: collected, sorted, rendered.
 *
 * The front end never prints. Every problem is added to the compilation's
 * diag_list with a stable code (diag_codes.def), a primary span, a message, an
 * optional `help:` line (how to fix it, when that can be known) and an
 * optional note pointing at a second span ("first defined here").
 * diag_render() sorts them by file and position and prints them as
 *
 *     file:line:col: error[E0201]: unknown name `silvr`
 *        3 |   award 10 points when status >= silvr
 *          |                                  ^~~~~
 *     help: did you mean `silver`?
 *
 * or, with DIAG_JSON, the same data as one JSON document for CI.
 */
#ifndef LUDIC_DIAG_H
#define LUDIC_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "source.h"

typedef enum {
#define DIAG(code, sev, title) DIAG_##code,
#include "diag_codes.def"
#undef DIAG
	DIAG_CODE_COUNT
} diag_code;

typedef enum { SEV_ERROR, SEV_WARNING, SEV_NOTE } diag_severity;

typedef struct diag {
	diag_code code;
	diag_severity severity;
	span sp;             /* what is wrong; underlined */
	const char *message; /* one line, no trailing period */
	const char *help;    /* how to fix it, or NULL */
	bool has_note;
	span note_sp;        /* a related place, e.g. the first definition */
	const char *note;    /* what that place is, or NULL */
	uint32_t seq;        /* order of arrival, to keep the sort stable */
} diag;

/* Errors after this many are dropped and replaced by one E0110. */
#define DIAG_MAX_ERRORS 100

typedef struct diag_list {
	diag *items;         /* malloc'd, grows */
	uint32_t count, cap;
	uint32_t errors, warnings;
	uint32_t dropped;    /* errors not kept because of DIAG_MAX_ERRORS */
	arena *a;            /* where messages are formatted */
} diag_list;

void diag_init(diag_list *d, arena *a);
void diag_release(diag_list *d);

/* Adds a diagnostic with a printf-style message; returns it so that help
 * and a note can be attached. Returns a scratch entry (never NULL) when the
 * error cap is reached. */
diag *diag_add(diag_list *d, diag_code code, span sp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_help(diag *g, diag_list *d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(diag *g, diag_list *d, span sp, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Adds a diagnostic not tied to a source position (I/O errors, ...). */
diag *diag_add_nospan(diag_list *d, diag_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

const char *diag_code_name(diag_code c);   /* "E0201" */
const char *diag_code_title(diag_code c);  /* "unknown name" */
diag_severity diag_code_severity(diag_code c);

/* Sorts by file, start offset, then arrival. Idempotent. */
void diag_sort(diag_list *d);

typedef enum { DIAG_TEXT, DIAG_JSON } diag_format;

/* Renders every diagnostic (sorted first). `color` adds ANSI colours to text
 * output. JSON: {"diagnostics":[{"file":..,"line":..,"column":..,"end_line":..,
 * "end_column":..,"severity":..,"code":..,"message":..,"help":..,"note":..}],
 * "errors":N,"warnings":N}. */
void diag_render(FILE *out, diag_list *d, const source_set *srcs, diag_format fmt, bool color);

/* Writes `s` as a JSON string literal (with quotes). */
void diag_json_string(FILE *out, const char *s);

/* Edit distance suggestion: the candidate closest to `name`, or NULL if none
 * is close enough to be a likely typo. */
const char *diag_suggest(const char *name, const char *const *candidates, uint32_t n);

#endif
