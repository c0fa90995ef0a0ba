// Demography's published metrics (see agents/people/metric_registry.hpp).
#include "agents/demography/metrics.hpp"

#include "agents/demography/counters.hpp"

#include "model/core/clock.hpp"

namespace hscsim {

void declare_demography_metrics(MetricRegistry& m) {
  m.count("population", "persons", PeopleCounter::Population, "people alive and living in the place at the end of the step", true);
  m.count("births", "persons", DemographyCounter::Births, "live births in the step", true);
  m.count("deaths", "persons", PeopleCounter::Deaths, "deaths in the step (all causes)", true);
  // Deaths by place: in hospital (in_hospital_deaths, declared by care), in a care home, elsewhere.
  m.count("deaths_in_care_home", "persons", PeopleCounter::CareHomeDeaths, "deaths of care-home residents in their care home (also counted in deaths)");
  {
    auto elsewhere = [](auto get) { return static_cast<double>(get(PeopleCounter::Deaths) - get(PeopleCounter::InHospitalDeaths) - get(PeopleCounter::CareHomeDeaths)); };
    MetricDef d{"deaths_at_home_or_elsewhere", "persons", "flow",
                "deaths outside hospital and care homes: at home, in a hospice or elsewhere (deaths - in_hospital_deaths - deaths_in_care_home)",
                false, [elsewhere](const Tally& t, int q) { return elsewhere([&](Counter c) { return t.get(c, q); }); }};
    d.by_age_sex = [elsewhere](const Tally& t, uint8_t sex, size_t band) { return elsewhere([&](Counter c) { return t.get(c, sex, band); }); };
    m.add(std::move(d));
  }
  m.count("care_home_resident_hospital_deaths", "persons", PeopleCounter::ResidentHospitalDeaths,
          "deaths in hospital of care-home residents (also counted in in_hospital_deaths)");
  m.add({"care_home_resident_deaths", "persons", "flow",
         "deaths of care-home residents wherever they die: in their care home (deaths_in_care_home) or in hospital "
         "(care_home_resident_hospital_deaths)", false, [](const Tally& t, int q) {
           return static_cast<double>(t.get(PeopleCounter::CareHomeDeaths, q) + t.get(PeopleCounter::ResidentHospitalDeaths, q));
         }});
  m.count("immigrants", "persons", DemographyCounter::Immigrants, "people who moved into the place in the step");
  m.count("emigrants", "persons", DemographyCounter::Emigrants, "people who left the place in the step");
  m.add({"mean_age_years", "years", "mean", "mean age of the living population at the start of the step", false,
         [](const Tally& t, int q) {
           return metric_ratio(t.get(PeopleCounter::AgeDays, q), t.get(PeopleCounter::Population, q)) / kDaysPerYear;
         }});
}

}  // namespace hscsim
