#!/bin/bash
# store_bench.sh — durable runs of the retailer program: events per second with
# group commit, and bytes on disk per customer (docs/operations.md quotes it).
#
# usage: bench/store/store_bench.sh [EVENTS [CUSTOMERS [BATCH]]]
#        (defaults 1000000 events, 100000 customers, and the batches of
#         `ludic run --store` without --batch;
#         BUILD=dir picks the build folder, ENGINE=auto|interp|native the engine)
#
# It generates the events with bench-gen (seed 1), then times, on the same
# file: `ludic run` in memory (the baseline), and `ludic run --store` on a new
# store (every event, every batch committed and synced). Times are wall clock
# and CPU (user + system): on a shared machine the CPU figure is the steadier
# one. Bytes on disk: the store's data.mdb as allocated (du), per customer, and
# split into customer records and ledger as LMDB counts its pages (from the
# summary of one more run on the finished store, which reads nothing new).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
EVENTS=${1:-1000000} CUSTOMERS=${2:-100000} BATCH=${3:-} ENGINE=${ENGINE:-auto}
ninja -C "$BUILD" ludic bench-gen >/dev/null
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$BUILD/bench-gen" --customers "$CUSTOMERS" --events "$EVENTS" --seed 1 > "$W/events.jsonl"
echo "retailer program, $EVENTS events, $CUSTOMERS customers, batch ${BATCH:-default}, engine $ENGINE ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
timed() { # timed NAME COMMAND...: prints wall, cpu, events/s
	local name=$1 t
	shift
	t=$( { /usr/bin/time -f '%e %U %S' "$@" > /dev/null 2> "$W/err"; } 2>&1 | tail -1) || { cat "$W/err"; exit 1; }
	read -r wall user sys <<< "$(tail -1 "$W/err")"
	awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v e="$EVENTS" 'BEGIN {
		c = u + s; printf "%-22s %7.2f s wall %9.0f events/s   %7.2f s cpu %9.0f events/cpu-s\n", n, w, e / w, c, e / c }'
}
run=("$BUILD/ludic" run examples/retailer --events "$W/events.jsonl" --engine="$ENGINE" --effects /dev/null --rejects /dev/null)
timed "in memory" "${run[@]}" -q
timed "durable (--store)" "${run[@]}" -q --store "$W/store" ${BATCH:+--batch "$BATCH"}
bytes=$(du -B1 "$W/store/data.mdb" | cut -f1)
entries=$("$BUILD/ludic" ledger --store "$W/store" | wc -l)
awk -v b="$bytes" -v c="$CUSTOMERS" -v l="$entries" 'BEGIN {
	printf "store: %.1f MiB on disk, %d ledger entries: %.0f bytes per customer (%.0f per ledger entry, everything counted)\n",
		b / 1048576, l, b / c, b / l }'
# where the bytes go, as the store counts its pages (the summary of a run)
"${run[@]}" --store "$W/store" 2>&1 >/dev/null | sed -n 's/^  store /store pages: /p' || true
