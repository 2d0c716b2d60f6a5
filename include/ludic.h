/* ludic.h — the public embedding API of ludic.
 *
 * ludic is a rule language for retail loyalty and gamification. This header is
 * everything a program embedding ludic may use; nothing else in the tree is
 * public. It has two parts:
 *
 *   1. the compiler: add rule files (or text), check them, read the
 *      diagnostics as data or render them as text or JSON, format and dump;
 *   2. the engine (apply a checked program to customer events): to come, in
 *      the section marked below.
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
/* The engine: applying a checked program to events (coming in a later     */
/* version: ludic_program from a checked compiler, ludic_engine_push, ...)  */
/* ------------------------------------------------------------------------ */

#ifdef __cplusplus
}
#endif

#endif
