/* ludic.c — the `ludic` command: check, fmt, dump, run, state, test, help.
 *
 * A thin client of the library: it only includes ludic.h. It turns command
 * lines into library calls, decides which files form one program (a base and
 * the overlay on top of it), reads event streams and scenario files, and
 * prints. Exit status everywhere: 0 success, 1 the rules have errors (or would
 * be reformatted with `fmt --check`, or a scenario failed), 2 wrong usage or a
 * file that cannot be read or written. Rejected events are data, not
 * failures: `run` reports and counts them and still exits 0.
 * docs/cli.md documents every command and option; docs/testing.md the
 * scenario files of `ludic test`.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ludic.h"

#define EXIT_ERRORS 1
#define EXIT_USAGE 2

/* ------------------------------------------------------------------------ */
/* Help texts                                                               */
/* ------------------------------------------------------------------------ */

static const char help_main[] =
	"ludic — check, run and test ludic rule files\n"
	"\n"
	"usage: ludic COMMAND [OPTIONS] FILE...\n"
	"\n"
	"commands:\n"
	"  check   check rule files and report every problem\n"
	"  fmt     rewrite rule files in the canonical layout\n"
	"  dump    show the syntax tree, the types, the IR or the state layout\n"
	"  run     apply a program to a stream of events and write the effects\n"
	"  state   show one customer's state after a stream of events\n"
	"  test    run scenario files: events in, expected effects and state\n"
	"  help    show the help of a command\n"
	"\n"
	"options:\n"
	"  -h, --help   show this help\n"
	"  --version    show the version of ludic\n"
	"\n"
	"Run `ludic help COMMAND` (or `ludic COMMAND --help`) for the options of a command.\n"
	"Exit status: 0 success, 1 the rules have errors (or a scenario failed),\n"
	"2 wrong usage or unreadable files.\n";

static const char help_check[] =
	"usage: ludic check [OPTIONS] FILE|FOLDER...\n"
	"\n"
	"Checks rule files (syntax, names, types and units, and the mechanics) and\n"
	"reports every problem with its place and, when it can be known, how to fix\n"
	"it. A folder means every *.ludic file in it. Each program is checked on its\n"
	"own; an overlay is checked on top of its base program, taken from the files\n"
	"given or else from the overlay's folder.\n"
	"\n"
	"Diagnostics, one line per file and a summary go to stderr; with\n"
	"--format=json, the diagnostics go to stdout as one JSON document.\n"
	"\n"
	"options:\n"
	"  --format=text|json          text for people (default); json for CI\n"
	"  --color=auto|always|never   colours in text output; auto (default): when\n"
	"                              stderr is a terminal and NO_COLOR is not set\n"
	"  --deny-warnings             exit 1 when there are warnings\n"
	"  -q, --quiet                 no per-file lines and no summary\n"
	"  -h, --help                  show this help\n"
	"\n"
	"exit status: 0 no error (warnings allowed), 1 errors (or warnings with\n"
	"--deny-warnings), 2 wrong usage or a file that cannot be read\n";

static const char help_fmt[] =
	"usage: ludic fmt [OPTIONS] FILE|FOLDER|-...\n"
	"\n"
	"Rewrites rule files in place in the one canonical layout, comments kept.\n"
	"A folder means every *.ludic file in it; `-` reads standard input and\n"
	"writes the result to standard output. Files are replaced atomically (a\n"
	"temporary file renamed over the original) and only when they change. A\n"
	"file with syntax errors is not formatted: its errors are shown.\n"
	"\n"
	"options:\n"
	"  --check      change nothing: list the files that would change, on stdout\n"
	"  -h, --help   show this help\n"
	"\n"
	"exit status: 0 done (or, with --check, nothing would change), 1 syntax\n"
	"errors or, with --check, files that would change, 2 wrong usage or a file\n"
	"that cannot be read or written\n";

static const char help_dump[] =
	"usage: ludic dump --ast [--positions] FILE...\n"
	"       ludic dump --types FILE...\n"
	"       ludic dump --ir PROGRAM\n"
	"       ludic dump --layout PROGRAM\n"
	"\n"
	"Shows what the compiler sees, on stdout; diagnostics go to stderr.\n"
	"PROGRAM is a .ludic file, or a folder holding one program and its overlays.\n"
	"\n"
	"options:\n"
	"  --ast         the syntax tree of each file, as the parser made it\n"
	"  --positions   with --ast: the byte span of each node\n"
	"  --types       check the files as one program (a base and its overlays)\n"
	"                and show every declaration and expression with its type\n"
	"  --ir          the routines the rules were lowered to (one per event type,\n"
	"                one for the passing of days), op by op, with their rule text\n"
	"  --layout      the state record kept per customer (and per staff member),\n"
	"                field by field, with the bytes it takes\n"
	"  -h, --help    show this help\n"
	"\n"
	"exit status: 0 no error, 1 errors, 2 wrong usage or a file that cannot be read\n";

static const char help_help[] =
	"usage: ludic help [COMMAND]\n"
	"\n"
	"Shows the help of COMMAND (check, fmt, dump, run, state, test, help), or the\n"
	"list of commands.\n";

static const char help_run[] =
	"usage: ludic run PROGRAM [--events FILE|-] [--effects FILE|-] [--rejects FILE]\n"
	"                 [--until TIME] [--quiet]\n"
	"\n"
	"Applies PROGRAM to a stream of events and writes what happened. PROGRAM is\n"
	"a .ludic file, or a folder holding one program and its overlays (as\n"
	"`ludic check FOLDER` groups them). Events are JSON Lines, one event per line\n"
	"(docs/events.md); effects (awards, badges, tier changes, messages...) are\n"
	"written as JSON Lines, one effect per line (docs/cli.md).\n"
	"\n"
	"A line that cannot be applied (bad JSON, a missing field, an event too late)\n"
	"is a reject: it is reported with its line number and the reason, counted,\n"
	"and the run goes on. A summary ends the run, on stderr.\n"
	"\n"
	"options:\n"
	"  --events FILE|-    the events to apply (default: standard input)\n"
	"  --effects FILE|-   where to write the effects (default: standard output)\n"
	"  --rejects FILE     write the rejects there, as JSON Lines (default: on\n"
	"                     stderr, one readable line each: FILE:LINE:COLUMN: code...)\n"
	"  --until TIME       at the end, let time pass up to TIME for every customer\n"
	"                     (expiries, reminders, reviews, deadlines due by then);\n"
	"                     TIME is RFC 3339: 2027-04-01T00:00:00+02:00\n"
	"  -q, --quiet        no summary and no progress line\n"
	"  -h, --help         show this help\n"
	"\n"
	"exit status: 0 every event was read (rejects included: they are data, and\n"
	"are reported), 1 the program has errors (nothing runs), 2 wrong usage or a\n"
	"file that cannot be read or written\n";

static const char help_state[] =
	"usage: ludic state PROGRAM --customer ID [--events FILE|-] [--until TIME]\n"
	"                   [--format=text|json]\n"
	"\n"
	"Applies PROGRAM to the events (their effects are not shown) and prints the\n"
	"state of one customer as a person would read it: the balance of each wallet\n"
	"with the points pending and the next expiry, the status and the progress to\n"
	"the next tier, the level, the missions, streaks, badges, the limits used and\n"
	"the experiment variants.\n"
	"\n"
	"options:\n"
	"  --customer ID        the customer to show (required)\n"
	"  --events FILE|-      the events to apply first (default: standard input)\n"
	"  --until TIME         let time pass up to TIME first (RFC 3339)\n"
	"  --format=text|json   text for people (default), or one JSON document\n"
	"  -h, --help           show this help\n"
	"\n"
	"exit status: 0 shown, 1 the program has errors, 2 wrong usage or a file\n"
	"that cannot be read\n";

static const char help_test[] =
	"usage: ludic test FILE|FOLDER...\n"
	"\n"
	"Runs scenario files (*.scenario): each names a program, gives events, and\n"
	"says which effects, rejects and customer state must follow. A folder means\n"
	"every *.scenario file in it and in its subfolders. One line per scenario\n"
	"(ok, or FAILED with what differs and the line of the scenario file), then a\n"
	"summary. The format is described in docs/testing.md.\n"
	"\n"
	"options:\n"
	"  -q, --quiet   only the failures and the summary\n"
	"  -h, --help    show this help\n"
	"\n"
	"exit status: 0 every scenario passed, 1 a scenario failed (or its program\n"
	"has errors, or the scenario file is malformed), 2 wrong usage or a file\n"
	"that cannot be read\n";

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ludic: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The candidate closest to `word` if it is a likely typo, else NULL. */
static const char *suggest(const char *word, const char *const *candidates, size_t n)
{
	return ludic_suggest(word, candidates, n);
}

/* Writes `s` as a JSON string literal. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Reads a whole file (or stdin for "-") into malloc'd memory. NULL on error, errno set. */
static char *read_file(const char *path, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			char *more = realloc(buf, cap * 2);
			if (!more) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = more;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	int failed = ferror(fp);
	if (fp != stdin)
		fclose(fp);
	if (failed) {
		free(buf);
		errno = errno ? errno : EIO;
		return NULL;
	}
	if (buf)
		*len = n;
	else
		errno = ENOMEM;
	return buf;
}

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

/* One option a command accepts. */
typedef struct opt_spec {
	const char *name;            /* "--format" */
	const char *short_name;      /* "-q", or NULL */
	const char *const *values;   /* allowed values (NULL-terminated), or NULL for a flag */
} opt_spec;

#define MAX_OPTS 8

/* A parsed command line: for each spec, whether it was given and its value;
 * then the operands (files). */
typedef struct parsed_args {
	bool set[MAX_OPTS];          /* option i was given */
	const char *value[MAX_OPTS]; /* its value, for options with values */
	bool help;                   /* -h / --help was given */
	char **operands;             /* the other arguments, in order (points into argv) */
	int noperands;
} parsed_args;

/* Reports an unknown option of `cmd` with a did-you-mean. */
static void unknown_option(const char *cmd, const char *arg, const opt_spec *specs, size_t n)
{
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
	const char *names[MAX_OPTS + 1];
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		names[k++] = specs[i].name;
	names[k++] = "--help";
	usage_error("unknown option `%s` for `ludic %s`", name, cmd);
	const char *near = suggest(name, names, k);
	if (near)
		fprintf(stderr, "help: did you mean `%s`?\n", near);
	fprintf(stderr, "run `ludic help %s` for its options\n", cmd);
}

/* Parses argv (after the command name). Returns 0, or EXIT_USAGE after
 * printing why. `--` ends the options; `-` alone is an operand. */
static int parse_args(const char *cmd, int argc, char **argv, const opt_spec *specs, size_t n, parsed_args *out)
{
	memset(out, 0, sizeof *out);
	out->operands = calloc((size_t)argc + 1, sizeof *out->operands);
	if (!out->operands) {
		usage_error("out of memory");
		return EXIT_USAGE;
	}
	bool options_done = false;
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			out->operands[out->noperands++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			out->help = true;
			continue;
		}
		size_t namelen = strcspn(arg, "=");
		size_t k;
		for (k = 0; k < n; k++)
			if ((strlen(specs[k].name) == namelen && strncmp(arg, specs[k].name, namelen) == 0) ||
			    (specs[k].short_name && strcmp(arg, specs[k].short_name) == 0))
				break;
		if (k == n) {
			unknown_option(cmd, arg, specs, n);
			return EXIT_USAGE;
		}
		const char *value = NULL;
		if (specs[k].values) {
			if (arg[namelen] == '=')
				value = arg + namelen + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else {
				usage_error("option `%s` needs a value", specs[k].name);
				return EXIT_USAGE;
			}
			size_t v = 0;
			while (specs[k].values[v] && strcmp(specs[k].values[v], value) != 0)
				v++;
			/* An empty list of values: the value is free text (a file, a time). */
			if (!specs[k].values[v] && specs[k].values[0]) {
				usage_error("`%s` is not a value of `%s`", value, specs[k].name);
				size_t nv = 0;
				while (specs[k].values[nv])
					nv++;
				const char *near = suggest(value, specs[k].values, nv);
				if (near)
					fprintf(stderr, "help: did you mean `%s=%s`?\n", specs[k].name, near);
				else {
					fprintf(stderr, "help: the values are");
					for (v = 0; v < nv; v++)
						fprintf(stderr, "%s `%s`", v ? (v + 1 == nv ? " and" : ",") : "", specs[k].values[v]);
					fputc('\n', stderr);
				}
				return EXIT_USAGE;
			}
		} else if (arg[namelen] == '=') {
			usage_error("option `%s` takes no value", specs[k].name);
			return EXIT_USAGE;
		}
		out->set[k] = true;
		out->value[k] = value;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Files and folders                                                        */
/* ------------------------------------------------------------------------ */

typedef struct path_list {
	char **items; /* malloc'd strings */
	size_t count, cap;
} path_list;

static void paths_push(path_list *l, const char *p)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->items[i], p) == 0)
			return; /* each file once */
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		char **more = realloc(l->items, l->cap * sizeof *more);
		if (!more) {
			fputs("ludic: out of memory\n", stderr);
			exit(EXIT_USAGE);
		}
		l->items = more;
	}
	l->items[l->count++] = strdup(p);
}

