#pragma once
// How interventions change what happens to the people enrolled in them: a read-only
// view, used by the modules that own the hazards (states, demography, care), so they
// need not know anything else about interventions.
//
// Every effect multiplies a named target: a hazard (onset or recovery of a state, a
// health event, death, frailty or alcohol moving up a level...) or a pathway probability
// (admission from A&E, GP referral, length of stay...). A person with no programme
// (People::programmes == 0, nearly everyone) costs one load and one branch.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agents/people/people.hpp"

namespace hscsim {

//! Index of a target. Onset and recovery of state s, then the scalar targets, then one
//! per health event (in config order).
namespace target {
inline constexpr int onset(int state) { return state; }
inline constexpr int recovery(int state) { return kStateCount + state; }
enum Scalar : int {
  Death = 2 * kStateCount,  //!< death hazard
  Admission,                //!< probability an A&E attendance is admitted
  LengthOfStay,             //!< mean length of an emergency stay
  GpDemand,                 //!< routine GP requests (new symptoms, reviews)
  Referral,                 //!< GP referral to outpatients and the elective list
  SocialCareNeed,           //!< new social care needs arising at home
  FrailtyProgression,       //!< hazard of moving up one frailty level
  AlcoholProgression,       //!< hazard of moving up one alcohol-risk level
  AlcoholRecovery,          //!< probability of moving down one alcohol-risk level
  Diagnosis,                //!< hazard of an undiagnosed condition being diagnosed (case finding)
  FirstEvent                //!< then event(k) = FirstEvent + k
};
inline constexpr int event(int k) { return FirstEvent + k; }
//! Config names of the scalar targets, in enum order (Death first). A new target: an
//! enum value above FirstEvent, its name here, and the module that owns the hazard
//! multiplies it by Modifiers(p, i, target::X, day).
inline constexpr std::array<std::string_view, FirstEvent - Death> kScalarNames = {
    "death", "admission", "length_of_stay", "gp_demand", "referral", "social_care_need",
    "frailty_progression", "alcohol_progression", "alcohol_recovery", "diagnosis"};
//! Place-level targets (PlaceEffects), after the per-person ones.
inline constexpr std::array<std::string_view, 2> kPlaceNames = {"gp_capacity", "virtual_share"};
}  // namespace target

//! The names of the targets, for the config: onset:<state>, recovery:<state>,
//! event:<health event>, death, admission, length_of_stay, gp_demand, referral,
//! social_care_need, frailty_progression, alcohol_progression, alcohol_recovery, diagnosis.
std::vector<std::string> target_names(const std::vector<std::string>& event_names);

//! One person's enrolment in one programme.
struct Enrolment {
  uint64_t id;
  int32_t offered;        //!< day of the (last) offer
  int32_t enrolled;       //!< day enrolled, or kNoDay if the offer was declined
  int32_t left;           //!< day the programme ended for them (kNoDay: still in it)
  uint8_t adherent;       //!< 1 if the effects apply to them
  uint8_t effect_on;      //!< 1 while their People::programmes bit is set
};

class Modifiers {
 public:
  struct Effect {
    int programme;
    double multiplier;         //!< this replicate's draw
    double half_life_days;     //!< after leaving the programme; 0 = ends at once
  };

  //! These effects, read from `records` (per programme, sorted by id) instead of the
  //! programmes' own: for people whose records are elsewhere (the rows gathered from every
  //! rank of a domain-decomposed run, model/sim/domain.hpp). `records` must outlive it.
  Modifiers over(const std::vector<std::vector<Enrolment>>& records) const {
    Modifiers m = *this;
    m.enrolments_.clear();
    for (const auto& r : records) m.enrolments_.push_back(&r);
    return m;
  }

  //! The multiplier on `target` for slot i on `day` (1 when nothing applies).
  double operator()(const People& p, size_t i, int tgt, int32_t day) const {
    if (p.programmes[i] == 0 || tgt >= static_cast<int>(mask_.size())) return 1.0;
    const uint32_t m = p.programmes[i] & mask_[static_cast<size_t>(tgt)];
    return m ? slow(p, i, tgt, day, m) : 1.0;
  }

 protected:
  double slow(const People& p, size_t i, int tgt, int32_t day, uint32_t mask) const;

  std::vector<uint32_t> mask_;                     //!< programmes with an effect on each target
  std::vector<std::vector<Effect>> by_target_;
  std::vector<const std::vector<Enrolment>*> enrolments_;  //!< per programme, sorted by id
};

//! The programmes' place-level effects in a step (Programmes::place_effects), handed to
//! the care allocation as an explicit input of the step.
struct PlaceEffects {
  double gp_capacity = 1.0;    //!< multiplier on GP appointment capacity
  double virtual_share = 1.0;  //!< multiplier on every practice's share of remote appointments (at most 1)
};

//! Modifiers with no programmes: every multiplier is 1.
inline const Modifiers& no_modifiers() {
  static const Modifiers none;
  return none;
}

}  // namespace hscsim
