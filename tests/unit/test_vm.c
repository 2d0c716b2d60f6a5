/* test_vm.c — small programs compiled from text and run on one customer's
 * record; every expected effect is computed by hand from docs/language.md
 * and the decided semantics of the runtime brief. */
#include "vm_harness.h"

#define HDR "program \"t\"\nuse retail\n"
#define P(id, at, extra)                                                                                       \
	"{\"type\":\"purchase\",\"id\":\"" id "\",\"customer\":\"c1\",\"at\":\"" at "\",\"channel\":\"store\","  \
	"\"payment\":\"card\",\"store\":\"S1\",\"region\":\"south\",\"lines\":[]," extra "}"

Test(siphash, published_vectors)
{
	/* SipHash-2-4, key 00..0f, message 00..0e (the paper's appendix A) */
	unsigned char key[16], msg[15];
	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (unsigned char)i;
	uint64_t k0 = 0, k1 = 0;
	for (int i = 7; i >= 0; i--) {
		k0 = (k0 << 8) | key[i];
		k1 = (k1 << 8) | key[8 + i];
	}
	cr_assert_eq(rt_siphash(2, 4, k0, k1, msg, 15), UINT64_C(0xa129ca6149be45e5));
	/* the empty message, from the reference vectors.h (vectors_sip64[0]) */
	cr_assert_eq(rt_siphash(2, 4, k0, k1, msg, 0), UINT64_C(0x726fdb47dd0e0e31));
	/* SipHash-1-3 is a different function: it must differ from 2-4 */
	cr_assert_neq(rt_siphash(1, 3, k0, k1, msg, 15), UINT64_C(0xa129ca6149be45e5));
}

/* The variant hash: SipHash-1-3 keyed with "ludic-variants!!" over the
 * experiment's name, a NUL and the customer's id. The expected values come
 * from an independent implementation of the paper's algorithm (checked on
 * the 2-4 vector above) with that key: if this test fails, customers would
 * move between variants, which must never happen. */
Test(siphash, variant_key_is_fixed)
{
	cr_assert_eq(rt_hash2("Zero-wait amount", 16, "c1", 2), UINT64_C(0xa683c2441cd9a7dd));
	cr_assert_eq(rt_hash2("Zero-wait amount", 16, "c-1001", 6), UINT64_C(0x6456c87a6e2daaff));
}

