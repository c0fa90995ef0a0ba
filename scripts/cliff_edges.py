#!/usr/bin/env python3
"""Look for cliff edges in a run: headline series (per 100,000 people, mean over
replicates) averaged by quarter, and the largest change from one quarter to the next.
A change of more than --limit (default 20%) that is also more than --floor per 100,000
per week (so that a series near zero is not flagged for going from 0.1 to 0.2) is a
cliff edge, unless the config caused it. Writes a PNG of the series with --plot.
Run it through scripts/py:

    scripts/py scripts/cliff_edges.py output/baseline.h5 --plot output/headline.png

Exit status: 0 no cliff edge, 1 cliff edges found, 2 unreadable input.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hscsim_results as hr  # noqa: E402

import numpy as np  # noqa: E402

HEADLINE = [
    ("emergency_admissions", "flow"), ("ae_attendances", "flow"), ("bed_days", "flow"),
    ("delayed_discharge_bed_days", "flow"), ("trolley_waits", "flow"), ("elective_admissions", "flow"),
    ("elective_waiting_list", "stock"), ("gp_appointments", "flow"), ("gp_unmet_demand", "flow"),
    ("gp_waiting", "stock"), ("people_waiting_social_care", "stock"), ("home_care_packages", "stock"),
    ("care_home_residents", "stock"), ("cost_total_gbp", "flow"),
]


def quarterly(x, steps_per_quarter):
    n = len(x) // steps_per_quarter
    return np.array([np.nanmean(x[q * steps_per_quarter:(q + 1) * steps_per_quarter]) for q in range(n)])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("--scenario", default=None)
    ap.add_argument("--limit", type=float, default=0.20, help="largest accepted change between quarters [fraction]")
    ap.add_argument("--floor", type=float, default=2.0,
                    help="changes below this many per 100,000 per week are not cliff edges")
    ap.add_argument("--plot", help="PNG of the quarterly headline series")
    a = ap.parse_args()
    try:
        res = hr.load(a.results)
        s = a.scenario or res.scenarios[0]
        if s not in res.scenarios:
            raise KeyError(f"no scenario '{s}'; the file has {', '.join(res.scenarios)}")
        ts = {name: res.metric(s, name) for name in res.metrics}
        t = np.asarray(res.time_years(s), dtype=float)
    except (OSError, ValueError, KeyError) as e:
        print(f"cliff_edges: {e}", file=sys.stderr)
        return 2
    pop = np.asarray(ts["population"], dtype=float)
    step_years = float(t[1] - t[0]) if len(t) > 1 else 7 / 365.25
    per_quarter = max(1, int(round(0.25 / step_years)))
    rows, found = [], 0
    series = {}
    for name, _ in HEADLINE:
        if name not in ts:
            continue
        x = np.nanmean(np.asarray(ts[name], dtype=float) / pop * 1e5, axis=0)
        q = quarterly(x, per_quarter)
        series[name] = q
        d = np.abs(np.diff(q))
        rel = d / np.maximum(np.abs(q[:-1]), 1e-12)
        cliff = (rel > a.limit) & (d > a.floor)
        k = int(np.argmax(np.where(d > a.floor, rel, 0))) if len(rel) else 0
        worst = rel[k] if len(rel) and d[k] > a.floor else 0.0
        found += int(cliff.any())
        rows.append((name, q[0] if len(q) else float("nan"), q[-1] if len(q) else float("nan"), worst, k + 1,
                     "CLIFF" if cliff.any() else ""))
    print(f"{'series (per 100,000 per step)':32s}{'first qtr':>12s}{'last qtr':>12s}{'max qtr change':>16s}{'at qtr':>8s}")
    for name, first, last, worst, k, flag in rows:
        print(f"{name:32s}{first:12.1f}{last:12.1f}{100 * worst:15.1f}%{k:8d}  {flag}")
    print(f"\n{found} cliff edge(s): changes over {100 * a.limit:.0f}% and over {a.floor:g} per 100,000 "
          "between consecutive quarters")
    if a.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        names = list(series)
        cols = 4
        fig, axes = plt.subplots((len(names) + cols - 1) // cols, cols, figsize=(16, 3 * ((len(names) + cols - 1) // cols)))
        start = float(res.attrs.get("start_year", 0))
        for ax, name in zip(axes.flat, names):
            q = series[name]
            ax.plot(start + (np.arange(len(q)) + 0.5) / 4.0, q, lw=1.5)
            ax.set_title(name, fontsize=10)
            ax.set_ylim(bottom=0)
            ax.set_ylabel("per 100,000 per step" if name != "cost_total_gbp" else "GBP per 100,000 per step", fontsize=8)
            ax.grid(alpha=0.3)
        for ax in list(axes.flat)[len(names):]:
            ax.axis("off")
        fig.suptitle(f"{os.path.basename(a.results)}, scenario {s}: quarterly means over replicates", fontsize=12)
        fig.tight_layout()
        fig.savefig(a.plot, dpi=90)
        print(f"plot: {a.plot}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
