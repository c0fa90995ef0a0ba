// hscsim: the command line. The only place that turns errors into exit codes:
// 0 success, 2 invalid input (nothing written), 1 runtime failure.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <H5public.h>
#include <Random123/features/compilerfeatures.h>
#include <tbb/info.h>
#include <tbb/version.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "agents/people/people.hpp"
#include "model/core/build_info.hpp"
#include "model/core/comm.hpp"
#include "model/core/stats.hpp"
#include "model/sim/comparison.hpp"
#include "model/core/config/node.hpp"
#include "model/core/config/reader.hpp"
#include "model/io/reference.hpp"
#include "model/core/errors.hpp"
#include "model/sim/experiment.hpp"
#include "model/core/interrupt.hpp"
#include "model/sim/metrics.hpp"
#include "model/io/output.hpp"
#include "model/io/checkpoint.hpp"
#include "model/io/calibration.hpp"
#include "model/io/sensitivity.hpp"
#include "model/io/validation.hpp"

namespace fs = std::filesystem;
using namespace hscsim;

namespace {

struct RunArgs {
  std::string config;
  std::string from;
  std::string output;
  int threads = 0;
  int64_t seed = -1;
  int64_t replicates = -1;
  std::vector<std::string> sets;
  bool quiet = false;
  bool force = false;
  std::string summary = "short";
  std::string part;  //!< "K/N": run part K of N (job arrays; hscsim merge combines them)
  // run only: checkpoints
  std::string checkpoint_every;  //!< "30min", "2h", "1y", "500steps"
  std::string checkpoint;        //!< where checkpoints go (default: beside the results)
  std::string resume;            //!< a checkpoint to continue
  bool no_checkpoint = false;    //!< a signal abandons the run instead of saving it
  bool decompose = false;        //!< across MPI ranks: split each replicate's people (domain decomposition)
};

//! Exit code of a run stopped by a signal after saving a checkpoint (EX_TEMPFAIL: try
//! again, with --resume).
constexpr int kExitCheckpointed = 75;

// "K/N" with 0 <= K < N; InputError otherwise.
Part parse_part(const std::string& text) {
  Part p;
  unsigned k = 0, n = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%u%c%u%c", &k, &slash, &n, &extra) != 3 || slash != '/' || n < 1 || k >= n || n > 100000)
    throw InputError(fmt::format("error: --part '{}': expected K/N with 0 <= K < N (part K of N, counted from 0; for a "
                                 "job array: --part $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)", text));
  p.index = k;
  p.count = n;
  return p;
}

// The options run, validate and calibrate share.
void add_run_options(CLI::App* cmd, RunArgs& a, const char* replicates_help) {
  cmd->add_option("--threads", a.threads, "worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  cmd->add_option("--seed", a.seed, "run seed (overrides run.seed)")->check(CLI::Range(int64_t{0}, int64_t{4294967295}));
  cmd->add_option("--replicates", a.replicates, replicates_help)->check(CLI::Range(1, 10000));
  cmd->add_option("--set", a.sets, "override a config value: key.path=value (repeatable)");
  cmd->add_flag("--quiet", a.quiet, "print nothing but errors");
  cmd->add_flag("--force", a.force, "replace the results file if it exists");
  cmd->add_option("--summary", a.summary, "terminal summary: short (headline metrics) or full (every metric)")
      ->check(CLI::IsMember({"short", "full"}));
}

config::Node resolve(const RunArgs& a) {
  config::Node root = config::load(a.config);
  for (const auto& s : a.sets) config::apply_override(root, s);
  if (a.seed >= 0) config::apply_override(root, fmt::format("run.seed={}", a.seed));
  if (a.replicates >= 0) config::apply_override(root, fmt::format("run.replicates={}", a.replicates));
  return root;
}

std::string fmt_count(double v) {
  if (std::isnan(v)) return "-";
  const auto n = static_cast<long long>(std::llround(v));
  std::string s = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string fmt_value(const MetricDef& m, double v) {
  if (std::isnan(v)) return "-";
  if (m.units == "fraction") return fmt::format("{:.2f}%", 100 * v);
  if (m.units == "GBP") return (v < 0 ? "-£" : "£") + fmt_count(std::fabs(v));
  if (m.kind == "mean") return fmt::format("{:.2f}", v);
  return fmt_count(v);  // counts, hours, bed days
}

// The metrics of the short summary (the rest with --summary full).
const std::vector<std::string> kSummaryHeadline = {
    "population", "deaths", "emergency_admissions", "ae_attendances", "bed_days", "delayed_discharge_bed_days",
    "gp_appointments", "gp_unmet_demand", "elective_waiting_list", "care_home_residents", "people_waiting_social_care",
    "qalys", "wellbeing_mean", "cost_total_gbp"};

void print_summary(const Experiment& e, const RunResult& r, const std::string& path, bool full) {
  const auto& metrics = metric_definitions();
  std::vector<size_t> shown;
  size_t width = 6;
  for (size_t k = 0; k < metrics.size(); ++k)
    if (full || std::find(kSummaryHeadline.begin(), kSummaryHeadline.end(), metrics[k].name) != kSummaryHeadline.end()) {
      shown.push_back(k);
      width = std::max(width, metrics[k].name.size() + (metrics[k].kind == "flow" ? 17 : 0));
    }
  for (const auto& sr : r.scenarios) {
    const size_t R = sr.steps.size();
    const auto& clock = e.scenarios.front().params.clock;
    fmt::print("\nScenario '{}': {} replicates, {} {}ly steps ({:g} years from {}{}); mean [95% t-interval over replicates]\n",
               sr.name, R, clock.steps, clock.step == "day" ? "dai" : clock.step, clock.years, clock.start_year,
               clock.burn_in_steps > 0 ? fmt::format(", after a shared burn-in of {} steps", clock.burn_in_steps) : "");
    // Per replicate: flows totalled, stocks and means at the start and the end.
    std::vector<std::vector<double>> starts(metrics.size(), std::vector<double>(R)), ends = starts;
    for (size_t rep = 0; rep < R; ++rep) {
      const std::vector<Tally> steps = sr.steps[rep];
      for (size_t k : shown) {
        const auto& m = metrics[k];
        if (m.kind == "flow") {
          for (const auto& t : steps) ends[k][rep] += m.value(t, 0);
        } else {
          starts[k][rep] = m.value(sr.initial[rep], 0);
          ends[k][rep] = m.value(steps.back(), 0);
        }
      }
    }
    auto interval = [&](const MetricDef& m, const std::vector<double>& v) {
      double sum = 0;
      for (double x : v) sum += x;
      const double mean = sum / static_cast<double>(v.size());
      if (v.size() < 2) return fmt_value(m, mean);
      double ss = 0;
      for (double x : v) ss += (x - mean) * (x - mean);
      const double half = half_width_95(ss, v.size());
      return fmt::format("{} [{}, {}]", fmt_value(m, mean), fmt_value(m, mean - half), fmt_value(m, mean + half));
    };
    fmt::print("{:<{}}  {:>12}  {}\n", "metric", width, "start", "end (flows: total over the run)");
    fmt::print("{:-<{}}\n", "", width + 50);
    for (size_t k : shown) {
      const auto& m = metrics[k];
      if (m.kind == "flow")
        fmt::print("{:<{}}  {:>12}  {}\n", m.name + " (total over run)", width, "", interval(m, ends[k]));
      else
        fmt::print("{:<{}}  {:>12}  {}\n", m.name, width, fmt_value(m, starts[k][0]), interval(m, ends[k]));
    }
    if (!full) fmt::print("({} of {} metrics; --summary full for all)\n", shown.size(), metrics.size());
  }
  if (r.scenarios.size() > 1) {
    const auto comps = compare(r, &e);
    const auto& defs = metric_definitions();
    const std::vector<std::string> headline = {"emergency_admissions", "ae_attendances", "bed_days",
                                               "delayed_discharge_bed_days", "gp_unmet_demand", "elective_waiting_list",
                                               "people_waiting_social_care", "deaths", "cost_acute_gbp",
                                               "cost_social_care_gbp", "cost_total_gbp"};
    for (const auto& c : comps) {
      fmt::print("\nScenario '{}' minus '{}' (paired by replicate, common random numbers; flows: total over the run, "
                 "stocks: at the end), mean [95% interval]\n",
                 c.scenario, r.scenarios.front().name);
      for (size_t k = 0; k < defs.size(); ++k) {
        if (std::find(headline.begin(), headline.end(), defs[k].name) == headline.end()) continue;
        const auto& series = defs[k].kind == "flow" ? c.metrics[k].cumulative : c.metrics[k].per_step;
        const double m = series.mean.back(), lo = series.lower.back(), hi = series.upper.back();
        fmt::print("{:<30}{:>16} [{}, {}]\n", defs[k].name, fmt_value(defs[k], m), fmt_value(defs[k], lo),
                   fmt_value(defs[k], hi));
      }
      // Who gains and who loses: health by deprivation quintile, money by payer and provider.
      for (size_t k = 0; k < defs.size(); ++k) {
        if (defs[k].name != "qalys" && defs[k].name != "emergency_admissions") continue;
        const auto& q = c.metrics[k].quintile_cumulative;
        if (q.empty()) continue;
        fmt::print("{} by deprivation quintile (1 = most deprived):\n", defs[k].name);
        for (size_t i = 0; i < q.size(); ++i)
          fmt::print("  quintile {:<19}{:>16} [{}, {}]\n", i + 1, fmt_value(defs[k], q[i].mean.back()),
                     fmt_value(defs[k], q[i].lower.back()), fmt_value(defs[k], q[i].upper.back()));
      }
      bool header = false;
      for (const auto& l : c.ledgers) {
        const bool provider = l.kind == "provider_ledger" && l.metric == "margin_gbp";
        const bool payer = (l.kind == "commissioner_ledger" && l.metric == "payments_gbp") ||
                           (l.kind == "investor_ledger" && l.metric == "received_gbp");
        if (!provider && !payer) continue;
        if (!header) fmt::print("money (provider margins; commissioners' payments; investor's receipts):\n");
        header = true;
        const MetricDef money{"", "GBP", "flow", "", false, {}};
        const auto& x = l.cumulative;
        fmt::print("  {:<46}{:>14} [{}, {}]\n", fmt::format("{} {}", l.group, provider ? "margin" : payer && l.kind == "investor_ledger" ? "received" : "pays"),
                   fmt_value(money, x.mean.back()), fmt_value(money, x.lower.back()), fmt_value(money, x.upper.back()));
      }
    }    // A lever on a capacity that never binds changes nothing: say so, rather than print
    // zeros that look like a finding.
    for (const auto& idle : idle_levers(e, r))
      fmt::print("\nNote: scenario '{}' changes {} of {}, which turned nobody away in the baseline or in the scenario: "
                 "this change cannot alter the results (the capacity never binds at this size and demand).\n",
                 idle.scenario, idle.capacity, idle.provider);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  fmt::print("\nRan in {:.1f} s on {} threads: {:.3g} person-steps/s; peak memory {:.0f} MB\n", r.wall_seconds,
             r.threads, static_cast<double>(r.person_steps - r.person_steps_resumed) / r.wall_seconds, static_cast<double>(ru.ru_maxrss) / 1024.0);
  fmt::print("Results: {}\n", path);
}

struct Prepared {
  Experiment e;
  OutputFile out;     //!< results file (its temporary file created and locked)
  std::string label;  //!< what is run (config path or --from file)
  bool verified = false;  //!< --from: the stored file matched its checksum
};

// Resolves the config (file + overrides, or a stored run), validates it and checks that
// the results file can be written. Throws InputError (exit 2) before anything runs.
Prepared prepare(const RunArgs& a, const char* command) {
  if (!a.part.empty()) (void)parse_part(a.part);  // a bad --part: exit 2 before anything
  std::string config_name;
  bool verified = false;
  config::Node root;
  if (!a.resume.empty() && a.config.empty()) {  // the checkpoint's own config, as stored
    const Checkpoint c(a.resume);
    if (!a.sets.empty() || a.seed >= 0 || a.replicates >= 0)
      throw InputError("error: --resume without a CONFIG continues the checkpoint's own config: --set, --seed and "
                       "--replicates cannot change it");
    root = config::parse(c.info().config_yaml, a.resume + ":config_yaml");
    config_name = c.info().config_name;
  } else if (!a.from.empty()) {
    if (!a.config.empty()) throw InputError("error: give either a CONFIG or --from FILE.h5, not both");
    StoredRun stored = read_stored_run(a.from, &verified);
    root = config::parse(stored.config_yaml, a.from + ":config_yaml");
    for (const auto& s : a.sets) config::apply_override(root, s);
    if (a.seed >= 0) config::apply_override(root, fmt::format("run.seed={}", a.seed));
    if (a.replicates >= 0) config::apply_override(root, fmt::format("run.replicates={}", a.replicates));
    config_name = stored.config_name.empty() ? fs::path(a.from).stem().string() : stored.config_name;
  } else {
    if (a.config.empty()) throw InputError(fmt::format("error: {} needs a CONFIG file (or --from FILE.h5)", command));
    root = resolve(a);
    config_name = fs::path(a.config).stem().string();
  }
  Experiment e = Experiment::from_config(root, config_name);
  std::string out = a.output;
  if (out.empty()) {
    // Distinct default names, so that validating a config does not replace its run.
    const bool validating = std::string(command) == "validate";
    const std::string part = a.part.empty() ? "" : [&] {
      const Part p = parse_part(a.part);
      return fmt::format("_part{}of{}", p.index, p.count);
    }();
    out = (fs::path("output") / (config_name + (validating ? "_validation.h5" : part + ".h5"))).string();
    fs::create_directories("output");
  }
  if (!a.force && fs::is_regular_file(out))
    throw InputError(fmt::format("error: '{}' exists; give --force to replace it, or another -o", out));
  return Prepared{std::move(e), OutputFile(out), !a.from.empty() ? a.from : !a.config.empty() ? a.config : a.resume, verified};
}

// Progress with a bar on a terminal (with elapsed time and ETA); off a terminal (a log,
// nohup, SLURM, CI), a flushed, timestamped line every 10 seconds. Empty with --quiet.
class Progress {
 public:
  static ProgressFn make(const RunArgs& a) {
    if (a.quiet) return {};
    auto state = std::make_shared<Progress>();
    return [state](uint64_t done, uint64_t total, const std::string& what) { (*state)(done, total, what); };
  }
  void operator()(uint64_t done, uint64_t total, const std::string& what) {
    std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(10000))) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - t0_).count();
    if (!based_) {  // a resumed run starts with the steps done before the stop
      based_ = true;
      base_ = done > 0 ? done - 1 : 0;
    }
    const double eta =
        done > base_ ? elapsed * static_cast<double>(total - done) / static_cast<double>(done - base_) : 0.0;
    if (tty_) {
      const int width = 30;
      const int filled = static_cast<int>(width * done / total);
      fmt::print(stderr, "\r[{}{}] {:3}%  {}/{} steps  elapsed {}  ETA {}  {:<24.24}", std::string(static_cast<size_t>(filled), '#'),
                 std::string(static_cast<size_t>(width - filled), ' '), 100 * done / total, done, total,
                 clock_text(elapsed), clock_text(eta), what);
      if (done == total) fmt::print(stderr, "\n");
    } else {
      const std::time_t wall = std::time(nullptr);
      std::tm tm{};
      localtime_r(&wall, &tm);
      fmt::print(stderr, "[{:02}:{:02}:{:02}] {:3}%  {}/{} steps  elapsed {}  ETA {}  ({})\n", tm.tm_hour, tm.tm_min,
                 tm.tm_sec, 100 * done / total, done, total, clock_text(elapsed), clock_text(eta), what);
    }
    std::fflush(stderr);
  }

 private:
  static std::string clock_text(double seconds) {
    const auto s = static_cast<long>(std::llround(seconds));
    return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60) : fmt::format("{}m{:02}s", s / 60, s % 60);
  }
  const bool tty_ = isatty(STDERR_FILENO);
  bool based_ = false;
  uint64_t base_ = 0;  //!< steps done before this process started (a resumed run)
  std::mutex mu_;
  const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = t0_;
};

