#include "agents/geography/place.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hscsim {

PlaceParams PlaceParams::read(config::Reader& r) {
  PlaceParams p;
  p.england_population = r.real("england_population", {1, 1e9});
  p.one_in = r.real("one_in", {1, 1e7});
  p.size = std::llround(p.england_population / p.one_in);
  if (p.size < 100)
    throw r.error("one_in", fmt::format("1:{:g} of {:g} people is {} people; at least 100 are needed", p.one_in,
                                        p.england_population, p.size));
  p.practice_list_size = r.real("practice_list_size", {100, 1e6});
  p.trust_population = r.real("trust_population", {1000, 1e9});
  p.authority_population = r.real("authority_population", {1000, 1e9});
  auto q = r.reals("quintile_shares", 5, config::probability(), {0.2, 0.2, 0.2, 0.2, 0.2});
  config::require_shares(q, r.has("quintile_shares") ? *r.node().find("quintile_shares") : r.node(),
                         r.key_path("quintile_shares"));
  std::copy(q.begin(), q.end(), p.quintile_shares.begin());
  auto c = r.reals("practice_capacity_by_quintile", 5, {0.01, 100}, {1, 1, 1, 1, 1});
  std::copy(c.begin(), c.end(), p.practice_capacity_by_quintile.begin());
  config::Reader cap = r.child("per_100000");
  p.gp_appointments_per_week = cap.real("gp_appointments_per_week", config::capacity());
  p.virtual_share = cap.real("gp_virtual_share", config::probability(), 0.0);
  p.general_acute_beds = cap.real("general_acute_beds", config::capacity());
  p.escalation_beds = cap.real("escalation_beds", config::capacity(), 0.0);
  p.elective_admissions_per_week = cap.real("elective_admissions_per_week", config::capacity());
  p.home_care_hours_per_week = cap.real("home_care_hours_per_week", config::capacity());
  p.reablement_places = cap.real("reablement_places", config::capacity());
  p.care_home_places = cap.real("care_home_places", config::capacity());
  p.intermediate_care_beds = cap.real("intermediate_care_beds", config::capacity(), 0.0);
  p.intermediate_care_home_places = cap.real("intermediate_care_home_places", config::capacity(), 0.0);
  cap.finish();
  r.finish();
  return p;
}

Geography PlaceParams::generate() const {
  const double N = static_cast<double>(size);
  const auto count = [&](double per) { return static_cast<size_t>(std::max(1.0, std::round(N / per))); };
  const size_t np = std::max<size_t>(5, count(practice_list_size));
  const size_t nt = std::min(np, count(trust_population));
  const size_t na = std::min(np, count(authority_population));
  if (np > 65535) throw ConfigError(fmt::format("place: {} practices at this scale; at most 65,535 are supported", np));

  // Quintile of each practice in turn (1, 2, ..., 5, 1, ...); each quintile's share of
  // the population is split evenly among its practices.
  std::array<size_t, 5> in_quintile{};
  for (size_t k = 0; k < np; ++k) ++in_quintile[k % 5];
  std::vector<double> share(np);
  double weighted_capacity = 0;  // population-weighted mean capacity multiplier
  for (size_t k = 0; k < np; ++k) {
    share[k] = quintile_shares[k % 5] / static_cast<double>(in_quintile[k % 5]);
    weighted_capacity += share[k] * practice_capacity_by_quintile[k % 5];
  }
  auto block = [](size_t k, size_t n, size_t groups) { return static_cast<uint16_t>(k * groups / n); };

  Geography g;
  g.trusts.resize(nt);
  g.authorities.resize(na);
  std::vector<double> trust_people(nt, 0), authority_people(na, 0);
  for (size_t k = 0; k < np; ++k) {
    const double people = share[k] * N;
    Practice pr;
    pr.name = fmt::format("practice_{:04d}_q{}", k + 1, k % 5 + 1);
    pr.trust = block(k, np, nt);
    pr.virtual_share = virtual_share;
    pr.appointments_per_week =
        gp_appointments_per_week * people / 1e5 * practice_capacity_by_quintile[k % 5] / weighted_capacity;
    g.practices.push_back(pr);
    Neighbourhood h;
    h.name = fmt::format("neighbourhood_{:04d}", k + 1);
    h.quintile = static_cast<uint8_t>(k % 5 + 1);
    h.population_share = share[k];
    h.practices = {{static_cast<uint16_t>(k), 1.0}};
    h.local_authority = block(k, np, na);
    g.neighbourhoods.push_back(h);
    trust_people[pr.trust] += people;
    authority_people[h.local_authority] += people;
  }
  for (size_t t = 0; t < nt; ++t) {
    auto& tr = g.trusts[t];
    const double x = trust_people[t] / 1e5;
    tr.name = fmt::format("acute_trust_{:02d}", t + 1);
    tr.general_acute_beds = std::llround(general_acute_beds * x);
    tr.escalation_beds = std::llround(escalation_beds * x);
    tr.elective_admissions_per_week = elective_admissions_per_week * x;
  }
  for (size_t a = 0; a < na; ++a) {
    auto& la = g.authorities[a];
    const double x = authority_people[a] / 1e5;
    la.name = fmt::format("council_{:02d}", a + 1);
    la.home_care_hours_per_week = home_care_hours_per_week * x;
    la.reablement_places = std::llround(reablement_places * x);
    la.care_home_places = std::llround(care_home_places * x);
    if (intermediate_care_beds > 0 || intermediate_care_home_places > 0) {
      la.intermediate_care = static_cast<int32_t>(a);
      g.intermediate_care.push_back({fmt::format("community_{:02d}", a + 1), std::llround(intermediate_care_beds * x),
                                     std::llround(intermediate_care_home_places * x)});
    }
  }
  return g;
}

}  // namespace hscsim
