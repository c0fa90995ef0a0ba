#pragma once
// The synthetic population: who lives here at the start, and who arrives later.
// Age and sex come from an age-sex pyramid (shaped by the neighbourhood's deprivation
// quintile), neighbourhood from population shares,
// GP practice from the neighbourhood's registration shares, tenure from shares by
// deprivation quintile; housing, social and health states from the StateModel.
// Each person's draws are keyed by their id, so the first N people are the same for
// any population size N' > N, and for any thread or rank count.
#include <array>
#include <cstdint>
#include <vector>

#include "agents/geography/geography.hpp"
#include "agents/people/people.hpp"
#include "agents/states/states.hpp"
#include "model/core/config/reader.hpp"
#include "model/core/rng.hpp"

namespace hscsim {

struct PopulationParams {
  int64_t size = 0;                    //!< people at the start [persons]
  double max_age_years = 100;          //!< oldest age drawn in the open last band [years]
  config::AgeTable age_structure;      //!< columns share [fraction of population], male_share [fraction of band]
  std::array<std::array<double, 3>, 5> tenure_by_quintile{};  //!< owner, social_rent, private_rent by quintile
  //! Age structure by deprivation quintile: multipliers on the shares of the bands that
  //! start below 20 (children and young people) and at 65 or over (older people) in quintile 1..5; each
  //! quintile's shares are then renormalised (`population.age_structure_by_quintile`;
  //! all 1 when omitted: every neighbourhood has the national structure)
  std::array<double, 5> children_by_quintile{1, 1, 1, 1, 1}, older_by_quintile{1, 1, 1, 1, 1};
  //! Reads `population:`; throws ConfigError. size_from_place >= 0: the size comes from
  //! a generated place and `population.size` must not be given.
  static PopulationParams read(config::Reader& root, int64_t size_from_place = -1);
};

class Synthesiser {
 public:
  Synthesiser(const PopulationParams& p, const Geography& g);

  //! People 0..size-1 with demographics and tenure (states are drawn by the StateModel).
  //! With `practices` (one flag per practice): only the people of the flagged practices
  //! (one part of a population split over processes), the same as they are in the whole.
  People initial(const Streams& s, int32_t day, const std::vector<uint8_t>& practices = {}) const;
  //! How many of people 0..size-1 each practice has (without building them).
  std::vector<int64_t> practice_counts(const Streams& s) const;

  //! Sets neighbourhood, practice, quintile, age and sex of slot i from its id.
  void demographics(People& p, size_t i, const Streams& s, int32_t day) const;
  //! Sets tenure of slot i from its quintile.
  void tenure(People& p, size_t i, const Streams& s) const;

 private:
  //! The practice of person `id` (demographics() draws it the same way).
  uint16_t practice_of(uint64_t id, const Streams& s) const;

  const PopulationParams& p_;
  const Geography& g_;
  std::vector<double> cum_hood_;  //!< cumulative neighbourhood shares
  std::array<std::vector<double>, 5> cum_band_;  //!< cumulative age-band shares, by quintile
};

}  // namespace hscsim
