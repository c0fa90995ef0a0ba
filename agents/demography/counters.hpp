#pragma once
// What demography counts (deaths are the people layer's: PeopleCounter).
#include <array>
#include <cstdint>

#include "agents/people/counters.hpp"

namespace hscsim {

enum class DemographyCounter : uint16_t {
  Births,      //!< flow
  Emigrants,   //!< flow: left the place
  Immigrants,  //!< flow: arrived
  Count
};
template <>
struct CounterTraits<DemographyCounter> {
  static constexpr CounterBlock block = CounterBlock::Demography;
  static constexpr std::array<DemographyCounter, 0> stocks{};
};

}  // namespace hscsim
