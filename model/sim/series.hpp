#pragma once
// Results held between the run and the file: the per-step counts of every replicate, each
// replicate stored compressed (each value minus the same value a step earlier, zigzag,
// LEB128 varint: lossless, and most counts change little or not at all from step to step),
// so memory grows with replicates by a fraction of what the output file itself holds.
// A replicate is decoded when it is read; readers take one replicate at a time.
#include <cstdint>
#include <cstring>
#include <iterator>
#include <type_traits>
#include <vector>

#include "agents/people/counters.hpp"

namespace hscsim {

namespace series {
//! Appends a little-endian uint64 / a length-prefixed byte string to `out`; reads them
//! back from `in`, advancing it (for sending a replicate's results between ranks).
void put(std::vector<uint8_t>& out, uint64_t v);
void put(std::vector<uint8_t>& out, const std::vector<uint8_t>& bytes);
uint64_t take(const uint8_t*& in);
std::vector<uint8_t> take_bytes(const uint8_t*& in);
//! Encodes n rows of `width` int64 values (row-major).
std::vector<uint8_t> encode(const int64_t* rows, size_t n, size_t width);
//! Decodes into `out` (n * width values).
void decode(const std::vector<uint8_t>& blob, int64_t* out, size_t n, size_t width);
}  // namespace series

//! Iterates the replicates of a series, decoding each as it is reached.
template <typename Series, typename Value>
struct ReplicateIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = Value;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = Value;
  const Series* s;
  size_t rep;
  Value operator*() const { return (*s)[rep]; }
  ReplicateIterator& operator++() {
    ++rep;
    return *this;
  }
  bool operator==(const ReplicateIterator& o) const { return rep == o.rep; }
  bool operator!=(const ReplicateIterator& o) const { return rep != o.rep; }
};

//! [replicate][step] of Tally, compressed per replicate.
class TallySeries {
 public:
  static_assert(std::is_trivially_copyable_v<Tally> && sizeof(Tally) % sizeof(int64_t) == 0);
  static constexpr size_t kWidth = sizeof(Tally) / sizeof(int64_t);

  void resize(size_t replicates) {
    blobs_.assign(replicates, {});
    steps_.assign(replicates, 0);
  }
  size_t size() const { return blobs_.size(); }
  //! Stores replicate `rep` (each replicate is written by one thread only).
  void store(size_t rep, const std::vector<Tally>& steps);
  //! Replicate `rep`, decoded.
  std::vector<Tally> operator[](size_t rep) const;
  //! Bytes held.
  size_t bytes() const;
  //! Replicate `rep` as stored (compressed), appended to `out`; and stored from `in`.
  void pack(size_t rep, std::vector<uint8_t>& out) const;
  void unpack(size_t rep, const uint8_t*& in);
  bool operator==(const TallySeries& o) const { return steps_ == o.steps_ && blobs_ == o.blobs_; }

  using iterator = ReplicateIterator<TallySeries, std::vector<Tally>>;
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  std::vector<std::vector<uint8_t>> blobs_;
  std::vector<uint32_t> steps_;
};

//! [replicate][step][counter] of per-provider counts, compressed per replicate.
class CounterSeries {
 public:
  void resize(size_t replicates) {
    blobs_.assign(replicates, {});
    shape_.assign(replicates, {0, 0});
  }
  size_t size() const { return blobs_.size(); }
  void store(size_t rep, const std::vector<std::vector<int64_t>>& steps);
  std::vector<std::vector<int64_t>> operator[](size_t rep) const;
  size_t bytes() const;
  void pack(size_t rep, std::vector<uint8_t>& out) const;
  void unpack(size_t rep, const uint8_t*& in);
  bool operator==(const CounterSeries& o) const { return shape_ == o.shape_ && blobs_ == o.blobs_; }
  using iterator = ReplicateIterator<CounterSeries, std::vector<std::vector<int64_t>>>;
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  std::vector<std::vector<uint8_t>> blobs_;
  std::vector<std::pair<uint32_t, uint32_t>> shape_;  //!< steps, counters per step
};

}  // namespace hscsim
