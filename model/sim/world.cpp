#include "model/sim/world.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <fmt/format.h>

#include "agents/care/counters.hpp"
#include "agents/demography/counters.hpp"
#include "agents/finance/counters.hpp"
#include "agents/interventions/metrics.hpp"
#include "agents/states/counters.hpp"
#include "agents/wellbeing/counters.hpp"
#include "model/core/archive.hpp"
#include "model/core/comm.hpp"
#include "model/core/errors.hpp"

namespace hscsim {
namespace {
// Nearest integer, halves away from zero (std::llround without the library call).
int64_t round_to_int(double x) { return x >= 0 ? static_cast<int64_t>(x + 0.5) : -static_cast<int64_t>(0.5 - x); }

constexpr size_t kGrain = 2048;  // people per task: large enough to amortise scheduling

template <typename Body>
void parallel_slots(size_t n, Body&& body) {
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, kGrain),
                    [&](const tbb::blocked_range<size_t>& r) { body(r.begin(), r.end()); });
}
}  // namespace

std::vector<ProviderGroup> published_groups(const Params& p) {
  auto out = p.providers.groups(&programme_metrics());
  const Finance finance(p.finance, p.providers, p.geography, p.clock);
  for (auto& g : finance_groups(p.finance, finance.layout())) out.push_back(std::move(g));
  return out;
}

World::World(const Params& p, uint32_t replicate, bool decompose)
    : p_(p),
      streams_(p.run.seed, replicate),
      synth_(p.population, p.geography),
      states_(p.states, p.clock.dt_years),
      demography_(p.demography),
      care_(p.care, p.geography, p.clock, p.providers),
      programmes_(p.interventions, p.care.events.size(), p.geography, p.clock, streams_),
      finance_(p.finance, care_.layout(), p.geography, p.clock),
      wellbeing_(p.wellbeing) {
  states_.use(programmes_);
  demography_.use(programmes_);
  care_.use(programmes_);
  care_.log_admissions(finance_.tracing());
  const int32_t day0 = p.clock.first_day();  // the start of burn-in, if any
  if (decompose && comm::size() > 1) {
    // Each rank builds only its own people; what is computed over everyone goes through
    // people_.parts (model/sim/domain.hpp).
    domain_ = Domain::split(synth_.practice_counts(streams_), comm::size(), comm::rank());
    care_.set_practices_here(domain_.practices_here());
    people_ = synth_.initial(streams_, day0, domain_.practices_here());
    people_.parts = &domain_;
  } else {
    people_ = synth_.initial(streams_, day0);
  }
  const auto& dp = demography_.params();
  states_.initialise(people_, streams_, day0, {&dp.death_hazard, &dp.mortality_rr, &dp.hospital_death_share, dp.normalise_rr});
  care_.initialise(people_, streams_, day0);
  demography_.calibrate(people_, day0, p.clock.dt_years);
  next_id_ = static_cast<uint64_t>(p.population.size);  // ids 0..size-1 (on every rank)
  start_ = alive_ = p.population.size;
  initial_ = census(day0);
}

void World::adopt(const World& warm) {
  people_ = warm.people_;
  take_running_state(warm);
}

void World::adopt(World&& warm) {
  people_ = std::move(warm.people_);
  warm.people_ = People{};
  take_running_state(warm);
}

void World::take_running_state(const World& warm) {
  std::fill(people_.programmes.begin(), people_.programmes.end(), 0u);
  domain_ = warm.domain_;  // the warm world's people, split as it split them
  people_.parts = domain_.split() ? &domain_ : nullptr;
  care_.set_practices_here(domain_.practices_here());
  care_.adopt(warm.care_);
  next_id_ = warm.next_id_;
  start_ = alive_ = warm.alive_;
  born_ = arrived_ = died_ = left_ = 0;
  admitted_ = warm.admitted_;  // the books of the stays still open
  discharged_ = warm.discharged_;
  died_in_hospital_ = warm.died_in_hospital_;
  initial_ = census(p_.clock.day_at_start(p_.clock.burn_in_steps));
}

