#include "model/sim/comparison.hpp"

#include <cmath>
#include <limits>

namespace hscsim {

double t975(int df) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df < 1) return std::numeric_limits<double>::quiet_NaN();
  if (df <= 30) return table[df - 1];
  // Cornish-Fisher expansion around the normal quantile (error < 1e-4 for df > 30).
  const double z = 1.959963985, n = df;
  return z + (z * z * z + z) / (4 * n) + (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * n * n);
}

namespace {
ComparisonSeries summarise(const std::vector<std::vector<double>>& d) {  // [replicate][step]
  const size_t R = d.size(), S = R ? d[0].size() : 0;
  ComparisonSeries out;
  out.mean.assign(S, 0);
  out.lower.assign(S, std::numeric_limits<double>::quiet_NaN());
  out.upper = out.lower;
  const double t = t975(static_cast<int>(R) - 1);
  for (size_t s = 0; s < S; ++s) {
    double sum = 0;
    for (size_t r = 0; r < R; ++r) sum += d[r][s];
    const double m = sum / static_cast<double>(R);
    out.mean[s] = m;
    if (R < 2) continue;
    double ss = 0;
    for (size_t r = 0; r < R; ++r) ss += (d[r][s] - m) * (d[r][s] - m);
    const double se = std::sqrt(ss / static_cast<double>(R - 1) / static_cast<double>(R));
    out.lower[s] = m - t * se;
    out.upper[s] = m + t * se;
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
