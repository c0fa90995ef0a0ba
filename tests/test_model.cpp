// The model as a whole: determinism across threads, conservation, configured rates
// coming out as configured, common random numbers and the direction of the levers.
// Statistical tolerances are k = 4 standard errors of the quantity checked (derived
// from the binomial variance), so a correct model fails with probability < 1e-4.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "helpers.hpp"
#include "model/sim/world.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
Experiment experiment(const config::Node& root) { return Experiment::from_config(root, "test"); }

// Overrides that remove every relative risk from a binary state.
std::vector<std::string> plain_state(const std::string& section) {
  return {section + ".rr={}", section + ".rr_deprivation_quintile=[1,1,1,1,1]"};
}
}  // namespace

TEST_CASE("results are bit-identical at 1, 2 and 4 threads") {
  auto e = experiment(small_config({"run.replicates=2", "population.size=4000"}));
  RunResult r1 = run_experiment(e, 1), r2 = run_experiment(e, 2), r4 = run_experiment(e, 4);
  REQUIRE(r1.scenarios[0].steps.size() == 2);
  CHECK(r1.scenarios[0].steps == r2.scenarios[0].steps);
  CHECK(r1.scenarios[0].steps == r4.scenarios[0].steps);
  CHECK(r1.scenarios[0].initial == r4.scenarios[0].initial);
  CHECK(r1.scenarios[0].steps[0] != r1.scenarios[0].steps[1]);  // replicates differ
}

TEST_CASE("a replicate is the same whether run alone or with others") {
  auto one = run_experiment(experiment(small_config({"run.replicates=1"})), 2);
  auto three = run_experiment(experiment(small_config({"run.replicates=3"})), 2);
  CHECK(one.scenarios[0].steps[0] == three.scenarios[0].steps[0]);
}

TEST_CASE("people are conserved and invariants hold at every step") {
  for (bool closed : {false, true}) {
    auto root = small_config({"population.size=5000", std::string("demography.closed_population=") + (closed ? "true" : "false")});
    Params p = Params::read(root);
    World w(p, 0);
    int64_t start = w.alive(), births = 0, deaths = 0, imm = 0, emi = 0;
    for (uint32_t s = 0; s < p.clock.steps; ++s) {
      Tally t = w.step(s);
      w.check_invariants();
      births += t.get(DemographyCounter::Births);
      deaths += t.get(PeopleCounter::Deaths);
      imm += t.get(DemographyCounter::Immigrants);
      emi += t.get(DemographyCounter::Emigrants);
      REQUIRE(t.get(PeopleCounter::Population) == start + births + imm - deaths - emi);
      int64_t by_q = 0;
      for (int q = 1; q <= 5; ++q) by_q += t.get(PeopleCounter::Population, q);
      REQUIRE(by_q == t.get(PeopleCounter::Population));
    }
    if (closed) {
      CHECK(births == 0);
      CHECK(imm + emi == 0);
      CHECK(w.alive() == start - deaths);
    } else {
      CHECK(births > 0);
      CHECK(imm > 0);
      CHECK(emi > 0);
    }
  }
}

TEST_CASE("byte-lane stock counts are exact past the 255 a byte can hold") {
  StockTally::Map map{};  // default: the bit counts nothing
  map[0] = PeopleCounter::Population;
  map[9] = CareCounter::InHospital;        // second word
  map[39] = CareCounter::GpWaiting;        // last bit
  Tally t, plain;
  StockTally st(map);
  uint64_t x = 12345;
  for (int n = 0; n < 5000; ++n) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const auto q = static_cast<uint8_t>(1 + (x >> 60) % 5);
    const uint64_t bits = 1 | ((x >> 20 & 1) << 9) | ((x >> 30 & 1) << 39) | ((x >> 40 & 1) << 5);  // bit 5 counts nothing
    st.add(q, bits, t);
    plain.add(PeopleCounter::Population, q);
    if (bits >> 9 & 1) plain.add(CareCounter::InHospital, q);
    if (bits >> 39 & 1) plain.add(CareCounter::GpWaiting, q);
  }
  st.flush(t);
  CHECK(t == plain);
  CHECK(t.get(PeopleCounter::Population) == 5000);
  CHECK(t.get(PeopleCounter::Population, 3) > 255);
}

