/* langtest.c — runs the text cases of the tests/lang folder (every .test file).
 *
 * usage: langtest FILE.test...            run the cases
 *        langtest --update FILE.test...   rewrite the expectations with what the
 *                                         compiler says now (developers only:
 *                                         refused when CI is set)
 *        langtest --roundtrip FILE.ludic...  `ludic fmt` gives each file back
 *                                         unchanged, and is idempotent
 *
 * A .test file is a list of cases:
 *
 *     # a comment between cases
 *     %%TEST units-3.1 money and points do not mix
 *     program "t"
 *     ...source lines...
 *     %%FAIL
 *     ...the exact text rendering of the diagnostics...
 *     %%END
 *
 * `%%FAIL` expects that rendering (as `ludic check` prints it, no colour),
 * `%%OK` (then `%%END`) expects no diagnostic at all, `%%FMT` expects the
 * exact output of `ludic fmt`. In the source part, `%%FILE name.ludic` starts
 * another file of the same program; without it the only file is
 * `test.ludic`. Lines are compared without their trailing blanks. The
 * standard library is loaded as `ludic check` loads it (the library API).
 *
 * On a failure it prints the case id, file:line, and a diff of expected (-)
 * against actual (+). The last line is always `N passed, N failed`; the exit
 * status is 1 if any case failed or a file could not be read or understood.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ludic.h"

/* ------------------------------------------------------------------------ */
/* Growing buffers and line lists                                           */
/* ------------------------------------------------------------------------ */

typedef struct buf {
	char *s;    /* malloc'd, NUL-terminated */
	size_t len; /* bytes, without the NUL */
	size_t cap; /* allocated */
} buf;

static void die_oom(void)
{
	fputs("langtest: out of memory\n", stderr);
	exit(2);
}

static void buf_add(buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p)
			die_oom();
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_str(buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static const char *buf_text(const buf *b)
{
	return b->s ? b->s : "";
}

/* A text cut into lines (the last one without a newline is kept too). */
typedef struct lines {
	const char **at; /* start of each line, pointing into the text */
	size_t *len;     /* length of each line, without the newline and trailing blanks */
	size_t n;
} lines;

static lines split_lines(const char *text, size_t len)
{
	lines l = {0};
	size_t cap = 16;
	l.at = malloc(cap * sizeof *l.at);
	l.len = malloc(cap * sizeof *l.len);
	if (!l.at || !l.len)
		die_oom();
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		size_t n = j - i;
		while (n && (text[i + n - 1] == ' ' || text[i + n - 1] == '\t' || text[i + n - 1] == '\r'))
			n--;
		if (l.n == cap) {
			cap *= 2;
			l.at = realloc(l.at, cap * sizeof *l.at);
			l.len = realloc(l.len, cap * sizeof *l.len);
			if (!l.at || !l.len)
				die_oom();
		}
		l.at[l.n] = text + i;
		l.len[l.n++] = n;
		i = j + 1;
	}
	return l;
}

static void free_lines(lines *l)
{
	free(l->at);
	free(l->len);
}

static bool line_eq(const lines *a, size_t i, const lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->at[i], b->at[j], a->len[i]) == 0;
}

/* Prints a line diff of `want` (-) against `got` (+), LCS-based; for very
 * long texts, both in full. */
