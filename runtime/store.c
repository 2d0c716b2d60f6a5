/* store.c — the durable store: an engine's whole state, its ledger and its
 * input position in one LMDB database (include/ludic.h, "Durable store";
 * docs/operations.md for the promises).
 *
 * Sub-databases of the environment in DIR (data.mdb, lock.mdb; ludic.lock is
 * held with flock by the one writer):
 *   meta      "magic" → STORE_MAGIC, "format" → STORE_FORMAT, "program" → name,
 *             "version", "sources" (the program's files: name, text),
 *             "layout" (its record fields, badges, budgets: text, one per line),
 *             "position" (u64 offset, u64 line), "seq" (u64 ledger entries),
 *             "customers" (u64 customers in `order`), "clock" (i64 now,
 *             i64 advanced, then the budgets, i64 each)
 *   customers id → checksum(u64) + zero-coded saved form (zero_encode:
 *             engine header, duplicate ring, record: rt_engine_cust_save)
 *   order     u64 big-endian ordinal → id: the order customers first appeared
 *             (time passing visits them in that order; kept so a reloaded
 *             engine is the same engine)
 *   staff     id → u64 ordinal + staff record
 *   ledger    u64 big-endian seq → u16 id length, entry id, the effect in
 *             a compact binary form (fx_encode: its JSON is written again
 *             from it when the ledger is read). Appended
 *             in order (MDB_APPEND: sequential writes) and never changed.
 *             The entry id is a kind byte ('c' customer, 's' staff), the
 *             customer, NUL, the event id (or `@` and the effect's time for
 *             effects of time passing), NUL, the rule, NUL, and a u32
 *             big-endian index: the n-th entry of this push with that
 *             prefix. Ids are unique because an event is applied once per
 *             customer and a day passes once per customer (anonymous events
 *             excepted: docs/operations.md).
 *
 * Exactly once: an event is applied in memory, its effects wait in the
 * batch; ludic_store_commit writes the changed records, the new ledger
 * entries and the input position in one write transaction. A crash before
 * the commit loses the whole batch (state, ledger and position together);
 * the next run reads the input again from the committed position. The set
 * of applied event ids is the engine's own duplicate ring (saved with each
 * customer), which already holds every id that could still be applied.
 */
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "check.h"
#include "compile.h"
#include "engine.h"
#include "ir.h"

#define STORE_MAGIC "ludic-store"
#define STORE_FORMAT 2                  /* 2: ledger entries hold the effect in binary (fx_encode), not JSON */
#define KEY_MAX 480                      /* LMDB's default key limit is 511 bytes */
#define DEFAULT_MAP ((size_t)64 << 30)

/* A growable byte buffer. */
typedef struct buf {
	uint8_t *p;
	size_t len, cap;
} buf;

static bool buf_reserve(buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);
	if (!p)
		return false;
	b->p = p;
	b->cap = cap;
	return true;
}

static bool buf_add(buf *b, const void *p, size_t n)
{
	if (!buf_reserve(b, n))
		return false;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return true;
}

/* A list of strings for the report. */
typedef struct strlist {
	char **s;
	size_t n, cap;
} strlist;

static void strlist_add(strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->s[i], s) == 0)
			return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **p = realloc(l->s, cap * sizeof *p);
		if (!p)
			return;
		l->s = p;
		l->cap = cap;
	}
	char *d = strdup(s);
	if (d)
		l->s[l->n++] = d;
}

static void strlist_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	memset(l, 0, sizeof *l);
}

struct ludic_store {
	MDB_env *env;
	int lock_fd;                               /* DIR/ludic.lock, held (flock) by the one writer; -1 */
	MDB_dbi meta, custs, order, staff, ledger;
	bool read_only;
	char dir[1024];
	char err[1024];

	/* attached: a program and its engine */
	ludic_engine *e;
	const ludic_program *p;
	ludic_store_effect_fn on_effect;
	void *effect_user;

	/* the batch since the last commit */
	rt_cust **dirty; size_t ndirty, capdirty; /* customers touched (may repeat) */
	bool all_dirty;                            /* time passed for everyone */
	buf pending;                               /* ledger entries: u32 klen, u32 vlen, key, value */
	size_t npending;
	buf json;                                  /* scratch for one effect's JSON */
	/* entry ids of the current push: how many entries each (customer,
	 * source, rule) has had, as (hash, count); emptied at each push, and
	 * while time passes for everyone, at each new customer */
	struct { uint64_t h; uint32_t n; } *grp; size_t ngrp, capgrp;
	uint64_t grp_cust;                         /* advance: the customer (hash) the groups are of */
	bool advancing;
	bool lost;                                 /* an effect could not be kept (memory ran out): the batch must not commit */
	uint64_t seq;                              /* ledger entries, committed and pending */
	uint64_t committed_seq;
	uint64_t committed_custs;                  /* customers in `order` */
	uint64_t offset, line;                     /* committed input position */
	uint64_t pending_offset, pending_line;     /* the position the batch being committed reaches */
	long fail_after;                           /* $LUDIC_STORE_FAIL_AFTER: commits before writes fail; -1 */
	unsigned long commits;

	buf rec, rle;                              /* scratch for records */
	struct {                                   /* the commit under way (take_batch, write_batch) */
		buf ops;                           /* its puts */
		buf ledger;                        /* its ledger entries (as s->pending) */
		size_t nledger;
		uint64_t first_seq, end_seq, ncust, offset, line;
		bool batch;                        /* a batch of the engine (not only attach's writes) */
		bool started, running, ok;         /* started: to wait for; running: on s->w.thread */
		pthread_t thread;
	} w;
	strlist kept, added, dropped, reset;       /* the migration report */
	char previous_version[128];
};

static bool set_err(ludic_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool set_err(ludic_store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return false;
}

const char *ludic_store_error(const ludic_store *s)
{
	return s ? s->err : "";
}

/* ---- zero coding of records ----
 * Records are mostly zeros (empty windows, unused lots): the saved form
 * keeps only the bytes that are not zero (zero_encode), LEB128 varints for
 * lengths. */

static size_t put_varint(uint8_t *d, uint64_t v)
{
	size_t n = 0;
	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		d[n++] = (uint8_t)(b | (v ? 0x80 : 0));
	} while (v);
	return n;
}

static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p == end)
			return false;
		uint8_t b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* Codes `n` bytes of `src` into `out` (replaced) from byte `at` on (the
 * bytes before are left for the caller): varint n, a bitmap of the 8-byte
 * words that are not zero (bit w%8 of byte w/8), then for each such word a
 * byte that marks its bytes that are not zero (bit i: byte i), and those
 * bytes. A record is mostly zero words, and its numbers are small: a word
 * costs one byte more than its bytes that are not zero. */
