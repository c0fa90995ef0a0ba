#include "agents/population/population.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <fmt/format.h>

#include "model/core/clock.hpp"

namespace hscsim {

PopulationParams PopulationParams::read(config::Reader& root, int64_t size_from_place) {
  config::Reader r = root.child("population");
  PopulationParams p;
  if (size_from_place >= 0) {
    if (r.has("size"))
      throw r.error("size", "the size is set by 'place.one_in' (1:N of place.england_population); remove population.size "
                            "or change place.one_in");
    p.size = size_from_place;
  } else {
    p.size = r.integer("size", {1, 4.0e9});
  }
  p.max_age_years = r.real("max_age_years", {1, 125}, 100);
  p.age_structure = r.age_table("age_structure", {"share", "male_share"}, config::probability(), false);
  if (p.age_structure.from_age_years.back() >= p.max_age_years)
    throw r.error("max_age_years", fmt::format("{} must be above the last age band's start ({})", p.max_age_years,
                                               p.age_structure.from_age_years.back()));
  config::require_shares(p.age_structure.values[0], *r.node().find("age_structure"),
                         r.key_path("age_structure") + "[*].share");
  if (auto a = r.optional_child("age_structure_by_quintile")) {
    auto read5 = [&](const char* key, std::array<double, 5>& out) {
      const auto v = a->reals(key, 5, {0.1, 10}, {1, 1, 1, 1, 1});
      std::copy(v.begin(), v.end(), out.begin());
    };
    read5("under_20", p.children_by_quintile);
    read5("older_65_plus", p.older_by_quintile);
    a->finish();
  }
  auto rows = r.list("tenure_by_quintile");
  if (rows.size() != 5)
    throw r.error("tenure_by_quintile", fmt::format("expected 5 rows (quintile 1 = most deprived to 5), got {}", rows.size()));
  for (size_t q = 0; q < 5; ++q) {
    std::vector<double> s = {rows[q].real("owner", config::probability()), rows[q].real("social_rent", config::probability()),
                             rows[q].real("private_rent", config::probability())};
    config::require_shares(s, rows[q].node(), rows[q].path());
    std::copy(s.begin(), s.end(), p.tenure_by_quintile[q].begin());
    rows[q].finish();
  }
  r.finish();
  return p;
}

Synthesiser::Synthesiser(const PopulationParams& p, const Geography& g) : p_(p), g_(g) {
  double c = 0;
  for (const auto& h : g_.neighbourhoods) cum_hood_.push_back(c += h.population_share);
  const auto& from = p_.age_structure.from_age_years;
  for (size_t q = 0; q < 5; ++q) {
    std::vector<double> w;
    for (size_t b = 0; b < from.size(); ++b)
      w.push_back(p_.age_structure.values[0][b] *
                  (from[b] < 20 ? p_.children_by_quintile[q] : from[b] >= 65 ? p_.older_by_quintile[q] : 1.0));
    double total = 0;
    for (double x : w) total += x;
    c = 0;
    for (double x : w) cum_band_[q].push_back(c += x / total);
    cum_band_[q].back() = std::numeric_limits<double>::infinity();
  }
  cum_hood_.back() = std::numeric_limits<double>::infinity();
}

namespace {
size_t pick(const std::vector<double>& cum, double u) {
  return static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
}
// The practice a draw u picks among the neighbourhood's (by their shares).
uint16_t practice_in(const Neighbourhood& hood, double u) {
  double c = 0;
  for (const auto& [idx, share] : hood.practices)
    if (u < (c += share)) return idx;
  return hood.practices.back().first;
}
}  // namespace

void Synthesiser::demographics(People& p, size_t i, const Streams& s, int32_t day) const {
  const auto u = s.block(p.id[i], kInitStep, Purpose::InitDemographics, 0);
  const auto v = s.block(p.id[i], kInitStep, Purpose::InitDemographics, 1);
  const size_t h = pick(cum_hood_, u[0]);
  const auto& hood = g_.neighbourhoods[h];
  p.neighbourhood[i] = static_cast<uint16_t>(h);
  p.quintile[i] = hood.quintile;
  p.practice[i] = practice_in(hood, u[1]);
  const size_t band = pick(cum_band_[static_cast<size_t>(hood.quintile - 1)], u[2]);
  const auto& from = p_.age_structure.from_age_years;
  const double lo = from[band];
  const double hi = band + 1 < from.size() ? from[band + 1] : p_.max_age_years;
  const double age_years = lo + u[3] * (hi - lo);
  p.birth_day[i] = day - static_cast<int32_t>(std::floor(age_years * kDaysPerYear));
  p.sex[i] = static_cast<uint8_t>(v[0] < p_.age_structure.values[1][band] ? Sex::Male : Sex::Female);
  p.vital[i] = static_cast<uint8_t>(Vital::Alive);
  p.setting[i] = static_cast<uint8_t>(Setting::Community);
  p.wellbeing[i] = std::numeric_limits<float>::quiet_NaN();
  p.states[i] = 0;
  p.diagnosed[i] = 0;
  p.alcohol[i] = 0;
  p.frailty[i] = 0;
  p.clear_care(i);
}

void Synthesiser::tenure(People& p, size_t i, const Streams& s) const {
  const double u = s.uniform(p.id[i], kInitStep, Purpose::InitTenure);
  const auto& t = p_.tenure_by_quintile[static_cast<size_t>(p.quintile[i] - 1)];
  p.tenure[i] = static_cast<uint8_t>(u < t[0] ? Tenure::Owner : u < t[0] + t[1] ? Tenure::SocialRent : Tenure::PrivateRent);
}

uint16_t Synthesiser::practice_of(uint64_t id, const Streams& s) const {
  const auto u = s.block(id, kInitStep, Purpose::InitDemographics, 0);
  return practice_in(g_.neighbourhoods[pick(cum_hood_, u[0])], u[1]);
}

std::vector<int64_t> Synthesiser::practice_counts(const Streams& s) const {
  const auto n = static_cast<size_t>(p_.size);
  return tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, n, 4096), std::vector<int64_t>(g_.practices.size(), 0),
      [&](const tbb::blocked_range<size_t>& r, std::vector<int64_t> acc) {
        for (size_t i = r.begin(); i != r.end(); ++i) ++acc[practice_of(i, s)];
        return acc;
      },
      [](std::vector<int64_t> a, const std::vector<int64_t>& b) {
        for (size_t k = 0; k < a.size(); ++k) a[k] += b[k];
        return a;
      });
}

