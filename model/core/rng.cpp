#include "model/core/rng.hpp"

#include <cmath>

namespace hscsim {

uint64_t poisson(const Streams& s, double mean, uint64_t id, uint32_t step, Purpose p) {
  if (!(mean > 0)) return 0;
  uint16_t index = 0;
  if (mean < 10) {
    // Inversion: walk the cumulative distribution with one uniform.
    const double u = s.uniform(id, step, p, index);
    double prob = std::exp(-mean), cum = prob;
    uint64_t k = 0;
    while (u > cum && k < 1000) {
      ++k;
      prob *= mean / static_cast<double>(k);
      cum += prob;
    }
    return k;
  }
  // PTRS (Hormann 1993, "The transformed rejection method for generating Poisson random variables").
  const double slam = std::sqrt(mean), loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  for (;; ++index) {
    const auto u4 = s.block(id, step, p, index);
    for (int pair = 0; pair < 2; ++pair) {
      const double U = u4[2 * pair] - 0.5, V = u4[2 * pair + 1];
      const double us = 0.5 - std::fabs(U);
      const double k = std::floor((2 * a / us + b) * U + mean + 0.43);
      if (us >= 0.07 && V <= vr) return static_cast<uint64_t>(k);
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (std::log(V) + std::log(invalpha) - std::log(a / (us * us) + b) <=
          -mean + k * loglam - std::lgamma(k + 1))
        return static_cast<uint64_t>(k);
    }
  }
}

}  // namespace hscsim
