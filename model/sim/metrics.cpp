#include "model/sim/metrics.hpp"

#include <fmt/format.h>

#include "agents/care/metrics.hpp"
#include "agents/demography/metrics.hpp"
#include "agents/finance/metrics.hpp"
#include "agents/interventions/metrics.hpp"
#include "agents/states/metrics.hpp"
#include "agents/wellbeing/metrics.hpp"

namespace hscsim {

const std::vector<MetricDef>& metric_definitions() {
  // Output order: module by module, in step order.
  static const MetricRegistry registry = [] {
    MetricRegistry r;
    declare_demography_metrics(r);
    declare_states_metrics(r);
    declare_care_metrics(r);
    declare_interventions_metrics(r);
    declare_finance_metrics(r);
    declare_wellbeing_metrics(r);
    return r;
  }();
  return registry.all();
}

std::string metrics_markdown() {
  std::string out = "| metric | units | kind | by_quintile | by_age_sex | description |\n|---|---|---|---|---|---|\n";
  for (const auto& m : metric_definitions())
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", m.name, m.units, m.kind, m.by_quintile ? "yes" : "",
                       m.by_age_sex ? "yes" : "", m.description);
  return out;
}

}  // namespace hscsim