static void paths_free(path_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the *.ludic files of folder `dir`, sorted. Returns false (message
 * printed) if it cannot be read or has none. */
static bool add_folder(path_list *l, const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp) {
		usage_error("cannot read folder `%s`: %s", dir, strerror(errno));
		return false;
	}
	path_list found = {0};
	size_t dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t n = strlen(e->d_name);
		if (n <= 6 || strcmp(e->d_name + n - 6, ".ludic") != 0 || e->d_name[0] == '.')
			continue;
		char *p = malloc(dlen + n + 2);
		if (!p)
			break;
		snprintf(p, dlen + n + 2, "%.*s/%s", (int)dlen, dir, e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			paths_push(&found, p);
		free(p);
	}
	closedir(dp);
	if (found.count == 0) {
		usage_error("no .ludic files in folder `%s`", dir);
		paths_free(&found);
		return false;
	}
	qsort(found.items, found.count, sizeof *found.items, cmp_str);
	for (size_t i = 0; i < found.count; i++)
		paths_push(l, found.items[i]);
	paths_free(&found);
	return true;
}

/* Expands operands: folders become their *.ludic files; files (readable or
 * not: the library reports unreadable ones) and "-" stay. Returns false if a
 * folder could not be used. */
static bool expand(path_list *l, char **operands, int n)
{
	bool ok = true;
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (strcmp(operands[i], "-") != 0 && stat(operands[i], &st) == 0 && S_ISDIR(st.st_mode))
			ok &= add_folder(l, operands[i]);
		else
			paths_push(l, operands[i]);
	}
	return ok;
}

/* ------------------------------------------------------------------------ */
/* Colours                                                                  */
/* ------------------------------------------------------------------------ */

static bool want_color(const char *mode)
{
	if (mode && strcmp(mode, "always") == 0)
		return true;
	if (mode && strcmp(mode, "never") == 0)
		return false;
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");
	return isatty(STDERR_FILENO) && !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
}

#define GREEN(c) ((c) ? "\033[1;32m" : "")
#define RED(c) ((c) ? "\033[1;31m" : "")
#define YELLOW(c) ((c) ? "\033[1;33m" : "")
#define RESET(c) ((c) ? "\033[0m" : "")

/* ------------------------------------------------------------------------ */
/* ludic check                                                              */
/* ------------------------------------------------------------------------ */

static const char *const format_values[] = {"text", "json", NULL};
static const char *const color_values[] = {"auto", "always", "never", NULL};
enum { CHECK_FORMAT, CHECK_COLOR, CHECK_DENY_WARNINGS, CHECK_QUIET };
static const opt_spec check_opts[] = {
	[CHECK_FORMAT] = {"--format", NULL, format_values},
	[CHECK_COLOR] = {"--color", NULL, color_values},
	[CHECK_DENY_WARNINGS] = {"--deny-warnings", NULL, NULL},
	[CHECK_QUIET] = {"--quiet", "-q", NULL},
};

