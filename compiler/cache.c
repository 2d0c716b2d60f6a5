/* cache.c — compiled programs kept on disk by content (cache.h,
 * docs/design/cache.md).
 *
 * An entry is `<dir>/<32 hex digits of the key>.so`: the shared object as
 * the build function wrote it, then a 64-byte trailer (all numbers
 * little-endian):
 *
 *     0  u64  length of the object (the bytes before the trailer)
 *     8  u64  key, low half          16  u64  key, high half
 *    24  u64  hash of the object, low half
 *    32  u64  hash of the object, high half
 *    40  u32  format version (1)     44  u32  trailer length (64)
 *    48  u64  SipHash of bytes 0..47 (the trailer checks itself)
 *    56  8 bytes magic "ludic-so"
 *
 * The dynamic loader reads an ELF file through its headers, so the bytes
 * after the object are never looked at when it is loaded; the cache reads
 * the trailer from the end of the file and checks everything before dlopen.
 *
 * Writers never touch a final name: they build into a unique temporary
 * file of the same folder (mkstemp), seal it, flush it, load it (so a
 * broken object is never published), and rename it over the final name.
 * rename is atomic, so readers see the old entry or the new one, whole; two
 * writers of one key both succeed, the second replacing the first with
 * equal content. No lock is taken.
 */
#include "cache.h"

#include "native.h"
#include "siphash.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FORMAT_VERSION 1u
#define TRAILER_SIZE 64
#define MAGIC "ludic-so"  /* 8 bytes, no NUL in the file */
#define TMP_PREFIX ".tmp-" /* temporary files in the cache folder */
#define STALE_TMP_SECONDS 3600

/* The keys of the two SipHash runs of a content key, and of the trailer's
 * self-check. Changing them changes every key: old entries are then never
 * found again (and pruned), never misread. */
#define KEY_LO_0 UINT64_C(0x6568636163696475) /* "udicache" */
#define KEY_LO_1 UINT64_C(0x316b2d63696475c6)
#define KEY_HI_0 UINT64_C(0x9e3779b97f4a7c15)
#define KEY_HI_1 UINT64_C(0x322d79656b2d6f73)
#define KEY_TRAILER_0 UINT64_C(0x72656c696172742d)
#define KEY_TRAILER_1 UINT64_C(0x6b63656863736c75)

/* ---- keys ------------------------------------------------------------------ */

rt_cache_key rt_cache_key_of(const void *bytes, size_t len)
{
	rt_cache_key k;
	k.lo = rt_siphash(1, 3, KEY_LO_0, KEY_LO_1, bytes, len);
	k.hi = rt_siphash(1, 3, KEY_HI_0, KEY_HI_1, bytes, len);
	return k;
}

void rt_cache_key_hex(rt_cache_key key, char *out)
{
	snprintf(out, RT_CACHE_KEY_HEX, "%016llx%016llx", (unsigned long long)key.hi, (unsigned long long)key.lo);
}

