/* test_cache.c — unit tests of the cache of compiled programs
 * (compiler/cache.c): keys, miss then hit, entries cut short, damaged or
 * foreign (each found before loading and rebuilt), a cache that cannot be
 * used, a build that fails, many processes and threads opening one key at
 * once, the default folder and pruning.
 *
 * The build functions compile a one-function C file with `cc -shared -fPIC`
 * (cc is present wherever the tests are built), so every entry is a real
 * shared object that the dynamic loader loads. Each test works in its own
 * temporary folder (mkdtemp), never under $HOME.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "native.h"

extern char **environ;

/* ---- helpers ------------------------------------------------------------------ */

/* A fresh folder under /tmp; the test fails if it cannot be made. */
static char *temp_dir(void)
{
	char *d = strdup("/tmp/ludic-cache-test-XXXXXX");
	cr_assert_not_null(mkdtemp(d), "mkdtemp: %s", strerror(errno));
	return d;
}

static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char sub[2048];
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			remove_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* Removes a folder of temp_dir and frees its name. */
static void drop_dir(char *dir)
{
	remove_tree(dir);
	free(dir);
}

/* Files in `dir` (not . and ..); the first name into `first` when given. */
static int count_files(const char *dir, char *first, size_t cap)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n++ == 0 && first)
			snprintf(first, cap, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

/* What a build function does. */
typedef enum { BUILD_OK, BUILD_FAILS, BUILD_GARBAGE, BUILD_DIES } build_mode;

typedef struct builder {
	const char *work; /* folder for the C sources */
	int answer;       /* what answer() of the object returns */
	build_mode mode;
	int calls;        /* how many times the build ran (atomic: threads share it) */
} builder;

/* Runs `cc -shared -fPIC -x c -o out src`; true when it exits 0. */
static bool run_cc(const char *src, const char *out)
{
	char *argv[] = {"cc", "-shared", "-fPIC", "-x", "c", "-o", (char *)out, (char *)src, NULL};
	pid_t pid;
	if (posix_spawnp(&pid, "cc", NULL, NULL, argv, environ) != 0)
		return false;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Writes a shared object whose answer() returns `answer` at `out`. */
static bool compile_answer(const char *work, int answer, const char *out)
{
	char src[1024];
	snprintf(src, sizeof src, "%s/src-XXXXXX", work);
	int fd = mkstemp(src);
	if (fd < 0)
		return false;
	char text[128];
	int n = snprintf(text, sizeof text, "int answer(void) { return %d; }\n", answer);
	bool ok = write(fd, text, (size_t)n) == n;
	close(fd);
	ok = ok && run_cc(src, out);
	unlink(src);
	return ok;
}

static bool build(void *user, const char *path, char *err, size_t cap)
{
	builder *b = user;
	__atomic_fetch_add(&b->calls, 1, __ATOMIC_SEQ_CST);
	if (b->mode == BUILD_FAILS) {
		FILE *f = fopen(path, "w"); /* leaves half a file behind, as a crashed compiler would */
		if (f) {
			fputs("half an object", f);
			fclose(f);
		}
		snprintf(err, cap, "internal compiler error: made to fail by the test");
		return false;
	}
	if (b->mode == BUILD_DIES) { /* half an object, then the process is killed */
		if (!compile_answer(b->work, b->answer, path) || truncate(path, 1000) != 0)
			return false;
		raise(SIGKILL);
	}
	if (b->mode == BUILD_GARBAGE) {
		FILE *f = fopen(path, "w");
		if (!f)
			return false;
		fputs("this is not a shared object", f);
		fclose(f);
		return true;
	}
	if (!compile_answer(b->work, b->answer, path)) {
		snprintf(err, cap, "cc failed");
		return false;
	}
	return true;
}

static int answer_of(void *h)
{
	cr_assert_not_null(h);
	int (*f)(void);
	*(void **)&f = dlsym(h, "answer");
	cr_assert_not_null(f, "dlsym: %s", dlerror());
	return f();
}

static rt_cache_key key_of(const char *s)
{
	return rt_cache_key_of(s, strlen(s));
}

static off_t file_size(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "stat %s: %s", path, strerror(errno));
	return st.st_size;
}

/* Opens `key` in `dir`, expecting success; the handle is closed. */
static void open_ok(const char *dir, rt_cache_key key, builder *b, rt_cache_result *res, int answer)
{
	char err[512] = "";
	void *h = rt_cache_open(dir, key, build, b, res, err, sizeof err);
	cr_assert_not_null(h, "rt_cache_open: %s", err);
	cr_assert_eq(answer_of(h), answer, "answer %d, want %d (%s)", answer_of(h), answer, res->path);
	dlclose(h);
}

/* A folder with one valid entry of `key` (answer b->answer); its path into res. */
static void cache_one(const char *dir, rt_cache_key key, builder *b, rt_cache_result *res)
{
	open_ok(dir, key, b, res, b->answer);
	cr_assert(!res->hit);
	cr_assert(res->cached);
	char why[512];
	cr_assert_eq(rt_cache_check(res->path, key, why, sizeof why), RT_CACHE_VALID, "%s", why);
}

/* Opens `key` again after the entry was spoilt: it must be rebuilt for `want`. */
static void expect_rebuilt(const char *dir, rt_cache_key key, builder *b, rt_cache_fault want, const char *words)
{
	int calls = b->calls;
	rt_cache_result res;
	char why[512];
	char path[1100];
	char hex[RT_CACHE_KEY_HEX];
	rt_cache_key_hex(key, hex);
	snprintf(path, sizeof path, "%s/%s.so", dir, hex);
	cr_assert_eq(rt_cache_check(path, key, why, sizeof why), want, "check gave: %s", why);
	open_ok(dir, key, b, &res, 42);
	cr_assert(!res.hit);
	cr_assert_eq(res.rebuilt, want, "rebuilt %d, reason: %s", res.rebuilt, res.rebuilt_reason);
	cr_assert(strstr(res.rebuilt_reason, words), "reason \"%s\" lacks \"%s\"", res.rebuilt_reason, words);
	cr_assert_eq(b->calls, calls + 1);
	cr_assert_str_empty(res.warning);
	cr_assert_eq(rt_cache_check(path, key, why, sizeof why), RT_CACHE_VALID, "after the rebuild: %s", why);
	cr_assert_eq(count_files(dir, NULL, 0), 1);
}

static void write_file(const char *path, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

static void flip_byte(const char *path, off_t at)
{
	int fd = open(path, O_RDWR);
	cr_assert(fd >= 0);
	unsigned char c;
	cr_assert_eq(pread(fd, &c, 1, at), 1);
	c ^= 0x5a;
	cr_assert_eq(pwrite(fd, &c, 1, at), 1);
	close(fd);
}

/* ---- keys ------------------------------------------------------------------------ */

Test(cache, key_is_a_function_of_the_bytes)
{
	rt_cache_key a = key_of("program text"), b = key_of("program text"), c = key_of("program texu");
	cr_assert(rt_cache_key_eq(a, b));
	cr_assert(!rt_cache_key_eq(a, c));
	cr_assert_neq(a.lo, c.lo);
	cr_assert_neq(a.hi, c.hi);
	cr_assert_neq(a.lo, a.hi, "the two halves come from two different keys");
	rt_cache_key e = rt_cache_key_of("", 0);
	cr_assert(!rt_cache_key_eq(e, rt_cache_key_of("\0", 1)), "the length is part of the hash");

	char hex[RT_CACHE_KEY_HEX];
	rt_cache_key_hex((rt_cache_key){0x0123456789abcdefULL, 0xfedcba9876543210ULL}, hex);
	cr_assert_str_eq(hex, "fedcba98765432100123456789abcdef");
}

/* ---- miss, hit, rebuilds ---------------------------------------------------------- */

Test(cache, miss_then_hit)
{
	char *dir = temp_dir(), *work = temp_dir();
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_key key = key_of("miss then hit");
	rt_cache_result res;
	cache_one(dir, key, &b, &res);
	cr_assert_eq(b.calls, 1);
	cr_assert_str_empty(res.warning);
	cr_assert_eq(res.rebuilt, RT_CACHE_VALID);
	cr_assert(res.ms >= 0);

	/* The entry: the object (an ELF file, which the loader accepted with the
	 * trailer after it), 64 bytes of trailer, and nothing else in the folder. */
	char hex[RT_CACHE_KEY_HEX], want[1100], name[256];
	rt_cache_key_hex(key, hex);
	snprintf(want, sizeof want, "%s/%s.so", dir, hex);
	cr_assert_str_eq(res.path, want);
	cr_assert_eq(count_files(dir, name, sizeof name), 1);
	FILE *f = fopen(want, "rb");
	char head[4];
	cr_assert_eq(fread(head, 1, 4, f), 4);
	fclose(f);
	cr_assert(!memcmp(head, "\x7f" "ELF", 4));

	rt_cache_result again;
	open_ok(dir, key, &b, &again, 42);
	cr_assert(again.hit);
	cr_assert(again.cached);
	cr_assert_eq(b.calls, 1, "a hit must not build");
	cr_assert_str_eq(again.path, want);

	/* A second process finds it too. */
	pid_t pid = fork();
	if (pid == 0) {
		rt_cache_result r;
		char err[512];
		void *h = rt_cache_open(dir, key, build, &b, &r, err, sizeof err);
		int (*fn)(void) = NULL;
		if (h)
			*(void **)&fn = dlsym(h, "answer");
		_exit(h && fn && fn() == 42 && r.hit && b.calls == 1 ? 0 : 1);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	drop_dir(dir);
	drop_dir(work);
}

Test(cache, truncated_entries_are_rebuilt)
{
	char *dir = temp_dir(), *work = temp_dir();
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_key key = key_of("truncated");
	rt_cache_result res;
	cache_one(dir, key, &b, &res);
	off_t size = file_size(res.path);

	cr_assert_eq(truncate(res.path, size / 2), 0); /* cut in the object */
	expect_rebuilt(dir, key, &b, RT_CACHE_TRUNCATED, "truncated");
	cr_assert_eq(truncate(res.path, size - 10), 0); /* cut in the trailer */
	expect_rebuilt(dir, key, &b, RT_CACHE_TRUNCATED, "truncated");
	cr_assert_eq(truncate(res.path, size - 64), 0); /* the trailer lost whole */
	expect_rebuilt(dir, key, &b, RT_CACHE_FOREIGN, "without ludic's trailer");
	cr_assert_eq(truncate(res.path, 0), 0);
	expect_rebuilt(dir, key, &b, RT_CACHE_TRUNCATED, "truncated");
	cr_assert_eq(file_size(res.path), size, "the rebuilt entry is whole");
	drop_dir(dir);
	drop_dir(work);
}

Test(cache, damaged_entries_are_rebuilt)
{
	char *dir = temp_dir(), *work = temp_dir();
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_key key = key_of("damaged");
	rt_cache_result res;
	cache_one(dir, key, &b, &res);
	off_t size = file_size(res.path);

	flip_byte(res.path, size / 2); /* in the object: its hash no longer matches */
	expect_rebuilt(dir, key, &b, RT_CACHE_CORRUPT, "hash");
	flip_byte(res.path, size - 64 + 2); /* the object's length in the trailer */
	expect_rebuilt(dir, key, &b, RT_CACHE_CORRUPT, "corrupt");
	flip_byte(res.path, size - 64 + 30); /* the object's hash in the trailer */
	expect_rebuilt(dir, key, &b, RT_CACHE_CORRUPT, "corrupt");
	flip_byte(res.path, size - 1); /* the magic */
	expect_rebuilt(dir, key, &b, RT_CACHE_FOREIGN, "without ludic's trailer");
	flip_byte(res.path, size - 64 + 40); /* the format version */
	expect_rebuilt(dir, key, &b, RT_CACHE_FOREIGN, "another version");
	drop_dir(dir);
	drop_dir(work);
}

Test(cache, foreign_files_are_rebuilt)
{
	char *dir = temp_dir(), *work = temp_dir();
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_key key = key_of("foreign"), other = key_of("another program");
	char hex[RT_CACHE_KEY_HEX], path[1100];
	rt_cache_key_hex(key, hex);
	snprintf(path, sizeof path, "%s/%s.so", dir, hex);

	/* Random bytes. */
	unsigned char junk[4096];
	srand(7);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)rand();
	write_file(path, junk, sizeof junk);
	expect_rebuilt(dir, key, &b, RT_CACHE_FOREIGN, "not a ludic cache entry");

	/* A shared object without a trailer. */
	cr_assert(compile_answer(work, 7, path));
	expect_rebuilt(dir, key, &b, RT_CACHE_FOREIGN, "without ludic's trailer");

	/* A valid entry of another key, renamed to this key's name: its answer
	 * (7) must never be seen under this key. */
	builder b7 = {work, 7, BUILD_OK, 0};
	rt_cache_result r7;
	cache_one(dir, other, &b7, &r7);
	cr_assert_eq(rename(r7.path, path), 0);
	expect_rebuilt(dir, key, &b, RT_CACHE_FOREIGN, "another program");

	/* A folder in the entry's place: it cannot be replaced, the program still loads. */
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(mkdir(path, 0700), 0);
	rt_cache_result res;
	open_ok(dir, key, &b, &res, 42);
	cr_assert_eq(res.rebuilt, RT_CACHE_UNREADABLE);
	cr_assert(!res.cached);
	cr_assert(strstr(res.warning, "could not be put in the cache"), "%s", res.warning);
	cr_assert_eq(count_files(dir, NULL, 0), 1, "no temporary file is left");
	drop_dir(dir);
	drop_dir(work);
}

/* ---- caches that cannot be used ------------------------------------------------------- */

/* With the cache folder `dir` unusable: loads anyway, says why, leaves nothing in TMPDIR. */
static void expect_uncached(const char *dir, const char *words)
{
	char *work = temp_dir(), *tmp = temp_dir();
	setenv("TMPDIR", tmp, 1);
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_result res;
	open_ok(dir, key_of("uncached"), &b, &res, 42);
	cr_assert(!res.hit);
	cr_assert(!res.cached);
	cr_assert(strstr(res.warning, words), "warning \"%s\" lacks \"%s\"", res.warning, words);
	cr_assert(strstr(res.warning, "without being kept"), "%s", res.warning);
	cr_assert_eq(b.calls, 1);
	cr_assert_eq(count_files(tmp, NULL, 0), 0, "the private object is deleted once loaded");
	open_ok(dir, key_of("uncached"), &b, &res, 42);
	cr_assert_eq(b.calls, 2, "nothing was kept, so it is built again");
	unsetenv("TMPDIR");
	drop_dir(tmp);
	drop_dir(work);
}

Test(cache, a_folder_that_cannot_be_made_still_loads)
{
	char *top = temp_dir(), dir[1200], file[1100];
	snprintf(file, sizeof file, "%s/a-file", top);
	write_file(file, "x", 1);
	snprintf(dir, sizeof dir, "%s/cache", file); /* a folder under a file: mkdir fails, even as root */
	expect_uncached(dir, "could not be created");
	drop_dir(top);
}

Test(cache, a_folder_that_cannot_be_written_still_loads)
{
	/* /proc refuses new files to every user, root included. */
	expect_uncached("/proc", "not writable");
	if (geteuid() != 0) {
		char *dir = temp_dir();
		cr_assert_eq(chmod(dir, 0500), 0);
		expect_uncached(dir, "not writable");
		drop_dir(dir);
	}
}

Test(cache, uncached_builds_every_time_and_keeps_nothing)
{
	char *work = temp_dir(), *tmp = temp_dir();
	setenv("TMPDIR", tmp, 1);
	builder b = {work, 42, BUILD_OK, 0};
	char err[512] = "";
	for (int i = 1; i <= 2; i++) {
		void *h = rt_cache_open_uncached(key_of("uncached"), build, &b, err, sizeof err);
		cr_assert_not_null(h, "%s", err);
		cr_assert_eq(answer_of(h), 42);
		dlclose(h);
		cr_assert_eq(b.calls, i);
		cr_assert_eq(count_files(tmp, NULL, 0), 0);
	}
	b.mode = BUILD_FAILS;
	cr_assert_null(rt_cache_open_uncached(key_of("uncached"), build, &b, err, sizeof err));
	cr_assert_str_eq(err, "internal compiler error: made to fail by the test");
	cr_assert_eq(count_files(tmp, NULL, 0), 0);
	unsetenv("TMPDIR");
	drop_dir(tmp);
	drop_dir(work);
}

Test(cache, no_folder_known_still_loads)
{
	unsetenv("LUDIC_CACHE_DIR");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	char *work = temp_dir();
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_result res;
	open_ok(NULL, key_of("nowhere"), &b, &res, 42);
	cr_assert(!res.cached);
	cr_assert(strstr(res.warning, "no cache folder"), "%s", res.warning);
	drop_dir(work);
}

/* ---- builds that fail ----------------------------------------------------------------- */

Test(cache, a_failed_build_leaves_nothing)
{
	char *dir = temp_dir(), *work = temp_dir();
	builder b = {work, 42, BUILD_FAILS, 0};
	rt_cache_result res;
	char err[512] = "";
	void *h = rt_cache_open(dir, key_of("fails"), build, &b, &res, err, sizeof err);
	cr_assert_null(h);
	cr_assert_str_eq(err, "internal compiler error: made to fail by the test");
	cr_assert(!res.cached);
	cr_assert_eq(count_files(dir, NULL, 0), 0);

	/* A "shared object" the loader refuses is never published either. */
	b.mode = BUILD_GARBAGE;
	h = rt_cache_open(dir, key_of("garbage"), build, &b, &res, err, sizeof err);
	cr_assert_null(h);
	cr_assert(strstr(err, "could not be loaded"), "%s", err);
	cr_assert_eq(count_files(dir, NULL, 0), 0);
	drop_dir(dir);
	drop_dir(work);
}

Test(cache, a_writer_killed_mid_build_leaves_no_entry)
{
	char *dir = temp_dir(), *work = temp_dir();
	pid_t pid = fork();
	if (pid == 0) {
		builder dying = {work, 42, BUILD_DIES, 0};
		char err[512];
		rt_cache_open(dir, key_of("killed"), build, &dying, NULL, err, sizeof err);
		_exit(0);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	char name[256];
	cr_assert_eq(count_files(dir, name, sizeof name), 1);
	cr_assert(!strncmp(name, ".tmp-", 5), "only a temporary file is left, not %s", name);

	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_result res;
	open_ok(dir, key_of("killed"), &b, &res, 42);
	cr_assert(!res.hit);
	cr_assert_eq(res.rebuilt, RT_CACHE_VALID, "nothing half-written was ever under the entry's name");
	cr_assert(res.cached);
	drop_dir(dir);
	drop_dir(work);
}

/* ---- many at once ------------------------------------------------------------------------ */

#define PROCESSES 4
#define THREADS 3

typedef struct racer {
	const char *dir;
	builder *b;
	pthread_barrier_t *start;
	bool ok;
} racer;

static void *race(void *arg)
{
	racer *r = arg;
	pthread_barrier_wait(r->start);
	rt_cache_result res;
	char err[512];
	void *h = rt_cache_open(r->dir, key_of("the race"), build, r->b, &res, err, sizeof err);
	int (*fn)(void) = NULL;
	if (h)
		*(void **)&fn = dlsym(h, "answer");
	r->ok = h && fn && fn() == 42 && res.warning[0] == 0 && res.cached;
	if (!r->ok)
		fprintf(stderr, "racer failed: %s %s\n", err, res.warning);
	return NULL;
}

/* One process of the race: THREADS threads open the key at once. */
static int race_process(const char *dir, const char *work)
{
	builder b = {work, 42, BUILD_OK, 0};
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, THREADS);
	racer rs[THREADS];
	pthread_t ts[THREADS];
	for (int i = 0; i < THREADS; i++) {
		rs[i] = (racer){dir, &b, &start, false};
		pthread_create(&ts[i], NULL, race, &rs[i]);
	}
	bool ok = true;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(ts[i], NULL);
		ok = ok && rs[i].ok;
	}
	return ok ? 0 : 1;
}

Test(cache, processes_and_threads_race_on_one_key, .timeout = 120)
{
	char *top = temp_dir(), *work = temp_dir(), dir[1100];
	snprintf(dir, sizeof dir, "%s/not/there/yet", top); /* every racer also makes the folders */
	int go[2];
	cr_assert_eq(pipe(go), 0);
	pid_t pids[PROCESSES];
	for (int i = 0; i < PROCESSES; i++) {
		pids[i] = fork();
		cr_assert(pids[i] >= 0);
		if (pids[i] == 0) {
			close(go[1]);
			char c;
			(void)!read(go[0], &c, 1); /* returns when the parent closes its end: all start together */
			_exit(race_process(dir, work));
		}
	}
	close(go[0]);
	close(go[1]);
	for (int i = 0; i < PROCESSES; i++) {
		int status;
		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "process %d failed", i);
	}

	/* One valid entry, no temporary file, and it is a hit from now on. */
	char name[256], hex[RT_CACHE_KEY_HEX], path[1400], why[512];
	cr_assert_eq(count_files(dir, name, sizeof name), 1);
	rt_cache_key_hex(key_of("the race"), hex);
	cr_assert(!strncmp(name, hex, 32) && !strcmp(name + 32, ".so"), "%s", name);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(rt_cache_check(path, key_of("the race"), why, sizeof why), RT_CACHE_VALID, "%s", why);
	struct stat st;
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700, "the cache folder is private");
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_result res;
	open_ok(dir, key_of("the race"), &b, &res, 42);
	cr_assert(res.hit);
	cr_assert_eq(b.calls, 0);
	drop_dir(top);
	drop_dir(work);
}

