#pragma once
// Parameter uncertainty (probabilistic sensitivity analysis): `uncertainty:` in a config
// gives any numeric parameter a distribution. Replicate r of every scenario draws row r
// of one design over all the uncertain parameters (a Latin hypercube or a Sobol'
// sequence keyed by the run seed, model/core/design.hpp), mapped through each
// distribution's quantile function. Every scenario of a replicate runs with the same
// draws, so comparisons stay paired; the draws are stored beside the results
// (/uncertainty, output/README.md).
//
//   uncertainty:
//     design: lhs                  # lhs | sobol
//     parameters:
//       - key: care.hospital.post_discharge_event_rr
//         distribution: lognormal  # uniform | normal | lognormal | beta | gamma | triangular
//         mean: 5                  # by mean and sd, or by the distribution's own parameters
//         sd: 1
//         source: "why this spread"
//
// A draw replaces the value stated at the key in every scenario whose config has it (a
// programme's effect only the scenario defines is drawn there too); a scenario may not
// `set:` an uncertain key.
#include <string>
#include <vector>

#include "model/core/config/node.hpp"
#include "model/core/distributions.hpp"

namespace hscsim {

struct UncertainParam {
  std::string key;
  Distribution dist;
  std::string source;
  std::string where;  //!< file:line:col of its `key:`
};

struct Uncertainty {
  std::string design = "lhs";  //!< lhs | sobol
  std::vector<UncertainParam> params;
  std::vector<std::vector<double>> samples;  //!< [replicate][parameter]

  bool empty() const { return params.empty(); }
  //! Reads `uncertainty:` from the resolved config (nothing when absent) and draws the
  //! design for `replicates` replicates with `seed`. Throws ConfigError.
  static Uncertainty read(const config::Node& root, uint32_t seed, uint32_t replicates);
  //! `tree` with replicate r's draws at the keys it has.
  config::Node apply(const config::Node& tree, uint32_t r) const;
};

}  // namespace hscsim
