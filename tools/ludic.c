/* ludic.c — the `ludic` command: check, fmt, dump, run, state, test, ledger,
 * balances, liability, help.
 *
 * A thin client of the library: it only includes ludic.h. It turns command
 * lines into library calls, decides which files form one program (a base and
 * the overlay on top of it), reads event streams and scenario files, and
 * prints. Exit status everywhere: 0 success, 1 the rules have errors (or would
 * be reformatted with `fmt --check`, or a scenario failed), 2 wrong usage or a
 * file that cannot be read or written. Rejected events are data, not
 * failures: `run` reports and counts them and still exits 0.
 * docs/cli.md documents every command and option; docs/testing.md the
 * scenario files of `ludic test`. cli.h says how the command's files divide
 * the work.
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

#include "cli.h"

/* ------------------------------------------------------------------------ */
/* Help texts                                                               */
/* ------------------------------------------------------------------------ */

const char help_main[] =
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
	"  ledger  show the ledger of a store (`run --store`): a customer's history\n"
	"  balances  export every customer's balances from a store (CSV or JSON Lines)\n"
	"  liability  points issued, redeemed, expired and outstanding, per wallet\n"
	"  help    show the help of a command\n"
	"\n"
	"options:\n"
	"  -h, --help   show this help\n"
	"  --version    show the version of ludic\n"
	"\n"
	"Run `ludic help COMMAND` (or `ludic COMMAND --help`) for the options of a command.\n"
	"Exit status: 0 success, 1 the rules have errors (or a scenario failed),\n"
	"2 wrong usage or unreadable files.\n";

const char help_check[] =
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

const char help_fmt[] =
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

const char help_dump[] =
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

const char help_help[] =
	"usage: ludic help [COMMAND]\n"
	"\n"
	"Shows the help of COMMAND (check, fmt, dump, run, state, test, help), or the\n"
	"list of commands.\n";

const char help_run[] =
	"usage: ludic run PROGRAM [--events FILE|-] [--effects FILE|-] [--rejects FILE]\n"
	"                 [--until TIME] [--engine=auto|interp|native] [--quiet]\n"
	"                 [--store DIR [--batch N]]\n"
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
	"  --engine=auto|interp|native\n"
	"                     what runs the rules: auto (default) starts on the\n"
	"                     interpreter and switches to native code, between two\n"
	"                     events, once it is compiled (or read from the cache);\n"
	"                     the results are the same, byte for byte\n"
	"  -q, --quiet        no summary and no progress line\n"
	"  --store DIR        keep every customer's state, a ledger of every effect and\n"
	"                     the input position in DIR (made if missing): a run that\n"
	"                     stops (a crash, kill -9, a full disk) resumes where the\n"
	"                     last commit left it when given the same events again;\n"
	"                     nothing is lost or doubled (docs/operations.md)\n"
	"  --batch N          with --store: commit every N events (default: every\n"
	"                     100000 events or every second, whichever comes first);\n"
	"                     the effects of a batch are written after its commit\n"
	"  -h, --help         show this help\n"
	"\n"
	"exit status: 0 every event was read (rejects included: they are data, and\n"
	"are reported), 1 the program has errors (nothing runs), 2 wrong usage or a\n"
	"file that cannot be read or written\n";

const char help_ledger[] =
	"usage: ludic ledger --store DIR [--customer ID | --staff ID] [--format=text|json]\n"
	"\n"
	"Shows the ledger of a store made by `ludic run --store`: every effect ever\n"
	"applied, each under an id made of the customer, the event (or `@` and the\n"
	"time, for effects of time passing), the rule and an index. With --customer,\n"
	"that customer's history in the order it happened, one readable line per\n"
	"entry; without, every entry of the ledger, oldest first.\n"
	"\n"
	"options:\n"
	"  --store DIR        the store\n"
	"  --customer ID      one customer's history\n"
	"  --staff ID         one staff member's history (staff quests)\n"
	"  --format=text|json text (default with --customer) or JSON Lines: one entry\n"
	"                     per line, {\"seq\":N,\"id\":\"...\",\"effect\":{...}}\n"
	"  -h, --help         show this help\n"
	"\n"
	"exit status: 0 done, 2 wrong usage or a store that cannot be read\n";

