/* retailer.h — the retailer programme (examples/retailer/: base.ludic and
 * the north.ludic overlay) written by hand in C, as the baseline of the
 * benchmark: plain structs per customer, one hash table keyed by customer
 * id, no interpretation.
 *
 * It gives the same effects, in the same order, as ludic on every event the
 * benchmark feeds it (bench/gen.c's stream and examples/retailer/events.jsonl);
 * bench/suite.c checks that, effect by effect and customer by customer,
 * before it times anything. Effects come out as ludic_effect (include/ludic.h)
 * so the two can be compared field by field. Only ludic's public types are
 * used: the rules, the time zone (Europe/Paris), the SipHash-1-3 split of the
 * experiments and every mechanic are written out here.
 */
#ifndef LUDIC_BENCH_RETAILER_H
#define LUDIC_BENCH_RETAILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ludic.h"

/* ---- events ---- */

typedef enum {
	HE_PURCHASE, HE_RETURN, HE_VISIT, HE_APP, HE_SIGNUP, HE_REVIEW, HE_REFERRAL, HE_REDEMPTION, HE_WORKSHOP,
	HE_COUNT
} he_type;

enum { CH_STORE, CH_WEB, CH_APP };                                   /* channel */
enum { PAY_CARD, PAY_CASH, PAY_MOBILE_WALLET, PAY_BANK_APP, PAY_GIFT_CARD, PAY_VOUCHER, PAY_POINTS }; /* payment */
enum { CO_TILL, CO_SELF_CHECKOUT, CO_CLICK_COLLECT, CO_HOME_DELIVERY }; /* checkout */
enum { RA_REFUND, RA_EXCHANGE, RA_REPAIR, RA_RESALE, RA_REFILL, RA_RECYCLE }; /* return action */
enum { WK_PRUNING, WK_COMPOSTING, WK_SEED_SWAP };                    /* workshop kind */

#define HE_STR 64 /* customer and staff ids are kept up to 63 bytes */

/* One event, already decoded: what the rules read, nothing more. Strings
 * are NUL-terminated and stay the caller's ("" when absent). */
typedef struct hand_event {
	he_type type;
	bool has_customer, has_staff, has_pickup, has_original, has_birthday;
	const char *id, *customer, *staff, *store, *region;
	const char *text;        /* app, return: action; redemption: item */
	const char *original;    /* return: the purchase's id */
	int64_t at;              /* Unix seconds */
	int64_t money;           /* purchase: total; return: value (cents) */
	int64_t garden, kitchen; /* the basket's lines: price of garden / kitchen lines (cents) */
	int32_t garden_lines;    /* lines of category "garden" */
	bool sustainable;        /* a line tagged "sustainable" */
	int8_t channel, payment, checkout, action, kind; /* the enums above; action for return */
	int64_t pickup;          /* seconds */
	int64_t birthday;        /* days since 1970-01-01 */
} hand_event;

/* Decodes one JSON line (docs/events.md) with jsmn. Strings are copied,
 * NUL-terminated, into `buf` (at least len + 8 bytes). Returns 0, or -1 when
 * the line is not an event this programme takes (then `why` says why). */
int hand_parse_json(const char *line, size_t len, hand_event *ev, char *buf, const char **why);

/* ---- the engine ---- */

typedef struct hand_engine hand_engine;

hand_engine *hand_new(ludic_effect_fn on_effect, void *user);
void hand_free(hand_engine *e);

/* Applies one event; returns a ludic_push_result (LUDIC_APPLIED, ...). */
int hand_push(hand_engine *e, const hand_event *ev);
/* One JSON line: decode, then push. A line that does not decode is
 * LUDIC_REJECTED (blank lines: LUDIC_BLANK). */
int hand_push_json(hand_engine *e, const char *line, size_t len);
/* Time passes for every customer up to `t` (ludic_engine_advance). */
void hand_advance(hand_engine *e, int64_t t);

/* Bytes held for customers, staff and the tables. */
size_t hand_state_bytes(const hand_engine *e);
size_t hand_customers(const hand_engine *e);

/* ---- state, for the comparison with ludic_engine_customer ---- */

typedef struct hand_wallet_view {
	const char *wallet;
	long long balance, pending, earned;
} hand_wallet_view;

typedef struct hand_view {
	const char *id;
	long long last_event_at;
	hand_wallet_view wallets[3];      /* points, eco, xp */
	const char *status, *rank;        /* rungs */
	long long status_metric, rank_metric;
	struct { unsigned done; bool started, complete, expired; unsigned count; } missions[2];
	unsigned streak_length, streak_grace_used;
	const char *badges[6]; size_t nbadges;
	struct { const char *rule, *period; long long used, limit; } caps[24]; size_t ncaps;
	const char *variants[2];          /* variant names */
} hand_view;

/* The i-th customer (in the order they first appeared), at the engine's
 * current time. false when i is out of range. */
bool hand_customer(hand_engine *e, size_t i, hand_view *out);

#endif
