// Parameter uncertainty (`uncertainty:`): each replicate runs exactly as if its draws had
// been set in the config, every scenario of a replicate gets the same draws, the draws
// follow their distributions, and mistakes are refused with where they are.
#include <catch2/catch.hpp>

#include <cmath>

#include <fmt/format.h>

#include "helpers.hpp"
#include "model/sim/experiment.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
const char* kUncertainty = R"(
uncertainty:
  design: lhs
  parameters:
    - {key: care.hospital.post_discharge_event_rr, distribution: lognormal, mean: 5, sd: 1.5, lower: 1, upper: 15}
    - {key: unit_costs.excess_bed_day_gbp, distribution: gamma, mean: 562, sd: 56}
    - {key: interventions.falls_prevention_exercise.uptake, distribution: beta, mean: 0.5, sd: 0.1}
scenarios:
  - {name: falls, include: )";

// The default config (small, cold start) with the uncertainty above and a scenario that
// adds the falls programme (its include resolved by loading a file).
config::Node with_uncertainty(const std::vector<std::string>& sets) {
  const std::string text = "extends: " + source_path("configs/default.yaml") + "\n" + kUncertainty +
                           source_path("configs/interventions/falls_prevention.yaml") + "}\n";
  config::Node root = config::load(write_temp("uncertainty-test.yaml", text));
  config::apply_override(root, "time.burn_in_years=0");
  for (const auto& s : sets) config::apply_override(root, s);
  return root;
}
}  // namespace

TEST_CASE("uncertainty: each replicate runs exactly as if its draws were set in the config, in every scenario") {
  const config::Node root = with_uncertainty({"population.size=2000", "time.years=1", "run.replicates=3"});
  const Experiment e = Experiment::from_config(root, "psa");
  REQUIRE(e.uncertainty.samples.size() == 3);
  REQUIRE(e.uncertainty.samples[0].size() == 3);
  const RunResult r = run_experiment(e, 2);
  for (uint32_t rep = 0; rep < 3; ++rep) {
    // The same replicate, without uncertainty, with the draws set by hand.
    config::Node fixed = with_uncertainty({"population.size=2000", "time.years=1", "run.replicates=3"});
    std::erase_if(fixed.map, [](const config::Entry& x) { return x.key == "uncertainty"; });
    const auto& s = e.uncertainty.samples[rep];
    config::apply_override(fixed, fmt::format("care.hospital.post_discharge_event_rr={:.17g}", s[0]));
    config::apply_override(fixed, fmt::format("unit_costs.excess_bed_day_gbp={:.17g}", s[1]));
    config::apply_override(fixed, fmt::format("scenarios.0.set={{interventions.falls_prevention_exercise.uptake: {:.17g}}}", s[2]));
    const Experiment f = Experiment::from_config(fixed, "fixed");
    const RunResult rf = run_experiment(f, 2);
    for (size_t k = 0; k < 2; ++k) {
      INFO("replicate " << rep << ", scenario " << k);
      const auto a = r.scenarios[k].steps[rep], b = rf.scenarios[k].steps[rep];
      REQUIRE(a.size() == b.size());
      bool same = true;
      for (size_t t = 0; t < a.size(); ++t) same = same && a[t].v == b[t].v;
      CHECK(same);
    }
  }
  // Replicates differ in their draws (not only in chance).
  CHECK(e.uncertainty.samples[0][0] != e.uncertainty.samples[1][0]);
}

TEST_CASE("uncertainty: the draws follow their distributions, Latin hypercube or Sobol'") {
  for (const char* design : {"lhs", "sobol"}) {
    INFO(design);
    config::Node root = with_uncertainty({"population.size=500", "time.years=1", "run.replicates=256"});
    config::apply_override(root, std::string("uncertainty.design=") + design);
    const Uncertainty u = Uncertainty::read(root, 7, 256);
    double m0 = 0, m1 = 0, m2 = 0, s2 = 0;
    for (const auto& row : u.samples) {
      m0 += row[0] / 256;
      m1 += row[1] / 256;
      m2 += row[2] / 256;
      CHECK(row[0] >= 1);
      CHECK(row[0] <= 15);
      CHECK(row[2] > 0);
      CHECK(row[2] < 1);
    }
    for (const auto& row : u.samples) s2 += (row[2] - m2) * (row[2] - m2) / 255;
    CHECK(m0 == Approx(5).epsilon(0.02));
    CHECK(m1 == Approx(562).epsilon(0.01));
    CHECK(m2 == Approx(0.5).epsilon(0.01));
    CHECK(std::sqrt(s2) == Approx(0.1).epsilon(0.05));
  }
}

TEST_CASE("uncertainty: a key nobody states, a scenario setting an uncertain key, and draws a key refuses are errors") {
  const std::vector<std::string> small = {"population.size=500", "time.years=1", "run.replicates=4"};
  config::Node missing = with_uncertainty(small);
  config::apply_override(missing, "uncertainty.parameters.0.key=care.hospital.post_discharge_event_r");
  CHECK_THAT(config_error([&] { Experiment::from_config(missing, "psa"); }),
             Catch::Contains("--set uncertainty.parameters.0.key") && Catch::Contains("is not a key of the config"));

  config::Node set = with_uncertainty(small);
  config::apply_override(set, "scenarios.0.set={unit_costs.excess_bed_day_gbp: 600}");
  CHECK_THAT(config_error([&] { Experiment::from_config(set, "psa"); }), Catch::Contains("is uncertain"));

  config::Node negative = with_uncertainty(small);
  config::apply_override(negative, "uncertainty.parameters.1={key: unit_costs.excess_bed_day_gbp, distribution: normal, mean: 0, sd: 100}");
  CHECK_THAT(config_error([&] { Experiment::from_config(negative, "psa"); }),
             Catch::Contains("uncertainty: replicate") && Catch::Contains("unit_costs.excess_bed_day_gbp=-"));

  config::Node beta = with_uncertainty(small);
  config::apply_override(beta, "uncertainty.parameters.2.sd=0.6");
  CHECK_THAT(config_error([&] { Experiment::from_config(beta, "psa"); }), Catch::Contains("needs sd below"));

  config::Node kind = with_uncertainty(small);
  config::apply_override(kind, "uncertainty.parameters.2.distribution=betta");
  CHECK_THAT(config_error([&] { Experiment::from_config(kind, "psa"); }), Catch::Contains("beta"));
}