People Synthesiser::initial(const Streams& s, int32_t day, const std::vector<uint8_t>& practices) const {
  People p;
  const auto n = static_cast<size_t>(p_.size);
  if (practices.empty()) {
    p.resize(n);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 4096), [&](const tbb::blocked_range<size_t>& r) {
      for (size_t i = r.begin(); i != r.end(); ++i) p.id[i] = i;
    });
  } else {
    // The ids of the flagged practices' people, in order: counted per block of ids, then
    // written from each block's offset.
    constexpr size_t kBlock = 65536;
    const size_t blocks = (n + kBlock - 1) / kBlock;
    std::vector<size_t> count(blocks + 1, 0);
    tbb::parallel_for(size_t{0}, blocks, [&](size_t b) {
      for (size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) count[b + 1] += practices[practice_of(i, s)] != 0;
    });
    for (size_t b = 0; b < blocks; ++b) count[b + 1] += count[b];
    p.resize(count[blocks]);
    tbb::parallel_for(size_t{0}, blocks, [&](size_t b) {
      size_t at = count[b];
      for (size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i)
        if (practices[practice_of(i, s)]) p.id[at++] = i;
    });
  }
  tbb::parallel_for(tbb::blocked_range<size_t>(0, p.size(), 4096), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end(); ++i) {
      demographics(p, i, s, day);
      tenure(p, i, s);
    }
  });
  return p;
}

}  // namespace hscsim
