#pragma once
// The provider registry's layout: where each provider's counters sit in the one
// per-provider vector a step fills, and how its published metrics are described. It lives
// with geography (which holds the providers) so that care, interventions and finance can
// all use it without including each other.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hscsim {

//! Per-provider counters (flows in the step, stocks at its end), laid out in one
//! vector: practices, then trusts, then local authorities, then third-sector services.
struct ProviderLayout {
  enum Gp : uint8_t { GpAppointments, GpVirtual, GpUnmet, GpWaitDays, GpWaiting, GpCostPence, kGpCount };
  enum Trust : uint8_t { TrAe, TrEmergency, TrElective, TrCancelled, TrBedDays, TrDelayedDays, TrInpatients, TrTrolley,
                         TrWaitingList, TrCostPence, kTrustCount };
  enum La : uint8_t { LaHomeCareMinutes, LaReablementStarts, LaCareHomeAdmissions, LaResidents, LaWaiting, LaCostPence,
                      kLaCount };
  enum Third : uint8_t { TsContacts, TsUnmet, TsCostPence, kThirdCount };
  enum Programme : uint8_t { PgOffers, PgEnrolments, PgMembers, PgCostPence, kProgrammeCount };
  size_t practices = 0, trusts = 0, authorities = 0, services = 0, programmes = 0;
  size_t gp(size_t p, Gp c) const { return p * kGpCount + c; }
  size_t trust(size_t t, Trust c) const { return practices * kGpCount + t * kTrustCount + c; }
  size_t la(size_t a, La c) const { return practices * kGpCount + trusts * kTrustCount + a * kLaCount + c; }
  size_t third(size_t s, Third c) const {
    return practices * kGpCount + trusts * kTrustCount + authorities * kLaCount + s * kThirdCount + c;
  }
  size_t programme(size_t k, Programme c) const { return third(services, TsContacts) + k * kProgrammeCount + c; }
  //! Cost of the programmes provider group g delivers [pence] (also in its cost counter).
  size_t programme_cost(size_t g) const { return programme(programmes, PgOffers) + g; }
  size_t size() const { return programme_cost(providers()); }
  //! Providers (practices, trusts, authorities, services: the provider groups) in order.
  size_t providers() const { return practices + trusts + authorities + services; }
  //! The cost counter of provider group g [pence].
  size_t provider_cost(size_t g) const {
    if (g < practices) return gp(g, GpCostPence);
    g -= practices;
    if (g < trusts) return trust(g, TrCostPence);
    g -= trusts;
    if (g < authorities) return la(g, LaCostPence);
    return third(g - authorities, TsCostPence);
  }
};

//! One published per-provider metric.
struct ProviderMetric {
  std::string name, units, kind, description;
  //! Value from the provider's block of counters (`c` points at its first counter).
  double (*value)(const int64_t* c);
};
struct ProviderGroup {
  std::string id;    //!< HDF5 group name under providers/: gp_<name>, acute_<name>, social_care_<name>,
                     //!< third_sector_<name>; programmes (not providers) under interventions/<name>
  std::string kind;  //!< gp_practice | acute_trust | local_authority | third_sector | intervention
  size_t offset;     //!< index of its first counter in the per-provider vector
  const std::vector<ProviderMetric>* metrics;
  std::string folder = "providers";  //!< HDF5 group under the scenario: providers | interventions | finance
};
}  // namespace hscsim
