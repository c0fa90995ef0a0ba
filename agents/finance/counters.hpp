#pragma once
// What finance counts: place totals (quintile 0 only; pence).
#include <array>
#include <cstdint>

#include "agents/people/counters.hpp"

namespace hscsim {

enum class FinanceCounter : uint16_t {
  FinPaymentsPence, FinProviderIncomePence, FinProviderCostPence, FinBillingAdminPence, FinOutcomePaymentsPence,
  FinSharedSavingsPence, FinInvestorNetPence,
  ProvidersWithdrawn,  //!< stock: providers that have withdrawn, set after the census
  Count
};
template <>
struct CounterTraits<FinanceCounter> {
  static constexpr CounterBlock block = CounterBlock::Finance;
  static constexpr std::array stocks = {FinanceCounter::ProvidersWithdrawn};
};

}  // namespace hscsim
