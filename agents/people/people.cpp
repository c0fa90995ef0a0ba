#include "agents/people/people.hpp"

namespace hscsim {

int factor_index(std::string_view name) {
  for (int s = 0; s < kStateCount; ++s)
    if (kStateInfo[static_cast<size_t>(s)].name == name) return s;
  for (size_t d = 0; d < kDerivedFactorNames.size(); ++d)
    if (kDerivedFactorNames[d] == name) return kStateCount + static_cast<int>(d);
  return -1;
}

std::string_view factor_name(int index) {
  if (index < kStateCount) return kStateInfo[static_cast<size_t>(index)].name;
  return kDerivedFactorNames[static_cast<size_t>(index - kStateCount)];
}

namespace {
template <typename F>
void for_each_column(People& p, F&& f) {
  f(p.id); f(p.birth_day); f(p.sex); f(p.quintile); f(p.neighbourhood); f(p.practice); f(p.tenure);
  f(p.states); f(p.alcohol); f(p.frailty); f(p.vital); f(p.setting); f(p.wellbeing);
}
}  // namespace

void People::resize(size_t n) {
  for_each_column(*this, [n](auto& col) { col.resize(n); });
}
void People::reserve(size_t n) {
  for_each_column(*this, [n](auto& col) { col.reserve(n); });
}

void People::compact() {
  const size_t n = size();
  std::vector<uint32_t> keep;
  keep.reserve(n);
  for (size_t i = 0; i < n; ++i)
    if (alive(i)) keep.push_back(static_cast<uint32_t>(i));
  for_each_column(*this, [&keep](auto& col) {
    for (size_t j = 0; j < keep.size(); ++j) col[j] = col[keep[j]];
    col.resize(keep.size());
    col.shrink_to_fit();
  });
}

void People::append(const People& o) {
  id.insert(id.end(), o.id.begin(), o.id.end());
  birth_day.insert(birth_day.end(), o.birth_day.begin(), o.birth_day.end());
  sex.insert(sex.end(), o.sex.begin(), o.sex.end());
  quintile.insert(quintile.end(), o.quintile.begin(), o.quintile.end());
  neighbourhood.insert(neighbourhood.end(), o.neighbourhood.begin(), o.neighbourhood.end());
  practice.insert(practice.end(), o.practice.begin(), o.practice.end());
  tenure.insert(tenure.end(), o.tenure.begin(), o.tenure.end());
  states.insert(states.end(), o.states.begin(), o.states.end());
  alcohol.insert(alcohol.end(), o.alcohol.begin(), o.alcohol.end());
  frailty.insert(frailty.end(), o.frailty.begin(), o.frailty.end());
  vital.insert(vital.end(), o.vital.begin(), o.vital.end());
  setting.insert(setting.end(), o.setting.begin(), o.setting.end());
  wellbeing.insert(wellbeing.end(), o.wellbeing.begin(), o.wellbeing.end());
}

uint64_t People::factors(size_t i) const {
  uint64_t f = states[i];
  auto set = [&f](DerivedFactor d) { f |= uint64_t{1} << (kStateCount + static_cast<int>(d)); };
  if (tenure[i] == static_cast<uint8_t>(Tenure::SocialRent)) set(DerivedFactor::SocialRenter);
  if (tenure[i] == static_cast<uint8_t>(Tenure::PrivateRent)) set(DerivedFactor::PrivateRenter);
  if (alcohol[i] == static_cast<uint8_t>(Alcohol::Increasing)) set(DerivedFactor::AlcoholIncreasing);
  if (alcohol[i] == static_cast<uint8_t>(Alcohol::Dependent)) set(DerivedFactor::AlcoholDependent);
  if (frailty[i] == static_cast<uint8_t>(Frailty::Mild)) set(DerivedFactor::FrailtyMild);
  if (frailty[i] == static_cast<uint8_t>(Frailty::Moderate)) set(DerivedFactor::FrailtyModerate);
  if (frailty[i] == static_cast<uint8_t>(Frailty::Severe)) set(DerivedFactor::FrailtySevere);
  if (sex[i] == static_cast<uint8_t>(Sex::Female)) set(DerivedFactor::Female);
  return f;
}

}  // namespace hscsim
