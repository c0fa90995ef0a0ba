"""A self-contained HTML report of a results file: one page, images inline (no external
references), tables with 95% t-intervals over replicates.

    python -m hscsim.report output/default.h5 -o report.html     (or scripts/report)
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import math
import os
import sys

import numpy as np

from . import plots
from .results import Results, Sensitivity, open as open_results, t_interval

HEADLINE = ["emergency_admissions", "ae_attendances", "bed_days", "delayed_discharge_bed_days", "gp_unmet_demand",
            "elective_waiting_list", "people_waiting_social_care", "deaths", "qalys", "wellbeing_mean",
            "cost_acute_gbp", "cost_social_care_gbp", "cost_primary_care_gbp", "cost_total_gbp"]
SERIES = ["emergency_admissions", "bed_occupancy", "delayed_discharges", "gp_unmet_demand", "people_waiting_social_care",
          "cost_total_gbp"]

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child, table.left td { text-align: left; }
th { background: #f3f3f3; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
.note { color: #555; font-size: 0.85em; }
.gain { color: #1a7f37; } .loss { color: #b42318; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.8em; max-height: 30em; }
"""


def _fmt(v: float, units: str = "") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if units == "GBP":
        return ("-£" if v < 0 else "£") + f"{abs(v):,.0f}"
    if units == "fraction":
        return f"{100 * v:.2f}%"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.3g}"


def _interval(mean, lo, hi, units=""):
    if lo is None or not math.isfinite(lo):
        return _fmt(mean, units)
    return f"{_fmt(mean, units)} <span class=note>[{_fmt(lo, units)}, {_fmt(hi, units)}]</span>"


def _img(fig, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plots._plt().close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header, rows, cls="") -> str:
    out = [f"<table class='{cls}'><tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>"]
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _provenance(res: Results) -> str:
    a = res.attrs
    rows = [(k, html.escape(str(a.get(k, "")))) for k in ("config_name", "hscsim_version", "git_commit", "created_utc", "seed",
                                                        "replicates", "threads", "ranks", "wall_seconds")]
    rows.insert(0, ("file", html.escape(os.path.abspath(res.path))))
    rows.append(("scenarios", html.escape(", ".join(res.scenarios))))
    rows.append(("start year", f"{res.start_year:.0f}"))
    cfg = html.escape(str(a.get("config_yaml", "")))
    return _table(["", ""], rows, "left") + f"<details><summary>The resolved config</summary><pre>{cfg}</pre></details>"


def _headline(res: Results) -> str:
    metrics = [m for m in HEADLINE if m in res.metrics]
    summ = res.summary(None, metrics)
    out = ["<p class=note>Flows are totals over the run; stocks and means are at the end. "
           "Intervals: 95% t-interval over replicates.</p>"]
    header = ["metric"] + [f"{s}" for s in res.scenarios]
    rows = []
    for m in metrics:
        u = res.units(m)
        row = [f"{m} <span class=note>({'£, 2023/24 prices' if u == 'GBP' else u})</span>"]
        for s in res.scenarios:
            r = summ[(summ.scenario == s) & (summ.metric == m)].iloc[0]
            row.append(_interval(r["mean"], r["lower"], r["upper"], u))
        rows.append(row)
    out.append(_table(header, rows))
    if len(res.scenarios) > 1:
        comp = res.comparison_table(metrics=metrics)
        out.append(f"<h3>Scenario minus {html.escape(res.baseline)} (paired by replicate)</h3>")
        header = ["metric"] + [s for s in res.scenarios if s != res.baseline]
        rows = []
        for m in metrics:
            u = res.units(m)
            row = [m]
            for s in header[1:]:
                r = comp[(comp.scenario == s) & (comp.metric == m)].iloc[0]
                row.append(_interval(r["mean"], r["lower"], r["upper"], u))
            rows.append(row)
        out.append(_table(header, rows))
    return "\n".join(out)


