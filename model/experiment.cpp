#include "model/experiment.hpp"

#include <chrono>

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "model/world.hpp"

namespace hscsim {

Experiment Experiment::from_config(const config::Node& resolved, std::string config_name) {
  Experiment e;
  e.config_name = std::move(config_name);
  e.config_yaml = config::emit(resolved);
  Scenario base{"baseline", Params::read(resolved)};
  e.seed = base.params.run.seed;
  e.replicates = base.params.run.replicates;
  e.scenarios.push_back(std::move(base));
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