void World::state(archive::Io& io) {
  io.expect(static_cast<uint64_t>(People::bytes_per_person()), "the people's columns");
  io(people_, care_, demography_, programmes_, finance_, delivery_.withdrawn, delivery_.prevention, initial_, next_id_, start_, born_,
     arrived_, died_, left_, alive_, admitted_, discharged_, died_in_hospital_, person_steps_);
}

namespace {
// The census's yes/no stocks: bit b of the bits the census builds per person counts
// into kCensusMap[b]. The low bits are People::factors (states, then the derived
// factors), then the care stocks (People::care_stocks), then one bit for everyone.
constexpr int kCareStockShift = kFactorCount;
constexpr int kPopulationBit = kCareStockShift + kCareStockCount;
constexpr int kDiagnosedShift = kPopulationBit + 1;  //!< then the conditions' diagnosed bits
static_assert(kDiagnosedShift + kConditionCount <= StockTally::kStocks);
constexpr StockTally::Map census_map() {
  StockTally::Map m{};
  for (int s = 0; s < kStateCount; ++s) m[static_cast<size_t>(s)] = state_counter(s);
  auto derived = [&](DerivedFactor d, Counter c) { m[static_cast<size_t>(kStateCount + static_cast<int>(d))] = c; };
  derived(DerivedFactor::AlcoholIncreasing, StatesCounter::AlcoholIncreasing);
  derived(DerivedFactor::AlcoholDependent, StatesCounter::AlcoholDependent);
  derived(DerivedFactor::FrailtyMild, StatesCounter::FrailMild);
  derived(DerivedFactor::FrailtyModerate, StatesCounter::FrailModerate);
  derived(DerivedFactor::FrailtySevere, StatesCounter::FrailSevere);
  derived(DerivedFactor::ReviewOverdue, CareCounter::ReviewsOverdue);
  auto care = [&](CareStock s, Counter c) { m[static_cast<size_t>(kCareStockShift + __builtin_ctz(s))] = c; };
  care(kStockInHospital, CareCounter::InHospital);
  care(kStockInCareHome, CareCounter::CareHomeResidents);
  care(kStockWaitingSocial, CareCounter::WaitingSocialCare);
  care(kStockWaitingGp, CareCounter::GpWaiting);
  care(kStockElectiveList, CareCounter::ElectiveList);
  care(kStockHomeCare, CareCounter::HomeCarePackages);
  care(kStockDelayed, CareCounter::DelayedDischarges);
  care(kStockReablement, CareCounter::InReablement);
  care(kStockOver18Weeks, CareCounter::ElectiveOver18Weeks);
  care(kStockIntermediateCare, CareCounter::InIntermediateCare);
  m[kPopulationBit] = PeopleCounter::Population;
  for (int c = 0; c < kConditionCount; ++c) m[static_cast<size_t>(kDiagnosedShift + c)] = diagnosed_counter(kFirstCondition + c);
  return m;
}
constexpr StockTally::Map kCensusMap = census_map();
}  // namespace

