"""Runs every `sh` block of docs/tutorials/*.md, in order, from the repository root
(bash, stop at the first failing command), so that the tutorials stay true.

    python3 tests/tutorials/run_tutorials.py SOURCE_DIR [HSCSIM_BINARY]

With HSCSIM_BINARY, `build/hscsim` in the tutorials stands for it (the build under test).
"""
import glob
import os
import re
import subprocess
import sys


def main():
    src = os.path.abspath(sys.argv[1])
    binary = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    failures = 0
    for path in sorted(glob.glob(os.path.join(src, "docs", "tutorials", "[0-9]*.md"))):
        text = open(path, encoding="utf-8").read()
        blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
        if not blocks:
            print(f"FAIL: {path}: no sh blocks")
            failures += 1
            continue
        script = "set -euo pipefail\nmkdir -p /tmp/hscsim-tutorial\n" + "\n".join(blocks)
        if binary:
            script = script.replace("build/hscsim", binary)
        r = subprocess.run(["bash", "-c", script], cwd=src, capture_output=True, text=True, timeout=1200)
        name = os.path.relpath(path, src)
        if r.returncode != 0:
            failures += 1
            print(f"FAIL: {name} (exit {r.returncode})\n--- stdout (end)\n{r.stdout[-1500:]}\n--- stderr (end)\n{r.stderr[-1500:]}")
        else:
            print(f"ok: {name} ({len(blocks)} blocks)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
