// Demography's published metrics (see agents/people/metric_registry.hpp).
#include "agents/demography/metrics.hpp"

#include "model/core/clock.hpp"

namespace hscsim {

void declare_demography_metrics(MetricRegistry& m) {
  m.count("population", "persons", Counter::Population, "people alive and living in the place at the end of the step", true);
  m.count("births", "persons", Counter::Births, "live births in the step", true);
  m.count("deaths", "persons", Counter::Deaths, "deaths in the step (all causes)", true);
  m.count("immigrants", "persons", Counter::Immigrants, "people who moved into the place in the step");
  m.count("emigrants", "persons", Counter::Emigrants, "people who left the place in the step");
  m.add({"mean_age_years", "years", "mean", "mean age of the living population at the start of the step", false,
         [](const Tally& t, int q) {
           return metric_ratio(t.get(Counter::AgeDays, q), t.get(Counter::Population, q)) / kDaysPerYear;
         }});
}

}  // namespace hscsim
