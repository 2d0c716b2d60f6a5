#!/usr/bin/env python3
"""verify.py EVENTS LEDGER [EFFECTS] — the per-key sequence check (after Flink's).

For every customer, the ledger (`ludic ledger --format=json`) read in ledger
order (seq) must name that customer's events in the order of the input, each
event's entries together (an event is never applied twice, and no entry of
an event is interleaved with another event's), and every entry's sequence
number must be used once: 0, 1, ..., n-1 with no gap and no repeat. With
EFFECTS (the output of `ludic run` without a store), the ledger's effects in
seq order must be exactly those lines: the store changes nothing."""
import json
import sys


def main(events_path, ledger_path, effects_path=None):
    order = {}  # (customer, event id) -> position in the input
    with open(events_path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if "customer" in ev and "id" in ev:
                order.setdefault((ev["customer"], ev["id"]), i)
    per_customer = {}
    seqs = []
    with open(ledger_path, encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            seqs.append(entry["seq"])
            fx = entry["effect"]
            if fx.get("staff"):
                continue
            per_customer.setdefault(fx["customer"], []).append((entry["seq"], fx.get("event")))
    if effects_path:
        with open(ledger_path, encoding="utf-8") as f:
            ledger = sorted((json.loads(l)["seq"], json.loads(l)["effect"]) for l in f)
        with open(effects_path, encoding="utf-8") as f:
            memory = [json.loads(l) for l in f]
        if [fx for _, fx in ledger] != memory:
            sys.exit("FAIL: the ledger's effects differ from the effects of a run without a store")
        print(f"the ledger holds exactly the {len(memory)} effects of a run without a store, in the same order")
    seqs.sort()
    if seqs != list(range(len(seqs))):
        dup = len(seqs) - len(set(seqs))
        sys.exit(f"FAIL: ledger sequence numbers have gaps or repeats ({dup} repeated, {len(seqs)} entries)")
    problems = 0
    for customer, entries in per_customer.items():
        entries.sort()
        seen, last_pos, last_event = set(), -1, None
        for _, event in entries:
            if event is None or event == last_event:
                continue  # effects of time passing, or the same event's next effect
            pos = order.get((customer, event))
            if pos is None:
                problems += 1
                print(f"customer {customer}: event {event} is not in the input", file=sys.stderr)
            elif event in seen:
                problems += 1
                print(f"customer {customer}: event {event} applied twice", file=sys.stderr)
            elif pos < last_pos:
                problems += 1
                print(f"customer {customer}: event {event} out of the input's order", file=sys.stderr)
            else:
                last_pos = pos
            seen.add(event)
            last_event = event
    if problems:
        sys.exit(f"FAIL: {problems} per-customer sequence problems")
    print(f"per-key check: {len(per_customer)} customers, {len(seqs)} entries: every customer's events in input order, each once")


if __name__ == "__main__":
    main(*sys.argv[1:4])
