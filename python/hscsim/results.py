"""The results file as tidy pandas DataFrames (output/README.md describes the file)."""
from __future__ import annotations

import math
import os

try:
    import h5py
    import numpy as np
    import pandas as pd
except ImportError as e:  # pragma: no cover - depends on the interpreter
    raise ImportError(f"hscsim needs h5py, numpy and pandas ({e}). On Debian: apt-get install python3-h5py "
                      "python3-numpy python3-pandas, and use /usr/bin/python3 (scripts/py finds it).") from e

FORMAT = "hscsim-results"
SENSITIVITY_FORMAT = "hscsim-sensitivity"
SCHEMA_VERSIONS = {1}
_ROWS = ("mean", "lower", "upper")  # rows of every comparison dataset


def _text(v):
    if isinstance(v, bytes):
        return v.decode()
    if hasattr(v, "item"):
        return v.item()
    return v


def _t975(df: int) -> float:
    """Two-sided 95% quantile of Student's t with df degrees of freedom: the same table and
    expansion as the C++ side (model/core/stats.cpp), so intervals agree to the last digit."""
    if df < 1:
        return math.nan
    table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
             2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
             2.045, 2.042]
    if df <= len(table):
        return table[df - 1]
    z, n = 1.959963985, float(df)  # Cornish-Fisher expansion around the normal quantile
    return z + (z ** 3 + z) / (4 * n) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * n * n)


