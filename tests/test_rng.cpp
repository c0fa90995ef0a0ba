// Random streams: purity, independence of lanes, distribution checks with k-standard-
// error tolerances (k = 4: a correct generator fails with probability < 1e-4; the
// seeds are fixed, so a pass is reproducible).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "model/core/clock.hpp"
#include "model/core/rng.hpp"

using namespace hscsim;

TEST_CASE("draws are pure functions of key and counter") {
  Streams a(7, 0), b(7, 0), c(7, 1), d(8, 0);
  CHECK(a.block(42, 3, Purpose::Demography) == b.block(42, 3, Purpose::Demography));
  CHECK(a.block(42, 3, Purpose::Demography) != c.block(42, 3, Purpose::Demography));  // replicate in the key
  CHECK(a.block(42, 3, Purpose::Demography) != d.block(42, 3, Purpose::Demography));  // seed in the key
  CHECK(a.block(42, 3, Purpose::Demography) != a.block(43, 3, Purpose::Demography));
  CHECK(a.block(42, 3, Purpose::Demography) != a.block(42, 4, Purpose::Demography));
  CHECK(a.block(42, 3, Purpose::Demography) != a.block(42, 3, Purpose::StateTransition));
  CHECK(a.block(uint64_t{1} << 32, 3, Purpose::Demography) != a.block(0, 3, Purpose::Demography));  // high id bits count
  Lanes l1(a, 42, 3, Purpose::StateTransition), l2(a, 42, 3, Purpose::StateTransition);
  const double x5 = l1[5];
  CHECK(l2[9] != x5);
  CHECK(l2[5] == x5);  // a lane does not depend on which lanes were drawn before it
}

TEST_CASE("uniforms are in (0,1) with the right mean, variance and no lane correlation") {
  Streams s(2026, 0);
  const int n = 200000;
  double sum = 0, sumsq = 0, cross = 0, lsum = 0;
  double lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform(static_cast<uint64_t>(i), 0, Purpose::Demography);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
    sumsq += u * u;
    Lanes l(s, static_cast<uint64_t>(i), 1, Purpose::StateTransition);
    const double a = l[0], b = l[1];
    lsum += a;
    cross += (a - 0.5) * (b - 0.5);
  }
  CHECK(lo > 0.0);
  CHECK(hi < 1.0);
  const double se_mean = std::sqrt(1.0 / 12.0 / n);
  CHECK(std::fabs(sum / n - 0.5) < 4 * se_mean);
  CHECK(std::fabs(lsum / n - 0.5) < 4 * se_mean);
  CHECK(std::fabs(sumsq / n - 1.0 / 3.0) < 4 * std::sqrt(4.0 / 45.0 / n));  // Var(U^2) = 1/5 - 1/9
  CHECK(std::fabs(cross / n) < 4 * (1.0 / 12.0) / std::sqrt(n));            // sd of (a-.5)(b-.5) = 1/12
}

TEST_CASE("Poisson draws have the right mean and variance, small and large means") {
  Streams s(99, 0);
  for (double mean : {0.7, 3.0, 42.0, 800.0}) {
    const int n = 20000;
    double sum = 0, sumsq = 0;
    for (int i = 0; i < n; ++i) {
      const double k = static_cast<double>(poisson(s, mean, kPlaceId, static_cast<uint32_t>(i), Purpose::Immigration));
      sum += k;
      sumsq += k * k;
    }
    const double m = sum / n, var = sumsq / n - m * m;
    INFO("mean " << mean << " got " << m << " var " << var);
    CHECK(std::fabs(m - mean) < 4 * std::sqrt(mean / n));
    // Var of the sample variance of a Poisson: (mu + 2 mu^2) / n approximately.
    CHECK(std::fabs(var - mean) < 4 * std::sqrt((mean + 2 * mean * mean) / n));
  }
  CHECK(poisson(s, 0.0, kPlaceId, 1, Purpose::Immigration) == 0);
}

TEST_CASE("rates become step probabilities exactly") {
  for (double H : {1e-9, 1e-6, 1e-4, 5e-3, 0.0099, 0.01, 0.03, 0.0499, 0.05, 0.3, 5.0})
    CHECK(step_probability(H) == Approx(-std::expm1(-H)).epsilon(2e-14));
  CHECK(hazard_from_annual_probability(0.1) == Approx(-std::log(0.9)));
  // A life-table q over a year of weekly steps compounds back to q.
  const double q = 0.05, dt = 7 / 365.25;
  const double p = step_probability(hazard_from_annual_probability(q) * dt);
  CHECK(1 - std::pow(1 - p, 365.25 / 7) == Approx(q).epsilon(1e-12));
}

