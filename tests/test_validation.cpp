// Validation against published figures, and calibration (issue 5).
#include <catch2/catch.hpp>

#include <cmath>

#include "helpers.hpp"
#include "model/io/calibration.hpp"
#include "model/io/validation.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
config::Node england(const std::vector<std::string>& sets) {
  config::Node root = config::load(source_path("configs/england/baseline.yaml"));
  for (const auto& s : sets) config::apply_override(root, s);
  return root;
}
Clock one_year_of_weeks() {
  Clock clock;
  clock.step_days = 7;
  clock.dt_years = 7 / 365.25;
  clock.years = 1;
  clock.steps = 52;
  clock.steps_per_year = 52;
  return clock;
}
//! 52 weekly steps, each filled by `fill` (after its 7 days).
template <typename Fill>
std::vector<Tally> weekly_steps(Fill&& fill) {
  std::vector<Tally> steps(52);
  for (auto& t : steps) {
    t.add(PeopleCounter::StepDays, 0, 7);
    fill(t);
  }
  return steps;
}
const ValidationRow& row(const std::vector<ValidationRow>& rows, const std::string& name) {
  for (const auto& r : rows)
    if (r.target->name == name) return r;
  FAIL("no target " << name);
  return rows.front();
}
}  // namespace

TEST_CASE("life table: constant hazard m gives life expectancy 1/m, a known age pattern gives a known value",
          "[validation]") {
  for (double m : {0.0125, 0.02, 0.05}) {
    std::array<double, kAgeBands> d{}, py{};
    for (size_t b = 0; b < kAgeBands; ++b) {
      py[b] = 1e6;
      d[b] = m * 1e6;
    }
    // Chiang's q with a = n/2 is exact to O((nm)^3) for a constant hazard.
    CHECK(life_expectancy(d, py) == Approx(1 / m).epsilon(0.005));
    // ... and the same at 65: a constant hazard has no memory.
    CHECK(life_expectancy(d, py, 14) == Approx(1 / m).epsilon(0.005));
  }
  // No deaths at all in the open band: undefined, reported as NaN (not a number that looks real).
  std::array<double, kAgeBands> d{}, py{};
  py.fill(1);
  CHECK(std::isnan(life_expectancy(d, py)));
}

TEST_CASE("life expectancy by deprivation quintile, and the gap between quintiles 5 and 1", "[validation]") {
  // One year of weekly steps; in quintile 1 a constant hazard of 0.02 at every age, in
  // quintile 5 of 0.0125: life expectancies 50 and 80, a gap of 30 (within Chiang's error).
  const Clock clock = one_year_of_weeks();
  std::vector<Tally> steps(52);
  for (auto& t : steps) {
    t.add(PeopleCounter::StepDays, 0, 7);
    for (size_t b = 0; b < kAgeBands; ++b)
      for (uint8_t q : {uint8_t{1}, uint8_t{5}}) {
        const double m = q == 1 ? 0.02 : 0.0125;
        t.by_quintile_age[Tally::quintile_cell(0, q, 0, b)] = 1000000;
        t.by_quintile_age[Tally::quintile_cell(1, q, 0, b)] = std::llround(m * 1000000 * 7 / 365.25);
      }
  }
  Target t;
  t.compute = "life_expectancy";
  t.sex = 0;
  t.quintile = 1;
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(50).epsilon(0.01));
  t.quintile = 5;
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(80).epsilon(0.01));
  t.compute = "life_expectancy_gap";
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(30).epsilon(0.02));
}

