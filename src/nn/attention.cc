#include "nn/attention.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "kernels/dense.h"
#include "kernels/softmax.h"

namespace vigil::nn {

Result<AttentionWeights> AttentionWeights::Create(const AttentionSpec& spec, std::span<const float> wq,
                                                  std::span<const float> wk, std::span<const float> wv,
                                                  std::span<const float> wo, std::span<const float> bq,
                                                  std::span<const float> bk, std::span<const float> bv,
                                                  std::span<const float> bo) {
  if (spec.dim < 1 || spec.heads < 1 || spec.dim % spec.heads != 0 || spec.dim > (1 << 16)) {
    return Status::InvalidArgument("Attention: dim " + std::to_string(spec.dim) + " must be a positive multiple of heads " +
                                   std::to_string(spec.heads));
  }
  const size_t d = static_cast<size_t>(spec.dim);
  const std::span<const float> ws[4] = {wq, wk, wv, wo};
  const std::span<const float> bs[4] = {bq, bk, bv, bo};
  static const char* const kNames[4] = {"q", "k", "v", "o"};
  AttentionWeights w;
  w.spec_ = spec;
  for (int i = 0; i < 4; ++i) {
    if (ws[i].size() != d * d) {
      return Status::InvalidArgument(std::string("Attention: W") + kNames[i] + " has " + std::to_string(ws[i].size()) +
                                     " floats, expected dim·dim = " + std::to_string(d * d));
    }
    if (!bs[i].empty() && bs[i].size() != d) {
      return Status::InvalidArgument(std::string("Attention: b") + kNames[i] + " has " + std::to_string(bs[i].size()) +
                                     " floats, expected dim = " + std::to_string(d));
    }
    const std::vector<float> zeros(bs[i].empty() ? d : 0, 0.0f);
    VIGIL_RETURN_IF_ERROR(w.packed_[i].Allocate(kernels::PackedDenseFloats(d, d) * sizeof(float)));
    kernels::PackDense(ws[i].data(), bs[i].empty() ? zeros.data() : bs[i].data(), d, d,
                       reinterpret_cast<float*>(w.packed_[i].data()));
  }
  return w;
}

size_t AttentionWeights::WeightBytes() const {
  size_t n = 0;
  for (const core::Arena& a : packed_) n += a.size();
  return n;
}

AttentionScratch::AttentionScratch(const AttentionSpec& spec, int64_t length)
    : max_length(length),
      q(static_cast<size_t>(length * spec.dim)),
      k(static_cast<size_t>(length * spec.dim)),
      v(static_cast<size_t>(length * spec.dim)),
      o(static_cast<size_t>(length * spec.dim)),
      scores(static_cast<size_t>(length)) {}

void AttendHeads(const AttentionSpec& spec, const float* q, int64_t q_count, const float* k, const float* v,
                 int64_t kv_count, bool causal, float* scores, float* out) {
  const int64_t dim = spec.dim, hd = spec.head_dim();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  for (int64_t i = 0; i < q_count; ++i) {
    const int64_t visible = causal ? kv_count - q_count + i + 1 : kv_count;
    float* oi = out + i * dim;
    for (int64_t h = 0; h < spec.heads; ++h) {
      const float* qh = q + i * dim + h * hd;
      for (int64_t j = 0; j < visible; ++j) {
        const float* kj = k + j * dim + h * hd;
        float dot = 0;
        for (int64_t c = 0; c < hd; ++c) dot += qh[c] * kj[c];
        scores[j] = dot * scale;
      }
      kernels::SoftmaxRows(scores, 1, static_cast<size_t>(visible), scores);
      float* oh = oi + h * hd;
      std::memset(oh, 0, static_cast<size_t>(hd) * sizeof(float));
      for (int64_t j = 0; j < visible; ++j) {
        const float p = scores[j];
        const float* vj = v + j * dim + h * hd;
        for (int64_t c = 0; c < hd; ++c) oh[c] += p * vj[c];
      }
    }
  }
}

void AttendWindow(const AttentionWeights& w, const float* x, int64_t length, bool causal, AttentionScratch* s,
                  float* y) {
  const size_t d = static_cast<size_t>(w.spec().dim), n = static_cast<size_t>(length);
  kernels::DenseF32(w.packed(0), x, n, d, d, kernels::Activation::kNone, s->q.data());
  kernels::DenseF32(w.packed(1), x, n, d, d, kernels::Activation::kNone, s->k.data());
  kernels::DenseF32(w.packed(2), x, n, d, d, kernels::Activation::kNone, s->v.data());
  AttendHeads(w.spec(), s->q.data(), length, s->k.data(), s->v.data(), length, causal, s->scores.data(), s->o.data());
  kernels::DenseF32(w.packed(3), s->o.data(), n, d, d, kernels::Activation::kNone, y);
}

}  // namespace vigil::nn
