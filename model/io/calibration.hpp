#pragma once
// Calibration: fits uncertain parameters to validation targets.
//
// A params file names the parameters (dotted config keys, each a number with bounds),
// the targets to fit (names from a targets file; default all) and the budget. Each
// evaluation sets the parameters, runs the baseline with the configured replicates and
// the same seed (common random numbers: differences between evaluations come from the
// parameters, not from noise), and scores
//     objective = mean over fitted targets of ((model mean - target) / tolerance)^2
// where tolerance is the target's absolute tolerance (relative ones x |target|). NLopt's
// derivative-free optimisers minimise it within a fixed number of evaluations.
//
// The fitted values' uncertainty: a profile over each parameter (the others at their
// fitted values, `profile_points` runs across +-`profile_width` of its range around the
// fit), scored per replicate. Each replicate's optimum along the profile (the grid's best
// point, refined by a parabola through it and its neighbours) shows how far the fit moves
// with the random numbers: their mean, standard deviation and range are reported.
#include <functional>
#include <string>
#include <vector>

#include "model/core/config/node.hpp"
#include "model/io/validation.hpp"

namespace hscsim {

struct CalibrationParam {
  std::string key;        //!< dotted config path, e.g. care.hospital.post_discharge_event_rr
  double lower = 0, upper = 0;
  double start = 0;       //!< the config's value unless `start:` is given
  bool has_start = false;
  std::string where;      //!< file:line:col of its `key:` in the params file (for messages)
};

struct CalibrationSpec {
  std::string algorithm = "sbplx";  //!< one of calibration_algorithms()
  int max_evaluations = 40;
  double initial_step = 0.25;       //!< first simplex step, as a fraction of each range
  int profile_points = 7;           //!< runs per parameter in its profile (0: no profile)
  double profile_width = 0.2;       //!< the profile spans the fit +- this fraction of the range (within bounds)
  std::vector<std::string> targets; //!< names to fit; empty = every target in the file
  std::vector<std::string> target_where;  //!< file:line:col of each name in `targets:`
  std::vector<CalibrationParam> params;
  //! Reads a params file; throws ConfigError (exit 2).
  static CalibrationSpec load(const std::string& path);
};

const std::vector<std::string>& calibration_algorithms();

//! The `parameters:` list of a params file (calibrate, sensitivity): key, lower, upper
//! and, `with_start`, an optional start. Throws ConfigError at the entry's location.
std::vector<CalibrationParam> read_parameter_ranges(config::Reader& r, bool with_start);
//! Each key must be a number stated in the config (`what` starts the message); fills in
//! start values not given. Throws ConfigError.
void check_parameter_keys(std::vector<CalibrationParam>& params, const config::Node& root, const std::string& what);
//! The config with params[k] set to x[k].
config::Node with_parameter_values(const config::Node& root, const std::vector<CalibrationParam>& params,
                                   const std::vector<double>& x);

struct Evaluation {
  int index = 0;
  std::vector<double> x;
  double objective = 0;
};

//! One parameter's profile: the objective along a grid (the others at their fitted values).
struct Profile {
  std::vector<double> x;                       //!< the grid
  std::vector<double> objective;               //!< mean over replicates' values, as the fit scores it
  std::vector<std::vector<double>> replicate;  //!< [point][replicate]: each replicate's own objective
  std::vector<double> optimum;                 //!< [replicate]: where each replicate's profile is lowest
  double mean = 0, sd = 0, min = 0, max = 0;   //!< of `optimum`
};
//! Where the parabola through (x[k-1], y[k-1]), (x[k], y[k]), (x[k+1], y[k+1]) is lowest
//! for the lowest y[k] (at an end of the grid: that end). Exposed for tests.
double profile_minimum(const std::vector<double>& x, const std::vector<double>& y);

struct CalibrationResult {
  std::vector<Evaluation> evaluations;
  std::vector<double> best;
  double best_objective = 0;
  double start_objective = 0;
  std::vector<ValidationRow> residuals;  //!< fitted targets at the best values
  std::vector<Profile> profiles;         //!< [parameter]; empty without a profile
  std::string stop_reason;
  double wall_seconds = 0;
};

//! Checks the spec against the config and targets (keys exist and are numbers, starts
//! within bounds, target names known); fills in start values. Throws ConfigError.
void prepare_calibration(CalibrationSpec& spec, const config::Node& root, const TargetSet& targets);

using EvaluationFn = std::function<void(const Evaluation&)>;

//! Runs the fit. `root` is the resolved config (replicates and seed as configured).
CalibrationResult calibrate(const config::Node& root, const std::string& config_name, const TargetSet& targets,
                            const CalibrationSpec& spec, int threads, const EvaluationFn& on_evaluation = {});

//! The fitted values as a YAML overlay (nested maps), with a header saying how they
//! were obtained; and the record of the fit (YAML: settings, each evaluation, the
//! residuals at the best values).
std::string calibration_overlay(const CalibrationSpec& spec, const CalibrationResult& r, const std::string& header);
//! One line: the replicates' optima along a profile (mean, SD, range).
std::string profile_summary(const Profile& p);
std::string calibration_record(const CalibrationSpec& spec, const CalibrationResult& r, const std::string& header);

}  // namespace hscsim
