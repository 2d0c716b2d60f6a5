/* cli.c — the parts of the `ludic` command that several commands share:
 * small helpers, option parsing, files and folders, colours, loading a
 * program (a file, or a folder with a base and its overlays), and the event
 * stream loop of `run` and `state` with its effects and rejects output. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ludic: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The candidate closest to `word` if it is a likely typo, else NULL. */
const char *suggest(const char *word, const char *const *candidates, size_t n)
{
	return ludic_suggest(word, candidates, n);
}

/* Writes `s` as a JSON string literal. */
void json_string(FILE *out, const char *s)
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

const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Reads a whole file (or stdin for "-") into malloc'd memory. NULL on error, errno set. */
char *read_file(const char *path, size_t *len)
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




/* Reports an unknown option of `cmd` with a did-you-mean. */
void unknown_option(const char *cmd, const char *arg, const opt_spec *specs, size_t n)
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
int parse_args(const char *cmd, int argc, char **argv, const opt_spec *specs, size_t n, parsed_args *out)
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

/* Parses a command's arguments. Returns true when the command should go on;
 * false after a usage problem or --help (its text printed), with the exit
 * status in *rc and nothing left to free. */
bool command_args(const char *cmd, int argc, char **argv, const opt_spec *specs, size_t n, const char *help,
		  parsed_args *a, int *rc)
{
	*rc = parse_args(cmd, argc, argv, specs, n, a);
	if (*rc == 0 && !a->help)
		return true;
	if (*rc == 0)
		fputs(help, stdout);
	free(a->operands);
	return false;
}

/* ------------------------------------------------------------------------ */
/* Files and folders                                                        */
/* ------------------------------------------------------------------------ */


void paths_push(path_list *l, const char *p)
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

void paths_free(path_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
}

int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the *.ludic files of folder `dir`, sorted. Returns false (message
 * printed) if it cannot be read or has none. */
bool add_folder(path_list *l, const char *dir)
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
bool expand(path_list *l, char **operands, int n)
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

bool want_color(const char *mode)
{
	if (mode && strcmp(mode, "always") == 0)
		return true;
	if (mode && strcmp(mode, "never") == 0)
		return false;
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");
	return isatty(STDERR_FILENO) && !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
}


/* The headers of the files to check, to pair overlays with their bases. */
ludic_header *read_headers(const path_list *l)
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
long base_among(const path_list *l, const ludic_header *h, size_t i)
{
	if (h[i].kind != LUDIC_FILE_OVERLAY)
		return -1;
	for (size_t j = 0; j < l->count; j++)
		if (j != i && h[j].kind == LUDIC_FILE_PROGRAM && strcmp(h[j].name, h[i].base) == 0)
			return (long)j;
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Programs, times and numbers (run, state, test, dump --ir/--layout)       */
/* ------------------------------------------------------------------------ */

/* Compiles PROGRAM — a .ludic file, or a folder holding one program and its
 * overlays — and lowers it, ready to run. Diagnostics (errors and warnings)
 * are written to `diag` as `ludic check` shows them. Returns 0, EXIT_ERRORS
 * when the rules have errors, or EXIT_USAGE when a file or folder cannot be
 * read or the folder does not hold exactly one program. */
int load_program(const char *path, FILE *diag, ludic_program **out)
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
	else if (s == LUDIC_ERR_MEMORY)
		fprintf(diag, "ludic: memory ran out while preparing `%s`: nothing was run\n", path);
	ludic_compiler_free(c);
	if (s != LUDIC_OK) {
		ludic_program_free(*out);
		*out = NULL;
		return s == LUDIC_ERR_PROGRAM ? EXIT_ERRORS : EXIT_USAGE;
	}
	return 0;
}

/* `n` with a comma every three digits, for people: 12,345. */
const char *grouped(long long n, char *buf, size_t cap)
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

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------ */
/* Reading events and writing effects and rejects                           */
/* ------------------------------------------------------------------------ */



/* Reads the next line. Returns false at the end of the stream (or on a read
 * error: check ferror). `*len` is the bytes kept in buf; `*full` is the
 * line's whole length, its newline included (over MAX_LINE: too long). */
bool read_line(line_reader *r, size_t *len, unsigned long long *full)
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
bool blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}


void sb_reserve(strbuf *b, size_t more)
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

