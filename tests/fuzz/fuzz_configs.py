#!/usr/bin/env python3
"""A seeded, bounded config fuzzer for hscsim (standard library only).

Each case takes a shipped config, mutates it (deletions, type changes, extreme numbers,
aliases, extends/include oddities, a second document, broken bytes) and/or adds a `--set`
in one of its odd forms, then runs `hscsim check` on it and, for a share of the cases that
pass, a short `hscsim run`. A case fails on a crash (a signal or an exit code other than 0
and 2), a hang (the time limit), a sanitizer report, or an exit 2 whose message names no
location (file:line:column, a file, or the --set text).

The mutants are written next to their originals in a scratch copy of configs/, so their
relative `extends:` keep working; the repository is never written.

  fuzz_configs.py --bin build/hscsim --src . [--cases 3000] [--seed 1] [--jobs 2]
                  [--run-share 0.1] [--keep DIR] [--max-seconds S]

Exit 0 if every case passed, 1 otherwise (the failing cases are kept in --keep, each with
the command that reproduces it).
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

EXTREME = [
    "-1", "0", "1", "-0", "1e308", "-1e308", "1e-320", "9223372036854775807", "-9223372036854775808",
    "18446744073709551616", "4294967296", "1e10", "4e9", "2147483648", "0.5", "nan", ".nan", ".inf", "-.inf",
    "inf", "''", "~", "null", "[]", "{}", "[1, 2]", "{a: 1}", "true", "false", "abc", "0x10", "0o17", "1_000",
    "1e", "--1", "+5", "'1'", "\"\\u0000\"", "\u00e9t\u00e9", "x" * 5000, "!!binary aGVsbG8=", "!!str 5",
    "&a 1", "*nosuch", "|\n  block", ">\n  folded", "[*nosuch]", "'", "\"", "{", "[", "? complex", "- item",
]
ODD_KEYS = ["", " ", "extends", "include", "scenarios", "run", "time", "population", "a" * 300, "<<", "0", "-1"]
SET_FORMS = [
    "population.size.=1", "neighbourhoods. 0.name=x", "neighbourhoods.+0.name=x", ".population.size=1",
    "population..size=1", "=1", "population.size", "population.size==1", "neighbourhoods.999999999999.name=x",
    "neighbourhoods.-1.name=x", "run.seed=-1", "run.seed=4294967296", "run.replicates=0", "run.replicates=10001",
    "time.years=1e308", "time.years=0", "time.step=fortnight", "population.size=4e9", "population.size=0",
    "description=&s [*s]", "description=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]",
    "a.b.c.d.e.f.g.h=1", "population=1", "population.size=[1]", "population.size={a: 1}",
    "acute_trusts.0.general_acute_beds=9223372036854775807", "gp_practices.0.appointments_per_week=1e308",
    "scenarios=[{name: x}]", "extends=/dev/zero", "place.one_in=0.5", "place.one_in=1e300",
    "neighbourhoods.0.name=", "population.size=1e-300", "time.start_year=1e9", "run=~",
]
LOCATION = [
    re.compile(r"^\S.*?:\d+:\d+: error: "),           # file:line:column
    re.compile(r"^--set .*?: error: "),                 # a --set override
    re.compile(r"^\S+\.(yaml|yml|h5)(:config_yaml)?: error: "),  # a whole file
]
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


def seeds(configs_root):
    out = []
    for folder, _, files in os.walk(configs_root):
        for f in sorted(files):
            if f.endswith(".yaml") and not f.startswith("__fuzz"):
                out.append(os.path.join(folder, f))
    return sorted(out)


def value_lines(lines):
    return [i for i, l in enumerate(lines) if re.match(r"^\s*(- )?[A-Za-z_][A-Za-z0-9_]*:\s*\S", l) and not l.lstrip().startswith("#")]


def mutate(text, rng, scratch):
    """One to three text mutations."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(14)
        vl = value_lines(lines)
        if kind == 0 and lines:  # delete a line
            del lines[rng.randrange(len(lines))]
        elif kind in (1, 2, 3) and vl:  # an extreme or mistyped value
            i = rng.choice(vl)
            head = lines[i].split(":", 1)[0]
            lines[i] = head + ": " + rng.choice(EXTREME)
        elif kind == 4 and vl:  # a value in a flow map {a: 1, b: 2}
            i = rng.choice(vl)
            lines[i] = re.sub(r"(\w+): ([^,}]+)", lambda m: m.group(1) + ": " + rng.choice(EXTREME), lines[i], count=1)
        elif kind == 5 and lines:  # re-indent a line
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.choice([0, 1, 3, 8, 40]) + lines[i].lstrip()
        elif kind == 6:  # aliases: recursive, bombs, dangling
            bomb = ["lol0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
            for k in range(1, rng.randint(2, 9)):
                bomb.append("lol%d: &l%d [%s]" % (k, k, ", ".join(["*l%d" % (k - 1)] * 10)))
            lines[0:0] = rng.choice([["description: &s [*s]"], ["a: &m {b: *m}"], bomb, ["x: *undefined"],
                                     ["description: &d hello", "b: *d"]])
        elif kind == 7:  # extends oddities
            target = rng.choice(["/dev/zero", "/dev/null", scratch["dir"], scratch["fifo"], scratch["loop"],
                                 "nosuch.yaml", "a" * 300, "", "[]", "{}", scratch["self"], scratch["cycle"],
                                 "/proc/self/mem", "../" * 40 + "etc/passwd", scratch["big"]])
            lines = [l for l in lines if not l.startswith("extends:")] if rng.random() < 0.5 else lines
            lines.insert(0, "extends: " + target)
        elif kind == 8:  # include oddities in a scenario
            target = rng.choice([scratch["dir"], scratch["fifo"], "/dev/zero", "nosuch.yaml", scratch["self"],
                                 scratch["cycle"], "[]", "{a: 1}"])
            lines += ["scenarios:", "  - name: fuzz", "    include: " + target]
        elif kind == 9:  # a second document
            lines.insert(rng.randrange(len(lines) + 1), "---")
        elif kind == 10 and text:  # truncate
            joined = "\n".join(lines)
            lines = joined[: rng.randrange(len(joined) + 1)].split("\n")
        elif kind == 11:  # broken bytes
            joined = "\n".join(lines)
            pos = rng.randrange(len(joined) + 1)
            junk = rng.choice(["\t", "\x00", "\x07", "\xff", "\ufeff", "\r", "%", "@", "`", ": :", "{{", "]]"])
            lines = (joined[:pos] + junk + joined[pos:]).split("\n")
        elif kind == 12 and len(lines) > 1:  # swap two lines
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 13:  # an odd key
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(ODD_KEYS) + ": 1")
    return "\n".join(lines)


