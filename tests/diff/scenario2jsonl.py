#!/usr/bin/env python3
"""scenario2jsonl.py — turns scenario files (tests/scenarios/*.scenario,
docs/testing.md) into diffrun input, and optionally runs diffrun on them.

A scenario names a program, then rounds of `events` blocks (JSON lines) and
`until TIME` lines, with `expect` blocks between them. diffrun needs the
program, the events as one JSON Lines file, and a schedule: one line
`N TIME` per `until`, meaning "after N events, let time pass up to TIME".
The expectations are dropped: diffrun compares the two engines with each
other, not with what the scenario expects (`ludic test` does that).

    scenario2jsonl.py OUTDIR SCENARIO...
        writes OUTDIR/NAME.jsonl, OUTDIR/NAME.until and OUTDIR/NAME.program
        (the program's path, absolute) for each scenario
    scenario2jsonl.py --diffrun DIFFRUN [--workdir DIR] [DIFFRUN-OPTIONS] SCENARIO|FOLDER...
        extracts each scenario and runs DIFFRUN on it; exit 1 when any differs,
        2 when a scenario cannot be read
"""
import concurrent.futures
import os
import subprocess
import sys
import tempfile


class ScenarioError(Exception):
    pass


def extract(path):
    """(program path, event lines, [(after_n_events, time)]) of a scenario."""
    program = None
    events = []
    schedule = []
    in_events = False
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            if line.startswith("{"):
                if in_events:
                    events.append(line)
                continue
            words = line.split()
            in_events = False
            if words[0] == "program" and len(words) >= 2:
                arg = line[len("program"):].strip()
                program = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), arg))
            elif words == ["events"]:
                in_events = True
            elif words[0] == "until" and len(words) == 2:
                schedule.append((len(events), words[1]))
    if program is None:
        raise ScenarioError(f"{path}: no `program` line")
    return program, events, schedule


def write(outdir, path):
    program, events, schedule = extract(path)
    name = os.path.splitext(os.path.basename(path))[0]
    base = os.path.join(outdir, name)
    with open(base + ".jsonl", "w", encoding="utf-8") as f:
        f.writelines(e + "\n" for e in events)
    with open(base + ".until", "w", encoding="utf-8") as f:
        f.writelines(f"{n} {t}\n" for n, t in schedule)
    with open(base + ".program", "w", encoding="utf-8") as f:
        f.write(program + "\n")
    return program, base


def scenarios_in(args):
    for a in args:
        if os.path.isdir(a):
            for root, _dirs, files in sorted(os.walk(a)):
                for f in sorted(files):
                    if f.endswith(".scenario"):
                        yield os.path.join(root, f)
        else:
            yield a


def main(argv):
    if len(argv) >= 2 and argv[0] == "--diffrun":
        diffrun = argv[1]
        rest = argv[2:]
        workdir = None
        if len(rest) >= 2 and rest[0] == "--workdir":
            workdir = rest[1]
            rest = rest[2:]
        # Other options (--b=interp, --no-cache) are diffrun's.
        opts = [a for a in rest if a.startswith("-")]
        rest = [a for a in rest if not a.startswith("-")]
        paths = list(scenarios_in(rest))
        if not paths:
            print("scenario2jsonl: no scenario given", file=sys.stderr)
            return 2
        tmp = None
        if workdir is None:
            tmp = tempfile.TemporaryDirectory(prefix="ludic-diff-")
            workdir = tmp.name
        os.makedirs(workdir, exist_ok=True)
        failed = []

        def compare(p):
            """(scenario, report lines, ok); scenarios are named apart, so files do not clash."""
            try:
                program, base = write(workdir, p)
            except (OSError, ScenarioError) as e:
                return p, [f"ERROR  {p}: {e}"], False
            cmd = [diffrun, "--quiet", "--schedule", base + ".until", *opts, program, base + ".jsonl"]
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            status = "same  " if r.returncode == 0 else "DIFFERENT" if r.returncode == 1 else "ERROR "
            out = [f"{status} {p}"]
            if r.stdout.strip():
                out.append("    " + r.stdout.strip().replace("\n", "\n    "))
            if r.returncode != 0:
                out.append("    replay: " + " ".join(cmd))
            return p, out, r.returncode == 0

        # Two at a time: with native code, most of the time is compiling.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for p, out, ok in pool.map(compare, paths):
                print("\n".join(out))
                if not ok:
                    failed.append(p)
        print(f"{len(paths)} scenarios on both engines: {len(paths) - len(failed)} same, {len(failed)} not")
        if tmp:
            tmp.cleanup()
        return 1 if failed else 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = argv[0]
    os.makedirs(outdir, exist_ok=True)
    for p in scenarios_in(argv[1:]):
        try:
            program, base = write(outdir, p)
        except (OSError, ScenarioError) as e:
            print(f"scenario2jsonl: {e}", file=sys.stderr)
            return 2
        print(f"{base}.jsonl {base}.until {program}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
