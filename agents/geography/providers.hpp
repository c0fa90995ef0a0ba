#pragma once
// The provider registry: the kinds of provider, the provider groups (every practice,
// trust, local authority, third-sector service and intermediate care service, kind by
// kind, numbered 0..G-1), and
// where each one's counters sit in the one per-provider vector a step fills.
//
// Each kind is declared once, here (ProviderKind and a row of kProviderKindInfo). The
// module that runs it declares the rest next to its code: an enum of its per-provider
// counters with a ProviderCounters specialisation, and a ProviderKindDef (block size,
// cost counter, billable transactions, published metrics) that the composer
// (model/sim/providers.cpp) adds to the layout with the kind's instances. The layout
// does every index computation from those; nobody else computes a group id or a counter
// index. It lives with geography (which holds the providers) so that care, interventions
// and finance can all use it without including each other.
#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "agents/people/counters.hpp"

namespace hscsim {

//! The kinds of provider, in the order of their groups.
enum class ProviderKind : uint8_t { Gp, Acute, SocialCare, ThirdSector, IntermediateCare };
struct ProviderKindInfo {
  std::string_view name;   //!< config name (contracts, delivered_by) and HDF5 group prefix
  std::string_view label;  //!< the `kind` attribute of its HDF5 groups
};
//! One row per ProviderKind, in its order.
inline constexpr auto kProviderKindInfo = std::to_array<ProviderKindInfo>({
    {"gp", "gp_practice"},
    {"acute", "acute_trust"},
    {"social_care", "local_authority"},
    {"third_sector", "third_sector"},
    {"intermediate_care", "intermediate_care_service"},
});
inline constexpr size_t kProviderKinds = kProviderKindInfo.size();
inline constexpr std::array<std::string_view, kProviderKinds> kProviderKindNames = [] {
  std::array<std::string_view, kProviderKinds> n{};
  for (size_t k = 0; k < kProviderKinds; ++k) n[k] = kProviderKindInfo[k].name;
  return n;
}();

//! Cost by sector: one flow counter [pence] per provider kind (what the providers of the
//! kind, and the programmes they deliver, cost), in kind order.
enum class SectorCostCounter : uint16_t { Count = kProviderKinds };
template <>
struct CounterTraits<SectorCostCounter> {
  static constexpr CounterBlock block = CounterBlock::SectorCosts;
  static constexpr std::array<SectorCostCounter, 0> stocks{};
};
constexpr Counter sector_cost(ProviderKind k) { return Counter(static_cast<SectorCostCounter>(k)); }

//! One published per-provider metric.
struct ProviderMetric {
  std::string name, units, kind, description;
  //! Value from the provider's block of counters (`c` points at its first counter).
  double (*value)(const int64_t* c);
};

//! A kind's per-provider counters: an enum class ending in Count, specialised with the
//! kind it counts for (`static constexpr ProviderKind kind`).
template <class E>
struct ProviderCounters;
template <class E>
concept ProviderCounterEnum = std::is_enum_v<E> && requires { ProviderCounters<E>::kind; };
//! The position of c in its provider's block.
template <class E>
constexpr size_t slot(E c) {
  return static_cast<size_t>(c);
}

//! Whom a provider serves: the persons capitation and block contracts pay on.
enum class Served : uint8_t {
  Counted,         //!< counted person by person in the census (a practice's list, an authority's residents)
  PracticeLists,   //!< the lists of the practices whose patients it admits (an acute trust)
  Place,           //!< everyone in the place (a third-sector service)
  Authorities,     //!< the residents of the local authorities it covers (an intermediate care service)
};

//! What the module that runs a kind registers: its block of per-provider counters and
//! what finance reads from it (finance never decodes the block itself).
struct ProviderKindDef {
  ProviderKind kind = ProviderKind::Gp;
  Served served = Served::Place;
  size_t counters = 0;  //!< per-provider counters (the enum's Count)
  size_t cost = 0;      //!< the cost counter in the block [pence]
  //! Billable transactions in a step (what a fee-for-service contract bills), from the
  //! provider's block; care-home residents are invoiced every `invoice_steps` steps.
  int64_t (*transactions)(const int64_t* block, int invoice_steps) = nullptr;
  const std::vector<ProviderMetric>* metrics = nullptr;
};

//! An HDF5 group of per-provider (or per-programme, per-ledger) series.
struct ProviderGroup {
  std::string id;    //!< HDF5 group name under providers/: <kind name>_<provider name>;
                     //!< programmes (not providers) under interventions/<name>
  std::string kind;  //!< the kind's label (gp_practice, acute_trust, ...) | intervention | ..._ledger
  size_t offset;     //!< index of its first counter in the per-provider vector
  const std::vector<ProviderMetric>* metrics;
  std::string folder = "providers";  //!< HDF5 group under the scenario: providers | interventions | finance
};

//! Per-provider counters (flows in the step, stocks at its end), laid out in one vector:
//! every kind's providers in kind order, then the intervention programmes, then the
//! programme cost of each provider group.
class ProviderLayout {
 public:
  //! Registers kind def.kind with one provider per name. Kinds are added in kind order,
  //! each once, before the programmes.
  void add(const ProviderKindDef& def, const std::vector<std::string>& names) {
    const auto k = static_cast<size_t>(def.kind);
    if (k != added_ || programmes_set_) throw std::logic_error("ProviderLayout: provider kinds are added once each, in kind order");
    def_[k] = def;
    first_[k] = providers_;
    counter0_[k] = counters_;
    count_[k] = names.size();
    for (const auto& n : names) ids_.push_back(std::string(kProviderKindInfo[k].name) + "_" + n);
    providers_ += names.size();
    counters_ += names.size() * def.counters;
    ++added_;
  }
  //! Registers the intervention programmes (after every kind), with `counters` counters each.
  void add_programmes(const std::vector<std::string>& names, size_t counters) {
    if (added_ != kProviderKinds || programmes_set_) throw std::logic_error("ProviderLayout: programmes follow every provider kind");
    programme_names_ = names;
    programme_counters_ = counters;
    programmes_set_ = true;
  }

