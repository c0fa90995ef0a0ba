#pragma once
// The provider registry: the kinds of provider, the provider groups (every practice,
// trust, local authority and third-sector service, in that order, numbered 0..G-1), and
// where each one's counters sit in the one per-provider vector a step fills. It lives
// with geography (which holds the providers) so that care, interventions and finance can
// all use it without including each other. Nobody else computes a group id or a counter
// index: they ask the layout.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agents/geography/geography.hpp"

namespace hscsim {

//! The kinds of provider, in the order of their groups. Config names: kProviderKindNames.
enum class ProviderKind : uint8_t { Gp, Acute, SocialCare, ThirdSector };
inline constexpr size_t kProviderKinds = 4;
inline constexpr std::array<std::string_view, kProviderKinds> kProviderKindNames = {"gp", "acute", "social_care", "third_sector"};

//! Per-provider counters (flows in the step, stocks at its end), laid out in one
//! vector: practices, then trusts, then local authorities, then third-sector services.
struct ProviderLayout {
  //! The layout of a place with `services` third-sector services and `programmes`
  //! intervention programmes (the one way to build it).
  static ProviderLayout of(const Geography& g, size_t services, size_t programmes) {
    ProviderLayout L;
    L.practices = g.practices.size();
    L.trusts = g.trusts.size();
    L.authorities = g.authorities.size();
    L.services = services;
    L.programmes = programmes;
    return L;
  }
  //! Number of providers of kind k.
  size_t count(ProviderKind k) const {
    switch (k) {
      case ProviderKind::Gp: return practices;
      case ProviderKind::Acute: return trusts;
      case ProviderKind::SocialCare: return authorities;
      case ProviderKind::ThirdSector: return services;
    }
    return 0;
  }
  //! Group id of the first provider of kind k.
  size_t first(ProviderKind k) const {
    switch (k) {
      case ProviderKind::Gp: return 0;
      case ProviderKind::Acute: return practices;
      case ProviderKind::SocialCare: return practices + trusts;
      case ProviderKind::ThirdSector: return practices + trusts + authorities;
    }
    return 0;
  }
  //! Group id of the index-th provider of kind k (practice p, trust t, authority a, service s).
  size_t group(ProviderKind k, size_t index) const { return first(k) + index; }
  ProviderKind kind_of(size_t g) const {
    if (g < first(ProviderKind::Acute)) return ProviderKind::Gp;
    if (g < first(ProviderKind::SocialCare)) return ProviderKind::Acute;
    if (g < first(ProviderKind::ThirdSector)) return ProviderKind::SocialCare;
    return ProviderKind::ThirdSector;
  }
  //! Index of group g among the providers of its kind.
  size_t index_in_kind(size_t g) const { return g - first(kind_of(g)); }

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
  //! Billable transactions of provider group g in a step, read from the per-provider
  //! counters `prov` (what a fee-for-service contract bills): GP appointments; A&E
  //! attendances and emergency and elective admissions; reablement starts, care home
  //! admissions, and care home residents once per invoice of `care_home_invoice_steps`
  //! steps; third-sector contacts.
  int64_t transactions(const int64_t* prov, size_t g, int care_home_invoice_steps) const {
    const size_t k = index_in_kind(g);
    switch (kind_of(g)) {
      case ProviderKind::Gp: return prov[gp(k, GpAppointments)];
      case ProviderKind::Acute: return prov[trust(k, TrAe)] + prov[trust(k, TrEmergency)] + prov[trust(k, TrElective)];
      case ProviderKind::SocialCare:
        return prov[la(k, LaReablementStarts)] + prov[la(k, LaCareHomeAdmissions)] + prov[la(k, LaResidents)] / care_home_invoice_steps;
      case ProviderKind::ThirdSector: return prov[third(k, TsContacts)];
    }
    return 0;
  }
  //! Providers (practices, trusts, authorities, services: the provider groups) in order.
  size_t providers() const { return practices + trusts + authorities + services; }
  //! The cost counter of provider group g [pence].
  size_t provider_cost(size_t g) const {
    const size_t k = index_in_kind(g);
    switch (kind_of(g)) {
      case ProviderKind::Gp: return gp(k, GpCostPence);
      case ProviderKind::Acute: return trust(k, TrCostPence);
      case ProviderKind::SocialCare: return la(k, LaCostPence);
      case ProviderKind::ThirdSector: return third(k, TsCostPence);
    }
    return 0;
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
