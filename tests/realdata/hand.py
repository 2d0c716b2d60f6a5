#!/usr/bin/env python3
"""hand.py — figures computed by hand from examples/retailer/, pinned on real data.

usage: hand.py EVENTS.jsonl EFFECTS.jsonl
  EVENTS:  tools/realdata.py uci uci_online_retail_2010-12-01_lines.csv
  EFFECTS: the effects of examples/retailer/ (base + north) over them,
           replayed --until 2011-01-31T00:00:00Z

Customer uci-13047 makes three purchases on 2010-12-01 (program zone
Europe/Paris, so 09:34-09:35 local), has never signed up (no mission starts)
and is bronze throughout (the metric, points earned in the last 365 days,
stays under 500). By the rules of base.ludic and north.ludic:

uci-536367  278.73 EUR, store, card, till, S02 "north" (the overlay applies)
  Base earn     floor(278.73)                                  = 278 points
  Garden bonus  north: floor(54.08 x 2) (one garden line)       = 108 points
  Basket bonus  keep best: only "Green basket" applies
                (two "sustainable" lines; 1 garden line < 3; kitchen 12.60 +
                9.90 + 25.50 = 48.00 < 80)                      =  10 points
  Experience    floor(278.73 / 2)                               = 139 xp
                -> level sprout (100 <= 139), from seedling
uci-536368  70.05 EUR, store, card, till, S07 "south" (base)
  Base earn     floor(70.05)                                    =  70 points
                (no garden line, no tag, kitchen 25.50 < 80)
  Experience    floor(70.05 / 2)                                =  35 xp
uci-536369  17.85 EUR, store, mobile_wallet, self_checkout, S04 "north"
  Base earn     floor(17.85)                                    =  17 points
  Zero wait     north sets zero_wait_bonus = 10; the "generous" variant of
                "Zero-wait amount" sets 8 and wins over the overlay: 10 for
                "control", 8 for "generous" (the variant is read from the
                effect's own tag: it is a SipHash of the id, not a hand figure)
  Experience    floor(17.85 / 2)                                =   8 xp
Points are pending 14 days: every award leaves the spendable balance at 0,
and all of them (483 + zero wait) are released when 2010-12-15 begins in
Paris (2010-12-14T23:00:00Z). Nothing expires (12 months) before the end.
"""
import json
import sys

WHO = "uci-13047"


def main():
    events = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
    effects = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
    mine = [e for e in events if e.get("customer") == WHO]
    failures = []

    def expect(what, got, want):
        if got != want:
            failures.append("%s: got %r, expected %r" % (what, got, want))

    # the input is what the figures were computed on
    expect("events of " + WHO, [(e["id"], str(e["total"]), e["region"], e["payment"]) for e in mine],
           [("uci-536367", "278.73", "north", "card"), ("uci-536368", "70.05", "south", "card"),
            ("uci-536369", "17.85", "north", "mobile_wallet")])

    fx = [f for f in effects if f.get("customer") == WHO]
    awards = [(f.get("event"), f.get("rule"), f["wallet"], f["amount"]) for f in fx if f["kind"] == "award"]
    zero_wait = [f for f in fx if f["kind"] == "award" and f.get("rule") == "Zero wait"]
    variant = (zero_wait[0].get("variant") or {}).get("Zero-wait amount") if zero_wait else None
    z = 8 if variant == "generous" else 10
    want = [
        ("uci-536367", "Base earn", "points", 278),
        ("uci-536367", "Garden bonus", "points", 108),
        ("uci-536367", "Green basket", "points", 10),
        ("uci-536367", "Experience on purchase", "xp", 139),
        ("uci-536368", "Base earn", "points", 70),
        ("uci-536368", "Experience on purchase", "xp", 35),
        ("uci-536369", "Base earn", "points", 17),
        ("uci-536369", "Zero wait", "points", z),
        ("uci-536369", "Experience on purchase", "xp", 8),
    ]
    expect("awards of " + WHO + " (sorted)", sorted(awards), sorted(want))
    expect("spendable points after each award",
           [f["balance"] for f in fx if f["kind"] == "award" and f["wallet"] == "points"], [0] * 6)
    levels = [(f.get("event"), f.get("level"), f.get("previous")) for f in fx if f["kind"] == "level"]
    expect("levels", levels, [("uci-536367", "sprout", "seedling")])
    expect("tier changes", [f for f in fx if f["kind"] == "tier"], [])
    released = sum(f["amount"] for f in fx if f["kind"] == "release" and f["wallet"] == "points")
    expect("points released", released, 483 + z)
    expect("release times", sorted({f.get("at") for f in fx if f["kind"] == "release"}),
           ["2010-12-15T00:00:00+01:00"])
    expect("expiries", [f for f in fx if f["kind"] == "expire"], [])
    if failures:
        print("hand-checked figures for %s (zero wait variant %s):" % (WHO, variant))
        for f in failures:
            print("  " + f)
        sys.exit(1)
    print("hand-checked figures for %s hold (%d awards, variant %s)" % (WHO, len(awards), variant))


if __name__ == "__main__":
    main()
