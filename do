#!/bin/bash
# do — the project's commands, for a new user, a developer and CI.
#
#   ./do setup-and-run   install what is missing (Debian 12; as root or with sudo),
#                        build, check every bundled example with `ludic check`, run
#                        the retailer's programme on a day of events, and show a customer
#   ./do test            build and run every test (meson test)
#   ./do fuzz [SECONDS]  build the libFuzzer targets with clang and run them (default 60 s)
#   ./do bench [RUNS] [bench/run.sh options]
#                        time `ludic check examples/retailer/` (bench/check.sh), then the
#                        benchmark suite: interpreter, native code, hand-written C (bench/run.sh)
#
# Every command can be run again: an existing build folder is reconfigured,
# not recreated. BUILD=dir picks another build folder (default: build).
set -euo pipefail
cd "$(dirname "$0")"
BUILD=${BUILD:-build}

# Debian packages the build and the tests need.
PACKAGES=(meson ninja-build flex bison gcc pkg-config python3 libgccjit-12-dev uthash-dev libjsmn-dev libcriterion-dev liblmdb-dev tzdata)
# More for the fuzzer (clang's libFuzzer runtime).
FUZZ_PACKAGES=(clang libclang-rt-14-dev)

say() { printf '\n== %s\n' "$*"; }

# install PACKAGE... : apt-get installs the ones not installed yet.
install() {
	local missing=() p
	if ! command -v dpkg-query >/dev/null; then
		echo "not a Debian system: install by hand: $*" >&2
		return 0
	fi
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -ne 0 ] && sudo=(sudo)
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# build [DIR [MESON OPTIONS...]] : configures (or reconfigures) and builds.
build() {
	local dir=${1:-$BUILD}
	shift || true
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@"
	fi
	ninja -C "$dir"
}

cmd=${1:-help}
shift || true
case "$cmd" in
setup-and-run)
	install "${PACKAGES[@]}"
	say "building in $BUILD/"
	build "$BUILD"
	say "checking the examples: ludic check examples/ examples/overlays/ examples/retailer/"
	"$BUILD/ludic" check examples/ examples/overlays/ examples/retailer/
	# A Saturday of events at the fictional retailer, then two weeks of time
	# passing (pending points released, birthday month, app tips).
	until=2027-04-05T00:00:00+02:00
	say "running the retailer's programme: ludic run examples/retailer/ --events examples/retailer/events.jsonl --until $until"
	"$BUILD/ludic" run examples/retailer/ --events examples/retailer/events.jsonl --until "$until" \
		--effects "$BUILD/effects.jsonl"
	echo "the effects are in $BUILD/effects.jsonl, one JSON object per line; the first ones:"
	head -n 5 "$BUILD/effects.jsonl"
	say "one customer's state: ludic state examples/retailer/ --events examples/retailer/events.jsonl --until $until --customer c-1001"
	"$BUILD/ludic" state examples/retailer/ --events examples/retailer/events.jsonl --until "$until" --customer c-1001
	;;
test)
	install "${PACKAGES[@]}"
	build "$BUILD"
	say "running the tests"
	meson test -C "$BUILD" --print-errorlogs "$@"
	;;
fuzz)
	# ./do fuzz [SECONDS]: parse + check for SECONDS, event decoding and event
	# streams through the engine for half as long each, the time library for a
	# quarter (default 60).
	seconds=${1:-60}
	install "${PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"
	dir=${FUZZ_BUILD:-build-fuzz}
	if [ ! -f "$dir/build.ninja" ]; then
		CC=clang meson setup "$dir" -Dfuzz=true -Dunit_tests=disabled \
			-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
	fi
	ninja -C "$dir" fuzz_check fuzz_decode fuzz_engine fuzz_clock
	corpus=$dir/corpus
	mkdir -p "$corpus"
	for f in examples/*.ludic examples/*/*.ludic stdlib/*.ludic; do
		cp "$f" "$corpus/seed-${f//\//_}"
	done
	say "fuzzing parse + check for $seconds s (crashes are saved as $dir/crash-*)"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$dir/fuzz_check" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix="$dir/" -print_final_stats=1 "$corpus"
	events=$dir/corpus-events
	mkdir -p "$events"
	python3 tools/realdata.py uci ../shared/data/real/uci_online_retail_2010-12-01_lines.csv 2>/dev/null |
		head -n 20 | split -l 1 - "$events/seed-uci-" || true
	say "fuzzing event decoding for $((seconds / 2)) s"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$dir/fuzz_decode" -max_total_time="$((seconds / 2))" -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix="$dir/decode-" -print_final_stats=1 "$events"
	times=$dir/corpus-clock
	mkdir -p "$times"
	printf '\0002027-03-28T01:59:59+01:00' >"$times/seed-timestamp"
	printf '\0012024-02-29' >"$times/seed-date"
	printf '\002PT1H30M' >"$times/seed-duration"
	for z in Europe/Paris America/Havana Australia/Lord_Howe; do
		[ -f "/usr/share/zoneinfo/$z" ] && { printf '\003'; cat "/usr/share/zoneinfo/$z"; } >"$times/seed-${z//\//_}"
	done
	say "fuzzing the time library for $((seconds / 4)) s"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$dir/fuzz_clock" -max_total_time="$((seconds / 4))" -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix="$dir/clock-" -print_final_stats=1 "$times"
	streams=$dir/corpus-engine
	mkdir -p "$streams"
	cp examples/retailer/events.jsonl "$streams/seed-retailer"
	split -l 8 examples/retailer/events.jsonl "$streams/seed-retailer-part-"
	say "fuzzing event streams through the engine for $((seconds / 2)) s"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$dir/fuzz_engine" -max_total_time="$((seconds / 2))" -timeout=10 -rss_limit_mb=4096 \
		-max_len=16384 -artifact_prefix="$dir/engine-" -print_final_stats=1 "$streams"
	;;
bench)
	# ./do bench [RUNS] [bench/run.sh options]: the time of `ludic check`, then
	# the whole suite (bench/run.sh; e.g. ./do bench 10 --events 500000).
	install "${PACKAGES[@]}"
	build "$BUILD"
	runs=30
	if [ $# -gt 0 ] && [[ $1 != -* ]]; then runs=$1; shift; fi
	say "ludic check examples/retailer/"
	LUDIC="$BUILD/ludic" bench/check.sh "$runs"
	say "the benchmark suite (bench/run.sh $*)"
	BUILD="$BUILD" bench/run.sh "$@"
	;;
help | -h | --help)
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	;;
*)
	echo "do: unknown command \`$cmd\`" >&2
	sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
