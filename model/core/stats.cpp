#include "model/core/stats.hpp"

#include <cmath>
#include <limits>

namespace hscsim {

double t975(int df) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df < 1) return std::numeric_limits<double>::quiet_NaN();
  if (df <= 30) return table[df - 1];
  // Cornish-Fisher expansion around the normal quantile (error < 1e-4 for df > 30).
  const double z = 1.959963985, n = df;
  return z + (z * z * z + z) / (4 * n) + (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * n * n);
}

double half_width_95(double sum_sq, size_t n) {
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  const double R = static_cast<double>(n);
  return t975(static_cast<int>(n) - 1) * std::sqrt(sum_sq / (R - 1) / R);
}

}  // namespace hscsim
