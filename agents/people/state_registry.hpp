#pragma once
// The binary states: housing, social circumstances and long-term conditions, one bit
// each in People::states. This table is the one place a state is declared; everything
// else (masks by group, the multimorbidity count, "requires" rules, random lanes, the
// census bits, metrics, config sections) is derived from it.
//
// Add a binary state: append it to the enum and to kStateInfo (same position), then give
// it a section in the config (`determinants:` or `conditions:`, by its group). Its random
// lane (agents/people/lanes.hpp), its stock counter and its metric follow from here.
// The order is also the order in which the initial population is drawn, so a state's
// relative risks may depend on any state above it (checked when the config is read).
#include <array>
#include <cstdint>
#include <string_view>

namespace hscsim {

enum class State : uint8_t {
  Overcrowded, DampHome, ColdHome, InsecureHousing,          // housing (determinants)
  LivesAlone, InformalCarer, Lonely, Smoker,                 // social (determinants)
  Copd, Asthma, Hypertension, Diabetes, DiabetesUncontrolled, Chd, HeartFailure,
  MskPain, Depression, Dementia,                             // long-term conditions
  Amputation, SightLoss,                                     // lasting consequences of events
  Count
};
inline constexpr int kStateCount = static_cast<int>(State::Count);
static_assert(kStateCount <= 32, "People::states is a 32-bit set: widen it (and the census bits) for more binary states");

//! Housing and social states are determinants (drawn each step before alcohol and the
//! conditions); conditions follow alcohol.
enum class StateGroup : uint8_t { Housing, Social, Condition };

struct StateInfo {
  std::string_view name;       //!< config key and risk-factor name
  StateGroup group;
  std::string_view requires_;  //!< state a person must have for this one to apply ("" = none)
  std::string_view label;      //!< human description
  //! Counted by People::conditions() (the number of long-term conditions, which drives
  //! multimorbidity rules and the utility and capitation weights). Not the control state
  //! of a condition (diabetes_uncontrolled) nor the lasting consequences of events
  //! (amputation, sight loss): those are states of a person, not conditions to count.
  bool counts_as_condition = false;
  //! Housing and social states: the published stock of people with the state ("" =
  //! people_<name>). Conditions publish prevalence_<name> (or <name>_share when they
  //! require another state) instead.
  std::string_view stock_metric = "";
};
inline constexpr std::array<StateInfo, kStateCount> kStateInfo = {{
    {"overcrowded", StateGroup::Housing, "", "lives in an overcrowded home (bedroom standard)", false, "people_overcrowded"},
    {"damp_home", StateGroup::Housing, "", "lives in a home with damp or mould", false, "people_damp_home"},
    {"cold_home", StateGroup::Housing, "", "lives in a cold home / fuel poverty", false, "people_cold_home"},
    {"insecure_housing", StateGroup::Housing, "", "insecure tenure or at risk of homelessness", false, "people_insecure_housing"},
    {"lives_alone", StateGroup::Social, "", "lives alone", false, "people_living_alone"},
    {"informal_carer", StateGroup::Social, "", "has an informal (unpaid) carer available", false, "people_with_informal_carer"},
    {"lonely", StateGroup::Social, "", "often or always lonely", false, "people_lonely"},
    {"smoker", StateGroup::Social, "", "current smoker", false, "people_smoking"},
    {"copd", StateGroup::Condition, "", "chronic obstructive pulmonary disease", true},
    {"asthma", StateGroup::Condition, "", "asthma", true},
    {"hypertension", StateGroup::Condition, "", "hypertension", true},
    {"diabetes", StateGroup::Condition, "", "diabetes (type 1 or 2)", true},
    {"diabetes_uncontrolled", StateGroup::Condition, "diabetes", "diabetes not under control (HbA1c above target)", false},
    {"chd", StateGroup::Condition, "", "coronary heart disease", true},
    {"heart_failure", StateGroup::Condition, "", "heart failure", true},
    {"msk_pain", StateGroup::Condition, "", "chronic musculoskeletal pain", true},
    {"common_mental_disorder", StateGroup::Condition, "", "common mental disorder (depression or anxiety)", true},
    {"dementia", StateGroup::Condition, "", "dementia", true},
    {"amputation", StateGroup::Condition, "", "lower-limb amputation", false},
    {"sight_loss", StateGroup::Condition, "", "sight loss (severe visual impairment)", false},
}};
constexpr uint32_t bit(State s) { return uint32_t{1} << static_cast<int>(s); }

namespace states {
//! Index of the state called `name`, or -1 (compile-time usable).
constexpr int index_of(std::string_view name) {
  for (int s = 0; s < kStateCount; ++s)
    if (kStateInfo[static_cast<size_t>(s)].name == name) return s;
  return -1;
}
//! Index of the state s requires, or -1.
constexpr int required(int s) {
  const auto r = kStateInfo[static_cast<size_t>(s)].requires_;
  return r.empty() ? -1 : index_of(r);
}
constexpr bool check_requires() {
  for (int s = 0; s < kStateCount; ++s) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    if (!info.requires_.empty() && (required(s) < 0 || required(s) >= s)) return false;
  }
  return true;
}
static_assert(check_requires(), "a state's `requires_` must name a binary state declared above it");

//! Bits of the states for which pred(index) holds.
template <typename Pred>
constexpr uint32_t mask_where(Pred pred) {
  uint32_t m = 0;
  for (int s = 0; s < kStateCount; ++s)
    if (pred(s)) m |= uint32_t{1} << s;
  return m;
}
//! Bits of the states in group g.
constexpr uint32_t group_mask(StateGroup g) {
  return mask_where([g](int s) { return kStateInfo[static_cast<size_t>(s)].group == g; });
}
inline constexpr uint32_t kHousing = group_mask(StateGroup::Housing);
inline constexpr uint32_t kDeterminants = group_mask(StateGroup::Housing) | group_mask(StateGroup::Social);
inline constexpr uint32_t kConditions = group_mask(StateGroup::Condition);
//! The states People::conditions() counts.
inline constexpr uint32_t kLongTermConditions =
    mask_where([](int s) { return kStateInfo[static_cast<size_t>(s)].counts_as_condition; });
//! The states that apply only with another state.
inline constexpr uint32_t kDependent = mask_where([](int s) { return required(s) >= 0; });

//! `states` with every state whose required state is absent cleared (the "requires"
//! rule: no diabetes control state without diabetes). One pass in declaration order
//! suffices: a state requires only states above it.
constexpr uint32_t apply_requires(uint32_t states) {
  for (int s = 0; s < kStateCount; ++s)
    if (required(s) >= 0 && !(states >> required(s) & 1)) states &= ~(uint32_t{1} << s);
  return states;
}
//! `states` with state s ended, and the states that require it.
constexpr uint32_t without(uint32_t states, int s) { return apply_requires(states & ~(uint32_t{1} << s)); }
}  // namespace states

}  // namespace hscsim
