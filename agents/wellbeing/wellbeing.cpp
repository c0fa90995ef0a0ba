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
      std::string hint = config::closest(e.key, names);
      throw ConfigError(fmt::format("{}: error: {}: unknown circumstance '{}'{} Accepted: risk factors and {}",
                                    e.key_origin.describe(), m->key_path(e.key), e.key,
                                    hint.empty() ? "." : fmt::format("; did you mean '{}'?", hint),
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

uint8_t WellbeingModel::care_bits(const People& p, size_t i) const {
  uint8_t b = 0;
  auto set = [&b](CareCircumstance c) { b |= static_cast<uint8_t>(1u << static_cast<int>(c)); };
  if (p.setting[i] == static_cast<uint8_t>(Setting::Hospital)) set(CareCircumstance::InHospital);
  if (p.care[i] & kCareHomeResident) set(CareCircumstance::InCareHome);
  if (social_need(p.care[i]) != SocialNeed::None && p.setting[i] != static_cast<uint8_t>(Setting::Hospital))
    set(CareCircumstance::WaitingSocialCare);
  if (p.gp_wait_since[i] != kNoDay) set(CareCircumstance::WaitingGp);
  if (p.elective_since[i] != kNoDay) set(CareCircumstance::WaitingElective);
  if (p.care[i] & kHomeCare) set(CareCircumstance::HomeCare);
  return b;
}

namespace {
double add_life_satisfaction(const WellbeingParams& p, uint64_t f, uint8_t care, uint8_t quintile) {
  double ls = p.life_satisfaction_base + p.ls_quintile[static_cast<size_t>(quintile - 1)];
  for (const auto& [k, v] : p.ls_factors)
    if (f >> k & 1) ls += v;
  for (size_t c = 0; c < p.ls_care.size(); ++c)
    if (care >> c & 1) ls += p.ls_care[c];
  return std::clamp(ls, 0.0, 10.0);
}
double add_utility(const WellbeingParams& p, uint64_t f, uint8_t care, int age) {
  double u = p.utility_base.values[0][p.utility_base.row(age)];
  for (const auto& [k, v] : p.utility_factors)
    if (f >> k & 1) u += v;
  for (size_t c = 0; c < p.utility_care.size(); ++c)
    if (care >> c & 1) u += p.utility_care[c];
  return std::clamp(u, -0.594, 1.0);
}
}  // namespace

double WellbeingModel::life_satisfaction(const People& people, size_t i) const {
  return add_life_satisfaction(p_, people.factors(i), care_bits(people, i), people.quintile[i]);
}

double WellbeingModel::utility(const People& people, size_t i, int32_t day) const {
  return add_utility(p_, people.factors(i), care_bits(people, i), people.age_years(i, day));
}

std::pair<double, double> WellbeingModel::life_satisfaction_and_utility(const People& people, size_t i, int32_t day) const {
  const uint64_t f = people.factors(i);
  const uint8_t care = care_bits(people, i);
  return {add_life_satisfaction(p_, f, care, people.quintile[i]), add_utility(p_, f, care, people.age_years(i, day))};
}

}  // namespace hscsim
