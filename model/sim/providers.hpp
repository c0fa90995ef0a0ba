#pragma once
// The provider registration: which kinds of provider the model runs, and with which
// instances. The one place a new kind is plugged in (after its row in
// agents/geography/providers.hpp and its module's ProviderKindDef).
#include "agents/care/care.hpp"
#include "agents/geography/geography.hpp"
#include "agents/geography/providers.hpp"
#include "agents/interventions/interventions.hpp"

namespace hscsim {

//! The layout of a place: its practices, trusts, local authorities and third-sector
//! services (registered by care), then its intervention programmes.
ProviderLayout provider_layout(const Geography& g, const CareParams& care, const InterventionsParams& iv);

}  // namespace hscsim
