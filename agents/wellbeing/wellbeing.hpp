#pragma once
// Wellbeing: each person's life satisfaction (0-10, the ONS "how satisfied are you with
// your life nowadays" scale) and health utility (EQ-5D-like, 1 = full health), from
// their conditions, housing, loneliness, frailty, unmet care need, waiting and care
// setting. Both are additive: a base (by age for utility) plus the effect of each thing
// that applies, clamped to the scale. QALYs are utility x time.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "agents/people/people.hpp"
#include "model/config/reader.hpp"

namespace hscsim {

//! Circumstances that affect wellbeing beyond the risk factors.
enum class CareCircumstance : uint8_t { InHospital, InCareHome, WaitingSocialCare, WaitingGp, WaitingElective, HomeCare, Count };
inline constexpr std::array<std::string_view, static_cast<int>(CareCircumstance::Count)> kCareCircumstanceNames = {
    "in_hospital", "in_care_home", "waiting_social_care", "waiting_gp", "waiting_elective", "home_care"};

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
  explicit WellbeingModel(WellbeingParams p) : p_(std::move(p)) {}
  //! Life satisfaction [0, 10] of slot i.
  double life_satisfaction(const People& people, size_t i) const;
  //! Health utility [-0.594, 1] of slot i at `day`.
  double utility(const People& people, size_t i, int32_t day) const;
  //! Both at once (the risk factors and care circumstances are read once); the values
  //! equal life_satisfaction() and utility() exactly.
  std::pair<double, double> life_satisfaction_and_utility(const People& people, size_t i, int32_t day) const;

 private:
  uint8_t care_bits(const People& p, size_t i) const;
  WellbeingParams p_;
};

}  // namespace hscsim
