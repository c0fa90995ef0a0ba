// Checkpoint and restart: a run stopped at any step and resumed from its saved state ends
// with the results of the uninterrupted run, bit for bit, at any thread count; the saved
// state is refused by a run it does not belong to. (The command line, signals and the
// file are tested in tests/cli/checkpoint_test.sh.)
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>

#include "helpers.hpp"
#include "model/core/archive.hpp"
#include "model/core/config/node.hpp"
#include "model/io/checkpoint.hpp"
#include "model/sim/experiment.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {

struct Killed {};  // what a kill does to a run: it ends where it is, with nothing but the last checkpoint

// Runs `e`, saving its state after `every` steps of the run into `saved` and stopping
// there (as if the job had been killed just after the checkpoint), on `threads` threads.
void run_until_checkpoint(const Experiment& e, int threads, uint64_t every, std::vector<uint8_t>& saved,
                          uint64_t& done_at) {
  Checkpointing cp;
  cp.every_steps = every;
  cp.save = [&](uint64_t done, uint64_t, const std::function<void(archive::Io&)>& state) {
    saved.clear();
    auto io = archive::Io::writer([&](const uint8_t* p, size_t n) { saved.insert(saved.end(), p, p + n); });
    state(io);
    io.flush();
    done_at = done;
    throw Killed{};
  };
  try {
    (void)run_experiment(e, threads, {}, {}, &cp);
  } catch (const Killed&) {
    return;
  }
  FAIL("the run ended without a checkpoint");
}

RunResult resume_from(const Experiment& e, int threads, const std::vector<uint8_t>& saved) {
  Checkpointing cp;
  cp.resume = [&](const std::function<void(archive::Io&)>& state) {
    size_t at = 0;
    auto io = archive::Io::reader(
        [&](uint8_t* p, size_t n) {
          std::memcpy(p, saved.data() + at, n);
          at += n;
        },
        saved.size());
    state(io);
  };
  return run_experiment(e, threads, {}, {}, &cp);
}

void require_same(const RunResult& a, const RunResult& b) {
  REQUIRE(a.scenarios.size() == b.scenarios.size());
  for (size_t k = 0; k < a.scenarios.size(); ++k) {
    INFO("scenario " << a.scenarios[k].name);
    CHECK(a.scenarios[k].steps == b.scenarios[k].steps);
    CHECK(a.scenarios[k].providers == b.scenarios[k].providers);
    for (size_t r = 0; r < a.scenarios[k].initial.size(); ++r)
      CHECK(std::memcmp(&a.scenarios[k].initial[r], &b.scenarios[k].initial[r], sizeof(Tally)) == 0);
  }
  CHECK(a.person_steps == b.person_steps);
}

Experiment scenario_file(const std::string& rel, const std::vector<std::string>& sets) {
  config::Node root = config::load(source_path(rel));
  for (const auto& s : sets) config::apply_override(root, s);
  return Experiment::from_config(root, "checkpoint");
}

// Stops `e` after several numbers of steps (in the burn-in, at a job's first step, in the
// middle, near the end), resumes each on another thread count, and compares.
void check_resumes(const Experiment& e, std::initializer_list<uint64_t> stops) {
  const RunResult whole = run_experiment(e, 2);
  for (uint64_t every : stops) {
    for (int threads : {1, 2}) {
      INFO("stopped after " << every << " steps on " << threads << " thread(s), resumed on " << 3 - threads);
      std::vector<uint8_t> saved;
      uint64_t done_at = 0;
      run_until_checkpoint(e, threads, every, saved, done_at);
      CHECK(done_at >= every);
      require_same(whole, resume_from(e, 3 - threads, saved));
    }
  }
}

}  // namespace

TEST_CASE("a run resumed from a checkpoint equals the uninterrupted run: burn-in, scenarios, replicates", "[checkpoint]") {
  // The default place with its shared burn-in (1 year, 52 steps per replicate) and two
  // replicates: stops in the burn-in, between phases and late in a scenario.
  const Experiment e = Experiment::from_config(
      default_config({"population.size=2000", "time.years=2", "time.burn_in_years=1", "run.replicates=2"}), "ck");
  check_resumes(e, {1, 30, 104, 150, 300});
}