void sb_add(strbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void sb_vprintf(strbuf *b, const char *fmt, va_list ap)
{
	/* Most lines fit in a small buffer: one pass; longer ones take two. */
	char small[256];
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n >= 0 && (size_t)n < sizeof small) {
		sb_add(b, small, (size_t)n);
	} else if (n >= 0) {
		sb_reserve(b, (size_t)n);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

void sb_json_string(strbuf *b, const char *s)
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
void reject_json(strbuf *b, const ludic_reject *r, const char *input)
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
void reject_text(FILE *out, const ludic_reject *r, const char *input)
{
	fprintf(out, "%s:%llu:", input, r->line);
	if (r->column)
		fprintf(out, "%u:", r->column);
	fprintf(out, " %s", r->code ? r->code : "rejected");
	if (r->field)
		fprintf(out, " %s", r->field);
	fprintf(out, ": %s\n", r->message ? r->message : "");
}


void on_effect_out(void *user, const ludic_effect *fx)
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

void on_reject_out(void *user, const ludic_reject *r)
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
void reject_too_long(run_ctx *x, unsigned long long line_no, unsigned long long full)
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

/* Lines waiting to be pushed as one batch (ludic_engine_push_json_batch):
 * their text copied end to end, since the reader reuses its buffer. */
#define FEED_LINES 256
#define FEED_BYTES ((size_t)1 << 20)

typedef struct feed {
	strbuf text;                           /* the lines, each NUL-terminated */
	size_t off[FEED_LINES];                /* where each starts in text */
	ludic_line lines[FEED_LINES];
	int results[FEED_LINES];
	size_t n;
} feed;

/* Pushes the waiting lines and counts what became of them. */
static void feed_flush(ludic_engine *e, feed *f, run_ctx *x)
{
	for (size_t i = 0; i < f->n; i++)
		f->lines[i].text = f->text.s + f->off[i];
	ludic_engine_push_json_batch(e, f->lines, f->n, f->results);
	for (size_t i = 0; i < f->n; i++) {
		switch (f->results[i]) {
		case LUDIC_APPLIED: x->applied++; break;
		case LUDIC_DUPLICATE: x->duplicates++; break;
		case LUDIC_ANONYMOUS: x->anonymous++; break;
		case LUDIC_BLANK: x->read--; break; /* the engine's own blank-line rule */
		default: x->rejected++; break;
		}
	}
	f->n = 0;
	f->text.len = 0;
}

/* True when reading more of `fp` might wait for its writer (a pipe or a
 * terminal with nothing buffered): then the lines read so far are pushed
 * first, so that their effects come out without waiting for a full batch. */
static bool input_may_wait(FILE *fp, bool regular)
{
	if (regular)
		return false;
#if defined(__GLIBC__)
	if (fp->_IO_read_ptr < fp->_IO_read_end)
		return false; /* a line or more is buffered already */
#endif
	struct pollfd p = {.fd = fileno(fp), .events = POLLIN};
	return poll(&p, 1, 0) == 0;
}

/* Applies every line of `fp` to `e`, in batches. Shows a progress line on
 * a terminal when `progress`. Returns false on a read error (message
 * printed). */
bool feed_events(ludic_engine *e, FILE *fp, run_ctx *x, bool progress)
{
	line_reader r = {.fp = fp};
	struct stat st;
	bool regular = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode);
	feed *f = calloc(1, sizeof *f);
	if (!f) {
		fputs("ludic: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	size_t len;
	unsigned long long full;
	double start = now_seconds(), last = start;
	bool shown = false;
	for (;;) {
		if (f->n && input_may_wait(fp, regular))
			feed_flush(e, f, x);
		if (!read_line(&r, &len, &full))
			break;
		if (full > MAX_LINE) {
			feed_flush(e, f, x); /* its reject comes after the lines before it */
			x->read++;
			reject_too_long(x, r.line_no, full);
			continue;
		}
		if (blank_line(r.buf, len))
			continue;
		x->read++;
		f->off[f->n] = f->text.len;
		f->lines[f->n] = (ludic_line){NULL, len, r.line_no};
		sb_add(&f->text, r.buf, len);
		sb_add(&f->text, "", 1);
		if (++f->n == FEED_LINES || f->text.len >= FEED_BYTES)
			feed_flush(e, f, x);
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
	feed_flush(e, f, x);
	if (shown)
		fputs("\r\033[K", stderr);
	bool failed = ferror(fp);
	if (failed)
		usage_error("cannot read `%s`: %s", x->input, strerror(errno));
	free(f->text.s);
	free(f);
	free(r.buf);
	return !failed;
}

/* Opens --events (or stdin). NULL after printing why. */
FILE *open_events(const char *path, const char **name)
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
bool until_option(const char *value, long long *t)
{
	char why[160];
	if (ludic_time_parse(value, strlen(value), t, why, sizeof why) == LUDIC_OK)
		return true;
	usage_error("`--until %s` is not a time: %s", value, why);
	fputs("help: write it in RFC 3339, with its UTC offset: --until 2027-04-01T00:00:00+02:00\n", stderr);
	return false;
}


/* ---- --engine ---- */

const char *const engine_values[] = {"auto", "interp", "native", NULL};

ludic_engine_kind engine_kind(const char *value)
{
	if (value && strcmp(value, "interp") == 0)
		return LUDIC_ENGINE_INTERP;
	if (value && strcmp(value, "native") == 0)
		return LUDIC_ENGINE_NATIVE;
	return LUDIC_ENGINE_AUTO;
}

void print_engine_line(ludic_engine *e)
{
	ludic_engine_info in;
	ludic_engine_info_get(e, &in);
	char a[32], b[32];
	if (in.native_events && in.interp_events)
		fprintf(stderr, "  engine native (the first %s events on the interpreter, %s on native code; compiled in %.1f ms%s)\n",
			grouped((long long)in.interp_events, a, sizeof a), grouped((long long)in.native_events, b, sizeof b),
			in.compile_ms, in.from_cache ? ", from the cache" : "");
	else if (in.native)
		fprintf(stderr, "  engine native (%s in %.1f ms)\n", in.from_cache ? "loaded from the cache" : "compiled",
			in.compile_ms);
	else if (in.compiling)
		fprintf(stderr, "  engine interpreter (native code was still compiling when the events ran out)\n");
	else
		fprintf(stderr, "  engine interpreter\n");
	if (in.note)
		fprintf(stderr, "warning: native code was asked for but does not run: %s\n", in.note);
	if (in.cache_note)
		fprintf(stderr, "note: %s\n", in.cache_note);
}
