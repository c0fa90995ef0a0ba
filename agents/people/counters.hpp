#pragma once
// What the model counts about people in a step. Within a step every module adds integer
// counts to a Tally (by deprivation quintile), so totals are exact and do not depend on
// thread or rank count; the published metrics (model/sim/metrics.hpp) are computed from
// tallies when results are written.
#include <algorithm>
#include <array>
#include <cstdint>

#include "agents/people/people.hpp"

namespace hscsim {

enum class Counter : uint16_t {
  Population,     //!< stock: alive at the end of the step
  Births,         //!< flow
  Deaths,         //!< flow
  Emigrants,      //!< flow: left the place
  Immigrants,     //!< flow: arrived
  AgeDays,        //!< stock: sum of ages of the living [days]
  AlcoholIncreasing, AlcoholDependent,
  FrailMild, FrailModerate, FrailSevere,
  // Care flows (in the step)
  GpAppointments, GpVirtual, GpUnmet, GpWaitDays, OutpatientAttendances, AeAttendances, EmergencyAdmissions,
  AcscAdmissions, ElectiveAdmissions, DayCases, ElectiveCancelled, Readmissions, BedDays, DelayedBedDays, EmergencyBedDays,
  InHospitalDeaths, Discharges, TrolleyWaits, StepDays, HomeCareMinutes, ReablementStarts, CareHomeAdmissions, ThirdSectorContacts,
  ThirdSectorUnmet, CostPrimaryPence, CostAcutePence, CostSocialPence, CostThirdPence,
  InterventionEnrolments, CostInterventionsPence,  //!< (intervention costs are also in their sector)
  InterventionMembers,  //!< people in a programme during the step (counted at enrolment)
  MutualAidAdmissions,  //!< emergency admissions to a partner trust (acute mutual aid)
  // Finance (place totals, quintile 0 only; pence)
  FinPaymentsPence, FinProviderIncomePence, FinProviderCostPence, FinBillingAdminPence, FinOutcomePaymentsPence,
  FinSharedSavingsPence, FinInvestorNetPence, ProvidersWithdrawn,
  // Care stocks (end of the step)
  InHospital, DelayedDischarges, ElectiveList, ElectiveOver18Weeks, CareHomeResidents, HomeCarePackages,
  InReablement, WaitingSocialCare, GpWaiting, WellbeingMilli, UtilityMilli,
  StateBase,      //!< then one stock counter per binary state
  Count = StateBase + kStateCount
};
inline constexpr size_t kCounterCount = static_cast<size_t>(Counter::Count);

//! The stocks: counted by the census at the end of a step (after StateBase, one per binary
//! state, all stocks), except ProvidersWithdrawn, which finance sets after the census.
//! Every other counter is a flow, counted as things happen in the step.
//! The kind is declared here, not implied by where a counter sits in the enum.
inline constexpr Counter kStockCounters[] = {
    Counter::Population,        Counter::AgeDays,          Counter::AlcoholIncreasing, Counter::AlcoholDependent,
    Counter::FrailMild,         Counter::FrailModerate,    Counter::FrailSevere,       Counter::InHospital,
    Counter::DelayedDischarges, Counter::ElectiveList,     Counter::ElectiveOver18Weeks, Counter::CareHomeResidents,
    Counter::HomeCarePackages,  Counter::InReablement,     Counter::WaitingSocialCare, Counter::GpWaiting,
    Counter::WellbeingMilli,    Counter::UtilityMilli,     Counter::ProvidersWithdrawn};
constexpr bool is_stock(Counter c) {
  if (c >= Counter::StateBase) return true;
  for (Counter s : kStockCounters)
    if (s == c) return true;
  return false;
}
constexpr Counter state_counter(int s) { return static_cast<Counter>(static_cast<int>(Counter::StateBase) + s); }

//! Standard abridged life-table age bands: 0, 1-4, 5-9, ..., 85-89, 90+ (20 bands).
inline constexpr size_t kAgeBands = 20;
inline constexpr int kAgeBandFrom[kAgeBands] = {0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90};
inline size_t age_band(int age_years) {
  // Without branches on the usual path: the census calls it for every person.
  if (age_years < 5) return age_years >= 1;
  return std::min<size_t>(kAgeBands - 1, static_cast<size_t>(age_years / 5) + 1);
}

//! Integer counts for one step: [counter][0 = all, 1..5 = deprivation quintile], and
//! the population (at the end of the step) and deaths (in the step) by sex and age band,
//! from which life tables and age structures are computed.
struct Tally {
  std::array<int64_t, kCounterCount * 6> v{};
  std::array<int64_t, 2 * kAgeBands> population_by_age_sex{};  //!< [sex * kAgeBands + band]
  std::array<int64_t, 2 * kAgeBands> deaths_by_age_sex{};      //!< [sex * kAgeBands + band]
  void add_alive(uint8_t sex, int age_years) { ++population_by_age_sex[sex * kAgeBands + age_band(age_years)]; }
  //! Counts a death (all ages and the person's quintile) with its age and sex.
  void add_death(uint8_t quintile, uint8_t sex, int age_years) {
    add(Counter::Deaths, quintile);
    ++deaths_by_age_sex[sex * kAgeBands + age_band(age_years)];
  }
  //! Adds n to counter c for the whole population and, for quintile 1..5, to that
  //! quintile (quintile 0: the whole population only).
  void add(Counter c, uint8_t quintile, int64_t n = 1) {
    const size_t k = static_cast<size_t>(c) * 6;
    v[k] += n;
    if (quintile) v[k + quintile] += n;
  }
  int64_t get(Counter c, int quintile = 0) const { return v[static_cast<size_t>(c) * 6 + static_cast<size_t>(quintile)]; }
  Tally& operator+=(const Tally& o) {
    for (size_t k = 0; k < v.size(); ++k) v[k] += o.v[k];
    for (size_t k = 0; k < population_by_age_sex.size(); ++k) {
      population_by_age_sex[k] += o.population_by_age_sex[k];
      deaths_by_age_sex[k] += o.deaths_by_age_sex[k];
    }
    return *this;
  }
  bool operator==(const Tally&) const = default;
};

namespace detail {
constexpr std::array<uint64_t, 256> byte_spread() {
  std::array<uint64_t, 256> s{};
  for (unsigned v = 0; v < 256; ++v)
    for (unsigned j = 0; j < 8; ++j) s[v] |= static_cast<uint64_t>(v >> j & 1) << (8 * j);
  return s;
}
}  // namespace detail

//! Yes/no stocks of many people counted by deprivation quintile, eight to a 64-bit word
//! (a byte per stock), so that counting a person costs a few table look-ups and adds
//! instead of a branch and two memory updates per stock. The bytes are added to a Tally
//! before they can overflow (every 255 people) and by flush().
//! Bits of the census's yes/no stocks per person: the risk factors (binary states, then
//! derived factors), the care stocks, and one for everyone (model/sim/world.cpp).
inline constexpr int kCensusBits = kFactorCount + kCareStockCount + 1;
static_assert(kCensusBits <= 64, "the census's yes/no stocks (states, derived factors, care stocks) exceed one 64-bit "
                                 "word: count the extra stocks with a second StockTally");
class StockTally {
 public:
  //! Eight stocks a word, as many words as the census needs (derived, not a fixed room).
  static constexpr int kWords = (kCensusBits + 7) / 8;
  static constexpr int kStocks = 8 * kWords;
  //! Counter::Count: the bit counts nothing.
  using Map = std::array<Counter, kStocks>;
  //! Bit b of the bits given to add() counts into counter map[b].
  explicit StockTally(const Map& map) : map_(map) {}
  //! Counts one person of `quintile` (1..5) with the stocks set in `bits`.
  void add(uint8_t quintile, uint64_t bits, Tally& t) {
    auto& w = words_[quintile];
    for (int k = 0; k < kWords; ++k) w[static_cast<size_t>(k)] += kSpread[(bits >> (8 * k)) & 0xFF];
    if (++pending_ == 255) flush(t);
  }
  //! Adds the counts so far to t (whole population and quintile) and clears them.
  void flush(Tally& t);

 private:
  //! Byte j of kSpread[v] is bit j of v.
  static constexpr std::array<uint64_t, 256> kSpread = detail::byte_spread();
  const Map& map_;
  std::array<std::array<uint64_t, kWords>, 6> words_{};
  int pending_ = 0;
};

}  // namespace hscsim
