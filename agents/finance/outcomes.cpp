#include "agents/finance/outcomes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hscsim {

int OutcomeTrace::slot(const TracedMeasure& m) const {
  for (size_t k = 0; k < measures_.size(); ++k)
    if (measures_[k] == m) return static_cast<int>(k);
  return -1;
}

void OutcomeTrace::record(const People& people, int32_t day, int32_t day_end,
                          const std::vector<std::pair<uint64_t, int32_t>>& admissions, bool year_end) {
  if (measures_.empty()) return;
  // People are stored in id order, so scanning slots gives sorted ids.
  for (size_t k = 0; k < measures_.size(); ++k) {
    const TracedMeasure& m = measures_[k];
    auto& out = fresh_[k];
    switch (m.measure) {
      case OutcomeMeasure::StateEnded: {
        std::vector<uint64_t> now;
        for (size_t i = 0; i < people.size(); ++i)
          if (people.alive(i) && (people.states[i] >> m.state & 1)) now.push_back(people.id[i]);
        // Ended: had it at the last step, is alive and without it now.
        const auto& before = with_state_[k];
        size_t j = 0;
        for (uint64_t id : before) {
          while (j < now.size() && now[j] < id) ++j;
          if (j < now.size() && now[j] == id) continue;
          auto slot = std::lower_bound(people.id.begin(), people.id.end(), id);
          if (slot == people.id.end() || *slot != id || !people.alive(static_cast<size_t>(slot - people.id.begin()))) continue;
          out.push_back({id, day, 1});
        }
        with_state_[k] = std::move(now);
        break;
      }
      case OutcomeMeasure::Admissions:
        for (const auto& [id, d] : admissions) out.push_back({id, d, 1});
        break;
      case OutcomeMeasure::BedDays:
        for (size_t i = 0; i < people.size(); ++i)
          if (people.alive(i) && people.setting[i] == static_cast<uint8_t>(Setting::Hospital))
            out.push_back({people.id[i], day, day_end - day});
        break;
      default:
        break;
    }
  }
  if (year_end) {
    Snapshot s{day_end, {}};
    s.values.reserve(people.size());
    for (size_t i = 0; i < people.size(); ++i)
      if (people.alive(i)) s.values.emplace_back(people.id[i], people.wellbeing[i]);
    wellbeing_.push_back(std::move(s));
  }
}

void OutcomeTrace::index() {
  for (size_t k = 0; k < measures_.size(); ++k) {
    auto& f = fresh_[k];
    if (f.empty()) continue;
    std::sort(f.begin(), f.end());
    std::vector<OutcomeEvent> merged;
    merged.reserve(events_[k].size() + f.size());
    std::merge(events_[k].begin(), events_[k].end(), f.begin(), f.end(), std::back_inserter(merged));
    events_[k] = std::move(merged);
    f.clear();
  }
}

int64_t OutcomeTrace::sum(int k, uint64_t id, int32_t from, int32_t to) const {
  const auto& e = events_[static_cast<size_t>(k)];
  auto it = std::lower_bound(e.begin(), e.end(), OutcomeEvent{id, from, 0});
  int64_t n = 0;
  for (; it != e.end() && it->id == id && it->day < to; ++it) n += it->amount;
  return n;
}

double OutcomeTrace::wellbeing(uint64_t id, int32_t day) const {
  for (const auto& s : wellbeing_) {
    if (s.day != day) continue;
    auto it = std::lower_bound(s.values.begin(), s.values.end(), std::make_pair(id, -std::numeric_limits<float>::infinity()));
    if (it != s.values.end() && it->first == id) return it->second;
    break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace hscsim
