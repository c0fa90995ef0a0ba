#pragma once
// The whole validated model description. Built once from the resolved config tree;
// the run uses an immutable copy (no globals).
#include <cstdint>
#include <string>

#include "agents/care/care.hpp"
#include "agents/demography/demography.hpp"
#include "agents/finance/finance.hpp"
#include "agents/geography/geography.hpp"
#include "agents/interventions/interventions.hpp"
#include "agents/population/population.hpp"
#include "agents/states/states.hpp"
#include "agents/wellbeing/wellbeing.hpp"
#include "model/core/clock.hpp"
#include "model/core/config/node.hpp"
#include "model/sim/providers.hpp"

namespace hscsim {

struct RunSettings {
  uint32_t seed = 1;        //!< run seed (Philox key word 0)
  uint32_t replicates = 1;  //!< independent replicates (Philox key word 1 = replicate index)
  //! What the results file stores of each series over replicates: every replicate, or
  //! (summary) their mean, standard deviation and quantiles (model/io/output.hpp).
  enum class Store : uint8_t { Replicates, Summary } store = Store::Replicates;
  //! Whether the results file keeps the per-provider, per-programme and ledger series
  //! (and the ledgers' comparisons): off, the file's size does not grow with the place.
  bool store_providers = true;
};

struct Params {
  std::string description;
  RunSettings run;
  Clock clock;
  PopulationParams population;
  Geography geography;
  DemographyParams demography;
  StateParams states;
  CareParams care;
  InterventionsParams interventions;
  ProviderLayout providers;  //!< the provider registry of the place (model/sim/providers.hpp)
  FinanceParams finance;
  WellbeingParams wellbeing;

  //! Validates the resolved config and builds the parameters. Throws ConfigError
  //! naming file, line, column, key path, bad value and what is accepted.
  static Params read(const config::Node& root);
};

}  // namespace hscsim