static bool zero_encode(buf *out, size_t at, const uint8_t *src, size_t n)
{
	size_t words = (n + 7) / 8, map = (words + 7) / 8;
	out->len = 0;
	if (!buf_reserve(out, at + 10 + map + words * 9))
		return false;
	uint8_t *d = out->p;
	size_t o = at + put_varint(d + at, n);
	uint8_t *bits = d + o;
	memset(bits, 0, map);
	o += map;
	for (size_t w = 0; w < words; w++) {
		uint64_t x = 0;
		if (w * 8 + 8 <= n)
			memcpy(&x, src + w * 8, 8); /* a constant size: one load */
		else
			memcpy(&x, src + w * 8, n - w * 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		x = __builtin_bswap64(x); /* byte i of the record in bits 8i..8i+7 */
#endif
		if (!x)
			continue;
		bits[w / 8] |= (uint8_t)(1u << (w % 8));
		/* the top bit of each byte that is not zero, gathered into one byte */
		const uint64_t lo7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
		uint64_t top = (((x & lo7) + lo7) | x) & ~lo7;
		unsigned mask = (unsigned)(((top >> 7) * UINT64_C(0x0102040810204080)) >> 56);
		d[o++] = (uint8_t)mask;
		for (; x; x >>= 8)
			if (x & 0xff)
				d[o++] = (uint8_t)x;
	}
	out->len = o;
	return true;
}

static bool zero_decode(buf *out, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;
	uint64_t total;
	if (!get_varint(&p, end, &total) || total > ((size_t)1 << 30))
		return false;
	size_t words = ((size_t)total + 7) / 8, map = (words + 7) / 8;
	out->len = 0;
	if ((size_t)(end - p) < map || !buf_reserve(out, words * 8))
		return false;
	const uint8_t *bits = p;
	p += map;
	memset(out->p, 0, words * 8);
	for (size_t w = 0; w < words; w++) {
		if (!(bits[w / 8] >> (w % 8) & 1))
			continue;
		if (p == end)
			return false;
		unsigned mask = *p++;
		if (!mask || (w * 8 + 8 > total && mask >> (total - w * 8)))
			return false; /* a word marked but empty, or bytes past the end */
		for (size_t i = 0; i < 8; i++)
			if (mask >> i & 1) {
				if (p == end)
					return false;
				out->p[w * 8 + i] = *p++;
			}
	}
	out->len = (size_t)total;
	return p == end;
}

/* ---- ledger entries: the effect in a compact binary form ----
 * An entry's value is the effect itself, not its JSON text: the JSON is
 * written again from it when the ledger is read (ludic_effect_to_json),
 * byte for byte the same. The form: kind byte, varint flags (FX_*), the
 * numbers as zigzag varints (at, amount, balance, pending, length,
 * utc_offset), a varint mask of the strings present (fx_strings order),
 * each string as varint length and bytes, then the arguments: varint
 * count, and each key and text as varint length + 1 (0: NULL). The
 * customer, event and rule are in the entry id already: when the id holds
 * them whole, a flag says so instead of writing them again. */

enum { FX_STAFF = 1, FX_PENDING = 2, FX_CUST_ID = 4, FX_EVENT_ID = 8, FX_RULE_ID = 16 };
#define FX_NSTR 15

/* The string fields of an effect, in the order of the mask's bits. */
static void fx_strings(ludic_effect *fx, const char **s[FX_NSTR])
{
	const char **all[FX_NSTR] = {&fx->customer, &fx->event_id, &fx->rule,	 &fx->wallet, &fx->badge,
				     &fx->ladder,   &fx->rung,	   &fx->previous, &fx->mission, &fx->step,
				     &fx->streak,   &fx->template_name, &fx->item, &fx->reason, &fx->variants};
	memcpy(s, all, sizeof all);
}

static uint64_t zigzag(long long v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static long long unzigzag(uint64_t v)
{
	return (long long)(v >> 1) ^ -(long long)(v & 1);
}

static void put_str(buf *b, const char *s, size_t plus)
{
	size_t n = s ? strlen(s) : 0;
	b->len += put_varint(b->p + b->len, s ? n + plus : 0);
	memcpy(b->p + b->len, s ? s : "", n);
	b->len += n;
}

/* Appends `fx` to `b`; `in_id`: the entry id holds its customer, event and
 * rule whole. False when memory ran out. */
static bool fx_encode(buf *b, const ludic_effect *fx_in, bool in_id)
{
	ludic_effect fx = *fx_in;
	const char **str[FX_NSTR];
	fx_strings(&fx, str);
	size_t need = 2 + 6 * 10 + 3 + 10;
	for (int i = 0; i < FX_NSTR; i++)
		need += 10 + (*str[i] ? strlen(*str[i]) : 0);
	for (size_t i = 0; i < fx.nargs; i++)
		need += 20 + (fx.args[i].key ? strlen(fx.args[i].key) : 0) + (fx.args[i].text ? strlen(fx.args[i].text) : 0);
	if (!buf_reserve(b, need))
		return false;
	uint64_t flags = (fx.staff ? FX_STAFF : 0) | (fx.has_pending ? FX_PENDING : 0);
	if (in_id) {
		if (fx.customer)
			flags |= FX_CUST_ID, fx.customer = NULL;
		if (fx.event_id)
			flags |= FX_EVENT_ID, fx.event_id = NULL;
		if (fx.rule)
			flags |= FX_RULE_ID, fx.rule = NULL;
	}
	uint8_t *d = b->p;
	d[b->len++] = (uint8_t)fx.kind;
	b->len += put_varint(d + b->len, flags);
	const long long num[] = {fx.at, fx.amount, fx.balance, fx.pending, fx.length, fx.utc_offset};
	for (size_t i = 0; i < sizeof num / sizeof *num; i++)
		b->len += put_varint(d + b->len, zigzag(num[i]));
	uint64_t mask = 0;
	for (int i = 0; i < FX_NSTR; i++)
		if (*str[i])
			mask |= (uint64_t)1 << i;
	b->len += put_varint(d + b->len, mask);
	for (int i = 0; i < FX_NSTR; i++)
		if (*str[i])
			put_str(b, *str[i], 0);
	b->len += put_varint(d + b->len, fx.nargs);
	for (size_t i = 0; i < fx.nargs; i++) {
		put_str(b, fx.args[i].key, 1);
		put_str(b, fx.args[i].text, 1);
	}
	return true;
}

/* Reads an effect back from `p`, `n` bytes, with its entry id `k` (kl
 * bytes). Its strings are copied, NUL-terminated, into `strs`; `args` holds
 * its arguments. False when the bytes are not an effect. */
static bool fx_decode(const uint8_t *p, size_t n, const uint8_t *k, size_t kl, ludic_effect *fx, buf *strs,
		      buf *args)
{
	const uint8_t *end = p + n;
	memset(fx, 0, sizeof *fx);
	uint64_t flags, v, mask, nargs;
	if (p == end)
		return false;
	fx->kind = (ludic_effect_kind)*p++;
	if (!get_varint(&p, end, &flags))
		return false;
	fx->staff = flags & FX_STAFF;
	fx->has_pending = (flags & FX_PENDING) != 0;
	long long *num[] = {&fx->at, &fx->amount, &fx->balance, &fx->pending, &fx->length};
	for (size_t i = 0; i < sizeof num / sizeof *num; i++) {
		if (!get_varint(&p, end, &v))
			return false;
		*num[i] = unzigzag(v);
	}
	if (!get_varint(&p, end, &v))
		return false;
	fx->utc_offset = (int)unzigzag(v);
	/* every string gets a NUL: room for all of them, so that no pointer moves */
	strs->len = 0;
	if (!get_varint(&p, end, &mask) || !buf_reserve(strs, 2 * n + 2))
		return false;
	const char **str[FX_NSTR];
	fx_strings(fx, str);
	for (int i = 0; i < FX_NSTR; i++) {
		if (!(mask >> i & 1))
			continue;
		if (!get_varint(&p, end, &v) || v > (size_t)(end - p))
			return false;
		*str[i] = (const char *)strs->p + strs->len;
		buf_add(strs, p, v);
		strs->p[strs->len++] = 0;
		p += v;
	}
	if (!get_varint(&p, end, &nargs) || nargs > n)
		return false;
	args->len = 0;
	if (nargs && !buf_reserve(args, nargs * sizeof(ludic_effect_arg)))
		return false;
	ludic_effect_arg *a = (ludic_effect_arg *)(void *)args->p;
	for (size_t i = 0; i < nargs; i++) {
		const char **two[2] = {&a[i].key, &a[i].text};
		for (int j = 0; j < 2; j++) {
			if (!get_varint(&p, end, &v) || (v && v - 1 > (size_t)(end - p)))
				return false;
			*two[j] = NULL;
			if (!v)
				continue;
			*two[j] = (const char *)strs->p + strs->len;
			buf_add(strs, p, v - 1);
			strs->p[strs->len++] = 0;
			p += v - 1;
		}
	}
	fx->args = nargs ? a : NULL;
	fx->nargs = nargs;
	if (p != end)
		return false;
	if (!(flags & (FX_CUST_ID | FX_EVENT_ID | FX_RULE_ID)))
		return true;
	/* the id: kind, customer NUL source NUL rule NUL, index (4 bytes) */
	if (kl < 8)
		return false;
	const uint8_t *e = k + kl - 4, *f[3] = {k + 1};
	for (int i = 0; i < 3; i++) {
		const uint8_t *z = memchr(f[i], 0, (size_t)(e - f[i]));
		if (!z || (i == 2 && z != e - 1))
			return false;
		if (i < 2)
			f[i + 1] = z + 1;
	}
	if (flags & FX_CUST_ID)
		fx->customer = (const char *)f[0];
	if (flags & FX_EVENT_ID)
		fx->event_id = (const char *)f[1];
	if (flags & FX_RULE_ID)
		fx->rule = (const char *)f[2];
	return true;
}

/* Writes `fx` as JSON into s->json: its length, 0 when memory ran out. */
static size_t fx_json(ludic_store *s, const ludic_effect *fx)
{
	size_t need = ludic_effect_to_json(fx, (char *)s->json.p, s->json.cap);
	if (need + 1 > s->json.cap) {
		s->json.len = 0;
		if (!buf_reserve(&s->json, need + 1))
			return 0;
		ludic_effect_to_json(fx, (char *)s->json.p, s->json.cap);
	}
	return need;
}

/* ---- small LMDB helpers ---- */

static MDB_val val(const void *p, size_t n)
{
	return (MDB_val){.mv_size = n, .mv_data = (void *)p};
}

static MDB_val sval(const char *s)
{
	return val(s, strlen(s));
}

static void put_u64(uint8_t *d, uint64_t v)
{
	memcpy(d, &v, 8);
}

static uint64_t get_u64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void put_be64(uint8_t d[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		d[i] = (uint8_t)v;
}

/* The key of a customer or staff id: the id, or for a very long id a
 * prefix and a hash (the full id is kept in `order`). */
static MDB_val id_key(const char *id, size_t len, uint8_t tmp[KEY_MAX])
{
	if (len && len <= KEY_MAX - 16)
		return val(id, len);
	size_t n = len < KEY_MAX - 16 ? len : KEY_MAX - 16;
	memcpy(tmp, id, n);
	tmp[n] = 0;
	put_u64(tmp + n + 1, rt_hash_bytes(id, len));
	return val(tmp, n + 9);
}

static uint64_t checksum(const void *p, size_t n)
{
	return rt_hash_bytes(p, n);
}

static bool write_failed(ludic_store *s, int rc, const char *what);

/* ---- open and close ---- */

static bool dir_has_other_files(const char *dir, bool *has_data)
{
	*has_data = false;
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool other = false;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strcmp(de->d_name, "data.mdb") == 0)
			*has_data = true;
		else if (strcmp(de->d_name, "lock.mdb") != 0 && strcmp(de->d_name, "ludic.lock") != 0)
			other = true;
	}
	closedir(d);
	return other;
}

static bool open_env(ludic_store *s, const ludic_store_options *opt)
{
	struct stat st;
	if (stat(s->dir, &st) != 0) {
		if (errno != ENOENT || s->read_only)
			return set_err(s, "there is no store at `%s` (%s): `ludic run PROGRAM --events FILE --store %s` makes one",
				       s->dir, strerror(errno), s->dir);
		if (mkdir(s->dir, 0777) != 0)
			return set_err(s, "cannot make the store's folder `%s`: %s", s->dir, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		return set_err(s, "`%s` is a file, not a store's folder: give a folder (a new one makes a new store)",
			       s->dir);
	}
	bool has_data;
	bool other = dir_has_other_files(s->dir, &has_data);
	if (!has_data && (other || s->read_only))
		return set_err(s, other ? "`%s` is not a ludic store (it holds other files and no data.mdb): give an empty "
					  "or a new folder"
					: "there is no store in `%s` (no data.mdb): `ludic run PROGRAM --events FILE --store %s` "
					  "makes one",
			       s->dir, s->dir);
	if (has_data) {
		char path[1100];
		snprintf(path, sizeof path, "%s/data.mdb", s->dir);
		if (stat(path, &st) != 0 || st.st_size < 8192)
			return set_err(s, "`%s` is damaged or is not a ludic store (too short to be one): restore the store "
					  "from a backup (docs/operations.md), or give a new folder",
				       path);
	}
	if (!s->read_only) {
		/* one run at a time: two writers would each apply events the other did not see */
		char path[1100];
		snprintf(path, sizeof path, "%s/ludic.lock", s->dir);
		s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (s->lock_fd < 0)
			return set_err(s, "cannot lock the store in `%s`: %s", s->dir, strerror(errno));
		if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0)
			return set_err(s, "another `ludic run` is using the store in `%s`: wait until it ends (a store "
					  "has one writer at a time)",
				       s->dir);
	}
	int rc = mdb_env_create(&s->env);
	if (rc)
		return set_err(s, "cannot open the store: %s", mdb_strerror(rc));
	size_t map = opt && opt->map_size ? (size_t)opt->map_size : DEFAULT_MAP;
	const char *env = getenv("LUDIC_STORE_MAP_SIZE");
	if (env && *env)
		map = (size_t)strtoull(env, NULL, 10);
	mdb_env_set_mapsize(s->env, map);
	mdb_env_set_maxdbs(s->env, 8);
	rc = mdb_env_open(s->env, s->dir, (s->read_only ? MDB_RDONLY : 0) | MDB_NOTLS | MDB_NORDAHEAD, 0666);
	if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_CORRUPTED)
		return set_err(s, "`%s/data.mdb` is damaged or is not a ludic store (%s): restore the store from a backup "
				  "(docs/operations.md), or give a new folder",
			       s->dir, mdb_strerror(rc));
	if (rc)
		return set_err(s, "cannot open the store in `%s`: %s", s->dir, mdb_strerror(rc));
	/* a file cut short (a bad copy) would fault when read: check its size */
	MDB_envinfo info;
	MDB_stat est;
	if (has_data && mdb_env_info(s->env, &info) == 0 && mdb_env_stat(s->env, &est) == 0) {
		char path[1100];
		snprintf(path, sizeof path, "%s/data.mdb", s->dir);
		if (stat(path, &st) == 0 && (uint64_t)st.st_size < ((uint64_t)info.me_last_pgno + 1) * est.ms_psize)
			return set_err(s, "`%s` is cut short (%lld bytes, the store needs %llu): restore the store from a "
					  "backup (docs/operations.md)",
				       path, (long long)st.st_size,
				       (unsigned long long)(((uint64_t)info.me_last_pgno + 1) * est.ms_psize));
	}
	MDB_txn *t;
	rc = mdb_txn_begin(s->env, NULL, s->read_only ? MDB_RDONLY : 0, &t);
	if (rc)
		return set_err(s, "cannot read the store in `%s`: %s", s->dir, mdb_strerror(rc));
	unsigned flags = s->read_only ? 0 : MDB_CREATE;
	struct {
		const char *name;
		MDB_dbi *dbi;
	} dbs[] = {{"meta", &s->meta}, {"customers", &s->custs}, {"order", &s->order}, {"staff", &s->staff},
		   {"ledger", &s->ledger}};
	for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++) {
		rc = mdb_dbi_open(t, dbs[i].name, flags, dbs[i].dbi);
		if (rc) {
			mdb_txn_abort(t);
			if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
				return set_err(s, "`%s` is not a ludic store (an LMDB database of another program): give a "
						  "new folder",
					       s->dir);
			return set_err(s, "`%s/data.mdb` is damaged or is not a ludic store (%s): restore the store from a "
					  "backup (docs/operations.md)",
				       s->dir, mdb_strerror(rc));
		}
	}
	MDB_val v;
	rc = mdb_get(t, s->meta, &(MDB_val){.mv_size = 5, .mv_data = "magic"}, &v);
	bool ok = true;
	if (rc == 0) {
		MDB_val f;
		if (v.mv_size != strlen(STORE_MAGIC) || memcmp(v.mv_data, STORE_MAGIC, v.mv_size) != 0)
			ok = set_err(s, "`%s` is not a ludic store (its database says it belongs to something else): give a "
					"new folder",
				     s->dir);
		else if (mdb_get(t, s->meta, &(MDB_val){.mv_size = 6, .mv_data = "format"}, &f) != 0 || f.mv_size != 8)
			ok = set_err(s, "`%s/data.mdb` is damaged (no format number): restore the store from a backup "
					"(docs/operations.md)",
				     s->dir);
		else if (get_u64(f.mv_data) != STORE_FORMAT)
			ok = set_err(s, "the store in `%s` has format %" PRIu64 ", and this ludic reads format %d: use the "
					"ludic version that wrote it, or make a new store by running the program over the same "
					"events with --store and a new folder",
				     s->dir, get_u64(f.mv_data), STORE_FORMAT);
	} else if (rc != MDB_NOTFOUND) {
		ok = set_err(s, "cannot read the store in `%s`: %s", s->dir, mdb_strerror(rc));
	} else {
		MDB_stat ms;
		if (mdb_stat(t, s->meta, &ms) == 0 && ms.ms_entries)
			ok = set_err(s, "`%s` is not a ludic store (no ludic mark in its database): give a new folder",
				     s->dir);
	}
	if (ok && mdb_get(t, s->meta, &(MDB_val){.mv_size = 8, .mv_data = "position"}, &v) == 0 && v.mv_size == 16) {
		s->offset = get_u64(v.mv_data);
		s->line = get_u64((const uint8_t *)v.mv_data + 8);
	}
	if (ok && mdb_get(t, s->meta, &(MDB_val){.mv_size = 3, .mv_data = "seq"}, &v) == 0 && v.mv_size == 8)
		s->seq = s->committed_seq = get_u64(v.mv_data);
	if (ok && mdb_get(t, s->meta, &(MDB_val){.mv_size = 9, .mv_data = "customers"}, &v) == 0 && v.mv_size == 8)
		s->committed_custs = get_u64(v.mv_data);
	/* committed even when read-only: the handles of the sub-databases live on only then */
	if ((rc = mdb_txn_commit(t)) != 0 && ok)
		ok = set_err(s, "cannot %s the store in `%s`: %s", s->read_only ? "read" : "write", s->dir, mdb_strerror(rc));
	return ok;
}

