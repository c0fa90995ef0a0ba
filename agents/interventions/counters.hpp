#pragma once
// What interventions count: in the Tally (InterventionCounter) and per programme
// (ProgrammeCounter, in the provider layout after the providers). Programme costs are
// also counted in their sector (sector_cost of the delivering kind).
#include <array>
#include <cstdint>

#include "agents/people/counters.hpp"

namespace hscsim {

enum class InterventionCounter : uint16_t {
  InterventionEnrolments,  //!< flow
  CostInterventionsPence,  //!< flow (intervention costs are also in their sector)
  InterventionMembers,     //!< flow: people in a programme during the step (counted at enrolment)
  Count
};
template <>
struct CounterTraits<InterventionCounter> {
  static constexpr CounterBlock block = CounterBlock::Interventions;
  static constexpr std::array<InterventionCounter, 0> stocks{};
};

//! Per programme.
enum class ProgrammeCounter : uint8_t { Offers, Enrolments, Members, CostPence, Count };

}  // namespace hscsim
