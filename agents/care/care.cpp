#include "agents/care/care.hpp"
#include "agents/care/substreams.hpp"
#include "model/core/money.hpp"

#include "model/core/errors.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

namespace hscsim {
namespace {

constexpr size_t kCareAhead = 8;   // requests ahead whose people are prefetched (People::prefetch_for_care)
constexpr uint8_t kRoutine = 254;  // Request::what for routine GP demand
constexpr uint8_t kBacklog = 253;  // Request::what for a GP request already waiting

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

// Total order for requests: tier, then oldest wait, then the random key, then slot.
bool before(const Request& a, const Request& b) {
  if (a.tier != b.tier) return a.tier < b.tier;
  if (a.since != b.since) return a.since < b.since;
  if (a.key != b.key) return a.key < b.key;
  if (a.slot != b.slot) return a.slot < b.slot;
  return a.what < b.what;
}

// Requests grouped by provider (a counting pass). The order within a group is the
// arrival order, which depends on threads: callers put it in the total order above
// (or select from it by that order) before anything depends on order.
std::vector<std::vector<Request>> by_provider(const std::vector<Request>& all, size_t providers) {
  std::vector<size_t> count(providers, 0);
  for (const auto& r : all) ++count[r.provider];
  std::vector<std::vector<Request>> out(providers);
  for (size_t p = 0; p < providers; ++p) out[p].reserve(count[p]);
  for (const auto& r : all) out[r.provider].push_back(r);
  return out;
}

// Moves the `n` first requests in the total order to the front and returns n. Who is
// served depends only on that order; what happens to them does not depend on the order
// they are handled in. Both parts keep their arrival order (close to slot order: care
// seeking emits requests chunk by chunk), so handling them reads the people's columns
// nearly sequentially rather than at random. When everyone fits, nothing is moved.
size_t select_served(std::vector<Request>& reqs, int64_t capacity) {
  const auto n = static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(capacity, static_cast<int64_t>(reqs.size()))));
  if (n == reqs.size() || n == 0) return n;
  // The n-th request in the total order. Requests before it are served; of those equal
  // to it (the same request twice, e.g. two referrals from one person's two appointments)
  // as many as fit.
  std::vector<Request> out(reqs);
  std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n - 1), out.end(), before);
  const Request last = out[n - 1];
  std::vector<uint8_t> served(reqs.size(), 0);
  size_t k = 0;
  for (size_t j = 0; j < reqs.size(); ++j)
    if (before(reqs[j], last)) {
      served[j] = 1;
      ++k;
    }
  for (size_t j = 0; j < reqs.size() && k < n; ++j)
    if (!served[j] && !before(last, reqs[j])) {
      served[j] = 1;
      ++k;
    }
  k = 0;
  for (size_t j = 0; j < reqs.size(); ++j)
    if (served[j]) out[k++] = reqs[j];
  for (size_t j = 0; j < reqs.size(); ++j)
    if (!served[j]) out[k++] = reqs[j];
  reqs.swap(out);
  return n;
}

namespace {

// Whole units of capacity available this step, carrying the fraction to the next.
int64_t take_capacity(double& carry, double per_week, double step_days) {
  carry += per_week * step_days / 7.0;
  const auto n = static_cast<int64_t>(std::floor(carry + 1e-9));
  carry -= static_cast<double>(n);
  return n;
}

// A request whose tie-break key and lanes are both keyed by `sub`.
Request make_request(const Streams& s, const People& p, size_t i, uint32_t step, uint16_t provider, uint8_t tier,
                     uint8_t what, int32_t since, uint16_t sub) {
  return {static_cast<uint32_t>(i), s.tiebreak(p.id[i], step, sub), provider, tier, what, since, sub};
}

int32_t los_to_due(int32_t admit, double mean_days, double u) {
  // Length of stay: exponential with the given mean, rounded to whole days.
  return admit + static_cast<int32_t>(std::llround(-mean_days * std::log(u)));
}

}  // namespace

