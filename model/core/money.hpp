#pragma once
// Money is held as integer pence (exact sums, independent of summation order) and shown
// in pounds. The currency is the config's (England defaults: GBP at 2023/24 prices).
#include <cmath>
#include <cstdint>

namespace hscsim {

inline constexpr double kPencePerGbp = 100.0;
//! Pounds to whole pence, rounded to the nearest penny.
inline int64_t to_pence(double gbp) { return std::llround(gbp * kPencePerGbp); }
//! Pence to pounds.
inline double to_gbp(int64_t pence) { return static_cast<double>(pence) / kPencePerGbp; }

}  // namespace hscsim
