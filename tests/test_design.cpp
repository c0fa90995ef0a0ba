// Designs and sensitivity estimators (model/core/design.hpp) on functions whose answers
// are known: the Ishigami function's Sobol' indices (exact, Sobol' & Levitan 1999), its
// Morris mu* (exact for the grid design, by enumeration), a linear function's effects;
// and the space-filling properties of the Sobol' and Latin-hypercube designs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "model/core/design.hpp"
#include "model/core/distributions.hpp"

using namespace hscsim;
using namespace hscsim::design;

namespace {
double to_pi(double u) { return -M_PI + 2 * M_PI * u; }
double ishigami_unit(const std::vector<double>& x) { return ishigami(to_pi(x[0]), to_pi(x[1]), to_pi(x[2])); }
}  // namespace

TEST_CASE("a Sobol' design: the first 2^m points of each dimension fill every 1/2^m stratum once, and the seed shifts them") {
  const auto a = sobol(256, sobol_max_dimensions(), 7);
  for (size_t j = 0; j < a.front().size(); ++j) {
    std::set<int> strata;
    for (const auto& p : a) {
      REQUIRE(p[j] > 0);
      REQUIRE(p[j] < 1);
      strata.insert(static_cast<int>(p[j] * 256));
    }
    CHECK(strata.size() == 256);  // a (0, m, 1)-net in each dimension, kept by a digital shift
  }
  // Two-dimensional projections: the first two dimensions are a (0, 8, 2)-net (every 16 x
  // 16 cell holds one of the 256 points); neighbouring later pairs have t <= 1 (at least
  // half the cells filled, where 256 random points fill about 63%).
  for (size_t j = 0; j + 1 < 6; ++j) {
    std::set<int> cells;
    for (const auto& p : a) cells.insert(int(p[j] * 16) * 16 + int(p[j + 1] * 16));
    if (j == 0) CHECK(cells.size() == 256);
    else CHECK(cells.size() >= 128);
  }
  CHECK(sobol(8, 3, 7) == sobol(8, 3, 7));
  CHECK(sobol(8, 3, 7) != sobol(8, 3, 8));
  CHECK_THROWS(sobol(4, sobol_max_dimensions() + 1, 1));
}

TEST_CASE("a Latin hypercube: each of n strata of each dimension holds one point, and the seed keys it") {
  const auto a = latin_hypercube(50, 4, 3);
  for (size_t j = 0; j < 4; ++j) {
    std::set<int> strata;
    for (const auto& p : a) strata.insert(static_cast<int>(p[j] * 50));
    CHECK(strata.size() == 50);
  }
  CHECK(latin_hypercube(50, 4, 3) == a);
  CHECK(latin_hypercube(50, 4, 4) != a);
}

TEST_CASE("Sobol' indices of the Ishigami function by Saltelli sampling are within 0.03 of the exact values") {
  const auto exact = ishigami_exact();
  CHECK(exact.first[0] == Approx(0.3139).epsilon(1e-3));
  CHECK(exact.total[0] == Approx(0.5576).epsilon(1e-3));
  CHECK(exact.total[2] == Approx(0.2437).epsilon(1e-3));
  const auto d = saltelli_design(3, 4096, 11);
  std::vector<double> y;
  for (const auto& x : d.points) y.push_back(ishigami_unit(x));
  const auto s = sobol_indices(d, y, 11, 200);
  CHECK(s.variance == Approx(exact.variance).epsilon(0.03));
  for (int f = 0; f < 3; ++f) {
    INFO("factor " << f + 1);
    CHECK(std::fabs(s.first[f].value - exact.first[f]) < 0.03);
    CHECK(std::fabs(s.total[f].value - exact.total[f]) < 0.03);
    // The bootstrap intervals hold the exact value (with a margin for the interval's own error).
    CHECK(s.first[f].lower - 0.01 <= exact.first[f]);
    CHECK(s.first[f].upper + 0.01 >= exact.first[f]);
    CHECK(s.total[f].lower - 0.01 <= exact.total[f]);
    CHECK(s.total[f].upper + 0.01 >= exact.total[f]);
  }
  // Fewer base rows: wider intervals.
  const auto small = saltelli_design(3, 128, 11);
  std::vector<double> ys;
  for (const auto& x : small.points) ys.push_back(ishigami_unit(x));
  const auto ss = sobol_indices(small, ys, 11, 200);
  CHECK(ss.total[0].upper - ss.total[0].lower > s.total[0].upper - s.total[0].lower);
}