/* The headers of the files to check, to pair overlays with their bases. */
static ludic_header *read_headers(const path_list *l)
{
	ludic_header *h = calloc(l->count ? l->count : 1, sizeof *h);
	if (!h) {
		fputs("ludic: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	for (size_t i = 0; i < l->count; i++) {
		size_t len = 0;
		char *text = read_file(l->items[i], &len);
		if (text)
			ludic_read_header(text, len, &h[i]);
		free(text);
	}
	return h;
}

/* Index of the file in `l` that is the base program of overlay `i`, or -1. */
static long base_among(const path_list *l, const ludic_header *h, size_t i)
{
	if (h[i].kind != LUDIC_FILE_OVERLAY)
		return -1;
	for (size_t j = 0; j < l->count; j++)
		if (j != i && h[j].kind == LUDIC_FILE_PROGRAM && strcmp(h[j].name, h[i].base) == 0)
			return (long)j;
	return -1;
}

/* The file the overlay was checked on top of (given quietly or discovered), or NULL. */
static const char *base_used(const ludic_compiler *c)
{
	ludic_file_info fi;
	for (size_t i = 0; i < ludic_compiler_file_count(c); i++)
		if (ludic_compiler_file(c, i, &fi) == LUDIC_OK && (fi.quiet || fi.discovered) &&
		    fi.header.kind == LUDIC_FILE_PROGRAM)
			return fi.name;
	return NULL;
}

/* Counters over every file checked. */
typedef struct check_totals {
	size_t errors, warnings; /* reported diagnostics, over all files */
	bool io_error;           /* some file could not be read (exit 2) */
	bool program_error;      /* some program has errors (exit 1) */
} check_totals;

/* Checks one file (with its base program when it is an overlay given with
 * its base) and prints what was found. */
static void check_one(const path_list *l, const ludic_header *h, size_t i, const parsed_args *a, bool json,
		      bool color, check_totals *t)
{
	ludic_compiler *c = ludic_compiler_new();
	if (!c) {
		fputs("ludic: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	long base = base_among(l, h, i);
	if (base >= 0)
		ludic_compiler_add_file(c, l->items[base], LUDIC_ADD_QUIET);
	ludic_compiler_add_file(c, l->items[i], 0);
	ludic_status st = ludic_compiler_check(c);
	size_t errors = ludic_compiler_error_count(c), warnings = ludic_compiler_warning_count(c);
	t->errors += errors;
	t->warnings += warnings;
	t->io_error |= st == LUDIC_ERR_IO;
	t->program_error |= st == LUDIC_ERR_PROGRAM;
	const char *b = base_used(c);

	if (json) {
		fputs(i ? ",\n{\"file\":" : "\n{\"file\":", stdout);
		json_string(stdout, l->items[i]);
		fputs(",\"base\":", stdout);
		if (b)
			json_string(stdout, b);
		else
			fputs("null", stdout);
		fprintf(stdout, ",\"status\":\"%s\",\"result\":",
			st == LUDIC_OK ? "ok" : st == LUDIC_ERR_IO ? "unreadable" : "errors");
		ludic_compiler_render(c, stdout, LUDIC_FORMAT_JSON, 0);
		fputc('}', stdout);
	} else {
		ludic_compiler_render(c, stderr, LUDIC_FORMAT_TEXT, color ? LUDIC_RENDER_COLOR : 0);
	}

	if (!a->set[CHECK_QUIET] && (l->count > 1 || b)) {
		fprintf(stderr, "%s: ", l->items[i]);
		if (st == LUDIC_ERR_IO)
			fprintf(stderr, "%snot read%s", RED(color), RESET(color));
		else if (errors)
			fprintf(stderr, "%s%zu %s%s", RED(color), errors, plural(errors, "error", "errors"), RESET(color));
		else if (st == LUDIC_ERR_PROGRAM)
			fprintf(stderr, "%sits base program has errors%s", RED(color), RESET(color));
		else
			fprintf(stderr, "%sok%s", GREEN(color), RESET(color));
		if (warnings)
			fprintf(stderr, ", %s%zu %s%s", YELLOW(color), warnings, plural(warnings, "warning", "warnings"),
				RESET(color));
		if (b)
			fprintf(stderr, " (on top of %s)", b);
		fputc('\n', stderr);
	}
	ludic_compiler_free(c);
}

static int cmd_check(int argc, char **argv)
{
	parsed_args a;
	int rc = parse_args("check", argc, argv, check_opts, sizeof check_opts / sizeof *check_opts, &a);
	if (rc || a.help) {
		if (!rc)
			fputs(help_check, stdout);
		free(a.operands);
		return rc;
	}
	if (a.noperands == 0) {
		usage_error("`ludic check` needs files or folders to check");
		fputs("help: for example `ludic check examples/`\n", stderr);
		free(a.operands);
		return EXIT_USAGE;
	}
	path_list l = {0};
	bool expanded = expand(&l, a.operands, a.noperands);
	free(a.operands);
	if (!expanded) {
		paths_free(&l);
		return EXIT_USAGE;
	}
	bool json = a.value[CHECK_FORMAT] && strcmp(a.value[CHECK_FORMAT], "json") == 0;
	bool color = !json && want_color(a.value[CHECK_COLOR]);
	ludic_header *h = read_headers(&l);
	check_totals t = {0};
	if (json)
		fputs("{\"checked\":[", stdout);
	for (size_t i = 0; i < l.count; i++)
		check_one(&l, h, i, &a, json, color, &t);
	if (json)
		fprintf(stdout, "%s],\"files\":%zu,\"errors\":%zu,\"warnings\":%zu}\n", l.count ? "\n" : "", l.count,
			t.errors, t.warnings);
	if (!a.set[CHECK_QUIET])
		fprintf(stderr, "checked %zu %s: %zu %s, %zu %s\n", l.count, plural(l.count, "file", "files"), t.errors,
			plural(t.errors, "error", "errors"), t.warnings, plural(t.warnings, "warning", "warnings"));
	free(h);
	paths_free(&l);
	if (t.io_error)
		return EXIT_USAGE;
	if (t.program_error || (a.set[CHECK_DENY_WARNINGS] && t.warnings))
		return EXIT_ERRORS;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* ludic fmt                                                                */
/* ------------------------------------------------------------------------ */

enum { FMT_CHECK };
static const opt_spec fmt_opts[] = {
	[FMT_CHECK] = {"--check", NULL, NULL},
};

/* Writes `len` bytes of `text` over `path` atomically: a temporary file in
 * the same folder, with the original's permissions, renamed over it. */
static bool write_atomically(const char *path, const char *text, size_t len)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return false;
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	if (!tmp)
		return false;
	snprintf(tmp, n, "%s.fmt-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return false;
	}
	bool ok = fchmod(fd, st.st_mode & 07777) == 0;
	for (size_t done = 0; ok && done < len;) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		done += ok ? (size_t)w : 0;
	}
	ok &= fsync(fd) == 0;
	ok &= close(fd) == 0;
	int err = errno;
	ok = ok && rename(tmp, path) == 0;
	if (!ok) {
		err = errno ? errno : err;
		unlink(tmp);
	}
	free(tmp);
	errno = err;
	return ok;
}

/* Formats one file (or stdin for "-"); returns its exit status. */
static int fmt_one(const char *path, bool check_only)
{
	bool is_stdin = strcmp(path, "-") == 0;
	size_t len = 0;
	char *orig = NULL;
	ludic_compiler *c = ludic_compiler_new();
	if (!c) {
		fputs("ludic: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	if (is_stdin) {
		orig = read_file("-", &len);
		if (!orig) {
			usage_error("cannot read standard input: %s", strerror(errno));
			ludic_compiler_free(c);
			return EXIT_USAGE;
		}
		ludic_compiler_add_source(c, "<stdin>", orig, len, 0);
	} else if (ludic_compiler_add_file(c, path, 0) == LUDIC_OK) {
		orig = read_file(path, &len);
	}
	char *out = NULL;
	size_t out_len = 0;
	FILE *mem = open_memstream(&out, &out_len);
	ludic_status st = mem ? ludic_compiler_format(c, 0, mem) : LUDIC_ERR_IO;
	if (mem)
		fclose(mem);
	int rc = 0;
	if (st != LUDIC_OK || !orig) {
		ludic_compiler_render(c, stderr, LUDIC_FORMAT_TEXT, want_color(NULL) ? LUDIC_RENDER_COLOR : 0);
		if (st == LUDIC_ERR_PROGRAM) {
			fprintf(stderr, "ludic: %s has syntax errors: not formatted\n", is_stdin ? "standard input" : path);
			rc = EXIT_ERRORS;
		} else {
			rc = EXIT_USAGE;
		}
	} else if (is_stdin && !check_only) {
		fwrite(out, 1, out_len, stdout);
	} else if (out_len != len || memcmp(out, orig, len) != 0) {
		if (check_only) {
			printf("%s\n", is_stdin ? "<stdin>" : path);
			rc = EXIT_ERRORS;
		} else if (!write_atomically(path, out, out_len)) {
			usage_error("cannot write `%s`: %s", path, strerror(errno));
			rc = EXIT_USAGE;
		} else {
			fprintf(stderr, "formatted %s\n", path);
		}
	}
	free(out);
	free(orig);
	ludic_compiler_free(c);
	return rc;
}

static int cmd_fmt(int argc, char **argv)
{
	parsed_args a;
	int rc = parse_args("fmt", argc, argv, fmt_opts, sizeof fmt_opts / sizeof *fmt_opts, &a);
	if (rc || a.help) {
		if (!rc)
			fputs(help_fmt, stdout);
		free(a.operands);
		return rc;
	}
	if (a.noperands == 0) {
		usage_error("`ludic fmt` needs files or folders to format, or `-` for standard input");
		free(a.operands);
		return EXIT_USAGE;
	}
	path_list l = {0};
	bool expanded = expand(&l, a.operands, a.noperands);
	free(a.operands);
	if (!expanded) {
		paths_free(&l);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < l.count; i++) {
		int r = fmt_one(l.items[i], a.set[FMT_CHECK]);
		rc = r > rc ? r : rc;
	}
	paths_free(&l);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* ludic dump                                                               */
/* ------------------------------------------------------------------------ */

enum { DUMP_AST, DUMP_TYPES, DUMP_POSITIONS, DUMP_IR, DUMP_LAYOUT };
static const opt_spec dump_opts[] = {
	[DUMP_AST] = {"--ast", NULL, NULL},
	[DUMP_TYPES] = {"--types", NULL, NULL},
	[DUMP_POSITIONS] = {"--positions", NULL, NULL},
	[DUMP_IR] = {"--ir", NULL, NULL},
	[DUMP_LAYOUT] = {"--layout", NULL, NULL},
};

static int exit_of(ludic_status st)
{
	return st == LUDIC_OK ? 0 : st == LUDIC_ERR_PROGRAM ? EXIT_ERRORS : EXIT_USAGE;
}

static int load_program(const char *path, FILE *diag, ludic_program **out);

static int cmd_dump(int argc, char **argv)
{
	parsed_args a;
	int rc = parse_args("dump", argc, argv, dump_opts, sizeof dump_opts / sizeof *dump_opts, &a);
	if (rc || a.help) {
		if (!rc)
			fputs(help_dump, stdout);
		free(a.operands);
		return rc;
	}
	int modes = a.set[DUMP_AST] + a.set[DUMP_TYPES] + a.set[DUMP_IR] + a.set[DUMP_LAYOUT];
	if (modes != 1) {
		usage_error("`ludic dump` needs exactly one of `--ast`, `--types`, `--ir` and `--layout`");
		free(a.operands);
		return EXIT_USAGE;
	}
	if (a.set[DUMP_POSITIONS] && !a.set[DUMP_AST]) {
		usage_error("`--positions` goes with `--ast`");
		free(a.operands);
		return EXIT_USAGE;
	}
	if (a.noperands == 0) {
		usage_error("`ludic dump` needs files");
		free(a.operands);
		return EXIT_USAGE;
	}
	if (a.set[DUMP_IR] || a.set[DUMP_LAYOUT]) {
		if (a.noperands != 1) {
			usage_error("`ludic dump %s` takes one program: a .ludic file, or a folder with a program and its overlays",
				    a.set[DUMP_IR] ? "--ir" : "--layout");
			free(a.operands);
			return EXIT_USAGE;
		}
		ludic_program *p = NULL;
		rc = load_program(a.operands[0], stderr, &p);
		free(a.operands);
		if (rc)
			return rc;
		ludic_status st = a.set[DUMP_IR] ? ludic_program_dump_ir(p, stdout) : ludic_program_dump_layout(p, stdout);
		ludic_program_free(p);
		return exit_of(st);
	}
	path_list l = {0};
	bool expanded = expand(&l, a.operands, a.noperands);
	free(a.operands);
	if (!expanded) {
		paths_free(&l);
		return EXIT_USAGE;
	}
	unsigned color = want_color(NULL) ? LUDIC_RENDER_COLOR : 0;
	if (a.set[DUMP_AST]) {
		for (size_t i = 0; i < l.count; i++) {
			ludic_compiler *c = ludic_compiler_new();
			if (!c)
				break;
			ludic_compiler_add_file(c, l.items[i], 0);
			ludic_status st = ludic_compiler_dump_ast(c, 0, stdout, a.set[DUMP_POSITIONS]);
			ludic_compiler_render(c, stderr, LUDIC_FORMAT_TEXT, color);
			int r = exit_of(st);
			rc = r > rc ? r : rc;
			ludic_compiler_free(c);
		}
	} else {
		ludic_compiler *c = ludic_compiler_new();
		if (c) {
			for (size_t i = 0; i < l.count; i++)
				ludic_compiler_add_file(c, l.items[i], 0);
			rc = exit_of(ludic_compiler_dump_types(c, stdout));
			ludic_compiler_render(c, stderr, LUDIC_FORMAT_TEXT, color);
			ludic_compiler_free(c);
		}
	}
	paths_free(&l);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Programs, times and numbers (run, state, test, dump --ir/--layout)       */
/* ------------------------------------------------------------------------ */

/* Compiles PROGRAM — a .ludic file, or a folder holding one program and its
 * overlays — and lowers it, ready to run. Diagnostics (errors and warnings)
 * are written to `diag` as `ludic check` shows them. Returns 0, EXIT_ERRORS
 * when the rules have errors, or EXIT_USAGE when a file or folder cannot be
 * read or the folder does not hold exactly one program. */
static int load_program(const char *path, FILE *diag, ludic_program **out)
{
	*out = NULL;
	path_list l = {0};
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!add_folder(&l, path)) {
			paths_free(&l);
			return EXIT_USAGE;
		}
		/* A folder is one program: its base and the overlays on top of it. */
		ludic_header *h = read_headers(&l);
		size_t programs = 0;
		for (size_t i = 0; i < l.count; i++)
			programs += h[i].kind == LUDIC_FILE_PROGRAM;
		free(h);
		if (programs > 1) {
			fprintf(diag, "ludic: folder `%s` holds %zu programs, not one program and its overlays\n", path,
				programs);
			fputs("help: give one .ludic file, or a folder with one `program` file and its overlays\n", diag);
			paths_free(&l);
			return EXIT_USAGE;
		}
	} else {
		paths_push(&l, path);
	}
	ludic_compiler *c = ludic_compiler_new();
	if (!c) {
		fputs("ludic: out of memory\n", diag);
		paths_free(&l);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < l.count; i++)
		ludic_compiler_add_file(c, l.items[i], 0);
	paths_free(&l);
	ludic_status s = ludic_program_new(c, out);
	ludic_compiler_render(c, diag, LUDIC_FORMAT_TEXT,
			      diag == stderr && want_color(NULL) ? LUDIC_RENDER_COLOR : 0);
	if (s == LUDIC_ERR_PROGRAM)
		fprintf(diag, "ludic: `%s` has errors: nothing was run (`ludic check %s` lists them)\n", path, path);
	ludic_compiler_free(c);
	if (s != LUDIC_OK) {
		ludic_program_free(*out);
		*out = NULL;
		return s == LUDIC_ERR_PROGRAM ? EXIT_ERRORS : EXIT_USAGE;
	}
	return 0;
}

/* `n` with a comma every three digits, for people: 12,345. */
static const char *grouped(long long n, char *buf, size_t cap)
{
	char digitsbuf[32];
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	int len = snprintf(digitsbuf, sizeof digitsbuf, "%llu", u);
	size_t o = 0;
	if (n < 0 && o + 1 < cap)
		buf[o++] = '-';
	for (int i = 0; i < len && o + 1 < cap; i++) {
		if (i && (len - i) % 3 == 0 && o + 1 < cap)
			buf[o++] = ',';
		if (o + 1 < cap)
			buf[o++] = digitsbuf[i];
	}
	buf[o] = 0;
	return buf;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------ */
/* Reading events and writing effects and rejects                           */
/* ------------------------------------------------------------------------ */

/* The decoder's limit on one line, line end included (docs/events.md). */
#define MAX_LINE (1u << 20)

/* Reads a JSON Lines stream line by line, with no limit on the number of
 * lines; a line over MAX_LINE is not kept (its bytes are counted and
 * skipped), so memory stays bounded whatever the input. */
typedef struct line_reader {
	FILE *fp;                     /* the stream */
	char *buf;                    /* the current line, NUL-terminated, without its newline */
	size_t cap;                   /* bytes allocated in buf */
	unsigned long long line_no;   /* 1-based number of the current line */
} line_reader;

/* Reads the next line. Returns false at the end of the stream (or on a read
 * error: check ferror). `*len` is the bytes kept in buf; `*full` is the
 * line's whole length, its newline included (over MAX_LINE: too long). */
static bool read_line(line_reader *r, size_t *len, unsigned long long *full)
{
	size_t n = 0;
	unsigned long long total = 0;
	int ch = EOF;
	while ((ch = getc_unlocked(r->fp)) != EOF) {
		total++;
		if (ch == '\n')
			break;
		if (total > MAX_LINE)
			continue; /* too long: count the rest, keep nothing */
		if (n + 2 > r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 4096;
			char *more = realloc(r->buf, cap);
			if (!more) {
				fputs("ludic: out of memory\n", stderr);
				exit(EXIT_USAGE);
			}
			r->buf = more;
			r->cap = cap;
		}
		r->buf[n++] = (char)ch;
	}
	if (ch == EOF && total == 0)
		return false;
	if (!r->buf) {
		r->buf = malloc(16);
		if (!r->buf) {
			fputs("ludic: out of memory\n", stderr);
			exit(EXIT_USAGE);
		}
		r->cap = 16;
	}
	r->buf[n] = 0;
	r->line_no++;
	*len = n;
	*full = total;
	return true;
}

/* A line of only spaces, tabs and a carriage return: not an event, not a reject. */
static bool blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* A growable text buffer. */
typedef struct strbuf {
	char *s;
	size_t len, cap;
} strbuf;

static void sb_reserve(strbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		fputs("ludic: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	b->s = s;
	b->cap = cap;
}

static void sb_add(strbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void sb_json_string(strbuf *b, const char *s)
{
	sb_add(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char esc[2] = {'\\', (char)*p};
			sb_add(b, esc, 2);
		} else if (*p < 0x20) {
			sb_printf(b, "\\u%04x", *p);
		} else {
			sb_add(b, (const char *)p, 1);
		}
	}
	sb_add(b, "\"", 1);
}

/* The JSON Lines form of a reject (docs/cli.md): line, column, code, field,
 * message, event, and the input it came from. */
static void reject_json(strbuf *b, const ludic_reject *r, const char *input)
{
	b->len = 0;
	sb_printf(b, "{\"line\":%llu,\"column\":%u,\"code\":", r->line, r->column);
	sb_json_string(b, r->code ? r->code : "");
	if (r->field) {
		sb_add(b, ",\"field\":", 9);
		sb_json_string(b, r->field);
	}
	sb_add(b, ",\"message\":", 11);
	sb_json_string(b, r->message ? r->message : "");
	if (r->event_id) {
		sb_add(b, ",\"event\":", 9);
		sb_json_string(b, r->event_id);
	}
	if (input) {
		sb_add(b, ",\"input\":", 9);
		sb_json_string(b, input);
	}
	sb_add(b, "}", 1);
}

/* A reject for people: `events.jsonl:12:5: missing lines[2].price: message`. */
static void reject_text(FILE *out, const ludic_reject *r, const char *input)
{
	fprintf(out, "%s:%llu:", input, r->line);
	if (r->column)
		fprintf(out, "%u:", r->column);
	fprintf(out, " %s", r->code ? r->code : "rejected");
	if (r->field)
		fprintf(out, " %s", r->field);
	fprintf(out, ": %s\n", r->message ? r->message : "");
}

/* Everything one `ludic run` (or `state`) needs while events flow. */
struct run_ctx;
typedef struct run_ctx {
	const char *input;              /* the events' name in messages ("<stdin>" for -) */
	FILE *effects;                  /* where effects go, or NULL to drop them */
	FILE *rejects_json;             /* --rejects FILE, or NULL */
	bool rejects_text;              /* without --rejects: readable lines on stderr */
	strbuf line;                    /* scratch for one output line */
	/* The program's UTC offsets, as seen on effects: for each offset, the
	 * first and last instant it was seen at. ludic.h gives no zone lookup,
	 * so `ludic state` shows a time with the offset seen nearest to it. */
	/* counters, from the results of the pushes */
	unsigned long long read, applied, duplicates, rejected, anonymous;
} run_ctx;

static void on_effect_out(void *user, const ludic_effect *fx)
{
	run_ctx *x = user;
	if (!x->effects)
		return;
	sb_reserve(&x->line, 512);
	size_t need = ludic_effect_to_json(fx, x->line.s, x->line.cap);
	if (need + 1 > x->line.cap) {
		sb_reserve(&x->line, need + 1);
		ludic_effect_to_json(fx, x->line.s, x->line.cap);
	}
	fwrite(x->line.s, 1, need, x->effects);
	putc_unlocked('\n', x->effects);
}

static void on_reject_out(void *user, const ludic_reject *r)
{
	run_ctx *x = user;
	if (x->rejects_json) {
		reject_json(&x->line, r, x->input);
		fwrite(x->line.s, 1, x->line.len, x->rejects_json);
		putc('\n', x->rejects_json);
	} else if (x->rejects_text) {
		reject_text(stderr, r, x->input);
	}
}

/* A reject the command makes itself: a line over the decoder's limit is
 * not handed to the engine (it is never kept whole in memory). */
static void reject_too_long(run_ctx *x, unsigned long long line_no, unsigned long long full)
{
	char msg[256];
	snprintf(msg, sizeof msg,
		 "the line is %llu bytes long, over the limit of %u (1 MiB): are several events on one line, "
		 "without a newline between them?",
		 full, MAX_LINE);
	ludic_reject r = {.line = line_no, .column = 0, .code = "limit", .message = msg};
	on_reject_out(x, &r);
	x->rejected++;
}

/* Applies every line of `fp` to `e`. Shows a progress line on a terminal
 * when `progress`. Returns false on a read error (message printed). */
static bool feed_events(ludic_engine *e, FILE *fp, run_ctx *x, bool progress)
{
	line_reader r = {.fp = fp};
	size_t len;
	unsigned long long full;
	double start = now_seconds(), last = start;
	bool shown = false;
	while (read_line(&r, &len, &full)) {
		if (full > MAX_LINE) {
			x->read++;
			reject_too_long(x, r.line_no, full);
			continue;
		}
		if (blank_line(r.buf, len))
			continue;
		x->read++;
		int res = ludic_engine_push_json(e, r.buf, len, r.line_no);
		switch (res) {
		case LUDIC_APPLIED: x->applied++; break;
		case LUDIC_DUPLICATE: x->duplicates++; break;
		case LUDIC_ANONYMOUS: x->anonymous++; break;
		case LUDIC_BLANK: x->read--; break; /* the engine's own blank-line rule */
		default: x->rejected++; break;
		}
		if (progress && (x->read & 1023) == 0) {
			double t = now_seconds();
			if (t - last >= 0.5) {
				char n1[32], n2[32];
				fprintf(stderr, "\r%s events read (%s per second)...", grouped((long long)x->read, n1, sizeof n1),
					grouped((long long)((double)x->read / (t - start)), n2, sizeof n2));
				last = t;
				shown = true;
			}
		}
	}
	if (shown)
		fputs("\r\033[K", stderr);
	bool failed = ferror(fp);
	if (failed)
		usage_error("cannot read `%s`: %s", x->input, strerror(errno));
	free(r.buf);
	return !failed;
}

/* Opens --events (or stdin). NULL after printing why. */
static FILE *open_events(const char *path, const char **name)
{
	if (!path || strcmp(path, "-") == 0) {
		*name = "<stdin>";
		return stdin;
	}
	*name = path;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		usage_error("cannot read events from `%s`: it is a folder; give a .jsonl file", path);
		return NULL;
	}
	FILE *fp = fopen(path, "rb");
	if (!fp)
		usage_error("cannot read events from `%s`: %s", path, strerror(errno));
	return fp;
}

/* Reads --until into Unix seconds; false after printing why. */
static bool until_option(const char *value, long long *t)
{
	char why[160];
	if (ludic_time_parse(value, strlen(value), t, why, sizeof why) == LUDIC_OK)
		return true;
	usage_error("`--until %s` is not a time: %s", value, why);
	fputs("help: write it in RFC 3339, with its UTC offset: --until 2027-04-01T00:00:00+02:00\n", stderr);
	return false;
}

/* ------------------------------------------------------------------------ */
/* ludic run                                                                */
/* ------------------------------------------------------------------------ */

static const char *const any_value[] = {NULL}; /* options whose value is free text */
enum { RUN_EVENTS, RUN_EFFECTS, RUN_REJECTS, RUN_UNTIL, RUN_QUIET };
static const opt_spec run_opts[] = {
	[RUN_EVENTS] = {"--events", NULL, any_value},
	[RUN_EFFECTS] = {"--effects", NULL, any_value},
	[RUN_REJECTS] = {"--rejects", NULL, any_value},
	[RUN_UNTIL] = {"--until", NULL, any_value},
	[RUN_QUIET] = {"--quiet", "-q", NULL},
};

/* Bytes for people: 812 bytes, 4.2 KiB, 1.3 MiB. */
static void format_bytes(size_t n, char *buf, size_t cap)
{
	if (n < 1024)
		snprintf(buf, cap, "%zu %s", n, plural(n, "byte", "bytes"));
	else if (n < 1024 * 1024)
		snprintf(buf, cap, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, cap, "%.1f MiB", (double)n / (1024 * 1024));
}

static void print_summary(const ludic_engine *e, const run_ctx *x, double seconds)
{
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	char a[32], b[32], c[32], d[32], f[32];
	fprintf(stderr, "read %s %s from %s in %.2f s", grouped((long long)x->read, a, sizeof a),
		plural(x->read, "event", "events"), x->input, seconds);
	if (seconds > 0)
		fprintf(stderr, " (%s events per second)", grouped((long long)((double)x->read / seconds), b, sizeof b));
	fputc('\n', stderr);
	fprintf(stderr, "  applied %s, duplicates %s, rejected %s, anonymous %s\n",
		grouped((long long)x->applied, a, sizeof a), grouped((long long)x->duplicates, b, sizeof b),
		grouped((long long)x->rejected, c, sizeof c), grouped((long long)x->anonymous, d, sizeof d));
	unsigned long long total = 0;
	for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++)
		total += st.effects[k];
	fprintf(stderr, "  effects %s", grouped((long long)total, a, sizeof a));
	const char *sep = ": ";
	for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++) {
		if (!st.effects[k])
			continue;
		fprintf(stderr, "%s%s %s", sep, ludic_effect_kind_name((ludic_effect_kind)k),
			grouped((long long)st.effects[k], b, sizeof b));
		sep = ", ";
	}
	fputc('\n', stderr);
	format_bytes(st.state_bytes, f, sizeof f);
	fprintf(stderr, "  customers %s, staff %s, state %s\n", grouped((long long)st.customers, a, sizeof a),
		grouped((long long)st.staff, b, sizeof b), f);
}

static int cmd_run(int argc, char **argv)
{
	parsed_args a;
	int rc = parse_args("run", argc, argv, run_opts, sizeof run_opts / sizeof *run_opts, &a);
	if (rc || a.help) {
		if (!rc)
			fputs(help_run, stdout);
		free(a.operands);
		return rc;
	}
	if (a.noperands != 1) {
		if (a.noperands)
			usage_error("`ludic run` takes one program (a file, or a folder with a program and its overlays), not %d",
				    a.noperands);
		else
			usage_error("`ludic run` needs a program");
		fputs("help: for example `ludic run examples/retailer/ --events examples/retailer/events.jsonl`\n",
		      stderr);
		free(a.operands);
		return EXIT_USAGE;
	}
	long long until = 0;
	if (a.set[RUN_UNTIL] && !until_option(a.value[RUN_UNTIL], &until)) {
		free(a.operands);
		return EXIT_USAGE;
	}
	const char *program_path = a.operands[0];
	free(a.operands);

	run_ctx x = {.rejects_text = true};
	FILE *in = open_events(a.value[RUN_EVENTS], &x.input);
	if (!in)
		return EXIT_USAGE;
	const char *effects_path = a.value[RUN_EFFECTS];
	bool effects_stdout = !effects_path || strcmp(effects_path, "-") == 0;
	x.effects = effects_stdout ? stdout : fopen(effects_path, "w");
	if (!x.effects) {
		usage_error("cannot write effects to `%s`: %s", effects_path, strerror(errno));
		if (in != stdin)
			fclose(in);
		return EXIT_USAGE;
	}
	const char *rejects_path = a.value[RUN_REJECTS];
	if (rejects_path) {
		x.rejects_json = strcmp(rejects_path, "-") == 0 ? stdout : fopen(rejects_path, "w");
		if (!x.rejects_json) {
			usage_error("cannot write rejects to `%s`: %s", rejects_path, strerror(errno));
			rc = EXIT_USAGE;
			goto close_files;
		}
		x.rejects_text = false;
	}

	ludic_program *p = NULL;
	rc = load_program(program_path, stderr, &p);
	if (rc)
		goto close_files;
	ludic_engine_options opt = {.on_effect = on_effect_out, .effect_user = &x,
				    .on_reject = on_reject_out, .reject_user = &x};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK) {
		usage_error("cannot start the engine: %s", e ? ludic_engine_error(e) : "out of memory");
		ludic_program_free(p);
		rc = EXIT_USAGE;
		goto close_files;
	}
	bool quiet = a.set[RUN_QUIET];
	double start = now_seconds();
	bool read_ok = feed_events(e, in, &x, !quiet && isatty(STDERR_FILENO));
	if (a.set[RUN_UNTIL] && ludic_engine_advance(e, until) != LUDIC_OK) {
		usage_error("cannot let time pass up to %s: %s", a.value[RUN_UNTIL], ludic_engine_error(e));
		read_ok = false;
	}
	double seconds = now_seconds() - start;
	if (fflush(x.effects) != 0 || ferror(x.effects)) {
		usage_error("cannot write the effects to `%s`: %s", effects_stdout ? "standard output" : effects_path,
			    strerror(errno));
		read_ok = false;
	}
	if (x.rejects_json && (fflush(x.rejects_json) != 0 || ferror(x.rejects_json))) {
		usage_error("cannot write the rejects to `%s`: %s", rejects_path, strerror(errno));
		read_ok = false;
	}
	if (!quiet)
		print_summary(e, &x, seconds);
	ludic_engine_free(e);
	ludic_program_free(p);
	rc = read_ok ? 0 : EXIT_USAGE;
close_files:
	if (in != stdin)
		fclose(in);
	if (x.effects && x.effects != stdout)
		fclose(x.effects);
	if (x.rejects_json && x.rejects_json != stdout)
		fclose(x.rejects_json);
	free(x.line.s);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* ludic state                                                              */
/* ------------------------------------------------------------------------ */

enum { STATE_EVENTS, STATE_CUSTOMER, STATE_UNTIL, STATE_FORMAT };
static const opt_spec state_opts[] = {
	[STATE_EVENTS] = {"--events", NULL, any_value},
	[STATE_CUSTOMER] = {"--customer", NULL, any_value},
	[STATE_UNTIL] = {"--until", NULL, any_value},
	[STATE_FORMAT] = {"--format", NULL, format_values},
};

/* A progress bar of `width` cells: [#########-----]. */
static void progress_bar(FILE *out, long long value, long long goal, int width)
{
	int filled = 0;
	if (goal > 0 && value > 0)
		filled = value >= goal ? width : (int)((double)value * width / (double)goal);
	fputc('[', out);
	for (int i = 0; i < width; i++)
		fputc(i < filled ? '#' : '-', out);
	fputc(']', out);
}

static void state_text(FILE *out, const ludic_customer_view *v, const ludic_program *p, long long now)
{
	char t1[40], n1[32], n2[32], n3[32];
	fprintf(out, "customer %s", v->id);
	if (!v->known)
		fputs(" (no event of this customer was applied: the state of a new customer)", out);
	fputc('\n', out);
	ludic_program_format_time(p, now, false, t1, sizeof t1);
	fprintf(out, "  program %s%s%s, as of %s\n", ludic_program_name(p), *ludic_program_version(p) ? " " : "",
		ludic_program_version(p), t1);
	if (v->known && v->last_event_at) {
		ludic_program_format_time(p, v->last_event_at, false, t1, sizeof t1);
		fprintf(out, "  last event at %s\n", t1);
	}
	if (v->nbalances) {
		fputs("\nwallets\n", out);
		for (size_t i = 0; i < v->nbalances; i++) {
			const ludic_balance_view *b = &v->balances[i];
			fprintf(out, "  %-22s %s spendable", b->label ? b->label : b->wallet,
				grouped(b->balance, n1, sizeof n1));
			if (b->pending)
				fprintf(out, ", %s pending", grouped(b->pending, n2, sizeof n2));
			fprintf(out, ", %s earned in all", grouped(b->earned, n3, sizeof n3));
			if (b->label)
				fprintf(out, " (%s)", b->wallet);
			fputc('\n', out);
			if (b->next_expiry_amount) {
				ludic_program_format_time(p, b->next_expiry_at, true, t1, sizeof t1);
				fprintf(out, "  %-22s next expiry: %s on %s\n", "", grouped(b->next_expiry_amount, n1, sizeof n1),
					t1);
			}
		}
	}
	for (size_t i = 0; i < v->nladders; i++) {
		const ludic_ladder_view *l = &v->ladders[i];
		fprintf(out, "\n%s %s\n", l->level ? "level" : "status", l->ladder);
		fprintf(out, "  %s", l->rung ? l->rung : "(none yet)");
		if (l->since) {
			ludic_program_format_time(p, l->since, true, t1, sizeof t1);
			fprintf(out, " since %s", t1);
		}
		fputc('\n', out);
		if (l->next) {
			fputs("  ", out);
			progress_bar(out, l->metric, l->next_at, 20);
			fprintf(out, " %s / %s to %s\n", grouped(l->metric, n1, sizeof n1), grouped(l->next_at, n2, sizeof n2),
				l->next);
		} else {
			fprintf(out, "  the top %s (measure: %s)\n", l->level ? "level" : "tier", grouped(l->metric, n1, sizeof n1));
		}
	}
	if (v->nmissions) {
		fputs("\nmissions\n", out);
		for (size_t i = 0; i < v->nmissions; i++) {
			const ludic_mission_view *m = &v->missions[i];
			fprintf(out, "  %s: ", m->mission);
			if (m->complete)
				fprintf(out, "complete (%u of %u steps)", m->done, m->steps);
			else if (m->expired)
				fprintf(out, "closed unfinished (%u of %u steps done)", m->done, m->steps);
			else if (!m->started)
				fprintf(out, "not started (%u steps)", m->steps);
			else {
				fprintf(out, "%u of %u steps done", m->done, m->steps);
				if (m->next_step) {
					fprintf(out, "; open: \"%s\"", m->next_step);
					if (m->times > 1)
						fprintf(out, " (%u of %u times)", m->count, m->times);
				}
			}
			if (m->deadline && !m->complete) {
				ludic_program_format_time(p, m->deadline, false, t1, sizeof t1);
				fprintf(out, "; deadline %s", t1);
			}
			fputc('\n', out);
		}
	}
	if (v->nstreaks) {
		fputs("\nstreaks\n", out);
		for (size_t i = 0; i < v->nstreaks; i++) {
			const ludic_streak_view *s = &v->streaks[i];
			fprintf(out, "  %s: %u of %u in a row", s->streak, s->length, s->goal);
			if (s->grace_used)
				fprintf(out, " (%u missed %s forgiven)", s->grace_used, plural(s->grace_used, "period", "periods"));
			fputc('\n', out);
		}
	}
	fputs("\nbadges\n  ", out);
	if (!v->nbadges)
		fputs("(none)", out);
	for (size_t i = 0; i < v->nbadges; i++)
		fprintf(out, "%s%s", i ? ", " : "", v->badges[i]);
	fputc('\n', out);
	if (v->ncaps) {
		fputs("\nlimits used\n", out);
		for (size_t i = 0; i < v->ncaps; i++) {
			const ludic_cap_view *c = &v->caps[i];
			bool ever = strcmp(c->period, "customer") == 0 || strcmp(c->period, "campaign") == 0;
			fprintf(out, "  %s: %s of %s%s%s %s %s\n", c->rule, grouped(c->used, n1, sizeof n1),
				grouped(c->limit, n2, sizeof n2), c->wallet ? " " : "", c->wallet ? c->wallet : "",
				ever ? "per" : "this", c->period);
		}
	}
	if (v->nvariants) {
		fputs("\nexperiments\n", out);
		for (size_t i = 0; i < v->nvariants; i++)
			fprintf(out, "  %s: %s\n", v->variants[i].experiment, v->variants[i].variant);
	}
}

static void json_time(FILE *out, long long t, const ludic_program *p)
{
	if (!t) {
		fputs("null", out);
		return;
	}
	char buf[40];
	ludic_program_format_time(p, t, false, buf, sizeof buf);
	json_string(out, buf);
}

static void json_opt_string(FILE *out, const char *s)
{
	if (s)
		json_string(out, s);
	else
		fputs("null", out);
}

static void state_json(FILE *out, const ludic_customer_view *v, const ludic_program *p, long long now)
{
	fputs("{\"customer\":", out);
	json_string(out, v->id);
	fprintf(out, ",\"known\":%s,\"as_of\":", v->known ? "true" : "false");
	json_time(out, now, p);
	fputs(",\"last_event_at\":", out);
	json_time(out, v->known ? v->last_event_at : 0, p);
	fputs(",\"wallets\":[", out);
	for (size_t i = 0; i < v->nbalances; i++) {
		const ludic_balance_view *b = &v->balances[i];
		fputs(i ? ",{\"wallet\":" : "{\"wallet\":", out);
		json_string(out, b->wallet);
		fputs(",\"label\":", out);
		json_opt_string(out, b->label);
		fprintf(out, ",\"balance\":%lld,\"pending\":%lld,\"earned\":%lld,\"next_expiry\":", b->balance, b->pending,
			b->earned);
		if (b->next_expiry_amount) {
			fprintf(out, "{\"amount\":%lld,\"at\":", b->next_expiry_amount);
			json_time(out, b->next_expiry_at, p);
			fputc('}', out);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fputs("],\"ladders\":[", out);
	for (size_t i = 0; i < v->nladders; i++) {
		const ludic_ladder_view *l = &v->ladders[i];
		fputs(i ? ",{\"ladder\":" : "{\"ladder\":", out);
		json_string(out, l->ladder);
		fprintf(out, ",\"kind\":\"%s\",\"rung\":", l->level ? "levels" : "tiers");
		json_opt_string(out, l->rung);
		fputs(",\"since\":", out);
		json_time(out, l->since, p);
		fprintf(out, ",\"metric\":%lld,\"rung_at\":%lld,\"next\":", l->metric, l->rung_at);
		json_opt_string(out, l->next);
		fputs(",\"next_at\":", out);
		if (l->next)
			fprintf(out, "%lld}", l->next_at);
		else
			fputs("null}", out);
	}
	fputs("],\"missions\":[", out);
	for (size_t i = 0; i < v->nmissions; i++) {
		const ludic_mission_view *m = &v->missions[i];
		fputs(i ? ",{\"mission\":" : "{\"mission\":", out);
		json_string(out, m->mission);
		fprintf(out, ",\"steps\":%u,\"done\":%u,\"next_step\":", m->steps, m->done);
		json_opt_string(out, m->next_step);
		fprintf(out, ",\"count\":%u,\"times\":%u,\"started\":%s,\"complete\":%s,\"expired\":%s,\"deadline\":",
			m->count, m->times, m->started ? "true" : "false", m->complete ? "true" : "false",
			m->expired ? "true" : "false");
		json_time(out, m->deadline, p);
		fputc('}', out);
	}
	fputs("],\"streaks\":[", out);
	for (size_t i = 0; i < v->nstreaks; i++) {
		const ludic_streak_view *s = &v->streaks[i];
		fputs(i ? ",{\"streak\":" : "{\"streak\":", out);
		json_string(out, s->streak);
		fprintf(out, ",\"length\":%u,\"goal\":%u,\"grace_used\":%u}", s->length, s->goal, s->grace_used);
	}
	fputs("],\"badges\":[", out);
	for (size_t i = 0; i < v->nbadges; i++) {
		if (i)
			fputc(',', out);
		json_string(out, v->badges[i]);
	}
	fputs("],\"limits\":[", out);
	for (size_t i = 0; i < v->ncaps; i++) {
		const ludic_cap_view *c = &v->caps[i];
		fputs(i ? ",{\"rule\":" : "{\"rule\":", out);
		json_string(out, c->rule);
		fputs(",\"period\":", out);
		json_string(out, c->period);
		fputs(",\"wallet\":", out);
		json_opt_string(out, c->wallet);
		fprintf(out, ",\"used\":%lld,\"limit\":%lld}", c->used, c->limit);
	}
	fputs("],\"variants\":{", out);
	for (size_t i = 0; i < v->nvariants; i++) {
		if (i)
			fputc(',', out);
		json_string(out, v->variants[i].experiment);
		fputc(':', out);
		json_string(out, v->variants[i].variant);
	}
	fputs("}}\n", out);
}

static int cmd_state(int argc, char **argv)
{
	parsed_args a;
	int rc = parse_args("state", argc, argv, state_opts, sizeof state_opts / sizeof *state_opts, &a);
	if (rc || a.help) {
		if (!rc)
			fputs(help_state, stdout);
		free(a.operands);
		return rc;
	}
	if (a.noperands != 1 || !a.set[STATE_CUSTOMER]) {
		usage_error(a.noperands != 1 ? "`ludic state` takes one program" : "`ludic state` needs `--customer ID`");
		fputs("help: for example `ludic state examples/retailer/ --events examples/retailer/events.jsonl "
		      "--customer c-1001`\n",
		      stderr);
		free(a.operands);
		return EXIT_USAGE;
	}
	const char *customer = a.value[STATE_CUSTOMER];
	if (!*customer) {
		usage_error("`--customer` needs a customer id, not an empty text");
		free(a.operands);
		return EXIT_USAGE;
	}
	long long until = 0;
	if (a.set[STATE_UNTIL] && !until_option(a.value[STATE_UNTIL], &until)) {
		free(a.operands);
		return EXIT_USAGE;
	}
	const char *program_path = a.operands[0];
	free(a.operands);
	run_ctx x = {0};
	FILE *in = open_events(a.value[STATE_EVENTS], &x.input);
	if (!in)
		return EXIT_USAGE;
	ludic_program *p = NULL;
	rc = load_program(program_path, stderr, &p);
	if (rc) {
		if (in != stdin)
			fclose(in);
		return rc;
	}
	/* Effects are not shown; the callback only notes the zone's offset. */
	ludic_engine_options opt = {.on_effect = on_effect_out, .effect_user = &x};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK) {
		usage_error("cannot start the engine: %s", e ? ludic_engine_error(e) : "out of memory");
		ludic_program_free(p);
		if (in != stdin)
			fclose(in);
		return EXIT_USAGE;
	}
	bool ok = feed_events(e, in, &x, false);
	if (in != stdin)
		fclose(in);
	if (ok && a.set[STATE_UNTIL] && ludic_engine_advance(e, until) != LUDIC_OK) {
		usage_error("cannot let time pass up to %s: %s", a.value[STATE_UNTIL], ludic_engine_error(e));
		ok = false;
	}
	ludic_customer_view v;
	if (ok && ludic_engine_customer(e, customer, strlen(customer), &v) != LUDIC_OK) {
		usage_error("cannot read the state of `%s`: %s", customer, ludic_engine_error(e));
		ok = false;
	}
	if (ok) {
		/* Times are shown as the program's time zone has them. */
		long long now = a.set[STATE_UNTIL] ? until : v.last_event_at;
		if (a.value[STATE_FORMAT] && strcmp(a.value[STATE_FORMAT], "json") == 0)
			state_json(stdout, &v, p, now);
		else
			state_text(stdout, &v, p, now);
		fflush(stdout);
		if (x.rejected)
			fprintf(stderr, "note: %llu %s rejected (`ludic run` shows why)\n", x.rejected,
				x.rejected == 1 ? "event was" : "events were");
	}
	ludic_engine_free(e);
	ludic_program_free(p);
	free(x.line.s);
	return ok ? 0 : EXIT_USAGE;
}

/* ------------------------------------------------------------------------ */
/* ludic test: scenario files                                               */
/* ------------------------------------------------------------------------ */

/* A scenario file (docs/testing.md) is read line by line:
 *
 *   program PATH            the program (relative to the scenario's folder)
 *   events                  JSON lines follow: events, applied in order
 *   until TIME              let time pass (RFC 3339)
 *   expect effects          JSON lines follow: every effect, in order
 *   expect no effects
 *   expect rejects          JSON lines follow: every reject, in order
 *   expect no rejects
 *   expect state CUSTOMER   fact lines follow: balance, pending, earned,
 *                           tier, level, badge, no badge, mission, streak
 *
 * Events and `until` lines make a round; the `expect` lines after them
 * compare what that round produced. A round whose rejects are not expected
 * fails: a typo in an event must not go unnoticed. */

/* ---- a small JSON reader, for comparing expected and actual lines ---- */

typedef struct jval {
	char kind;            /* 's' string, 'n' number, 't'/'f' true/false, 'z' null, 'o' object, 'a' array */
	char *text;           /* 's': decoded text; 'n': the number as written */
	char **keys;          /* 'o': the keys, in order */
	struct jval *items;   /* 'o': the values; 'a': the items */
	size_t n;             /* 'o', 'a': how many */
} jval;

static void jfree(jval *v)
{
	free(v->text);
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jfree(&v->items[i]);
	}
	free(v->keys);
	free(v->items);
	memset(v, 0, sizeof *v);
}

static void jskip(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
}

static void put_utf8(strbuf *b, unsigned long c)
{
	char u[4];
	size_t n;
	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3F));
		u[2] = (char)(0x80 | (c >> 6 & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	sb_add(b, u, n);
}

static bool jstring(const char **p, char **out)
{
	strbuf b = {0};
	sb_reserve(&b, 16);
	(*p)++;
	while (**p != '"') {
		unsigned char c = (unsigned char)**p;
		if (c == 0 || c < 0x20) {
			free(b.s);
			return false;
		}
		if (c != '\\') {
			sb_add(&b, *p, 1);
			(*p)++;
			continue;
		}
		(*p)++;
		char e = **p;
		(*p)++;
		switch (e) {
		case '"': sb_add(&b, "\"", 1); break;
		case '\\': sb_add(&b, "\\", 1); break;
		case '/': sb_add(&b, "/", 1); break;
		case 'b': sb_add(&b, "\b", 1); break;
		case 'f': sb_add(&b, "\f", 1); break;
		case 'n': sb_add(&b, "\n", 1); break;
		case 'r': sb_add(&b, "\r", 1); break;
		case 't': sb_add(&b, "\t", 1); break;
		case 'u': {
			unsigned long c1 = 0;
			for (int i = 0; i < 4; i++, (*p)++) {
				char h = **p;
				int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
					: h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
				if (d < 0) {
					free(b.s);
					return false;
				}
				c1 = c1 * 16 + (unsigned long)d;
			}
			if (c1 >= 0xD800 && c1 < 0xDC00 && (*p)[0] == '\\' && (*p)[1] == 'u') {
				const char *q = *p + 2;
				unsigned long c2 = strtoul((char[5]){q[0], q[1], q[2], q[3], 0}, NULL, 16);
				if (c2 >= 0xDC00 && c2 < 0xE000) {
					c1 = 0x10000 + ((c1 - 0xD800) << 10) + (c2 - 0xDC00);
					*p += 6;
				}
			}
			put_utf8(&b, c1);
			break;
		}
		default:
			free(b.s);
			return false;
		}
	}
	(*p)++;
	*out = b.s;
	return true;
}

/* Parses one JSON value at *p. `depth` bounds the nesting. */
static bool jparse(const char **p, jval *v, int depth)
{
	memset(v, 0, sizeof *v);
	if (depth > 32)
		return false;
	jskip(p);
	char c = **p;
	if (c == '"') {
		v->kind = 's';
		return jstring(p, &v->text);
	}
	if (c == '{' || c == '[') {
		bool obj = c == '{';
		v->kind = obj ? 'o' : 'a';
		(*p)++;
		jskip(p);
		if (**p == (obj ? '}' : ']')) {
			(*p)++;
			return true;
		}
		size_t cap = 0;
		for (;;) {
			if (v->n == cap) {
				cap = cap ? cap * 2 : 8;
				jval *items = realloc(v->items, cap * sizeof *items);
				char **keys = obj ? realloc(v->keys, cap * sizeof *keys) : NULL;
				if (items)
					v->items = items;
				if (keys)
					v->keys = keys;
				if (!items || (obj && !keys))
					return false;
			}
			if (obj) {
				jskip(p);
				if (**p != '"')
					return false;
				char *key;
				if (!jstring(p, &key))
					return false;
				v->keys[v->n] = key;
				jskip(p);
				if (**p != ':') {
					memset(&v->items[v->n++], 0, sizeof(jval));
					return false;
				}
				(*p)++;
			}
			bool ok = jparse(p, &v->items[v->n], depth + 1);
			v->n++;
			if (!ok)
				return false;
			jskip(p);
			if (**p == ',') {
				(*p)++;
				continue;
			}
			if (**p == (obj ? '}' : ']')) {
				(*p)++;
				return true;
			}
			return false;
		}
	}
	const char *start = *p;
	if (strncmp(start, "true", 4) == 0 || strncmp(start, "false", 5) == 0 || strncmp(start, "null", 4) == 0) {
		v->kind = start[0] == 'n' ? 'z' : start[0];
		*p += start[0] == 'f' ? 5 : 4;
		return true;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		(*p)++;
		while ((**p >= '0' && **p <= '9') || **p == '.' || **p == 'e' || **p == 'E' || **p == '+' || **p == '-')
			(*p)++;
		v->kind = 'n';
		v->text = strndup(start, (size_t)(*p - start));
		return v->text != NULL;
	}
	return false;
}

/* Parses a whole line as one JSON object. */
static bool jparse_object(const char *s, jval *v)
{
	const char *p = s;
	if (!jparse(&p, v, 0) || v->kind != 'o') {
		jfree(v);
		return false;
	}
	jskip(&p);
	if (*p) {
		jfree(v);
		return false;
	}
	return true;
}

/* Whether `want` matches `got`: objects match when every key written in
 * `want` is in `got` with a matching value (keys not written are not
 * compared); times match when they are the same instant, whatever the
 * offset they are written with; numbers as written, after the number. */
static bool jmatch(const jval *want, const jval *got)
{
	if (want->kind != got->kind)
		return false;
	switch (want->kind) {
	case 's': {
		if (strcmp(want->text, got->text) == 0)
			return true;
		long long t1, t2;
		return ludic_time_parse(want->text, strlen(want->text), &t1, NULL, 0) == LUDIC_OK &&
		       ludic_time_parse(got->text, strlen(got->text), &t2, NULL, 0) == LUDIC_OK && t1 == t2;
	}
	case 'n':
		return strcmp(want->text, got->text) == 0 || strtold(want->text, NULL) == strtold(got->text, NULL);
	case 'o':
		for (size_t i = 0; i < want->n; i++) {
			size_t j = 0;
			while (j < got->n && strcmp(got->keys[j], want->keys[i]) != 0)
				j++;
			if (j == got->n || !jmatch(&want->items[i], &got->items[j]))
				return false;
		}
		return true;
	case 'a':
		if (want->n != got->n)
			return false;
		for (size_t i = 0; i < want->n; i++)
			if (!jmatch(&want->items[i], &got->items[i]))
				return false;
		return true;
	default:
		return true;
	}
}

/* ---- one scenario ---- */

/* A line list: what a round produced (effects or rejects, as JSON text). */
typedef struct text_list {
	char **items;
	size_t count, cap;
} text_list;

static void tl_push(text_list *l, const char *s, size_t n)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		char **more = realloc(l->items, l->cap * sizeof *more);
		if (!more) {
			fputs("ludic: out of memory\n", stderr);
			exit(EXIT_USAGE);
		}
		l->items = more;
	}
	l->items[l->count++] = strndup(s, n);
}

