#include <string>
#include <vector>

#include "core/arena.h"
#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

class DenseOp final : public Op {
 public:
  // Owns `packed` (FP32 weights packed at create time).
  DenseOp(int64_t in, int64_t out, core::Arena packed, kernels::Activation act)
      : in_(in),
        out_(out),
        owned_(std::move(packed)),
        weights_{WeightType::kF32, {owned_.data(), owned_.size()}},
        act_(act) {}
  // Borrows weights packed elsewhere (e.g. in a mapped model file).
  DenseOp(int64_t in, int64_t out, const PackedWeights& packed, kernels::Activation act)
      : in_(in),
        out_(out),
        weights_(packed),
        act_(act),
        scratch_(PackedDenseScratchBytes(packed.type, static_cast<size_t>(in))) {}

  const char* Kind() const override { return "Dense"; }
  int NumInputs() const override { return 1; }
  size_t WeightBytes() const override { return weights_.bytes.size(); }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    const core::Shape& x = inputs[0];
    if (x.rank < 1 || x.dims[x.rank - 1] != in_) {
      return Status::InvalidArgument(OpError(
          *this, "input shape " + x.ToString() + " must end in " + std::to_string(in_) + " features"));
    }
    core::Shape y = x;
    y.dims[y.rank - 1] = out_;
    return y;
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const size_t rows = static_cast<size_t>(core::NumElements(inputs[0]) / in_);
    RunPackedDense(weights_, inputs[0].F32(), static_cast<size_t>(in_), rows, static_cast<size_t>(in_),
                   static_cast<size_t>(out_), act_, output.F32(), scratch_.data());
  }

 private:
  const int64_t in_;
  const int64_t out_;
  // 64-byte aligned (std::vector only guarantees 16) so the kernel's packed rows start on
  // cache lines. Empty when the weights are borrowed.
  const core::Arena owned_;
  const PackedWeights weights_;
  const kernels::Activation act_;
  // Quantized input rows of INT8 weights; like every op, one instance serves one thread at a time.
  mutable std::vector<uint8_t> scratch_;
};

}  // namespace

Result<std::unique_ptr<Op>> CreateDenseOp(int64_t in, int64_t out, std::span<const float> weights,
                                          std::span<const float> bias, kernels::Activation act) {
  if (in <= 0 || out <= 0) {
    return Status::InvalidArgument("Dense: in and out must be positive, got in=" + std::to_string(in) +
                                   " out=" + std::to_string(out));
  }
  VIGIL_RETURN_IF_ERROR(CheckActivation(act));
  const size_t n_w = static_cast<size_t>(in) * static_cast<size_t>(out);
  if (weights.size() != n_w) {
    return Status::InvalidArgument("Dense: weights have " + std::to_string(weights.size()) +
                                   " values, expected " + std::to_string(out) + "x" + std::to_string(in) +
                                   "=" + std::to_string(n_w));
  }
  if (!bias.empty() && bias.size() != static_cast<size_t>(out)) {
    return Status::InvalidArgument("Dense: bias has " + std::to_string(bias.size()) + " values, expected " +
                                   std::to_string(out));
  }
  std::vector<float> zeros;
  if (bias.empty()) zeros.assign(static_cast<size_t>(out), 0.0f);
  core::Arena packed;
  VIGIL_RETURN_IF_ERROR(packed.Allocate(
      kernels::PackedDenseFloats(static_cast<size_t>(in), static_cast<size_t>(out)) * sizeof(float)));
  kernels::PackDense(weights.data(), bias.empty() ? zeros.data() : bias.data(), static_cast<size_t>(in),
                     static_cast<size_t>(out), reinterpret_cast<float*>(packed.data()));
  return std::unique_ptr<Op>(new DenseOp(in, out, std::move(packed), act));
}

Result<std::unique_ptr<Op>> CreateDenseOpFromPacked(int64_t in, int64_t out, const PackedWeights& packed,
                                                    kernels::Activation act) {
  VIGIL_RETURN_IF_ERROR(CheckActivation(act));
  VIGIL_RETURN_IF_ERROR(CheckPackedWeights("Dense", in, out, act, packed));
  return std::unique_ptr<Op>(new DenseOp(in, out, packed, act));
}

}  // namespace vigil::nn
