/* retailer.c — the retailer programme by hand (see retailer.h).
 *
 * The order of this file follows the programme: the calendar (Europe/Paris),
 * the customer record, wallets, history windows, caps, ladders, missions,
 * then one function per event type with the rules in the order base.ludic
 * writes them (the north overlay's changes where they apply), then the
 * passing of days. Amounts of points are whole numbers; money is in cents.
 */
#include "retailer.h"
#include "../scalars.h"

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_DAY INT32_MIN
#define NLOTS 24    /* expiring lots kept per wallet */
#define NPEND 16    /* pending lots kept */
#define NRECENT 8   /* recent purchases kept for returns */
#define NWEEKS 53   /* `in last 365 days` is counted in whole weeks */
#define NAFTER 4    /* `7 days after signup` events remembered */
#define NDUP 8      /* recent event ids kept for duplicates */
#define LATENESS 7200

/* ---- the calendar: Europe/Paris (CET, CEST from the last Sunday of March
 * to the last Sunday of October, changing at 01:00 UTC) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b, r = a % b;
	return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}

typedef struct { int y, m, d; } date;

static date civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	date r;
	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)(yoe + era * 400 + (r.m <= 2));
	return r;
}

static int64_t last_sunday(int64_t y, int m)
{
	int64_t last = sc_days_from_civil(y, m + 1, 1) - 1; /* m < 12 here */
	return last - (last + 4 - floor_div(last + 4, 7) * 7); /* 1970-01-01 was a Thursday */
}

/* Seconds east of UTC at time t. */
static int tz_offset(int64_t t)
{
	static __thread int64_t year_lo = 1, year_hi = 0; /* [lo, hi) of the cached year */
	static __thread int64_t dst_lo, dst_hi;
	if (t < year_lo || t >= year_hi) {
		date d = civil_from_days(floor_div(t, 86400));
		year_lo = sc_days_from_civil(d.y, 1, 1) * 86400;
		year_hi = sc_days_from_civil(d.y + 1, 1, 1) * 86400;
		dst_lo = last_sunday(d.y, 3) * 86400 + 3600;
		dst_hi = last_sunday(d.y, 10) * 86400 + 3600;
	}
	return t >= dst_lo && t < dst_hi ? 7200 : 3600;
}

static int64_t local_day(int64_t t)
{
	return floor_div(t + tz_offset(t), 86400);
}

/* Local midnight of day d (never in a gap: the changes are at 02:00/03:00). */
static int64_t day_start(int64_t d)
{
	int64_t t = d * 86400 - 7200;
	return tz_offset(t) == 7200 ? t : d * 86400 - 3600;
}

static int64_t week_of(int64_t day) { return floor_div(day + 3, 7); } /* weeks begin on Monday */

/* ---- SipHash-1-3 (the experiments' split), from the paper ---- */

static uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND                                                                                                  \
	do {                                                                                                       \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                                          \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                                             \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                                             \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                                          \
	} while (0)

static uint64_t siphash13(uint64_t k0, uint64_t k1, const unsigned char *m, size_t len)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w = 0;
		for (int k = 7; k >= 0; k--)
			w = w << 8 | m[i + (size_t)k];
		v3 ^= w;
		SIPROUND;
		v0 ^= w;
	}
	uint64_t w = (uint64_t)(len & 0xff) << 56;
	for (size_t k = 0; i + k < len; k++)
		w |= (uint64_t)m[i + k] << (8 * k);
	v3 ^= w;
	SIPROUND;
	v0 ^= w;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The variant of a customer: SipHash-1-3, key "ludic-variants!!", of the
 * experiment's name, a 0 byte and the id, mod 10,000, against the shares. */
static int variant_of(const char *experiment, const char *id, int first_share)
{
	unsigned char buf[256];
	size_t a = strlen(experiment), b = strlen(id);
	if (a + 1 + b > sizeof buf)
		b = sizeof buf - a - 1; /* ids are cut at HE_STR anyway */
	memcpy(buf, experiment, a);
	buf[a] = 0;
	memcpy(buf + a + 1, id, b);
	uint64_t h = siphash13(0x61762d636964756cull, 0x212173746e616972ull, buf, a + 1 + b);
	return h % 10000 < (uint64_t)first_share ? 0 : 1;
}

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ? h : 1;
}

/* ---- the records ---- */

typedef struct { int64_t amount; int32_t day, extra; } lot; /* extra: points: reminded; pending: expiry day */

typedef struct {
	int64_t balance, earned, pending;
	int32_t nlots, npend;
	lot lots[NLOTS];
	lot pend[NPEND];
} wallet_points;

typedef struct {
	int64_t balance, earned;
	int32_t nlots;
	lot lots[NLOTS];
} wallet_eco;

typedef struct { int32_t last; int32_t b[NWEEKS]; int64_t total; } win_count;
typedef struct { int32_t last; int64_t total; int64_t b[NWEEKS]; } win_sum;

typedef struct { int32_t per, used; } cap;

/* Customer caps, in the order of the programme's caps (staff ones apart). */
enum {
	CAP_GARDEN, CAP_GARDEN_NORTH, CAP_GREEN_BASKET, CAP_GARDEN_TRIO, CAP_KITCHEN, CAP_SPRING, CAP_ZERO_WAIT,
	CAP_FAST_PICKUP, CAP_RECYCLING, CAP_VISIT_XP, CAP_RAINY, CAP_FIRST_APP, CAP_SHARE, CAP_WELCOME,
	CAP_WELCOME_APP, CAP_REVIEW, CAP_REFERRAL, CAP_WORKSHOP, CAP_COMPOSTING, NCAPS
};
enum { SCAP_SERVICE, SCAP_BIG, SCAP_ADVICE, NSCAPS };
enum { U_DAY, U_WEEK, U_MONTH, U_YEAR, U_EVER };

static const struct capdef {
	const char *rule;
	int unit, limit;
} capdefs[NCAPS] = {
	{"Garden bonus", U_MONTH, 500}, {"Garden bonus", U_MONTH, 1000}, {"Green basket", U_WEEK, 1},
	{"Garden trio", U_MONTH, 1}, {"Kitchen basket", U_WEEK, 1}, {"Spring garden", U_EVER, 4},
	{"Zero wait", U_DAY, 1}, {"Fast pick-up", U_WEEK, 2}, {"Recycling", U_MONTH, 5},
	{"Experience on visit", U_DAY, 1}, {"Rainy day visit", U_WEEK, 1}, {"First app use", U_EVER, 1},
	{"Social share", U_WEEK, 1}, {"Welcome gift", U_EVER, 1}, {"Welcome in the app", U_EVER, 1},
	{"Review", U_MONTH, 3}, {"Referral", U_YEAR, 5}, {"Workshop", U_MONTH, 2}, {"Composting class", U_MONTH, 1},
};
static const int scap_limit[NSCAPS] = {20, 10, 10};

enum { M_NEW, M_RUNNING, M_DONE, M_EXPIRED, M_OUT };
typedef struct { uint8_t step, state; uint16_t count; int32_t start; } mission;

typedef struct {
	uint64_t id;             /* hash of the purchase's id */
	int32_t day;
	int64_t total, returned;
	int64_t earned[3], settled[3]; /* points, eco, xp */
} recent;

typedef struct customer {
	char id[HE_STR];
	uint64_t hash;
	int64_t last_at;         /* latest applied event (engine), INT64_MIN before */
	int64_t eng_last_day;    /* last day time passed to, INT64_MIN before */
	uint64_t dup_h[NDUP];
	int64_t dup_at[NDUP];
	uint8_t variant[2];
	/* the programme's record */
	int32_t last_day, first_day, birthday, overlay;
	int64_t rec_last_at;
	uint8_t badges;
	wallet_points points;
	wallet_eco eco;
	int64_t xp, xp_earned;
	int32_t status, status_since, status_review, rank, rank_since;
	mission missions[2];
	int32_t streak_last;
	uint16_t streak_len, streak_missed;
	int32_t miss_you_base, miss_you_fired;
	int32_t tips_due[NAFTER];
	win_count purchases, green_returns, workshops;
	win_sum points_earned;
	cap caps[NCAPS];
	int32_t recent_head;
	recent recent[NRECENT];
} customer;