static void tl_clear(text_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	l->count = 0;
}

/* What running one scenario file needs. */
typedef struct scenario {
	const char *path;            /* the scenario file */
	char *dir;                   /* its folder, for relative program paths */
	ludic_program *prog;         /* after `program` */
	ludic_engine *engine;        /* after `program` */
	text_list effects, rejects;  /* what the current round produced */
	bool round_checked;          /* an expect came after the round's last action */
	bool rejects_checked;        /* the round's rejects were compared */
	int round_line;              /* the line where the round began */
	strbuf report;               /* what went wrong, for the FAILED line */
	int failures;                /* differences found */
	bool broken;                 /* the file is malformed or its program does not load */
	strbuf scratch;              /* one effect's JSON */
} scenario;

static void sc_fail(scenario *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sc_fail(scenario *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		sb_reserve(&s->report, (size_t)n + 8);
		sb_add(&s->report, "    ", 4);
		va_start(ap, fmt);
		vsnprintf(s->report.s + s->report.len, (size_t)n + 1, fmt, ap);
		va_end(ap);
		s->report.len += (size_t)n;
		sb_add(&s->report, "\n", 1);
	}
	s->failures++;
}

/* Adds a line to the report without counting a difference. */
static void sc_note(scenario *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sc_note(scenario *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		sb_reserve(&s->report, (size_t)n + 8);
		sb_add(&s->report, "      ", 6);
		va_start(ap, fmt);
		vsnprintf(s->report.s + s->report.len, (size_t)n + 1, fmt, ap);
		va_end(ap);
		s->report.len += (size_t)n;
		sb_add(&s->report, "\n", 1);
	}
}

