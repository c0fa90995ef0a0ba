#include "agents/people/people.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <tuple>

#include "model/core/archive.hpp"

namespace hscsim {

int factor_index(std::string_view name) {
  for (int s = 0; s < kStateCount; ++s)
    if (kStateInfo[static_cast<size_t>(s)].name == name) return s;
  for (size_t d = 0; d < kDerivedFactorNames.size(); ++d)
    if (kDerivedFactorNames[d] == name) return kStateCount + static_cast<int>(d);
  return -1;
}

std::string_view factor_name(int index) {
  if (index < kStateCount) return kStateInfo[static_cast<size_t>(index)].name;
  return kDerivedFactorNames[static_cast<size_t>(index - kStateCount)];
}

namespace {
// Every column, once: resize, compact and append go through this list.
constexpr auto kColumns =
    std::make_tuple(&People::id, &People::birth_day, &People::sex, &People::quintile, &People::neighbourhood,
                    &People::practice, &People::tenure, &People::states, &People::diagnosed, &People::alcohol, &People::frailty,
                    &People::vital, &People::setting, &People::wellbeing, &People::admit_day, &People::due_day,
                    &People::last_discharge_day, &People::gp_wait_since, &People::elective_since, &People::gp_need, &People::care,
                    &People::care_need,
                    &People::stay, &People::programmes, &People::hospital, &People::review_due);

template <typename F>
void for_each_column(People& p, F&& f) {
  std::apply([&](auto... m) { (f(p.*m), ...); }, kColumns);
}
}  // namespace

size_t People::bytes_per_person() {
  return std::apply([](auto... m) { return (sizeof(typename std::remove_reference_t<decltype(std::declval<People>().*m)>::value_type) + ...); },
                    kColumns);
}

void People::resize(size_t n) {
  for_each_column(*this, [n](auto& col) { col.resize(n); });
}
void People::reserve(size_t n) {
  for_each_column(*this, [n](auto& col) { col.reserve(n); });
}

void People::compact() {
  std::vector<uint8_t> keep(size());
  for (size_t i = 0; i < size(); ++i) keep[i] = alive(i);
  keep_if(keep);
}

void People::keep_if(const std::vector<uint8_t>& keep_slot) {
  const size_t n = size();
  std::vector<uint32_t> keep;
  keep.reserve(n);
  for (size_t i = 0; i < n; ++i)
    if (keep_slot[i]) keep.push_back(static_cast<uint32_t>(i));
  for_each_column(*this, [&keep](auto& col) {
    for (size_t j = 0; j < keep.size(); ++j) col[j] = col[keep[j]];
    col.resize(keep.size());
    col.shrink_to_fit();
  });
}

void People::append(const People& o) {
  std::apply([&](auto... m) { ((this->*m).insert((this->*m).end(), (o.*m).begin(), (o.*m).end()), ...); }, kColumns);
}

void People::pack_rows(const std::vector<uint32_t>& slots, std::vector<uint8_t>& out) const {
  std::apply(
      [&](auto... m) {
        (
            [&](const auto& col) {
              using T = typename std::remove_reference_t<decltype(col)>::value_type;
              const size_t at = out.size();
              out.resize(at + slots.size() * sizeof(T));
              for (size_t j = 0; j < slots.size(); ++j) std::memcpy(out.data() + at + j * sizeof(T), &col[slots[j]], sizeof(T));
            }(this->*m),
            ...);
      },
      kColumns);
}

void People::unpack_rows(const uint8_t*& in, size_t n, const uint32_t* to) {
  for_each_column(*this, [&](auto& col) {
    using T = typename std::remove_reference_t<decltype(col)>::value_type;
    for (size_t j = 0; j < n; ++j) std::memcpy(&col[to[j]], in + j * sizeof(T), sizeof(T));
    in += n * sizeof(T);
  });
}

void People::copy_row(size_t to, const People& src, size_t from) {
  std::apply([&](auto... m) { (((this->*m)[to] = (src.*m)[from]), ...); }, kColumns);
}

float People::nth_over_parts(const std::vector<float>& values, uint64_t nth) const {
  // A radix select on the bits of non-negative floats (ordered as unsigned integers): the
  // count of values per high 16 bits over every part finds the high half of the answer,
  // then the count per low 16 bits among those finds the low half.
  const auto bits = [](float x) {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  };
  uint32_t high = 0;
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<int64_t> count(65536, 0);
    for (float x : values) {
      const uint32_t b = bits(x);
      if (pass == 0) ++count[b >> 16];
      else if ((b >> 16) == high) ++count[b & 0xffffu];
    }
    if (parts) parts->sum(count);
    uint32_t k = 0;
    for (; k < 65535 && nth >= static_cast<uint64_t>(count[k]); ++k) nth -= static_cast<uint64_t>(count[k]);
    if (pass == 0) {
      high = k;
    } else {
      const uint32_t b = high << 16 | k;
      float out;
      std::memcpy(&out, &b, sizeof out);
      return out;
    }
  }
  return 0;  // not reached
}

void People::state(archive::Io& io) {
  for_each_column(*this, [&io](auto& col) { io(col); });
  io(review_overdue_before);
  for_each_column(*this, [&](auto& col) {
    if (col.size() != id.size()) throw std::runtime_error("checkpoint state: people's columns of different lengths");
  });
}

void People::clear_care(size_t i) {
  admit_day[i] = due_day[i] = last_discharge_day[i] = gp_wait_since[i] = elective_since[i] = kNoDay;
  care[i] = 0;
  care_need[i] = 0;
  gp_need[i] = 0;
  stay[i] = 0;
  programmes[i] = 0;
  hospital[i] = 0;
  review_due[i] = kNeverDue;
}


}  // namespace hscsim