bool rt_cache_key_eq(rt_cache_key a, rt_cache_key b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

/* ---- the default folder ------------------------------------------------------ */

bool rt_native_default_cache_dir(char *buf, size_t cap)
{
	const char *d = getenv("LUDIC_CACHE_DIR");
	if (d && *d)
		return (size_t)snprintf(buf, cap, "%s", d) < cap;
	d = getenv("XDG_CACHE_HOME");
	if (d && *d)
		return (size_t)snprintf(buf, cap, "%s/ludic", d) < cap;
	d = getenv("HOME");
	if (d && *d)
		return (size_t)snprintf(buf, cap, "%s/.cache/ludic", d) < cap;
	return false;
}

/* ---- small helpers ------------------------------------------------------------- */

/* snprintf for messages, which may be cut to fit their buffer. */
__attribute__((format(printf, 3, 4))) static void say(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Reads exactly `len` bytes at `off`; false on an error or a short file. */
static bool read_at(int fd, void *buf, size_t len, off_t off)
{
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = pread(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return true;
}

static bool write_at(int fd, const void *buf, size_t len, off_t off)
{
	const unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return true;
}

/* The hash of the `len` bytes of `fd` from its start, read into memory
 * (entries are small: a compiled program is tens of kilobytes). */
static bool hash_file(int fd, uint64_t len, rt_cache_key *out)
{
	if (len > (uint64_t)SIZE_MAX)
		return false;
	unsigned char *buf = malloc(len ? (size_t)len : 1);
	if (!buf)
		return false;
	bool ok = read_at(fd, buf, (size_t)len, 0);
	if (ok)
		*out = rt_cache_key_of(buf, (size_t)len);
	free(buf);
	return ok;
}

/* The end of an ELF object's last header table, from its first 64 bytes
 * (ELF32 or ELF64, little-endian); 0 when `head` is not such an ELF. Used
 * only to tell a truncated entry from a foreign file in messages. */
static uint64_t elf_extent(const unsigned char *head, size_t len)
{
	static const unsigned char elf_magic[4] = {0x7f, 'E', 'L', 'F'};
	if (len < 64 || memcmp(head, elf_magic, 4) != 0 || head[5] != 1 /* little-endian */)
		return 0;
	uint64_t ph, sh;
	if (head[4] == 2) { /* ELF64 */
		ph = get_le(head + 32, 8) + get_le(head + 54, 2) * get_le(head + 56, 2);
		sh = get_le(head + 40, 8) + get_le(head + 58, 2) * get_le(head + 60, 2);
	} else if (head[4] == 1) { /* ELF32 */
		ph = get_le(head + 28, 4) + get_le(head + 42, 2) * get_le(head + 44, 2);
		sh = get_le(head + 32, 4) + get_le(head + 46, 2) * get_le(head + 48, 2);
	} else {
		return 0;
	}
	return ph > sh ? ph : sh;
}

/* ---- checking an entry ------------------------------------------------------------ */

/* A file without the trailer's magic at its end: cut short, or not ours. */
static rt_cache_fault classify_unsealed(int fd, uint64_t size, char *why, size_t cap)
{
	unsigned char head[64] = {0};
	size_t hl = size < sizeof head ? (size_t)size : sizeof head;
	uint64_t elf_end = read_at(fd, head, hl, 0) ? elf_extent(head, hl) : 0;
	if (elf_end && size < elf_end) {
		say(why, cap,
		    "the cached entry was truncated (%llu bytes, where its object alone takes %llu): "
		    "a write was cut short",
		    (unsigned long long)size, (unsigned long long)elf_end);
		return RT_CACHE_TRUNCATED;
	}
	if (elf_end && size > elf_end && size < elf_end + TRAILER_SIZE) {
		say(why, cap,
		    "the cached entry was truncated (%llu bytes: its trailer lacks %llu of its %d bytes): "
		    "a write was cut short",
		    (unsigned long long)size, (unsigned long long)(elf_end + TRAILER_SIZE - size), TRAILER_SIZE);
		return RT_CACHE_TRUNCATED;
	}
	if (size < TRAILER_SIZE) {
		say(why, cap, "the cached entry was truncated (%llu bytes, less than its %d-byte trailer)",
		    (unsigned long long)size, TRAILER_SIZE);
		return RT_CACHE_TRUNCATED;
	}
	if (elf_end)
		say(why, cap,
		    "the cached entry is a shared object without ludic's trailer: it was not written "
		    "by ludic's cache");
	else
		say(why, cap, "the cached entry is not a ludic cache entry (no trailer at its end)");
	return RT_CACHE_FOREIGN;
}

/* Checks an open entry of `size` bytes against `key`. */
static rt_cache_fault check_fd(int fd, uint64_t size, rt_cache_key key, char *why, size_t cap)
{
	unsigned char t[TRAILER_SIZE];
	if (size < TRAILER_SIZE || !read_at(fd, t, TRAILER_SIZE, (off_t)(size - TRAILER_SIZE)) ||
	    memcmp(t + 56, MAGIC, 8) != 0)
		return classify_unsealed(fd, size, why, cap);
	uint32_t version = (uint32_t)get_le(t + 40, 4);
	uint32_t tsize = (uint32_t)get_le(t + 44, 4);
	if (version != FORMAT_VERSION || tsize != TRAILER_SIZE) {
		say(why, cap,
		    "the cached entry was written by another version of ludic's cache (format %u, "
		    "this one reads format %u)",
		    version, FORMAT_VERSION);
		return RT_CACHE_FOREIGN;
	}
	if (get_le(t + 48, 8) != rt_siphash(1, 3, KEY_TRAILER_0, KEY_TRAILER_1, t, 48)) {
		say(why, cap, "the cached entry is corrupt (its trailer does not match its own check)");
		return RT_CACHE_CORRUPT;
	}
	rt_cache_key k = {get_le(t + 8, 8), get_le(t + 16, 8)};
	if (!rt_cache_key_eq(k, key)) {
		char hex[RT_CACHE_KEY_HEX];
		rt_cache_key_hex(k, hex);
		say(why, cap, "the cached entry belongs to another program (its trailer names key %s)", hex);
		return RT_CACHE_FOREIGN;
	}
	uint64_t len = get_le(t, 8);
	if (len != size - TRAILER_SIZE) {
		say(why, cap,
		    "the cached entry is corrupt (its object takes %llu bytes, its trailer says %llu)",
		    (unsigned long long)(size - TRAILER_SIZE), (unsigned long long)len);
		return RT_CACHE_CORRUPT;
	}
	rt_cache_key h;
	if (!hash_file(fd, len, &h)) {
		say(why, cap, "the cached entry could not be read (%s)", strerror(errno ? errno : EIO));
		return RT_CACHE_UNREADABLE;
	}
	if (h.lo != get_le(t + 24, 8) || h.hi != get_le(t + 32, 8)) {
		say(why, cap,
		    "the cached entry is corrupt (its bytes do not match the hash in its trailer: the "
		    "file was damaged)");
		return RT_CACHE_CORRUPT;
	}
	return RT_CACHE_VALID;
}

rt_cache_fault rt_cache_check(const char *path, rt_cache_key key, char *why, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			say(why, cap, "there is no cached entry");
			return RT_CACHE_MISSING;
		}
		say(why, cap, "the cached entry could not be opened (%s)", strerror(errno));
		return RT_CACHE_UNREADABLE;
	}
	struct stat st;
	rt_cache_fault f;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		say(why, cap, "the cached entry is not a regular file");
		f = RT_CACHE_UNREADABLE;
	} else {
		f = check_fd(fd, (uint64_t)st.st_size, key, why, cap);
	}
	close(fd);
	return f;
}

