// Scenarios and paired comparisons with common random numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "helpers.hpp"
#include "model/core/stats.hpp"
#include "model/sim/comparison.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
std::string with_scenarios(const std::string& name, const std::string& yaml) {
  return write_temp(name, "extends: " + source_path("configs/tests/tiny.yaml") + "\n" + yaml);
}
}  // namespace

TEST_CASE("a scenario that changes nothing gives bit-identical results and zero differences") {
  auto path = with_scenarios("same.yaml",
                             "scenarios:\n  - name: copy\n    description: the same thing\n"
                             "    set: {description: only words change}\n");
  auto e = Experiment::from_config(config::load(path), "same");
  REQUIRE(e.scenarios.size() == 2);
  CHECK(e.scenarios[0].name == "baseline");
  auto r = run_experiment(e, 2);
  CHECK(r.scenarios[0].steps == r.scenarios[1].steps);
  const auto comps = compare(r);
  for (const auto& m : comps[0].metrics) {
    INFO(m.metric);
    CHECK(m.cumulative.mean.back() == 0.0);
    CHECK(m.cumulative.upper.back() == 0.0);
  }
}

TEST_CASE("a scenario shares random numbers with the baseline (common random numbers)") {
  // Only social care capacity differs: the initial population and everything drawn before
  // capacity binds are identical, so the first step's demography is the same.
  auto path = with_scenarios("crn.yaml",
                             "scenarios:\n  - name: baseline\n  - name: more_care\n"
                             "    set: {local_authorities.0.care_home_places: 900}\n");
  auto r = run_experiment(Experiment::from_config(config::load(path), "crn"), 2);
  REQUIRE(r.scenarios.size() == 2);
  CHECK(r.scenarios[0].initial == r.scenarios[1].initial);
  CHECK(r.scenarios[0].steps[0][0].get(PeopleCounter::Deaths) == r.scenarios[1].steps[0][0].get(PeopleCounter::Deaths));
  CHECK(r.scenarios[0].steps[0][0].get(DemographyCounter::Births) == r.scenarios[1].steps[0][0].get(DemographyCounter::Births));
}

TEST_CASE("a lever scenario moves the outcome, with an interval that excludes zero") {
  auto path = with_scenarios("lever.yaml",
                             "run: {replicates: 4}\n"
                             "population: {size: 6000}\n"
                             "scenarios:\n  - name: fewer_gp\n    set:\n"
                             "      gp_practices.0.appointments_per_week: 10\n"
                             "      gp_practices.1.appointments_per_week: 10\n"
                             "      gp_practices.2.appointments_per_week: 10\n"
                             "      gp_practices.3.appointments_per_week: 10\n");
  auto r = run_experiment(Experiment::from_config(config::load(path), "lever"), 2);
  const auto comps = compare(r);
  REQUIRE(comps.size() == 1);
  for (const auto& m : comps[0].metrics)
    if (m.metric == "gp_unmet_demand") CHECK(m.cumulative.lower.back() > 0);
    else if (m.metric == "gp_appointments") CHECK(m.cumulative.upper.back() < 0);
}

TEST_CASE("scenario errors point at the override") {
  auto bad = with_scenarios("badset.yaml", "scenarios:\n  - name: x\n    set: {care.gp.max_wait_days: -3}\n");
  CHECK(config_error([&] { Experiment::from_config(config::load(bad), "x"); }) ==
        bad + ":4:34: error: care.gp.max_wait_days: -3 is out of range; expected a number in [0, 3650]");
  auto time = with_scenarios("badtime.yaml", "scenarios:\n  - name: x\n    set: {time.years: 3}\n");
  CHECK(config_error([&] { Experiment::from_config(config::load(time), "x"); }) ==
        time + ":4:23: error: scenarios[0].set.time.years: run and time settings are shared by all scenarios "
               "(replicates and steps are paired)");
  auto name = with_scenarios("badname.yaml", "scenarios:\n  - name: Big Name\n");
  CHECK(config_error([&] { Experiment::from_config(config::load(name), "x"); }) ==
        name + ":3:11: error: scenarios[0].name: 'Big Name' is not accepted; a scenario name is 1 to 64 of a-z, 0-9 and _");
  auto key = with_scenarios("badkey.yaml", "scenarios:\n  - name: x\n    sett: {}\n");
  CHECK(config_error([&] { Experiment::from_config(config::load(key), "x"); }).find("unknown key 'sett'; did you mean 'set'?") !=
        std::string::npos);
}

TEST_CASE("the shipped scenario files validate") {
  for (const char* f : {"configs/scenarios/social_care_capacity.yaml"}) {
    INFO(f);
    auto e = Experiment::from_config(config::load(source_path(f)), "s");
    CHECK(e.scenarios.size() >= 2);
  }
}