def mild(text, rng):
    """A number scaled (often still valid, so that runs are exercised too)."""
    lines = text.split("\n")
    nums = [i for i, l in enumerate(lines) if re.search(r":\s*-?[0-9][0-9.e+-]*\s*(#.*)?$", l)]
    for _ in range(rng.randint(1, 3)):
        if not nums:
            break
        i = rng.choice(nums)
        def scale(m):
            try:
                v = float(m.group(2)) * rng.choice([0, 0.5, 0.9, 1.1, 2, 10, 1000])
            except ValueError:
                return m.group(0)
            return m.group(1) + (str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v))
        lines[i] = re.sub(r"(:\s*)(-?[0-9][0-9.e+-]*)", scale, lines[i], count=1)
    return "\n".join(lines)


def classify(rc, err, timed_out):
    if timed_out:
        return "hang"
    if SANITIZER.search(err):
        return "sanitizer report"
    if rc < 0:
        return "crash (signal %d)" % -rc
    if rc not in (0, 2):
        return "exit %d" % rc
    if rc == 2:
        first = err.strip().split("\n")[0] if err.strip() else ""
        if not any(p.search(first) for p in LOCATION):
            return "exit 2 without a location"
    return None


def execute(cmd, timeout, cwd):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout,
                           start_new_session=True)
        return p.returncode, p.stderr.decode("utf-8", "replace"), False
    except subprocess.TimeoutExpired as e:
        return None, (e.stderr or b"").decode("utf-8", "replace"), True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--run-share", type=float, default=0.3, help="share of passing checks that also run")
    ap.add_argument("--check-timeout", type=float, default=20)
    ap.add_argument("--run-timeout", type=float, default=90)
    ap.add_argument("--max-seconds", type=float, default=0, help="stop starting cases after this long (0: no limit)")
    ap.add_argument("--keep", default="", help="folder for failing cases (default: a temporary folder)")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    work = tempfile.mkdtemp(prefix="hscsim-fuzz-")
    shutil.copytree(os.path.join(a.src, "configs"), os.path.join(work, "configs"))
    special = os.path.join(work, "special")
    os.makedirs(os.path.join(special, "a_folder"))
    os.mkfifo(os.path.join(special, "fifo"))
    os.symlink("loop_b", os.path.join(special, "loop_a"))
    os.symlink("loop_a", os.path.join(special, "loop_b"))
    with open(os.path.join(special, "cycle.yaml"), "w") as f:
        f.write("extends: cycle.yaml\n")
    with open(os.path.join(special, "big.yaml"), "w") as f:
        f.write("# " + "x" * (5 << 20) + "\n")
    keep = a.keep or os.path.join(work, "failures")
    os.makedirs(keep, exist_ok=True)
    files = seeds(os.path.join(work, "configs"))
    runnable = [f for f in files if "/england/" not in f and "/bench/" not in f and "/interventions/" not in f
                and "/care_models/" not in f and "/finance/" not in f]
    rng = random.Random(a.seed)
    cases = []
    for n in range(a.cases):
        src = rng.choice(files)
        text = open(src, encoding="utf-8").read()
        mode = rng.random()  # < 0.6 mutated; < 0.8 a --set form (and perhaps mutated); else numbers scaled
        mutant = text
        if mode < 0.7:
            mutant = mutate(text, rng, {
                "dir": os.path.join(special, "a_folder"), "fifo": os.path.join(special, "fifo"),
                "loop": os.path.join(special, "loop_a"), "cycle": os.path.join(special, "cycle.yaml"),
                "big": os.path.join(special, "big.yaml"), "self": "__fuzz_%d.yaml" % n})
        elif mode >= 0.8:
            mutant = mild(text, rng)
        sets = ["--set", rng.choice(SET_FORMS)] if 0.6 <= mode < 0.8 else []
        path = os.path.join(os.path.dirname(src), "__fuzz_%d.yaml" % n)
        cases.append((n, src, path, mutant, sets, src in runnable and rng.random() < a.run_share))
    started = time.time()
    counts = {"cases": 0, "exit 0": 0, "exit 2": 0, "runs": 0}
    failures = []

    def one(case):
        n, src, path, mutant, sets, also_run = case
        if a.max_seconds and time.time() - started > a.max_seconds:
            return None
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(mutant)
        results = []
        cmd = [binary, "check", path] + sets
        rc, err, to = execute(cmd, a.check_timeout, work)
        results.append((cmd, rc, err, to))
        if rc == 0 and also_run:
            out = os.path.join(work, "out_%d.h5" % n)
            cmd = [binary, "run", path, "--quiet", "--replicates", "1", "--threads", "1", "--set", "time.years=0.05",
                   "-o", out] + sets
            r2 = execute(cmd, a.run_timeout, work)
            results.append((cmd,) + r2)
            if os.path.exists(out):
                os.remove(out)
        return n, src, path, mutant, results

    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for res in pool.map(one, cases):
            if res is None:
                continue
            n, src, path, mutant, results = res
            counts["cases"] += 1
            for k, (cmd, rc, err, to) in enumerate(results):
                if k == 1:
                    counts["runs"] += 1
                if rc in (0, 2):
                    counts["exit %d" % rc] += 1
                why = classify(rc if rc is not None else 0, err, to)
                if why:
                    kept = os.path.join(keep, "case_%d.yaml" % n)
                    shutil.copy(path, kept)
                    failures.append((n, why, src, kept, cmd, err.strip().split("\n")[:3]))
            if os.path.exists(path):
                os.remove(path)
    elapsed = time.time() - started
    print("fuzz: %d cases (seed %d) in %.0f s: %d checks or runs exited 0, %d exited 2 with a location; %d short "
          "runs; %d failures" % (counts["cases"], a.seed, elapsed, counts["exit 0"], counts["exit 2"] - sum(
              1 for f in failures if f[1] == "exit 2 without a location"), counts["runs"], len(failures)))
    for n, why, src, kept, cmd, err in failures[:50]:
        print("FAIL case %d: %s (from %s)\n  kept: %s\n  command: %s" % (n, why, os.path.relpath(src, work), kept,
                                                                          " ".join(cmd)))
        for line in err:
            print("  | " + line[:300])
    if not a.keep:
        if failures:
            print("failing cases are in " + keep)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
