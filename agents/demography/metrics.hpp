#pragma once
#include "agents/people/metric_registry.hpp"

namespace hscsim {
//! Declares the demography module's published metrics (agents/demography/metrics.cpp).
void declare_demography_metrics(MetricRegistry& m);
}  // namespace hscsim
