#include "model/params.hpp"

namespace hscsim {

Params Params::read(const config::Node& root) {
  config::Reader r(root, "");
  Params p;
  p.description = r.text("description", "");
  {
    config::Reader run = r.child("run");
    p.run.seed = static_cast<uint32_t>(run.integer("seed", {0, 4294967295.0}));
    p.run.replicates = static_cast<uint32_t>(run.integer("replicates", {1, 10000}, 1));
    run.finish();
  }
  p.clock = Clock::read(r.child("time"));
  p.population = PopulationParams::read(r);
  p.geography = Geography::read(r);
  p.demography = DemographyParams::read(r);
  p.states = StateParams::read(r);
  p.care = CareParams::read(r);
  p.interventions = InterventionsParams::read(r, p.care);
  p.finance = FinanceParams::read(r, p.geography, p.care, p.interventions);
  p.wellbeing = WellbeingParams::read(r);
  r.finish();
  return p;
}

}  // namespace hscsim
