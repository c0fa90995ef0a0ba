// The wellbeing module's published metrics (see agents/people/metric_registry.hpp).
#include "agents/wellbeing/metrics.hpp"

#include "agents/wellbeing/counters.hpp"
#include "model/core/clock.hpp"

namespace hscsim {

void declare_wellbeing_metrics(MetricRegistry& m) {
  m.add({"wellbeing_mean", "points (0-10)", "mean", "mean life satisfaction of the living population at the end of the step", true,
               [](const Tally& t, int q) { return metric_ratio(t.get(WellbeingCounter::WellbeingMilli, q), t.get(PeopleCounter::Population, q)) / 1000.0; }});
  m.add({"utility_mean", "utility (0-1)", "mean", "mean health utility of the living population at the end of the step", false,
               [](const Tally& t, int q) { return metric_ratio(t.get(WellbeingCounter::UtilityMilli, q), t.get(PeopleCounter::Population, q)) / 1000.0; }});
  m.add({"qalys", "QALYs", "flow", "quality-adjusted life years lived in the step (utility at the end of the step x step length)", true,
               [](const Tally& t, int q) {
                 return static_cast<double>(t.get(WellbeingCounter::UtilityMilli, q)) / 1000.0 * static_cast<double>(t.get(PeopleCounter::StepDays, 0)) / kDaysPerYear;
               }});
}

}  // namespace hscsim