static void print_diff(FILE *out, const char *want, const char *got)
{
	lines a = split_lines(want, strlen(want)), b = split_lines(got, strlen(got));
	fputs("  --- expected\n  +++ actual\n", out);
	if ((a.n + 1) * (b.n + 1) > 4000000) {
		for (size_t i = 0; i < a.n; i++)
			fprintf(out, "  -%.*s\n", (int)a.len[i], a.at[i]);
		for (size_t j = 0; j < b.n; j++)
			fprintf(out, "  +%.*s\n", (int)b.len[j], b.at[j]);
	} else {
		/* lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..] */
		size_t w = b.n + 1;
		unsigned *lcs = calloc((a.n + 1) * w, sizeof *lcs);
		if (!lcs)
			die_oom();
		for (size_t i = a.n; i-- > 0;)
			for (size_t j = b.n; j-- > 0;)
				lcs[i * w + j] = line_eq(&a, i, &b, j) ? lcs[(i + 1) * w + j + 1] + 1
					: lcs[(i + 1) * w + j] > lcs[i * w + j + 1] ? lcs[(i + 1) * w + j]
										  : lcs[i * w + j + 1];
		size_t i = 0, j = 0;
		while (i < a.n || j < b.n) {
			if (i < a.n && j < b.n && line_eq(&a, i, &b, j)) {
				fprintf(out, "   %.*s\n", (int)a.len[i], a.at[i]);
				i++, j++;
			} else if (i < a.n && (j == b.n || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
				fprintf(out, "  -%.*s\n", (int)a.len[i], a.at[i]); /* expected first, as diff does */
				i++;
			} else {
				fprintf(out, "  +%.*s\n", (int)b.len[j], b.at[j]);
				j++;
			}
		}
		free(lcs);
	}
	free_lines(&a);
	free_lines(&b);
}

/* True if the two texts have the same lines, trailing blanks aside. */
static bool same_lines(const char *x, const char *y)
{
	lines a = split_lines(x, strlen(x)), b = split_lines(y, strlen(y));
	bool same = a.n == b.n;
	for (size_t i = 0; same && i < a.n; i++)
		same = line_eq(&a, i, &b, i);
	free_lines(&a);
	free_lines(&b);
	return same;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	bool failed = ferror(fp);
	fclose(fp);
	if (failed) {
		free(b.s);
		return NULL;
	}
	if (!b.s)
		buf_add(&b, "", 0);
	*len = b.len;
	return b.s;
}

/* ------------------------------------------------------------------------ */
/* Cases                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum { EXPECT_FAIL, EXPECT_OK, EXPECT_FMT } expect_kind;

#define MAX_FILES 16

typedef struct test_case {
	char *id;                    /* e.g. "units-3.1" */
	char *description;           /* the rest of the %%TEST line */
	unsigned line;               /* line of %%TEST in the .test file */
	char *file_names[MAX_FILES]; /* the program's files */
	buf file_text[MAX_FILES];    /* their text */
	int nfiles;
	expect_kind kind;
	buf expected;                /* what must come out */
	size_t expect_start;         /* byte offset of the %%FAIL/%%OK/%%FMT line (for --update) */
	size_t expect_end;           /* byte offset just after the %%END line */
} test_case;

static void case_free(test_case *t)
{
	free(t->id);
	free(t->description);
	for (int i = 0; i < t->nfiles; i++) {
		free(t->file_names[i]);
		free(t->file_text[i].s);
	}
	free(t->expected.s);
	memset(t, 0, sizeof *t);
}

/* Runs the compiler on the case; returns what came out (malloc'd). */
static char *run_case(const test_case *t)
{
	ludic_compiler *c = ludic_compiler_new();
	if (!c)
		die_oom();
	for (int i = 0; i < t->nfiles; i++)
		ludic_compiler_add_source(c, t->file_names[i], buf_text(&t->file_text[i]), t->file_text[i].len, 0);
	buf out = {0};
	if (t->kind == EXPECT_FMT) {
		for (int i = 0; i < t->nfiles; i++) {
			if (t->nfiles > 1) {
				buf_str(&out, "%%FILE ");
				buf_str(&out, t->file_names[i]);
				buf_str(&out, "\n");
			}
			char *text = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&text, &len);
			if (!mem)
				die_oom();
			ludic_status st = ludic_compiler_format(c, (size_t)i, mem);
			fclose(mem);
			if (st == LUDIC_OK)
				buf_add(&out, text, len);
			free(text);
		}
		if (ludic_compiler_diagnostic_count(c)) {
			buf_str(&out, "(fmt refused; diagnostics:)\n");
			char *d = ludic_compiler_render_string(c, LUDIC_FORMAT_TEXT, 0);
			buf_str(&out, d ? d : "");
			free(d);
		}
	} else {
		ludic_compiler_check(c);
		char *d = ludic_compiler_render_string(c, LUDIC_FORMAT_TEXT, 0);
		if (!d)
			die_oom();
		buf_str(&out, d);
		free(d);
	}
	ludic_compiler_free(c);
	if (!out.s)
		buf_add(&out, "", 0);
	return out.s;
}

