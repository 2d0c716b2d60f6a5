#!/bin/bash
# benchgen.sh BENCH_GEN DIFFRUN PROGRAM — 20,000 events from bench/gen.c (2,000
# customers over 120 days) on PROGRAM, then four months of time passing,
# compared on the two engines by diffrun; then interp against auto, and
# against native code fed in batches.
set -euo pipefail
gen=$1 diffrun=$2 program=$3
t=$(mktemp)
trap 'rm -f "$t"' EXIT
"$gen" --customers 2000 --events 20000 --days 120 --seed 7 >"$t"
"$diffrun" --until 2027-10-01T00:00:00+02:00 "$program" "$t"
# The same stream on the interpreter and on `auto`, which switches to native
# code between two events once its background compile is done: the switch
# must not change anything either.
"$diffrun" --a=interp --b=auto --until 2027-10-01T00:00:00+02:00 "$program" "$t"
# And native code fed in batches of 256 lines (ludic_engine_push_json_batch),
# which must give what one push per line gives.
"$diffrun" --b-batch 256 --until 2027-10-01T00:00:00+02:00 "$program" "$t"
