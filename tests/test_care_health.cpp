// Care changes health: long-term-condition reviews keep conditions controlled, waiting
// for a GP raises the chance of escalation, waits for a bed raise mortality, delayed
// discharges decondition, and GP capacity therefore shows in A&E, admissions, control
// and cost over ten years.
#include <catch2/catch.hpp>

#include <cmath>

#include "helpers.hpp"
#include "model/sim/comparison.hpp"
#include "model/sim/world.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
Experiment experiment_file(const std::string& name, const std::string& yaml) {
  return Experiment::from_config(config::load(write_temp(name, yaml)), name);
}
RunResult run_file(const std::string& name, const std::string& yaml) { return run_experiment(experiment_file(name, yaml), 2); }
std::string base_yaml(const std::string& run) {
  return "extends: " + source_path("configs/default.yaml") + "\n" + run + "\n";
}
//! Index of the scenario called `name` (a baseline is added first when none is named).
size_t index_of(const RunResult& r, const std::string& name) {
  for (size_t k = 0; k < r.scenarios.size(); ++k)
    if (r.scenarios[k].name == name) return k;
  FAIL("no scenario " << name);
  return 0;
}
//! Sum over the run of the stock or flow of counter c, per replicate-step, scenario s.
double mean_stock(const RunResult& r, Counter c, size_t s) {
  double n = 0, k = 0;
  for (const auto& rep : r.scenarios[s].steps)
    for (const auto& t : rep) {
      n += static_cast<double>(t.get(c));
      k += 1;
    }
  return n / k;
}
//! The delayed bed days of scenario s, summed over the reasons they are counted by.
int64_t delays_by_reason(const RunResult& r, size_t s) {
  int64_t n = 0;
  for (Counter c : {CareCounter::DelayedAssessmentDays, CareCounter::DelayedReablementDays, CareCounter::DelayedHomeCareDays,
                    CareCounter::DelayedCareHomeDays, CareCounter::DelayedIntermediateCareDays, CareCounter::DelayedPatientChoiceDays})
    n += total(r, c, s);
  return n;
}
}  // namespace

TEST_CASE("long-term-condition reviews are done at the configured rate when GP capacity is ample") {
  // Practices with far more appointments than asked for: every review is done when due,
  // so reviews per recorded condition-year equal reviews_per_condition_per_year, and
  // nobody is overdue. Intermediate care is ample too, so nobody stays in hospital long
  // enough for a review to become overdue there.
  const RunResult r = run_file(
      "reviews_rate.yaml",
      base_yaml("run: {replicates: 2}\ntime: {years: 3}\npopulation: {size: 10000}\n"
                "care: {gp: {reviews_per_condition_per_year: 2.0}}\n"
                "scenarios:\n  - name: ample\n    set:\n"
                "      gp_practices.0.appointments_per_week_per_100000: 40000\n"
                "      gp_practices.1.appointments_per_week_per_100000: 40000\n"
                "      gp_practices.2.appointments_per_week_per_100000: 40000\n"
                "      gp_practices.3.appointments_per_week_per_100000: 40000\n"
                "      intermediate_care.0.community_beds_per_100000: 1000\n"
                "      intermediate_care.0.home_places_per_100000: 1000\n"));
  const size_t ample = index_of(r, "ample");
  double condition_years = 0;
  const double dt = 7.0 / 365.25;
  for (const auto& rep : r.scenarios[ample].steps)
    for (const auto& t : rep)
      for (int s = 0; s < kStateCount; ++s)
        if (states::kLongTermConditions >> s & 1) condition_years += static_cast<double>(t.get(diagnosed_counter(s))) * dt;
  const double reviews = static_cast<double>(total(r, CareCounter::LtcReviews, ample));
  // The first review of each person falls anywhere in their first interval, so the
  // first year's reviews are as many as later years'; newly diagnosed people wait one
  // interval. 3% covers both and the sampling.
  CHECK(reviews / condition_years == Approx(2.0).epsilon(0.03));
  // Nobody at home is overdue; only someone kept in hospital for months (waiting for a
  // care home place) can be: a handful of person-weeks in the run.
  CHECK(static_cast<double>(total(r, CareCounter::ReviewsOverdue, ample)) < 1e-4 * condition_years / dt);
}