  //! Number of providers of kind k.
  size_t count(ProviderKind k) const { return count_[static_cast<size_t>(k)]; }
  //! Group id of the first provider of kind k.
  size_t first(ProviderKind k) const { return first_[static_cast<size_t>(k)]; }
  //! Group id of the index-th provider of kind k (practice p, trust t, authority a, service s).
  size_t group(ProviderKind k, size_t index) const { return first(k) + index; }
  ProviderKind kind_of(size_t g) const {
    size_t k = kProviderKinds - 1;
    while (k > 0 && g < first_[k]) --k;
    return static_cast<ProviderKind>(k);
  }
  //! Index of group g among the providers of its kind.
  size_t index_in_kind(size_t g) const { return g - first(kind_of(g)); }
  //! Providers (the provider groups) in order.
  size_t providers() const { return providers_; }
  //! Intervention programmes.
  size_t programmes() const { return programme_names_.size(); }
  //! HDF5 id of provider group g: <kind name>_<provider name>.
  const std::string& id(size_t g) const { return ids_[g]; }
  const ProviderKindDef& def(ProviderKind k) const { return def_[static_cast<size_t>(k)]; }
  //! Whom provider group g serves (its kind's registration).
  Served served(size_t g) const { return def_[static_cast<size_t>(kind_of(g))].served; }

  //! Counter c of the index-th provider of c's kind.
  template <ProviderCounterEnum E>
  size_t at(size_t index, E c) const {
    const auto k = static_cast<size_t>(ProviderCounters<E>::kind);
    return counter0_[k] + index * def_[k].counters + slot(c);
  }
  //! Index of provider group g's first counter.
  size_t block(size_t g) const {
    const auto k = static_cast<size_t>(kind_of(g));
    return counter0_[k] + (g - first_[k]) * def_[k].counters;
  }
  //! Counter c of programme k.
  template <class E>
  size_t programme(size_t k, E c) const {
    return counters_ + k * programme_counters_ + static_cast<size_t>(c);
  }
  //! Cost of the programmes provider group g delivers [pence] (also in its cost counter).
  size_t programme_cost(size_t g) const { return counters_ + programmes() * programme_counters_ + g; }
  //! Length of the per-provider vector.
  size_t size() const { return programme_cost(providers_); }
  //! Billable transactions of provider group g in a step, from the per-provider counters
  //! `prov` (the kind's registered view).
  int64_t transactions(const int64_t* prov, size_t g, int care_home_invoice_steps) const {
    return def_[static_cast<size_t>(kind_of(g))].transactions(prov + block(g), care_home_invoice_steps);
  }
  //! The cost counter of provider group g [pence].
  size_t provider_cost(size_t g) const { return block(g) + def_[static_cast<size_t>(kind_of(g))].cost; }

  //! The published groups: every provider (under providers/), then every programme
  //! (under interventions/, with `programme_metrics`).
  std::vector<ProviderGroup> groups(const std::vector<ProviderMetric>* programme_metrics) const {
    std::vector<ProviderGroup> out;
    for (size_t g = 0; g < providers_; ++g) {
      const auto& d = def_[static_cast<size_t>(kind_of(g))];
      out.push_back({ids_[g], std::string(kProviderKindInfo[static_cast<size_t>(d.kind)].label), block(g), d.metrics});
    }
    for (size_t k = 0; k < programmes(); ++k)
      out.push_back({programme_names_[k], "intervention", programme(k, 0), programme_metrics, "interventions"});
    return out;
  }

 private:
  std::array<ProviderKindDef, kProviderKinds> def_{};
  std::array<size_t, kProviderKinds> first_{}, counter0_{}, count_{};
  std::vector<std::string> ids_, programme_names_;
  size_t providers_ = 0, counters_ = 0, added_ = 0, programme_counters_ = 0;
  bool programmes_set_ = false;
};

}  // namespace hscsim
