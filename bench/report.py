#!/usr/bin/env python3
"""report.py — the benchmark suite's table and JSON, from the per-implementation
results of engine-bench --impl (one JSON object each). bench/run.sh calls it.

usage: report.py --out FILE --command TEXT --check TEXT RESULT.json...
"""
import argparse
import datetime
import json
import sys

NAMES = {"interp": "interpreter", "native": "native", "hand": "hand-written C"}
PATHS = [("typed", "typed events (push)"), ("typed_batch", "typed batch (push_batch)"),
         ("json", "JSON Lines (push_json)"), ("json_batch", "JSON batch (push_json_batch)")]


def fmt_int(v):
    return "-" if v is None else f"{v:,.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--check", default="")
    ap.add_argument("results", nargs="+")
    a = ap.parse_args()
    res = {}
    for path in a.results:
        with open(path) as f:
            r = json.load(f)
        res[r["impl"]] = r
    impls = [i for i in ("interp", "native", "hand") if i in res]
    any_r = next(iter(res.values()))
    m = any_r["machine"]
    src = next((r["source"] for r in res.values() if r.get("available")), "")
    print(f"machine: {m['cores']} cores, {m['cpu']}")
    print(f"command: {a.command}")
    print(f"stream:  {src}")
    if a.check:
        print(f"check:   {a.check}")
    for i in impls:
        if not res[i].get("available"):
            print(f"{NAMES[i]}: not available ({res[i].get('note', 'no reason given')})")
    print()

    def path_val(i, p, key):
        r = res[i]
        if not r.get("available"):
            return None
        x = r.get("paths", {}).get(p)
        return None if x is None else x[key]

    w = 16
    head = f"{'':34}" + "".join(f"{NAMES[i]:>{w}}" for i in impls)
    print(head)
    print("events/s on one core")
    for p, label in PATHS:
        print(f"  {label:32}" + "".join(f"{fmt_int(path_val(i, p, 'events_per_s')):>{w}}" for i in impls))
    print("ns per event")
    for p, label in PATHS:
        vals = [path_val(i, p, "ns_per_event") for i in impls]
        print(f"  {label:32}" + "".join(f"{('-' if v is None else f'{v:,.0f}'):>{w}}" for v in vals))
    print("latency of one push, hot customer (ns)")
    for key, label in (("p50_ns", "p50"), ("p99_ns", "p99"), ("p999_ns", "p99.9")):
        vals = [res[i].get("latency", {}).get(key) if res[i].get("available") else None for i in impls]
        print(f"  {label:32}" + "".join(f"{fmt_int(v):>{w}}" for v in vals))
    vals = [res[i].get("bytes_per_customer") if res[i].get("available") else None for i in impls]
    print(f"{'bytes of state per customer':34}" + "".join(f"{fmt_int(v):>{w}}" for v in vals))
    vals = [res[i]["peak_rss_kb"] / 1024 if res[i].get("available") else None for i in impls]
    print(f"{'peak memory, MB (ru_maxrss)':34}" + "".join(f"{fmt_int(v):>{w}}" for v in vals))
    vals = [(res[i]["peak_rss_kb"] - res[i]["input_rss_kb"]) / 1024 if res[i].get("available") else None for i in impls]
    print(f"{'  of it beyond the stream, MB':34}" + "".join(f"{fmt_int(v):>{w}}" for v in vals))
    print()
    prog = [res[i].get("program_ms") for i in impls if i != "hand"]
    if prog:
        print(f"compile the rules (check + lower, interpreter ready): {prog[0]:.1f} ms")
    n = res.get("native", {})
    if n.get("available"):
        def ms(v):
            return "n/a" if v is None else f"{v:.1f} ms"
        print(f"native code: cold {ms(n.get('compile_cold_ms'))}, from the cache {ms(n.get('compile_cached_ms'))} (median)")
    else:
        print(f"native code: not available ({n.get('note', 'not run')})")

    ratios = {}
    for p, label in PATHS:
        for num, den in (("native", "hand"), ("native", "interp"), ("interp", "hand")):
            a_ns, b_ns = (path_val(num, p, "ns_per_event") if num in res else None,
                          path_val(den, p, "ns_per_event") if den in res else None)
            if den == "hand" and b_ns is None and p.endswith("_batch"):
                b_ns = path_val(den, p[:-6], "ns_per_event") if den in res else None
            if a_ns is not None and b_ns is not None:
                ratios.setdefault(f"{num}/{den}", {})[p] = round(a_ns / b_ns, 3)
    print()
    print("time ratios (ns per event; above 1 = slower than the second; batch rows of the")
    print("hand-written C use its single-push figure)")
    for k, v in ratios.items():
        print(f"  {k:16}" + "  ".join(f"{p} {x:.2f}" for p, x in v.items()))
    if "native/hand" not in ratios:
        print("  native/hand and native/interpreter: not available until native code runs")

    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": a.command, "check": a.check, "machine": m, "source": src,
        "results": res, "ratios": ratios,
    }
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"\nwritten: {a.out}")


if __name__ == "__main__":
    sys.exit(main())
