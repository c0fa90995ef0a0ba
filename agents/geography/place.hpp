#pragma once
// A generated place: a scale model of England. Instead of listing practices, trusts,
// councils and neighbourhoods by hand, `place:` gives England's population, the scale
// (1:N) and capacities per 100,000 people; the place is then built with
//   practices      one per `practice_list_size` people (at least 5, one per quintile),
//                  deprivation quintiles assigned in turn so every trust and council
//                  serves a mix; capacity per patient by quintile (deprived practices
//                  have more patients per GP)
//   neighbourhoods one per practice, all residents registered there
//   acute trusts   one per `trust_population` people (at least 1), practices in blocks
//   councils       one per `authority_population` people (at least 1), neighbourhoods in blocks
//   intermediate care  one service per council (when it has beds or places)
// Every capacity is (per 100,000) x (the people it serves) / 100,000, so the place keeps
// England's capacity per head at any scale.
#include <array>
#include <cstdint>

#include "agents/geography/geography.hpp"
#include "model/core/config/reader.hpp"

namespace hscsim {

struct PlaceParams {
  double england_population = 0;  //!< people in England [persons]
  double one_in = 100;             //!< scale: the place has england_population / one_in people
  int64_t size = 0;                //!< people at the start [persons] (derived)
  double practice_list_size = 0;   //!< mean registered list [persons per practice]
  double trust_population = 0;     //!< people served by one acute trust [persons]
  double authority_population = 0; //!< people served by one council with social services [persons]
  std::array<double, 5> quintile_shares{0.2, 0.2, 0.2, 0.2, 0.2};  //!< population by IMD quintile [fraction]
  std::array<double, 5> practice_capacity_by_quintile{1, 1, 1, 1, 1};  //!< relative appointments per patient
  // Capacity per 100,000 people served.
  double gp_appointments_per_week = 0;
  double virtual_share = 0;
  double general_acute_beds = 0;
  double escalation_beds = 0;
  double elective_admissions_per_week = 0;
  double home_care_hours_per_week = 0;
  double reablement_places = 0;
  double care_home_places = 0;
  double intermediate_care_beds = 0;         //!< community beds of NHS intermediate care
  double intermediate_care_home_places = 0;  //!< concurrent home-based intermediate care episodes

  //! Reads `place:`; throws ConfigError.
  static PlaceParams read(config::Reader& r);
  //! The practices, neighbourhoods, trusts and councils of the scaled place.
  Geography generate() const;
};

}  // namespace hscsim
