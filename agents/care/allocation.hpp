#pragma once
// Requests and the allocation rules shared by care's providers: the order requests are
// served in, capacity per step, counting a stay's bed days, discharge. Internal to
// agents/care (its .cpp files include it; other modules use care.hpp).
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "agents/care/care.hpp"

namespace hscsim {

inline constexpr size_t kCareAhead = 8;   // requests ahead whose people are prefetched (People::prefetch_for_care)
inline constexpr uint8_t kRoutine = 254;  // Request::what for routine GP demand
inline constexpr uint8_t kBacklog = 253;  // Request::what for a GP request already waiting
inline constexpr uint8_t kReview = 252;   // Request::what for a long-term-condition review that is due

//! Requests grouped by provider (see allocation.cpp).
std::vector<std::vector<Request>> by_provider(const std::vector<Request>& all, size_t providers);

// Whole units of capacity available this step, carrying the fraction to the next.
inline int64_t take_capacity(double& carry, double per_week, double step_days) {
  carry += per_week * step_days / 7.0;
  const auto n = static_cast<int64_t>(std::floor(carry + 1e-9));
  carry -= static_cast<double>(n);
  return n;
}

// A request whose tie-break key and lanes are both keyed by `sub`.
inline Request make_request(const Streams& s, const People& p, size_t i, uint32_t step, uint16_t provider, uint8_t tier,
                            uint8_t what, int32_t since, uint16_t sub) {
  return {static_cast<uint32_t>(i), s.tiebreak(p.id[i], step, sub), provider, tier, what, since, sub};
}

inline int32_t los_to_due(int32_t admit, double mean_days, double u) {
  // Length of stay: exponential with the given mean, rounded to whole days.
  return admit + static_cast<int32_t>(std::llround(-mean_days * std::log(u)));
}

inline DischargeReady CareSystem::discharge_ready_day(const Streams& s, const People& p, size_t i, int32_t due, CareNeed need) const {
  const double mean = p_.discharge_assessment_days[static_cast<size_t>(need) - 1] *
                      (1.0 - level(p_.integration.joint_discharge_planning, due) * p_.integration.discharge_assessment_reduction);
  const bool choosing = need == CareNeed::CareHome && p_.patient_choice_share > 0;
  if (mean <= 0 && !choosing) return {due, due};
  Lanes u(s, p.id[i], static_cast<uint32_t>(due), Purpose::Discharge, substream::kDischargeProcess[0]);
  const int32_t assessed = mean > 0 ? los_to_due(due, mean, 1.0 - u[care_lane::kProcessAssessment]) : due;
  if (!choosing || u[care_lane::kProcessChoice] >= p_.patient_choice_share) return {assessed, assessed};
  return {assessed, los_to_due(assessed, p_.patient_choice_days_mean, 1.0 - u[care_lane::kProcessChoiceDays])};
}


// Bed days of one stay within [from, to), split into ordinary and excess (beyond
// `excess_after` days from admission); adds counts and excess cost.
//! Why a medically fit patient is still in a bed (none: not fit yet).
enum class Delay : uint8_t { None, Assessment, Reablement, HomeCare, CareHome, IntermediateCare, PatientChoice };
//! The delay of a patient waiting for the care `need` once assessed.
inline Delay awaiting(CareNeed need) {
  return is_intermediate(need) ? Delay::IntermediateCare : static_cast<Delay>(static_cast<uint8_t>(need) + 1);
}
inline constexpr std::array<CareCounter, 7> kDelayCounters = {
    CareCounter::Count,               CareCounter::DelayedAssessmentDays,       CareCounter::DelayedReablementDays,
    CareCounter::DelayedHomeCareDays, CareCounter::DelayedCareHomeDays,         CareCounter::DelayedIntermediateCareDays,
    CareCounter::DelayedPatientChoiceDays};
inline void count_bed_days(const People& p, size_t i, int32_t from, int32_t to, double excess_after, int64_t excess_pence,
                           size_t trust, const ProviderLayout& L, Tally& t, std::vector<int64_t>& prov, Delay delay);
//! A medically fit patient whose request `q` found no place this step: they keep their
//! bed from when they asked to the step's end, delayed for `delay`.
inline void count_delayed_in_bed(const People& p, const Request& q, int32_t day, int32_t day_end, const CareParams& cp,
                                 const ProviderLayout& L, Tally& t, std::vector<int64_t>& prov, Delay delay) {
  count_bed_days(p, q.slot, std::max(day, q.since), day_end, cp.excess_bed_days_after, cp.costs.excess_bed_day,
                 p.hospital[q.slot], L, t, prov, delay);
}
inline void count_bed_days(const People& p, size_t i, int32_t from, int32_t to, double excess_after, int64_t excess_pence,
                           size_t trust, const ProviderLayout& L, Tally& t, std::vector<int64_t>& prov, Delay delay) {
  if (to <= from) return;
  const uint8_t q = p.quintile[i];
  const int64_t days = to - from;
  t.add(CareCounter::BedDays, q, p.sex[i], p.age_years(i, from), days);
  if (p.stay[i] != kElectiveStay) t.add(CareCounter::EmergencyBedDays, q, days);
  prov[L.at(trust, TrustCounter::BedDays)] += days;
  if (delay != Delay::None) {
    t.add(CareCounter::DelayedBedDays, q, days);
    t.add(kDelayCounters[static_cast<size_t>(delay)], q, days);
    prov[L.at(trust, TrustCounter::DelayedDays)] += days;
  }
  const auto excess_start = static_cast<int32_t>(p.admit_day[i] + static_cast<int32_t>(excess_after));
  const int64_t excess = std::max<int64_t>(0, to - std::max(from, excess_start));
  if (excess > 0) {
    t.add(sector_cost(ProviderKind::Acute), q, excess * excess_pence);
    prov[L.at(trust, TrustCounter::CostPence)] += excess * excess_pence;
  }
}

inline void CareSystem::discharge(People& p, size_t i, int32_t day, Tally& t) const {
  t.add(CareCounter::Discharges, p.quintile[i]);
  p.setting[i] = static_cast<uint8_t>((p.care[i] & kCareHomeResident) ? Setting::CareHome : Setting::Community);
  p.last_discharge_day[i] = day;
  p.admit_day[i] = p.due_day[i] = kNoDay;
  p.stay[i] = 0;
  p.care_need[i] = static_cast<uint8_t>(CareNeed::None);
}


}  // namespace hscsim