typedef struct staff {
	char id[HE_STR];
	uint64_t hash;
	int64_t kudos, earned;
	cap caps[NSCAPS];
} staff;

typedef struct { uint64_t hash; uint32_t index; } slot; /* index + 1; 0 = empty */

typedef struct {
	slot *s;
	size_t mask, n;
} table;

struct hand_engine {
	ludic_effect_fn on_effect;
	void *user;
	customer **custs; /* in order of first appearance */
	size_t ncusts, capcusts;
	staff **staff;
	size_t nstaff, capstaff;
	table ctab, stab;
	int64_t budget_trio, budget_spring;
	int64_t now, advanced;
	/* the call: the customer, the event, its time and day */
	customer *c;
	const char *event_id;
	int64_t at, day;
	int32_t week, month, year; /* periods of e->day (set_day) */
	date date;                 /* and its date */
	int recent; /* recent purchase slot of this purchase, -1 */
	char *buf;  /* the strings of a JSON line */
	size_t bufcap;
};

/* ---- tables ---- */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fputs("hand: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/* Room for one more of `n` items of `size` bytes in `a` (capacity *cap). */
static void *grow(void *a, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return a;
	*cap = *cap ? 2 * *cap : 256;
	a = realloc(a, *cap * size);
	if (!a) {
		fputs("hand: out of memory\n", stderr);
		exit(1);
	}
	return a;
}

static uint32_t tab_find(const table *t, uint64_t h, const char *id, void *const *items, size_t idoff)
{
	if (!t->s)
		return 0;
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		if (!t->s[i].index)
			return 0;
		if (t->s[i].hash == h && !strcmp((const char *)items[t->s[i].index - 1] + idoff, id))
			return t->s[i].index;
	}
}

static void tab_put(table *t, uint64_t h, uint32_t index)
{
	if (2 * (t->n + 1) > t->mask + 1 || !t->s) {
		size_t cap = t->s ? 2 * (t->mask + 1) : 1024;
		slot *s = xcalloc(cap, sizeof *s);
		for (size_t i = 0; t->s && i <= t->mask; i++) {
			if (!t->s[i].index)
				continue;
			size_t j = t->s[i].hash & (cap - 1);
			while (s[j].index)
				j = (j + 1) & (cap - 1);
			s[j] = t->s[i];
		}
		free(t->s);
		t->s = s;
		t->mask = cap - 1;
	}
	size_t j = h & t->mask;
	while (t->s[j].index)
		j = (j + 1) & t->mask;
	t->s[j] = (slot){h, index};
	t->n++;
}

/* ---- effects ---- */

static const char *const WALLET[3] = {"points", "eco", "xp"};
static const char *const BADGE[6] = {"explorer", "green-thumb", "regular", "green-hand", "critic", "workshop-fan"};
static const char *const STATUS[3] = {"bronze", "silver", "gold"};
static const int64_t STATUS_AT[3] = {0, 500, 2000};
static const char *const RANK[5] = {"seedling", "sprout", "shrub", "tree", "forest"};
static const int64_t RANK_AT[5] = {0, 100, 300, 600, 1000};
static const char *const VAR_ZERO[2] = {"Zero-wait amount=control", "Zero-wait amount=generous"};
static const char *const VAR_SPRING[2] = {"Spring challenge=with", "Spring challenge=without"};

static void emit(hand_engine *e, ludic_effect *fx)
{
	if (!fx->staff)
		fx->customer = e->c ? e->c->id : "";
	fx->event_id = e->event_id;
	fx->at = e->at;
	fx->utc_offset = tz_offset(e->at);
	if (e->on_effect)
		e->on_effect(e->user, fx);
}

static void fx_wallet(hand_engine *e, ludic_effect_kind kind, int w, int64_t amount, const char *rule,
		      const char *variants)
{
	customer *c = e->c;
	ludic_effect fx = {.kind = kind, .wallet = WALLET[w], .amount = amount, .rule = rule, .variants = variants};
	if (w == 0) {
		fx.balance = c->points.balance;
		fx.pending = c->points.pending;
		fx.has_pending = true;
	} else {
		fx.balance = w == 1 ? c->eco.balance : c->xp;
	}
	emit(e, &fx);
}

/* ---- wallets ---- */

/* Adds `amount` for `day` to sorted lots (merged with a lot of the same
 * day; when full, into the newest, which takes the later day). */
static void lot_add(lot *lots, int32_t *n, int cap, int64_t amount, int32_t day, int32_t extra)
{
	for (int i = 0; i < *n; i++) {
		if (lots[i].day == day) {
			lots[i].amount += amount;
			return;
		}
	}
	if (*n == cap) {
		lot *last = &lots[cap - 1];
		last->amount += amount;
		if (last->day < day) {
			last->day = day;
			last->extra = extra;
		}
		return;
	}
	int i = *n;
	while (i > 0 && lots[i - 1].day > day) {
		lots[i] = lots[i - 1];
		i--;
	}
	lots[i] = (lot){amount, day, extra};
	(*n)++;
}

static void lots_drop(lot *lots, int32_t *n, int k)
{
	memmove(lots, lots + k, (size_t)(*n - k) * sizeof *lots);
	*n -= k;
}

/* Takes `amount` from lots, oldest first. */
static void lots_take(lot *lots, int32_t *n, int64_t amount)
{
	int used = 0;
	while (amount > 0 && used < *n) {
		if (lots[used].amount <= amount) {
			amount -= lots[used].amount;
			used++;
		} else {
			lots[used].amount -= amount;
			amount = 0;
		}
	}
	lots_drop(lots, n, used);
}

/* 12 (points) or 24 (eco) months after `day`, the day of the month kept
 * when the month has it, else its last day. */
static int32_t months_after(int64_t day, int months)
{
	date d = civil_from_days(day);
	int m = d.m - 1 + months;
	int y = d.y + m / 12;
	m = m % 12 + 1;
	int dim = (int)(sc_days_from_civil(y + (m == 12), m == 12 ? 1 : m + 1, 1) - sc_days_from_civil(y, m, 1));
	return (int32_t)sc_days_from_civil(y, m, d.d > dim ? dim : d.d);
}

static void win_add_sum(win_sum *w, int64_t idx, int64_t v);

static void credit(hand_engine *e, int w, int64_t amount, const char *rule, const char *variants)
{
	customer *c = e->c;
	if (amount <= 0)
		return;
	if (w == 0) {
		c->points.earned += amount;
		win_add_sum(&c->points_earned, e->week, amount);
		c->points.pending += amount;
		lot_add(c->points.pend, &c->points.npend, NPEND, amount, (int32_t)(e->day + 14), months_after(e->day, 12));
	} else if (w == 1) {
		c->eco.earned += amount;
		c->eco.balance += amount;
		lot_add(c->eco.lots, &c->eco.nlots, NLOTS, amount, months_after(e->day, 24), 0);
	} else {
		c->xp_earned += amount;
		c->xp += amount;
	}
	if (e->recent >= 0)
		c->recent[e->recent].earned[w] += amount;
	fx_wallet(e, LUDIC_EFFECT_AWARD, w, amount, rule, variants);
}

static void badge(hand_engine *e, int b, const char *rule)
{
	if (e->c->badges & (1u << b))
		return;
	e->c->badges |= (uint8_t)(1u << b);
	ludic_effect fx = {.kind = LUDIC_EFFECT_BADGE, .badge = BADGE[b], .rule = rule};
	emit(e, &fx);
}

static void notify(hand_engine *e, const char *template_name, const char *rule, const ludic_effect_arg *args,
		   size_t nargs)
{
	ludic_effect fx = {.kind = LUDIC_EFFECT_NOTIFY, .template_name = template_name, .rule = rule,
			   .args = nargs ? args : NULL, .nargs = nargs};
	emit(e, &fx);
}

