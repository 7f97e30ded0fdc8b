#include "nn/kv_attention.h"

#include <algorithm>
#include <cstring>

#include "kernels/dense.h"

namespace vigil::nn {

KvAttention::KvAttention(const AttentionWeights* weights, int64_t capacity)
    : w_(weights),
      capacity_(std::max<int64_t>(capacity, 1)),
      k_(static_cast<size_t>(capacity_ * weights->spec().dim)),
      v_(k_.size()),
      q_(static_cast<size_t>(weights->spec().dim)),
      o_(q_.size()),
      scores_(static_cast<size_t>(capacity_)) {}

void KvAttention::Step(const float* x, float* y) {
  const int64_t dim = w_->spec().dim;
  const size_t d = static_cast<size_t>(dim);
  if (count_ == capacity_) {  // drop the oldest: keep rows contiguous for the head loops
    std::memmove(k_.data(), k_.data() + d, (k_.size() - d) * sizeof(float));
    std::memmove(v_.data(), v_.data() + d, (v_.size() - d) * sizeof(float));
    --count_;
  }
  float* k = k_.data() + count_ * dim;
  float* v = v_.data() + count_ * dim;
  kernels::DenseF32(w_->packed(0), x, 1, d, d, kernels::Activation::kNone, q_.data());
  kernels::DenseF32(w_->packed(1), x, 1, d, d, kernels::Activation::kNone, k);
  kernels::DenseF32(w_->packed(2), x, 1, d, d, kernels::Activation::kNone, v);
  ++count_;
  AttendHeads(w_->spec(), q_.data(), 1, k_.data(), v_.data(), count_, /*causal=*/false, scores_.data(), o_.data());
  kernels::DenseF32(w_->packed(3), o_.data(), 1, d, d, kernels::Activation::kNone, y);
}

}  // namespace vigil::nn
