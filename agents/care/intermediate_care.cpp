// NHS intermediate care: step-down care after a hospital stay, in a community bed or at
// home, within each service's beds and places. Patients are taken in the order of the
// request queue; one not taken stays in hospital, delayed awaiting intermediate care.
#include "agents/care/allocation.hpp"

namespace hscsim {

void CareSystem::count_intermediate_days(const People& p, size_t i, size_t svc, int32_t from, int32_t to, Tally& t,
                                         std::vector<int64_t>& prov) const {
  if (to <= from) return;
  const auto& L = layout_;
  const int64_t days = to - from;
  int64_t pence;
  if (p.care[i] & kIntermediateBed) {
    prov[L.at(svc, IcCounter::BedDays)] += days;
    pence = days * p_.costs.intermediate_bed_day;
  } else {
    prov[L.at(svc, IcCounter::HomeDays)] += days;
    pence = std::llround(static_cast<double>(days) * p_.intermediate_home_contacts_per_week / 7.0 *
                         static_cast<double>(p_.costs.intermediate_home_contact));
  }
  t.add(sector_cost(ProviderKind::IntermediateCare), p.quintile[i], pence);
  prov[L.at(svc, IcCounter::CostPence)] += pence;
}

void CareSystem::allocate_intermediate_care(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                                            Tally& t, std::vector<int64_t>& prov, std::vector<int64_t>& bed_days) {
  const int32_t day_end = clock_.day_at_start(step + 1);
  const auto& L = layout_;
  auto queues = by_provider(r.intermediate, g_.intermediate_care.size());
  for (size_t svc = 0; svc < queues.size(); ++svc) {
    const auto& service = g_.intermediate_care[svc];
    int64_t beds_free = service.community_beds - r.ic_beds[svc];
    int64_t home_free = service.home_places - r.ic_home[svc];
    std::sort(queues[svc].begin(), queues[svc].end(), before);
    for (size_t j = 0; j < queues[svc].size(); ++j) {
      if (j + kCareAhead < queues[svc].size()) people.prefetch_for_care(queues[svc][j + kCareAhead].slot);
      const Request& q = queues[svc][j];
      const size_t i = q.slot;
      if (!people.alive(i)) continue;
      const bool bed = static_cast<CareNeed>(q.what) == CareNeed::IntermediateBed;
      int64_t& free = bed ? beds_free : home_free;
      if (free <= 0) {  // a delayed discharge: the bed stays occupied
        prov[L.at(svc, bed ? IcCounter::RefusedBed : IcCounter::RefusedHome)] += 1;
        count_delayed_in_bed(people, q, day, day_end, p_, L, t, prov, Delay::IntermediateCare);
        // Waited too long: the council's nearest service instead, asked for from the next
        // step (the patient is already assessed).
        if (day_end - people.due_day[i] >= p_.intermediate_max_wait_days) {
          people.care_need[i] = static_cast<uint8_t>(bed ? CareNeed::HomeCare : CareNeed::Reablement);
          t.add(CareCounter::IntermediateDiverted, people.quintile[i]);
        }
        continue;
      }
      --free;
      Lanes c(s, people.id[i], step, Purpose::SocialCare, substream::kIntermediatePlacementLanes[0]);
      leave_for_care(people, q, day, day_end, c, t, bed_days);
      people.care_need[i] = static_cast<uint8_t>(CareNeed::None);
      const int32_t start = std::max(day, q.since);
      people.care[i] = static_cast<uint8_t>(people.care[i] | (bed ? kIntermediateBed : kIntermediateHome));
      people.due_day[i] = start + static_cast<int32_t>(std::llround(bed ? p_.intermediate_bed_days : p_.intermediate_home_days));
      t.add(bed ? CareCounter::IntermediateBedAdmissions : CareCounter::IntermediateHomeStarts, people.quintile[i]);
      prov[L.at(svc, bed ? IcCounter::BedAdmissions : IcCounter::HomeStarts)] += 1;
      count_intermediate_days(people, i, svc, start, std::min(people.due_day[i], day_end), t, prov);
    }
    // In use after the step's placements (the commissioning rule's use).
    ic_beds_[svc] = service.community_beds - beds_free;
    ic_home_[svc] = service.home_places - home_free;
  }
}

}  // namespace hscsim
