#pragma once
// Neighbourhoods (with a deprivation quintile and a share of the population) and the
// GP practices their residents register with. Later releases map practices and
// neighbourhoods to acute trusts and local authorities here.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/config/reader.hpp"

namespace hscsim {

struct Practice {
  std::string name;
};

struct Neighbourhood {
  std::string name;
  uint8_t quintile = 3;                                //!< IMD quintile, 1 = most deprived
  double population_share = 0;                         //!< share of the place's population [fraction]
  std::vector<std::pair<uint16_t, double>> practices;  //!< (practice index, share of residents registered)
};

struct Geography {
  std::vector<Neighbourhood> neighbourhoods;
  std::vector<Practice> practices;
  //! Reads top-level `gp_practices:` and `neighbourhoods:`. Throws ConfigError.
  static Geography read(config::Reader& root);
};

}  // namespace hscsim
