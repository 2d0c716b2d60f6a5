/* cache.h — compiled programs kept on disk by content.
 *
 * A cache entry is a shared object named by the 128-bit hash of everything
 * its code depends on (the key), followed by a trailer that seals it: magic,
 * format version, the key, the object's length and a hash of its bytes
 * (docs/design/cache.md). This module knows nothing of programs: the caller
 * gives a key and a function that writes a shared object; rt_cache_open
 * gives back a loaded object for that key, from the cache folder when a
 * valid entry is there, else built, sealed and put there.
 *
 * Guarantees:
 * - An entry is checked before it is loaded: a truncated, foreign or
 *   corrupt file is never handed to dlopen; it is rebuilt and replaced.
 * - Entries appear whole or not at all (written to a unique temporary file
 *   in the same folder, flushed, then renamed over the final name), so any
 *   number of processes and threads may open the same key at once.
 * - A cache that cannot be used (no folder, not writable) never stops the
 *   program: the object is built into a private temporary file, loaded and
 *   deleted, and the result carries a warning.
 */
#ifndef LUDIC_CACHE_H
#define LUDIC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A 128-bit content hash: two SipHash-1-3 runs under two fixed keys. */
typedef struct rt_cache_key {
	uint64_t lo, hi;
} rt_cache_key;

/* Hex text of a key: 32 lowercase digits and a NUL. */
#define RT_CACHE_KEY_HEX 33

/* Why an entry found in the cache was not used. */
typedef enum rt_cache_fault {
	RT_CACHE_VALID,     /* the entry is whole and belongs to its key */
	RT_CACHE_MISSING,   /* no entry */
	RT_CACHE_TRUNCATED, /* shorter than its object and trailer (a write cut short) */
	RT_CACHE_FOREIGN,   /* not a ludic entry, another format version, or another key */
	RT_CACHE_CORRUPT,   /* the trailer or the object's bytes do not match their hashes */
	RT_CACHE_UNREADABLE /* the file exists but cannot be read */
} rt_cache_fault;

/* What rt_cache_open did. */
typedef struct rt_cache_result {
	bool hit;                 /* loaded from a valid entry: the build function was not called */
	bool cached;              /* the object loaded is (now) an entry of the cache */
	double ms;                /* wall time rt_cache_open took */
	char path[1024];          /* the entry's path ("" when the cache folder is unknown) */
	rt_cache_fault rebuilt;   /* RT_CACHE_VALID, or why the entry found was rebuilt */
	char rebuilt_reason[512]; /* "" or the same in words ("the cached entry was truncated ...") */
	char warning[1024];       /* "" or why the cache could not be used; the object still loaded */
} rt_cache_result;

/* Writes a shared object at `path` (a fresh, empty file that the function
 * may overwrite or replace). On failure returns false with a message in
 * err (it is passed back to the caller of rt_cache_open as is). */
typedef bool (*rt_cache_build_fn)(void *user, const char *path, char *err, size_t cap);

/* The key of `len` bytes. (Text written to a FILE can be gathered with
 * open_memstream first.) */
rt_cache_key rt_cache_key_of(const void *bytes, size_t len);

/* The key's hex form into out[RT_CACHE_KEY_HEX]. */
void rt_cache_key_hex(rt_cache_key key, char *out);

/* True when both keys are the same. */
bool rt_cache_key_eq(rt_cache_key a, rt_cache_key b);

/* A handle (dlopen, RTLD_NOW | RTLD_LOCAL) on a verified shared object for
 * `key`: from `dir` (NULL or "": rt_native_default_cache_dir) when a valid entry
 * is there, else built by `build(user, ...)`, sealed and put there. The
 * folder is created (mode 0700, with its parents) when missing. Safe from
 * any number of threads and processes at once. Returns NULL with a message
 * in err when the object could not be built or loaded; `res` (may be NULL)
 * says how it went either way. On a miss, temporary files that writers
 * killed while compiling left behind (over an hour old) are deleted.
 * Close the handle with dlclose. */
void *rt_cache_open(const char *dir, rt_cache_key key, rt_cache_build_fn build, void *user, rt_cache_result *res,
		    char *err, size_t cap);

/* The same object, neither read from nor kept in the cache (for a caller
 * that turned the cache off): built into a private temporary file ($TMPDIR,
 * else /tmp), sealed, loaded and deleted. NULL with a message in err on
 * failure. */
void *rt_cache_open_uncached(rt_cache_key key, rt_cache_build_fn build, void *user, char *err, size_t cap);

/* Checks the entry at `path` against `key` without loading it: the fault,
 * and when it is not RT_CACHE_VALID, why in words into `why`. */
rt_cache_fault rt_cache_check(const char *path, rt_cache_key key, char *why, size_t cap);

/* Deletes the least recently used entries of `dir` until the entries left
 * take at most `max_bytes`, and temporary files left over by processes that
 * died while writing (older than an hour). Returns the number of files
 * deleted, or -1 with a message in err when the folder cannot be read. */
int rt_cache_prune(const char *dir, uint64_t max_bytes, char *err, size_t cap);

#endif
