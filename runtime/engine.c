/* engine.c — a program applied to customer events: every customer's record,
 * ordering, lateness, duplicates, the passing of days, effects out.
 *
 * One event, end to end (ludic_engine_push / _push_json):
 *
 *   decode (decode.c) or finish a typed event (event_build.c)
 *   → no customer: an anonymous event; only quests can act (they credit the
 *     event's staff member), run on a blank scratch record
 *   → find the customer's record (one open-addressing table, created on
 *     first sight)
 *   → too late? (earlier than the customer's latest applied event by more
 *     than the program's `allow late events up to D`) → reject `too-late`
 *   → a duplicate? (its id is among the customer's recent ids) → ignored
 *   → days: if the event is on a later local day than the record has seen,
 *     rt_exec_days runs every day up to it (expiry, reviews, time rules)
 *   → rt_exec_event: the fused routine of the event's type
 *   → effects to the callback (converted only when there is one), counters.
 *
 * Batches (ludic_engine_push_batch, _push_json_batch) run these same steps
 * event by event, as a pipeline that decodes and prefetches a few events
 * ahead of the one being applied (see "batches" below).
 *
 * Memory. A customer is one fixed-size block: a header the engine owns (id,
 * latest event time, last day run, the ring of recent event ids), the
 * customer's variant in each experiment (computed once), then the record
 * the program lays out (rt_program_state_size bytes). Blocks come from
 * slabs and never move; ids are copied once into chunks; the table holds
 * (hash, pointer) pairs and grows by doubling. So memory is allocated only
 * when a new customer (or staff member) appears, or, rarely, when one
 * customer has more than RT_DUP_INLINE events within the allowed lateness
 * (the ring spills). Nothing is allocated per event in the steady state.
 *
 * Duplicates, precisely. Per customer the engine keeps the 64-bit hash and
 * the time of the ids of applied events: always every event within the
 * allowed lateness of the customer's latest event (the only ones that can
 * come again without being too late), and at least the last RT_DUP_INLINE.
 * So an event applied once is never applied again: a resent copy is either
 * recognised (LUDIC_DUPLICATE) or older than the lateness (rejected
 * `too-late`). Full ids are not kept: a different event whose id has the
 * same 64-bit hash as a remembered one of the same customer would be taken
 * for a duplicate (odds about 2^-64 per pair of ids).
 */
#define _DEFAULT_SOURCE /* madvise */
#include "engine.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "native.h"

/* ---- hashing ---- */

static inline uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

uint64_t rt_hash_bytes(const char *p, size_t n)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ ((uint64_t)n * UINT64_C(0xff51afd7ed558ccd));
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * UINT64_C(0xbf58476d1ce4e5b9);
		h ^= h >> 31;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * UINT64_C(0x94d049bb133111eb);
		h ^= h >> 29;
	}
	h = fmix64(h);
	return h ? h : 1; /* 0 marks an empty slot of the duplicate ring */
}

/* ---- records ---- */

/* What every record starts with: its id (NUL-terminated, in the id chunks). */
typedef struct rec_head {
	const char *id;
	uint32_t id_len;
} rec_head;

/* Ids of events beyond the inline ring, while more than RT_DUP_INLINE
 * events of one customer are within the lateness. */
typedef struct dup_spill {
	uint32_t n, cap;      /* entries used and allocated */
	struct {
		uint64_t h;   /* hash of the id */
		int64_t at;   /* the event's time */
	} e[];
} dup_spill;

/* A customer: this header, then the variants, then the program's record. */
#define CUST_ID_INLINE 24

typedef struct cust {
	rec_head h;                       /* id: in id_buf when shorter than CUST_ID_INLINE, else in the id chunks */
	/* a short id is kept here, next to the header the lookup reads anyway:
	 * comparing it costs no other cache line */
	char id_buf[CUST_ID_INLINE];
	int64_t last_at;                  /* latest applied event time; INT64_MIN before the first */
	int64_t last_day;                 /* last local day rt_exec_days ran to; INT64_MIN before the first */
	uint64_t dup_h[RT_DUP_INLINE];    /* hashes of recent event ids; 0 = empty */
	int64_t dup_at[RT_DUP_INLINE];    /* their times */
	dup_spill *spill;                 /* more of them, or NULL */
} cust;

/* A block of records of one size; blocks are chained in creation order. */
typedef struct slab {
	struct slab *next;
	uint32_t used, cap;               /* records handed out, records in data */
	_Alignas(16) unsigned char data[];
} slab;

typedef struct pool {
	slab *first, *last;               /* every slab, oldest first */
	size_t rec_size;                  /* bytes per record, a multiple of 16 */
	uint32_t per_slab;                /* records per slab (the small ones) */
	uint32_t nslabs;                  /* slabs made */
	size_t bytes;                     /* allocated */
} pool;

static void pool_init(pool *p, size_t rec_size)
{
	memset(p, 0, sizeof *p);
	p->rec_size = (rec_size + 15) & ~(size_t)15;
	size_t per = ((size_t)256 << 10) / p->rec_size; /* ~256 KiB slabs */
	p->per_slab = (uint32_t)(per < 16 ? 16 : per > 65536 ? 65536 : per);
}

/* Slabs after the first SMALL_SLABS are HUGE_SLAB bytes, aligned on their
 * size, and the kernel is asked to back them with huge pages: a customer's
 * record is a few KB read all over, found at random among millions, so
 * with 4 KB pages nearly every event misses the TLB on it (a page walk,
 * and in a virtual machine a much longer one) before it misses the cache. */
#define SMALL_SLABS 2
#define HUGE_SLAB ((size_t)2 << 20)

static slab *slab_new(pool *p, size_t *bytes, uint32_t *cap)
{
	slab *s = NULL;
#if defined(MADV_HUGEPAGE)
	if (p->nslabs >= SMALL_SLABS && p->rec_size <= HUGE_SLAB / 16) {
		void *m = NULL;
		if (posix_memalign(&m, HUGE_SLAB, HUGE_SLAB) == 0) {
			madvise(m, HUGE_SLAB, MADV_HUGEPAGE); /* advice: without it, 4 KB pages */
			*bytes = HUGE_SLAB;
			*cap = (uint32_t)((HUGE_SLAB - sizeof(slab)) / p->rec_size);
			return m;
		}
	}
#endif
	*bytes = sizeof(slab) + p->rec_size * p->per_slab;
	*cap = p->per_slab;
	s = malloc(*bytes);
	return s;
}

static void *pool_alloc(pool *p)
{
	if (!p->last || p->last->used == p->last->cap) {
		size_t bytes;
		uint32_t cap;
		slab *s = slab_new(p, &bytes, &cap);
		if (!s)
			return NULL;
		p->nslabs++;
		s->next = NULL;
		s->used = 0;
		s->cap = cap;
		if (p->last)
			p->last->next = s;
		else
			p->first = s;
		p->last = s;
		p->bytes += bytes;
	}
	void *r = p->last->data + p->rec_size * p->last->used++;
	memset(r, 0, p->rec_size);
	return r;
}

static void pool_free(pool *p)
{
	for (slab *s = p->first, *next; s; s = next) {
		next = s->next;
		free(s);
	}
	p->first = p->last = NULL;
	p->nslabs = 0;
	p->bytes = 0;
}

/* Ids, copied once. */
typedef struct idchunk {
	struct idchunk *next;
	size_t used, cap;
	char data[];
} idchunk;

