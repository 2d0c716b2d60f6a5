#!/usr/bin/env python3
"""random.py — differential testing on random programs: seed after seed,
generate a program and its events (genprog.py), check the program (`ludic
check`, which must find no error), and compare the two engines on it
(diffrun, interpreter against native code by default). Bounded in time.

    random.py --ludic LUDIC --diffrun DIFFRUN [--seconds N] [--base SEED]
              [--extra N] [--bugs DIR] [--a=KIND] [--b=KIND] [--no-cache]

  --seconds N  stop starting new seeds after N seconds (default 20)
  --base SEED  the first seed (default 1): seeds BASE, BASE+1, ... are tried
               first, so a run is reproducible
  --extra N    then N seeds derived from the clock (default 0), printed in
               the log, to explore further on every run
  --bugs DIR   where a failing seed is written (default tests/bugs next to
               this folder): DIR/SEED.ludic, .jsonl and .until
  --replay SEED  generate and compare one seed, then stop
  --edges      extreme amounts in some baskets (genprog.py --edges)

Exit status: 0 every seed compared the same, 1 a seed differed or a
generated program had errors (a generator bug), 2 bad usage.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genprog  # noqa: E402


def one(seed, args, tmp):
    """0 same, 1 different (files kept in --bugs), 3 generator bug."""
    base = os.path.join(tmp, str(seed))
    prog, events, until, overlay = genprog.generate(seed, args.edges)
    exts = [".ludic", ".jsonl", ".until"] + ([".overlay.ludic"] if overlay else [])
    for ext, text in zip(exts, (prog, events, until, overlay)):
        with open(base + ext, "w", encoding="utf-8") as f:
            f.write(text)
    programs = [base + ".ludic"] + ([base + ".overlay.ludic"] if overlay else [])
    chk = subprocess.run([args.ludic, "check", *programs], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if chk.returncode != 0:
        print(f"seed {seed}: GENERATOR BUG: the generated program does not check "
              f"(tests/diff/genprog.py must only write valid programs)")
        print("    " + chk.stdout.strip().replace("\n", "\n    "))
        print(f"    replay: python3 {os.path.join(HERE, 'genprog.py')} {'--edges ' if args.edges else ''}{seed} /tmp/{seed} && "
              f"{args.ludic} check /tmp/{seed}.ludic{' /tmp/%d.overlay.ludic' % seed if overlay else ''}")
        return 3
    cmd = [args.diffrun, "--quiet", *args.pass_on, "--schedule", base + ".until", *programs, base + ".jsonl"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode == 0:
        for ext in exts:
            os.remove(base + ext)
        return 0
    print(f"seed {seed}: {'DIFFERENT' if r.returncode == 1 else 'ERROR (exit %d)' % r.returncode}")
    print("    " + r.stdout.strip().replace("\n", "\n    "))
    os.makedirs(args.bugs, exist_ok=True)
    for ext in exts:
        shutil.copy(base + ext, os.path.join(args.bugs, f"{seed}{ext}"))
    b = os.path.join(args.bugs, str(seed))
    print(f"    kept as {b}{', '.join(exts)} (commit them: meson replays every file set of tests/bugs/)")
    ov = f" {b}.overlay.ludic" if overlay else ""
    print(f"    replay: {' '.join([args.diffrun, *args.pass_on])} --schedule {b}.until {b}.ludic{ov} {b}.jsonl")
    print(f"    or:     python3 {os.path.abspath(__file__)} --ludic {args.ludic} --diffrun {args.diffrun} "
          f"{'--edges ' if args.edges else ''}--replay {seed}")
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ludic", required=True)
    ap.add_argument("--diffrun", required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--base", type=int, default=1)
    ap.add_argument("--extra", type=int, default=0)
    ap.add_argument("--bugs", default=os.path.join(os.path.dirname(HERE), "bugs"))
    ap.add_argument("--replay", type=int)
    ap.add_argument("--a")
    ap.add_argument("--b")
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--edges", action="store_true")
    args = ap.parse_args()
    args.pass_on = ([f"--a={args.a}"] if args.a else []) + ([f"--b={args.b}"] if args.b else []) + \
        (["--no-cache"] if args.no_cache else [])
    # A seed must always give the same files, or a failure could not be replayed.
    if genprog.generate(args.base, args.edges) != genprog.generate(args.base, args.edges):
        print(f"genprog.py is not deterministic: seed {args.base} gave two different outputs")
        return 1
    with tempfile.TemporaryDirectory(prefix="ludic-random-") as tmp:
        if args.replay is not None:
            rc = one(args.replay, args, tmp)
            print(f"seed {args.replay}: {'same' if rc == 0 else 'not the same'}")
            return 0 if rc == 0 else 1
        start = time.monotonic()
        # Fixed seeds first (reproducible), then seeds from the clock (new ground each run).
        clock = int(time.time()) % 1_000_000 * 1000 + 1_000_000
        seeds = [("fixed", args.base + i) for i in range(1_000_000)]
        if args.extra:
            print(f"extra seeds from the clock: {clock} to {clock + args.extra - 1} "
                  f"(tried only if time remains after the fixed ones)")
        tried = same = 0
        bad = []
        stop_fixed = start + args.seconds * (0.75 if args.extra else 1.0)
        for kind, seed in seeds:
            if time.monotonic() >= stop_fixed:
                break
            rc = one(seed, args, tmp)
            tried += 1
            same += rc == 0
            if rc:
                bad.append(seed)
        last_fixed = args.base + tried - 1
        for i in range(args.extra):
            if time.monotonic() >= start + args.seconds:
                break
            rc = one(clock + i, args, tmp)
            tried += 1
            same += rc == 0
            if rc:
                bad.append(clock + i)
        print(f"{tried} random programs in {time.monotonic() - start:.0f} s "
              f"(fixed seeds {args.base} to {last_fixed}{', extra from ' + str(clock) if args.extra else ''}): "
              f"{same} same, {len(bad)} not{': seeds ' + ' '.join(map(str, bad)) if bad else ''}")
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
