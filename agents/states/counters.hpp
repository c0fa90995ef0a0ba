#pragma once
// The stocks of the ordinal states (the binary states' stocks come from the state
// registry: state_counter). Counted by the census from the derived risk factors.
#include <array>
#include <cstdint>

#include "agents/people/counters.hpp"

namespace hscsim {

enum class StatesCounter : uint16_t { AlcoholIncreasing, AlcoholDependent, FrailMild, FrailModerate, FrailSevere, Count };
template <>
struct CounterTraits<StatesCounter> {
  static constexpr CounterBlock block = CounterBlock::States;
  static constexpr std::array stocks = {StatesCounter::AlcoholIncreasing, StatesCounter::AlcoholDependent,
                                        StatesCounter::FrailMild, StatesCounter::FrailModerate, StatesCounter::FrailSevere};
};

}  // namespace hscsim
