#pragma once
// Paired comparisons of each scenario against the baseline. Replicate r of every
// scenario uses the same random numbers (common random numbers), so the difference
// scenario - baseline is computed within each replicate and summarised across
// replicates: mean and a 95% t-interval, per step and cumulative (flows: summed from the
// start; stocks and means: averaged from the start).
#include <string>
#include <vector>

#include "model/sim/experiment.hpp"

namespace hscsim {

struct ComparisonSeries {
  std::vector<double> mean, lower, upper;  //!< [steps]
};

struct MetricComparison {
  std::string metric;
  ComparisonSeries per_step, cumulative;
};

struct ScenarioComparison {
  std::string scenario;
  std::vector<MetricComparison> metrics;  //!< in metric_definitions() order
};

//! One entry per non-baseline scenario. With one replicate the intervals are NaN.
std::vector<ScenarioComparison> compare(const RunResult& r);

//! A capacity a scenario changes that never bound: the scenario configures it otherwise
//! (its value at the start or its capacity plan), yet it turned nobody away in any step of
//! the baseline or of the scenario, so the change can make no difference.
struct IdleLever {
  std::string scenario, provider, capacity;
};
//! The idle levers of every non-baseline scenario, in scenario and provider order.
std::vector<IdleLever> idle_levers(const Experiment& e, const RunResult& r);

//! Two-sided 95% quantile of Student's t with df degrees of freedom.

}  // namespace hscsim