TEST_CASE("a quintile ratio: a flow per person-year in one quintile over another's, or over everyone's", "[validation]") {
  // Quintile 1: 1,000 people with 10 attendances a week; quintile 5: 3,000 people with 15
  // (per person 0.01 and 0.005); the other quintiles none of either.
  const Clock clock = one_year_of_weeks();
  const auto steps = weekly_steps([](Tally& t) {
    t.add(PeopleCounter::Population, 1, 1000);
    t.add(PeopleCounter::Population, 5, 3000);
    t.add(CareCounter::AeAttendances, 1, 10);
    t.add(CareCounter::AeAttendances, 5, 15);
  });
  Target t;
  t.compute = "quintile_ratio";
  t.metrics = {"ae_attendances"};
  t.quintile = 1;
  t.relative_to = 5;
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(2.0));
  t.relative_to = 0;  // everyone: 25 attendances for 4,000 people
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(0.01 / (25.0 / 4000)));
  // A file: the metric must be a flow broken down by quintile, relative_to another quintile.
  auto err = [](const std::string& body) {
    const auto path = write_temp("targets.yaml", "targets:\n  - name: a\n    compute: quintile_ratio\n" + body +
                                                     "    description: d\n    value: 1\n    tolerance: 1\n    units: u\n    source: s\n");
    return config_error([&] { (void)TargetSet::load(path); });
  };
  CHECK(err("    metrics: [ae_attendances]\n    quintile: 1\n    relative_to: 5\n").empty());
  CHECK_THAT(err("    metrics: [acsc_admissions]\n    quintile: 1\n    relative_to: 5\n"),
             Catch::Contains("no breakdown by deprivation quintile"));
  CHECK_THAT(err("    metrics: [ae_attendances]\n    quintile: 1\n    relative_to: 1\n"), Catch::Contains("another quintile"));
  CHECK_THAT(err("    metrics: [ae_attendances]\n    quintile: 6\n    relative_to: 0\n"), Catch::Contains("quintile"));
  CHECK_THAT(err("    metrics: [ae_attendances]\n    relative_to: 0\n"), Catch::Contains("quintile"));
}

TEST_CASE("a rate per member of a stock a year: flows over the stock's years, and the file's checks", "[validation]") {
  // Weeks 0-25: 100 care-home residents, weeks 26-51: 300 (mean 200 over the year); 4
  // emergency admissions of residents a week: 208 a year over 99.67 resident-years
  // (7 days a week, 52 weeks, 365.25 days a year: 200 x 364 / 365.25).
  const Clock clock = one_year_of_weeks();
  std::vector<Tally> steps(52);
  for (size_t w = 0; w < steps.size(); ++w) {
    steps[w].add(PeopleCounter::StepDays, 0, 7);
    steps[w].add(CareCounter::CareHomeResidents, 1, w < 26 ? 100 : 300);
    steps[w].add(CareCounter::CareHomeEmergencyAdmissions, 1, 4);
  }
  Target t;
  t.compute = "per_stock_year";
  t.metrics = {"care_home_emergency_admissions"};
  t.denominator = {"care_home_residents"};
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(208.0 / (200.0 * 364 / 365.25)));
  // Not the ratio of the sums x 52: the stock is weighted by each step's years.
  steps[0].add(PeopleCounter::StepDays, 0, 7);  // a first step twice as long
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(208.0 / (200.0 * 364 / 365.25 + 100.0 * 7 / 365.25)));
  auto err = [](const std::string& body) {
    const auto path = write_temp("targets.yaml", "targets:\n  - name: a\n    compute: per_stock_year\n" + body +
                                                     "    description: d\n    value: 1\n    tolerance: 1\n    units: u\n    source: s\n");
    return config_error([&] { (void)TargetSet::load(path); });
  };
  CHECK(err("    metrics: [care_home_emergency_admissions]\n    denominator: [care_home_residents]\n").empty());
  CHECK_THAT(err("    metrics: [care_home_emergency_admissions]\n"), Catch::Contains("'denominator:' goes with"));
  CHECK_THAT(err("    metrics: [care_home_residents]\n    denominator: [care_home_residents]\n"),
             Catch::Contains("'care_home_residents' is a stock metric; per_stock_year needs flows in 'metrics:'"));
  CHECK_THAT(err("    metrics: [deaths]\n    denominator: [deaths]\n"),
             Catch::Contains("'deaths' is a flow metric; per_stock_year needs stocks in 'denominator:'"));
}

