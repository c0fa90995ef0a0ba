// The states module's published metrics: prevalence of each condition, shares of
// dependent states, people in each housing and social circumstance, alcohol and frailty.
#include "agents/states/metrics.hpp"

#include "agents/states/counters.hpp"

#include <fmt/format.h>

namespace hscsim {

namespace {
//! The share of the people of a sex and age band counted by stock c (its age-sex cells).
auto share_by_age_sex(Counter c) {
  return [c](const Tally& t, uint8_t sex, size_t band) { return metric_ratio(t.get(c, sex, band), t.get(PeopleCounter::Population, sex, band)); };
}
}  // namespace

void declare_states_metrics(MetricRegistry& m) {
  for (int s = 0; s < kStateCount; ++s) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    const Counter c = state_counter(s);
    if (info.group == StateGroup::Condition && info.requires_.empty()) {
      m.add({fmt::format("prevalence_{}", info.name), "fraction", "mean", fmt::format("share of the living population with {}", info.label),
             true, [c](const Tally& t, int q) { return metric_ratio(t.get(c, q), t.get(PeopleCounter::Population, q)); },
             share_by_age_sex(c)});
      m.count(fmt::format("new_cases_{}", info.name), "persons", onset_counter(s),
              fmt::format("new cases of {} in the step (onsets; a recovered person can have it again; not the consequences of health events)", info.label), true);
      const Counter d = diagnosed_counter(s);
      m.add({fmt::format("recorded_prevalence_{}", info.name), "fraction", "mean",
             fmt::format("share of the living population with {} diagnosed (on the GP's register; compare with QOF)", info.label),
             true, [d](const Tally& t, int q) { return metric_ratio(t.get(d, q), t.get(PeopleCounter::Population, q)); },
             share_by_age_sex(d)});
    } else if (info.group == StateGroup::Condition) {
      const Counter parent = state_counter(states::required(s));
      m.add({fmt::format("{}_share", info.name), "fraction", "mean",
             fmt::format("share of people with {} whose {}", info.requires_, info.label), false,
             [c, parent](const Tally& t, int q) { return metric_ratio(t.get(c, q), t.get(parent, q)); }});
    }
  }
  for (int s = 0; s < kStateCount; ++s) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    if (info.group == StateGroup::Condition) continue;
    const std::string name = info.stock_metric.empty() ? fmt::format("people_{}", info.name) : std::string(info.stock_metric);
    m.count(name, "persons", state_counter(s), fmt::format("people who: {}", info.label));
  }
  m.count("people_alcohol_increasing_risk", "persons", StatesCounter::AlcoholIncreasing,
          "people drinking at increasing or higher risk (not dependent)");
  m.count("people_alcohol_dependent", "persons", StatesCounter::AlcoholDependent, "people with alcohol dependence");
  m.add({"people_frail", "persons", "stock", "people with mild, moderate or severe frailty (eFI category above fit)", true,
         [](const Tally& t, int q) {
           return static_cast<double>(t.get(StatesCounter::FrailMild, q) + t.get(StatesCounter::FrailModerate, q) + t.get(StatesCounter::FrailSevere, q));
         }});
  m.add({"people_frail_moderate_or_severe", "persons", "stock", "people with moderate or severe frailty (eFI)", false,
         [](const Tally& t, int q) { return static_cast<double>(t.get(StatesCounter::FrailModerate, q) + t.get(StatesCounter::FrailSevere, q)); }});
}

}  // namespace hscsim
