#include "agents/demography/demography.hpp"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include "model/core/archive.hpp"
#include "model/core/clock.hpp"

namespace hscsim {

DemographyParams DemographyParams::read(config::Reader& root) {
  config::Reader r = root.child("demography");
  DemographyParams p;
  p.closed_population = r.boolean("closed_population", false);
  config::Reader m = r.child("mortality");
  p.death_hazard = m.age_table("annual_death_probability", {"male", "female"}, config::probability());
  for (auto& col : p.death_hazard.values)
    for (double& q : col) q = hazard_from_annual_probability(q);
  p.mortality_rr = RelativeRisks::read(m);
  p.normalise_rr = m.boolean("normalise_rr", true);
  if (m.has("scale"))
    throw m.error("scale", "'scale' was removed: give hospital_death_share (the share of deaths at each age that happen in "
                           "hospital, which care models), and the life table's hazard for the rest is (1 - share) of it");
  if (m.has("hospital_death_share")) p.hospital_death_share = m.age_table("hospital_death_share", {"share"}, config::probability());
  m.finish();
  config::Reader f = r.child("fertility");
  p.fertility = f.age_table("births_per_woman_year", {"rate"}, {0, 1});
  p.male_birth_share = f.real("male_birth_share", config::probability());
  f.finish();
  config::Reader mig = r.child("migration");
  p.immigration_per_year = mig.real("immigration_per_year", {0, 1});
  p.emigration_per_year = mig.real("emigration_per_year", {0, 1});
  mig.finish();
  r.finish();
  return p;
}

void Demography::calibrate(const People& people, int32_t day, double dt) {
  const auto& rr = p_.mortality_rr;
  const auto& t = p_.death_hazard;
  if (!rr.trivial() && p_.normalise_rr)
    mortality_means_ = stratum_means(people, rr, t.rows(), [](size_t) { return true; },
                                     [&](size_t i) { return StratumMeans::index(t.row(people.age_years(i, day)), people.sex[i]); });
  dt_ = dt;
  death_bound_ = rr.bound();
  const bool open = !p_.closed_population;
  p_emigrate_ = open ? step_probability(p_.emigration_per_year * dt) : 0.0;
  for (uint8_t sex = 0; sex < 2; ++sex)
    for (int a = 0; a <= config::AgeTable::kMaxAge; ++a) {
      const size_t row = t.row(a);
      const double mean = mortality_means_.empty() ? 1.0 : mortality_means_.mean(StratumMeans::index(row, sex));
      const auto& share = p_.hospital_death_share;
      death_H_[sex][static_cast<size_t>(a)] = t.values[sex][row] * (1.0 - share.values[0][share.row(a)]) * dt / mean;
    }
  for (int a = 0; a <= config::AgeTable::kMaxAge; ++a)
    p_birth_[static_cast<size_t>(a)] =
        open ? step_probability(p_.fertility.values[0][p_.fertility.row(a)] * dt) : 0.0;
}

void Demography::state(archive::Io& io) { io(mortality_means_, death_H_); }

bool Demography::step_person(People& people, size_t i, Lanes& u, int32_t day, Tally& tally,
                             std::vector<BirthEvent>& births) const {
  namespace L = transition_lane;
  const auto age = static_cast<size_t>(std::min(people.age_years(i, day), config::AgeTable::kMaxAge));
  const uint8_t sex = people.sex[i];
  double H = death_H_[sex][age];
  // A draw at or above H x bound cannot be a death (RelativeRisks::bound): the lane's
  // screening byte usually says so, and the rest of the work is skipped.
  const double Hb = H * death_bound_;
  if (people.programmes[i] != 0 || (u.may_be_below(L::kDeath, Hb) && u[L::kDeath] < Hb)) {
    if (!p_.mortality_rr.trivial()) H *= p_.mortality_rr.multiplier(people.factors(i), people.quintile[i]);
    H *= (*mod_)(people, i, target::Death, day);
    if (u[L::kDeath] < step_probability(H)) {
      people.vital[i] = static_cast<uint8_t>(Vital::Died);
      const int age_now = people.age_years(i, day);
      const uint8_t at = people.setting[i];
      tally.add_death(people.quintile[i], sex, age_now,
                      at == static_cast<uint8_t>(Setting::Hospital)   ? DeathPlace::Hospital
                      : at == static_cast<uint8_t>(Setting::CareHome) ? DeathPlace::CareHome
                                                                      : DeathPlace::Elsewhere,
                      people.care[i] & kCareHomeResident);
      return false;
    }
  }
  if (p_.closed_population) return true;
  // People in hospital or a care home do not move away.
  if (u.may_be_below(L::kEmigration, p_emigrate_) && u[L::kEmigration] < p_emigrate_ &&
      people.setting[i] == static_cast<uint8_t>(Setting::Community)) {
    people.vital[i] = static_cast<uint8_t>(Vital::Emigrated);
    tally.add(DemographyCounter::Emigrants, people.quintile[i]);
    return false;
  }
  if (sex == static_cast<uint8_t>(Sex::Female) && u.may_be_below(L::kBirth, p_birth_[age]) && u[L::kBirth] < p_birth_[age]) {
    births.push_back({static_cast<uint32_t>(i), static_cast<uint8_t>(u[L::kSex] < p_.male_birth_share ? Sex::Male : Sex::Female),
                      people.states[i]});
    tally.add(DemographyCounter::Births, people.quintile[i]);
  }
  return true;
}

uint64_t Demography::immigrants(const Streams& s, uint32_t step, int64_t population) const {
  if (p_.closed_population || p_.immigration_per_year <= 0) return 0;
  return poisson(s, p_.immigration_per_year * static_cast<double>(population) * dt_, kPlaceId, step, Purpose::Immigration);
}

}  // namespace hscsim
