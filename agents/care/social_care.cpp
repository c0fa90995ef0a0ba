// Social care: care in place at the start, and placements within each authority's
// reablement places, home care hours and care home places.
#include "agents/care/allocation.hpp"

#include <algorithm>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace hscsim {

void CareSystem::initialise(People& people, const Streams& s, int32_t day) const {
  // The elective list at the start: adults drawn in proportion to their routine GP
  // demand (referrals come from appointments), normalised to the configured size; their
  // waits so far exponential, with the configured share over 18 weeks.
  const auto& gp = p_.gp_routine_per_year;
  auto weight = [&](size_t i) {
    const int age = std::min(people.age_years(i, day), config::AgeTable::kMaxAge);
    return age >= 18 ? gp.values[people.sex[i]][gp.row(age)] : 0.0;
  };
  // The mean weight from the headcount by sex and age (integers, summed over the parts of
  // a population split over processes), so that it is the same for any split.
  double mean_weight = 0;
  if (p_.initial_elective_list_per_100000 > 0) {
    constexpr size_t kAges = config::AgeTable::kMaxAge + 1;
    std::vector<int64_t> count(2 * kAges, 0);
    for (size_t i = 0; i < people.size(); ++i)
      ++count[people.sex[i] * kAges + static_cast<size_t>(std::min(people.age_years(i, day), config::AgeTable::kMaxAge))];
    if (people.parts) people.parts->sum(count);
    int64_t n = 0;
    for (size_t sex = 0; sex < 2; ++sex)
      for (size_t a = 18; a < kAges; ++a) {
        mean_weight += static_cast<double>(count[sex * kAges + a]) * gp.values[sex][gp.row(static_cast<int>(a))];
      }
    for (int64_t c : count) n += c;
    mean_weight /= static_cast<double>(std::max<int64_t>(1, n));
  }
  const double list_scale = mean_weight > 0 ? p_.initial_elective_list_per_100000 / 1e5 / mean_weight : 0.0;
  const double wait_mean = -static_cast<double>(kRttStandardDays) / std::log(p_.initial_elective_over_18_weeks_share);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, people.size(), 4096), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end(); ++i) {
      Lanes u(s, people.id[i], kInitStep, Purpose::SocialCare);
      const uint8_t fr = people.frailty[i];
      if (people.age_years(i, day) >= p_.initial_care_home_min_age_years &&
          u[care_lane::kInitialCareHome] < std::min(1.0, p_.initial_care_home_by_frailty[fr] * care_home_rr(people, i, day))) {
        uint8_t f = kCareHomeResident;
        if (u[care_lane::kInitialSelfFunded] < p_.self_funder_share_by_quintile[static_cast<size_t>(people.quintile[i] - 1)]) f |= kSelfFunded;
        if (u[care_lane::kInitialNursing] < p_.nursing_share) f |= kNursing;
        people.care[i] = f;
        people.setting[i] = static_cast<uint8_t>(Setting::CareHome);
      } else if (u[care_lane::kInitialHomeCare] < p_.initial_home_care_by_frailty[fr]) {
        people.care[i] = kHomeCare;
      }
      // The next long-term-condition review falls anywhere in its interval: reviews are
      // spread as they would be in a running practice, none overdue.
      const int conditions = people.recorded_conditions(i);
      people.review_due[i] =
          conditions > 0 && p_.gp_reviews_per_condition_per_year > 0
              ? day + static_cast<int32_t>(u[care_lane::kInitialReviewPhase] * review_interval_days(conditions))
              : kNeverDue;
      if (list_scale > 0 && people.setting[i] != static_cast<uint8_t>(Setting::CareHome) &&
          u[care_lane::kInitialElective] < std::min(1.0, list_scale * weight(i)))
        people.elective_since[i] = day - static_cast<int32_t>(std::llround(-wait_mean * std::log(1.0 - u[care_lane::kInitialElectiveWait])));
    }
  });
}

void CareSystem::leave_for_care(People& people, const Request& q, int32_t day, int32_t day_end, Lanes& c, Tally& t,
                                std::vector<int64_t>& bed_days) {
  const size_t i = q.slot;
  const int32_t fit_day = people.due_day[i];  // discharge() clears it
  const int32_t leaves = std::max(day, q.since);
  // The rest of the step had been reserved for this patient; the bed is free again.
  bed_days[people.hospital[i]] -= day_end - leaves;
  --staying_[people.hospital[i]];
  discharge(people, i, leaves, t);
  // Deconditioning: the weeks in a bed while medically fit may leave them frailer.
  const int32_t delayed = leaves - fit_day;
  if (delayed > 0 && people.frailty[i] < static_cast<uint8_t>(Frailty::Severe) &&
      c[care_lane::kPlacementDeconditioning] < step_probability(p_.delayed_discharge_frailty_per_week * delayed / 7.0)) {
    people.frailty[i] += 1;
    t.add(CareCounter::Deconditioned, people.quintile[i]);
  }
}

