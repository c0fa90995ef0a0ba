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
  std::vector<std::string> targets; //!< names to fit; empty = every target in the file
  std::vector<std::string> target_where;  //!< file:line:col of each name in `targets:`
  std::vector<CalibrationParam> params;
  //! Reads a params file; throws ConfigError (exit 2).
  static CalibrationSpec load(const std::string& path);
};

const std::vector<std::string>& calibration_algorithms();

struct Evaluation {
  int index = 0;
  std::vector<double> x;
  double objective = 0;
};

struct CalibrationResult {
  std::vector<Evaluation> evaluations;
  std::vector<double> best;
  double best_objective = 0;
  double start_objective = 0;
  std::vector<ValidationRow> residuals;  //!< fitted targets at the best values
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
std::string calibration_record(const CalibrationSpec& spec, const CalibrationResult& r, const std::string& header);

}  // namespace hscsim
