#pragma once
// The lanes of a person's StateTransition block in a step (model/core/rng.hpp, Lanes):
// the state transitions and demography share one Philox block per person and step, each
// decision on a lane of its own. Lane numbers are part of the results' identity (like
// Purpose numbers): they are fixed here, and a state added to the registry takes the
// next free lane, so no other draw moves.
#include "agents/people/state_registry.hpp"
#include "model/core/rng.hpp"

namespace hscsim::transition_lane {

//! The first 20 binary states (as first published) take lanes 0..19.
inline constexpr int kFirstStates = 20;
inline constexpr int kAlcohol = 20;     //!< alcohol moves (StateModel)
inline constexpr int kFrailty = 21;     //!< frailty moves (StateModel)
inline constexpr int kDeath = 22;       //!< Demography
inline constexpr int kEmigration = 23;  //!< Demography
inline constexpr int kBirth = 24;       //!< Demography
inline constexpr int kSex = 25;         //!< Demography: the baby's sex
//! States from the 21st on take lanes 26, 27, ... up to 30.
inline constexpr int kLaterStates = 26;
//! The diagnosis of an undiagnosed condition (StateModel): one lane for all of them, at
//! most one diagnosis a person a step.
inline constexpr int kDiagnosis = 31;

//! The lane of binary state s.
constexpr int state(int s) { return s < kFirstStates ? s : kLaterStates + (s - kFirstStates); }

//! The state bits (bit s = state s) of a set of lane bits (bit k = lane k).
constexpr uint32_t states_of(uint32_t lanes) {
  constexpr int first = kStateCount < kFirstStates ? kStateCount : kFirstStates;
  uint32_t s = lanes & ((uint32_t{1} << first) - 1);
  if constexpr (kStateCount > kFirstStates)
    s |= ((lanes >> kLaterStates) & ((uint32_t{1} << (kStateCount - kFirstStates)) - 1)) << kFirstStates;
  return s;
}

static_assert(state(kStateCount - 1) < kDiagnosis,
              "more binary states than screened StateTransition lanes (32 minus the 7 of alcohol, frailty, "
              "diagnosis and demography): give Lanes more screened lanes or the new states a second block");

}  // namespace hscsim::transition_lane
