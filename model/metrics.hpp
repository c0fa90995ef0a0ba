#pragma once
// What the model counts, and the metrics published from those counts.
//
// Within a step every module adds integer counts to a Tally (by deprivation quintile),
// so totals are exact and do not depend on thread or rank count. Metrics (what the
// HDF5 file holds) are computed from tallies when results are written; the list
// below is the one place that gives each metric its name, units, kind and meaning,
// and output/README.md is generated from it (`hscsim info --metrics`).
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agents/people/people.hpp"

namespace hscsim {

enum class Counter : uint16_t {
  Population,     //!< stock: alive at the end of the step
  Births,         //!< flow
  Deaths,         //!< flow
  Emigrants,      //!< flow: left the place
  Immigrants,     //!< flow: arrived
  AgeDays,        //!< stock: sum of ages of the living [days]
  AlcoholIncreasing, AlcoholDependent,
  FrailMild, FrailModerate, FrailSevere,
  // Care flows (in the step)
  GpAppointments, GpVirtual, GpUnmet, GpWaitDays, OutpatientAttendances, AeAttendances, EmergencyAdmissions,
  AcscAdmissions, ElectiveAdmissions, DayCases, ElectiveCancelled, Readmissions, BedDays, DelayedBedDays,
  InHospitalDeaths, Discharges, TrolleyWaits, StepDays, HomeCareMinutes, ReablementStarts, CareHomeAdmissions, ThirdSectorContacts,
  ThirdSectorUnmet, CostPrimaryPence, CostAcutePence, CostSocialPence, CostThirdPence,
  InterventionEnrolments, CostInterventionsPence,  //!< (intervention costs are also in their sector)
  InterventionMembers,  //!< people in a programme during the step (counted at enrolment)
  MutualAidAdmissions,  //!< emergency admissions to a partner trust (acute mutual aid)
  // Finance (place totals, quintile 0 only; pence)
  FinPaymentsPence, FinProviderIncomePence, FinProviderCostPence, FinBillingAdminPence, FinOutcomePaymentsPence,
  FinSharedSavingsPence, FinInvestorNetPence, ProvidersWithdrawn,
  // Care stocks (end of the step)
  InHospital, DelayedDischarges, ElectiveList, ElectiveOver18Weeks, CareHomeResidents, HomeCarePackages,
  InReablement, WaitingSocialCare, GpWaiting, WellbeingMilli, UtilityMilli,
  StateBase,      //!< then one stock counter per binary state
  Count = StateBase + kStateCount
};
inline constexpr size_t kCounterCount = static_cast<size_t>(Counter::Count);
inline Counter state_counter(int s) { return static_cast<Counter>(static_cast<int>(Counter::StateBase) + s); }

//! Integer counts for one step: [counter][0 = all, 1..5 = deprivation quintile].
struct Tally {
  std::array<int64_t, kCounterCount * 6> v{};
  //! Adds n to counter c for the whole population and, for quintile 1..5, to that
  //! quintile (quintile 0: the whole population only).
  void add(Counter c, uint8_t quintile, int64_t n = 1) {
    const size_t k = static_cast<size_t>(c) * 6;
    v[k] += n;
    if (quintile) v[k + quintile] += n;
  }
  int64_t get(Counter c, int quintile = 0) const { return v[static_cast<size_t>(c) * 6 + static_cast<size_t>(quintile)]; }
  Tally& operator+=(const Tally& o) {
    for (size_t k = 0; k < v.size(); ++k) v[k] += o.v[k];
    return *this;
  }
  bool operator==(const Tally&) const = default;
};

struct MetricDef {
  std::string name;
  std::string units;
  std::string kind;  //!< flow | stock | mean
  std::string description;
  bool by_quintile = false;
  std::function<double(const Tally&, int quintile)> value;  //!< quintile 0 = whole population
};

//! Every published metric, in output order.
const std::vector<MetricDef>& metric_definitions();

//! The metric table as Markdown (used for output/README.md).
std::string metrics_markdown();

}  // namespace hscsim
