#pragma once
// Event-keyed random numbers. Every draw is a pure function of
//   key     = (run seed, replicate)
//   counter = (person id, step, purpose, block index)
// through the Philox4x32-10 counter-based generator (Random123). No generator carries
// state, so no draw depends on iteration order, thread or rank, and two scenarios draw
// the same numbers for the same person, step and purpose (common random numbers).
//
// One Philox call yields four 32-bit words (`block`: four uniforms). Modules that need
// many uniforms for a person in a step take them as `Lanes` of one block.
#include <Random123/philox.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace hscsim {

//! What a draw is for. The numbers are part of the results' identity: never renumber
//! an existing purpose (add new ones at the end), or every stored result changes.
enum class Purpose : uint16_t {
  InitDemographics = 1,   //!< neighbourhood, practice, age, sex of a synthesised person
  InitTenure = 2,         //!< housing tenure
  InitState = 3,          //!< initial binary states (index = state block)
  InitOrdinal = 4,        //!< initial alcohol level and frailty
  Demography = 5,         //!< (no longer drawn: demography takes StateTransition lanes, see agents/people/lanes.hpp)
  StateTransition = 6,    //!< onset / recovery of binary states, alcohol and frailty moves, then
                          //!< death, emigration, birth and the baby's sex (agents/people/lanes.hpp)
  OrdinalTransition = 7,  //!< (no longer drawn: alcohol and frailty moves take StateTransition lanes)
  Immigration = 8,        //!< place-level: number of immigrants in a step
  CareSeeking = 9,        //!< health events, their route, routine GP demand, new social care needs
  Discharge = 10,         //!< in-hospital death, social care needed at discharge, package endings
  GpAppointment = 11,     //!< what happens at / after a GP request (index = request number)
  Emergency = 12,         //!< A&E attendance: admitted or not, length of stay (index = attendance number)
  Elective = 13,          //!< day case or inpatient, length of stay
  SocialCare = 14,        //!< self-funding, nursing placement, what follows reablement
  Intervention = 15,      //!< offers taken up, adherence, states resolved (index = programme);
                          //!< with a name-hashed id at kInitStep: a replicate's effect sizes
  InitDiagnosis = 16,     //!< whether each initial condition is diagnosed (lane = the state's lane)
  Design = 17,            //!< experimental designs (model/core/design.hpp): replicate word ~0, never a person
};

//! Id used for place-level draws (not tied to a person). Person ids never reach it.
inline constexpr uint64_t kPlaceId = ~uint64_t{0};
//! Step value used for draws made while building the initial population.
inline constexpr uint32_t kInitStep = ~uint32_t{0};

class Streams {
 public:
  Streams(uint32_t seed, uint32_t replicate) : key_{{seed, replicate}} {}

  //! The raw Philox output (four 32-bit words) for this (id, step, purpose, index).
  std::array<uint32_t, 4> raw(uint64_t id, uint32_t step, Purpose purpose, uint16_t index = 0) const {
    r123::Philox4x32::ctr_type ctr = {{static_cast<uint32_t>(id), static_cast<uint32_t>(id >> 32), step,
                                       (static_cast<uint32_t>(purpose) << 16) | index}};
    auto r = gen_(ctr, key_);
    return {r[0], r[1], r[2], r[3]};
  }
  //! Four independent uniforms in (0, 1) for this (id, step, purpose, index).
  std::array<double, 4> block(uint64_t id, uint32_t step, Purpose purpose, uint16_t index = 0) const {
    const auto r = raw(id, step, purpose, index);
    return {to_unit(r[0]), to_unit(r[1]), to_unit(r[2]), to_unit(r[3])};
  }
  double uniform(uint64_t id, uint32_t step, Purpose purpose, uint16_t index = 0) const {
    return block(id, step, purpose, index)[0];
  }