def _series(res: Results) -> str:
    out = []
    beds = None
    prov = res.providers(res.baseline)
    if not prov.empty and "beds" in set(prov.metric):
        b = prov[(prov.metric == "beds") & (prov.replicate == 0)].groupby("step")["value"].sum().to_numpy()
        beds = b
    for m in SERIES:
        if m not in res.metrics:
            continue
        cap = beds if m == "bed_occupancy" and beds is not None else None
        out.append(_img(plots.plot_timeseries(res, m, capacity=cap, yearly=res.kind(m) == "flow"), f"time series of {m}"))
    return "\n".join(out)


def _differences(res: Results) -> str:
    if len(res.scenarios) < 2:
        return "<p>One scenario: no comparisons.</p>"
    out = []
    for m in ("emergency_admissions", "bed_days", "qalys", "cost_total_gbp"):
        if m in res.metrics:
            out.append(_img(plots.plot_comparison(res, m), f"cumulative difference of {m}"))
    return "\n".join(out)


def _money(res: Results) -> str:
    out = [_img(plots.plot_costs(res), "cost by sector")]
    fin = res.finance()
    if fin.empty:
        out.append("<p>No ledgers (the config has no finance section).</p>")
        return "\n".join(out)
    # By payer: what each commissioner paid over the run.
    pay = fin[(fin.kind == "commissioner_ledger") & (fin.metric == "payments_gbp")]
    rows = []
    for pid in sorted(set(pay["id"])):
        row = [html.escape(pid)]
        for s in res.scenarios:
            per_rep = pay[(pay.id == pid) & (pay.scenario == s)].groupby("replicate")["value"].sum().to_numpy()
            row.append(_interval(*t_interval(per_rep), "GBP") if len(per_rep) else "–")
        rows.append(row)
    out.append("<h3>By payer: payments over the run</h3>" + _table(["commissioner"] + res.scenarios, rows))
    # Providers: income and margin over the run, and (with scenarios) who gains and who loses.
    led = fin[fin.kind == "provider_ledger"]
    rows = []
    for pid in sorted(set(led["id"])):
        row = [html.escape(pid)]
        for m in ("income_gbp", "margin_gbp"):
            per_rep = led[(led.id == pid) & (led.scenario == res.baseline) & (led.metric == m)].groupby("replicate")["value"].sum().to_numpy()
            row.append(_interval(*t_interval(per_rep), "GBP"))
        rows.append(row)
    out.append(f"<h3>Providers in {html.escape(res.baseline)}: income and margin over the run</h3>"
               + _table(["provider", "income", "margin"], rows))
    if len(res.scenarios) > 1:
        lc = res.ledger_comparisons()
        lc = lc[((lc.kind == "provider_ledger") & (lc.metric == "margin_gbp")) |
                ((lc.kind == "commissioner_ledger") & (lc.metric == "payments_gbp")) |
                ((lc.kind == "investor_ledger") & (lc.metric == "received_gbp"))]
        names = [s for s in res.scenarios if s != res.baseline]
        rows = []
        for (lid, metric), g in lc.groupby(["id", "metric"], sort=True):
            row = [html.escape(f"{lid} ({metric.replace('_gbp', '')})")]
            for s in names:
                r = g[g.scenario == s]
                if r.empty:
                    row.append("–")
                    continue
                r = r.iloc[0]
                cls = "gain" if r["lower"] > 0 else "loss" if r["upper"] < 0 else ""
                row.append(f"<span class='{cls}'>{_interval(r['mean'], r['lower'], r['upper'], 'GBP')}</span>")
            rows.append(row)
        out.append(f"<h3>Who gains and who loses: scenario minus {html.escape(res.baseline)}, over the run</h3>"
                   "<p class=note>Provider margins, commissioners' payments, the investor's receipts; green: the whole "
                   "interval above zero, red: below.</p>" + _table(["ledger"] + names, rows))
    return "\n".join(out)