TEST_CASE("a resumed run equals the uninterrupted run with outcome payments against the baseline run", "[checkpoint]") {
  // Paired scenarios: the baseline's record of outcomes is part of the saved state.
  const Experiment e = scenario_file("configs/scenarios/chec_outcome_contract.yaml",
                                     {"population.size=2000", "time.years=2", "run.replicates=1"});
  check_resumes(e, {60, 157, 250});
}

TEST_CASE("a resumed run equals the uninterrupted run with an alliance, programmes and parameter uncertainty",
          "[checkpoint]") {
  check_resumes(scenario_file("configs/scenarios/pay_for_happiness.yaml",
                              {"population.size=2000", "time.years=2", "run.replicates=1"}),
                {80, 200});
  check_resumes(scenario_file("configs/scenarios/psa_falls_prevention.yaml",
                              {"population.size=2000", "time.years=2", "run.replicates=2"}),
                {70, 250});
}

TEST_CASE("a checkpoint's state is refused by a run it does not belong to", "[checkpoint]") {
  const Experiment e = Experiment::from_config(small_config({"run.replicates=2"}), "ck");
  std::vector<uint8_t> saved;
  uint64_t done_at = 0;
  run_until_checkpoint(e, 2, 20, saved, done_at);
  // Another number of replicates: another set of jobs.
  const Experiment other = Experiment::from_config(small_config({"run.replicates=3"}), "ck");
  try {
    (void)resume_from(other, 2, saved);
    FAIL("resumed a state of another run");
  } catch (const std::runtime_error& err) {
    CHECK_THAT(err.what(), Catch::Contains("checkpoint state does not match this run: the number of jobs"));
  }
  // A cut stream.
  std::vector<uint8_t> cut(saved.begin(), saved.begin() + static_cast<std::ptrdiff_t>(saved.size() / 2));
  CHECK_THROWS_WITH(resume_from(e, 2, cut), Catch::Contains("checkpoint state"));
}

TEST_CASE("checkpoint files: written whole, read back, refused for another config or build", "[checkpoint]") {
  namespace fs = std::filesystem;
  const Experiment e = Experiment::from_config(small_config({"run.replicates=2"}), "ck");
  std::vector<uint8_t> saved;
  uint64_t done_at = 0;
  run_until_checkpoint(e, 2, 40, saved, done_at);
  const fs::path dir = temp_dir();
  fs::create_directories(dir);
  const std::string path = (dir / "unit.checkpoint.h5").string();
  CheckpointInfo info;
  info.config_yaml = e.config_yaml;
  info.config_name = e.config_name;
  info.output = "output/ck.h5";
  info.steps_done = done_at;
  info.steps_total = 208;
  write_checkpoint(path, info, [&](archive::Io& io) { io(saved); });
  CHECK_FALSE(fs::exists(path + ".tmp"));
  const Checkpoint c(path);
  CHECK(c.info().steps_done == done_at);
  CHECK(c.info().output == "output/ck.h5");
  CHECK(c.info().version == checkpoint_build());
  CHECK_NOTHROW(c.check_matches(e.config_yaml));
  std::vector<uint8_t> back;
  c.read([&](archive::Io& io) { io(back); });
  CHECK(back == saved);
  // Another config: refused with the first line that differs.
  const Experiment other = Experiment::from_config(small_config({"run.replicates=2", "population.size=3001"}), "ck");
  CHECK_THROWS_WITH(c.check_matches(other.config_yaml), Catch::Contains("belongs to a run of another config") &&
                                                            Catch::Contains("3001"));
  // Not a checkpoint.
  const std::string text = write_temp("not_a_checkpoint.h5", "hello");
  CHECK_THROWS_AS(Checkpoint(text), InputError);
  fs::remove(path);
}
