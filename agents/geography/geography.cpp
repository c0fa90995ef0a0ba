#include "agents/geography/geography.hpp"

#include <fmt/format.h>

namespace hscsim {
namespace {

// Reads a list of named things; names must be unique and the list non-empty.
template <typename T, typename ReadOne>
std::vector<T> read_named(config::Reader& root, const char* key, const char* what, ReadOne read_one) {
  std::vector<T> out;
  for (auto r : root.list(key)) {
    T item = read_one(r);
    item.name = r.name("name");
    for (const auto& other : out)
      if (other.name == item.name) throw r.error("name", fmt::format("{} name '{}' is used twice", what, item.name));
    out.push_back(std::move(item));
    r.finish();
  }
  if (out.empty()) throw root.error(key, fmt::format("at least one {} is needed", what));
  if (out.size() > 65535) throw root.error(key, fmt::format("at most 65535 are supported, got {}", out.size()));
  return out;
}

template <typename T>
uint16_t find_name(const config::Reader& r, const config::Node& where, const std::string& path, const std::string& name,
                   const std::vector<T>& items, const char* what) {
  std::vector<std::string> names;
  for (size_t k = 0; k < items.size(); ++k) {
    if (items[k].name == name) return static_cast<uint16_t>(k);
    names.push_back(items[k].name);
  }
  throw r.error(where, path,
                fmt::format("no {} is named '{}'{} Known: {}", what, name,
                            config::did_you_mean(name, names, "."), fmt::join(names, ", ")));
}

}  // namespace

Geography Geography::read(config::Reader& root) {
  Geography g;
  g.trusts = read_named<AcuteTrust>(root, "acute_trusts", "acute trust", [](config::Reader& r) {
    AcuteTrust t;
    t.general_acute_beds = r.integer("general_acute_beds", config::capacity());
    t.escalation_beds = r.integer("escalation_beds", config::capacity(), 0);
    t.elective_admissions_per_week = r.real("elective_admissions_per_week", config::capacity());
    return t;
  });
  g.authorities = read_named<LocalAuthority>(root, "local_authorities", "local authority", [](config::Reader& r) {
    LocalAuthority a;
    a.home_care_hours_per_week = r.real("home_care_hours_per_week", config::capacity());
    a.reablement_places = r.integer("reablement_places", config::capacity());
    a.care_home_places = r.integer("care_home_places", config::capacity());
    return a;
  });
  g.practices = read_named<Practice>(root, "gp_practices", "GP practice", [&](config::Reader& r) {
    Practice p;
    p.appointments_per_week = r.real("appointments_per_week", config::capacity());
    p.virtual_share = r.real("virtual_share", config::probability(), 0.0);
    std::string trust = r.text("acute_trust");
    p.trust = find_name(r, *r.node().find("acute_trust"), r.key_path("acute_trust"), trust, g.trusts, "acute trust");
    return p;
  });

  std::vector<double> shares;
  g.neighbourhoods = read_named<Neighbourhood>(root, "neighbourhoods", "neighbourhood", [&](config::Reader& r) {
    Neighbourhood h;
    h.quintile = static_cast<uint8_t>(r.integer("imd_quintile", {1, 5}));
    h.population_share = r.real("population_share", config::probability());
    shares.push_back(h.population_share);
    if (r.has("local_authority") || g.authorities.size() > 1) {
      std::string la = r.text("local_authority");
      h.local_authority = find_name(r, *r.node().find("local_authority"), r.key_path("local_authority"), la,
                                    g.authorities, "local authority");
    } else {
      r.skip("local_authority");
    }
    config::Reader pr = r.child("practices");
    std::vector<double> pshares;
    pr.names("<practice>");
    for (const auto& e : pr.node().map) {
      uint16_t idx = find_name(pr, e.value, pr.key_path(e.key), e.key, g.practices, "GP practice");
      double s = pr.real(e.key, config::probability());
      pshares.push_back(s);
      h.practices.emplace_back(idx, s);
    }
    if (h.practices.empty()) throw r.error("practices", "list at least one practice with the share of residents registered there");
    config::require_shares(pshares, pr.node(), pr.path());
    for (size_t k = 0; k < pshares.size(); ++k) h.practices[k].second = pshares[k];
    pr.finish();
    return h;
  });
  config::require_shares(shares, *root.node().find("neighbourhoods"), "neighbourhoods[*].population_share");
  for (size_t k = 0; k < shares.size(); ++k) g.neighbourhoods[k].population_share = shares[k];
  return g;
}

}  // namespace hscsim