/* Running totals and the options of this run. */
typedef struct run_state {
	unsigned passed, failed;
	bool update;  /* rewrite expectations instead of comparing */
	bool verbose; /* print every case, not only failures */
} run_state;

/* Checks one case; with --update, appends the new expectation to `rewritten`. */
static void finish_case(run_state *rs, const char *path, const char *text, test_case *t, buf *rewritten,
			size_t *copied)
{
	char *got = run_case(t);
	bool ok;
	const char *why = NULL;
	if (t->kind == EXPECT_OK) {
		ok = got[0] == '\0';
		why = "expected no diagnostic";
	} else {
		ok = same_lines(buf_text(&t->expected), got);
	}
	if (rs->update) {
		buf_add(rewritten, text + *copied, t->expect_start - *copied);
		if (got[0] == '\0' && t->kind != EXPECT_FMT) {
			buf_str(rewritten, "%%OK\n%%END\n");
		} else {
			buf_str(rewritten, t->kind == EXPECT_FMT ? "%%FMT\n" : "%%FAIL\n");
			buf_str(rewritten, got);
			if (got[0] && got[strlen(got) - 1] != '\n')
				buf_str(rewritten, "\n");
			buf_str(rewritten, "%%END\n");
		}
		*copied = t->expect_end;
	}
	if (ok) {
		rs->passed++;
		if (rs->verbose)
			printf("ok   %s\n", t->id);
	} else {
		rs->failed++;
		printf("FAIL %s (%s:%u): %s\n", t->id, path, t->line, t->description);
		if (why)
			printf("  %s\n", why);
		print_diff(stdout, buf_text(&t->expected), got);
	}
	free(got);
	case_free(t);
}