static void sc_on_effect(void *user, const ludic_effect *fx)
{
	scenario *s = user;
	sb_reserve(&s->scratch, 512);
	size_t need = ludic_effect_to_json(fx, s->scratch.s, s->scratch.cap);
	if (need + 1 > s->scratch.cap) {
		sb_reserve(&s->scratch, need + 1);
		ludic_effect_to_json(fx, s->scratch.s, s->scratch.cap);
	}
	tl_push(&s->effects, s->scratch.s, need);
}

static void sc_on_reject(void *user, const ludic_reject *r)
{
	scenario *s = user;
	strbuf b = {0};
	reject_json(&b, r, NULL);
	tl_push(&s->rejects, b.s, b.len);
	free(b.s);
}

/* Starts a new round when an action follows expectations. */
static void sc_action(scenario *s, int line_no)
{
	if (s->round_checked || s->round_line == 0) {
		tl_clear(&s->effects);
		tl_clear(&s->rejects);
		s->round_checked = false;
		s->rejects_checked = false;
		s->round_line = line_no;
	}
}

/* A round ends (an action after expectations, or the end of the file):
 * rejects nobody expected fail the scenario. */
static void sc_end_round(scenario *s)
{
	if (s->rejects.count && !s->rejects_checked) {
		sc_fail(s, "line %d: %zu %s rejected, and no `expect rejects` says so; the first:", s->round_line,
			s->rejects.count, s->rejects.count == 1 ? "event was" : "events were");
		sc_note(s, "%s", s->rejects.items[0]);
		s->rejects_checked = true;
	}
}

