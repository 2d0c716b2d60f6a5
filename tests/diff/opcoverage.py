#!/usr/bin/env python3
"""opcoverage.py — which IR ops the random programs of genprog.py reach.

    opcoverage.py LUDIC [FIRST_SEED [SEEDS]]     (default: seeds 1 to 200)

Generates each program, runs `ludic dump --ir` on it and counts, per op of
compiler/ir_ops.def, the programs that use it; then lists the ops no
program reached. Differential testing can only find differences in the ops
it runs: an op never reached is a hint for genprog.py.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genprog  # noqa: E402


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    ludic = argv[0]
    first = int(argv[1]) if len(argv) > 1 else 1
    count = int(argv[2]) if len(argv) > 2 else 200
    with open(os.path.join(HERE, "..", "..", "compiler", "ir_ops.def"), encoding="utf-8") as f:
        ops = re.findall(r"^IR_OP\((\w+)", f.read(), re.M)
    used = {op: 0 for op in ops}
    op_line = re.compile(r"^\s+\d+\s+([A-Z][A-Z0-9_]*)\b")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "p.ludic")
        opath = os.path.join(tmp, "p.overlay.ludic")
        for seed in range(first, first + count):
            prog, _events, _until, overlay = genprog.generate(seed)
            with open(path, "w", encoding="utf-8") as f:
                f.write(prog)
            files = [path]
            if overlay:
                with open(opath, "w", encoding="utf-8") as f:
                    f.write(overlay)
                files = [opath]  # `dump --ir` takes one program: the overlay finds its base next to it
            out = subprocess.run([ludic, "dump", "--ir", *files], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True).stdout
            for op in {m.group(1) for m in map(op_line.match, out.splitlines()) if m}:
                used[op] = used.get(op, 0) + 1
    reached = [op for op in ops if used[op]]
    print(f"{len(reached)} of {len(ops)} ops reached by seeds {first} to {first + count - 1}"
          " (op: programs using it)")
    print("  " + ", ".join(f"{op}: {used[op]}" for op in reached))
    never = [op for op in ops if not used[op]]
    print(f"never reached ({len(never)}): " + (" ".join(never) if never else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