namespace {
using PL = ProviderLayout;
const std::vector<ProviderMetric> kGpMetrics = {
    {"appointments", "appointments", "flow", "appointments given", [](const int64_t* c) { return double(c[PL::GpAppointments]); }},
    {"virtual_appointments", "appointments", "flow", "appointments by telephone or video", [](const int64_t* c) { return double(c[PL::GpVirtual]); }},
    {"unmet_demand", "requests", "flow", "requests ended without an appointment", [](const int64_t* c) { return double(c[PL::GpUnmet]); }},
    {"wait_days_mean", "days", "mean", "mean wait of the appointments given",
     [](const int64_t* c) { return c[PL::GpAppointments] ? double(c[PL::GpWaitDays]) / double(c[PL::GpAppointments]) : 0.0 / 0.0; }},
    {"waiting", "persons", "stock", "people waiting for an appointment", [](const int64_t* c) { return double(c[PL::GpWaiting]); }},
    {"cost_gbp", "GBP", "flow", "cost of its appointments and of the interventions it delivers", [](const int64_t* c) { return to_gbp(c[PL::GpCostPence]); }},
};
const std::vector<ProviderMetric> kTrustMetrics = {
    {"ae_attendances", "attendances", "flow", "A&E attendances", [](const int64_t* c) { return double(c[PL::TrAe]); }},
    {"emergency_admissions", "admissions", "flow", "emergency admissions", [](const int64_t* c) { return double(c[PL::TrEmergency]); }},
    {"elective_admissions", "admissions", "flow", "elective admissions incl. day cases", [](const int64_t* c) { return double(c[PL::TrElective]); }},
    {"elective_cancelled", "admissions", "flow", "electives cancelled for lack of beds", [](const int64_t* c) { return double(c[PL::TrCancelled]); }},
    {"bed_days", "bed days", "flow", "bed days used", [](const int64_t* c) { return double(c[PL::TrBedDays]); }},
    {"delayed_discharge_bed_days", "bed days", "flow", "bed days of delayed discharges", [](const int64_t* c) { return double(c[PL::TrDelayedDays]); }},
    {"inpatients", "persons", "stock", "patients in its beds at the end of the step", [](const int64_t* c) { return double(c[PL::TrInpatients]); }},
    {"trolley_waits", "persons", "flow", "decided for admission but no bed", [](const int64_t* c) { return double(c[PL::TrTrolley]); }},
    {"elective_waiting_list", "persons", "stock", "people on its elective waiting list", [](const int64_t* c) { return double(c[PL::TrWaitingList]); }},
    {"cost_gbp", "GBP", "flow", "cost of its activity (A&E, spells, excess bed days, outpatients)", [](const int64_t* c) { return to_gbp(c[PL::TrCostPence]); }},
};
const std::vector<ProviderMetric> kLaMetrics = {
    {"home_care_hours", "hours", "flow", "home care hours delivered", [](const int64_t* c) { return double(c[PL::LaHomeCareMinutes]) / 60.0; }},
    {"reablement_episodes", "episodes", "flow", "reablement episodes started", [](const int64_t* c) { return double(c[PL::LaReablementStarts]); }},
    {"care_home_admissions", "persons", "flow", "moves into a care home", [](const int64_t* c) { return double(c[PL::LaCareHomeAdmissions]); }},
    {"care_home_residents", "persons", "stock", "care home residents", [](const int64_t* c) { return double(c[PL::LaResidents]); }},
    {"people_waiting_social_care", "persons", "stock", "people at home waiting for social care", [](const int64_t* c) { return double(c[PL::LaWaiting]); }},
    {"cost_gbp", "GBP", "flow", "council-funded social care cost", [](const int64_t* c) { return to_gbp(c[PL::LaCostPence]); }},
};
const std::vector<ProviderMetric> kThirdMetrics = {
    {"contacts", "contacts", "flow", "contacts given", [](const int64_t* c) { return double(c[PL::TsContacts]); }},
    {"unmet_referrals", "referrals", "flow", "referrals not taken on", [](const int64_t* c) { return double(c[PL::TsUnmet]); }},
    {"cost_gbp", "GBP", "flow", "cost of its contacts and of the interventions it delivers", [](const int64_t* c) { return to_gbp(c[PL::TsCostPence]); }},
};
const std::vector<ProviderMetric> kProgrammeMetrics = {
    {"offers", "persons", "flow", "places offered", [](const int64_t* c) { return double(c[PL::PgOffers]); }},
    {"enrolments", "persons", "flow", "offers taken up", [](const int64_t* c) { return double(c[PL::PgEnrolments]); }},
    {"members", "persons", "stock", "people in the programme during the step", [](const int64_t* c) { return double(c[PL::PgMembers]); }},
    {"cost_gbp", "GBP", "flow", "cost of the programme (enrolments, members, fixed running costs)", [](const int64_t* c) { return to_gbp(c[PL::PgCostPence]); }},
};
}  // namespace

std::vector<ProviderGroup> provider_groups(const Geography& g, const CareParams& p, const std::vector<std::string>& programmes) {
  const ProviderLayout L = ProviderLayout::of(g, p.third_sector.size(), programmes.size());
  std::vector<ProviderGroup> out;
  for (size_t k = 0; k < g.practices.size(); ++k)
    out.push_back({"gp_" + g.practices[k].name, "gp_practice", L.gp(k, PL::GpAppointments), &kGpMetrics});
  for (size_t k = 0; k < g.trusts.size(); ++k)
    out.push_back({"acute_" + g.trusts[k].name, "acute_trust", L.trust(k, PL::TrAe), &kTrustMetrics});
  for (size_t k = 0; k < g.authorities.size(); ++k)
    out.push_back({"social_care_" + g.authorities[k].name, "local_authority", L.la(k, PL::LaHomeCareMinutes), &kLaMetrics});
  for (size_t k = 0; k < p.third_sector.size(); ++k)
    out.push_back({"third_sector_" + p.third_sector[k].name, "third_sector", L.third(k, PL::TsContacts), &kThirdMetrics});
  for (size_t k = 0; k < programmes.size(); ++k)
    out.push_back({programmes[k], "intervention", L.programme(k, PL::PgOffers), &kProgrammeMetrics, "interventions"});
  return out;
}

void CareRequests::clear(const Geography& g, size_t provider_counters) {
  gp.clear();
  ae.clear();
  elective.clear();
  social.clear();
  third.clear();
  trust_bed_days.assign(g.trusts.size(), 0);
  la_home_care.assign(g.authorities.size(), 0);
  la_reablement.assign(g.authorities.size(), 0);
  la_care_home.assign(g.authorities.size(), 0);
  tally = Tally{};
  provider.assign(provider_counters, 0);
}

void CareRequests::merge(const CareRequests& o) {
  gp.insert(gp.end(), o.gp.begin(), o.gp.end());
  ae.insert(ae.end(), o.ae.begin(), o.ae.end());
  elective.insert(elective.end(), o.elective.begin(), o.elective.end());
  social.insert(social.end(), o.social.begin(), o.social.end());
  third.insert(third.end(), o.third.begin(), o.third.end());
  for (size_t k = 0; k < trust_bed_days.size(); ++k) trust_bed_days[k] += o.trust_bed_days[k];
  for (size_t k = 0; k < la_home_care.size(); ++k) {
    la_home_care[k] += o.la_home_care[k];
    la_reablement[k] += o.la_reablement[k];
    la_care_home[k] += o.la_care_home[k];
  }
  tally += o.tally;
  for (size_t k = 0; k < provider.size(); ++k) provider[k] += o.provider[k];
}

