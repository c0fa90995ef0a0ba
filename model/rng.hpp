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

#include <array>
#include <cmath>
#include <cstdint>

namespace hscsim {

//! What a draw is for. The numbers are part of the results' identity: never renumber
//! an existing purpose (add new ones at the end), or every stored result changes.
enum class Purpose : uint16_t {
  InitDemographics = 1,   //!< neighbourhood, practice, age, sex of a synthesised person
  InitTenure = 2,         //!< housing tenure
  InitState = 3,          //!< initial binary states (index = state block)
  InitOrdinal = 4,        //!< initial alcohol level and frailty
  Demography = 5,         //!< death, emigration, birth, baby's sex
  StateTransition = 6,    //!< onset / recovery of binary states (index = state block)
  OrdinalTransition = 7,  //!< alcohol and frailty moves
  Immigration = 8,        //!< place-level: number of immigrants in a step
  CareSeeking = 9,        //!< health events, their route, routine GP demand, new social care needs
  Discharge = 10,         //!< in-hospital death, social care needed at discharge, package endings
  GpAppointment = 11,     //!< what happens at / after a GP request (index = request number)
  Emergency = 12,         //!< A&E attendance: admitted or not, length of stay (index = attendance number)
  Elective = 13,          //!< day case or inpatient, length of stay
  SocialCare = 14,        //!< self-funding, nursing placement, what follows reablement
  Intervention = 15,      //!< offers taken up, adherence, states resolved (index = programme);
                          //!< with a name-hashed id at kInitStep: a replicate's effect sizes
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

//! Many uniforms for one (id, step, purpose): one Philox block, computed on first use,
//! is the 128-bit seed of lanes 0, 1, 2, ...; lane k is that seed mixed with k by the
//! SplitMix64 finaliser (Steele, Lea & Flood 2014), a 53-bit uniform in (0, 1). Still a
//! pure function of (key, counter, lane), so skipping a lane changes no other lane; far
//! cheaper than one Philox call per draw when a person needs many draws in a step.
class Lanes {
 public:
  Lanes(const Streams& s, uint64_t id, uint32_t step, Purpose p, uint16_t index = 0)
      : s_(s), id_(id), step_(step), p_(p), index_(index) {}
  double operator[](int k) {
    if (!have_) {
      const auto r = s_.raw(id_, step_, p_, index_);
      a_ = (static_cast<uint64_t>(r[1]) << 32) | r[0];
      b_ = (static_cast<uint64_t>(r[3]) << 32) | r[2];
      have_ = true;
    }
    uint64_t z = a_ + static_cast<uint64_t>(k + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    z ^= b_;
    z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDull;
    z ^= z >> 33;
    return (static_cast<double>(z >> 11) + 0.5) * 0x1p-53;
  }

 private:
  const Streams& s_;
  uint64_t id_;
  uint32_t step_;
  Purpose p_;
  uint16_t index_;
  bool have_ = false;
  uint64_t a_ = 0, b_ = 0;
};

//! Poisson variate from a place-level stream: inversion for small means, the PTRS
//! transformed-rejection method (Hormann 1993) for mean >= 10. Uses blocks
//! index, index+1, ... of the given (id, step, purpose).
uint64_t poisson(const Streams& s, double mean, uint64_t id, uint32_t step, Purpose p);

}  // namespace hscsim