/* ---- writing an entry -------------------------------------------------------------- */

/* Appends the trailer to the object at `path` and flushes it to disk. */
static bool seal(const char *path, rt_cache_key key, char *err, size_t cap)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		say(err, cap, "the compiled object %s could not be reopened (%s)", path, strerror(errno));
		return false;
	}
	struct stat st;
	bool ok = false;
	rt_cache_key h;
	if (fstat(fd, &st) != 0 || st.st_size == 0) {
		say(err, cap, "the compiler wrote nothing at %s", path);
	} else if (!hash_file(fd, (uint64_t)st.st_size, &h)) {
		say(err, cap, "the compiled object %s could not be read (%s)", path, strerror(errno ? errno : EIO));
	} else {
		unsigned char t[TRAILER_SIZE];
		put64(t, (uint64_t)st.st_size);
		put64(t + 8, key.lo);
		put64(t + 16, key.hi);
		put64(t + 24, h.lo);
		put64(t + 32, h.hi);
		put32(t + 40, FORMAT_VERSION);
		put32(t + 44, TRAILER_SIZE);
		put64(t + 48, rt_siphash(1, 3, KEY_TRAILER_0, KEY_TRAILER_1, t, 48));
		memcpy(t + 56, MAGIC, 8);
		if (!write_at(fd, t, sizeof t, st.st_size) || fsync(fd) != 0)
			say(err, cap, "the cache entry %s could not be written (%s)", path, strerror(errno ? errno : EIO));
		else
			ok = true;
	}
	close(fd);
	return ok;
}

