#pragma once
// An experiment: scenarios x replicates of one resolved config, run in parallel with
// TBB. Replicate r of every scenario uses Philox key (seed, r), so scenarios share
// random numbers (common random numbers) and replicates are independent.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/core/archive.hpp"
#include "model/core/config/node.hpp"
#include "model/sim/metrics.hpp"
#include "model/sim/params.hpp"
#include "model/sim/series.hpp"
#include "model/sim/uncertainty.hpp"

namespace hscsim {

struct Scenario {
  std::string name;
  std::string description;
  Params params;
  //! Its resolved config, kept with parameter uncertainty to build each replicate's
  //! parameters (empty without).
  config::Node tree = {};
};

struct Experiment {
  std::string config_name;  //!< stem of the config file, names the default output
  std::string config_yaml;  //!< the fully resolved config
  uint32_t seed = 1;
  uint32_t replicates = 1;
  std::vector<Scenario> scenarios;  //!< the baseline first
  //! Parameter uncertainty (`uncertainty:`): each replicate's draws; empty without.
  Uncertainty uncertainty;

  //! Scenario k's parameters for replicate r: scenarios[k].params, or with parameter
  //! uncertainty the scenario's config with replicate r's draws, built into `holder`.
  const Params& params(size_t k, uint32_t r, std::optional<Params>& holder) const;

  //! Validates the resolved tree and each scenario (the base with the scenario's `set:`
  //! overrides applied); throws ConfigError. With no `scenarios:` list there is one
  //! scenario, `baseline`; a listed scenario named `baseline` is the baseline, otherwise
  //! an unchanged baseline is added first.
  static Experiment from_config(const config::Node& resolved, std::string config_name);
};

//! Limits checked before anything runs (exit 2 with the key's location).
inline constexpr size_t kMaxScenarios = 256;
inline constexpr double kMaxJobs = 1e6;  //!< scenarios x replicates
//! Peak process memory per person of a running replicate [bytes]: 159 MB at 1M people
//! (bench/README.md), with a margin.
inline constexpr double kPeakBytesPerPerson = 200;
//! Results held (compressed, model/sim/series.hpp) per replicate-step, and per provider
//! or programme per replicate-step [bytes]: 2,940 bytes per step measured on the default
//! config at 3,000 people since conditions are counted by age and sex (a Tally is 23,024;
//! test "stored results decode..."), with a margin.
inline constexpr double kHeldBytesPerStep = 3584;
inline constexpr double kHeldBytesPerProviderStep = 64;
//! Values written per provider or programme per replicate-step (its published metrics).
inline constexpr double kOutputValuesPerProviderStep = 8;

//! Throws ConfigError if the experiment is beyond the limits above or would need more
//! than 90% of `memory_bytes` (people of the replicates running at once plus the results
//! held until the file is written); memory_bytes <= 0 skips the memory check.
void check_resources(const Experiment& e, const config::Node& resolved, double memory_bytes);
//! This machine's physical memory [bytes] (0 if unknown).
double physical_memory_bytes();

struct ScenarioResult {
  std::string name;
  std::vector<Tally> initial;  //!< [replicate]: census at time 0
  TallySeries steps;           //!< [replicate][step], compressed; steps[r] decodes replicate r
  CounterSeries providers;     //!< [replicate][step][counter], layout of ProviderLayout::groups() and the finance groups
};

struct RunResult {
  std::vector<ScenarioResult> scenarios;
  int threads = 1;
  int ranks = 1;
  double wall_seconds = 0;
  uint64_t person_steps = 0;
  uint64_t person_steps_resumed = 0;  //!< of person_steps, those done before a resume (wall_seconds is since it)
  //! Across MPI ranks, on rank 0: the replicates each rank ran ([rank], ascending).
  std::vector<std::vector<uint32_t>> replicates_by_rank;
  //! Domain decomposition, on rank 0: the people each rank held at the start of the first
  //! replicate, and each rank's peak resident memory [bytes] ([rank]).
  std::vector<uint64_t> people_by_rank, peak_bytes_by_rank;
};

//! Called from worker threads as steps complete: (steps done, total steps, the scenario of
//! the step just done: "burn-in" during the shared burn-in).
using ProgressFn = std::function<void(uint64_t, uint64_t, const std::string&)>;

//! Runs replicate r of scenario k alone, on the calling thread: the same world, steps and
//! random numbers as in run_experiment (with the config's burn-in run here, with the
//! baseline's parameters, when it has one), passing each reported step's tally to `each`.
//! Not for scenarios paid against the baseline run (their counterfactual needs the
//! baseline's replicate first): throws std::logic_error.
void run_replicate(const Experiment& e, size_t k, uint32_t r, const std::function<void(uint32_t, const Tally&)>& each);

//! A share of an experiment's replicates, for job arrays: part `index` of `count` runs
//! replicates r with r % count == index (every scenario of each). Parts are merged into
//! the file one run would have written (`hscsim merge`).
struct Part {
  uint32_t index = 0, count = 1;
  bool whole() const { return count == 1; }
  bool has(size_t r) const { return r % count == index; }
};

//! Checkpoints: when a run saves its whole state, and how, and where it resumes from.
//! The state (model/core/archive.hpp) is every job's (burn-in or scenario x replicate):
//! not started; running, with its world and the steps so far; or done, with its results
//! (and a burn-in's warm world while a scenario still needs it, the baseline's outcome
//! record while a paired scenario does). Resumed, the run ends with the same results, bit
//! for bit, at any thread count.
struct Checkpointing {
  double every_seconds = 0;  //!< wall time between checkpoints [s] (0: not by wall time)
  uint64_t every_steps = 0;  //!< steps of the run (every job's together, as the progress counts them) between checkpoints (0: not by steps)
  bool on_signal = false;    //!< a signal stops the run with a checkpoint (then throws Interrupted)
  //! Writes a checkpoint: calls `state` with a writer (the run paused between steps),
  //! given the steps done and the steps in all.
  std::function<void(uint64_t done, uint64_t total, const std::function<void(archive::Io&)>& state)> save;
  //! Resumes (when set): called once before anything runs, with what reads the state
  //! back; it passes a reader over the checkpoint's bytes.
  std::function<void(const std::function<void(archive::Io&)>& state)> resume;
};

//! Runs every scenario x replicate of `part` on `threads` threads (0 = all cores); across
//! MPI ranks (model/core/comm.hpp), each rank runs every ranks-th of the part's replicates
//! and rank 0 ends with all of them. Replicates outside the part are left empty. With
//! `checkpoints`, saves and resumes as it says (one process only).
//! `decompose` (across MPI ranks): instead, every rank runs every replicate together,
//! each holding its share of the people (model/sim/domain.hpp), the jobs one at a time;
//! every rank ends with all the results (the same bits as one process).
RunResult run_experiment(const Experiment& e, int threads, const ProgressFn& progress = {}, const Part& part = {},
                         const Checkpointing* checkpoints = nullptr, bool decompose = false);

//! The stored (compressed) results of `replicates`, every scenario, as bytes, and back
//! into a RunResult sized for the experiment (replicates already there are replaced).
//! Used to gather ranks' results and to merge parts; the bytes are this build's layout.
//! A result with room for every scenario and replicate of `e`, all empty.
RunResult empty_result(const Experiment& e);
std::vector<uint8_t> pack_results(const RunResult& r, const std::vector<size_t>& replicates);
void unpack_results(RunResult& r, const std::vector<uint8_t>& bytes);

}  // namespace hscsim