ludic_status ludic_store_open(const char *dir, const ludic_store_options *opt, ludic_store **out)
{
	if (!out)
		return LUDIC_ERR_USAGE;
	*out = NULL;
	if (!dir)
		return LUDIC_ERR_USAGE;
	ludic_store *s = calloc(1, sizeof *s);
	if (!s)
		return LUDIC_ERR_MEMORY;
	*out = s;
	s->read_only = opt && opt->read_only;
	s->lock_fd = -1;
	s->fail_after = -1;
	const char *f = getenv("LUDIC_STORE_FAIL_AFTER");
	if (f && *f)
		s->fail_after = strtol(f, NULL, 10);
	if (strlen(dir) >= sizeof s->dir) {
		set_err(s, "the store's folder name is too long");
		return LUDIC_ERR_USAGE;
	}
	strcpy(s->dir, dir);
	return open_env(s, opt) ? LUDIC_OK : LUDIC_ERR_IO;
}

void ludic_store_close(ludic_store *s)
{
	if (!s)
		return;
	if (s->w.running)
		pthread_join(s->w.thread, NULL);
	free(s->w.ops.p);
	free(s->w.ledger.p);
	if (s->e)
		ludic_engine_free(s->e);
	if (s->env)
		mdb_env_close(s->env);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->dirty);
	free(s->pending.p);
	free(s->json.p);
	free(s->grp);
	free(s->rec.p);
	free(s->rle.p);
	strlist_free(&s->kept);
	strlist_free(&s->added);
	strlist_free(&s->dropped);
	strlist_free(&s->reset);
	free(s);
}

void ludic_store_position(const ludic_store *s, unsigned long long *offset, unsigned long long *line)
{
	*offset = s ? s->offset : 0;
	*line = s ? s->line : 0;
}

/* ---- the program's source and layout ---- */

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* Every file of the program: u32 name length, name, u32 text length, text. */
static bool program_sources(const ludic_program *p, buf *out)
{
	out->len = 0;
	const compilation *c = p->comp;
	for (uint32_t i = 0; i < c->nfiles; i++) {
		const cmp_file *f = &c->files[i];
		if (!f->src)
			continue;
		const char *name = base_name(f->name);
		uint32_t nl = (uint32_t)strlen(name), tl = f->src->len;
		if (!buf_add(out, &nl, 4) || !buf_add(out, name, nl) || !buf_add(out, &tl, 4) ||
		    !buf_add(out, f->src->text, tl))
			return false;
	}
	return true;
}

/* The program's record layout, as text: what a later version needs to carry
 * the state over by name. Lines:
 *   F <c|s> <size> <off> <name> | <serves>   a field of a customer or staff record
 *   B <name>                                 a badge (bit i of the badges field)
 *   G <rule>                                 a campaign budget, in order
 *   S <state size> <staff size>
 */