TEST_CASE("t quantiles") {
  CHECK(t975(1) == Approx(12.706));
  CHECK(t975(30) == Approx(2.042));
  CHECK(t975(40) == Approx(2.021).epsilon(1e-3));
  CHECK(t975(1000) == Approx(1.962).epsilon(1e-3));
  CHECK(std::isnan(t975(0)));
}

TEST_CASE("wellbeing: a deprivation gradient, and less loneliness raises it (paired)") {
  auto path = with_scenarios("wb.yaml",
                             "run: {replicates: 3}\npopulation: {size: 6000}\n"
                             "scenarios:\n  - name: less_lonely\n    set:\n"
                             "      determinants.lonely.onset_per_year: 0.005\n");
  auto r = run_experiment(Experiment::from_config(config::load(path), "wb"), 2);
  const auto& defs = metric_definitions();
  const MetricDef* wb = nullptr;
  for (const auto& m : defs)
    if (m.name == "wellbeing_mean") wb = &m;
  REQUIRE(wb);
  const Tally last = r.scenarios[0].steps[0].back();  // a copy: steps[0] is decoded into a temporary
  CHECK(wb->value(last, 1) < wb->value(last, 5));  // most deprived below least deprived
  CHECK(wb->value(last, 0) > 6.5);
  CHECK(wb->value(last, 0) < 8.5);
  const auto comps = compare(r);
  for (const auto& m : comps[0].metrics) {
    if (m.metric == "wellbeing_mean") CHECK(m.per_step.lower.back() > 0);
    if (m.metric == "qalys") CHECK(m.cumulative.mean.back() > 0);
  }
}

// Issue 16: who gains and which admissions fell. The breakdowns of a paired difference
// add up to the whole: by deprivation quintile, by cause, and money (what the payers pay
// more is what the providers and the investor receive more; a margin moves by income
// minus cost).
TEST_CASE("comparisons by quintile, by cause and by ledger add up to the whole") {
  auto root = default_config({"population.size=5000", "time.years=2", "run.replicates=3",
                              "scenarios=[{name: baseline}, {name: fewer_beds, set: {acute_trusts.0.general_acute_beds_per_100000: 150, "
                              "finance.contracts.acute: {type: block, gbp_per_person_per_year: 880}}}]"});
  const auto e = Experiment::from_config(root, "who");
  const auto r = run_experiment(e, 2);
  const auto comps = compare(r, &e);
  REQUIRE(comps.size() == 1);
  const auto& c = comps[0];
  const auto& defs = metric_definitions();
  size_t checked = 0;
  for (size_t k = 0; k < defs.size(); ++k) {
    const auto& m = c.metrics[k];
    if (!defs[k].by_quintile) {
      CHECK(m.quintile_cumulative.empty());
      continue;
    }
    REQUIRE(m.quintile_cumulative.size() == 5);
    if (defs[k].kind != "flow") continue;  // ratios and means do not add up across quintiles
    INFO(defs[k].name);
    double sum = 0;
    for (const auto& q : m.quintile_cumulative) sum += q.mean.back();
    CHECK(sum == Approx(m.cumulative.mean.back()).margin(1e-6 * (1 + std::fabs(m.cumulative.mean.back()))));
    ++checked;
  }
  CHECK(checked >= 10);
  // By cause: the emergency admissions of every health event add up to all of them.
  REQUIRE(c.causes.size() == kCauseRows);
  REQUIRE(c.causes[0].row == "emergency_admissions");
  double by_cause = 0;
  for (const auto& x : c.causes[0].cumulative) by_cause += x.mean.back();
  for (size_t k = 0; k < defs.size(); ++k)
    if (defs[k].name == "emergency_admissions") {
      CHECK(by_cause == Approx(c.metrics[k].cumulative.mean.back()));
      CHECK(c.metrics[k].cumulative.mean.back() != 0);  // fewer beds change admissions
    }
  // Money.
  double pays = 0, receives = 0;
  std::map<std::string, std::map<std::string, double>> by_group;
  for (const auto& l : c.ledgers) {
    by_group[l.group][l.metric] = l.cumulative.mean.back();
    if (l.kind == "commissioner_ledger" && l.metric == "payments_gbp") pays += l.cumulative.mean.back();
    if (l.kind == "investor_ledger" && l.metric == "invested_gbp") pays += l.cumulative.mean.back();
    if (l.kind == "provider_ledger" && l.metric == "income_gbp") receives += l.cumulative.mean.back();
    if (l.kind == "investor_ledger" && l.metric == "received_gbp") receives += l.cumulative.mean.back();
  }
  REQUIRE(by_group.count("acute_city_general"));
  CHECK(pays == Approx(receives));
  for (const auto& [id, m] : by_group)
    if (m.count("margin_gbp")) CHECK(m.at("margin_gbp") == Approx(m.at("income_gbp") - m.at("cost_gbp")).margin(1e-3));
  CHECK(by_group["acute_city_general"]["income_gbp"] != 0);
}
