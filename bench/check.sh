#!/bin/bash
# bench/check.sh — how long `ludic check examples/retailer/` takes.
#
# usage: bench/check.sh [RUNS]      (default 30 runs; LUDIC=path/to/ludic, default build/ludic)
# Prints the machine (cores, CPU model), then the median, min and max wall
# time over RUNS runs, after 3 warm-up runs. Uses hyperfine when it is
# installed, else a loop timed with date +%s%N. Run it through `./do bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
ludic=${LUDIC:-build/ludic}
target=examples/retailer/
[ -x "$ludic" ] || { echo "bench: $ludic not found: build first (./do setup-and-run)" >&2; exit 2; }
"$ludic" check --quiet "$target" || { echo "bench: $target does not check clean" >&2; exit 1; }

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr)"
echo "command: $ludic check --quiet $target ($(cat "$target"*.ludic | wc -l) lines of rules)"

if command -v hyperfine >/dev/null; then
	json=$(mktemp)
	trap 'rm -f "$json"' EXIT
	hyperfine --shell=none --warmup 3 --runs "$runs" --style basic --export-json "$json" \
		"$ludic check --quiet $target" >/dev/null
	python3 - "$json" <<'PY'
import json
import sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"median {r['median'] * 1e3:.2f} ms   min {r['min'] * 1e3:.2f} ms   max {r['max'] * 1e3:.2f} ms   ({len(r['times'])} runs, hyperfine)")
PY
else
	for _ in 1 2 3; do "$ludic" check --quiet "$target"; done
	times=()
	for _ in $(seq "$runs"); do
		t0=$(date +%s%N)
		"$ludic" check --quiet "$target"
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v runs="$runs" '
		{ t[NR] = $1 }
		END {
			m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			printf "median %.2f ms   min %.2f ms   max %.2f ms   (%d runs, date +%%s%%N)\n", m / 1000, t[1] / 1000, t[NR] / 1000, runs
		}'
fi
