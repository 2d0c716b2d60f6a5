#!/usr/bin/env python3
"""check.py — what must hold of a replay's effects, whatever the data.

usage: check.py EFFECTS.jsonl BALANCES.txt

EFFECTS.jsonl: the effects of one replay (tests/realdata/replay.c --effects).
BALANCES.txt:  "CUSTOMER WALLET BALANCE PENDING EARNED" at the end (--balances).

Checks, and exits 1 with the first failures listed when one does not hold:
  - conservation: for every customer and wallet, the points awarded minus
    those debited, expired, reversed and redeemed equal the final balance
    plus the pending points (awards count at once, pending or not; a release
    only moves points from pending to spendable);
  - no balance below zero, in any effect or at the end; every amount > 0;
  - every effect has a kind the API documents.
Prints one line: effects by kind and the number of customer wallets checked.
"""
import json
import sys
from collections import Counter, defaultdict

KINDS = {"award", "debit", "expire", "reverse", "release", "badge", "tier", "level", "mission_step",
         "mission_complete", "streak", "notify", "redemption", "refusal"}
OUT = {"debit", "expire", "reverse", "redemption"}


def main():
    effects, balances = sys.argv[1], sys.argv[2]
    failures = []
    flow = defaultdict(int)
    kinds = Counter()
    with open(effects, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            fx = json.loads(line)
            kind = fx.get("kind")
            kinds[kind] += 1
            if kind not in KINDS:
                failures.append("effect %d: unknown kind %r" % (n, kind))
            if "balance" in fx and fx["balance"] < 0:
                failures.append("effect %d: balance below zero: %s" % (n, line.strip()))
            if "amount" in fx and fx["amount"] <= 0:
                failures.append("effect %d: amount not positive: %s" % (n, line.strip()))
            if "customer" not in fx or "wallet" not in fx or kind not in OUT | {"award"}:
                continue
            key = (fx["customer"], fx["wallet"])
            flow[key] += fx["amount"] if kind == "award" else -fx["amount"]
    checked = 0
    seen = set()
    with open(balances, encoding="utf-8") as f:
        for line in f:
            cust, wallet, balance, pending, _earned = line.split()
            balance, pending = int(balance), int(pending)
            seen.add((cust, wallet))
            checked += 1
            if balance < 0 or pending < 0:
                failures.append("%s %s: below zero at the end: balance %d, pending %d" % (cust, wallet, balance, pending))
            if flow[(cust, wallet)] != balance + pending:
                failures.append("%s %s: awarded - debited - expired - reversed - redeemed = %d, but balance + pending = %d + %d"
                                % (cust, wallet, flow[(cust, wallet)], balance, pending))
    for key, v in flow.items():
        if key not in seen:
            failures.append("%s %s: has effects but no final balance listed" % key)
    print("effects: %s; %d customer wallets checked" % (
        ", ".join("%s %d" % kv for kv in sorted(kinds.items())), checked))
    if failures:
        print("%d failures, the first ones:" % len(failures))
        for x in failures[:20]:
            print("  " + x)
        sys.exit(1)


if __name__ == "__main__":
    main()
