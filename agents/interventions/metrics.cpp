// The interventions module's published metrics (see agents/people/metric_registry.hpp).
#include "agents/interventions/metrics.hpp"

#include "agents/interventions/counters.hpp"
#include "model/core/money.hpp"

namespace hscsim {

void declare_interventions_metrics(MetricRegistry& m) {
  m.count("intervention_enrolments", "persons", InterventionCounter::InterventionEnrolments, "places in intervention programmes taken up");
  // Counted at enrolment (a flow counter) but published as the stock of members in the step.
  m.add({"intervention_members", "person-programmes", "stock",
               "people in intervention programmes during the step (a person in two counts twice)", false,
               [](const Tally& t, int q) { return static_cast<double>(t.get(InterventionCounter::InterventionMembers, q)); }});
  m.pounds("cost_interventions_gbp", {InterventionCounter::CostInterventionsPence}, "cost of intervention programmes (also in their sector's cost)", false);
}

const std::vector<ProviderMetric>& programme_metrics() {
  static const std::vector<ProviderMetric> metrics = {
      {"offers", "persons", "flow", "places offered", [](const int64_t* c) { return double(c[slot(ProgrammeCounter::Offers)]); }},
      {"enrolments", "persons", "flow", "offers taken up", [](const int64_t* c) { return double(c[slot(ProgrammeCounter::Enrolments)]); }},
      {"members", "persons", "stock", "people in the programme during the step", [](const int64_t* c) { return double(c[slot(ProgrammeCounter::Members)]); }},
      {"cost_gbp", "GBP", "flow", "cost of the programme (enrolments, members, fixed running costs)",
       [](const int64_t* c) { return to_gbp(c[slot(ProgrammeCounter::CostPence)]); }},
  };
  return metrics;
}

}  // namespace hscsim