/* One expected JSON line, with its place in the scenario file. */
typedef struct expected_line {
	int line;
	char *text;
} expected_line;

/* Compares the round's `got` lines against `want` (all of them, in order):
 * the expected lines not produced, and the produced lines not expected. */
static void sc_compare(scenario *s, const char *what, const text_list *got, const expected_line *want, size_t nwant)
{
	jval *gv = calloc(got->count ? got->count : 1, sizeof *gv);
	bool *used = calloc(got->count ? got->count : 1, sizeof *used);
	if (!gv || !used) {
		fputs("ludic: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	for (size_t i = 0; i < got->count; i++)
		jparse_object(got->items[i], &gv[i]);
	/* Walk both in order: each expected line takes the next produced line
	 * that matches it; produced lines jumped over were not expected. */
	size_t next = 0;
	int before = s->failures;
	for (size_t w = 0; w < nwant; w++) {
		jval wv;
		if (!jparse_object(want[w].text, &wv)) {
			sc_fail(s, "line %d: not a JSON object: %s", want[w].line, want[w].text);
			s->broken = true;
			continue;
		}
		size_t k = next;
		while (k < got->count && !jmatch(&wv, &gv[k]))
			k++;
		if (k == got->count) {
			/* Not produced. When the next produced line matches no later
			 * expected line either, it is what came instead: show the pair. */
			bool paired = false;
			if (next < got->count) {
				paired = true;
				for (size_t w2 = w + 1; w2 < nwant && paired; w2++) {
					jval v2;
					if (jparse_object(want[w2].text, &v2)) {
						paired = !jmatch(&v2, &gv[next]);
						jfree(&v2);
					}
				}
			}
			if (paired) {
				sc_fail(s, "line %d: expected %s: %s", want[w].line, what, want[w].text);
				sc_note(s, "but it was: %s", got->items[next]);
				used[next] = true;
				next++;
			} else {
				sc_fail(s, "line %d: expected %s not produced: %s", want[w].line, what, want[w].text);
			}
		} else {
			for (size_t j = next; j < k; j++) {
				sc_fail(s, "line %d: unexpected %s (before the one expected here): %s", want[w].line, what,
					got->items[j]);
				used[j] = true;
			}
			used[k] = true;
			next = k + 1;
		}
		jfree(&wv);
	}
	for (size_t j = next; j < got->count; j++)
		if (!used[j])
			sc_fail(s, "after line %d: unexpected %s: %s", nwant ? want[nwant - 1].line : s->round_line, what,
				got->items[j]);
	if (s->failures > before && got->count == 0)
		sc_note(s, "(the round from line %d produced no %s at all)", s->round_line, what);
	for (size_t i = 0; i < got->count; i++)
		jfree(&gv[i]);
	free(gv);
	free(used);
}

/* Splits a fact line into words; "quoted words" keep their spaces. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (*p && n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '"') {
			words[n++] = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			words[n++] = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
		}
		if (*p)
			*p++ = 0;
	}
	return n;
}

static bool parse_count(const char *w, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(w, &end, 10);
	if (end == w || *end || errno)
		return false;
	*out = v;
	return true;
}

/* Checks one `expect state` fact against the customer's view. */
static void sc_fact(scenario *s, const ludic_customer_view *v, char *line, int line_no)
{
	char copy[1024];
	snprintf(copy, sizeof copy, "%s", line);
	char *w[8];
	size_t n = split_words(line, w, 8);
	long long num = 0;
	if (n == 0)
		return;
	const char *fact = w[0];
	if ((strcmp(fact, "balance") == 0 || strcmp(fact, "pending") == 0 || strcmp(fact, "earned") == 0) && n == 3 &&
	    parse_count(w[2], &num)) {
		for (size_t i = 0; i < v->nbalances; i++) {
			const ludic_balance_view *b = &v->balances[i];
			if (strcmp(b->wallet, w[1]) != 0)
				continue;
			long long have = fact[0] == 'b' ? b->balance : fact[0] == 'p' ? b->pending : b->earned;
			if (have != num)
				sc_fail(s, "line %d: %s: customer %s has %lld, not %lld", line_no, copy, v->id, have, num);
			return;
		}
		sc_fail(s, "line %d: %s: the program has no customer wallet `%s`", line_no, copy, w[1]);
		s->broken = true;
		return;
	}
	if ((strcmp(fact, "tier") == 0 || strcmp(fact, "level") == 0) && n == 3) {
		for (size_t i = 0; i < v->nladders; i++) {
			const ludic_ladder_view *l = &v->ladders[i];
			if (strcmp(l->ladder, w[1]) != 0)
				continue;
			if (l->level != (fact[0] == 'l')) {
				sc_fail(s, "line %d: `%s` is a %s ladder: write `%s %s %s`", line_no, w[1],
					l->level ? "levels" : "tiers", l->level ? "level" : "tier", w[1], w[2]);
				s->broken = true;
			} else if (!l->rung || strcmp(l->rung, w[2]) != 0) {
				sc_fail(s, "line %d: %s: customer %s is %s", line_no, copy, v->id, l->rung ? l->rung : "on no rung");
			}
			return;
		}
		sc_fail(s, "line %d: %s: the program has no ladder `%s`", line_no, copy, w[1]);
		s->broken = true;
		return;
	}
	bool no = strcmp(fact, "no") == 0 && n == 3 && strcmp(w[1], "badge") == 0;
	if ((strcmp(fact, "badge") == 0 && n == 2) || no) {
		const char *badge = w[n - 1];
		bool has = false;
		for (size_t i = 0; i < v->nbadges; i++)
			has |= strcmp(v->badges[i], badge) == 0;
		if (has == no)
			sc_fail(s, "line %d: %s: customer %s %s that badge", line_no, copy, v->id, has ? "has" : "does not have");
		return;
	}
	if (strcmp(fact, "mission") == 0 && n >= 3) {
		for (size_t i = 0; i < v->nmissions; i++) {
			const ludic_mission_view *m = &v->missions[i];
			if (strcmp(m->mission, w[1]) != 0)
				continue;
			char have[128];
			snprintf(have, sizeof have, "%s, %u of %u steps done", m->complete ? "complete" : m->expired ? "closed"
				 : m->started ? "started" : "not started", m->done, m->steps);
			if (n == 4 && strcmp(w[2], "steps") == 0 && parse_count(w[3], &num)) {
				if ((long long)m->done != num)
					sc_fail(s, "line %d: %s: the mission is %s", line_no, copy, have);
			} else if (n == 3 && strcmp(w[2], "complete") == 0) {
				if (!m->complete)
					sc_fail(s, "line %d: %s: the mission is %s", line_no, copy, have);
			} else if (n == 3 && strcmp(w[2], "expired") == 0) {
				if (!m->expired)
					sc_fail(s, "line %d: %s: the mission is %s", line_no, copy, have);
			} else if (n == 4 && strcmp(w[2], "not") == 0 && strcmp(w[3], "started") == 0) {
				if (m->started)
					sc_fail(s, "line %d: %s: the mission is %s", line_no, copy, have);
			} else {
				break;
			}
			return;
		}
		if (n == 3 || n == 4) {
			bool known = false;
			for (size_t i = 0; i < v->nmissions; i++)
				known |= strcmp(v->missions[i].mission, w[1]) == 0;
			if (!known) {
				sc_fail(s, "line %d: %s: the program has no mission \"%s\"", line_no, copy, w[1]);
				s->broken = true;
				return;
			}
		}
	}
	if (strcmp(fact, "streak") == 0 && n == 3 && parse_count(w[2], &num)) {
		for (size_t i = 0; i < v->nstreaks; i++) {
			if (strcmp(v->streaks[i].streak, w[1]) != 0)
				continue;
			if ((long long)v->streaks[i].length != num)
				sc_fail(s, "line %d: %s: the streak is at %u", line_no, copy, v->streaks[i].length);
			return;
		}
		sc_fail(s, "line %d: %s: the program has no streak \"%s\"", line_no, copy, w[1]);
		s->broken = true;
		return;
	}
	if (strcmp(fact, "variant") == 0 && n == 3) {
		for (size_t i = 0; i < v->nvariants; i++) {
			if (strcmp(v->variants[i].experiment, w[1]) != 0)
				continue;
			if (strcmp(v->variants[i].variant, w[2]) != 0)
				sc_fail(s, "line %d: %s: customer %s is in variant \"%s\"", line_no, copy, v->id,
					v->variants[i].variant);
			return;
		}
		sc_fail(s, "line %d: %s: the program has no experiment \"%s\"", line_no, copy, w[1]);
		s->broken = true;
		return;
	}
	sc_fail(s, "line %d: `%s` is not a state fact: write one of `balance WALLET N`, `pending WALLET N`, "
		"`earned WALLET N`, `tier LADDER RUNG`, `level LADDER RUNG`, `badge NAME`, `no badge NAME`, "
		"`mission \"NAME\" steps N|complete|expired|not started`, `streak \"NAME\" N`, "
		"`variant \"EXPERIMENT\" NAME`", line_no, copy);
	s->broken = true;
}

/* Reads a scenario file into lines (malloc'd; the caller frees). */
static char **read_lines(const char *path, size_t *count)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return NULL;
	size_t cap = 64, n = 0;
	char **lines = malloc(cap * sizeof *lines);
	for (size_t i = 0; lines && i <= len;) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		if (j == len && i == len)
			break;
		size_t end = j;
		while (end > i && (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t'))
			end--;
		if (n == cap) {
			cap *= 2;
			char **more = realloc(lines, cap * sizeof *more);
			if (!more)
				break;
			lines = more;
		}
		lines[n++] = strndup(text + i, end - i);
		i = j + 1;
	}
	free(text);
	*count = n;
	return lines;
}

/* The scenario's first comment: what it shows. */
static const char *scenario_title(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i];
		if (l[0] == '#') {
			l++;
			while (*l == ' ')
				l++;
			if (*l)
				return l;
		} else if (*l) {
			break;
		}
	}
	return NULL;
}

