#include "agents/geography/geography.hpp"

#include <cmath>
#include <optional>

#include <fmt/format.h>

namespace hscsim {
namespace {

// Reads a list of named things; names must be unique and the list non-empty (or, when
// `optional`, absent, empty or ~: none).
template <typename T, typename ReadOne>
std::vector<T> read_named(config::Reader& root, const char* key, const char* what, ReadOne read_one, bool optional = false) {
  std::vector<T> out;
  const config::Node* n = root.node().find(key);
  if (optional && (!n || n->is_null() || (n->is_seq() && n->seq.empty()))) {
    root.skip(key);
    return out;
  }
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

// A capacity given as an absolute number (`key`) or per 100,000 people the provider serves
// (`key_per_100000`), exactly one of them (or neither, where there is a fallback). Per
// 100,000 is resolved once the neighbourhoods say whom each provider serves (Scaled::of).
struct Scaled {
  double value = 0;
  bool per_100000 = false;
  //! The capacity for `served` people (integer capacities rounded to the nearest).
  double of(double served, bool integer) const {
    if (!per_100000) return value;
    const double v = value * served / 1e5;
    return integer ? static_cast<double>(std::llround(v)) : v;
  }
};
Scaled read_capacity(config::Reader& r, const std::string& key, bool integer, std::optional<double> fallback = {}) {
  const std::string per = key + "_per_100000";
  if (r.has(key) && r.has(per))
    throw r.error(per, fmt::format("give {} (absolute) or {} (per 100,000 people served), not both", key, per));
  if (r.has(per)) return {r.real(per, config::capacity()), true};
  r.skip(per);
  if (!r.has(key) && fallback) return {*fallback, false};
  if (!r.has(key) && !fallback)
    throw r.error(key, fmt::format("missing: give {} (absolute) or {} (per 100,000 people served)", key, per));
  return {integer ? static_cast<double>(r.integer(key, config::capacity())) : r.real(key, config::capacity()), false};
}

}  // namespace

Geography Geography::read(config::Reader& root, int64_t population_size) {
  Geography g;
  // Capacities as given; those per 100,000 are resolved below, from whom each serves.
  struct TrustIn { Scaled beds, escalation, electives; };
  struct AuthorityIn { Scaled home_care, reablement, care_home; };
  struct IntermediateIn { Scaled beds, home; };
  std::vector<TrustIn> trust_in;
  std::vector<AuthorityIn> authority_in;
  std::vector<IntermediateIn> intermediate_in;
  std::vector<Scaled> practice_in;
  g.trusts = read_named<AcuteTrust>(root, "acute_trusts", "acute trust", [&](config::Reader& r) {
    trust_in.push_back({read_capacity(r, "general_acute_beds", true), read_capacity(r, "escalation_beds", true, 0.0),
                        read_capacity(r, "elective_admissions_per_week", false)});
    return AcuteTrust{};
  });
  g.authorities = read_named<LocalAuthority>(root, "local_authorities", "local authority", [&](config::Reader& r) {
    authority_in.push_back({read_capacity(r, "home_care_hours_per_week", false), read_capacity(r, "reablement_places", true),
                            read_capacity(r, "care_home_places", true)});
    return LocalAuthority{};
  });
  // Each council's residents have at most one intermediate care service; a service names
  // its councils (or, with one council, may leave it implied).
  g.intermediate_care = read_named<IntermediateCareService>(root, "intermediate_care", "intermediate care service", [&](config::Reader& r) {
    intermediate_in.push_back({read_capacity(r, "community_beds", true), read_capacity(r, "home_places", true)});
    const auto me = static_cast<int32_t>(intermediate_in.size() - 1);
    std::vector<uint16_t> las;
    if (const config::Node* list = r.node().find("local_authorities")) {
      std::vector<std::string> known;
      for (const auto& a : g.authorities) known.push_back(a.name);
      if (!list->is_seq() || list->seq.empty())
        throw r.error("local_authorities", fmt::format("expected a list of the local authorities whose residents it serves ({})",
                                                       fmt::join(known, ", ")));
      for (const auto& item : list->seq)
        las.push_back(find_name(r, item, r.key_path("local_authorities"), item.scalar, g.authorities, "local authority"));
      r.skip("local_authorities");
    } else if (g.authorities.size() == 1) {
      las = {0};
    } else {
      throw r.error("local_authorities", "missing: list the local authorities whose residents it serves");
    }
    for (const uint16_t a : las) {
      if (g.authorities[a].intermediate_care >= 0)
        throw r.error("local_authorities", fmt::format("local authority '{}' already has an intermediate care service",
                                                       g.authorities[a].name));
      g.authorities[a].intermediate_care = me;
    }
    return IntermediateCareService{};
  }, true);
  g.practices = read_named<Practice>(root, "gp_practices", "GP practice", [&](config::Reader& r) {
    Practice p;
    practice_in.push_back(read_capacity(r, "appointments_per_week", false));
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
  // Whom each provider serves at the start: a practice its registered patients, a trust
  // the patients of its practices, a council the residents of its neighbourhoods.
  const double N = static_cast<double>(population_size);
  std::vector<double> practice_people(g.practices.size(), 0), trust_people(g.trusts.size(), 0),
      authority_people(g.authorities.size(), 0);
  for (const auto& h : g.neighbourhoods) {
    authority_people[h.local_authority] += N * h.population_share;
    for (const auto& [pr, share] : h.practices) practice_people[pr] += N * h.population_share * share;
  }
  for (size_t k = 0; k < g.practices.size(); ++k) {
    g.practices[k].appointments_per_week = practice_in[k].of(practice_people[k], false);
    trust_people[g.practices[k].trust] += practice_people[k];
  }
  for (size_t k = 0; k < g.trusts.size(); ++k) {
    g.trusts[k].general_acute_beds = std::llround(trust_in[k].beds.of(trust_people[k], true));
    g.trusts[k].escalation_beds = std::llround(trust_in[k].escalation.of(trust_people[k], true));
    g.trusts[k].elective_admissions_per_week = trust_in[k].electives.of(trust_people[k], false);
  }
  for (size_t k = 0; k < g.authorities.size(); ++k) {
    g.authorities[k].home_care_hours_per_week = authority_in[k].home_care.of(authority_people[k], false);
    g.authorities[k].reablement_places = std::llround(authority_in[k].reablement.of(authority_people[k], true));
    g.authorities[k].care_home_places = std::llround(authority_in[k].care_home.of(authority_people[k], true));
  }
  std::vector<double> intermediate_people(g.intermediate_care.size(), 0);
  for (size_t k = 0; k < g.authorities.size(); ++k)
    if (g.authorities[k].intermediate_care >= 0) intermediate_people[static_cast<size_t>(g.authorities[k].intermediate_care)] += authority_people[k];
  for (size_t k = 0; k < g.intermediate_care.size(); ++k) {
    g.intermediate_care[k].community_beds = std::llround(intermediate_in[k].beds.of(intermediate_people[k], true));
    g.intermediate_care[k].home_places = std::llround(intermediate_in[k].home.of(intermediate_people[k], true));
  }
  return g;
}

std::vector<std::string> Geography::providers_of(CapacityKind k) const {
  std::vector<std::string> out;
  auto names = [&](const auto& providers) {
    for (const auto& p : providers) out.push_back(p.name);
  };
  switch (k) {
    case CapacityKind::GpAppointments: names(practices); break;
    case CapacityKind::GeneralAcuteBeds:
    case CapacityKind::EscalationBeds:
    case CapacityKind::Electives: names(trusts); break;
    case CapacityKind::IntermediateBeds:
    case CapacityKind::IntermediateHomePlaces: names(intermediate_care); break;
    default: names(authorities);
  }
  return out;
}

double Geography::capacity(CapacityKind k, size_t index) const {
  switch (k) {
    case CapacityKind::GpAppointments: return practices[index].appointments_per_week;
    case CapacityKind::GeneralAcuteBeds: return static_cast<double>(trusts[index].general_acute_beds);
    case CapacityKind::EscalationBeds: return static_cast<double>(trusts[index].escalation_beds);
    case CapacityKind::Electives: return trusts[index].elective_admissions_per_week;
    case CapacityKind::HomeCareHours: return authorities[index].home_care_hours_per_week;
    case CapacityKind::ReablementPlaces: return static_cast<double>(authorities[index].reablement_places);
    case CapacityKind::CareHomePlaces: return static_cast<double>(authorities[index].care_home_places);
    case CapacityKind::IntermediateBeds: return static_cast<double>(intermediate_care[index].community_beds);
    case CapacityKind::IntermediateHomePlaces: return static_cast<double>(intermediate_care[index].home_places);
    default: return 0;
  }
}

}  // namespace hscsim
