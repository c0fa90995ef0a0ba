#include "model/sim/experiment.hpp"
#include "model/sim/metrics.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <exception>
#include <stdexcept>
#include <thread>

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <fmt/format.h>

#include "model/core/comm.hpp"
#include "model/core/interrupt.hpp"
#include "model/sim/world.hpp"

#include <unistd.h>

namespace hscsim {
namespace {

// The node at a dotted path of the resolved config (for locating an error), or the root.
const config::Node& node_at(const config::Node& root, std::initializer_list<const char*> path) {
  const config::Node* n = &root;
  for (const char* key : path) {
    const config::Node* next = n->is_map() ? n->find(key) : nullptr;
    if (!next) return *n;
    n = next;
  }
  return *n;
}

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / double(1ull << 30)); }

}  // namespace

void check_resources(const Experiment& e, const config::Node& resolved, double memory_bytes) {
  const auto fail = [&](const config::Node& at, const std::string& path, const std::string& message) {
    return ConfigError(fmt::format("{}: error: {}: {}", at.origin.describe(), path, message));
  };
  if (e.scenarios.size() > kMaxScenarios)
    throw fail(node_at(resolved, {"scenarios"}), "scenarios",
               fmt::format("{} scenarios; at most {} are run together (split the study into several files)",
                           e.scenarios.size(), kMaxScenarios));
  const double jobs = double(e.scenarios.size()) * e.replicates;
  if (jobs > kMaxJobs)
    throw fail(node_at(resolved, {"run", "replicates"}), "run.replicates",
               fmt::format("{} scenarios x {} replicates = {:.0f} runs; at most {:.0f} in one file (use fewer replicates "
                           "or split the study)",
                           e.scenarios.size(), e.replicates, jobs, kMaxJobs));
  // Results are held compressed until the file is written (all scenarios), and one
  // scenario's datasets are filled uncompressed while it is written; people only while a
  // replicate runs.
  double held = 0, writing = 0, largest = 0;
  size_t quintile_metrics = 0, age_sex_metrics = 0;
  for (const auto& m : metric_definitions()) {
    quintile_metrics += m.by_quintile;
    age_sex_metrics += static_cast<bool>(m.by_age_sex);
  }
  const double output_values = double(metric_definitions().size() + 5 * quintile_metrics + 2 * kAgeBands * (2 + age_sex_metrics));
  for (const auto& sc : e.scenarios) {
    const double providers = double(sc.params.providers.providers() + sc.params.providers.programmes());
    const double steps = double(e.replicates) * sc.params.clock.steps;
    held += steps * (kHeldBytesPerStep + kHeldBytesPerProviderStep * providers);
    writing = std::max(writing, steps * 8.0 * (output_values + kOutputValuesPerProviderStep * providers));
    largest = std::max(largest, double(sc.params.population.size));
  }
  const double results = held + writing;
  const double concurrent = std::min(jobs, double(std::max(1u, std::thread::hardware_concurrency())));
  // With a shared burn-in, every replicate's warm world is held until its scenarios
  // have taken it over (People's columns).
  const double warm = e.scenarios.front().params.clock.burn_in_steps > 0
                          ? double(e.replicates) * largest * double(People::bytes_per_person())
                          : 0.0;
  const double people = largest * kPeakBytesPerPerson * concurrent + warm;
  if (memory_bytes > 0 && results + people > 0.9 * memory_bytes) {
    const bool by_people = people > results;
    throw fail(by_people ? node_at(resolved, {"population", "size"}) : node_at(resolved, {"run", "replicates"}),
               by_people ? "population.size" : "run.replicates",
               fmt::format("this run needs about {} of memory ({:.0f} people x about {:.0f} bytes x {:.0f} replicates "
                           "at once: {}; results of {} scenario(s) x {} replicate(s): {}) but this machine has {}; "
                           "use fewer people (or a larger place.one_in), fewer replicates or fewer scenarios",
                           gib(results + people), largest, kPeakBytesPerPerson, concurrent, gib(people),
                           e.scenarios.size(), e.replicates, gib(results), gib(memory_bytes)));
  }
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? double(pages) * double(page) : 0.0;
}

