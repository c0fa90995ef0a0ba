#pragma once
// Global sensitivity analysis: `hscsim sensitivity CONFIG --params FILE --method
// morris|sobol`.
//
// A params file lists the parameters (dotted config keys, each a number stated in the
// config, with a range), the outputs (a metric of a scenario, or its difference from
// another scenario) and the design's size. Each design point sets the parameters, and
// every scenario an output needs runs with the config's replicates and seed (common
// random numbers: points differ by their parameters, not by noise). An output's value
// at a replicate is the metric over the run (flows: total; stocks and means: mean over
// the steps); at a point, the mean over replicates. All points x scenarios x replicates
// run as one ensemble on the threads.
//
// Morris: elementary effects over `trajectories` trajectories on a `levels`-level grid,
// mu* and sigma in output units over each parameter's whole range, with bootstrap
// intervals. Sobol: first- and total-order indices by Saltelli sampling with `samples`
// base rows (samples x (k + 2) points), with bootstrap intervals. Estimators:
// model/core/design.hpp (tested on the Ishigami function).
#include <string>
#include <vector>

#include "model/core/config/node.hpp"
#include "model/core/design.hpp"
#include "model/io/calibration.hpp"
#include "model/sim/experiment.hpp"

namespace hscsim {

struct SensitivityOutput {
  std::string metric;
  std::string scenario = "baseline";
  std::string versus;  //!< empty: the scenario's own value; else scenario - versus
  std::string where;   //!< file:line:col of the entry (for messages)
  std::string units;   //!< the metric's
  std::string name() const { return versus.empty() ? metric + " (" + scenario + ")" : metric + " (" + scenario + " - " + versus + ")"; }
};

struct SensitivitySpec {
  std::string method = "morris";  //!< morris | sobol (`--method` overrides the file)
  int trajectories = 10;          //!< Morris trajectories
  int levels = 4;                 //!< Morris grid levels (even)
  int samples = 64;               //!< Sobol' base rows N
  int resamples = 1000;           //!< bootstrap resamples for the intervals
  std::vector<CalibrationParam> params;
  std::vector<SensitivityOutput> outputs;  //!< empty in the file: the defaults (see prepare_sensitivity)
  //! Reads a params file; throws ConfigError (exit 2) with file:line.
  static SensitivitySpec load(const std::string& path);
  static SensitivitySpec read(const config::Node& root);  //!< the same from a parsed file
  size_t points() const;  //!< design points for the method
};

const std::vector<std::string>& sensitivity_methods();

//! Checks the spec against the experiment of the config (keys are stated numbers, output
//! metrics and scenarios exist, no scenario paid against the baseline run) and fills in
//! default outputs: emergency admissions, bed days, total cost and QALYs of the baseline,
//! and of each other scenario minus the baseline. Throws ConfigError.
void prepare_sensitivity(SensitivitySpec& spec, const config::Node& root, const Experiment& e);

struct SensitivityResult {
  std::string method;
  design::Matrix unit;    //!< [point][parameter] in [0, 1]
  design::Matrix values;  //!< [point][parameter] in the parameters' units
  std::vector<std::vector<double>> y;                       //!< [output][point]: mean over replicates
  std::vector<std::vector<std::vector<double>>> replicate;  //!< [output][point][replicate]
  design::MorrisDesign morris_design;
  std::vector<design::MorrisIndices> morris;  //!< [output] (method morris)
  design::SaltelliDesign sobol_design;
  std::vector<design::SobolIndices> sobol;    //!< [output] (method sobol)
  uint64_t runs = 0;  //!< replicate runs (points x scenarios run x replicates)
  int threads = 1;
  double wall_seconds = 0;
};

//! Runs the design as one ensemble on `threads` threads (0 = all cores); across MPI ranks
//! (model/core/comm.hpp) job j of points x scenarios x replicates runs on rank j % ranks,
//! and rank 0 gathers the values and computes the indices (other ranks return no indices). Every design
//! point's config is checked before anything runs (a value a key does not accept is
//! ConfigError naming the point). `progress` gets (steps done, total steps, "point i/n").
SensitivityResult run_sensitivity(const config::Node& root, const std::string& config_name, const SensitivitySpec& spec,
                                  int threads, const ProgressFn& progress = {});

//! The indices as a table for the terminal, per output, parameters by importance.
std::string sensitivity_table(const SensitivitySpec& spec, const SensitivityResult& r);

}  // namespace hscsim