static bool program_layout(const ludic_program *p, buf *out)
{
	out->len = 0;
	const rt_program *rp = p->rp;
	char line[1024];
	for (uint32_t i = 0; i < rp->nfields; i++) {
		const rt_lay_field *f = &rp->fields[i];
		int n = snprintf(line, sizeof line, "F %c %u %u %s | %s\n", f->staff ? 's' : 'c', f->size, f->off, f->name,
				 f->serves ? f->serves : "");
		if (!buf_add(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1))
			return false;
	}
	for (uint32_t i = 0; i < rp->r->nbadges; i++) {
		int n = snprintf(line, sizeof line, "B %s\n", rp->r->badges[i]->name);
		if (!buf_add(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1))
			return false;
	}
	for (uint32_t i = 0; i < rp->nbudgets; i++) {
		int n = snprintf(line, sizeof line, "G %s\n", rp->budget_rules && rp->budget_rules[i] ? rp->budget_rules[i] : "");
		if (!buf_add(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1))
			return false;
	}
	int n = snprintf(line, sizeof line, "S %u %u\n", rp->state_size, rp->staff_size);
	return buf_add(out, line, (size_t)n);
}

/* ---- migration: a record of the old layout into the new one ---- */

typedef struct old_field {
	bool staff;
	uint32_t size, off;
	char *name, *serves;      /* into the layout text copy */
} old_field;

typedef struct migration {
	char *text;                       /* the old layout (a copy, cut into strings) */
	old_field *f; size_t nf;
	char **badges; size_t nbadges;
	char **budgets; size_t nbudgets;
	uint32_t state_size, staff_size;
	/* per new field: the old field to copy from, or -1 */
	int32_t *from;
} migration;

static void migration_free(migration *m)
{
	free(m->text);
	free(m->f);
	free(m->badges);
	free(m->budgets);
	free(m->from);
	memset(m, 0, sizeof *m);
}

static bool migration_parse(migration *m, const char *text, size_t len)
{
	m->text = malloc(len + 1);
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	m->f = calloc(lines, sizeof *m->f);
	m->badges = calloc(lines, sizeof *m->badges);
	m->budgets = calloc(lines, sizeof *m->budgets);
	if (!m->text || !m->f || !m->badges || !m->budgets)
		return false;
	memcpy(m->text, text, len);
	m->text[len] = 0;
	for (char *l = m->text, *next; l && *l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		if (l[0] == 'F') {
			old_field *f = &m->f[m->nf];
			char kind;
			int at = 0;
			if (sscanf(l, "F %c %u %u %n", &kind, &f->size, &f->off, &at) < 3 || !at)
				return false;
			char *bar = strstr(l + at, " | ");
			if (!bar)
				return false;
			*bar = 0;
			f->staff = kind == 's';
			f->name = l + at;
			f->serves = bar + 3;
			m->nf++;
		} else if (l[0] == 'B' && l[1] == ' ') {
			m->badges[m->nbadges++] = l + 2;
		} else if (l[0] == 'G' && l[1] == ' ') {
			m->budgets[m->nbudgets++] = l + 2;
		} else if (l[0] == 'S') {
			if (sscanf(l, "S %u %u", &m->state_size, &m->staff_size) != 2)
				return false;
		}
	}
	return true;
}

/* Matches the new program's fields with the old ones by name and purpose,
 * and fills the report. */
static bool migration_plan(ludic_store *s, migration *m, const rt_program *rp)
{
	m->from = malloc((rp->nfields ? rp->nfields : 1) * sizeof *m->from);
	if (!m->from)
		return false;
	bool *used = calloc(m->nf ? m->nf : 1, sizeof *used);
	if (!used)
		return false;
	for (uint32_t i = 0; i < rp->nfields; i++) {
		const rt_lay_field *f = &rp->fields[i];
		const char *serves = f->serves ? f->serves : "";
		m->from[i] = -1;
		bool same_purpose = false;
		for (size_t j = 0; j < m->nf; j++) {
			if (used[j] || m->f[j].staff != f->staff || strcmp(m->f[j].serves, serves) != 0)
				continue;
			same_purpose = true;
			if (strcmp(m->f[j].name, f->name) == 0 && m->f[j].size == f->size) {
				m->from[i] = (int32_t)j;
				used[j] = true;
				break;
			}
		}
		if (strcmp(f->name, "header") == 0 || strcmp(f->name, "badges") == 0 || strcmp(f->name, "overlay") == 0)
			continue; /* the engine's own parts: not mechanics */
		if (m->from[i] >= 0)
			strlist_add(&s->kept, serves);
		else
			strlist_add(same_purpose ? &s->reset : &s->added, serves);
	}
	for (size_t j = 0; j < m->nf; j++) {
		if (used[j] || strcmp(m->f[j].name, "header") == 0 || strcmp(m->f[j].name, "badges") == 0 ||
		    strcmp(m->f[j].name, "overlay") == 0)
			continue;
		bool still = false;
		for (uint32_t i = 0; i < rp->nfields && !still; i++)
			still = rp->fields[i].staff == m->f[j].staff && strcmp(rp->fields[i].serves ? rp->fields[i].serves : "",
										m->f[j].serves) == 0;
		if (!still)
			strlist_add(&s->dropped, m->f[j].serves);
	}
	/* a purpose that is kept in part and reset in part is reported as reset */
	for (size_t i = 0; i < s->reset.n; i++)
		for (size_t k = 0; k < s->kept.n; k++)
			if (strcmp(s->kept.s[k], s->reset.s[i]) == 0) {
				free(s->kept.s[k]);
				s->kept.s[k] = s->kept.s[--s->kept.n];
				break;
			}
	for (size_t j = 0; j < m->nbadges; j++) {
		bool still = false;
		for (uint32_t i = 0; i < rp->r->nbadges && !still; i++)
			still = strcmp(rp->r->badges[i]->name, m->badges[j]) == 0;
		char what[300];
		snprintf(what, sizeof what, "badge \"%s\"", m->badges[j]);
		if (!still)
			strlist_add(&s->dropped, what);
	}
	free(used);
	return true;
}

/* A record of the old layout (`old`, `n` bytes) into `out`, laid out for rp. */
static void migrate_record(const migration *m, const rt_program *rp, bool staff, const uint8_t *old, size_t n,
			   uint8_t *out)
{
	if (staff)
		rt_staff_init(rp, out);
	else
		rt_state_init(rp, out);
	for (uint32_t i = 0; i < rp->nfields; i++) {
		const rt_lay_field *f = &rp->fields[i];
		if (f->staff != staff)
			continue;
		if (!staff && strcmp(f->name, "badges") == 0) {
			/* badges by name: bit i of the old record is the old badge i */
			int32_t oldf = -1;
			for (size_t j = 0; j < m->nf; j++)
				if (!m->f[j].staff && strcmp(m->f[j].name, "badges") == 0)
					oldf = (int32_t)j;
			if (oldf < 0)
				continue;
			const old_field *of = &m->f[oldf];
			for (uint32_t b = 0; b < rp->r->nbadges; b++)
				for (size_t ob = 0; ob < m->nbadges; ob++)
					if (strcmp(m->badges[ob], rp->r->badges[b]->name) == 0 && of->off + ob / 8 < n &&
					    (old[of->off + ob / 8] >> (ob % 8) & 1))
						out[f->off + b / 8] |= (uint8_t)(1u << (b % 8));
			continue;
		}
		int32_t j = m->from[i];
		if (j < 0 || m->f[j].off + m->f[j].size > n)
			continue;
		memcpy(out + f->off, old + m->f[j].off, f->size);
	}
}

/* ---- attach: load (or migrate) every record into a new engine ---- */

static void store_emit(void *user, const ludic_effect *fx);

typedef struct staff_item {
	uint64_t ord;
	MDB_val id, rec;
} staff_item;

static int cmp_staff(const void *a, const void *b)
{
	uint64_t x = ((const staff_item *)a)->ord, y = ((const staff_item *)b)->ord;
	return x < y ? -1 : x > y;
}

static bool meta_put(ludic_store *s, MDB_txn *t, const char *key, const void *p, size_t n)
{
	MDB_val k = sval(key), v = val(p, n);
	int rc = mdb_put(t, s->meta, &k, &v, 0);
	return rc == 0 || write_failed(s, rc, "the store's description");
}

static bool write_program(ludic_store *s, MDB_txn *t, const ludic_program *p)
{
	buf b = {0};
	bool ok = program_sources(p, &b) && meta_put(s, t, "sources", b.p, b.len);
	ok = ok && program_layout(p, &b) && meta_put(s, t, "layout", b.p, b.len);
	free(b.p);
	if (!ok)
		return s->err[0] ? false : set_err(s, "out of memory while writing the program into the store");
	uint64_t f = STORE_FORMAT;
	return meta_put(s, t, "magic", STORE_MAGIC, strlen(STORE_MAGIC)) && meta_put(s, t, "format", &f, 8) &&
	       meta_put(s, t, "program", ludic_program_name(p), strlen(ludic_program_name(p))) &&
	       meta_put(s, t, "version", ludic_program_version(p), strlen(ludic_program_version(p)));
}

/* Decodes a saved customer value (checksum + coded form) into s->rec. */
static bool decode_cust(ludic_store *s, const MDB_val *v)
{
	if (v->mv_size < 8)
		return false;
	const uint8_t *p = v->mv_data;
	if (get_u64(p) != checksum(p + 8, v->mv_size - 8))
		return false;
	return zero_decode(&s->rec, p + 8, v->mv_size - 8);
}

