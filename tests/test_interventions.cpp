// Interventions: targeting, capacity, uptake, effects, common random numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "helpers.hpp"
#include "model/sim/comparison.hpp"
#include "model/sim/world.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
// A place with capacity that never binds, so people interact only if a test wants them to.
std::vector<std::string> roomy(std::vector<std::string> extra = {}) {
  std::vector<std::string> s = {"population.size=4000", "time.years=3", "run.replicates=1",
                                "acute_trusts.0.general_acute_beds=5000", "acute_trusts.0.elective_admissions_per_week=5000",
                                "local_authorities.0.home_care_hours_per_week=100000",
                                "local_authorities.0.reablement_places=5000", "local_authorities.0.care_home_places=5000"};
  for (int p = 0; p < 4; ++p) s.push_back(fmt::format("gp_practices.{}.appointments_per_week=100000", p));
  s.insert(s.end(), extra.begin(), extra.end());
  return s;
}

const char* kFalls =
    "{delivered_by: gp, start_year: 2025, eligible: {age_min_years: 65}, capacity_per_year: 100000, uptake: 1, "
    "adherence: 1, effects: [{target: 'event:fall', multiplier: MULT}]}";

std::string falls(double m) {
  std::string s = kFalls;
  s.replace(s.find("MULT"), 4, fmt::format("{}", m));
  return "interventions.falls=" + s;
}

RunResult run(const config::Node& root, int threads = 2) { return run_experiment(Experiment::from_config(root, "t"), threads); }

}  // namespace

TEST_CASE("an intervention that targets nobody changes nothing") {
  auto base = run(default_config(roomy()));
  auto none = run(default_config(roomy(
      {"interventions.empty={delivered_by: gp, start_year: 2025, eligible: {ids: [999999999]}, capacity_per_year: 1000, "
       "effects: [{target: death, multiplier: 0.1}], cost: {per_enrolment_gbp: 100}}"})));
  CHECK(base.scenarios[0].steps == none.scenarios[0].steps);
}

TEST_CASE("an intervention for one person changes no one else's health") {
  // Person 17 (an id in the initial population) gets a very strong effect on the onset of
  // every condition; with capacity that never binds, nobody else may differ in anything.
  std::string effects;
  for (const char* c : {"copd", "asthma", "hypertension", "diabetes", "chd", "heart_failure", "msk_pain", "common_mental_disorder", "dementia"})
    effects += fmt::format("{{target: 'onset:{}', multiplier: 50}},", c);
  effects.pop_back();
  auto base_root = default_config(roomy());
  auto one_root = default_config(roomy({"interventions.one={delivered_by: gp, start_year: 2025, eligible: {ids: [17], "
                                        "age_min_years: 0}, capacity_per_year: 100, effects: [" + effects + "]}"}));
  Params bp = Params::read(base_root), op = Params::read(one_root);
  World a(bp, 0), b(op, 0);
  for (uint32_t s = 0; s < 52; ++s) {
    a.step(s);
    b.step(s);
  }
  const People& pa = a.people();
  const People& pb = b.people();
  REQUIRE(pa.size() == pb.size());
  size_t differ = 0, target = pa.size();
  for (size_t i = 0; i < pa.size(); ++i) {
    REQUIRE(pa.id[i] == pb.id[i]);
    const bool same = pa.states[i] == pb.states[i] && pa.vital[i] == pb.vital[i] && pa.frailty[i] == pb.frailty[i] &&
                      pa.admit_day[i] == pb.admit_day[i] && pa.last_discharge_day[i] == pb.last_discharge_day[i];
    if (pa.id[i] == 17) target = i;
    else differ += !same;
  }
  CHECK(differ == 0);
  REQUIRE(target < pa.size());
  CHECK(pb.programmes[target] == 1u);
  CHECK(__builtin_popcount(pb.states[target]) >= __builtin_popcount(pa.states[target]));
}

