/* ludic.c — the `ludic` command: check, fmt, dump, help.
 *
 * A thin client of the library: it only includes ludic.h. It turns command
 * lines into library calls, decides which files form one program (a base and
 * the overlay on top of it), and prints. Exit status everywhere: 0 success,
 * 1 the rules have errors (or would be reformatted with `fmt --check`),
 * 2 wrong usage or a file that cannot be read or written.
 * docs/cli.md documents every command and option.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ludic.h"

#define EXIT_ERRORS 1
#define EXIT_USAGE 2

/* ------------------------------------------------------------------------ */
/* Help texts                                                               */
/* ------------------------------------------------------------------------ */

static const char help_main[] =
	"ludic — check, format and inspect ludic rule files\n"
	"\n"
	"usage: ludic COMMAND [OPTIONS] FILE...\n"
	"\n"
	"commands:\n"
	"  check   check rule files and report every problem\n"
	"  fmt     rewrite rule files in the canonical layout\n"
	"  dump    show the syntax tree or the types of a program\n"
	"  help    show the help of a command\n"
	"\n"
	"options:\n"
	"  -h, --help   show this help\n"
	"  --version    show the version of ludic\n"
	"\n"
	"Run `ludic help COMMAND` (or `ludic COMMAND --help`) for the options of a command.\n"
	"Exit status: 0 success, 1 the rules have errors, 2 wrong usage or unreadable files.\n";

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
	"\n"
	"Shows what the compiler sees, on stdout; diagnostics go to stderr.\n"
	"\n"
	"options:\n"
	"  --ast         the syntax tree of each file, as the parser made it\n"
	"  --positions   with --ast: the byte span of each node\n"
	"  --types       check the files as one program (a base and its overlays)\n"
	"                and show every declaration and expression with its type\n"
	"  -h, --help    show this help\n"
	"\n"
	"exit status: 0 no error, 1 errors, 2 wrong usage or a file that cannot be read\n";

static const char help_help[] =
	"usage: ludic help [COMMAND]\n"
	"\n"
	"Shows the help of COMMAND (check, fmt, dump, help), or the list of commands.\n";

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
			if (!specs[k].values[v]) {
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

enum { DUMP_AST, DUMP_TYPES, DUMP_POSITIONS };
static const opt_spec dump_opts[] = {
	[DUMP_AST] = {"--ast", NULL, NULL},
	[DUMP_TYPES] = {"--types", NULL, NULL},
	[DUMP_POSITIONS] = {"--positions", NULL, NULL},
};

static int exit_of(ludic_status st)
{
	return st == LUDIC_OK ? 0 : st == LUDIC_ERR_PROGRAM ? EXIT_ERRORS : EXIT_USAGE;
}

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
	if (a.set[DUMP_AST] == a.set[DUMP_TYPES]) {
		usage_error("`ludic dump` needs exactly one of `--ast` and `--types`");
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
