#include "model/sim/comparison.hpp"

#include "agents/care/counters.hpp"
#include "model/core/stats.hpp"

#include <cmath>
#include <limits>

namespace hscsim {

namespace {
ComparisonSeries summarise(const std::vector<std::vector<double>>& d) {  // [replicate][step]
  const size_t R = d.size(), S = R ? d[0].size() : 0;
  ComparisonSeries out;
  out.mean.assign(S, 0);
  out.lower.assign(S, std::numeric_limits<double>::quiet_NaN());
  out.upper = out.lower;
  for (size_t s = 0; s < S; ++s) {
    double sum = 0;
    for (size_t r = 0; r < R; ++r) sum += d[r][s];
    const double m = sum / static_cast<double>(R);
    out.mean[s] = m;
    if (R < 2) continue;
    double ss = 0;
    for (size_t r = 0; r < R; ++r) ss += (d[r][s] - m) * (d[r][s] - m);
    const double half = half_width_95(ss, R);
    out.lower[s] = m - half;
    out.upper[s] = m + half;
  }
  return out;
}
}  // namespace

std::vector<ScenarioComparison> compare(const RunResult& r) {
  std::vector<ScenarioComparison> out;
  if (r.scenarios.empty()) return out;
  const auto& base = r.scenarios.front();
  for (size_t k = 1; k < r.scenarios.size(); ++k) {
    const auto& sc = r.scenarios[k];
    ScenarioComparison c{sc.name, {}};
    const size_t R = sc.steps.size();
    const auto& metrics = metric_definitions();
    // [metric][replicate][step], filled from one decoded pair of replicates at a time.
    std::vector<std::vector<std::vector<double>>> d(metrics.size(), std::vector<std::vector<double>>(R)), cum = d;
    for (size_t rep = 0; rep < R; ++rep) {
      const std::vector<Tally> run = sc.steps[rep], against = base.steps[rep];
      const size_t S = run.size();
      for (size_t k2 = 0; k2 < metrics.size(); ++k2) {
        const auto& m = metrics[k2];
        d[k2][rep].resize(S);
        cum[k2][rep].resize(S);
        double acc = 0;
        for (size_t s = 0; s < S; ++s) {
          double x = m.value(run[s], 0) - m.value(against[s], 0);
          if (std::isnan(x)) x = 0;  // a ratio with no denominator in both: no difference
          d[k2][rep][s] = x;
          acc += x;
          cum[k2][rep][s] = m.kind == "flow" ? acc : acc / static_cast<double>(s + 1);
        }
      }
    }
    for (size_t k2 = 0; k2 < metrics.size(); ++k2) {
      c.metrics.push_back({metrics[k2].name, summarise(d[k2]), summarise(cum[k2])});
      std::vector<std::vector<double>>().swap(d[k2]);
      std::vector<std::vector<double>>().swap(cum[k2]);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace hscsim

namespace hscsim {

std::vector<IdleLever> idle_levers(const Experiment& e, const RunResult& r) {
  std::vector<IdleLever> out;
  if (r.scenarios.size() < 2) return out;
  const ProviderLayout& L = e.scenarios.front().params.providers;
  const auto& caps = care_capacities();
  const size_t G = L.providers(), C = caps.size();
  // bound[g][c]: capacity c of provider g turned someone away in the baseline.
  auto bound_in = [&](const std::vector<std::vector<int64_t>>& steps, std::vector<uint8_t>& bound) {
    for (const auto& prov : steps)
      for (size_t g = 0; g < G; ++g)
        for (size_t c = 0; c < C; ++c)
          if (caps[c].kind == L.kind_of(g) && (prov[L.block(g) + caps[c].bound[0]] > 0 || prov[L.block(g) + caps[c].bound[1]] > 0))
            bound[g * C + c] = 1;
  };
  std::vector<uint8_t> base_bound(G * C, 0);
  for (const auto& rep : r.scenarios.front().providers) bound_in(rep, base_bound);
  for (size_t k = 1; k < r.scenarios.size(); ++k) {
    // A scenario with another place (other providers) is not compared provider by provider.
    if (e.scenarios[k].params.providers.size() != L.size() || e.scenarios[k].params.providers.providers() != G) continue;
    // Changed: the scenario configures the capacity differently (its starting value or its
    // plan); a capacity that a commissioning rule moves with demand is not a lever.
    std::vector<uint8_t> changed(G * C, 0), bound = base_bound;
    const Geography &g0 = e.scenarios.front().params.geography, &gk = e.scenarios[k].params.geography;
    for (size_t g = 0; g < G; ++g)
      for (size_t c = 0; c < C; ++c)
        if (caps[c].kind == L.kind_of(g))
          for (CapacityKind ck : caps[c].config)
            if (!gk.same_capacity(g0, ck, L.index_in_kind(g))) changed[g * C + c] = 1;
    for (size_t rep = 0; rep < r.scenarios[k].providers.size(); ++rep) bound_in(r.scenarios[k].providers[rep], bound);
    for (size_t g = 0; g < G; ++g)
      for (size_t c = 0; c < C; ++c)
        if (changed[g * C + c] && !bound[g * C + c])
          out.push_back({r.scenarios[k].name, L.id(g), std::string(caps[c].name)});
  }
  return out;
}

}  // namespace hscsim