TEST_CASE("the census fills only counters declared as stocks, and the declared stocks are distinct") {
  auto root = small_config({"population.size=6000"});
  Params p = Params::read(root);
  World w(p, 0);
  for (uint32_t s = 0; s < 30; ++s) w.step(s);
  const Tally t = w.census(p.clock.day_at_start(30));
  // Every declared counter with its declared kind, block by block.
  std::vector<Counter> declared;
  auto all_of = [&]<class E>(E) {
    for (size_t k = 0; k < static_cast<size_t>(E::Count); ++k) declared.push_back(Counter(static_cast<E>(k)));
  };
  all_of(PeopleCounter{});
  for (int s = 0; s < kStateCount; ++s) declared.push_back(state_counter(s));
  for (int s = 0; s < kStateCount; ++s) declared.push_back(diagnosed_counter(s));
  for (int s = 0; s < kStateCount; ++s) declared.push_back(onset_counter(s));
  all_of(DemographyCounter{});
  all_of(StatesCounter{});
  all_of(SectorCostCounter{});
  all_of(CareCounter{});
  all_of(InterventionCounter{});
  all_of(FinanceCounter{});
  all_of(WellbeingCounter{});
  std::vector<int> seen(kCounterCount, 0);
  size_t filled = 0;
  for (Counter c : declared) {
    REQUIRE(c.index < kCounterCount);
    CHECK(++seen[c.index] == 1);  // no two counters share a place
    bool any = false;
    for (int q = 0; q <= 5; ++q) any = any || t.get(c, q) != 0;
    INFO("counter " << c.index);
    if (any) CHECK(c.stock);
    filled += any;
  }
  CHECK(filled > 20);
  // Only declared places are ever counted into.
  for (size_t k = 0; k < kCounterCount; ++k)
    if (!seen[k])
      for (int q = 0; q <= 5; ++q) CHECK(t.get(Counter::at(static_cast<uint16_t>(k), false), q) == 0);
  CHECK(!is_stock(CareCounter::EmergencyAdmissions));
  CHECK(Counter(CareCounter::InHospital).stock);
  CHECK(!sector_cost(ProviderKind::Acute).stock);
  CHECK(state_counter(0).stock);
  CHECK(diagnosed_counter(static_cast<int>(State::Hypertension)).stock);
}

TEST_CASE("age-sex breakdowns: distinct rows, and each sums to its total in every step") {
  // Rows: no two counters share one; flows and the census's population add up exactly.
  std::vector<int> rows(kAgeSexRows, 0);
  auto rows_of = [&]<class E>(E) {
    for (size_t k = 0; k < static_cast<size_t>(E::Count); ++k)
      if (const Counter c(static_cast<E>(k)); c.age_sex != Counter::kNone) {
        REQUIRE(c.age_sex < kAgeSexRows);
        CHECK(++rows[c.age_sex] == 1);
      }
  };
  rows_of(PeopleCounter{});
  rows_of(CareCounter{});
  // Each condition's people, and its diagnosed people, have rows of their own.
  for (int k = 0; k < kConditionCount; ++k)
    for (const Counter c : {state_counter(kFirstCondition + k), diagnosed_counter(kFirstCondition + k)}) {
      REQUIRE(c.age_sex < kAgeSexRows);
      CHECK(++rows[c.age_sex] == 1);
    }
  CHECK(state_counter(static_cast<int>(State::Smoker)).age_sex == Counter::kNone);
  CHECK(Counter(CareCounter::EmergencyAdmissions).age_sex != Counter::kNone);
  CHECK(Counter(CareCounter::Discharges).age_sex == Counter::kNone);
  auto root = small_config({"population.size=6000"});
  Params p = Params::read(root);
  World w(p, 0);
  size_t checked = 0;
  for (uint32_t s = 0; s < 30; ++s) {
    const Tally t = w.step(s);
    for (const auto& m : metric_definitions()) {
      if (!m.by_age_sex) continue;
      // Counts add up; a mean's cells (shares of the cell's people) average to it,
      // weighted by the cell's people.
      double sum = 0, people = 0;
      for (uint8_t sex = 0; sex < 2; ++sex)
        for (size_t b = 0; b < kAgeBands; ++b) {
          const double n = static_cast<double>(t.get(PeopleCounter::Population, sex, b));
          const double v = m.by_age_sex(t, sex, b);
          if (m.kind != "mean") sum += v;
          else if (n > 0) sum += v * n;
          people += n;
        }
      if (m.kind == "mean") sum /= people;
      INFO(m.name << " step " << s);
      if (m.kind == "mean") CHECK(sum == Approx(m.value(t, 0)).epsilon(1e-12));
      else CHECK(sum == m.value(t, 0));
      checked += sum > 0;
    }
  }
  CHECK(checked > 200);
  for (const char* name : {"deaths", "emergency_admissions", "ae_attendances", "bed_days", "gp_appointments", "population",
                           "in_hospital_deaths", "deaths_in_care_home", "deaths_at_home_or_elsewhere", "home_care_starts",
                           "prevalence_dementia", "recorded_prevalence_hypertension", "prevalence_common_mental_disorder"}) {
    INFO(name);
    const auto& defs = metric_definitions();
    const auto it = std::find_if(defs.begin(), defs.end(), [&](const MetricDef& d) { return d.name == name; });
    REQUIRE(it != defs.end());
    CHECK(static_cast<bool>(it->by_age_sex));
  }
}

