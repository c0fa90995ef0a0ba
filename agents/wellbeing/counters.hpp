#pragma once
// What wellbeing counts: sums over the living at the end of the step, in thousandths.
#include <array>
#include <cstdint>

#include "agents/people/counters.hpp"

namespace hscsim {

enum class WellbeingCounter : uint16_t { WellbeingMilli, UtilityMilli, Count };
template <>
struct CounterTraits<WellbeingCounter> {
  static constexpr CounterBlock block = CounterBlock::Wellbeing;
  static constexpr std::array stocks = {WellbeingCounter::WellbeingMilli, WellbeingCounter::UtilityMilli};
};

}  // namespace hscsim
