#include "model/sim/comparison.hpp"

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
