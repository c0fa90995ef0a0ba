#pragma once
// Wellbeing: each person's life satisfaction (0-10, the ONS "how satisfied are you with
// your life nowadays" scale) and health utility (EQ-5D-like, 1 = full health), from
// their conditions, housing, loneliness, frailty, unmet care need, waiting and care
// setting. Both are additive: a base (by age for utility) plus the effect of each thing
// that applies, clamped to the scale. QALYs are utility x time.
#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "agents/wellbeing/counters.hpp"
#include "agents/people/people.hpp"
#include "model/core/config/reader.hpp"

namespace hscsim {

//! Circumstances that affect wellbeing beyond the risk factors.
//! The People::care_stocks bits, in the same order.
enum class CareCircumstance : uint8_t { InHospital, InCareHome, WaitingSocialCare, WaitingGp, WaitingElective, HomeCare,
                                        DelayedDischarge, Reablement, WaitingElectiveOver18Weeks, IntermediateCare, Count };
inline constexpr std::array<std::string_view, static_cast<int>(CareCircumstance::Count)> kCareCircumstanceNames = {
    "in_hospital", "in_care_home", "waiting_social_care", "waiting_gp", "waiting_elective", "home_care",
    "delayed_discharge", "reablement", "waiting_elective_over_18_weeks", "intermediate_care"};

struct WellbeingParams {
  double life_satisfaction_base = 7.5;               //!< [0-10 points]
  std::vector<std::pair<int, double>> ls_factors;    //!< (risk factor, points)
  std::array<double, static_cast<int>(CareCircumstance::Count)> ls_care{};  //!< [points]
  std::array<double, 5> ls_quintile{};               //!< [points] by deprivation quintile
  config::AgeTable utility_base;                     //!< column utility, by age [0-1]
  std::vector<std::pair<int, double>> utility_factors;  //!< (risk factor, decrement as a negative number)
  std::array<double, static_cast<int>(CareCircumstance::Count)> utility_care{};
  static WellbeingParams read(config::Reader& root);  //!< reads `wellbeing:`; throws ConfigError
};

class WellbeingModel {
 public:
  explicit WellbeingModel(WellbeingParams p);
  //! Life satisfaction [0, 10] and health utility [-0.594, 1] of slot i, from what the
  //! census has at hand: age in whole years, People::factors and People::care_stocks.
  //! Inline: the census calls it for every person every step.
  std::pair<double, double> life_satisfaction_and_utility(const People& people, size_t i, int age_years, uint64_t f,
                                                          uint16_t care_stocks) const {
    const auto care = static_cast<uint16_t>(care_stocks & ((1u << static_cast<int>(CareCircumstance::Count)) - 1));
    const int age = std::min(age_years, config::AgeTable::kMaxAge);
    const double ls = p_.life_satisfaction_base + p_.ls_quintile[static_cast<size_t>(people.quintile[i] - 1)] + ls_.of(f, care);
    const double u = utility_base_[static_cast<size_t>(std::max(age, 0))] + utility_.of(f, care);
    return {std::clamp(ls, 0.0, 10.0), std::clamp(u, -0.594, 1.0)};
  }

 private:
  static constexpr int kFactorBytes = (kFactorCount + 7) / 8;
  //! Sums of effects: for each byte of the risk-factor bitset, the total of the effects
  //! of the factors set in each of its 256 values; and the same for the care bits. The
  //! per-person work is then a few look-ups instead of a loop over every effect.
  struct Sums {
    std::array<std::array<double, 256>, kFactorBytes> factors{};
    std::array<double, 1u << static_cast<int>(CareCircumstance::Count)> care{};
    double of(uint64_t f, uint16_t care_bits) const {
      double x = care[care_bits];
      for (int b = 0; b < kFactorBytes; ++b) x += factors[static_cast<size_t>(b)][(f >> (8 * b)) & 0xFF];
      return x;
    }
  };
  static Sums sums(const std::vector<std::pair<int, double>>& factors,
                   const std::array<double, static_cast<int>(CareCircumstance::Count)>& care);
  WellbeingParams p_;
  Sums ls_, utility_;
  std::array<double, config::AgeTable::kMaxAge + 1> utility_base_{};  //!< by whole year of age
};

}  // namespace hscsim
