// The finance module's published metrics (see agents/people/metric_registry.hpp).
#include "agents/finance/metrics.hpp"

#include "agents/finance/counters.hpp"
#include "model/core/money.hpp"

namespace hscsim {

void declare_finance_metrics(MetricRegistry& m) {
  m.pounds("payments_gbp", {FinanceCounter::FinPaymentsPence}, "paid by commissioners and the investor (contracts, outcomes, shared savings, investment)", false);
  m.pounds("provider_income_gbp", {FinanceCounter::FinProviderIncomePence}, "received by providers (all sources)", false);
  m.pounds("provider_cost_gbp", {FinanceCounter::FinProviderCostPence}, "providers' costs (variable share of activity, fixed costs, billing administration)", false);
  m.add({"provider_margin_gbp", "GBP", "flow", "provider income - provider cost, all providers", false,
               [](const Tally& t, int q) {
                 return to_gbp(t.get(FinanceCounter::FinProviderIncomePence, q) - t.get(FinanceCounter::FinProviderCostPence, q));
               }});
  m.pounds("billing_admin_gbp", {FinanceCounter::FinBillingAdminPence}, "billing administration of fee-for-service contracts (providers and commissioners)", false);
  m.pounds("outcome_payments_gbp", {FinanceCounter::FinOutcomePaymentsPence}, "outcome payments made", false);
  m.pounds("shared_savings_gbp", {FinanceCounter::FinSharedSavingsPence}, "alliance savings shared with providers (negative: losses they paid)", false);
  m.pounds("investor_net_gbp", {FinanceCounter::FinInvestorNetPence}, "social investor: received - invested", false);
  m.count("providers_withdrawn", "providers", FinanceCounter::ProvidersWithdrawn, "providers that have withdrawn under the stall rule");
}

}  // namespace hscsim
