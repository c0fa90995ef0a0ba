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
#include <cmath>
#include <filesystem>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "agents/people/people.hpp"
#include "model/build_info.hpp"
#include "model/comparison.hpp"
#include "model/config/node.hpp"
#include "model/errors.hpp"
#include "model/experiment.hpp"
#include "model/metrics.hpp"
#include "model/output.hpp"

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
};

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

void print_summary(const Experiment& e, const RunResult& r, const std::string& path) {
  const auto& metrics = metric_definitions();
  for (const auto& sr : r.scenarios) {
    const size_t R = sr.steps.size();
    const auto& clock = e.scenarios.front().params.clock;
    fmt::print("\nScenario '{}': {} replicates, {} {}ly steps ({:g} years from {}), mean over replicates\n", sr.name, R,
               clock.steps, clock.step == "day" ? "dai" : clock.step, clock.years, clock.start_year);
    fmt::print("{:<38}{:>14}{:>14}\n", "metric", "start", "end");
    fmt::print("{:-<66}\n", "");
    for (const auto& m : metrics) {
      double start = 0, end = 0;
      for (size_t rep = 0; rep < R; ++rep) {
        if (m.kind == "flow") {
          for (const auto& t : sr.steps[rep]) end += m.value(t, 0);
        } else {
          start += m.value(sr.initial[rep], 0);
          end += m.value(sr.steps[rep].back(), 0);
        }
      }
      start /= static_cast<double>(R);
      end /= static_cast<double>(R);
      if (m.kind == "flow")
        fmt::print("{:<38}{:>14}{:>14}\n", m.name + " (total over run)", "", fmt_value(m, end));
      else
        fmt::print("{:<38}{:>14}{:>14}\n", m.name, fmt_value(m, start), fmt_value(m, end));
    }
  }
  if (r.scenarios.size() > 1) {
    const auto comps = compare(r);
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
    }
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  fmt::print("\nRan in {:.1f} s on {} threads: {:.3g} person-steps/s; peak memory {:.0f} MB\n", r.wall_seconds,
             r.threads, static_cast<double>(r.person_steps) / r.wall_seconds, static_cast<double>(ru.ru_maxrss) / 1024.0);
  fmt::print("Results: {}\n", path);
}

int cmd_run(RunArgs a) {
  std::string config_name;
  config::Node root;
  if (!a.from.empty()) {
    if (!a.config.empty()) throw InputError("error: give either a CONFIG or --from FILE.h5, not both");
    StoredRun stored = read_stored_run(a.from);
    root = config::parse(stored.config_yaml, a.from + ":config_yaml");
    for (const auto& s : a.sets) config::apply_override(root, s);
    if (a.seed >= 0) config::apply_override(root, fmt::format("run.seed={}", a.seed));
    if (a.replicates >= 0) config::apply_override(root, fmt::format("run.replicates={}", a.replicates));
    config_name = stored.config_name.empty() ? fs::path(a.from).stem().string() : stored.config_name;
  } else {
    if (a.config.empty()) throw InputError("error: run needs a CONFIG file (or --from FILE.h5)");
    root = resolve(a);
    config_name = fs::path(a.config).stem().string();
  }
  Experiment e = Experiment::from_config(root, config_name);

  std::string out = a.output;
  if (out.empty()) {
    out = (fs::path("output") / (config_name + ".h5")).string();
    fs::create_directories("output");
  }
  check_writable(out);

  const bool show = !a.quiet && isatty(STDERR_FILENO);
  std::mutex mu;
  auto last = std::chrono::steady_clock::now();
  ProgressFn progress;
  if (show) {
    progress = [&](uint64_t done, uint64_t total) {
      std::unique_lock lock(mu, std::try_to_lock);
      if (!lock) return;
      auto now = std::chrono::steady_clock::now();
      if (done != total && now - last < std::chrono::milliseconds(100)) return;
      last = now;
      const int width = 40;
      const int filled = static_cast<int>(width * done / total);
      fmt::print(stderr, "\r[{}{}] {:3}%  {}/{} steps", std::string(static_cast<size_t>(filled), '#'),
                 std::string(static_cast<size_t>(width - filled), ' '), 100 * done / total, done, total);
      if (done == total) fmt::print(stderr, "\n");
      std::fflush(stderr);
    };
  }
  if (!a.quiet) {
    const auto& p = e.scenarios.front().params;
    fmt::print("hscsim {}: {} ({} people, {:g} years, {} scenario(s) x {} replicate(s), seed {})\n",
               build_info::version(), a.from.empty() ? a.config : a.from, fmt_count(static_cast<double>(p.population.size)),
               p.clock.years, e.scenarios.size(), e.replicates, e.seed);
  }
  RunResult r = run_experiment(e, a.threads, progress);
  write_results(out, e, r);
  if (!a.quiet) print_summary(e, r, out);
  return 0;
}

int cmd_check(const RunArgs& a) {
  config::Node root = resolve(a);
  Experiment e = Experiment::from_config(root, fs::path(a.config).stem().string());
  std::cout << "# resolved config: " << a.config << " (valid)\n" << e.config_yaml;
  return 0;
}

int cmd_info(bool metrics) {
  if (metrics) {
    std::cout << metrics_markdown();
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
  fmt::print("fmt             {}\n", FMT_VERSION);
  fmt::print("Random123       Philox4x32-10\n");
  fmt::print("state bytes/person {}\n", People::bytes_per_person());
  fmt::print("MPI             not built in this release\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hscsim: an agent-based model of a health and social care system"};
  app.require_subcommand(1);
  RunArgs run_args, check_args;
  bool info_metrics = false;

  auto* run = app.add_subcommand("run", "run a config and write an HDF5 results file");
  run->add_option("config", run_args.config, "config file (YAML)");
  run->add_option("--from", run_args.from, "reproduce the run stored in a results file");
  run->add_option("-o,--output", run_args.output, "results file (default: output/<config name>.h5)");
  run->add_option("--threads", run_args.threads, "worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  run->add_option("--seed", run_args.seed, "run seed (overrides run.seed)")->check(CLI::Range(int64_t{0}, int64_t{4294967295}));
  run->add_option("--replicates", run_args.replicates, "replicates (overrides run.replicates)")->check(CLI::Range(1, 10000));
  run->add_option("--set", run_args.sets, "override a config value: key.path=value (repeatable)");
  run->add_flag("--quiet", run_args.quiet, "print nothing but errors");

  auto* check = app.add_subcommand("check", "validate a config and print it resolved");
  check->add_option("config", check_args.config, "config file (YAML)")->required();
  check->add_option("--set", check_args.sets, "override a config value: key.path=value (repeatable)");

  auto* info = app.add_subcommand("info", "version, commit, build options and library versions");
  info->add_flag("--metrics", info_metrics, "print the metric dictionary (Markdown)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  try {
    if (*run) return cmd_run(run_args);
    if (*check) return cmd_check(check_args);
    if (*info) return cmd_info(info_metrics);
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
