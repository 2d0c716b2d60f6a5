/* cli.h — what the parts of the `ludic` command share.
 *
 * The command is a thin client of the library (it only includes ludic.h):
 *   ludic.c     main, the command table and help texts, check, fmt, dump
 *   cli.c       options, files and folders, colours, loading a program,
 *               reading event streams, writing effects and rejects
 *   run.c       ludic run, ludic state
 *   durable.c   ludic run --store (the durable store)
 *   ledger.c    ludic ledger, balances, liability (queries on a store)
 *   scenario.c  ludic test: scenario files (docs/testing.md)
 * Exit status everywhere: 0 success, 1 the rules have errors (or a scenario
 * failed), 2 wrong usage or a file that cannot be read or written.
 */
#ifndef LUDIC_CLI_H
#define LUDIC_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ludic.h"

#define EXIT_ERRORS 1
#define EXIT_USAGE 2

#define MAX_OPTS 8
#define GREEN(c) ((c) ? "\033[1;32m" : "")
#define RED(c) ((c) ? "\033[1;31m" : "")
#define YELLOW(c) ((c) ? "\033[1;33m" : "")
#define RESET(c) ((c) ? "\033[0m" : "")
/* The decoder's limit on one line, line end included (docs/events.md). */
#define MAX_LINE (1u << 20)

/* `--engine=interp|native|auto`, shared by run, state and test. */
extern const char *const engine_values[];
ludic_engine_kind engine_kind(const char *value); /* NULL: auto */
/* On stderr, one line: which engine ran the events, and why not native if it was asked for. */
void print_engine_line(ludic_engine *e);

/* One option a command accepts. */
typedef struct opt_spec {
	const char *name;            /* "--format" */
	const char *short_name;      /* "-q", or NULL */
	const char *const *values;   /* allowed values (NULL-terminated), or NULL for a flag */
} opt_spec;

/* A parsed command line: for each spec, whether it was given and its value;
 * then the operands (files). */
typedef struct parsed_args {
	bool set[MAX_OPTS];          /* option i was given */
	const char *value[MAX_OPTS]; /* its value, for options with values */
	bool help;                   /* -h / --help was given */
	char **operands;             /* the other arguments, in order (points into argv) */
	int noperands;
} parsed_args;

typedef struct path_list {
	char **items; /* malloc'd strings */
	size_t count, cap;
} path_list;

/* Reads a JSON Lines stream line by line, with no limit on the number of
 * lines; a line over MAX_LINE is not kept (its bytes are counted and
 * skipped), so memory stays bounded whatever the input. */
typedef struct line_reader {
	FILE *fp;                     /* the stream */
	char *buf;                    /* the current line, NUL-terminated, without its newline */
	size_t cap;                   /* bytes allocated in buf */
	unsigned long long line_no;   /* 1-based number of the current line */
} line_reader;

/* A growable text buffer. */
typedef struct strbuf {
	char *s;
	size_t len, cap;
} strbuf;

/* Everything one `ludic run` (or `state`) needs while events flow. */
typedef struct run_ctx {
	const char *input;              /* the events' name in messages ("<stdin>" for -) */
	FILE *effects;                  /* where effects go, or NULL to drop them */
	FILE *rejects_json;             /* --rejects FILE, or NULL */
	bool rejects_text;              /* without --rejects: readable lines on stderr */
	strbuf line;                    /* scratch for one output line */
	/* counters, from the results of the pushes */
	unsigned long long read, applied, duplicates, rejected, anonymous;
} run_ctx;

/* ---- small helpers (cli.c) ---- */
/* "ludic: " and the message on stderr, for wrong usage. */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The candidate closest to `word` when it is a likely typo, or NULL. */
const char *suggest(const char *word, const char *const *candidates, size_t n);
/* `s` as a JSON string, quotes included. */
void json_string(FILE *out, const char *s);
const char *plural(size_t n, const char *one, const char *many);
/* The whole file, NUL-terminated, malloc'd; NULL with errno set. */
char *read_file(const char *path, size_t *len);
/* `n` with a comma every three digits: 12,345. */
const char *grouped(long long n, char *buf, size_t cap);
/* A monotonic clock, in seconds. */
double now_seconds(void);