static bool load_customers(ludic_store *s, MDB_txn *t, const migration *m)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t, s->order, &c);
	if (rc)
		return set_err(s, "cannot read the store: %s", mdb_strerror(rc));
	MDB_val k, v;
	const rt_program *rp = s->p->rp;
	uint8_t *conv = NULL;
	size_t hs_cap = 0;
	bool ok = true;
	uint64_t n = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && ok; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++) {
		uint8_t tmp[KEY_MAX];
		MDB_val rec, key = id_key(v.mv_data, v.mv_size, tmp);
		rt_str id = {v.mv_data, (uint32_t)v.mv_size};
		if (mdb_get(t, s->custs, &key, &rec) != 0 || !decode_cust(s, &rec)) {
			ok = set_err(s, "the store in `%s` is damaged: the record of customer \"%.*s\" is missing or does not "
					"match its checksum: restore the store from a backup (docs/operations.md)",
				     s->dir, (int)id.len, id.p);
			break;
		}
		const uint8_t *form = s->rec.p;
		size_t len = s->rec.len;
		if (m) {
			size_t hs = rt_engine_cust_header_size(form, len);
			if (!hs || len - hs != m->state_size) {
				ok = set_err(s, "the store in `%s` is damaged: the record of customer \"%.*s\" has the wrong size",
					     s->dir, (int)id.len, id.p);
				break;
			}
			if (hs + rp->state_size > hs_cap) {
				hs_cap = hs + rp->state_size;
				uint8_t *nc = realloc(conv, hs_cap);
				if (!nc) {
					ok = set_err(s, "out of memory while migrating the store");
					break;
				}
				conv = nc;
			}
			memcpy(conv, form, hs);
			migrate_record(m, rp, false, form + hs, len - hs, conv + hs);
			form = conv;
			len = hs + rp->state_size;
		}
		int r = rt_engine_cust_load(s->e, id, form, len);
		if (r)
			ok = set_err(s, r == -2 ? "out of memory while loading the store"
						: "the store in `%s` is damaged: customer \"%.*s\" cannot be loaded (restore the "
						  "store from a backup, docs/operations.md)",
				     s->dir, (int)id.len, id.p);
	}
	mdb_cursor_close(c);
	free(conv);
	if (ok && n != s->committed_custs)
		ok = set_err(s, "the store in `%s` is damaged: it lists %" PRIu64 " customers but holds %" PRIu64
				": restore the store from a backup (docs/operations.md)",
			     s->dir, s->committed_custs, n);
	return ok;
}

static bool load_staff(ludic_store *s, MDB_txn *t, const migration *m)
{
	MDB_stat ms;
	if (mdb_stat(t, s->staff, &ms) != 0 || !ms.ms_entries)
		return true;
	staff_item *items = malloc(ms.ms_entries * sizeof *items);
	if (!items)
		return set_err(s, "out of memory while loading the store");
	MDB_cursor *c;
	if (mdb_cursor_open(t, s->staff, &c) != 0) {
		free(items);
		return set_err(s, "cannot read the store's staff records");
	}
	size_t n = 0;
	MDB_val k, v;
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && n < ms.ms_entries;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (v.mv_size < 8)
			continue;
		items[n++] = (staff_item){get_u64(v.mv_data), k, val((uint8_t *)v.mv_data + 8, v.mv_size - 8)};
	}
	mdb_cursor_close(c);
	qsort(items, n, sizeof *items, cmp_staff);
	const rt_program *rp = s->p->rp;
	uint8_t *conv = m ? calloc(1, rp->staff_size ? rp->staff_size : 1) : NULL;
	bool ok = !m || conv;
	for (size_t i = 0; i < n && ok; i++) {
		const uint8_t *rec = items[i].rec.mv_data;
		size_t len = items[i].rec.mv_size;
		if (m) {
			if (!rp->staff_size)
				break; /* no more staff quests: staff records are dropped */
			migrate_record(m, rp, true, rec, len, conv);
			rec = conv;
			len = rp->staff_size;
		}
		if (rt_engine_staff_load(s->e, (rt_str){items[i].id.mv_data, (uint32_t)items[i].id.mv_size}, rec, len))
			ok = set_err(s, "the store in `%s` is damaged: a staff record cannot be loaded", s->dir);
	}
	free(conv);
	free(items);
	return ok;
}

static bool load_clock(ludic_store *s, MDB_txn *t, const migration *m)
{
	MDB_val v;
	if (mdb_get(t, s->meta, &(MDB_val){.mv_size = 5, .mv_data = "clock"}, &v) != 0 || v.mv_size < 16)
		return true;
	int64_t now, advanced, *budgets;
	uint32_t nb = rt_engine_clock(s->e, &now, &advanced, &budgets);
	const uint8_t *p = v.mv_data;
	rt_engine_set_clock(s->e, (int64_t)get_u64(p), (int64_t)get_u64(p + 8));
	size_t stored = (v.mv_size - 16) / 8;
	for (uint32_t i = 0; i < nb; i++) {
		size_t j = i;
		if (m) {
			const char *rule = s->p->rp->budget_rules ? s->p->rp->budget_rules[i] : NULL;
			for (j = 0; j < m->nbudgets && (!rule || strcmp(m->budgets[j], rule) != 0); j++)
				;
		}
		if (j < stored)
			budgets[i] = (int64_t)get_u64(p + 16 + 8 * j);
	}
	return true;
}

static bool commit_txn(ludic_store *s, MDB_txn *t, bool batch);
static bool commit_done(ludic_store *s);

ludic_status ludic_store_attach(ludic_store *s, const ludic_program *p, const ludic_engine_options *opt,
				ludic_store_effect_fn on_effect, void *effect_user, ludic_engine **engine,
				ludic_store_report *rep)
{
	if (engine)
		*engine = NULL;
	if (!s || !p || !s->env)
		return LUDIC_ERR_USAGE;
	if (s->e) {
		set_err(s, "the store already has an engine");
		return LUDIC_ERR_USAGE;
	}
	if (rep)
		memset(rep, 0, sizeof *rep);
	MDB_txn *t;
	int rc = mdb_txn_begin(s->env, NULL, s->read_only ? MDB_RDONLY : 0, &t);
	if (rc) {
		set_err(s, "cannot read the store in `%s`: %s", s->dir, mdb_strerror(rc));
		return LUDIC_ERR_IO;
	}
	MDB_val name, layout, version;
	bool created = mdb_get(t, s->meta, &(MDB_val){.mv_size = 7, .mv_data = "program"}, &name) != 0;
	bool ok = true, migrating = false;
	migration m = {0};
	if (created) {
		if (s->read_only)
			ok = set_err(s, "the store in `%s` has no program yet", s->dir);
		else
			ok = write_program(s, t, p);
	} else {
		const char *pn = ludic_program_name(p);
		if (name.mv_size != strlen(pn) || memcmp(name.mv_data, pn, name.mv_size) != 0) {
			ok = set_err(s, "the store in `%s` belongs to program \"%.*s\", not \"%s\": give another folder for "
					"this program",
				     s->dir, (int)name.mv_size, (const char *)name.mv_data, pn);
		} else if (mdb_get(t, s->meta, &(MDB_val){.mv_size = 6, .mv_data = "layout"}, &layout) != 0) {
			ok = set_err(s, "the store in `%s` is damaged (no record layout): restore it from a backup", s->dir);
		} else {
			if (mdb_get(t, s->meta, &(MDB_val){.mv_size = 7, .mv_data = "version"}, &version) == 0)
				snprintf(s->previous_version, sizeof s->previous_version, "%.*s", (int)version.mv_size,
					 (const char *)version.mv_data);
			buf now = {0};
			ok = program_layout(p, &now) || set_err(s, "out of memory");
			migrating = ok && (now.len != layout.mv_size || memcmp(now.p, layout.mv_data, now.len) != 0);
			if (migrating && s->read_only)
				ok = set_err(s, "the store in `%s` was written by another version of \"%s\" (\"%s\"): run the new "
						"version on it first (`ludic run PROGRAM --store %s`)",
					     s->dir, pn, s->previous_version, s->dir);
			else if (migrating && !(migration_parse(&m, layout.mv_data, layout.mv_size) && migration_plan(s, &m, p->rp)))
				ok = set_err(s, "the store in `%s` is damaged (its record layout cannot be read): restore it "
						"from a backup",
					     s->dir);
			/* same layout, other rules (amounts, conditions): the state is kept as it is,
			 * and the store takes the new source, for the queries */
			MDB_val old;
			if (ok && !migrating && !s->read_only &&
			    mdb_get(t, s->meta, &(MDB_val){.mv_size = 7, .mv_data = "sources"}, &old) == 0) {
				ok = program_sources(p, &now) || set_err(s, "out of memory");
				if (ok && (now.len != old.mv_size || memcmp(now.p, old.mv_data, now.len) != 0))
					ok = write_program(s, t, p);
			}
			free(now.p);
		}
	}
	ludic_engine_options o = opt ? *opt : (ludic_engine_options){0};
	o.on_effect = store_emit;
	o.effect_user = s;
	s->p = p;
	if (ok) {
		s->e = NULL;
		if (ludic_engine_new(p, &o, &s->e) != LUDIC_OK)
			ok = set_err(s, "cannot start the engine: out of memory");
	}
	ok = ok && load_customers(s, t, migrating ? &m : NULL) && load_staff(s, t, migrating ? &m : NULL) &&
	     load_clock(s, t, migrating ? &m : NULL);
	if (ok && migrating) {
		/* write the migrated state back at once, with the new program */
		ok = write_program(s, t, p);
		s->all_dirty = true;
		if (ok)
			mdb_drop(t, s->staff, 0);
	}
	migration_free(&m);
	if (!ok) {
		mdb_txn_abort(t);
		return LUDIC_ERR_IO;
	}
	s->pending_offset = s->offset;
	s->pending_line = s->line;
	if (s->read_only)
		mdb_txn_abort(t);
	else if (!commit_txn(s, t, migrating))
		return LUDIC_ERR_IO;
	s->on_effect = on_effect;
	s->effect_user = effect_user;
	if (engine)
		*engine = s->e;
	if (rep) {
		ludic_engine_stats st;
		ludic_engine_stats_get(s->e, &st);
		rep->created = created;
		rep->migrated = migrating;
		rep->previous_version = s->previous_version;
		rep->customers = st.customers;
		rep->staff = st.staff;
		rep->offset = s->offset;
		rep->line = s->line;
		rep->ledger = s->committed_seq;
		rep->kept = (const char *const *)s->kept.s;
		rep->nkept = s->kept.n;
		rep->added = (const char *const *)s->added.s;
		rep->nadded = s->added.n;
		rep->dropped = (const char *const *)s->dropped.s;
		rep->ndropped = s->dropped.n;
		rep->reset = (const char *const *)s->reset.s;
		rep->nreset = s->reset.n;
	}
	return LUDIC_OK;
}

