#pragma once
// The provider registration: which kinds of provider the model runs, and with which
// instances. The one place a new kind is plugged in (after its row in
// agents/geography/providers.hpp and its module's ProviderKindDef).
#include "agents/geography/providers.hpp"

namespace hscsim {

struct Params;

//! The layout of a place: its practices, trusts, local authorities and third-sector
//! services (registered by care), then its intervention programmes. Reads the parts of
//! `p` that name providers (geography, care, interventions), so it is called by
//! Params::read once those are read.
ProviderLayout provider_layout(const Params& p);

}  // namespace hscsim
