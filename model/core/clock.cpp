#include "model/core/clock.hpp"

#include <cmath>

namespace hscsim {

Clock Clock::read(config::Reader r) {
  Clock c;
  c.start_year = static_cast<int>(r.integer("start_year", {1900, 2200}));
  c.years = r.real("years", {1.0 / 365.25, 200});
  c.step = r.choice("step", {"day", "week", "month"}, "week");
  c.step_days = c.step == "day" ? 1.0 : c.step == "week" ? 7.0 : kDaysPerYear / 12.0;
  c.dt_years = c.step_days / kDaysPerYear;
  c.steps = static_cast<uint32_t>(std::llround(c.years / c.dt_years));
  if (c.steps == 0) throw r.error("years", "the run is shorter than one step; make it at least one step long");
  c.steps_per_year = static_cast<uint32_t>(std::floor(1.0 / c.dt_years + 1e-9));
  // Whole years, so that burn-in ends where a year of steps ends (yearly housekeeping,
  // quarterly and yearly settlements keep their places).
  c.burn_in_steps = static_cast<uint32_t>(r.integer("burn_in_years", {0, 50}, 0)) * c.steps_per_year;
  r.finish();
  return c;
}

}  // namespace hscsim