namespace {
// With a shared burn-in every scenario continues the baseline's people: what a scenario
// may change is what acts on them from the reported start (capacities, pathways,
// programmes, contracts), not who they are or where they live and are registered.
// Returns what differs ("" when nothing does).
std::string place_differs(const config::Node& base, const Params& bp, const config::Node& tree, const Params& sp) {
  for (const char* key : {"population", "place", "neighbourhoods"}) {
    const config::Node *a = base.find(key), *b = tree.find(key);
    if ((a == nullptr) != (b == nullptr) || (a && config::emit(*a) != config::emit(*b))) return key;
  }
  const ProviderLayout &la = bp.providers, &lb = sp.providers;
  bool same = la.providers() == lb.providers();
  for (size_t g = 0; same && g < la.providers(); ++g) same = la.id(g) == lb.id(g);
  for (size_t k = 0; same && k < bp.geography.practices.size(); ++k)
    same = bp.geography.practices[k].trust == sp.geography.practices[k].trust;
  return same ? "" : "the providers (their names, or a practice's trust)";
}
}  // namespace

namespace {
// Each uncertain key is a number stated in at least one scenario's config, and every
// replicate's draws give a valid config in every scenario (a draw a key does not accept
// names the replicate, the key and the value).
void check_uncertainty(const Experiment& e) {
  const Uncertainty& u = e.uncertainty;
  if (u.empty()) return;
  for (const auto& p : u.params) {
    bool found = false;
    for (const auto& sc : e.scenarios) {
      if (!config::find_path(sc.tree, p.key)) continue;
      (void)config::number_at(sc.tree, p.key, p.where, "uncertainty");
      found = true;
    }
    if (!found) (void)config::number_at(e.scenarios.front().tree, p.key, p.where, "uncertainty");  // says what is wrong
  }
  for (size_t k = 0; k < e.scenarios.size(); ++k)
    for (uint32_t r = 0; r < e.replicates; ++r) {
      try {
        (void)Params::read(u.apply(e.scenarios[k].tree, r));
      } catch (const ConfigError& err) {
        std::vector<std::string> draws;
        for (size_t j = 0; j < u.params.size(); ++j) draws.push_back(fmt::format("{}={:.6g}", u.params[j].key, u.samples[r][j]));
        throw ConfigError(fmt::format("uncertainty: replicate {} draws {}, which scenario '{}' does not accept: {}\n(bound "
                                      "the distribution with lower: and upper: to the values the key accepts)",
                                      r, fmt::join(draws, ", "), e.scenarios[k].name, err.what()));
      }
    }
}
}  // namespace

const Params& Experiment::params(size_t k, uint32_t r, std::optional<Params>& holder) const {
  if (uncertainty.empty()) return scenarios[k].params;
  holder.emplace(Params::read(uncertainty.apply(scenarios[k].tree, r)));
  return *holder;
}