TEST_CASE("less GP capacity: more A&E, admissions, overdue reviews, uncontrolled diabetes and deaths over ten years, and the payers pay more", "[long]") {
  const auto e = experiment_file(
      "gp_ten_years.yaml", base_yaml("run: {replicates: 4}\ntime: {years: 10}\npopulation: {size: 20000}\n"
                                     "scenarios:\n  - name: baseline\n  - name: fewer_gp\n    set:\n"
                                     "      gp_practices.0.appointments_per_week_per_100000: 8000\n"
                                     "      gp_practices.1.appointments_per_week_per_100000: 8000\n"
                                     "      gp_practices.2.appointments_per_week_per_100000: 9000\n"
                                     "      gp_practices.3.appointments_per_week_per_100000: 9000\n"));
  const RunResult r = run_experiment(e, 2);
  const auto comps = compare(r, &e);
  REQUIRE(comps.size() == 1);
  auto diff = [&](const std::string& name) {
    for (const auto& m : comps[0].metrics)
      if (m.metric == name) return m.cumulative;
    FAIL("no metric " << name);
    return comps[0].metrics[0].cumulative;
  };
  // Paired by replicate: the whole 95% interval of the difference above zero.
  for (const char* m : {"ae_attendances", "emergency_admissions", "gp_waits_to_ae", "cost_acute_gbp"}) {
    INFO(m);
    CHECK(diff(m).lower.back() > 0);
  }
  // Stocks over the run: overdue reviews and uncontrolled diabetes.
  CHECK(mean_stock(r, CareCounter::ReviewsOverdue, 1) > 1.5 * mean_stock(r, CareCounter::ReviewsOverdue, 0) + 10);
  const Counter uncontrolled = state_counter(static_cast<int>(State::DiabetesUncontrolled));
  const Counter diabetes = state_counter(static_cast<int>(State::Diabetes));
  const double share0 = mean_stock(r, uncontrolled, 0) / mean_stock(r, diabetes, 0);
  const double share1 = mean_stock(r, uncontrolled, 1) / mean_stock(r, diabetes, 1);
  CHECK(share1 > share0);
  CHECK(total(r, PeopleCounter::Deaths, 1) > total(r, PeopleCounter::Deaths, 0));
  // What the appointments cost comes back in acute care: at least half of the primary
  // care saving is spent again in hospitals (the total is near even: docs/scenarios.md).
  const double gp_saving = -diff("cost_primary_care_gbp").mean.back();
  CHECK(gp_saving > 0);
  CHECK(diff("cost_acute_gbp").mean.back() > 0.5 * gp_saving);
  // What the payers pay goes up: practices are paid by capitation, the same for fewer
  // appointments, while the hospital is paid for each extra attendance and admission.
  // The ICB's payments over the ten years, the whole 95% interval above zero.
  bool found = false;
  for (const auto& l : comps[0].ledgers)
    if (l.kind == "commissioner_ledger" && l.metric == "payments_gbp" && l.group == "commissioner_icb") {
      found = true;
      INFO("ICB pays " << l.cumulative.mean.back() << " [" << l.cumulative.lower.back() << ", " << l.cumulative.upper.back() << "]");
      CHECK(l.cumulative.lower.back() > 0);
    }
  CHECK(found);
}