/* ---- the default folder --------------------------------------------------------------------- */

Test(cache, default_folder_from_the_environment)
{
	char buf[256];
	setenv("LUDIC_CACHE_DIR", "/x/ludic-cache", 1);
	setenv("XDG_CACHE_HOME", "/x/xdg", 1);
	setenv("HOME", "/x/home", 1);
	cr_assert(rt_native_default_cache_dir(buf, sizeof buf));
	cr_assert_str_eq(buf, "/x/ludic-cache");
	setenv("LUDIC_CACHE_DIR", "", 1); /* empty counts as unset */
	cr_assert(rt_native_default_cache_dir(buf, sizeof buf));
	cr_assert_str_eq(buf, "/x/xdg/ludic");
	unsetenv("XDG_CACHE_HOME");
	cr_assert(rt_native_default_cache_dir(buf, sizeof buf));
	cr_assert_str_eq(buf, "/x/home/.cache/ludic");
	cr_assert(!rt_native_default_cache_dir(buf, 8), "too long for the buffer");
	unsetenv("HOME");
	cr_assert(!rt_native_default_cache_dir(buf, sizeof buf));
}

Test(cache, null_folder_means_the_default)
{
	char *top = temp_dir(), *work = temp_dir(), dir[1100];
	snprintf(dir, sizeof dir, "%s/a/b", top);
	setenv("LUDIC_CACHE_DIR", dir, 1);
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_result res;
	open_ok(NULL, key_of("default"), &b, &res, 42);
	cr_assert(res.cached);
	cr_assert(!strncmp(res.path, dir, strlen(dir)), "%s is not under %s", res.path, dir);
	cr_assert_eq(count_files(dir, NULL, 0), 1);
	open_ok("", key_of("default"), &b, &res, 42);
	cr_assert(res.hit, "\"\" is the default folder too");
	cr_assert_eq(b.calls, 1);
	struct stat st;
	snprintf(dir, sizeof dir, "%s/a", top);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700, "parents are made private too");
	drop_dir(top);
	drop_dir(work);
}

