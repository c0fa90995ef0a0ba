// A shared warm start (time.burn_in_years): simulated once per replicate with the
// baseline's parameters, then every scenario continues from it. Nothing from burn-in is
// reported; hospitals, waits and packages start the reported period in their running
// state; an unchanged scenario is the baseline bit for bit, and a scenario's outputs
// before its first change are the baseline's.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "model/sim/world.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
std::string yaml(int burn_in, const std::string& more = "") {
  return "extends: " + source_path("configs/default.yaml") + "\n" +
         "run: {replicates: 2}\ntime: {years: 2, burn_in_years: " + std::to_string(burn_in) +
         "}\npopulation: {size: 10000}\n" + more;
}
RunResult run_yaml(const std::string& name, const std::string& text, int threads = 2) {
  return run_experiment(Experiment::from_config(config::load(write_temp(name, text)), name), threads);
}
size_t index_of(const RunResult& r, const std::string& name) {
  for (size_t k = 0; k < r.scenarios.size(); ++k)
    if (r.scenarios[k].name == name) return k;
  FAIL("no scenario " << name);
  return 0;
}
// A falls programme from 2026 (the run starts in 2025).
const std::string kScenarios =
    "scenarios:\n"
    "  - name: unchanged\n"
    "  - name: falls_from_2026\n"
    "    set:\n"
    "      interventions.falls: {delivered_by: gp, start_year: 2026, eligible: {age_min_years: 65}, capacity_per_year: 500,\n"
    "                            effects: [{target: 'event:fall', multiplier: 0.5}], cost: {per_enrolment_gbp: 100}}\n";
}  // namespace

TEST_CASE("burn-in: an unchanged scenario is the baseline bit for bit, and a later change leaves the steps before it alone") {
  const RunResult r = run_yaml("burn_in_scenarios.yaml", yaml(1, kScenarios));
  const size_t base = index_of(r, "baseline"), same = index_of(r, "unchanged"), falls = index_of(r, "falls_from_2026");
  CHECK(r.scenarios[same].steps == r.scenarios[base].steps);
  CHECK(r.scenarios[same].providers == r.scenarios[base].providers);
  for (size_t k : {same, falls})
    for (size_t rep = 0; rep < 2; ++rep) CHECK(r.scenarios[k].initial[rep] == r.scenarios[base].initial[rep]);
  // 2025 is the same step by step; 2026 differs (the programme works).
  const Clock clock = Params::read(default_config({"time.burn_in_years=1"})).clock;
  for (size_t rep = 0; rep < 2; ++rep) {
    const auto b = r.scenarios[base].steps[rep], f = r.scenarios[falls].steps[rep];
    size_t first_difference = b.size();
    for (size_t s = 0; s < b.size(); ++s)
      if (!(b[s] == f[s])) {
        first_difference = s;
        break;
      }
    CHECK(first_difference >= clock.steps_per_year);
    CHECK(first_difference < b.size());
  }
  CHECK(total(r, CareCounter::EmergencyAdmissions, falls) != total(r, CareCounter::EmergencyAdmissions, base));
}

TEST_CASE("burn-in: hospitals, intermediate care and delays start the reported period in their running state") {
  const RunResult cold = run_yaml("burn_in_cold.yaml", yaml(0)), warm = run_yaml("burn_in_warm.yaml", yaml(1));
  auto first_vs_rest = [](const RunResult& r, Counter c) {
    double first = 0, rest = 0, n = 0;
    for (const auto& rep : r.scenarios[0].steps) {
      first += static_cast<double>(rep[0].get(c));
      for (size_t s = 13; s < rep.size(); ++s, n += 1) rest += static_cast<double>(rep[s].get(c));
    }
    return first / static_cast<double>(r.scenarios[0].steps.size()) / (rest / n);
  };
  // Cold: the first week's bed days are well under the later weeks' (about half: the
  // elective list drawn at the start fills some beds at once); warm: within 20%.
  CHECK(first_vs_rest(cold, CareCounter::BedDays) < 0.6);
  CHECK(first_vs_rest(warm, CareCounter::BedDays) == Approx(1.0).margin(0.2));
  CHECK(first_vs_rest(cold, CareCounter::InIntermediateCare) < 0.2);
  CHECK(first_vs_rest(warm, CareCounter::InIntermediateCare) > 0.6);
  // The initial census is the handover's: people in hospital and in intermediate care.
  CHECK(cold.scenarios[0].initial[0].get(CareCounter::InHospital) == 0);
  CHECK(warm.scenarios[0].initial[0].get(CareCounter::InHospital) > 0);
  CHECK(warm.scenarios[0].initial[0].get(CareCounter::InIntermediateCare) > 0);
}

TEST_CASE("burn-in: results are bit-identical at 1, 2 and 4 threads") {
  const std::string text = yaml(1, kScenarios);
  const RunResult a = run_yaml("burn_in_threads.yaml", text, 1), b = run_yaml("burn_in_threads.yaml", text, 2),
                  c = run_yaml("burn_in_threads.yaml", text, 4);
  for (size_t k = 0; k < a.scenarios.size(); ++k) {
    CHECK(a.scenarios[k].steps == b.scenarios[k].steps);
    CHECK(a.scenarios[k].steps == c.scenarios[k].steps);
    CHECK(a.scenarios[k].providers == c.scenarios[k].providers);
  }
}

TEST_CASE("burn-in: a scenario may not change the people or the place it would continue") {
  const std::string e1 = config_error([] {
    Experiment::from_config(
        config::load(write_temp("burn_in_size.yaml", yaml(1, "scenarios:\n  - name: bigger\n    set: {population.size: 20000}\n"))),
        "x");
  });
  CHECK(e1.find("burn_in_size.yaml:6:") != std::string::npos);
  CHECK(e1.find("scenario 'bigger' changes population; with time.burn_in_years every scenario continues") != std::string::npos);
  // Capacities may change.
  CHECK_NOTHROW(Experiment::from_config(
      config::load(write_temp("burn_in_beds.yaml",
                              yaml(1, "scenarios:\n  - name: beds\n    set: {acute_trusts.0.general_acute_beds_per_100000: 150}\n"))),
      "x"));
  // Whole years only.
  CHECK(config_error([] { Params::read(default_config({"time.burn_in_years=0.5"})); }).find("time.burn_in_years") !=
        std::string::npos);
}
