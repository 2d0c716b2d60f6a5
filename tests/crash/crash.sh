#!/bin/bash
# crash.sh — kill -9 while events flow, then verify (issue: "nothing lost").
#
# Modelled on Kafka Streams' exactly-once system test (kill the process while
# data flows, restart it on the same input, then run a verifier) and on
# Flink's per-key sequence check. bench-gen makes the retailer's events; one
# uninterrupted `ludic run --store` is the reference; then `ludic run --store`
# on a fresh store is killed with SIGKILL at random moments and restarted on
# the same input until it finishes, for rounds until at least CRASH_KILLS
# kills have landed. Each round's final store must equal the reference:
# the whole ledger (every entry id, sequence number and effect), every
# customer's balances, and a fingerprint of every customer's whole state
# (engine header, duplicate ring, record), staff records, budgets and clock.
# verify.py then checks, per customer, that the ledger's events come in the
# input's order, each once (no gap against the reference, no repeat).
#
# usage: crash.sh LUDIC BENCH_GEN PYTHON [WORKDIR]
# env:   CRASH_EVENTS (100000), CRASH_CUSTOMERS (5000), CRASH_KILLS (20),
#        CRASH_SEED (random; printed), CRASH_SECONDS (time budget for the
#        kill rounds, 300), CRASH_BATCH (events per commit, 2000)
set -euo pipefail
LUDIC=$1 GEN=$2 PY=$3
HERE=$(cd "$(dirname "$0")" && pwd)
PROGRAM=$HERE/../../examples/retailer
WORK=${4:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT
EVENTS=${CRASH_EVENTS:-100000}
CUSTOMERS=${CRASH_CUSTOMERS:-5000}
KILLS=${CRASH_KILLS:-20}
SEED=${CRASH_SEED:-$(( $(date +%s) % 100000 ))}
BUDGET=${CRASH_SECONDS:-300}
BATCH=${CRASH_BATCH:-2000}
echo "crash test: $EVENTS events, $CUSTOMERS customers, at least $KILLS kills, seed $SEED (CRASH_SEED=$SEED reproduces the input and the kill times)"
RANDOM=$SEED
"$GEN" --customers "$CUSTOMERS" --events "$EVENTS" --seed "$SEED" > "$WORK/events.jsonl"

args=(--engine=interp --events "$WORK/events.jsonl" --batch "$BATCH" -q --effects /dev/null --rejects /dev/null)
run() { "$LUDIC" run "$PROGRAM" "${args[@]}" --store "$1"; }
# everything that must match, from a store
export_store() {
	"$LUDIC" ledger --store "$1" --format=json > "$2.ledger"
	"$LUDIC" balances --store "$1" --format=csv > "$2.balances"
	"$LUDIC" balances --store "$1" --format=digest > "$2.digest"
	"$LUDIC" liability --store "$1" > "$2.liability"
}

start=$SECONDS
run "$WORK/ref"
export_store "$WORK/ref" "$WORK/ref"
ref_time=$((SECONDS - start))
echo "reference: $(wc -l < "$WORK/ref.ledger") ledger entries, $(grep -c '^customer,' "$WORK/ref.digest") customers, ${ref_time}s"
[ "$(wc -l < "$WORK/ref.ledger")" -gt "$EVENTS" ] || { echo "FAIL: the reference ledger is too small" >&2; exit 1; }

# Kill delays: a fraction of the reference run's time, so that most kills land
# while events flow (some land while the store opens: that must be safe too).
total_ms=$(( ref_time * 1000 + 500 ))
kills=0 rounds=0
while [ "$kills" -lt "$KILLS" ]; do
	if [ $((SECONDS - start)) -gt "$BUDGET" ]; then
		echo "FAIL: the time budget of ${BUDGET}s ran out after $kills kills (raise CRASH_SECONDS)" >&2
		exit 1
	fi
	rounds=$((rounds + 1))
	store=$WORK/crash$rounds
	rm -rf "$store"
	round_kills=0
	while :; do
		"$LUDIC" run "$PROGRAM" "${args[@]}" --store "$store" & pid=$!
		delay_ms=$(( 30 + RANDOM % (total_ms / 4 + 1) ))
		sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
		if kill -9 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
			kills=$((kills + 1)) round_kills=$((round_kills + 1))
			continue
		fi
		if ! wait "$pid"; then
			echo "FAIL: a restarted run failed (round $rounds, after $round_kills kills)" >&2
			exit 1
		fi
		break
	done
	# the same input once more on the finished store: nothing changes
	run "$store"
	export_store "$store" "$WORK/got"
	for part in ledger balances digest liability; do
		if ! cmp -s "$WORK/ref.$part" "$WORK/got.$part"; then
			echo "FAIL: round $rounds ($round_kills kills): the $part differs from the uninterrupted run" >&2
			diff "$WORK/ref.$part" "$WORK/got.$part" | head -20 >&2
			exit 1
		fi
	done
	echo "round $rounds: $round_kills kills, ledger, balances, state fingerprints and liability identical to the reference"
	rm -rf "$store"
done
"$LUDIC" run "$PROGRAM" --engine=interp --events "$WORK/events.jsonl" -q --rejects /dev/null > "$WORK/memory.effects"
"$PY" "$HERE/verify.py" "$WORK/events.jsonl" "$WORK/ref.ledger" "$WORK/memory.effects"
echo "ok: $kills kills in $rounds rounds, nothing lost, nothing doubled ($((SECONDS - start))s)"