// For tests (tests/mpi, and tests that stop a run with a signal mid-way): with
// HSCSIM_TEST_SLOW_RANK=k, rank k (0: one process) takes 20 ms more a step, so that the
// others take more of the replicates, or a signal some time in comes mid-run on any
// machine. The results are not changed.
ProgressFn slowed_for_tests(ProgressFn inner) {
  const char* f = std::getenv("HSCSIM_TEST_SLOW_RANK");
  if (!f || std::atoi(f) != comm::rank()) return inner;
  return [inner](uint64_t done, uint64_t total, const std::string& name) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (inner) inner(done, total, name);
  };
}

RunResult execute(const Prepared& p, const RunArgs& a, const Checkpointing* checkpoints = nullptr) {
  const ProgressFn progress = slowed_for_tests(Progress::make(a));
  if (!a.quiet) {
    if (!a.from.empty())
      fmt::print("{}: {}\n", a.from,
                 p.verified ? "intact (its config and results match the checksum stored with them)"
                            : "has no checksum (written by an older hscsim); not verified");
    const auto& params = p.e.scenarios.front().params;
    fmt::print("hscsim {}: {} ({} people, {:g} years, {} scenario(s) x {} replicate(s), seed {})\n",
               build_info::version(), p.label, fmt_count(static_cast<double>(params.population.size)),
               params.clock.years, p.e.scenarios.size(), p.e.replicates, p.e.seed);
  }
  return run_experiment(p.e, a.threads, progress, a.part.empty() ? Part{} : parse_part(a.part), checkpoints, a.decompose);
}