Experiment Experiment::from_config(const config::Node& resolved, std::string config_name) {
  Experiment e;
  e.config_name = std::move(config_name);
  e.config_yaml = config::emit(resolved);
  config::Node base = resolved;
  const config::Node* list = resolved.find("scenarios");
  std::erase_if(base.map, [](const config::Entry& x) { return x.key == "scenarios" || x.key == "uncertainty"; });
  Params base_params = Params::read(base);
  e.seed = base_params.run.seed;
  e.replicates = base_params.run.replicates;
  e.uncertainty = Uncertainty::read(resolved, e.seed, e.replicates);
  auto paired = [](const Params& p) { return !p.finance.baseline_needs().empty(); };
  if (!list) {
    if (paired(base_params))
      throw config::Reader(resolved, "").error("finance", "an outcome payment with counterfactual: baseline_run (or an alliance's "
                                                          "wellbeing payment) compares a scenario with the same people in the "
                                                          "baseline run; this config has no scenarios (add a scenarios: list)");
    e.scenarios.push_back({"baseline", "", std::move(base_params), e.uncertainty.empty() ? config::Node{} : base});
    check_uncertainty(e);
    check_resources(e, resolved, physical_memory_bytes());
    return e;
  }
  config::Reader top(resolved, "");
  if (list->is_seq() && list->seq.size() > kMaxScenarios)  // before reading each one
    throw top.error("scenarios", fmt::format("{} scenarios; at most {} are run together (split the study into several "
                                             "files)", list->seq.size(), kMaxScenarios));
  std::vector<Scenario> listed;
  for (auto r : top.list("scenarios")) {
    Scenario sc;
    sc.name = r.text("name");
    if (sc.name.empty() || sc.name.size() > config::kMaxNameLength ||
        sc.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
      throw r.error("name", fmt::format("'{}' is not accepted; a scenario name is 1 to {} of a-z, 0-9 and _",
                                        sc.name.size() > 80 ? sc.name.substr(0, 60) + "..." : sc.name,
                                        config::kMaxNameLength));
    for (const auto& other : listed)
      if (other.name == sc.name) throw r.error("name", fmt::format("scenario name '{}' is used twice", sc.name));
    sc.description = r.text("description", "");
    config::Node tree = base;
    if (auto overlay = r.optional_child("overlay")) {
      for (const auto& entry : overlay->node().map)
        if (entry.key == "run" || entry.key == "time" || entry.key == "scenarios" || entry.key == "extends" ||
            entry.key == "uncertainty")
          throw overlay->error(entry.key, "an included file may not set run, time, scenarios or uncertainty (they are "
                                          "shared by all scenarios)");
      config::merge(tree, overlay->node());
      for (const auto& entry : overlay->node().map) overlay->skip(entry.key);
    }
    if (auto set = r.optional_child("set")) {
      for (const auto& entry : set->node().map) {
        if (entry.key.rfind("run.", 0) == 0 || entry.key.rfind("time.", 0) == 0 || entry.key == "run" || entry.key == "time")
          throw config::Reader(set->node(), set->path())
              .error(entry.key, "run and time settings are shared by all scenarios (replicates and steps are paired)");
        if (entry.key.rfind("uncertainty", 0) == 0)
          throw config::Reader(set->node(), set->path())
              .error(entry.key, "uncertainty settings are shared by all scenarios (each replicate's draws are paired)");
        for (const auto& u : e.uncertainty.params)
          if (entry.key == u.key || u.key.rfind(entry.key + ".", 0) == 0)
            throw config::Reader(set->node(), set->path())
                .error(entry.key, fmt::format("'{}' is uncertain (uncertainty:, {}): every scenario draws it, so a "
                                              "scenario cannot set it; make the scenario's lever another key, or the "
                                              "parameter certain",
                                              u.key, u.where));
        config::set_path(tree, entry.key, entry.value, entry.key_origin.describe());
        set->skip(entry.key);
      }
      set->finish();
    }
    r.finish();
    sc.params = Params::read(tree);
    if (!e.uncertainty.empty()) sc.tree = tree;
    if (base_params.clock.burn_in_steps > 0)
      if (const std::string what = place_differs(base, base_params, tree, sc.params); !what.empty())
        throw r.error("name", fmt::format("scenario '{}' changes {}; with time.burn_in_years every scenario continues the "
                                          "baseline's people after the shared burn-in, so a scenario may change "
                                          "capacities, pathways, programmes and contracts but not the population or the "
                                          "place's providers and neighbourhoods (run it as its own config, or without "
                                          "burn-in)",
                                          sc.name, what));
    if (paired(sc.params)) {
      if (sc.name == "baseline")
        throw r.error("name", "the baseline is the counterfactual of counterfactual: baseline_run; give such outcome "
                              "payments to the other scenarios");
      if (const std::string what = place_differs(base, base_params, tree, sc.params); !what.empty())
        throw r.error("name", fmt::format("scenario '{}' changes {}; an outcome payment with counterfactual: baseline_run "
                                          "compares members with the same people in the baseline, so the scenario must "
                                          "keep the baseline's population and place",
                                          sc.name, what));
    }
    listed.push_back(std::move(sc));
  }
  bool has_baseline = false;
  for (const auto& sc : listed) has_baseline = has_baseline || sc.name == "baseline";
  if (!has_baseline)
    e.scenarios.push_back({"baseline", "the base config, unchanged", base_params, e.uncertainty.empty() ? config::Node{} : base});
  for (auto& sc : listed) {
    if (sc.name == "baseline") e.scenarios.insert(e.scenarios.begin(), std::move(sc));
    else e.scenarios.push_back(std::move(sc));
  }
  check_uncertainty(e);
  // The baseline records what the scenarios' baseline_run outcome payments measure.
  auto& traced = e.scenarios.front().params.finance.traced;
  for (size_t k = 1; k < e.scenarios.size(); ++k)
    for (const auto& m : e.scenarios[k].params.finance.baseline_needs())
      if (std::find(traced.begin(), traced.end(), m) == traced.end()) traced.push_back(m);
  check_resources(e, resolved, physical_memory_bytes());
  return e;
}

RunResult empty_result(const Experiment& e) {
  RunResult result;
  result.scenarios.resize(e.scenarios.size());
  for (size_t k = 0; k < e.scenarios.size(); ++k) {
    result.scenarios[k].name = e.scenarios[k].name;
    result.scenarios[k].initial.resize(e.replicates);
    result.scenarios[k].steps.resize(e.replicates);
    result.scenarios[k].providers.resize(e.replicates);
  }
  return result;
}

std::vector<uint8_t> pack_results(const RunResult& result, const std::vector<size_t>& replicates) {
  std::vector<uint8_t> bytes;
  for (size_t k = 0; k < result.scenarios.size(); ++k)
    for (size_t r : replicates) {
      const auto& sc = result.scenarios[k];
      series::put(bytes, k);
      series::put(bytes, r);
      const auto* t = reinterpret_cast<const uint8_t*>(&sc.initial[r]);
      series::put(bytes, std::vector<uint8_t>(t, t + sizeof(Tally)));
      sc.steps.pack(r, bytes);
      sc.providers.pack(r, bytes);
    }
  return bytes;
}

void unpack_results(RunResult& result, const std::vector<uint8_t>& bytes) {
  const uint8_t* in = bytes.data();
  const uint8_t* end = in + bytes.size();
  while (in < end) {
    const size_t k = series::take(in), r = series::take(in);
    if (k >= result.scenarios.size() || r >= result.scenarios[k].initial.size())
      throw std::runtime_error("results of a scenario or replicate this experiment does not have");
    auto& sc = result.scenarios[k];
    const auto t = series::take_bytes(in);
    if (t.size() != sizeof(Tally)) throw std::runtime_error("a census of the wrong size (another build's results?)");
    std::memcpy(static_cast<void*>(&sc.initial[r]), t.data(), sizeof(Tally));
    sc.steps.unpack(r, in);
    sc.providers.unpack(r, in);
  }
}

namespace {
// Ensemble mode: every rank's replicates, as stored (compressed), travel to rank 0, which
// then holds the same results a single process would; the run's wall time is the
// slowest rank's and its person-steps the sum.
void gather_results(RunResult& result, const std::vector<size_t>& mine) {
  const auto all = comm::gather(pack_results(result, mine));
  for (size_t from = 1; from < all.size(); ++from) unpack_results(result, all[from]);
  // Which rank ran which replicates (the work was shared on request).
  std::vector<uint8_t> list;
  for (size_t r : mine) series::put(list, r);
  const auto lists = comm::gather(list);
  result.replicates_by_rank.assign(lists.size(), {});
  for (size_t from = 0; from < lists.size(); ++from)
    for (const uint8_t *in = lists[from].data(), *end = in + lists[from].size(); in < end;)
      result.replicates_by_rank[from].push_back(static_cast<uint32_t>(series::take(in)));
  result.person_steps = comm::sum(result.person_steps);
  result.wall_seconds = comm::max(result.wall_seconds);
}
}  // namespace

void run_replicate(const Experiment& e, size_t k, uint32_t r, const std::function<void(uint32_t, const Tally&)>& each) {
  std::optional<Params> own, warm_own;
  const Params& p = e.params(k, r, own);
  if (k > 0 && !p.finance.baseline_needs().empty())
    throw std::logic_error("run_replicate: scenario " + e.scenarios[k].name + " is paid against the baseline run");
  const uint32_t burn_in = e.scenarios[0].params.clock.burn_in_steps;
  World world(p, r);
  if (burn_in > 0) {
    World warm(e.params(0, r, warm_own), r);
    for (uint32_t s = 0; s < burn_in; ++s) {
      interrupt::check();
      warm.step(s);
    }
    world.adopt(warm);
  }
  for (uint32_t s = 0; s < p.clock.steps; ++s) {
    interrupt::check();
    each(s, world.step(burn_in + s));
  }
}

namespace {
// One job of a run: the shared burn-in of a replicate, or scenario k of a replicate.
// Built once (its parameters must not move: the world refers to them).
struct Job {
  static constexpr size_t kBurnIn = SIZE_MAX;
  size_t k = kBurnIn, r = 0;
  uint32_t steps = 0;                //!< steps in all
  uint32_t done = 0;                 //!< steps run
  bool started = false, finished = false;
  std::optional<Params> own;         //!< with parameter uncertainty: this replicate's
  std::unique_ptr<World> world;      //!< while running (a burn-in's: until its scenarios have taken it over)
  std::vector<Tally> tallies;        //!< a scenario's steps so far
  std::vector<std::vector<int64_t>> providers;
};

enum class Stop : int { None = 0, Checkpoint = 1, Signal = 2 };
}  // namespace

RunResult run_experiment(const Experiment& e, int threads, const ProgressFn& progress, const Part& part,
                         const Checkpointing* cp, bool decompose) {
  static const std::string kBurnInName = "burn-in";
  const int n_threads = threads > 0 ? threads : tbb::info::default_concurrency();
  // Allow as many threads as asked for, even above the core count (TBB otherwise caps
  // workers at cores - 1, and a 4-thread determinism test would silently run on 2).
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(n_threads));
  tbb::task_arena arena(n_threads);
  RunResult result = empty_result(e);
  result.threads = n_threads;
  result.ranks = comm::size();
  // Domain decomposition: every rank steps every job, one job at a time (each step's
  // collectives in the same order on every rank), with its part of the people.
  const bool domains = decompose && result.ranks > 1;
  if (cp && result.ranks > 1 && !domains) throw std::logic_error("run_experiment: checkpoints are for one process or a decomposed run");
  const size_t R = e.replicates, S = e.scenarios.size();
  // Ensemble mode: replicate r (all its scenarios, its burn-in and its paired baseline)
  // runs on one rank; ranks ask rank 0 for replicates until none are left (dynamic load
  // balancing: a rank that finishes early takes more). With one rank, every replicate of
  // the part here.
  const auto ranks = static_cast<size_t>(result.ranks), me = static_cast<size_t>(comm::rank());
  std::vector<size_t> in_part;
  for (size_t r = 0; r < R; ++r)
    if (part.has(r)) in_part.push_back(r);
  std::vector<size_t> mine;  // every replicate run here
  // The shared burn-in: once per replicate, with the baseline's parameters; every
  // scenario's world then takes over its people and running state (World::adopt).
  const uint32_t burn_in = e.scenarios[0].params.clock.burn_in_steps;
  // Outcome contracts measured against the baseline run: the baseline's replicates run
  // first and keep their record of everyone's outcomes for the scenarios' replicates.
  bool paired_outcomes = false;
  for (size_t k = 1; k < S; ++k) paired_outcomes |= !e.scenarios[k].params.finance.baseline_needs().empty();
  std::vector<OutcomeTrace> baseline_traces(paired_outcomes ? R : 0);
  std::vector<uint8_t> traced(paired_outcomes ? R : 0, 0);  // baseline_traces[r] is complete

  // Steps of the work in view, for the progress: this process's replicates (with the
  // whole part shared dynamically across ranks, the part's).
  uint64_t total_steps = 0;
  for (size_t k = 0; k < S; ++k) total_steps += in_part.size() * e.scenarios[k].params.clock.steps;
  total_steps += in_part.size() * burn_in;
  std::atomic<uint64_t> done{0}, person_steps{0};
  int64_t people_here_at_start = -1;  // this rank's, in the first world built (domain decomposition)
  const auto t0 = std::chrono::steady_clock::now();
  // Runs the replicates `batch` (all their jobs) to the end, or to a stop for a signal or a
  // checkpoint (`cp`: one process, one batch).
  const auto run_batch = [&](const std::vector<size_t>& batch) {
    const size_t M = batch.size();
    // The jobs, in phases: burn-ins; then the scenarios (the baseline's first when the
    // others are paid against it). Within a phase jobs are independent.
    std::vector<Job> jobs((burn_in > 0 ? M : 0) + S * M);
    std::vector<std::vector<size_t>> phases;
    std::vector<size_t> warm_of(R, SIZE_MAX);  // replicate -> its burn-in job
    {
      size_t j = 0;
      if (burn_in > 0) {
        phases.emplace_back();
        for (size_t m = 0; m < M; ++m, ++j) {
          jobs[j].r = batch[m];
          jobs[j].steps = burn_in;
          warm_of[batch[m]] = j;
          phases.back().push_back(j);
        }
      }
      phases.emplace_back();
      for (size_t k = 0; k < S; ++k) {
        if (k == 1 && paired_outcomes) phases.emplace_back();
        for (size_t m = 0; m < M; ++m, ++j) {
          jobs[j].k = k;
          jobs[j].r = batch[m];
          jobs[j].steps = e.scenarios[k].params.clock.steps;
          phases.back().push_back(j);
        }
      }
    }
    // Scenario jobs of each replicate that have not yet taken over its warm world: when the
    // last has, the warm world is let go (the count is recounted when a run resumes).
    std::vector<size_t> unstarted_of(R, 0);
    std::mutex unstarted_mu;
    const auto count_unstarted = [&] {
      std::fill(unstarted_of.begin(), unstarted_of.end(), 0);
      for (const Job& job : jobs)
        if (job.k != Job::kBurnIn && !job.started) ++unstarted_of[job.r];
    };
    count_unstarted();

    const auto params_of = [&](Job& job) -> const Params& {
      return e.params(job.k == Job::kBurnIn ? 0 : job.k, static_cast<uint32_t>(job.r), job.own);
    };
    // A job's world, built afresh (a scenario's taking over its replicate's warm world).
    // Before a warm world is built, the worlds of its scenarios that have not started are
    // built and let go of their people (World::shed_people): what they keep from their
    // own initial population is small, and the handover then never holds two populations
    // (the last scenario to start takes the warm people over instead of copying them).
    const auto build = [&](Job& job, bool adopt) {
      if (job.k == Job::kBurnIn)
        for (Job& other : jobs)
          if (other.k != Job::kBurnIn && other.r == job.r && !other.started && !other.world) {
            other.world = std::make_unique<World>(params_of(other), static_cast<uint32_t>(other.r), domains);
            other.world->shed_people();
          }
      if (!(adopt && burn_in > 0 && job.world))
        job.world = std::make_unique<World>(params_of(job), static_cast<uint32_t>(job.r), domains);
      if (people_here_at_start < 0) people_here_at_start = static_cast<int64_t>(job.world->people().size());
      if (job.k == Job::kBurnIn) return;
      if (adopt && burn_in > 0) {
        // Scenarios of one replicate take their warm world over one at a time: each counts
        // itself out, and the last moves the people instead of copying them. The takeover
        // runs parallel loops (the census) while holding the lock: isolated, so that this
        // thread, waiting for them, cannot pick up another job's task, which would wait
        // for the lock it holds (a deadlock seen at 4 threads).
        tbb::this_task_arena::isolate([&] {
          std::lock_guard lock(unstarted_mu);
          auto& warm = jobs[warm_of[job.r]].world;
          if (--unstarted_of[job.r] == 0) {
            job.world->adopt(std::move(*warm));
            warm.reset();
          } else {
            job.world->adopt(*warm);
          }
        });
      }
      if (paired_outcomes && job.k > 0) job.world->set_counterfactual(&baseline_traces[job.r]);
      job.tallies.reserve(job.steps);
      job.providers.reserve(job.steps);
    };
    const auto finish = [&](Job& job) {
      job.finished = true;
      person_steps += job.world->person_steps();
      if (job.k == Job::kBurnIn) return;  // kept: its scenarios take it over
      auto& out = result.scenarios[job.k];
      out.steps.store(job.r, job.tallies);
      out.providers.store(job.r, job.providers);
      job.tallies = {};
      job.providers = {};
      if (paired_outcomes && job.k == 0) {
        baseline_traces[job.r] = job.world->take_trace();
        baseline_traces[job.r].index();
        traced[job.r] = 1;
      }
      job.world.reset();
    };

    // Stopping between steps: for a checkpoint (then going on) or for a signal.
    std::atomic<int> stop{0};
    auto last_checkpoint = t0;
    uint64_t steps_at_checkpoint = 0;
    // A signal: this process's; decomposed, any rank's, agreed on by every rank at the
    // same point (a collective), so that every rank stops at the same step and saves.
    const auto signalled = [&]() -> bool {
      if (!domains) return interrupt::pending() != 0;
      const int s = static_cast<int>(comm::max(static_cast<double>(interrupt::pending())));
      if (s != 0) interrupt::adopt(s);
      return s != 0;
    };
    const auto should_stop = [&]() -> bool {
      if (stop.load(std::memory_order_relaxed)) return true;
      if (signalled()) {
        stop.store(static_cast<int>(Stop::Signal));
        return true;
      }
      if (!cp) return false;
      if (cp->every_steps > 0 && done.load() >= steps_at_checkpoint + cp->every_steps) {
        int none = 0;
        stop.compare_exchange_strong(none, static_cast<int>(Stop::Checkpoint));
        return true;
      }
      double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint).count();
      // Decomposed: every rank stops at the same step (the slowest clock's say; a
      // collective, reached at the same point by every rank).
      if (domains && cp->every_seconds > 0) since = comm::max(since);
      if (cp->every_seconds > 0 && since >= cp->every_seconds) {
        int none = 0;
        stop.compare_exchange_strong(none, static_cast<int>(Stop::Checkpoint));
        return true;
      }
      return false;
    };
    // Runs a job until it is finished or the run stops.
    const auto advance = [&](Job& job) {
      if (should_stop()) return;
      if (!job.started) {
        build(job, true);
        job.started = true;
        if (job.k != Job::kBurnIn) result.scenarios[job.k].initial[job.r] = job.world->initial_census();
      }
      const std::string& name = job.k == Job::kBurnIn ? kBurnInName : e.scenarios[job.k].name;
      const uint32_t offset = job.k == Job::kBurnIn ? 0 : burn_in;
      // Each call runs at least one step (so that frequent checkpoints still make progress),
      // unless a signal has come.
      for (bool first = true; job.done < job.steps; first = false) {
        if (!first && should_stop()) return;
        if (domains ? stop.load() == static_cast<int>(Stop::Signal) : interrupt::pending() != 0) return;
        if (job.k == Job::kBurnIn) {
          job.world->step(job.done);
        } else {
          job.providers.emplace_back();
          job.tallies.push_back(job.world->step(offset + job.done, job.providers.back()));
        }
        ++job.done;
        const uint64_t d = ++done;
        if (progress) progress(d, total_steps, name);
      }
      finish(job);
    };

    // The whole state, for a checkpoint (written) or a resumed run (read back).
    const auto state = [&](archive::Io& io) {
      io.expect(uint64_t{0x68736373696d4350}, "the kind of stream");  // "hscsimCP"
      io.expect(static_cast<uint64_t>(sizeof(Tally)), "the size of a step's counts (another build?)");
      io.expect(static_cast<uint64_t>(jobs.size()), "the number of jobs");
      io.expect(static_cast<uint64_t>(M), "the replicates this process runs");
      uint64_t d = done.load(), ps = person_steps.load();
      io(d, ps);
      // Every job's status first (0 not started, 1 running, 2 finished), so that a warm
      // world read back knows which of its scenarios are still to start.
      std::vector<uint8_t> statuses(jobs.size());
      for (size_t j = 0; j < jobs.size(); ++j) statuses[j] = jobs[j].finished ? 2 : jobs[j].started ? 1 : 0;
      io(statuses);
      if (io.reading()) {
        if (statuses.size() != jobs.size()) throw std::runtime_error("checkpoint state does not match this run: the jobs' statuses");
        for (size_t j = 0; j < jobs.size(); ++j) {
          jobs[j].started = statuses[j] >= 1;
          jobs[j].finished = statuses[j] == 2;
        }
      }
      for (size_t j = 0; j < jobs.size(); ++j) {
        Job& job = jobs[j];
        io.expect(static_cast<uint64_t>(job.k), "a job's scenario");
        io.expect(static_cast<uint64_t>(job.r), "a job's replicate");
        const uint8_t status = statuses[j];
        if (status == 1) {  // running: its world and its steps so far
          io(job.done);
          if (io.reading()) build(job, false);
          job.world->state(io);
          io(job.tallies, job.providers);
          if (io.reading() && job.k != Job::kBurnIn) result.scenarios[job.k].initial[job.r] = job.world->initial_census();
        } else if (status == 2 && job.k == Job::kBurnIn) {  // a warm world, while its scenarios need it
          uint8_t kept = job.world != nullptr;
          io(kept);
          if (kept) {
            if (io.reading()) build(job, false);
            job.world->state(io);
          }
          if (io.reading()) job.done = job.steps;
        } else if (status == 2) {  // results
          auto& out = result.scenarios[job.k];
          io(out.initial[job.r]);
          std::vector<uint8_t> packed;
          if (!io.reading()) {
            out.steps.pack(job.r, packed);
            out.providers.pack(job.r, packed);
          }
          io(packed);
          if (io.reading()) {
            const uint8_t* in = packed.data();
            out.steps.unpack(job.r, in);
            out.providers.unpack(job.r, in);
            job.done = job.steps;
          }
        }
      }
      for (size_t r = 0; r < traced.size(); ++r) {
        io(traced[r]);
        if (traced[r]) io(baseline_traces[r]);
      }
      if (io.reading()) {
        count_unstarted();
        done = d;
        person_steps = ps;
        for (Job& job : jobs)  // counterfactuals point at the traces just read
          if (job.world && paired_outcomes && job.k != Job::kBurnIn && job.k > 0)
            job.world->set_counterfactual(&baseline_traces[job.r]);
      }
    };
    if (cp && cp->resume) {
      cp->resume(state);
      result.person_steps_resumed = person_steps.load();
    }
    steps_at_checkpoint = done.load();

    for (const auto& phase : phases) {
      for (;;) {
        // Jobs already running first (a resumed run continues them before starting others).
        std::vector<size_t> order;
        for (size_t j : phase)
          if (jobs[j].started && !jobs[j].finished) order.push_back(j);
        for (size_t j : phase)
          if (!jobs[j].started) order.push_back(j);
        if (order.empty()) break;
        std::atomic<size_t> next{0};
        const size_t workers = domains ? 1 : std::min(order.size(), static_cast<size_t>(n_threads));
        arena.execute([&] {
          tbb::parallel_for(size_t{0}, workers, [&](size_t) {
            for (size_t i; !should_stop() && (i = next++) < order.size();) {
              advance(jobs[order[i]]);
            }
          });
        });
        const auto why = static_cast<Stop>(stop.load());
        if (why == Stop::None) continue;  // every job of the phase ran to its end
        if (why == Stop::Signal) {
          if (cp && cp->on_signal && cp->save) cp->save(done.load(), total_steps, state);
          interrupt::check();
          throw std::logic_error("run_experiment: stopped for a signal that is not pending");
        }
        cp->save(done.load(), total_steps, state);  // Stop::Checkpoint
        last_checkpoint = std::chrono::steady_clock::now();
        steps_at_checkpoint = done.load();
        stop.store(0);
      }
    }
  };
  if (ranks == 1 || domains) {
    mine = in_part;
    run_batch(mine);
  } else {
    // A batch is enough replicates to keep this rank's threads busy with every scenario.
    const size_t per_batch = std::max<size_t>(1, (static_cast<size_t>(n_threads) + S - 1) / S);
    std::mutex next_mu;
    size_t next = 0;
    const auto take = [&]() -> int64_t {
      std::lock_guard lock(next_mu);
      return next < in_part.size() ? static_cast<int64_t>(next++) : -1;
    };
    const auto work = [&](const std::function<int64_t()>& get) {
      for (bool more = true; more;) {  // once told "none left", a rank never asks again
        std::vector<size_t> batch;
        while (batch.size() < per_batch) {
          const int64_t i = get();
          if (i < 0) {
            more = false;
            break;
          }
          batch.push_back(in_part[static_cast<size_t>(i)]);
        }
        if (batch.empty()) return;
        run_batch(batch);
        mine.insert(mine.end(), batch.begin(), batch.end());
      }
    };
    if (me == 0) {  // rank 0 works on a thread of its own while its main thread serves the others
      std::exception_ptr failed;
      std::atomic<bool> stopped{false};
      std::thread worker([&] {
        try {
          work(take);
        } catch (...) {
          failed = std::current_exception();
          stopped = true;
        }
      });
      comm::serve(take, [&] { return stopped.load(); });
      worker.join();
      if (failed) std::rethrow_exception(failed);
    } else {
      work([] { return comm::request(); });
    }
    std::sort(mine.begin(), mine.end());
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.person_steps = person_steps;
  if (ranks > 1 && !domains) gather_results(result, mine);
  if (domains) {
    result.wall_seconds = comm::max(result.wall_seconds);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::vector<uint8_t> mine;
    series::put(mine, static_cast<uint64_t>(std::max<int64_t>(0, people_here_at_start)));
    series::put(mine, static_cast<uint64_t>(ru.ru_maxrss) * 1024);
    for (const auto& from : comm::gather(mine)) {
      const uint8_t* in = from.data();
      result.people_by_rank.push_back(series::take(in));
      result.peak_bytes_by_rank.push_back(series::take(in));
    }
  }
  return result;
}

}  // namespace hscsim
