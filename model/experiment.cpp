#include "model/experiment.hpp"

#include <chrono>

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <fmt/format.h>

#include "model/world.hpp"

namespace hscsim {

Experiment Experiment::from_config(const config::Node& resolved, std::string config_name) {
  Experiment e;
  e.config_name = std::move(config_name);
  e.config_yaml = config::emit(resolved);
  config::Node base = resolved;
  const config::Node* list = resolved.find("scenarios");
  std::erase_if(base.map, [](const config::Entry& x) { return x.key == "scenarios"; });
  Params base_params = Params::read(base);
  e.seed = base_params.run.seed;
  e.replicates = base_params.run.replicates;
  if (!list) {
    e.scenarios.push_back({"baseline", "", std::move(base_params)});
    return e;
  }
  config::Reader top(resolved, "");
  std::vector<Scenario> listed;
  for (auto r : top.list("scenarios")) {
    Scenario sc;
    sc.name = r.text("name");
    if (sc.name.empty() || sc.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
      throw r.error("name", fmt::format("'{}' is not accepted; a scenario name uses only a-z, 0-9 and _", sc.name));
    for (const auto& other : listed)
      if (other.name == sc.name) throw r.error("name", fmt::format("scenario name '{}' is used twice", sc.name));
    sc.description = r.text("description", "");
    config::Node tree = base;
    if (auto overlay = r.optional_child("overlay")) {
      for (const auto& entry : overlay->node().map)
        if (entry.key == "run" || entry.key == "time" || entry.key == "scenarios" || entry.key == "extends")
          throw overlay->error(entry.key, "an included file may not set run, time or scenarios (they are shared by all scenarios)");
      config::merge(tree, overlay->node());
      for (const auto& entry : overlay->node().map) overlay->skip(entry.key);
    }
    if (auto set = r.optional_child("set")) {
      for (const auto& entry : set->node().map) {
        if (entry.key.rfind("run.", 0) == 0 || entry.key.rfind("time.", 0) == 0 || entry.key == "run" || entry.key == "time")
          throw config::Reader(set->node(), set->path())
              .error(entry.key, "run and time settings are shared by all scenarios (replicates and steps are paired)");
        config::set_path(tree, entry.key, entry.value, entry.key_origin.describe());
        set->skip(entry.key);
      }
      set->finish();
    }
    r.finish();
    sc.params = Params::read(tree);
    listed.push_back(std::move(sc));
  }
  bool has_baseline = false;
  for (const auto& sc : listed) has_baseline = has_baseline || sc.name == "baseline";
  if (!has_baseline) e.scenarios.push_back({"baseline", "the base config, unchanged", base_params});
  for (auto& sc : listed) {
    if (sc.name == "baseline") e.scenarios.insert(e.scenarios.begin(), std::move(sc));
    else e.scenarios.push_back(std::move(sc));
  }
  return e;
}

RunResult run_experiment(const Experiment& e, int threads, const ProgressFn& progress) {
  const int n_threads = threads > 0 ? threads : tbb::info::default_concurrency();
  // Allow as many threads as asked for, even above the core count (TBB otherwise caps
  // workers at cores - 1, and a 4-thread determinism test would silently run on 2).
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(n_threads));
  tbb::task_arena arena(n_threads);
  RunResult result;
  result.threads = n_threads;
  result.scenarios.resize(e.scenarios.size());
  const size_t R = e.replicates;
  uint64_t total_steps = 0;
  for (size_t k = 0; k < e.scenarios.size(); ++k) {
    result.scenarios[k].name = e.scenarios[k].name;
    result.scenarios[k].initial.resize(R);
    result.scenarios[k].steps.assign(R, {});
    result.scenarios[k].providers.assign(R, {});
    total_steps += R * e.scenarios[k].params.clock.steps;
  }
  std::atomic<uint64_t> done{0}, person_steps{0};
  const auto t0 = std::chrono::steady_clock::now();
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, e.scenarios.size() * R, [&](size_t job) {
      const size_t k = job / R, r = job % R;
      const Params& p = e.scenarios[k].params;
      World world(p, static_cast<uint32_t>(r));
      auto& out = result.scenarios[k];
      out.initial[r] = world.initial_census();
      out.steps[r].reserve(p.clock.steps);
      out.providers[r].resize(p.clock.steps);
      for (uint32_t s = 0; s < p.clock.steps; ++s) {
        out.steps[r].push_back(world.step(s, out.providers[r][s]));
        const uint64_t d = ++done;
        if (progress) progress(d, total_steps);
      }
      person_steps += world.person_steps();
    });
  });
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.person_steps = person_steps;
  return result;
}

}  // namespace hscsim
