#pragma once
// Recipe 5's provider kind: community pharmacies that see people with a long-term
// condition for a consultation, within a weekly capacity, at a cost per consultation.
#include <cstdint>
#include <string>
#include <vector>

#include "agents/people/metric_registry.hpp"
#include "agents/people/people.hpp"
#include "agents/pharmacy/counters.hpp"
#include "model/core/clock.hpp"
#include "model/core/config/reader.hpp"
#include "model/core/rng.hpp"

namespace hscsim {

struct PharmacyParams {
  struct Pharmacy {
    std::string name;
    double consultations_per_week = 0;
  };
  std::vector<Pharmacy> pharmacies;
  double consultations_per_person_year = 0;  //!< wanted by each person with a long-term condition
  int64_t consultation_pence = 0;
  //! `pharmacy:` (optional; no pharmacies without it).
  static PharmacyParams read(config::Reader& root);
};

//! The kind's registration with the provider layout.
const ProviderKindDef& pharmacy_kind();
void declare_pharmacy_metrics(MetricRegistry& m);

class Pharmacies {
 public:
  Pharmacies(const PharmacyParams& p, const ProviderLayout& L, const Clock& c) : p_(p), L_(L), clock_(c) {}
  //! Consultations of step s: each person with a long-term condition asks with the
  //! configured rate; the people of each pharmacy (slot modulo the pharmacies) are seen
  //! in slot order up to its capacity.
  void serve(const People& people, const Streams& streams, uint32_t s, int32_t day, Tally& t,
             std::vector<int64_t>& prov) const;

 private:
  const PharmacyParams& p_;
  const ProviderLayout& L_;
  const Clock& clock_;
};

}  // namespace hscsim
