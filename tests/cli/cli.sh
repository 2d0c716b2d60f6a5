#!/bin/bash
# cli.sh — tests of the `ludic` command line: exit codes, messages, help,
# file and folder handling, overlays, JSON output, fmt in place and on stdin.
#
# usage: cli.sh PATH/TO/ludic
# Last line: N passed, N failed; exit 1 on any failure.
set -uo pipefail
ludic=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; echo "  stdout: $(head -c 2000 "$tmp/out")"; echo "  stderr: $(head -c 2000 "$tmp/err")"; }

# run ARGS... : runs ludic, keeps stdout, stderr and the exit status
run() { "$ludic" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
# expect_rc N DESCRIPTION
expect_rc() { if [ "$rc" -eq "$1" ]; then ok; else bad "$2: exit $rc, wanted $1"; fi; }
# expect_in FILE TEXT DESCRIPTION (fixed string)
expect_in() { if grep -qF -- "$2" "$tmp/$1"; then ok; else bad "$3: \`$2\` not in $1"; fi; }
expect_not_in() { if grep -qF -- "$2" "$tmp/$1"; then bad "$3: \`$2\` in $1"; else ok; fi; }

mkdir -p "$tmp/progs" "$tmp/empty" "$tmp/ov"
printf 'program "one"\n' >"$tmp/progs/a.ludic"
printf '# the second\nprogram "two"\n' >"$tmp/progs/b.ludic"
printf 'not a rule file\n' >"$tmp/progs/notes.txt"
printf 'program "garden"\n' >"$tmp/ov/base.ludic"
printf 'overlay "north" extends "garden" for region "north"\n' >"$tmp/ov/north.ludic"

# ---- version and help ----
run --version; expect_rc 0 "--version"; expect_in out "ludic 0." "--version prints the version"
run --help; expect_rc 0 "--help"; expect_in out "commands:" "--help lists the commands"
for c in check fmt dump help; do expect_in out "  $c " "--help lists $c"; done
run; expect_rc 2 "no arguments"; expect_in err "usage: ludic COMMAND" "no arguments shows the usage"
run help; expect_rc 0 "help"; expect_in out "commands:" "help lists the commands"
for c in check fmt dump; do
	run help "$c"; expect_rc 0 "help $c"; cp "$tmp/out" "$tmp/help1"
	run "$c" --help; expect_rc 0 "$c --help"
	if cmp -s "$tmp/out" "$tmp/help1"; then ok; else bad "help $c and $c --help differ"; fi
	expect_in out "usage: ludic $c" "$c --help has a usage line"
done
run help check; for o in --format=text --color=auto --deny-warnings --quiet --help; do expect_in out -- "$o" "check help documents $o"; done
run help fmt; for o in --check --help; do expect_in out -- "$o" "fmt help documents $o"; done
run help dump; for o in --ast --types --positions --help; do expect_in out -- "$o" "dump help documents $o"; done

# ---- wrong usage: exit 2 with a did-you-mean ----
run chek x.ludic; expect_rc 2 "unknown command"; expect_in err "unknown command \`chek\`" "unknown command named"
expect_in err "did you mean \`check\`?" "command did-you-mean"
run --verison; expect_rc 2 "unknown global option"; expect_in err "did you mean \`--version\`?" "global option did-you-mean"
run check --fromat=json "$tmp/progs/a.ludic"; expect_rc 2 "unknown option"; expect_in err "did you mean \`--format\`?" "option did-you-mean"
run check --format=jsn "$tmp/progs/a.ludic"; expect_rc 2 "bad value"; expect_in err "did you mean \`--format=json\`?" "value did-you-mean"
run check --color=sometimes "$tmp/progs/a.ludic"; expect_rc 2 "bad colour value"; expect_in err "\`always\`" "values listed"
run check --deny-warnings=yes "$tmp/progs/a.ludic"; expect_rc 2 "flag with a value"
run check --format; expect_rc 2 "option without its value"
run help fmtt; expect_rc 2 "help of an unknown command"; expect_in err "did you mean \`fmt\`?" "help did-you-mean"
run check; expect_rc 2 "check without files"
run fmt; expect_rc 2 "fmt without files"
run dump "$tmp/progs/a.ludic"; expect_rc 2 "dump without --ast/--types"
run dump --ast --types "$tmp/progs/a.ludic"; expect_rc 2 "dump with both"
run dump --types --positions "$tmp/progs/a.ludic"; expect_rc 2 "--positions without --ast"

# ---- files that cannot be read: exit 2 ----
run check "$tmp/progs/missing.ludic"; expect_rc 2 "missing file"; expect_in err "cannot read" "missing file reported"
expect_in err "checked 1 file: 1 error, 0 warnings" "missing file counted"
run check "$tmp/progs/a.ludic" "$tmp/progs/missing.ludic"; expect_rc 2 "one good, one missing file"
expect_in err "missing.ludic: not read" "per-file line for a missing file"
run check "$tmp/empty"; expect_rc 2 "empty folder"; expect_in err "no .ludic files in folder" "empty folder reported"
run fmt "$tmp/progs/missing.ludic"; expect_rc 2 "fmt of a missing file"
run dump --ast "$tmp/progs/missing.ludic"; expect_rc 2 "dump of a missing file"

# ---- clean programs: exit 0 and a summary ----
run check "$tmp/progs/a.ludic"; expect_rc 0 "clean file"
expect_in err "checked 1 file: 0 errors, 0 warnings" "summary line"
expect_not_in err "a.ludic: ok" "no per-file line for a single file"
run check "$tmp/progs"; expect_rc 0 "a folder"
expect_in err "a.ludic: ok" "per-file line"; expect_in err "b.ludic: ok" "per-file line (2)"
expect_not_in err "notes.txt" "only .ludic files of a folder"
expect_in err "checked 2 files: 0 errors, 0 warnings" "folder summary"
run check --quiet "$tmp/progs"; expect_rc 0 "--quiet"
if [ -s "$tmp/err" ]; then bad "--quiet prints nothing for clean files"; else ok; fi
run check "$tmp/progs" "$tmp/progs/a.ludic"; expect_in err "checked 2 files" "a file given twice is checked once"

# ---- overlays are checked on top of their base ----
run check "$tmp/ov"; expect_rc 0 "base and overlay"
expect_in err "north.ludic: ok (on top of $tmp/ov/base.ludic)" "overlay checked on the given base"
run check "$tmp/ov/north.ludic" "$tmp/progs/a.ludic"; expect_rc 0 "overlay alone"
expect_in err "north.ludic: ok (on top of $tmp/ov/base.ludic)" "base found in the overlay's folder"

# ---- JSON ----
run check --format=json "$tmp/ov" "$tmp/progs/missing.ludic"; expect_rc 2 "json with a missing file"
if python3 -m json.tool "$tmp/out" >/dev/null 2>&1; then ok; else bad "json output is one valid document"; fi
python3 - "$tmp/out" "$tmp/ov" <<'PY' && ok || bad "json content"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["files"] == 3 and doc["errors"] == 1 and doc["warnings"] == 0, doc
files = {c["file"]: c for c in doc["checked"]}
north = files[sys.argv[2] + "/north.ludic"]
assert north["base"] == sys.argv[2] + "/base.ludic" and north["status"] == "ok", north
missing = [c for c in doc["checked"] if c["status"] == "unreadable"][0]
assert missing["result"]["diagnostics"][0]["file"] is None
assert "cannot read" in missing["result"]["diagnostics"][0]["message"]
PY
expect_in err "checked 3 files" "json keeps the summary on stderr"
run check --color=always "$tmp/progs"; expect_in err $'\033[' "--color=always colours"
run check --color=never "$tmp/progs"; expect_not_in err $'\033[' "--color=never"
NO_COLOR=1 "$ludic" check --color=auto "$tmp/progs" >"$tmp/out" 2>"$tmp/err"; expect_not_in err $'\033[' "auto: no colour when not a terminal"

# ---- fmt ----
cp "$tmp/progs/a.ludic" "$tmp/fmt.ludic"
run fmt --check "$tmp/fmt.ludic"; expect_rc 0 "fmt --check on a canonical file"
if [ -s "$tmp/out" ]; then bad "fmt --check lists nothing when nothing changes"; else ok; fi
touch -d '2000-01-01' "$tmp/fmt.ludic"
run fmt "$tmp/fmt.ludic"; expect_rc 0 "fmt on a canonical file"
if [ "$(stat -c %Y "$tmp/fmt.ludic")" = "$(date -d 2000-01-01 +%s)" ]; then ok; else bad "fmt leaves an unchanged file untouched"; fi
printf 'program "one"\n' | "$ludic" fmt - >"$tmp/out" 2>"$tmp/err"; rc=$?
expect_rc 0 "fmt -"; if [ "$(cat "$tmp/out")" = 'program "one"' ]; then ok; else bad "fmt - echoes a canonical program"; fi

# formatting that changes something
printf 'program    "one"   # spaced\n' >"$tmp/messy.ludic"
chmod 640 "$tmp/messy.ludic"
run fmt --check "$tmp/messy.ludic"
expect_rc 1 "fmt --check on a file out of layout"
expect_in out "messy.ludic" "fmt --check lists the file"
"$ludic" fmt - <"$tmp/messy.ludic" >"$tmp/want" 2>/dev/null
run fmt "$tmp/messy.ludic"; expect_rc 0 "fmt rewrites"
expect_in err "formatted $tmp/messy.ludic" "fmt says what it rewrote"
if cmp -s "$tmp/messy.ludic" "$tmp/want"; then ok; else bad "fmt in place = fmt -"; fi
if [ "$(stat -c %a "$tmp/messy.ludic")" = 640 ]; then ok; else bad "fmt keeps the permissions"; fi
if ls "$tmp"/messy.ludic.fmt-* >/dev/null 2>&1; then bad "fmt leaves no temporary file"; else ok; fi
run fmt --check "$tmp/messy.ludic"; expect_rc 0 "fmt is idempotent"

# syntax errors
printf 'program "broken"\nrule "r" on purchase award @@ ::\n' >"$tmp/broken.ludic"
cp "$tmp/broken.ludic" "$tmp/broken.orig"
run check "$tmp/broken.ludic"
expect_rc 1 "a syntax error exits 1"
expect_in err "broken.ludic:2:" "errors point at the line"
run check --format=json "$tmp/broken.ludic"; expect_rc 1 "json: errors exit 1"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["errors"] >= 1' "$tmp/out" && ok || bad "json counts the errors"
run fmt "$tmp/broken.ludic"; expect_rc 1 "fmt refuses a file with syntax errors"
expect_in err "not formatted" "fmt says why"
if cmp -s "$tmp/broken.ludic" "$tmp/broken.orig"; then ok; else bad "fmt leaves a broken file alone"; fi
run fmt - <"$tmp/broken.ludic"; expect_rc 1 "fmt - refuses syntax errors"

# warnings and --deny-warnings
printf 'program "w"\nuse retail\nwallet points\nrule "r" on purchase:\n  award 5 points\n' >"$tmp/warn.ludic"
run check "$tmp/warn.ludic"
expect_rc 0 "warnings alone exit 0"
expect_in err "warning[W0501]" "the uncapped reward is a warning"
expect_in err "0 errors, 1 warning" "a warning is counted"
run check --deny-warnings "$tmp/warn.ludic"; expect_rc 1 "--deny-warnings fails on warnings"

# a file that cannot be read: the exact message, with no position
run check "$tmp/progs/missing.ludic"
expect_in err "error[E0111]: cannot read \`$tmp/progs/missing.ludic\`: No such file or directory" "E0111 rendered"

# ---- dump ----
run dump --ast "$tmp/progs/a.ludic"; expect_rc 0 "dump --ast"
if [ -s "$tmp/out" ]; then ok; else bad "dump --ast prints a tree"; fi
run dump --types "$tmp/ov/base.ludic" "$tmp/ov/north.ludic"; expect_rc 0 "dump --types of a base and overlay"

# ---- the runtime commands: run, state, test, dump --ir/--layout ----
mkdir -p "$tmp/rt"
printf 'program "t"\nuse retail\ntimezone "Europe/Paris"\nwallet points pending 14 days\nrule "Base earn" on purchase:\n  award total / 1 EUR points\n' >"$tmp/rt/t.ludic"
buy() { # buy ID CUSTOMER AT TOTAL
	printf '{"type":"purchase","id":"%s","customer":"%s","at":"%s","lines":[{"sku":"A","category":"garden","tags":[],"quantity":1,"unit_price":%s,"price":%s}],"total":%s,"channel":"store","payment":"card","checkout":"till","store":"S1","region":"south"}\n' "$1" "$2" "$3" "$4" "$4" "$4"
}
{ buy e1 c1 2027-03-05T10:00:00+01:00 23.40; echo; buy e2 c1 2027-03-06T10:00:00+01:00 10.00; buy e2 c1 2027-03-06T10:00:00+01:00 10.00
  echo '{"type":"purchase","id":"e3","customer":"c1","at":"2027-03-07T10:00:00+01:00","total":5}'; } >"$tmp/rt/ev.jsonl"
for c in run state test; do
	run help "$c"; expect_rc 0 "help $c"; cp "$tmp/out" "$tmp/help1"
	run "$c" --help; expect_rc 0 "$c --help"
	if cmp -s "$tmp/out" "$tmp/help1"; then ok; else bad "help $c and $c --help differ"; fi
	expect_in out "usage: ludic $c" "$c --help has a usage line"
done
run help run; for o in --events --effects --rejects --until --quiet; do expect_in out -- "$o" "run help documents $o"; done
run help dump; for o in --ir --layout; do expect_in out -- "$o" "dump help documents $o"; done

run run "$tmp/rt/t.ludic" --events "$tmp/rt/ev.jsonl"; expect_rc 0 "run with a reject still exits 0"
expect_in out '"kind":"award","customer":"c1","wallet":"points","amount":23,"balance":0' "run writes effects as JSON Lines"
if [ "$(wc -l <"$tmp/out")" -eq 2 ]; then ok; else bad "run: one effect per applied event"; fi
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/out" && ok || bad "every effect line is JSON"
expect_in err "ev.jsonl:5:1: missing lines:" "a reject on stderr, with file, line and column"
expect_in err "read 4 events from $tmp/rt/ev.jsonl" "summary: events read (the blank line is not one)"
expect_in err "applied 2, duplicates 1, rejected 1, anonymous 0" "summary: applied, duplicates, rejected"
expect_in err "effects 2: award 2" "summary: effects by kind"
expect_in err "customers 1" "summary: customers"
run run "$tmp/rt/t.ludic" --events "$tmp/rt/ev.jsonl" --rejects "$tmp/rt/rej.jsonl" --effects "$tmp/rt/fx.jsonl" --quiet
expect_rc 0 "run with --rejects, --effects and --quiet"
if [ -s "$tmp/err" ] || [ -s "$tmp/out" ]; then bad "--quiet with files prints nothing"; else ok; fi
python3 - "$tmp/rt/rej.jsonl" <<'PY' && ok || bad "--rejects writes one JSON object per reject"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 1 and r[0]["line"] == 5 and r[0]["code"] == "missing" and r[0]["field"] == "lines", r
PY
if [ "$(wc -l <"$tmp/rt/fx.jsonl")" -eq 2 ]; then ok; else bad "--effects FILE gets the effects"; fi
"$ludic" run "$tmp/rt/t.ludic" --until 2027-03-20T00:00:00+01:00 <"$tmp/rt/ev.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
expect_rc 0 "run from stdin with --until"
expect_in out '"kind":"release","customer":"c1","wallet":"points","amount":23,"balance":23,"pending":10,"at":"2027-03-19T00:00:00+01:00"' "--until lets the pending points of 5 March be released on 19 March"
expect_in err "from <stdin>" "stdin is named <stdin>"
run run "$tmp/rt/t.ludic" --until 2027-03-20 </dev/null; expect_rc 2 "--until without a time of day"; expect_in err "RFC 3339" "--until says the format"
run run "$tmp/rt/t.ludic" --events "$tmp/rt/missing.jsonl"; expect_rc 2 "a missing events file"
expect_in err "cannot read events from \`$tmp/rt/missing.jsonl\`" "the missing events file is named"
run run "$tmp/rt/t.ludic" --evnts "$tmp/rt/ev.jsonl"; expect_rc 2 "unknown run option"; expect_in err "did you mean \`--events\`?" "run option did-you-mean"
run run; expect_rc 2 "run without a program"
run rn "$tmp/rt/t.ludic"; expect_rc 2 "misspelt run"; expect_in err "did you mean \`run\`?" "run did-you-mean"
run run "$tmp/broken.ludic" --events "$tmp/rt/ev.jsonl"; expect_rc 1 "run a program with errors"
expect_in err "broken.ludic:2:" "run shows the program's errors"; expect_in err "nothing was run" "run says nothing ran"
run run "$tmp/progs" </dev/null; expect_rc 2 "a folder of several programs"; expect_in err "holds 2 programs" "several programs named"
python3 -c 'print("{\"type\":\"purchase\",\"pad\":\"" + "x" * 1100000 + "\"}")' >"$tmp/rt/long.jsonl"; buy e9 c2 2027-03-05T10:00:00+01:00 1.00 >>"$tmp/rt/long.jsonl"
run run "$tmp/rt/t.ludic" --events "$tmp/rt/long.jsonl"; expect_rc 0 "a line over 1 MiB"
expect_in err "long.jsonl:1: limit: the line is 1100029 bytes long" "a line over 1 MiB is a reject"
expect_in out '"customer":"c2"' "the line after a long line is applied"
run run "$tmp/rt/t.ludic" --events "$tmp/rt/ev.jsonl" --effects "$tmp/nodir/fx.jsonl"; expect_rc 2 "an effects file that cannot be written"

run state "$tmp/rt/t.ludic" --events "$tmp/rt/ev.jsonl" --customer c1 --until 2027-03-19T12:00:00+01:00
expect_rc 0 "state"; expect_in out "customer c1" "state names the customer"
expect_in out "23 spendable, 10 pending, 33 earned in all" "state shows balance, pending and earned"
expect_in err "1 event was rejected" "state counts the rejects"
run state "$tmp/rt/t.ludic" --events "$tmp/rt/ev.jsonl" --customer c1 --format=json
python3 - "$tmp/out" <<'PY' && ok || bad "state --format=json"
import json, sys
d = json.load(open(sys.argv[1]))
w = d["wallets"][0]
assert d["customer"] == "c1" and d["known"] and w["wallet"] == "points" and w["pending"] == 33 and w["balance"] == 0, d
PY
run state "$tmp/rt/t.ludic" --events "$tmp/rt/ev.jsonl"; expect_rc 2 "state without --customer"
run state "$tmp/rt/t.ludic" --events "$tmp/rt/ev.jsonl" --customer nobody; expect_rc 0 "state of an unknown customer"
expect_in out "the state of a new customer" "an unknown customer is said to be new"

{ echo "# a passing scenario"; echo "program t.ludic"; echo "events"; buy e1 c1 2027-03-05T10:00:00+01:00 23.40
  echo "expect effects"; echo '{"kind":"award","amount":23}'; echo "expect state c1"; echo "pending points 23"; } >"$tmp/rt/pass.scenario"
{ echo "program t.ludic"; echo "events"; buy e1 c1 2027-03-05T10:00:00+01:00 23.40
  echo "expect effects"; echo '{"kind":"award","amount":24}'; } >"$tmp/rt/fail.scenario"
{ echo "program t.ludic"; echo "evnts"; } >"$tmp/rt/bad.scenario"
run test "$tmp/rt/pass.scenario"; expect_rc 0 "a passing scenario"; expect_in out "ok     $tmp/rt/pass.scenario — a passing scenario" "ok line with its title"
expect_in out "1 scenario: 1 passed, 0 failed" "test summary"
run test "$tmp/rt/fail.scenario"; expect_rc 1 "a failing scenario"; expect_in out "FAILED $tmp/rt/fail.scenario" "FAILED line"
expect_in out 'line 5: expected effect: {"kind":"award","amount":24}' "the diff names the scenario line"
expect_in out 'but it was: {"kind":"award","customer":"c1","wallet":"points","amount":23' "the diff shows what came instead"
run test "$tmp/rt/bad.scenario"; expect_rc 1 "a malformed scenario"; expect_in out "line 2: \`evnts\` is not a scenario line (did you mean \`events\`?)" "an unknown directive, with its line"
run test "$tmp/rt"; expect_rc 1 "a folder of scenarios"; expect_in out "3 scenarios: 1 passed, 2 failed" "folder summary"
run test "$tmp/rt/none.scenario"; expect_rc 2 "a missing scenario file"
run test "$tmp/empty"; expect_rc 2 "a folder without scenarios"

run dump --ir "$tmp/rt/t.ludic"; expect_rc 0 "dump --ir"; expect_in out "routine purchase" "dump --ir shows the purchase routine"
run dump --layout "$tmp/rt/t.ludic"; expect_rc 0 "dump --layout"; if [ -s "$tmp/out" ]; then ok; else bad "dump --layout prints the layout"; fi
run dump --ir "$tmp/broken.ludic"; expect_rc 1 "dump --ir of a program with errors"
run dump --ir --layout "$tmp/rt/t.ludic"; expect_rc 2 "dump --ir and --layout together"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
