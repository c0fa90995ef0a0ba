#include "agents/finance/contracts.hpp"

#include <algorithm>
#include <cmath>

#include "model/core/money.hpp"

namespace hscsim {
namespace {

void read_fee_for_service(config::Reader& c, Contract& k) {
  k.tariff_ratio = c.real("tariff_ratio", {0, 10}, 1);
  k.billing_pence_per_transaction = static_cast<double>(to_pence(c.real("billing_cost_gbp_per_transaction", config::non_negative(), 0)));
}
void read_per_person(config::Reader& c, Contract& k) { k.gbp_per_person_per_year = c.real("gbp_per_person_per_year", config::non_negative(), 0); }
void read_capitation(config::Reader& c, Contract& k) {
  read_per_person(c, k);
  k.risk_adjusted = c.boolean("risk_adjusted", false);
}

int64_t per_person(const Contract& k, double persons, double years) {
  return std::llround(k.gbp_per_person_per_year * kPencePerGbp * persons * years);
}

}  // namespace

const std::array<ContractTypeInfo, kContractTypeCount> kContractTypes = {{
    // Fee-for-service: tariff x activity (programmes are not billable).
    {kContractNames[0], read_fee_for_service,
     [](const Contract& k, const IncomeBasis& b) -> int64_t { return std::llround(k.tariff_ratio * static_cast<double>(b.activity_pence)); }},
    // Block: per person served when the contract (or its year) started, per year.
    {kContractNames[1], read_per_person,
     [](const Contract& k, const IncomeBasis& b) -> int64_t { return per_person(k, static_cast<double>(b.served_at_start), b.years); }, true},
    // Capitation: per person served now, per year, optionally weighted by age and conditions.
    {kContractNames[2], read_capitation,
     [](const Contract& k, const IncomeBasis& b) -> int64_t {
       const double units = k.risk_adjusted ? static_cast<double>(b.weight_milli) / 1000.0 : static_cast<double>(b.served);
       return per_person(k, units, b.years);
     }},
    // Outcome-based: a retainer per person served per year (outcome payments come on top).
    {kContractNames[3], read_per_person,
     [](const Contract& k, const IncomeBasis& b) -> int64_t { return per_person(k, static_cast<double>(b.served), b.years); }},
}};

Contract read_contract(config::Reader& c) {
  Contract k;
  k.type = static_cast<ContractType>(c.choice_index("type", kContractNames));
  k.from_year = c.real("from_year", {1900, 2300}, -1e9);
  kContractTypes[static_cast<size_t>(k.type)].read(c, k);
  c.text("source", "");
  return k;
}

}  // namespace hscsim