/* ---- history windows: rings of week buckets ---- */

static int ring(int64_t idx) { return (int)(((idx % NWEEKS) + NWEEKS) % NWEEKS); }

#define WIN_FUNCS(T, name)                                                                                        \
	static void win_add_##name(T *w, int64_t idx, int64_t v)                                                  \
	{                                                                                                         \
		int64_t last = w->last;                                                                           \
		if (last == NO_DAY || idx - last >= NWEEKS) {                                                     \
			memset(w->b, 0, sizeof w->b);                                                             \
			w->total = 0;                                                                             \
			w->last = (int32_t)idx;                                                                   \
		} else if (idx > last) {                                                                          \
			for (int64_t k = last + 1; k <= idx; k++) {                                               \
				w->total -= w->b[ring(k)];                                                        \
				w->b[ring(k)] = 0;                                                                \
			}                                                                                         \
			w->last = (int32_t)idx;                                                                   \
		} else if (idx <= last - NWEEKS) {                                                                \
			return;                                                                                   \
		}                                                                                                 \
		w->b[ring(idx)] += v;                                                                             \
		w->total += v;                                                                                    \
	}                                                                                                         \
	static int64_t win_get_##name(const T *w, int64_t idx)                                                    \
	{                                                                                                         \
		int64_t last = w->last;                                                                           \
		if (last == NO_DAY || idx - last >= NWEEKS)                                                       \
			return 0;                                                                                 \
		if (idx >= last) {                                                                                \
			int64_t s = w->total;                                                                     \
			for (int64_t k = last - NWEEKS + 1; k <= idx - NWEEKS; k++)                               \
				s -= w->b[ring(k)];                                                               \
			return s;                                                                                 \
		}                                                                                                 \
		int64_t from = idx - NWEEKS + 1 < last - NWEEKS + 1 ? last - NWEEKS + 1 : idx - NWEEKS + 1, s = 0; \
		for (int64_t k = from; k <= idx; k++)                                                             \
			s += w->b[ring(k)];                                                                       \
		return s;                                                                                         \
	}

WIN_FUNCS(win_count, count)
WIN_FUNCS(win_sum, sum)

/* ---- caps ---- */

/* The call's day, and its periods, computed once. */
static void set_day(hand_engine *e, int64_t day)
{
	e->day = day;
	e->date = civil_from_days(day);
	e->week = (int32_t)week_of(day);
	e->month = e->date.y * 12 + e->date.m - 1;
	e->year = e->date.y;
}

static int32_t period(const hand_engine *e, int unit)
{
	switch (unit) {
	case U_DAY: return (int32_t)e->day;
	case U_WEEK: return e->week;
	case U_MONTH: return e->month;
	case U_YEAR: return e->year;
	default: return 0;
	}
}

static int64_t cap_left_in(hand_engine *e, const cap *k, int unit, int limit)
{
	if (k->per != period(e, unit))
		return limit;
	int64_t left = limit - k->used;
	return left > 0 ? left : 0;
}

static void cap_use_in(hand_engine *e, cap *k, int unit, int64_t v)
{
	if (v <= 0)
		return;
	int32_t per = period(e, unit);
	int64_t used = (k->per == per ? k->used : 0) + v;
	k->per = per;
	k->used = (int32_t)used;
}

static int64_t cap_left(hand_engine *e, int i)
{
	return cap_left_in(e, &e->c->caps[i], capdefs[i].unit, capdefs[i].limit);
}

static void cap_use(hand_engine *e, int i, int64_t v)
{
	cap_use_in(e, &e->c->caps[i], capdefs[i].unit, v);
}

/* ---- ladders ---- */

static int rung_for(const int64_t *at, int n, int64_t metric)
{
	int r = -1;
	for (int k = 0; k < n; k++)
		if (at[k] <= metric)
			r = k;
	return r;
}

static void ladder_move(hand_engine *e, bool level, int32_t *rung, int32_t *since, int to)
{
	ludic_effect fx = {.kind = level ? LUDIC_EFFECT_LEVEL : LUDIC_EFFECT_TIER, .ladder = level ? "rank" : "status",
			   .rung = level ? RANK[to] : STATUS[to]};
	if (*rung >= 0)
		fx.previous = level ? RANK[*rung] : STATUS[*rung];
	*rung = to;
	*since = (int32_t)e->day;
	emit(e, &fx);
}

static int64_t status_metric(hand_engine *e)
{
	return win_get_sum(&e->c->points_earned, e->week);
}

/* After an event's rules: status and level up at once. */
static void ladders_up(hand_engine *e)
{
	customer *c = e->c;
	int to = rung_for(STATUS_AT, 3, status_metric(e));
	if (to > c->status)
		ladder_move(e, false, &c->status, &c->status_since, to);
	to = rung_for(RANK_AT, 5, c->xp_earned);
	if (to > c->rank)
		ladder_move(e, true, &c->rank, &c->rank_since, to);
}

/* ---- missions ---- */

static const char *const MISSION[2] = {"Discover the brand", "Loyal gardener"};
static const char *const STEP[2][3] = {{"First purchase", "Try the app", "Greener gesture"},
				       {"Spring basket", "Three visits", "A workshop"}};
static const uint16_t TIMES[2][3] = {{1, 1, 1}, {1, 3, 1}};
static const int WITHIN[2] = {60, 45};
/* Campaign dates, as days since 1970-01-01 (local days). */
enum {
	gardener_from = 20909, /* 2027-04-01 */
	gardener_until = 20999, /* 2027-06-30 */
	spring_from = 20897,    /* 2027-03-20 */
	spring_until = 20989,   /* 2027-06-20 */
	rainy_from = 21123,     /* 2027-11-01 */
	rainy_until = 21152,    /* 2027-11-30 */
};

/* 1: the step is open; 2: the mission may start with it; 0: no. */
static int mission_at(hand_engine *e, int m, int step)
{
	mission *ms = &e->c->missions[m];
	if (m == 1 && (e->day < gardener_from || e->day > gardener_until))
		return 0;
	if (ms->state == M_RUNNING) {
		if (e->day > (int64_t)ms->start + WITHIN[m]) {
			ms->state = M_EXPIRED;
			return 0;
		}
		return ms->step == step;
	}
	if (ms->state == M_NEW)
		return step == 0 && m == 1 ? 2 : 0;
	return 0;
}

static void mission_start(hand_engine *e, int m, bool yes)
{
	mission *ms = &e->c->missions[m];
	if (ms->state != M_NEW)
		return;
	ms->state = yes ? M_RUNNING : M_OUT;
	ms->step = 0;
	ms->count = 0;
	ms->start = (int32_t)e->day;
}

/* 0: counted; 1: step done; 2: mission done (the caller completes it). */
static int mission_advance(hand_engine *e, int m, int step)
{
	mission *ms = &e->c->missions[m];
	if (++ms->count < TIMES[m][step])
		return 0;
	ms->count = 0;
	ms->step = (uint8_t)(step + 1);
	ludic_effect fx = {.kind = LUDIC_EFFECT_MISSION_STEP, .mission = MISSION[m], .step = STEP[m][step],
			   .rule = MISSION[m]};
	emit(e, &fx);
	if (step + 1 < 3)
		return 1;
	ms->state = M_DONE;
	return 2;
}

static void mission_complete(hand_engine *e, int m)
{
	ludic_effect fx = {.kind = LUDIC_EFFECT_MISSION_COMPLETE, .mission = MISSION[m], .rule = MISSION[m]};
	emit(e, &fx);
	credit(e, 0, m ? 300 : 200, MISSION[m], NULL);
	badge(e, m ? 1 : 0, MISSION[m]);
}

/* ---- staff ---- */

