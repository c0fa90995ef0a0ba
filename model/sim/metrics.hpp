#pragma once
// The published metrics: every module's declarations (agents/<module>/metrics.cpp),
// gathered in output order. output/README.md is generated from this list
// (`hscsim info --metrics`).
#include <string>
#include <vector>

#include "agents/people/metric_registry.hpp"

namespace hscsim {

//! Every published metric, in output order.
const std::vector<MetricDef>& metric_definitions();

//! The metric table as Markdown (used for output/README.md).
std::string metrics_markdown();

}  // namespace hscsim
