#!/bin/bash
# bench/run.sh — the whole benchmark suite in one command: ludic's interpreter,
# its native code and the hand-written C of the same programme (bench/hand/),
# side by side, on the retailer programme and bench/gen.c's stream.
#
# usage: bench/run.sh [--events N] [--customers N] [--days N] [--seed N] [--runs N]
#                     [--latency N] [--input FILE] [--json FILE]     (BUILD=dir, default build)
#
# 1. the equality check (engine-bench --check) on the same stream: every
#    effect and every customer's final state of ludic and of the hand-written
#    C are compared; any difference stops the suite before anything is timed;
# 2. each implementation timed in its own process (engine-bench --impl), so
#    that each peak memory is its own;
# 3. one table, and one JSON file: bench/results/<date>.json, or --json FILE.
# Defaults: 5,000,000 events, 100,000 customers, 3 runs: several minutes and
# about 2 GB of memory per process. docs/benchmarks.md explains each figure.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
out=bench/results/$(date -u +%Y-%m-%d).json
stream=() timing=()
while [ $# -gt 0 ]; do
	case "$1" in
	--events | --customers | --days | --seed | --input)
		[ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
		stream+=("$1" "$2"); shift 2 ;;
	--runs | --latency)
		[ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
		timing+=("$1" "$2"); shift 2 ;;
	--json)
		[ $# -ge 2 ] || { echo "run.sh: --json needs a file" >&2; exit 2; }
		out=$2; shift 2 ;;
	-h | --help)
		sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*)
		echo "run.sh: unknown option \`$1\` (bench/run.sh --help)" >&2; exit 2 ;;
	esac
done
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" -j2 engine-bench bench-gen >/dev/null
bench="$build/engine-bench"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== the equality check: ludic and the hand-written C, effect by effect"
"$bench" --check "${stream[@]}" | tee "$tmp/check.txt"
check=$(grep -h 'agree' "$tmp/check.txt" | sed 's/^check: //' | paste -sd ';' -)

for impl in interp native hand; do
	echo
	echo "== $impl"
	"$bench" --impl "$impl" "${stream[@]}" "${timing[@]}" --json "$tmp/$impl.json"
done

echo
echo "== results"
mkdir -p "$(dirname "$out")"
python3 bench/report.py --out "$out" --command "bench/run.sh ${stream[*]} ${timing[*]}" --check "$check" \
	"$tmp"/interp.json "$tmp"/native.json "$tmp"/hand.json
