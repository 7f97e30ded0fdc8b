// Inference of the pre-norm transformer encoder block trained by nn/train/transformer_block.h:
//   h = LN1(x); x1 = x + MHA(h); g = LN2(x1); y = x1 + W2·relu(W1·g + b1) + b2
// on the runtime's kernels (layer norm, attention over packed projections, packed Dense).
#include <algorithm>
#include <string>
#include <vector>

#include "core/arena.h"
#include "kernels/dense.h"
#include "kernels/layer_norm.h"
#include "nn/attention.h"
#include "nn/ops/ops.h"
#include "nn/train/transformer_block.h"

namespace vigil::nn {
namespace {

class TransformerBlockOp final : public Op {
 public:
  TransformerBlockOp(const TransformerBlockOpParams& p, AttentionWeights attention, std::vector<float> ln,
                     core::Arena w1, core::Arena w2, size_t weight_bytes)
      : p_(p),
        attention_(std::move(attention)),
        ln_(std::move(ln)),
        w1_(std::move(w1)),
        w2_(std::move(w2)),
        weight_bytes_(weight_bytes),
        scratch_(attention_.spec(), p.max_length),
        h_(static_cast<size_t>(p.max_length * p.dim)),
        u_(static_cast<size_t>(p.max_length * p.hidden)) {}

  const char* Kind() const override { return "TransformerBlock"; }
  int NumInputs() const override { return 1; }
  size_t WeightBytes() const override { return weight_bytes_; }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    const core::Shape& x = inputs[0];
    if (x.rank != 2 || x.dims[1] != p_.dim || x.dims[0] < 1 || x.dims[0] > p_.max_length) {
      return Status::InvalidArgument(OpError(*this, "input sample shape " + x.ToString() + " must be [length <= " +
                                                        std::to_string(p_.max_length) + ", " + std::to_string(p_.dim) +
                                                        "]"));
    }
    return x;
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const int64_t batch = output.shape.dims[0], length = output.shape.dims[1];
    const size_t d = static_cast<size_t>(p_.dim), n = static_cast<size_t>(length), hid = static_cast<size_t>(p_.hidden);
    const float* gamma1 = ln_.data();
    const float* beta1 = gamma1 + d;
    const float* gamma2 = beta1 + d;
    const float* beta2 = gamma2 + d;
    for (int64_t s = 0; s < batch; ++s) {
      const float* x = inputs[0].F32() + s * length * p_.dim;
      float* y = output.F32() + s * length * p_.dim;
      kernels::LayerNormRows(x, n, d, gamma1, beta1, p_.ln_eps, h_.data());
      AttendWindow(attention_, h_.data(), length, /*causal=*/false, &scratch_, y);
      for (size_t i = 0; i < n * d; ++i) y[i] += x[i];  // x1
      kernels::LayerNormRows(y, n, d, gamma2, beta2, p_.ln_eps, h_.data());
      kernels::DenseF32(reinterpret_cast<const float*>(w1_.data()), h_.data(), n, d, hid, kernels::Activation::kRelu,
                        u_.data());
      kernels::DenseF32(reinterpret_cast<const float*>(w2_.data()), u_.data(), n, hid, d, kernels::Activation::kNone,
                        h_.data());
      for (size_t i = 0; i < n * d; ++i) y[i] += h_[i];
    }
  }

 private:
  const TransformerBlockOpParams p_;
  const AttentionWeights attention_;
  const std::vector<float> ln_;  // γ1, β1, γ2, β2
  const core::Arena w1_, w2_;    // packed Dense dim → hidden (bias included), hidden → dim
  const size_t weight_bytes_;
  // Like every op, one instance serves one thread at a time.
  mutable AttentionScratch scratch_;
  mutable std::vector<float> h_, u_;
};

Result<core::Arena> Pack(const float* w, const float* b, int64_t in, int64_t out) {
  core::Arena a;
  VIGIL_RETURN_IF_ERROR(a.Allocate(kernels::PackedDenseFloats(static_cast<size_t>(in), static_cast<size_t>(out)) *
                                   sizeof(float)));
  kernels::PackDense(w, b, static_cast<size_t>(in), static_cast<size_t>(out), reinterpret_cast<float*>(a.data()));
  return a;
}

}  // namespace

Result<std::unique_ptr<Op>> CreateTransformerBlockOp(const TransformerBlockOpParams& p,
                                                     std::span<const float> flat) {
  if (p.dim < 1 || p.heads < 1 || p.dim % p.heads != 0 || p.hidden < 1 || p.max_length < 1 ||
      p.max_length > 4096 || p.dim > 4096 || p.hidden > 16384 || !(p.ln_eps >= 0)) {
    return Status::InvalidArgument("TransformerBlock: dim " + std::to_string(p.dim) + ", heads " +
                                   std::to_string(p.heads) + ", hidden " + std::to_string(p.hidden) + ", length " +
                                   std::to_string(p.max_length) + " out of range");
  }
  const train::BlockSpec spec{.dim = p.dim, .heads = p.heads, .hidden = p.hidden, .ln_eps = p.ln_eps};
  const train::BlockLayout l(spec);
  if (static_cast<int64_t>(flat.size()) != l.size) {
    return Status::InvalidArgument("TransformerBlock: " + std::to_string(flat.size()) + " parameters, expected " +
                                   std::to_string(l.size));
  }
  const auto at = [&](int64_t offset, int64_t n) { return flat.subspan(static_cast<size_t>(offset), static_cast<size_t>(n)); };
  const int64_t dd = p.dim * p.dim;
  VIGIL_ASSIGN_OR_RETURN(AttentionWeights attention,
                         AttentionWeights::Create({p.dim, p.heads}, at(l.wq, dd), at(l.wk, dd), at(l.wv, dd),
                                                  at(l.wo, dd), at(l.bq, p.dim), at(l.bk, p.dim), at(l.bv, p.dim),
                                                  at(l.bo, p.dim)));
  std::vector<float> ln;
  for (int64_t offset : {l.ln1_g, l.ln1_b, l.ln2_g, l.ln2_b}) {
    const auto v = at(offset, p.dim);
    ln.insert(ln.end(), v.begin(), v.end());
  }
  VIGIL_ASSIGN_OR_RETURN(core::Arena w1, Pack(flat.data() + l.w1, flat.data() + l.b1, p.dim, p.hidden));
  VIGIL_ASSIGN_OR_RETURN(core::Arena w2, Pack(flat.data() + l.w2, flat.data() + l.b2, p.hidden, p.dim));
  const size_t bytes = attention.WeightBytes() + ln.size() * sizeof(float) + w1.size() + w2.size();
  return std::unique_ptr<Op>(
      new TransformerBlockOp(p, std::move(attention), std::move(ln), std::move(w1), std::move(w2), bytes));
}

}  // namespace vigil::nn
