#include "agents/people/risk.hpp"

#include <string>

#include <fmt/format.h>

#include "model/core/archive.hpp"

namespace hscsim {

void StratumMeans::state(archive::Io& io) { io(sum_, count_, mean_); }

RelativeRisks RelativeRisks::read(config::Reader& r) {
  RelativeRisks rr;
  if (auto m = r.optional_child("rr")) {
    m->names("<risk factor>");
    for (const auto& e : m->node().map) {
      const config::Node name = config::key_node(e);
      const int f = factor_from_name(*m, name, m->key_path(e.key));
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

int factor_from_name(const config::Reader& r, const config::Node& name, const std::string& path) {
  const int f = name.is_scalar() ? factor_index(name.scalar) : -1;
  if (f >= 0) return f;
  std::vector<std::string> names;
  for (int k = 0; k < kFactorCount; ++k) names.emplace_back(factor_name(k));
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  throw r.error(name, path,
                fmt::format("unknown risk factor '{}'{} Risk factors: {}", name.scalar,
                            config::did_you_mean(name.scalar, names, "."), all));
}

int read_factor(config::Reader& r, std::string_view key) {
  r.text(key);  // type check and mark as read
  return factor_from_name(r, *r.node().find(key), r.key_path(key));
}

}  // namespace hscsim