/* ---- pruning ------------------------------------------------------------------------------- */

Test(cache, prune_deletes_the_least_recently_used)
{
	char *dir = temp_dir(), *work = temp_dir();
	builder b = {work, 42, BUILD_OK, 0};
	const char *names[3] = {"old", "middle", "new"};
	rt_cache_result res[3];
	off_t size = 0;
	for (int i = 0; i < 3; i++) {
		open_ok(dir, key_of(names[i]), &b, &res[i], 42);
		struct timespec when[2] = {{1000000 + i * 100, 0}, {1000000 + i * 100, 0}};
		cr_assert_eq(utimensat(AT_FDCWD, res[i].path, when, 0), 0);
		size += file_size(res[i].path);
	}
	/* Using "old" again makes it the most recent. */
	open_ok(dir, key_of("old"), &b, &res[0], 42);
	cr_assert(res[0].hit);

	/* A dead writer's temporary file, two hours old, and a live one. */
	char stale[1100], live[1100], err[256];
	snprintf(stale, sizeof stale, "%s/.tmp-dead-123456", dir);
	snprintf(live, sizeof live, "%s/.tmp-live-123456", dir);
	write_file(stale, "x", 1);
	write_file(live, "x", 1);
	struct timespec long_ago[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, stale, long_ago, 0), 0);

	cr_assert_eq(rt_cache_prune(dir, (uint64_t)size, err, sizeof err), 1, "only the stale file: all fit");
	cr_assert_eq(rt_cache_prune(dir, (uint64_t)size - 1, err, sizeof err), 1);
	cr_assert_eq(access(res[1].path, F_OK), -1, "\"middle\" was the least recently used");
	cr_assert_eq(access(res[0].path, F_OK), 0);
	cr_assert_eq(access(res[2].path, F_OK), 0);
	cr_assert_eq(access(live, F_OK), 0, "a live writer's file is kept");
	cr_assert_eq(rt_cache_prune(dir, 0, err, sizeof err), 2);
	cr_assert_eq(count_files(dir, NULL, 0), 1);
	cr_assert_eq(rt_cache_prune("/nonexistent/ludic", 0, err, sizeof err), -1);
	cr_assert(strstr(err, "could not be read"), "%s", err);
	drop_dir(dir);
	drop_dir(work);
}

Test(cache, a_miss_sweeps_files_of_dead_writers)
{
	char *dir = temp_dir(), *work = temp_dir();
	char stale[1100], live[1100];
	snprintf(stale, sizeof stale, "%s/.tmp-killed-abcdef", dir);
	snprintf(live, sizeof live, "%s/.tmp-writing-abcdef", dir);
	write_file(stale, "half", 4);
	write_file(live, "half", 4);
	struct timespec long_ago[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, stale, long_ago, 0), 0);
	builder b = {work, 42, BUILD_OK, 0};
	rt_cache_result res;
	open_ok(dir, key_of("sweep"), &b, &res, 42);
	cr_assert(!res.hit);
	cr_assert_eq(access(stale, F_OK), -1, "a killed writer's file is deleted");
	cr_assert_eq(access(live, F_OK), 0, "a file being written is kept");
	cr_assert_eq(count_files(dir, NULL, 0), 2);
	drop_dir(dir);
	drop_dir(work);
}
