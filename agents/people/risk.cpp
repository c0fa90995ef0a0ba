#include "agents/people/risk.hpp"

#include <string>

#include <fmt/format.h>

namespace hscsim {

RelativeRisks RelativeRisks::read(config::Reader& r) {
  RelativeRisks rr;
  if (auto m = r.optional_child("rr")) {
    std::vector<std::string> names;
    for (int f = 0; f < kFactorCount; ++f) names.emplace_back(factor_name(f));
    for (const auto& e : m->node().map) {
      int f = factor_index(e.key);
      if (f < 0) {
        std::string hint = config::closest(e.key, names);
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        throw ConfigError(fmt::format("{}: error: {}: unknown risk factor '{}'{} Risk factors: {}",
                                      e.key_origin.describe(), m->key_path(e.key), e.key,
                                      hint.empty() ? "." : fmt::format("; did you mean '{}'?", hint), all));
      }
      rr.factors.emplace_back(f, m->real(e.key, config::positive_rr()));
      rr.mask |= uint64_t{1} << f;
    }
    m->finish();
  }
  auto q = r.reals("rr_deprivation_quintile", 5, config::positive_rr(), {1, 1, 1, 1, 1});
  for (size_t i = 0; i < 5; ++i) {
    rr.quintile[i] = q[i];
    if (q[i] != 1.0) rr.quintile_trivial = false;
  }
  return rr;
}

}  // namespace hscsim
