/* vm_harness.h — compiles program text and runs JSON lines through
 * rt_exec, collecting effects (shared by test_vm.c and test_lower.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "decode.h"
#include "exec.h"
#include "siphash.h"
#include "mech.h"

#define MAXFX 64
typedef struct harness {
	compilation c;
	rt_program *p;
	uint8_t *st;
	_Alignas(8) uint8_t staff[2048]; /* one staff member's record (h_init checks it fits) */
	int64_t budgets[16];
	uint16_t variants[8];
	rt_exec x;
	rt_decoder *d;
	rt_effect fx[MAXFX];
	int64_t arg0[MAXFX];  /* the first notify argument's value (fx[i].args lives only during the call) */
	int nfx;
} harness;

static void h_emit(void *u, const rt_effect *fx)
{
	harness *h = u;
	if (h->nfx < MAXFX) {
		h->arg0[h->nfx] = fx->nargs ? fx->args[0].v : 0;
		h->fx[h->nfx++] = *fx;
	}
}

static uint8_t *h_staff(void *u, rt_str id)
{
	(void)id;
	return ((harness *)u)->staff;
}

/* Compiles `text` (and `overlay`, a second file, if not NULL) and makes a new customer. */
static inline void h_init2(harness *h, const char *text, const char *overlay)
{
	memset(h, 0, sizeof *h);
	cmp_init(&h->c);
	cmp_add_text(&h->c, "t.ludic", text, strlen(text), false);
	if (overlay)
		cmp_add_text(&h->c, "o.ludic", overlay, strlen(overlay), false);
	cmp_check(&h->c);
	cr_assert(h->c.result->ok, "program does not check");
	h->p = rt_program_build(&h->c.a, h->c.result);
	cr_assert(h->p);
	h->st = calloc(1, rt_program_state_size(h->p));
	rt_state_init(h->p, h->st);
	cr_assert_leq(rt_program_staff_size(h->p), sizeof h->staff);
	if (rt_program_staff_size(h->p))
		rt_staff_init(h->p, h->staff);
	for (uint32_t i = 0; i < rt_program_budget_count(h->p); i++)
		h->budgets[i] = rt_program_budget(h->p, i);
	h->x = (rt_exec){.prog = h->p, .state = h->st, .customer = {"c1", 2}, .variants = h->variants,
			 .budgets = h->budgets, .staff_state = h_staff, .emit = h_emit, .user = h};
	h->d = rt_decoder_new(rt_program_schema(h->p));
}

static inline void h_init(harness *h, const char *text)
{
	h_init2(h, text, NULL);
}

static inline void h_free(harness *h)
{
	rt_decoder_free(h->d);
	rt_program_free(h->p);
	free(h->st);
	cmp_release(&h->c);
}

/* Runs one JSON line (days pass first, as the engine does); returns the effects' count. */
static inline int h_run(harness *h, const char *line)
{
	h->nfx = 0;
	rt_event ev;
	rt_reject why;
	rt_decode_status s = rt_decode_json(h->d, line, strlen(line), &ev, &why);
	cr_assert_eq(s, RT_DECODE_OK, "decode: %s", why.message);
	int64_t at = ev.values[1 + RT_FIELD_AT].i;
	rt_exec_days(&h->x, rt_program_day(h->p, at), at);
	cr_assert_eq(rt_exec_event(&h->x, &ev), 0);
	return h->nfx;
}

/* Lets days pass up to the day of RFC 3339 time `t`. */
static inline int h_days(harness *h, const char *t)
{
	h->nfx = 0;
	int64_t at;
	cr_assert(clk_parse_rfc3339(t, strlen(t), &at, NULL));
	rt_exec_days(&h->x, rt_program_day(h->p, at), at);
	return h->nfx;
}

static inline int64_t h_balance(harness *h, uint32_t w)
{
	return rt_balance(h->p, h->st, w);
}
