#include "model/metrics.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "model/clock.hpp"

namespace hscsim {
namespace {

double ratio(int64_t num, int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : std::numeric_limits<double>::quiet_NaN();
}

std::vector<MetricDef> build() {
  std::vector<MetricDef> m;
  auto count = [](Counter c) { return [c](const Tally& t, int q) { return static_cast<double>(t.get(c, q)); }; };
  m.push_back({"population", "persons", "stock", "people alive and living in the place at the end of the step", true,
               count(Counter::Population)});
  m.push_back({"births", "persons", "flow", "live births in the step", true, count(Counter::Births)});
  m.push_back({"deaths", "persons", "flow", "deaths in the step (all causes)", true, count(Counter::Deaths)});
  m.push_back({"immigrants", "persons", "flow", "people who moved into the place in the step", false, count(Counter::Immigrants)});
  m.push_back({"emigrants", "persons", "flow", "people who left the place in the step", false, count(Counter::Emigrants)});
  m.push_back({"mean_age_years", "years", "mean", "mean age of the living population at the start of the step", false,
               [](const Tally& t, int q) {
                 return ratio(t.get(Counter::AgeDays, q), t.get(Counter::Population, q)) / kDaysPerYear;
               }});
  for (int s = 0; s < kStateCount; ++s) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    const Counter c = state_counter(s);
    if (info.group == StateGroup::Condition && info.requires_.empty()) {
      m.push_back({fmt::format("prevalence_{}", info.name), "fraction", "mean",
                   fmt::format("share of the living population with {}", info.label), true,
                   [c](const Tally& t, int q) { return ratio(t.get(c, q), t.get(Counter::Population, q)); }});
    } else if (info.group == StateGroup::Condition) {
      const Counter parent = state_counter(factor_index(info.requires_));
      m.push_back({fmt::format("{}_share", info.name), "fraction", "mean",
                   fmt::format("share of people with {} whose {}", info.requires_, info.label), false,
                   [c, parent](const Tally& t, int q) { return ratio(t.get(c, q), t.get(parent, q)); }});
    }
  }
  const std::array<std::pair<State, const char*>, 8> people_states = {{
      {State::DampHome, "people_damp_home"}, {State::ColdHome, "people_cold_home"},
      {State::Overcrowded, "people_overcrowded"}, {State::InsecureHousing, "people_insecure_housing"},
      {State::LivesAlone, "people_living_alone"}, {State::InformalCarer, "people_with_informal_carer"},
      {State::Lonely, "people_lonely"}, {State::Smoker, "people_smoking"}}};
  for (const auto& [s, name] : people_states) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    m.push_back({name, "persons", "stock", fmt::format("people who: {}", info.label), false,
                 count(state_counter(static_cast<int>(s)))});
  }
  m.push_back({"people_alcohol_increasing_risk", "persons", "stock", "people drinking at increasing or higher risk (not dependent)",
               false, count(Counter::AlcoholIncreasing)});
  m.push_back({"people_alcohol_dependent", "persons", "stock", "people with alcohol dependence", false,
               count(Counter::AlcoholDependent)});
  m.push_back({"people_frail", "persons", "stock", "people with mild, moderate or severe frailty (eFI category above fit)", true,
               [](const Tally& t, int q) {
                 return static_cast<double>(t.get(Counter::FrailMild, q) + t.get(Counter::FrailModerate, q) +
                                            t.get(Counter::FrailSevere, q));
               }});
  m.push_back({"people_frail_moderate_or_severe", "persons", "stock", "people with moderate or severe frailty (eFI)", false,
               [](const Tally& t, int q) {
                 return static_cast<double>(t.get(Counter::FrailModerate, q) + t.get(Counter::FrailSevere, q));
               }});
  return m;
}

}  // namespace

const std::vector<MetricDef>& metric_definitions() {
  static const std::vector<MetricDef> defs = build();
  return defs;
}

std::string metrics_markdown() {
  std::string out = "| metric | units | kind | by_quintile | description |\n|---|---|---|---|---|\n";
  for (const auto& m : metric_definitions())
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", m.name, m.units, m.kind, m.by_quintile ? "yes" : "", m.description);
  return out;
}

}  // namespace hscsim
