#pragma once
// The state of a run as a stream of bytes, for checkpoints (model/io/checkpoint.hpp).
//
// One list per class, for both directions: a class with running state has a member
// `void state(archive::Io& io)` that names its members once, `io(a_, b_, c_);`, and the
// same function writes them (an Io made by Io::writer) or reads them back in the same
// order (Io::reader). Io knows numbers, enums, trivially copyable structs (copied as
// bytes), std::vector, std::array, std::pair, std::string and any class with a state()
// member. What a class derives from its parameters at construction is not state: a
// checkpoint is read into objects built afresh from the same config, so only what a run
// changes is listed.
//
// The bytes are this build's layout (sizes and padding of the types), so a checkpoint is
// read only by the build that wrote it (the checkpoint records the version and commit).
// Writing streams through a bounded buffer to a sink (the checkpoint's dataset), so a
// 56-million-person state is never held twice in memory.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace hscsim::archive {

class Io {
 public:
  //! Receives the bytes in order; may be called with large blocks.
  using Sink = std::function<void(const uint8_t*, size_t)>;
  //! Fills exactly `n` bytes at `out` with the next bytes, or throws.
  using Source = std::function<void(uint8_t*, size_t)>;

  static Io writer(Sink sink) { return Io(std::move(sink), {}); }
  static Io reader(Source source, uint64_t total_bytes) {
    Io io({}, std::move(source));
    io.remaining_ = total_bytes;
    return io;
  }
  Io(Io&&) = default;
  Io& operator=(Io&&) = default;

  bool reading() const { return static_cast<bool>(source_); }
  //! Bytes written (or read) so far.
  uint64_t bytes() const { return count_; }

  template <typename... T>
  void operator()(T&... x) {
    (one(x), ...);
  }
  //! A value that must read back as it was written (a format marker, a size the reader
  //! already knows): throws std::runtime_error naming `what` if it does not.
  template <typename T>
  void expect(T value, const char* what) {
    T x = value;
    one(x);
    if (x != value) throw std::runtime_error(std::string("checkpoint state does not match this run: ") + what);
  }
  //! Writes what is buffered to the sink (at the end of writing).
  void flush();

 private:
  Io(Sink sink, Source source) : sink_(std::move(sink)), source_(std::move(source)) {}
  void raw(void* p, size_t n);

  template <typename T>
  void one(T& x) {
    if constexpr (requires { x.state(*this); }) {
      x.state(*this);
    } else if constexpr (std::is_same_v<T, std::string>) {
      uint64_t n = x.size();
      one(n);
      if (reading()) x.resize(checked_size(n, 1));
      raw(x.data(), x.size());
    } else if constexpr (requires { typename T::value_type; x.resize(0); x.data(); }) {  // std::vector
      using V = typename T::value_type;
      static_assert(!std::is_same_v<V, bool>, "std::vector<bool> has no data(): use std::vector<uint8_t>");
      uint64_t n = x.size();
      one(n);
      if (reading()) x.resize(checked_size(n, std::is_trivially_copyable_v<V> ? sizeof(V) : 1));
      if constexpr (std::is_trivially_copyable_v<V> && !requires(V& v) { v.state(*this); }) {
        raw(x.data(), x.size() * sizeof(V));
      } else {
        for (auto& v : x) one(v);
      }
    } else if constexpr (requires { std::tuple_size<T>::value; x.first; x.second; }) {  // std::pair
      one(x.first);
      one(x.second);
    } else if constexpr (std::is_trivially_copyable_v<T>) {  // numbers, enums, std::array of them, plain structs
      raw(&x, sizeof(T));
    } else if constexpr (requires { std::tuple_size<T>::value; x.begin(); }) {  // std::array of classes
      for (auto& v : x) one(v);
    } else {
      static_assert(sizeof(T) == 0, "archive::Io: give this type a state(archive::Io&) member");
    }
  }
  //! A size read back, checked against the bytes left (a damaged stream fails here, not
  //! in a huge allocation).
  size_t checked_size(uint64_t n, size_t element_bytes) const;

  Sink sink_;
  Source source_;
  std::vector<uint8_t> buffer_;
  size_t at_ = 0, filled_ = 0;  //!< reading: position in and end of the buffered bytes
  uint64_t count_ = 0;
  uint64_t remaining_ = 0;      //!< reading: bytes of the stream not yet buffered
};

}  // namespace hscsim::archive
