#pragma once
#include "agents/people/metric_registry.hpp"

namespace hscsim {
//! Declares the wellbeing module's published metrics (agents/wellbeing/metrics.cpp).
void declare_wellbeing_metrics(MetricRegistry& m);
}  // namespace hscsim