TEST_CASE("the census's stocks equal a plain count of the people's columns") {
  // The census counts yes/no stocks in byte lanes (StockTally) flushed every 255 people;
  // here every stock is recounted person by person with plain branches.
  auto root = small_config({"population.size=6000"});
  Params p = Params::read(root);
  World w(p, 0);
  for (uint32_t s = 0; s < 30; ++s) w.step(s);
  const int32_t day = p.clock.day_at_start(30);
  const Tally t = w.census(day);
  const People& pp = w.people();
  Tally plain;
  for (size_t i = 0; i < pp.size(); ++i) {
    if (!pp.alive(i)) continue;
    const uint8_t q = pp.quintile[i];
    plain.add(PeopleCounter::Population, q);
    for (int st = 0; st < kStateCount; ++st)
      if (pp.states[i] >> st & 1) plain.add(state_counter(st), q);
    for (int st = 0; st < kStateCount; ++st)
      if (pp.diagnosed[i] >> st & 1) plain.add(diagnosed_counter(st), q);
    if (pp.alcohol[i] == static_cast<uint8_t>(Alcohol::Increasing)) plain.add(StatesCounter::AlcoholIncreasing, q);
    if (pp.alcohol[i] == static_cast<uint8_t>(Alcohol::Dependent)) plain.add(StatesCounter::AlcoholDependent, q);
    if (pp.frailty[i] == static_cast<uint8_t>(Frailty::Mild)) plain.add(StatesCounter::FrailMild, q);
    if (pp.frailty[i] == static_cast<uint8_t>(Frailty::Moderate)) plain.add(StatesCounter::FrailModerate, q);
    if (pp.frailty[i] == static_cast<uint8_t>(Frailty::Severe)) plain.add(StatesCounter::FrailSevere, q);
    const bool hospital = pp.setting[i] == static_cast<uint8_t>(Setting::Hospital);
    const bool need = pp.care_need[i] != static_cast<uint8_t>(CareNeed::None);
    if (hospital) plain.add(CareCounter::InHospital, q);
    if (hospital && need) plain.add(CareCounter::DelayedDischarges, q);
    if (!hospital && need) plain.add(CareCounter::WaitingSocialCare, q);
    if (pp.care[i] & kCareHomeResident) plain.add(CareCounter::CareHomeResidents, q);
    if (pp.care[i] & kHomeCare) plain.add(CareCounter::HomeCarePackages, q);
    if (pp.care[i] & kReablement) plain.add(CareCounter::InReablement, q);
    if (pp.care[i] & kIntermediateCare) plain.add(CareCounter::InIntermediateCare, q);
    if (pp.gp_wait_since[i] != kNoDay) plain.add(CareCounter::GpWaiting, q);
    if (pp.elective_since[i] != kNoDay) {
      plain.add(CareCounter::ElectiveList, q);
      if (day - pp.elective_since[i] > 126) plain.add(CareCounter::ElectiveOver18Weeks, q);
    }
    plain.add(PeopleCounter::AgeDays, q, day - pp.birth_day[i]);
  }
  std::vector<Counter> counted = {PeopleCounter::Population, StatesCounter::AlcoholIncreasing, StatesCounter::AlcoholDependent, StatesCounter::FrailMild,
                                  StatesCounter::FrailModerate, StatesCounter::FrailSevere, CareCounter::InHospital, CareCounter::DelayedDischarges,
                                  CareCounter::WaitingSocialCare, CareCounter::CareHomeResidents, CareCounter::HomeCarePackages,
                                  CareCounter::InReablement, CareCounter::GpWaiting, CareCounter::ElectiveList,
                                  CareCounter::ElectiveOver18Weeks, CareCounter::InIntermediateCare, PeopleCounter::AgeDays};
  for (int st = 0; st < kStateCount; ++st) counted.push_back(state_counter(st));
  for (int st = 0; st < kStateCount; ++st) counted.push_back(diagnosed_counter(st));
  int64_t nonzero = 0;
  for (Counter c : counted)
    for (int q = 0; q <= 5; ++q) {
      INFO("counter " << c.index << " quintile " << q);
      CHECK(t.get(c, q) == plain.get(c, q));
      nonzero += plain.get(c, q) > 0;
    }
  CHECK(nonzero > 150);  // most stocks are present in most quintiles
  CHECK(t.get(CareCounter::InHospital) > 0);
  CHECK(t.get(CareCounter::GpWaiting) + t.get(CareCounter::ElectiveList) > 0);
}