/* ---- the batch ---- */

/* An effect into the batch: its ledger key and value. */
static void store_emit(void *user, const ludic_effect *fx)
{
	ludic_store *s = user;
	/* the key: kind, customer NUL source NUL rule NUL index */
	char src[32];
	const char *source = fx->event_id;
	if (!source) {
		snprintf(src, sizeof src, "@%lld", fx->at);
		source = src;
	}
	const char *cust = fx->customer ? fx->customer : "";
	const char *rule = fx->rule ? fx->rule : "";
	size_t cl = strlen(cust), sl = strlen(source), rl = strlen(rule);
	uint8_t key[KEY_MAX + 8];
	size_t kl;
	bool plain = 1 + cl + 1 + sl + 1 + rl + 1 + 4 <= KEY_MAX; /* the id holds customer, event and rule whole */
	if (plain) {
		key[0] = fx->staff ? 's' : 'c';
		memcpy(key + 1, cust, cl + 1);
		memcpy(key + 2 + cl, source, sl + 1);
		memcpy(key + 3 + cl + sl, rule, rl + 1);
		kl = 4 + cl + sl + rl;
	} else {
		/* very long ids: a cut customer id and a hash of the rest */
		key[0] = fx->staff ? 's' : 'c';
		size_t n = cl < 200 ? cl : 200;
		memcpy(key + 1, cust, n);
		key[1 + n] = 0;
		uint64_t h = rt_hash_bytes(cust, cl) ^ (rt_hash_bytes(source, sl) * 31) ^ (rt_hash_bytes(rule, rl) * 131);
		memcpy(key + 2 + n, "#", 1);
		put_u64(key + 3 + n, h);
		key[11 + n] = 0;
		key[12 + n] = 0;
		kl = 13 + n;
	}
	/* the index: entries of this push with the same id so far */
	uint64_t cust_h = rt_hash_bytes((const char *)key, 1 + cl);
	if (s->advancing && cust_h != s->grp_cust) {
		s->ngrp = 0;
		s->grp_cust = cust_h;
	}
	uint64_t gh = rt_hash_bytes((const char *)key, kl);
	uint32_t idx = 0;
	size_t g = 0;
	while (g < s->ngrp && s->grp[g].h != gh)
		g++;
	if (g < s->ngrp) {
		idx = ++s->grp[g].n;
	} else {
		if (s->ngrp == s->capgrp) {
			size_t cap = s->capgrp ? s->capgrp * 2 : 16;
			void *more = realloc(s->grp, cap * sizeof *s->grp);
			if (!more) {
				s->lost = true;
				return;
			}
			s->grp = more;
			s->capgrp = cap;
		}
		s->grp[s->ngrp].h = gh;
		s->grp[s->ngrp++].n = 0;
	}
	key[kl] = (uint8_t)(idx >> 24);
	key[kl + 1] = (uint8_t)(idx >> 16);
	key[kl + 2] = (uint8_t)(idx >> 8);
	key[kl + 3] = (uint8_t)idx;
	kl += 4;
	/* pending: u32 id length, u32 value length, id, value (its JSON is
	 * written from it after the commit: the batch holds no text) */
	size_t at = s->pending.len;
	if (!buf_reserve(&s->pending, 8 + kl)) {
		s->lost = true;
		return;
	}
	s->pending.len += 8;
	buf_add(&s->pending, key, kl);
	size_t vat = s->pending.len;
	if (!fx_encode(&s->pending, fx, plain)) {
		s->pending.len = at;
		s->lost = true;
		return;
	}
	uint32_t lens[2] = {(uint32_t)kl, (uint32_t)(s->pending.len - vat)};
	memcpy(s->pending.p + at, lens, 8);
	s->npending++;
	s->seq++;
}

static void mark(ludic_store *s, rt_cust *c)
{
	if (!c)
		return;
	if (s->ndirty == s->capdirty) {
		size_t cap = s->capdirty ? s->capdirty * 2 : 4096;
		rt_cust **d = realloc(s->dirty, cap * sizeof *d);
		if (!d) {
			s->all_dirty = true; /* cannot list them: write everyone */
			return;
		}
		s->dirty = d;
		s->capdirty = cap;
	}
	s->dirty[s->ndirty++] = c;
}

int ludic_store_push_json(ludic_store *s, const char *line, size_t len, unsigned long long line_no)
{
	if (!s || !s->e || (!line && len))
		return -1;
	rt_cust *c = NULL;
	s->ngrp = 0;
	int r = rt_engine_push_json_touch(s->e, line ? line : "", len, line_no, &c);
	mark(s, c);
	return r;
}

ludic_status ludic_store_advance(ludic_store *s, long long t)
{
	if (!s || !s->e)
		return LUDIC_ERR_USAGE;
	s->ngrp = 0;
	s->grp_cust = 0;
	s->advancing = true;
	ludic_status st = ludic_engine_advance(s->e, t);
	s->advancing = false;
	s->all_dirty = true;
	return st;
}

/* ---- commit ---- */

/* LMDB reports a short write as EIO: tell a full disk (or a file size
 * limit, `ulimit -f`) from a failing one. */
static int why_eio(const ludic_store *s)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/data.mdb", s->dir);
	struct stat st;
	struct rlimit rl;
	if (stat(path, &st) == 0 && getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (uint64_t)st.st_size + (1u << 20) >= (uint64_t)rl.rlim_cur)
		return EFBIG;
	struct statvfs vs;
	if (statvfs(s->dir, &vs) == 0 && (uint64_t)vs.f_bavail * vs.f_frsize < ((uint64_t)16 << 20))
		return ENOSPC;
	return EIO;
}

static bool write_failed(ludic_store *s, int rc, const char *what)
{
	if (rc == EIO)
		rc = why_eio(s);
	if (rc == MDB_MAP_FULL)
		return set_err(s, "the store reached its size limit (while writing %s): raise it (LUDIC_STORE_MAP_SIZE, or "
				  "map_size in ludic_store_options) and run again; nothing was lost: the next run resumes after "
				  "input line %" PRIu64,
			       what, s->line);
	if (rc == ENOSPC || rc == EFBIG || rc == EDQUOT)
		return set_err(s, "the disk is full (%s, while writing %s): free space and run again; nothing was lost: the next run resumes after input line %" PRIu64,
			       rc == EFBIG ? "the file size limit (`ulimit -f`) is reached" : mdb_strerror(rc),
			       what, s->line);
	return set_err(s, "writing %s to the store failed (%s): nothing was lost: check the disk and run again; the next "
			  "run resumes after input line %" PRIu64,
		       what, mdb_strerror(rc), s->line);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
	return x < y ? -1 : x > y;
}

/* A commit runs in two steps. take_batch (on the caller's thread) takes from
 * the engine everything the commit writes: the coded records of the
 * customers the batch touched, new customers' order, staff records, clock,
 * position, as a list of puts (s->w.ops), and the batch's ledger entries
 * (s->pending moves to s->w.ledger). write_batch then writes them in one
 * transaction and commits: on a thread of its own when the commit is
 * started (ludic_store_commit_start), so that the engine applies the next
 * batch meanwhile; it reads nothing of the engine. */

enum { DB_CUSTS, DB_ORDER, DB_STAFF, DB_META };

/* Adds one put to s->w.ops: u8 database, u8 no-overwrite, u32 key length,
 * u32 value length, key, value. */
static bool op_add(ludic_store *s, uint8_t db, bool noover, MDB_val k, MDB_val v)
{
	buf *b = &s->w.ops;
	uint32_t l[2] = {(uint32_t)k.mv_size, (uint32_t)v.mv_size};
	if (!buf_reserve(b, 10 + k.mv_size + v.mv_size))
		return set_err(s, "out of memory while writing the store");
	b->p[b->len++] = db;
	b->p[b->len++] = noover;
	buf_add(b, l, 8);
	buf_add(b, k.mv_data, k.mv_size);
	buf_add(b, v.mv_data, v.mv_size);
	return true;
}

static bool meta_op(ludic_store *s, const char *key, const void *p, size_t n)
{
	return op_add(s, DB_META, false, sval(key), val(p, n));
}

static bool put_cust(ludic_store *s, rt_cust *c)
{
	size_t need = rt_engine_cust_save(s->e, c, s->rec.p, s->rec.cap);
	if (need > s->rec.cap) {
		s->rec.len = 0;
		if (!buf_reserve(&s->rec, need))
			return set_err(s, "out of memory while writing the store");
		rt_engine_cust_save(s->e, c, s->rec.p, s->rec.cap);
	}
	/* the checksum goes in front of the coded form */
	if (!zero_encode(&s->rle, 8, s->rec.p, need))
		return set_err(s, "out of memory while writing the store");
	put_u64(s->rle.p, checksum(s->rle.p + 8, s->rle.len - 8));
	rt_str id = rt_engine_cust_id(c);
	uint8_t tmp[KEY_MAX];
	return op_add(s, DB_CUSTS, false, id_key(id.p, id.len, tmp), val(s->rle.p, s->rle.len));
}

