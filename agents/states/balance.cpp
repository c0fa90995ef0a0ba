#include "agents/states/balance.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace hscsim::balance {

using config::AgeTable;

Curve smooth_band_values(const AgeTable& t, size_t column) {
  const std::vector<double>& v = t.values[column];
  const size_t K = t.rows();  // bands 0..K-1; the last is open
  Curve out{};
  for (size_t k = 0; k < K; ++k) {
    const int from = static_cast<int>(t.from_age_years[k]);
    const int to = k + 1 < K ? static_cast<int>(t.from_age_years[k + 1]) : AgeTable::kMaxAge + 1;
    // Linear inside the band about its middle (so its average over its whole years is its
    // value), with the slope limited so that the values at its two ends stay between the
    // band's value and its neighbours': no new peaks or troughs, a monotone table gives a
    // monotone curve, and shares stay within [0, 1]. The first and the open last band are
    // flat (the open band's people are not spread evenly over its years).
    double slope = 0;
    if (k > 0 && k + 1 < K) {
      const double h = to - from;
      const double mid = from + h / 2;
      const double mid_left = (t.from_age_years[k - 1] + from) / 2;
      // The open band's middle is not known: taken as half this band's width above its start.
      const double mid_right = k + 2 < K ? (to + t.from_age_years[k + 2]) / 2 : to + h / 2;
      const double dl = v[k] - v[k - 1], dr = v[k + 1] - v[k];
      if (dl * dr > 0) {
        const double centred = (v[k + 1] - v[k - 1]) / (mid_right - mid_left);
        const double limit = std::min(std::fabs(dl), std::fabs(dr)) * 2 / h;
        slope = std::copysign(std::min(std::fabs(centred), limit), dl);
      }
      for (int a = from; a < to; ++a) out[static_cast<size_t>(a)] = std::clamp(v[k] + slope * (a + 0.5 - mid), 0.0, 1.0);
      continue;
    }
    for (int a = from; a < to; ++a) out[static_cast<size_t>(a)] = std::clamp(v[k], 0.0, 1.0);
  }
  return out;
}

namespace {
// dP/da per year of age: 0 where P is 0 (a band of zeros stays zero); the whole step up
// in the first year after such ages (backward difference); elsewhere the centred
// difference (one-sided at the ends).
double slope(const Curve& P, size_t a) {
  constexpr size_t top = AgeTable::kMaxAge;
  if (P[a] <= 0) return 0;
  if (a == 0) return P[1] - P[0];
  if (P[a - 1] <= 0 || a == top) return P[a] - P[a - 1];
  return (P[a + 1] - P[a - 1]) / 2;
}
}  // namespace

Curve incidence(const Curve& P, double remission, const Curve& excess_mortality, int* shortfall) {
  Curve out{};
  int short_years = 0;
  for (size_t a = 0; a <= AgeTable::kMaxAge; ++a) {
    if (P[a] <= 0) continue;  // no onset where the prevalence is 0
    const double p = std::min(P[a], 0.999);
    const double i = (slope(P, a) + remission * p + p * (1 - p) * excess_mortality[a]) / (1 - p);
    if (i < 0) ++short_years;
    out[a] = std::max(i, 0.0);
  }
  if (shortfall) *shortfall = short_years;
  return out;
}

std::vector<Curve> upward_rates(const std::vector<Curve>& S, const std::vector<double>& down, const std::vector<Curve>& excess,
                                int* shortfall) {
  const size_t L = S.size();
  std::vector<Curve> up(L - 1, Curve{});
  int short_years = 0;
  for (size_t a = 0; a <= AgeTable::kMaxAge; ++a) {
    // Slopes of the levels above the lowest by the rule above; the lowest level's is
    // minus their sum (the shares sum to 1).
    std::vector<double> dS(L, 0.0);
    for (size_t k = 1; k < L; ++k) {
      dS[k] = slope(S[k], a);
      dS[0] -= dS[k];
    }
    // Net flow up across the boundary above level l: F_l = -sum_{k<=l} (dS_k + S_k e_k).
    double F = 0;
    for (size_t l = 0; l + 1 < L; ++l) {
      F -= dS[l] + S[l][a] * excess[l][a];
      if (S[l][a] <= 0) continue;
      const double u = (F + down[l + 1] * S[l + 1][a]) / S[l][a];
      if (u < 0) ++short_years;
      up[l][a] = std::max(u, 0.0);
    }
  }
  if (shortfall) *shortfall = short_years;
  return up;
}

}  // namespace hscsim::balance