TEST_CASE("waiting for a bed raises mortality as configured, and not at all when the effect is 0") {
  // Few beds, so people wait for one.
  const std::string yaml = base_yaml(
      "run: {replicates: 2}\ntime: {years: 1}\npopulation: {size: 10000}\n"
      "capacity_plan: {general_acute_beds: {follow_demand: {max_change_per_review: 0}}}\n"
      "scenarios:\n  - name: none\n    set: {care.hospital.trolley_wait_death_probability: 0, "
      "acute_trusts.0.general_acute_beds_per_100000: 150}\n"
      "  - name: some\n    set: {care.hospital.trolley_wait_death_probability: 0.05, "
      "acute_trusts.0.general_acute_beds_per_100000: 150}\n");
  const RunResult r = run_file("trolley.yaml", yaml);
  const size_t none = index_of(r, "none"), some = index_of(r, "some");
  REQUIRE(total(r, CareCounter::TrolleyWaits, none) > 50);
  CHECK(total(r, CareCounter::TrolleyWaitDeaths, none) == 0);
  CHECK(total(r, CareCounter::TrolleyWaitDeaths, some) > 0);
  // Each is also a death in hospital.
  CHECK(total(r, PeopleCounter::InHospitalDeaths, some) > total(r, PeopleCounter::InHospitalDeaths, none));
  // At most one death per wait.
  CHECK(total(r, CareCounter::TrolleyWaitDeaths, some) < total(r, CareCounter::TrolleyWaits, some));
}

TEST_CASE("delayed discharges decondition: frailty rises with the configured hazard, not at all at 0") {
  // No home care or reablement to discharge to: medically fit patients who need care wait.
  const std::string yaml = base_yaml(
      "run: {replicates: 2}\ntime: {years: 2}\npopulation: {size: 10000}\n"
      "capacity_plan: {home_care_hours_per_week: {follow_demand: {max_change_per_review: 0}}, "
      "reablement_places: {follow_demand: {max_change_per_review: 0}}}\n"
      "scenarios:\n  - name: none\n    set: {care.hospital.delayed_discharge_frailty_per_week: 0, "
      "local_authorities.0.home_care_hours_per_week_per_100000: 3000, local_authorities.0.reablement_places_per_100000: 10}\n"
      "  - name: strong\n    set: {care.hospital.delayed_discharge_frailty_per_week: 0.5, "
      "local_authorities.0.home_care_hours_per_week_per_100000: 3000, local_authorities.0.reablement_places_per_100000: 10}\n");
  const RunResult r = run_file("decondition.yaml", yaml);
  const size_t none = index_of(r, "none"), strong = index_of(r, "strong");
  REQUIRE(total(r, CareCounter::DelayedBedDays, none) > 1000);
  CHECK(total(r, CareCounter::Deconditioned, none) == 0);
  CHECK(total(r, CareCounter::Deconditioned, strong) > 20);
  CHECK(mean_stock(r, StatesCounter::FrailSevere, strong) > mean_stock(r, StatesCounter::FrailSevere, none));
}

