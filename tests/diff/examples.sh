#!/bin/bash
# examples.sh DIFFRUN BENCH_GEN SOURCE_DIR — every example program of examples/
# (each file, and each folder of a base and its overlays) on two streams: the
# retailer's day of events and 3,000 events from bench/gen.c, then time
# passing; the two engines must agree on each. Events of types a program does
# not declare are refused, the same way on both engines.
set -uo pipefail
diffrun=$1 gen=$2 src=$3
t=$(mktemp)
trap 'rm -f "$t"' EXIT
"$gen" --customers 300 --events 3000 --days 200 --seed 11 >"$t" || exit 2
failed=0 n=0
for p in "$src"/examples/*.ludic "$src"/examples/overlays "$src"/examples/retailer; do
	for ev in "$src/examples/retailer/events.jsonl" "$t"; do
		n=$((n + 1))
		if ! out=$("$diffrun" --quiet --until 2028-01-01T00:00:00+01:00 "$p" "$ev" 2>&1); then
			echo "DIFFERENT or ERROR: $p on $ev"
			echo "$out" | sed 's/^/    /'
			failed=$((failed + 1))
		fi
	done
done
echo "$n runs of the examples on both engines: $((n - failed)) same, $failed not"
[ "$failed" -eq 0 ]