TEST_CASE("a relative-risk bound is above every person's multiplier and takes one level per column") {
  RelativeRisks rr;
  const int mild = kStateCount + static_cast<int>(DerivedFactor::FrailtyMild);
  const int severe = kStateCount + static_cast<int>(DerivedFactor::FrailtySevere);
  const int dependent = kStateCount + static_cast<int>(DerivedFactor::AlcoholDependent);
  const int increasing = kStateCount + static_cast<int>(DerivedFactor::AlcoholIncreasing);
  const int alone = static_cast<int>(State::LivesAlone);
  const int carer = static_cast<int>(State::InformalCarer);
  rr.factors = {{mild, 1.93}, {severe, 4.73}, {alone, 1.18}, {increasing, 1.2}, {dependent, 1.5}, {carer, 0.6}};
  for (const auto& [f, x] : rr.factors) rr.mask |= uint64_t{1} << f;
  rr.quintile = {1.4, 1.2, 1.0, 0.9, 0.8};
  rr.quintile_trivial = false;
  // The largest possible multiplier: quintile 1, severe frailty, living alone, dependent drinking.
  CHECK(rr.bound() == Approx(1.4 * 4.73 * 1.18 * 1.5).epsilon(1e-8));
  CHECK(rr.bound() >= 1.4 * 4.73 * 1.18 * 1.5);
  // Every person a population can hold: one frailty level, one alcohol level, any states.
  for (uint8_t frailty = 0; frailty < 4; ++frailty)
    for (uint8_t alcohol = 0; alcohol < 3; ++alcohol)
      for (uint32_t states = 0; states < 4; ++states)
        for (uint8_t q = 1; q <= 5; ++q) {
          People p;
          p.resize(1);
          p.frailty[0] = frailty;
          p.alcohol[0] = alcohol;
          p.states[0] = (states & 1 ? bit(State::LivesAlone) : 0) | (states & 2 ? bit(State::InformalCarer) : 0);
          CHECK(rr.multiplier(p.factors(0), q) <= rr.bound());
        }
}

TEST_CASE("the removed all-age mortality scale is refused with its replacement named") {
  auto root = default_config({"demography.mortality.scale=0.5"});
  const std::string e = config_error([&] { (void)Params::read(root); });
  CHECK_THAT(e, Catch::Contains("scale") && Catch::Contains("removed") && Catch::Contains("hospital_death_share"));
}

TEST_CASE("the hospital share of deaths takes that share out of the life table's hazard") {
  // No beds, so no deaths in hospital: with share s, deaths are (1 - s) of the table's.
  auto deaths_with = [](const std::string& share) {
    auto root = default_config({"population.size=40000", "time.years=1", "run.replicates=1", "demography.closed_population=true",
                                "demography.mortality.annual_death_probability=0.05", "demography.mortality.rr={}",
                                "demography.mortality.rr_deprivation_quintile=[1,1,1,1,1]",
                                "demography.mortality.hospital_death_share=" + share, "acute_trusts.0.general_acute_beds=0",
                                "acute_trusts.0.escalation_beds=0", "care.hospital.trolley_wait_death_probability=0"});
    Params p = Params::read(root);
    World w(p, 0);
    int64_t d = 0;
    for (uint32_t s = 0; s < p.clock.steps; ++s) d += w.step(s).get(PeopleCounter::Deaths);
    return static_cast<double>(d);
  };
  const double all = deaths_with("0"), part = deaths_with("0.4");
  // About 2,000 deaths without the share: 0.6 of them within 4 standard deviations.
  CHECK(all > 1500);
  CHECK(part / all == Approx(0.6).margin(4 * std::sqrt(0.6 * 0.4 / all) + 4 * std::sqrt(1.0 / all)));
}

