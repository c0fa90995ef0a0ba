#include "agents/geography/geography.hpp"

#include <fmt/format.h>

namespace hscsim {

Geography Geography::read(config::Reader& root) {
  Geography g;
  std::vector<std::string> names;
  for (auto r : root.list("gp_practices")) {
    Practice p{r.text("name")};
    for (const auto& n : names)
      if (n == p.name) throw r.error("name", fmt::format("practice name '{}' is used twice", p.name));
    names.push_back(p.name);
    g.practices.push_back(p);
    r.finish();
  }
  if (g.practices.empty()) throw root.error("gp_practices", "at least one GP practice is needed");
  if (g.practices.size() > 65535) throw root.error("gp_practices", "at most 65535 practices are supported");

  std::vector<double> shares;
  std::vector<std::string> hood_names;
  for (auto r : root.list("neighbourhoods")) {
    Neighbourhood h;
    h.name = r.text("name");
    for (const auto& n : hood_names)
      if (n == h.name) throw r.error("name", fmt::format("neighbourhood name '{}' is used twice", h.name));
    hood_names.push_back(h.name);
    h.quintile = static_cast<uint8_t>(r.integer("imd_quintile", {1, 5}));
    h.population_share = r.real("population_share", config::probability());
    shares.push_back(h.population_share);
    config::Reader pr = r.child("practices");
    std::vector<double> pshares;
    for (const auto& e : pr.node().map) {
      size_t idx = names.size();
      for (size_t k = 0; k < names.size(); ++k)
        if (names[k] == e.key) idx = k;
      if (idx == names.size()) {
        std::string hint = config::closest(e.key, names);
        throw ConfigError(fmt::format("{}: error: {}: no GP practice is named '{}'{} Practices: {}",
                                      e.key_origin.describe(), pr.key_path(e.key), e.key,
                                      hint.empty() ? "." : fmt::format("; did you mean '{}'?", hint),
                                      fmt::join(names, ", ")));
      }
      double s = pr.real(e.key, config::probability());
      pshares.push_back(s);
      h.practices.emplace_back(static_cast<uint16_t>(idx), s);
    }
    if (h.practices.empty()) throw r.error("practices", "list at least one practice with the share of residents registered there");
    config::require_shares(pshares, pr.node(), pr.path());
    for (size_t k = 0; k < pshares.size(); ++k) h.practices[k].second = pshares[k];
    pr.finish();
    r.finish();
    g.neighbourhoods.push_back(h);
  }
  if (g.neighbourhoods.empty()) throw root.error("neighbourhoods", "at least one neighbourhood is needed");
  if (g.neighbourhoods.size() > 65535) throw root.error("neighbourhoods", "at most 65535 neighbourhoods are supported");
  config::require_shares(shares, *root.node().find("neighbourhoods"), "neighbourhoods[*].population_share");
  for (size_t k = 0; k < shares.size(); ++k) g.neighbourhoods[k].population_share = shares[k];
  return g;
}

}  // namespace hscsim
