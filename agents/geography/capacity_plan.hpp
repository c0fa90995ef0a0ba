#pragma once
// How providers' capacities change over a run (`capacity_plan:`): per kind of capacity, a
// growth rate per year (compounding, applied step by step, so capacity never jumps by
// itself) and step changes from the first day of a calendar year, for every provider of
// the kind or for named ones. Without a plan every capacity stays as configured.
//
//   capacity_plan:
//     general_acute_beds: {growth_per_year: 0.005}
//     care_home_places:
//       changes: [{year: 2028, by: -0.10, providers: [riverside_council]}]
//
// A commissioning rule can be added to either: capacity follows demand with a lag and
// within a budget. Every `review_every_years` the commissioner sets each provider's
// capacity so that the demand of the period just ended would use `target_use` of it,
// changing it by at most `max_change_per_review` (a share of the capacity) per review:
//
//     home_care_hours_per_week:
//       follow_demand: {target_use: 0.95, review_every_years: 1, max_change_per_review: 0.05}
//
// Demand is measured by care from what providers did and turned away (CareSystem).
// The plan multiplies the capacity each provider starts with; integer capacities (beds,
// places) are rounded to the nearest whole one.
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/core/config/reader.hpp"

namespace hscsim {

struct Geography;

//! The kinds of capacity a plan can change, in config-name order (kCapacityNames).
enum class CapacityKind : uint8_t {
  GpAppointments, GeneralAcuteBeds, EscalationBeds, Electives, HomeCareHours, ReablementPlaces, CareHomePlaces,
  IntermediateBeds, IntermediateHomePlaces, Count
};
inline constexpr size_t kCapacityKinds = static_cast<size_t>(CapacityKind::Count);
//! Config names: the provider keys in `gp_practices:`, `acute_trusts:`, `local_authorities:`
//! and `intermediate_care:`.
inline constexpr std::array<std::string_view, kCapacityKinds> kCapacityNames = {
    "appointments_per_week", "general_acute_beds", "escalation_beds", "elective_admissions_per_week",
    "home_care_hours_per_week", "reablement_places", "care_home_places", "community_beds", "home_places"};

struct CapacityChange {
  int year = 0;                   //!< calendar year from whose first day it applies
  double by = 0;                  //!< relative change (-0.1 = 10% less) [fraction]
  std::vector<uint8_t> providers; //!< per provider of the kind: 1 if it applies (all when the list is omitted)
};

//! The commissioning rule: capacity follows demand with a lag, within a budget.
struct FollowDemand {
  bool on = false;
  double target_use = 0.9;           //!< share of capacity the last period's demand should use [fraction]; above 1: rationing
  double review_every_years = 1;     //!< review interval, also the lag [years]
  double max_change_per_review = 0.05;  //!< budget: largest change at one review [fraction of capacity]
};

struct CapacityTrend {
  double growth_per_year = 0;  //!< [fraction per year], compounding
  std::vector<CapacityChange> changes;
  FollowDemand follow;
  bool empty() const { return growth_per_year == 0 && changes.empty() && !follow.on; }
};

//! Per kind of capacity, per provider of the kind: the commissioning rule's multiplier
//! (empty vector: 1 for every provider).
using CapacityFactors = std::array<std::vector<double>, kCapacityKinds>;

class CapacityPlan {
 public:
  //! Reads top-level `capacity_plan:` (optional) for the providers of `g`, in a run that
  //! starts on 1 January of `start_year`. Throws ConfigError.
  static CapacityPlan read(config::Reader& root, const Geography& g, int start_year);

  //! No capacity changes over the run.
  bool empty() const;
  //! Multiplier on the starting capacity of kind k of provider `index` (among its kind)
  //! `years` after the start of the run (step changes from the first day of their year).
  double multiplier(CapacityKind k, size_t index, double years) const;
  //! `now`'s capacities `years` after the start: `base`'s times the plan's multipliers
  //! and the commissioning rule's `follow` factors.
  void apply(const Geography& base, double years, const CapacityFactors& follow, Geography& now) const;
  //! The commissioning rule of capacity kind k (FollowDemand::on false when none).
  const FollowDemand& follow(CapacityKind k) const { return trend_[static_cast<size_t>(k)].follow; }
  //! The rule's new factor for a provider whose planned capacity (before the rule) is
  //! `planned`, with factor `factor` now, after a period of mean `demand` (capacity units).
  double review(CapacityKind k, double demand, double planned, double factor) const;
  //! Whether this plan and `o` treat capacity kind k of provider `index` alike.
  bool same(const CapacityPlan& o, CapacityKind k, size_t index) const;

 private:
  std::array<CapacityTrend, kCapacityKinds> trend_{};
  int start_year_ = 2025;
};

}  // namespace hscsim