TEST_CASE("a rate by age band allows its Poisson sampling error at the target's rate", "[validation]") {
  // One year of weekly steps, 10,000 men aged 30-34: 9,965.8 person-years. At the target's
  // 1 per 1,000, the standard error of the rate is 1,000 x sqrt(0.001 / 9,965.8) = 0.3168.
  const Clock clock = one_year_of_weeks();
  const size_t band = 7;  // 30-34
  REQUIRE(kAgeBandFrom[band] == 30);
  auto run = [&](int deaths) {
    std::vector<Tally> steps(52);
    for (auto& t : steps) {
      t.add(PeopleCounter::StepDays, 0, 7);
      t.by_age_sex[Tally::cell(Counter(PeopleCounter::Population).age_sex, 0, band)] = 10000;
    }
    for (int d = 0; d < deaths; ++d) steps[static_cast<size_t>(d)].add(PeopleCounter::Deaths, 1, 0, 32);
    return steps;
  };
  Target t;
  t.compute = "per_1000_per_year";
  t.metrics = {"deaths"};
  t.by_age = true;
  t.from_age_years = 30;
  t.to_age_years = 35;
  t.sex = 0;
  t.value = 1.0;
  t.tolerance = 0.35;
  t.relative = true;
  const TargetValue none = evaluate_with_error(t, run(0), clock, 0, 1);
  CHECK(none.value == 0);
  CHECK(std::sqrt(none.variance) == Approx(1000 * std::sqrt(0.001 / (10000 * 364 / 365.25))).epsilon(1e-9));
  TargetSet set;
  set.targets = {t};
  ScenarioResult r;
  auto pass_with = [&](int deaths) {
    r.steps.resize(1);
    r.steps.store(0, run(deaths));
    return validate(set, r, clock).front().pass;
  };
  CHECK_FALSE(pass_with(0));  // 1.0 away: more than 0.35 + 2 x 0.317
  CHECK(pass_with(1));        // 0.90 away: within
  CHECK(pass_with(2));
}

