#include "agents/care/care.hpp"

#include "model/core/archive.hpp"
#include "agents/care/allocation.hpp"

namespace hscsim {

void CareRequests::clear(const Geography& g, size_t provider_counters) {
  gp.clear();
  ae.clear();
  elective.clear();
  social.clear();
  third.clear();
  intermediate.clear();
  ic_beds.assign(g.intermediate_care.size(), 0);
  ic_home.assign(g.intermediate_care.size(), 0);
  trust_bed_days.assign(g.trusts.size(), 0);
  la_home_care.assign(g.authorities.size(), 0);
  la_reablement.assign(g.authorities.size(), 0);
  la_care_home.assign(g.authorities.size(), 0);
  trust_staying.assign(g.trusts.size(), 0);
  tally = Tally{};
  provider.assign(provider_counters, 0);
}

void CareRequests::merge(const CareRequests& o) {
  gp.insert(gp.end(), o.gp.begin(), o.gp.end());
  ae.insert(ae.end(), o.ae.begin(), o.ae.end());
  elective.insert(elective.end(), o.elective.begin(), o.elective.end());
  social.insert(social.end(), o.social.begin(), o.social.end());
  third.insert(third.end(), o.third.begin(), o.third.end());
  intermediate.insert(intermediate.end(), o.intermediate.begin(), o.intermediate.end());
  for (size_t k = 0; k < ic_beds.size(); ++k) {
    ic_beds[k] += o.ic_beds[k];
    ic_home[k] += o.ic_home[k];
  }
  for (size_t k = 0; k < trust_bed_days.size(); ++k) {
    trust_bed_days[k] += o.trust_bed_days[k];
    trust_staying[k] += o.trust_staying[k];
  }
  for (size_t k = 0; k < la_home_care.size(); ++k) {
    la_home_care[k] += o.la_home_care[k];
    la_reablement[k] += o.la_reablement[k];
    la_care_home[k] += o.la_care_home[k];
  }
  tally += o.tally;
  for (size_t k = 0; k < provider.size(); ++k) provider[k] += o.provider[k];
}

CareSystem::CareSystem(const CareParams& p, const Geography& g, const Clock& c, const ProviderLayout& layout)
    : p_(p), base_(g), g_(g), clock_(c), layout_(layout) {
  mod_ = &no_modifiers();
  admission_propensity_.assign(g.trusts.size(), 1.0);
  referral_propensity_.assign(g.practices.size(), 1.0);
  stay_propensity_.assign(g.trusts.size(), 1.0);
  gp_carry_.assign(g.practices.size(), 0.0);
  elective_carry_.assign(g.trusts.size() * p.elective_specialty_capacity.size(), 0.0);
  third_carry_.assign(p.third_sector.size(), 0.0);
  la_packages_.assign(g.authorities.size(), 0);
  la_reablement_.assign(g.authorities.size(), 0);
  la_care_home_.assign(g.authorities.size(), 0);
  ic_beds_.assign(g.intermediate_care.size(), 0);
  ic_home_.assign(g.intermediate_care.size(), 0);
  for (size_t k = 0; k < kCapacityKinds; ++k) {
    const auto& f = g.plan.follow(static_cast<CapacityKind>(k));
    if (!f.on) continue;
    const size_t n = g.providers_of(static_cast<CapacityKind>(k)).size();
    follow_[k].assign(n, 1.0);
    auto& per = period_[k];
    per.next_review_day = c.first_day() + static_cast<int32_t>(std::llround(f.review_every_years * kDaysPerYear));
    per.a.assign(n, 0);
    per.b.assign(n, 0);
    per.c.assign(n, 0);
    per.start_stock.assign(n, 0);
  }
  const double dt = c.dt_years;
  event_H_.resize(p.events.size());
  for (const auto& ev : p.events) {
    // Where an event is taken, by quintile (and for care-home residents): draws below [0]
    // are self-care, below [1] the GP, the rest A&E. The emergency share x the quintile's
    // care-seeking multiplier (x the residents' multiplier).
    auto& route = event_route_.emplace_back();
    for (size_t home = 0; home < 2; ++home)
      for (size_t q = 0; q < 5; ++q) {
        const double m = p.emergency_route_rr_by_quintile[q] * (home ? p.resident_emergency_route_rr : 1.0);
        if (m == 1.0 || ev.route[2] >= 1.0) {
          route[home][q] = {ev.route[0], ev.route[0] + ev.route[1]};
          continue;
        }
        const double rest = (1.0 - std::min(1.0, ev.route[2] * m)) / (1.0 - ev.route[2]);
        route[home][q] = {ev.route[0] * rest, (ev.route[0] + ev.route[1]) * rest};
      }
    event_bound_.push_back(ev.rr.bound());
    event_requires_.push_back(ev.requires_factor >= 0 ? uint64_t{1} << ev.requires_factor : 0);
  }
  need_bound_ = p.community_need_rr.bound();
  package_end_p_ = step_probability(p.package_end_per_year * c.dt_years);
  elective_removal_p_ = step_probability(p.elective_list_removal_per_year * c.dt_years);
  for (const auto& svc : p.third_sector) self_referral_p_.push_back(step_probability(svc.self_referral_per_year * c.dt_years));
  for (size_t k = 0; k < p.events.size(); ++k)
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (int a = 0; a <= config::AgeTable::kMaxAge; ++a)
        event_H_[k][sex][static_cast<size_t>(a)] = p.events[k].rate_per_year.values[sex][p.events[k].rate_per_year.row(a)] * dt;
  all_events_ = p.events.size() >= 32 ? ~uint32_t{0} : (uint32_t{1} << p.events.size()) - 1;
  // Screening thresholds of the events (Lanes::candidates), for people without a
  // recent discharge or a programme; lanes past the events stay 0.
  for (size_t k = 0; k < p.events.size() && k < static_cast<size_t>(Lanes::kScreened); ++k)
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (size_t a = 0; a <= config::AgeTable::kMaxAge; ++a)
        event_thr_[sex][a][k] = Lanes::screen_threshold(event_H_[k][sex][a] * event_bound_[k]);
  // The self-referral lanes follow in the same table when they fit (SeekLanes).
  const SeekLanes lane{static_cast<int>(p.events.size()), static_cast<int>(p.third_sector.size())};
  screened_referrals_ = lane.self_referral(lane.S) <= Lanes::kScreened;
  if (screened_referrals_)
    for (int k = 0; k < lane.S; ++k)
      for (uint8_t sex = 0; sex < 2; ++sex)
        for (size_t a = 0; a <= config::AgeTable::kMaxAge; ++a)
          event_thr_[sex][a][static_cast<size_t>(lane.self_referral(k))] =
              Lanes::screen_threshold(self_referral_p_[static_cast<size_t>(k)]);
  for (uint8_t sex = 0; sex < 2; ++sex)
    for (int a = 0; a <= config::AgeTable::kMaxAge; ++a)
      gp_routine_lambda_[sex][static_cast<size_t>(a)] = p.gp_routine_per_year.values[sex][p.gp_routine_per_year.row(a)] * dt;
  package_day_pence_ = std::llround(p.package_hours_per_week / 7.0 * static_cast<double>(p.costs.home_care_hour));
  residential_day_pence_ = std::llround(static_cast<double>(p.costs.residential_week) / 7.0);
  nursing_day_pence_ = std::llround(static_cast<double>(p.costs.nursing_week) / 7.0);
}

void CareSystem::adopt(const CareSystem& warm) {
  gp_carry_ = warm.gp_carry_;
  elective_carry_ = warm.elective_carry_;
  third_carry_ = warm.third_carry_;
  last_bed_days_ = warm.last_bed_days_;
  last_bed_limit_ = warm.last_bed_limit_;
  last_step_days_ = warm.last_step_days_;
  la_packages_ = warm.la_packages_;
  la_reablement_ = warm.la_reablement_;
  la_care_home_ = warm.la_care_home_;
  ic_beds_ = warm.ic_beds_;
  ic_home_ = warm.ic_home_;
  for (size_t k = 0; k < kCapacityKinds; ++k)
    if (!follow_[k].empty() && follow_[k].size() == warm.follow_[k].size()) {
      follow_[k] = warm.follow_[k];
      period_[k] = warm.period_[k];
    }
}

void CareSystem::state(archive::Io& io) {
  io(admission_propensity_, referral_propensity_, stay_propensity_, admissions_log_, gp_carry_, elective_carry_, third_carry_,
     last_bed_days_, last_bed_limit_, staying_, follow_, period_, la_packages_, la_reablement_, la_care_home_, ic_beds_, ic_home_,
     last_step_days_, planned_years_);
  // The capacities in force are the plan's at the last step (a function of the state).
  if (io.reading() && planned_years_ >= 0) base_.plan.apply(base_, planned_years_, follow_, g_);
}

void CareSystem::allocate(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                          const PlaceEffects& place, Tally& t, std::vector<int64_t>& prov) {
  allocate_primary(people, r, s, step, day, place, t, prov);
  allocate_shared(people, r, s, step, day, t, prov);
}

void CareSystem::allocate_primary(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                                  const PlaceEffects& place, Tally& t, std::vector<int64_t>& prov) {
  admissions_log_.clear();
  // Capacities of the step: the configured ones as the capacity plan has them by now.
  if (!base_.plan.empty()) {
    planned_years_ = static_cast<double>(day) / kDaysPerYear;
    base_.plan.apply(base_, planned_years_, follow_, g_);
  }
  allocate_practices(people, r, s, step, day, place.gp_capacity, place.virtual_share, t, prov);
}

void CareSystem::allocate_shared(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day, Tally& t,
                                 std::vector<int64_t>& prov) {
  t += r.tally;
  for (size_t k = 0; k < r.provider.size(); ++k) prov[k] += r.provider[k];
  for (size_t tr = 0; tr < g_.trusts.size(); ++tr)
    prov[layout_.at(tr, TrustCounter::Beds)] += g_.trusts[tr].general_acute_beds + g_.trusts[tr].escalation_beds;
  for (size_t k = 0; k < g_.intermediate_care.size(); ++k) {
    prov[layout_.at(k, IcCounter::Beds)] += g_.intermediate_care[k].community_beds;
    prov[layout_.at(k, IcCounter::HomePlaces)] += g_.intermediate_care[k].home_places;
  }
  // Bed capacity is counted in bed days per step: (beds + escalation) x step length. A stay
  // uses the days it spans in this step (at least one). Phase 1 committed the days of
  // stays continuing; social care and intermediate care free the beds of the patients
  // they take.
  std::vector<int64_t> bed_days = r.trust_bed_days;
  staying_ = r.trust_staying;
  // Beds a capacity plan closes close as they empty: when the patients already in hospital
  // hold more bed days than the step's capacity, nobody is admitted until they do not,
  // and the invariant allows what they hold.
  last_step_days_ = clock_.day_at_start(step + 1) - day;
  last_bed_limit_.assign(g_.trusts.size(), 0);
  for (size_t tr = 0; tr < g_.trusts.size(); ++tr)
    last_bed_limit_[tr] = std::max(g_.trusts[tr].bed_days(last_step_days_), bed_days[tr]);
  allocate_social_care(people, r, s, step, day, t, prov, bed_days);
  allocate_intermediate_care(people, r, s, step, day, t, prov, bed_days);
  allocate_emergency(people, r, s, step, day, t, prov, bed_days);
  allocate_electives(people, r, s, step, day, t, prov, bed_days);
  // The bed days published for each trust (all of them, from both phases) are what the
  // invariant checks.
  last_bed_days_.assign(g_.trusts.size(), 0);
  for (size_t tr = 0; tr < g_.trusts.size(); ++tr) last_bed_days_[tr] = prov[layout_.at(tr, TrustCounter::BedDays)];
  allocate_third_sector(people, r, step, day, t, prov);
}

void CareSystem::observe(const std::vector<int64_t>& prov, uint32_t step) {
  using K = CapacityKind;
  const auto& L = layout_;
  const int32_t day = clock_.day_at_start(step), day_end = clock_.day_at_start(step + 1);
  const double days = day_end - day;
  for (size_t k = 0; k < kCapacityKinds; ++k) {
    if (follow_[k].empty()) continue;
    const auto kind = static_cast<K>(k);
    auto& per = period_[k];
    const size_t n = follow_[k].size();
    // Queues measured at the ends of the period (new requests = served + given up +
    // growth of the queue): GP waiting lists and elective lists. The first period
    // starts at the end of the first step.
    const bool queue = kind == K::GpAppointments || kind == K::Electives;
    auto queue_now = [&](size_t i) {
      return kind == K::GpAppointments ? prov[L.at(i, GpCounter::Waiting)] : prov[L.at(i, TrustCounter::WaitingList)];
    };
    if (queue && !per.started) {
      for (size_t i = 0; i < n; ++i) per.start_stock[i] = queue_now(i);
      per.started = true;
      continue;
    }
    per.days += days;
    for (size_t i = 0; i < n; ++i) {
      switch (kind) {
        case K::GpAppointments:  // a: appointments + given up
          per.a[i] += static_cast<double>(prov[L.at(i, GpCounter::Appointments)] + prov[L.at(i, GpCounter::Unmet)]);
          break;
        case K::GeneralAcuteBeds:  // a: bed days; b: admissions; c: not admitted for want of a bed
          per.a[i] += static_cast<double>(prov[L.at(i, TrustCounter::BedDays)]);
          per.b[i] += static_cast<double>(prov[L.at(i, TrustCounter::Emergency)] + prov[L.at(i, TrustCounter::Elective)]);
          per.c[i] += static_cast<double>(prov[L.at(i, TrustCounter::Trolley)] + prov[L.at(i, TrustCounter::Cancelled)]);
          break;
        case K::Electives:  // a: electives done, plus the list's expected removals (which
                            // leave it untreated, so its growth does not show them)
          per.a[i] += static_cast<double>(prov[L.at(i, TrustCounter::Elective)]) +
                      elective_removal_p_ * static_cast<double>(prov[L.at(i, TrustCounter::WaitingList)]);
          break;
        case K::HomeCareHours:  // a: (hours a week in packages + hours a week refused) x days
          per.a[i] += (static_cast<double>(la_packages_[i] + prov[L.at(i, LaCounter::RefusedHomeCare)]) * p_.package_hours_per_week) * days;
          break;
        case K::ReablementPlaces:  // a: (episodes + refused) x days
          per.a[i] += static_cast<double>(la_reablement_[i] + prov[L.at(i, LaCounter::RefusedReablement)]) * days;
          break;
        case K::CareHomePlaces:
          per.a[i] += static_cast<double>(la_care_home_[i] + prov[L.at(i, LaCounter::RefusedCareHome)]) * days;
          break;
        case K::IntermediateBeds:
          per.a[i] += static_cast<double>(ic_beds_[i] + prov[L.at(i, IcCounter::RefusedBed)]) * days;
          break;
        case K::IntermediateHomePlaces:
          per.a[i] += static_cast<double>(ic_home_[i] + prov[L.at(i, IcCounter::RefusedHome)]) * days;
          break;
        default:
          break;
      }
    }
    if (day_end < per.next_review_day) continue;
    // Review: the period's mean demand in the capacity's units.
    const double weeks = per.days / 7.0, years = static_cast<double>(day_end) / kDaysPerYear;
    for (size_t i = 0; i < n; ++i) {
      double demand = 0;
      if (queue) {  // per week: served or given up, plus the queue's growth
        const int64_t now = queue_now(i);
        demand = (per.a[i] + static_cast<double>(now - per.start_stock[i])) / weeks;
        per.start_stock[i] = now;
      } else if (kind == K::GeneralAcuteBeds) {  // beds: occupied, plus those refused one x the mean stay
        const double los = per.b[i] > 0 ? per.a[i] / per.b[i] : 1.0;
        demand = (per.a[i] + per.c[i] * los) / per.days;
      } else {  // social and intermediate care: the mean in use or asked for
        demand = per.a[i] / per.days;
      }
      const double planned = base_.capacity(kind, i) * base_.plan.multiplier(kind, i, years);
      follow_[k][i] = base_.plan.review(kind, std::max(0.0, demand), planned, follow_[k][i]);
      per.a[i] = per.b[i] = per.c[i] = 0;
    }
    per.days = 0;
    per.next_review_day += static_cast<int32_t>(std::llround(base_.plan.follow(kind).review_every_years * kDaysPerYear));
  }
}

}  // namespace hscsim