TEST_CASE("discharge takes time: assessment days as configured, by reason, and more of them when it takes longer", "[long]") {
  // Every patient who needs care at discharge needs reablement, and places are ample: the
  // days from medically fit to leaving are the assessment time alone, exponential with
  // the configured mean (rounded to whole days).
  const std::string yaml = base_yaml(
      "run: {replicates: 2}\ntime: {years: 2}\npopulation: {size: 20000}\n"
      "care: {hospital: {discharge_mix: {reablement: 1, home_care: 0, care_home: 0, intermediate_care_home: 0, intermediate_care_bed: 0},\n"
      "                  home_care_to_care_home_at_discharge: 0, patient_choice: {share_of_care_home: 0, days_mean: 0},\n"
      // Someone waiting at home for care when admitted keeps that need: no assessment for it.
      "                  discharge_assessment_days_mean: {home_care: 0, care_home: 0}}}\n"
      "scenarios:\n"
      "  - name: quick\n    set: {care.hospital.discharge_assessment_days_mean.reablement: 4, "
      "local_authorities.0.reablement_places_per_100000: 2000}\n"
      "  - name: slow\n    set: {care.hospital.discharge_assessment_days_mean.reablement: 12, "
      "local_authorities.0.reablement_places_per_100000: 2000}\n"
      "  - name: none\n    set: {care.hospital.discharge_assessment_days_mean.reablement: 0, "
      "local_authorities.0.reablement_places_per_100000: 2000}\n");
  const RunResult r = run_file("assessment.yaml", yaml);
  const size_t quick = index_of(r, "quick"), slow = index_of(r, "slow"), none = index_of(r, "none");
  for (size_t s : {quick, slow, none}) {
    INFO("scenario " << r.scenarios[s].name);
    // By reason, they add up; with ample places nobody waits for the place itself.
    CHECK(delays_by_reason(r, s) == total(r, CareCounter::DelayedBedDays, s));
    CHECK(total(r, CareCounter::DelayedReablementDays, s) == 0);
  }
  // No assessment time, no days awaiting assessment (someone who was waiting at home
  // for a care home when admitted keeps that need, and may wait for a place).
  CHECK(total(r, CareCounter::DelayedAssessmentDays, none) == 0);
  CHECK(total(r, CareCounter::DelayedPatientChoiceDays, quick) == 0);
  CHECK(total(r, CareCounter::DelayedBedDays, none) < total(r, CareCounter::DelayedBedDays, quick) / 50);
  const double episodes = static_cast<double>(total(r, CareCounter::ReablementStarts, quick));
  REQUIRE(episodes > 300);
  // Mean assessment days per patient: 4 (exponential, so the SD of the mean is 4/sqrt(n);
  // patients still waiting at the end add a little).
  const double mean_days = static_cast<double>(total(r, CareCounter::DelayedAssessmentDays, quick)) / episodes;
  CHECK(mean_days == Approx(4.0).margin(4 * 4.0 / std::sqrt(episodes) + 0.1));
  // Longer assessment, more delayed bed days.
  CHECK(total(r, CareCounter::DelayedBedDays, slow) > 2 * total(r, CareCounter::DelayedBedDays, quick));
}

TEST_CASE("more intermediate care: fewer delayed bed days, more people through it, delays add up by reason", "[long]") {
  // The default place's intermediate care service with a third of its beds and places,
  // as configured, and three times as many: delays awaiting it fall as capacity rises.
  const RunResult r = run_file(
      "intermediate_care.yaml",
      base_yaml("run: {replicates: 2}\ntime: {years: 4}\npopulation: {size: 20000}\n"
                "scenarios:\n"
                "  - name: scarce\n    set: {intermediate_care.0.community_beds_per_100000: 7, intermediate_care.0.home_places_per_100000: 7}\n"
                "  - name: configured\n"
                "  - name: ample\n    set: {intermediate_care.0.community_beds_per_100000: 66, intermediate_care.0.home_places_per_100000: 66}\n"
                "  - name: none\n    set: {intermediate_care.0.community_beds: 0, intermediate_care.0.home_places: 0}\n"));
  const size_t scarce = index_of(r, "scarce"), configured = index_of(r, "configured"), ample = index_of(r, "ample");
  // No intermediate care at all: everyone sent there waits care.intermediate_care.max_wait_days
  // (14) in hospital, counted from medically fit, then goes to the council: at most 14 days
  // plus the step it is noticed in.
  const size_t none = index_of(r, "none");
  const int64_t diverted = total(r, CareCounter::IntermediateDiverted, none);
  CHECK(diverted > 100);
  CHECK(total(r, CareCounter::IntermediateBedAdmissions, none) + total(r, CareCounter::IntermediateHomeStarts, none) == 0);
  CHECK(total(r, CareCounter::DelayedIntermediateCareDays, none) <= 21 * diverted);
  // Three times the capacity: almost nobody waits that long (1 in four years once, when
  // residents' emergency share changed the draws; none before).
  CHECK(total(r, CareCounter::IntermediateDiverted, ample) * 100 <= diverted);
  for (size_t s : {scarce, configured, ample}) {
    INFO("scenario " << r.scenarios[s].name);
    CHECK(delays_by_reason(r, s) == total(r, CareCounter::DelayedBedDays, s));
    // The sector's cost is its providers' cost.
    double providers = 0;
    const ProviderLayout L = Params::read(default_config({})).providers;
    for (const auto& rep : r.scenarios[s].providers)
      for (const auto& step : rep) providers += static_cast<double>(step[L.at(0, IcCounter::CostPence)]);
    CHECK(static_cast<double>(total(r, sector_cost(ProviderKind::IntermediateCare), s)) == providers);
  }
  const auto ic_delays = [&](size_t s) { return total(r, CareCounter::DelayedIntermediateCareDays, s); };
  CHECK(ic_delays(scarce) > 2 * ic_delays(configured));
  CHECK(ic_delays(configured) > ic_delays(ample));
  CHECK(total(r, CareCounter::DelayedBedDays, scarce) > total(r, CareCounter::DelayedBedDays, configured));
  CHECK(total(r, CareCounter::DelayedBedDays, configured) > total(r, CareCounter::DelayedBedDays, ample));
  const auto through = [&](size_t s) {
    return total(r, CareCounter::IntermediateBedAdmissions, s) + total(r, CareCounter::IntermediateHomeStarts, s);
  };
  CHECK(through(scarce) < through(configured));
  CHECK(through(configured) <= through(ample));
  // With ample capacity almost nobody waits for a place: a few refusals when the
  // services' queues peak.
  CHECK(ic_delays(ample) * 20 < ic_delays(scarce));
}