/* Loads the scenario's program, relative to the scenario's folder. */
static bool sc_program(scenario *s, const char *arg, int line_no)
{
	if (s->prog) {
		sc_fail(s, "line %d: a second `program`: a scenario runs one program", line_no);
		return false;
	}
	char path[4096];
	if (arg[0] == '/')
		snprintf(path, sizeof path, "%s", arg);
	else
		snprintf(path, sizeof path, "%s/%s", s->dir, arg);
	char *diag = NULL;
	size_t dlen = 0;
	FILE *mem = open_memstream(&diag, &dlen);
	int rc = mem ? load_program(path, mem, &s->prog) : EXIT_USAGE;
	if (mem)
		fclose(mem);
	if (rc) {
		sc_fail(s, "line %d: the program `%s` %s:", line_no, arg,
			rc == EXIT_ERRORS ? "has errors" : "cannot be read");
		if (diag)
			sb_add(&s->report, diag, strlen(diag));
		free(diag);
		return false;
	}
	free(diag);
	ludic_engine_options opt = {.on_effect = sc_on_effect, .effect_user = s,
				    .on_reject = sc_on_reject, .reject_user = s};
	if (ludic_engine_new(s->prog, &opt, &s->engine) != LUDIC_OK) {
		sc_fail(s, "line %d: the engine cannot start: %s", line_no,
			s->engine ? ludic_engine_error(s->engine) : "out of memory");
		return false;
	}
	return true;
}

typedef enum { BLOCK_NONE, BLOCK_EVENTS, BLOCK_EFFECTS, BLOCK_REJECTS, BLOCK_STATE } block_kind;

/* Runs one scenario file. Returns 0 passed, 1 failed, 2 unreadable; the
 * report says what differs. */
