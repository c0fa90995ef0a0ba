#pragma once
#include "agents/people/metric_registry.hpp"

namespace hscsim {
//! Declares the finance module's published metrics (agents/finance/metrics.cpp).
void declare_finance_metrics(MetricRegistry& m);
}  // namespace hscsim
