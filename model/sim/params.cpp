#include "model/sim/params.hpp"

#include <optional>

#include <fmt/format.h>

#include "agents/geography/place.hpp"

namespace hscsim {

Params Params::read(const config::Node& root) {
  config::Reader r(root, "");
  Params p;
  p.description = r.text("description", "");
  {
    config::Reader run = r.child("run");
    p.run.seed = static_cast<uint32_t>(run.integer("seed", {0, 4294967295.0}));
    p.run.replicates = static_cast<uint32_t>(run.integer("replicates", {1, 10000}, 1));
    p.run.store = run.choice("store", {"replicates", "summary"}, "replicates") == "summary" ? RunSettings::Store::Summary
                                                                                         : RunSettings::Store::Replicates;
    p.run.store_providers = run.boolean("store_providers", true);
    run.finish();
  }
  p.clock = Clock::read(r.child("time"));
  // A generated place (`place:`) sets the population size and the providers; otherwise
  // both are listed (`population.size`, `gp_practices:` ...).
  std::optional<PlaceParams> place;
  if (auto pl = r.optional_child("place")) {
    place = PlaceParams::read(*pl);
    for (const char* k : {"acute_trusts", "local_authorities", "intermediate_care", "gp_practices", "neighbourhoods"})
      if (r.has(k))
        throw r.error(k, fmt::format("'{}' is listed but 'place:' generates the providers; use one or the other", k));
  }
  p.population = PopulationParams::read(r, place ? place->size : -1);
  p.geography = place ? place->generate() : Geography::read(r, p.population.size);
  p.geography.plan = CapacityPlan::read(r, p.geography, p.clock.start_year);
  p.demography = DemographyParams::read(r);
  p.states = StateParams::read(r);
  p.care = CareParams::read(r, p.population.size);
  // Patients sent to intermediate care need a service where they live.
  if (p.care.discharge_mix[3] + p.care.discharge_mix[4] > 0)
    for (const auto& la : p.geography.authorities)
      if (la.intermediate_care < 0)
        throw r.error(place ? "place" : "intermediate_care",
                      fmt::format("local authority '{}' has no intermediate care service, but care.hospital.discharge_mix "
                                  "sends patients to intermediate care; {}",
                                  la.name, place ? "give place.per_100000.intermediate_care_beds or _home_places"
                                                 : "list it in an intermediate_care service's local_authorities, or set "
                                                   "the mix's intermediate_care shares to 0"));
  CareNames names;
  for (const auto& e : p.care.events) names.events.push_back(e.name);
  for (const auto& s : p.care.third_sector) names.services.push_back(s.name);
  for (const auto& pr : p.geography.practices) names.practices.push_back(pr.name);
  p.interventions = InterventionsParams::read(r, names);
  p.providers = provider_layout(p);
  p.finance = FinanceParams::read(r, p.providers, p.interventions);
  p.wellbeing = WellbeingParams::read(r);
  r.finish();
  return p;
}

}  // namespace hscsim
