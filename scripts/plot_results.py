#!/usr/bin/env python3
"""Plot an hscsim results file: population, prevalence of conditions, housing and social
circumstances, and deaths by deprivation quintile. Run it through scripts/py:

    scripts/py scripts/plot_results.py output/default.h5 -o output/default.png
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hscsim_results as hr  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def band(ax, t, arr, label, scale=1.0):
    arr = np.asarray(arr, dtype=float) * scale
    mean = np.nanmean(arr, axis=0)
    line, = ax.plot(t, mean, label=label, lw=1.5)
    if arr.shape[0] > 1:
        ax.fill_between(t, np.nanmin(arr, axis=0), np.nanmax(arr, axis=0), color=line.get_color(), alpha=0.2, lw=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("-o", "--output", help="PNG file (default: next to the results file)")
    ap.add_argument("--scenario", default=None)
    a = ap.parse_args()
    try:
        res = hr.load(a.results)
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"plot_results: {e}")
    s = a.scenario or res.scenarios[0]
    t = res.time_years(s) + float(res_start_year(res, s))
    out = a.output or os.path.splitext(a.results)[0] + ".png"

    fig, axes = plt.subplots(3, 2, figsize=(13, 13))
    ax = axes[0, 0]
    band(ax, t, res.metric(s, "population"), "population")
    ax.set_title("Population (line: mean, band: range over replicates)")
    ax.set_ylabel("persons")
    ax.legend(loc="upper left", fontsize=8)
    ax2 = ax.twinx()
    # Flows as totals per whole simulated year (a partial last year is left out).
    t_rel = res.time_years(s)
    year_index = np.floor(t_rel - 1e-9).astype(int)
    full_years = int(np.floor(t_rel[-1] + 1e-9))
    for m, marker in (("births", "o"), ("deaths", "s"), ("immigrants", "^"), ("emigrants", "v")):
        arr = res.metric(s, m)
        per_year = np.array([[r[year_index == y].sum() for y in range(full_years)] for r in arr])
        x = t[0] - (t_rel[0]) + np.arange(full_years) + 0.5
        ax2.errorbar(x, per_year.mean(axis=0), yerr=per_year.std(axis=0) if arr.shape[0] > 1 else None,
                     fmt=marker + "--", ms=4, lw=0.8, label=f"{m} per year")
    ax2.set_ylabel("persons per year")
    ax2.legend(loc="lower right", fontsize=8)

    ax = axes[0, 1]
    for m in sorted(x for x in res.metrics if x.startswith("prevalence_")):
        band(ax, t, res.metric(s, m), m.replace("prevalence_", ""), 100)
    ax.set_title("Prevalence of long-term conditions")
    ax.set_yscale("log")
    ax.set_ylabel("% of living population")
    ax.legend(fontsize=7, ncol=2)

    ax = axes[1, 0]
    ax.set_prop_cycle(color=plt.cm.tab20(np.linspace(0, 1, 20)))
    pop = res.metric(s, "population").astype(float)
    for m in sorted(x for x in res.metrics if x.startswith("people_")):
        band(ax, t, res.metric(s, m) / pop, m.replace("people_", ""), 100)
    ax.set_title("Housing, social circumstances, alcohol and frailty")
    ax.set_ylabel("% of living population")
    ax.legend(fontsize=7, ncol=2)

    ax = axes[1, 1]
    d = res.by_quintile(s, "deaths").sum(axis=1)       # [replicates, 5]
    p = res.by_quintile(s, "population").mean(axis=1)  # [replicates, 5]
    years = t[-1] - t[0] + (t[1] - t[0] if len(t) > 1 else 0)
    rate = 1000 * d / p / years
    ax.bar(np.arange(1, 6), rate.mean(axis=0), yerr=rate.std(axis=0) if rate.shape[0] > 1 else None, color="#4c72b0")
    ax.set_xticks(range(1, 6), ["1\nmost deprived", "2", "3", "4", "5\nleast deprived"])
    ax.set_title("Crude death rate by deprivation quintile")
    ax.set_ylabel("deaths per 1,000 per year")

    # Care: hospital pressure, and costs by sector per year.
    if "bed_occupancy" in res.metrics:
        ax = axes[2, 0]
        band(ax, t, res.metric(s, "bed_occupancy"), "beds occupied (mean over step)")
        band(ax, t, res.metric(s, "delayed_discharges"), "delayed discharges (people)")
        band(ax, t, res.metric(s, "people_waiting_social_care"), "waiting for social care at home")
        ax.set_title("Hospital and social care pressure")
        ax.set_ylabel("beds / persons")
        ax.legend(loc="upper left", fontsize=8)
        ax2 = ax.twinx()
        ax2.set_prop_cycle(color=["tab:purple"])
        band(ax2, t, res.metric(s, "elective_waiting_list"), "elective waiting list (right)")
        ax2.set_ylabel("persons on the elective list")
        ax2.legend(loc="lower right", fontsize=8)

        ax = axes[2, 1]
        # Every sector in the file (cost_total_gbp is their sum), in the model's order.
        sectors = [(m, label) for m, label in
                   [("cost_primary_care_gbp", "primary care"), ("cost_acute_gbp", "acute"),
                    ("cost_social_care_gbp", "social care"), ("cost_third_sector_gbp", "third sector"),
                    ("cost_intermediate_care_gbp", "intermediate care")] if m in res.metrics]
        bottom = np.zeros(full_years)
        for m, label in sectors:
            arr = res.metric(s, m)
            per_year = np.array([[r[year_index == y].sum() for y in range(full_years)] for r in arr]).mean(axis=0) / 1e6
            ax.bar(np.arange(full_years) + t[0] - t_rel[0], per_year, bottom=bottom, label=label, width=0.8, align="edge")
            bottom += per_year
        ax.set_title("Cost by sector per year (mean over replicates)")
        ax.set_ylabel("GBP million")
        ax.legend(fontsize=8)
    else:
        axes[2, 0].axis("off")
        axes[2, 1].axis("off")

    fig.suptitle(f"hscsim {res.attrs.get('hscsim_version', '')} - {os.path.basename(a.results)} - scenario '{s}', "
                 f"{pop.shape[0]} replicates, seed {res.attrs.get('seed')}")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"plot_results: wrote {out}")


def res_start_year(res, s):
    import h5py
    with h5py.File(res.path, "r") as f:
        return f["scenarios"][s].attrs.get("start_year", 0)


if __name__ == "__main__":
    main()