Tally World::census(int32_t day, std::vector<int64_t>* provider, bool in_step) {
  // One accumulator per thread (not per task): the sums are integers, so the total does
  // not depend on how the people are split.
  struct Acc {
    Tally t;
    std::vector<int64_t> prov;
  };
  const size_t prov_size = finance_.layout().end();
  tbb::enumerable_thread_specific<Acc> local([&] { return Acc{Tally{}, std::vector<int64_t>(prov_size, 0)}; });
  parallel_slots(people_.size(), [&](size_t b, size_t e) {
    Acc& acc = local.local();
    Tally& t = acc.t;
    StockTally stocks(kCensusMap);
    // Sums by quintile: age [days], life satisfaction and utility [thousandths].
    std::array<int64_t, 6> age_days{}, wellbeing_milli{}, utility_milli{};
    for (size_t i = b; i != e; ++i) {
      if (!people_.alive(i)) continue;
      const uint8_t q = people_.quintile[i];
      const int age = people_.age_years(i, day);
      const uint64_t f = people_.factors(i);
      const uint16_t care = people_.care_stocks(i, day);
      const uint64_t diagnosed = static_cast<uint64_t>(people_.diagnosed[i] >> kFirstCondition) << kDiagnosedShift;
      stocks.add(q, f | static_cast<uint64_t>(care) << kCareStockShift | uint64_t{1} << kPopulationBit | diagnosed, t);
      age_days[q] += day - people_.birth_day[i];
      t.add_alive(q, people_.sex[i], age);
      t.add_conditions(people_.states[i], people_.diagnosed[i], people_.sex[i], age);
      if (care & kStockInCareHome) t.add_age_sex(CareCounter::CareHomeResidents, people_.sex[i], age);
      care_.census(people_, i, care, acc.prov);
      finance_.census(people_, i, age, people_.conditions(i), acc.prov);
      // 7. Wellbeing: life satisfaction (kept in the column, as a float) and utility.
      const auto [ls_now, utility] = wellbeing_.life_satisfaction_and_utility(people_, i, age, f, care);
      if (in_step) people_.wellbeing[i] = static_cast<float>(ls_now);
      const float ls = people_.wellbeing[i];
      wellbeing_milli[q] += round_to_int(1000.0 * (std::isnan(ls) ? ls_now : static_cast<double>(ls)));
      utility_milli[q] += round_to_int(1000.0 * utility);
    }
    stocks.flush(t);
    for (uint8_t q = 1; q <= 5; ++q) {
      t.add(PeopleCounter::AgeDays, q, age_days[q]);
      t.add(WellbeingCounter::WellbeingMilli, q, wellbeing_milli[q]);
      t.add(WellbeingCounter::UtilityMilli, q, utility_milli[q]);
    }
  });
  Tally out;
  if (provider) provider->resize(prov_size, 0);
  for (const auto& acc : local) {
    out += acc.t;
    if (provider)
      for (size_t k = 0; k < prov_size; ++k) (*provider)[k] += acc.prov[k];
  }
  if (!in_step) domain_.sum(out);  // (in a step, the step sums its tally with its flows)
  return out;
}

size_t World::add_arrivals(uint32_t s, int32_t day, const std::vector<BirthEvent>& births) {
  // Babies first, in their mothers' id order (over every rank); then immigrants. Ids are
  // handed out in this order, so they do not depend on threads or ranks.
  std::vector<uint64_t> mothers(births.size());
  for (size_t k = 0; k < births.size(); ++k) mothers[k] = people_.id[births[k].mother_slot];
  uint64_t n_births = 0;  // every rank's
  const std::vector<uint64_t> baby_id = domain_.baby_ids(mothers, next_id_, n_births);
  const uint64_t n_imm = demography_.immigrants(streams_, s, alive_);  // alive_: the whole population
  if (n_births == 0 && n_imm == 0) return 0;
  People add;
  add.resize(births.size() + n_imm);
  for (size_t k = 0; k < births.size(); ++k) {
    const size_t m = births[k].mother_slot;
    add.id[k] = baby_id[k];
    add.birth_day[k] = day;
    add.sex[k] = births[k].sex;
    add.quintile[k] = people_.quintile[m];
    add.neighbourhood[k] = people_.neighbourhood[m];
    add.practice[k] = people_.practice[m];
    add.tenure[k] = people_.tenure[m];
    add.states[k] = births[k].mother_states;  // housing states are kept (same home); the rest are redrawn
    add.vital[k] = static_cast<uint8_t>(Vital::Alive);
    add.setting[k] = static_cast<uint8_t>(Setting::Community);
    add.wellbeing[k] = std::numeric_limits<float>::quiet_NaN();
    add.clear_care(k);
    states_.initialise_one(add, k, streams_, day, true);
  }
  // Immigrants are drawn on every rank alike; each stays on their practice's.
  std::vector<uint8_t> keep(add.size(), 1);
  for (size_t k = births.size(); k < add.size(); ++k) {
    add.id[k] = next_id_ + n_births + (k - births.size());
    synth_.demographics(add, k, streams_, day);
    if (!(keep[k] = domain_.here(add.practice[k]))) continue;
    synth_.tenure(add, k, streams_);
    states_.initialise_one(add, k, streams_, day, false);
  }
  if (domain_.split()) add.keep_if(keep);
  next_id_ += n_births + n_imm;
  born_ += static_cast<int64_t>(n_births);
  arrived_ += static_cast<int64_t>(n_imm);
  alive_ += static_cast<int64_t>(n_births + n_imm);
  people_.append(add);
  return births.size();
}

