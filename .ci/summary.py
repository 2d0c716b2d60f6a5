#!/usr/bin/env python3
"""summary.py — one closing line for CI from meson's test logs.

usage: summary.py TESTLOG.json...
Reads meson's testlog.json files (one JSON object per test) and prints, for
each, its counts, then the total as the last line: `ci: N passed, N failed,
N skipped`. Exits 1 if a test failed or if no test ran at all.
"""
import json
import sys


def main() -> int:
    total = {"passed": 0, "failed": 0, "skipped": 0}
    for path in sys.argv[1:]:
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                result = json.loads(line)["result"]
                if result in ("OK", "EXPECTEDFAIL"):
                    counts["passed"] += 1
                elif result == "SKIP":
                    counts["skipped"] += 1
                else:
                    counts["failed"] += 1
        print(f"{path}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
        for k in total:
            total[k] += counts[k]
    print(f"ci: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 1 if total["failed"] or total["passed"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
