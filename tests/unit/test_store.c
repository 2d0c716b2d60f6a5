/* test_store.c — the durable store through its public API (include/ludic.h,
 * "Durable store"): a run that stops before a commit and resumes from the
 * committed position ends with the same ledger and the same state, byte for
 * byte, as a run that never stopped; a damaged record is caught by its
 * checksum; bad folders are refused with a reason; misuse is refused. */
#include <criterion/criterion.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ludic.h"

static const char *path_of(const char *rel)
{
	static char buf[1024];
	const char *dir = getenv("LUDIC_SOURCE_DIR");
	if (dir) {
		snprintf(buf, sizeof buf, "%s/%s", dir, rel);
	} else {
		const char *me = __FILE__, *cut = strstr(me, "tests/unit/");
		snprintf(buf, sizeof buf, "%.*s%s", (int)(cut ? cut - me : 0), me, rel);
	}
	return buf;
}

static ludic_program *retailer(void)
{
	ludic_compiler *c = ludic_compiler_new();
	cr_assert_eq(ludic_compiler_add_file(c, path_of("examples/retailer/base.ludic"), 0), LUDIC_OK);
	ludic_program *p = NULL;
	cr_assert_eq(ludic_program_new(c, &p), LUDIC_OK);
	ludic_compiler_free(c);
	return p;
}

/* The retailer's sample events, one string per line. */
typedef struct lines {
	char *text;
	char *line[256];
	size_t len[256];
	size_t n;
} lines;