/* mkdir -p with mode 0700; true when `dir` is (now) a folder. */
static bool make_dirs(const char *dir)
{
	char buf[1024];
	if ((size_t)snprintf(buf, sizeof buf, "%s", dir) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return false;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return false;
	struct stat st;
	if (stat(buf, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

/* Flushes a folder's entries (the rename) to disk; best effort. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* A fresh empty file `<folder>/<prefix><hex>-XXXXXX` into `path`. */
static bool make_temp(const char *folder, const char *prefix, const char *hex, char *path, size_t cap)
{
	if ((size_t)snprintf(path, cap, "%s/%s%s-XXXXXX", folder, prefix, hex) >= cap) {
		errno = ENAMETOOLONG;
		return false;
	}
	int fd = mkstemp(path);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Builds into the temporary file `tmp`, seals it and loads it. On failure
 * the temporary file is gone. */
static void *build_and_load(const char *tmp, rt_cache_key key, rt_cache_build_fn build, void *user, char *err,
			    size_t cap)
{
	err[0] = 0;
	if (!build(user, tmp, err, cap)) {
		if (!err[0])
			say(err, cap, "the program could not be compiled (no reason given)");
		unlink(tmp);
		return NULL;
	}
	if (!seal(tmp, key, err, cap)) {
		unlink(tmp);
		return NULL;
	}
	void *h = dlopen(tmp, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		say(err, cap, "the compiled program could not be loaded: %s", e ? e : "unknown error");
		unlink(tmp);
	}
	return h;
}

/* The folder for private temporary files: $TMPDIR, else /tmp. */
static const char *temp_folder(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

/* Builds into a private temporary file, loads it and deletes it. */
static void *build_private(const char *hex, rt_cache_key key, rt_cache_build_fn build, void *user, char *err,
			   size_t cap)
{
	char tmp[1024];
	if (!make_temp(temp_folder(), "ludic-", hex, tmp, sizeof tmp)) {
		say(err, cap,
		    "no temporary file could be made in %s (%s) to compile the program into: set TMPDIR "
		    "to a writable folder",
		    temp_folder(), strerror(errno));
		return NULL;
	}
	void *h = build_and_load(tmp, key, build, user, err, cap);
	if (h)
		unlink(tmp);
	return h;
}

void *rt_cache_open_uncached(rt_cache_key key, rt_cache_build_fn build, void *user, char *err, size_t cap)
{
	char hex[RT_CACHE_KEY_HEX];
	rt_cache_key_hex(key, hex);
	return build_private(hex, key, build, user, err, cap);
}

/* Deletes the temporary files of `dir` that writers killed while compiling
 * left behind (a writer takes seconds: an hour-old one is a dead writer's).
 * Returns how many were deleted. */
static int sweep_temps(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int deleted = 0;
	time_t now = time(NULL);
	char path[1280];
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > STALE_TMP_SECONDS &&
		    unlink(path) == 0)
			deleted++;
	}
	closedir(d);
	return deleted;
}

#define UNCACHED "; the program was compiled without being kept, and will be compiled again next time"

void *rt_cache_open(const char *dir, rt_cache_key key, rt_cache_build_fn build, void *user, rt_cache_result *res,
		    char *err, size_t cap)
{
	double t0 = now_ms();
	rt_cache_result local;
	char err_local[256];
	if (!res)
		res = &local;
	if (!err || cap == 0) {
		err = err_local;
		cap = sizeof err_local;
	}
	memset(res, 0, sizeof *res);
	err[0] = 0;
	void *h = NULL;
	char hex[RT_CACHE_KEY_HEX];
	rt_cache_key_hex(key, hex);
	if (!build) {
		say(err, cap, "rt_cache_open: no build function given");
		goto done;
	}

	char dflt[1024];
	if (!dir || !*dir) {
		if (rt_native_default_cache_dir(dflt, sizeof dflt)) {
			dir = dflt;
		} else {
			say(res->warning, sizeof res->warning,
			    "no cache folder is known (neither LUDIC_CACHE_DIR, XDG_CACHE_HOME nor HOME is set)" UNCACHED
			    "; set LUDIC_CACHE_DIR to a writable folder to keep compiled programs");
			h = build_private(hex, key, build, user, err, cap);
			goto done;
		}
	}
	if ((size_t)snprintf(res->path, sizeof res->path, "%s/%s.so", dir, hex) >= sizeof res->path) {
		res->path[0] = 0;
		say(res->warning, sizeof res->warning, "the cache folder's name is too long" UNCACHED);
		h = build_private(hex, key, build, user, err, cap);
		goto done;
	}

	/* A valid entry: load it. */
	char why[sizeof res->rebuilt_reason];
	rt_cache_fault f = rt_cache_check(res->path, key, why, sizeof why);
	if (f == RT_CACHE_VALID) {
		h = dlopen(res->path, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			res->hit = res->cached = true;
			/* The time of last use, for rt_cache_prune; a read-only cache keeps the old one. */
			(void)utimensat(AT_FDCWD, res->path, NULL, 0);
			goto done;
		}
		const char *e = dlerror();
		f = RT_CACHE_CORRUPT;
		say(why, sizeof why, "the cached entry could not be loaded (%s)", e ? e : "unknown error");
	}
	if (f != RT_CACHE_MISSING) {
		res->rebuilt = f;
		say(res->rebuilt_reason, sizeof res->rebuilt_reason, "%s; it was rebuilt", why);
	}

	/* Build into the cache folder, then publish with one rename. */
	char tmp[1024];
	if (!make_dirs(dir)) {
		say(res->warning, sizeof res->warning,
		    "the cache folder %s could not be created (%s)" UNCACHED
		    "; set LUDIC_CACHE_DIR to a writable folder to keep compiled programs",
		    dir, strerror(errno));
		h = build_private(hex, key, build, user, err, cap);
		goto done;
	}
	sweep_temps(dir); /* a miss costs a compile: a look at the folder is cheap beside it */
	if (!make_temp(dir, TMP_PREFIX, hex, tmp, sizeof tmp)) {
		say(res->warning, sizeof res->warning,
		    "the cache folder %s is not writable (%s)" UNCACHED
		    "; make it writable, or set LUDIC_CACHE_DIR to a writable folder",
		    dir, strerror(errno));
		h = build_private(hex, key, build, user, err, cap);
		goto done;
	}
	h = build_and_load(tmp, key, build, user, err, cap);
	if (!h)
		goto done;
	if (rename(tmp, res->path) != 0) {
		say(res->warning, sizeof res->warning,
		    "the compiled program could not be put in the cache as %s (%s)" UNCACHED
		    "; delete %s to let the cache work again",
		    res->path, strerror(errno), res->path);
		unlink(tmp);
		goto done;
	}
	res->cached = true;
	sync_dir(dir);
done:
	res->ms = now_ms() - t0;
	return h;
}

/* ---- housekeeping ---------------------------------------------------------------------- */

typedef struct entry {
	char name[36];   /* file name in the folder: 32 hex digits, ".so" */
	uint64_t bytes;  /* its size */
	time_t used;     /* its modification time: the last use (rt_cache_open touches it) */
} entry;

static int by_least_recent(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	return (x->used > y->used) - (x->used < y->used);
}

/* An entry's name: 32 lowercase hex digits and ".so". */
static bool is_entry_name(const char *n)
{
	for (int i = 0; i < 32; i++)
		if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
			return false;
	return strcmp(n + 32, ".so") == 0;
}

int rt_cache_prune(const char *dir, uint64_t max_bytes, char *err, size_t cap)
{
	DIR *d = opendir(dir);
	if (!d) {
		say(err, cap, "the cache folder %s could not be read (%s)", dir, strerror(errno));
		return -1;
	}
	entry *es = NULL;
	size_t n = 0, room = 0;
	char path[1280];
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (!is_entry_name(name))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == room) {
			room = room ? room * 2 : 64;
			entry *grown = realloc(es, room * sizeof *es);
			if (!grown) {
				say(err, cap, "out of memory while reading the cache folder %s", dir);
				free(es);
				closedir(d);
				return -1;
			}
			es = grown;
		}
		memcpy(es[n].name, name, sizeof es[n].name); /* is_entry_name checked its length */
		es[n].bytes = (uint64_t)st.st_size;
		es[n].used = st.st_mtime;
		n++;
	}
	closedir(d);
	int deleted = sweep_temps(dir);
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += es[i].bytes;
	if (n)
		qsort(es, n, sizeof *es, by_least_recent);
	for (size_t i = 0; i < n && total > max_bytes; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, es[i].name);
		if (unlink(path) == 0)
			deleted++;
		total -= es[i].bytes;
	}
	free(es);
	return deleted;
}