#define ID_CHUNK ((size_t)64 << 10)

/* ---- the id → record table ---- */

typedef struct tab_ent {
	uint64_t h;       /* hash of the id */
	rec_head *r;      /* NULL: empty */
} tab_ent;

typedef struct table {
	tab_ent *e;       /* mask + 1 entries */
	uint32_t mask;    /* size - 1; size a power of two */
	uint32_t n;       /* records */
} table;

static rec_head *tab_find(const table *t, uint64_t h, const char *id, uint32_t len)
{
	if (!t->e)
		return NULL;
	for (uint32_t i = (uint32_t)h & t->mask;; i = (i + 1) & t->mask) {
		const tab_ent *x = &t->e[i];
		if (!x->r)
			return NULL;
		if (x->h == h && x->r->id_len == len && memcmp(x->r->id, id, len) == 0)
			return x->r;
	}
}

/* Makes room for one more record (load at most 1/2). */
static bool tab_reserve(table *t)
{
	if (t->e && ((size_t)t->n + 1) * 2 <= (size_t)t->mask + 1)
		return true;
	size_t size = t->e ? ((size_t)t->mask + 1) * 2 : 1024;
	if (size > ((size_t)1 << 31))
		return false;
	tab_ent *e = calloc(size, sizeof *e);
	if (!e)
		return false;
	uint32_t mask = (uint32_t)(size - 1);
	for (uint32_t i = 0; t->e && i <= t->mask; i++) {
		if (!t->e[i].r)
			continue;
		uint32_t j = (uint32_t)t->e[i].h & mask;
		while (e[j].r)
			j = (j + 1) & mask;
		e[j] = t->e[i];
	}
	free(t->e);
	t->e = e;
	t->mask = mask;
	return true;
}

static void tab_insert(table *t, uint64_t h, rec_head *r)
{
	uint32_t i = (uint32_t)h & t->mask;
	while (t->e[i].r)
		i = (i + 1) & t->mask;
	t->e[i] = (tab_ent){h, r};
	t->n++;
}

/* ---- the engine ---- */

struct ludic_engine {
	const ludic_program *p;        /* the program */
	const rt_program *rp;          /* its lowered form */
	ludic_engine_options opt;      /* callbacks */
	size_t state_size;             /* rt_program_state_size */
	size_t staff_size;             /* rt_program_staff_size (0: no quests credit staff) */
	uint32_t nexp;                 /* experiments */
	size_t var_off, state_off;     /* offsets of the variants and of the record in a customer block */
	int64_t lateness;              /* allowed lateness, seconds */
	table custs, staff;            /* id → record */
	pool cpool, spool;             /* customer and staff blocks */
	idchunk *ids;                  /* id copies (newest first) */
	size_t id_bytes;               /* allocated for ids */
	size_t spill_bytes;            /* allocated for duplicate spills */
	int64_t *budgets;              /* shared campaign budgets: what remains */
	rt_decoder *dec;               /* for ludic_engine_push_json */
	struct rt_batch *batch;        /* the rings of the batch functions, made at the first batch */
	rt_exec x;                     /* the call context (state, customer, variants set per call) */
	const uint16_t *cur_variants;  /* the variants of the customer being run, for effects */
	uint8_t *scratch;              /* a blank record: anonymous events, views of unknown customers */
	uint16_t *scratch_variants;    /* variants for the scratch record */
	uint16_t *anon_variants;       /* variants of the empty id (anonymous events) */
	rt_fx_scratch fx;              /* effect conversion */
	void *view_buf;                /* ludic_engine_customer's arrays and strings */
	size_t view_cap;               /* bytes in view_buf */
	char *text;                    /* ids and messages of rejects and views, NUL-terminated */
	size_t text_cap;               /* bytes in text */
	int64_t now;                   /* the latest time seen (events, advance) */
	int64_t advanced;              /* the latest ludic_engine_advance time; INT64_MIN before */
	int64_t day_lo, day_hi, day;   /* cache: instants [day_lo, day_hi) are local day `day` */
	bool busy;                     /* inside a call (a callback calling back is refused) */
	ludic_engine_stats st;         /* counters */
	char err[256];                 /* the last error, in words */
	char msg[RT_REJECT_MESSAGE_MAX]; /* a reject's message being made */

	/* native code (runtime/native.h; tiering: see tier_check) */
	ludic_engine_kind kind;        /* as asked, after LUDIC_ENGINE */
	rt_native_options nopt;        /* cache folder (a copy in cache_dir) and options */
	char *cache_dir;
	rt_native *native;             /* owned once running */
	pthread_t compiler;            /* the background compile (auto) */
	bool compiling;                /* it was started and not joined yet */
	atomic_bool compiled;          /* it is over: ready and ninfo are final */
	rt_native *_Atomic ready;      /* what it made (NULL: it failed) */
	rt_native_info ninfo;          /* how it went; read after `compiled` */
	char note[600];                /* why native code does not run, or "" */
	unsigned long long interp_events, native_events;
};

static inline uint16_t *cust_variants(const ludic_engine *e, cust *c)
{
	return (uint16_t *)((unsigned char *)c + e->var_off);
}

static inline uint8_t *cust_state(const ludic_engine *e, cust *c)
{
	return (uint8_t *)c + e->state_off;
}

static inline uint8_t *staff_rec_state(rec_head *r)
{
	return (uint8_t *)r + ((sizeof(rec_head) + 15) & ~(size_t)15);
}

/* A NUL-terminated copy of an id, in the id chunks. */
static const char *id_copy(ludic_engine *e, const char *s, uint32_t len)
{
	size_t need = (size_t)len + 1;
	idchunk *c = e->ids;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > ID_CHUNK / 4 ? need : ID_CHUNK;
		idchunk *n = malloc(sizeof *n + cap);
		if (!n)
			return NULL;
		n->used = 0;
		n->cap = cap;
		e->id_bytes += sizeof *n + cap;
		if (need > ID_CHUNK / 4 && c) {
			/* a long id gets a chunk of its own, kept behind the current one */
			n->next = c->next;
			c->next = n;
		} else {
			n->next = c;
			e->ids = n;
		}
		c = n;
	}
	char *d = c->data + c->used;
	memcpy(d, s, len);
	d[len] = '\0';
	c->used += need;
	return d;
}

static void set_error(ludic_engine *e, const char *what)
{
	snprintf(e->err, sizeof e->err, "%s", what);
}

/* ---- effects and staff, called by the program ---- */

static void emit(void *user, const rt_effect *fx)
{
	ludic_engine *e = user;
	if ((unsigned)fx->kind < RT_FX_COUNT)
		e->st.effects[fx->kind]++;
	if (!e->opt.on_effect)
		return;
	ludic_effect out;
	rt_fx_convert(&e->p->names, fx, e->cur_variants, &e->fx, &out);
	e->opt.on_effect(e->opt.effect_user, &out);
}

static uint8_t *staff_state(void *user, rt_str id)
{
	ludic_engine *e = user;
	if (!e->staff_size || !id.p || !id.len)
		return NULL;
	uint64_t h = rt_hash_bytes(id.p, id.len);
	rec_head *r = tab_find(&e->staff, h, id.p, id.len);
	if (r)
		return staff_rec_state(r);
	if (!tab_reserve(&e->staff))
		return NULL;
	r = pool_alloc(&e->spool);
	if (!r)
		return NULL;
	r->id = id_copy(e, id.p, id.len);
	if (!r->id) {
		e->spool.last->used--; /* give the block back: it was the last one handed out */
		return NULL;
	}
	r->id_len = id.len;
	rt_staff_init(e->rp, staff_rec_state(r));
	tab_insert(&e->staff, h, r);
	e->st.staff++;
	return staff_rec_state(r);
}

