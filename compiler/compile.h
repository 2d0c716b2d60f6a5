/* compile.h — the compile driver: from files to a checked program.
 *
 * A `compilation` owns everything one compile makes: one arena (sources,
 * syntax trees, messages, checker tables), the source set, the diagnostic
 * list and the node id counter. Its stages run in order:
 *
 *   cmp_add_file / cmp_add_text   the user's files (a base program, overlays)
 *   cmp_parse                     each file → AST_FILE (syntax errors → E01xx)
 *   cmp_check                     the base program of each overlay is found
 *                                 and added, the standard library is parsed
 *                                 (as "<stdlib>/NAME.ludic"), then chk_check
 *
 * Nothing is printed: every problem, I/O errors included, is a diagnostic.
 * The public API (include/ludic.h, compiler/api.c) is a thin wrapper on this.
 */
#ifndef LUDIC_COMPILE_H
#define LUDIC_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "diag.h"
#include "source.h"

/* One embedded standard library module; stdlib/embed.py generates the table
 * `ludic_stdlib_modules`, ended by an entry whose name is NULL. */
struct ludic_stdlib_module {
	const char *name; /* module name, e.g. "retail" (its file is "<stdlib>/retail.ludic") */
	const char *text; /* the module's source text */
	size_t len;       /* bytes in text */
};
extern const struct ludic_stdlib_module ludic_stdlib_modules[];

/* What a file's header says it is (see cmp_read_header). */
typedef enum { CMP_HDR_NONE, CMP_HDR_PROGRAM, CMP_HDR_OVERLAY, CMP_HDR_LIBRARY } cmp_header_kind;

#define CMP_NAME_MAX 128

typedef struct cmp_header {
	cmp_header_kind kind;     /* NONE when no header could be read */
	char name[CMP_NAME_MAX];  /* program/overlay/library name, "" if none (cut if longer) */
	char base[CMP_NAME_MAX];  /* overlays: the base program's name, else "" */
} cmp_header;

/* One user file of the compilation. */
typedef struct cmp_file {
	const char *name;   /* path or in-memory name, as given (arena) */
	const char *path;   /* path on disk, NULL for in-memory text */
	source *src;        /* its text and line map; NULL if it could not be read */
	ast_node *ast;      /* AST_FILE after cmp_parse, else NULL */
	uint32_t syntax_errors; /* errors found while parsing it (`ludic fmt` refuses those files) */
	cmp_header header;  /* read from the text when added */
	bool quiet;         /* its diagnostics are not reported */
	bool discovered;    /* added by cmp_check as the base program of an overlay */
} cmp_file;

typedef enum { CMP_ADDING, CMP_PARSED, CMP_CHECKED } cmp_stage;

typedef struct compilation {
	arena a;                /* everything below that is not malloc'd */
	source_set srcs;        /* every source text: user files, then the stdlib */
	diag_list diags;        /* every diagnostic, in the order found */
	uint32_t next_id;       /* next AST node id; after cmp_check, the node count */
	cmp_file *files;        /* the user files (malloc'd, grows) */
	uint32_t nfiles, cap;   /* used and allocated entries of files */
	ast_node **libs;        /* parsed stdlib modules (arena), after cmp_check */
	uint32_t nlibs;         /* entries in libs */
	chk_result *result;     /* the checked program, after cmp_check */
	cmp_stage stage;        /* how far the compilation went */
	bool io_error;          /* a file could not be read */
	uint32_t quiet_errors;  /* errors left out of diags because they are in quiet files */
	uint32_t quiet_warnings;/* warnings left out for the same reason */
	atomic_uint refs;       /* cmp_new/cmp_retain/cmp_drop: holders of a heap compilation */
} compilation;

/* Prepares an empty compilation. */
void cmp_init(compilation *c);
/* Frees everything the compilation made. `c` may be re-initialised after. */
void cmp_release(compilation *c);

/* A compilation on the heap, shared by the compiler handle and the
 * programs lowered from it (a program's IR and tables live in its arena):
 * cmp_new makes it with one holder, cmp_retain adds one, cmp_drop removes
 * one and frees it with the last. The count is atomic, so holders may be
 * dropped from different threads; anything else is used by one thread at a
 * time. */
compilation *cmp_new(void);
compilation *cmp_retain(compilation *c);
void cmp_drop(compilation *c);

/* The compilation of a public compiler handle (compiler/api.c). */
struct ludic_compiler;
compilation *cmp_of_compiler(struct ludic_compiler *lc);

/* Reads `path` and adds it. On an I/O error (missing, a folder, unreadable,
 * too large) adds an error diagnostic without position, records the file
 * with src NULL, sets io_error and returns NULL. Only before cmp_parse. */
cmp_file *cmp_add_file(compilation *c, const char *path, bool quiet);

/* Adds `len` bytes of `text` under `name` (copied). Only before cmp_parse.
 * Returns NULL, with an error diagnostic, if the text exceeds 4 GiB. */
cmp_file *cmp_add_text(compilation *c, const char *name, const char *text, size_t len, bool quiet);

/* Parses every file added (once). */
void cmp_parse(compilation *c);

/* Parses if needed, adds the base program of every overlay whose base is not
 * among the files (looked for in the overlay's folder), parses the standard
 * library and runs the checker (once). Then leaves the diagnostics of quiet
 * files out of `diags` (counted in quiet_errors/quiet_warnings) and sorts. */
void cmp_check(compilation *c);

/* True if any error was found, reported or quiet. */
bool cmp_has_errors(const compilation *c);

/* Reads the header of a rule file from its first bytes (blank lines and `#`
 * comments skipped): `program "x"`, `overlay "x" extends "y"`, `library "x"`.
 * Never fails: kind CMP_HDR_NONE when there is no readable header. */
void cmp_read_header(const char *text, size_t len, cmp_header *out);

#endif
