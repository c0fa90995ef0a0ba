#include "agents/wellbeing/wellbeing.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace hscsim {
namespace {

// Reads a map of names -> numbers where a name is a risk factor or a care circumstance.
void read_effects(config::Reader& r, const char* key, std::vector<std::pair<int, double>>& factors,
                  std::array<double, static_cast<int>(CareCircumstance::Count)>& care, const config::Range& range) {
  auto m = r.optional_child(key);
  if (!m) return;
  std::vector<std::string> names;
  for (int f = 0; f < kFactorCount; ++f) names.emplace_back(factor_name(f));
  for (auto n : kCareCircumstanceNames) names.emplace_back(n);
  m->names("<factor or care circumstance>");
  for (const auto& e : m->node().map) {
    const double v = m->real(e.key, range);
    const int f = factor_index(e.key);
    if (f >= 0) {
      factors.emplace_back(f, v);
      continue;
    }
    bool found = false;
    for (size_t c = 0; c < kCareCircumstanceNames.size(); ++c)
      if (kCareCircumstanceNames[c] == e.key) {
        care[c] = v;
        found = true;
      }
    if (!found) {
      throw ConfigError(fmt::format("{}: error: {}: unknown circumstance '{}'{} Accepted: risk factors and {}",
                                    e.key_origin.describe(), m->key_path(e.key), e.key,
                                    config::did_you_mean(e.key, names, "."),
                                    fmt::join(kCareCircumstanceNames, ", ")));
    }
  }
  m->finish();
}

}  // namespace

WellbeingParams WellbeingParams::read(config::Reader& root) {
  config::Reader r = root.child("wellbeing");
  WellbeingParams p;
  p.life_satisfaction_base = r.real("life_satisfaction_base", {0, 10});
  read_effects(r, "life_satisfaction_effects", p.ls_factors, p.ls_care, {-10, 10});
  auto q = r.reals("life_satisfaction_by_quintile", 5, {-10, 10}, {0, 0, 0, 0, 0});
  std::copy(q.begin(), q.end(), p.ls_quintile.begin());
  p.utility_base = r.age_table("utility_base", {"utility"}, {-0.594, 1});
  read_effects(r, "utility_effects", p.utility_factors, p.utility_care, {-1.6, 1});
  r.finish();
  return p;
}

WellbeingModel::Sums WellbeingModel::sums(const std::vector<std::pair<int, double>>& factors,
                                          const std::array<double, static_cast<int>(CareCircumstance::Count)>& care) {
  Sums s;
  for (int b = 0; b < kFactorBytes; ++b)
    for (unsigned v = 0; v < 256; ++v)
      for (const auto& [k, x] : factors)  // in config order, as the effects were listed
        if (k / 8 == b && (v >> (k % 8) & 1)) s.factors[static_cast<size_t>(b)][v] += x;
  for (unsigned v = 0; v < s.care.size(); ++v)
    for (size_t c = 0; c < care.size(); ++c)
      if (v >> c & 1) s.care[v] += care[c];
  return s;
}

WellbeingModel::WellbeingModel(WellbeingParams p) : p_(std::move(p)) {
  ls_ = sums(p_.ls_factors, p_.ls_care);
  utility_ = sums(p_.utility_factors, p_.utility_care);
  for (int a = 0; a <= config::AgeTable::kMaxAge; ++a)
    utility_base_[static_cast<size_t>(a)] = p_.utility_base.values[0][p_.utility_base.row(a)];
}

// The care circumstances are the bits of People::care_stocks, in the same order.
static_assert(kStockInHospital == 1u << static_cast<int>(CareCircumstance::InHospital) &&
              kStockInCareHome == 1u << static_cast<int>(CareCircumstance::InCareHome) &&
              kStockWaitingSocial == 1u << static_cast<int>(CareCircumstance::WaitingSocialCare) &&
              kStockWaitingGp == 1u << static_cast<int>(CareCircumstance::WaitingGp) &&
              kStockElectiveList == 1u << static_cast<int>(CareCircumstance::WaitingElective) &&
              kStockHomeCare == 1u << static_cast<int>(CareCircumstance::HomeCare) &&
              kStockDelayed == 1u << static_cast<int>(CareCircumstance::DelayedDischarge) &&
              kStockReablement == 1u << static_cast<int>(CareCircumstance::Reablement) &&
              kStockOver18Weeks == 1u << static_cast<int>(CareCircumstance::WaitingElectiveOver18Weeks) &&
              kStockIntermediateCare == 1u << static_cast<int>(CareCircumstance::IntermediateCare) &&
              static_cast<int>(CareCircumstance::Count) == kCareStockCount);

}  // namespace hscsim
