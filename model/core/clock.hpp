#pragma once
// Simulated time. Rates in the config are per year (or per event); the engine turns
// them into per-step probabilities here and nowhere else.
#include <cmath>
#include <cstdint>
#include <string>

#include "model/core/config/reader.hpp"

namespace hscsim {

inline constexpr double kDaysPerYear = 365.25;

struct Clock {
  int start_year = 2025;      //!< calendar year at the start of the run
  double years = 10;          //!< length of the run [years]
  std::string step = "week";  //!< day | week | month
  double step_days = 7;       //!< length of one step [days]
  double dt_years = 7 / kDaysPerYear;  //!< length of one step [years]
  uint32_t steps = 522;       //!< number of steps: round(years / dt_years)
  uint32_t steps_per_year = 52;  //!< whole steps per year (for yearly housekeeping)
  //! Steps simulated before the reported period (time.burn_in_years x steps_per_year),
  //! once per replicate and shared by every scenario; they are numbered 0 ..
  //! burn_in_steps - 1 and the reported steps follow, so day 0 (1 January of start_year)
  //! is the first day of step burn_in_steps and burn-in days are negative.
  uint32_t burn_in_steps = 0;

  //! Whole day at the start of step s (steps counted from the start of burn-in); ages
  //! are measured at this day during step s.
  int32_t day_at_start(uint32_t s) const {
    return static_cast<int32_t>(std::floor((static_cast<double>(s) - static_cast<double>(burn_in_steps)) * step_days));
  }
  //! The first day simulated (the start of burn-in; 0 without one).
  int32_t first_day() const { return day_at_start(0); }
  //! Steps simulated in all: burn-in and the reported steps.
  uint32_t total_steps() const { return burn_in_steps + steps; }

  static Clock read(config::Reader r);  //!< reads the `time:` section; throws ConfigError
};

//! Probability that an event with cumulative hazard H = rate x dt happens: 1 - exp(-H).
//! For H < 0.05 (nearly every call) the Taylor series to H^7 is used: its error is
//! below H^8/40320, a relative error under 2e-14.
inline double step_probability(double H) {
  if (H < 0.05)
    return H * (1.0 - H * (0.5 - H * (1.0 / 6.0 - H * (1.0 / 24.0 - H * (1.0 / 120.0 - H * (1.0 / 720.0 - H / 5040.0))))));
  return -std::expm1(-H);
}
//! Hazard rate [per year] equivalent to an annual probability q (life tables).
inline double hazard_from_annual_probability(double q) { return q >= 1.0 ? 50.0 : -std::log1p(-q); }

}  // namespace hscsim
