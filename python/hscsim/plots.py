"""One-line plots for notebooks and the report. Every band and error bar is the same
interval: the 95% t-interval over replicates (Results.t_interval), and every plot says so."""
from __future__ import annotations

import numpy as np

from .results import Results, Sensitivity, t_interval

INTERVAL_NOTE = "bands and bars: 95% t-interval over replicates"
PRICE_YEAR = "2023/24 prices"


def _plt():
    try:
        import matplotlib
        if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError as e:  # pragma: no cover
        raise ImportError(f"hscsim plots need matplotlib ({e}); on Debian: apt-get install python3-matplotlib") from e


def _label(res: Results, metric: str) -> str:
    u = res.units(metric)
    return f"{metric} [£, {PRICE_YEAR}]" if u == "GBP" else f"{metric} [{u}]"


def _axes(ax, size=(8, 4.5)):
    plt = _plt()
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
    return ax.figure, ax


def _note(fig, extra="", text=None):
    fig.text(0.01, 0.01, (INTERVAL_NOTE if text is None else text) + (f"; {extra}" if extra else ""), fontsize=7, color="0.35")


def plot_timeseries(res: Results, metric: str, scenarios=None, ax=None, capacity=None, yearly=True):
    """Mean over replicates per scenario with its 95% band; `capacity` draws a horizontal
    line (a number) or a series (array over the points plotted) labelled capacity. Flows
    are totalled per year of the run (yearly=False: per step)."""
    fig, ax = _axes(ax)
    t = res.timeseries(scenarios, metric)
    if res.store == "summary":  # run.store: summary: the mean and the 2.5-97.5% quantiles of each step
        for s, g in t.groupby("scenario", sort=False):
            row = {k: v.sort_values("step") for k, v in g.groupby("statistic")}
            ax.plot(row["mean"]["year"], row["mean"]["value"], label=s, lw=1.4)
            ax.fill_between(row["q025"]["year"], row["q025"]["value"], row["q975"]["value"], alpha=0.2)
        ax.set_title(f"{metric} (per step; band: 2.5-97.5% of replicates)")
        ax.set_xlabel("year")
        ax.set_ylabel(_label(res, metric))
        ax.legend(fontsize=8)
        _note(fig, text="line: mean over replicates; band: their 2.5% and 97.5% quantiles (run.store: summary)")
        return fig
    flow_by_year = yearly and res.kind(metric) == "flow"
    if flow_by_year:
        t = t.assign(step=np.floor(t["year"] - res.start_year - 1e-9).astype(int))
        t = t.groupby(["scenario", "replicate", "step"], sort=False, as_index=False).agg(value=("value", "sum"), n=("value", "size"))
        t = t[t["n"] >= 0.9 * t["n"].max()]  # whole years only (the last step may start a new one)
        t["year"] = res.start_year + t["step"] + 1.0
    for s, g in t.groupby("scenario", sort=False):
        v = g.pivot(index="replicate", columns="step", values="value").to_numpy()
        year = g[g["replicate"] == g["replicate"].min()]["year"].to_numpy()
        mean, lo, hi = t_interval(v)
        ax.plot(year, mean, label=s, lw=1.4)
        if v.shape[0] > 1:
            ax.fill_between(year, lo, hi, alpha=0.2)
    if capacity is not None:
        if np.ndim(capacity) == 0:
            ax.axhline(capacity, color="k", ls="--", lw=1, label="capacity")
        else:
            ax.plot(year, capacity, color="k", ls="--", lw=1, label="capacity")
    kind = res.kind(metric)
    ax.set_title(f"{metric} ({('per year' if flow_by_year else 'per step') if kind == 'flow' else 'at the end of each step'})")
    ax.set_xlabel("year")
    ax.set_ylabel(_label(res, metric))
    ax.legend(fontsize=8)
    _note(fig)
    return fig