static staff *staff_of(hand_engine *e, const char *id)
{
	uint64_t h = id_hash(id);
	uint32_t i = tab_find(&e->stab, h, id, (void *const *)e->staff, offsetof(staff, id));
	if (i)
		return e->staff[i - 1];
	e->staff = grow(e->staff, e->nstaff, &e->capstaff, sizeof *e->staff);
	staff *s = xcalloc(1, sizeof *s);
	snprintf(s->id, sizeof s->id, "%s", id);
	s->hash = h;
	for (int k = 0; k < NSCAPS; k++)
		s->caps[k].per = INT32_MIN;
	e->staff[e->nstaff++] = s;
	tab_put(&e->stab, h, (uint32_t)e->nstaff);
	return s;
}

static void quest(hand_engine *e, const hand_event *ev, int k, int64_t amount, const char *rule)
{
	staff *s = staff_of(e, ev->staff);
	if (!cap_left_in(e, &s->caps[k], U_DAY, scap_limit[k]))
		return;
	cap_use_in(e, &s->caps[k], U_DAY, 1);
	s->kudos += amount;
	s->earned += amount;
	ludic_effect fx = {.kind = LUDIC_EFFECT_AWARD, .customer = s->id, .staff = true, .wallet = "kudos",
			   .amount = amount, .balance = s->kudos, .rule = rule};
	emit(e, &fx);
}

/* ---- returns ---- */

static void purchase_record(hand_engine *e, const hand_event *ev)
{
	customer *c = e->c;
	int head = c->recent_head;
	recent *r = &c->recent[head];
	memset(r, 0, sizeof *r);
	r->id = id_hash(ev->id);
	r->day = (int32_t)e->day;
	r->total = ev->money;
	e->recent = head;
	c->recent_head = (head + 1) % NRECENT;
}

/* What a purchase earned comes back in proportion to the value returned so
 * far; pending points first (newest first), then the oldest lots. */
static void take_back(hand_engine *e, const char *original, int64_t value)
{
	customer *c = e->c;
	if (value <= 0)
		return;
	uint64_t h = id_hash(original);
	for (int s = 0; s < NRECENT; s++) {
		recent *r = &c->recent[s];
		if (r->id != h)
			continue;
		int64_t after = r->returned + value;
		if (r->total > 0 && after > r->total)
			after = r->total;
		r->returned = after;
		for (int w = 0; w < 3; w++) {
			int64_t earned = r->earned[w];
			if (earned <= 0)
				continue;
			__int128 due = r->total > 0 ? (__int128)earned * after / r->total : earned;
			if (due > earned)
				due = earned;
			int64_t want = (int64_t)due - r->settled[w];
			if (want <= 0)
				continue;
			r->settled[w] += want;
			int64_t taken = 0, *bal = w == 0 ? &c->points.balance : w == 1 ? &c->eco.balance : &c->xp;
			if (w == 0) {
				for (int i = c->points.npend - 1; i >= 0 && taken < want; i--) {
					lot *l = &c->points.pend[i];
					int64_t t = l->amount < want - taken ? l->amount : want - taken;
					l->amount -= t;
					taken += t;
				}
				c->points.pending -= taken;
			}
			int64_t from_bal = want - taken < *bal ? want - taken : *bal;
			if (from_bal > 0) {
				*bal -= from_bal;
				if (w == 0)
					lots_take(c->points.lots, &c->points.nlots, from_bal);
				else if (w == 1)
					lots_take(c->eco.lots, &c->eco.nlots, from_bal);
				taken += from_bal;
			}
			if (taken <= 0)
				continue;
			if (w == 0) {
				c->points.earned -= taken;
				win_add_sum(&c->points_earned, week_of(r->day), -taken);
			} else if (w == 1) {
				c->eco.earned -= taken;
			} else {
				c->xp_earned -= taken;
			}
			fx_wallet(e, LUDIC_EFFECT_REVERSE, w, taken, NULL, NULL);
		}
		return;
	}
}

/* ---- the rules, one function per event type ---- */

static bool is_north(const hand_event *ev) { return !strcmp(ev->region, "north"); }
static bool green_action(int a) { return a == RA_REPAIR || a == RA_RESALE || a == RA_REFILL; }

static void on_purchase(hand_engine *e, const hand_event *ev)
{
	customer *c = e->c;
	bool north = is_north(ev);
	if (!c)
		goto quests;
	c->overlay = north ? 2 : -1;
	purchase_record(e, ev);
	win_add_count(&c->purchases, e->week, 1);
	c->miss_you_base = (int32_t)e->day;
	c->miss_you_fired = 0;

	/* Base earn: 1 point per euro, x2 click & collect, x1.5 silver, x2 gold */
	int64_t v = ev->money * 100; /* euros, to 4 decimals */
	if (ev->checkout == CO_CLICK_COLLECT)
		v *= 2;
	if (c->status == 1)
		v = v * 3 / 2; /* exact: v is even */
	if (c->status >= 2)
		v *= 2;
	credit(e, 0, floor_div(v, 10000), "Base earn", NULL);

	/* Garden bonus: 1 more point per garden euro, 500 a month (north: 2 and 1,000) */
	if (ev->garden_lines > 0) {
		int k = north ? CAP_GARDEN_NORTH : CAP_GARDEN;
		int64_t a = floor_div(ev->garden * (north ? 2 : 1), 100), left = cap_left(e, k);
		if (a > left)
			a = left;
		if (a > 0) {
			cap_use(e, k, a);
			credit(e, 0, a, "Garden bonus", NULL);
		}
	}
	credit(e, 2, floor_div(ev->money, 200), "Experience on purchase", NULL);

	/* Basket bonus, keep best: green basket 10, garden trio 30 (budget), kitchen 20 */
	int best = -1;
	int64_t best_amount = -1, trio = 0;
	if (ev->sustainable && cap_left(e, CAP_GREEN_BASKET))
		best = 0, best_amount = 10;
	if (ev->garden_lines >= 3 && cap_left(e, CAP_GARDEN_TRIO)) {
		int64_t left = e->budget_trio > 0 ? e->budget_trio : 0;
		trio = 30 < left ? 30 : left;
		if (trio > 0 && trio > best_amount)
			best = 1, best_amount = trio;
	}
	if (ev->kitchen >= 8000 && cap_left(e, CAP_KITCHEN) && 20 > best_amount)
		best = 2, best_amount = 20;
	if (best == 0) {
		cap_use(e, CAP_GREEN_BASKET, 1);
		credit(e, 0, 10, "Green basket", NULL);
	} else if (best == 1) {
		cap_use(e, CAP_GARDEN_TRIO, 1);
		e->budget_trio -= trio;
		credit(e, 0, trio, "Garden trio", NULL);
	} else if (best == 2) {
		cap_use(e, CAP_KITCHEN, 1);
		credit(e, 0, 20, "Kitchen basket", NULL);
	}

	/* Spring garden: 40 EUR of garden, 20 March to 20 June, 4 times, budget; skipped by "without" */
	if (c->variant[1] != 1 && e->day >= spring_from && e->day <= spring_until && ev->garden >= 4000 &&
	    cap_left(e, CAP_SPRING)) {
		int64_t left = e->budget_spring > 0 ? e->budget_spring : 0, a = 25 < left ? 25 : left;
		if (a > 0) {
			cap_use(e, CAP_SPRING, 1);
			e->budget_spring -= a;
			credit(e, 0, a, "Spring garden", VAR_SPRING[c->variant[1]]);
		}
	}

	/* Zero wait: 5 points (north 10, "generous" 8), once a day */
	if ((ev->payment == PAY_MOBILE_WALLET || ev->payment == PAY_BANK_APP || ev->checkout == CO_SELF_CHECKOUT) &&
	    cap_left(e, CAP_ZERO_WAIT)) {
		int64_t a = c->variant[0] == 1 ? 8 : north ? 10 : 5;
		cap_use(e, CAP_ZERO_WAIT, 1);
		credit(e, 0, a, "Zero wait", VAR_ZERO[c->variant[0]]);
	}

	/* Fast pick-up: within 2 hours, twice a week; off in the north */
	if (!north && ev->checkout == CO_CLICK_COLLECT && ev->has_pickup && ev->pickup <= 7200 &&
	    cap_left(e, CAP_FAST_PICKUP)) {
		cap_use(e, CAP_FAST_PICKUP, 1);
		credit(e, 0, 10, "Fast pick-up", NULL);
	}

	/* Discover the brand: first purchase, then an app purchase (+20 xp) */
	if (mission_at(e, 0, 0) == 1) {
		if (mission_advance(e, 0, 0) == 2)
			mission_complete(e, 0);
	} else if (mission_at(e, 0, 1) == 1 && ev->channel == CH_APP) {
		int r = mission_advance(e, 0, 1);
		if (r) {
			credit(e, 2, 20, MISSION[0], NULL);
			if (r == 2)
				mission_complete(e, 0);
		}
	}

	/* Loyal gardener: starts with a 50 EUR garden basket, for 6 purchases in a year */
	int at = mission_at(e, 1, 0);
	if (at && ev->garden >= 5000) {
		bool go = true;
		if (at == 2) {
			go = win_get_count(&c->purchases, e->week) >= 6;
			mission_start(e, 1, go);
		}
		if (go && mission_advance(e, 1, 0) == 2)
			mission_complete(e, 1);
	}

	/* Weekly regular: a purchase every week for 4 weeks, 1 week of grace */
	int64_t per = e->week;
	if (c->streak_last == NO_DAY || per > c->streak_last) {
		if (c->streak_last == NO_DAY || c->streak_len == 0) {
			c->streak_len = 1;
			c->streak_missed = 0;
		} else {
			int64_t gap = per - c->streak_last - 1;
			if (gap <= 1 - (int64_t)c->streak_missed) {
				c->streak_missed = (uint16_t)(c->streak_missed + gap);
				c->streak_len++;
			} else {
				c->streak_len = 1;
				c->streak_missed = 0;
			}
		}
		c->streak_last = (int32_t)per;
		if (c->streak_len >= 4) {
			c->streak_len = 0;
			c->streak_missed = 0;
			ludic_effect fx = {.kind = LUDIC_EFFECT_STREAK, .streak = "Weekly regular", .length = 4,
					   .rule = "Weekly regular"};
			emit(e, &fx);
			credit(e, 0, 50, "Weekly regular", NULL);
			badge(e, 2, "Weekly regular");
		}
	}
quests:
	if (ev->has_staff && ev->staff[0]) {
		if (ev->checkout == CO_TILL)
			quest(e, ev, SCAP_SERVICE, 1, "Service star");
		if (ev->money >= 15000)
			quest(e, ev, SCAP_BIG, 5, "Big basket");
	}
	if (c)
		ladders_up(e);
}

