#include <string>

#include "nn/attention.h"
#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

class SelfAttentionOp final : public Op {
 public:
  SelfAttentionOp(AttentionWeights w, const AttentionOpParams& p)
      : w_(std::move(w)), params_(p), scratch_(w_.spec(), p.max_length) {}

  const char* Kind() const override { return "SelfAttention"; }
  int NumInputs() const override { return 1; }
  size_t WeightBytes() const override { return w_.WeightBytes(); }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    const core::Shape& x = inputs[0];
    if (x.rank != 2 || x.dims[1] != params_.dim || x.dims[0] < 1 || x.dims[0] > params_.max_length) {
      return Status::InvalidArgument(OpError(*this, "input sample shape " + x.ToString() + " must be [length <= " +
                                                        std::to_string(params_.max_length) + ", " +
                                                        std::to_string(params_.dim) + "]"));
    }
    return x;
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const int64_t batch = output.shape.dims[0], length = output.shape.dims[1];
    const int64_t per_sample = length * params_.dim;
    for (int64_t s = 0; s < batch; ++s) {
      AttendWindow(w_, inputs[0].F32() + s * per_sample, length, params_.causal, &scratch_,
                   output.F32() + s * per_sample);
    }
  }

 private:
  const AttentionWeights w_;
  const AttentionOpParams params_;
  // Like every op, one instance serves one thread at a time.
  mutable AttentionScratch scratch_;
};

}  // namespace

Result<std::unique_ptr<Op>> CreateSelfAttentionOp(const AttentionOpParams& params, std::span<const float> wq,
                                                  std::span<const float> wk, std::span<const float> wv,
                                                  std::span<const float> wo, std::span<const float> bq,
                                                  std::span<const float> bk, std::span<const float> bv,
                                                  std::span<const float> bo) {
  if (params.max_length < 1 || params.max_length > (1 << 16)) {
    return Status::InvalidArgument("SelfAttention: max_length must be in 1..65536, got " +
                                   std::to_string(params.max_length));
  }
  VIGIL_ASSIGN_OR_RETURN(AttentionWeights w,
                         AttentionWeights::Create({params.dim, params.heads}, wq, wk, wv, wo, bq, bk, bv, bo));
  return std::unique_ptr<Op>(new SelfAttentionOp(std::move(w), params));
}

}  // namespace vigil::nn
