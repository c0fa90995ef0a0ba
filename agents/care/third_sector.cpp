// Third-sector services: referrals from GPs and hospitals, self-referrals, places
// within capacity.
#include "agents/care/allocation.hpp"

#include <algorithm>
#include <cmath>

namespace hscsim {

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

void CareSystem::allocate_third_sector(People& people, CareRequests& r, uint32_t step, int32_t day, Tally& t,
                                       std::vector<int64_t>& prov) {
  const int32_t day_end = clock_.day_at_start(step + 1);
  const double step_days = day_end - day;
  const auto& L = layout_;
  // 5. Third-sector services: referrals from GPs and hospital first, then self-referrals.
  auto ts = by_provider(r.third, p_.third_sector.size());
  for (size_t k = 0; k < ts.size(); ++k) {
    const auto& svc = p_.third_sector[k];
    const int64_t cap = take_capacity(third_carry_[k], svc.people_per_week, step_days);
    std::erase_if(ts[k], [&](const Request& r) { return !people.alive(r.slot); });  // died waiting for a bed this step
    const size_t served = select_served(ts[k], cap);
    for (size_t j = 0; j < ts[k].size(); ++j) {
      const size_t i = ts[k][j].slot;
      const uint8_t q = people.quintile[i];
      if (j < served) {
        t.add(CareCounter::ThirdSectorContacts, q, svc.contacts_per_person);
        prov[L.at(k, ThirdCounter::Contacts)] += svc.contacts_per_person;
        t.add(sector_cost(ProviderKind::ThirdSector), q, svc.contacts_per_person * svc.contact_pence);
        prov[L.at(k, ThirdCounter::CostPence)] += svc.contacts_per_person * svc.contact_pence;
      } else {
        t.add(CareCounter::ThirdSectorUnmet, q);
        prov[L.at(k, ThirdCounter::Unmet)] += 1;
      }
    }
  }
}

}  // namespace hscsim