def _inequality(res: Results) -> str:
    out = []
    q = res.timeseries_by_quintile(metrics=[m for m in ("emergency_admissions", "population") if m in res.metrics])
    if not q.empty:
        rows = []
        for s in res.scenarios:
            g = q[q.scenario == s]
            adm = g[g.metric == "emergency_admissions"].groupby(["replicate", "quintile"])["value"].sum().unstack()
            pop = g[g.metric == "population"].groupby(["replicate", "quintile"])["value"].mean().unstack()
            years = max(1e-9, (g["year"].max() - res.start_year))
            rate = (adm / pop / years * 1000).to_numpy()  # per 1,000 a year, [replicate, quintile]
            mean, lo, hi = t_interval(rate)
            rows.append([html.escape(s)] + [_interval(mean[k], lo[k], hi[k]) for k in range(rate.shape[1])])
        out.append("<h3>Emergency admissions per 1,000 people a year, by deprivation quintile</h3>"
                   + _table(["scenario", "1 (most deprived)", "2", "3", "4", "5 (least)"], rows))
    if len(res.scenarios) > 1:
        for m in ("qalys", "emergency_admissions"):
            if m in res.metrics:
                out.append(_img(plots.plot_quintiles(res, m), f"{m} by quintile"))
    return "\n".join(out) or "<p>No breakdown by quintile in this file.</p>"


def _interventions(res: Results) -> str:
    iv = res.interventions()
    if iv.empty:
        return "<p>No programmes in these scenarios.</p>"
    rows = []
    for (s, pid), g in iv.groupby(["scenario", "id"], sort=False):
        row = [html.escape(s), html.escape(pid)]
        for m, how in (("offers", "sum"), ("enrolments", "sum"), ("members", "last"), ("cost_gbp", "sum")):
            gm = g[g.metric == m]
            if gm.empty:
                row.append("–")
                continue
            per = gm.groupby("replicate")["value"].sum() if how == "sum" else gm[gm.step == gm.step.max()].groupby("replicate")["value"].sum()
            row.append(_interval(*t_interval(per.to_numpy()), "GBP" if m == "cost_gbp" else ""))
        rows.append(row)
    prov = res.providers(res.baseline)
    use = ""
    if not prov.empty:
        cap_rows = []
        for pid, g in prov.groupby("id"):
            kind = g["kind"].iloc[0]
            if kind == "gp_practice" and {"appointments", "capacity"} <= set(g.metric):
                a = g[g.metric == "appointments"]["value"].sum()
                c = g[g.metric == "capacity"]["value"].sum()
                cap_rows.append([html.escape(pid), "appointments / capacity", f"{100 * a / c:.1f}%" if c else "–"])
        if cap_rows:
            use = "<h3>Capacity use in the baseline (all replicates)</h3>" + _table(["provider", "", "use"], cap_rows)
    return "<p class=note>Offers and enrolments over the run, members at the end, cost over the run.</p>" + \
        _table(["scenario", "programme", "offers", "enrolments", "members", "cost"], rows) + use


def _validation(res: Results) -> str:
    if not res.has_validation:
        return ""
    v = res.validation()
    cols = [c for c in ("target", "model_mean", "model_lower95", "model_upper95", "target_value", "tolerance", "pass", "units")
            if c in v.columns]
    rows = [[html.escape(str(r[c])) if not isinstance(r[c], float) else _fmt(r[c]) for c in cols] for _, r in v.iterrows()]
    n_pass = int(v["pass"].sum()) if "pass" in v.columns else 0
    return f"<h2>Validation</h2><p>{n_pass} of {len(v)} targets within tolerance.</p>" + _table(cols, rows)


