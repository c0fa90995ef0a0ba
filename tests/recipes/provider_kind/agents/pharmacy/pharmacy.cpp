#include "agents/pharmacy/pharmacy.hpp"

#include <cmath>

#include "model/core/money.hpp"

namespace hscsim {

PharmacyParams PharmacyParams::read(config::Reader& root) {
  PharmacyParams p;
  auto r = root.optional_child("pharmacy");
  if (!r) return p;
  for (auto ph : r->list("pharmacies")) {
    p.pharmacies.push_back({ph.name("name"), ph.real("consultations_per_week", config::capacity())});
    ph.finish();
  }
  p.consultations_per_person_year = r->real("consultations_per_person_year", config::non_negative());
  p.consultation_pence = to_pence(r->real("cost_per_consultation_gbp", config::non_negative()));
  r->finish();
  return p;
}

namespace {
const std::vector<ProviderMetric> kMetrics = {
    {"consultations", "consultations", "flow", "consultations given", [](const int64_t* c) { return double(c[slot(PharmacyCounter::Consultations)]); }},
    {"unmet", "requests", "flow", "requests over capacity", [](const int64_t* c) { return double(c[slot(PharmacyCounter::Unmet)]); }},
    {"cost_gbp", "GBP", "flow", "cost of its consultations", [](const int64_t* c) { return to_gbp(c[slot(PharmacyCounter::CostPence)]); }},
};
}  // namespace

const ProviderKindDef& pharmacy_kind() {
  static const ProviderKindDef def{ProviderKind::Pharmacy, Served::Place, slot(PharmacyCounter::Count), slot(PharmacyCounter::CostPence),
                                   [](const int64_t* c, int) { return c[slot(PharmacyCounter::Consultations)]; }, &kMetrics};
  return def;
}

void declare_pharmacy_metrics(MetricRegistry& m) {
  m.pounds("cost_pharmacy_gbp", {sector_cost(ProviderKind::Pharmacy)}, "community pharmacy consultations", false);
}

void Pharmacies::serve(const People& people, const Streams& streams, uint32_t s, int32_t day, Tally& t,
                       std::vector<int64_t>& prov) const {
  if (p_.pharmacies.empty()) return;
  const double step_days = clock_.day_at_start(s + 1) - day;
  const double prob = 1.0 - std::exp(-p_.consultations_per_person_year * step_days / 365.25);
  std::vector<int64_t> left(p_.pharmacies.size());
  for (size_t k = 0; k < left.size(); ++k) left[k] = std::llround(p_.pharmacies[k].consultations_per_week * step_days / 7.0);
  for (size_t i = 0; i < people.size(); ++i) {
    if (!people.alive(i) || people.conditions(i) == 0) continue;
    if (streams.uniform(people.id[i], s, Purpose::Pharmacy) >= prob) continue;
    const size_t k = i % left.size();
    const uint8_t q = people.quintile[i];
    if (left[k] > 0) {
      --left[k];
      prov[L_.at(k, PharmacyCounter::Consultations)] += 1;
      prov[L_.at(k, PharmacyCounter::CostPence)] += p_.consultation_pence;
      t.add(sector_cost(ProviderKind::Pharmacy), q, p_.consultation_pence);
    } else {
      prov[L_.at(k, PharmacyCounter::Unmet)] += 1;
    }
  }
}

}  // namespace hscsim