/* ---- native code: tiering ----
 *
 * LUDIC_ENGINE_NATIVE compiles (or loads from the cache) in rt_engine_new.
 * LUDIC_ENGINE_AUTO starts a thread that does it while the interpreter runs
 * the events; between two events (tier_check, at the start of each push and
 * advance) the engine looks whether the thread is done, and if so runs the
 * native code from the next event on. Both run the same routines on the
 * same records, so where the switch falls changes nothing in the results.
 * When native code cannot be had, the engine stays on the interpreter and
 * says why (ludic_engine_info.note). */

static void *compile_thread(void *arg)
{
	ludic_engine *e = arg;
	rt_native *n = rt_native_load(e->rp, &e->nopt, &e->ninfo);
	atomic_store_explicit(&e->ready, n, memory_order_release);
	atomic_store_explicit(&e->compiled, true, memory_order_release);
	return NULL;
}

/* Runs native code `n` from the next event on, or, NULL, says why not. */
static void use_native(ludic_engine *e, rt_native *n)
{
	e->native = n;
	if (n)
		e->x.native = n;
	else
		snprintf(e->note, sizeof e->note, "%s; running on the interpreter", e->ninfo.error);
}

/* Waits for the background compile (if still under way) and takes its result. */
static void take_compiled(ludic_engine *e)
{
	pthread_join(e->compiler, NULL);
	e->compiling = false;
	use_native(e, atomic_load_explicit(&e->ready, memory_order_acquire));
}

/* Between two events: takes the background compile's result once it is over. */
static inline void tier_check(ludic_engine *e)
{
	if (e->compiling && atomic_load_explicit(&e->compiled, memory_order_acquire))
		take_compiled(e);
}

static ludic_engine_kind kind_from_env(ludic_engine_kind k)
{
	const char *v = getenv("LUDIC_ENGINE");
	if (k != LUDIC_ENGINE_AUTO || !v)
		return k;
	if (strcmp(v, "interp") == 0)
		return LUDIC_ENGINE_INTERP;
	if (strcmp(v, "native") == 0)
		return LUDIC_ENGINE_NATIVE;
	return k;
}

static bool native_start(ludic_engine *e, const ludic_engine_options *opt)
{
	e->kind = kind_from_env(opt ? opt->engine : LUDIC_ENGINE_AUTO);
	if (opt && opt->cache_dir) {
		e->cache_dir = strdup(opt->cache_dir);
		if (!e->cache_dir)
			return false;
	}
	e->nopt.cache_dir = e->cache_dir;
	e->nopt.no_cache = opt && opt->no_cache;
	if (e->kind == LUDIC_ENGINE_INTERP)
		return true;
	if (e->kind == LUDIC_ENGINE_AUTO && !rt_native_available())
		return true; /* the interpreter, silently: a build without a native back end */
	if (e->kind == LUDIC_ENGINE_NATIVE) {
		use_native(e, rt_native_load(e->rp, &e->nopt, &e->ninfo));
		return true;
	}
	atomic_init(&e->compiled, false);
	atomic_init(&e->ready, NULL);
	if (pthread_create(&e->compiler, NULL, compile_thread, e) != 0) {
		snprintf(e->note, sizeof e->note,
			 "the background compile could not start (no thread); running on the interpreter");
		return true;
	}
	e->compiling = true;
	return true;
}

void ludic_engine_wait_native(ludic_engine *e)
{
	if (e && e->compiling)
		take_compiled(e);
}

void ludic_engine_info_get(ludic_engine *e, ludic_engine_info *out)
{
	memset(out, 0, sizeof *out);
	if (!e)
		return;
	tier_check(e);
	out->requested = e->kind;
	out->native = e->x.native != NULL;
	out->compiling = e->compiling;
	out->interp_events = e->interp_events;
	out->native_events = e->native_events;
	if (!e->compiling) {
		out->compile_ms = e->ninfo.ms;
		out->from_cache = e->native && e->ninfo.from_cache;
	}
	out->note = e->note[0] ? e->note : NULL;
	if (!e->compiling && e->ninfo.warning[0])
		out->cache_note = e->ninfo.warning;
}

/* ---- creating and freeing ---- */

static void batch_free(struct rt_batch *b);

ludic_engine *rt_engine_new(const ludic_program *p, const ludic_engine_options *opt)
{
	ludic_engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->p = p;
	e->rp = p->rp;
	if (opt)
		e->opt = *opt;
	e->state_size = rt_program_state_size(e->rp);
	e->staff_size = rt_program_staff_size(e->rp);
	e->nexp = rt_program_experiment_count(e->rp);
	e->lateness = rt_program_lateness(e->rp);
	if (e->lateness < 0)
		e->lateness = 0;
	e->var_off = sizeof(cust);
	e->state_off = (e->var_off + e->nexp * sizeof(uint16_t) + 15) & ~(size_t)15;
	pool_init(&e->cpool, e->state_off + e->state_size);
	pool_init(&e->spool, ((sizeof(rec_head) + 15) & ~(size_t)15) + e->staff_size);
	e->advanced = INT64_MIN;
	e->now = INT64_MIN;
	uint32_t nb = rt_program_budget_count(e->rp);
	e->budgets = calloc(nb ? nb : 1, sizeof *e->budgets);
	e->scratch = calloc(1, e->state_size ? e->state_size : 1);
	e->scratch_variants = calloc(e->nexp ? e->nexp : 1, sizeof *e->scratch_variants);
	e->anon_variants = calloc(e->nexp ? e->nexp : 1, sizeof *e->anon_variants);
	e->dec = rt_decoder_new(p->schema);
	if (!e->budgets || !e->scratch || !e->scratch_variants || !e->anon_variants || !e->dec) {
		rt_engine_free(e);
		return NULL;
	}
	for (uint32_t i = 0; i < nb; i++)
		e->budgets[i] = rt_program_budget(e->rp, i);
	for (uint32_t i = 0; i < e->nexp; i++)
		e->anon_variants[i] = rt_program_variant(e->rp, i, (rt_str){"", 0});
	e->x.prog = e->rp;
	e->x.budgets = e->budgets;
	e->x.staff_state = staff_state;
	e->x.emit = emit;
	e->x.user = e;
	if (!native_start(e, opt)) {
		rt_engine_free(e);
		return NULL;
	}
	return e;
}