TEST_CASE("a configured death probability comes out as configured") {
  const double q = 0.05;
  // No beds, so no deaths in hospital after admission: all deaths are life-table deaths.
  auto root = default_config({"population.size=40000", "time.years=1", "run.replicates=1", "demography.closed_population=true",
                              "demography.mortality.annual_death_probability=0.05", "demography.mortality.rr={}",
                              "demography.mortality.rr_deprivation_quintile=[1,1,1,1,1]", "demography.mortality.hospital_death_share=0",
                              "acute_trusts.0.general_acute_beds=0", "acute_trusts.0.escalation_beds=0",
                              "care.hospital.trolley_wait_death_probability=0"});
  Params p = Params::read(root);
  World w(p, 0);
  const double n = static_cast<double>(w.alive());
  int64_t deaths = 0;
  for (uint32_t s = 0; s < p.clock.steps; ++s) deaths += w.step(s).get(PeopleCounter::Deaths);
  const double years = p.clock.steps * p.clock.dt_years;
  const double expected_p = 1 - std::pow(1 - q, years);
  const double sd = std::sqrt(n * expected_p * (1 - expected_p));
  INFO("deaths " << deaths << " expected " << n * expected_p << " sd " << sd);
  CHECK(std::fabs(static_cast<double>(deaths) - n * expected_p) < 4 * sd);
}

TEST_CASE("a configured onset rate comes out as configured (constant hazard, closed form)") {
  const double rate = 0.2;
  std::vector<std::string> sets = {"population.size=40000", "time.years=1", "run.replicates=1", "demography.closed_population=true",
                                   "demography.mortality.annual_death_probability=0", "conditions.asthma.prevalence=0",
                                   "conditions.asthma.onset_per_year=0.2", "conditions.asthma.recovery_per_year=0"};
  for (const auto& s : plain_state("conditions.asthma")) sets.push_back(s);
  Params p = Params::read(default_config(sets));
  World w(p, 0);
  const double n = static_cast<double>(w.alive());
  CHECK(w.initial_census().get(state_counter(static_cast<int>(State::Asthma))) == 0);
  Tally last;
  int64_t new_cases = 0, deaths = 0;
  for (uint32_t s = 0; s < p.clock.steps; ++s) {
    last = w.step(s);
    new_cases += last.get(onset_counter(static_cast<int>(State::Asthma)));
    deaths += last.get(PeopleCounter::Deaths);
  }
  // Nobody recovers, and the only deaths are after admissions: every case at the end is
  // a counted new case, and the new cases not there at the end died.
  const int64_t at_end = last.get(state_counter(static_cast<int>(State::Asthma)));
  CHECK(new_cases >= at_end);
  CHECK(new_cases <= at_end + deaths);
  CHECK(new_cases - at_end < at_end / 50);
  const double expected = 1 - std::exp(-rate * p.clock.steps * p.clock.dt_years);
  const double got = static_cast<double>(last.get(state_counter(static_cast<int>(State::Asthma)))) / n;
  INFO("fraction " << got << " expected " << expected);
  CHECK(std::fabs(got - expected) < 4 * std::sqrt(expected * (1 - expected) / n));
}

TEST_CASE("relative risks redistribute prevalence without changing the band average") {
  // Damp: 5% in every age band; tenure and deprivation multipliers move it between people.
  Params p = Params::read(default_config({"population.size=60000", "time.years=0.1"}));
  World w(p, 0);
  const auto& t = w.initial_census();
  const double n = static_cast<double>(t.get(PeopleCounter::Population));
  const double damp = static_cast<double>(t.get(state_counter(static_cast<int>(State::DampHome)))) / n;
  CHECK(std::fabs(damp - 0.05) < 4 * std::sqrt(0.05 * 0.95 / n));
  // ... and the most deprived quintile has more damp than the least deprived.
  auto share = [&](int q) {
    return static_cast<double>(t.get(state_counter(static_cast<int>(State::DampHome)), q)) /
           static_cast<double>(t.get(PeopleCounter::Population, q));
  };
  CHECK(share(1) > 1.5 * share(5));
}

