#include "model/core/distributions.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

namespace hscsim {

const std::vector<std::string>& Distribution::kinds() {
  static const std::vector<std::string> k = {"uniform", "normal", "lognormal", "beta", "gamma", "triangular"};
  return k;
}

namespace {
template <typename D>
double bounded_quantile(const D& d, double u, double lower, double upper) {
  // Truncation: u is mapped into [F(lower), F(upper)], so the value stays within bounds.
  const double lo = lower > -1e299 ? boost::math::cdf(d, std::max(lower, boost::math::range(d).first)) : 0.0;
  const double hi = upper < 1e299 ? boost::math::cdf(d, std::min(upper, boost::math::range(d).second)) : 1.0;
  const double p = std::clamp(lo + u * (hi - lo), 1e-300, 1 - 1e-16);
  return std::clamp(boost::math::quantile(d, p), lower, upper);
}
}  // namespace

double Distribution::quantile(double u) const {
  switch (kind) {
    case Uniform: return std::clamp(a + u * (b - a), lower, upper);
    case Normal: return bounded_quantile(boost::math::normal_distribution<>(a, b), u, lower, upper);
    case Lognormal: return bounded_quantile(boost::math::lognormal_distribution<>(a, b), u, lower, upper);
    case Beta: return bounded_quantile(boost::math::beta_distribution<>(a, b), u, lower, upper);
    case Gamma: return bounded_quantile(boost::math::gamma_distribution<>(a, b), u, lower, upper);
    case Triangular: {
      const double lo = a, mode = b, hi = c;
      const double f = (mode - lo) / (hi - lo);
      const double x = u < f ? lo + std::sqrt(u * (hi - lo) * (mode - lo)) : hi - std::sqrt((1 - u) * (hi - lo) * (hi - mode));
      return std::clamp(x, lower, upper);
    }
  }
  return a;
}

double Distribution::mean() const {
  switch (kind) {
    case Uniform: return 0.5 * (a + b);
    case Normal: return a;
    case Lognormal: return std::exp(a + 0.5 * b * b);
    case Beta: return a / (a + b);
    case Gamma: return a * b;
    case Triangular: return (a + b + c) / 3;
  }
  return a;
}

std::string Distribution::describe() const {
  std::string s;
  switch (kind) {
    case Uniform: s = fmt::format("uniform(low {:g}, high {:g})", a, b); break;
    case Normal: s = fmt::format("normal(mean {:g}, sd {:g})", a, b); break;
    case Lognormal: s = fmt::format("lognormal(mu {:g}, sigma {:g})", a, b); break;
    case Beta: s = fmt::format("beta(alpha {:g}, beta {:g})", a, b); break;
    case Gamma: s = fmt::format("gamma(shape {:g}, scale {:g})", a, b); break;
    case Triangular: s = fmt::format("triangular(low {:g}, mode {:g}, high {:g})", a, b, c); break;
  }
  if (lower > -1e299 || upper < 1e299) s += fmt::format(" within [{:g}, {:g}]", lower, upper);
  return s;
}

}  // namespace hscsim
