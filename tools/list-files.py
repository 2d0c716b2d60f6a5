#!/usr/bin/env python3
"""list-files.py — lists files for meson.build, which cannot glob.

usage: list-files.py SOURCE_ROOT FOLDER SUFFIX
Prints, one per line and sorted, the paths (relative to SOURCE_ROOT) of the
files directly in FOLDER whose names end with SUFFIX. meson runs it when it
configures: a file added later needs `meson setup --reconfigure` to be seen.
"""
import os
import sys


def main() -> None:
    root, folder, suffix = sys.argv[1], sys.argv[2], sys.argv[3]
    full = os.path.join(root, folder)
    names = sorted(n for n in os.listdir(full) if n.endswith(suffix) and os.path.isfile(os.path.join(full, n)))
    print("\n".join(folder + "/" + n for n in names))


if __name__ == "__main__":
    main()