static void read_events(lines *l)
{
	FILE *f = fopen(path_of("examples/retailer/events.jsonl"), "rb");
	cr_assert_not_null(f);
	l->text = calloc(1, 1 << 20);
	size_t n = fread(l->text, 1, (1 << 20) - 1, f);
	fclose(f);
	l->n = 0;
	for (char *p = l->text; p < l->text + n && l->n < 256;) {
		char *nl = memchr(p, '\n', (size_t)(l->text + n - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(l->text + n - p);
		l->line[l->n] = p;
		l->len[l->n++] = len;
		p += len + 1;
	}
	cr_assert_gt(l->n, 60);
}

static char *temp_dir(void)
{
	char *d = strdup("/tmp/ludic-test-store-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void remove_dir(char *d)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	cr_assert_eq(system(cmd), 0);
	free(d);
}

/* Pushes lines [from, to) and, when `commit`, commits at `to`. */
static ludic_store *run(const char *dir, const ludic_program *p, const lines *l, size_t from, size_t to, bool commit)
{
	ludic_store *s = NULL;
	cr_assert_eq(ludic_store_open(dir, NULL, &s), LUDIC_OK, "%s", s ? ludic_store_error(s) : "");
	ludic_engine_options opt = {.engine = LUDIC_ENGINE_INTERP};
	ludic_store_report rep;
	cr_assert_eq(ludic_store_attach(s, p, &opt, NULL, NULL, NULL, &rep), LUDIC_OK, "%s", ludic_store_error(s));
	cr_assert_eq(rep.line, from, "the store resumes after line %llu, not %zu", rep.line, from);
	for (size_t i = from; i < to; i++)
		ludic_store_push_json(s, l->line[i], l->len[i], i + 1);
	if (commit)
		cr_assert_eq(ludic_store_commit(s, 0, to), LUDIC_OK, "%s", ludic_store_error(s));
	return s;
}

/* Everything a store holds, as text: every ledger entry, every fingerprint. */
typedef struct dump {
	char *text;
	size_t len, cap;
} dump;

static void dump_add(dump *d, const char *s, size_t n)
{
	if (d->len + n + 1 > d->cap) {
		d->cap = (d->len + n + 1) * 2;
		d->text = realloc(d->text, d->cap);
	}
	memcpy(d->text + d->len, s, n);
	d->len += n;
	d->text[d->len] = 0;
}

static int dump_entry(void *user, const ludic_ledger_entry *e)
{
	char head[600];
	int n = snprintf(head, sizeof head, "%llu %s ", e->seq, e->id);
	dump_add(user, head, (size_t)n);
	dump_add(user, e->json, e->len);
	dump_add(user, "\n", 1);
	return 0;
}

static int dump_id(void *user, bool staff, const char *id, unsigned long long fp)
{
	char line[600];
	int n = snprintf(line, sizeof line, "%s %s %016llx\n", staff ? "staff" : "customer", id, fp);
	dump_add(user, line, (size_t)n);
	return 0;
}

static char *dump_store(const char *dir)
{
	ludic_store *s = NULL;
	ludic_store_options o = {.read_only = 1};
	cr_assert_eq(ludic_store_open(dir, &o, &s), LUDIC_OK, "%s", s ? ludic_store_error(s) : "");
	dump d = {0};
	cr_assert_eq(ludic_store_ledger(s, NULL, false, dump_entry, &d), LUDIC_OK);
	cr_assert_eq(ludic_store_each(s, dump_id, &d), LUDIC_OK);
	ludic_store_close(s);
	return d.text;
}

Test(store, resume_after_a_lost_batch_equals_one_run)
{
	ludic_program *p = retailer();
	lines l;
	read_events(&l);
	char *ref = temp_dir(), *crash = temp_dir();
	ludic_store_close(run(ref, p, &l, 0, l.n, true));

	/* 30 lines committed, 25 more applied but never committed (a crash) */
	ludic_store_close(run(crash, p, &l, 0, 30, true));
	ludic_store_close(run(crash, p, &l, 30, 55, false));
	/* resumed after line 30, in two more batches */
	ludic_store_close(run(crash, p, &l, 30, 50, true));
	ludic_store_close(run(crash, p, &l, 50, l.n, true));

	char *a = dump_store(ref), *b = dump_store(crash);
	cr_assert_gt(strlen(a), 1000, "the reference store is nearly empty");
	cr_assert_str_eq(a, b, "the resumed store differs from the one of an uninterrupted run");
	free(a);
	free(b);
	remove_dir(ref);
	remove_dir(crash);
	free(l.text);
	ludic_program_free(p);
}

static void count_effect(void *user, const char *json, size_t len)
{
	(void)json;
	(void)len;
	++*(size_t *)user;
}

static int count_entry(void *user, const ludic_ledger_entry *e)
{
	(void)e;
	++*(size_t *)user;
	return 0;
}

/* A commit written while the next batch is applied (commit_start, then
 * events, then commit_wait) holds that batch and nothing of the next, and
 * reports that batch's effects only; the store ends as one of synchronous
 * commits at the same lines. */
Test(store, commit_written_during_the_next_batch_holds_only_its_batch)
{
	ludic_program *p = retailer();
	lines l;
	read_events(&l);
	char *ref = temp_dir(), *dir = temp_dir();
	ludic_store *r = run(ref, p, &l, 0, 20, true);
	size_t first = 0;
	cr_assert_eq(ludic_store_ledger(r, NULL, false, count_entry, &first), LUDIC_OK);
	cr_assert_gt(first, 0, "no effect in the first 20 lines");
	ludic_store_close(r);
	ludic_store_close(run(ref, p, &l, 20, l.n, true));

	ludic_store *s = NULL;
	size_t reported = 0, entries = 0;
	cr_assert_eq(ludic_store_open(dir, NULL, &s), LUDIC_OK);
	ludic_engine_options opt = {.engine = LUDIC_ENGINE_INTERP};
	cr_assert_eq(ludic_store_attach(s, p, &opt, count_effect, &reported, NULL, NULL), LUDIC_OK);
	for (size_t i = 0; i < 20; i++)
		ludic_store_push_json(s, l.line[i], l.len[i], i + 1);
	cr_assert_eq(ludic_store_commit_start(s, 0, 20), LUDIC_OK, "%s", ludic_store_error(s));
	for (size_t i = 20; i < 35; i++)
		ludic_store_push_json(s, l.line[i], l.len[i], i + 1);
	cr_assert_eq(ludic_store_commit_wait(s), LUDIC_OK, "%s", ludic_store_error(s));
	cr_assert_eq(reported, first, "%zu effects reported for a batch of %zu", reported, first);
	cr_assert_eq(ludic_store_ledger(s, NULL, false, count_entry, &entries), LUDIC_OK);
	cr_assert_eq(entries, first, "%zu ledger entries committed for a batch of %zu", entries, first);
	unsigned long long off, line;
	ludic_store_position(s, &off, &line);
	cr_assert_eq(line, 20, "the store is at line %llu after the commit of line 20", line);
	ludic_store_close(s); /* lines 21-35 were never committed: a crash */
	ludic_store_close(run(dir, p, &l, 20, l.n, true));

	char *a = dump_store(ref), *b = dump_store(dir);
	cr_assert_str_eq(a, b, "a commit written during the next batch differs from a synchronous one");
	free(a);
	free(b);
	remove_dir(ref);
	remove_dir(dir);
	free(l.text);
	ludic_program_free(p);
}

Test(store, ledger_of_one_customer_in_order)
{
	ludic_program *p = retailer();
	lines l;
	read_events(&l);
	char *dir = temp_dir();
	ludic_store_close(run(dir, p, &l, 0, l.n, true));
	ludic_store *s = NULL;
	ludic_store_options o = {.read_only = 1};
	cr_assert_eq(ludic_store_open(dir, &o, &s), LUDIC_OK);
	dump d = {0};
	cr_assert_eq(ludic_store_ledger(s, "c-1003", false, dump_entry, &d), LUDIC_OK);
	cr_assert_not_null(d.text, "no entry for c-1003");
	/* in ledger order, every entry of c-1003 and nobody else's */
	unsigned long long last = 0;
	size_t n = 0;
	for (char *line = d.text; *line; line = strchr(line, '\n') + 1, n++) {
		unsigned long long seq = strtoull(line, NULL, 10);
		cr_assert(n == 0 || seq > last, "entries out of order: %llu after %llu", seq, last);
		last = seq;
		cr_assert(strstr(line, "\"customer\":\"c-1003\""), "another customer's entry: %.80s", line);
	}
	cr_assert_gt(n, 5);
	free(d.text);
	ludic_store_close(s);
	remove_dir(dir);
	free(l.text);
	ludic_program_free(p);
}

/* Opens the sub-database `name` of the store in `dir` for writing, behind
 * the store's back (to damage it). */
static MDB_txn *raw_open(const char *dir, const char *name, MDB_env **env, MDB_dbi *db)
{
	MDB_txn *t;
	cr_assert_eq(mdb_env_create(env), 0);
	mdb_env_set_maxdbs(*env, 8);
	cr_assert_eq(mdb_env_open(*env, dir, 0, 0666), 0);
	cr_assert_eq(mdb_txn_begin(*env, NULL, 0, &t), 0);
	cr_assert_eq(mdb_dbi_open(t, name, 0, db), 0);
	return t;
}

Test(store, damaged_record_is_caught_by_its_checksum)
{
	ludic_program *p = retailer();
	lines l;
	read_events(&l);
	char *dir = temp_dir();
	ludic_store_close(run(dir, p, &l, 0, l.n, true));
	/* change one byte of customer c-1003's saved record, behind the store's back */
	MDB_env *env;
	MDB_dbi db;
	MDB_txn *t = raw_open(dir, "customers", &env, &db);
	MDB_val k = {.mv_size = 6, .mv_data = "c-1003"}, v;
	cr_assert_eq(mdb_get(t, db, &k, &v), 0);
	unsigned char *copy = malloc(v.mv_size);
	memcpy(copy, v.mv_data, v.mv_size);
	copy[v.mv_size / 2] ^= 0x5a;
	MDB_val nv = {.mv_size = v.mv_size, .mv_data = copy};
	cr_assert_eq(mdb_put(t, db, &k, &nv, 0), 0);
	cr_assert_eq(mdb_txn_commit(t), 0);
	mdb_env_close(env);
	free(copy);

	ludic_store *s = NULL;
	cr_assert_eq(ludic_store_open(dir, NULL, &s), LUDIC_OK);
	cr_assert_eq(ludic_store_attach(s, p, NULL, NULL, NULL, NULL, NULL), LUDIC_ERR_IO);
	cr_assert(strstr(ludic_store_error(s), "\"c-1003\"") && strstr(ludic_store_error(s), "checksum") &&
			  strstr(ludic_store_error(s), "backup"),
		  "unclear: %s", ludic_store_error(s));
	ludic_store_close(s);
	remove_dir(dir);
	free(l.text);
	ludic_program_free(p);
}

/* A store written by a ludic of another store format (here format 1, whose
 * ledger held JSON text) is refused at open, saying which formats. */
Test(store, store_of_another_format_is_refused)
{
	ludic_program *p = retailer();
	lines l;
	read_events(&l);
	char *dir = temp_dir();
	ludic_store_close(run(dir, p, &l, 0, 10, true));
	MDB_env *env;
	MDB_dbi db;
	MDB_txn *t = raw_open(dir, "meta", &env, &db);
	uint64_t one = 1;
	MDB_val k = {.mv_size = 6, .mv_data = "format"}, v = {.mv_size = 8, .mv_data = &one};
	cr_assert_eq(mdb_put(t, db, &k, &v, 0), 0);
	cr_assert_eq(mdb_txn_commit(t), 0);
	mdb_env_close(env);

	ludic_store *s = NULL;
	cr_assert_neq(ludic_store_open(dir, NULL, &s), LUDIC_OK, "a store of format 1 was opened");
	cr_assert(strstr(ludic_store_error(s), "format 1") && strstr(ludic_store_error(s), "reads format 2"),
		  "unclear: %s", ludic_store_error(s));
	ludic_store_close(s);
	remove_dir(dir);
	free(l.text);
	ludic_program_free(p);
}

Test(store, bad_folders_and_misuse)
{
	ludic_store *s = NULL;
	cr_assert_eq(ludic_store_open(NULL, NULL, &s), LUDIC_ERR_USAGE);
	cr_assert_null(s);
	cr_assert_eq(ludic_store_open("x", NULL, NULL), LUDIC_ERR_USAGE);
	/* a file, not a folder */
	char *dir = temp_dir();
	char file[1100];
	snprintf(file, sizeof file, "%s/events.jsonl", dir);
	FILE *f = fopen(file, "w");
	fputs("{}\n", f);
	fclose(f);
	cr_assert_eq(ludic_store_open(file, NULL, &s), LUDIC_ERR_IO);
	cr_assert(strstr(ludic_store_error(s), "is a file"), "%s", ludic_store_error(s));
	ludic_store_close(s);
	/* a folder with other files: not taken over */
	cr_assert_eq(ludic_store_open(dir, NULL, &s), LUDIC_ERR_IO);
	cr_assert(strstr(ludic_store_error(s), "not a ludic store"), "%s", ludic_store_error(s));
	ludic_store_close(s);
	/* read-only on nothing */
	ludic_store_options ro = {.read_only = 1};
	snprintf(file, sizeof file, "%s/none", dir);
	cr_assert_eq(ludic_store_open(file, &ro, &s), LUDIC_ERR_IO);
	cr_assert(strstr(ludic_store_error(s), "there is no store"), "%s", ludic_store_error(s));
	ludic_store_close(s);
	/* a new store: no program to give back yet; calls before attach are refused */
	snprintf(file, sizeof file, "%s/new", dir);
	cr_assert_eq(ludic_store_open(file, NULL, &s), LUDIC_OK, "%s", ludic_store_error(s));
	ludic_program *p = NULL;
	cr_assert_eq(ludic_store_program(s, &p), LUDIC_ERR_IO);
	cr_assert_null(p);
	cr_assert_eq(ludic_store_push_json(s, "{}", 2, 1), -1);
	cr_assert_eq(ludic_store_commit(s, 0, 0), LUDIC_ERR_USAGE);
	cr_assert_eq(ludic_store_attach(s, NULL, NULL, NULL, NULL, NULL, NULL), LUDIC_ERR_USAGE);
	ludic_program *r = retailer();
	cr_assert_eq(ludic_store_attach(s, r, NULL, NULL, NULL, NULL, NULL), LUDIC_OK);
	cr_assert_eq(ludic_store_attach(s, r, NULL, NULL, NULL, NULL, NULL), LUDIC_ERR_USAGE);
	/* the program comes back from the store, by its source */
	cr_assert_eq(ludic_store_program(s, &p), LUDIC_OK, "%s", ludic_store_error(s));
	cr_assert_str_eq(ludic_program_name(p), "maison-verte");
	ludic_store_close(s);
	ludic_program_free(p);
	ludic_program_free(r);
	ludic_store_close(NULL);
	remove_dir(dir);
}