/* Reports a malformed .test file; counts as a failure. */
static void bad_file(run_state *rs, const char *path, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void bad_file(run_state *rs, const char *path, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL %s:%u: ", path, line);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	rs->failed++;
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
	size_t m = strlen(prefix);
	return n >= m && memcmp(s, prefix, m) == 0;
}

/* Is the line (without newline) exactly the directive `d`, trailing blanks aside? */
static bool is_directive(const char *s, size_t n, const char *d)
{
	size_t m = strlen(d);
	if (n < m || memcmp(s, d, m) != 0)
		return false;
	for (size_t i = m; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static bool write_file(const char *path, const char *text, size_t len)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	if (!tmp)
		die_oom();
	snprintf(tmp, n, "%s.upd-XXXXXX", path);
	int fd = mkstemp(tmp);
	bool ok = fd >= 0;
	struct stat st;
	if (ok && stat(path, &st) == 0)
		fchmod(fd, st.st_mode & 07777);
	for (size_t done = 0; ok && done < len;) {
		ssize_t w = write(fd, text + done, len - done);
		ok = w > 0;
		done += ok ? (size_t)w : 0;
	}
	if (fd >= 0)
		ok &= close(fd) == 0;
	ok = ok && rename(tmp, path) == 0;
	if (!ok && fd >= 0)
		unlink(tmp);
	free(tmp);
	return ok;
}

typedef enum { IN_BETWEEN, IN_SOURCE, IN_EXPECTED } parse_state;

/* Runs every case of one .test file. */
static void run_file(run_state *rs, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		bad_file(rs, path, 0, "cannot read: %s", strerror(errno));
		return;
	}
	test_case t = {0};
	parse_state ps = IN_BETWEEN;
	buf rewritten = {0};
	size_t copied = 0;
	char **seen = NULL;
	size_t nseen = 0;
	unsigned lineno = 0;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && text[i] != '\n')
			i++;
		const char *s = text + start;
		size_t n = i - start;
		size_t next = i < len ? i + 1 : i;
		i = next;
		lineno++;
		if (ps == IN_EXPECTED) {
			if (is_directive(s, n, "%%END")) {
				t.expect_end = next;
				if (t.kind == EXPECT_OK && t.expected.len) {
					bad_file(rs, path, t.line, "case %s: %%%%OK takes no expected text", t.id);
					case_free(&t);
				} else if (t.kind == EXPECT_FAIL && !t.expected.len) {
					bad_file(rs, path, t.line, "case %s: %%%%FAIL needs the expected diagnostics (or use %%%%OK)", t.id);
					case_free(&t);
				} else {
					finish_case(rs, path, text, &t, &rewritten, &copied);
				}
				ps = IN_BETWEEN;
			} else {
				buf_add(&t.expected, s, n);
				buf_str(&t.expected, "\n");
			}
			continue;
		}
		if (starts_with(s, n, "%%TEST")) {
			if (ps == IN_SOURCE) {
				bad_file(rs, path, t.line, "case %s has no %%%%FAIL, %%%%OK or %%%%FMT", t.id);
				case_free(&t);
			}
			const char *p = s + 6, *end = s + n;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			const char *id = p;
			while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			if (p == id) {
				bad_file(rs, path, lineno, "%%%%TEST needs an id");
				ps = IN_BETWEEN;
				continue;
			}
			t.id = strndup(id, (size_t)(p - id));
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			const char *dend = end;
			while (dend > p && (dend[-1] == '\r' || dend[-1] == ' '))
				dend--;
			t.description = strndup(p, (size_t)(dend - p));
			t.line = lineno;
			for (size_t k = 0; k < nseen; k++)
				if (strcmp(seen[k], t.id) == 0)
					bad_file(rs, path, lineno, "case id %s is used twice", t.id);
			seen = realloc(seen, (nseen + 1) * sizeof *seen);
			if (!seen || !t.id || !t.description)
				die_oom();
			seen[nseen++] = strdup(t.id);
			ps = IN_SOURCE;
			continue;
		}
		if (ps == IN_BETWEEN) {
			size_t k = 0;
			while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
				k++;
			if (k < n && s[k] != '#')
				bad_file(rs, path, lineno, "text outside a case (cases start with %%%%TEST)");
			continue;
		}
		/* IN_SOURCE */
		if (starts_with(s, n, "%%FILE")) {
			if (t.nfiles == MAX_FILES) {
				bad_file(rs, path, lineno, "case %s: more than %d files", t.id, MAX_FILES);
				continue;
			}
			const char *p = s + 6, *end = s + n;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			while (end > p && (end[-1] == ' ' || end[-1] == '\r'))
				end--;
			t.file_names[t.nfiles++] = strndup(p, (size_t)(end - p));
			continue;
		}
		expect_kind kind;
		if (is_directive(s, n, "%%FAIL") || is_directive(s, n, "%%OK") || is_directive(s, n, "%%FMT")) {
			kind = s[2] == 'F' && s[3] == 'A' ? EXPECT_FAIL : s[2] == 'O' ? EXPECT_OK : EXPECT_FMT;
			t.kind = kind;
			t.expect_start = start;
			if (t.nfiles == 0) {
				t.file_names[0] = strdup("test.ludic");
				t.nfiles = 1;
			}
			ps = IN_EXPECTED;
			continue;
		}
		if (starts_with(s, n, "%%")) {
			bad_file(rs, path, lineno, "unknown directive `%.*s`", (int)n, s);
			continue;
		}
		if (t.nfiles == 0) {
			t.file_names[0] = strdup("test.ludic");
			t.nfiles = 1;
		}
		buf_add(&t.file_text[t.nfiles - 1], s, n);
		buf_str(&t.file_text[t.nfiles - 1], "\n");
	}
	if (ps != IN_BETWEEN) {
		bad_file(rs, path, t.line, "case %s is not finished (%%%%END missing)", t.id);
		case_free(&t);
	}
	if (rs->update) {
		buf_add(&rewritten, text + copied, len - copied);
		if (rewritten.len != len || memcmp(rewritten.s, text, len) != 0) {
			if (write_file(path, rewritten.s, rewritten.len))
				fprintf(stderr, "langtest: updated %s\n", path);
			else
				bad_file(rs, path, 0, "cannot write: %s", strerror(errno));
		}
	}
	for (size_t k = 0; k < nseen; k++)
		free(seen[k]);
	free(seen);
	free(rewritten.s);
	free(text);
}