static void on_return(hand_engine *e, const hand_event *ev)
{
	customer *c = e->c;
	if (c) {
		c->overlay = is_north(ev) ? 2 : -1;
		if (ev->has_original)
			take_back(e, ev->original, ev->money);
		bool green = green_action(ev->action);
		if (green)
			win_add_count(&c->green_returns, e->week, 1);
		if (green)
			credit(e, 1, floor_div(ev->money, 500), "Second life", NULL);
		if (ev->action == RA_RECYCLE && cap_left(e, CAP_RECYCLING)) {
			cap_use(e, CAP_RECYCLING, 1);
			credit(e, 1, 2, "Recycling", NULL);
		}
		if (win_get_count(&c->green_returns, e->week) >= 5)
			badge(e, 3, "Green hand");
		if (mission_at(e, 0, 2) == 1 && green && mission_advance(e, 0, 2) == 2)
			mission_complete(e, 0);
	}
	if (ev->has_staff && ev->staff[0] && green_action(ev->action))
		quest(e, ev, SCAP_ADVICE, 3, "Second-life advice");
	if (c)
		ladders_up(e);
}

static void on_visit(hand_engine *e, const hand_event *ev)
{
	customer *c = e->c;
	bool north = is_north(ev);
	c->overlay = north ? 2 : -1;
	if (cap_left(e, CAP_VISIT_XP)) {
		cap_use(e, CAP_VISIT_XP, 1);
		credit(e, 2, 5, "Experience on visit", NULL);
	}
	if (mission_at(e, 1, 1) == 1 && mission_advance(e, 1, 1) == 2)
		mission_complete(e, 1);
	if (north && e->day >= rainy_from && e->day <= rainy_until && cap_left(e, CAP_RAINY)) {
		cap_use(e, CAP_RAINY, 1);
		credit(e, 0, 15, "Rainy day visit", NULL);
	}
	ladders_up(e);
}

static void on_app(hand_engine *e, const hand_event *ev)
{
	if (!strcmp(ev->text, "open") && cap_left(e, CAP_FIRST_APP)) {
		cap_use(e, CAP_FIRST_APP, 1);
		credit(e, 0, 20, "First app use", NULL);
	}
	if (!strcmp(ev->text, "share") && cap_left(e, CAP_SHARE)) {
		cap_use(e, CAP_SHARE, 1);
		credit(e, 0, 5, "Social share", NULL);
	}
	ladders_up(e);
}

static void on_signup(hand_engine *e, const hand_event *ev)
{
	customer *c = e->c;
	c->overlay = is_north(ev) ? 2 : -1;
	if (ev->has_birthday)
		c->birthday = (int32_t)ev->birthday;
	if (ev->channel == CH_APP) {
		for (int i = 0; i < NAFTER; i++) {
			if (c->tips_due[i] == NO_DAY) {
				c->tips_due[i] = (int32_t)(e->day + 7);
				break;
			}
		}
	}
	if (c->missions[0].state == M_NEW)
		mission_start(e, 0, win_get_count(&c->purchases, e->week) == 0);
	/* Welcome, keep best: 100 points, or 150 for joining in the app */
	bool gift = cap_left(e, CAP_WELCOME) > 0, app = ev->channel == CH_APP && cap_left(e, CAP_WELCOME_APP) > 0;
	if (app && (!gift || 150 > 100)) {
		cap_use(e, CAP_WELCOME_APP, 1);
		credit(e, 0, 150, "Welcome in the app", NULL);
	} else if (gift) {
		cap_use(e, CAP_WELCOME, 1);
		credit(e, 0, 100, "Welcome gift", NULL);
	}
	ladders_up(e);
}

static void on_review(hand_engine *e)
{
	if (cap_left(e, CAP_REVIEW)) {
		cap_use(e, CAP_REVIEW, 1);
		credit(e, 0, 10, "Review", NULL);
		badge(e, 4, "Review");
	}
	ladders_up(e);
}

static void on_referral(hand_engine *e)
{
	if (cap_left(e, CAP_REFERRAL)) {
		cap_use(e, CAP_REFERRAL, 1);
		credit(e, 0, 150, "Referral", NULL);
	}
	ladders_up(e);
}

static const struct item {
	const char *name;
	int wallet;
	int64_t cost;
} catalogue[] = {
	{"Free delivery", 0, 200}, {"5 EUR voucher", 0, 500}, {"A tree planted in your name", 0, 300},
	{"Seed library card", 0, 300}, {"Private workshop", 0, 1500}, {"Repair voucher", 1, 20},
	{"Swap 10 eco-credits for 50 points", 1, 10},
};