def _cost_effectiveness(res: Results) -> str:
    if len(res.scenarios) < 2 or int(res.attrs.get("replicates", 1)) < 2:
        return ""
    ce = res.cost_effectiveness()
    ac = res.acceptability(thresholds=[20000, 30000])
    psa = res.uncertainty()
    rows = []
    for s, g in ce.groupby("scenario", sort=False):
        dc, de = t_interval(g["delta_cost"]), t_interval(g["delta_effect"])
        icer = dc[0] / de[0] if de[0] != 0 else math.nan
        p20 = ac[(ac.scenario == s) & (ac.threshold_gbp == 20000)]["probability"].iloc[0]
        p30 = ac[(ac.scenario == s) & (ac.threshold_gbp == 30000)]["probability"].iloc[0]
        rows.append([html.escape(s), _interval(float(dc[0]), float(dc[1]), float(dc[2]), "GBP"),
                     _interval(float(de[0]), float(de[1]), float(de[2])),
                     _fmt(icer, "GBP") if math.isfinite(icer) and de[0] > 0 else "–",
                     f"{100 * p20:.0f}%", f"{100 * p30:.0f}%"])
    what = (f"Each replicate drew its own values of {len(psa.columns) - 1} uncertain parameter(s) (the config's "
            "<code>uncertainty:</code>), so the spread is parameter uncertainty and chance together."
            if not psa.empty else
            "No parameter is uncertain in this config: the spread is chance alone (give distributions under "
            "<code>uncertainty:</code> for a probabilistic sensitivity analysis).")
    out = [f"<p class=note>Incremental cost and QALYs against {html.escape(res.baseline)} per replicate (paired), "
           f"discounted 3.5% a year. {what}</p>",
           _table(["scenario", "incremental cost", "incremental QALYs", "cost per QALY gained",
                   "P(cost-effective) at £20k", "at £30k"], rows),
           _img(plots.plot_ce_plane(res), "cost-effectiveness plane"),
           _img(plots.plot_acceptability(res), "cost-effectiveness acceptability curves")]
    if not psa.empty:
        q = psa.drop(columns="replicate").describe(percentiles=[0.025, 0.5, 0.975]).T
        prow = [[html.escape(k), _fmt(r["mean"]), _fmt(r["2.5%"]), _fmt(r["50%"]), _fmt(r["97.5%"])] for k, r in q.iterrows()]
        out.append("<h3>Parameter draws</h3>" + _table(["parameter", "mean", "2.5%", "median", "97.5%"], prow))
    return "\n".join(out)


def _sensitivity(sa: Sensitivity) -> str:
    d = sa.indices()
    out = [f"<p class=note>{html.escape(sa.method)}: {html.escape(str(sa.settings.get('runs')))} replicate runs of "
           f"config {html.escape(str(sa.attrs.get('config_name')))} ({html.escape(os.path.basename(sa.path))}); "
           "each output is the mean over replicates at a design point (common random numbers).</p>"]
    prow = [[html.escape(r["parameter"]), _fmt(r["lower"]), _fmt(r["upper"])] for _, r in sa.parameters.iterrows()]
    out.append(_table(["parameter", "lower", "upper"], prow))
    for o, name in enumerate(sa.outputs["output"]):
        out.append(f"<h3>{html.escape(name)}</h3>")
        out.append(_img(plots.plot_sensitivity(sa, o), f"sensitivity of {name}"))
        g = d[d["output"] == name]
        units = sa.outputs["units"].iloc[o]
        if sa.method == "morris":
            rows = []
            for par in g["parameter"].unique():
                x = g[g.parameter == par].set_index("index")
                rows.append([html.escape(par), _interval(x.loc["mu_star", "value"], x.loc["mu_star", "lower"],
                                                         x.loc["mu_star", "upper"], units),
                             _fmt(x.loc["mu", "value"], units), _fmt(x.loc["sigma", "value"], units)])
            out.append(_table(["parameter", "mu* [95% interval]", "mu", "sigma"], rows))
        else:
            rows = []
            for par in g["parameter"].unique():
                x = g[g.parameter == par].set_index("index")
                rows.append([html.escape(par),
                             _interval(x.loc["first_order", "value"], x.loc["first_order", "lower"], x.loc["first_order", "upper"]),
                             _interval(x.loc["total_order", "value"], x.loc["total_order", "lower"], x.loc["total_order", "upper"])])
            out.append(_table(["parameter", "first order [95% interval]", "total order [95% interval]"], rows))
    return "\n".join(out)


