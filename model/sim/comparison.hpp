#pragma once
// Paired comparisons of each scenario against the baseline. Replicate r of every
// scenario uses the same random numbers (common random numbers), so the difference
// scenario - baseline is computed within each replicate and summarised across
// replicates: mean and a 95% t-interval, per step and cumulative (flows: summed from the
// start; stocks and means: averaged from the start).
#include <array>
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
  //! By deprivation quintile (index 0 = quintile 1 = most deprived), for metrics kept by
  //! quintile (MetricDef::by_quintile); empty otherwise.
  std::vector<ComparisonSeries> quintile_per_step, quintile_cumulative;
};

//! A per-cause count (CauseRow: emergency admissions, A&E attendances, deaths after
//! admission) by health event, in config order.
struct CauseComparison {
  std::string row, units;
  std::vector<ComparisonSeries> per_step, cumulative;  //!< [cause]
};

//! A ledger series of a finance group (provider, commissioner, investor): flows only.
struct LedgerComparison {
  std::string group, kind, metric, units;
  ComparisonSeries per_step, cumulative;
};

struct ScenarioComparison {
  std::string scenario;
  std::vector<MetricComparison> metrics;  //!< in metric_definitions() order
  std::vector<CauseComparison> causes;    //!< in CauseRow order (with an experiment)
  std::vector<LedgerComparison> ledgers;  //!< finance groups in output order (with an experiment)
};

//! One entry per non-baseline scenario. With one replicate the intervals are NaN. With
//! the experiment `e`, by-cause and finance ledger differences too (the ledgers of the
//! providers and commissioners a scenario shares with the baseline, by id, and its
//! investor's, against zero when the baseline has none).
std::vector<ScenarioComparison> compare(const RunResult& r, const Experiment* e = nullptr);

//! The names of the CauseRow rows and their units, in CauseRow order.
struct CauseRowName {
  const char* name;
  const char* units;
  const char* description;
};
const std::array<CauseRowName, kCauseRows>& cause_rows();

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
