// Acute trusts: admissions and their stays, A&E and emergency admissions within beds and
// escalation beds (with acute mutual aid), electives, and the bed-day invariant.
#include "agents/care/allocation.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "model/core/errors.hpp"

namespace hscsim {

namespace {
// The class of slot i's referral in `cum` (cumulative shares), from lane `lane` of the
// referral's draws, keyed by the referral day (as a step number): the referral's own.
size_t referral_class(const Streams& s, const People& people, size_t i, const std::vector<double>& cum, int lane) {
  if (cum.size() == 1) return 0;
  const double u = Lanes(s, people.id[i], static_cast<uint32_t>(people.elective_since[i]), Purpose::Elective,
                         substream::kElectivePriority[0])[lane];
  size_t k = 0;
  while (k + 1 < cum.size() && u >= cum[k]) ++k;
  return k;
}
}  // namespace

size_t CareSystem::elective_priority(const Streams& s, const People& people, size_t i) const {
  return referral_class(s, people, i, p_.elective_priority_cum, care_lane::kElectiveClass);
}

size_t CareSystem::elective_specialty(const Streams& s, const People& people, size_t i) const {
  return referral_class(s, people, i, p_.elective_specialty_cum, care_lane::kElectiveSpecialty);
}

int32_t CareSystem::planned_due(const People& p, size_t i, uint8_t cause, double los_u, int32_t day) const {
  const double mean = cause == kElectiveStay ? p_.elective_los_days_mean
                                             : p_.events[cause].los_days_mean * (*mod_)(p, i, target::LengthOfStay, day) *
                                                   (1.0 - level(p_.integration.shared_records, day) * p_.integration.los_reduction) *
                                                   stay_propensity_[trust_of(p, i)];
  const double mult = p_.los_multiplier.values[0][p_.los_multiplier.row(p.age_years(i, day))];
  return los_to_due(day, mean * mult, los_u);
}

void CareSystem::admit(People& p, size_t i, uint16_t tr, uint8_t cause, int32_t due, int32_t day, int32_t day_end, Tally& t,
                       std::vector<int64_t>& prov) {
  const uint8_t q = p.quintile[i];
  p.hospital[i] = tr;
  const auto& L = layout_;
  const bool elective = cause == kElectiveStay;
  p.setting[i] = static_cast<uint8_t>(Setting::Hospital);
  p.admit_day[i] = day;
  p.due_day[i] = due;
  p.stay[i] = cause;
  // A readmission ends an intermediate care episode (its bed or place goes to someone else).
  p.care[i] = static_cast<uint8_t>(p.care[i] & ~(kWaitingForBed | kIntermediateCare));
  const int64_t los = due - day;
  int64_t spell = 0;
  if (elective) {
    t.add(CareCounter::ElectiveAdmissions, q, p.sex[i], p.age_years(i, day));
    prov[L.at(tr, TrustCounter::Elective)] += 1;
    spell = p_.costs.elective_spell;
  } else {
    t.add(CareCounter::EmergencyAdmissions, q, p.sex[i], p.age_years(i, day));
    prov[L.at(tr, TrustCounter::Emergency)] += 1;
    if (log_admissions_) admissions_log_.emplace_back(p.id[i], day);
    if (p_.events[cause].acsc) t.add(CareCounter::AcscAdmissions, q, p.sex[i], p.age_years(i, day));
    if (p.care[i] & kCareHomeResident) t.add(CareCounter::CareHomeEmergencyAdmissions, q);
    t.add_cause(CauseRow::EmergencyAdmissions, cause);
    if (p.last_discharge_day[i] != kNoDay && day - p.last_discharge_day[i] <= p_.readmission_window_days)
      t.add(CareCounter::Readmissions, q);
    spell = los <= p_.short_stay_max_days ? p_.costs.nel_spell_short : p_.costs.nel_spell_long;
  }
  t.add(sector_cost(ProviderKind::Acute), q, spell);
  prov[L.at(tr, TrustCounter::CostPence)] += spell;
  // A stay uses at least one bed day (same-day discharges too).
  count_bed_days(p, i, day, std::max(day + 1, std::min(day_end, due)), p_.excess_bed_days_after, p_.costs.excess_bed_day,
                 tr, L, t, prov, Delay::None);
}

bool CareSystem::step_up(People& people, size_t i, uint8_t event, int32_t arrive, int32_t day_end, const Streams& s,
                         uint32_t step, Tally& t, std::vector<int64_t>& prov) {
  if (p_.step_up_share <= 0 || !p_.step_up_event[event] || people.setting[i] != static_cast<uint8_t>(Setting::Community) ||
      (people.care[i] & kIntermediateCare))
    return false;
  const int32_t svc = g_.authorities[la_of(people, i)].intermediate_care;
  if (svc < 0 || ic_home_[static_cast<size_t>(svc)] >= g_.intermediate_care[static_cast<size_t>(svc)].home_places) return false;
  Lanes u(s, people.id[i], step, Purpose::Emergency, substream::kStepUp[0]);
  if (u[care_lane::kStepUpSuitable] >= p_.step_up_share) return false;
  const size_t service = static_cast<size_t>(svc);
  const uint8_t q = people.quintile[i];
  ++ic_home_[service];
  t.add(CareCounter::StepUp, q);
  t.add(CareCounter::IntermediateHomeStarts, q);
  prov[layout_.at(service, IcCounter::StepUps)] += 1;
  prov[layout_.at(service, IcCounter::HomeStarts)] += 1;
  // The same risk of death as the admission it replaces.
  const int age = people.age_years(i, arrive);
  if (u[care_lane::kStepUpDeath] < admission_death_probability(people, i, event, age)) {
    people.vital[i] = static_cast<uint8_t>(Vital::Died);
    t.add_death(q, people.sex[i], age, DeathPlace::Elsewhere, false);
    --ic_home_[service];
    return true;
  }
  people.care[i] = static_cast<uint8_t>(people.care[i] | kIntermediateHome);
  people.due_day[i] = arrive + static_cast<int32_t>(std::llround(p_.step_up_days));
  count_intermediate_days(people, i, service, arrive, std::min(people.due_day[i], day_end), t, prov);
  return true;
}

void CareSystem::allocate_emergency(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                                    Tally& t, std::vector<int64_t>& prov, std::vector<int64_t>& bed_days) {
  const int32_t day_end = clock_.day_at_start(step + 1);
  const auto& L = layout_;
  // 3. A&E attendances and emergency admissions, per trust. Under acute mutual aid a
  //    patient who finds no bed may be admitted to a partner trust with room (with
  //    probability = the partnership's strength): once every trust has admitted its own
  //    patients, in need or random order across trusts, each to the partner with the
  //    most room.
  const double mdt_level = level(p_.integration.multidisciplinary_working, day);
  const double aid = p_.integration.acute_mutual_aid ? level(1.0, day) : 0.0;
  const double eol = p_.resident_end_of_life_in_home_share;
  auto ae = by_provider(r.ae, g_.trusts.size());
  struct Candidate {
    Request req;
    double los_u;
    double arrive_u;  //!< when in the step the admission happens (waiting patients: at its start)
  };
  // A patient with no bed waits in A&E (a trolley wait, counted once, when it starts).
  auto wait_for_bed = [&](const Candidate& c, size_t tr) {
    const size_t i = c.req.slot;
    people.care[i] = static_cast<uint8_t>(people.care[i] | kWaitingForBed);
    people.stay[i] = c.req.what;
    if (c.req.tier != 0) {
      t.add(CareCounter::TrolleyWaits, people.quintile[i]);
      prov[L.at(tr, TrustCounter::Trolley)] += 1;
    }
  };
  struct Overflow {
    Candidate c;
    size_t trust;
    int32_t arrive, due;
    int64_t need;
    double order;
  };
  std::vector<Overflow> overflow;
  for (size_t tr = 0; tr < ae.size(); ++tr) {
    std::vector<Candidate> admit_list;
    for (size_t j = 0; j < ae[tr].size(); ++j) {
      if (j + kCareAhead < ae[tr].size()) people.prefetch_for_care(ae[tr][j + kCareAhead].slot);
      const Request& q_ = ae[tr][j];
      const size_t i = q_.slot;
      const uint8_t q = people.quintile[i];
      if (q_.tier == 0) {  // waiting for a bed since an earlier step
        Lanes w(s, people.id[i], step, Purpose::Emergency, substream::kAeWaitingLanes[0]);
        // Long waits for a bed raise mortality: a chance of dying for each step waited.
        if (w[care_lane::kTrolleyWaitDeath] < p_.trolley_wait_death_probability) {
          const int age = people.age_years(i, day);
          people.vital[i] = static_cast<uint8_t>(Vital::Died);
          people.care[i] = static_cast<uint8_t>(people.care[i] & ~kWaitingForBed);
          t.add(CareCounter::TrolleyWaitDeaths, q);
          t.add_cause(CauseRow::DeathsAfterAdmission, q_.what);
          t.add_death(q, people.sex[i], age, DeathPlace::Hospital, people.care[i] & kCareHomeResident);
          continue;
        }
        admit_list.push_back({q_, w[care_lane::kEmergencyLengthOfStay], 0.0});
        continue;
      }
      Lanes e(s, people.id[i], step, Purpose::Emergency, q_.sub);
      const bool multimorbid = people.conditions(i) >= p_.multimorbid_min_conditions;
      const double mdt = multimorbid ? 1.0 - mdt_level * p_.integration.multimorbid_admission_reduction : 1.0;
      double admit_p = p_.events[q_.what].admit_probability * admission_propensity_[tr] * mdt * (*mod_)(people, i, target::Admission, day);
      const int age = people.age_years(i, day);
      if (eol > 0 && (people.care[i] & kCareHomeResident)) {
        // End of life in the care home: of the residents an admission would have ended in
        // death, a share die in their care home instead (no attendance, no admission). Those
        // admitted are drawn at the rate, and die in hospital at the rate (seek_in_hospital),
        // that keep admissions that survive and deaths in all as they were.
        const double a = std::min(1.0, admit_p), d = admission_death_probability(people, i, q_.what, age) * eol;
        if (e[care_lane::kEmergencyEndOfLife] < a * d) {
          people.vital[i] = static_cast<uint8_t>(Vital::Died);
          t.add(CareCounter::CareHomeEndOfLife, q);
          t.add_death(q, people.sex[i], age, DeathPlace::CareHome, true);
          continue;
        }
        admit_p = a * (1.0 - d) / (1.0 - a * d);
      }
      t.add(CareCounter::AeAttendances, q, people.sex[i], age);
      t.add_cause(CauseRow::AeAttendances, q_.what);
      prov[L.at(tr, TrustCounter::Ae)] += 1;
      t.add(sector_cost(ProviderKind::Acute), q, p_.costs.ae_attendance);
      prov[L.at(tr, TrustCounter::CostPence)] += p_.costs.ae_attendance;
      if (e[care_lane::kEmergencyAdmit] < admit_p)
        admit_list.push_back({q_, e[care_lane::kEmergencyLengthOfStay], e[care_lane::kEmergencyArrival]});
    }
    std::sort(admit_list.begin(), admit_list.end(), [](const Candidate& a, const Candidate& b) { return before(a.req, b.req); });
    const int64_t limit = g_.trusts[tr].bed_days(day_end - day);
    for (size_t j = 0; j < admit_list.size(); ++j) {
      if (j + kCareAhead < admit_list.size()) people.prefetch_for_care(admit_list[j + kCareAhead].req.slot);
      const Candidate& c = admit_list[j];
      const size_t i = c.req.slot;
      if (people.setting[i] == static_cast<uint8_t>(Setting::Hospital) || !people.alive(i)) continue;
      // Events happen through the step, so an admission arrives on a day drawn within it.
      const int32_t arrive = day + static_cast<int32_t>(c.arrive_u * (day_end - day));
      const int32_t due = planned_due(people, i, c.req.what, c.los_u, arrive);
      const int64_t need = std::max<int64_t>(1, std::min(due, day_end) - arrive);
      if (c.req.tier != 0 && step_up(people, i, c.req.what, arrive, day_end, s, step, t, prov)) continue;
      if (bed_days[tr] + need <= limit && bed_overnight(tr, due, day_end, false)) {
        admit(people, i, static_cast<uint16_t>(tr), c.req.what, due, arrive, day_end, t, prov);
        bed_days[tr] += need;
        if (due >= day_end) ++staying_[tr];
        continue;
      }
      if (aid > 0) {
        Lanes m(s, people.id[i], step, Purpose::Emergency, substream::kMutualAid[0]);
        if (m[care_lane::kMutualAidTaken] < aid) {
          const double order = p_.integration.mutual_aid_order == IntegrationParams::AidOrder::Random ? m[care_lane::kMutualAidOrder] : 0.0;
          overflow.push_back({c, tr, arrive, due, need, order});
          continue;
        }
      }
      wait_for_bed(c, tr);
    }
  }
  if (overflow.empty()) return;
  // Mutual aid: by need (the order each trust uses) or at random, across trusts.
  std::stable_sort(overflow.begin(), overflow.end(), [&](const Overflow& a, const Overflow& b) {
    if (p_.integration.mutual_aid_order == IntegrationParams::AidOrder::Random) return a.order < b.order;
    return before(a.c.req, b.c.req);
  });
  for (const Overflow& x : overflow) {
    const size_t i = x.c.req.slot;
    size_t where = x.trust;
    int64_t room = 0;
    for (size_t o = 0; o < g_.trusts.size(); ++o) {
      if (o == x.trust) continue;
      const int64_t free = g_.trusts[o].bed_days(day_end - day) - bed_days[o];
      if (free >= x.need && free > room && bed_overnight(o, x.due, day_end, false)) {
        where = o;
        room = free;
      }
    }
    if (where == x.trust) {
      wait_for_bed(x.c, x.trust);
      continue;
    }
    t.add(CareCounter::MutualAidAdmissions, people.quintile[i]);
    admit(people, i, static_cast<uint16_t>(where), x.c.req.what, x.due, x.arrive, day_end, t, prov);
    bed_days[where] += x.need;
    if (x.due >= day_end) ++staying_[where];
  }
}

void CareSystem::allocate_electives(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                                    Tally& t, std::vector<int64_t>& prov, std::vector<int64_t>& bed_days) {
  const int32_t day_end = clock_.day_at_start(step + 1);
  const double step_days = day_end - day;
  const auto& L = layout_;
  // 4. Electives, per trust: oldest referral first; inpatient electives stop while
  //    escalation beds are in use.
  //    With specialties, each trust's capacity is split between their lists by their
  //    capacity shares, and each list is served on its own (ring-fenced theatre time).
  const size_t K = p_.elective_specialty_capacity.size();
  if (K > 1)
    for (Request& q : r.elective) q.provider = static_cast<uint16_t>(q.provider * K + q.what);
  auto el = by_provider(r.elective, g_.trusts.size() * K);
  for (size_t b = 0; b < el.size(); ++b) {
    const size_t tr = b / K;
    const int64_t cap = take_capacity(elective_carry_[b], g_.trusts[tr].elective_admissions_per_week * p_.elective_specialty_capacity[b % K],
                                      step_days);
    auto& list = el[b];
    // Only the oldest referrals can be reached: order just enough of the list (people in
    // hospital are skipped, so take a margin, and order the rest only if it is needed).
    size_t ordered = std::min(list.size(), static_cast<size_t>(2 * cap + 64));
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(ordered), list.end(), before);
    prov[L.at(tr, TrustCounter::ElectiveCapacity)] += cap;
    // A slot is used only by a patient treated: an inpatient elective cancelled for want
    // of a bed leaves its theatre time to the next on the list (a day case, or an
    // inpatient whose stay fits). Cancellations are counted only among the first `cap`
    // people reached (this step's schedule); those beyond it were never booked.
    int64_t done = 0, reached = 0;
    for (size_t j = 0; j < list.size(); ++j) {
      if (done >= cap) {
        prov[L.at(tr, TrustCounter::ElectivesDeferred)] += static_cast<int64_t>(list.size() - j);
        break;
      }
      if (j == ordered) {
        std::sort(list.begin() + static_cast<std::ptrdiff_t>(ordered), list.end(), before);
        ordered = list.size();
      }
      if (j + kCareAhead < ordered) people.prefetch_for_care(list[j + kCareAhead].slot);
      const Request& q_ = list[j];
      const size_t i = q_.slot;
      if (people.setting[i] == static_cast<uint8_t>(Setting::Hospital) || !people.alive(i)) continue;
      ++reached;
      const uint8_t q = people.quintile[i];
      Lanes e(s, people.id[i], step, Purpose::Elective);
      if (e[care_lane::kElectiveDayCase] < p_.day_case_share) {
        t.add(CareCounter::ElectiveAdmissions, q, people.sex[i], people.age_years(i, day));
        t.add(CareCounter::DayCases, q);
        prov[L.at(tr, TrustCounter::Elective)] += 1;
        t.add(sector_cost(ProviderKind::Acute), q, p_.costs.day_case);
        prov[L.at(tr, TrustCounter::CostPence)] += p_.costs.day_case;
        people.elective_since[i] = kNoDay;
        ++done;
      } else if (const int32_t arrive = day + static_cast<int32_t>(e[care_lane::kElectiveArrival] * (day_end - day)),
                 due = planned_due(people, i, kElectiveStay, e[care_lane::kElectiveLengthOfStay], arrive);
                 bed_days[tr] + std::max<int64_t>(1, std::min(due, day_end) - arrive) <=
                     g_.trusts[tr].general_bed_days(day_end - day) &&
                 bed_overnight(tr, due, day_end, true)) {
        admit(people, i, static_cast<uint16_t>(tr), kElectiveStay, due, arrive, day_end, t, prov);
        bed_days[tr] += std::max<int64_t>(1, std::min(due, day_end) - arrive);
        if (due >= day_end) ++staying_[tr];
        people.elective_since[i] = kNoDay;
        ++done;
      } else if (reached <= cap) {
        t.add(CareCounter::ElectiveCancelled, q);
        prov[L.at(tr, TrustCounter::Cancelled)] += 1;
      } else {
        prov[L.at(tr, TrustCounter::ElectivesDeferred)] += 1;
      }
    }
  }
}

void CareSystem::check_invariants() const {
  for (size_t tr = 0; tr < last_bed_days_.size(); ++tr) {
    const auto& t = g_.trusts[tr];
    if (last_bed_days_[tr] > last_bed_limit_[tr])
      throw RuntimeFailure(fmt::format("invariant broken: trust {} used {} bed days in a {}-day step with {} + {} beds "
                                       "(at most {}: the beds' days, or more only while the patients already in "
                                       "hospital at the step's start hold more)", t.name, last_bed_days_[tr],
                                       last_step_days_, t.general_acute_beds, t.escalation_beds, last_bed_limit_[tr]));
  }
}

}  // namespace hscsim
