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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
