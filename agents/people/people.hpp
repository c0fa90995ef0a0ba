#pragma once
// The people: a struct of arrays, one column per attribute, indexed by storage slot.
// Each person has a stable id (never reused) separate from the slot; slots are kept in
// id order, and dead or departed people are compacted away once a year. Random draws
// are keyed by id, never by slot.
//
// Bytes per person: id 8; birth_day, states, diagnosed, wellbeing and five care days 4
// each; neighbourhood and practice 2 each; sex, quintile, tenure, alcohol, frailty, vital,
// setting, care flags and stay cause 1 each; intervention programmes 4; hospital 2;
// review due 4; GP referral need 1: 68 bytes.
#include <array>
#include <climits>
#include <cstdint>
#include <string_view>
#include <vector>

#include "agents/people/state_registry.hpp"

namespace hscsim {
namespace archive {
class Io;
}

// ---- Ordinal states --------------------------------------------------------------
enum class Alcohol : uint8_t { Low, Increasing, Dependent };          //!< AUDIT-style risk level
enum class Frailty : uint8_t { Fit, Mild, Moderate, Severe };         //!< eFI category
enum class Tenure : uint8_t { Owner, SocialRent, PrivateRent };
enum class Vital : uint8_t { Alive, Died, Emigrated };
enum class Setting : uint8_t { Community, Hospital, CareHome };
enum class Sex : uint8_t { Male, Female };

//! Care a person is receiving (People::care bitset). What they are waiting for is
//! People::care_need.
enum CareFlag : uint8_t {
  kHomeCare = 1,           //!< has a home care package
  kReablement = 2,         //!< in a reablement episode (ends on due_day)
  kCareHomeResident = 4,   //!< lives in a care home (also while in hospital)
  kWaitingForBed = 8,      //!< decided for emergency admission, waiting in A&E for a bed
  kSelfFunded = 16,        //!< care home place paid by the resident
  kNursing = 32,           //!< nursing (not residential) care home place
  kIntermediateHome = 64,  //!< in a home-based intermediate care episode (ends on due_day)
  kIntermediateBed = 128,  //!< in an intermediate care (community) bed (ends on due_day)
};
inline constexpr uint8_t kIntermediateCare = kIntermediateHome | kIntermediateBed;
//! The care a person waits for after hospital or at home (People::care_need): social care
//! from the council, or NHS intermediate care at home or in a community bed (only ever
//! waited for in hospital).
enum class CareNeed : uint8_t { None, Reablement, HomeCare, CareHome, IntermediateHome, IntermediateBed };
inline bool is_intermediate(CareNeed n) { return n == CareNeed::IntermediateHome || n == CareNeed::IntermediateBed; }
//! What a GP appointment refers on (People::gp_need bits).
enum GpNeed : uint8_t { kNeedOutpatient = 1, kNeedElective = 2 };
inline constexpr int32_t kNoDay = INT32_MIN;  //!< "no such day" in the day columns
//! People::review_due of someone with no long-term-condition review to have (no recorded
//! condition): a day never reached, so never overdue.
inline constexpr int32_t kNeverDue = INT32_MAX;
inline constexpr uint8_t kElectiveStay = 255; //!< People::stay for an elective admission

//! The NHS referral-to-treatment standard that the metric elective_over_18_weeks counts
//! against: 18 weeks (NHS Constitution). A definition of the metric, not a model parameter,
//! so it is not a config key (changing it would make the metric's name untrue).
inline constexpr int32_t kRttStandardDays = 18 * 7;

//! Care stocks of a person at the end of a step (People::care_stocks bits). They are
//! also the care circumstances that wellbeing weighs (CareCircumstance, same order).
enum CareStock : uint16_t {
  kStockInHospital = 1,       //!< in a hospital bed
  kStockInCareHome = 2,       //!< a care home resident (also while in hospital)
  kStockWaitingSocial = 4,    //!< waiting at home for social care
  kStockWaitingGp = 8,        //!< a GP request waiting
  kStockElectiveList = 16,    //!< on an elective waiting list
  kStockHomeCare = 32,        //!< has a home care package
  kStockDelayed = 64,         //!< in hospital, medically fit, waiting for social care
  kStockReablement = 128,     //!< in a reablement episode
  kStockOver18Weeks = 256,    //!< waiting over 18 weeks (126 days) for an elective admission
  kStockIntermediateCare = 512,  //!< in an intermediate care episode (community bed or home)
};
inline constexpr int kCareStockCount = 10;

// ---- Risk factors ------------------------------------------------------------------
// Names usable in `rr:` maps. Bits 0..kStateCount-1 are the binary states; the rest
// are derived from tenure, alcohol level and frailty.
enum class DerivedFactor : uint8_t {
  SocialRenter, PrivateRenter, AlcoholIncreasing, AlcoholDependent, FrailtyMild, FrailtyModerate,
  FrailtySevere, Female,
  //! A long-term-condition review overdue (People::review_due before
  //! People::review_overdue_before): set by care, read by every hazard that names it.
  ReviewOverdue,
  //! A GP request waiting (People::gp_wait_since set): a need not yet seen.
  WaitingGp,
  //! Lives in a care home (CareFlag kCareHomeResident, also while in hospital).
  CareHomeResident, Count
};
inline constexpr std::array<std::string_view, static_cast<int>(DerivedFactor::Count)> kDerivedFactorNames = {
    "social_renter", "private_renter", "alcohol_increasing", "alcohol_dependent",
    "frailty_mild", "frailty_moderate", "frailty_severe", "female", "review_overdue", "waiting_for_gp",
    "care_home_resident"};
inline constexpr int kFactorCount = kStateCount + static_cast<int>(DerivedFactor::Count);
static_assert(kFactorCount <= 64, "People::factors is a 64-bit set: binary states plus derived factors must fit");

//! Index of a risk-factor name, or -1.
int factor_index(std::string_view name);
std::string_view factor_name(int index);

//! The parts of a population split over processes (domain decomposition): a People holds
//! one part, and what is computed over the whole population (the normalisers' sums,
//! model/people/risk.hpp) goes through this. Exact: integer sums, bytes gathered.
class PopulationParts {
 public:
  virtual ~PopulationParts() = default;
  //! Element-wise sums over every part, in place, in every part.
  virtual void sum(std::vector<int64_t>& v) const = 0;
  //! Every part's bytes ([part]), in every part.
  virtual std::vector<std::vector<uint8_t>> all_gather(const std::vector<uint8_t>& mine) const = 0;
  //! Whether this part counts what every part computes alike (a programme's fixed costs):
  //! one part does, so that the sums over parts count it once.
  virtual bool counts_shared() const = 0;
  //! This part's index among them (all_gather's order).
  virtual uint32_t index() const = 0;
};

struct People {
  std::vector<uint64_t> id;            //!< stable person id, never reused
  std::vector<int32_t> birth_day;      //!< day of birth [days since the start; negative = before]
  std::vector<uint8_t> sex;            //!< Sex
  std::vector<uint8_t> quintile;       //!< deprivation quintile of the neighbourhood, 1 = most deprived
  std::vector<uint16_t> neighbourhood; //!< index into Geography::neighbourhoods
  std::vector<uint16_t> practice;      //!< registered GP practice, index into Geography::practices
  std::vector<uint8_t> tenure;         //!< Tenure
  std::vector<uint32_t> states;        //!< bitset of State
  //! bitset of State: the state is recorded (a condition diagnosed and on the GP's
  //! register); always a subset of states
  std::vector<uint32_t> diagnosed;
  std::vector<uint8_t> alcohol;        //!< Alcohol
  std::vector<uint8_t> frailty;        //!< Frailty
  std::vector<uint8_t> vital;          //!< Vital
  std::vector<uint8_t> setting;        //!< Setting (community, in hospital, in a care home)
  std::vector<float> wellbeing;        //!< life satisfaction [0-10]; NaN until a wellbeing module sets it
  std::vector<int32_t> admit_day;      //!< day admitted to hospital [days since start] (kNoDay: not in hospital)
  std::vector<int32_t> due_day;        //!< in hospital: day medically fit for discharge; in reablement or intermediate care: day it ends
  std::vector<int32_t> last_discharge_day;  //!< last discharge from hospital (kNoDay: never)
  std::vector<int32_t> gp_wait_since;  //!< day an unmet GP request started waiting (kNoDay: none)
  std::vector<int32_t> elective_since; //!< day referred to the elective waiting list (kNoDay: not waiting)
  //! GpNeed bits: the referrals the needs behind a waiting GP request call for (kept
  //! until the appointment; 0 when not waiting)
  std::vector<uint8_t> gp_need;
  std::vector<uint8_t> care;           //!< CareFlag bits
  std::vector<uint8_t> care_need;      //!< CareNeed: the care waited for (in hospital: a delayed discharge)
  std::vector<uint8_t> stay;           //!< cause of the current admission: health event index or kElectiveStay
  std::vector<uint32_t> programmes;    //!< bit k: programme k's effects apply to this person (see Modifiers)
  std::vector<uint16_t> hospital;      //!< trust of the current (or last) stay: its own, or a partner's under mutual aid
  //! Day the next long-term-condition review is due (kNeverDue: no recorded condition).
  std::vector<int32_t> review_due;
  //! Not a column: a review due before this day is overdue (the risk factor
  //! review_overdue). Set by the world at the start of each step (the step's first day
  //! minus care.gp.review_overdue_after_days); until then nobody is overdue.
  int32_t review_overdue_before = INT32_MIN;
  //! Not a column: the other parts of the population when it is split over processes
  //! (null: these are everyone). Its owner (the world) sets it; copies keep it.
  const PopulationParts* parts = nullptr;
  //! The rank of value `nth` (0-based, ascending) among every part's `values` (each
  //! non-negative and finite): exact, as std::nth_element over them all would give.
  float nth_over_parts(const std::vector<float>& values, uint64_t nth) const;
  //! Whether these people count what every part computes alike (the whole population does).
  bool counts_shared() const { return !parts || parts->counts_shared(); }

