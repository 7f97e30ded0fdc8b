// A small deterministic generator for weight init and shuffling.
//
//   train::Prng rng(seed);
//   float u = rng.NextFloat();          // [0, 1)
//   uint64_t k = rng.NextBelow(n);      // [0, n)
//
// std::*_distribution output is implementation-defined, so weights drawn through it would
// differ between standard libraries. Everything here is integer arithmetic plus one exact
// int → float conversion, hence the same seed yields the same bits on every platform.
// Algorithms: splitmix64 expands the seed into the xoshiro256** state (Blackman & Vigna).
#pragma once

#include <cstdint>

#include "core/xoshiro.h"

namespace vigil::nn::train {

// The shared generator (core::Xoshiro256) plus the mappings training needs.
class Prng : public core::Xoshiro256 {
 public:
  using core::Xoshiro256::Xoshiro256;

  // Uniform in [0, 1): the top 24 bits are exactly representable in a float's significand.
  float NextFloat() { return static_cast<float>(Next() >> 40) * (1.0f / 16777216.0f); }

  // Uniform in [0, n) for n >= 1, by rejection so no residue is favoured.
  uint64_t NextBelow(uint64_t n) {
    // Largest multiple of n that fits: values at or above it would bias the low residues.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v = Next();
    while (v >= limit) v = Next();
    return v % n;
  }

  static uint64_t SplitMix64(uint64_t* x) { return core::SplitMix64Next(x); }
};

}  // namespace vigil::nn::train
