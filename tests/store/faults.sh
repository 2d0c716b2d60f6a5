#!/bin/bash
# faults.sh — a full disk, a failing write, a damaged or foreign store, a
# second writer (issue point 4). Every fault must stop the run with a clear
# message (exit 2, never a crash), leave the store as its last commit had
# it, and the next run must resume and end exactly where an uninterrupted
# run ends (ledger and every customer's state fingerprint).
#
# usage: faults.sh LUDIC BENCH_GEN
set -euo pipefail
LUDIC=$1 GEN=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PROGRAM=$HERE/../../examples/retailer
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$GEN" --customers 800 --events 12000 --seed 11 > "$W/events.jsonl"
run() { "$LUDIC" run "$PROGRAM" --engine=interp --events "$W/events.jsonl" --batch 500 -q --effects /dev/null \
	--rejects /dev/null --store "$@"; }
same_as_ref() {
	"$LUDIC" ledger --store "$1" --format=json > "$W/got.ledger"
	"$LUDIC" balances --store "$1" --format=digest > "$W/got.digest"
	cmp -s "$W/ref.ledger" "$W/got.ledger" || fail "$2: the ledger differs from an uninterrupted run"
	cmp -s "$W/ref.digest" "$W/got.digest" || fail "$2: the state differs from an uninterrupted run"
}
# expect_failure NAME MESSAGE-PATTERN COMMAND...: exit status 2 and the message on stderr
expect_failure() {
	local name=$1 pattern=$2 rc=0
	shift 2
	"$@" 2> "$W/err" || rc=$?
	[ "$rc" = 2 ] || { cat "$W/err" >&2; fail "$name: exit status $rc, not 2"; }
	grep -q -- "$pattern" "$W/err" || { cat "$W/err" >&2; fail "$name: the message does not say \"$pattern\""; }
	echo "$name: $(head -c 300 "$W/err" | head -1)"
}

run "$W/ref"
"$LUDIC" ledger --store "$W/ref" --format=json > "$W/ref.ledger"
"$LUDIC" balances --store "$W/ref" --format=digest > "$W/ref.digest"

# a failing write (fault injection): the third commit fails
expect_failure "failing write" "failure injected by LUDIC_STORE_FAIL_AFTER) to the store failed (Input/output error): nothing was lost: check the disk and run again; the next run resumes after input line 1000" \
	env LUDIC_STORE_FAIL_AFTER=2 "$LUDIC" run "$PROGRAM" --engine=interp --events "$W/events.jsonl" --batch 500 -q \
	--effects /dev/null --rejects /dev/null --store "$W/a"
run "$W/a"
same_as_ref "$W/a" "failing write"

# a full disk: a file size limit (ulimit -f, in 512-byte blocks) stops the writes
expect_failure "full disk (file size limit)" "the disk is full" bash -c "ulimit -f 2048; exec \"\$0\" \"\$@\"" \
	"$LUDIC" run "$PROGRAM" --engine=interp --events "$W/events.jsonl" --batch 500 -q --effects /dev/null \
	--rejects /dev/null --store "$W/b"
[ -s "$W/b/data.mdb" ] || fail "full disk: nothing was committed before the limit: the test proves little"
run "$W/b"
same_as_ref "$W/b" "full disk"

# the store's own size limit (LMDB's map size) reached
expect_failure "store size limit" "the store reached its size limit" env LUDIC_STORE_MAP_SIZE=1500000 \
	"$LUDIC" run "$PROGRAM" --engine=interp --events "$W/events.jsonl" --batch 500 -q --effects /dev/null \
	--rejects /dev/null --store "$W/c"
run "$W/c"
same_as_ref "$W/c" "store size limit"

# a second writer is refused while the first holds the store
mkdir "$W/d"
flock "$W/d/ludic.lock" sleep 5 &
sleep 0.5
expect_failure "second writer" "another \`ludic run\` is using the store" run "$W/d"
wait

# another input than the one the store was fed: refused, not applied from the middle of a line
"$GEN" --customers 800 --events 14000 --seed 12 > "$W/other.jsonl"
expect_failure "another input" "does not continue where the store stopped" \
	"$LUDIC" run "$PROGRAM" --events "$W/other.jsonl" --store "$W/a" -q --effects /dev/null
head -c 1000 "$W/events.jsonl" > "$W/short.jsonl"
expect_failure "a shorter input" "but the store has already applied" \
	"$LUDIC" run "$PROGRAM" --events "$W/short.jsonl" --store "$W/a" -q --effects /dev/null
same_as_ref "$W/a" "another input"

# damaged and foreign stores: refused at open, with what to do
cp -r "$W/ref" "$W/e"
dd if=/dev/urandom of="$W/e/data.mdb" bs=4096 count=2 conv=notrunc status=none
expect_failure "damaged header" "is damaged or is not a ludic store" run "$W/e"
expect_failure "damaged header (query)" "is damaged or is not a ludic store" "$LUDIC" balances --store "$W/e"
cp -r "$W/ref" "$W/f"
truncate -s 100000 "$W/f/data.mdb"
expect_failure "cut short" "is cut short" "$LUDIC" ledger --store "$W/f"
expect_failure "cut short (run)" "is cut short" run "$W/f"
mkdir "$W/g" && echo "not a database" > "$W/g/notes.txt"
expect_failure "foreign folder" "is not a ludic store (it holds other files" run "$W/g"
mkdir "$W/h" && head -c 65536 /dev/zero > "$W/h/data.mdb"
expect_failure "foreign file" "is damaged or is not a ludic store" run "$W/h"
expect_failure "missing store (query)" "there is no store at" "$LUDIC" liability --store "$W/nothing"
# (a record whose bytes changed on disk is caught by its checksum: tests/unit/test_store.c)
echo "ok: every fault stopped the run cleanly and the next run resumed to the uninterrupted result"
