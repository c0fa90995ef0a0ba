#pragma once
// What the model counts about people in a step. Within a step every module adds integer
// counts to a Tally (by deprivation quintile), so totals are exact and do not depend on
// thread or rank count; the published metrics (model/sim/metrics.hpp) are computed from
// tallies when results are written.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "agents/people/people.hpp"

namespace hscsim {

// ---- The counter registry --------------------------------------------------------
// A counter is declared by the module that counts it: an enum class ending in `Count`,
// with a CounterTraits specialisation naming its block and its stocks (everything else
// is a flow). This file only lists the blocks, one row per counting module, each with
// the room it has in a Tally (a little over what it declares today: the Tally is copied
// and summed per thread, so room is not free); a module that outgrows its room fails
// to compile. So a new flow or stock is one enum line in its module (plus its metric
// declaration and the code that counts it), and a new counting module is one row here.
//! The conditions are consecutive states (the census takes their bits as one run).
inline constexpr int kFirstCondition = __builtin_ctz(states::kConditions);
inline constexpr int kConditionCount = __builtin_popcount(states::kConditions);
static_assert(states::kConditions == ((uint32_t{1} << kConditionCount) - 1) << kFirstCondition,
              "the census takes the conditions' bits as one run: declare conditions together");

enum class CounterBlock : uint8_t { People, StateStocks, DiagnosedStocks, StateOnsets, Demography, States, SectorCosts, Care, Interventions, Finance, Wellbeing };
struct CounterBlockInfo {
  std::string_view module;  //!< the module that declares the block's enum
  uint16_t capacity;        //!< counters it may declare
  uint16_t age_sex = 0;     //!< of which may have a breakdown by sex and age band (CounterTraits::by_age_sex)
};
inline constexpr std::array<CounterBlockInfo, 11> kCounterBlocks = {{
    {"people (PeopleCounter, below)", 7, 5},
    {"people (one stock per binary state, state_counter; conditions by age and sex)", static_cast<uint16_t>(kStateCount),
     static_cast<uint16_t>(kConditionCount)},
    {"people (one stock per binary state, diagnosed: diagnosed_counter; conditions by age and sex)",
     static_cast<uint16_t>(kStateCount), static_cast<uint16_t>(kConditionCount)},
    {"states (one flow per binary state, new cases: onset_counter)", static_cast<uint16_t>(kStateCount)},
    {"demography (DemographyCounter)", 4},
    {"states (StatesCounter)", 6},
    {"geography (sector_cost, one per provider kind)", 6},
    {"care (CareCounter)", 56, 10},
    {"interventions (InterventionCounter)", 4},
    {"finance (FinanceCounter)", 10},
    {"wellbeing (WellbeingCounter)", 3},
}};
constexpr uint16_t counter_block_offset(CounterBlock b) {
  uint16_t o = 0;
  for (size_t k = 0; k < static_cast<size_t>(b); ++k) o = static_cast<uint16_t>(o + kCounterBlocks[k].capacity);
  return o;
}
inline constexpr size_t kCounterCount = counter_block_offset(CounterBlock::Wellbeing) + kCounterBlocks.back().capacity;
//! First breakdown row of block b (rows of [sex][age band] counts in Tally::by_age_sex).
constexpr uint16_t age_sex_block_offset(CounterBlock b) {
  uint16_t o = 0;
  for (size_t k = 0; k < static_cast<size_t>(b); ++k) o = static_cast<uint16_t>(o + kCounterBlocks[k].age_sex);
  return o;
}
inline constexpr size_t kAgeSexRows = age_sex_block_offset(CounterBlock::Wellbeing) + kCounterBlocks.back().age_sex;

//! Specialised by each counting module for its enum: `block` and `stocks` (a std::array of
//! its enumerators counted by the census or set at the end of the step), and optionally
//! `by_age_sex` (the enumerators also counted by sex and age band: Tally::add with the
//! person's sex and age).
template <class E>
struct CounterTraits;
template <class E>
concept CounterEnum = std::is_enum_v<E> && requires { CounterTraits<E>::block; CounterTraits<E>::stocks; };

template <CounterEnum E>
constexpr bool is_stock(E e) {
  for (E s : CounterTraits<E>::stocks)
    if (s == e) return true;
  return false;
}
//! Number of e's enumerators with an age-sex breakdown.
template <CounterEnum E>
constexpr size_t age_sex_declared() {
  if constexpr (requires { CounterTraits<E>::by_age_sex; }) return CounterTraits<E>::by_age_sex.size();
  return 0;
}

//! A counter's place in a Tally and its kind, from any module's counter enum.
struct Counter {
  static constexpr uint16_t kNone = 0xFFFF;
  uint16_t index = kNone;    //!< kNone: counts nothing
  uint16_t age_sex = kNone;  //!< its row in Tally::by_age_sex; kNone: no age-sex breakdown
  bool stock = false;
  constexpr Counter() = default;
  template <CounterEnum E>
  constexpr Counter(E e)  // NOLINT(google-explicit-constructor): module enums are counters
      : index(static_cast<uint16_t>(counter_block_offset(CounterTraits<E>::block) + static_cast<uint16_t>(e))),
        age_sex(age_sex_row(e)),
        stock(is_stock(e)) {
    static_assert(static_cast<uint16_t>(E::Count) <= kCounterBlocks[static_cast<size_t>(CounterTraits<E>::block)].capacity);
    static_assert(age_sex_declared<E>() <= kCounterBlocks[static_cast<size_t>(CounterTraits<E>::block)].age_sex,
                  "more age-sex breakdowns than the block's room (kCounterBlocks)");
  }
  template <CounterEnum E>
  static constexpr uint16_t age_sex_row(E e) {
    if constexpr (requires { CounterTraits<E>::by_age_sex; }) {
      for (size_t k = 0; k < CounterTraits<E>::by_age_sex.size(); ++k)
        if (CounterTraits<E>::by_age_sex[k] == e) return static_cast<uint16_t>(age_sex_block_offset(CounterTraits<E>::block) + k);
    }
    return kNone;
  }
  static constexpr Counter at(uint16_t index, bool stock) {
    Counter c;
    c.index = index;
    c.stock = stock;
    return c;
  }
  constexpr bool operator==(const Counter& o) const { return index == o.index; }
};
//! Stock counter of state s in `block`; a condition's also counts by sex and age band.
constexpr Counter state_stock(CounterBlock block, int s) {
  Counter c = Counter::at(static_cast<uint16_t>(counter_block_offset(block) + s), true);
  if (s >= kFirstCondition && s < kFirstCondition + kConditionCount)
    c.age_sex = static_cast<uint16_t>(age_sex_block_offset(block) + (s - kFirstCondition));
  return c;
}
//! The stock counter of binary state s (People::states bit s).
constexpr Counter state_counter(int s) { return state_stock(CounterBlock::StateStocks, s); }
//! The flow counter of new cases of state s (onsets in the transitions pass).
constexpr Counter onset_counter(int s) {
  return Counter::at(static_cast<uint16_t>(counter_block_offset(CounterBlock::StateOnsets) + s), false);
}
//! The stock counter of people with state s diagnosed (People::diagnosed bit s).
constexpr Counter diagnosed_counter(int s) { return state_stock(CounterBlock::DiagnosedStocks, s); }

//! Where a death happened (Tally::add_death).
enum class DeathPlace : uint8_t { Elsewhere, Hospital, CareHome };

//! What the people layer itself counts: the census's headcount and ages, deaths (with
//! their place), and the length of the step.
enum class PeopleCounter : uint16_t {
  Population,        //!< stock: alive at the end of the step
  AgeDays,           //!< stock: sum of ages of the living [days]
  Deaths,            //!< flow: all deaths
  InHospitalDeaths,  //!< flow: deaths in a hospital bed
  StepDays,          //!< flow: days in the step (quintile 0 only)
  CareHomeDeaths,    //!< flow: deaths of care-home residents in their care home
  ResidentHospitalDeaths,  //!< flow: deaths in hospital of care-home residents
  Count
};
template <>
struct CounterTraits<PeopleCounter> {
  static constexpr CounterBlock block = CounterBlock::People;
  static constexpr std::array stocks = {PeopleCounter::Population, PeopleCounter::AgeDays};
  static constexpr std::array by_age_sex = {PeopleCounter::Population, PeopleCounter::Deaths, PeopleCounter::InHospitalDeaths,
                                            PeopleCounter::CareHomeDeaths};
};

//! Standard abridged life-table age bands: 0, 1-4, 5-9, ..., 85-89, 90+ (20 bands).
inline constexpr size_t kAgeBands = 20;
inline constexpr int kAgeBandFrom[kAgeBands] = {0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90};
inline size_t age_band(int age_years) {
  // Without branches on the usual path: the census calls it for every person.
  if (age_years < 5) return age_years >= 1;
  return std::min<size_t>(kAgeBands - 1, static_cast<size_t>(age_years / 5) + 1);
}

//! The breakdown by cause: what happened after which health event (the config's
//! `health_events`, in order; events from the kCauses-th on share the last cell).
enum class CauseRow : uint8_t { EmergencyAdmissions, DeathsAfterAdmission, AeAttendances, Count };
inline constexpr size_t kCauses = 32;
inline constexpr size_t kCauseRows = static_cast<size_t>(CauseRow::Count);

//! Integer counts for one step: [counter][0 = all, 1..5 = deprivation quintile], and
//! for the counters that declare it (CounterTraits::by_age_sex) [row][sex][age band],
//! from which life tables, age structures and age-specific rates are computed.
struct Tally {
  std::array<int64_t, kCounterCount * 6> v{};
  std::array<int64_t, kAgeSexRows * 2 * kAgeBands> by_age_sex{};
  std::array<int64_t, kCauseRows * kCauses> by_cause{};  //!< [CauseRow][health event]
  //! Population (census) and deaths by deprivation quintile, sex and age band:
  //! [0 population, 1 deaths][quintile 1..5 as 0..4][sex][band] (life tables by quintile).
  std::array<int64_t, 2 * 5 * 2 * kAgeBands> by_quintile_age{};
  static size_t quintile_cell(int row, uint8_t quintile, uint8_t sex, size_t band) {
    return ((static_cast<size_t>(row) * 5 + (quintile - 1u)) * 2 + sex) * kAgeBands + band;
  }
  int64_t population(uint8_t quintile, uint8_t sex, size_t band) const { return by_quintile_age[quintile_cell(0, quintile, sex, band)]; }
  int64_t deaths(uint8_t quintile, uint8_t sex, size_t band) const { return by_quintile_age[quintile_cell(1, quintile, sex, band)]; }
  //! Counts n for health event `cause` (index in the config's health_events) in row r.
  void add_cause(CauseRow r, size_t cause, int64_t n = 1) {
    by_cause[static_cast<size_t>(r) * kCauses + std::min(cause, kCauses - 1)] += n;
  }
  int64_t get_cause(CauseRow r, size_t cause) const { return by_cause[static_cast<size_t>(r) * kCauses + cause]; }
  //! The census's headcount by sex and age (the Population stock itself is counted by quintile).
  void add_alive(uint8_t quintile, uint8_t sex, int age_years) {
    const size_t band = age_band(age_years);
    ++by_age_sex[cell(Counter(PeopleCounter::Population).age_sex, sex, band)];
    ++by_quintile_age[quintile_cell(0, quintile, sex, band)];
  }
  //! The census's conditions by sex and age band: the person's conditions (`states`) and
  //! the diagnosed ones (`diagnosed`, a subset), each a bitset of State.
  void add_conditions(uint32_t states, uint32_t diagnosed, uint8_t sex, int age_years) {
    const size_t band = age_band(age_years);
    static constexpr uint16_t kTrue = age_sex_block_offset(CounterBlock::StateStocks);
    static constexpr uint16_t kDiagnosed = age_sex_block_offset(CounterBlock::DiagnosedStocks);
    for (uint32_t c = (states & states::kConditions) >> kFirstCondition; c; c &= c - 1)
      ++by_age_sex[cell(static_cast<uint16_t>(kTrue + __builtin_ctz(c)), sex, band)];
    for (uint32_t c = (diagnosed & states::kConditions) >> kFirstCondition; c; c &= c - 1)
      ++by_age_sex[cell(static_cast<uint16_t>(kDiagnosed + __builtin_ctz(c)), sex, band)];
  }
  //! Counts a death (all ages and the person's quintile) with its age and sex, and by
  //! where it happened (a care-home resident's death in hospital
  //! also as one of theirs).
  void add_death(uint8_t quintile, uint8_t sex, int age_years, DeathPlace place, bool resident) {
    add(PeopleCounter::Deaths, quintile, sex, age_years);
    ++by_quintile_age[quintile_cell(1, quintile, sex, age_band(age_years))];
    if (place == DeathPlace::Hospital) {
      add(PeopleCounter::InHospitalDeaths, quintile, sex, age_years);
      if (resident) add(PeopleCounter::ResidentHospitalDeaths, quintile);
    } else if (place == DeathPlace::CareHome) {
      add(PeopleCounter::CareHomeDeaths, quintile, sex, age_years);
    }
  }
  //! Adds n to counter c for the whole population and, for quintile 1..5, to that
  //! quintile (quintile 0: the whole population only).
  void add(Counter c, uint8_t quintile, int64_t n = 1) {
    const size_t k = static_cast<size_t>(c.index) * 6;
    v[k] += n;
    if (quintile) v[k + quintile] += n;
  }
  //! The same, and to c's age-sex breakdown (if it has one) for a person of this sex and age.
  void add(Counter c, uint8_t quintile, uint8_t sex, int age_years, int64_t n = 1) {
    add(c, quintile, n);
    if (c.age_sex != Counter::kNone) by_age_sex[cell(c.age_sex, sex, age_band(age_years))] += n;
  }
  //! Only to c's age-sex breakdown (a stock whose totals the census's StockTally counts).
  void add_age_sex(Counter c, uint8_t sex, int age_years) { ++by_age_sex[cell(c.age_sex, sex, age_band(age_years))]; }
  int64_t get(Counter c, int quintile = 0) const { return v[static_cast<size_t>(c.index) * 6 + static_cast<size_t>(quintile)]; }
  //! Counter c (which has an age-sex breakdown) for sex and age band.
  int64_t get(Counter c, uint8_t sex, size_t band) const { return by_age_sex[cell(c.age_sex, sex, band)]; }
  static size_t cell(uint16_t row, uint8_t sex, size_t band) { return (static_cast<size_t>(row) * 2 + sex) * kAgeBands + band; }
  Tally& operator+=(const Tally& o) {
    for (size_t k = 0; k < v.size(); ++k) v[k] += o.v[k];
    for (size_t k = 0; k < by_age_sex.size(); ++k) by_age_sex[k] += o.by_age_sex[k];
    for (size_t k = 0; k < by_cause.size(); ++k) by_cause[k] += o.by_cause[k];
    for (size_t k = 0; k < by_quintile_age.size(); ++k) by_quintile_age[k] += o.by_quintile_age[k];
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
//! The conditions are consecutive states; their diagnosed bits follow the population bit.
inline constexpr int kCensusBits = kFactorCount + kCareStockCount + 1 + kConditionCount;
static_assert(kCensusBits <= 64, "the census's yes/no stocks (states, derived factors, care stocks, diagnoses) exceed one 64-bit "
                                 "word: count the extra stocks with a second StockTally");
class StockTally {
 public:
  //! Eight stocks a word, as many words as the census needs (derived, not a fixed room).
  static constexpr int kWords = (kCensusBits + 7) / 8;
  static constexpr int kStocks = 8 * kWords;
  //! A default Counter (index kNone): the bit counts nothing.
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