TEST_CASE("validate on a small England config gives a plausible table computed from output", "[validation]") {
  // Enough people that every age band has deaths in the year measured (life tables): at
  // 1:3,000 (since care-home residents die sooner) one replicate-year had no deaths among
  // the oldest men of a quintile, and a life expectancy is undefined then.
  const auto root = england({"place.one_in=2000", "time.years=2", "run.replicates=2", "time.burn_in_years=0"});
  const Experiment e = Experiment::from_config(root, "england");
  CHECK(e.scenarios.front().params.population.size == 28245);  // 56,490,048 / 2,000, rounded
  TargetSet targets = TargetSet::load(source_path("configs/england/targets.yaml"));
  targets.to_year = 2;
  targets.check(e.scenarios.front().params.clock);
  const RunResult r = run_experiment(e, 2);
  const auto rows = validate(targets, r.scenarios.front(), e.scenarios.front().params.clock);
  REQUIRE(rows.size() == targets.targets.size());
  for (const auto& x : rows) {
    INFO(x.target->name);
    CHECK(std::isfinite(x.mean));
    CHECK(x.replicates.size() == 2);
    CHECK(x.lower <= x.mean);
    CHECK(x.upper >= x.mean);
  }
  // Age shares cover everyone.
  const double shares = row(rows, "population_share_0_14").mean + row(rows, "population_share_15_64").mean +
                        row(rows, "population_share_65_84").mean + row(rows, "population_share_85_plus").mean;
  CHECK(shares == Approx(1.0).epsilon(1e-12));
  CHECK(row(rows, "population_share_65_84").mean == Approx(0.16).margin(0.04));
  CHECK(row(rows, "life_expectancy_male").mean > 65);
  CHECK(row(rows, "life_expectancy_male").mean < 90);
  CHECK(row(rows, "life_expectancy_female").mean > row(rows, "life_expectancy_male").mean - 3);
  CHECK(row(rows, "gp_appointments_per_person").mean == Approx(5.5).margin(2));
  CHECK(row(rows, "ae_attendances_per_1000").mean == Approx(440).margin(200));
  CHECK(row(rows, "emergency_admissions_per_1000").mean == Approx(110).margin(60));
  CHECK(row(rows, "readmission_rate_30d").mean > 0.02);
  CHECK(row(rows, "readmission_rate_30d").mean < 0.4);
  CHECK(row(rows, "emergency_mean_length_of_stay").mean == Approx(6).margin(4));
  CHECK(row(rows, "recorded_prevalence_diabetes").mean == Approx(0.065).margin(0.04));
  CHECK(row(rows, "acute_spend_per_head").mean == Approx(900).margin(500));

  // Derived from output, not inputs: the per-1,000 rate equals the counter over person-years.
  const auto steps = r.scenarios.front().steps[0];
  const auto& clock0 = e.scenarios.front().params.clock;
  double adm = 0, py = 0;
  for (size_t s = 52; s < 104; ++s) {  // the window: year 1 to 2
    adm += static_cast<double>(steps[s].get(CareCounter::EmergencyAdmissions));
    py += static_cast<double>(steps[s].get(PeopleCounter::Population)) * steps[s].get(PeopleCounter::StepDays) / 365.25;
  }
  Target crude = *row(rows, "emergency_admissions_per_1000").target;
  crude.by_age = crude.standardise = false;
  CHECK(evaluate(crude, steps, clock0, 1, 2) == Approx(1000 * adm / py).epsilon(1e-12));
  // Age-standardised (the shipped target): each cell's rate at the first year's person-years.
  {
    std::array<std::array<double, kAgeBands>, 2> a{}, p{}, w{};
    for (size_t s = 0; s < 104; ++s) {
      const double years = steps[s].get(PeopleCounter::StepDays) / 365.25;
      for (uint8_t sex = 0; sex < 2; ++sex)
        for (size_t b = 0; b < kAgeBands; ++b) {
          const double pys = static_cast<double>(steps[s].get(PeopleCounter::Population, sex, b)) * years;
          if (s < 52) w[sex][b] += pys;
          else {
            a[sex][b] += static_cast<double>(steps[s].get(CareCounter::EmergencyAdmissions, sex, b));
            p[sex][b] += pys;
          }
        }
    }
    double num = 0, den = 0;
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (size_t b = 0; b < kAgeBands; ++b)
        if (w[sex][b] > 0) {
          num += w[sex][b] * a[sex][b] / p[sex][b];
          den += w[sex][b];
        }
    CHECK(row(rows, "emergency_admissions_per_1000").replicates[0] == Approx(1000 * num / den).epsilon(1e-12));
  }
  // A share by age band and sex: the band's people with the condition over its people.
  {
    double with = 0, people = 0;
    for (size_t s = 52; s < 104; ++s)
      for (size_t b = 0; b < kAgeBands; ++b)
        if (kAgeBandFrom[b] >= 65 && kAgeBandFrom[b] < 75) {
          with += static_cast<double>(steps[s].get(state_counter(static_cast<int>(State::Hypertension)), 0, b));
          people += static_cast<double>(steps[s].get(PeopleCounter::Population, 0, b));
        }
    CHECK(row(rows, "prevalence_hypertension_65_74_male").replicates[0] == Approx(with / people).epsilon(1e-12));
  }
  // A rate by age band and sex: the band's deaths over its person-years, from by_age_sex.
  double d75 = 0, py75 = 0;
  for (size_t s = 52; s < 104; ++s) {
    const double years = steps[s].get(PeopleCounter::StepDays) / 365.25;
    for (size_t band = 0; band < kAgeBands; ++band)
      if (kAgeBandFrom[band] == 75) {
        d75 += static_cast<double>(steps[s].get(PeopleCounter::Deaths, 1, band));
        py75 += static_cast<double>(steps[s].get(PeopleCounter::Population, 1, band)) * years;
      }
  }
  REQUIRE(py75 > 0);
  CHECK(row(rows, "death_rate_75_79_female").replicates[0] == Approx(1000 * d75 / py75).epsilon(1e-12));
  // Each year it refers to: the first and last whole year are reported, and a target passes
  // only when the window and both years are within tolerance.
  const auto& clock = e.scenarios.front().params.clock;
  for (const auto& x : rows) {
    INFO(x.target->name);
    const double tol = x.target->relative ? x.target->tolerance * std::fabs(x.target->value) : x.target->tolerance;
    double first = 0, last = 0;
    for (size_t rep = 0; rep < 2; ++rep) {
      first += evaluate(*x.target, r.scenarios.front().steps[rep], clock, 0, 1) / 2;
      last += evaluate(*x.target, r.scenarios.front().steps[rep], clock, 1, 2) / 2;
    }
    CHECK(x.first_year == Approx(first).epsilon(1e-12));
    CHECK(x.last_year == Approx(last).epsilon(1e-12));
    CHECK(x.last_year_index == 2);
    // Rates by age also allow 2 Poisson standard errors at the target's rate.
    CHECK(std::isfinite(x.sampling_se) == (x.target->by_age && x.target->compute != "mean"));
    const auto within = [&](double v, double se) {
      return std::isfinite(v) && std::fabs(v - x.target->value) <= tol + (std::isfinite(se) ? 2 * se : 0.0);
    };
    CHECK(x.pass == (within(x.mean, x.sampling_se) && within(first, x.first_year_se) && within(last, x.last_year_se)));
  }
  const std::string csv = validation_csv(rows);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == static_cast<long>(rows.size()) + 1);
}

