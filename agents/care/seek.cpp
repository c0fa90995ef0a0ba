// Phase 1 of care (CareSystem::seek): what each person needs this step, one function per
// need, each writing only the person's own columns and emitting requests. The needs are
// looked at in a fixed order per person: a hospital stay (bed days, death, discharge or a
// wait for social care), social care in place, then for people not in hospital routine GP
// demand, health events, the waits they are already in, new social care needs and
// third-sector self-referrals.
#include "agents/care/allocation.hpp"

namespace hscsim {
namespace {

// Poisson count from one uniform by inversion; the common zero case costs one
// polynomial (step_probability) and no exp().
int poisson_count(double lambda, double u) {
  if (lambda <= 0) return 0;
  const double p0 = 1.0 - step_probability(lambda);
  if (u <= p0) return 0;
  double p = p0, c = p0;
  int k = 0;
  while (u > c && k < substream::kGpRoutine.size) {  // one sub-stream per routine request
    ++k;
    p *= lambda / k;
    c += p;
  }
  return k;
}

}  // namespace

// Hospital patients: bed days, and discharge once medically fit. Every bed day a patient
// uses in this step is committed against the trust's capacity here, before phase 2 admits
// anyone. Returns false if the patient died.
inline bool CareSystem::seek_in_hospital(People& people, const SeekStep& k, const SeekPerson& me, CareRequests& out) const {
  const size_t i = me.i;
  const int32_t day = k.day, day_end = k.day_end;
  const uint8_t care = people.care[i];
  uint8_t& need_of = people.care_need[i];
  const uint16_t tr = people.hospital[i];
  const int32_t from = std::max(people.admit_day[i], day);
  const int32_t due = people.due_day[i];
  const auto ex = p_.excess_bed_days_after;
  auto use = [&](int32_t to) {
    count_bed_days(people, i, from, to, ex, p_.costs.excess_bed_day, tr, layout_, out.tally, out.provider, Delay::None);
    out.trust_bed_days[tr] += std::max(0, to - from);
    if (to >= day_end) ++out.trust_staying[tr];
  };
  // A medically fit patient who needs care: from `start` on, the rest of the step is
  // reserved. Until they are assessed (care arranged, transport booked) they are delayed
  // awaiting assessment, then, if they or their family are still choosing a care home, by
  // patient choice, both counted here; once ready they ask the council or the NHS
  // intermediate care service, and their days are counted in allocate (delayed, awaiting
  // that care) or not at all (care found, patient leaves).
  auto wait_for_care = [&](CareNeed need, int32_t start) {
    const DischargeReady r = discharge_ready_day(k.s, people, i, people.due_day[i], need);
    count_bed_days(people, i, start, std::min(r.assessed, day_end), ex, p_.costs.excess_bed_day, tr, layout_, out.tally,
                   out.provider, Delay::Assessment);
    count_bed_days(people, i, std::max(start, r.assessed), std::min(r.ready, day_end), ex, p_.costs.excess_bed_day, tr, layout_,
                   out.tally, out.provider, Delay::PatientChoice);
    if (r.ready < day_end) {
      const int32_t since = std::max(r.ready, start);
      if (is_intermediate(need))
        out.intermediate.push_back(make_request(k.s, people, i, k.step, static_cast<uint16_t>(g_.authorities[me.la].intermediate_care), 0,
                                                static_cast<uint8_t>(need), since, substream::kIntermediateDischarge[0]));
      else
        out.social.push_back(make_request(k.s, people, i, k.step, me.la, 0, static_cast<uint8_t>(need), since,
                                          substream::kSocialDischarge[0]));
    }
    out.trust_bed_days[tr] += day_end - start;
    ++out.trust_staying[tr];
  };
  if (need_of != static_cast<uint8_t>(CareNeed::None) && due < day) {
    wait_for_care(static_cast<CareNeed>(need_of), from);  // fit since an earlier step
  } else if (due >= day_end) {
    use(day_end);
  } else {
    use(std::max(from, due));
    Lanes d(k.s, me.id, k.step, Purpose::Discharge);
    const int age = people.age_years(i, day_end);
    double p_death = people.stay[i] == kElectiveStay ? 0.0 : admission_death_probability(people, i, people.stay[i], age);
    // Residents whose admission would have ended in death partly stayed in their care home
    // (allocate_emergency): the rest die here at the rate that keeps the total.
    const double eol = p_.resident_end_of_life_in_home_share;
    if ((care & kCareHomeResident) && eol > 0 && p_death > 0) p_death = p_death * (1.0 - eol) / (1.0 - p_death * eol);
    if (d[care_lane::kDischargeDeath] < p_death) {
      people.vital[i] = static_cast<uint8_t>(Vital::Died);
      out.tally.add_cause(CauseRow::DeathsAfterAdmission, people.stay[i]);  // never elective: p_death is 0 there
      out.tally.add_death(me.q, people.sex[i], age, DeathPlace::Hospital, care & kCareHomeResident);
      return false;
    }
    double need = 0;
    if (!(care & (kCareHomeResident | kHomeCare))) {
      need = p_.discharge_social_care_by_frailty[people.frailty[i]];
      if (!people.has(i, State::InformalCarer)) need = std::min(1.0, need * p_.discharge_social_care_rr_no_carer);
      need *= 1.0 - level(p_.integration.joint_discharge_planning, day) * p_.integration.discharge_need_reduction;
    }
    // A need already being waited for at home before admission is kept; someone whose
    // home care package is no longer enough may need a care home.
    const auto prior = static_cast<CareNeed>(need_of);
    const double home_rr = care_home_rr(people, i, day_end);
    const bool more_than_package = (care & kHomeCare) && !(care & kCareHomeResident) &&
                                   d[care_lane::kDischargeNeedsCare] < std::min(1.0, p_.home_care_to_care_home_at_discharge * home_rr);
    if (prior != CareNeed::None || more_than_package || d[care_lane::kDischargeNeedsCare] < need) {
      const CareNeed n = prior != CareNeed::None ? prior
                         : more_than_package ? CareNeed::CareHome
                                             : discharge_need(d[care_lane::kDischargeCareKind], home_rr);
      need_of = static_cast<uint8_t>(n);
      // A stay that ended within the step it began is seen only now: the process starts today.
      people.due_day[i] = std::max(from, due);
      wait_for_care(n, people.due_day[i]);
    } else {
      discharge(people, i, std::max(due, day), out.tally);
      refer_to_third_sector(people, i, d, care_lane::kDischargeThirdSector, &ThirdSectorService::hospital_referral_probability, substream::kThirdFromHospital, k.s,
                            k.step, out.third);
    }
  }
  return true;
}

// Social care already in place: reablement ends, packages end, hours and weeks delivered.
inline void CareSystem::seek_care_in_place(People& people, const SeekStep& k, const SeekPerson& me, Lanes& u,
                                           CareRequests& out) const {
  const size_t i = me.i;
  const auto& L = layout_;
  uint8_t& care = people.care[i];
  Tally& t = out.tally;
  if ((care & kReablement) && people.due_day[i] < k.day_end && people.setting[i] != static_cast<uint8_t>(Setting::Hospital)) {
    care = static_cast<uint8_t>(care & ~kReablement);
    people.due_day[i] = kNoDay;
    if (Lanes(k.s, me.id, k.step, Purpose::SocialCare, substream::kSocialReablementEndLanes[0])[care_lane::kReablementNoFurtherCare] >=
        p_.reablement_no_further_care_share) {
      people.care_need[i] = static_cast<uint8_t>(CareNeed::HomeCare);
      out.social.push_back(make_request(k.s, people, i, k.step, me.la, 1, static_cast<uint8_t>(CareNeed::HomeCare), k.day,
                                        substream::kSocialAfterReablement[0]));
    }
  }
  if ((care & kHomeCare) && package_end_p_ > 0 && u.may_be_below(k.lane.package_end(), package_end_p_) &&
      u[k.lane.package_end()] < package_end_p_)
    care = static_cast<uint8_t>(care & ~kHomeCare);
  if (care & kHomeCare) {
    out.la_home_care[me.la] += 1;
    if (people.setting[i] != static_cast<uint8_t>(Setting::Hospital)) {
      const int64_t minutes = k.package_day_minutes * k.step_len;
      t.add(CareCounter::HomeCareMinutes, me.q, minutes);
      out.provider[L.at(me.la, LaCounter::HomeCareMinutes)] += minutes;
      t.add(sector_cost(ProviderKind::SocialCare), me.q, package_day_pence_ * k.step_len);
      out.provider[L.at(me.la, LaCounter::CostPence)] += package_day_pence_ * k.step_len;
    }
  }
  if (care & kReablement) out.la_reablement[me.la] += 1;
  if (care & kIntermediateCare) seek_intermediate_care(people, k, me, out);
  if (care & kCareHomeResident) {
    out.la_care_home[me.la] += 1;
    if (!(care & kSelfFunded)) {
      const int64_t c = ((care & kNursing) ? nursing_day_pence_ : residential_day_pence_) * k.step_len;
      t.add(sector_cost(ProviderKind::SocialCare), me.q, c);
      out.provider[L.at(me.la, LaCounter::CostPence)] += c;
    }
  }
}

// Routine GP demand: new symptoms and routine care; and long-term-condition reviews, of
// the diagnosed conditions only (an undiagnosed one has no review), asked for when due.
inline void CareSystem::seek_routine_gp(People& people, const SeekStep& k, const SeekPerson& me, Lanes& u, CareRequests& out) const {
  const size_t i = me.i;
  const int conditions = people.recorded_conditions(i);
  int32_t& due = people.review_due[i];
  if (conditions == 0 || p_.gp_reviews_per_condition_per_year <= 0)
    due = kNeverDue;
  else if (due == kNeverDue)  // newly diagnosed (or arrived): the first review one interval on
    due = k.day + review_interval_days(conditions);
  const bool review = due < k.day_end;
  const double lambda = gp_routine_lambda_[me.sex][static_cast<size_t>(me.age)] * (*mod_)(people, i, target::GpDemand, k.day);
  // Inverted from the top (1 - u), so a count of zero needs u >= 1 - exp(-lambda), which
  // the lane's screening bits usually show (1 - exp(-lambda) <= lambda).
  const int n_routine =
      lambda > 0 && u.may_be_below(k.lane.routine_gp(), lambda) ? poisson_count(lambda, 1.0 - u[k.lane.routine_gp()]) : 0;
  if (people.gp_wait_since[i] != kNoDay) {
    // Folded into the request already waiting (a review that is due is done when it is served).
    out.gp.push_back(make_request(k.s, people, i, k.step, me.practice, 1, kBacklog, people.gp_wait_since[i], substream::kGpBacklog[0]));
    if (n_routine > 0) {
      out.tally.add(CareCounter::GpUnmet, me.q, n_routine);
      out.provider[layout_.at(me.practice, GpCounter::Unmet)] += n_routine;
      // Their needs join the waiting request's: a referral they call for is made when it is served.
      for (int r = 0; r < n_routine; ++r) {
        Lanes a(k.s, me.id, k.step, Purpose::GpAppointment, substream::kGpRoutine[r]);
        people.gp_need[i] |= referrals(a, people, i, me.practice, k.day);
      }
    }
  } else {
    for (int r = 0; r < n_routine; ++r)
      out.gp.push_back(make_request(k.s, people, i, k.step, me.practice, 2, kRoutine, k.day, substream::kGpRoutine[r]));
    // Reviews come last (tier 3): practices put them off first when appointments are short.
    if (review) out.gp.push_back(make_request(k.s, people, i, k.step, me.practice, 3, kReview, due, substream::kGpReview[0]));
  }
}

// Health events and where people take them. Returns the lanes' candidates (which the
// self-referrals use too, when their lanes are screened).
inline uint32_t CareSystem::seek_health_events(People& people, const SeekStep& k, const SeekPerson& me, Lanes& u,
                                               CareRequests& out) const {
  const size_t i = me.i;
  const int E = k.lane.E;
  const int32_t day = k.day;
  const uint64_t f = me.factors;
  const uint8_t sex = me.sex, q = me.q;
  const int age = me.age;
  const bool recent = people.last_discharge_day[i] != kNoDay && day - people.last_discharge_day[i] <= p_.readmission_window_days;
  const bool member = people.programmes[i] != 0;
  auto event = [&](int e) {
    const HealthEvent& ev = p_.events[static_cast<size_t>(e)];
    if (ev.requires_factor >= 0 && !(f >> ev.requires_factor & 1)) return;
    double H = event_H_[static_cast<size_t>(e)][sex][static_cast<size_t>(age)];
    if (H <= 0) return;
    // Cannot happen when the draw is at or above H x the largest multiplier
    // (RelativeRisks::bound); the lane's top bits usually tell without computing it.
    const double Hb = H * event_bound_[static_cast<size_t>(e)] * (recent ? p_.post_discharge_event_rr : 1.0);
    if (!member && !u.may_be_below(k.lane.event(e), Hb)) return;
    const double x = u[k.lane.event(e)];
    if (!member && x >= Hb) return;
    H *= ev.rr.multiplier(f, q) * (*mod_)(people, i, target::event(e), day);
    if (recent) H *= p_.post_discharge_event_rr;
    if (x >= step_probability(H)) return;
    // A lasting consequence (amputation after a foot ulcer, sight loss after retinopathy).
    // It is known (recorded) from the event that caused it.
    if (ev.consequence_state >= 0 && u[k.lane.consequence(e)] < ev.consequence_probability) {
      people.states[i] |= uint32_t{1} << ev.consequence_state;
      people.diagnosed[i] |= uint32_t{1} << ev.consequence_state;
    }
    const double r = u[k.lane.route(e)];
    const auto& route = event_route_[static_cast<size_t>(e)][(people.care[i] & kCareHomeResident) ? 1 : 0][q - 1u];
    if (r < route[0]) return;  // self-care
    if (r < route[1])
      out.gp.push_back(make_request(k.s, people, i, k.step, me.practice, 0, static_cast<uint8_t>(e), 0, substream::kGpEvent[e]));
    else
      out.ae.push_back(make_request(k.s, people, i, k.step, me.trust, 1, static_cast<uint8_t>(e), 0, substream::kAeEvent[e]));
  };
  // Only the events whose lane can be below H x bound (Lanes::candidates) are looked
  // at; the others cannot happen. People recently discharged or in a programme, and
  // configs with more events than screened lanes, go through every event.
  const uint32_t cand = E <= Lanes::kScreened ? u.candidates(event_thr_[sex][static_cast<size_t>(age)]) : ~uint32_t{0};
  if (E <= Lanes::kScreened && !recent && !member) {
    // The usual outcome (no event: not eligible, or the draw at or above H x bound)
    // is settled here; event() repeats these checks and does the rest.
    for (uint32_t c = cand & all_events_; c; c &= c - 1) {
      const auto e = static_cast<size_t>(__builtin_ctz(c));
      if ((f & event_requires_[e]) != event_requires_[e]) continue;
      const double Hb = event_H_[e][sex][static_cast<size_t>(age)] * event_bound_[e];
      if (!u.may_be_below(k.lane.event(static_cast<int>(e)), Hb) || u[k.lane.event(static_cast<int>(e))] >= Hb) continue;
      event(static_cast<int>(e));
    }
  } else {
    for (int e = 0; e < E; ++e) event(e);
  }
  return cand;
}

// An intermediate care episode: its days this step and their cost; at its end, the care
// that follows (a request to the council) or none. Readmission ends an episode (admit).
inline void CareSystem::seek_intermediate_care(People& people, const SeekStep& k, const SeekPerson& me, CareRequests& out) const {
  const size_t i = me.i;
  const bool bed = people.care[i] & kIntermediateBed;
  const auto svc = static_cast<size_t>(g_.authorities[me.la].intermediate_care);
  const int32_t due = people.due_day[i];
  count_intermediate_days(people, i, svc, k.day, std::min(due, k.day_end), out.tally, out.provider);
  if (due >= k.day_end) {
    (bed ? out.ic_beds : out.ic_home)[svc] += 1;
    return;
  }
  people.care[i] = static_cast<uint8_t>(people.care[i] & ~kIntermediateCare);
  people.due_day[i] = kNoDay;
  const auto& after = bed ? p_.after_intermediate_bed : p_.after_intermediate_home;
  const double u = Lanes(k.s, me.id, k.step, Purpose::SocialCare, substream::kIntermediateEndLanes[0])[care_lane::kIntermediateOutcome];
  const int kind = share_drawn(u, after, 1, care_home_rr(people, i, k.day));
  const CareNeed n = kind == 0 ? CareNeed::HomeCare : kind == 1 ? CareNeed::CareHome : CareNeed::None;
  if (n == CareNeed::None) return;
  people.care_need[i] = static_cast<uint8_t>(n);
  out.social.push_back(make_request(k.s, people, i, k.step, me.la, 1, static_cast<uint8_t>(n), std::max(k.day, due),
                                    substream::kSocialAfterIntermediate[0]));
}

// Social care needs arising at home (or still waited for).
inline void CareSystem::seek_social_need(People& people, const SeekStep& k, const SeekPerson& me, Lanes& u, CareRequests& out) const {
  const size_t i = me.i;
  const uint8_t care = people.care[i];
  if (people.care_need[i] != static_cast<uint8_t>(CareNeed::None)) {
    out.social.push_back(make_request(k.s, people, i, k.step, me.la, 2, people.care_need[i], 0, substream::kSocialCommunity[0]));
  } else if (!(care & (kHomeCare | kReablement | kCareHomeResident | kIntermediateCare))) {
    const bool member = people.programmes[i] != 0;
    const double base = p_.community_need_per_year_by_frailty[people.frailty[i]];
    // Nothing to do when the draw is at or above the largest possible hazard
    // (RelativeRisks::bound); the lane's screening byte usually says so.
    const double hb = base * need_bound_ * k.dt;
    if (base > 0 && (member || u.may_be_below(k.lane.social_need(), hb))) {
      const double x = u[k.lane.social_need()];
      const double h = member || x < hb ? base * p_.community_need_rr.multiplier(me.factors, me.q) * k.dt *
                                              (*mod_)(people, i, target::SocialCareNeed, k.day)
                                        : 0.0;
      if (x < step_probability(h)) {
        const CareNeed n = u[k.lane.care_home_share()] < std::min(1.0, p_.community_care_home_share * care_home_rr(people, i, k.day))
                               ? CareNeed::CareHome
                               : CareNeed::HomeCare;
        people.care_need[i] = static_cast<uint8_t>(n);
        out.social.push_back(make_request(k.s, people, i, k.step, me.la, 2, static_cast<uint8_t>(n), 0, substream::kSocialCommunity[0]));
      }
    }
  }
}

// Third-sector self-referrals: only the services whose lane can be below the probability
// (the candidates of the health events, when the lanes fit in the screen).
inline void CareSystem::seek_self_referrals(const People& people, const SeekStep& k, const SeekPerson& me, Lanes& u, uint32_t cand,
                                            CareRequests& out) const {
  const int S = k.lane.S;
  auto self_referral = [&](int j) {
    const auto& svc = p_.third_sector[static_cast<size_t>(j)];
    const double pj = self_referral_p_[static_cast<size_t>(j)];
    if (u.may_be_below(k.lane.self_referral(j), pj) && (me.factors >> svc.eligible_factor & 1) && pj > 0 && u[k.lane.self_referral(j)] < pj)
      out.third.push_back(make_request(k.s, people, me.i, k.step, static_cast<uint16_t>(j), 1, 0, 0, substream::kThirdSelf[j]));
  };
  if (screened_referrals_) {
    for (uint32_t c = (cand >> k.lane.self_referral(0)) & ((uint32_t{1} << S) - 1); c; c &= c - 1) self_referral(__builtin_ctz(c));
  } else {
    for (int j = 0; j < S; ++j) self_referral(j);
  }
}

void CareSystem::seek(People& people, size_t begin, size_t end, const Streams& s, uint32_t step, int32_t day,
                      CareRequests& out) const {
  const int32_t day_end = clock_.day_at_start(step + 1);
  const SeekStep k{s,
                   step,
                   day,
                   day_end,
                   day_end - day,
                   clock_.dt_years,
                   SeekLanes{static_cast<int>(p_.events.size()), static_cast<int>(p_.third_sector.size())},
                   std::llround(p_.package_hours_per_week * 60.0 / 7.0)};
  BlocksAhead blocks(s, people.id.data(), people.vital.data(), static_cast<uint8_t>(Vital::Alive), end, step, Purpose::CareSeeking);
  for (size_t i = begin; i != end; ++i) {
    if (!people.alive(i)) continue;
    SeekPerson me{i, people.id[i], people.quintile[i], la_of(people, i)};
    const auto block = blocks(i);
    if (people.setting[i] == static_cast<uint8_t>(Setting::Hospital) && !seek_in_hospital(people, k, me, out)) continue;
    Lanes u(block);  // = Lanes(s, id, step, Purpose::CareSeeking), drawn one person ahead
    seek_care_in_place(people, k, me, u, out);
    if (people.setting[i] == static_cast<uint8_t>(Setting::Hospital)) continue;

    // People at home or in a care home: demand.
    me.age = std::min(people.age_years(i, day), config::AgeTable::kMaxAge);
    me.sex = people.sex[i];
    me.factors = people.factors(i);
    me.practice = people.practice[i];
    me.trust = trust_of(people, i);
    seek_routine_gp(people, k, me, u, out);
    const uint32_t cand = seek_health_events(people, k, me, u, out);
    if (people.care[i] & kWaitingForBed)
      out.ae.push_back(make_request(s, people, i, step, me.trust, 0, people.stay[i], 0, substream::kAeWaitingForBed[0]));
    if (people.elective_since[i] != kNoDay) {
      if (elective_removal_p_ > 0 &&
          Lanes(s, me.id, step, Purpose::Elective, substream::kElectiveListLanes[0])[care_lane::kElectiveRemoved] < elective_removal_p_) {
        people.elective_since[i] = kNoDay;  // validated off, treated elsewhere or no longer needed
        out.tally.add(CareCounter::ElectiveRemoved, me.q);
      } else {
        // Served in order of the day by which the referral's priority class should be treated.
        const int32_t by = people.elective_since[i] + p_.elective_priority_days[elective_priority(s, people, i)];
        const auto specialty = static_cast<uint8_t>(elective_specialty(s, people, i));
        out.elective.push_back(make_request(s, people, i, step, me.trust, 0, specialty, by, substream::kElective[0]));
      }
    }
    seek_social_need(people, k, me, u, out);
    seek_self_referrals(people, k, me, u, cand, out);
  }
}

}  // namespace hscsim