// Runs `check` (reading and checking the inputs, opening the output) on rank 0 only and
// returns on every rank the exit code to stop with, 0 to go on: with several ranks an
// input error is printed once, on rank 0, and every rank returns 2; with one process it
// propagates as usual.
template <typename F>
int checked_on_root(F&& check) {
  int status = 0;
  if (comm::rank() == 0) {
    try {
      check();
    } catch (const InputError& e) {
      if (comm::size() == 1) throw;
      std::cerr << e.what() << "\n";
      status = 2;
    }
  }
  return comm::broadcast(status);
}

// Writes the results (or, with --part, the part file) and prints the summary.
int finish_run(Prepared& p, const RunResult& r, const RunArgs& a) {
  if (a.part.empty()) {
    write_results(p.out, p.e, r);
    if (!a.quiet) print_summary(p.e, r, p.out.path(), a.summary == "full");
    return 0;
  }
  const Part part = parse_part(a.part);
  write_part(p.out, p.e, r, part);
  if (!a.quiet) {
    std::vector<std::string> reps;
    for (size_t k = 0; k < p.e.replicates; ++k)
      if (part.has(k)) reps.push_back(std::to_string(k));
    fmt::print("\nPart {} of {}: replicate(s) {} of {} in {:.1f} s\nPart file: {}\nWhen every part is done: hscsim merge "
               "PART_FILES... -o {}.h5\n",
               part.index, part.count, reps.empty() ? "none" : fmt::format("{}", fmt::join(reps, ", ")), p.e.replicates,
               r.wall_seconds, p.out.path(), p.e.config_name);
  }
  return 0;
}

int cmd_merge(const std::vector<std::string>& files, std::string out, bool force, bool quiet) {
  std::vector<PartFile> parts;
  for (const auto& f : files) parts.push_back(read_part(f));
  Merged m = merge_parts(parts);
  if (out.empty()) {
    out = (fs::path("output") / (m.e.config_name + ".h5")).string();
    fs::create_directories("output");
  }
  if (!force && fs::is_regular_file(out))
    throw InputError(fmt::format("error: '{}' exists; give --force to replace it, or another -o", out));
  OutputFile file(out);
  write_results(file, m.e, m.r);
  if (!quiet) print_summary(m.e, m.r, file.path(), false);
  return 0;
}

// `mpirun -np N hscsim run ...`: rank 0 reads and checks the config and the output path,
// and broadcasts the resolved config (or that it failed: every rank then exits 2, the
// message printed once); each rank runs its replicates; rank 0 gathers them and writes
// the one file, the same as a single process would.
void parse_checkpoint_every(const std::string& text, const Clock& clock, Checkpointing& cp);

// Runs `check` on every rank; an InputError on any rank is printed there and every rank
// returns 2 (0: go on).
template <typename F>
int checked_on_every_rank(F&& check) {
  double status = 0;
  try {
    check();
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
    status = 2;
  }
  return static_cast<int>(comm::max(status));
}

// A run stopped for a signal after saving its checkpoint at `path` (a decomposed run over
// `ranks` ranks: and the other ranks' files beside it): says where its state is and the
// command that resumes it; returns the exit code.
int report_checkpointed(const RunArgs& a, const Interrupted& e, uint64_t done, uint64_t total, const std::string& path,
                        int ranks) {
  std::string again = ranks > 1 ? fmt::format("mpirun -np {} hscsim run", ranks) : "hscsim run";
  if (!a.config.empty()) {
    again += " " + a.config;
    for (const auto& s : a.sets) again += " --set " + s;
    if (a.seed >= 0) again += fmt::format(" --seed {}", a.seed);
    if (a.replicates >= 0) again += fmt::format(" --replicates {}", a.replicates);
  }
  again += " --resume " + path;
  if (ranks > 1) again += " --decompose";
  if (a.force) again += " --force";
  const std::string where =
      ranks > 1 ? fmt::format("{} and {} other rank file(s) ({}.rank1...)", path, ranks - 1, path) : path;
  std::cerr << fmt::format("hscsim: {}; the run's state after {} of {} steps is saved in {}\nResume with: {}\n(exit {}; "
                           "no results file was written)\n",
                           e.what(), fmt_count(static_cast<double>(done)), fmt_count(static_cast<double>(total)), where,
                           again, kExitCheckpointed);
  return kExitCheckpointed;
}

