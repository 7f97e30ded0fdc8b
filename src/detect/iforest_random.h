// Internal: the pseudo-random generator behind isolation forest fitting.
//
//   IForestRandom rng(IForestRandom::SeedFor(options.seed, tree_index));
//   uint64_t feature = rng.UniformIndex(dim);   // in [0, dim)
//   double u = rng.UniformUnit();               // in [0, 1)
//
// Forests must be identical on every platform and standard library, so the generator and
// the mappings to ranges are spelled out here instead of using <random> distributions,
// whose outputs are implementation-defined. Generator: xoshiro256** (Blackman and Vigna),
// state filled from SplitMix64. UniformIndex is Lemire's multiply-shift with rejection, so
// it has no modulo bias.
#pragma once

#include <cstdint>

namespace vigil::detect {

// One step of SplitMix64: advances *state and returns the mixed output.
inline uint64_t SplitMix64Next(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class IForestRandom {
 public:
  explicit IForestRandom(uint64_t seed) {
    uint64_t sm = seed;
    for (uint64_t& w : s_) w = SplitMix64Next(&sm);
  }

  // Seed of tree `tree`: the tree-th output of SplitMix64 started at `seed`. Each tree gets
  // its own stream, so a tree does not depend on how many numbers earlier trees consumed.
  static uint64_t SeedFor(uint64_t seed, uint64_t tree) {
    uint64_t sm = seed + tree * 0x9E3779B97F4A7C15ull;
    return SplitMix64Next(&sm);
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

  // Uniform in [0, n); n must be >= 1.
  uint64_t UniformIndex(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      // Reject the few products whose low half falls in the biased zone [0, 2^64 mod n).
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(Next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform in [0, 1) with 53 random bits.
  double UniformUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace vigil::detect
