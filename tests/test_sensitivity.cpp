// `hscsim sensitivity` on the model: levers move the outputs they act on and no others
// (a price changes costs, never admissions: common random numbers make that exact), the
// design's results do not depend on the thread count, and bad params files or design
// points that a key does not accept are refused before anything runs.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "model/io/sensitivity.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
SensitivitySpec spec_from(const std::string& text) {
  return SensitivitySpec::load(write_temp("sensitivity_params.yaml", text));
}
const char* kParams = R"(method: morris
trajectories: 3
bootstrap_resamples: 50
parameters:
  - {key: care.hospital.post_discharge_event_rr, lower: 2, upper: 8}
  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}
outputs:
  - {metric: emergency_admissions}
  - {metric: cost_primary_care_gbp}
)";
}  // namespace

TEST_CASE("sensitivity: a price moves costs and never admissions, a readmission risk moves admissions up") {
  const config::Node root = small_config({"population.size=10000", "time.years=1"});
  const Experiment e = Experiment::from_config(root, "small");
  SensitivitySpec spec = spec_from(kParams);
  prepare_sensitivity(spec, root, e);
  const SensitivityResult r = run_sensitivity(root, "small", spec, 2);
  REQUIRE(r.unit.size() == 3 * 3);
  REQUIRE(r.morris.size() == 2);
  const auto& admissions = r.morris[0];
  const auto& gp_cost = r.morris[1];
  CHECK(admissions.mu_star[1].value == 0.0);  // the price of an appointment: exactly no effect
  CHECK(admissions.mu[0] > 0);                // a higher risk after discharge: more admissions
  // Mostly up: the effects' spread (random numbers drift apart once one more person is
  // admitted) is below their mean.
  CHECK(admissions.mu[0] > 0.5 * admissions.mu_star[0].value);
  CHECK(gp_cost.mu[1] > 0);
  // The design's values span the ranges given.
  for (const auto& row : r.values) {
    CHECK(row[0] >= 2);
    CHECK(row[0] <= 8);
    CHECK(row[1] >= 20);
    CHECK(row[1] <= 40);
  }
  SECTION("the same results on one thread") {
    const SensitivityResult one = run_sensitivity(root, "small", spec, 1);
    CHECK(one.y == r.y);
  }
}

TEST_CASE("sensitivity: default outputs, and mistakes in the params file or the design refused with where they are") {
  const config::Node root = small_config({"population.size=1000", "time.years=1"});
  const Experiment e = Experiment::from_config(root, "small");
  SensitivitySpec spec = spec_from("parameters:\n  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}\n");
  prepare_sensitivity(spec, root, e);
  CHECK(spec.outputs.size() == 4);  // admissions, bed days, total cost, QALYs of the baseline
  CHECK(spec.outputs[3].metric == "qalys");

  SensitivitySpec missing = spec_from("parameters:\n  - {key: unit_costs.gp_appointmnt_gbp, lower: 20, upper: 40}\n");
  CHECK_THAT(config_error([&] { prepare_sensitivity(missing, root, e); }),
             Catch::Contains("sensitivity_params.yaml:2") && Catch::Contains("is not a key of the config"));
  SensitivitySpec metric = spec_from("parameters:\n  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}\n"
                                     "outputs:\n  - {metric: emergency_admission}\n");
  CHECK_THAT(config_error([&] { prepare_sensitivity(metric, root, e); }),
             Catch::Contains("sensitivity_params.yaml:4") && Catch::Contains("emergency_admissions"));
  SensitivitySpec scenario = spec_from("parameters:\n  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}\n"
                                       "outputs:\n  - {metric: qalys, scenario: integrated}\n");
  CHECK_THAT(config_error([&] { prepare_sensitivity(scenario, root, e); }), Catch::Contains("no scenario 'integrated'"));
  CHECK_THAT(config_error([&] { spec_from("method: morris\nlevels: 5\nparameters:\n  - {key: a, lower: 0, upper: 1}\n"); }),
             Catch::Contains(":2") && Catch::Contains("even"));
  CHECK_THAT(config_error([&] { spec_from("parameters:\n  - {key: a, lower: 1, upper: 0}\n"); }),
             Catch::Contains("must be above lower"));
  // A range the key does not accept (a negative price): refused naming the design point.
  SensitivitySpec negative = spec_from("trajectories: 2\nparameters:\n  - {key: unit_costs.gp_appointment_gbp, lower: -40, upper: -20}\n");
  prepare_sensitivity(negative, root, e);
  CHECK_THAT(config_error([&] { run_sensitivity(root, "small", negative, 1); }),
             Catch::Contains("design point 1 of 4") && Catch::Contains("unit_costs.gp_appointment_gbp"));
}