void rt_engine_free(ludic_engine *e)
{
	if (!e)
		return;
	if (e->compiling) {
		pthread_join(e->compiler, NULL);
		e->native = atomic_load_explicit(&e->ready, memory_order_acquire);
	}
	rt_native_free(e->native);
	free(e->cache_dir);
	for (slab *s = e->cpool.first; s; s = s->next)
		for (uint32_t i = 0; i < s->used; i++)
			free(((cust *)(s->data + e->cpool.rec_size * i))->spill);
	pool_free(&e->cpool);
	pool_free(&e->spool);
	for (idchunk *c = e->ids, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(e->custs.e);
	free(e->staff.e);
	free(e->budgets);
	free(e->scratch);
	free(e->scratch_variants);
	free(e->anon_variants);
	rt_decoder_free(e->dec);
	batch_free(e->batch);
	rt_fx_scratch_free(&e->fx);
	free(e->view_buf);
	free(e->text);
	free(e);
}

/* ---- customers ---- */

static cust *cust_find(ludic_engine *e, uint64_t h, const char *id, uint32_t len)
{
	return (cust *)tab_find(&e->custs, h, id, len);
}

static cust *cust_new(ludic_engine *e, uint64_t h, const char *id, uint32_t len)
{
	if (!tab_reserve(&e->custs))
		return NULL;
	cust *c = pool_alloc(&e->cpool);
	if (!c)
		return NULL;
	if (len < CUST_ID_INLINE) {
		memcpy(c->id_buf, id, len);
		c->id_buf[len] = '\0';
		c->h.id = c->id_buf;
	} else {
		c->h.id = id_copy(e, id, len);
	}
	if (!c->h.id) {
		e->cpool.last->used--;
		return NULL;
	}
	c->h.id_len = len;
	c->last_at = INT64_MIN;
	c->last_day = INT64_MIN;
	for (int i = 0; i < RT_DUP_INLINE; i++)
		c->dup_at[i] = INT64_MIN;
	uint16_t *v = cust_variants(e, c);
	for (uint32_t i = 0; i < e->nexp; i++)
		v[i] = rt_program_variant(e->rp, i, (rt_str){c->h.id, len});
	rt_state_init(e->rp, cust_state(e, c));
	tab_insert(&e->custs, h, &c->h);
	e->st.customers++;
	return c;
}

/* ---- duplicates ---- */

static bool dup_seen(const cust *c, uint64_t h)
{
	for (int i = 0; i < RT_DUP_INLINE; i++)
		if (c->dup_h[i] == h)
			return true;
	if (c->spill)
		for (uint32_t i = 0; i < c->spill->n; i++)
			if (c->spill->e[i].h == h)
				return true;
	return false;
}

/* Remembers event id hash `h` at time `at`. Entries older than `floor`
 * (the customer's latest time minus the lateness) may be forgotten: a copy
 * of such an event is too late anyway. */
static void dup_add(ludic_engine *e, cust *c, uint64_t h, int64_t at, int64_t floor)
{
	int oldest = 0;
	for (int i = 1; i < RT_DUP_INLINE; i++)
		if (c->dup_at[i] < c->dup_at[oldest])
			oldest = i;
	if (c->spill) {
		/* forget what has become too old, and move one back inline */
		dup_spill *s = c->spill;
		uint32_t k = 0;
		for (uint32_t i = 0; i < s->n; i++)
			if (s->e[i].at >= floor)
				s->e[k++] = s->e[i];
		s->n = k;
		if (s->n && c->dup_at[oldest] < floor) {
			s->n--;
			c->dup_h[oldest] = s->e[s->n].h;
			c->dup_at[oldest] = s->e[s->n].at;
			oldest = 0;
			for (int i = 1; i < RT_DUP_INLINE; i++)
				if (c->dup_at[i] < c->dup_at[oldest])
					oldest = i;
		}
	}
	if (c->dup_h[oldest] == 0 || c->dup_at[oldest] < floor) {
		c->dup_h[oldest] = h;
		c->dup_at[oldest] = at;
		return;
	}
	/* every inline entry is still needed: spill */
	dup_spill *s = c->spill;
	if (!s || s->n == s->cap) {
		uint32_t old = s ? s->cap : 0;
		uint32_t cap = old ? old * 2 : 8;
		dup_spill *n = realloc(s, sizeof *n + cap * sizeof n->e[0]);
		if (!n) {
			/* out of memory: forget the oldest instead (the guarantee then
			 * falls back to "the last RT_DUP_INLINE ids") */
			c->dup_h[oldest] = h;
			c->dup_at[oldest] = at;
			return;
		}
		e->spill_bytes += (cap - old) * sizeof n->e[0] + (old ? 0 : sizeof *n);
		if (!old)
			n->n = 0;
		n->cap = cap;
		c->spill = s = n;
	}
	s->e[s->n].h = h;
	s->e[s->n].at = at;
	s->n++;
}

/* ---- days ---- */

static int64_t local_day(ludic_engine *e, int64_t t)
{
	if (t >= e->day_lo && t < e->day_hi)
		return e->day;
	int64_t d = rt_program_day(e->rp, t);
	const clk_zone *z = rt_program_zone(e->rp);
	int64_t lo = clk_period_start(z, CLK_DAY, d), hi = clk_period_start(z, CLK_DAY, d + 1);
	if (lo <= t && t < hi) {
		e->day_lo = lo;
		e->day_hi = hi;
		e->day = d;
	}
	return d;
}

/* ---- rejects ---- */

static const char *text_copy(ludic_engine *e, const char *s, size_t len)
{
	if (len + 1 > e->text_cap) {
		size_t cap = len + 1 < 256 ? 256 : len + 1;
		char *t = realloc(e->text, cap);
		if (!t)
			return NULL;
		e->text = t;
		e->text_cap = cap;
	}
	memcpy(e->text, s, len);
	e->text[len] = '\0';
	return e->text;
}

static int reject(ludic_engine *e, unsigned long long line, unsigned column, const char *code, const char *field,
		  const char *message, rt_str event_id)
{
	e->st.rejected++;
	if (e->opt.on_reject) {
		ludic_reject r = {
			.line = line,
			.column = column,
			.code = code,
			.field = field,
			.message = message,
			.event_id = event_id.p && event_id.len ? text_copy(e, event_id.p, event_id.len) : NULL,
		};
		e->opt.on_reject(e->opt.reject_user, &r);
	}
	return LUDIC_REJECTED;
}

/* "3 hours", "2 days": `late` seconds rounded up to what `allow late events
 * up to` would need. */
static void lateness_needed(int64_t late, char *buf, size_t cap)
{
	int64_t unit = late <= 48 * 3600 ? 3600 : 86400;
	int64_t k = (late + unit - 1) / unit;
	rt_format_duration(k * unit, buf, cap);
}

static void format_at(const ludic_engine *e, int64_t t, char buf[32])
{
	if (!clk_format_rfc3339(t, clk_zone_offset(rt_program_zone(e->rp), t), buf))
		snprintf(buf, 32, "%" PRId64, t);
}

static int reject_too_late(ludic_engine *e, const cust *c, int64_t at, rt_str id, unsigned long long line)
{
	char when[32], latest[32], allowed[48], need[48];
	format_at(e, at, when);
	format_at(e, c->last_at, latest);
	lateness_needed(c->last_at - at, need, sizeof need);
	if (e->lateness > 0) {
		rt_format_duration(e->lateness, allowed, sizeof allowed);
		snprintf(e->msg, sizeof e->msg,
			 "the event happened at %s, but customer \"%s\" already has an event at %s, and the program "
			 "accepts events late by at most %s: to accept it, write `allow late events up to %s` in the "
			 "program",
			 when, c->h.id, latest, allowed, need);
	} else {
		snprintf(e->msg, sizeof e->msg,
			 "the event happened at %s, but customer \"%s\" already has an event at %s, and the program "
			 "accepts no late events: send each customer's events in time order, or write `allow late "
			 "events up to %s` in the program",
			 when, c->h.id, latest, need);
	}
	return reject(e, line, 0, "too-late", "at", e->msg, id);
}

static int reject_internal(ludic_engine *e, rt_str id, unsigned long long line)
{
	set_error(e, "the program failed on an event (an internal error): the event was not applied");
	return reject(e, line, 0, "internal",  NULL,
		      "the program failed on this event (an internal error in ludic, please report it): the event was "
		      "not applied",
		      id);
}

/* ---- the push path ---- */

static inline void prefetch_lines(const void *p, size_t bytes)
{
#if defined(__GNUC__)
	for (size_t off = 0; off < bytes; off += 64)
		__builtin_prefetch((const char *)p + off);
#else
	(void)p;
	(void)bytes;
#endif
}

/* Applies one decoded event whose customer id hashes to `h` (unused for an
 * anonymous event). */
static int apply(ludic_engine *e, const rt_event *ev, unsigned long long line_no, uint64_t h)
{
	tier_check(e);
	e->st.events++;
	const rt_value *v = ev->values;
	rt_str id = rt_field(v, RT_FIELD_ID)->s;
	int64_t at = rt_field(v, RT_FIELD_AT)->i;
	if (at > e->now)
		e->now = at;
	if (!rt_present(v, RT_FIELD_CUSTOMER)) {
		/* anonymous: nobody's record; the program runs only quests */
		rt_state_init(e->rp, e->scratch);
		e->x.state = e->scratch;
		e->x.customer = (rt_str){"", 0};
		e->x.variants = e->cur_variants = e->anon_variants;
		if (rt_exec_event(&e->x, ev) != 0)
			return reject_internal(e, id, line_no);
		e->st.anonymous++;
		return LUDIC_ANONYMOUS;
	}
	rt_str cid = rt_field(v, RT_FIELD_CUSTOMER)->s;
	cust *c = cust_find(e, h, cid.p, cid.len);
	if (!c) {
		c = cust_new(e, h, cid.p, cid.len);
		if (!c) {
			set_error(e, "out of memory: a new customer could not be added");
			return reject(e, line_no, 0, "nomem", "customer",
				      "out of memory: the customer could not be added; the event was not applied, retry it",
				      id);
		}
	}
	/* The record is a few KB read here and there by the program: ask for
	 * all of it now, so that its cache misses overlap instead of coming one
	 * after the other as the routine reaches each field. */
	prefetch_lines(c, e->cpool.rec_size);
	if (c->last_at != INT64_MIN && at < c->last_at - e->lateness)
		return reject_too_late(e, c, at, id, line_no);
	uint64_t eh = rt_hash_bytes(id.p, id.len);
	if (dup_seen(c, eh)) {
		e->st.duplicates++;
		return LUDIC_DUPLICATE;
	}
	e->x.state = cust_state(e, c);
	e->x.customer = (rt_str){c->h.id, c->h.id_len};
	e->x.variants = e->cur_variants = cust_variants(e, c);
	int64_t day = local_day(e, at);
	if (day > c->last_day) {
		rt_exec_days(&e->x, day, at);
		c->last_day = day;
	}
	if (rt_exec_event(&e->x, ev) != 0)
		return reject_internal(e, id, line_no);
	if (at > c->last_at)
		c->last_at = at;
	dup_add(e, c, eh, at, c->last_at - e->lateness);
	e->st.applied++;
	if (e->x.native)
		e->native_events++;
	else
		e->interp_events++;
	return LUDIC_APPLIED;
}

/* The hash of an event's customer id; 0 for an anonymous event. */
static inline uint64_t customer_hash(const rt_event *ev)
{
	if (!rt_present(ev->values, RT_FIELD_CUSTOMER))
		return 0;
	rt_str cid = rt_field(ev->values, RT_FIELD_CUSTOMER)->s;
	return rt_hash_bytes(cid.p, cid.len);
}

int rt_engine_apply(ludic_engine *e, const rt_event *ev, unsigned long long line_no)
{
	return apply(e, ev, line_no, customer_hash(ev));
}

static int reject_decoded(ludic_engine *e, const rt_reject *why, unsigned long long line_no)
{
	e->st.events++;
	return reject(e, line_no, why->column, rt_reject_code_name(why->code), why->field, why->message, (rt_str){0});
}

int rt_engine_push_json(ludic_engine *e, const char *line, size_t len, unsigned long long line_no)
{
	rt_event ev;
	rt_reject why;
	switch (rt_decode_json(e->dec, line, len, &ev, &why)) {
	case RT_DECODE_OK: return rt_engine_apply(e, &ev, line_no);
	case RT_DECODE_EMPTY: return LUDIC_BLANK;
	case RT_DECODE_REJECT:
	case RT_DECODE_NOMEM: break;
	}
	return reject_decoded(e, &why, line_no);
}

static int reject_typed(ludic_engine *e, const rt_reject *why, const ludic_event *lev)
{
	e->st.events++;
	return reject(e, 0, 0, rt_reject_code_name(why->code), why->field, why->message, rt_event_id(lev));
}

int rt_engine_push_typed(ludic_engine *e, ludic_event *lev)
{
	rt_event ev;
	rt_reject why;
	if (rt_event_finish(lev, &ev, &why) == RT_DECODE_OK)
		return rt_engine_apply(e, &ev, 0);
	return reject_typed(e, &why, lev);
}

/* ---- batches ----
 *
 * A batch is a pipeline over a ring of prepared events. At step k:
 *
 *   prepare event k: decode it (JSON: each ring slot has its own decoder,
 *     so an event stays valid until its slot comes round again) or finish
 *     it (typed), hash its customer id, prefetch the table slot;
 *   event k - AHEAD/2: probe the table (its slot is in cache by now) and
 *     prefetch the first lines of the customer's block (the header the
 *     lookup and the duplicate check read; the record itself is asked for
 *     when the event is applied, as one push does: fetching all of it this
 *     early, for several events, measured slower);
 *   apply event k - AHEAD, exactly as one push does.
 *
 * Preparing has no effect on the engine (decoding and finishing read only
 * the event and the schema) and the probes only prefetch, so the engine
 * sees the same calls in the same order as one push per event: new
 * customers are made, rejects reported and callbacks called as then. */

/* How far ahead, in events. Typed events are cheap to prepare, so the
 * fetches need several events to overlap; a JSON line takes long enough to
 * decode that two are enough. Measured with bench/batch_bench.c (typed: 4
 * and 16 were no better than 8; JSON: 4 no better than 2). PREFETCH_AHEAD_BYTES: the block's header
 * (id, times, duplicate ring) and the first bytes after it. */
#define AHEAD_TYPED 8
#define PREFETCH_AHEAD_BYTES 256
#define AHEAD_JSON 2
#define RING_TYPED (AHEAD_TYPED + 1)
#define RING_JSON (AHEAD_JSON + 1)

/* What a prepared slot holds. */
enum {
	PREP_EVENT,      /* ev is ready to apply; h is its customer's hash */
	PREP_BLANK,      /* a blank line */
	PREP_REJECT,     /* the decoder or the typed checks refused it (why) */
	PREP_NULL,       /* a NULL argument: -1 */
	PREP_NOT_READY,  /* a typed event without a type: -1 */
	PREP_OTHER,      /* a typed event of another program: -1 */
};

typedef struct prep {
	int what;        /* PREP_* */
	rt_event ev;
	uint64_t h;      /* customer id hash; 0: anonymous (or no event) */
} prep;

struct rt_batch {
	prep typed[RING_TYPED];
	prep json[RING_JSON];
	rt_decoder *dec[RING_JSON];
	rt_reject why[RING_JSON];
};

static void batch_free(struct rt_batch *b)
{
	if (!b)
		return;
	for (int i = 0; i < RING_JSON; i++)
		rt_decoder_free(b->dec[i]);
	free(b);
}

/* The batch rings, made at the first batch; NULL if out of memory. */
static struct rt_batch *batch_get(ludic_engine *e)
{
	if (e->batch)
		return e->batch;
	struct rt_batch *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	for (int i = 0; i < RING_JSON; i++) {
		if (!(b->dec[i] = rt_decoder_new(e->p->schema))) {
			batch_free(b);
			return NULL;
		}
	}
	return e->batch = b;
}

/* Step one: a prepared event's customer's table slot, toward the cache. */
static inline void prefetch_slot(const ludic_engine *e, uint64_t h)
{
#if defined(__GNUC__)
	if (h && e->custs.e)
		__builtin_prefetch(&e->custs.e[(uint32_t)h & e->custs.mask]);
#else
	(void)e;
	(void)h;
#endif
}

/* Step two: the block of the customer whose hash is `h`, if known (the
 * first entry of that hash: a different id with the same hash only costs a
 * useless prefetch). */
static inline void prefetch_block(const ludic_engine *e, uint64_t h)
{
	const table *t = &e->custs;
	if (!h || !t->e)
		return;
	for (uint32_t i = (uint32_t)h & t->mask;; i = (i + 1) & t->mask) {
		const tab_ent *x = &t->e[i];
		if (!x->r)
			return;
		if (x->h == h) {
			prefetch_lines(x->r, PREFETCH_AHEAD_BYTES);
			return;
		}
	}
}

static void prepare_typed(ludic_engine *e, prep *p, const ludic_event *ev, rt_reject *why)
{
	p->h = 0;
	if (!ev) {
		p->what = PREP_NULL;
		return;
	}
	if (!rt_event_ready(ev)) {
		p->what = PREP_NOT_READY;
		return;
	}
	if (rt_event_program(ev) != e->p) {
		p->what = PREP_OTHER;
		return;
	}
	/* finishing only sets the event's own list pointers (engine.h) */
	if (rt_event_finish((ludic_event *)ev, &p->ev, why) != RT_DECODE_OK) {
		p->what = PREP_REJECT;
		return;
	}
	p->what = PREP_EVENT;
	p->h = customer_hash(&p->ev);
	prefetch_slot(e, p->h);
}

static int apply_typed(ludic_engine *e, const prep *p, const ludic_event *lev)
{
	switch (p->what) {
	case PREP_NULL:
		set_error(e, "ludic_engine_push_batch was given a NULL event pointer in its array");
		return -1;
	case PREP_EVENT: return apply(e, &p->ev, 0, p->h);
	case PREP_NOT_READY:
		set_error(e, "ludic_engine_push_batch was given an event without a type: call ludic_event_reset first");
		return -1;
	case PREP_OTHER:
		set_error(e, "ludic_engine_push_batch was given an event made for another program (ludic_event_new)");
		return -1;
	case PREP_REJECT: {
		/* the reason again (finishing is repeatable), rather than keep
		 * a message per slot */
		rt_reject why;
		rt_event ev;
		rt_event_finish((ludic_event *)lev, &ev, &why);
		return reject_typed(e, &why, lev);
	}
	default: return -1;
	}
}

static void prepare_json(ludic_engine *e, prep *p, rt_decoder *d, const ludic_line *l, rt_reject *why)
{
	p->h = 0;
	if (!l->text && l->len) {
		p->what = PREP_NULL;
		return;
	}
	switch (rt_decode_json(d, l->text ? l->text : "", l->len, &p->ev, why)) {
	case RT_DECODE_OK:
		p->what = PREP_EVENT;
		p->h = customer_hash(&p->ev);
		prefetch_slot(e, p->h);
		return;
	case RT_DECODE_EMPTY: p->what = PREP_BLANK; return;
	case RT_DECODE_REJECT:
	case RT_DECODE_NOMEM: p->what = PREP_REJECT; return;
	}
}

static int apply_json(ludic_engine *e, const prep *p, const rt_reject *why, unsigned long long line_no)
{
	switch (p->what) {
	case PREP_EVENT: return apply(e, &p->ev, line_no, p->h);
	case PREP_BLANK: return LUDIC_BLANK;
	case PREP_REJECT: return reject_decoded(e, why, line_no);
	case PREP_NULL:
		set_error(e, "ludic_engine_push_json_batch was given a line whose text is NULL but whose length is not 0");
		return -1;
	default: return -1;
	}
}

static void batch_typed(ludic_engine *e, struct rt_batch *b, const ludic_event *const *evs, size_t n, int *results)
{
	rt_reject why; /* a typed reject's reason is made again when it is applied */
	size_t total = n + AHEAD_TYPED;
	for (size_t k = 0, in = 0, mid = (RING_TYPED - AHEAD_TYPED / 2) % RING_TYPED, out = 1; k < total; k++) {
		/* in: slot of event k; mid: of k - AHEAD/2; out: of k - AHEAD */
		if (k < n)
			prepare_typed(e, &b->typed[in], evs[k], &why);
		if (k >= AHEAD_TYPED / 2 && k - AHEAD_TYPED / 2 < n)
			prefetch_block(e, b->typed[mid].h);
		if (k >= AHEAD_TYPED) {
			size_t i = k - AHEAD_TYPED;
			int r = apply_typed(e, &b->typed[out], evs[i]);
			if (results)
				results[i] = r;
		}
		in = in + 1 == RING_TYPED ? 0 : in + 1;
		mid = mid + 1 == RING_TYPED ? 0 : mid + 1;
		out = out + 1 == RING_TYPED ? 0 : out + 1;
	}
}

static void batch_json(ludic_engine *e, struct rt_batch *b, const ludic_line *lines, size_t n, int *results)
{
	size_t total = n + AHEAD_JSON;
	for (size_t k = 0, in = 0, mid = (RING_JSON - AHEAD_JSON / 2) % RING_JSON, out = 1; k < total; k++) {
		if (k < n)
			prepare_json(e, &b->json[in], b->dec[in], &lines[k], &b->why[in]);
		if (k >= AHEAD_JSON / 2 && k - AHEAD_JSON / 2 < n)
			prefetch_block(e, b->json[mid].h);
		if (k >= AHEAD_JSON) {
			size_t i = k - AHEAD_JSON;
			int r = apply_json(e, &b->json[out], &b->why[out], lines[i].line_no);
			if (results)
				results[i] = r;
		}
		in = in + 1 == RING_JSON ? 0 : in + 1;
		mid = mid + 1 == RING_JSON ? 0 : mid + 1;
		out = out + 1 == RING_JSON ? 0 : out + 1;
	}
}

/* ---- time passing ---- */

/* Days pass for every staff member too (their wallets' expiry and pending
 * release), after the customers, in the order staff members first appeared. */
static void advance_staff(ludic_engine *e, int64_t day, int64_t t)
{
	if (!e->staff_size)
		return;
	for (slab *s = e->spool.first; s; s = s->next) {
		for (uint32_t i = 0; i < s->used; i++) {
			rec_head *r = (rec_head *)(s->data + e->spool.rec_size * i);
			rt_exec_staff_days(&e->x, staff_rec_state(r), (rt_str){r->id, r->id_len}, day, t);
		}
	}
}

ludic_status rt_engine_advance(ludic_engine *e, int64_t t)
{
	tier_check(e);
	if (t < CLK_TIME_MIN)
		t = CLK_TIME_MIN;
	if (t > CLK_TIME_MAX)
		t = CLK_TIME_MAX;
	if (t <= e->advanced)
		return LUDIC_OK;
	e->advanced = t;
	if (t > e->now)
		e->now = t;
	int64_t day = local_day(e, t);
	for (slab *s = e->cpool.first; s; s = s->next) {
		for (uint32_t i = 0; i < s->used; i++) {
			cust *c = (cust *)(s->data + e->cpool.rec_size * i);
			if (c->last_day >= day)
				continue;
			e->x.state = cust_state(e, c);
			e->x.customer = (rt_str){c->h.id, c->h.id_len};
			e->x.variants = e->cur_variants = cust_variants(e, c);
			rt_exec_days(&e->x, day, t);
			c->last_day = day;
		}
	}
	advance_staff(e, day, t);
	return LUDIC_OK;
}

/* ---- reading ---- */

int rt_engine_each_record(ludic_engine *e, rt_record_fn fn, void *user)
{
	for (slab *s = e->cpool.first; s; s = s->next) {
		for (uint32_t i = 0; i < s->used; i++) {
			cust *c = (cust *)(s->data + e->cpool.rec_size * i);
			int rc = fn(user, false, (rt_str){c->h.id, c->h.id_len}, cust_state(e, c), e->state_size);
			if (rc)
				return rc;
		}
	}
	return rt_engine_each_staff(e, fn, user);
}

void rt_engine_stats(const ludic_engine *e, ludic_engine_stats *out)
{
	*out = e->st;
	out->state_bytes = e->cpool.bytes + e->spool.bytes + e->id_bytes + e->spill_bytes +
			   ((size_t)e->custs.mask + (e->custs.e ? 1 : 0)) * sizeof(tab_ent) +
			   ((size_t)e->staff.mask + (e->staff.e ? 1 : 0)) * sizeof(tab_ent);
}

ludic_status rt_engine_customer(ludic_engine *e, const char *id, size_t len, ludic_customer_view *out)
{
	if (len >= UINT32_MAX)
		return LUDIC_ERR_USAGE;
	uint64_t h = rt_hash_bytes(id, len);
	cust *c = cust_find(e, h, id, (uint32_t)len);
	const uint8_t *state;
	const uint16_t *variants;
	if (c) {
		state = cust_state(e, c);
		variants = cust_variants(e, c);
	} else {
		rt_state_init(e->rp, e->scratch);
		for (uint32_t i = 0; i < e->nexp; i++)
			e->scratch_variants[i] = rt_program_variant(e->rp, i, (rt_str){id, (uint32_t)len});
		state = e->scratch;
		variants = e->scratch_variants;
	}
	int64_t now = e->now == INT64_MIN ? 0 : e->now;
	size_t need = rt_state_view(e->rp, state, now, variants, out, e->view_buf, e->view_cap);
	if (need > e->view_cap) {
		size_t cap = (need + 4095) & ~(size_t)4095;
		void *b = malloc(cap); /* malloc's alignment is at least 8 */
		if (!b) {
			set_error(e, "out of memory: the customer's view could not be made");
			return LUDIC_ERR_MEMORY;
		}
		free(e->view_buf);
		e->view_buf = b;
		e->view_cap = cap;
		need = rt_state_view(e->rp, state, now, variants, out, e->view_buf, e->view_cap);
		if (need > e->view_cap)
			return LUDIC_ERR_USAGE;
	}
	out->id = text_copy(e, id, len);
	if (!out->id)
		out->id = "";
	out->known = c != NULL;
	out->last_event_at = c && c->last_at != INT64_MIN ? c->last_at : 0;
	return LUDIC_OK;
}

const char *rt_engine_error(const ludic_engine *e)
{
	return e->err;
}

/* ---- the public functions (arguments checked here) ---- */

ludic_status ludic_engine_new(const ludic_program *p, const ludic_engine_options *opt, ludic_engine **out)
{
	if (out)
		*out = NULL;
	if (!p || !out)
		return LUDIC_ERR_USAGE;
	*out = rt_engine_new(p, opt);
	return *out ? LUDIC_OK : LUDIC_ERR_MEMORY;
}

void ludic_engine_free(ludic_engine *e)
{
	if (e && !e->busy)
		rt_engine_free(e);
}

int ludic_engine_push_json(ludic_engine *e, const char *line, size_t len, unsigned long long line_no)
{
	if (!e || (!line && len))
		return -1;
	if (e->busy) {
		set_error(e, "ludic_engine_push_json was called from an effect or reject callback of the same engine");
		return -1;
	}
	e->busy = true;
	int r = rt_engine_push_json(e, line ? line : "", len, line_no);
	e->busy = false;
	return r;
}

int ludic_engine_push(ludic_engine *e, const ludic_event *ev)
{
	if (!e || !ev)
		return -1;
	if (!rt_event_ready(ev)) {
		set_error(e, "ludic_engine_push was given an event without a type: call ludic_event_reset first");
		return -1;
	}
	if (rt_event_program(ev) != e->p) {
		set_error(e, "ludic_engine_push was given an event made for another program (ludic_event_new)");
		return -1;
	}
	if (e->busy) {
		set_error(e, "ludic_engine_push was called from an effect or reject callback of the same engine");
		return -1;
	}
	e->busy = true;
	/* finishing only sets the event's own list pointers (engine.h): the
	 * caller's event is not changed in what it says */
	int r = rt_engine_push_typed(e, (ludic_event *)ev);
	e->busy = false;
	return r;
}

int ludic_engine_push_batch(ludic_engine *e, const ludic_event *const *evs, size_t n, int *results)
{
	if (!e || (!evs && n))
		return -1;
	if (e->busy) {
		set_error(e, "ludic_engine_push_batch was called from an effect or reject callback of the same engine");
		return -1;
	}
	struct rt_batch *b = batch_get(e);
	if (!b) {
		/* no memory for the rings: one push per event does the same */
		for (size_t i = 0; i < n; i++) {
			int r = ludic_engine_push(e, evs[i]);
			if (results)
				results[i] = r;
		}
		return 0;
	}
	e->busy = true;
	batch_typed(e, b, evs, n, results);
	e->busy = false;
	return 0;
}

int ludic_engine_push_json_batch(ludic_engine *e, const ludic_line *lines, size_t n, int *results)
{
	if (!e || (!lines && n))
		return -1;
	if (e->busy) {
		set_error(e, "ludic_engine_push_json_batch was called from an effect or reject callback of the same engine");
		return -1;
	}
	struct rt_batch *b = batch_get(e);
	if (!b) {
		for (size_t i = 0; i < n; i++) {
			int r = ludic_engine_push_json(e, lines[i].text, lines[i].len, lines[i].line_no);
			if (results)
				results[i] = r;
		}
		return 0;
	}
	e->busy = true;
	batch_json(e, b, lines, n, results);
	e->busy = false;
	return 0;
}

ludic_status ludic_engine_advance(ludic_engine *e, long long t)
{
	if (!e)
		return LUDIC_ERR_USAGE;
	if (e->busy) {
		set_error(e, "ludic_engine_advance was called from an effect or reject callback of the same engine");
		return LUDIC_ERR_USAGE;
	}
	e->busy = true;
	ludic_status s = rt_engine_advance(e, t);
	e->busy = false;
	return s;
}

void ludic_engine_stats_get(const ludic_engine *e, ludic_engine_stats *out)
{
	if (!out)
		return;
	if (!e) {
		memset(out, 0, sizeof *out);
		return;
	}
	rt_engine_stats(e, out);
}

ludic_status ludic_engine_customer(ludic_engine *e, const char *id, size_t len, ludic_customer_view *out)
{
	if (!e || !out || (!id && len))
		return LUDIC_ERR_USAGE;
	if (e->busy) {
		set_error(e, "ludic_engine_customer was called from an effect or reject callback of the same engine");
		return LUDIC_ERR_USAGE;
	}
	return rt_engine_customer(e, id ? id : "", len, out);
}

const char *ludic_engine_error(const ludic_engine *e)
{
	return e ? e->err : "";
}

/* ---- persistence (store.c) ----
 *
 * What runtime/store.c needs to save an engine and to rebuild it exactly:
 * every customer block (the engine's header: latest time, last day run,
 * the duplicate ring and its spill; then the program's record), the staff
 * records, the campaign budgets and the clock (`now`, `advanced`). The
 * variants are not saved: they are a function of the id and the program.
 * Nothing here is on the push path: the store pushes through
 * rt_engine_push_json_touch, which is rt_engine_push_json plus a lookup of
 * the customer the event concerned. */

/* The saved form of a customer's header, before the record (host order:
 * a store is read by the machine kind that wrote it, docs/operations.md). */
typedef struct saved_cust {
	int64_t last_at, last_day;
	uint64_t dup_h[RT_DUP_INLINE];
	int64_t dup_at[RT_DUP_INLINE];
	uint32_t nspill;                  /* entries of the spill that follow (h, at) */
	uint32_t pad;
} saved_cust;

int rt_engine_push_json_touch(ludic_engine *e, const char *line, size_t len, unsigned long long line_no,
			      rt_cust **touched)
{
	*touched = NULL;
	rt_event ev;
	rt_reject why;
	switch (rt_decode_json(e->dec, line, len, &ev, &why)) {
	case RT_DECODE_OK: break;
	case RT_DECODE_EMPTY: return LUDIC_BLANK;
	case RT_DECODE_REJECT:
	case RT_DECODE_NOMEM:
		e->st.events++;
		return reject(e, line_no, why.column, rt_reject_code_name(why.code), why.field, why.message,
			      (rt_str){0});
	}
	int r = rt_engine_apply(e, &ev, line_no);
	/* an applied event with a customer ran on that customer's record: the
	 * block is found back from it, without a second lookup */
	if (r == LUDIC_APPLIED && rt_present(ev.values, RT_FIELD_CUSTOMER))
		*touched = (rt_cust *)(e->x.state - e->state_off);
	return r;
}

rt_str rt_engine_cust_id(const rt_cust *c)
{
	const cust *k = (const cust *)c;
	return (rt_str){k->h.id, k->h.id_len};
}

int rt_engine_each_cust(ludic_engine *e, size_t first, int (*fn)(void *user, rt_cust *c), void *user)
{
	for (slab *s = e->cpool.first; s; s = s->next) {
		if (first >= s->used) {
			first -= s->used;
			continue;
		}
		for (uint32_t i = (uint32_t)first; i < s->used; i++) {
			int rc = fn(user, (rt_cust *)(s->data + e->cpool.rec_size * i));
			if (rc)
				return rc;
		}
		first = 0;
	}
	return 0;
}

size_t rt_engine_cust_save(const ludic_engine *e, const rt_cust *c, uint8_t *buf, size_t cap)
{
	const cust *k = (const cust *)c;
	saved_cust h = {.last_at = k->last_at, .last_day = k->last_day, .nspill = k->spill ? k->spill->n : 0};
	memcpy(h.dup_h, k->dup_h, sizeof h.dup_h);
	memcpy(h.dup_at, k->dup_at, sizeof h.dup_at);
	size_t spill = (size_t)h.nspill * sizeof k->spill->e[0];
	size_t need = sizeof h + spill + e->state_size;
	if (need > cap)
		return need;
	memcpy(buf, &h, sizeof h);
	if (spill)
		memcpy(buf + sizeof h, k->spill->e, spill);
	memcpy(buf + sizeof h + spill, cust_state((ludic_engine *)e, (cust *)k), e->state_size);
	return need;
}

size_t rt_engine_cust_header_size(const uint8_t *buf, size_t n)
{
	saved_cust h;
	if (n < sizeof h)
		return 0;
	memcpy(&h, buf, sizeof h);
	size_t spill = (size_t)h.nspill * sizeof((dup_spill *)0)->e[0];
	if (h.nspill > (1u << 24) || n < sizeof h + spill)
		return 0;
	return sizeof h + spill;
}

int rt_engine_cust_load(ludic_engine *e, rt_str id, const uint8_t *buf, size_t n)
{
	size_t hs = rt_engine_cust_header_size(buf, n);
	if (!hs || n - hs != e->state_size)
		return -1;
	uint64_t hash = rt_hash_bytes(id.p, id.len);
	if (cust_find(e, hash, id.p, id.len))
		return -1;
	cust *c = cust_new(e, hash, id.p, id.len);
	if (!c)
		return -2;
	saved_cust h;
	memcpy(&h, buf, sizeof h);
	c->last_at = h.last_at;
	c->last_day = h.last_day;
	memcpy(c->dup_h, h.dup_h, sizeof h.dup_h);
	memcpy(c->dup_at, h.dup_at, sizeof h.dup_at);
	if (h.nspill) {
		dup_spill *s = malloc(sizeof *s + h.nspill * sizeof s->e[0]);
		if (!s)
			return -2;
		s->n = s->cap = h.nspill;
		memcpy(s->e, buf + sizeof h, h.nspill * sizeof s->e[0]);
		c->spill = s;
		e->spill_bytes += sizeof *s + h.nspill * sizeof s->e[0];
	}
	memcpy(cust_state(e, c), buf + hs, e->state_size);
	return 0;
}

int rt_engine_staff_load(ludic_engine *e, rt_str id, const uint8_t *rec, size_t n)
{
	if (n != e->staff_size || !e->staff_size)
		return -1;
	uint8_t *s = staff_state(e, id);
	if (!s)
		return -2;
	memcpy(s, rec, n);
	return 0;
}

uint32_t rt_engine_clock(const ludic_engine *e, int64_t *now, int64_t *advanced, int64_t **budgets)
{
	*now = e->now;
	*advanced = e->advanced;
	*budgets = e->budgets;
	return rt_program_budget_count(e->rp);
}

int rt_engine_each_staff(ludic_engine *e, rt_record_fn fn, void *user)
{
	for (slab *s = e->staff_size ? e->spool.first : NULL; s; s = s->next) {
		for (uint32_t i = 0; i < s->used; i++) {
			rec_head *r = (rec_head *)(s->data + e->spool.rec_size * i);
			int rc = fn(user, true, (rt_str){r->id, r->id_len}, staff_rec_state(r), e->staff_size);
			if (rc)
				return rc;
		}
	}
	return 0;
}

void rt_engine_set_clock(ludic_engine *e, int64_t now, int64_t advanced)
{
	e->now = now;
	e->advanced = advanced;
}
