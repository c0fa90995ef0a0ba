#!/usr/bin/env python3
"""Plot a validation table (the CSV written by `hscsim validate`): each target's model
value as a ratio to the published figure, with the 95% interval of the replicate mean and
the tolerance band. Run it through scripts/py:

    scripts/py scripts/plot_validation.py output/baseline_validation.csv -o output/baseline_validation.png
"""
import argparse
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

COLUMNS = {"target", "description", "model_mean", "model_lower95", "model_upper95", "target_value", "tolerance",
           "tolerance_kind", "pass"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="validation table written by hscsim validate")
    ap.add_argument("-o", "--output", help="PNG to write (default: next to the CSV)")
    a = ap.parse_args()
    try:
        t = pd.read_csv(a.csv)
    except (OSError, pd.errors.ParserError) as e:
        sys.exit(f"plot_validation: cannot read '{a.csv}': {e}")
    missing = COLUMNS - set(t.columns)
    if missing:
        sys.exit(f"plot_validation: '{a.csv}' is not a validation table (missing {', '.join(sorted(missing))})")
    value = t["target_value"].astype(float)
    tol = np.where(t["tolerance_kind"] == "relative", t["tolerance"] * value.abs(), t["tolerance"])
    ratio = t["model_mean"] / value
    lo = t["model_lower95"] / value
    hi = t["model_upper95"] / value
    tol_ratio = tol / value.abs()
    y = np.arange(len(t))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(t) + 1.5))
    ax.barh(y, 2 * tol_ratio, left=1 - tol_ratio, color="#dddddd", height=0.7, label="tolerance")
    colours = np.where(t["pass"] == 1, "#1b7837", "#b2182b")
    err = np.vstack([np.nan_to_num(ratio - lo), np.nan_to_num(hi - ratio)])
    ax.errorbar(ratio, y, xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=2)
    ax.scatter(ratio, y, c=colours, zorder=3, s=22)
    ax.axvline(1, color="black", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(t["target"], fontsize=8)
    ax.set_xlabel("model / published figure, mean over the window\n(green: pass; red: outside tolerance in the window, year 1 or the last year;\n"
                  "grey: tolerance, before the sampling error allowed for rates by age)", fontsize=8)
    n_pass = int(t["pass"].sum())
    ax.set_title(f"Validation: {n_pass} of {len(t)} targets within tolerance", fontsize=10)
    finite = ratio[np.isfinite(ratio)]
    if len(finite):
        ax.set_xlim(max(0, min(0.5, finite.min() - 0.1)), max(1.5, finite.max() + 0.1))
    fig.tight_layout()
    out = a.output or a.csv.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print(f"plot_validation: wrote {out}")


if __name__ == "__main__":
    main()
