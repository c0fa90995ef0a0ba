#include "model/sim/series.hpp"

#include "model/core/errors.hpp"

namespace hscsim {
namespace series {

std::vector<uint8_t> encode(const int64_t* rows, size_t n, size_t width) {
  std::vector<uint8_t> out;
  out.reserve(n * width + 16);
  for (size_t r = 0; r < n; ++r)
    for (size_t j = 0; j < width; ++j) {
      const uint64_t now = static_cast<uint64_t>(rows[r * width + j]);
      const uint64_t before = r ? static_cast<uint64_t>(rows[(r - 1) * width + j]) : 0;
      const auto d = static_cast<int64_t>(now - before);  // wraps: lossless for any values
      uint64_t z = (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63);
      while (z >= 0x80) {
        out.push_back(static_cast<uint8_t>(z | 0x80));
        z >>= 7;
      }
      out.push_back(static_cast<uint8_t>(z));
    }
  out.shrink_to_fit();
  return out;
}

void decode(const std::vector<uint8_t>& blob, int64_t* out, size_t n, size_t width) {
  size_t pos = 0;
  for (size_t r = 0; r < n; ++r)
    for (size_t j = 0; j < width; ++j) {
      uint64_t z = 0;
      int shift = 0;
      while (true) {
        if (pos >= blob.size() || shift > 63) throw RuntimeFailure("results series: damaged encoding");
        const uint8_t b = blob[pos++];
        z |= static_cast<uint64_t>(b & 0x7F) << shift;
        if (!(b & 0x80)) break;
        shift += 7;
      }
      const auto d = static_cast<uint64_t>(static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1));
      const uint64_t before = r ? static_cast<uint64_t>(out[(r - 1) * width + j]) : 0;
      out[r * width + j] = static_cast<int64_t>(before + d);
    }
  if (pos != blob.size()) throw RuntimeFailure("results series: damaged encoding");
}

}  // namespace series

void TallySeries::store(size_t rep, const std::vector<Tally>& steps) {
  std::vector<int64_t> rows(steps.size() * kWidth);
  if (!steps.empty()) std::memcpy(rows.data(), steps.data(), rows.size() * sizeof(int64_t));
  blobs_[rep] = series::encode(rows.data(), steps.size(), kWidth);
  steps_[rep] = static_cast<uint32_t>(steps.size());
}

std::vector<Tally> TallySeries::operator[](size_t rep) const {
  const size_t n = steps_[rep];
  std::vector<int64_t> rows(n * kWidth);
  series::decode(blobs_[rep], rows.data(), n, kWidth);
  std::vector<Tally> out(n);
  // Tally is arrays of int64_t only (static_assert in series.hpp), so its bytes are the rows.
  if (n) std::memcpy(static_cast<void*>(out.data()), rows.data(), rows.size() * sizeof(int64_t));
  return out;
}

size_t TallySeries::bytes() const {
  size_t b = 0;
  for (const auto& x : blobs_) b += x.capacity();
  return b;
}

void CounterSeries::store(size_t rep, const std::vector<std::vector<int64_t>>& steps) {
  const size_t n = steps.size(), w = n ? steps[0].size() : 0;
  std::vector<int64_t> rows(n * w);
  for (size_t s = 0; s < n; ++s) {
    if (steps[s].size() != w) throw RuntimeFailure("results series: provider counters change size between steps");
    std::copy(steps[s].begin(), steps[s].end(), rows.begin() + static_cast<std::ptrdiff_t>(s * w));
  }
  blobs_[rep] = series::encode(rows.data(), n, w);
  shape_[rep] = {static_cast<uint32_t>(n), static_cast<uint32_t>(w)};
}

std::vector<std::vector<int64_t>> CounterSeries::operator[](size_t rep) const {
  const auto [n, w] = shape_[rep];
  std::vector<int64_t> rows(size_t{n} * w);
  series::decode(blobs_[rep], rows.data(), n, w);
  std::vector<std::vector<int64_t>> out(n);
  for (size_t s = 0; s < n; ++s) out[s].assign(rows.begin() + static_cast<std::ptrdiff_t>(s * w),
                                               rows.begin() + static_cast<std::ptrdiff_t>((s + 1) * w));
  return out;
}

size_t CounterSeries::bytes() const {
  size_t b = 0;
  for (const auto& x : blobs_) b += x.capacity();
  return b;
}

namespace series {
void put(std::vector<uint8_t>& out, uint64_t v) {
  for (int b = 0; b < 8; ++b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
}
void put(std::vector<uint8_t>& out, const std::vector<uint8_t>& bytes) {
  put(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}
uint64_t take(const uint8_t*& in) {
  uint64_t v = 0;
  for (int b = 0; b < 8; ++b) v |= static_cast<uint64_t>(in[b]) << (8 * b);
  in += 8;
  return v;
}
std::vector<uint8_t> take_bytes(const uint8_t*& in) {
  const uint64_t n = take(in);
  std::vector<uint8_t> v(in, in + n);
  in += n;
  return v;
}
}  // namespace series

void TallySeries::pack(size_t rep, std::vector<uint8_t>& out) const {
  series::put(out, steps_[rep]);
  series::put(out, blobs_[rep]);
}
void TallySeries::unpack(size_t rep, const uint8_t*& in) {
  steps_[rep] = static_cast<uint32_t>(series::take(in));
  blobs_[rep] = series::take_bytes(in);
}
void CounterSeries::pack(size_t rep, std::vector<uint8_t>& out) const {
  series::put(out, shape_[rep].first);
  series::put(out, shape_[rep].second);
  series::put(out, blobs_[rep]);
}
void CounterSeries::unpack(size_t rep, const uint8_t*& in) {
  shape_[rep].first = static_cast<uint32_t>(series::take(in));
  shape_[rep].second = static_cast<uint32_t>(series::take(in));
  blobs_[rep] = series::take_bytes(in);
}

}  // namespace hscsim