CareSystem::CareSystem(const CareParams& p, const Geography& g, const Clock& c, size_t programmes)
    : p_(p), g_(g), clock_(c) {
  layout_.practices = g.practices.size();
  layout_.trusts = g.trusts.size();
  layout_.authorities = g.authorities.size();
  layout_.services = p.third_sector.size();
  layout_.programmes = programmes;
  mod_ = &no_modifiers();
  admission_propensity_.assign(g.trusts.size(), 1.0);
  referral_propensity_.assign(g.practices.size(), 1.0);
  gp_carry_.assign(g.practices.size(), 0.0);
  elective_carry_.assign(g.trusts.size(), 0.0);
  third_carry_.assign(p.third_sector.size(), 0.0);
  const double dt = c.dt_years;
  event_H_.resize(p.events.size());
  for (const auto& ev : p.events) {
    event_bound_.push_back(ev.rr.bound());
    event_requires_.push_back(ev.requires_factor >= 0 ? uint64_t{1} << ev.requires_factor : 0);
  }
  need_bound_ = p.community_need_rr.bound();
  package_end_p_ = step_probability(p.package_end_per_year * c.dt_years);
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

void CareSystem::initialise(People& people, const Streams& s, int32_t day) const {
  tbb::parallel_for(tbb::blocked_range<size_t>(0, people.size(), 4096), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end(); ++i) {
      Lanes u(s, people.id[i], kInitStep, Purpose::SocialCare);
      const uint8_t fr = people.frailty[i];
      if (people.age_years(i, day) >= p_.initial_care_home_min_age_years && u[0] < p_.initial_care_home_by_frailty[fr]) {
        uint8_t f = kCareHomeResident;
        if (u[1] < p_.self_funder_share_by_quintile[static_cast<size_t>(people.quintile[i] - 1)]) f |= kSelfFunded;
        if (u[2] < p_.nursing_share) f |= kNursing;
        people.care[i] = f;
        people.setting[i] = static_cast<uint8_t>(Setting::CareHome);
      } else if (u[3] < p_.initial_home_care_by_frailty[fr]) {
        people.care[i] = kHomeCare;
      }
    }
  });
}

void CareSystem::discharge(People& p, size_t i, int32_t day, Tally& t) const {
  t.add(Counter::Discharges, p.quintile[i]);
  p.setting[i] = static_cast<uint8_t>((p.care[i] & kCareHomeResident) ? Setting::CareHome : Setting::Community);
  p.last_discharge_day[i] = day;
  p.admit_day[i] = p.due_day[i] = kNoDay;
  p.stay[i] = 0;
  p.care[i] = with_social_need(p.care[i], SocialNeed::None);
}

namespace {
// Bed days of one stay within [from, to), split into ordinary and excess (beyond
// `excess_after` days from admission); adds counts and excess cost.
void count_bed_days(const People& p, size_t i, int32_t from, int32_t to, double excess_after, int64_t excess_pence,
                    size_t trust, const ProviderLayout& L, Tally& t, std::vector<int64_t>& prov, bool delayed) {
  if (to <= from) return;
  const uint8_t q = p.quintile[i];
  const int64_t days = to - from;
  t.add(Counter::BedDays, q, days);
  if (p.stay[i] != kElectiveStay) t.add(Counter::EmergencyBedDays, q, days);
  prov[L.trust(trust, ProviderLayout::TrBedDays)] += days;
  if (delayed) {
    t.add(Counter::DelayedBedDays, q, days);
    prov[L.trust(trust, ProviderLayout::TrDelayedDays)] += days;
  }
  const auto excess_start = static_cast<int32_t>(p.admit_day[i] + static_cast<int32_t>(excess_after));
  const int64_t excess = std::max<int64_t>(0, to - std::max(from, excess_start));
  if (excess > 0) {
    t.add(Counter::CostAcutePence, q, excess * excess_pence);
    prov[L.trust(trust, ProviderLayout::TrCostPence)] += excess * excess_pence;
  }
}
}  // namespace