/* ------------------------------------------------------------------------ */
/* --roundtrip                                                              */
/* ------------------------------------------------------------------------ */

/* Formats `text` as file `name`; returns the output (malloc'd), or NULL
 * with the diagnostics printed. */
static char *format_text(const char *name, const char *text, size_t len, size_t *out_len)
{
	ludic_compiler *c = ludic_compiler_new();
	if (!c)
		die_oom();
	ludic_compiler_add_source(c, name, text, len, 0);
	char *out = NULL;
	FILE *mem = open_memstream(&out, out_len);
	if (!mem)
		die_oom();
	ludic_status st = ludic_compiler_format(c, 0, mem);
	fclose(mem);
	if (st != LUDIC_OK) {
		printf("  fmt refused %s:\n", name);
		ludic_compiler_render(c, stdout, LUDIC_FORMAT_TEXT, 0);
		free(out);
		out = NULL;
	}
	ludic_compiler_free(c);
	return out;
}

static void roundtrip(run_state *rs, const char *path)
{
	size_t len, len1, len2;
	char *text = read_file(path, &len);
	if (!text) {
		bad_file(rs, path, 0, "cannot read: %s", strerror(errno));
		return;
	}
	char *once = format_text(path, text, len, &len1);
	char *twice = once ? format_text(path, once, len1, &len2) : NULL;
	if (!once || !twice) {
		printf("FAIL fmt %s: not formatted\n", path);
		rs->failed++;
	} else if (len1 != len || memcmp(once, text, len) != 0) {
		printf("FAIL fmt %s: the file is not in canonical layout (run `ludic fmt %s`)\n", path, path);
		print_diff(stdout, text, once);
		if (same_lines(text, once))
			printf("  (the difference is in trailing blanks or the final newline)\n");
		rs->failed++;
	} else if (len2 != len1 || memcmp(once, twice, len1) != 0) {
		printf("FAIL fmt %s: formatting twice gives a different text\n", path);
		print_diff(stdout, once, twice);
		rs->failed++;
	} else {
		rs->passed++;
		if (rs->verbose)
			printf("ok   fmt %s\n", path);
	}
	free(text);
	free(once);
	free(twice);
}

int main(int argc, char **argv)
{
	run_state rs = {0};
	bool round = false;
	int first = 1;
	for (; first < argc && argv[first][0] == '-' && argv[first][1] == '-'; first++) {
		if (strcmp(argv[first], "--update") == 0)
			rs.update = true;
		else if (strcmp(argv[first], "--roundtrip") == 0)
			round = true;
		else if (strcmp(argv[first], "--verbose") == 0)
			rs.verbose = true;
		else {
			fprintf(stderr, "langtest: unknown option `%s`\n", argv[first]);
			return 2;
		}
	}
	if (first == argc || (round && rs.update)) {
		fputs("usage: langtest [--verbose] [--update] FILE.test...\n"
		      "       langtest [--verbose] --roundtrip FILE.ludic...\n",
		      stderr);
		return 2;
	}
	const char *ci = getenv("CI");
	if (rs.update && ci && *ci && strcmp(ci, "false") != 0 && strcmp(ci, "0") != 0) {
		fputs("langtest: --update rewrites expectations: it is for developers and refused when CI is set\n",
		      stderr);
		return 2;
	}
	for (int i = first; i < argc; i++) {
		if (round)
			roundtrip(&rs, argv[i]);
		else
			run_file(&rs, argv[i]);
	}
	printf("%u passed, %u failed\n", rs.passed, rs.failed);
	return rs.failed ? 1 : 0;
}
