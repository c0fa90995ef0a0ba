#include "model/core/archive.hpp"

#include <algorithm>
#include <stdexcept>

namespace hscsim::archive {
namespace {
constexpr size_t kBuffer = size_t{4} << 20;  // 4 MiB: small items are gathered, large ones pass straight through
}

void Io::flush() {
  if (reading() || buffer_.empty()) return;
  sink_(buffer_.data(), buffer_.size());
  buffer_.clear();
}

size_t Io::checked_size(uint64_t n, size_t element_bytes) const {
  const uint64_t left = remaining_ + (filled_ - at_);
  if (element_bytes > 0 && n > left / element_bytes)
    throw std::runtime_error("checkpoint state is damaged or from another build (a size larger than the bytes left)");
  return static_cast<size_t>(n);
}

void Io::raw(void* p, size_t n) {
  count_ += n;
  auto* bytes = static_cast<uint8_t*>(p);
  if (!reading()) {
    if (buffer_.size() + n > kBuffer) flush();
    if (n >= kBuffer) {
      sink_(bytes, n);
    } else {
      buffer_.insert(buffer_.end(), bytes, bytes + n);
    }
    return;
  }
  while (n > 0) {
    if (at_ == filled_) {
      if (remaining_ == 0) throw std::runtime_error("checkpoint state ends early (damaged, or from another build)");
      if (n >= kBuffer) {  // large: straight into place
        const size_t take = static_cast<size_t>(std::min<uint64_t>(n, remaining_));
        source_(bytes, take);
        remaining_ -= take;
        bytes += take;
        n -= take;
        continue;
      }
      const size_t take = static_cast<size_t>(std::min<uint64_t>(kBuffer, remaining_));
      buffer_.resize(take);
      source_(buffer_.data(), take);
      remaining_ -= take;
      at_ = 0;
      filled_ = take;
    }
    const size_t take = std::min(n, filled_ - at_);
    std::memcpy(bytes, buffer_.data() + at_, take);
    at_ += take;
    bytes += take;
    n -= take;
  }
}

}  // namespace hscsim::archive
