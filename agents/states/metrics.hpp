#pragma once
#include "agents/people/metric_registry.hpp"

namespace hscsim {
//! Declares the states module's published metrics (agents/states/metrics.cpp).
void declare_states_metrics(MetricRegistry& m);
}  // namespace hscsim