def _page(title: str, body: list[str]) -> str:
    return (f"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def build_sensitivity(sa: Sensitivity) -> str:
    """The report of a sensitivity file (one self-contained page)."""
    title = f"hscsim sensitivity report: {sa.attrs.get('config_name', os.path.basename(sa.path))}"
    a = sa.attrs
    prov = _table(["", ""], [(k, html.escape(str(a.get(k, "")))) for k in
                             ("config_name", "hscsim_version", "git_commit", "created_utc", "seed", "replicates",
                              "threads", "wall_seconds")], "left")
    prov += f"<details><summary>The params file</summary><pre>{html.escape(str(a.get('params_yaml', '')))}</pre></details>"
    prov += f"<details><summary>The resolved config</summary><pre>{html.escape(str(a.get('config_yaml', '')))}</pre></details>"
    return _page(title, [f"<h1>{html.escape(title)}</h1>", "<h2>Provenance</h2>", prov,
                         "<h2>Sensitivity</h2>", _sensitivity(sa)])


def build(res: Results, sensitivity: list | None = None) -> str:
    """The report's HTML (one self-contained page); `sensitivity`: Sensitivity files to
    include."""
    title = f"hscsim report: {res.attrs.get('config_name', os.path.basename(res.path))}"
    sections = [
        ("Provenance", _provenance(res)),
        ("Headline results", _headline(res)),
        ("Time series", _series(res)),
        ("Cumulative differences from the baseline", _differences(res)),
        ("Money: costs, payers and providers", _money(res)),
        ("Inequality", _inequality(res)),
        ("Programmes and capacity", _interventions(res)),
        ("Cost-effectiveness", _cost_effectiveness(res)),
    ]
    sensitivity = sensitivity or []
    sens_note = (f"Sensitivity analyses: {len(sensitivity)}, at the end." if sensitivity else
                 "Sensitivity analysis: none given (hscsim sensitivity, then scripts/report FILE.h5 --sensitivity S.h5).")
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p class=note>{html.escape(plots.INTERVAL_NOTE)}. Money in pounds at 2023/24 prices. "
            f"{html.escape(sens_note)}</p>"]
    for name, content in sections:
        if content:
            body.append(f"<h2>{html.escape(name)}</h2>\n{content}")
    body.append(_validation(res))
    for sa in sensitivity:
        body.append(f"<h2>Sensitivity: {html.escape(os.path.basename(sa.path))}</h2>\n{_sensitivity(sa)}")
    return _page(title, body)


def write(res_or_path, out: str, sensitivity=None) -> str:
    """Writes the report of a results or sensitivity file to `out` (atomically: a temporary
    name, then a rename); `sensitivity`: sensitivity files (or paths) to add to a results
    report."""
    res = res_or_path if isinstance(res_or_path, (Results, Sensitivity)) else open_results(res_or_path)
    sens = [x if isinstance(x, Sensitivity) else open_results(x) for x in (sensitivity or [])]
    page = build_sensitivity(res) if isinstance(res, Sensitivity) else build(res, sens)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, out)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/report", description="Write a self-contained HTML report of a results file.")
    ap.add_argument("results", help="an hscsim results file (.h5), or a sensitivity file from hscsim sensitivity")
    ap.add_argument("--sensitivity", action="append", default=[], metavar="S.h5",
                    help="a sensitivity file to include in a results report (repeatable)")
    ap.add_argument("-o", "--output", help="the HTML file (default: the results file's name with .html)")
    a = ap.parse_args(argv)
    out = a.output or os.path.splitext(a.results)[0] + ".html"
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        print(f"report: folder {folder!r} does not exist", file=sys.stderr)
        return 2
    try:
        res = open_results(a.results)
        sens = [open_results(p) for p in a.sensitivity]
    except (OSError, ValueError) as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    if isinstance(res, Results) and res.store == "summary":
        print(f"report: {a.results} keeps a summary over replicates (run.store: summary); the report needs each "
              "replicate's series (run with run.store: replicates, the default). Its summary is read with "
              "hscsim.open(FILE).timeseries() (a `statistic` column) and plotted with plot_timeseries.", file=sys.stderr)
        return 2
    for p, x in zip(a.sensitivity, sens):
        if not isinstance(x, Sensitivity):
            print(f"report: {p} is a results file, not a sensitivity file (--sensitivity takes hscsim sensitivity's output)",
                  file=sys.stderr)
            return 2
    write(res, out, sens)
    print(f"report: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
