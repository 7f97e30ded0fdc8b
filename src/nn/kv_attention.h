// Streaming self-attention with a key/value cache: one position at a time, each attending to
// itself and the cached keys/values of up to `capacity` − 1 earlier positions (a sliding window;
// the oldest is dropped when full). For positions 0..T−1 with capacity ≥ T the outputs equal
// causal AttendWindow over the whole window, at O(T) work per step instead of O(T²).
//
//   nn::KvAttention cache(&weights, /*capacity=*/64);
//   for (each new reading x_t) cache.Step(x_t, y_t);   // y_t = attention output for position t
//
// Step never allocates (buffers sized at construction) and never fails; not thread-safe (one
// stream per instance). The weights must outlive the cache.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/attention.h"

namespace vigil::nn {

class KvAttention {
 public:
  KvAttention(const AttentionWeights* weights, int64_t capacity);
  void Step(const float* x, float* y);
  void Reset() { count_ = 0; }
  int64_t cached() const { return count_; }

 private:
  const AttentionWeights* w_;
  int64_t capacity_;
  int64_t count_ = 0;       // valid rows in k_/v_, oldest first
  std::vector<float> k_, v_, q_, o_, scores_;
};

}  // namespace vigil::nn
