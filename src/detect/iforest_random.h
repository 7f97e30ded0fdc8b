// Internal: the pseudo-random generator behind isolation forest fitting.
//
//   IForestRandom rng(IForestRandom::SeedFor(options.seed, tree_index));
//   uint64_t feature = rng.UniformIndex(dim);   // in [0, dim)
//   double u = rng.UniformUnit();               // in [0, 1)
//
// Forests must be identical on every platform and standard library, so the generator and
// the mappings to ranges are spelled out here instead of using <random> distributions,
// whose outputs are implementation-defined. Generator: core::Xoshiro256. UniformIndex is Lemire's multiply-shift with rejection, so
// it has no modulo bias.
#pragma once

#include <cstdint>

#include "core/xoshiro.h"

namespace vigil::detect {

using core::SplitMix64Next;

// The shared generator plus the range mappings forest building needs.
class IForestRandom : public core::Xoshiro256 {
 public:
  using core::Xoshiro256::Xoshiro256;

  // Seed of tree `tree`: the tree-th output of SplitMix64 started at `seed`. Each tree gets
  // its own stream, so a tree does not depend on how many numbers earlier trees consumed.
  static uint64_t SeedFor(uint64_t seed, uint64_t tree) {
    uint64_t sm = seed + tree * 0x9E3779B97F4A7C15ull;
    return SplitMix64Next(&sm);
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
};

}  // namespace vigil::detect
