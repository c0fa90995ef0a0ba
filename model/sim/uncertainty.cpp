#include "model/sim/uncertainty.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "model/core/config/reader.hpp"
#include "model/core/design.hpp"
#include "model/core/errors.hpp"

namespace hscsim {
namespace {

// A distribution from its entry: by mean and sd (moments, converted), or by its own
// parameters; optional truncation to [lower, upper].
Distribution read_distribution(config::Reader& p) {
  Distribution d;
  const std::string kind = p.choice("distribution", Distribution::kinds());
  d.kind = static_cast<Distribution::Kind>(
      std::find(Distribution::kinds().begin(), Distribution::kinds().end(), kind) - Distribution::kinds().begin());
  const bool moments = p.has("mean") || p.has("sd");
  auto positive = config::Range{1e-300, 1e300};
  auto any = config::Range{-1e300, 1e300};
  auto sd_of = [&](double mean) {
    const double sd = p.real("sd", positive);
    return std::pair{mean, sd};
  };
  switch (d.kind) {
    case Distribution::Uniform:
      d.a = p.real("low", any);
      d.b = p.real("high", any);
      if (!(d.b > d.a)) throw p.error("high", fmt::format("must be above low ({:g})", d.a));
      break;
    case Distribution::Triangular:
      d.a = p.real("low", any);
      d.b = p.real("mode", any);
      d.c = p.real("high", any);
      if (!(d.a <= d.b && d.b <= d.c && d.c > d.a)) throw p.error("high", "needs low <= mode <= high, low < high");
      break;
    case Distribution::Normal: {
      const auto [m, s] = sd_of(p.real("mean", any));
      d.a = m;
      d.b = s;
      break;
    }
    case Distribution::Lognormal:
      if (moments) {
        const auto [m, s] = sd_of(p.real("mean", positive));
        const double s2 = std::log1p(s * s / (m * m));
        d.a = std::log(m) - 0.5 * s2;
        d.b = std::sqrt(s2);
      } else {
        d.a = p.real("mu", any);
        d.b = p.real("sigma", positive);
      }
      break;
    case Distribution::Beta:
      if (moments) {
        const auto [m, s] = sd_of(p.real("mean", {1e-9, 1 - 1e-9}));
        const double common = m * (1 - m) / (s * s) - 1;
        if (!(common > 0))
          throw p.error("sd", fmt::format("a beta distribution with mean {:g} needs sd below sqrt(mean (1 - mean)) = {:.4g}",
                                          m, std::sqrt(m * (1 - m))));
        d.a = m * common;
        d.b = (1 - m) * common;
      } else {
        d.a = p.real("alpha", positive);
        d.b = p.real("beta", positive);
      }
      break;
    case Distribution::Gamma:
      if (moments) {
        const auto [m, s] = sd_of(p.real("mean", positive));
        d.a = m * m / (s * s);
        d.b = s * s / m;
      } else {
        d.a = p.real("shape", positive);
        d.b = p.real("scale", positive);
      }
      break;
  }
  d.lower = p.real("lower", any, -1e300);  // no bound unless given
  d.upper = p.real("upper", any, 1e300);
  if (!(d.upper > d.lower)) throw p.error("upper", fmt::format("must be above lower ({:g})", d.lower));
  return d;
}

}  // namespace

Uncertainty Uncertainty::read(const config::Node& root, uint32_t seed, uint32_t replicates) {
  Uncertainty u;
  if (!root.find("uncertainty")) return u;
  config::Reader top(root, "");
  config::Reader r = top.child("uncertainty");
  u.design = r.choice("design", {"lhs", "sobol"}, "lhs");
  for (auto p : r.list("parameters")) {
    UncertainParam x;
    x.key = p.text("key");
    if (const config::Node* k = p.node().find("key")) x.where = k->origin.describe();
    for (const auto& o : u.params)
      if (o.key == x.key) throw p.error("key", fmt::format("'{}' is listed twice", x.key));
    if (x.key.rfind("run.", 0) == 0 || x.key.rfind("time.", 0) == 0 || x.key.rfind("uncertainty", 0) == 0 ||
        x.key.rfind("scenarios", 0) == 0)
      throw p.error("key", "run, time, scenarios and uncertainty settings frame the experiment; they cannot be uncertain");
    x.dist = read_distribution(p);
    x.source = p.text("source", "");
    p.finish();
    u.params.push_back(std::move(x));
  }
  if (u.params.empty()) throw r.error("parameters", "list at least one parameter with its distribution");
  if (u.design == "sobol" && u.params.size() > static_cast<size_t>(design::sobol_max_dimensions()))
    throw r.error("parameters", fmt::format("{} parameters; a Sobol' design has at most {} (use design: lhs)", u.params.size(),
                                            design::sobol_max_dimensions()));
  r.finish();
  const design::Matrix m = u.design == "sobol" ? design::sobol(replicates, u.params.size(), seed)
                                               : design::latin_hypercube(replicates, u.params.size(), seed);
  u.samples.assign(replicates, std::vector<double>(u.params.size()));
  for (size_t i = 0; i < replicates; ++i)
    for (size_t j = 0; j < u.params.size(); ++j) u.samples[i][j] = u.params[j].dist.quantile(m[i][j]);
  return u;
}

config::Node Uncertainty::apply(const config::Node& tree, uint32_t r) const {
  config::Node n = tree;
  for (size_t j = 0; j < params.size(); ++j)
    if (config::find_path(n, params[j].key)) config::apply_override(n, fmt::format("{}={:.17g}", params[j].key, samples[r][j]));
  return n;
}

}  // namespace hscsim