void CareSystem::allocate_social_care(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                                      Tally& t, std::vector<int64_t>& prov, std::vector<int64_t>& bed_days) {
  const int32_t day_end = clock_.day_at_start(step + 1);
  const auto& L = layout_;
  // 2. Social care, per local authority (before admissions, so that beds freed by
  //    discharges to care can be used): hospital discharges first, then follow-on
  //    care after reablement, then needs arising at home.
  auto sc = by_provider(r.social, g_.authorities.size());
  for (size_t a = 0; a < sc.size(); ++a) {
    const auto& auth = g_.authorities[a];
    int64_t reablement_free = auth.reablement_places - r.la_reablement[a];
    const int64_t packages =
        p_.package_hours_per_week > 0
            ? static_cast<int64_t>(std::floor(auth.home_care_hours_per_week / p_.package_hours_per_week + 1e-9))
            : 0;
    int64_t packages_free = p_.package_hours_per_week > 0 ? packages - r.la_home_care[a] : 0;
    int64_t care_home_free = auth.care_home_places - r.la_care_home[a];
    prov[L.at(a, LaCounter::HomeCareHoursCapacity)] += std::llround(auth.home_care_hours_per_week * 60.0);
    prov[L.at(a, LaCounter::ReablementPlaces)] += auth.reablement_places;
    prov[L.at(a, LaCounter::CareHomePlaces)] += auth.care_home_places;
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
      const auto need = static_cast<CareNeed>(q_.what);
      int64_t* free = need == CareNeed::Reablement ? &reablement_free
                      : need == CareNeed::HomeCare ? &packages_free
                                                      : &care_home_free;
      if (*free <= 0) {
        prov[L.at(a, need == CareNeed::Reablement ? LaCounter::RefusedReablement
                     : need == CareNeed::HomeCare ? LaCounter::RefusedHomeCare
                                                    : LaCounter::RefusedCareHome)] += 1;
        if (in_hospital) count_delayed_in_bed(people, q_, day, day_end, p_, L, t, prov, awaiting(need));  // the bed stays occupied
        continue;
      }
      --*free;
      Lanes c(s, people.id[i], step, Purpose::SocialCare, substream::kSocialPlacementLanes[0]);
      if (in_hospital) leave_for_care(people, q_, day, day_end, c, t, bed_days);
      people.care_need[i] = static_cast<uint8_t>(CareNeed::None);
      if (need == CareNeed::Reablement) {
        people.care[i] = static_cast<uint8_t>(people.care[i] | kReablement);
        people.due_day[i] = std::max(day, q_.since) + static_cast<int32_t>(std::llround(p_.reablement_days));
        t.add(CareCounter::ReablementStarts, q, people.sex[i], people.age_years(i, day));
        prov[L.at(a, LaCounter::ReablementStarts)] += 1;
        t.add(sector_cost(ProviderKind::SocialCare), q, p_.costs.reablement_episode);
        prov[L.at(a, LaCounter::CostPence)] += p_.costs.reablement_episode;
      } else if (need == CareNeed::HomeCare) {
        people.care[i] = static_cast<uint8_t>(people.care[i] | kHomeCare);
        t.add(CareCounter::HomeCareStarts, q, people.sex[i], people.age_years(i, day));
      } else {
        uint8_t f = static_cast<uint8_t>((people.care[i] & ~(kHomeCare | kReablement)) | kCareHomeResident);
        if (c[care_lane::kPlacementSelfFunded] < p_.self_funder_share_by_quintile[static_cast<size_t>(q - 1)]) f |= kSelfFunded;
        if (c[care_lane::kPlacementNursing] < p_.nursing_share) f |= kNursing;
        people.care[i] = f;
        people.setting[i] = static_cast<uint8_t>(Setting::CareHome);
        t.add(CareCounter::CareHomeAdmissions, q, people.sex[i], people.age_years(i, day));
        prov[L.at(a, LaCounter::CareHomeAdmissions)] += 1;
      }
    }
    // What it funds after the step's placements (the commissioning rule's use).
    la_packages_[a] = packages - packages_free;
    la_reablement_[a] = auth.reablement_places - reablement_free;
    la_care_home_[a] = auth.care_home_places - care_home_free;
  }
}

}  // namespace hscsim