void CareSystem::seek(People& people, size_t begin, size_t end, const Streams& s, uint32_t step, int32_t day,
                      CareRequests& out) const {
  const int32_t day_end = clock_.day_at_start(step + 1);
  const int32_t step_len = day_end - day;
  const double dt = clock_.dt_years;
  const int E = static_cast<int>(p_.events.size());
  const int S = static_cast<int>(p_.third_sector.size());
  const auto& L = layout_;
  Tally& t = out.tally;
  auto& prov = out.provider;
  const int64_t package_day_minutes = std::llround(p_.package_hours_per_week * 60.0 / 7.0);

  BlocksAhead blocks(s, people.id.data(), people.vital.data(), static_cast<uint8_t>(Vital::Alive), end, step, Purpose::CareSeeking);
  for (size_t i = begin; i != end; ++i) {
    if (!people.alive(i)) continue;
    const uint64_t id = people.id[i];
    const auto block = blocks(i);
    const uint8_t q = people.quintile[i];
    const uint16_t la = la_of(people, i);
    uint8_t& care = people.care[i];

    // Hospital patients: bed days, and discharge once medically fit. Every bed day a
    // patient uses in this step is committed against the trust's capacity here, before
    // phase 2 admits anyone.
    if (people.setting[i] == static_cast<uint8_t>(Setting::Hospital)) {
      const uint16_t tr = people.hospital[i];
      const int32_t from = std::max(people.admit_day[i], day);
      const int32_t due = people.due_day[i];
      const auto ex = p_.excess_bed_days_after;
      auto use = [&](int32_t to) {
        count_bed_days(people, i, from, to, ex, p_.costs.excess_bed_day, tr, L, t, prov, false);
        out.trust_bed_days[tr] += std::max(0, to - from);
      };
      if (social_need(care) != SocialNeed::None && due < day) {
        // Waiting for social care since an earlier step: the whole step is reserved; the
        // days are counted in allocate (delayed) or not at all (care found, patient leaves).
        out.social.push_back(make_request(s, people, i, step, la, 0, static_cast<uint8_t>(social_need(care)), due, substream::kSocialDischarge[0]));
        out.trust_bed_days[tr] += day_end - from;
      } else if (due >= day_end) {
        use(day_end);
      } else {
        use(std::max(from, due));
        Lanes d(s, id, step, Purpose::Discharge);
        const double p_death = people.stay[i] == kElectiveStay ? 0.0 : p_.events[people.stay[i]].in_hospital_death_probability;
        if (d[0] < p_death) {
          people.vital[i] = static_cast<uint8_t>(Vital::Died);
          t.add(Counter::InHospitalDeaths, q);
          t.add_death(q, people.sex[i], people.age_years(i, day_end));
          continue;
        }
        double need = 0;
        if (!(care & (kCareHomeResident | kHomeCare))) {
          need = p_.discharge_social_care_by_frailty[people.frailty[i]];
          if (!people.has(i, State::InformalCarer)) need = std::min(1.0, need * p_.discharge_social_care_rr_no_carer);
          need *= 1.0 - level(p_.integration.joint_discharge_planning, day) * p_.integration.discharge_need_reduction;
        }
        // A need already being waited for at home before admission is kept.
        const SocialNeed prior = social_need(care);
        if (prior != SocialNeed::None || d[1] < need) {
          const double u = d[2];
          const SocialNeed n = prior != SocialNeed::None ? prior
                               : u < p_.discharge_mix[0] ? SocialNeed::Reablement
                               : u < p_.discharge_mix[0] + p_.discharge_mix[1] ? SocialNeed::HomeCare
                                                                               : SocialNeed::CareHome;
          care = with_social_need(care, n);
          out.social.push_back(make_request(s, people, i, step, la, 0, static_cast<uint8_t>(n), due, substream::kSocialDischarge[0]));
          out.trust_bed_days[tr] += day_end - std::max(from, due);  // reserved; counted in allocate if delayed
        } else {
          discharge(people, i, std::max(due, day), t);
          refer_to_third_sector(people, i, d, 3, &ThirdSectorService::hospital_referral_probability, substream::kThirdFromHospital, s, step, out.third);
        }
      }
    }

    // Social care already in place: reablement ends, packages end, hours and weeks delivered.
    if ((care & kReablement) && people.due_day[i] < day_end && people.setting[i] != static_cast<uint8_t>(Setting::Hospital)) {
      care = static_cast<uint8_t>(care & ~kReablement);
      people.due_day[i] = kNoDay;
      if (Lanes(s, id, step, Purpose::SocialCare, substream::kSocialReablementEndLanes[0])[0] >= p_.reablement_no_further_care_share) {
        care = with_social_need(care, SocialNeed::HomeCare);
        out.social.push_back(make_request(s, people, i, step, la, 1, static_cast<uint8_t>(SocialNeed::HomeCare), day, substream::kSocialAfterReablement[0]));
      }
    }
    Lanes u(block);  // = Lanes(s, id, step, Purpose::CareSeeking), drawn one person ahead
    const SeekLanes lane{E, S};
    if ((care & kHomeCare) && package_end_p_ > 0 && u.may_be_below(lane.package_end(), package_end_p_) &&
        u[lane.package_end()] < package_end_p_)
      care = static_cast<uint8_t>(care & ~kHomeCare);
    if (care & kHomeCare) {
      out.la_home_care[la] += 1;
      if (people.setting[i] != static_cast<uint8_t>(Setting::Hospital)) {
        const int64_t minutes = package_day_minutes * step_len;
        t.add(Counter::HomeCareMinutes, q, minutes);
        prov[L.la(la, ProviderLayout::LaHomeCareMinutes)] += minutes;
        t.add(Counter::CostSocialPence, q, package_day_pence_ * step_len);
        prov[L.la(la, ProviderLayout::LaCostPence)] += package_day_pence_ * step_len;
      }
    }
    if (care & kReablement) out.la_reablement[la] += 1;
    if (care & kCareHomeResident) {
      out.la_care_home[la] += 1;
      if (!(care & kSelfFunded)) {
        const int64_t c = ((care & kNursing) ? nursing_day_pence_ : residential_day_pence_) * step_len;
        t.add(Counter::CostSocialPence, q, c);
        prov[L.la(la, ProviderLayout::LaCostPence)] += c;
      }
    }
    if (people.setting[i] == static_cast<uint8_t>(Setting::Hospital)) continue;

    // People at home or in a care home: demand.
    const int age = std::min(people.age_years(i, day), config::AgeTable::kMaxAge);
    const uint8_t sex = people.sex[i];
    const uint64_t f = people.factors(i);
    const uint16_t practice = people.practice[i];
    const uint16_t trust = trust_of(people, i);

    // Routine GP demand: new symptoms and long-term-condition reviews.
    const int conditions = people.conditions(i);
    const double lambda = (gp_routine_lambda_[sex][static_cast<size_t>(age)] + p_.gp_reviews_per_condition_per_year * conditions * dt) *
                          (*mod_)(people, i, target::GpDemand, day);
    // Inverted from the top (1 - u), so a count of zero needs u >= 1 - exp(-lambda), which
    // the lane's screening bits usually show (1 - exp(-lambda) <= lambda).
    const int n_routine = lambda > 0 && u.may_be_below(lane.routine_gp(), lambda) ? poisson_count(lambda, 1.0 - u[lane.routine_gp()]) : 0;
    if (people.gp_wait_since[i] != kNoDay) {
      out.gp.push_back(make_request(s, people, i, step, practice, 1, kBacklog, people.gp_wait_since[i], substream::kGpBacklog[0]));
      if (n_routine > 0) {  // folded into the request already waiting
        t.add(Counter::GpUnmet, q, n_routine);
        prov[L.gp(practice, ProviderLayout::GpUnmet)] += n_routine;
      }
    } else {
      for (int k = 0; k < n_routine; ++k)
        out.gp.push_back(make_request(s, people, i, step, practice, 2, kRoutine, day, substream::kGpRoutine[k]));
    }

    // Health events and where people take them.
    const bool recent = people.last_discharge_day[i] != kNoDay && day - people.last_discharge_day[i] <= p_.readmission_window_days;
    const bool member = people.programmes[i] != 0;
    auto event = [&](int k) {
      const HealthEvent& ev = p_.events[static_cast<size_t>(k)];
      if (ev.requires_factor >= 0 && !(f >> ev.requires_factor & 1)) return;
      double H = event_H_[static_cast<size_t>(k)][sex][static_cast<size_t>(age)];
      if (H <= 0) return;
      // Cannot happen when the draw is at or above H x the largest multiplier
      // (RelativeRisks::bound); the lane's top bits usually tell without computing it.
      const double Hb = H * event_bound_[static_cast<size_t>(k)] * (recent ? p_.post_discharge_event_rr : 1.0);
      if (!member && !u.may_be_below(lane.event(k), Hb)) return;
      const double x = u[lane.event(k)];
      if (!member && x >= Hb) return;
      H *= ev.rr.multiplier(f, q) * (*mod_)(people, i, target::event(k), day);
      if (recent) H *= p_.post_discharge_event_rr;
      if (x >= step_probability(H)) return;
      // A lasting consequence (amputation after a foot ulcer, sight loss after retinopathy).
      if (ev.consequence_state >= 0 && u[lane.consequence(k)] < ev.consequence_probability)
        people.states[i] |= uint32_t{1} << ev.consequence_state;
      const double r = u[lane.route(k)];
      if (r < ev.route[0]) return;  // self-care
      if (r < ev.route[0] + ev.route[1])
        out.gp.push_back(make_request(s, people, i, step, practice, 0, static_cast<uint8_t>(k), 0, substream::kGpEvent[k]));
      else
        out.ae.push_back(make_request(s, people, i, step, trust, 1, static_cast<uint8_t>(k), 0, substream::kAeEvent[k]));
    };
    // Only the events whose lane can be below H x bound (Lanes::candidates) are looked
    // at; the others cannot happen. People recently discharged or in a programme, and
    // configs with more events than screened lanes, go through every event.
    const uint32_t cand = E <= Lanes::kScreened ? u.candidates(event_thr_[sex][static_cast<size_t>(age)]) : ~uint32_t{0};
    if (E <= Lanes::kScreened && !recent && !member) {
      // The usual outcome (no event: not eligible, or the draw at or above H x bound)
      // is settled here; event() repeats these checks and does the rest.
      for (uint32_t c = cand & all_events_; c; c &= c - 1) {
        const auto k = static_cast<size_t>(__builtin_ctz(c));
        if ((f & event_requires_[k]) != event_requires_[k]) continue;
        const double Hb = event_H_[k][sex][static_cast<size_t>(age)] * event_bound_[k];
        if (!u.may_be_below(lane.event(static_cast<int>(k)), Hb) || u[lane.event(static_cast<int>(k))] >= Hb) continue;
        event(static_cast<int>(k));
      }
    } else {
      for (int k = 0; k < E; ++k) event(k);
    }
    if (care & kWaitingForBed)
      out.ae.push_back(make_request(s, people, i, step, trust, 0, people.stay[i], 0, substream::kAeWaitingForBed[0]));
    if (people.elective_since[i] != kNoDay)
      out.elective.push_back(make_request(s, people, i, step, trust, 0, 0, people.elective_since[i], substream::kElective[0]));

    // Social care needs arising at home.
    if (social_need(care) != SocialNeed::None) {
      out.social.push_back(make_request(s, people, i, step, la, 2, static_cast<uint8_t>(social_need(care)), 0, substream::kSocialCommunity[0]));
    } else if (!(care & (kHomeCare | kReablement | kCareHomeResident))) {
      const double base = p_.community_need_per_year_by_frailty[people.frailty[i]];
      // Nothing to do when the draw is at or above the largest possible hazard
      // (RelativeRisks::bound); the lane's screening byte usually says so.
      const double hb = base * need_bound_ * dt;
      if (base > 0 && (member || u.may_be_below(lane.social_need(), hb))) {
        const double x = u[lane.social_need()];
        const double h = member || x < hb ? base * p_.community_need_rr.multiplier(f, q) * dt * (*mod_)(people, i, target::SocialCareNeed, day)
                                          : 0.0;
        if (x < step_probability(h)) {
          const SocialNeed n = u[lane.care_home_share()] < p_.community_care_home_share ? SocialNeed::CareHome : SocialNeed::HomeCare;
          care = with_social_need(care, n);
          out.social.push_back(make_request(s, people, i, step, la, 2, static_cast<uint8_t>(n), 0, substream::kSocialCommunity[0]));
        }
      }
    }
    // Third-sector self-referrals: only the services whose lane can be below the
    // probability (the candidates above, when the lanes fit in the screen).
    auto self_referral = [&](int k) {
      const auto& svc = p_.third_sector[static_cast<size_t>(k)];
      const double pk = self_referral_p_[static_cast<size_t>(k)];
      if (u.may_be_below(lane.self_referral(k), pk) && (f >> svc.eligible_factor & 1) && pk > 0 && u[lane.self_referral(k)] < pk)
        out.third.push_back(make_request(s, people, i, step, static_cast<uint16_t>(k), 1, 0, 0, substream::kThirdSelf[static_cast<int>(k)]));
    };
    if (screened_referrals_) {
      for (uint32_t c = (cand >> lane.self_referral(0)) & ((uint32_t{1} << S) - 1); c; c &= c - 1) self_referral(__builtin_ctz(c));
    } else {
      for (int k = 0; k < S; ++k) self_referral(k);
    }
  }
}

