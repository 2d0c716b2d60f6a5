#!/bin/bash
# selftest.sh — tests the text-case runner itself.
#
# usage: selftest.sh LANGTEST SELFTEST_DIR
# Checks that pass.test passes, that fail.test fails with exactly its three
# failures (a wrong diagnostic, a wrong fmt output, an unfinished case) and a
# diff, that --update is refused when CI is set, and that --update, run by a
# developer, rewrites expectations so that the file then passes.
set -euo pipefail
langtest=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "selftest: $*" >&2; exit 1; }

"$langtest" "$dir/pass.test" >"$tmp/out" || { cat "$tmp/out"; fail "pass.test should pass"; }
[ "$(tail -n 1 "$tmp/out")" = "3 passed, 0 failed" ] || { cat "$tmp/out"; fail "pass.test: wrong count"; }

set +e
"$langtest" "$dir/fail.test" >"$tmp/out"
rc=$?
set -e
[ $rc -eq 1 ] || { cat "$tmp/out"; fail "fail.test should exit 1, got $rc"; }
[ "$(tail -n 1 "$tmp/out")" = "0 passed, 3 failed" ] || { cat "$tmp/out"; fail "fail.test: wrong count"; }
grep -q '^FAIL selftest-2.1 (.*fail.test:3): an expectation that no compiler prints$' "$tmp/out" || fail "no case header"
grep -q '^  -this is not a diagnostic$' "$tmp/out" || fail "no diff line for the expected text"
grep -q '^  +program "selftest"$' "$tmp/out" || fail "no diff line for the actual fmt output"
grep -q 'selftest-2.3 is not finished' "$tmp/out" || fail "unfinished case not reported"

cp "$dir/fail.test" "$tmp/update.test"
head -n 13 "$dir/fail.test" >"$tmp/update.test" # the two complete cases
set +e
CI=true "$langtest" --update "$tmp/update.test" >"$tmp/out" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "--update must be refused when CI is set (exit $rc)"
cmp -s "$tmp/update.test" <(head -n 13 "$dir/fail.test") || fail "--update changed the file in CI"

env -u CI "$langtest" --update "$tmp/update.test" >"$tmp/out" 2>&1 || true
"$langtest" "$tmp/update.test" >"$tmp/out" || { cat "$tmp/out"; fail "after --update the cases should pass"; }
[ "$(tail -n 1 "$tmp/out")" = "2 passed, 0 failed" ] || { cat "$tmp/out"; fail "updated file: wrong count"; }
echo "selftest: ok"
