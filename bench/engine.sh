#!/bin/bash
# bench/engine.sh — events per second of the engine on the retailer program.
#
# usage: bench/engine.sh [engine-bench options]   (BUILD=dir, default build)
#   e.g. bench/engine.sh --events 500000 --runs 3 --json /tmp/engine.json
# Builds engine-bench and bench-gen, then runs engine-bench from the
# repository's root (it reads examples/retailer/). Without options it runs the
# full stream: 5,000,000 events, 100,000 customers, 90 days, 3 runs of each
# path (typed and JSON Lines); that takes minutes and about 2 GB of memory on
# a 2-core machine: use --events for a quick look. bench/engine_bench.c says
# what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" engine-bench bench-gen >/dev/null
exec "$build/engine-bench" "$@"
