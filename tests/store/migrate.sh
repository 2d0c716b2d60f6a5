#!/bin/bash
# migrate.sh — a new version of a program over a live store (issue point 6).
#
# examples/retailer (version 2027.03) runs on the first half of its events
# with --store; then tests/store/v2 (version 2027.04: streak "Weekly regular"
# and its badge "regular" removed, streak "Daily visitor" added, the limit of
# "Review" changed from 3 to 5 per month) opens the same store. Asserted:
# the migration is reported (kept, new, dropped), every customer's wallets,
# tiers, levels and badges carry over unchanged (badges by name, though the
# removed badge moved the others' bits), the store then belongs to v2 (a
# query compiles v2 from the store), and v2 goes on from the position v1
# reached, its ledger continuing v1's.
#
# usage: migrate.sh LUDIC
set -euo pipefail
LUDIC=$1
HERE=$(cd "$(dirname "$0")" && pwd)
V1=$HERE/../../examples/retailer V2=$HERE/v2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

head -n 40 "$V1/events.jsonl" > "$W/first.jsonl"
"$LUDIC" run "$V1" --events "$W/first.jsonl" --store "$W/s" -q --effects /dev/null --rejects /dev/null
"$LUDIC" balances --store "$W/s" --format=jsonl > "$W/before.jsonl"
n1=$("$LUDIC" ledger --store "$W/s" | wc -l)
grep -q '"badges":\["[a-z-]' "$W/before.jsonl" || fail "no customer has a badge before the migration: the test proves nothing"

# v2 on the same input: nothing new to apply, only the migration
"$LUDIC" run "$V2" --events "$W/first.jsonl" --store "$W/s" --effects /dev/null --rejects /dev/null 2> "$W/report"
cat "$W/report"
grep -q 'migrated from version "2027.03" to "2027.04"' "$W/report" || fail "no migration reported"
sed -n '/^  dropped/,$p' "$W/report" | grep -q 'streak "Weekly regular"' || fail "the removed streak is not reported dropped"
sed -n '/^  dropped/,$p' "$W/report" | grep -q 'badge "regular"' || fail "the removed badge is not reported dropped"
sed -n '/^  new/,/^  [a-z]/p' "$W/report" | grep -q 'streak "Daily visitor"' || fail "the new streak is not reported new"
sed -n '/^  new/,/^  [a-z]/p' "$W/report" | grep -q 'rule "Review": limit 5 per month' || fail "the changed limit is not reported new"
sed -n '/^  kept/,/^  [a-z]/p' "$W/report" | grep -q 'wallet points' || fail "wallet points is not reported kept"
sed -n '/^  kept/,/^  [a-z]/p' "$W/report" | grep -q 'tiers status' || fail "the tiers are not reported kept"

# the state carried over: wallets, tiers, levels and badges (by name)
"$LUDIC" balances --store "$W/s" --format=jsonl > "$W/after.jsonl"
diff -u "$W/before.jsonl" "$W/after.jsonl" || fail "a customer's state changed in the migration"

# the store now holds v2: its queries compile v2's source, and v1 is migrated back only on purpose
n2=$("$LUDIC" ledger --store "$W/s" | wc -l)
[ "$n1" = "$n2" ] || fail "the migration changed the ledger ($n1 -> $n2 entries)"

# v2 goes on from where v1 stopped, and its ledger continues v1's
"$LUDIC" run "$V2" --events "$V1/events.jsonl" --store "$W/s" -q --effects "$W/v2.effects" --rejects /dev/null
n3=$("$LUDIC" ledger --store "$W/s" | wc -l)
[ "$n3" -eq $((n2 + $(wc -l < "$W/v2.effects"))) ] || fail "the ledger does not continue: $n2 + $(wc -l < "$W/v2.effects") != $n3"
first_seq=$("$LUDIC" ledger --store "$W/s" --format=json | sed 's/^{"seq":\([0-9]*\),.*/\1/' | sort -n | sed -n "$((n2 + 1))p")
[ "$first_seq" = "$n2" ] || fail "v2's first entry has seq $first_seq, not $n2"
# v2's effects are those of the events after line 40 only: none of the first 40 lines' events
first_ids=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$W/first.jsonl" | sort -u)
for id in $first_ids; do
	! grep -q "\"event\":\"$id\"" "$W/v2.effects" || fail "v2 applied event $id again"
done

# a store of another program is refused, with the reason
cp "$V1/base.ludic" "$W/other.ludic"
sed -i 's/program "maison-verte"/program "another-shop"/' "$W/other.ludic"
if "$LUDIC" run "$W/other.ludic" --events "$W/first.jsonl" --store "$W/s" -q 2> "$W/err"; then
	fail "a store of another program was accepted"
fi
grep -q 'belongs to program "maison-verte", not "another-shop"' "$W/err" || { cat "$W/err"; fail "unclear refusal"; }
echo "ok: migration v1 -> v2 reported and carried over; v2 resumed at v1's position"