int32_t CareSystem::planned_due(const People& p, size_t i, uint8_t cause, double los_u, int32_t day) const {
  const double mean = cause == kElectiveStay ? p_.elective_los_days_mean
                                             : p_.events[cause].los_days_mean * (*mod_)(p, i, target::LengthOfStay, day) *
                                                   (1.0 - level(p_.integration.shared_records, day) * p_.integration.los_reduction);
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
  p.care[i] = static_cast<uint8_t>(p.care[i] & ~kWaitingForBed);
  const int64_t los = due - day;
  int64_t spell = 0;
  if (elective) {
    t.add(Counter::ElectiveAdmissions, q);
    prov[L.trust(tr, ProviderLayout::TrElective)] += 1;
    spell = p_.costs.elective_spell;
  } else {
    t.add(Counter::EmergencyAdmissions, q);
    prov[L.trust(tr, ProviderLayout::TrEmergency)] += 1;
    if (p_.events[cause].acsc) t.add(Counter::AcscAdmissions, q);
    if (p.last_discharge_day[i] != kNoDay && day - p.last_discharge_day[i] <= p_.readmission_window_days)
      t.add(Counter::Readmissions, q);
    spell = los <= p_.short_stay_max_days ? p_.costs.nel_spell_short : p_.costs.nel_spell_long;
  }
  t.add(Counter::CostAcutePence, q, spell);
  prov[L.trust(tr, ProviderLayout::TrCostPence)] += spell;
  // A stay uses at least one bed day (same-day discharges too).
  count_bed_days(p, i, day, std::max(day + 1, std::min(day_end, due)), p_.excess_bed_days_after, p_.costs.excess_bed_day,
                 tr, L, t, prov, false);
}

