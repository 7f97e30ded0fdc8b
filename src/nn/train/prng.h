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

namespace vigil::nn::train {

class Prng {
 public:
  explicit Prng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& word : s_) word = SplitMix64(&x);
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

  static uint64_t SplitMix64(uint64_t* x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace vigil::nn::train