int cmd_run_ranks(const RunArgs& given) {
  const bool root = comm::rank() == 0;
  RunArgs a = given;
  const bool asked = !a.checkpoint_every.empty() || !a.checkpoint.empty() || !a.resume.empty();
  // A decomposed run saves a checkpoint when a signal stops it, as one process does
  // (unless --no-checkpoint); an ensemble across ranks takes none.
  const bool checkpointing = asked || (a.decompose && !a.no_checkpoint);
  std::optional<Prepared> p;
  std::string checkpoint;  // rank 0's checkpoint file (each rank's: rank_path)
  if (const int status = checked_on_root([&] {
        // A decomposed run's checkpoint is a file per rank; rank 0's holds what the run
        // needs to start (config, output).
        if (!a.resume.empty()) {
          if (!a.from.empty()) throw InputError("error: give --resume CHECKPOINT or --from FILE.h5, not both");
          // (A set left half-written may have rank 0's file of the step before as .prev.)
          std::error_code ec;
          const std::string prev = rank_checkpoints::previous(a.resume);
          const Checkpoint c(!fs::exists(a.resume, ec) && fs::is_regular_file(prev, ec) ? prev : a.resume);
          if (a.output.empty()) a.output = c.info().output;
          if (a.part.empty()) a.part = c.info().part;
        }
        if (a.no_checkpoint && asked)
          throw InputError("error: --no-checkpoint cannot go with --checkpoint-every, --checkpoint or --resume");
        p.emplace(prepare(a, "run"));
        if (checkpointing) {
          checkpoint = !a.checkpoint.empty() ? a.checkpoint
                       : !a.resume.empty()   ? a.resume
                                             : fs::path(p->out.path()).replace_extension(".checkpoint.h5").string();
          if (fs::weakly_canonical(checkpoint) == fs::weakly_canonical(p->out.path()))
            throw InputError(fmt::format("error: --checkpoint '{}' is the results file; give the checkpoint another name", checkpoint));
          if (!a.checkpoint_every.empty()) {
            Checkpointing probe;
            parse_checkpoint_every(a.checkpoint_every, p->e.scenarios.front().params.clock, probe);
          }
        }
      }))
    return status;
  const std::string yaml = comm::broadcast(root ? p->e.config_yaml : std::string());
  const std::string name = comm::broadcast(root ? p->e.config_name : std::string());
  checkpoint = comm::broadcast(checkpoint);
  a.output = comm::broadcast(root ? p->out.path() : std::string());
  a.part = comm::broadcast(a.part);
  std::optional<Experiment> other;
  if (!root) other.emplace(Experiment::from_config(config::parse(yaml, "the config from rank 0"), name));
  const Experiment& e = root ? p->e : *other;

  // Checkpoints of a decomposed run: every rank saves its own file at the same step (the
  // decision to save is collective) and resumes from it (model/io/checkpoint.hpp,
  // rank_checkpoints: a set left half-written resumes from the step before); a set
  // written by another number of ranks is refused.
  std::optional<Checkpoint> resume;
  Checkpointing cp;
  bool saved_for_signal = false;
  uint64_t saved_done = 0, saved_total = 0;
  if (checkpointing) {
    std::vector<Checkpoint> candidates;
    if (const int status = checked_on_every_rank([&] {
          if (!a.resume.empty()) candidates = rank_checkpoints::candidates(a.resume, comm::rank(), comm::size(), yaml);
        }))
      return status;
    if (!a.resume.empty()) {
      const int64_t step = rank_checkpoints::common_step(candidates);
      if (step < 0) {
        if (root)
          std::cerr << fmt::format("error: --resume '{}': the ranks' checkpoint files have no step in common; start the "
                                   "run again\n",
                                   a.resume);
        return 2;
      }
      resume.emplace(rank_checkpoints::settle(a.resume, comm::rank(), candidates, static_cast<uint64_t>(step)));
      cp.resume = [&](const std::function<void(archive::Io&)>& state) { resume->read(state); };
      if (root && !a.quiet)
        fmt::print("Resuming {} and its {} other rank file(s) ({} of {} steps done, saved {})\n", resume->path(),
                   comm::size() - 1, fmt_count(static_cast<double>(resume->info().steps_done)),
                   fmt_count(static_cast<double>(resume->info().steps_total)), resume->info().created_utc);
    }
    if (!a.checkpoint_every.empty()) parse_checkpoint_every(a.checkpoint_every, e.scenarios.front().params.clock, cp);
    cp.on_signal = true;
    cp.save = [&](uint64_t done, uint64_t total, const std::function<void(archive::Io&)>& state) {
      const auto t0 = std::chrono::steady_clock::now();
      CheckpointInfo info;
      info.config_yaml = yaml;
      info.config_name = name;
      info.output = a.output;
      info.part = a.part;
      info.steps_done = done;
      info.steps_total = total;
      info.ranks = static_cast<uint64_t>(comm::size());
      info.rank = static_cast<uint64_t>(comm::rank());
      std::string why;
      if (!rank_checkpoints::write(checkpoint, info, state, why)) {
        // Every rank's files are the previous set again. For a signal the run ends (exit
        // 1); a periodic checkpoint is skipped and the run goes on.
        if (interrupt::pending())
          throw RuntimeFailure(why.empty() ? "another rank could not write its checkpoint; the previous one, if any, is kept"
                                           : why + "; the previous checkpoint, if any, is kept");
        if (!why.empty()) fmt::print(stderr, "\nwarning: rank {}: {}; the run goes on\n", comm::rank(), why);
        return;
      }
      if (interrupt::pending()) {
        saved_for_signal = true;
        saved_done = done;
        saved_total = total;
        return;
      }
      if (root && !a.quiet)
        fmt::print(stderr, "\ncheckpoint: {} of {} steps saved to {} (and {}.rank1...) in {:.1f} s\n",
                   fmt_count(static_cast<double>(done)), fmt_count(static_cast<double>(total)), checkpoint, checkpoint,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      // For the test of resuming (tests/mpi/domain_test.sh): the job is killed right after
      // its first checkpoint, once every rank has saved.
      if (std::getenv("HSCSIM_TEST_KILL_AFTER_CHECKPOINT")) {
        (void)comm::sum(uint64_t{1});
        comm::abort(9, "HSCSIM_TEST_KILL_AFTER_CHECKPOINT: the job stops after its first checkpoint");
      }
    };
  }

  // For the test of a failing rank (tests/mpi/mpi_test.sh): this rank fails as a real
  // failure would, with a message, mid-job.
  if (const char* f = std::getenv("HSCSIM_TEST_FAIL_RANK"); f && std::atoi(f) == comm::rank())
    throw RuntimeFailure("HSCSIM_TEST_FAIL_RANK: this rank was told to fail");
  if (root && !a.quiet) {
    if (a.decompose)
      fmt::print("MPI: {} ranks x {} threads; each replicate's people split over the ranks by GP practice (domain "
                 "decomposition)\n",
                 comm::size(), a.threads > 0 ? a.threads : tbb::info::default_concurrency());
    else
      fmt::print("MPI: {} ranks x {} threads; each rank asks rank 0 for replicates until none are left\n", comm::size(),
                 a.threads > 0 ? a.threads : tbb::info::default_concurrency());
  }
  const ProgressFn slow = slowed_for_tests({});
  const Checkpointing* cpp = checkpointing ? &cp : nullptr;
  RunResult r;
  try {
    r = root ? execute(*p, a, cpp)
             : run_experiment(e, a.threads, slow, a.part.empty() ? Part{} : parse_part(a.part), cpp, a.decompose);
  } catch (const Interrupted& err) {
    // Every rank of a decomposed run stops at the same step and saves its file.
    if (!saved_for_signal) throw;
    if (!root) return kExitCheckpointed;
    return report_checkpointed(a, err, saved_done, saved_total, checkpoint, comm::size());
  }
  // The run is complete: every rank's checkpoint file is of no more use.
  if (checkpointing) {
    if (rank_checkpoints::remove(checkpoint, comm::rank()) && root && !a.quiet)
      fmt::print("Checkpoint {} (and the other ranks' files) removed (the run is complete)\n", checkpoint);
  }
  if (!root) return 0;
  if (!a.quiet && a.decompose) {
    std::vector<std::string> per;
    for (size_t k = 0; k < r.people_by_rank.size(); ++k)
      per.push_back(fmt::format("rank {}: {} ({:.0f} MB)", k, fmt_count(static_cast<double>(r.people_by_rank[k])),
                                static_cast<double>(r.peak_bytes_by_rank[k]) / 1048576.0));
    fmt::print("MPI: people per rank at the start (peak memory over the run): {}\n", fmt::join(per, "; "));
  }
  if (!a.quiet && !a.decompose) {
    std::vector<std::string> per;
    for (size_t k = 0; k < r.replicates_by_rank.size(); ++k)
      per.push_back(fmt::format("rank {}: {}", k, r.replicates_by_rank[k].empty() ? "none" : fmt::format("{}", fmt::join(r.replicates_by_rank[k], ","))));
    fmt::print("MPI: replicates run by {}\n", fmt::join(per, "; "));
  }
  return finish_run(*p, r, a);
}

// --checkpoint-every: a wall time ("90s", "30min", "2h") or a simulated one ("26w", "1y",
// "500steps": steps of the run, every job's together). InputError otherwise.
void parse_checkpoint_every(const std::string& text, const Clock& clock, Checkpointing& cp) {
  double x = 0;
  char unit[16] = {0};
  int used = 0;
  const auto bad = [&] {
    return InputError(fmt::format("error: --checkpoint-every '{}': expected a wall time (90s, 30min, 2h) or a simulated "
                                  "time (26w, 1y, 500steps: counted over every scenario and replicate of the run together), "
                                  "a positive number with its unit",
                                  text));
  };
  if (std::sscanf(text.c_str(), "%lf%15s%n", &x, unit, &used) != 2 || static_cast<size_t>(used) != text.size() ||
      !std::isfinite(x) || x <= 0)
    throw bad();
  const std::string u = unit;
  if (u == "s") cp.every_seconds = x;
  else if (u == "min") cp.every_seconds = 60 * x;
  else if (u == "h") cp.every_seconds = 3600 * x;
  else if (u == "steps" || u == "step") cp.every_steps = static_cast<uint64_t>(std::ceil(x));
  else if (u == "y" || u == "w") {
    const double years = u == "y" ? x : x * 7 / kDaysPerYear;
    cp.every_steps = static_cast<uint64_t>(std::max(1.0, std::round(years * clock.steps_per_year)));
  } else {
    throw bad();
  }
  if (cp.every_seconds > 0 && cp.every_seconds < 1) throw bad();
}

int cmd_run(const RunArgs& given) {
  const bool checkpointing = !given.checkpoint_every.empty() || !given.checkpoint.empty() || !given.resume.empty();
  if (comm::size() > 1) {
    if (checkpointing && !given.decompose)
      throw InputError("error: --checkpoint-every, --checkpoint and --resume are for one process or a decomposed run "
                       "(--decompose); across MPI ranks otherwise, split the run into parts (--part K/N) so that a stopped "
                       "job redoes only its own part (docs/hpc.md)");
    return cmd_run_ranks(given);
  }
  RunArgs a = given;
  std::optional<Checkpoint> resume;
  if (!a.resume.empty()) {
    if (!a.from.empty()) throw InputError("error: give --resume CHECKPOINT or --from FILE.h5, not both");
    resume.emplace(a.resume);
    const CheckpointInfo& info = resume->info();
    if (a.output.empty()) a.output = info.output;
    if (a.part.empty()) a.part = info.part;
    else if (a.part != info.part)
      throw InputError(fmt::format("error: --resume '{}' is {}, not --part {}", a.resume,
                                   info.part.empty() ? "the whole run" : "part " + info.part, a.part));
  }
  if (a.no_checkpoint && checkpointing)
    throw InputError("error: --no-checkpoint cannot go with --checkpoint-every, --checkpoint or --resume");
  Prepared p = prepare(a, "run");
  if (resume) resume->check_matches(p.e.config_yaml);
  // Checkpoints go beside the results (or where --checkpoint says; a resumed run goes on
  // writing to the file it resumed from).
  std::string path = a.checkpoint;
  if (path.empty()) path = resume ? resume->path() : fs::path(p.out.path()).replace_extension(".checkpoint.h5").string();
  if (fs::weakly_canonical(path) == fs::weakly_canonical(p.out.path()))
    throw InputError(fmt::format("error: --checkpoint '{}' is the results file; give the checkpoint another name", path));
  if (!a.no_checkpoint) OutputFile probe(path);  // refuses a folder, a device, a missing folder, a file being written
  Checkpointing cp;
  cp.on_signal = !a.no_checkpoint;
  if (!a.checkpoint_every.empty()) parse_checkpoint_every(a.checkpoint_every, p.e.scenarios.front().params.clock, cp);
  bool saved_for_signal = false;
  uint64_t saved_done = 0, saved_total = 0;
  cp.save = [&](uint64_t done, uint64_t total, const std::function<void(archive::Io&)>& state) {
    const auto t0 = std::chrono::steady_clock::now();
    CheckpointInfo info;
    info.config_yaml = p.e.config_yaml;
    info.config_name = p.e.config_name;
    info.output = p.out.path();
    info.part = a.part;
    info.steps_done = done;
    info.steps_total = total;
    if (interrupt::pending()) {
      write_checkpoint(path, info, state);  // on failure the run ends (exit 1), an earlier checkpoint kept
    } else {
      try {
        write_checkpoint(path, info, state);
      } catch (const RuntimeFailure& err) {  // a periodic checkpoint that cannot be written: the run goes on
        fmt::print(stderr, "\nwarning: {}; the run goes on (the last checkpoint, if any, is kept)\n", err.what());
        return;
      }
    }
    saved_for_signal = interrupt::pending() != 0;
    saved_done = done;
    saved_total = total;
    if (!a.quiet && !saved_for_signal)
      fmt::print(stderr, "\ncheckpoint: {} of {} steps saved to {} in {:.1f} s\n", fmt_count(static_cast<double>(done)),
                 fmt_count(static_cast<double>(total)), path,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
  if (resume) {
    cp.resume = [&](const std::function<void(archive::Io&)>& state) { resume->read(state); };
    if (!a.quiet)
      fmt::print("Resuming {} ({} of {} steps done, saved {})\n", resume->path(),
                 fmt_count(static_cast<double>(resume->info().steps_done)),
                 fmt_count(static_cast<double>(resume->info().steps_total)), resume->info().created_utc);
  }
  RunResult r;
  try {
    r = execute(p, a, &cp);
  } catch (const Interrupted& e) {
    if (!saved_for_signal) throw;
    return report_checkpointed(a, e, saved_done, saved_total, path, 1);
  }
  const int status = finish_run(p, r, a);
  // The run is complete: its checkpoint is of no more use.
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && fs::remove(path, ec) && !a.quiet)
    fmt::print("Checkpoint {} removed (the run is complete)\n", path);
  return status;
}

struct ValidateArgs {
  std::string targets;
  std::string csv;
  bool strict = false;
};

int cmd_validate(const RunArgs& a, ValidateArgs v) {
  Prepared p = prepare(a, "validate");
  if (v.targets.empty()) {
    if (a.config.empty()) throw InputError("error: validate --from needs --targets FILE");
    v.targets = (fs::path(a.config).parent_path() / "targets.yaml").string();
    if (!fs::exists(v.targets))
      throw InputError(fmt::format("error: no --targets given and no targets.yaml next to '{}'", a.config));
  }
  const TargetSet targets = TargetSet::load(v.targets);
  const Clock& clock = p.e.scenarios.front().params.clock;
  targets.check(clock);
  if (v.csv.empty()) {
    fs::path csv(p.out.path());
    v.csv = (csv.parent_path() / (csv.stem().string() + "_validation.csv")).string();
  }
  OutputFile csv(v.csv);
  RunResult r = execute(p, a);
  const auto rows = validate(targets, r.scenarios.front(), clock);
  write_results(p.out, p.e, r, &rows);
  write_text_file(csv, validation_csv(rows));
  size_t failed = 0;
  for (const auto& row : rows) failed += !row.pass;
  if (!a.quiet) {
    const double to = std::min(targets.to_year, clock.years);
    fmt::print("\nValidation of scenario '{}' against {} ({} replicates; years {:g} to {:g} of the run, {} to {})\n",
               r.scenarios.front().name, v.targets, p.e.replicates, targets.from_year, to,
               clock.start_year + targets.from_year, clock.start_year + to);
    fmt::print("{}", validation_table(rows));
    fmt::print("\nRan in {:.1f} s on {} threads\nResults: {} (/validation)\nTable:   {}\n", r.wall_seconds, r.threads,
               p.out.path(), v.csv);
  }
  return v.strict && failed ? 3 : 0;
}

struct CalibrateArgs {
  std::string targets;
  std::string params;
  std::string overlay;
  std::string record;
};

int cmd_calibrate(const RunArgs& a, CalibrateArgs c) {
  if (a.config.empty()) throw InputError("error: calibrate needs a CONFIG file");
  const config::Node root = resolve(a);
  const std::string config_name = fs::path(a.config).stem().string();
  const Experiment e = Experiment::from_config(root, config_name);
  const TargetSet targets = TargetSet::load(c.targets);
  targets.check(e.scenarios.front().params.clock);
  CalibrationSpec spec = CalibrationSpec::load(c.params);
  prepare_calibration(spec, root, targets);
  if (c.overlay.empty()) {
    c.overlay = (fs::path("output") / (config_name + "_calibration.yaml")).string();
    fs::create_directories("output");
  }
  if (c.record.empty()) {
    fs::path o(c.overlay);
    c.record = (o.parent_path() / (o.stem().string() + "_fit.yaml")).string();
  }
  OutputFile overlay(c.overlay), record(c.record);
  std::vector<std::string> names;
  for (const auto& t : targets.targets)
    if (spec.targets.empty() || std::find(spec.targets.begin(), spec.targets.end(), t.name) != spec.targets.end())
      names.push_back(t.name);
  if (!a.quiet) {
    fmt::print("hscsim {}: calibrating {} ({} people, {:g} years, {} replicate(s), seed {}, common random numbers)\n",
               build_info::version(), a.config, fmt_count(static_cast<double>(e.scenarios.front().params.population.size)),
               e.scenarios.front().params.clock.years, e.replicates, e.seed);
    fmt::print("{} parameter(s), {} target(s), {} with at most {} evaluations\n", spec.params.size(), names.size(),
               spec.algorithm, spec.max_evaluations);
  }
  const CalibrationResult r = calibrate(root, config_name, targets, spec, a.threads, [&](const Evaluation& ev) {
    if (a.quiet) return;
    std::vector<std::string> xs;
    for (double v : ev.x) xs.push_back(fmt::format("{:.5g}", v));
    fmt::print("  evaluation {:>3}: objective {:>10.4g}  [{}]\n", ev.index, ev.objective, fmt::join(xs, ", "));
    std::fflush(stdout);
  });
  std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  const std::string header = fmt::format(
      "Fitted by hscsim calibrate {} (commit {}) on {}.\nConfig: {}; targets: {} ({}); parameters: {};\n"
      "{} replicate(s), seed {} (common random numbers), {} people, {:g} years.",
      build_info::version(), build_info::git_commit(), date, a.config, c.targets, fmt::join(names, ", "), c.params,
      e.replicates, e.seed, e.scenarios.front().params.population.size, e.scenarios.front().params.clock.years);
  write_text_file(overlay, calibration_overlay(spec, r, header));
  write_text_file(record, calibration_record(spec, r, header));
  if (!a.quiet) {
    fmt::print("\nObjective {:.4g} at the start, {:.4g} fitted ({} evaluations, {:.0f} s; {})\n", r.start_objective,
               r.best_objective, r.evaluations.size(), r.wall_seconds, r.stop_reason);
    for (size_t k = 0; k < spec.params.size(); ++k) {
      fmt::print("  {:<48} {:>10.5g}  (start {:.5g}, bounds [{:.5g}, {:.5g}])\n", spec.params[k].key, r.best[k],
                 spec.params[k].start, spec.params[k].lower, spec.params[k].upper);
      if (k < r.profiles.size()) fmt::print("    {}\n", profile_summary(r.profiles[k]));
    }
    fmt::print("\nFitted targets at the fitted values:\n{}", validation_table(r.residuals));
    fmt::print("\nOverlay: {}\nRecord:  {}\n", c.overlay, c.record);
  }
  return 0;
}

struct SensitivityArgs {
  std::string params;
  std::string method;  //!< overrides the params file's method when given
};

// Across MPI ranks, rank 0 reads and checks the config, the params file and the output
// path and broadcasts the texts (an error: printed once, every rank exits 2); every rank
// runs its share of the design; rank 0 writes.
int cmd_sensitivity(const RunArgs& a, const SensitivityArgs& c) {
  const bool root = comm::rank() == 0;
  std::string yaml, config_name, params_yaml;
  std::optional<OutputFile> file;
  const int status = checked_on_root([&] {
    if (a.config.empty()) throw InputError("error: sensitivity needs a CONFIG file");
    const config::Node tree = resolve(a);
    config_name = fs::path(a.config).stem().string();
    const Experiment e = Experiment::from_config(tree, config_name);
    SensitivitySpec spec = SensitivitySpec::load(c.params);
    if (!c.method.empty()) spec.method = c.method;
    prepare_sensitivity(spec, tree, e);
    std::string out = a.output;
    if (out.empty()) {
      out = (fs::path("output") / (config_name + "_sensitivity_" + spec.method + ".h5")).string();
      fs::create_directories("output");
    }
    if (!a.force && fs::is_regular_file(out))
      throw InputError(fmt::format("error: '{}' exists; give --force to replace it, or another -o", out));
    file.emplace(out);
    std::ifstream in(c.params);
    params_yaml.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    yaml = e.config_yaml;
  });
  if (status) return status;
  yaml = comm::broadcast(yaml);
  config_name = comm::broadcast(config_name);
  params_yaml = comm::broadcast(params_yaml);
  // Every rank from the same texts (rank 0 too, so all build the same design).
  const config::Node tree = config::parse(yaml, a.config + " (resolved)");
  const Experiment e = Experiment::from_config(tree, config_name);
  SensitivitySpec spec = SensitivitySpec::read(config::parse(params_yaml, c.params));
  if (!c.method.empty()) spec.method = c.method;
  prepare_sensitivity(spec, tree, e);
  if (root && !a.quiet) {
    const auto& params = e.scenarios.front().params;
    std::set<std::string> scenarios;
    for (const auto& o : spec.outputs) {
      scenarios.insert(o.scenario);
      if (!o.versus.empty()) scenarios.insert(o.versus);
    }
    fmt::print("hscsim {}: sensitivity of {} ({} people, {:g} years, seed {}) by {}\n", build_info::version(), a.config,
               fmt_count(static_cast<double>(params.population.size)), params.clock.years, e.seed, spec.method);
    fmt::print("{} parameter(s), {} output(s): {} design points x {} scenario(s) x {} replicate(s) = {} runs{}\n",
               spec.params.size(), spec.outputs.size(), spec.points(), scenarios.size(), e.replicates,
               spec.points() * scenarios.size() * e.replicates,
               comm::size() > 1 ? fmt::format(" across {} MPI ranks", comm::size()) : "");
  }
  const SensitivityResult r = run_sensitivity(tree, config_name, spec, a.threads, root ? Progress::make(a) : ProgressFn{});
  if (!root) return 0;
  write_sensitivity(*file, e, spec, r, params_yaml);
  if (!a.quiet) {
    fmt::print("{}", sensitivity_table(spec, r));
    fmt::print("\nRan {} runs in {:.1f} s on {} threads\nResults: {}  (report: scripts/report {})\n", r.runs,
               r.wall_seconds, r.threads, file->path(), file->path());
  }
  return 0;
}

int cmd_check(const RunArgs& a) {
  config::Node root = resolve(a);
  Experiment e = Experiment::from_config(root, fs::path(a.config).stem().string());
  std::cout << "# resolved config: " << a.config << " (valid)\n" << e.config_yaml;
  return 0;
}

int cmd_info(bool metrics, const std::vector<std::string>& reference) {
  if (metrics) {
    std::cout << metrics_markdown();
    return 0;
  }
  if (!reference.empty()) {
    std::vector<std::string> names;
    for (const auto& r : reference) {
      if (!fs::exists(r)) throw InputError(fmt::format("error: config '{}' not found", r));
      names.push_back(r);
    }
    std::cout << config_reference(reference, names);
    return 0;
  }
  fmt::print("hscsim {}\n", build_info::version());
  fmt::print("git commit      {}\n", build_info::git_commit());
  fmt::print("build type      {}\n", build_info::build_type());
  fmt::print("compiler        {}\n", build_info::compiler());
  fmt::print("results schema  {} (format \"{}\")\n", kSchemaVersion, kFormatName);
  fmt::print("TBB             {}.{} (threads available: {})\n", TBB_VERSION_MAJOR, TBB_VERSION_MINOR,
             tbb::info::default_concurrency());
  fmt::print("HDF5            {}.{}.{}\n", H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE);
  fmt::print("yaml-cpp        0.7 (Debian)\n");
  fmt::print("fmt             {}.{}.{}\n", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100);
  fmt::print("Random123       Philox4x32-10\n");
  fmt::print("state bytes/person {}\n", People::bytes_per_person());
  if (comm::built_with_mpi())
    fmt::print("MPI             yes: {} (ensemble mode: mpirun -np N hscsim run ...; {} rank(s) now)\n",
               comm::library_version(), comm::size());
  else
    fmt::print("MPI             no (configure with -DHSCSIM_MPI=ON for ensembles across ranks)\n");
  return 0;
}

}  // namespace

int run_main(int argc, char** argv);

int main(int argc, char** argv) {
  comm::init(&argc, &argv);
  const int code = run_main(argc, argv);
  comm::finalize();
  return code;
}

// With more than one rank, a failure on any rank ends the whole job with its message (the
// others would otherwise wait for its results for ever).
int fail(int code, const std::string& message) {
  if (comm::size() > 1) comm::abort(code, fmt::format("rank {} of {}: {}", comm::rank(), comm::size(), message));
  std::cerr << message << "\n";
  return code;
}

int run_main(int argc, char** argv) {
  // Lines reach a log as they are printed (a run killed by a signal leaves what it said).
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  CLI::App app{"hscsim: an agent-based model of a health and social care system"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("hscsim ") + build_info::version() + " (" + build_info::git_commit() + ")");
  app.footer(
      "Examples:\n"
      "  hscsim run configs/default.yaml -o output/default.h5\n"
      "  hscsim run configs/scenarios/aco_global_budget.yaml --set population.size=20000 --replicates 4\n"
      "  hscsim validate configs/england/baseline.yaml\n"
      "  hscsim export output/default.h5 --csv output/default_csv\n"
      "  scripts/report output/default.h5\n"
      "Exit codes: 0 success; 1 runtime failure (nothing left behind); 2 invalid input (nothing written);\n"
      "3 validate --strict with a target outside its tolerance; 75 run stopped by a signal after saving a checkpoint\n"
      "(resume with --resume); 128 + signal when stopped without one (130 SIGINT, 143 SIGTERM, 129 SIGHUP, 138 SIGUSR1).\n"
      "Docs: README.md, docs/config.md, output/README.md");
  RunArgs run_args, check_args, validate_args, calibrate_args, sensitivity_args;
  CalibrateArgs calibrate_opts;
  ValidateArgs validate_opts;
  bool info_metrics = false;
  std::vector<std::string> info_reference;

  auto* run = app.add_subcommand("run", "run a config and write an HDF5 results file");
  run->add_option("config", run_args.config, "config file (YAML)");
  run->add_option("--from", run_args.from, "reproduce the run stored in a results file");
  run->add_option("-o,--output", run_args.output, "results file (default: output/<config name>.h5)");
  run->add_option("--part", run_args.part,
                  "run part K of N of the replicates (K/N, K from 0; replicates r with r % N == K) into a part file "
                  "for hscsim merge (job arrays)");
  add_run_options(run, run_args, "replicates (overrides run.replicates)");
  run->add_option("--checkpoint-every", run_args.checkpoint_every,
                  "save the run's whole state every wall time (90s, 30min, 2h) or simulated time (26w, 1y, 500steps; "
                  "over the run's scenarios and replicates together) to the checkpoint file");
  run->add_option("--checkpoint", run_args.checkpoint,
                  "checkpoint file (default: the results path with .checkpoint.h5; when resuming, the file resumed)");
  run->add_option("--resume", run_args.resume,
                  "continue a run from its checkpoint (with its CONFIG and --set options, or alone to use the "
                  "checkpoint's config); the results equal the uninterrupted run's");
  run->add_flag("--no-checkpoint", run_args.no_checkpoint,
                "a signal abandons the run (exit 128 + signal) instead of saving a checkpoint (exit 75)");
  run->add_flag("--decompose", run_args.decompose,
                "under mpirun: split each replicate's people over the ranks by GP practice (domain decomposition: "
                "memory per rank ~1/ranks) instead of giving each rank whole replicates; the results are the same bits");

  auto* validate = app.add_subcommand(
      "validate", "run the baseline and compare it with published figures (table printed, CSV and HDF5 written)");
  validate->add_option("config", validate_args.config, "config file (YAML)");
  validate->add_option("--from", validate_args.from, "validate the run stored in a results file (re-runs it)");
  validate->add_option("--targets", validate_opts.targets, "targets file (default: targets.yaml next to CONFIG)");
  validate->add_option("-o,--output", validate_args.output, "results file (default: output/<config name>.h5)");
  validate->add_option("--csv", validate_opts.csv, "table as CSV (default: <results stem>_validation.csv)");
  validate->add_flag("--strict", validate_opts.strict, "exit 3 if any target is outside its tolerance");
  add_run_options(validate, validate_args, "replicates (overrides run.replicates)");

  auto* calib = app.add_subcommand(
      "calibrate", "fit uncertain parameters to targets with NLopt; write a YAML overlay and a record of the fit");
  calib->add_option("config", calibrate_args.config, "config file (YAML)")->required();
  calib->add_option("--targets", calibrate_opts.targets, "targets file (YAML)")->required();
  calib->add_option("--params", calibrate_opts.params, "parameters to fit, bounds, algorithm and budget (YAML)")->required();
  calib->add_option("-o,--output", calibrate_opts.overlay, "overlay of fitted values (default: output/<config>_calibration.yaml)");
  calib->add_option("--record", calibrate_opts.record, "record of the fit (default: <overlay stem>_fit.yaml)");
  add_run_options(calib, calibrate_args, "replicates per evaluation (overrides run.replicates)");

  SensitivityArgs sensitivity_opts;
  auto* sens = app.add_subcommand(
      "sensitivity", "global sensitivity analysis (Morris elementary effects or Sobol' indices) over parameter ranges");
  sens->add_option("config", sensitivity_args.config, "config file (YAML)")->required();
  sens->add_option("--params", sensitivity_opts.params, "parameters and ranges, outputs and design size (YAML)")->required();
  sens->add_option("--method", sensitivity_opts.method, "morris or sobol (overrides the params file)")
      ->check(CLI::IsMember(sensitivity_methods()));
  sens->add_option("-o,--output", sensitivity_args.output,
                   "results file (default: output/<config name>_sensitivity_<method>.h5)");
  add_run_options(sens, sensitivity_args, "replicates per design point (overrides run.replicates)");

  auto* check = app.add_subcommand("check", "check a config for errors (nothing runs) and print it resolved");
  check->add_option("config", check_args.config, "config file (YAML)")->required();
  check->add_option("--set", check_args.sets, "override a config value: key.path=value (repeatable)");

  std::vector<std::string> merge_files;
  std::string merge_output;
  bool merge_force = false, merge_quiet = false;
  auto* merge = app.add_subcommand("merge", "combine the part files of one run (run --part K/N) into its results file");
  merge->add_option("parts", merge_files, "part files (every part of one run, once)")->required();
  merge->add_option("-o,--output", merge_output, "results file (default: output/<config name>.h5)");
  merge->add_flag("--force", merge_force, "replace the results file if it exists");
  merge->add_flag("--quiet", merge_quiet, "print nothing but errors");

  std::string export_file, export_dir;
  bool export_force = false;
  auto* exp = app.add_subcommand("export", "write a results file's groups as tidy CSV files, with a README.txt of columns and units");
  exp->add_option("results", export_file, "results file (HDF5)")->required();
  exp->add_option("--csv", export_dir, "folder for the CSV files (must exist)")->required();
  exp->add_flag("--force", export_force, "replace CSV files already in the folder");

  auto* info = app.add_subcommand("info", "version, commit, build options and library versions");
  info->add_flag("--metrics", info_metrics, "print the metric dictionary (Markdown)");
  info->add_option("--config-reference", info_reference,
                   "print the config reference (Markdown) for the keys these configs exercise");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A misspelt subcommand: say which ones there are, and the nearest.
    if (argc > 1 && argv[1][0] != '-') {
      std::vector<std::string> names;
      for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
      if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
        std::cerr << fmt::format("error: unknown command '{}'{} Commands: {}. See hscsim --help.\n", argv[1],
                                 config::did_you_mean(argv[1], names, "."), fmt::join(names, ", "));
        return 2;
      }
    }
    app.exit(e);
    return 2;
  }
  interrupt::install();
  // Across MPI ranks a signal stops at once, but for a decomposed run that checkpoints: its
  // ranks agree to stop at the same step and save (mpirun passes SIGUSR1 and SIGUSR2 on).
  interrupt::stop_at_once(comm::size() > 1 && !(*run && run_args.decompose && !run_args.no_checkpoint));
  if (comm::size() > 1 && !*run && !*sens && !*info) {
    if (comm::rank() == 0)
      std::cerr << "error: only `hscsim run` and `hscsim sensitivity` run across MPI ranks; run this command as one process\n";
    return 2;
  }
  try {
    if (*run) return cmd_run(run_args);
    if (*check) return cmd_check(check_args);
    if (*validate) return cmd_validate(validate_args, validate_opts);
    if (*calib) return cmd_calibrate(calibrate_args, calibrate_opts);
    if (*sens) return cmd_sensitivity(sensitivity_args, sensitivity_opts);
    if (*merge) return cmd_merge(merge_files, merge_output, merge_force, merge_quiet);
    if (*info) return cmd_info(info_metrics, info_reference);
    if (*exp) {
      const auto written = export_csv(export_file, export_dir, export_force);
      fmt::print("Exported {} to {} files in {}: {}\n", export_file, written.size(), export_dir,
                 fmt::join(std::vector<std::string>(written.begin(), written.end()), ", "));
      return 0;
    }
  } catch (const InputError& e) {
    return fail(2, e.what());
  } catch (const Interrupted& e) {
    return fail(e.exit_code(), fmt::format("hscsim: {}; the run was abandoned, nothing was written and temporary files "
                                           "were removed (exit {})", e.what(), e.exit_code()));
  } catch (const std::exception& e) {
    return fail(1, fmt::format("error: {}", e.what()));
  }
  return 0;
}