// One practice's GP appointments (step 1 of allocate). Writes only its own patients'
// columns and its outputs: its per-provider counters, A&E attendances of acute cases
// not seen, third-sector referrals, outpatient costs for its trust.
void CareSystem::refer_to_third_sector(const People& people, size_t i, Lanes& lanes, int first_lane,
                                       double ThirdSectorService::*probability, substream::Range subs, const Streams& s,
                                       uint32_t step, std::vector<Request>& out) const {
  const uint64_t f = people.factors(i);
  for (size_t k = 0; k < p_.third_sector.size(); ++k) {
    const auto& svc = p_.third_sector[k];
    if ((f >> svc.eligible_factor & 1) && lanes[first_lane + static_cast<int>(k)] < svc.*probability)
      out.push_back(make_request(s, people, i, step, static_cast<uint16_t>(k), 0, 0, 0, subs[static_cast<int>(k)]));
  }
}

// Works on its own outcome, returned at the end: the outputs of neighbouring practices
// (run at the same time) would share cache lines.
CareSystem::GpOutcome CareSystem::allocate_gp(People& people, size_t pr, std::vector<Request>& reqs, const Streams& s,
                                              uint32_t step, int32_t day, double gp_capacity, Tally& t) {
  GpOutcome out;
  auto& counts = out.counts;
  const int32_t day_end = clock_.day_at_start(step + 1);
  const auto& practice = g_.practices[pr];
  const int64_t cap = take_capacity(gp_carry_[pr], practice.appointments_per_week * gp_capacity, day_end - day);
  const size_t served = select_served(reqs, cap);
  const double referral_integration = 1.0 - level(p_.integration.shared_records, day) * p_.integration.referral_reduction;
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
    }
    const size_t i = reqs[k].slot;
    const uint8_t q = people.quintile[i];
    Lanes a(s, people.id[i], step, Purpose::GpAppointment, reqs[k].sub);
    const bool remote = a[0] < practice.virtual_share;
    t.add(Counter::GpAppointments, q);
    counts[ProviderLayout::GpAppointments] += 1;
    if (remote) {
      t.add(Counter::GpVirtual, q);
      counts[ProviderLayout::GpVirtual] += 1;
    }
    const int64_t fee = remote ? p_.costs.virtual_appointment : p_.costs.gp_appointment;
    t.add(Counter::CostPrimaryPence, q, fee);
    counts[ProviderLayout::GpCostPence] += fee;
    if (reqs[k].what == kBacklog && people.gp_wait_since[i] != kNoDay) {
      const int64_t wait = day - people.gp_wait_since[i];
      t.add(Counter::GpWaitDays, q, wait);
      counts[ProviderLayout::GpWaitDays] += wait;
      people.gp_wait_since[i] = kNoDay;
    }
    const double referral = (*mod_)(people, i, target::Referral, day) * referral_propensity_[pr] * referral_integration;
    if (a[1] < p_.outpatient_referral_probability * referral) {
      t.add(Counter::OutpatientAttendances, q);
      t.add(Counter::CostAcutePence, q, p_.costs.outpatient_attendance);
      out.outpatient_pence += p_.costs.outpatient_attendance;
    }
    if (a[2] < p_.elective_referral_probability * referral && people.elective_since[i] == kNoDay) people.elective_since[i] = day;
    refer_to_third_sector(people, i, a, 4, &ThirdSectorService::gp_referral_probability, substream::kThirdFromGp, s, step, out.third);
  }
  // Unserved, in a fixed order (slot, then tier) so that a person's several requests
  // resolve the same way at any thread count.
  std::sort(reqs.begin() + static_cast<std::ptrdiff_t>(served), reqs.end(),
            [](const Request& a, const Request& b) { return a.slot != b.slot ? a.slot < b.slot : before(a, b); });
  for (size_t k = served; k < reqs.size(); ++k) {
    const size_t i = reqs[k].slot;
    const uint8_t q = people.quintile[i];
    int32_t& since = people.gp_wait_since[i];
    if (reqs[k].tier == 0) {
      Lanes a(s, people.id[i], step, Purpose::GpAppointment, reqs[k].sub);
      if (a[3] < p_.gp_unmet_acute_to_ae_share) {
        t.add(Counter::GpUnmet, q);
        counts[ProviderLayout::GpUnmet] += 1;
        out.ae.push_back(
            make_request(s, people, i, step, practice.trust, 1, reqs[k].what, 0, substream::kGpToAe[reqs[k].what]));
        continue;
      }
      if (since == kNoDay) since = day;
    } else if (reqs[k].what == kBacklog) {
      if (since != kNoDay && day_end - since > p_.gp_max_wait_days) {
        t.add(Counter::GpUnmet, q);
        counts[ProviderLayout::GpUnmet] += 1;
        since = kNoDay;
      }
    } else if (since == kNoDay) {
      since = day;
    }
  }
  return out;
}

