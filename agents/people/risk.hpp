#pragma once
// Relative risks: how a person's circumstances multiply a hazard or a prevalence.
// Written in the config as
//   rr: {smoker: 3.0, damp_home: 1.4}         # any risk-factor name (see factor_index)
//   rr_deprivation_quintile: [1.5, 1.2, 1.0, 0.9, 0.8]   # quintile 1 = most deprived
// and, where a rate is a population average (`normalise_rr: true`), divided by the mean
// multiplier of the age-sex band so the band's average stays as configured.
#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "agents/people/people.hpp"
#include "model/core/config/reader.hpp"

namespace hscsim {

struct RelativeRisks {
  std::vector<std::pair<int, double>> factors;  //!< (risk-factor index, relative risk)
  std::array<double, 5> quintile{1, 1, 1, 1, 1};  //!< by deprivation quintile 1..5
  uint64_t mask = 0;                            //!< factors named
  bool quintile_trivial = true;                 //!< all quintile multipliers are 1

  double multiplier(uint64_t person_factors, uint8_t q) const {
    double m = quintile[static_cast<size_t>(q - 1)];
    if (person_factors & mask)
      for (const auto& [f, rr] : factors)
        if (person_factors & (uint64_t{1} << f)) m *= rr;
    return m;
  }
  bool trivial() const { return factors.empty() && quintile_trivial; }
  //! An upper bound of multiplier() over every person: the largest quintile multiplier
  //! times every relative risk above 1 (of the levels of one column, which nobody has
  //! two of, only the largest: tenure, alcohol, frailty), with a margin for rounding. A
  //! draw u at or above H x bound cannot be an event (1 - exp(-H m) <= H m <= H x bound),
  //! so the person's own multiplier need not be computed: the same outcome, less work.
  double bound() const {
    double m = 0;
    for (double x : quintile) m = std::max(m, x);
    // Largest relative risk of each group of exclusive levels (DerivedFactor).
    std::array<double, 3> level{1, 1, 1};
    for (const auto& [f, rr] : factors) {
      if (!(rr > 1)) continue;
      const int g = exclusive_group(f);
      if (g < 0)
        m *= rr;
      else
        level[static_cast<size_t>(g)] = std::max(level[static_cast<size_t>(g)], rr);
    }
    return m * level[0] * level[1] * level[2] * (1 + 1e-9);
  }
  //! 0 tenure, 1 alcohol, 2 frailty for the derived factors that are levels of one of
  //! those columns (a person has at most one of each group); -1 otherwise.
  static int exclusive_group(int factor) {
    switch (factor - kStateCount) {
      case static_cast<int>(DerivedFactor::SocialRenter):
      case static_cast<int>(DerivedFactor::PrivateRenter): return 0;
      case static_cast<int>(DerivedFactor::AlcoholIncreasing):
      case static_cast<int>(DerivedFactor::AlcoholDependent): return 1;
      case static_cast<int>(DerivedFactor::FrailtyMild):
      case static_cast<int>(DerivedFactor::FrailtyModerate):
      case static_cast<int>(DerivedFactor::FrailtySevere): return 2;
      default: return -1;
    }
  }
  //! Reads `rr` (map) and `rr_deprivation_quintile` (list of 5) from r; both optional.
  static RelativeRisks read(config::Reader& r);
};

//! The risk-factor index named by scalar node `name` (at key path `path`), or a
//! ConfigError with a "did you mean".
int factor_from_name(const config::Reader& r, const config::Node& name, const std::string& path);
//! The risk factor named by `key` of r.
int read_factor(config::Reader& r, std::string_view key);

//! Mean multiplier per stratum (age-table row x sex), summed in fixed point so the
//! result is identical for any thread or rank count.
class StratumMeans {
 public:
  static constexpr double kScale = 1048576.0;  // 2^20
  StratumMeans() = default;
  explicit StratumMeans(size_t rows) : sum_(2 * rows, 0), count_(2 * rows, 0), mean_(2 * rows, 1.0) {}
  static size_t index(size_t row, uint8_t sex) { return 2 * row + sex; }
  void add(size_t stratum, double m) {
    sum_[stratum] += static_cast<int64_t>(m * kScale + 0.5);
    count_[stratum] += 1;
  }
  void merge(const StratumMeans& o) {
    for (size_t k = 0; k < sum_.size(); ++k) {
      sum_[k] += o.sum_[k];
      count_[k] += o.count_[k];
    }
  }
  //! Passes the sums and the counts to `f` (which may change them: a sum over ranks), then
  //! finalises again.
  template <typename F>
  void reduce(F&& f) {
    f(sum_);
    f(count_);
    finalise();
  }
  //! Turns sums into means; strata with nobody keep mean 1.
  void finalise() {
    for (size_t k = 0; k < sum_.size(); ++k)
      mean_[k] = count_[k] > 0 && sum_[k] > 0 ? static_cast<double>(sum_[k]) / kScale / static_cast<double>(count_[k]) : 1.0;
  }
  double mean(size_t stratum) const { return mean_[stratum]; }
  int64_t count(size_t stratum) const { return count_[stratum]; }  //!< people in the stratum
  size_t size() const { return mean_.size(); }
  void set_mean(size_t stratum, double m) { mean_[stratum] = m; }
  bool empty() const { return mean_.empty(); }
  void state(archive::Io& io);  //!< checkpoints (model/core/archive.hpp)

