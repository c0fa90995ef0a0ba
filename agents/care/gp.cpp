// GP practices: appointments within capacity, referrals onward, unmet demand.
#include "agents/care/allocation.hpp"

#include <algorithm>
#include <cstdint>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

namespace hscsim {

// One practice's GP appointments (step 1 of allocate). Writes only its own patients'
// columns and its outputs: its per-provider counters, A&E attendances of acute cases not
// seen, third-sector referrals, outpatient costs for its trust. Works on its own outcome,
// returned at the end: the outputs of neighbouring practices (run at the same time) would
// share cache lines.
CareSystem::GpOutcome CareSystem::allocate_gp(People& people, size_t pr, std::vector<Request>& reqs, const Streams& s,
                                              uint32_t step, int32_t day, double gp_capacity, double virtual_multiplier, Tally& t) {
  GpOutcome out;
  auto& counts = out.counts;
  const int32_t day_end = clock_.day_at_start(step + 1);
  const auto& practice = g_.practices[pr];
  const auto& rm = p_.gp_remote;
  const double virtual_share = std::min(1.0, practice.virtual_share * virtual_multiplier);
  // Whether a request would be remote if served (care.gp.remote), at a remote share.
  auto remote_at = [&](const Request& q, Lanes& a, double share) {
    if (a[care_lane::kGpVirtual] >= share) return false;
    const size_t i = q.slot;
    const double suitable = q.what == kReview ? rm.suitable_review : (q.what == kRoutine || q.what == kBacklog) ? rm.suitable_routine
                                                                                                               : rm.suitable_event;
    if (suitable < 1 && a[care_lane::kGpRemoteSuitable] >= suitable) return false;
    if (!rm.excluded.values[0].empty()) {
      const int age = std::min(people.age_years(i, day), config::AgeTable::kMaxAge);
      const double share = std::min(1.0, rm.excluded.values[0][rm.excluded.row(age)] * rm.excluded_rr_by_quintile[people.quintile[i] - 1u]);
      if (Lanes(s, people.id[i], kInitStep, Purpose::GpAppointment, substream::kGpDigital[0])[0] < share) return false;
    }
    return true;
  };
  auto remote_if_served = [&](const Request& q, Lanes& a) { return remote_at(q, a, virtual_share); };
  // Clinician time. The practice's capacity is its appointments at today's mix of remote
  // and face-to-face ones; a remote appointment takes time_ratio of the clinician time of
  // a face-to-face one, so when programmes raise the remote share the same time gives
  // more appointments: x (1 - v_today (1 - r)) / (1 - v_now (1 - r)), the remote shares
  // v among those asking this step.
  double stretch = 1.0;
  if (rm.time_ratio < 1 && virtual_multiplier != 1.0 && !reqs.empty()) {
    size_t now = 0, today = 0;
    const double base_share = std::min(1.0, practice.virtual_share);
    for (const Request& q : reqs) {
      Lanes a(s, people.id[q.slot], step, Purpose::GpAppointment, q.sub);
      now += remote_at(q, a, virtual_share);
      today += remote_at(q, a, base_share);
    }
    const double n = static_cast<double>(reqs.size()), saved = 1.0 - rm.time_ratio;
    stretch = (1.0 - static_cast<double>(today) / n * saved) / (1.0 - static_cast<double>(now) / n * saved);
  }
  const int64_t cap = take_capacity(gp_carry_[pr], practice.appointments_per_week * gp_capacity * stretch, day_end - day);
  const double pathways = level(p_.integration.shared_pathways, day) * p_.integration.pathways_managed;
  std::array<double, 6> follow_ups{};  //!< by quintile
  const size_t served = select_served(reqs, cap);
  counts[slot(GpCounter::Capacity)] += cap;
  counts[slot(GpCounter::Deferred)] += static_cast<int64_t>(reqs.size() - served);
  // The served are spread thinly over the people's columns: fetch a few requests ahead.
  // (Written out in the loop: GCC drops calls to a lambda that only prefetches, as if
  // it did nothing.)
  constexpr size_t kAhead = 8;
  for (size_t k = 0; k < served; ++k) {
    if (k + kAhead < served) {
      const size_t j = reqs[k + kAhead].slot;
      __builtin_prefetch(&people.id[j]);
      __builtin_prefetch(&people.states[j]);
      __builtin_prefetch(&people.gp_wait_since[j], 1);
      __builtin_prefetch(&people.programmes[j]);
      __builtin_prefetch(&people.quintile[j]);
      __builtin_prefetch(&people.review_due[j], 1);
    }
    const size_t i = reqs[k].slot;
    const uint8_t q = people.quintile[i];
    Lanes a(s, people.id[i], step, Purpose::GpAppointment, reqs[k].sub);
    const bool remote = remote_if_served(reqs[k], a);
    t.add(CareCounter::GpAppointments, q, people.sex[i], people.age_years(i, day));
    counts[slot(GpCounter::Appointments)] += 1;
    if (remote) {
      t.add(CareCounter::GpVirtual, q);
      counts[slot(GpCounter::Virtual)] += 1;
    }
    const int64_t fee = remote ? p_.costs.virtual_appointment : p_.costs.gp_appointment;
    t.add(sector_cost(ProviderKind::Gp), q, fee);
    counts[slot(GpCounter::CostPence)] += fee;
    // A review that is due is done at a review appointment, or at one the person waited
    // for (the review folded into their waiting request).
    if ((reqs[k].what == kReview || reqs[k].what == kBacklog) && people.review_due[i] < day_end) {
      // The next falls one interval after this one was due (after today when it is late).
      people.review_due[i] = std::max(people.review_due[i], day) + review_interval_days(std::max(1, people.recorded_conditions(i)));
      t.add(CareCounter::LtcReviews, q);
    }
    if (reqs[k].what == kBacklog && people.gp_wait_since[i] != kNoDay) {
      const int64_t wait = day - people.gp_wait_since[i];
      t.add(CareCounter::GpWaitDays, q, wait);
      counts[slot(GpCounter::WaitDays)] += wait;
      people.gp_wait_since[i] = kNoDay;
    }
    // The referrals: the appointment's own; for someone who waited, those the needs they
    // waited with called for (drawn when each went unserved).
    // A review refers nobody: the referral probabilities are those of appointments for
    // new symptoms and illness.
    uint8_t need = reqs[k].what == kReview ? 0 : referrals(a, people, i, pr, day);
    if (reqs[k].what == kBacklog) {
      need = people.gp_need[i];
      people.gp_need[i] = 0;
    }
    // Shared clinical pathways: a referral the GP now manages, with follow-up appointments
    // booked into the next step (its capacity).
    if ((need & kNeedOutpatient) && pathways > 0 && reqs[k].what != kBacklog && a[care_lane::kGpPathway] < pathways) {
      need = static_cast<uint8_t>(need & ~kNeedOutpatient);
      follow_ups[q] += p_.integration.pathways_follow_ups;
      t.add(CareCounter::PathwayManaged, q);
    }
    if (need & kNeedOutpatient) {
      t.add(CareCounter::OutpatientAttendances, q);
      t.add(sector_cost(ProviderKind::Acute), q, p_.costs.outpatient_attendance);
      out.outpatient_pence += p_.costs.outpatient_attendance;
    }
    if ((need & kNeedElective) && people.elective_since[i] == kNoDay) people.elective_since[i] = day;
    refer_to_third_sector(people, i, a, care_lane::kGpThirdSector, &ThirdSectorService::gp_referral_probability, substream::kThirdFromGp, s, step, out.third);
  }
  for (uint8_t q = 1; q <= 5; ++q) {
    if (follow_ups[q] <= 0) continue;
    // The follow-ups take slots of the next step; they are appointments, at the usual cost.
    gp_carry_[pr] -= follow_ups[q];
    const auto n = static_cast<int64_t>(std::llround(follow_ups[q]));
    counts[slot(GpCounter::Appointments)] += n;
    counts[slot(GpCounter::CostPence)] += n * p_.costs.gp_appointment;
    t.add(CareCounter::GpFollowUps, q, n);
    t.add(sector_cost(ProviderKind::Gp), q, n * p_.costs.gp_appointment);
  }
  // Unserved, in a fixed order (slot, then tier) so that a person's several requests
  // resolve the same way at any thread count.
  std::sort(reqs.begin() + static_cast<std::ptrdiff_t>(served), reqs.end(),
            [](const Request& a, const Request& b) { return a.slot != b.slot ? a.slot < b.slot : before(a, b); });
  const double escalate = p_.gp_escalation_event >= 0
                              ? step_probability(p_.gp_waiting_to_ae_per_week * (day_end - day) / 7.0)
                              : 0.0;
  size_t sent_to_ae = SIZE_MAX;  // slot last sent to A&E here (one A&E request per person)
  size_t considered = SIZE_MAX;  // slot last given the chance to go to A&E from waiting
  for (size_t k = served; k < reqs.size(); ++k) {
    const size_t i = reqs[k].slot;
    const uint8_t q = people.quintile[i];
    int32_t& since = people.gp_wait_since[i];
    if (reqs[k].tier == 0) {
      Lanes a(s, people.id[i], step, Purpose::GpAppointment, reqs[k].sub);
      if (a[care_lane::kGpUnmetToAe] < p_.gp_unmet_acute_to_ae_share) {
        t.add(CareCounter::GpUnmet, q);
        counts[slot(GpCounter::Unmet)] += 1;
        out.ae.push_back(
            make_request(s, people, i, step, practice.trust, 1, reqs[k].what, 0, substream::kGpToAe[reqs[k].what]));
        sent_to_ae = i;
        continue;
      }
      if (since == kNoDay) since = day;
      people.gp_need[i] |= referrals(a, people, i, pr, day);
    } else if (reqs[k].what == kBacklog) {
      // Given up after the maximum wait, unless a need calls for a referral (to outpatients
      // or the elective list): that does not go away, so they keep asking.
      if (since != kNoDay && day_end - since > p_.gp_max_wait_days && people.gp_need[i] == 0) {
        t.add(CareCounter::GpUnmet, q);
        counts[slot(GpCounter::Unmet)] += 1;
        since = kNoDay;
      }
    } else if (reqs[k].what == kReview) {
      continue;  // a review put off is asked for again next step; the person is not waiting
    } else {
      if (since == kNoDay) since = day;
      Lanes a(s, people.id[i], step, Purpose::GpAppointment, reqs[k].sub);
      people.gp_need[i] |= referrals(a, people, i, pr, day);
    }
    // Access: someone left waiting goes to A&E instead at a hazard per week waited, so the
    // longer the waits, the more go (once per person and step: their first request here).
    if (escalate > 0 && since != kNoDay && i != sent_to_ae && i != considered) {
      considered = i;
      if (Lanes(s, people.id[i], step, Purpose::GpAppointment, reqs[k].sub)[care_lane::kGpWaitToAe] < escalate) {
        t.add(CareCounter::GpUnmet, q);
        t.add(CareCounter::GpWaitToAe, q);
        counts[slot(GpCounter::Unmet)] += 1;
        out.ae.push_back(make_request(s, people, i, step, practice.trust, 1, static_cast<uint8_t>(p_.gp_escalation_event), 0,
                                      substream::kGpWaitToAe[0]));
        sent_to_ae = i;
        since = kNoDay;
        people.gp_need[i] = 0;  // A&E deals with it
      }
    }
  }
  return out;
}

void CareSystem::allocate_practices(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                                    double gp_capacity, double virtual_multiplier, Tally& t, std::vector<int64_t>& prov) {
  const auto& L = layout_;
  // 1. GP appointments, per practice: acute first, then those waiting (oldest first), then
  //    routine. Practices are independent (a person asks only their own practice), so they
  //    run in parallel; what they pass on (A&E attendances, third-sector referrals) is
  //    joined in practice order, and counts are integer sums, so the result does not
  //    depend on the thread count.
  auto gp = by_provider(r.gp, g_.practices.size());
  std::vector<GpOutcome> gp_out(gp.size());
  tbb::enumerable_thread_specific<Tally> gp_tally;
  tbb::parallel_for(tbb::blocked_range<size_t>(0, gp.size(), 1), [&](const tbb::blocked_range<size_t>& range) {
    Tally& lt = gp_tally.local();
    for (size_t pr = range.begin(); pr != range.end(); ++pr)
      if (practices_here_.empty() || practices_here_[pr])
        gp_out[pr] = allocate_gp(people, pr, gp[pr], s, step, day, gp_capacity, virtual_multiplier, lt);
  });
  for (const Tally& lt : gp_tally) t += lt;
  for (size_t pr = 0; pr < gp.size(); ++pr) {
    for (size_t c = 0; c < slot(GpCounter::Count); ++c) prov[L.at(pr, static_cast<GpCounter>(c))] += gp_out[pr].counts[c];
    prov[L.at(g_.practices[pr].trust, TrustCounter::CostPence)] += gp_out[pr].outpatient_pence;
    r.ae.insert(r.ae.end(), gp_out[pr].ae.begin(), gp_out[pr].ae.end());
    r.third.insert(r.third.end(), gp_out[pr].third.begin(), gp_out[pr].third.end());
  }
}

}  // namespace hscsim
