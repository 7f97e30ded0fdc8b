// Internal: the one pseudo-random generator behind everything seeded in vigil.
//
//   core::Xoshiro256 rng(seed);
//   uint64_t bits = rng.Next();
//
// xoshiro256** (Blackman and Vigna), its state filled from SplitMix64. Results must be
// identical on every platform and standard library, so callers map the raw 64-bit outputs to
// ranges themselves instead of using <random> distributions, whose outputs are
// implementation-defined.
#pragma once

#include <cstdint>

namespace vigil::core {

// One step of SplitMix64: advances *state and returns the mixed output.
inline uint64_t SplitMix64Next(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    uint64_t sm = seed;
    for (uint64_t& w : s_) w = SplitMix64Next(&sm);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace vigil::core
