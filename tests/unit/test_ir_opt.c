/* test_ir_opt.c — the peephole pass (compiler/ir.c, ir_optimize) keeps what
 * programs do. The loops over basket lines it turns into LSCAN ops are run
 * on baskets whose results are worked out by hand here; the IR is checked
 * to hold the fused ops, so that these tests exercise them. */
#include "vm_harness.h"

#include "../../compiler/ir.h"

#define HDR "program \"t\"\nuse retail\ncurrency EUR\nwallet points\n"
#define LINE(cat, tags, price) \
	"{\"sku\":\"P1\",\"category\":\"" cat "\",\"tags\":[" tags "],\"quantity\":1,\"unit_price\":" price ",\"price\":" price "}"
#define BUY(id, lines, total)                                                                                           \
	"{\"type\":\"purchase\",\"id\":\"" id "\",\"customer\":\"c1\",\"at\":\"2027-03-05T10:00:00Z\",\"channel\":\"store\"," \
	"\"payment\":\"card\",\"checkout\":\"till\",\"store\":\"S1\",\"region\":\"south\",\"lines\":[" lines "],\"total\":" total "}"

#define RULES                                                                                                          \
	HDR "rule \"Any\" on purchase where any(lines where category = \"garden\"):\n  award 1 points\n"               \
	    "rule \"Sum\" on purchase:\n  award sum(price of lines where category = \"garden\") / 1 EUR points\n"      \
	    "rule \"Count\" on purchase where count(lines where category = \"garden\") >= 2:\n  award 7 points\n"      \
	    "rule \"Eco\" on purchase:\n  award sum(price of lines where \"eco\" in tags) / 1 EUR points\n"            \
	    "rule \"Eco any\" on purchase where any(lines where \"eco\" in tags):\n  award 100 points\n"

static int count_op(const rt_program *p, int rec, ir_opcode op)
{
	int n = 0;
	for (uint32_t i = 0; i < p->events[rec].nops; i++)
		n += p->events[rec].ops[i].op == op;
	return n;
}

/* The amount awarded by rule `rule` in the last run, 0 if none. */
static int64_t awarded(const harness *h, int32_t rule)
{
	for (int i = 0; i < h->nfx; i++)
		if (h->fx[i].kind == RT_FX_AWARD && h->fx[i].rule == rule)
			return h->fx[i].amount;
	return 0;
}

Test(ir_opt, line_loops_fuse)
{
	harness h;
	h_init(&h, RULES);
	/* five loops, none left as ELEM loops */
	cr_assert_eq(count_op(h.p, h.p->purchase_ev, IR_LSCAN), 5);
	cr_assert_eq(count_op(h.p, h.p->purchase_ev, IR_ELEM), 0);
	h_free(&h);
}

Test(ir_opt, line_loops_by_hand)
{
	harness h;
	h_init(&h, RULES);
	/* garden 10.00 (eco), kitchen 5.50, garden 2.25 (eco, new) */
	h_run(&h, BUY("e1", LINE("garden", "\"eco\"", "10.00") "," LINE("kitchen", "", "5.50") ","
				LINE("garden", "\"new\",\"eco\"", "2.25"), "17.75"));
	cr_assert_eq(awarded(&h, 0), 1);   /* a garden line */
	cr_assert_eq(awarded(&h, 1), 12);  /* 12.25 EUR of garden, rounded down */
	cr_assert_eq(awarded(&h, 2), 7);   /* two garden lines */
	cr_assert_eq(awarded(&h, 3), 12);  /* 12.25 EUR tagged eco */
	cr_assert_eq(awarded(&h, 4), 100);
	/* one kitchen line, no tags: nothing but... nothing */
	h_run(&h, BUY("e2", LINE("kitchen", "", "40.00"), "40.00"));
	cr_assert_eq(h.nfx, 0);
	/* no lines at all */
	h_run(&h, BUY("e3", "", "0.00"));
	cr_assert_eq(h.nfx, 0);
	/* one garden line, the tag in second place: any, sum, no count */
	h_run(&h, BUY("e4", LINE("garden", "\"x\",\"eco\"", "3.99"), "3.99"));
	cr_assert_eq(awarded(&h, 0), 1);
	cr_assert_eq(awarded(&h, 1), 3);
	cr_assert_eq(awarded(&h, 2), 0);
	cr_assert_eq(awarded(&h, 3), 3);
	cr_assert_eq(awarded(&h, 4), 100);
	/* "Garden" is not "garden", "gardens" neither, nor "eco " */
	h_run(&h, BUY("e5", LINE("Garden", "\"eco \"", "9.00") "," LINE("gardens", "", "9.00"), "18.00"));
	cr_assert_eq(h.nfx, 0);
	h_free(&h);
}

/* Loops whose body does more than one test are left alone, and still right. */
Test(ir_opt, other_loops_unchanged)
{
	harness h;
	h_init(&h, HDR "rule \"Two\" on purchase:\n"
		       "  award sum(price of lines where category = \"garden\" and quantity >= 2) / 1 EUR points\n");
	cr_assert_eq(count_op(h.p, h.p->purchase_ev, IR_LSCAN), 0);
	h_run(&h, BUY("e1",
		      "{\"sku\":\"P1\",\"category\":\"garden\",\"tags\":[],\"quantity\":2,\"unit_price\":5.00,\"price\":10.00},"
		      "{\"sku\":\"P2\",\"category\":\"garden\",\"tags\":[],\"quantity\":1,\"unit_price\":7.00,\"price\":7.00}",
		      "17.00"));
	cr_assert_eq(awarded(&h, 0), 10);
	h_free(&h);
}

/* The same scan in several rules is done once at the start and copied:
 * every rule still sees it, whichever rules ran before. */
Test(ir_opt, repeated_scans_hoisted)
{
	harness h;
	h_init(&h, HDR "rule \"A\" on purchase where total >= 100 EUR:\n"
		       "  award sum(price of lines where category = \"garden\") / 1 EUR points\n"
		       "rule \"B\" on purchase where sum(price of lines where category = \"garden\") >= 5 EUR:\n"
		       "  award 2 points\n"
		       "rule \"C\" on purchase:\n  award sum(price of lines where category = \"garden\") / 2 EUR points\n");
	/* one scan at the start, the three places copy it */
	cr_assert_eq(count_op(h.p, h.p->purchase_ev, IR_LSCAN), 1);
	cr_assert_eq(h.p->events[h.p->purchase_ev].ops[0].op, IR_LSCAN);
	/* A does not apply (total < 100): B and C still see 12.25 EUR of garden */
	h_run(&h, BUY("e1", LINE("garden", "", "10.00") "," LINE("kitchen", "", "5.50") "," LINE("garden", "", "2.25"),
		      "17.75"));
	cr_assert_eq(awarded(&h, 0), 0);
	cr_assert_eq(awarded(&h, 1), 2);
	cr_assert_eq(awarded(&h, 2), 6); /* 12.25 / 2 = 6.125 -> 6 */
	/* A applies: 150.00 of garden */
	h_run(&h, BUY("e2", LINE("garden", "", "150.00"), "150.00"));
	cr_assert_eq(awarded(&h, 0), 150);
	cr_assert_eq(awarded(&h, 1), 2);
	cr_assert_eq(awarded(&h, 2), 75);
	h_free(&h);
}
