#pragma once
// Deaths, births and migration. Ageing needs no step: ages are computed from the date
// of birth and the day the step starts.
//
// Death hazard = -ln(1 - q(age, sex)) x relative risks (conditions, frailty,
// deprivation, ...), divided by the mean multiplier of the age-sex band when normalise_rr
// is true, so the life table holds on average: in the initial population, or with a
// shared burn-in in the population at the start of the reported period (World::step).
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "agents/interventions/modifiers.hpp"
#include "agents/people/lanes.hpp"
#include "agents/demography/counters.hpp"
#include "agents/people/people.hpp"
#include "agents/people/risk.hpp"
#include "model/core/config/reader.hpp"
#include "agents/people/counters.hpp"
#include "model/core/rng.hpp"

namespace hscsim {

struct DemographyParams {
  bool closed_population = false;        //!< no births and no migration
  config::AgeTable death_hazard;         //!< from annual_death_probability; columns male, female [per year]
  RelativeRisks mortality_rr;
  bool normalise_rr = true;
  //! Share of deaths at each age that happen in hospital after an emergency admission, which
  //! care models (in_hospital_death_probability); the life-table hazard of everyone else's
  //! deaths is (1 - share) of the table's (column share; 0 when omitted).
  config::AgeTable hospital_death_share = config::AgeTable::constant({"share"}, 0.0);
  config::AgeTable fertility;            //!< column births_per_year [live births per woman-year]
  double male_birth_share = 0.512;       //!< [fraction of births]
  double immigration_per_year = 0;       //!< arrivals per resident per year [per year]
  double emigration_per_year = 0;        //!< departures per resident per year [per year]
  static DemographyParams read(config::Reader& root);  //!< reads `demography:`; throws ConfigError
};

//! A birth in this step: the mother's slot, the baby's sex, and the mother's states
//! when she gave birth (the baby keeps the housing states of that home).
struct BirthEvent {
  uint32_t mother_slot;
  uint8_t sex;
  uint32_t mother_states;
};


class Demography {
 public:
  explicit Demography(DemographyParams p) : p_(std::move(p)) {}
  const DemographyParams& params() const { return p_; }
  //! The interventions' effects on the death hazard (none by default).
  void use(const Modifiers& m) { mod_ = &m; }

  //! Fixes the mortality normalisers from `people` on `day` (the initial population, and
  //! again at the end of a shared burn-in) and builds the per-step tables for steps of dt [years].
  void calibrate(const People& people, int32_t day, double dt);
  //! The normalisers and per-step tables (checkpoints, model/core/archive.hpp).
  void state(archive::Io& io);

  //! Death, emigration or a birth for living slot i, from its lanes `u` of the step
  //! (transition_lane::kDeath, kEmigration, kBirth, kSex; agents/people/lanes.hpp). Flows go to `tally`, a birth to `births`. Returns whether the
  //! person is still here (alive and not emigrated).
  bool step_person(People& people, size_t i, Lanes& u, int32_t day, Tally& tally, std::vector<BirthEvent>& births) const;

  //! Number of people arriving in this step (a place-level Poisson draw).
  uint64_t immigrants(const Streams& s, uint32_t step, int64_t population) const;

 private:
  DemographyParams p_;
  const Modifiers* mod_ = &no_modifiers();
  StratumMeans mortality_means_;
  double dt_ = 0;
  double p_emigrate_ = 0;  //!< per-step probability of leaving
  //! Per-step death hazard (x dt, / band mean multiplier) and birth probability by sex and age.
  std::array<std::array<double, config::AgeTable::kMaxAge + 1>, 2> death_H_{};
  double death_bound_ = 1;  //!< mortality_rr.bound()
  std::array<double, config::AgeTable::kMaxAge + 1> p_birth_{};
};

}  // namespace hscsim