TEST_CASE("a targets file with mistakes is rejected with a clear message", "[validation]") {
  auto err = [](const std::string& body) {
    const auto path = write_temp("targets.yaml", "targets:\n" + body);
    return config_error([&] { (void)TargetSet::load(path); });
  };
  const std::string base = "    description: d\n    value: 1\n    tolerance: 1\n    units: u\n    source: s\n";
  CHECK_THAT(err("  - name: a\n    compute: per_1000_per_year\n    metrics: [ae_atendances]\n" + base),
             Catch::Contains("did you mean 'ae_attendances'"));
  CHECK_THAT(err("  - name: a\n    compute: per_1000_per_year\n    metrics: [care_home_residents]\n" + base),
             Catch::Contains("needs flows"));
  CHECK_THAT(err("  - name: a\n    compute: per_100000\n    metrics: [deaths]\n" + base), Catch::Contains("needs stocks"));
  CHECK_THAT(err("  - name: a\n    compute: ratio\n    metrics: [deaths]\n" + base), Catch::Contains("denominator"));
  CHECK_THAT(err("  - name: a\n    compute: life_expectency\n" + base), Catch::Contains("life_expectancy"));
  CHECK_THAT(err("  - name: a\n    compute: population_share\n    from_age_years: 16\n" + base),
             Catch::Contains("band starts"));
  CHECK_THAT(err("  - name: a\n    compute: life_expectancy\n    sex: male\n    description: d\n    value: 1\n"
                 "    units: u\n    source: s\n"),
             Catch::Contains("exactly one of tolerance"));
  CHECK(err("  - name: a\n    compute: life_expectancy\n    sex: male\n" + base).empty());
  // Rates by age band and sex need metrics with that breakdown, and band starts.
  CHECK_THAT(err("  - name: a\n    compute: per_1000_per_year\n    metrics: [discharges]\n    from_age_years: 65\n" + base),
             Catch::Contains("no breakdown by age and sex"));
  CHECK_THAT(err("  - name: a\n    compute: per_1000_per_year\n    metrics: [deaths]\n    from_age_years: 66\n" + base),
             Catch::Contains("band starts"));
  CHECK_THAT(err("  - name: a\n    compute: per_1000_per_year\n    metrics: [deaths]\n    sex: men\n" + base),
             Catch::Contains("male"));
  CHECK(err("  - name: a\n    compute: per_1000_per_year\n    metrics: [deaths]\n    from_age_years: 65\n    to_age_years: 75\n"
            "    sex: female\n" + base).empty());
  // Shares by age band, and age standardisation, the same; standardise_age names its choices.
  CHECK_THAT(err("  - name: a\n    compute: mean\n    metrics: [mean_age_years]\n    from_age_years: 65\n" + base),
             Catch::Contains("cannot be a share by age band"));
  CHECK_THAT(err("  - name: a\n    compute: mean\n    metrics: [prevalence_copd]\n    standardise_age: first\n" + base),
             Catch::Contains("first_year"));
  CHECK(err("  - name: a\n    compute: mean\n    metrics: [recorded_prevalence_copd]\n    standardise_age: first_year\n" + base)
            .empty());
}