typedef struct walk {
	ludic_store *s;
	uint64_t ord;
	bool ok;
} walk;

static int put_each(void *user, rt_cust *c)
{
	walk *w = user;
	return (w->ok = put_cust(w->s, c)) ? 0 : 1;
}

static int put_order(void *user, rt_cust *c)
{
	walk *w = user;
	uint8_t k8[8];
	put_be64(k8, w->ord++);
	rt_str id = rt_engine_cust_id(c);
	return (w->ok = op_add(w->s, DB_ORDER, true, val(k8, 8), val(id.p, id.len))) ? 0 : 1;
}

static int put_staff(void *user, bool staff, rt_str id, const uint8_t *rec, size_t size)
{
	walk *w = user;
	if (!staff)
		return 0;
	ludic_store *s = w->s;
	s->rle.len = 0;
	uint64_t ord = w->ord++;
	if (!buf_reserve(&s->rle, 8 + size)) {
		w->ok = set_err(s, "out of memory while writing the store");
		return 1;
	}
	put_u64(s->rle.p, ord);
	memcpy(s->rle.p + 8, rec, size);
	uint8_t tmp[KEY_MAX];
	return (w->ok = op_add(s, DB_STAFF, false, id_key(id.p, id.len, tmp), val(s->rle.p, 8 + size))) ? 0 : 1;
}

/* Appends the batch's entries under their sequence numbers (big-endian:
 * the ledger only grows at its end, which LMDB writes sequentially). The
 * value: u16 id length, the id, then the effect (fx_encode). */
static bool put_ledger(ludic_store *s, MDB_txn *t)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(t, s->ledger, &c);
	if (rc)
		return write_failed(s, rc, "the ledger");
	size_t at = 0;
	uint64_t seq = s->w.first_seq;
	for (size_t i = 0; i < s->w.nledger; i++) {
		uint32_t lens[2];
		memcpy(lens, s->w.ledger.p + at, 8);
		uint8_t k8[8];
		put_be64(k8, seq++);
		MDB_val k = val(k8, 8), v = {.mv_size = 2 + lens[0] + lens[1]};
		rc = mdb_cursor_put(c, &k, &v, MDB_APPEND | MDB_RESERVE);
		if (rc) {
			mdb_cursor_close(c);
			return write_failed(s, rc == MDB_KEYEXIST ? EIO : rc, "the ledger");
		}
		uint16_t k16 = (uint16_t)lens[0];
		memcpy(v.mv_data, &k16, 2);
		memcpy((uint8_t *)v.mv_data + 2, s->w.ledger.p + at + 8, lens[0] + lens[1]);
		at += 8 + (size_t)lens[0] + lens[1];
	}
	mdb_cursor_close(c);
	return true;
}

/* Takes the batch from the engine into s->w (see above). `batch` false:
 * nothing of the engine (attach on a plain load). */
static bool take_batch(ludic_store *s, bool batch)
{
	s->w.ops.len = 0;
	s->w.batch = batch;
	s->w.offset = s->offset;
	s->w.line = s->line;
	if (!batch)
		return true;
	if (s->lost)
		return set_err(s, "memory ran out while keeping the effects of a batch: nothing of it was written; run "
				  "again with more memory (or a smaller --batch): the next run resumes after input line %" PRIu64,
			       s->line);
	walk w = {s, 0, true};
	if (s->all_dirty) {
		rt_engine_each_cust(s->e, 0, put_each, &w);
	} else {
		if (s->ndirty)
			qsort(s->dirty, s->ndirty, sizeof *s->dirty, cmp_ptr);
		for (size_t i = 0; i < s->ndirty && w.ok; i++)
			if (i == 0 || s->dirty[i] != s->dirty[i - 1])
				w.ok = put_cust(s, s->dirty[i]);
	}
	ludic_engine_stats st;
	ludic_engine_stats_get(s->e, &st);
	uint64_t ncust = st.customers;
	if (w.ok && ncust > s->committed_custs) {
		w.ord = s->committed_custs;
		rt_engine_each_cust(s->e, (size_t)s->committed_custs, put_order, &w);
	}
	w.ord = 0;
	if (w.ok)
		rt_engine_each_staff(s->e, put_staff, &w);
	int64_t now, advanced, *budgets;
	uint32_t nb = rt_engine_clock(s->e, &now, &advanced, &budgets);
	s->rec.len = 0;
	bool ok = w.ok && buf_add(&s->rec, &now, 8) && buf_add(&s->rec, &advanced, 8) &&
		  buf_add(&s->rec, budgets, (size_t)nb * 8);
	if (w.ok && !ok)
		set_err(s, "out of memory while writing the store");
	uint8_t pos[16];
	put_u64(pos, s->pending_offset);
	put_u64(pos + 8, s->pending_line);
	uint64_t seq = s->seq;
	ok = ok && meta_op(s, "clock", s->rec.p, s->rec.len) && meta_op(s, "position", pos, 16) &&
	     meta_op(s, "seq", &seq, 8) && meta_op(s, "customers", &ncust, 8);
	if (!ok)
		return false;
	/* the ledger entries move to the commit; the engine's next batch starts empty */
	buf spare = s->w.ledger;
	s->w.ledger = s->pending;
	s->w.nledger = s->npending;
	s->w.first_seq = s->seq - s->npending;
	s->w.end_seq = s->seq;
	s->w.ncust = ncust;
	s->w.offset = s->pending_offset;
	s->w.line = s->pending_line;
	s->pending = spare;
	s->pending.len = 0;
	s->npending = 0;
	s->ndirty = 0;
	s->all_dirty = false;
	return true;
}

/* Writes s->w into `t` and commits it (aborts it on failure). Reads
 * nothing of the engine: may run on a thread of its own. */
static bool write_batch(ludic_store *s, MDB_txn *t)
{
	static const char *const what[] = {"a customer's record", "the order of customers", "a staff record",
					   "the store's description"};
	MDB_dbi dbs[] = {s->custs, s->order, s->staff, s->meta};
	bool ok = true;
	for (size_t at = 0; ok && at < s->w.ops.len;) {
		const uint8_t *p = s->w.ops.p + at;
		uint32_t l[2];
		memcpy(l, p + 2, 8);
		MDB_val k = val(p + 10, l[0]), v = val(p + 10 + l[0], l[1]);
		int rc = mdb_put(t, dbs[p[0]], &k, &v, p[1] ? MDB_NOOVERWRITE : 0);
		ok = rc == 0 || write_failed(s, rc, what[p[0]]);
		at += 10 + (size_t)l[0] + l[1];
	}
	if (s->w.batch) {
		ok = ok && put_ledger(s, t);
		if (ok && s->fail_after >= 0 && s->commits >= (unsigned long)s->fail_after)
			ok = write_failed(s, EIO, "a batch (a failure injected by LUDIC_STORE_FAIL_AFTER)");
	}
	if (!ok) {
		mdb_txn_abort(t);
		return false;
	}
	int rc = mdb_txn_commit(t);
	return rc == 0 || write_failed(s, rc, "a batch");
}

static bool commit_txn(ludic_store *s, MDB_txn *t, bool batch)
{
	if (!take_batch(s, batch)) {
		mdb_txn_abort(t);
		return false;
	}
	bool ok = write_batch(s, t) && commit_done(s);
	s->w.ledger.len = 0;
	s->w.nledger = 0;
	return ok;
}

/* After write_batch succeeded: the store is at the batch's position. */
static bool commit_done(ludic_store *s)
{
	if (s->w.batch) {
		s->commits++;
		s->committed_custs = s->w.ncust;
		s->committed_seq = s->w.end_seq;
	}
	s->offset = s->w.offset;
	s->line = s->w.line;
	return true;
}

static void *writer_main(void *user)
{
	ludic_store *s = user;
	MDB_txn *t;
	int rc = mdb_txn_begin(s->env, NULL, 0, &t);
	s->w.ok = rc == 0 ? write_batch(s, t) : write_failed(s, rc, "a batch");
	return NULL;
}

ludic_status ludic_store_commit_start(ludic_store *s, unsigned long long offset, unsigned long long line)
{
	if (!s || !s->e || s->read_only)
		return LUDIC_ERR_USAGE;
	if (s->w.running && ludic_store_commit_wait(s) != LUDIC_OK)
		return LUDIC_ERR_IO;
	s->pending_offset = offset;
	s->pending_line = line;
	if (!take_batch(s, true))
		return LUDIC_ERR_IO;
	if (pthread_create(&s->w.thread, NULL, writer_main, s) != 0) {
		writer_main(s); /* no thread: write it here */
		s->w.running = false;
	} else {
		s->w.running = true;
	}
	s->w.started = true;
	return LUDIC_OK;
}

ludic_status ludic_store_commit_wait(ludic_store *s)
{
	if (!s || !s->e || s->read_only)
		return LUDIC_ERR_USAGE;
	if (!s->w.started)
		return LUDIC_OK;
	if (s->w.running)
		pthread_join(s->w.thread, NULL);
	s->w.running = s->w.started = false;
	if (!s->w.ok)
		return LUDIC_ERR_IO;
	commit_done(s);
	/* the batch is safe: report its effects, then forget them */
	size_t at = 0;
	for (size_t i = 0; i < s->w.nledger && s->on_effect; i++) {
		uint32_t lens[2];
		memcpy(lens, s->w.ledger.p + at, 8);
		const uint8_t *k = s->w.ledger.p + at + 8;
		at += 8 + (size_t)lens[0] + lens[1];
		ludic_effect fx;
		size_t len;
		if (fx_decode(k + lens[0], lens[1], k, lens[0], &fx, &s->rec, &s->rle) && (len = fx_json(s, &fx)))
			s->on_effect(s->effect_user, (const char *)s->json.p, len);
	}
	s->w.ledger.len = 0;
	s->w.nledger = 0;
	return LUDIC_OK;
}

