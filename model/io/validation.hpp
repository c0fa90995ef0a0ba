#pragma once
// Validation: the model's baseline against published national figures.
//
// A targets file lists each figure with its value, tolerance, source and the computation
// that produces the same quantity from model output (never from model inputs):
//   per_person_per_year   sum of flow metrics / person-years            (GP consultations, spend per head)
//   per_1000_per_year     the same x 1,000                               (A&E attendances, admissions)
//   per_100000            mean of stock metrics / mean population x 1e5  (care home residents)
//   ratio                 sum of `metrics` / sum of `denominator`        (readmission rate, length of stay)
//   per_stock_year        sum of flow `metrics` / stock `denominator`-years (each step's stock x its
//                         years): a rate per member of a stock (admissions per care-home resident a year)
//   mean                  a share or mean metric over the window, person-weighted (prevalence)
//   population_share      share of people aged [from_age_years, to_age_years)  (age structure)
//   life_expectancy       period life expectancy at birth (or at from_age_years) from simulated deaths and
//                         person-years by age band (abridged life table, Chiang's method);
//                         optionally in one deprivation quintile (`quintile: 1..5`)
//   life_expectancy_gap   life expectancy in quintile 5 (least deprived) minus quintile 1
//   quintile_ratio        flow metrics per person-year in deprivation quintile `quintile` over the
//                         same in quintile `relative_to` (0: everyone): a crude gradient (A&E
//                         attendances in the most deprived fifth over the national rate)
// per_person_per_year, per_1000_per_year and mean take an optional age band and sex
// (from_age_years, to_age_years, sex): the metrics' by_age_sex cells over the person-years
// (or people) of that band and sex (death rates, admission rates and prevalence by age).
// With `standardise_age: first_year` each cell's rate or share is weighted by the run's
// first-year person-years (or people) in the cell: a figure of one past year compared in a
// later year of the run at the age structure the run starts with, so that ageing alone does
// not move it (prevalence and activity rates in year 10 against a 2019 figure).
// Rates by age are counts: their Poisson sampling error (counts at the target's rate over
// the model's person-years) widens the tolerance by kSamplingErrorK standard errors (a few
// deaths a year in a young band at 1:100 are noise, not a failure of the model).
// Each is computed per replicate over the window [from_year, to_year) of the run, and in
// the run's first and last whole years, then reported as the replicate mean (with a 95%
// t-interval for the window). A target passes when the window mean and the first-year and
// last-year means are all within the tolerance (absolute, or relative to the target; plus
// the sampling error for rates by age), so nothing passes on an average of years that each fail.
#include <string>
#include <vector>

#include "model/core/clock.hpp"
#include "model/sim/experiment.hpp"
#include "model/sim/metrics.hpp"

namespace hscsim {

struct Target {
  std::string name;
  std::string description;
  std::string compute;                   //!< one of target_computations()
  std::vector<std::string> metrics;      //!< numerator metrics (summed)
  std::vector<std::string> denominator;  //!< for ratio and per_stock_year
  double from_age_years = 0, to_age_years = 1000;  //!< population_share; rates by age band
  int sex = -1;                          //!< life_expectancy (0 male, 1 female); rates by sex (-1: both)
  int quintile = 0;                      //!< life_expectancy, quintile_ratio: in one deprivation quintile (0: everyone)
  int relative_to = 0;                   //!< quintile_ratio: over this quintile (0: everyone)
  bool by_age = false;                   //!< a rate or share over an age band and/or sex (by_age_sex cells)
  bool standardise = false;              //!< by_age: weighted by the run's first-year age-sex structure
  double value = 0;                      //!< the published figure
  double tolerance = 0;                  //!< absolute, in the target's units
  bool relative = false;                 //!< tolerance is a fraction of value
  std::string units;
  std::string source;
};

struct TargetSet {
  double from_year = 0;    //!< window start [years since the start of the run]
  double to_year = 1e9;    //!< window end [years]; capped at the run length
  std::vector<Target> targets;
  //! Reads a targets file (YAML); throws ConfigError (exit 2) naming file and line.
  static TargetSet load(const std::string& path);
  //! Checks metric names and the window against a run's clock; throws ConfigError.
  void check(const Clock& clock) const;
};

const std::vector<std::string>& target_computations();

struct ValidationRow {
  const Target* target = nullptr;
  std::vector<double> replicates;  //!< model value per replicate
  double mean = 0, lower = 0, upper = 0;  //!< 95% t-interval (NaN bounds with one replicate)
  double first_year = 0, last_year = 0;   //!< means over replicates in the run's first and last whole year
  //! Poisson standard errors of mean, first_year and last_year (rates by age; NaN otherwise)
  double sampling_se = 0, first_year_se = 0, last_year_se = 0;
  int last_year_index = 1;                //!< which year last_year is (1 = the first year of the run)
  bool pass = false;                      //!< window, first and last year all within tolerance
  double error() const { return mean - target->value; }
};

//! Standard errors of sampling added to a target's tolerance (rates by age band).
inline constexpr double kSamplingErrorK = 2.0;

//! A model value and its sampling variance (Poisson counts; NaN where not estimated).
struct TargetValue {
  double value = 0, variance = 0;
};
//! Model value of one target for one replicate's steps.
TargetValue evaluate_with_error(const Target& t, const std::vector<Tally>& steps, const Clock& clock, double from_year,
                               double to_year);
double evaluate(const Target& t, const std::vector<Tally>& steps, const Clock& clock, double from_year, double to_year);

//! Evaluates every target on one scenario's result.
std::vector<ValidationRow> validate(const TargetSet& targets, const ScenarioResult& r, const Clock& clock);

//! Life expectancy at age kAgeBandFrom[from_band] (at birth by default) from deaths and
//! person-years by age band (abridged life table). Bands as kAgeBandFrom; the last is
//! open. Exposed for tests.
double life_expectancy(const std::array<double, kAgeBands>& deaths, const std::array<double, kAgeBands>& person_years,
                       size_t from_band = 0);

//! The table as text (for the terminal) and as CSV.
std::string validation_table(const std::vector<ValidationRow>& rows);
std::string validation_csv(const std::vector<ValidationRow>& rows);

}  // namespace hscsim
