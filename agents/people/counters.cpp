#include "agents/people/counters.hpp"

namespace hscsim {

void StockTally::flush(Tally& t) {
  for (size_t q = 1; q <= 5; ++q)
    for (size_t k = 0; k < kWords; ++k) {
      const uint64_t w = words_[q][k];
      if (w == 0) continue;
      for (size_t j = 0; j < 8; ++j) {
        const Counter c = map_[8 * k + j];
        if (c.index == Counter::kNone) continue;
        const auto n = static_cast<int64_t>(w >> (8 * j) & 0xFF);
        t.v[static_cast<size_t>(c.index) * 6] += n;
        t.v[static_cast<size_t>(c.index) * 6 + q] += n;
      }
      words_[q][k] = 0;
    }
  pending_ = 0;
}
}  // namespace hscsim