TEST_CASE("a stronger effect gives fewer events, paired by replicate") {
  // Falls among the over-65s: multiplier 0.9 vs 0.3. Falls reach A&E and admissions.
  auto r = run(default_config(roomy({falls(0.9)})));
  auto s = run(default_config(roomy({falls(0.3)})));
  auto none = run(default_config(roomy()));
  const auto ae_none = total(none, CareCounter::AeAttendances), ae_weak = total(r, CareCounter::AeAttendances),
             ae_strong = total(s, CareCounter::AeAttendances);
  INFO(ae_none << " " << ae_weak << " " << ae_strong);
  CHECK(ae_weak < ae_none);
  CHECK(ae_strong < ae_weak);
}

TEST_CASE("enrolment respects capacity, and uptake comes out as configured") {
  // Capacity 520 a year over 3 years: 1,560 places; uptake 0.4 of those offered.
  auto r = run(default_config(roomy({"interventions.p={delivered_by: gp, start_year: 2025, eligible: {age_min_years: 18}, "
                                     "capacity_per_year: 520, uptake: 0.4, effects: [{target: death, multiplier: 1}]}"})));
  const auto groups = published_groups(Params::read(default_config(roomy({"interventions.p={delivered_by: gp, start_year: "
                                                                          "2025, capacity_per_year: 1, effects: []}"}))));
  auto it = std::find_if(groups.begin(), groups.end(), [](const ProviderGroup& x) { return x.kind == "intervention"; });
  REQUIRE(it != groups.end());
  const auto& g = *it;
  int64_t offers = 0, enrolments = 0;
  int64_t max_per_step = 0;
  for (const auto& step : r.scenarios[0].providers[0]) {
    offers += step[g.offset + static_cast<size_t>(ProgrammeCounter::Offers)];
    enrolments += step[g.offset + static_cast<size_t>(ProgrammeCounter::Enrolments)];
    max_per_step = std::max(max_per_step, step[g.offset + static_cast<size_t>(ProgrammeCounter::Enrolments)]);
  }
  // Exactly the capacity: fractions carried between weeks (157 weekly steps in 3 years).
  const Clock& clock = Params::read(default_config(roomy())).clock;
  CHECK(enrolments == static_cast<int64_t>(std::floor(520.0 * clock.steps * 7 / kDaysPerYear + 1e-9)));
  CHECK(max_per_step <= 11);
  const double p = static_cast<double>(enrolments) / static_cast<double>(offers);
  const double se = std::sqrt(0.4 * 0.6 / static_cast<double>(offers));
  CHECK(std::abs(p - 0.4) < 4 * se);
  CHECK(total(r, InterventionCounter::InterventionEnrolments) == enrolments);
}

TEST_CASE("a programme outside its dates enrols nobody and its effects end with it") {
  auto r = run(default_config(roomy({"interventions.p={delivered_by: gp, start_year: 2026, end_year: 2027, "
                                     "eligible: {age_min_years: 18}, capacity_per_year: 520, "
                                     "effects: [{target: death, multiplier: 0.5}], cost: {per_member_per_year_gbp: 100}}"})));
  const auto& steps = r.scenarios[0].steps[0];
  const Clock& clock = Params::read(default_config(roomy())).clock;
  int64_t before = 0, during = 0, after = 0, weeks = 0;
  for (uint32_t s = 0; s < steps.size(); ++s) {
    const auto n = steps[s].get(InterventionCounter::InterventionEnrolments);
    const double year = 2025 + clock.day_at_start(s) / kDaysPerYear;
    (year < 2026 ? before : year < 2027 ? during : after) += n;
    weeks += year >= 2026 && year < 2027;
  }
  CHECK(before == 0);
  CHECK(during == static_cast<int64_t>(std::floor(520.0 * weeks * 7 / kDaysPerYear + 1e-9)));
  CHECK(after == 0);
  CHECK(steps.back().get(InterventionCounter::InterventionMembers) == 0);
  CHECK(steps.back().get(InterventionCounter::CostInterventionsPence) == 0);
}

