#!/bin/bash
# bench/engine.sh — kept for old instructions: the engine's figures are now
# part of the whole suite, bench/run.sh (same options; docs/benchmarks.md).
exec "$(dirname "$0")/run.sh" "$@"
