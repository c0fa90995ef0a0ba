#pragma once
// The metrics published from the counts (agents/people/counters.hpp). The list in
// metrics.cpp is the one place that gives each metric its name, units, kind and meaning;
// output/README.md is generated from it (`hscsim info --metrics`).
#include <functional>
#include <string>
#include <vector>

#include "agents/people/counters.hpp"

namespace hscsim {

struct MetricDef {
  std::string name;
  std::string units;
  std::string kind;  //!< flow | stock | mean
  std::string description;
  bool by_quintile = false;
  std::function<double(const Tally&, int quintile)> value;  //!< quintile 0 = whole population
};

//! Every published metric, in output order.
const std::vector<MetricDef>& metric_definitions();

//! The metric table as Markdown (used for output/README.md).
std::string metrics_markdown();

}  // namespace hscsim