Tally World::step(uint32_t s, std::vector<int64_t>& provider) {
  const int32_t day = p_.clock.day_at_start(s), day_end = p_.clock.day_at_start(s + 1);
  person_steps_ += static_cast<uint64_t>(alive_);
  // The life table holds in each age-sex band at the start of the reported period: after
  // a shared burn-in the mortality normalisers are fixed again from the people in their
  // running state (care-home residents, frailty and conditions as the flows hold them,
  // not as they were drawn), identically in every scenario.
  if (s == p_.clock.burn_in_steps && s > 0) demography_.calibrate(people_, day, p_.clock.dt_years);
  // Reviews due before this day are overdue for the whole step (the risk factor
  // review_overdue, which every module's hazards may name).
  people_.review_overdue_before = day - static_cast<int32_t>(std::lround(p_.care.gp_review_overdue_after_days));
  Tally flows = demography_and_transitions(s, day);        // 1-4, and 2's arrivals
  provider.assign(finance_.layout().end(), 0);
  enrol(s, day, day_end, flows, provider);                  // 4b
  CareRequests requests = seek_care(s, day);                // 5
  allocate_care(s, day, requests, flows, provider);         // 6
  if (domain_.rank() == 0) flows.add(PeopleCounter::StepDays, 0, day_end - day);  // once, over ranks
  Tally t = census(day_end, &provider, true);               // 7-8
  t += flows;  // the census counts only stocks, the step only flows
  domain_.sum(t);  // the whole population's, on every rank
  domain_.sum(provider);
  care_.observe(provider, s);                               // commissioning rules (capacity plan)
  finance_.count_outcomes(people_, programmes_, s, day, day_end, care_.admissions_logged());  // 8b
  finance_.settle(s, day, day_end, provider, t, people_, programmes_);
#if defined(HSCSIM_INVARIANTS) || !defined(NDEBUG)
  check_invariants();
#endif
  // 9. Housekeeping.
  if (p_.clock.steps_per_year > 0 && (s + 1) % p_.clock.steps_per_year == 0) people_.compact();
  return t;
}

