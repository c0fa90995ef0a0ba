#pragma once
// Probability distributions of uncertain parameters (probabilistic sensitivity analysis,
// `uncertainty:` in a config): each maps a uniform u in (0, 1) from a design to a value
// by its inverse CDF (Boost.Math), so a Latin-hypercube or Sobol' design over u becomes
// one over the parameters.
#include <string>
#include <vector>

namespace hscsim {

struct Distribution {
  enum Kind { Uniform, Normal, Lognormal, Beta, Gamma, Triangular };
  Kind kind = Uniform;
  //! Uniform: low, high. Normal: mean, sd. Lognormal: mu, sigma of log(x). Beta: alpha,
  //! beta. Gamma: shape, scale. Triangular: low, mode, high.
  double a = 0, b = 1, c = 0;
  double lower = -1e300, upper = 1e300;  //!< truncation (normal; any kind may be bounded)

  double quantile(double u) const;
  double mean() const;  //!< of the untruncated distribution
  std::string describe() const;  //!< e.g. "beta(alpha 2, beta 5)"
  static const std::vector<std::string>& kinds();  //!< names as written in configs
};

}  // namespace hscsim