static void on_redemption(hand_engine *e, const hand_event *ev)
{
	customer *c = e->c;
	c->overlay = -1;
	int it = -1;
	for (int i = 0; i < (int)(sizeof catalogue / sizeof *catalogue); i++)
		if (!strcmp(catalogue[i].name, ev->text))
			it = i;
	ludic_effect no = {.kind = LUDIC_EFFECT_REFUSAL, .item = it >= 0 ? catalogue[it].name : ev->text};
	if (it < 0) {
		no.reason = "unknown reward";
		emit(e, &no);
		return;
	}
	if ((it == 3 && c->rank < 3) || (it == 4 && c->status < 2)) {
		no.reason = "not available";
		emit(e, &no);
		return;
	}
	const struct item *item = &catalogue[it];
	int64_t *bal = item->wallet ? &c->eco.balance : &c->points.balance;
	if (*bal < item->cost) {
		char why[128];
		snprintf(why, sizeof why, "balance too small: have %lld %s, the reward costs %lld", (long long)*bal,
			 WALLET[item->wallet], (long long)item->cost);
		no.reason = why;
		emit(e, &no);
		return;
	}
	*bal -= item->cost;
	if (item->wallet)
		lots_take(c->eco.lots, &c->eco.nlots, item->cost);
	else
		lots_take(c->points.lots, &c->points.nlots, item->cost);
	ludic_effect fx = {.kind = LUDIC_EFFECT_REDEMPTION, .wallet = WALLET[item->wallet], .amount = item->cost,
			   .balance = *bal, .item = item->name};
	if (!item->wallet) {
		fx.pending = c->points.pending;
		fx.has_pending = true;
	}
	emit(e, &fx);
	if (it == 6)
		credit(e, 0, 50, "Eco-credits to points", NULL);
	ladders_up(e);
}

static void on_workshop(hand_engine *e, const hand_event *ev)
{
	customer *c = e->c;
	c->overlay = is_north(ev) ? 2 : -1;
	win_add_count(&c->workshops, e->week, 1);
	if (mission_at(e, 1, 2) == 1 && mission_advance(e, 1, 2) == 2)
		mission_complete(e, 1);
	if (cap_left(e, CAP_WORKSHOP)) {
		cap_use(e, CAP_WORKSHOP, 1);
		credit(e, 0, 30, "Workshop", NULL);
		credit(e, 2, 10, "Workshop", NULL);
	}
	if (win_get_count(&c->workshops, e->week) >= 3)
		badge(e, 5, "Workshop fan");
	if (!strcmp(ev->store, "PAR01") && ev->kind == WK_COMPOSTING && cap_left(e, CAP_COMPOSTING)) {
		cap_use(e, CAP_COMPOSTING, 1);
		credit(e, 1, 10, "Composting class", NULL);
	}
	ladders_up(e);
}

/* ---- time passing ---- */

static void expire_lots(hand_engine *e, int w, lot *lots, int32_t *n, int64_t *balance)
{
	int k = 0;
	int64_t total = 0;
	while (k < *n && lots[k].day <= e->day)
		total += lots[k++].amount;
	if (!k)
		return;
	lots_drop(lots, n, k);
	*balance -= total;
	if (*balance < 0)
		*balance = 0;
	if (total > 0)
		fx_wallet(e, LUDIC_EFFECT_EXPIRE, w, total, NULL, NULL);
}

static void release(hand_engine *e)
{
	wallet_points *p = &e->c->points;
	int k = 0;
	int64_t total = 0;
	while (k < p->npend && p->pend[k].day <= e->day) {
		total += p->pend[k].amount;
		if (p->pend[k].amount > 0)
			lot_add(p->lots, &p->nlots, NLOTS, p->pend[k].amount, p->pend[k].extra, 0);
		k++;
	}
	if (!k)
		return;
	lots_drop(p->pend, &p->npend, k);
	p->pending -= total;
	p->balance += total;
	if (total > 0)
		fx_wallet(e, LUDIC_EFFECT_RELEASE, 0, total, NULL, NULL);
}

/* One day begins for the customer e->c: day e->day, at e->at. */
static void one_day(hand_engine *e)
{
	customer *c = e->c;
	int64_t d = e->day;
	c->last_day = (int32_t)d;
	expire_lots(e, 0, c->points.lots, &c->points.nlots, &c->points.balance);
	release(e);
	expire_lots(e, 1, c->eco.lots, &c->eco.nlots, &c->eco.balance);

	/* We miss you: 90 days without a purchase (since joining if none) */
	int32_t base = c->miss_you_base != NO_DAY ? c->miss_you_base : c->first_day;
	if (base != NO_DAY && !c->miss_you_fired && d >= (int64_t)base + 90) {
		c->miss_you_fired = 1;
		static const ludic_effect_arg discount = {"discount", "10.00 EUR"};
		notify(e, "winback-10", "We miss you", &discount, 1);
	}
	/* Expiring soon: a lot of points expiring within 30 days, once per lot */
	bool expiring = false;
	for (int i = 0; i < c->points.nlots; i++) {
		lot *l = &c->points.lots[i];
		if (l->day <= d + 30 && !l->extra && l->amount > 0) {
			l->extra = 1;
			expiring = true;
		}
	}
	if (expiring) {
		char text[32];
		snprintf(text, sizeof text, "%lld", (long long)c->points.balance);
		ludic_effect_arg balance = {"balance", text};
		notify(e, "expiry-reminder", "Expiring soon", &balance, 1);
	}
	date today = e->date;
	if (c->birthday != NO_DAY && today.d == 1 && civil_from_days(c->birthday).m == today.m) {
		credit(e, 0, 50, "Happy birthday", NULL);
		notify(e, "birthday-month", "Happy birthday", NULL, 0);
	}
	/* App tips, 7 days after joining in the app: the earliest due first */
	for (;;) {
		int best = -1;
		for (int i = 0; i < NAFTER; i++)
			if (c->tips_due[i] != NO_DAY && c->tips_due[i] <= d && (best < 0 || c->tips_due[i] < c->tips_due[best]))
				best = i;
		if (best < 0)
			break;
		c->tips_due[best] = NO_DAY;
		notify(e, "first-week-tips", "App tips", NULL, 0);
	}
	for (int m = 0; m < 2; m++)
		if (c->missions[m].state == M_RUNNING && d > (int64_t)c->missions[m].start + WITHIN[m])
			c->missions[m].state = M_EXPIRED;
	/* the monthly review: up to the metric's rung, or down one (after the 90-day hold) */
	int32_t month = (int32_t)((int64_t)today.y * 12 + today.m - 1);
	if (today.d == 1 && c->status_review != month) {
		c->status_review = month;
		int to = rung_for(STATUS_AT, 3, status_metric(e));
		if (to > c->status)
			ladder_move(e, false, &c->status, &c->status_since, to);
		else if (to < c->status && (c->status_since == NO_DAY || d >= (int64_t)c->status_since + 90))
			ladder_move(e, false, &c->status, &c->status_since, c->status - 1);
	}
	int to = rung_for(RANK_AT, 5, c->xp_earned);
	if (to > c->rank)
		ladder_move(e, true, &c->rank, &c->rank_since, to);
}

/* Days pass for e->c up to `day`, effects stamped no later than `now`. */
static void pass_days(hand_engine *e, int64_t day, int64_t now)
{
	customer *c = e->c;
	if (c->last_day == NO_DAY) {
		c->last_day = (int32_t)day;
		return;
	}
	const char *saved_id = e->event_id;
	int64_t saved_at = e->at, saved_day = e->day;
	e->event_id = NULL;
	e->recent = -1;
	for (int64_t d = (int64_t)c->last_day + 1; d <= day; d++) {
		set_day(e, d);
		e->at = day_start(d);
		if (e->at > now)
			e->at = now;
		one_day(e);
	}
	c->last_day = (int32_t)day;
	e->event_id = saved_id;
	e->at = saved_at;
	set_day(e, saved_day);
}

/* ---- the engine ---- */

hand_engine *hand_new(ludic_effect_fn on_effect, void *user)
{
	hand_engine *e = xcalloc(1, sizeof *e);
	e->on_effect = on_effect;
	e->user = user;
	e->budget_trio = 50000;
	e->budget_spring = 100000;
	e->now = INT64_MIN;
	e->advanced = INT64_MIN;
	return e;
}

void hand_free(hand_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->ncusts; i++)
		free(e->custs[i]);
	for (size_t i = 0; i < e->nstaff; i++)
		free(e->staff[i]);
	free(e->custs);
	free(e->staff);
	free(e->ctab.s);
	free(e->stab.s);
	free(e->buf);
	free(e);
}