def plot_comparison(res: Results, metric: str, scenarios=None, ax=None):
    """Cumulative difference from the baseline (paired by replicate) with its 95% band."""
    fig, ax = _axes(ax)
    c = res.comparisons(scenarios, metric)
    for s, g in c.groupby("scenario", sort=False):
        ax.plot(g["year"], g["mean"], label=s, lw=1.4)
        ax.fill_between(g["year"], g["lower"], g["upper"], alpha=0.2)
    ax.axhline(0, color="k", lw=0.8)
    how = "summed from the start" if res.kind(metric) == "flow" else "averaged from the start"
    ax.set_title(f"{metric}: scenario minus {res.baseline}, {how}")
    ax.set_xlabel("year")
    ax.set_ylabel(_label(res, metric))
    ax.legend(fontsize=8)
    _note(fig, "paired by replicate (common random numbers)")
    return fig


def plot_costs(res: Results, scenarios=None, ax=None):
    """Cost by sector, totalled over the run, stacked per scenario; the error bar is the
    interval of the total."""
    fig, ax = _axes(ax, (8, 4.8))
    sectors = [m for m in res.metrics if m.startswith("cost_") and m.endswith("_gbp") and m != "cost_total_gbp"
               and m != "cost_interventions_gbp"]
    summ = res.summary(scenarios, sectors + ["cost_total_gbp"])
    names = list(dict.fromkeys(summ["scenario"]))
    bottom = np.zeros(len(names))
    for m in sectors:
        v = np.array([summ[(summ.scenario == s) & (summ.metric == m)]["mean"].iloc[0] for s in names]) / 1e6
        if not v.any():
            continue
        ax.bar(names, v, bottom=bottom, label=m.removeprefix("cost_").removesuffix("_gbp").replace("_", " "))
        bottom += v
    tot = summ[summ.metric == "cost_total_gbp"].set_index("scenario").loc[names]
    err = np.vstack([(tot["mean"] - tot["lower"]).to_numpy(), (tot["upper"] - tot["mean"]).to_numpy()]) / 1e6
    if np.isfinite(err).all():
        ax.errorbar(names, tot["mean"].to_numpy() / 1e6, yerr=err, fmt="none", ecolor="k", capsize=4)
    ax.set_title("cost by sector, total over the run")
    ax.set_ylabel(f"£ million ({PRICE_YEAR})")
    ax.legend(fontsize=7, ncol=2)
    _note(fig, "error bars on the total")
    return fig


def plot_quintiles(res: Results, metric: str, scenarios=None, ax=None):
    """The cumulative difference from the baseline by deprivation quintile (1 = most
    deprived), at the end of the run, with 95% intervals: who gains."""
    fig, ax = _axes(ax)
    c = res.comparisons(scenarios, metric, by="quintile")
    c = c[c["step"] == c["step"].max()]
    names = list(dict.fromkeys(c["scenario"]))
    width = 0.8 / max(1, len(names))
    for k, s in enumerate(names):
        g = c[c.scenario == s].sort_values("quintile")
        x = g["quintile"].to_numpy() + (k - (len(names) - 1) / 2) * width
        err = np.vstack([(g["mean"] - g["lower"]).to_numpy(), (g["upper"] - g["mean"]).to_numpy()])
        ax.bar(x, g["mean"], width=width, label=s, yerr=err if np.isfinite(err).all() else None, capsize=3)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks([1, 2, 3, 4, 5], ["1 (most deprived)", "2", "3", "4", "5 (least)"])
    ax.set_title(f"{metric} by deprivation quintile: scenario minus {res.baseline}, over the run")
    ax.set_ylabel(_label(res, metric))
    ax.legend(fontsize=8)
    _note(fig, "paired by replicate")
    return fig


def plot_ce_plane(res: Results, scenarios=None, ax=None, discount=0.035, threshold=20000):
    """The cost-effectiveness plane: each replicate's incremental QALYs and cost against
    the baseline (discounted), one cloud per scenario, with the line of a willingness to
    pay of `threshold` per QALY (NICE's lower bound, GBP 20,000)."""
    fig, ax = _axes(ax, (7, 5))
    ce = res.cost_effectiveness(scenarios, discount)
    for s, g in ce.groupby("scenario", sort=False):
        ax.scatter(g["delta_effect"], g["delta_cost"] / 1e6, s=18, alpha=0.7, label=s)
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0, color="k", lw=0.8)
    if not ce.empty:
        x = np.linspace(min(0, ce["delta_effect"].min()), max(0, ce["delta_effect"].max()), 2)
        ax.plot(x, threshold * x / 1e6, color="0.4", ls="--", lw=1, label=f"£{threshold:,.0f} per QALY")
    ax.set_title(f"cost-effectiveness plane: scenario minus {res.baseline}, over the run")
    ax.set_xlabel(f"incremental QALYs (discounted {100 * discount:.1f}% a year)")
    ax.set_ylabel(f"incremental cost [£ million, {PRICE_YEAR}, discounted]")
    ax.legend(fontsize=8)
    fig.text(0.01, -0.04, "one point per replicate (paired with the baseline's replicate); below the dashed line: "
             "cost-effective at that threshold", fontsize=7, color="0.35")
    return fig


