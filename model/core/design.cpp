#include "model/core/design.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "model/core/rng.hpp"

namespace hscsim::design {
namespace {

// Joe & Kuo (2008), new-joe-kuo-6.21201: for dimensions 2, 3, ...: the degree s of the
// primitive polynomial, its coefficients a, and the initial direction numbers m_1..m_s.
// (Dimension 1 is van der Corput and needs none.) Data, published by the authors.
constexpr const char* kJoeKuo =
    "1 0 1|2 1 1 3|3 1 1 3 1|3 2 1 1 1|4 1 1 1 3 3|4 4 1 3 5 13|5 2 1 1 5 5 17|5 4 1 1 5 5 5|5 7 1 1 7 11 19|"
    "5 11 1 1 5 1 1|5 13 1 1 1 3 11|5 14 1 3 5 5 31|6 1 1 3 3 9 7 49|6 13 1 1 1 15 21 21|6 16 1 3 1 13 27 49|"
    "6 19 1 1 1 15 7 5|6 22 1 3 1 15 13 25|6 25 1 1 5 5 19 61|7 1 1 3 7 11 23 15 103|7 4 1 3 7 13 13 15 69|"
    "7 7 1 1 3 13 7 35 63|7 8 1 3 5 9 1 25 53|7 14 1 3 1 13 9 35 107|7 19 1 3 1 5 27 61 31|7 21 1 1 5 11 19 41 61|"
    "7 28 1 3 5 3 3 13 69|7 31 1 1 7 13 1 19 1|7 32 1 3 7 5 13 19 59|7 37 1 1 3 9 25 29 41|7 41 1 3 5 13 23 1 55|"
    "7 42 1 3 7 3 13 59 17|7 50 1 3 1 3 5 53 69|7 55 1 1 5 5 23 33 13|7 56 1 1 7 7 1 61 123|7 59 1 1 7 9 13 61 49|"
    "7 62 1 3 3 5 3 55 33|8 14 1 3 1 15 31 13 49 245|8 21 1 3 5 15 31 59 63 97|8 22 1 3 1 11 11 11 77 249|"
    "8 38 1 3 1 11 27 43 71 9|8 47 1 1 7 15 21 11 81 45|8 49 1 3 7 3 25 31 65 79|8 50 1 3 1 1 19 11 3 205|"
    "8 52 1 1 5 9 19 21 29 157|8 56 1 3 7 11 1 33 89 1";

constexpr int kBits = 32;
using Directions = std::vector<std::array<uint32_t, kBits>>;

const Directions& directions() {
  static const Directions dirs = [] {
    Directions d;
    std::array<uint32_t, kBits> v{};
    for (int k = 0; k < kBits; ++k) v[k] = uint32_t{1} << (kBits - 1 - k);
    d.push_back(v);
    std::stringstream all(kJoeKuo);
    std::string entry;
    while (std::getline(all, entry, '|')) {
      std::stringstream in(entry);
      int s = 0;
      uint32_t a = 0;
      in >> s >> a;
      std::vector<uint32_t> m(s);
      for (auto& x : m) in >> x;
      for (int k = 0; k < kBits; ++k) {
        if (k < s) {
          v[k] = m[k] << (kBits - 1 - k);
        } else {
          uint32_t x = v[k - s] ^ (v[k - s] >> s);
          for (int l = 1; l < s; ++l)
            if ((a >> (s - 1 - l)) & 1) x ^= v[k - l];
          v[k] = x;
        }
      }
      d.push_back(v);
    }
    return d;
  }();
  return dirs;
}

// The design stream of `seed`: replicate word ~0, which no replicate uses.
Streams design_stream(uint32_t seed) { return Streams(seed, ~uint32_t{0}); }
// Uniform u in (0, 1), and 32 random bits, for (what, a, b) of the design stream.
double draw(uint32_t seed, uint64_t what, uint32_t a, uint16_t b) {
  return design_stream(seed).uniform(what, a, Purpose::Design, b);
}
uint32_t draw_bits(uint32_t seed, uint64_t what, uint32_t a, uint16_t b) {
  return design_stream(seed).raw(what, a, Purpose::Design, b)[0];
}

enum What : uint64_t { kSobolShift = 1, kLhsOrder, kLhsJitter, kMorrisBase, kMorrisOrder, kMorrisSign, kBootMorris, kBootSobol };

// A permutation of 0..n-1 keyed by (seed, what, a): sort by keyed random bits.
std::vector<size_t> permutation(size_t n, uint32_t seed, What what, uint32_t a) {
  std::vector<std::pair<uint64_t, size_t>> keyed(n);
  for (size_t i = 0; i < n; ++i) {
    const auto r = design_stream(seed).raw(what, a, Purpose::Design, static_cast<uint16_t>(i & 0xFFFF));
    keyed[i] = {(uint64_t(r[0]) << 32 | r[1]) ^ (uint64_t(i >> 16) * 0x9E3779B97F4A7C15ull), i};
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<size_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = keyed[i].second;
  return out;
}

double mean(const std::vector<double>& x) {
  return x.empty() ? std::nan("") : std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

// 2.5% and 97.5% quantiles of a sample (linear interpolation between order statistics).
std::pair<double, double> central95(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  auto q = [&](double p) {
    const double h = p * static_cast<double>(x.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(h));
    const size_t hi = std::min(lo + 1, x.size() - 1);
    return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
  };
  return {q(0.025), q(0.975)};
}

}  // namespace

int sobol_max_dimensions() { return static_cast<int>(directions().size()); }

Matrix sobol(size_t n, size_t dims, uint32_t seed) {
  const auto& v = directions();
  if (dims > v.size())
    throw std::invalid_argument("a Sobol' design has at most " + std::to_string(v.size()) + " dimensions");
  std::vector<uint32_t> shift(dims);
  for (size_t j = 0; j < dims; ++j) shift[j] = draw_bits(seed, kSobolShift, static_cast<uint32_t>(j), 0);
  Matrix out(n, std::vector<double>(dims));
  std::vector<uint32_t> x(dims, 0);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) {  // Gray code order: point i differs from i - 1 by the direction of i - 1's lowest zero bit
      const int c = std::countr_one(static_cast<uint64_t>(i - 1));
      if (c >= kBits) throw std::invalid_argument("a Sobol' design has at most 2^32 points");
      for (size_t j = 0; j < dims; ++j) x[j] ^= v[j][c];
    }
    for (size_t j = 0; j < dims; ++j) out[i][j] = Streams::to_unit(x[j] ^ shift[j]);
  }
  return out;
}

Matrix latin_hypercube(size_t n, size_t dims, uint32_t seed) {
  Matrix out(n, std::vector<double>(dims));
  for (size_t j = 0; j < dims; ++j) {
    const auto order = permutation(n, seed, kLhsOrder, static_cast<uint32_t>(j));
    for (size_t i = 0; i < n; ++i)
      out[i][j] = (static_cast<double>(order[i]) + draw(seed, kLhsJitter, static_cast<uint32_t>(i), static_cast<uint16_t>(j))) /
                  static_cast<double>(n);
  }
  return out;
}

MorrisDesign morris_design(size_t k, size_t trajectories, int levels, uint32_t seed) {
  if (levels < 2 || levels % 2) throw std::invalid_argument("Morris levels must be an even number >= 2");
  MorrisDesign d;
  d.factors = k;
  d.trajectories = trajectories;
  d.levels = levels;
  const double grid = 1.0 / (levels - 1);
  d.delta = levels / (2.0 * (levels - 1));
  for (size_t t = 0; t < trajectories; ++t) {
    const auto t32 = static_cast<uint32_t>(t);
    std::vector<double> x(k);
    for (size_t j = 0; j < k; ++j) {  // any grid level; the step then goes up or down as the grid allows
      const int level = std::min(levels - 1, static_cast<int>(draw(seed, kMorrisBase, t32, static_cast<uint16_t>(j)) * levels));
      x[j] = level * grid;
    }
    d.points.push_back(x);
    for (size_t j : permutation(k, seed, kMorrisOrder, t32)) {
      const bool up_possible = x[j] + d.delta <= 1 + 1e-12, down_possible = x[j] - d.delta >= -1e-12;
      const bool up = up_possible && (!down_possible || draw(seed, kMorrisSign, t32, static_cast<uint16_t>(j)) < 0.5);
      const double s = up ? d.delta : -d.delta;
      x[j] = std::clamp(x[j] + s, 0.0, 1.0);
      d.points.push_back(x);
      d.moved.push_back(static_cast<int>(j));
      d.step.push_back(s);
    }
  }
  return d;
}

MorrisIndices morris_indices(const MorrisDesign& d, const std::vector<double>& y, uint32_t seed, int resamples) {
  const size_t k = d.factors, T = d.trajectories;
  if (y.size() != d.points.size()) throw std::invalid_argument("morris_indices: one output per design point");
  std::vector<std::vector<double>> effects(k, std::vector<double>(T));  // [factor][trajectory]
  for (size_t t = 0; t < T; ++t)
    for (size_t j = 0; j < k; ++j) {
      const size_t a = t * (k + 1) + j;
      effects[d.moved[t * k + j]][t] = (y[a + 1] - y[a]) / d.step[t * k + j];
    }
  MorrisIndices out;
  for (size_t f = 0; f < k; ++f) {
    const auto& e = effects[f];
    std::vector<double> abs_e(T);
    for (size_t t = 0; t < T; ++t) abs_e[t] = std::fabs(e[t]);
    const double mu = mean(e), mu_star = mean(abs_e);
    double ss = 0;
    for (double v : e) ss += (v - mu) * (v - mu);
    out.mu.push_back(mu);
    out.sigma.push_back(T > 1 ? std::sqrt(ss / static_cast<double>(T - 1)) : std::nan(""));
    std::vector<double> boot(static_cast<size_t>(resamples));
    for (int b = 0; b < resamples; ++b) {
      double s = 0;
      for (size_t t = 0; t < T; ++t) {
        const auto pick = static_cast<size_t>(draw(seed, kBootMorris, static_cast<uint32_t>(b), static_cast<uint16_t>(t)) * T);
        s += abs_e[std::min(pick, T - 1)];
      }
      boot[b] = s / static_cast<double>(T);
    }
    const auto [lo, hi] = resamples > 1 && T > 1 ? central95(boot) : std::pair{std::nan(""), std::nan("")};
    out.mu_star.push_back({mu_star, lo, hi});
  }
  return out;
}

SaltelliDesign saltelli_design(size_t k, size_t N, uint32_t seed) {
  SaltelliDesign d;
  d.factors = k;
  d.base = N;
  const Matrix s = sobol(N, 2 * k, seed);
  d.points.reserve(N * (k + 2));
  for (size_t i = 0; i < N; ++i) d.points.emplace_back(s[i].begin(), s[i].begin() + k);   // A
  for (size_t i = 0; i < N; ++i) d.points.emplace_back(s[i].begin() + k, s[i].end());     // B
  for (size_t f = 0; f < k; ++f)
    for (size_t i = 0; i < N; ++i) {  // AB_f: A with column f from B
      std::vector<double> x(s[i].begin(), s[i].begin() + k);
      x[f] = s[i][k + f];
      d.points.push_back(std::move(x));
    }
  return d;
}

namespace {
// First- and total-order indices of factor f from the rows `rows` (indices into 0..N-1).
std::pair<double, double> sobol_pair(const SaltelliDesign& d, const std::vector<double>& y, size_t f,
                                     const std::vector<size_t>& rows) {
  const size_t N = d.base;
  const double n = static_cast<double>(rows.size());
  double sum = 0;
  for (size_t i : rows) sum += y[i] + y[N + i];
  const double m = sum / (2 * n);
  // Centred on the mean of A and B: the same estimator in expectation, but its variance
  // no longer grows with the output's mean (a model output is often thousands of times
  // its spread across the design).
  double var = 0, s1 = 0, st = 0;
  for (size_t i : rows) {
    const double a = y[i] - m, b = y[N + i] - m, ab = y[(2 + f) * N + i] - m;
    var += a * a + b * b;
    s1 += b * (ab - a);
    st += (a - ab) * (a - ab);
  }
  var /= 2 * n;
  return {s1 / n / var, st / (2 * n) / var};
}
}  // namespace

SobolIndices sobol_indices(const SaltelliDesign& d, const std::vector<double>& y, uint32_t seed, int resamples) {
  const size_t k = d.factors, N = d.base;
  if (y.size() != N * (k + 2)) throw std::invalid_argument("sobol_indices: one output per design point");
  SobolIndices out;
  std::vector<size_t> all(N);
  std::iota(all.begin(), all.end(), size_t{0});
  {
    double sum = 0, sum_sq = 0;
    for (size_t i = 0; i < 2 * N; ++i) sum += y[i], sum_sq += y[i] * y[i];
    const double m = sum / (2.0 * N);
    out.variance = sum_sq / (2.0 * N) - m * m;
  }
  std::vector<std::vector<size_t>> boot_rows(static_cast<size_t>(std::max(resamples, 0)), std::vector<size_t>(N));
  for (int b = 0; b < resamples; ++b)
    for (size_t i = 0; i < N; ++i) {
      const auto pick = static_cast<size_t>(draw(seed, kBootSobol + (i >> 16), static_cast<uint32_t>(b),
                                                 static_cast<uint16_t>(i & 0xFFFF)) * N);
      boot_rows[b][i] = std::min(pick, N - 1);
    }
  for (size_t f = 0; f < k; ++f) {
    const auto [s1, st] = sobol_pair(d, y, f, all);
    std::vector<double> b1, bt;
    for (const auto& rows : boot_rows) {
      const auto [x1, xt] = sobol_pair(d, y, f, rows);
      b1.push_back(x1);
      bt.push_back(xt);
    }
    const bool ok = resamples > 1 && N > 1;
    const auto [l1, h1] = ok ? central95(b1) : std::pair{std::nan(""), std::nan("")};
    const auto [lt, ht] = ok ? central95(bt) : std::pair{std::nan(""), std::nan("")};
    out.first.push_back({s1, l1, h1});
    out.total.push_back({st, lt, ht});
  }
  return out;
}

double ishigami(double x1, double x2, double x3, double a, double b) {
  return std::sin(x1) + a * std::sin(x2) * std::sin(x2) + b * std::pow(x3, 4) * std::sin(x1);
}

IshigamiExact ishigami_exact(double a, double b) {
  const double pi4 = std::pow(M_PI, 4), pi8 = pi4 * pi4;
  const double v1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5);
  const double v2 = a * a / 8;
  const double v13 = b * b * pi8 * 8 / 225;
  const double v = v1 + v2 + v13;
  return {v, {v1 / v, v2 / v, 0}, {(v1 + v13) / v, v2 / v, v13 / v}};
}

}  // namespace hscsim::design
