#!/bin/bash
# realdata.sh — the retailer program on real retail data: what must hold.
#
# usage: tests/realdata/realdata.sh REPLAY [SOURCE_DIR]
#   REPLAY: the replay driver (tests/realdata/replay.c, built by meson)
#
# Converts the real data sets of ../shared/data/real/ (next to the
# repository: UCI Online Retail, two slices, and CDNOW) to events with
# tools/realdata.py, runs examples/retailer/ (base + north) over each with
# replay, twice, and checks:
#   - no reject: the converted streams are well-formed;
#   - anonymous sales (UCI rows without a customer) are counted, as many as the
#     stream has lines without "customer", and crash nothing;
#   - conservation and no balance below zero, for every customer and wallet
#     (tests/realdata/check.py);
#   - determinism: the two runs give byte-identical effects and balances;
#   - hand-checked figures for one customer of the first UCI slice
#     (tests/realdata/hand.py says how each was computed from the rules).
# When the data is missing the test is skipped (exit 77), except under CI=true,
# where it fails: CI must always test the real data.
set -euo pipefail
replay=$1
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$src/../shared/data/real
if [ ! -d "$data" ]; then
	if [ "${CI:-}" = true ]; then
		echo "realdata: $data is missing: CI must test the real data" >&2
		exit 1
	fi
	echo "realdata: $data is missing: skipped (put the data sets there to run this test)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rules=("$src/examples/retailer/base.ludic" "$src/examples/retailer/north.ludic")
fail=0

# run NAME KIND FILE UNTIL
run() {
	local name=$1 kind=$2 file=$3 until=$4
	python3 "$src/tools/realdata.py" "$kind" "$data/$file" >"$tmp/$name.jsonl"
	local lines anon
	lines=$(wc -l <"$tmp/$name.jsonl")
	anon=$(grep -vc '"customer":' "$tmp/$name.jsonl" || true)
	for r in 1 2; do
		"$replay" --effects "$tmp/$name.$r.fx" --balances "$tmp/$name.$r.bal" --rejects "$tmp/$name.$r.rej" \
			--until "$until" "${rules[@]}" <"$tmp/$name.jsonl" >"$tmp/$name.$r.sum"
	done
	echo "$name: $(cat "$tmp/$name.1.sum")"
	local sum
	sum=$(cat "$tmp/$name.1.sum")
	[[ $sum == "lines $lines "* ]] || { echo "FAIL $name: expected $lines lines"; fail=1; }
	[[ $sum == *" rejected 0 "* ]] || { echo "FAIL $name: rejects on a well-formed stream:"; head -5 "$tmp/$name.1.rej"; fail=1; }
	[[ $sum == *" anonymous $anon "* ]] || { echo "FAIL $name: expected $anon anonymous events"; fail=1; }
	cmp -s "$tmp/$name.1.fx" "$tmp/$name.2.fx" || { echo "FAIL $name: two runs gave different effects"; fail=1; }
	cmp -s "$tmp/$name.1.bal" "$tmp/$name.2.bal" || { echo "FAIL $name: two runs gave different balances"; fail=1; }
	[ -s "$tmp/$name.1.fx" ] || { echo "FAIL $name: no effect at all"; fail=1; }
	python3 "$src/tests/realdata/check.py" "$tmp/$name.1.fx" "$tmp/$name.1.bal" || { echo "FAIL $name: check.py"; fail=1; }
}

run uci-lines uci uci_online_retail_2010-12-01_lines.csv 2011-01-31T00:00:00Z
run uci-5days uci uci_online_retail_2010-12-01_05.csv 2011-01-31T00:00:00Z
run cdnow cdnow cdnow_master.txt 1998-12-31T00:00:00Z

# Figures computed by hand from the rules, on the first UCI slice.
python3 "$src/tests/realdata/hand.py" "$tmp/uci-lines.jsonl" "$tmp/uci-lines.1.fx" || { echo "FAIL: hand-checked figures"; fail=1; }

[ "$fail" = 0 ] && echo "realdata: all checks hold"
exit "$fail"
