#include "kernels/softmax.h"
#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

class SoftmaxOp final : public Op {
 public:
  const char* Kind() const override { return "Softmax"; }
  int NumInputs() const override { return 1; }
  bool AllowsInPlace() const override { return true; }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    if (inputs[0].rank < 1) return Status::InvalidArgument(OpError(*this, "needs at least one dim"));
    return inputs[0];
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const int64_t cols = output.shape.dims[output.shape.rank - 1];
    kernels::SoftmaxRows(inputs[0].F32(), static_cast<size_t>(core::NumElements(output) / cols),
                         static_cast<size_t>(cols), output.F32());
  }
};

}  // namespace

std::unique_ptr<Op> CreateSoftmaxOp() { return std::make_unique<SoftmaxOp>(); }

}  // namespace vigil::nn