TEST_CASE("patient choice: delays by the share and mean configured, none when the share is 0", "[long]") {
  // Everyone who needs care at discharge needs a care home, places are ample and
  // assessment takes no time: the delay is patient choice alone.
  const std::string yaml = base_yaml(
      "run: {replicates: 2}\ntime: {years: 2}\npopulation: {size: 20000}\n"
      "care: {hospital: {discharge_mix: {reablement: 0, home_care: 0, care_home: 1, intermediate_care_home: 0, intermediate_care_bed: 0},\n"
      "                  discharge_assessment_days_mean: {reablement: 0, home_care: 0, care_home: 0}}}\n"
      "local_authorities: [{name: riverside_council, home_care_hours_per_week_per_100000: 7800, reablement_places_per_100000: 55,\n"
      "                     care_home_places_per_100000: 5000}]\n"
      "scenarios:\n"
      "  - name: none\n    set: {care.hospital.patient_choice.share_of_care_home: 0, care.hospital.patient_choice.days_mean: 10}\n"
      "  - name: half\n    set: {care.hospital.patient_choice.share_of_care_home: 0.5, care.hospital.patient_choice.days_mean: 10}\n"
      "  - name: all\n    set: {care.hospital.patient_choice.share_of_care_home: 1, care.hospital.patient_choice.days_mean: 10}\n");
  const RunResult r = run_file("patient_choice.yaml", yaml);
  const size_t none = index_of(r, "none"), half = index_of(r, "half"), all = index_of(r, "all");
  CHECK(total(r, CareCounter::DelayedPatientChoiceDays, none) == 0);
  CHECK(total(r, CareCounter::DelayedBedDays, none) == 0);
  const double placed = static_cast<double>(total(r, CareCounter::CareHomeAdmissions, all));
  REQUIRE(placed > 200);
  // Mean choice days per patient from hospital: 10, exponential (SD of the mean 10/sqrt(n));
  // community placements (no choice delay) add to the denominator, so compare the
  // scenarios: half the patients choose in `half`.
  const double per_all = static_cast<double>(total(r, CareCounter::DelayedPatientChoiceDays, all));
  const double per_half = static_cast<double>(total(r, CareCounter::DelayedPatientChoiceDays, half));
  CHECK(per_half / per_all == Approx(0.5).margin(0.12));
  CHECK(total(r, CareCounter::DelayedPatientChoiceDays, all) == total(r, CareCounter::DelayedBedDays, all));
}