static int run_scenario(const char *path, bool quiet, bool color)
{
	size_t nlines = 0;
	char **lines = read_lines(path, &nlines);
	if (!lines) {
		usage_error("cannot read scenario `%s`: %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	scenario s = {.path = path};
	const char *slash = strrchr(path, '/');
	s.dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	block_kind block = BLOCK_NONE;
	expected_line *want = NULL;
	size_t nwant = 0, capwant = 0;
	int block_line = 0;
	char *state_customer = NULL;
	ludic_customer_view view;
	bool have_view = false;

	for (size_t i = 0; i <= nlines && !s.broken; i++) {
		const char *l = i < nlines ? lines[i] : "";
		int line_no = (int)i + 1;
		if (i < nlines && (l[0] == 0 || l[0] == '#'))
			continue;
		bool data = i < nlines && l[0] == '{';
		/* JSON lines belong to the block above them. */
		if (data && (block == BLOCK_EVENTS || block == BLOCK_EFFECTS || block == BLOCK_REJECTS)) {
			if (block == BLOCK_EVENTS) {
				if (!s.engine) {
					sc_fail(&s, "line %d: events before `program`: name the program first", line_no);
					s.broken = true;
					break;
				}
				ludic_engine_push_json(s.engine, l, strlen(l), (unsigned long long)line_no);
			} else {
				if (nwant == capwant) {
					capwant = capwant ? capwant * 2 : 16;
					expected_line *more = realloc(want, capwant * sizeof *more);
					if (!more)
						break;
					want = more;
				}
				want[nwant].line = line_no;
				want[nwant++].text = lines[i];
			}
			continue;
		}
		if (block == BLOCK_STATE && i < nlines && !data &&
		    strncmp(l, "expect", 6) != 0 && strncmp(l, "events", 6) != 0 && strncmp(l, "until", 5) != 0 &&
		    strncmp(l, "program", 7) != 0) {
			if (!have_view) {
				if (ludic_engine_customer(s.engine, state_customer, strlen(state_customer), &view) != LUDIC_OK) {
					sc_fail(&s, "line %d: cannot read the state of %s: %s", block_line, state_customer,
						ludic_engine_error(s.engine));
					s.broken = true;
					break;
				}
				have_view = true;
			}
			char *copy = strdup(l);
			sc_fact(&s, &view, copy, line_no);
			free(copy);
			continue;
		}
		/* A directive (or the end of the file) closes the block above. */
		if (block == BLOCK_EFFECTS)
			sc_compare(&s, "effect", &s.effects, want, nwant);
		else if (block == BLOCK_REJECTS)
			sc_compare(&s, "reject", &s.rejects, want, nwant);
		if (block == BLOCK_STATE && !have_view)
			sc_fail(&s, "line %d: `expect state %s` lists no fact", block_line, state_customer);
		free(state_customer);
		state_customer = NULL;
		have_view = false;
		nwant = 0;
		block = BLOCK_NONE;
		if (i == nlines)
			break;
		if (data) {
			sc_fail(&s, "line %d: a JSON line outside an `events`, `expect effects` or `expect rejects` block",
				line_no);
			s.broken = true;
			break;
		}
		block_line = line_no;
		char *w[4];
		char *copy = strdup(l);
		size_t n = split_words(copy, w, 4);
		bool is_action = n >= 1 && (strcmp(w[0], "events") == 0 || strcmp(w[0], "until") == 0);
		bool is_expect = n >= 1 && strcmp(w[0], "expect") == 0;
		if ((is_action || is_expect) && !s.engine) {
			sc_fail(&s, "line %d: `%s` before `program`: name the program first", line_no, w[0]);
			s.broken = true;
		} else if (n == 2 && strcmp(w[0], "program") == 0) {
			const char *arg = l + strspn(l + 7, " \t") + 7;
			if (!sc_program(&s, arg, line_no))
				s.broken = true;
		} else if (n == 1 && strcmp(w[0], "events") == 0) {
			if (s.round_checked)
				sc_end_round(&s);
			sc_action(&s, line_no);
			block = BLOCK_EVENTS;
		} else if (n == 2 && strcmp(w[0], "until") == 0) {
			long long t;
			char why[160];
			if (ludic_time_parse(w[1], strlen(w[1]), &t, why, sizeof why) != LUDIC_OK) {
				sc_fail(&s, "line %d: `%s` is not a time (%s): write it in RFC 3339, such as 2027-04-01T00:00:00+02:00",
					line_no, w[1], why);
				s.broken = true;
			} else {
				if (s.round_checked)
					sc_end_round(&s);
				sc_action(&s, line_no);
				if (ludic_engine_advance(s.engine, t) != LUDIC_OK) {
					sc_fail(&s, "line %d: cannot let time pass: %s", line_no, ludic_engine_error(s.engine));
					s.broken = true;
				}
			}
		} else if (is_expect && s.round_line == 0) {
			sc_fail(&s, "line %d: `expect` before any `events` or `until`: there is nothing to compare yet",
				line_no);
			s.broken = true;
		} else if (is_expect && n == 2 && strcmp(w[1], "effects") == 0) {
			block = BLOCK_EFFECTS;
			s.round_checked = true;
		} else if (is_expect && n == 3 && strcmp(w[1], "no") == 0 && strcmp(w[2], "effects") == 0) {
			sc_compare(&s, "effect", &s.effects, NULL, 0);
			s.round_checked = true;
		} else if (is_expect && n == 2 && strcmp(w[1], "rejects") == 0) {
			block = BLOCK_REJECTS;
			s.round_checked = true;
			s.rejects_checked = true;
		} else if (is_expect && n == 3 && strcmp(w[1], "no") == 0 && strcmp(w[2], "rejects") == 0) {
			sc_compare(&s, "reject", &s.rejects, NULL, 0);
			s.round_checked = true;
			s.rejects_checked = true;
		} else if (is_expect && n == 3 && strcmp(w[1], "state") == 0) {
			block = BLOCK_STATE;
			state_customer = strdup(w[2]);
			s.round_checked = true;
		} else {
			const char *names[] = {"program", "events", "until", "expect"};
			const char *near = n ? suggest(w[0], names, 4) : NULL;
			sc_fail(&s, "line %d: `%s` is not a scenario line%s%s%s: lines are `program PATH`, `events`, `until TIME`, "
				"`expect effects`, `expect no effects`, `expect rejects`, `expect no rejects`, "
				"`expect state CUSTOMER`, JSON lines under `events` and `expect`, and # comments",
				line_no, l, near ? " (did you mean `" : "", near ? near : "", near ? "`?)" : "");
			s.broken = true;
		}
		free(copy);
	}
	if (!s.broken && !s.engine) {
		sc_fail(&s, "the scenario names no program: add `program PATH` at the top");
		s.broken = true;
	}
	if (!s.broken)
		sc_end_round(&s);
	free(state_customer);

	const char *title = scenario_title(lines, nlines);
	int rc = s.failures ? EXIT_ERRORS : 0;
	if (rc || !quiet) {
		if (rc)
			printf("%s%s%s %s", RED(color), s.broken ? "ERROR " : "FAILED", RESET(color), path);
		else
			printf("%sok    %s %s", GREEN(color), RESET(color), path);
		if (title)
			printf(" — %s", title);
		putchar('\n');
		if (rc && s.report.s)
			fputs(s.report.s, stdout);
	}
	ludic_engine_free(s.engine);
	ludic_program_free(s.prog);
	tl_clear(&s.effects);
	tl_clear(&s.rejects);
	free(s.effects.items);
	free(s.rejects.items);
	free(s.report.s);
	free(s.scratch.s);
	free(s.dir);
	free(want);
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	return rc;
}

/* Adds the *.scenario files under `dir` (subfolders included), sorted. */
static void add_scenarios(path_list *l, const char *dir, int depth)
{
	DIR *dp = opendir(dir);
	if (!dp || depth > 16) {
		if (dp)
			closedir(dp);
		return;
	}
	path_list found = {0};
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		size_t n = strlen(e->d_name);
		char *p = malloc(strlen(dir) + n + 2);
		if (!p)
			break;
		sprintf(p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && (S_ISDIR(st.st_mode) ||
					  (n > 9 && strcmp(e->d_name + n - 9, ".scenario") == 0 && S_ISREG(st.st_mode))))
			paths_push(&found, p);
		free(p);
	}
	closedir(dp);
	if (found.count)
		qsort(found.items, found.count, sizeof *found.items, cmp_str);
	for (size_t i = 0; i < found.count; i++) {
		struct stat st;
		if (stat(found.items[i], &st) == 0 && S_ISDIR(st.st_mode))
			add_scenarios(l, found.items[i], depth + 1);
		else
			paths_push(l, found.items[i]);
	}
	paths_free(&found);
}

enum { TEST_QUIET };
static const opt_spec test_opts[] = {
	[TEST_QUIET] = {"--quiet", "-q", NULL},
};

static int cmd_test(int argc, char **argv)
{
	parsed_args a;
	int rc = parse_args("test", argc, argv, test_opts, sizeof test_opts / sizeof *test_opts, &a);
	if (rc || a.help) {
		if (!rc)
			fputs(help_test, stdout);
		free(a.operands);
		return rc;
	}
	if (a.noperands == 0) {
		usage_error("`ludic test` needs scenario files or folders");
		fputs("help: for example `ludic test tests/scenarios/`\n", stderr);
		free(a.operands);
		return EXIT_USAGE;
	}
	path_list l = {0};
	bool usage = false;
	for (int i = 0; i < a.noperands; i++) {
		struct stat st;
		if (stat(a.operands[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			size_t before = l.count;
			add_scenarios(&l, a.operands[i], 0);
			if (l.count == before) {
				usage_error("no .scenario files in folder `%s`", a.operands[i]);
				usage = true;
			}
		} else {
			paths_push(&l, a.operands[i]);
		}
	}
	free(a.operands);
	bool color = isatty(STDOUT_FILENO) && want_color(NULL);
	size_t passed = 0, failed = 0, unreadable = 0;
	for (size_t i = 0; i < l.count; i++) {
		int r = run_scenario(l.items[i], a.set[TEST_QUIET], color);
		if (r == 0)
			passed++;
		else if (r == EXIT_ERRORS)
			failed++;
		else
			unreadable++;
	}
	printf("%zu %s: %zu passed, %zu failed", l.count, plural(l.count, "scenario", "scenarios"), passed, failed);
	if (unreadable)
		printf(", %zu not read", unreadable);
	putchar('\n');
	paths_free(&l);
	if (unreadable || usage)
		return EXIT_USAGE;
	return failed ? EXIT_ERRORS : 0;
}

/* ------------------------------------------------------------------------ */
/* Commands                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct command {
	const char *name;                   /* as typed */
	int (*run)(int argc, char **argv);  /* gets the arguments after the name */
	const char *help;                   /* its --help text */
} command;

static int cmd_help(int argc, char **argv);

static const command commands[] = {
	{"check", cmd_check, help_check},
	{"fmt", cmd_fmt, help_fmt},
	{"dump", cmd_dump, help_dump},
	{"run", cmd_run, help_run},
	{"state", cmd_state, help_state},
	{"test", cmd_test, help_test},
	{"help", cmd_help, help_help},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

/* The command named `name`, or NULL after printing a did-you-mean. */
static const command *find_command(const char *name)
{
	const char *names[NCOMMANDS];
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
		names[i] = commands[i].name;
	}
	usage_error("unknown command `%s`", name);
	const char *near = suggest(name, names, NCOMMANDS);
	if (near)
		fprintf(stderr, "help: did you mean `%s`?\n", near);
	fputs("run `ludic --help` for the list of commands\n", stderr);
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc == 0) {
		fputs(help_main, stdout);
		return 0;
	}
	if (argc > 1) {
		usage_error("`ludic help` takes one command name");
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
		fputs(help_help, stdout);
		return 0;
	}
	const command *cmd = find_command(argv[0]);
	if (!cmd)
		return EXIT_USAGE;
	fputs(cmd->help, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(help_main, stderr);
		return EXIT_USAGE;
	}
	const char *first = argv[1];
	if (strcmp(first, "-h") == 0 || strcmp(first, "--help") == 0) {
		fputs(help_main, stdout);
		return 0;
	}
	if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
		printf("ludic %s\n", ludic_version());
		return 0;
	}
	if (first[0] == '-') {
		const char *names[] = {"--help", "--version"};
		usage_error("unknown option `%s`", first);
		const char *near = suggest(first, names, 2);
		if (near)
			fprintf(stderr, "help: did you mean `%s`?\n", near);
		fputs("run `ludic --help` for the list of commands\n", stderr);
		return EXIT_USAGE;
	}
	const command *cmd = find_command(first);
	if (!cmd)
		return EXIT_USAGE;
	int rc = cmd->run(argc - 2, argv + 2);
	if (fflush(stdout) != 0) {
		usage_error("cannot write the output: %s", strerror(errno));
		return EXIT_USAGE;
	}
	return rc;
}