void CareSystem::allocate(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                          const PlaceEffects& place, Tally& t, std::vector<int64_t>& prov) {
  const int32_t day_end = clock_.day_at_start(step + 1);
  const double step_days = day_end - day;
  const auto& L = layout_;
  t += r.tally;
  for (size_t k = 0; k < r.provider.size(); ++k) prov[k] += r.provider[k];
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
      gp_out[pr] = allocate_gp(people, pr, gp[pr], s, step, day, place.gp_capacity, lt);
  });
  for (const Tally& lt : gp_tally) t += lt;
  for (size_t pr = 0; pr < gp.size(); ++pr) {
    for (size_t c = 0; c < ProviderLayout::kGpCount; ++c) prov[L.gp(pr, static_cast<ProviderLayout::Gp>(c))] += gp_out[pr].counts[c];
    prov[L.trust(g_.practices[pr].trust, ProviderLayout::TrCostPence)] += gp_out[pr].outpatient_pence;
    r.ae.insert(r.ae.end(), gp_out[pr].ae.begin(), gp_out[pr].ae.end());
    r.third.insert(r.third.end(), gp_out[pr].third.begin(), gp_out[pr].third.end());
  }

  // Bed capacity is counted in bed days per step: (beds + escalation) x step length. A stay
  // uses the days it spans in this step (at least one).
  std::vector<int64_t> bed_days = r.trust_bed_days;

  // 2. Social care, per local authority (before admissions, so that beds freed by
  //    discharges to care can be used): hospital discharges first, then follow-on
  //    care after reablement, then needs arising at home.
  auto sc = by_provider(r.social, g_.authorities.size());
  for (size_t a = 0; a < sc.size(); ++a) {
    const auto& auth = g_.authorities[a];
    int64_t reablement_free = auth.reablement_places - r.la_reablement[a];
    int64_t packages_free =
        p_.package_hours_per_week > 0
            ? static_cast<int64_t>(std::floor(auth.home_care_hours_per_week / p_.package_hours_per_week + 1e-9)) - r.la_home_care[a]
            : 0;
    int64_t care_home_free = auth.care_home_places - r.la_care_home[a];
    std::sort(sc[a].begin(), sc[a].end(), before);
    for (size_t j = 0; j < sc[a].size(); ++j) {
      if (j + kCareAhead < sc[a].size()) people.prefetch_for_care(sc[a][j + kCareAhead].slot);
      const Request& q_ = sc[a][j];
      const size_t i = q_.slot;
      if (!people.alive(i)) continue;
      const uint8_t q = people.quintile[i];
      // Tier 0 requests are hospital discharges. Someone waiting at home who was admitted
      // this step keeps the need; it is asked for again at discharge.
      const bool in_hospital = q_.tier == 0;
      if (!in_hospital && people.setting[i] == static_cast<uint8_t>(Setting::Hospital)) continue;
      const auto need = static_cast<SocialNeed>(q_.what);
      int64_t* free = need == SocialNeed::Reablement ? &reablement_free
                      : need == SocialNeed::HomeCare ? &packages_free
                                                      : &care_home_free;
      if (*free <= 0) {
        if (in_hospital) {  // a delayed discharge: the bed stays occupied
          const int32_t from = std::max(day, q_.since);
          count_bed_days(people, i, from, day_end, p_.excess_bed_days_after, p_.costs.excess_bed_day, people.hospital[i], L,
                         t, prov, true);
        }
        continue;
      }
      --*free;
      if (in_hospital) {
        // The rest of the step had been reserved for this patient; the bed is free again.
        bed_days[people.hospital[i]] -= day_end - std::max(day, q_.since);
        discharge(people, i, std::max(day, q_.since), t);
      }
      people.care[i] = with_social_need(people.care[i], SocialNeed::None);
      Lanes c(s, people.id[i], step, Purpose::SocialCare, substream::kSocialPlacementLanes[0]);
      if (need == SocialNeed::Reablement) {
        people.care[i] = static_cast<uint8_t>(people.care[i] | kReablement);
        people.due_day[i] = std::max(day, q_.since) + static_cast<int32_t>(std::llround(p_.reablement_days));
        t.add(Counter::ReablementStarts, q);
        prov[L.la(a, ProviderLayout::LaReablementStarts)] += 1;
        t.add(Counter::CostSocialPence, q, p_.costs.reablement_episode);
        prov[L.la(a, ProviderLayout::LaCostPence)] += p_.costs.reablement_episode;
      } else if (need == SocialNeed::HomeCare) {
        people.care[i] = static_cast<uint8_t>(people.care[i] | kHomeCare);
      } else {
        uint8_t f = static_cast<uint8_t>((people.care[i] & ~(kHomeCare | kReablement)) | kCareHomeResident);
        if (c[0] < p_.self_funder_share_by_quintile[static_cast<size_t>(q - 1)]) f |= kSelfFunded;
        if (c[1] < p_.nursing_share) f |= kNursing;
        people.care[i] = f;
        people.setting[i] = static_cast<uint8_t>(Setting::CareHome);
        t.add(Counter::CareHomeAdmissions, q);
        prov[L.la(a, ProviderLayout::LaCareHomeAdmissions)] += 1;
      }
    }
  }

  // 3. A&E attendances and emergency admissions, per trust. Under acute mutual aid a
  //    patient who finds no bed may be admitted to a partner trust with room (with
  //    probability = the partnership's strength).
  const double mdt_level = level(p_.integration.multidisciplinary_working, day);
  const double aid = p_.integration.acute_mutual_aid ? level(1.0, day) : 0.0;
  auto ae = by_provider(r.ae, g_.trusts.size());
  for (size_t tr = 0; tr < ae.size(); ++tr) {
    struct Candidate {
      Request req;
      double los_u;
      double arrive_u;  //!< when in the step the admission happens (waiting patients: at its start)
    };
    std::vector<Candidate> admit_list;
    for (size_t j = 0; j < ae[tr].size(); ++j) {
      if (j + kCareAhead < ae[tr].size()) people.prefetch_for_care(ae[tr][j + kCareAhead].slot);
      const Request& q_ = ae[tr][j];
      const size_t i = q_.slot;
      const uint8_t q = people.quintile[i];
      if (q_.tier == 0) {  // waiting for a bed since an earlier step
        admit_list.push_back({q_, Lanes(s, people.id[i], step, Purpose::Emergency, substream::kAeWaitingLanes[0])[1], 0.0});
        continue;
      }
      t.add(Counter::AeAttendances, q);
      prov[L.trust(tr, ProviderLayout::TrAe)] += 1;
      t.add(Counter::CostAcutePence, q, p_.costs.ae_attendance);
      prov[L.trust(tr, ProviderLayout::TrCostPence)] += p_.costs.ae_attendance;
      Lanes e(s, people.id[i], step, Purpose::Emergency, q_.sub);
      const bool multimorbid = people.conditions(i) >= p_.multimorbid_min_conditions;
      const double mdt = multimorbid ? 1.0 - mdt_level * p_.integration.multimorbid_admission_reduction : 1.0;
      if (e[0] < p_.events[q_.what].admit_probability * admission_propensity_[tr] * mdt * (*mod_)(people, i, target::Admission, day))
        admit_list.push_back({q_, e[1], e[2]});
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
      size_t where = tr;
      if (bed_days[tr] + need > limit && aid > 0 && Lanes(s, people.id[i], step, Purpose::Emergency, substream::kMutualAid[0])[0] < aid) {
        for (size_t o = 0; o < g_.trusts.size(); ++o) {
          if (o == tr) continue;
          const int64_t lim = g_.trusts[o].bed_days(day_end - day);
          if (bed_days[o] + need <= lim) {
            where = o;
            t.add(Counter::MutualAidAdmissions, people.quintile[i]);
            break;
          }
        }
      }
      const int64_t where_limit = g_.trusts[where].bed_days(day_end - day);
      if (bed_days[where] + need <= where_limit) {
        admit(people, i, static_cast<uint16_t>(where), c.req.what, due, arrive, day_end, t, prov);
        bed_days[where] += need;
      } else {
        people.care[i] = static_cast<uint8_t>(people.care[i] | kWaitingForBed);
        people.stay[i] = c.req.what;
        if (c.req.tier != 0) {  // counted once, when the wait starts
          t.add(Counter::TrolleyWaits, people.quintile[i]);
          prov[L.trust(tr, ProviderLayout::TrTrolley)] += 1;
        }
      }
    }
  }

  // 4. Electives, per trust: oldest referral first; inpatient electives stop while
  //    escalation beds are in use.
  auto el = by_provider(r.elective, g_.trusts.size());
  for (size_t tr = 0; tr < el.size(); ++tr) {
    const int64_t cap = take_capacity(elective_carry_[tr], g_.trusts[tr].elective_admissions_per_week, step_days);
    auto& list = el[tr];
    // Only the oldest referrals can be reached: order just enough of the list (people in
    // hospital are skipped, so take a margin, and order the rest only if it is needed).
    size_t ordered = std::min(list.size(), static_cast<size_t>(2 * cap + 64));
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(ordered), list.end(), before);
    int64_t done = 0;
    for (size_t j = 0; j < list.size(); ++j) {
      if (done >= cap) break;
      if (j == ordered) {
        std::sort(list.begin() + static_cast<std::ptrdiff_t>(ordered), list.end(), before);
        ordered = list.size();
      }
      if (j + kCareAhead < ordered) people.prefetch_for_care(list[j + kCareAhead].slot);
      const Request& q_ = list[j];
      const size_t i = q_.slot;
      if (people.setting[i] == static_cast<uint8_t>(Setting::Hospital)) continue;
      ++done;
      const uint8_t q = people.quintile[i];
      Lanes e(s, people.id[i], step, Purpose::Elective);
      if (e[0] < p_.day_case_share) {
        t.add(Counter::ElectiveAdmissions, q);
        t.add(Counter::DayCases, q);
        prov[L.trust(tr, ProviderLayout::TrElective)] += 1;
        t.add(Counter::CostAcutePence, q, p_.costs.day_case);
        prov[L.trust(tr, ProviderLayout::TrCostPence)] += p_.costs.day_case;
        people.elective_since[i] = kNoDay;
      } else if (const int32_t arrive = day + static_cast<int32_t>(e[2] * (day_end - day)),
                 due = planned_due(people, i, kElectiveStay, e[1], arrive);
                 bed_days[tr] + std::max<int64_t>(1, std::min(due, day_end) - arrive) <=
                 g_.trusts[tr].general_bed_days(day_end - day)) {
        admit(people, i, static_cast<uint16_t>(tr), kElectiveStay, due, arrive, day_end, t, prov);
        bed_days[tr] += std::max<int64_t>(1, std::min(due, day_end) - arrive);
        people.elective_since[i] = kNoDay;
      } else {
        t.add(Counter::ElectiveCancelled, q);
        prov[L.trust(tr, ProviderLayout::TrCancelled)] += 1;
      }
    }
  }

  // The bed days published for each trust (all of them, from both phases) are what the
  // invariant checks.
  last_step_days_ = day_end - day;
  last_bed_days_.assign(g_.trusts.size(), 0);
  for (size_t tr = 0; tr < g_.trusts.size(); ++tr) last_bed_days_[tr] = prov[L.trust(tr, ProviderLayout::TrBedDays)];

  // 5. Third-sector services: referrals from GPs and hospital first, then self-referrals.
  auto ts = by_provider(r.third, p_.third_sector.size());
  for (size_t k = 0; k < ts.size(); ++k) {
    const auto& svc = p_.third_sector[k];
    const int64_t cap = take_capacity(third_carry_[k], svc.people_per_week, step_days);
    const size_t served = select_served(ts[k], cap);
    for (size_t j = 0; j < ts[k].size(); ++j) {
      const size_t i = ts[k][j].slot;
      const uint8_t q = people.quintile[i];
      if (j < served) {
        t.add(Counter::ThirdSectorContacts, q, svc.contacts_per_person);
        prov[L.third(k, ProviderLayout::TsContacts)] += svc.contacts_per_person;
        t.add(Counter::CostThirdPence, q, svc.contacts_per_person * svc.contact_pence);
        prov[L.third(k, ProviderLayout::TsCostPence)] += svc.contacts_per_person * svc.contact_pence;
      } else {
        t.add(Counter::ThirdSectorUnmet, q);
        prov[L.third(k, ProviderLayout::TsUnmet)] += 1;
      }
    }
  }
}

void CareSystem::check_invariants() const {
  for (size_t tr = 0; tr < last_bed_days_.size(); ++tr) {
    const auto& t = g_.trusts[tr];
    if (last_bed_days_[tr] > t.bed_days(last_step_days_))
      throw RuntimeFailure(fmt::format("invariant broken: trust {} used {} bed days in a {}-day step with {} + {} beds", t.name,
                                       last_bed_days_[tr], last_step_days_, t.general_acute_beds, t.escalation_beds));
  }
}

}  // namespace hscsim