TEST_CASE("screened lanes: screening never hides a small draw, and lanes stay uniform and independent") {
  Streams s(31, 2);
  const int n = 400000;
  const double t = 0.01;
  // Lanes with a screening byte (0-31) and without (40).
  const std::vector<int> lanes = {0, 1, 7, 8, 15, 16, 23, 24, 31, 40};
  std::vector<int64_t> below(lanes.size(), 0);
  int64_t both_0_16 = 0, both_3_24 = 0, both_8_40 = 0;
  int64_t candidates = 0, wrong = 0, wrong_above = 0, candidates_above = 0;
  Lanes::Thresholds thr{};
  for (int k = 0; k < Lanes::kScreened; ++k) thr[static_cast<size_t>(k)] = Lanes::screen_threshold(0.001 * (k + 1));
  for (int i = 0; i < n; ++i) {
    Lanes l(s, static_cast<uint64_t>(i), 9, Purpose::CareSeeking);
    const uint32_t c = l.candidates(thr);
    candidates += __builtin_popcount(c);
    for (int k = 0; k < Lanes::kScreened; ++k) {
      const double x = l[k], tk = 0.001 * (k + 1);
      // Not a candidate => certainly not below; may_be_below and candidate agree.
      const bool cand = c >> k & 1;
      wrong += (!cand && x < tk) || l.may_be_below(k, tk) != cand || l.candidate(k, thr[static_cast<size_t>(k)]) != cand;
      // Two-sided (ordinal moves): a draw above 1 - tk is never hidden either.
      const bool cand2 = l.candidate(k, thr[static_cast<size_t>(k)], Lanes::screen_threshold_above(1.0 - tk));
      wrong_above += (!cand2 && (x < tk || x > 1.0 - tk));
      candidates_above += cand2 && !cand;
    }
    for (size_t j = 0; j < lanes.size(); ++j) below[j] += l[lanes[j]] < t;
    both_0_16 += l[0] < 0.1 && l[16] < 0.1;
    both_3_24 += l[3] < 0.1 && l[24] < 0.1;
    both_8_40 += l[8] < 0.1 && l[40] < 0.1;
  }
  CHECK(wrong == 0);
  const double se = std::sqrt(t * (1 - t) / n);
  for (size_t j = 0; j < lanes.size(); ++j) {
    INFO("lane " << lanes[j]);
    CHECK(std::fabs(static_cast<double>(below[j]) / n - t) < 4 * se);
  }
  const double se2 = std::sqrt(0.01 * 0.99 / n);
  CHECK(std::fabs(static_cast<double>(both_0_16) / n - 0.01) < 4 * se2);
  CHECK(std::fabs(static_cast<double>(both_3_24) / n - 0.01) < 4 * se2);
  CHECK(std::fabs(static_cast<double>(both_8_40) / n - 0.01) < 4 * se2);
  // Screening does its job: about 1/256 + t of the lanes need a look.
  double expected = 0;
  for (int k = 0; k < Lanes::kScreened; ++k) expected += std::ceil(0.001 * (k + 1) * 256) / 256;
  CHECK(static_cast<double>(candidates) / n == Approx(expected).epsilon(0.02));
  CHECK(wrong_above == 0);
  // ... and it too narrows the look to about t + 1/256 of the lanes at the top.
  CHECK(static_cast<double>(candidates_above) / n == Approx(expected).epsilon(0.03));
  CHECK(Lanes::screen_threshold_above(1.0) == 256);
  CHECK(Lanes::screen_threshold_above(0.5) == 128);
  CHECK(Lanes::screen_threshold_above(-1.0) == 0);
  CHECK(Lanes::screen_threshold(0.0) == 0);
  CHECK(Lanes::screen_threshold(1.0) == 255);
  CHECK(Lanes::screen_threshold(5.0) == 255);
  CHECK(Lanes::screen_threshold(1.0 / 256) == 0);
  CHECK(Lanes::screen_threshold(1.0 / 256 + 1e-12) == 1);
}