TEST_CASE("calibration recovers known parameters on a synthetic problem", "[validation][calibration]") {
  // Truth: hospital share of deaths 0.3 and minor-illness rate 1.1 a year. Simulate, take the
  // model's own outputs as targets, start elsewhere and fit back.
  // GP capacity ample, so GP use shows demand (when it binds, reviews give way to it).
  // Minor illness is a small part of GP demand (10% off its rate moves appointments per
  // person by under 1%), so the GP target is held to 0.5%.
  const std::vector<std::string> small = {"population.size=8000", "time.years=2", "run.replicates=1", "time.burn_in_years=0",
      "gp_practices.0.appointments_per_week_per_100000=40000", "gp_practices.1.appointments_per_week_per_100000=40000",
      "gp_practices.2.appointments_per_week_per_100000=40000", "gp_practices.3.appointments_per_week_per_100000=40000"};
  config::Node truth = default_config(small);
  config::apply_override(truth, "demography.mortality.hospital_death_share=0.3");
  config::apply_override(truth, "health_events.minor_illness.rate_per_year=1.1");
  const Experiment e = Experiment::from_config(truth, "synthetic");
  const RunResult r = run_experiment(e, 2);
  const auto path = write_temp("synthetic_targets.yaml", R"(
targets:
  - {name: deaths, description: d, compute: per_1000_per_year, metrics: [deaths], value: 0, tolerance_relative: 0.05, units: u, source: synthetic}
  - {name: gp, description: g, compute: per_person_per_year, metrics: [gp_appointments, gp_unmet_demand], value: 0, tolerance_relative: 0.005, units: u, source: synthetic}
)");
  TargetSet targets = TargetSet::load(path);
  for (auto& t : targets.targets) t.value = evaluate(t, r.scenarios.front().steps[0], e.scenarios.front().params.clock, 0, 2);
  REQUIRE(targets.targets[0].value > 0);

  config::Node start = default_config(small);
  config::apply_override(start, "demography.mortality.hospital_death_share=0.1");
  config::apply_override(start, "health_events.minor_illness.rate_per_year=0.7");
  CalibrationSpec spec;
  spec.algorithm = "neldermead";
  spec.max_evaluations = 45;
  spec.params = {{"demography.mortality.hospital_death_share", 0.0, 0.7, 0, false, ""},
                 {"health_events.minor_illness.rate_per_year", 0.2, 2.0, 0, false, ""}};
  spec.profile_points = 0;  // profiles: the next test
  prepare_calibration(spec, start, targets);
  CHECK(spec.params[0].start == 0.1);
  const CalibrationResult fit = calibrate(start, "synthetic", targets, spec, 2);
  INFO("fitted " << fit.best[0] << ", " << fit.best[1] << " objective " << fit.best_objective << " after "
                 << fit.evaluations.size());
  CHECK(fit.evaluations.size() <= 45);
  CHECK(fit.best_objective < fit.start_objective / 20);
  CHECK(fit.best[0] == Approx(0.3).margin(0.05));
  CHECK(fit.best[1] == Approx(1.1).epsilon(0.1));
  CHECK(fit.profiles.empty());
  // The record and overlay carry what a reader needs.
  const std::string overlay = calibration_overlay(spec, fit, "test");
  CHECK_THAT(overlay, Catch::Contains("mortality:") && Catch::Contains("hospital_death_share:") && Catch::Contains("rate_per_year:"));
  const std::string record = calibration_record(spec, fit, "test");
  CHECK_THAT(record, Catch::Contains("evaluations:") && Catch::Contains("residuals:") && Catch::Contains("standardised"));

  // Mistakes in the params are caught before any run.
  CalibrationSpec bad = spec;
  bad.params[0].key = "demography.mortality.hospital_death_shar";
  CHECK_THAT(config_error([&] { prepare_calibration(bad, start, targets); }), Catch::Contains("not a key of the config"));
  bad = spec;
  bad.params[0].key = "demography.mortality.rr";
  CHECK_THAT(config_error([&] { prepare_calibration(bad, start, targets); }), Catch::Contains("not a single number"));
  bad = spec;
  bad.targets = {"deahts"};
  CHECK_THAT(config_error([&] { prepare_calibration(bad, start, targets); }), Catch::Contains("did you mean 'deaths'"));
}

TEST_CASE("a profile's minimum: the vertex of the parabola through the lowest point and its neighbours", "[calibration]") {
  // y = (x - 0.37)^2 on an uneven grid: exact; at an end of the grid, that end.
  const std::vector<double> x = {0.0, 0.2, 0.3, 0.5, 0.9};
  std::vector<double> y;
  for (double v : x) y.push_back((v - 0.37) * (v - 0.37));
  CHECK(profile_minimum(x, y) == Approx(0.37).epsilon(1e-12));
  CHECK(profile_minimum(x, {1, 2, 3, 4, 5}) == 0.0);
  CHECK(profile_minimum(x, {5, 4, 3, 2, 1}) == 0.9);
}

