// The compressed results series (model/sim/series.hpp): lossless for any values, and a
// fraction of the Tally size, so that memory grows with replicates less than the output.
#include <catch2/catch.hpp>

#include <limits>
#include <random>

#include "helpers.hpp"
#include "model/sim/series.hpp"

using namespace hscsim;
using namespace hscsim::test;

TEST_CASE("the series codec is lossless for any int64 values, extremes included") {
  std::mt19937_64 g(7);
  const size_t n = 37, w = 11;
  std::vector<int64_t> rows(n * w);
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  for (size_t k = 0; k < rows.size(); ++k) {
    switch (k % 5) {
      case 0: rows[k] = static_cast<int64_t>(g()); break;
      case 1: rows[k] = k % 2 ? lo : hi; break;
      case 2: rows[k] = 0; break;
      case 3: rows[k] = static_cast<int64_t>(g() % 1000) - 500; break;
      default: rows[k] = static_cast<int64_t>(k); break;
    }
  }
  const auto blob = series::encode(rows.data(), n, w);
  std::vector<int64_t> back(n * w, 1);
  series::decode(blob, back.data(), n, w);
  CHECK(back == rows);
  // A damaged blob is an error, not a wrong value or a read past the end.
  auto cut = blob;
  cut.pop_back();
  CHECK_THROWS_AS(series::decode(cut, back.data(), n, w), RuntimeFailure);
}

TEST_CASE("stored results decode to the tallies of the run, and take a fraction of the space") {
  auto r = run_experiment(Experiment::from_config(small_config({"run.replicates=3"}), "s"), 2);
  const auto& sc = r.scenarios[0];
  REQUIRE(sc.steps.size() == 3);
  // Decoding twice gives the same; replicates differ; equal series compare equal.
  CHECK(sc.steps[1] == sc.steps[1]);
  CHECK(sc.steps[0] != sc.steps[1]);
  CHECK(sc.steps[0].size() == 104);
  auto again = run_experiment(Experiment::from_config(small_config({"run.replicates=3"}), "s"), 1);
  CHECK(again.scenarios[0].steps == sc.steps);
  CHECK(again.scenarios[0].providers == sc.providers);
  const double steps = 3.0 * 104;
  const double per_step = static_cast<double>(sc.steps.bytes()) / steps;
  INFO("held bytes per replicate-step: " << per_step << " (Tally: " << sizeof(Tally) << ")");
  CHECK(per_step < static_cast<double>(sizeof(Tally)) / 4);
  CHECK(per_step < kHeldBytesPerStep);
  const auto& g = Params::read(small_config()).geography;
  const double providers = double(g.practices.size() + g.trusts.size() + g.authorities.size());
  CHECK(static_cast<double>(sc.providers.bytes()) / steps < kHeldBytesPerProviderStep * (providers + 4));
}
