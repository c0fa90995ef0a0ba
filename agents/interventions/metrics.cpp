// The interventions module's published metrics (see agents/people/metric_registry.hpp).
#include "agents/interventions/metrics.hpp"

namespace hscsim {

void declare_interventions_metrics(MetricRegistry& m) {
  m.count("intervention_enrolments", "persons", Counter::InterventionEnrolments, "places in intervention programmes taken up");
  // Counted at enrolment (a flow counter) but published as the stock of members in the step.
  m.add({"intervention_members", "person-programmes", "stock",
               "people in intervention programmes during the step (a person in two counts twice)", false,
               [](const Tally& t, int q) { return static_cast<double>(t.get(Counter::InterventionMembers, q)); }});
  m.pounds("cost_interventions_gbp", {Counter::CostInterventionsPence}, "cost of intervention programmes (also in their sector's cost)", false);
}

}  // namespace hscsim
