#pragma once
// Shared helpers for the tests: load the shipped configs with overrides, write
// temporary config files.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "model/core/config/node.hpp"
#include "model/sim/experiment.hpp"
#include "model/sim/params.hpp"

namespace hscsim::test {

inline std::string source_path(const std::string& rel) { return std::string(HSCSIM_SOURCE_DIR) + "/" + rel; }

//! The default config with `--set` style overrides applied, started cold (no burn-in:
//! tests that step a World themselves count steps from the reported start).
inline config::Node default_config(const std::vector<std::string>& sets = {}) {
  config::Node root = config::load(source_path("configs/default.yaml"));
  config::apply_override(root, "time.burn_in_years=0");
  for (const auto& s : sets) config::apply_override(root, s);
  return root;
}

//! A small, fast variant of the default config.
inline config::Node small_config(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> sets = {"population.size=3000", "time.years=2", "run.replicates=1"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return default_config(sets);
}

//! This process's scratch folder: one per process, since ctest runs test cases as parallel
//! processes, and two of them writing the same name at once would read each other's
//! half-written file.
inline std::filesystem::path temp_dir() {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "hscsim-tests" / std::to_string(::getpid());
  fs::create_directories(dir);
  return dir;
}

//! Writes `text` to a fresh file in temp_dir() and returns its path.
inline std::string write_temp(const std::string& name, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path dir = temp_dir();
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

//! Total of counter c over every replicate and step of scenario `scenario`.
inline int64_t total(const RunResult& r, Counter c, size_t scenario = 0) {
  int64_t n = 0;
  for (const auto& rep : r.scenarios[scenario].steps)
    for (const auto& t : rep) n += t.get(c);
  return n;
}

//! Message of the ConfigError thrown by f, or "" if none.
template <typename F>
std::string config_error(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace hscsim::test