def t_interval(values, axis=0):
    """Mean and 95% t-interval over replicates (axis): the one interval method used
    everywhere (the C++ comparisons too). Returns (mean, lower, upper); NaN bounds with
    one replicate."""
    v = np.asarray(values, dtype=float)
    n = v.shape[axis]
    mean = v.mean(axis=axis)
    if n < 2:
        nan = np.full_like(mean, np.nan, dtype=float)
        return mean, nan, nan
    half = _t975(n - 1) * v.std(axis=axis, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


class Results:
    """One results file. Every method returns a new DataFrame; nothing is cached but the
    file's attributes and the metric table."""

    def __init__(self, path: str):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"{self.path}: no such results file")
        try:
            f = h5py.File(self.path, "r")
        except OSError as e:
            raise ValueError(f"{self.path}: not an HDF5 file ({e})") from e
        with f:
            fmt = _text(f.attrs.get("format", b""))
            if fmt != FORMAT:
                raise ValueError(f"{self.path}: not an hscsim results file (format attribute is {fmt!r}, expected {FORMAT!r})")
            version = int(f.attrs.get("schema_version", -1))
            if version not in SCHEMA_VERSIONS:
                raise ValueError(f"{self.path}: results schema version {version}; this reader knows {sorted(SCHEMA_VERSIONS)} "
                                 "(use the hscsim version that wrote it, or a newer reader)")
            self.attrs = {k: _text(v) for k, v in f.attrs.items()}
            # run.store: summary keeps, in place of each replicate, rows of a summary over
            # replicates (output/README.md): the frames then have a `statistic` column.
            self.store = self.attrs.get("store", "replicates")
            self.summary_rows = self.attrs.get("summary_rows", "").split(",") if self.store == "summary" else []
            self.scenarios = list(f["scenarios"].keys())
            self.baseline = _text(f["comparisons"].attrs["baseline"]) if "comparisons" in f else self.scenarios[0]
            if self.baseline in self.scenarios:  # baseline first, as the run has it
                self.scenarios.remove(self.baseline)
                self.scenarios.insert(0, self.baseline)
            rows = []
            g = f["scenarios"][self.baseline]
            self.start_year = float(_text(g.attrs.get("start_year", 0)))
            for name, d in g["timeseries"].items():
                if name == "time_years":
                    continue
                rows.append({"metric": name, "units": _text(d.attrs["units"]), "kind": _text(d.attrs["kind"]),
                             "by_quintile": name in g.get("by_quintile", {}),
                             "description": _text(d.attrs["description"])})
            self._metrics = pd.DataFrame(rows).set_index("metric")
            self.has_validation = "validation" in f

    def __repr__(self):
        return (f"<hscsim.Results {self.path!r}: {len(self.scenarios)} scenario(s) {self.scenarios}, "
                f"{self.attrs.get('replicates')} replicates, seed {self.attrs.get('seed')}, hscsim {self.attrs.get('hscsim_version')}>")

    # -- what is in the file --------------------------------------------------------------
    @property
    def metrics(self) -> list[str]:
        return sorted(self._metrics.index)

    def metric_table(self) -> pd.DataFrame:
        """metric, units, kind (flow | stock | mean), by_quintile, description."""
        return self._metrics.reset_index()

    def units(self, metric: str) -> str:
        return self._metrics.loc[metric, "units"]

    def kind(self, metric: str) -> str:
        return self._metrics.loc[metric, "kind"]

    def _scenarios(self, scenarios):
        if scenarios is None:
            return list(self.scenarios)
        if isinstance(scenarios, str):
            scenarios = [scenarios]
        for s in scenarios:
            if s not in self.scenarios:
                raise KeyError(f"no scenario {s!r} in {self.path}; it has {', '.join(self.scenarios)}")
        return list(scenarios)

    def _metric_list(self, metrics, only_quintile=False):
        if metrics is None:
            names = [m for m in self.metrics if not only_quintile or self._metrics.loc[m, "by_quintile"]]
        else:
            names = [metrics] if isinstance(metrics, str) else list(metrics)
            for m in names:
                if m not in self._metrics.index:
                    raise KeyError(f"no metric {m!r}; see Results.metrics (e.g. {', '.join(self.metrics[:5])}, ...)")
        return names

    def _rows(self, n, each):
        """The column naming a series' first dimension, repeated `each` times per row:
        ("replicate", 0..n-1), or in a summary file ("statistic", mean, sd, ...)."""
        if self.store == "summary":
            return "statistic", np.repeat(np.array(self.summary_rows[:n], dtype=object), each)
        return "replicate", np.repeat(np.arange(n), each)

    def _need_replicates(self, what):
        if self.store == "summary":
            raise ValueError(f"{self.path} keeps a summary over replicates (run.store: summary), not each replicate; "
                             f"{what} needs each replicate's series: run the study with run.store: replicates")

    def _years(self, f, s):
        return self.start_year + f["scenarios"][s]["timeseries"]["time_years"][()]

    # -- tidy frames ------------------------------------------------------------------------
    def timeseries(self, scenarios=None, metrics=None) -> pd.DataFrame:
        """scenario, replicate, step, year, metric, value (year: calendar time at the end of
        the step)."""
        out = []
        with h5py.File(self.path, "r") as f:
            for s in self._scenarios(scenarios):
                year = self._years(f, s)
                for m in self._metric_list(metrics):
                    v = f["scenarios"][s]["timeseries"][m][()]
                    R, S = v.shape
                    col, rows = self._rows(R, S)
                    out.append(pd.DataFrame({"scenario": s, col: rows,
                                             "step": np.tile(np.arange(S), R), "year": np.tile(year, R),
                                             "metric": m, "value": v.reshape(-1)}))
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
            columns=["scenario", self._rows(0, 0)[0], "step", "year", "metric", "value"])

    def timeseries_by_quintile(self, scenarios=None, metrics=None) -> pd.DataFrame:
        """scenario, replicate, step, year, quintile (1 = most deprived), metric, value."""
        out = []
        with h5py.File(self.path, "r") as f:
            for s in self._scenarios(scenarios):
                year = self._years(f, s)
                for m in self._metric_list(metrics, only_quintile=True):
                    v = f["scenarios"][s]["by_quintile"][m][()]  # [R, S, 5]
                    R, S, Q = v.shape
                    col, rows = self._rows(R, S * Q)
                    out.append(pd.DataFrame({"scenario": s, col: rows,
                                             "step": np.tile(np.repeat(np.arange(S), Q), R),
                                             "year": np.tile(np.repeat(year, Q), R),
                                             "quintile": np.tile(np.arange(1, Q + 1), R * S), "metric": m,
                                             "value": v.reshape(-1)}))
        return pd.concat(out, ignore_index=True)

    def summary(self, scenarios=None, metrics=None) -> pd.DataFrame:
        """One row per scenario and metric: flows totalled over the run, stocks and means at
        the end; mean and 95% t-interval over replicates."""
        rows = []
        with h5py.File(self.path, "r") as f:
            for s in self._scenarios(scenarios):
                for m in self._metric_list(metrics):
                    v = f["scenarios"][s]["timeseries"][m][()]
                    flow = self.kind(m) == "flow"
                    if self.store == "summary":  # the mean of the totals is the total of the means; no interval
                        mean = np.nansum(v[0]) if flow else v[0, -1]
                        rows.append({"scenario": s, "metric": m, "units": self.units(m), "kind": self.kind(m),
                                     "statistic": "total over the run" if flow else "at the end", "mean": float(mean),
                                     "lower": np.nan, "upper": np.nan, "replicates": int(self.attrs.get("replicates", 0))})
                        continue
                    per_rep = np.nansum(v, axis=1) if flow else v[:, -1]
                    mean, lo, hi = t_interval(per_rep)
                    rows.append({"scenario": s, "metric": m, "units": self.units(m), "kind": self.kind(m),
                                 "statistic": "total over the run" if flow else "at the end", "mean": float(mean),
                                 "lower": float(lo), "upper": float(hi), "replicates": len(per_rep)})
        return pd.DataFrame(rows)

    def comparisons(self, scenarios=None, metrics=None, by=None, cumulative=True) -> pd.DataFrame:
        """Scenario minus baseline, paired by replicate, as hscsim computed it:
        scenario, step, year, metric, [quintile | cause], mean, lower, upper.
        by: None, "quintile" or "cause" (emergency_admissions, ae_attendances,
        deaths_after_admission). cumulative: flows summed and stocks averaged from the start
        (False: each step)."""
        if by not in (None, "quintile", "cause"):
            raise ValueError("by must be None, 'quintile' or 'cause'")
        which = "cumulative" if cumulative else "per_step"
        out = []
        with h5py.File(self.path, "r") as f:
            if "comparisons" not in f:
                raise KeyError(f"{self.path} has no comparisons (a run with one scenario)")
            compared = [s for s in self._scenarios(scenarios) if s != self.baseline]
            for s in compared:
                g = f["comparisons"][s]
                year = self._years(f, s)
                if by == "cause":
                    names = [_text(x) for x in g["by_cause"]["cause"][()]]
                    rows_ = [metrics] if isinstance(metrics, str) else metrics
                    for row in (rows_ or [k for k in g["by_cause"].keys() if k != "cause"]):
                        v = g["by_cause"][row][which][()]  # [3, C, S]
                        for c, cause in enumerate(names):
                            out.append(pd.DataFrame({"scenario": s, "step": np.arange(len(year)), "year": year,
                                                     "metric": row, "cause": cause, "mean": v[0, c], "lower": v[1, c],
                                                     "upper": v[2, c]}))
                    continue
                for m in self._metric_list(metrics, only_quintile=by == "quintile"):
                    if by == "quintile":
                        v = g[m]["by_quintile"][which][()]  # [3, 5, S]
                        for q in range(v.shape[1]):
                            out.append(pd.DataFrame({"scenario": s, "step": np.arange(len(year)), "year": year, "metric": m,
                                                     "quintile": q + 1, "mean": v[0, q], "lower": v[1, q], "upper": v[2, q]}))
                    else:
                        v = g[m][which][()]  # [3, S]
                        out.append(pd.DataFrame({"scenario": s, "step": np.arange(len(year)), "year": year, "metric": m,
                                                 "mean": v[0], "lower": v[1], "upper": v[2]}))
        return pd.concat(out, ignore_index=True)

    def comparison_table(self, scenarios=None, metrics=None) -> pd.DataFrame:
        """The end of the run: one row per scenario and metric (as the terminal prints it)."""
        c = self.comparisons(scenarios, metrics)
        return c[c["step"] == c["step"].max()].drop(columns=["step"]).reset_index(drop=True)

    def ledger_comparisons(self, scenarios=None) -> pd.DataFrame:
        """Who gains and who loses: each ledger's flows (provider income, cost, margin;
        commissioners' payments; the investor's) as scenario minus baseline, summed over the
        run: scenario, id, kind, metric, units, mean, lower, upper."""
        rows = []
        with h5py.File(self.path, "r") as f:
            if "comparisons" not in f:
                return pd.DataFrame(columns=["scenario", "id", "kind", "metric", "units", "mean", "lower", "upper"])
            for s in self._scenarios(scenarios):
                if s == self.baseline or "finance" not in f["comparisons"][s]:
                    continue
                for lid, lg in f["comparisons"][s]["finance"].items():
                    for m, mg in lg.items():
                        v = mg["cumulative"][()]
                        rows.append({"scenario": s, "id": lid, "kind": _text(lg.attrs.get("kind", "")), "metric": m,
                                     "units": _text(mg.attrs.get("units", "")), "mean": v[0, -1], "lower": v[1, -1],
                                     "upper": v[2, -1]})
        return pd.DataFrame(rows)

    def _groups(self, scenarios, folder):
        out = []
        with h5py.File(self.path, "r") as f:
            for s in self._scenarios(scenarios):
                g = f["scenarios"][s]
                if folder not in g:
                    continue
                year = self._years(f, s)
                for pid, pg in g[folder].items():
                    kind = _text(pg.attrs.get("kind", folder))
                    for m, d in pg.items():
                        v = d[()]
                        R, S = v.shape
                        col, rows = self._rows(R, S)
                        out.append(pd.DataFrame({"scenario": s, "id": pid, "kind": kind, col: rows,
                                                 "step": np.tile(np.arange(S), R), "year": np.tile(year, R), "metric": m,
                                                 "units": _text(d.attrs.get("units", "")), "value": v.reshape(-1)}))
        if not out:
            return pd.DataFrame(columns=["scenario", "id", "kind", self._rows(0, 0)[0], "step", "year", "metric", "units", "value"])
        return pd.concat(out, ignore_index=True)

    def providers(self, scenarios=None) -> pd.DataFrame:
        """Per-provider series: scenario, id, kind, replicate, step, year, metric, units, value."""
        return self._groups(scenarios, "providers")

    def interventions(self, scenarios=None) -> pd.DataFrame:
        """Per-programme series (offers, enrolments, members, cost), same columns."""
        return self._groups(scenarios, "interventions")

    def finance(self, scenarios=None) -> pd.DataFrame:
        """Ledgers of providers, commissioners and investors (kind provider_ledger,
        commissioner_ledger, investor_ledger), same columns; money in GBP."""
        return self._groups(scenarios, "finance")

    def cost_effectiveness(self, scenarios=None, discount=0.035, cost="cost_total_gbp", effect="qalys") -> pd.DataFrame:
        """Per scenario (not the baseline) and replicate: the difference from the baseline in
        `cost` and in `effect` over the run, each step discounted at `discount` a year (3.5%:
        NICE's reference case) to the start. With parameter uncertainty (`uncertainty:`),
        each replicate is one draw of the parameters as well as of chance, so the cloud is a
        probabilistic sensitivity analysis. Columns: scenario, replicate, delta_cost,
        delta_effect, cost, effect."""
        self._need_replicates("cost-effectiveness (one point per replicate)")
        rows = []
        with h5py.File(self.path, "r") as f:
            t = f["scenarios"][self.baseline]["timeseries"]["time_years"][()]
            w = (1.0 + discount) ** -t
            base_c = np.nansum(f["scenarios"][self.baseline]["timeseries"][cost][()] * w, axis=1)
            base_e = np.nansum(f["scenarios"][self.baseline]["timeseries"][effect][()] * w, axis=1)
            for s in self._scenarios(scenarios):
                if s == self.baseline:
                    continue
                c = np.nansum(f["scenarios"][s]["timeseries"][cost][()] * w, axis=1)
                e = np.nansum(f["scenarios"][s]["timeseries"][effect][()] * w, axis=1)
                for r in range(len(c)):
                    rows.append({"scenario": s, "replicate": r, "delta_cost": float(c[r] - base_c[r]),
                                 "delta_effect": float(e[r] - base_e[r]), "cost": cost, "effect": effect})
        return pd.DataFrame(rows, columns=["scenario", "replicate", "delta_cost", "delta_effect", "cost", "effect"])

    def acceptability(self, thresholds=None, scenarios=None, discount=0.035) -> pd.DataFrame:
        """Cost-effectiveness acceptability: for each scenario and willingness to pay per
        QALY (GBP), the share of replicates in which the scenario's net monetary benefit
        over the baseline (threshold x delta QALYs - delta cost) is positive. Columns:
        scenario, threshold_gbp, probability."""
        ce = self.cost_effectiveness(scenarios, discount)
        if thresholds is None:
            thresholds = np.arange(0, 100001, 2500)
        rows = []
        for s, g in ce.groupby("scenario", sort=False):
            for lam in thresholds:
                nmb = lam * g["delta_effect"].to_numpy() - g["delta_cost"].to_numpy()
                rows.append({"scenario": s, "threshold_gbp": float(lam), "probability": float(np.mean(nmb > 0))})
        return pd.DataFrame(rows, columns=["scenario", "threshold_gbp", "probability"])

    def uncertainty(self) -> pd.DataFrame:
        """The parameter values each replicate drew (`uncertainty:` in the config): replicate,
        then one column per parameter. Empty without parameter uncertainty."""
        with h5py.File(self.path, "r") as f:
            if "uncertainty" not in f:
                return pd.DataFrame()
            g = f["uncertainty"]
            keys = [_text(x) for x in g["parameter"][()]]
            d = pd.DataFrame(g["samples"][()], columns=keys)
        d.insert(0, "replicate", np.arange(len(d)))
        return d

    def validation(self) -> pd.DataFrame:
        """The validation table (hscsim validate), one row per target."""
        with h5py.File(self.path, "r") as f:
            if "validation" not in f:
                raise KeyError(f"{self.path} has no validation table (written by hscsim validate)")
            g = f["validation"]
            cols = {}
            for k, d in g.items():
                v = d[()]
                if v.ndim != 1:
                    continue
                cols[k] = [_text(x) for x in v] if v.dtype.kind in "SOU" else v
            return pd.DataFrame(cols)

    # -- arrays (the older reader's interface) ---------------------------------------------
    def time_years(self, scenario: str | None = None):
        with h5py.File(self.path, "r") as f:
            return f["scenarios"][scenario or self.baseline]["timeseries"]["time_years"][()]

    def metric(self, scenario: str, name: str):
        """[replicates, steps] array."""
        with h5py.File(self.path, "r") as f:
            return f["scenarios"][scenario]["timeseries"][name][()]

    def by_quintile(self, scenario: str, name: str):
        """[replicates, steps, 5] array; quintile 1 (index 0) is the most deprived."""
        with h5py.File(self.path, "r") as f:
            return f["scenarios"][scenario]["by_quintile"][name][()]

    def frame(self, scenario: str | None = None) -> pd.DataFrame:
        """Wide frame of one scenario: replicate, step, time_years, one column per metric."""
        t = self.timeseries(scenario or self.baseline)
        col = self._rows(0, 0)[0]
        wide = t.pivot_table(index=[col, "step", "year"], columns="metric", values="value").reset_index()
        wide.columns.name = None
        wide.insert(2, "time_years", wide["year"] - self.start_year)
        return wide.drop(columns=["year"])


