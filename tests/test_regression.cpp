// Regression: a small run's totals per metric, compared with the stored reference
// tests/data/reference_tiny.txt (one "metric total" line each, so a change shows as a
// readable diff). After a deliberate change to the model, update it with
//   HSCSIM_UPDATE_REFERENCE=1 build/tests/hscsim_tests "[regression]"
// and commit the new file with an explanation.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "helpers.hpp"

using namespace hscsim;
using namespace hscsim::test;

TEST_CASE("a small run matches the stored reference", "[regression]") {
  auto e = Experiment::from_config(config::load(source_path("configs/tests/tiny.yaml")), "tiny");
  auto r = run_experiment(e, 2);
  std::ostringstream out;
  out << "# hscsim regression reference: configs/tests/tiny.yaml, replicate totals over all steps\n"
         "# (flows summed, stocks and means at the last step). Update: see tests/test_regression.cpp\n";
  for (const auto& m : metric_definitions())
    for (size_t rep = 0; rep < r.scenarios[0].steps.size(); ++rep) {
      const auto& steps = r.scenarios[0].steps[rep];
      double v = 0;
      if (m.kind == "flow")
        for (const auto& t : steps) v += m.value(t, 0);
      else
        v = m.value(steps.back(), 0);
      out << fmt::format("{} r{} {:.10g}\n", m.name, rep, v);
    }
  const std::string path = source_path("tests/data/reference_tiny.txt");
  if (std::getenv("HSCSIM_UPDATE_REFERENCE")) {
    std::ofstream(path) << out.str();
    WARN("updated " << path);
    return;
  }
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream stored;
  stored << in.rdbuf();
  // Compared line by line as "metric replicate" -> value, whatever the order the metrics
  // are declared in (the order is not part of the results).
  auto lines = [](const std::string& text) {
    std::map<std::string, std::string> m;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
      if (l.empty() || l[0] == '#') continue;
      const auto cut = l.rfind(' ');
      m[l.substr(0, cut)] = l.substr(cut + 1);
    }
    return m;
  };
  const auto want = lines(stored.str()), got = lines(out.str());
  for (const auto& [key, value] : want) {
    INFO(key);
    REQUIRE(got.count(key));
    CHECK(got.at(key) == value);
  }
  for (const auto& [key, value] : got) {
    INFO(key << " is not in the stored reference");
    CHECK(want.count(key));
  }
}