Tally World::demography_and_transitions(uint32_t s, int32_t day) {
  const size_t n = people_.size();
  struct Local {
    Tally tally;
    std::vector<BirthEvent> births;
  };
  // 1 and 3-4 for the people already here share one pass and one set of lanes per
  // person (demography first, then the state transitions of those still here).
  // Arrivals (2) join in between and get their transitions after it: the result is the
  // same as running the modules one by one, since nobody's demography depends on anyone
  // else's states, and babies keep their mother's housing states from before her
  // transitions (BirthEvent::mother_states).
  tbb::enumerable_thread_specific<Local> local;
  auto count_onsets = [&](Tally& t) {
    return [&t, this](size_t i, uint32_t gained) {
      for (uint32_t c = gained; c; c &= c - 1) t.add(onset_counter(__builtin_ctz(c)), people_.quintile[i]);
    };
  };
  parallel_slots(n, [&](size_t b, size_t e) {
    Local& l = local.local();
    states_.step(
        people_, b, e, streams_, s, day,
        [&](size_t i, Lanes& u) { return demography_.step_person(people_, i, u, day, l.tally, l.births); },
        count_onsets(l.tally));
  });
  Tally flows;
  std::vector<BirthEvent> births;
  for (auto& l : local) {
    flows += l.tally;
    births.insert(births.end(), l.births.begin(), l.births.end());
  }
  std::sort(births.begin(), births.end(), [](const BirthEvent& a, const BirthEvent& b) { return a.mother_slot < b.mother_slot; });
  int64_t gone[2] = {flows.get(PeopleCounter::Deaths), flows.get(DemographyCounter::Emigrants)};
  domain_.sum(gone, 2);  // the whole population's (immigrants are drawn from it)
  died_ += gone[0];
  left_ += gone[1];
  alive_ -= gone[0] + gone[1];

  // 2. Arrivals.
  const size_t babies = add_arrivals(s, day, births);
  for (size_t i = n + babies; i < people_.size(); ++i) flows.add(DemographyCounter::Immigrants, people_.quintile[i]);

  // 3-4. Determinants, then conditions, for the arrivals (see 1 for everyone else).
  tbb::enumerable_thread_specific<Tally> arrivals;
  parallel_slots(people_.size() - n, [&](size_t b, size_t e) {
    states_.step(people_, n + b, n + e, streams_, s, day, [](size_t, Lanes&) { return true; }, count_onsets(arrivals.local()));
  });
  for (const auto& t : arrivals) flows += t;
  return flows;
}

void World::enrol(uint32_t s, int32_t day, int32_t day_end, Tally& flows, std::vector<int64_t>& provider) {
  // The withdrawals and propensities that follow from the contracts in force (settled
  // at the end of the last step).
  std::vector<double> admission, referral, stay;
  finance_.delivery(day, delivery_, admission, referral, stay);
  care_.set_propensities(std::move(admission), std::move(referral), std::move(stay));
  programmes_.enrol(people_, streams_, s, day, day_end, delivery_, care_.layout(), flows, provider);
}

CareRequests World::seek_care(uint32_t s, int32_t day) {
  // Parallel; each person writes only their own state.
  tbb::enumerable_thread_specific<CareRequests> requests([&] {
    CareRequests r;
    r.clear(p_.geography, care_.layout().size());
    return r;
  });
  parallel_slots(people_.size(), [&](size_t b, size_t e) { care_.seek(people_, b, e, streams_, s, day, requests.local()); });
  CareRequests all;
  all.clear(p_.geography, care_.layout().size());
  for (const auto& r : requests) all.merge(r);
  return all;
}

void World::allocate_care(uint32_t s, int32_t day, CareRequests& requests, Tally& flows, std::vector<int64_t>& provider) {
  // Deterministic; GP practices in parallel, the other providers serially.
  const int64_t deaths_before_care = flows.get(PeopleCounter::Deaths);
  care_.allocate_primary(people_, requests, streams_, s, day, programmes_.place_effects(day), flows, provider);
  int64_t care_deaths = 0;
  // The books of admissions: this step's flows so far, over every rank.
  std::array<int64_t, 5> books{};
  const auto add_books = [&books](const Tally& t) {
    books[0] += t.get(CareCounter::EmergencyAdmissions) + t.get(CareCounter::ElectiveAdmissions) - t.get(CareCounter::DayCases);
    books[1] += t.get(CareCounter::Discharges);
    books[2] += t.get(PeopleCounter::InHospitalDeaths) - t.get(CareCounter::TrolleyWaitDeaths);
  };
  if (!domain_.split()) {
    care_.allocate_shared(people_, requests, streams_, s, day, flows, provider);
    care_deaths = flows.get(PeopleCounter::Deaths) - deaths_before_care;  // deaths in hospital at discharge
    add_books(flows);
  } else {
    // The shared providers: every rank allocates the same gathered rows and requests; the
    // counts are kept once, on rank 0 (model/sim/domain.hpp).
    Domain::Ghosts g = domain_.gather(people_, requests);
    requests = CareRequests{};
    Tally shared;
    std::vector<int64_t> shared_provider(provider.size(), 0);
    // The programmes' effects on these decisions read the gathered people's records.
    const auto records = programmes_.size() > 0 ? domain_.gather_records(g, programmes_) : std::vector<std::vector<Enrolment>>{};
    const Modifiers effects = programmes_.over(records);
    if (programmes_.size() > 0) care_.use(effects);
    care_.allocate_shared(g.people, g.requests, streams_, s, day, shared, shared_provider);
    care_.use(programmes_);
    Domain::scatter(people_, g);
    care_deaths = shared.get(PeopleCounter::Deaths);
    add_books(flows);
    domain_.sum(books.data(), books.size());
    add_books(shared);
    if (domain_.rank() == 0) {
      flows += shared;
      for (size_t k = 0; k < provider.size(); ++k) provider[k] += shared_provider[k];
    }
  }
  died_ += care_deaths;
  alive_ -= care_deaths;
  admitted_ += books[0];
  discharged_ += books[1];
  // Deaths of admitted patients: those who died waiting for a bed were never admitted.
  died_in_hospital_ += books[2];
}

