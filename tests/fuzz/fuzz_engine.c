/* fuzz_engine.c — libFuzzer target: arbitrary event streams through the
 * engine, on the retailer's programme.
 *
 * Build: CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *        ninja -C build-fuzz fuzz_engine
 * Run:   build-fuzz/fuzz_engine -max_total_time=60 -max_len=8192 CORPUS_DIR
 *        (./do fuzz seeds the corpus with examples/retailer/events.jsonl)
 *
 * The program (examples/retailer/, the base and its northern overlay) is
 * compiled once through the public API. Each input is a stream: it is split
 * at newlines and every line is pushed to a new engine, as `ludic run` does;
 * then time is let pass 400 days beyond the last event, so that every
 * expiry, release, review and time-driven rule runs too. The target checks
 * what must hold whatever the events: a push returns one of the documented
 * results; every effect moves a positive amount where it moves one and
 * leaves no balance below zero; a reject has a code and a message; every
 * event is counted as exactly one of applied, anonymous, duplicate or
 * rejected; and every customer seen ends with no balance or pending amount
 * below zero. The
 * sanitizers watch memory.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ludic.h"

#ifndef LUDIC_SOURCE_DIR
#error "LUDIC_SOURCE_DIR must name the source tree (meson.build defines it)"
#endif

/* Built on the first input and kept: libFuzzer has no tear-down hook. */
static ludic_program *program(void)
{
	static ludic_program *p;
	if (!p) {
		ludic_compiler *c = ludic_compiler_new();
		if (!c || ludic_compiler_add_file(c, LUDIC_SOURCE_DIR "/examples/retailer/base.ludic", 0) != LUDIC_OK ||
		    ludic_compiler_add_file(c, LUDIC_SOURCE_DIR "/examples/retailer/north.ludic", 0) != LUDIC_OK ||
		    ludic_program_new(c, &p) != LUDIC_OK)
			abort();
		ludic_compiler_free(c);
	}
	return p;
}

/* The customers the stream named (first 64, copied), and the latest time seen. */
typedef struct seen {
	char ids[64][64];
	size_t n;
	long long latest;
} seen;

static void on_effect(void *user, const ludic_effect *fx)
{
	seen *s = user;
	if ((unsigned)fx->kind >= LUDIC_EFFECT_KIND_COUNT || !fx->customer)
		abort();
	switch (fx->kind) {
	case LUDIC_EFFECT_AWARD:
	case LUDIC_EFFECT_DEBIT:
	case LUDIC_EFFECT_EXPIRE:
	case LUDIC_EFFECT_REVERSE:
	case LUDIC_EFFECT_RELEASE:
	case LUDIC_EFFECT_REDEMPTION:
		if (!fx->wallet || fx->amount <= 0 || fx->balance < 0)
			abort();
		break;
	case LUDIC_EFFECT_REFUSAL:
		if (!fx->reason || !*fx->reason)
			abort();
		break;
	default:
		break;
	}
	char json[4096];
	if (ludic_effect_to_json(fx, json, sizeof json) == 0)
		abort();
	if (fx->at > s->latest)
		s->latest = fx->at;
	if (!fx->staff && s->n < 64 && strlen(fx->customer) < 64) {
		for (size_t i = 0; i < s->n; i++)
			if (strcmp(s->ids[i], fx->customer) == 0)
				return;
		strcpy(s->ids[s->n++], fx->customer);
	}
}

static void on_reject(void *user, const ludic_reject *r)
{
	(void)user;
	if (!r->code || !*r->code || !r->message || !*r->message)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ludic_program *p = program();
	seen s = {.n = 0, .latest = 0};
	/* the interpreter: thousands of engines a second (native code is compared
	 * with it by tests/diff, on random programs and streams) */
	ludic_engine_options opt = {.on_effect = on_effect, .effect_user = &s, .on_reject = on_reject,
				    .engine = LUDIC_ENGINE_INTERP};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK)
		abort();
	const char *text = (const char *)data;
	size_t start = 0;
	unsigned long long line = 0;
	while (start <= size) {
		const char *nl = memchr(text + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - text) : size;
		int r = ludic_engine_push_json(e, text + start, end - start, ++line);
		if (r < LUDIC_APPLIED || r > LUDIC_BLANK)
			abort();
		if (!nl)
			break;
		start = end + 1;
	}
	/* let every timer fall due: expiry, release, reviews, time-driven rules */
	if (s.latest > 0 && s.latest < 253402300799LL - 400LL * 86400)
		ludic_engine_advance(e, s.latest + 400LL * 86400);
	for (size_t i = 0; i < s.n; i++) {
		ludic_customer_view v;
		if (ludic_engine_customer(e, s.ids[i], strlen(s.ids[i]), &v) != LUDIC_OK)
			abort();
		for (size_t w = 0; w < v.nbalances; w++)
			if (v.balances[w].balance < 0 || v.balances[w].pending < 0)
				abort();
	}
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	if (st.applied + st.anonymous + st.duplicates + st.rejected != st.events)
		abort(); /* every event is accounted for, once */
	ludic_engine_free(e);
	return 0;
}