def plot_acceptability(res: Results, scenarios=None, ax=None, discount=0.035):
    """Cost-effectiveness acceptability curves: the share of replicates in which each
    scenario's net monetary benefit over the baseline is positive, by willingness to pay."""
    fig, ax = _axes(ax, (7, 4.5))
    ac = res.acceptability(scenarios=scenarios, discount=discount)
    for s, g in ac.groupby("scenario", sort=False):
        ax.plot(g["threshold_gbp"] / 1000, g["probability"], label=s, lw=1.4)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"acceptability: probability each scenario is cost-effective against {res.baseline}")
    ax.set_xlabel("willingness to pay [£ thousand per QALY]")
    ax.set_ylabel("probability (share of replicates)")
    ax.legend(fontsize=8)
    fig.text(0.01, -0.04, f"net monetary benefit per replicate, discounted {100 * discount:.1f}% a year", fontsize=7,
             color="0.35")
    return fig


def plot_sensitivity(sa: Sensitivity, output=0, ax=None):
    """Morris: a tornado of mu* (mean absolute elementary effect over each parameter's
    range) with its 95% bootstrap interval, and sigma (spread: interactions and
    non-linearity) as a marker. Sobol': first- and total-order indices with intervals.
    `output` is an index or a name of sa.outputs."""
    names = list(sa.outputs["output"])
    name = names[output] if isinstance(output, int) else output
    units = sa.outputs.set_index("output").loc[name, "units"]
    d = sa.indices()
    d = d[d["output"] == name]
    fig, ax = _axes(ax, (8, 0.6 * len(sa.parameters) + 2))
    if sa.method == "morris":
        m = d[d["index"] == "mu_star"].sort_values("value")
        sig = d[d["index"] == "sigma"].set_index("parameter").loc[m["parameter"], "value"].to_numpy()
        y = np.arange(len(m))
        err = np.vstack([(m["value"] - m["lower"]).to_numpy(), (m["upper"] - m["value"]).to_numpy()])
        ax.barh(y, m["value"], xerr=err if np.isfinite(err).all() else None, capsize=3, color="C0", label="mu*")
        ax.scatter(sig, y, marker="D", color="C3", zorder=3, label="sigma")
        ax.set_yticks(y, m["parameter"])
        unit = f"£, {PRICE_YEAR}" if units == "GBP" else units
        ax.set_xlabel(f"change in the output over each parameter's range [{unit}]")
        ax.set_title(f"Morris elementary effects: {name}")
        note = "bars: mu* with 95% bootstrap interval over trajectories; diamonds: sigma"
    else:
        first = d[d["index"] == "first_order"].set_index("parameter")
        total = d[d["index"] == "total_order"].set_index("parameter").sort_values("value")
        y = np.arange(len(total))
        for k, (lab, frame) in enumerate((("first order", first.loc[total.index]), ("total order", total))):
            err = np.vstack([(frame["value"] - frame["lower"]).to_numpy(), (frame["upper"] - frame["value"]).to_numpy()])
            ax.barh(y + (k - 0.5) * 0.38, frame["value"], height=0.38, xerr=np.abs(err) if np.isfinite(err).all() else None,
                    capsize=3, label=lab)
        ax.set_yticks(y, total.index)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_xlabel("share of the output's variance")
        ax.set_title(f"Sobol' indices: {name}")
        note = "95% bootstrap intervals over the base rows"
    ax.legend(fontsize=8)
    fig.text(0.01, -0.04, note, fontsize=7, color="0.35")
    return fig