TEST_CASE("calibration reports the fitted value's spread across replicates from a profile", "[validation][calibration]") {
  // Truth: minor illness at 1.1 a year, 4 replicates; the target is their mean GP use. Each
  // replicate's optimum along the profile scatters around the truth by its own noise.
  const std::vector<std::string> small = {"population.size=3000", "time.years=1", "run.replicates=4",
      "gp_practices.0.appointments_per_week_per_100000=40000", "gp_practices.1.appointments_per_week_per_100000=40000",
      "gp_practices.2.appointments_per_week_per_100000=40000", "gp_practices.3.appointments_per_week_per_100000=40000"};
  config::Node truth = default_config(small);
  config::apply_override(truth, "health_events.minor_illness.rate_per_year=1.1");
  const Experiment e = Experiment::from_config(truth, "synthetic");
  const RunResult r = run_experiment(e, 2);
  const auto path = write_temp("profile_targets.yaml", R"(
targets:
  - {name: gp, description: g, compute: per_person_per_year, metrics: [gp_appointments, gp_unmet_demand], value: 0, tolerance_relative: 0.005, units: u, source: synthetic}
)");
  TargetSet targets = TargetSet::load(path);
  double v = 0;
  for (size_t rep = 0; rep < 4; ++rep) v += evaluate(targets.targets[0], r.scenarios.front().steps[rep], e.scenarios.front().params.clock, 0, 1) / 4;
  targets.targets[0].value = v;
  config::Node start = default_config(small);
  config::apply_override(start, "health_events.minor_illness.rate_per_year=0.8");
  CalibrationSpec spec;
  spec.max_evaluations = 15;
  spec.profile_points = 5;
  spec.profile_width = 0.1;
  spec.params = {{"health_events.minor_illness.rate_per_year", 0.2, 2.0, 0, false, ""}};
  prepare_calibration(spec, start, targets);
  const CalibrationResult fit = calibrate(start, "synthetic", targets, spec, 2);
  REQUIRE(fit.profiles.size() == 1);
  const Profile& p = fit.profiles[0];
  INFO("fitted " << fit.best[0] << "; replicate optima mean " << p.mean << " SD " << p.sd);
  CHECK(p.x.size() == 5);
  CHECK(p.x.front() == Approx(fit.best[0] - 0.18));
  CHECK(p.replicate.size() == 5);
  CHECK(p.replicate.front().size() == 4);
  CHECK(p.optimum.size() == 4);
  CHECK(p.mean == Approx(1.1).margin(0.1));
  CHECK(std::isfinite(p.sd));
  CHECK(p.sd > 0);
  CHECK(p.sd < 0.15);
  CHECK(p.min <= p.mean);
  CHECK(p.max >= p.mean);
  // The profile's mean objective is lowest near the fit.
  const size_t lowest = static_cast<size_t>(std::min_element(p.objective.begin(), p.objective.end()) - p.objective.begin());
  CHECK(std::fabs(p.x[lowest] - fit.best[0]) < 0.1);
  CHECK_THAT(calibration_record(spec, fit, "test"), Catch::Contains("replicate_optimum:") && Catch::Contains("optimum_sd:"));
  CHECK_THAT(calibration_overlay(spec, fit, "test"), Catch::Contains("replicates' optima along the profile"));
}

TEST_CASE("a params file's profile settings are checked", "[calibration]") {
  const std::string body = "parameters:\n  - {key: a.b, lower: 0, upper: 1}\n";
  CHECK(CalibrationSpec::load(write_temp("p0.yaml", body)).profile_points == 7);
  CHECK(CalibrationSpec::load(write_temp("p1.yaml", "profile_points: 0\n" + body)).profile_points == 0);
  CHECK_THAT(config_error([&] { (void)CalibrationSpec::load(write_temp("p2.yaml", "profile_points: 2\n" + body)); }),
             Catch::Contains("at least 3 points"));
  CHECK_THAT(config_error([&] { (void)CalibrationSpec::load(write_temp("p3.yaml", "profile_width: 0\n" + body)); }),
             Catch::Contains("profile_width"));
}

TEST_CASE("per 100,000: a stock over the population, and a mean number of persons over the mean population", "[validation]") {
  // 52 weekly steps, 50,000 people; 10 delayed at every step's end, and 84 delayed bed
  // days a week (12 on average over the week).
  const Clock clock = one_year_of_weeks();
  const auto steps = weekly_steps([](Tally& t) {
    t.add(PeopleCounter::Population, 3, 50000);
    t.add(CareCounter::DelayedDischarges, 3, 10);
    t.add(CareCounter::DelayedBedDays, 3, 84);
  });
  Target t;
  t.compute = "per_100000";
  t.metrics = {"delayed_discharges"};
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(20.0));
  t.metrics = {"delayed_discharges_mean"};
  CHECK(evaluate(t, steps, clock, 0, 1) == Approx(24.0));
}
