#include <string>
#include <vector>

#include "kernels/layer_norm.h"
#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

class LayerNormOp final : public Op {
 public:
  LayerNormOp(int64_t dim, std::vector<float> gamma, std::vector<float> beta, float eps)
      : dim_(dim), gamma_(std::move(gamma)), beta_(std::move(beta)), eps_(eps) {}

  const char* Kind() const override { return "LayerNorm"; }
  int NumInputs() const override { return 1; }
  bool AllowsInPlace() const override { return true; }
  size_t WeightBytes() const override { return (gamma_.size() + beta_.size()) * sizeof(float); }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    const core::Shape& x = inputs[0];
    if (x.rank < 1 || x.dims[x.rank - 1] != dim_) {
      return Status::InvalidArgument(
          OpError(*this, "input shape " + x.ToString() + " must end in " + std::to_string(dim_) + " features"));
    }
    return x;
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    kernels::LayerNormRows(inputs[0].F32(), static_cast<size_t>(core::NumElements(output) / dim_),
                           static_cast<size_t>(dim_), gamma_.empty() ? nullptr : gamma_.data(),
                           beta_.empty() ? nullptr : beta_.data(), eps_, output.F32());
  }

 private:
  const int64_t dim_;
  const std::vector<float> gamma_, beta_;
  const float eps_;
};

}  // namespace

Result<std::unique_ptr<Op>> CreateLayerNormOp(int64_t dim, std::span<const float> gamma, std::span<const float> beta,
                                              float eps) {
  if (dim < 1) return Status::InvalidArgument("LayerNorm: dim must be >= 1, got " + std::to_string(dim));
  if (!(eps >= 0)) return Status::InvalidArgument("LayerNorm: eps must be >= 0");
  for (const auto& [w, name] : {std::pair{gamma, "gamma"}, std::pair{beta, "beta"}}) {
    if (!w.empty() && static_cast<int64_t>(w.size()) != dim) {
      return Status::InvalidArgument(std::string("LayerNorm: ") + name + " has " + std::to_string(w.size()) +
                                     " floats, expected " + std::to_string(dim));
    }
  }
  return std::unique_ptr<Op>(new LayerNormOp(dim, {gamma.begin(), gamma.end()}, {beta.begin(), beta.end()}, eps));
}

}  // namespace vigil::nn
