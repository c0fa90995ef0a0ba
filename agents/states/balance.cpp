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

Curve incidence(const Curve& P, double remission, const Curve& excess_mortality, int* shortfall) {
  constexpr size_t top = AgeTable::kMaxAge;
  Curve out{};
  int short_years = 0;
  for (size_t a = 0; a <= top; ++a) {
    // No onset where the prevalence is 0 (a band of zeros stays zero); the first year
    // after one takes the whole step up (backward difference); elsewhere the centred
    // difference per year of age (one-sided at the ends).
    if (P[a] <= 0) continue;
    const double slope = a == 0     ? P[1] - P[0]
                         : P[a - 1] <= 0 || a == top ? P[a] - P[a - 1]
                                                     : (P[a + 1] - P[a - 1]) / 2;
    const double p = std::min(P[a], 0.999);
    const double i = (slope + remission * p + p * (1 - p) * excess_mortality[a]) / (1 - p);
    if (i < 0) ++short_years;
    out[a] = std::max(i, 0.0);
  }
  if (shortfall) *shortfall = short_years;
  return out;
}

}  // namespace hscsim::balance