TEST_CASE("risk-score targeting enrols the highest-risk people") {
  auto root = default_config(roomy({"interventions.cm={delivered_by: gp, start_year: 2025, eligible: {risk_top_percent: 2}, "
                                    "capacity_per_year: 5000, effects: [{target: admission, multiplier: 1}]}"}));
  config::Node rs = config::load(source_path("configs/interventions/risk_score.yaml"));
  config::merge(root, rs);
  Params p = Params::read(root);
  World w(p, 0);
  for (uint32_t s = 0; s < 4; ++s) w.step(s);
  const People& people = w.people();
  double age_members = 0, age_all = 0;
  int members = 0, all = 0;
  for (size_t i = 0; i < people.size(); ++i) {
    if (!people.alive(i)) continue;
    const int a = people.age_years(i, 28);
    age_all += a;
    ++all;
    if (people.programmes[i]) {
      age_members += a;
      ++members;
    }
  }
  // About 2% of people are in the top 2% (no capacity limit); they are much older.
  CHECK(members > all / 100);
  CHECK(members < all * 3 / 100);
  CHECK(age_members / members > age_all / all + 20);
}

TEST_CASE("interventions are bit-identical at 1, 2 and 4 threads") {
  auto root = default_config({"population.size=3000", "time.years=2", "run.replicates=1",
                              "interventions.f=" + std::string(kFalls).replace(std::string(kFalls).find("MULT"), 4, "0.5"),
                              "interventions.f.capacity_per_year=200"});
  auto r1 = run(root, 1), r2 = run(root, 2), r4 = run(root, 4);
  CHECK(r1.scenarios[0].steps == r2.scenarios[0].steps);
  CHECK(r1.scenarios[0].steps == r4.scenarios[0].steps);
  CHECK(r1.scenarios[0].providers == r4.scenarios[0].providers);
  CHECK(total(r1, InterventionCounter::InterventionEnrolments) > 0);
}

TEST_CASE("every file in the intervention library validates and enrols people") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(source_path("configs/interventions"))) {
    if (entry.path().extension() != ".yaml" || entry.path().filename() == "risk_score.yaml") continue;
    INFO(entry.path().string());
    auto root = default_config({"population.size=3000", "time.years=2", "run.replicates=1"});
    config::merge(root, config::load(entry.path().string()));
    Params p = Params::read(root);
    REQUIRE(!p.interventions.list.empty());
    auto r = run(root);
    const bool place_level = p.interventions.list[0].capacity_per_year == 0;
    if (!place_level) CHECK(total(r, InterventionCounter::InterventionEnrolments) > 0);
    CHECK(total(r, InterventionCounter::CostInterventionsPence) > 0);
    ++files;
  }
  CHECK(files == 12);
}

TEST_CASE("intervention config errors are clear") {
  auto msg = config_error([] {
    Params::read(default_config({"interventions.x={delivered_by: gp, start_year: 2026, effects: [{target: 'event:fal', multiplier: 0.8}]}"}));
  });
  CHECK(msg.find("interventions.x.effects[0].target: unknown target 'event:fal'; did you mean 'event:fall'?") != std::string::npos);
  msg = config_error([] {
    Params::read(default_config({"interventions.x={delivered_by: third_sector, service: social_prescribin, start_year: 2026, effects: []}"}));
  });
  CHECK(msg.find("no third-sector service named 'social_prescribin'; did you mean 'social_prescribing'?") != std::string::npos);
  msg = config_error([] {
    Params::read(default_config({"interventions.x={delivered_by: gp, start_year: 2026, eligible: {all: [copdd]}, effects: []}"}));
  });
  CHECK(msg.find("unknown risk factor 'copdd'; did you mean 'copd'?") != std::string::npos);
  msg = config_error([] {
    Params::read(default_config({"interventions.x={delivered_by: gp, start_year: 2026, effects: [{target: death, "
                                 "multiplier: {distribution: triangular, low: 0.9, mode: 0.8, high: 1}}]}"}));
  });
  CHECK(msg.find("needs low <= mode <= high") != std::string::npos);
}