class Sensitivity:
    """A sensitivity analysis file (`hscsim sensitivity`, format hscsim-sensitivity)."""

    def __init__(self, path: str):
        self.path = os.fspath(path)
        with h5py.File(self.path, "r") as f:
            fmt = _text(f.attrs.get("format", b""))
            if fmt != SENSITIVITY_FORMAT:
                raise ValueError(f"{self.path}: not an hscsim sensitivity file (format {fmt!r})")
            version = int(f.attrs.get("schema_version", -1))
            if version not in SCHEMA_VERSIONS:
                raise ValueError(f"{self.path}: schema version {version}; this reader knows {sorted(SCHEMA_VERSIONS)}")
            self.attrs = {k: _text(v) for k, v in f.attrs.items()}
            g = f["sensitivity"]
            self.method = _text(g.attrs["method"])
            self.settings = {k: _text(v) for k, v in g.attrs.items()}
            self.parameters = pd.DataFrame({"parameter": [_text(x) for x in g["parameter"][()]],
                                            "lower": g["parameter_lower"][()], "upper": g["parameter_upper"][()]})
            self.outputs = pd.DataFrame({"output": [_text(x) for x in g["output"][()]],
                                         "metric": [_text(x) for x in g["output_metric"][()]],
                                         "scenario": [_text(x) for x in g["output_scenario"][()]],
                                         "versus": [_text(x) for x in g["output_versus"][()]],
                                         "units": [_text(x) for x in g["output_units"][()]]})

    def __repr__(self):
        return (f"<hscsim.Sensitivity {self.path!r}: {self.method}, {len(self.parameters)} parameter(s), "
                f"{len(self.outputs)} output(s), {self.settings.get('runs')} runs>")

    def indices(self) -> pd.DataFrame:
        """Tidy: output, metric, scenario, versus, units, parameter, index (mu_star, mu, sigma
        for Morris; first_order, total_order for Sobol'), value, lower, upper (95% bootstrap
        interval; NaN where there is none)."""
        names = ["mu_star", "mu", "sigma"] if self.method == "morris" else ["first_order", "total_order"]
        rows = []
        with h5py.File(self.path, "r") as f:
            g = f["sensitivity"]
            for name in names:
                v = g[name][()]
                lo = g[name + "_lower"][()] if name + "_lower" in g else np.full_like(v, np.nan)
                hi = g[name + "_upper"][()] if name + "_upper" in g else np.full_like(v, np.nan)
                for o, out in self.outputs.iterrows():
                    for j, par in enumerate(self.parameters["parameter"]):
                        rows.append({**out.to_dict(), "parameter": par, "index": name, "value": float(v[o, j]),
                                     "lower": float(lo[o, j]), "upper": float(hi[o, j])})
        return pd.DataFrame(rows)

    def design(self) -> pd.DataFrame:
        """One row per design point: the parameters' values, then each output's mean over
        replicates."""
        with h5py.File(self.path, "r") as f:
            g = f["sensitivity"]
            d = pd.DataFrame(g["design"][()], columns=list(self.parameters["parameter"]))
            y = g["y"][()]
        for o, name in enumerate(self.outputs["output"]):
            d[name] = y[o]
        d.insert(0, "point", np.arange(len(d)))
        return d


def open(path):  # noqa: A001 - the package's entry point, as in h5py.File / io.open
    """Opens a results file (Results) or a sensitivity file (Sensitivity); checks its
    format and schema version (ValueError if wrong)."""
    p = os.fspath(path)
    if os.path.exists(p):
        try:
            with h5py.File(p, "r") as f:
                if _text(f.attrs.get("format", b"")) == SENSITIVITY_FORMAT:
                    return Sensitivity(p)
        except OSError:
            pass  # Results says what is wrong with it
    return Results(p)