TEST_CASE("Morris mu* of the Ishigami function is within 5% of its exact value for the 4-level grid") {
  // Exact mu* for levels 4 (grid 0, 1/3, 2/3, 1; step 2/3): the mean |effect| over every
  // grid pair (low, low + 2/3) of the factor and every grid value of the others. A
  // trajectory visits each pair with equal chance going up or down, so this is what mu*
  // estimates.
  const double g[4] = {0, 1.0 / 3, 2.0 / 3, 1}, delta = 2.0 / 3;
  double exact[3] = {0, 0, 0};
  for (int f = 0; f < 3; ++f) {
    double sum = 0;
    int n = 0;
    for (int lo = 0; lo < 2; ++lo)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
          std::vector<double> x(3), xh(3);
          int o = 0;
          for (int q = 0; q < 3; ++q) {
            if (q == f) continue;
            x[q] = xh[q] = g[o++ == 0 ? i : j];
          }
          x[f] = g[lo];
          xh[f] = g[lo + 2];
          sum += std::fabs(ishigami_unit(xh) - ishigami_unit(x)) / delta;
          ++n;
        }
    exact[f] = sum / n;
  }
  const auto d = morris_design(3, 2000, 4, 5);
  REQUIRE(d.points.size() == 2000 * 4);
  CHECK(d.delta == Approx(delta));
  std::vector<double> y;
  for (const auto& x : d.points) y.push_back(ishigami_unit(x));
  const auto m = morris_indices(d, y, 5, 200);
  for (int f = 0; f < 3; ++f) {
    INFO("factor " << f + 1 << " exact " << exact[f] << " estimated " << m.mu_star[f].value);
    CHECK(m.mu_star[f].value == Approx(exact[f]).epsilon(0.05));
    CHECK(m.mu_star[f].lower <= m.mu_star[f].value);
    CHECK(m.mu_star[f].upper >= m.mu_star[f].value);
  }
  // x3 acts only through its interaction with x1: no first-order index, yet a clear mu*
  // and a sigma as large as its mean effect (the signature of an interaction).
  CHECK(m.mu_star[2].value > 1);
  CHECK(m.sigma[2] > 0.5 * m.mu_star[2].value);
}

TEST_CASE("Morris effects of a linear function are its coefficients, with no spread") {
  const auto d = morris_design(4, 20, 6, 9);
  const double c[4] = {3, -2, 0, 0.5};
  std::vector<double> y;
  for (const auto& x : d.points) y.push_back(c[0] * x[0] + c[1] * x[1] + c[2] * x[2] + c[3] * x[3]);
  const auto m = morris_indices(d, y, 9, 100);
  for (int f = 0; f < 4; ++f) {
    CHECK(m.mu[f] == Approx(c[f]).margin(1e-12));
    CHECK(m.mu_star[f].value == Approx(std::fabs(c[f])).margin(1e-12));
    CHECK(m.sigma[f] == Approx(0).margin(1e-12));
  }
  // Every point of every trajectory is on the grid and within [0, 1]; each step moves one factor.
  for (size_t t = 0; t < d.trajectories; ++t)
    for (size_t j = 0; j < d.factors; ++j) {
      const auto& a = d.points[t * 5 + j];
      const auto& b = d.points[t * 5 + j + 1];
      int moved = 0;
      for (size_t q = 0; q < 4; ++q) {
        CHECK(b[q] >= 0);
        CHECK(b[q] <= 1);
        CHECK(std::fabs(b[q] * 5 - std::round(b[q] * 5)) < 1e-9);
        moved += a[q] != b[q];
      }
      CHECK(moved == 1);
    }
}

TEST_CASE("distributions: quantiles as the textbooks give them, truncation respected") {
  Distribution n{Distribution::Normal, 10, 2};
  CHECK(n.quantile(0.5) == Approx(10));
  CHECK(n.quantile(0.975) == Approx(10 + 1.959964 * 2).epsilon(1e-6));
  n.lower = 9;
  n.upper = 12;
  for (double u : {1e-9, 0.1, 0.5, 0.9, 1 - 1e-9}) {
    CHECK(n.quantile(u) >= 9);
    CHECK(n.quantile(u) <= 12);
  }
  Distribution b{Distribution::Beta, 2, 2};
  CHECK(b.quantile(0.5) == Approx(0.5));
  CHECK(b.mean() == Approx(0.5));
  Distribution g{Distribution::Gamma, 1, 3};  // exponential with mean 3
  CHECK(g.quantile(0.5) == Approx(3 * std::log(2.0)));
  Distribution l{Distribution::Lognormal, std::log(2.0), 0.3};
  CHECK(l.quantile(0.5) == Approx(2));
  Distribution u{Distribution::Uniform, 1, 3};
  CHECK(u.quantile(0.25) == Approx(1.5));
  Distribution t{Distribution::Triangular, 0, 1, 2};
  CHECK(t.quantile(0.5) == Approx(1));
  // Over a Latin hypercube of 1,000 points, the sample mean is the distribution's mean.
  const auto lhs = latin_hypercube(1000, 1, 1);
  double sum = 0;
  for (const auto& p : lhs) sum += b.quantile(p[0]);
  CHECK(sum / 1000 == Approx(0.5).margin(0.005));
}