ludic_status ludic_store_commit(ludic_store *s, unsigned long long offset, unsigned long long line)
{
	ludic_status st = ludic_store_commit_start(s, offset, line);
	return st == LUDIC_OK ? ludic_store_commit_wait(s) : st;
}

/* ---- queries ---- */

ludic_status ludic_store_program(ludic_store *s, ludic_program **out)
{
	if (!s || !out || !s->env)
		return LUDIC_ERR_USAGE;
	*out = NULL;
	MDB_txn *t;
	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t) != 0) {
		set_err(s, "cannot read the store in `%s`", s->dir);
		return LUDIC_ERR_IO;
	}
	MDB_val v;
	if (mdb_get(t, s->meta, &(MDB_val){.mv_size = 7, .mv_data = "sources"}, &v) != 0) {
		mdb_txn_abort(t);
		set_err(s, "the store in `%s` has no program yet: `ludic run PROGRAM --store %s` gives it one", s->dir,
			s->dir);
		return LUDIC_ERR_IO;
	}
	ludic_compiler *c = ludic_compiler_new();
	if (!c) {
		mdb_txn_abort(t);
		return LUDIC_ERR_MEMORY;
	}
	const uint8_t *p = v.mv_data, *end = p + v.mv_size;
	bool ok = true;
	while (p < end && ok) {
		uint32_t nl, tl;
		char name[256];
		if (end - p < 4 || (memcpy(&nl, p, 4), (size_t)(end - p) < 8 + (size_t)nl)) {
			ok = false;
			break;
		}
		snprintf(name, sizeof name, "%.*s", (int)nl, (const char *)p + 4);
		p += 4 + nl;
		memcpy(&tl, p, 4);
		if ((size_t)(end - p) < 4 + (size_t)tl) {
			ok = false;
			break;
		}
		ok = ludic_compiler_add_source(c, name, (const char *)p + 4, tl, 0) == LUDIC_OK;
		p += 4 + tl;
	}
	mdb_txn_abort(t);
	ludic_status st = ok ? ludic_program_new(c, out) : LUDIC_ERR_IO;
	ludic_compiler_free(c);
	if (st != LUDIC_OK) {
		ludic_program_free(*out);
		*out = NULL;
		set_err(s, ok ? "the program kept in the store in `%s` no longer compiles with this ludic: query it with the "
				"ludic that wrote it"
			      : "the store in `%s` is damaged (its program's source cannot be read)",
			s->dir);
		return st == LUDIC_ERR_MEMORY ? st : ok ? LUDIC_ERR_PROGRAM : LUDIC_ERR_IO;
	}
	return LUDIC_OK;
}

/* An entry's readable id: customer/source/rule/index. */
static void entry_id(const uint8_t *k, size_t kl, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 1; i + 4 < kl && o + 1 < cap; i++)
		out[o++] = k[i] ? (char)k[i] : '/';
	uint32_t idx = (uint32_t)k[kl - 4] << 24 | (uint32_t)k[kl - 3] << 16 | (uint32_t)k[kl - 2] << 8 | k[kl - 1];
	snprintf(out + o, cap - o, "%u", idx);
}

/* The entry stored under ledger key `key` with value `val_in` (u16 id
 * length, id, effect), its JSON written into s->json. */
static bool entry_of(ludic_store *s, const MDB_val *key, const MDB_val *val_in, ludic_ledger_entry *e, char *id,
		     size_t idcap)
{
	uint16_t kl;
	if (key->mv_size != 8 || val_in->mv_size < 2 + 6)
		return false;
	memcpy(&kl, val_in->mv_data, 2);
	if (kl < 6 || val_in->mv_size < 2 + (size_t)kl)
		return false;
	const uint8_t *k = (const uint8_t *)val_in->mv_data + 2;
	ludic_effect fx;
	if (!fx_decode(k + kl, val_in->mv_size - 2 - kl, k, kl, &fx, &s->rec, &s->rle))
		return false;
	size_t need = fx_json(s, &fx);
	if (!need)
		return false;
	const uint8_t *kb = key->mv_data;
	e->seq = 0;
	for (int i = 0; i < 8; i++)
		e->seq = e->seq << 8 | kb[i];
	e->at = fx.at;
	e->amount = fx.amount;
	e->balance = fx.balance;
	e->kind = fx.kind;
	e->staff = fx.staff;
	e->wallet = fx.wallet ? fx.wallet : "";
	e->json = (const char *)s->json.p;
	e->len = need;
	entry_id(k, kl, id, idcap);
	e->id = id;
	return true;
}

ludic_status ludic_store_ledger(ludic_store *s, const char *customer, bool staff, ludic_ledger_fn fn, void *user)
{
	if (!s || !fn || !s->env)
		return LUDIC_ERR_USAGE;
	MDB_txn *t;
	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t) != 0)
		return LUDIC_ERR_IO;
	MDB_cursor *c;
	if (mdb_cursor_open(t, s->ledger, &c) != 0) {
		mdb_txn_abort(t);
		return LUDIC_ERR_IO;
	}
	/* one customer: the entries whose id starts with its kind and id (a scan
	 * of the ledger, in order: the ledger has no index by customer) */
	size_t cl = customer ? strlen(customer) : 0;
	MDB_val k, v;
	char id[KEY_MAX + 16], cust[KEY_MAX];
	ludic_status st = LUDIC_OK;
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *p = v.mv_data;
		uint16_t kl = 0;
		if (v.mv_size >= 2)
			memcpy(&kl, p, 2);
		if (v.mv_size < 2 + (size_t)kl || kl < 2) {
			st = LUDIC_ERR_IO;
			break;
		}
		const char *kc = (const char *)p + 3;
		size_t kcl = strnlen(kc, kl - 1u);
		if (customer && (p[2] != (staff ? 's' : 'c') || kcl != cl || memcmp(kc, customer, cl) != 0))
			continue;
		ludic_ledger_entry e = {0};
		if (!entry_of(s, &k, &v, &e, id, sizeof id)) {
			st = LUDIC_ERR_IO;
			break;
		}
		snprintf(cust, sizeof cust, "%.*s", (int)kcl, kc);
		e.customer = cust;
		if (fn(user, &e))
			break;
	}
	if (st == LUDIC_ERR_IO)
		set_err(s, "the ledger in `%s` is damaged: restore the store from a backup (docs/operations.md)", s->dir);
	mdb_cursor_close(c);
	mdb_txn_abort(t);
	return st;
}

ludic_status ludic_store_each(ludic_store *s, ludic_store_id_fn fn, void *user)
{
	if (!s || !fn || !s->env)
		return LUDIC_ERR_USAGE;
	MDB_txn *t;
	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t) != 0) {
		set_err(s, "cannot read the store in `%s`", s->dir);
		return LUDIC_ERR_IO;
	}
	ludic_status st = LUDIC_OK;
	MDB_dbi dbs[2] = {s->custs, s->staff};
	char id[KEY_MAX + 1];
	bool stop = false;
	for (int d = 0; d < 2 && !stop; d++) {
		MDB_cursor *c;
		if (mdb_cursor_open(t, dbs[d], &c) != 0) {
			set_err(s, "cannot read the store in `%s`", s->dir);
			st = LUDIC_ERR_IO;
			break;
		}
		MDB_val k, v;
		for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			snprintf(id, sizeof id, "%.*s", (int)k.mv_size, (const char *)k.mv_data);
			uint64_t fp;
			if (d == 0) {
				if (!decode_cust(s, &v)) {
					set_err(s, "the record of customer \"%s\" in `%s` does not match its checksum: restore the "
						   "store from a backup (docs/operations.md)",
						id, s->dir);
					st = LUDIC_ERR_IO;
					stop = true;
					break;
				}
				fp = checksum(s->rec.p, s->rec.len);
			} else {
				fp = checksum(v.mv_data, v.mv_size);
			}
			if (fn(user, d == 1, id, fp)) {
				stop = true;
				break;
			}
		}
		mdb_cursor_close(c);
	}
	MDB_val v;
	if (!stop && st == LUDIC_OK) {
		uint64_t fp = 0;
		if (mdb_get(t, s->meta, &(MDB_val){.mv_size = 5, .mv_data = "clock"}, &v) == 0)
			fp = checksum(v.mv_data, v.mv_size);
		fn(user, false, "", fp);
	}
	mdb_txn_abort(t);
	return st;
}

ludic_status ludic_store_usage_get(ludic_store *s, ludic_store_usage *out)
{
	if (!s || !out || !s->env)
		return LUDIC_ERR_USAGE;
	memset(out, 0, sizeof *out);
	MDB_txn *t;
	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t) != 0)
		return LUDIC_ERR_IO;
	struct {
		MDB_dbi dbi;
		unsigned long long *bytes, *entries;
	} dbs[] = {{s->custs, &out->customer_bytes, &out->customers},
		   {s->order, &out->customer_bytes, NULL},
		   {s->staff, &out->staff_bytes, NULL},
		   {s->ledger, &out->ledger_bytes, &out->ledger_entries}};
	for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++) {
		MDB_stat st;
		if (mdb_stat(t, dbs[i].dbi, &st) != 0)
			continue;
		*dbs[i].bytes += (unsigned long long)(st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize;
		if (dbs[i].entries)
			*dbs[i].entries = st.ms_entries;
	}
	mdb_txn_abort(t);
	MDB_envinfo info;
	MDB_stat est;
	if (mdb_env_info(s->env, &info) == 0 && mdb_env_stat(s->env, &est) == 0)
		out->file_bytes = ((unsigned long long)info.me_last_pgno + 1) * est.ms_psize;
	return LUDIC_OK;
}
