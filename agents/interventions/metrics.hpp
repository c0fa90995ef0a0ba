#pragma once
#include <vector>

#include "agents/geography/providers.hpp"
#include "agents/people/metric_registry.hpp"

namespace hscsim {
//! Declares the interventions module's published metrics (agents/interventions/metrics.cpp).
void declare_interventions_metrics(MetricRegistry& m);
//! What is published per programme (under interventions/<name>).
const std::vector<ProviderMetric>& programme_metrics();
}  // namespace hscsim