  //! A 32-bit key for ordering requests within a priority tier: random, but a pure
  //! function of (seed, replicate, id, step, what), never of arrival order.
  //! (A SplitMix64-style hash of key and counter: it orders requests, so it needs to be
  //! well mixed, not a statistically perfect uniform, and it is far cheaper than Philox.)
  uint32_t tiebreak(uint64_t id, uint32_t step, uint16_t what) const {
    uint64_t z = ((static_cast<uint64_t>(key_[0]) << 32) | key_[1]) ^ (id * 0x9E3779B97F4A7C15ull) ^
                 (((static_cast<uint64_t>(step) << 16) | what) * 0xD1B54A32D192ED03ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
  }

  //! Maps 32 random bits to the open interval (0, 1): (x + 0.5) / 2^32.
  static double to_unit(uint32_t x) { return (static_cast<double>(x) + 0.5) * 0x1p-32; }

 private:
  r123::Philox4x32::key_type key_;
  r123::Philox4x32 gen_;
};

//! Many uniforms for one (id, step, purpose): one Philox block (128 bits), computed on
//! first use, seeds lanes 0, 1, 2, ... Lane k mixes the block with k through the
//! SplitMix64 finaliser (Steele, Lea & Flood 2014) and a second finaliser, giving a
//! uniform in (0, 1) with 53 bits. Still a pure function of (key, counter, lane), so
//! skipping a lane changes no other lane; far cheaper than one Philox call per draw when
//! a person needs many draws in a step.
//!
//! Screened lanes. Most draws decide rare events (a weekly onset probability of 1e-4),
//! and nearly all of them only need to learn that the uniform is not small. So the first
//! kScreened lanes take their top 8 bits from a 256-bit screen (the Philox block, and
//! two more words mixed from it) and only their 45 low bits from the lane's mixer:
//! byte k of the screen is the top byte of lane k. `may_be_below(k, t)` and
//! `candidates` read the screen alone; when they say "no", lane k is >= t for certain
//! and its mixer never runs. A lane's value is the same whether or not it was screened.
class Lanes {
 public:
  static constexpr int kScreened = 32;  //!< lanes 0..31 have a screening byte
  using Thresholds = std::array<uint8_t, kScreened>;

  Lanes(const Streams& s, uint64_t id, uint32_t step, Purpose p, uint16_t index = 0)
      : s_(&s), id_(id), step_(step), p_(p), index_(index) {}
  //! Lanes of a block already drawn: Streams::raw(id, step, p, index), for example by
  //! BlocksAhead.
  explicit Lanes(const std::array<uint32_t, 4>& block) { set(block); }

  double operator[](int k) {
    fill();
    uint64_t z = w_[0] + static_cast<uint64_t>(k + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    z ^= w_[1];
    z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDull;
    z ^= z >> 33;
    const uint64_t bits = k < kScreened ? (screen_byte(k) << 45) | (z >> 19) : z >> 11;  // 53 bits
    return (static_cast<double>(bits) + 0.5) * 0x1p-53;
  }

  //! The screening threshold of a probability t: lane k can be below t only if its
  //! screening byte is <= screen_threshold(t) (255 when t >= 1: always). Also 0 when
  //! t <= 0, so such a lane is a candidate 1 time in 256: a candidate is only a lane
  //! that must be looked at, never an event.
  static uint8_t screen_threshold(double t) {
    if (!(t > 0)) return 0;
    const double x = std::ceil(t * 256.0) - 1.0;
    return static_cast<uint8_t>(x >= 255.0 ? 255.0 : x);
  }
  //! Bit k (k < 32) is set unless lane k is certainly >= the probability whose
  //! screen_threshold is thr[k]: 32 may_be_below tests at once, without branches (SSE2
  //! where there is one). Lanes past kScreened have no byte: callers test them in full.
  uint32_t candidates(const Thresholds& thr) {
    fill();
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&w_[0]));
    const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&w_[2]));
    const __m128i t0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(thr.data()));
    const __m128i t1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(thr.data() + 16));
    // byte <= thr  <=>  saturating byte - thr == 0
    const auto lo = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(x0, t0), zero)));
    const auto hi = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(x1, t1), zero)));
    return lo | hi << 16;
#else
    uint32_t out = 0;
    for (int k = 0; k < kScreened; ++k) out |= static_cast<uint32_t>(screen_byte(k) <= thr[static_cast<size_t>(k)]) << k;
    return out;
