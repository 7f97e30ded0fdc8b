// Multi-head self-attention over a window of positions, shared by the graph op (all positions
// at once, nn/ops) and the streaming form with a key/value cache (nn/kv_attention.h):
//
//   VIGIL_ASSIGN_OR_RETURN(nn::AttentionWeights w, nn::AttentionWeights::Create(spec, wq, wk, wv, wo, bq, bk, bv, bo));
//   nn::AttentionScratch s(spec, length);
//   nn::AttendWindow(w, x, length, /*causal=*/false, &s, y);    // y = MHA(x), [length, dim]
//
// For each head h (head_dim = dim / heads): Q = x·Wqᵀ + bq, K = x·Wkᵀ + bk, V = x·Wvᵀ + bv, then
// O_h = softmax(Q_h K_hᵀ / sqrt(head_dim) [+ causal mask]) V_h, and y = O·Woᵀ + bo. Weights are
// row-major dim × dim (out × in) and packed once for the Dense kernel; biases may be empty.
// Deterministic; never allocates after creation (the scratch is sized for a window).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/arena.h"
#include "vigil/status.h"

namespace vigil::nn {

struct AttentionSpec {
  int64_t dim = 0;
  int64_t heads = 1;
  int64_t head_dim() const { return dim / heads; }
};

class AttentionWeights {
 public:
  // InvalidArgument when dim < 1, heads < 1, heads does not divide dim, a weight matrix does not
  // hold dim·dim floats or a non-empty bias dim floats.
  static Result<AttentionWeights> Create(const AttentionSpec& spec, std::span<const float> wq,
                                         std::span<const float> wk, std::span<const float> wv,
                                         std::span<const float> wo, std::span<const float> bq = {},
                                         std::span<const float> bk = {}, std::span<const float> bv = {},
                                         std::span<const float> bo = {});
  const AttentionSpec& spec() const { return spec_; }
  // The four packed projections (q, k, v, o), each kernels::PackDense of dim × dim.
  const float* packed(int i) const { return reinterpret_cast<const float*>(packed_[i].data()); }
  size_t WeightBytes() const;

 private:
  AttentionSpec spec_;
  core::Arena packed_[4];
};

// Work space for windows of up to `max_length` positions.
struct AttentionScratch {
  AttentionScratch(const AttentionSpec& spec, int64_t max_length);
  int64_t max_length;
  std::vector<float> q, k, v, o, scores;
};

// y = MHA(x) for one window x [length, dim] (length ≤ scratch max_length); with `causal`
// position t attends to positions ≤ t only. y must not overlap x.
void AttendWindow(const AttentionWeights& w, const float* x, int64_t length, bool causal, AttentionScratch* s,
                  float* y);

// The attention of `q_count` query rows (each dim floats, heads interleaved as in Q) over
// `kv_count` key/value rows, writing `out` (q_count × dim) before the output projection; row i
// of the queries sees keys [0, visible(i)) where visible(i) = kv_count − q_count + i + 1 when
// causal, else kv_count. `scores` holds kv_count floats. Shared by AttendWindow and the cache.
void AttendHeads(const AttentionSpec& spec, const float* q, int64_t q_count, const float* k, const float* v,
                 int64_t kv_count, bool causal, float* scores, float* out);

}  // namespace vigil::nn