void World::check_invariants() const {
  if (alive_ + died_ + left_ != start_ + born_ + arrived_)
    throw RuntimeFailure(fmt::format("invariant broken: alive {} + died {} + left {} != start {} + born {} + arrived {}",
                                     alive_, died_, left_, start_, born_, arrived_));
  int64_t counted = 0;
  for (size_t i = 0; i < people_.size(); ++i) {
    if (i > 0 && people_.id[i] <= people_.id[i - 1])
      throw RuntimeFailure(fmt::format("invariant broken: ids not increasing at slot {}", i));
    if (!people_.alive(i)) continue;
    ++counted;
    if (people_.quintile[i] < 1 || people_.quintile[i] > 5)
      throw RuntimeFailure(fmt::format("invariant broken: person {} has quintile {}", people_.id[i], people_.quintile[i]));
    if (const uint32_t st = people_.states[i]; st != states::apply_requires(st)) {
      const int s = __builtin_ctz(st ^ states::apply_requires(st));
      const auto& info = kStateInfo[static_cast<size_t>(s)];
      throw RuntimeFailure(fmt::format("invariant broken: person {} has {} without {}", people_.id[i], info.name, info.requires_));
    }
    if (people_.diagnosed[i] & ~people_.states[i])
      throw RuntimeFailure(fmt::format("invariant broken: person {} has a diagnosis of {} without the condition", people_.id[i],
                                       kStateInfo[static_cast<size_t>(__builtin_ctz(people_.diagnosed[i] & ~people_.states[i]))].name));
    if (people_.alcohol[i] > 2 || people_.frailty[i] > 3)
      throw RuntimeFailure(fmt::format("invariant broken: person {} has an ordinal level out of range", people_.id[i]));
  }
  int64_t in_hospital = 0;
  for (size_t i = 0; i < people_.size(); ++i)
    in_hospital += people_.alive(i) && people_.setting[i] == static_cast<uint8_t>(Setting::Hospital);
  int64_t whole[2] = {counted, in_hospital};  // over every rank
  domain_.sum(whole, 2);
  counted = whole[0];
  in_hospital = whole[1];
  if (counted != alive_)
    throw RuntimeFailure(fmt::format("invariant broken: {} people alive in storage but {} by the books", counted, alive_));
  // Beds: bed days used within beds + escalation; every admission ended in a discharge
  // or a death, or is still in hospital.
  care_.check_invariants();
  finance_.check_invariants();
  if (admitted_ != discharged_ + died_in_hospital_ + in_hospital)
    throw RuntimeFailure(fmt::format("invariant broken: {} admissions but {} discharges + {} deaths in hospital + {} in hospital",
                                     admitted_, discharged_, died_in_hospital_, in_hospital));
}

}  // namespace hscsim