/* ---- options ---- */
void unknown_option(const char *cmd, const char *arg, const opt_spec *specs, size_t n);
/* Parses the arguments after a command's name; returns 0, or the exit
 * status after printing the problem. */
int parse_args(const char *cmd, int argc, char **argv, const opt_spec *specs, size_t n, parsed_args *out);
/* parse_args, and --help answered with `help`: true when the command should
 * go on; otherwise false with the exit status in *rc. */
bool command_args(const char *cmd, int argc, char **argv, const opt_spec *specs, size_t n, const char *help,
		  parsed_args *a, int *rc);
/* --color=auto|always|never: whether to colour stdout. */
bool want_color(const char *mode);

/* ---- files and folders ---- */
void paths_push(path_list *l, const char *p);
void paths_free(path_list *l);
int cmp_str(const void *a, const void *b);
/* Adds the *.ludic files of `dir`, sorted; false if it cannot be read. */
bool add_folder(path_list *l, const char *dir);
/* The operands, folders expanded; false after printing a problem. */
bool expand(path_list *l, char **operands, int n);
/* The headers of the files of `l` (what each declares itself to be). */
ludic_header *read_headers(const path_list *l);
/* The index in `l` of the base program of overlay `i`, or -1. */
long base_among(const path_list *l, const ludic_header *h, size_t i);
/* Compiles and lowers the program at `path` (a file, or a folder with a base
 * and its overlays), diagnostics to `diag`. Returns 0 or the exit status. */
int load_program(const char *path, FILE *diag, ludic_program **out);

/* ---- event streams, effects and rejects (run, state) ---- */
bool read_line(line_reader *r, size_t *len, unsigned long long *full);
bool blank_line(const char *s, size_t n);
void sb_reserve(strbuf *b, size_t more);
void sb_add(strbuf *b, const char *s, size_t n);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *b, const char *fmt, va_list ap);
void sb_json_string(strbuf *b, const char *s);
/* A reject as one JSON line, or as one readable line. */
void reject_json(strbuf *b, const ludic_reject *r, const char *input);
void reject_text(FILE *out, const ludic_reject *r, const char *input);
/* Engine callbacks writing to a run_ctx's outputs. */
void on_effect_out(void *user, const ludic_effect *fx);
void on_reject_out(void *user, const ludic_reject *r);
void reject_too_long(run_ctx *x, unsigned long long line_no, unsigned long long full);
/* Pushes every line of `fp`; false on a read error (after saying so). */
bool feed_events(ludic_engine *e, FILE *fp, run_ctx *x, bool progress);
/* The events' stream (`-` is stdin), or NULL after printing why. */
FILE *open_events(const char *path, const char **name);
/* --until TIME into Unix seconds; false after printing why. */
bool until_option(const char *value, long long *t);

/* Help texts (ludic.c) and the values of --format. */
extern const char help_main[], help_check[], help_fmt[], help_dump[], help_help[], help_run[], help_state[],
	help_test[], help_ledger[], help_balances[], help_liability[];
extern const char *const format_values[];

/* The commands (ludic.c, run.c, scenario.c): each gets the arguments after
 * its name and returns the exit status. */
int cmd_check(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_balances(int argc, char **argv);
int cmd_liability(int argc, char **argv);

/* `ludic run --store` (durable.c). */
typedef struct durable_args {
	const char *program, *events, *effects, *rejects, *store;
	bool has_until, quiet;
	long long until;
	ludic_engine_kind engine;
	unsigned long long batch;      /* events per commit; 0: the default (durable.c) */
} durable_args;
int durable_run(const durable_args *a);

#endif
