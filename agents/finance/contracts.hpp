#pragma once
// The contract types: one table entry each, with its config name, the keys it reads, and
// the income it pays a provider in a step. Add a contract type: an enum value and an entry
// in kContractTypes (contracts.cpp); its incentives (`finance.incentives.<name>`) and its
// use in `finance.contracts` follow from the name.
#include <array>
#include <cstdint>
#include <string_view>

#include "model/core/config/reader.hpp"

namespace hscsim {

enum class ContractType : uint8_t { FeeForService, Block, Capitation, OutcomeBased, Count };
inline constexpr size_t kContractTypeCount = static_cast<size_t>(ContractType::Count);

struct Contract {
  ContractType type = ContractType::FeeForService;
  double from_year = -1e9;              //!< in force from this calendar year (before: the default contract)
  double tariff_ratio = 1;              //!< fee-for-service price / unit cost
  double billing_pence_per_transaction = 0;  //!< fee-for-service administration, on each side
  double gbp_per_person_per_year = 0;   //!< block, capitation, outcome-based retainer
  bool risk_adjusted = false;           //!< capitation weighted by age and conditions
};

//! What a contract's income in a step can depend on.
struct IncomeBasis {
  int64_t activity_pence;    //!< the provider's activity at unit costs, programmes excluded
  int64_t served;            //!< persons it serves now
  int64_t weight_milli;      //!< their capitation weights x 1000
  int64_t served_at_start;   //!< persons served when the contract or its year started (list_at_start types)
  double years;              //!< step length [years]
};

struct ContractTypeInfo {
  std::string_view name;     //!< config name
  //! Reads the type's own keys of a contract section into k.
  void (*read)(config::Reader& c, Contract& k);
  //! Income of the step [pence].
  int64_t (*income)(const Contract& k, const IncomeBasis& b);
  //! Paid on the list served when the contract started, re-agreed each year on 1 January (block).
  bool list_at_start = false;
};

extern const std::array<ContractTypeInfo, kContractTypeCount> kContractTypes;

//! The config names of the contract types, in enum order.
inline constexpr std::array<std::string_view, kContractTypeCount> kContractNames = {"fee_for_service", "block", "capitation",
                                                                                    "outcome_based"};

//! Reads a contract section (`type`, `from_year`, the type's keys, `source`).
Contract read_contract(config::Reader& c);

}  // namespace hscsim
