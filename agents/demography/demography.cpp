#include "agents/demography/demography.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include "model/clock.hpp"

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

void Demography::calibrate(const People& people, int32_t day) {
  const auto& rr = p_.mortality_rr;
  if (rr.trivial() || !p_.normalise_rr) return;
  const auto& t = p_.death_hazard;
  StratumMeans init(t.rows());
  mortality_means_ = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, people.size(), 4096), init,
      [&](const tbb::blocked_range<size_t>& r, StratumMeans acc) {
        for (size_t i = r.begin(); i != r.end(); ++i)
          if (people.alive(i))
            acc.add(StratumMeans::index(t.row(people.age_years(i, day)), people.sex[i]),
                    rr.multiplier(people.factors(i), people.quintile[i]));
        return acc;
      },
      [](StratumMeans a, const StratumMeans& b) {
        a.merge(b);
        return a;
      });
  mortality_means_.finalise();
}

void Demography::step(People& people, size_t begin, size_t end, const Streams& s, uint32_t step, int32_t day,
                      double dt, Tally& tally, std::vector<BirthEvent>& births) const {
  const bool open = !p_.closed_population;
  const double p_emigrate = open ? step_probability(p_.emigration_per_year * dt) : 0.0;
  const auto& t = p_.death_hazard;
  for (size_t i = begin; i != end; ++i) {
    if (!people.alive(i)) continue;
    const auto u = s.block(people.id[i], step, Purpose::Demography);
    const int age = people.age_years(i, day);
    const uint8_t sex = people.sex[i];
    const size_t row = t.row(age);
    double h = t.values[sex][row];
    if (!p_.mortality_rr.trivial()) {
      h *= p_.mortality_rr.multiplier(people.factors(i), people.quintile[i]);
      if (!mortality_means_.empty()) h /= mortality_means_.mean(StratumMeans::index(row, sex));
    }
    if (u[0] < step_probability(h * dt)) {
      people.vital[i] = static_cast<uint8_t>(Vital::Died);
      tally.add(Counter::Deaths, people.quintile[i]);
      continue;
    }
    if (!open) continue;
    if (u[1] < p_emigrate) {
      people.vital[i] = static_cast<uint8_t>(Vital::Emigrated);
      tally.add(Counter::Emigrants, people.quintile[i]);
      continue;
    }
    if (sex == static_cast<uint8_t>(Sex::Female)) {
      const double rate = p_.fertility.values[0][p_.fertility.row(age)];
      if (rate > 0 && u[2] < step_probability(rate * dt)) {
        births.push_back({static_cast<uint32_t>(i),
                          static_cast<uint8_t>(u[3] < p_.male_birth_share ? Sex::Male : Sex::Female)});
        tally.add(Counter::Births, people.quintile[i]);
      }
    }
  }
}

uint64_t Demography::immigrants(const Streams& s, uint32_t step, int64_t population, double dt) const {
  if (p_.closed_population || p_.immigration_per_year <= 0) return 0;
  return poisson(s, p_.immigration_per_year * static_cast<double>(population) * dt, kPlaceId, step, Purpose::Immigration);
}

}  // namespace hscsim
