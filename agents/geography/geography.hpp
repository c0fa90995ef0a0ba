#pragma once
// The place: who serves whom, with each provider's capacity.
//   acute_trusts       A&E, general and acute beds, elective capacity
//   local_authorities  commissioned social care capacity (home care, reablement, care homes)
//   intermediate_care  NHS intermediate care services (community beds, home-based places),
//                      each for the residents of one or more local authorities
//   gp_practices       appointment capacity; each refers to one acute trust
//   neighbourhoods     deprivation quintile, population share, GP registration shares,
//                      and the local authority responsible for social care
// Any number of each. Third-sector services are in the care section (agents/care).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "agents/geography/capacity_plan.hpp"
#include "model/core/config/reader.hpp"

namespace hscsim {

struct AcuteTrust {
  std::string name;
  int64_t general_acute_beds = 0;            //!< staffed general and acute beds [beds]
  int64_t escalation_beds = 0;               //!< extra beds opened under pressure [beds]; electives stop once used
  double elective_admissions_per_week = 0;   //!< elective admissions it can do [per week]
  //! Bed capacity of a step of `days` days [bed days]: (general + escalation beds) x days.
  int64_t bed_days(int64_t days) const { return (general_acute_beds + escalation_beds) * days; }
  //! The same without escalation beds (inpatient electives stop once those are in use).
  int64_t general_bed_days(int64_t days) const { return general_acute_beds * days; }
};

struct LocalAuthority {
  std::string name;
  double home_care_hours_per_week = 0;  //!< commissioned home care [hours per week]
  int64_t reablement_places = 0;        //!< concurrent reablement episodes [places]
  int64_t care_home_places = 0;         //!< residential and nursing places [places]
  int32_t intermediate_care = -1;       //!< the intermediate care service of its residents, or -1
};

//! An NHS intermediate care service (community health services): step-down care after a
//! hospital stay, in a community bed or at home, for the residents of its local authorities.
struct IntermediateCareService {
  std::string name;
  int64_t community_beds = 0;  //!< bed-based intermediate care [beds]
  int64_t home_places = 0;     //!< concurrent home-based episodes [places]
};

struct Practice {
  std::string name;
  double appointments_per_week = 0;  //!< clinician capacity [appointments per week]
  double virtual_share = 0;          //!< share of appointments delivered by telephone or video [fraction]
  uint16_t trust = 0;                //!< acute trust its patients use
};

struct Neighbourhood {
  std::string name;
  uint8_t quintile = 3;                                //!< IMD quintile, 1 = most deprived
  double population_share = 0;                         //!< share of the place's population [fraction]
  std::vector<std::pair<uint16_t, double>> practices;  //!< (practice index, share of residents registered)
  uint16_t local_authority = 0;
};

struct Geography {
  std::vector<AcuteTrust> trusts;
  std::vector<LocalAuthority> authorities;
  std::vector<IntermediateCareService> intermediate_care;
  std::vector<Practice> practices;
  std::vector<Neighbourhood> neighbourhoods;
  CapacityPlan plan;  //!< how the capacities above change over the run (`capacity_plan:`)
  //! Names of the providers that have capacity kind k (practices, trusts or councils).
  std::vector<std::string> providers_of(CapacityKind k) const;
  //! The configured capacity of kind k of provider `index` of its kind (at the start).
  double capacity(CapacityKind k, size_t index) const;
  //! Whether `o` configures capacity kind k of provider `index` as this place does (the
  //! same starting value and the same plan for it).
  bool same_capacity(const Geography& o, CapacityKind k, size_t index) const {
    return capacity(k, index) == o.capacity(k, index) && plan.same(o.plan, k, index);
  }
  //! Reads top-level `acute_trusts:`, `local_authorities:`, `intermediate_care:`
  //! (optional), `gp_practices:` and `neighbourhoods:`. Each capacity is absolute
  //! (`general_acute_beds: 205`) or per 100,000 people the provider serves at the start
  //! (`general_acute_beds_per_100000: 205`: a practice its registered list, a trust its
  //! practices' patients, a council its neighbourhoods' residents, an intermediate care
  //! service its councils' residents, out of `population_size`). Throws ConfigError.
  static Geography read(config::Reader& root, int64_t population_size);
};

}  // namespace hscsim
