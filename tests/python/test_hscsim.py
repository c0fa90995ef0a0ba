"""Tests of the Python package (python/hscsim): run with an interpreter that has h5py,
numpy, pandas and matplotlib (scripts/py), from any folder:

    scripts/py tests/python/test_hscsim.py --bin build/hscsim
"""
import argparse
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "python"))

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import hscsim  # noqa: E402

BIN = None
TMP = tempfile.mkdtemp(prefix="hscsim-py-")


def run_file():
    """A small run with two scenarios (made once)."""
    path = os.path.join(TMP, "two.h5")
    if not os.path.exists(path):
        cfg = os.path.join(TMP, "two.yaml")
        with open(cfg, "w") as f:
            f.write(f"extends: {SRC}/configs/tests/tiny.yaml\n"
                    "run: {replicates: 3}\n"
                    "scenarios:\n  - name: baseline\n  - name: fewer_beds\n"
                    "    set: {acute_trusts.0.general_acute_beds_per_100000: 120}\n")
        subprocess.run([BIN, "run", cfg, "-o", path, "--quiet"], check=True)
    return path


class OpenTest(unittest.TestCase):
    def test_opens_from_any_folder_and_checks_the_file(self):
        here = os.getcwd()
        try:
            os.chdir(TMP)
            res = hscsim.open(run_file())
        finally:
            os.chdir(here)
        self.assertEqual(res.scenarios, ["baseline", "fewer_beds"])
        self.assertEqual(res.baseline, "baseline")
        self.assertIn("emergency_admissions", res.metrics)
        self.assertEqual(res.units("cost_total_gbp"), "GBP")
        not_results = os.path.join(TMP, "not.h5")
        import h5py
        with h5py.File(not_results, "w") as f:
            f.attrs["format"] = "something else"
        with self.assertRaisesRegex(ValueError, "not an hscsim results file"):
            hscsim.open(not_results)
        with self.assertRaises(FileNotFoundError):
            hscsim.open(os.path.join(TMP, "missing.h5"))
        text = os.path.join(TMP, "text.h5")
        with open(text, "w") as f:
            f.write("hello")
        with self.assertRaisesRegex(ValueError, "not an HDF5 file"):
            hscsim.open(text)


class FramesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = hscsim.open(run_file())

    def test_timeseries_is_tidy_and_matches_the_arrays(self):
        t = self.res.timeseries(metrics=["emergency_admissions", "population"])
        self.assertEqual(list(t.columns), ["scenario", "replicate", "step", "year", "metric", "value"])
        arr = self.res.metric("fewer_beds", "emergency_admissions")
        got = t[(t.scenario == "fewer_beds") & (t.metric == "emergency_admissions")]
        self.assertEqual(len(got), arr.size)
        np.testing.assert_array_equal(got.sort_values(["replicate", "step"])["value"].to_numpy(), arr.reshape(-1))
        self.assertTrue((t["year"] > 2025).all())
        q = self.res.timeseries_by_quintile(metrics="deaths")
        self.assertEqual(sorted(q["quintile"].unique()), [1, 2, 3, 4, 5])
        # Quintiles add up to the whole (deaths is a flow kept by quintile).
        whole = self.res.metric("baseline", "deaths").sum()
        self.assertEqual(q[q.scenario == "baseline"]["value"].sum(), whole)

    def test_summary_uses_the_t_interval(self):
        s = self.res.summary(metrics="emergency_admissions").set_index("scenario")
        per_rep = self.res.metric("baseline", "emergency_admissions").sum(axis=1)
        mean, lo, hi = hscsim.t_interval(per_rep)
        self.assertAlmostEqual(s.loc["baseline", "mean"], mean)
        self.assertAlmostEqual(s.loc["baseline", "upper"] - s.loc["baseline", "mean"],
                               4.303 * per_rep.std(ddof=1) / np.sqrt(3), places=2)  # t(0.975, 2)
        self.assertEqual(s.loc["baseline", "statistic"], "total over the run")

    def test_comparisons_agree_with_the_paired_differences(self):
        c = self.res.comparison_table(metrics="bed_days").set_index("scenario")
        diff = (self.res.metric("fewer_beds", "bed_days") - self.res.metric("baseline", "bed_days")).sum(axis=1)
        mean, lo, hi = hscsim.t_interval(diff)
        self.assertAlmostEqual(c.loc["fewer_beds", "mean"], mean, places=6)
        self.assertAlmostEqual(c.loc["fewer_beds", "lower"], lo, places=4)
        self.assertAlmostEqual(c.loc["fewer_beds", "upper"], hi, places=4)
        q = self.res.comparisons(metrics="emergency_admissions", by="quintile")
        last = q[q.step == q.step.max()]
        whole = self.res.comparison_table(metrics="emergency_admissions")["mean"].iloc[0]
        self.assertAlmostEqual(last["mean"].sum(), whole, places=6)
        cause = self.res.comparisons(metrics="emergency_admissions", by="cause")
        last = cause[cause.step == cause.step.max()]
        self.assertAlmostEqual(last["mean"].sum(), whole, places=6)
        with self.assertRaises(ValueError):
            self.res.comparisons(by="age")

    def test_providers_and_ledgers(self):
        p = self.res.providers()
        self.assertIn("acute_trust", set(p["kind"]))
        fin = self.res.finance()
        self.assertTrue({"provider_ledger", "commissioner_ledger"} <= set(fin["kind"]))
        # Money is conserved: what commissioners pay is what providers receive.
        paid = fin[(fin.kind == "commissioner_ledger") & (fin.metric == "payments_gbp")]["value"].sum()
        got = fin[(fin.kind == "provider_ledger") & (fin.metric == "income_gbp")]["value"].sum()
        self.assertAlmostEqual(paid, got, delta=1e-6 * abs(paid) + 1)
        with self.assertRaisesRegex(KeyError, "no validation table"):
            self.res.validation()

    def test_errors_name_what_exists(self):
        with self.assertRaisesRegex(KeyError, "no scenario 'nope'.*baseline, fewer_beds"):
            self.res.timeseries("nope")
        with self.assertRaisesRegex(KeyError, "no metric 'admisions'"):
            self.res.timeseries(metrics="admisions")

    def test_old_reader_interface(self):
        sys.path.insert(0, os.path.join(SRC, "scripts"))
        import hscsim_results as hr
        old = hr.load(run_file())
        self.assertEqual(old.metric("baseline", "population").shape[0], 3)
        self.assertIn("time_years", old.frame("baseline").columns)


