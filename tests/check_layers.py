#!/usr/bin/env python3
"""Checks the include graph of model/ and agents/ against the layers of DESIGN.md.

Units are model/<layer> and agents/<module>. Layers, lowest first:
  model/core < agents/people < agents/<module> < model/sim < model/io < model/app
A file may include files of its own unit and of units in lower layers; agents modules (one
layer) may include each other only as long as no two units include each other, directly
or through others. Prints every violation and exits 1 if there is any.

  check_layers.py SOURCE_DIR
  check_layers.py --self-test     (shows that an upward include and a cycle are caught)
"""
import os
import re
import sys

RANK = {"model/core": 0, "agents/people": 1, "model/sim": 3, "model/io": 4, "model/app": 5}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def unit_of(path):
    parts = path.split("/")
    if len(parts) < 3 or parts[0] not in ("model", "agents"):
        return None
    return parts[0] + "/" + parts[1]


def rank(unit):
    return RANK.get(unit, 2 if unit.startswith("agents/") else None)


def main(src):
    edges = {}  # unit -> {unit: example "file -> include"}
    problems = []
    for top in ("model", "agents"):
        for folder, _, files in os.walk(os.path.join(src, top)):
            for f in sorted(files):
                if not f.endswith((".hpp", ".cpp", ".h")):
                    continue
                rel = os.path.relpath(os.path.join(folder, f), src)
                u = unit_of(rel)
                if u is None:
                    problems.append("%s: a file outside the units (model/<layer>/ or agents/<module>/)" % rel)
                    continue
                if rank(u) is None:
                    problems.append("%s: unknown layer %s (expected one of %s or agents/<module>)" %
                                    (rel, u, ", ".join(sorted(RANK))))
                    continue
                text = open(os.path.join(src, rel), encoding="utf-8").read()
                for inc in INCLUDE.findall(text):
                    v = unit_of(inc)
                    if v is None or v == u:
                        continue
                    if rank(v) is None:
                        problems.append("%s includes %s: unknown layer %s" % (rel, inc, v))
                        continue
                    if rank(v) > rank(u):
                        problems.append("%s (layer %s) includes %s (higher layer %s)" % (rel, u, inc, v))
                    edges.setdefault(u, {}).setdefault(v, "%s -> %s" % (rel, inc))
    # Cycles between units (depth-first search, reporting each cycle once).
    state, stack, seen_cycles = {}, [], set()

    def visit(u):
        state[u] = 1
        stack.append(u)
        for v in sorted(edges.get(u, {})):
            if state.get(v) == 1:
                cycle = stack[stack.index(v):] + [v]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    steps = ["%s (%s)" % (b, edges[a][b]) for a, b in zip(cycle, cycle[1:])]
                    problems.append("cycle: %s -> %s" % (cycle[0], " -> ".join(steps)))
            elif state.get(v) is None:
                visit(v)
        stack.pop()
        state[u] = 2

    for u in sorted(edges):
        if state.get(u) is None:
            visit(u)
    for p in problems:
        print("layers: " + p)
    n_edges = sum(len(v) for v in edges.values())
    print("layers: %d units, %d include edges between them, %d problem(s)" %
          (len(set(edges) | {v for e in edges.values() for v in e}), n_edges, len(problems)))
    return 1 if problems else 0


def self_test():
    import tempfile
    cases = {
        "upward include": {"model/core/a.hpp": '#include "model/sim/b.hpp"\n', "model/sim/b.hpp": ""},
        "module cycle": {"agents/care/c.hpp": '#include "agents/finance/f.hpp"\n',
                         "agents/finance/f.hpp": '#include "agents/states/s.hpp"\n',
                         "agents/states/s.hpp": '#include "agents/care/c.hpp"\n'},
        "people above a module": {"agents/people/p.hpp": '#include "agents/care/c.hpp"\n', "agents/care/c.hpp": ""},
    }
    clean = {"model/core/a.hpp": "", "agents/people/p.hpp": '#include "model/core/a.hpp"\n',
             "agents/care/c.hpp": '#include "agents/people/p.hpp"\n', "model/app/m.cpp": '#include "agents/care/c.hpp"\n'}
    failed = 0
    for name, tree in list(cases.items()) + [("clean tree", clean)]:
        with tempfile.TemporaryDirectory() as d:
            for rel, text in tree.items():
                os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
                open(os.path.join(d, rel), "w").write(text)
            got = main(d)
        want = 0 if name == "clean tree" else 1
        if got != want:
            print("self-test FAILED: %s gave %d, expected %d" % (name, got, want))
            failed += 1
    print("self-test: %d of %d cases right" % (len(cases) + 1 - failed, len(cases) + 1))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        sys.exit(self_test())
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
