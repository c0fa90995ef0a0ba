#include "model/sim/providers.hpp"

#include "agents/care/counters.hpp"
#include "agents/interventions/counters.hpp"
#include "model/sim/params.hpp"

namespace hscsim {

namespace {
template <class T>
std::vector<std::string> names_of(const std::vector<T>& xs) {
  std::vector<std::string> out;
  out.reserve(xs.size());
  for (const auto& x : xs) out.push_back(x.name);
  return out;
}
}  // namespace

ProviderLayout provider_layout(const Params& p) {
  const Geography& g = p.geography;
  const auto& kinds = care_provider_kinds();
  ProviderLayout L;
  L.add(kinds[0], names_of(g.practices));
  L.add(kinds[1], names_of(g.trusts));
  L.add(kinds[2], names_of(g.authorities));
  L.add(kinds[3], names_of(p.care.third_sector));
  L.add(kinds[4], names_of(g.intermediate_care));
  L.add_programmes(names_of(p.interventions.list), static_cast<size_t>(ProgrammeCounter::Count));
  return L;
}

}  // namespace hscsim