static customer *customer_new(hand_engine *e, const char *id, uint64_t h)
{
	e->custs = grow(e->custs, e->ncusts, &e->capcusts, sizeof *e->custs);
	customer *c = xcalloc(1, sizeof *c);
	snprintf(c->id, sizeof c->id, "%s", id);
	c->hash = h;
	c->last_at = INT64_MIN;
	c->eng_last_day = INT64_MIN;
	for (int k = 0; k < NDUP; k++)
		c->dup_at[k] = INT64_MIN;
	c->variant[0] = (uint8_t)variant_of("Zero-wait amount", id, 5000);
	c->variant[1] = (uint8_t)variant_of("Spring challenge", id, 9000);
	c->last_day = c->first_day = c->birthday = NO_DAY;
	c->overlay = -1;
	c->status_since = c->status_review = c->rank_since = NO_DAY;
	c->purchases.last = c->green_returns.last = c->workshops.last = c->points_earned.last = NO_DAY;
	c->streak_last = NO_DAY;
	c->miss_you_base = NO_DAY;
	for (int i = 0; i < NAFTER; i++)
		c->tips_due[i] = NO_DAY;
	for (int i = 0; i < NCAPS; i++)
		c->caps[i].per = INT32_MIN;
	e->custs[e->ncusts++] = c;
	tab_put(&e->ctab, h, (uint32_t)e->ncusts);
	return c;
}

int hand_push(hand_engine *e, const hand_event *ev)
{
	if (ev->at > e->now)
		e->now = ev->at;
	e->event_id = ev->id;
	e->at = ev->at;
	set_day(e, local_day(ev->at));
	e->recent = -1;
	if (!ev->has_customer) {
		e->c = NULL;
		if (ev->type == HE_PURCHASE)
			on_purchase(e, ev);
		else if (ev->type == HE_RETURN)
			on_return(e, ev);
		return LUDIC_ANONYMOUS;
	}
	uint64_t h = id_hash(ev->customer);
	uint32_t i = tab_find(&e->ctab, h, ev->customer, (void *const *)e->custs, offsetof(customer, id));
	customer *c = i ? e->custs[i - 1] : customer_new(e, ev->customer, h);
	if (c->last_at != INT64_MIN && ev->at < c->last_at - LATENESS)
		return LUDIC_REJECTED;
	uint64_t eh = id_hash(ev->id);
	for (int k = 0; k < NDUP; k++)
		if (c->dup_h[k] == eh)
			return LUDIC_DUPLICATE;
	e->c = c;
	if (e->day > c->eng_last_day) {
		pass_days(e, e->day, ev->at);
		c->eng_last_day = e->day;
	}
	if (c->first_day == NO_DAY)
		c->first_day = (int32_t)e->day;
	if (c->last_day < e->day)
		c->last_day = (int32_t)e->day;
	if (c->rec_last_at < ev->at)
		c->rec_last_at = ev->at;
	switch (ev->type) {
	case HE_PURCHASE: on_purchase(e, ev); break;
	case HE_RETURN: on_return(e, ev); break;
	case HE_VISIT: on_visit(e, ev); break;
	case HE_APP: on_app(e, ev); break;
	case HE_SIGNUP: on_signup(e, ev); break;
	case HE_REVIEW: on_review(e); break;
	case HE_REFERRAL: on_referral(e); break;
	case HE_REDEMPTION: on_redemption(e, ev); break;
	case HE_WORKSHOP: on_workshop(e, ev); break;
	case HE_COUNT: break;
	}
	if (ev->at > c->last_at)
		c->last_at = ev->at;
	/* the id joins the recent ones, in place of the oldest */
	int oldest = 0;
	for (int k = 1; k < NDUP; k++)
		if (c->dup_at[k] < c->dup_at[oldest])
			oldest = k;
	c->dup_h[oldest] = eh;
	c->dup_at[oldest] = ev->at;
	return LUDIC_APPLIED;
}

void hand_advance(hand_engine *e, int64_t t)
{
	if (t <= e->advanced)
		return;
	e->advanced = t;
	if (t > e->now)
		e->now = t;
	int64_t day = local_day(t);
	for (size_t i = 0; i < e->ncusts; i++) {
		customer *c = e->custs[i];
		if (c->eng_last_day >= day)
			continue;
		e->c = c;
		pass_days(e, day, t);
		c->eng_last_day = day;
	}
}

size_t hand_state_bytes(const hand_engine *e)
{
	return e->ncusts * sizeof(customer) + e->capcusts * sizeof(customer *) + e->nstaff * sizeof(staff) +
	       e->capstaff * sizeof(staff *) + (e->ctab.s ? (e->ctab.mask + 1) * sizeof(slot) : 0) +
	       (e->stab.s ? (e->stab.mask + 1) * sizeof(slot) : 0);
}

size_t hand_customers(const hand_engine *e)
{
	return e->ncusts;
}

bool hand_customer(hand_engine *e, size_t i, hand_view *out)
{
	if (i >= e->ncusts)
		return false;
	customer *c = e->custs[i];
	memset(out, 0, sizeof *out);
	out->id = c->id;
	out->last_event_at = c->rec_last_at;
	out->wallets[0] = (hand_wallet_view){"points", c->points.balance, c->points.pending, c->points.earned};
	out->wallets[1] = (hand_wallet_view){"eco", c->eco.balance, 0, c->eco.earned};
	out->wallets[2] = (hand_wallet_view){"xp", c->xp, 0, c->xp_earned};
	int64_t now = e->now == INT64_MIN ? 0 : e->now, today = local_day(now);
	out->status = c->status >= 0 ? STATUS[c->status] : NULL;
	out->rank = c->rank >= 0 ? RANK[c->rank] : NULL;
	out->status_metric = win_get_sum(&c->points_earned, week_of(today));
	out->rank_metric = c->xp_earned;
	for (int m = 0; m < 2; m++) {
		const mission *ms = &c->missions[m];
		out->missions[m].done = ms->state == M_DONE ? 3 : ms->step;
		out->missions[m].started = ms->state != M_NEW && ms->state != M_OUT;
		out->missions[m].complete = ms->state == M_DONE;
		out->missions[m].expired = ms->state == M_EXPIRED;
		out->missions[m].count = ms->state == M_RUNNING ? ms->count : 0;
	}
	int64_t week = week_of(today);
	bool broken = c->streak_last == NO_DAY || week - c->streak_last - 1 > 1 - (int64_t)c->streak_missed;
	out->streak_length = broken ? 0 : c->streak_len;
	out->streak_grace_used = broken ? 0 : c->streak_missed;
	for (int b = 0; b < 6; b++)
		if (c->badges & (1u << b))
			out->badges[out->nbadges++] = BADGE[b];
	static const char *const unit[] = {"day", "week", "month", "year", "customer"};
	hand_engine probe = *e;
	set_day(&probe, today);
	for (int k = 0; k < NCAPS; k++) {
		if (c->caps[k].per != period(&probe, capdefs[k].unit) || !c->caps[k].used)
			continue;
		out->caps[out->ncaps].rule = capdefs[k].rule;
		out->caps[out->ncaps].period = unit[capdefs[k].unit];
		out->caps[out->ncaps].used = c->caps[k].used;
		out->caps[out->ncaps].limit = capdefs[k].limit;
		out->ncaps++;
	}
	out->variants[0] = c->variant[0] ? "generous" : "control";
	out->variants[1] = c->variant[1] ? "without" : "with";
	return true;
}

/* ---- JSON in ---- */

static inline bool key_is(const char *s, const jsmntok_t *t, const char *k)
{
	size_t n = __builtin_strlen(k); /* a constant: folded */
	return (size_t)(t->end - t->start) == n && t->type == JSMN_STRING && s[t->start] == k[0] &&
	       !memcmp(s + t->start, k, n);
}

