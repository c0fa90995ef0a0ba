// Demography's published metrics (see agents/people/metric_registry.hpp).
#include "agents/demography/metrics.hpp"

#include "agents/demography/counters.hpp"

#include "model/core/clock.hpp"

namespace hscsim {

void declare_demography_metrics(MetricRegistry& m) {
  m.count("population", "persons", PeopleCounter::Population, "people alive and living in the place at the end of the step", true);
  m.count("births", "persons", DemographyCounter::Births, "live births in the step", true);
  m.count("deaths", "persons", PeopleCounter::Deaths, "deaths in the step (all causes)", true);
  m.count("immigrants", "persons", DemographyCounter::Immigrants, "people who moved into the place in the step");
  m.count("emigrants", "persons", DemographyCounter::Emigrants, "people who left the place in the step");
  m.add({"mean_age_years", "years", "mean", "mean age of the living population at the start of the step", false,
         [](const Tally& t, int q) {
           return metric_ratio(t.get(PeopleCounter::AgeDays, q), t.get(PeopleCounter::Population, q)) / kDaysPerYear;
         }});
}

}  // namespace hscsim
