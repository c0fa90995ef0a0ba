#pragma once
#include "agents/people/metric_registry.hpp"

namespace hscsim {
//! Declares the interventions module's published metrics (agents/interventions/metrics.cpp).
void declare_interventions_metrics(MetricRegistry& m);
}  // namespace hscsim