  size_t size() const { return id.size(); }
  void resize(size_t n);
  void reserve(size_t n);
  //! Drops everyone not alive, keeping the order (and so id order) of the rest.
  void compact();
  //! Appends people from `other` (all columns).
  void append(const People& other);
  //! Keeps the people whose keep[slot] is set, in order (every column).
  void keep_if(const std::vector<uint8_t>& keep);
  //! The rows at `slots` (every column), appended to `out` as bytes; unpack_rows writes n
  //! such rows into slots to[0..n) (already there: resize first), advancing `in`. Rows
  //! that cross ranks in a domain-decomposed run.
  void pack_rows(const std::vector<uint32_t>& slots, std::vector<uint8_t>& out) const;
  void unpack_rows(const uint8_t*& in, size_t n, const uint32_t* to);
  //! Copies row `from` of `src` into slot `to` (every column).
  void copy_row(size_t to, const People& src, size_t from);
  //! Sets the care columns of slot i to "no care, not waiting".
  void clear_care(size_t i);
  //! Bytes of state per person (the sum of every column's element size).
  static size_t bytes_per_person();
  //! Every column and review_overdue_before (checkpoints, model/core/archive.hpp).
  void state(archive::Io& io);

  bool alive(size_t i) const { return vital[i] == static_cast<uint8_t>(Vital::Alive); }
  bool has(size_t i, State s) const { return states[i] & bit(s); }
  //! Age in whole years on `day`: (days + 0.5) / 365.25 truncated, computed exactly in
  //! integers as (4 days + 2) / 1461 (a multiply and shift, where the floating-point
  //! division took longer than the rest of some passes). The two agree for every day
  //! count: the exact quotient is never within rounding error of an integer.
  int age_years(size_t i, int32_t day) const {
    return static_cast<int>((4 * static_cast<int64_t>(day - birth_day[i]) + 2) / 1461);
  }
  //! Number of long-term conditions (the states the registry marks counts_as_condition).
  //! A bit count written out, not __builtin_popcount: without a -march flag that is a
  //! library call.
  int conditions(size_t i) const { return bit_count(states[i] & states::kLongTermConditions); }
  //! Number of long-term conditions that are diagnosed (on the GP's registers).
  int recorded_conditions(size_t i) const { return bit_count(diagnosed[i] & states::kLongTermConditions); }
  static int bit_count(uint32_t x) {
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return static_cast<int>((x * 0x01010101u) >> 24);
  }
  //! factors() as a service sees them: the conditions only where they are diagnosed
  //! (eligibility for programmes, the risk-stratification register).
  uint64_t recorded_factors(size_t i) const;
  //! Risk-factor bitset (bits as in factor_index). Inline: it is called for every
  //! person in several passes of every step.
  uint64_t factors(size_t i) const;
  //! Asks for the columns the care allocation reads and writes of slot i, which it
  //! visits in an order of its own (priority, then a random key), so that they arrive
  //! while earlier slots are handled. Always inlined: GCC drops calls to a function that
  //! does nothing but prefetch.
  [[gnu::always_inline]] inline void prefetch_for_care(size_t i) const {
    __builtin_prefetch(&id[i]);
    __builtin_prefetch(&birth_day[i]);
    __builtin_prefetch(&quintile[i]);
    __builtin_prefetch(&states[i]);
    __builtin_prefetch(&vital[i]);
    __builtin_prefetch(&setting[i], 1);
    __builtin_prefetch(&care[i], 1);
    __builtin_prefetch(&care_need[i], 1);
    __builtin_prefetch(&programmes[i]);
    __builtin_prefetch(&admit_day[i], 1);
    __builtin_prefetch(&due_day[i], 1);
    __builtin_prefetch(&stay[i], 1);
    __builtin_prefetch(&last_discharge_day[i]);
  }
  //! CareStock bits of slot i on `day`.
  uint16_t care_stocks(size_t i, int32_t day) const {
    const bool hospital = setting[i] == static_cast<uint8_t>(Setting::Hospital);
    const bool need = care_need[i] != static_cast<uint8_t>(CareNeed::None);
    const bool elective = elective_since[i] != kNoDay;
    return static_cast<uint16_t>(hospital * kStockInHospital | !!(care[i] & kCareHomeResident) * kStockInCareHome |
                                 (need && !hospital) * kStockWaitingSocial | (gp_wait_since[i] != kNoDay) * kStockWaitingGp |
                                 elective * kStockElectiveList | !!(care[i] & kHomeCare) * kStockHomeCare |
                                 (need && hospital) * kStockDelayed | !!(care[i] & kReablement) * kStockReablement |
                                 (elective && day - elective_since[i] > kRttStandardDays) * kStockOver18Weeks |
                                 !!(care[i] & kIntermediateCare) * kStockIntermediateCare);
  }
};

namespace detail {
constexpr uint64_t derived_bit(DerivedFactor d) { return uint64_t{1} << (kStateCount + static_cast<int>(d)); }
// Risk-factor bits of each value of the small columns (index = the column's value; values
// out of range never occur: check_invariants). Table look-ups, not branches: the values
// vary from person to person, so branches would be mispredicted.
inline constexpr std::array<uint64_t, 3> kTenureBits = {0, derived_bit(DerivedFactor::SocialRenter),
                                                        derived_bit(DerivedFactor::PrivateRenter)};
inline constexpr std::array<uint64_t, 3> kAlcoholBits = {0, derived_bit(DerivedFactor::AlcoholIncreasing),
                                                         derived_bit(DerivedFactor::AlcoholDependent)};
inline constexpr std::array<uint64_t, 4> kFrailtyBits = {0, derived_bit(DerivedFactor::FrailtyMild),
                                                         derived_bit(DerivedFactor::FrailtyModerate),
                                                         derived_bit(DerivedFactor::FrailtySevere)};
inline constexpr std::array<uint64_t, 2> kSexBits = {0, derived_bit(DerivedFactor::Female)};
}  // namespace detail

inline uint64_t People::factors(size_t i) const {
  return states[i] | detail::kTenureBits[tenure[i]] | detail::kAlcoholBits[alcohol[i]] | detail::kFrailtyBits[frailty[i]] |
         detail::kSexBits[sex[i]] |
         static_cast<uint64_t>(review_due[i] < review_overdue_before) * detail::derived_bit(DerivedFactor::ReviewOverdue) |
         static_cast<uint64_t>(gp_wait_since[i] != kNoDay) * detail::derived_bit(DerivedFactor::WaitingGp) |
         static_cast<uint64_t>((care[i] & kCareHomeResident) != 0) * detail::derived_bit(DerivedFactor::CareHomeResident);
}
inline uint64_t People::recorded_factors(size_t i) const {
  return (factors(i) & ~uint64_t{states::kConditions}) | diagnosed[i];
}

}  // namespace hscsim