 private:
  std::vector<int64_t> sum_, count_;
  std::vector<double> mean_;
};

//! Mean multiplier `rr` per stratum over the living people selected by `include`
//! (a predicate on the slot); `stratum(i)` gives a slot's StratumMeans::index. Parallel,
//! with fixed-point sums: identical for any thread count.
template <typename Include, typename Stratum>
StratumMeans stratum_means(const People& people, const RelativeRisks& rr, size_t rows, Include include, Stratum stratum) {
  StratumMeans out = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, people.size(), 4096), StratumMeans(rows),
      [&](const tbb::blocked_range<size_t>& range, StratumMeans acc) {
        for (size_t i = range.begin(); i != range.end(); ++i)
          if (people.alive(i) && include(i)) acc.add(stratum(i), rr.multiplier(people.factors(i), people.quintile[i]));
        return acc;
      },
      [](StratumMeans a, const StratumMeans& b) {
        a.merge(b);
        return a;
      });
  out.finalise();
  if (people.parts) out.reduce([&](std::vector<int64_t>& v) { people.parts->sum(v); });
  return out;
}

//! `plain` (stratum_means of the same people) with the mean of each stratum where
//! someone's probability would be capped replaced, so that the stratum's average still
//! holds after the cap. A person's probability is their configured one x m / c, capped
//! where m / c exceeds cap(i) (1 / their configured probability); where nobody is capped
//! c is the plain mean; elsewhere c solves mean over the stratum of min(m_i / c, cap_i)
//! = 1 (exactly, by a scan over the people sorted by m_i / cap_i: identical for any
//! thread count). Without this, a relative risk that pushes some people to certainty
//! leaves the band's prevalence below its configured value.
template <typename Include, typename Stratum, typename Cap>
StratumMeans capped_means(const People& people, const RelativeRisks& rr, StratumMeans plain, Include include, Stratum stratum,
                          Cap cap) {
  const size_t K = plain.size();
  // Which strata have someone above their cap at the plain mean (parallel; an OR).
  std::vector<char> capped = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, people.size(), 4096), std::vector<char>(K, 0),
      [&](const tbb::blocked_range<size_t>& range, std::vector<char> acc) {
        for (size_t i = range.begin(); i != range.end(); ++i) {
          if (!people.alive(i) || !include(i)) continue;
          const size_t k = stratum(i);
          if (rr.multiplier(people.factors(i), people.quintile[i]) / plain.mean(k) > cap(i)) acc[k] = 1;
        }
        return acc;
      },
      [](std::vector<char> a, const std::vector<char>& b) {
        for (size_t k = 0; k < a.size(); ++k) a[k] |= b[k];
        return a;
      });
  if (people.parts) {  // capped in any part
    std::vector<int64_t> any(capped.begin(), capped.end());
    people.parts->sum(any);
    for (size_t k = 0; k < K; ++k) capped[k] = any[k] > 0;
  }
  if (std::find(capped.begin(), capped.end(), 1) == capped.end()) return plain;
  struct Person {
    double t, m, cap;
    bool operator<(const Person& o) const { return t != o.t ? t < o.t : m != o.m ? m < o.m : cap < o.cap; }
  };
  std::vector<std::vector<Person>> by(K);
  for (size_t i = 0; i < people.size(); ++i) {
    if (!people.alive(i) || !include(i)) continue;
    const size_t k = stratum(i);
    if (!capped[k]) continue;
    const double m = rr.multiplier(people.factors(i), people.quintile[i]), c = cap(i);
    by[k].push_back({m / c, m, c});
  }
  // Each stratum's people in order, as runs of equal (t, m, cap): few distinct values (m
  // is a product of a few relative risks, cap depends on single-year age), so the runs of
  // every part of a split population are small to gather. The scan repeats each run's
  // arithmetic person by person, as over the sorted people themselves.
  struct Run {
    Person x;
    uint64_t n;
  };
  std::vector<std::vector<Run>> runs(K);
  for (size_t k = 0; k < K; ++k) {
    auto& v = by[k];
    std::sort(v.begin(), v.end());
    for (const Person& x : v) {
      if (!runs[k].empty() && !(runs[k].back().x < x) && !(x < runs[k].back().x)) ++runs[k].back().n;
      else runs[k].push_back({x, 1});
    }
    std::vector<Person>().swap(v);
  }
  if (people.parts) {  // every part's runs, merged
    std::vector<uint8_t> mine;
    for (size_t k = 0; k < K; ++k) {
      const uint64_t n = runs[k].size();
      const size_t at = mine.size();
      mine.resize(at + sizeof n + n * sizeof(Run));
      std::memcpy(mine.data() + at, &n, sizeof n);
      if (n) std::memcpy(mine.data() + at + sizeof n, runs[k].data(), n * sizeof(Run));
    }
    for (auto& r : runs) r.clear();
    for (const auto& part : people.parts->all_gather(mine))
      for (size_t k = 0, at = 0; k < K; ++k) {
        uint64_t n = 0;
        std::memcpy(&n, part.data() + at, sizeof n);
        at += sizeof n;
        const size_t was = runs[k].size();
        runs[k].resize(was + n);
        if (n) std::memcpy(runs[k].data() + was, part.data() + at, n * sizeof(Run));
        at += n * sizeof(Run);
      }
    for (auto& r : runs) {
      std::sort(r.begin(), r.end(), [](const Run& a, const Run& b) { return a.x < b.x; });
      size_t w = 0;
      for (size_t j = 0; j < r.size(); ++j) {
        if (w > 0 && !(r[w - 1].x < r[j].x)) r[w - 1].n += r[j].n;
        else r[w++] = r[j];
      }
      r.resize(w);
    }
  }
  for (size_t k = 0; k < K; ++k) {
    const auto& v = runs[k];
    if (v.empty()) continue;
    // With c in (t_j, t_{j+1}], people 1..j are below their cap: sum_{i<=j} m_i / c +
    // sum_{i>j} cap_i = n, so c = M_j / (n - C_j).
    uint64_t people_in = 0;
    for (const Run& r : v) people_in += r.n;
    const double n = static_cast<double>(people_in);
    double C = 0, M = 0;
    for (const Run& r : v)
      for (uint64_t q = 0; q < r.n; ++q) C += r.x.cap;
    bool found = false;
    for (size_t j = 0; j < v.size() && !found; ++j)
      for (uint64_t q = 0; q < v[j].n; ++q) {
        M += v[j].x.m;
        C -= v[j].x.cap;
        if (n - C <= 0) continue;
        const double c = M / (n - C);
        const double next_t = q + 1 < v[j].n ? v[j].x.t : j + 1 < v.size() ? v[j + 1].x.t : 0.0;
        const bool last = q + 1 == v[j].n && j + 1 == v.size();
        if (c >= v[j].x.t && (last || c <= next_t)) {
          plain.set_mean(k, c);
          found = true;
          break;
        }
      }
  }
  return plain;
}

}  // namespace hscsim
