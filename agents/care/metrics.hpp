#pragma once
#include "agents/people/metric_registry.hpp"

namespace hscsim {
//! Declares the care module's published metrics (agents/care/metrics.cpp).
void declare_care_metrics(MetricRegistry& m);
}  // namespace hscsim