#endif
  }

  //! candidates() for one lane k < kScreened: false when lane k is certainly >= the
  //! probability whose screen_threshold is thr.
  bool candidate(int k, uint8_t thr) {
    fill();
    return screen_byte(k) <= thr;
  }

  //! Lowest screening byte of a lane that can be > c (256: none can; see
  //! candidate(k, below, above)). A lane's value x satisfies x * 256 <= byte + 1.
  static uint16_t screen_threshold_above(double c) {
    if (!(c < 1.0)) return 256;
    return static_cast<uint16_t>(c > 0 ? std::floor(c * 256.0) : 0.0);
  }
  //! True unless lane k (k < kScreened) is certainly >= the probability whose
  //! screen_threshold is `below` and certainly <= the value whose
  //! screen_threshold_above is `above`: the lane decides a move down or up only then.
  bool candidate(int k, uint8_t below, uint16_t above) {
    fill();
    const auto b = screen_byte(k);
    return b <= below || b >= above;
  }

  //! False only when lane k is certainly >= t (its screening byte already says so); true
  //! otherwise, and always for lanes without a screening byte.
  bool may_be_below(int k, double t) {
    if (k >= kScreened) return true;
    fill();
    return static_cast<double>(screen_byte(k)) < t * 256.0;
  }

 private:
  void fill() {
    if (!have_) set(s_->raw(id_, step_, p_, index_));
  }
  void set(const std::array<uint32_t, 4>& r) {
    w_[0] = (static_cast<uint64_t>(r[1]) << 32) | r[0];
    w_[1] = (static_cast<uint64_t>(r[3]) << 32) | r[2];
    w_[2] = mix(w_[0] ^ 0x6A09E667F3BCC909ull);
    w_[3] = mix(w_[1] ^ 0xBB67AE8584CAA73Bull);
    have_ = true;
  }
  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  //! Byte k of the screen (little-endian order within each word, as the SSE2 load reads it).
  uint64_t screen_byte(int k) const { return (w_[k >> 3] >> (8 * (k & 7))) & 0xFF; }

  const Streams* s_ = nullptr;
  uint64_t id_ = 0;
  uint32_t step_ = 0;
  Purpose p_ = Purpose::StateTransition;
  uint16_t index_ = 0;
  bool have_ = false;
  uint64_t w_[4] = {0, 0, 0, 0};  //!< the screen: Philox block (w_[0], w_[1]) and two words mixed from it
};

//! The Philox blocks raw(ids[i], step, p) of the slots of a pass, visited in increasing
//! order, each computed one wanted slot ahead: the next block is started before the
//! current slot's work, so its latency (ten dependent rounds) overlaps that work instead
//! of stalling the pass. Wanted slots are those with want[i] == wanted_value (the
//! living, for example). The blocks are raw()'s exactly.
class BlocksAhead {
 public:
  BlocksAhead(const Streams& s, const uint64_t* ids, const uint8_t* want, uint8_t wanted_value, size_t end, uint32_t step,
              Purpose p)
      : s_(s), ids_(ids), want_(want), value_(wanted_value), end_(end), step_(step), p_(p) {}
  std::array<uint32_t, 4> operator()(size_t i) {
    const std::array<uint32_t, 4> b = i == next_ ? next_block_ : s_.raw(ids_[i], step_, p_);
    size_t j = i + 1;
    while (j < end_ && want_[j] != value_) ++j;
    if (j < end_) {
      next_block_ = s_.raw(ids_[j], step_, p_);
      next_ = j;
    }
    return b;
  }

 private:
  const Streams& s_;
  const uint64_t* ids_;
  const uint8_t* want_;
  uint8_t value_;
  size_t end_;
  uint32_t step_;
  Purpose p_;
  size_t next_ = ~size_t{0};
  std::array<uint32_t, 4> next_block_{};
};

//! Poisson variate from a place-level stream: inversion for small means, the PTRS
//! transformed-rejection method (Hormann 1993) for mean >= 10. Uses blocks
//! index, index+1, ... of the given (id, step, purpose).
uint64_t poisson(const Streams& s, double mean, uint64_t id, uint32_t step, Purpose p);

namespace substream {
// Sub-stream indices (the `index` word of a draw within one purpose, and the key of a
// request's tie-break), named by the module that uses them. Each module lists its ranges
// and checks at compile time that they do not overlap (agents/care/substreams.hpp).
//! Indices [first, first + size).
struct Range {
  uint16_t first;
  uint16_t size;
  constexpr uint16_t operator[](int k) const { return static_cast<uint16_t>(first + k); }
  constexpr uint16_t end() const { return static_cast<uint16_t>(first + size); }
};
constexpr Range one(uint16_t index) { return {index, 1}; }

constexpr bool disjoint(std::initializer_list<Range> ranges) {
  for (const Range* a = ranges.begin(); a != ranges.end(); ++a)
    for (const Range* b = a + 1; b != ranges.end(); ++b)
      if (a->first < b->end() && b->first < a->end()) return false;
  return true;
}

}  // namespace substream

}  // namespace hscsim
