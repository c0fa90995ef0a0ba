#pragma once
// Recipe 5's provider kind (docs/architecture.md): community pharmacies. This folder is
// copied into agents/ of a scratch copy by tests/recipes/follow_recipes.py; it is not
// part of the model.
#include "agents/geography/providers.hpp"

namespace hscsim {

//! Per-pharmacy counters (flows in the step).
enum class PharmacyCounter : uint16_t { Consultations, Unmet, CostPence, Count };
template <>
struct ProviderCounters<PharmacyCounter> {
  static constexpr ProviderKind kind = ProviderKind::Pharmacy;
};

}  // namespace hscsim