const char help_balances[] =
	"usage: ludic balances --store DIR [--format=csv|jsonl|digest] [--engine=auto|interp|native]\n"
	"\n"
	"Exports the balance of every customer of a store, one customer per line, in\n"
	"id order: for each wallet the spendable balance, the points pending and the\n"
	"points ever earned, as of the store's latest time. The program is the one\n"
	"kept in the store (its last run).\n"
	"\n"
	"options:\n"
	"  --store DIR        the store\n"
	"  --format=csv|jsonl|digest\n"
	"                     csv (default): customer,wallet,balance,pending,earned;\n"
	"                     jsonl: {\"customer\":\"c-1\",\"wallets\":{\"points\":{...}},\n"
	"                     \"ladders\":{\"status\":\"silver\"},\"badges\":[...]};\n"
	"                     digest: customer and a fingerprint of its whole state,\n"
	"                     to compare two stores (a restore, a replay)\n"
	"  --engine=auto|interp|native  what runs the program (the results are the same)\n"
	"  -h, --help         show this help\n"
	"\n"
	"exit status: 0 done, 1 the kept program no longer compiles, 2 wrong usage or\n"
	"a store that cannot be read\n";

const char help_liability[] =
	"usage: ludic liability --store DIR [--format=text|json]\n"
	"\n"
	"Sums the ledger of a store per wallet: points issued (awards), redeemed\n"
	"(debits and redemptions), expired, reversed (returns), and outstanding (what\n"
	"customers hold now: issued - redeemed - expired - reversed). Staff wallets\n"
	"are listed apart.\n"
	"\n"
	"options:\n"
	"  --store DIR        the store\n"
	"  --format=text|json a table (default) or one JSON object per wallet\n"
	"  -h, --help         show this help\n"
	"\n"
	"exit status: 0 done, 2 wrong usage or a store that cannot be read\n";

const char help_state[] =
	"usage: ludic state PROGRAM --customer ID [--events FILE|-] [--until TIME]\n"
	"                   [--format=text|json] [--engine=auto|interp|native]\n"
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
	"  --engine=auto|interp|native  what runs the rules (as for `ludic run`)\n"
	"  -h, --help           show this help\n"
	"\n"
	"exit status: 0 shown, 1 the program has errors, 2 wrong usage or a file\n"
	"that cannot be read\n";

const char help_test[] =
	"usage: ludic test [--engine=auto|interp|native] FILE|FOLDER...\n"
	"\n"
	"Runs scenario files (*.scenario): each names a program, gives events, and\n"
	"says which effects, rejects and customer state must follow. A folder means\n"
	"every *.scenario file in it and in its subfolders. One line per scenario\n"
	"(ok, or FAILED with what differs and the line of the scenario file), then a\n"
	"summary. The format is described in docs/testing.md.\n"
	"\n"
	"options:\n"
	"  -q, --quiet   only the failures and the summary\n"
	"  --engine=auto|interp|native\n"
	"                what runs the rules (as for `ludic run`); the results must\n"
	"                not depend on it\n"
	"  -h, --help    show this help\n"
	"\n"
	"exit status: 0 every scenario passed, 1 a scenario failed (or its program\n"
	"has errors, or the scenario file is malformed), 2 wrong usage or a file\n"
	"that cannot be read\n";

/* ------------------------------------------------------------------------ */
/* ludic check                                                              */
/* ------------------------------------------------------------------------ */

const char *const format_values[] = {"text", "json", NULL};
static const char *const color_values[] = {"auto", "always", "never", NULL};
enum { CHECK_FORMAT, CHECK_COLOR, CHECK_DENY_WARNINGS, CHECK_QUIET };
static const opt_spec check_opts[] = {
	[CHECK_FORMAT] = {"--format", NULL, format_values},
	[CHECK_COLOR] = {"--color", NULL, color_values},
	[CHECK_DENY_WARNINGS] = {"--deny-warnings", NULL, NULL},
	[CHECK_QUIET] = {"--quiet", "-q", NULL},
};



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

int cmd_check(int argc, char **argv)
{
	parsed_args a;
	int rc;
	if (!command_args("check", argc, argv, check_opts, sizeof check_opts / sizeof *check_opts, help_check, &a, &rc))
		return rc;
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

int cmd_fmt(int argc, char **argv)
{
	parsed_args a;
	int rc;
	if (!command_args("fmt", argc, argv, fmt_opts, sizeof fmt_opts / sizeof *fmt_opts, help_fmt, &a, &rc))
		return rc;
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


int cmd_dump(int argc, char **argv)
{
	parsed_args a;
	int rc;
	if (!command_args("dump", argc, argv, dump_opts, sizeof dump_opts / sizeof *dump_opts, help_dump, &a, &rc))
		return rc;
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
	{"ledger", cmd_ledger, help_ledger},
	{"balances", cmd_balances, help_balances},
	{"liability", cmd_liability, help_liability},
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