TEST_CASE("a larger population starts with the same first people (ids key every draw)") {
  Params small = Params::read(small_config({"population.size=2000"}));
  Params large = Params::read(small_config({"population.size=2500"}));
  World a(small, 0), b(large, 0);
  const People& x = a.people();
  const People& y = b.people();
  REQUIRE(x.size() == 2000);
  for (size_t i = 0; i < x.size(); ++i) {
    REQUIRE(x.id[i] == y.id[i]);
    REQUIRE(x.birth_day[i] == y.birth_day[i]);
    REQUIRE(x.neighbourhood[i] == y.neighbourhood[i]);
    REQUIRE(x.tenure[i] == y.tenure[i]);
  }
  // States drawn with normalised relative risks depend on band means, which depend
  // slightly on who else is in the band; most people's states are still the same.
  size_t same = 0;
  for (size_t i = 0; i < x.size(); ++i) same += x.states[i] == y.states[i] && x.alcohol[i] == y.alcohol[i];
  CHECK(same > 0.95 * static_cast<double>(x.size()));
}

TEST_CASE("the same config run twice is identical, and a change that touches nothing changes nothing") {
  auto base = run_experiment(experiment(small_config()), 2);
  auto again = run_experiment(experiment(small_config()), 2);
  CHECK(base.scenarios[0].steps == again.scenarios[0].steps);
  // A description is not a model parameter.
  auto described = run_experiment(experiment(small_config({"description=another words"})), 2);
  CHECK(base.scenarios[0].steps == described.scenarios[0].steps);
}

TEST_CASE("levers move outcomes the right way", "[long]") {
  auto final_count = [](const std::vector<std::string>& sets, Counter c) {
    auto e = experiment(small_config(sets));
    auto r = run_experiment(e, 2);
    double sum = 0;
    for (const auto& rep : r.scenarios[0].steps) sum += static_cast<double>(rep.back().get(c));
    return sum;
  };
  const std::vector<std::string> base = {"population.size=20000", "time.years=4", "run.replicates=2"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), base.begin(), base.end());
    return extra;
  };
  const Counter asthma = state_counter(static_cast<int>(State::Asthma));
  // More damp homes -> more asthma (damp is a relative risk for asthma onset).
  CHECK(final_count(with({"determinants.damp_home.onset_per_year=0.3"}), asthma) >
        final_count(with({"determinants.damp_home.onset_per_year=0.0"}), asthma));
  // Higher mortality -> fewer people.
  CHECK(final_count(with({"demography.mortality.rr_deprivation_quintile=[3,3,3,3,3]", "demography.mortality.normalise_rr=false"}),
                    PeopleCounter::Population) < final_count(with({}), PeopleCounter::Population));
  // Faster smoking cessation -> fewer smokers.
  const Counter smokers = state_counter(static_cast<int>(State::Smoker));
  CHECK(final_count(with({"determinants.smoker.recovery_per_year=0.3"}), smokers) <
        final_count(with({}), smokers));
}

TEST_CASE("compaction keeps id order and every column") {
  Params p = Params::read(small_config({"population.size=3000"}));
  World w(p, 0);
  for (uint32_t s = 0; s < p.clock.steps; ++s) w.step(s);  // 2 years: compacted twice
  const People& x = w.people();
  for (size_t i = 0; i < x.size(); ++i) REQUIRE(x.alive(i));
  w.check_invariants();
}

TEST_CASE("admissions by cause: the health events' counts add up to the emergency admissions, the ACSC ones and A&E") {
  Params p = Params::read(small_config({"population.size=8000", "time.years=1"}));
  World w(p, 0);
  int64_t total = 0;
  for (uint32_t s = 0; s < p.clock.steps; ++s) {
    const Tally t = w.step(s);
    int64_t all = 0, acsc = 0, deaths = 0, ae = 0;
    for (size_t c = 0; c < std::min(p.care.events.size(), kCauses); ++c) {
      all += t.get_cause(CauseRow::EmergencyAdmissions, c);
      if (p.care.events[c].acsc) acsc += t.get_cause(CauseRow::EmergencyAdmissions, c);
      deaths += t.get_cause(CauseRow::DeathsAfterAdmission, c);
      ae += t.get_cause(CauseRow::AeAttendances, c);
    }
    CHECK(ae == t.get(CareCounter::AeAttendances));
    // Deaths by quintile, sex and age band add up to deaths by sex and age band.
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (size_t b = 0; b < kAgeBands; ++b) {
        int64_t d = 0;
        for (uint8_t qq = 1; qq <= 5; ++qq) d += t.deaths(qq, sex, b);
        CHECK(d == t.get(PeopleCounter::Deaths, sex, b));
      }
    CHECK(all == t.get(CareCounter::EmergencyAdmissions));
    CHECK(acsc == t.get(CareCounter::AcscAdmissions));
    CHECK(deaths <= t.get(PeopleCounter::InHospitalDeaths));
    total += all;
  }
  CHECK(total > 100);
}