Test(vm, award_multipliers_rounding)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "rule \"Base\" on purchase:\n  award total / 1 EUR points\n    times 2 when checkout = click_collect\n"
		   "    times 1.5 when channel = web\n"
		   "rule \"Up\" on purchase:\n  award total / 10 EUR points rounded up\n");
	cr_assert_eq(h_run(&h, P("e1", "2027-03-05T10:00:00Z", "\"total\":23.40,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].amount, 23);        /* 23.4 rounded down */
	cr_assert_eq(h.fx[1].amount, 3);         /* 2.34 rounded up */
	cr_assert_eq(h.fx[1].balance, 26);
	/* 23.40 x 2 x 1.5 = 70.2 -> 70 */
	h_run(&h, "{\"type\":\"purchase\",\"id\":\"e2\",\"customer\":\"c1\",\"at\":\"2027-03-05T11:00:00Z\","
		  "\"channel\":\"web\",\"payment\":\"card\",\"store\":\"S1\",\"region\":\"south\",\"lines\":[],"
		  "\"total\":23.40,\"checkout\":\"click_collect\"}");
	cr_assert_eq(h.fx[0].amount, 70);
	h_free(&h);
}

Test(vm, caps_reset_at_period_and_once)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "rule \"Daily\" on purchase:\n  award 5 points\n  limit 1 per day\n"
		   "rule \"Once\" on purchase:\n  award 7 points\n  once\n"
		   "rule \"Capped\" on purchase:\n  award total / 1 EUR points\n  limit 30 points per week\n");
	cr_assert_eq(h_run(&h, P("e1", "2027-03-01T23:00:00Z", "\"total\":20,\"checkout\":\"till\"")), 3);
	cr_assert_eq(h.fx[0].amount, 5);
	cr_assert_eq(h.fx[1].amount, 7);
	cr_assert_eq(h.fx[2].amount, 20);
	/* same day: daily used, once used; 10 of 30 left this week */
	cr_assert_eq(h_run(&h, P("e2", "2027-03-01T23:30:00Z", "\"total\":20,\"checkout\":\"till\"")), 1);
	cr_assert_eq(h.fx[0].amount, 10);
	cr_assert_eq(h.fx[0].rule, 2);
	/* next day (still the same ISO week): daily again; weekly cap used up */
	cr_assert_eq(h_run(&h, P("e3", "2027-03-02T00:00:01Z", "\"total\":20,\"checkout\":\"till\"")), 1);
	cr_assert_eq(h.fx[0].amount, 5);
	/* next Monday: the weekly cap starts again */
	cr_assert_eq(h_run(&h, P("e4", "2027-03-08T08:00:00Z", "\"total\":40,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[1].amount, 30);
	h_free(&h);
}

Test(vm, group_keep_best_and_first)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "group \"G\" keep best {\n"
		   "  rule \"Small\" on purchase:\n    award 10 points\n    limit 1 per day\n"
		   "  rule \"Big\" on purchase where total >= 100 EUR:\n    award 25 points\n    limit 1 per day\n}\n"
		   "group \"F\" keep first {\n"
		   "  rule \"A\" on purchase where channel = app:\n    award 3 points\n    unlimited\n"
		   "  rule \"B\" on purchase:\n    award 4 points\n    unlimited\n}\n");
	cr_assert_eq(h_run(&h, P("e1", "2027-03-01T10:00:00Z", "\"total\":120,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].amount, 25);
	cr_assert_eq(h.fx[1].amount, 4);
	/* "Big" used its daily cap; "Small" did not act, so its cap is unused */
	cr_assert_eq(h_run(&h, P("e2", "2027-03-01T11:00:00Z", "\"total\":120,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].amount, 10);
	h_free(&h);
}

Test(vm, expiry_and_pending)
{
	harness h;
	h_init(&h, HDR "wallet points expires 1 months after earning pending 14 days\n"
		   "rule \"Base\" on purchase:\n  award total / 1 EUR points\n");
	h_run(&h, P("e1", "2027-01-31T10:00:00Z", "\"total\":50,\"checkout\":\"till\""));
	cr_assert_eq(h.fx[0].amount, 50);
	cr_assert_eq(h.fx[0].balance, 0);  /* pending */
	cr_assert_eq(h_days(&h, "2027-02-13T12:00:00Z"), 0);
	cr_assert_eq(h_days(&h, "2027-02-14T00:00:00Z"), 1); /* 31 Jan + 14 days */
	cr_assert_eq(h.fx[0].kind, RT_FX_RELEASE);
	cr_assert_eq(h.fx[0].balance, 50);
	/* expires 31 Jan + 1 month = 28 Feb (clamped) */
	cr_assert_eq(h_days(&h, "2027-02-27T23:00:00Z"), 0);
	cr_assert_eq(h_days(&h, "2027-02-28T00:00:00Z"), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_EXPIRE);
	cr_assert_eq(h.fx[0].amount, 50);
	cr_assert_eq(h_balance(&h, 0), 0);
	h_free(&h);
}

/* Every effect on a wallet with a pending period carries the points still
 * pending after it (0 for other wallets). By hand, in UTC, pending 2 days,
 * expiry 1 month after earning:
 *   p1 03-01 50 EUR: +50 pending (release 03-03, expiry 04-01)  bal 0  pend 50
 *   p2 03-02 20 EUR: +20 pending (release 03-04, expiry 04-02)  bal 0  pend 70
 *   p3 03-03: release 50 when 03-03 begins                      bal 50 pend 20
 *             +10 pending (release 03-05, expiry 04-03)         bal 50 pend 30
 *   redemption of 30 (oldest lots first: 20 left of p1's)       bal 20 pend 30
 *   return of all of p2: 20 back, pending first, newest first
 *             (10 of 03-05's lot, 10 of 03-04's)                bal 20 pend 10
 *             and the 1 xp it earned
 *   days to 04-02: release 10 on 03-04                          bal 30 pend 0
 *             (03-05's lot is empty: no effect), expire 20 on 04-01 (bal 10),
 *             expire 10 on 04-02 (bal 0) */
Test(vm, pending_total_in_wallet_effects)
{
	harness h;
	h_init(&h, HDR "wallet points expires 1 month after earning pending 2 days\nwallet xp\n"
		   "rule \"Base\" on purchase:\n  award total / 1 EUR points\n"
		   "rule \"XP\" on purchase:\n  award 1 xp\n"
		   "catalogue {\n  reward \"Voucher\" costs 30 points\n}\n");
	cr_assert_eq(h_run(&h, P("p1", "2027-03-01T10:00:00Z", "\"total\":50,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].pending, 50);
	cr_assert_eq(h.fx[1].wallet, 1);
	cr_assert_eq(h.fx[1].pending, 0, "xp has no pending period");
	cr_assert_eq(h_run(&h, P("p2", "2027-03-02T10:00:00Z", "\"total\":20,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].balance, 0);
	cr_assert_eq(h.fx[0].pending, 70);
	cr_assert_eq(h_run(&h, P("p3", "2027-03-03T10:00:00Z", "\"total\":10,\"checkout\":\"till\"")), 3);
	cr_assert_eq(h.fx[0].kind, RT_FX_RELEASE);
	cr_assert_eq(h.fx[0].balance, 50);
	cr_assert_eq(h.fx[0].pending, 20);
	cr_assert_eq(h.fx[1].kind, RT_FX_AWARD);
	cr_assert_eq(h.fx[1].balance, 50);
	cr_assert_eq(h.fx[1].pending, 30);
	cr_assert_eq(h_run(&h, "{\"type\":\"redemption\",\"id\":\"x1\",\"customer\":\"c1\",\"at\":\"2027-03-03T11:00:00Z\","
			       "\"item\":\"Voucher\",\"channel\":\"store\",\"store\":\"S1\"}"), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_REDEMPTION);
	cr_assert_eq(h.fx[0].balance, 20);
	cr_assert_eq(h.fx[0].pending, 30);
	cr_assert_eq(h_run(&h, "{\"type\":\"return\",\"id\":\"r1\",\"customer\":\"c1\",\"at\":\"2027-03-03T12:00:00Z\","
			       "\"action\":\"refund\",\"lines\":[],\"value\":20,\"original\":\"p2\",\"store\":\"S1\",\"region\":\"x\"}"), 2);
	cr_assert_eq(h.fx[0].kind, RT_FX_REVERSE);
	cr_assert_eq(h.fx[0].amount, 20);
	cr_assert_eq(h.fx[0].balance, 20);
	cr_assert_eq(h.fx[0].pending, 10);
	/* and the 1 xp p2 earned (3 earned, 2 left) */
	cr_assert_eq(h.fx[1].wallet, 1);
	cr_assert_eq(h.fx[1].amount, 1);
	cr_assert_eq(h.fx[1].balance, 2);
	cr_assert_eq(h.fx[1].pending, 0);
	cr_assert_eq(h_days(&h, "2027-04-02T00:00:00Z"), 3);
	const rt_fx_kind k[] = {RT_FX_RELEASE, RT_FX_EXPIRE, RT_FX_EXPIRE};
	const int64_t amount[] = {10, 20, 10}, bal[] = {30, 10, 0};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(h.fx[i].kind, k[i], "effect %d", i);
		cr_assert_eq(h.fx[i].amount, amount[i], "effect %d", i);
		cr_assert_eq(h.fx[i].balance, bal[i], "effect %d", i);
		cr_assert_eq(h.fx[i].pending, 0, "effect %d", i);
	}
	h_free(&h);
}

Test(vm, tiers_up_and_review_down)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "tiers status on points earned in last 30 days {\n  bronze at 0\n  silver at 100\n  gold at 200\n"
		   "  review every month\n}\n"
		   "rule \"Base\" on purchase:\n  award total / 1 EUR points\n    times 2 when status >= silver\n");
	h_run(&h, P("e1", "2027-03-01T10:00:00Z", "\"total\":250,\"checkout\":\"till\""));
	cr_assert_eq(h.nfx, 2);
	cr_assert_eq(h.fx[0].amount, 250);          /* status seen before the event: bronze */
	cr_assert_eq(h.fx[1].kind, RT_FX_TIER);
	cr_assert_eq(h.fx[1].rung, 2);
	cr_assert_eq(h.fx[1].previous, 0);
	h_run(&h, P("e2", "2027-03-02T10:00:00Z", "\"total\":10,\"checkout\":\"till\""));
	cr_assert_eq(h.fx[0].amount, 20);
	/* 1 April: the 30-day window is empty; down one rung only */
	cr_assert_eq(h_days(&h, "2027-04-01T00:00:00Z"), 1);
	cr_assert_eq(h.fx[0].rung, 1);
	h_free(&h);
}

Test(vm, returns_in_parts_add_up)
{
	/* 33.33 EUR earns 33 points; returned as 10.00 then 23.33: 9 (33 x 10/33.33,
	 * rounded down), then 33 in all for the whole basket, so 24 more */
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "rule \"Base\" on purchase:\n  award total / 1 EUR points\n");
	h_run(&h, P("p1", "2027-03-01T10:00:00Z", "\"total\":33.33,\"checkout\":\"till\""));
	cr_assert_eq(h.fx[0].amount, 33);
	cr_assert_eq(h_run(&h, "{\"type\":\"return\",\"id\":\"r1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:00:00Z\","
			       "\"action\":\"refund\",\"lines\":[],\"value\":10,\"original\":\"p1\",\"store\":\"S1\",\"region\":\"x\"}"), 1);
	cr_assert_eq(h.fx[0].amount, 9);
	cr_assert_eq(h_run(&h, "{\"type\":\"return\",\"id\":\"r2\",\"customer\":\"c1\",\"at\":\"2027-03-02T11:00:00Z\","
			       "\"action\":\"refund\",\"lines\":[],\"value\":23.33,\"original\":\"p1\",\"store\":\"S1\",\"region\":\"x\"}"), 1);
	cr_assert_eq(h.fx[0].amount, 24);
	cr_assert_eq(h.fx[0].balance, 0);
	h_free(&h);
}

Test(vm, returns_reverse_once)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "rule \"Base\" on purchase:\n  award total / 1 EUR points\n");
	h_run(&h, P("p1", "2027-03-01T10:00:00Z", "\"total\":100,\"checkout\":\"till\""));
	const char *ret = "{\"type\":\"return\",\"id\":\"r1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:00:00Z\","
			  "\"action\":\"refund\",\"lines\":[],\"value\":40,\"original\":\"p1\",\"store\":\"S1\",\"region\":\"x\"}";
	cr_assert_eq(h_run(&h, ret), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_REVERSE);
	cr_assert_eq(h.fx[0].amount, 40);
	cr_assert_eq(h.fx[0].balance, 60);
	/* more of the basket comes back: 40 + 40 of 100 returned, 80 due, 40 more */
	cr_assert_eq(h_run(&h, ret), 1);
	cr_assert_eq(h.fx[0].amount, 40);
	cr_assert_eq(h.fx[0].balance, 20);
	/* a claim beyond the basket: only the last 20 of the 100 earned */
	cr_assert_eq(h_run(&h, ret), 1);
	cr_assert_eq(h.fx[0].amount, 20);
	cr_assert_eq(h.fx[0].balance, 0);
	/* everything was given back: never twice */
	cr_assert_eq(h_run(&h, ret), 0);
	/* a return without `original` reverses nothing */
	cr_assert_eq(h_run(&h, "{\"type\":\"return\",\"id\":\"r2\",\"customer\":\"c1\",\"at\":\"2027-03-02T11:00:00Z\","
			       "\"action\":\"refund\",\"lines\":[],\"value\":40,\"store\":\"S1\",\"region\":\"x\"}"), 0);
	h_free(&h);
}

Test(vm, redemptions)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "tiers status on points earned {\n  bronze at 0\n  gold at 1000\n}\n"
		   "rule \"Base\" on purchase:\n  award total / 1 EUR points\n"
		   "catalogue {\n  reward \"Voucher\" costs 100 points\n  reward \"VIP\" costs 10 points for status >= gold\n}\n");
	h_run(&h, P("p1", "2027-03-01T10:00:00Z", "\"total\":150,\"checkout\":\"till\""));
#define R(id, item) "{\"type\":\"redemption\",\"id\":\"" id "\",\"customer\":\"c1\",\"at\":\"2027-03-01T11:00:00Z\"," \
	"\"item\":\"" item "\",\"channel\":\"store\",\"store\":\"S1\"}"
	cr_assert_eq(h_run(&h, R("x1", "Nope")), 1);
	cr_assert_eq(h.fx[0].reason, RT_REFUSE_UNKNOWN_ITEM);
	cr_assert_eq(h_run(&h, R("x2", "VIP")), 1);
	cr_assert_eq(h.fx[0].reason, RT_REFUSE_NOT_ELIGIBLE);
	cr_assert_eq(h_run(&h, R("x3", "Voucher")), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_REDEMPTION);
	cr_assert_eq(h.fx[0].balance, 50);
	cr_assert_eq(h_run(&h, R("x4", "Voucher")), 1);
	cr_assert_eq(h.fx[0].reason, RT_REFUSE_BALANCE);
	cr_assert_eq(h_balance(&h, 0), 50);
	h_free(&h);
}

Test(vm, experiment_skip_and_param)
{
	harness h;
	h_init(&h, HDR "wallet points\nparam extra = 5\n"
		   "rule \"Bonus\" on purchase:\n  award extra points\n  unlimited\n"
		   "rule \"Other\" on purchase:\n  award 1 points\n  unlimited\n"
		   "experiment \"E\" {\n  variant \"control\" 50%\n  variant \"b\" 25%: extra = 8\n"
		   "  variant \"c\" 25%: skip \"Other\"\n}\n");
	h.variants[0] = 0;
	cr_assert_eq(h_run(&h, P("e1", "2027-03-01T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].amount, 5);
	h.variants[0] = 1;
	h_run(&h, P("e2", "2027-03-01T10:00:00Z", "\"total\":1,\"checkout\":\"till\""));
	cr_assert_eq(h.fx[0].amount, 8);
	h.variants[0] = 2;
	cr_assert_eq(h_run(&h, P("e3", "2027-03-01T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 1);
	cr_assert(rt_program_rule_experiments(h.p, 0) & 1);
	cr_assert(rt_program_rule_experiments(h.p, 1) & 1);
	/* the split is stable and covers the variants */
	uint16_t v = rt_program_variant(h.p, 0, (rt_str){"c42", 3});
	cr_assert_eq(v, rt_program_variant(h.p, 0, (rt_str){"c42", 3}));
	cr_assert_lt(v, 3);
	h_free(&h);
}

Test(vm, quests_to_staff)
{
	harness h;
	h_init(&h, HDR "wallet kudos for staff\n"
		   "quest \"Q\" on purchase where total >= 10 EUR:\n  award 2 kudos\n  limit 1 per day\n");
	cr_assert_eq(h_run(&h, P("e1", "2027-03-01T10:00:00Z", "\"total\":20,\"checkout\":\"till\"")), 0); /* no staff */
	cr_assert_eq(h_run(&h, P("e2", "2027-03-01T10:00:00Z", "\"total\":20,\"checkout\":\"till\",\"staff\":\"s7\"")), 1);
	cr_assert(h.fx[0].staff);
	cr_assert_eq(h.fx[0].who.len, 2);
	cr_assert_eq(h.fx[0].balance, 2);
	cr_assert_eq(h_run(&h, P("e3", "2027-03-01T11:00:00Z", "\"total\":20,\"checkout\":\"till\",\"staff\":\"s7\"")), 0);
	h_free(&h);
}

static int64_t T(const char *rfc3339)
{
	int64_t t;
	cr_assert(clk_parse_rfc3339(rfc3339, strlen(rfc3339), &t, NULL));
	return t;
}

/* A staff wallet's pending points are released and its lots expire as a
 * customer's: when the quest next touches the staff record (its days pass
 * up to the event's first), and when time is let pass for it
 * (rt_exec_staff_days, which ludic_engine_advance calls). By hand, in UTC:
 *   e1 03-05: +5 pending (release 03-07, expiry 03-05 + 1 month = 04-05)
 *   e2 03-06: +5 pending (release 03-08, expiry 04-06); nothing due on 03-06
 *   e3 03-08: release 5 on 03-07 (bal 5), release 5 on 03-08 (bal 10),
 *             then +5 pending (release 03-10, expiry 04-08)
 *   days to 04-06: release 5 on 03-10 (15), expire 5 on 04-05 (10),
 *             expire 5 on 04-06 (5) */
Test(vm, staff_wallets_release_and_expire)
{
	harness h;
	h_init(&h, HDR "wallet points\nwallet kudos for staff expires 1 month after earning pending 2 days\n"
		   "quest \"Q\" on purchase where checkout = till:\n  award 5 kudos\n  unlimited\n");
	cr_assert_eq(h_run(&h, P("e1", "2027-03-05T10:00:00Z", "\"total\":20,\"checkout\":\"till\",\"staff\":\"s7\"")), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_AWARD);
	cr_assert_eq(h.fx[0].balance, 0);
	cr_assert_eq(h_run(&h, P("e2", "2027-03-06T09:00:00Z", "\"total\":20,\"checkout\":\"till\",\"staff\":\"s7\"")), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_AWARD);
	cr_assert_eq(h.fx[0].balance, 0);
	cr_assert_eq(h_run(&h, P("e3", "2027-03-08T12:00:00Z", "\"total\":20,\"checkout\":\"till\",\"staff\":\"s7\"")), 3);
	const rt_fx_kind k3[] = {RT_FX_RELEASE, RT_FX_RELEASE, RT_FX_AWARD};
	const int64_t bal3[] = {5, 10, 10};
	const int64_t at3[] = {T("2027-03-07T00:00:00Z"), T("2027-03-08T00:00:00Z"), T("2027-03-08T12:00:00Z")};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(h.fx[i].kind, k3[i], "effect %d", i);
		cr_assert(h.fx[i].staff);
		cr_assert_eq(h.fx[i].who.len, 2);
		cr_assert_eq(memcmp(h.fx[i].who.p, "s7", 2), 0);
		cr_assert_eq(h.fx[i].amount, 5);
		cr_assert_eq(h.fx[i].balance, bal3[i], "effect %d", i);
		cr_assert_eq(h.fx[i].at, at3[i], "effect %d", i);
		cr_assert_eq(h.fx[i].event_id.len, i == 2 ? 2 : 0, "effect %d: time passing has no event", i);
	}
	/* the customer's days do not touch the staff record */
	cr_assert_eq(h_days(&h, "2027-05-01T00:00:00Z"), 0);
	h.nfx = 0;
	rt_exec_staff_days(&h.x, h.staff, (rt_str){"s7", 2}, rt_program_day(h.p, T("2027-04-06T08:00:00Z")),
			   T("2027-04-06T08:00:00Z"));
	cr_assert_eq(h.nfx, 3);
	const rt_fx_kind k4[] = {RT_FX_RELEASE, RT_FX_EXPIRE, RT_FX_EXPIRE};
	const int64_t bal4[] = {15, 10, 5};
	const int64_t at4[] = {T("2027-03-10T00:00:00Z"), T("2027-04-05T00:00:00Z"), T("2027-04-06T00:00:00Z")};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(h.fx[i].kind, k4[i], "effect %d", i);
		cr_assert(h.fx[i].staff);
		cr_assert_eq(memcmp(h.fx[i].who.p, "s7", 2), 0);
		cr_assert_eq(h.fx[i].amount, 5);
		cr_assert_eq(h.fx[i].balance, bal4[i], "effect %d", i);
		cr_assert_eq(h.fx[i].at, at4[i], "effect %d", i);
		cr_assert_eq(h.fx[i].event_id.len, 0);
	}
	cr_assert_eq(rt_balance(h.p, h.staff, 1), 5);
	/* days already seen do nothing; an earlier day does nothing */
	h.nfx = 0;
	rt_exec_staff_days(&h.x, h.staff, (rt_str){"s7", 2}, rt_program_day(h.p, T("2027-04-06T20:00:00Z")),
			   T("2027-04-06T20:00:00Z"));
	rt_exec_staff_days(&h.x, h.staff, (rt_str){"s7", 2}, rt_program_day(h.p, T("2027-03-01T00:00:00Z")),
			   T("2027-03-01T00:00:00Z"));
	cr_assert_eq(h.nfx, 0);
	/* the last lot (earned 03-08) expires when 04-08 begins */
	rt_exec_staff_days(&h.x, h.staff, (rt_str){"s7", 2}, rt_program_day(h.p, T("2027-04-08T00:00:00Z")),
			   T("2027-04-08T00:00:00Z"));
	cr_assert_eq(h.nfx, 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_EXPIRE);
	cr_assert_eq(h.fx[0].balance, 0);
	cr_assert_eq(h.fx[0].at, T("2027-04-08T00:00:00Z"));
	h_free(&h);
}

/* A new staff record sees no day pass: its first quest only credits. And a
 * program whose staff wallets neither expire nor pend keeps no staff header
 * (its staff record is what it was). */
Test(vm, staff_days_for_a_new_record_and_plain_wallets)
{
	harness h;
	h_init(&h, HDR "wallet kudos for staff pending 1 day\n"
		   "quest \"Q\" on purchase:\n  award 3 kudos\n  unlimited\n");
	/* the staff member's record is made (rt_staff_init) before any event */
	cr_assert_eq(h_run(&h, P("e1", "2027-06-10T10:00:00Z", "\"total\":1,\"checkout\":\"till\",\"staff\":\"s1\"")), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_AWARD);
	cr_assert_eq(h_run(&h, P("e2", "2027-06-11T10:00:00Z", "\"total\":1,\"checkout\":\"till\",\"staff\":\"s1\"")), 2);
	cr_assert_eq(h.fx[0].kind, RT_FX_RELEASE);
	cr_assert_eq(h.fx[0].balance, 3);
	cr_assert_eq(h.fx[0].at, T("2027-06-11T00:00:00Z"));
	cr_assert_eq(h.fx[1].kind, RT_FX_AWARD);
	h_free(&h);

	h_init(&h, HDR "wallet kudos for staff\nquest \"Q\" on purchase:\n  award 3 kudos\n  unlimited\n");
	/* balance, earned, pending (i64), counts (2 x u32): 32 bytes, no header */
	cr_assert_eq(rt_program_staff_size(h.p), 32);
	h_free(&h);
}

Test(vm, streak_with_grace)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "streak \"W\" on purchase every week for 3 weeks grace 1 week:\n  award 50 points\n");
	h_run(&h, P("e1", "2027-03-01T10:00:00Z", "\"total\":1,\"checkout\":\"till\""));  /* week 1 */
	h_run(&h, P("e2", "2027-03-09T10:00:00Z", "\"total\":1,\"checkout\":\"till\""));  /* week 2 */
	/* week 3 missed (grace), week 4: length 3 */
	cr_assert_eq(h_run(&h, P("e3", "2027-03-23T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].kind, RT_FX_STREAK);
	cr_assert_eq(h.fx[0].length, 3);
	cr_assert_eq(h.fx[1].amount, 50);
	h_free(&h);
}

Test(vm, mission_steps_and_deadline)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "mission \"M\" within 10 days of signup {\n  step \"Buy\": purchase\n"
		   "  step \"App\": purchase where channel = app then award 5 points\n  reward 100 points\n}\n");
	cr_assert_eq(h_run(&h, P("e0", "2027-03-01T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 0); /* not started */
	h_run(&h, "{\"type\":\"signup\",\"id\":\"s1\",\"customer\":\"c1\",\"at\":\"2027-03-02T10:00:00Z\","
		  "\"channel\":\"web\",\"region\":\"x\"}");
	cr_assert_eq(h_run(&h, P("e1", "2027-03-03T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_MISSION_STEP);
	cr_assert_eq(h.fx[0].step, 0);
	h_run(&h, "{\"type\":\"purchase\",\"id\":\"e2\",\"customer\":\"c1\",\"at\":\"2027-03-04T10:00:00Z\","
		  "\"channel\":\"app\",\"payment\":\"card\",\"store\":\"S1\",\"region\":\"x\",\"lines\":[],"
		  "\"total\":1,\"checkout\":\"till\"}");
	cr_assert_eq(h.nfx, 4);
	cr_assert_eq(h.fx[1].amount, 5);
	cr_assert_eq(h.fx[2].kind, RT_FX_MISSION_COMPLETE);
	cr_assert_eq(h.fx[3].amount, 100);
	h_free(&h);
}

Test(vm, time_rules)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "rule \"Miss\" when no purchase for 10 days:\n  notify \"winback\" with (discount = 10 EUR)\n"
		   "rule \"Bday\" when birthday:\n  award 50 points\n"
		   "rule \"Tips\" when 7 days after signup where channel = app:\n  notify \"tips\"\n");
	h_run(&h, "{\"type\":\"signup\",\"id\":\"s1\",\"customer\":\"c1\",\"at\":\"2027-03-01T10:00:00Z\","
		  "\"channel\":\"app\",\"region\":\"x\",\"birthday\":\"1990-03-05\"}");
	cr_assert_eq(h_days(&h, "2027-03-05T00:00:00Z"), 1);
	cr_assert_eq(h.fx[0].amount, 50);
	cr_assert_eq(h_days(&h, "2027-03-08T00:00:00Z"), 1);
	cr_assert_str_eq(h.fx[0].template_name, "tips");
	cr_assert_eq(h_days(&h, "2027-03-10T00:00:00Z"), 0);
	cr_assert_eq(h_days(&h, "2027-03-11T00:00:00Z"), 1); /* first day + 10 */
	cr_assert_str_eq(h.fx[0].template_name, "winback");
	cr_assert_eq(h.fx[0].nargs, 1);
	cr_assert_eq(h.arg0[0], 1000);
	cr_assert_eq(h_days(&h, "2027-03-30T00:00:00Z"), 0); /* once per silence */
	h_free(&h);
}

Test(vm, windows_and_basket)
{
	harness h;
	h_init(&h, HDR "wallet points\nbadges {\n  \"fan\"\n}\n"
		   "rule \"Fan\" on visit where count(visit in last 7 days) >= 3:\n  badge \"fan\"\n"
		   "rule \"Garden\" on purchase where count(lines where category = \"garden\") >= 2:\n"
		   "  award sum(price of lines where \"eco\" in tags) / 1 EUR points\n  unlimited\n");
#define V(id, at) "{\"type\":\"visit\",\"id\":\"" id "\",\"customer\":\"c1\",\"at\":\"" at "\",\"store\":\"S\",\"region\":\"r\"}"
	cr_assert_eq(h_run(&h, V("v1", "2027-03-01T10:00:00Z")), 0);
	cr_assert_eq(h_run(&h, V("v2", "2027-03-03T10:00:00Z")), 0);
	cr_assert_eq(h_run(&h, V("v3", "2027-03-07T10:00:00Z")), 1); /* 3 in the last 7 days, itself included */
	cr_assert_eq(h.fx[0].kind, RT_FX_BADGE);
	cr_assert_eq(h_run(&h, V("v4", "2027-03-08T10:00:00Z")), 0); /* held already */
	h_run(&h, "{\"type\":\"purchase\",\"id\":\"p1\",\"customer\":\"c1\",\"at\":\"2027-03-08T10:00:00Z\","
		  "\"channel\":\"store\",\"payment\":\"card\",\"store\":\"S1\",\"region\":\"x\",\"total\":30,\"checkout\":\"till\","
		  "\"lines\":[{\"sku\":\"a\",\"category\":\"garden\",\"tags\":[\"eco\"],\"quantity\":1,\"unit_price\":12,\"price\":12},"
		  "{\"sku\":\"b\",\"category\":\"garden\",\"tags\":[],\"quantity\":1,\"unit_price\":18,\"price\":18}]}");
	cr_assert_eq(h.nfx, 1);
	cr_assert_eq(h.fx[0].amount, 12);
	h_free(&h);
}

Test(vm, tiers_without_review_are_reviewed_monthly)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "tiers status on points earned in last 10 days {\n  bronze at 0\n  silver at 100\n}\n"
		   "rule \"Base\" on purchase:\n  award total / 1 EUR points\n");
	/* up at once */
	cr_assert_eq(h_run(&h, P("e1", "2027-03-05T10:00:00Z", "\"total\":150,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[1].kind, RT_FX_TIER);
	cr_assert_eq(h.fx[1].rung, 1);
	/* 20 March: the 10-day window holds only 5 points, but no review yet */
	cr_assert_eq(h_run(&h, P("e2", "2027-03-20T10:00:00Z", "\"total\":5,\"checkout\":\"till\"")), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_AWARD);
	cr_assert_eq(h_days(&h, "2027-03-31T23:00:00Z"), 0);
	/* 1 April begins: the monthly review takes the customer down one rung */
	cr_assert_eq(h_days(&h, "2027-04-01T00:00:00Z"), 1);
	cr_assert_eq(h.fx[0].kind, RT_FX_TIER);
	cr_assert_eq(h.fx[0].rung, 0);
	cr_assert_eq(h.fx[0].previous, 1);
	h_free(&h);
}

Test(vm, rules_see_balances_as_before_the_event)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "rule \"A\" on purchase:\n  award 100 points\n  unlimited\n"
		   "rule \"B\" on purchase where balance(points) >= 100:\n  award 1 points\n  unlimited\n"
		   "rule \"C\" on purchase where points earned >= 100:\n  award 2 points\n  unlimited\n"
		   "rule \"D\" on purchase where points earned in last 7 days >= 100:\n  award 3 points\n  unlimited\n");
	/* A's 100 points are not seen by B, C and D: they read the customer before the event */
	cr_assert_eq(h_run(&h, P("e1", "2027-03-01T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 1);
	cr_assert_eq(h.fx[0].amount, 100);
	/* the next event sees the 100 of the first */
	cr_assert_eq(h_run(&h, P("e2", "2027-03-02T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 4);
	cr_assert_eq(h.fx[1].amount, 1);
	cr_assert_eq(h.fx[2].amount, 2);
	cr_assert_eq(h.fx[3].amount, 3);
	cr_assert_eq(h_balance(&h, 0), 206);
	h_free(&h);
}

Test(vm, overlay_time_rules_follow_the_latest_scoped_event)
{
	harness h;
	h_init2(&h, "program \"b\" version \"1.0\"\nuse retail\nwallet points\nparam gift = 5\n"
		    "rule \"Miss\" when no purchase for 10 days:\n  award gift points\n",
		"overlay \"n\" extends \"b\" version \"1.0\" for region \"north\"\nparam gift = 20\n"
		"rule \"Extra\" when no purchase for 10 days:\n  award 1 points\n");
	h_run(&h, "{\"type\":\"purchase\",\"id\":\"e1\",\"customer\":\"c1\",\"at\":\"2027-03-01T10:00:00Z\","
		  "\"channel\":\"store\",\"payment\":\"card\",\"store\":\"S1\",\"region\":\"north\",\"lines\":[],"
		  "\"total\":1,\"checkout\":\"till\"}");
	/* 11 March begins: the customer's latest event was in the north: the
	 * overlay's gift (20) and the overlay's own time rule */
	cr_assert_eq(h_days(&h, "2027-03-11T00:00:00Z"), 2);
	cr_assert_eq(h.fx[0].amount, 20);
	cr_assert_eq(h.fx[1].amount, 1);
	/* a purchase in the south: time passing follows the base program again */
	h_run(&h, P("e2", "2027-03-12T10:00:00Z", "\"total\":1,\"checkout\":\"till\""));
	cr_assert_eq(h_days(&h, "2027-03-22T00:00:00Z"), 1);
	cr_assert_eq(h.fx[0].amount, 5);
	cr_assert_eq(h.fx[0].rule, 0);
	h_free(&h);
}

Test(vm, capped_streak_does_not_emit)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "streak \"D\" on purchase every day for 2 days:\n  award 10 points\n  limit 1 per week\n");
	/* Monday 1 and Tuesday 2 March: length 2, the first of the week */
	h_run(&h, P("e1", "2027-03-01T10:00:00Z", "\"total\":1,\"checkout\":\"till\""));
	cr_assert_eq(h_run(&h, P("e2", "2027-03-02T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].kind, RT_FX_STREAK);
	cr_assert_eq(h.fx[0].length, 2);
	cr_assert_eq(h.fx[1].amount, 10);
	/* 3 and 4 March: length 2 again, but the weekly cap is used: nothing at all */
	h_run(&h, P("e3", "2027-03-03T10:00:00Z", "\"total\":1,\"checkout\":\"till\""));
	cr_assert_eq(h_run(&h, P("e4", "2027-03-04T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 0);
	/* next week: 8 and 9 March */
	cr_assert_eq(h_run(&h, P("e5", "2027-03-08T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 0);
	cr_assert_eq(h_run(&h, P("e6", "2027-03-09T10:00:00Z", "\"total\":1,\"checkout\":\"till\"")), 2);
	cr_assert_eq(h.fx[0].kind, RT_FX_STREAK);
	h_free(&h);
}

Test(vm, after_event_once_per_event_with_its_fields)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "rule \"Thanks\" when 3 days after purchase where total >= 10 EUR:\n"
		   "  notify \"thanks\" with (spent = total)\n");
	h_run(&h, P("e1", "2027-03-01T10:00:00Z", "\"total\":20,\"checkout\":\"till\""));
	h_run(&h, P("e2", "2027-03-02T10:00:00Z", "\"total\":5,\"checkout\":\"till\""));   /* where fails */
	h_run(&h, P("e3", "2027-03-02T11:00:00Z", "\"total\":30,\"checkout\":\"till\""));
	h_run(&h, P("e4", "2027-03-03T10:00:00Z", "\"total\":15,\"checkout\":\"till\""));
	cr_assert_eq(h_run(&h, P("e5", "2027-03-03T11:00:00Z", "\"total\":12,\"checkout\":\"till\"")), 0);
	/* four pending (due 4, 5, 6, 6 March): a fifth is dropped, the earliest are kept */
	h_run(&h, P("e6", "2027-03-03T12:00:00Z", "\"total\":11,\"checkout\":\"till\""));
	cr_assert_eq(h_days(&h, "2027-03-04T00:00:00Z"), 1);
	cr_assert_eq(h.arg0[0], 2000);
	cr_assert_eq(h_days(&h, "2027-03-05T00:00:00Z"), 1);
	cr_assert_eq(h.arg0[0], 3000);
	cr_assert_eq(h_days(&h, "2027-03-06T00:00:00Z"), 2);
	cr_assert_eq(h.arg0[0], 1500);
	cr_assert_eq(h.arg0[1], 1200);
	cr_assert_eq(h_days(&h, "2027-03-08T00:00:00Z"), 0);
	h_free(&h);
}

Test(vm, nested_aggregates_string_fields_and_all_over_history)
{
	harness h;
	h_init(&h, HDR "wallet points\n"
		   "rule \"Same\" on purchase where any(lines where category = store):\n  award 1 points\n  unlimited\n"
		   "rule \"Nested\" on purchase:\n  award count(lines where price * 2 >= sum(price of lines)) * 3 points\n  unlimited\n"
		   "rule \"Tags\" on purchase:\n  award count(lines where count(tags) >= 2) * 10 points\n  unlimited\n"
		   "rule \"Hist\" on purchase where all(purchase in last 7 days where total >= 10 EUR):\n"
		   "  award 100 points\n  unlimited\n");
	h_run(&h, "{\"type\":\"purchase\",\"id\":\"p1\",\"customer\":\"c1\",\"at\":\"2027-03-01T10:00:00Z\","
		  "\"channel\":\"store\",\"payment\":\"card\",\"store\":\"garden\",\"region\":\"x\",\"total\":30,"
		  "\"checkout\":\"till\",\"lines\":["
		  "{\"sku\":\"a\",\"category\":\"garden\",\"tags\":[\"eco\",\"x\"],\"quantity\":1,\"unit_price\":20,\"price\":20},"
		  "{\"sku\":\"b\",\"category\":\"food\",\"tags\":[],\"quantity\":1,\"unit_price\":10,\"price\":10}]}");
	cr_assert_eq(h.nfx, 4);
	cr_assert_eq(h.fx[0].amount, 1);   /* line a: category "garden" = store "garden" */
	cr_assert_eq(h.fx[1].amount, 3);   /* only line a is at least half of 30 */
	cr_assert_eq(h.fx[2].amount, 10);  /* only line a has two tags */
	cr_assert_eq(h.fx[3].amount, 100); /* every purchase of the last 7 days is >= 10 EUR */
	/* 5 EUR: the window now holds one purchase under 10 EUR */
	cr_assert_eq(h_run(&h, P("p2", "2027-03-02T10:00:00Z", "\"total\":5,\"checkout\":\"till\"")), 0);
	/* 10 March: the last 7 days (4 to 10 March) hold only this purchase */
	cr_assert_eq(h_run(&h, P("p3", "2027-03-10T10:00:00Z", "\"total\":50,\"checkout\":\"till\"")), 1);
	cr_assert_eq(h.fx[0].amount, 100);
	h_free(&h);
}