/* A NUL-terminated copy of string token t at *buf. */
static int copy_str(const char *s, const jsmntok_t *t, const char **out, char **buf)
{
	if (t->type != JSMN_STRING)
		return -1;
	size_t n = (size_t)(t->end - t->start);
	memcpy(*buf, s + t->start, n);
	(*buf)[n] = '\0';
	*out = *buf;
	*buf += n + 1;
	return 0;
}

/* A money token (a JSON number) in cents. */
static int parse_money(const char *s, const jsmntok_t *t, int64_t *out)
{
	return t->type == JSMN_PRIMITIVE ? sc_parse_money(s + t->start, (size_t)(t->end - t->start), out) : -1;
}

static int tok_len(const jsmntok_t *t) { return t->end - t->start; }

/* The token after the value at token i (tokens come in order of their start). */
static int after(const jsmntok_t *t, int n, int i)
{
	int j = i + 1;
	while (j < n && t[j].start < t[i].end)
		j++;
	return j;
}

static int enum_of(const char *s, const jsmntok_t *t, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (key_is(s, t, names[i]))
			return i;
	return -1;
}

static int parse_lines(const char *s, const jsmntok_t *tok, int n, int i, hand_event *ev)
{
	const jsmntok_t *arr = &tok[i];
	if (arr->type != JSMN_ARRAY)
		return -1;
	int j = i + 1;
	for (int k = 0; k < arr->size; k++) {
		const jsmntok_t *o = &tok[j];
		if (o->type != JSMN_OBJECT)
			return -1;
		int m = j + 1;
		bool garden = false, kitchen = false, have_price = false;
		int64_t price = 0;
		for (int f = 0; f < o->size; f++) {
			const jsmntok_t *kt = &tok[m], *vt = &tok[m + 1];
			if (key_is(s, kt, "category")) {
				garden = key_is(s, vt, "garden");
				kitchen = key_is(s, vt, "kitchen");
			} else if (key_is(s, kt, "price")) {
				if (parse_money(s, vt, &price))
					return -1;
				have_price = true;
			} else if (key_is(s, kt, "tags") && vt->type == JSMN_ARRAY) {
				for (int g = 0; g < vt->size; g++)
					if (key_is(s, &tok[m + 2 + g], "sustainable"))
						ev->sustainable = true;
			}
			m = after(tok, n, m + 1);
		}
		if (!have_price)
			return -1;
		if (garden) {
			ev->garden += price;
			ev->garden_lines++;
		}
		if (kitchen)
			ev->kitchen += price;
		j = m;
	}
	return 0;
}

int hand_parse_json(const char *s, size_t len, hand_event *ev, char *buf, const char **why)
{
	static const char *const types[HE_COUNT] = {"purchase", "return", "visit", "app", "signup",
						    "review", "referral", "redemption", "workshop"};
	static const char *const channels[] = {"store", "web", "app"};
	static const char *const payments[] = {"card", "cash", "mobile_wallet", "bank_app", "gift_card", "voucher", "points"};
	static const char *const checkouts[] = {"till", "self_checkout", "click_collect", "home_delivery"};
	static const char *const actions[] = {"refund", "exchange", "repair", "resale", "refill", "recycle"};
	static const char *const kinds[] = {"pruning", "composting", "seed_swap"};
	jsmntok_t tok[512];
	jsmn_parser p;
	jsmn_init(&p);
	int n = jsmn_parse(&p, s, len, tok, sizeof tok / sizeof *tok);
	memset(ev, 0, sizeof *ev);
	ev->id = ev->customer = ev->staff = ev->store = ev->region = ev->text = ev->original = "";
	ev->type = HE_COUNT;
	ev->channel = ev->payment = ev->checkout = ev->action = ev->kind = -1;
	*why = "not a JSON object";
	if (n < 1 || tok[0].type != JSMN_OBJECT)
		return -1;
	/* a comma before a closing bracket is not JSON (jsmn lets it pass) */
	for (int i = 0; i < n; i++) {
		if (tok[i].type != JSMN_OBJECT && tok[i].type != JSMN_ARRAY)
			continue;
		int k = tok[i].end - 2;
		while (k > tok[i].start && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'))
			k--;
		if (k > tok[i].start && s[k] == ',') {
			*why = "a trailing comma";
			return -1;
		}
	}
	bool have_at = false, have_id = false;
	for (int i = 1, k = 0; k < tok[0].size; k++) {
		const jsmntok_t *kt = &tok[i], *vt = &tok[i + 1];
		int next = after(tok, n, i + 1);
		const char *v = s + vt->start;
		size_t vn = (size_t)tok_len(vt);
		int bad = 0;
		if (key_is(s, kt, "type"))
			ev->type = (he_type)(enum_of(s, vt, types, HE_COUNT) < 0 ? HE_COUNT : enum_of(s, vt, types, HE_COUNT));
		else if (key_is(s, kt, "id"))
			bad = copy_str(s, vt, &ev->id, &buf), have_id = true;
		else if (key_is(s, kt, "customer"))
			bad = copy_str(s, vt, &ev->customer, &buf), ev->has_customer = true;
		else if (key_is(s, kt, "at"))
			bad = vt->type != JSMN_STRING || sc_parse_time(v, vn, &ev->at), have_at = true;
		else if (key_is(s, kt, "lines"))
			bad = parse_lines(s, tok, n, i + 1, ev);
		else if (key_is(s, kt, "total") || key_is(s, kt, "value"))
			bad = parse_money(s, vt, &ev->money);
		else if (key_is(s, kt, "channel"))
			bad = (ev->channel = (int8_t)enum_of(s, vt, channels, 3)) < 0;
		else if (key_is(s, kt, "payment"))
			bad = (ev->payment = (int8_t)enum_of(s, vt, payments, 7)) < 0;
		else if (key_is(s, kt, "checkout"))
			bad = (ev->checkout = (int8_t)enum_of(s, vt, checkouts, 4)) < 0;
		else if (key_is(s, kt, "store"))
			bad = copy_str(s, vt, &ev->store, &buf);
		else if (key_is(s, kt, "region"))
			bad = copy_str(s, vt, &ev->region, &buf);
		else if (key_is(s, kt, "staff"))
			bad = copy_str(s, vt, &ev->staff, &buf), ev->has_staff = true;
		else if (key_is(s, kt, "pickup"))
			bad = vt->type != JSMN_STRING || sc_parse_duration(v, vn, &ev->pickup), ev->has_pickup = true;
		else if (key_is(s, kt, "birthday"))
			bad = vt->type != JSMN_STRING || sc_parse_date(v, vn, &ev->birthday), ev->has_birthday = true;
		else if (key_is(s, kt, "kind"))
			bad = (ev->kind = (int8_t)enum_of(s, vt, kinds, 3)) < 0;
		else if (key_is(s, kt, "action") || key_is(s, kt, "item"))
			bad = copy_str(s, vt, &ev->text, &buf);
		else if (key_is(s, kt, "original"))
			bad = copy_str(s, vt, &ev->original, &buf), ev->has_original = true;
		if (bad) {
			*why = "a field has a value of the wrong kind";
			return -1;
		}
		i = next;
	}
	if (ev->type == HE_RETURN) { /* a return's action is a choice */
		for (int a = 0; a < 6; a++)
			if (!strcmp(ev->text, actions[a]))
				ev->action = (int8_t)a;
		if (ev->action < 0) {
			*why = "a return's action is not one of its choices";
			return -1;
		}
	}
	*why = "an unknown event type, or no id or time";
	if (ev->type == HE_COUNT || !have_at || !have_id)
		return -1;
	return 0;
}

int hand_push_json(hand_engine *e, const char *line, size_t len)
{
	hand_event ev;
	const char *why;
	if (len + 8 > e->bufcap) {
		free(e->buf);
		e->bufcap = len + 4096;
		e->buf = xcalloc(e->bufcap, 1);
	}
	size_t k = 0;
	while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
		k++;
	if (k == len)
		return LUDIC_BLANK;
	if (hand_parse_json(line, len, &ev, e->buf, &why))
		return LUDIC_REJECTED;
	return hand_push(e, &ev);
}