class CostEffectivenessTest(unittest.TestCase):
    def test_increments_are_the_discounted_paired_differences(self):
        res = hscsim.open(run_file())
        ce = res.cost_effectiveness(discount=0.035)
        self.assertEqual(len(ce), 3)  # one row per replicate of the one non-baseline scenario
        t = res.time_years("baseline")
        w = 1.035 ** -t
        for r in range(3):
            dc = ((res.metric("fewer_beds", "cost_total_gbp")[r] - res.metric("baseline", "cost_total_gbp")[r]) * w).sum()
            dq = ((res.metric("fewer_beds", "qalys")[r] - res.metric("baseline", "qalys")[r]) * w).sum()
            row = ce[ce.replicate == r].iloc[0]
            self.assertAlmostEqual(row["delta_cost"], dc, places=4)
            self.assertAlmostEqual(row["delta_effect"], dq, places=9)
        # No discounting: the plain totals.
        plain = res.cost_effectiveness(discount=0)
        tot = res.metric("fewer_beds", "cost_total_gbp").sum(axis=1) - res.metric("baseline", "cost_total_gbp").sum(axis=1)
        np.testing.assert_allclose(plain["delta_cost"], tot)
        # Acceptability: a share of replicates, in [0, 1], equal to the net-benefit count.
        ac = res.acceptability(thresholds=[0, 20000, 1e9])
        for lam in (0, 20000, 1e9):
            p = ac[ac.threshold_gbp == lam]["probability"].iloc[0]
            self.assertAlmostEqual(p, float(np.mean(lam * ce["delta_effect"] - ce["delta_cost"] > 0)))
        self.assertTrue(res.uncertainty().empty)  # no uncertainty: section in this config

    def test_parameter_draws_are_read_back(self):
        path = os.path.join(TMP, "psa.h5")
        cfg = os.path.join(TMP, "psa.yaml")
        with open(cfg, "w") as f:
            f.write(f"extends: {SRC}/configs/tests/tiny.yaml\nrun: {{replicates: 4}}\n"
                    "uncertainty:\n  design: sobol\n  parameters:\n"
                    "    - {key: unit_costs.gp_appointment_gbp, distribution: uniform, low: 20, high: 40}\n")
        subprocess.run([BIN, "run", cfg, "-o", path, "--quiet"], check=True)
        d = hscsim.open(path).uncertainty()
        self.assertEqual(list(d.columns), ["replicate", "unit_costs.gp_appointment_gbp"])
        self.assertEqual(len(d), 4)
        self.assertTrue(((d["unit_costs.gp_appointment_gbp"] > 20) & (d["unit_costs.gp_appointment_gbp"] < 40)).all())
        # A Sobol' design of 4 points puts one in each quarter of the range.
        self.assertEqual(sorted(((d["unit_costs.gp_appointment_gbp"] - 20) // 5).astype(int)), [0, 1, 2, 3])


class SummaryStoreTest(unittest.TestCase):
    def test_a_summary_file_holds_the_statistics_of_the_replicates(self):
        # The same run stored both ways: the summary's rows are the replicates' mean, sd
        # and quantiles (numpy's default interpolation), in every group, and the readers
        # name the rows.
        whole = run_file()
        path = os.path.join(TMP, "two_summary.h5")
        subprocess.run([BIN, "run", "--from", whole, "--set", "run.store=summary", "-o", path, "--quiet"], check=True)
        res, full = hscsim.open(path), hscsim.open(whole)
        self.assertEqual(res.store, "summary")
        self.assertEqual(res.summary_rows, ["mean", "sd", "q025", "q25", "median", "q75", "q975"])
        with h5py.File(whole, "r") as a, h5py.File(path, "r") as b:
            for group in ("timeseries/emergency_admissions", "by_quintile/bed_days", "by_age_sex/deaths",
                          "demography/population_by_quintile_age_sex", "by_cause/emergency_admissions",
                          "providers/acute_city_general/bed_days"):
                v, s = a["scenarios/fewer_beds/" + group][()], b["scenarios/fewer_beds/" + group][()]
                self.assertEqual(s.shape, (7,) + v.shape[1:], group)
                want = np.concatenate([[v.mean(0)], [v.std(0, ddof=1)], np.quantile(v, [0.025, 0.25, 0.5, 0.75, 0.975], axis=0)])
                np.testing.assert_allclose(s, want, rtol=1e-12, atol=1e-12, err_msg=group)
            np.testing.assert_array_equal(a["comparisons/fewer_beds/bed_days/cumulative"][()],
                                          b["comparisons/fewer_beds/bed_days/cumulative"][()])
        t = res.timeseries(metrics="bed_days")
        self.assertEqual(sorted(t["statistic"].unique()), sorted(res.summary_rows))
        self.assertNotIn("replicate", t.columns)
        self.assertIn("statistic", res.providers().columns)
        flows = full.summary(metrics="bed_days")
        self.assertAlmostEqual(res.summary(metrics="bed_days")["mean"].iloc[0], flows["mean"].iloc[0], places=6)
        with self.assertRaisesRegex(ValueError, "run.store: summary"):
            res.cost_effectiveness()
        out = subprocess.run([os.path.join(SRC, "scripts", "report"), path, "-o", os.path.join(TMP, "s.html")],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn("keeps a summary over replicates", out.stderr)


    def test_a_file_without_provider_series_keeps_the_totals(self):
        # run.store_providers: false: no providers/, interventions/ or finance/ groups, the
        # same time series, and the report still made.
        whole = run_file()
        path = os.path.join(TMP, "two_no_providers.h5")
        subprocess.run([BIN, "run", "--from", whole, "--set", "run.store_providers=false", "-o", path, "--quiet"], check=True)
        with h5py.File(whole, "r") as a, h5py.File(path, "r") as b:
            self.assertIn("providers", a["scenarios/baseline"])
            for folder in ("providers", "interventions", "finance"):
                self.assertNotIn(folder, b["scenarios/baseline"])
            np.testing.assert_array_equal(a["scenarios/baseline/timeseries/cost_total_gbp"][()],
                                          b["scenarios/baseline/timeseries/cost_total_gbp"][()])
        self.assertTrue(hscsim.open(path).providers().empty)
        out = subprocess.run([os.path.join(SRC, "scripts", "report"), path, "-o", os.path.join(TMP, "np.html")],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)


class SensitivityTest(unittest.TestCase):
    def test_reads_indices_and_design(self):
        params = os.path.join(TMP, "sa.yaml")
        with open(params, "w") as f:
            f.write("trajectories: 3\nbootstrap_resamples: 50\nparameters:\n"
                    "  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}\n"
                    "  - {key: care.hospital.post_discharge_event_rr, lower: 3, upper: 7}\n"
                    "outputs:\n  - {metric: emergency_admissions}\n  - {metric: cost_primary_care_gbp}\n")
        path = os.path.join(TMP, "sa.h5")
        subprocess.run([BIN, "sensitivity", f"{SRC}/configs/tests/tiny.yaml", "--params", params, "--replicates", "1",
                         "-o", path, "--quiet"], check=True)
        sa = hscsim.open(path)
        self.assertIsInstance(sa, hscsim.Sensitivity)
        self.assertEqual(sa.method, "morris")
        d = sa.indices()
        mu_star = d[d["index"] == "mu_star"].set_index(["metric", "parameter"])["value"]
        self.assertEqual(mu_star[("emergency_admissions", "unit_costs.gp_appointment_gbp")], 0.0)  # a price: no admissions
        self.assertGreater(mu_star[("cost_primary_care_gbp", "unit_costs.gp_appointment_gbp")], 0)
        design = sa.design()
        self.assertEqual(len(design), 3 * 3)
        self.assertTrue(design["unit_costs.gp_appointment_gbp"].between(20, 40).all())
        fig = hscsim.plot_sensitivity(sa, "emergency_admissions (baseline)")
        self.assertIn("Morris", fig.axes[0].get_title())


class PlotsTest(unittest.TestCase):
    def test_each_plot_says_its_interval(self):
        res = hscsim.open(run_file())
        for fig in (hscsim.plot_timeseries(res, "emergency_admissions", capacity=40),
                    hscsim.plot_comparison(res, "cost_total_gbp"),
                    hscsim.plot_costs(res),
                    hscsim.plot_quintiles(res, "emergency_admissions")):
            texts = [t.get_text() for t in fig.texts]
            self.assertTrue(any("95% t-interval over replicates" in t for t in texts), texts)
            self.assertTrue(fig.axes[0].get_title())
            out = os.path.join(TMP, "plot.png")
            fig.savefig(out)
            self.assertGreater(os.path.getsize(out), 5000)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    a, rest = ap.parse_known_args()
    BIN = os.path.abspath(a.bin)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=1)
